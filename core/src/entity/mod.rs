//! sea-orm entities of the core tables, one file per table.

pub mod health_facility;
pub mod hf_catchment;
pub mod location;
pub mod mutation_log;
pub mod role;
pub mod role_right;
pub mod user;
