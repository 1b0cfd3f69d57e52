//! One `submitClaims` (then `processClaims`) call over many claims decides exactly as one call
//! per claim (D20–D22, D26), on SQLite and PostgreSQL.
//!
//! Two fresh apps get the same fixture, built in the same order: a family policy whose two
//! members share a policy-level deductible and ceiling and a maximum of consultations, a
//! maximum number of PARA5 per insuree, ZINC20 with a frequency of 7 days, and an insuree of
//! another family whose claims are independent. App A submits every claim in one call (one
//! claim named twice) and processes the Checked ones in one call; app B does one claim per
//! call in the same (dateClaimed, id) order. Between submission and processing the price list
//! raises C0001, so that processing values differ from what submission booked and each claim
//! must see what the claims processed before it consumed. Every claim, line, consumption row,
//! balance and eligibility count must be equal in A and B; hand-checked values show that the
//! scenario does cut, refuse and share.
//!
//! The entered claims are written as entry leaves them (status 2, lines passed), as in
//! `tests/submission.rs`.

// The composed GraphQL roots nest deeply enough to pass rustc's default query depth.
#![recursion_limit = "256"]

use chrono::{Days, NaiveDate};
use futures::FutureExt;
use imis_core::auth::Principal;
use imis_tests::fixtures::{self, Medical};
use imis_tests::{Backend, TestApp, TestDb, on_each_db, one_i64};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::str::FromStr;

const SUBMIT: &str = r#"mutation($cmid: String, $uuids: [String]) {
  submitClaims(input: { clientMutationId: $cmid, clientMutationLabel: "submit", uuids: $uuids }) {
    clientMutationId internalId
  }
}"#;

const PROCESS: &str = r#"mutation($cmid: String, $uuids: [String!]!) {
  processClaims(input: { clientMutationId: $cmid, clientMutationLabel: "process", uuids: $uuids }) {
    clientMutationId internalId
  }
}"#;

/// Whose claim it is: the family's head or member (one policy), or the other family's head.
#[derive(Clone, Copy)]
enum Who {
    Head,
    Member,
    Other,
}

/// A line as entry writes it: quantity in hundredths, price asked in minor units.
struct Line {
    kind: Medical,
    code: &'static str,
    qty: i64,
    asked: i64,
}

const fn item(code: &'static str, qty: i64, asked: i64) -> Line {
    Line {
        kind: Medical::Item,
        code,
        qty,
        asked,
    }
}

const fn service(code: &'static str, qty: i64, asked: i64) -> Line {
    Line {
        kind: Medical::Service,
        code,
        qty,
        asked,
    }
}

/// An entered claim: code, insuree, dateFrom and dateClaimed (days after today), lines.
struct Spec {
    code: &'static str,
    who: Who,
    from: u64,
    claimed: u64,
    lines: &'static [Line],
}

/// The claims, in creation (id) order, which differs from the (dateClaimed, id) order of
/// [`ORDER`]. Prices asked are the demo price list's: PARA5 10, ZINC20 20, C0001 1500 (its
/// override), L0001 1000.
const SPECS: &[Spec] = &[
    // ZINC20 18 days after H2's: passes; PARA5: the head's 5 are used up (16).
    Spec {
        code: "BLK-H5",
        who: Who::Head,
        from: 20,
        claimed: 20,
        lines: &[item("ZINC20", 200, 2_000), item("PARA5", 100, 1_000)],
    },
    // PARA5 used up (16), ZINC20 the day after H2's (5); L0001 passes: Checked, category V.
    Spec {
        code: "BLK-H3",
        who: Who::Head,
        from: 3,
        claimed: 3,
        lines: &[
            item("PARA5", 100, 1_000),
            item("ZINC20", 100, 2_000),
            service("L0001", 100, 100_000),
        ],
    },
    // The member's second consultation: her own count is 1 of 2.
    Spec {
        code: "BLK-M2",
        who: Who::Member,
        from: 3,
        claimed: 3,
        lines: &[service("C0001", 100, 150_000)],
    },
    // The other insuree's PARA5: 2 used of 3, cut to 1.
    Spec {
        code: "BLK-X2",
        who: Who::Other,
        from: 2,
        claimed: 4,
        lines: &[item("PARA5", 200, 1_000)],
    },
    Spec {
        code: "BLK-H1",
        who: Who::Head,
        from: 1,
        claimed: 1,
        lines: &[item("PARA5", 300, 1_000), service("C0001", 100, 150_000)],
    },
    // The head's third consultation: the maximum of 2 rejects the whole claim (13).
    Spec {
        code: "BLK-H4",
        who: Who::Head,
        from: 4,
        claimed: 4,
        lines: &[service("C0001", 100, 150_000)],
    },
    Spec {
        code: "BLK-M1",
        who: Who::Member,
        from: 1,
        claimed: 1,
        lines: &[item("PARA5", 200, 1_000), service("C0001", 100, 150_000)],
    },
    Spec {
        code: "BLK-X1",
        who: Who::Other,
        from: 1,
        claimed: 2,
        lines: &[item("PARA5", 200, 1_000), service("C0001", 100, 150_000)],
    },
    // PARA5 3 after H1's 3 of 5: cut to 2.
    Spec {
        code: "BLK-H2",
        who: Who::Head,
        from: 2,
        claimed: 2,
        lines: &[
            item("PARA5", 300, 1_000),
            item("ZINC20", 100, 2_000),
            service("C0001", 100, 150_000),
        ],
    },
];

