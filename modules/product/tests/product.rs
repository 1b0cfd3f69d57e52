//! The product module: create, update, duplicate and delete with their refusals, the policy
//! form's `products(location:, dateFrom_Lte:, dateTo_Gte:)`, location scope, history, idempotent
//! creates, the demo products and the public service functions of the policy module.

// The composed GraphQL schema of the harness is deeper than rustc's default query depth.
#![recursion_limit = "256"]

use imis_core::auth::Principal;
use imis_tests::fixtures::{
    Medical, location_id, location_uuid, medical_uuids, product_id, user_with_role_in_districts,
};
use imis_tests::{TestApp, TestDb, on_each_app, on_each_db, one_uuid};
use serde_json::{Value, json};

const CREATE: &str = "mutation($i: CreateProductMutationInput!) { createProduct(input: $i) { clientMutationId internalId } }";
const UPDATE: &str = "mutation($i: UpdateProductMutationInput!) { updateProduct(input: $i) { clientMutationId internalId } }";
const DUPLICATE: &str = "mutation($i: DuplicateProductMutationInput!) { duplicateProduct(input: $i) { clientMutationId internalId } }";
const DELETE: &str = "mutation($i: DeleteProductMutationInput!) { deleteProduct(input: $i) { clientMutationId internalId } }";

async fn ok(app: &TestApp, who: Option<&Principal>, q: &str, vars: Value) -> Value {
    app.ok_vars(who, q, vars).await
}

async fn err(app: &TestApp, who: Option<&Principal>, q: &str, vars: Value) -> String {
    app.err_code_vars(who, q, vars).await
}

/// The id and uuid of the current location with this code.
async fn location(app: &TestApp, code: &str) -> (i64, String) {
    (location_id(app, code).await, location_uuid(app, code).await)
}

/// Uuids of the current items or services, by code; the tests need at least three.
async fn medical(app: &TestApp, kind: Medical) -> Vec<String> {
    let out = medical_uuids(app, kind).await;
    assert!(
        out.len() >= 3,
        "the medical demo data has fewer than 3 rows of {kind:?}"
    );
    out
}

use sea_orm::ConnectionTrait;

/// A minimal valid product input.
fn input(code: &str) -> Value {
    json!({
        "code": code,
        "name": format!("Produit {code}"),
        "dateFrom": "2026-01-01",
        "dateTo": "2027-12-31",
        "insurancePeriod": 12,
        "maxMembers": 6,
    })
}

fn with(mut v: Value, extra: Value) -> Value {
    for (k, x) in extra.as_object().expect("object") {
        v[k] = x.clone();
    }
    v
}

async fn create(app: &TestApp, who: &Principal, i: Value) -> Value {
    ok(app, Some(who), CREATE, json!({ "i": i })).await
}

async fn product_uuid(app: &TestApp, code: &str) -> String {
    let sql = "SELECT uuid FROM product_product WHERE code = ? AND validity_to IS NULL";
    one_uuid(app, sql, vec![code.into()]).await
}

/// A restricted user holding the product rights (Scheme Administrator) in district D0001 only.
async fn district_product_user(app: &TestApp) -> Principal {
    let names = ("Produit", "Douala");
    user_with_role_in_districts(app, "prodd1", "prodd1pass", names, 32, &["D0001"]).await
}

const DETAIL: &str = r#"query($u: String) { product(uuid: $u) {
    id uuid code name location { code } dateFrom dateTo insurancePeriod maxMembers lumpSum premiumAdult
    premiumChild registrationFee generalAssemblyLumpSum startCycle1 startCycle2 gracePeriodEnrolment
    ceilingType ceilingInterpretation deductible deductibleIp deductibleOp ceiling ceilingIp ceilingOp
    shareContribution ageMinimal ageMaximal conversionProduct { code }
    relativePrices { careType periods }
    items { totalCount edges { node { id priceOrigin limitationType limitationTypeR limitAdult limitChild limitAdultR
        waitingPeriodAdult limitNoChild ceilingExclusionAdult product { code } } } }
    services(first: 1) { totalCount edgeCount pageInfo { hasNextPage } edges { node { limitationType limitAdult limitChild } } }
} }"#;

