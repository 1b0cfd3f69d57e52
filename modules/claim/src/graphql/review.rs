//! Review and feedback mutations with openIMIS's names and inputs (reference §1.10.2):
//! `selectClaimsForReview`, `skipClaimsReview`, `bypassClaimsReview`, `saveClaimReview`,
//! `deliverClaimsReview`, `selectClaimsForFeedback`, `skipClaimsFeedback`,
//! `bypassClaimsFeedback`, `deliverClaimFeedback`. The bulk ones commit claim by claim (D26);
//! the selections also take our `additionalFilters`, `selectionType` and `selectionValue` (D23).

use super::entry::{ClaimItemInputType, ClaimServiceInputType, SmallInt};
use super::visible;
use crate::entity::claim;
use crate::rights::{RIGHT_CLAIM_FEEDBACK, RIGHT_CLAIM_REVIEW, RIGHT_CLAIM_UPDATE};
use crate::service::feedback::{self as feedback_svc, FeedbackInput};
use crate::service::review::{
    self as svc, ClaimSet, Move, Plan, Review, ReviewLine, Sampling, SelectionType, Track,
};
use crate::service::{KIND_ITEM, KIND_SERVICE, filters};
use async_graphql::{Context, Enum, InputObject, Object};
use imis_core::graphql::scalars::DateTime;
use imis_core::graphql::{MutationEnvelopeInput, parse_uuid, principal, state};
use imis_core::money::Money;
use imis_core::{AppError, AppResult, AppState, kit};
use rust_decimal::Decimal;
use sea_orm::QueryOrder;
use uuid::Uuid;

/// How a selection samples the idle checked claims it is given (our addition, D23).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "ClaimSelectionType")]
pub enum ClaimSelectionType {
    /// `selectionValue` percent of the candidates, rounded up, in random order.
    #[graphql(name = "RANDOM")]
    Random,
    /// The candidates whose claimed amount is at least `selectionValue`.
    #[graphql(name = "VALUE")]
    Value,
    /// The candidates whose claimed amount is at least the mean claimed amount of the processed
    /// or valuated claims with the same main diagnosis dated in the 365 days before theirs,
    /// increased by `selectionValue` percent (a whole number, as `diagnosisVariance`); a
    /// diagnosis without such claims selects none.
    #[graphql(name = "VARIANCE")]
    Variance,
}

imis_core::mutation_inputs! {
    SelectClaimsForReviewMutationInput {
        uuids: Option<Vec<Option<String>>>,
        /// Our addition: a JSON object of `claims` filters choosing the claims (among `uuids`
        /// when given).
        additional_filters: Option<String>,
        /// Our addition: sample the idle checked claims instead of selecting them all.
        selection_type: Option<ClaimSelectionType>,
        selection_value: Option<Decimal>,
    }
    SkipClaimsReviewMutationInput {
        uuids: Option<Vec<Option<String>>>,
        /// Our addition: a JSON object of `claims` filters choosing the claims (among `uuids`
        /// when given).
        additional_filters: Option<String>,
    }
    BypassClaimsReviewMutationInput {
        uuids: Option<Vec<Option<String>>>,
        /// Our addition: a JSON object of `claims` filters choosing the claims (among `uuids`
        /// when given).
        additional_filters: Option<String>,
    }
    SelectClaimsForFeedbackMutationInput {
        uuids: Option<Vec<Option<String>>>,
        /// Our addition: a JSON object of `claims` filters choosing the claims (among `uuids`
        /// when given).
        additional_filters: Option<String>,
        /// Our addition: sample the idle checked claims instead of selecting them all.
        selection_type: Option<ClaimSelectionType>,
        selection_value: Option<Decimal>,
    }
    SkipClaimsFeedbackMutationInput {
        uuids: Option<Vec<Option<String>>>,
        /// Our addition: a JSON object of `claims` filters choosing the claims (among `uuids`
        /// when given).
        additional_filters: Option<String>,
    }
    BypassClaimsFeedbackMutationInput {
        uuids: Option<Vec<Option<String>>>,
        /// Our addition: a JSON object of `claims` filters choosing the claims (among `uuids`
        /// when given).
        additional_filters: Option<String>,
    }
    DeliverClaimsReviewMutationInput { uuids: Option<Vec<Option<String>>> }
    SaveClaimReviewMutationInput {
        claim_uuid: Option<String>,
        adjustment: Option<String>,
        items: Option<Vec<Option<ClaimItemInputType>>>,
        services: Option<Vec<Option<ClaimServiceInputType>>>,
        /// Deliver the review as well (`deliverClaimsReview`).
        submit_review: Option<bool>,
    }
    DeliverClaimFeedbackMutationInput {
        claim_uuid: Option<String>,
        feedback: FeedbackInputType,
    }
}

