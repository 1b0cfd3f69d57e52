//! The payment module: contributions and activation under options 1–3 (D15) with ENFORCE, WAIT
//! and SUSPEND, over-payment, partial then completing payments, receipts unique per product,
//! installment limits, future pay dates, updates and deletions that never deactivate, `isPaid` on
//! `createPolicy`, policy deletion, payers with location scope (D9), funding, payments, payment
//! matching with each rejection code (101–109) and its success paths (reference §10.3), the daily
//! matching job, and rights.
//!
//! Products are created by the tests (national unless said otherwise, lump sum, no cycles), so a
//! policy enrolled today starts today and is worth exactly its lump sum.

// The composed GraphQL schema of the harness is deeper than rustc's default query depth.
#![recursion_limit = "256"]

use chrono::NaiveDate;
use imis_core::auth::Principal;
use imis_tests::fixtures::mutations::{ADD_FUNDING, CREATE_PAYER, CREATE_PAYMENT, CREATE_POLICY};
use imis_tests::fixtures::{
    current_policies_of_family, date_string as ds, family_id_of_head, location_uuid, move_family,
    new_uuid, policies_paid_unlike_premiums, policy_id, policy_rows, product_uuid_of,
    set_policy_officer, user_id,
};
use imis_tests::{TestApp, TestDb, on_each_app, on_each_db, one_i64, one_uuid};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::str::FromStr;

const DELETE_POLICIES: &str =
    "mutation($i: DeletePoliciesMutationInput!) { deletePolicies(input: $i) { internalId } }";
const CREATE_PREMIUM: &str = "mutation($i: CreatePremiumMutationInput!) { createPremium(input: $i) { clientMutationId internalId } }";
const UPDATE_PREMIUM: &str = "mutation($i: UpdatePremiumMutationInput!) { updatePremium(input: $i) { clientMutationId internalId } }";
const DELETE_PREMIUM: &str = "mutation($i: DeletePremiumsMutationInput!) { deletePremium(input: $i) { clientMutationId internalId } }";
const UPDATE_PAYER: &str =
    "mutation($i: UpdatePayerMutationInput!) { updatePayer(input: $i) { internalId } }";
const DELETE_PAYER: &str =
    "mutation($i: DeletePayerMutationInput!) { deletePayer(input: $i) { internalId } }";
const UPDATE_PAYMENT: &str =
    "mutation($i: UpdatePaymentMutationInput!) { updatePayment(input: $i) { internalId } }";
const DELETE_PAYMENT: &str =
    "mutation($i: DeletePaymentsMutationInput!) { deletePayment(input: $i) { internalId } }";
const MATCH: &str = "mutation($i: MatchPaymentsMutationInput!) { matchPayments(input: $i) {
    clientMutationId internalId
    payments { paymentUuid matched status rejections { insuranceNumber productCode codes }
        activatedPolicyUuids renewalPolicyUuids premiumUuids unallocated outOfScope error } } }";
const POLICY_FIELDS: &str = "uuid status value enrollDate startDate effectiveDate expiryDate sumPremiums sumMatchedPayments stage";

// ---------------------------------------------------------------------------------------------
// Helpers

async fn ok(app: &TestApp, who: Option<&Principal>, q: &str, vars: Value) -> Value {
    app.ok_vars(who, q, vars).await
}

async fn err(app: &TestApp, who: Option<&Principal>, q: &str, vars: Value) -> String {
    app.err_code_vars(who, q, vars).await
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A GraphQL Decimal (a string).
fn amount(v: &Value) -> Decimal {
    dec(v.as_str().unwrap_or_else(|| panic!("not an amount: {v}")))
}

/// The first (or `n`-th) village of a district.
async fn village(app: &TestApp, district: &str, n: i64) -> i64 {
    imis_tests::fixtures::village(app, district, n).await
}

/// Creates a product (national unless `extra` says otherwise, sold 2020–2035, 12 months, the
/// given lump sum) and returns its id.
async fn product(app: &TestApp, admin: &Principal, code: &str, lump: &str, extra: Value) -> i64 {
    let input = imis_tests::fixtures::product_input_with_lump_sum(code, lump, extra);
    imis_tests::fixtures::create_product_from(app, admin, &input).await
}

/// A family in `village` whose head has the insurance number `chf`; returns its id.
async fn family(app: &TestApp, who: &Principal, village: i64, chf: &str) -> i64 {
    ok(
        app,
        Some(who),
        &format!(
            r#"mutation {{ createFamily(input: {{ locationId: {village}, familyTypeId: "H", poverty: false,
                headInsuree: {{ chfId: "{chf}", lastName: "Famille{chf}", otherNames: "Chef", genderId: "M", dob: "1980-03-01", marital: "M" }} }}) {{ internalId }} }}"#
        ),
        json!({}),
    )
    .await;
    family_id_of_head(app, chf).await
}

/// `createPolicy` enrolled today (with `extra` fields); returns the policy's uuid.
async fn policy_with(
    app: &TestApp,
    who: &Principal,
    family: i64,
    product: i64,
    extra: Value,
) -> String {
    let uuid = new_uuid();
    let officer = user_id(app, "eo_douala").await;
    let mut i = json!({
        "uuid": uuid,
        "familyId": family,
        "productId": product,
        "officerId": officer,
        "enrollDate": ds(app.state.clock.today()),
    });
    for (k, v) in extra.as_object().expect("object") {
        i[k] = v.clone();
    }
    ok(app, Some(who), CREATE_POLICY, json!({ "i": i })).await;
    uuid
}

async fn new_policy(app: &TestApp, who: &Principal, family: i64, product: i64) -> String {
    policy_with(app, who, family, product, json!({})).await
}

/// A policy as `policies(uuid:)` gives it to the administrator.
async fn policy(app: &TestApp, uuid: &str) -> Value {
    let admin = app.principal("Admin").await;
    let v = ok(
        app,
        Some(&admin),
        &format!(
            r#"{{ policies(uuid: "{uuid}") {{ totalCount edges {{ node {{ {POLICY_FIELDS} }} }} }} }}"#
        ),
        json!({}),
    )
    .await;
    assert_eq!(v["policies"]["totalCount"], 1, "policy {uuid}: {v}");
    v["policies"]["edges"][0]["node"].clone()
}

fn premium_input(policy: &str, amount: &str, receipt: &str, pay_date: NaiveDate) -> Value {
    json!({
        "uuid": new_uuid(),
        "policyUuid": policy,
        "amount": amount,
        "receipt": receipt,
        "payDate": ds(pay_date),
        "payType": "C",
    })
}

fn with(mut v: Value, extra: Value) -> Value {
    for (k, x) in extra.as_object().expect("object") {
        v[k] = x.clone();
    }
    v
}

/// `createPremium` with a clientMutationId; returns (premium uuid, clientMutationId).
async fn pay(app: &TestApp, who: &Principal, input: Value) -> (String, String) {
    let cmid = new_uuid();
    let i = with(input.clone(), json!({ "clientMutationId": cmid }));
    ok(app, Some(who), CREATE_PREMIUM, json!({ "i": i })).await;
    (input["uuid"].as_str().expect("uuid").to_string(), cmid)
}

async fn pay_err(app: &TestApp, who: &Principal, input: Value) -> String {
    err(app, Some(who), CREATE_PREMIUM, json!({ "i": input })).await
}

/// Warning codes in the `jsonExt` of the caller's mutation with this clientMutationId.
async fn warnings(app: &TestApp, who: &Principal, cmid: &str) -> Vec<String> {
    let v = ok(
        app,
        Some(who),
        &format!(r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ edges {{ node {{ status jsonExt }} }} }} }}"#),
        json!({}),
    )
    .await;
    let node = &v["mutationLogs"]["edges"][0]["node"];
    assert_eq!(node["status"], 2, "mutation {cmid}: {v}");
    match node["jsonExt"].as_str() {
        None => vec![],
        Some(s) => {
            let j: Value = serde_json::from_str(s).expect("jsonExt");
            j["warnings"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|w| w["code"].as_str().unwrap_or_default().to_string())
                .collect()
        }
    }
}

fn app_config(db: &TestDb, option: u32) -> imis_core::config::Config {
    let mut cfg = db.config();
    cfg.module.insert(
        "policy".into(),
        figment::value::Value::from(BTreeMap::from([(
            "activation_option".to_string(),
            figment::value::Value::from(option),
        )])),
    );
    cfg
}

async fn premiums_of(app: &TestApp, who: &Principal, policy: &str) -> Value {
    ok(
        app,
        Some(who),
        &format!(
            r#"{{ premiums(policy_Uuid: "{policy}", orderBy: ["receipt"]) {{ totalCount edges {{ node {{
                uuid amount receipt payDate payType isPhotoFee otherPremiums payer {{ name }} policy {{ uuid status }} }} }} }} }}"#
        ),
        json!({}),
    )
    .await["premiums"]
        .clone()
}

// ---------------------------------------------------------------------------------------------
// Contributions and activation (D15)

async fn activation_case(app: &TestApp, option: u32, chf_base: u32) {
    let admin = app.principal("Admin").await;
    let today = app.state.clock.today();
    let v1 = village(app, "D0001", 0).await;
    let code = format!("ACT{option}");
    let p = product(app, &admin, &code, "10000", json!({})).await;
    let f = family(app, &admin, v1, &format!("{chf_base}")).await;
    let pol = new_policy(app, &admin, f, p).await;
    let before = policy(app, &pol).await;
    assert_eq!(before["status"], 1);
    assert_eq!(amount(&before["value"]), dec("10000"));

    // A partial contribution (WAIT by default) leaves the policy Idle under every option.
    let (_, cmid) = pay(
        app,
        &admin,
        premium_input(&pol, "4000", &format!("R{option}-1"), today),
    )
    .await;
    assert!(warnings(app, &admin, &cmid).await.is_empty());
    let p1 = policy(app, &pol).await;
    assert_eq!(p1["status"], 1, "option {option}: partial payment");
    assert_eq!(amount(&p1["sumPremiums"]), dec("4000"));
    assert!(p1["effectiveDate"].is_null());

    // The completing contribution: Active (1), Idle (2), Ready (3).
    pay(
        app,
        &admin,
        premium_input(&pol, "6000", &format!("R{option}-2"), today),
    )
    .await;
    let p2 = policy(app, &pol).await;
    let expected = match option {
        1 => 2,
        2 => 1,
        _ => 16,
    };
    assert_eq!(
        p2["status"], expected,
        "option {option}: completing payment"
    );
    assert_eq!(amount(&p2["sumPremiums"]), dec("10000"));
    if option == 1 {
        assert_eq!(p2["effectiveDate"], ds(today));
    } else {
        assert!(p2["effectiveDate"].is_null());
    }

    // Over-payment is accepted with a warning and changes nothing else.
    let (_, cmid) = pay(
        app,
        &admin,
        premium_input(&pol, "500", &format!("R{option}-3"), today),
    )
    .await;
    assert_eq!(warnings(app, &admin, &cmid).await, vec!["premium.overpaid"]);
    let p3 = policy(app, &pol).await;
    assert_eq!(p3["status"], expected);
    assert_eq!(amount(&p3["sumPremiums"]), dec("10500"));
    let list = premiums_of(app, &admin, &pol).await;
    assert_eq!(list["totalCount"], 3);
    let first = &list["edges"][0]["node"];
    assert_eq!(amount(&first["amount"]), dec("4000"));
    assert_eq!(amount(&first["otherPremiums"]), dec("6500"));
    assert_eq!(first["policy"]["uuid"], pol.as_str());

    // ENFORCE activates (option 1) or readies (option 3) a partially paid policy.
    let f2 = family(app, &admin, v1, &format!("{}", chf_base + 1)).await;
    let pol2 = new_policy(app, &admin, f2, p).await;
    pay(
        app,
        &admin,
        with(
            premium_input(&pol2, "1000", &format!("R{option}-E"), today),
            json!({ "action": "ENFORCE" }),
        ),
    )
    .await;
    let enforced = policy(app, &pol2).await;
    assert_eq!(enforced["status"], expected, "option {option}: ENFORCE");
    assert_eq!(amount(&enforced["sumPremiums"]), dec("1000"));
}

