//! # imis-core
//!
//! The platform every module stands on: the module registry ([`registry`]), configuration
//! ([`config`]), database access and per-module migrations ([`db`], [`migrate`]), money and dates
//! ([`money`], [`dates`]), errors with English and French messages ([`error`], [`i18n`]), history
//! ([`history`]), the mutation envelope and log ([`mutation`]), events and the outbox
//! ([`events`]), ports for cross-module data ([`ports`]), the file store ([`files`]),
//! authentication, rights and location scope ([`auth`]), and the core business registers: users
//! and roles ([`users`]), locations and health facilities ([`location`]).
//!
//! Invariants: core knows no module; business rules live in service functions that check rights
//! and location scope themselves, so no entry point can skip them; every write runs in one
//! transaction with its history, mutation-log and outbox rows. See `docs/architecture.md`.

pub mod app;
pub mod auth;
pub mod config;
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
pub mod ports;
pub mod registry;
pub mod rights;
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
        demo_seed: Some(demo::seed),
        ..registry::ModuleDescriptor::named(registry::CORE)
    }
}
