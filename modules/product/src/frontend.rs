//! What openIMIS's web front end reads about the product module: the openIMIS names of its
//! rights (openIMIS's `product` module, its DEFAULT_CFG keys), which fe-admin's role screen
//! translates. `fe-product` reads no setting of its own (the module has none).

use crate::rights::{
    RIGHT_PRODUCT_ADD, RIGHT_PRODUCT_DELETE, RIGHT_PRODUCT_DUPLICATE, RIGHT_PRODUCT_EDIT,
    RIGHT_PRODUCT_SEARCH,
};
use imis_core::registry::{FrontendDef, FrontendPermission};

const fn named(code: i32, name: &'static str) -> FrontendPermission {
    FrontendPermission {
        code,
        openimis_module: "product",
        name,
    }
}

/// The openIMIS names of the module's rights.
/// The group right 121000 has no openIMIS key and keeps imis's label.
const PERMISSIONS: &[FrontendPermission] = &[
    named(RIGHT_PRODUCT_SEARCH, "gql_query_products_perms"),
    named(RIGHT_PRODUCT_ADD, "gql_mutation_products_add_perms"),
    named(RIGHT_PRODUCT_EDIT, "gql_mutation_products_edit_perms"),
    named(RIGHT_PRODUCT_DELETE, "gql_mutation_products_delete_perms"),
    named(
        RIGHT_PRODUCT_DUPLICATE,
        "gql_mutation_products_duplicate_perms",
    ),
];

imis_core::inventory::submit! {
    FrontendDef {
        module: crate::NAME,
        configs: &[],
        permissions: PERMISSIONS,
    }
}
