//! `submitClaims` through GraphQL on the demo data, on SQLite and PostgreSQL (D20, D26): a
//! covered claim becomes Checked with its products and approved amount; the claim-level reasons
//! (9, 7, 3) and line-level reasons (2, 10, 4, 17, 3) end to end; maximum provisions cut then
//! refuse in (dateClaimed, id) order; a category maximum rejects the whole claim; the
//! explanations in English and French; a replay changes nothing; callers without the right, of
//! another district or of another facility change nothing either.
//!
//! The entered claims are written here as entry leaves them (status 2, lines passed), so that
//! each submission starts from known lines.

// The composed GraphQL roots nest deeply enough to pass rustc's default query depth.
#![recursion_limit = "256"]

use chrono::{Days, Months, NaiveDate};
use imis_core::auth::Principal;
use imis_tests::fixtures::{self, Medical};
use imis_tests::{TestApp, on_each_app, one_i64};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const SUBMIT: &str = r#"mutation($cmid: String, $uuids: [String]) {
  submitClaims(input: { clientMutationId: $cmid, clientMutationLabel: "submit", uuids: $uuids }) {
    clientMutationId internalId
  }
}"#;

const SUBMIT_FILTERED: &str = r#"mutation($cmid: String, $uuids: [String], $filters: String) {
  submitClaims(input: { clientMutationId: $cmid, clientMutationLabel: "submit", uuids: $uuids,
    additionalFilters: $filters }) { clientMutationId internalId }
}"#;

/// An insured family: a national zero-contribution product (its policies are Active from their
/// creation) covering the given items and services at 80 %, a family of Douala insured by it
/// from today.
struct Insured {
    insuree_id: i64,
    family_id: i64,
    product_id: i64,
    policy_id: i64,
    policy_uuid: String,
}

/// Creates the product `code` (with `terms`) covering `items` and `services` (code, extra line
/// fields such as a waiting period or a maximum number of provisions), and a family of `chf_id`
/// insured by it.
async fn insured(
    app: &TestApp,
    admin: &Principal,
    code: &str,
    chf_id: &str,
    terms: Value,
    items: &[(&str, Value)],
    services: &[(&str, Value)],
) -> Insured {
    let lines = |kind: Medical, field: &str, wanted: &[(&str, Value)]| {
        let field = field.to_string();
        let wanted: Vec<(String, Value)> = wanted
            .iter()
            .map(|(c, v)| (c.to_string(), v.clone()))
            .collect();
        async move {
            let mut out = vec![];
            for (medical, extra) in wanted {
                let (_, uuid) = fixtures::medical_id(app, kind, &medical).await;
                let mut line = json!({ field.clone(): uuid, "priceOrigin": "PRICELIST",
                    "limitationType": "CO_INSURANCE", "limitAdult": "80", "limitChild": "80" });
                for (k, v) in extra.as_object().expect("line extras") {
                    line[k] = v.clone();
                }
                out.push(line);
            }
            out
        }
    };
    let mut extra = terms;
    extra["items"] = json!(lines(Medical::Item, "itemUuid", items).await);
    extra["services"] = json!(lines(Medical::Service, "serviceUuid", services).await);
    let input = fixtures::product_input_with_lump_sum(code, "0", extra);
    let product_id = fixtures::create_product_from(app, admin, &input).await;
    let family_id = uninsured(app, admin, chf_id).await;
    let policy_uuid =
        fixtures::create_policy_today(app, admin, family_id, product_id, "eo_douala").await;
    Insured {
        insuree_id: fixtures::insuree_id(app, chf_id).await,
        family_id,
        product_id,
        policy_id: fixtures::policy_id(app, &policy_uuid).await,
        policy_uuid,
    }
}

/// A family of Douala without any policy; returns its id.
async fn uninsured(app: &TestApp, admin: &Principal, chf_id: &str) -> i64 {
    let village = fixtures::first_village(app, "D0001").await;
    fixtures::create_family(app, admin, village, chf_id).await
}

/// A line as entry writes it: quantity in hundredths, price asked in minor units.
struct Line {
    kind: Medical,
    code: &'static str,
    qty: i64,
    asked: i64,
}

fn item(code: &'static str, qty: i64, asked: i64) -> Line {
    Line {
        kind: Medical::Item,
        code,
        qty,
        asked,
    }
}

fn service(code: &'static str, qty: i64, asked: i64) -> Line {
    Line {
        kind: Medical::Service,
        code,
        qty,
        asked,
    }
}

/// The dates of a claim: from, to, claimed.
struct Dates(NaiveDate, Option<NaiveDate>, NaiveDate);

fn today(app: &TestApp) -> Dates {
    let t = app.state.clock.today();
    Dates(t, None, t)
}

