//! Review and feedback through GraphQL, on SQLite and PostgreSQL (D23, D26, reference §1.6): the
//! moves each track allows and refuses, claim by claim; sampled selections (RANDOM's count,
//! VALUE's and VARIANCE's thresholds on known data) by uuids and by `additionalFilters`; the
//! feedback prompt's officer and the refusal when none has a phone; `saveClaimReview`'s amounts,
//! versions and the all-rejected case; `deliverClaimsReview` and `deliverClaimFeedback`; callers
//! without the right, of another district or of another facility.
//!
//! The checked claims are written here as submission leaves them (lines passed, assigned to the
//! insured's policy), so that each selection and amount is known beforehand.

// The composed GraphQL roots nest deeply enough to pass rustc's default query depth.
#![recursion_limit = "256"]

use chrono::{Days, NaiveDate};
use imis_core::auth::Principal;
use imis_tests::fixtures::{self, Medical};
use imis_tests::{TestApp, on_each_app, one_i64};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const UPDATE: i32 = 111010;
const REVIEW: i32 = 111008;
const FEEDBACK: i32 = 111009;

/// A family of Douala insured by a new zero-contribution product covering PARA5 and C0001 at
/// 80 % (its policy is Active from its creation).
struct Insured {
    insuree_id: i64,
    product_id: i64,
    policy_id: i64,
    village_id: i64,
}

async fn insured(app: &TestApp, admin: &Principal, code: &str, chf_id: &str) -> Insured {
    insured_with(app, admin, code, chf_id, json!({})).await
}

/// [`insured`] with `para5` added to the product's PARA5 line (e.g. a maximum number).
async fn insured_with(
    app: &TestApp,
    admin: &Principal,
    code: &str,
    chf_id: &str,
    para5: Value,
) -> Insured {
    let line = |field: &str, uuid: &str| {
        json!({ field: uuid, "priceOrigin": "PRICELIST", "limitationType": "CO_INSURANCE",
            "limitAdult": "80", "limitChild": "80" })
    };
    let (_, para) = fixtures::medical_id(app, Medical::Item, "PARA5").await;
    let (_, consult) = fixtures::medical_id(app, Medical::Service, "C0001").await;
    let mut para_line = line("itemUuid", &para);
    for (k, v) in para5.as_object().expect("line extras") {
        para_line[k] = v.clone();
    }
    let extra = json!({ "items": [para_line], "services": [line("serviceUuid", &consult)] });
    let input = fixtures::product_input_with_lump_sum(code, "0", extra);
    let product_id = fixtures::create_product_from(app, admin, &input).await;
    let village_id = fixtures::first_village(app, "D0001").await;
    let family = fixtures::create_family(app, admin, village_id, chf_id).await;
    let policy = fixtures::create_policy_today(app, admin, family, product_id, "eo_douala").await;
    Insured {
        insuree_id: fixtures::insuree_id(app, chf_id).await,
        product_id,
        policy_id: fixtures::policy_id(app, &policy).await,
        village_id,
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

/// The ids of the first three diagnoses.
async fn diagnoses(app: &TestApp, admin: &Principal) -> (i64, i64, i64) {
    let d = app
        .ok(
            Some(admin),
            "{ diagnoses(first: 3) { edges { node { id } } } }",
        )
        .await;
    let id = |i: usize| {
        let gid = d["diagnoses"]["edges"][i]["node"]["id"]
            .as_str()
            .expect("a diagnosis");
        imis_core::graphql::parse_pk(gid, "DiagnosisGQLType").expect("diagnosis id")
    };
    (id(0), id(1), id(2))
}

/// A claim to write: its code, facility, status, main diagnosis, claim date and lines.
struct NewClaim<'a> {
    code: &'a str,
    facility: &'a str,
    status: i32,
    icd: i64,
    date: NaiveDate,
    /// (kind, medical code, quantity in hundredths, price asked in minor units).
    lines: Vec<(Medical, &'static str, i64, i64)>,
}

/// Writes a claim of `insured` (lines passed and, when checked or later, assigned to its
/// policy, as submission leaves them); returns its uuid.
async fn claim(app: &TestApp, insured: &Insured, c: NewClaim<'_>) -> String {
    let uuid = uuid::Uuid::now_v7();
    let now = app.state.clock.now();
    let claimed: i64 = c.lines.iter().map(|l| l.2 * l.3 / 100).sum();
    execute(
        app,
        "INSERT INTO claim_claim (uuid, code, code_search, insuree_id, health_facility_id, date_from, \
         date_claimed, icd_id, visit_type, category, status, claimed, approved, validity_from) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'O', 'V', ?, ?, ?, ?)",
        vec![
            uuid.into(),
            c.code.into(),
            c.code.to_lowercase().into(),
            insured.insuree_id.into(),
            fixtures::facility_id(app, c.facility).await.into(),
            c.date.into(),
            c.date.into(),
            c.icd.into(),
            c.status.into(),
            claimed.into(),
            claimed.into(),
            now.into(),
        ],
    )
    .await;
    let claim_id = claim_id(app, &uuid.to_string()).await;
    let assigned = c.status >= 4;
    for (kind, code, qty, asked) in c.lines {
        let (medical_id, _) = fixtures::medical_id(app, kind, code).await;
        let kind = match kind {
            Medical::Item => "I",
            Medical::Service => "S",
        };
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
                qty.into(),
                asked.into(),
                assigned.then_some(insured.product_id).into(),
                assigned.then_some(insured.policy_id).into(),
                assigned.then_some("P").into(),
                assigned.then_some("C").into(),
                assigned.then_some(8_000i64).into(),
                now.into(),
            ],
        )
        .await;
    }
    uuid.to_string()
}

