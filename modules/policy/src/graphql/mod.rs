//! GraphQL of the policy module (openIMIS names, D3). Resolvers check rights through the
//! service layer, parse input, call one service function and shape the output.

pub mod types;

use crate::entity::policy;
use crate::service::{self, PolicyInput, lists};
use async_graphql::{Context, ID, InputObject, Object, Result};
use imis_core::auth::{Requirement, require_user};
use imis_core::error::{AppError, AppResult};
use imis_core::graphql::connection::{Page, PageArgs, fetch_page, page_in_memory, wants_total};
use imis_core::graphql::scalars::{Date, DateTime};
use imis_core::graphql::{
    GqlResult, MutationEnvelopeInput, lang, parse_uuid, principal, run_mutation, state,
};
use imis_core::money::Money;
use imis_core::users::graphql::OfficerGQLType;
use rust_decimal::Decimal;
use sea_orm::EntityTrait;
pub use types::*;

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

fn check_list(ctx: &Context<'_>) -> Result<()> {
    if let Some(p) = principal(ctx) {
        p.check_csrf().gql(ctx)?;
    }
    Ok(())
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
        require_user(
            principal(ctx),
            Requirement::AnyOf(&[
                service::RIGHT_POLICY_SEARCH,
                service::RIGHT_POLICY_ADD,
                service::RIGHT_POLICY_RENEW,
            ]),
        )
        .gql(ctx)?;
        check_list(ctx)?;
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
        let p = require_user(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_POLICY_SEARCH]),
        )
        .gql(ctx)?;
        check_list(ctx)?;
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
                Some(u) => Some(imis_insuree::service::find_family(&st.db.conn, u).await?.id),
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
            let page = fetch_page(
                &st.db.conn,
                select,
                &PageArgs {
                    first,
                    last,
                    after,
                    before,
                    offset,
                    order_by,
                },
                &POLICY_SORT,
                policy::Column::Id,
                &["-enrollDate"],
                wants_total(ctx),
                &st.config.graphql,
            )
            .await?;
            let Page {
                rows,
                has_next,
                has_previous,
                total,
            } = page
                .with_versions(&st.db.conn, service::HISTORY_POLICY, f.show_history)
                .await?;
            let (cursors, models): (Vec<String>, Vec<_>) = rows.into_iter().unzip();
            let wants = PolicyWants::of(ctx.look_ahead().field("edges").field("node"));
            let nodes = policy_nodes(st, p, models, wants).await?;
            Ok(Page {
                rows: cursors.into_iter().zip(nodes).collect(),
                has_next,
                has_previous,
                total,
            }
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
        require_user(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_POLICY_SEARCH]),
        )
        .gql(ctx)?;
        check_list(ctx)?;
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
        let e = service::eligibility::eligibility(state(ctx), principal(ctx), &chf_id, None, None)
            .await
            .gql(ctx)?;
        Ok(EligibilityGQLType(e))
    }

    /// Whether an item is covered for the insuree today, with waiting period and limit.
    #[graphql(visible = "visible")]
    async fn policy_item_eligibility_by_insuree(
        &self,
        ctx: &Context<'_>,
        chf_id: String,
        item_code: String,
    ) -> Result<EligibilityGQLType> {
        let e = service::eligibility::eligibility(
            state(ctx),
            principal(ctx),
            &chf_id,
            Some(&item_code),
            None,
        )
        .await
        .gql(ctx)?;
        Ok(EligibilityGQLType(e))
    }

    /// Whether a service is covered for the insuree today, with waiting period and limit.
    #[graphql(visible = "visible")]
    async fn policy_service_eligibility_by_insuree(
        &self,
        ctx: &Context<'_>,
        chf_id: String,
        service_code: String,
    ) -> Result<EligibilityGQLType> {
        let e = service::eligibility::eligibility(
            state(ctx),
            principal(ctx),
            &chf_id,
            None,
            Some(&service_code),
        )
        .await
        .gql(ctx)?;
        Ok(EligibilityGQLType(e))
    }

    /// Officers working in a district or region (by uuid), searched by code or name.
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
        require_user(
            principal(ctx),
            Requirement::AnyOf(&[
                service::RIGHT_POLICY_SEARCH,
                service::RIGHT_POLICY_ADD,
                service::RIGHT_POLICY_RENEW,
            ]),
        )
        .gql(ctx)?;
        check_list(ctx)?;
        let st = state(ctx);
        let location = opt_uuid(district.as_deref().or(region.as_deref()), "district").gql(ctx)?;
        let select = lists::policy_officers_select(st, principal(ctx), search.as_deref(), location)
            .await
            .gql(ctx)?;
        use imis_core::entity::user;
        let page = fetch_page(
            &st.db.conn,
            select,
            &PageArgs {
                first,
                last,
                after,
                before,
                offset,
                order_by: None,
            },
            &[("code", user::Column::OfficerCode)],
            user::Column::Id,
            &["code"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(OfficerGQLType))
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
            let page = fetch_page(
                &st.db.conn,
                select,
                &PageArgs {
                    first,
                    last,
                    after,
                    before,
                    offset,
                    order_by: None,
                },
                &[("renewalDate", renewal::Column::RenewalDate)],
                renewal::Column::Id,
                &["renewalDate"],
                wants_total(ctx),
                &st.config.graphql,
            )
            .await?;
            let (cursors, models): (Vec<String>, Vec<_>) = page.rows.into_iter().unzip();
            let wants = PolicyWants::of(
                ctx.look_ahead()
                    .field("edges")
                    .field("node")
                    .field("policy"),
            );
            let nodes = renewal_nodes(st, caller, models, wants).await?;
            Ok(Page {
                rows: cursors.into_iter().zip(nodes).collect(),
                has_next: page.has_next,
                has_previous: page.has_previous,
                total: page.total,
            }
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
        &PageArgs {
            first,
            last,
            after,
            before,
            offset: None,
            order_by: None,
        },
        &state(ctx).config.graphql,
    )
    .gql(ctx)?;
    Ok(page.into_connection(PolicyByFamilyOrInsureeGQLType))
}

