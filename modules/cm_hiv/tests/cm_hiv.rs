//! The HIV programme module through GraphQL, on SQLite and PostgreSQL: ART numbers (format,
//! uniqueness, history, search, the insuree's deletion), treatment sites, the programme's right,
//! location scope and the module switch.

// The composed GraphQL roots nest deeply enough to pass rustc's default query depth.
#![recursion_limit = "256"]

use imis_core::auth::Principal;
use imis_tests::{TestApp, TestDb, on_each_db};
use serde_json::Value;

const RIGHT: i32 = imis_cm_hiv::api::RIGHT_HIV_REGISTER;
const REGISTRATION_COUNT: &str = "{ artRegistrations { totalCount } }";

/// A demo user given the programme's right (and the insuree search right a registration needs).
async fn with_register_right(app: &TestApp, username: &str) -> Principal {
    let mut p = app.principal(username).await;
    p.rights.insert(RIGHT);
    p.rights.insert(101101);
    p
}

/// Non-head insurees of the families living in a district (demo codes `D0001`, `D0002`), as
/// `(uuid, chfId)`.
async fn members_in(app: &TestApp, admin: &Principal, district: &str) -> Vec<(String, String)> {
    let data = app
        .ok(
            Some(admin),
            "{ insurees(first: 100) { edges { node { uuid chfId head family { location { parent { parent { code } } } } } } } }",
        )
        .await;
    data["insurees"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .filter(|n| {
            n["head"] == false && n["family"]["location"]["parent"]["parent"]["code"] == district
        })
        .map(|n| {
            (
                n["uuid"].as_str().unwrap().to_string(),
                n["chfId"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The demo application, its administrator and the non-head insurees of Douala.
async fn demo(db: &TestDb) -> (TestApp, Principal, Vec<(String, String)>) {
    let app = TestApp::new(db).await;
    let admin = app.principal("Admin").await;
    let douala = members_in(&app, &admin, "D0001").await;
    (app, admin, douala)
}

/// Registers `number` for `insuree` as `who`, which must succeed.
async fn registered(app: &TestApp, who: &Principal, cmid: &str, insuree: &str, number: &str) {
    app.ok(Some(who), &register(cmid, insuree, number)).await;
}

fn register(cmid: &str, insuree: &str, number: &str) -> String {
    format!(
        r#"mutation {{ registerArtNumber(input: {{ clientMutationId: "{cmid}", insureeUuid: "{insuree}", artNumber: "{number}" }}) {{ clientMutationId internalId }} }}"#
    )
}

fn change(cmid: &str, uuid: &str, number: &str) -> String {
    format!(
        r#"mutation {{ changeArtNumber(input: {{ clientMutationId: "{cmid}", uuid: "{uuid}", artNumber: "{number}" }}) {{ internalId }} }}"#
    )
}

fn set_site_code(cmid: &str, facility: &str, code: &str) -> String {
    format!(
        r#"mutation {{ setFacilitySiteCode(input: {{ clientMutationId: "{cmid}", healthFacilityUuid: "{facility}", siteCode: "{code}" }}) {{ internalId }} }}"#
    )
}

/// The error code a mutation answers (`cmid` names it in the mutation log).
async fn mutation_error(app: &TestApp, who: &Principal, query: &str, cmid: &str) -> String {
    assert!(query.contains(cmid));
    app.err_code(Some(who), query).await
}

/// Asserts that the mutation `query` (named `cmid` in the log) is refused with `code`.
async fn refused(app: &TestApp, who: &Principal, query: &str, cmid: &str, code: &str) {
    assert_eq!(mutation_error(app, who, query, cmid).await, code, "{query}");
}

/// The site codes of `hivFacilitySites` (with `args`) with their facilities' codes.
async fn sites(app: &TestApp, who: &Principal, args: &str) -> Vec<Value> {
    let query = format!(
        "{{ hivFacilitySites{args} {{ edges {{ node {{ siteCode healthFacility {{ code }} }} }} }} }}"
    );
    let data = app.ok(Some(who), &query).await;
    data["hivFacilitySites"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn registrations(app: &TestApp, who: &Principal, args: &str) -> Vec<Value> {
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({args})")
    };
    let data = app
        .ok(
            Some(who),
            &format!("{{ artRegistrations{args} {{ totalCount edges {{ node {{ id uuid artNumber siteCode insuree {{ chfId }} healthFacility {{ code }} }} }} }} }}"),
        )
        .await;
    data["artRegistrations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn art_numbers_are_registered_searched_changed_and_ended() {
    on_each_db(|db: TestDb| async move {
        let (app, admin, douala) = demo(&db).await;
        assert!(douala.len() >= 3, "demo insurees in Douala");
        let (first, first_chf) = &douala[0];
        let (second, _) = &douala[1];

        // The demo treatment sites.
        let demo_sites = sites(&app, &admin, "(orderBy: [\"siteCode\"])").await;
        assert_eq!(demo_sites[0]["siteCode"], "LT-BON01");
        assert_eq!(demo_sites[0]["healthFacility"]["code"], "HD0001");

        // Registered, normalised, found by prefix (any case) and by insuree.
        registered(&app, &admin, "art-1", first, " lt-bon01/2024/00042 ").await;
        let found = registrations(&app, &admin, "artNumber_Istartswith: \"lt-bon01/20\"").await;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["artNumber"], "LT-BON01/2024/00042");
        assert_eq!(found[0]["siteCode"], "LT-BON01");
        assert_eq!(found[0]["insuree"]["chfId"], first_chf.as_str());
        assert_eq!(found[0]["healthFacility"]["code"], "HD0001");
        let by_insuree = registrations(&app, &admin, &format!("insureeUuid: \"{first}\"")).await;
        assert_eq!(by_insuree.len(), 1);
        assert!(registrations(&app, &admin, "artNumber_Istartswith: \"LT-PON01\"").await.is_empty());

        // The same clientMutationId replays; a registered number or insuree is refused.
        registered(&app, &admin, "art-1", first, " lt-bon01/2024/00042 ").await;
        let q = register("art-2", second, "LT-BON01/2024/00042");
        refused(&app, &admin, &q, "art-2", "cm_hiv.art_number_taken").await;
        let q = register("art-3", first, "LT-BON01/2024/00043");
        refused(&app, &admin, &q, "art-3", "cm_hiv.insuree_already_registered").await;
        let q = register("art-4", second, "LT-XXX01/2024/00001");
        refused(&app, &admin, &q, "art-4", "cm_hiv.art_site_unknown").await;
        registered(&app, &admin, "art-5", second, "LT-PON01/2025/00001").await;
        assert_eq!(registrations(&app, &admin, "").await.len(), 2);

        // Changed: the old version goes to history, the new number is searchable.
        let uuid = found[0]["uuid"].as_str().unwrap().to_string();
        app.ok(Some(&admin), &change("art-6", &uuid, "LT-BON01/2023/00007")).await;
        let changed = registrations(&app, &admin, "artNumber: \"LT-BON01/2023/00007\"").await;
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0]["uuid"], uuid.as_str());
        assert_eq!(app.history_count("cm_hiv_art_registration", None).await, 1);
        // The number freed by the change can be given again.
        let (third, _) = &douala[2];
        registered(&app, &admin, "art-7", third, "LT-BON01/2024/00042").await;

        // The node of a registration resolves through the registry.
        let id = changed[0]["id"].as_str().unwrap();
        let node = app.ok(Some(&admin), &format!(r#"{{ node(id: "{id}") {{ __typename ... on ArtRegistrationGQLType {{ artNumber }} }} }}"#)).await;
        assert_eq!(node["node"]["artNumber"], "LT-BON01/2023/00007");

        // Ended by deleteArtRegistration: the number is free again.
        app.ok(Some(&admin), &format!(r#"mutation {{ deleteArtRegistration(input: {{ clientMutationId: "art-8", uuids: ["{uuid}"] }}) {{ internalId }} }}"#)).await;
        assert!(registrations(&app, &admin, "artNumber: \"LT-BON01/2023/00007\"").await.is_empty());
        registered(&app, &admin, "art-9", first, "LT-BON01/2023/00007").await;

        // Ended with the insuree: deleting the insuree ends their registration.
        app.ok(Some(&admin), &format!(r#"mutation {{ deleteInsurees(input: {{ clientMutationId: "art-10", uuids: ["{second}"] }}) {{ internalId }} }}"#)).await;
        let left: Vec<String> = registrations(&app, &admin, "").await.iter().map(|r| r["artNumber"].as_str().unwrap().to_string()).collect();
        assert!(!left.contains(&"LT-PON01/2025/00001".to_string()), "{left:?}");
        assert_eq!(app.count("cm_hiv_art_registration", "validity_to IS NULL AND art_number = 'LT-PON01/2025/00001'").await, 0);
        db
    })
    .await;
}

#[tokio::test]
async fn formats_are_checked() {
    on_each_db(|db: TestDb| async move {
        let (app, admin, douala) = demo(&db).await;
        let (insuree, _) = &douala[0];
        for (i, bad) in [
            "LT-BON01/24/00042",
            "LT-BON01/2024/00000",
            "LT-BON01/1989/00001",
            "LT-BON01-2024-00001",
            "LT-BON01/2024/0042",
        ]
        .iter()
        .enumerate()
        {
            let cmid = format!("bad-{i}");
            let q = register(&cmid, insuree, bad);
            refused(&app, &admin, &q, &cmid, "cm_hiv.art_number_invalid").await;
        }
        let next_year = chrono::Utc::now()
            .format("%Y")
            .to_string()
            .parse::<i32>()
            .unwrap()
            + 2;
        let q = register("bad-year", insuree, &format!("LT-BON01/{next_year}/00001"));
        refused(&app, &admin, &q, "bad-year", "cm_hiv.art_number_invalid").await;

        // Site codes: format, uniqueness, and no change once numbers carry the code.
        let hf = app
            .ok(
                Some(&admin),
                "{ healthFacilities(code: \"CS0001\") { edges { node { uuid } } } }",
            )
            .await;
        let hf = hf["healthFacilities"]["edges"][0]["node"]["uuid"]
            .as_str()
            .unwrap()
            .to_string();
        for (cmid, code, error) in [
            ("s-1", "L", "cm_hiv.site_code_invalid"),
            ("s-2", "LT DEI", "cm_hiv.site_code_invalid"),
            ("s-3", "LT-BON01", "cm_hiv.site_code_taken"),
        ] {
            refused(&app, &admin, &set_site_code(cmid, &hf, code), cmid, error).await;
        }
        app.ok(Some(&admin), &set_site_code("s-4", &hf, "lt-dei01"))
            .await;
        app.ok(Some(&admin), &set_site_code("s-5", &hf, "LT-DEI02"))
            .await;
        assert_eq!(app.history_count("cm_hiv_facility_site", None).await, 1);
        registered(&app, &admin, "s-6", insuree, "LT-DEI02/2020/00001").await;
        refused(
            &app,
            &admin,
            &set_site_code("s-7", &hf, "LT-DEI03"),
            "s-7",
            "cm_hiv.site_in_use",
        )
        .await;
        // The messages exist in both languages.
        let fr = imis_core::AppError::validation("cm_hiv.site_in_use")
            .with("siteCode", "X")
            .with("count", 1)
            .message("fr");
        assert!(fr.contains("numéros TARV"), "{fr}");
        db
    })
    .await;
}

#[tokio::test]
async fn the_right_and_the_location_scope_are_enforced() {
    on_each_db(|db: TestDb| async move {
        let (app, admin, douala) = demo(&db).await;
        let edea = members_in(&app, &admin, "D0002").await;
        registered(&app, &admin, "r-1", &douala[0].0, "LT-BON01/2024/00001").await;
        registered(&app, &admin, "r-2", &edea[0].0, "LT-PON01/2024/00001").await;

        // Without the programme's right: refused everywhere.
        let clerk = app.principal("clerk").await;
        for list in ["artRegistrations", "hivFacilitySites"] {
            let query = format!("{{ {list} {{ totalCount }} }}");
            assert_eq!(
                app.err_code(Some(&clerk), &query).await,
                "auth.permission_denied",
                "{list}"
            );
        }
        let q = register("r-3", &douala[1].0, "LT-BON01/2024/00002");
        refused(&app, &clerk, &q, "r-3", "auth.permission_denied").await;
        assert_eq!(
            app.err_code(None, REGISTRATION_COUNT).await,
            "auth.unauthenticated"
        );

        // With it, a user of Douala sees Douala's sites and registrations only.
        let clerk = with_register_right(&app, "clerk").await;
        let seen = registrations(&app, &clerk, "").await;
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0]["artNumber"], "LT-BON01/2024/00001");
        assert_eq!(sites(&app, &clerk, "").await.len(), 1);
        registered(&app, &clerk, "r-4", &douala[1].0, "LT-BON01/2024/00002").await;

        // A user of Edéa gets nothing of Douala and cannot register there.
        let edea_user = with_register_right(&app, "eo_edea").await;
        let seen = registrations(&app, &edea_user, "").await;
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0]["artNumber"], "LT-PON01/2024/00001");
        assert!(
            registrations(&app, &edea_user, "artNumber_Istartswith: \"LT-BON\"")
                .await
                .is_empty()
        );
        // An insuree of Douala is not found for them; an insuree of Edéa at a Douala site is
        // outside their locations.
        let q = register("r-5", &douala[2].0, "LT-PON01/2024/00002");
        refused(&app, &edea_user, &q, "r-5", "not_found").await;
        let q = register("r-6", &edea[1].0, "LT-BON01/2024/00003");
        refused(&app, &edea_user, &q, "r-6", "auth.location_denied").await;
        let in_douala = registrations(&app, &admin, "artNumber: \"LT-BON01/2024/00001\"").await;
        let douala_id = in_douala[0]["id"].as_str().unwrap();
        let node = app
            .ok(
                Some(&edea_user),
                &format!(r#"{{ node(id: "{douala_id}") {{ id }} }}"#),
            )
            .await;
        assert_eq!(node["node"], Value::Null);
        db
    })
    .await;
}

#[tokio::test]
async fn the_module_is_refused_when_disabled() {
    on_each_db(|db: TestDb| async move {
        let mut cfg = db.config();
        cfg.modules.enabled.retain(|m| m != imis_cm_hiv::NAME);
        let app = TestApp::with_config(cfg, true).await;
        let admin = app.principal("Admin").await;
        assert_eq!(app.err_code(Some(&admin), REGISTRATION_COUNT).await, "module.disabled");
        assert_eq!(app.err_code(Some(&admin), "mutation { setFacilitySiteCode(input: { healthFacilityUuid: \"x\", siteCode: \"LT-X01\" }) { internalId } }").await, "module.disabled");
        let intro = app.ok(Some(&admin), "{ __schema { queryType { fields { name } } } }").await;
        assert!(!intro.to_string().contains("artRegistrations"));
        db
    })
    .await;
}

/// A configuration that does not name the enabled modules turns on every compiled module but
/// this one: a country programme runs only where a country profile names it.
#[test]
fn it_is_off_unless_a_profile_names_it() {
    let defaults = imis_core::config::ModulesConfig::default();
    assert!(
        defaults.enabled.iter().any(|m| m == "insuree"),
        "{:?}",
        defaults.enabled
    );
    assert!(
        !defaults.enabled.iter().any(|m| m == "cm_hiv"),
        "{:?}",
        defaults.enabled
    );
}