async fn execute(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    app.state
        .db
        .conn
        .execute_raw(imis_core::db::stmt(app.state.db.backend(), sql, values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Some diagnosis id (a claim's main diagnosis is required).
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

/// Writes an entered claim of insuree `insuree_id` at `facility`; returns its uuid.
async fn entered(
    app: &TestApp,
    admin: &Principal,
    insuree_id: i64,
    code: &str,
    facility: &str,
    Dates(from, to, claimed): Dates,
    lines: &[Line],
) -> String {
    let uuid = uuid::Uuid::now_v7();
    let now = app.state.clock.now();
    let total: i64 = lines.iter().map(|l| l.qty * l.asked / 100).sum();
    execute(
        app,
        "INSERT INTO claim_claim (uuid, code, code_search, insuree_id, health_facility_id, date_from, \
         date_to, date_claimed, icd_id, visit_type, status, claimed, validity_from) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'O', 2, ?, ?)",
        vec![
            uuid.into(),
            code.into(),
            code.to_lowercase().into(),
            insuree_id.into(),
            fixtures::facility_id(app, facility).await.into(),
            from.into(),
            to.into(),
            claimed.into(),
            diagnosis_id(app, admin).await.into(),
            total.into(),
            now.into(),
        ],
    )
    .await;
    let claim_id = claim_id(app, &uuid.to_string()).await;
    for l in lines {
        let (medical_id, _) = fixtures::medical_id(app, l.kind, l.code).await;
        let kind = match l.kind {
            Medical::Item => "I",
            Medical::Service => "S",
        };
        execute(
            app,
            "INSERT INTO claim_detail (uuid, claim_id, kind, medical_id, status, qty_provided, \
             price_asked, validity_from) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
            vec![
                uuid::Uuid::now_v7().into(),
                claim_id.into(),
                kind.into(),
                medical_id.into(),
                l.qty.into(),
                l.asked.into(),
                now.into(),
            ],
        )
        .await;
    }
    uuid.to_string()
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

async fn submit(app: &TestApp, who: &Principal, cmid: &str, uuids: &[&str]) {
    app.ok_vars(Some(who), SUBMIT, json!({ "cmid": cmid, "uuids": uuids }))
        .await;
}

/// The log row of `cmid`: status and the codes of its errors.
async fn log_of(app: &TestApp, admin: &Principal, cmid: &str) -> (i64, Vec<String>) {
    let q = format!(
        r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ edges {{ node {{ status error }} }} }} }}"#
    );
    let r = app.ok(Some(admin), &q).await;
    let node = &r["mutationLogs"]["edges"][0]["node"];
    let codes = node["error"]
        .as_str()
        .map(|e| serde_json::from_str::<Vec<Value>>(e).expect("error list"))
        .unwrap_or_default()
        .iter()
        .map(|e| e["code"].as_str().unwrap_or_default().to_string())
        .collect();
    (node["status"].as_i64().expect("status"), codes)
}

/// The `claim_stats` of the log row of `cmid` (its `jsonExt`).
async fn stats_of(app: &TestApp, admin: &Principal, cmid: &str) -> Value {
    let q = format!(
        r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ edges {{ node {{ jsonExt }} }} }} }}"#
    );
    let r = app.ok(Some(admin), &q).await;
    let ext = &r["mutationLogs"]["edges"][0]["node"]["jsonExt"];
    let ext: Value = match ext.as_str() {
        Some(text) => serde_json::from_str(text).expect("jsonExt"),
        None => ext.clone(),
    };
    ext["claim_stats"].clone()
}

/// A claim as stored: status, claim-level reason, category, approved (minor units, −1 = none),
/// submitted (stamp set).
#[derive(Debug, PartialEq, Eq)]
struct ClaimRow {
    status: i64,
    reason: i64,
    category: Option<String>,
    approved: i64,
    submitted: bool,
}

async fn claim_row(app: &TestApp, uuid: &str) -> ClaimRow {
    let uuid = uuid::Uuid::parse_str(uuid).unwrap();
    let r = app
        .state
        .db
        .conn
        .query_one_raw(imis_core::db::stmt(
            app.state.db.backend(),
            "SELECT status, rejection_reason, category, COALESCE(approved, -1) AS approved, \
             CASE WHEN submit_stamp IS NULL THEN 0 ELSE 1 END AS submitted FROM claim_claim \
             WHERE uuid = ? AND validity_to IS NULL",
            vec![uuid.into()],
        ))
        .await
        .unwrap()
        .expect("claim");
    let int = |c: &str| -> i64 {
        r.try_get::<i64>("", c)
            .or_else(|_| r.try_get::<i32>("", c).map(i64::from))
            .unwrap()
    };
    ClaimRow {
        status: int("status"),
        reason: int("rejection_reason"),
        category: r.try_get("", "category").unwrap(),
        approved: int("approved"),
        submitted: int("submitted") == 1,
    }
}

/// A current line as stored, in line order.
#[derive(Debug)]
struct LineRow {
    status: i64,
    reason: i64,
    qty_approved: Option<i64>,
    product_id: Option<i64>,
    policy_id: Option<i64>,
    price_adjusted: Option<i64>,
    limitation: Option<String>,
    limitation_value: Option<i64>,
    justification: Option<String>,
    facts: Value,
}

