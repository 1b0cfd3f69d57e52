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

/// Validity interval of a row (D7): `validity_to` empty = current.
pub trait Validity {
    fn validity_from(&self) -> chrono::DateTime<chrono::Utc>;
    fn validity_to(&self) -> Option<chrono::DateTime<chrono::Utc>>;
}

macro_rules! validity {
    ($($model:ty),+) => {$(
        impl Validity for $model {
            fn validity_from(&self) -> chrono::DateTime<chrono::Utc> {
                self.validity_from
            }
            fn validity_to(&self) -> Option<chrono::DateTime<chrono::Utc>> {
                self.validity_to
            }
        }
    )+};
}

validity!(
    diagnosis::Model,
    item::Model,
    pricelist::Model,
    pricelist_detail::Model,
    service::Model,
    service_content::Model
);
