//! sea-orm entities of the product module, one file per table. Money columns hold `i64` minor
//! units of the configured currency (`imis_core::money::Money`); percentages that openIMIS keeps
//! as decimals are stored exactly as integer hundredths of a percent.

pub mod product;
pub mod product_item;
pub mod product_service;
pub mod relative_distribution;
