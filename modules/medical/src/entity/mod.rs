//! sea-orm entities of the medical tables, one file per table. Private to the module: other
//! modules read items and services through [`crate::api`]; writes go through
//! [`crate::service`].

pub mod diagnosis;
pub mod hf_pricelist;
pub mod item;
pub mod pricelist;
pub mod pricelist_detail;
pub mod service;
pub mod service_content;
