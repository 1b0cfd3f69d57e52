//! What openIMIS's web front end reads from the core (issue 12): the home page's `useUserQuery`
//! (the user's facility, the officer's district), the administration's users list with its
//! filters and orders, the front-end modules' configurations and the rights by module.

use imis_core::auth::Principal;
use imis_tests::{TestApp, TestDb, on_each_app, on_each_db};
use serde_json::Value;

/// The home page's document as fe-core 1.11 sends it, with fe-location's facility projection.
const USE_USER_QUERY: &str = r#"query useUserQuery {
  user {
    healthFacility { id uuid code name level servicesPricelist { id uuid } itemsPricelist { id uuid } contractStartDate contractEndDate location { id uuid code name parent { id uuid code name } } }
    id username rights email lastName otherNames phone
    iUser { id uuid language { code name } }
    claimAdmin { id code uuid }
    officer { id uuid code dob address location { id uuid code name parent { id uuid code name } } }
  }
}"#;

/// fe-admin's users list (`fetchUsersSummaries`), for `regionIds` and `orderBy` (filled in).
const USERS_LIST: &str = r#"{ users(first: 10, orderBy: ["ORDER"], regionIds: [REGIONS]) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id username officer { id dob phone lastName otherNames email } iUser { id phone lastName otherNames email roles { id name } } claimAdmin { id phone lastName otherNames emailId dob } clientMutationId } } } }"#;

/// The integer id and uuid of the location with this code.
async fn location(app: &TestApp, admin: &Principal, code: &str) -> (i64, String) {
    let v = app
        .ok(
            Some(admin),
            &format!(r#"{{ locations(code: "{code}") {{ edges {{ node {{ id uuid }} }} }} }}"#),
        )
        .await;
    let node = &v["locations"]["edges"][0]["node"];
    let id = imis_core::graphql::parse_pk(node["id"].as_str().unwrap(), "LocationGQLType").unwrap();
    (id, node["uuid"].as_str().unwrap().to_string())
}

async fn clerk_role(app: &TestApp, admin: &Principal) -> i64 {
    let v = app
        .ok(
            Some(admin),
            r#"{ role(isSystem: true, name: "Clerk") { edges { node { id } } } }"#,
        )
        .await;
    imis_core::graphql::parse_pk(
        v["role"]["edges"][0]["node"]["id"].as_str().unwrap(),
        "RoleGQLType",
    )
    .unwrap()
}

async fn facility_id(app: &TestApp, admin: &Principal, code: &str) -> i64 {
    let v = app
        .ok(
            Some(admin),
            &format!(r#"{{ healthFacilities(code: "{code}") {{ edges {{ node {{ id }} }} }} }}"#),
        )
        .await;
    imis_core::graphql::parse_pk(
        v["healthFacilities"]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap(),
        "HealthFacilityGQLType",
    )
    .unwrap()
}

fn usernames(v: &Value) -> Vec<String> {
    v["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["username"].as_str().unwrap().to_string())
        .collect()
}

/// A user of district D0001 whose officer district is D0002 and whose facility (DS0001) lies in
/// D0002: the Douala clerk sees the user, but neither that district nor that facility.
async fn create_mixed_user(app: &TestApp, admin: &Principal) {
    let (d1, _) = location(app, admin, "D0001").await;
    let (d2, _) = location(app, admin, "D0002").await;
    let (v1, _) = location(app, admin, "V0001").await;
    let role = clerk_role(app, admin).await;
    let pongo = facility_id(app, admin, "DS0001").await;
    app.ok(
        Some(admin),
        &format!(
            r#"mutation {{ createUser(input: {{ clientMutationId: "fe-mixed", username: "mixed", lastName: "Etoundi", otherNames: "Marc", language: "fr", email: "Marc@Example.org", phone: "699000001", roles: [{role}], districts: [{d1}], villageIds: [{v1}], locationId: {d2}, healthFacilityId: {pongo}, birthDate: "1980-05-01", userTypes: [INTERACTIVE, OFFICER] }}) {{ internalId }} }}"#
        ),
    )
    .await;
}

#[tokio::test]
async fn the_home_page_reads_the_users_facility_and_the_officers_district() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v = app.ok(Some(&admin), USE_USER_QUERY).await;
        assert_eq!(v["user"]["username"], "Admin");
        assert!(v["user"]["healthFacility"].is_null(), "{v}");
        assert!(v["user"]["officer"].is_null(), "{v}");
        assert_eq!(v["user"]["iUser"]["language"]["code"], "fr");

        // A claim administrator's own facility, with its district and region.
        let claim_admin = app.principal("claimadmin").await;
        let v = app.ok(Some(&claim_admin), USE_USER_QUERY).await;
        let hf = &v["user"]["healthFacility"];
        assert_eq!(hf["code"], "HD0001", "{v}");
        assert_eq!(hf["level"], "H");
        assert_eq!(hf["location"]["code"], "D0001");
        assert_eq!(hf["location"]["parent"]["code"], "R0001");
        assert!(v["user"]["claimAdmin"]["code"].is_string(), "{v}");

        // An officer's own district.
        let officer = app.principal("eo_douala").await;
        let v = app.ok(Some(&officer), USE_USER_QUERY).await;
        let eo = &v["user"]["officer"];
        assert_eq!(eo["code"], "eo_douala", "{v}");
        assert_eq!(eo["location"]["code"], "D0001");
        assert_eq!(eo["location"]["name"], "Douala");
        assert_eq!(eo["location"]["parent"]["code"], "R0001");

        // One's own facility shows even outside one's districts; another user's does not.
        create_mixed_user(&app, &admin).await;
        let mixed = app.principal("mixed").await;
        let v = app.ok(Some(&mixed), USE_USER_QUERY).await;
        assert_eq!(v["user"]["healthFacility"]["code"], "DS0001", "{v}");
    })
    .await;
}

