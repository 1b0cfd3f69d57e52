//! Module boundaries (issue 11), checked on the source tree so that crossing one fails a test.
//!
//! **Modules** (`modules/*/src/**/*.rs` and the module's own `tests/`, migrations exempt: a foreign key may name another
//! module's table). Code and SQL of a module may not name
//! - another module's table (the names come from each module's `entity/*.rs` `table_name` and its
//!   migrations' `CREATE TABLE`), nor any core table (`core_*`, from core's entities and
//!   migrations);
//! - `imis_core::entity` (core's registers are read through `imis_core::registers`, the location
//!   and users services; the kernel's tables through `imis_core::history`, `imis_core::mutation`);
//! - another module's crate by any path but `imis_<other>::api`. A module that lets others use one
//!   of its GraphQL types re-exports it from its `api` (as the insuree module does with
//!   `InsureeGQLType`), so `imis_<other>::graphql::…` is refused too: one door per module.
//!
//! Comments are not code: a doc comment may mention a table.
//!
//! **Core**: the kernel (every file of `core/src` but the registers and `lib.rs`, the crate root
//! that wires both) imports no register file, and kernel files do not import each other in a
//! cycle (a `mod.rs` re-exporting its own children is not counted: a facade is not a layer).
//! Registers: `users/**`, `location/**`, `registers.rs`, `rights.rs`, `demo.rs`,
//! `graphql/{roots,node}.rs` and the entities `user`, `role`, `role_right`, `location`,
//! `health_facility`, `hf_catchment` (and any officer entity).
//!
//! Each check has positive controls on synthetic sources below, so it can fail.

use imis_tests::source::{
    is_ident, line_of, relative, rust_files, strip_comments, words, workspace,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A finding, printed as `file:line: what`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    file: String,
    line: usize,
    what: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.what)
    }
}

/// A module crate as the checks see it.
#[derive(Debug, Clone)]
struct Module {
    /// The folder name under `modules/`, also the table prefix (`insuree`, `cm_hiv`).
    dir: String,
    /// The Rust crate name (`imis_insuree`).
    crate_name: String,
    tables: BTreeSet<String>,
}

/// Table names declared by a source: sea-orm `table_name = "…"` and SQL `CREATE TABLE …`.
fn declared_tables(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = src;
    while let Some(p) = rest.find("table_name") {
        rest = &rest[p + "table_name".len()..];
        let t = rest.trim_start();
        if let Some(t) = t.strip_prefix('=') {
            let t = t.trim_start();
            if let Some(t) = t.strip_prefix('"')
                && let Some(end) = t.find('"')
            {
                out.insert(t[..end].to_string());
            }
        }
    }
    let upper = src.to_uppercase();
    let mut from = 0;
    while let Some(p) = upper[from..].find("CREATE TABLE") {
        let start = from + p + "CREATE TABLE".len();
        let mut t = src[start..].trim_start();
        if t.to_uppercase().starts_with("IF NOT EXISTS") {
            t = t["IF NOT EXISTS".len()..].trim_start();
        }
        let name: String = t
            .bytes()
            .take_while(|c| is_ident(*c))
            .map(char::from)
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
        from = start;
    }
    out
}

/// Whether a file (path relative to the crate's `src`) holds migrations.
fn is_migration(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    rel.starts_with("migration/")
        || rel.starts_with("migrations/")
        || name == "migration.rs"
        || name == "migrations.rs"
        || name == "core_migrations.rs"
}

// -------------------------------------------------------------------------------------------
// Module checks
// -------------------------------------------------------------------------------------------