#[tokio::test]
async fn contributions_activate_according_to_the_activation_option() {
    on_each_db(|db: TestDb| async move {
        for (option, base) in [(1u32, 810000001u32), (2, 820000001), (3, 830000001)] {
            let app = TestApp::with_config(app_config(&db, option), true).await;
            activation_case(&app, option, base).await;
        }
        db
    })
    .await;
}

#[tokio::test]
async fn actions_receipts_installments_and_pay_dates() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let p = product(
            &app,
            &admin,
            "INST2",
            "10000",
            json!({ "maxInstallments": 2 }),
        )
        .await;
        let single = product(
            &app,
            &admin,
            "INST1",
            "10000",
            json!({ "maxInstallments": 1 }),
        )
        .await;
        let none = product(
            &app,
            &admin,
            "INST0",
            "10000",
            json!({ "maxInstallments": 0 }),
        )
        .await;
        let f = family(&app, &admin, v1, "840000001").await;
        let pol = new_policy(&app, &admin, f, p).await;

        // Validation codes.
        assert_eq!(
            pay_err(
                &app,
                &admin,
                with(
                    premium_input(&pol, "10", "X-1", today),
                    json!({ "action": "FOO" })
                )
            )
            .await,
            "input.invalid"
        );
        assert_eq!(
            pay_err(
                &app,
                &admin,
                premium_input(&pol, "10", "X-1", today.succ_opt().unwrap())
            )
            .await,
            "premium.pay_date_in_future"
        );
        assert_eq!(
            pay_err(&app, &admin, premium_input(&pol, "10.001", "X-1", today)).await,
            "input.invalid"
        );
        assert_eq!(
            pay_err(&app, &admin, premium_input(&pol, "-5", "X-1", today)).await,
            "input.invalid"
        );
        assert_eq!(
            pay_err(
                &app,
                &admin,
                with(
                    premium_input(&pol, "10", "X-1", today),
                    json!({ "payType": "Z" })
                )
            )
            .await,
            "input.invalid"
        );
        assert_eq!(
            pay_err(&app, &admin, premium_input(&new_uuid(), "10", "X-1", today)).await,
            "not_found"
        );

        // WAIT keeps a partially paid policy Idle; at most 2 installments.
        pay(
            &app,
            &admin,
            with(
                premium_input(&pol, "3000", "INST-A", today),
                json!({ "action": "WAIT" }),
            ),
        )
        .await;
        assert_eq!(policy(&app, &pol).await["status"], 1);
        // A photo fee is no installment and no contribution.
        pay(
            &app,
            &admin,
            with(
                premium_input(&pol, "200", "PHOTO-A", today),
                json!({ "isPhotoFee": true }),
            ),
        )
        .await;
        assert_eq!(
            amount(&policy(&app, &pol).await["sumPremiums"]),
            dec("3000")
        );
        pay(&app, &admin, premium_input(&pol, "3000", "INST-B", today)).await;
        assert_eq!(
            pay_err(&app, &admin, premium_input(&pol, "4000", "INST-C", today)).await,
            "premium.max_installments_exceeded"
        );
        assert_eq!(policy(&app, &pol).await["status"], 1);

        // Receipts are unique per product: taken on another policy of the same product, free
        // on a policy of another product.
        let f2 = family(&app, &admin, v1, "840000002").await;
        let pol2 = new_policy(&app, &admin, f2, p).await;
        assert_eq!(
            pay_err(&app, &admin, premium_input(&pol2, "10000", "INST-A", today)).await,
            "premium.receipt_taken"
        );
        let check = |policy: &str, code: &str| {
            format!(r#"{{ validatePremiumCode(code: "{code}", policyUuid: "{policy}") }}"#)
        };
        assert_eq!(
            app.ok(Some(&admin), &check(&pol2, "INST-A")).await["validatePremiumCode"],
            false
        );
        assert_eq!(
            app.ok(Some(&admin), &check(&pol2, "INST-Z")).await["validatePremiumCode"],
            true
        );
        let pol_single = new_policy(&app, &admin, f2, single).await;
        assert_eq!(
            app.ok(Some(&admin), &check(&pol_single, "INST-A")).await["validatePremiumCode"],
            true
        );

        // maxInstallments 1 (and 0): one premium paying the balance.
        assert_eq!(
            pay_err(
                &app,
                &admin,
                premium_input(&pol_single, "5000", "INST-A", today)
            )
            .await,
            "premium.single_payment_required"
        );
        pay(
            &app,
            &admin,
            premium_input(&pol_single, "10000", "INST-A", today),
        )
        .await;
        assert_eq!(policy(&app, &pol_single).await["status"], 2);
        assert_eq!(
            pay_err(
                &app,
                &admin,
                premium_input(&pol_single, "100", "INST-A2", today)
            )
            .await,
            "premium.max_installments_exceeded"
        );
        let pol_none = new_policy(&app, &admin, f2, none).await;
        assert_eq!(
            pay_err(
                &app,
                &admin,
                premium_input(&pol_none, "9999.99", "N-1", today)
            )
            .await,
            "premium.single_payment_required"
        );
        pay(
            &app,
            &admin,
            premium_input(&pol_none, "10000", "N-1", today),
        )
        .await;

        // SUSPEND needs 101203 as well; with it the policy is suspended, and a later premium
        // changes no status.
        let mut no_edit = app.principal("clerk").await;
        no_edit.rights = [101302].into_iter().collect();
        let suspend = with(
            premium_input(&pol2, "1000", "SUS-1", today),
            json!({ "action": "SUSPEND" }),
        );
        assert_eq!(
            pay_err(&app, &no_edit, suspend.clone()).await,
            "auth.permission_denied"
        );
        pay(&app, &admin, suspend).await;
        assert_eq!(policy(&app, &pol2).await["status"], 4);
        pay(&app, &admin, premium_input(&pol2, "9000", "SUS-2", today)).await;
        let suspended = policy(&app, &pol2).await;
        assert_eq!(suspended["status"], 4);
        assert_eq!(amount(&suspended["sumPremiums"]), dec("10000"));

        // A create with an existing uuid returns it when identical (D4), else conflicts.
        let free = product(&app, &admin, "FREEP", "10000", json!({})).await;
        let pol_free = new_policy(&app, &admin, f2, free).await;
        let mut cloned = premium_input(&pol_free, "10", "DUP-1", today);
        pay(&app, &admin, cloned.clone()).await;
        pay(&app, &admin, cloned.clone()).await;
        assert_eq!(premiums_of(&app, &admin, &pol_free).await["totalCount"], 1);
        cloned["amount"] = json!("11");
        assert_eq!(pay_err(&app, &admin, cloned).await, "conflict.uuid_exists");
    })
    .await;
}

