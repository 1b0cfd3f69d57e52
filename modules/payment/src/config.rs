//! The `[module.payment]` configuration section. The module has no settings yet: the section
//! may be absent or empty, and any key in it is refused at start-up (a misspelt setting must
//! not be silently ignored).

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PaymentConfig {}

/// The descriptor's configuration check: one message per unknown key.
pub(crate) fn check(fig: &figment::Figment) -> Vec<String> {
    match fig.extract_inner::<PaymentConfig>("module.payment") {
        Ok(_) => vec![],
        Err(e) if e.missing() => vec![],
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}
