//! The core port [`InsureePolicies`]: the policies covering insurees, which the core shows on
//! `InsureeGQLType.insureePolicies` (the insuree module cannot read this module's tables).

use super::*;
use crate::entity::insuree_policy;
use futures::future::BoxFuture;
use imis_core::graphql::global_id;
use imis_core::graphql::scalars::Date;
use imis_core::ports::{
    InsureeCoverage, InsureePolicies, InsureePolicyPolicy, InsureePolicyProduct,
};
use std::collections::HashMap;

/// The policy module's implementation of [`InsureePolicies`].
pub struct InsureePoliciesPort;

impl InsureePolicies for InsureePoliciesPort {
    fn for_insurees<'a>(
        &'a self,
        state: &'a AppState,
        principal: Option<&'a Principal>,
        insuree_ids: &'a [i64],
    ) -> BoxFuture<'a, AppResult<HashMap<i64, Vec<InsureeCoverage>>>> {
        Box::pin(async move {
            let allowed = principal.is_some_and(|p| {
                p.has_any(&[RIGHT_POLICY_SEARCH, RIGHT_POLICY_ADD, RIGHT_POLICY_RENEW])
            });
            if !allowed || insuree_ids.is_empty() {
                return Ok(HashMap::new());
            }
            match principal {
                Some(p) => coverage_of(&state.db.conn, p, insuree_ids).await,
                None => Ok(HashMap::new()),
            }
        })
    }
}

/// The current coverage rows of the insurees on current policies whose families lie in the
/// caller's locations, with their products (null when the caller may not see the product, as on
/// `PolicyGQLType`), most recent enrolment first (a fixed number of queries per thousand
/// insurees). An insuree reached through its current village may have its family elsewhere.
async fn coverage_of(
    conn: &impl ConnectionTrait,
    caller: &Principal,
    insuree_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<InsureeCoverage>>> {
    let mut rows = vec![];
    for chunk in insuree_ids.chunks(1000) {
        rows.extend(
            insuree_policy::Entity::find()
                .filter(insuree_policy::Column::InsureeId.is_in(chunk.to_vec()))
                .current()
                .all(conn)
                .await?,
        );
    }
    let policy_ids: Vec<i64> = rows.iter().map(|r| r.policy_id).collect();
    let mut policies = policies_by_ids(conn, &policy_ids).await?;
    policies.retain(|_, p| p.validity_to.is_none());
    if !caller.scope.unrestricted {
        let family_ids: Vec<i64> = policies.values().map(|p| p.family_id).collect();
        let families = imis_insuree::api::families_by_ids(conn, &family_ids).await?;
        let mut reachable = HashMap::new();
        for (id, f) in &families {
            reachable.insert(*id, caller.scope.allows(conn, Some(f.location_id)).await?);
        }
        policies.retain(|_, p| reachable.get(&p.family_id).copied().unwrap_or(false));
    }
    let mut product_ids: Vec<i64> = policies.values().map(|p| p.product_id).collect();
    product_ids.sort_unstable();
    product_ids.dedup();
    let mut products = HashMap::new();
    for (id, product) in imis_product::api::products_by_ids(conn, &product_ids).await? {
        let seen = imis_product::api::sees_product(conn, caller, product.location_id).await?;
        products.insert(id, seen.then_some(product));
    }
    let mut out: HashMap<i64, Vec<(chrono::NaiveDate, i64, InsureeCoverage)>> = HashMap::new();
    for row in rows {
        let Some(p) = policies.get(&row.policy_id) else {
            continue;
        };
        let product = products.get(&p.product_id).cloned().flatten();
        let coverage = InsureeCoverage {
            id: global_id("InsureePolicyGQLType", row.id),
            enrollment_date: Date(row.enrollment_date),
            start_date: Date(row.start_date),
            effective_date: row.effective_date.map(Date),
            expiry_date: Date(row.expiry_date),
            policy: InsureePolicyPolicy {
                id: global_id("PolicyGQLType", p.id),
                uuid: p.uuid.to_string(),
                status: p.status,
                stage: p.stage.clone(),
                enroll_date: Date(p.enroll_date),
                start_date: Date(p.start_date),
                effective_date: p.effective_date.map(Date),
                expiry_date: Date(p.expiry_date),
                product: product.map(|product| InsureePolicyProduct {
                    id: global_id("ProductGQLType", product.id),
                    uuid: product.uuid.to_string(),
                    code: product.code,
                    name: product.name,
                }),
            },
        };
        out.entry(row.insuree_id)
            .or_default()
            .push((p.enroll_date, p.id, coverage));
    }
    Ok(out
        .into_iter()
        .map(|(insuree, mut list)| {
            list.sort_by_key(|(enrolled, id, _)| std::cmp::Reverse((*enrolled, *id)));
            (insuree, list.into_iter().map(|(_, _, c)| c).collect())
        })
        .collect())
}
