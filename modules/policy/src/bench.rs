//! The policy module's part of `imis bench` (docs/benchmarks.md): the facility desk's request,
//! the enrolment throughput through GraphQL and the expiry job over every policy, run twice.

use futures::future::BoxFuture;
use imis_core::error::{AppError, AppResult};
use imis_core::registry::{BenchContext, BenchRequest};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::collections::BTreeMap;
use std::time::Instant;

/// Families enrolled by the throughput run.
const ENROLMENT_FAMILIES: usize = 1000;

/// The timed request of the facility desk: the insuree, their policies and their eligibility
/// (when an insuree exists).
pub(crate) fn requests(bench: BenchContext) -> BoxFuture<'static, AppResult<Vec<BenchRequest>>> {
    Box::pin(async move {
        let Some(c) = imis_insuree::api::sample_chf_id(&bench.state.db.conn).await? else {
            return Ok(vec![]);
        };
        Ok(vec![BenchRequest {
            label: "facility desk: insuree + policies + eligibility".into(),
            query: format!(
                "{{ insurees(chfId: \"{c}\", ignoreLocation: true) {{ edges {{ node {{ chfId lastName otherNames dob }} }} }} \
                 policiesByInsuree(chfId: \"{c}\", activeOrLastExpiredOnly: true) {{ edges {{ node {{ productCode status startDate expiryDate balance ceiling }} }} }} \
                 policyEligibilityByInsuree(chfId: \"{c}\") {{ prodId totalVisitsLeft totalAdmissionsLeft }} }}"
            ),
            as_admin: true,
        }])
    })
}

/// The whole-operation runs: enrolment throughput, then `policy.expire` over every policy and
/// once again (nothing left to expire).
pub(crate) fn runs(bench: BenchContext) -> BoxFuture<'static, AppResult<Vec<String>>> {
    Box::pin(async move {
        let mut out = vec![];
        enrolment_rate(&bench, ENROLMENT_FAMILIES).await?;
        let state = &bench.state;
        let t = Instant::now();
        let n = crate::jobs::expire_policies(state, state.clock.today()).await?;
        let total = crate::entity::policy::Entity::find()
            .count(&state.db.conn)
            .await?;
        out.push(format!(
            "policy.expire over {total} policies: {n} expired in {:.2} s",
            t.elapsed().as_secs_f64()
        ));
        let t = Instant::now();
        let n = crate::jobs::expire_policies(state, state.clock.today()).await?;
        out.push(format!(
            "policy.expire run again: {n} expired in {:.2} s",
            t.elapsed().as_secs_f64()
        ));
        Ok(out)
    })
}

