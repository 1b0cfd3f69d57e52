//! `InsureeGQLType.insureePolicies`, which the insuree module answers through the core port the
//! policy module implements: the current coverage rows on current policies, most recent
//! enrolment first, with the same ids and figures as `policies`; each insuree its own rows; empty
//! without a policy right; one port call for a page of insurees (or of claims); only policies
//! whose family lies in the caller's locations, with a null product when the caller may not see
//! it; paged in memory, and counted by the cost limiter at the default page size.

// The composed GraphQL schema of the harness is deeper than rustc's default query depth.
#![recursion_limit = "256"]

use chrono::NaiveDate;
use futures::future::BoxFuture;
use imis_core::AppState;
use imis_core::auth::Principal;
use imis_core::error::AppResult;
use imis_core::ports::{InsureeCoverage, InsureePolicies};
use imis_policy::api::PremiumAction;
use imis_tests::fixtures::mutations::UPDATE_PRODUCT;
use imis_tests::fixtures::{
    date_string as ds, family_id_of_head, first_village as village, insuree_id, location_uuid,
    principal_with_rights, product_uuid_of, user_id,
};
use imis_tests::{TestApp, on_each_app, one_i64};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

const CREATE: &str = "mutation($i: CreatePolicyMutationInput!) { createPolicy(input: $i) { clientMutationId internalId } }";
const RENEW: &str = "mutation($i: RenewPolicyMutationInput!) { renewPolicy(input: $i) { clientMutationId internalId } }";
const DELETE: &str =
    "mutation($i: DeletePoliciesMutationInput!) { deletePolicies(input: $i) { internalId } }";
/// The policy fields `InsureePolicyPolicyGQLType` shares with `PolicyGQLType`.
const POLICY_FIELDS: &str = "id uuid status stage enrollDate startDate effectiveDate expiryDate product { id uuid code name }";
/// The coverage fields `InsureeCoverageGQLType` shares with `InsureePolicyGQLType`.
const COVERAGE_FIELDS: &str = "id enrollmentDate startDate effectiveDate expiryDate";

// ---------------------------------------------------------------------------------------------
// Helpers (small ones copied from tests/policy.rs)

async fn ok(app: &TestApp, who: Option<&Principal>, q: &str, vars: Value) -> Value {
    app.ok_vars(who, q, vars).await
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// The input of a product sold 2020-01-01..2035-12-31 for 12 months (national unless
/// `locationUuid` is added).
fn product_fields(code: &str, premium_adult: &str) -> Value {
    json!({
        "code": code,
        "name": format!("Produit {code}"),
        "dateFrom": "2020-01-01",
        "dateTo": "2035-12-31",
        "insurancePeriod": 12,
        "premiumAdult": premium_adult,
    })
}

/// Creates a national product and returns its id.
async fn product(app: &TestApp, admin: &Principal, code: &str, premium_adult: &str) -> i64 {
    imis_tests::fixtures::create_product_from(app, admin, &product_fields(code, premium_adult))
        .await
}

/// Creates a product located in the district `district` and returns its id.
async fn located_product(app: &TestApp, admin: &Principal, code: &str, district: &str) -> i64 {
    let mut i = product_fields(code, "1000");
    i["locationUuid"] = json!(location_uuid(app, district).await);
    imis_tests::fixtures::create_product_from(app, admin, &i).await
}

/// Moves the product `code` (made by [`located_product`]) to the district `district` through
/// `updateProduct`: a policy can only be sold where its product is, so a policy whose product
/// lies elsewhere is one whose product moved afterwards.
async fn move_product(app: &TestApp, admin: &Principal, id: i64, code: &str, district: &str) {
    let mut i = product_fields(code, "1000");
    i["uuid"] = json!(product_uuid_of(app, id).await);
    i["locationUuid"] = json!(location_uuid(app, district).await);
    ok(app, Some(admin), UPDATE_PRODUCT, json!({ "i": i })).await;
}

/// Creates a family whose head has the insurance number `chf`; returns the family's id.
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

/// Adds an adult member through `createInsuree` (`extra` is added to the input).
async fn member(app: &TestApp, who: &Principal, family: i64, chf: &str, extra: &str) {
    ok(
        app,
        Some(who),
        &format!(
            r#"mutation {{ createInsuree(input: {{ familyId: {family}, chfId: "{chf}", lastName: "Membre", otherNames: "M{chf}",
                genderId: "F", dob: "1984-03-01", relationshipId: 8 {extra} }}) {{ internalId }} }}"#
        ),
        json!({}),
    )
    .await;
}

