//! The family overview's lists: `familyMembers` (a family's members, openIMIS's insuree filters,
//! paged) and `insureeOfficers` (the enrolment-officer picker of the family and insuree screens).

use super::*;
use imis_core::graphql::connection::{page_in_memory, wants_total};
use imis_core::users::graphql::{OfficerConnection, OfficerGQLType};

/// The five Django lookups of a text column, as the arguments carry them.
fn text(
    exact: Option<String>,
    iexact: Option<String>,
    istartswith: Option<String>,
    icontains: Option<String>,
    isnull: Option<bool>,
) -> service::TextLookup {
    service::TextLookup {
        exact,
        iexact,
        istartswith,
        icontains,
        isnull,
    }
}

/// The six comparisons of an ordered column, as the arguments carry them.
fn range<T>(
    exact: Option<T>,
    lt: Option<T>,
    lte: Option<T>,
    gt: Option<T>,
    gte: Option<T>,
    isnull: Option<bool>,
) -> service::RangeLookup<T> {
    service::RangeLookup {
        exact,
        lt,
        lte,
        gt,
        gte,
        isnull,
    }
}

fn status_code(s: InsureeStatus) -> &'static str {
    match s {
        InsureeStatus::Ac => "AC",
        InsureeStatus::In => "IN",
        InsureeStatus::De => "DE",
    }
}

#[derive(Default)]
pub struct FamilyMembersQuery;

