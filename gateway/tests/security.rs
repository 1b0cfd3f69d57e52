//! HTTP-level security tests of the gateway: cookies reach the resolvers, the stale-cookie rule
//! lets an expired cookie refresh, content types, batch size, cost and depth limits, and the
//! production defaults for introspection, GraphiQL and `/metrics`.
// The composed GraphQL roots nest deeply enough to pass rustc's default query depth in a
// clean build.
#![recursion_limit = "256"]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use imis_core::AppState;
use imis_core::config::Config;
use imis_gateway::limits::{document_cost, registry_of};
use serde_json::{Value, json};

mod common;
use common::respond;

const USER: &str = "secadmin";
const PASSWORD: &str = "Str0ng-Passw0rd!";

async fn state_with(edit: impl FnOnce(&mut Config)) -> AppState {
    let dir = std::env::temp_dir().join(format!("imis-sec-{}", uuid::Uuid::new_v4()));
    let mut config = Config::for_tests("sqlite::memory:", &dir);
    edit(&mut config);
    let state = AppState::build(config, true).await.expect("state");
    imis_core::users::service::create_user_cli(&state, USER, PASSWORD, true)
        .await
        .expect("user");
    state
}

struct Reply {
    status: StatusCode,
    cookies: Vec<String>,
    body: Value,
}

impl Reply {
    /// The value a `Set-Cookie` of this reply gives `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k.trim() == name).then(|| v.to_string())
        })
    }
    fn code(&self) -> Value {
        self.body["errors"][0]["extensions"]["code"].clone()
    }
}

async fn send(
    app: &axum::Router,
    content_type: Option<&str>,
    body: String,
    headers: &[(&str, &str)],
) -> Reply {
    let mut req = Request::post("/api/graphql");
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let answer = respond(app, req.body(Body::from(body)).unwrap(), 1 << 24).await;
    Reply {
        status: answer.status,
        cookies: answer.cookies,
        body: serde_json::from_slice(&answer.body).unwrap_or(Value::Null),
    }
}

async fn gql(app: &axum::Router, query: &str, headers: &[(&str, &str)]) -> Reply {
    send(
        app,
        Some("application/json"),
        json!({ "query": query }).to_string(),
        headers,
    )
    .await
}

async fn get(app: &axum::Router, path: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let answer = respond(app, req.body(Body::empty()).unwrap(), 1 << 20).await;
    (
        answer.status,
        String::from_utf8_lossy(&answer.body).to_string(),
    )
}

/// Logs in over HTTP; returns the reply (token in the body, `JWT` cookie in `Set-Cookie`).
async fn login(app: &axum::Router) -> Reply {
    let r = gql(
        app,
        &format!(
            r#"mutation {{ tokenAuth(username: "{USER}", password: "{PASSWORD}") {{ token refreshExpiresIn }} }}"#
        ),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body["data"]["tokenAuth"]["token"].is_string(),
        "{}",
        r.body
    );
    r
}

fn change_language(id: &str) -> String {
    format!(
        r#"mutation {{ changeUserLanguage(input: {{ clientMutationId: "{id}", languageId: "en" }}) {{ clientMutationId }} }}"#
    )
}