fn policy_input(family: i64, product: i64, officer: i64, enroll: &str) -> Value {
    json!({
        "uuid": uuid::Uuid::now_v7().to_string(),
        "familyId": family,
        "productId": product,
        "officerId": officer,
        "enrollDate": enroll,
    })
}

/// `createPolicy` (or `renewPolicy` with `prev`) and the new policy's uuid.
async fn create(app: &TestApp, who: &Principal, input: Value, prev: Option<&str>) -> String {
    let uuid = input["uuid"].as_str().expect("uuid").to_string();
    match prev {
        None => ok(app, Some(who), CREATE, json!({ "i": input })).await,
        Some(prev) => {
            let mut input = input;
            input["prevUuid"] = json!(prev);
            ok(app, Some(who), RENEW, json!({ "i": input })).await
        }
    };
    uuid
}

/// Activates a policy as the payment module would with a forced zero contribution (D15).
async fn activate(app: &TestApp, uuid: &str, on: NaiveDate) {
    let u = uuid::Uuid::parse_str(uuid).expect("uuid");
    let policy_id = one_i64(
        app,
        "SELECT id FROM policy_policy WHERE uuid = ?",
        vec![u.into()],
    )
    .await;
    let tx = app.state.db.begin_write().await.expect("tx");
    let out = imis_policy::api::record_contribution(
        &app.state,
        &tx,
        None,
        imis_policy::api::Contribution {
            policy_id,
            paid_total: 0,
            pay_date: on,
            action: PremiumAction::Enforce,
        },
    )
    .await
    .expect("record premium");
    tx.commit().await.expect("commit");
    assert!(out.activated, "policy {uuid} not activated");
}

/// The `insureePolicies` node of the insuree `chf` (full shape), as `who` sees it.
async fn coverage_of(app: &TestApp, who: &Principal, chf: &str) -> Value {
    let v = ok(
        app,
        Some(who),
        &format!(
            r#"{{ insurees(chfId: "{chf}") {{ totalCount edges {{ node {{ chfId
                insureePolicies {{ totalCount edges {{ node {{ {COVERAGE_FIELDS} policy {{ {POLICY_FIELDS} }} }} }} }} }} }} }} }}"#
        ),
        json!({}),
    )
    .await;
    assert_eq!(v["insurees"]["totalCount"], 1, "insuree {chf}: {v}");
    v["insurees"]["edges"][0]["node"]["insureePolicies"].clone()
}

fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges: {connection}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn policy_uuids(connection: &Value) -> Vec<String> {
    nodes(connection)
        .iter()
        .map(|n| n["policy"]["uuid"].as_str().expect("uuid").to_string())
        .collect()
}

/// A policy as `policies(uuid:)` gives it to the administrator, with the coverage rows of its
/// insurees.
async fn listed_policy(app: &TestApp, uuid: &str) -> Value {
    let admin = app.principal("Admin").await;
    let v = ok(
        app,
        Some(&admin),
        &format!(
            r#"{{ policies(uuid: "{uuid}") {{ totalCount edges {{ node {{ {POLICY_FIELDS}
                insureePolicies {{ edges {{ node {{ {COVERAGE_FIELDS} insuree {{ chfId }} }} }} }} }} }} }} }}"#
        ),
        json!({}),
    )
    .await;
    assert_eq!(v["policies"]["totalCount"], 1, "policy {uuid}: {v}");
    v["policies"]["edges"][0]["node"].clone()
}

