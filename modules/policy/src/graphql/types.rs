//! Output types of the policy module, with openIMIS names (D3). A page loads the families,
//! products, officers and coverage rows its policies refer to in one query each.

use crate::entity::{insuree_policy, policy, renewal};
use crate::service::{self, eligibility::Eligibility, lists::PolicySummary};
use async_graphql::{Context, ID, Object, Result};
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::entity::user;
use imis_core::error::AppResult;
use imis_core::graphql::scalars::{Date, DateTime};
use imis_core::graphql::{global_id, principal, state};
use imis_core::money::Money;
use imis_core::users::graphql::OfficerGQLType;
use imis_insuree::graphql::{FamilyGQLType, InsureeGQLType, PageData, load_page_data};
use imis_product::graphql::{ProductGQLType, ProductWants, product_nodes, sees_product};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::Arc;

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

fn tz(ctx: &Context<'_>) -> chrono_tz::Tz {
    state(ctx).clock.tz
}

pub(crate) fn money(ctx: &Context<'_>, minor: i64) -> Decimal {
    Money(minor).to_decimal(state(ctx).config.core.currency_minor_digits)
}

/// What a page of policies loaded once for all its rows.
#[derive(Default)]
pub struct PolicyPageData {
    pub families: HashMap<i64, FamilyGQLType>,
    pub products: HashMap<i64, ProductGQLType>,
    pub officers: HashMap<i64, user::Model>,
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
async fn officers_by_ids(
    state: &AppState,
    caller: &Principal,
    ids: &[i64],
) -> AppResult<HashMap<i64, user::Model>> {
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

/// Whether the caller may see `insuree` (D9, as `insurees` decides: their current village, else
/// their family's), the family being looked up in `page` (loaded with the insuree).
pub async fn sees_insuree(
    state: &AppState,
    caller: &Principal,
    insuree: &imis_insuree::entity::insuree::Model,
    page: &PageData,
) -> AppResult<bool> {
    let location = insuree.current_village_id.or_else(|| {
        insuree
            .family_id
            .and_then(|f| page.families.get(&f))
            .map(|f| f.location_id)
    });
    caller.scope.allows(&state.db.conn, location).await
}

/// The caller of a nested field that loads its own data.
fn ctx_caller<'a>(ctx: &Context<'a>) -> AppResult<&'a Principal> {
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
        let mut fams = imis_insuree::service::families_by_ids(conn, &ids).await?;
        let mut hidden = vec![];
        for f in fams.values() {
            if !sees_family(state, caller, f.location_id).await? {
                hidden.push(f.id);
            }
        }
        fams.retain(|id, _| !hidden.contains(id));
        let refs: Vec<_> = fams.values().collect();
        let page = Arc::new(load_page_data(state, &[], &refs, false).await?);
        for f in fams.values() {
            data.families.insert(
                f.id,
                FamilyGQLType {
                    model: f.clone(),
                    history_id: None,
                    data: page.clone(),
                },
            );
        }
    }
    if wants.product {
        let ids: Vec<i64> = models.iter().map(|(m, _)| m.product_id).collect();
        let products = imis_product::service::products_by_ids(conn, &ids).await?;
        let nodes = product_nodes(
            state,
            products.into_values().map(|p| (p, None)).collect(),
            ProductWants {
                location: true,
                ..Default::default()
            },
        )
        .await?;
        for n in nodes {
            if sees_product(conn, caller, n.model.location_id).await? {
                data.products.insert(n.model.id, n);
            }
        }
    }
    if wants.officer {
        let ids: Vec<i64> = models.iter().filter_map(|(m, _)| m.officer_id).collect();
        data.officers = officers_by_ids(state, caller, &ids).await?;
    }
    let ids: Vec<i64> = models.iter().map(|(m, _)| m.id).collect();
    if wants.coverage && !ids.is_empty() {
        let rows = insuree_policy::Entity::find()
            .filter(insuree_policy::Column::PolicyId.is_in(ids.clone()))
            .filter(insuree_policy::Column::ValidityTo.is_null())
            .all(conn)
            .await?;
        let insuree_ids: Vec<i64> = rows.iter().map(|r| r.insuree_id).collect();
        let insurees = imis_insuree::service::insurees_by_ids(conn, &insuree_ids).await?;
        let refs: Vec<_> = insurees.values().collect();
        let page = Arc::new(load_page_data(state, &refs, &[], false).await?);
        for i in insurees.values() {
            if !sees_insuree(state, caller, i, &page).await? {
                continue;
            }
            data.coverage_insurees.insert(
                i.id,
                InsureeGQLType {
                    model: i.clone(),
                    history_id: None,
                    data: page.clone(),
                },
            );
        }
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
            .filter(consumption::Column::ValidityTo.is_null())
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

#[derive(Clone)]
pub struct PolicyGQLType {
    pub model: policy::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PolicyPageData>,
}

#[Object(name = "PolicyGQLType")]
impl PolicyGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("PolicyGQLTypeHistory", h),
            None => global_id("PolicyGQLType", self.model.id),
        }
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    /// The current row's id for a historical version.
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.model.id)
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.model.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model
            .validity_to
            .map(|t| DateTime::from_utc(t, tz(ctx)))
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
            .map(OfficerGQLType)
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
        let mut c = InsureePolicyConnection::with_additional_fields(
            false,
            false,
            imis_core::graphql::connection::ConnectionCounts {
                total_count: Some(rows.len() as i64),
                edge_count: rows.len() as i32,
            },
        );
        for (i, r) in rows.into_iter().enumerate() {
            c.edges.push(async_graphql::connection::Edge::new(
                i.to_string(),
                InsureePolicyGQLType {
                    insuree: self.data.coverage_insurees.get(&r.insuree_id).cloned(),
                    policy: Some(self.clone()),
                    row: r,
                },
            ));
        }
        Ok(c)
    }
    /// What claims consumed of the policy's deductibles and ceilings.
    async fn claim_ded_rems(&self, ctx: &Context<'_>) -> Result<ClaimDedRemConnection> {
        let rows = match &self.data.consumption {
            Some(c) => c.get(&self.model.id).cloned().unwrap_or_default(),
            None => {
                use crate::entity::consumption;
                consumption::Entity::find()
                    .filter(consumption::Column::PolicyId.eq(self.model.id))
                    .filter(consumption::Column::ValidityTo.is_null())
                    .all(&state(ctx).db.conn)
                    .await?
            }
        };
        let mut c = ClaimDedRemConnection::with_additional_fields(
            false,
            false,
            imis_core::graphql::connection::ConnectionCounts {
                total_count: Some(rows.len() as i64),
                edge_count: rows.len() as i32,
            },
        );
        for (i, r) in rows.into_iter().enumerate() {
            c.edges.push(async_graphql::connection::Edge::new(
                i.to_string(),
                ClaimDedRemGQLType(r),
            ));
        }
        Ok(c)
    }
}

