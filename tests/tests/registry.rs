//! Registry composition: enabled, disabled, missing dependency, duplicate name, cycles; root
//! fields never collide; a disabled module disappears from the API and its tables are untouched.

use imis_core::registry::{ModuleDescriptor, resolve};
use imis_tests::{TestApp, TestDb, on_each_db, test_owners};

static CORE: ModuleDescriptor = ModuleDescriptor::named("core");
/// A descriptor named `name` depending on `depends_on`, contributing nothing else.
const fn depending(name: &'static str, depends_on: &'static [&'static str]) -> ModuleDescriptor {
    ModuleDescriptor {
        depends_on,
        ..ModuleDescriptor::named(name)
    }
}

static A: ModuleDescriptor = depending("insuree", &[]);
static B: ModuleDescriptor = depending("policy", &["insuree", "product"]);
static C: ModuleDescriptor = depending("product", &[]);
static A2: ModuleDescriptor = ModuleDescriptor::named("insuree");
static X: ModuleDescriptor = depending("x", &["y"]);
static Y: ModuleDescriptor = depending("y", &["x"]);
static R1: ModuleDescriptor = ModuleDescriptor {
    rights: imis_core::rights! { 1 => "a", "a"; },
    ..ModuleDescriptor::named("r1")
};
static R2: ModuleDescriptor = ModuleDescriptor {
    rights: imis_core::rights! { 1 => "b", "b"; },
    ..ModuleDescriptor::named("r2")
};

fn names(v: &[&ModuleDescriptor]) -> Vec<&'static str> {
    v.iter().map(|d| d.name).collect()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn enabled_modules_come_after_their_dependencies() {
    let order = resolve(&[&B, &C, &A, &CORE], &s(&["policy", "product", "insuree"])).unwrap();
    assert_eq!(names(&order), ["core", "insuree", "product", "policy"]);
}

#[test]
fn a_compiled_module_not_enabled_is_left_out() {
    let order = resolve(&[&B, &C, &A, &CORE], &s(&["insuree"])).unwrap();
    assert_eq!(names(&order), ["core", "insuree"]);
}

#[test]
fn missing_dependencies_are_named() {
    let errs = resolve(&[&B, &A, &CORE], &s(&["policy", "insuree"])).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("`policy` depends on `product`") && e.contains("not compiled")),
        "{errs:?}"
    );
    let errs = resolve(&[&B, &C, &A, &CORE], &s(&["policy", "insuree"])).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("`policy` depends on `product`") && e.contains("not enabled")),
        "{errs:?}"
    );
    let errs = resolve(&[&A, &CORE], &s(&["claim"])).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("`claim`")), "{errs:?}");
}

#[test]
fn duplicate_names_cycles_and_shared_rights_are_refused() {
    let errs = resolve(&[&A, &A2, &CORE], &s(&["insuree"])).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("two modules are named `insuree`")),
        "{errs:?}"
    );
    let errs = resolve(&[&X, &Y, &CORE], &s(&["x", "y"])).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("cycle")), "{errs:?}");
    let errs = resolve(&[&R1, &R2, &CORE], &s(&[])).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("right 1")), "{errs:?}");
}

#[test]
fn root_fields_of_different_modules_never_collide() {
    let owners = test_owners();
    assert!(
        owners
            .iter()
            .any(|(m, _, f)| *m == "testmod" && f == "testWidgets")
    );
    assert!(
        owners
            .iter()
            .any(|(m, _, f)| *m == "core" && f == "tokenAuth")
    );
    let collisions = imis_gateway::schema::root_field_collisions(&owners);
    assert!(collisions.is_empty(), "{collisions:?}");
    // The binary's own composition as well.
    assert!(
        imis_gateway::schema::root_field_collisions(&imis_gateway::schema::root_field_owners())
            .is_empty()
    );
}

#[tokio::test]
async fn the_test_module_registers_and_disappears_when_disabled() {
    on_each_db(|db: TestDb| async move {
        // Enabled: fields, rights and migrations are there.
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let sdl = app.schema.sdl();
        assert!(sdl.contains("testWidgets"));
        assert_eq!(app.ok(Some(&admin), "{ testWidgets }").await["testWidgets"], serde_json::json!([]));
        let perms = app.ok(Some(&admin), "{ modulesPermissions { modulePermsList { moduleName permissions { permsValue } } } }").await;
        assert!(perms.to_string().contains("990001"));
        assert_eq!(app.count("imis_migrations_testmod", "").await, 1);

        // Disabled: hidden from introspection and refused, its tables left untouched.
        let mut cfg = db.config();
        cfg.modules.enabled = vec![];
        let off = TestApp::with_config(cfg, false).await;
        let intro = off.ok(Some(&admin), "{ __schema { queryType { fields { name } } } }").await;
        assert!(!intro.to_string().contains("testWidgets"), "hidden from introspection");
        assert!(intro.to_string().contains("languages"));
        assert_eq!(off.err_code(Some(&admin), "{ testWidgets }").await, "module.disabled");
        let sdl = imis_gateway::schema::sdl_with::<imis_tests::TestQuery, imis_tests::TestMutation>(&off.state.enabled, &test_owners());
        assert!(!sdl.contains("testWidgets") && sdl.contains("tokenAuth"));
        assert_eq!(off.count("testmod_widget", "").await, 0, "tables kept");
        db
    })
    .await;
}
