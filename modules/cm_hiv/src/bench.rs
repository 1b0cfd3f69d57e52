//! The module's part of `imis bench`: the register search a treatment site's desk makes.

use futures::future::BoxFuture;
use imis_core::AppResult;
use imis_core::registry::{BenchContext, BenchRequest};

/// Timed requests: the ART number search by prefix and the treatment sites.
pub(crate) fn requests(_: BenchContext) -> BoxFuture<'static, AppResult<Vec<BenchRequest>>> {
    Box::pin(async move {
        Ok(vec![
            BenchRequest {
                label: "artRegistrations(artNumber_Istartswith:)".into(),
                query: "{ artRegistrations(artNumber_Istartswith: \"LT-BON01/20\", first: 20) { edges { node { artNumber insuree { chfId lastName } } } } }".into(),
                as_admin: true,
            },
            BenchRequest {
                label: "hivFacilitySites".into(),
                query: "{ hivFacilitySites(first: 100) { edges { node { siteCode healthFacility { code name } } } } }".into(),
                as_admin: true,
            },
        ])
    })
}
