//! The policy module: dates and value computed by the server (D11–D14, reference §7.2 and §7.3
//! worked examples), refusals, zero-value policies (D15), renewals (D12, §7.9), updates of Idle
//! policies, coverage after each insuree event (D16), activation options (D15), eligibility with
//! and without pushed claim usage (§7.6) and the facility-desk exception (D9), the `policies`
//! filters and location scope, the expiry and renewal-reminder jobs (D17, §7.9), deletion, and the
//! rights of every operation.
//!
//! "Today" is the application clock's: dates are either in the past (enrolment in the past is
//! allowed) with products valid since 2020, or built relative to today.

// The composed GraphQL schema of the harness is deeper than rustc's default query depth.
#![recursion_limit = "256"]

use chrono::NaiveDate;
use imis_core::auth::Principal;
use imis_core::dates::add_months;
use imis_policy::api::{
    self as usage, ActivationOutcome, ClaimUsage, Consumption, PremiumAction, UsageLine,
};
use imis_tests::fixtures::{
    Medical, date_string as ds, family_id_of_head, family_uuid, first_village as village,
    insuree_id, insuree_uuid, location_id, location_uuid, medical_id, product_id, product_uuid_of,
    renewal_chf_ids, user_id,
};
use imis_tests::{TestApp, TestDb, on_each_app, on_each_db, one_i64};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::str::FromStr;

const CREATE: &str = "mutation($i: CreatePolicyMutationInput!) { createPolicy(input: $i) { clientMutationId internalId } }";
const RENEW: &str = "mutation($i: RenewPolicyMutationInput!) { renewPolicy(input: $i) { clientMutationId internalId } }";
const UPDATE: &str = "mutation($i: UpdatePolicyMutationInput!) { updatePolicy(input: $i) { clientMutationId internalId } }";
const SUSPEND: &str =
    "mutation($i: SuspendPoliciesMutationInput!) { suspendPolicies(input: $i) { internalId } }";
const DELETE: &str =
    "mutation($i: DeletePoliciesMutationInput!) { deletePolicies(input: $i) { internalId } }";
const VALUES: &str = "query($s: String!, $d: DateTime!, $p: Int, $f: Int!, $prev: String) {
    policyValues(stage: $s, enrollDate: $d, productId: $p, familyId: $f, prevUuid: $prev) {
        policy { startDate expiryDate value stage status } warnings } }";
const FIELDS: &str = "uuid stage status value enrollDate startDate effectiveDate expiryDate sumPremiums balance
    validityTo product { code } family { uuid } officer { code }
    insureePolicies { totalCount edges { node { insuree { chfId } startDate effectiveDate expiryDate } } }";

// ---------------------------------------------------------------------------------------------
// Helpers

async fn ok(app: &TestApp, who: Option<&Principal>, q: &str, vars: Value) -> Value {
    app.ok_vars(who, q, vars).await
}

async fn err(app: &TestApp, who: Option<&Principal>, q: &str, vars: Value) -> String {
    app.err_code_vars(who, q, vars).await
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A GraphQL Decimal (a string).
fn amount(v: &Value) -> Decimal {
    dec(v.as_str().unwrap_or_else(|| panic!("not an amount: {v}")))
}

async fn product_uuid(app: &TestApp, code: &str) -> String {
    product_uuid_of(app, product_id(app, code).await).await
}

/// Creates a product (national, sold 2020-01-01..2035-12-31, 12 months, no fees unless given)
/// and returns its id.
async fn product(app: &TestApp, admin: &Principal, code: &str, extra: Value) -> i64 {
    let mut i = json!({
        "code": code,
        "name": format!("Produit {code}"),
        "dateFrom": "2020-01-01",
        "dateTo": "2035-12-31",
        "insurancePeriod": 12,
    });
    for (k, v) in extra.as_object().expect("object") {
        i[k] = v.clone();
    }
    imis_tests::fixtures::create_product_from(app, admin, &i).await
}

/// A family created through GraphQL; `members` maps insurance numbers to insuree ids.
struct Family {
    id: i64,
    uuid: String,
    members: BTreeMap<String, i64>,
}

/// A family whose head (born `dob`) has the insurance number `chf`; `extra` is added to the
/// head's input.
async fn family_with(
    app: &TestApp,
    who: &Principal,
    village: i64,
    chf: &str,
    dob: &str,
    extra: &str,
) -> Family {
    ok(
        app,
        Some(who),
        &format!(
            r#"mutation {{ createFamily(input: {{ locationId: {village}, familyTypeId: "H", poverty: false,
                headInsuree: {{ chfId: "{chf}", lastName: "Famille{chf}", otherNames: "Chef", genderId: "M", dob: "{dob}", marital: "M" {extra} }} }}) {{ internalId }} }}"#
        ),
        json!({}),
    )
    .await;
    let id = family_id_of_head(app, chf).await;
    let uuid = family_uuid(app, id).await;
    let mut members = BTreeMap::new();
    members.insert(chf.to_string(), insuree_id(app, chf).await);
    Family { id, uuid, members }
}

async fn family(app: &TestApp, who: &Principal, village: i64, chf: &str, dob: &str) -> Family {
    family_with(app, who, village, chf, dob, "").await
}

/// Adds a member through `createInsuree` (`extra` is added to the input).
async fn member(
    app: &TestApp,
    who: &Principal,
    fam: &mut Family,
    chf: &str,
    dob: &str,
    relationship: i32,
    extra: &str,
) -> i64 {
    ok(
        app,
        Some(who),
        &format!(
            r#"mutation {{ createInsuree(input: {{ familyId: {}, chfId: "{chf}", lastName: "Membre", otherNames: "M{chf}",
                genderId: "F", dob: "{dob}", relationshipId: {relationship} {extra} }}) {{ internalId }} }}"#,
            fam.id
        ),
        json!({}),
    )
    .await;
    let id = insuree_id(app, chf).await;
    fam.members.insert(chf.to_string(), id);
    id
}

fn policy_input(fam: &Family, product: i64, officer: i64, enroll: &str) -> Value {
    json!({
        "uuid": uuid::Uuid::now_v7().to_string(),
        "familyId": fam.id,
        "productId": product,
        "officerId": officer,
        "enrollDate": enroll,
    })
}

fn with(mut v: Value, extra: Value) -> Value {
    for (k, x) in extra.as_object().expect("object") {
        v[k] = x.clone();
    }
    v
}

/// `createPolicy` and the new policy's uuid.
async fn create(app: &TestApp, who: &Principal, input: Value) -> String {
    ok(app, Some(who), CREATE, json!({ "i": input.clone() })).await;
    input["uuid"].as_str().expect("uuid").to_string()
}

async fn renew(app: &TestApp, who: &Principal, input: Value) -> String {
    ok(app, Some(who), RENEW, json!({ "i": input.clone() })).await;
    input["uuid"].as_str().expect("uuid").to_string()
}

/// A policy as `policies(uuid:)` gives it to the administrator.
async fn policy(app: &TestApp, uuid: &str) -> Value {
    let admin = app.principal("Admin").await;
    let v = ok(
        app,
        Some(&admin),
        &format!(
            r#"{{ policies(uuid: "{uuid}") {{ totalCount edges {{ node {{ {FIELDS} }} }} }} }}"#
        ),
        json!({}),
    )
    .await;
    assert_eq!(v["policies"]["totalCount"], 1, "policy {uuid}: {v}");
    v["policies"]["edges"][0]["node"].clone()
}

/// Coverage rows of a policy node: insurance number → (effective date, expiry date).
fn rows(p: &Value) -> BTreeMap<String, (Value, String)> {
    p["insureePolicies"]["edges"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["insuree"]["chfId"].as_str().expect("chfId").to_string(),
                (
                    n["effectiveDate"].clone(),
                    n["expiryDate"].as_str().expect("expiry").to_string(),
                ),
            )
        })
        .collect()
}

fn chfs(p: &Value) -> Vec<String> {
    rows(p).into_keys().collect()
}

async fn policy_pk(app: &TestApp, uuid: &str) -> i64 {
    let u = uuid::Uuid::parse_str(uuid).expect("uuid");
    one_i64(
        app,
        "SELECT id FROM policy_policy WHERE uuid = ?",
        vec![u.into()],
    )
    .await
}

/// Records a premium as the payment module would (D15), in its own transaction.
async fn premium(
    app: &TestApp,
    uuid: &str,
    paid_total: i64,
    pay_date: NaiveDate,
    action: PremiumAction,
) -> ActivationOutcome {
    let policy_id = policy_pk(app, uuid).await;
    let tx = app.state.db.begin_write().await.expect("tx");
    let out = imis_policy::api::record_contribution(
        &app.state,
        &tx,
        None,
        imis_policy::api::Contribution {
            policy_id,
            paid_total,
            pay_date,
            action,
        },
    )
    .await
    .expect("record premium");
    tx.commit().await.expect("commit");
    out
}

async fn matched(app: &TestApp, uuid: &str, amount: i64, date: NaiveDate) -> ActivationOutcome {
    let policy_id = policy_pk(app, uuid).await;
    let tx = app.state.db.begin_write().await.expect("tx");
    let out =
        imis_policy::api::record_matched_payment(&app.state, &tx, None, policy_id, amount, date)
            .await
            .expect("record matched");
    tx.commit().await.expect("commit");
    out
}

async fn covered(app: &TestApp, insuree: i64, on: NaiveDate) -> Vec<String> {
    imis_policy::api::covering(&app.state.db.conn, insuree, on)
        .await
        .expect("covering")
        .into_iter()
        .map(|c| c.policy.uuid.to_string())
        .collect()
}

async fn mutation_warnings(app: &TestApp, cmid: &str) -> Vec<Value> {
    let admin = app.principal("Admin").await;
    let v = ok(
        app,
        Some(&admin),
        &format!(r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ edges {{ node {{ status jsonExt }} }} }} }}"#),
        json!({}),
    )
    .await;
    let node = &v["mutationLogs"]["edges"][0]["node"];
    match node["jsonExt"].as_str() {
        None => vec![],
        Some(s) => {
            let j: Value = serde_json::from_str(s).expect("jsonExt");
            j["warnings"].as_array().cloned().unwrap_or_default()
        }
    }
}

async fn values(
    app: &TestApp,
    who: &Principal,
    stage: &str,
    enroll: &str,
    product: i64,
    fam: &Family,
    prev: Option<&str>,
) -> Value {
    ok(
        app,
        Some(who),
        VALUES,
        json!({ "s": stage, "d": enroll, "p": product, "f": fam.id, "prev": prev }),
    )
    .await["policyValues"]
        .clone()
}

fn today(app: &TestApp) -> NaiveDate {
    app.state.clock.today()
}

fn app_config(db: &TestDb, policy: &[(&str, u32)]) -> imis_core::config::Config {
    let mut cfg = db.config();
    cfg.module.insert(
        "policy".into(),
        figment::value::Value::from(
            policy
                .iter()
                .map(|(k, v)| (k.to_string(), figment::value::Value::from(*v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    );
    cfg
}

// ---------------------------------------------------------------------------------------------
// Dates and value

#[tokio::test]
async fn value_examples_of_the_reference_with_d13_choices() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        // §7.3: 2 adults, PA 300, PC 200, registration lump 250, assembly lump 130.
        let p1 = product(&app, &admin, "VAL1", json!({ "premiumAdult": "300", "premiumChild": "200",
            "registrationLumpSum": "250", "generalAssemblyLumpSum": "130" })).await;
        // Lump 200, threshold 2, registration fee 10, assembly fee 5.
        let p2 = product(&app, &admin, "VAL2", json!({ "lumpSum": "200", "threshold": 2, "premiumAdult": "300",
            "premiumChild": "200", "registrationFee": "10", "generalAssemblyFee": "5" })).await;
        // Max 2, threshold 1.
        let p3 = product(&app, &admin, "VAL3", json!({ "lumpSum": "200", "threshold": 1, "maxMembers": 2,
            "premiumAdult": "300", "premiumChild": "200", "registrationFee": "10", "generalAssemblyFee": "5" })).await;
        // D13: the threshold is ignored in per-member mode.
        let p4 = product(&app, &admin, "VAL4", json!({ "threshold": 1, "premiumAdult": "300", "premiumChild": "200" })).await;

        let mut f = family(&app, &admin, v1, "910000001", "1980-03-01").await;
        member(&app, &admin, &mut f, "910000002", "1982-07-15", 8, "").await;
        let value = |v: &Value| amount(&v["policy"]["value"]);
        let enroll = "2021-01-10";
        assert_eq!(value(&values(&app, &admin, "N", enroll, p1, &f, None).await), dec("980"));
        assert_eq!(value(&values(&app, &admin, "N", enroll, p2, &f, None).await), dec("230"));
        let v3 = values(&app, &admin, "N", enroll, p3, &f, None).await;
        assert_eq!(value(&v3), dec("530"));
        assert_eq!(v3["warnings"].as_array().unwrap().len(), 0);
        assert_eq!(v3["policy"]["stage"], "N");
        assert_eq!(v3["policy"]["status"], 1);
        member(&app, &admin, &mut f, "910000003", "2015-05-05", 4, "").await;
        assert_eq!(value(&values(&app, &admin, "N", enroll, p1, &f, None).await), dec("1180"));
        assert_eq!(value(&values(&app, &admin, "N", enroll, p2, &f, None).await), dec("445"));
        assert_eq!(value(&values(&app, &admin, "N", enroll, p4, &f, None).await), dec("800"));
        // A third member beyond max 2 is ignored, with a warning (in the caller's language).
        let v3 = values(&app, &admin, "N", enroll, p3, &f, None).await;
        assert_eq!(value(&v3), dec("530"));
        let w = v3["warnings"].as_array().unwrap();
        assert_eq!(w.len(), 1, "{v3}");
        assert!(w[0].as_str().unwrap().contains('3') && w[0].as_str().unwrap().contains('2'), "{w:?}");

        // createPolicy stores the same value; only the two adults kept get coverage rows, and the
        // warning reaches the mutation log.
        let input = with(policy_input(&f, p3, eo, enroll), json!({ "clientMutationId": "val-3" }));
        let u = create(&app, &admin, input).await;
        let p = policy(&app, &u).await;
        assert_eq!(amount(&p["value"]), dec("530"));
        assert_eq!(p["status"], 1);
        assert_eq!(chfs(&p), ["910000001", "910000002"]);
        let warnings = mutation_warnings(&app, "val-3").await;
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0]["code"], "policy.validation.members_count_above_max");
        assert_eq!(warnings[0]["params"]["max"], 2);
        assert_eq!(warnings[0]["params"]["count"], 3);

        // Fees: assembly always, registration only for new policies (per member without lumps).
        let fees = product(&app, &admin, "FEES", json!({ "premiumAdult": "100", "premiumChild": "50",
            "registrationFee": "7", "generalAssemblyFee": "3" })).await;
        assert_eq!(value(&values(&app, &admin, "N", enroll, fees, &f, None).await), dec("280"));
    })
    .await;
}

#[tokio::test]
async fn max_members_keep_adults_children_other_children_other_adults_head_first() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let prices = json!({ "premiumAdult": "100", "premiumChild": "10" });
        let m3 = product(&app, &admin, "MAX3", with(prices.clone(), json!({ "maxMembers": 3 }))).await;
        let m4 = product(&app, &admin, "MAX4", with(prices.clone(), json!({ "maxMembers": 4 }))).await;
        let m1 = product(&app, &admin, "MAX1", with(prices.clone(), json!({ "maxMembers": 1 }))).await;
        let all = product(&app, &admin, "MAX0", prices.clone()).await;
        let mut f = family(&app, &admin, v1, "920000001", "1970-01-01").await;
        member(&app, &admin, &mut f, "920000002", "1960-01-01", 7, "").await; // other adult
        member(&app, &admin, &mut f, "920000003", "2012-01-01", 4, "").await; // child
        member(&app, &admin, &mut f, "920000004", "2014-01-01", 7, "").await; // other child
        member(&app, &admin, &mut f, "920000005", "1975-01-01", 8, "").await; // spouse (adult)
        let enroll = "2024-01-10";
        // Everybody: (A + OA)·PA + (C + OC)·PC = 3×100 + 2×10.
        let v = values(&app, &admin, "N", enroll, all, &f, None).await;
        assert_eq!(amount(&v["policy"]["value"]), dec("320"));
        // Max 3: the two adults, then the child.
        let v = values(&app, &admin, "N", enroll, m3, &f, None).await;
        assert_eq!(amount(&v["policy"]["value"]), dec("210"));
        assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
        let u = create(&app, &admin, policy_input(&f, m3, eo, enroll)).await;
        assert_eq!(chfs(&policy(&app, &u).await), ["920000001", "920000003", "920000005"]);
        // Max 4: then the other child (the other adult comes last).
        let u = create(&app, &admin, policy_input(&f, m4, eo, enroll)).await;
        let p = policy(&app, &u).await;
        assert_eq!(amount(&p["value"]), dec("220"));
        assert_eq!(chfs(&p), ["920000001", "920000003", "920000004", "920000005"]);
        // Within a class the head comes first, whatever the creation order.
        let spouse = insuree_uuid(&app, "920000005").await;
        ok(&app, Some(&admin), &format!(r#"mutation {{ setFamilyHead(input: {{ uuid: "{}", insureeUuid: "{spouse}" }}) {{ internalId }} }}"#, f.uuid), json!({})).await;
        let u = create(&app, &admin, policy_input(&f, m1, eo, enroll)).await;
        let p = policy(&app, &u).await;
        assert_eq!(chfs(&p), ["920000005"]);
        assert_eq!(amount(&p["value"]), dec("100"));
    })
    .await;
}