#[tokio::test]
async fn create_update_duplicate_delete_with_history() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let items = medical(&app, Medical::Item).await;
        let services = medical(&app, Medical::Service).await;
        let (_, d1) = location(&app, "D0001").await;

        create(&app, &admin, with(input("CONV1"), json!({}))).await;
        let conv = product_uuid(&app, "CONV1").await;
        let full = with(
            input("TST01"),
            json!({
                "locationUuid": d1,
                "conversionProductUuid": conv,
                "lumpSum": "10000.50",
                "premiumAdult": "2500",
                "premiumChild": "1200.25",
                "registrationFee": "500",
                "generalAssemblyLumpSum": "1000",
                "startCycle1": "1-1",
                "startCycle2": "01-07",
                "gracePeriodEnrolment": 1,
                "ceilingType": "POLICY",
                "ceilingInterpretation": "CLAIM_TYPE",
                "deductible": "100",
                "ceilingIp": "900000",
                "ceilingOp": "300000",
                "shareContribution": "12.5",
                "ageMinimal": 0,
                "ageMaximal": 65,
                "relativePrices": [{"careType": "IN_PATIENT", "periods": ["25", "25", "25", "25"]},
                                   {"careType": "OUT_PATIENT", "periods": ["100"]}],
                "items": [
                    {"itemUuid": items[0], "limitAdult": "80", "limitChild": "90.5", "limitationTypeR": "FIXED_AMOUNT",
                     "limitAdultR": "1500.75", "waitingPeriodAdult": 3, "limitNoChild": 2, "ceilingExclusionAdult": "HOSPITAL"},
                    {"itemUuid": items[1], "priceOrigin": "PROVIDER", "limitationType": "FIXED_AMOUNT", "limitAdult": "2000", "limitChild": "1000"}
                ],
                "services": [
                    {"serviceUuid": services[0], "limitAdult": "100", "limitChild": "100"},
                    {"serviceUuid": services[1], "limitAdult": "50", "limitChild": "50"}
                ],
            }),
        );
        let d = create(&app, &admin, full.clone()).await;
        assert!(d["createProduct"]["internalId"].is_string());
        let uuid = product_uuid(&app, "TST01").await;
        let d = ok(&app, Some(&admin), DETAIL, json!({ "u": uuid })).await;
        let p = &d["product"];
        assert_eq!(p["code"], "TST01");
        assert_eq!(p["location"]["code"], "D0001");
        assert_eq!(p["dateFrom"], "2026-01-01T00:00:00.000000");
        assert_eq!(p["lumpSum"], "10000.50");
        assert_eq!(p["premiumChild"], "1200.25");
        assert_eq!(p["startCycle1"], "01-01");
        assert_eq!(p["startCycle2"], "01-07");
        assert_eq!(p["ceilingType"], "POLICY");
        assert_eq!(p["ceilingInterpretation"], "CLAIM_TYPE");
        // Stored by ceiling type, exactly as given (no IP/OP swap).
        assert_eq!(p["deductible"], "100.00");
        assert_eq!(p["deductibleIp"], Value::Null);
        assert_eq!(p["ceiling"], Value::Null);
        assert_eq!(p["ceilingIp"], "900000.00");
        assert_eq!(p["ceilingOp"], "300000.00");
        assert_eq!(p["shareContribution"], "12.50");
        assert_eq!(p["ageMaximal"], 65);
        assert_eq!(p["conversionProduct"]["code"], "CONV1");
        assert_eq!(p["relativePrices"].as_array().unwrap().len(), 2);
        assert_eq!(p["relativePrices"][0]["careType"], "IN_PATIENT");
        assert_eq!(p["relativePrices"][0]["periods"].as_array().unwrap().len(), 4);
        assert_eq!(p["items"]["totalCount"], 2);
        let i0 = &p["items"]["edges"][0]["node"];
        assert_eq!(i0["priceOrigin"], "PRICELIST");
        assert_eq!(i0["limitationType"], "CO_INSURANCE");
        assert_eq!(i0["limitAdult"], "80.00");
        assert_eq!(i0["limitChild"], "90.50");
        assert_eq!(i0["limitationTypeR"], "FIXED_AMOUNT");
        assert_eq!(i0["limitAdultR"], "1500.75");
        assert_eq!(i0["waitingPeriodAdult"], 3);
        assert_eq!(i0["limitNoChild"], 2);
        assert_eq!(i0["ceilingExclusionAdult"], "HOSPITAL");
        assert_eq!(i0["product"]["code"], "TST01");
        let i1 = &p["items"]["edges"][1]["node"];
        assert_eq!(i1["priceOrigin"], "PROVIDER");
        assert_eq!(i1["limitAdult"], "2000.00");
        assert_eq!(p["services"]["totalCount"], 2);
        assert_eq!(p["services"]["edgeCount"], 1);
        assert_eq!(p["services"]["pageInfo"]["hasNextPage"], true);
        let id = product_id(&app, "TST01").await;
        // Money is stored in minor units.
        assert_eq!(
            app.count("product_product", &format!("id = {id} AND lump_sum = 1000050 AND max_op_policy = 30000000 AND max_ip_policy = 90000000 AND ded_policy = 10000 AND ded_insuree IS NULL")).await,
            1
        );

        // Update: new name, items replaced, services and relative prices kept.
        let upd = with(
            full.clone(),
            json!({
                "uuid": uuid,
                "name": "Produit modifié",
                "items": [{"itemUuid": items[2], "limitAdult": "70", "limitChild": "70"}],
            }),
        );
        let mut upd = upd;
        upd.as_object_mut().unwrap().remove("services");
        upd.as_object_mut().unwrap().remove("relativePrices");
        ok(&app, Some(&admin), UPDATE, json!({ "i": upd })).await;
        assert_eq!(app.count("product_item", &format!("product_id = {id}")).await, 3);
        assert_eq!(
            app.count("product_item", &format!("product_id = {id} AND validity_to IS NULL")).await,
            1
        );
        assert_eq!(
            app.count("product_service", &format!("product_id = {id} AND validity_to IS NULL")).await,
            2
        );
        let d = ok(&app, Some(&admin), DETAIL, json!({ "u": uuid })).await;
        assert_eq!(d["product"]["name"], "Produit modifié");
        assert_eq!(d["product"]["items"]["totalCount"], 1);
        assert_eq!(d["product"]["relativePrices"].as_array().unwrap().len(), 2);
        assert_eq!(app.history_count("product", Some(id)).await, 1);

        // showHistory: the current product, then its previous version with its own lines.
        let h = ok(
            &app,
            Some(&admin),
            r#"{ products(code: "TST01", showHistory: true) { totalCount edges { node { id name legacyId validityTo items { totalCount } services { totalCount } } } } }"#,
            json!({}),
        )
        .await;
        let edges = h["products"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0]["node"]["name"], "Produit modifié");
        assert_eq!(edges[0]["node"]["legacyId"], Value::Null);
        assert_eq!(edges[0]["node"]["items"]["totalCount"], 1);
        assert_eq!(edges[1]["node"]["name"], "Produit TST01");
        assert_eq!(edges[1]["node"]["legacyId"], id);
        assert!(edges[1]["node"]["validityTo"].is_string());
        assert_eq!(edges[1]["node"]["items"]["totalCount"], 2);
        assert_eq!(edges[1]["node"]["services"]["totalCount"], 2);
        // The version is reachable by its history id.
        let hid = edges[1]["node"]["id"].as_str().unwrap().to_string();
        let v = ok(&app, Some(&admin), r#"query($id: ID) { product(id: $id) { name legacyId items { totalCount } } }"#, json!({ "id": hid })).await;
        assert_eq!(v["product"]["name"], "Produit TST01");
        assert_eq!(v["product"]["items"]["totalCount"], 2);

        // Duplicate: the payload's fields, the source's lines and relative prices.
        let dup = with(input("TST02"), json!({ "uuid": uuid, "locationUuid": d1 }));
        ok(&app, Some(&admin), DUPLICATE, json!({ "i": dup })).await;
        let dup_uuid = product_uuid(&app, "TST02").await;
        let d = ok(&app, Some(&admin), DETAIL, json!({ "u": dup_uuid })).await;
        assert_eq!(d["product"]["name"], "Produit TST02");
        assert_eq!(d["product"]["items"]["totalCount"], 1);
        assert_eq!(d["product"]["services"]["totalCount"], 2);
        assert_eq!(d["product"]["relativePrices"].as_array().unwrap().len(), 2);
        assert_eq!(d["product"]["lumpSum"], "0.00");
        // Duplicate refusals: unknown source, taken code.
        let code = err(&app, Some(&admin), DUPLICATE, json!({ "i": with(input("TST03"), json!({ "uuid": "00000000-0000-0000-0000-000000000009" })) })).await;
        assert_eq!(code, "not_found");
        let code = err(&app, Some(&admin), DUPLICATE, json!({ "i": with(input("TST01"), json!({ "uuid": uuid })) })).await;
        assert_eq!(code, "product.code_taken");

        // Delete: soft, lines closed; the code is free again; a deleted product cannot be updated.
        ok(&app, Some(&admin), DELETE, json!({ "i": { "uuids": [dup_uuid] } })).await;
        let l = ok(&app, Some(&admin), r#"{ products(code: "TST02") { totalCount } }"#, json!({})).await;
        assert_eq!(l["products"]["totalCount"], 0);
        assert_eq!(app.count("product_product", "code = 'TST02' AND validity_to IS NOT NULL").await, 1);
        let dup_id: i64 = {
            let row = app.state.db.conn.query_one_raw(imis_core::db::stmt(app.state.db.backend(), "SELECT id FROM product_product WHERE code = 'TST02'", vec![])).await.unwrap().unwrap();
            row.try_get("", "id").unwrap()
        };
        assert_eq!(app.count("product_item", &format!("product_id = {dup_id} AND validity_to IS NULL")).await, 0);
        let code = err(&app, Some(&admin), UPDATE, json!({ "i": with(input("TST02"), json!({ "uuid": dup_uuid })) })).await;
        assert_eq!(code, "product.historical_not_updatable");
        let code = err(&app, Some(&admin), DELETE, json!({ "i": { "uuids": [dup_uuid] } })).await;
        assert_eq!(code, "not_found");
        let code = err(&app, Some(&admin), UPDATE, json!({ "i": with(input("TST09"), json!({ "uuid": "00000000-0000-0000-0000-000000000009" })) })).await;
        assert_eq!(code, "not_found");
        let v = ok(&app, Some(&admin), r#"{ validateProductCode(productCode: "TST02") a: validateProductCode(productCode: "TST01") }"#, json!({})).await;
        assert_eq!(v["validateProductCode"], true);
        assert_eq!(v["a"], false);
        db
    })
    .await;
}