imis_core::mutation_payload!(SelectClaimsForReviewMutationPayload);
imis_core::mutation_payload!(SkipClaimsReviewMutationPayload);
imis_core::mutation_payload!(BypassClaimsReviewMutationPayload);
imis_core::mutation_payload!(SelectClaimsForFeedbackMutationPayload);
imis_core::mutation_payload!(SkipClaimsFeedbackMutationPayload);
imis_core::mutation_payload!(BypassClaimsFeedbackMutationPayload);
imis_core::mutation_payload!(DeliverClaimsReviewMutationPayload);
imis_core::mutation_payload!(SaveClaimReviewMutationPayload);
imis_core::mutation_payload!(DeliverClaimFeedbackMutationPayload);

/// openIMIS `FeedbackInputType`. `id`, `validityFrom` and `validityTo` are accepted and ignored:
/// the claim names the feedback, and versions are the server's.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "FeedbackInputType")]
pub struct FeedbackInputType {
    pub id: Option<i32>,
    pub care_rendered: Option<bool>,
    pub payment_asked: Option<bool>,
    pub drug_prescribed: Option<bool>,
    pub drug_received: Option<bool>,
    /// −1 to 5.
    pub asessment: Option<SmallInt>,
    /// The enrolment officer (user id) who collected it; absent: the officer prompted.
    pub officer_id: Option<i32>,
    /// Required; a date or a date-time (its date is kept).
    pub feedback_date: Option<DateTime>,
    pub validity_from: Option<DateTime>,
    pub validity_to: Option<DateTime>,
}

/// The claims a bulk mutation names: `uuids`, or the claims `additionalFilters` chooses (among
/// `uuids` when both are given; the caller's scope and search right 111001 apply, as in
/// `claims`: see `service::filters`).
async fn claim_set(
    st: &AppState,
    p: Option<&imis_core::auth::Principal>,
    uuids: &Option<Vec<Option<String>>>,
    additional_filters: &Option<String>,
) -> AppResult<ClaimSet> {
    let Some(json) = filters::given(additional_filters) else {
        return Ok(ClaimSet::Uuids(uuid_list(uuids)?));
    };
    let among = uuids.as_ref().map(|_| uuid_list(uuids)).transpose()?;
    let rows = filters::chosen_claims_select(st, p, among, json)
        .await?
        .order_by_asc(claim::Column::Id)
        .all(&st.db.conn)
        .await?;
    Ok(ClaimSet::Rows(rows))
}

fn uuid_list(list: &Option<Vec<Option<String>>>) -> AppResult<Vec<Uuid>> {
    list.iter()
        .flatten()
        .flatten()
        .map(|s| parse_uuid(s, "uuids"))
        .collect()
}

