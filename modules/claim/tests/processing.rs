//! `processClaims` through GraphQL, on SQLite and PostgreSQL (D21, D22, D26): a Checked claim is
//! valued with the deductible, co-insurance and ceiling of the product that pays its lines, its
//! amounts and status are stored, the policy's consumption follows (what `policiesByInsuree`
//! shows), claims of one policy processed at the same time book once each, and the refusals:
//! claims that are not Checked, callers without the right, out of their district or facility.
//!
//! One claim goes the whole way (`createClaim`, `submitClaims`, `processClaims`); the others are
//! written here as submission leaves them (lines passed, with the product, policy, price origin
//! and limitation chosen), so that each amount is computed by hand from known lines.

// The composed GraphQL roots nest deeply enough to pass rustc's default query depth.
#![recursion_limit = "256"]

use chrono::NaiveDate;
use imis_core::auth::Principal;
use imis_tests::fixtures::{self, Medical};
use imis_tests::{TestApp, on_each_app, one_i64};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::str::FromStr;

const PROCESS: &str = r#"mutation($cmid: String, $uuids: [String!]!) {
  processClaims(input: { clientMutationId: $cmid, clientMutationLabel: "process", uuids: $uuids }) {
    clientMutationId internalId
  }
}"#;

/// A passed line as submission assigns it: kind (`I`/`S`), medical code, quantity in hundredths,
/// price asked in minor units, price origin, co-insurance in hundredths of a percent.
struct Line {
    kind: Medical,
    code: &'static str,
    qty: i64,
    asked: i64,
    origin: &'static str,
    co_insurance: i64,
}

fn service(code: &'static str, qty: i64, asked: i64) -> Line {
    Line {
        kind: Medical::Service,
        code,
        qty,
        asked,
        origin: "P",
        co_insurance: 8_000,
    }
}

fn item(code: &'static str, qty: i64, asked: i64) -> Line {
    Line {
        kind: Medical::Item,
        ..service(code, qty, asked)
    }
}

/// An insured family: an Active policy of a new national zero-contribution product (so the
/// policy is Active from its creation), enrolled today in Douala.
struct Insured {
    chf_id: String,
    insuree_id: i64,
    product_id: i64,
    policy_id: i64,
    policy_uuid: String,
}

/// Creates the product `code` with `terms` (deductibles and ceilings) covering C0001, C0002 and
/// PARA5 at 80 % co-insurance (C0002 at a relative price), and a family of `chf_id` insured by it.
async fn insured(
    app: &TestApp,
    admin: &Principal,
    code: &str,
    chf_id: &str,
    terms: Value,
) -> Insured {
    let line = |uuid_field: &str, uuid: &str, origin: &str| {
        json!({ uuid_field: uuid, "priceOrigin": origin, "limitationType": "CO_INSURANCE",
            "limitAdult": "80", "limitChild": "80" })
    };
    let (_, para) = fixtures::medical_id(app, Medical::Item, "PARA5").await;
    let (_, consult) = fixtures::medical_id(app, Medical::Service, "C0001").await;
    let (_, specialist) = fixtures::medical_id(app, Medical::Service, "C0002").await;
    let mut extra = terms;
    extra["items"] = json!([line("itemUuid", &para, "PRICELIST")]);
    extra["services"] = json!([
        line("serviceUuid", &consult, "PRICELIST"),
        line("serviceUuid", &specialist, "RELATIVE"),
    ]);
    let input = fixtures::product_input_with_lump_sum(code, "0", extra);
    let product_id = fixtures::create_product_from(app, admin, &input).await;
    let village = fixtures::first_village(app, "D0001").await;
    let family = fixtures::create_family(app, admin, village, chf_id).await;
    let policy_uuid =
        fixtures::create_policy_today(app, admin, family, product_id, "eo_douala").await;
    Insured {
        chf_id: chf_id.to_string(),
        insuree_id: fixtures::insuree_id(app, chf_id).await,
        product_id,
        policy_id: fixtures::policy_id(app, &policy_uuid).await,
        policy_uuid,
    }
}

