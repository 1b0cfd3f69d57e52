//! Locations and health facilities: location scope (D9), the price-list port and the
//! in-transaction event of the test module, and history.

use imis_tests::{TestApp, TestDb, on_each_app, on_each_db};

#[tokio::test]
async fn restricted_users_see_only_their_districts() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001 only
        let districts = r#"{ locations(type: "D") { totalCount edges { node { code } } } }"#;
        let all = app.ok(Some(&admin), districts).await;
        assert_eq!(all["locations"]["totalCount"], 2);
        let mine = app.ok(Some(&clerk), districts).await;
        assert_eq!(mine["locations"]["totalCount"], 1);
        assert_eq!(mine["locations"]["edges"][0]["node"]["code"], "D0001");
        // The region above is visible (pickers need it), the other district's villages are not.
        assert_eq!(
            app.ok(Some(&clerk), r#"{ locations(type: "R") { totalCount } }"#)
                .await["locations"]["totalCount"],
            1
        );
        let hf_all = app
            .ok(Some(&admin), "{ healthFacilities { totalCount } }")
            .await["healthFacilities"]["totalCount"]
            .as_i64()
            .unwrap();
        let hf_mine = app
            .ok(
                Some(&clerk),
                "{ healthFacilities { totalCount edges { node { location { code } } } } }",
            )
            .await;
        assert!(hf_mine["healthFacilities"]["totalCount"].as_i64().unwrap() < hf_all);
        for e in hf_mine["healthFacilities"]["edges"].as_array().unwrap() {
            assert_eq!(e["node"]["location"]["code"], "D0001");
        }
    })
    .await;
}