/// A checked claim of one consultation at `facility`, claimed `amount` minor units, dated today.
async fn checked(
    app: &TestApp,
    ins: &Insured,
    code: &str,
    facility: &str,
    icd: i64,
    amount: i64,
) -> String {
    let today = app.state.clock.today();
    claim(
        app,
        ins,
        NewClaim {
            code,
            facility,
            status: 4,
            icd,
            date: today,
            lines: vec![(Medical::Service, "C0001", 100, amount)],
        },
    )
    .await
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

/// One integer column of a claim's current row.
async fn claim_int(app: &TestApp, uuid: &str, column: &str) -> i64 {
    let uuid = uuid::Uuid::parse_str(uuid).unwrap();
    one_i64(
        app,
        &format!(
            "SELECT CAST(COALESCE({column}, -99) AS BIGINT) FROM claim_claim WHERE uuid = ? AND validity_to IS NULL"
        ),
        vec![uuid.into()],
    )
    .await
}

async fn review_status(app: &TestApp, uuid: &str) -> i64 {
    claim_int(app, uuid, "review_status").await
}

async fn feedback_status(app: &TestApp, uuid: &str) -> i64 {
    claim_int(app, uuid, "feedback_status").await
}

/// Runs the bulk mutation `name` on `uuids` (and extra input) as `who`: the GraphQL call
/// succeeds; the outcome per claim is in the log.
async fn bulk(app: &TestApp, who: &Principal, name: &str, cmid: &str, uuids: &[&str], extra: &str) {
    let list = uuids
        .iter()
        .map(|u| format!("\"{u}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let q = format!(
        r#"mutation {{ {name}(input: {{ clientMutationId: "{cmid}", clientMutationLabel: "t", uuids: [{list}] {extra} }}) {{ clientMutationId internalId }} }}"#
    );
    app.ok(Some(who), &q).await;
}

/// Runs a bulk mutation by `additionalFilters` (and extra input) as `who`.
async fn bulk_filtered(
    app: &TestApp,
    who: &Principal,
    name: &str,
    cmid: &str,
    filters: Value,
    extra: &str,
) {
    let filters = serde_json::to_string(&filters.to_string()).unwrap();
    let q = format!(
        r#"mutation {{ {name}(input: {{ clientMutationId: "{cmid}", additionalFilters: {filters} {extra} }}) {{ internalId }} }}"#
    );
    app.ok(Some(who), &q).await;
}

/// The log row of `cmid`: its status and errors `(code, detail, message)`.
async fn log_of(
    app: &TestApp,
    admin: &Principal,
    cmid: &str,
) -> (i64, Vec<(String, String, String)>) {
    let q = format!(
        r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ edges {{ node {{ status error }} }} }} }}"#
    );
    let r = app.ok(Some(admin), &q).await;
    let node = &r["mutationLogs"]["edges"][0]["node"];
    let errors = node["error"]
        .as_str()
        .map(|e| serde_json::from_str::<Vec<Value>>(e).expect("error list"))
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("detail"), s("message"))
        })
        .collect();
    (node["status"].as_i64().expect("status"), errors)
}

/// The codes of the errors of `cmid`'s log.
async fn error_codes(app: &TestApp, admin: &Principal, cmid: &str) -> Vec<String> {
    log_of(app, admin, cmid)
        .await
        .1
        .into_iter()
        .map(|(code, _, _)| code)
        .collect()
}

/// A demo user given `rights` on top of its roles.
async fn with_rights(app: &TestApp, username: &str, rights: &[i32]) -> Principal {
    let mut p = app.principal(username).await;
    p.rights.extend(rights.iter().copied());
    p
}

fn day(app: &TestApp, days_before: u64) -> NaiveDate {
    app.state
        .clock
        .today()
        .checked_sub_days(Days::new(days_before))
        .unwrap()
}