#[tokio::test]
async fn validations_refuse_bad_products() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let items = medical(&app, Medical::Item).await;
        let services = medical(&app, Medical::Service).await;
        let (_, village) = location(&app, "V0001").await;
        let (_, region) = location(&app, "R0001").await;
        create(&app, &admin, input("VAL01")).await;
        let existing = product_uuid(&app, "VAL01").await;
        let line = |u: &str, extra: Value| with(json!({ "itemUuid": u }), extra);
        let cases: Vec<(Value, &str)> = vec![
            (input("VAL01"), "product.code_taken"),
            (with(input("VAL02"), json!({ "dateFrom": "2027-01-01", "dateTo": "2026-12-31" })), "product.dates_invalid"),
            (with(input("VAL02"), json!({ "startCycle1": "29-02" })), "product.start_cycle_invalid"),
            (with(input("VAL02"), json!({ "startCycle2": "1/7" })), "product.start_cycle_invalid"),
            (with(input("VAL02"), json!({ "startCycle3": "31-04" })), "product.start_cycle_invalid"),
            (with(input("VAL02"), json!({ "ceilingType": "INSUREE", "deductible": "1", "deductibleIp": "2" })), "product.deductible_general_and_split"),
            (with(input("VAL02"), json!({ "ceilingType": "INSUREE", "ceiling": "1", "ceilingOp": "2" })), "product.ceiling_general_and_split"),
            (with(input("VAL02"), json!({ "ceiling": "1" })), "product.ceiling_type_required"),
            (with(input("VAL02"), json!({ "locationUuid": village })), "product.location_invalid"),
            (with(input("VAL02"), json!({ "locationUuid": "00000000-0000-0000-0000-000000000009" })), "product.location_invalid"),
            (with(input("VAL02"), json!({ "conversionProductUuid": "00000000-0000-0000-0000-000000000009" })), "product.conversion_product_invalid"),
            (with(input("VAL02"), json!({ "items": [line(&items[0], json!({ "limitAdult": "-1" }))] })), "product.limit_negative"),
            (with(input("VAL02"), json!({ "items": [line(&items[0], json!({ "limitationTypeE": "FIXED_AMOUNT", "limitChildE": "-5" }))] })), "product.limit_negative"),
            (with(input("VAL02"), json!({ "items": [line(&items[0], json!({ "limitChild": "100.01" }))] })), "product.co_insurance_above_100"),
            (with(input("VAL02"), json!({ "items": [line(&items[0], json!({ "limitationTypeR": "CO_INSURANCE", "limitAdultR": "150" }))] })), "product.co_insurance_above_100"),
            (with(input("VAL02"), json!({ "items": [line(&items[0], json!({})), line(&items[0], json!({}))] })), "product.item_duplicated"),
            (with(input("VAL02"), json!({ "services": [{ "serviceUuid": services[0] }, { "serviceUuid": services[0] }] })), "product.service_duplicated"),
            (with(input("VAL02"), json!({ "items": [line("00000000-0000-0000-0000-000000000009", json!({}))] })), "product.item_not_found"),
            (with(input("VAL02"), json!({ "services": [{ "serviceUuid": items[0] }] })), "product.service_not_found"),
            (with(input("VAL02"), json!({ "relativePrices": [{ "careType": "BOTH", "periods": ["50", "50", "0"] }] })), "product.relative_prices_periods"),
            (with(input("VAL02"), json!({ "relativePrices": [{ "careType": "BOTH", "periods": ["101"] }] })), "product.relative_prices_percent"),
            (with(input("VAL02"), json!({ "relativePrices": [{ "careType": "BOTH", "periods": ["100"] }, { "careType": "IN_PATIENT", "periods": ["100"] }] })), "product.relative_prices_care_type"),
            (with(input("VAL02"), json!({ "lumpSum": "1.005" })), "input.invalid"),
            (with(input("VAL02"), json!({ "premiumAdult": "-1" })), "input.invalid"),
            (with(input("VAL02"), json!({ "code": "TOOLONGCODE" })), "input.invalid"),
            (with(input("VAL02"), json!({ "insurancePeriod": 0 })), "input.invalid"),
        ];
        for (i, want) in cases {
            let got = err(&app, Some(&admin), CREATE, json!({ "i": i })).await;
            assert_eq!(got, want, "for {i}");
            assert!(imis_core::i18n::has_message(&got), "no message for {got}");
        }
        // Region-level and national products are fine; 28-02 is a valid cycle.
        create(&app, &admin, with(input("VAL03"), json!({ "locationUuid": region, "startCycle1": "28-2" }))).await;
        // A product cannot convert into itself.
        let code = err(&app, Some(&admin), UPDATE, json!({ "i": with(input("VAL01"), json!({ "uuid": existing, "conversionProductUuid": existing })) })).await;
        assert_eq!(code, "product.conversion_product_invalid");
        // Nothing of the refused creates was written.
        assert_eq!(app.count("product_product", "code = 'VAL02'").await, 0);
        // French messages.
        let mut fr = admin.clone();
        fr.language = "fr".into();
        let r = app.exec_vars(Some(&fr), CREATE, json!({ "i": input("VAL01") })).await;
        assert_eq!(r.errors[0].message, "Le code produit VAL01 est déjà utilisé.");
    })
    .await;
}

