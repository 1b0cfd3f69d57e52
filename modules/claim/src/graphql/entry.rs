//! `createClaim` and `updateClaim` with openIMIS's inputs (`CreateClaimMutationInput`,
//! `UpdateClaimMutationInput`, `ClaimItemInputType`, `ClaimServiceInputType`) as the web front end
//! sends them: integer ids (`insureeId`, `healthFacilityId`, `adminId`, `icdId`, `itemId`, …),
//! `priceAsked`/`qtyProvided` as strings or numbers, lines inline. What the server computes
//! (statuses, category, review and valuation amounts) is not taken from the client: such a value
//! sent is ignored with the warning `claim.client_value_ignored` naming the field.

use super::attachments::{ClaimAttachmentInputType, attachment_inputs};
use super::visible;
use crate::rights::{RIGHT_CLAIM_ADD, RIGHT_CLAIM_UPDATE};
use crate::service::{self as svc, ClaimEntry, LineEntry};
use async_graphql::{
    Context, InputObject, InputValueError, InputValueResult, Object, Scalar, ScalarType, Value,
};
use imis_core::graphql::scalars::{Date, DateTime, JsonString};
use imis_core::graphql::{MutationEnvelopeInput, parse_opt_uuid};
use imis_core::mutation::{MutationCtx, Warning};
use imis_core::{AppError, AppResult, kit};
use rust_decimal::Decimal;

/// A text scalar openIMIS declares for one input (`ClaimCodeInputType`, …): any string, checked
/// by the service with a stable error code rather than by the parser.
macro_rules! text_scalar {
    ($name:ident, $gql:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        pub struct $name(pub String);

        #[Scalar(name = $gql)]
        impl ScalarType for $name {
            fn parse(value: Value) -> InputValueResult<Self> {
                match value {
                    Value::String(s) => Ok($name(s)),
                    other => Err(InputValueError::expected_type(other)),
                }
            }
            fn to_value(&self) -> Value {
                Value::String(self.0.clone())
            }
        }
    };
}

text_scalar!(
    ClaimCodeInputType,
    "ClaimCodeInputType",
    "openIMIS `ClaimCodeInputType`: a claim code (its length is checked at entry)."
);
text_scalar!(
    ClaimGuaranteeIdInputType,
    "ClaimGuaranteeIdInputType",
    "openIMIS `ClaimGuaranteeIdInputType`: a guarantee letter number, at most 50 characters."
);

/// A small integer scalar openIMIS declares (`TinyInt`, `SmallInt`), also accepted as a numeric
/// string. Scalars register by name, so the medical module's `TinyInt` and this one are the same
/// GraphQL type.
macro_rules! int_scalar {
    ($name:ident, $gql:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
        pub struct $name(pub i32);

        #[Scalar(name = $gql)]
        impl ScalarType for $name {
            fn parse(value: Value) -> InputValueResult<Self> {
                match &value {
                    Value::Number(n) => n
                        .as_i64()
                        .and_then(|i| i32::try_from(i).ok())
                        .map($name)
                        .ok_or_else(|| InputValueError::custom("expected a small integer")),
                    Value::String(s) => s
                        .trim()
                        .parse::<i32>()
                        .map($name)
                        .map_err(|_| InputValueError::custom("expected a small integer")),
                    _ => Err(InputValueError::expected_type(value)),
                }
            }
            fn to_value(&self) -> Value {
                Value::Number(self.0.into())
            }
        }
    };
}

int_scalar!(TinyInt, "TinyInt", "openIMIS `TinyInt`: a status code.");
int_scalar!(SmallInt, "SmallInt", "openIMIS `SmallInt`: a reason code.");

/// openIMIS `ClaimItemInputType`: one item line. At entry only `itemId`, `qtyProvided`,
/// `priceAsked`, `explanation` and `justification` are taken; review (`saveClaimReview`) reads
/// the reviewer's fields.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "ClaimItemInputType")]
#[serde(rename_all = "camelCase")]
pub struct ClaimItemInputType {
    pub id: Option<i64>,
    pub item_id: i64,
    pub status: TinyInt,
    pub qty_provided: Option<Decimal>,
    pub qty_approved: Option<Decimal>,
    pub price_asked: Option<Decimal>,
    pub price_adjusted: Option<Decimal>,
    pub price_approved: Option<Decimal>,
    pub price_valuated: Option<Decimal>,
    pub explanation: Option<String>,
    pub justification: Option<String>,
    pub rejection_reason: Option<SmallInt>,
    pub validity_from_review: Option<DateTime>,
    pub validity_to_review: Option<DateTime>,
    pub limitation_value: Option<Decimal>,
    pub limitation: Option<String>,
    pub remunerated_amount: Option<Decimal>,
    pub deductable_amount: Option<Decimal>,
    pub exceed_ceiling_amount: Option<Decimal>,
    pub price_origin: Option<String>,
    pub exceed_ceiling_amount_category: Option<Decimal>,
}

