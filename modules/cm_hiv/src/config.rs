//! The `[module.cm_hiv]` configuration section. The module has no settings yet: the ART number
//! format is the programme's national rule, not a deployment choice. Any key in the section is
//! refused at start-up, so a misspelt setting cannot pass unnoticed.

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CmHivConfig {}

/// The descriptor's configuration check: one message per problem.
pub(crate) fn check(fig: &figment::Figment) -> Vec<String> {
    match fig.extract_inner::<CmHivConfig>("module.cm_hiv") {
        Ok(_) => vec![],
        Err(e) if e.missing() => vec![],
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}
