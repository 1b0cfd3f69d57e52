//! Set-up shared by the insuree module's test files.

use imis_core::auth::Principal;
use imis_tests::TestApp;

/// The first village of the first ward of a district.
#[allow(dead_code)] // each test file uses its own share of these helpers
pub async fn village(app: &TestApp, admin: &Principal, district: &str) -> i64 {
    village_ids(app, admin, district).await.0
}

/// (pk, uuid) of the first village of the first ward of a district.
#[allow(dead_code)]
pub async fn village_ids(app: &TestApp, admin: &Principal, district: &str) -> (i64, String) {
    let d = app
        .ok(
            Some(admin),
            &format!(r#"{{ locations(code: "{district}") {{ edges {{ node {{ uuid }} }} }} }}"#),
        )
        .await;
    let du = d["locations"]["edges"][0]["node"]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let w = app.ok(Some(admin), &format!(r#"{{ locations(type: "W", parent_Uuid: "{du}", first: 1) {{ edges {{ node {{ uuid }} }} }} }}"#)).await;
    let wu = w["locations"]["edges"][0]["node"]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let v = app.ok(Some(admin), &format!(r#"{{ locations(type: "V", parent_Uuid: "{wu}", first: 1) {{ edges {{ node {{ id uuid }} }} }} }}"#)).await;
    let node = &v["locations"]["edges"][0]["node"];
    let pk = imis_core::graphql::parse_pk(node["id"].as_str().unwrap(), "LocationGQLType").unwrap();
    (pk, node["uuid"].as_str().unwrap().to_string())
}
