//! Security defects found by trying the system as an attacker would (issue 10): user
//! administration that could grant more than the caller holds, anonymous and oversized mutation
//! logs, sessions that survived logout, a lockout beaten by concurrency, password-change and
//! replay edge cases, concurrent updates of users.

use imis_core::auth::Principal;
use imis_core::auth::request::{Credentials, authenticate};
use imis_tests::fixtures::{bearer, login, login_tokens as login_ok, role};
use imis_tests::{TestApp, on_each_app};
use serde_json::Value;

fn code_of(r: &async_graphql::Response) -> String {
    imis_tests::error_code(r).unwrap_or_else(|| panic!("expected an error, got {:?}", r.data))
}

fn pk(v: &Value, ty: &str) -> i64 {
    imis_core::graphql::parse_pk(v.as_str().unwrap(), ty).unwrap()
}

/// The demo's two districts, the IMIS Administrator role, and a user manager restricted to the
/// first district holding only the user and role rights (and family search).
struct Setup {
    d1: i64,
    d2: i64,
    admin_role: i64,
    admin_role_uuid: String,
    manager_role: i64,
    manager_role_uuid: String,
    um: Principal,
}

const MANAGER_RIGHTS: &str =
    "121701, 121702, 121703, 121704, 122001, 122002, 122003, 122004, 122005, 101001";

