//! What the web front end reads about the compiled modules: rights by module and the front-end
//! modules' configurations. Both come from the registry's [`FrontendDef`] entries of the enabled
//! modules; the core's own entries are at the end of this file.

use super::*;
use crate::registry::{FrontendConfig, FrontendDef, FrontendPermission};
use std::collections::HashMap;

#[derive(SimpleObject)]
#[graphql(name = "ModuleConfigurationGQLType")]
pub struct ModuleConfigurationGQLType {
    pub id: String,
    pub module: String,
    pub layer: String,
    pub version: String,
    /// JSON-encoded configuration.
    pub config: String,
    pub is_exposed: bool,
    pub controls: Vec<FieldControlGQLType>,
}

#[derive(SimpleObject)]
#[graphql(name = "FieldControlGQLType")]
pub struct FieldControlGQLType {
    pub field: String,
    pub usage: Option<i32>,
}

#[derive(SimpleObject)]
#[graphql(name = "ModulePermissionsListGQLType")]
pub struct ModulePermissionsList {
    pub module_perms_list: Vec<ModulePermission>,
}

#[derive(SimpleObject)]
#[graphql(name = "ModulePermissionGQLType")]
pub struct ModulePermission {
    pub module_name: String,
    pub permissions: Vec<PermissionOpenImis>,
}

#[derive(SimpleObject)]
#[graphql(name = "PermissionOpenImisGQLType")]
pub struct PermissionOpenImis {
    pub perms_name: String,
    pub perms_value: i32,
}

/// Rights by module and module configurations.
#[derive(Default)]
pub struct ModulesQuery;

#[Object]
impl ModulesQuery {
    /// Every right of every enabled module (right 122001), grouped as openIMIS groups them: a
    /// right with an openIMIS name comes under its openIMIS module with that name as `permsName`
    /// (`core` / `gql_query_users_perms`, which the front end translates); any other right comes
    /// under the imis module with its name in the caller's language.
    async fn modules_permissions(&self, ctx: &Context<'_>) -> Result<ModulePermissionsList> {
        require(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_ROLE_SEARCH]),
        )
        .gql(ctx)?;
        let fr = lang(ctx) == "fr";
        let modules = &state(ctx).modules;
        let mut openimis_names: HashMap<i32, Vec<&FrontendPermission>> = HashMap::new();
        for p in crate::registry::frontend_defs(modules)
            .iter()
            .flat_map(|d| d.permissions)
        {
            openimis_names.entry(p.code).or_default().push(p);
        }
        let mut groups: Vec<ModulePermission> = vec![];
        let mut add = |module: &str, perms_name: &str, code: i32| {
            let permission = PermissionOpenImis {
                perms_name: perms_name.to_string(),
                perms_value: code,
            };
            match groups.iter_mut().find(|g| g.module_name == module) {
                Some(g) => g.permissions.push(permission),
                None => groups.push(ModulePermission {
                    module_name: module.to_string(),
                    permissions: vec![permission],
                }),
            }
        };
        for m in modules.iter() {
            for r in m.rights {
                match openimis_names.get(&r.code) {
                    Some(names) => {
                        for n in names {
                            add(n.openimis_module, n.name, r.code);
                        }
                    }
                    None => add(m.name, if fr { r.fr } else { r.en }, r.code),
                }
            }
        }
        Ok(ModulePermissionsList {
            module_perms_list: groups,
        })
    }

    /// The settings of the front-end modules (`fe-core`, …) the enabled modules contribute, for
    /// the `FE` layer (`BE` answers none); anonymous callers may read it (the web front end boots
    /// with it). `validity` is accepted for openIMIS clients: the settings do not vary in time.
    async fn module_configurations(
        &self,
        ctx: &Context<'_>,
        validity: Option<String>,
        layer: Option<String>,
    ) -> Result<Vec<ModuleConfigurationGQLType>> {
        let _ = validity;
        let st = state(ctx);
        if layer
            .as_deref()
            .is_some_and(|l| !l.eq_ignore_ascii_case("fe"))
        {
            return Ok(vec![]);
        }
        let defs = crate::registry::frontend_defs(&st.modules);
        Ok(crate::registry::frontend_configurations(&defs, &st.config)
            .into_iter()
            .map(|(module, settings)| ModuleConfigurationGQLType {
                id: configuration_id(module).to_string(),
                module: module.to_string(),
                layer: "FE".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                config: serde_json::Value::Object(settings).to_string(),
                is_exposed: true,
                controls: vec![],
            })
            .collect())
    }
}

