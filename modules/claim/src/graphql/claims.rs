//! The claim queries: `claims` (openIMIS's filters, reference §1.10.1), `claim`, the facility
//! desk's `fspFromClaim`, our `claimsStatusCount` (the desk's `insureeNameByChfid` is the
//! insuree module's) and `claimHistory`, one claim's versions.

use super::types::{
    CLAIM_ITEM_TYPE, CLAIM_SERVICE_TYPE, CLAIM_TYPE, ClaimGQLType, ClaimItemGQLType, ClaimLine,
    ClaimServiceGQLType, ClaimWants, FEEDBACK_TYPE, FeedbackGQLType,
};
use super::{attachments, visible};
use crate::entity::claim;
use crate::rights::RIGHT_CLAIM_SEARCH;
use crate::service::{self as svc, ClaimFilter, Range};
use async_graphql::{Context, ID, Object, SimpleObject};
use imis_core::graphql::connection::{
    PageArgs, normalise_order_name, page_in_memory, requested_order,
};
use imis_core::graphql::relay::{NodeValue, register_implementer};
use imis_core::graphql::scalars::{Date, JsonString};
use imis_core::graphql::{GqlResult, parse_pk, parse_uuid, principal, state};
use imis_core::kit::{self, Sorting};
use imis_core::location::graphql::HealthFacilityGQLType;
use imis_core::location::service::HealthFacilityFilter;
use imis_core::money::Money;
use imis_core::registers::ClaimAdminFilter;
use imis_core::registry::{NodeDef, NodeFuture};
use imis_core::{AppError, AppResult};
use imis_insuree::api::{InsureeMatch, InsureeStatus};
use imis_medical::api::DiagnosisFilter;
use rust_decimal::Decimal;

imis_core::connection_type!(
    ClaimConnection,
    ClaimConnName,
    ClaimEdgeName,
    ClaimGQLType,
    "ClaimGQLType"
);

/// The `orderBy` names of `claims` (the front end sorts by `-dateClaimed`, `-dateFrom`, …).
const SORTING: Sorting<claim::Entity> = Sorting {
    columns: &[
        ("dateClaimed", claim::Column::DateClaimed),
        ("dateFrom", claim::Column::DateFrom),
        ("dateTo", claim::Column::DateTo),
        ("dateProcessed", claim::Column::DateProcessed),
        ("code", claim::Column::Code),
        ("status", claim::Column::Status),
        ("claimed", claim::Column::Claimed),
        ("approved", claim::Column::Approved),
        ("feedbackStatus", claim::Column::FeedbackStatus),
        ("reviewStatus", claim::Column::ReviewStatus),
        ("visitType", claim::Column::VisitType),
        ("validityFrom", claim::Column::ValidityFrom),
    ],
    id: claim::Column::Id,
    default_order: &["-dateClaimed"],
};

/// An id argument as openIMIS clients send it: an integer, or a global id of `type_name`.
fn pk(v: &Option<ID>, type_name: &str) -> AppResult<Option<i64>> {
    v.as_ref()
        .map(|id| {
            id.trim()
                .parse::<i64>()
                .or_else(|_| parse_pk(id, type_name))
        })
        .transpose()
}

fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<uuid::Uuid>> {
    imis_core::graphql::parse_opt_uuid(v.as_deref(), field)
}

fn dates(
    exact: Option<Date>,
    lt: Option<Date>,
    lte: Option<Date>,
    gt: Option<Date>,
    gte: Option<Date>,
) -> Range<chrono::NaiveDate> {
    Range {
        exact: exact.map(|d| d.0),
        lt: lt.map(|d| d.0),
        lte: lte.map(|d| d.0),
        gt: gt.map(|d| d.0),
        gte: gte.map(|d| d.0),
    }
}