fn sampling(
    kind: Option<ClaimSelectionType>,
    value: Option<Decimal>,
) -> AppResult<Option<Sampling>> {
    if let Some(v) = value {
        // An amount (VALUE) or a percentage (RANDOM, VARIANCE): never more than storage holds.
        imis_core::money::Money::parse("selectionValue", v, 2)?;
    }
    let Some(kind) = kind else {
        return match value {
            Some(_) => Err(AppError::invalid(
                "selectionValue",
                "only with selectionType",
            )),
            None => Ok(None),
        };
    };
    let value = value.ok_or_else(|| AppError::invalid("selectionValue", "required"))?;
    let kind = match kind {
        ClaimSelectionType::Random => SelectionType::Random,
        ClaimSelectionType::Value => SelectionType::Value,
        ClaimSelectionType::Variance => SelectionType::Variance,
    };
    Ok(Some(Sampling { kind, value }))
}

/// Runs a planned select, skip or bypass claim by claim (D26). A refusal before any claim runs
/// (no right, a bad filter or sampling value) is logged like any failed mutation.
async fn run_moves<P>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    track: Track,
    planned: AppResult<Plan>,
) -> async_graphql::Result<P>
where
    P: From<imis_core::mutation::Outcome<kit::BulkOutcome<svc::StatusChange>>>
        + From<imis_core::mutation::Outcome<()>>,
{
    let plan = match planned {
        Ok(plan) => plan,
        Err(e) => {
            return kit::mutate(
                ctx,
                name,
                envelope,
                input,
                &[RIGHT_CLAIM_UPDATE],
                async |_| Err::<(), _>(e),
            )
            .await;
        }
    };
    let keys = plan.keys();
    // Each claim's run gets its own copy of the body, hence a shared plan.
    let plan = std::sync::Arc::new(plan);
    kit::mutate_each(
        ctx,
        name,
        envelope,
        input,
        &[RIGHT_CLAIM_UPDATE],
        keys,
        async move |m, key| svc::move_claim(m, track, &plan, parse_uuid(key, "uuids")?).await,
    )
    .await
}

/// A select, skip or bypass mutation: plans the moves (rights, claims, sampling), then runs them
/// claim by claim.
async fn move_claims<P>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    (track, mv): (Track, Move),
    (uuids, additional_filters): (&Option<Vec<Option<String>>>, &Option<String>),
    selection: AppResult<Option<Sampling>>,
) -> async_graphql::Result<P>
where
    P: From<imis_core::mutation::Outcome<kit::BulkOutcome<svc::StatusChange>>>
        + From<imis_core::mutation::Outcome<()>>,
{
    let plan = plan_moves(ctx, track, mv, uuids, additional_filters, selection).await;
    run_moves(ctx, name, envelope, input, track, plan).await
}

async fn plan_moves(
    ctx: &Context<'_>,
    track: Track,
    mv: Move,
    uuids: &Option<Vec<Option<String>>>,
    additional_filters: &Option<String>,
    selection: AppResult<Option<Sampling>>,
) -> AppResult<Plan> {
    let (st, p) = (state(ctx), principal(ctx));
    // Rights first, so that a caller without them learns nothing from the filter's reading.
    crate::service::require(p, &[RIGHT_CLAIM_UPDATE])?;
    let sampling = selection?;
    let claims = claim_set(st, p, uuids, additional_filters).await?;
    svc::plan(st, p, track, mv, claims, sampling).await
}

#[derive(Default)]
pub struct ClaimReviewMutation;

#[Object]
impl ClaimReviewMutation {
    /// Selects checked claims for review (111010): every claim given (review status 1 or 2 →
    /// 4), or, with `selectionType`, a sample of the idle ones (4), the others not selected (2).
    /// Each claim commits on its own.
    #[graphql(visible = "visible")]
    async fn select_claims_for_review(
        &self,
        ctx: &Context<'_>,
        input: SelectClaimsForReviewMutationInput,
    ) -> async_graphql::Result<SelectClaimsForReviewMutationPayload> {
        let selection = sampling(input.selection_type, input.selection_value);
        move_claims(
            ctx,
            "selectClaimsForReview",
            &input.envelope,
            &input,
            (Track::Review, Move::Select),
            (&input.uuids, &input.additional_filters),
            selection,
        )
        .await
    }

