//! The openIMIS web front end's own GraphQL documents fit imis's schema. Each fixture in
//! `tests/fixtures/frontend/` is a document the built front end sent while
//! `scripts/capture-frontend.py` drove its screens on a fresh demo (see docs/frontend.md); it is
//! replayed, in capture order, on the demo data as Admin through the server's schema and
//! extensions (which include the leniencies the front end relies on, such as digit strings for
//! `Int`s). The captured uuids are first replaced by those of the same rows here (found by
//! global id), so that the documents reach real rows and their fields are resolved.
//!
//! A replay fails on every error that says the document does not fit: GraphQL validation
//! (unknown field, argument or type, a refused variable, a fragment that cannot apply, a missing
//! argument), any other error without an imis code, and internal errors. Business errors that
//! come from replaying captured data on a fresh demo are allowed, but only the codes listed in
//! [`ALLOWED_CODES`]. The misfits of screens imis does not serve yet are listed one by one in
//! [`KNOWN_GAPS`]; a listed gap that no longer occurs fails too, so that the list only shrinks.

use async_graphql::ServerError;
use imis_tests::{TestApp, on_each_app};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Error codes a faithful replay may meet on a fresh demo, and why. Nothing else passes: a
/// refused argument value (`input.invalid`, `input.invalid_order`, …) is a misfit too.
const ALLOWED_CODES: &[&str] = &[
    // A captured uuid whose row the fresh demo lacks (one the capture created and the replay
    // did not create again).
    "not_found",
    // `refreshToken` reads the JWT cookie of an HTTP request; an in-process replay has none
    // (the HTTP tests of the gateway cover the cookie).
    "auth.token_required",
];

/// Fields openIMIS has that the captured screens ask for and imis lacks, each as the start of
/// its validation message (the root type is left out: it is `Query` on the server and
/// `TestQuery` here). Remove an entry when the server gains the field.
const KNOWN_GAPS: &[&str] = &[];

/// The entry of [`KNOWN_GAPS`] a misfit (as [`misfit`] words it) is, if any.
fn known_gap(misfit: &str) -> Option<&'static str> {
    let message = misfit.strip_prefix("[no code] ")?;
    KNOWN_GAPS
        .iter()
        .copied()
        .find(|gap| message.starts_with(gap))
}

/// What the capture writes instead of a login password (see scripts/capture-frontend.py).
const PASSWORD_PLACEHOLDER: &str = "<password>";
/// The demo Admin's password, put back so that a replayed login succeeds and does not count
/// towards the lockout.
const DEMO_ADMIN_PASSWORD: &str = "admin123";

struct Fixture {
    file: String,
    sequence: u64,
    query: String,
    variables: Value,
    /// Each captured uuid the document names, with the global id (`<type>:<pk>`) of its row.
    uuids: Vec<(String, String)>,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/frontend")
}