#[tokio::test]
async fn each_track_allows_only_the_moves_of_the_reference() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let mo = app.principal("medofficer").await;
        let ins = insured(&app, &admin, "RVT1", "941000001").await;
        let (icd, _, _) = diagnoses(&app, &admin).await;
        let a = checked(&app, &ins, "RV-A", "HD0001", icd, 100_000).await;
        let b = checked(&app, &ins, "RV-B", "HD0001", icd, 100_000).await;
        let c = checked(&app, &ins, "RV-C", "HD0001", icd, 100_000).await;
        let entered = claim(
            &app,
            &ins,
            NewClaim {
                code: "RV-E",
                facility: "HD0001",
                status: 2,
                icd,
                date: app.state.clock.today(),
                lines: vec![(Medical::Service, "C0001", 100, 100_000)],
            },
        )
        .await;

        // Select A and an entered claim: A commits on its own, the entered claim is refused.
        bulk(
            &app,
            &mo,
            "selectClaimsForReview",
            "t-sel-1",
            &[&a, &entered],
            "",
        )
        .await;
        assert_eq!(review_status(&app, &a).await, 4);
        assert_eq!(review_status(&app, &entered).await, 1);
        let (status, errors) = log_of(&app, &admin, "t-sel-1").await;
        assert_eq!(status, 1);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            (errors[0].0.as_str(), errors[0].1.as_str()),
            ("claim.review_transition_invalid", entered.as_str())
        );
        assert!(errors[0].2.contains("RV-E"), "{}", errors[0].2);
        // Selected again: refused; bypassed: 16; then neither skip nor select.
        bulk(&app, &mo, "selectClaimsForReview", "t-sel-2", &[&a], "").await;
        assert_eq!(
            error_codes(&app, &admin, "t-sel-2").await,
            ["claim.review_transition_invalid"]
        );
        bulk(&app, &mo, "bypassClaimsReview", "t-byp-1", &[&a], "").await;
        assert_eq!(review_status(&app, &a).await, 16);
        assert_eq!(log_of(&app, &admin, "t-byp-1").await, (2, vec![]));
        for (name, cmid) in [
            ("skipClaimsReview", "t-skip-a"),
            ("selectClaimsForReview", "t-sel-a"),
        ] {
            bulk(&app, &mo, name, cmid, &[&a], "").await;
            assert_eq!(
                error_codes(&app, &admin, cmid).await,
                ["claim.review_transition_invalid"]
            );
            assert_eq!(review_status(&app, &a).await, 16);
        }

        // B: idle → not selected → selected → not selected; bypass from 2 is refused.
        bulk(&app, &mo, "skipClaimsReview", "t-b-1", &[&b], "").await;
        assert_eq!(review_status(&app, &b).await, 2);
        bulk(&app, &mo, "bypassClaimsReview", "t-b-2", &[&b], "").await;
        assert_eq!(
            error_codes(&app, &admin, "t-b-2").await,
            ["claim.review_transition_invalid"]
        );
        bulk(&app, &mo, "selectClaimsForReview", "t-b-3", &[&b], "").await;
        assert_eq!(review_status(&app, &b).await, 4);
        bulk(&app, &mo, "skipClaimsReview", "t-b-4", &[&b], "").await;
        assert_eq!(review_status(&app, &b).await, 2);
        // Each move kept the previous version.
        assert_eq!(
            app.history_count("claim_claim", Some(claim_id(&app, &b).await))
                .await,
            3
        );

        // C: delivery needs a selected claim; delivered, it books and publishes, then is final.
        bulk(&app, &mo, "deliverClaimsReview", "t-c-1", &[&c], "").await;
        assert_eq!(
            error_codes(&app, &admin, "t-c-1").await,
            ["claim.review_transition_invalid"]
        );
        bulk(&app, &mo, "selectClaimsForReview", "t-c-2", &[&c], "").await;
        bulk(&app, &mo, "deliverClaimsReview", "t-c-3", &[&c], "").await;
        assert_eq!(log_of(&app, &admin, "t-c-3").await, (2, vec![]));
        assert_eq!(review_status(&app, &c).await, 8);
        assert_eq!(
            claim_int(&app, &c, "audit_user_id_review").await,
            mo.user_id
        );
        assert_eq!(app.outbox_count("claim.reviewed", Some(&c)).await, 1);
        for (name, cmid) in [
            ("skipClaimsReview", "t-c-4"),
            ("bypassClaimsReview", "t-c-5"),
            ("deliverClaimsReview", "t-c-6"),
        ] {
            bulk(&app, &mo, name, cmid, &[&c], "").await;
            assert_eq!(
                error_codes(&app, &admin, cmid).await,
                ["claim.review_transition_invalid"]
            );
        }
        // A replayed delivery changes nothing.
        bulk(&app, &mo, "deliverClaimsReview", "t-c-3", &[&c], "").await;
        assert_eq!(app.outbox_count("claim.reviewed", Some(&c)).await, 1);

        // The feedback track: the same moves, its own status; the entered claim never moves.
        bulk(
            &app,
            &mo,
            "skipClaimsFeedback",
            "t-f-1",
            &[&a, &entered],
            "",
        )
        .await;
        assert_eq!(feedback_status(&app, &a).await, 2);
        assert_eq!(feedback_status(&app, &entered).await, 1);
        assert_eq!(
            error_codes(&app, &admin, "t-f-1").await,
            ["claim.feedback_transition_invalid"]
        );
        bulk(&app, &mo, "bypassClaimsFeedback", "t-f-2", &[&a], "").await;
        assert_eq!(
            error_codes(&app, &admin, "t-f-2").await,
            ["claim.feedback_transition_invalid"]
        );
        assert_eq!(
            review_status(&app, &a).await,
            16,
            "the review track is untouched"
        );
    })
    .await;
}

