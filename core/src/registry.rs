//! The module registry. Each module crate submits one [`ModuleDescriptor`] with
//! `inventory::submit!`; at start-up the core collects them, refuses duplicates, missing
//! dependencies and cycles, checks them against `modules.enabled` (D10) and orders them
//! topologically. `inventory` only sees crates that are linked: the gateway names every module
//! crate it composes.

pub use crate::state::EnabledModules;
pub use crate::state::{
    BenchContext, BenchDef, BenchRequest, CliCommandDef, Execute, JobDef, ModuleDescriptor,
    NodeDef, NodeFuture, ReportDef, RightDef, ScaleArgs, ScaleSeed,
};
use std::collections::{BTreeMap, BTreeSet};

/// Declares a module's rights: `rights! { 101001 => "Family search", "Recherche de familles"; }`
/// gives a `&'static [RightDef]`.
#[macro_export]
macro_rules! rights {
    ($($code:literal => $en:literal, $fr:literal;)*) => {
        &[$($crate::registry::RightDef { code: $code, en: $en, fr: $fr }),*]
    };
}

inventory::collect!(ModuleDescriptor);

/// Every descriptor linked into this binary, in no particular order.
pub fn linked_modules() -> impl Iterator<Item = &'static ModuleDescriptor> {
    inventory::iter::<ModuleDescriptor>.into_iter()
}

/// The name of the core pseudo-module, always enabled.
pub const CORE: &str = "core";