    /// Review not needed (111010): review status 1 or 4 → 2.
    #[graphql(visible = "visible")]
    async fn skip_claims_review(
        &self,
        ctx: &Context<'_>,
        input: SkipClaimsReviewMutationInput,
    ) -> async_graphql::Result<SkipClaimsReviewMutationPayload> {
        move_claims(
            ctx,
            "skipClaimsReview",
            &input.envelope,
            &input,
            (Track::Review, Move::Skip),
            (&input.uuids, &input.additional_filters),
            Ok(None),
        )
        .await
    }

    /// A selected claim goes on without review (111010): review status 4 → 16.
    #[graphql(visible = "visible")]
    async fn bypass_claims_review(
        &self,
        ctx: &Context<'_>,
        input: BypassClaimsReviewMutationInput,
    ) -> async_graphql::Result<BypassClaimsReviewMutationPayload> {
        move_claims(
            ctx,
            "bypassClaimsReview",
            &input.envelope,
            &input,
            (Track::Review, Move::Bypass),
            (&input.uuids, &input.additional_filters),
            Ok(None),
        )
        .await
    }

    /// Selects checked claims for feedback (111010), as `selectClaimsForReview` does, and
    /// prompts an enrolment officer of the insuree's village for each claim selected.
    #[graphql(visible = "visible")]
    async fn select_claims_for_feedback(
        &self,
        ctx: &Context<'_>,
        input: SelectClaimsForFeedbackMutationInput,
    ) -> async_graphql::Result<SelectClaimsForFeedbackMutationPayload> {
        let selection = sampling(input.selection_type, input.selection_value);
        move_claims(
            ctx,
            "selectClaimsForFeedback",
            &input.envelope,
            &input,
            (Track::Feedback, Move::Select),
            (&input.uuids, &input.additional_filters),
            selection,
        )
        .await
    }

    /// Feedback not needed (111010): feedback status 1 or 4 → 2; the open prompt ends.
    #[graphql(visible = "visible")]
    async fn skip_claims_feedback(
        &self,
        ctx: &Context<'_>,
        input: SkipClaimsFeedbackMutationInput,
    ) -> async_graphql::Result<SkipClaimsFeedbackMutationPayload> {
        move_claims(
            ctx,
            "skipClaimsFeedback",
            &input.envelope,
            &input,
            (Track::Feedback, Move::Skip),
            (&input.uuids, &input.additional_filters),
            Ok(None),
        )
        .await
    }

    /// A selected claim goes on without feedback (111010): feedback status 4 → 16; the open
    /// prompt ends.
    #[graphql(visible = "visible")]
    async fn bypass_claims_feedback(
        &self,
        ctx: &Context<'_>,
        input: BypassClaimsFeedbackMutationInput,
    ) -> async_graphql::Result<BypassClaimsFeedbackMutationPayload> {
        move_claims(
            ctx,
            "bypassClaimsFeedback",
            &input.envelope,
            &input,
            (Track::Feedback, Move::Bypass),
            (&input.uuids, &input.additional_filters),
            Ok(None),
        )
        .await
    }

    /// The medical officer's review of a checked claim's lines (111008), in one transaction;
    /// with `submitReview`, delivered too.
    #[graphql(visible = "visible")]
    async fn save_claim_review(
        &self,
        ctx: &Context<'_>,
        input: SaveClaimReviewMutationInput,
    ) -> async_graphql::Result<SaveClaimReviewMutationPayload> {
        kit::mutate(
            ctx,
            "saveClaimReview",
            &input.envelope,
            &input,
            &[RIGHT_CLAIM_REVIEW],
            async |m| {
                let uuid =
                    parse_uuid(input.claim_uuid.as_deref().unwrap_or_default(), "claimUuid")?;
                let review = review_of(m.state, &input)?;
                svc::save_claim_review(m, uuid, &review).await
            },
        )
        .await
    }