/// Checks one `insureePolicies` node of the insuree `chf` against `policies` and `node(id:)`:
/// the same policy fields and global ids, and the insuree's own coverage row.
async fn assert_matches_policies(app: &TestApp, chf: &str, node: &Value) {
    let uuid = node["policy"]["uuid"].as_str().expect("uuid");
    let mut listed = listed_policy(app, uuid).await;
    let rows = listed
        .as_object_mut()
        .expect("object")
        .remove("insureePolicies")
        .expect("insureePolicies");
    assert_eq!(node["policy"], listed, "policy {uuid} of {chf}");
    let mut row = nodes(&rows)
        .into_iter()
        .find(|r| r["insuree"]["chfId"] == chf)
        .unwrap_or_else(|| panic!("no coverage row of {chf} on {uuid}: {rows}"));
    row.as_object_mut().expect("object").remove("insuree");
    let mut own = node.clone();
    own.as_object_mut().expect("object").remove("policy");
    assert_eq!(own, row, "coverage row of {chf} on {uuid}");
    let admin = app.principal("Admin").await;
    let by_id = ok(
        app,
        Some(&admin),
        r#"query($id: ID!) { node(id: $id) { ... on PolicyGQLType { uuid } } }"#,
        json!({ "id": node["policy"]["id"] }),
    )
    .await;
    assert_eq!(
        by_id["node"]["uuid"], uuid,
        "node(id:) of {}",
        node["policy"]["id"]
    );
}

/// Records the insuree ids of every call of the policy module's port.
struct CountingPort {
    inner: Arc<dyn InsureePolicies>,
    calls: Mutex<Vec<Vec<i64>>>,
}

impl InsureePolicies for CountingPort {
    fn for_insurees<'a>(
        &'a self,
        state: &'a AppState,
        principal: Option<&'a Principal>,
        insuree_ids: &'a [i64],
    ) -> BoxFuture<'a, AppResult<HashMap<i64, Vec<InsureeCoverage>>>> {
        let mut ids = insuree_ids.to_vec();
        ids.sort_unstable();
        self.calls.lock().expect("calls").push(ids);
        self.inner.for_insurees(state, principal, insuree_ids)
    }
}