/// A coverage row (openIMIS `InsureePolicyGQLType`).
#[derive(Clone)]
pub struct InsureePolicyGQLType {
    pub row: insuree_policy::Model,
    pub insuree: Option<InsureeGQLType>,
    pub policy: Option<PolicyGQLType>,
}

#[Object(name = "InsureePolicyGQLType")]
impl InsureePolicyGQLType {
    async fn id(&self) -> ID {
        global_id("InsureePolicyGQLType", self.row.id)
    }
    async fn uuid(&self) -> String {
        self.row.uuid.to_string()
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.row.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.row.validity_to.map(|t| DateTime::from_utc(t, tz(ctx)))
    }
    async fn insuree(&self) -> Option<&InsureeGQLType> {
        self.insuree.as_ref()
    }
    async fn policy(&self) -> Option<&PolicyGQLType> {
        self.policy.as_ref()
    }
    async fn enrollment_date(&self) -> Date {
        Date(self.row.enrollment_date)
    }
    async fn start_date(&self) -> Date {
        Date(self.row.start_date)
    }
    async fn effective_date(&self) -> Option<Date> {
        self.row.effective_date.map(Date)
    }
    async fn expiry_date(&self) -> Date {
        Date(self.row.expiry_date)
    }
    async fn offline(&self) -> bool {
        self.row.is_offline
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.row.audit_user_id
    }
}

