//! # imis-core
//!
//! The platform every module stands on, in two layers.
//!
//! **The kernel** knows no register and no module: errors with stable codes ([`error`]; their
//! English and French messages are looked up where errors leave the process: [`i18n`] for HTTP
//! and the command line, [`graphql`] for GraphQL), configuration ([`config`]), database access
//! and per-module migrations ([`db`], [`migrate`]), the application state and module
//! descriptors ([`state`], re-exported by [`app`], [`registry`], [`events`], [`ports`]), the
//! registry ([`registry`]), events and the outbox ([`events`]), history ([`history`]), the
//! mutation envelope and log ([`mutation`]), jobs ([`jobs`]), the file store ([`files`]), money,
//! dates and text ([`money`], [`dates`], [`text`]), authentication primitives, rights and the
//! location scope ([`auth`]), the GraphQL plumbing ([`graphql`], [`kit`]), and start-up
//! ([`app`]). Its file imports form a DAG; the registers plug into it through hooks they install:
//! the principal loader (a port set in core's `wire`), the location tree queries a scope runs
//! ([`auth::scope::LocationTree`]), the system roles seeded after migrations.
//!
//! **The core registers** build on the kernel: users, roles, officers and the mutation-log query
//! ([`users`]), locations and health facilities ([`location`]), their rights ([`rights`]), node
//! types, demo data and migrations. Modules read them only through [`registers`] (and the
//! GraphQL types it names), never through core's entities or tables.
//!
//! Invariants: core knows no module; business rules live in service functions that check rights
//! and location scope themselves, so no entry point can skip them; every write runs in one
//! transaction with its history, mutation-log and outbox rows. See `docs/architecture.md`.

pub mod app;
pub mod auth;
pub mod config;
mod config_modules;
pub mod core_migrations;
pub mod dates;
pub mod db;
pub mod demo;
pub mod entity;
pub mod error;
pub mod events;
pub mod files;
pub mod graphql;
pub mod history;
pub mod i18n;
pub mod jobs;
pub mod kit;
pub mod location;
pub mod migrate;
pub mod money;
pub mod mutation;
pub mod mutation_bulk;
pub mod ports;
pub mod registers;
pub mod registry;
pub mod rights;
pub mod state;
pub mod text;
pub mod users;

pub use app::AppState;
pub use error::{AppError, AppResult};

/// Re-exported so module crates submit descriptors without naming `inventory` themselves.
pub use inventory;

inventory::submit! {
    registry::ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        rights: rights::CORE_RIGHTS,
        migrations: core_migrations::migrations,
        jobs: jobs::CORE_JOBS,
        wire: users::wire,
        nodes: Some(graphql::node::NODES),
        // The 12 system roles exist in every installation (reference §1.6).
        after_migrations: Some(|tx| Box::pin(users::service::seed_system_roles(tx))),
        demo_seed: Some(demo::seed),
        ..registry::ModuleDescriptor::named(registry::CORE)
    }
}
