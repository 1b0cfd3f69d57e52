//! What openIMIS's web front end reads about the payment module: the openIMIS names of its
//! rights, which fe-admin's role screen translates. Contributions are openIMIS's `contribution`
//! module, payers its `payer` module (their DEFAULT_CFG keys). `fe-contribution` and `fe-payer`
//! read no setting of their own (the module has none).

use crate::rights::{
    RIGHT_PAYER_ADD, RIGHT_PAYER_DELETE, RIGHT_PAYER_EDIT, RIGHT_PAYER_SEARCH, RIGHT_PREMIUM_ADD,
    RIGHT_PREMIUM_DELETE, RIGHT_PREMIUM_EDIT, RIGHT_PREMIUM_SEARCH,
};
use imis_core::registry::{FrontendDef, FrontendPermission};

const fn contribution(code: i32, name: &'static str) -> FrontendPermission {
    FrontendPermission {
        code,
        openimis_module: "contribution",
        name,
    }
}

const fn payer(code: i32, name: &'static str) -> FrontendPermission {
    FrontendPermission {
        code,
        openimis_module: "payer",
        name,
    }
}

/// The openIMIS names of the module's rights.
/// Payments (101401–101404) belong to a front-end module this front end does not carry,
/// so no translation exists for their openIMIS keys: they keep imis's labels, like the
/// group rights (101300, 101400, 121800). openIMIS's payer update key names 122103 (the
/// item-edit code) by mistake; by meaning it is payer edit, 121803.
const PERMISSIONS: &[FrontendPermission] = &[
    contribution(RIGHT_PREMIUM_SEARCH, "gql_query_premiums_perms"),
    contribution(RIGHT_PREMIUM_ADD, "gql_mutation_create_premiums_perms"),
    contribution(RIGHT_PREMIUM_EDIT, "gql_mutation_update_premiums_perms"),
    contribution(RIGHT_PREMIUM_DELETE, "gql_mutation_delete_premiums_perms"),
    payer(RIGHT_PAYER_SEARCH, "gql_query_payers_perms"),
    payer(RIGHT_PAYER_ADD, "gql_mutation_payer_add_perms"),
    payer(RIGHT_PAYER_EDIT, "gql_mutation_payer_update_perms"),
    payer(RIGHT_PAYER_DELETE, "gql_mutation_payer_delete_perms"),
];

imis_core::inventory::submit! {
    FrontendDef {
        module: crate::NAME,
        configs: &[],
        permissions: PERMISSIONS,
    }
}
