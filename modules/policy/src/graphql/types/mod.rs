//! Output types of the policy module, with openIMIS names (D3). A page loads the families,
//! products, officers and coverage rows its policies refer to in one query each.

use crate::entity::{insuree_policy, policy, renewal};
use crate::service::{self, eligibility::Eligibility, lists::PolicySummary};
use async_graphql::{Context, ID, Object, Result};
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::error::AppResult;
use imis_core::graphql::scalars::{Date, DateTime};
use imis_core::graphql::{global_id, principal, state};
use imis_core::kit::CurrentRows;
use imis_core::users::graphql::OfficerGQLType;
use imis_insuree::api::{FamilyGQLType, InsureeGQLType};
use imis_product::api::ProductGQLType;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::Arc;

mod answers;
mod renewals;

pub use answers::*;
pub use renewals::*;

imis_core::connection_type!(
    PolicyConnection,
    PolicyConnName,
    PolicyEdgeName,
    PolicyGQLType,
    "PolicyGQLType"
);
imis_core::connection_type!(
    InsureePolicyConnection,
    InsureePolicyConnName,
    InsureePolicyEdgeName,
    InsureePolicyGQLType,
    "InsureePolicyGQLType"
);
imis_core::connection_type!(
    PolicySummaryConnection,
    PolicySummaryConnName,
    PolicySummaryEdgeName,
    PolicyByFamilyOrInsureeGQLType,
    "PolicyByFamilyOrInsuree"
);
imis_core::connection_type!(
    RenewalConnection,
    RenewalConnName,
    RenewalEdgeName,
    PolicyRenewalGQLType,
    "PolicyRenewalGQLType"
);
imis_core::connection_type!(
    ClaimDedRemConnection,
    ClaimDedRemConnName,
    ClaimDedRemEdgeName,
    ClaimDedRemGQLType,
    "ClaimDedRemGQLType"
);

pub(crate) use imis_core::kit::{Validity, VersionFields, date_time, money, node_id};

/// What a page of policies loaded once for all its rows.
#[derive(Default)]
pub struct PolicyPageData {
    pub families: HashMap<i64, FamilyGQLType>,
    pub products: HashMap<i64, ProductGQLType>,
    pub officers: HashMap<i64, imis_core::registers::Officer>,
    /// Coverage rows by policy (loaded when `insureePolicies` is selected).
    pub coverage: Option<HashMap<i64, Vec<insuree_policy::Model>>>,
    pub coverage_insurees: HashMap<i64, InsureeGQLType>,
    /// Consumption rows by policy (loaded when `claimDedRems` is selected).
    pub consumption: Option<HashMap<i64, Vec<crate::entity::consumption::Model>>>,
}

/// What to load for a page of policies.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicyWants {
    pub family: bool,
    pub product: bool,
    pub officer: bool,
    pub coverage: bool,
    pub consumption: bool,
}

impl PolicyWants {
    pub fn all() -> Self {
        PolicyWants {
            family: true,
            product: true,
            officer: true,
            coverage: true,
            consumption: true,
        }
    }
    /// What the selection under `node` asks for.
    pub fn of(node: async_graphql::Lookahead<'_>) -> Self {
        PolicyWants {
            family: node.field("family").exists(),
            product: node.field("product").exists(),
            officer: node.field("officer").exists(),
            coverage: node.field("insureePolicies").exists(),
            consumption: node.field("claimDedRems").exists(),
        }
    }
}

/// The officers among `ids` the caller may see (D9: as the users lists decide), in two queries.
pub(super) async fn officers_by_ids(
    state: &AppState,
    caller: &Principal,
    ids: &[i64],
) -> AppResult<HashMap<i64, imis_core::registers::Officer>> {
    let conn = &state.db.conn;
    let mut officers = service::lists::officers_by_ids(conn, ids).await?;
    if !caller.scope.unrestricted && !officers.is_empty() {
        let candidates: Vec<i64> = officers.keys().copied().collect();
        let seen = imis_core::users::service::visible_user_ids(conn, caller, &candidates).await?;
        officers.retain(|id, _| seen.contains(id));
    }
    Ok(officers)
}

/// Whether the caller may see a family located at `location` (D9, as `families` decides).
pub async fn sees_family(state: &AppState, caller: &Principal, location: i64) -> AppResult<bool> {
    caller.scope.allows(&state.db.conn, Some(location)).await
}

/// The caller of a nested field that loads its own data.
pub(super) fn ctx_caller<'a>(ctx: &Context<'a>) -> AppResult<&'a Principal> {
    require_user(principal(ctx), Requirement::Authenticated)
}

