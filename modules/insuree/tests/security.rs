//! Security of the insuree module (penetration-test findings): detached insurees are open to
//! unrestricted users only, nested fields follow the lists' location scope (D9), a create with
//! another district's uuid is a conflict (D4), a concurrent insurance number is the business
//! error, and concurrent updates keep a consistent history (D7).

// The composed GraphQL schema of the harness is deeper than rustc's default query depth.
#![recursion_limit = "256"]

use async_graphql::Request;
use imis_core::auth::Principal;
use imis_tests::{TestApp, TestDb, on_each_app, on_each_db};
use sea_orm::ConnectionTrait;

mod common;
use common::village;

/// `createFamily` with a head; `extra` goes into the family input, `head_extra` into the head.
fn create_family(village: i64, chf: &str, extra: &str, head_extra: &str) -> String {
    format!(
        r#"mutation {{ createFamily(input: {{ locationId: {village}, familyTypeId: "H", poverty: false {extra}, headInsuree: {{ chfId: "{chf}", lastName: "Tchoua", otherNames: "Chef", genderId: "F", dob: "1980-01-02", phone: "+237 600 00 00 01" {head_extra} }} }}) {{ internalId }} }}"#
    )
}

fn create_insuree(chf: &str, extra: &str) -> String {
    format!(
        r#"mutation {{ createInsuree(input: {{ chfId: "{chf}", lastName: "Tchoua", otherNames: "Membre", genderId: "M", dob: "2012-03-04" {extra} }}) {{ internalId }} }}"#
    )
}