/// An amount range in minor units (`input.invalid` naming the argument when an amount has more
/// decimals than the currency).
fn amounts(
    digits: u32,
    field: &str,
    [exact, lt, lte, gt, gte]: [Option<Decimal>; 5],
) -> AppResult<Range<i64>> {
    let minor = |v: Option<Decimal>, suffix: &str| {
        v.map(|v| Money::parse(&format!("{field}{suffix}"), v, digits).map(|m| m.0))
            .transpose()
    };
    Ok(Range {
        exact: minor(exact, "")?,
        lt: minor(lt, "_Lt")?,
        lte: minor(lte, "_Lte")?,
        gt: minor(gt, "_Gt")?,
        gte: minor(gte, "_Gte")?,
    })
}

/// The filter when any of its fields is given.
fn some_if<T>(f: T, any: bool) -> Option<T> {
    any.then_some(f)
}

/// How many claims of a facility have one status (`claimsStatusCount`).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "ClaimStatusCountGQLType")]
pub struct ClaimStatusCountGQLType {
    /// 1 rejected, 2 entered, 4 checked, 8 processed, 16 valuated.
    pub status: i32,
    pub count: i64,
}

#[derive(Default)]
pub struct ClaimListQuery;

#[Object]
impl ClaimListQuery {
    /// Current claims (111001) of the facilities in the caller's reach: a claim administrator's
    /// own facility, other users' locations (D9). openIMIS's filters; `orderBy` names
    /// `dateClaimed`, `dateFrom`, `dateTo`, `dateProcessed`, `code`, `status`, `claimed`,
    /// `approved`, `feedbackStatus`, `reviewStatus`, `visitType`, `validityFrom` (default
    /// `-dateClaimed`).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn claims(
        &self,
        ctx: &Context<'_>,
        diagnosis_variance: Option<i32>,
        code_is_not: Option<String>,
        order_by: Option<Vec<String>>,
        items: Option<Vec<String>>,
        services: Option<Vec<String>>,
        json_ext: Option<JsonString>,
        attachment_status: Option<i32>,
        care_type: Option<String>,
        show_restored: Option<bool>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        uuid: Option<String>,
        code: Option<String>,
        #[graphql(name = "code_Istartswith")] code_istartswith: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        #[graphql(name = "code_Iexact")] code_iexact: Option<String>,
        status: Option<i32>,
        #[graphql(name = "status_Gt")] status_gt: Option<i32>,
        date_claimed: Option<Date>,
        #[graphql(name = "dateClaimed_Lt")] date_claimed_lt: Option<Date>,
        #[graphql(name = "dateClaimed_Lte")] date_claimed_lte: Option<Date>,
        #[graphql(name = "dateClaimed_Gt")] date_claimed_gt: Option<Date>,
        #[graphql(name = "dateClaimed_Gte")] date_claimed_gte: Option<Date>,
        date_from: Option<Date>,
        #[graphql(name = "dateFrom_Lt")] date_from_lt: Option<Date>,
        #[graphql(name = "dateFrom_Lte")] date_from_lte: Option<Date>,
        #[graphql(name = "dateFrom_Gt")] date_from_gt: Option<Date>,
        #[graphql(name = "dateFrom_Gte")] date_from_gte: Option<Date>,
        date_to: Option<Date>,
        #[graphql(name = "dateTo_Lt")] date_to_lt: Option<Date>,
        #[graphql(name = "dateTo_Lte")] date_to_lte: Option<Date>,
        #[graphql(name = "dateTo_Gt")] date_to_gt: Option<Date>,
        #[graphql(name = "dateTo_Gte")] date_to_gte: Option<Date>,
        date_processed: Option<Date>,
        #[graphql(name = "dateProcessed_Lt")] date_processed_lt: Option<Date>,
        #[graphql(name = "dateProcessed_Lte")] date_processed_lte: Option<Date>,
        #[graphql(name = "dateProcessed_Gt")] date_processed_gt: Option<Date>,
        #[graphql(name = "dateProcessed_Gte")] date_processed_gte: Option<Date>,
        feedback_status: Option<i32>,
        review_status: Option<i32>,
        claimed: Option<Decimal>,
        #[graphql(name = "claimed_Lt")] claimed_lt: Option<Decimal>,
        #[graphql(name = "claimed_Lte")] claimed_lte: Option<Decimal>,
        #[graphql(name = "claimed_Gt")] claimed_gt: Option<Decimal>,
        #[graphql(name = "claimed_Gte")] claimed_gte: Option<Decimal>,
        approved: Option<Decimal>,
        #[graphql(name = "approved_Lt")] approved_lt: Option<Decimal>,
        #[graphql(name = "approved_Lte")] approved_lte: Option<Decimal>,
        #[graphql(name = "approved_Gt")] approved_gt: Option<Decimal>,
        #[graphql(name = "approved_Gte")] approved_gte: Option<Decimal>,
        visit_type: Option<String>,
        #[graphql(name = "attachmentsCount_Value")] attachments_count_value: Option<i32>,
        #[graphql(name = "attachmentsCount_Value_Lt")] attachments_count_value_lt: Option<i32>,
        #[graphql(name = "attachmentsCount_Value_Lte")] attachments_count_value_lte: Option<i32>,
        #[graphql(name = "attachmentsCount_Value_Gt")] attachments_count_value_gt: Option<i32>,
        #[graphql(name = "attachmentsCount_Value_Gte")] attachments_count_value_gte: Option<i32>,
        pre_authorization: Option<bool>,
        #[graphql(name = "icd_Id")] icd_id: Option<ID>,
        #[graphql(name = "icd_Code")] icd_code: Option<String>,
        #[graphql(name = "icd_Code_Icontains")] icd_code_icontains: Option<String>,
        #[graphql(name = "icd_Code_Istartswith")] icd_code_istartswith: Option<String>,
        #[graphql(name = "icd_Name")] icd_name: Option<String>,
        #[graphql(name = "icd_Name_Icontains")] icd_name_icontains: Option<String>,
        #[graphql(name = "icd_Name_Istartswith")] icd_name_istartswith: Option<String>,
        #[graphql(name = "admin_Uuid")] admin_uuid: Option<String>,
        #[graphql(name = "admin_Code")] admin_code: Option<String>,
        #[graphql(name = "admin_Code_Icontains")] admin_code_icontains: Option<String>,
        #[graphql(name = "admin_LastName")] admin_last_name: Option<String>,
        #[graphql(name = "admin_LastName_Icontains")] admin_last_name_icontains: Option<String>,
        #[graphql(name = "admin_OtherNames")] admin_other_names: Option<String>,
        #[graphql(name = "admin_OtherNames_Icontains")] admin_other_names_icontains: Option<String>,
        #[graphql(name = "healthFacility_Id")] health_facility_id: Option<ID>,
        #[graphql(name = "healthFacility_Uuid")] health_facility_uuid: Option<String>,
        #[graphql(name = "healthFacility_Code")] health_facility_code: Option<String>,
        #[graphql(name = "healthFacility_Code_Istartswith")]
        health_facility_code_istartswith: Option<String>,
        #[graphql(name = "healthFacility_Code_Icontains")] health_facility_code_icontains: Option<
            String,
        >,
        #[graphql(name = "healthFacility_Code_Iexact")] health_facility_code_iexact: Option<String>,
        #[graphql(name = "healthFacility_Name")] health_facility_name: Option<String>,
        #[graphql(name = "healthFacility_Name_Istartswith")]
        health_facility_name_istartswith: Option<String>,
        #[graphql(name = "healthFacility_Name_Icontains")] health_facility_name_icontains: Option<
            String,
        >,
        #[graphql(name = "healthFacility_Name_Iexact")] health_facility_name_iexact: Option<String>,
        #[graphql(name = "healthFacility_Level")] health_facility_level: Option<String>,
        #[graphql(name = "healthFacility_CareType")] health_facility_care_type: Option<String>,
        #[graphql(name = "healthFacility_Location_Id")] health_facility_location_id: Option<ID>,
        #[graphql(name = "healthFacility_Location_Uuid")] health_facility_location_uuid: Option<
            String,
        >,
        #[graphql(name = "healthFacility_Location_Uuid_In")]
        health_facility_location_uuid_in: Option<Vec<Option<String>>>,
        #[graphql(name = "healthFacility_Location_Parent_Uuid")]
        health_facility_location_parent_uuid: Option<String>,
        #[graphql(name = "insuree_Uuid")] insuree_uuid: Option<String>,
        #[graphql(name = "insuree_Uuid_Iexact")] insuree_uuid_iexact: Option<String>,
        #[graphql(name = "insuree_ChfId")] insuree_chf_id: Option<String>,
        #[graphql(name = "insuree_ChfId_Istartswith")] insuree_chf_id_istartswith: Option<String>,
        #[graphql(name = "insuree_ChfId_Icontains")] insuree_chf_id_icontains: Option<String>,
        #[graphql(name = "insuree_ChfId_Iexact")] insuree_chf_id_iexact: Option<String>,
        #[graphql(name = "insuree_LastName")] insuree_last_name: Option<String>,
        #[graphql(name = "insuree_LastName_Istartswith")] insuree_last_name_istartswith: Option<
            String,
        >,
        #[graphql(name = "insuree_LastName_Icontains")] insuree_last_name_icontains: Option<String>,
        #[graphql(name = "insuree_LastName_Iexact")] insuree_last_name_iexact: Option<String>,
        #[graphql(name = "insuree_OtherNames")] insuree_other_names: Option<String>,
        #[graphql(name = "insuree_OtherNames_Istartswith")] insuree_other_names_istartswith: Option<
            String,
        >,
        #[graphql(name = "insuree_OtherNames_Icontains")] insuree_other_names_icontains: Option<
            String,
        >,
        #[graphql(name = "insuree_OtherNames_Iexact")] insuree_other_names_iexact: Option<String>,
        #[graphql(name = "insuree_Dob")] insuree_dob: Option<Date>,
        #[graphql(name = "insuree_Dob_Lt")] insuree_dob_lt: Option<Date>,
        #[graphql(name = "insuree_Dob_Lte")] insuree_dob_lte: Option<Date>,
        #[graphql(name = "insuree_Dob_Gt")] insuree_dob_gt: Option<Date>,
        #[graphql(name = "insuree_Dob_Gte")] insuree_dob_gte: Option<Date>,
        #[graphql(name = "insuree_Head")] insuree_head: Option<bool>,
        #[graphql(name = "insuree_Gender_Code")] insuree_gender_code: Option<String>,
        #[graphql(name = "insuree_Status")] insuree_status: Option<InsureeStatus>,
        #[graphql(name = "batchRun_Id")] batch_run_id: Option<ID>,
    ) -> async_graphql::Result<ClaimConnection> {
        let run = async {
            let p = kit::list_caller(ctx, &[RIGHT_CLAIM_SEARCH])?;
            let st = state(ctx);
            let digits = st.config.core.currency_minor_digits;
            let json_ext = match json_ext.map(|j| j.0) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::Object(o)) => Some(o),
                Some(_) => return Err(AppError::invalid("jsonExt", "not a JSON object")),
            };
            let any_icd = [
                &icd_code,
                &icd_code_icontains,
                &icd_code_istartswith,
                &icd_name,
                &icd_name_icontains,
                &icd_name_istartswith,
            ]
            .iter()
            .any(|v| v.is_some());
            let icd = some_if(
                DiagnosisFilter {
                    code: icd_code,
                    code_icontains: icd_code_icontains,
                    code_istartswith: icd_code_istartswith,
                    name: icd_name,
                    name_icontains: icd_name_icontains,
                    name_istartswith: icd_name_istartswith,
                },
                any_icd,
            );
            let admin_uuid = opt_uuid(&admin_uuid, "admin_Uuid")?;
            let any_admin = admin_uuid.is_some()
                || [
                    &admin_code,
                    &admin_code_icontains,
                    &admin_last_name,
                    &admin_last_name_icontains,
                    &admin_other_names,
                    &admin_other_names_icontains,
                ]
                .iter()
                .any(|v| v.is_some());
            let admin = some_if(
                ClaimAdminFilter {
                    uuid: admin_uuid,
                    code: admin_code,
                    code_contains: admin_code_icontains,
                    last_name: admin_last_name,
                    last_name_contains: admin_last_name_icontains,
                    other_names: admin_other_names,
                    other_names_contains: admin_other_names_icontains,
                },
                any_admin,
            );
            let any_facility = [
                &health_facility_uuid,
                &health_facility_code,
                &health_facility_code_istartswith,
                &health_facility_code_icontains,
                &health_facility_code_iexact,
                &health_facility_name,
                &health_facility_name_istartswith,
                &health_facility_name_icontains,
                &health_facility_name_iexact,
                &health_facility_level,
                &health_facility_care_type,
                &health_facility_location_uuid,
                &health_facility_location_parent_uuid,
            ]
            .iter()
            .any(|v| v.is_some())
                || health_facility_id.is_some()
                || health_facility_location_id.is_some()
                || health_facility_location_uuid_in.is_some();
            let location_uuid_in = health_facility_location_uuid_in
                .map(|list| {
                    list.iter()
                        .flatten()
                        .map(|u| parse_uuid(u, "healthFacility_Location_Uuid_In"))
                        .collect::<AppResult<Vec<_>>>()
                })
                .transpose()?;
            let facility = HealthFacilityFilter {
                id: pk(&health_facility_id, "HealthFacilityGQLType")?,
                uuid: opt_uuid(&health_facility_uuid, "healthFacility_Uuid")?,
                code: health_facility_code,
                code_istartswith: health_facility_code_istartswith,
                code_icontains: health_facility_code_icontains,
                code_iexact: health_facility_code_iexact,
                name: health_facility_name,
                name_istartswith: health_facility_name_istartswith,
                name_icontains: health_facility_name_icontains,
                name_iexact: health_facility_name_iexact,
                level: health_facility_level,
                care_type: health_facility_care_type,
                location_id: pk(&health_facility_location_id, "LocationGQLType")?,
                location_uuid: opt_uuid(
                    &health_facility_location_uuid,
                    "healthFacility_Location_Uuid",
                )?,
                location_uuid_in,
                location_parent_uuid: opt_uuid(
                    &health_facility_location_parent_uuid,
                    "healthFacility_Location_Parent_Uuid",
                )?,
                ..Default::default()
            };
            // A uuid has no case: `_Iexact` is the same lookup, and both must agree.
            let insuree_uuid = match (
                opt_uuid(&insuree_uuid, "insuree_Uuid")?,
                opt_uuid(&insuree_uuid_iexact, "insuree_Uuid_Iexact")?,
            ) {
                (Some(a), Some(b)) if a != b => {
                    return Err(AppError::invalid(
                        "insuree_Uuid_Iexact",
                        "differs from insuree_Uuid",
                    ));
                }
                (a, b) => a.or(b),
            };
            let insuree = InsureeMatch {
                uuid: insuree_uuid,
                chf_id: insuree_chf_id,
                chf_id_iexact: insuree_chf_id_iexact,
                chf_id_istartswith: insuree_chf_id_istartswith,
                chf_id_icontains: insuree_chf_id_icontains,
                last_name: insuree_last_name,
                last_name_iexact: insuree_last_name_iexact,
                last_name_istartswith: insuree_last_name_istartswith,
                last_name_icontains: insuree_last_name_icontains,
                other_names: insuree_other_names,
                other_names_iexact: insuree_other_names_iexact,
                other_names_istartswith: insuree_other_names_istartswith,
                other_names_icontains: insuree_other_names_icontains,
                dob: insuree_dob.map(|d| d.0),
                dob_lt: insuree_dob_lt.map(|d| d.0),
                dob_lte: insuree_dob_lte.map(|d| d.0),
                dob_gt: insuree_dob_gt.map(|d| d.0),
                dob_gte: insuree_dob_gte.map(|d| d.0),
                gender: insuree_gender_code,
                head: insuree_head,
                status: insuree_status,
                locations: None,
            };
            let filter = ClaimFilter {
                id: None,
                uuid: opt_uuid(&uuid, "uuid")?,
                code,
                code_istartswith,
                code_icontains,
                code_iexact,
                code_is_not,
                status,
                status_gt,
                date_claimed: dates(
                    date_claimed,
                    date_claimed_lt,
                    date_claimed_lte,
                    date_claimed_gt,
                    date_claimed_gte,
                ),
                date_from: dates(
                    date_from,
                    date_from_lt,
                    date_from_lte,
                    date_from_gt,
                    date_from_gte,
                ),
                date_to: dates(date_to, date_to_lt, date_to_lte, date_to_gt, date_to_gte),
                date_processed: dates(
                    date_processed,
                    date_processed_lt,
                    date_processed_lte,
                    date_processed_gt,
                    date_processed_gte,
                ),
                feedback_status,
                review_status,
                claimed: amounts(
                    digits,
                    "claimed",
                    [claimed, claimed_lt, claimed_lte, claimed_gt, claimed_gte],
                )?,
                approved: amounts(
                    digits,
                    "approved",
                    [
                        approved,
                        approved_lt,
                        approved_lte,
                        approved_gt,
                        approved_gte,
                    ],
                )?,
                visit_type,
                care_type,
                pre_authorization,
                batch_run_id: pk(&batch_run_id, "BatchRunGQLType")?,
                icd_id: pk(&icd_id, "DiagnosisGQLType")?,
                icd,
                admin,
                health_facility: some_if(facility, any_facility),
                insuree_chf_id: None,
                insuree,
                items,
                services,
                json_ext,
                diagnosis_variance,
                show_restored: show_restored.unwrap_or(false),
                attachment_status,
                attachments_count: Range {
                    exact: attachments_count_value.map(i64::from),
                    lt: attachments_count_value_lt.map(i64::from),
                    lte: attachments_count_value_lte.map(i64::from),
                    gt: attachments_count_value_gt.map(i64::from),
                    gte: attachments_count_value_gte.map(i64::from),
                },
                uuids: None,
            };
            let select = svc::claims_select(st, Some(p), &filter).await?;
            let args = PageArgs::new(first, last, after, before, offset, order_by);
            let page = kit::page_of(ctx, select, &args, SORTING).await?;
            let wants = ClaimWants::of(ctx.look_ahead().field("edges").field("node"));
            kit::with_nodes(page, async |models| {
                ClaimGQLType::page(st, p, models, wants).await
            })
            .await
        };
        Ok(run.await.gql(ctx)?.into_connection(|n| n))
    }

    /// One current claim by `id` or `uuid` (111001), within the caller's reach; null otherwise.
    #[graphql(visible = "visible")]
    async fn claim(
        &self,
        ctx: &Context<'_>,
        id: Option<i64>,
        uuid: Option<uuid::Uuid>,
    ) -> async_graphql::Result<Option<ClaimGQLType>> {
        let run = async {
            let p = kit::list_caller(ctx, &[RIGHT_CLAIM_SEARCH])?;
            let st = state(ctx);
            let Some(model) = svc::find_claim(st, Some(p), id, uuid).await? else {
                return Ok(None);
            };
            let wants = ClaimWants::of(ctx.look_ahead());
            Ok(ClaimGQLType::page(st, p, vec![model], wants).await?.pop())
        };
        run.await.gql(ctx)
    }

    /// The first service point of the insuree with this insurance number (111001 or 111002), or
    /// null: the facility desk's exact look-up (D9). `dateClaimed` is accepted; the insuree's
    /// current record answers.
    #[graphql(visible = "visible")]
    async fn fsp_from_claim(
        &self,
        ctx: &Context<'_>,
        insuree_code: String,
        date_claimed: Date,
    ) -> async_graphql::Result<Option<HealthFacilityGQLType>> {
        let _ = date_claimed;
        let run = async {
            let st = state(ctx);
            let Some(id) = svc::fsp_from_claim(st, principal(ctx), &insuree_code).await? else {
                return Ok(None);
            };
            Ok(
                imis_core::registers::health_facility_nodes_by_ids(st, &[id])
                    .await?
                    .remove(&id),
            )
        };
        run.await.gql(ctx)
    }

    /// The versions of the claim `claimUuid` (111001), newest first: its own row, then its
    /// previous versions with `validityTo` set (D7); empty when the claim is out of reach.
    /// Paging with `first`, `last`, `after`, `before`, `offset`; `orderBy` `validityFrom` or
    /// `-validityFrom` (the default).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn claim_history(
        &self,
        ctx: &Context<'_>,
        claim_uuid: String,
        order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<ClaimConnection> {
        let run = async {
            let p = kit::list_caller(ctx, &[RIGHT_CLAIM_SEARCH])?;
            let st = state(ctx);
            let uuid = parse_uuid(claim_uuid.trim(), "claimUuid")?;
            let mut ascending = false;
            for (desc, name) in requested_order(order_by.as_deref(), &["-validityFrom"]) {
                if normalise_order_name(&name) != "validityfrom" {
                    return Err(AppError::validation("input.invalid_order").with("field", &name));
                }
                ascending = !desc;
            }
            let mut versions = svc::claim_versions(st, Some(p), uuid).await?;
            if ascending {
                versions.reverse();
            }
            let wants = ClaimWants::of(ctx.look_ahead().field("edges").field("node"));
            let nodes = ClaimGQLType::versions(st, p, versions, wants).await?;
            let args = PageArgs::new(first, last, after, before, offset, None);
            page_in_memory(nodes, &args, &st.config.graphql)
        };
        Ok(run.await.gql(ctx)?.into_connection(|n| n))
    }

    /// Our addition: how many current claims of the facility `healthFacilityUuid` have each
    /// status, every status listed (111001; the facility in the caller's reach).
    #[graphql(visible = "visible")]
    async fn claims_status_count(
        &self,
        ctx: &Context<'_>,
        health_facility_uuid: String,
    ) -> async_graphql::Result<Vec<ClaimStatusCountGQLType>> {
        let run = async {
            svc::require(principal(ctx), &[RIGHT_CLAIM_SEARCH])?;
            let facility = parse_uuid(health_facility_uuid.trim(), "healthFacilityUuid")?;
            let counts = svc::claims_status_count(state(ctx), principal(ctx), facility).await?;
            Ok(counts
                .into_iter()
                .map(|(status, count)| ClaimStatusCountGQLType { status, count })
                .collect())
        };
        run.await.gql(ctx)
    }
}

