//! Enrolment officers and claim administrators: their types and lists.

use super::*;
use crate::entity::health_facility;
use crate::registers::Officer;
use sea_orm::{QuerySelect, QueryTrait};

connection_type!(
    OfficerConnection,
    OfficerConnName,
    OfficerEdgeName,
    OfficerGQLType,
    "OfficerGQLType"
);
connection_type!(
    ClaimAdminConnection,
    ClaimAdminConnName,
    ClaimAdminEdgeName,
    ClaimAdminGQLType,
    "ClaimAdminGQLType"
);

#[derive(Clone)]
pub struct OfficerGQLType(pub user::Model);

/// What modules show of an officer they read through [`crate::registers`]. The type's fields
/// read only officer columns, so the user columns an [`Officer`] does not carry stay at their
/// neutral values (no password, no other kind, no facility).
impl From<Officer> for OfficerGQLType {
    fn from(o: Officer) -> Self {
        OfficerGQLType(user::Model {
            id: o.id,
            uuid: o.uuid,
            last_name_search: crate::text::fold(&o.last_name),
            other_names_search: crate::text::fold(&o.other_names),
            username: o.username,
            last_name: o.last_name,
            other_names: o.other_names,
            email: o.email,
            phone: o.phone,
            language: String::new(),
            password_hash: String::new(),
            is_interactive: false,
            is_officer: true,
            is_claim_admin: false,
            is_technical: false,
            health_facility_id: None,
            birth_date: o.birth_date,
            address: o.address,
            officer_code: o.code,
            officer_location_id: o.location_id,
            works_to: o.works_to,
            substitution_officer_id: o.substitution_officer_id,
            phone_communication: o.phone_communication,
            last_login: None,
            tokens_valid_after: 0,
            json_ext: None,
            validity_from: o.validity_from,
            validity_to: o.validity_to,
            audit_user_id: None,
        })
    }
}

#[Object(name = "OfficerGQLType")]
impl OfficerGQLType {
    pub async fn id(&self) -> ID {
        global_id("OfficerGQLType", self.0.id)
    }
    async fn uuid(&self) -> String {
        self.0.uuid.to_string()
    }
    async fn code(&self) -> String {
        self.0
            .officer_code
            .clone()
            .unwrap_or_else(|| self.0.username.clone())
    }
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    async fn other_names(&self) -> &str {
        &self.0.other_names
    }
    async fn dob(&self) -> Option<Date> {
        self.0.birth_date.map(Date)
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    async fn works_to(&self) -> Option<DateTime> {
        self.0
            .works_to
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(DateTime)
    }
    async fn phone_communication(&self) -> Option<bool> {
        self.0.phone_communication
    }
    async fn has_login(&self) -> bool {
        true
    }
    async fn location_id(&self) -> Option<i64> {
        self.0.officer_location_id
    }
    /// The officer's district with its parents: null when none, or when the caller may not see
    /// it (D9, as `node(id:)` shows locations).
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<LocationGQLType>> {
        let Some(id) = self.0.officer_location_id else {
            return Ok(None);
        };
        let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        if let Some(visible) = p
            .scope
            .visible_locations(&state(ctx).db.conn)
            .await
            .gql(ctx)?
            && !visible.contains(&id)
        {
            return Ok(None);
        }
        location_node(ctx, id).await.gql(ctx)
    }
    async fn substitution_officer_id(&self) -> Option<i64> {
        self.0.substitution_officer_id
    }
    /// The current officer who substitutes this one: null when none, or when it lies outside
    /// the caller's locations (D9).
    async fn substitution_officer(&self, ctx: &Context<'_>) -> Result<Option<OfficerGQLType>> {
        substitution_officer(ctx, &self.0).await
    }
    /// The villages the officer currently works in, those outside the caller's locations left
    /// out (D9).
    async fn officer_villages(&self, ctx: &Context<'_>) -> Result<Vec<OfficerVillageGQLType>> {
        officer_villages(ctx, &self.0).await
    }
}

#[derive(Clone)]
pub struct ClaimAdminGQLType(pub user::Model);

#[Object(name = "ClaimAdminGQLType")]
impl ClaimAdminGQLType {
    pub async fn id(&self) -> ID {
        global_id("ClaimAdminGQLType", self.0.id)
    }
    async fn uuid(&self) -> String {
        self.0.uuid.to_string()
    }
    async fn code(&self) -> &str {
        &self.0.username
    }
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    async fn other_names(&self) -> &str {
        &self.0.other_names
    }
    async fn dob(&self) -> Option<Date> {
        self.0.birth_date.map(Date)
    }
    async fn email_id(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn health_facility_id(&self) -> Option<i64> {
        self.0.health_facility_id
    }
    /// As `UserGQLType.healthFacility`.
    async fn health_facility(&self, ctx: &Context<'_>) -> Result<Option<HealthFacilityGQLType>> {
        facility_of_user(ctx, &self.0).await
    }
    async fn has_login(&self) -> bool {
        true
    }
}

/// The orders of the officer lists; an officer's code is its officer code.
const OFFICER_SORT: [(&str, user::Column); 2] = [
    ("code", user::Column::OfficerCode),
    ("lastName", user::Column::LastNameSearch),
];

/// The orders of the claim administrator list; a claim administrator's code is its username.
const CLAIM_ADMIN_SORT: [(&str, user::Column); 2] = [
    ("code", user::Column::Username),
    ("lastName", user::Column::LastNameSearch),
];

/// Enrolment officers, substitutes and claim administrators.
#[derive(Default)]
pub struct OfficersQuery;

#[Object]
impl OfficersQuery {
    /// Enrolment officers (right 121501 or policy rights), restricted to the caller's locations.
    #[allow(clippy::too_many_arguments)]
    async fn enrolment_officers(
        &self,
        ctx: &Context<'_>,
        str: Option<String>,
        code: Option<String>,
        #[graphql(name = "lastName_Icontains")] last_name_icontains: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<OfficerConnection> {
        let p = kit::list_caller(ctx, &[121501, 101201, 101202]).gql(ctx)?;
        let mut q = user::Entity::find()
            .current()
            .filter(user::Column::IsOfficer.eq(true));
        if let Some(v) = str {
            q = q.filter(person_search(user::Column::OfficerCode, &v));
        }
        if let Some(v) = code {
            q = q.filter(user::Column::OfficerCode.eq(v));
        }
        if let Some(v) = last_name_icontains {
            q = q.filter(user::Column::LastNameSearch.contains(crate::text::fold(&v)));
        }
        let page = users_page(
            ctx,
            p,
            q,
            PageArgs::new(first, last, after, before, offset, order_by),
            &OFFICER_SORT,
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(OfficerGQLType))
    }