async fn execute(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    app.state
        .db
        .conn
        .execute_raw(imis_core::db::stmt(app.state.db.backend(), sql, values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Some diagnosis id (the claim's main diagnosis is required).
async fn diagnosis_id(app: &TestApp, admin: &Principal) -> i64 {
    let d = app
        .ok(
            Some(admin),
            "{ diagnoses(first: 1) { edges { node { id } } } }",
        )
        .await;
    let id = d["diagnoses"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("a diagnosis");
    imis_core::graphql::parse_pk(id, "DiagnosisGQLType").expect("diagnosis id")
}

/// Writes a claim of `insured` at `facility` dated today with `status` (4 Checked: its lines
/// passed and assigned to the insured's policy, as submission leaves them); returns its uuid.
async fn claim(
    app: &TestApp,
    admin: &Principal,
    insured: &Insured,
    code: &str,
    facility: &str,
    status: i32,
    lines: &[Line],
) -> String {
    let uuid = uuid::Uuid::now_v7();
    let today: NaiveDate = app.state.clock.today();
    let now = app.state.clock.now();
    let claimed: i64 = lines.iter().map(|l| l.qty * l.asked / 100).sum();
    execute(
        app,
        "INSERT INTO claim_claim (uuid, code, code_search, insuree_id, health_facility_id, date_from, \
         date_claimed, icd_id, visit_type, category, status, review_status, claimed, validity_from) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'O', 'V', ?, 4, ?, ?)",
        vec![
            uuid.into(),
            code.into(),
            code.to_lowercase().into(),
            insured.insuree_id.into(),
            fixtures::facility_id(app, facility).await.into(),
            today.into(),
            today.into(),
            diagnosis_id(app, admin).await.into(),
            status.into(),
            claimed.into(),
            now.into(),
        ],
    )
    .await;
    let claim_id = one_i64(
        app,
        "SELECT id FROM claim_claim WHERE uuid = ?",
        vec![uuid.into()],
    )
    .await;
    for l in lines {
        let (medical_id, _) = fixtures::medical_id(app, l.kind, l.code).await;
        let kind = match l.kind {
            Medical::Item => "I",
            Medical::Service => "S",
        };
        let assigned = status == 4;
        execute(
            app,
            "INSERT INTO claim_detail (uuid, claim_id, kind, medical_id, status, qty_provided, \
             price_asked, product_id, policy_id, price_origin, limitation, limitation_value, \
             rejection_reason, validity_from) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            vec![
                uuid::Uuid::now_v7().into(),
                claim_id.into(),
                kind.into(),
                medical_id.into(),
                l.qty.into(),
                l.asked.into(),
                assigned.then_some(insured.product_id).into(),
                assigned.then_some(insured.policy_id).into(),
                assigned.then_some(l.origin).into(),
                assigned.then_some("C").into(),
                assigned.then_some(l.co_insurance).into(),
                now.into(),
            ],
        )
        .await;
    }
    uuid.to_string()
}

async fn process(app: &TestApp, who: &Principal, cmid: &str, uuids: &[&str]) {
    app.ok_vars(Some(who), PROCESS, json!({ "cmid": cmid, "uuids": uuids }))
        .await;
}

/// The `claim_stats` of the log row of `cmid`.
async fn stats_of(app: &TestApp, admin: &Principal, cmid: &str) -> Value {
    let q = format!(
        r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ edges {{ node {{ jsonExt }} }} }} }}"#
    );
    let r = app.ok(Some(admin), &q).await;
    let ext = r["mutationLogs"]["edges"][0]["node"]["jsonExt"].clone();
    let ext: Value = match ext {
        Value::String(text) => serde_json::from_str(&text).expect("jsonExt"),
        other => other,
    };
    ext["claim_stats"].clone()
}