async fn setup(app: &TestApp) -> Setup {
    let admin = app.principal("Admin").await;
    let districts = app
        .ok(
            Some(&admin),
            r#"{ locations(type: "D", orderBy: ["code"]) { edges { node { id } } } }"#,
        )
        .await;
    let d1 = pk(
        &districts["locations"]["edges"][0]["node"]["id"],
        "LocationGQLType",
    );
    let d2 = pk(
        &districts["locations"]["edges"][1]["node"]["id"],
        "LocationGQLType",
    );
    let (admin_role, admin_role_uuid) =
        role(app, &admin, r#"isSystem: true, name: "IMIS Administrator""#).await;
    app.ok(
        Some(&admin),
        &format!(
            r#"mutation {{ createRole(input: {{ name: "User manager", isSystem: false, isBlocked: false, rightsId: [{MANAGER_RIGHTS}] }}) {{ internalId }} }}"#
        ),
    )
    .await;
    let (manager_role, manager_role_uuid) = role(app, &admin, r#"name: "User manager""#).await;
    app.ok(
        Some(&admin),
        &format!(
            r#"mutation {{ createUser(input: {{ username: "um", lastName: "Manager", otherNames: "District", language: "en", password: "manager1234", roles: [{manager_role}], districts: [{d1}], userTypes: [INTERACTIVE] }}) {{ internalId }} }}"#
        ),
    )
    .await;
    let um = app.principal("um").await;
    assert!(!um.is_admin && !um.scope.unrestricted);
    Setup {
        d1,
        d2,
        admin_role,
        admin_role_uuid,
        manager_role,
        manager_role_uuid,
        um,
    }
}

async fn user_uuid(app: &TestApp, username: &str) -> String {
    let admin = app.principal("Admin").await;
    app.ok(
        Some(&admin),
        &format!(r#"{{ users(username: "{username}") {{ edges {{ node {{ uuid }} }} }} }}"#),
    )
    .await["users"]["edges"][0]["node"]["uuid"]
        .as_str()
        .unwrap_or_else(|| panic!("no user {username}"))
        .to_string()
}

fn user_input(uuid: Option<&str>, username: &str, roles: &[i64], districts: &[i64]) -> String {
    let uuid = uuid
        .map(|u| format!(r#"uuid: "{u}", "#))
        .unwrap_or_default();
    let roles: Vec<String> = roles.iter().map(i64::to_string).collect();
    let districts: Vec<String> = districts.iter().map(i64::to_string).collect();
    format!(
        r#"{uuid}username: "{username}", lastName: "Test", otherNames: "User", language: "en", roles: [{}], districts: [{}], userTypes: [INTERACTIVE]"#,
        roles.join(", "),
        districts.join(", ")
    )
}

/// Walks every mutation that touches users or roles as a user manager restricted to one
/// district: nothing it does may reach an administrator, another district, or more rights than
/// it holds; what lies within its rights and district still works.
#[tokio::test]
async fn a_district_user_manager_cannot_escalate_or_reach_beyond_its_scope() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let s = setup(&app).await;
        let um = &s.um;
        let admin_uuid = user_uuid(&app, "Admin").await;
        let (clerk_role, clerk_uuid) = role(&app, &admin, r#"isSystem: true, name: "Clerk""#).await;
        // A role within the manager's rights, and a user of each district holding it.
        app.ok(
            Some(&admin),
            r#"mutation { createRole(input: { name: "Searcher", isSystem: false, isBlocked: false, rightsId: [121701, 101001] }) { internalId } }"#,
        )
        .await;
        let (searcher, _) = role(&app, &admin, r#"name: "Searcher""#).await;
        for (name, d) in [("inside", s.d1), ("outside", s.d2)] {
            app.ok(
                Some(&admin),
                &format!(
                    r#"mutation {{ createUser(input: {{ {} , password: "password123" }}) {{ internalId }} }}"#,
                    user_input(None, name, &[searcher], &[d])
                ),
            )
            .await;
        }
        let inside = user_uuid(&app, "inside").await;
        let outside = user_uuid(&app, "outside").await;

        // changePassword of the administrator, of another district, and of a user holding more
        // rights than the caller.
        let change = |u: &str| {
            format!(
                r#"mutation {{ changePassword(input: {{ username: "{u}", newPassword: "Pwned12345" }}) {{ internalId }} }}"#
            )
        };
        // clerk lives in the manager's district but holds rights the manager lacks.
        for (username, code) in [
            ("Admin", "user.target_outranks_caller"),
            ("outside", "auth.location_denied"),
            ("clerk", "user.target_outranks_caller"),
        ] {
            assert_eq!(app.err_code(Some(um), &change(username)).await, code, "{username}");
        }
        app.ok(Some(um), &change("inside")).await;
        // The administrator still logs in with its own password.
        login_ok(&app, "Admin", "admin123").await;

        // updateUser: the administrator, itself as administrator, another district, a role
        // beyond its rights.
        let update = |body: String| format!("mutation {{ updateUser(input: {{ {body} }}) {{ internalId }} }}");
        let um_uuid = user_uuid(&app, "um").await;
        let refused_updates = [
            (
                user_input(Some(&admin_uuid), "Admin", &[s.manager_role], &[s.d1]),
                "user.target_outranks_caller",
            ),
            (
                user_input(Some(&um_uuid), "um", &[s.manager_role, s.admin_role], &[s.d1]),
                "role.exceeds_caller_rights",
            ),
            (
                user_input(Some(&um_uuid), "um", &[s.manager_role, clerk_role], &[s.d1]),
                "role.exceeds_caller_rights",
            ),
            (
                user_input(Some(&um_uuid), "um", &[s.manager_role], &[s.d1, s.d2]),
                "auth.location_denied",
            ),
            (
                user_input(Some(&outside), "outside", &[searcher], &[s.d2]),
                "auth.location_denied",
            ),
            // Moving a user of its district into another district is granting a district it
            // lacks.
            (
                user_input(Some(&inside), "inside", &[searcher], &[s.d2]),
                "auth.location_denied",
            ),
        ];
        for (input, code) in &refused_updates {
            assert_eq!(app.err_code(Some(um), &update(input.clone())).await, *code, "{input}");
        }
        app.ok(
            Some(um),
            &update(user_input(Some(&inside), "inside", &[searcher], &[s.d1])),
        )
        .await;

        // createUser: an administrator, a role beyond its rights, another district.
        let create = |body: String| format!("mutation {{ createUser(input: {{ {body} }}) {{ internalId }} }}");
        for (input, code) in [
            (
                user_input(None, "newadmin", &[s.admin_role], &[s.d1]),
                "role.exceeds_caller_rights",
            ),
            (
                user_input(None, "newclerk", &[clerk_role], &[s.d1]),
                "role.exceeds_caller_rights",
            ),
            (
                user_input(None, "newout", &[searcher], &[s.d2]),
                "auth.location_denied",
            ),
        ] {
            assert_eq!(app.err_code(Some(um), &create(input.clone())).await, code, "{input}");
        }
        app.ok(
            Some(um),
            &create(user_input(None, "newin", &[searcher], &[s.d1])),
        )
        .await;
        // A retried create naming the administrator's uuid does not answer success.
        assert_eq!(
            app.err_code(
                Some(um),
                &create(user_input(Some(&admin_uuid), "Admin", &[searcher], &[s.d1]))
            )
            .await,
            "conflict.uuid_exists"
        );

        // deleteUser.
        let delete = |u: &str| format!(r#"mutation {{ deleteUser(input: {{ uuids: ["{u}"] }}) {{ internalId }} }}"#);
        assert_eq!(
            app.err_code(Some(um), &delete(&admin_uuid)).await,
            "user.target_outranks_caller"
        );
        assert_eq!(
            app.err_code(Some(um), &delete(&outside)).await,
            "auth.location_denied"
        );
        app.ok(Some(um), &delete(&user_uuid(&app, "newin").await))
            .await;

        // Roles: nothing beyond the caller's rights, nothing on the administrator role.
        assert_eq!(
            app.err_code(
                Some(um),
                r#"mutation { createRole(input: { name: "Super", isSystem: false, isBlocked: false, rightsId: [121701, 101002] }) { internalId } }"#
            )
            .await,
            "role.exceeds_caller_rights"
        );
        app.ok(
            Some(um),
            r#"mutation { createRole(input: { name: "Readers", isSystem: false, isBlocked: false, rightsId: [121701] }) { internalId } }"#,
        )
        .await;
        // Adding a right it lacks to its own role would raise its own rights; the administrator
        // role is beyond it, whether updated or copied; so is a copy of its own role with a
        // right it lacks.
        let beyond_the_manager = [
            format!(
                r#"mutation {{ updateRole(input: {{ uuid: "{}", name: "User manager", isSystem: false, isBlocked: false, rightsId: [{MANAGER_RIGHTS}, 101002] }}) {{ internalId }} }}"#,
                s.manager_role_uuid
            ),
            format!(
                r#"mutation {{ updateRole(input: {{ uuid: "{}", name: "IMIS Administrator", isSystem: true, isBlocked: true }}) {{ internalId }} }}"#,
                s.admin_role_uuid
            ),
            format!(
                r#"mutation {{ duplicateRole(input: {{ uuid: "{}", name: "Copy", isSystem: false, isBlocked: false }}) {{ internalId }} }}"#,
                s.admin_role_uuid
            ),
            format!(
                r#"mutation {{ duplicateRole(input: {{ uuid: "{}", name: "Copy", isSystem: false, isBlocked: false, rightsId: [101002] }}) {{ internalId }} }}"#,
                s.manager_role_uuid
            ),
        ];
        for mutation in &beyond_the_manager {
            assert_eq!(
                app.err_code(Some(um), mutation).await,
                "role.exceeds_caller_rights",
                "{mutation}"
            );
        }
        app.ok(
            Some(&admin),
            &format!(
                r#"mutation {{ duplicateRole(input: {{ uuid: "{clerk_uuid}", name: "Clerk copy", isSystem: false, isBlocked: false }}) {{ internalId }} }}"#
            ),
        )
        .await;
        let (_, copy_uuid) = role(&app, &admin, r#"name: "Clerk copy""#).await;
        assert_eq!(
            app.err_code(
                Some(um),
                &format!(r#"mutation {{ deleteRole(input: {{ uuids: ["{copy_uuid}"] }}) {{ internalId }} }}"#)
            )
            .await,
            "role.exceeds_caller_rights"
        );
        // Its own language is its own business.
        app.ok(
            Some(um),
            r#"mutation { changeUserLanguage(input: { languageId: "fr" }) { internalId } }"#,
        )
        .await;
        // Even an administrator cannot block the administrator role (it would lock every
        // administrator out).
        assert_eq!(
            app.err_code(
                Some(&admin),
                &format!(
                    r#"mutation {{ updateRole(input: {{ uuid: "{}", name: "IMIS Administrator", isSystem: true, isBlocked: true }}) {{ internalId }} }}"#,
                    s.admin_role_uuid
                )
            )
            .await,
            "role.admin_role_cannot_be_blocked"
        );
        // A user with no location is national: not for a district manager.
        app.ok(
            Some(&admin),
            &format!(
                r#"mutation {{ createUser(input: {{ {} , password: "password123" }}) {{ internalId }} }}"#,
                user_input(None, "national", &[searcher], &[])
            ),
        )
        .await;
        assert_eq!(
            app.err_code(Some(um), &change("national")).await,
            "auth.location_denied"
        );
        // A blocked role still counts: unblocking it later must not hand over the account.
        app.ok(
            Some(&admin),
            r#"mutation { createRole(input: { name: "Dormant", isSystem: false, isBlocked: false, rightsId: [101002] }) { internalId } }"#,
        )
        .await;
        let dormant = app
            .ok(
                Some(&admin),
                r#"{ role(name: "Dormant") { edges { node { id uuid } } } }"#,
            )
            .await;
        let dormant_id = pk(&dormant["role"]["edges"][0]["node"]["id"], "RoleGQLType");
        let dormant_uuid = dormant["role"]["edges"][0]["node"]["uuid"]
            .as_str()
            .unwrap()
            .to_string();
        app.ok(
            Some(&admin),
            &format!(
                r#"mutation {{ createUser(input: {{ {} , password: "password123" }}) {{ internalId }} }}"#,
                user_input(None, "sleeper", &[searcher, dormant_id], &[s.d1])
            ),
        )
        .await;
        app.ok(
            Some(&admin),
            &format!(
                r#"mutation {{ updateRole(input: {{ uuid: "{dormant_uuid}", name: "Dormant", isSystem: false, isBlocked: true, rightsId: [101002] }}) {{ internalId }} }}"#
            ),
        )
        .await;
        assert_eq!(
            app.err_code(Some(um), &change("sleeper")).await,
            "user.target_outranks_caller"
        );
        // Its own password only with the old one.
        assert_eq!(
            app.err_code(
                Some(um),
                &format!(
                    r#"mutation {{ updateUser(input: {{ {}, password: "another1234" }}) {{ internalId }} }}"#,
                    user_input(Some(&um_uuid), "um", &[s.manager_role], &[s.d1])
                )
            )
            .await,
            "user.own_password_needs_old"
        );
        // Nothing above changed the manager's own rights.
        let um_again = app.principal("um").await;
        assert_eq!(um_again.rights, um.rights);
        assert!(!um_again.is_admin);
    })
    .await;
}

/// Refused anonymous mutations leave nothing in the log; logged inputs are capped.
#[tokio::test]
async fn anonymous_mutations_leave_no_log_and_logged_inputs_are_capped() {
    on_each_app(|app: TestApp| async move {
        let before = app.count("core_mutation_log", "").await;
        let big = "x".repeat(4 * 1024 * 1024);
        let q = format!(
            r#"mutation {{ createFamily(input: {{ clientMutationId: "fill", locationId: 1, familyTypeId: "H", poverty: false, headInsuree: {{ chfId: "1", lastName: "{big}", otherNames: "A", genderId: "M", dob: "2000-01-01" }} }}) {{ internalId }} }}"#
        );
        for _ in 0..3 {
            let r = app.exec(None, &q).await;
            assert_eq!(code_of(&r), "auth.unauthenticated");
        }
        assert_eq!(app.count("core_mutation_log", "").await, before);

        // A logged-in caller's refused oversized input is logged as a summary.
        let clerk = app.principal("clerk").await;
        let r = app.exec(Some(&clerk), &q).await;
        assert!(!r.errors.is_empty());
        let row = app
            .ok(
                Some(&app.principal("Admin").await),
                r#"{ mutationLogs(first: 1, orderBy: ["-requestDateTime"]) { edges { node { jsonContent } } } }"#,
            )
            .await;
        let content = row["mutationLogs"]["edges"][0]["node"]["jsonContent"].to_string();
        assert!(content.len() < 8 * 1024, "logged {} bytes", content.len());
        assert!(content.contains("truncated"), "{content}");
        // An over-long clientMutationId is refused before anything is written.
        let long_id = "i".repeat(300);
        let n = app.count("core_mutation_log", "").await;
        let r = app
            .exec(
                Some(&clerk),
                &format!(
                    r#"mutation {{ changeUserLanguage(input: {{ clientMutationId: "{long_id}", languageId: "en" }}) {{ internalId }} }}"#
                ),
            )
            .await;
        assert_eq!(code_of(&r), "input.invalid");
        assert_eq!(app.count("core_mutation_log", "").await, n);
    })
    .await;
}

/// Logout ends the whole login: its earlier access tokens, its refresh token and its cookie
/// session; another login of the same user lives on.
#[tokio::test]
async fn logout_ends_every_token_and_session_of_the_login() {
    on_each_app(|app: TestApp| async move {
        let (t1, refresh) = login_ok(&app, "clerk", "clerk1234").await;
        let (other, other_refresh) = login_ok(&app, "clerk", "clerk1234").await;
        let p1 = authenticate(&app.state, &bearer(&t1))
            .await
            .unwrap()
            .unwrap();
        // A second access token of the same login, and its cookie session.
        let r = app
            .exec(
                Some(&p1),
                &format!(r#"mutation {{ refreshToken(token: "{t1}") {{ token }} }}"#),
            )
            .await;
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let t2 = r.data.into_json().unwrap()["refreshToken"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        let p2 = authenticate(&app.state, &bearer(&t2))
            .await
            .unwrap()
            .unwrap();
        let csrf = app
            .ok(Some(&p2), r#"mutation { getCsrfToken { csrfToken } }"#)
            .await;
        assert!(csrf["getCsrfToken"]["csrfToken"].is_string());
        let sessions = app.count("core_session", "").await;
        assert_eq!(sessions, 1);

        app.ok(Some(&p2), r#"mutation { deleteTokenCookie { deleted } }"#)
            .await;
        for t in [&t1, &t2] {
            let e = authenticate(&app.state, &bearer(t)).await.unwrap_err();
            assert_eq!(e.code, "auth.token_revoked");
        }
        // Neither the refresh token nor either access token refreshes or verifies any more.
        for request in [
            format!(r#"mutation {{ refreshToken(refreshToken: "{refresh}") {{ token }} }}"#),
            format!(r#"mutation {{ refreshToken(token: "{t1}") {{ token }} }}"#),
            format!(r#"mutation {{ verifyToken(token: "{t2}") {{ payload }} }}"#),
        ] {
            assert_eq!(
                code_of(&app.exec(None, &request).await),
                "auth.token_revoked",
                "{request}"
            );
        }
        assert_eq!(app.count("core_session", "").await, 0);

        // The other login of the same user is untouched...
        assert!(
            authenticate(&app.state, &bearer(&other))
                .await
                .unwrap()
                .is_some()
        );
        // ...until revokeToken ends it from its refresh token.
        let r = app
            .exec(
                None,
                &format!(
                    r#"mutation {{ revokeToken(refreshToken: "{other_refresh}") {{ revoked }} }}"#
                ),
            )
            .await;
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let e = authenticate(&app.state, &bearer(&other)).await.unwrap_err();
        assert_eq!(e.code, "auth.token_revoked");
    })
    .await;
}

/// Parallel wrong passwords: no more than the lockout threshold are evaluated, the rest are
/// refused as locked, and the right password is refused afterwards.
#[tokio::test]
async fn the_lockout_holds_under_parallel_attempts() {
    on_each_app(|app: TestApp| async move {
        let threshold = app.state.config.auth.lockout_threshold as usize;
        let q =
            r#"mutation { tokenAuth(username: "clerk", password: "wrong-password") { token } }"#;
        let runs: Vec<_> = (0..40)
            .map(|_| {
                let schema = app.schema.clone();
                tokio::spawn(async move { schema.execute(q).await })
            })
            .collect();
        let mut wrong = 0;
        let mut locked = 0;
        for r in futures::future::join_all(runs).await {
            match code_of(&r.unwrap()).as_str() {
                "auth.invalid_credentials" => wrong += 1,
                "auth.locked_out" => locked += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert!(wrong <= threshold, "{wrong} wrong passwords were evaluated");
        assert_eq!(wrong + locked, 40);
        assert_eq!(
            code_of(&login(&app, "clerk", "clerk1234").await),
            "auth.locked_out"
        );
        // Unknown usernames are counted and locked the same way.
        for _ in 0..threshold {
            assert_eq!(
                code_of(&login(&app, "nobody", "x").await),
                "auth.invalid_credentials"
            );
        }
        assert_eq!(
            code_of(&login(&app, "nobody", "x").await),
            "auth.locked_out"
        );
    })
    .await;
}

/// A token issued in the same second as a password change dies with it; a login right after the
/// change works.
#[tokio::test]
async fn a_password_change_ends_tokens_issued_the_same_second() {
    on_each_app(|app: TestApp| async move {
        let (before, _) = login_ok(&app, "clerk", "clerk1234").await;
        let p = authenticate(&app.state, &bearer(&before)).await.unwrap().unwrap();
        app.ok(
            Some(&p),
            r#"mutation { changePassword(input: { oldPassword: "clerk1234", newPassword: "clerk5678" }) { internalId } }"#,
        )
        .await;
        let e = authenticate(&app.state, &bearer(&before)).await.unwrap_err();
        assert_eq!(e.code, "auth.token_revoked");
        let (after, _) = login_ok(&app, "clerk", "clerk5678").await;
        assert!(authenticate(&app.state, &bearer(&after)).await.unwrap().is_some());
    })
    .await;
}

/// A replayed clientMutationId with another password is a different request.
#[tokio::test]
async fn a_replay_with_another_password_is_refused() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let change = |pw: &str| {
            format!(
                r#"mutation {{ changePassword(input: {{ clientMutationId: "pw-1", username: "clerk", newPassword: "{pw}" }}) {{ internalId }} }}"#
            )
        };
        let first = app.ok(Some(&admin), &change("first12345")).await;
        // The same request again replays its outcome.
        assert_eq!(app.ok(Some(&admin), &change("first12345")).await, first);
        assert_eq!(
            app.err_code(Some(&admin), &change("second12345")).await,
            "mutation.client_id_reused"
        );
        login_ok(&app, "clerk", "first12345").await;
        assert_eq!(
            code_of(&login(&app, "clerk", "second12345").await),
            "auth.invalid_credentials"
        );
        // The log holds neither password.
        let logs = app
            .ok(
                Some(&admin),
                r#"{ mutationLogs(clientMutationId: "pw-1") { edges { node { jsonContent } } } }"#,
            )
            .await
            .to_string();
        assert!(!logs.contains("first12345") && !logs.contains("second12345"), "{logs}");
    })
    .await;
}

/// Concurrent updates of one user keep one history version each (row lock on PostgreSQL).
#[tokio::test]
async fn concurrent_user_updates_keep_every_version() {
    on_each_app(|app: TestApp| async move {
        let clerk = app.principal("clerk").await;
        let user_id = clerk.user_id;
        let n = 20;
        let runs: Vec<_> = (0..n)
            .map(|i| {
                let schema = app.schema.clone();
                let p = clerk.clone();
                let lang = if i % 2 == 0 { "en" } else { "fr" };
                tokio::spawn(async move {
                    schema
                        .execute(
                            async_graphql::Request::new(format!(
                                r#"mutation {{ changeUserLanguage(input: {{ languageId: "{lang}" }}) {{ internalId }} }}"#
                            ))
                            .data(p),
                        )
                        .await
                })
            })
            .collect();
        for r in futures::future::join_all(runs).await {
            let r = r.unwrap();
            assert!(r.errors.is_empty(), "{:?}", r.errors);
        }
        let versions = app
            .count(
                "core_history",
                &format!("entity = 'user' AND entity_id = {user_id}"),
            )
            .await;
        assert_eq!(versions, n);
    })
    .await;
}

/// Every list query of a cookie login needs the session's CSRF token, the status reasons too.
#[tokio::test]
async fn cookie_list_queries_need_the_csrf_token() {
    on_each_app(|app: TestApp| async move {
        let (token, _) = login_ok(&app, "clerk", "clerk1234").await;
        let by_cookie = Credentials {
            jwt_cookie: Some(token),
            ..Default::default()
        };
        let p = authenticate(&app.state, &by_cookie).await.unwrap().unwrap();
        let r = app
            .exec(Some(&p), r#"{ insureeStatusReasons { totalCount } }"#)
            .await;
        assert_eq!(code_of(&r), "auth.csrf_no_session");
    })
    .await;
}

/// A buffer that collects what a test subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Mobile clients retry with the same clientMutationId as a matter of course: a replay is
/// normal, logged at most as information, never as an error that would wake someone up.
#[tokio::test]
async fn an_idempotent_replay_logs_no_error() {
    use tracing::instrument::WithSubscriber;
    on_each_app(|app: TestApp| async move {
        let clerk = app.principal("clerk").await;
        let q = r#"mutation { changeUserLanguage(input: { clientMutationId: "lang-1", languageId: "en" }) { internalId } }"#;
        let first = app.ok(Some(&clerk), q).await;
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .finish();
        let again = async { app.ok(Some(&clerk), q).await }
            .with_subscriber(subscriber)
            .await;
        assert_eq!(again, first);
        let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(!logged.contains("ERROR"), "{logged}");
    })
    .await;
}