#[tokio::test]
async fn rights_and_location_scope() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // 101202 and 101205, district D0001
        let eo = app.principal("eo_edea").await; // villages of D0002
        let (_, d1) = location(&app, "D0001").await;
        let (_, d2) = location(&app, "D0002").await;
        let (_, region) = location(&app, "R0001").await;
        create(&app, &admin, with(input("LOCD1"), json!({ "locationUuid": d1 }))).await;
        create(&app, &admin, with(input("LOCD2"), json!({ "locationUuid": d2 }))).await;
        create(&app, &admin, with(input("LOCR1"), json!({ "locationUuid": region }))).await;
        create(&app, &admin, input("LOCNA")).await;

        // Rights.
        assert_eq!(err(&app, None, CREATE, json!({ "i": input("X1") })).await, "auth.unauthenticated");
        assert_eq!(err(&app, Some(&clerk), CREATE, json!({ "i": input("X1") })).await, "auth.permission_denied");
        let d2_uuid = product_uuid(&app, "LOCD2").await;
        assert_eq!(err(&app, Some(&clerk), UPDATE, json!({ "i": with(input("LOCD2"), json!({ "uuid": d2_uuid })) })).await, "auth.permission_denied");
        assert_eq!(err(&app, Some(&clerk), DELETE, json!({ "i": { "uuids": [d2_uuid] } })).await, "auth.permission_denied");
        assert_eq!(err(&app, Some(&clerk), DUPLICATE, json!({ "i": with(input("X1"), json!({ "uuid": d2_uuid })) })).await, "auth.permission_denied");
        assert_eq!(err(&app, Some(&clerk), r#"{ validateProductCode(productCode: "X") }"#, json!({})).await, "auth.permission_denied");
        assert_eq!(err(&app, None, "{ products { totalCount } }", json!({})).await, "auth.unauthenticated");
        let medofficer = app.principal("medofficer").await;
        assert_eq!(err(&app, Some(&medofficer), "{ products { totalCount } }", json!({})).await, "auth.permission_denied");
        assert_eq!(err(&app, Some(&medofficer), r#"{ product(uuid: "00000000-0000-0000-0000-000000000009") { code } }"#, json!({})).await, "auth.permission_denied");
        let d = ok(&app, Some(&medofficer), "{ limitDefaults { defaultPriceOrigin defaultLimit defaultLimitCoInsuranceValue defaultLimitFixedValue } pageDisplayRules { minLimitValue maxLimitValue } }", json!({})).await;
        assert_eq!(d["limitDefaults"]["defaultLimit"], "C");
        assert_eq!(d["limitDefaults"]["defaultLimitCoInsuranceValue"], 100);
        assert_eq!(d["pageDisplayRules"]["maxLimitValue"], "100");
        assert_eq!(err(&app, None, "{ limitDefaults { defaultLimit } }", json!({})).await, "auth.unauthenticated");

        // Visibility (D9): national, own locations and their ancestors.
        let list = "{ products(orderBy: [\"code\"]) { edges { node { code } } } }";
        let codes = |v: &Value| -> Vec<String> {
            v["products"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["code"].as_str().unwrap().to_string()).filter(|c| c.starts_with("LOC")).collect()
        };
        assert_eq!(codes(&ok(&app, Some(&clerk), list, json!({})).await), ["LOCD1", "LOCNA", "LOCR1"]);
        assert_eq!(codes(&ok(&app, Some(&eo), list, json!({})).await), ["LOCD2", "LOCNA", "LOCR1"]);
        assert_eq!(codes(&ok(&app, Some(&admin), list, json!({})).await), ["LOCD1", "LOCD2", "LOCNA", "LOCR1"]);
        let one = r#"query($u: String) { product(uuid: $u) { code } }"#;
        assert_eq!(ok(&app, Some(&clerk), one, json!({ "u": d2_uuid })).await["product"], Value::Null);
        assert_eq!(ok(&app, Some(&eo), one, json!({ "u": d2_uuid })).await["product"]["code"], "LOCD2");

        // Writes of a restricted user: only products of their own locations.
        let user = district_product_user(&app).await;
        ok(&app, Some(&user), CREATE, json!({ "i": with(input("SCD1"), json!({ "locationUuid": d1 })) })).await;
        for i in [with(input("SCD2"), json!({ "locationUuid": d2 })), with(input("SCR1"), json!({ "locationUuid": region })), input("SCNA")] {
            assert_eq!(err(&app, Some(&user), CREATE, json!({ "i": i })).await, "auth.location_denied");
        }
        let sc_uuid = product_uuid(&app, "SCD1").await;
        ok(&app, Some(&user), UPDATE, json!({ "i": with(input("SCD1"), json!({ "uuid": sc_uuid, "locationUuid": d1, "name": "Modifié" })) })).await;
        // Moving it out of their district is refused, as is touching a national product.
        assert_eq!(err(&app, Some(&user), UPDATE, json!({ "i": with(input("SCD1"), json!({ "uuid": sc_uuid })) })).await, "auth.location_denied");
        let na_uuid = product_uuid(&app, "LOCNA").await;
        assert_eq!(err(&app, Some(&user), UPDATE, json!({ "i": with(input("LOCNA"), json!({ "uuid": na_uuid })) })).await, "auth.location_denied");
        assert_eq!(err(&app, Some(&user), DELETE, json!({ "i": { "uuids": [na_uuid] } })).await, "auth.location_denied");
        // Duplicating a visible national product into their district works; a D0002 product is invisible.
        ok(&app, Some(&user), DUPLICATE, json!({ "i": with(input("SCD3"), json!({ "uuid": na_uuid, "locationUuid": d1 })) })).await;
        assert_eq!(err(&app, Some(&user), DUPLICATE, json!({ "i": with(input("SCD4"), json!({ "uuid": d2_uuid, "locationUuid": d1 })) })).await, "not_found");
        ok(&app, Some(&user), DELETE, json!({ "i": { "uuids": [sc_uuid] } })).await;
    })
    .await;
}

#[tokio::test]
async fn products_sellable_to_a_family_by_location_and_date() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let (d1_id, d1) = location(&app, "D0001").await;
        let (_, d2) = location(&app, "D0002").await;
        let (_, region) = location(&app, "R0001").await;
        let (v1_id, _) = location(&app, "V0001").await;
        create(&app, &admin, with(input("SELD1"), json!({ "locationUuid": d1 }))).await;
        create(&app, &admin, with(input("SELD2"), json!({ "locationUuid": d2 }))).await;
        create(&app, &admin, with(input("SELR1"), json!({ "locationUuid": region }))).await;
        create(&app, &admin, input("SELNA")).await;
        create(&app, &admin, with(input("SELOLD"), json!({ "dateFrom": "2020-01-01", "dateTo": "2025-12-31" }))).await;
        create(&app, &admin, with(input("SELNEW"), json!({ "dateFrom": "2026-07-01", "dateTo": "2030-12-31", "name": "Éducation" }))).await;
        let q = r#"query($l: Int, $d: DateTime) { products(location: $l, dateFrom_Lte: $d, dateTo_Gte: $d, code_Istartswith: "sel") { totalCount edges { node { code } } } }"#;
        let codes = |v: &Value| -> Vec<String> {
            v["products"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["code"].as_str().unwrap().to_string()).collect()
        };
        let d = ok(&app, Some(&admin), q, json!({ "l": d1_id, "d": "2026-03-15T00:00:00" })).await;
        assert_eq!(codes(&d), ["SELD1", "SELNA", "SELR1"]);
        // A village: its ward, district and region count too.
        let d = ok(&app, Some(&admin), q, json!({ "l": v1_id, "d": "2026-08-01" })).await;
        assert_eq!(codes(&d), ["SELD1", "SELNA", "SELNEW", "SELR1"]);
        let d = ok(&app, Some(&admin), q, json!({ "l": d1_id, "d": "2025-06-01" })).await;
        assert_eq!(codes(&d), ["SELOLD"]);
        // Other filters: search, name (accents ignored), location_Isnull, dates.
        let d = ok(&app, Some(&admin), r#"{ a: products(search: "seld") { totalCount } b: products(name_Icontains: "EDUC") { edges { node { code } } }
            c: products(location_Isnull: false, code_Icontains: "SEL") { totalCount } e: products(dateTo_Lt: "2026-01-01") { edges { node { code } } } }"#, json!({})).await;
        assert_eq!(d["a"]["totalCount"], 2);
        assert_eq!(d["b"]["edges"][0]["node"]["code"], "SELNEW");
        assert_eq!(d["c"]["totalCount"], 3);
        assert_eq!(d["e"]["edges"].as_array().unwrap().len(), 1);
        // Clerk (D0001 with 101202) gets the same list the policy form needs.
        let clerk = app.principal("clerk").await;
        let d = ok(&app, Some(&clerk), q, json!({ "l": d1_id, "d": "2026-03-15" })).await;
        assert_eq!(codes(&d), ["SELD1", "SELNA", "SELR1"]);
        // Paging.
        let d = ok(&app, Some(&admin), r#"{ products(code_Istartswith: "SEL", first: 2, orderBy: ["-code"]) { totalCount edgeCount pageInfo { hasNextPage endCursor } edges { node { code } } } }"#, json!({})).await;
        assert_eq!(d["products"]["edgeCount"], 2);
        assert_eq!(d["products"]["edges"][0]["node"]["code"], "SELR1");
        assert_eq!(d["products"]["pageInfo"]["hasNextPage"], true);
    })
    .await;
}

