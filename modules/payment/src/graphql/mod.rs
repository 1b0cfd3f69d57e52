//! GraphQL of the payment module (openIMIS names of the contribution, payer and payment modules,
//! D3). Resolvers check the right first, then parse their arguments and call one service
//! function (which checks the right again and applies the location scope); mutations run through
//! `run_mutation` with the right checked as the first statement of the body.

pub mod types;

use crate::entity::{funding, payer, payment, payment_detail, premium};
use crate::service::matching::MatchOutcome;
use crate::service::payers::{FundingFilter, FundingInput, PayerFilter, PayerInput};
use crate::service::payments::{
    PaymentDetailFilter, PaymentDetailInput, PaymentFilter, PaymentInput,
};
use crate::service::premiums::{PremiumFilter, PremiumInput};
use crate::service::{self, AmountRange, DateRange};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use imis_core::AppState;
use imis_core::auth::{Requirement, require_user};
use imis_core::error::{AppError, AppResult};
use imis_core::graphql::connection::{Page, PageArgs, fetch_page, wants_total};
use imis_core::graphql::scalars::Date;
use imis_core::graphql::{
    GqlResult, MutationEnvelopeInput, parse_pk, parse_uuid, principal, run_mutation, state,
};
use imis_core::money::Money;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
pub use types::*;
use uuid::Uuid;

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

fn check_list(ctx: &Context<'_>) -> Result<()> {
    if let Some(p) = principal(ctx) {
        p.check_csrf().gql(ctx)?;
    }
    Ok(())
}

fn rights(ctx: &Context<'_>, any_of: &'static [i32]) -> Result<()> {
    require_user(principal(ctx), Requirement::AnyOf(any_of)).gql(ctx)?;
    check_list(ctx)
}

use imis_core::graphql::parse_opt_uuid as opt_uuid;

fn pk(v: &Option<ID>, type_name: &str) -> AppResult<Option<i64>> {
    v.as_ref()
        .map(|id| parse_pk(id.trim(), type_name))
        .transpose()
}

fn dates(
    eq: Option<Date>,
    gt: Option<Date>,
    gte: Option<Date>,
    lt: Option<Date>,
    lte: Option<Date>,
) -> DateRange {
    DateRange {
        eq: eq.map(|d| d.0),
        gt: gt.map(|d| d.0),
        gte: gte.map(|d| d.0),
        lt: lt.map(|d| d.0),
        lte: lte.map(|d| d.0),
    }
}

fn page_args(
    first: Option<i32>,
    last: Option<i32>,
    after: Option<String>,
    before: Option<String>,
    offset: Option<i32>,
    order_by: Option<Vec<String>>,
) -> PageArgs {
    PageArgs {
        first,
        last,
        after,
        before,
        offset,
        order_by,
    }
}

const PREMIUM_SORT: [(&str, premium::Column); 4] = [
    ("payDate", premium::Column::PayDate),
    ("amount", premium::Column::Amount),
    ("receipt", premium::Column::Receipt),
    ("payType", premium::Column::PayType),
];
const PAYER_SORT: [(&str, payer::Column); 2] = [
    ("name", payer::Column::NameSearch),
    ("type", payer::Column::PayerType),
];
const FUNDING_SORT: [(&str, funding::Column); 3] = [
    ("payDate", funding::Column::PayDate),
    ("amount", funding::Column::Amount),
    ("receipt", funding::Column::Receipt),
];
const PAYMENT_SORT: [(&str, payment::Column); 1] = [("status", payment::Column::Status)];

/// Shared tail of `premiums` and `premiumsByPolicies`.
async fn premium_page(
    ctx: &Context<'_>,
    f: PremiumFilter,
    args: PageArgs,
) -> AppResult<PremiumConnection> {
    let st = state(ctx);
    let select = service::premiums::premiums_select(st, principal(ctx), &f).await?;
    let page = fetch_page(
        &st.db.conn,
        select,
        &args,
        &PREMIUM_SORT,
        premium::Column::Id,
        &["-payDate"],
        wants_total(ctx),
        &st.config.graphql,
    )
    .await?
    .with_versions(&st.db.conn, service::HISTORY_PREMIUM, f.show_history)
    .await?;
    let (cursors, models): (Vec<String>, Vec<_>) = page.rows.into_iter().unzip();
    let wants = PremiumWants::of(ctx.look_ahead().field("edges").field("node"));
    let caller = require_user(principal(ctx), Requirement::Authenticated)?;
    let nodes = premium_nodes(st, caller, models, wants).await?;
    Ok(Page {
        rows: cursors.into_iter().zip(nodes).collect(),
        has_next: page.has_next,
        has_previous: page.has_previous,
        total: page.total,
    }
    .into_connection(|n| n))
}

async fn payment_page(
    ctx: &Context<'_>,
    f: PaymentFilter,
    args: PageArgs,
) -> AppResult<PaymentConnection> {
    let st = state(ctx);
    let select = service::payments::payments_select(principal(ctx), &f)?;
    let page = fetch_page(
        &st.db.conn,
        select,
        &args,
        &PAYMENT_SORT,
        payment::Column::Id,
        &["-id"],
        wants_total(ctx),
        &st.config.graphql,
    )
    .await?
    .with_versions(&st.db.conn, service::HISTORY_PAYMENT, f.show_history)
    .await?;
    let (cursors, models): (Vec<String>, Vec<_>) = page.rows.into_iter().unzip();
    let wants = PaymentWants::of(ctx.look_ahead().field("edges").field("node"));
    let caller = require_user(principal(ctx), Requirement::Authenticated)?;
    let nodes = payment_nodes(st, caller, models, wants).await?;
    Ok(Page {
        rows: cursors.into_iter().zip(nodes).collect(),
        has_next: page.has_next,
        has_previous: page.has_previous,
        total: page.total,
    }
    .into_connection(|n| n))
}

