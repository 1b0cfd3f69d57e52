//! Output types answering questions about policies: coverage rows, consumption, enrolment
//! warnings, `policiesByFamily` / `policiesByInsuree` rows and eligibility.

use super::*;

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
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.row.validity_from, self.row.validity_to)
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
        date_time(ctx, self.0.validity_from)
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
        self.0.officer.as_ref().and_then(|o| o.code.as_deref())
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
