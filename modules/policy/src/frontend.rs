//! What openIMIS's web front end reads about the policy module: the openIMIS names of its rights
//! (openIMIS's `policy` module, its DEFAULT_CFG keys), which fe-admin's role screen translates.
//! `fe-policy` reads no setting that `[module.policy]` decides (activation and renewal rules are
//! the server's alone), so the module gives it none.

use crate::rights::{
    RIGHT_POLICY_ADD, RIGHT_POLICY_DELETE, RIGHT_POLICY_EDIT, RIGHT_POLICY_RENEW,
    RIGHT_POLICY_SEARCH,
};
use imis_core::registry::{FrontendDef, FrontendPermission};

const fn named(code: i32, name: &'static str) -> FrontendPermission {
    FrontendPermission {
        code,
        openimis_module: "policy",
        name,
    }
}

/// The openIMIS names of the module's rights.
/// openIMIS also checks 101203 for suspending (`gql_mutation_suspend_policies_perms`);
/// the role screen shows a right once, under its edit name. The group right 101200 keeps
/// imis's label.
const PERMISSIONS: &[FrontendPermission] = &[
    named(RIGHT_POLICY_SEARCH, "gql_query_policies_perms"),
    named(RIGHT_POLICY_ADD, "gql_mutation_create_policies_perms"),
    named(RIGHT_POLICY_EDIT, "gql_mutation_edit_policies_perms"),
    named(RIGHT_POLICY_DELETE, "gql_mutation_delete_policies_perms"),
    named(RIGHT_POLICY_RENEW, "gql_mutation_renew_policies_perms"),
];

imis_core::inventory::submit! {
    FrontendDef {
        module: crate::NAME,
        configs: &[],
        permissions: PERMISSIONS,
    }
}