#[tokio::test]
async fn updates_and_deletions_never_deactivate() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let p = product(&app, &admin, "UPD1", "10000", json!({})).await;
        let f = family(&app, &admin, v1, "850000001").await;
        let pol = new_policy(&app, &admin, f, p).await;
        let input = premium_input(&pol, "10000", "UPD-1", today);
        let (premium, _) = pay(&app, &admin, input.clone()).await;
        assert_eq!(policy(&app, &pol).await["status"], 2);

        // Lowering the amount keeps the policy Active, with a warning; history is kept.
        let cmid = new_uuid();
        let upd = with(input.clone(), json!({ "amount": "4000", "clientMutationId": cmid }));
        ok(&app, Some(&admin), UPDATE_PREMIUM, json!({ "i": upd })).await;
        assert_eq!(warnings(&app, &admin, &cmid).await, vec!["premium.policy_underpaid"]);
        let after = policy(&app, &pol).await;
        assert_eq!(after["status"], 2);
        assert_eq!(amount(&after["sumPremiums"]), dec("4000"));
        let hist = ok(
            &app,
            Some(&admin),
            &format!(r#"{{ premiums(policy_Uuid: "{pol}", showHistory: true) {{ edges {{ node {{ id amount legacyId validityTo }} }} }} }}"#),
            json!({}),
        )
        .await;
        let edges = hist["premiums"]["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), 2, "{hist}");
        assert_eq!(amount(&edges[0]["node"]["amount"]), dec("4000"));
        assert_eq!(amount(&edges[1]["node"]["amount"]), dec("10000"));
        assert!(edges[1]["node"]["legacyId"].is_i64());
        // A premium cannot move to another policy.
        let f2 = family(&app, &admin, v1, "850000002").await;
        let pol2 = new_policy(&app, &admin, f2, p).await;
        assert_eq!(
            err(&app, Some(&admin), UPDATE_PREMIUM, json!({ "i": with(input.clone(), json!({ "policyUuid": pol2 })) })).await,
            "input.invalid"
        );
        // Raising it back records the completing fact (coverage dates are filled, still Active).
        ok(&app, Some(&admin), UPDATE_PREMIUM, json!({ "i": with(input.clone(), json!({ "amount": "10000" })) })).await;
        assert_eq!(policy(&app, &pol).await["status"], 2);

        // Lists by policy and by payer, node(id:), and the location scope (D9): the clerk works
        // in D0001 only.
        let payer = create_payer(&app, &admin, "Mutuelle des Taxis", "P", "D0001").await;
        let payer_id = one_i64(&app, "SELECT id FROM payment_payer WHERE name = 'Mutuelle des Taxis'", vec![]).await;
        pay(&app, &admin, with(premium_input(&pol2, "100", "UPD-P", today), json!({ "payerUuid": payer }))).await;
        let v = ok(
            &app,
            Some(&admin),
            &format!(r#"{{ premiumsByPolicies(policyUuids: ["{pol}", "{pol2}"]) {{ totalCount }}
                premiums(payerId: "{payer_id}") {{ totalCount edges {{ node {{ id receipt payer {{ name location {{ code }} }} }} }} }} }}"#),
            json!({}),
        )
        .await;
        assert_eq!(v["premiumsByPolicies"]["totalCount"], 2);
        assert_eq!(v["premiums"]["totalCount"], 1);
        let node = &v["premiums"]["edges"][0]["node"];
        assert_eq!(node["payer"]["location"]["code"], "D0001");
        let id = node["id"].as_str().expect("id").to_string();
        let n = ok(&app, Some(&admin), &format!(r#"{{ node(id: "{id}") {{ ... on PremiumGQLType {{ receipt policy {{ uuid }} }} }} }}"#), json!({})).await;
        assert_eq!(n["node"]["receipt"], "UPD-P");
        assert_eq!(n["node"]["policy"]["uuid"], pol2.as_str());
        let v2 = village(&app, "D0002", 0).await;
        let far = family(&app, &admin, v2, "850000003").await;
        let far_pol = new_policy(&app, &admin, far, p).await;
        pay(&app, &admin, premium_input(&far_pol, "100", "UPD-FAR", today)).await;
        let clerk = app.principal("clerk").await;
        let mine = app.ok(Some(&clerk), r#"{ premiums(receipt_Icontains: "upd-") { edges { node { receipt } } } }"#).await;
        let receipts: Vec<&str> = mine["premiums"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["receipt"].as_str().expect("receipt"))
            .collect();
        assert!(receipts.contains(&"UPD-P") && !receipts.contains(&"UPD-FAR"), "{receipts:?}");
        assert_eq!(pay_err(&app, &clerk, premium_input(&far_pol, "100", "UPD-FAR2", today)).await, "auth.location_denied");
        let far_premium = premiums_of(&app, &admin, &far_pol).await["edges"][0]["node"]["uuid"].as_str().expect("uuid").to_string();
        let far_id = one_i64(&app, "SELECT id FROM payment_premium WHERE receipt = 'UPD-FAR'", vec![]).await;
        let hidden = ok(
            &app,
            Some(&clerk),
            &format!(r#"{{ node(id: "{}") {{ ... on PremiumGQLType {{ receipt }} }} }}"#, imis_core::graphql::global_id("PremiumGQLType", far_id).0),
            json!({}),
        )
        .await;
        assert!(hidden["node"].is_null(), "{hidden}");
        assert_eq!(
            err(&app, Some(&clerk), DELETE_PREMIUM, json!({ "i": { "uuids": [far_premium] } })).await,
            "auth.location_denied"
        );

        // Deleting keeps the policy Active, with a warning.
        let cmid = new_uuid();
        ok(
            &app,
            Some(&admin),
            DELETE_PREMIUM,
            json!({ "i": { "uuids": [premium], "clientMutationId": cmid } }),
        )
        .await;
        assert_eq!(warnings(&app, &admin, &cmid).await, vec!["premium.policy_underpaid"]);
        let gone = policy(&app, &pol).await;
        assert_eq!(gone["status"], 2);
        assert_eq!(amount(&gone["sumPremiums"]), dec("0"));
        assert_eq!(premiums_of(&app, &admin, &pol).await["totalCount"], 0);
        // The receipt is free again within the product.
        pay(&app, &admin, premium_input(&pol2, "10000", "UPD-1", today)).await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// createPolicy(isPaid) and policy deletion

#[tokio::test]
async fn paid_enrolments_and_policy_deletion() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let p = product(&app, &admin, "PAID1", "12500", json!({})).await;
        let f = family(&app, &admin, v1, "860000001").await;
        let payer = create_payer(&app, &admin, "Mairie de Douala", "L", "D0001").await;

        let pol = policy_with(&app, &admin, f, p, json!({ "isPaid": true, "payerUuid": payer })).await;
        let p1 = policy(&app, &pol).await;
        assert_eq!(p1["status"], 2);
        assert_eq!(amount(&p1["sumPremiums"]), dec("12500"));
        let list = premiums_of(&app, &admin, &pol).await;
        assert_eq!(list["totalCount"], 1);
        let node = &list["edges"][0]["node"];
        let prefix = format!("RE-PAID1-{}-", ds(today));
        assert_eq!(node["receipt"], format!("{prefix}00001"));
        assert_eq!(node["payDate"], ds(today));
        assert_eq!(node["payType"], "C");
        assert_eq!(amount(&node["amount"]), dec("12500"));
        assert_eq!(node["payer"]["name"], "Mairie de Douala");

        // The next automatic receipt follows the last numeric suffix.
        let pol2 = policy_with(&app, &admin, f, p, json!({ "isPaid": true })).await;
        assert_eq!(premiums_of(&app, &admin, &pol2).await["edges"][0]["node"]["receipt"], format!("{prefix}00002"));
        // A given receipt is used; a taken one refuses the enrolment (nothing is created).
        let pol3 = policy_with(&app, &admin, f, p, json!({ "isPaid": true, "receipt": "MY-RECEIPT" })).await;
        assert_eq!(premiums_of(&app, &admin, &pol3).await["edges"][0]["node"]["receipt"], "MY-RECEIPT");
        let before = policy_rows(&app).await;
        let officer = user_id(&app, "eo_douala").await;
        let code = err(
            &app,
            Some(&admin),
            CREATE_POLICY,
            json!({ "i": { "familyId": f, "productId": p, "officerId": officer, "enrollDate": ds(today), "isPaid": true, "receipt": "MY-RECEIPT" } }),
        )
        .await;
        assert_eq!(code, "premium.receipt_taken");
        assert_eq!(policy_rows(&app).await, before);

        // Deleting a policy removes its premiums (history kept) and detaches payment lines.
        let premium_uuid = premiums_of(&app, &admin, &pol3).await["edges"][0]["node"]["uuid"]
            .as_str()
            .expect("uuid")
            .to_string();
        let payment = new_uuid();
        ok(
            &app,
            Some(&admin),
            CREATE_PAYMENT,
            json!({ "i": { "uuid": payment, "receivedAmount": "12500", "status": 1, "premiumUuid": premium_uuid } }),
        )
        .await;
        let details = ok(
            &app,
            Some(&admin),
            &format!(r#"{{ paymentDetails(payment_Uuid: "{payment}") {{ edges {{ node {{ insuranceNumber productCode policyStage amount expectedAmount premium {{ uuid }} }} }} }} }}"#),
            json!({}),
        )
        .await;
        let line = &details["paymentDetails"]["edges"][0]["node"];
        assert_eq!(line["insuranceNumber"], "860000001");
        assert_eq!(line["productCode"], "PAID1");
        assert_eq!(line["policyStage"], "N");
        assert_eq!(line["premium"]["uuid"], premium_uuid.as_str());
        let by_premium = ok(
            &app,
            Some(&admin),
            &format!(r#"{{ paymentsByPremiums(premiumUuids: ["{premium_uuid}"]) {{ totalCount edges {{ node {{ uuid }} }} }} }}"#),
            json!({}),
        )
        .await;
        assert_eq!(by_premium["paymentsByPremiums"]["edges"][0]["node"]["uuid"], payment.as_str());
        ok(&app, Some(&admin), DELETE_POLICIES, json!({ "i": { "uuids": [pol3] } })).await;
        assert_eq!(
            one_i64(&app, "SELECT COUNT(*) FROM payment_premium WHERE receipt = 'MY-RECEIPT' AND validity_to IS NULL", vec![]).await,
            0
        );
        assert_eq!(
            one_i64(&app, "SELECT COUNT(*) FROM payment_premium WHERE receipt = 'MY-RECEIPT'", vec![]).await,
            1
        );
        let details = ok(
            &app,
            Some(&admin),
            &format!(r#"{{ paymentDetails(payment_Uuid: "{payment}") {{ totalCount edges {{ node {{ premium {{ uuid }} }} }} }} }}"#),
            json!({}),
        )
        .await;
        assert_eq!(details["paymentDetails"]["totalCount"], 1);
        assert!(details["paymentDetails"]["edges"][0]["node"]["premium"].is_null());
        // The receipt is free again.
        let pol4 = policy_with(&app, &admin, f, p, json!({ "isPaid": true, "receipt": "MY-RECEIPT" })).await;
        assert_eq!(policy(&app, &pol4).await["status"], 2);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Payers and funding

async fn create_payer(
    app: &TestApp,
    who: &Principal,
    name: &str,
    kind: &str,
    place: &str,
) -> String {
    let loc = location_uuid(app, place).await;
    ok(
        app,
        Some(who),
        CREATE_PAYER,
        json!({ "i": { "name": name, "type": kind, "locationUuid": loc, "phone": "+237 600 00 00 00", "email": "Contact@Payeur.example" } }),
    )
    .await;
    one_uuid(
        app,
        "SELECT uuid FROM payment_payer WHERE name = ? AND validity_to IS NULL",
        vec![name.into()],
    )
    .await
}

/// A user with the Scheme Administrator role (payer rights) restricted to district D0001.
async fn district_scheme_admin(app: &TestApp) -> Principal {
    let d1 = imis_tests::fixtures::location_id(app, "D0001").await;
    let role = imis_core::users::service::system_role(&app.state.db.conn, 32)
        .await
        .expect("role");
    imis_core::users::service::insert_user_unchecked(
        &app.state.db.conn,
        "payerd1",
        "payerd1pass",
        "Payeur",
        "District",
        imis_core::auth::UserKinds {
            interactive: true,
            ..Default::default()
        },
        &[role.id],
        &[d1],
        &[],
        None,
    )
    .await
    .expect("user");
    app.principal("payerd1").await
}

fn payer_names(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["payers"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["name"].as_str().expect("name").to_string())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn payers_crud_scope_and_funding() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let region = create_payer(&app, &admin, "Région Littoral", "G", "R0001").await;
        let d1 = create_payer(&app, &admin, "Coopérative d'Akwa", "C", "D0001").await;
        let d2 = create_payer(&app, &admin, "Commune d'Édéa", "L", "D0002").await;
        let local = district_scheme_admin(&app).await;

        // D9: payers in the allowed district or above it.
        let q = r#"{ payers(search: "e") { totalCount edges { node { name type location { code } } } } }"#;
        let seen = payer_names(&app.ok(Some(&local), q).await);
        assert!(seen.contains(&"Région Littoral".to_string()));
        assert!(seen.contains(&"Coopérative d'Akwa".to_string()));
        assert!(!seen.contains(&"Commune d'Édéa".to_string()));
        assert!(payer_names(&app.ok(Some(&admin), q).await).contains(&"Commune d'Édéa".to_string()));
        // Name searches ignore case and accents; type and location filters.
        let v = app.ok(Some(&admin), r#"{ payers(name_Icontains: "EDEA") { edges { node { name type email phone } } } }"#).await;
        assert_eq!(payer_names(&v), vec!["Commune d'Édéa"]);
        assert_eq!(v["payers"]["edges"][0]["node"]["type"], "L");
        let v = app.ok(Some(&admin), r#"{ payers(email_Icontains: "contact@payeur", type: "C") { edges { node { name } } } }"#).await;
        assert_eq!(payer_names(&v), vec!["Coopérative d'Akwa"]);
        let d1_id = imis_tests::fixtures::location_id(&app, "D0001").await;
        let v = app.ok(Some(&admin), &format!(r#"{{ payers(location: {d1_id}) {{ edges {{ node {{ name }} }} }} }}"#)).await;
        let names = payer_names(&v);
        assert!(names.contains(&"Coopérative d'Akwa".to_string()), "{names:?}");
        assert!(!names.contains(&"Région Littoral".to_string()), "{names:?}");
        assert!(!names.contains(&"Commune d'Édéa".to_string()), "{names:?}");
        let one = app.ok(Some(&local), &format!(r#"{{ payer(uuid: "{d2}") {{ name }} }}"#)).await;
        assert!(one["payer"].is_null());

        // Writes: a restricted user writes only payers located in their allowed locations.
        let r_uuid = location_uuid(&app, "R0001").await;
        let d2_loc = location_uuid(&app, "D0002").await;
        let d1_loc = location_uuid(&app, "D0001").await;
        assert_eq!(
            err(&app, Some(&local), CREATE_PAYER, json!({ "i": { "name": "X", "type": "O", "locationUuid": r_uuid } })).await,
            "auth.location_denied"
        );
        assert_eq!(
            err(&app, Some(&local), CREATE_PAYER, json!({ "i": { "name": "X", "type": "O", "locationUuid": d2_loc } })).await,
            "auth.location_denied"
        );
        assert_eq!(
            err(&app, Some(&admin), CREATE_PAYER, json!({ "i": { "name": "X", "type": "Z", "locationUuid": d1_loc } })).await,
            "input.invalid"
        );
        assert_eq!(
            err(&app, Some(&admin), CREATE_PAYER, json!({ "i": { "name": "X", "type": "O", "locationUuid": new_uuid() } })).await,
            "payer.location_invalid"
        );
        ok(&app, Some(&local), CREATE_PAYER, json!({ "i": { "name": "ONG Bonanjo", "type": "D", "locationUuid": d1_loc } })).await;
        assert_eq!(
            err(&app, Some(&local), UPDATE_PAYER, json!({ "i": { "uuid": region, "name": "R", "type": "G", "locationUuid": r_uuid } })).await,
            "auth.location_denied"
        );
        // Complete update with history.
        ok(&app, Some(&local), UPDATE_PAYER, json!({ "i": { "uuid": d1, "name": "Coopérative de Bonabéri", "type": "C", "locationUuid": d1_loc } })).await;
        let v = app.ok(Some(&admin), &format!(r#"{{ payers(uuid: "{d1}", showHistory: true) {{ edges {{ node {{ name email legacyId }} }} }} }}"#)).await;
        let edges = v["payers"]["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), 2, "{v}");
        assert_eq!(edges[0]["node"]["name"], "Coopérative de Bonabéri");
        assert!(edges[0]["node"]["email"].is_null(), "omitted fields become null");
        assert_eq!(edges[1]["node"]["name"], "Coopérative d'Akwa");

        // Funding: the product must be national or located with the payer.
        let mutual = product(&app, &admin, "FUND1", "10000", json!({ "locationUuid": r_uuid })).await;
        let district2 = product(&app, &admin, "FUND2", "10000", json!({ "locationUuid": d2_loc })).await;
        let d1_payer_id = one_i64(&app, "SELECT id FROM payment_payer WHERE name = 'Coopérative de Bonabéri'", vec![]).await;
        ok(
            &app,
            Some(&local),
            ADD_FUNDING,
            json!({ "i": { "payerId": d1_payer_id.to_string(), "productId": mutual.to_string(), "payDate": ds(today), "amount": "250000", "receipt": "FD-1" } }),
        )
        .await;
        assert_eq!(
            err(&app, Some(&admin), ADD_FUNDING, json!({ "i": { "payerId": d1_payer_id.to_string(), "productId": district2.to_string(), "payDate": ds(today), "amount": "1", "receipt": "FD-2" } })).await,
            "funding.product_not_fundable"
        );
        let v = app
            .ok(Some(&local), &format!(r#"{{ fundings(payerId: "{d1_payer_id}") {{ totalCount edges {{ node {{ amount receipt status payDate product {{ code }} payer {{ name }} }} }} }} }}"#))
            .await;
        assert_eq!(v["fundings"]["totalCount"], 1);
        let n = &v["fundings"]["edges"][0]["node"];
        assert_eq!(amount(&n["amount"]), dec("250000"));
        assert_eq!(n["status"], "P");
        assert_eq!(n["product"]["code"], "FUND1");
        assert_eq!(n["payer"]["name"], "Coopérative de Bonabéri");
        let v = app
            .ok(Some(&admin), &format!(r#"{{ payer(uuid: "{d1}") {{ name fundings {{ totalCount edges {{ node {{ receipt payer {{ name }} }} }} }} }} }}"#))
            .await;
        assert_eq!(v["payer"]["fundings"]["edges"][0]["node"]["receipt"], "FD-1");
        let funding_uuid = one_uuid(&app, "SELECT uuid FROM payment_funding WHERE receipt = 'FD-1'", vec![]).await;
        let v = app.ok(Some(&admin), &format!(r#"{{ funding(uuid: "{funding_uuid}") {{ receipt isDeleted version product {{ code }} }} }}"#)).await;
        assert_eq!(v["funding"]["receipt"], "FD-1");
        assert_eq!(v["funding"]["isDeleted"], false);
        let v = app.ok(Some(&admin), &format!(r#"{{ node(id: "{}") {{ ... on PayerGQLType {{ name }} }} }}"#, imis_core::graphql::global_id("PayerGQLType", d1_payer_id).0)).await;
        assert_eq!(v["node"]["name"], "Coopérative de Bonabéri");
        // Deletion is soft.
        ok(&app, Some(&admin), DELETE_PAYER, json!({ "i": { "uuids": [d2] } })).await;
        assert!(!payer_names(&app.ok(Some(&admin), q).await).contains(&"Commune d'Édéa".to_string()));
        assert_eq!(one_i64(&app, "SELECT COUNT(*) FROM payment_payer WHERE name = 'Commune d''Édéa'", vec![]).await, 1);
        // Rights: the clerk has no payer right.
        let clerk = app.principal("clerk").await;
        assert_eq!(app.err_code(Some(&clerk), q).await, "auth.permission_denied");
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Payments

#[tokio::test]
async fn payments_crud_and_rights() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let accountant = app.principal("accountant").await;
        let clerk = app.principal("clerk").await;
        let today = app.state.clock.today();
        let uuid = new_uuid();
        let input = json!({
            "uuid": uuid, "expectedAmount": "5000", "receivedAmount": "5000", "officerCode": "eo_douala",
            "phoneNumber": "+237699000001", "requestDate": ds(today), "receivedDate": ds(today), "status": 4,
            "transactionNo": "TX-0001", "origin": "MOMO", "receiptNo": "RC-0001", "paymentDate": ds(today),
            "typeOfPayment": "mobile", "transferFee": "50", "rejectedReason": "ignored",
            "details": [{ "insuranceNumber": "870000001", "productCode": "PAYM1", "policyStage": "N", "amount": "5000" }],
        });
        ok(&app, Some(&accountant), CREATE_PAYMENT, json!({ "i": input.clone() })).await;
        // Idempotent create with the same uuid (D4).
        ok(&app, Some(&accountant), CREATE_PAYMENT, json!({ "i": input.clone() })).await;
        let q = r#"{ payments(status: 4, transactionNo_Icontains: "tx-00") { totalCount edges { node {
                uuid status receivedAmount transferFee officerCode rejectedReason matchedDate
                paymentDetails { totalCount edges { node { insuranceNumber productCode amount payment { uuid } } } } } } } }"#;
        // The accountant is restricted (to every district, D9): they see the payment but not its
        // lines, which have no premium yet; the administrator sees everything.
        let restricted = app.ok(Some(&accountant), q).await;
        assert_eq!(restricted["payments"]["totalCount"], 1);
        assert_eq!(restricted["payments"]["edges"][0]["node"]["paymentDetails"]["totalCount"], 0);
        let list = app.ok(Some(&admin), q).await;
        assert_eq!(list["payments"]["totalCount"], 1);
        let node = &list["payments"]["edges"][0]["node"];
        assert_eq!(node["uuid"], uuid.as_str());
        assert_eq!(amount(&node["receivedAmount"]), dec("5000"));
        assert_eq!(amount(&node["transferFee"]), dec("50"));
        assert!(node["rejectedReason"].is_null());
        assert_eq!(node["paymentDetails"]["totalCount"], 1);
        assert_eq!(node["paymentDetails"]["edges"][0]["node"]["insuranceNumber"], "870000001");
        assert_eq!(node["paymentDetails"]["edges"][0]["node"]["payment"]["uuid"], uuid.as_str());

        // Update replaces the lines and keeps history; status 5 is reserved to matching.
        let upd = with(input.clone(), json!({ "receivedAmount": "6000", "details": [
            { "insuranceNumber": "870000001", "productCode": "PAYM1" },
            { "insuranceNumber": "870000002", "productCode": "PAYM1" }] }));
        ok(&app, Some(&accountant), UPDATE_PAYMENT, json!({ "i": upd })).await;
        let v = app
            .ok(Some(&admin), &format!(r#"{{ payments(uuid: "{uuid}", showHistory: true) {{ edges {{ node {{ receivedAmount legacyId paymentDetails {{ totalCount }} }} }} }} }}"#))
            .await;
        let edges = v["payments"]["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), 2, "{v}");
        assert_eq!(amount(&edges[0]["node"]["receivedAmount"]), dec("6000"));
        assert_eq!(edges[0]["node"]["paymentDetails"]["totalCount"], 2);
        assert_eq!(amount(&edges[1]["node"]["receivedAmount"]), dec("5000"));
        assert_eq!(
            err(&app, Some(&accountant), UPDATE_PAYMENT, json!({ "i": with(input.clone(), json!({ "status": 5 })) })).await,
            "payment.status_invalid"
        );
        let q = r#"{ paymentDetails(insuranceNumber: "870000002") { totalCount } }"#;
        assert_eq!(app.ok(Some(&admin), q).await["paymentDetails"]["totalCount"], 1);
        assert_eq!(app.ok(Some(&accountant), q).await["paymentDetails"]["totalCount"], 0);

        // Rights: the clerk (contributions only) cannot touch payments; the accountant cannot
        // add contributions; rights come before input validation.
        assert_eq!(err(&app, Some(&clerk), CREATE_PAYMENT, json!({ "i": { "status": 99 } })).await, "auth.permission_denied");
        assert_eq!(app.err_code(Some(&clerk), "{ payments { totalCount } }").await, "auth.permission_denied");
        assert_eq!(
            err(&app, Some(&accountant), CREATE_PREMIUM, json!({ "i": { "policyUuid": "not-a-uuid", "amount": "1.001" } })).await,
            "auth.permission_denied"
        );
        assert_eq!(err(&app, None, CREATE_PAYMENT, json!({ "i": {} })).await, "auth.unauthenticated");
        assert_eq!(
            app.err_code(Some(&accountant), r#"{ validatePremiumCode(code: "x", policyUuid: "x") }"#).await,
            "input.invalid",
            "the accountant holds 101301"
        );
        assert_eq!(
            err(&app, Some(&clerk), MATCH, json!({ "i": {} })).await,
            "auth.permission_denied"
        );

        // Deletion is soft, lines included.
        ok(&app, Some(&admin), DELETE_PAYMENT, json!({ "i": { "uuids": [uuid] } })).await;
        assert_eq!(app.ok(Some(&admin), "{ payments { totalCount } }").await["payments"]["totalCount"], 0);
        assert_eq!(one_i64(&app, "SELECT COUNT(*) FROM payment_payment_detail WHERE validity_to IS NULL", vec![]).await, 0);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Payment matching (reference §10.3)

/// Creates a received payment (status 4) with the given lines; returns its uuid.
async fn received(
    app: &TestApp,
    who: &Principal,
    amount: &str,
    officer: Option<&str>,
    tx_no: &str,
    lines: &[(&str, &str)],
) -> String {
    let uuid = new_uuid();
    let today = ds(app.state.clock.today());
    let details: Vec<Value> = lines
        .iter()
        .map(|(chf, code)| json!({ "insuranceNumber": chf, "productCode": code, "policyStage": "N" }))
        .collect();
    ok(
        app,
        Some(who),
        CREATE_PAYMENT,
        json!({ "i": { "uuid": uuid, "receivedAmount": amount, "officerCode": officer, "status": 4,
            "receivedDate": today, "paymentDate": today, "transactionNo": tx_no, "details": details } }),
    )
    .await;
    uuid
}

async fn match_payments(app: &TestApp, who: &Principal, uuids: &[&str]) -> Vec<Value> {
    let v = ok(app, Some(who), MATCH, json!({ "i": { "uuids": uuids } })).await;
    v["matchPayments"]["payments"]
        .as_array()
        .expect("payments")
        .clone()
}

fn codes(outcome: &Value) -> Vec<Vec<i64>> {
    outcome["rejections"]
        .as_array()
        .expect("rejections")
        .iter()
        .map(|r| {
            r["codes"]
                .as_array()
                .expect("codes")
                .iter()
                .map(|c| c.as_i64().expect("code"))
                .collect()
        })
        .collect()
}

async fn payment_state(app: &TestApp, who: &Principal, uuid: &str) -> Value {
    app.ok(
        Some(who),
        &format!(
            r#"{{ payments(uuid: "{uuid}") {{ edges {{ node {{ status matchedDate rejectedReason
                paymentDetails {{ edges {{ node {{ amount premium {{ uuid receipt amount policy {{ uuid }} }} }} }} }} }} }} }} }}"#
        ),
    )
    .await["payments"]["edges"][0]["node"]
        .clone()
}

#[tokio::test]
async fn matching_rejects_with_each_code() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let v2 = village(&app, "D0002", 0).await;
        let d1_loc = location_uuid(&app, "D0001").await;
        let national = product(&app, &admin, "MATN", "10000", json!({})).await;
        let located = product(
            &app,
            &admin,
            "MATD1",
            "10000",
            json!({ "locationUuid": d1_loc }),
        )
        .await;

        // A policy without premium, one with a premium, one of a district product.
        let f1 = family(&app, &admin, v1, "880000001").await;
        let bare = new_policy(&app, &admin, f1, national).await;
        let f2 = family(&app, &admin, v1, "880000002").await;
        let paid = new_policy(&app, &admin, f2, national).await;
        pay(&app, &admin, premium_input(&paid, "2000", "MAT-P1", today)).await;
        let f3 = family(&app, &admin, v1, "880000003").await;
        let district = new_policy(&app, &admin, f3, located).await;
        pay(
            &app,
            &admin,
            premium_input(&district, "2000", "MAT-D1", today),
        )
        .await;
        family(&app, &admin, v1, "880000004").await; // no policy at all

        let p101 = received(&app, &admin, "100", None, "T101", &[("", "MATN")]).await;
        let p102 = received(&app, &admin, "100", None, "T102", &[("880000001", "")]).await;
        let p103 = received(&app, &admin, "100", None, "T103", &[("999999999", "MATN")]).await;
        let p104 = received(&app, &admin, "100", None, "T104", &[("880000004", "MATN")]).await;
        let p107 = received(
            &app,
            &admin,
            "100",
            Some("nobody"),
            "T107",
            &[("880000002", "MATN")],
        )
        .await;
        // eo_edea works in D0002: incompatible with a product of D0001.
        let p108 = received(
            &app,
            &admin,
            "100",
            Some("eo_edea"),
            "T108",
            &[("880000003", "MATD1")],
        )
        .await;
        let p109 = received(
            &app,
            &admin,
            "100",
            Some("eo_douala"),
            "T109",
            &[("880000001", "MATN")],
        )
        .await;
        // One bad line drops the whole payment: the good line is not credited.
        let mixed = received(
            &app,
            &admin,
            "10000",
            None,
            "TMIX",
            &[("880000002", "MATN"), ("999999999", "MATN")],
        )
        .await;

        let out = match_payments(
            &app,
            &admin,
            &[&p101, &p102, &p103, &p104, &p107, &p108, &p109, &mixed],
        )
        .await;
        let expect: [Vec<Vec<i64>>; 8] = [
            vec![vec![101]],
            vec![vec![102]],
            vec![vec![103]],
            vec![vec![104]],
            vec![vec![107]],
            vec![vec![108]],
            vec![vec![109]],
            vec![vec![103]],
        ];
        for (o, e) in out.iter().zip(expect.iter()) {
            assert_eq!(o["matched"], false, "{o}");
            assert_eq!(o["status"], 4, "{o}");
            assert_eq!(&codes(o), e, "{o}");
        }
        let s = payment_state(&app, &admin, &p108).await;
        assert_eq!(s["status"], 4);
        assert!(s["matchedDate"].is_null());
        assert_eq!(s["rejectedReason"], "880000003/MATD1: 108");
        let p = policy(&app, &paid).await;
        assert_eq!(
            amount(&p["sumMatchedPayments"]),
            dec("0"),
            "the mixed payment credited nothing"
        );
        assert_eq!(p["status"], 1);

        // 106: the family moved out of the product's district after enrolment.
        move_family(&app, f3, v2).await;
        let p106 = received(&app, &admin, "100", None, "T106", &[("880000003", "MATD1")]).await;
        let out = match_payments(&app, &admin, &[&p106]).await;
        assert_eq!(codes(&out[0]), vec![vec![106]], "{}", out[0]);
        // A restricted caller does not touch a payment with a policy outside their locations.
        let v2b = village(&app, "D0002", 1).await;
        let far = family(&app, &admin, v2b, "880000005").await;
        new_policy(&app, &admin, far, national).await;
        let p_far = received(
            &app,
            &admin,
            "10000",
            None,
            "TFAR",
            &[("880000005", "MATN")],
        )
        .await;
        let mut restricted = app.principal("clerk").await;
        restricted.rights = [101403].into_iter().collect();
        let out = match_payments(&app, &restricted, &[&p_far]).await;
        assert_eq!(out[0]["outOfScope"], true, "{}", out[0]);
        assert_eq!(out[0]["matched"], false);
        assert_eq!(payment_state(&app, &admin, &p_far).await["status"], 4);
        let out = match_payments(&app, &admin, &[&p_far]).await;
        assert_eq!(out[0]["matched"], true, "{}", out[0]);
        let _ = (bare, district);
        db
    })
    .await;
}

#[tokio::test]
async fn matching_activates_renews_and_distributes() {
    on_each_db(|db: TestDb| async move {
        // Option 3: a contribution makes the policy Ready, the matched payment activates it.
        let app = TestApp::with_config(app_config(&db, 3), true).await;
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let p = product(&app, &admin, "MAT3", "10000", json!({})).await;
        let f = family(&app, &admin, v1, "890000001").await;
        let ready = new_policy(&app, &admin, f, p).await;
        let (premium, _) = pay(&app, &admin, premium_input(&ready, "10000", "M3-1", today)).await;
        assert_eq!(policy(&app, &ready).await["status"], 16);
        let pay3 = received(
            &app,
            &admin,
            "10000",
            Some("eo_douala"),
            "TX-3",
            &[("890000001", "MAT3")],
        )
        .await;
        let cmid = new_uuid();
        let v = ok(
            &app,
            Some(&admin),
            MATCH,
            json!({ "i": { "uuids": [pay3], "clientMutationId": cmid } }),
        )
        .await;
        let o = &v["matchPayments"]["payments"][0];
        assert_eq!(o["matched"], true, "{o}");
        assert_eq!(o["status"], 5);
        assert_eq!(o["activatedPolicyUuids"], json!([ready]));
        assert_eq!(o["premiumUuids"], json!([]), "the existing premium is used");
        let pol = policy(&app, &ready).await;
        assert_eq!(pol["status"], 2);
        assert_eq!(pol["effectiveDate"], ds(today));
        assert_eq!(amount(&pol["sumMatchedPayments"]), dec("10000"));
        let s = payment_state(&app, &admin, &pay3).await;
        assert_eq!(s["status"], 5);
        assert_eq!(s["matchedDate"], ds(today));
        let line = &s["paymentDetails"]["edges"][0]["node"];
        assert_eq!(amount(&line["amount"]), dec("10000"));
        assert_eq!(line["premium"]["uuid"], premium.as_str());
        // A replay returns the stored outcome; matching again changes nothing.
        let again = ok(
            &app,
            Some(&admin),
            MATCH,
            json!({ "i": { "uuids": [pay3], "clientMutationId": cmid } }),
        )
        .await;
        assert_eq!(again, v);
        let second = match_payments(&app, &admin, &[&pay3]).await;
        assert_eq!(second[0]["matched"], false);
        assert_eq!(second[0]["status"], 5);
        // A matched payment can be neither changed nor deleted.
        assert_eq!(
            err(
                &app,
                Some(&admin),
                UPDATE_PAYMENT,
                json!({ "i": { "uuid": pay3, "status": 4 } })
            )
            .await,
            "payment.already_matched"
        );
        assert_eq!(
            err(
                &app,
                Some(&admin),
                DELETE_PAYMENT,
                json!({ "i": { "uuids": [pay3] } })
            )
            .await,
            "payment.already_matched"
        );
        assert_eq!(payment_state(&app, &admin, &pay3).await["status"], 5);

        // Option 2: no premium yet, no officer: matching creates the premium and activates.
        let app2 = TestApp::with_config(app_config(&db, 2), true).await;
        let p2 = product(&app2, &admin, "MAT2", "8000", json!({})).await;
        let f2 = family(&app2, &admin, v1, "890000002").await;
        let idle = new_policy(&app2, &admin, f2, p2).await;
        let pay2 = received(
            &app2,
            &admin,
            "8000",
            None,
            "TX-2",
            &[("890000002", "MAT2")],
        )
        .await;
        // Left for the daily job, which matches every received payment.
        let (seen, matched) = imis_payment::service::matching::match_all(&app2.state)
            .await
            .expect("job");
        assert!(seen >= 1 && matched >= 1, "{seen} {matched}");
        let pol2 = policy(&app2, &idle).await;
        assert_eq!(pol2["status"], 2, "{pol2}");
        assert_eq!(amount(&pol2["sumPremiums"]), dec("8000"));
        assert_eq!(amount(&pol2["sumMatchedPayments"]), dec("8000"));
        let s = payment_state(&app2, &admin, &pay2).await;
        assert_eq!(s["status"], 5);
        let created = &s["paymentDetails"]["edges"][0]["node"]["premium"];
        assert_eq!(created["receipt"], "TX-2");
        assert_eq!(amount(&created["amount"]), dec("8000"));
        assert_eq!(created["policy"]["uuid"], idle.as_str());

        // Option 1: an Active policy is renewed and the renewal credited.
        let app1 = TestApp::with_config(app_config(&db, 1), true).await;
        let p1 = product(&app1, &admin, "MAT1", "6000", json!({})).await;
        let f1 = family(&app1, &admin, v1, "890000003").await;
        let active = new_policy(&app1, &admin, f1, p1).await;
        pay(&app1, &admin, premium_input(&active, "6000", "M1-1", today)).await;
        let old = policy(&app1, &active).await;
        assert_eq!(old["status"], 2);
        let pay1 = received(
            &app1,
            &admin,
            "6000",
            None,
            "TX-1",
            &[("890000003", "MAT1")],
        )
        .await;
        let out = match_payments(&app1, &admin, &[&pay1]).await;
        let o = &out[0];
        assert_eq!(o["matched"], true, "{o}");
        let renewals = o["renewalPolicyUuids"].as_array().expect("renewals");
        assert_eq!(renewals.len(), 1);
        let renewal = renewals[0].as_str().expect("uuid").to_string();
        assert_eq!(o["premiumUuids"].as_array().expect("premiums").len(), 1);
        assert_eq!(o["activatedPolicyUuids"], json!([renewal]));
        let r = policy(&app1, &renewal).await;
        assert_eq!(r["stage"], "R");
        assert_eq!(r["status"], 2);
        let next =
            NaiveDate::parse_from_str(old["expiryDate"].as_str().expect("expiry"), "%Y-%m-%d")
                .expect("date")
                .succ_opt()
                .expect("next");
        assert_eq!(r["startDate"], ds(next));
        assert_eq!(r["effectiveDate"], ds(next));
        assert_eq!(amount(&r["sumPremiums"]), dec("6000"));
        assert_eq!(
            policy(&app1, &active).await["status"],
            2,
            "the renewed policy is unchanged"
        );

        // Distribution: proportional to what each policy still owes, capped, exact.
        let pa = product(&app1, &admin, "DISA", "10000", json!({})).await;
        let pb = product(&app1, &admin, "DISB", "30000", json!({})).await;
        let fa = family(&app1, &admin, v1, "890000004").await;
        let pol_a = new_policy(&app1, &admin, fa, pa).await;
        let pol_b = new_policy(&app1, &admin, fa, pb).await;
        let split = received(
            &app1,
            &admin,
            "20000",
            None,
            "TX-SPLIT",
            &[("890000004", "DISA"), ("890000004", "DISB")],
        )
        .await;
        let out = match_payments(&app1, &admin, &[&split]).await;
        assert_eq!(out[0]["matched"], true, "{}", out[0]);
        assert_eq!(amount(&out[0]["unallocated"]), dec("0"));
        let s = payment_state(&app1, &admin, &split).await;
        let lines = s["paymentDetails"]["edges"].as_array().expect("lines");
        assert_eq!(amount(&lines[0]["node"]["amount"]), dec("5000"));
        assert_eq!(amount(&lines[1]["node"]["amount"]), dec("15000"));
        assert_eq!(lines[0]["node"]["premium"]["receipt"], "TX-SPLIT");
        assert_eq!(lines[1]["node"]["premium"]["receipt"], "TX-SPLIT");
        assert_eq!(
            amount(&policy(&app1, &pol_a).await["sumMatchedPayments"]),
            dec("5000")
        );
        assert_eq!(policy(&app1, &pol_b).await["status"], 1);
        // Over-payment: capped at what is owed, the excess stays unallocated. Under option 1
        // matched payments never activate: the policies already have the premiums matching
        // created, so nothing is paid beyond them and they stay Idle.
        let over = received(
            &app1,
            &admin,
            "40000",
            None,
            "TX-OVER",
            &[("890000004", "DISA"), ("890000004", "DISB")],
        )
        .await;
        let out = match_payments(&app1, &admin, &[&over]).await;
        assert_eq!(out[0]["matched"], true, "{}", out[0]);
        assert_eq!(amount(&out[0]["unallocated"]), dec("20000"));
        assert_eq!(out[0]["activatedPolicyUuids"], json!([]));
        let a = policy(&app1, &pol_a).await;
        let b = policy(&app1, &pol_b).await;
        assert_eq!(
            (a["status"].clone(), b["status"].clone()),
            (json!(1), json!(1))
        );
        assert_eq!(amount(&a["sumMatchedPayments"]), dec("10000"));
        assert_eq!(amount(&b["sumMatchedPayments"]), dec("30000"));
        assert_eq!(amount(&b["sumPremiums"]), dec("15000"));
        // Matching with no uuids takes every received payment not matched yet.
        let open = received(
            &app1,
            &admin,
            "1",
            None,
            "TX-OPEN",
            &[("999999998", "DISA")],
        )
        .await;
        let all = ok(&app1, Some(&admin), MATCH, json!({ "i": {} })).await;
        let list = all["matchPayments"]["payments"]
            .as_array()
            .expect("payments");
        assert!(list.iter().any(|o| o["paymentUuid"] == open.as_str()));
        assert!(list.iter().all(|o| o["paymentUuid"] != split.as_str()));
        db
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Demo and scale data

#[tokio::test]
async fn demo_and_scale_premiums_account_for_what_policies_were_paid() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        // Demo payers, one with a funding of the demo mutual product.
        let v = app
            .ok(Some(&admin), r#"{ payers(orderBy: ["name"]) { edges { node { name type fundings { totalCount edges { node { product { code } } } } } } } }"#)
            .await;
        let names = payer_names(&v);
        assert!(names.contains(&"Ministère de la Santé Publique".to_string()), "{names:?}");
        assert!(names.contains(&"Fondation Santé pour Tous".to_string()), "{names:?}");
        let gov = v["payers"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .find(|e| e["node"]["type"] == "G")
            .expect("government payer");
        assert_eq!(gov["node"]["fundings"]["edges"][0]["node"]["product"]["code"], "MUT01");
        // Demo premiums (if the demo has policies) agree with the policies' paid totals.
        assert_eq!(policies_paid_unlike_premiums(&app).await, 0);

        // Scale: policies whose contributions were recorded in bulk get the premiums that
        // account for them, once.
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let p = product(&app, &admin, "SCALE1", "10000", json!({})).await;
        let mut ids = vec![];
        for (chf, paid) in [("880100001", 10_000_00i64), ("880100002", 7_000_00), ("880100003", 0)] {
            let f = family(&app, &admin, v1, chf).await;
            let uuid = new_policy(&app, &admin, f, p).await;
            let id = policy_id(&app, &uuid).await;
            if paid > 0 {
                let tx = app.state.db.begin_write().await.expect("tx");
                imis_policy::api::record_contribution(
                    &app.state,
                    &tx,
                    None,
                    imis_policy::api::Contribution {
                        policy_id: id,
                        paid_total: paid,
                        pay_date: today,
                        action: imis_policy::api::PremiumAction::Wait,
                    },
                )
                .await
                .expect("record");
                tx.commit().await.expect("commit");
            }
            ids.push(id);
        }
        assert_eq!(policies_paid_unlike_premiums(&app).await, 2);
        let written = imis_payment::scale::seed_scale(&app.state, 7).await.expect("scale");
        assert!((2..=4).contains(&written), "{written}");
        assert_eq!(policies_paid_unlike_premiums(&app).await, 0);
        let generated = one_i64(
            &app,
            "SELECT COUNT(*) FROM payment_premium WHERE policy_id = ? AND receipt LIKE 'SC-%'",
            vec![ids[0].into()],
        )
        .await;
        let all = one_i64(&app, "SELECT COUNT(*) FROM payment_premium WHERE policy_id = ?", vec![ids[0].into()]).await;
        assert!(generated == all && (1..=2).contains(&all), "{generated} {all}");
        assert_eq!(
            one_i64(&app, "SELECT COUNT(*) FROM payment_premium WHERE policy_id = ?", vec![ids[2].into()]).await,
            0
        );
        // Running it again adds nothing.
        assert_eq!(imis_payment::scale::seed_scale(&app.state, 7).await.expect("scale"), 0);
        db
    })
    .await;
}

#[tokio::test]
async fn concurrent_premiums_cannot_share_a_receipt() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let p = product(&app, &admin, "RACE1", "10000", json!({})).await;
        let mut policies = vec![];
        for i in 0..4 {
            let f = family(&app, &admin, v1, &format!("88020000{i}")).await;
            policies.push(new_policy(&app, &admin, f, p).await);
        }
        let calls = policies.iter().map(|pol| {
            let input = premium_input(pol, "10000", "RACE-RECEIPT", today);
            let app = &app;
            let admin = &admin;
            async move { app.exec_vars(Some(admin), CREATE_PREMIUM, json!({ "i": input })).await }
        });
        let results = futures::future::join_all(calls).await;
        let mut codes: Vec<String> = results
            .iter()
            .map(|r| match r.errors.first() {
                None => "ok".to_string(),
                Some(e) => e
                    .extensions
                    .as_ref()
                    .and_then(|x| x.get("code"))
                    .map(|v| v.to_string().trim_matches('"').to_string())
                    .unwrap_or_else(|| e.message.clone()),
            })
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            vec!["ok", "premium.receipt_taken", "premium.receipt_taken", "premium.receipt_taken"]
        );
        assert_eq!(
            one_i64(&app, "SELECT COUNT(*) FROM payment_premium WHERE receipt = 'RACE-RECEIPT' AND validity_to IS NULL", vec![]).await,
            1
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// One credit per payment, paid totals under the policy lock, D4 retries, D9 of payment lines
// and payers, renewals by matching

/// Versions of a payment kept in history.
async fn payment_versions(app: &TestApp, uuid: &str) -> i64 {
    let id = one_i64(
        app,
        "SELECT id FROM payment_payment WHERE uuid = ?",
        vec![uuid::Uuid::parse_str(uuid).expect("uuid").into()],
    )
    .await;
    app.history_count("payment", Some(id)).await
}

/// A GraphQL response's error code, or "ok".
fn outcome_code(r: &async_graphql::Response) -> String {
    imis_tests::error_code(r).unwrap_or_else(|| "ok".to_string())
}

#[tokio::test]
async fn a_payment_is_credited_once() {
    on_each_db(|db: TestDb| async move {
        // Option 2: matched payments activate, so a double credit would also show in the status.
        let app = TestApp::with_config(app_config(&db, 2), true).await;
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001", 0).await;
        let p = product(&app, &admin, "ONCE", "10000", json!({})).await;
        let f = family(&app, &admin, v1, "891000001").await;
        let pol = new_policy(&app, &admin, f, p).await;

        // The same payment named twice in one call is matched, and reported, once.
        let first = received(&app, &admin, "3000", None, "ONCE-1", &[("891000001", "ONCE")]).await;
        let out = match_payments(&app, &admin, &[&first, &first]).await;
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0]["matched"], true, "{}", out[0]);
        assert_eq!(amount(&policy(&app, &pol).await["sumMatchedPayments"]), dec("3000"));

        // A copy read before the payment was matched elsewhere (the daily job reads its
        // candidates before each payment's transaction) is read again and left alone.
        let second = received(&app, &admin, "3000", None, "ONCE-2", &[("891000001", "ONCE")]).await;
        let stale = imis_payment::service::payments::find_payment(
            &app.state.db.conn,
            uuid::Uuid::parse_str(&second).expect("uuid"),
        )
        .await
        .expect("payment");
        assert_eq!(match_payments(&app, &admin, &[&second]).await[0]["matched"], true);
        let tx = app.state.db.begin_write().await.expect("tx");
        let again = imis_payment::service::matching::match_one(&app.state, &tx, None, None, &stale)
            .await
            .expect("match");
        tx.commit().await.expect("commit");
        assert!(!again.matched, "{again:?}");
        assert_eq!(again.status, 5);
        assert_eq!(amount(&policy(&app, &pol).await["sumMatchedPayments"]), dec("6000"));
        assert_eq!(payment_versions(&app, &second).await, 1, "only the version before matching");

        // Concurrent matchings of one payment (three mutations and the daily job): one credit.
        let third = received(&app, &admin, "4000", None, "ONCE-3", &[("891000001", "ONCE")]).await;
        let calls = (0..3).map(|_| {
            let (app, admin, third) = (&app, &admin, third.clone());
            async move { app.exec_vars(Some(admin), MATCH, json!({ "i": { "uuids": [third] } })).await }
        });
        let (results, job) = futures::future::join(
            futures::future::join_all(calls),
            imis_payment::service::matching::match_all(&app.state),
        )
        .await;
        let mut matched = job.expect("job").1;
        for r in &results {
            assert!(r.errors.is_empty(), "{:?}", r.errors);
            let v = r.data.clone().into_json().expect("json");
            for o in v["matchPayments"]["payments"].as_array().expect("payments") {
                assert!(o["error"].is_null(), "{o}");
                if o["matched"] == true {
                    matched += 1;
                }
            }
        }
        assert_eq!(matched, 1);
        let done = policy(&app, &pol).await;
        assert_eq!(amount(&done["sumMatchedPayments"]), dec("10000"));
        assert_eq!(done["status"], 2, "{done}");
        assert_eq!(premiums_of(&app, &admin, &pol).await["totalCount"], 1, "one premium, made by the first matching");

        // A payment still rejected gets no new version from each nightly run; a different
        // rejection is recorded.
        let bad = received(&app, &admin, "100", None, "ONCE-BAD", &[("999999991", "ONCE")]).await;
        imis_payment::service::matching::match_all(&app.state).await.expect("job");
        assert_eq!(payment_state(&app, &admin, &bad).await["rejectedReason"], "999999991/ONCE: 103");
        assert_eq!(payment_versions(&app, &bad).await, 1);
        imis_payment::service::matching::match_all(&app.state).await.expect("job");
        imis_payment::service::matching::match_all(&app.state).await.expect("job");
        assert_eq!(payment_versions(&app, &bad).await, 1);
        ok(
            &app,
            Some(&admin),
            UPDATE_PAYMENT,
            json!({ "i": { "uuid": bad, "receivedAmount": "100", "status": 4, "transactionNo": "ONCE-BAD",
                "details": [{ "insuranceNumber": "891000001", "productCode": "NOPE" }] } }),
        )
        .await;
        imis_payment::service::matching::match_all(&app.state).await.expect("job");
        assert_eq!(payment_state(&app, &admin, &bad).await["rejectedReason"], "891000001/NOPE: 104");
        assert_eq!(payment_versions(&app, &bad).await, 3, "the update, then the new rejection");
        db
    })
    .await;
}

#[tokio::test]
async fn concurrent_contributions_see_each_other() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;

        // maxInstallments is counted under the policy lock: two of four concurrent premiums.
        let limited = product(
            &app,
            &admin,
            "LOCK2",
            "10000",
            json!({ "maxInstallments": 2 }),
        )
        .await;
        let f = family(&app, &admin, v1, "892000001").await;
        let pol = new_policy(&app, &admin, f, limited).await;
        let calls = (0..4).map(|i| {
            let input = premium_input(&pol, "1000", &format!("LOCK2-{i}"), today);
            let (app, admin) = (&app, &admin);
            async move {
                app.exec_vars(Some(admin), CREATE_PREMIUM, json!({ "i": input }))
                    .await
            }
        });
        let mut codes: Vec<String> = futures::future::join_all(calls)
            .await
            .iter()
            .map(outcome_code)
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            vec![
                "ok",
                "ok",
                "premium.max_installments_exceeded",
                "premium.max_installments_exceeded"
            ]
        );
        assert_eq!(
            amount(&policy(&app, &pol).await["sumPremiums"]),
            dec("2000")
        );

        // Five concurrent contributions of a fifth each: the last one recorded sees the others,
        // so the policy is paid and Active.
        let open = product(&app, &admin, "LOCK5", "10000", json!({})).await;
        let f2 = family(&app, &admin, v1, "892000002").await;
        let pol2 = new_policy(&app, &admin, f2, open).await;
        let inputs: Vec<Value> = (0..5)
            .map(|i| premium_input(&pol2, "2000", &format!("LOCK5-{i}"), today))
            .collect();
        let calls = inputs.iter().map(|input| {
            let (app, admin) = (&app, &admin);
            async move {
                app.exec_vars(Some(admin), CREATE_PREMIUM, json!({ "i": input }))
                    .await
            }
        });
        let codes: Vec<String> = futures::future::join_all(calls)
            .await
            .iter()
            .map(outcome_code)
            .collect();
        assert!(codes.iter().all(|c| c == "ok"), "{codes:?}");
        let paid = policy(&app, &pol2).await;
        assert_eq!(amount(&paid["sumPremiums"]), dec("10000"));
        assert_eq!(paid["status"], 2, "{paid}");

        // Two concurrent deletions: the paid total counts neither.
        let calls = inputs[..2].iter().map(|input| {
            let (app, admin) = (&app, &admin);
            let uuid = input["uuid"].clone();
            async move {
                app.exec_vars(
                    Some(admin),
                    DELETE_PREMIUM,
                    json!({ "i": { "uuids": [uuid] } }),
                )
                .await
            }
        });
        let codes: Vec<String> = futures::future::join_all(calls)
            .await
            .iter()
            .map(outcome_code)
            .collect();
        assert!(codes.iter().all(|c| c == "ok"), "{codes:?}");
        let after = policy(&app, &pol2).await;
        assert_eq!(amount(&after["sumPremiums"]), dec("6000"));
        assert_eq!(after["status"], 2, "deletions never deactivate");
        assert_eq!(policies_paid_unlike_premiums(&app).await, 0);
    })
    .await;
}

#[tokio::test]
async fn deleted_rows_and_payers_out_of_scope_are_refused() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let p = product(&app, &admin, "RETRY", "10000", json!({})).await;
        let f = family(&app, &admin, v1, "895000001").await;
        let pol = new_policy(&app, &admin, f, p).await;

        // D4: a retried create whose row was deleted meanwhile does not return the deleted row.
        let input = premium_input(&pol, "100", "RETRY-1", today);
        let (premium, _) = pay(&app, &admin, input.clone()).await;
        ok(&app, Some(&admin), DELETE_PREMIUM, json!({ "i": { "uuids": [premium] } })).await;
        assert_eq!(pay_err(&app, &admin, input).await, "conflict.uuid_exists");
        let payment = json!({ "uuid": new_uuid(), "receivedAmount": "100", "status": 1, "transactionNo": "RETRY-P" });
        ok(&app, Some(&admin), CREATE_PAYMENT, json!({ "i": payment.clone() })).await;
        ok(&app, Some(&admin), DELETE_PAYMENT, json!({ "i": { "uuids": [payment["uuid"].clone()] } })).await;
        assert_eq!(err(&app, Some(&admin), CREATE_PAYMENT, json!({ "i": payment })).await, "conflict.uuid_exists");

        // D9: a payer the caller may not see cannot be named on a contribution. The clerk works
        // in D0001: a payer of the region above is visible, one of D0002 is not.
        let above = create_payer(&app, &admin, "Délégation Régionale", "G", "R0001").await;
        let far = create_payer(&app, &admin, "Commune de Kribi", "L", "D0002").await;
        let mut clerk = app.principal("clerk").await;
        clerk.rights = [101302, 101303, 101202].into_iter().collect();
        assert_eq!(
            pay_err(&app, &clerk, with(premium_input(&pol, "100", "PAYER-1", today), json!({ "payerUuid": far }))).await,
            "auth.location_denied"
        );
        let mine = with(premium_input(&pol, "100", "PAYER-2", today), json!({ "payerUuid": above }));
        pay(&app, &clerk, mine.clone()).await;
        assert_eq!(
            err(&app, Some(&clerk), UPDATE_PREMIUM, json!({ "i": with(mine.clone(), json!({ "payerUuid": far })) })).await,
            "auth.location_denied"
        );
        ok(&app, Some(&admin), UPDATE_PREMIUM, json!({ "i": with(mine, json!({ "payerUuid": far })) })).await;

        // createPolicy(isPaid, payerUuid): the payer must be visible to the acting user.
        let f2 = family(&app, &admin, v1, "895000002").await;
        let before = policy_rows(&app).await;
        let officer = user_id(&app, "eo_douala").await;
        let code = err(
            &app,
            Some(&clerk),
            CREATE_POLICY,
            json!({ "i": { "familyId": f2, "productId": p, "officerId": officer, "enrollDate": ds(today), "isPaid": true, "payerUuid": far } }),
        )
        .await;
        assert_eq!(code, "auth.location_denied");
        assert_eq!(policy_rows(&app).await, before);
        let paid = policy_with(&app, &clerk, f2, p, json!({ "isPaid": true, "payerUuid": above })).await;
        assert_eq!(premiums_of(&app, &admin, &paid).await["edges"][0]["node"]["payer"]["name"], "Délégation Régionale");
    })
    .await;
}

#[tokio::test]
async fn payment_lines_follow_the_location_scope() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let v2 = village(&app, "D0002", 0).await;
        let p = product(&app, &admin, "SCOPEP", "10000", json!({})).await;
        let near_f = family(&app, &admin, v1, "893000001").await;
        let near = new_policy(&app, &admin, near_f, p).await;
        let (near_premium, _) = pay(&app, &admin, premium_input(&near, "10000", "SC-NEAR", today)).await;
        let far_f = family(&app, &admin, v2, "893000002").await;
        let far = new_policy(&app, &admin, far_f, p).await;
        let (far_premium, _) = pay(&app, &admin, premium_input(&far, "10000", "SC-FAR", today)).await;
        // A payment with a line of the near premium and a line not matched yet; one of the far
        // premium.
        let near_pay = new_uuid();
        ok(
            &app,
            Some(&admin),
            CREATE_PAYMENT,
            json!({ "i": { "uuid": near_pay, "receivedAmount": "10000", "status": 1, "premiumUuid": near_premium,
                "details": [{ "insuranceNumber": "893000002", "productCode": "SCOPEP" }] } }),
        )
        .await;
        let far_pay = new_uuid();
        ok(
            &app,
            Some(&admin),
            CREATE_PAYMENT,
            json!({ "i": { "uuid": far_pay, "receivedAmount": "10000", "status": 1, "premiumUuid": far_premium } }),
        )
        .await;
        // The clerk works in D0001.
        let mut clerk = app.principal("clerk").await;
        clerk.rights = [101401].into_iter().collect();
        let lines = |payment: &str| {
            format!(
                r#"{{ paymentDetails(payment_Uuid: "{payment}") {{ totalCount edges {{ node {{ insuranceNumber
                    premium {{ uuid policy {{ uuid }} }} payment {{ paymentDetails {{ totalCount }} }} }} }} }} }}"#
            )
        };
        let all = app.ok(Some(&admin), &lines(&near_pay)).await;
        assert_eq!(all["paymentDetails"]["totalCount"], 2);
        assert_eq!(all["paymentDetails"]["edges"][0]["node"]["payment"]["paymentDetails"]["totalCount"], 2);
        let mine = app.ok(Some(&clerk), &lines(&near_pay)).await;
        assert_eq!(mine["paymentDetails"]["totalCount"], 1, "{mine}");
        let line = &mine["paymentDetails"]["edges"][0]["node"];
        assert_eq!(line["premium"]["uuid"], near_premium.as_str());
        assert_eq!(line["premium"]["policy"]["uuid"], near.as_str());
        assert_eq!(line["payment"]["paymentDetails"]["totalCount"], 1, "lines reached through a payment");
        assert_eq!(app.ok(Some(&admin), &lines(&far_pay)).await["paymentDetails"]["totalCount"], 1);
        assert_eq!(app.ok(Some(&clerk), &lines(&far_pay)).await["paymentDetails"]["totalCount"], 0);

        // Payments carry no location: the clerk lists them, with the lines they may see.
        let payments = |payment: &str| {
            format!(r#"{{ payments(uuid: "{payment}") {{ totalCount edges {{ node {{ id paymentDetails {{ totalCount edges {{ node {{ premium {{ uuid }} }} }} }} }} }} }} }}"#)
        };
        let v = app.ok(Some(&clerk), &payments(&far_pay)).await;
        assert_eq!(v["payments"]["totalCount"], 1);
        assert_eq!(v["payments"]["edges"][0]["node"]["paymentDetails"]["totalCount"], 0);
        let far_id = v["payments"]["edges"][0]["node"]["id"].as_str().expect("id").to_string();
        let v = app.ok(Some(&clerk), &payments(&near_pay)).await;
        assert_eq!(v["payments"]["edges"][0]["node"]["paymentDetails"]["totalCount"], 1);
        assert_eq!(app.ok(Some(&admin), &payments(&near_pay)).await["payments"]["edges"][0]["node"]["paymentDetails"]["totalCount"], 2);
        let node = |id: &str| format!(r#"{{ node(id: "{id}") {{ ... on PaymentGQLType {{ paymentDetails {{ totalCount }} }} }} }}"#);
        assert_eq!(app.ok(Some(&clerk), &node(&far_id)).await["node"]["paymentDetails"]["totalCount"], 0);
        assert_eq!(app.ok(Some(&admin), &node(&far_id)).await["node"]["paymentDetails"]["totalCount"], 1);

        // paymentsByPremiums answers only for premiums in scope.
        let by = |premium: &str| format!(r#"{{ paymentsByPremiums(premiumUuids: ["{premium}"]) {{ totalCount }} }}"#);
        assert_eq!(app.ok(Some(&clerk), &by(&far_premium)).await["paymentsByPremiums"]["totalCount"], 0);
        assert_eq!(app.ok(Some(&admin), &by(&far_premium)).await["paymentsByPremiums"]["totalCount"], 1);
        assert_eq!(app.ok(Some(&clerk), &by(&near_premium)).await["paymentsByPremiums"]["totalCount"], 1);
    })
    .await;
}

