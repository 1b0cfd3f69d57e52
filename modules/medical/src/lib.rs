//! # imis-medical
//!
//! The medical registers of openIMIS (reference §4 and §5 of `openimis-core-to-policy.md`):
//!
//! - **Items** (drugs and consumables) and **services**, with code, name, type, price, care
//!   type, frequency and patient-category mask; a service may be a package whose content lists
//!   sub-items and sub-services with quantities and asked prices (openIMIS `ServiceItem` /
//!   `ServiceService`).
//! - **Diagnoses** (ICD codes), written by `createDiagnosis`, `updateDiagnosis`,
//!   `deleteDiagnosis` or imported in bulk from a CSV file (the `imis import diagnoses FILE`
//!   command, declared in the descriptor's `cli`).
//! - **Price lists** of items and of services (one table with a `kind`), national or located at a
//!   region or district, dated, with details carrying an optional override price.
//!
//! Items, services, diagnoses and price lists have an integer key and a UUID (v7), validity
//! columns, history of previous versions (kernel history, D7) and soft deletes; price-list
//! details keep their previous prices in history too, package lines are closed and replaced.
//! Codes and names are unique among current rows; names are searched ignoring case and accents
//! through folded `name_search` columns (D19). Money is stored in minor units and exposed as
//! `Decimal`.
//!
//! **Rights** (`rights.rs`, openIMIS codes of reference §1.5): items 122101–122104, services
//! 121401–121404, items price lists 121301–121305, services price lists 121201–121205, diagnoses
//! 131001 (write; reading is open to every logged-in user, as for items and services) and 131002,
//! with the group codes 121200, 121300, 121400, 122100. Price lists follow the location scope
//! of D9. `frontend` gives the rights their openIMIS names (`medical`, `medical_pricelist`) for
//! the web front end's role screen.
//!
//! ## API boundary
//!
//! Other modules use only [`api`]: owned summaries of current items and services (by uuid, code
//! or id), a typed sub-query of current ids for set-based joins, the claimable price of an item
//! or service at a facility on a date, the item and service GraphQL nodes to show inside their
//! own objects, the diagnoses import, and the events below. The GraphQL roots
//! [`graphql::MedicalQuery`] and [`graphql::MedicalMutation`] are composed by the gateway (see
//! `docs/api-medical.md`); the node types are answered through the descriptor's `nodes`.
//!
//! **Events** ([`api::EVENT_ITEM_DELETED`] with [`api::ItemDeleted`] `{"itemId"}`,
//! [`api::EVENT_SERVICE_DELETED`] with [`api::ServiceDeleted`] `{"serviceId"}`) are published
//! inside the deleting transaction (in-transaction handlers of other modules may veto; the
//! outbox delivers them after commit too). The module handles the core's in-transaction event
//! `health_facility.saving` (validates and stores the items and services price lists of a
//! facility, vetoing unknown or out-of-place lists with `medical.pricelist_invalid`) and
//! implements the core port `ports::HealthFacilityPricelists` that shows them on
//! `HealthFacilityGQLType`.

pub mod api;
mod cli;
mod config;
mod demo;
mod entity;
mod events;
mod frontend;
pub mod graphql;
mod migration;
mod rights;
mod scale;
mod service;

use imis_core::events::Wiring;
use imis_core::registry::{ModuleDescriptor, NodeDef};
use std::sync::Arc;

pub const NAME: &str = "medical";

use rights::RIGHTS;

pub const MESSAGES: &[imis_core::i18n::Message] = &[
    (
        "medical.item_code_taken",
        "The item code {itemCode} is already used.",
        "Le code d'article {itemCode} est déjà utilisé.",
    ),
    (
        "medical.service_code_taken",
        "The service code {serviceCode} is already used.",
        "Le code de service {serviceCode} est déjà utilisé.",
    ),
    (
        "medical.diagnosis_code_taken",
        "The diagnosis code {diagnosisCode} is already used.",
        "Le code de diagnostic {diagnosisCode} est déjà utilisé.",
    ),
    (
        "medical.pricelist_name_taken",
        "A current price list is already named {name}.",
        "Une liste de prix en vigueur porte déjà le nom {name}.",
    ),
    (
        "medical.patient_category_missing",
        "Give the patient category (patientCategory or patientCategories).",
        "Indiquez la catégorie de patients (patientCategory ou patientCategories).",
    ),
    (
        "medical.patient_category_invalid",
        "The patient category {value} is not valid: expected a mask from 0 to 15.",
        "La catégorie de patients {value} n'est pas valide : un masque de 0 à 15 est attendu.",
    ),
    (
        "medical.package_content_invalid",
        "The package content names a {kind} ({id}) that does not exist or is deleted.",
        "Le contenu du forfait désigne un {kind} ({id}) inexistant ou supprimé.",
    ),
    (
        "medical.package_cycle",
        "A service cannot contain itself, directly or through its sub-services.",
        "Un service ne peut pas se contenir lui-même, directement ou par ses sous-services.",
    ),
    (
        "medical.pricelist_location_invalid",
        "A price list is national or located at a region or a district, not at {locationCode}.",
        "Une liste de prix est nationale ou située dans une région ou un district, pas à {locationCode}.",
    ),
    (
        "medical.detail_unknown",
        "No current {kind} has the UUID {uuid}.",
        "Aucun {kind} en vigueur n'a l'UUID {uuid}.",
    ),
    (
        "medical.detail_not_in_pricelist",
        "The price of an item or service that is not in the list cannot be set ({id}).",
        "On ne peut fixer le prix d'un article ou service absent de la liste ({id}).",
    ),
    (
        "medical.pricelist_in_use",
        "The price list {name} is used by the health facility {facilityCode}.",
        "La liste de prix {name} est utilisée par la formation sanitaire {facilityCode}.",
    ),
    (
        "medical.pricelist_invalid",
        "The {kind} price list {id} does not exist, is deleted, or is not located at the facility's district, region or national level.",
        "La liste de prix {kind} {id} n'existe pas, est supprimée, ou n'est pas située au district, à la région de la formation sanitaire ou au niveau national.",
    ),
    (
        "medical.import_usage",
        "Give one CSV file: imis import diagnoses FILE.",
        "Indiquez un fichier CSV : imis import diagnoses FICHIER.",
    ),
    (
        "medical.import_unreadable",
        "Cannot read {file}: {reason}.",
        "Impossible de lire {file} : {reason}.",
    ),
    (
        "medical.import_invalid",
        "The file was refused: {count} bad line(s): {lines}.",
        "Le fichier a été refusé : {count} ligne(s) incorrecte(s) : {lines}.",
    ),
];

fn wire(w: &mut Wiring) {
    w.on_in_tx(
        imis_core::location::service::HF_SAVING_EVENT,
        service::on_facility_saving,
    );
    w.ports.health_facility_pricelists = Some(Arc::new(service::FacilityPricelists));
}

imis_core::inventory::submit! {
    ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        depends_on: &[],
        rights: RIGHTS,
        messages: MESSAGES,
        migrations: migration::migrations,
        wire,
        demo_seed: Some(demo::seed),
        scale_seed: Some(scale::scale_seed),
        config_check: Some(config::check),
        nodes: Some(NodeDef {
            type_names: graphql::NODE_TYPES,
            register: graphql::register_nodes,
            resolve: graphql::resolve_node_value,
        }),
        cli: cli::COMMANDS,
        ..ModuleDescriptor::named(NAME)
    }
}
