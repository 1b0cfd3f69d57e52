//! Output types of premiums (contributions).

use super::*;

/// What to load for a page of premiums.
#[derive(Debug, Clone, Copy, Default)]
pub struct PremiumWants {
    pub policy: Option<PolicyWants>,
    pub payer: bool,
    pub other_premiums: bool,
}

impl PremiumWants {
    pub fn all() -> Self {
        PremiumWants {
            policy: Some(PolicyWants::all()),
            payer: true,
            other_premiums: true,
        }
    }
    /// What the selection under `node` asks for.
    pub fn of(node: async_graphql::Lookahead<'_>) -> Self {
        let policy = node.field("policy");
        PremiumWants {
            policy: policy.exists().then(|| PolicyWants::of(policy)),
            payer: node.field("payer").exists(),
            other_premiums: node.field("otherPremiums").exists(),
        }
    }
}

#[derive(Default)]
pub struct PremiumPageData {
    pub policies: HashMap<i64, PolicyGQLType>,
    pub payers: HashMap<i64, PayerGQLType>,
    pub other_premiums: HashMap<i64, i64>,
}

/// Builds premium nodes, loading what `wants` names in a fixed number of queries. What they refer
/// to is shown as the root lists would show it to `caller` (D9): a payer they may not see is
/// null, and so is what the policy refers to outside their locations. (The policy itself is in
/// scope: premiums are listed, and lines show them, only when their policy's family is.)
pub async fn premium_nodes(
    state: &AppState,
    caller: &Principal,
    models: Vec<(premium::Model, Option<i64>)>,
    wants: PremiumWants,
) -> AppResult<Vec<PremiumGQLType>> {
    let conn = &state.db.conn;
    let mut data = PremiumPageData::default();
    if let Some(pw) = wants.policy {
        let ids: Vec<i64> = models.iter().map(|(m, _)| m.policy_id).collect();
        data.policies = policy_nodes_by_ids(state, caller, &ids, pw).await?;
    }
    if wants.payer {
        let ids: Vec<i64> = models.iter().filter_map(|(m, _)| m.payer_id).collect();
        data.payers = visible_payer_nodes(state, caller, &ids).await?;
    }
    if wants.other_premiums {
        let refs: Vec<&premium::Model> = models.iter().map(|(m, _)| m).collect();
        data.other_premiums = service::premiums::other_premiums(conn, &refs).await?;
    }
    let data = Arc::new(data);
    Ok(models
        .into_iter()
        .map(|(model, history_id)| PremiumGQLType {
            model,
            history_id,
            data: data.clone(),
        })
        .collect())
}

/// `PremiumGQLType`: a contribution or one of its versions (D7).
#[derive(Clone)]
pub struct PremiumGQLType {
    pub model: premium::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PremiumPageData>,
}

#[Object(name = "PremiumGQLType")]
impl PremiumGQLType {
    pub async fn id(&self) -> ID {
        node_id("PremiumGQLType", self.model.id, self.history_id)
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
    async fn policy(&self, ctx: &Context<'_>) -> Result<Option<PolicyGQLType>> {
        if let Some(p) = self.data.policies.get(&self.model.policy_id) {
            return Ok(Some(p.clone()));
        }
        let st = state(ctx);
        let lang = imis_core::graphql::lang(ctx);
        let load = async {
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            let id = self.model.policy_id;
            Ok::<_, imis_core::AppError>(
                policy_nodes_by_ids(st, caller, &[id], PolicyWants::of(ctx.look_ahead()))
                    .await?
                    .remove(&id),
            )
        };
        load.await.map_err(|e| e.to_gql(&lang))
    }
    /// Null when the caller may not see the payer (D9).
    async fn payer(&self) -> Option<&PayerGQLType> {
        self.model.payer_id.and_then(|p| self.data.payers.get(&p))
    }
    async fn amount(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.amount)
    }
    async fn receipt(&self) -> &str {
        &self.model.receipt
    }
    async fn pay_date(&self) -> Date {
        Date(self.model.pay_date)
    }
    /// `C` cash, `B` bank transfer, `M` mobile phone, `F` funding.
    async fn pay_type(&self) -> &str {
        &self.model.pay_type
    }
    async fn is_photo_fee(&self) -> bool {
        self.model.is_photo_fee
    }
    async fn is_offline(&self) -> bool {
        self.model.is_offline
    }
    async fn reporting_id(&self) -> Option<i64> {
        self.model.reporting_id
    }
    async fn reporting_commission_id(&self) -> Option<i64> {
        self.model.reporting_commission_id
    }
    async fn overview_commission_report(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model
            .overview_commission_report
            .map(|t| date_time(ctx, t))
    }
    async fn all_details_commission_report(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model
            .all_details_commission_report
            .map(|t| date_time(ctx, t))
    }
    async fn source(&self) -> Option<&str> {
        self.model.source.as_deref()
    }
    async fn source_version(&self) -> Option<&str> {
        self.model.source_version.as_deref()
    }
    async fn created_date(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.created_date)
    }
    /// Mutations run synchronously: never pending.
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
    /// Σ of the policy's other valid contributions that are not photo fees.
    async fn other_premiums(&self, ctx: &Context<'_>) -> Result<Decimal> {
        let v = match self.data.other_premiums.get(&self.model.id) {
            Some(v) => *v,
            None => {
                let st = state(ctx);
                service::premiums::other_premiums(&st.db.conn, &[&self.model])
                    .await
                    .map_err(|e| e.to_gql(&imis_core::graphql::lang(ctx)))?
                    .remove(&self.model.id)
                    .unwrap_or(0)
            }
        };
        Ok(money(ctx, v))
    }
}