/// The (dateClaimed, id) order submission handles the claims in (D20).
const ORDER: [&str; 9] = [
    "BLK-H1", "BLK-M1", "BLK-X1", "BLK-H2", "BLK-H3", "BLK-M2", "BLK-X2", "BLK-H4", "BLK-H5",
];

/// The claims that end Checked, in that order.
const CHECKED: [&str; 8] = [
    "BLK-H1", "BLK-M1", "BLK-X1", "BLK-H2", "BLK-H3", "BLK-M2", "BLK-X2", "BLK-H5",
];

const HEAD: &str = "934000001";
const MEMBER: &str = "934000002";
const OTHER: &str = "934000003";

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

/// Creates a national zero-contribution product `code` (its policies are Active from their
/// creation) with `terms`, covering `items` and `services` (code, extra line fields) at 80 %.
async fn product(
    app: &TestApp,
    admin: &Principal,
    code: &str,
    terms: Value,
    items: &[(&str, Value)],
    services: &[(&str, Value)],
) -> i64 {
    let mut input = fixtures::product_input_with_lump_sum(code, "0", terms);
    for (kind, field, list, wanted) in [
        (Medical::Item, "itemUuid", "items", items),
        (Medical::Service, "serviceUuid", "services", services),
    ] {
        let mut lines = vec![];
        for (medical, extra) in wanted {
            let (_, uuid) = fixtures::medical_id(app, kind, medical).await;
            let mut line = json!({ field: uuid, "priceOrigin": "PRICELIST",
                "limitationType": "CO_INSURANCE", "limitAdult": "80", "limitChild": "80" });
            for (k, v) in extra.as_object().expect("line extras") {
                line[k] = v.clone();
            }
            lines.push(line);
        }
        input[list] = json!(lines);
    }
    fixtures::create_product_from(app, admin, &input).await
}

/// A family of Douala headed by `chf_id` (a man born 1980) insured by `product_id` from today;
/// returns (family id, policy uuid).
async fn insured_family(
    app: &TestApp,
    admin: &Principal,
    chf_id: &str,
    product_id: i64,
) -> (i64, String) {
    let village = fixtures::first_village(app, "D0001").await;
    let family = fixtures::create_family(app, admin, village, chf_id).await;
    let policy = fixtures::create_policy_today(app, admin, family, product_id, "eo_douala").await;
    (family, policy)
}