/// The violations of one module source file (`file` is for messages).
fn check_module_file(
    module: &Module,
    others: &[Module],
    core_tables: &BTreeSet<String>,
    file: &str,
    src: &str,
) -> Vec<Violation> {
    let text = strip_comments(src);
    let mut out = vec![];
    let mut push = |offset: usize, what: String| {
        out.push(Violation {
            file: file.to_string(),
            line: line_of(&text, offset),
            what,
        })
    };
    let ws = words(&text);
    for (offset, word) in &ws {
        if core_tables.contains(*word) {
            push(*offset, format!("names the core table `{word}`"));
        }
        for other in others.iter().filter(|o| o.dir != module.dir) {
            if other.tables.contains(*word) {
                push(
                    *offset,
                    format!("names the table `{word}` of the module `{}`", other.dir),
                );
            }
            if *word == other.crate_name {
                for path in paths_after(&text, offset + word.len()) {
                    if path.first().map(String::as_str) != Some("api") {
                        push(
                            *offset,
                            format!(
                                "uses `{}::{}`: another module is reached through its `api` only",
                                other.crate_name,
                                path.join("::")
                            ),
                        );
                    }
                }
            }
        }
        if *word == "imis_core"
            && paths_after(&text, offset + word.len())
                .iter()
                .any(|p| p.first().map(String::as_str) == Some("entity"))
        {
            push(
                *offset,
                "uses `imis_core::entity`: core's registers are read through `imis_core::registers` and the core services".into(),
            );
        }
    }
    out
}

/// The paths that follow a crate or module name at `offset` (`::a::b`, `::{a, b::c}`), each as
/// its segments; empty when no `::` follows.
fn paths_after(text: &str, offset: usize) -> Vec<Vec<String>> {
    let rest = &text[offset..];
    let trimmed = rest.trim_start();
    let Some(rest) = trimmed.strip_prefix("::") else {
        return vec![];
    };
    let mut out = vec![];
    parse_use_tree(rest, vec![], &mut out);
    out
}

/// Expands a use tree (`a::b`, `{a, b::{c, d}}`, `a::*`, `a as b`) into paths.
fn parse_use_tree(text: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let b = text.as_bytes();
    let mut i = 0;
    let mut path = prefix;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if b[i] == b'{' {
            i += 1;
            loop {
                let used = parse_use_tree(&text[i..], path.clone(), out);
                i += used;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                match b.get(i) {
                    Some(b',') => i += 1,
                    Some(b'}') => {
                        i += 1;
                        return i;
                    }
                    _ => return i,
                }
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if b.get(i) == Some(&b'}') {
                    return i + 1;
                }
            }
        }
        if b[i] == b'*' {
            path.push("*".into());
            i += 1;
            break;
        }
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        if start == i {
            break;
        }
        path.push(text[start..i].to_string());
        let after = text[i..].trim_start();
        if let Some(r) = after.strip_prefix("::") {
            i = text.len() - r.len();
            continue;
        }
        break;
    }
    if !path.is_empty() {
        out.push(path);
    }
    i
}

/// Every module of the workspace with its tables, and every core table.
fn load_modules(root: &Path) -> (Vec<Module>, BTreeSet<String>) {
    let mut modules = vec![];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("modules"))
        .expect("modules folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("src").is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let src = dir.join("src");
        let mut tables = BTreeSet::new();
        for f in rust_files(&src) {
            let rel = relative(&f, &src);
            if rel.starts_with("entity/") || is_migration(&rel) {
                tables.extend(declared_tables(
                    &std::fs::read_to_string(&f).unwrap_or_default(),
                ));
            }
        }
        modules.push(Module {
            crate_name: format!("imis_{}", name.replace('-', "_")),
            dir: name,
            tables,
        });
    }
    let core_src = root.join("core/src");
    let mut core_tables = BTreeSet::new();
    for f in rust_files(&core_src) {
        let rel = relative(&f, &core_src);
        if rel.starts_with("entity/") || is_migration(&rel) {
            core_tables.extend(
                declared_tables(&std::fs::read_to_string(&f).unwrap_or_default())
                    .into_iter()
                    .filter(|t| t.starts_with("core_")),
            );
        }
    }
    (modules, core_tables)
}

