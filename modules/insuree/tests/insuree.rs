//! The insuree module: families and insurees, their refusals, numbers (D18), search ignoring
//! accents (D19), scope (D9), events, photos and history.

// The composed GraphQL schema of the harness is deeper than rustc's default query depth.
#![recursion_limit = "256"]

use imis_tests::{TestApp, TestDb, on_each_app, on_each_db};

mod common;
use common::village;

const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

fn create_family(village: i64, chf: &str, last: &str, extra: &str) -> String {
    format!(
        r#"mutation {{ createFamily(input: {{ locationId: {village}, familyTypeId: "H", poverty: false, headInsuree: {{ chfId: "{chf}", lastName: "{last}", otherNames: "Élodie", genderId: "F", dob: "1985-04-12", marital: "M" {extra} }} }}) {{ internalId }} }}"#
    )
}

#[tokio::test]
async fn families_and_members_through_their_life() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, &admin, "D0001").await;
        let outbox = app.outbox_count("insuree.added", None).await;

        app.ok(Some(&admin), &create_family(v1, "900000011", "Ébodé", &format!(r#", photo: {{ photo: "{PNG}" }}"#))).await;
        assert_eq!(app.outbox_count("insuree.added", None).await, outbox + 1);
        let fam = app.ok(Some(&admin), r#"{ families(headInsuree_ChfId: "900000011") { totalCount edges { node { uuid location { code parent { parent { code } } } headInsuree { uuid chfId lastName age photo { photo } } } } } }"#).await;
        assert_eq!(fam["families"]["totalCount"], 1);
        let node = &fam["families"]["edges"][0]["node"];
        let family_uuid = node["uuid"].as_str().unwrap().to_string();
        let head_uuid = node["headInsuree"]["uuid"].as_str().unwrap().to_string();
        assert_eq!(node["headInsuree"]["photo"]["photo"], PNG, "photo read back from the file store");
        assert_eq!(node["location"]["parent"]["parent"]["code"], "D0001");
        let family_id = {
            let r = app.ok(Some(&admin), &format!(r#"{{ families(uuid: "{family_uuid}") {{ edges {{ node {{ id }} }} }} }}"#)).await;
            imis_core::graphql::parse_pk(r["families"]["edges"][0]["node"]["id"].as_str().unwrap(), "FamilyGQLType").unwrap()
        };

        // A member, found ignoring case and accents.
        let member = format!(
            r#"mutation {{ createInsuree(input: {{ familyId: {family_id}, chfId: "900000022", lastName: "Ébodé", otherNames: "Noël", genderId: "M", dob: "2015-06-01", relationshipId: 4 }}) {{ internalId }} }}"#
        );
        app.ok(Some(&admin), &member).await;
        let found = app.ok(Some(&admin), r#"{ insurees(lastName_Istartswith: "EBOD", orderBy: ["-dob"]) { totalCount edges { node { chfId otherNames relationship { id } family { uuid } } } } }"#).await;
        assert_eq!(found["insurees"]["totalCount"], 2);
        assert_eq!(found["insurees"]["edges"][0]["node"]["otherNames"], "Noël");
        let members = app.ok(Some(&admin), &format!(r#"{{ familyMembers(familyUuid: "{family_uuid}") {{ edges {{ node {{ chfId head }} }} }} }}"#)).await;
        assert_eq!(members["familyMembers"]["edges"][0]["node"]["head"], true);

        // Refusals.
        assert_eq!(app.err_code(Some(&admin), &member).await, "insuree.number_taken");
        let bad_dob = member.replace("900000022", "900000033").replace("2015-06-01", "2999-01-01");
        assert_eq!(app.err_code(Some(&admin), &bad_dob).await, "insuree.dob_in_future");
        let bad_gender = member.replace("900000022", "900000044").replace(r#"genderId: "M""#, r#"genderId: "X""#);
        assert_eq!(app.err_code(Some(&admin), &bad_gender).await, "input.invalid");
        let head_uuid_clone = head_uuid.clone();
        assert_eq!(
            app.err_code(Some(&admin), &format!(r#"mutation {{ deleteInsurees(input: {{ uuids: ["{head_uuid_clone}"] }}) {{ internalId }} }}"#)).await,
            "insuree.cannot_delete_head"
        );
        assert_eq!(
            app.err_code(Some(&admin), &format!(r#"mutation {{ removeInsurees(input: {{ uuid: "{family_uuid}", uuids: ["{head_uuid}"] }}) {{ internalId }} }}"#)).await,
            "insuree.cannot_remove_head"
        );
        let deceased = format!(
            r#"mutation {{ updateInsuree(input: {{ uuid: "{head_uuid}", chfId: "900000011", lastName: "Ébodé", otherNames: "Élodie", genderId: "F", dob: "1985-04-12", status: "DE" }}) {{ internalId }} }}"#
        );
        assert_eq!(app.err_code(Some(&admin), &deceased).await, "insuree.wrong_status");

        // Update with history and a status event; then the version is listed.
        let update = deceased.replace(r#"status: "DE""#, r#"status: "IN", statusReason: "MIGR", statusDate: "2026-01-15", phone: "+237 699 00 00 00""#);
        app.ok(Some(&admin), &update).await;
        assert_eq!(app.outbox_count("insuree.status_changed", None).await, 1);
        let h = app.ok(Some(&admin), r#"{ insurees(chfId: "900000011", showHistory: true) { edges { node { status phone validityTo } } } }"#).await;
        assert_eq!(h["insurees"]["edges"].as_array().unwrap().len(), 2);
        assert_eq!(h["insurees"]["edges"][0]["node"]["status"], "IN");

        // New head, then the old head can leave; a second family receives the member.
        let m = app.ok(Some(&admin), r#"{ insurees(chfId: "900000022") { edges { node { uuid } } } }"#).await;
        let member_uuid = m["insurees"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        app.ok(Some(&admin), &format!(r#"mutation {{ setFamilyHead(input: {{ uuid: "{family_uuid}", insureeUuid: "{member_uuid}" }}) {{ internalId }} }}"#)).await;
        app.ok(Some(&admin), &create_family(v1, "900000055", "Kameni", "")).await;
        let f2 = app.ok(Some(&admin), r#"{ families(headInsuree_ChfId: "900000055") { edges { node { uuid } } } }"#).await;
        let f2 = f2["families"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        app.ok(Some(&admin), &format!(r#"mutation {{ changeInsureeFamily(input: {{ familyUuid: "{f2}", insureeUuid: "{head_uuid}", cancelPolicies: true }}) {{ internalId }} }}"#)).await;
        assert_eq!(app.outbox_count("insuree.moved", None).await, 1);
        let moved = app.ok(Some(&admin), r#"{ insurees(chfId: "900000011") { edges { node { head family { uuid } } } } }"#).await;
        assert_eq!(moved["insurees"]["edges"][0]["node"]["family"]["uuid"], f2.as_str());
        assert_eq!(moved["insurees"]["edges"][0]["node"]["head"], false);

        // Deleting a family with its members.
        app.ok(Some(&admin), &format!(r#"mutation {{ deleteFamilies(input: {{ uuids: ["{family_uuid}"], deleteMembers: true }}) {{ internalId }} }}"#)).await;
        assert_eq!(app.ok(Some(&admin), r#"{ insurees(chfId: "900000022") { totalCount } }"#).await["insurees"]["totalCount"], 0);
        assert_eq!(app.outbox_count("insuree.deleted", None).await, 1);
    })
    .await;
}

#[tokio::test]
async fn scope_and_the_facility_desk_exception() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // D0001
        let v2 = village(&app, &admin, "D0002").await;
        let v1 = village(&app, &admin, "D0001").await;
        assert_eq!(app.err_code(Some(&clerk), &create_family(v2, "900000066", "Zang", "")).await, "auth.location_denied");
        app.ok(Some(&admin), &create_family(v2, "900000066", "Zang", "")).await;
        app.ok(Some(&clerk), &create_family(v1, "900000077", "Manga", "")).await;
        assert_eq!(app.ok(Some(&clerk), r#"{ insurees(chfId: "900000066") { totalCount } }"#).await["insurees"]["totalCount"], 0);
        assert_eq!(app.ok(Some(&clerk), r#"{ insurees(chfId: "900000077") { totalCount } }"#).await["insurees"]["totalCount"], 1);
        let all = app.ok(Some(&clerk), "{ families(first: 100) { edges { node { location { parent { parent { code } } } } } } }").await;
        for e in all["families"]["edges"].as_array().unwrap() {
            assert_eq!(e["node"]["location"]["parent"]["parent"]["code"], "D0001");
        }
        // D9: an exact number look-up with ignoreLocation crosses districts for desk rights.
        let desk = app.ok(Some(&clerk), r#"{ insurees(chfId: "900000066", ignoreLocation: true) { totalCount edges { node { lastName } } } }"#).await;
        assert_eq!(desk["insurees"]["totalCount"], 1);
        assert_eq!(app.ok(Some(&clerk), r#"{ insureeNameByChfid(chfId: "900000066") }"#).await["insureeNameByChfid"], "Élodie Zang");
        // Without desk rights (101105, 111001, 111002) or 101101 it is refused.
        let mut limited = clerk.clone();
        limited.rights = [101001].into_iter().collect();
        assert_eq!(app.err_code(Some(&limited), r#"{ insurees(chfId: "900000066", ignoreLocation: true) { totalCount } }"#).await, "auth.permission_denied");
    })
    .await;
}

#[tokio::test]
async fn insurance_number_rules_and_idempotent_creates() {
    on_each_db(|db: TestDb| async move {
        let mut cfg = db.config();
        cfg.module.insert("insuree".into(), figment::value::Value::from(std::collections::BTreeMap::from([
            ("number_length".to_string(), figment::value::Value::from(9u32)),
            ("number_modulo_root".to_string(), figment::value::Value::from(7u32)),
        ])));
        let app = TestApp::with_config(cfg, true).await;
        let admin = app.principal("Admin").await;
        let check = |n: &str| format!(r#"{{ insureeNumberValidity(insureeNumber: "{n}") {{ isValid errorCode errorMessage }} }}"#);
        let good = imis_insuree::api::with_check_digit("12345678", 7);
        assert_eq!(app.ok(Some(&admin), &check(&good)).await["insureeNumberValidity"]["isValid"], true);
        assert_eq!(app.ok(Some(&admin), &check("1234")).await["insureeNumberValidity"]["errorCode"], 3);
        assert_eq!(app.ok(Some(&admin), &check("")).await["insureeNumberValidity"]["errorCode"], 2);
        let wrong = format!("12345678{}", (good.chars().last().unwrap().to_digit(10).unwrap() + 1) % 10);
        let r = app.ok(Some(&admin), &check(&wrong)).await;
        assert_eq!(r["insureeNumberValidity"]["errorCode"], 4);
        assert!(r["insureeNumberValidity"]["errorMessage"].as_str().unwrap().contains("n'est pas valide"), "French message for the French admin");
        // A demo number is taken (code 1) unless its own uuid is given.
        let demo = app.ok(Some(&admin), "{ insurees(first: 1) { edges { node { chfId uuid } } } }").await;
        let (chf, uuid) = (demo["insurees"]["edges"][0]["node"]["chfId"].as_str().unwrap().to_string(), demo["insurees"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string());
        assert_eq!(app.ok(Some(&admin), &check(&chf)).await["insureeNumberValidity"]["errorCode"], 1);
        let mine = app.ok(Some(&admin), &format!(r#"{{ insureeNumberValidity(insureeNumber: "{chf}", uuid: "{uuid}") {{ isValid }} }}"#)).await;
        assert_eq!(mine["insureeNumberValidity"]["isValid"], true);
        // An offline client retries a create with its own uuid: one family.
        let v = village(&app, &admin, "D0001").await;
        let fam_uuid = "0190e7a0-0000-7000-8000-00000000abcd";
        let q = create_family(v, &good, "Owona", "").replace("createFamily(input: {", &format!(r#"createFamily(input: {{ uuid: "{fam_uuid}", "#));
        app.ok(Some(&admin), &q).await;
        app.ok(Some(&admin), &q.replace("createFamily(input: {", r#"createFamily(input: { clientMutationId: "other", "#)).await;
        assert_eq!(app.count("insuree_family", &format!("head_insuree_id IN (SELECT id FROM insuree_insuree WHERE chf_id = '{good}')")).await, 1);
        db
    })
    .await;
}

#[tokio::test]
async fn family_updates_and_member_removal_keep_history() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let v1 = village(&app, &admin, "D0001").await;
        app.ok(Some(&admin), &create_family(v1, "900000099", "Mbida", "")).await;
        let f = app.ok(Some(&admin), r#"{ families(headInsuree_ChfId: "900000099") { edges { node { id uuid } } } }"#).await;
        let uuid = f["families"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        let fid = imis_core::graphql::parse_pk(f["families"]["edges"][0]["node"]["id"].as_str().unwrap(), "FamilyGQLType").unwrap();
        // Complete update: address and poverty change, the confirmation type needs its number.
        let update = |extra: &str| format!(r#"mutation {{ updateFamily(input: {{ uuid: "{uuid}", locationId: {v1}, poverty: true, familyTypeId: "H", address: "Quartier Akwa, rue 12" {extra} }}) {{ internalId }} }}"#);
        assert_eq!(app.err_code(Some(&admin), &update(r#", confirmationTypeId: "A""#)).await, "insuree.confirmation_no_required");
        app.ok(Some(&admin), &update(r#", confirmationTypeId: "A", confirmationNo: "CNF-001""#)).await;
        let h = app.ok(Some(&admin), &format!(r#"{{ families(uuid: "{uuid}", showHistory: true) {{ edges {{ node {{ address poverty confirmationType {{ code isConfirmationNumberRequired }} validityTo }} }} }} }}"#)).await;
        let edges = h["families"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0]["node"]["address"], "Quartier Akwa, rue 12");
        assert_eq!(edges[0]["node"]["confirmationType"]["code"], "A");
        assert!(edges[1]["node"]["address"].is_null() && edges[1]["node"]["validityTo"].is_string());

        // A member leaves the family; the removal is an event with cancelPolicies.
        app.ok(Some(&admin), &format!(r#"mutation {{ createInsuree(input: {{ familyId: {fid}, chfId: "900000100", lastName: "Mbida", otherNames: "Rosine", genderId: "F", dob: "2010-02-03" }}) {{ internalId }} }}"#)).await;
        let m = app.ok(Some(&admin), r#"{ insurees(chfId: "900000100") { edges { node { uuid } } } }"#).await;
        let member = m["insurees"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        app.ok(Some(&admin), &format!(r#"mutation {{ removeInsurees(input: {{ uuid: "{uuid}", uuids: ["{member}"], cancelPolicies: true }}) {{ internalId }} }}"#)).await;
        assert_eq!(app.outbox_count("insuree.removed", None).await, 1);
        let left = app.ok(Some(&admin), r#"{ insurees(chfId: "900000100") { edges { node { family { uuid } } } } }"#).await;
        assert!(left["insurees"]["edges"][0]["node"]["family"].is_null());
        assert_eq!(app.ok(Some(&admin), &format!(r#"{{ familyMembers(familyUuid: "{uuid}") {{ totalCount }} }}"#)).await["familyMembers"]["totalCount"], 1);
    })
    .await;
}

/// The module's descriptor: its scale seeder adds families with members (and reports them), and
/// its benchmark requests run without errors against the generated data.
#[tokio::test]
async fn the_scale_seeder_and_the_benchmark_requests() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let module = imis_core::registry::linked_modules()
            .find(|m| m.name == "insuree")
            .expect("the insuree module is linked");
        let before = app.count("insuree_family", "validity_to IS NULL").await;
        let seed = module.scale_seed.expect("a scale seeder");
        let lines = seed(
            app.state.clone(),
            imis_core::registry::ScaleArgs {
                families: 3,
                seed: 11,
            },
        )
        .await
        .expect("scale data");
        assert_eq!(lines[0], "3 families");
        assert!(lines[1].ends_with(" insurees"), "{lines:?}");
        let members: i64 = lines[1].trim_end_matches(" insurees").parse().unwrap();
        assert!((3..=24).contains(&members), "{members}");
        assert_eq!(
            app.count("insuree_family", "validity_to IS NULL").await,
            before + 3
        );
        // Nothing asked, nothing written.
        let none = seed(
            app.state.clone(),
            imis_core::registry::ScaleArgs {
                families: 0,
                seed: 11,
            },
        )
        .await
        .expect("no scale data");
        assert!(none.is_empty());
        let schema = app.schema.clone();
        let execute: imis_core::registry::Execute = std::sync::Arc::new(move |r| {
            let schema = schema.clone();
            Box::pin(async move { schema.execute(r).await })
        });
        let bench = module.bench.as_ref().expect("benchmark steps");
        let requests =
            (bench.requests.expect("timed requests"))(imis_core::registry::BenchContext {
                state: app.state.clone(),
                execute,
                admin: admin.clone(),
            })
            .await
            .expect("requests");
        assert_eq!(requests.len(), 4, "the number look-up included");
        for r in requests {
            assert!(r.as_admin);
            let answer = app.exec(Some(&admin), &r.query).await;
            assert!(answer.errors.is_empty(), "{}: {:?}", r.label, answer.errors);
        }
    })
    .await;
}
