//! # imis-claim
//!
//! Claims: the care a health facility gave an insuree, entered by the facility's claim
//! administrator, checked and submitted against the insuree's policies and the facility's price
//! lists, reviewed and given feedback on, and processed into the amounts the scheme pays
//! (openIMIS's claim module; reference §1 and rules D20–D23, D26 in `docs/rules.md`). The API is
//! `docs/api-claim.md`.
//!
//! - **Entry**: `createClaim` (with its attachments), `updateClaim` of an Entered claim,
//!   `deleteClaims`, `validateClaimCode`; claims and lines (`claim_claim`, `claim_detail`) with
//!   amounts in minor units, quantities in hundredths and history as everywhere (D7).
//! - **Queries**: `claims` with openIMIS's filters, `claim`, `fspFromClaim`, our
//!   `claimsStatusCount`, and `node(id:)` for every claim type; a page loads what it shows in a
//!   fixed number of queries.
//! - **Submission** (D20): `submitClaims` by `uuids` or `additionalFilters`, each claim's outcome
//!   its own (D26) while 500 claims at a time are read, decided in order and written together
//!   (`kit::mutate_batches`); **explanations**: `rejectionExplanation` in the caller's language.
//! - **Review and feedback** (D23): the select, skip and bypass moves with sampling,
//!   `saveClaimReview`, `deliverClaimsReview`, feedback prompts to enrolment officers and
//!   `deliverClaimFeedback` (`claim_feedback`, `claim_feedback_prompt`).
//! - **Processing** (D21, D22): consumption of deductibles and ceilings booked in the policy
//!   module, `processClaims` valuing Checked claims 500 at a time, each seeing what the ones
//!   before it consumed.
//! - **Attachments** (D29): `claim_attachment` and its predefined types, files in the core file
//!   store, `claimAttachments` and the attachment mutations.
//! - **Events**: `claim.submitted`, `claim.reviewed`, `claim.processed`, `claim.valuated`
//!   ([`api::ClaimChanged`]). **Scale and bench**: a year of generated claims for
//!   `imis seed scale`, and the claim requests and submission/processing throughput of
//!   `imis bench`; demo claims per demo facility.
//! - **Rights**: openIMIS's claim rights 111000–111012 ([`api`]). **Scope** (D9): a claim lies
//!   where its health facility lies; a claim administrator reaches its own facility's claims
//!   only. **Configuration**: `[module.claim]` (`docs/configuration.md`); an unknown key or a
//!   value out of range stops start-up.
//!
//! ## API boundary
//!
//! Other modules may use [`api`] only (claim statuses, rights, the events and their payloads);
//! the gateway composes [`graphql::ClaimQuery`] and [`graphql::ClaimMutation`]. Everything else
//! reaches the platform through this crate's descriptor. The module reads other modules only
//! through `imis_insuree::api`, `imis_medical::api`, `imis_product::api`, `imis_policy::api` and
//! the core's registers.

#![recursion_limit = "256"]

pub mod api;
mod bench;
mod config;
mod demo;
mod entity;
mod events;
pub mod graphql;
mod messages;
mod migration;
mod rights;
mod scale;
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
        nodes: Some(graphql::NODES),
        demo_seed: Some(demo::seed),
        scale_seed: Some(scale::scale_seed),
        bench: Some(imis_core::registry::BenchDef {
            requests: Some(bench::requests),
            runs: Some(bench::runs),
        }),
        ..imis_core::registry::ModuleDescriptor::named(NAME)
    }
}
