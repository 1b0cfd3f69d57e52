//! Locations and health facilities (openIMIS `location` module).
//!
//! The location tree (region `R` → district `D` → ward `W` → village `V`, table `core_location`),
//! health facilities (`core_health_facility`, located in a district) and their catchment villages
//! (`core_hf_catchment`). [`service`] holds the business functions (rights D8, location scope D9,
//! validations, history D7), [`graphql`] the openIMIS-named queries and mutations, and [`demo`]
//! the demo tree and facilities. Price lists of facilities belong to the medical module and are
//! reached through [`crate::ports::HealthFacilityPricelists`] and the in-transaction event
//! `health_facility.saving`.

pub mod demo;
pub mod graphql;
pub mod service;
pub mod tree;

pub use graphql::{LocationMutation, LocationQuery};
