//! sea-orm entities of the policy module, one file per table.

pub mod claim_usage;
pub mod claim_usage_line;
pub mod consumption;
pub mod insuree_policy;
pub mod policy;
pub mod renewal;
pub mod renewal_detail;
