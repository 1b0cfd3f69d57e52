//! # imis-product
//!
//! Products (benefit packages, openIMIS `product` module, reference §6): what a policy sells and
//! what it covers.
//!
//! - **Entities** (private): the product (every field of `tblProduct`, plus
//!   `ageMinimal`/`ageMaximal`, stored and exposed only, D14), its covered medical items and
//!   services (price origin, limitations, limits, waiting periods and ceiling exclusions) and its
//!   relative price distributions (1, 4 or 12 periods per care type, percent 0–100). Money is
//!   stored in minor units, percentages in exact hundredths. Deductibles and ceilings are stored
//!   in the columns of the product's ceiling type, IP and OP exactly as given (no openIMIS swap).
//! - **History** (D7): product versions go to the kernel history (entity `product`); deletes are
//!   soft; on save the lines and distributions are replaced (old rows closed with `validity_to`,
//!   new rows inserted), so every version keeps its own lines. Historical products cannot be
//!   updated.
//! - **Rights** (`rights.rs`, D8): 121001 search (`products` also accepts 101202 policy add and
//!   101205 policy renew), 121002 add, 121003 edit, 121004 delete, 121005 duplicate. **Scope**
//!   (D9): a product is visible when national, in the caller's allowed locations or an ancestor
//!   of one of them; a restricted caller writes only products located in their allowed
//!   locations.
//! - **GraphQL** ([`graphql`]): `products`, `product`, `validateProductCode`, `limitDefaults`,
//!   `pageDisplayRules`; `createProduct`, `updateProduct`, `duplicateProduct`, `deleteProduct`;
//!   `ProductGQLType` (and its history versions) in `node(id:)` through the descriptor's `nodes`.
//! - **Front end** (`frontend`): the rights' openIMIS names for the web front end's role screen.
//! - **Demo data**: the community mutual product `MUT01` and the fee-exemption product `VIH01`,
//!   covering the medical module's demo items and services.
//!
//! ## API boundary
//!
//! Other modules use only [`api`]: owned [`api::ProductTerms`] of products by id or code, the
//! version in force on a date ([`api::product_in_force`], D12) with its lines, sellability
//! ([`api::sellable`], D14), conversion links, product GraphQL nodes filtered by the caller's
//! visibility, and a typed sub-query of current product ids. The GraphQL roots
//! [`graphql::ProductQuery`] and [`graphql::ProductMutation`] are composed by the gateway. The
//! module publishes no events and handles none.
//!
//! The module depends on `medical`: items and services of a product are checked and shown
//! through `imis_medical::api` only (current items and services by uuid, their GraphQL nodes).

pub mod api;
mod config;
mod demo;
mod entity;
mod frontend;
pub mod graphql;
mod medical_ref;
mod migration;
mod rights;
mod service;

use imis_core::registry::{ModuleDescriptor, NodeDef};

/// Registry name of the module.
pub const NAME: &str = "product";

imis_core::inventory::submit! {
    ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        depends_on: &["medical"],
        rights: rights::RIGHTS,
        messages: MESSAGES,
        migrations: migration::migrations,
        demo_seed: Some(demo::seed),
        config_check: Some(config::check),
        nodes: Some(NodeDef {
            type_names: graphql::NODE_TYPES,
            register: graphql::register_nodes,
            resolve: graphql::resolve_node_value,
        }),
        ..ModuleDescriptor::named(NAME)
    }
}

/// English and French texts of every error code the module returns (D6).
pub const MESSAGES: &[imis_core::i18n::Message] = &[
    (
        "product.code_taken",
        "Product code {productCode} is already in use.",
        "Le code produit {productCode} est déjà utilisé.",
    ),
    (
        "product.dates_invalid",
        "The start date ({dateFrom}) must not be after the end date ({dateTo}).",
        "La date de début ({dateFrom}) ne doit pas être postérieure à la date de fin ({dateTo}).",
    ),
    (
        "product.start_cycle_invalid",
        "Invalid start cycle {value}: expected D-M or DD-MM (29-02 is not allowed).",
        "Cycle de démarrage {value} invalide : format attendu J-M ou JJ-MM (29-02 n'est pas permis).",
    ),
    (
        "product.deductible_general_and_split",
        "Give either a general deductible or in-patient and out-patient deductibles, not both.",
        "Indiquez soit une franchise générale, soit des franchises hospitalière et ambulatoire, pas les deux.",
    ),
    (
        "product.ceiling_general_and_split",
        "Give either a general ceiling or in-patient and out-patient ceilings, not both.",
        "Indiquez soit un plafond général, soit des plafonds hospitalier et ambulatoire, pas les deux.",
    ),
    (
        "product.ceiling_type_required",
        "A ceiling type is required when deductibles or ceilings are given.",
        "Un type de plafond est requis lorsque des franchises ou des plafonds sont indiqués.",
    ),
    (
        "product.location_invalid",
        "Location {uuid} is not a current region or district.",
        "La localité {uuid} n'est pas une région ou un district en vigueur.",
    ),
    (
        "product.conversion_product_invalid",
        "The conversion product {uuid} must be another current product.",
        "Le produit de conversion {uuid} doit être un autre produit en vigueur.",
    ),
    (
        "product.historical_not_updatable",
        "Product {uuid} is a historical or deleted version and cannot be updated.",
        "Le produit {uuid} est une version historique ou supprimée et ne peut pas être modifié.",
    ),
    (
        "product.item_not_found",
        "Medical item {uuid} not found.",
        "Médicament ou consommable {uuid} introuvable.",
    ),
    (
        "product.service_not_found",
        "Medical service {uuid} not found.",
        "Acte médical {uuid} introuvable.",
    ),
    (
        "product.item_duplicated",
        "Medical item {uuid} is listed twice in the product.",
        "Le médicament ou consommable {uuid} figure deux fois dans le produit.",
    ),
    (
        "product.service_duplicated",
        "Medical service {uuid} is listed twice in the product.",
        "L'acte médical {uuid} figure deux fois dans le produit.",
    ),
    (
        "product.limit_negative",
        "{field} must not be negative (line {uuid}).",
        "{field} ne doit pas être négatif (ligne {uuid}).",
    ),
    (
        "product.co_insurance_above_100",
        "{field} is a co-insurance percentage and must not exceed 100 (line {uuid}).",
        "{field} est un pourcentage de co-assurance et ne doit pas dépasser 100 (ligne {uuid}).",
    ),
    (
        "product.relative_prices_periods",
        "Relative prices need 1, 4 or 12 periods, not {count}.",
        "Les prix relatifs demandent 1, 4 ou 12 périodes, et non {count}.",
    ),
    (
        "product.relative_prices_percent",
        "Relative price percentages must lie between 0 and 100 ({value}).",
        "Les pourcentages des prix relatifs doivent être compris entre 0 et 100 ({value}).",
    ),
    (
        "product.relative_prices_care_type",
        "Relative prices: care type {careType} is given twice, or together with in-patient and out-patient values.",
        "Prix relatifs : le type de soins {careType} est donné deux fois, ou avec des valeurs hospitalières et ambulatoires.",
    ),
];