/// Executes `query` with the port wrapped by a [`CountingPort`] (request data takes precedence
/// over the schema's state); returns the data and the insuree ids of each port call.
async fn with_port_calls(
    app: &TestApp,
    who: &Principal,
    query: &str,
    vars: Value,
) -> (Value, Vec<Vec<i64>>) {
    let port = Arc::new(CountingPort {
        inner: app
            .state
            .ports
            .insuree_policies
            .clone()
            .expect("the policy module installs its port"),
        calls: Mutex::new(vec![]),
    });
    let mut ports = (*app.state.ports).clone();
    ports.insuree_policies = Some(port.clone());
    let mut state = app.state.clone();
    state.ports = Arc::new(ports);
    let req = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(vars))
        .data(state)
        .data(who.clone());
    let r = app.schema.execute(req).await;
    assert!(r.errors.is_empty(), "{query}: {:?}", r.errors);
    let calls = port.calls.lock().expect("calls").clone();
    (r.data.into_json().expect("json"), calls)
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn an_insuree_lists_its_current_policies_most_recent_enrolment_first() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let a = product(&app, &admin, "IPA1", "1000").await;
        let b = product(&app, &admin, "IPB1", "500").await;
        let fam = family(&app, &admin, v1, "930100001").await;
        member(&app, &admin, fam, "930100002", "").await;
        // A policy and its (Idle) renewal, another product's policy enrolled between them, and a
        // policy enrolled last that is then deleted.
        let first = create(&app, &admin, policy_input(fam, a, eo, "2024-01-10"), None).await;
        activate(&app, &first, d("2024-01-10")).await;
        let renewal = create(
            &app,
            &admin,
            policy_input(fam, a, eo, "2024-12-20"),
            Some(&first),
        )
        .await;
        let other = create(&app, &admin, policy_input(fam, b, eo, "2024-06-01"), None).await;
        let deleted = create(&app, &admin, policy_input(fam, b, eo, "2025-02-01"), None).await;

        let before = coverage_of(&app, &admin, "930100001").await;
        assert_eq!(
            policy_uuids(&before),
            [
                deleted.as_str(),
                renewal.as_str(),
                other.as_str(),
                first.as_str()
            ]
        );
        ok(
            &app,
            Some(&admin),
            DELETE,
            json!({ "i": { "uuids": [deleted] } }),
        )
        .await;

        let list = coverage_of(&app, &admin, "930100001").await;
        assert_eq!(list["totalCount"], 3, "{list}");
        assert_eq!(
            policy_uuids(&list),
            [renewal.as_str(), other.as_str(), first.as_str()]
        );
        let n = nodes(&list);
        let summary = |n: &Value| {
            let p = &n["policy"];
            (
                p["status"].as_i64().expect("status"),
                p["stage"].as_str().expect("stage").to_string(),
                p["enrollDate"].as_str().expect("enrollDate").to_string(),
                p["startDate"].as_str().expect("startDate").to_string(),
                p["expiryDate"].as_str().expect("expiryDate").to_string(),
                p["product"]["code"].as_str().expect("code").to_string(),
                p["product"]["name"].as_str().expect("name").to_string(),
            )
        };
        let s = |status: i64, stage: &str, dates: [&str; 3], code: &str| {
            let [enroll, start, expiry] = dates.map(String::from);
            (
                status,
                stage.to_string(),
                enroll,
                start,
                expiry,
                code.to_string(),
                format!("Produit {code}"),
            )
        };
        assert_eq!(
            summary(&n[0]),
            s(1, "R", ["2024-12-20", "2025-01-10", "2026-01-09"], "IPA1")
        );
        assert_eq!(
            summary(&n[1]),
            s(1, "N", ["2024-06-01", "2024-06-01", "2025-05-31"], "IPB1")
        );
        assert_eq!(
            summary(&n[2]),
            s(2, "N", ["2024-01-10", "2024-01-10", "2025-01-09"], "IPA1")
        );
        assert!(
            n[0]["policy"]["effectiveDate"].is_null() && n[0]["effectiveDate"].is_null(),
            "{}",
            n[0]
        );
        assert!(
            n[2]["policy"]["effectiveDate"].is_string() && n[2]["effectiveDate"].is_string(),
            "{}",
            n[2]
        );
        assert_eq!(
            n[0]["policy"]["product"]["id"],
            n[2]["policy"]["product"]["id"]
        );
        assert_ne!(
            n[0]["policy"]["product"]["id"],
            n[1]["policy"]["product"]["id"]
        );
        for node in &n {
            assert_matches_policies(&app, "930100001", node).await;
        }

        // The member has the same policies through their own coverage rows.
        let member_list = coverage_of(&app, &admin, "930100002").await;
        assert_eq!(
            policy_uuids(&member_list),
            [renewal.as_str(), other.as_str(), first.as_str()]
        );
        for (mine, head) in nodes(&member_list).iter().zip(&n) {
            assert_ne!(
                mine["id"], head["id"],
                "coverage rows are the insuree's own"
            );
            assert_eq!(mine["policy"], head["policy"]);
            assert_matches_policies(&app, "930100002", mine).await;
        }
    })
    .await;
}

