//! # imis-gateway
//!
//! The only crate that knows HTTP, the command line and the list of modules. It composes the
//! GraphQL roots of the core and of every module compiled in ([`schema`]), serves them with axum
//! together with the REST endpoints, health, readiness and metrics ([`server`]), and provides the
//! `imis` command line ([`cli`]).
//!
//! ## Adding a module (a country distribution)
//!
//! A module is its crate plus **one line** in the gateway's module list, and its name in
//! `modules.enabled` (a country profile) to switch it on:
//!
//! 1. the module list, `gateway/Cargo.toml` (the cargo dependency and feature) and
//!    `gateway/src/schema.rs`, inside [`module_list!`]:
//!    ```toml
//!    [dependencies]
//!    imis-xyz = { path = "../modules/xyz", optional = true }
//!    [features]
//!    default = [..., "xyz"]
//!    xyz = ["dep:imis-xyz"]
//!    ```
//!    ```ignore
//!    #[cfg(feature = "xyz")] "xyz" => imis_xyz::graphql::XyzQuery, imis_xyz::graphql::XyzMutation;
//!    ```
//!    The string is the module's registry name (its descriptor's `name`): it tells the gateway
//!    which module owns each root field.
//! 2. `modules.enabled = [..., "xyz"]` in the profile.
//!
//! Everything else the module contributes comes from its descriptor (`inventory` sees it because
//! the crate is linked): rights, messages, migrations, event handlers, jobs, demo data, its
//! configuration check, its types in `node(id:)` ([`node`]), its `imis` subcommands ([`cli`]),
//! its scale seeder (`imis seed scale`) and its benchmark steps ([`bench`]). No other gateway
//! file, and not the tests crate, names a module (`modules/cm_hiv` is the worked example).
//!
//! [`compose_roots!`] expands to `#[derive(MergedObject, Default)] pub struct Query(...)` and
//! `Mutation(...)` plus a function listing `(module, "Query"|"Mutation", field)` for every root
//! field. That list drives a test that root fields of different modules never collide (they
//! would silently shadow each other), the `module.disabled` guard for modules compiled in but
//! disabled in configuration (D10), and the SDL of the enabled modules. Test crates may invoke
//! `imis_gateway::compose_roots!` to compose their own roots and build them with
//! [`schema::build_schema_with`] and [`server::router_with`]; the `imis-tests` harness merges
//! the gateway's [`schema::Query`] and [`schema::Mutation`] with its test module's roots.
// The composed GraphQL roots nest deeply enough to pass rustc's default query depth in a
// clean build.
#![recursion_limit = "256"]

pub mod bench;
pub mod cli;
pub mod coerce;
pub mod graphiql;
pub mod limits;
pub mod metrics;
pub mod node;
pub mod schema;
pub mod server;

pub use schema::{ImisSchema, build_schema, root_field_owners, sdl};
pub use server::router;
