//! The module registry. Each module crate submits one [`ModuleDescriptor`] with
//! `inventory::submit!`; at start-up the core collects them, refuses duplicates, missing
//! dependencies and cycles, checks them against `modules.enabled` (D10) and orders them
//! topologically. `inventory` only sees crates that are linked: the gateway names every module
//! crate it composes.

use crate::app::AppState;
use crate::error::AppResult;
use crate::events::Wiring;
use crate::i18n::Message;
use crate::migrate::Migration;
use futures::future::BoxFuture;
use std::collections::{BTreeMap, BTreeSet};

/// A right a module declares: openIMIS numeric code and its names (D8).
#[derive(Debug, Clone, Copy)]
pub struct RightDef {
    pub code: i32,
    pub en: &'static str,
    pub fr: &'static str,
}

/// A scheduled job: run daily by the in-process scheduler and on demand by `imis jobs run <name>`.
/// A job must be harmless when run twice.
pub struct JobDef {
    pub name: &'static str,
    /// Hour of the day (in the configured time zone) when the scheduler runs it.
    pub daily_at_hour: u32,
    pub run: fn(AppState) -> BoxFuture<'static, AppResult<String>>,
}

/// A report a module contributes (rendered by the reporting module's route).
pub struct ReportDef {
    pub name: &'static str,
    pub rights: &'static [i32],
}

/// Declares a module's rights: `rights! { 101001 => "Family search", "Recherche de familles"; }`
/// gives a `&'static [RightDef]`.
#[macro_export]
macro_rules! rights {
    ($($code:literal => $en:literal, $fr:literal;)*) => {
        &[$($crate::registry::RightDef { code: $code, en: $en, fr: $fr }),*]
    };
}

/// The future a node resolver returns: the object, or `None` when it does not exist or lies
/// outside the caller's rights and locations.
pub type NodeFuture<'a> =
    BoxFuture<'a, async_graphql::Result<Option<crate::graphql::relay::NodeValue>>>;

/// The types a module answers in Relay's `node(id:)` (D4). `type_names` are the GraphQL type
/// names its global ids carry; `register` adds those object types to the schema as implementers
/// of `Node` (with [`crate::graphql::relay::register_implementer`]); `resolve` receives the type
/// name and the key decoded from the global id and checks rights and location scope itself.
pub struct NodeDef {
    pub type_names: &'static [&'static str],
    pub register: fn(&mut async_graphql::registry::Registry),
    pub resolve: for<'a> fn(&'a async_graphql::Context<'_>, &'a str, &'a str) -> NodeFuture<'a>,
}

/// A command-line subcommand a module adds to `imis` (`imis <name> [args…]`). It runs with the
/// configured database opened and migrated; `args` are the words after the name; the returned
/// text is printed. Errors are reported with their message and exit status 1.
pub struct CliCommandDef {
    pub name: &'static str,
    /// One line for `imis --help`.
    pub about: &'static str,
    /// The argument synopsis, e.g. `<file.csv>`.
    pub usage: &'static str,
    pub run: fn(AppState, Vec<String>) -> BoxFuture<'static, AppResult<String>>,
}

/// What `imis seed scale` and the benchmark ask of a module's scale seeder.
#[derive(Debug, Clone, Copy)]
pub struct ScaleArgs {
    /// Families to generate (the insuree module's unit; other modules build on what exists).
    pub families: usize,
    /// Seed of the generator: the same seed gives the same data.
    pub seed: u64,
}

/// Generated national-scale data (never in production): runs in module order after the demo
/// data, each module adding rows on top of what the modules before it generated. Returns one
/// line per kind of row added, e.g. `"12000 families"`.
pub type ScaleSeed = fn(AppState, ScaleArgs) -> BoxFuture<'static, AppResult<Vec<String>>>;

/// Runs one GraphQL request against the composed schema (the benchmark's executor).
pub type Execute = std::sync::Arc<
    dyn Fn(async_graphql::Request) -> BoxFuture<'static, async_graphql::Response> + Send + Sync,
>;

/// What a benchmark step gets: the state, the composed schema's executor and the administrator.
#[derive(Clone)]
pub struct BenchContext {
    pub state: AppState,
    pub execute: Execute,
    pub admin: crate::auth::Principal,
}

/// One timed GraphQL request of `imis bench`: repeated, its p50 and p99 printed.
pub struct BenchRequest {
    pub label: String,
    pub query: String,
    /// Sent as the administrator (otherwise anonymous).
    pub as_admin: bool,
}

/// A module's part of `imis bench` (see docs/benchmarks.md): `requests` builds the timed
/// GraphQL requests from the data present; `runs` measures whole operations (a job over every
/// row, a throughput run) and returns the lines to print.
pub struct BenchDef {
    pub requests: Option<fn(BenchContext) -> BoxFuture<'static, AppResult<Vec<BenchRequest>>>>,
    pub runs: Option<fn(BenchContext) -> BoxFuture<'static, AppResult<Vec<String>>>>,
}

pub struct ModuleDescriptor {
    pub name: &'static str,
    pub version: &'static str,
    pub depends_on: &'static [&'static str],
    pub rights: &'static [RightDef],
    pub messages: &'static [Message],
    pub migrations: fn() -> Vec<Migration>,
    /// Registers in-transaction and after-commit event handlers and port implementations.
    pub wire: fn(&mut Wiring),
    pub jobs: &'static [JobDef],
    pub reports: &'static [ReportDef],
    /// Adds the module's demo data (D30); runs in module order on an empty database.
    pub demo_seed: Option<fn(AppState) -> BoxFuture<'static, AppResult<()>>>,
    /// Validates the module's `[module.<name>]` section; returns one message per problem.
    pub config_check: Option<fn(&figment::Figment) -> Vec<String>>,
    /// The types the module answers in `node(id:)`.
    pub nodes: Option<NodeDef>,
    /// Subcommands the module adds to the `imis` command line.
    pub cli: &'static [CliCommandDef],
    /// The module's generated national-scale data (`imis seed scale`, the benchmark).
    pub scale_seed: Option<ScaleSeed>,
    /// The module's benchmark steps.
    pub bench: Option<BenchDef>,
}

impl std::fmt::Debug for ModuleDescriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleDescriptor")
            .field("name", &self.name)
            .field("depends_on", &self.depends_on)
            .finish_non_exhaustive()
    }
}

impl ModuleDescriptor {
    /// A descriptor with nothing but a name, to be completed with struct update syntax.
    pub const fn named(name: &'static str) -> Self {
        Self {
            name,
            version: "0.1.0",
            depends_on: &[],
            rights: &[],
            messages: &[],
            migrations: Vec::new,
            wire: |_| {},
            jobs: &[],
            reports: &[],
            demo_seed: None,
            config_check: None,
            nodes: None,
            cli: &[],
            scale_seed: None,
            bench: None,
        }
    }
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

/// Names of the modules enabled at run time; GraphQL visibility and the `module.disabled` guard
/// read it from the schema data.
#[derive(Debug, Clone, Default)]
pub struct EnabledModules(pub BTreeSet<String>);

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
