//! Configuration errors name the key and the file, and are all reported at once.

use imis_core::config::{Config, ConfigSources};
use std::path::PathBuf;

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn sources(dir: &std::path::Path, file: Option<PathBuf>) -> ConfigSources {
    ConfigSources {
        config_dir: Some(dir.to_path_buf()),
        file,
        environment: false,
        overrides: vec![],
    }
}

#[test]
fn defaults_load_and_files_override_them() {
    let dir = std::env::temp_dir().join(format!("imis-cfg-{}", uuid::Uuid::new_v4()));
    write(
        &dir,
        "default.toml",
        "timezone = \"Africa/Douala\"\n[database]\nmax_connections = 3\n",
    );
    let country = write(&dir, "cm.toml", "default_language = \"fr\"\n");
    let c = Config::load(&sources(&dir, Some(country))).unwrap();
    assert_eq!(c.timezone, "Africa/Douala");
    assert_eq!(c.database.max_connections, 3);
    assert_eq!(c.default_language, "fr");
    assert_eq!(c.graphql.max_page_size, 100);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unknown_keys_and_bad_values_name_the_key_and_file() {
    let dir = std::env::temp_dir().join(format!("imis-cfg-{}", uuid::Uuid::new_v4()));
    let bad = write(&dir, "zz.toml", "[databse]\nurl = \"x\"\n");
    let err = Config::load(&sources(&dir, Some(bad)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("databse") && err.contains("zz.toml"), "{err}");

    let bad = write(&dir, "yy.toml", "[database]\nmax_connections = \"many\"\n");
    let err = Config::load(&sources(&dir, Some(bad)))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("max_connections") && err.contains("yy.toml"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn semantic_errors_are_reported_together() {
    let dir = std::env::temp_dir().join(format!("imis-cfg-{}", uuid::Uuid::new_v4()));
    let bad = write(
        &dir,
        "many.toml",
        "environment = \"staging\"\ntimezone = \"Mars/Olympus\"\n[server]\nlisten = \"nowhere\"\n[modules]\nenabled = [\"no_such_module\"]\n",
    );
    let errs = Config::load(&sources(&dir, Some(bad))).unwrap_err().0;
    let all = errs.join("\n");
    for key in [
        "environment",
        "timezone",
        "server.listen",
        "modules.enabled",
    ] {
        assert!(all.contains(key), "{key} missing from {all}");
    }
    assert!(errs.len() >= 4);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_missing_config_file_is_an_error() {
    let dir = std::env::temp_dir().join(format!("imis-cfg-{}", uuid::Uuid::new_v4()));
    let err = Config::load(&sources(&dir, Some(dir.join("nope.toml"))))
        .unwrap_err()
        .to_string();
    assert!(err.contains("nope.toml"), "{err}");
}

#[test]
fn cli_overrides_win() {
    let dir = std::env::temp_dir().join(format!("imis-cfg-{}", uuid::Uuid::new_v4()));
    let mut s = sources(&dir, None);
    s.overrides
        .push(("database.url".into(), "postgres://x@y/z".into()));
    assert_eq!(Config::load(&s).unwrap().database.url, "postgres://x@y/z");
}

/// The shipped `config/` folder; every module of the gateway is linked (their descriptors
/// validate the profiles).
fn shipped_config_dir() -> PathBuf {
    assert!(!imis_gateway::root_field_owners().is_empty());
    imis_tests::source::workspace().join("config")
}

#[test]
fn the_default_profile_leaves_the_country_module_off() {
    let c = Config::load(&sources(&shipped_config_dir(), None)).unwrap();
    assert!(
        !c.modules.enabled.iter().any(|m| m == "cm_hiv"),
        "{:?}",
        c.modules.enabled
    );
    imis_core::registry::enabled_modules(&c.modules.enabled).unwrap();
}

#[test]
fn the_cameroon_hiv_profile_enables_the_country_module() {
    let dir = shipped_config_dir();
    let c = Config::load(&sources(&dir, Some(dir.join("cameroon-hiv.toml")))).unwrap();
    assert!(c.modules.enabled.iter().any(|m| m == "cm_hiv"));
    assert_eq!(c.timezone, "Africa/Douala");
    assert_eq!(c.default_language, "fr");
    // Its dependencies are enabled too, and it comes after them.
    let order: Vec<&str> = imis_core::registry::enabled_modules(&c.modules.enabled)
        .unwrap()
        .iter()
        .map(|m| m.name)
        .collect();
    let pos = |n: &str| order.iter().position(|m| *m == n).unwrap();
    assert!(pos("insuree") < pos("cm_hiv"), "{order:?}");
}

#[test]
fn the_country_module_refuses_unknown_settings() {
    shipped_config_dir();
    let dir = std::env::temp_dir().join(format!("imis-cfg-{}", uuid::Uuid::new_v4()));
    let bad = write(
        &dir,
        "cm.toml",
        "[modules]\nenabled = [\"insuree\", \"cm_hiv\"]\n[module.cm_hiv]\nart_format = \"x\"\n",
    );
    let err = Config::load(&sources(&dir, Some(bad)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("art_format"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