/// Writes an entered claim of insuree `insuree_id` at the health centre CS0001; returns its uuid.
async fn entered(app: &TestApp, admin: &Principal, insuree_id: i64, spec: &Spec) -> String {
    let today = app.state.clock.today();
    let day = |n: u64| -> NaiveDate { today.checked_add_days(Days::new(n)).unwrap() };
    let uuid = uuid::Uuid::now_v7();
    let now = app.state.clock.now();
    let total: i64 = spec.lines.iter().map(|l| l.qty * l.asked / 100).sum();
    execute(
        app,
        "INSERT INTO claim_claim (uuid, code, code_search, insuree_id, health_facility_id, date_from, \
         date_claimed, icd_id, visit_type, status, claimed, validity_from) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'O', 2, ?, ?)",
        vec![
            uuid.into(),
            spec.code.into(),
            spec.code.to_lowercase().into(),
            insuree_id.into(),
            fixtures::facility_id(app, "CS0001").await.into(),
            day(spec.from).into(),
            day(spec.claimed).into(),
            diagnosis_id(app, admin).await.into(),
            total.into(),
            now.into(),
        ],
    )
    .await;
    let claim_id = one_i64(
        app,
        "SELECT id FROM claim_claim WHERE uuid = ? AND validity_to IS NULL",
        vec![uuid.into()],
    )
    .await;
    for l in spec.lines {
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

/// What one app holds of the scenario.
struct Scenario {
    admin: Principal,
    /// Claim code → uuid.
    uuids: BTreeMap<&'static str, String>,
    /// The family's policy, then the other family's.
    policies: [String; 2],
}

impl Scenario {
    fn uuid(&self, code: &str) -> &str {
        &self.uuids[code]
    }
}

/// Builds the scenario (see the module documentation) in `app`, always in the same order.
async fn scenario(app: &TestApp) -> Scenario {
    let admin = app.principal("Admin").await;
    // ZINC20 may be given once a week to an insuree (a new version of the register row, in
    // force from today: every claim below is dated later).
    let (_, zinc) = fixtures::medical_id(app, Medical::Item, "ZINC20").await;
    app.ok(
        Some(&admin),
        &format!(
            r#"mutation {{ updateItem(input: {{ uuid: "{zinc}", code: "ZINC20", name: "Zinc 20 mg, comprimé dispersible", type: "D", careType: "B", price: "20", patientCategory: 15, frequency: "7" }}) {{ internalId }} }}"#
        ),
    )
    .await;
    // The family's product: a policy-level deductible of 1000 and ceiling of 5000 shared by its
    // members, at most 2 consultations and 5 PARA5 per insuree.
    let family_product = product(
        app,
        &admin,
        "BLKF",
        json!({ "ceilingType": "POLICY", "deductible": "1000", "ceiling": "5000",
            "maxNoConsultation": 2 }),
        &[
            ("PARA5", json!({ "limitNoAdult": 5 })),
            ("ZINC20", json!({})),
        ],
        &[("C0001", json!({})), ("L0001", json!({}))],
    )
    .await;
    let (family, family_policy) = insured_family(app, &admin, HEAD, family_product).await;
    app.ok(
        Some(&admin),
        &format!(
            r#"mutation {{ createInsuree(input: {{ familyId: {family}, chfId: "{MEMBER}", lastName: "Membre", otherNames: "Seconde", genderId: "F", dob: "1990-01-01", relationshipId: 2 }}) {{ internalId }} }}"#
        ),
    )
    .await;
    // The other family's product: a deductible of 500 per insuree, at most 3 PARA5.
    let other_product = product(
        app,
        &admin,
        "BLKX",
        json!({ "ceilingType": "INSUREE", "deductible": "500" }),
        &[("PARA5", json!({ "limitNoAdult": 3 }))],
        &[("C0001", json!({}))],
    )
    .await;
    let (_, other_policy) = insured_family(app, &admin, OTHER, other_product).await;
    let mut insurees = BTreeMap::new();
    for chf_id in [HEAD, MEMBER, OTHER] {
        insurees.insert(chf_id, fixtures::insuree_id(app, chf_id).await);
    }
    let mut uuids = BTreeMap::new();
    for spec in SPECS {
        let chf_id = match spec.who {
            Who::Head => HEAD,
            Who::Member => MEMBER,
            Who::Other => OTHER,
        };
        let uuid = entered(app, &admin, insurees[chf_id], spec).await;
        uuids.insert(spec.code, uuid);
    }
    Scenario {
        admin,
        uuids,
        policies: [family_policy, other_policy],
    }
}

/// Raises C0001 in the demo services price list from 1500 to 2000 (from today: every claim is
/// dated later), so that processing values the consultations higher than submission did.
async fn raise_consultations(app: &TestApp, admin: &Principal) {
    // The regional services list (the one located somewhere), as the register lists it.
    let r = app
        .ok(
            Some(admin),
            r#"{ servicesPricelists(location_Isnull: false) { edges { node { uuid } } } }"#,
        )
        .await;
    let lists = r["servicesPricelists"]["edges"].as_array().expect("lists");
    assert_eq!(lists.len(), 1, "one regional services list: {r}");
    let list = lists[0]["node"]["uuid"].as_str().expect("uuid").to_string();
    let region = fixtures::location_uuid(app, "R0001").await;
    let (_, consultation) = fixtures::medical_id(app, Medical::Service, "C0001").await;
    app.ok(
        Some(admin),
        &format!(
            r#"mutation {{ updateServicesPricelist(input: {{ uuid: "{list}", name: "Actes et services — Littoral", pricelistDate: "2020-01-01", locationId: "{region}", priceOverrules: [{{ uuid: "{consultation}", price: "2000" }}] }}) {{ internalId }} }}"#
        ),
    )
    .await;
}

async fn run(app: &TestApp, who: &Principal, mutation: &str, cmid: &str, uuids: &[&str]) {
    app.ok_vars(Some(who), mutation, json!({ "cmid": cmid, "uuids": uuids }))
        .await;
}

/// The log row of `cmid` as the `mutationLogs` query shows it: status, errors (code and
/// detail, the item's key), `claim_stats`.
async fn log_of(
    app: &TestApp,
    admin: &Principal,
    cmid: &str,
) -> (i64, Vec<(String, String)>, Value) {
    let q = format!(
        r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ edges {{ node {{ status error jsonExt }} }} }} }}"#
    );
    let r = app.ok(Some(admin), &q).await;
    let node = &r["mutationLogs"]["edges"][0]["node"];
    let errors = node["error"]
        .as_str()
        .map(|e| serde_json::from_str::<Vec<Value>>(e).expect("error list"))
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (text("code"), text("detail"))
        })
        .collect();
    let ext: Value = match &node["jsonExt"] {
        Value::String(text) => serde_json::from_str(text).expect("jsonExt"),
        other => other.clone(),
    };
    (
        node["status"].as_i64().expect("status"),
        errors,
        ext["claim_stats"].clone(),
    )
}

