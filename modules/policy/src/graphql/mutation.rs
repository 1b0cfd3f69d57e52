//! Mutations of the policy module: `createPolicy`, `updatePolicy`, `renewPolicy`,
//! `suspendPolicies`, `deletePolicies`.

use super::*;
use imis_core::mutation::{MutationCtx, Outcome};

/// openIMIS `PolicyInputType` fields (dates and value optional, D14), plus `prevUuid` for renewals.
#[derive(InputObject, serde::Serialize, Clone)]
pub struct PolicyFields {
    pub uuid: Option<String>,
    pub enroll_date: Date,
    pub start_date: Option<Date>,
    pub expiry_date: Option<Date>,
    pub value: Option<Decimal>,
    pub product_id: i64,
    pub family_id: i64,
    pub officer_id: i64,
    pub is_paid: Option<bool>,
    pub receipt: Option<String>,
    pub payer_uuid: Option<String>,
    pub contribution_plan_id: Option<String>,
    pub prev_uuid: Option<String>,
}

impl PolicyFields {
    /// The service input; `value` (compared with the computed value, D14) must be an amount of
    /// the currency (`input.invalid` naming `value` otherwise).
    fn parse(&self, digits: u32) -> AppResult<PolicyInput> {
        if let Some(v) = self.value {
            Money::parse("value", v, digits)?;
        }
        Ok(PolicyInput {
            uuid: opt_uuid(self.uuid.as_deref(), "uuid")?,
            enroll_date: self.enroll_date.0,
            start_date: self.start_date.map(|d| d.0),
            expiry_date: self.expiry_date.map(|d| d.0),
            value: self.value,
            product_id: self.product_id,
            family_id: self.family_id,
            officer_id: self.officer_id,
            is_paid: self.is_paid.unwrap_or(false),
            receipt: self.receipt.clone().filter(|r| !r.trim().is_empty()),
            payer_uuid: self.payer_uuid.clone().filter(|r| !r.trim().is_empty()),
            contribution_plan_uuid: opt_uuid(
                self.contribution_plan_id.as_deref(),
                "contributionPlanId",
            )?,
            prev_uuid: opt_uuid(self.prev_uuid.as_deref(), "prevUuid")?,
            is_offline: false,
        })
    }
}

imis_core::mutation_inputs! {
    CreatePolicyMutationInput { #[graphql(flatten)] #[serde(flatten)] fields: PolicyFields }
    UpdatePolicyMutationInput { #[graphql(flatten)] #[serde(flatten)] fields: PolicyFields }
    RenewPolicyMutationInput { #[graphql(flatten)] #[serde(flatten)] fields: PolicyFields }
    SuspendPoliciesMutationInput { uuids: Vec<String> }
    DeletePoliciesMutationInput { uuids: Vec<String> }
}

imis_core::mutation_payload!(CreatePolicyMutationPayload);
imis_core::mutation_payload!(UpdatePolicyMutationPayload);
imis_core::mutation_payload!(RenewPolicyMutationPayload);
imis_core::mutation_payload!(SuspendPoliciesMutationPayload);
imis_core::mutation_payload!(DeletePoliciesMutationPayload);

fn parse_uuids(list: &[String]) -> AppResult<Vec<uuid::Uuid>> {
    list.iter().map(|u| parse_uuid(u.trim(), "uuids")).collect()
}

/// `createPolicy`, `updatePolicy` and `renewPolicy`: the policy's `fields` (of the logged
/// `input`), parsed with the currency's digits, written by `write`; the payload names the policy.
async fn write_policy<P: From<Outcome<i64>>>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    fields: &PolicyFields,
    rights: &'static [i32],
    write: impl AsyncFnOnce(&mut MutationCtx<'_>, PolicyInput) -> AppResult<policy::Model>,
) -> Result<P> {
    imis_core::kit::mutate(ctx, name, envelope, input, rights, async |m| {
        let fields = fields.parse(m.state.config.core.currency_minor_digits)?;
        Ok(write(m, fields).await?.id)
    })
    .await
}

#[derive(Default)]
pub struct PolicyMutation;

#[Object]
impl PolicyMutation {
    /// 101202. Dates and value are computed by the server (D14).
    #[graphql(visible = "visible")]
    async fn create_policy(
        &self,
        ctx: &Context<'_>,
        input: CreatePolicyMutationInput,
    ) -> Result<CreatePolicyMutationPayload> {
        write_policy(
            ctx,
            "createPolicy",
            &input.envelope,
            &input,
            &input.fields,
            &[service::RIGHT_POLICY_ADD],
            async |m, fields| service::create_policy(m, fields).await,
        )
        .await
    }

    /// 101203. Only an Idle policy; dates and value recomputed.
    #[graphql(visible = "visible")]
    async fn update_policy(
        &self,
        ctx: &Context<'_>,
        input: UpdatePolicyMutationInput,
    ) -> Result<UpdatePolicyMutationPayload> {
        write_policy(
            ctx,
            "updatePolicy",
            &input.envelope,
            &input,
            &input.fields,
            &[service::RIGHT_POLICY_EDIT],
            async |m, fields| service::update_policy(m, fields).await,
        )
        .await
    }

    /// 101205. A new renewal policy (D12).
    #[graphql(visible = "visible")]
    async fn renew_policy(
        &self,
        ctx: &Context<'_>,
        input: RenewPolicyMutationInput,
    ) -> Result<RenewPolicyMutationPayload> {
        write_policy(
            ctx,
            "renewPolicy",
            &input.envelope,
            &input,
            &input.fields,
            &[service::RIGHT_POLICY_RENEW],
            async |m, fields| service::renew_policy(m, fields).await,
        )
        .await
    }

    /// 101203.
    #[graphql(visible = "visible")]
    async fn suspend_policies(
        &self,
        ctx: &Context<'_>,
        input: SuspendPoliciesMutationInput,
    ) -> Result<SuspendPoliciesMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "suspendPolicies",
            &input.envelope,
            &input,
            &[service::RIGHT_POLICY_EDIT],
            async |m| service::suspend_policies(m, &parse_uuids(&input.uuids)?).await,
        )
        .await
    }

    /// 101204. Refused when claims consumed a policy.
    #[graphql(visible = "visible")]
    async fn delete_policies(
        &self,
        ctx: &Context<'_>,
        input: DeletePoliciesMutationInput,
    ) -> Result<DeletePoliciesMutationPayload> {
        imis_core::kit::mutate(
            ctx,
            "deletePolicies",
            &input.envelope,
            &input,
            &[service::RIGHT_POLICY_DELETE],
            async |m| service::delete_policies(m, &parse_uuids(&input.uuids)?).await,
        )
        .await
    }
}
