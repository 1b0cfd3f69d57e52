//! The configuration's parts that depend on the linked modules: which modules are enabled by
//! default, each module's own `[module.<name>]` check, and the test configuration. Kept apart
//! from `config`, which the registry's types (the application state) build on.

use crate::config::{Config, ConfigErrors, ConfigSources, ModulesConfig};
use crate::registry::{CORE, linked_modules};
use std::path::Path;

impl Default for ModulesConfig {
    /// Without configuration every module compiled into the binary is enabled, except those
    /// that ask to be named (country modules).
    fn default() -> Self {
        let mut enabled: Vec<String> = linked_modules()
            .filter(|m| m.enabled_by_default && m.name != CORE)
            .map(|m| m.name.to_string())
            .collect();
        enabled.sort();
        Self { enabled }
    }
}

impl Config {
    /// Reads and validates the configuration, collecting every error.
    pub fn load(sources: &ConfigSources) -> Result<Config, ConfigErrors> {
        let fig = sources.figment();
        if let Some(file) = &sources.file
            && !file.exists()
        {
            return Err(ConfigErrors(vec![format!(
                "configuration file {} does not exist",
                file.display()
            )]));
        }
        let config: Config = match fig.extract() {
            Ok(c) => c,
            Err(e) => return Err(ConfigErrors(e.into_iter().map(|e| e.to_string()).collect())),
        };
        let mut errors = config.validate();
        // Each enabled module checks its own section.
        for module in linked_modules() {
            if let Some(check) = module.config_check
                && config.modules.enabled.iter().any(|m| m == module.name)
            {
                errors.extend(
                    check(&fig)
                        .into_iter()
                        .map(|e| format!("module.{}: {e}", module.name)),
                );
            }
        }
        for name in config.module.keys() {
            if !linked_modules().any(|m| m.name == name) {
                errors.push(format!(
                    "module.{name}: no module named `{name}` is compiled into this binary"
                ));
            }
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// Semantic checks that serde cannot express, including that every enabled module is linked.
    pub fn validate(&self) -> Vec<String> {
        let mut errors = self.validate_values();
        let compiled: Vec<&str> = linked_modules().map(|m| m.name).collect();
        for name in &self.modules.enabled {
            if !compiled.contains(&name.as_str()) {
                errors.push(format!(
                    "modules.enabled: `{name}` is not compiled into this binary (compiled: {})",
                    compiled.join(", ")
                ));
            }
        }
        errors
    }

    /// A configuration for tests: the given database, every linked module enabled, no environment.
    pub fn for_tests(database_url: &str, files_root: &Path) -> Config {
        let mut c = Config::default();
        c.environment = "test".into();
        c.database.url = database_url.into();
        c.files.root = files_root.display().to_string();
        c.jobs.enabled = false;
        c.auth.jwt_secret = "test-secret-test-secret-test-secret".into();
        // Cheap hashes keep tests fast; production keeps the defaults.
        c.auth.argon2_memory_kib = 64;
        c.auth.argon2_iterations = 1;
        c.modules.enabled = linked_modules().map(|m| m.name.to_string()).collect();
        c
    }
}
