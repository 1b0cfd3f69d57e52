//! The `[module.insuree]` configuration section.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InsureeConfig {
    /// Exact length of an insurance number; none = any length (D18).
    pub number_length: Option<usize>,
    /// Modulo check root: 10 = the Luhn variant, other values = `number[..-1] mod root == last digit`.
    pub number_modulo_root: Option<u32>,
    /// Name of a registered country validator that replaces the length and modulo checks.
    pub number_validator: Option<String>,
    /// Largest accepted photo, in bytes.
    pub photo_max_bytes: usize,
    /// A photo is required on create.
    pub photo_required: bool,
    /// The first service point (health facility) is required.
    pub fsp_mandatory: bool,
}

impl Default for InsureeConfig {
    fn default() -> Self {
        Self {
            number_length: None,
            number_modulo_root: None,
            number_validator: None,
            photo_max_bytes: 1024 * 1024,
            photo_required: false,
            fsp_mandatory: false,
        }
    }
}

impl InsureeConfig {
    /// Reads the section from the application configuration (validated at start-up).
    pub fn from_config(config: &imis_core::config::Config) -> InsureeConfig {
        config
            .module
            .get(crate::NAME)
            .and_then(|v| serde_json::to_value(v).ok())
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }
}

/// The descriptor's configuration check: bad keys and unknown validators fail at start-up.
pub fn check(fig: &figment::Figment) -> Vec<String> {
    let cfg: InsureeConfig = match fig.extract_inner("module.insuree") {
        Ok(c) => c,
        Err(e) if e.missing() => InsureeConfig::default(),
        Err(e) => return e.into_iter().map(|e| e.to_string()).collect(),
    };
    let mut errors = vec![];
    if let Some(name) = &cfg.number_validator
        && crate::number::find_validator(name).is_none()
    {
        let known: Vec<&str> = crate::number::validators().map(|v| v.name).collect();
        errors.push(format!(
            "number_validator: no validator named `{name}` (known: {})",
            known.join(", ")
        ));
    }
    if cfg.number_length == Some(0) {
        errors.push("number_length: must be at least 1".into());
    }
    if cfg.number_modulo_root.is_some_and(|r| r < 2) {
        errors.push("number_modulo_root: must be at least 2".into());
    }
    errors
}