#[tokio::test]
async fn create_with_a_known_uuid_is_idempotent() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let items = medical(&app, Medical::Item).await;
        let u = "0190f0c0-0000-7000-8000-000000000042";
        let i = with(
            input("IDEM1"),
            json!({ "uuid": u, "premiumAdult": "100", "startCycle1": "1-1",
                    "items": [{ "itemUuid": items[0], "limitAdult": "50", "limitChild": "50" }],
                    "relativePrices": [{ "careType": "BOTH", "periods": ["100"] }] }),
        );
        create(&app, &admin, i.clone()).await;
        create(&app, &admin, i.clone()).await;
        assert_eq!(app.count("product_product", "code = 'IDEM1'").await, 1);
        assert_eq!(app.count("product_item", "validity_to IS NULL AND product_id = (SELECT id FROM product_product WHERE code = 'IDEM1')").await, 1);
        let code = err(&app, Some(&admin), CREATE, json!({ "i": with(i.clone(), json!({ "name": "Autre" })) })).await;
        assert_eq!(code, "conflict.uuid_exists");
        let code = err(&app, Some(&admin), CREATE, json!({ "i": with(i.clone(), json!({ "items": [] })) })).await;
        assert_eq!(code, "conflict.uuid_exists");
        let d = ok(&app, Some(&admin), &format!(r#"{{ product(uuid: "{u}") {{ code uuid }} }}"#), json!({})).await;
        assert_eq!(d["product"]["uuid"], u);
        // The same clientMutationId replays without executing again.
        let with_cmid = with(input("IDEM2"), json!({ "clientMutationId": "idem-2" }));
        let a = create(&app, &admin, with_cmid.clone()).await;
        let b = create(&app, &admin, with_cmid).await;
        assert_eq!(a["createProduct"]["internalId"], b["createProduct"]["internalId"]);
        assert_eq!(app.count("product_product", "code = 'IDEM2'").await, 1);
    })
    .await;
}

