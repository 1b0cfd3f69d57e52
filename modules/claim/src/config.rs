//! The `[module.claim]` configuration section. The module has no settings yet: the section may be
//! absent or empty, and any key in it is refused at start-up, so that a misspelt setting never
//! passes unnoticed.

/// The descriptor's configuration check: one message per key.
pub(crate) fn check(fig: &figment::Figment) -> Vec<String> {
    imis_core::config::check_no_settings(fig, "module.claim")
}
