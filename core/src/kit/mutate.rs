//! The mutation resolver shell: every openIMIS mutation checks the caller's rights, runs its body
//! in one transaction inside the envelope (mutation log, idempotent `clientMutationId`, outbox,
//! D5/D7), answers the `{ clientMutationId internalId }` payload, and maps errors to GraphQL
//! errors in the request's language.

use crate::auth::{Requirement, require_user};
use crate::error::AppResult;
use crate::graphql::{GqlResult, MutationEnvelopeInput, run_mutation_with_secrets};
use crate::mutation::{MutationCtx, Outcome};
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
