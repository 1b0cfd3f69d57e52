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
use imis_tests::fixtures::mutations::{ADD_FUNDING, CREATE_PAYMENT, UPDATE_PRODUCT};
use imis_tests::fixtures::{
    create_family as family, create_payer, create_policy_today as policy,
    create_product as product, first_village as village, location_uuid, new_uuid,
    principal_with_rights, product_input, single_node as node, user_with_role_in_districts,
};
use imis_tests::{TestApp, TestDb, on_each_app, on_each_db, one_i64, one_uuid};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

async fn ok(app: &TestApp, who: &Principal, q: &str, vars: Value) -> Value {
    app.ok_vars(Some(who), q, vars).await
}

/// A new national product `product_code` and a policy of it, enrolled today by the officer of
/// Douala, for a new family of `district` headed by `chf`; returns the policy's uuid.
async fn national_policy(
    app: &TestApp,
    admin: &Principal,
    product_code: &str,
    district: &str,
    chf: &str,
) -> String {
    let (national, _) = product(app, admin, product_code, json!({})).await;
    let fam = family(app, admin, village(app, district).await, chf).await;
    policy(app, admin, fam, national, "eo_douala").await
}

/// Pays the policy's lump sum (which activates it); returns the premium's uuid.
async fn pay(
    app: &TestApp,
    admin: &Principal,
    policy: &str,
    receipt: &str,
    payer: Option<&str>,
) -> String {
    imis_tests::fixtures::create_premium_today(app, admin, policy, "10000", receipt, payer).await
}

/// The clerk (an interactive user of district D0001) with exactly these rights.
async fn clerk(app: &TestApp, rights: &[i32]) -> Principal {
    principal_with_rights(app, "clerk", rights).await
}

// ---------------------------------------------------------------------------------------------
// Policies

#[tokio::test]
async fn a_policy_shows_only_the_product_officer_and_insurees_the_caller_may_see() {
    on_each_app(|app: TestApp| async move {
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
    })
    .await;
}

#[tokio::test]
async fn an_officers_reminder_hides_a_policy_and_insuree_outside_their_villages() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        // A family of Edéa enrolled by the officer of Douala: the reminder goes to that officer.
        let pol = national_policy(&app, &admin, "NSRENEW", "D0002", "872000001").await;
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
    on_each_app(|app: TestApp| async move {
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
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Contributions, payers, fundings and payments

#[tokio::test]
async fn a_contribution_hides_a_payer_outside_the_callers_locations() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let pol = national_policy(&app, &admin, "NSPAYER", "D0001", "873000001").await;
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
    })
    .await;
}

/// A user with the Scheme Administrator role (payer rights) restricted to district D0001.
async fn district_scheme_admin(app: &TestApp) -> Principal {
    user_with_role_in_districts(
        app,
        "nsfund",
        "nsfundpass",
        ("Payeur", "District"),
        32,
        &["D0001"],
    )
    .await
}

#[tokio::test]
async fn a_funding_hides_a_product_outside_the_callers_locations() {
    on_each_app(|app: TestApp| async move {
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
    })
    .await;
}