#[derive(Default)]
pub struct PaymentQuery;

#[Object]
impl PaymentQuery {
    /// Contributions (101301) of policies whose family lies in the caller's locations (D9).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn premiums(
        &self,
        ctx: &Context<'_>,
        payer_id: Option<ID>,
        client_mutation_id: Option<String>,
        show_history: Option<bool>,
        parent_location: Option<String>,
        parent_location_level: Option<i32>,
        order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        uuid: Option<String>,
        amount: Option<Decimal>,
        #[graphql(name = "amount_Lt")] amount_lt: Option<Decimal>,
        #[graphql(name = "amount_Lte")] amount_lte: Option<Decimal>,
        #[graphql(name = "amount_Gt")] amount_gt: Option<Decimal>,
        #[graphql(name = "amount_Gte")] amount_gte: Option<Decimal>,
        pay_date: Option<Date>,
        #[graphql(name = "payDate_Lt")] pay_date_lt: Option<Date>,
        #[graphql(name = "payDate_Lte")] pay_date_lte: Option<Date>,
        #[graphql(name = "payDate_Gt")] pay_date_gt: Option<Date>,
        #[graphql(name = "payDate_Gte")] pay_date_gte: Option<Date>,
        pay_type: Option<String>,
        is_photo_fee: Option<bool>,
        receipt: Option<String>,
        #[graphql(name = "receipt_Icontains")] receipt_icontains: Option<String>,
        #[graphql(name = "policy_Id")] policy_id: Option<ID>,
        #[graphql(name = "policy_Uuid")] policy_uuid: Option<String>,
        #[graphql(name = "policy_Product_Id")] policy_product_id: Option<ID>,
        #[graphql(name = "policy_Product_Code")] policy_product_code: Option<String>,
    ) -> Result<PremiumConnection> {
        rights(ctx, &[service::RIGHT_PREMIUM_SEARCH])?;
        let _ = parent_location_level;
        let st = state(ctx);
        let run = async {
            let parent_location = match parent_location.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(s) => Some(match s.parse::<i64>() {
                    Ok(id) => id,
                    Err(_) => {
                        let u = parse_uuid(s, "parentLocation")?;
                        imis_core::entity::location::Entity::find()
                            .filter(imis_core::entity::location::Column::Uuid.eq(u))
                            .one(&st.db.conn)
                            .await?
                            .map(|l| l.id)
                            .unwrap_or(0)
                    }
                }),
            };
            let ids = match (client_mutation_id.filter(|c| !c.is_empty()), principal(ctx)) {
                (Some(c), Some(p)) => {
                    Some(service::mutation_objects(st, p, &c, service::HISTORY_PREMIUM).await?)
                }
                _ => None,
            };
            let f = PremiumFilter {
                show_history: show_history.unwrap_or(false),
                ids,
                uuid: opt_uuid(uuid.as_deref(), "uuid")?,
                payer_id: pk(&payer_id, "PayerGQLType")?,
                amount: AmountRange {
                    eq: amount_of(st, amount, "amount")?,
                    gt: amount_of(st, amount_gt, "amount_Gt")?,
                    gte: amount_of(st, amount_gte, "amount_Gte")?,
                    lt: amount_of(st, amount_lt, "amount_Lt")?,
                    lte: amount_of(st, amount_lte, "amount_Lte")?,
                },
                pay_date: dates(
                    pay_date,
                    pay_date_gt,
                    pay_date_gte,
                    pay_date_lt,
                    pay_date_lte,
                ),
                pay_type,
                is_photo_fee,
                receipt,
                receipt_icontains,
                policy_id: pk(&policy_id, "PolicyGQLType")?,
                policy_uuid: opt_uuid(policy_uuid.as_deref(), "policy_Uuid")?,
                policy_uuids: None,
                product_id: pk(&policy_product_id, "ProductGQLType")?,
                product_code: policy_product_code,
                parent_location,
            };
            premium_page(
                ctx,
                f,
                page_args(first, last, after, before, offset, order_by),
            )
            .await
        };
        run.await.gql(ctx)
    }

    /// Contributions of the given policies (101301), in the caller's locations (D9).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn premiums_by_policies(
        &self,
        ctx: &Context<'_>,
        policy_uuids: Vec<Option<String>>,
        order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        uuid: Option<String>,
        pay_type: Option<String>,
        is_photo_fee: Option<bool>,
        receipt: Option<String>,
        #[graphql(name = "receipt_Icontains")] receipt_icontains: Option<String>,
    ) -> Result<PremiumConnection> {
        rights(ctx, &[service::RIGHT_PREMIUM_SEARCH])?;
        let run = async {
            let uuids = policy_uuids
                .iter()
                .flatten()
                .map(|u| parse_uuid(u, "policyUuids"))
                .collect::<AppResult<Vec<_>>>()?;
            let f = PremiumFilter {
                uuid: opt_uuid(uuid.as_deref(), "uuid")?,
                pay_type,
                is_photo_fee,
                receipt,
                receipt_icontains,
                policy_uuids: Some(uuids),
                ..Default::default()
            };
            premium_page(
                ctx,
                f,
                page_args(first, last, after, before, offset, order_by),
            )
            .await
        };
        run.await.gql(ctx)
    }

    /// True when no valid premium of the policy's product carries this receipt (101301).
    #[graphql(visible = "visible")]
    async fn validate_premium_code(
        &self,
        ctx: &Context<'_>,
        code: String,
        policy_uuid: String,
    ) -> Result<bool> {
        rights(ctx, &[service::RIGHT_PREMIUM_SEARCH])?;
        service::premiums::validate_premium_code(state(ctx), principal(ctx), &code, &policy_uuid)
            .await
            .gql(ctx)
    }

    /// Payers (121801) located in, or above, the caller's locations (D9).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn payers(
        &self,
        ctx: &Context<'_>,
        show_history: Option<bool>,
        search: Option<String>,
        order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        uuid: Option<String>,
        name: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        email: Option<String>,
        #[graphql(name = "email_Icontains")] email_icontains: Option<String>,
        phone: Option<String>,
        #[graphql(name = "phone_Icontains")] phone_icontains: Option<String>,
        location: Option<i32>,
        #[graphql(name = "type")] payer_type: Option<String>,
    ) -> Result<PayerConnection> {
        rights(ctx, &[service::RIGHT_PAYER_SEARCH])?;
        let st = state(ctx);
        let run = async {
            let show_history = show_history.unwrap_or(false);
            let f = PayerFilter {
                show_history,
                id: pk(&id, "PayerGQLType")?,
                uuid: opt_uuid(uuid.as_deref(), "uuid")?,
                search,
                name,
                name_icontains,
                email,
                email_icontains,
                phone,
                phone_icontains,
                location: location.map(i64::from),
                payer_type,
            };
            let select = service::payers::payers_select(st, principal(ctx), &f).await?;
            let page = fetch_page(
                &st.db.conn,
                select,
                &page_args(first, last, after, before, offset, order_by),
                &PAYER_SORT,
                payer::Column::Id,
                &["name"],
                wants_total(ctx),
                &st.config.graphql,
            )
            .await?
            .with_versions(&st.db.conn, service::HISTORY_PAYER, show_history)
            .await?;
            let (cursors, models): (Vec<String>, Vec<_>) = page.rows.into_iter().unzip();
            let wants = PayerWants::of(ctx.look_ahead().field("edges").field("node"));
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            let nodes = payer_nodes(st, caller, models, wants).await?;
            Ok::<_, AppError>(
                Page {
                    rows: cursors.into_iter().zip(nodes).collect(),
                    has_next: page.has_next,
                    has_previous: page.has_previous,
                    total: page.total,
                }
                .into_connection(|n| n),
            )
        };
        run.await.gql(ctx)
    }

    /// One payer (121801) the caller may see.
    #[graphql(visible = "visible")]
    async fn payer(&self, ctx: &Context<'_>, uuid: Option<Uuid>) -> Result<Option<PayerGQLType>> {
        rights(ctx, &[service::RIGHT_PAYER_SEARCH])?;
        let st = state(ctx);
        let run = async {
            let Some(m) = service::payers::payer_by_uuid(st, principal(ctx), uuid).await? else {
                return Ok(None);
            };
            let wants = PayerWants::of(ctx.look_ahead());
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            Ok::<_, AppError>(payer_nodes(st, caller, vec![(m, None)], wants).await?.pop())
        };
        run.await.gql(ctx)
    }

    /// Fundings (121801) of payers the caller may see.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn fundings(
        &self,
        ctx: &Context<'_>,
        payer_id: Option<ID>,
        client_mutation_id: Option<String>,
        show_history: Option<bool>,
        parent_location_level: Option<i32>,
        order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        product: Option<ID>,
        pay_date: Option<Date>,
        #[graphql(name = "payDate_Lt")] pay_date_lt: Option<Date>,
        #[graphql(name = "payDate_Lte")] pay_date_lte: Option<Date>,
        #[graphql(name = "payDate_Gt")] pay_date_gt: Option<Date>,
        #[graphql(name = "payDate_Gte")] pay_date_gte: Option<Date>,
        receipt: Option<String>,
        #[graphql(name = "receipt_Icontains")] receipt_icontains: Option<String>,
        amount: Option<Decimal>,
        #[graphql(name = "amount_Lt")] amount_lt: Option<Decimal>,
        #[graphql(name = "amount_Lte")] amount_lte: Option<Decimal>,
        #[graphql(name = "amount_Gt")] amount_gt: Option<Decimal>,
        #[graphql(name = "amount_Gte")] amount_gte: Option<Decimal>,
        status: Option<FundingStatus>,
        uuid: Option<Uuid>,
    ) -> Result<FundingConnection> {
        rights(ctx, &[service::RIGHT_PAYER_SEARCH])?;
        let _ = parent_location_level;
        let st = state(ctx);
        let run = async {
            let show_history = show_history.unwrap_or(false);
            let ids = match (client_mutation_id.filter(|c| !c.is_empty()), principal(ctx)) {
                (Some(c), Some(p)) => {
                    Some(service::mutation_objects(st, p, &c, service::HISTORY_FUNDING).await?)
                }
                _ => None,
            };
            let f = FundingFilter {
                show_history,
                ids,
                id: pk(&id, "FundingGQLType")?,
                uuid,
                payer_id: pk(&payer_id, "PayerGQLType")?,
                payer_ids: None,
                product_id: pk(&product, "ProductGQLType")?,
                pay_date: dates(
                    pay_date,
                    pay_date_gt,
                    pay_date_gte,
                    pay_date_lt,
                    pay_date_lte,
                ),
                receipt,
                receipt_icontains,
                amount: AmountRange {
                    eq: amount_of(st, amount, "amount")?,
                    gt: amount_of(st, amount_gt, "amount_Gt")?,
                    gte: amount_of(st, amount_gte, "amount_Gte")?,
                    lt: amount_of(st, amount_lt, "amount_Lt")?,
                    lte: amount_of(st, amount_lte, "amount_Lte")?,
                },
                status: status.map(|s| s.code().to_string()),
            };
            let select = service::payers::fundings_select(st, principal(ctx), &f).await?;
            let page = fetch_page(
                &st.db.conn,
                select,
                &page_args(first, last, after, before, offset, order_by),
                &FUNDING_SORT,
                funding::Column::Id,
                &["-payDate"],
                wants_total(ctx),
                &st.config.graphql,
            )
            .await?;
            let (cursors, models): (Vec<String>, Vec<_>) = page.rows.into_iter().unzip();
            let node = ctx.look_ahead().field("edges").field("node");
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            let nodes =
                funding_nodes_with(st, caller, models, None, node.field("product").exists())
                    .await?;
            Ok::<_, AppError>(
                Page {
                    rows: cursors.into_iter().zip(nodes).collect(),
                    has_next: page.has_next,
                    has_previous: page.has_previous,
                    total: page.total,
                }
                .into_connection(|n| n),
            )
        };
        run.await.gql(ctx)
    }

    /// One funding (121801) of a payer the caller may see.
    #[graphql(visible = "visible")]
    async fn funding(
        &self,
        ctx: &Context<'_>,
        uuid: Option<Uuid>,
    ) -> Result<Option<FundingGQLType>> {
        rights(ctx, &[service::RIGHT_PAYER_SEARCH])?;
        let st = state(ctx);
        let run = async {
            let uuid = uuid.ok_or_else(|| AppError::invalid("uuid", "required"))?;
            let f = FundingFilter {
                uuid: Some(uuid),
                ..Default::default()
            };
            let select = service::payers::fundings_select(st, principal(ctx), &f).await?;
            let Some(m) = select.one(&st.db.conn).await? else {
                return Ok(None);
            };
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            Ok::<_, AppError>(
                funding_nodes_with(st, caller, vec![m], None, true)
                    .await?
                    .pop(),
            )
        };
        run.await.gql(ctx)
    }

    /// Payments (101401). `showReconciled: true` keeps only reconciled payments (openIMIS).
    /// Payments carry no location: a restricted caller sees every payment, but only the detail
    /// lines (and premiums) of premiums in their locations (D9).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn payments(
        &self,
        ctx: &Context<'_>,
        show_history: Option<bool>,
        show_reconciled: Option<bool>,
        client_mutation_id: Option<String>,
        order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        uuid: Option<String>,
        status: Option<i32>,
        received_date: Option<Date>,
        #[graphql(name = "receivedDate_Gte")] received_date_gte: Option<Date>,
        #[graphql(name = "receivedDate_Lte")] received_date_lte: Option<Date>,
        request_date: Option<Date>,
        #[graphql(name = "requestDate_Gte")] request_date_gte: Option<Date>,
        #[graphql(name = "requestDate_Lte")] request_date_lte: Option<Date>,
        payment_date: Option<Date>,
        #[graphql(name = "paymentDate_Gte")] payment_date_gte: Option<Date>,
        #[graphql(name = "paymentDate_Lte")] payment_date_lte: Option<Date>,
        matched_date: Option<Date>,
        #[graphql(name = "receivedAmount_Gte")] received_amount_gte: Option<Decimal>,
        #[graphql(name = "receivedAmount_Lte")] received_amount_lte: Option<Decimal>,
        #[graphql(name = "expectedAmount_Gte")] expected_amount_gte: Option<Decimal>,
        #[graphql(name = "expectedAmount_Lte")] expected_amount_lte: Option<Decimal>,
        transaction_no: Option<String>,
        #[graphql(name = "transactionNo_Icontains")] transaction_no_icontains: Option<String>,
        receipt_no: Option<String>,
        #[graphql(name = "receiptNo_Icontains")] receipt_no_icontains: Option<String>,
        officer_code: Option<String>,
        #[graphql(name = "officerCode_Icontains")] officer_code_icontains: Option<String>,
        phone_number: Option<String>,
        type_of_payment: Option<String>,
        origin: Option<String>,
    ) -> Result<PaymentConnection> {
        rights(ctx, &[service::RIGHT_PAYMENT_SEARCH])?;
        let st = state(ctx);
        let run = async {
            let ids = match (client_mutation_id.filter(|c| !c.is_empty()), principal(ctx)) {
                (Some(c), Some(p)) => {
                    Some(service::mutation_objects(st, p, &c, service::HISTORY_PAYMENT).await?)
                }
                _ => None,
            };
            let f = PaymentFilter {
                show_history: show_history.unwrap_or(false),
                show_reconciled: show_reconciled.unwrap_or(false),
                ids,
                uuid: opt_uuid(uuid.as_deref(), "uuid")?,
                status,
                received_date: dates(
                    received_date,
                    None,
                    received_date_gte,
                    None,
                    received_date_lte,
                ),
                request_date: dates(request_date, None, request_date_gte, None, request_date_lte),
                payment_date: dates(payment_date, None, payment_date_gte, None, payment_date_lte),
                matched_date: dates(matched_date, None, None, None, None),
                received_amount: AmountRange {
                    gte: amount_of(st, received_amount_gte, "receivedAmount_Gte")?,
                    lte: amount_of(st, received_amount_lte, "receivedAmount_Lte")?,
                    ..Default::default()
                },
                expected_amount: AmountRange {
                    gte: amount_of(st, expected_amount_gte, "expectedAmount_Gte")?,
                    lte: amount_of(st, expected_amount_lte, "expectedAmount_Lte")?,
                    ..Default::default()
                },
                transaction_no,
                transaction_no_icontains,
                receipt_no,
                receipt_no_icontains,
                officer_code,
                officer_code_icontains,
                phone_number,
                type_of_payment,
                origin,
                premium_ids: None,
            };
            payment_page(
                ctx,
                f,
                page_args(first, last, after, before, offset, order_by),
            )
            .await
        };
        run.await.gql(ctx)
    }

    /// Detail lines of payments (101401); a restricted caller sees only the lines of premiums in
    /// their locations (D9).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn payment_details(
        &self,
        ctx: &Context<'_>,
        show_history: Option<bool>,
        order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(name = "payment_Uuid")] payment_uuid: Option<String>,
        #[graphql(name = "premium_Uuid")] premium_uuid: Option<String>,
        insurance_number: Option<String>,
        product_code: Option<String>,
    ) -> Result<PaymentDetailConnection> {
        rights(ctx, &[service::RIGHT_PAYMENT_SEARCH])?;
        let st = state(ctx);
        let run = async {
            let show_history = show_history.unwrap_or(false);
            let f = PaymentDetailFilter {
                show_history,
                payment_uuid: opt_uuid(payment_uuid.as_deref(), "payment_Uuid")?,
                premium_uuid: opt_uuid(premium_uuid.as_deref(), "premium_Uuid")?,
                insurance_number,
                product_code,
            };
            let select = service::payments::payment_details_select(st, principal(ctx), &f).await?;
            let page = fetch_page(
                &st.db.conn,
                select,
                &page_args(first, last, after, before, offset, order_by),
                &[],
                payment_detail::Column::Id,
                &["id"],
                wants_total(ctx),
                &st.config.graphql,
            )
            .await?
            .with_versions(&st.db.conn, service::HISTORY_PAYMENT_DETAIL, show_history)
            .await?;
            let (cursors, models): (Vec<String>, Vec<_>) = page.rows.into_iter().unzip();
            let wants = PremiumWantsOfDetail::of(ctx.look_ahead().field("edges").field("node"));
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            let nodes = detail_nodes(st, caller, models, wants, None).await?;
            Ok::<_, AppError>(
                Page {
                    rows: cursors.into_iter().zip(nodes).collect(),
                    has_next: page.has_next,
                    has_previous: page.has_previous,
                    total: page.total,
                }
                .into_connection(|n| n),
            )
        };
        run.await.gql(ctx)
    }

    /// Payments with a current detail line of one of these premiums (101401); premiums outside
    /// the caller's locations are ignored (D9).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn payments_by_premiums(
        &self,
        ctx: &Context<'_>,
        premium_uuids: Vec<Option<String>>,
        order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<PaymentConnection> {
        rights(ctx, &[service::RIGHT_PAYMENT_SEARCH])?;
        let st = state(ctx);
        let run = async {
            let list: Vec<String> = premium_uuids.into_iter().flatten().collect();
            let ids = service::payments::premium_ids_by_uuid(st, principal(ctx), &list).await?;
            let f = PaymentFilter {
                premium_ids: Some(ids),
                ..Default::default()
            };
            payment_page(
                ctx,
                f,
                page_args(first, last, after, before, offset, order_by),
            )
            .await
        };
        run.await.gql(ctx)
    }
}

