//! What the business modules tell openIMIS's web front end (issue 12, point 11): the
//! `fe-insuree` settings taken from `[module.insuree]`, and the openIMIS names of the modules'
//! rights, which fe-admin's role screen translates as `<module>.<name>`.

use figment::value::Value as FigmentValue;
use imis_core::config::Config;
use imis_tests::{TestApp, TestDb, on_each_app, on_each_db};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

/// The settings of each front-end module, as the front end boots with them (anonymously).
async fn configurations(app: &TestApp) -> BTreeMap<String, Value> {
    let r = app
        .exec(None, "{ moduleConfigurations { module config } }")
        .await;
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let v = r.data.into_json().unwrap();
    v["moduleConfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["module"].as_str().unwrap().to_string(),
                serde_json::from_str(c["config"].as_str().unwrap()).unwrap(),
            )
        })
        .collect()
}

fn with_insuree_section(db: &TestDb, section: &[(&str, FigmentValue)]) -> Config {
    let mut config = db.config();
    config.module.insert(
        "insuree".into(),
        FigmentValue::from(
            section
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        ),
    );
    config
}

#[tokio::test]
async fn fe_insuree_reads_the_insuree_modules_form_rules() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::with_config(db.config(), false).await;
        let insuree = &configurations(&app).await["fe-insuree"];
        assert_eq!(
            insuree,
            &json!({
                "insureeForm.isInsureePhotoRequired": false,
                "insureeForm.isPhotoRequired": false,
                "insureeForm.isInsureeFirstServicePointRequired": false,
            }),
            "no number length configured: the front end keeps its own maximum"
        );

        let config = with_insuree_section(
            &db,
            &[
                ("number_length", 9u32.into()),
                ("photo_required", true.into()),
                ("fsp_mandatory", true.into()),
            ],
        );
        let app = TestApp::with_config(config, false).await;
        let all = configurations(&app).await;
        let insuree = &all["fe-insuree"];
        assert_eq!(insuree["insureeForm.chfIdMaxLength"], 9, "{insuree}");
        assert_eq!(insuree["insureeForm.isInsureePhotoRequired"], true);
        assert_eq!(insuree["insureeForm.isPhotoRequired"], true);
        assert_eq!(
            insuree["insureeForm.isInsureeFirstServicePointRequired"],
            true
        );
        // Modules without settings add no empty front-end entries.
        for module in [
            "fe-policy",
            "fe-contribution",
            "fe-payer",
            "fe-product",
            "fe-medical",
        ] {
            assert!(!all.contains_key(module), "{module}: {all:?}");
        }

        // A country validator replaces the length rule: the length says nothing then.
        let config = with_insuree_section(
            &db,
            &[
                ("number_length", 9u32.into()),
                ("number_validator", "md_idnp".into()),
            ],
        );
        let app = TestApp::with_config(config, false).await;
        let insuree = &configurations(&app).await["fe-insuree"];
        assert!(
            insuree.get("insureeForm.chfIdMaxLength").is_none(),
            "{insuree}"
        );

        // A disabled module tells the front end nothing.
        let mut config = db.config();
        config.modules.enabled = vec!["medical".into(), "product".into()];
        let app = TestApp::with_config(config, false).await;
        let all = configurations(&app).await;
        assert!(!all.contains_key("fe-insuree"), "{all:?}");
        assert!(all.contains_key("fe-core"), "{all:?}");
        db
    })
    .await;
}

