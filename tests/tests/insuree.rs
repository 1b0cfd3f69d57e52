//! Relay `node(id:)` across modules: insurees and families resolve through the insuree module
//! within the caller's scope (D9), products and medical reference data through theirs. The
//! insuree module's own scenarios are in `modules/insuree/tests/`.

// The composed GraphQL schema of the harness is deeper than rustc's default query depth.
#![recursion_limit = "256"]

use imis_tests::fixtures::{create_family_mutation as create_family, first_village_listed};
use imis_tests::{TestApp, on_each_app};

#[tokio::test]
async fn node_resolves_module_types_within_scope() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // D0001
        let v2 = first_village_listed(&app, &admin, "D0002").await;
        app.ok(Some(&admin), &create_family(v2, "900000088", "Song", "")).await;
        let r = app.ok(Some(&admin), r#"{ insurees(chfId: "900000088") { edges { node { id family { id } } } } }"#).await;
        let insuree_id = r["insurees"]["edges"][0]["node"]["id"].as_str().unwrap().to_string();
        let family_id = r["insurees"]["edges"][0]["node"]["family"]["id"].as_str().unwrap().to_string();
        let q = |id: &str| format!(r#"{{ node(id: "{id}") {{ id ... on InsureeGQLType {{ chfId }} ... on FamilyGQLType {{ headInsuree {{ chfId }} }} ... on ProductGQLType {{ code }} }} }}"#);
        assert_eq!(app.ok(Some(&admin), &q(&insuree_id)).await["node"]["chfId"], "900000088");
        assert_eq!(app.ok(Some(&admin), &q(&family_id)).await["node"]["headInsuree"]["chfId"], "900000088");
        // Out of the clerk's district: null.
        assert!(app.ok(Some(&clerk), &q(&insuree_id)).await["node"].is_null());
        assert!(app.ok(Some(&clerk), &q(&family_id)).await["node"].is_null());
        // Products resolve through their module too.
        let p = app.ok(Some(&admin), r#"{ products(first: 1, orderBy: ["code"]) { edges { node { id code } } } }"#).await;
        let pid = p["products"]["edges"][0]["node"]["id"].as_str().unwrap().to_string();
        assert_eq!(app.ok(Some(&admin), &q(&pid)).await["node"]["code"], p["products"]["edges"][0]["node"]["code"]);
        // And medical reference data.
        let i = app.ok(Some(&clerk), r#"{ medicalItems(first: 1) { edges { node { id code } } } diagnoses(first: 1) { edges { node { id code } } } }"#).await;
        for (list, fragment) in [("medicalItems", "ItemGQLType"), ("diagnoses", "DiagnosisGQLType")] {
            let id = i[list]["edges"][0]["node"]["id"].as_str().unwrap().to_string();
            let n = app.ok(Some(&clerk), &format!(r#"{{ node(id: "{id}") {{ ... on {fragment} {{ code }} }} }}"#)).await;
            assert_eq!(n["node"]["code"], i[list]["edges"][0]["node"]["code"]);
        }
    })
    .await;
}