/// The log row of `cmid`: status and error list (as JSON).
async fn log_of(app: &TestApp, admin: &Principal, cmid: &str) -> (i64, Value) {
    let q = format!(
        r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ edges {{ node {{ status error }} }} }} }}"#
    );
    let r = app.ok(Some(admin), &q).await;
    let node = &r["mutationLogs"]["edges"][0]["node"];
    let errors = node["error"]
        .as_str()
        .map(|e| serde_json::from_str(e).expect("error list"))
        .unwrap_or(Value::Null);
    (node["status"].as_i64().expect("status"), errors)
}

/// A claim's (status, approved, valuated, remunerated, review status, processed today?).
async fn claim_row(app: &TestApp, uuid: &str) -> (i64, i64, i64, i64, i64) {
    let uuid = uuid::Uuid::parse_str(uuid).unwrap();
    let row = app
        .state
        .db
        .conn
        .query_one_raw(imis_core::db::stmt(
            app.state.db.backend(),
            "SELECT status, COALESCE(approved, -1) AS approved, COALESCE(valuated, -1) AS valuated, \
             COALESCE(remunerated, -1) AS remunerated, review_status FROM claim_claim \
             WHERE uuid = ? AND validity_to IS NULL",
            vec![uuid.into()],
        ))
        .await
        .unwrap()
        .expect("claim");
    let get = |c: &str| -> i64 {
        row.try_get::<i64>("", c)
            .or_else(|_| row.try_get::<i32>("", c).map(i64::from))
            .unwrap()
    };
    (
        get("status"),
        get("approved"),
        get("valuated"),
        get("remunerated"),
        get("review_status"),
    )
}

/// Each current line of a claim, items then services: (price adjusted, deductible, exceeded
/// ceiling, valuated, remunerated or −1).
async fn line_rows(app: &TestApp, uuid: &str) -> Vec<[i64; 5]> {
    let uuid = uuid::Uuid::parse_str(uuid).unwrap();
    app.state
        .db
        .conn
        .query_all_raw(imis_core::db::stmt(
            app.state.db.backend(),
            "SELECT d.price_adjusted, d.deductable_amount, d.exceed_ceiling_amount, d.price_valuated, \
             COALESCE(d.remunerated_amount, -1) AS remunerated FROM claim_detail d \
             JOIN claim_claim c ON c.id = d.claim_id \
             WHERE c.uuid = ? AND c.validity_to IS NULL AND d.validity_to IS NULL ORDER BY d.kind, d.id",
            vec![uuid.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let v = |i: usize| r.try_get_by_index::<i64>(i).unwrap();
            [v(0), v(1), v(2), v(3), v(4)]
        })
        .collect()
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("a decimal, got {v}"))).unwrap()
}

async fn claim_id(app: &TestApp, uuid: &str) -> i64 {
    let uuid = uuid::Uuid::parse_str(uuid).unwrap();
    one_i64(
        app,
        "SELECT id FROM claim_claim WHERE uuid = ? AND validity_to IS NULL",
        vec![uuid.into()],
    )
    .await
}