/// An amount argument or input field in minor units: `input.invalid` naming the GraphQL `field`
/// when it has more decimals than the currency or lies beyond what storage holds.
fn amount_of(st: &AppState, v: Option<Decimal>, field: &str) -> AppResult<Option<i64>> {
    v.map(|d| Money::parse(field, d, st.config.core.currency_minor_digits).map(|m| m.0))
        .transpose()
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

/// The fields of openIMIS `CreatePremiumMutationInput` / `UpdatePremiumMutationInput`.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
pub struct PremiumFields {
    /// Ignored (openIMIS sends the database id; the premium is named by `uuid`).
    pub id: Option<i32>,
    pub uuid: Option<String>,
    pub policy_uuid: String,
    pub payer_uuid: Option<String>,
    pub amount: Option<Decimal>,
    pub receipt: Option<String>,
    pub pay_date: Option<Date>,
    pub pay_type: Option<String>,
    pub is_offline: Option<bool>,
    pub is_photo_fee: Option<bool>,
    /// `ENFORCE`, `WAIT` (default) or `SUSPEND` (D15).
    pub action: Option<String>,
}

impl PremiumFields {
    /// `amount` must be an amount of the currency (`input.invalid` naming it otherwise); its
    /// other rules are the service's.
    fn check_amounts(&self, st: &AppState) -> AppResult<()> {
        amount_of(st, self.amount, "amount")?;
        Ok(())
    }

    fn service(&self) -> PremiumInput {
        PremiumInput {
            uuid: self.uuid.clone(),
            policy_uuid: self.policy_uuid.clone(),
            payer_uuid: self.payer_uuid.clone(),
            amount: self.amount,
            receipt: self.receipt.clone(),
            pay_date: self.pay_date.map(|d| d.0),
            pay_type: self.pay_type.clone(),
            is_offline: self.is_offline,
            is_photo_fee: self.is_photo_fee,
            action: self.action.clone(),
        }
    }
}

#[derive(InputObject, serde::Serialize)]
pub struct CreatePremiumMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: PremiumFields,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct UpdatePremiumMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: PremiumFields,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct DeletePremiumsMutationInput {
    pub uuids: Option<Vec<Option<String>>>,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

/// The fields of openIMIS `CreatePayerMutationInput` / `UpdatePayerMutationInput`.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
pub struct PayerFields {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub address: Option<String>,
    pub location_uuid: Uuid,
    #[graphql(name = "type")]
    pub payer_type: String,
}

impl PayerFields {
    fn service(&self, uuid: Option<Uuid>) -> PayerInput {
        PayerInput {
            uuid,
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            fax: self.fax.clone(),
            address: self.address.clone(),
            location_uuid: self.location_uuid,
            payer_type: self.payer_type.clone(),
        }
    }
}

#[derive(InputObject, serde::Serialize)]
pub struct CreatePayerMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: PayerFields,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct UpdatePayerMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: PayerFields,
    pub uuid: Uuid,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct DeletePayerMutationInput {
    pub uuids: Option<Vec<Option<String>>>,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct AddFundingMutationInput {
    /// A `PayerGQLType` global id or the payer's integer id.
    pub payer_id: ID,
    /// A `ProductGQLType` global id or the product's integer id.
    pub product_id: ID,
    pub pay_date: Date,
    pub amount: Decimal,
    pub receipt: String,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

/// A detail line of a payment (ours; openIMIS creates lines only from `premiumUuid`).
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "PaymentDetailInput")]
pub struct PaymentDetailInputType {
    pub insurance_number: Option<String>,
    pub product_code: Option<String>,
    pub policy_stage: Option<String>,
    pub amount: Option<Decimal>,
    pub enrollment_date: Option<Date>,
    pub expected_amount: Option<Decimal>,
}

/// The fields of openIMIS `CreatePaymentMutationInput` / `UpdatePaymentMutationInput`, plus
/// `details`.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
pub struct PaymentFields {
    /// Ignored (openIMIS sends the database id; the payment is named by `uuid`).
    pub id: Option<i32>,
    pub uuid: Option<String>,
    pub expected_amount: Option<Decimal>,
    pub received_amount: Option<Decimal>,
    pub officer_code: Option<String>,
    pub phone_number: Option<String>,
    pub request_date: Option<Date>,
    pub received_date: Option<Date>,
    pub status: Option<i32>,
    pub transaction_no: Option<String>,
    pub origin: Option<String>,
    /// Ignored: matching sets it.
    pub matched_date: Option<Date>,
    pub receipt_no: Option<String>,
    pub payment_date: Option<Date>,
    /// Ignored, as in openIMIS: matching writes it.
    pub rejected_reason: Option<String>,
    pub date_last_sms: Option<Date>,
    pub language_name: Option<String>,
    pub type_of_payment: Option<String>,
    pub transfer_fee: Option<Decimal>,
    pub premium_uuid: Option<String>,
    /// Ours: the lines to match (replace the current lines on update).
    pub details: Option<Vec<PaymentDetailInputType>>,
}

impl PaymentFields {
    /// Every amount of the payment and of its lines must be an amount of the currency
    /// (`input.invalid` naming the GraphQL field otherwise).
    fn check_amounts(&self, st: &AppState) -> AppResult<()> {
        amount_of(st, self.expected_amount, "expectedAmount")?;
        amount_of(st, self.received_amount, "receivedAmount")?;
        amount_of(st, self.transfer_fee, "transferFee")?;
        for d in self.details.iter().flatten() {
            amount_of(st, d.amount, "amount")?;
            amount_of(st, d.expected_amount, "expectedAmount")?;
        }
        Ok(())
    }

    fn service(&self) -> PaymentInput {
        PaymentInput {
            uuid: self.uuid.clone(),
            expected_amount: self.expected_amount,
            received_amount: self.received_amount,
            officer_code: self.officer_code.clone(),
            phone_number: self.phone_number.clone(),
            request_date: self.request_date.map(|d| d.0),
            received_date: self.received_date.map(|d| d.0),
            status: self.status,
            transaction_no: self.transaction_no.clone(),
            origin: self.origin.clone(),
            matched_date: self.matched_date.map(|d| d.0),
            receipt_no: self.receipt_no.clone(),
            payment_date: self.payment_date.map(|d| d.0),
            date_last_sms: self.date_last_sms.map(|d| d.0),
            language_name: self.language_name.clone(),
            type_of_payment: self.type_of_payment.clone(),
            transfer_fee: self.transfer_fee,
            premium_uuid: self.premium_uuid.clone(),
            details: self.details.as_ref().map(|l| {
                l.iter()
                    .map(|d| PaymentDetailInput {
                        insurance_number: d.insurance_number.clone(),
                        product_code: d.product_code.clone(),
                        policy_stage: d.policy_stage.clone(),
                        amount: d.amount,
                        enrollment_date: d.enrollment_date.map(|x| x.0),
                        expected_amount: d.expected_amount,
                    })
                    .collect()
            }),
        }
    }
}

#[derive(InputObject, serde::Serialize)]
pub struct CreatePaymentMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: PaymentFields,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct UpdatePaymentMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: PaymentFields,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct DeletePaymentsMutationInput {
    pub uuids: Option<Vec<Option<String>>>,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, serde::Serialize)]
pub struct MatchPaymentsMutationInput {
    /// The payments to match; none = every received payment not matched yet.
    pub uuids: Option<Vec<Option<String>>>,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

imis_core::mutation_payload!(CreatePremiumMutationPayload);
imis_core::mutation_payload!(UpdatePremiumMutationPayload);
imis_core::mutation_payload!(DeletePremiumsMutationPayload);
imis_core::mutation_payload!(CreatePayerMutationPayload);
imis_core::mutation_payload!(UpdatePayerMutationPayload);
imis_core::mutation_payload!(DeletePayerMutationPayload);
imis_core::mutation_payload!(AddFundingMutationPayload);
imis_core::mutation_payload!(CreatePaymentMutationPayload);
imis_core::mutation_payload!(UpdatePaymentMutationPayload);
imis_core::mutation_payload!(DeletePaymentsMutationPayload);

/// `matchPayments` payload: the envelope and what happened to each payment (also stored in the
/// mutation log, so a replay returns the same outcomes).
#[derive(SimpleObject)]
pub struct MatchPaymentsMutationPayload {
    pub client_mutation_id: Option<String>,
    pub internal_id: Option<String>,
    pub payments: Vec<PaymentMatchGQLType>,
}

fn uuid_list(list: &Option<Vec<Option<String>>>) -> AppResult<Vec<Uuid>> {
    list.iter()
        .flatten()
        .flatten()
        .map(|s| parse_uuid(s, "uuids"))
        .collect()
}

#[derive(Default)]
pub struct PaymentMutation;

#[Object]
impl PaymentMutation {
    /// 101302 (SUSPEND also needs 101203). The policy module applies D15.
    #[graphql(visible = "visible")]
    async fn create_premium(
        &self,
        ctx: &Context<'_>,
        input: CreatePremiumMutationInput,
    ) -> Result<CreatePremiumMutationPayload> {
        run_mutation(ctx, "createPremium", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PREMIUM_ADD]),
            )?;
            input.fields.check_amounts(m.state)?;
            Ok(service::premiums::create_premium(m, input.fields.service())
                .await?
                .id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101303 (SUSPEND also needs 101203). Never deactivates a policy.
    #[graphql(visible = "visible")]
    async fn update_premium(
        &self,
        ctx: &Context<'_>,
        input: UpdatePremiumMutationInput,
    ) -> Result<UpdatePremiumMutationPayload> {
        run_mutation(ctx, "updatePremium", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PREMIUM_EDIT]),
            )?;
            input.fields.check_amounts(m.state)?;
            Ok(service::premiums::update_premium(m, input.fields.service())
                .await?
                .id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101304. Soft delete; never deactivates a policy.
    #[graphql(visible = "visible")]
    async fn delete_premium(
        &self,
        ctx: &Context<'_>,
        input: DeletePremiumsMutationInput,
    ) -> Result<DeletePremiumsMutationPayload> {
        run_mutation(ctx, "deletePremium", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PREMIUM_DELETE]),
            )?;
            let uuids = uuid_list(&input.uuids)?;
            Ok(service::premiums::delete_premiums(m, &uuids).await?.len())
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 121802.
    #[graphql(visible = "visible")]
    async fn create_payer(
        &self,
        ctx: &Context<'_>,
        input: CreatePayerMutationInput,
    ) -> Result<CreatePayerMutationPayload> {
        run_mutation(ctx, "createPayer", &input.envelope, &input, async |m| {
            require_user(m.principal, Requirement::AnyOf(&[service::RIGHT_PAYER_ADD]))?;
            Ok(service::payers::create_payer(m, input.fields.service(None))
                .await?
                .id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 121803.
    #[graphql(visible = "visible")]
    async fn update_payer(
        &self,
        ctx: &Context<'_>,
        input: UpdatePayerMutationInput,
    ) -> Result<UpdatePayerMutationPayload> {
        run_mutation(ctx, "updatePayer", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PAYER_EDIT]),
            )?;
            Ok(
                service::payers::update_payer(m, input.fields.service(Some(input.uuid)))
                    .await?
                    .id,
            )
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 121804.
    #[graphql(visible = "visible")]
    async fn delete_payer(
        &self,
        ctx: &Context<'_>,
        input: DeletePayerMutationInput,
    ) -> Result<DeletePayerMutationPayload> {
        run_mutation(ctx, "deletePayer", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PAYER_DELETE]),
            )?;
            let uuids = uuid_list(&input.uuids)?;
            Ok(service::payers::delete_payers(m, &uuids).await?.len())
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 121803 (payer edit): a funding row with status P.
    #[graphql(visible = "visible")]
    async fn add_funding(
        &self,
        ctx: &Context<'_>,
        input: AddFundingMutationInput,
    ) -> Result<AddFundingMutationPayload> {
        run_mutation(ctx, "addFunding", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PAYER_EDIT]),
            )?;
            amount_of(m.state, Some(input.amount), "amount")?;
            let f = FundingInput {
                payer_id: input.payer_id.to_string(),
                product_id: input.product_id.to_string(),
                pay_date: input.pay_date.0,
                amount: input.amount,
                receipt: input.receipt.clone(),
            };
            Ok(service::payers::add_funding(m, f).await?.id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101402.
    #[graphql(visible = "visible")]
    async fn create_payment(
        &self,
        ctx: &Context<'_>,
        input: CreatePaymentMutationInput,
    ) -> Result<CreatePaymentMutationPayload> {
        run_mutation(ctx, "createPayment", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PAYMENT_ADD]),
            )?;
            input.fields.check_amounts(m.state)?;
            Ok(service::payments::create_payment(m, input.fields.service())
                .await?
                .id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101403. A matched payment cannot be changed.
    #[graphql(visible = "visible")]
    async fn update_payment(
        &self,
        ctx: &Context<'_>,
        input: UpdatePaymentMutationInput,
    ) -> Result<UpdatePaymentMutationPayload> {
        run_mutation(ctx, "updatePayment", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PAYMENT_EDIT]),
            )?;
            input.fields.check_amounts(m.state)?;
            Ok(service::payments::update_payment(m, input.fields.service())
                .await?
                .id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101404.
    #[graphql(visible = "visible")]
    async fn delete_payment(
        &self,
        ctx: &Context<'_>,
        input: DeletePaymentsMutationInput,
    ) -> Result<DeletePaymentsMutationPayload> {
        run_mutation(ctx, "deletePayment", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PAYMENT_DELETE]),
            )?;
            let uuids = uuid_list(&input.uuids)?;
            Ok(service::payments::delete_payments(m, &uuids).await?.len())
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 101403 (ours): matches received payments to policies (reference §10.3).
    #[graphql(visible = "visible")]
    async fn match_payments(
        &self,
        ctx: &Context<'_>,
        input: MatchPaymentsMutationInput,
    ) -> Result<MatchPaymentsMutationPayload> {
        let out = run_mutation(ctx, "matchPayments", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PAYMENT_EDIT]),
            )?;
            let uuids: Option<Vec<String>> = input
                .uuids
                .as_ref()
                .map(|l| l.iter().flatten().cloned().collect());
            service::matching::match_payments(m, uuids).await
        })
        .await
        .gql(ctx)?;
        let outcomes: Vec<MatchOutcome> = out.result;
        Ok(MatchPaymentsMutationPayload {
            client_mutation_id: out.client_mutation_id,
            internal_id: Some(out.internal_id.to_string()),
            payments: outcomes.into_iter().map(PaymentMatchGQLType).collect(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// node(id:)
// ---------------------------------------------------------------------------------------------

/// Type names `node(id:)` resolves through this module.
pub const NODE_TYPES: &[&str] = &[
    "PremiumGQLType",
    "PremiumGQLTypeHistory",
    "PayerGQLType",
    "PayerGQLTypeHistory",
    "PaymentGQLType",
    "PaymentGQLTypeHistory",
];

/// A node of this module.
pub enum PaymentNode {
    Premium(PremiumGQLType),
    Payer(PayerGQLType),
    Payment(PaymentGQLType),
}

/// A premium, payer or payment by global id (current or historical version), with the list's
/// right and scope (D9); null when outside them.
pub async fn resolve_node(
    ctx: &Context<'_>,
    type_name: &str,
    key: &str,
) -> Result<Option<PaymentNode>> {
    let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    let st = state(ctx);
    let conn = &st.db.conn;
    let pk: i64 = key
        .parse()
        .map_err(|_| AppError::validation("input.invalid_id").with("id", key))
        .gql(ctx)?;
    let history = type_name.ends_with("History");
    let run = async {
        if type_name.starts_with("PremiumGQLType") {
            if !p.has_right(service::RIGHT_PREMIUM_SEARCH) {
                return Ok(None);
            }
            let model = if history {
                imis_core::history::version_by_history_id::<premium::Model>(
                    conn,
                    service::HISTORY_PREMIUM,
                    pk,
                )
                .await?
            } else {
                premium::Entity::find_by_id(pk).one(conn).await?
            };
            let Some(model) = model else { return Ok(None) };
            let pol = imis_policy::service::policies_by_ids(conn, &[model.policy_id]).await?;
            let Some(pol) = pol.get(&model.policy_id) else {
                return Ok(None);
            };
            if imis_policy::service::check_policy_scope(conn, p, pol)
                .await
                .is_err()
            {
                return Ok(None);
            }
            let n = premium_nodes(
                st,
                p,
                vec![(model, history.then_some(pk))],
                PremiumWants::all(),
            )
            .await?
            .pop();
            return Ok::<_, AppError>(n.map(PaymentNode::Premium));
        }
        if type_name.starts_with("PayerGQLType") {
            if !p.has_right(service::RIGHT_PAYER_SEARCH) {
                return Ok(None);
            }
            let model = if history {
                imis_core::history::version_by_history_id::<payer::Model>(
                    conn,
                    service::HISTORY_PAYER,
                    pk,
                )
                .await?
            } else {
                payer::Entity::find_by_id(pk).one(conn).await?
            };
            let Some(model) = model else { return Ok(None) };
            if !service::payers::payer_visible(conn, p, model.location_id).await? {
                return Ok(None);
            }
            let n = payer_nodes(
                st,
                p,
                vec![(model, history.then_some(pk))],
                PayerWants {
                    location: true,
                    fundings: true,
                },
            )
            .await?
            .pop();
            return Ok(n.map(PaymentNode::Payer));
        }
        if !p.has_right(service::RIGHT_PAYMENT_SEARCH) {
            return Ok(None);
        }
        let model = if history {
            imis_core::history::version_by_history_id::<payment::Model>(
                conn,
                service::HISTORY_PAYMENT,
                pk,
            )
            .await?
        } else {
            payment::Entity::find_by_id(pk).one(conn).await?
        };
        let Some(model) = model else { return Ok(None) };
        let n = payment_nodes(
            st,
            p,
            vec![(model, history.then_some(pk))],
            PaymentWants {
                details: Some(PremiumWantsOfDetail {
                    premium: Some(PremiumWants::default()),
                    payment: false,
                }),
            },
        )
        .await?
        .pop();
        Ok(n.map(PaymentNode::Payment))
    };
    run.await.gql(ctx)
}
