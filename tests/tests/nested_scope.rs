//! Nested fields apply the location scope of the lists (D9): a restricted caller never sees,
//! through a field of an object in their scope, an object the corresponding root list would not
//! show them. Each case puts an object of district D0001 (Douala, the clerk's) next to one of
//! D0002 (Edéa), created by the administrator, and checks that the nested object is null for the
//! restricted caller and shown to the administrator.
//!
//! Cases: a policy's product, officer and covered insurees; a contribution's payer (also reached
//! through a payment line); a funding's product (through `fundings`, `funding` and a payer's
//! `fundings`); a product's conversion product; a renewal reminder's policy and insuree for an
//! enrolment officer. The medical module has no such case: items and services are national,
//! and a price list's details and location belong to a list already in scope.

use imis_core::auth::Principal;
use imis_tests::{TestApp, TestDb, on_each_db, one_i64, one_uuid};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const CREATE_PRODUCT: &str =
    "mutation($i: CreateProductMutationInput!) { createProduct(input: $i) { internalId } }";
const UPDATE_PRODUCT: &str =
    "mutation($i: UpdateProductMutationInput!) { updateProduct(input: $i) { internalId } }";
const CREATE_POLICY: &str =
    "mutation($i: CreatePolicyMutationInput!) { createPolicy(input: $i) { internalId } }";
const CREATE_PREMIUM: &str =
    "mutation($i: CreatePremiumMutationInput!) { createPremium(input: $i) { internalId } }";
const CREATE_PAYER: &str =
    "mutation($i: CreatePayerMutationInput!) { createPayer(input: $i) { internalId } }";
const ADD_FUNDING: &str =
    "mutation($i: AddFundingMutationInput!) { addFunding(input: $i) { internalId } }";
const CREATE_PAYMENT: &str =
    "mutation($i: CreatePaymentMutationInput!) { createPayment(input: $i) { internalId } }";

// ---------------------------------------------------------------------------------------------
// Helpers

async fn ok(app: &TestApp, who: &Principal, q: &str, vars: Value) -> Value {
    let r = app.exec_vars(Some(who), q, vars.clone()).await;
    assert!(
        r.errors.is_empty(),
        "unexpected errors for {q} {vars}: {:?}",
        r.errors
    );
    r.data.into_json().expect("json")
}

fn new_uuid() -> String {
    uuid::Uuid::now_v7().to_string()
}

async fn location_uuid(app: &TestApp, code: &str) -> String {
    one_uuid(
        app,
        "SELECT uuid FROM core_location WHERE code = ? AND validity_to IS NULL",
        vec![code.into()],
    )
    .await
}

/// The first village of a district.
async fn village(app: &TestApp, district: &str) -> i64 {
    one_i64(
        app,
        "SELECT v.id FROM core_location v JOIN core_location w ON w.id = v.parent_id \
         JOIN core_location dd ON dd.id = w.parent_id \
         WHERE dd.code = ? AND v.type = 'V' AND v.validity_to IS NULL ORDER BY v.id LIMIT 1",
        vec![district.into()],
    )
    .await
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    one_i64(
        app,
        "SELECT id FROM core_user WHERE username = ? AND validity_to IS NULL",
        vec![username.into()],
    )
    .await
}

/// The product's input: sold 2020–2035, 12 months, lump sum 10000; `extra` is added.
fn product_input(code: &str, extra: Value) -> Value {
    let mut i = json!({
        "code": code,
        "name": format!("Produit {code}"),
        "dateFrom": "2020-01-01",
        "dateTo": "2035-12-31",
        "insurancePeriod": 12,
        "lumpSum": "10000",
        "maxMembers": 8,
    });
    for (k, v) in extra.as_object().expect("object") {
        i[k] = v.clone();
    }
    i
}

