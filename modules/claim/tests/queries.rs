//! Claim queries through GraphQL, on SQLite and PostgreSQL: the front end's claim list document,
//! every `claims` filter, `claim`, `fspFromClaim`, `claimsStatusCount`,
//! `node(id:)` for each claim type, and scope: a claim administrator of another facility and a
//! user of another district see nothing of a facility's claims.

// The composed GraphQL roots nest deeply enough to pass rustc's default query depth.
#![recursion_limit = "256"]

use chrono::{Duration, NaiveDate};
use imis_core::auth::{Principal, UserKinds};
use imis_core::text::fold;
use imis_tests::fixtures::{self, Medical};
use imis_tests::{TestApp, on_each_app};
use serde_json::Value;

fn decode(id: &Value) -> i64 {
    let (_, key) = imis_core::graphql::decode_global_id(id.as_str().unwrap()).unwrap();
    key.parse().unwrap()
}

fn global(type_name: &str, id: i64) -> String {
    imis_core::graphql::global_id(type_name, id).to_string()
}

/// (id, insurance number) of a head of family living in `district`.
async fn head_in(app: &TestApp, admin: &Principal, district: &str) -> (i64, String) {
    let d = app
        .ok(
            Some(admin),
            "{ insurees(first: 100) { edges { node { id chfId head family { location { parent { parent { code } } } } } } } }",
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
    (
        decode(&node["id"]),
        node["chfId"].as_str().unwrap().to_string(),
    )
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

/// What the scenarios enter: `n` claims named `Q-<n>` at `facility`.
struct Entry<'a> {
    app: &'a TestApp,
    admin: Principal,
    today: NaiveDate,
}

impl Entry<'_> {
    /// Creates a claim as Admin and returns its uuid; `fields` completes the input.
    async fn claim(
        &self,
        code: &str,
        insuree: i64,
        facility: i64,
        icd: i64,
        fields: &str,
    ) -> String {
        let uuid = fixtures::new_uuid();
        let q = format!(
            r#"mutation {{ createClaim(input: {{ clientMutationId: "{uuid}" uuid: "{uuid}" code: "{code}" insureeId: {insuree} healthFacilityId: {facility} icdId: {icd} dateFrom: "{}" dateClaimed: "{}" {fields} }}) {{ internalId }} }}"#,
            fixtures::date_string(self.today - Duration::days(5)),
            fixtures::date_string(self.today - Duration::days(4)),
        );
        self.app.ok(Some(&self.admin), &q).await;
        uuid
    }
}

