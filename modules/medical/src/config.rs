//! The `[module.medical]` configuration section. The module has no settings yet: the section
//! may be absent or empty, and any key in it is refused at start-up (a misspelt setting must
//! not be silently ignored).

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MedicalConfig {}

/// The descriptor's configuration check: one message per unknown key.
pub(crate) fn check(fig: &figment::Figment) -> Vec<String> {
    match fig.extract_inner::<MedicalConfig>("module.medical") {
        Ok(_) => vec![],
        Err(e) if e.missing() => vec![],
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use figment::Figment;
    use figment::providers::{Format, Toml};

    #[test]
    fn the_section_takes_no_key() {
        let absent = Figment::from(Toml::string("[module.other]\nx = 1\n"));
        assert!(super::check(&absent).is_empty());
        let empty = Figment::from(Toml::string("[module.medical]\n"));
        assert!(super::check(&empty).is_empty());
        let unknown = Figment::from(Toml::string("[module.medical]\nprice_digits = 2\n"));
        let errors = super::check(&unknown);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("price_digits"), "{errors:?}");
    }
}
