//! Ports: small traits the core declares so that its GraphQL types can show data a downstream
//! module owns (architecture page, "Cross-module data"). The owning module implements the trait
//! and registers it in its descriptor's `wire` function; when that module is disabled the slot is
//! empty and the field answers null. The core registers use the same slots to serve the kernel
//! ([`LoadPrincipal`]: who a token's subject is), so that the kernel never reads a register.
//! The types live in [`crate::state`], which the application state is built from.

pub use crate::state::{
    HealthFacilityPricelists, InsureeCoverage, InsureePolicies, InsureePolicyPolicy,
    InsureePolicyProduct, LoadPrincipal, Ports, PricelistSummary,
};