fn module_violations(root: &Path) -> Vec<Violation> {
    let (modules, core_tables) = load_modules(root);
    let mut out = vec![];
    for m in &modules {
        let src = root.join("modules").join(&m.dir).join("src");
        // A module's own tests are held to the same rule: they reach other modules' rows through
        // the harness's fixtures (`imis_tests::fixtures`), as a scenario test would.
        let tests = root.join("modules").join(&m.dir).join("tests");
        for f in rust_files(&src).into_iter().chain(rust_files(&tests)) {
            let rel = relative(&f, &src);
            if is_migration(&rel) {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            out.extend(check_module_file(
                m,
                &modules,
                &core_tables,
                &relative(&f, root),
                &text,
            ));
        }
    }
    out
}

// -------------------------------------------------------------------------------------------
// Core kernel checks
// -------------------------------------------------------------------------------------------

/// Whether a core file (relative to `core/src`) is a register file.
fn is_register(rel: &str) -> bool {
    const ENTITIES: &[&str] = &[
        "user",
        "role",
        "role_right",
        "location",
        "health_facility",
        "hf_catchment",
    ];
    rel.starts_with("users/")
        || rel.starts_with("location/")
        || matches!(
            rel,
            "registers.rs" | "rights.rs" | "demo.rs" | "graphql/roots.rs" | "graphql/node.rs"
        )
        || rel.strip_prefix("entity/").is_some_and(|e| {
            let stem = e.trim_end_matches(".rs");
            ENTITIES.contains(&stem) || stem.contains("officer")
        })
}

/// The crate root wires kernel and registers together; it is neither.
fn is_crate_root(rel: &str) -> bool {
    rel == "lib.rs"
}

/// The module path of a file: `graphql/mod.rs` → `[graphql]`, `lib.rs` → `[]`.
fn module_path(rel: &str) -> Vec<String> {
    let stem = rel.trim_end_matches(".rs");
    let mut parts: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod") | Some("lib")) {
        parts.pop();
    }
    parts
}

/// The files a core file refers to (`crate::…`, `super::…`, `self::…`, and in `use` items a
/// child module's name), with the offset of each reference.
fn references(rel: &str, src: &str, files: &BTreeMap<Vec<String>, String>) -> Vec<(usize, String)> {
    let text = strip_comments(src);
    let here = module_path(rel);
    let is_dir_module = rel.ends_with("mod.rs") || rel == "lib.rs";
    // The module that `super` and `self` name.
    let self_path = here.clone();
    let mut super_path = here.clone();
    if !is_dir_module || !here.is_empty() {
        super_path.pop();
    }
    // For a plain file `a/b.rs`, `self` is `a::b` and `super` is `a`; for `a/mod.rs`, `self` is
    // `a` and `super` the crate root.
    let ws = words(&text);
    let mut out = vec![];
    for (k, (offset, word)) in ws.iter().enumerate() {
        let base: Option<Vec<String>> = match *word {
            "crate" => Some(vec![]),
            "super" => {
                // `super::super::x` is handled by the loop over the words that follow.
                let mut p = super_path.clone();
                let mut j = k + 1;
                while ws.get(j).map(|w| w.1) == Some("super")
                    && text[ws[j - 1].0 + ws[j - 1].1.len()..ws[j].0].trim() == "::"
                {
                    p.pop();
                    j += 1;
                }
                if k > 0 && ws[k - 1].1 == "super" && text[ws[k - 1].0 + 5..*offset].trim() == "::"
                {
                    None
                } else {
                    Some(p)
                }
            }
            "self" => Some(self_path.clone()),
            _ => None,
        };
        let Some(base) = base else { continue };
        for path in paths_after(&text, offset + word.len()) {
            let path: Vec<String> = path.into_iter().filter(|s| s != "super").collect();
            let full: Vec<String> = base.iter().cloned().chain(path).collect();
            if let Some(target) = resolve(&full, files)
                && target != rel
            {
                out.push((*offset, target));
            }
        }
    }
    // `use child::…` in a directory module (or the crate root).
    if is_dir_module {
        let mut from = 0;
        while let Some(p) = text[from..].find("use ") {
            let at = from + p;
            from = at + 4;
            if at > 0 && is_ident(text.as_bytes()[at - 1]) {
                continue;
            }
            let mut paths = vec![];
            parse_use_tree(&text[at + 4..], vec![], &mut paths);
            for path in paths {
                let Some(first) = path.first() else { continue };
                if matches!(first.as_str(), "crate" | "super" | "self") {
                    continue;
                }
                let full: Vec<String> = here.iter().cloned().chain(path.clone()).collect();
                let child: Vec<String> = here.iter().cloned().chain([first.clone()]).collect();
                if files.contains_key(&child)
                    && let Some(target) = resolve(&full, files)
                    && target != rel
                {
                    out.push((at, target));
                }
            }
        }
    }
    out
}