/// Defect 1: the `JWT` and `sessionid` cookies reach `refreshToken`, `verifyToken` and
/// `deleteRefreshTokenCookie`.
#[tokio::test]
async fn cookies_reach_the_resolvers() {
    let state = state_with(|_| {}).await;
    let app = imis_gateway::router(state);
    let r = login(&app).await;
    let jwt = r.cookie("JWT").expect("tokenAuth sets the JWT cookie");
    let jwt_cookie = format!("JWT={jwt}");

    // The front end's boot and two-minute refresh: no argument, only the cookie.
    let r = gql(
        &app,
        "mutation refreshAuthToken { refreshToken { token payload refreshExpiresIn } }",
        &[("cookie", &jwt_cookie), ("x-csrftoken", "null")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert!(
        r.body["data"]["refreshToken"]["token"].is_string(),
        "{}",
        r.body
    );
    assert!(
        r.cookie("JWT").is_some_and(|c| !c.is_empty()),
        "{:?}",
        r.cookies
    );

    let r = gql(
        &app,
        "mutation { verifyToken { payload } }",
        &[("cookie", &jwt_cookie)],
    )
    .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(r.body["data"]["verifyToken"]["payload"]["username"], USER);

    // The CSRF session: a cookie mutation passes with the token, and no longer once
    // deleteRefreshTokenCookie (sent with only the session cookie) has ended the session.
    let r = gql(
        &app,
        "mutation { getCsrfToken { csrfToken } }",
        &[("cookie", &jwt_cookie), ("authorization", "JWT undefined")],
    )
    .await;
    let csrf = r.body["data"]["getCsrfToken"]["csrfToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.body))
        .to_string();
    let session = r.cookie("sessionid").expect("getCsrfToken sets sessionid");
    let both = format!("JWT={jwt}; sessionid={session}");
    let r = gql(
        &app,
        &change_language("c4f1a7e0-0000-4000-8000-000000000001"),
        &[("cookie", &both), ("x-csrftoken", &csrf)],
    )
    .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    let r = gql(
        &app,
        "mutation { deleteRefreshTokenCookie { deleted } }",
        &[("cookie", &format!("sessionid={session}"))],
    )
    .await;
    assert_eq!(r.body["data"]["deleteRefreshTokenCookie"]["deleted"], true);
    assert_eq!(
        r.cookie("sessionid").as_deref(),
        Some(""),
        "{:?}",
        r.cookies
    );

    let r = gql(
        &app,
        &change_language("c4f1a7e0-0000-4000-8000-000000000002"),
        &[("cookie", &both), ("x-csrftoken", &csrf)],
    )
    .await;
    assert_eq!(r.code(), "auth.csrf_no_session", "{}", r.body);
}

/// Defect 4: an expired `JWT` cookie on a request naming only `refreshToken` reaches the
/// resolver (which accepts an expired token within the refresh window); other fields still
/// get 401.
#[tokio::test]
async fn an_expired_cookie_can_refresh() {
    let state = state_with(|_| {}).await;
    let app = imis_gateway::router(state.clone());
    let token = login(&app).await.body["data"]["tokenAuth"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let now = state.clock.now();
    let mut claims =
        imis_core::auth::tokens::decode(&state.jwt_key, &token, now, false).expect("claims");
    claims.exp = now.timestamp() - 60;
    let expired = imis_core::auth::tokens::sign(&state.jwt_key, &claims);
    let cookie = format!("JWT={expired}");

    let r = gql(
        &app,
        "mutation refreshAuthToken { refreshToken { token refreshExpiresIn } }",
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body["data"]["refreshToken"]["token"].is_string(),
        "{}",
        r.body
    );
    assert!(
        r.cookie("JWT")
            .is_some_and(|c| !c.is_empty() && c != expired)
    );

    for query in [
        "{ users(first: 1) { totalCount } }",
        "mutation { refreshToken { token } getCsrfToken { csrfToken } }",
    ] {
        let r = gql(&app, query, &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{query}: {}", r.body);
    }
}

/// Defect 2: only JSON or GraphQL bodies; `text/plain` (a CSRF vector) is refused with 415.
#[tokio::test]
async fn only_json_or_graphql_bodies_are_accepted() {
    let state = state_with(|_| {}).await;
    let app = imis_gateway::router(state);
    let logout = json!({"query": "mutation { deleteTokenCookie { deleted } }"}).to_string();
    for ct in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let r = send(&app, ct, logout.clone(), &[]).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert_eq!(r.code(), "request.unsupported_media_type", "{ct:?}");
        assert!(r.cookies.is_empty(), "nothing ran: {ct:?}");
    }
    let r = send(
        &app,
        Some("text/plain"),
        logout.clone(),
        &[("accept-language", "fr")],
    )
    .await;
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("JSON")),
        "{}",
        r.body
    );
    for ct in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        "application/graphql-response+json",
    ] {
        let r = send(&app, Some(ct), logout.clone(), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{ct}");
        assert_eq!(r.body["data"]["deleteTokenCookie"]["deleted"], true, "{ct}");
    }
    let r = send(
        &app,
        Some("application/graphql"),
        "{ __typename }".into(),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["data"]["__typename"], "Query", "{}", r.body);
}

/// Defect 2: a batch larger than `graphql.max_batch` is refused whole, before anything runs.
#[tokio::test]
async fn large_batches_are_refused_whole() {
    let state = state_with(|_| {}).await;
    assert_eq!(state.config.graphql.max_batch, 10);
    let app = imis_gateway::router(state);
    let one = json!({"query": "{ __typename }"});
    let r = send(
        &app,
        Some("application/json"),
        Value::Array(vec![one.clone(); 10]).to_string(),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.as_array().map(Vec::len), Some(10));

    // Eleven failed logins: had any run, five would lock the account.
    let bad = json!({"query": format!(
        r#"mutation {{ tokenAuth(username: "{USER}", password: "wrong-password") {{ token }} }}"#
    )});
    let r = send(
        &app,
        Some("application/json"),
        Value::Array(vec![bad; 11]).to_string(),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.code(), "request.batch_too_large");
    assert_eq!(r.body["errors"][0]["extensions"]["max"], "10", "{}", r.body);
    login(&app).await;
}

fn aliases(n: usize, field: &str) -> String {
    let body: Vec<String> = (0..n).map(|i| format!("a{i}: {field}")).collect();
    format!("{{ {} }}", body.join(" "))
}

/// Defect 2: the cost counts page sizes; the pen test's 600 aliases of a 100-row list are refused
/// before execution, with the computed cost in the error.
#[tokio::test]
async fn cost_counts_page_sizes() {
    let state = state_with(|_| {}).await;
    let max = state.config.graphql.max_complexity as u64;
    let app = imis_gateway::router(state);
    let token = login(&app).await.body["data"]["tokenAuth"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];

    // One alias costs 1 + 100 × (edges 1 + node 1 + id 1) = 301.
    let r = gql(
        &app,
        &aliases(600, "mutationLogs(first: 100) { edges { node { id } } }"),
        &auth,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.code(), "request.too_complex", "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["complexity"], "180600");
    assert_eq!(r.body["errors"][0]["extensions"]["max"], max.to_string());
    assert!(r.body["data"].is_null(), "{}", r.body);

    // The same through a variable and a fragment.
    let q = format!(
        "query($n: Int) {{ ...F }} fragment F on Query {}",
        aliases(600, "mutationLogs(first: $n) { edges { node { id } } }")
    );
    let r = send(
        &app,
        Some("application/json"),
        json!({"query": q, "variables": {"n": 100}}).to_string(),
        &auth,
    )
    .await;
    assert_eq!(r.code(), "request.too_complex", "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["complexity"], "180600");

    // Small pages of the same selection pass.
    let r = gql(
        &app,
        &aliases(
            3,
            "mutationLogs(first: 100) { totalCount edges { node { id } } }",
        ),
        &auth,
    )
    .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);

    // The operations of a batch share one budget: each of these fits alone (30 × 301 = 9,030),
    // the batch's third would overdraw the budget and is refused, the others run.
    assert_eq!(max, 20_000);
    let op = json!({"query": aliases(30, "mutationLogs(first: 100) { edges { node { id } } }")});
    let r = send(
        &app,
        Some("application/json"),
        Value::Array(vec![op; 3]).to_string(),
        &auth,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let codes: Vec<Value> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["errors"][0]["extensions"]["code"].clone())
        .collect();
    assert_eq!(codes.iter().filter(|c| c.is_null()).count(), 2, "{codes:?}");
    assert!(codes.contains(&json!("request.too_complex")), "{codes:?}");
}

/// Depth beyond `graphql.max_depth` is refused with a coded error.
#[tokio::test]
async fn depth_is_limited_with_a_code() {
    let state = state_with(|_| {}).await;
    let app = imis_gateway::router(state);
    let mut q = String::from("id");
    for _ in 0..14 {
        q = format!("parent {{ {q} }}");
    }
    let r = gql(
        &app,
        &format!("{{ locations(first: 1) {{ edges {{ node {{ {q} }} }} }} }}"),
        &[],
    )
    .await;
    assert_eq!(r.code(), "request.too_deep", "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["max"], "15");
}

/// The cost formula on the composed schema: `edges` count per row, `totalCount` and `pageInfo`
/// once, variables and their defaults are resolved, fragments are followed.
#[test]
fn cost_formula() {
    let registry = registry_of::<imis_gateway::schema::Query, imis_gateway::schema::Mutation>();
    let cost = |q: &str, vars: Value| {
        let doc = async_graphql::parser::parse_query(q).unwrap();
        let vars = async_graphql::Variables::from_json(vars);
        document_cost(&registry, &doc, &vars, None, 10, 100)
    };
    let c = cost("{ mutationLogs { edges { node { id } } } }", json!({}));
    assert_eq!(c.complexity, 1 + 10 * 3);
    assert_eq!(c.depth, 4);
    let c = cost(
        "{ mutationLogs(first: 500) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status } } } }",
        json!({}),
    );
    assert_eq!(c.complexity, 1 + 1 + 3 + 100 * 4);
    let c = cost(
        "query($n: Int = 7) { mutationLogs(last: $n) { edges { node { id } } } }",
        json!({}),
    );
    assert_eq!(c.complexity, 1 + 7 * 3);
    let c = cost(
        "query($n: Int = 7) { mutationLogs(last: $n) { edges { node { id } } } }",
        json!({"n": 2}),
    );
    assert_eq!(c.complexity, 1 + 2 * 3);
    let c = cost(
        "{ ...A ...A } fragment A on Query { x: mutationLogs(first: 2) { ...E } } fragment E on MutationLogGQLTypeConnection { edges { node { id } } }",
        json!({}),
    );
    assert_eq!(c.complexity, 2 * (1 + 2 * 3));
    // A fragment cycle terminates (validation refuses it later).
    let c = cost(
        "{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }",
        json!({}),
    );
    assert_eq!(c.complexity, 1);
}

/// A small schema with a connection inside a connection and a plain list taking `first`.
mod nested {
    use async_graphql::connection::Connection;
    use async_graphql::{EmptyMutation, Object};

    pub struct Thing;
    #[Object]
    impl Thing {
        async fn id(&self) -> i32 {
            1
        }
        async fn children(&self, first: Option<i32>) -> Connection<usize, Thing> {
            let _ = first;
            Connection::new(false, false)
        }
        async fn tags(&self, first: Option<i32>) -> Vec<String> {
            let _ = first;
            vec![]
        }
    }
    #[derive(Default)]
    pub struct Q;
    #[Object]
    impl Q {
        async fn things(&self, first: Option<i32>, last: Option<i32>) -> Connection<usize, Thing> {
            let _ = (first, last);
            Connection::new(false, false)
        }
        async fn unpaged(&self) -> Connection<usize, Thing> {
            Connection::new(false, false)
        }
    }
    pub type M = EmptyMutation;
}

#[test]
fn cost_formula_nested() {
    let registry = registry_of::<nested::Q, nested::M>();
    let cost = |q: &str| {
        let doc = async_graphql::parser::parse_query(q).unwrap();
        document_cost(&registry, &doc, &Default::default(), None, 10, 100)
    };
    // 1 + 100 × (edges 1 + node 1 + children (1 + 50 × 3)).
    let c = cost(
        "{ things(first: 100) { edges { node { children(first: 50) { edges { node { id } } } } } } }",
    );
    assert_eq!(c.complexity, 1 + 100 * (2 + 1 + 50 * 3), "{c:?}");
    assert_eq!(c.depth, 7);
    // A list taking `first` multiplies its selection (scalars: one per element); `last` counts
    // like `first`.
    let c = cost("{ things(last: 4) { edges { node { tags(first: 30) } } } }");
    assert_eq!(c.complexity, 1 + 4 * (2 + 30), "{c:?}");
    // A connection without page arguments counts the largest page.
    let c = cost("{ unpaged { edges { node { id } } } }");
    assert_eq!(c.complexity, 1 + 100 * 3, "{c:?}");
    // Negative and oversized pages are clamped (the resolvers refuse them anyway).
    assert_eq!(
        cost("{ things(first: -5) { edges { node { id } } } }").complexity,
        1
    );
    assert_eq!(
        cost("{ things(first: 100000) { edges { node { id } } } }").complexity,
        1 + 100 * 3
    );
}

// The openIMIS front end's queries, at the largest page its searchers offer (100 rows; pickers
// 20, drawers 5): all must fit the default `graphql.max_complexity`.
const LOC: &str = "id uuid code name type";

fn parents(i: usize) -> String {
    if i == 0 {
        format!("parent {{ {LOC} }}")
    } else {
        format!("parent {{ {LOC} {} }}", parents(i - 1))
    }
}

/// `location.Location.FlatProjection` with four location levels.
fn flat() -> String {
    format!("{{ {LOC} {} }}", parents(2))
}

fn hf_picker() -> String {
    format!(
        "{{ id uuid code name level servicesPricelist {{ id uuid }} itemsPricelist {{ id uuid }} contractStartDate contractEndDate location {{ {LOC} parent {{ {LOC} }} }} }}"
    )
}

fn family_head() -> String {
    format!(
        "id uuid chfId lastName otherNames dob age validityFrom validityTo photo {{ id uuid date folder filename officerId photo }} gender {{ code gender }} education {{ id }} profession {{ id }} marital cardIssued currentVillage {} currentAddress typeOfId {{ code }} passport relationship {{ id }} head status statusDate statusReason {{ code insureeStatusReason }} email phone healthFacility {}",
        flat(),
        hf_picker()
    )
}

fn family_full() -> String {
    format!(
        "id uuid poverty confirmationNo confirmationType {{ code isConfirmationNumberRequired }} familyType {{ code }} address validityFrom validityTo headInsuree {{ {} }} location {} clientMutationId",
        family_head(),
        flat()
    )
}

fn insuree_full() -> String {
    format!(
        "id uuid chfId lastName otherNames dob age validityFrom validityTo family {{ {} }} photo {{ id uuid date folder filename officerId photo }} gender {{ code gender }} education {{ id }} profession {{ id }} marital cardIssued currentVillage {} currentAddress typeOfId {{ code }} passport relationship {{ id }} head status jsonExt statusDate statusReason {{ code insureeStatusReason }} email phone healthFacility {}",
        family_full(),
        flat(),
        hf_picker()
    )
}

fn page_with_count(entity: &str, filters: &str, projection: &str) -> String {
    format!(
        "{{ {entity}({filters}) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ node {{ {projection} }} }} }} }}"
    )
}

fn frontend_queries() -> Vec<(&'static str, String)> {
    vec![
        (
            "insuree searcher, 100 rows",
            page_with_count(
                "insurees",
                r#"first: 100, orderBy: ["chfId"]"#,
                &format!(
                    "id uuid validityFrom validityTo chfId otherNames lastName phone gender {{ code }} dob marital status family {{ uuid location {} }} currentVillage {}",
                    flat(),
                    flat()
                ),
            ),
        ),
        (
            "insuree picker, full projection, 50 rows",
            page_with_count("insurees", "first: 50", &insuree_full()),
        ),
        (
            "insuree detail (full projection, default page)",
            page_with_count(
                "insurees",
                r#"uuid: "00000000-0000-0000-0000-000000000000""#,
                &insuree_full(),
            ),
        ),
        (
            "family searcher, 100 rows",
            page_with_count(
                "families",
                "first: 100",
                &format!(
                    "id uuid poverty confirmationNo validityFrom validityTo headInsuree {{ id uuid chfId lastName otherNames email phone dob }} location {}",
                    flat()
                ),
            ),
        ),
        (
            "family overview (full projection, default page)",
            page_with_count(
                "families",
                r#"uuid: "00000000-0000-0000-0000-000000000000", showHistory: true"#,
                &family_full(),
            ),
        ),
        (
            "family members, 100 rows",
            page_with_count(
                "familyMembers",
                r#"familyUuid: "00000000-0000-0000-0000-000000000000", first: 100"#,
                "uuid chfId otherNames lastName head phone gender { code } dob cardIssued",
            ),
        ),
        (
            "health facility searcher, 100 rows",
            page_with_count(
                "healthFacilities",
                "first: 100",
                "id uuid code accCode name careType phone fax email level legalForm { code } location { code name parent { code name } } validityFrom validityTo clientMutationId",
            ),
        ),
        (
            "product items, 100 rows",
            "query ($after: String, $uuid: String!) { product(uuid: $uuid) { items(first: 100, after: $after) { edges { node { id priceOrigin waitingPeriodAdult waitingPeriodChild limitationType limitationTypeR limitationTypeE limitAdult limitChild limitAdultR limitChildR limitAdultE limitChildE limitNoAdult limitNoChild ceilingExclusionAdult ceilingExclusionChild item { id uuid name code price package type } } } pageInfo { hasNextPage endCursor } } } }".into(),
        ),
        (
            "journal drawer",
            "{ mutationLogs(first: 5, orderBy: \"-request_date_time\") { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id status error clientMutationId clientMutationLabel clientMutationDetails requestDateTime jsonExt autogeneratedCode } } } }".into(),
        ),
        (
            "user query",
            format!(
                "query useUserQuery {{ user {{ id username rights iUser {{ id language {{ code name }} lastName otherNames }} healthFacility {} claimAdmin {{ id uuid code lastName otherNames }} officer {{ id uuid code lastName otherNames }} }} }}",
                hf_picker()
            ),
        ),
        (
            "health facility picker, 20 rows",
            format!(
                "query ($str: String) {{ healthFacilities: healthFacilitiesStr(first: 20, str: $str) {{ edges {{ node {} }} }} }}",
                hf_picker()
            ),
        ),
    ]
}

#[test]
fn frontend_queries_fit_the_default_complexity() {
    let registry = registry_of::<imis_gateway::schema::Query, imis_gateway::schema::Mutation>();
    let cfg = Config::default().graphql;
    let mut worst = 0;
    for (what, q) in frontend_queries() {
        let doc = async_graphql::parser::parse_query(&q).unwrap_or_else(|e| panic!("{what}: {e}"));
        let c = document_cost(
            &registry,
            &doc,
            &Default::default(),
            None,
            cfg.default_page_size as u64,
            cfg.max_page_size as u64,
        );
        println!("{what}: complexity {}, depth {}", c.complexity, c.depth);
        assert!(c.complexity <= cfg.max_complexity as u64, "{what}: {c:?}");
        assert!(c.depth <= cfg.max_depth, "{what}: {c:?}");
        worst = worst.max(c.complexity);
    }
    println!("largest: {worst} of {}", cfg.max_complexity);
}

/// Defect 3: in production, anonymous introspection and GraphiQL are closed; `__typename` and
/// `moduleConfigurations` stay anonymous; a logged-in caller may introspect.
#[tokio::test]
async fn production_closes_introspection_and_graphiql() {
    let state = state_with(|c| c.environment = "production".into()).await;
    let app = imis_gateway::router(state);
    let introspect = "{ __schema { queryType { name } } }";
    let r = gql(&app, introspect, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.code(), "request.introspection_disabled", "{}", r.body);
    assert!(r.body["data"].is_null(), "{}", r.body);
    let r = gql(&app, r#"{ __type(name: "Query") { name } }"#, &[]).await;
    assert_eq!(r.code(), "request.introspection_disabled", "{}", r.body);
    let r = gql(
        &app,
        "query { ...I } fragment I on Query { __schema { types { name } } }",
        &[],
    )
    .await;
    assert_eq!(r.code(), "request.introspection_disabled", "{}", r.body);
    // Hidden under more inline fragments than any walk limit: still refused.
    let nested = format!(
        "{{ {}__schema {{ types {{ name }} }}{} }}",
        "... { ".repeat(12),
        " }".repeat(12)
    );
    let r = gql(&app, &nested, &[]).await;
    assert_eq!(r.code(), "request.introspection_disabled", "{}", r.body);
    assert!(r.body["data"].is_null(), "{}", r.body);

    let r = gql(
        &app,
        "{ __typename moduleConfigurations { module config controls { field usage } } }",
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(r.body["data"]["__typename"], "Query");

    let token = login(&app).await.body["data"]["tokenAuth"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = gql(
        &app,
        introspect,
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(
        r.body["data"]["__schema"]["queryType"]["name"], "Query",
        "{}",
        r.body
    );

    assert_eq!(
        get(&app, "/api/graphql", &[]).await.0,
        StatusCode::NOT_FOUND
    );

    // Explicit settings win over the environment.
    let state = state_with(|c| {
        c.environment = "production".into();
        c.graphql.graphiql = Some(true);
        c.graphql.introspection = Some(imis_core::config::Introspection::Open);
    })
    .await;
    let app = imis_gateway::router(state);
    assert_eq!(get(&app, "/api/graphql", &[]).await.0, StatusCode::OK);
    assert!(gql(&app, introspect, &[]).await.body["errors"].is_null());
}

/// Development keeps introspection and GraphiQL open.
#[tokio::test]
async fn development_keeps_introspection_and_graphiql_open() {
    let state = state_with(|c| c.environment = "development".into()).await;
    let app = imis_gateway::router(state);
    let r = gql(&app, "{ __schema { queryType { name } } }", &[]).await;
    assert_eq!(
        r.body["data"]["__schema"]["queryType"]["name"], "Query",
        "{}",
        r.body
    );
    assert_eq!(get(&app, "/api/graphql", &[]).await.0, StatusCode::OK);
    assert_eq!(get(&app, "/metrics", &[]).await.0, StatusCode::OK);
    // `closed` refuses everybody, even outside production.
    let state =
        state_with(|c| c.graphql.introspection = Some(imis_core::config::Introspection::Closed))
            .await;
    let app = imis_gateway::router(state);
    let r = gql(&app, "{ __schema { queryType { name } } }", &[]).await;
    assert_eq!(r.code(), "request.introspection_disabled", "{}", r.body);
}

/// Defect 3: `/metrics` in production needs the token, or lives on its own listener.
#[tokio::test]
async fn production_closes_metrics() {
    let state = state_with(|c| c.environment = "production".into()).await;
    let app = imis_gateway::router(state);
    assert_eq!(get(&app, "/metrics", &[]).await.0, StatusCode::FORBIDDEN);

    let token = "metrics-token-0123456789";
    let state = state_with(|c| {
        c.environment = "production".into();
        c.server.metrics_token = token.into();
    })
    .await;
    let app = imis_gateway::router(state);
    assert_eq!(get(&app, "/metrics", &[]).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = get(&app, "/metrics", &[("authorization", "Bearer wrong")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, text) = get(
        &app,
        "/metrics",
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("imis_http_requests_total"), "{text}");

    // A separate listener: not on the public router, open on the metrics router.
    let state = state_with(|c| {
        c.environment = "production".into();
        c.server.metrics_listen = "127.0.0.1:9109".into();
    })
    .await;
    let routers = imis_gateway::server::routers(state);
    assert_eq!(get(&routers.main, "/health", &[]).await.0, StatusCode::OK);
    assert_eq!(
        get(&routers.main, "/metrics", &[]).await.0,
        StatusCode::NOT_FOUND
    );
    let metrics = routers.metrics.expect("metrics router");
    let (status, text) = get(&metrics, "/metrics", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("route=\"/health\""),
        "shares the counters: {text}"
    );
}

#[test]
fn new_keys_are_validated() {
    let mut c = Config::for_tests("sqlite::memory:", std::path::Path::new("/tmp"));
    c.graphql.max_batch = 0;
    c.server.metrics_listen = "nowhere".into();
    let errs = c.validate().join("\n");
    assert!(errs.contains("graphql.max_batch"), "{errs}");
    assert!(errs.contains("server.metrics_listen"), "{errs}");
    c.graphql.max_batch = 10;
    c.server.metrics_listen = c.server.listen.clone();
    assert!(c.validate().join("\n").contains("must differ"));
    c.server.metrics_listen = String::new();
    c.environment = "production".into();
    c.server.metrics_token = "short".into();
    assert!(c.validate().join("\n").contains("server.metrics_token"));
}