#[tokio::test]
async fn each_insuree_of_an_insurees_page_gets_its_own_policies_in_one_port_call() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let v2 = village(&app, "D0002").await;
        let eo1 = user_id(&app, "eo_douala").await;
        let eo2 = user_id(&app, "eo_edea").await;
        let x = product(&app, &admin, "IPX1", "1000").await;
        let y = product(&app, &admin, "IPY1", "700").await;
        // f1 (Douala): head and a member on its policy, a member kept off it; f2 (Edéa): two
        // policies; f3 (Douala): none.
        let f1 = family(&app, &admin, v1, "930200001").await;
        member(&app, &admin, f1, "930200002", "").await;
        let p1 = create(&app, &admin, policy_input(f1, x, eo1, "2025-03-01"), None).await;
        member(&app, &admin, f1, "930200003", "addOnExistingPolicy: false").await;
        let f2 = family(&app, &admin, v2, "930200004").await;
        let p2x = create(&app, &admin, policy_input(f2, x, eo2, "2025-01-15"), None).await;
        let p2y = create(&app, &admin, policy_input(f2, y, eo2, "2025-04-15"), None).await;
        family(&app, &admin, v1, "930200005").await;

        let q = format!(
            r#"{{ insurees(chfId_Istartswith: "9302", orderBy: ["chfId"]) {{ totalCount edges {{ node {{ chfId
                insureePolicies {{ totalCount edges {{ node {{ {COVERAGE_FIELDS} policy {{ uuid product {{ code }} }} }} }} }} }} }} }} }}"#
        );
        let (v, calls) = with_port_calls(&app, &admin, &q, json!({})).await;
        assert_eq!(v["insurees"]["totalCount"], 5, "{v}");
        let by_chf: BTreeMap<String, Value> = nodes(&v["insurees"])
            .into_iter()
            .map(|n| (n["chfId"].as_str().expect("chfId").to_string(), n["insureePolicies"].clone()))
            .collect();
        let got: BTreeMap<&str, Vec<String>> =
            by_chf.iter().map(|(k, c)| (k.as_str(), policy_uuids(c))).collect();
        let expected: BTreeMap<&str, Vec<String>> = [
            ("930200001", vec![p1.clone()]),
            ("930200002", vec![p1.clone()]),
            ("930200003", vec![]),
            ("930200004", vec![p2y.clone(), p2x.clone()]),
            ("930200005", vec![]),
        ]
        .into_iter()
        .collect();
        assert_eq!(got, expected);
        for (chf, c) in &by_chf {
            assert_eq!(c["totalCount"], nodes(c).len(), "{chf}: {c}");
        }
        let f2_codes: Vec<String> = nodes(&by_chf["930200004"])
            .iter()
            .map(|n| n["policy"]["product"]["code"].as_str().expect("code").to_string())
            .collect();
        assert_eq!(f2_codes, ["IPY1", "IPX1"]);
        assert_ne!(
            nodes(&by_chf["930200001"])[0]["id"],
            nodes(&by_chf["930200002"])[0]["id"],
            "each insuree its own coverage row"
        );

        // The whole page in one call, which asks for every insuree of the page.
        assert_eq!(calls.len(), 1, "{calls:?}");
        for chf in by_chf.keys() {
            let id = insuree_id(&app, chf).await;
            assert!(calls[0].contains(&id), "{chf} ({id}) not asked: {calls:?}");
        }
        // Without the field, the port is not called.
        let (_, calls) = with_port_calls(
            &app,
            &admin,
            r#"{ insurees(chfId_Istartswith: "9302") { edges { node { chfId } } } }"#,
            json!({}),
        )
        .await;
        assert!(calls.is_empty(), "{calls:?}");
    })
    .await;
}

#[tokio::test]
async fn without_a_policy_right_the_list_is_empty_and_anonymous_callers_cannot_read_insurees() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let p = product(&app, &admin, "IPR1", "1000").await;
        let fam = family(&app, &admin, v1, "930300001").await;
        let uuid = create(&app, &admin, policy_input(fam, p, eo, "2025-02-01"), None).await;

        // The clerk works in Douala; 101101 lets them search insurees.
        for (rights, expected) in [
            (vec![101101], 0usize),
            (vec![101101, 101203, 101204], 0),
            (vec![101101, 101201], 1),
            (vec![101101, 101202], 1),
            (vec![101101, 101205], 1),
        ] {
            let who = principal_with_rights(&app, "clerk", &rights).await;
            let list = coverage_of(&app, &who, "930300001").await;
            assert_eq!(list["totalCount"], expected, "{rights:?}: {list}");
            assert_eq!(nodes(&list).len(), expected, "{rights:?}: {list}");
            if expected == 1 {
                assert_eq!(policy_uuids(&list), [uuid.as_str()]);
            }
        }
        let q = r#"{ insurees(chfId: "930300001") { edges { node { insureePolicies { totalCount } } } } }"#;
        assert_eq!(app.err_code(None, q).await, "auth.unauthenticated");
    })
    .await;
}

