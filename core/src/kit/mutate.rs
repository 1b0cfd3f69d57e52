//! The mutation resolver shell: every openIMIS mutation checks the caller's rights, runs its body
//! in one transaction inside the envelope (mutation log, idempotent `clientMutationId`, outbox,
//! D5/D7), answers the `{ clientMutationId internalId }` payload, and maps errors to GraphQL
//! errors in the request's language. Bulk mutations ([`mutate_each`]) run their body once per
//! item, each item committed on its own (D26); [`mutate_batches`] hands a body a chunk's items at
//! once, with the same outcome per item.

use crate::auth::Principal;
use crate::auth::{Requirement, require_user};
use crate::error::AppResult;
use crate::graphql::{
    GqlResult, MutationEnvelopeInput, lang, principal, run_mutation_with_secrets, state,
};
use crate::mutation::{MutationCtx, Outcome, comparable_input};
use crate::mutation_bulk::{BulkOutcome, Summary};
use async_graphql::Context;

/// Runs the mutation `name` for a caller holding any one of `rights` (any logged-in user when
/// empty): `input` is what the log stores and a replay compares; `body` does the work in the
/// transaction. The payload is built from the outcome.
pub async fn mutate<P, T, F>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    rights: &'static [i32],
    body: F,
) -> async_graphql::Result<P>
where
    P: From<Outcome<T>>,
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: AsyncFnOnce(&mut MutationCtx<'_>) -> AppResult<T>,
{
    mutate_with_secrets(ctx, name, envelope, input, &[], rights, body).await
}

/// [`mutate`] for a mutation with secret inputs (passwords) that its logged `input` leaves out:
/// a replayed `clientMutationId` must carry the same `secrets` (see
/// [`run_mutation_with_secrets`]).
pub async fn mutate_with_secrets<P, T, F>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    secrets: &[&str],
    rights: &'static [i32],
    body: F,
) -> async_graphql::Result<P>
where
    P: From<Outcome<T>>,
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: AsyncFnOnce(&mut MutationCtx<'_>) -> AppResult<T>,
{
    run_mutation_with_secrets(
        ctx,
        name,
        envelope,
        input,
        secrets,
        async move |m: &mut MutationCtx<'_>| {
            let requirement = if rights.is_empty() {
                Requirement::Authenticated
            } else {
                Requirement::AnyOf(rights)
            };
            require_user(m.principal, requirement)?;
            body(m).await
        },
    )
    .await
    .map(Into::into)
    .gql(ctx)
}

/// Runs the bulk mutation `name` for a caller holding any one of `rights` (any logged-in user
/// when empty): `body` runs once per distinct key, in order, each in its own savepoint of write
/// transactions of at most [`BULK_CHUNK`](crate::mutation_bulk::BULK_CHUNK) items, so an item
/// commits with its own history, outbox rows and links, and an item's error (its code and
/// message in the request's language) becomes its outcome while the others go on (D26). The
/// log row is written last with every item's outcome; a replay answers it, or runs only the
/// items a crash left without an outcome. `input`, which should contain the keys, is what the
/// log stores and a replay compares. The payload is built from the outcome. Each item calls a
/// clone of `body`: a closure borrowing the resolver's data (or owning `Clone` data) is one.
pub async fn mutate_each<P, T, F>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    rights: &'static [i32],
    keys: Vec<String>,
    body: F,
) -> async_graphql::Result<P>
where
    P: From<Outcome<BulkOutcome<T>>>,
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: AsyncFnOnce(&mut MutationCtx<'_>, &str) -> AppResult<T> + Clone,
{
    mutate_each_summarised(ctx, name, envelope, input, rights, keys, None, body).await
}

/// [`mutate_each`] that adds `summary`'s entries, computed from every item's outcome when the
/// mutation finishes, to the log row's `json_ext` (statistics such as `submitClaims`'s
/// `claim_stats`).
#[allow(clippy::too_many_arguments)]
pub async fn mutate_each_summarised<P, T, F>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    rights: &'static [i32],
    keys: Vec<String>,
    summary: Option<Summary<T>>,
    body: F,
) -> async_graphql::Result<P>
where
    P: From<Outcome<BulkOutcome<T>>>,
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: AsyncFnOnce(&mut MutationCtx<'_>, &str) -> AppResult<T> + Clone,
{
    let outcome = async {
        let (principal, requirement) = bulk_caller(ctx, rights)?;
        let input = comparable_input(input)?;
        let envelope = envelope.envelope();
        let lang = lang(ctx);
        crate::mutation_bulk::run_each(
            state(ctx),
            principal,
            &lang,
            name,
            &envelope,
            &input,
            requirement,
            keys,
            summary,
            body,
        )
        .await
    };
    outcome.await.map(Into::into).gql(ctx)
}

/// [`mutate_each_summarised`] whose `batch` handles a chunk's items at once (see
/// [`crate::mutation_bulk::run_batches`]): for bulk work whose items are many and alike, such as
/// submitting or processing a day of claims.
#[allow(clippy::too_many_arguments)]
pub async fn mutate_batches<P, T, F>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    rights: &'static [i32],
    keys: Vec<String>,
    summary: Option<Summary<T>>,
    batch: F,
) -> async_graphql::Result<P>
where
    P: From<Outcome<BulkOutcome<T>>>,
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: AsyncFnOnce(&mut MutationCtx<'_>, &[&str]) -> AppResult<Vec<AppResult<T>>> + Clone,
{
    let outcome = async {
        let (principal, requirement) = bulk_caller(ctx, rights)?;
        let input = comparable_input(input)?;
        let envelope = envelope.envelope();
        let lang = lang(ctx);
        crate::mutation_bulk::run_batches(
            state(ctx),
            principal,
            &lang,
            name,
            &envelope,
            &input,
            requirement,
            keys,
            summary,
            batch,
        )
        .await
    };
    outcome.await.map(Into::into).gql(ctx)
}

/// A bulk mutation's caller (CSRF checked) and the rights it must hold.
fn bulk_caller<'c>(
    ctx: &Context<'c>,
    rights: &'static [i32],
) -> AppResult<(Option<&'c Principal>, Requirement)> {
    let principal = principal(ctx);
    if let Some(p) = principal {
        p.check_csrf()?;
    }
    let requirement = if rights.is_empty() {
        Requirement::Authenticated
    } else {
        Requirement::AnyOf(rights)
    };
    Ok((principal, requirement))
}