/// Picks the enabled descriptors among `linked`, validates them and orders them so that every
/// module comes after its dependencies (ties broken by name). Every problem is reported.
pub fn resolve<'a>(
    linked: &[&'a ModuleDescriptor],
    enabled: &[String],
) -> Result<Vec<&'a ModuleDescriptor>, Vec<String>> {
    let mut errors = vec![];
    let mut by_name: BTreeMap<&str, &'a ModuleDescriptor> = BTreeMap::new();
    for d in linked {
        if by_name.insert(d.name, d).is_some() {
            errors.push(format!(
                "two modules are named `{}`: module names must be unique",
                d.name
            ));
        }
    }
    let mut rights_seen: BTreeMap<i32, &str> = BTreeMap::new();
    for d in linked {
        for r in d.rights {
            if let Some(other) = rights_seen.insert(r.code, d.name)
                && other != d.name
            {
                errors.push(format!(
                    "right {} is registered by both `{other}` and `{}`",
                    r.code, d.name
                ));
            }
        }
    }
    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    wanted.insert(CORE);
    for name in enabled {
        if by_name.contains_key(name.as_str()) {
            wanted.insert(name.as_str());
        } else {
            errors.push(format!("modules.enabled names `{name}`, which is not compiled into this binary (enable its cargo feature)"));
        }
    }
    for name in &wanted {
        let Some(d) = by_name.get(name) else {
            if *name == CORE {
                errors.push("the core module is not linked".into());
            }
            continue;
        };
        for dep in d.depends_on {
            if !by_name.contains_key(dep) {
                errors.push(format!(
                    "module `{name}` depends on `{dep}`, which is not compiled into this binary"
                ));
            } else if !wanted.contains(dep) {
                errors.push(format!(
                    "module `{name}` depends on `{dep}`, which is not enabled in modules.enabled"
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Kahn's algorithm over the enabled set; BTreeSet keeps the order deterministic.
    let mut remaining: BTreeMap<&str, BTreeSet<&str>> = wanted
        .iter()
        .map(|n| {
            let deps: BTreeSet<&str> = by_name[n]
                .depends_on
                .iter()
                .copied()
                .chain((*n != CORE).then_some(CORE))
                .collect();
            (*n, deps)
        })
        .collect();
    let mut order = vec![];
    while !remaining.is_empty() {
        let ready: Vec<&str> = remaining
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(n, _)| *n)
            .collect();
        if ready.is_empty() {
            let cycle: Vec<&str> = remaining.keys().copied().collect();
            return Err(vec![format!(
                "modules depend on each other in a cycle: {}",
                cycle.join(", ")
            )]);
        }
        let first = ready[0];
        remaining.remove(first);
        for deps in remaining.values_mut() {
            deps.remove(first);
        }
        order.push(by_name[first]);
    }
    Ok(order)
}

/// The enabled modules of this binary for the given configuration, in dependency order.
pub fn enabled_modules(enabled: &[String]) -> Result<Vec<&'static ModuleDescriptor>, Vec<String>> {
    let linked: Vec<&'static ModuleDescriptor> = linked_modules().collect();
    let frontend: Vec<&'static FrontendDef> = inventory::iter::<FrontendDef>.into_iter().collect();
    let mut errors = check_frontend_defs(&linked, &frontend);
    match resolve(&linked, enabled) {
        Ok(order) if errors.is_empty() => Ok(order),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// What a module tells openIMIS's web front end, submitted with
/// `inventory::submit! { imis_core::registry::FrontendDef { module: NAME, configs: &[…], permissions: &[…] } }`:
/// the settings of the front-end modules that show its screens (`moduleConfigurations`) and the
/// openIMIS names of its rights (`modulesPermissions`). A disabled module contributes nothing.
pub struct FrontendDef {
    /// The registry name of the contributing module.
    pub module: &'static str,
    pub configs: &'static [FrontendConfig],
    pub permissions: &'static [FrontendPermission],
}

/// Settings one front-end module reads with `modulesManager.getConf("<frontend_module>", key)`.
pub struct FrontendConfig {
    /// The front-end module's name: `fe-core`, `fe-insuree`, `fe-policy`, ….
    pub frontend_module: &'static str,
    /// Its settings, a JSON object built from the configuration. Anonymous callers read it (the
    /// front end boots with it): never put a secret in it.
    pub build: fn(&crate::config::Config) -> serde_json::Map<String, serde_json::Value>,
}

/// The openIMIS name of one of the module's rights. The front end labels a right with its
/// translation `<openimis_module>.<name>` (`core.gql_query_users_perms`), and shows a right it has
/// no translation for as "[No Translation] …".
pub struct FrontendPermission {
    pub code: i32,
    /// The openIMIS back-end module whose configuration names the right: `core`, `location`, ….
    pub openimis_module: &'static str,
    /// The openIMIS configuration key: `gql_query_users_perms`, ….
    pub name: &'static str,
}

inventory::collect!(FrontendDef);

/// Every [`FrontendDef`] must name a linked module and only rights that module registers.
fn check_frontend_defs(linked: &[&ModuleDescriptor], defs: &[&FrontendDef]) -> Vec<String> {
    let mut errors = vec![];
    for def in defs {
        let Some(owner) = linked.iter().find(|d| d.name == def.module) else {
            errors.push(format!(
                "front-end entries name the module `{}`, which is not compiled into this binary",
                def.module
            ));
            continue;
        };
        for p in def.permissions {
            if !owner.rights.iter().any(|r| r.code == p.code) {
                errors.push(format!(
                    "module `{}` gives an openIMIS name to right {}, which it does not register",
                    def.module, p.code
                ));
            }
        }
    }
    errors
}

/// The front-end entries of the enabled `modules`, in module order.
pub fn frontend_defs(modules: &[&ModuleDescriptor]) -> Vec<&'static FrontendDef> {
    let all: Vec<&'static FrontendDef> = inventory::iter::<FrontendDef>.into_iter().collect();
    modules
        .iter()
        .flat_map(|m| all.iter().filter(|d| d.module == m.name).copied())
        .collect()
}

/// The front-end modules' settings the `defs` build from `config`, one object per front-end
/// module in order of first mention; when two modules set the same key, the later module (in
/// dependency order) wins.
pub fn frontend_configurations(
    defs: &[&FrontendDef],
    config: &crate::config::Config,
) -> Vec<(&'static str, serde_json::Map<String, serde_json::Value>)> {
    let mut out: Vec<(&'static str, serde_json::Map<String, serde_json::Value>)> = vec![];
    for c in defs.iter().flat_map(|d| d.configs) {
        let settings = (c.build)(config);
        match out.iter_mut().find(|(m, _)| *m == c.frontend_module) {
            Some((_, merged)) => merged.extend(settings),
            None => out.push((c.frontend_module, settings)),
        }
    }
    out
}

impl EnabledModules {
    pub fn contains(&self, name: &str) -> bool {
        name == CORE || self.0.contains(name)
    }
}

/// For `#[graphql(visible = ...)]` on a module's root fields: hides them when the module is off.
pub fn module_visible(ctx: &async_graphql::Context<'_>, module: &str) -> bool {
    ctx.data_opt::<EnabledModules>()
        .is_none_or(|m| m.contains(module))
}

#[cfg(test)]
mod tests {
    use super::*;

    static OWNER: ModuleDescriptor = ModuleDescriptor {
        rights: &[RightDef {
            code: 7,
            en: "Seven",
            fr: "Sept",
        }],
        ..ModuleDescriptor::named("owner")
    };

    fn currency(c: &crate::config::Config) -> serde_json::Map<String, serde_json::Value> {
        [("currency".to_string(), c.core.currency.clone().into())]
            .into_iter()
            .collect()
    }

    fn currency_override(_: &crate::config::Config) -> serde_json::Map<String, serde_json::Value> {
        [
            ("currency".to_string(), "EUR".into()),
            ("extra".to_string(), 1.into()),
        ]
        .into_iter()
        .collect()
    }

    static FIRST: FrontendDef = FrontendDef {
        module: "owner",
        configs: &[FrontendConfig {
            frontend_module: "fe-core",
            build: currency,
        }],
        permissions: &[FrontendPermission {
            code: 7,
            openimis_module: "core",
            name: "gql_seven_perms",
        }],
    };
    static SECOND: FrontendDef = FrontendDef {
        module: "owner",
        configs: &[
            FrontendConfig {
                frontend_module: "fe-other",
                build: currency,
            },
            FrontendConfig {
                frontend_module: "fe-core",
                build: currency_override,
            },
        ],
        permissions: &[],
    };
    static STRANGER: FrontendDef = FrontendDef {
        module: "nobody",
        configs: &[],
        permissions: &[],
    };
    static FOREIGN_RIGHT: FrontendDef = FrontendDef {
        module: "owner",
        configs: &[],
        permissions: &[FrontendPermission {
            code: 8,
            openimis_module: "core",
            name: "gql_eight_perms",
        }],
    };

    #[test]
    fn front_end_settings_merge_by_front_end_module_later_modules_winning() {
        let config = crate::config::Config::default();
        let merged = frontend_configurations(&[&FIRST, &SECOND], &config);
        let names: Vec<&str> = merged.iter().map(|(m, _)| *m).collect();
        assert_eq!(names, ["fe-core", "fe-other"]);
        assert_eq!(merged[0].1["currency"], "EUR");
        assert_eq!(merged[0].1["extra"], 1);
        assert_eq!(merged[1].1["currency"], config.core.currency.as_str());
    }

    #[test]
    fn front_end_entries_must_name_a_linked_module_and_its_own_rights() {
        assert!(check_frontend_defs(&[&OWNER], &[&FIRST, &SECOND]).is_empty());
        let errors = check_frontend_defs(&[&OWNER], &[&STRANGER, &FOREIGN_RIGHT]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("`nobody`"), "{errors:?}");
        assert!(errors[1].contains("right 8"), "{errors:?}");
    }

    #[test]
    fn the_core_front_end_entries_are_consistent() {
        let linked: Vec<&'static ModuleDescriptor> = linked_modules().collect();
        let defs: Vec<&'static FrontendDef> = inventory::iter::<FrontendDef>.into_iter().collect();
        assert!(defs.iter().any(|d| d.module == CORE));
        assert_eq!(check_frontend_defs(&linked, &defs), Vec::<String>::new());
    }
}