#[tokio::test]
async fn renewals_by_matching_are_checked_before_anything_is_written() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let v2 = village(&app, "D0002", 0).await;
        let d2_loc = location_uuid(&app, "D0002").await;
        // RNWX converts into RNWC, sold in D0002 only; RNWY into RNWD, no longer sold.
        let in_d2 = product(
            &app,
            &admin,
            "RNWC",
            "5000",
            json!({ "locationUuid": d2_loc }),
        )
        .await;
        let ended = product(
            &app,
            &admin,
            "RNWD",
            "5000",
            json!({ "dateTo": ds(today.pred_opt().expect("yesterday")) }),
        )
        .await;
        let plain = product(&app, &admin, "RNWP", "5000", json!({})).await;
        let to_d2 = product(
            &app,
            &admin,
            "RNWX",
            "5000",
            json!({ "conversionProductUuid": product_uuid_of(&app, in_d2).await }),
        )
        .await;
        let to_ended = product(
            &app,
            &admin,
            "RNWY",
            "5000",
            json!({ "conversionProductUuid": product_uuid_of(&app, ended).await }),
        )
        .await;
        let policies_of = |family: i64| {
            let app = &app;
            async move { current_policies_of_family(app, family).await }
        };
        // Active policies (option 1: the full contribution activates).
        let mut active = vec![];
        for (village, chf, prod) in [
            (v1, "894000001", plain),
            (v1, "894000002", plain),
            (v1, "894000003", to_ended),
            (v2, "894000004", to_d2),
        ] {
            let f = family(&app, &admin, village, chf).await;
            let pol = new_policy(&app, &admin, f, prod).await;
            let (premium, _) = pay(
                &app,
                &admin,
                premium_input(&pol, "5000", &format!("RNW-{chf}"), today),
            )
            .await;
            assert_eq!(policy(&app, &pol).await["status"], 2);
            active.push((f, pol, premium));
        }

        // A payment that brings nothing renews nothing.
        let zero = received(
            &app,
            &admin,
            "0",
            None,
            "RNW-ZERO",
            &[("894000001", "RNWP")],
        )
        .await;
        let o = &match_payments(&app, &admin, &[&zero]).await[0];
        assert_eq!(o["matched"], true, "{o}");
        assert_eq!(o["renewalPolicyUuids"], json!([]));
        assert_eq!(o["premiumUuids"], json!([]));
        assert_eq!(policies_of(active[0].0).await, 1);
        let line = &payment_state(&app, &admin, &zero).await["paymentDetails"]["edges"][0]["node"];
        assert_eq!(amount(&line["amount"]), dec("0"));
        assert_eq!(line["premium"]["uuid"], active[0].2.as_str());

        // The renewal keeps the policy's officer, who must still be an officer (107).
        let not_officer = user_id(&app, "Admin").await;
        set_policy_officer(&app, &active[1].1, not_officer).await;
        let p107 = received(
            &app,
            &admin,
            "5000",
            None,
            "RNW-107",
            &[("894000002", "RNWP")],
        )
        .await;
        // The product it converts into must be sellable to the family today (106: RNWD ended).
        let p106 = received(
            &app,
            &admin,
            "5000",
            None,
            "RNW-106",
            &[("894000003", "RNWY")],
        )
        .await;
        // The officer's locations must suit that product (108: RNWC is sold in D0002, where the
        // family lives, but eo_douala works in D0001).
        let p108 = received(
            &app,
            &admin,
            "5000",
            None,
            "RNW-108",
            &[("894000004", "RNWX")],
        )
        .await;
        let out = match_payments(&app, &admin, &[&p107, &p106, &p108]).await;
        for (o, code) in out.iter().zip([107, 106, 108]) {
            assert_eq!(o["matched"], false, "{o}");
            assert!(o["error"].is_null(), "a rejection, not an error: {o}");
            assert_eq!(codes(o), vec![vec![code]], "{o}");
            assert_eq!(o["renewalPolicyUuids"], json!([]));
        }
        for (f, _, _) in &active[1..] {
            assert_eq!(policies_of(*f).await, 1, "no renewal written");
        }
        assert_eq!(
            payment_state(&app, &admin, &p107).await["rejectedReason"],
            "894000002/RNWP: 107"
        );

        // With a current officer the same payment renews the policy.
        set_policy_officer(&app, &active[1].1, user_id(&app, "eo_douala").await).await;
        let o = &match_payments(&app, &admin, &[&p107]).await[0];
        assert_eq!(o["matched"], true, "{o}");
        let renewal = o["renewalPolicyUuids"][0]
            .as_str()
            .expect("renewal")
            .to_string();
        assert_eq!(o["activatedPolicyUuids"], json!([renewal]));
        assert_eq!(policy(&app, &renewal).await["stage"], "R");
        assert_eq!(policies_of(active[1].0).await, 2);
        db
    })
    .await;
}

