//! # imis-payment
//!
//! Money coming in: contributions (premiums) on policies, third-party payers and their funding,
//! received payments and their matching to policies (openIMIS `contribution`, `payer` and
//! `payment` modules; reference §8–§10; decisions D15 and D9).
//!
//! ## API boundary
//!
//! Other modules use only [`api`]: owned [`api::PremiumSummary`] reads, the paid total, and the
//! event `payment.premium_recorded` ([`api::PremiumRecorded`]). This module uses the policy
//! module only through `imis_policy::api` (coarse calls: open a policy for a contribution under
//! its row lock, record a contribution and apply activation, one renewal question for
//! matching), the insuree module through `imis_insuree::api`, core registers through
//! `imis_core::registers`. Everything else is private apart from [`graphql`]'s roots, which the
//! gateway composes; the descriptor declares the node types and the scale seeder.
//!
//! - **Entities** ([`entity`]): `payment_premium` (a contribution on a policy; the policy's
//!   product is copied so that receipts are unique per product through an index),
//!   `payment_payer`, `payment_funding`, `payment_payment` and `payment_payment_detail`. Money
//!   is stored in minor units (`core.currency_minor_digits`) and exposed as `Decimal`. Changes
//!   keep history in `core_history` (entities `premium`, `payer`, `payment`, `payment_detail`,
//!   D7); deletes are soft.
//! - **Contributions** ([`service::premiums`], D15): receipts unique among valid premiums of the
//!   same product, pay dates not in the future, the product's `maxInstallments` (null =
//!   unlimited, 0 or 1 = one premium paying the balance, N = at most N premiums), amounts never
//!   changed. Every premium write first opens the policy under its row lock
//!   (`imis_policy::api::open_policy_for_contribution`), then counts installments and the paid
//!   total, so concurrent writers never lose each other's amounts. After each write the module
//!   tells the policy module the policy's paid total (`imis_policy::api::record_contribution` /
//!   `contributions_changed`), which alone changes
//!   policy status and coverage dates for activation options 1–3; ENFORCE, WAIT and SUSPEND
//!   actions (SUSPEND also needs 101203). This module never writes policy tables.
//! - **Payers and funding** ([`service::payers`]): payers visible when located in, or above,
//!   the caller's locations (D9), and only such payers may be named on a contribution (or an
//!   `isPaid` enrolment); `addFunding` records a funding row (no pseudo policy) for a product
//!   the caller may see.
//! - **Payments and matching** ([`service::payments`], [`service::matching`]): payments with
//!   their detail lines (payments carry no location: a restricted caller sees every payment but
//!   only the lines and premiums of premiums in their locations, D9); a matched payment can be
//!   neither changed nor deleted. `matchPayments` and the daily job `payment.match_payments`
//!   apply the legacy `uspMatchPayment` rules (rejection codes 101–109, proportional
//!   distribution, renewal of Active policies that the payment brings something, checked
//!   first, premiums for policies without one, matched amounts recorded with the policy module,
//!   which activates per option), each payment re-read under its row lock so that it is
//!   credited once.
//! - **Events published** ([`api`]): `payment.premium_recorded` for every saved premium
//!   (`createPremium`, `isPaid` enrolment, matching), in the saving transaction.
//! - **Events handled** ([`service::handlers`], in the publisher's transaction):
//!   `policy.created` (`isPaid: true` → a premium for the full value, receipt given or
//!   `RE-<productCode>-<enrollDate>-<n>`, payer visible to the acting user), `policy.deleting` (the policy's premiums are
//!   soft-deleted and payment detail lines detached).
//! - **Rights**: contributions 101301 search, 101302 add, 101303 edit, 101304 delete; payments
//!   101401 search, 101402 add, 101403 edit (and `matchPayments`), 101404 delete; payers 121801
//!   search, 121802 add, 121803 edit (and `addFunding`), 121804 delete (with the group codes
//!   101300, 101400, 121800). `frontend` gives the contribution and payer rights their
//!   openIMIS names (`contribution`, `payer`) for the web front end's role screen.
//! - **GraphQL** ([`graphql`]): `premiums`, `premiumsByPolicies`, `validatePremiumCode`,
//!   `payers`, `payer`, `fundings`, `funding`, `payments`, `paymentDetails`,
//!   `paymentsByPremiums`; `createPremium`, `updatePremium`, `deletePremium`, `createPayer`,
//!   `updatePayer`, `deletePayer`, `addFunding`, `createPayment`, `updatePayment`,
//!   `deletePayment`, `matchPayments` (see `docs/api-payment.md`).
//! - **Data**: demo payers and premiums on the demo policies ([`demo`]); premiums for the scale
//!   policies ([`scale::seed_scale`]).

pub mod api;
mod config;
mod demo;
mod entity;
mod events;
mod frontend;
pub mod graphql;
pub mod jobs;
mod migration;
mod rights;
pub mod scale;
pub mod service;

use imis_core::events::Wiring;
use imis_core::registry::{ModuleDescriptor, NodeDef};

/// Registry name of the module.
pub const NAME: &str = "payment";

pub use rights::RIGHTS;

fn wire(w: &mut Wiring) {
    service::handlers::wire(w);
}

imis_core::inventory::submit! {
    ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        depends_on: &["insuree", "product", "policy"],
        rights: RIGHTS,
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
        ..ModuleDescriptor::named(NAME)
    }
}

/// English and French texts of every code the module returns (D6). The warnings
/// `premium.overpaid` and `premium.policy_underpaid` come from the policy module, which owns
/// their texts.
pub const MESSAGES: &[imis_core::i18n::Message] = &[
    (
        "premium.receipt_taken",
        "Receipt {receipt} is already used by another contribution of the same product.",
        "Le reçu {receipt} est déjà utilisé par une autre contribution du même produit.",
    ),
    (
        "premium.pay_date_in_future",
        "The payment date {payDate} is in the future.",
        "La date de paiement {payDate} est dans le futur.",
    ),
    (
        "premium.single_payment_required",
        "Product {productCode} takes a single contribution paying the whole balance ({balance}).",
        "Le produit {productCode} n'accepte qu'une contribution unique réglant tout le solde ({balance}).",
    ),
    (
        "premium.max_installments_exceeded",
        "Product {productCode} accepts at most {max} contributions per policy.",
        "Le produit {productCode} accepte au plus {max} contributions par police.",
    ),
    (
        "payer.location_invalid",
        "Location {uuid} does not exist or is deleted.",
        "La localité {uuid} n'existe pas ou est supprimée.",
    ),
    (
        "funding.product_not_fundable",
        "Payer {payer} cannot fund product {productCode}: their locations do not match.",
        "Le payeur {payer} ne peut pas financer le produit {productCode} : leurs localités ne correspondent pas.",
    ),
    (
        "payment.status_invalid",
        "Payment status {status} cannot be set: expected a value from -5 to 4 (5 is set by matching).",
        "Le statut de paiement {status} ne peut pas être fixé : valeur de -5 à 4 attendue (5 est fixé par le rapprochement).",
    ),
    (
        "payment.already_matched",
        "Payment {uuid} is already matched and cannot be changed.",
        "Le paiement {uuid} est déjà rapproché et ne peut plus être modifié.",
    ),
];
