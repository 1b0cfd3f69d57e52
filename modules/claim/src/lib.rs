//! # imis-claim
//!
//! Claims: the care a health facility gave an insuree, entered by the facility's claim
//! administrator, checked and submitted against the insuree's policies and the facility's price
//! lists, reviewed and given feedback on, and processed into the amounts the scheme pays
//! (openIMIS's claim module; reference §1 and rules D20–D23, D26 in `docs/rules.md`).
//!
//! - **Claims and their lines** (`claim_claim`, `claim_detail`): every field of openIMIS's
//!   claim, item and service lines; amounts in minor units, quantities in hundredths; history as
//!   everywhere (D7).
//! - **Feedback** (`claim_feedback`, `claim_feedback_prompt`).
//! - **Rights**: openIMIS's claim rights 111000–111012 ([`rights`]). **Scope** (D9): a claim lies
//!   where its health facility lies; a claim administrator reaches its own facility's claims
//!   only.
//! - **Configuration**: `[module.claim]` has no keys yet (any key is refused).
//!
//! ## API boundary
//!
//! Other modules may use [`api`] only (claim statuses, the events and their payloads); the
//! gateway composes [`graphql::ClaimQuery`] and [`graphql::ClaimMutation`]. Everything else
//! reaches the platform through this crate's descriptor. The module reads other modules only
//! through `imis_insuree::api`, `imis_medical::api`, `imis_product::api`, `imis_policy::api` and
//! the core's registers.

#![recursion_limit = "256"]

pub mod api;
mod config;
mod entity;
mod events;
mod messages;
pub mod graphql;
mod migration;
mod rights;
mod service;

/// The module's registry name.
pub const NAME: &str = "claim";

imis_core::inventory::submit! {
    imis_core::registry::ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        depends_on: &["insuree", "medical", "product", "policy"],
        rights: rights::RIGHTS,
        messages: messages::MESSAGES,
        migrations: migration::migrations,
        wire: events::wire,
        config_check: Some(config::check),
        ..imis_core::registry::ModuleDescriptor::named(NAME)
    }
}