/// openIMIS `ClaimServiceInputType`: one service line (package sub-lines `serviceItemSet` and
/// `serviceServiceSet` are not kept, so not accepted). At entry only `serviceId`,
/// `qtyProvided`, `priceAsked`, `explanation` and `justification` are taken.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "ClaimServiceInputType")]
#[serde(rename_all = "camelCase")]
pub struct ClaimServiceInputType {
    pub id: Option<i64>,
    pub legacy_id: Option<i64>,
    pub service_id: i64,
    pub status: TinyInt,
    pub qty_provided: Option<Decimal>,
    pub qty_approved: Option<Decimal>,
    pub price_asked: Option<Decimal>,
    pub price_adjusted: Option<Decimal>,
    pub price_approved: Option<Decimal>,
    pub price_valuated: Option<Decimal>,
    pub explanation: Option<String>,
    pub justification: Option<String>,
    pub rejection_reason: Option<SmallInt>,
    pub validity_to: Option<DateTime>,
    pub validity_from_review: Option<DateTime>,
    pub validity_to_review: Option<DateTime>,
    pub audit_user_id_review: Option<i64>,
    pub limitation_value: Option<Decimal>,
    pub limitation: Option<String>,
    pub policy_id: Option<i64>,
    pub remunerated_amount: Option<Decimal>,
    pub deductable_amount: Option<Decimal>,
    pub exceed_ceiling_amount: Option<Decimal>,
    pub price_origin: Option<String>,
    pub exceed_ceiling_amount_category: Option<Decimal>,
}

/// The fields `createClaim` and `updateClaim` share (openIMIS `ClaimInputType`). Feedback is not
/// entered here (`deliverClaimFeedback` gives it); attachments come with `createClaim` only.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimInputFields {
    /// Accepted and not used: a claim is named by its `uuid`, or on update by `id` when no uuid
    /// is sent.
    pub id: Option<i64>,
    pub uuid: Option<String>,
    pub code: ClaimCodeInputType,
    /// The server draws the code (`<year>-<sequence>`); `code` is then a placeholder.
    pub autogenerate: Option<bool>,
    pub insuree_id: i64,
    pub date_from: Date,
    pub date_to: Option<Date>,
    pub icd_id: i64,
    pub icd1_id: Option<i64>,
    pub icd2_id: Option<i64>,
    pub icd3_id: Option<i64>,
    pub icd4_id: Option<i64>,
    pub review_status: Option<TinyInt>,
    pub date_claimed: Date,
    pub date_processed: Option<Date>,
    pub health_facility_id: i64,
    pub refer_from_id: Option<i64>,
    pub refer_to_id: Option<i64>,
    pub batch_run_id: Option<i64>,
    pub category: Option<String>,
    /// `O` other (the default), `E` emergency, `R` referral.
    pub visit_type: Option<String>,
    pub admin_id: Option<i64>,
    pub guarantee_id: Option<ClaimGuaranteeIdInputType>,
    pub explanation: Option<String>,
    pub adjustment: Option<String>,
    /// A JSON object.
    pub json_ext: Option<JsonString>,
    /// The rejected claim this one restores (create only; right 111012).
    pub restore: Option<uuid::Uuid>,
    pub feedback_available: Option<bool>,
    pub feedback_status: Option<TinyInt>,
    pub care_type: Option<String>,
    pub pre_authorization: Option<bool>,
    pub patient_condition: Option<String>,
    pub referral_code: Option<String>,
    pub items: Option<Vec<Option<ClaimItemInputType>>>,
    pub services: Option<Vec<Option<ClaimServiceInputType>>>,
}

/// openIMIS `CreateClaimMutationInput`: the claim's fields and its first attachments.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "CreateClaimMutationInput")]
pub struct CreateClaimMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub claim: ClaimInputFields,
    /// Documents and links attached to the new claim (the log keeps a document's digest).
    pub attachments: Option<Vec<Option<ClaimAttachmentInputType>>>,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "UpdateClaimMutationInput")]
