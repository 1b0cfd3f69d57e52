//! The insuree module's part of `imis bench` (docs/benchmarks.md): the list requests a desk and
//! an enrolment officer send, built from the data present.

use futures::future::BoxFuture;
use imis_core::error::AppResult;
use imis_core::registry::{BenchContext, BenchRequest};

/// The timed requests: an exact number look-up (when an insuree exists), a name prefix search,
/// a deep page with each insuree's family and village, and a filtered count.
pub(crate) fn requests(bench: BenchContext) -> BoxFuture<'static, AppResult<Vec<BenchRequest>>> {
    Box::pin(async move {
        let mut out = vec![];
        if let Some(c) = crate::api::sample_chf_id(&bench.state.db.conn).await? {
            out.push(request(
                "insurees(chfId:)",
                format!(
                    "{{ insurees(chfId: \"{c}\") {{ edges {{ node {{ id chfId lastName otherNames dob }} }} }} }}"
                ),
            ));
        }
        out.push(request(
            "insurees(lastName_Istartswith:, first: 20)",
            "{ insurees(lastName_Istartswith: \"mba\", first: 20) { edges { node { id chfId lastName otherNames } } } }".into(),
        ));
        out.push(request(
            "insurees page of 100, family and village",
            "{ insurees(first: 100, offset: 5000) { edges { node { id chfId lastName dob family { uuid location { code name parent { code } } } currentVillage { code } } } } }".into(),
        ));
        out.push(request(
            "insurees filtered totalCount",
            "{ insurees(lastName_Istartswith: \"ngo\", first: 1) { totalCount } }".into(),
        ));
        Ok(out)
    })
}

fn request(label: &str, query: String) -> BenchRequest {
    BenchRequest {
        label: label.into(),
        query,
        as_admin: true,
    }
}