#[tokio::test]
async fn ages_are_taken_on_the_enrolment_date() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let p = product(
            &app,
            &admin,
            "AGE1",
            json!({ "premiumAdult": "300", "premiumChild": "200" }),
        )
        .await;
        let mut f = family(&app, &admin, v1, "930000001", "1980-03-01").await;
        // 18 on 2025-01-11: a child on the 10th, an adult on the 11th (and an adult today).
        member(&app, &admin, &mut f, "930000002", "2007-01-11", 4, "").await;
        let v = values(&app, &admin, "N", "2025-01-10", p, &f, None).await;
        assert_eq!(amount(&v["policy"]["value"]), dec("500"));
        let v = values(&app, &admin, "N", "2025-01-11", p, &f, None).await;
        assert_eq!(amount(&v["policy"]["value"]), dec("600"));
        // Pure function of values.rs with the D13 rule.
        assert!(imis_policy::api::is_adult(
            d("2007-01-11"),
            d("2025-01-11"),
            18
        ));
        assert!(!imis_policy::api::is_adult(
            d("2007-01-11"),
            d("2025-01-10"),
            18
        ));
    })
    .await;
}

#[tokio::test]
async fn dates_follow_cycles_grace_and_administration_periods() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let f = family(&app, &admin, v1, "940000001", "1980-03-01").await;
        let dates = |v: &Value| {
            (
                v["policy"]["startDate"].as_str().unwrap().to_string(),
                v["policy"]["expiryDate"].as_str().unwrap().to_string(),
            )
        };
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        // §7.2: cycles 01-01 and 01-06, grace 1, no administration period.
        let c1 = product(&app, &admin, "CYC1", json!({ "startCycle1": "01-01", "startCycle2": "01-06", "gracePeriodEnrolment": 1 })).await;
        assert_eq!(dates(&values(&app, &admin, "N", "2020-11-10", c1, &f, None).await), pair("2021-01-01", "2021-12-31"));
        assert_eq!(dates(&values(&app, &admin, "N", "2021-01-11", c1, &f, None).await).0, "2021-01-01");
        // Exactly one month after a cycle start still joins it; a day later, the next cycle.
        assert_eq!(dates(&values(&app, &admin, "N", "2021-07-01", c1, &f, None).await).0, "2021-06-01");
        assert_eq!(dates(&values(&app, &admin, "N", "2021-07-02", c1, &f, None).await).0, "2022-01-01");
        // Administration period 1 month, grace 1, insurance 6 months.
        let c2 = product(&app, &admin, "CYC2", json!({ "startCycle1": "01-01", "startCycle2": "01-06",
            "gracePeriodEnrolment": 1, "administrationPeriod": 1, "insurancePeriod": 6, "premiumAdult": "100" })).await;
        assert_eq!(dates(&values(&app, &admin, "N", "2021-01-10", c2, &f, None).await), pair("2021-06-01", "2021-11-30"));
        assert_eq!(dates(&values(&app, &admin, "N", "2021-12-11", c2, &f, None).await), pair("2022-01-01", "2022-06-30"));
        // Cycles given as D-M are sorted by month and day.
        let c3 = product(&app, &admin, "CYC3", json!({ "startCycle1": "1-9", "startCycle2": "1-3", "gracePeriodEnrolment": 2 })).await;
        assert_eq!(dates(&values(&app, &admin, "N", "2021-05-01", c3, &f, None).await).0, "2021-03-01");
        assert_eq!(dates(&values(&app, &admin, "N", "2021-05-02", c3, &f, None).await).0, "2021-09-01");
        assert_eq!(dates(&values(&app, &admin, "N", "2021-11-02", c3, &f, None).await).0, "2022-03-01");
        // D11 pinned examples: month ends are clamped, expiry computed from the start.
        let m1 = product(&app, &admin, "MON1", json!({ "insurancePeriod": 1 })).await;
        assert_eq!(dates(&values(&app, &admin, "N", "2021-01-31", m1, &f, None).await), pair("2021-01-31", "2021-02-27"));
        let y1 = product(&app, &admin, "YEAR1", json!({})).await;
        assert_eq!(dates(&values(&app, &admin, "N", "2024-02-29", y1, &f, None).await), pair("2024-02-29", "2025-02-27"));
        assert_eq!(dates(&values(&app, &admin, "N", "2020-11-10", y1, &f, None).await), pair("2020-11-10", "2021-11-09"));
        // Administration period without cycles: start = enrolment + A months (clamped).
        let a2 = product(&app, &admin, "ADM2", json!({ "administrationPeriod": 2 })).await;
        assert_eq!(dates(&values(&app, &admin, "N", "2021-12-31", a2, &f, None).await), pair("2022-02-28", "2023-02-27"));
        // createPolicy stores the computed dates.
        let u = create(&app, &admin, policy_input(&f, c2, eo, "2021-01-10")).await;
        let p = policy(&app, &u).await;
        assert_eq!((p["startDate"].as_str().unwrap(), p["expiryDate"].as_str().unwrap()), ("2021-06-01", "2021-11-30"));
        assert_eq!(p["enrollDate"], "2021-01-10");
        assert!(p["effectiveDate"].is_null());
        assert_eq!(rows(&p)["940000001"], (Value::Null, "2021-11-30".to_string()));
    })
    .await;
}

#[tokio::test]
async fn discounts_early_enrolment_needs_cycles_early_renewal_does_not() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let f = family(&app, &admin, v1, "950000001", "1980-03-01").await;
        let with_cycles = product(
            &app,
            &admin,
            "DISC1",
            json!({ "premiumAdult": "10.01", "startCycle1": "01-06",
            "enrolmentDiscountPerc": 15, "enrolmentDiscountPeriod": 2 }),
        )
        .await;
        let without = product(
            &app,
            &admin,
            "DISC2",
            json!({ "premiumAdult": "10.01",
            "enrolmentDiscountPerc": 15, "enrolmentDiscountPeriod": 2 }),
        )
        .await;
        let value = async |p: i64, enroll: &str| {
            amount(&values(&app, &admin, "N", enroll, p, &f, None).await["policy"]["value"])
        };
        // 2021-04-01 ≤ 2021-06-01 − 2 months: 10.01 × 0.85 = 8.5085 → 8.51 (rounded once).
        assert_eq!(value(with_cycles, "2021-04-01").await, dec("8.51"));
        assert_eq!(value(with_cycles, "2021-04-02").await, dec("10.01"));
        assert_eq!(value(without, "2021-01-01").await, dec("10.01"));

        // Early renewal: enrolment ≤ previous expiry + 1 day − 1 month.
        let r = product(
            &app,
            &admin,
            "RDISC",
            json!({ "premiumAdult": "1000", "registrationLumpSum": "100",
            "renewalDiscountPerc": 10, "renewalDiscountPeriod": 1 }),
        )
        .await;
        let prev = create(&app, &admin, policy_input(&f, r, eo, "2024-01-10")).await;
        assert_eq!(amount(&policy(&app, &prev).await["value"]), dec("1100"));
        let renewal =
            async |enroll: &str| values(&app, &admin, "R", enroll, r, &f, Some(&prev)).await;
        let v = renewal("2024-12-10").await;
        assert_eq!(
            amount(&v["policy"]["value"]),
            dec("900"),
            "discounted, no registration fee"
        );
        assert_eq!(v["policy"]["startDate"], "2025-01-10");
        assert_eq!(v["policy"]["expiryDate"], "2026-01-09");
        assert_eq!(v["policy"]["stage"], "R");
        assert_eq!(
            amount(&renewal("2024-12-11").await["policy"]["value"]),
            dec("1000")
        );
        // Late renewal: starts on the enrolment date.
        let v = renewal("2025-02-01").await;
        assert_eq!(v["policy"]["startDate"], "2025-02-01");
        assert_eq!(amount(&v["policy"]["value"]), dec("1000"));
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Enrolment: server authority, refusals, zero-value policies

#[tokio::test]
async fn server_authority_and_enrolment_refusals() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let today = today(&app);
        let p = product(&app, &admin, "AUTH1", json!({ "premiumAdult": "1000" })).await;
        let f = family(&app, &admin, v1, "960000001", "1980-03-01").await;

        // Sent dates and value that differ are ignored, each with a warning in the log.
        let input = with(policy_input(&f, p, eo, "2025-03-01"), json!({ "clientMutationId": "auth-1",
            "startDate": "2000-01-01", "expiryDate": "2000-12-31", "value": "1.00" }));
        let u = create(&app, &admin, input).await;
        let pol = policy(&app, &u).await;
        assert_eq!(pol["startDate"], "2025-03-01");
        assert_eq!(pol["expiryDate"], "2026-02-28");
        assert_eq!(amount(&pol["value"]), dec("1000"));
        assert_eq!(amount(&pol["balance"]), dec("1000"));
        assert_eq!(pol["officer"]["code"], "eo_douala");
        let w = mutation_warnings(&app, "auth-1").await;
        let fields: Vec<&str> = w.iter().map(|w| w["params"]["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["startDate", "expiryDate", "value"], "{w:?}");
        assert!(w.iter().all(|w| w["code"] == "policy.client_value_ignored"));
        assert_eq!(w[0]["params"]["sent"], "2000-01-01");
        assert_eq!(w[0]["params"]["computed"], "2025-03-01");
        // The same values sent (value with another scale): no warning.
        let input = with(policy_input(&f, p, eo, "2025-03-01"), json!({ "clientMutationId": "auth-2",
            "startDate": "2025-03-01", "expiryDate": "2026-02-28", "value": "1000" }));
        create(&app, &admin, input).await;
        assert!(mutation_warnings(&app, "auth-2").await.is_empty());

        // Enrolment in the future.
        let tomorrow = ds(today.succ_opt().unwrap());
        assert_eq!(err(&app, Some(&admin), CREATE, json!({ "i": policy_input(&f, p, eo, &tomorrow) })).await, "policy.enroll_date_in_future");
        create(&app, &admin, policy_input(&f, p, eo, &ds(today))).await;
        // Product not sellable: located elsewhere, or outside its dates.
        let d2 = location_uuid(&app, "D0002").await;
        let r1 = location_uuid(&app, "R0001").await;
        let elsewhere = product(&app, &admin, "AUTHD2", json!({ "locationUuid": d2 })).await;
        let region = product(&app, &admin, "AUTHR1", json!({ "locationUuid": r1 })).await;
        let old = product(&app, &admin, "AUTHOLD", json!({ "dateTo": "2024-12-31" })).await;
        let later = product(&app, &admin, "AUTHNEW", json!({ "dateFrom": "2025-06-01" })).await;
        for pid in [elsewhere, old, later] {
            assert_eq!(err(&app, Some(&admin), CREATE, json!({ "i": policy_input(&f, pid, eo, "2025-03-01") })).await, "policy.product_not_sellable");
        }
        create(&app, &admin, policy_input(&f, region, eo, "2025-03-01")).await;
        create(&app, &admin, policy_input(&f, old, eo, "2024-12-31")).await;
        assert_eq!(err(&app, Some(&admin), CREATE, json!({ "i": policy_input(&f, 999_999, eo, "2025-03-01") })).await, "policy.product_not_found");

        // Officer: a user who is not an officer, an officer who stopped working before the date.
        let admin_id = user_id(&app, "Admin").await;
        assert_eq!(err(&app, Some(&admin), CREATE, json!({ "i": policy_input(&f, p, admin_id, "2025-03-01") })).await, "policy.officer_invalid");
        ok(&app, Some(&admin), &format!(r#"mutation {{ createUser(input: {{ username: "eo_gone", lastName: "Parti", otherNames: "Paul",
            language: "fr", villageIds: [{v1}], worksTo: "2025-02-28T00:00:00", userTypes: [OFFICER] }}) {{ internalId }} }}"#), json!({})).await;
        let gone = user_id(&app, "eo_gone").await;
        assert_eq!(err(&app, Some(&admin), CREATE, json!({ "i": policy_input(&f, p, gone, "2025-03-01") })).await, "policy.officer_invalid");
        create(&app, &admin, policy_input(&f, p, gone, "2025-02-28")).await;
        // Unknown family.
        let mut nowhere = policy_input(&f, p, eo, "2025-03-01");
        nowhere["familyId"] = json!(999_999);
        assert_eq!(err(&app, Some(&admin), CREATE, json!({ "i": nowhere })).await, "not_found");

        // A create retried with its uuid is the same policy; another content is a conflict.
        let again = policy_input(&f, p, eo, "2025-04-01");
        let u = create(&app, &admin, again.clone()).await;
        create(&app, &admin, again.clone()).await;
        let n = one_i64(&app, "SELECT COUNT(*) FROM policy_policy WHERE uuid = ?", vec![uuid::Uuid::parse_str(&u).unwrap().into()]).await;
        assert_eq!(n, 1);
        assert_eq!(err(&app, Some(&admin), CREATE, json!({ "i": with(again, json!({ "enrollDate": "2025-04-02" })) })).await, "conflict.uuid_exists");
    })
    .await;
}

