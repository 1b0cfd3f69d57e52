//! A string of digits where an `Int` is declared, as the openIMIS server accepts it (issue 12,
//! point 4): variables and literal arguments become numbers before validation and the cost check;
//! anything else stays as sent. Through the HTTP router on SQLite, and on PostgreSQL when
//! `IMIS_TEST_POSTGRES_URL` is set; the rewrite itself on the composed schema's registry.
// The composed GraphQL roots nest deeply enough to pass rustc's default query depth in a
// clean build.
#![recursion_limit = "256"]

use async_graphql::Value as ConstValue;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures::FutureExt;
use imis_core::AppState;
use imis_core::config::Config;
use imis_gateway::coerce::int_strings;
use imis_gateway::limits::registry_of;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

// Shared with the other test binaries; this one reads only the status and body.
#[allow(dead_code)]
mod common;
use common::respond;

// ---------------------------------------------------------------------------------------------
// The rewrite on the composed schema.

/// Every argument of the document as `field.argument` and its value, variables as `"$name"`.
fn arguments(doc: &ExecutableDocument) -> Vec<(String, ConstValue)> {
    fn walk(set: &SelectionSet, out: &mut Vec<(String, ConstValue)>) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(f) => {
                    for (name, value) in &f.node.arguments {
                        let value = value
                            .node
                            .clone()
                            .into_const_with(|v| Ok::<_, ()>(ConstValue::String(format!("${v}"))))
                            .unwrap();
                        out.push((format!("{}.{}", f.node.name.node, name.node), value));
                    }
                    walk(&f.node.selection_set.node, out);
                }
                Selection::InlineFragment(f) => walk(&f.node.selection_set.node, out),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    for (_, op) in doc.operations.iter() {
        walk(&op.node.selection_set.node, &mut out);
    }
    let mut fragments: Vec<_> = doc.fragments.iter().collect();
    fragments.sort_by_key(|(name, _)| name.to_string());
    for (_, f) in fragments {
        walk(&f.node.selection_set.node, &mut out);
    }
    out
}

fn rewrite(
    query: &str,
    variables: Value,
    operation: Option<&str>,
) -> (Vec<(String, ConstValue)>, Value) {
    let registry = registry_of::<imis_gateway::schema::Query, imis_gateway::schema::Mutation>();
    let mut doc = async_graphql::parser::parse_query(query).expect("parses");
    let mut variables = async_graphql::Variables::from_json(variables);
    int_strings(&registry, &mut doc, &mut variables, operation);
    (
        arguments(&doc),
        variables.into_value().into_json().expect("json"),
    )
}

fn argument<'a>(args: &'a [(String, ConstValue)], name: &str) -> &'a ConstValue {
    &args
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} in {args:?}"))
        .1
}

fn int(n: i32) -> ConstValue {
    ConstValue::Number(n.into())
}

fn text(s: &str) -> ConstValue {
    ConstValue::String(s.into())
}

#[test]
fn int_variables_become_numbers_other_types_stay() {
    let (_, vars) = rewrite(
        "query ($location: Int, $first: Int!, $ids: [[Int!]], $one: [Int], $search: String, $id: ID, $code: String) {
            products(location: $location, first: $first, search: $search, id: $id, code: $code) { totalCount }
            users(roles: $one) { totalCount } }",
        json!({
            "location": "2", "first": "-5", "ids": [["1", "+2"], ["007"]], "one": "3",
            "search": "2", "id": "2", "code": "4",
        }),
        None,
    );
    assert_eq!(
        vars,
        json!({
            "location": 2, "first": -5, "ids": [[1, 2], [7]], "one": 3,
            "search": "2", "id": "2", "code": "4",
        })
    );
}