#[tokio::test]
async fn processing_values_lines_books_consumption_and_updates_balances() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        // Policy-level deductible 1000 and ceiling 3000 (XAF, 2 minor digits); the hospital HD0001
        // makes every claim an in-patient one (ceiling interpretation by facility level, the
        // default).
        let ins = insured(
            &app,
            &admin,
            "PRC1",
            "931000001",
            json!({ "ceilingType": "POLICY", "deductible": "1000", "ceiling": "3000" }),
        )
        .await;
        // PARA5: 20 × 10 = 200, all deductible (paid 0, no co-insurance).
        // C0001 at its price-list price 1500 (not the 2000 asked, nor its register price 2000):
        // 800 deductible left, (1500 − 800) × 80 % = 560.
        let first = claim(
            &app,
            &admin,
            &ins,
            "PRC-1",
            "HD0001",
            4,
            &[item("PARA5", 2_000, 1_200), service("C0001", 100, 200_000)],
        )
        .await;
        // 3 × 1500 × 80 % = 3600; the ceiling leaves 3000 − 560 = 2440.
        let second = claim(
            &app,
            &admin,
            &ins,
            "PRC-2",
            "HD0001",
            4,
            &[service("C0001", 300, 150_000)],
        )
        .await;
        // The first claim's feedback is Selected, with its prompt open.
        let first_id = claim_id(&app, &first).await;
        execute(
            &app,
            "UPDATE claim_claim SET feedback_status = 4 WHERE id = ?",
            vec![first_id.into()],
        )
        .await;
        execute(
            &app,
            "INSERT INTO claim_feedback_prompt (uuid, claim_id, feedback_prompt_date, validity_from) \
             VALUES (?, ?, ?, ?)",
            vec![
                uuid::Uuid::now_v7().into(),
                first_id.into(),
                app.state.clock.today().into(),
                app.state.clock.now().into(),
            ],
        )
        .await;
        process(&app, &admin, "prc-1", &[&first, &second]).await;
        assert_eq!(log_of(&app, &admin, "prc-1").await.0, 2);

        assert_eq!(
            line_rows(&app, &first).await,
            vec![[1_000, 20_000, 0, 0, 0], [150_000, 80_000, 0, 56_000, 56_000]]
        );
        // Approved = 20 × 10 + 1 × 1500; review Selected (4) becomes Bypassed (16).
        assert_eq!(claim_row(&app, &first).await, (16, 170_000, 56_000, 56_000, 16));
        assert_eq!(
            line_rows(&app, &second).await,
            vec![[150_000, 0, 116_000, 244_000, 244_000]]
        );
        assert_eq!(claim_row(&app, &second).await, (16, 450_000, 244_000, 244_000, 16));

        // Feedback bypassed too, its prompt ended.
        let open_prompts = format!("claim_id = {first_id} AND validity_to IS NULL");
        assert_eq!(app.count("claim_feedback_prompt", &open_prompts).await, 0);
        let bypassed = format!("id = {first_id} AND feedback_status = 16 AND validity_to IS NULL");
        assert_eq!(app.count("claim_claim", &bypassed).await, 1);
        // New versions (D7), one event per claim.
        assert_eq!(app.history_count("claim_claim", Some(first_id)).await, 1);
        assert_eq!(
            app.outbox_count("claim.valuated", Some(&format!("\"claimId\":{first_id}")))
                .await,
            1
        );

        // One consumption row per claim; the balances show what was consumed.
        let p = app
            .ok(
                Some(&admin),
                &format!(
                    r#"{{ policies(uuid: "{}") {{ edges {{ node {{ claimDedRems {{ totalCount edges {{ node {{ dedG remG dedIp remIp }} }} }} }} }} }} }}"#,
                    ins.policy_uuid
                ),
            )
            .await;
        let rows = &p["policies"]["edges"][0]["node"]["claimDedRems"];
        assert_eq!(rows["totalCount"], 2);
        let mut ded: Vec<Decimal> = rows["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| dec(&e["node"]["dedIp"]))
            .collect();
        ded.sort();
        assert_eq!(ded, vec![Decimal::ZERO, Decimal::from(1_000)]);
        let b = app
            .ok(
                Some(&admin),
                &format!(
                    r#"{{ policiesByInsuree(chfId: "{}") {{ edges {{ node {{ ded ceiling }} }} }} }}"#,
                    ins.chf_id
                ),
            )
            .await;
        let node = &b["policiesByInsuree"]["edges"][0]["node"];
        assert_eq!(dec(&node["ded"]), Decimal::from(1_000));
        assert_eq!(dec(&node["ceiling"]), Decimal::ZERO);

        // A replay answers the stored outcome and writes nothing.
        process(&app, &admin, "prc-1", &[&first, &second]).await;
        assert_eq!(app.history_count("claim_claim", Some(first_id)).await, 1);
        // Processed twice? A processed claim is not Checked any more.
        process(&app, &admin, "prc-1-again", &[&first]).await;
        let (status, errors) = log_of(&app, &admin, "prc-1-again").await;
        assert_eq!(status, 1);
        assert_eq!(errors[0]["code"], "claim.not_checked");
        assert_eq!(claim_row(&app, &first).await.2, 56_000);
    })
    .await;
}