async fn line_rows(app: &TestApp, uuid: &str) -> Vec<LineRow> {
    let id = claim_id(app, uuid).await;
    app.state
        .db
        .conn
        .query_all_raw(imis_core::db::stmt(
            app.state.db.backend(),
            "SELECT status, COALESCE(rejection_reason, -99) AS reason, qty_approved, product_id, \
             policy_id, price_adjusted, limitation, limitation_value, justification, rejection_facts \
             FROM claim_detail WHERE claim_id = ? AND validity_to IS NULL ORDER BY id",
            vec![id.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let int = |c: &str| -> i64 {
                r.try_get::<i64>("", c)
                    .or_else(|_| r.try_get::<i32>("", c).map(i64::from))
                    .unwrap()
            };
            let facts: Option<String> = r.try_get("", "rejection_facts").unwrap();
            LineRow {
                status: int("status"),
                reason: int("reason"),
                qty_approved: r.try_get("", "qty_approved").unwrap(),
                product_id: r.try_get("", "product_id").unwrap(),
                policy_id: r.try_get("", "policy_id").unwrap(),
                price_adjusted: r.try_get("", "price_adjusted").unwrap(),
                limitation: r.try_get("", "limitation").unwrap(),
                limitation_value: r.try_get("", "limitation_value").unwrap(),
                justification: r.try_get("", "justification").unwrap(),
                facts: facts
                    .map(|f| serde_json::from_str(&f).unwrap())
                    .unwrap_or(Value::Null),
            }
        })
        .collect()
}

fn reasons(lines: &[LineRow]) -> Vec<i64> {
    lines.iter().map(|l| l.reason).collect()
}

#[tokio::test]
async fn a_covered_claim_is_checked_and_a_replay_changes_nothing() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(
            &app,
            &admin,
            "SUB1",
            "932000001",
            json!({}),
            &[("PARA5", json!({}))],
            &[("C0001", json!({}))],
        )
        .await;
        // PARA5 at its price-list price 10 (not the 12 asked); C0001 at the list's 1500.
        let uuid = entered(
            &app,
            &admin,
            ins.insuree_id,
            "SUB-1",
            "HD0001",
            today(&app),
            &[item("PARA5", 200, 1_200), service("C0001", 100, 200_000)],
        )
        .await;
        let id = claim_id(&app, &uuid).await;
        submit(&app, &admin, "sub-1", &[&uuid]).await;
        assert_eq!(log_of(&app, &admin, "sub-1").await, (2, vec![]));
        assert_eq!(
            stats_of(&app, &admin, "sub-1").await,
            json!({ "submitted": 1, "checked": 1, "rejected": 0, "items_passed": 1,
                "items_rejected": 0, "services_passed": 1, "services_rejected": 0 })
        );
        let checked = ClaimRow {
            status: 4,
            reason: 0,
            category: Some("C".into()),
            approved: 2 * 1_000 + 150_000,
            submitted: true,
        };
        assert_eq!(claim_row(&app, &uuid).await, checked);
        let lines = line_rows(&app, &uuid).await;
        assert_eq!(reasons(&lines), [0, 0]);
        for (l, price) in lines.iter().zip([1_000, 150_000]) {
            assert_eq!(l.status, 1);
            assert_eq!(
                (l.product_id, l.policy_id),
                (Some(ins.product_id), Some(ins.policy_id))
            );
            assert_eq!(l.price_adjusted, Some(price));
            assert_eq!(
                (l.limitation.as_deref(), l.limitation_value),
                (Some("C"), Some(8_000))
            );
            assert_eq!(l.qty_approved, None);
        }
        assert_eq!(app.history_count("claim_claim", Some(id)).await, 1);
        let event = format!("\"claimId\":{id}");
        assert_eq!(app.outbox_count("claim.submitted", Some(&event)).await, 1);

        // The same clientMutationId answers the stored outcome and writes nothing.
        submit(&app, &admin, "sub-1", &[&uuid]).await;
        assert_eq!(app.history_count("claim_claim", Some(id)).await, 1);
        assert_eq!(app.outbox_count("claim.submitted", Some(&event)).await, 1);
        // Submitting it again under another id: the claim is no longer Entered.
        submit(&app, &admin, "sub-1-again", &[&uuid]).await;
        assert_eq!(
            log_of(&app, &admin, "sub-1-again").await,
            (1, vec!["claim.not_entered".to_string()])
        );
        assert_eq!(stats_of(&app, &admin, "sub-1-again").await["checked"], 0);
    })
    .await;
}