#[test]
fn only_strict_digit_strings_within_i32_are_rewritten() {
    for refused in [
        "",
        "+",
        "-",
        " 2",
        "2 ",
        "2.5",
        "1.0",
        "abc",
        "0x1",
        "1_000",
        "1e3",
        "2147483648",
        "-2147483649",
        "٣",
    ] {
        let (_, vars) = rewrite(
            "query ($location: Int) { products(location: $location) { totalCount } }",
            json!({ "location": refused }),
            None,
        );
        assert_eq!(vars, json!({ "location": refused }), "{refused:?}");
    }
    let (_, vars) = rewrite(
        "query ($a: Int, $b: Int) { a: products(location: $a) { totalCount } b: products(location: $b) { totalCount } }",
        json!({ "a": "2147483647", "b": "-2147483648" }),
        None,
    );
    assert_eq!(vars, json!({ "a": 2147483647, "b": -2147483648i64 }));
}

#[test]
fn input_object_variables_are_rewritten_field_by_field() {
    let (_, vars) = rewrite(
        "mutation ($input: CreateFamilyMutationInput!) { createFamily(input: $input) { clientMutationId } }",
        json!({ "input": {
            "clientMutationId": "1", "locationId": "12",
            "headInsuree": { "chfId": "123", "currentVillageId": "5", "photo": { "officerId": "3", "folder": "9" } },
        }}),
        None,
    );
    assert_eq!(
        vars,
        json!({ "input": {
            "clientMutationId": "1", "locationId": 12,
            "headInsuree": { "chfId": "123", "currentVillageId": 5, "photo": { "officerId": 3, "folder": "9" } },
        }})
    );
}

#[test]
fn literal_arguments_are_rewritten_in_operations_and_fragments() {
    let (args, _) = rewrite(
        r#"query Q { products(location: "2", first: "5", search: "7", id: "8") { totalCount }
             ...F ... on Query { users(roles: ["1", "x"], first: "3") { totalCount } } }
           fragment F on Query { locations(first: "4") { edges { node { id } } } }
           mutation M { createPolicy(input: { clientMutationId: "c", enrollDate: "2026-01-01",
             productId: "2", familyId: "3", officerId: "4", value: "12", receipt: "55" }) { clientMutationId } }"#,
        json!({}),
        Some("M"),
    );
    assert_eq!(argument(&args, "products.location"), &int(2));
    assert_eq!(argument(&args, "products.first"), &int(5));
    assert_eq!(argument(&args, "products.search"), &text("7"));
    assert_eq!(argument(&args, "products.id"), &text("8"));
    assert_eq!(
        argument(&args, "users.roles"),
        &ConstValue::List(vec![int(1), text("x")])
    );
    assert_eq!(argument(&args, "users.first"), &int(3));
    assert_eq!(argument(&args, "locations.first"), &int(4));
    let ConstValue::Object(input) = argument(&args, "createPolicy.input") else {
        panic!("{args:?}");
    };
    for (field, expected) in [
        ("productId", int(2)),
        ("familyId", int(3)),
        ("officerId", int(4)),
        ("value", text("12")),
        ("receipt", text("55")),
        ("enrollDate", text("2026-01-01")),
    ] {
        assert_eq!(input[field], expected, "{field}");
    }
}

#[test]
fn variables_of_the_operation_that_does_not_run_and_literals_with_variables_stay() {
    let query = "query A($l: Int) { products(location: $l) { totalCount } }
                 query B($l: String) { products(search: $l) { totalCount } }";
    let (_, vars) = rewrite(query, json!({ "l": "2" }), Some("B"));
    assert_eq!(vars, json!({ "l": "2" }));
    let (_, vars) = rewrite(query, json!({ "l": "2" }), Some("A"));
    assert_eq!(vars, json!({ "l": 2 }));
    // Two operations and no name: async-graphql refuses the request; nothing to rewrite.
    let (_, vars) = rewrite(query, json!({ "l": "2" }), None);
    assert_eq!(vars, json!({ "l": "2" }));
    // A literal holding a variable is left as written; the variable itself is rewritten.
    let (args, vars) = rewrite(
        r#"query ($v: Int) { users(roles: ["1", $v]) { totalCount } }"#,
        json!({ "v": "4" }),
        None,
    );
    assert_eq!(
        argument(&args, "users.roles"),
        &ConstValue::List(vec![text("1"), text("$v")])
    );
    assert_eq!(vars, json!({ "v": 4 }));
}

