//! Output types of payments and their detail lines.

use super::*;

/// What to load for a page of payments.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentWants {
    pub details: Option<PremiumWantsOfDetail>,
}

/// What detail lines load: their premium (and what the premium loads).
#[derive(Debug, Clone, Copy, Default)]
pub struct PremiumWantsOfDetail {
    pub premium: Option<PremiumWants>,
    pub payment: bool,
}

impl PremiumWantsOfDetail {
    pub fn of(node: async_graphql::Lookahead<'_>) -> Self {
        let premium = node.field("premium");
        PremiumWantsOfDetail {
            premium: premium.exists().then(|| PremiumWants::of(premium)),
            payment: node.field("payment").exists(),
        }
    }
}

impl PaymentWants {
    pub fn of(node: async_graphql::Lookahead<'_>) -> Self {
        let details = node.field("paymentDetails");
        PaymentWants {
            details: details
                .exists()
                .then(|| PremiumWantsOfDetail::of(details.field("edges").field("node"))),
        }
    }
}

#[derive(Default)]
pub struct PaymentPageData {
    /// Current detail lines by payment (loaded when `paymentDetails` is selected).
    pub details: Option<HashMap<i64, Vec<PaymentDetailGQLType>>>,
}

/// The detail lines `caller` may see (D9): all for an unrestricted caller, else the lines of
/// premiums in their scope (lines without a premium are hidden).
pub async fn visible_lines(
    state: &AppState,
    caller: &Principal,
    rows: Vec<payment_detail::Model>,
) -> AppResult<Vec<payment_detail::Model>> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.premium_id).collect();
    Ok(
        match service::premiums_in_scope(&state.db.conn, caller, &ids).await? {
            None => rows,
            Some(visible) => rows
                .into_iter()
                .filter(|r| r.premium_id.is_some_and(|p| visible.contains(&p)))
                .collect(),
        },
    )
}

/// Builds payment nodes, loading their detail lines (and premiums) when selected; the lines and
/// premiums are those `caller` may see (D9).
pub async fn payment_nodes(
    state: &AppState,
    caller: &Principal,
    models: Vec<(payment::Model, Option<i64>)>,
    wants: PaymentWants,
) -> AppResult<Vec<PaymentGQLType>> {
    let conn = &state.db.conn;
    let mut data = PaymentPageData::default();
    if let Some(dw) = wants.details {
        let ids: Vec<i64> = models.iter().map(|(m, _)| m.id).collect();
        let rows: Vec<payment_detail::Model> = service::payments::details_of(conn, &ids)
            .await?
            .into_values()
            .flatten()
            .collect();
        let rows = visible_lines(state, caller, rows).await?;
        let plain = Arc::new(PaymentPageData::default());
        let parents: HashMap<i64, PaymentGQLType> = models
            .iter()
            .filter(|(_, h)| h.is_none())
            .map(|(m, _)| {
                (
                    m.id,
                    PaymentGQLType {
                        model: m.clone(),
                        history_id: None,
                        data: plain.clone(),
                    },
                )
            })
            .collect();
        let nodes = Box::pin(detail_nodes(
            state,
            caller,
            rows.into_iter().map(|r| (r, None)).collect(),
            dw,
            Some(parents),
        ))
        .await?;
        let mut by_payment: HashMap<i64, Vec<PaymentDetailGQLType>> = HashMap::new();
        for n in nodes {
            by_payment.entry(n.model.payment_id).or_default().push(n);
        }
        for l in by_payment.values_mut() {
            l.sort_by_key(|n| n.model.id);
        }
        data.details = Some(by_payment);
    }
    let data = Arc::new(data);
    Ok(models
        .into_iter()
        .map(|(model, history_id)| PaymentGQLType {
            model,
            history_id,
            data: data.clone(),
        })
        .collect())
}

/// `PaymentGQLType` (openIMIS payment module): a received payment or one of its versions.
#[derive(Clone)]
pub struct PaymentGQLType {
    pub model: payment::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PaymentPageData>,
}

