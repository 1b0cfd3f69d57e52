//! The application state and the module descriptor, with the parts they are made of. They refer
//! to each other (the state lists the enabled descriptors and holds the event bus and the ports;
//! a descriptor's jobs, handlers and ports receive the state), so they live in one file that
//! imports only the kernel's lower layers; the files that use them (`registry`, `events`,
//! `ports`, `app`) re-export them under their historical paths.

use crate::auth::Principal;
use crate::config::Config;
use crate::dates::Clock;
use crate::db::Db;
use crate::error::AppResult;
use crate::files::FileStore;
use crate::graphql::relay::NodeValue;
use crate::migrate::Migration;
use futures::future::BoxFuture;
use sea_orm::DatabaseTransaction;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::Notify;

/// The application state shared by services, resolvers, jobs and the CLI; built at start-up by
/// [`crate::app`].
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub clock: Clock,
    pub bus: Arc<EventBus>,
    pub ports: Arc<Ports>,
    /// Enabled modules in dependency order.
    pub modules: Arc<Vec<&'static ModuleDescriptor>>,
    pub enabled: EnabledModules,
    pub files: FileStore,
    pub jwt_key: Arc<Vec<u8>>,
    /// Poked after commits that wrote outbox rows.
    pub outbox_wakeup: Arc<Notify>,
}

/// Names of the modules enabled at run time; GraphQL visibility and the `module.disabled` guard
/// read it from the schema data.
#[derive(Debug, Clone, Default)]
pub struct EnabledModules(pub BTreeSet<String>);

/// An error message of a module's catalogue: (code, English, French), see `crate::i18n`.
pub type Message = (&'static str, &'static str, &'static str);

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

/// The future a node resolver returns: the object, or `None` when it does not exist or lies
/// outside the caller's rights and locations.
pub type NodeFuture<'a> = BoxFuture<'a, async_graphql::Result<Option<NodeValue>>>;

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
    pub admin: Principal,
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
    /// Runs in one transaction after the module's migrations, at every migration run: data the
    /// module's code relies on and keeps up to date (the core's system roles).
    pub after_migrations:
        Option<for<'a> fn(&'a DatabaseTransaction) -> BoxFuture<'a, AppResult<()>>>,
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
    /// Whether a configuration that does not set `modules.enabled` enables the module. Country
    /// modules say no: a country profile names them.
    pub enabled_by_default: bool,
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
            after_migrations: None,
            demo_seed: None,
            config_check: None,
            nodes: None,
            cli: &[],
            scale_seed: None,
            bench: None,
            enabled_by_default: true,
        }
    }
}

// ---- events (behaviour in `crate::events`) ----

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub name: String,
    pub payload: serde_json::Value,
    /// The acting user, when there is one.
    pub actor: Option<i64>,
}

pub type InTxHandler =
    for<'a> fn(&'a AppState, &'a DatabaseTransaction, &'a Event) -> BoxFuture<'a, AppResult<()>>;
pub type AfterCommitHandler = for<'a> fn(&'a AppState, &'a Event) -> BoxFuture<'a, AppResult<()>>;