/// A claim's consumption of a policy (openIMIS `ClaimDedRemGQLType`).
#[derive(Clone)]
pub struct ClaimDedRemGQLType(pub crate::entity::consumption::Model);

#[Object(name = "ClaimDedRemGQLType")]
impl ClaimDedRemGQLType {
    async fn id(&self) -> ID {
        global_id("ClaimDedRemGQLType", self.0.id)
    }
    async fn claim_id(&self) -> i64 {
        self.0.claim_id
    }
    async fn insuree_id(&self) -> i64 {
        self.0.insuree_id
    }
    async fn ded_g(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.ded_g)
    }
    async fn ded_op(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.ded_op)
    }
    async fn ded_ip(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.ded_ip)
    }
    async fn rem_g(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.rem_g)
    }
    async fn rem_op(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.rem_op)
    }
    async fn rem_ip(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.rem_ip)
    }
    async fn rem_consult(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.rem_consult)
    }
    async fn rem_surgery(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.rem_surgery)
    }
    async fn rem_delivery(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.rem_delivery)
    }
    async fn rem_hospitalization(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.rem_hospitalization)
    }
    async fn rem_antenatal(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.rem_antenatal)
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.0.validity_from, tz(ctx))
    }
}

/// `policyValues` answer.
pub struct PolicyAndWarningsGQLType {
    pub policy: PolicyGQLType,
    pub warnings: Vec<String>,
}

#[Object(name = "PolicyAndWarningsGQLType")]
impl PolicyAndWarningsGQLType {
    /// The policy as it would be created (not saved: `id` is not usable).
    async fn policy(&self) -> &PolicyGQLType {
        &self.policy
    }
    async fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// A row of `policiesByFamily` / `policiesByInsuree`.
pub struct PolicyByFamilyOrInsureeGQLType(pub PolicySummary);

#[Object(name = "PolicyByFamilyOrInsureeGQLType")]
impl PolicyByFamilyOrInsureeGQLType {
    async fn id(&self) -> ID {
        global_id("PolicyByFamilyOrInsureeGQLType", self.0.policy.id)
    }
    async fn policy_id(&self) -> i64 {
        self.0.policy.id
    }
    async fn policy_uuid(&self) -> String {
        self.0.policy.uuid.to_string()
    }
    async fn policy_value(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.policy.value)
    }
    async fn product_code(&self) -> &str {
        &self.0.product.code
    }
    async fn product_name(&self) -> &str {
        &self.0.product.name
    }
    async fn start_date(&self) -> Date {
        Date(self.0.policy.start_date)
    }
    async fn enroll_date(&self) -> Date {
        Date(self.0.policy.enroll_date)
    }
    async fn effective_date(&self) -> Option<Date> {
        self.0.policy.effective_date.map(Date)
    }
    async fn expiry_date(&self) -> Date {
        Date(self.0.policy.expiry_date)
    }
    async fn officer_code(&self) -> Option<&str> {
        self.0
            .officer
            .as_ref()
            .and_then(|o| o.officer_code.as_deref())
    }
    async fn officer_name(&self) -> Option<String> {
        self.0
            .officer
            .as_ref()
            .map(|o| format!("{} {}", o.other_names, o.last_name))
    }
    async fn status(&self) -> i32 {
        self.0.policy.status
    }
    async fn ded(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.ded)
    }
    async fn ded_in_patient(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.ded_in_patient)
    }
    async fn ded_out_patient(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.ded_out_patient)
    }
    async fn ceiling(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.ceiling.map(|v| money(ctx, v))
    }
    async fn ceiling_in_patient(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.ceiling_in_patient.map(|v| money(ctx, v))
    }
    async fn ceiling_out_patient(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.ceiling_out_patient.map(|v| money(ctx, v))
    }
    /// value − contributions paid.
    async fn balance(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.balance)
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> Date {
        Date(state(ctx).clock.date_of(self.0.policy.validity_from))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<Date> {
        self.0
            .policy
            .validity_to
            .map(|t| Date(state(ctx).clock.date_of(t)))
    }
    async fn max_installments(&self) -> Option<i32> {
        self.0.product.max_installments
    }
}

