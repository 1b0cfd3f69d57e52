//! GraphQL of the policy module (openIMIS names, D3). Resolvers check rights through the
//! service layer, parse input, call one service function and shape the output.

mod mutation;
mod node;
pub mod types;

use crate::entity::policy;
use crate::service::{self, PolicyInput, lists};
use async_graphql::{Context, ID, InputObject, Object, Result};
use imis_core::auth::{Requirement, require_user};
use imis_core::error::{AppError, AppResult};
use imis_core::graphql::connection::{PageArgs, page_in_memory, wants_total};
use imis_core::graphql::scalars::{Date, DateTime};
use imis_core::graphql::{GqlResult, MutationEnvelopeInput, lang, parse_uuid, principal, state};
pub(crate) use imis_core::kit::with_nodes;
use imis_core::kit::{Sorting, page_of};
use imis_core::money::Money;
use imis_core::users::graphql::OfficerGQLType;
pub use mutation::*;
pub use node::{NODE_TYPES, resolve_node};
pub(crate) use node::{register_nodes, resolve_node_value};
use rust_decimal::Decimal;
use sea_orm::EntityTrait;
pub use types::*;

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

/// Who may preview policy values and pick officers: searching, adding or renewing policies.
const ENROLMENT_RIGHTS: &[i32] = &[
    service::RIGHT_POLICY_SEARCH,
    service::RIGHT_POLICY_ADD,
    service::RIGHT_POLICY_RENEW,
];

fn check_list(ctx: &Context<'_>) -> Result<()> {
    imis_core::kit::check_list_csrf(ctx).gql(ctx)
}

/// An amount argument in minor units: `input.invalid` naming the GraphQL `field` when it has
/// more decimals than the currency or lies beyond what storage holds (never a panic).
fn minor(ctx: &Context<'_>, v: Decimal, field: &str) -> AppResult<i64> {
    Money::parse(field, v, state(ctx).config.core.currency_minor_digits).map(|m| m.0)
}

use imis_core::graphql::parse_opt_uuid as opt_uuid;

const POLICY_SORT: [(&str, policy::Column); 6] = [
    ("enrollDate", policy::Column::EnrollDate),
    ("startDate", policy::Column::StartDate),
    ("expiryDate", policy::Column::ExpiryDate),
    ("status", policy::Column::Status),
    ("value", policy::Column::Value),
    ("stage", policy::Column::Stage),
];

#[derive(Default)]
pub struct PolicyQuery;