/// A configuration's id: fixed for a front-end module (openIMIS answers a row's uuid), derived
/// from its name.
fn configuration_id(frontend_module: &str) -> uuid::Uuid {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("imis module configuration {frontend_module}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// A front-end module's settings from (key, value) pairs.
fn settings<const N: usize>(
    pairs: [(&str, serde_json::Value); N],
) -> serde_json::Map<String, serde_json::Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The core's settings of openIMIS's `fe-core`: the scheme's currency (code and decimals), the
/// age of majority and the languages users may choose.
fn fe_core(cfg: &crate::config::Config) -> serde_json::Map<String, serde_json::Value> {
    let languages: Vec<&str> = service::LANGUAGES.iter().map(|(c, _, _)| *c).collect();
    settings([
        ("currency", cfg.core.currency.clone().into()),
        ("numberOfDecimals", cfg.core.currency_minor_digits.into()),
        ("ageOfMajority", cfg.core.age_of_majority.into()),
        ("languages", languages.into()),
    ])
}

/// The core's settings of `fe-admin`: the user form's password generator makes passwords the
/// password policy accepts (at least its minimum length, every character class).
fn fe_admin(cfg: &crate::config::Config) -> serde_json::Map<String, serde_json::Value> {
    settings([(
        "passwordGeneratorOptions",
        serde_json::json!({
            "length": cfg.auth.password_min_length.max(12),
            "isNumberRequired": true,
            "isLowerCaseRequired": true,
            "isUpperCaseRequired": true,
            "isSpecialSymbolRequired": true,
        }),
    )])
}

/// openIMIS's name of a core right: (code, openIMIS module, configuration key).
const fn named(code: i32, openimis_module: &'static str, name: &'static str) -> FrontendPermission {
    FrontendPermission {
        code,
        openimis_module,
        name,
    }
}

inventory::submit! {
    FrontendDef {
        module: crate::registry::CORE,
        configs: &[
            FrontendConfig { frontend_module: "fe-core", build: fe_core },
            FrontendConfig { frontend_module: "fe-admin", build: fe_admin },
        ],
        // The keys of openIMIS's `core`, `location` and `report` modules (their DEFAULT_CFG).
        permissions: &[
            named(121701, "core", "gql_query_users_perms"),
            named(121702, "core", "gql_mutation_create_users_perms"),
            named(121703, "core", "gql_mutation_update_users_perms"),
            named(121704, "core", "gql_mutation_delete_users_perms"),
            named(122001, "core", "gql_query_roles_perms"),
            named(122002, "core", "gql_mutation_create_roles_perms"),
            named(122003, "core", "gql_mutation_update_roles_perms"),
            named(122004, "core", "gql_mutation_delete_roles_perms"),
            named(122005, "core", "gql_mutation_duplicate_roles_perms"),
            named(122006, "core", "gql_mutation_replace_roles_perms"),
            named(121501, "core", "gql_query_enrolment_officers_perms"),
            named(121502, "core", "gql_mutation_create_enrolment_officers_perms"),
            named(121503, "core", "gql_mutation_update_enrolment_officers_perms"),
            named(121504, "core", "gql_mutation_delete_enrolment_officers_perms"),
            named(121601, "core", "gql_query_claim_administrator_perms"),
            named(121602, "core", "gql_mutation_create_claim_administrator_perms"),
            named(121603, "core", "gql_mutation_update_claim_administrator_perms"),
            named(121604, "core", "gql_mutation_delete_claim_administrator_perms"),
            named(121901, "location", "gql_query_locations_perms"),
            named(121902, "location", "gql_mutation_create_locations_perms"),
            named(121903, "location", "gql_mutation_edit_locations_perms"),
            named(121904, "location", "gql_mutation_delete_locations_perms"),
            named(121905, "location", "gql_mutation_move_location_perms"),
            named(121906, "location", "gql_mutation_create_region_locations_perms"),
            named(121101, "location", "gql_query_health_facilities_perms"),
            named(121102, "location", "gql_mutation_create_health_facilities_perms"),
            named(121103, "location", "gql_mutation_edit_health_facilities_perms"),
            named(121104, "location", "gql_mutation_delete_health_facilities_perms"),
            named(131207, "report", "gql_reports_user_activity_perms"),
        ],
    }
}
