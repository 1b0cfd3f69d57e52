//! # imis-product
//!
//! Products (benefit packages, openIMIS `product` module, reference §6): what a policy sells and
//! what it covers.
//!
//! - **Entities** ([`entity`]): `product_product` (every field of `tblProduct`, plus
//!   `ageMinimal`/`ageMaximal`, stored and exposed only, D14), `product_item` and
//!   `product_service` (covered medical items and services with price origin, limitations,
//!   limits, waiting periods and ceiling exclusions), `product_relative_distribution` (relative
//!   price distributions: 1, 4 or 12 periods per care type, percent 0–100). Money is stored in
//!   minor units, percentages in exact hundredths. Deductibles and ceilings are stored in the
//!   columns of the product's ceiling type, IP and OP exactly as given (no openIMIS swap).
//! - **History** (D7): product versions go to `core_history` (entity `product`); deletes are soft;
//!   on save the lines and distributions are replaced (old rows closed with `validity_to`, new rows
//!   inserted), so every version keeps its own lines. Historical products cannot be updated.
//! - **Rights** (D8): 121001 search (`products` also accepts 101202 policy add and 101205 policy
//!   renew), 121002 add, 121003 edit, 121004 delete, 121005 duplicate. **Scope** (D9): a product
//!   is visible when national, in the caller's allowed locations or an ancestor of one of them; a
//!   restricted caller writes only products located in their allowed locations.
//! - **Services for other modules** ([`service`]): [`service::product_in_force`] (the version in
//!   force on a date, D12) and [`service::is_sellable`] / [`service::sellable`] (D14).
//! - **GraphQL** ([`graphql`]): `products`, `product`, `validateProductCode`, `limitDefaults`,
//!   `pageDisplayRules`; `createProduct`, `updateProduct`, `duplicateProduct`, `deleteProduct`.
//! - **Demo data** ([`demo`]): the community mutual product `MUT01` and the fee-exemption product
//!   `VIH01`, covering the medical module's demo items and services.
//!
//! Medical items and services are checked through the medical module's public services
//! (`imis_medical::service::current_items_by_uuid` / `current_services_by_uuid`) and shown with its
//! `ItemGQLType` / `ServiceGQLType`.

pub mod demo;
pub mod entity;
pub mod graphql;
mod medical_ref;
pub mod migration;
pub mod service;

use imis_core::registry::{ModuleDescriptor, RightDef};

/// Registry name of the module.
pub const NAME: &str = "product";

imis_core::inventory::submit! {
    ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        depends_on: &["medical"],
        rights: &[
            RightDef { code: 121000, en: "Products", fr: "Produits" },
            RightDef { code: 121001, en: "Product search", fr: "Recherche de produits" },
            RightDef { code: 121002, en: "Product add", fr: "Ajout de produit" },
            RightDef { code: 121003, en: "Product edit", fr: "Modification de produit" },
            RightDef { code: 121004, en: "Product delete", fr: "Suppression de produit" },
            RightDef { code: 121005, en: "Product duplicate", fr: "Duplication de produit" },
        ],
        messages: MESSAGES,
        migrations: migration::migrations,
        demo_seed: Some(demo::seed),
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