/// An integer column that may be absent, whatever its width on the backend.
fn int(r: &sea_orm::QueryResult, c: &str) -> Option<i64> {
    r.try_get::<Option<i64>>("", c)
        .or_else(|_| r.try_get::<Option<i32>>("", c).map(|v| v.map(i64::from)))
        .unwrap_or_else(|e| panic!("{c}: {e}"))
}

/// The code of a line's item (`I`) or service, through the medical module's API.
async fn act_code(db: &imis_core::db::Db, kind: &str, id: i64) -> String {
    let kind = if kind == "I" {
        imis_medical::api::MedicalKind::Item
    } else {
        imis_medical::api::MedicalKind::Service
    };
    imis_medical::api::act_codes(&db.conn, kind, &[id])
        .await
        .unwrap()
        .remove(&id)
        .expect("act code")
}

fn text(r: &sea_orm::QueryResult, c: &str) -> Option<String> {
    r.try_get("", c).unwrap_or_else(|e| panic!("{c}: {e}"))
}

/// A claim as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ClaimRow {
    status: i64,
    reason: Option<i64>,
    category: Option<String>,
    approved: Option<i64>,
    valuated: Option<i64>,
    remunerated: Option<i64>,
}

/// A current line as stored, in line (id) order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LineRow {
    medical: String,
    status: i64,
    reason: Option<i64>,
    qty_approved: Option<i64>,
    justification: Option<String>,
    limitation_value: Option<i64>,
    facts: Option<String>,
    price_adjusted: Option<i64>,
    deductable: Option<i64>,
    exceed: Option<i64>,
    exceed_category: Option<i64>,
    valuated: Option<i64>,
    remunerated: Option<i64>,
}

/// Everything compared between the two apps.
#[derive(Debug, PartialEq)]
struct Snapshot {
    claims: BTreeMap<String, ClaimRow>,
    lines: BTreeMap<String, Vec<LineRow>>,
    /// (product, claim) → the claim's current consumption row of that product's policy.
    consumption: BTreeMap<(String, String), Value>,
    /// Insurance number → balances and eligibility counts.
    balances: BTreeMap<&'static str, Value>,
}