#[tokio::test]
async fn a_district_user_sees_no_facility_or_officer_district_of_another_district() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        create_mixed_user(&app, &admin).await;
        let query = r#"{ users(username: "mixed") { totalCount edges { node { username healthFacility { code } iUser { healthFacility { code } } officer { location { code } } } } } }"#;

        let v = app.ok(Some(&admin), query).await;
        let node = &v["users"]["edges"][0]["node"];
        assert_eq!(node["healthFacility"]["code"], "DS0001", "{v}");
        assert_eq!(node["iUser"]["healthFacility"]["code"], "DS0001", "{v}");
        assert_eq!(node["officer"]["location"]["code"], "D0002", "{v}");

        let mut clerk = app.principal("clerk").await;
        clerk.rights.insert(121701);
        let v = app.ok(Some(&clerk), query).await;
        assert_eq!(v["users"]["totalCount"], 1, "the clerk sees the user: {v}");
        let node = &v["users"]["edges"][0]["node"];
        assert!(node["healthFacility"].is_null(), "{v}");
        assert!(node["iUser"]["healthFacility"].is_null(), "{v}");
        assert!(node["officer"]["location"].is_null(), "{v}");

        // The same user seen through node(id:).
        let id = app
            .ok(Some(&admin), r#"{ users(username: "mixed") { edges { node { id } } } }"#)
            .await["users"]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let v = app
            .ok(
                Some(&clerk),
                &format!(
                    r#"{{ node(id: "{id}") {{ ... on UserGQLType {{ healthFacility {{ code }} officer {{ location {{ code }} }} }} }} }}"#
                ),
            )
            .await;
        assert!(v["node"]["healthFacility"].is_null(), "{v}");
        assert!(v["node"]["officer"]["location"].is_null(), "{v}");

        // Its own officers keep their district.
        let v = app
            .ok(
                Some(&clerk),
                r#"{ users(username: "eo_douala") { edges { node { officer { location { code } } } } } }"#,
            )
            .await;
        assert_eq!(v["users"]["edges"][0]["node"]["officer"]["location"]["code"], "D0001", "{v}");
    })
    .await;
}