#[tokio::test]
async fn demo_products_and_policy_services() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let d = ok(
            &app,
            Some(&admin),
            r#"{ products(code_Istartswith: "MUT") { edges { node { code name location { code } lumpSum threshold maxMembers startCycle1 startCycle2 insurancePeriod
                 items { totalCount edges { node { waitingPeriodAdult limitAdult } } } services { totalCount } } } }
                 v: products(code: "VIH01") { edges { node { name location { code } lumpSum premiumAdult items { totalCount edges { node { limitAdult limitChild limitationType } } } services { totalCount edges { node { limitAdult } } } } } } }"#,
            json!({}),
        )
        .await;
        let m = &d["products"]["edges"][0]["node"];
        assert_eq!(m["code"], "MUT01");
        assert_eq!(m["name"], "Mutuelle de santé Littoral");
        assert_eq!(m["location"]["code"], "R0001");
        assert_eq!(m["threshold"], 6);
        assert_eq!(m["maxMembers"], 8);
        assert_eq!(m["startCycle1"], "01-01");
        assert_eq!(m["startCycle2"], "01-07");
        assert!(m["items"]["totalCount"].as_i64().unwrap() > 0);
        assert!(m["items"]["edges"].as_array().unwrap().iter().any(|e| e["node"]["waitingPeriodAdult"] == 3));
        let v = &d["v"]["edges"][0]["node"];
        assert_eq!(v["name"], "Gratuité VIH");
        assert_eq!(v["location"], Value::Null);
        assert_eq!(v["lumpSum"], "0.00");
        for e in v["items"]["edges"].as_array().unwrap().iter().chain(v["services"]["edges"].as_array().unwrap()) {
            assert_eq!(e["node"]["limitAdult"], "100.00");
        }

        // product_in_force / is_sellable, as the policy module calls them.
        let (_, d1) = location(&app, "D0001").await;
        let (d2_id, _) = location(&app, "D0002").await;
        let (region_id, _) = location(&app, "R0001").await;
        let (d1_id, _) = location(&app, "D0001").await;
        create(&app, &admin, with(input("FORCE1"), json!({ "locationUuid": d1, "name": "Première version" }))).await;
        let uuid = product_uuid(&app, "FORCE1").await;
        ok(&app, Some(&admin), UPDATE, json!({ "i": with(input("FORCE1"), json!({ "uuid": uuid, "locationUuid": d1, "name": "Deuxième version", "dateTo": "2028-12-31" })) })).await;
        let id = product_id(&app, "FORCE1").await;
        let conn = &app.state.db.conn;
        let clock = &app.state.clock;
        let today = clock.today();
        let now = imis_product::api::product_in_force(conn, clock, id, today).await.unwrap().unwrap();
        assert_eq!(now.product.name, "Deuxième version");
        assert_eq!(now.history_id, None);
        let before = imis_product::api::product_in_force(conn, clock, id, today.pred_opt().unwrap()).await.unwrap().unwrap();
        assert_eq!(before.product.name, "Première version");
        assert!(before.history_id.is_some());
        assert_eq!(before.product.id, id);
        let on = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert!(imis_product::api::is_sellable(conn, clock, id, &[d1_id, region_id], on("2026-05-01")).await.unwrap());
        assert!(imis_product::api::is_sellable(conn, clock, id, &[d1_id, region_id], on("2028-06-01")).await.unwrap());
        assert!(!imis_product::api::is_sellable(conn, clock, id, &[d1_id, region_id], on("2029-01-01")).await.unwrap());
        assert!(!imis_product::api::is_sellable(conn, clock, id, &[d2_id, region_id], today).await.unwrap());
        assert!(!imis_product::api::is_sellable(conn, clock, 999_999, &[d1_id], today).await.unwrap());
        ok(&app, Some(&admin), DELETE, json!({ "i": { "uuids": [uuid] } })).await;
        assert!(imis_product::api::product_in_force(conn, clock, id, today.succ_opt().unwrap()).await.unwrap().is_none());
        db
    })
    .await;
}

