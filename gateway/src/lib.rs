//! # imis-gateway
//!
//! The only crate that knows HTTP, the command line and the list of modules. It composes the
//! GraphQL roots of the core and of every module compiled in ([`schema`]), serves them with axum
//! together with the REST endpoints, health, readiness and metrics ([`server`]), and provides the
//! `imis` command line ([`cli`]).
//!
//! ## Adding a module (a country distribution)
//!
//! A module is composed with **one line per root** and **one cargo dependency and feature**:
//!
//! 1. In `gateway/Cargo.toml`:
//!    ```toml
//!    [dependencies]
//!    imis-xyz = { path = "../modules/xyz", optional = true }
//!    [features]
//!    default = ["xyz"]
//!    xyz = ["dep:imis-xyz"]
//!    ```
//! 2. In `gateway/src/schema.rs`, inside `compose_roots!`, add to `query` (and to `mutation` if the
//!    module has mutations):
//!    ```ignore
//!    #[cfg(feature = "xyz")] "xyz" => imis_xyz::graphql::XyzQuery,
//!    ```
//!    The string is the module's registry name (its descriptor's `name`); it tells the gateway which
//!    module owns each root field. `inventory` then sees the module's descriptor because the
//!    crate is linked (reference the crate from the gateway, e.g. through its root types).
//!
//! [`compose_roots!`] expands to `#[derive(MergedObject, Default)] pub struct Query(...)` and
//! `Mutation(...)` plus a function listing `(module, "Query"|"Mutation", field)` for every root
//! field. That list drives a test that root fields of different modules never collide (they
//! would silently shadow each other), the `module.disabled` guard for modules compiled in but
//! disabled in configuration (D10), and the SDL of the enabled modules. Test crates may invoke
//! `imis_gateway::compose_roots!` to compose their own roots and build them with
//! [`schema::build_schema_with`] and [`server::router_with`].
// The composed GraphQL roots nest deeply enough to pass rustc's default query depth in a
// clean build.
#![recursion_limit = "256"]

pub mod bench;
pub mod cli;
pub mod graphiql;
pub mod limits;
pub mod metrics;
pub mod node;
pub mod schema;
pub mod server;

pub use schema::{ImisSchema, build_schema, root_field_owners, sdl};
pub use server::router;