/// A previous version of a claim (`claimHistory`), by its history pk.
const CLAIM_HISTORY_TYPE: &str = "ClaimGQLTypeHistory";

/// The module's types in Relay's `node(id:)` (D4).
pub(crate) const NODES: NodeDef = NodeDef {
    type_names: &[
        CLAIM_TYPE,
        CLAIM_HISTORY_TYPE,
        CLAIM_ITEM_TYPE,
        CLAIM_SERVICE_TYPE,
        FEEDBACK_TYPE,
        attachments::NODE_TYPES[0],
        attachments::NODE_TYPES[1],
    ],
    register: |registry| {
        register_implementer::<ClaimGQLType>(registry);
        register_implementer::<ClaimItemGQLType>(registry);
        register_implementer::<ClaimServiceGQLType>(registry);
        register_implementer::<FeedbackGQLType>(registry);
        attachments::register_nodes(registry);
    },
    resolve: resolve_node,
};

/// A claim, line, feedback or attachment by its key, with what it shows; `None` when it does not
/// exist or lies outside the caller's right (111001) and reach, as the list decides.
async fn node_value(
    st: &imis_core::AppState,
    p: &imis_core::auth::Principal,
    type_name: &str,
    id: i64,
) -> AppResult<Option<NodeValue>> {
    let one_claim = async |model| -> AppResult<Option<ClaimGQLType>> {
        Ok(ClaimGQLType::page(st, p, vec![model], ClaimWants::all())
            .await?
            .pop())
    };
    Ok(match type_name {
        CLAIM_TYPE => {
            let filter = ClaimFilter {
                id: Some(id),
                ..Default::default()
            };
            match svc::claims_select(st, Some(p), &filter)
                .await?
                .one(&st.db.conn)
                .await?
            {
                Some(model) => one_claim(model).await?.map(NodeValue::new),
                None => None,
            }
        }
        CLAIM_HISTORY_TYPE => {
            let conn = &st.db.conn;
            match imis_core::history::version_by_history_id::<claim::Model>(
                conn,
                svc::ENTITY_CLAIM,
                id,
            )
            .await?
            {
                // The version is shown when its claim is within reach, as `claimHistory` does.
                Some(version)
                    if svc::visible_claims_by_ids(st, p, &[version.id])
                        .await?
                        .contains_key(&version.id) =>
                {
                    ClaimGQLType::versions(st, p, vec![(version, Some(id))], ClaimWants::all())
                        .await?
                        .pop()
                        .map(NodeValue::new)
                }
                _ => None,
            }
        }
        CLAIM_ITEM_TYPE | CLAIM_SERVICE_TYPE => {
            let kind = if type_name == CLAIM_ITEM_TYPE {
                svc::KIND_ITEM
            } else {
                svc::KIND_SERVICE
            };
            match svc::find_line(st, Some(p), kind, id).await? {
                Some((line, model)) => one_claim(model).await?.map(|c| {
                    let line = ClaimLine::new(line, c.page);
                    if kind == svc::KIND_ITEM {
                        NodeValue::new(ClaimItemGQLType(line))
                    } else {
                        NodeValue::new(ClaimServiceGQLType(line))
                    }
                }),
                None => None,
            }
        }
        FEEDBACK_TYPE => match svc::find_feedback(st, Some(p), id).await? {
            Some((feedback, model)) => one_claim(model).await?.map(|c| {
                NodeValue::new(FeedbackGQLType {
                    model: feedback,
                    page: c.page,
                })
            }),
            None => None,
        },
        t if attachments::NODE_TYPES.contains(&t) => attachments::node_value(st, p, t, id).await?,
        _ => None,
    })
}

fn resolve_node<'a>(ctx: &'a Context<'_>, type_name: &'a str, key: &'a str) -> NodeFuture<'a> {
    Box::pin(async move {
        if !visible(ctx) {
            return Ok(None);
        }
        let Some(p) = principal(ctx) else {
            return Ok(None);
        };
        // Predefined attachment types are any logged-in user's; everything else needs 111001.
        if type_name != attachments::ATTACHMENT_TYPE_TYPE && !p.has_right(RIGHT_CLAIM_SEARCH) {
            return Ok(None);
        }
        let run = async {
            let id = key
                .parse::<i64>()
                .map_err(|_| AppError::validation("input.invalid_id").with("id", key))?;
            node_value(state(ctx), p, type_name, id).await
        };
        run.await.gql(ctx)
    })
}