const CREATE: &str =
    r#"mutation($i: CreateClaimMutationInput!) { createClaim(input: $i) { internalId } }"#;
const SUBMIT: &str = r#"mutation($cmid: String, $uuids: [String]) {
  submitClaims(input: { clientMutationId: $cmid, clientMutationLabel: "submit", uuids: $uuids }) {
    internalId
  }
}"#;

/// The deductible consumed and the out-patient ceiling left of the insured's policy, as the
/// facility desk sees them.
async fn balances(app: &TestApp, admin: &Principal, chf_id: &str) -> (Decimal, Decimal) {
    let b = app
        .ok(
            Some(admin),
            &format!(
                r#"{{ policiesByInsuree(chfId: "{chf_id}") {{ edges {{ node {{ ded ceilingOutPatient }} }} }} }}"#
            ),
        )
        .await;
    let node = &b["policiesByInsuree"]["edges"][0]["node"];
    (dec(&node["ded"]), dec(&node["ceilingOutPatient"]))
}

#[tokio::test]
async fn entered_submitted_then_processed_claims_book_their_consumption_once() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        // Out-patient terms per insuree at a health centre (level C): deductible 500, ceiling 2000.
        let ins = insured(
            &app,
            &admin,
            "PRC6",
            "931000006",
            json!({ "ceilingType": "INSUREE", "deductibleOp": "500", "ceilingOp": "2000" }),
        )
        .await;
        let (para, _) = fixtures::medical_id(&app, Medical::Item, "PARA5").await;
        let (consult, _) = fixtures::medical_id(&app, Medical::Service, "C0001").await;
        let uuid = fixtures::new_uuid();
        let today = fixtures::today_string(&app);
        app.ok_vars(
            Some(&admin),
            CREATE,
            json!({ "i": { "uuid": uuid, "code": "PRC-E2E", "insureeId": ins.insuree_id,
                "dateFrom": today, "dateClaimed": today, "icdId": diagnosis_id(&app, &admin).await,
                "healthFacilityId": fixtures::facility_id(&app, "CS0001").await,
                "items": [{ "itemId": para, "status": 1, "qtyProvided": "30", "priceAsked": "10" }],
                "services": [{ "serviceId": consult, "status": 1, "qtyProvided": "2", "priceAsked": "1500",
                    "explanation": "deux consultations" }] } }),
        )
        .await;
        app.ok_vars(
            Some(&admin),
            SUBMIT,
            json!({ "cmid": "prc-e2e-submit", "uuids": [uuid] }),
        )
        .await;
        assert_eq!(claim_row(&app, &uuid).await.0, 4, "checked");
        // Submission booked: PARA5 30 × 10 = 300 all deductible; C0001 2 × 1500 = 3000, 200
        // deductible left, (3000 − 200) × 80 % = 2240, cut to the ceiling of 2000.
        assert_eq!(
            balances(&app, &admin, &ins.chf_id).await,
            (Decimal::from(500), Decimal::ZERO)
        );
        process(&app, &admin, "prc-e2e", &[&uuid]).await;
        assert_eq!(
            line_rows(&app, &uuid).await,
            vec![[1_000, 30_000, 0, 0, 0], [150_000, 20_000, 24_000, 200_000, 200_000]]
        );
        assert_eq!(claim_row(&app, &uuid).await, (16, 330_000, 200_000, 200_000, 1));
        // Processing booked again: still one row for the claim, the same amounts.
        assert_eq!(
            balances(&app, &admin, &ins.chf_id).await,
            (Decimal::from(500), Decimal::ZERO)
        );
        let consumed = imis_policy::api::previous_consumption(
            &app.state.db.conn,
            &[ins.policy_id],
            ins.insuree_id,
            0,
        )
        .await
        .unwrap()
        .remove(&ins.policy_id)
        .unwrap();
        assert_eq!(
            (consumed.insuree.ded_op, consumed.insuree.rem_op, consumed.insuree.rem_ip),
            (50_000, 200_000, 0)
        );
    })
    .await;
}

