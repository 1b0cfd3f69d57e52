//! The user lists: `users` with openIMIS's arguments, and `interactiveUsers`.

use super::*;
use sea_orm::Condition;
use sea_orm::sea_query::Expr;

/// The orders of `users`: the names openIMIS's web front end sends (`username`,
/// `iUser_LastName`, `officer__dob`, …; case, `_` and `__` are ignored) and their short forms.
const USER_SORT: [(&str, user::Column); 18] = [
    ("username", user::Column::Username),
    ("lastName", user::Column::LastNameSearch),
    ("otherNames", user::Column::OtherNamesSearch),
    ("email", user::Column::Email),
    ("phone", user::Column::Phone),
    ("dob", user::Column::BirthDate),
    ("iUser__loginName", user::Column::Username),
    ("iUser__lastName", user::Column::LastNameSearch),
    ("iUser__otherNames", user::Column::OtherNamesSearch),
    ("iUser__email", user::Column::Email),
    ("iUser__phone", user::Column::Phone),
    ("officer__code", user::Column::OfficerCode),
    ("officer__lastName", user::Column::LastNameSearch),
    ("officer__otherNames", user::Column::OtherNamesSearch),
    ("officer__dob", user::Column::BirthDate),
    ("officer__phone", user::Column::Phone),
    ("validityFrom", user::Column::ValidityFrom),
    ("validityTo", user::Column::ValidityTo),
];

/// The user lists.
#[derive(Default)]
pub struct UserListsQuery;

