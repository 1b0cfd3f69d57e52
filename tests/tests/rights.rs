//! The rights matrix: every root field of the composed schema has an entry in the requirement
//! tables of `docs/api.md`, `docs/api-<module>.md` or a module crate's own
//! `modules/<name>/docs/api-<name>.md`, and each refuses a caller who lacks it. Fields are called with
//! arguments generated from introspection, so a new field cannot escape this test.

use imis_tests::{TestApp, TestDb, on_each_db};
use serde_json::Value;
use std::collections::BTreeMap;

/// (root, field) → requirement, from the requirement tables of `docs/api.md` and of each
/// module's `docs/api-<module>.md`.
fn requirement_table() -> BTreeMap<(String, String), String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    // The project's docs, and the docs a module crate carries itself (a country module documents
    // its API inside its crate, so adding it touches no file outside it).
    let mut dirs = vec![std::path::PathBuf::from(format!("{root}/docs"))];
    for module in std::fs::read_dir(format!("{root}/modules")).expect("modules/") {
        dirs.push(module.expect("entry").path().join("docs"));
    }
    let mut out = BTreeMap::new();
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        for entry in std::fs::read_dir(dir).expect("docs folder") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if name == "api.md" || (name.starts_with("api-") && name.ends_with(".md")) {
                read_table(&std::fs::read_to_string(&path).expect("read"), &mut out);
            }
        }
    }
    out
}

fn read_table(text: &str, out: &mut BTreeMap<(String, String), String>) {
    let mut in_table = false;
    for line in text.lines() {
        if line.trim() == "| root | field | requirement |" {
            in_table = true;
            continue;
        }
        if in_table {
            if !line.starts_with('|') {
                in_table = false;
                continue;
            }
            let cells: Vec<&str> = line
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`'))
                .collect();
            if cells.len() == 3 && !cells[0].starts_with("---") {
                out.insert(
                    (cells[0].to_string(), cells[1].to_string()),
                    cells[2].to_string(),
                );
            }
        }
    }
}

const TYPE_REF: &str = "kind name ofType { kind name ofType { kind name ofType { kind name } } }";

fn unwrap_type(t: &Value) -> (bool, bool, String, String) {
    // (non_null, list, kind, name) of the outermost meaningful layer
    let mut t = t;
    let mut non_null = false;
    if t["kind"] == "NON_NULL" {
        non_null = true;
        t = &t["ofType"];
    }
    if t["kind"] == "LIST" {
        return (non_null, true, "LIST".into(), String::new());
    }
    (
        non_null,
        false,
        t["kind"].as_str().unwrap_or("").into(),
        t["name"].as_str().unwrap_or("").into(),
    )
}

async fn literal(app: &TestApp, name: &str, t: &Value, depth: usize) -> String {
    let (_, list, kind, tname) = unwrap_type(t);
    if list {
        return "[]".into();
    }
    match kind.as_str() {
        "ENUM" => {
            let q = format!(r#"{{ __type(name: "{tname}") {{ enumValues {{ name }} }} }}"#);
            let d = app.ok(None, &q).await;
            d["__type"]["enumValues"][0]["name"]
                .as_str()
                .unwrap()
                .to_string()
        }
        "INPUT_OBJECT" if depth < 4 => {
            let q = format!(
                r#"{{ __type(name: "{tname}") {{ inputFields {{ name type {{ {TYPE_REF} }} }} }} }}"#
            );
            let d = app.ok(None, &q).await;
            let mut parts = vec![];
            for f in d["__type"]["inputFields"].as_array().unwrap() {
                let (nn, _, _, _) = unwrap_type(&f["type"]);
                if nn {
                    let v = Box::pin(literal(
                        app,
                        f["name"].as_str().unwrap(),
                        &f["type"],
                        depth + 1,
                    ))
                    .await;
                    parts.push(format!("{}: {v}", f["name"].as_str().unwrap()));
                }
            }
            format!("{{ {} }}", parts.join(", "))
        }
        _ => match tname.as_str() {
            "Int" => "1".into(),
            "Float" | "Decimal" => "\"1\"".into(),
            "Boolean" => "false".into(),
            "Date" => "\"2026-01-01\"".into(),
            "DateTime" => "\"2026-01-01T00:00:00\"".into(),
            _ if name.to_lowercase().contains("uuid") => {
                "\"00000000-0000-0000-0000-000000000001\"".into()
            }
            "ID" => "\"1\"".into(),
            _ => "\"x\"".into(),
        },
    }
}

fn selection(t: &Value) -> String {
    let mut t = t.clone();
    while t["ofType"].is_object() {
        t = t["ofType"].clone();
    }
    if t["kind"] != "OBJECT" && t["kind"] != "INTERFACE" {
        return String::new();
    }
    "{ __typename }".into()
}

#[tokio::test]
async fn every_root_field_is_listed_and_refuses_callers_without_its_requirement() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let table = requirement_table();
        assert!(!table.is_empty(), "docs/api.md has no requirement table");
        // A logged-in user with no role at all.
        imis_core::users::service::insert_user_unchecked(
            &app.state.db.conn, "norights", "norights123", "Sans", "Droit",
            imis_core::auth::UserKinds { interactive: true, ..Default::default() }, &[], &[], &[], None,
        )
        .await
        .unwrap();
        let nobody = app.principal("norights").await;
        let mut missing = vec![];
        let mut escaped = vec![];
        for (root, op, key) in [("Query", "query", "queryType"), ("Mutation", "mutation", "mutationType")] {
            let q = format!(r#"{{ __schema {{ {key} {{ fields {{ name args {{ name type {{ {TYPE_REF} }} }} type {{ {TYPE_REF} }} }} }} }} }}"#);
            let d = app.ok(None, &q).await;
            for f in d["__schema"][key]["fields"].as_array().unwrap() {
                let name = f["name"].as_str().unwrap();
                let Some(req) = table.get(&(root.to_string(), name.to_string())) else {
                    missing.push(format!("{root}.{name}"));
                    continue;
                };
                let mut args = vec![];
                for a in f["args"].as_array().unwrap() {
                    let (nn, _, _, _) = unwrap_type(&a["type"]);
                    if nn {
                        args.push(format!("{}: {}", a["name"].as_str().unwrap(), literal(&app, a["name"].as_str().unwrap(), &a["type"], 0).await));
                    }
                }
                let args = if args.is_empty() { String::new() } else { format!("({})", args.join(", ")) };
                let sel = selection(&f["type"]);
                let call = format!("{op} {{ {name}{args} {sel} }}");
                let expect = |r: &async_graphql::Response, code: &str| {
                    r.errors.iter().any(|e| e.extensions.as_ref().and_then(|x| x.get("code")).is_some_and(|c| c.to_string().trim_matches('"') == code))
                };
                match req.as_str() {
                    "anonymous" => {}
                    "authenticated" => {
                        let r = app.exec(None, &call).await;
                        if !expect(&r, "auth.unauthenticated") {
                            escaped.push(format!("{call} as anonymous: {:?}", r.errors));
                        }
                    }
                    _ => {
                        let r = app.exec(None, &call).await;
                        if !expect(&r, "auth.unauthenticated") {
                            escaped.push(format!("{call} as anonymous: {:?}", r.errors));
                        }
                        let r = app.exec(Some(&nobody), &call).await;
                        if !expect(&r, "auth.permission_denied") {
                            escaped.push(format!("{call} without rights: {:?}", r.errors));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "root fields missing from docs/api.md: {missing:?}");
        assert!(escaped.is_empty(), "fields that did not refuse:\n{}", escaped.join("\n"));
        db
    })
    .await;
}
