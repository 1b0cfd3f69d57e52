//! sea-orm entities of the insuree module, one file per table.

pub mod family;
pub mod insuree;
pub mod photo;
pub mod status_reason;
