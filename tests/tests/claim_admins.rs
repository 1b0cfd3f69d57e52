//! `claimAdmins` with openIMIS's filters and the document fe-claim's administrator picker sends,
//! within the caller's locations (D9).

use imis_core::auth::Principal;
use imis_tests::fixtures::{facility_id, facility_uuid, location_uuid, principal_with_rights};
use imis_tests::{TestApp, TestDb, on_each_app, on_each_db};
use serde_json::json;

/// fe-claim's `ClaimAdminPicker`: its filters and projection, with fe-location's facility
/// projection.
const PICKER: &str = r#"query ($search: String, $hf: String, $region: String, $district: String) {
  claimAdmins(search: $search, first: 20, healthFacility_Uuid: $hf, regionUuid: $region, districtUuid: $district) {
    edges { node {
      id uuid code lastName otherNames
      healthFacility { id uuid code name level servicesPricelist { id uuid } itemsPricelist { id uuid }
        location { id uuid code name parent { id uuid code name } } }
    } }
  }
}"#;

/// Adds a claim administrator of the facility `facility` (the demo has `claimadmin` and
/// `ca_hd0001` at HD0001, `ca_cs0001` at CS0001 and `ca_ds0001` at DS0001).
async fn claim_admin(app: &TestApp, username: &str, names: (&str, &str), facility: &str) {
    let role = imis_core::users::service::system_role(&app.state.db.conn, 256)
        .await
        .expect("claim administrator role");
    imis_core::users::service::insert_user_unchecked(
        &app.state.db.conn,
        username,
        "secret-123",
        names.0,
        names.1,
        imis_core::auth::UserKinds {
            interactive: true,
            claim_admin: true,
            ..Default::default()
        },
        &[role.id],
        &[],
        &[],
        Some(facility_id(app, facility).await),
    )
    .await
    .expect("claim administrator");
}

async fn setup(app: &TestApp) {
    claim_admin(app, "ca_deido", ("Nana", "Aline"), "CS0001").await;
    claim_admin(app, "ca_pongo", ("Abega", "Paul"), "DS0001").await;
}