#[tokio::test]
async fn relative_price_lines_leave_the_claim_processed_until_the_batch() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(&app, &admin, "PRC2", "931000002", json!({})).await;
        let mut relative = service("C0002", 100, 500_000);
        relative.origin = "R";
        // C0002 at 5000 × 80 % = 4000 valuated, not remunerated; C0001 1500 × 80 % = 1200.
        let uuid = claim(
            &app,
            &admin,
            &ins,
            "PRC-R",
            "CS0001",
            4,
            &[service("C0001", 100, 150_000), relative],
        )
        .await;
        process(&app, &admin, "prc-r", &[&uuid]).await;
        assert_eq!(
            line_rows(&app, &uuid).await,
            vec![
                [150_000, 0, 0, 120_000, 120_000],
                [500_000, 0, 0, 400_000, -1]
            ]
        );
        assert_eq!(
            stats_of(&app, &admin, "prc-r").await,
            json!({ "submitted": 1, "processed": 1, "valuated": 0, "rejected": 0 })
        );
        // Processed (8): valuated 5200, remunerated 1200 until the batch run.
        assert_eq!(
            claim_row(&app, &uuid).await,
            (8, 650_000, 520_000, 120_000, 16)
        );
        let id = claim_id(&app, &uuid).await;
        assert_eq!(
            app.outbox_count("claim.processed", Some(&format!("\"claimId\":{id}")))
                .await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn claims_that_are_not_checked_are_refused_one_by_one() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(&app, &admin, "PRC3", "931000003", json!({})).await;
        let entered = claim(
            &app,
            &admin,
            &ins,
            "PRC-E",
            "CS0001",
            2,
            &[service("C0001", 100, 150_000)],
        )
        .await;
        let checked = claim(
            &app,
            &admin,
            &ins,
            "PRC-C",
            "CS0001",
            4,
            &[service("C0001", 100, 150_000)],
        )
        .await;
        process(&app, &admin, "prc-mixed", &[&entered, &checked]).await;
        let (status, errors) = log_of(&app, &admin, "prc-mixed").await;
        assert_eq!(status, 1);
        assert_eq!(errors.as_array().unwrap().len(), 1);
        assert_eq!(errors[0]["code"], "claim.not_checked");
        assert_eq!(errors[0]["detail"], entered.as_str());
        assert_eq!(
            stats_of(&app, &admin, "prc-mixed").await,
            json!({ "submitted": 2, "processed": 0, "valuated": 1, "rejected": 1 })
        );
        // The Entered claim is untouched, the Checked one processed.
        assert_eq!(claim_row(&app, &entered).await, (2, -1, -1, -1, 4));
        assert_eq!(claim_row(&app, &checked).await.0, 16);
        let id = claim_id(&app, &entered).await;
        assert_eq!(app.history_count("claim_claim", Some(id)).await, 0);
        let consumed = imis_policy::api::previous_consumption(
            &app.state.db.conn,
            &[ins.policy_id],
            ins.insuree_id,
            id,
        )
        .await
        .unwrap();
        // Only the processed claim booked: 1500 × 80 %.
        assert_eq!(consumed[&ins.policy_id].policy.rem_g, 120_000);
    })
    .await;
}

