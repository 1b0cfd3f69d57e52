//! Output types of `matchPayments` results.

use super::*;

/// The rejection codes of one detail line (reference §10.3).
pub struct PaymentDetailRejectionGQLType(pub service::matching::DetailRejection);

#[Object(name = "PaymentDetailRejectionGQLType")]
impl PaymentDetailRejectionGQLType {
    async fn detail_uuid(&self) -> String {
        self.0.detail_uuid.to_string()
    }
    async fn insurance_number(&self) -> Option<&str> {
        self.0.insurance_number.as_deref()
    }
    async fn product_code(&self) -> Option<&str> {
        self.0.product_code.as_deref()
    }
    /// 101 no insurance number, 102 no product code, 103 unknown insurance number, 104 no policy
    /// of that product for the family, 106 product not sellable to the family, 107 unknown
    /// officer, 108 officer's location incompatible with the product, 109 no premium. For an
    /// Active policy (which matching renews) 106–108 also concern the renewal: the product it
    /// converts into, and the policy's officer, today.
    async fn codes(&self) -> &[i32] {
        &self.0.codes
    }
}

/// What `matchPayments` did to one payment.
pub struct PaymentMatchGQLType(pub MatchOutcome);

#[Object(name = "PaymentMatchGQLType")]
impl PaymentMatchGQLType {
    async fn payment_uuid(&self) -> String {
        self.0.payment_uuid.to_string()
    }
    async fn matched(&self) -> bool {
        self.0.matched
    }
    /// The payment's status afterwards (5 when matched).
    async fn status(&self) -> i32 {
        self.0.status
    }
    /// Detail lines with rejection codes (none when matched).
    async fn rejections(&self) -> Vec<PaymentDetailRejectionGQLType> {
        self.0
            .rejections
            .iter()
            .cloned()
            .map(PaymentDetailRejectionGQLType)
            .collect()
    }
    /// Policies that became Active.
    async fn activated_policy_uuids(&self) -> Vec<String> {
        self.0
            .activated_policies
            .iter()
            .map(|u| u.to_string())
            .collect()
    }
    /// Renewal policies created for Active policies.
    async fn renewal_policy_uuids(&self) -> Vec<String> {
        self.0
            .renewal_policies
            .iter()
            .map(|u| u.to_string())
            .collect()
    }
    /// Premiums created for policies that had none.
    async fn premium_uuids(&self) -> Vec<String> {
        self.0
            .premiums_created
            .iter()
            .map(|u| u.to_string())
            .collect()
    }
    /// Received amount not credited to any policy.
    async fn unallocated(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.unallocated)
    }
    /// A policy of the payment lies outside the caller's locations: the payment was not touched.
    async fn out_of_scope(&self) -> bool {
        self.0.out_of_scope
    }
    /// The error code that stopped this payment (its changes were rolled back).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}
