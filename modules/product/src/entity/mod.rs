//! sea-orm entities of the product module, one file per table. Money columns hold `i64` minor
//! units of the configured currency (`imis_core::money::Money`); percentages that openIMIS keeps
//! as decimals are stored exactly as integer hundredths of a percent. The item and service
//! lines are read and written with plain statements into `crate::service::ProductLine`.

pub mod product;
pub mod relative_distribution;