#[tokio::test]
async fn callers_need_the_right_and_the_claim_in_their_scope() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(&app, &admin, "PRC4", "931000004", json!({})).await;
        // DS0001 lies in the second district, CS0001 in the first.
        let far = claim(
            &app,
            &admin,
            &ins,
            "PRC-F",
            "DS0001",
            4,
            &[service("C0001", 100, 150_000)],
        )
        .await;
        let near = claim(
            &app,
            &admin,
            &ins,
            "PRC-N",
            "CS0001",
            4,
            &[service("C0001", 100, 150_000)],
        )
        .await;
        // Without 111011.
        let searcher = fixtures::principal_with_rights(&app, "clerk", &[111_001]).await;
        let code = app
            .err_code_vars(
                Some(&searcher),
                PROCESS,
                json!({ "cmid": "prc-no-right", "uuids": [near] }),
            )
            .await;
        assert_eq!(code, "auth.permission_denied");
        // A processor of the first district cannot reach the second district's facility.
        let clerk = fixtures::principal_with_rights(&app, "clerk", &[111_011]).await;
        process(&app, &clerk, "prc-far", &[&far]).await;
        let (status, errors) = log_of(&app, &admin, "prc-far").await;
        assert_eq!(status, 1);
        assert_eq!(errors[0]["code"], "not_found");
        // The claim administrator of HD0001 cannot reach CS0001's claims.
        let hd_admin = fixtures::principal_with_rights(&app, "claimadmin", &[111_011]).await;
        process(&app, &hd_admin, "prc-other-hf", &[&near]).await;
        let (status, errors) = log_of(&app, &admin, "prc-other-hf").await;
        assert_eq!(status, 1);
        assert_eq!(errors[0]["code"], "not_found");
        for uuid in [&far, &near] {
            assert_eq!(claim_row(&app, uuid).await.0, 4, "untouched");
        }
        // In scope, it works.
        process(&app, &clerk, "prc-near", &[&near]).await;
        assert_eq!(claim_row(&app, &near).await.0, 16);
    })
    .await;
}

#[tokio::test]
async fn claims_of_one_policy_processed_at_the_same_time_book_once_each() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        // A policy deductible of 1000: two claims of 1500 share it; had both read the
        // consumption before either booked, each would deduct 1000.
        let ins = insured(
            &app,
            &admin,
            "PRC5",
            "931000005",
            json!({ "ceilingType": "POLICY", "deductible": "1000" }),
        )
        .await;
        let a = claim(
            &app,
            &admin,
            &ins,
            "PRC-A",
            "CS0001",
            4,
            &[service("C0001", 100, 150_000)],
        )
        .await;
        let b = claim(
            &app,
            &admin,
            &ins,
            "PRC-B",
            "CS0001",
            4,
            &[service("C0001", 100, 150_000)],
        )
        .await;
        let (ra, rb) = tokio::join!(
            app.exec_vars(
                Some(&admin),
                PROCESS,
                json!({ "cmid": "prc-a", "uuids": [a] })
            ),
            app.exec_vars(
                Some(&admin),
                PROCESS,
                json!({ "cmid": "prc-b", "uuids": [b] })
            ),
        );
        assert!(
            ra.errors.is_empty() && rb.errors.is_empty(),
            "{:?} {:?}",
            ra.errors,
            rb.errors
        );
        for cmid in ["prc-a", "prc-b"] {
            assert_eq!(log_of(&app, &admin, cmid).await.0, 2, "{cmid}");
        }
        let (id_a, id_b) = (claim_id(&app, &a).await, claim_id(&app, &b).await);
        let of = |except: i64| {
            let app = &app;
            let ins = &ins;
            async move {
                imis_policy::api::previous_consumption(
                    &app.state.db.conn,
                    &[ins.policy_id],
                    ins.insuree_id,
                    except,
                )
                .await
                .unwrap()
                .remove(&ins.policy_id)
                .unwrap()
                .policy
            }
        };
        // Without one claim's rows, the other's: together exactly the deductible, once.
        let (only_b, only_a) = (of(id_a).await, of(id_b).await);
        assert_eq!(only_a.ded_g + only_b.ded_g, 100_000);
        let mut valuated = [claim_row(&app, &a).await.2, claim_row(&app, &b).await.2];
        valuated.sort();
        // The first booked: (1500 − 1000) × 80 % = 400; the second: 1500 × 80 % = 1200.
        assert_eq!(valuated, [40_000, 120_000]);
        assert_eq!(only_a.rem_g + only_b.rem_g, 160_000);
    })
    .await;
}