#[tokio::test]
async fn claim_level_reasons_dates_then_insuree_then_coverage() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(
            &app,
            &admin,
            "SUB2",
            "932000002",
            json!({}),
            &[("PARA5", json!({}))],
            &[],
        )
        .await;
        uninsured(&app, &admin, "932000003").await;
        let alone = fixtures::insuree_id(&app, "932000003").await;
        let t = app.state.clock.today();
        let yesterday = t.checked_sub_days(Days::new(1)).unwrap();
        let lines = [item("PARA5", 100, 1_000), item("AMOX5", 100, 2_500)];
        // Claimed before the care began, for an uninsured insuree: the dates come first.
        let dates = entered(&app, &admin, alone, "SUB-9", "HD0001", Dates(t, None, yesterday), &lines).await;
        let uncovered = entered(&app, &admin, alone, "SUB-3", "HD0001", today(&app), &lines).await;
        // A member who is deleted before the submission.
        let member_chf = "932000004";
        app.ok(
            Some(&admin),
            &format!(
                r#"mutation {{ createInsuree(input: {{ familyId: {}, chfId: "{member_chf}", lastName: "Membre", otherNames: "Ancien", genderId: "F", dob: "1990-01-01", relationshipId: 2 }}) {{ internalId }} }}"#,
                ins.family_id
            ),
        )
        .await;
        let member = fixtures::insuree_id(&app, member_chf).await;
        let member_uuid = fixtures::insuree_uuid(&app, member_chf).await;
        let gone = entered(&app, &admin, member, "SUB-7", "HD0001", today(&app), &lines).await;
        app.ok(
            Some(&admin),
            &format!(
                r#"mutation {{ deleteInsurees(input: {{ uuids: ["{member_uuid}"] }}) {{ internalId }} }}"#
            ),
        )
        .await;
        submit(&app, &admin, "sub-2", &[&dates, &uncovered, &gone]).await;
        assert_eq!(log_of(&app, &admin, "sub-2").await.0, 2);
        assert_eq!(
            stats_of(&app, &admin, "sub-2").await,
            json!({ "submitted": 3, "checked": 0, "rejected": 3, "items_passed": 0,
                "items_rejected": 6, "services_passed": 0, "services_rejected": 0 })
        );
        for (uuid, reason) in [(&dates, 9), (&uncovered, 3), (&gone, 7)] {
            let row = claim_row(&app, uuid).await;
            assert_eq!((row.status, row.reason, row.approved), (1, reason, 0), "{reason}");
            assert!(row.submitted);
            let lines = line_rows(&app, uuid).await;
            assert_eq!(reasons(&lines), [reason, reason]);
            assert!(lines.iter().all(|l| l.status == 2 && l.product_id.is_none()));
        }
        assert_eq!(line_rows(&app, &uncovered).await[0].facts["date"], t.to_string());
        assert_eq!(line_rows(&app, &gone).await[0].facts["chfId"], member_chf);
        assert_eq!(line_rows(&app, &dates).await[0].facts["dateClaimed"], yesterday.to_string());
        // Rejected claims are published too.
        for uuid in [&dates, &uncovered, &gone] {
            let event = format!("\"claimId\":{}", claim_id(&app, uuid).await);
            assert_eq!(app.outbox_count("claim.submitted", Some(&event)).await, 1);
        }
    })
    .await;
}

/// A new item, not in the demo price lists.
async fn new_item(app: &TestApp, admin: &Principal, code: &str) {
    app.ok(
        Some(admin),
        &format!(
            r#"mutation {{ createItem(input: {{ code: "{code}", name: "Érythromycine 250 mg", type: "D", careType: "B", price: "75", patientCategory: 15 }}) {{ internalId }} }}"#
        ),
    )
    .await;
}

#[tokio::test]
async fn line_level_reasons_in_order() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        new_item(&app, &admin, "ERY25").await;
        let ins = insured(
            &app,
            &admin,
            "SUB3",
            "932000005",
            json!({}),
            &[
                ("PARA5", json!({})),
                ("AMOX5", json!({ "waitingPeriodAdult": 3 })),
                ("ARTI60", json!({})),
                ("ERY25", json!({})),
            ],
            &[("C0003", json!({}))],
        )
        .await;
        let uuid = entered(
            &app,
            &admin,
            ins.insuree_id,
            "SUB-L",
            "HD0001",
            today(&app),
            &[
                item("PARA5", 200, 1_000),    // passes
                item("ARTI60", 100, 1_500),   // in-patient only, a same-day claim: 10
                service("C0003", 100, 1_500), // women only, a man: 4
                item("ERY25", 100, 7_500),    // not in the facility's price list: 2
                item("AMOX5", 100, 2_500),    // a new policy's waiting period: 17
                item("SRO", 100, 10_000),     // no product of the insuree covers it: 3
            ],
        )
        .await;
        submit(&app, &admin, "sub-3", &[&uuid]).await;
        let lines = line_rows(&app, &uuid).await;
        assert_eq!(reasons(&lines), [0, 10, 4, 2, 17, 3]);
        assert_eq!(
            stats_of(&app, &admin, "sub-3").await,
            json!({ "submitted": 1, "checked": 1, "rejected": 0, "items_passed": 1,
                "items_rejected": 4, "services_passed": 0, "services_rejected": 1 })
        );
        let waiting_end = app
            .state
            .clock
            .today()
            .checked_add_months(Months::new(3))
            .unwrap();
        assert_eq!(lines[4].facts["waitingEnd"], waiting_end.to_string());
        assert_eq!(lines[4].facts["product"], "SUB3");
        assert_eq!(lines[1].facts["careType"], "I");
        assert!(lines[3].facts["priceList"].is_string());
        let row = claim_row(&app, &uuid).await;
        assert_eq!((row.status, row.reason, row.approved), (4, 0, 2 * 1_000));
        assert_eq!(row.category.as_deref(), Some("A"));
    })
    .await;
}