#[Object]
impl FamilyMembersQuery {
    /// The members of a family the caller may see (101001 or 101101; D9: the family within the
    /// caller's locations, members living elsewhere left out), head first then by date of birth
    /// unless `orderBy` says otherwise, with openIMIS's insuree filters (names ignore case and
    /// accents, D19); `totalCount` counts the members that pass them.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn family_members(
        &self,
        ctx: &Context<'_>,
        family_uuid: String,
        order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        uuid: Option<String>,
        #[graphql(name = "uuid_Iexact")] uuid_iexact: Option<String>,
        chf_id: Option<String>,
        #[graphql(name = "chfId_Istartswith")] chf_id_istartswith: Option<String>,
        #[graphql(name = "chfId_Icontains")] chf_id_icontains: Option<String>,
        #[graphql(name = "chfId_Iexact")] chf_id_iexact: Option<String>,
        last_name: Option<String>,
        #[graphql(name = "lastName_Istartswith")] last_name_istartswith: Option<String>,
        #[graphql(name = "lastName_Icontains")] last_name_icontains: Option<String>,
        #[graphql(name = "lastName_Iexact")] last_name_iexact: Option<String>,
        other_names: Option<String>,
        #[graphql(name = "otherNames_Istartswith")] other_names_istartswith: Option<String>,
        #[graphql(name = "otherNames_Icontains")] other_names_icontains: Option<String>,
        #[graphql(name = "otherNames_Iexact")] other_names_iexact: Option<String>,
        email: Option<String>,
        #[graphql(name = "email_Istartswith")] email_istartswith: Option<String>,
        #[graphql(name = "email_Icontains")] email_icontains: Option<String>,
        #[graphql(name = "email_Iexact")] email_iexact: Option<String>,
        #[graphql(name = "email_Isnull")] email_isnull: Option<bool>,
        phone: Option<String>,
        #[graphql(name = "phone_Istartswith")] phone_istartswith: Option<String>,
        #[graphql(name = "phone_Icontains")] phone_icontains: Option<String>,
        #[graphql(name = "phone_Iexact")] phone_iexact: Option<String>,
        #[graphql(name = "phone_Isnull")] phone_isnull: Option<bool>,
        dob: Option<Date>,
        #[graphql(name = "dob_Lt")] dob_lt: Option<Date>,
        #[graphql(name = "dob_Lte")] dob_lte: Option<Date>,
        #[graphql(name = "dob_Gt")] dob_gt: Option<Date>,
        #[graphql(name = "dob_Gte")] dob_gte: Option<Date>,
        #[graphql(name = "dob_Isnull")] dob_isnull: Option<bool>,
        head: Option<bool>,
        passport: Option<String>,
        #[graphql(name = "passport_Istartswith")] passport_istartswith: Option<String>,
        #[graphql(name = "passport_Icontains")] passport_icontains: Option<String>,
        #[graphql(name = "passport_Iexact")] passport_iexact: Option<String>,
        #[graphql(name = "passport_Isnull")] passport_isnull: Option<bool>,
        #[graphql(name = "gender_Code")] gender_code: Option<String>,
        marital: Option<String>,
        #[graphql(name = "marital_Isnull")] marital_isnull: Option<bool>,
        status: Option<InsureeStatus>,
        validity_from: Option<DateTime>,
        #[graphql(name = "validityFrom_Lt")] validity_from_lt: Option<DateTime>,
        #[graphql(name = "validityFrom_Lte")] validity_from_lte: Option<DateTime>,
        #[graphql(name = "validityFrom_Gt")] validity_from_gt: Option<DateTime>,
        #[graphql(name = "validityFrom_Gte")] validity_from_gte: Option<DateTime>,
        #[graphql(name = "validityFrom_Isnull")] validity_from_isnull: Option<bool>,
        validity_to: Option<DateTime>,
        #[graphql(name = "validityTo_Lt")] validity_to_lt: Option<DateTime>,
        #[graphql(name = "validityTo_Lte")] validity_to_lte: Option<DateTime>,
        #[graphql(name = "validityTo_Gt")] validity_to_gt: Option<DateTime>,
        #[graphql(name = "validityTo_Gte")] validity_to_gte: Option<DateTime>,
        #[graphql(name = "validityTo_Isnull")] validity_to_isnull: Option<bool>,
        #[graphql(name = "photo_Id")] photo_id: Option<ID>,
        #[graphql(name = "photo_Isnull")] photo_isnull: Option<bool>,
        #[graphql(name = "family_Isnull")] family_isnull: Option<bool>,
    ) -> Result<InsureeConnection> {
        let p = list_caller(
            ctx,
            &[service::RIGHT_FAMILY_SEARCH, service::RIGHT_INSUREE_SEARCH],
        )
        .gql(ctx)?;
        let st = state(ctx);
        let family_uuid = parse_uuid(&family_uuid, "familyUuid").gql(ctx)?;
        let mut uuids = Vec::new();
        for (value, field) in [(uuid, "uuid"), (uuid_iexact, "uuid_Iexact")] {
            if let Some(v) = value {
                uuids.push(parse_uuid(&v, field).gql(ctx)?);
            }
        }
        let photo_id = photo_id
            .map(|id| imis_core::graphql::parse_pk(&id, "PhotoGQLType"))
            .transpose()
            .gql(ctx)?;
        let local = |v: Option<DateTime>| v.map(|d| d.0);
        let filter = service::MemberFilter {
            uuids,
            chf_id: text(
                chf_id,
                chf_id_iexact,
                chf_id_istartswith,
                chf_id_icontains,
                None,
            ),
            last_name: text(
                last_name,
                last_name_iexact,
                last_name_istartswith,
                last_name_icontains,
                None,
            ),
            other_names: text(
                other_names,
                other_names_iexact,
                other_names_istartswith,
                other_names_icontains,
                None,
            ),
            email: text(
                email,
                email_iexact,
                email_istartswith,
                email_icontains,
                email_isnull,
            ),
            phone: text(
                phone,
                phone_iexact,
                phone_istartswith,
                phone_icontains,
                phone_isnull,
            ),
            passport: text(
                passport,
                passport_iexact,
                passport_istartswith,
                passport_icontains,
                passport_isnull,
            ),
            marital: text(marital, None, None, None, marital_isnull),
            dob: range(
                dob.map(|d| d.0),
                dob_lt.map(|d| d.0),
                dob_lte.map(|d| d.0),
                dob_gt.map(|d| d.0),
                dob_gte.map(|d| d.0),
                dob_isnull,
            ),
            head,
            gender: gender_code,
            status: status.map(|s| status_code(s).to_string()),
            validity_from: range(
                local(validity_from),
                local(validity_from_lt),
                local(validity_from_lte),
                local(validity_from_gt),
                local(validity_from_gte),
                validity_from_isnull,
            ),
            validity_to: range(
                local(validity_to),
                local(validity_to_lt),
                local(validity_to_lte),
                local(validity_to_gt),
                local(validity_to_gte),
                validity_to_isnull,
            ),
            photo_id,
            photo_isnull,
            family_isnull,
        };
        let args = PageArgs::new(first, last, after, before, offset, order_by);
        let (fam, members) =
            service::family_members(st, p, family_uuid, &filter, args.order_by.as_deref())
                .await
                .gql(ctx)?;
        let page = page_in_memory(members, &args, &st.config.graphql).gql(ctx)?;
        let refs: Vec<&insuree::Model> = page.rows.iter().map(|(_, m)| m).collect();
        let data = Arc::new(
            load_page_data(st, &refs, &[&fam], wants_facility(ctx))
                .await
                .gql(ctx)?,
        );
        Ok(page.into_connection(|model| InsureeGQLType {
            model,
            history_id: None,
            data: data.clone(),
        }))
    }

    /// The enrolment officers of the picker on the family and insuree screens (family or
    /// insuree search, add or edit): current officers within the caller's locations (D9) who
    /// work in `locationId` (uuid, integer id or global id; their own location or a village
    /// of theirs lies in it or below it), ordered by code, with openIMIS's officer filters.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn insuree_officers(
        &self,
        ctx: &Context<'_>,
        location_id: Option<String>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        uuid: Option<String>,
        code: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        last_name: Option<String>,
        #[graphql(name = "lastName_Icontains")] last_name_icontains: Option<String>,
        other_names: Option<String>,
        #[graphql(name = "otherNames_Icontains")] other_names_icontains: Option<String>,
        dob: Option<Date>,
    ) -> Result<OfficerConnection> {
        list_caller(ctx, service::RIGHTS_OFFICER_PICKER).gql(ctx)?;
        let lookup = service::OfficerLookup {
            id: id
                .map(|id| imis_core::graphql::parse_pk(&id, "OfficerGQLType"))
                .transpose()
                .gql(ctx)?,
            uuid: opt_uuid(&uuid, "uuid").gql(ctx)?,
            code,
            code_icontains,
            last_name,
            last_name_icontains,
            other_names,
            other_names_icontains,
            dob: dob.map(|d| d.0),
        };
        let page = service::insuree_officers(
            state(ctx),
            principal(ctx),
            location_id.as_deref(),
            &lookup,
            &PageArgs::new(first, last, after, before, offset, None),
            wants_total(ctx),
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(OfficerGQLType::from))
    }
}