/// What a module's `wire` function fills in.
#[derive(Default)]
pub struct Wiring {
    pub(crate) current_module: &'static str,
    pub(crate) in_tx: HashMap<String, Vec<(&'static str, InTxHandler)>>,
    pub(crate) after_commit: HashMap<String, Vec<(&'static str, AfterCommitHandler)>>,
    pub ports: Ports,
}

pub struct EventBus {
    pub(crate) in_tx: HashMap<String, Vec<(&'static str, InTxHandler)>>,
    pub(crate) after_commit: HashMap<String, Vec<(&'static str, AfterCommitHandler)>>,
}

// ---- ports (see `crate::ports`) ----

/// A price list as the core shows it on a health facility.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
#[graphql(name = "PricelistSummaryGQLType")]
pub struct PricelistSummary {
    pub id: i64,
    pub uuid: String,
    pub name: String,
}

/// The price lists assigned to health facilities, owned by the medical module.
pub trait HealthFacilityPricelists: Send + Sync {
    /// Items and services price lists of each facility, for a page of facilities at once.
    fn for_facilities<'a>(
        &'a self,
        state: &'a AppState,
        facility_ids: &'a [i64],
    ) -> BoxFuture<'a, AppResult<HashMap<i64, (Option<PricelistSummary>, Option<PricelistSummary>)>>>;
}

/// The product of a policy, as the core shows it on an insuree's policies.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
#[graphql(name = "InsureePolicyProductGQLType")]
pub struct InsureePolicyProduct {
    /// The product's global id, as `ProductGQLType.id` gives it.
    pub id: async_graphql::ID,
    pub uuid: String,
    pub code: String,
    pub name: String,
}

/// A policy, as the core shows it on an insuree (`InsureeGQLType.insureePolicies`).
#[derive(Debug, Clone, async_graphql::SimpleObject)]
#[graphql(name = "InsureePolicyPolicyGQLType")]
pub struct InsureePolicyPolicy {
    /// The policy's global id, as `PolicyGQLType.id` gives it.
    pub id: async_graphql::ID,
    pub uuid: String,
    /// 1 idle, 2 active, 4 suspended, 8 expired, 16 ready.
    pub status: i32,
    /// `N` new, `R` renewal.
    pub stage: String,
    pub enroll_date: crate::graphql::scalars::Date,
    pub start_date: crate::graphql::scalars::Date,
    pub effective_date: Option<crate::graphql::scalars::Date>,
    pub expiry_date: crate::graphql::scalars::Date,
    /// Null when the caller may not see the product (D9), as on `PolicyGQLType`.
    pub product: Option<InsureePolicyProduct>,
}

/// One coverage row of an insuree with its policy (openIMIS `InsureePolicyGQLType`, as
/// `InsureeGQLType.insureePolicies` nests it).
#[derive(Debug, Clone, async_graphql::SimpleObject)]
#[graphql(name = "InsureeCoverageGQLType")]
pub struct InsureeCoverage {
    /// The row's global id, as `InsureePolicyGQLType.id` gives it.
    pub id: async_graphql::ID,
    pub enrollment_date: crate::graphql::scalars::Date,
    pub start_date: crate::graphql::scalars::Date,
    pub effective_date: Option<crate::graphql::scalars::Date>,
    pub expiry_date: crate::graphql::scalars::Date,
    pub policy: InsureePolicyPolicy,
}

/// The policies covering insurees, owned by the policy module.
pub trait InsureePolicies: Send + Sync {
    /// The current coverage rows of each insuree with their current policies, most recent
    /// enrolment first, for a page of insurees at once: only policies whose family lies in the
    /// caller's locations (D9), none for a caller without a policy right (search, add or
    /// renew). The caller has checked that the insurees are in its scope.
    fn for_insurees<'a>(
        &'a self,
        state: &'a AppState,
        principal: Option<&'a Principal>,
        insuree_ids: &'a [i64],
    ) -> BoxFuture<'a, AppResult<HashMap<i64, Vec<InsureeCoverage>>>>;
}

/// Builds the principal of the current user with this uuid (`None` when the user is gone).
pub type LoadPrincipal =
    for<'a> fn(&'a AppState, uuid::Uuid) -> BoxFuture<'a, AppResult<Option<Principal>>>;

#[derive(Default, Clone)]
pub struct Ports {
    pub health_facility_pricelists: Option<Arc<dyn HealthFacilityPricelists>>,
    pub insuree_policies: Option<Arc<dyn InsureePolicies>>,
    /// Installed by the core registers (users): the kernel's token check asks it who a token's
    /// subject is, so that the kernel never reads the user register itself.
    pub load_principal: Option<LoadPrincipal>,
}