#[Object]
impl PolicyQuery {
    /// Start date, expiry date and value a policy would get (D12, D13), with warnings (101201,
    /// 101202 or 101205).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn policy_values(
        &self,
        ctx: &Context<'_>,
        prev_uuid: Option<String>,
        stage: String,
        enroll_date: DateTime,
        product_id: Option<i64>,
        family_id: i64,
        contribution_plan_uuid: Option<String>,
    ) -> Result<PolicyAndWarningsGQLType> {
        let _ = contribution_plan_uuid;
        imis_core::kit::list_caller(ctx, ENROLMENT_RIGHTS).gql(ctx)?;
        let st = state(ctx);
        let prev = opt_uuid(prev_uuid.as_deref(), "prevUuid").gql(ctx)?;
        let preview = service::policy_values(
            st,
            principal(ctx),
            &stage,
            enroll_date.0.date(),
            product_id,
            family_id,
            prev,
        )
        .await
        .gql(ctx)?;
        let c = &preview.computation;
        let now = st.clock.now();
        let model = policy::Model {
            id: 0,
            uuid: uuid::Uuid::nil(),
            family_id: preview.family.id,
            product_id: c.product.id,
            officer_id: None,
            enroll_date: c.enroll_date,
            start_date: c.start_date,
            effective_date: None,
            expiry_date: c.expiry_date,
            stage: c.stage.code().into(),
            status: service::STATUS_IDLE,
            previous_policy_id: c.previous.as_ref().map(|p| p.id),
            value: c.value.value,
            paid: 0,
            matched: 0,
            is_offline: false,
            contribution_plan_uuid: None,
            creation_date: st.clock.today(),
            json_ext: None,
            validity_from: now,
            validity_to: None,
            audit_user_id: None,
        };
        let wants = PolicyWants::of(ctx.look_ahead().field("policy"));
        let caller = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let node = policy_nodes(st, caller, vec![(model, None)], wants)
            .await
            .gql(ctx)?
            .remove(0);
        let l = lang(ctx);
        let warnings = c
            .value
            .warnings
            .iter()
            .map(|w| {
                let mut e = AppError::validation(w.code.clone());
                for (k, v) in &w.params {
                    e = e.with(k, v.to_string().trim_matches('"'));
                }
                e.message(&l)
            })
            .collect();
        Ok(PolicyAndWarningsGQLType {
            policy: node,
            warnings,
        })
    }

    /// Policies (101201), restricted to the caller's locations (D9).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn policies(
        &self,
        ctx: &Context<'_>,
        region_id: Option<i64>,
        district_id: Option<i64>,
        balance_lte: Option<Decimal>,
        balance_gte: Option<Decimal>,
        show_history: Option<bool>,
        show_inactive: Option<bool>,
        uuid: Option<String>,
        #[graphql(name = "family_Uuid")] family_uuid: Option<String>,
        enroll_date: Option<Date>,
        #[graphql(name = "enrollDate_Gte")] enroll_date_gte: Option<Date>,
        #[graphql(name = "enrollDate_Lte")] enroll_date_lte: Option<Date>,
        #[graphql(name = "startDate_Gte")] start_date_gte: Option<Date>,
        #[graphql(name = "startDate_Lte")] start_date_lte: Option<Date>,
        #[graphql(name = "effectiveDate_Gte")] effective_date_gte: Option<Date>,
        #[graphql(name = "effectiveDate_Lte")] effective_date_lte: Option<Date>,
        expiry_date: Option<Date>,
        #[graphql(name = "expiryDate_Gte")] expiry_date_gte: Option<Date>,
        #[graphql(name = "expiryDate_Lte")] expiry_date_lte: Option<Date>,
        #[graphql(name = "expiryDate_Lt")] expiry_date_lt: Option<Date>,
        #[graphql(name = "expiryDate_Gt")] expiry_date_gt: Option<Date>,
        stage: Option<String>,
        status: Option<i32>,
        #[graphql(name = "value_Gte")] value_gte: Option<Decimal>,
        #[graphql(name = "value_Lte")] value_lte: Option<Decimal>,
        #[graphql(name = "product_Id")] product_id: Option<ID>,
        #[graphql(name = "product_Code")] product_code: Option<String>,
        #[graphql(name = "officer_Id")] officer_id: Option<ID>,
        #[graphql(name = "officer_Code")] officer_code: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<PolicyConnection> {
        let p = imis_core::kit::list_caller(ctx, &[service::RIGHT_POLICY_SEARCH]).gql(ctx)?;
        let st = state(ctx);
        let res: AppResult<PolicyConnection> = async {
            let id_of = |v: &Option<ID>, ty: &str| -> AppResult<Option<i64>> {
                v.as_ref()
                    .map(|id| {
                        id.parse::<i64>()
                            .or_else(|_| imis_core::graphql::parse_pk(id, ty))
                    })
                    .transpose()
            };
            let family_id = match opt_uuid(family_uuid.as_deref(), "family_Uuid")? {
                Some(u) => Some(imis_insuree::api::find_family(&st.db.conn, u).await?.id),
                None => None,
            };
            let f = lists::PolicyFilter {
                region_id,
                district_id,
                balance_lte: balance_lte
                    .map(|v| minor(ctx, v, "balanceLte"))
                    .transpose()?,
                balance_gte: balance_gte
                    .map(|v| minor(ctx, v, "balanceGte"))
                    .transpose()?,
                show_history: show_history.unwrap_or(false),
                show_inactive: show_inactive.unwrap_or(false),
                uuid: opt_uuid(uuid.as_deref(), "uuid")?,
                family_id,
                enroll_date: lists::DateRange {
                    eq: enroll_date.map(|d| d.0),
                    gte: enroll_date_gte.map(|d| d.0),
                    lte: enroll_date_lte.map(|d| d.0),
                    ..Default::default()
                },
                start_date: lists::DateRange {
                    gte: start_date_gte.map(|d| d.0),
                    lte: start_date_lte.map(|d| d.0),
                    ..Default::default()
                },
                effective_date: lists::DateRange {
                    gte: effective_date_gte.map(|d| d.0),
                    lte: effective_date_lte.map(|d| d.0),
                    ..Default::default()
                },
                expiry_date: lists::DateRange {
                    eq: expiry_date.map(|d| d.0),
                    gt: expiry_date_gt.map(|d| d.0),
                    gte: expiry_date_gte.map(|d| d.0),
                    lt: expiry_date_lt.map(|d| d.0),
                    lte: expiry_date_lte.map(|d| d.0),
                },
                stage,
                status,
                status_in: None,
                value_gte: value_gte.map(|v| minor(ctx, v, "value_Gte")).transpose()?,
                value_lte: value_lte.map(|v| minor(ctx, v, "value_Lte")).transpose()?,
                product_id: id_of(&product_id, "ProductGQLType")?,
                product_code,
                officer_id: id_of(&officer_id, "OfficerGQLType")?,
                officer_code,
            };
            let select = lists::policies_select(st, p, &f).await?;
            let page = page_of(
                ctx,
                select,
                &PageArgs::new(first, last, after, before, offset, order_by),
                Sorting {
                    columns: &POLICY_SORT,
                    id: policy::Column::Id,
                    default_order: &["-enrollDate"],
                },
            )
            .await?
            .with_versions(&st.db.conn, service::HISTORY_POLICY, f.show_history)
            .await?;
            let wants = PolicyWants::of(ctx.look_ahead().field("edges").field("node"));
            Ok(with_nodes(page, async |models| {
                policy_nodes(st, p, models, wants).await
            })
            .await?
            .into_connection(|n| n))
        }
        .await;
        res.gql(ctx)
    }

    /// Policies of a family (101201).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn policies_by_family(
        &self,
        ctx: &Context<'_>,
        family_uuid: String,
        active_or_last_expired_only: Option<bool>,
        show_history: Option<bool>,
        order_by: Option<String>,
        target_date: Option<Date>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
    ) -> Result<PolicySummaryConnection> {
        imis_core::kit::list_caller(ctx, &[service::RIGHT_POLICY_SEARCH]).gql(ctx)?;
        let st = state(ctx);
        let uuid = parse_uuid(&family_uuid, "familyUuid").gql(ctx)?;
        let opts = lists::SummaryOptions {
            active_or_last_expired_only: active_or_last_expired_only.unwrap_or(false),
            show_history: show_history.unwrap_or(false),
            target_date: target_date.map(|d| d.0),
            order_by,
        };
        let rows = lists::policies_by_family(st, principal(ctx), uuid, &opts)
            .await
            .gql(ctx)?;
        summary_connection(ctx, rows, first, last, after, before)
    }

    /// Policies covering an insuree (101201; not location-restricted for the facility desk, D9).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn policies_by_insuree(
        &self,
        ctx: &Context<'_>,
        chf_id: String,
        active_or_last_expired_only: Option<bool>,
        show_history: Option<bool>,
        order_by: Option<String>,
        target_date: Option<Date>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
    ) -> Result<PolicySummaryConnection> {
        check_list(ctx)?;
        let st = state(ctx);
        let opts = lists::SummaryOptions {
            active_or_last_expired_only: active_or_last_expired_only.unwrap_or(false),
            show_history: show_history.unwrap_or(false),
            target_date: target_date.map(|d| d.0),
            order_by,
        };
        let rows = lists::policies_by_insuree(st, principal(ctx), &chf_id, &opts)
            .await
            .gql(ctx)?;
        summary_connection(ctx, rows, first, last, after, before)
    }

    /// What is left of an insuree's benefits today (101201 or a facility-desk right, D9).
    #[graphql(visible = "visible")]
    async fn policy_eligibility_by_insuree(
        &self,
        ctx: &Context<'_>,
        chf_id: String,
    ) -> Result<EligibilityGQLType> {
        eligibility(ctx, &chf_id, None, None).await
    }

    /// Whether an item is covered for the insuree today, with waiting period and limit.
    #[graphql(visible = "visible")]
    async fn policy_item_eligibility_by_insuree(
        &self,
        ctx: &Context<'_>,
        chf_id: String,
        item_code: String,
    ) -> Result<EligibilityGQLType> {
        eligibility(ctx, &chf_id, Some(&item_code), None).await
    }

    /// Whether a service is covered for the insuree today, with waiting period and limit.
    #[graphql(visible = "visible")]
    async fn policy_service_eligibility_by_insuree(
        &self,
        ctx: &Context<'_>,
        chf_id: String,
        service_code: String,
    ) -> Result<EligibilityGQLType> {
        eligibility(ctx, &chf_id, None, Some(&service_code)).await
    }

    /// Officers working in a district and/or region, searched by code or name; a location is
    /// named by its uuid, integer id (also as digits) or global id, as openIMIS clients send it.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn policy_officers(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        district: Option<String>,
        region: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
    ) -> Result<imis_core::users::graphql::OfficerConnection> {
        imis_core::kit::list_caller(ctx, ENROLMENT_RIGHTS).gql(ctx)?;
        let st = state(ctx);
        // Each given location narrows the list (openIMIS filters on both).
        let locations: Vec<(&str, &str)> = [(&district, "district"), (&region, "region")]
            .into_iter()
            .filter_map(|(v, field)| Some((v.as_deref()?.trim(), field)))
            .filter(|(v, _)| !v.is_empty())
            .collect();
        let page = lists::policy_officers(
            st,
            principal(ctx),
            search.as_deref(),
            &locations,
            &PageArgs::new(first, last, after, before, offset, None),
            wants_total(ctx),
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(OfficerGQLType::from))
    }

    /// Renewal reminders (101205); an enrolment officer sees their own.
    #[graphql(visible = "visible")]
    async fn policy_renewals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
    ) -> Result<RenewalConnection> {
        let st = state(ctx);
        let select = lists::renewals_select(st, principal(ctx)).await.gql(ctx)?;
        check_list(ctx)?;
        let caller = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        use crate::entity::renewal;
        let res: AppResult<RenewalConnection> = async {
            let page = page_of(
                ctx,
                select,
                &PageArgs::new(first, last, after, before, offset, None),
                Sorting {
                    columns: &[("renewalDate", renewal::Column::RenewalDate)],
                    id: renewal::Column::Id,
                    default_order: &["renewalDate"],
                },
            )
            .await?;
            let wants = PolicyWants::of(
                ctx.look_ahead()
                    .field("edges")
                    .field("node")
                    .field("policy"),
            );
            Ok(with_nodes(page, async |models| {
                renewal_nodes(st, caller, models, wants).await
            })
            .await?
            .into_connection(|n| n))
        }
        .await;
        res.gql(ctx)
    }

    /// Warnings adding a member to the family would raise (policies at their maximum number of
    /// members), in the caller's language; empty when a member can be added freely.
    #[graphql(visible = "visible")]
    async fn can_add_insuree(&self, ctx: &Context<'_>, family_id: i64) -> Result<Vec<String>> {
        let warnings = service::can_add_insuree(state(ctx), principal(ctx), family_id)
            .await
            .gql(ctx)?;
        let l = lang(ctx);
        Ok(warnings.iter().map(|w| w.message(&l)).collect())
    }
}

/// What is left of the insuree's benefits, or (`item`, `service`) whether one is covered.
async fn eligibility(
    ctx: &Context<'_>,
    chf_id: &str,
    item: Option<&str>,
    service: Option<&str>,
) -> Result<EligibilityGQLType> {
    let st = state(ctx);
    service::eligibility::eligibility(st, principal(ctx), chf_id, item, service)
        .await
        .map(EligibilityGQLType)
        .gql(ctx)
}

fn summary_connection(
    ctx: &Context<'_>,
    rows: Vec<lists::PolicySummary>,
    first: Option<i32>,
    last: Option<i32>,
    after: Option<String>,
    before: Option<String>,
) -> Result<PolicySummaryConnection> {
    let page = page_in_memory(
        rows,
        &PageArgs::new(first, last, after, before, None, None),
        &state(ctx).config.graphql,
    )
    .gql(ctx)?;
    Ok(page.into_connection(PolicyByFamilyOrInsureeGQLType))
}