/// Builds policy nodes, loading what `wants` names in a fixed number of queries. What the policies
/// refer to is shown as the root lists would show it to `caller` (D9): a family, product, officer
/// or covered insuree outside their locations is null.
pub async fn policy_nodes(
    state: &AppState,
    caller: &Principal,
    models: Vec<(policy::Model, Option<i64>)>,
    wants: PolicyWants,
) -> AppResult<Vec<PolicyGQLType>> {
    let conn = &state.db.conn;
    let mut data = PolicyPageData::default();
    if wants.family {
        let ids: Vec<i64> = models.iter().map(|(m, _)| m.family_id).collect();
        data.families = imis_insuree::api::family_nodes(state, caller, &ids).await?;
    }
    if wants.product {
        let ids: Vec<i64> = models.iter().map(|(m, _)| m.product_id).collect();
        data.products = imis_product::api::product_nodes_by_ids(state, caller, &ids, true).await?;
    }
    if wants.officer {
        let ids: Vec<i64> = models.iter().filter_map(|(m, _)| m.officer_id).collect();
        data.officers = officers_by_ids(state, caller, &ids).await?;
    }
    let ids: Vec<i64> = models.iter().map(|(m, _)| m.id).collect();
    if wants.coverage && !ids.is_empty() {
        let rows = insuree_policy::Entity::find()
            .filter(insuree_policy::Column::PolicyId.is_in(ids.clone()))
            .current()
            .all(conn)
            .await?;
        let insuree_ids: Vec<i64> = rows.iter().map(|r| r.insuree_id).collect();
        data.coverage_insurees =
            imis_insuree::api::insuree_nodes(state, caller, &insuree_ids).await?;
        let mut by_policy: HashMap<i64, Vec<insuree_policy::Model>> = HashMap::new();
        for r in rows {
            by_policy.entry(r.policy_id).or_default().push(r);
        }
        data.coverage = Some(by_policy);
    }
    if wants.consumption && !ids.is_empty() {
        use crate::entity::consumption;
        let rows = consumption::Entity::find()
            .filter(consumption::Column::PolicyId.is_in(ids))
            .current()
            .all(conn)
            .await?;
        let mut by_policy: HashMap<i64, Vec<consumption::Model>> = HashMap::new();
        for r in rows {
            by_policy.entry(r.policy_id).or_default().push(r);
        }
        data.consumption = Some(by_policy);
    }
    let data = Arc::new(data);
    Ok(models
        .into_iter()
        .map(|(model, history_id)| PolicyGQLType {
            model,
            history_id,
            data: data.clone(),
        })
        .collect())
}

/// All `rows` as one page: the nested lists of a policy, which are never long.
fn one_page<M>(rows: Vec<M>) -> imis_core::graphql::connection::Page<M> {
    imis_core::graphql::connection::Page::whole(rows)
}

#[derive(Clone)]
pub struct PolicyGQLType {
    pub model: policy::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PolicyPageData>,
}

#[Object(name = "PolicyGQLType")]
impl PolicyGQLType {
    pub async fn id(&self) -> ID {
        node_id("PolicyGQLType", self.model.id, self.history_id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, self.history_id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    /// `N` new, `R` renewal.
    async fn stage(&self) -> &str {
        &self.model.stage
    }
    /// 1 Idle, 2 Active, 4 Suspended, 8 Expired, 16 Ready.
    async fn status(&self) -> i32 {
        self.model.status
    }
    async fn value(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.value)
    }
    /// Null when outside the caller's locations (D9).
    async fn family(&self) -> Option<&FamilyGQLType> {
        self.data.families.get(&self.model.family_id)
    }
    async fn enroll_date(&self) -> Date {
        Date(self.model.enroll_date)
    }
    async fn start_date(&self) -> Date {
        Date(self.model.start_date)
    }
    async fn effective_date(&self) -> Option<Date> {
        self.model.effective_date.map(Date)
    }
    async fn expiry_date(&self) -> Date {
        Date(self.model.expiry_date)
    }
    /// Null when the caller may not see the product (D9).
    async fn product(&self) -> Option<&ProductGQLType> {
        self.data.products.get(&self.model.product_id)
    }
    /// Null when the caller may not see the officer (D9).
    async fn officer(&self) -> Option<OfficerGQLType> {
        self.model
            .officer_id
            .and_then(|o| self.data.officers.get(&o))
            .cloned()
            .map(OfficerGQLType::from)
    }
    async fn offline(&self) -> bool {
        self.model.is_offline
    }
    async fn creation_date(&self) -> Date {
        Date(self.model.creation_date)
    }
    /// Σ of the valid contributions that are not photo fees.
    async fn sum_premiums(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.paid)
    }
    /// value − sumPremiums (ours; openIMIS filters on it with `balanceLte`/`balanceGte`).
    async fn balance(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.value - self.model.paid)
    }
    /// Whether the contributions reach the value (ours).
    async fn is_paid(&self) -> bool {
        self.model.paid >= self.model.value
    }
    /// Σ of the payments matched to the policy (ours).
    async fn sum_matched_payments(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.matched)
    }
    /// Coverage rows of the policy; the insuree of a row is null when outside the caller's
    /// locations (D9).
    async fn insuree_policies(&self, ctx: &Context<'_>) -> Result<InsureePolicyConnection> {
        let rows = match &self.data.coverage {
            Some(c) => c.get(&self.model.id).cloned().unwrap_or_default(),
            None => {
                let st = state(ctx);
                let load = async {
                    policy_nodes(
                        st,
                        ctx_caller(ctx)?,
                        vec![(self.model.clone(), self.history_id)],
                        PolicyWants {
                            coverage: true,
                            ..Default::default()
                        },
                    )
                    .await
                };
                let nodes = load
                    .await
                    .map_err(|e| e.to_gql(&imis_core::graphql::lang(ctx)))?;
                return Box::pin(nodes[0].insuree_policies(ctx)).await;
            }
        };
        Ok(one_page(rows).into_connection(|r| InsureePolicyGQLType {
            insuree: self.data.coverage_insurees.get(&r.insuree_id).cloned(),
            policy: Some(self.clone()),
            row: r,
        }))
    }
    /// What claims consumed of the policy's deductibles and ceilings.
    async fn claim_ded_rems(&self, ctx: &Context<'_>) -> Result<ClaimDedRemConnection> {
        let rows = match &self.data.consumption {
            Some(c) => c.get(&self.model.id).cloned().unwrap_or_default(),
            None => {
                use crate::entity::consumption;
                consumption::Entity::find()
                    .filter(consumption::Column::PolicyId.eq(self.model.id))
                    .current()
                    .all(&state(ctx).db.conn)
                    .await?
            }
        };
        Ok(one_page(rows).into_connection(ClaimDedRemGQLType))
    }
}
