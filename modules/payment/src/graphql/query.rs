//! The payment module's queries: premiums, payers and fundings, payments and their lines.

use super::*;

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
                        imis_core::registers::location_id_by_uuid(&st.db.conn, u)
                            .await?
                            .unwrap_or(0)
                    }
                }),
            };
            let ids = mutation_ids(ctx, client_mutation_id, service::HISTORY_PREMIUM).await?;
            let f = PremiumFilter {
                show_history: show_history.unwrap_or(false),
                ids,
                uuid: opt_uuid(uuid.as_deref(), "uuid")?,
                payer_id: pk(&payer_id, "PayerGQLType")?,
                amount: amounts(
                    st,
                    "amount",
                    [amount, amount_gt, amount_gte, amount_lt, amount_lte],
                )?,
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
                PageArgs::new(first, last, after, before, offset, order_by),
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
                PageArgs::new(first, last, after, before, offset, order_by),
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
        let run = async {
            let f = PayerFilter {
                show_history: show_history.unwrap_or(false),
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
            payer_page(
                ctx,
                f,
                PageArgs::new(first, last, after, before, offset, order_by),
            )
            .await
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
            let ids = mutation_ids(ctx, client_mutation_id, service::HISTORY_FUNDING).await?;
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
                amount: amounts(
                    st,
                    "amount",
                    [amount, amount_gt, amount_gte, amount_lt, amount_lte],
                )?,
                status: status.map(|s| s.code().to_string()),
            };
            let select = service::payers::fundings_select(st, principal(ctx), &f).await?;
            let page = page_of(
                ctx,
                select,
                &PageArgs::new(first, last, after, before, offset, order_by),
                FUNDING_SORTING,
            )
            .await?;
            let node = ctx.look_ahead().field("edges").field("node");
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            Ok::<_, AppError>(
                with_nodes(page, async |models| {
                    funding_nodes_with(st, caller, models, None, node.field("product").exists())
                        .await
                })
                .await?
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
            let ids = mutation_ids(ctx, client_mutation_id, service::HISTORY_PAYMENT).await?;
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
                received_amount: amounts(
                    st,
                    "receivedAmount",
                    [None, None, received_amount_gte, None, received_amount_lte],
                )?,
                expected_amount: amounts(
                    st,
                    "expectedAmount",
                    [None, None, expected_amount_gte, None, expected_amount_lte],
                )?,
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
                PageArgs::new(first, last, after, before, offset, order_by),
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
        let run = async {
            let f = PaymentDetailFilter {
                show_history: show_history.unwrap_or(false),
                payment_uuid: opt_uuid(payment_uuid.as_deref(), "payment_Uuid")?,
                premium_uuid: opt_uuid(premium_uuid.as_deref(), "premium_Uuid")?,
                insurance_number,
                product_code,
            };
            detail_page(
                ctx,
                f,
                PageArgs::new(first, last, after, before, offset, order_by),
            )
            .await
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
                PageArgs::new(first, last, after, before, offset, order_by),
            )
            .await
        };
        run.await.gql(ctx)
    }
}