async fn snapshot(app: &TestApp, s: &Scenario) -> Snapshot {
    let db = &app.state.db;
    let mut claims = BTreeMap::new();
    let mut codes: BTreeMap<i64, String> = BTreeMap::new();
    for r in db
        .conn
        .query_all_raw(imis_core::db::stmt(
            db.backend(),
            "SELECT id, code, status, rejection_reason, category, approved, valuated, remunerated \
             FROM claim_claim WHERE validity_to IS NULL AND code LIKE 'BLK-%'",
            vec![],
        ))
        .await
        .unwrap()
    {
        let code = text(&r, "code").unwrap();
        codes.insert(int(&r, "id").unwrap(), code.clone());
        let row = ClaimRow {
            status: int(&r, "status").unwrap(),
            reason: int(&r, "rejection_reason"),
            category: text(&r, "category"),
            approved: int(&r, "approved"),
            valuated: int(&r, "valuated"),
            remunerated: int(&r, "remunerated"),
        };
        claims.insert(code, row);
    }
    let mut lines: BTreeMap<String, Vec<LineRow>> = BTreeMap::new();
    for r in db
        .conn
        .query_all_raw(imis_core::db::stmt(
            db.backend(),
            "SELECT c.code, d.kind, d.medical_id, d.status, \
             d.rejection_reason, d.qty_approved, d.justification, d.limitation_value, \
             d.rejection_facts, d.price_adjusted, d.deductable_amount, d.exceed_ceiling_amount, \
             d.exceed_ceiling_amount_category, d.price_valuated, d.remunerated_amount \
             FROM claim_detail d JOIN claim_claim c ON c.id = d.claim_id \
             WHERE c.validity_to IS NULL AND d.validity_to IS NULL AND c.code LIKE 'BLK-%' \
             ORDER BY c.code, d.id",
            vec![],
        ))
        .await
        .unwrap()
    {
        lines
            .entry(text(&r, "code").unwrap())
            .or_default()
            .push(LineRow {
                medical: act_code(
                    db,
                    &text(&r, "kind").unwrap(),
                    int(&r, "medical_id").unwrap(),
                )
                .await,
                status: int(&r, "status").unwrap(),
                reason: int(&r, "rejection_reason"),
                qty_approved: int(&r, "qty_approved"),
                justification: text(&r, "justification"),
                limitation_value: int(&r, "limitation_value"),
                facts: text(&r, "rejection_facts"),
                price_adjusted: int(&r, "price_adjusted"),
                deductable: int(&r, "deductable_amount"),
                exceed: int(&r, "exceed_ceiling_amount"),
                exceed_category: int(&r, "exceed_ceiling_amount_category"),
                valuated: int(&r, "price_valuated"),
                remunerated: int(&r, "remunerated_amount"),
            });
    }
    // What the policy module shows of each claim's consumption, and of each insuree's balances
    // and eligibility.
    let mut consumption = BTreeMap::new();
    for policy in &s.policies {
        let r = app
            .ok(
                Some(&s.admin),
                &format!(
                    r#"{{ policies(uuid: "{policy}") {{ edges {{ node {{ product {{ code }} claimDedRems {{ edges {{ node {{ claimId dedG dedOp dedIp remG remOp remIp remConsult remSurgery remDelivery remHospitalization remAntenatal }} }} }} }} }} }} }}"#
                ),
            )
            .await;
        let node = &r["policies"]["edges"][0]["node"];
        let product = node["product"]["code"]
            .as_str()
            .expect("product")
            .to_string();
        for e in node["claimDedRems"]["edges"].as_array().expect("rows") {
            let mut row = e["node"].clone();
            let claim_id = row["claimId"].as_i64().expect("claimId");
            row.as_object_mut().unwrap().remove("claimId");
            let key = (product.clone(), codes[&claim_id].clone());
            assert!(
                consumption.insert(key.clone(), row).is_none(),
                "one current row per claim and policy: {key:?}"
            );
        }
    }
    let mut balances = BTreeMap::new();
    for chf_id in [HEAD, MEMBER, OTHER] {
        let r = app
            .ok(
                Some(&s.admin),
                &format!(
                    r#"{{ policiesByInsuree(chfId: "{chf_id}") {{ edges {{ node {{ productCode ded dedInPatient dedOutPatient ceiling ceilingInPatient ceilingOutPatient }} }} }}
                    policyEligibilityByInsuree(chfId: "{chf_id}") {{ totalConsultationsLeft totalVisitsLeft }}
                    policyItemEligibilityByInsuree(chfId: "{chf_id}", itemCode: "PARA5") {{ itemLeft }} }}"#
                ),
            )
            .await;
        balances.insert(chf_id, r);
    }
    Snapshot {
        claims,
        lines,
        consumption,
        balances,
    }
}

/// The distinct submission and processing stamps of the scenario's claims: a chunk run whole
/// stamps all its claims alike, a call per claim each on its own.
async fn stamps(app: &TestApp) -> (i64, i64) {
    let count = |column: &str| {
        format!(
            "SELECT COUNT(DISTINCT {column}) FROM claim_claim WHERE validity_to IS NULL \
             AND code LIKE 'BLK-%'"
        )
    };
    (
        one_i64(app, &count("submit_stamp"), vec![]).await,
        one_i64(app, &count("process_stamp"), vec![]).await,
    )
}

/// A fresh database of `backend`, beside the one [`on_each_db`] gives.
async fn another_db(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => {
            TestDb::postgres(&imis_tests::postgres_url().expect("PostgreSQL URL")).await
        }
    }
}

