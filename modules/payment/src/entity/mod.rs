//! sea-orm entities of the payment module, one file per table.

pub mod funding;
pub mod payer;
pub mod payment;
pub mod payment_detail;
pub mod premium;
