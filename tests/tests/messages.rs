//! The message catalogue (D6) is complete: every error code the source can return — a string
//! literal given to an `AppError` constructor (`validation`, `conflict`, `domain`,
//! `forbidden_code`, `new(kind, …)`, the fixed codes `error.rs` builds with `Self::new`) or to a
//! mutation warning (`.warn(…)`) in `core/src`, `gateway/src` or `modules/*/src` — has an English
//! and a French text in the catalogue of the linked modules (the core's `CORE_MESSAGES` plus each
//! descriptor's `messages`). Codes built at run time from variables are not seen; write codes as
//! literals. A positive control proves the scan finds a code without text.

use imis_tests::source::{line_of, relative, rust_files, strip_comments, workspace};
use std::collections::BTreeMap;
use std::path::Path;

/// Calls whose first argument is the code.
const CODE_FIRST: &[&str] = &[
    "AppError::validation(",
    "AppError::conflict(",
    "AppError::domain(",
    "AppError::forbidden_code(",
    ".warn(",
];
/// Calls whose second argument is the code (the first is the error kind).
const CODE_SECOND: &[&str] = &["AppError::new(", "Self::new("];

/// `(code, file:line)` of every literal code in a source file.
fn codes_in(file: &str, src: &str) -> Vec<(String, String)> {
    let text = strip_comments(src);
    let mut out = vec![];
    let mut literal_at = |start: usize| {
        let rest = text[start..].trim_start();
        if let Some(body) = rest.strip_prefix('"')
            && let Some(end) = body.find('"')
        {
            let code = &body[..end];
            let at = text.len() - rest.len();
            out.push((code.to_string(), format!("{file}:{}", line_of(&text, at))));
        }
    };
    for call in CODE_FIRST {
        for (at, _) in text.match_indices(call) {
            literal_at(at + call.len());
        }
    }
    for call in CODE_SECOND {
        for (at, _) in text.match_indices(call) {
            // Skip the kind: up to the first comma outside parentheses.
            let args = &text[at + call.len()..];
            let mut depth = 0;
            for (i, c) in args.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' if depth == 0 => break,
                    ')' => depth -= 1,
                    ',' if depth == 0 => {
                        literal_at(at + call.len() + i + 1);
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// Every literal code of the workspace's sources, with where it appears.
fn source_codes(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut dirs = vec![root.join("core/src"), root.join("gateway/src")];
    if let Ok(entries) = std::fs::read_dir(root.join("modules")) {
        let mut modules: Vec<_> = entries.flatten().map(|e| e.path().join("src")).collect();
        modules.sort();
        dirs.extend(modules);
    }
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for dir in dirs {
        for f in rust_files(&dir) {
            let src = std::fs::read_to_string(&f).unwrap_or_default();
            for (code, at) in codes_in(&relative(&f, root), &src) {
                out.entry(code).or_default().push(at);
            }
        }
    }
    out
}

/// The catalogue: code → (English, French), from the core and every module of the gateway.
fn catalogue() -> BTreeMap<&'static str, (&'static str, &'static str)> {
    // Using the gateway's composition links every module crate, so their descriptors count.
    assert!(!imis_gateway::root_field_owners().is_empty());
    let mut out = BTreeMap::new();
    for (code, en, fr) in imis_core::i18n::CORE_MESSAGES {
        out.insert(*code, (*en, *fr));
    }
    for module in imis_core::registry::linked_modules() {
        for (code, en, fr) in module.messages {
            out.insert(*code, (*en, *fr));
        }
    }
    out
}

/// The codes of `codes` lacking an English or a French text, with where they appear.
fn missing(
    codes: &BTreeMap<String, Vec<String>>,
    catalogue: &BTreeMap<&str, (&str, &str)>,
) -> Vec<String> {
    codes
        .iter()
        .filter_map(|(code, at)| {
            let problem = match catalogue.get(code.as_str()) {
                None => "no text",
                Some((en, _)) if en.trim().is_empty() => "no English text",
                Some((_, fr)) if fr.trim().is_empty() => "no French text",
                Some(_) => return None,
            };
            Some(format!("{code}: {problem} (returned at {})", at.join(", ")))
        })
        .collect()
}

#[test]
fn every_returned_code_has_english_and_french_texts() {
    let codes = source_codes(&workspace());
    assert!(
        codes.len() > 100,
        "the scan found only {} codes: is it broken?",
        codes.len()
    );
    for known in ["input.invalid_id", "auth.permission_denied", "not_found"] {
        assert!(codes.contains_key(known), "{known} not found by the scan");
    }
    let missing = missing(&codes, &catalogue());
    assert!(
        missing.is_empty(),
        "{} codes without texts:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn every_catalogue_entry_has_both_texts_with_the_same_parameters() {
    let params = |t: &str| -> Vec<String> {
        let mut out: Vec<String> = t
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        out.sort();
        out
    };
    let mut problems = vec![];
    for (code, (en, fr)) in catalogue() {
        if en.trim().is_empty() || fr.trim().is_empty() {
            problems.push(format!("{code}: a text is empty"));
        } else if params(en) != params(fr) {
            problems.push(format!(
                "{code}: parameters differ: {:?} / {:?}",
                params(en),
                params(fr)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn control_a_code_without_text_fails() {
    let src = r#"
        // AppError::validation("in.a_comment") is not code.
        fn f() -> AppResult<()> {
            if x { return Err(AppError::validation("demo.known").with("a", 1)); }
            m.warn("demo.warned");
            let e = AppError::new(
                ErrorKind::Forbidden,
                "demo.unknown",
            );
            Err(AppError::conflict(  "demo.half"  ))
        }
    "#;
    let found = codes_in("x.rs", src);
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        vec!["demo.known", "demo.half", "demo.warned", "demo.unknown"]
    );
    assert_eq!(found[3].1, "x.rs:8");
    let mut by_code = BTreeMap::new();
    for (code, at) in found {
        by_code.entry(code).or_insert_with(Vec::new).push(at);
    }
    let catalogue: BTreeMap<&str, (&str, &str)> = [
        ("demo.known", ("Known.", "Connu.")),
        ("demo.warned", ("Warned.", "Averti.")),
        ("demo.half", ("Half.", "")),
    ]
    .into_iter()
    .collect();
    let missing = missing(&by_code, &catalogue);
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(missing[0].starts_with("demo.half: no French text"));
    assert!(missing[1].starts_with("demo.unknown: no text (returned at x.rs:8)"));
}
