//! GraphQL conventions (D3, D4): connections with keyset cursors, offset, orderBy forms, page-size
//! and depth limits, global ids.

use imis_tests::{TestApp, TestDb, on_each_app, on_each_db};

fn codes(v: &serde_json::Value, field: &str) -> Vec<String> {
    v[field]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn connections_page_with_cursors_offset_and_order() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let all = app.ok(Some(&admin), r#"{ locations(first: 100, orderBy: ["code"]) { totalCount edgeCount edges { node { code } } } }"#).await;
        let all_codes = codes(&all, "locations");
        let total = all["locations"]["totalCount"].as_i64().unwrap() as usize;
        assert_eq!(all_codes.len(), total);
        assert_eq!(all["locations"]["edgeCount"], total);
        let mut sorted = all_codes.clone();
        sorted.sort();
        assert_eq!(all_codes, sorted);

        // Walk forward three at a time with keyset cursors.
        let mut walked = vec![];
        let mut after = String::new();
        loop {
            let arg = if after.is_empty() { String::new() } else { format!(r#", after: "{after}""#) };
            let page = app.ok(Some(&admin), &format!(r#"{{ locations(first: 3, orderBy: "code"{arg}) {{ pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ node {{ code }} }} }} }}"#)).await;
            walked.extend(codes(&page, "locations"));
            if !page["locations"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = page["locations"]["pageInfo"]["endCursor"].as_str().unwrap().to_string();
        }
        assert_eq!(walked, all_codes);

        // Backwards from the end, descending order, and offset.
        let last = app.ok(Some(&admin), r#"{ locations(last: 2, orderBy: ["code"]) { edges { node { code } } } }"#).await;
        assert_eq!(codes(&last, "locations"), all_codes[total - 2..].to_vec());
        let desc = app.ok(Some(&admin), r#"{ locations(first: 2, orderBy: ["-code"]) { edges { node { code } } } }"#).await;
        assert_eq!(codes(&desc, "locations"), vec![all_codes[total - 1].clone(), all_codes[total - 2].clone()]);
        let off = app.ok(Some(&admin), r#"{ locations(first: 2, offset: 3, orderBy: ["code"]) { pageInfo { hasPreviousPage } edges { node { code } } } }"#).await;
        assert_eq!(codes(&off, "locations"), all_codes[3..5].to_vec());
        assert_eq!(off["locations"]["pageInfo"]["hasPreviousPage"], true);

        // Refusals with stable codes.
        assert_eq!(app.err_code(Some(&admin), "{ locations(first: 101) { totalCount } }").await, "input.page_too_large");
        assert_eq!(app.err_code(Some(&admin), r#"{ locations(orderBy: ["population"]) { totalCount } }"#).await, "input.invalid_order");
        assert_eq!(app.err_code(Some(&admin), r#"{ locations(after: "garbage") { totalCount } }"#).await, "input.invalid_cursor");

        // Global ids are base64 of "<TypeName>:<pk>".
        let id = app.ok(Some(&admin), r#"{ locations(first: 1, orderBy: ["code"]) { edges { node { id } } } }"#).await;
        let (t, _) = imis_core::graphql::decode_global_id(id["locations"]["edges"][0]["node"]["id"].as_str().unwrap()).unwrap();
        assert_eq!(t, "LocationGQLType");
    })
    .await;
}

#[tokio::test]
async fn depth_is_limited() {
    on_each_db(|db: TestDb| async move {
        let mut cfg = db.config();
        cfg.graphql.max_depth = 4;
        let app = TestApp::with_config(cfg, true).await;
        let admin = app.principal("Admin").await;
        let deep =
            "{ healthFacilities { edges { node { location { parent { parent { code } } } } } } }";
        assert_eq!(app.err_code(Some(&admin), deep).await, "request.too_deep");
        db
    })
    .await;
}
