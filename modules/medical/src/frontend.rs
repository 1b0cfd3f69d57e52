//! What openIMIS's web front end reads about the medical module: the openIMIS names of its
//! rights, which fe-admin's role screen translates. Items and services are openIMIS's `medical`
//! module, price lists its `medical_pricelist` module (their DEFAULT_CFG keys). `fe-medical` and
//! `fe-medical_pricelist` read no setting of their own (the module has none).

use crate::rights::{
    RIGHT_ITEM_ADD, RIGHT_ITEM_DELETE, RIGHT_ITEM_EDIT, RIGHT_ITEMS_PRICELIST_ADD,
    RIGHT_ITEMS_PRICELIST_DELETE, RIGHT_ITEMS_PRICELIST_DUPLICATE, RIGHT_ITEMS_PRICELIST_EDIT,
    RIGHT_ITEMS_PRICELIST_SEARCH, RIGHT_SERVICE_ADD, RIGHT_SERVICE_DELETE, RIGHT_SERVICE_EDIT,
    RIGHT_SERVICES_PRICELIST_ADD, RIGHT_SERVICES_PRICELIST_DELETE,
    RIGHT_SERVICES_PRICELIST_DUPLICATE, RIGHT_SERVICES_PRICELIST_EDIT,
    RIGHT_SERVICES_PRICELIST_SEARCH,
};
use imis_core::registry::{FrontendDef, FrontendPermission};

/// Item and service search: declared for role editors, never checked (reading is open).
const RIGHT_ITEM_SEARCH: i32 = 122101;
const RIGHT_SERVICE_SEARCH: i32 = 121401;

const fn medical(code: i32, name: &'static str) -> FrontendPermission {
    FrontendPermission {
        code,
        openimis_module: "medical",
        name,
    }
}

const fn pricelist(code: i32, name: &'static str) -> FrontendPermission {
    FrontendPermission {
        code,
        openimis_module: "medical_pricelist",
        name,
    }
}

/// The openIMIS names of the module's rights.
/// The group rights (121200, 121300, 121400, 122100) and the diagnoses rights (131001,
/// 131002) have no key the front end translates: they keep imis's labels.
const PERMISSIONS: &[FrontendPermission] = &[
    medical(RIGHT_ITEM_SEARCH, "gql_query_medical_items_perms"),
    medical(RIGHT_ITEM_ADD, "gql_mutation_medical_items_add_perms"),
    medical(RIGHT_ITEM_EDIT, "gql_mutation_medical_items_update_perms"),
    medical(RIGHT_ITEM_DELETE, "gql_mutation_medical_items_delete_perms"),
    medical(RIGHT_SERVICE_SEARCH, "gql_query_medical_services_perms"),
    medical(RIGHT_SERVICE_ADD, "gql_mutation_medical_services_add_perms"),
    medical(
        RIGHT_SERVICE_EDIT,
        "gql_mutation_medical_services_update_perms",
    ),
    medical(
        RIGHT_SERVICE_DELETE,
        "gql_mutation_medical_services_delete_perms",
    ),
    pricelist(
        RIGHT_ITEMS_PRICELIST_SEARCH,
        "gql_query_pricelists_medical_items_perms",
    ),
    pricelist(
        RIGHT_ITEMS_PRICELIST_ADD,
        "gql_mutation_pricelists_medical_items_add_perms",
    ),
    pricelist(
        RIGHT_ITEMS_PRICELIST_EDIT,
        "gql_mutation_pricelists_medical_items_update_perms",
    ),
    pricelist(
        RIGHT_ITEMS_PRICELIST_DELETE,
        "gql_mutation_pricelists_medical_items_delete_perms",
    ),
    pricelist(
        RIGHT_ITEMS_PRICELIST_DUPLICATE,
        "gql_mutation_pricelists_medical_items_duplicate_perms",
    ),
    pricelist(
        RIGHT_SERVICES_PRICELIST_SEARCH,
        "gql_query_pricelists_medical_services_perms",
    ),
    pricelist(
        RIGHT_SERVICES_PRICELIST_ADD,
        "gql_mutation_pricelists_medical_services_add_perms",
    ),
    pricelist(
        RIGHT_SERVICES_PRICELIST_EDIT,
        "gql_mutation_pricelists_medical_services_update_perms",
    ),
    pricelist(
        RIGHT_SERVICES_PRICELIST_DELETE,
        "gql_mutation_pricelists_medical_services_delete_perms",
    ),
    pricelist(
        RIGHT_SERVICES_PRICELIST_DUPLICATE,
        "gql_mutation_pricelists_medical_services_duplicate_perms",
    ),
];

imis_core::inventory::submit! {
    FrontendDef {
        module: crate::NAME,
        configs: &[],
        permissions: PERMISSIONS,
    }
}
