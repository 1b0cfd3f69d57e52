//! GraphQL building blocks shared by every module: request context access, error conversion,
//! global ids (D4), the openIMIS scalars, the mutation envelope (D5) and Relay connections with
//! `totalCount`, `edgeCount`, keyset cursors and `offset` (D3).

pub mod connection;
pub mod flatten;
pub mod node;
mod node_interface;
pub mod relay;
pub mod roots;
pub mod scalars;

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use async_graphql::{Context, ErrorExtensions};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// The caller's language for messages: user setting, else `Accept-Language`, else English (D6).
#[derive(Debug, Clone)]
pub struct Lang(pub String);

pub fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

pub fn principal<'a>(ctx: &Context<'a>) -> Option<&'a Principal> {
    ctx.data_opt::<Principal>()
}

pub fn lang(ctx: &Context<'_>) -> String {
    if let Some(p) = principal(ctx) {
        return p.language.clone();
    }
    ctx.data_opt::<Lang>()
        .map(|l| l.0.clone())
        .unwrap_or_else(|| "en".into())
}

impl AppError {
    /// The GraphQL error: message in the caller's language, `extensions.code` and parameters.
    pub fn to_gql(&self, lang: &str) -> async_graphql::Error {
        let code = self.code.clone();
        let params = self.params.clone();
        async_graphql::Error::new(self.message(lang)).extend_with(move |_, ext| {
            for (k, v) in &params {
                ext.set(k.as_str(), v.clone());
            }
            // Last, so that a parameter named `code` never hides the error code.
            ext.set("code", code.clone());
        })
    }
}

/// Converts service errors to GraphQL errors in the caller's language.
pub trait GqlResult<T> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for AppResult<T> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|e| e.to_gql(&lang(ctx)))
    }
}

/// Relay global id: base64 of `"<TypeName>:<pk>"`.
pub fn global_id(type_name: &str, pk: impl std::fmt::Display) -> async_graphql::ID {
    async_graphql::ID(B64.encode(format!("{type_name}:{pk}")))
}

/// Decodes a global id into (type name, pk).
pub fn decode_global_id(id: &str) -> AppResult<(String, String)> {
    let bad = || AppError::validation("input.invalid_id").with("id", id);
    let bytes = B64.decode(id).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (t, pk) = text.split_once(':').ok_or_else(bad)?;
    Ok((t.to_string(), pk.to_string()))
}

/// Accepts a global id of `type_name` or a raw integer pk (openIMIS clients send both).
pub fn parse_pk(id: &str, type_name: &str) -> AppResult<i64> {
    if let Ok(pk) = id.parse::<i64>() {
        return Ok(pk);
    }
    let (t, pk) = decode_global_id(id)?;
    if t != type_name && t != format!("{type_name}History") {
        return Err(AppError::validation("input.invalid_id").with("id", id));
    }
    pk.parse()
        .map_err(|_| AppError::validation("input.invalid_id").with("id", id))
}

pub fn parse_uuid(value: &str, field: &str) -> AppResult<uuid::Uuid> {
    uuid::Uuid::parse_str(value.trim()).map_err(|_| AppError::invalid(field, "not a UUID"))
}

/// An optional uuid argument: absent or blank = None, else it must parse.
pub fn parse_opt_uuid(value: Option<&str>, field: &str) -> AppResult<Option<uuid::Uuid>> {
    value
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse_uuid(s, field))
        .transpose()
}

/// The envelope fields every mutation input carries (D5); flattened into each input type.
#[derive(async_graphql::InputObject, Debug, Clone, Default, serde::Serialize)]
pub struct MutationEnvelopeInput {
    pub client_mutation_id: Option<String>,
    pub client_mutation_label: Option<String>,
    pub client_mutation_details: Option<Vec<String>>,
    pub mutation_extensions: Option<async_graphql::Json<serde_json::Value>>,
}

impl MutationEnvelopeInput {
    pub fn envelope(&self) -> crate::mutation::Envelope {
        crate::mutation::Envelope {
            client_mutation_id: self.client_mutation_id.clone(),
            client_mutation_label: self.client_mutation_label.clone(),
            client_mutation_details: self.client_mutation_details.clone(),
            mutation_extensions: self.mutation_extensions.as_ref().map(|j| j.0.clone()),
            secrets_digest: None,
        }
    }
}

/// Declares openIMIS mutation inputs: each one its own fields, then the flattened mutation
/// envelope (`clientMutationId`, `clientMutationLabel`, …), which the logged input leaves out.
///
/// ```ignore
/// imis_core::mutation_inputs! {
///     DeletePoliciesMutationInput { uuids: Vec<String> }
/// }
/// ```
#[macro_export]
macro_rules! mutation_inputs {
    ($($name:ident { $($(#[$attr:meta])* $field:ident: $ty:ty),* $(,)? })*) => {$(
        #[derive(async_graphql::InputObject, serde::Serialize)]
        pub struct $name {
            $($(#[$attr])* pub $field: $ty,)*
            #[graphql(flatten)]
            #[serde(skip)]
            pub envelope: $crate::graphql::MutationEnvelopeInput,
        }
    )*};
}

/// Declares an openIMIS mutation payload type `{ clientMutationId internalId }`.
#[macro_export]
macro_rules! mutation_payload {
    ($name:ident) => {
        #[derive(async_graphql::SimpleObject, Debug, Clone)]
        pub struct $name {
            pub client_mutation_id: Option<String>,
            pub internal_id: Option<String>,
        }
        impl<T> From<$crate::mutation::Outcome<T>> for $name {
            fn from(o: $crate::mutation::Outcome<T>) -> Self {
                Self {
                    client_mutation_id: o.client_mutation_id,
                    internal_id: Some(o.internal_id.to_string()),
                }
            }
        }
    };
}

/// Runs a mutation body inside the envelope, with the CSRF check for cookie sessions.
pub async fn run_mutation<T, F>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    body: F,
) -> AppResult<crate::mutation::Outcome<T>>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: AsyncFnOnce(&mut crate::mutation::MutationCtx<'_>) -> AppResult<T>,
{
    run_mutation_with_secrets(ctx, name, envelope, input, &[], body).await
}

/// [`run_mutation`] for a mutation with secret inputs (passwords) that its logged input leaves
/// out (`#[serde(skip)]`): a replayed `clientMutationId` must carry the same secrets, compared
/// through a keyed digest stored beside the log row.
pub async fn run_mutation_with_secrets<T, F>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    secrets: &[&str],
    body: F,
) -> AppResult<crate::mutation::Outcome<T>>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: AsyncFnOnce(&mut crate::mutation::MutationCtx<'_>) -> AppResult<T>,
{
    let principal = principal(ctx);
    if let Some(p) = principal {
        p.check_csrf()?;
    }
    let mut json = serde_json::to_value(input)?;
    // The envelope itself is not part of what idempotency compares, except the details.
    if let Some(obj) = json.as_object_mut() {
        for k in [
            "client_mutation_id",
            "client_mutation_label",
            "clientMutationId",
            "clientMutationLabel",
        ] {
            obj.remove(k);
        }
    }
    let mut envelope = envelope.envelope();
    envelope.secrets_digest = crate::mutation::secrets_digest(&state(ctx).jwt_key, name, secrets);
    crate::mutation::run(
        state(ctx),
        principal,
        &lang(ctx),
        name,
        &envelope,
        &json,
        body,
    )
    .await
}
