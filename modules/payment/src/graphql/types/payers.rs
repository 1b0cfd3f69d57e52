//! Output types of payers and their fundings.

use super::*;

/// `PayerType`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PayerType")]
pub enum PayerType {
    #[graphql(name = "C")]
    C,
    #[graphql(name = "D")]
    D,
    #[graphql(name = "G")]
    G,
    #[graphql(name = "L")]
    L,
    #[graphql(name = "O")]
    O,
    #[graphql(name = "P")]
    P,
}

impl PayerType {
    fn of(code: &str) -> PayerType {
        match code {
            "C" => PayerType::C,
            "D" => PayerType::D,
            "G" => PayerType::G,
            "L" => PayerType::L,
            "P" => PayerType::P,
            _ => PayerType::O,
        }
    }
}

/// `FundingStatus`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "FundingStatus")]
pub enum FundingStatus {
    #[graphql(name = "N")]
    N,
    #[graphql(name = "P")]
    P,
    #[graphql(name = "A")]
    A,
    #[graphql(name = "R")]
    R,
}

impl FundingStatus {
    pub fn code(self) -> &'static str {
        match self {
            FundingStatus::N => "N",
            FundingStatus::P => "P",
            FundingStatus::A => "A",
            FundingStatus::R => "R",
        }
    }
    fn of(code: &str) -> FundingStatus {
        match code {
            "N" => FundingStatus::N,
            "A" => FundingStatus::A,
            "R" => FundingStatus::R,
            _ => FundingStatus::P,
        }
    }
}

/// What to load for a page of payers.
#[derive(Debug, Clone, Copy, Default)]
pub struct PayerWants {
    pub location: bool,
    pub fundings: bool,
}

impl PayerWants {
    pub fn of(node: async_graphql::Lookahead<'_>) -> Self {
        PayerWants {
            location: node.field("location").exists(),
            fundings: node.field("fundings").exists(),
        }
    }
}

#[derive(Default)]
pub struct PayerPageData {
    pub locations: HashMap<i64, LocationGQLType>,
    /// Current fundings by payer, newest pay date first (loaded when `fundings` is selected).
    pub fundings: Option<HashMap<i64, Vec<FundingGQLType>>>,
}

