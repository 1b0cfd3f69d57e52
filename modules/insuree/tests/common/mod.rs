//! Set-up shared by the insuree module's test files.

use imis_core::auth::Principal;
use imis_tests::TestApp;

/// The first village of the first ward of a district.
pub async fn village(app: &TestApp, admin: &Principal, district: &str) -> i64 {
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
    let v = app.ok(Some(admin), &format!(r#"{{ locations(type: "V", parent_Uuid: "{wu}", first: 1) {{ edges {{ node {{ id }} }} }} }}"#)).await;
    imis_core::graphql::parse_pk(
        v["locations"]["edges"][0]["node"]["id"].as_str().unwrap(),
        "LocationGQLType",
    )
    .unwrap()
}