/// openIMIS `PolicyInputType` fields (dates and value optional, D14), plus `prevUuid` for renewals.
#[derive(InputObject, serde::Serialize, Clone)]
pub struct PolicyFields {
    pub uuid: Option<String>,
    pub enroll_date: Date,
    pub start_date: Option<Date>,
    pub expiry_date: Option<Date>,
    pub value: Option<Decimal>,
    pub product_id: i64,
    pub family_id: i64,
    pub officer_id: i64,
    pub is_paid: Option<bool>,
    pub receipt: Option<String>,
    pub payer_uuid: Option<String>,
    pub contribution_plan_id: Option<String>,
    pub prev_uuid: Option<String>,
}

impl PolicyFields {
    /// The service input; `value` (compared with the computed value, D14) must be an amount of
    /// the currency (`input.invalid` naming `value` otherwise).
    fn parse(&self, digits: u32) -> AppResult<PolicyInput> {
        if let Some(v) = self.value {
            Money::parse("value", v, digits)?;
        }
        Ok(PolicyInput {
            uuid: opt_uuid(self.uuid.as_deref(), "uuid")?,
            enroll_date: self.enroll_date.0,
            start_date: self.start_date.map(|d| d.0),
            expiry_date: self.expiry_date.map(|d| d.0),
            value: self.value,
            product_id: self.product_id,
            family_id: self.family_id,
            officer_id: self.officer_id,
            is_paid: self.is_paid.unwrap_or(false),
            receipt: self.receipt.clone().filter(|r| !r.trim().is_empty()),
            payer_uuid: self.payer_uuid.clone().filter(|r| !r.trim().is_empty()),
            contribution_plan_uuid: opt_uuid(
                self.contribution_plan_id.as_deref(),
                "contributionPlanId",
            )?,
            prev_uuid: opt_uuid(self.prev_uuid.as_deref(), "prevUuid")?,
            is_offline: false,
        })
    }
}