#[tokio::test]
async fn facility_price_lists_go_through_the_owning_module() {
    on_each_db(|db: TestDb| async move {
        // The test module owns the price-list fields here (the medical module, which owns them
        // in a real build, has its own tests).
        let mut cfg = db.config();
        cfg.modules.enabled = vec!["testmod".into()];
        let app = TestApp::with_config(cfg, true).await;
        let admin = app.principal("Admin").await;
        let d = app.ok(Some(&admin), r#"{ locations(code: "D0001") { edges { node { id } } } }"#).await;
        let district = d["locations"]["edges"][0]["node"]["id"].as_str().unwrap().to_string();
        let pk = imis_core::graphql::parse_pk(&district, "LocationGQLType").unwrap();
        let create = |code: &str, items: i64| {
            format!(
                r#"mutation {{ createHealthFacility(input: {{ code: "{code}", name: "Centre de santé d'Akwa", legalFormId: "G", level: "C", locationId: {pk}, careType: "B", itemsPricelistId: {items}, servicesPricelistId: 7 }}) {{ internalId }} }}"#
            )
        };
        app.ok(Some(&admin), &create("HF900", 5)).await;
        let r = app.ok(Some(&admin), r#"{ healthFacilities(code: "HF900") { edges { node { name itemsPricelist { id name } servicesPricelist { name } } } } }"#).await;
        let node = &r["healthFacilities"]["edges"][0]["node"];
        assert_eq!(node["itemsPricelist"]["name"], "Items 5");
        assert_eq!(node["servicesPricelist"]["name"], "Services 7");
        // The owning module vetoes a value: nothing of the facility is written.
        assert_eq!(app.err_code(Some(&admin), &create("HF901", 666)).await, "testmod.widget_refused");
        assert_eq!(app.count("core_health_facility", "code = 'HF901'").await, 0);

        // With the owning module disabled, the fields are refused with module.disabled.
        let mut cfg = db.config();
        cfg.modules.enabled = vec![];
        let off = TestApp::with_config(cfg, false).await;
        assert_eq!(off.err_code(Some(&admin), &create("HF902", 5)).await, "module.disabled");
        let r = off.ok(Some(&admin), r#"{ healthFacilities(code: "HF900") { edges { node { itemsPricelist { id } } } } }"#).await;
        assert!(r["healthFacilities"]["edges"][0]["node"]["itemsPricelist"].is_null());
        db
    })
    .await;
}

#[tokio::test]
async fn updates_keep_history_and_restricted_users_cannot_write_elsewhere() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await;
        let before = app.count("core_history", "entity = 'location'").await;
        let loc = app.ok(Some(&admin), r#"{ locations(code: "D0002") { edges { node { uuid } } } }"#).await;
        let uuid = loc["locations"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        let region = app.ok(Some(&admin), r#"{ locations(type: "R") { edges { node { uuid } } } }"#).await;
        let region = region["locations"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        app.ok(Some(&admin), &format!(r#"mutation {{ updateLocation(input: {{ uuid: "{uuid}", code: "D0002", name: "Édéa-Centre", type: "D", parentUuid: "{region}" }}) {{ internalId }} }}"#)).await;
        assert_eq!(app.count("core_history", "entity = 'location'").await, before + 1);
        let r = app.ok(Some(&admin), r#"{ locationsStr(str: "edea") { edges { node { name } } } }"#).await;
        assert!(r.to_string().contains("Édéa-Centre"), "accent-insensitive search: {r}");
        // The clerk's scope is D0001: a village under D0002's ward is out of reach.
        let w = app.ok(Some(&admin), &format!(r#"{{ locations(type: "W", parent_Uuid: "{uuid}") {{ edges {{ node {{ uuid }} }} }} }}"#)).await;
        let ward = w["locations"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        let mut clerk_with_right = clerk.clone();
        clerk_with_right.rights.insert(121902);
        let code = app
            .err_code(Some(&clerk_with_right), &format!(r#"mutation {{ createLocation(input: {{ code: "V9999", name: "Mbanda", type: "V", parentUuid: "{ward}" }}) {{ internalId }} }}"#))
            .await;
        assert_eq!(code, "auth.location_denied");
    })
    .await;
}

#[tokio::test]
async fn history_versions_and_node_lookups() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001 only
        let hf = app.ok(Some(&admin), r#"{ healthFacilities(first: 1, orderBy: ["code"]) { edges { node { id uuid code name legalForm { code } level careType location { id code } } } } }"#).await;
        let node = hf["healthFacilities"]["edges"][0]["node"].clone();
        let (uuid, code) = (node["uuid"].as_str().unwrap(), node["code"].as_str().unwrap());
        let loc_pk = imis_core::graphql::parse_pk(node["location"]["id"].as_str().unwrap(), "LocationGQLType").unwrap();
        for name in ["Hôpital Laquintinie", "Hôpital Laquintinie de Douala"] {
            app.ok(
                Some(&admin),
                &format!(
                    r#"mutation {{ updateHealthFacility(input: {{ uuid: "{uuid}", code: "{code}", name: "{name}", legalFormId: "G", level: "H", locationId: {loc_pk}, careType: "B" }}) {{ internalId }} }}"#
                ),
            )
            .await;
        }
        let h = app.ok(Some(&admin), &format!(r#"{{ healthFacilities(code: "{code}", showHistory: true) {{ edges {{ node {{ id name legacyId validityTo }} }} }} }}"#)).await;
        let edges = h["healthFacilities"]["edges"].as_array().unwrap().clone();
        assert_eq!(edges.len(), 3, "current row and two versions: {h}");
        assert_eq!(edges[0]["node"]["name"], "Hôpital Laquintinie de Douala");
        assert!(edges[0]["node"]["validityTo"].is_null());
        assert!(edges[1]["node"]["validityTo"].is_string() && edges[2]["node"]["validityTo"].is_string());
        // node() resolves the current row and a version alike.
        let version_id = edges[1]["node"]["id"].as_str().unwrap();
        let (t, _) = imis_core::graphql::decode_global_id(version_id).unwrap();
        assert_eq!(t, "HealthFacilityGQLTypeHistory");
        let v = app.ok(Some(&admin), &format!(r#"{{ node(id: "{version_id}") {{ id ... on HealthFacilityGQLType {{ name }} }} }}"#)).await;
        assert_eq!(v["node"]["name"], "Hôpital Laquintinie");
        let current = node["id"].as_str().unwrap();
        let c = app.ok(Some(&admin), &format!(r#"{{ node(id: "{current}") {{ ... on HealthFacilityGQLType {{ name }} }} }}"#)).await;
        assert_eq!(c["node"]["name"], "Hôpital Laquintinie de Douala");

        // Location scope applies to node(): the clerk sees D0001, not D0002.
        let ds = app.ok(Some(&admin), r#"{ locations(type: "D", orderBy: ["code"]) { edges { node { id code } } } }"#).await;
        let d1 = ds["locations"]["edges"][0]["node"]["id"].as_str().unwrap();
        let d2 = ds["locations"]["edges"][1]["node"]["id"].as_str().unwrap();
        let seen = app.ok(Some(&clerk), &format!(r#"{{ node(id: "{d1}") {{ ... on LocationGQLType {{ code }} }} }}"#)).await;
        assert_eq!(seen["node"]["code"], "D0001");
        let hidden = app.ok(Some(&clerk), &format!(r#"{{ node(id: "{d2}") {{ id }} }}"#)).await;
        assert!(hidden["node"].is_null());
        assert_eq!(app.err_code(Some(&clerk), r#"{ node(id: "bm9wZQ==") { id } }"#).await, "input.invalid_id");
    })
    .await;
}
