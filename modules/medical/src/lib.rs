//! # imis-medical
//!
//! The medical registers of openIMIS (reference §4 and §5 of `openimis-core-to-policy.md`):
//!
//! - **Items** (`medical_item`: drugs and consumables) and **services** (`medical_service`),
//!   with code, name, type, price, care type, frequency and patient-category mask; a service may
//!   be a package whose content (`medical_service_content`) lists sub-items and sub-services with
//!   quantities and asked prices (openIMIS `ServiceItem` / `ServiceService`).
//! - **Diagnoses** (`medical_diagnosis`, ICD codes), written by `createDiagnosis`,
//!   `updateDiagnosis`, `deleteDiagnosis` or imported in bulk from a CSV file
//!   ([`service::import_diagnoses_csv`], the `imis import diagnoses FILE` command).
//! - **Price lists** of items and of services (`medical_pricelist`, one table with a `kind`),
//!   national or located at a region or district, dated, with details (`medical_pricelist_detail`)
//!   carrying an optional override price.
//!
//! Items, services, diagnoses and price lists have an integer key and a UUID (v7), validity
//! columns, history of previous versions in `core_history` (D7) and soft deletes; price-list
//! details keep their previous prices in history too, package lines are closed and replaced.
//! Codes and names are unique among current rows; names are searched ignoring case and accents through folded `name_search` columns (D19).
//! Money is stored in minor units and exposed as `Decimal`.
//!
//! **Rights** (declared here, openIMIS codes of reference §1.5): items 122101–122104, services
//! 121401–121404, items price lists 121301–121305, services price lists 121201–121205, diagnoses
//! 131001 (write; reading is open to every logged-in user, as for items and services) and 131002,
//! with the group codes 121200, 121300, 121400, 122100. Price lists follow the location scope
//! of D9.
//!
//! **Cross-module**: the module publishes `medical.item_deleted` (`{"itemId"}`) and
//! `medical.service_deleted` (`{"serviceId"}`) inside the deleting transaction (in-transaction
//! handlers of other modules may veto; the outbox delivers them after commit too). It handles
//! the core's in-transaction event
//! `health_facility.saving` ([`service::on_facility_saving`]: validates and stores the items and
//! services price lists of a facility in `medical_hf_pricelist`, vetoing unknown or out-of-place
//! lists with `medical.pricelist_invalid`) and implements the core port
//! `ports::HealthFacilityPricelists` ([`service::FacilityPricelists`]) that shows them on
//! `HealthFacilityGQLType`. The claim module asks [`service::claimable_price`] (or
//! [`service::claimable_prices`]) for the price of an item or service at a facility on a date;
//! the product module checks items and services with [`service::current_item_ids`],
//! [`service::current_items_by_uuid`] and their service counterparts, and may read the
//! [`entity`] modules.
//!
//! GraphQL: [`graphql::MedicalQuery`] and [`graphql::MedicalMutation`] (see `docs/api-medical.md`).

pub mod demo;
pub mod entity;
pub mod graphql;
pub mod migration;
pub mod service;

use imis_core::events::Wiring;
use imis_core::registry::{ModuleDescriptor, RightDef};
use std::sync::Arc;

pub const NAME: &str = "medical";

macro_rules! rights {
    ($($code:literal => $en:literal, $fr:literal;)*) => { &[$(RightDef { code: $code, en: $en, fr: $fr }),*] };
}

pub const RIGHTS: &[RightDef] = rights! {
    121200 => "Services price lists", "Listes de prix des services";
    121201 => "Services price list search", "Recherche de listes de prix des services";
    121202 => "Services price list add", "Ajout de liste de prix des services";
    121203 => "Services price list edit", "Modification de liste de prix des services";
    121204 => "Services price list delete", "Suppression de liste de prix des services";
    121205 => "Services price list duplicate", "Duplication de liste de prix des services";
    121300 => "Items price lists", "Listes de prix des articles";
    121301 => "Items price list search", "Recherche de listes de prix des articles";
    121302 => "Items price list add", "Ajout de liste de prix des articles";
    121303 => "Items price list edit", "Modification de liste de prix des articles";
    121304 => "Items price list delete", "Suppression de liste de prix des articles";
    121305 => "Items price list duplicate", "Duplication de liste de prix des articles";
    121400 => "Medical services", "Services médicaux";
    121401 => "Medical service search", "Recherche de services médicaux";
    121402 => "Medical service add", "Ajout de service médical";
    121403 => "Medical service edit", "Modification de service médical";
    121404 => "Medical service delete", "Suppression de service médical";
    122100 => "Medical items", "Articles médicaux";
    122101 => "Medical item search", "Recherche d'articles médicaux";
    122102 => "Medical item add", "Ajout d'article médical";
    122103 => "Medical item edit", "Modification d'article médical";
    122104 => "Medical item delete", "Suppression d'article médical";
    131001 => "Diagnoses upload", "Import des diagnostics";
    131002 => "Diagnoses download", "Export des diagnostics";
};

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
        ..ModuleDescriptor::named(NAME)
    }
}