async fn sql(app: &TestApp, statement: &str) {
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .conn
        .execute_unprepared(statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// The codes `claims(<args>)` lists for `who`, in order.
async fn codes(app: &TestApp, who: &Principal, args: &str) -> Vec<String> {
    let d = app
        .ok(
            Some(who),
            &format!("{{ claims({args}) {{ edges {{ node {{ code }} }} }} }}"),
        )
        .await;
    d["claims"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_string())
        .collect()
}

async fn claim_id(app: &TestApp, who: &Principal, uuid: &str) -> i64 {
    decode(
        &app.ok(
            Some(who),
            &format!(r#"{{ claim(uuid: "{uuid}") {{ id }} }}"#),
        )
        .await["claim"]["id"],
    )
}

const FRONT_END_LIST: &str = r#"{ claims(status: 2, orderBy: ["-dateClaimed"], first: 10) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { uuid code jsonExt dateClaimed dateProcessed feedbackStatus reviewStatus claimed approved status restoreId healthFacility { id uuid name code } insuree { id uuid chfId lastName otherNames dob } preAuthorization } } } }"#;

#[tokio::test]
async fn the_front_ends_claim_list_shows_a_facilitys_entered_claims() {
    on_each_app(|app: TestApp| async move {
        let claimadmin = app.principal("claimadmin").await;
        let d = app.ok(Some(&claimadmin), FRONT_END_LIST).await;
        let list = &d["claims"];
        // The demo's three Entered claims of HD0001, the claim administrator's facility.
        assert_eq!(list["totalCount"], 3);
        assert_eq!(list["pageInfo"]["hasNextPage"], false);
        let nodes: Vec<&Value> = list["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();
        assert!(nodes.iter().all(|n| n["healthFacility"]["code"] == "HD0001" && n["status"] == 2));
        assert!(nodes.iter().all(|n| n["insuree"]["chfId"].is_string()), "insurees of the facility's district show");
        assert!(nodes.iter().all(|n| n["claimed"].as_str().unwrap().parse::<f64>().unwrap() > 0.0));
        let claimed: Vec<&str> = nodes.iter().map(|n| n["dateClaimed"].as_str().unwrap()).collect();
        let mut sorted = claimed.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(claimed, sorted, "-dateClaimed");
        // The administrator sees every facility's; a page of one has a next page.
        let admin = app.principal("Admin").await;
        let all = app.ok(Some(&admin), FRONT_END_LIST).await;
        assert_eq!(all["claims"]["totalCount"], 9);
        let one = app.ok(Some(&admin), r#"{ claims(status: 2, first: 1, orderBy: "-dateClaimed") { pageInfo { hasNextPage } edges { cursor } } }"#).await;
        assert_eq!(one["claims"]["pageInfo"]["hasNextPage"], true);
    })
    .await;
}

#[tokio::test]
async fn every_claims_filter_selects_what_it_names() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let e = Entry { app: &app, admin: admin.clone(), today: app.state.clock.today() };
        let hd = fixtures::facility_id(&app, "HD0001").await;
        let cs = fixtures::facility_id(&app, "CS0001").await;
        let (insuree, chf_id) = head_in(&app, &admin, "D0001").await;
        let b54 = diagnosis(&app, &admin, "B54").await;
        let j18 = diagnosis(&app, &admin, "J18").await;
        let para = fixtures::medical_id(&app, Medical::Item, "PARA5").await.0;
        let consult = fixtures::medical_id(&app, Medical::Service, "C0001").await.0;
        let claimadmin = fixtures::user_id(&app, "claimadmin").await;
        let item = |price: &str| format!(r#"items: [{{ itemId: {para} priceAsked: "{price}" qtyProvided: "1" status: 1 }}]"#);
        let a = e.claim("Q-A", insuree, hd, b54, &format!(r#"{} adminId: {claimadmin} careType: "OPD" visitType: "E" jsonExt: "{{\"programme\": \"hiv\", \"n\": 2}}""#, item("100"))).await;
        let b = e.claim("Q-B", insuree, cs, j18, &format!(r#"{} services: [{{ serviceId: {consult} priceAsked: "2000" qtyProvided: "1" status: 1 }}] careType: "IPD" preAuthorization: true jsonExt: "{{\"programme\": \"tb\"}}""#, item("300"))).await;
        let c = e.claim("Q-C", insuree, hd, j18, &item("500")).await;
        let (b_id, c_id) = (claim_id(&app, &admin, &b).await, claim_id(&app, &admin, &c).await);
        let day = |n: i64| fixtures::date_string(e.today - Duration::days(n));
        sql(&app, &format!("UPDATE claim_claim SET status = 4, review_status = 4, feedback_status = 8, approved = 25000, date_to = '{}', date_processed = '{}', batch_run_id = 7 WHERE id = {b_id}", day(3), day(1))).await;
        sql(&app, &format!("UPDATE claim_claim SET status = 1, date_claimed = '{}' WHERE id = {c_id}", day(10))).await;
        let q = |args: &str| {
            let app = &app;
            let admin = admin.clone();
            let args = format!(r#"code_Istartswith: "q-", orderBy: ["code"], {args}"#);
            async move { codes(app, &admin, &args).await }
        };
        let cases: Vec<(String, Vec<&str>)> = vec![
            (format!(r#"uuid: "{a}""#), vec!["Q-A"]),
            (r#"code: "Q-B""#.into(), vec!["Q-B"]),
            (r#"code_Icontains: "-b""#.into(), vec!["Q-B"]),
            (r#"code_Iexact: "q-c""#.into(), vec!["Q-C"]),
            (r#"codeIsNot: "Q-A""#.into(), vec!["Q-B", "Q-C"]),
            ("status: 4".into(), vec!["Q-B"]),
            ("status_Gt: 1".into(), vec!["Q-A", "Q-B"]),
            (format!(r#"dateClaimed: "{}""#, day(10)), vec!["Q-C"]),
            (format!(r#"dateClaimed_Lt: "{}""#, day(4)), vec!["Q-C"]),
            (format!(r#"dateClaimed_Lte: "{}""#, day(4)), vec!["Q-A", "Q-B", "Q-C"]),
            (format!(r#"dateClaimed_Gt: "{}""#, day(10)), vec!["Q-A", "Q-B"]),
            (format!(r#"dateClaimed_Gte: "{}""#, day(4)), vec!["Q-A", "Q-B"]),
            (format!(r#"dateFrom: "{}""#, day(5)), vec!["Q-A", "Q-B", "Q-C"]),
            (format!(r#"dateFrom_Lt: "{}" "#, day(5)), vec![]),
            (format!(r#"dateFrom_Lte: "{}" dateFrom_Gte: "{}" dateFrom_Gt: "{}""#, day(5), day(5), day(6)), vec!["Q-A", "Q-B", "Q-C"]),
            (format!(r#"dateTo: "{}" dateTo_Lt: "{}" dateTo_Lte: "{}" dateTo_Gt: "{}" dateTo_Gte: "{}""#, day(3), day(2), day(3), day(4), day(3)), vec!["Q-B"]),
            (format!(r#"dateProcessed: "{}" dateProcessed_Gte: "{}" dateProcessed_Lte: "{}" dateProcessed_Gt: "{}" dateProcessed_Lt: "{}""#, day(1), day(1), day(1), day(2), day(0)), vec!["Q-B"]),
            ("feedbackStatus: 8".into(), vec!["Q-B"]),
            ("reviewStatus: 1".into(), vec!["Q-A", "Q-C"]),
            (r#"claimed: "100""#.into(), vec!["Q-A"]),
            (r#"claimed_Gt: "500" claimed_Lt: "2300.01""#.into(), vec!["Q-B"]),
            (r#"claimed_Gte: "2300" claimed_Lte: "2300""#.into(), vec!["Q-B"]),
            (r#"approved: "250" approved_Gte: "250" approved_Lte: "250" approved_Gt: "249" approved_Lt: "251""#.into(), vec!["Q-B"]),
            (r#"visitType: "E""#.into(), vec!["Q-A"]),
            (r#"careType: "IPD""#.into(), vec!["Q-B"]),
            ("preAuthorization: true".into(), vec!["Q-B"]),
            (format!(r#"icd_Id: "{}""#, global("DiagnosisGQLType", b54)), vec!["Q-A"]),
            (format!("icd_Id: {j18}"), vec!["Q-B", "Q-C"]),
            (r#"icd_Code: "J18""#.into(), vec!["Q-B", "Q-C"]),
            (r#"icd_Code_Icontains: "54""#.into(), vec!["Q-A"]),
            (r#"icd_Code_Istartswith: "j1""#.into(), vec!["Q-B", "Q-C"]),
            (r#"icd_Name: "paludisme, sans precision""#.into(), vec!["Q-A"]),
            (r#"icd_Name_Icontains: "PNEUMOPATHIE""#.into(), vec!["Q-B", "Q-C"]),
            (r#"icd_Name_Istartswith: "palu""#.into(), vec!["Q-A"]),
            (r#"admin_Code: "claimadmin""#.into(), vec!["Q-A"]),
            (r#"admin_Code_Icontains: "CLAIMADM""#.into(), vec!["Q-A"]),
            (r#"admin_LastName: "essomba" admin_LastName_Icontains: "SSOM""#.into(), vec!["Q-A"]),
            (r#"admin_OtherNames: "gerard" admin_OtherNames_Icontains: "rar""#.into(), vec!["Q-A"]),
            (format!(r#"healthFacility_Id: "{}""#, global("HealthFacilityGQLType", cs)), vec!["Q-B"]),
            (format!(r#"healthFacility_Uuid: "{}""#, fixtures::facility_uuid(&app, "HD0001").await), vec!["Q-A", "Q-C"]),
            (r#"healthFacility_Code: "CS0001" healthFacility_Code_Iexact: "cs0001""#.into(), vec!["Q-B"]),
            (r#"healthFacility_Code_Istartswith: "hd" healthFacility_Code_Icontains: "D00""#.into(), vec!["Q-A", "Q-C"]),
            (r#"healthFacility_Name_Icontains: "deido" healthFacility_Name_Istartswith: "centre""#.into(), vec!["Q-B"]),
            (r#"healthFacility_Name: "centre de sante de deido" healthFacility_Name_Iexact: "Centre de Santé de Déïdo""#.into(), vec!["Q-B"]),
            (r#"healthFacility_Level: "H" healthFacility_CareType: "B""#.into(), vec!["Q-A", "Q-C"]),
            (format!("healthFacility_Location_Id: {}", fixtures::location_id(&app, "D0001").await), vec!["Q-A", "Q-B", "Q-C"]),
            (format!(r#"healthFacility_Location_Uuid: "{}""#, fixtures::location_uuid(&app, "D0002").await), vec![]),
            (format!(r#"healthFacility_Location_Uuid_In: ["{}", "{}"]"#, fixtures::location_uuid(&app, "D0002").await, fixtures::location_uuid(&app, "D0001").await), vec!["Q-A", "Q-B", "Q-C"]),
            (format!(r#"healthFacility_Location_Parent_Uuid: "{}""#, fixtures::location_uuid(&app, "R0001").await), vec!["Q-A", "Q-B", "Q-C"]),
            (format!(r#"insuree_ChfId: "{chf_id}""#), vec!["Q-A", "Q-B", "Q-C"]),
            (r#"insuree_ChfId_Iexact: "000000000""#.into(), vec![]),
            ("batchRun_Id: 7".into(), vec!["Q-B"]),
            (r#"items: ["PARA5"]"#.into(), vec!["Q-A", "Q-B", "Q-C"]),
            (r#"services: ["C0001", "L0001"]"#.into(), vec!["Q-B"]),
            (r#"items: ["AMOX5"]"#.into(), vec![]),
            (r#"jsonExt: "{\"programme\": \"hiv\"}""#.into(), vec!["Q-A"]),
            (r#"jsonExt: "{\"programme\": \"hiv\", \"n\": 3}""#.into(), vec![]),
            (r#"jsonExt: "{\"n\": 2}""#.into(), vec!["Q-A"]),
        ];
        for (args, expected) in &cases {
            assert_eq!(q(args).await, *expected, "claims({args})");
        }
        // Orders: by claimed amount descending, by date claimed.
        assert_eq!(codes(&app, &admin, r#"code_Istartswith: "Q-", orderBy: ["-claimed"]"#).await, ["Q-B", "Q-C", "Q-A"]);
        assert_eq!(codes(&app, &admin, r#"code_Istartswith: "Q-", orderBy: "dateClaimed,code""#).await, ["Q-C", "Q-A", "Q-B"]);
        assert_eq!(app.err_code(Some(&admin), r#"{ claims(orderBy: ["shoeSize"]) { totalCount } }"#).await, "input.invalid_order");
        assert_eq!(app.err_code(Some(&admin), r#"{ claims(claimed: "1.001") { totalCount } }"#).await, "input.invalid");
        assert_eq!(app.err_code(Some(&admin), r#"{ claims(jsonExt: "[1]") { totalCount } }"#).await, "input.invalid");
        // showRestored: the claims that restore a rejected one.
        let r = e.claim("Q-R", insuree, hd, b54, &format!(r#"{} restore: "{c}""#, item("100"))).await;
        assert_eq!(q("showRestored: true").await, ["Q-R"]);
        let restored = app.ok(Some(&admin), &format!(r#"{{ claim(uuid: "{r}") {{ restoreId restore {{ code }} }} }}"#)).await;
        assert_eq!(restored["claim"]["restore"]["code"], "Q-C");
        assert_eq!(restored["claim"]["restoreId"], c_id);
    })
    .await;
}

/// What the `insuree_*` filters compare, of one insuree.
#[derive(Debug, Clone)]
struct Person {
    id: i64,
    uuid: String,
    chf_id: String,
    last_name: String,
    other_names: String,
    dob: String,
    gender: String,
    head: bool,
    family: String,
}

/// `n` characters of `s` from the `skip`th.
fn chars(s: &str, skip: usize, n: usize) -> String {
    s.chars().skip(skip).take(n).collect()
}

/// The insurees living in `district`.
async fn people_in(app: &TestApp, admin: &Principal, district: &str) -> Vec<Person> {
    let q = format!(
        r#"{{ insurees(parentLocation: "{}", first: 100) {{ edges {{ node {{ id uuid chfId lastName otherNames dob gender {{ code }} head family {{ uuid }} }} }} }} }}"#,
        fixtures::location_uuid(app, district).await
    );
    let d = app.ok(Some(admin), &q).await;
    let text = |v: &Value| v.as_str().unwrap().to_string();
    d["insurees"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .map(|n| Person {
            id: decode(&n["id"]),
            uuid: text(&n["uuid"]),
            chf_id: text(&n["chfId"]),
            last_name: text(&n["lastName"]),
            other_names: text(&n["otherNames"]),
            dob: text(&n["dob"]),
            gender: text(&n["gender"]["code"]),
            head: n["head"].as_bool().unwrap(),
            family: text(&n["family"]["uuid"]),
        })
        .collect()
}

#[tokio::test]
async fn insuree_filters_select_claims_by_their_insuree() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let e = Entry { app: &app, admin: admin.clone(), today: app.state.clock.today() };
        let hd = fixtures::facility_id(&app, "HD0001").await;
        let b54 = diagnosis(&app, &admin, "B54").await;
        // A head of family and a member of another family, names and birth dates apart.
        let people = people_in(&app, &admin, "D0001").await;
        let a = people.iter().find(|p| p.head).expect("a head of family in D0001").clone();
        let b = people
            .iter()
            .find(|p| {
                !p.head
                    && p.family != a.family
                    && chars(&fold(&p.last_name), 0, 3) != chars(&fold(&a.last_name), 0, 3)
                    && chars(&fold(&p.other_names), 0, 3) != chars(&fold(&a.other_names), 0, 3)
                    && p.dob != a.dob
            })
            .expect("another family's member in D0001")
            .clone();
        e.claim("N-A", a.id, hd, b54, "").await;
        e.claim("N-B", b.id, hd, b54, "").await;
        let both = [("N-A", &a), ("N-B", &b)];
        let kept = |keep: &dyn Fn(&Person) -> bool| -> Vec<String> {
            both.iter().filter(|(_, p)| keep(p)).map(|(c, _)| c.to_string()).collect()
        };
        // Searches ignore case and accents (D19): what a folded text contains.
        let middle = |s: &str| chars(s, 1, 3).to_uppercase();
        let holds = |text: &str, part: &str| fold(text).contains(&fold(part));
        let cases: Vec<(String, Vec<String>)> = vec![
            (format!(r#"insuree_Uuid: "{}""#, a.uuid), vec!["N-A".into()]),
            (format!(r#"insuree_Uuid_Iexact: "{}""#, b.uuid.to_uppercase()), vec!["N-B".into()]),
            (format!(r#"insuree_ChfId: "{}""#, b.chf_id), vec!["N-B".into()]),
            (format!(r#"insuree_ChfId_Iexact: "{}""#, a.chf_id), vec!["N-A".into()]),
            (r#"insuree_ChfId_Iexact: "000000000""#.into(), vec![]),
            (format!(r#"insuree_ChfId_Istartswith: "{}""#, &a.chf_id[..7]), kept(&|p| p.chf_id.starts_with(&a.chf_id[..7]))),
            (format!(r#"insuree_ChfId_Icontains: "{}""#, &b.chf_id[3..7]), kept(&|p| p.chf_id.contains(&b.chf_id[3..7]))),
            (format!(r#"insuree_LastName: "{}""#, a.last_name), vec!["N-A".into()]),
            (format!(r#"insuree_LastName: "{}""#, a.last_name.to_uppercase()), kept(&|p| p.last_name == a.last_name.to_uppercase())),
            (format!(r#"insuree_LastName_Iexact: "{}""#, a.last_name.to_uppercase()), vec!["N-A".into()]),
            (format!(r#"insuree_LastName_Istartswith: "{}""#, chars(&b.last_name, 0, 3).to_uppercase()), vec!["N-B".into()]),
            (format!(r#"insuree_LastName_Icontains: "{}""#, middle(&a.last_name)), kept(&|p| holds(&p.last_name, &middle(&a.last_name)))),
            (format!(r#"insuree_OtherNames: "{}""#, b.other_names), vec!["N-B".into()]),
            (format!(r#"insuree_OtherNames_Iexact: "{}""#, a.other_names.to_lowercase()), vec!["N-A".into()]),
            (format!(r#"insuree_OtherNames_Istartswith: "{}""#, chars(&a.other_names, 0, 3).to_lowercase()), vec!["N-A".into()]),
            (format!(r#"insuree_OtherNames_Icontains: "{}""#, middle(&b.other_names)), kept(&|p| holds(&p.other_names, &middle(&b.other_names)))),
            (format!(r#"insuree_Dob: "{}""#, a.dob), vec!["N-A".into()]),
            (format!(r#"insuree_Dob_Lt: "{}""#, a.dob), kept(&|p| p.dob < a.dob)),
            (format!(r#"insuree_Dob_Lte: "{}""#, a.dob), kept(&|p| p.dob <= a.dob)),
            (format!(r#"insuree_Dob_Gt: "{}""#, a.dob), kept(&|p| p.dob > a.dob)),
            (format!(r#"insuree_Dob_Gte: "{}" insuree_Dob_Lte: "{}""#, b.dob, b.dob), vec!["N-B".into()]),
            ("insuree_Head: true".into(), vec!["N-A".into()]),
            ("insuree_Head: false".into(), vec!["N-B".into()]),
            (format!(r#"insuree_Gender_Code: "{}""#, b.gender), kept(&|p| p.gender == b.gender)),
            (format!(r#"insuree_Gender_Code: "{}" insuree_Head: true"#, b.gender), kept(&|p| p.gender == b.gender && p.head)),
        ];
        for (args, expected) in &cases {
            let args = format!(r#"code_Istartswith: "n-", orderBy: ["code"], {args}"#);
            assert_eq!(codes(&app, &admin, &args).await, *expected, "claims({args})");
        }
        assert_eq!(
            app.err_code(Some(&admin), &format!(r#"{{ claims(insuree_Uuid: "{}", insuree_Uuid_Iexact: "{}") {{ totalCount }} }}"#, a.uuid, b.uuid)).await,
            "input.invalid"
        );
        assert_eq!(app.err_code(Some(&admin), r#"{ claims(insuree_Uuid: "nope") { totalCount } }"#).await, "input.invalid");
    })
    .await;
}

#[tokio::test]
async fn insuree_status_selects_claims_by_their_insurees_status() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let e = Entry {
            app: &app,
            admin: admin.clone(),
            today: app.state.clock.today(),
        };
        let hd = fixtures::facility_id(&app, "HD0001").await;
        let b54 = diagnosis(&app, &admin, "B54").await;
        let (active, _) = head_in(&app, &admin, "D0001").await;
        let reasons = app
            .ok(
                Some(&admin),
                r#"{ insureeStatusReasons(statusType: "IN") { edges { node { code } } } }"#,
            )
            .await;
        let reason = reasons["insureeStatusReasons"]["edges"][0]["node"]["code"]
            .as_str()
            .expect("a reason for IN")
            .to_string();
        let village = fixtures::first_village(&app, "D0001").await;
        let head = format!(r#", status: "IN", statusReason: "{reason}""#);
        app.ok(
            Some(&admin),
            &fixtures::create_family_mutation(village, "777000222", "Inactif", &head),
        )
        .await;
        let inactive = fixtures::insuree_id(&app, "777000222").await;
        e.claim("S-A", active, hd, b54, "").await;
        e.claim("S-I", inactive, hd, b54, "").await;
        for (status, expected) in [("AC", vec!["S-A"]), ("IN", vec!["S-I"]), ("DE", vec![])] {
            let args =
                format!(r#"code_Istartswith: "s-", orderBy: ["code"], insuree_Status: {status}"#);
            assert_eq!(codes(&app, &admin, &args).await, expected, "claims({args})");
        }
        let both = codes(&app, &admin, r#"code_Istartswith: "s-", orderBy: ["code"]"#).await;
        assert_eq!(both, ["S-A", "S-I"]);
    })
    .await;
}

#[tokio::test]
async fn diagnosis_variance_keeps_claims_well_above_their_diagnosis_average() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let e = Entry { app: &app, admin: admin.clone(), today: app.state.clock.today() };
        let hd = fixtures::facility_id(&app, "HD0001").await;
        let (insuree, _) = head_in(&app, &admin, "D0001").await;
        let b54 = diagnosis(&app, &admin, "B54").await;
        let j18 = diagnosis(&app, &admin, "J18").await;
        let para = fixtures::medical_id(&app, Medical::Item, "PARA5").await.0;
        let day = |n: i64| fixtures::date_string(e.today - Duration::days(n));
        let mut ids = std::collections::HashMap::new();
        for (code, icd, price) in [("V-H1", b54, 100), ("V-H2", b54, 300), ("V-OLD", b54, 10000), ("V-1", b54, 300), ("V-2", b54, 299), ("V-3", j18, 9999)] {
            let uuid = e.claim(code, insuree, hd, icd, &format!(r#"items: [{{ itemId: {para} priceAsked: "{price}" qtyProvided: "1" status: 1 }}]"#)).await;
            ids.insert(code, claim_id(&app, &admin, &uuid).await);
        }
        // History: two valuated B54 claims in the last year (mean 200) and one older; V-1 and V-2
        // are the candidates; V-3's diagnosis has no history.
        sql(&app, &format!("UPDATE claim_claim SET status = 16, date_claimed = '{}' WHERE id IN ({}, {})", day(100), ids["V-H1"], ids["V-H2"])).await;
        sql(&app, &format!("UPDATE claim_claim SET status = 8, date_claimed = '{}' WHERE id = {}", day(400), ids["V-OLD"])).await;
        sql(&app, &format!("UPDATE claim_claim SET status = 4 WHERE id IN ({}, {}, {})", ids["V-1"], ids["V-2"], ids["V-3"])).await;
        let selected = codes(&app, &admin, r#"code_Istartswith: "V-", status: 4, diagnosisVariance: 50, orderBy: ["code"]"#).await;
        assert_eq!(selected, ["V-1"], "300 ≥ 200 × 1.5 and 299 is not; no history selects nothing");
        let all = codes(&app, &admin, r#"code_Istartswith: "V-", status: 4, diagnosisVariance: 0, orderBy: ["code"]"#).await;
        assert_eq!(all, ["V-1", "V-2"]);
    })
    .await;
}

#[tokio::test]
async fn single_claims_desk_lookups_and_status_counts() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let claimadmin = app.principal("claimadmin").await;
        let (_, chf_id) = head_in(&app, &admin, "D0002").await;
        let d = app
            .ok(
                Some(&claimadmin),
                r#"{ claims(code: "HD0001-001") { edges { node { id uuid } } } }"#,
            )
            .await;
        let node = &d["claims"]["edges"][0]["node"];
        let id = decode(&node["id"]);
        let by_id = app
            .ok(
                Some(&claimadmin),
                &format!("{{ claim(id: {id}) {{ code items {{ item {{ code }} }} }} }}"),
            )
            .await;
        assert_eq!(by_id["claim"]["code"], "HD0001-001");
        assert_eq!(by_id["claim"]["items"][0]["item"]["code"], "PARA5");
        let by_uuid = app
            .ok(
                Some(&claimadmin),
                &format!(
                    r#"{{ claim(uuid: "{}") {{ code }} }}"#,
                    node["uuid"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(by_uuid["claim"]["code"], "HD0001-001");
        assert_eq!(
            app.err_code(Some(&claimadmin), "{ claim { code } }").await,
            "input.invalid"
        );
        let cs = fixtures::facility_id(&app, "CS0001").await;
        let village = fixtures::first_village(&app, "D0001").await;
        app.ok(
            Some(&admin),
            &fixtures::create_family_mutation(
                village,
                "777000111",
                "Fsp",
                &format!(", healthFacilityId: {cs}"),
            ),
        )
        .await;
        let fsp = |chf: &str| {
            format!(
                r#"{{ fspFromClaim(insureeCode: "{chf}", dateClaimed: "2026-01-01") {{ code }} }}"#
            )
        };
        assert_eq!(
            app.ok(Some(&claimadmin), &fsp("777000111")).await["fspFromClaim"]["code"],
            "CS0001"
        );
        assert_eq!(
            app.ok(Some(&claimadmin), &fsp(&chf_id)).await["fspFromClaim"],
            Value::Null,
            "no first service point"
        );
        // Status counts of the facility's dashboard: one claim moved from Entered to Checked
        // moves one in the counts (the demo's other claims of HD0001 stay as they are).
        let hd_uuid = fixtures::facility_uuid(&app, "HD0001").await;
        let status_counts = || async {
            let counts = app
                .ok(
                    Some(&claimadmin),
                    &format!(
                        r#"{{ claimsStatusCount(healthFacilityUuid: "{hd_uuid}") {{ status count }} }}"#
                    ),
                )
                .await;
            counts["claimsStatusCount"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["status"].as_i64().unwrap(), c["count"].as_i64().unwrap()))
                .collect::<Vec<(i64, i64)>>()
        };
        let before = status_counts().await;
        sql(
            &app,
            &format!("UPDATE claim_claim SET status = 4 WHERE id = {id}"),
        )
        .await;
        let moved: Vec<(i64, i64)> = before
            .iter()
            .map(|&(status, count)| match status {
                2 => (status, count - 1),
                4 => (status, count + 1),
                _ => (status, count),
            })
            .collect();
        assert_eq!(before.iter().map(|c| c.0).collect::<Vec<_>>(), [1, 2, 4, 8, 16]);
        assert_eq!(before[1], (2, 3), "the demo's three Entered claims of HD0001");
        assert_eq!(status_counts().await, moved);
        let ds_uuid = fixtures::facility_uuid(&app, "DS0001").await;
        assert_eq!(
            app.err_code(
                Some(&claimadmin),
                &format!(r#"{{ claimsStatusCount(healthFacilityUuid: "{ds_uuid}") {{ count }} }}"#)
            )
            .await,
            "auth.location_denied"
        );
        assert_eq!(
            app.err_code(
                Some(&claimadmin),
                &format!(
                    r#"{{ claimsStatusCount(healthFacilityUuid: "{}") {{ count }} }}"#,
                    fixtures::new_uuid()
                )
            )
            .await,
            "not_found"
        );
    })
    .await;
}

#[tokio::test]
async fn each_claim_type_answers_node_within_reach() {
    on_each_app(|app: TestApp| async move {
        let claimadmin = app.principal("claimadmin").await;
        let d = app.ok(Some(&claimadmin), r#"{ claims(code: "HD0001-001") { edges { node { id items { id } services { id } } } } }"#).await;
        let node = &d["claims"]["edges"][0]["node"];
        let claim = node["id"].as_str().unwrap().to_string();
        let item = node["items"][0]["id"].as_str().unwrap().to_string();
        let service = node["services"][0]["id"].as_str().unwrap().to_string();
        let id = decode(&node["id"]);
        let postgres = app.state.db.backend() == sea_orm::DbBackend::Postgres;
        let uuid = if postgres { format!("'{}'", fixtures::new_uuid()) } else { format!("X'{}'", fixtures::new_uuid().replace('-', "")) };
        let yes = if postgres { "TRUE" } else { "1" };
        sql(&app, &format!("INSERT INTO claim_feedback (uuid, claim_id, care_rendered, asessment, feedback_date, validity_from) VALUES ({uuid}, {id}, {yes}, 4, '2026-01-05', '2026-01-05T08:00:00+00:00')")).await;
        let fb = app.ok(Some(&claimadmin), &format!(r#"{{ node(id: "{claim}") {{ ... on ClaimGQLType {{ feedback {{ id careRendered asessment feedbackDate }} }} }} }}"#)).await;
        let feedback = fb["node"]["feedback"]["id"].as_str().unwrap().to_string();
        assert_eq!(fb["node"]["feedback"]["asessment"], 4);
        assert_eq!(fb["node"]["feedback"]["feedbackDate"], "2026-01-05T00:00:00.000000");
        let queries = [
            (claim.clone(), "... on ClaimGQLType { code }", "code"),
            (item.clone(), "... on ClaimItemGQLType { item { code } claim { code } }", "item"),
            (service.clone(), "... on ClaimServiceGQLType { service { code } claim { code } }", "service"),
            (feedback.clone(), "... on FeedbackGQLType { claim { code } careRendered }", "claim"),
        ];
        for (global, fragment, field) in &queries {
            let q = format!(r#"{{ node(id: "{global}") {{ __typename {fragment} }} }}"#);
            let d = app.ok(Some(&claimadmin), &q).await;
            assert!(!d["node"][field].is_null(), "{q}: {d}");
        }
        let d = app.ok(Some(&claimadmin), &format!(r#"{{ node(id: "{item}") {{ ... on ClaimItemGQLType {{ claim {{ code }} item {{ code }} }} }} }}"#)).await;
        assert_eq!((d["node"]["claim"]["code"].clone(), d["node"]["item"]["code"].clone()), ("HD0001-001".into(), "PARA5".into()));
        // Out of reach: a claim administrator of another facility and a user of another
        // district get null; so does a caller without 111001.
        let cs_admin = other_facility_admin(&app).await;
        let edea = fixtures::user_with_role_in_districts(&app, "claims_edea", "edea12345", ("Ngo", "Anne"), 256, &["D0002"]).await;
        let no_search = fixtures::principal_with_rights(&app, "claimadmin", &[111002]).await;
        for who in [&cs_admin, &edea, &no_search] {
            for (global, fragment, _) in &queries {
                let q = format!(r#"{{ node(id: "{global}") {{ __typename {fragment} }} }}"#);
                assert_eq!(app.ok(Some(who), &q).await["node"], Value::Null, "{q}");
            }
        }
    })
    .await;
}

/// A claim administrator of `CS0001` (with 111001 and 111002 as the system role gives).
async fn other_facility_admin(app: &TestApp) -> Principal {
    let cs = fixtures::facility_id(app, "CS0001").await;
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
    app.principal("claimadmin_cs").await
}

#[tokio::test]
async fn callers_out_of_reach_see_no_claims_and_no_hidden_insuree() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let all = |who: Principal| {
            let app = &app;
            async move { codes(app, &who, "first: 100, orderBy: [\"code\"]").await }
        };
        // The claim administrator of CS0001 sees CS0001's claims only (the demo's, of every
        // status).
        let of_facility = |code: &'static str| {
            let (app, admin) = (&app, &admin);
            async move {
                codes(app, admin, &format!(r#"healthFacility_Code: "{code}", first: 100, orderBy: ["code"]"#)).await
            }
        };
        let cs_claims = of_facility("CS0001").await;
        assert!(cs_claims.len() >= 3 && cs_claims.iter().all(|c| c.starts_with("CS0001-")), "{cs_claims:?}");
        let cs_admin = other_facility_admin(&app).await;
        assert_eq!(all(cs_admin.clone()).await, cs_claims);
        assert_eq!(codes(&app, &cs_admin, r#"code: "HD0001-001""#).await, Vec::<String>::new());
        assert_eq!(app.ok(Some(&cs_admin), r#"{ claims(healthFacility_Code: "HD0001") { totalCount } }"#).await["claims"]["totalCount"], 0);
        // A user of Edéa (D0002) sees DS0001's only.
        let edea = fixtures::user_with_role_in_districts(&app, "claims_edea", "edea12345", ("Ngo", "Anne"), 256, &["D0002"]).await;
        let ds_claims = of_facility("DS0001").await;
        assert!(ds_claims.len() >= 3 && ds_claims.iter().all(|c| c.starts_with("DS0001-")), "{ds_claims:?}");
        assert_eq!(all(edea.clone()).await, ds_claims);
        // A DS0001 claim for an insuree of Douala shows the claim but not the insuree (D9).
        let (douala, _) = head_in(&app, &admin, "D0001").await;
        let e = Entry { app: &app, admin: admin.clone(), today: app.state.clock.today() };
        let ds = fixtures::facility_id(&app, "DS0001").await;
        let b54 = diagnosis(&app, &admin, "B54").await;
        e.claim("DS-VISIT", douala, ds, b54, "").await;
        let d = app.ok(Some(&edea), r#"{ claims(code: "DS-VISIT") { edges { node { code insuree { chfId } healthFacility { code } } } } }"#).await;
        let node = &d["claims"]["edges"][0]["node"];
        assert_eq!((node["code"].clone(), node["insuree"].clone(), node["healthFacility"]["code"].clone()), ("DS-VISIT".into(), Value::Null, "DS0001".into()));
        // Its number is a desk look-up (D9); its names and birth date search insurees, so they
        // do not reveal a hidden one.
        let hidden = people_in(&app, &admin, "D0001").await.into_iter().find(|p| p.id == douala).unwrap();
        assert_eq!(codes(&app, &edea, &format!(r#"insuree_ChfId: "{}""#, hidden.chf_id)).await, ["DS-VISIT"]);
        for args in [
            format!(r#"insuree_LastName_Iexact: "{}""#, hidden.last_name),
            format!(r#"insuree_ChfId_Istartswith: "{}""#, hidden.chf_id),
            format!(r#"insuree_ChfId: "{}" insuree_Dob: "{}""#, hidden.chf_id, hidden.dob),
        ] {
            assert_eq!(codes(&app, &edea, &args).await, Vec::<String>::new(), "claims({args})");
        }
        assert_eq!(codes(&app, &admin, &format!(r#"code: "DS-VISIT", insuree_LastName_Iexact: "{}""#, hidden.last_name)).await, ["DS-VISIT"]);
        // Without 111001 the list is refused; anonymous callers too.
        let no_search = fixtures::principal_with_rights(&app, "claimadmin", &[111002]).await;
        assert_eq!(app.err_code(Some(&no_search), "{ claims { totalCount } }").await, "auth.permission_denied");
        assert_eq!(app.err_code(None, "{ claims { totalCount } }").await, "auth.unauthenticated");
    })
    .await;
}

/// A user of `kinds` with the system roles `role_flags`, the districts `districts` and, as a
/// claim administrator, the facility `facility`.
async fn user_of_kinds(
    app: &TestApp,
    username: &str,
    kinds: UserKinds,
    role_flags: &[i64],
    districts: &[&str],
    facility: Option<i64>,
) -> Principal {
    let mut roles = vec![];
    for flag in role_flags {
        roles.push(
            imis_core::users::service::system_role(&app.state.db.conn, *flag)
                .await
                .unwrap()
                .id,
        );
    }
    let mut district_ids = vec![];
    for code in districts {
        district_ids.push(fixtures::location_id(app, code).await);
    }
    imis_core::users::service::insert_user_unchecked(
        &app.state.db.conn,
        username,
        "several123",
        "Kinds",
        "Several",
        kinds,
        &roles,
        &district_ids,
        &[],
        facility,
    )
    .await
    .unwrap();
    app.principal(username).await
}

#[tokio::test]
async fn a_user_of_several_kinds_reaches_the_union_of_their_scopes() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let listed = "first: 100, orderBy: [\"code\"]";
        let at = |facility: &str| format!(r#"healthFacility_Code: "{facility}", {listed}"#);
        let (hd, cs, ds) = (
            codes(&app, &admin, &at("HD0001")).await,
            codes(&app, &admin, &at("CS0001")).await,
            codes(&app, &admin, &at("DS0001")).await,
        );
        assert!(!hd.is_empty() && !cs.is_empty() && !ds.is_empty());
        let everything = codes(&app, &admin, listed).await;
        let status_count = |who: Principal, facility: &'static str| {
            let app = &app;
            async move {
                let uuid = fixtures::facility_uuid(app, facility).await;
                let q =
                    format!(r#"{{ claimsStatusCount(healthFacilityUuid: "{uuid}") {{ count }} }}"#);
                match app.exec(Some(&who), &q).await.errors.is_empty() {
                    true => "reached",
                    false => "denied",
                }
            }
        };
        let claim_admin = UserKinds {
            interactive: true,
            claim_admin: true,
            ..Default::default()
        };
        // A pure claim administrator of HD0001 (district D0001): its facility only, not the
        // other facilities of its district.
        let pure = app.principal("claimadmin").await;
        assert_eq!(codes(&app, &pure, listed).await, hd);
        assert_eq!(status_count(pure.clone(), "CS0001").await, "denied");
        // The claim administrator of HD0001 who is also an interactive user of Edéa (D0002):
        // HD0001's claims and those of D0002's facilities, still not CS0001's.
        let both = user_of_kinds(
            &app,
            "hd_and_edea",
            claim_admin,
            &[256],
            &["D0002"],
            Some(fixtures::facility_id(&app, "HD0001").await),
        )
        .await;
        let mut union: Vec<String> = hd.iter().chain(&ds).cloned().collect();
        union.sort();
        assert_eq!(codes(&app, &both, listed).await, union);
        for (facility, reach) in [
            ("HD0001", "reached"),
            ("DS0001", "reached"),
            ("CS0001", "denied"),
        ] {
            assert_eq!(
                status_count(both.clone(), facility).await,
                reach,
                "{facility}"
            );
        }
        let cs_claim = &cs[0];
        let d = app
            .ok(
                Some(&both),
                &format!(r#"{{ claims(code: "{cs_claim}") {{ totalCount }} }}"#),
            )
            .await;
        assert_eq!(d["claims"]["totalCount"], 0);
        // A claim administrator who is also an IMIS administrator: unrestricted.
        let unrestricted = user_of_kinds(
            &app,
            "hd_and_admin",
            claim_admin,
            &[256, imis_core::auth::IMIS_ADMIN_SYSTEM_FLAG],
            &[],
            Some(fixtures::facility_id(&app, "HD0001").await),
        )
        .await;
        assert!(unrestricted.scope.unrestricted);
        assert_eq!(codes(&app, &unrestricted, listed).await, everything);
        for facility in ["HD0001", "CS0001", "DS0001"] {
            assert_eq!(
                status_count(unrestricted.clone(), facility).await,
                "reached",
                "{facility}"
            );
        }
    })
    .await;
}

const EXPLAINED: &str =
    "code rejectionExplanation { lineUuid kind code rejectionReason explanation }";

#[tokio::test]
async fn a_page_explains_each_claims_rejections_as_the_single_claim_does() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let e = Entry { app: &app, admin: admin.clone(), today: app.state.clock.today() };
        let hd = fixtures::facility_id(&app, "HD0001").await;
        let (insuree, chf_id) = head_in(&app, &admin, "D0001").await;
        let b54 = diagnosis(&app, &admin, "B54").await;
        let para = fixtures::medical_id(&app, Medical::Item, "PARA5").await.0;
        let consult = fixtures::medical_id(&app, Medical::Service, "C0001").await.0;
        let lines = format!(r#"items: [{{ itemId: {para} priceAsked: "10" qtyProvided: "1" status: 1 }}] services: [{{ serviceId: {consult} priceAsked: "2000" qtyProvided: "1" status: 1 }}]"#);
        let mut uuids = vec![];
        for code in ["RX-1", "RX-2", "RX-3", "RX-4"] {
            let uuid = e.claim(code, insuree, hd, b54, &lines).await;
            uuids.push((code, uuid.clone(), claim_id(&app, &admin, &uuid).await));
        }
        let id = |n: usize| uuids[n].2;
        // RX-1 rejected for an unknown insuree (reason 7) with its item line; RX-2 checked with
        // its item line rejected (17); RX-3 untouched; RX-4 rejected outright (3) with its
        // service line.
        sql(&app, &format!("UPDATE claim_claim SET status = 1, rejection_reason = 7 WHERE id = {}", id(0))).await;
        sql(&app, &format!("UPDATE claim_detail SET status = 2, rejection_reason = 1 WHERE kind = 'I' AND claim_id = {}", id(0))).await;
        sql(&app, &format!("UPDATE claim_claim SET status = 4 WHERE id = {}", id(1))).await;
        sql(&app, &format!("UPDATE claim_detail SET status = 2, rejection_reason = 17, rejection_facts = '{{\"product\": \"MUT01\"}}' WHERE kind = 'I' AND claim_id = {}", id(1))).await;
        sql(&app, &format!("UPDATE claim_claim SET status = 1, rejection_reason = 3 WHERE id = {}", id(3))).await;
        sql(&app, &format!("UPDATE claim_detail SET status = 2, rejection_reason = 1 WHERE kind = 'S' AND claim_id = {}", id(3))).await;
        let page = app
            .ok(Some(&admin), &format!(r#"{{ claims(code_Istartswith: "RX-", orderBy: ["code"]) {{ edges {{ node {{ {EXPLAINED} items {{ claim {{ {EXPLAINED} }} }} }} }} }} }}"#))
            .await;
        let nodes: Vec<&Value> = page["claims"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();
        assert_eq!(nodes.len(), 4);
        for (node, (code, uuid, _)) in nodes.iter().zip(&uuids) {
            let single = app.ok(Some(&admin), &format!(r#"{{ claim(uuid: "{uuid}") {{ {EXPLAINED} }} }}"#)).await;
            assert_eq!(node["code"], *code);
            assert_eq!(node["rejectionExplanation"], single["claim"]["rejectionExplanation"], "{code}");
            assert_eq!(node["items"][0]["claim"]["rejectionExplanation"], single["claim"]["rejectionExplanation"], "{code} through its line");
        }
        let shown = |n: usize| nodes[n]["rejectionExplanation"].as_array().unwrap().clone();
        let reasons = |n: usize| shown(n).iter().map(|e| (e["kind"].as_str().map(str::to_string), e["code"].as_str().map(str::to_string), e["rejectionReason"].as_i64().unwrap())).collect::<Vec<_>>();
        assert_eq!(reasons(0), [(None, None, 7), (Some("ITEM".into()), Some("PARA5".into()), 1)]);
        assert!(shown(0)[0]["explanation"].as_str().unwrap().contains(&chf_id), "{:?}", shown(0));
        assert_eq!(reasons(1), [(Some("ITEM".into()), Some("PARA5".into()), 17)]);
        assert!(shown(1)[0]["explanation"].as_str().unwrap().contains("MUT01"));
        assert_eq!(reasons(2), []);
        assert_eq!(reasons(3), [(None, None, 3), (Some("SERVICE".into()), Some("C0001".into()), 1)]);
    })
    .await;
}

/// The front end's claim form (fe-claim 1.10), with the package sub-lines of service lines.
fn front_end_claim_form(uuid: &str) -> String {
    format!(
        r#"{{ claim(uuid: "{uuid}") {{ uuid,code,dateFrom,dateTo,dateClaimed,claimed,approved,valuated,status,feedbackStatus,reviewStatus,guaranteeId,explanation,adjustment,attachmentsCount,careType,restore {{uuid, code}},healthFacility{{id, uuid, code, name, level, servicesPricelist{{id, uuid}}, itemsPricelist{{id, uuid}}, contractStartDate, contractEndDate, location{{id,uuid,code,name,type, parent{{id,uuid,code,name,type}}}}}},referFrom{{id, uuid, code, name}},referTo{{id, uuid, code, name}},insuree{{id, uuid, chfId, lastName, otherNames, dob}},visitType,admin{{id, uuid, code, lastName, otherNames, healthFacility{{id, uuid, code, name, level, servicesPricelist{{id, uuid}}, itemsPricelist{{id, uuid}}, location{{id, uuid, code, name, parent{{id, uuid, code, name}}}}}}}},icd{{id, code, name}},icd1{{id, code, name}},icd2{{id, code, name}},icd3{{id, code, name}},icd4{{id, code, name}},preAuthorization,patientCondition,referralCode,jsonExt,services{{id, product {{ id, uuid }}, service {{id code name price maximumAmount manualPrice packagetype}} qtyProvided, priceAsked, qtyApproved, priceApproved, priceValuated,priceAdjusted, explanation, justification, rejectionReason, status, items{{ item {{ id code name }} qtyDisplayed priceAsked qtyProvided }} services{{ service {{id code name}} qtyProvided qtyDisplayed priceAsked }}}},items{{id, product {{ id, uuid }}, item {{id code name price maximumAmount}} qtyProvided, priceAsked, qtyApproved, priceApproved, priceValuated, priceAdjusted, explanation, justification, rejectionReason, status}} }} }}"#
    )
}

/// The front end's claim history document (fe-claim 1.10), but `insuree.insureePolicies`, which
/// `InsureeGQLType` does not have.
const FRONT_END_CLAIM_HISTORY: &str = r#"query ($claimUuid: String!) { claimHistory(claimUuid: $claimUuid) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { uuid validityTo code jsonExt dateClaimed dateProcessed feedbackStatus reviewStatus claimed approved status restoreId insuree { id uuid chfId lastName otherNames dob } attachmentsCount } } } }"#;

#[tokio::test]
async fn service_lines_show_empty_package_sub_lines_and_claim_history_lists_versions() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let claimadmin = app.principal("claimadmin").await;
        // The front end's form document validates; sub-lines are not stored, so they are empty.
        let d = app.ok(Some(&claimadmin), r#"{ claims(code: "HD0001-001") { edges { node { uuid } } } }"#).await;
        let demo_uuid = d["claims"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        let form = app.ok(Some(&claimadmin), &front_end_claim_form(&demo_uuid)).await;
        let services = form["claim"]["services"].as_array().unwrap();
        assert!(!services.is_empty(), "{form}");
        for s in services {
            assert_eq!((s["items"].clone(), s["services"].clone()), (Value::Array(vec![]), Value::Array(vec![])), "{s}");
        }
        // A claim entered then updated twice has three versions, newest first.
        let e = Entry { app: &app, admin: admin.clone(), today: app.state.clock.today() };
        let hd = fixtures::facility_id(&app, "HD0001").await;
        let (insuree, _) = head_in(&app, &admin, "D0001").await;
        let b54 = diagnosis(&app, &admin, "B54").await;
        let uuid = e.claim("HIST-1", insuree, hd, b54, "").await;
        let id = claim_id(&app, &admin, &uuid).await;
        for (n, code) in ["HIST-2", "HIST-3"].iter().enumerate() {
            app.ok(Some(&admin), &format!(
                r#"mutation {{ updateClaim(input: {{ clientMutationId: "hist-{n}" id: {id} code: "{code}" insureeId: {insuree} healthFacilityId: {hd} icdId: {b54} dateFrom: "{}" dateClaimed: "{}" items: [] }}) {{ internalId }} }}"#,
                fixtures::date_string(e.today - Duration::days(5)),
                fixtures::date_string(e.today - Duration::days(4)),
            )).await;
        }
        let vars = serde_json::json!({ "claimUuid": uuid });
        let h = app.ok_vars(Some(&claimadmin), FRONT_END_CLAIM_HISTORY, vars.clone()).await;
        let list = &h["claimHistory"];
        assert_eq!(list["totalCount"], 3, "{h}");
        let nodes: Vec<&Value> = list["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();
        let codes: Vec<&str> = nodes.iter().map(|n| n["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["HIST-3", "HIST-2", "HIST-1"]);
        assert!(nodes[0]["validityTo"].is_null());
        assert!(nodes[1]["validityTo"].is_string() && nodes[2]["validityTo"].is_string(), "{h}");
        assert!(nodes.iter().all(|n| n["uuid"] == uuid.as_str() && n["insuree"]["id"].is_string() && n["attachmentsCount"] == 0));
        // Paging and order; a version answers `node(id:)` with its `legacyId`.
        let q = |args: &str| format!(r#"{{ claimHistory(claimUuid: "{uuid}", {args}) {{ pageInfo {{ hasNextPage }} edges {{ node {{ id code legacyId }} }} }} }}"#);
        let page = app.ok(Some(&claimadmin), &q("first: 1, offset: 1")).await;
        assert_eq!(page["claimHistory"]["edges"][0]["node"]["code"], "HIST-2");
        assert_eq!(page["claimHistory"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(page["claimHistory"]["edges"][0]["node"]["legacyId"], id);
        let version = page["claimHistory"]["edges"][0]["node"]["id"].as_str().unwrap().to_string();
        let oldest = app.ok(Some(&claimadmin), &q(r#"orderBy: ["validityFrom"], last: 2"#)).await;
        let codes: Vec<&str> = oldest["claimHistory"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["HIST-2", "HIST-3"]);
        assert_eq!(app.err_code(Some(&claimadmin), &q(r#"orderBy: ["code"]"#)).await, "input.invalid_order");
        let node_q = format!(r#"{{ node(id: "{version}") {{ ... on ClaimGQLType {{ code validityTo }} }} }}"#);
        assert_eq!(app.ok(Some(&claimadmin), &node_q).await["node"]["code"], "HIST-2");
        // Out of reach: another facility's claim administrator, another district's user and an
        // unknown claim get an empty list; without 111001 the query is refused.
        let cs_admin = other_facility_admin(&app).await;
        let edea = fixtures::user_with_role_in_districts(&app, "claims_edea", "edea12345", ("Ngo", "Anne"), 256, &["D0002"]).await;
        for who in [&cs_admin, &edea] {
            let h = app.ok_vars(Some(who), FRONT_END_CLAIM_HISTORY, vars.clone()).await;
            assert_eq!(h["claimHistory"]["totalCount"], 0, "{h}");
            assert_eq!(app.ok(Some(who), &node_q).await["node"], Value::Null);
        }
        let unknown = serde_json::json!({ "claimUuid": fixtures::new_uuid() });
        assert_eq!(app.ok_vars(Some(&admin), FRONT_END_CLAIM_HISTORY, unknown).await["claimHistory"]["totalCount"], 0);
        let no_search = fixtures::principal_with_rights(&app, "claimadmin", &[111002]).await;
        assert_eq!(app.err_code_vars(Some(&no_search), FRONT_END_CLAIM_HISTORY, vars.clone()).await, "auth.permission_denied");
        assert_eq!(app.err_code(Some(&claimadmin), r#"{ claimHistory(claimUuid: "nope") { totalCount } }"#).await, "input.invalid");
    })
    .await;
}