#[Object]
impl UserListsQuery {
    /// Users (right 121701), restricted to the caller's locations (D9), with openIMIS's filters.
    /// The location filters (`regionId`, `regionIds`, `districtId`, `municipalityId`,
    /// `villageId`, `parentLocation`) keep the users linked to a location of that location's
    /// subtree the way the scope counts links: their districts, officer villages, officer
    /// district or facility. `parentLocation` names the location by uuid, id or global id
    /// (`parentLocationLevel` is implied by it). `iUser_…` filters keep interactive users,
    /// `officer_…` ones officers; several filters all apply.
    #[allow(clippy::too_many_arguments)]
    async fn users(
        &self,
        ctx: &Context<'_>,
        validity: Option<Date>,
        client_mutation_id: Option<String>,
        last_name: Option<String>,
        other_names: Option<String>,
        phone: Option<String>,
        email: Option<String>,
        role_id: Option<i64>,
        roles: Option<Vec<Option<i64>>>,
        health_facility_id: Option<i64>,
        region_id: Option<i64>,
        region_ids: Option<Vec<Option<i64>>>,
        district_id: Option<i64>,
        municipality_id: Option<i64>,
        village_id: Option<i64>,
        birth_date_from: Option<Date>,
        birth_date_to: Option<Date>,
        user_types: Option<Vec<Option<UserTypes>>>,
        language: Option<String>,
        show_history: Option<bool>,
        show_deleted: Option<bool>,
        str: Option<String>,
        parent_location: Option<String>,
        parent_location_level: Option<i32>,
        id: Option<ID>,
        username: Option<String>,
        #[graphql(name = "username_Icontains")] username_icontains: Option<String>,
        #[graphql(name = "iUser_Id")] i_user_id: Option<ID>,
        #[graphql(name = "iUser_Uuid")] i_user_uuid: Option<uuid::Uuid>,
        #[graphql(name = "iUser_LastName_Icontains")] i_user_last_name_icontains: Option<String>,
        #[graphql(name = "iUser_OtherNames_Icontains")] i_user_other_names_icontains: Option<
            String,
        >,
        #[graphql(name = "iUser_Phone_Iexact")] i_user_phone_iexact: Option<String>,
        #[graphql(name = "iUser_LoginName_Iexact")] i_user_login_name_iexact: Option<String>,
        #[graphql(name = "iUser_Email_Iexact")] i_user_email_iexact: Option<String>,
        #[graphql(name = "iUser_IsAssociated")] i_user_is_associated: Option<bool>,
        #[graphql(name = "iUser_LanguageId")] i_user_language_id: Option<ID>,
        #[graphql(name = "officer_Id")] officer_id: Option<ID>,
        #[graphql(name = "officer_Uuid")] officer_uuid: Option<String>,
        #[graphql(name = "officer_Code")] officer_code: Option<String>,
        #[graphql(name = "officer_Code_Icontains")] officer_code_icontains: Option<String>,
        #[graphql(name = "officer_LastName")] officer_last_name: Option<String>,
        #[graphql(name = "officer_LastName_Icontains")] officer_last_name_icontains: Option<String>,
        #[graphql(name = "officer_OtherNames")] officer_other_names: Option<String>,
        #[graphql(name = "officer_OtherNames_Icontains")] officer_other_names_icontains: Option<
            String,
        >,
        #[graphql(name = "officer_Dob")] officer_dob: Option<Date>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<UserConnection> {
        // The location's own level says which level it is.
        let _ = parent_location_level;
        let p = kit::list_caller(ctx, &[service::RIGHT_USER_SEARCH]).gql(ctx)?;
        let st = state(ctx);
        let conn = &st.db.conn;
        let mut q = user::Entity::find();
        match validity {
            Some(day) => q = q.filter(valid_on(st, day.0)),
            None if !show_deleted.unwrap_or(false) => q = q.current(),
            None => {}
        }
        let mut c = Condition::all();

        // Identity: global ids, uuids, the objects of a client mutation.
        if let Some(v) = id {
            c = c.add(user::Column::Uuid.eq(user_uuid_of(&v).gql(ctx)?));
        }
        if let Some(v) = i_user_id {
            let pk = crate::graphql::parse_pk(&v, "InteractiveUserGQLType").gql(ctx)?;
            c = c.add(interactive().add(user::Column::Id.eq(pk)));
        }
        if let Some(v) = i_user_uuid {
            c = c.add(interactive().add(user::Column::Uuid.eq(v)));
        }
        if let Some(v) = officer_id {
            let pk = crate::graphql::parse_pk(&v, "OfficerGQLType").gql(ctx)?;
            c = c.add(officer().add(user::Column::Id.eq(pk)));
        }
        if let Some(v) = officer_uuid {
            let uuid = parse_uuid(&v, "officer_Uuid").gql(ctx)?;
            c = c.add(officer().add(user::Column::Uuid.eq(uuid)));
        }
        if let Some(cmid) = client_mutation_id {
            let ids = crate::mutation::objects_of_client_mutation(conn, p.user_id, &cmid, "user")
                .await
                .gql(ctx)?;
            c = c.add(user::Column::Id.is_in(ids));
        }

        // Names, logins, contact.
        if let Some(v) = username {
            c = c.add(user::Column::Username.eq(v));
        }
        if let Some(v) = username_icontains {
            c = c.add(icontains(user::Column::Username, &v));
        }
        if let Some(v) = str {
            c = c.add(person_search(user::Column::Username, &v));
        }
        if let Some(v) = i_user_login_name_iexact {
            c = c.add(interactive().add(iexact(user::Column::Username, &v)));
        }
        for (v, kind) in [
            (last_name, Condition::all()),
            (i_user_last_name_icontains, interactive()),
            (officer_last_name_icontains, officer()),
        ] {
            if let Some(v) = v {
                let folded = crate::text::fold(&v);
                c = c.add(kind.add(user::Column::LastNameSearch.contains(folded)));
            }
        }
        for (v, kind) in [
            (other_names, Condition::all()),
            (i_user_other_names_icontains, interactive()),
            (officer_other_names_icontains, officer()),
        ] {
            if let Some(v) = v {
                let folded = crate::text::fold(&v);
                c = c.add(kind.add(user::Column::OtherNamesSearch.contains(folded)));
            }
        }
        if let Some(v) = officer_last_name {
            c = c.add(officer().add(user::Column::LastName.eq(v)));
        }
        if let Some(v) = officer_other_names {
            c = c.add(officer().add(user::Column::OtherNames.eq(v)));
        }
        if let Some(v) = officer_code {
            c = c.add(officer().add(user::Column::OfficerCode.eq(v)));
        }
        if let Some(v) = officer_code_icontains {
            c = c.add(officer().add(icontains(user::Column::OfficerCode, &v)));
        }
        if let Some(v) = email {
            c = c.add(user::Column::Email.eq(v));
        }
        if let Some(v) = i_user_email_iexact {
            c = c.add(interactive().add(iexact(user::Column::Email, &v)));
        }
        if let Some(v) = phone {
            c = c.add(user::Column::Phone.eq(v));
        }
        if let Some(v) = i_user_phone_iexact {
            c = c.add(interactive().add(iexact(user::Column::Phone, &v)));
        }
        if let Some(v) = language {
            c = c.add(user::Column::Language.eq(v));
        }
        if let Some(v) = i_user_language_id {
            c = c.add(interactive().add(user::Column::Language.eq(v.0)));
        }
        if let Some(v) = i_user_is_associated {
            let associated = Condition::any()
                .add(user::Column::IsOfficer.eq(true))
                .add(user::Column::IsClaimAdmin.eq(true));
            let associated = if v { associated } else { associated.not() };
            c = c.add(interactive().add(associated));
        }

        // Birth dates.
        if let Some(v) = officer_dob {
            c = c.add(officer().add(user::Column::BirthDate.eq(v.0)));
        }
        if let Some(v) = birth_date_from {
            c = c.add(user::Column::BirthDate.gte(v.0));
        }
        if let Some(v) = birth_date_to {
            c = c.add(user::Column::BirthDate.lte(v.0));
        }

        // Roles, facility, kinds.
        let role_filter: Vec<i64> = role_id
            .into_iter()
            .chain(roles.into_iter().flatten().flatten())
            .collect();
        if !role_filter.is_empty() {
            c = c.add(Expr::cust(format!(
                "core_user.id IN (SELECT user_id FROM core_user_role WHERE validity_to IS NULL AND role_id IN ({}))",
                crate::text::ids_sql(role_filter)
            )));
        }
        if let Some(v) = health_facility_id {
            c = c.add(user::Column::HealthFacilityId.eq(v));
        }
        if let Some(types) = user_types {
            let k = kinds_of(&types.into_iter().flatten().collect::<Vec<_>>());
            c = c.add(
                Condition::any()
                    .add_option(k.interactive.then(|| user::Column::IsInteractive.eq(true)))
                    .add_option(k.officer.then(|| user::Column::IsOfficer.eq(true)))
                    .add_option(k.claim_admin.then(|| user::Column::IsClaimAdmin.eq(true)))
                    .add_option(k.technical.then(|| user::Column::IsTechnical.eq(true))),
            );
        }

        // Locations: each filter names subtree roots; a user must be linked within each.
        let mut location_filters: Vec<Vec<i64>> =
            [region_id, district_id, municipality_id, village_id]
                .into_iter()
                .flatten()
                .map(|id| vec![id])
                .collect();
        let region_ids: Vec<i64> = region_ids.into_iter().flatten().flatten().collect();
        if !region_ids.is_empty() {
            location_filters.push(region_ids);
        }
        if let Some(v) = parent_location {
            let found = crate::registers::location_id_by_ref(conn, &v, "parentLocation")
                .await
                .gql(ctx)?;
            location_filters.push(found.into_iter().collect());
        }
        for roots in location_filters {
            let subtree =
                crate::location::tree::descendants_statement(conn.get_database_backend(), &roots)
                    .sql;
            c = c.add(Expr::cust(linked_to_locations(&subtree)));
        }

        let page = users_page(
            ctx,
            p,
            q.filter(c),
            PageArgs::new(first, last, after, before, offset, order_by),
            &USER_SORT,
        )
        .await
        .gql(ctx)?;
        let page = page
            .with_versions(conn, "user", show_history.unwrap_or(false))
            .await
            .gql(ctx)?;
        let ids: Vec<i64> = page.rows.iter().map(|(_, (u, _))| u.id).collect();
        let roles = service::roles_of_users(conn, &ids).await.gql(ctx)?;
        Ok(page.into_connection(|(u, history_id)| UserGQLType {
            roles: roles_of(&roles, u.id),
            user: u,
            history_id,
        }))
    }