/// The front end's claim history document (fe-claim 1.10), with `insuree.insureePolicies`.
const FRONT_END_CLAIM_HISTORY: &str = r#"query ($claimUuid: String!) { claimHistory(claimUuid: $claimUuid) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { uuid validityTo code jsonExt dateClaimed dateProcessed feedbackStatus reviewStatus claimed approved status restoreId insuree { id uuid chfId lastName otherNames dob insureePolicies { edges { node { policy { id status effectiveDate expiryDate product { id name } } } } } } attachmentsCount } } } }"#;

#[tokio::test]
async fn the_front_ends_claim_history_shows_the_insurees_policies() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let eo = user_id(&app, "eo_douala").await;
        // A demo claim, whose patient heads a demo family; that family gets one more policy.
        let c = ok(
            &app,
            Some(&admin),
            r#"{ claims(code: "HD0001-001") { edges { node { uuid insuree { chfId } } } } }"#,
            json!({}),
        )
        .await;
        let claim = &c["claims"]["edges"][0]["node"];
        let claim_uuid = claim["uuid"].as_str().expect("claim uuid").to_string();
        let chf = claim["insuree"]["chfId"].as_str().expect("chfId").to_string();
        let fam = family_id_of_head(&app, &chf).await;
        let p = product(&app, &admin, "IPC1", "1000").await;
        let today = app.state.clock.today();
        let added = create(&app, &admin, policy_input(fam, p, eo, &ds(today)), None).await;

        let vars = json!({ "claimUuid": claim_uuid });
        let (h, calls) = with_port_calls(&app, &admin, FRONT_END_CLAIM_HISTORY, vars.clone()).await;
        assert_eq!(calls.len(), 1, "{calls:?}");
        let versions = nodes(&h["claimHistory"]);
        assert!(!versions.is_empty(), "{h}");
        // What the claim shows is what the insuree list shows.
        let full = coverage_of(&app, &admin, &chf).await;
        let expected: Vec<Value> = nodes(&full)
            .iter()
            .map(|n| {
                let p = &n["policy"];
                json!({ "policy": { "id": p["id"], "status": p["status"], "effectiveDate": p["effectiveDate"],
                    "expiryDate": p["expiryDate"], "product": { "id": p["product"]["id"], "name": p["product"]["name"] } } })
            })
            .collect();
        assert!(policy_uuids(&full).contains(&added), "{full}");
        let added_id = listed_policy(&app, &added).await["id"].clone();
        for version in &versions {
            let shown = nodes(&version["insuree"]["insureePolicies"]);
            assert_eq!(shown, expected, "{version}");
            assert!(shown.iter().any(|n| n["policy"]["id"] == added_id), "{version}");
        }
        // The claim administrator (101201 among their rights) sees the same list; with the claim
        // rights alone, an empty list and no error.
        let claimadmin = app.principal("claimadmin").await;
        let claims_only = principal_with_rights(&app, "claimadmin", &[111001]).await;
        for (who, expected) in [(&claimadmin, &expected), (&claims_only, &vec![])] {
            let h = ok(&app, Some(who), FRONT_END_CLAIM_HISTORY, vars.clone()).await;
            let versions = nodes(&h["claimHistory"]);
            assert!(!versions.is_empty(), "{h}");
            for version in &versions {
                assert_eq!(&nodes(&version["insuree"]["insureePolicies"]), expected, "{version}");
            }
        }
        // A page of claims asks the port once.
        let (page, calls) = with_port_calls(
            &app,
            &admin,
            "{ claims(first: 20) { edges { node { insuree { chfId insureePolicies { totalCount } } } } } }",
            json!({}),
        )
        .await;
        let patients: std::collections::BTreeSet<&str> = page["claims"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["insuree"]["chfId"].as_str())
            .collect();
        assert!(patients.len() > 1, "several patients: {page}");
        assert_eq!(calls.len(), 1, "{calls:?}");
    })
    .await;
}