/// Creates a product and returns (id, uuid).
async fn product(app: &TestApp, admin: &Principal, code: &str, extra: Value) -> (i64, String) {
    ok(
        app,
        admin,
        CREATE_PRODUCT,
        json!({ "i": product_input(code, extra) }),
    )
    .await;
    let id = one_i64(
        app,
        "SELECT id FROM product_product WHERE code = ? AND validity_to IS NULL",
        vec![code.into()],
    )
    .await;
    let uuid = one_uuid(
        app,
        "SELECT uuid FROM product_product WHERE id = ?",
        vec![id.into()],
    )
    .await;
    (id, uuid)
}

/// A family in `village` whose head has the insurance number `chf`; returns its id.
async fn family(app: &TestApp, who: &Principal, village: i64, chf: &str) -> i64 {
    ok(
        app,
        who,
        &format!(
            r#"mutation {{ createFamily(input: {{ locationId: {village}, familyTypeId: "H", poverty: false,
                headInsuree: {{ chfId: "{chf}", lastName: "Famille{chf}", otherNames: "Chef", genderId: "M", dob: "1980-03-01", marital: "M" }} }}) {{ internalId }} }}"#
        ),
        json!({}),
    )
    .await;
    one_i64(
        app,
        "SELECT f.id FROM insuree_family f JOIN insuree_insuree i ON i.id = f.head_insuree_id \
         WHERE i.chf_id = ? AND f.validity_to IS NULL AND i.validity_to IS NULL",
        vec![chf.into()],
    )
    .await
}

/// `createPolicy` enrolled today by `officer`; returns the policy's uuid.
async fn policy(
    app: &TestApp,
    admin: &Principal,
    family: i64,
    product: i64,
    officer: &str,
) -> String {
    let uuid = new_uuid();
    let officer = user_id(app, officer).await;
    ok(
        app,
        admin,
        CREATE_POLICY,
        json!({ "i": { "uuid": uuid, "familyId": family, "productId": product, "officerId": officer,
            "enrollDate": app.state.clock.today().format("%Y-%m-%d").to_string() } }),
    )
    .await;
    uuid
}

/// Pays the policy's lump sum (which activates it); returns the premium's uuid.
async fn pay(
    app: &TestApp,
    admin: &Principal,
    policy: &str,
    receipt: &str,
    payer: Option<&str>,
) -> String {
    let uuid = new_uuid();
    let mut i = json!({ "uuid": uuid, "policyUuid": policy, "amount": "10000", "receipt": receipt,
        "payDate": app.state.clock.today().format("%Y-%m-%d").to_string(), "payType": "C" });
    if let Some(p) = payer {
        i["payerUuid"] = json!(p);
    }
    ok(app, admin, CREATE_PREMIUM, json!({ "i": i })).await;
    uuid
}

async fn create_payer(app: &TestApp, admin: &Principal, name: &str, place: &str) -> (i64, String) {
    let loc = location_uuid(app, place).await;
    ok(
        app,
        admin,
        CREATE_PAYER,
        json!({ "i": { "name": name, "type": "G", "locationUuid": loc } }),
    )
    .await;
    let id = one_i64(
        app,
        "SELECT id FROM payment_payer WHERE name = ? AND validity_to IS NULL",
        vec![name.into()],
    )
    .await;
    let uuid = one_uuid(
        app,
        "SELECT uuid FROM payment_payer WHERE id = ?",
        vec![id.into()],
    )
    .await;
    (id, uuid)
}

/// The clerk (an interactive user of district D0001) with exactly these rights.
async fn clerk(app: &TestApp, rights: &[i32]) -> Principal {
    let mut p = app.principal("clerk").await;
    p.rights = rights.iter().copied().collect();
    p
}

fn node(v: &Value, list: &str) -> Value {
    let edges = v[list]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 1, "{v}");
    edges[0]["node"].clone()
}

// ---------------------------------------------------------------------------------------------
// Policies