#[tokio::test]
async fn maximum_provisions_cut_then_refuse_in_claim_order() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(
            &app,
            &admin,
            "SUB4",
            "932000006",
            json!({}),
            &[("PARA5", json!({ "limitNoAdult": 3 }))],
            &[],
        )
        .await;
        let mut uuids = vec![];
        for (code, qty) in [("SUB-X", 200), ("SUB-Y", 200), ("SUB-Z", 100)] {
            let lines = [item("PARA5", qty, 1_000)];
            uuids.push(
                entered(
                    &app,
                    &admin,
                    ins.insuree_id,
                    code,
                    "HD0001",
                    today(&app),
                    &lines,
                )
                .await,
            );
        }
        // Given in reverse, handled by (dateClaimed, id): X, Y, Z.
        submit(&app, &admin, "sub-4", &[&uuids[2], &uuids[1], &uuids[0]]).await;
        let x = &line_rows(&app, &uuids[0]).await[0];
        assert_eq!((x.reason, x.qty_approved), (0, None));
        let y = &line_rows(&app, &uuids[1]).await[0];
        assert_eq!((y.reason, y.qty_approved), (0, Some(100)));
        assert_eq!(y.justification.as_deref(), Some("claim.qty_limited"));
        assert_eq!(
            (y.facts["limit"].as_str(), y.facts["used"].as_str()),
            (Some("3"), Some("2"))
        );
        assert_eq!(claim_row(&app, &uuids[1]).await.approved, 1_000);
        let z = &line_rows(&app, &uuids[2]).await[0];
        assert_eq!((z.status, z.reason), (2, 16));
        assert_eq!(claim_row(&app, &uuids[2]).await.reason, 1);
    })
    .await;
}

#[tokio::test]
async fn a_category_maximum_rejects_the_whole_claim() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(
            &app,
            &admin,
            "SUB5",
            "932000007",
            json!({ "maxNoConsultation": 1 }),
            &[("PARA5", json!({}))],
            &[("C0001", json!({}))],
        )
        .await;
        let first = entered(
            &app,
            &admin,
            ins.insuree_id,
            "SUB-C1",
            "HD0001",
            today(&app),
            &[service("C0001", 100, 150_000)],
        )
        .await;
        let second = entered(
            &app,
            &admin,
            ins.insuree_id,
            "SUB-C2",
            "HD0001",
            today(&app),
            &[item("PARA5", 100, 1_000), service("C0001", 100, 150_000)],
        )
        .await;
        submit(&app, &admin, "sub-5", &[&first, &second]).await;
        assert_eq!(claim_row(&app, &first).await.status, 4);
        let row = claim_row(&app, &second).await;
        assert_eq!(
            (row.status, row.reason, row.category.as_deref()),
            (1, 13, Some("C"))
        );
        let lines = line_rows(&app, &second).await;
        assert_eq!(reasons(&lines), [13, 13]);
        assert!(lines.iter().all(|l| l.qty_approved == Some(0)));
        assert_eq!(lines[0].facts["count"], "1");
    })
    .await;
}

const EXPLAIN: &str = r#"query($uuid: UUID) { claim(uuid: $uuid) {
  rejectionExplanation { lineUuid kind code rejectionReason explanation } } }"#;

#[tokio::test]
async fn rejections_are_explained_in_the_callers_language() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(
            &app,
            &admin,
            "SUB6",
            "932000008",
            json!({}),
            &[("PARA5", json!({})), ("AMOX5", json!({ "waitingPeriodAdult": 2 }))],
            &[],
        )
        .await;
        let partly = entered(
            &app,
            &admin,
            ins.insuree_id,
            "SUB-E1",
            "HD0001",
            today(&app),
            &[item("PARA5", 100, 1_000), item("AMOX5", 100, 2_500)],
        )
        .await;
        uninsured(&app, &admin, "932000009").await;
        let alone = fixtures::insuree_id(&app, "932000009").await;
        let uncovered = entered(
            &app,
            &admin,
            alone,
            "SUB-E2",
            "HD0001",
            today(&app),
            &[item("PARA5", 100, 1_000)],
        )
        .await;
        submit(&app, &admin, "sub-6", &[&partly, &uncovered]).await;
        let t = app.state.clock.today();
        let end = t.checked_add_months(Months::new(2)).unwrap();
        let explain = |who: Principal, uuid: String| {
            let app = &app;
            async move {
                app.ok_vars(Some(&who), EXPLAIN, json!({ "uuid": uuid })).await["claim"]
                    ["rejectionExplanation"]
                    .as_array()
                    .expect("explanations")
                    .clone()
            }
        };
        let mut english = admin.clone();
        english.language = "en".into();
        let mut french = admin.clone();
        french.language = "fr".into();

        // A Checked claim: its one rejected line.
        let e = explain(english.clone(), partly.clone()).await;
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0]["kind"].as_str(), e[0]["code"].as_str()), (Some("ITEM"), Some("AMOX5")));
        assert_eq!(e[0]["rejectionReason"], 17);
        assert!(e[0]["lineUuid"].is_string());
        assert_eq!(
            e[0]["explanation"],
            format!("AMOX5: the waiting period of product SUB6 ends on {end} (2 months from {t}).")
        );
        let f = explain(french.clone(), partly).await;
        assert_eq!(
            f[0]["explanation"],
            format!("AMOX5 : le délai de carence du produit SUB6 se termine le {end} (2 mois à partir du {t}).")
        );

        // A Rejected claim: its own reason first, then each line.
        let e = explain(english, uncovered.clone()).await;
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0]["lineUuid"], Value::Null);
        assert_eq!(e[0]["rejectionReason"], 3);
        assert_eq!(e[0]["explanation"], format!("The insuree has no policy covering {t}."));
        assert_eq!(
            e[1]["explanation"],
            format!("PARA5: no product of the insuree's policies covering {t} includes it.")
        );
        let f = explain(french, uncovered).await;
        assert_eq!(f[0]["explanation"], format!("L'assuré n'a aucune police le couvrant au {t}."));
    })
    .await;
}

