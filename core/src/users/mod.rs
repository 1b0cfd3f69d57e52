//! Users of the four openIMIS kinds (interactive, officer, claim administrator, technical), roles
//! and their rights, login, tokens and the cookie session of the web front end, and the mutation
//! log query. Scope data for D9 (user districts, officer villages, claim-admin facility) lives here.

pub mod graphql;
pub mod service;

pub use graphql::{UserMutation, UserQuery};

/// Installs what the kernel asks of the users register: who a token's subject is.
pub(crate) fn wire(w: &mut crate::events::Wiring) {
    w.ports.load_principal = Some(|state, uuid| Box::pin(service::load_principal(state, uuid)));
}