#[test]
fn every_error_code_has_english_and_french_messages() {
    for (code, en, fr) in imis_product::MESSAGES {
        assert!(code.starts_with("product."), "{code}");
        assert!(imis_core::i18n::has_message(code), "{code}");
        assert!(!en.is_empty() && !fr.is_empty() && en != fr, "{code}");
    }
}

#[tokio::test]
async fn products_and_their_versions_answer_node() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        create(
            &app,
            &admin,
            with(input("NODE1"), json!({ "name": "Avant" })),
        )
        .await;
        let uuid = product_uuid(&app, "NODE1").await;
        ok(
            &app,
            Some(&admin),
            UPDATE,
            json!({ "i": with(input("NODE1"), json!({ "uuid": uuid, "name": "Après" })) }),
        )
        .await;
        let list = ok(
            &app,
            Some(&admin),
            r#"{ products(code: "NODE1", showHistory: true) { edges { node { id name } } } }"#,
            json!({}),
        )
        .await;
        let edges = list["products"]["edges"].as_array().unwrap().clone();
        assert_eq!(edges.len(), 2, "{edges:?}");
        let node = |id: &str| {
            format!(r#"{{ node(id: "{id}") {{ id ... on ProductGQLType {{ code name }} }} }}"#)
        };
        for e in &edges {
            let id = e["node"]["id"].as_str().unwrap();
            let n = ok(&app, Some(&admin), &node(id), json!({})).await;
            assert_eq!(n["node"]["id"], id);
            assert_eq!(n["node"]["code"], "NODE1");
            assert_eq!(n["node"]["name"], e["node"]["name"]);
        }
        // A user without a right to read products gets null, not an error.
        imis_core::users::service::insert_user_unchecked(
            &app.state.db.conn,
            "norights",
            "norightspass",
            "Sans",
            "Droits",
            imis_core::auth::UserKinds {
                interactive: true,
                ..Default::default()
            },
            &[],
            &[],
            &[],
            None,
        )
        .await
        .expect("user");
        let nobody = app.principal("norights").await;
        let id = edges[0]["node"]["id"].as_str().unwrap();
        assert!(ok(&app, Some(&nobody), &node(id), json!({})).await["node"].is_null());
        db
    })
    .await;
}