#[tokio::test]
async fn the_users_list_takes_the_front_ends_filters_and_orders() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let (r1, r1_uuid) = location(&app, &admin, "R0001").await;
        // A second region with one district and one user.
        app.ok(Some(&admin), r#"mutation { createLocation(input: { code: "R0002", name: "Centre", type: "R" }) { internalId } }"#).await;
        let (r2, r2_uuid) = location(&app, &admin, "R0002").await;
        app.ok(
            Some(&admin),
            &format!(r#"mutation {{ createLocation(input: {{ code: "D0009", name: "Yaoundé", type: "D", parentUuid: "{r2_uuid}" }}) {{ internalId }} }}"#),
        )
        .await;
        let (d9, _) = location(&app, &admin, "D0009").await;
        let role = clerk_role(&app, &admin).await;
        app.ok(
            Some(&admin),
            &format!(r#"mutation {{ createUser(input: {{ username: "clerk_yde", lastName: "Abena", otherNames: "Paul", language: "fr", roles: [{role}], districts: [{d9}], userTypes: [INTERACTIVE] }}) {{ internalId }} }}"#),
        )
        .await;
        create_mixed_user(&app, &admin).await;

        // The front end's document, with each order it offers.
        let fe = |order: &str, regions: &str| USERS_LIST.replace("ORDER", order).replace("REGIONS", regions);
        let v = app.ok(Some(&admin), &fe("-username", &r1.to_string())).await;
        let names = usernames(&v);
        assert!(names.contains(&"clerk".to_string()) && !names.contains(&"clerk_yde".to_string()), "{names:?}");
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
        assert_eq!(names, sorted, "-username sorts descending");
        let v = app.ok(Some(&admin), &fe("username", &r2.to_string())).await;
        assert_eq!(usernames(&v), ["clerk_yde"], "{v}");
        assert_eq!(v["users"]["totalCount"], 1);
        let v = app.ok(Some(&admin), &fe("username", &format!("{r1}, {r2}"))).await;
        assert!(usernames(&v).contains(&"clerk_yde".to_string()), "{v}");
        for order in [
            "iUser_LastName", "-iUser_LastName", "iUser_OtherNames", "-iUser_OtherNames",
            "iUser_Email", "iUser_Phone", "officer__dob", "-officer__dob", "iUser__lastName",
            "lastName", "otherNames", "email", "phone", "officer_Code",
        ] {
            app.ok(Some(&admin), &fe(order, &r1.to_string())).await;
        }
        let v = app.ok(Some(&admin), &fe("officer__dob", &r1.to_string())).await;
        assert_eq!(usernames(&v)[0], "mixed", "the only birth date comes first, nulls last: {v}");

        let count = async |args: &str| -> i64 {
            let v = app.ok(Some(&admin), &format!("{{ users({args}) {{ totalCount }} }}")).await;
            v["users"]["totalCount"].as_i64().unwrap()
        };
        let names_of = async |args: &str| -> Vec<String> {
            usernames(&app.ok(Some(&admin), &format!("{{ users({args}, first: 100) {{ edges {{ node {{ username }} }} }} }}")).await)
        };
        // Locations: subtrees of a region, district, ward or village, by id or reference.
        assert_eq!(names_of(&format!("regionId: {r2}")).await, ["clerk_yde"]);
        assert_eq!(names_of(&format!(r#"parentLocation: "{r2_uuid}", parentLocationLevel: 0"#)).await, ["clerk_yde"]);
        assert_eq!(names_of(&format!(r#"parentLocation: "{r2}""#)).await, ["clerk_yde"]);
        assert_eq!(count(&format!(r#"parentLocation: "{r1_uuid}""#)).await, count(&format!("regionId: {r1}")).await);
        assert_eq!(count(r#"parentLocation: "999999""#).await, 0);
        let (d2, _) = location(&app, &admin, "D0002").await;
        let in_edea = names_of(&format!("districtId: {d2}")).await;
        assert!(in_edea.contains(&"eo_edea".to_string()) && in_edea.contains(&"mixed".to_string()), "{in_edea:?}");
        assert!(!in_edea.contains(&"clerk".to_string()) && !in_edea.contains(&"claimadmin".to_string()), "{in_edea:?}");
        let (w1, _) = location(&app, &admin, "W0001").await;
        let (v1, _) = location(&app, &admin, "V0001").await;
        let (v7, _) = location(&app, &admin, "V0007").await;
        let mut in_village = names_of(&format!("villageId: {v1}")).await;
        in_village.sort();
        assert_eq!(in_village, ["eo_douala", "mixed"]);
        assert_eq!(names_of(&format!("municipalityId: {w1}")).await.len(), 2);
        assert_eq!(names_of(&format!("villageId: {v7}")).await, ["eo_edea"]);
        assert_eq!(count(&format!("regionId: {r2}, districtId: {d2}")).await, 0, "filters combine");

        // People, logins, dates, kinds.
        assert_eq!(names_of(r#"birthDateFrom: "1980-01-01", birthDateTo: "1980-12-31""#).await, ["mixed"]);
        assert_eq!(names_of(r#"officer_Dob: "1980-05-01""#).await, ["mixed"]);
        assert_eq!(count(r#"birthDateFrom: "1981-01-01""#).await, 0);
        assert_eq!(names_of(r#"iUser_Email_Iexact: "marc@example.ORG""#).await, ["mixed"]);
        assert_eq!(names_of(r#"iUser_Phone_Iexact: "699000001""#).await, ["mixed"]);
        assert_eq!(names_of(r#"iUser_LoginName_Iexact: "MIXED""#).await, ["mixed"]);
        assert_eq!(names_of(r#"iUser_LastName_Icontains: "toUND""#).await, ["mixed"]);
        assert_eq!(names_of(r#"officer_LastName_Icontains: "etoundi""#).await, ["mixed"]);
        assert_eq!(names_of(r#"officer_Code_Icontains: "DOUAL""#).await, ["eo_douala"]);
        assert_eq!(names_of(r#"officer_Code: "eo_edea""#).await, ["eo_edea"]);
        let mut associated = names_of("iUser_IsAssociated: true").await;
        associated.sort();
        assert_eq!(associated, ["ca_cs0001", "ca_ds0001", "ca_hd0001", "claimadmin", "eo_douala", "eo_edea", "mixed"]);
        assert_eq!(names_of(r#"clientMutationId: "fe-mixed""#).await, ["mixed"]);
        let pongo = facility_id(&app, &admin, "DS0001").await;
        assert_eq!(names_of(&format!("healthFacilityId: {pongo}")).await, ["ca_ds0001", "mixed"]);
        assert_eq!(names_of(r#"roles: [999999]"#).await, Vec::<String>::new());

        // Identities: the user's global id, the officer's and interactive user's ids.
        let node = app.ok(Some(&admin), r#"{ users(username: "mixed") { edges { node { id uuid iUser { id } officer { id uuid } } } } }"#).await["users"]["edges"][0]["node"].clone();
        for args in [
            format!(r#"id: "{}""#, node["id"].as_str().unwrap()),
            format!(r#"iUser_Id: "{}""#, node["iUser"]["id"].as_str().unwrap()),
            format!(r#"iUser_Uuid: "{}""#, node["uuid"].as_str().unwrap()),
            format!(r#"officer_Id: "{}""#, node["officer"]["id"].as_str().unwrap()),
            format!(r#"officer_Uuid: "{}""#, node["officer"]["uuid"].as_str().unwrap()),
        ] {
            assert_eq!(names_of(&args).await, ["mixed"], "{args}");
        }
        let bad = app.err_code(Some(&admin), r#"{ users(id: "bm90LWFuLWlk") { totalCount } }"#).await;
        assert_eq!(bad, "input.invalid_id");

        // A deleted user: gone from the current list, there on the day it was valid.
        let uuid = node["uuid"].as_str().unwrap();
        app.ok(Some(&admin), &format!(r#"mutation {{ deleteUser(input: {{ uuids: ["{uuid}"] }}) {{ internalId }} }}"#)).await;
        assert_eq!(count(r#"username: "mixed""#).await, 0);
        assert_eq!(count(r#"username: "mixed", showDeleted: true"#).await, 1);
        let today = app.state.clock.today();
        assert_eq!(count(&format!(r#"username: "mixed", validity: "{today}""#)).await, 1);
        assert_eq!(count(r#"username: "mixed", validity: "2000-01-01""#).await, 0);

        // The caller's own locations still apply (D9): the Douala clerk finds nobody in Yaoundé.
        let mut clerk = app.principal("clerk").await;
        clerk.rights.insert(121701);
        let v = app.ok(Some(&clerk), &format!("{{ users(regionIds: [{r2}]) {{ totalCount }} }}")).await;
        assert_eq!(v["users"]["totalCount"], 0, "{v}");
    })
    .await;
}

#[tokio::test]
async fn locations_and_facilities_take_integer_ids_where_uuids_are_usual() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let (d1, d1_uuid) = location(&app, &admin, "D0001").await;
        let (r1, _) = location(&app, &admin, "R0001").await;
        let count = async |q: &str| -> i64 {
            let v = app.ok(Some(&admin), q).await;
            v.as_object().unwrap().values().next().unwrap()["totalCount"].as_i64().unwrap()
        };
        let by_uuid = count(&format!(r#"{{ locations(parent_Uuid: "{d1_uuid}") {{ totalCount }} }}"#)).await;
        assert_eq!(by_uuid, 2);
        assert_eq!(count(&format!(r#"{{ locations(parent_Uuid: "{d1}") {{ totalCount }} }}"#)).await, by_uuid);
        assert_eq!(count(&format!(r#"{{ locations(parent_Uuid_In: ["{d1}"]) {{ totalCount }} }}"#)).await, by_uuid);
        assert_eq!(count(&format!(r#"{{ locations(type: "V", parent_Parent_Uuid: "{d1}") {{ totalCount }} }}"#)).await, 6);
        assert_eq!(count(r#"{ locations(parent_Uuid: "999999") { totalCount } }"#).await, 0);
        assert_eq!(count(&format!(r#"{{ healthFacilities(location_Uuid: "{d1}") {{ totalCount }} }}"#)).await, 2);
        assert_eq!(count(&format!(r#"{{ healthFacilitiesStr(regionUuid: "{r1}") {{ totalCount }} }}"#)).await, 3);
        assert_eq!(count(&format!(r#"{{ healthFacilitiesStr(districtUuid: "{d1}") {{ totalCount }} }}"#)).await, 2);
        let bad = app.err_code(Some(&admin), r#"{ locations(parent_Uuid: "not-a-location") { totalCount } }"#).await;
        assert_eq!(bad, "input.invalid");

        // Substitutes of an officer, the villages named by id.
        let (v1, _) = location(&app, &admin, "V0001").await;
        let v = app.ok(Some(&admin), &format!(r#"{{ substitutionEnrolmentOfficers(villagesUuids: ["{v1}"]) {{ edges {{ node {{ code }} }} }} }}"#)).await;
        assert_eq!(v["substitutionEnrolmentOfficers"]["edges"][0]["node"]["code"], "eo_douala", "{v}");
    })
    .await;
}

#[tokio::test]
async fn module_configurations_answer_the_front_end_modules_and_nothing_secret() {
    on_each_db(|db: TestDb| async move {
        let mut config = db.config();
        config.auth.jwt_secret = "a-jwt-secret-that-must-stay-home".into();
        config.auth.password_min_length = 14;
        let app = TestApp::with_config(config, true).await;
        let r = app
            .exec(
                None,
                "{ moduleConfigurations { id module layer config controls { field usage } } }",
            )
            .await;
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let v = r.data.into_json().unwrap();
        let list = v["moduleConfigurations"].as_array().unwrap();
        let modules: Vec<&str> = list.iter().map(|c| c["module"].as_str().unwrap()).collect();
        assert!(modules.iter().all(|m| m.starts_with("fe-")), "{modules:?}");
        let mut ids: Vec<&str> = list.iter().map(|c| c["id"].as_str().unwrap()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), list.len(), "one id per configuration");
        let config_of = |module: &str| -> Value {
            let c = list
                .iter()
                .find(|c| c["module"] == module)
                .unwrap_or_else(|| panic!("{module} in {v}"));
            assert_eq!(c["layer"], "FE");
            serde_json::from_str(c["config"].as_str().unwrap()).unwrap()
        };
        let core = config_of("fe-core");
        assert_eq!(core["currency"], "XAF");
        assert_eq!(core["numberOfDecimals"], 2);
        assert_eq!(core["ageOfMajority"], 18);
        assert_eq!(core["languages"], serde_json::json!(["en", "fr"]));
        assert_eq!(
            config_of("fe-admin")["passwordGeneratorOptions"]["length"],
            14
        );
        let text = v.to_string();
        for secret in [
            "a-jwt-secret-that-must-stay-home",
            "argon2",
            "sqlite:",
            "postgres:",
            "jwt",
        ] {
            assert!(!text.contains(secret), "{secret} exposed: {text}");
        }
        let r = app
            .exec(None, r#"{ moduleConfigurations(layer: "BE") { module } }"#)
            .await;
        assert_eq!(
            r.data.into_json().unwrap()["moduleConfigurations"],
            serde_json::json!([])
        );
        db
    })
    .await;
}

#[tokio::test]
async fn rights_come_under_the_openimis_names_the_front_end_translates() {
    on_each_app(|app: TestApp| async move {
        let mut admin = app.principal("Admin").await;
        let query = "{ modulesPermissions { modulePermsList { moduleName permissions { permsName permsValue } } } }";
        let perms = async |admin: &Principal| -> Vec<(String, String, i64)> {
            let v = app.ok(Some(admin), query).await;
            v["modulesPermissions"]["modulePermsList"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|m| {
                    m["permissions"].as_array().unwrap().iter().map(|p| {
                        (
                            m["moduleName"].as_str().unwrap().to_string(),
                            p["permsName"].as_str().unwrap().to_string(),
                            p["permsValue"].as_i64().unwrap(),
                        )
                    })
                })
                .collect()
        };
        admin.language = "en".into();
        let en = perms(&admin).await;
        let has = |list: &[(String, String, i64)], module: &str, name: &str, code: i64| {
            list.iter().any(|(m, n, c)| m == module && n == name && *c == code)
        };
        assert!(has(&en, "core", "gql_query_users_perms", 121701), "{en:?}");
        assert!(has(&en, "core", "gql_mutation_duplicate_roles_perms", 122005));
        assert!(has(&en, "location", "gql_query_locations_perms", 121901));
        assert!(has(&en, "location", "gql_mutation_edit_health_facilities_perms", 121103));
        assert!(has(&en, "report", "gql_reports_user_activity_perms", 131207));
        // A right openIMIS has no name for keeps imis's, in the caller's language.
        assert!(has(&en, "core", "Health facilities", 121100));
        admin.language = "fr".into();
        let fr = perms(&admin).await;
        assert!(has(&fr, "core", "Formations sanitaires", 121100));
        assert!(has(&fr, "core", "gql_query_users_perms", 121701));
        // Every right of every enabled module, once.
        let rights: usize = app.state.modules.iter().map(|m| m.rights.len()).sum();
        assert_eq!(en.len(), rights);
        let mut codes: Vec<i64> = en.iter().map(|(_, _, c)| *c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), rights);
    })
    .await;
}

#[tokio::test]
async fn the_user_form_reads_the_username_limit_with_a_user_right() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v = app.ok(Some(&admin), "{ usernameLength }").await;
        assert_eq!(
            v["usernameLength"],
            app.state.config.auth.username_max_length as i64
        );
        // An enrolment officer holds no user right.
        let officer = app.principal("eo_douala").await;
        assert_eq!(
            app.err_code(Some(&officer), "{ usernameLength }").await,
            "auth.permission_denied"
        );
        assert_eq!(
            app.err_code(None, "{ usernameLength }").await,
            "auth.unauthenticated"
        );
    })
    .await;
}

/// fe-admin's user detail document (fixture users-3), for the user with this uuid.
fn user_detail_query(uuid: &str) -> String {
    let fixture: Value =
        serde_json::from_str(include_str!("../fixtures/frontend/users-3.json")).unwrap();
    fixture["query"]
        .as_str()
        .unwrap()
        .replace("01a252c5-03ad-7530-b54a-fb20bea5359c", uuid)
}

/// Creates officer "eo_both" (villages V0001 in Douala and V0007 in D0002, district D0001, eo_douala
/// as substitute) and answers its uuid.
async fn create_two_district_officer(app: &TestApp, admin: &Principal) -> String {
    let (d1, _) = location(app, admin, "D0001").await;
    let (v1, _) = location(app, admin, "V0001").await;
    let (v7, _) = location(app, admin, "V0007").await;
    let role = clerk_role(app, admin).await;
    let v = app
        .ok(
            Some(admin),
            r#"{ enrolmentOfficers(code: "eo_douala") { edges { node { id } } } }"#,
        )
        .await;
    let substitute = imis_core::graphql::parse_pk(
        v["enrolmentOfficers"]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap(),
        "OfficerGQLType",
    )
    .unwrap();
    app.ok(
        Some(admin),
        &format!(
            r#"mutation {{ createUser(input: {{ clientMutationId: "fe-both", username: "eo_both", lastName: "Essomba", otherNames: "Paul", language: "fr", roles: [{role}], districts: [{d1}], villageIds: [{v7}, {v1}], locationId: {d1}, substitutionOfficerId: {substitute}, userTypes: [INTERACTIVE, OFFICER] }}) {{ internalId }} }}"#
        ),
    )
    .await;
    app.ok(
        Some(admin),
        r#"{ users(username: "eo_both") { edges { node { uuid } } } }"#,
    )
    .await["users"]["edges"][0]["node"]["uuid"]
        .as_str()
        .unwrap()
        .to_string()
}

fn codes(list: &Value, path: &[&str]) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            path.iter()
                .fold(e, |v, key| &v[*key])
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn the_user_detail_page_reads_villages_districts_and_the_substitute() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let uuid = create_two_district_officer(&app, &admin).await;
        let query = user_detail_query(&uuid);

        let v = app.ok(Some(&admin), &query).await;
        let node = &v["users"]["edges"][0]["node"];
        let officer = &node["officer"];
        assert_eq!(officer["substitutionOfficer"]["code"], "eo_douala", "{v}");
        assert_eq!(officer["substitutionOfficer"]["lastName"], "Moukoko", "{v}");
        assert_eq!(
            codes(&officer["officerVillages"], &["location", "code"]),
            ["V0001", "V0007"],
            "{v}"
        );
        assert!(officer["officerVillages"][0]["id"].is_string(), "{v}");
        assert_eq!(officer["officerVillages"][0]["location"]["name"], "Akwa");
        assert!(
            officer["officerVillages"][0]["location"]["parent"]["code"].is_string(),
            "{v}"
        );
        assert_eq!(
            codes(&node["iUser"]["districts"], &["location", "code"]),
            ["D0001"],
            "{v}"
        );
        assert_eq!(
            node["iUser"]["districts"][0]["location"]["parent"]["code"],
            "R0001"
        );

        // The Douala clerk with user rights sees the Douala village only, and its substitute.
        let mut clerk = app.principal("clerk").await;
        clerk.rights.insert(121701);
        let v = app.ok(Some(&clerk), &query).await;
        let node = &v["users"]["edges"][0]["node"];
        assert_eq!(
            codes(&node["officer"]["officerVillages"], &["location", "code"]),
            ["V0001"],
            "{v}"
        );
        assert_eq!(
            node["officer"]["substitutionOfficer"]["code"], "eo_douala",
            "{v}"
        );
        assert_eq!(
            codes(&node["iUser"]["districts"], &["location", "code"]),
            ["D0001"],
            "{v}"
        );

        // A clerk of D0002 sees neither the Douala village and district nor the Douala substitute.
        let mut edea_clerk = app.principal("eo_edea").await;
        edea_clerk.rights.insert(121701);
        let v = app.ok(Some(&edea_clerk), &query).await;
        let node = &v["users"]["edges"][0]["node"];
        assert_eq!(
            codes(&node["officer"]["officerVillages"], &["location", "code"]),
            ["V0007"],
            "{v}"
        );
        assert!(node["officer"]["substitutionOfficer"].is_null(), "{v}");
        assert_eq!(node["iUser"]["districts"], serde_json::json!([]), "{v}");
    })
    .await;
}

#[tokio::test]
async fn the_user_form_reads_which_fields_are_obligatory() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        for root in ["userObligatoryFields", "eoObligatoryFields"] {
            let document = format!("query userObligatoryFields {{{root}}}");
            let v = app.ok(Some(&admin), &document).await;
            assert_eq!(
                v[root],
                serde_json::json!({ "email": "O", "phone": "O" }),
                "{v}"
            );
            let officer = app.principal("eo_douala").await;
            assert_eq!(
                app.err_code(Some(&officer), &document).await,
                "auth.permission_denied"
            );
            assert_eq!(app.err_code(None, &document).await, "auth.unauthenticated");
        }
    })
    .await;
}
