//! What openIMIS's web front end reads about the insuree module: the settings of `fe-insuree`
//! (the family and insuree forms) and the openIMIS names of the module's rights (openIMIS's
//! `insuree` module, its DEFAULT_CFG keys), which fe-admin's role screen translates.

use crate::config::InsureeConfig;
use crate::rights::{
    RIGHT_FAMILY_ADD, RIGHT_FAMILY_DELETE, RIGHT_FAMILY_EDIT, RIGHT_FAMILY_SEARCH,
    RIGHT_INSUREE_ADD, RIGHT_INSUREE_DELETE, RIGHT_INSUREE_EDIT, RIGHT_INSUREE_SEARCH,
};
use imis_core::config::Config;
use imis_core::registry::{FrontendConfig, FrontendDef, FrontendPermission};
use serde_json::{Map, Value};

/// `fe-insuree`'s form settings that `[module.insuree]` decides, so that the forms ask for what
/// the server requires.
fn fe_insuree(config: &Config) -> Map<String, Value> {
    let insuree = InsureeConfig::from_config(config);
    let mut settings = Map::new();
    // The front end reads the photo rule under two keys: the form's check and the photo field.
    for key in [
        "insureeForm.isInsureePhotoRequired",
        "insureeForm.isPhotoRequired",
    ] {
        settings.insert(key.into(), insuree.photo_required.into());
    }
    settings.insert(
        "insureeForm.isInsureeFirstServicePointRequired".into(),
        insuree.fsp_mandatory.into(),
    );
    // The number field's longest input. A country validator replaces the length rule and does
    // not say its length, so the front end keeps its own default then.
    if let (Some(length), None) = (insuree.number_length, &insuree.number_validator) {
        settings.insert("insureeForm.chfIdMaxLength".into(), length.into());
    }
    settings
}

const fn named(code: i32, name: &'static str) -> FrontendPermission {
    FrontendPermission {
        code,
        openimis_module: "insuree",
        name,
    }
}

/// The openIMIS names of the module's rights.
/// openIMIS has no key for the group rights (101000, 101100) nor for insuree enquire
/// (101105): those keep imis's labels.
const PERMISSIONS: &[FrontendPermission] = &[
    named(RIGHT_FAMILY_SEARCH, "gql_query_families_perms"),
    named(RIGHT_FAMILY_ADD, "gql_mutation_create_families_perms"),
    named(RIGHT_FAMILY_EDIT, "gql_mutation_update_families_perms"),
    named(RIGHT_FAMILY_DELETE, "gql_mutation_delete_families_perms"),
    named(RIGHT_INSUREE_SEARCH, "gql_query_insurees_perms"),
    named(RIGHT_INSUREE_ADD, "gql_mutation_create_insurees_perms"),
    named(RIGHT_INSUREE_EDIT, "gql_mutation_update_insurees_perms"),
    named(RIGHT_INSUREE_DELETE, "gql_mutation_delete_insurees_perms"),
];

imis_core::inventory::submit! {
    FrontendDef {
        module: crate::NAME,
        configs: &[FrontendConfig { frontend_module: "fe-insuree", build: fe_insuree }],
        permissions: PERMISSIONS,
    }
}