#[tokio::test]
async fn a_zero_value_policy_is_active_at_creation_and_covers_its_members() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let today = today(&app);
        let free = product(&app, &admin, "FREE1", json!({ "administrationPeriod": 1 })).await;
        let mut f = family(&app, &admin, v1, "970000001", "1980-03-01").await;
        member(&app, &admin, &mut f, "970000002", "2016-03-01", 4, "").await;
        let enroll = add_months(today, -2);
        let u = create(&app, &admin, policy_input(&f, free, eo, &ds(enroll))).await;
        let p = policy(&app, &u).await;
        let start = add_months(enroll, 1);
        assert_eq!(p["status"], 2);
        assert_eq!(amount(&p["value"]), Decimal::ZERO);
        assert_eq!(p["startDate"], ds(start));
        assert_eq!(p["effectiveDate"], ds(start));
        for (chf, (effective, _)) in rows(&p) {
            assert_eq!(effective, ds(start), "{chf}");
        }
        for chf in ["970000001", "970000002"] {
            let id = f.members[chf];
            assert_eq!(covered(&app, id, today).await, [u.clone()]);
            assert!(covered(&app, id, enroll).await.is_empty(), "not before the start date");
        }
        let r = ok(&app, Some(&admin), &format!(r#"{{ policiesByInsuree(chfId: "970000002", targetDate: "{}") {{ edges {{ node {{ policyUuid productCode status balance }} }} }} }}"#, ds(today)), json!({})).await;
        assert_eq!(r["policiesByInsuree"]["edges"][0]["node"]["policyUuid"], u.as_str());
        assert_eq!(r["policiesByInsuree"]["edges"][0]["node"]["productCode"], "FREE1");
        let e = ok(&app, Some(&admin), r#"{ policyEligibilityByInsuree(chfId: "970000001") { prodId totalAdmissionsLeft } }"#, json!({})).await;
        assert_eq!(e["policyEligibilityByInsuree"]["prodId"], "FREE1");
        assert!(e["policyEligibilityByInsuree"]["totalAdmissionsLeft"].is_null(), "unlimited");
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Renewals

#[tokio::test]
async fn renewals_with_and_without_the_previous_policy() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let r = product(&app, &admin, "REN1", json!({ "premiumAdult": "1000", "registrationLumpSum": "100",
            "renewalDiscountPerc": 10, "renewalDiscountPeriod": 1 })).await;
        let f = family(&app, &admin, v1, "980000001", "1980-03-01").await;
        // Nothing to renew.
        assert_eq!(err(&app, Some(&admin), RENEW, json!({ "i": policy_input(&f, r, eo, "2024-12-09") })).await, "policy.renewal_without_previous");
        let prev = create(&app, &admin, policy_input(&f, r, eo, "2024-01-10")).await;
        // An Idle policy is not renewed implicitly.
        assert_eq!(err(&app, Some(&admin), RENEW, json!({ "i": policy_input(&f, r, eo, "2024-12-09") })).await, "policy.renewal_without_previous");
        let out = premium(&app, &prev, 110_000, d("2024-01-10"), PremiumAction::Wait).await;
        assert!(out.activated);
        // Its reminder, closed by the renewal.
        imis_policy::jobs::insert_renewal_reminders(&app.state, d("2025-01-01")).await.unwrap();
        let prev_id = policy_pk(&app, &prev).await;
        assert_eq!(app.count("policy_renewal", &format!("policy_id = {prev_id} AND validity_to IS NULL")).await, 1);

        // Without prevUuid: the family's latest Active policy of the product; early: the day
        // after its expiry, with the early-renewal discount and no registration fee.
        let input = with(policy_input(&f, r, eo, "2024-12-09"), json!({ "clientMutationId": "ren-1", "value": "900.00" }));
        let u = renew(&app, &admin, input).await;
        let p = policy(&app, &u).await;
        assert_eq!(p["stage"], "R");
        assert_eq!(p["status"], 1);
        assert_eq!(p["startDate"], "2025-01-10");
        assert_eq!(p["expiryDate"], "2026-01-09");
        assert_eq!(amount(&p["value"]), dec("900"));
        assert!(mutation_warnings(&app, "ren-1").await.is_empty());
        assert_eq!(chfs(&p), ["980000001"]);
        assert_eq!(app.count("policy_renewal", &format!("policy_id = {prev_id} AND validity_to IS NULL")).await, 0);
        assert_eq!(app.count("policy_renewal", &format!("policy_id = {prev_id}")).await, 1);
        assert_eq!(one_i64(&app, "SELECT previous_policy_id FROM policy_policy WHERE id = ?", vec![policy_pk(&app, &u).await.into()]).await, prev_id);
        // With prevUuid, late: starts on the enrolment date, no discount.
        let u = renew(&app, &admin, with(policy_input(&f, r, eo, "2025-02-01"), json!({ "prevUuid": prev }))).await;
        let p = policy(&app, &u).await;
        assert_eq!(p["startDate"], "2025-02-01");
        assert_eq!(amount(&p["value"]), dec("1000"));

        // A product converting into the renewed one counts; an unrelated one does not.
        let new = product(&app, &admin, "CNEW", json!({ "premiumAdult": "500" })).await;
        let new_uuid = product_uuid(&app, "CNEW").await;
        let old = product(&app, &admin, "COLD", json!({ "premiumAdult": "400", "conversionProductUuid": new_uuid })).await;
        let other = product(&app, &admin, "COTHER", json!({ "premiumAdult": "400" })).await;
        let g = family(&app, &admin, v1, "980000002", "1981-03-01").await;
        let h = family(&app, &admin, v1, "980000003", "1982-03-01").await;
        let g_old = create(&app, &admin, policy_input(&g, old, eo, "2024-02-01")).await;
        premium(&app, &g_old, 0, d("2024-02-01"), PremiumAction::Enforce).await;
        let h_other = create(&app, &admin, policy_input(&h, other, eo, "2024-02-01")).await;
        premium(&app, &h_other, 0, d("2024-02-01"), PremiumAction::Enforce).await;
        // The expired previous policy still counts.
        imis_policy::jobs::expire_policies(&app.state, today(&app)).await.unwrap();
        assert_eq!(policy(&app, &g_old).await["status"], 8);
        let v = values(&app, &admin, "R", "2025-01-15", new, &g, None).await;
        assert_eq!(v["policy"]["startDate"], "2025-02-01");
        let u = renew(&app, &admin, policy_input(&g, new, eo, "2025-01-15")).await;
        let p = policy(&app, &u).await;
        assert_eq!((p["product"]["code"].as_str().unwrap(), p["startDate"].as_str().unwrap()), ("CNEW", "2025-02-01"));
        assert_eq!(amount(&p["value"]), dec("500"));
        assert_eq!(err(&app, Some(&admin), RENEW, json!({ "i": policy_input(&h, new, eo, "2025-01-15") })).await, "policy.renewal_without_previous");
        // prevUuid of another family's policy.
        assert_eq!(err(&app, Some(&admin), RENEW, json!({ "i": with(policy_input(&h, new, eo, "2025-01-15"), json!({ "prevUuid": g_old })) })).await, "policy.renewal_without_previous");
        assert_eq!(err(&app, Some(&admin), VALUES, json!({ "s": "R", "d": "2025-01-15", "p": new, "f": h.id })).await, "policy.renewal_without_previous");
    })
    .await;
}

/// The figures the front end shows for a renewal it opens: `policyValues` with stage R, the day
/// after the policy's enrolment date and no `prevUuid` (D12).
async fn shown_figures(
    app: &TestApp,
    who: &Principal,
    fam: &Family,
    product: i64,
    day: &str,
) -> (String, String, Decimal) {
    let q = format!(
        r#"{{ policyValues(stage: "R", enrollDate: "{day}T00:00:00", productId: {product}, familyId: {}) {{
            policy {{ startDate expiryDate value }} warnings }} }}"#,
        fam.id
    );
    let v = ok(app, Some(who), &q, json!({})).await;
    let p = &v["policyValues"]["policy"];
    (
        p["startDate"].as_str().unwrap().into(),
        p["expiryDate"].as_str().unwrap().into(),
        amount(&p["value"]),
    )
}

async fn stored_figures(app: &TestApp, uuid: &str) -> (String, String, Decimal) {
    let p = policy(app, uuid).await;
    (
        p["startDate"].as_str().unwrap().into(),
        p["expiryDate"].as_str().unwrap().into(),
        amount(&p["value"]),
    )
}

#[tokio::test]
async fn an_existing_renewal_shows_its_own_figures_without_prev_uuid() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;

        // Early renewal with the renewal discount, both policies Active.
        let r = product(&app, &admin, "OWN1", json!({ "premiumAdult": "1000", "renewalDiscountPerc": 10, "renewalDiscountPeriod": 1 })).await;
        let f = family(&app, &admin, v1, "981000001", "1980-03-01").await;
        let first = create(&app, &admin, policy_input(&f, r, eo, "2024-01-10")).await;
        assert!(premium(&app, &first, 100_000, d("2024-01-10"), PremiumAction::Wait).await.activated);
        let second = renew(&app, &admin, policy_input(&f, r, eo, "2024-12-09")).await;
        assert!(premium(&app, &second, 90_000, d("2024-12-09"), PremiumAction::Wait).await.activated);
        let own = ("2025-01-10".to_string(), "2026-01-09".to_string(), dec("900"));
        assert_eq!(stored_figures(&app, &second).await, own);
        // Not the next renewal's (2026-01-10 … 2027-01-09): the policy is not its own predecessor.
        assert_eq!(shown_figures(&app, &admin, &f, r, "2024-12-10").await, own);

        // Late renewals of a product with cycles, whose start precedes their enrolment date (the
        // renewal grace period), all Expired or Active; each shows the figures of its own
        // predecessor among several earlier policies.
        let c = product(&app, &admin, "OWN2", json!({ "premiumAdult": "1000", "startCycle1": "01-01", "startCycle2": "01-07",
            "gracePeriodRenewal": 2 })).await;
        let g = family(&app, &admin, v1, "981000002", "1981-03-01").await;
        let p1 = create(&app, &admin, policy_input(&g, c, eo, "2023-06-20")).await;
        assert!(premium(&app, &p1, 100_000, d("2023-06-20"), PremiumAction::Wait).await.activated);
        let p2 = renew(&app, &admin, policy_input(&g, c, eo, "2024-08-15")).await;
        assert!(premium(&app, &p2, 100_000, d("2024-08-15"), PremiumAction::Wait).await.activated);
        let p2_own = ("2024-07-01".to_string(), "2025-06-30".to_string(), dec("1000"));
        assert_eq!(stored_figures(&app, &p2).await, p2_own);
        let p3 = renew(&app, &admin, policy_input(&g, c, eo, "2025-06-01")).await;
        assert!(premium(&app, &p3, 100_000, d("2025-06-01"), PremiumAction::Wait).await.activated);
        let p3_own = ("2025-07-01".to_string(), "2026-06-30".to_string(), dec("1000"));
        assert_eq!(stored_figures(&app, &p3).await, p3_own);
        imis_policy::jobs::expire_policies(&app.state, today(&app)).await.unwrap();
        for u in [&p1, &p2, &p3] {
            assert_eq!(policy(&app, u).await["status"], 8, "expired");
        }
        assert_eq!(shown_figures(&app, &admin, &g, c, "2024-08-16").await, p2_own);
        assert_eq!(shown_figures(&app, &admin, &g, c, "2025-06-02").await, p3_own);
        // A new renewal after the last one still renews it.
        assert_eq!(shown_figures(&app, &admin, &g, c, "2026-05-02").await.0, "2026-07-01");

        // A late renewal without cycles renews the first policy, not itself; its dates are
        // computed from the day the front end sends, one day after its own (D12).
        let h = family(&app, &admin, v1, "981000003", "1982-03-01").await;
        let q1 = create(&app, &admin, policy_input(&h, r, eo, "2024-01-10")).await;
        assert!(premium(&app, &q1, 100_000, d("2024-01-10"), PremiumAction::Wait).await.activated);
        let q2 = renew(&app, &admin, policy_input(&h, r, eo, "2025-03-01")).await;
        assert!(premium(&app, &q2, 100_000, d("2025-03-01"), PremiumAction::Wait).await.activated);
        assert_eq!(stored_figures(&app, &q2).await, ("2025-03-01".to_string(), "2026-02-28".to_string(), dec("1000")));
        assert_eq!(shown_figures(&app, &admin, &h, r, "2025-03-02").await, ("2025-03-02".to_string(), "2026-03-01".to_string(), dec("1000")));
        // A policy enrolled on the renewal's enrolment date is no predecessor without prevUuid.
        let k = family(&app, &admin, v1, "981000004", "1983-03-01").await;
        let k1 = create(&app, &admin, policy_input(&k, r, eo, "2025-03-01")).await;
        assert!(premium(&app, &k1, 100_000, d("2025-03-01"), PremiumAction::Wait).await.activated);
        assert_eq!(err(&app, Some(&admin), RENEW, json!({ "i": policy_input(&k, r, eo, "2025-03-01") })).await, "policy.renewal_without_previous");
        assert_eq!(err(&app, Some(&admin), VALUES, json!({ "s": "R", "d": "2025-03-02", "p": r, "f": k.id })).await, "policy.renewal_without_previous");
        renew(&app, &admin, with(policy_input(&k, r, eo, "2025-03-01"), json!({ "prevUuid": k1 }))).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Update, suspension, deletion