pub struct UpdateClaimMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub claim: ClaimInputFields,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

imis_core::mutation_payload!(CreateClaimMutationPayload);
imis_core::mutation_payload!(UpdateClaimMutationPayload);

/// The server-owned fields of a line the client filled: (field name, sent).
fn line_extras(i: &ClaimItemInputType) -> [(&'static str, bool); 15] {
    [
        ("status", i.status.0 != svc::LINE_PASSED),
        ("qtyApproved", i.qty_approved.is_some()),
        ("priceAdjusted", i.price_adjusted.is_some()),
        ("priceApproved", i.price_approved.is_some()),
        ("priceValuated", i.price_valuated.is_some()),
        (
            "rejectionReason",
            i.rejection_reason.is_some_and(|r| r.0 != 0),
        ),
        ("validityFromReview", i.validity_from_review.is_some()),
        ("validityToReview", i.validity_to_review.is_some()),
        ("limitationValue", i.limitation_value.is_some()),
        ("limitation", i.limitation.is_some()),
        ("remuneratedAmount", i.remunerated_amount.is_some()),
        ("deductableAmount", i.deductable_amount.is_some()),
        ("exceedCeilingAmount", i.exceed_ceiling_amount.is_some()),
        ("priceOrigin", i.price_origin.is_some()),
        (
            "exceedCeilingAmountCategory",
            i.exceed_ceiling_amount_category.is_some(),
        ),
    ]
}

fn service_extras(s: &ClaimServiceInputType) -> Vec<(&'static str, bool)> {
    let as_item = ClaimItemInputType {
        id: s.id,
        item_id: s.service_id,
        status: s.status,
        qty_provided: s.qty_provided,
        qty_approved: s.qty_approved,
        price_asked: s.price_asked,
        price_adjusted: s.price_adjusted,
        price_approved: s.price_approved,
        price_valuated: s.price_valuated,
        explanation: None,
        justification: None,
        rejection_reason: s.rejection_reason,
        validity_from_review: s.validity_from_review,
        validity_to_review: s.validity_to_review,
        limitation_value: s.limitation_value,
        limitation: s.limitation.clone(),
        remunerated_amount: s.remunerated_amount,
        deductable_amount: s.deductable_amount,
        exceed_ceiling_amount: s.exceed_ceiling_amount,
        price_origin: s.price_origin.clone(),
        exceed_ceiling_amount_category: s.exceed_ceiling_amount_category,
    };
    let mut out = line_extras(&as_item).to_vec();
    out.extend([
        ("validityTo", s.validity_to.is_some()),
        ("auditUserIdReview", s.audit_user_id_review.is_some()),
        ("policyId", s.policy_id.is_some()),
    ]);
    out
}

/// Warns, one warning per field, of the server-owned values the client sent.
fn warn_ignored(m: &mut MutationCtx<'_>, c: &ClaimInputFields) {
    let mut ignored: Vec<String> = [
        (
            "reviewStatus",
            c.review_status.is_some_and(|s| s.0 != svc::REVIEW_IDLE),
        ),
        (
            "feedbackStatus",
            c.feedback_status.is_some_and(|s| s.0 != svc::REVIEW_IDLE),
        ),
        ("dateProcessed", c.date_processed.is_some()),
        ("batchRunId", c.batch_run_id.is_some()),
        (
            "category",
            c.category.as_deref().is_some_and(|s| !s.is_empty()),
        ),
        ("feedbackAvailable", c.feedback_available == Some(true)),
    ]
    .into_iter()
    .filter(|(_, sent)| *sent)
    .map(|(f, _)| f.to_string())
    .collect();
    for (i, line) in c.items.iter().flatten().flatten().enumerate() {
        for (f, sent) in line_extras(line) {
            if sent {
                ignored.push(format!("items[{i}].{f}"));
            }
        }
    }
    for (i, line) in c.services.iter().flatten().flatten().enumerate() {
        for (f, sent) in service_extras(line) {
            if sent {
                ignored.push(format!("services[{i}].{f}"));
            }
        }
    }
    for field in ignored {
        let mut params = serde_json::Map::new();
        params.insert("field".into(), field.into());
        m.warnings.push(Warning {
            code: "claim.client_value_ignored".into(),
            params,
        });
    }
}

/// The service's view of the input.
fn entry_of(c: &ClaimInputFields) -> AppResult<ClaimEntry> {
    let line = |medical_id: i64,
                qty: Option<Decimal>,
                price: Option<Decimal>,
                explanation: &Option<String>,
                justification: &Option<String>| LineEntry {
        medical_id,
        qty_provided: qty,
        price_asked: price,
        explanation: explanation.clone(),
        justification: justification.clone(),
    };
    Ok(ClaimEntry {
        uuid: parse_opt_uuid(c.uuid.as_deref(), "uuid")?,
        code: c.code.0.clone(),
        autogenerate: c.autogenerate.unwrap_or(false),
        insuree_id: c.insuree_id,
        date_from: c.date_from.0,
        date_to: c.date_to.map(|d| d.0),
        date_claimed: c.date_claimed.0,
        icd_id: c.icd_id,
        secondary_icd_ids: [c.icd1_id, c.icd2_id, c.icd3_id, c.icd4_id],
        health_facility_id: c.health_facility_id,
        refer_from_id: c.refer_from_id,
        refer_to_id: c.refer_to_id,
        visit_type: c.visit_type.clone(),
        admin_id: c.admin_id,
        guarantee_id: c.guarantee_id.as_ref().map(|g| g.0.clone()),
        explanation: c.explanation.clone(),
        adjustment: c.adjustment.clone(),
        json_ext: c.json_ext.as_ref().map(|j| j.0.clone()),
        restore: c.restore,
        care_type: c.care_type.clone(),
        pre_authorization: c.pre_authorization,
        patient_condition: c.patient_condition.clone(),
        referral_code: c.referral_code.clone(),
        items: c
            .items
            .iter()
            .flatten()
            .flatten()
            .map(|i| {
                line(
                    i.item_id,
                    i.qty_provided,
                    i.price_asked,
                    &i.explanation,
                    &i.justification,
                )
            })
            .collect(),
        services: c
            .services
            .iter()
            .flatten()
            .flatten()
            .map(|s| {
                line(
                    s.service_id,
                    s.qty_provided,
                    s.price_asked,
                    &s.explanation,
                    &s.justification,
                )
            })
            .collect(),
    })
}

#[derive(Default)]
pub struct ClaimEntryMutation;

#[Object]
impl ClaimEntryMutation {
    /// Enters a claim (111002; 111012 with `restore`): status Entered, lines passed, `claimed`
    /// computed (reference §1.4), with its `attachments`. A retry of a created claim (its uuid,
    /// the same content) answers it and adds nothing.
    #[graphql(visible = "visible")]
    async fn create_claim(
        &self,
        ctx: &Context<'_>,
        input: CreateClaimMutationInput,
    ) -> async_graphql::Result<CreateClaimMutationPayload> {
        let name = "createClaim";
        kit::mutate(
            ctx,
            name,
            &input.envelope,
            &input,
            &[RIGHT_CLAIM_ADD],
            async |m| {
                let entry = entry_of(&input.claim)?;
                warn_ignored(m, &input.claim);
                let (model, new) = svc::create_claim(m, &entry).await?;
                if new {
                    let attachments = attachment_inputs(&input.attachments);
                    svc::attachments::add_attachments(m, model.id, &attachments).await?;
                }
                m.link(svc::ENTITY_CLAIM, model.id);
                Ok(model.id)
            },
        )
        .await
    }

    /// Replaces an Entered claim (111010): its header as sent, its lines re-created.
    #[graphql(visible = "visible")]
    async fn update_claim(
        &self,
        ctx: &Context<'_>,
        input: UpdateClaimMutationInput,
    ) -> async_graphql::Result<UpdateClaimMutationPayload> {
        let name = "updateClaim";
        kit::mutate(
            ctx,
            name,
            &input.envelope,
            &input,
            &[RIGHT_CLAIM_UPDATE],
            async |m| {
                let entry = ClaimEntry {
                    // The claim exists: its uuid names it, never a new one.
                    uuid: None,
                    ..entry_of(&input.claim)?
                };
                let target = match (&input.claim.uuid, input.claim.id) {
                    (Some(u), _) if !u.trim().is_empty() => {
                        imis_core::graphql::parse_uuid(u.trim(), "uuid")?
                    }
                    (_, Some(id)) => svc::claim_uuid_of(m.tx, id).await?,
                    _ => return Err(AppError::invalid("uuid", "the claim's uuid is required")),
                };
                warn_ignored(m, &input.claim);
                let model = svc::update_claim(m, target, &entry).await?;
                m.link(svc::ENTITY_CLAIM, model.id);
                Ok(model.id)
            },
        )
        .await
    }
}
