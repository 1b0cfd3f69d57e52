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
    resolve(&linked, enabled)
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
