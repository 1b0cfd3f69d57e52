//! The claim module's part of `imis bench` (docs/benchmarks.md): a facility's page of claims and
//! one claim entered through `createClaim` (timed requests), then the throughput of a national
//! day of claims: 40,000 new claims of 3 lines each submitted through `submitClaims`, then the
//! Checked ones processed through `processClaims`, 500 claims per call as the front end's bulk
//! actions send them.

use crate::scale::{Ingredients, insert_claims};
use futures::future::BoxFuture;
use imis_core::error::{AppError, AppResult};
use imis_core::registry::{BenchContext, BenchRequest};
use imis_insuree::api::Rng;
use sea_orm::ConnectionTrait;
use std::time::Instant;

/// New claims of the throughput run, and the claims each bulk call carries.
const DAY_OF_CLAIMS: usize = 40_000;
const PER_CALL: usize = 500;

pub(crate) fn requests(bench: BenchContext) -> BoxFuture<'static, AppResult<Vec<BenchRequest>>> {
    Box::pin(async move {
        let conn = &bench.state.db.conn;
        let b = conn.get_database_backend();
        let Some(row) = conn
            .query_one_raw(imis_core::db::stmt(
                b,
                "SELECT c.health_facility_id, c.insuree_id, c.icd_id, d.kind, d.medical_id FROM claim_claim c JOIN claim_detail d ON d.claim_id = c.id WHERE c.validity_to IS NULL ORDER BY c.id DESC LIMIT 1",
                vec![],
            ))
            .await?
        else {
            return Ok(vec![]);
        };
        let hf: i64 = row.try_get_by_index(0)?;
        let insuree: i64 = row.try_get_by_index(1)?;
        let icd: i64 = row.try_get_by_index(2)?;
        let kind: String = row.try_get_by_index(3)?;
        let medical: i64 = row.try_get_by_index(4)?;
        let hf_uuid = imis_core::registers::health_facility_by_id(conn, hf)
            .await?
            .ok_or_else(|| AppError::not_found("health facility"))?
            .uuid;
        let today = bench.state.clock.today();
        let line = if kind == "I" {
            format!(
                "items: [{{ itemId: {medical}, status: 1, qtyProvided: \"1\", priceAsked: \"1000\" }}]"
            )
        } else {
            format!(
                "services: [{{ serviceId: {medical}, status: 1, qtyProvided: \"1\", priceAsked: \"1000\" }}]"
            )
        };
        Ok(vec![
            BenchRequest {
                label: "claims page of 50 (facility, insuree)".into(),
                query: format!(
                    "{{ claims(healthFacility_Uuid: \"{hf_uuid}\", orderBy: [\"-dateClaimed\"], first: 50) {{ totalCount edges {{ node {{ uuid code dateClaimed status claimed approved healthFacility {{ id uuid name code }} insuree {{ id uuid chfId lastName otherNames dob }} }} }} }} }}"
                ),
                as_admin: true,
            },
            BenchRequest {
                label: "createClaim (one line)".into(),
                query: format!(
                    "mutation {{ createClaim(input: {{ autogenerate: true, code: \"AUTO\", insureeId: {insuree}, healthFacilityId: {hf}, icdId: {icd}, dateFrom: \"{today}\", dateClaimed: \"{today}\", {line} }}) {{ internalId }} }}"
                ),
                as_admin: true,
            },
        ])
    })
}

/// The throughput of a day of claims: submit, then process.
pub(crate) fn runs(bench: BenchContext) -> BoxFuture<'static, AppResult<Vec<String>>> {
    Box::pin(async move {
        let state = &bench.state;
        let conn = &state.db.conn;
        let ingredients = Ingredients::load(conn).await?;
        let mut rng = Rng::new(0xc1a1_da7e);
        let today = state.clock.today();
        let mut insurees = vec![];
        let mut after = 0;
        while insurees.len() < DAY_OF_CLAIMS {
            let families: Vec<i64> = imis_insuree::api::families_page(conn, after, 500, None)
                .await?
                .into_iter()
                .map(|f| f.id)
                .collect();
            let Some(last) = families.last().copied() else {
                break;
            };
            after = last;
            let members = imis_insuree::api::members_by_family(conn, &families, true).await?;
            insurees.extend(members.values().flatten().map(|m| m.id));
        }
        if insurees.is_empty() {
            return Ok(vec![]);
        }
        let claims: Vec<_> = (0..DAY_OF_CLAIMS)
            .map(|i| {
                let date = today - chrono::Duration::days(rng.below(10) as i64);
                ingredients.entered(&mut rng, insurees[i % insurees.len()], date, 3)
            })
            .collect();
        let tx = state.db.begin_write().await?;
        let written = insert_claims(&*tx, &claims, state.clock.now()).await?;
        tx.commit().await?;
        let uuids: Vec<String> = written.iter().map(|(_, u)| u.to_string()).collect();
        let mut out = vec![];
        let t = Instant::now();
        bulk(&bench, "submitClaims", &uuids).await?;
        let submitted = t.elapsed().as_secs_f64();
        let checked = uuids_with_status(conn, &written, crate::service::STATUS_CHECKED).await?;
        out.push(format!(
            "submitClaims: {} claims of 3 lines in {submitted:.2} s ({:.0} claims/s), {} checked",
            uuids.len(),
            uuids.len() as f64 / submitted,
            checked.len()
        ));
        let t = Instant::now();
        bulk(&bench, "processClaims", &checked).await?;
        let processed = t.elapsed().as_secs_f64();
        out.push(format!(
            "processClaims: {} claims in {processed:.2} s ({:.0} claims/s)",
            checked.len(),
            checked.len() as f64 / processed.max(f64::EPSILON)
        ));
        Ok(out)
    })
}

/// Sends `mutation` for `uuids`, `PER_CALL` claims per call.
async fn bulk(bench: &BenchContext, mutation: &str, uuids: &[String]) -> AppResult<()> {
    for chunk in uuids.chunks(PER_CALL) {
        let list = chunk
            .iter()
            .map(|u| format!("\"{u}\""))
            .collect::<Vec<_>>()
            .join(",");
        let q = format!(
            "mutation {{ {mutation}(input: {{ clientMutationId: \"{}\", uuids: [{list}] }}) {{ internalId }} }}",
            uuid::Uuid::now_v7()
        );
        let resp = (bench.execute)(async_graphql::Request::new(q).data(bench.admin.clone())).await;
        if let Some(e) = resp.errors.first() {
            return Err(
                AppError::validation("claim.bench_request_failed").with("message", &e.message)
            );
        }
    }
    Ok(())
}

/// Of the claims written, the uuids of those now in `status`.
async fn uuids_with_status(
    conn: &impl ConnectionTrait,
    written: &[(i64, uuid::Uuid)],
    status: i32,
) -> AppResult<Vec<String>> {
    let b = conn.get_database_backend();
    let mut out = vec![];
    for chunk in written.chunks(500) {
        let ids = imis_core::text::ids_sql(chunk.iter().map(|(id, _)| *id));
        for row in conn
            .query_all_raw(imis_core::db::stmt(
                b,
                &format!(
                    "SELECT uuid FROM claim_claim WHERE id IN ({ids}) AND status = ? AND validity_to IS NULL"
                ),
                vec![status.into()],
            ))
            .await?
        {
            out.push(row.try_get::<uuid::Uuid>("", "uuid")?.to_string());
        }
    }
    Ok(out)
}