/// `policyEligibilityByInsuree` & co (amounts as Decimal, D3).
pub struct EligibilityGQLType(pub Eligibility);

#[Object(name = "EligibilityGQLType")]
impl EligibilityGQLType {
    async fn prod_id(&self) -> Option<&str> {
        self.0.prod_id.as_deref()
    }
    async fn total_admissions_left(&self) -> Option<i64> {
        self.0.total_admissions_left
    }
    async fn total_visits_left(&self) -> Option<i64> {
        self.0.total_visits_left
    }
    async fn total_consultations_left(&self) -> Option<i64> {
        self.0.total_consultations_left
    }
    async fn total_surgeries_left(&self) -> Option<i64> {
        self.0.total_surgeries_left
    }
    async fn total_deliveries_left(&self) -> Option<i64> {
        self.0.total_deliveries_left
    }
    async fn total_antenatal_left(&self) -> Option<i64> {
        self.0.total_antenatal_left
    }
    async fn consultation_amount_left(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.consultation_amount_left.map(|v| money(ctx, v))
    }
    async fn surgery_amount_left(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.surgery_amount_left.map(|v| money(ctx, v))
    }
    async fn delivery_amount_left(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.delivery_amount_left.map(|v| money(ctx, v))
    }
    async fn hospitalization_amount_left(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.hospitalization_amount_left.map(|v| money(ctx, v))
    }
    async fn antenatal_amount_left(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.antenatal_amount_left.map(|v| money(ctx, v))
    }
    async fn min_date_service(&self) -> Option<Date> {
        self.0.min_date_service.map(Date)
    }
    async fn min_date_item(&self) -> Option<Date> {
        self.0.min_date_item.map(Date)
    }
    async fn service_left(&self) -> Option<i64> {
        self.0.service_left
    }
    async fn item_left(&self) -> Option<i64> {
        self.0.item_left
    }
    async fn is_item_ok(&self) -> bool {
        self.0.is_item_ok
    }
    async fn is_service_ok(&self) -> bool {
        self.0.is_service_ok
    }
}

/// Loaded references of a page of renewal reminders.
#[derive(Default)]
pub struct RenewalPageData {
    pub officers: HashMap<i64, user::Model>,
    pub insurees: HashMap<i64, InsureeGQLType>,
    pub policies: HashMap<i64, PolicyGQLType>,
    pub products: HashMap<i64, ProductGQLType>,
}