    /// Interactive users (right 121701), restricted to the caller's locations (D9).
    #[allow(clippy::too_many_arguments)]
    async fn interactive_users(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "lastName_Icontains")] last_name_icontains: Option<String>,
        #[graphql(name = "otherNames_Icontains")] other_names_icontains: Option<String>,
        #[graphql(name = "loginName_Iexact")] login_name_iexact: Option<String>,
        #[graphql(name = "email_Iexact")] email_iexact: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<InteractiveUserConnection> {
        let p = kit::list_caller(ctx, &[service::RIGHT_USER_SEARCH]).gql(ctx)?;
        let st = state(ctx);
        let mut q = user::Entity::find().current().filter(interactive());
        if let Some(v) = last_name_icontains {
            q = q.filter(user::Column::LastNameSearch.contains(crate::text::fold(&v)));
        }
        if let Some(v) = other_names_icontains {
            q = q.filter(user::Column::OtherNamesSearch.contains(crate::text::fold(&v)));
        }
        if let Some(v) = login_name_iexact {
            q = q.filter(iexact(user::Column::Username, &v));
        }
        if let Some(v) = email_iexact {
            q = q.filter(iexact(user::Column::Email, &v));
        }
        let page = users_page(
            ctx,
            p,
            q,
            PageArgs::new(first, last, after, before, offset, order_by),
            &[
                ("loginName", user::Column::Username),
                ("lastName", user::Column::LastNameSearch),
                ("otherNames", user::Column::OtherNamesSearch),
                ("email", user::Column::Email),
            ],
        )
        .await
        .gql(ctx)?;
        let ids: Vec<i64> = page.rows.iter().map(|(_, u)| u.id).collect();
        let roles = service::roles_of_users(&st.db.conn, &ids).await.gql(ctx)?;
        Ok(page.into_connection(|u| InteractiveUserGQLType {
            roles: roles_of(&roles, u.id),
            user: u,
        }))
    }
}