/// The payloads of the outbox rows of `event`, in publication order (what after-commit
/// subscribers such as reporting or DHIS2 receive).
async fn outbox(app: &TestApp, event: &str) -> Vec<Value> {
    app.outbox_payloads(event).await
}

#[tokio::test]
async fn a_recorded_premium_and_the_activation_it_causes_publish_events() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let v1 = village(&app, "D0001", 0).await;
        let p = product(&app, &admin, "EVT01", "10000", json!({})).await;
        let f = family(&app, &admin, v1, "850000001").await;
        let pol = new_policy(&app, &admin, f, p).await;
        let policy_id = policy_id(&app, &pol).await;
        let of_policy = |events: Vec<Value>| -> Vec<Value> {
            events
                .into_iter()
                .filter(|e| e["policyId"] == json!(policy_id))
                .collect()
        };

        // A partial contribution: recorded, no activation.
        let (first, _) = pay(&app, &admin, premium_input(&pol, "4000", "EVT-A", today)).await;
        let recorded = of_policy(outbox(&app, imis_payment::api::EVENT_PREMIUM_RECORDED).await);
        assert_eq!(recorded.len(), 1, "{recorded:?}");
        let typed: imis_payment::api::PremiumRecorded =
            serde_json::from_value(recorded[0].clone()).expect("typed payload");
        assert_eq!(typed.premium_uuid.to_string(), first);
        assert_eq!(typed.amount, dec("4000"));
        assert_eq!(typed.receipt, "EVT-A");
        assert_eq!(typed.pay_date, today);
        assert!(!typed.is_photo_fee);
        assert!(of_policy(outbox(&app, imis_policy::api::EVENT_POLICY_ACTIVATED).await).is_empty());

        // The completing contribution activates the policy (option 1): both events.
        pay(&app, &admin, premium_input(&pol, "6000", "EVT-B", today)).await;
        assert_eq!(
            of_policy(outbox(&app, imis_payment::api::EVENT_PREMIUM_RECORDED).await).len(),
            2
        );
        let activated = of_policy(outbox(&app, imis_policy::api::EVENT_POLICY_ACTIVATED).await);
        assert_eq!(activated.len(), 1, "{activated:?}");
        let typed: imis_policy::api::PolicyStatusChanged =
            serde_json::from_value(activated[0].clone()).expect("typed payload");
        assert_eq!(typed.policy_uuid.to_string(), pol);
        assert_eq!(typed.status_before, Some(1));
        assert_eq!(typed.status, 2);
        assert_eq!(typed.effective_date, Some(today));
        assert_eq!(policy(&app, &pol).await["status"], 2);
    })
    .await;
}