    /// Officers who may substitute another one: current officers working in any of the given
    /// villages (by uuid, id or global id), the officer `officerUuid` excluded (same rights as
    /// `enrolmentOfficers`), restricted to the caller's locations.
    #[allow(clippy::too_many_arguments)]
    async fn substitution_enrolment_officers(
        &self,
        ctx: &Context<'_>,
        villages_uuids: Option<Vec<String>>,
        officer_uuid: Option<String>,
        str: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
    ) -> Result<OfficerConnection> {
        let p = kit::list_caller(ctx, &[121501, 101201, 101202]).gql(ctx)?;
        let st = state(ctx);
        let mut q = user::Entity::find()
            .current()
            .filter(user::Column::IsOfficer.eq(true));
        if let Some(u) = officer_uuid.filter(|u| !u.trim().is_empty()) {
            q = q.filter(user::Column::Uuid.ne(parse_uuid(u.trim(), "officerUuid").gql(ctx)?));
        }
        if let Some(list) = villages_uuids.filter(|l| !l.is_empty()) {
            // Villages by uuid (one query), or by id or global id as other clients name them.
            let (by_uuid, by_ref): (Vec<&String>, Vec<&String>) = list
                .iter()
                .partition(|v| uuid::Uuid::parse_str(v.trim()).is_ok());
            let uuids = by_uuid
                .iter()
                .map(|u| parse_uuid(u, "villagesUuids"))
                .collect::<crate::AppResult<Vec<_>>>()
                .gql(ctx)?;
            let mut villages: Vec<i64> = crate::entity::location::Entity::find()
                .current()
                .filter(crate::entity::location::Column::Uuid.is_in(uuids))
                .all(&st.db.conn)
                .await
                .map_err(AppError::from)
                .gql(ctx)?
                .into_iter()
                .map(|l| l.id)
                .collect();
            for reference in by_ref {
                villages.extend(
                    crate::registers::location_id_by_ref(&st.db.conn, reference, "villagesUuids")
                        .await
                        .gql(ctx)?,
                );
            }
            q = q.filter(sea_orm::sea_query::Expr::cust(format!(
                "core_user.id IN (SELECT user_id FROM core_officer_village WHERE validity_to IS NULL AND location_id IN ({}))",
                crate::text::ids_sql(villages)
            )));
        }
        if let Some(v) = str.filter(|v| !v.trim().is_empty()) {
            q = q.filter(person_search(user::Column::OfficerCode, &v));
        }
        let page = users_page(
            ctx,
            p,
            q,
            PageArgs::new(first, last, after, before, offset, None),
            &OFFICER_SORT,
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(OfficerGQLType))
    }

