//! `rejectionExplanation` of a claim: why it or its lines were rejected, one sentence each in
//! the caller's language with the facts that decided it (our addition to openIMIS's claim).

use crate::entity::claim;
use crate::service::explanations::{self, Explanation, Rejections};
use crate::service::rules::LineKind;
use async_graphql::{Context, Enum, SimpleObject};
use imis_core::graphql::{GqlResult, lang, state};

/// Whether an explained line is an item or a service line.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ClaimRejectionLineKind")]
pub enum ClaimRejectionLineKind {
    Item,
    Service,
}

/// One rejection explained: a line's (`lineUuid`, `kind`, `code` set) or the claim's own reason
/// (those three null).
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct ClaimRejectionExplanationGQLType {
    /// The rejected line; null for the claim's own reason.
    pub line_uuid: Option<String>,
    pub kind: Option<ClaimRejectionLineKind>,
    /// The item's or service's code.
    pub code: Option<String>,
    /// Reference §1.2: 1–19, −1 for a line the medical officer rejected.
    pub rejection_reason: i32,
    /// A sentence in the caller's language naming what decided it.
    pub explanation: String,
}

impl From<Explanation> for ClaimRejectionExplanationGQLType {
    fn from(e: Explanation) -> Self {
        ClaimRejectionExplanationGQLType {
            line_uuid: e.line_uuid.map(|u| u.to_string()),
            kind: e.kind.map(|k| match k {
                LineKind::Item => ClaimRejectionLineKind::Item,
                LineKind::Service => ClaimRejectionLineKind::Service,
            }),
            code: e.code,
            rejection_reason: e.rejection_reason,
            explanation: e.text,
        }
    }
}

/// The explanations of `claim`'s rejections (the claim's reason first, then its rejected lines),
/// for the claim's `rejectionExplanation` field: from what its page loaded (`loaded`), else read
/// for this claim alone (a claim reached through a path the page did not look ahead into). The
/// caller has reached the claim already.
pub(crate) async fn rejection_explanation(
    ctx: &Context<'_>,
    claim: &claim::Model,
    loaded: Option<&Rejections>,
) -> async_graphql::Result<Vec<ClaimRejectionExplanationGQLType>> {
    let lang = lang(ctx);
    let found = match loaded {
        Some(loaded) => loaded.explain(claim, &lang),
        None => explanations::explain(&state(ctx).db.conn, claim, &lang)
            .await
            .gql(ctx)?,
    };
    Ok(found.into_iter().map(Into::into).collect())
}