/// Interactive users (openIMIS's `iUser_…` filters go through the interactive user).
fn interactive() -> Condition {
    Condition::all().add(user::Column::IsInteractive.eq(true))
}

/// Officers (openIMIS's `officer_…` filters go through the officer).
fn officer() -> Condition {
    Condition::all().add(user::Column::IsOfficer.eq(true))
}

/// Rows valid at some moment of `day` in the configured time zone (`validity`), deleted ones too.
fn valid_on(st: &crate::state::AppState, day: chrono::NaiveDate) -> Condition {
    use chrono::TimeZone;
    let start_of = |d: chrono::NaiveDate| {
        let midnight = d.and_time(chrono::NaiveTime::MIN);
        st.clock
            .tz
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|| midnight.and_utc())
    };
    let next = day.checked_add_days(chrono::Days::new(1)).unwrap_or(day);
    Condition::all()
        .add(user::Column::ValidityFrom.lt(start_of(next)))
        .add(
            Condition::any()
                .add(user::Column::ValidityTo.is_null())
                .add(user::Column::ValidityTo.gt(start_of(day))),
        )
}

/// The user uuid a `UserGQLType` global id (or a bare uuid) names.
fn user_uuid_of(id: &ID) -> crate::AppResult<uuid::Uuid> {
    if let Ok(uuid) = uuid::Uuid::parse_str(id.trim()) {
        return Ok(uuid);
    }
    let bad = || AppError::validation("input.invalid_id").with("id", id.as_str());
    let (type_name, key) = crate::graphql::decode_global_id(id)?;
    if type_name != "UserGQLType" {
        return Err(bad());
    }
    uuid::Uuid::parse_str(&key).map_err(|_| bad())
}