#[tokio::test]
async fn sampled_selections_pick_the_expected_claims() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let mo = app.principal("medofficer").await;
        let ins = insured(&app, &admin, "RVS1", "941000002").await;
        let (icd, other_icd, no_history_icd) = diagnoses(&app, &admin).await;

        // RANDOM 25 % of 10 idle claims: ⌈2.5⌉ = 3 selected, the 7 others not selected; a claim
        // already selected is no candidate and stays as it is.
        let mut random = vec![];
        for i in 0..10 {
            random.push(checked(&app, &ins, &format!("RND-{i}"), "CS0001", icd, 10_000).await);
        }
        let selected_before = checked(&app, &ins, "RND-X", "CS0001", icd, 10_000).await;
        bulk(&app, &mo, "selectClaimsForReview", "t-rnd-0", &[&selected_before], "").await;
        let mut all: Vec<&str> = random.iter().map(String::as_str).collect();
        all.push(&selected_before);
        bulk(&app, &mo, "selectClaimsForReview", "t-rnd-1", &all, r#", selectionType: RANDOM, selectionValue: "25""#).await;
        assert_eq!(log_of(&app, &admin, "t-rnd-1").await, (2, vec![]));
        let mut statuses = vec![];
        for u in &random {
            statuses.push(review_status(&app, u).await);
        }
        assert_eq!(statuses.iter().filter(|s| **s == 4).count(), 3, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 2).count(), 7, "{statuses:?}");
        assert_eq!(review_status(&app, &selected_before).await, 4);
        // Nothing idle is left: a second sampling moves nothing.
        bulk(&app, &mo, "selectClaimsForReview", "t-rnd-2", &all, r#", selectionType: RANDOM, selectionValue: "100""#).await;
        let mut again = vec![];
        for u in &random {
            again.push(review_status(&app, u).await);
        }
        assert_eq!(again, statuses);
        // Out-of-range values are refused, and logged.
        for (cmid, extra) in [
            ("t-rnd-3", r#", selectionType: RANDOM, selectionValue: "0""#),
            ("t-rnd-4", r#", selectionType: RANDOM, selectionValue: "100.5""#),
            ("t-val-0", r#", selectionType: VALUE, selectionValue: "-1""#),
            ("t-var-0", r#", selectionType: VARIANCE, selectionValue: "12.5""#),
        ] {
            let q = format!(
                r#"mutation {{ selectClaimsForFeedback(input: {{ clientMutationId: "{cmid}", uuids: ["{}"] {extra} }}) {{ internalId }} }}"#,
                random[0]
            );
            assert_eq!(app.err_code(Some(&mo), &q).await, "claim.selection_value_invalid");
            assert_eq!(log_of(&app, &admin, cmid).await.0, 1);
        }

        // VALUE 500 (the currency's units) by filter: the claims of 500 and 800 are selected for
        // feedback, the one of 499.99 is not; claims outside the filter are untouched. The
        // officer asked has a phone.
        create_officer(&app, &admin, "eo_tel_v", Some("+237 600 000 001"), ins.village_id, None).await;
        let low = checked(&app, &ins, "VAL-1", "CS0001", icd, 49_999).await;
        let mid = checked(&app, &ins, "VAL-2", "CS0001", icd, 50_000).await;
        let high = checked(&app, &ins, "VAL-3", "CS0001", icd, 80_000).await;
        bulk_filtered(&app, &mo, "selectClaimsForFeedback", "t-val-1", json!({ "code_Istartswith": "VAL-", "status": 4 }), r#", selectionType: VALUE, selectionValue: "500""#).await;
        assert_eq!(log_of(&app, &admin, "t-val-1").await, (2, vec![]));
        assert_eq!(feedback_status(&app, &low).await, 2);
        assert_eq!(feedback_status(&app, &mid).await, 4);
        assert_eq!(feedback_status(&app, &high).await, 4);
        assert_eq!(feedback_status(&app, &random[0]).await, 1);
        // An unknown filter is refused rather than ignored.
        let q = r#"mutation { selectClaimsForFeedback(input: { clientMutationId: "t-val-2", additionalFilters: "{\"colour\": 4}" }) { internalId } }"#;
        assert_eq!(app.err_code(Some(&mo), q).await, "claim.filters_invalid");
        // With uuids too, the filters choose among them.
        let q = format!(
            r#"mutation {{ skipClaimsReview(input: {{ clientMutationId: "t-val-3", uuids: ["{low}", "{mid}"], additionalFilters: "{{\"code\": \"VAL-2\"}}" }}) {{ internalId }} }}"#
        );
        app.ok(Some(&mo), &q).await;
        assert_eq!(log_of(&app, &admin, "t-val-3").await, (2, vec![]));
        assert_eq!((review_status(&app, &low).await, review_status(&app, &mid).await), (1, 2));

        // VARIANCE 50: the history of the main diagnosis (processed or valuated claims dated in
        // the 365 days before) averages (100 + 300) / 2 = 200, so the threshold is 300. Not in
        // it: a claim 366 days old, one of the same day, one only checked, another diagnosis's.
        for (code, status, days, amount, diagnosis) in [
            ("HIS-1", 8, 365, 10_000, icd),
            ("HIS-2", 16, 10, 30_000, icd),
            ("HIS-3", 16, 366, 9_000_000, icd),
            ("HIS-4", 8, 0, 9_000_000, icd),
            ("HIS-5", 4, 5, 9_000_000, icd),
            ("HIS-6", 16, 5, 1_000, other_icd),
        ] {
            claim(
                &app,
                &ins,
                NewClaim {
                    code,
                    facility: "DS0001",
                    status,
                    icd: diagnosis,
                    date: day(&app, days),
                    lines: vec![(Medical::Service, "C0001", 100, amount)],
                },
            )
            .await;
        }
        let at = checked(&app, &ins, "VAR-1", "HD0001", icd, 30_000).await;
        let below = checked(&app, &ins, "VAR-2", "HD0001", icd, 29_999).await;
        let no_history = checked(&app, &ins, "VAR-3", "HD0001", no_history_icd, 9_000_000).await;
        let other = checked(&app, &ins, "VAR-4", "HD0001", other_icd, 1_501).await;
        bulk(&app, &mo, "selectClaimsForReview", "t-var-1", &[&at, &below, &no_history, &other], r#", selectionType: VARIANCE, selectionValue: "50""#).await;
        assert_eq!(review_status(&app, &at).await, 4);
        assert_eq!(review_status(&app, &below).await, 2);
        assert_eq!(review_status(&app, &no_history).await, 2);
        // The other diagnosis: average 10.00, threshold 15.00: 15.01 is selected.
        assert_eq!(review_status(&app, &other).await, 4);
    })
    .await;
}

/// Creates an enrolment officer working in `village`, with an optional phone and last working
/// day; returns its user id.
async fn create_officer(
    app: &TestApp,
    admin: &Principal,
    username: &str,
    phone: Option<&str>,
    village: i64,
    works_to: Option<NaiveDate>,
) -> i64 {
    let phone = phone
        .map(|p| format!(r#", phone: "{p}""#))
        .unwrap_or_default();
    let works_to = works_to
        .map(|d| format!(r#", worksTo: "{d}""#))
        .unwrap_or_default();
    app.ok(
        Some(admin),
        &format!(
            r#"mutation {{ createUser(input: {{ username: "{username}", lastName: "Agent", otherNames: "{username}", language: "fr", villageIds: [{village}], userTypes: [OFFICER] {phone} {works_to} }}) {{ internalId }} }}"#
        ),
    )
    .await;
    fixtures::user_id(app, username).await
}

/// The open prompts of a claim: (officer id, phone, date).
async fn open_prompts(app: &TestApp, uuid: &str) -> Vec<(i64, String, NaiveDate)> {
    let id = claim_id(app, uuid).await;
    app.state
        .db
        .conn
        .query_all_raw(imis_core::db::stmt(
            app.state.db.backend(),
            "SELECT officer_id, phone_number, feedback_prompt_date FROM claim_feedback_prompt \
             WHERE claim_id = ? AND validity_to IS NULL ORDER BY id",
            vec![id.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get::<i64>("", "officer_id").unwrap(),
                r.try_get::<String>("", "phone_number").unwrap(),
                r.try_get::<NaiveDate>("", "feedback_prompt_date").unwrap(),
            )
        })
        .collect()
}

fn deliver_feedback(cmid: &str, uuid: &str, feedback: &str) -> String {
    format!(
        r#"mutation {{ deliverClaimFeedback(input: {{ clientMutationId: "{cmid}", claimUuid: "{uuid}", feedback: {{ {feedback} }} }}) {{ internalId }} }}"#
    )
}

#[tokio::test]
async fn feedback_prompts_the_first_officer_with_a_phone_and_records_the_feedback() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let mo = app.principal("medofficer").await;
        let eo = with_rights(&app, "eo_douala", &[FEEDBACK]).await;
        let ins = insured(&app, &admin, "RVF1", "941000003").await;
        let (icd, _, _) = diagnoses(&app, &admin).await;
        let f1 = checked(&app, &ins, "FB-1", "HD0001", icd, 10_000).await;
        let f2 = checked(&app, &ins, "FB-2", "HD0001", icd, 10_000).await;
        let village = imis_core::registers::location_code(&app.state.db.conn, ins.village_id)
            .await
            .unwrap()
            .expect("village code");

        // The demo officer of the village has no phone: refused, naming the village and him.
        bulk(&app, &mo, "selectClaimsForFeedback", "t-fb-1", &[&f1], "").await;
        let (_, errors) = log_of(&app, &admin, "t-fb-1").await;
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "claim.feedback_no_officer");
        assert!(errors[0].2.contains(&village) && errors[0].2.contains("eo_douala"), "{}", errors[0].2);
        assert_eq!(feedback_status(&app, &f1).await, 1);
        assert!(open_prompts(&app, &f1).await.is_empty());

        // An officer who stopped working yesterday is passed over; of two with a phone, the first.
        let yesterday = day(&app, 1);
        create_officer(&app, &admin, "eo_gone", Some("+237 600 000 009"), ins.village_id, Some(yesterday)).await;
        let first = create_officer(&app, &admin, "eo_tel_1", Some("+237 600 000 001"), ins.village_id, None).await;
        create_officer(&app, &admin, "eo_tel_2", Some("+237 600 000 002"), ins.village_id, None).await;
        bulk(&app, &mo, "selectClaimsForFeedback", "t-fb-2", &[&f1, &f2], "").await;
        assert_eq!(log_of(&app, &admin, "t-fb-2").await, (2, vec![]));
        let today = app.state.clock.today();
        assert_eq!(open_prompts(&app, &f1).await, [(first, "+237 600 000 001".to_string(), today)]);
        assert_eq!(feedback_status(&app, &f1).await, 4);

        // Skipping ends the prompt.
        bulk(&app, &mo, "skipClaimsFeedback", "t-fb-3", &[&f2], "").await;
        assert!(open_prompts(&app, &f2).await.is_empty());
        assert_eq!(feedback_status(&app, &f2).await, 2);
        // Feedback on a claim not selected is refused.
        let q = deliver_feedback("t-fb-4", &f2, &format!(r#"feedbackDate: "{today}", careRendered: true"#));
        assert_eq!(app.err_code(Some(&eo), &q).await, "claim.feedback_transition_invalid");

        // Refusals: a date in the future, an assessment out of range, an unknown officer.
        let tomorrow = today.checked_add_days(Days::new(1)).unwrap();
        for (cmid, feedback, code) in [
            ("t-fb-5", format!(r#"feedbackDate: "{tomorrow}""#), "claim.feedback_date_future"),
            ("t-fb-6", format!(r#"feedbackDate: "{today}", asessment: 6"#), "input.invalid"),
            ("t-fb-7", format!(r#"feedbackDate: "{today}", officerId: 999999"#), "claim.feedback_officer_unknown"),
            ("t-fb-8", "careRendered: true".to_string(), "input.invalid"),
        ] {
            assert_eq!(app.err_code(Some(&eo), &deliver_feedback(cmid, &f1, &feedback)).await, code, "{cmid}");
        }
        assert_eq!(feedback_status(&app, &f1).await, 4);

        // Delivered: status 8, available, the prompt closed, the prompted officer recorded.
        let q = deliver_feedback("t-fb-9", &f1, &format!(r#"feedbackDate: "{today}T10:30:00", careRendered: true, paymentAsked: false, drugPrescribed: true, drugReceived: true, asessment: 4"#));
        app.ok(Some(&eo), &q).await;
        assert_eq!(feedback_status(&app, &f1).await, 8);
        assert_eq!(
            claim_int(&app, &f1, "CASE WHEN feedback_available THEN 1 ELSE 0 END").await,
            1
        );
        assert!(open_prompts(&app, &f1).await.is_empty());
        let id = claim_id(&app, &f1).await;
        let feedback = |column: &str| format!("SELECT CAST({column} AS BIGINT) FROM claim_feedback WHERE claim_id = ? AND validity_to IS NULL");
        assert_eq!(one_i64(&app, &feedback("asessment"), vec![id.into()]).await, 4);
        assert_eq!(one_i64(&app, &feedback("officer_id"), vec![id.into()]).await, first);
        // A correction: one current row, the previous one in history.
        let q = deliver_feedback("t-fb-10", &f1, &format!(r#"feedbackDate: "{today}", asessment: 5"#));
        app.ok(Some(&eo), &q).await;
        assert_eq!(one_i64(&app, &feedback("asessment"), vec![id.into()]).await, 5);
        assert_eq!(app.count("claim_feedback", &format!("claim_id = {id} AND validity_to IS NULL")).await, 1);
        assert_eq!(app.history_count("claim_feedback", None).await, 1);
    })
    .await;
}

const SAVE: &str =
    r#"mutation($i: SaveClaimReviewMutationInput!) { saveClaimReview(input: $i) { internalId } }"#;

/// The current lines of a claim, items then services: (id, status, rejection reason, qty
/// approved or −1, price approved or −1, reviewed).
async fn lines(app: &TestApp, uuid: &str) -> Vec<(i64, i64, i64, i64, i64, bool)> {
    let id = claim_id(app, uuid).await;
    app.state
        .db
        .conn
        .query_all_raw(imis_core::db::stmt(
            app.state.db.backend(),
            "SELECT id, CAST(status AS BIGINT) AS status, CAST(COALESCE(rejection_reason, -99) AS BIGINT) AS reason, \
             COALESCE(qty_approved, -1) AS qty, COALESCE(price_approved, -1) AS price, \
             CASE WHEN validity_from_review IS NULL THEN 0 ELSE 1 END AS reviewed \
             FROM claim_detail WHERE claim_id = ? AND validity_to IS NULL ORDER BY kind, id",
            vec![id.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let v = |c: &str| r.try_get::<i64>("", c).or_else(|_| r.try_get::<i32>("", c).map(i64::from)).unwrap();
            (v("id"), v("status"), v("reason"), v("qty"), v("price"), v("reviewed") == 1)
        })
        .collect()
}

#[tokio::test]
async fn a_review_recomputes_approved_and_rejecting_every_line_rejects_the_claim() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let mo = app.principal("medofficer").await;
        let ins = insured(&app, &admin, "RVR1", "941000004").await;
        let (icd, _, _) = diagnoses(&app, &admin).await;
        let (para, _) = fixtures::medical_id(&app, Medical::Item, "PARA5").await;
        let (consult, _) = fixtures::medical_id(&app, Medical::Service, "C0001").await;
        let today = app.state.clock.today();
        let two_lines = |code| NewClaim {
            code,
            facility: "HD0001",
            status: 4,
            icd,
            date: today,
            // 3 × 12.00 and 1 × 20.00: claimed 56.00.
            lines: vec![(Medical::Item, "PARA5", 300, 1_200), (Medical::Service, "C0001", 100, 2_000)],
        };
        let r1 = claim(&app, &ins, two_lines("RR-1")).await;
        let r2 = claim(&app, &ins, two_lines("RR-2")).await;
        let before = lines(&app, &r1).await;
        let (item_line, service_line) = (before[0].0, before[1].0);

        // Approve 2 of the 3 items at 10.00, reject the service: approved = 20.00.
        let review = json!({ "clientMutationId": "t-rv-1", "claimUuid": r1, "adjustment": "Deux comprimés suffisaient",
            "items": [{ "id": item_line, "itemId": para, "status": 1, "qtyApproved": "2", "priceApproved": "10" }],
            "services": [{ "id": service_line, "serviceId": consult, "status": 2, "rejectionReason": 12 }] });
        app.ok_vars(Some(&mo), SAVE, json!({ "i": review })).await;
        assert_eq!(
            lines(&app, &r1).await,
            [(item_line, 1, 0, 200, 1_000, true), (service_line, 2, -1, -1, -1, true)]
        );
        assert_eq!(claim_int(&app, &r1, "approved").await, 2_000);
        assert_eq!(claim_int(&app, &r1, "status").await, 4);
        assert_eq!(app.history_count("claim_detail", Some(item_line)).await, 1);
        assert_eq!(app.history_count("claim_claim", Some(claim_id(&app, &r1).await)).await, 1);

        // Passing the service again (the reviewer rejected it) and naming the item by its item
        // id: approved = 2 × 10.00 + 1 × 20.00 = 40.00.
        let review = json!({ "clientMutationId": "t-rv-2", "claimUuid": r1,
            "items": [{ "itemId": para, "status": 1 }],
            "services": [{ "id": service_line, "serviceId": consult, "status": 1 }] });
        app.ok_vars(Some(&mo), SAVE, json!({ "i": review })).await;
        assert_eq!(claim_int(&app, &r1, "approved").await, 4_000);
        assert_eq!(lines(&app, &r1).await[1].2, 0);
        // The item was named but not changed: no new version of it.
        assert_eq!(app.history_count("claim_detail", Some(item_line)).await, 1);
        assert_eq!(app.history_count("claim_detail", Some(service_line)).await, 2);

        // Refusals: more than provided, an unknown line, a line rejected by the checks.
        let too_many = json!({ "clientMutationId": "t-rv-3", "claimUuid": r1,
            "items": [{ "id": item_line, "itemId": para, "status": 1, "qtyApproved": "3.01" }] });
        assert_eq!(app.err_code_vars(Some(&mo), SAVE, json!({ "i": too_many })).await, "claim.review_qty_above_provided");
        let unknown = json!({ "clientMutationId": "t-rv-4", "claimUuid": r1,
            "items": [{ "id": service_line, "itemId": para, "status": 1 }] });
        assert_eq!(app.err_code_vars(Some(&mo), SAVE, json!({ "i": unknown })).await, "claim.review_line_unknown");
        execute(&app, "UPDATE claim_detail SET status = 2, rejection_reason = 3 WHERE id = ?", vec![item_line.into()]).await;
        let pass = json!({ "clientMutationId": "t-rv-5", "claimUuid": r1,
            "items": [{ "id": item_line, "itemId": para, "status": 1 }] });
        assert_eq!(app.err_code_vars(Some(&mo), SAVE, json!({ "i": pass })).await, "claim.review_line_rejected_by_checks");
        assert_eq!(claim_int(&app, &r1, "approved").await, 4_000);

        // Every line rejected: the claim is Rejected, with reason 1 and nothing approved.
        let r2_lines = lines(&app, &r2).await;
        let reject_all = json!({ "clientMutationId": "t-rv-6", "claimUuid": r2,
            "items": [{ "id": r2_lines[0].0, "itemId": para, "status": 2 }],
            "services": [{ "id": r2_lines[1].0, "serviceId": consult, "status": 2 }] });
        app.ok_vars(Some(&mo), SAVE, json!({ "i": reject_all })).await;
        assert_eq!(claim_int(&app, &r2, "status").await, 1);
        assert_eq!(claim_int(&app, &r2, "rejection_reason").await, 1);
        assert_eq!(claim_int(&app, &r2, "approved").await, 0);
        // Subscribers learn the change: `claim.reviewed` with the Rejected status, once.
        let r2_id = claim_id(&app, &r2).await;
        let reviewed: Vec<Value> = app
            .outbox_payloads("claim.reviewed")
            .await
            .into_iter()
            .filter(|p| p["claimId"] == r2_id)
            .collect();
        assert_eq!(reviewed.len(), 1, "{reviewed:?}");
        assert_eq!((reviewed[0]["status"].as_i64(), reviewed[0]["approved"].as_i64()), (Some(1), Some(0)));
        assert_eq!(reviewed[0]["claimUuid"], r2);
        // Saving a review that leaves lines passed publishes nothing (delivery does).
        assert_eq!(app.outbox_count("claim.reviewed", Some(&r1)).await, 0);
        assert_eq!(
            app.err_code_vars(Some(&mo), SAVE, json!({ "i": { "clientMutationId": "t-rv-7", "claimUuid": r2 } })).await,
            "claim.not_reviewable"
        );

        // submitReview delivers: only for a claim selected for review.
        let deliver = json!({ "clientMutationId": "t-rv-8", "claimUuid": r1, "submitReview": true });
        assert_eq!(app.err_code_vars(Some(&mo), SAVE, json!({ "i": deliver })).await, "claim.review_transition_invalid");
        bulk(&app, &mo, "selectClaimsForReview", "t-rv-9", &[&r1], "").await;
        let deliver = json!({ "clientMutationId": "t-rv-10", "claimUuid": r1, "submitReview": true });
        app.ok_vars(Some(&mo), SAVE, json!({ "i": deliver })).await;
        assert_eq!(review_status(&app, &r1).await, 8);
        assert_eq!(app.outbox_count("claim.reviewed", Some(&r1)).await, 1);
        // Delivered: no further review.
        let again = json!({ "clientMutationId": "t-rv-11", "claimUuid": r1, "adjustment": "x" });
        assert_eq!(app.err_code_vars(Some(&mo), SAVE, json!({ "i": again })).await, "claim.not_reviewable");
    })
    .await;
}

#[tokio::test]
async fn callers_without_the_right_or_out_of_scope_change_nothing() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let ins = insured(&app, &admin, "RVA1", "941000005").await;
        let (icd, _, _) = diagnoses(&app, &admin).await;
        let at_hospital = checked(&app, &ins, "SC-1", "HD0001", icd, 10_000).await;
        let at_centre = checked(&app, &ins, "SC-2", "CS0001", icd, 10_000).await;
        let (consult, _) = fixtures::medical_id(&app, Medical::Service, "C0001").await;
        let today = app.state.clock.today();

        // No right: refused before anything is read, and logged.
        let clerk = app.principal("clerk").await;
        for name in ["selectClaimsForReview", "skipClaimsReview", "bypassClaimsReview", "selectClaimsForFeedback", "skipClaimsFeedback", "bypassClaimsFeedback", "deliverClaimsReview"] {
            let q = format!(r#"mutation {{ {name}(input: {{ clientMutationId: "t-no-{name}", uuids: ["{at_hospital}"] }}) {{ internalId }} }}"#);
            assert_eq!(app.err_code(Some(&clerk), &q).await, "auth.permission_denied", "{name}");
        }
        let save = json!({ "clientMutationId": "t-no-save", "claimUuid": at_hospital });
        assert_eq!(app.err_code_vars(Some(&clerk), SAVE, json!({ "i": save })).await, "auth.permission_denied");
        let q = deliver_feedback("t-no-fb", &at_hospital, &format!(r#"feedbackDate: "{today}""#));
        assert_eq!(app.err_code(Some(&clerk), &q).await, "auth.permission_denied");

        // Another district: the claims are not found, one by one; a filter finds none.
        let edea = with_rights(&app, "eo_edea", &[UPDATE, REVIEW, FEEDBACK, 111001]).await;
        bulk(&app, &edea, "selectClaimsForReview", "t-d2-1", &[&at_hospital, &at_centre], "").await;
        assert_eq!(error_codes(&app, &admin, "t-d2-1").await, ["not_found", "not_found"]);
        bulk_filtered(&app, &edea, "skipClaimsReview", "t-d2-2", json!({ "status": 4 }), "").await;
        assert_eq!(log_of(&app, &admin, "t-d2-2").await, (2, vec![]));
        let save = json!({ "clientMutationId": "t-d2-3", "claimUuid": at_hospital,
            "services": [{ "serviceId": consult, "status": 2 }] });
        assert_eq!(app.err_code_vars(Some(&edea), SAVE, json!({ "i": save })).await, "not_found");
        let q = deliver_feedback("t-d2-4", &at_hospital, &format!(r#"feedbackDate: "{today}""#));
        assert_eq!(app.err_code(Some(&edea), &q).await, "not_found");

        // A claim administrator reaches its own facility's claims only.
        let ca = with_rights(&app, "claimadmin", &[UPDATE]).await;
        bulk(&app, &ca, "skipClaimsReview", "t-ca-1", &[&at_hospital, &at_centre], "").await;
        assert_eq!(error_codes(&app, &admin, "t-ca-1").await, ["not_found"]);
        assert_eq!(review_status(&app, &at_hospital).await, 2);
        for u in [&at_centre] {
            assert_eq!(review_status(&app, u).await, 1);
            assert_eq!(feedback_status(&app, u).await, 1);
            assert_eq!(claim_int(&app, u, "approved").await, 10_000);
        }
    })
    .await;
}

const SUBMIT: &str = r#"mutation($cmid: String, $uuids: [String]) {
  submitClaims(input: { clientMutationId: $cmid, clientMutationLabel: "submit", uuids: $uuids }) {
    internalId
  }
}"#;
const PROCESS: &str = r#"mutation($cmid: String, $uuids: [String!]!) {
  processClaims(input: { clientMutationId: $cmid, clientMutationLabel: "process", uuids: $uuids }) {
    internalId
  }
}"#;

/// What the facility desk sees of PARA5 for insuree `chf_id`: (items left, eligible).
async fn para5_left(app: &TestApp, admin: &Principal, chf_id: &str) -> (Option<i64>, bool) {
    let q = format!(
        r#"{{ policyItemEligibilityByInsuree(chfId: "{chf_id}", itemCode: "PARA5") {{ itemLeft isItemOk }} }}"#
    );
    let e = &app.ok(Some(admin), &q).await["policyItemEligibilityByInsuree"];
    (
        e["itemLeft"].as_i64(),
        e["isItemOk"].as_bool().expect("isItemOk"),
    )
}

#[tokio::test]
async fn eligibility_counts_follow_the_review() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let mo = app.principal("medofficer").await;
        let chf = "941000006";
        let ins = insured_with(&app, &admin, "RVU1", chf, json!({ "limitNoAdult": 5 })).await;
        let (icd, _, _) = diagnoses(&app, &admin).await;
        let (para, _) = fixtures::medical_id(&app, Medical::Item, "PARA5").await;
        let today = app.state.clock.today();
        let entered = |code, qty| NewClaim {
            code,
            facility: "HD0001",
            status: 2,
            icd,
            date: today,
            lines: vec![(Medical::Item, "PARA5", qty, 1_000)],
        };
        let first = claim(&app, &ins, entered("RU-1", 300)).await;
        let second = claim(&app, &ins, entered("RU-2", 100)).await;
        assert_eq!(para5_left(&app, &admin, chf).await, (Some(5), true));
        app.ok_vars(
            Some(&admin),
            SUBMIT,
            json!({ "cmid": "ru-submit", "uuids": [&first, &second] }),
        )
        .await;
        assert_eq!(claim_int(&app, &first, "status").await, 4);
        assert_eq!(claim_int(&app, &second, "status").await, 4);
        // 3 + 1 used.
        assert_eq!(para5_left(&app, &admin, chf).await, (Some(1), true));

        // The reviewer approves 1 of the 3: 1 + 1 used.
        let line = lines(&app, &first).await[0].0;
        let review = json!({ "clientMutationId": "ru-review", "claimUuid": first,
            "items": [{ "id": line, "itemId": para, "status": 1, "qtyApproved": "1" }] });
        app.ok_vars(Some(&mo), SAVE, json!({ "i": review })).await;
        assert_eq!(para5_left(&app, &admin, chf).await, (Some(3), true));
        // Delivering the review and processing the claim keep the approved quantity.
        bulk(
            &app,
            &mo,
            "selectClaimsForReview",
            "ru-select",
            &[&first],
            "",
        )
        .await;
        bulk(
            &app,
            &mo,
            "deliverClaimsReview",
            "ru-deliver",
            &[&first],
            "",
        )
        .await;
        assert_eq!(review_status(&app, &first).await, 8);
        assert_eq!(para5_left(&app, &admin, chf).await, (Some(3), true));
        app.ok_vars(
            Some(&admin),
            PROCESS,
            json!({ "cmid": "ru-process", "uuids": [&first] }),
        )
        .await;
        assert_eq!(claim_int(&app, &first, "status").await, 16);
        assert_eq!(para5_left(&app, &admin, chf).await, (Some(3), true));

        // The reviewer rejects the other claim's only line: the claim is Rejected and uses
        // nothing any more.
        let line = lines(&app, &second).await[0].0;
        let reject = json!({ "clientMutationId": "ru-reject", "claimUuid": second,
            "items": [{ "id": line, "itemId": para, "status": 2 }] });
        app.ok_vars(Some(&mo), SAVE, json!({ "i": reject })).await;
        assert_eq!(claim_int(&app, &second, "status").await, 1);
        assert_eq!(para5_left(&app, &admin, chf).await, (Some(4), true));
    })
    .await;
}
