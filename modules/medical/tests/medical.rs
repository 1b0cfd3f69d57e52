//! The medical module: items, services with package content, diagnoses (mutations and CSV
//! import), price lists with their location scope, the facility price-list assignment through
//! the core's `health_facility.saving` event and port, and the claimable price on a date.

// The composed GraphQL schema of the harness is deeper than rustc's default query depth.
#![recursion_limit = "256"]

use chrono::{Days, NaiveDate};
use imis_medical::api::{self as medical, MedicalKind};
use imis_tests::fixtures::{
    facility_id, facility_rows, facility_uuid, user_with_role_in_districts,
};
use imis_tests::{TestApp, TestDb, on_each_db};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

/// Every linked module but the test module, whose own price-list handler and port would stand
/// in for the medical module's.
async fn app(db: &TestDb) -> TestApp {
    let mut cfg = db.config();
    cfg.modules.enabled.retain(|m| m != "testmod");
    TestApp::with_config(cfg, true).await
}

async fn scalar(app: &TestApp, sql: &str) -> Option<Value> {
    let row = app
        .state
        .db
        .conn
        .query_one_raw(sea_orm::Statement::from_string(app.state.db.backend(), sql))
        .await
        .expect("query")?;
    if let Ok(v) = row.try_get::<i64>("", "v") {
        return Some(Value::from(v));
    }
    if let Ok(v) = row.try_get::<uuid::Uuid>("", "v") {
        return Some(Value::from(v.to_string()));
    }
    row.try_get::<String>("", "v").ok().map(Value::from)
}

use sea_orm::ConnectionTrait;

/// The id of the current row with this code.
async fn id_of(app: &TestApp, table: &str, code: &str) -> i64 {
    scalar(
        app,
        &format!("SELECT id AS v FROM {table} WHERE code = '{code}' AND validity_to IS NULL"),
    )
    .await
    .and_then(|v| v.as_i64())
    .unwrap_or_else(|| panic!("no {code} in {table}"))
}

async fn uuid_of(app: &TestApp, table: &str, code: &str) -> String {
    scalar(
        app,
        &format!("SELECT uuid AS v FROM {table} WHERE code = '{code}' AND validity_to IS NULL"),
    )
    .await
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap_or_else(|| panic!("no {code} in {table}"))
}

async fn location_uuid(app: &TestApp, code: &str) -> String {
    imis_tests::fixtures::location_uuid(app, code).await
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A user restricted to district D0001 holding the Scheme Administrator's rights.
async fn district_scheme_admin(app: &TestApp) -> imis_core::auth::Principal {
    let names = ("Ebolo", "Clémence");
    user_with_role_in_districts(app, "sa_douala", "scheme12345", names, 32, &["D0001"]).await
}

async fn nobody(app: &TestApp) -> imis_core::auth::Principal {
    imis_core::users::service::insert_user_unchecked(
        &app.state.db.conn,
        "norights",
        "norights123",
        "Sans",
        "Droit",
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
    .unwrap();
    app.principal("norights").await
}

#[tokio::test]
async fn demo_data_is_seeded() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let admin = app.principal("Admin").await;
        let r = app
            .ok(
                Some(&admin),
                r#"{ medicalItems { totalCount }
                     medicalServices(code: "C0005") { edges { node { packagetype servicesLinked { item { code } qtyProvided } servicesServices { service { code } qtyProvided } } } }
                     diagnoses { totalCount }
                     itemsPricelists { totalCount edges { node { location { code } details(first: 2) { totalCount edgeCount edges { node { item { code } } } } } } }
                     servicesPricelists { edges { node { details { totalCount } } } }
                     healthFacilities { edges { node { itemsPricelist { name } servicesPricelist { name } } } } }"#,
            )
            .await;
        assert_eq!(r["medicalItems"]["totalCount"], 30);
        let c5 = &r["medicalServices"]["edges"][0]["node"];
        assert_eq!(c5["packagetype"], "P");
        assert_eq!(c5["servicesLinked"].as_array().unwrap().len(), 3);
        assert_eq!(c5["servicesServices"][0]["service"]["code"], "H0001");
        assert_eq!(c5["servicesServices"][0]["qtyProvided"], 4);
        assert!(r["diagnoses"]["totalCount"].as_i64().unwrap() >= 60);
        let pl = &r["itemsPricelists"]["edges"][0]["node"];
        assert_eq!(pl["location"]["code"], "R0001");
        assert_eq!(pl["details"]["totalCount"], 30);
        assert_eq!(pl["details"]["edgeCount"], 2);
        assert_eq!(r["servicesPricelists"]["edges"][0]["node"]["details"]["totalCount"], 20);
        for e in r["healthFacilities"]["edges"].as_array().unwrap() {
            assert!(e["node"]["itemsPricelist"]["name"].is_string());
            assert!(e["node"]["servicesPricelist"]["name"].is_string());
        }
        db
    })
    .await;
}