#[tokio::test]
async fn callers_without_the_right_or_out_of_scope_change_nothing() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(
            &app,
            &admin,
            "SUB7",
            "932000010",
            json!({}),
            &[("PARA5", json!({}))],
            &[],
        )
        .await;
        let lines = [item("PARA5", 100, 1_000)];
        let at_hospital = entered(
            &app,
            &admin,
            ins.insuree_id,
            "SUB-R1",
            "HD0001",
            today(&app),
            &lines,
        )
        .await;
        let at_centre = entered(
            &app,
            &admin,
            ins.insuree_id,
            "SUB-R2",
            "CS0001",
            today(&app),
            &lines,
        )
        .await;
        let untouched = ClaimRow {
            status: 2,
            reason: 0,
            category: None,
            approved: -1,
            submitted: false,
        };
        assert_eq!(claim_row(&app, &at_hospital).await, untouched);

        // The medical officer may not submit (111007).
        let officer = app.principal("medofficer").await;
        let r = app
            .exec_vars(
                Some(&officer),
                SUBMIT,
                json!({ "cmid": "r-1", "uuids": [&at_hospital] }),
            )
            .await;
        assert_eq!(
            imis_tests::error_code(&r).as_deref(),
            Some("auth.permission_denied")
        );
        // A claim administrator's role held by a user of the other district.
        let edea = fixtures::user_with_role_in_districts(
            &app,
            "sub_edea",
            "edea12345",
            ("Edéa", "Soumission"),
            256,
            &["D0002"],
        )
        .await;
        submit(&app, &edea, "r-2", &[&at_hospital]).await;
        assert_eq!(
            log_of(&app, &admin, "r-2").await,
            (1, vec!["not_found".to_string()])
        );
        // The claim administrator of HD0001 reaches its own facility's claims only.
        let claimadmin = app.principal("claimadmin").await;
        submit(&app, &claimadmin, "r-3", &[&at_centre]).await;
        assert_eq!(
            log_of(&app, &admin, "r-3").await,
            (1, vec!["not_found".to_string()])
        );
        assert_eq!(claim_row(&app, &at_centre).await, untouched);
        assert_eq!(claim_row(&app, &at_hospital).await, untouched);
        for uuid in [&at_hospital, &at_centre] {
            let id = claim_id(&app, uuid).await;
            assert_eq!(app.history_count("claim_claim", Some(id)).await, 0);
            let event = format!("\"claimId\":{id}");
            assert_eq!(app.outbox_count("claim.submitted", Some(&event)).await, 0);
        }
        submit(&app, &claimadmin, "r-4", &[&at_hospital]).await;
        assert_eq!(claim_row(&app, &at_hospital).await.status, 4);
    })
    .await;
}