#[tokio::test]
async fn update_only_when_idle_recomputes_and_replaces_coverage() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let eo2 = user_id(&app, "eo_edea").await;
        let u1 = product(&app, &admin, "UPD1", json!({ "premiumAdult": "1000", "premiumChild": "100" })).await;
        let u2 = product(&app, &admin, "UPD2", json!({ "premiumAdult": "2000", "premiumChild": "200", "startCycle1": "01-07" })).await;
        let mut f = family(&app, &admin, v1, "990000001", "1980-03-01").await;
        member(&app, &admin, &mut f, "990000002", "2016-03-01", 4, "").await;
        let input = policy_input(&f, u1, eo, "2025-03-01");
        let u = create(&app, &admin, input.clone()).await;
        let pk = policy_pk(&app, &u).await;
        assert_eq!(amount(&policy(&app, &u).await["value"]), dec("1100"));
        let update = with(input.clone(), json!({ "clientMutationId": "upd-1", "productId": u2, "enrollDate": "2025-04-01",
            "officerId": eo2, "value": "1100" }));
        ok(&app, Some(&admin), UPDATE, json!({ "i": update })).await;
        let p = policy(&app, &u).await;
        assert_eq!(p["product"]["code"], "UPD2");
        assert_eq!(p["enrollDate"], "2025-04-01");
        assert_eq!(p["startDate"], "2025-07-01");
        assert_eq!(p["expiryDate"], "2026-06-30");
        assert_eq!(amount(&p["value"]), dec("2200"));
        assert_eq!(p["officer"]["code"], "eo_edea");
        assert_eq!(p["status"], 1);
        assert_eq!(rows(&p).values().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["2026-06-30", "2026-06-30"]);
        let w = mutation_warnings(&app, "upd-1").await;
        assert_eq!(w.len(), 1);
        assert_eq!(w[0]["params"]["field"], "value");
        // Coverage rows replaced: two closed, two current.
        assert_eq!(app.count("policy_insuree_policy", &format!("policy_id = {pk} AND validity_to IS NOT NULL")).await, 2);
        assert_eq!(app.count("policy_insuree_policy", &format!("policy_id = {pk} AND validity_to IS NULL")).await, 2);
        // The previous version is listed with showHistory.
        let h = ok(&app, Some(&admin), &format!(r#"{{ policies(uuid: "{u}", showHistory: true) {{ edges {{ node {{ id legacyId product {{ code }} value validityTo }} }} }} }}"#), json!({})).await;
        let edges = h["policies"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[1]["node"]["product"]["code"], "UPD1");
        assert_eq!(amount(&edges[1]["node"]["value"]), dec("1100"));
        assert_eq!(edges[1]["node"]["legacyId"], pk);
        assert!(edges[1]["node"]["validityTo"].is_string());
        let vid = edges[1]["node"]["id"].as_str().unwrap();
        let n = ok(&app, Some(&admin), &format!(r#"{{ node(id: "{vid}") {{ ... on PolicyGQLType {{ enrollDate }} }} }}"#), json!({})).await;
        assert_eq!(n["node"]["enrollDate"], "2025-03-01");
        // Another family: refused.
        let g = family(&app, &admin, v1, "990000003", "1980-03-01").await;
        let moved = with(input.clone(), json!({ "familyId": g.id }));
        assert_eq!(err(&app, Some(&admin), UPDATE, json!({ "i": moved })).await, "input.invalid");
        // Once Active: refused.
        premium(&app, &u, 220_000, d("2025-04-01"), PremiumAction::Wait).await;
        assert_eq!(policy(&app, &u).await["status"], 2);
        assert_eq!(err(&app, Some(&admin), UPDATE, json!({ "i": input.clone() })).await, "policy.not_idle");
        // An unknown uuid.
        let unknown = with(input, json!({ "uuid": uuid::Uuid::now_v7().to_string() }));
        assert_eq!(err(&app, Some(&admin), UPDATE, json!({ "i": unknown })).await, "not_found");
    })
    .await;
}

#[tokio::test]
async fn suspend_and_delete_policies() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let today = today(&app);
        let p = product(&app, &admin, "DEL1", json!({ "premiumAdult": "1000" })).await;
        let mut f = family(&app, &admin, v1, "900100001", "1980-03-01").await;
        member(&app, &admin, &mut f, "900100002", "1984-03-01", 8, "").await;
        let head = f.members["900100001"];
        let a = create(&app, &admin, policy_input(&f, p, eo, &ds(today))).await;
        let b = create(&app, &admin, policy_input(&f, p, eo, &ds(today))).await;
        premium(&app, &a, 200_000, today, PremiumAction::Wait).await;
        premium(&app, &b, 200_000, today, PremiumAction::Wait).await;
        assert_eq!(covered(&app, head, today).await.len(), 2);
        // Suspended policies cover nobody.
        ok(&app, Some(&admin), SUSPEND, json!({ "i": { "uuids": [a] } })).await;
        assert_eq!(policy(&app, &a).await["status"], 4);
        assert_eq!(covered(&app, head, today).await, [b.clone()]);
        // Consumption by a claim vetoes deletion.
        let (a_pk, b_pk) = (policy_pk(&app, &a).await, policy_pk(&app, &b).await);
        let tx = app.state.db.begin_write().await.unwrap();
        usage::record_consumption(&app.state, &tx, None, 4242, b_pk, head, &Consumption { ded_g: 500, rem_g: 10_000, ..Default::default() }).await.unwrap();
        tx.commit().await.unwrap();
        let d = ok(&app, Some(&admin), &format!(r#"{{ policies(uuid: "{b}") {{ edges {{ node {{ claimDedRems {{ totalCount edges {{ node {{ claimId dedG remG }} }} }} }} }} }} }}"#), json!({})).await;
        let cdr = &d["policies"]["edges"][0]["node"]["claimDedRems"];
        assert_eq!(cdr["totalCount"], 1);
        assert_eq!(amount(&cdr["edges"][0]["node"]["dedG"]), dec("5"));
        let s = ok(&app, Some(&admin), r#"{ policiesByInsuree(chfId: "900100001") { edges { node { policyUuid ded balance } } } }"#, json!({})).await;
        let by_uuid: BTreeMap<String, Value> = s["policiesByInsuree"]["edges"].as_array().unwrap().iter()
            .map(|e| (e["node"]["policyUuid"].as_str().unwrap().to_string(), e["node"].clone())).collect();
        assert_eq!(amount(&by_uuid[&b]["ded"]), dec("5"));
        assert_eq!(amount(&by_uuid[&a]["ded"]), Decimal::ZERO);
        assert_eq!(err(&app, Some(&admin), DELETE, json!({ "i": { "uuids": [a, b] } })).await, "policy.used_in_claims");
        assert!(policy(&app, &a).await["validityTo"].is_null(), "nothing deleted when one is refused");
        // Without consumption: soft-deleted with its coverage rows.
        ok(&app, Some(&admin), DELETE, json!({ "i": { "uuids": [a] } })).await;
        let gone = ok(&app, Some(&admin), &format!(r#"{{ policies(uuid: "{a}") {{ totalCount }} }}"#), json!({})).await;
        assert_eq!(gone["policies"]["totalCount"], 0);
        assert_eq!(app.count("policy_policy", &format!("id = {a_pk} AND validity_to IS NOT NULL")).await, 1);
        assert_eq!(app.count("policy_insuree_policy", &format!("policy_id = {a_pk} AND validity_to IS NULL")).await, 0);
        assert_eq!(app.count("policy_insuree_policy", &format!("policy_id = {a_pk}")).await, 2);
        assert_eq!(err(&app, Some(&admin), SUSPEND, json!({ "i": { "uuids": [a] } })).await, "not_found");
        // Once the claim's consumption is closed the policy can go.
        let tx = app.state.db.begin_write().await.unwrap();
        usage::close_consumption(&app.state, &tx, None, 4242, None).await.unwrap();
        tx.commit().await.unwrap();
        ok(&app, Some(&admin), DELETE, json!({ "i": { "uuids": [b] } })).await;
        assert!(covered(&app, head, today).await.is_empty());
        db
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Coverage after insuree events (D16)

#[tokio::test]
async fn coverage_follows_every_insuree_event() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let today = today(&app);
        let t = ds(today);
        // Per member, at most 3 members; a lump sum covering up to 4 members (value constant);
        // the same lump sum starting a month after enrolment.
        let pm = product(&app, &admin, "COVPM", json!({ "premiumAdult": "1000", "premiumChild": "500", "maxMembers": 3 })).await;
        let ls = product(&app, &admin, "COVLS", json!({ "lumpSum": "5000", "threshold": 4, "premiumAdult": "1000" })).await;
        let fut = product(&app, &admin, "COVFUT", json!({ "lumpSum": "5000", "threshold": 4, "premiumAdult": "1000", "administrationPeriod": 1 })).await;
        let mut f = family(&app, &admin, v1, "900200001", "1980-03-01").await;
        let past = add_months(today, -2);
        let p_pm = create(&app, &admin, policy_input(&f, pm, eo, &t)).await;
        let p_ls = create(&app, &admin, policy_input(&f, ls, eo, &ds(past))).await;
        let p_fut = create(&app, &admin, policy_input(&f, fut, eo, &t)).await;
        let start_fut = add_months(today, 1);

        // A member joining Idle policies: value recomputed, row not effective until paid.
        member(&app, &admin, &mut f, "900200002", "2015-01-01", 4, "").await;
        let p = policy(&app, &p_pm).await;
        assert_eq!(amount(&p["value"]), dec("1500"));
        assert_eq!(rows(&p)["900200002"].0, Value::Null);
        // Paid: the lump-sum policy on its enrolment date (effective in the past), the future one
        // today (effective on its start), the per-member one enforced without money.
        premium(&app, &p_ls, 500_000, past, PremiumAction::Wait).await;
        premium(&app, &p_fut, 500_000, today, PremiumAction::Wait).await;
        premium(&app, &p_pm, 0, today, PremiumAction::Enforce).await;
        let p = policy(&app, &p_ls).await;
        assert_eq!((p["status"].as_i64(), p["effectiveDate"].as_str()), (Some(2), Some(ds(past).as_str())));
        assert!(rows(&p).values().all(|r| r.0 == ds(past)));
        let p = policy(&app, &p_fut).await;
        assert_eq!(p["effectiveDate"], ds(start_fut));
        assert!(rows(&p).values().all(|r| r.0 == ds(start_fut)));

        // Active and already paid: effective = later of the policy's effective date and today.
        // Active but not paid (value grows): empty until paid.
        member(&app, &admin, &mut f, "900200003", "2016-01-01", 4, "").await;
        assert_eq!(rows(&policy(&app, &p_ls).await)["900200003"].0, t);
        assert_eq!(rows(&policy(&app, &p_fut).await)["900200003"].0, ds(start_fut));
        let p = policy(&app, &p_pm).await;
        assert_eq!(amount(&p["value"]), dec("2000"));
        assert_eq!(rows(&p)["900200003"].0, Value::Null);
        assert_eq!(amount(&policy(&app, &p_ls).await["value"]), dec("5000"));
        let c3 = f.members["900200003"];
        assert_eq!(covered(&app, c3, today).await, [p_ls.clone()]);
        // A premium bringing paid ≥ value fills the empty effective dates with its pay date.
        premium(&app, &p_pm, 200_000, today, PremiumAction::Wait).await;
        assert_eq!(rows(&policy(&app, &p_pm).await)["900200003"].0, t);

        // addOnExistingPolicy: false keeps them off.
        member(&app, &admin, &mut f, "900200004", "2017-01-01", 4, ", addOnExistingPolicy: false").await;
        for u in [&p_pm, &p_ls, &p_fut] {
            assert!(!rows(&policy(&app, u).await).contains_key("900200004"));
        }
        // Max members reached: canAddInsuree warns, the new member gets no row on that policy.
        let w = ok(&app, Some(&admin), &format!("{{ canAddInsuree(familyId: {}) }}", f.id), json!({})).await;
        assert_eq!(w["canAddInsuree"].as_array().unwrap().len(), 1, "{w}");
        assert!(w["canAddInsuree"][0].as_str().unwrap().contains("COVPM"));
        member(&app, &admin, &mut f, "900200005", "1990-01-01", 8, "").await;
        let p = policy(&app, &p_pm).await;
        assert_eq!(rows(&p).len(), 3);
        assert_eq!(amount(&p["value"]), dec("2000"));
        assert_eq!(rows(&policy(&app, &p_ls).await)["900200005"].0, t);

        // Status IN with a date: rows end on that date; back to AC adds nothing.
        let c2 = f.members["900200002"];
        let c2_uuid = insuree_uuid(&app, "900200002").await;
        let status_date = today + chrono::Duration::days(10);
        let upd = |extra: &str| format!(r#"mutation {{ updateInsuree(input: {{ uuid: "{c2_uuid}", chfId: "900200002", lastName: "Membre",
            otherNames: "M900200002", genderId: "F", dob: "2015-01-01", relationshipId: 4 {extra} }}) {{ internalId }} }}"#);
        ok(&app, Some(&admin), &upd(&format!(r#", status: "IN", statusReason: "MIGR", statusDate: "{}""#, ds(status_date))), json!({})).await;
        for u in [&p_pm, &p_ls, &p_fut] {
            assert_eq!(rows(&policy(&app, u).await)["900200002"].1, ds(status_date), "{u}");
        }
        assert_eq!(covered(&app, c2, status_date).await.len(), 2);
        assert!(covered(&app, c2, status_date.succ_opt().unwrap()).await.is_empty());
        ok(&app, Some(&admin), &upd(""), json!({})).await;
        assert_eq!(rows(&policy(&app, &p_ls).await)["900200002"].1, ds(status_date));
        assert_eq!(app.count("policy_insuree_policy", &format!("insuree_id = {c2} AND validity_to IS NULL")).await, 3);

        // Removal with cancelPolicies: rows end today; without, they are kept.
        let c3_uuid = insuree_uuid(&app, "900200003").await;
        let c5_uuid = insuree_uuid(&app, "900200005").await;
        let remove = |u: &str, cancel: bool| format!(r#"mutation {{ removeInsurees(input: {{ uuid: "{}", uuids: ["{u}"], cancelPolicies: {cancel} }}) {{ internalId }} }}"#, f.uuid);
        ok(&app, Some(&admin), &remove(&c3_uuid, true), json!({})).await;
        assert_eq!(rows(&policy(&app, &p_ls).await)["900200003"], (json!(t), t.clone()));
        // On the future policy the row was effective (on its start): it ends today too.
        assert_eq!(rows(&policy(&app, &p_fut).await)["900200003"].1, t);
        ok(&app, Some(&admin), &remove(&c5_uuid, false), json!({})).await;
        let p = policy(&app, &p_ls).await;
        assert_eq!(rows(&p)["900200005"].1, p["expiryDate"].as_str().unwrap());
        // Removal never recomputes the value.
        assert_eq!(amount(&policy(&app, &p_pm).await["value"]), dec("2000"));

        // An Idle policy's row never effective is deleted on removal with cancelPolicies.
        let mut g = family(&app, &admin, v1, "900200010", "1975-03-01").await;
        let p_g = create(&app, &admin, policy_input(&g, pm, eo, &t)).await;
        member(&app, &admin, &mut g, "900200011", "2012-01-01", 4, "").await;
        let g1_uuid = insuree_uuid(&app, "900200011").await;
        let g1 = g.members["900200011"];
        ok(&app, Some(&admin), &format!(r#"mutation {{ removeInsurees(input: {{ uuid: "{}", uuids: ["{g1_uuid}"], cancelPolicies: true }}) {{ internalId }} }}"#, g.uuid), json!({})).await;
        assert!(!rows(&policy(&app, &p_g).await).contains_key("900200011"));
        assert_eq!(app.count("policy_insuree_policy", &format!("insuree_id = {g1} AND validity_to IS NULL")).await, 0);

        // Moving a member: their rows on the old family's policies end (cancelPolicies), and
        // they join the new family's open policies (value recomputed).
        ok(&app, Some(&admin), &format!(r#"mutation {{ changeInsureeFamily(input: {{ familyUuid: "{}", insureeUuid: "{c2_uuid}", cancelPolicies: true }}) {{ internalId }} }}"#, g.uuid), json!({})).await;
        assert_eq!(rows(&policy(&app, &p_ls).await)["900200002"].1, t);
        let p = policy(&app, &p_g).await;
        assert_eq!(rows(&p)["900200002"].0, Value::Null);
        assert_eq!(amount(&p["value"]), dec("1500"));
        assert_eq!(app.count("policy_insuree_policy", &format!("insuree_id = {c2} AND policy_id = {} AND validity_to IS NULL", policy_pk(&app, &p_g).await)).await, 1);

        // A member who left with cancelPolicies and comes back is covered again from today
        // (a new row; the ended one stays), counted once.
        let c3_id = f.members["900200003"];
        let tomorrow = today.succ_opt().unwrap();
        assert_eq!(covered(&app, c3_id, today).await.len(), 2);
        assert!(covered(&app, c3_id, tomorrow).await.is_empty());
        ok(&app, Some(&admin), &format!(r#"mutation {{ changeInsureeFamily(input: {{ familyUuid: "{}", insureeUuid: "{c3_uuid}" }}) {{ internalId }} }}"#, f.uuid), json!({})).await;
        let back = covered(&app, c3_id, tomorrow).await;
        assert!(back.contains(&p_ls) && back.contains(&p_pm), "{back:?}");
        let ls_pk = policy_pk(&app, &p_ls).await;
        assert_eq!(app.count("policy_insuree_policy", &format!("insuree_id = {c3_id} AND policy_id = {ls_pk} AND validity_to IS NULL")).await, 2);
        // p_pm: head, C1 (moved away, row ended) and C2 back: one adult and two children.
        assert_eq!(amount(&policy(&app, &p_pm).await["value"]), dec("2000"));
        let w = ok(&app, Some(&admin), &format!("{{ canAddInsuree(familyId: {}) }}", f.id), json!({})).await;
        assert_eq!(w["canAddInsuree"].as_array().unwrap().len(), 1, "still 3 members on COVPM: {w}");

        // Status DE (a member of the new family): rows end on the status date.
        let died = today + chrono::Duration::days(5);
        ok(&app, Some(&admin), &upd(&format!(r#", status: "DE", statusReason: "DEATH", statusDate: "{}""#, ds(died))), json!({})).await;
        assert_eq!(rows(&policy(&app, &p_g).await)["900200002"].1, ds(died));
        assert_eq!(rows(&policy(&app, &p_ls).await)["900200002"].1, t, "an earlier end is kept");

        // Deletion soft-deletes the rows.
        let c5 = f.members["900200005"];
        ok(&app, Some(&admin), &format!(r#"mutation {{ deleteInsurees(input: {{ uuids: ["{c5_uuid}"] }}) {{ internalId }} }}"#), json!({})).await;
        assert_eq!(app.count("policy_insuree_policy", &format!("insuree_id = {c5} AND validity_to IS NULL")).await, 0);
        assert!(app.count("policy_insuree_policy", &format!("insuree_id = {c5} AND validity_to IS NOT NULL")).await >= 1);

        // Idle policies cover nobody.
        let hg = g.members["900200010"];
        assert!(covered(&app, hg, today).await.is_empty());
        let r = ok(&app, Some(&admin), &format!(r#"{{ policiesByInsuree(chfId: "900200010", targetDate: "{t}") {{ totalCount }} a: policiesByInsuree(chfId: "900200010") {{ totalCount }} }}"#), json!({})).await;
        assert_eq!(r["policiesByInsuree"]["totalCount"], 0);
        assert_eq!(r["a"]["totalCount"], 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Activation options (D15)

async fn activation_case(db: TestDb, option: u32) -> TestDb {
    let app = TestApp::with_config(app_config(&db, &[("activation_option", option)]), true).await;
    let admin = app.principal("Admin").await;
    let v1 = village(&app, "D0001").await;
    let eo = user_id(&app, "eo_douala").await;
    let today = today(&app);
    let t = ds(today);
    let later = product(
        &app,
        &admin,
        "ACTLATE",
        json!({ "premiumAdult": "1000", "administrationPeriod": 1 }),
    )
    .await;
    let now = product(&app, &admin, "ACTNOW", json!({ "premiumAdult": "1000" })).await;
    let f = family(&app, &admin, v1, "900300001", "1980-03-01").await;
    let head = f.members["900300001"];
    let start = add_months(today, 1);
    // a: starts in a month; b: started in the past; c: enforced; e: suspended.
    let a = create(&app, &admin, policy_input(&f, later, eo, &t)).await;
    let past = add_months(today, -3);
    let b = create(&app, &admin, policy_input(&f, now, eo, &ds(past))).await;
    let c = create(&app, &admin, policy_input(&f, now, eo, &t)).await;
    let e = create(&app, &admin, policy_input(&f, now, eo, &t)).await;

    // A partial premium leaves every option Idle.
    let out = premium(&app, &a, 40_000, today, PremiumAction::Wait).await;
    assert_eq!((out.status, out.activated, out.balance), (1, false, 60_000));
    let full_a = premium(&app, &a, 100_000, today, PremiumAction::Wait).await;
    let full_b = premium(&app, &b, 100_000, today, PremiumAction::Wait).await;
    let enforced = premium(&app, &c, 10_000, today, PremiumAction::Enforce).await;
    let suspended = premium(&app, &e, 10_000, today, PremiumAction::Suspend).await;
    assert_eq!(suspended.status, 4, "SUSPEND under every option");
    assert_eq!(policy(&app, &e).await["status"], 4);
    // Over-payment is accepted with a warning.
    let over = premium(&app, &b, 150_000, today, PremiumAction::Wait).await;
    assert_eq!(over.warnings[0].code, "premium.overpaid");
    match option {
        1 => {
            // Active, effective = later of start and pay date; empty row dates filled.
            assert!(full_a.activated && full_b.activated && enforced.activated);
            let p = policy(&app, &a).await;
            assert_eq!(
                (p["status"].as_i64(), p["effectiveDate"].as_str()),
                (Some(2), Some(ds(start).as_str()))
            );
            assert_eq!(rows(&p)["900300001"].0, ds(start));
            let p = policy(&app, &b).await;
            assert_eq!(
                (
                    p["effectiveDate"].as_str(),
                    rows(&p)["900300001"].0.as_str()
                ),
                (Some(t.as_str()), Some(t.as_str()))
            );
            assert_eq!(amount(&p["sumPremiums"]), dec("1500"));
            let p = policy(&app, &c).await;
            assert_eq!(p["status"], 2);
            assert_eq!(amount(&p["balance"]), dec("900"));
            assert_eq!(covered(&app, head, today).await.len(), 2, "b and c");
            assert_eq!(
                covered(&app, head, start).await.len(),
                3,
                "a from its start"
            );
        }
        2 => {
            // Premiums never activate, ENFORCE included; matched payments do.
            assert!(!full_a.activated && !full_b.activated && !enforced.activated);
            for u in [&a, &b, &c] {
                assert_eq!(policy(&app, u).await["status"], 1);
            }
            let out = matched(&app, &a, 50_000, today).await;
            assert_eq!((out.status, out.activated), (1, false));
            let out = matched(&app, &a, 100_000, today).await;
            assert!(out.activated);
            let p = policy(&app, &a).await;
            assert_eq!(
                (p["status"].as_i64(), p["effectiveDate"].as_str()),
                (Some(2), Some(ds(start).as_str()))
            );
            assert_eq!(rows(&p)["900300001"].0, ds(start));
            let pay = today.pred_opt().unwrap();
            matched(&app, &b, 100_000, pay).await;
            assert_eq!(policy(&app, &b).await["effectiveDate"], ds(pay));
            assert_eq!(covered(&app, head, today).await, [b.clone()]);
        }
        _ => {
            // Contributions (or ENFORCE) make the policy Ready, which covers nobody; matched
            // payments activate it.
            assert_eq!(
                (full_a.status, full_b.status, enforced.status),
                (16, 16, 16)
            );
            assert!(!full_a.activated);
            assert!(covered(&app, head, today).await.is_empty());
            let out = matched(&app, &b, 100_000, today).await;
            assert!(out.activated);
            let p = policy(&app, &b).await;
            assert_eq!(
                (p["status"].as_i64(), p["effectiveDate"].as_str()),
                (Some(2), Some(t.as_str()))
            );
            assert_eq!(rows(&p)["900300001"].0, t);
            assert_eq!(covered(&app, head, today).await, [b.clone()]);
            assert_eq!(policy(&app, &a).await["status"], 16);
        }
    }
    // Premiums on Suspended policies change no status.
    premium(&app, &e, 100_000, today, PremiumAction::Wait).await;
    assert_eq!(policy(&app, &e).await["status"], 4);
    // A new member joins the Idle, Ready and Active policies, not the Suspended one.
    let mut f = f;
    member(&app, &admin, &mut f, "900300002", "1985-01-01", 8, "").await;
    for u in [&a, &b, &c] {
        assert!(
            rows(&policy(&app, u).await).contains_key("900300002"),
            "{u}"
        );
    }
    assert!(!rows(&policy(&app, &e).await).contains_key("900300002"));
    // A premium changed or deleted never deactivates (warning when no longer paid).
    let b_pk = policy_pk(&app, &b).await;
    let tx = app.state.db.begin_write().await.unwrap();
    let out = imis_policy::api::contributions_changed(&app.state, &tx, None, b_pk, 10_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let b_status = policy(&app, &b).await["status"].as_i64().unwrap();
    assert_eq!(i64::from(out.status), b_status);
    assert_eq!(b_status, 2, "b was activated under every option");
    assert_eq!(out.warnings[0].code, "premium.policy_underpaid");
    assert_eq!(out.balance, 190_000, "value 2000 since the spouse joined");
    // updatePolicy of a partly paid Idle policy: its product cannot change (receipts are unique
    // per product), and when the recomputed value falls to what was paid (a member left), the
    // contributions activate it under option 1 (Ready under 3).
    let half = product(&app, &admin, "ACTHALF", json!({ "premiumAdult": "250" })).await;
    let g_input = policy_input(&f, now, eo, &t);
    let g = create(&app, &admin, g_input.clone()).await;
    assert_eq!(amount(&policy(&app, &g).await["value"]), dec("2000"));
    premium(&app, &g, 100_000, today, PremiumAction::Wait).await;
    assert_eq!(
        err(
            &app,
            Some(&admin),
            UPDATE,
            json!({ "i": with(g_input.clone(), json!({ "productId": half })) }),
        )
        .await,
        "policy.product_change_with_contributions"
    );
    let spouse = insuree_uuid(&app, "900300002").await;
    ok(&app, Some(&admin), &format!(r#"mutation {{ removeInsurees(input: {{ uuid: "{}", uuids: ["{spouse}"], cancelPolicies: false }}) {{ internalId }} }}"#, f.uuid), json!({})).await;
    ok(&app, Some(&admin), UPDATE, json!({ "i": g_input })).await;
    let p = policy(&app, &g).await;
    assert_eq!(amount(&p["value"]), dec("1000"));
    assert_eq!(p["status"].as_i64(), Some([2, 1, 16][option as usize - 1]));
    // A zero-value policy is Active at creation under every option.
    let free = product(&app, &admin, "ACTFREE", json!({})).await;
    let z = create(&app, &admin, policy_input(&f, free, eo, &t)).await;
    assert_eq!(policy(&app, &z).await["status"], 2);
    db
}

#[tokio::test]
async fn activation_option_1_contributions_activate() {
    on_each_db(|db: TestDb| activation_case(db, 1)).await;
}

#[tokio::test]
async fn activation_option_2_matched_payments_activate() {
    on_each_db(|db: TestDb| activation_case(db, 2)).await;
}

#[tokio::test]
async fn activation_option_3_contributions_make_ready() {
    on_each_db(|db: TestDb| activation_case(db, 3)).await;
}

// ---------------------------------------------------------------------------------------------
// Eligibility (reference §7.6) and the facility desk (D9)

async fn push_usage(
    app: &TestApp,
    claim: i64,
    insuree: i64,
    on: NaiveDate,
    category: &str,
    lines: Vec<UsageLine>,
) {
    let tx = app.state.db.begin_write().await.unwrap();
    usage::record_claim_usage(
        &app.state,
        &tx,
        &ClaimUsage {
            claim_id: claim,
            insuree_id: insuree,
            target_date: on,
            category: Some(category.into()),
            lines,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn eligibility_with_and_without_claims_and_the_facility_desk() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v2 = village(&app, "D0002").await;
        let eo = user_id(&app, "eo_edea").await;
        let today = today(&app);
        let (_, para_uuid) = medical_id(&app, Medical::Item, "PARA5").await;
        let (amox, amox_uuid) = medical_id(&app, Medical::Item, "AMOX5").await;
        let (cons, cons_uuid) = medical_id(&app, Medical::Service, "C0001").await;
        product(&app, &admin, "ELIG", json!({ "premiumAdult": "1000", "maxNoConsultation": 2, "maxNoHospitalization": 1,
            "maxAmountConsultation": "5000",
            "items": [
                { "itemUuid": para_uuid, "limitAdult": "100", "limitChild": "100", "waitingPeriodAdult": 3, "limitNoAdult": 5 },
                { "itemUuid": amox_uuid, "limitAdult": "100", "limitChild": "100", "limitNoAdult": 2 }
            ],
            "services": [{ "serviceUuid": cons_uuid, "limitAdult": "100", "limitChild": "100", "limitNoAdult": 3 }] })).await;
        let p = product_id(&app, "ELIG").await;
        // A family of Edéa (D0002), covered from today.
        let mut f = family(&app, &admin, v2, "900400001", "1980-03-01").await;
        let head = f.members["900400001"];
        let u = create(&app, &admin, policy_input(&f, p, eo, &ds(today))).await;
        premium(&app, &u, 100_000, today, PremiumAction::Wait).await;
        // A member added without the policy: not covered.
        member(&app, &admin, &mut f, "900400002", "1985-01-01", 8, ", addOnExistingPolicy: false").await;

        let item = |chf: &str, code: &str| format!(r#"{{ policyItemEligibilityByInsuree(chfId: "{chf}", itemCode: "{code}") {{ minDateItem itemLeft isItemOk }} }}"#);
        let service = |chf: &str, code: &str| format!(r#"{{ policyServiceEligibilityByInsuree(chfId: "{chf}", serviceCode: "{code}") {{ minDateService serviceLeft isServiceOk }} }}"#);
        let totals = |chf: &str| format!(r#"{{ policyEligibilityByInsuree(chfId: "{chf}") {{ prodId totalAdmissionsLeft totalVisitsLeft totalConsultationsLeft
            totalSurgeriesLeft consultationAmountLeft surgeryAmountLeft }} }}"#);
        // Before any claim: the waiting period shows.
        let e = ok(&app, Some(&admin), &item("900400001", "PARA5"), json!({})).await["policyItemEligibilityByInsuree"].clone();
        assert_eq!(e["minDateItem"], ds(add_months(today, 3)));
        assert_eq!(e["itemLeft"], 5);
        assert_eq!(e["isItemOk"], false);
        let e = ok(&app, Some(&admin), &item("900400001", "AMOX5"), json!({})).await["policyItemEligibilityByInsuree"].clone();
        assert_eq!((e["minDateItem"].as_str(), e["itemLeft"].as_i64(), e["isItemOk"].as_bool()), (Some(ds(today).as_str()), Some(2), Some(true)));
        // An item the product does not cover.
        let e = ok(&app, Some(&admin), &item("900400001", "GSTER"), json!({})).await["policyItemEligibilityByInsuree"].clone();
        assert_eq!(e["isItemOk"], false);
        let e = ok(&app, Some(&admin), &service("900400001", "C0001"), json!({})).await["policyServiceEligibilityByInsuree"].clone();
        assert_eq!((e["serviceLeft"].as_i64(), e["isServiceOk"].as_bool()), (Some(3), Some(true)));
        let e = ok(&app, Some(&admin), &totals("900400001"), json!({})).await["policyEligibilityByInsuree"].clone();
        assert_eq!(e["prodId"], "ELIG");
        assert_eq!(e["totalConsultationsLeft"], 2);
        assert_eq!(e["totalAdmissionsLeft"], 1);
        assert!(e["totalSurgeriesLeft"].is_null() && e["surgeryAmountLeft"].is_null(), "unlimited");
        assert_eq!(amount(&e["consultationAmountLeft"]), dec("5000"));

        // Claims used: AMOX5 2.5 units (a started unit counts), one consultation per claim.
        push_usage(&app, 1, head, today, "C", vec![
            UsageLine { kind: 'I', medical_id: amox, qty_hundredths: 100 },
            UsageLine { kind: 'S', medical_id: cons, qty_hundredths: 100 },
        ]).await;
        let e = ok(&app, Some(&admin), &item("900400001", "AMOX5"), json!({})).await["policyItemEligibilityByInsuree"].clone();
        assert_eq!((e["itemLeft"].as_i64(), e["isItemOk"].as_bool()), (Some(1), Some(true)));
        let e = ok(&app, Some(&admin), &totals("900400001"), json!({})).await["policyEligibilityByInsuree"].clone();
        assert_eq!(e["totalConsultationsLeft"], 1);
        push_usage(&app, 2, head, today, "C", vec![UsageLine { kind: 'I', medical_id: amox, qty_hundredths: 150 }]).await;
        let e = ok(&app, Some(&admin), &item("900400001", "AMOX5"), json!({})).await["policyItemEligibilityByInsuree"].clone();
        assert_eq!((e["itemLeft"].as_i64(), e["isItemOk"].as_bool()), (Some(0), Some(false)));
        // No consultation left: the consultation service is refused though its own count is not used up.
        let e = ok(&app, Some(&admin), &service("900400001", "C0001"), json!({})).await["policyServiceEligibilityByInsuree"].clone();
        assert_eq!((e["serviceLeft"].as_i64(), e["isServiceOk"].as_bool()), (Some(2), Some(false)));
        // Replacing a claim's usage replaces its counts; usage outside the coverage window is ignored.
        push_usage(&app, 2, head, today, "V", vec![]).await;
        push_usage(&app, 3, head, add_months(today, -1), "C", vec![UsageLine { kind: 'I', medical_id: amox, qty_hundredths: 500 }]).await;
        let e = ok(&app, Some(&admin), &item("900400001", "AMOX5"), json!({})).await["policyItemEligibilityByInsuree"].clone();
        assert_eq!(e["itemLeft"], 1);
        let e = ok(&app, Some(&admin), &totals("900400001"), json!({})).await["policyEligibilityByInsuree"].clone();
        assert_eq!(e["totalConsultationsLeft"], 1);

        // No coverage: all zeros and not OK.
        let e = ok(&app, Some(&admin), &totals("900400002"), json!({})).await["policyEligibilityByInsuree"].clone();
        assert!(e["prodId"].is_null());
        assert_eq!(e["totalConsultationsLeft"], 0);
        assert_eq!(e["totalAdmissionsLeft"], 0);
        assert_eq!(amount(&e["consultationAmountLeft"]), Decimal::ZERO);
        let e = ok(&app, Some(&admin), &item("900400002", "AMOX5"), json!({})).await["policyItemEligibilityByInsuree"].clone();
        assert_eq!(e["isItemOk"], false);
        let e = ok(&app, Some(&admin), &service("900400002", "C0001"), json!({})).await["policyServiceEligibilityByInsuree"].clone();
        assert_eq!(e["isServiceOk"], false);
        assert_eq!(err(&app, Some(&admin), &item("999999999", "AMOX5"), json!({})).await, "not_found");
        assert_eq!(err(&app, Some(&admin), &item("900400001", "NOSUCH"), json!({})).await, "not_found");

        // D9: the clerk of Douala (D0001) holds 101105: exact look-ups cross districts.
        let clerk = app.principal("clerk").await;
        let by_insuree = r#"{ policiesByInsuree(chfId: "900400001", activeOrLastExpiredOnly: true) { totalCount edges { node { productCode status officerCode } } } }"#;
        let r = ok(&app, Some(&clerk), by_insuree, json!({})).await;
        assert_eq!(r["policiesByInsuree"]["totalCount"], 1);
        assert_eq!(r["policiesByInsuree"]["edges"][0]["node"]["officerCode"], "eo_edea");
        ok(&app, Some(&clerk), &item("900400001", "AMOX5"), json!({})).await;
        // ... but not the policy lists of that family.
        assert_eq!(err(&app, Some(&clerk), &format!(r#"{{ policiesByFamily(familyUuid: "{}") {{ totalCount }} }}"#, f.uuid), json!({})).await, "auth.location_denied");
        let listed = ok(&app, Some(&clerk), r#"{ policies(product_Code: "ELIG") { totalCount } }"#, json!({})).await;
        assert_eq!(listed["policies"]["totalCount"], 0);
        // A medical officer's 111001 alone is a desk right too.
        let mut doctor = clerk.clone();
        doctor.rights = [111001].into_iter().collect();
        ok(&app, Some(&doctor), &totals("900400001"), json!({})).await;
        ok(&app, Some(&doctor), by_insuree, json!({})).await;
        // A location-restricted user with the search right only is refused.
        let mut searcher = clerk.clone();
        searcher.rights = [101201].into_iter().collect();
        assert_eq!(err(&app, Some(&searcher), by_insuree, json!({})).await, "auth.location_denied");
        assert_eq!(err(&app, Some(&searcher), &totals("900400001"), json!({})).await, "auth.location_denied");
        // Without any of these rights.
        let mut nobody = clerk.clone();
        nobody.rights = [101001].into_iter().collect();
        assert_eq!(err(&app, Some(&nobody), &totals("900400001"), json!({})).await, "auth.permission_denied");
        assert_eq!(err(&app, Some(&nobody), by_insuree, json!({})).await, "auth.permission_denied");
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Lists

#[tokio::test]
async fn policies_filters_scope_and_history() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // D0001
        let v1 = village(&app, "D0001").await;
        let v2 = village(&app, "D0002").await;
        let eo1 = user_id(&app, "eo_douala").await;
        let eo2 = user_id(&app, "eo_edea").await;
        let a = product(&app, &admin, "LSTA", json!({ "premiumAdult": "1000" })).await;
        let b = product(&app, &admin, "LSTB", json!({ "premiumAdult": "3000" })).await;
        let f1 = family(&app, &admin, v1, "900500001", "1980-03-01").await;
        let f2 = family(&app, &admin, v2, "900500002", "1980-03-01").await;
        let p1 = create(&app, &admin, policy_input(&f1, a, eo1, "2025-01-10")).await; // 1000, Idle
        let p2 = create(&app, &admin, policy_input(&f1, b, eo1, "2025-02-10")).await; // 3000, paid 1000
        let p3 = create(&app, &admin, policy_input(&f2, a, eo2, "2025-03-10")).await; // 1000, paid
        premium(&app, &p2, 100_000, d("2025-02-10"), PremiumAction::Enforce).await;
        premium(&app, &p3, 100_000, d("2025-03-10"), PremiumAction::Wait).await;
        let uuids = async |who: &Principal, filter: &str| -> Vec<String> {
            let r = ok(&app, Some(who), &format!(r#"{{ policies({filter} first: 100, orderBy: ["enrollDate"]) {{ totalCount edges {{ node {{ uuid }} }} }} }}"#), json!({})).await;
            let edges: Vec<String> = r["policies"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["uuid"].as_str().unwrap().to_string()).collect();
            assert!(r["policies"]["totalCount"].as_u64().unwrap() <= 100, "one page holds them all");
            edges.into_iter().filter(|u| [&p1, &p2, &p3].contains(&u)).collect()
        };
        let v = |l: &[&String]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(uuids(&admin, "").await, v(&[&p1, &p2, &p3]));
        assert_eq!(uuids(&admin, r#"balanceLte: "0","#).await, v(&[&p3]));
        assert_eq!(uuids(&admin, r#"balanceGte: "1000","#).await, v(&[&p1, &p2]));
        assert_eq!(uuids(&admin, r#"balanceGte: "1500","#).await, v(&[&p2]));
        assert_eq!(uuids(&admin, "status: 2,").await, v(&[&p2, &p3]));
        assert_eq!(uuids(&admin, "status: 1,").await, v(&[&p1]));
        assert_eq!(uuids(&admin, r#"enrollDate_Gte: "2025-02-10","#).await, v(&[&p2, &p3]));
        assert_eq!(uuids(&admin, r#"enrollDate_Lte: "2025-02-09", enrollDate_Gte: "2025-01-01","#).await, v(&[&p1]));
        assert_eq!(uuids(&admin, r#"expiryDate_Lt: "2026-02-09","#).await, v(&[&p1]));
        assert_eq!(uuids(&admin, r#"startDate_Gte: "2025-03-10","#).await, v(&[&p3]));
        assert_eq!(uuids(&admin, r#"effectiveDate_Gte: "2025-01-01","#).await, v(&[&p2, &p3]));
        assert_eq!(uuids(&admin, r#"value_Gte: "2000","#).await, v(&[&p2]));
        assert_eq!(uuids(&admin, &format!("product_Id: \"{b}\",")).await, v(&[&p2]));
        assert_eq!(uuids(&admin, r#"product_Code: "LSTA","#).await, v(&[&p1, &p3]));
        assert_eq!(uuids(&admin, &format!("officer_Id: \"{eo2}\",")).await, v(&[&p3]));
        assert_eq!(uuids(&admin, r#"officer_Code: "eo_douala","#).await, v(&[&p1, &p2]));
        assert_eq!(uuids(&admin, r#"stage: "N","#).await, v(&[&p1, &p2, &p3]));
        assert_eq!(uuids(&admin, &format!(r#"family_Uuid: "{}","#, f2.uuid)).await, v(&[&p3]));
        let (d1, d2, r1) = (location_id(&app, "D0001").await, location_id(&app, "D0002").await, location_id(&app, "R0001").await);
        assert_eq!(uuids(&admin, &format!("districtId: {d2},")).await, v(&[&p3]));
        assert_eq!(uuids(&admin, &format!("districtId: {d1},")).await, v(&[&p1, &p2]));
        assert_eq!(uuids(&admin, &format!("regionId: {r1},")).await, v(&[&p1, &p2, &p3]));
        // Location scope (D9): the clerk of D0001.
        assert_eq!(uuids(&clerk, "").await, v(&[&p1, &p2]));
        assert_eq!(uuids(&clerk, &format!("districtId: {d2},")).await, v(&[]));
        let eo = app.principal("eo_edea").await;
        assert_eq!(uuids(&eo, "").await, v(&[&p3]));
        // showHistory: previous versions follow their policy.
        let h = ok(&app, Some(&admin), &format!(r#"{{ policies(uuid: "{p2}", showHistory: true) {{ edges {{ node {{ status validityTo }} }} }} }}"#), json!({})).await;
        let edges = h["policies"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!((edges[0]["node"]["status"].as_i64(), edges[1]["node"]["status"].as_i64()), (Some(2), Some(1)));
        assert!(edges[0]["node"]["validityTo"].is_null() && edges[1]["node"]["validityTo"].is_string());
        // Nested objects and node().
        let r = ok(&app, Some(&admin), &format!(r#"{{ policies(uuid: "{p1}") {{ edges {{ node {{ id family {{ headInsuree {{ chfId }} location {{ code }} }} product {{ code }} officer {{ code }} }} }} }} }}"#), json!({})).await;
        let n = &r["policies"]["edges"][0]["node"];
        assert_eq!(n["family"]["headInsuree"]["chfId"], "900500001");
        assert_eq!(n["product"]["code"], "LSTA");
        let id = n["id"].as_str().unwrap().to_string();
        let q = format!(r#"{{ node(id: "{id}") {{ ... on PolicyGQLType {{ uuid }} }} }}"#);
        assert_eq!(ok(&app, Some(&admin), &q, json!({})).await["node"]["uuid"], p1.as_str());
        assert_eq!(ok(&app, Some(&clerk), &q, json!({})).await["node"]["uuid"], p1.as_str());
        let r = ok(&app, Some(&admin), &format!(r#"{{ policies(uuid: "{p3}") {{ edges {{ node {{ id }} }} }} }}"#), json!({})).await;
        let q3 = format!(r#"{{ node(id: "{}") {{ ... on PolicyGQLType {{ uuid }} }} }}"#, r["policies"]["edges"][0]["node"]["id"].as_str().unwrap());
        assert!(ok(&app, Some(&clerk), &q3, json!({})).await["node"].is_null(), "out of the clerk's district");
        // policiesByFamily: order, activeOrLastExpiredOnly and targetDate.
        let r = ok(&app, Some(&admin), &format!(r#"{{ policiesByFamily(familyUuid: "{}", orderBy: "enrollDate") {{ edges {{ node {{ policyUuid productCode policyValue balance startDate }} }} }} }}"#, f1.uuid), json!({})).await;
        let e = r["policiesByFamily"]["edges"].as_array().unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0]["node"]["policyUuid"], p1.as_str());
        assert_eq!(amount(&e[1]["node"]["policyValue"]), dec("3000"));
        assert_eq!(amount(&e[1]["node"]["balance"]), dec("2000"));
        let r = ok(&app, Some(&admin), &format!(r#"{{ policiesByFamily(familyUuid: "{}", targetDate: "2025-02-10") {{ edges {{ node {{ policyUuid }} }} }} }}"#, f1.uuid), json!({})).await;
        assert_eq!(r["policiesByFamily"]["edges"].as_array().unwrap().len(), 1);
        assert_eq!(r["policiesByFamily"]["edges"][0]["node"]["policyUuid"], p2.as_str());
        // activeOrLastExpiredOnly: per product the Active one, else the latest expired one; Idle
        // policies always. Older expired policies of both products:
        let old_a = create(&app, &admin, policy_input(&f1, a, eo1, "2023-01-10")).await;
        let older_a = create(&app, &admin, policy_input(&f1, a, eo1, "2022-01-10")).await;
        let old_b = create(&app, &admin, policy_input(&f1, b, eo1, "2023-02-10")).await;
        for u in [&old_a, &older_a, &old_b] {
            premium(&app, u, 0, d("2023-01-10"), PremiumAction::Enforce).await;
            let pk = policy_pk(&app, u).await;
            app.state.db.conn.execute_raw(imis_core::db::stmt(app.state.db.backend(),
                "UPDATE policy_policy SET status = 8 WHERE id = ?", vec![pk.into()])).await.unwrap();
        }
        let q = format!(r#"{{ policiesByFamily(familyUuid: "{}", activeOrLastExpiredOnly: true, orderBy: "-enrollDate") {{ totalCount edges {{ node {{ policyUuid }} }} }} }}"#, f1.uuid);
        let r = ok(&app, Some(&admin), &q, json!({})).await;
        let kept: Vec<&str> = r["policiesByFamily"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["policyUuid"].as_str().unwrap()).collect();
        assert_eq!(kept, [p2.as_str(), p1.as_str(), old_a.as_str()]);
        let r = ok(&app, Some(&admin), r#"{ policiesByInsuree(chfId: "900500001", activeOrLastExpiredOnly: true, first: 2) { totalCount edges { node { policyUuid } } pageInfo { hasNextPage } } }"#, json!({})).await;
        assert_eq!(r["policiesByInsuree"]["totalCount"], 3);
        assert_eq!(r["policiesByInsuree"]["edges"].as_array().unwrap().len(), 2);
        assert_eq!(r["policiesByInsuree"]["pageInfo"]["hasNextPage"], true);
        db
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Jobs

#[tokio::test]
async fn the_expiry_job_expires_with_one_history_row_each() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::with_config(app_config(&db, &[("activation_option", 3)]), true).await;
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let today = today(&app);
        let p = product(&app, &admin, "EXP1", json!({ "premiumAdult": "1000" })).await;
        let f = family(&app, &admin, v1, "900600001", "1980-03-01").await;
        let old = "2024-01-10"; // expires 2025-01-09, before today
        let idle = create(&app, &admin, policy_input(&f, p, eo, old)).await;
        let active = create(&app, &admin, policy_input(&f, p, eo, old)).await;
        premium(&app, &active, 100_000, d(old), PremiumAction::Wait).await; // Ready (option 3)
        matched(&app, &active, 100_000, d(old)).await; // then Active
        let suspended = create(&app, &admin, policy_input(&f, p, eo, old)).await;
        ok(&app, Some(&admin), SUSPEND, json!({ "i": { "uuids": [suspended] } })).await;
        let ready = create(&app, &admin, policy_input(&f, p, eo, old)).await;
        premium(&app, &ready, 100_000, d(old), PremiumAction::Wait).await;
        let current = create(&app, &admin, policy_input(&f, p, eo, &ds(add_months(today, -1)))).await;
        // Expires the day after its expiry date, not on it.
        let edge = create(&app, &admin, policy_input(&f, p, eo, &ds(add_months(today, -12)))).await;
        let edge_expiry = policy(&app, &edge).await["expiryDate"].as_str().unwrap().to_string();
        let mine = [&idle, &active, &suspended, &ready];
        let before: Vec<(i64, usize)> = {
            let mut v = vec![];
            for u in mine {
                let p = policy(&app, u).await;
                let h = ok(&app, Some(&admin), &format!(r#"{{ policies(uuid: "{u}", showHistory: true) {{ edges {{ node {{ status }} }} }} }}"#), json!({})).await;
                v.push((p["status"].as_i64().unwrap(), h["policies"]["edges"].as_array().unwrap().len()));
            }
            v
        };
        assert_eq!(before.iter().map(|b| b.0).collect::<Vec<_>>(), [1, 2, 4, 16]);
        let history = app.history_count("policy", None).await;
        let n = imis_policy::jobs::expire_policies(&app.state, today).await.unwrap();
        assert!(n >= 4, "{n}");
        for (u, (status, versions)) in mine.into_iter().zip(before) {
            let h = ok(&app, Some(&admin), &format!(r#"{{ policies(uuid: "{u}", showHistory: true) {{ edges {{ node {{ id uuid status stage value expiryDate validityTo legacyId }} }} }} }}"#), json!({})).await;
            let edges = h["policies"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), versions + 1, "one history row for {u}");
            assert_eq!(edges[0]["node"]["status"], 8);
            // The set-based history row reads back as the previous version.
            let prev = &edges[1]["node"];
            assert_eq!(prev["status"].as_i64(), Some(status));
            assert_eq!(prev["uuid"], u.as_str());
            assert_eq!(prev["stage"], "N");
            assert_eq!(amount(&prev["value"]), dec("1000"));
            assert_eq!(prev["expiryDate"], "2025-01-09");
            assert!(prev["validityTo"].is_string());
            let vid = prev["id"].as_str().unwrap();
            let node = ok(&app, Some(&admin), &format!(r#"{{ node(id: "{vid}") {{ ... on PolicyGQLType {{ status }} }} }}"#), json!({})).await;
            assert_eq!(node["node"]["status"].as_i64(), Some(status));
        }
        assert_eq!(policy(&app, &current).await["status"], 1);
        assert_eq!(app.history_count("policy", None).await, history + n as i64);
        // The edge policy: expiry date = today − 1 day or today depending on month lengths.
        let edge_status = policy(&app, &edge).await["status"].as_i64().unwrap();
        assert_eq!(edge_status == 8, d(&edge_expiry) < today, "{edge_expiry}");
        // Twice: no harm.
        assert_eq!(imis_policy::jobs::expire_policies(&app.state, today).await.unwrap(), 0);
        assert_eq!(app.history_count("policy", None).await, history + n as i64);
        // Expired policies still cover their dates (D16).
        assert_eq!(covered(&app, f.members["900600001"], d("2024-06-01")).await, [active.clone()]);
        db
    })
    .await;
}

#[tokio::test]
async fn renewal_reminders_job() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::with_config(app_config(&db, &[("renewal_interval_days", 30)]), true).await;
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        // The job runs "on" 2025-01-01: reminders for policies expiring by 2025-01-31.
        let run_on = d("2025-01-01");
        let end = product(&app, &admin, "RMEND", json!({ "premiumAdult": "100" })).await;
        let end_uuid = product_uuid(&app, "RMEND").await;
        let mid = product(&app, &admin, "RMMID", json!({ "premiumAdult": "100", "conversionProductUuid": end_uuid })).await;
        let mid_uuid = product_uuid(&app, "RMMID").await;
        let start = product(&app, &admin, "RMSTART", json!({ "premiumAdult": "100", "conversionProductUuid": mid_uuid })).await;
        let stale = product(&app, &admin, "RMSTALE", json!({ "premiumAdult": "100", "dateTo": "2025-01-09" })).await;
        let plain = product(&app, &admin, "RMPLAIN", json!({ "premiumAdult": "100" })).await;
        // Officers: one who stopped working, substituted by one who stopped too, substituted by
        // one still working; one who stopped without substitute.
        let eo_role = imis_core::users::service::system_role(&app.state.db.conn, 1).await.unwrap().id;
        let officer = |name: &str, works_to: Option<&str>, subst: Option<i64>| {
            let works = works_to.map(|w| format!(r#", worksTo: "{w}T00:00:00""#)).unwrap_or_default();
            let sub = subst.map(|s| format!(", substitutionOfficerId: {s}")).unwrap_or_default();
            format!(r#"mutation {{ createUser(input: {{ username: "{name}", lastName: "Agent", otherNames: "{name}", language: "fr",
                villageIds: [{v1}], roles: [{eo_role}], userTypes: [OFFICER], phone: "+237 600 {name}" {works} {sub} }}) {{ internalId }} }}"#)
        };
        ok(&app, Some(&admin), &officer("rm_c", None, None), json!({})).await;
        let c = user_id(&app, "rm_c").await;
        ok(&app, Some(&admin), &officer("rm_b", Some("2024-12-31"), Some(c)), json!({})).await;
        let b = user_id(&app, "rm_b").await;
        ok(&app, Some(&admin), &officer("rm_a", Some("2024-12-31"), Some(b)), json!({})).await;
        let a = user_id(&app, "rm_a").await;
        ok(&app, Some(&admin), &officer("rm_x", Some("2024-12-31"), None), json!({})).await;
        let x = user_id(&app, "rm_x").await;

        // Photos: the head's taken 2023-06-01 (under 60 months), the child's 2023-06-01 (over
        // 12 months), a member without photo.
        const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
        let photo = format!(r#", photo: {{ photo: "{PNG}", date: "2023-06-01" }}"#);
        let mut f1 = family_with(&app, &admin, v1, "900700001", "1980-03-01", &photo).await;
        member(&app, &admin, &mut f1, "900700002", "2016-01-01", 4, &photo).await;
        member(&app, &admin, &mut f1, "900700003", "1985-01-01", 8, "").await;
        let f2 = family(&app, &admin, v1, "900700011", "1980-03-01").await;
        let f3 = family(&app, &admin, v1, "900700021", "1980-03-01").await;
        let f4 = family(&app, &admin, v1, "900700031", "1980-03-01").await;
        let f5 = family(&app, &admin, v1, "900700041", "1980-03-01").await;
        // Expiring 2025-01-09 (renewal on the 10th), Active.
        let active = async |fam: &Family, p: i64, off: i64, enroll: &str| {
            let u = create(&app, &admin, policy_input(fam, p, off, enroll)).await;
            premium(&app, &u, 0, d(enroll), PremiumAction::Enforce).await;
            u
        };
        let p1 = active(&f1, start, a, "2024-01-10").await; // conversion chain, substitution chain
        let p2 = active(&f2, stale, eo, "2024-01-10").await; // product no longer sold: bit 1
        let p3 = active(&f3, plain, x, "2024-01-10").await; // officer gone, no substitute: bit 4
        let p4 = active(&f4, plain, eo, "2024-03-10").await; // expires after the interval
        let p5 = active(&f5, plain, eo, "2024-01-10").await; // already renewed
        renew(&app, &admin, with(policy_input(&f5, plain, eo, "2024-12-20"), json!({ "prevUuid": p5 }))).await;
        let idle = create(&app, &admin, policy_input(&f4, plain, eo, "2024-01-10")).await; // Idle: none
        let mine = [&p1, &p2, &p3, &p4, &p5, &idle];
        let n = imis_policy::jobs::insert_renewal_reminders(&app.state, run_on).await.unwrap();
        assert!(n >= 3, "{n}");
        let list = ok(&app, Some(&admin), r#"{ policyRenewals(first: 100) { totalCount edges { node { uuid renewalPromptDate renewalDate renewalWarnings phoneNumber
            smsStatus policy { uuid } newOfficer { code } newProduct { code } insuree { chfId } } } } }"#, json!({})).await;
        let reminders: BTreeMap<String, Value> = list["policyRenewals"]["edges"].as_array().unwrap().iter()
            .filter(|e| mine.iter().any(|u| e["node"]["policy"]["uuid"] == u.as_str()))
            .map(|e| (e["node"]["policy"]["uuid"].as_str().unwrap().to_string(), e["node"].clone())).collect();
        assert_eq!(reminders.len(), 3, "{reminders:?}");
        let r1 = &reminders[&p1];
        assert_eq!(r1["renewalDate"], "2025-01-10");
        assert_eq!(r1["renewalPromptDate"], "2025-01-01");
        assert_eq!(r1["renewalWarnings"], 0);
        assert_eq!(r1["newOfficer"]["code"], "rm_c");
        assert_eq!(r1["phoneNumber"], "+237 600 rm_c");
        assert_eq!(r1["newProduct"]["code"], "RMEND");
        assert_eq!(r1["insuree"]["chfId"], "900700001");
        assert_eq!(r1["smsStatus"], 0);
        assert_eq!(reminders[&p2]["renewalWarnings"], 1);
        assert_eq!(reminders[&p3]["renewalWarnings"], 4);
        assert_eq!(reminders[&p3]["newOfficer"]["code"], "rm_x");
        // Photo due: the child (photo over 12 months) and the member without photo.
        let r1_id = one_i64(&app, "SELECT id FROM policy_renewal WHERE policy_id = ? AND validity_to IS NULL", vec![policy_pk(&app, &p1).await.into()]).await;
        let due = renewal_chf_ids(&app, r1_id).await;
        assert_eq!(due, ["900700002", "900700003"]);
        // No officer at all: bit 2.
        let f6 = family(&app, &admin, v1, "900700051", "1980-03-01").await;
        let p6 = active(&f6, plain, eo, "2024-01-10").await;
        app.state.db.conn.execute_raw(imis_core::db::stmt(app.state.db.backend(), "UPDATE policy_policy SET officer_id = NULL WHERE id = ?", vec![policy_pk(&app, &p6).await.into()])).await.unwrap();
        // A family of Edéa (D0002).
        let v2 = village(&app, "D0002").await;
        let eo2 = user_id(&app, "eo_edea").await;
        let f7 = family(&app, &admin, v2, "900700061", "1980-03-01").await;
        let p7 = active(&f7, plain, eo2, "2024-01-10").await;
        // Idempotent: only the new ones.
        assert_eq!(imis_policy::jobs::insert_renewal_reminders(&app.state, run_on).await.unwrap(), 2);
        assert_eq!(imis_policy::jobs::insert_renewal_reminders(&app.state, run_on).await.unwrap(), 0);
        let p6_pk = policy_pk(&app, &p6).await;
        assert_eq!(one_i64(&app, "SELECT CAST(renewal_warnings AS BIGINT) FROM policy_renewal WHERE policy_id = ?", vec![p6_pk.into()]).await, 2);
        // D9: the clerk of Douala (D0001) sees the reminders of families of D0001 only.
        let clerk = app.principal("clerk").await;
        let r = ok(&app, Some(&clerk), r#"{ policyRenewals(first: 100) { edges { node { policy { uuid } } } } }"#, json!({})).await;
        let seen: Vec<&str> = r["policyRenewals"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["policy"]["uuid"].as_str().unwrap()).collect();
        assert!(seen.contains(&p1.as_str()) && seen.contains(&p6.as_str()), "{seen:?}");
        assert!(!seen.contains(&p7.as_str()), "{seen:?}");
        let admin_seen = ok(&app, Some(&admin), r#"{ policyRenewals(first: 100) { edges { node { policy { uuid } } } } }"#, json!({})).await.to_string();
        assert!(admin_seen.contains(p7.as_str()));
        // An officer sees only their reminders.
        let rm_c = app.principal("rm_c").await;
        let r = ok(&app, Some(&rm_c), r#"{ policyRenewals { totalCount edges { node { policy { uuid } } } } }"#, json!({})).await;
        assert_eq!(r["policyRenewals"]["totalCount"], 1);
        assert_eq!(r["policyRenewals"]["edges"][0]["node"]["policy"]["uuid"], p1.as_str());
        // Renewing closes the reminder.
        renew(&app, &admin, with(policy_input(&f1, end, c, "2025-01-05"), json!({ "prevUuid": p1 }))).await;
        let r = ok(&app, Some(&rm_c), r#"{ policyRenewals { totalCount } }"#, json!({})).await;
        assert_eq!(r["policyRenewals"]["totalCount"], 0);
        let _ = mid;
        db
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Officers, rights and scope of every operation

#[tokio::test]
async fn policy_officers_by_location_and_search() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let d1 = location_uuid(&app, "D0001").await;
        let d2 = location_uuid(&app, "D0002").await;
        let r1 = location_uuid(&app, "R0001").await;
        let codes = async |args: &str| -> Vec<String> {
            let r = ok(
                &app,
                Some(&admin),
                &format!("{{ policyOfficers({args}) {{ edges {{ node {{ code }} }} }} }}"),
                json!({}),
            )
            .await;
            r["policyOfficers"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["code"].as_str().unwrap().to_string())
                .collect()
        };
        let d1_codes = codes(&format!(r#"district: "{d1}""#)).await;
        assert!(
            d1_codes.contains(&"eo_douala".to_string())
                && !d1_codes.contains(&"eo_edea".to_string()),
            "{d1_codes:?}"
        );
        let d2_codes = codes(&format!(r#"district: "{d2}""#)).await;
        assert!(
            d2_codes.contains(&"eo_edea".to_string())
                && !d2_codes.contains(&"eo_douala".to_string())
        );
        let all = codes(&format!(r#"region: "{r1}""#)).await;
        assert!(all.contains(&"eo_edea".to_string()) && all.contains(&"eo_douala".to_string()));
        assert_eq!(codes(r#"search: "edea""#).await, ["eo_edea"]);
        // Codes too ignore case, on both databases.
        assert_eq!(codes(r#"search: "EO_EDEA""#).await, ["eo_edea"]);
        // D9: a restricted user sees the officers of their locations only.
        let clerk = app.principal("clerk").await; // D0001
        let r = ok(
            &app,
            Some(&clerk),
            "{ policyOfficers(first: 100) { edges { node { code } } } }",
            json!({}),
        )
        .await;
        let seen: Vec<&str> = r["policyOfficers"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["code"].as_str().unwrap())
            .collect();
        assert!(
            seen.contains(&"eo_douala") && !seen.contains(&"eo_edea"),
            "{seen:?}"
        );
        let r = ok(
            &app,
            Some(&clerk),
            &format!(r#"{{ policyOfficers(district: "{d2}") {{ totalCount }} }}"#),
            json!({}),
        )
        .await;
        assert_eq!(r["policyOfficers"]["totalCount"], 0);
        // Searched by name, ignoring accents and case: Thérèse Moukoko.
        assert_eq!(codes(r#"search: "THERESE""#).await, ["eo_douala"]);

        // The front end sends the location's integer id (as a string); a global id works too.
        let (d1_id, d2_id, r1_id) = (location_id(&app, "D0001").await, location_id(&app, "D0002").await, location_id(&app, "R0001").await);
        let d1_global = imis_core::graphql::global_id("LocationGQLType", d1_id).0;
        for district in [d1_id.to_string(), format!(" {d1_id} "), d1_global.clone()] {
            assert_eq!(codes(&format!(r#"district: "{district}""#)).await, d1_codes, "district {district}");
        }
        assert_eq!(codes(&format!(r#"region: "{r1_id}""#)).await, all);
        // As the officer picker sends it: variables, with both a district and its region.
        let picker = "query PolicyOfficerPicker ($searchString: String, $first: Int, $district: String, $region: String) {
            policyOfficers(search: $searchString, first: $first, district: $district, region: $region) { edges { node { id uuid code lastName otherNames } } } }";
        let picked = async |who: &Principal, vars: Value| -> Vec<String> {
            ok(&app, Some(who), picker, vars).await["policyOfficers"]["edges"].as_array().unwrap().iter()
                .map(|e| e["node"]["code"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(picked(&admin, json!({ "searchString": null, "first": 20, "district": d2_id.to_string(), "region": r1_id.to_string() })).await, d2_codes);
        assert_eq!(picked(&admin, json!({ "first": 20, "district": d1_id.to_string(), "region": null })).await, d1_codes);
        // Each location given narrows the list: two disjoint ones give nothing.
        assert!(picked(&admin, json!({ "first": 20, "district": d1_id.to_string(), "region": d2_id.to_string() })).await.is_empty());
        // Blank means no filter; a malformed or unknown reference is refused.
        assert_eq!(picked(&admin, json!({ "first": 100, "district": "", "region": null })).await, picked(&admin, json!({ "first": 100 })).await);
        assert_eq!(err(&app, Some(&admin), r#"{ policyOfficers(district: "D0001") { totalCount } }"#, json!({})).await, "input.invalid");
        assert_eq!(err(&app, Some(&admin), r#"{ policyOfficers(region: "987654321") { totalCount } }"#, json!({})).await, "not_found");
        // D9 with integer ids: the clerk of D0001 sees no officer of D0002, and theirs in D0001.
        assert!(picked(&clerk, json!({ "first": 20, "district": d2_id.to_string() })).await.is_empty());
        assert_eq!(picked(&clerk, json!({ "first": 20, "district": d1_id.to_string() })).await, picked(&clerk, json!({ "first": 20, "district": d1 })).await);
        assert!(picked(&clerk, json!({ "first": 20, "region": r1_id.to_string() })).await.iter().all(|c| c != "eo_edea"));
    })
    .await;
}

#[tokio::test]
async fn rights_and_location_scope_of_every_operation() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // 101201..101205 in D0001
        let v1 = village(&app, "D0001").await;
        let v2 = village(&app, "D0002").await;
        let eo1 = user_id(&app, "eo_douala").await;
        let eo2 = user_id(&app, "eo_edea").await;
        let p = product(&app, &admin, "RGT1", json!({ "premiumAdult": "1000" })).await;
        let f1 = family(&app, &admin, v1, "900800001", "1980-03-01").await;
        let f2 = family(&app, &admin, v2, "900800002", "1980-03-01").await;
        let mine = create(&app, &clerk, policy_input(&f1, p, eo1, "2025-01-10")).await;
        let theirs = create(&app, &admin, policy_input(&f2, p, eo2, "2025-01-10")).await;
        premium(&app, &mine, 0, d("2025-01-10"), PremiumAction::Enforce).await;
        premium(&app, &theirs, 0, d("2025-01-10"), PremiumAction::Enforce).await;

        // The clerk's district only.
        assert_eq!(err(&app, Some(&clerk), CREATE, json!({ "i": policy_input(&f2, p, eo2, "2025-01-10") })).await, "auth.location_denied");
        assert_eq!(err(&app, Some(&clerk), RENEW, json!({ "i": with(policy_input(&f2, p, eo2, "2025-12-10"), json!({ "prevUuid": theirs })) })).await, "auth.location_denied");
        renew(&app, &clerk, with(policy_input(&f1, p, eo1, "2025-12-10"), json!({ "prevUuid": mine }))).await;
        let upd = with(policy_input(&f2, p, eo2, "2025-01-10"), json!({ "uuid": theirs }));
        assert_eq!(err(&app, Some(&clerk), UPDATE, json!({ "i": upd })).await, "auth.location_denied");
        assert_eq!(err(&app, Some(&clerk), SUSPEND, json!({ "i": { "uuids": [theirs] } })).await, "auth.location_denied");
        assert_eq!(err(&app, Some(&clerk), DELETE, json!({ "i": { "uuids": [theirs] } })).await, "auth.location_denied");
        assert_eq!(err(&app, Some(&clerk), VALUES, json!({ "s": "N", "d": "2025-01-10", "p": p, "f": f2.id })).await, "auth.location_denied");
        assert_eq!(err(&app, Some(&clerk), &format!("{{ canAddInsuree(familyId: {}) }}", f2.id), json!({})).await, "auth.location_denied");
        ok(&app, Some(&clerk), SUSPEND, json!({ "i": { "uuids": [mine] } })).await;

        // Each operation without its right.
        let denied = async |rights: &[i32], q: &str, vars: Value| {
            let mut without = clerk.clone();
            without.rights = rights.iter().copied().collect();
            let code = err(&app, Some(&without), q, vars.clone()).await;
            assert_eq!(code, "auth.permission_denied", "{q} {vars}");
        };
        let all: Vec<i32> = vec![101201, 101202, 101203, 101204, 101205];
        let but = |r: i32| all.iter().copied().filter(|x| *x != r).collect::<Vec<_>>();
        let fresh = policy_input(&f1, p, eo1, "2025-01-10");
        denied(&but(101202), CREATE, json!({ "i": fresh.clone() })).await;
        denied(&but(101205), RENEW, json!({ "i": with(fresh.clone(), json!({ "prevUuid": mine })) })).await;
        denied(&but(101203), UPDATE, json!({ "i": with(fresh.clone(), json!({ "uuid": mine })) })).await;
        denied(&but(101203), SUSPEND, json!({ "i": { "uuids": [mine] } })).await;
        denied(&but(101204), DELETE, json!({ "i": { "uuids": [mine] } })).await;
        denied(&[101001], VALUES, json!({ "s": "N", "d": "2025-01-10", "p": p, "f": f1.id })).await;
        denied(&but(101201), "{ policies { totalCount } }", json!({})).await;
        denied(&but(101201), &format!(r#"{{ policiesByFamily(familyUuid: "{}") {{ totalCount }} }}"#, f1.uuid), json!({})).await;
        denied(&but(101201), r#"{ policiesByInsuree(chfId: "900800001") { totalCount } }"#, json!({})).await;
        denied(&but(101201), r#"{ policyEligibilityByInsuree(chfId: "900800001") { prodId } }"#, json!({})).await;
        denied(&but(101201), r#"{ policyItemEligibilityByInsuree(chfId: "900800001", itemCode: "AMOX5") { isItemOk } }"#, json!({})).await;
        denied(&but(101201), r#"{ policyServiceEligibilityByInsuree(chfId: "900800001", serviceCode: "C0001") { isServiceOk } }"#, json!({})).await;
        denied(&but(101205), "{ policyRenewals { totalCount } }", json!({})).await;
        denied(&[101001], "{ policyOfficers { totalCount } }", json!({})).await;
        denied(&[101001], &format!("{{ canAddInsuree(familyId: {}) }}", f1.id), json!({})).await;
        // ... and with only that right.
        let allowed = async |rights: &[i32], q: &str, vars: Value| {
            let mut who = clerk.clone();
            who.rights = rights.iter().copied().collect();
            ok(&app, Some(&who), q, vars).await;
        };
        allowed(&[101202], CREATE, json!({ "i": policy_input(&f1, p, eo1, "2025-01-11") })).await;
        allowed(&[101202], VALUES, json!({ "s": "N", "d": "2025-01-10", "p": p, "f": f1.id })).await;
        allowed(&[101203], SUSPEND, json!({ "i": { "uuids": [mine] } })).await;
        allowed(&[101201], "{ policies { totalCount } }", json!({})).await;
        allowed(&[101205], "{ policyRenewals { totalCount } }", json!({})).await;
        allowed(&[101205], "{ policyOfficers { totalCount } }", json!({})).await;
        allowed(&[101105], r#"{ policiesByInsuree(chfId: "900800002") { totalCount } }"#, json!({})).await;
        allowed(&[101102], &format!("{{ canAddInsuree(familyId: {}) }}", f1.id), json!({})).await;
        // Anonymous callers.
        let code = err(&app, None, "{ policies { totalCount } }", json!({})).await;
        assert_eq!(code, "auth.unauthenticated");
        assert_eq!(err(&app, None, CREATE, json!({ "i": fresh })).await, "auth.unauthenticated");
        // node() without 101201: null.
        let r = ok(&app, Some(&admin), &format!(r#"{{ policies(uuid: "{mine}") {{ edges {{ node {{ id }} }} }} }}"#), json!({})).await;
        let id = r["policies"]["edges"][0]["node"]["id"].as_str().unwrap().to_string();
        let mut desk = clerk.clone();
        desk.rights = [101105].into_iter().collect();
        assert!(ok(&app, Some(&desk), &format!(r#"{{ node(id: "{id}") {{ ... on PolicyGQLType {{ uuid }} }} }}"#), json!({})).await["node"].is_null());
    })
    .await;
}

#[tokio::test]
async fn the_product_version_in_force_on_the_enrolment_date_is_used() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let today = today(&app);
        let yesterday = today.pred_opt().unwrap();
        let pid = product(&app, &admin, "VERS1", json!({ "premiumAdult": "100" })).await;
        let uuid = product_uuid(&app, "VERS1").await;
        let mut f = family(&app, &admin, v1, "900900001", "1980-03-01").await;
        let before = create(&app, &admin, policy_input(&f, pid, eo, &ds(yesterday))).await;
        ok(&app, Some(&admin), "mutation($i: UpdateProductMutationInput!) { updateProduct(input: $i) { internalId } }",
            json!({ "i": { "uuid": uuid, "code": "VERS1", "name": "Produit VERS1", "dateFrom": "2020-01-01", "dateTo": "2035-12-31",
                "insurancePeriod": 12, "premiumAdult": "200" } })).await;
        // The version in force yesterday is the first one (the product did not exist before: its
        // oldest version), today's is the new one.
        let v = values(&app, &admin, "N", &ds(yesterday), pid, &f, None).await;
        assert_eq!(amount(&v["policy"]["value"]), dec("100"));
        let v = values(&app, &admin, "N", &ds(today), pid, &f, None).await;
        assert_eq!(amount(&v["policy"]["value"]), dec("200"));
        let after = create(&app, &admin, policy_input(&f, pid, eo, &ds(today))).await;
        assert_eq!(amount(&policy(&app, &after).await["value"]), dec("200"));
        // A member joining recomputes each policy with its own version.
        member(&app, &admin, &mut f, "900900002", "1985-01-01", 8, "").await;
        assert_eq!(amount(&policy(&app, &before).await["value"]), dec("200"));
        assert_eq!(amount(&policy(&app, &after).await["value"]), dec("400"));
    })
    .await;
}

#[tokio::test]
async fn renewals_use_the_renewal_grace_period_and_no_administration_period() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let f = family(&app, &admin, v1, "901000001", "1980-03-01").await;
        let p = product(
            &app,
            &admin,
            "RGRACE",
            json!({ "premiumAdult": "100", "startCycle1": "01-01",
            "gracePeriodEnrolment": 0, "gracePeriodRenewal": 2, "administrationPeriod": 1 }),
        )
        .await;
        let prev = create(&app, &admin, policy_input(&f, p, eo, "2023-12-01")).await;
        let pol = policy(&app, &prev).await;
        assert_eq!(
            (pol["startDate"].as_str(), pol["expiryDate"].as_str()),
            (Some("2024-01-01"), Some("2024-12-31"))
        );
        let start = async |stage: &str, enroll: &str| {
            values(&app, &admin, stage, enroll, p, &f, Some(&prev)).await["policy"]["startDate"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(start("R", "2024-12-01").await, "2025-01-01");
        // Late, within the renewal grace: joins the cycle that started.
        assert_eq!(start("R", "2025-02-20").await, "2025-01-01");
        assert_eq!(start("R", "2025-03-01").await, "2025-01-01");
        assert_eq!(start("R", "2025-03-02").await, "2026-01-01");
        // A new policy has the administration period and no grace.
        assert_eq!(start("N", "2025-02-20").await, "2026-01-01");
        assert_eq!(start("N", "2024-11-30").await, "2025-01-01");
    })
    .await;
}

#[tokio::test]
async fn policy_values_inputs_and_nested_fields() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let p = product(&app, &admin, "PVAL", json!({ "premiumAdult": "100" })).await;
        let mut f = family(&app, &admin, v1, "901100001", "1980-03-01").await;
        assert_eq!(err(&app, Some(&admin), VALUES, json!({ "s": "X", "d": "2025-01-10", "p": p, "f": f.id })).await, "input.invalid");
        assert_eq!(err(&app, Some(&admin), VALUES, json!({ "s": "N", "d": "2025-01-10", "p": null, "f": f.id })).await, "policy.product_required");
        assert_eq!(err(&app, Some(&admin), VALUES, json!({ "s": "N", "d": "2025-01-10", "p": 999_999, "f": f.id })).await, "policy.product_not_found");
        assert_eq!(err(&app, Some(&admin), VALUES, json!({ "s": "N", "d": "2025-01-10", "p": p, "f": 999_999 })).await, "not_found");
        let r = ok(&app, Some(&admin), r#"query($f: Int!, $p: Int) { policyValues(stage: "N", enrollDate: "2025-01-10T00:00:00", productId: $p, familyId: $f) {
            policy { enrollDate value family { uuid headInsuree { chfId } } product { code } insureePolicies { totalCount } } warnings } }"#,
            json!({ "f": f.id, "p": p })).await;
        let n = &r["policyValues"]["policy"];
        assert_eq!(n["enrollDate"], "2025-01-10");
        assert_eq!(n["family"]["uuid"], f.uuid.as_str());
        assert_eq!(n["family"]["headInsuree"]["chfId"], "901100001");
        assert_eq!(n["product"]["code"], "PVAL");
        assert_eq!(n["insureePolicies"]["totalCount"], 0);
        // Members who are not active (status IN) are not counted.
        member(&app, &admin, &mut f, "901100002", "1985-01-01", 8, r#", status: "IN", statusReason: "MIGR", statusDate: "2024-01-01""#).await;
        assert_eq!(amount(&values(&app, &admin, "N", "2025-01-10", p, &f, None).await["policy"]["value"]), dec("100"));
        member(&app, &admin, &mut f, "901100003", "1985-01-01", 8, "").await;
        assert_eq!(amount(&values(&app, &admin, "N", "2025-01-10", p, &f, None).await["policy"]["value"]), dec("200"));
        // showInactive: policies covering fewer insurees than the family has.
        let max1 = product(&app, &admin, "PVMAX1", json!({ "premiumAdult": "100", "maxMembers": 1 })).await;
        let partial = create(&app, &admin, policy_input(&f, max1, eo, "2025-01-10")).await;
        let all = product(&app, &admin, "PVALL", json!({ "premiumAdult": "100", "maxMembers": 3 })).await;
        let full = create(&app, &admin, policy_input(&f, all, eo, "2025-01-10")).await;
        let listed = ok(&app, Some(&admin), &format!(r#"{{ policies(showInactive: true, family_Uuid: "{}") {{ edges {{ node {{ uuid }} }} }} }}"#, f.uuid), json!({})).await;
        let uuids: Vec<&str> = listed["policies"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["uuid"].as_str().unwrap()).collect();
        assert!(uuids.contains(&partial.as_str()), "{uuids:?}");
        // The inactive member (status IN) is still a member of the family.
        assert!(uuids.contains(&full.as_str()), "{uuids:?}");
    })
    .await;
}

#[tokio::test]
async fn waiting_periods_apply_to_new_policies_and_late_joiners_only() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let today = today(&app);
        let (_, amox) = medical_id(&app, Medical::Item, "AMOX5").await;
        let line = json!([{ "itemUuid": amox, "limitAdult": "100", "limitChild": "100", "waitingPeriodAdult": 2,
            "waitingPeriodChild": 1, "limitNoAdult": 3, "limitNoChild": 1 }]);
        let p = product(&app, &admin, "WAIT1", json!({ "lumpSum": "1000", "threshold": 5, "items": line })).await;
        let mut f = family(&app, &admin, v1, "901200001", "1980-03-01").await;
        member(&app, &admin, &mut f, "901200002", "2018-01-01", 4, "").await;
        let item = async |chf: &str| {
            ok(&app, Some(&admin), &format!(r#"{{ policyItemEligibilityByInsuree(chfId: "{chf}", itemCode: "AMOX5") {{ minDateItem itemLeft isItemOk }} }}"#), json!({})).await["policyItemEligibilityByInsuree"].clone()
        };
        // A previous policy long expired, renewed a month ago and paid then.
        let old = create(&app, &admin, policy_input(&f, p, eo, &ds(add_months(today, -30)))).await;
        premium(&app, &old, 100_000, add_months(today, -30), PremiumAction::Wait).await;
        let since = add_months(today, -1);
        let renewal = renew(&app, &admin, with(policy_input(&f, p, eo, &ds(since)), json!({ "prevUuid": old }))).await;
        premium(&app, &renewal, 100_000, since, PremiumAction::Wait).await;
        assert_eq!(policy(&app, &renewal).await["effectiveDate"], ds(since));
        // A renewal has no waiting period for its members; the child's own limit applies.
        let e = item("901200001").await;
        assert_eq!((e["minDateItem"].as_str(), e["itemLeft"].as_i64(), e["isItemOk"].as_bool()), (Some(ds(since).as_str()), Some(3), Some(true)));
        let e = item("901200002").await;
        assert_eq!((e["itemLeft"].as_i64(), e["isItemOk"].as_bool()), (Some(1), Some(true)));
        // A member joining today (paid policy: effective today) waits.
        member(&app, &admin, &mut f, "901200003", "1990-01-01", 8, "").await;
        let e = item("901200003").await;
        assert_eq!((e["minDateItem"].as_str(), e["isItemOk"].as_bool()), (Some(ds(add_months(today, 2)).as_str()), Some(false)));
        // A new policy: everybody waits, children by their own period.
        let g = {
            let mut g = family(&app, &admin, v1, "901200011", "1980-03-01").await;
            member(&app, &admin, &mut g, "901200012", "2018-01-01", 4, "").await;
            g
        };
        let n = create(&app, &admin, policy_input(&g, p, eo, &ds(since))).await;
        premium(&app, &n, 100_000, since, PremiumAction::Wait).await;
        let e = item("901200011").await;
        assert_eq!((e["minDateItem"].as_str(), e["isItemOk"].as_bool()), (Some(ds(add_months(since, 2)).as_str()), Some(false)));
        let e = item("901200012").await;
        assert_eq!((e["minDateItem"].as_str(), e["isItemOk"].as_bool()), (Some(ds(add_months(since, 1)).as_str()), Some(add_months(since, 1) <= today)));
    })
    .await;
}

#[tokio::test]
async fn summaries_subtract_consumption_from_ceilings() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let mut f = family(&app, &admin, v1, "901300001", "1980-03-01").await;
        member(&app, &admin, &mut f, "901300002", "1982-01-01", 8, "").await;
        member(&app, &admin, &mut f, "901300003", "2015-01-01", 4, "").await;
        let by_policy = product(&app, &admin, "CEILP", json!({ "premiumAdult": "100", "threshold": 1, "ceilingType": "POLICY",
            "ceiling": "10000", "maxPolicyExtraMember": "1000", "maxCeilingPolicy": "11500", "deductible": "50" })).await;
        let by_insuree = product(&app, &admin, "CEILI", json!({ "premiumAdult": "100", "ceilingType": "INSUREE",
            "ceilingIp": "3000", "ceilingOp": "2000" })).await;
        let by_treatment = product(&app, &admin, "CEILT", json!({ "premiumAdult": "100", "ceilingType": "TREATMENT", "ceiling": "700" })).await;
        let pp = create(&app, &admin, policy_input(&f, by_policy, eo, "2025-01-10")).await;
        let pi = create(&app, &admin, policy_input(&f, by_insuree, eo, "2025-01-10")).await;
        create(&app, &admin, policy_input(&f, by_treatment, eo, "2025-01-10")).await;
        let head = f.members["901300001"];
        let tx = app.state.db.begin_write().await.unwrap();
        usage::record_consumption(&app.state, &tx, None, 1, policy_pk(&app, &pp).await, head,
            &Consumption { ded_g: 5_000, rem_g: 50_000, ..Default::default() }).await.unwrap();
        usage::record_consumption(&app.state, &tx, None, 1, policy_pk(&app, &pi).await, head,
            &Consumption { ded_ip: 1_000, rem_ip: 100_000, rem_op: 250_000, ..Default::default() }).await.unwrap();
        // A re-booking replaces the claim's row.
        usage::record_consumption(&app.state, &tx, None, 2, policy_pk(&app, &pp).await, head,
            &Consumption { rem_g: 10_000, ..Default::default() }).await.unwrap();
        usage::record_consumption(&app.state, &tx, None, 2, policy_pk(&app, &pp).await, head,
            &Consumption { rem_g: 20_000, ..Default::default() }).await.unwrap();
        tx.commit().await.unwrap();
        let r = ok(&app, Some(&admin), r#"{ policiesByInsuree(chfId: "901300001", orderBy: "productCode") { edges { node { productCode ded dedInPatient
            ceiling ceilingInPatient ceilingOutPatient } } } }"#, json!({})).await;
        let rows: BTreeMap<String, Value> = r["policiesByInsuree"]["edges"].as_array().unwrap().iter()
            .map(|e| (e["node"]["productCode"].as_str().unwrap().to_string(), e["node"].clone())).collect();
        // Policy: 10000 + (3 − 1) × 1000 = 12000, capped at 11500, less 500 + 200 remunerated.
        assert_eq!(amount(&rows["CEILP"]["ceiling"]), dec("10800"));
        assert_eq!(amount(&rows["CEILP"]["ded"]), dec("50"));
        // Insuree: per care type less what was remunerated, floored at 0.
        assert!(rows["CEILI"]["ceiling"].is_null());
        assert_eq!(amount(&rows["CEILI"]["ceilingInPatient"]), dec("2000"));
        assert_eq!(amount(&rows["CEILI"]["ceilingOutPatient"]), Decimal::ZERO);
        assert_eq!(amount(&rows["CEILI"]["dedInPatient"]), dec("10"));
        // Treatment: as configured.
        assert_eq!(amount(&rows["CEILT"]["ceiling"]), dec("700"));
        db
    })
    .await;
}

#[test]
fn every_error_code_has_english_and_french_messages() {
    for (code, en, fr) in imis_policy::MESSAGES {
        assert!(
            code.starts_with("policy.") || code.starts_with("premium."),
            "{code}"
        );
        assert!(imis_core::i18n::has_message(code), "{code}");
        assert!(!en.is_empty() && !fr.is_empty() && en != fr, "{code}");
    }
}

/// The payloads of the outbox rows of `event`, in publication order (what after-commit
/// subscribers such as reporting or DHIS2 receive).
async fn outbox(app: &TestApp, event: &str) -> Vec<Value> {
    app.outbox_payloads(event).await
}

#[tokio::test]
async fn status_changes_publish_typed_events() {
    use imis_policy::api::{
        EVENT_POLICY_ACTIVATED, EVENT_POLICY_EXPIRED, EVENT_POLICY_RENEWED, EVENT_POLICY_SUSPENDED,
        PoliciesExpired, PolicyRenewed, PolicyStatusChanged,
    };
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let today = today(&app);
        let p = product(&app, &admin, "EVTP1", json!({ "premiumAdult": "1000" })).await;
        let f = family(&app, &admin, v1, "900900001", "1980-03-01").await;
        let old = "2024-01-10"; // expires 2025-01-09, before today

        // Activated by a contribution (option 1).
        let active = create(&app, &admin, policy_input(&f, p, eo, old)).await;
        let active_id = policy_pk(&app, &active).await;
        let out = premium(&app, &active, 100_000, d(old), PremiumAction::Wait).await;
        assert!(out.activated);
        let activated: Vec<PolicyStatusChanged> = outbox(&app, EVENT_POLICY_ACTIVATED)
            .await
            .into_iter()
            .map(|v| serde_json::from_value(v).expect("typed"))
            .filter(|e: &PolicyStatusChanged| e.policy_id == active_id)
            .collect();
        assert_eq!(activated.len(), 1);
        assert_eq!(activated[0].policy_uuid.to_string(), active);
        assert_eq!(
            (activated[0].status_before, activated[0].status),
            (Some(1), 2)
        );
        assert_eq!(activated[0].family_id, f.id);
        assert_eq!(activated[0].product_id, p);

        // Renewed.
        let renewal = renew(
            &app,
            &admin,
            with(
                policy_input(&f, p, eo, "2024-12-20"),
                json!({ "prevUuid": active }),
            ),
        )
        .await;
        let renewal_id = policy_pk(&app, &renewal).await;
        let renewed: Vec<PolicyRenewed> = outbox(&app, EVENT_POLICY_RENEWED)
            .await
            .into_iter()
            .map(|v| serde_json::from_value(v).expect("typed"))
            .filter(|e: &PolicyRenewed| e.policy_id == renewal_id)
            .collect();
        assert_eq!(renewed.len(), 1);
        assert_eq!(renewed[0].previous_policy_id, Some(active_id));
        assert_eq!(renewed[0].enroll_date, d("2024-12-20"));

        // Suspended.
        let idle = create(&app, &admin, policy_input(&f, p, eo, old)).await;
        let idle_id = policy_pk(&app, &idle).await;
        ok(
            &app,
            Some(&admin),
            SUSPEND,
            json!({ "i": { "uuids": [idle] } }),
        )
        .await;
        let suspended: Vec<PolicyStatusChanged> = outbox(&app, EVENT_POLICY_SUSPENDED)
            .await
            .into_iter()
            .map(|v| serde_json::from_value(v).expect("typed"))
            .filter(|e: &PolicyStatusChanged| e.policy_id == idle_id)
            .collect();
        assert_eq!(suspended.len(), 1);
        assert_eq!(
            (suspended[0].status_before, suspended[0].status),
            (Some(1), 4)
        );

        // Expired by the job: every policy it expired is named once; a second run publishes
        // nothing.
        let n = imis_policy::jobs::expire_policies(&app.state, today)
            .await
            .unwrap();
        let expired: Vec<PoliciesExpired> = outbox(&app, EVENT_POLICY_EXPIRED)
            .await
            .into_iter()
            .map(|v| serde_json::from_value(v).expect("typed"))
            .collect();
        let ids: Vec<i64> = expired.iter().flat_map(|e| e.policy_ids.clone()).collect();
        assert_eq!(ids.len() as u64, n);
        assert!(
            ids.contains(&active_id) && ids.contains(&idle_id),
            "{ids:?}"
        );
        assert!(expired.iter().all(|e| e.expired_before == today));
        assert_eq!(
            imis_policy::jobs::expire_policies(&app.state, today)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            outbox(&app, EVENT_POLICY_EXPIRED).await.len(),
            expired.len()
        );
    })
    .await;
}