/// Builds payer nodes, loading what `wants` names in a fixed number of queries; their fundings'
/// products are shown as `products` would show them to `caller` (D9).
pub async fn payer_nodes(
    state: &AppState,
    caller: &Principal,
    models: Vec<(payer::Model, Option<i64>)>,
    wants: PayerWants,
) -> AppResult<Vec<PayerGQLType>> {
    let conn = &state.db.conn;
    let mut data = PayerPageData::default();
    if wants.location || wants.fundings {
        let ids: Vec<i64> = models.iter().map(|(m, _)| m.location_id).collect();
        data.locations = location_nodes(conn, &ids).await?;
    }
    if wants.fundings {
        let mut ids: Vec<i64> = models.iter().map(|(m, _)| m.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows = current_fundings(conn, ids).await?;
        // The fundings' payer field shows these payers (without their fundings).
        let plain = Arc::new(PayerPageData {
            locations: data.locations.clone(),
            fundings: None,
        });
        let payers: HashMap<i64, PayerGQLType> = models
            .iter()
            .filter(|(_, h)| h.is_none())
            .map(|(m, _)| {
                (
                    m.id,
                    PayerGQLType {
                        model: m.clone(),
                        history_id: None,
                        data: plain.clone(),
                    },
                )
            })
            .collect();
        let nodes = Box::pin(funding_nodes_with(state, caller, rows, Some(payers), true)).await?;
        let mut by_payer: HashMap<i64, Vec<FundingGQLType>> = HashMap::new();
        for n in nodes {
            by_payer.entry(n.model.payer_id).or_default().push(n);
        }
        data.fundings = Some(by_payer);
    }
    let data = Arc::new(data);
    Ok(models
        .into_iter()
        .map(|(model, history_id)| PayerGQLType {
            model,
            history_id,
            data: data.clone(),
        })
        .collect())
}

/// The current fundings of the payers `ids`, newest pay date first.
async fn current_fundings(
    conn: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> AppResult<Vec<funding::Model>> {
    Ok(funding::Entity::find()
        .filter(funding::Column::PayerId.is_in(ids))
        .current()
        .order_by_desc(funding::Column::PayDate)
        .order_by_desc(funding::Column::Id)
        .all(conn)
        .await?)
}

/// `PayerGQLType`: a payer or one of its versions (D7).
#[derive(Clone)]
pub struct PayerGQLType {
    pub model: payer::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PayerPageData>,
}

#[Object(name = "PayerGQLType")]
impl PayerGQLType {
    pub async fn id(&self) -> ID {
        node_id("PayerGQLType", self.model.id, self.history_id)
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
    #[graphql(name = "type")]
    async fn payer_type(&self) -> PayerType {
        PayerType::of(&self.model.payer_type)
    }
    async fn name(&self) -> &str {
        &self.model.name
    }
    async fn address(&self) -> Option<&str> {
        self.model.address.as_deref()
    }
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<LocationGQLType>> {
        let l = self.model.location_id;
        if let Some(n) = self.data.locations.get(&l) {
            return Ok(Some(n.clone()));
        }
        Ok(location_nodes(&state(ctx).db.conn, &[l])
            .await
            .map_err(|e| e.to_gql(&imis_core::graphql::lang(ctx)))?
            .remove(&l))
    }
    async fn phone(&self) -> Option<&str> {
        self.model.phone.as_deref()
    }
    async fn fax(&self) -> Option<&str> {
        self.model.fax.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.model.email.as_deref()
    }
    /// The payer's current fundings, newest pay date first.
    async fn fundings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
    ) -> Result<PayerFundingConnection> {
        let rows = match &self.data.fundings {
            Some(map) => map.get(&self.model.id).cloned().unwrap_or_default(),
            None => {
                let st = state(ctx);
                let load = async {
                    let rows = current_fundings(&st.db.conn, vec![self.model.id]).await?;
                    let caller = require_user(principal(ctx), Requirement::Authenticated)?;
                    funding_nodes_with(st, caller, rows, None, true).await
                };
                load.await.gql(ctx)?
            }
        };
        Ok(nested_page(ctx, rows, first, last, after, before)?.into_connection(|n| n))
    }
}

#[derive(Default)]
pub struct FundingPageData {
    pub products: HashMap<i64, ProductGQLType>,
    pub payers: HashMap<i64, PayerGQLType>,
}

/// The payers `ids` that `caller` may see (D9), as nodes with their location (what a premium's
/// or a funding's `payer` field shows), by id.
pub(crate) async fn visible_payer_nodes(
    state: &AppState,
    caller: &Principal,
    ids: &[i64],
) -> AppResult<HashMap<i64, PayerGQLType>> {
    let conn = &state.db.conn;
    let mut models = service::payers::payers_by_ids(conn, ids).await?;
    let mut hidden = vec![];
    for p in models.values() {
        if !service::payers::payer_visible(conn, caller, p.location_id).await? {
            hidden.push(p.id);
        }
    }
    models.retain(|id, _| !hidden.contains(id));
    let wants = PayerWants {
        location: true,
        fundings: false,
    };
    let models = models.into_values().map(|p| (p, None)).collect();
    Ok(payer_nodes(state, caller, models, wants)
        .await?
        .into_iter()
        .map(|n| (n.model.id, n))
        .collect())
}

/// Builds funding nodes with their products (one query) and payers (given, or one query). A
/// product or payer `caller` may not see (D9: a regional payer's funding of another district's
/// product, say) is null.
pub async fn funding_nodes_with(
    state: &AppState,
    caller: &Principal,
    rows: Vec<funding::Model>,
    payers: Option<HashMap<i64, PayerGQLType>>,
    product: bool,
) -> AppResult<Vec<FundingGQLType>> {
    let mut data = FundingPageData::default();
    if product {
        let ids: Vec<i64> = rows.iter().map(|r| r.product_id).collect();
        data.products = imis_product::api::product_nodes_by_ids(state, caller, &ids, true).await?;
    }
    data.payers = match payers {
        Some(p) => p,
        None => {
            let ids: Vec<i64> = rows.iter().map(|r| r.payer_id).collect();
            visible_payer_nodes(state, caller, &ids).await?
        }
    };
    let data = Arc::new(data);
    Ok(rows
        .into_iter()
        .map(|model| FundingGQLType {
            model,
            data: data.clone(),
        })
        .collect())
}

/// `FundingGQLType`: money a payer gave to a product.
#[derive(Clone)]
pub struct FundingGQLType {
    pub model: funding::Model,
    pub data: Arc<FundingPageData>,
}

#[Object(name = "FundingGQLType")]
impl FundingGQLType {
    pub async fn id(&self) -> ID {
        global_id("FundingGQLType", self.model.id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn is_deleted(&self) -> bool {
        self.model.validity_to.is_some()
    }
    async fn json_ext(&self) -> Option<JsonString> {
        self.model
            .json_ext
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .map(JsonString)
    }
    async fn date_created(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.created_at)
    }
    async fn date_updated(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.validity_from)
    }
    async fn version(&self) -> i32 {
        self.model.version
    }
    /// Null when the caller may not see the product (D9).
    async fn product(&self) -> Option<&ProductGQLType> {
        self.data.products.get(&self.model.product_id)
    }
    async fn amount(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.amount)
    }
    async fn pay_date(&self) -> Date {
        Date(self.model.pay_date)
    }
    async fn status(&self) -> FundingStatus {
        FundingStatus::of(&self.model.status)
    }
    async fn payer(&self) -> Option<&PayerGQLType> {
        self.data.payers.get(&self.model.payer_id)
    }
    async fn receipt(&self) -> &str {
        &self.model.receipt
    }
}