/// (global id, pk, uuid) of the current insuree with this number, as the Admin sees it.
async fn insuree_ids(app: &TestApp, admin: &Principal, chf: &str) -> (String, i64, String) {
    let r = app
        .ok(
            Some(admin),
            &format!(r#"{{ insurees(chfId: "{chf}") {{ edges {{ node {{ id uuid }} }} }} }}"#),
        )
        .await;
    let n = &r["insurees"]["edges"][0]["node"];
    let id = n["id"].as_str().unwrap().to_string();
    let pk = imis_core::graphql::parse_pk(&id, "InsureeGQLType").unwrap();
    (id, pk, n["uuid"].as_str().unwrap().to_string())
}

/// (global id, pk, uuid) of the family whose head has this number.
async fn family_ids(app: &TestApp, admin: &Principal, head_chf: &str) -> (String, i64, String) {
    let r = app
        .ok(
            Some(admin),
            &format!(r#"{{ families(headInsuree_ChfId: "{head_chf}") {{ edges {{ node {{ id uuid }} }} }} }}"#),
        )
        .await;
    let n = &r["families"]["edges"][0]["node"];
    let id = n["id"].as_str().unwrap().to_string();
    let pk = imis_core::graphql::parse_pk(&id, "FamilyGQLType").unwrap();
    (id, pk, n["uuid"].as_str().unwrap().to_string())
}

fn node_query(id: &str) -> String {
    format!(r#"{{ node(id: "{id}") {{ id ... on InsureeGQLType {{ chfId }} }} }}"#)
}

/// Whether a mutation was refused as out of reach (scope or not found), never done.
async fn refused(app: &TestApp, who: &Principal, q: &str) {
    let code = app.err_code(Some(who), q).await;
    assert!(
        code == "auth.location_denied" || code == "not_found",
        "{} got {code} for {q}",
        who.username
    );
}

#[tokio::test]
async fn an_insuree_without_location_is_open_to_unrestricted_users_only() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001
        let eo_douala = app.principal("eo_douala").await; // villages of D0001
        let eo_edea = app.principal("eo_edea").await; // villages of D0002
        let v1 = village(&app, &admin, "D0001").await;
        let v2 = village(&app, &admin, "D0002").await;

        // Admin: a family in Douala and a member living with it (no village of their own).
        app.ok(Some(&admin), &create_family(v1, "910000001", "", "")).await;
        let (_, f1, f1_uuid) = family_ids(&app, &admin, "910000001").await;
        app.ok(Some(&admin), &create_insuree("910000002", &format!(", familyId: {f1}"))).await;
        let (gid, _, uuid) = insuree_ids(&app, &admin, "910000002").await;
        // The district's users reach the member through the family.
        assert_eq!(app.ok(Some(&clerk), &node_query(&gid)).await["node"]["chfId"], "910000002");

        // Removed from the family, the member has no location any more.
        app.ok(Some(&admin), &format!(r#"mutation {{ removeInsurees(input: {{ uuid: "{f1_uuid}", uuids: ["{uuid}"] }}) {{ internalId }} }}"#)).await;

        // Families each restricted user may move people into.
        app.ok(Some(&admin), &create_family(v1, "910000003", "", "")).await;
        let (_, _, f_douala) = family_ids(&app, &admin, "910000003").await;
        app.ok(Some(&admin), &create_family(v2, "910000004", "", "")).await;
        let (_, _, f_edea) = family_ids(&app, &admin, "910000004").await;

        let update = format!(
            r#"mutation {{ updateInsuree(input: {{ uuid: "{uuid}", chfId: "910000002", lastName: "Tchoua", otherNames: "Repris", genderId: "M", dob: "2012-03-04", currentVillageId: {{village}} }}) {{ internalId }} }}"#
        );
        let delete = format!(r#"mutation {{ deleteInsurees(input: {{ uuids: ["{uuid}"] }}) {{ internalId }} }}"#);
        let adopt = |family: &str| {
            format!(r#"mutation {{ changeInsureeFamily(input: {{ familyUuid: "{family}", insureeUuid: "{uuid}" }}) {{ internalId }} }}"#)
        };
        for (who, own_village, own_family) in [
            (&clerk, v1, &f_douala),
            (&eo_douala, v1, &f_douala),
            (&eo_edea, v2, &f_edea),
        ] {
            assert!(app.ok(Some(who), &node_query(&gid)).await["node"].is_null(), "{} reads it", who.username);
            let listed = app.ok(Some(who), r#"{ insurees(chfId: "910000002") { totalCount } }"#).await;
            assert_eq!(listed["insurees"]["totalCount"], 0);
            refused(&app, who, &update.replace("{village}", &own_village.to_string())).await;
            refused(&app, who, &delete).await;
            refused(&app, who, &adopt(own_family)).await;
            // Nor can they claim it with its uuid (D4): no internalId.
            let claim = create_insuree("910000002", &format!(r#", uuid: "{uuid}", currentVillageId: {own_village}"#));
            assert_eq!(app.err_code(Some(who), &claim).await, "conflict.uuid_exists");
        }
        assert_eq!(app.count("insuree_insuree", "chf_id = '910000002' AND validity_to IS NULL AND family_id IS NULL").await, 1);

        // The Admin still reads and changes it.
        assert_eq!(app.ok(Some(&admin), &node_query(&gid)).await["node"]["chfId"], "910000002");
        app.ok(Some(&admin), &update.replace("{village}", &v1.to_string())).await;
        // Now living in a Douala village: Douala's users reach it again, Edéa's do not.
        assert_eq!(app.ok(Some(&clerk), &node_query(&gid)).await["node"]["chfId"], "910000002");
        assert!(app.ok(Some(&eo_edea), &node_query(&gid)).await["node"].is_null());
    })
    .await;
}

#[tokio::test]
async fn an_insuree_of_a_deleted_family_is_not_located_by_it() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001
        let v1 = village(&app, &admin, "D0001").await;
        app.ok(Some(&admin), &create_family(v1, "910000101", "", "")).await;
        let (_, f1, _) = family_ids(&app, &admin, "910000101").await;
        app.ok(Some(&admin), &create_insuree("910000102", &format!(", familyId: {f1}"))).await;
        let (gid, _, uuid) = insuree_ids(&app, &admin, "910000102").await;
        assert_eq!(app.ok(Some(&clerk), &node_query(&gid)).await["node"]["chfId"], "910000102");
        // Data as an import may leave it: the family is closed, the member still points to it.
        app.state
            .db
            .conn
            .execute_unprepared(&format!(
                "UPDATE insuree_family SET validity_to = validity_from WHERE id = {f1}"
            ))
            .await
            .unwrap();
        // Like the list, node and mutations no longer locate the member through that family.
        let listed = app.ok(Some(&clerk), r#"{ insurees(chfId: "910000102") { totalCount } }"#).await;
        assert_eq!(listed["insurees"]["totalCount"], 0);
        assert!(app.ok(Some(&clerk), &node_query(&gid)).await["node"].is_null());
        refused(&app, &clerk, &format!(
            r#"mutation {{ updateInsuree(input: {{ uuid: "{uuid}", chfId: "910000102", lastName: "Tchoua", otherNames: "Repris", genderId: "M", dob: "2012-03-04" }}) {{ internalId }} }}"#
        ))
        .await;
        assert_eq!(app.ok(Some(&admin), &node_query(&gid)).await["node"]["chfId"], "910000102");
        db
    })
    .await;
}

#[tokio::test]
async fn nested_families_heads_and_members_follow_the_scope() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001
        let eo_douala = app.principal("eo_douala").await; // villages of D0001
        let v1 = village(&app, &admin, "D0001").await;
        let v2 = village(&app, &admin, "D0002").await;

        // An Edéa family whose member lives in Douala.
        app.ok(Some(&admin), &create_family(v2, "910000201", "", "")).await;
        let (_, fb, _) = family_ids(&app, &admin, "910000201").await;
        app.ok(Some(&admin), &create_insuree("910000202", &format!(", familyId: {fb}, currentVillageId: {v1}"))).await;
        // A Douala family whose head lives in Edéa, with a member living with the family.
        app.ok(Some(&admin), &create_family(v1, "910000203", "", &format!(", currentVillageId: {v2}"))).await;
        let (fa_gid, fa, fa_uuid) = family_ids(&app, &admin, "910000203").await;
        app.ok(Some(&admin), &create_insuree("910000204", &format!(", familyId: {fa}"))).await;

        let member_b = r#"{ insurees(chfId: "910000202") { totalCount edges { node { chfId family { uuid location { code } headInsuree { chfId lastName dob phone } } } } } }"#;
        let family_a = format!(r#"{{ families(uuid: "{fa_uuid}") {{ totalCount edges {{ node {{ uuid headInsuree {{ chfId phone }} }} }} }} }}"#);
        let member_a = r#"{ insurees(chfId: "910000204") { totalCount edges { node { chfId family { uuid headInsuree { chfId phone } } } } } }"#;
        let members_a = format!(r#"{{ familyMembers(familyUuid: "{fa_uuid}") {{ totalCount edges {{ node {{ chfId }} }} }} }}"#);
        let node_a = format!(r#"{{ node(id: "{fa_gid}") {{ ... on FamilyGQLType {{ uuid headInsuree {{ chfId }} }} }} }}"#);

        for who in [&clerk, &eo_douala] {
            // The Douala member is listed, their Edéa family is not shown, nor its head.
            let r = app.ok(Some(who), member_b).await;
            assert_eq!(r["insurees"]["totalCount"], 1, "{}", who.username);
            assert!(r["insurees"]["edges"][0]["node"]["family"].is_null(), "{}: {r}", who.username);
            // The Douala family is listed, its Edéa head is not.
            let r = app.ok(Some(who), &family_a).await;
            assert_eq!(r["families"]["totalCount"], 1);
            assert!(r["families"]["edges"][0]["node"]["headInsuree"].is_null(), "{}: {r}", who.username);
            let r = app.ok(Some(who), member_a).await;
            assert_eq!(r["insurees"]["edges"][0]["node"]["family"]["uuid"], fa_uuid.as_str());
            assert!(r["insurees"]["edges"][0]["node"]["family"]["headInsuree"].is_null());
            let r = app.ok(Some(who), &node_a).await;
            assert_eq!(r["node"]["uuid"], fa_uuid.as_str());
            assert!(r["node"]["headInsuree"].is_null());
            // The family's members: the head living in Edéa is left out.
            let r = app.ok(Some(who), &members_a).await;
            assert_eq!(r["familyMembers"]["totalCount"], 1);
            assert_eq!(r["familyMembers"]["edges"].as_array().unwrap().len(), 1);
            assert_eq!(r["familyMembers"]["edges"][0]["node"]["chfId"], "910000204");
        }

        // The Admin sees everything.
        let r = app.ok(Some(&admin), member_b).await;
        assert_eq!(r["insurees"]["edges"][0]["node"]["family"]["headInsuree"]["chfId"], "910000201");
        assert_eq!(r["insurees"]["edges"][0]["node"]["family"]["headInsuree"]["phone"], "+237 600 00 00 01");
        let r = app.ok(Some(&admin), &family_a).await;
        assert_eq!(r["families"]["edges"][0]["node"]["headInsuree"]["chfId"], "910000203");
        let r = app.ok(Some(&admin), member_a).await;
        assert_eq!(r["insurees"]["edges"][0]["node"]["family"]["headInsuree"]["chfId"], "910000203");
        assert_eq!(app.ok(Some(&admin), &node_a).await["node"]["headInsuree"]["chfId"], "910000203");
        assert_eq!(app.ok(Some(&admin), &members_a).await["familyMembers"]["totalCount"], 2);
    })
    .await;
}

#[tokio::test]
async fn a_create_with_another_districts_uuid_is_a_conflict() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001
        let v1 = village(&app, &admin, "D0001").await;
        let v2 = village(&app, &admin, "D0002").await;
        let fam_uuid = "0190e7a0-0000-7000-8000-0000000000f2";
        let head_uuid = "0190e7a0-0000-7000-8000-0000000000a2";
        let edea = create_family(
            v2,
            "910000301",
            &format!(r#", uuid: "{fam_uuid}""#),
            &format!(r#", uuid: "{head_uuid}""#),
        );
        app.ok(Some(&admin), &edea).await;
        // D4 for the Admin: the same content again succeeds, on the same family.
        app.ok(Some(&admin), &edea).await;
        assert_eq!(
            app.count(
                "insuree_family",
                "head_insuree_id IN (SELECT id FROM insuree_insuree WHERE chf_id = '910000301')"
            )
            .await,
            1
        );

        // The Douala clerk: the same content, another content, the head's uuid: all conflicts.
        for q in [
            edea.clone(),
            create_family(v1, "910000302", &format!(r#", uuid: "{fam_uuid}""#), ""),
            create_insuree(
                "910000301",
                &format!(r#", uuid: "{head_uuid}", currentVillageId: {v1}"#),
            )
            .replace(
                r#"otherNames: "Membre", genderId: "M", dob: "2012-03-04""#,
                r#"otherNames: "Chef", genderId: "F", dob: "1980-01-02""#,
            ),
        ] {
            let r = app.exec(Some(&clerk), &q).await;
            let codes: Vec<String> = r
                .errors
                .iter()
                .map(|e| {
                    e.extensions
                        .as_ref()
                        .and_then(|x| x.get("code"))
                        .map(|c| c.to_string())
                        .unwrap_or_default()
                })
                .collect();
            assert_eq!(codes, vec![r#""conflict.uuid_exists""#.to_string()], "{q}");
            let data = r.data.into_json().unwrap();
            assert!(
                data["createFamily"].is_null() && data["createInsuree"].is_null(),
                "{data}"
            );
        }
        assert_eq!(
            app.count(
                "insuree_family",
                "head_insuree_id IN (SELECT id FROM insuree_insuree WHERE chf_id = '910000301')"
            )
            .await,
            1
        );
        assert_eq!(
            app.count("insuree_insuree", "chf_id IN ('910000301', '910000302')")
                .await,
            1
        );

        // The clerk's own retried upload still answers its family.
        let own_uuid = "0190e7a0-0000-7000-8000-0000000000f1";
        let own = create_family(v1, "910000303", &format!(r#", uuid: "{own_uuid}""#), "");
        app.ok(Some(&clerk), &own).await;
        app.ok(Some(&clerk), &own).await;
        assert_eq!(
            app.count(
                "insuree_family",
                "head_insuree_id IN (SELECT id FROM insuree_insuree WHERE chf_id = '910000303')"
            )
            .await,
            1
        );
    })
    .await;
}

/// Runs `queries` at the same time, each on its own task, as the Admin.
async fn concurrently(
    app: &TestApp,
    who: &Principal,
    queries: Vec<String>,
) -> Vec<async_graphql::Response> {
    let tasks: Vec<_> = queries
        .into_iter()
        .map(|q| {
            let schema = app.schema.clone();
            let who = who.clone();
            tokio::spawn(async move { schema.execute(Request::new(q).data(who)).await })
        })
        .collect();
    let mut out = vec![];
    for r in futures::future::join_all(tasks).await {
        out.push(r.expect("task"));
    }
    out
}

fn error_code(r: &async_graphql::Response) -> Option<String> {
    r.errors.first().map(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .map(|v| v.to_string().trim_matches('"').to_string())
            .unwrap_or_else(|| e.message.clone())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_with_one_number_give_number_taken() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let v1 = village(&app, &admin, "D0001").await;
        for round in 0..3 {
            let chf = format!("91000040{round}");
            let queries = (0..5)
                .map(|_| create_insuree(&chf, &format!(", currentVillageId: {v1}")))
                .collect();
            let results = concurrently(&app, &admin, queries).await;
            let codes: Vec<Option<String>> = results.iter().map(error_code).collect();
            assert_eq!(
                codes.iter().filter(|c| c.is_none()).count(),
                1,
                "{:?} on {:?}",
                codes,
                db.backend
            );
            for c in codes.iter().flatten() {
                assert_eq!(c, "insuree.number_taken", "{:?} on {:?}", codes, db.backend);
            }
            assert_eq!(
                app.count(
                    "insuree_insuree",
                    &format!("chf_id = '{chf}' AND validity_to IS NULL")
                )
                .await,
                1
            );
        }
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_keep_every_version_once() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let v1 = village(&app, &admin, "D0001").await;
        app.ok(Some(&admin), &create_insuree("910000501", &format!(", currentVillageId: {v1}"))).await;
        let (_, pk, uuid) = insuree_ids(&app, &admin, "910000501").await;
        const N: usize = 30;
        let queries = (0..N)
            .map(|i| format!(
                r#"mutation {{ updateInsuree(input: {{ uuid: "{uuid}", chfId: "910000501", lastName: "Tchoua", otherNames: "Version{i}", genderId: "M", dob: "2012-03-04", currentVillageId: {v1} }}) {{ internalId }} }}"#
            ))
            .collect();
        let results = concurrently(&app, &admin, queries).await;
        let codes: Vec<Option<String>> = results.iter().map(error_code).collect();
        assert!(codes.iter().all(|c| c.is_none()), "{codes:?}");

        // N previous versions: the created one and N - 1 updates, each once, chained.
        let conn = &app.state.db.conn;
        let rows = app.history_rows("insuree", pk).await;
        assert_eq!(rows.len(), N, "history rows on {:?}", db.backend);
        type Instant = chrono::DateTime<chrono::Utc>;
        let mut names = std::collections::BTreeSet::new();
        let mut froms = std::collections::BTreeSet::new();
        let mut chain: Vec<(Instant, Instant)> = vec![];
        for r in &rows {
            let data: serde_json::Value = serde_json::from_str(&r.try_get::<String>("", "data").unwrap()).unwrap();
            names.insert(data["other_names"].as_str().unwrap().to_string());
            let from: Instant = r.try_get("", "validity_from").unwrap();
            let to: Instant = r.try_get("", "validity_to").unwrap();
            froms.insert(from);
            chain.push((from, to));
        }
        assert_eq!(names.len(), N, "distinct contents on {:?}: {names:?}", db.backend);
        assert_eq!(froms.len(), N, "distinct validity_from on {:?}", db.backend);
        for w in chain.windows(2) {
            assert_eq!(w[0].1, w[1].0, "a version ends when the next begins on {:?}", db.backend);
        }
        let current = conn
            .query_one_raw(imis_core::db::stmt(
                app.state.db.backend(),
                "SELECT other_names, validity_from FROM insuree_insuree WHERE id = ?",
                vec![pk.into()],
            ))
            .await
            .unwrap()
            .unwrap();
        let current_from: Instant = current.try_get("", "validity_from").unwrap();
        assert_eq!(chain.last().unwrap().1, current_from, "the last version ends when the current row begins");
        // Every update's content is kept: the created name, then all N names.
        names.insert(current.try_get::<String>("", "other_names").unwrap());
        assert!(names.contains("Membre"));
        assert_eq!(names.len(), N + 1, "{names:?}");
        db
    })
    .await;
}