fn claim(snap: &Snapshot, code: &str) -> ClaimRow {
    snap.claims[code].clone()
}

/// A claim's lines as (status, reason, approved quantity).
fn decisions(snap: &Snapshot, code: &str) -> Vec<(i64, Option<i64>, Option<i64>)> {
    snap.lines[code]
        .iter()
        .map(|l| (l.status, l.reason, l.qty_approved))
        .collect()
}

/// A claim's lines as [price adjusted, deductible, exceeded ceiling, valuated, remunerated].
fn amounts(snap: &Snapshot, code: &str) -> Vec<[Option<i64>; 5]> {
    snap.lines[code]
        .iter()
        .filter(|l| l.status == 1)
        .map(|l| {
            [
                l.price_adjusted,
                l.deductable,
                l.exceed,
                l.valuated,
                l.remunerated,
            ]
        })
        .collect()
}

/// A claim's consumption of a product's policy, in XAF: (deducted, remunerated under the
/// ceiling).
fn consumed(snap: &Snapshot, product: &str, code: &str) -> (Decimal, Decimal) {
    let row = &snap.consumption[&(product.to_string(), code.to_string())];
    let amount = |k: &str| Decimal::from_str(row[k].as_str().expect("decimal")).unwrap();
    (amount("dedG"), amount("remG"))
}

/// A balance of the insuree's policy as `policiesByInsuree` shows it, in XAF.
fn balance(snap: &Snapshot, chf_id: &str, field: &str) -> Decimal {
    let node = &snap.balances[chf_id]["policiesByInsuree"]["edges"][0]["node"];
    Decimal::from_str(node[field].as_str().expect("decimal")).unwrap()
}

fn xaf(ded: i64, rem: i64) -> (Decimal, Decimal) {
    (Decimal::from(ded), Decimal::from(rem))
}

fn as_submitted(status: i64, reason: i64, category: &str, approved: i64) -> ClaimRow {
    ClaimRow {
        status,
        reason: Some(reason),
        category: Some(category.into()),
        approved: Some(approved),
        valuated: None,
        remunerated: None,
    }
}

/// The hand-checked outcome of submission (the same in both apps).
fn assert_submitted(snap: &Snapshot) {
    const PASSED: (i64, Option<i64>, Option<i64>) = (1, Some(0), None);
    // The head's PARA5: 3 of 5, then cut to 2, then refused; ZINC20 refused the day after H2's,
    // passed 18 days after; his third consultation refuses the whole claim.
    assert_eq!(
        claim(snap, "BLK-H1"),
        as_submitted(4, 0, "C", 3_000 + 150_000)
    );
    assert_eq!(decisions(snap, "BLK-H1"), [PASSED, PASSED]);
    assert_eq!(
        claim(snap, "BLK-H2"),
        as_submitted(4, 0, "C", 2_000 + 2_000 + 150_000)
    );
    assert_eq!(
        decisions(snap, "BLK-H2"),
        [(1, Some(0), Some(200)), PASSED, PASSED]
    );
    let h2_para = &snap.lines["BLK-H2"][0];
    assert_eq!(h2_para.justification.as_deref(), Some("claim.qty_limited"));
    assert_eq!(claim(snap, "BLK-H3"), as_submitted(4, 0, "V", 100_000));
    assert_eq!(
        decisions(snap, "BLK-H3"),
        [(2, Some(16), None), (2, Some(5), None), PASSED]
    );
    assert_eq!(claim(snap, "BLK-H4"), as_submitted(1, 13, "C", 0));
    assert_eq!(decisions(snap, "BLK-H4"), [(2, Some(13), Some(0))]);
    assert_eq!(claim(snap, "BLK-H5"), as_submitted(4, 0, "V", 4_000));
    assert_eq!(decisions(snap, "BLK-H5"), [PASSED, (2, Some(16), None)]);
    // The member counts her own provisions and consultations.
    assert_eq!(claim(snap, "BLK-M1"), as_submitted(4, 0, "C", 152_000));
    assert_eq!(decisions(snap, "BLK-M1"), [PASSED, PASSED]);
    assert_eq!(claim(snap, "BLK-M2"), as_submitted(4, 0, "C", 150_000));
    // The other insuree's PARA5: 2 of 3, then cut to 1.
    assert_eq!(claim(snap, "BLK-X1"), as_submitted(4, 0, "C", 152_000));
    assert_eq!(claim(snap, "BLK-X2"), as_submitted(4, 0, "V", 1_000));
    assert_eq!(decisions(snap, "BLK-X2"), [(1, Some(0), Some(100))]);

    // Booked at submission, in order: H1 takes the family's deductible (PARA5 30 whole, then
    // 970 of C0001: (1500 − 970) × 80 % = 424); M1 has none left: 16 + 1200; H2 16 + 16 +
    // 1200, H3 800, M2 1200, H5 32: 4904 of the 5000 ceiling. X1 takes its own deductible of
    // 500 (PARA5 20, then 480: (1500 − 480) × 80 % = 816), X2 pays 8.
    let family = [
        ("BLK-H1", 1_000, 424),
        ("BLK-M1", 0, 1_216),
        ("BLK-H2", 0, 1_232),
        ("BLK-H3", 0, 800),
        ("BLK-M2", 0, 1_200),
        ("BLK-H5", 0, 32),
    ];
    for (code, ded, rem) in family {
        assert_eq!(consumed(snap, "BLKF", code), xaf(ded, rem), "{code}");
    }
    assert_eq!(consumed(snap, "BLKX", "BLK-X1"), xaf(500, 816));
    assert_eq!(consumed(snap, "BLKX", "BLK-X2"), xaf(0, 8));
    // The rejected claim books nothing.
    assert_eq!(snap.consumption.len(), 8);
    // What the facility desk sees: the family's 96 of ceiling left; each insuree's own counts.
    assert_eq!(balance(snap, HEAD, "ceiling"), Decimal::from(96));
    assert_eq!(balance(snap, MEMBER, "ded"), Decimal::from(1_000));
    let left = |chf_id: &str, field: &str, item: &str| snap.balances[chf_id][field][item].clone();
    assert_eq!(
        left(HEAD, "policyEligibilityByInsuree", "totalConsultationsLeft"),
        0
    );
    assert_eq!(left(HEAD, "policyItemEligibilityByInsuree", "itemLeft"), 0);
    assert_eq!(
        left(MEMBER, "policyItemEligibilityByInsuree", "itemLeft"),
        3
    );
}

