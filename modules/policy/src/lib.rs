//! # imis-policy
//!
//! Enrolment: policies (a family's enrolment in a product for one insurance period), coverage,
//! eligibility and renewals (openIMIS `policy` module, reference §7; decisions D11–D17).
//!
//! ## API boundary
//!
//! Other modules use only [`api`]: owned [`api::PolicySummary`] reads, the coarse contribution
//! calls of the payment module ([`api::open_policy_for_contribution`],
//! [`api::record_contribution`], [`api::contributions_changed`],
//! [`api::record_matched_payment`]), matching's one question [`api::renewal_for`], coverage
//! ([`api::covering`]), the claim module's usage pushes, typed sea-query sub-queries, the
//! `PolicyGQLType` nodes, and the events below. Everything else is private; the gateway
//! composes [`graphql`]'s roots, and the descriptor declares the node types, the scale seeder
//! and the benchmark steps.
//!
//! ## Events (published in the changing transaction, through the outbox)
//!
//! `policy.created`, `policy.deleting` (handlers may veto), `policy.activated`,
//! `policy.suspended`, `policy.expired` (the expiry job, chunks of ids), `policy.renewed`;
//! payloads in [`api`]. Subscribed: the insuree module's `insuree.added`, `.removed`,
//! `.moved`, `.deleted`, `.status_changed` (coverage rows kept in step, D16).
//!
//! ## Inside
//!
//! - **Entities**: `policy_policy` (with the contribution facts `paid` and `matched` pushed by
//!   the payment module), `policy_insuree_policy` (coverage rows), `policy_renewal` and
//!   `policy_renewal_detail` (reminders), `policy_claim_usage(_line)` and `policy_consumption`
//!   (usage and deductible/ceiling consumption pushed by the claim module). Changes keep
//!   history (D7); deletes are soft.
//! - **Dates and value**: computed by the server only (D12–D14), from the product version in
//!   force on the enrolment date; ages on the enrolment date.
//! - **Business operations**: `policyValues`, `createPolicy`, `renewPolicy`, `updatePolicy`
//!   (Idle only), `suspendPolicies`, `deletePolicies` (refused when claims consumed the policy),
//!   `canAddInsuree`.
//! - **Contributions** (D15): activation options 1–3 (`[module.policy] activation_option`).
//! - **Eligibility**: the facility desk's questions, from coverage × product lines and pushed
//!   claim usage.
//! - **Jobs** ([`jobs`]): `policy.expire` (D17) and `policy.renewal_reminders` (reference §7.9).
//! - **Rights**: 101201 search, 101202 add, 101203 edit (and suspend), 101204 delete, 101205
//!   renew; the eligibility queries and `policiesByInsuree` also accept the facility-desk rights
//!   101105, 111001, 111002 without location restriction (D9). `frontend` gives the policy
//!   rights their openIMIS names for the web front end's role screen.
//! - **Data**: demo policies and `imis seed scale` policies.

pub mod api;
mod bench;
mod config;
mod demo;
mod entity;
mod events;
mod frontend;
pub mod graphql;
pub mod jobs;
mod migration;
mod rights;
mod scale;
mod service;
mod values;

use imis_core::events::Wiring;
use imis_core::registry::{BenchDef, ModuleDescriptor, NodeDef};

pub const NAME: &str = "policy";

fn wire(w: &mut Wiring) {
    service::coverage::wire(w);
    w.ports.insuree_policies = Some(std::sync::Arc::new(
        service::insuree_policies::InsureePoliciesPort,
    ));
}

imis_core::inventory::submit! {
    ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        depends_on: &["insuree", "product"],
        rights: rights::RIGHTS,
        messages: MESSAGES,
        migrations: migration::migrations,
        wire,
        jobs: jobs::JOBS,
        demo_seed: Some(demo::seed),
        config_check: Some(config::check),
        nodes: Some(NodeDef {
            type_names: graphql::NODE_TYPES,
            register: graphql::register_nodes,
            resolve: graphql::resolve_node_value,
        }),
        scale_seed: Some(scale::scale_seed),
        bench: Some(BenchDef {
            requests: Some(bench::requests),
            runs: Some(bench::runs),
        }),
        ..ModuleDescriptor::named(NAME)
    }
}

/// English and French texts of every code the module returns (D6).
pub const MESSAGES: &[imis_core::i18n::Message] = &[
    (
        "policy.bench_request_failed",
        "A benchmark request failed: {message}",
        "Une requête du banc d'essai a échoué : {message}",
    ),
    (
        "policy.enroll_date_in_future",
        "The enrolment date {enrollDate} is in the future.",
        "La date d'adhésion {enrollDate} est dans le futur.",
    ),
    (
        "policy.product_not_found",
        "Product {productId} does not exist or was not in force on the enrolment date.",
        "Le produit {productId} n'existe pas ou n'était pas en vigueur à la date d'adhésion.",
    ),
    (
        "policy.product_required",
        "A product is required.",
        "Un produit est obligatoire.",
    ),
    (
        "policy.product_not_sellable",
        "Product {productCode} cannot be sold to this family on {enrollDate} (location or validity dates).",
        "Le produit {productCode} ne peut pas être vendu à cette famille le {enrollDate} (localité ou dates de validité).",
    ),
    (
        "policy.officer_invalid",
        "Enrolment officer {officerId} does not exist or no longer works on the enrolment date.",
        "L'agent d'enrôlement {officerId} n'existe pas ou ne travaille plus à la date d'adhésion.",
    ),
    (
        "policy.renewal_without_previous",
        "There is no active or expired policy of this product (or of a product converting into it) to renew for this family.",
        "Cette famille n'a aucune police active ou expirée de ce produit (ou d'un produit converti en celui-ci) à renouveler.",
    ),
    (
        "policy.not_idle",
        "Policy {uuid} is not idle and cannot be modified.",
        "La police {uuid} n'est pas en attente et ne peut pas être modifiée.",
    ),
    (
        "policy.product_change_with_contributions",
        "Policy {uuid} has contributions: its product cannot be changed.",
        "La police {uuid} a des contributions : son produit ne peut pas être changé.",
    ),
    (
        "policy.used_in_claims",
        "Policy {uuid} is used in claims and cannot be deleted.",
        "La police {uuid} est utilisée dans des demandes de remboursement et ne peut pas être supprimée.",
    ),
    (
        "policy.client_value_ignored",
        "The {field} sent ({sent}) differs from the computed one ({computed}); the computed value was kept.",
        "La valeur {field} envoyée ({sent}) diffère de celle calculée ({computed}) ; la valeur calculée a été retenue.",
    ),
    (
        "policy.validation.members_count_above_max",
        "The family has {count} members but the product covers at most {max}; the others are not covered.",
        "La famille compte {count} membres mais le produit en couvre au plus {max} ; les autres ne sont pas couverts.",
    ),
    (
        "policy.max_members_reached",
        "Policy of product {productCode} already covers its maximum of {max} members: a new member would not be covered by it.",
        "La police du produit {productCode} couvre déjà son maximum de {max} membres : un nouveau membre n'y serait pas couvert.",
    ),
    (
        "premium.overpaid",
        "The contributions of policy {uuid} exceed its value.",
        "Les contributions de la police {uuid} dépassent sa valeur.",
    ),
    (
        "premium.policy_underpaid",
        "Policy {uuid} stays active although its contributions no longer reach its value.",
        "La police {uuid} reste active bien que ses contributions n'atteignent plus sa valeur.",
    ),
];