/// The openIMIS names the modules give their rights, by openIMIS module: (code, key), the keys
/// the front end's translations know (fe-insuree 1.11, fe-medical 1.9, …).
const OPENIMIS_NAMES: &[(&str, &[(i64, &str)])] = &[
    (
        "insuree",
        &[
            (101001, "gql_query_families_perms"),
            (101002, "gql_mutation_create_families_perms"),
            (101003, "gql_mutation_update_families_perms"),
            (101004, "gql_mutation_delete_families_perms"),
            (101101, "gql_query_insurees_perms"),
            (101102, "gql_mutation_create_insurees_perms"),
            (101103, "gql_mutation_update_insurees_perms"),
            (101104, "gql_mutation_delete_insurees_perms"),
        ],
    ),
    (
        "medical",
        &[
            (122101, "gql_query_medical_items_perms"),
            (122102, "gql_mutation_medical_items_add_perms"),
            (122103, "gql_mutation_medical_items_update_perms"),
            (122104, "gql_mutation_medical_items_delete_perms"),
            (121401, "gql_query_medical_services_perms"),
            (121402, "gql_mutation_medical_services_add_perms"),
            (121403, "gql_mutation_medical_services_update_perms"),
            (121404, "gql_mutation_medical_services_delete_perms"),
        ],
    ),
    (
        "medical_pricelist",
        &[
            (121301, "gql_query_pricelists_medical_items_perms"),
            (121302, "gql_mutation_pricelists_medical_items_add_perms"),
            (121303, "gql_mutation_pricelists_medical_items_update_perms"),
            (121304, "gql_mutation_pricelists_medical_items_delete_perms"),
            (
                121305,
                "gql_mutation_pricelists_medical_items_duplicate_perms",
            ),
            (121201, "gql_query_pricelists_medical_services_perms"),
            (121202, "gql_mutation_pricelists_medical_services_add_perms"),
            (
                121203,
                "gql_mutation_pricelists_medical_services_update_perms",
            ),
            (
                121204,
                "gql_mutation_pricelists_medical_services_delete_perms",
            ),
            (
                121205,
                "gql_mutation_pricelists_medical_services_duplicate_perms",
            ),
        ],
    ),
    (
        "product",
        &[
            (121001, "gql_query_products_perms"),
            (121002, "gql_mutation_products_add_perms"),
            (121003, "gql_mutation_products_edit_perms"),
            (121004, "gql_mutation_products_delete_perms"),
            (121005, "gql_mutation_products_duplicate_perms"),
        ],
    ),
    (
        "policy",
        &[
            (101201, "gql_query_policies_perms"),
            (101202, "gql_mutation_create_policies_perms"),
            (101203, "gql_mutation_edit_policies_perms"),
            (101204, "gql_mutation_delete_policies_perms"),
            (101205, "gql_mutation_renew_policies_perms"),
        ],
    ),
    (
        "contribution",
        &[
            (101301, "gql_query_premiums_perms"),
            (101302, "gql_mutation_create_premiums_perms"),
            (101303, "gql_mutation_update_premiums_perms"),
            (101304, "gql_mutation_delete_premiums_perms"),
        ],
    ),
    (
        "payer",
        &[
            (121801, "gql_query_payers_perms"),
            (121802, "gql_mutation_payer_add_perms"),
            (121803, "gql_mutation_payer_update_perms"),
            (121804, "gql_mutation_payer_delete_perms"),
        ],
    ),
];

/// `modulesPermissions` as (module, permsName, permsValue) rows.
async fn permissions(app: &TestApp, language: &str) -> Vec<(String, String, i64)> {
    let mut admin = app.principal("Admin").await;
    admin.language = language.into();
    let v = app
        .ok(
            Some(&admin),
            "{ modulesPermissions { modulePermsList {
                moduleName permissions { permsName permsValue } } } }",
        )
        .await;
    v["modulesPermissions"]["modulePermsList"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            let module = m["moduleName"].as_str().unwrap().to_string();
            m["permissions"].as_array().unwrap().iter().map(move |p| {
                (
                    module.clone(),
                    p["permsName"].as_str().unwrap().to_string(),
                    p["permsValue"].as_i64().unwrap(),
                )
            })
        })
        .collect()
}

#[tokio::test]
async fn module_rights_come_under_their_openimis_names() {
    on_each_app(|app: TestApp| async move {
        let en = permissions(&app, "en").await;
        for (module, names) in OPENIMIS_NAMES {
            for (code, name) in *names {
                let rows: Vec<_> = en.iter().filter(|(_, _, c)| c == code).collect();
                assert_eq!(
                    rows,
                    [&(module.to_string(), name.to_string(), *code)],
                    "right {code}"
                );
            }
        }
        // No two rights share a name within a module (the role screen keys on it).
        let mut seen = HashSet::new();
        for (module, name, code) in &en {
            assert!(
                seen.insert((module, name)),
                "{module}.{name} twice ({code})"
            );
        }
        // A right the front end has no key for keeps imis's label, in the caller's language.
        let has = |rows: &[(String, String, i64)], module: &str, name: &str, code: i64| {
            rows.iter()
                .any(|(m, n, c)| m == module && n == name && *c == code)
        };
        assert!(has(&en, "insuree", "Insuree enquire", 101105), "{en:?}");
        assert!(has(&en, "payment", "Payment search", 101401), "{en:?}");
        assert!(has(&en, "medical", "Diagnoses upload", 131001), "{en:?}");
        assert!(
            has(&en, "cm_hiv", "HIV programme register", 190001),
            "{en:?}"
        );
        let fr = permissions(&app, "fr").await;
        assert!(
            has(&fr, "insuree", "Consultation d'assuré", 101105),
            "{fr:?}"
        );
        assert!(
            has(&fr, "insuree", "gql_query_insurees_perms", 101101),
            "{fr:?}"
        );
    })
    .await;
}