/// The codes `claimAdmins(<args>)` lists for `who`, in code order.
async fn codes(app: &TestApp, who: &Principal, args: &str) -> Vec<String> {
    let q =
        format!(r#"{{ claimAdmins({args} orderBy: ["code"]) {{ edges {{ node {{ code }} }} }} }}"#);
    app.ok(Some(who), &q).await["claimAdmins"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_pickers_document_resolves_whole() {
    on_each_db(|db: TestDb| async move {
        // Without the test module, whose price-list port would stand in for the medical module's.
        let mut cfg = db.config();
        cfg.modules.enabled.retain(|m| m != "testmod");
        let app = TestApp::with_config(cfg, true).await;
        setup(&app).await;
        let admin = app.principal("Admin").await;
        let vars = json!({
            "search": "ESSOMBA",
            "hf": facility_uuid(&app, "HD0001").await,
            "region": location_uuid(&app, "R0001").await,
            "district": location_uuid(&app, "D0001").await,
        });
        let r = app.ok_vars(Some(&admin), PICKER, vars).await;
        let edges = r["claimAdmins"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 1, "{r}");
        let node = &edges[0]["node"];
        assert_eq!(node["code"], "claimadmin");
        assert_eq!(node["lastName"], "Essomba");
        let hf = &node["healthFacility"];
        assert_eq!(hf["code"], "HD0001");
        assert_eq!(hf["level"], "H");
        assert_eq!(hf["location"]["code"], "D0001");
        assert_eq!(hf["location"]["parent"]["code"], "R0001");
        // The price lists come from the medical module through the core's port.
        for list in ["servicesPricelist", "itemsPricelist"] {
            assert!(!hf[list]["id"].is_null(), "{list}: {hf}");
            assert!(hf[list]["uuid"].is_string(), "{list}: {hf}");
        }
        // Blank filters, as the picker sends before a choice, filter nothing.
        let vars = json!({ "search": "", "hf": "", "region": "", "district": "" });
        let r = app.ok_vars(Some(&admin), PICKER, vars).await;
        assert_eq!(r["claimAdmins"]["edges"].as_array().unwrap().len(), 6);
        drop(app);
        db
    })
    .await;
}

#[tokio::test]
async fn each_filter_selects_its_administrators() {
    on_each_app(|app: TestApp| async move {
        setup(&app).await;
        let admin = app.principal("Admin").await;
        let all = [
            "ca_cs0001",
            "ca_deido",
            "ca_ds0001",
            "ca_hd0001",
            "ca_pongo",
            "claimadmin",
        ];
        let pongo_uuid = imis_tests::one_uuid(
            &app,
            "SELECT uuid FROM core_user WHERE username = 'ca_pongo'",
            vec![],
        )
        .await;
        let (r1, d1, d2) = (
            location_uuid(&app, "R0001").await,
            location_uuid(&app, "D0001").await,
            location_uuid(&app, "D0002").await,
        );
        let cases: Vec<(String, Vec<&str>)> = vec![
            (String::new(), all.to_vec()),
            (r#"search: "nana""#.into(), vec!["ca_deido"]),
            (r#"search: "CA_PON""#.into(), vec!["ca_pongo"]),
            (format!(r#"uuid: "{pongo_uuid}""#), vec!["ca_pongo"]),
            (r#"code: "ca_pongo""#.into(), vec!["ca_pongo"]),
            (r#"code: "ca_pon""#.into(), vec![]),
            (
                r#"code_Icontains: "CA_""#.into(),
                vec![
                    "ca_cs0001",
                    "ca_deido",
                    "ca_ds0001",
                    "ca_hd0001",
                    "ca_pongo",
                ],
            ),
            (r#"lastName: "Abega""#.into(), vec!["ca_pongo"]),
            (r#"lastName_Icontains: "essom""#.into(), vec!["claimadmin"]),
            (r#"otherNames: "Aline""#.into(), vec!["ca_deido"]),
            (
                r#"otherNames_Icontains: "gerard""#.into(),
                vec!["claimadmin"],
            ),
            (
                format!(
                    r#"healthFacility_Id: "{}""#,
                    facility_id(&app, "CS0001").await
                ),
                vec!["ca_cs0001", "ca_deido"],
            ),
            (
                format!(
                    r#"healthFacility_Uuid: "{}""#,
                    facility_uuid(&app, "DS0001").await
                ),
                vec!["ca_ds0001", "ca_pongo"],
            ),
            (
                r#"healthFacility_Code: "HD0001""#.into(),
                vec!["ca_hd0001", "claimadmin"],
            ),
            (
                r#"healthFacility_Code_Istartswith: "cs""#.into(),
                vec!["ca_cs0001", "ca_deido"],
            ),
            (
                format!(r#"healthFacility_Location_Uuid: "{d2}""#),
                vec!["ca_ds0001", "ca_pongo"],
            ),
            (
                format!(r#"healthFacility_Location_Parent_Uuid: "{r1}""#),
                all.to_vec(),
            ),
            (
                format!(r#"districtUuid: "{d1}""#),
                vec!["ca_cs0001", "ca_deido", "ca_hd0001", "claimadmin"],
            ),
            (
                format!(r#"districtUuid: "{d2}""#),
                vec!["ca_ds0001", "ca_pongo"],
            ),
            (format!(r#"regionUuid: "{r1}""#), all.to_vec()),
            // A district is no region, and an unknown location matches nothing.
            (format!(r#"regionUuid: "{d1}""#), vec![]),
            (
                format!(r#"districtUuid: "{}""#, uuid::Uuid::new_v4()),
                vec![],
            ),
            // Filters combine.
            (
                format!(r#"districtUuid: "{d1}", healthFacility_Code: "CS0001""#),
                vec!["ca_cs0001", "ca_deido"],
            ),
            (format!(r#"districtUuid: "{d1}", search: "abega""#), vec![]),
        ];
        for (args, expected) in cases {
            assert_eq!(
                codes(&app, &admin, &format!("{args},")).await,
                expected,
                "claimAdmins({args})"
            );
        }
        assert_eq!(
            app.err_code(
                Some(&admin),
                r#"{ claimAdmins(uuid: "nope") { totalCount } }"#
            )
            .await,
            "input.invalid"
        );
    })
    .await;
}

#[tokio::test]
async fn restricted_callers_see_only_their_districts_administrators() {
    on_each_app(|app: TestApp| async move {
        setup(&app).await;
        let d1 = location_uuid(&app, "D0001").await;
        // An enrolment officer of Edéa (D0002) allowed to search claim administrators.
        let edea = principal_with_rights(&app, "eo_edea", &[121601]).await;
        assert_eq!(codes(&app, &edea, "").await, ["ca_ds0001", "ca_pongo"]);
        assert!(
            codes(&app, &edea, &format!(r#"districtUuid: "{d1}","#))
                .await
                .is_empty()
        );
        assert!(
            codes(&app, &edea, r#"healthFacility_Code: "HD0001","#)
                .await
                .is_empty()
        );
        // A clerk of Douala (D0001) sees Douala's.
        let douala = principal_with_rights(&app, "clerk", &[121601]).await;
        assert_eq!(
            codes(&app, &douala, "").await,
            ["ca_cs0001", "ca_deido", "ca_hd0001", "claimadmin"]
        );
        // Without the right, nothing.
        let none = principal_with_rights(&app, "clerk", &[]).await;
        assert_eq!(
            app.err_code(Some(&none), "{ claimAdmins { totalCount } }")
                .await,
            "auth.permission_denied"
        );
    })
    .await;
}
