//! Ports: small traits the core declares so that its GraphQL types can show data a downstream
//! module owns (architecture page, "Cross-module data"). The owning module implements the trait
//! and registers it in its descriptor's `wire` function; when that module is disabled the slot is
//! empty and the field answers null.

use crate::app::AppState;
use crate::error::AppResult;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Arc;

/// A price list as the core shows it on a health facility.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
#[graphql(name = "PricelistSummaryGQLType")]
pub struct PricelistSummary {
    pub id: i64,
    pub uuid: String,
    pub name: String,
}

/// The price lists assigned to health facilities, owned by the medical module.
pub trait HealthFacilityPricelists: Send + Sync {
    /// Items and services price lists of each facility, for a page of facilities at once.
    fn for_facilities<'a>(
        &'a self,
        state: &'a AppState,
        facility_ids: &'a [i64],
    ) -> BoxFuture<'a, AppResult<HashMap<i64, (Option<PricelistSummary>, Option<PricelistSummary>)>>>;
}

#[derive(Default, Clone)]
pub struct Ports {
    pub health_facility_pricelists: Option<Arc<dyn HealthFacilityPricelists>>,
}