/// The documented shape of `insureePolicies` with its page information, under `insurees` with
/// `insurees_args` and `insureePolicies` with `coverage_args` (each empty or `(…)`).
fn full_shape(insurees_args: &str, coverage_args: &str) -> String {
    format!(
        r#"{{ insurees{insurees_args} {{ totalCount edges {{ node {{ chfId
            insureePolicies{coverage_args} {{ totalCount edgeCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                edges {{ cursor node {{ {COVERAGE_FIELDS} policy {{ {POLICY_FIELDS} }} }} }} }} }} }} }} }}"#
    )
}

#[tokio::test]
async fn the_full_shape_on_a_default_page_of_insurees_is_not_too_complex() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let p = product(&app, &admin, "IPS1", "1000").await;
        let fam = family(&app, &admin, v1, "930400001").await;
        member(&app, &admin, fam, "930400002", "").await;
        let uuid = create(&app, &admin, policy_input(fam, p, eo, "2025-02-01"), None).await;

        // Neither list takes a page size: the limiter counts `insureePolicies` at the default
        // page size, as `insurees`.
        let q = full_shape(r#"(chfId_Istartswith: "9304", orderBy: ["chfId"])"#, "");
        let r = app.exec(Some(&admin), &q).await;
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let v = r.data.into_json().expect("json");
        assert_eq!(v["insurees"]["totalCount"], 2, "{v}");
        for n in nodes(&v["insurees"]) {
            assert_eq!(policy_uuids(&n["insureePolicies"]), [uuid.as_str()], "{n}");
            assert_eq!(
                n["insureePolicies"]["pageInfo"]["hasNextPage"], false,
                "{n}"
            );
        }
        // Counted at the largest page size (as an argument-less connection is), the same shape
        // on the same page of insurees would be refused.
        let max = app.state.config.graphql.max_page_size;
        let q = full_shape(
            r#"(chfId_Istartswith: "9304", orderBy: ["chfId"])"#,
            &format!("(first: {max})"),
        );
        assert_eq!(app.err_code(Some(&admin), &q).await, "request.too_complex");
    })
    .await;
}

#[tokio::test]
async fn a_restricted_caller_does_not_see_the_policies_of_a_family_outside_its_locations() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let v2 = village(&app, "D0002").await;
        let eo = user_id(&app, "eo_edea").await;
        let p = product(&app, &admin, "IPF1", "1000").await;
        // A family of Edéa with a member living in Douala, the clerk's district.
        let fam = family(&app, &admin, v2, "930500001").await;
        member(
            &app,
            &admin,
            fam,
            "930500002",
            &format!(", currentVillageId: {v1}"),
        )
        .await;
        let uuid = create(&app, &admin, policy_input(fam, p, eo, "2025-02-01"), None).await;

        let all = coverage_of(&app, &admin, "930500002").await;
        assert_eq!(policy_uuids(&all), [uuid.as_str()], "{all}");
        // The clerk reaches the member through their village (`coverage_of` checks the insuree is
        // listed), not the family's policy.
        let clerk = principal_with_rights(&app, "clerk", &[101101, 101201]).await;
        assert!(!clerk.scope.unrestricted, "the clerk works in Douala");
        let mine = coverage_of(&app, &clerk, "930500002").await;
        assert_eq!(mine["totalCount"], 0, "{mine}");
        assert!(nodes(&mine).is_empty(), "{mine}");
        // As `policies` does.
        let listed = ok(
            &app,
            Some(&clerk),
            &format!(r#"{{ policies(uuid: "{uuid}") {{ totalCount }} }}"#),
            json!({}),
        )
        .await;
        assert_eq!(listed["policies"]["totalCount"], 0, "{listed}");
    })
    .await;
}

