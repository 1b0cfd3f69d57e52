//! The input objects of the payment module's mutations (openIMIS names).

use super::*;

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
    pub(super) fn check_amounts(&self, st: &AppState) -> AppResult<()> {
        amount_of(st, self.amount, "amount")?;
        Ok(())
    }

    pub(super) fn service(&self) -> PremiumInput {
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

imis_core::mutation_inputs! {
    CreatePremiumMutationInput { #[graphql(flatten)] #[serde(flatten)] fields: PremiumFields }
    UpdatePremiumMutationInput { #[graphql(flatten)] #[serde(flatten)] fields: PremiumFields }
    DeletePremiumsMutationInput { uuids: Option<Vec<Option<String>>> }
    CreatePayerMutationInput { #[graphql(flatten)] #[serde(flatten)] fields: PayerFields }
    UpdatePayerMutationInput {
        #[graphql(flatten)]
        #[serde(flatten)]
        fields: PayerFields,
        uuid: Uuid,
    }
    DeletePayerMutationInput { uuids: Option<Vec<Option<String>>> }
    AddFundingMutationInput {
        /// A `PayerGQLType` global id or the payer's integer id.
        payer_id: ID,
        /// A `ProductGQLType` global id or the product's integer id.
        product_id: ID,
        pay_date: Date,
        amount: Decimal,
        receipt: String,
    }
    CreatePaymentMutationInput { #[graphql(flatten)] #[serde(flatten)] fields: PaymentFields }
    UpdatePaymentMutationInput { #[graphql(flatten)] #[serde(flatten)] fields: PaymentFields }
    DeletePaymentsMutationInput { uuids: Option<Vec<Option<String>>> }
    MatchPaymentsMutationInput {
        /// The payments to match; none = every received payment not matched yet.
        uuids: Option<Vec<Option<String>>>,
    }
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
    pub(super) fn service(&self, uuid: Option<Uuid>) -> PayerInput {
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
    pub(super) fn check_amounts(&self, st: &AppState) -> AppResult<()> {
        amount_of(st, self.expected_amount, "expectedAmount")?;
        amount_of(st, self.received_amount, "receivedAmount")?;
        amount_of(st, self.transfer_fee, "transferFee")?;
        for d in self.details.iter().flatten() {
            amount_of(st, d.amount, "amount")?;
            amount_of(st, d.expected_amount, "expectedAmount")?;
        }
        Ok(())
    }

    pub(super) fn service(&self) -> PaymentInput {
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