#[tokio::test]
async fn additional_filters_choose_the_entered_claims_in_reach() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(
            &app,
            &admin,
            "SUB8",
            "932000011",
            json!({}),
            &[("PARA5", json!({}))],
            &[],
        )
        .await;
        let lines = [item("PARA5", 100, 1_000)];
        let mut claims = vec![];
        for (code, facility) in [
            ("SUBF-1", "HD0001"),
            ("SUBF-2", "HD0001"),
            ("SUBF-3", "CS0001"),
            ("SUBF-4", "HD0001"),
            ("SUBF-5", "CS0001"),
        ] {
            claims.push(entered(&app, &admin, ins.insuree_id, code, facility, today(&app), &lines).await);
        }
        let status = async |i: usize| claim_row(&app, &claims[i]).await.status;
        let run = async |who: &Principal, cmid: &str, uuids: Value, filters: &str| {
            app.exec_vars(
                Some(who),
                SUBMIT_FILTERED,
                json!({ "cmid": cmid, "uuids": uuids, "filters": filters }),
            )
            .await
        };

        // Not a filter `claims` knows, or a value of the wrong kind: refused, nothing submitted.
        for (cmid, bad) in [("f-0", r#"{"codes": "SUBF-1"}"#), ("f-0b", r#"{"status": "two"}"#), ("f-0e", r#"{"insuree_Status": "XX"}"#), ("f-0c", "[2]")] {
            let r = run(&admin, cmid, Value::Null, bad).await;
            assert_eq!(imis_tests::error_code(&r).as_deref(), Some("claim.filters_invalid"), "{bad}");
        }
        // Without the submission right, the filters are not even read.
        let officer = app.principal("medofficer").await;
        let r = run(&officer, "f-0d", Value::Null, r#"{"nope": 1}"#).await;
        assert_eq!(imis_tests::error_code(&r).as_deref(), Some("auth.permission_denied"));
        for i in 0..5 {
            assert_eq!(status(i).await, 2);
        }

        // A claim administrator's filters reach its own facility's claims only.
        let claimadmin = app.principal("claimadmin").await;
        run(&claimadmin, "f-1", Value::Null, r#"{"code_Istartswith": "SUBF-", "dateClaimed_Lte": "2999-01-01", "insuree_Status": "AC"}"#).await;
        assert_eq!(log_of(&app, &admin, "f-1").await, (2, vec![]));
        assert_eq!(stats_of(&app, &admin, "f-1").await["checked"], 3);
        assert_eq!([status(0).await, status(1).await, status(2).await, status(3).await, status(4).await], [4, 4, 2, 4, 2]);

        // With uuids too: those of the uuids the filters choose. A claim already submitted is
        // left out rather than refused.
        let uuids = json!([&claims[0], &claims[2], &claims[4]]);
        run(&admin, "f-2", uuids, r#"{"code": "SUBF-3"}"#).await;
        assert_eq!(log_of(&app, &admin, "f-2").await, (2, vec![]));
        assert_eq!(stats_of(&app, &admin, "f-2").await["submitted"], 1);
        assert_eq!([status(2).await, status(4).await], [4, 2]);
        run(&admin, "f-3", Value::Null, r#"{"code_Istartswith": "subf-"}"#).await;
        assert_eq!(stats_of(&app, &admin, "f-3").await["submitted"], 1);
        assert_eq!(status(4).await, 4);
    })
    .await;
}

/// A PARA5 line and an AMOX5 line of a product (80 % co-insurance unless `extra` says
/// otherwise).
async fn product_lines(app: &TestApp, para5: Value, amox5: Option<Value>) -> Value {
    let mut items = vec![];
    for (code, extra) in [("PARA5", Some(para5)), ("AMOX5", amox5)] {
        let Some(extra) = extra else { continue };
        let (_, uuid) = fixtures::medical_id(app, Medical::Item, code).await;
        let mut line = json!({ "itemUuid": uuid, "priceOrigin": "PRICELIST",
            "limitationType": "CO_INSURANCE", "limitAdult": "80", "limitChild": "80" });
        for (k, v) in extra.as_object().expect("line extras") {
            line[k] = v.clone();
        }
        items.push(line);
    }
    json!(items)
}

const PROCESS: &str = r#"mutation($cmid: String, $uuids: [String!]!) {
  processClaims(input: { clientMutationId: $cmid, clientMutationLabel: "process", uuids: $uuids }) {
    internalId
  }
}"#;

#[tokio::test]
async fn a_claim_is_checked_under_the_product_version_of_its_policy() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        // Version 1, in force when the policy was enrolled (yesterday, before the product
        // existed: its oldest version): PARA5 and AMOX5 at 80 %, no maximum.
        let mut input = fixtures::product_input_with_lump_sum("SUBV", "0", json!({}));
        input["items"] = product_lines(&app, json!({}), Some(json!({}))).await;
        let product_id = fixtures::create_product_from(&app, &admin, &input).await;
        let family = uninsured(&app, &admin, "932000020").await;
        let officer = fixtures::user_id(&app, "eo_douala").await;
        let yesterday = app.state.clock.today().pred_opt().unwrap();
        let mut policy = fixtures::policy_input_today(&app, family, product_id, officer);
        policy["enrollDate"] = json!(fixtures::date_string(yesterday));
        app.ok_vars(
            Some(&admin),
            fixtures::mutations::CREATE_POLICY,
            json!({ "i": policy }),
        )
        .await;
        let policy_id = fixtures::policy_id(&app, policy["uuid"].as_str().unwrap()).await;
        // Version 2, in force today, the care date: PARA5 at 50 % and at most 1, no AMOX5.
        input["uuid"] = json!(fixtures::product_uuid_of(&app, product_id).await);
        input["items"] =
            product_lines(&app, json!({ "limitAdult": "50", "limitNoAdult": 1 }), None).await;
        app.ok_vars(
            Some(&admin),
            fixtures::mutations::UPDATE_PRODUCT,
            json!({ "i": input }),
        )
        .await;

        let insuree = fixtures::insuree_id(&app, "932000020").await;
        let uuid = entered(
            &app,
            &admin,
            insuree,
            "SUB-V1",
            "HD0001",
            today(&app),
            &[item("PARA5", 200, 1_000), item("AMOX5", 100, 2_500)],
        )
        .await;
        submit(&app, &admin, "sub-v1", &[&uuid]).await;
        assert_eq!(claim_row(&app, &uuid).await.status, 4);
        let lines = line_rows(&app, &uuid).await;
        // Under the policy's version: both pass, PARA5 in full at 80 %.
        assert_eq!(reasons(&lines), [0, 0]);
        for l in &lines {
            assert_eq!(
                (l.product_id, l.policy_id),
                (Some(product_id), Some(policy_id))
            );
            assert_eq!(
                (l.limitation.as_deref(), l.limitation_value, l.qty_approved),
                (Some("C"), Some(8_000), None)
            );
        }
        // Processing values it under the same version: PARA5 2 × 10.00 at 80 %.
        app.ok_vars(
            Some(&admin),
            PROCESS,
            json!({ "cmid": "sub-v1-process", "uuids": [&uuid] }),
        )
        .await;
        assert_eq!(claim_row(&app, &uuid).await.status, 16);
        let valuated = one_i64(
            &app,
            "SELECT price_valuated FROM claim_detail WHERE claim_id = ? AND kind = 'I' \
             AND medical_id = ? AND validity_to IS NULL",
            vec![
                claim_id(&app, &uuid).await.into(),
                fixtures::medical_id(&app, Medical::Item, "PARA5")
                    .await
                    .0
                    .into(),
            ],
        )
        .await;
        assert_eq!(valuated, 1_600);

        // A policy enrolled today is under version 2: PARA5 cut to 1 at 50 %, AMOX5 not covered.
        let other = uninsured(&app, &admin, "932000021").await;
        fixtures::create_policy_today(&app, &admin, other, product_id, "eo_douala").await;
        let later = entered(
            &app,
            &admin,
            fixtures::insuree_id(&app, "932000021").await,
            "SUB-V2",
            "HD0001",
            today(&app),
            &[item("PARA5", 200, 1_000), item("AMOX5", 100, 2_500)],
        )
        .await;
        submit(&app, &admin, "sub-v2", &[&later]).await;
        let lines = line_rows(&app, &later).await;
        assert_eq!(reasons(&lines), [0, 3]);
        assert_eq!(
            (lines[0].limitation_value, lines[0].qty_approved),
            (Some(5_000), Some(100))
        );
    })
    .await;
}