    /// Delivers the reviews of selected claims (111008): review status 4 → 8, consumption
    /// booked again, `claim.reviewed` published. Each claim commits on its own.
    #[graphql(visible = "visible")]
    async fn deliver_claims_review(
        &self,
        ctx: &Context<'_>,
        input: DeliverClaimsReviewMutationInput,
    ) -> async_graphql::Result<DeliverClaimsReviewMutationPayload> {
        let keys = match uuid_list(&input.uuids) {
            Ok(uuids) => uuids.iter().map(Uuid::to_string).collect(),
            Err(e) => {
                return kit::mutate(
                    ctx,
                    "deliverClaimsReview",
                    &input.envelope,
                    &input,
                    &[RIGHT_CLAIM_REVIEW],
                    async |_| Err::<(), _>(e),
                )
                .await;
            }
        };
        kit::mutate_each(
            ctx,
            "deliverClaimsReview",
            &input.envelope,
            &input,
            &[RIGHT_CLAIM_REVIEW],
            keys,
            async |m, key| svc::deliver_review(m, parse_uuid(key, "uuids")?).await,
        )
        .await
    }

    /// Records the feedback an enrolment officer collected on a claim selected for feedback
    /// (111009): feedback status 8, feedback available, prompt closed.
    #[graphql(visible = "visible")]
    async fn deliver_claim_feedback(
        &self,
        ctx: &Context<'_>,
        input: DeliverClaimFeedbackMutationInput,
    ) -> async_graphql::Result<DeliverClaimFeedbackMutationPayload> {
        kit::mutate(
            ctx,
            "deliverClaimFeedback",
            &input.envelope,
            &input,
            &[RIGHT_CLAIM_FEEDBACK],
            async |m| {
                let uuid =
                    parse_uuid(input.claim_uuid.as_deref().unwrap_or_default(), "claimUuid")?;
                let f = &input.feedback;
                let feedback = FeedbackInput {
                    feedback_date: f.feedback_date.map(|d| d.0.date()),
                    officer_id: f.officer_id.map(i64::from),
                    care_rendered: f.care_rendered,
                    payment_asked: f.payment_asked,
                    drug_prescribed: f.drug_prescribed,
                    drug_received: f.drug_received,
                    asessment: f.asessment.map(|a| a.0),
                };
                Ok(feedback_svc::deliver_claim_feedback(m, uuid, &feedback)
                    .await?
                    .id)
            },
        )
        .await
    }
}

/// The service's review from the input: quantities in hundredths, prices in minor units.
fn review_of(st: &AppState, input: &SaveClaimReviewMutationInput) -> AppResult<Review> {
    let digits = st.config.core.currency_minor_digits;
    let qty = |d: Option<Decimal>| {
        d.map(|d| Money::parse_non_negative("qtyApproved", d, 2).map(|m| m.0))
            .transpose()
    };
    let price = |d: Option<Decimal>| {
        d.map(|d| Money::parse_non_negative("priceApproved", d, digits).map(|m| m.0))
            .transpose()
    };
    let mut lines = Vec::new();
    for i in input.items.iter().flatten().flatten() {
        lines.push(ReviewLine {
            id: i.id,
            kind: KIND_ITEM,
            medical_id: i.item_id,
            status: i.status.0,
            qty_approved: qty(i.qty_approved)?,
            price_approved: price(i.price_approved)?,
            justification: i.justification.clone(),
        });
    }
    for s in input.services.iter().flatten().flatten() {
        lines.push(ReviewLine {
            id: s.id,
            kind: KIND_SERVICE,
            medical_id: s.service_id,
            status: s.status.0,
            qty_approved: qty(s.qty_approved)?,
            price_approved: price(s.price_approved)?,
            justification: s.justification.clone(),
        });
    }
    Ok(Review {
        adjustment: input.adjustment.clone(),
        lines,
        deliver: input.submit_review.unwrap_or(false),
    })
}
