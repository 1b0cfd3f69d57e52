//! The payment module's mutations: premiums, payers and funding, payments and matching.

use super::*;

pub(super) fn uuid_list(list: &Option<Vec<Option<String>>>) -> AppResult<Vec<Uuid>> {
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
        imis_core::kit::mutate(
            ctx,
            "createPremium",
            &input.envelope,
            &input,
            &[service::RIGHT_PREMIUM_ADD],
            async |m| {
                input.fields.check_amounts(m.state)?;
                Ok(service::premiums::create_premium(m, input.fields.service())
                    .await?
                    .id)
            },
        )
        .await
    }

    /// 101303 (SUSPEND also needs 101203). Never deactivates a policy.
    #[graphql(visible = "visible")]
    async fn update_premium(
        &self,
        ctx: &Context<'_>,
        input: UpdatePremiumMutationInput,
    ) -> Result<UpdatePremiumMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "updatePremium",
            &input.envelope,
            &input,
            &[service::RIGHT_PREMIUM_EDIT],
            async |m| {
                input.fields.check_amounts(m.state)?;
                Ok(service::premiums::update_premium(m, input.fields.service())
                    .await?
                    .id)
            },
        )
        .await
    }

    /// 101304. Soft delete; never deactivates a policy.
    #[graphql(visible = "visible")]
    async fn delete_premium(
        &self,
        ctx: &Context<'_>,
        input: DeletePremiumsMutationInput,
    ) -> Result<DeletePremiumsMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "deletePremium",
            &input.envelope,
            &input,
            &[service::RIGHT_PREMIUM_DELETE],
            async |m| {
                let uuids = uuid_list(&input.uuids)?;
                Ok(service::premiums::delete_premiums(m, &uuids).await?.len())
            },
        )
        .await
    }

    /// 121802.
    #[graphql(visible = "visible")]
    async fn create_payer(
        &self,
        ctx: &Context<'_>,
        input: CreatePayerMutationInput,
    ) -> Result<CreatePayerMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "createPayer",
            &input.envelope,
            &input,
            &[service::RIGHT_PAYER_ADD],
            async |m| {
                Ok(service::payers::create_payer(m, input.fields.service(None))
                    .await?
                    .id)
            },
        )
        .await
    }

    /// 121803.
    #[graphql(visible = "visible")]
    async fn update_payer(
        &self,
        ctx: &Context<'_>,
        input: UpdatePayerMutationInput,
    ) -> Result<UpdatePayerMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "updatePayer",
            &input.envelope,
            &input,
            &[service::RIGHT_PAYER_EDIT],
            async |m| {
                Ok(
                    service::payers::update_payer(m, input.fields.service(Some(input.uuid)))
                        .await?
                        .id,
                )
            },
        )
        .await
    }

    /// 121804.
    #[graphql(visible = "visible")]
    async fn delete_payer(
        &self,
        ctx: &Context<'_>,
        input: DeletePayerMutationInput,
    ) -> Result<DeletePayerMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "deletePayer",
            &input.envelope,
            &input,
            &[service::RIGHT_PAYER_DELETE],
            async |m| {
                let uuids = uuid_list(&input.uuids)?;
                Ok(service::payers::delete_payers(m, &uuids).await?.len())
            },
        )
        .await
    }

    /// 121803 (payer edit): a funding row with status P.
    #[graphql(visible = "visible")]
    async fn add_funding(
        &self,
        ctx: &Context<'_>,
        input: AddFundingMutationInput,
    ) -> Result<AddFundingMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "addFunding",
            &input.envelope,
            &input,
            &[service::RIGHT_PAYER_EDIT],
            async |m| {
                amount_of(m.state, Some(input.amount), "amount")?;
                let f = FundingInput {
                    payer_id: input.payer_id.to_string(),
                    product_id: input.product_id.to_string(),
                    pay_date: input.pay_date.0,
                    amount: input.amount,
                    receipt: input.receipt.clone(),
                };
                Ok(service::payers::add_funding(m, f).await?.id)
            },
        )
        .await
    }

    /// 101402.
    #[graphql(visible = "visible")]
    async fn create_payment(
        &self,
        ctx: &Context<'_>,
        input: CreatePaymentMutationInput,
    ) -> Result<CreatePaymentMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "createPayment",
            &input.envelope,
            &input,
            &[service::RIGHT_PAYMENT_ADD],
            async |m| {
                input.fields.check_amounts(m.state)?;
                Ok(service::payments::create_payment(m, input.fields.service())
                    .await?
                    .id)
            },
        )
        .await
    }

    /// 101403. A matched payment cannot be changed.
    #[graphql(visible = "visible")]
    async fn update_payment(
        &self,
        ctx: &Context<'_>,
        input: UpdatePaymentMutationInput,
    ) -> Result<UpdatePaymentMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "updatePayment",
            &input.envelope,
            &input,
            &[service::RIGHT_PAYMENT_EDIT],
            async |m| {
                input.fields.check_amounts(m.state)?;
                Ok(service::payments::update_payment(m, input.fields.service())
                    .await?
                    .id)
            },
        )
        .await
    }

    /// 101404.
    #[graphql(visible = "visible")]
    async fn delete_payment(
        &self,
        ctx: &Context<'_>,
        input: DeletePaymentsMutationInput,
    ) -> Result<DeletePaymentsMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "deletePayment",
            &input.envelope,
            &input,
            &[service::RIGHT_PAYMENT_DELETE],
            async |m| {
                let uuids = uuid_list(&input.uuids)?;
                Ok(service::payments::delete_payments(m, &uuids).await?.len())
            },
        )
        .await
    }

    /// 101403 (ours): matches received payments to policies (reference §10.3).
    #[graphql(visible = "visible")]
    async fn match_payments(
        &self,
        ctx: &Context<'_>,
        input: MatchPaymentsMutationInput,
    ) -> Result<MatchPaymentsMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "matchPayments",
            &input.envelope,
            &input,
            &[service::RIGHT_PAYMENT_EDIT],
            async |m| {
                let uuids: Option<Vec<String>> = input
                    .uuids
                    .as_ref()
                    .map(|l| l.iter().flatten().cloned().collect());
                service::matching::match_payments(m, uuids).await
            },
        )
        .await
    }
}

impl From<imis_core::mutation::Outcome<Vec<MatchOutcome>>> for MatchPaymentsMutationPayload {
    fn from(out: imis_core::mutation::Outcome<Vec<MatchOutcome>>) -> Self {
        Self {
            client_mutation_id: out.client_mutation_id,
            internal_id: Some(out.internal_id.to_string()),
            payments: out.result.into_iter().map(PaymentMatchGQLType).collect(),
        }
    }
}