const CREATE_CLAIM: &str =
    r#"mutation($i: CreateClaimMutationInput!) { createClaim(input: $i) { internalId } }"#;
const DELETE_POLICIES: &str =
    "mutation($i: DeletePoliciesMutationInput!) { deletePolicies(input: $i) { internalId } }";

#[tokio::test]
async fn a_policy_a_submitted_claim_used_may_not_be_deleted() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(
            &app,
            &admin,
            "SUBD",
            "932000022",
            json!({}),
            &[("PARA5", json!({}))],
            &[],
        )
        .await;
        let (para, _) = fixtures::medical_id(&app, Medical::Item, "PARA5").await;
        let uuid = fixtures::new_uuid();
        let today = fixtures::today_string(&app);
        app.ok_vars(
            Some(&admin),
            CREATE_CLAIM,
            json!({ "i": { "uuid": uuid, "code": "SUB-DEL", "insureeId": ins.insuree_id,
                "dateFrom": today, "dateClaimed": today, "icdId": diagnosis_id(&app, &admin).await,
                "healthFacilityId": fixtures::facility_id(&app, "HD0001").await,
                "items": [{ "itemId": para, "status": 1, "qtyProvided": "2", "priceAsked": "10" }] } }),
        )
        .await;
        submit(&app, &admin, "sub-del", &[&uuid]).await;
        assert_eq!(claim_row(&app, &uuid).await.status, 4);
        // The policy module vetoes: its consumption rows name the claim.
        let delete = json!({ "i": { "clientMutationId": "sub-del-policy", "uuids": [&ins.policy_uuid] } });
        assert_eq!(
            app.err_code_vars(Some(&admin), DELETE_POLICIES, delete).await,
            "policy.used_in_claims"
        );
        assert_eq!(
            fixtures::current_policies_of_family(&app, ins.family_id).await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn claims_out_of_reach_take_no_place_in_the_submission_order() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(
            &app,
            &admin,
            "SUBO",
            "932000023",
            json!({}),
            &[("PARA5", json!({}))],
            &[],
        )
        .await;
        let lines = [item("PARA5", 100, 1_000)];
        let t = app.state.clock.today();
        let yesterday = t.pred_opt().unwrap();
        // Claimed yesterday at the health centre: out of the hospital's claim administrator's
        // reach, and first by date.
        let elsewhere = entered(
            &app,
            &admin,
            ins.insuree_id,
            "SUB-O1",
            "CS0001",
            Dates(yesterday, None, yesterday),
            &lines,
        )
        .await;
        let own = entered(
            &app,
            &admin,
            ins.insuree_id,
            "SUB-O2",
            "HD0001",
            today(&app),
            &lines,
        )
        .await;
        let claimadmin = app.principal("claimadmin").await;
        submit(&app, &claimadmin, "o-1", &[&own]).await;
        assert_eq!(claim_row(&app, &own).await.status, 4);
        // Its own claim (now refused as not Entered) is handled first; the other one follows
        // as given, as a claim that does not exist would.
        submit(&app, &claimadmin, "o-2", &[&elsewhere, &own]).await;
        assert_eq!(
            log_of(&app, &admin, "o-2").await,
            (
                1,
                vec!["claim.not_entered".to_string(), "not_found".to_string()]
            )
        );
        assert_eq!(claim_row(&app, &elsewhere).await.status, 2);
    })
    .await;
}