#[tokio::test]
async fn a_policy_shows_only_the_product_officer_and_insurees_the_caller_may_see() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let v2 = village(&app, "D0002").await;
        let d1 = location_uuid(&app, "D0001").await;
        let d2 = location_uuid(&app, "D0002").await;
        let (local, local_uuid) = product(&app, &admin, "NSLOCAL", json!({ "locationUuid": d1 })).await;
        let (national, _) = product(&app, &admin, "NSNAT", json!({})).await;
        // A family of Douala with a member living in Edéa.
        let fam = family(&app, &admin, v1, "871000001").await;
        ok(
            &app,
            &admin,
            &format!(
                r#"mutation {{ createInsuree(input: {{ familyId: {fam}, chfId: "871000002", lastName: "Membre", otherNames: "Loin",
                    genderId: "F", dob: "1990-01-01", relationshipId: 8, currentVillageId: {v2} }}) {{ internalId }} }}"#
            ),
            json!({}),
        )
        .await;
        // Enrolled by the officer of Edéa, with the local product; another by the officer of
        // Douala with the national product.
        let far_officer = policy(&app, &admin, fam, local, "eo_edea").await;
        let near_officer = policy(&app, &admin, fam, national, "eo_douala").await;
        // The product then moves to Edéa.
        ok(
            &app,
            &admin,
            UPDATE_PRODUCT,
            json!({ "i": product_input("NSLOCAL", json!({ "uuid": local_uuid, "locationUuid": d2 })) }),
        )
        .await;

        let q = |uuid: &str| {
            format!(
                r#"{{ policies(uuid: "{uuid}") {{ edges {{ node {{ uuid family {{ uuid }} product {{ code }} officer {{ code }}
                    insureePolicies {{ totalCount edges {{ node {{ insuree {{ chfId }} policy {{ uuid }} }} }} }} }} }} }} }}"#
            )
        };
        let chfs = |n: &Value| {
            let mut out: Vec<String> = n["insureePolicies"]["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["insuree"]["chfId"].as_str().unwrap_or("null").to_string())
                .collect();
            out.sort();
            out
        };
        let searcher = clerk(&app, &[101201]).await;
        let mine = node(&ok(&app, &searcher, &q(&far_officer), json!({})).await, "policies");
        assert!(!mine["family"].is_null(), "{mine}");
        assert!(mine["product"].is_null(), "a product of Edéa: {mine}");
        assert!(mine["officer"].is_null(), "the officer of Edéa: {mine}");
        assert_eq!(mine["insureePolicies"]["totalCount"], 2, "{mine}");
        assert_eq!(chfs(&mine), vec!["871000001", "null"], "{mine}");
        assert_eq!(mine["insureePolicies"]["edges"][0]["node"]["policy"]["uuid"], far_officer.as_str());
        let all = node(&ok(&app, &admin, &q(&far_officer), json!({})).await, "policies");
        assert_eq!(all["product"]["code"], "NSLOCAL");
        assert_eq!(all["officer"]["code"], "eo_edea");
        assert_eq!(chfs(&all), vec!["871000001", "871000002"]);
        // What lies in the clerk's district stays visible.
        let near = node(&ok(&app, &searcher, &q(&near_officer), json!({})).await, "policies");
        assert_eq!(near["product"]["code"], "NSNAT");
        assert_eq!(near["officer"]["code"], "eo_douala");

        // The same policy reached through node(id:) and through a contribution.
        let id = imis_core::graphql::global_id("PolicyGQLType", one_i64(&app, "SELECT id FROM policy_policy WHERE uuid = ?", vec![uuid::Uuid::parse_str(&far_officer).unwrap().into()]).await).0;
        let by_node = ok(&app, &searcher, &format!(r#"{{ node(id: "{id}") {{ ... on PolicyGQLType {{ product {{ code }} officer {{ code }} }} }} }}"#), json!({})).await;
        assert!(by_node["node"]["product"].is_null() && by_node["node"]["officer"].is_null(), "{by_node}");
        pay(&app, &admin, &far_officer, "NS-POL-1", None).await;
        let premiums = format!(r#"{{ premiums(policy_Uuid: "{far_officer}") {{ edges {{ node {{ policy {{ product {{ code }} officer {{ code }} }} }} }} }} }}"#);
        let via = node(&ok(&app, &clerk(&app, &[101301]).await, &premiums, json!({})).await, "premiums");
        assert!(via["policy"]["product"].is_null() && via["policy"]["officer"].is_null(), "{via}");
        let via = node(&ok(&app, &admin, &premiums, json!({})).await, "premiums");
        assert_eq!(via["policy"]["product"]["code"], "NSLOCAL");
        db
    })
    .await;
}

#[tokio::test]
async fn an_officers_reminder_hides_a_policy_and_insuree_outside_their_villages() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let v2 = village(&app, "D0002").await;
        let (national, _) = product(&app, &admin, "NSRENEW", json!({})).await;
        // A family of Edéa enrolled by the officer of Douala: the reminder goes to that officer.
        let fam = family(&app, &admin, v2, "872000001").await;
        let pol = policy(&app, &admin, fam, national, "eo_douala").await;
        pay(&app, &admin, &pol, "NS-REN-1", None).await;
        let later = app.state.clock.today() + chrono::Duration::days(400);
        imis_policy::jobs::insert_renewal_reminders(&app.state, later)
            .await
            .expect("reminders");
        // Only this policy's reminder stays current (the demo policies have theirs too).
        let pid = one_i64(
            &app,
            "SELECT id FROM policy_policy WHERE uuid = ?",
            vec![uuid::Uuid::parse_str(&pol).expect("uuid").into()],
        )
        .await;
        app.state
            .db
            .conn
            .execute_raw(imis_core::db::stmt(
                app.state.db.backend(),
                "UPDATE policy_renewal SET validity_to = ? WHERE policy_id <> ?",
                vec![app.state.clock.now().into(), pid.into()],
            ))
            .await
            .expect("close");
        let q = r#"{ policyRenewals { edges { node { policy { uuid } insuree { chfId } newOfficer { code } newProduct { code } } } } }"#;
        let mut officer = app.principal("eo_douala").await;
        officer.rights = [101205].into_iter().collect();
        let mine = node(&ok(&app, &officer, q, json!({})).await, "policyRenewals");
        assert!(mine["policy"].is_null(), "a policy of Edéa: {mine}");
        assert!(mine["insuree"].is_null(), "an insuree of Edéa: {mine}");
        assert_eq!(mine["newOfficer"]["code"], "eo_douala", "themselves");
        assert_eq!(mine["newProduct"]["code"], "NSRENEW", "a national product");
        let all = node(&ok(&app, &admin, q, json!({})).await, "policyRenewals");
        assert_eq!(all["policy"]["uuid"], pol.as_str());
        assert_eq!(all["insuree"]["chfId"], "872000001");
        db
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Products

#[tokio::test]
async fn a_conversion_product_outside_the_callers_locations_is_null() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let d1 = location_uuid(&app, "D0001").await;
        let d2 = location_uuid(&app, "D0002").await;
        let (_, far) = product(&app, &admin, "NSCONVF", json!({ "locationUuid": d2 })).await;
        let (_, near) = product(&app, &admin, "NSCONVN", json!({ "locationUuid": d1 })).await;
        product(&app, &admin, "NSFROMF", json!({ "conversionProductUuid": far })).await;
        product(&app, &admin, "NSFROMN", json!({ "conversionProductUuid": near })).await;
        let q = |code: &str| format!(r#"{{ products(code: "{code}") {{ edges {{ node {{ code conversionProduct {{ code }} }} }} }} }}"#);
        let reader = clerk(&app, &[121001]).await;
        let mine = node(&ok(&app, &reader, &q("NSFROMF"), json!({})).await, "products");
        assert!(mine["conversionProduct"].is_null(), "{mine}");
        let all = node(&ok(&app, &admin, &q("NSFROMF"), json!({})).await, "products");
        assert_eq!(all["conversionProduct"]["code"], "NSCONVF");
        let near = node(&ok(&app, &reader, &q("NSFROMN"), json!({})).await, "products");
        assert_eq!(near["conversionProduct"]["code"], "NSCONVN");
        // `product(uuid:)` preloads the conversion the same way.
        let uuid = one_uuid(&app, "SELECT uuid FROM product_product WHERE code = 'NSFROMF' AND validity_to IS NULL", vec![]).await;
        let one = ok(&app, &reader, &format!(r#"{{ product(uuid: "{uuid}") {{ conversionProduct {{ code }} }} }}"#), json!({})).await;
        assert!(one["product"]["conversionProduct"].is_null(), "{one}");
        db
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Contributions, payers, fundings and payments

#[tokio::test]
async fn a_contribution_hides_a_payer_outside_the_callers_locations() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let (national, _) = product(&app, &admin, "NSPAYER", json!({})).await;
        let fam = family(&app, &admin, v1, "873000001").await;
        let pol = policy(&app, &admin, fam, national, "eo_douala").await;
        let (_, far) = create_payer(&app, &admin, "Commune d'Edéa", "D0002").await;
        let (_, above) = create_payer(&app, &admin, "Région du Littoral", "R0001").await;
        let far_premium = pay(&app, &admin, &pol, "NS-PAY-1", Some(&far)).await;
        pay(&app, &admin, &pol, "NS-PAY-2", Some(&above)).await;
        let q = format!(r#"{{ premiums(policy_Uuid: "{pol}", orderBy: ["receipt"]) {{ edges {{ node {{ receipt payer {{ name }} }} }} }} }}"#);
        let payers = |v: &Value| -> Vec<Value> {
            v["premiums"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["payer"]["name"].clone()).collect()
        };
        let clerk_premiums = clerk(&app, &[101301]).await;
        assert_eq!(payers(&ok(&app, &clerk_premiums, &q, json!({})).await), vec![Value::Null, json!("Région du Littoral")]);
        assert_eq!(payers(&ok(&app, &admin, &q, json!({})).await), vec![json!("Commune d'Edéa"), json!("Région du Littoral")]);
        // node(id:) of the contribution.
        let id = imis_core::graphql::global_id("PremiumGQLType", one_i64(&app, "SELECT id FROM payment_premium WHERE receipt = 'NS-PAY-1'", vec![]).await).0;
        let n = ok(&app, &clerk_premiums, &format!(r#"{{ node(id: "{id}") {{ ... on PremiumGQLType {{ receipt payer {{ name }} }} }} }}"#), json!({})).await;
        assert_eq!(n["node"]["receipt"], "NS-PAY-1");
        assert!(n["node"]["payer"].is_null(), "{n}");
        // Through a payment line.
        let payment = new_uuid();
        ok(&app, &admin, CREATE_PAYMENT, json!({ "i": { "uuid": payment, "receivedAmount": "10000", "status": 1, "premiumUuid": far_premium } })).await;
        let lines = format!(r#"{{ paymentDetails(payment_Uuid: "{payment}") {{ edges {{ node {{ premium {{ receipt payer {{ name }} }} }} }} }} }}"#);
        let line = node(&ok(&app, &clerk(&app, &[101401]).await, &lines, json!({})).await, "paymentDetails");
        assert_eq!(line["premium"]["receipt"], "NS-PAY-1");
        assert!(line["premium"]["payer"].is_null(), "{line}");
        let line = node(&ok(&app, &admin, &lines, json!({})).await, "paymentDetails");
        assert_eq!(line["premium"]["payer"]["name"], "Commune d'Edéa");
        db
    })
    .await;
}

/// A user with the Scheme Administrator role (payer rights) restricted to district D0001.
async fn district_scheme_admin(app: &TestApp) -> Principal {
    let d1 = one_i64(
        app,
        "SELECT id FROM core_location WHERE code = 'D0001' AND validity_to IS NULL",
        vec![],
    )
    .await;
    let role = imis_core::users::service::system_role(&app.state.db.conn, 32)
        .await
        .expect("role");
    imis_core::users::service::insert_user_unchecked(
        &app.state.db.conn,
        "nsfund",
        "nsfundpass",
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
    app.principal("nsfund").await
}

#[tokio::test]
async fn a_funding_hides_a_product_outside_the_callers_locations() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let d1 = location_uuid(&app, "D0001").await;
        let d2 = location_uuid(&app, "D0002").await;
        // The region funds a product of each district; the district user sees the region's payer.
        let (far, _) = product(&app, &admin, "NSFUNDF", json!({ "locationUuid": d2 })).await;
        let (near, _) = product(&app, &admin, "NSFUNDN", json!({ "locationUuid": d1 })).await;
        let (payer, payer_uuid) = create_payer(&app, &admin, "Région du Littoral", "R0001").await;
        let today = app.state.clock.today().format("%Y-%m-%d").to_string();
        for (product, receipt) in [(far, "NS-F-FAR"), (near, "NS-F-NEAR")] {
            ok(
                &app,
                &admin,
                ADD_FUNDING,
                json!({ "i": { "payerId": payer.to_string(), "productId": product.to_string(), "payDate": today, "amount": "1000", "receipt": receipt } }),
            )
            .await;
        }
        let local = district_scheme_admin(&app).await;
        let products = |v: &Value, path: &[&str]| -> Vec<(String, Value)> {
            let mut c = v;
            for p in path {
                c = &c[*p];
            }
            let mut out: Vec<(String, Value)> = c["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| (e["node"]["receipt"].as_str().expect("receipt").to_string(), e["node"]["product"]["code"].clone()))
                .collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out
        };
        let list = format!(r#"{{ fundings(payerId: "{payer}") {{ edges {{ node {{ receipt product {{ code }} payer {{ name }} }} }} }} }}"#);
        assert_eq!(
            products(&ok(&app, &local, &list, json!({})).await, &["fundings"]),
            vec![("NS-F-FAR".to_string(), Value::Null), ("NS-F-NEAR".to_string(), json!("NSFUNDN"))]
        );
        assert_eq!(
            products(&ok(&app, &admin, &list, json!({})).await, &["fundings"]),
            vec![("NS-F-FAR".to_string(), json!("NSFUNDF")), ("NS-F-NEAR".to_string(), json!("NSFUNDN"))]
        );
        let nested = format!(r#"{{ payer(uuid: "{payer_uuid}") {{ fundings {{ edges {{ node {{ receipt product {{ code }} }} }} }} }} }}"#);
        assert_eq!(
            products(&ok(&app, &local, &nested, json!({})).await, &["payer", "fundings"]),
            vec![("NS-F-FAR".to_string(), Value::Null), ("NS-F-NEAR".to_string(), json!("NSFUNDN"))]
        );
        assert_eq!(
            products(&ok(&app, &admin, &nested, json!({})).await, &["payer", "fundings"])[0].1,
            json!("NSFUNDF")
        );
        let far_funding = one_uuid(&app, "SELECT uuid FROM payment_funding WHERE receipt = 'NS-F-FAR'", vec![]).await;
        let one = format!(r#"{{ funding(uuid: "{far_funding}") {{ receipt product {{ code }} payer {{ name }} }} }}"#);
        let v = ok(&app, &local, &one, json!({})).await;
        assert_eq!(v["funding"]["payer"]["name"], "Région du Littoral");
        assert!(v["funding"]["product"].is_null(), "{v}");
        assert_eq!(ok(&app, &admin, &one, json!({})).await["funding"]["product"]["code"], "NSFUNDF");
        db
    })
    .await;
}
