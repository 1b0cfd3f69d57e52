//! Claim entry through GraphQL, on SQLite and PostgreSQL: `createClaim` and `updateClaim` as the
//! web front end sends them (literal inputs, integer ids, amounts as strings or numbers), every
//! refusal of reference §1.4, restore, generated codes, idempotent uuids (D4), history (D7), and
//! scope: a claim administrator of another facility and a user of another district cannot write.

// The composed GraphQL roots nest deeply enough to pass rustc's default query depth.
#![recursion_limit = "256"]

use chrono::Duration;
use imis_core::auth::{Principal, UserKinds};
use imis_tests::fixtures::{self, Medical};
use imis_tests::{TestApp, on_each_app};
use serde_json::Value;

/// The demo rows the scenarios use (ids as the front end sends them).
struct Demo {
    admin: Principal,
    claimadmin: Principal,
    claimadmin_id: i64,
    /// `HD0001` (district D0001, the demo claim administrator's), `CS0001` (D0001), `DS0001`
    /// (D0002).
    hd: i64,
    cs: i64,
    ds: i64,
    /// A head of family living in D0001, and one in D0002.
    insuree_d1: i64,
    insuree_d2: i64,
    b54: i64,
    j18: i64,
    para: i64,
    amox: i64,
    consult: i64,
    smear: i64,
}

fn decode(id: &Value) -> i64 {
    let (_, key) = imis_core::graphql::decode_global_id(id.as_str().unwrap()).unwrap();
    key.parse().unwrap()
}