    /// Claim administrators (right 121601 or claim rights), restricted to the caller's locations,
    /// with openIMIS's filters: `search` (code, last or other names contain it), the
    /// administrator's own fields, and its facility's (`healthFacility_…`; `districtUuid`:
    /// facilities of that district, `regionUuid`: facilities of that region's districts). An
    /// unknown location matches nothing.
    #[allow(clippy::too_many_arguments)]
    async fn claim_admins(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        region_uuid: Option<String>,
        district_uuid: Option<String>,
        uuid: Option<String>,
        code: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        last_name: Option<String>,
        #[graphql(name = "lastName_Icontains")] last_name_icontains: Option<String>,
        other_names: Option<String>,
        #[graphql(name = "otherNames_Icontains")] other_names_icontains: Option<String>,
        #[graphql(name = "healthFacility_Id")] health_facility_id: Option<ID>,
        #[graphql(name = "healthFacility_Uuid")] health_facility_uuid: Option<String>,
        #[graphql(name = "healthFacility_Code")] health_facility_code: Option<String>,
        #[graphql(name = "healthFacility_Code_Istartswith")]
        health_facility_code_istartswith: Option<String>,
        #[graphql(name = "healthFacility_Location_Uuid")] health_facility_location_uuid: Option<
            String,
        >,
        #[graphql(name = "healthFacility_Location_Parent_Uuid")]
        health_facility_location_parent_uuid: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<ClaimAdminConnection> {
        let p = kit::list_caller(ctx, &[121601, 111001]).gql(ctx)?;
        let conn = &state(ctx).db.conn;
        let mut q = user::Entity::find()
            .current()
            .filter(user::Column::IsClaimAdmin.eq(true));
        if let Some(v) = given(search) {
            q = q.filter(person_search(user::Column::Username, &v));
        }
        if let Some(v) = given(uuid) {
            q = q.filter(user::Column::Uuid.eq(parse_uuid(&v, "uuid").gql(ctx)?));
        }
        if let Some(v) = given(code) {
            q = q.filter(user::Column::Username.eq(v));
        }
        if let Some(v) = given(code_icontains) {
            q = q.filter(icontains(user::Column::Username, &v));
        }
        if let Some(v) = given(last_name) {
            q = q.filter(user::Column::LastName.eq(v));
        }
        if let Some(v) = given(last_name_icontains) {
            q = q.filter(user::Column::LastNameSearch.contains(crate::text::fold(&v)));
        }
        if let Some(v) = given(other_names) {
            q = q.filter(user::Column::OtherNames.eq(v));
        }
        if let Some(v) = given(other_names_icontains) {
            q = q.filter(user::Column::OtherNamesSearch.contains(crate::text::fold(&v)));
        }
        if let Some(hf) = health_facility_id {
            let pk = crate::graphql::parse_pk(&hf, "HealthFacilityGQLType").gql(ctx)?;
            q = q.filter(user::Column::HealthFacilityId.eq(pk));
        }
        // The facility's own filters, as one sub-query of current facilities.
        let mut facilities = health_facility::Entity::find().current();
        let mut by_facility = false;
        if let Some(v) = given(health_facility_uuid) {
            let uuid = parse_uuid(&v, "healthFacility_Uuid").gql(ctx)?;
            facilities = facilities.filter(health_facility::Column::Uuid.eq(uuid));
            by_facility = true;
        }
        if let Some(v) = given(health_facility_code) {
            facilities = facilities.filter(health_facility::Column::Code.eq(v));
            by_facility = true;
        }
        if let Some(v) = given(health_facility_code_istartswith) {
            facilities = facilities.filter(istartswith(health_facility::Column::Code, &v));
            by_facility = true;
        }
        // The facility's location (a district), and the location above it (a region).
        for (reference, field, parent) in [
            (district_uuid, "districtUuid", false),
            (
                health_facility_location_uuid,
                "healthFacility_Location_Uuid",
                false,
            ),
            (region_uuid, "regionUuid", true),
            (
                health_facility_location_parent_uuid,
                "healthFacility_Location_Parent_Uuid",
                true,
            ),
        ] {
            let Some(reference) = given(reference) else {
                continue;
            };
            by_facility = true;
            let location = crate::registers::location_id_by_ref(conn, &reference, field)
                .await
                .gql(ctx)?
                // An unknown location matches no facility.
                .unwrap_or(-1);
            facilities = if parent {
                let children = crate::entity::location::Entity::find()
                    .current()
                    .filter(crate::entity::location::Column::ParentId.eq(location))
                    .select_only()
                    .column(crate::entity::location::Column::Id)
                    .into_query();
                facilities.filter(health_facility::Column::LocationId.in_subquery(children))
            } else {
                facilities.filter(health_facility::Column::LocationId.eq(location))
            };
        }
        if by_facility {
            let ids = facilities
                .select_only()
                .column(health_facility::Column::Id)
                .into_query();
            q = q.filter(user::Column::HealthFacilityId.in_subquery(ids));
        }
        let page = users_page(
            ctx,
            p,
            q,
            PageArgs::new(first, last, after, before, offset, order_by),
            &CLAIM_ADMIN_SORT,
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(ClaimAdminGQLType))
    }
}

/// A filter's text, blank counting as absent (the front end sends empty strings).
fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Case-insensitive prefix match on an ASCII-ish column (facility codes), identical on SQLite and
/// PostgreSQL.
fn istartswith(col: impl sea_orm::ColumnTrait, v: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let pattern = format!("{}%", crate::text::like_escape(&v.to_lowercase()));
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
}