#[derive(InputObject, serde::Serialize)]
pub struct CreatePolicyMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: PolicyFields,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct UpdatePolicyMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: PolicyFields,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct RenewPolicyMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: PolicyFields,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct SuspendPoliciesMutationInput {
    pub uuids: Vec<String>,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct DeletePoliciesMutationInput {
    pub uuids: Vec<String>,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

imis_core::mutation_payload!(CreatePolicyMutationPayload);
imis_core::mutation_payload!(UpdatePolicyMutationPayload);
imis_core::mutation_payload!(RenewPolicyMutationPayload);
imis_core::mutation_payload!(SuspendPoliciesMutationPayload);
imis_core::mutation_payload!(DeletePoliciesMutationPayload);

fn parse_uuids(list: &[String]) -> AppResult<Vec<uuid::Uuid>> {
    list.iter().map(|u| parse_uuid(u.trim(), "uuids")).collect()
}

#[derive(Default)]
pub struct PolicyMutation;

#[Object]
impl PolicyMutation {
    /// 101202. Dates and value are computed by the server (D14).
    #[graphql(visible = "visible")]
    async fn create_policy(
        &self,
        ctx: &Context<'_>,
        input: CreatePolicyMutationInput,
    ) -> Result<CreatePolicyMutationPayload> {
        run_mutation(ctx, "createPolicy", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_POLICY_ADD]),
            )?;
            let fields = input
                .fields
                .parse(m.state.config.core.currency_minor_digits)?;
            let model = service::create_policy(m, fields).await?;
            Ok(model.id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101203. Only an Idle policy; dates and value recomputed.
    #[graphql(visible = "visible")]
    async fn update_policy(
        &self,
        ctx: &Context<'_>,
        input: UpdatePolicyMutationInput,
    ) -> Result<UpdatePolicyMutationPayload> {
        run_mutation(ctx, "updatePolicy", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_POLICY_EDIT]),
            )?;
            let fields = input
                .fields
                .parse(m.state.config.core.currency_minor_digits)?;
            let model = service::update_policy(m, fields).await?;
            Ok(model.id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101205. A new renewal policy (D12).
    #[graphql(visible = "visible")]
    async fn renew_policy(
        &self,
        ctx: &Context<'_>,
        input: RenewPolicyMutationInput,
    ) -> Result<RenewPolicyMutationPayload> {
        run_mutation(ctx, "renewPolicy", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_POLICY_RENEW]),
            )?;
            let fields = input
                .fields
                .parse(m.state.config.core.currency_minor_digits)?;
            let model = service::renew_policy(m, fields).await?;
            Ok(model.id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101203.
    #[graphql(visible = "visible")]
    async fn suspend_policies(
        &self,
        ctx: &Context<'_>,
        input: SuspendPoliciesMutationInput,
    ) -> Result<SuspendPoliciesMutationPayload> {
        run_mutation(ctx, "suspendPolicies", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_POLICY_EDIT]),
            )?;
            service::suspend_policies(m, &parse_uuids(&input.uuids)?).await
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101204. Refused when claims consumed a policy.
    #[graphql(visible = "visible")]
    async fn delete_policies(
        &self,
        ctx: &Context<'_>,
        input: DeletePoliciesMutationInput,
    ) -> Result<DeletePoliciesMutationPayload> {
        run_mutation(ctx, "deletePolicies", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_POLICY_DELETE]),
            )?;
            service::delete_policies(m, &parse_uuids(&input.uuids)?).await
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }
}

/// Type names `node(id:)` resolves through this module.
pub const NODE_TYPES: &[&str] = &["PolicyGQLType", "PolicyGQLTypeHistory"];

/// A policy by global id (current or historical version), with the list's right and scope (D9).
pub async fn resolve_node(
    ctx: &Context<'_>,
    type_name: &str,
    key: &str,
) -> Result<Option<PolicyGQLType>> {
    let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    if !p.has_right(service::RIGHT_POLICY_SEARCH) {
        return Ok(None);
    }
    let st = state(ctx);
    let conn = &st.db.conn;
    let pk: i64 = key
        .parse()
        .map_err(|_| AppError::validation("input.invalid_id").with("id", key))
        .gql(ctx)?;
    let history = type_name.ends_with("History");
    let model = if history {
        imis_core::history::version_by_history_id::<policy::Model>(
            conn,
            service::HISTORY_POLICY,
            pk,
        )
        .await
        .gql(ctx)?
    } else {
        service::find_policy_by_id(conn, pk).await.gql(ctx)?
    };
    let Some(model) = model else { return Ok(None) };
    let Some(current) = policy::Entity::find_by_id(model.id)
        .one(conn)
        .await
        .map_err(AppError::from)
        .gql(ctx)?
    else {
        return Ok(None);
    };
    if service::check_policy_scope(conn, p, &current)
        .await
        .is_err()
    {
        return Ok(None);
    }
    let node = policy_nodes(
        st,
        p,
        vec![(model, history.then_some(pk))],
        PolicyWants::all(),
    )
    .await
    .gql(ctx)?
    .remove(0);
    Ok(Some(node))
}