// ---------------------------------------------------------------------------------------------
// Through the HTTP router, on the demo data.

/// Runs `test` on a state with the demo data: on SQLite, then on a fresh PostgreSQL database
/// when `IMIS_TEST_POSTGRES_URL` is set (dropped afterwards, even when the test fails).
async fn on_each_database<F, Fut>(test: F)
where
    F: Fn(AppState) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = std::env::temp_dir().join(format!("imis-coerce-{}", uuid::Uuid::new_v4()));
    test(demo_state(Config::for_tests("sqlite::memory:", &dir)).await).await;
    let Some(admin_url) = std::env::var("IMIS_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        return;
    };
    let name = format!("imis_coerce_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(admin_url.as_str())
        .await
        .expect("connect to IMIS_TEST_POSTGRES_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    let mut config = Config::for_tests(&format!("{base}/{name}"), &dir);
    config.database.max_connections = 5;
    let outcome = std::panic::AssertUnwindSafe(async { test(demo_state(config).await).await })
        .catch_unwind()
        .await;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .ok();
    if let Err(panic) = outcome {
        eprintln!("test failed on PostgreSQL");
        std::panic::resume_unwind(panic);
    }
}

async fn demo_state(config: Config) -> AppState {
    let state = AppState::build(config, true).await.expect("state");
    imis_core::demo::seed_all(&state).await.expect("demo data");
    state
}

struct Client {
    app: axum::Router,
    bearer: String,
}

impl Client {
    async fn new(state: AppState) -> Client {
        let mut client = Client {
            app: imis_gateway::router(state),
            bearer: String::new(),
        };
        let (_, body) = client
            .send(json!({ "query": r#"mutation { tokenAuth(username: "Admin", password: "admin123") { token } }"# }))
            .await;
        let token = body["data"]["tokenAuth"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"));
        client.bearer = format!("Bearer {token}");
        client
    }

    async fn send(&self, body: Value) -> (StatusCode, Value) {
        let mut req = Request::post("/api/graphql").header("content-type", "application/json");
        if !self.bearer.is_empty() {
            req = req.header("authorization", &self.bearer);
        }
        let answer = respond(
            &self.app,
            req.body(Body::from(body.to_string())).unwrap(),
            1 << 22,
        )
        .await;
        let body = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        (answer.status, body)
    }

    /// The answer of one operation, which must have no errors.
    async fn data(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self
            .send(json!({ "query": query, "variables": variables }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["errors"].is_null(), "{query} {variables}: {body}");
        body["data"].clone()
    }

    /// The first error of one operation, which must have no data.
    async fn error(&self, query: &str, variables: Value) -> Value {
        let (_, body) = self
            .send(json!({ "query": query, "variables": variables }))
            .await;
        assert!(body["data"]["products"].is_null(), "{body}");
        body["errors"][0].clone()
    }
}

const PRODUCTS_OF: &str = "query ($location: Int) { products(location: $location, orderBy: [\"code\"]) \
                           { totalCount edges { node { code } } } }";

fn codes(data: &Value) -> Vec<String> {
    data["products"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{data}"))
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_string())
        .collect()
}

/// The id of the demo region, as the front end's decoded ids: a string.
async fn region_id(state: &AppState) -> String {
    imis_core::registers::location_id_by_code(&state.db.conn, "R0001")
        .await
        .expect("query")
        .expect("demo region")
        .to_string()
}

#[tokio::test]
async fn a_string_of_digits_is_accepted_for_an_int_variable_and_literal() {
    on_each_database(|state| async move {
        let region = region_id(&state).await;
        let client = Client::new(state).await;
        let as_string = client.data(PRODUCTS_OF, json!({ "location": region })).await;
        let as_number = client
            .data(PRODUCTS_OF, json!({ "location": region.parse::<i64>().unwrap() }))
            .await;
        assert_eq!(as_string, as_number);
        assert!(codes(&as_string).contains(&"MUT01".to_string()), "{as_string}");

        // A literal, directly and in a fragment.
        let literal = client
            .data(
                &format!(
                    r#"{{ products(location: "{region}", orderBy: ["code"]) {{ totalCount edges {{ node {{ code }} }} }} }}"#
                ),
                json!({}),
            )
            .await;
        assert_eq!(literal, as_number);
        let in_fragment = client
            .data(
                &format!(
                    r#"{{ ...F }} fragment F on Query {{ products(location: "{region}", orderBy: ["code"]) {{ totalCount edges {{ node {{ code }} }} }} }}"#
                ),
                json!({}),
            )
            .await;
        assert_eq!(in_fragment, as_number);
    })
    .await;
}

#[tokio::test]
async fn a_page_size_given_as_a_string_is_held_to_the_page_limit() {
    on_each_database(|state| async move {
        let client = Client::new(state).await;
        let query = "query ($first: Int) { products(first: $first) { totalCount edges { node { code } } } }";
        let data = client.data(query, json!({ "first": "1" })).await;
        assert_eq!(codes(&data).len(), 1, "{data}");
        assert!(data["products"]["totalCount"].as_i64().unwrap() > 1, "{data}");
        let error = client.error(query, json!({ "first": "100000" })).await;
        assert_eq!(error["extensions"]["code"], "input.page_too_large", "{error}");
        let error = client
            .error("{ products(first: \"100000\") { totalCount } }", json!({}))
            .await;
        assert_eq!(error["extensions"]["code"], "input.page_too_large", "{error}");
    })
    .await;
}

#[tokio::test]
async fn other_strings_are_refused_as_before_and_string_variables_stay_strings() {
    on_each_database(|state| async move {
        let client = Client::new(state).await;
        for refused in ["2.5", "abc", ""] {
            let error = client
                .error(PRODUCTS_OF, json!({ "location": refused }))
                .await;
            let message = error["message"]
                .as_str()
                .unwrap_or_else(|| panic!("{error}"));
            assert!(message.contains("Int"), "{refused:?}: {error}");
            let error = client
                .error(
                    &format!(r#"{{ products(location: "{refused}") {{ totalCount }} }}"#),
                    json!({}),
                )
                .await;
            let message = error["message"]
                .as_str()
                .unwrap_or_else(|| panic!("{error}"));
            assert!(message.contains("Int"), "{refused:?}: {error}");
        }
        // Rewritten to a number, "2" would be refused for a `String` argument.
        let data = client
            .data(
                "query ($code: String) { products(code: $code) { totalCount } }",
                json!({ "code": "2" }),
            )
            .await;
        assert_eq!(data["products"]["totalCount"], 0, "{data}");
    })
    .await;
}

#[tokio::test]
async fn each_operation_of_a_batch_and_the_named_operation_are_rewritten() {
    on_each_database(|state| async move {
        let region = region_id(&state).await;
        let client = Client::new(state).await;
        let expected = client
            .data(PRODUCTS_OF, json!({ "location": region.parse::<i64>().unwrap() }))
            .await;
        let batch = json!([
            { "query": PRODUCTS_OF, "variables": { "location": region } },
            { "query": "query Page($first: Int!) { products(first: $first) { edges { node { code } } } }",
              "variables": { "first": "1" } },
        ]);
        let (status, body) = client.send(batch).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body[0]["errors"].is_null(), "{body}");
        assert_eq!(body[0]["data"], expected);
        assert!(body[1]["errors"].is_null(), "{body}");
        assert_eq!(codes(&body[1]["data"]).len(), 1, "{body}");

        let two = "query ByCode($l: String) { products(code: $l) { totalCount } }
                   query ByLocation($l: Int) { products(location: $l, orderBy: [\"code\"]) { totalCount edges { node { code } } } }";
        let (_, body) = client
            .send(json!({ "query": two, "operationName": "ByLocation", "variables": { "l": region } }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"], expected);
        let (_, body) = client
            .send(json!({ "query": two, "operationName": "ByCode", "variables": { "l": region } }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["products"]["totalCount"], 0, "{body}");
    })
    .await;
}