#[tokio::test]
async fn a_product_outside_the_callers_locations_is_null_on_a_listed_policy() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let local = located_product(&app, &admin, "IPL1", "D0001").await;
        let national = product(&app, &admin, "IPN1", "1000").await;
        let fam = family(&app, &admin, v1, "930600001").await;
        let far = create(&app, &admin, policy_input(fam, local, eo, "2025-03-01"), None).await;
        let near = create(&app, &admin, policy_input(fam, national, eo, "2025-01-15"), None).await;
        // The family stays in Douala; the local product moves to Edéa.
        move_product(&app, &admin, local, "IPL1", "D0002").await;

        let codes = |c: &Value| -> Vec<Value> {
            nodes(c)
                .iter()
                .map(|n| n["policy"]["product"]["code"].clone())
                .collect()
        };
        let all = coverage_of(&app, &admin, "930600001").await;
        assert_eq!(policy_uuids(&all), [far.as_str(), near.as_str()], "{all}");
        assert_eq!(codes(&all), [json!("IPL1"), json!("IPN1")], "{all}");

        let clerk = principal_with_rights(&app, "clerk", &[101101, 101201]).await;
        let mine = coverage_of(&app, &clerk, "930600001").await;
        assert_eq!(mine["totalCount"], 2, "{mine}");
        assert_eq!(policy_uuids(&mine), [far.as_str(), near.as_str()], "{mine}");
        let far_node = &nodes(&mine)[0];
        assert!(far_node["policy"]["product"].is_null(), "{far_node}");
        assert_eq!(nodes(&mine)[1]["policy"]["product"]["code"], "IPN1", "{mine}");
        // The rest of the policy is shown as to the administrator.
        let mut far_all = nodes(&all)[0].clone();
        far_all["policy"]["product"] = Value::Null;
        assert_eq!(far_node, &far_all);
        // As `PolicyGQLType.product` is for the same caller.
        let listed = ok(
            &app,
            Some(&clerk),
            &format!(r#"{{ policies(uuid: "{far}") {{ totalCount edges {{ node {{ product {{ code }} }} }} }} }}"#),
            json!({}),
        )
        .await;
        assert_eq!(listed["policies"]["totalCount"], 1, "{listed}");
        assert!(
            listed["policies"]["edges"][0]["node"]["product"].is_null(),
            "{listed}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_insurees_policies_page_with_first_offset_and_after() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, "D0001").await;
        let eo = user_id(&app, "eo_douala").await;
        let a = product(&app, &admin, "IPP1", "1000").await;
        let b = product(&app, &admin, "IPQ1", "500").await;
        let fam = family(&app, &admin, v1, "930700001").await;
        let older = create(&app, &admin, policy_input(fam, a, eo, "2025-01-10"), None).await;
        let newer = create(&app, &admin, policy_input(fam, b, eo, "2025-04-10"), None).await;

        let page = |args: String| {
            let app = &app;
            let admin = &admin;
            async move {
                let v = ok(
                    app,
                    Some(admin),
                    &format!(
                        r#"{{ insurees(chfId: "930700001") {{ edges {{ node {{ insureePolicies{args} {{ totalCount
                            pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ node {{ policy {{ uuid }} }} }} }} }} }} }} }}"#
                    ),
                    json!({}),
                )
                .await;
                v["insurees"]["edges"][0]["node"]["insureePolicies"].clone()
            }
        };
        let whole = page(String::new()).await;
        assert_eq!(policy_uuids(&whole), [newer.as_str(), older.as_str()], "{whole}");

        let first = page("(first: 1)".into()).await;
        assert_eq!(first["totalCount"], 2, "{first}");
        assert_eq!(policy_uuids(&first), [newer.as_str()], "{first}");
        assert_eq!(first["pageInfo"]["hasNextPage"], true, "{first}");
        assert_eq!(first["pageInfo"]["hasPreviousPage"], false, "{first}");

        let second = page("(offset: 1)".into()).await;
        assert_eq!(second["totalCount"], 2, "{second}");
        assert_eq!(policy_uuids(&second), [older.as_str()], "{second}");
        assert_eq!(second["pageInfo"]["hasNextPage"], false, "{second}");
        assert_eq!(second["pageInfo"]["hasPreviousPage"], true, "{second}");

        let cursor = first["pageInfo"]["endCursor"].as_str().expect("endCursor");
        let after = page(format!(r#"(first: 1, after: "{cursor}")"#)).await;
        assert_eq!(policy_uuids(&after), [older.as_str()], "{after}");
        assert_eq!(after["pageInfo"]["hasNextPage"], false, "{after}");
    })
    .await;
}
