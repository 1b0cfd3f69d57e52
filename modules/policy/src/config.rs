//! The `[module.policy]` configuration section.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// D15: 1 = contributions activate, 2 = matched payments activate, 3 = contributions make the
    /// policy Ready and matched payments activate it.
    pub activation_option: u8,
    /// Renewal reminders are prompted for policies expiring within this many days (0 = any).
    pub renewal_interval_days: u32,
    /// A renewal asks for a new photo of adults whose photo is older than this (months).
    pub renewal_photo_age_adult: u32,
    /// ... and of children whose photo is older than this (months).
    pub renewal_photo_age_child: u32,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            activation_option: 1,
            renewal_interval_days: 14,
            renewal_photo_age_adult: 60,
            renewal_photo_age_child: 12,
        }
    }
}

impl PolicyConfig {
    /// Reads the section from the application configuration (validated at start-up).
    pub fn from_config(config: &imis_core::config::Config) -> PolicyConfig {
        config
            .module
            .get(crate::NAME)
            .and_then(|v| serde_json::to_value(v).ok())
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }
}

/// The descriptor's configuration check.
pub fn check(fig: &figment::Figment) -> Vec<String> {
    let cfg: PolicyConfig = match fig.extract_inner("module.policy") {
        Ok(c) => c,
        Err(e) if e.missing() => PolicyConfig::default(),
        Err(e) => return e.into_iter().map(|e| e.to_string()).collect(),
    };
    let mut errors = vec![];
    if !(1..=3).contains(&cfg.activation_option) {
        errors.push(format!(
            "module.policy.activation_option: must be 1, 2 or 3 (got {})",
            cfg.activation_option
        ));
    }
    if cfg.renewal_interval_days > 3660 {
        errors.push(format!(
            "module.policy.renewal_interval_days: at most 3660 (got {})",
            cfg.renewal_interval_days
        ));
    }
    for (key, months) in [
        ("renewal_photo_age_adult", cfg.renewal_photo_age_adult),
        ("renewal_photo_age_child", cfg.renewal_photo_age_child),
    ] {
        if months > 1200 {
            errors.push(format!(
                "module.policy.{key}: at most 1200 months (got {months})"
            ));
        }
    }
    errors
}