/// Enrolment throughput through GraphQL, as an enrolment officer's tablet drives it: per family
/// `createFamily`, three `createInsuree`, `createPolicy`, the policy's value (`policies(uuid:)`)
/// and `createPremium` for it (when the payment module is enabled), each mutation with its
/// `clientMutationId`, while the outbox dispatcher delivers the events as in `imis serve`.
/// Prints families per second and the time per operation.
async fn enrolment_rate(bench: &BenchContext, families: usize) -> AppResult<()> {
    let state = &bench.state;
    let conn = &state.db.conn;
    let missing = |what: &str| AppError::not_found(what);
    let village = imis_core::registers::location_id_by_code(conn, "V0001")
        .await?
        .ok_or_else(|| missing("location"))?;
    let officer = imis_core::registers::officer_by_code(conn, "eo_douala")
        .await?
        .ok_or_else(|| missing("officer"))?
        .id;
    let product = imis_product::api::current_product_by_code(conn, "MUT01")
        .await?
        .ok_or_else(|| missing("product"))?
        .id;
    let with_premium = state.enabled.contains("payment");
    // Time spent per operation, to show where enrolment time goes.
    let mut spent: BTreeMap<String, f64> = BTreeMap::new();
    let mut run = async |q: String| -> AppResult<async_graphql::Value> {
        let op = q
            .trim_start_matches(['{', ' '])
            .trim_start_matches("mutation { ")
            .split(['(', ' '])
            .next()
            .unwrap_or("")
            .to_string();
        let started = Instant::now();
        let resp = (bench.execute)(async_graphql::Request::new(q).data(bench.admin.clone())).await;
        *spent.entry(op).or_default() += started.elapsed().as_secs_f64();
        match resp.errors.first() {
            Some(e) => {
                Err(AppError::validation("policy.bench_request_failed").with("message", &e.message))
            }
            None => Ok(resp.data),
        }
    };
    let today = state.clock.today();
    let base = 700_000_000 + (std::process::id() as u64 % 1000) * 10_000;
    let (stop_dispatcher, stopped) = tokio::sync::watch::channel(false);
    let dispatcher = tokio::spawn(imis_core::events::run_dispatcher(state.clone(), stopped));
    let t = Instant::now();
    for f in 0..families as u64 {
        let fam_uuid = uuid::Uuid::now_v7();
        let chf = |k: u64| format!("{}", base + f * 4 + k);
        run(format!(
            r#"mutation {{ createFamily(input: {{ clientMutationId: "{fam_uuid}-f", uuid: "{fam_uuid}", locationId: {village}, familyTypeId: "H", poverty: false, headInsuree: {{ chfId: "{}", lastName: "Ngono", otherNames: "Paul", genderId: "M", dob: "1980-03-04" }} }}) {{ internalId }} }}"#,
            chf(0)
        ))
        .await?;
        let fid = imis_insuree::api::find_family(conn, fam_uuid).await?.id;
        for (k, (name, dob, rel)) in [
            ("Marie", "1984-05-06", 2),
            ("Luc", "2012-07-08", 4),
            ("Anne", "2016-09-10", 4),
        ]
        .iter()
        .enumerate()
        {
            run(format!(
                r#"mutation {{ createInsuree(input: {{ clientMutationId: "{fam_uuid}-i{k}", familyId: {fid}, chfId: "{}", lastName: "Ngono", otherNames: "{name}", genderId: "F", dob: "{dob}", relationshipId: {rel} }}) {{ internalId }} }}"#,
                chf(k as u64 + 1)
            ))
            .await?;
        }
        let pol_uuid = uuid::Uuid::now_v7();
        run(format!(
            r#"mutation {{ createPolicy(input: {{ clientMutationId: "{pol_uuid}-p", uuid: "{pol_uuid}", enrollDate: "{today}", productId: {product}, familyId: {fid}, officerId: {officer} }}) {{ internalId }} }}"#
        ))
        .await?;
        let v = run(format!(
            r#"{{ policies(uuid: "{pol_uuid}") {{ edges {{ node {{ value }} }} }} }}"#
        ))
        .await?;
        let value = v
            .into_json()
            .ok()
            .and_then(|j| {
                j["policies"]["edges"][0]["node"]["value"]
                    .as_str()
                    .map(str::to_string)
            })
            .ok_or_else(|| missing("policy"))?;
        if with_premium {
            run(format!(
                r#"mutation {{ createPremium(input: {{ clientMutationId: "{pol_uuid}-c", policyUuid: "{pol_uuid}", amount: "{value}", receipt: "B{}", payDate: "{today}", payType: "C" }}) {{ internalId }} }}"#,
                base + f
            ))
            .await?;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let _ = stop_dispatcher.send(true);
    let _ = dispatcher.await;
    println!(
        "enrolment (createFamily + 3 createInsuree + createPolicy + value{}): {families} families in {secs:.2} s = {:.0} families/s",
        if with_premium { " + createPremium" } else { "" },
        families as f64 / secs
    );
    for (op, t) in &spent {
        println!(
            "  {op:<38} {:>8.2} ms per family",
            t * 1000.0 / families as f64
        );
    }
    Ok(())
}