async fn diagnosis(app: &TestApp, admin: &Principal, code: &str) -> i64 {
    let d = app
        .ok(
            Some(admin),
            &format!(r#"{{ diagnoses(code: "{code}") {{ edges {{ node {{ id }} }} }} }}"#),
        )
        .await;
    decode(&d["diagnoses"]["edges"][0]["node"]["id"])
}

/// A head of family whose village lies in `district`.
async fn head_in(app: &TestApp, admin: &Principal, district: &str) -> i64 {
    let d = app
        .ok(
            Some(admin),
            "{ insurees(first: 100) { edges { node { id head family { location { parent { parent { code } } } } } } } }",
        )
        .await;
    let node = d["insurees"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| {
            n["head"] == true && n["family"]["location"]["parent"]["parent"]["code"] == district
        })
        .unwrap_or_else(|| panic!("no head of family in {district}"));
    decode(&node["id"])
}

async fn demo(app: &TestApp) -> Demo {
    let admin = app.principal("Admin").await;
    Demo {
        claimadmin: app.principal("claimadmin").await,
        claimadmin_id: fixtures::user_id(app, "claimadmin").await,
        hd: fixtures::facility_id(app, "HD0001").await,
        cs: fixtures::facility_id(app, "CS0001").await,
        ds: fixtures::facility_id(app, "DS0001").await,
        insuree_d1: head_in(app, &admin, "D0001").await,
        insuree_d2: head_in(app, &admin, "D0002").await,
        b54: diagnosis(app, &admin, "B54").await,
        j18: diagnosis(app, &admin, "J18").await,
        para: fixtures::medical_id(app, Medical::Item, "PARA5").await.0,
        amox: fixtures::medical_id(app, Medical::Item, "AMOX5").await.0,
        consult: fixtures::medical_id(app, Medical::Service, "C0001").await.0,
        smear: fixtures::medical_id(app, Medical::Service, "L0001").await.0,
        admin,
    }
}

/// A claim input as the front end writes it; `items`/`services` are literal line lists.
#[derive(Clone)]
struct Spec {
    uuid: String,
    code: String,
    insuree: i64,
    facility: i64,
    admin: Option<i64>,
    icd: i64,
    items: String,
    services: String,
    extra: String,
}

impl Spec {
    fn new(app: &TestApp, d: &Demo, code: &str) -> Spec {
        Spec {
            uuid: fixtures::new_uuid(),
            code: code.into(),
            insuree: d.insuree_d1,
            facility: d.hd,
            admin: None,
            icd: d.b54,
            items: format!(
                r#"[{{ itemId: {} priceAsked: "10.00" qtyProvided: "10.00" status: 1 }}, {{ itemId: {} priceAsked: 25 qtyProvided: 2.5 status: 1 explanation: "twice a day" }}]"#,
                d.para, d.amox
            ),
            services: format!(
                r#"[{{ serviceId: {} priceAsked: "2000.00" qtyProvided: "1.00" status: 1 }}]"#,
                d.consult
            ),
            extra: dates(app, 3, 1),
        }
    }

    fn fields(&self) -> String {
        let admin = self
            .admin
            .map(|a| format!("adminId: {a}"))
            .unwrap_or_default();
        format!(
            r#"uuid: "{}" code: "{}" insureeId: {} healthFacilityId: {} {admin} icdId: {} visitType: "O" items: {} services: {} {}"#,
            self.uuid,
            self.code,
            self.insuree,
            self.facility,
            self.icd,
            self.items,
            self.services,
            self.extra
        )
    }

    fn create(&self, cmid: &str) -> String {
        format!(
            r#"mutation {{ createClaim(input: {{ clientMutationId: "{cmid}" clientMutationLabel: "Create" {} }}) {{ clientMutationId internalId }} }}"#,
            self.fields()
        )
    }

    fn update(&self, cmid: &str) -> String {
        format!(
            r#"mutation {{ updateClaim(input: {{ clientMutationId: "{cmid}" {} }}) {{ internalId }} }}"#,
            self.fields()
        )
    }
}

/// `dateFrom` `from` days ago and `dateClaimed` `claimed` days ago.
fn dates(app: &TestApp, from: i64, claimed: i64) -> String {
    let today = app.state.clock.today();
    format!(
        r#"dateFrom: "{}" dateClaimed: "{}""#,
        fixtures::date_string(today - Duration::days(from)),
        fixtures::date_string(today - Duration::days(claimed))
    )
}

const CLAIM_FIELDS: &str = "id uuid code status claimed feedbackStatus reviewStatus visitType dateFrom dateClaimed restoreId restore { uuid code } explanation jsonExt admin { code } healthFacility { code } insuree { id } icd { code } icd1 { code } items { id item { code } qtyProvided priceAsked status explanation } services { id service { code } qtyProvided priceAsked }";

async fn read(app: &TestApp, who: &Principal, uuid: &str) -> Value {
    app.ok(
        Some(who),
        &format!(r#"{{ claim(uuid: "{uuid}") {{ {CLAIM_FIELDS} }} }}"#),
    )
    .await["claim"]
        .clone()
}

async fn refused(app: &TestApp, who: &Principal, mutation: &str, code: &str) {
    assert_eq!(app.err_code(Some(who), mutation).await, code, "{mutation}");
}

fn delete_claims(cmid: &str, uuids: &[&str]) -> String {
    format!(
        r#"mutation {{ deleteClaims(input: {{ clientMutationId: "{cmid}" uuids: {} }}) {{ clientMutationId internalId }} }}"#,
        serde_json::to_string(uuids).unwrap()
    )
}

/// The status of the mutation log row `cmid` and its items' errors as (key, code), in order.
async fn item_errors(app: &TestApp, admin: &Principal, cmid: &str) -> (i64, Vec<(String, String)>) {
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
            (
                e["detail"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (node["status"].as_i64().expect("status"), errors)
}

#[tokio::test]
async fn a_claim_administrator_enters_a_claim_as_the_front_end_sends_it() {
    on_each_app(|app: TestApp| async move {
        let d = demo(&app).await;
        let spec = Spec::new(&app, &d, "CL-0001");
        app.ok(Some(&d.claimadmin), &spec.create("entry-1")).await;
        let c = read(&app, &d.claimadmin, &spec.uuid).await;
        assert_eq!(c["code"], "CL-0001");
        assert_eq!(c["status"], 2);
        assert_eq!((c["feedbackStatus"].clone(), c["reviewStatus"].clone()), (1.into(), 1.into()));
        // 10 × 10 + 2.5 × 25 + 1 × 2000
        assert_eq!(c["claimed"], "2162.50");
        assert_eq!(c["admin"]["code"], "claimadmin", "a claim administrator enters as itself");
        assert_eq!(c["healthFacility"]["code"], "HD0001");
        assert_eq!(decode(&c["insuree"]["id"]), d.insuree_d1);
        assert_eq!(c["icd"]["code"], "B54");
        assert_eq!(c["icd1"], Value::Null);
        assert_eq!(c["visitType"], "O");
        let items = c["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["item"]["code"], "PARA5");
        assert_eq!((items[0]["qtyProvided"].clone(), items[0]["priceAsked"].clone()), ("10.00".into(), "10.00".into()));
        assert_eq!((items[1]["qtyProvided"].clone(), items[1]["priceAsked"].clone()), ("2.50".into(), "25.00".into()));
        assert_eq!(items[1]["explanation"], "twice a day");
        assert!(items.iter().all(|i| i["status"] == 1), "new lines pass");
        assert_eq!(c["services"][0]["service"]["code"], "C0001");
        let id = decode(&c["id"]);
        assert_eq!(app.count("claim_detail", &format!("claim_id = {id} AND validity_to IS NULL")).await, 3);
        assert_eq!(app.history_count("claim_claim", Some(id)).await, 0);
        // The log links the claim.
        let log = app
            .ok(Some(&d.claimadmin), r#"{ mutationLogs(clientMutationId: "entry-1") { edges { node { status objects { entity entityId } } } } }"#)
            .await;
        let node = &log["mutationLogs"]["edges"][0]["node"];
        assert_eq!(node["status"], 2);
        assert_eq!(node["objects"][0]["entityId"], id);
    })
    .await;
}

#[tokio::test]
async fn codes_are_generated_on_request_and_unique() {
    on_each_app(|app: TestApp| async move {
        let d = demo(&app).await;
        let year = app.state.clock.today().format("%Y").to_string();
        for (n, cmid) in ["auto-1", "auto-2"].iter().enumerate() {
            let mut spec = Spec::new(&app, &d, "auto");
            spec.extra.push_str(" autogenerate: true");
            app.ok(Some(&d.claimadmin), &spec.create(cmid)).await;
            let expected = format!("{year}-{:08}", n + 1);
            assert_eq!(read(&app, &d.claimadmin, &spec.uuid).await["code"], expected.as_str());
            let log = app
                .ok(Some(&d.claimadmin), &format!(r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ edges {{ node {{ autogeneratedCode }} }} }} }}"#))
                .await;
            assert_eq!(log["mutationLogs"]["edges"][0]["node"]["autogeneratedCode"], expected.as_str());
        }
        // A code must be free among current claims (the demo's claims included).
        let taken = Spec::new(&app, &d, "HD0001-001");
        refused(&app, &d.claimadmin, &taken.create("taken"), "claim.code_taken").await;
        assert_eq!(app.ok(Some(&d.claimadmin), r#"{ validateClaimCode(claimCode: "HD0001-001") }"#).await["validateClaimCode"], false);
    })
    .await;
}

#[tokio::test]
async fn every_entry_rule_refuses_with_its_code() {
    on_each_app(|app: TestApp| async move {
        let d = demo(&app).await;
        let admin = d.admin.clone();
        let base = Spec::new(&app, &d, "RULES-1");
        let with = |f: &dyn Fn(&mut Spec)| {
            let mut s = base.clone();
            s.uuid = fixtures::new_uuid();
            f(&mut s);
            s.create(&fixtures::new_uuid())
        };
        let cases: Vec<(String, &str)> = vec![
            (with(&|s| s.code = "   ".into()), "claim.code_required"),
            (with(&|s| s.code = "X".repeat(51)), "claim.code_too_long"),
            (with(&|s| s.extra = dates(&app, 1, 3)), "claim.date_claimed_before_from"),
            (with(&|s| s.extra = format!("{} dateTo: \"{}\"", dates(&app, 3, 1), fixtures::date_string(app.state.clock.today() - Duration::days(5)))), "claim.date_to_before_from"),
            (with(&|s| s.facility = 999_999), "claim.health_facility_unknown"),
            (with(&|s| s.admin = Some(999_999)), "claim.admin_unknown"),
            (with(&|s| { s.admin = Some(d.claimadmin_id); s.facility = d.cs; }), "claim.admin_other_facility"),
            (with(&|s| s.insuree = 999_999), "claim.insuree_unknown"),
            (with(&|s| s.icd = 999_999), "claim.diagnosis_unknown"),
            (with(&|s| s.extra.push_str(" icd2Id: 999999")), "claim.diagnosis_unknown"),
            (with(&|s| s.extra.push_str(" referToId: 999999")), "claim.health_facility_unknown"),
            (with(&|s| s.items = r#"[{ itemId: 999999 priceAsked: "1" qtyProvided: "1" status: 1 }]"#.into()), "claim.item_unknown"),
            (with(&|s| s.services = r#"[{ serviceId: 999999 priceAsked: "1" qtyProvided: "1" status: 1 }]"#.into()), "claim.service_unknown"),
            (with(&|s| s.items = format!(r#"[{{ itemId: {} priceAsked: "1" qtyProvided: "0" status: 1 }}]"#, d.para)), "claim.quantity_not_positive"),
            (with(&|s| s.items = format!(r#"[{{ itemId: {} priceAsked: "1" status: 1 }}]"#, d.para)), "claim.quantity_not_positive"),
            (with(&|s| s.items = format!(r#"[{{ itemId: {} priceAsked: "1" qtyProvided: "1.005" status: 1 }}]"#, d.para)), "input.invalid"),
            (with(&|s| s.items = format!(r#"[{{ itemId: {} qtyProvided: "1" status: 1 }}]"#, d.para)), "claim.price_required"),
            (with(&|s| s.items = format!(r#"[{{ itemId: {} priceAsked: "-1" qtyProvided: "1" status: 1 }}]"#, d.para)), "claim.price_negative"),
            (with(&|s| s.services = format!(r#"[{{ serviceId: {} priceAsked: "1000" qtyProvided: "2" status: 1 }}]"#, d.smear)), "claim.service_explanation_required"),
            (with(&|s| s.extra.push_str(r#" visitType: "X""#)), "claim.visit_type_invalid"),
            (with(&|s| s.extra.push_str(&format!(r#" guaranteeId: "{}""#, "G".repeat(51)))), "input.invalid"),
            (with(&|s| s.extra.push_str(r#" jsonExt: "[1, 2]""#)), "input.invalid"),
            (with(&|s| s.extra.push_str(&format!(r#" restore: "{}""#, fixtures::new_uuid()))), "claim.restore_unknown"),
        ];
        for (mutation, code) in &cases {
            refused(&app, &admin, mutation, code).await;
        }
        // A service given twice with an explanation passes, as does a line at price 0.
        let mut fine = base.clone();
        fine.services = format!(r#"[{{ serviceId: {} priceAsked: "1000" qtyProvided: "2" status: 1 explanation: "two smears" }}]"#, d.smear);
        fine.items = format!(r#"[{{ itemId: {} priceAsked: "0" qtyProvided: "1" status: 1 }}]"#, d.para);
        app.ok(Some(&admin), &fine.create("fine")).await;
        assert_eq!(read(&app, &admin, &fine.uuid).await["claimed"], "2000.00");
        // Nothing refused was written.
        assert_eq!(app.count("claim_claim", "code LIKE 'RULES%' OR code LIKE 'XX%'").await, 1);
    })
    .await;
}

#[tokio::test]
async fn maximum_amounts_and_diagnosis_limits_follow_the_registers_and_configuration() {
    imis_tests::on_each_db(|db: imis_tests::TestDb| async move {
        let mut cfg = db.config();
        cfg.module.insert(
            "claim".into(),
            figment::value::Value::from(std::collections::BTreeMap::from([(
                "additional_diagnoses_allowed".to_string(),
                figment::value::Value::from(1u32),
            )])),
        );
        let app = TestApp::with_config(cfg, true).await;
        let d = demo(&app).await;
        app.ok(
            Some(&d.admin),
            r#"mutation { createItem(input: { clientMutationId: "max-item" code: "MAXI" name: "Limited" type: "D" careType: "B" patientCategory: 15 price: "5" maximumAmount: "3" }) { internalId } }"#,
        )
        .await;
        let limited = fixtures::medical_id(&app, Medical::Item, "MAXI").await.0;
        let mut spec = Spec::new(&app, &d, "MAX-1");
        spec.items = format!(r#"[{{ itemId: {limited} priceAsked: "5" qtyProvided: "4" status: 1 }}]"#);
        refused(&app, &d.admin, &spec.create("max-1"), "claim.quantity_above_maximum").await;
        spec.items = format!(r#"[{{ itemId: {limited} priceAsked: "5" qtyProvided: "3" status: 1 }}]"#);
        spec.extra.push_str(&format!(" icd1Id: {} icd2Id: {}", d.j18, d.b54));
        refused(&app, &d.admin, &spec.create("max-2"), "claim.too_many_diagnoses").await;
        spec.extra = format!("{} icd1Id: {}", dates(&app, 3, 1), d.j18);
        app.ok(Some(&d.admin), &spec.create("max-3")).await;
        let c = read(&app, &d.admin, &spec.uuid).await;
        assert_eq!((c["icd1"]["code"].clone(), c["claimed"].clone()), ("J18".into(), "2015.00".into()));
        db
    })
    .await;
}

#[tokio::test]
async fn an_update_replaces_the_header_and_the_lines_while_the_claim_is_entered() {
    on_each_app(|app: TestApp| async move {
        let d = demo(&app).await;
        let admin = d.admin.clone();
        let mut spec = Spec::new(&app, &d, "UPD-1");
        app.ok(Some(&admin), &spec.create("upd-create")).await;
        let id = decode(&read(&app, &admin, &spec.uuid).await["id"]);
        spec.code = "UPD-2".into();
        spec.icd = d.j18;
        spec.items = format!(r#"[{{ itemId: {} priceAsked: "25" qtyProvided: "21" status: 1 }}]"#, d.amox);
        spec.services = "[]".into();
        spec.extra = format!(r#"{} explanation: "corrected" jsonExt: "{{\"programme\": \"hiv\"}}""#, dates(&app, 4, 2));
        app.ok(Some(&admin), &spec.update("upd-1")).await;
        let c = read(&app, &admin, &spec.uuid).await;
        assert_eq!((c["code"].clone(), c["icd"]["code"].clone()), ("UPD-2".into(), "J18".into()));
        assert_eq!(c["claimed"], "525.00");
        assert_eq!(c["explanation"], "corrected");
        assert_eq!(c["jsonExt"], r#"{"programme":"hiv"}"#);
        assert_eq!(c["items"].as_array().unwrap().len(), 1);
        assert_eq!(c["services"].as_array().unwrap().len(), 0);
        // The previous version is in history; the old lines are closed, the new one is current.
        assert_eq!(app.history_count("claim_claim", Some(id)).await, 1);
        assert_eq!(app.count("claim_detail", &format!("claim_id = {id} AND validity_to IS NOT NULL")).await, 3);
        assert_eq!(app.count("claim_detail", &format!("claim_id = {id} AND validity_to IS NULL")).await, 1);
        // By integer id, without the uuid.
        let by_id = format!(
            r#"mutation {{ updateClaim(input: {{ clientMutationId: "upd-2" id: {id} code: "UPD-3" insureeId: {} healthFacilityId: {} icdId: {} {} items: [] }}) {{ internalId }} }}"#,
            d.insuree_d1, d.hd, d.b54, dates(&app, 4, 2)
        );
        app.ok(Some(&admin), &by_id).await;
        let c = read(&app, &admin, &spec.uuid).await;
        assert_eq!((c["code"].clone(), c["claimed"].clone(), c["explanation"].clone()), ("UPD-3".into(), "0.00".into(), Value::Null));
        // Values the server owns are ignored with a warning.
        spec.code = "UPD-4".into();
        spec.extra = format!(r#"{} reviewStatus: 4 category: "S""#, dates(&app, 4, 2));
        app.ok(Some(&admin), &spec.update("upd-3")).await;
        let log = app
            .ok(Some(&admin), r#"{ mutationLogs(clientMutationId: "upd-3") { edges { node { jsonExt } } } }"#)
            .await;
        let ext: Value = serde_json::from_str(log["mutationLogs"]["edges"][0]["node"]["jsonExt"].as_str().unwrap()).unwrap();
        let fields: Vec<&str> = ext["warnings"].as_array().unwrap().iter().map(|w| w["params"]["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["reviewStatus", "category"]);
        assert_eq!(read(&app, &admin, &spec.uuid).await["reviewStatus"], 1);
        // Only an Entered claim changes; a Checked one goes through its review.
        set_status(&app, id, 4).await;
        spec.code = "UPD-5".into();
        refused(&app, &admin, &spec.update("upd-4"), "claim.not_editable").await;
        // Update needs 111010.
        let no_update = fixtures::principal_with_rights(&app, "clerk", &[111001, 111002]).await;
        refused(&app, &no_update, &spec.update("upd-5"), "auth.permission_denied").await;
    })
    .await;
}

/// Sets a claim's status directly (the submission and review paths are other scenarios').
async fn set_status(app: &TestApp, id: i64, status: i32) {
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .conn
        .execute_raw(imis_core::db::stmt(
            app.state.db.backend(),
            "UPDATE claim_claim SET status = ? WHERE id = ?",
            vec![status.into(), id.into()],
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_retried_create_answers_the_same_claim_and_a_rejected_claim_can_be_restored() {
    on_each_app(|app: TestApp| async move {
        let d = demo(&app).await;
        let spec = Spec::new(&app, &d, "SAME-1");
        app.ok(Some(&d.claimadmin), &spec.create("same-1")).await;
        // Another client mutation id, same uuid and content: the same claim (D4).
        app.ok(Some(&d.claimadmin), &spec.create("same-2")).await;
        assert_eq!(app.count("claim_claim", "code = 'SAME-1'").await, 1);
        let mut other = spec.clone();
        other.icd = d.j18;
        refused(
            &app,
            &d.claimadmin,
            &other.create("same-3"),
            "conflict.uuid_exists",
        )
        .await;
        // Restore: only a rejected claim, with 111012, under a new code.
        let mut restore = Spec::new(&app, &d, "SAME-1-R");
        restore
            .extra
            .push_str(&format!(r#" restore: "{}""#, spec.uuid));
        refused(
            &app,
            &d.claimadmin,
            &restore.create("restore-1"),
            "claim.restore_not_rejected",
        )
        .await;
        let id = decode(&read(&app, &d.claimadmin, &spec.uuid).await["id"]);
        set_status(&app, id, 1).await;
        let no_restore =
            fixtures::principal_with_rights(&app, "claimadmin", &[111001, 111002]).await;
        refused(
            &app,
            &no_restore,
            &restore.create("restore-2"),
            "auth.permission_denied",
        )
        .await;
        let mut same_code = restore.clone();
        same_code.code = "SAME-1".into();
        refused(
            &app,
            &d.claimadmin,
            &same_code.create("restore-3"),
            "claim.code_taken",
        )
        .await;
        app.ok(Some(&d.claimadmin), &restore.create("restore-4"))
            .await;
        let c = read(&app, &d.claimadmin, &restore.uuid).await;
        assert_eq!(c["restoreId"], id);
        assert_eq!(c["restore"]["code"], "SAME-1");
        assert_eq!(c["status"], 2);
    })
    .await;
}

/// A claim administrator of `CS0001`.
async fn other_facility_admin(app: &TestApp, cs: i64) -> Principal {
    let role = imis_core::users::service::system_role(&app.state.db.conn, 256)
        .await
        .unwrap();
    let kinds = UserKinds {
        interactive: true,
        claim_admin: true,
        ..Default::default()
    };
    imis_core::users::service::insert_user_unchecked(
        &app.state.db.conn,
        "claimadmin_cs",
        "claimadm123",
        "Mvondo",
        "Paul",
        kinds,
        &[role.id],
        &[],
        &[],
        Some(cs),
    )
    .await
    .unwrap();
    let mut p = app.principal("claimadmin_cs").await;
    p.rights.insert(111010);
    p
}

#[tokio::test]
async fn nobody_writes_outside_their_reach() {
    on_each_app(|app: TestApp| async move {
        let d = demo(&app).await;
        let spec = Spec::new(&app, &d, "REACH-1");
        app.ok(Some(&d.claimadmin), &spec.create("reach-1")).await;
        // A claim administrator of another facility: cannot enter for HD0001, nor change,
        // delete or see its claims.
        let cs_admin = other_facility_admin(&app, d.cs).await;
        let mut at_hd = Spec::new(&app, &d, "REACH-2");
        refused(
            &app,
            &cs_admin,
            &at_hd.create("reach-2"),
            "auth.location_denied",
        )
        .await;
        at_hd.facility = d.cs;
        at_hd.admin = Some(d.claimadmin_id);
        refused(
            &app,
            &cs_admin,
            &at_hd.create("reach-3"),
            "claim.admin_not_caller",
        )
        .await;
        at_hd.admin = None;
        app.ok(Some(&cs_admin), &at_hd.create("reach-4")).await;
        let mut changed = spec.clone();
        changed.facility = d.cs;
        refused(&app, &cs_admin, &changed.update("reach-5"), "not_found").await;
        let mut cs_deleter = cs_admin.clone();
        cs_deleter.rights.insert(111004);
        app.ok(Some(&cs_deleter), &delete_claims("reach-6", &[&spec.uuid]))
            .await;
        assert_eq!(
            item_errors(&app, &d.admin, "reach-6").await,
            (1, vec![(spec.uuid.clone(), "not_found".to_string())])
        );
        assert_eq!(
            app.count("claim_claim", "code = 'REACH-1' AND validity_to IS NULL")
                .await,
            1
        );
        // The demo claim administrator cannot move its claim to another facility.
        let mut moved = spec.clone();
        moved.facility = d.cs;
        let mut claimadmin = d.claimadmin.clone();
        claimadmin.rights.insert(111010);
        refused(
            &app,
            &claimadmin,
            &moved.update("reach-7"),
            "auth.location_denied",
        )
        .await;
        // A user of the other district (claim rights, district D0002).
        let mut edea = fixtures::user_with_role_in_districts(
            &app,
            "claims_edea",
            "edea12345",
            ("Ngo", "Anne"),
            256,
            &["D0002"],
        )
        .await;
        edea.rights.insert(111010);
        refused(
            &app,
            &edea,
            &Spec::new(&app, &d, "REACH-8").create("reach-8"),
            "auth.location_denied",
        )
        .await;
        refused(&app, &edea, &changed.update("reach-9"), "not_found").await;
        // At its own facility, for an insuree of D0001: the desk's exact look-up (111002, D9).
        let mut at_ds = Spec::new(&app, &d, "REACH-10");
        at_ds.facility = d.ds;
        app.ok(Some(&edea), &at_ds.create("reach-10")).await;
        // Without the desk rights, an insuree outside the caller's districts is out of reach.
        let mut updater = edea.clone();
        updater.rights = [111010].into_iter().collect();
        refused(
            &app,
            &updater,
            &at_ds.update("reach-11"),
            "auth.location_denied",
        )
        .await;
        at_ds.insuree = d.insuree_d2;
        app.ok(Some(&updater), &at_ds.update("reach-12")).await;
        // Anonymous and rightless callers.
        assert_eq!(
            app.err_code(None, &Spec::new(&app, &d, "REACH-13").create("reach-13"))
                .await,
            "auth.unauthenticated"
        );
        let nobody = fixtures::principal_with_rights(&app, "clerk", &[101001]).await;
        refused(
            &app,
            &nobody,
            &Spec::new(&app, &d, "REACH-14").create("reach-14"),
            "auth.permission_denied",
        )
        .await;
        assert_eq!(app.count("claim_claim", "code LIKE 'REACH-%'").await, 3);
    })
    .await;
}

#[tokio::test]
async fn each_claim_is_deleted_on_its_own() {
    on_each_app(|app: TestApp| async move {
        let d = demo(&app).await;
        let mut deleter = d.claimadmin.clone();
        deleter.rights.insert(111004);
        let mut specs = vec![];
        for code in ["DEL-1", "DEL-2", "DEL-3"] {
            let spec = Spec::new(&app, &d, code);
            app.ok(Some(&d.claimadmin), &spec.create(&format!("create-{code}")))
                .await;
            specs.push(spec);
        }
        // Out of the claim administrator's reach: a claim of CS0001.
        let mut elsewhere = Spec::new(&app, &d, "DEL-4");
        elsewhere.facility = d.cs;
        app.ok(Some(&d.admin), &elsewhere.create("create-DEL-4"))
            .await;
        let mut ids = vec![];
        for spec in &specs {
            ids.push(decode(&read(&app, &d.admin, &spec.uuid).await["id"]));
        }
        set_status(&app, ids[1], 4).await;
        let lines_before = app.history_count("claim_detail", None).await;
        let (first, checked, third) = (
            specs[0].uuid.as_str(),
            specs[1].uuid.as_str(),
            specs[2].uuid.as_str(),
        );
        let delete = delete_claims(
            "del-1",
            &[first, checked, &elsewhere.uuid, third, "not-a-uuid"],
        );
        let done = app.ok(Some(&deleter), &delete).await;
        assert_eq!(done["deleteClaims"]["clientMutationId"], "del-1");
        // Each claim has its own outcome: the checked one, the one out of reach and the bad key
        // fail alone; the two entered claims are deleted.
        let expected = vec![
            (checked.to_string(), "claim.not_deletable".to_string()),
            (elsewhere.uuid.clone(), "not_found".to_string()),
            ("not-a-uuid".to_string(), "input.invalid".to_string()),
        ];
        assert_eq!(
            item_errors(&app, &d.admin, "del-1").await,
            (1, expected.clone())
        );
        let current = |code: &str| format!("code = '{code}' AND validity_to IS NULL");
        for (code, left) in [("DEL-1", 0), ("DEL-2", 1), ("DEL-3", 0), ("DEL-4", 1)] {
            assert_eq!(
                app.count("claim_claim", &current(code)).await,
                left,
                "{code}"
            );
        }
        // The deleted claims' lines are closed by the caller, each with its history row; the
        // checked claim keeps its lines.
        for id in [ids[0], ids[2]] {
            assert_eq!(
                app.count(
                    "claim_detail",
                    &format!("claim_id = {id} AND validity_to IS NULL")
                )
                .await,
                0
            );
            assert_eq!(
                app.count(
                    "claim_detail",
                    &format!(
                        "claim_id = {id} AND validity_to IS NOT NULL AND audit_user_id = {}",
                        d.claimadmin_id
                    )
                )
                .await,
                3
            );
            assert_eq!(app.history_count("claim_claim", Some(id)).await, 1);
        }
        assert_eq!(
            app.history_count("claim_detail", None).await - lines_before,
            6
        );
        assert_eq!(
            app.count(
                "claim_detail",
                &format!("claim_id = {} AND validity_to IS NULL", ids[1])
            )
            .await,
            3
        );
        assert!(read(&app, &d.admin, first).await.is_null());
        assert_eq!(read(&app, &d.admin, checked).await["code"], "DEL-2");
        // A replay answers the stored outcome and changes nothing.
        app.ok(Some(&deleter), &delete).await;
        assert_eq!(item_errors(&app, &d.admin, "del-1").await, (1, expected));
        assert_eq!(
            app.history_count("claim_detail", None).await - lines_before,
            6
        );
        // A claim deleted already is not found; without 111004 nothing runs.
        app.ok(Some(&deleter), &delete_claims("del-2", &[first]))
            .await;
        assert_eq!(
            item_errors(&app, &d.admin, "del-2").await,
            (1, vec![(first.to_string(), "not_found".to_string())])
        );
        let clerk = fixtures::principal_with_rights(&app, "claimadmin", &[111001, 111002]).await;
        refused(
            &app,
            &clerk,
            &delete_claims("del-3", &[checked]),
            "auth.permission_denied",
        )
        .await;
        set_status(&app, ids[1], 2).await;
        app.ok(Some(&deleter), &delete_claims("del-4", &[checked]))
            .await;
        assert_eq!(item_errors(&app, &d.admin, "del-4").await, (2, vec![]));
        assert_eq!(app.count("claim_claim", &current("DEL-2")).await, 0);
    })
    .await;
}