/// The hand-checked outcome of processing with C0001 at 2000 (the same in both apps).
fn assert_processed(snap: &Snapshot) {
    let valued = |code: &str, approved: i64, valuated: i64| {
        assert_eq!(
            claim(snap, code),
            ClaimRow {
                status: 16,
                reason: Some(0),
                category: snap.claims[code].category.clone(),
                approved: Some(approved),
                valuated: Some(valuated),
                remunerated: Some(valuated),
            },
            "{code}"
        );
    };
    // H1 sees what the others booked at submission (4480) and takes the 520 left of the
    // ceiling: (2000 − 970) × 80 % = 824, 304 over.
    valued("BLK-H1", 3_000 + 200_000, 52_000);
    assert_eq!(
        amounts(snap, "BLK-H1"),
        [
            [Some(1_000), Some(3_000), Some(0), Some(0), Some(0)],
            [
                Some(200_000),
                Some(97_000),
                Some(30_400),
                Some(52_000),
                Some(52_000)
            ]
        ]
    );
    // M1 sees H1's new 520: the ceiling leaves it only what it had booked, 16 + 1200 of
    // 16 + 1600 (seeing H1's 424 of submission, it would get 1312).
    valued("BLK-M1", 2_000 + 200_000, 121_600);
    assert_eq!(
        amounts(snap, "BLK-M1"),
        [
            [Some(1_000), Some(0), Some(0), Some(1_600), Some(1_600)],
            [
                Some(200_000),
                Some(0),
                Some(40_000),
                Some(120_000),
                Some(120_000)
            ]
        ]
    );
    valued("BLK-H2", 2_000 + 2_000 + 200_000, 123_200);
    valued("BLK-H3", 100_000, 80_000);
    valued("BLK-M2", 200_000, 120_000);
    assert_eq!(
        amounts(snap, "BLK-M2"),
        [[
            Some(200_000),
            Some(0),
            Some(40_000),
            Some(120_000),
            Some(120_000)
        ]]
    );
    valued("BLK-H5", 4_000, 3_200);
    // The other insuree has no ceiling: (2000 − 480) × 80 % = 1216.
    valued("BLK-X1", 2_000 + 200_000, 121_600);
    valued("BLK-X2", 1_000, 800);
    assert_eq!(claim(snap, "BLK-H4").status, 1);
    assert_eq!(consumed(snap, "BLKF", "BLK-H1"), xaf(1_000, 520));
    let family_total: i64 = ["BLK-H1", "BLK-M1", "BLK-H2", "BLK-H3", "BLK-M2", "BLK-H5"]
        .iter()
        .map(|c| snap.claims[*c].valuated.unwrap())
        .sum();
    assert_eq!(family_total, 500_000, "the family's ceiling, exactly");
    assert_eq!(balance(snap, MEMBER, "ceiling"), Decimal::ZERO);
}