/// The file that the longest prefix of `path` names.
fn resolve(path: &[String], files: &BTreeMap<Vec<String>, String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .find_map(|n| files.get(&path[..n]).cloned())
}

/// Kernel files importing register files.
fn kernel_violations(sources: &BTreeMap<String, String>) -> Vec<Violation> {
    let files: BTreeMap<Vec<String>, String> = sources
        .keys()
        .map(|rel| (module_path(rel), rel.clone()))
        .collect();
    let mut out = vec![];
    for (rel, src) in sources {
        if is_register(rel) || is_crate_root(rel) {
            continue;
        }
        let text = strip_comments(src);
        for (offset, target) in references(rel, src, &files) {
            if is_register(&target) {
                out.push(Violation {
                    file: format!("core/src/{rel}"),
                    line: line_of(&text, offset),
                    what: format!("the kernel imports the register file core/src/{target}"),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Cycles of the kernel files' import graph (each a list of files), a directory module's
/// references to its own children left out.
fn kernel_cycles(sources: &BTreeMap<String, String>) -> Vec<Vec<String>> {
    let files: BTreeMap<Vec<String>, String> = sources
        .keys()
        .map(|rel| (module_path(rel), rel.clone()))
        .collect();
    let kernel: Vec<&String> = sources
        .keys()
        .filter(|r| !is_register(r) && !is_crate_root(r))
        .collect();
    let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for rel in &kernel {
        let here = module_path(rel);
        let is_dir_module = rel.ends_with("mod.rs");
        let targets = edges.entry(rel.as_str()).or_default();
        for (_, target) in references(rel, &sources[*rel], &files) {
            if is_register(&target) || is_crate_root(&target) {
                continue;
            }
            let target_path = module_path(&target);
            if is_dir_module && target_path.len() > here.len() && target_path.starts_with(&here) {
                continue;
            }
            targets.insert(target);
        }
    }
    // Tarjan's strongly connected components.
    struct Tarjan<'a> {
        edges: &'a BTreeMap<&'a str, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: &str) {
            self.index.insert(v.to_string(), self.next);
            self.low.insert(v.to_string(), self.next);
            self.next += 1;
            self.stack.push(v.to_string());
            self.on_stack.insert(v.to_string());
            let targets: Vec<String> = self
                .edges
                .get(v)
                .map(|t| t.iter().cloned().collect())
                .unwrap_or_default();
            for w in targets {
                if !self.index.contains_key(&w) {
                    self.visit(&w);
                    let lw = self.low[&w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(&w) {
                    let iw = self.index[&w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = vec![];
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(&w);
                    let done = w == v;
                    component.push(w);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        on_stack: BTreeSet::new(),
        next: 0,
        out: vec![],
    };
    for v in &kernel {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

fn core_sources(root: &Path) -> BTreeMap<String, String> {
    let src = root.join("core/src");
    rust_files(&src)
        .into_iter()
        .map(|f| {
            (
                relative(&f, &src),
                std::fs::read_to_string(&f).unwrap_or_default(),
            )
        })
        .collect()
}

fn report(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

// -------------------------------------------------------------------------------------------
// The real tree
// -------------------------------------------------------------------------------------------

#[test]
fn modules_cross_no_boundary() {
    let violations = module_violations(&workspace());
    assert!(
        violations.is_empty(),
        "{} boundary violations:\n{}",
        violations.len(),
        report(&violations)
    );
}

#[test]
fn every_module_declares_its_tables() {
    let (modules, core_tables) = load_modules(&workspace());
    assert!(modules.len() >= 5, "{modules:?}");
    for m in &modules {
        assert!(!m.tables.is_empty(), "no tables found for {}", m.dir);
    }
    for t in [
        "core_location",
        "core_user",
        "core_history",
        "core_mutation_log",
        "core_officer_village",
    ] {
        assert!(core_tables.contains(t), "{t} missing from {core_tables:?}");
    }
}

#[test]
fn the_kernel_imports_no_register() {
    let sources = core_sources(&workspace());
    // The scan sees the real references (the kernel's files use the error type).
    let files: BTreeMap<Vec<String>, String> = sources
        .keys()
        .map(|rel| (module_path(rel), rel.clone()))
        .collect();
    let to_error = sources
        .iter()
        .filter(|(rel, src)| {
            references(rel, src, &files)
                .iter()
                .any(|(_, t)| t == "error.rs")
        })
        .count();
    assert!(to_error > 10, "only {to_error} files refer to error.rs");
    let violations = kernel_violations(&sources);
    assert!(
        violations.is_empty(),
        "{} kernel imports of registers:\n{}",
        violations.len(),
        report(&violations)
    );
}

#[test]
fn kernel_files_import_each_other_without_cycles() {
    let cycles = kernel_cycles(&core_sources(&workspace()));
    assert!(
        cycles.is_empty(),
        "kernel import cycles:\n{}",
        cycles
            .iter()
            .map(|c| c.join(" <-> "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// -------------------------------------------------------------------------------------------
// Positive controls: each check fails on a synthetic violation
// -------------------------------------------------------------------------------------------

fn synthetic_modules() -> (Vec<Module>, BTreeSet<String>) {
    let module = |dir: &str, tables: &[&str]| Module {
        dir: dir.into(),
        crate_name: format!("imis_{dir}"),
        tables: tables.iter().map(|t| t.to_string()).collect(),
    };
    (
        vec![
            module("alpha", &["alpha_thing"]),
            module("beta", &["beta_widget", "beta_part"]),
        ],
        ["core_location".to_string(), "core_history".to_string()]
            .into_iter()
            .collect(),
    )
}

fn check_alpha(src: &str) -> Vec<Violation> {
    let (modules, core) = synthetic_modules();
    check_module_file(&modules[0], &modules, &core, "modules/alpha/src/x.rs", src)
}

#[test]
fn control_another_modules_table_in_sql_fails() {
    let v = check_alpha("fn f() { let sql = \"SELECT id FROM beta_widget WHERE x = 1\"; }\n");
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].what.contains("beta_widget") && v[0].line == 1);
    let v = check_alpha("const T: &str = r#\"\n  JOIN beta_part p ON p.id = a.part_id\"#;\n");
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].line, 2);
}

#[test]
fn control_a_core_table_fails() {
    let v = check_alpha(
        "let q = \"INSERT INTO core_history (entity) VALUES (?)\";\nlet a = Alias::new(\"core_location\");\n",
    );
    assert_eq!(v.len(), 2, "{v:?}");
}

#[test]
fn control_core_entities_fail() {
    let v = check_alpha(
        "use imis_core::entity::location;\nuse imis_core :: entity::{user};\nuse imis_core::{auth, entity::role};\n",
    );
    assert_eq!(v.len(), 3, "{v:?}");
    assert!(check_alpha("use imis_core::{auth, registers};\n").is_empty());
}

#[test]
fn control_another_modules_internals_fail_and_its_api_passes() {
    let v = check_alpha(
        "use imis_beta::service::widgets;\nuse imis_beta::{api, entity::widget};\nlet x = imis_beta::graphql::WidgetGQLType::new();\n",
    );
    assert_eq!(v.len(), 3, "{v:?}");
    assert_eq!(v.iter().map(|v| v.line).collect::<Vec<_>>(), vec![1, 2, 3]);
    let ok = check_alpha(
        "use imis_beta::api::{self, WidgetSummary};\nuse imis_beta::{api::widgets_in};\nlet w = imis_beta::api::widget(conn, 1);\n// imis_beta::service is mentioned in a comment, as is beta_widget\nlet own = \"SELECT * FROM alpha_thing\";\n",
    );
    assert!(ok.is_empty(), "{ok:?}");
}

#[test]
fn control_migrations_are_exempt_and_tables_are_found() {
    assert!(is_migration("migration.rs"));
    assert!(is_migration("migration/m1.rs"));
    assert!(!is_migration("service/mod.rs"));
    let t = declared_tables(
        "#[sea_orm(table_name = \"beta_widget\")]\nCREATE TABLE IF NOT EXISTS beta_part (id {id});\ncreate table beta_other (x INT)",
    );
    assert_eq!(
        t.into_iter().collect::<Vec<_>>(),
        vec!["beta_other", "beta_part", "beta_widget"]
    );
}

fn synthetic_core(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(p, s)| (p.to_string(), s.to_string()))
        .collect()
}

#[test]
fn control_a_kernel_importing_a_register_fails() {
    let core = synthetic_core(&[
        (
            "lib.rs",
            "pub mod history; pub mod users; pub mod graphql; pub mod entity;\nuse crate::users::service;",
        ),
        (
            "history.rs",
            "use crate::error::AppResult;\nfn f() { crate::users::service::load(); }\n",
        ),
        ("error.rs", "pub type AppResult<T> = Result<T, ()>;"),
        ("users/mod.rs", "pub mod service;"),
        ("users/service.rs", "use crate::history;"),
        (
            "graphql/mod.rs",
            "pub mod connection; pub mod roots;\nuse roots::CoreQuery;",
        ),
        (
            "graphql/connection.rs",
            "use super::{roots::CoreQuery, GqlResult};",
        ),
        ("graphql/roots.rs", "use crate::graphql::connection;"),
        ("entity/mod.rs", "pub mod user; pub mod mutation_log;"),
        ("entity/user.rs", ""),
        ("entity/mutation_log.rs", "use super::user;"),
    ]);
    let v = kernel_violations(&core);
    let found: Vec<(String, usize)> = v.iter().map(|v| (v.file.clone(), v.line)).collect();
    assert_eq!(
        found,
        vec![
            ("core/src/entity/mutation_log.rs".to_string(), 1),
            ("core/src/graphql/connection.rs".to_string(), 1),
            ("core/src/graphql/mod.rs".to_string(), 2),
            ("core/src/history.rs".to_string(), 2),
        ],
        "{v:?}"
    );
    // Registers may use the kernel; the crate root wires both.
    let clean = synthetic_core(&[
        (
            "lib.rs",
            "pub mod users; pub mod history;\nuse crate::users::x;",
        ),
        ("history.rs", "use crate::error::AppResult;"),
        ("error.rs", ""),
        ("users/mod.rs", "use crate::history;"),
    ]);
    assert!(kernel_violations(&clean).is_empty());
}

#[test]
fn control_a_kernel_cycle_fails() {
    let core = synthetic_core(&[
        ("lib.rs", ""),
        ("a.rs", "use crate::b::B;"),
        ("b.rs", "use crate::c::{C, D};"),
        ("c.rs", "pub fn f() { crate::a::g() }"),
        ("d.rs", "use crate::a;"),
        ("e/mod.rs", "mod child; pub use child::X;"),
        ("e/child.rs", "use super::Y;"),
    ]);
    let cycles = kernel_cycles(&core);
    assert_eq!(
        cycles,
        vec![vec!["a.rs".to_string(), "b.rs".into(), "c.rs".into()]],
        "the facade e/mod.rs re-exporting its child is not a cycle"
    );
}