#[Object(name = "PaymentGQLType")]
impl PaymentGQLType {
    pub async fn id(&self) -> ID {
        node_id("PaymentGQLType", self.model.id, self.history_id)
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
    async fn expected_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.expected_amount.map(|v| money(ctx, v))
    }
    async fn received_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.received_amount.map(|v| money(ctx, v))
    }
    async fn officer_code(&self) -> Option<&str> {
        self.model.officer_code.as_deref()
    }
    async fn phone_number(&self) -> Option<&str> {
        self.model.phone_number.as_deref()
    }
    async fn request_date(&self) -> Option<Date> {
        self.model.request_date.map(Date)
    }
    async fn received_date(&self) -> Option<Date> {
        self.model.received_date.map(Date)
    }
    /// 1 created, 2 control number requested, 3 control number received, 4 received, 5 matched;
    /// negative: failures.
    async fn status(&self) -> i32 {
        self.model.status
    }
    async fn transaction_no(&self) -> Option<&str> {
        self.model.transaction_no.as_deref()
    }
    async fn origin(&self) -> Option<&str> {
        self.model.origin.as_deref()
    }
    async fn matched_date(&self) -> Option<Date> {
        self.model.matched_date.map(Date)
    }
    async fn receipt_no(&self) -> Option<&str> {
        self.model.receipt_no.as_deref()
    }
    async fn payment_date(&self) -> Option<Date> {
        self.model.payment_date.map(Date)
    }
    /// The rejection codes of the last matching attempt, per line.
    async fn rejected_reason(&self) -> Option<&str> {
        self.model.rejected_reason.as_deref()
    }
    async fn date_last_sms(&self) -> Option<Date> {
        self.model.date_last_sms.map(Date)
    }
    async fn language_name(&self) -> Option<&str> {
        self.model.language_name.as_deref()
    }
    async fn type_of_payment(&self) -> Option<&str> {
        self.model.type_of_payment.as_deref()
    }
    async fn transfer_fee(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.transfer_fee.map(|v| money(ctx, v))
    }
    async fn reconc_req_id(&self) -> Option<&str> {
        self.model.reconc_req_id.as_deref()
    }
    async fn reconciliation_date(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.reconciliation_date.map(|t| date_time(ctx, t))
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
    /// The payment's current detail lines (a restricted caller: those of premiums in their
    /// locations, D9).
    async fn payment_details(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
    ) -> Result<PaymentDetailConnection> {
        let rows = match &self.data.details {
            Some(map) => map.get(&self.model.id).cloned().unwrap_or_default(),
            None => {
                let st = state(ctx);
                let load = async {
                    let caller = require_user(principal(ctx), Requirement::Authenticated)?;
                    let rows = service::payments::details_of(&st.db.conn, &[self.model.id])
                        .await?
                        .remove(&self.model.id)
                        .unwrap_or_default();
                    let rows = visible_lines(st, caller, rows).await?;
                    let wants =
                        PremiumWantsOfDetail::of(ctx.look_ahead().field("edges").field("node"));
                    detail_nodes(
                        st,
                        caller,
                        rows.into_iter().map(|r| (r, None)).collect(),
                        wants,
                        None,
                    )
                    .await
                };
                load.await.gql(ctx)?
            }
        };
        Ok(nested_page(ctx, rows, first, last, after, before)?.into_connection(|n| n))
    }
}

#[derive(Default)]
pub struct DetailPageData {
    pub premiums: HashMap<i64, PremiumGQLType>,
    pub payments: HashMap<i64, PaymentGQLType>,
}

/// Builds detail-line nodes with their premiums and payments (one query each). A line's premium
/// (and through it the policy, family and insurees) is shown only when `caller` may see it (D9):
/// null otherwise.
pub async fn detail_nodes(
    state: &AppState,
    caller: &Principal,
    rows: Vec<(payment_detail::Model, Option<i64>)>,
    wants: PremiumWantsOfDetail,
    parents: Option<HashMap<i64, PaymentGQLType>>,
) -> AppResult<Vec<PaymentDetailGQLType>> {
    let conn = &state.db.conn;
    let mut data = DetailPageData::default();
    if let Some(pw) = wants.premium {
        let mut ids: Vec<i64> = rows.iter().filter_map(|(r, _)| r.premium_id).collect();
        if let Some(visible) = service::premiums_in_scope(conn, caller, &ids).await? {
            ids.retain(|id| visible.contains(id));
        }
        let premiums = service::premiums::premiums_by_ids(conn, &ids).await?;
        for n in premium_nodes(
            state,
            caller,
            premiums.into_values().map(|p| (p, None)).collect(),
            pw,
        )
        .await?
        {
            data.premiums.insert(n.model.id, n);
        }
    }
    data.payments = match parents {
        Some(p) => p,
        None if wants.payment => {
            let mut ids: Vec<i64> = rows.iter().map(|(r, _)| r.payment_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let models = payment::Entity::find()
                .filter(payment::Column::Id.is_in(ids))
                .all(conn)
                .await?;
            payment_nodes(
                state,
                caller,
                models.into_iter().map(|m| (m, None)).collect(),
                PaymentWants::default(),
            )
            .await?
            .into_iter()
            .map(|n| (n.model.id, n))
            .collect()
        }
        None => HashMap::new(),
    };
    let data = Arc::new(data);
    Ok(rows
        .into_iter()
        .map(|(model, history_id)| PaymentDetailGQLType {
            model,
            history_id,
            data: data.clone(),
        })
        .collect())
}

/// `PaymentDetailGQLType`: a line of a payment.
#[derive(Clone)]
pub struct PaymentDetailGQLType {
    pub model: payment_detail::Model,
    pub history_id: Option<i64>,
    pub data: Arc<DetailPageData>,
}

#[Object(name = "PaymentDetailGQLType")]
impl PaymentDetailGQLType {
    pub async fn id(&self) -> ID {
        node_id("PaymentDetailGQLType", self.model.id, self.history_id)
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
    async fn payment(&self) -> Option<&PaymentGQLType> {
        self.data.payments.get(&self.model.payment_id)
    }
    async fn product_code(&self) -> Option<&str> {
        self.model.product_code.as_deref()
    }
    async fn insurance_number(&self) -> Option<&str> {
        self.model.insurance_number.as_deref()
    }
    async fn policy_stage(&self) -> Option<&str> {
        self.model.policy_stage.as_deref()
    }
    async fn amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.amount.map(|v| money(ctx, v))
    }
    async fn premium(&self) -> Option<&PremiumGQLType> {
        self.model
            .premium_id
            .and_then(|p| self.data.premiums.get(&p))
    }
    async fn enrollment_date(&self) -> Option<Date> {
        self.model.enrollment_date.map(Date)
    }
    async fn expected_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.expected_amount.map(|v| money(ctx, v))
    }
}