/// Builds reminder nodes with their officers, insurees, policies and products (one query each),
/// shown as the root lists would show them to `caller` (D9): an officer sees their own reminders,
/// but a policy, insuree, officer or product outside their locations is null.
pub async fn renewal_nodes(
    state: &AppState,
    caller: &Principal,
    rows: Vec<renewal::Model>,
    policy_wants: PolicyWants,
) -> AppResult<Vec<PolicyRenewalGQLType>> {
    let conn = &state.db.conn;
    let mut data = RenewalPageData::default();
    let officer_ids: Vec<i64> = rows.iter().filter_map(|r| r.new_officer_id).collect();
    data.officers = officers_by_ids(state, caller, &officer_ids).await?;
    let insuree_ids: Vec<i64> = rows.iter().map(|r| r.insuree_id).collect();
    let insurees = imis_insuree::service::insurees_by_ids(conn, &insuree_ids).await?;
    let refs: Vec<_> = insurees.values().collect();
    let page = Arc::new(load_page_data(state, &refs, &[], false).await?);
    for i in insurees.values() {
        if !sees_insuree(state, caller, i, &page).await? {
            continue;
        }
        data.insurees.insert(
            i.id,
            InsureeGQLType {
                model: i.clone(),
                history_id: None,
                data: page.clone(),
            },
        );
    }
    let policy_ids: Vec<i64> = rows.iter().map(|r| r.policy_id).collect();
    let mut policies = service::policies_by_ids(conn, &policy_ids).await?;
    if !caller.scope.unrestricted {
        // A policy is in scope through its family (as `policies` decides).
        let family_ids: Vec<i64> = policies.values().map(|p| p.family_id).collect();
        let families = imis_insuree::service::families_by_ids(conn, &family_ids).await?;
        let mut seen = std::collections::HashSet::new();
        for f in families.values() {
            if sees_family(state, caller, f.location_id).await? {
                seen.insert(f.id);
            }
        }
        policies.retain(|_, p| seen.contains(&p.family_id));
    }
    for n in policy_nodes(
        state,
        caller,
        policies.into_values().map(|p| (p, None)).collect(),
        policy_wants,
    )
    .await?
    {
        data.policies.insert(n.model.id, n);
    }
    let product_ids: Vec<i64> = rows.iter().map(|r| r.new_product_id).collect();
    let products = imis_product::service::products_by_ids(conn, &product_ids).await?;
    for n in product_nodes(
        state,
        products.into_values().map(|p| (p, None)).collect(),
        ProductWants::default(),
    )
    .await?
    {
        if sees_product(conn, caller, n.model.location_id).await? {
            data.products.insert(n.model.id, n);
        }
    }
    let data = Arc::new(data);
    Ok(rows
        .into_iter()
        .map(|model| PolicyRenewalGQLType {
            model,
            data: data.clone(),
        })
        .collect())
}

#[derive(Clone)]
pub struct PolicyRenewalGQLType {
    pub model: renewal::Model,
    pub data: Arc<RenewalPageData>,
}

#[Object(name = "PolicyRenewalGQLType")]
impl PolicyRenewalGQLType {
    async fn id(&self) -> ID {
        global_id("PolicyRenewalGQLType", self.model.id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.model.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model
            .validity_to
            .map(|t| DateTime::from_utc(t, tz(ctx)))
    }
    async fn new_officer(&self) -> Option<OfficerGQLType> {
        self.model
            .new_officer_id
            .and_then(|o| self.data.officers.get(&o))
            .cloned()
            .map(OfficerGQLType)
    }
    async fn insuree(&self) -> Option<&InsureeGQLType> {
        self.data.insurees.get(&self.model.insuree_id)
    }
    async fn policy(&self) -> Option<&PolicyGQLType> {
        self.data.policies.get(&self.model.policy_id)
    }
    async fn new_product(&self) -> Option<&ProductGQLType> {
        self.data.products.get(&self.model.new_product_id)
    }
    async fn renewal_prompt_date(&self) -> Date {
        Date(self.model.renewal_prompt_date)
    }
    async fn renewal_date(&self) -> Date {
        Date(self.model.renewal_date)
    }
    async fn phone_number(&self) -> Option<&str> {
        self.model.phone_number.as_deref()
    }
    async fn sms_status(&self) -> i32 {
        self.model.sms_status
    }
    /// 1 no valid product, 2 no officer, 4 officer not working on the renewal date.
    async fn renewal_warnings(&self) -> i32 {
        self.model.renewal_warnings
    }
    async fn response_status(&self) -> Option<i32> {
        self.model.response_status
    }
    async fn response_date(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model
            .response_date
            .map(|t| DateTime::from_utc(t, tz(ctx)))
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
}