#[tokio::test]
async fn items_are_created_updated_with_history_searched_and_deleted() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let admin = app.principal("Admin").await;
        let none = nobody(&app).await;
        let create = |code: &str, extra: &str| {
            format!(
                r#"mutation {{ createItem(input: {{ code: "{code}", name: "Érythromycine 250 mg", type: "D", careType: "B", price: "75.50", patientCategories: [ADULT, MINOR, MALE, FEMALE], package: "Boîte de 100", quantity: "12.5" {extra} }}) {{ clientMutationId internalId }} }}"#
            )
        };
        // Rights first: anonymous, then a user without 122102.
        assert_eq!(app.err_code(None, &create("ERY250", "")).await, "auth.unauthenticated");
        assert_eq!(app.err_code(Some(&none), &create("ERY250", "")).await, "auth.permission_denied");
        let r = app.ok(Some(&admin), &create("ERY250", r#", clientMutationId: "ci-ERY250""#)).await;
        assert_eq!(r["createItem"]["clientMutationId"], "ci-ERY250");
        let q = r#"{ medicalItems(code: "ERY250") { edges { node { id uuid code name type package price quantity careType patientCategory frequency maximumAmount } } } }"#;
        let r = app.ok(Some(&admin), q).await;
        let node = &r["medicalItems"]["edges"][0]["node"];
        assert_eq!(node["price"], "75.50");
        assert_eq!(node["quantity"], "12.50");
        assert_eq!(node["patientCategory"], 15);
        assert!(node["frequency"].is_null());
        let uuid = node["uuid"].as_str().unwrap().to_string();
        // The mutation log links the created item; the list can be filtered by it.
        let r = app.ok(Some(&admin), r#"{ medicalItems(clientMutationId: "ci-ERY250") { totalCount } }"#).await;
        assert_eq!(r["medicalItems"]["totalCount"], 1);

        // Validations.
        assert_eq!(app.err_code(Some(&admin), &create("ERY250", "")).await, "medical.item_code_taken");
        assert_eq!(app.err_code(Some(&admin), &create("TOOLONG", "")).await, "input.invalid");
        assert_eq!(app.err_code(Some(&admin), &create("X1", r#", maximumAmount: "1.005""#)).await, "input.invalid");
        assert_eq!(app.err_code(Some(&admin), &create("X2", r#", frequency: "2.5""#)).await, "input.invalid");
        assert_eq!(app.err_code(Some(&admin), r#"mutation { createItem(input: { code: "X3", name: "X", type: "Z", careType: "B", price: "1", patientCategory: 15 }) { internalId } }"#).await, "input.invalid");
        assert_eq!(app.err_code(Some(&admin), r#"mutation { createItem(input: { code: "X4", name: "X", type: "D", careType: "B", price: "-1", patientCategory: 15 }) { internalId } }"#).await, "input.invalid");
        assert_eq!(app.err_code(Some(&admin), r#"mutation { createItem(input: { code: "X5", name: "X", type: "D", careType: "B", price: "1" }) { internalId } }"#).await, "medical.patient_category_missing");
        assert_eq!(app.err_code(Some(&admin), r#"mutation { createItem(input: { code: "X6", name: "X", type: "D", careType: "B", price: "1", patientCategory: 16 }) { internalId } }"#).await, "medical.patient_category_invalid");
        assert_eq!(app.count("medical_item", "code LIKE 'X%'").await, 0);

        // D4: the same uuid and content returns the existing item; other content conflicts.
        let with_uuid = |name: &str| {
            format!(
                r#"mutation {{ createItem(input: {{ uuid: "{uuid}", code: "ERY250", name: "{name}", type: "D", careType: "B", price: "75.50", patientCategory: 15, package: "Boîte de 100", quantity: "12.5" }}) {{ internalId }} }}"#
            )
        };
        app.ok(Some(&admin), &with_uuid("Érythromycine 250 mg")).await;
        assert_eq!(app.count("medical_item", "code = 'ERY250'").await, 1);
        assert_eq!(app.err_code(Some(&admin), &with_uuid("Autre")).await, "conflict.uuid_exists");

        // Update: every field replaced, the previous version kept.
        let update = format!(
            r#"mutation {{ updateItem(input: {{ uuid: "{uuid}", code: "ERY250", name: "Érythromycine 500 mg", type: "D", careType: "O", price: "90", patientCategory: 4, frequency: "7" }}) {{ internalId }} }}"#
        );
        assert_eq!(app.err_code(Some(&none), &update).await, "auth.permission_denied");
        app.ok(Some(&admin), &update).await;
        let r = app
            .ok(Some(&admin), r#"{ medicalItems(code: "ERY250", showHistory: true) { totalCount edges { node { id name price package careType frequency legacyId validityTo } } } }"#)
            .await;
        let edges = r["medicalItems"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2, "current row then its previous version");
        assert_eq!(edges[0]["node"]["name"], "Érythromycine 500 mg");
        assert_eq!(edges[0]["node"]["price"], "90.00");
        assert!(edges[0]["node"]["package"].is_null(), "omitted fields become empty");
        assert_eq!(edges[0]["node"]["frequency"], 7);
        assert!(edges[0]["node"]["legacyId"].is_null());
        assert_eq!(edges[1]["node"]["name"], "Érythromycine 250 mg");
        assert!(edges[1]["node"]["validityTo"].is_string());
        assert_eq!(edges[1]["node"]["legacyId"], id_of(&app, "medical_item", "ERY250").await);
        let (t, _) = imis_core::graphql::decode_global_id(edges[1]["node"]["id"].as_str().unwrap()).unwrap();
        assert_eq!(t, "ItemGQLTypeHistory");
        // Updating the code onto another item's is refused.
        let clash = format!(
            r#"mutation {{ updateItem(input: {{ uuid: "{uuid}", code: "PARA5", name: "X", type: "D", careType: "O", price: "90", patientCategory: 4 }}) {{ internalId }} }}"#
        );
        assert_eq!(app.err_code(Some(&admin), &clash).await, "medical.item_code_taken");

        // Searches ignore case and accents (D19).
        for q in [
            r#"{ medicalItems(name_Icontains: "ERYTHROMYCINE") { totalCount } }"#,
            r#"{ medicalItems(name_Istartswith: "érythro") { totalCount } }"#,
            r#"{ medicalItemsStr(str: "erythromycine") { totalCount } }"#,
            r#"{ medicalItemsStr(str: "ery2") { totalCount } }"#,
        ] {
            let r = app.ok(Some(&admin), q).await;
            let v = r.as_object().unwrap().values().next().unwrap();
            assert_eq!(v["totalCount"], 1, "{q}");
        }
        let r = app.ok(Some(&admin), r#"{ medicalItems(name_Icontains: "paracetamol") { edges { node { code } } } }"#).await;
        assert_eq!(r["medicalItems"]["edges"][0]["node"]["code"], "PARA5");
        let r = app.ok(Some(&admin), r#"{ medicalItems(type: "M", orderBy: ["-price"], first: 1) { totalCount edges { node { code } } } }"#).await;
        assert_eq!(r["medicalItems"]["totalCount"], 7);
        assert_eq!(r["medicalItems"]["edges"][0]["node"]["code"], "FIL");
        // medicalItemsStr(date:): the new item did not exist in 2021, the demo items did.
        let r = app.ok(Some(&admin), r#"{ a: medicalItemsStr(str: "ERY", date: "2021-06-01") { totalCount } b: medicalItemsStr(str: "PARA", date: "2021-06-01") { totalCount } }"#).await;
        assert_eq!(r["a"]["totalCount"], 0);
        assert_eq!(r["b"]["totalCount"], 1);
        // pricelistUuid: members of that list only.
        let pl = scalar(&app, "SELECT uuid AS v FROM medical_pricelist WHERE kind = 'I'").await.unwrap();
        let r = app.ok(Some(&admin), &format!(r#"{{ medicalItems(pricelistUuid: "{}") {{ totalCount }} }}"#, pl.as_str().unwrap())).await;
        assert_eq!(r["medicalItems"]["totalCount"], 30);

        // validateItemCode.
        let r = app.ok(Some(&admin), r#"{ a: validateItemCode(itemCode: "ERY250") b: validateItemCode(itemCode: "NEW1") }"#).await;
        assert_eq!(r["a"], false);
        assert_eq!(r["b"], true);

        // Delete: soft, with history, and the item leaves price lists and packages.
        let para = uuid_of(&app, "medical_item", "PARA5").await;
        let para_id = id_of(&app, "medical_item", "PARA5").await;
        let del = format!(r#"mutation {{ deleteItem(input: {{ uuids: ["{para}"] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&none), &del).await, "auth.permission_denied");
        app.ok(Some(&admin), &del).await;
        assert_eq!(app.count("medical_item", &format!("id = {para_id} AND validity_to IS NOT NULL")).await, 1);
        assert_eq!(app.count("medical_pricelist_detail", &format!("kind = 'I' AND medical_id = {para_id} AND validity_to IS NULL")).await, 0);
        assert_eq!(app.outbox_count("medical.item_deleted", Some(&para_id.to_string())).await, 1);
        let r = app.ok(Some(&admin), r#"{ medicalItems(code: "PARA5") { totalCount } }"#).await;
        assert_eq!(r["medicalItems"]["totalCount"], 0);
        assert_eq!(app.err_code(Some(&admin), &del).await, "not_found");
        // A new item may reuse the code of a deleted one.
        app.ok(Some(&admin), r#"mutation { createItem(input: { code: "PARA5", name: "Paracétamol 1 g", type: "D", careType: "B", price: "20", patientCategory: 15 }) { internalId } }"#).await;
        db
    })
    .await;
}

#[tokio::test]
async fn services_with_package_content() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let admin = app.principal("Admin").await;
        let none = nobody(&app).await;
        let oxy = id_of(&app, "medical_item", "OXYT10").await;
        let gants = id_of(&app, "medical_item", "GSTER").await;
        let hosp = id_of(&app, "medical_service", "H0001").await;
        let create = format!(
            r#"mutation {{ createService(input: {{ code: "ACC2", name: "Accouchement gémellaire", type: "C", level: "H", category: "D", careType: "I", price: "45000", patientCategories: [FEMALE, ADULT], packagetype: "P", manualPrice: "false",
                items: [{{ itemId: {oxy}, status: 1, qtyProvided: "2", priceAsked: "400" }}, {{ itemId: {gants}, status: 1, qtyProvided: "4" }}],
                services: [{{ serviceId: {hosp}, status: 1, qtyProvided: "3" }}] }}) {{ internalId }} }}"#
        );
        assert_eq!(app.err_code(None, &create).await, "auth.unauthenticated");
        assert_eq!(app.err_code(Some(&none), &create).await, "auth.permission_denied");
        app.ok(Some(&admin), &create).await;
        let q = r#"{ medicalServices(code: "ACC2") { edges { node { uuid code type level category careType price patientCategory packagetype manualPrice
                    servicesLinked { id item { code } parent { code } qtyProvided priceAsked status pcpDate }
                    servicesServices { service { code } qtyProvided status } } } } }"#;
        let r = app.ok(Some(&admin), q).await;
        let node = &r["medicalServices"]["edges"][0]["node"];
        assert_eq!(node["patientCategory"], 6);
        assert_eq!(node["packagetype"], "P");
        assert_eq!(node["manualPrice"], false);
        assert_eq!(node["servicesLinked"].as_array().unwrap().len(), 2);
        assert_eq!(node["servicesLinked"][0]["item"]["code"], "OXYT10");
        assert_eq!(node["servicesLinked"][0]["parent"]["code"], "ACC2");
        assert_eq!(node["servicesLinked"][0]["priceAsked"], "400.00");
        assert_eq!(node["servicesLinked"][0]["status"], true);
        assert_eq!(node["servicesServices"][0]["service"]["code"], "H0001");
        assert_eq!(node["servicesServices"][0]["qtyProvided"], 3);
        let uuid = node["uuid"].as_str().unwrap().to_string();
        let acc2 = id_of(&app, "medical_service", "ACC2").await;
        // The service detail page's document: openIMIS's `serviceserviceSet` lists the package's
        // services (the lines whose parent it is), `servicesLinked` its items.
        let page = format!(
            r#"{{ medicalServices(uuid: "{uuid}", showHistory: true) {{ edges {{ node {{ id uuid code name validityFrom validityTo
                serviceserviceSet {{ id service {{ id code name }} parent {{ code }} qtyProvided priceAsked scpDate status }}
                servicesLinked {{ id item {{ id code name }} qtyProvided priceAsked pcpDate }} }} }} }} }}"#
        );
        let r = app.ok(Some(&admin), &page).await;
        let shown = &r["medicalServices"]["edges"][0]["node"];
        let set = shown["serviceserviceSet"].as_array().unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set[0]["service"]["code"], "H0001");
        assert_eq!(set[0]["service"]["name"], "Journée d'hospitalisation");
        assert_eq!(set[0]["parent"]["code"], "ACC2");
        assert_eq!(set[0]["qtyProvided"], 3);
        assert!(set[0]["priceAsked"].is_null());
        assert!(set[0]["scpDate"].is_string());
        assert_eq!(set[0]["status"], true);
        assert!(set[0]["id"].is_string());
        assert_eq!(shown["servicesLinked"].as_array().unwrap().len(), 2);
        assert_eq!(shown["servicesLinked"][1]["item"]["code"], "GSTER");
        assert!(shown["servicesLinked"][0]["pcpDate"].is_string());
        // Loaded once for the whole page in lists too (the service picker asks it of 20 rows).
        let r = app.ok(Some(&admin), r#"{ medicalServicesStr(first: 20) { edges { node { code serviceserviceSet { service { code } } servicesServices { service { code } } } } } }"#).await;
        for e in r["medicalServicesStr"]["edges"].as_array().unwrap() {
            assert_eq!(e["node"]["serviceserviceSet"], e["node"]["servicesServices"], "{}", e["node"]["code"]);
        }
        assert!(r["medicalServicesStr"]["edges"].as_array().unwrap().iter().any(|e| e["node"]["code"] == "ACC2"));

        // Refusals.
        assert_eq!(app.err_code(Some(&admin), &create).await, "medical.service_code_taken");
        // D4: a client uuid makes the create idempotent, content included.
        let with_uuid = |qty: &str| {
            format!(
                r#"mutation {{ createService(input: {{ uuid: "{uuid}", code: "ACC2", name: "Accouchement gémellaire", type: "C", level: "H", category: "D", careType: "I", price: "45000", patientCategory: 6, packagetype: "P",
                    items: [{{ itemId: {oxy}, status: 1, qtyProvided: "{qty}", priceAsked: "400" }}, {{ itemId: {gants}, status: 1, qtyProvided: "4" }}] }}) {{ internalId }} }}"#
            )
        };
        app.ok(Some(&admin), &with_uuid("2")).await;
        assert_eq!(app.err_code(Some(&admin), &with_uuid("3")).await, "conflict.uuid_exists");
        let bad_item = r#"mutation { createService(input: { code: "BAD1", name: "X", type: "C", level: "S", careType: "B", price: "1", patientCategory: 15, items: [{ itemId: 999999, status: 1 }] }) { internalId } }"#;
        assert_eq!(app.err_code(Some(&admin), bad_item).await, "medical.package_content_invalid");
        let bad_level = r#"mutation { createService(input: { code: "BAD2", name: "X", type: "C", level: "Q", careType: "B", price: "1", patientCategory: 15 }) { internalId } }"#;
        assert_eq!(app.err_code(Some(&admin), bad_level).await, "input.invalid");
        let twice = format!(r#"mutation {{ createService(input: {{ code: "BAD3", name: "X", type: "C", level: "S", careType: "B", price: "1", patientCategory: 15, items: [{{ itemId: {oxy}, status: 1 }}, {{ itemId: {oxy}, status: 1 }}] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&admin), &twice).await, "input.invalid");
        // H0001 cannot contain ACC2, which contains H0001; nor can ACC2 contain itself.
        let h_uuid = uuid_of(&app, "medical_service", "H0001").await;
        let cycle = format!(r#"mutation {{ updateService(input: {{ uuid: "{h_uuid}", code: "H0001", name: "Journée d'hospitalisation", type: "C", level: "D", category: "H", careType: "I", price: "5000", patientCategory: 15, services: [{{ serviceId: {acc2}, status: 1 }}] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&admin), &cycle).await, "medical.package_cycle");
        let own = format!(r#"mutation {{ updateService(input: {{ uuid: "{uuid}", code: "ACC2", name: "X", type: "C", level: "H", careType: "I", price: "1", patientCategory: 6, services: [{{ serviceId: {acc2}, status: 1 }}] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&admin), &own).await, "medical.package_cycle");

        // Update: fields and content replaced; the old content rows are closed, history kept.
        let update = format!(
            r#"mutation {{ updateService(input: {{ uuid: "{uuid}", code: "ACC2", name: "Accouchement gémellaire (forfait)", type: "C", level: "H", category: "D", careType: "I", price: "50000", patientCategory: 6, packagetype: "F",
                items: [{{ itemId: {gants}, status: 0, qtyProvided: "6" }}] }}) {{ internalId }} }}"#
        );
        assert_eq!(app.err_code(Some(&none), &update).await, "auth.permission_denied");
        app.ok(Some(&admin), &update).await;
        let r = app.ok(Some(&admin), r#"{ medicalServices(code: "ACC2", showHistory: true) { edges { node { id name price packagetype legacyId servicesLinked { item { code } qtyProvided status } servicesServices { service { code } } } } } }"#).await;
        let edges = r["medicalServices"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        let cur = &edges[0]["node"];
        assert_eq!(cur["price"], "50000.00");
        assert_eq!(cur["packagetype"], "F");
        assert_eq!(cur["servicesLinked"].as_array().unwrap().len(), 1);
        assert_eq!(cur["servicesLinked"][0]["status"], false);
        assert_eq!(cur["servicesServices"].as_array().unwrap().len(), 1, "services not given: kept");
        assert_eq!(edges[1]["node"]["name"], "Accouchement gémellaire");
        assert_eq!(edges[1]["node"]["legacyId"], acc2);
        assert_eq!(app.count("medical_service_content", &format!("service_id = {acc2} AND validity_to IS NOT NULL")).await, 2);

        // Filters.
        let r = app.ok(Some(&admin), r#"{ a: medicalServices(packagetype_In: [P, F]) { totalCount } b: medicalServices(category: "D", careType: "I") { totalCount } c: medicalServicesStr(str: "ECHOGRAPHIE") { edges { node { code } } } d: validateServiceCode(serviceCode: "ACC2") }"#).await;
        assert_eq!(r["a"]["totalCount"], 4);
        assert_eq!(r["b"]["totalCount"], 1);
        assert_eq!(r["c"]["edges"][0]["node"]["code"], "R0002");
        assert_eq!(r["d"], false);

        // Delete: the package content and the references to the service are closed.
        let del = format!(r#"mutation {{ deleteService(input: {{ uuids: ["{h_uuid}"] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&none), &del).await, "auth.permission_denied");
        app.ok(Some(&admin), &del).await;
        assert_eq!(app.count("medical_service_content", &format!("kind = 'S' AND medical_id = {hosp} AND validity_to IS NULL")).await, 0);
        assert_eq!(app.outbox_count("medical.service_deleted", None).await, 1);
        assert_eq!(app.count("medical_pricelist_detail", &format!("kind = 'S' AND medical_id = {hosp} AND validity_to IS NULL")).await, 0);
        let r = app.ok(Some(&admin), r#"{ medicalServices(code: "ACC2") { edges { node { servicesServices { service { code } } } } } }"#).await;
        assert_eq!(r["medicalServices"]["edges"][0]["node"]["servicesServices"].as_array().unwrap().len(), 0);
        db
    })
    .await;
}

#[tokio::test]
async fn diagnoses_by_mutation_and_csv_import() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // no 131001
        let create = r#"mutation { createDiagnosis(input: { code: "B53", name: "Autres formes de paludisme confirmées par examen parasitologique" }) { internalId } }"#;
        assert_eq!(app.err_code(None, create).await, "auth.unauthenticated");
        assert_eq!(app.err_code(Some(&clerk), create).await, "auth.permission_denied");
        app.ok(Some(&admin), create).await;
        assert_eq!(app.err_code(Some(&admin), create).await, "medical.diagnosis_code_taken");
        let own = uuid::Uuid::now_v7();
        let with_uuid = |name: &str| format!(r#"mutation {{ createDiagnosis(input: {{ uuid: "{own}", code: "B52", name: "{name}" }}) {{ internalId }} }}"#);
        app.ok(Some(&admin), &with_uuid("Paludisme à Plasmodium malariae")).await;
        app.ok(Some(&admin), &with_uuid("Paludisme à Plasmodium malariae")).await;
        assert_eq!(app.count("medical_diagnosis", "code = 'B52'").await, 1);
        assert_eq!(app.err_code(Some(&admin), &with_uuid("Autre")).await, "conflict.uuid_exists");
        assert_eq!(app.err_code(Some(&admin), r#"mutation { createDiagnosis(input: { code: "", name: "X" }) { internalId } }"#).await, "input.invalid");
        // Reading is open to any logged-in user; names ignore case and accents.
        let r = app.ok(Some(&clerk), r#"{ a: diagnosesStr(str: "DIARRHEE") { edges { node { code } } } b: diagnoses(name_Icontains: "paludisme") { totalCount } c: diagnoses(code_Istartswith: "o8") { totalCount } d: validateDiagnosisCode(diagnosisCode: "B53") }"#).await;
        assert_eq!(r["a"]["edges"][0]["node"]["code"], "A09");
        assert_eq!(r["b"]["totalCount"], 5, "B50, B51, B52, B53, B54");
        assert_eq!(r["c"]["totalCount"], 2);
        assert_eq!(r["d"], false);
        let uuid = uuid_of(&app, "medical_diagnosis", "B53").await;
        let update = format!(r#"mutation {{ updateDiagnosis(input: {{ uuid: "{uuid}", code: "B53", name: "Autres formes de paludisme" }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&clerk), &update).await, "auth.permission_denied");
        app.ok(Some(&admin), &update).await;
        let r = app.ok(Some(&admin), r#"{ diagnoses(code: "B53", showHistory: true) { edges { node { id name legacyId } } } }"#).await;
        let edges = r["diagnoses"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0]["node"]["name"], "Autres formes de paludisme");
        assert!(edges[1]["node"]["name"].as_str().unwrap().ends_with("parasitologique"));
        let del = format!(r#"mutation {{ deleteDiagnosis(input: {{ uuids: ["{uuid}"] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&clerk), &del).await, "auth.permission_denied");
        app.ok(Some(&admin), &del).await;
        let r = app.ok(Some(&admin), r#"{ diagnoses(code: "B53") { totalCount } }"#).await;
        assert_eq!(r["diagnoses"]["totalCount"], 0);

        // CSV import: new codes inserted, changed names updated with history, the rest left.
        let before = app.count("medical_diagnosis", "validity_to IS NULL").await;
        let history = app.history_count("medical_diagnosis", None).await;
        let csv = "code,name\n\
                   A09,Diarrhée et gastro-entérite d'origine présumée infectieuse\n\
                   B50,\"Paludisme à Plasmodium falciparum, forme grave\"\n\
                   U07,Maladie à coronavirus 2019 [COVID-19]\n\
                   \n\
                   B53,Autres formes de paludisme\n";
        let report = medical::import_diagnoses_csv(&app.state, None, csv).await.unwrap();
        assert_eq!(report.lines, 4);
        assert_eq!((report.inserted, report.updated, report.unchanged), (2, 1, 1));
        assert_eq!(app.count("medical_diagnosis", "validity_to IS NULL").await, before + 2);
        assert_eq!(app.history_count("medical_diagnosis", None).await, history + 1);
        let r = app.ok(Some(&admin), r#"{ diagnoses(code: "B50") { edges { node { name } } } }"#).await;
        assert_eq!(r["diagnoses"]["edges"][0]["node"]["name"], "Paludisme à Plasmodium falciparum, forme grave");
        // The same file again changes nothing.
        let again = medical::import_diagnoses_csv(&app.state, None, csv).await.unwrap();
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 4));
        // A bad line refuses the whole file and names the lines.
        let bad = "code,name\nZ99,Nouveau code\n,Sans code\nA09\nZ99,Doublon\n";
        let e = medical::import_diagnoses_csv(&app.state, None, bad).await.unwrap_err();
        assert_eq!(e.code, "medical.import_invalid");
        assert_eq!(e.params["count"], "3");
        let lines = &e.params["lines"];
        assert!(lines.contains("line 3") && lines.contains("line 4") && lines.contains("line 5"), "{lines}");
        assert!(imis_core::i18n::has_message(&e.code));
        assert_eq!(app.count("medical_diagnosis", "code = 'Z99'").await, 0);
        assert_eq!(medical::import_diagnoses_csv(&app.state, None, "id,label\n").await.unwrap_err().code, "medical.import_invalid");
        db
    })
    .await;
}

#[tokio::test]
async fn price_lists_details_history_and_scope() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let admin = app.principal("Admin").await;
        let none = nobody(&app).await;
        let d1 = location_uuid(&app, "D0001").await;
        let d2 = location_uuid(&app, "D0002").await;
        let village = location_uuid(&app, "V0001").await;
        let amox = uuid_of(&app, "medical_item", "AMOX5").await;
        let act = uuid_of(&app, "medical_item", "ACT20").await;
        let salb = uuid_of(&app, "medical_item", "SALB").await;
        let create = |name: &str, loc: &str, extra: &str| {
            format!(
                r#"mutation {{ createItemsPricelist(input: {{ name: "{name}", pricelistDate: "2026-01-01", locationId: "{loc}", addedDetails: ["{amox}", "{act}"], priceOverrules: [{{ uuid: "{act}", price: "45" }}] {extra} }}) {{ internalId }} }}"#
            )
        };
        assert_eq!(app.err_code(None, &create("Douala", &d1, "")).await, "auth.unauthenticated");
        assert_eq!(app.err_code(Some(&none), &create("Douala", &d1, "")).await, "auth.permission_denied");
        app.ok(Some(&admin), &create("Tarifs de Douala", &d1, "")).await;
        let q = r#"{ itemsPricelists(name_Icontains: "tarifs de douala") { edges { node { id uuid name pricelistDate location { code } details { totalCount edges { node { id item { code } priceOverrule itemsPricelist { name } } } } } } } }"#;
        let r = app.ok(Some(&admin), q).await;
        let node = &r["itemsPricelists"]["edges"][0]["node"];
        assert_eq!(node["pricelistDate"], "2026-01-01");
        assert_eq!(node["location"]["code"], "D0001");
        assert_eq!(node["details"]["totalCount"], 2);
        let details = node["details"]["edges"].as_array().unwrap();
        assert_eq!(details[1]["node"]["item"]["code"], "ACT20");
        assert_eq!(details[1]["node"]["priceOverrule"], "45.00");
        assert!(details[0]["node"]["priceOverrule"].is_null());
        assert_eq!(details[0]["node"]["itemsPricelist"]["name"], "Tarifs de Douala");
        let uuid = node["uuid"].as_str().unwrap().to_string();

        // Refusals.
        assert_eq!(app.err_code(Some(&admin), &create("Tarifs de Douala", &d1, "")).await, "medical.pricelist_name_taken");
        assert_eq!(app.err_code(Some(&admin), &create("Village", &village, "")).await, "medical.pricelist_location_invalid");
        let unknown = format!(r#"mutation {{ createItemsPricelist(input: {{ name: "Inconnu", pricelistDate: "2026-01-01", addedDetails: ["{}"] }}) {{ internalId }} }}"#, uuid::Uuid::now_v7());
        assert_eq!(app.err_code(Some(&admin), &unknown).await, "medical.detail_unknown");
        let service_uuid = uuid_of(&app, "medical_service", "C0001").await;
        let wrong_kind = format!(r#"mutation {{ createItemsPricelist(input: {{ name: "Mauvais genre", pricelistDate: "2026-01-01", addedDetails: ["{service_uuid}"] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&admin), &wrong_kind).await, "medical.detail_unknown");
        let absent = format!(r#"mutation {{ createItemsPricelist(input: {{ name: "Absent", pricelistDate: "2026-01-01", priceOverrules: [{{ uuid: "{salb}", price: "1" }}] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&admin), &absent).await, "medical.detail_not_in_pricelist");
        assert_eq!(app.count("medical_pricelist", "name IN ('Village', 'Inconnu', 'Mauvais genre', 'Absent')").await, 0);
        let r = app.ok(Some(&admin), r#"{ a: validateItemsPricelistName(itemsPricelistName: "Tarifs de Douala") b: validateServicesPricelistName(servicesPricelistName: "Tarifs de Douala") }"#).await;
        assert_eq!((r["a"].as_bool(), r["b"].as_bool()), (Some(false), Some(true)));

        // Update: renamed (history), a detail removed, one added, one re-priced (detail history).
        let update = format!(
            r#"mutation {{ updateItemsPricelist(input: {{ uuid: "{uuid}", name: "Tarifs de Douala 2026", pricelistDate: "2026-02-01", locationId: "{d1}", addedDetails: ["{salb}"], removedDetails: ["{amox}"], priceOverrules: [{{ uuid: "{act}", price: "40" }}, {{ uuid: "{salb}", price: "1800" }}] }}) {{ internalId }} }}"#
        );
        assert_eq!(app.err_code(Some(&none), &update).await, "auth.permission_denied");
        app.ok(Some(&admin), &update).await;
        let r = app.ok(Some(&admin), &format!(r#"{{ itemsPricelists(uuid: "{uuid}", showHistory: true) {{ edges {{ node {{ id name pricelistDate legacyId details {{ edges {{ node {{ item {{ code }} priceOverrule }} }} }} }} }} }} }}"#)).await;
        let edges = r["itemsPricelists"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0]["node"]["name"], "Tarifs de Douala 2026");
        assert_eq!(edges[1]["node"]["name"], "Tarifs de Douala");
        assert_eq!(edges[1]["node"]["pricelistDate"], "2026-01-01");
        let codes: Vec<(String, Value)> = edges[0]["node"]["details"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["node"]["item"]["code"].as_str().unwrap().to_string(), e["node"]["priceOverrule"].clone()))
            .collect();
        assert_eq!(codes, vec![("ACT20".to_string(), Value::from("40.00")), ("SALB".to_string(), Value::from("1800.00"))]);
        let pl_id = id_of_pricelist(&app, &uuid).await;
        assert_eq!(app.count("medical_pricelist_detail", &format!("pricelist_id = {pl_id} AND validity_to IS NOT NULL")).await, 1, "AMOX5 closed");
        assert_eq!(app.history_count("medical_pricelist_detail", None).await, 2, "AMOX5 removed, ACT20 re-priced");

        // Duplicate, then the compact prices.
        let dup = format!(r#"mutation {{ duplicateItemsPricelist(input: {{ uuid: "{uuid}", name: "Copie", pricelistDate: "2026-03-01" }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&none), &dup).await, "auth.permission_denied");
        app.ok(Some(&admin), &dup).await;
        let r = app.ok(Some(&admin), r#"{ itemsPricelists(name: "Copie") { edges { node { location { code } details { totalCount } } } } }"#).await;
        assert_eq!(r["itemsPricelists"]["edges"][0]["node"]["location"]["code"], "D0001");
        assert_eq!(r["itemsPricelists"]["edges"][0]["node"]["details"]["totalCount"], 2);
        let act_id = id_of(&app, "medical_item", "ACT20").await;
        let r = app.ok(Some(&admin), &format!(r#"{{ pricelists(itemsPricelistId: {pl_id}) {{ items {{ id p }} services {{ id }} }} }}"#)).await;
        assert!(r["pricelists"]["services"].is_null());
        assert!(r["pricelists"]["items"].as_array().unwrap().iter().any(|p| p["id"] == act_id && p["p"] == "40.00"));

        // Filters of the list query.
        let r = app.ok(Some(&admin), &format!(r#"{{ a: itemsPricelists(location_Isnull: true) {{ totalCount }} b: itemsPricelists(pricelistDate_Gte: "2026-02-01", orderBy: ["-pricelistDate"]) {{ edges {{ node {{ name }} }} }} c: itemsPricelists(locationUuid: "{d1}") {{ totalCount }} d: itemsPricelists(locationUuid: "{d2}") {{ totalCount }} e: itemsPricelists(location_Type: "R") {{ totalCount }} }}"#)).await;
        assert_eq!(r["a"]["totalCount"], 0);
        assert_eq!(r["b"]["edges"][0]["node"]["name"], "Copie");
        assert_eq!(r["c"]["totalCount"], 3, "region list, the D0001 list and its copy");
        assert_eq!(r["d"]["totalCount"], 1, "only the region list");
        assert_eq!(r["e"]["totalCount"], 1);

        // Location scope (D9): a scheme administrator of D0001 sees region and D0001 lists, not
        // D0002 ones, and writes only within D0001.
        app.ok(Some(&admin), &format!(r#"mutation {{ createServicesPricelist(input: {{ name: "Services d'Edéa", pricelistDate: "2026-01-01", locationId: "{d2}" }}) {{ internalId }} }}"#)).await;
        app.ok(Some(&admin), r#"mutation { createServicesPricelist(input: { name: "Services nationaux", pricelistDate: "2026-01-01" }) { internalId } }"#).await;
        let sa = district_scheme_admin(&app).await;
        let r = app.ok(Some(&sa), r#"{ servicesPricelists { edges { node { name } } } }"#).await;
        let mut names: Vec<&str> = r["servicesPricelists"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["name"].as_str().unwrap()).collect();
        names.sort();
        assert_eq!(names, vec!["Actes et services — Littoral", "Services nationaux"]);
        let edea = uuid_of_pricelist(&app, "Services d'Edéa").await;
        let edea_id = id_of_pricelist(&app, &edea).await;
        let r = app.ok(Some(&sa), &format!(r#"{{ pricelists(servicesPricelistId: {edea_id}) {{ services {{ id }} }} }}"#)).await;
        assert_eq!(r["pricelists"]["services"].as_array().unwrap().len(), 0, "invisible list: nothing");
        assert_eq!(app.err_code(Some(&sa), &format!(r#"mutation {{ createItemsPricelist(input: {{ name: "Edéa", pricelistDate: "2026-01-01", locationId: "{d2}" }}) {{ internalId }} }}"#)).await, "auth.location_denied");
        assert_eq!(app.err_code(Some(&sa), r#"mutation { createItemsPricelist(input: { name: "National", pricelistDate: "2026-01-01" }) { internalId } }"#).await, "auth.location_denied");
        app.ok(Some(&sa), &format!(r#"mutation {{ createItemsPricelist(input: {{ name: "Douala bis", pricelistDate: "2026-01-01", locationId: "{d1}" }}) {{ internalId }} }}"#)).await;
        assert_eq!(app.err_code(Some(&sa), &format!(r#"mutation {{ deleteServicesPricelist(input: {{ uuids: ["{edea}"] }}) {{ internalId }} }}"#)).await, "auth.location_denied");

        // Delete: refused while a facility uses the list, otherwise soft with details closed.
        let demo = scalar(&app, "SELECT uuid AS v FROM medical_pricelist WHERE kind = 'I' AND location_id IS NOT NULL ORDER BY id").await.unwrap();
        let demo = demo.as_str().unwrap();
        assert_eq!(app.err_code(Some(&admin), &format!(r#"mutation {{ deleteItemsPricelist(input: {{ uuids: ["{demo}"] }}) {{ internalId }} }}"#)).await, "medical.pricelist_in_use");
        let del = format!(r#"mutation {{ deleteItemsPricelist(input: {{ uuids: ["{uuid}"] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&none), &del).await, "auth.permission_denied");
        app.ok(Some(&admin), &del).await;
        assert_eq!(app.count("medical_pricelist_detail", &format!("pricelist_id = {pl_id} AND validity_to IS NULL")).await, 0);
        let r = app.ok(Some(&admin), &format!(r#"{{ itemsPricelists(uuid: "{uuid}") {{ totalCount }} }}"#)).await;
        assert_eq!(r["itemsPricelists"]["totalCount"], 0);
        assert_eq!(
            app.err_code(Some(&none), r#"{ servicesPricelists { totalCount } }"#).await,
            "auth.permission_denied"
        );

        // Services lists: create with a client uuid (D4), update, duplicate, delete.
        let cons = uuid_of(&app, "medical_service", "C0001").await;
        let vacc = uuid_of(&app, "medical_service", "P0001").await;
        let own = uuid::Uuid::now_v7();
        let create = |name: &str| {
            format!(
                r#"mutation {{ createServicesPricelist(input: {{ uuid: "{own}", name: "{name}", pricelistDate: "2026-01-01", locationId: "{d1}", addedDetails: ["{cons}"], priceOverrules: [{{ uuid: "{cons}", price: "1800" }}] }}) {{ internalId }} }}"#
            )
        };
        assert_eq!(app.err_code(Some(&none), &create("Services de Douala")).await, "auth.permission_denied");
        app.ok(Some(&admin), &create("Services de Douala")).await;
        app.ok(Some(&admin), &create("Services de Douala")).await;
        assert_eq!(app.count("medical_pricelist", "name = 'Services de Douala'").await, 1, "same content: the existing list");
        assert_eq!(app.err_code(Some(&admin), &create("Autre nom")).await, "conflict.uuid_exists");
        let update = format!(
            r#"mutation {{ updateServicesPricelist(input: {{ uuid: "{own}", name: "Services de Douala 2026", pricelistDate: "2026-01-01", locationId: "{d1}", addedDetails: ["{vacc}"], priceOverrules: [{{ uuid: "{cons}", price: null }}] }}) {{ internalId }} }}"#
        );
        assert_eq!(app.err_code(Some(&none), &update).await, "auth.permission_denied");
        app.ok(Some(&admin), &update).await;
        let r = app
            .ok(Some(&admin), &format!(r#"{{ servicesPricelists(uuid: "{own}", showHistory: true) {{ edges {{ node {{ name details {{ edges {{ node {{ service {{ code }} priceOverrule servicesPricelist {{ name }} }} }} }} }} }} }} }}"#))
            .await;
        let edges = r["servicesPricelists"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[1]["node"]["name"], "Services de Douala");
        let details = edges[0]["node"]["details"]["edges"].as_array().unwrap();
        assert_eq!(details.len(), 2);
        assert_eq!(details[0]["node"]["service"]["code"], "C0001");
        assert!(details[0]["node"]["priceOverrule"].is_null(), "override removed");
        let dup = format!(r#"mutation {{ duplicateServicesPricelist(input: {{ uuid: "{own}", name: "Services de Douala (copie)", pricelistDate: "2026-06-01", locationId: "{d2}" }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&none), &dup).await, "auth.permission_denied");
        app.ok(Some(&admin), &dup).await;
        let r = app.ok(Some(&admin), r#"{ servicesPricelists(name_Istartswith: "services de douala (") { edges { node { location { code } details { totalCount } } } } }"#).await;
        assert_eq!(r["servicesPricelists"]["edges"][0]["node"]["location"]["code"], "D0002");
        assert_eq!(r["servicesPricelists"]["edges"][0]["node"]["details"]["totalCount"], 2);
        let del = format!(r#"mutation {{ deleteServicesPricelist(input: {{ uuids: ["{own}"] }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&none), &del).await, "auth.permission_denied");
        app.ok(Some(&admin), &del).await;
        assert_eq!(app.count("medical_pricelist", "name = 'Services de Douala 2026' AND validity_to IS NULL").await, 0);
        db
    })
    .await;
}

async fn uuid_of_pricelist(app: &TestApp, name: &str) -> String {
    scalar(
        app,
        &format!(
            "SELECT uuid AS v FROM medical_pricelist WHERE name = '{}' AND validity_to IS NULL",
            name.replace('\'', "''")
        ),
    )
    .await
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap()
}

async fn id_of_pricelist(app: &TestApp, uuid: &str) -> i64 {
    let u = uuid::Uuid::parse_str(uuid).unwrap();
    let row = app
        .state
        .db
        .conn
        .query_one_raw(imis_core::db::stmt(
            app.state.db.backend(),
            "SELECT id FROM medical_pricelist WHERE uuid = ?",
            vec![u.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "id").unwrap()
}

#[tokio::test]
async fn facility_price_lists_and_claimable_prices() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let in_days = |n: u64| today.checked_add_days(Days::new(n)).unwrap();
        let yesterday = today.checked_sub_days(Days::new(1)).unwrap();
        let d1 = imis_tests::fixtures::location_id(&app, "D0001").await;
        let d2_uuid = location_uuid(&app, "D0002").await;
        let act = uuid_of(&app, "medical_item", "ACT20").await;
        let amox = uuid_of(&app, "medical_item", "AMOX5").await;
        let act_id = id_of(&app, "medical_item", "ACT20").await;
        let amox_id = id_of(&app, "medical_item", "AMOX5").await;
        let salb_id = id_of(&app, "medical_item", "SALB").await;
        let cons_id = id_of(&app, "medical_service", "C0001").await;

        // A national list dated in the past and one dated in ten days, both entered today.
        app.ok(Some(&admin), &format!(r#"mutation {{ createItemsPricelist(input: {{ name: "National", pricelistDate: "2020-01-01", addedDetails: ["{act}", "{amox}"], priceOverrules: [{{ uuid: "{act}", price: "55" }}] }}) {{ internalId }} }}"#)).await;
        app.ok(Some(&admin), &format!(r#"mutation {{ createItemsPricelist(input: {{ name: "Futur", pricelistDate: "{}", addedDetails: ["{act}"] }}) {{ internalId }} }}"#, in_days(10))).await;
        app.ok(Some(&admin), &format!(r#"mutation {{ createItemsPricelist(input: {{ name: "Edéa", pricelistDate: "2020-01-01", locationId: "{d2_uuid}", addedDetails: ["{act}"] }}) {{ internalId }} }}"#)).await;
        let national = id_of_pricelist(&app, &uuid_of_pricelist(&app, "National").await).await;
        let future = id_of_pricelist(&app, &uuid_of_pricelist(&app, "Futur").await).await;
        let edea = id_of_pricelist(&app, &uuid_of_pricelist(&app, "Edéa").await).await;
        let services = scalar(&app, "SELECT id AS v FROM medical_pricelist WHERE kind = 'S'").await.unwrap().as_i64().unwrap();

        // The facility gets its lists through createHealthFacility (health_facility.saving).
        let create = |code: &str, items: i64, services: &str| {
            format!(
                r#"mutation {{ createHealthFacility(input: {{ code: "{code}", name: "Centre médical d'Akwa", legalFormId: "G", level: "C", locationId: {d1}, careType: "B", itemsPricelistId: {items} {services} }}) {{ internalId }} }}"#
            )
        };
        app.ok(Some(&admin), &create("HF900", national, &format!(", servicesPricelistId: {services}"))).await;
        let r = app.ok(Some(&admin), r#"{ healthFacilities(code: "HF900") { edges { node { itemsPricelist { id uuid name } servicesPricelist { name } } } } }"#).await;
        let node = &r["healthFacilities"]["edges"][0]["node"];
        assert_eq!(node["itemsPricelist"]["name"], "National");
        assert_eq!(node["itemsPricelist"]["id"], national);
        assert_eq!(node["servicesPricelist"]["name"], "Actes et services — Littoral");
        // Refused: a services list as items list, a list of another district, an unknown list.
        for (code, items) in [("HF901", services), ("HF902", edea), ("HF903", 999999)] {
            assert_eq!(app.err_code(Some(&admin), &create(code, items, "")).await, "medical.pricelist_invalid", "{code}");
            assert_eq!(facility_rows(&app, code).await, 0);
        }
        let hf = facility_id(&app, "HF900").await;
        let price = |kind: MedicalKind, id: i64, date: NaiveDate| {
            let st = app.state.clone();
            async move { medical::claimable_price(&st, &st.db.conn, hf, kind, id, date).await.unwrap() }
        };
        // Override, own price, not in the list, other kind without list entry.
        assert_eq!(price(MedicalKind::Item, act_id, today).await, Some(dec("55")));
        assert_eq!(price(MedicalKind::Item, amox_id, today).await, Some(dec("25")));
        assert_eq!(price(MedicalKind::Item, salb_id, today).await, None, "not in the list");
        assert_eq!(price(MedicalKind::Service, cons_id, today).await, Some(dec("1500")), "demo override");
        // The list was entered today: not valid yesterday (D11), although dated 2020.
        assert_eq!(price(MedicalKind::Item, act_id, yesterday).await, None);

        // An update keeps the previous prices for earlier dates.
        let hf_uuid = facility_uuid(&app, "HF900").await;
        app.ok(Some(&admin), &format!(r#"mutation {{ updateHealthFacility(input: {{ uuid: "{hf_uuid}", code: "HF900", name: "Centre médical d'Akwa", legalFormId: "G", level: "C", locationId: {d1}, careType: "B", itemsPricelistId: {future} }}) {{ internalId }} }}"#)).await;
        let r = app.ok(Some(&admin), r#"{ healthFacilities(code: "HF900") { edges { node { itemsPricelist { name } servicesPricelist { name } } } } }"#).await;
        assert_eq!(r["healthFacilities"]["edges"][0]["node"]["itemsPricelist"]["name"], "Futur");
        assert!(r["healthFacilities"]["edges"][0]["node"]["servicesPricelist"].is_null(), "omitted: removed");
        // Before the list's date: nothing; on and after it: the item's own price.
        assert_eq!(price(MedicalKind::Item, act_id, in_days(9)).await, None);
        assert_eq!(price(MedicalKind::Item, act_id, in_days(10)).await, Some(dec("60")));
        assert_eq!(price(MedicalKind::Item, act_id, in_days(400)).await, Some(dec("60")));
        // A facility without a services list.
        assert_eq!(price(MedicalKind::Service, cons_id, today).await, None);

        // Demo facilities have the demo lists, dated and entered in 2020: versions count.
        let demo_hf = facility_id(&app, "CS0001").await;
        let demo_price = |id: i64, date: NaiveDate| {
            let st = app.state.clone();
            async move { medical::claimable_price(&st, &st.db.conn, demo_hf, MedicalKind::Item, id, date).await.unwrap() }
        };
        assert_eq!(demo_price(act_id, day("2025-06-01")).await, Some(dec("50")));
        assert_eq!(demo_price(act_id, day("2019-12-31")).await, None, "before the list existed");
        let demo_list = scalar(&app, "SELECT uuid AS v FROM medical_pricelist WHERE kind = 'I' AND location_id IS NOT NULL").await.unwrap();
        let demo_list = demo_list.as_str().unwrap();
        let region = location_uuid(&app, "R0001").await;
        app.ok(Some(&admin), &format!(r#"mutation {{ updateItemsPricelist(input: {{ uuid: "{demo_list}", name: "Médicaments et consommables — Littoral", pricelistDate: "2020-01-01", locationId: "{region}", priceOverrules: [{{ uuid: "{act}", price: "65" }}] }}) {{ internalId }} }}"#)).await;
        app.ok(Some(&admin), &format!(r#"mutation {{ updateItem(input: {{ uuid: "{amox}", code: "AMOX5", name: "Amoxicilline 500 mg, gélule", type: "D", careType: "B", price: "30", patientCategory: 15 }}) {{ internalId }} }}"#)).await;
        assert_eq!(demo_price(act_id, day("2025-06-01")).await, Some(dec("50")), "the override of that day");
        assert_eq!(demo_price(act_id, today).await, Some(dec("65")));
        // AMOX5 carries a demo override of 20 in this list: the item's own price does not matter.
        assert_eq!(demo_price(amox_id, today).await, Some(dec("20")));
        let many = medical::claimable_prices(&app.state, &app.state.db.conn, demo_hf, MedicalKind::Item, &[act_id, amox_id, salb_id, 999999], day("2025-06-01")).await.unwrap();
        assert_eq!(many.len(), 3);
        assert_eq!(many[&salb_id], dec("2000"));
        // Register validity on a date (claims' rejection reason 1).
        let valid = medical::valid_medical_ids(&app.state, &app.state.db.conn, MedicalKind::Item, &[act_id, 999999], day("2025-06-01")).await.unwrap();
        assert!(valid.contains(&act_id) && valid.len() == 1);
        // The item's own price of another facility's list follows the item's versions.
        assert_eq!(price(MedicalKind::Item, amox_id, in_days(10)).await, None, "AMOX5 is not in Futur");

        // A facility user reads the compact prices of their own facility's lists only.
        let claimadmin = app.principal("claimadmin").await; // facility HD0001, no 121301
        let demo_list_id = id_of_pricelist(&app, demo_list).await;
        let r = app.ok(Some(&claimadmin), &format!(r#"{{ pricelists(itemsPricelistId: {demo_list_id}) {{ items {{ id p }} }} }}"#)).await;
        assert!(r["pricelists"]["items"].as_array().unwrap().len() >= 29);
        assert_eq!(app.err_code(Some(&claimadmin), &format!(r#"{{ pricelists(itemsPricelistId: {national}) {{ items {{ id }} }} }}"#)).await, "auth.permission_denied");
        assert_eq!(app.err_code(None, r#"{ pricelists { items { id } } }"#).await, "auth.unauthenticated");
        db
    })
    .await;
}

#[test]
fn every_error_code_has_messages() {
    for (code, en, fr) in imis_medical::MESSAGES {
        assert!(!en.is_empty() && !fr.is_empty(), "{code}");
        assert!(imis_core::i18n::has_message(code));
    }
}

#[tokio::test]
async fn the_import_diagnoses_command_of_the_descriptor() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let command = imis_core::registry::linked_modules()
            .filter(|m| m.name == "medical")
            .flat_map(|m| m.cli.iter())
            .find(|c| c.name == "import diagnoses")
            .expect("the medical module declares `imis import diagnoses FILE`");
        let dir = std::env::temp_dir().join(format!("imis-medical-cli-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("icd.csv");
        std::fs::write(&file, "code,name\nZ98,Code de test\n").unwrap();
        let path = file.display().to_string();
        let out = (command.run)(app.state.clone(), vec![path.clone()])
            .await
            .unwrap();
        assert_eq!(
            out,
            format!("{path}: 1 lines, 1 added, 0 updated, 0 unchanged")
        );
        assert_eq!(
            app.count("medical_diagnosis", "code = 'Z98' AND validity_to IS NULL")
                .await,
            1
        );
        let usage = (command.run)(app.state.clone(), vec![]).await.unwrap_err();
        assert_eq!(usage.code, "medical.import_usage");
        assert!(imis_core::i18n::has_message(&usage.code));
        let missing = dir.join("absent.csv").display().to_string();
        let unreadable = (command.run)(app.state.clone(), vec![missing])
            .await
            .unwrap_err();
        assert_eq!(unreadable.code, "medical.import_unreadable");
        std::fs::remove_dir_all(&dir).unwrap();
        db
    })
    .await;
}

#[tokio::test]
async fn items_services_and_diagnoses_answer_node() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let clerk = app.principal("clerk").await;
        let r = app
            .ok(Some(&clerk), r#"{ medicalItems(code: "ACT20") { edges { node { id code } } } medicalServices(code: "C0005") { edges { node { id code } } } diagnoses(code: "A09") { edges { node { id code } } } }"#)
            .await;
        for (list, fragment) in [("medicalItems", "ItemGQLType"), ("medicalServices", "ServiceGQLType"), ("diagnoses", "DiagnosisGQLType")] {
            let node = &r[list]["edges"][0]["node"];
            let id = node["id"].as_str().unwrap();
            let n = app.ok(Some(&clerk), &format!(r#"{{ node(id: "{id}") {{ id ... on {fragment} {{ code }} }} }}"#)).await;
            assert_eq!(n["node"]["id"], id, "{list}");
            assert_eq!(n["node"]["code"], node["code"], "{list}");
        }
        // An unknown key of a medical type is null.
        let unknown = imis_core::graphql::global_id("ItemGQLType", 999_999);
        assert!(app.ok(Some(&clerk), &format!(r#"{{ node(id: "{}") {{ id }} }}"#, unknown.as_str())).await["node"].is_null());
        db
    })
    .await;
}

#[tokio::test]
async fn price_lists_answer_node_within_the_lists_scope() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let admin = app.principal("Admin").await;
        let d1 = location_uuid(&app, "D0001").await;
        let d2 = location_uuid(&app, "D0002").await;
        let cons = uuid_of(&app, "medical_service", "C0001").await;
        let amox = uuid_of(&app, "medical_item", "AMOX5").await;
        app.ok(Some(&admin), &format!(r#"mutation {{ createServicesPricelist(input: {{ name: "Services d'Edéa", pricelistDate: "2026-01-01", locationId: "{d2}", addedDetails: ["{cons}"] }}) {{ internalId }} }}"#)).await;
        app.ok(Some(&admin), &format!(r#"mutation {{ createItemsPricelist(input: {{ name: "Produits de Douala", pricelistDate: "2026-01-01", locationId: "{d1}", addedDetails: ["{amox}"] }}) {{ internalId }} }}"#)).await;
        let douala = uuid_of_pricelist(&app, "Produits de Douala").await;
        app.ok(Some(&admin), &format!(r#"mutation {{ updateItemsPricelist(input: {{ uuid: "{douala}", name: "Produits de Douala 2026", pricelistDate: "2026-02-01", locationId: "{d1}" }}) {{ internalId }} }}"#)).await;

        // The ids the lists give, current and previous versions.
        let ids = |list: &str, filter: &str| format!(r#"{{ {list}({filter}, showHistory: true) {{ edges {{ node {{ id }} }} }} }}"#);
        let edge_ids = |r: &Value, list: &str| -> Vec<String> {
            r[list]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_string()).collect()
        };
        let edea = edge_ids(&app.ok(Some(&admin), &ids("servicesPricelists", r#"name: "Services d'Edéa""#)).await, "servicesPricelists");
        let items = edge_ids(&app.ok(Some(&admin), &ids("itemsPricelists", &format!(r#"uuid: "{douala}""#))).await, "itemsPricelists");
        assert_eq!((edea.len(), items.len()), (1, 2), "the items list has a previous version");
        let region = edge_ids(&app.ok(Some(&admin), &ids("servicesPricelists", r#"location_Type: "R""#)).await, "servicesPricelists");

        // The price-list detail page's own document.
        let node = |id: &str, fragment: &str| {
            format!(
                r#"{{ node(id: "{id}") {{ id ... on {fragment} {{ id uuid name validityFrom validityTo pricelistDate detailsCount: details {{ totalCount }}
                    location {{ id name uuid code type parent {{ id uuid code name type }} }} }} }} }}"#
            )
        };
        let n = app.ok(Some(&admin), &node(&edea[0], "ServicesPricelistGQLType")).await["node"].clone();
        assert_eq!(n["id"], edea[0].as_str());
        assert_eq!(n["name"], "Services d'Edéa");
        assert_eq!(n["pricelistDate"], "2026-01-01");
        assert_eq!(n["detailsCount"]["totalCount"], 1);
        assert_eq!(n["location"]["code"], "D0002");
        assert_eq!(n["location"]["parent"]["code"], "R0001");
        assert!(n["validityTo"].is_null());
        let current = app.ok(Some(&admin), &node(&items[0], "ItemsPricelistGQLType")).await["node"].clone();
        assert_eq!((current["name"].as_str(), current["uuid"].as_str()), (Some("Produits de Douala 2026"), Some(douala.as_str())));
        assert_eq!(current["detailsCount"]["totalCount"], 1);
        // A history id answers that version.
        let previous = app.ok(Some(&admin), &node(&items[1], "ItemsPricelistGQLType")).await["node"].clone();
        assert_eq!(previous["id"], items[1].as_str());
        assert_eq!((previous["name"].as_str(), previous["pricelistDate"].as_str()), (Some("Produits de Douala"), Some("2026-01-01")));
        assert!(previous["validityTo"].is_string());
        // A services list's id read as an items list (same table, other kind) is null.
        let pk = |id: &str| imis_core::graphql::decode_global_id(id).unwrap().1;
        let as_items = imis_core::graphql::global_id("ItemsPricelistGQLType", pk(&edea[0]));
        assert!(app.ok(Some(&admin), &node(as_items.as_str(), "ItemsPricelistGQLType")).await["node"].is_null());
        let unknown = imis_core::graphql::global_id("ServicesPricelistGQLType", 999_999);
        assert!(app.ok(Some(&admin), &node(unknown.as_str(), "ServicesPricelistGQLType")).await["node"].is_null());

        // D9: a scheme administrator of D0001 gets D0001 and region lists, not the D0002 one.
        let sa = district_scheme_admin(&app).await;
        assert!(app.ok(Some(&sa), &node(&edea[0], "ServicesPricelistGQLType")).await["node"].is_null());
        assert_eq!(app.ok(Some(&sa), &node(&region[0], "ServicesPricelistGQLType")).await["node"]["location"]["code"], "R0001");
        for id in &items {
            assert_eq!(app.ok(Some(&sa), &node(id, "ItemsPricelistGQLType")).await["node"]["id"], id.as_str());
        }
        // Without the kind's search right: null, as the list would refuse.
        for who in [nobody(&app).await, app.principal("clerk").await] {
            // 121201 and 121301: the services and items price-list search rights.
            assert!(!who.has_right(121201) && !who.has_right(121301));
            assert!(app.ok(Some(&who), &node(&region[0], "ServicesPricelistGQLType")).await["node"].is_null());
            assert!(app.ok(Some(&who), &node(&items[0], "ItemsPricelistGQLType")).await["node"].is_null());
        }
        // A deleted list is no longer listed: null, its previous versions too.
        app.ok(Some(&admin), &format!(r#"mutation {{ deleteItemsPricelist(input: {{ uuids: ["{douala}"] }}) {{ internalId }} }}"#)).await;
        for id in &items {
            assert!(app.ok(Some(&admin), &node(id, "ItemsPricelistGQLType")).await["node"].is_null());
        }
        db
    })
    .await;
}

/// The query of a recorded front-end request (fe-medical_pricelist's detail page), with the
/// recorded price-list global id replaced by `list_id`.
fn frontend_query(fixture: &str, recorded_id: &str, list_id: &str) -> String {
    let path = format!(
        "{}/../../tests/fixtures/frontend/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json");
    let query = recorded["query"].as_str().expect("query");
    assert!(query.contains(recorded_id), "{fixture} names {recorded_id}");
    query.replace(recorded_id, list_id)
}

/// The `priceOverrule`s of the node with this code in a `medicalItems` / `medicalServices` answer.
fn overrules(answer: &Value, root: &str, code: &str) -> Vec<Value> {
    let edges = answer[root]["edges"].as_array().expect("edges");
    let node = &edges
        .iter()
        .find(|e| e["node"]["code"] == code)
        .unwrap_or_else(|| panic!("no {code}"))["node"];
    node["pricelistDetails"]["edges"]
        .as_array()
        .expect("details")
        .iter()
        .map(|e| e["node"]["priceOverrule"].clone())
        .collect()
}

#[tokio::test]
async fn pricelist_details_of_items_and_services() {
    on_each_db(|db: TestDb| async move {
        let app = app(&db).await;
        let admin = app.principal("Admin").await;
        let list_id = |kind: &str, name: &str| {
            let q = format!(r#"{{ {kind}Pricelists(name_Icontains: "{name}") {{ edges {{ node {{ id }} }} }} }}"#);
            let app = &app;
            let admin = &admin;
            let kind = kind.to_string();
            async move {
                let r = app.ok(Some(admin), &q).await;
                r[format!("{kind}Pricelists")]["edges"][0]["node"]["id"].as_str().expect("list id").to_string()
            }
        };
        let items_demo = list_id("items", "Littoral").await;
        let services_demo = list_id("services", "Littoral").await;

        // The recorded documents: the demo lists' overrides, null where the list keeps the
        // item's own price, nothing for items outside the list.
        let items_q = frontend_query("pricelists-items-4.json", "SXRlbXNQcmljZWxpc3RHUUxUeXBlOjE=", &items_demo);
        let r = app.ok(Some(&admin), &items_q).await;
        assert_eq!(overrules(&r, "medicalItems", "ACT20"), vec![Value::from("50.00")]);
        assert_eq!(overrules(&r, "medicalItems", "AMOX5"), vec![Value::from("20.00")]);
        let demo_pk = id_of_pricelist(&app, &uuid_of_pricelist(&app, "Médicaments et consommables — Littoral").await).await;
        for e in r["medicalItems"]["edges"].as_array().unwrap() {
            let details = e["node"]["pricelistDetails"]["edges"].as_array().unwrap();
            let code = e["node"]["code"].as_str().unwrap();
            let id = id_of(&app, "medical_item", code).await;
            let member = app.count("medical_pricelist_detail", &format!("pricelist_id = {demo_pk} AND medical_id = {id} AND validity_to IS NULL")).await;
            assert_eq!(details.len() as u64, member as u64, "{code}");
        }
        let services_q = frontend_query("pricelists-services-4.json", "U2VydmljZXNQcmljZWxpc3RHUUxUeXBlOjI=", &services_demo);
        let r = app.ok(Some(&admin), &services_q).await;
        assert_eq!(overrules(&r, "medicalServices", "C0001"), vec![Value::from("1500.00")]);

        // An integer id names the list too; no list: every visible list naming the item.
        let amox = uuid_of(&app, "medical_item", "AMOX5").await;
        let d2 = location_uuid(&app, "D0002").await;
        app.ok(Some(&admin), &format!(r#"mutation {{ createItemsPricelist(input: {{ name: "Edéa", pricelistDate: "2026-01-01", locationId: "{d2}", addedDetails: ["{amox}"], priceOverrules: [{{ uuid: "{amox}", price: "25" }}] }}) {{ internalId }} }}"#)).await;
        let edea = uuid_of_pricelist(&app, "Edéa").await;
        let edea_pk = id_of_pricelist(&app, &edea).await;
        let edea_id = list_id("items", "Edéa").await;
        let by_pk = format!(r#"{{ medicalItems(code: "AMOX5") {{ edges {{ node {{ code pricelistDetails(itemsPricelist: "{edea_pk}") {{ totalCount edges {{ node {{ priceOverrule itemsPricelist {{ name }} item {{ code }} }} }} }} }} }} }} }}"#);
        let r = app.ok(Some(&admin), &by_pk).await;
        let details = &r["medicalItems"]["edges"][0]["node"]["pricelistDetails"];
        assert_eq!(details["totalCount"], 1);
        assert_eq!(details["edges"][0]["node"]["priceOverrule"], "25.00");
        assert_eq!(details["edges"][0]["node"]["itemsPricelist"]["name"], "Edéa");
        assert_eq!(details["edges"][0]["node"]["item"]["code"], "AMOX5");
        let all = r#"{ medicalItems(code: "AMOX5") { edges { node { code pricelistDetails(first: 1) { totalCount edges { node { priceOverrule } } } } } } }"#;
        let r = app.ok(Some(&admin), all).await;
        let details = &r["medicalItems"]["edges"][0]["node"]["pricelistDetails"];
        assert_eq!(details["totalCount"], 2, "demo and Edéa lists");
        assert_eq!(details["edges"].as_array().unwrap().len(), 1, "first: 1");

        // Scope (D9): a D0001 administrator sees the region list, not the D0002 one (empty, not
        // an error); without the search right nothing shows.
        let sa = district_scheme_admin(&app).await;
        let q = |list: &str| format!(r#"{{ medicalItems(code: "AMOX5") {{ edges {{ node {{ pricelistDetails(itemsPricelist: "{list}") {{ totalCount }} }} }} }} }}"#);
        let count = |r: &Value| r["medicalItems"]["edges"][0]["node"]["pricelistDetails"]["totalCount"].clone();
        assert_eq!(count(&app.ok(Some(&sa), &q(&edea_id)).await), 0, "D0002 list out of scope");
        assert_eq!(count(&app.ok(Some(&sa), &q(&items_demo)).await), 1, "region list in scope");
        let r = app.ok(Some(&sa), all).await;
        assert_eq!(r["medicalItems"]["edges"][0]["node"]["pricelistDetails"]["totalCount"], 1, "only the region list");
        let none = nobody(&app).await;
        assert_eq!(count(&app.ok(Some(&none), &q(&items_demo)).await), 0, "no search right");

        // The item of a node(id:) and of a package line load their details alone.
        let amox_node = r#"{ medicalItems(code: "AMOX5") { edges { node { id } } } }"#;
        let node_id = app.ok(Some(&admin), amox_node).await["medicalItems"]["edges"][0]["node"]["id"].as_str().unwrap().to_string();
        let r = app.ok(Some(&admin), &format!(r#"{{ node(id: "{node_id}") {{ ... on ItemGQLType {{ pricelistDetails(itemsPricelist: "{items_demo}") {{ edges {{ node {{ priceOverrule }} }} }} }} }} }}"#)).await;
        assert_eq!(r["node"]["pricelistDetails"]["edges"][0]["node"]["priceOverrule"], "20.00");

        // A global id of another type is refused.
        assert_eq!(app.err_code(Some(&admin), &q(&services_demo)).await, "input.invalid_id");
        db
    })
    .await;
}