#[tokio::test]
async fn two_members_submitted_at_the_same_time_book_their_policy_once_each() {
    // SQLite has a single writer: the two submissions cannot overlap there.
    imis_tests::on_each_db(|db: imis_tests::TestDb| async move {
        if db.backend == imis_tests::Backend::Sqlite {
            return db;
        }
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        // A policy deductible of 1000 shared by the family: two claims of 1500 at the health
        // centre; had both read the consumption before either booked, each would deduct 1000.
        let head = insured(
            &app,
            &admin,
            "PRC7",
            "931000007",
            json!({ "ceilingType": "POLICY", "deductible": "1000" }),
        )
        .await;
        let family = fixtures::family_id_of_head(&app, &head.chf_id).await;
        let member_chf = "931000008";
        app.ok(
            Some(&admin),
            &format!(
                r#"mutation {{ createInsuree(input: {{ familyId: {family}, chfId: "{member_chf}", lastName: "Membre", otherNames: "Seconde", genderId: "F", dob: "1990-01-01", relationshipId: 2 }}) {{ internalId }} }}"#
            ),
        )
        .await;
        let member = Insured {
            chf_id: member_chf.to_string(),
            insuree_id: fixtures::insuree_id(&app, member_chf).await,
            product_id: head.product_id,
            policy_id: head.policy_id,
            policy_uuid: head.policy_uuid.clone(),
        };
        let consult = [service("C0001", 100, 150_000)];
        let a = claim(&app, &admin, &head, "PRC-F1", "CS0001", 2, &consult).await;
        let b = claim(&app, &admin, &member, "PRC-F2", "CS0001", 2, &consult).await;
        let (ra, rb) = tokio::join!(
            app.exec_vars(Some(&admin), SUBMIT, json!({ "cmid": "prc-f1", "uuids": [a] })),
            app.exec_vars(Some(&admin), SUBMIT, json!({ "cmid": "prc-f2", "uuids": [b] })),
        );
        assert!(
            ra.errors.is_empty() && rb.errors.is_empty(),
            "{:?} {:?}",
            ra.errors,
            rb.errors
        );
        for cmid in ["prc-f1", "prc-f2"] {
            assert_eq!(log_of(&app, &admin, cmid).await.0, 2, "{cmid}");
        }
        assert_eq!(claim_row(&app, &a).await.0, 4);
        assert_eq!(claim_row(&app, &b).await.0, 4);
        let consumed = |insuree: i64, except: i64| {
            let app = &app;
            let policy = head.policy_id;
            async move {
                imis_policy::api::previous_consumption(
                    &app.state.db.conn,
                    &[policy],
                    insuree,
                    except,
                )
                .await
                .unwrap()
                .remove(&policy)
                .unwrap()
            }
        };
        let (id_a, id_b) = (claim_id(&app, &a).await, claim_id(&app, &b).await);
        // Each claim's rows are its insuree's, and all the policy's rows are those two.
        let all = consumed(head.insuree_id, 0).await;
        let only_a = consumed(head.insuree_id, id_b).await.policy;
        let only_b = consumed(member.insuree_id, id_a).await.policy;
        assert_eq!(all.insuree, only_a);
        assert_eq!(consumed(member.insuree_id, 0).await.insuree, only_b);
        assert_eq!(all.policy.ded_g, only_a.ded_g + only_b.ded_g);
        assert_eq!(all.policy.rem_g, only_a.rem_g + only_b.rem_g);
        // The deductible once: (1500 − 1000) × 80 % = 400 for the first booked, 1500 × 80 % =
        // 1200 for the other.
        assert_eq!(all.policy.ded_g, 100_000);
        let mut deducted = [only_a.ded_g, only_b.ded_g];
        deducted.sort();
        assert_eq!(deducted, [0, 100_000]);
        let mut remunerated = [only_a.rem_g, only_b.rem_g];
        remunerated.sort();
        assert_eq!(remunerated, [40_000, 120_000]);
        db
    })
    .await;
}