fn load_fixtures() -> Vec<Fixture> {
    let mut fixtures: Vec<Fixture> = std::fs::read_dir(fixture_dir())
        .expect("tests/fixtures/frontend exists")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("readable fixture");
            let json: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));
            let query = json["query"]
                .as_str()
                .unwrap_or_else(|| panic!("{file} has no query"))
                .replace(PASSWORD_PLACEHOLDER, DEMO_ADMIN_PASSWORD);
            let variables = match &json["variables"] {
                Value::Null => serde_json::json!({}),
                v => with_password(v.clone()),
            };
            let uuids = json["uuids"]
                .as_object()
                .map(|map| {
                    map.iter()
                        .filter_map(|(uuid, id)| Some((uuid.clone(), id.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            Fixture {
                sequence: json["sequence"].as_u64().unwrap_or(u64::MAX),
                file,
                query,
                variables,
                uuids,
            }
        })
        .collect();
    fixtures.sort_by(|a, b| (a.sequence, &a.file).cmp(&(b.sequence, &b.file)));
    fixtures
}

/// `value` with the password placeholder replaced wherever it stands as a whole string.
fn with_password(value: Value) -> Value {
    match value {
        Value::String(s) if s == PASSWORD_PLACEHOLDER => Value::String(DEMO_ADMIN_PASSWORD.into()),
        Value::Array(items) => Value::Array(items.into_iter().map(with_password).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, with_password(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Why `error` means the document does not fit the schema, or `None` for an allowed business
/// error. Validation and parse errors carry no `code` (only imis's own errors do).
fn misfit(error: &ServerError) -> Option<String> {
    let code = error
        .extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .and_then(|code| match code {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        });
    let at = if error.path.is_empty() {
        String::new()
    } else {
        let path: Vec<String> = error
            .path
            .iter()
            .map(|segment| match segment {
                async_graphql::PathSegment::Field(name) => name.clone(),
                async_graphql::PathSegment::Index(index) => index.to_string(),
            })
            .collect();
        format!(" at {}", path.join("."))
    };
    match code {
        Some(code) if ALLOWED_CODES.contains(&code.as_str()) => None,
        Some(code) => Some(format!("[{code}] {}{at}", error.message)),
        None => Some(format!("[no code] {}{at}", error.message)),
    }
}

async fn misfits_of(app: &TestApp, query: &str, variables: Value) -> Vec<String> {
    let admin = app.principal("Admin").await;
    let response = app.exec_vars(Some(&admin), query, variables).await;
    response.errors.iter().filter_map(misfit).collect()
}

/// The uuid, on this database, of the row with the global id `<type>:<pk>`, through the `Node`
/// interface; None when the type is no node or the row does not exist here.
async fn local_uuid(app: &TestApp, global: &str) -> Option<String> {
    let (type_name, pk) = global.split_once(':')?;
    if !type_name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let admin = app.principal("Admin").await;
    let query = format!("query ($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ uuid }} }} }}");
    let id = imis_core::graphql::global_id(type_name, pk);
    let response = app
        .exec_vars(Some(&admin), &query, serde_json::json!({ "id": id.0 }))
        .await;
    let data = response.data.into_json().ok()?;
    data["node"]["uuid"].as_str().map(str::to_string)
}

/// The fixture's document and variables with each captured uuid replaced by the uuid of the
/// same row on this database (the demo's rows have the same integer ids on every fresh
/// database; their uuids differ), so that the replay reaches real rows.
async fn localised(app: &TestApp, fixture: &Fixture) -> (String, Value) {
    let mut query = fixture.query.clone();
    let mut variables = fixture.variables.to_string();
    for (captured, global) in &fixture.uuids {
        if let Some(local) = local_uuid(app, global).await {
            query = query.replace(captured.as_str(), &local);
            variables = variables.replace(captured.as_str(), &local);
        }
    }
    (
        query,
        serde_json::from_str(&variables).expect("variables stay JSON"),
    )
}

#[tokio::test]
async fn front_end_documents_fit_the_schema() {
    let fixtures = load_fixtures();
    assert!(
        !fixtures.is_empty(),
        "no fixture in {}: run scripts/capture-frontend.py",
        fixture_dir().display()
    );
    on_each_app(|app: TestApp| {
        let fixtures = &fixtures;
        async move {
            let mut failures = vec![];
            let mut gaps_met = std::collections::BTreeSet::new();
            for fixture in fixtures {
                let (query, variables) = localised(&app, fixture).await;
                for misfit in misfits_of(&app, &query, variables).await {
                    match known_gap(&misfit) {
                        Some(gap) => {
                            gaps_met.insert(gap);
                        }
                        None => failures.push(format!("{}: {misfit}", fixture.file)),
                    }
                }
            }
            for gap in KNOWN_GAPS.iter().filter(|gap| !gaps_met.contains(*gap)) {
                failures.push(format!(
                    "KNOWN_GAPS lists `{gap}`, which no fixture meets any more: remove it"
                ));
            }
            assert!(
                failures.is_empty(),
                "{} error(s) in {} front-end documents:\n{}",
                failures.len(),
                fixtures.len(),
                failures.join("\n")
            );
        }
    })
    .await;
}

/// The check itself tells a misfit from an allowed business error.
#[tokio::test]
async fn misfits_are_told_from_business_errors() {
    on_each_app(|app: TestApp| async move {
        let unknown_field = misfits_of(
            &app,
            "{ insurees(first: 1) { edges { node { nope } } } }",
            serde_json::json!({}),
        )
        .await;
        assert_eq!(unknown_field.len(), 1, "{unknown_field:?}");
        assert!(
            unknown_field[0].starts_with("[no code]"),
            "{unknown_field:?}"
        );

        let unknown_argument = misfits_of(
            &app,
            "{ insurees(nope: 1) { totalCount } }",
            serde_json::json!({}),
        )
        .await;
        assert_eq!(unknown_argument.len(), 1, "{unknown_argument:?}");

        let refused_variable = misfits_of(
            &app,
            "query ($first: Int) { insurees(first: $first) { totalCount } }",
            serde_json::json!({ "first": "ten" }),
        )
        .await;
        assert_eq!(refused_variable.len(), 1, "{refused_variable:?}");

        let bad_fragment = misfits_of(
            &app,
            "{ insurees(first: 1) { edges { node { ... on LocationGQLType { code } } } } }",
            serde_json::json!({}),
        )
        .await;
        assert_eq!(bad_fragment.len(), 1, "{bad_fragment:?}");

        let page_too_large = misfits_of(
            &app,
            "{ insurees(first: 1000) { totalCount } }",
            serde_json::json!({}),
        )
        .await;
        assert_eq!(page_too_large.len(), 1, "{page_too_large:?}");
        assert!(
            page_too_large[0].starts_with("[input.page_too_large]"),
            "{page_too_large:?}"
        );
    })
    .await;

    // A business error passes only when its code is listed.
    let coded = |code: &str| {
        let mut error = ServerError::new("message", None);
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", code);
        error.extensions = Some(extensions);
        error
    };
    assert_eq!(misfit(&coded("not_found")), None);
    // A known gap is only the field it names, and only as a validation error.
    let unknown = |field: &str| {
        misfit(&ServerError::new(
            format!(r#"Unknown field "{field}" on type "OfficerGQLType"."#),
            None,
        ))
    };
    for gap in KNOWN_GAPS {
        let listed = misfit(&ServerError::new(format!("{gap}."), None)).unwrap();
        assert!(known_gap(&listed).is_some(), "{gap}");
    }
    assert_eq!(known_gap(&unknown("officerVillage").unwrap()), None);
    assert_eq!(known_gap(&unknown("nope").unwrap()), None);
    assert_eq!(known_gap(&misfit(&coded("input.invalid")).unwrap()), None);
    assert_eq!(
        misfit(&coded("internal")),
        Some("[internal] message".to_string())
    );
}