#[tokio::test]
async fn one_call_over_many_claims_decides_as_one_call_per_claim() {
    on_each_db(|db: TestDb| async move {
        let other = another_db(db.backend).await;
        let outcome = std::panic::AssertUnwindSafe(compare(&db, &other))
            .catch_unwind()
            .await;
        other.cleanup().await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
        db
    })
    .await;
}

/// App A (on `a`) runs one call over all the claims, app B (on `b`) one call per claim.
async fn compare(a: &TestDb, b: &TestDb) {
    let (app_a, app_b) = (TestApp::new(a).await, TestApp::new(b).await);
    let sa = scenario(&app_a).await;
    let sb = scenario(&app_b).await;

    // A: every claim in one call, H1 named twice alike (one item) and X1 again in capitals
    // (another key, the same claim: refused as no longer Entered).
    let mut keys: Vec<String> = SPECS.iter().map(|s| sa.uuid(s.code).to_string()).collect();
    keys.push(sa.uuid("BLK-H1").to_string());
    let x1_again = sa.uuid("BLK-X1").to_uppercase();
    keys.push(x1_again.clone());
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    run(&app_a, &sa.admin, SUBMIT, "a-submit", &keys).await;
    let (status, errors, stats) = log_of(&app_a, &sa.admin, "a-submit").await;
    assert_eq!(status, 1);
    assert_eq!(
        errors,
        [("claim.not_entered".to_string(), x1_again.clone())]
    );
    assert_eq!(
        stats,
        json!({ "submitted": 10, "checked": 8, "rejected": 1, "items_passed": 7,
            "items_rejected": 3, "services_passed": 6, "services_rejected": 1 })
    );
    // B: one claim per call in the same order, then X1 again.
    for code in ORDER {
        let cmid = format!("b-submit-{code}");
        run(&app_b, &sb.admin, SUBMIT, &cmid, &[sb.uuid(code)]).await;
        assert_eq!(log_of(&app_b, &sb.admin, &cmid).await.0, 2, "{code}");
    }
    let x1_again_b = sb.uuid("BLK-X1").to_uppercase();
    run(&app_b, &sb.admin, SUBMIT, "b-submit-again", &[&x1_again_b]).await;
    assert_eq!(
        log_of(&app_b, &sb.admin, "b-submit-again").await.1,
        [("claim.not_entered".to_string(), x1_again_b)]
    );

    let submitted_a = snapshot(&app_a, &sa).await;
    let submitted_b = snapshot(&app_b, &sb).await;
    assert_submitted(&submitted_a);
    assert_eq!(submitted_a, submitted_b, "after submission");
    // A's claims went through the chunk as a whole, not one by one after a failure.
    assert_eq!(stamps(&app_a).await.0, 1, "one submission stamp in A");
    assert_eq!(
        stamps(&app_b).await.0,
        9,
        "one submission stamp per call in B"
    );

    raise_consultations(&app_a, &sa.admin).await;
    raise_consultations(&app_b, &sb.admin).await;

    // A: the Checked claims in one call; B: one per call, in the same order.
    let checked_a: Vec<&str> = CHECKED.iter().map(|c| sa.uuid(c)).collect();
    run(&app_a, &sa.admin, PROCESS, "a-process", &checked_a).await;
    let (status, errors, stats) = log_of(&app_a, &sa.admin, "a-process").await;
    assert_eq!((status, errors), (2, vec![]));
    assert_eq!(
        stats,
        json!({ "submitted": 8, "processed": 0, "valuated": 8, "rejected": 0 })
    );
    for code in CHECKED {
        let cmid = format!("b-process-{code}");
        run(&app_b, &sb.admin, PROCESS, &cmid, &[sb.uuid(code)]).await;
        assert_eq!(log_of(&app_b, &sb.admin, &cmid).await.0, 2, "{code}");
    }

    let processed_a = snapshot(&app_a, &sa).await;
    let processed_b = snapshot(&app_b, &sb).await;
    assert_processed(&processed_a);
    assert_eq!(processed_a, processed_b, "after processing");
    assert_eq!(stamps(&app_a).await.1, 1, "one processing stamp in A");
    assert_eq!(
        stamps(&app_b).await.1,
        8,
        "one processing stamp per call in B"
    );
}
