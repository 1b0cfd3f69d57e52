//! Users and roles: creation of the four kinds, validation codes, scope (D9), search that ignores
//! case and accents, roles and their rights.

use imis_tests::{TestApp, on_each_app};

#[tokio::test]
async fn users_of_each_kind_roles_and_searches() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let districts = app.ok(Some(&admin), r#"{ locations(type: "D", orderBy: ["code"]) { edges { node { id } } } }"#).await;
        let d1 = imis_core::graphql::parse_pk(districts["locations"]["edges"][0]["node"]["id"].as_str().unwrap(), "LocationGQLType").unwrap();
        let roles = app.ok(Some(&admin), r#"{ role(isSystem: true, name: "Clerk") { edges { node { id rights { rightId } } } } }"#).await;
        let clerk_role = imis_core::graphql::parse_pk(roles["role"]["edges"][0]["node"]["id"].as_str().unwrap(), "RoleGQLType").unwrap();
        assert!(roles["role"]["edges"][0]["node"]["rights"].as_array().unwrap().len() > 10);

        let create = format!(
            r#"mutation {{ createUser(input: {{ clientMutationId: "u-1", username: "hbile", lastName: "Bilé", otherNames: "Hélène", language: "fr", password: "motdepasse1", email: "helene@example.org", roles: [{clerk_role}], districts: [{d1}], userTypes: [INTERACTIVE] }}) {{ internalId }} }}"#
        );
        app.ok(Some(&admin), &create).await;
        // Accent- and case-insensitive search on names, case-insensitive on usernames.
        let found = app.ok(Some(&admin), r#"{ users(str: "BILE") { totalCount edges { node { username iUser { roles { name } } } } } }"#).await;
        assert_eq!(found["users"]["totalCount"], 1, "{found}");
        assert_eq!(found["users"]["edges"][0]["node"]["iUser"]["roles"][0]["name"], "Clerk");
        assert_eq!(app.ok(Some(&admin), r#"{ users(username_Icontains: "HBI") { totalCount } }"#).await["users"]["totalCount"], 1);
        assert_eq!(app.ok(Some(&admin), r#"{ users(lastName: "bile") { totalCount } }"#).await["users"]["totalCount"], 1);

        // Validation codes.
        let dup = create.replace("u-1", "u-2");
        assert_eq!(app.err_code(Some(&admin), &dup).await, "user.username_taken");
        let bad_mail = create.replace("u-1", "u-3").replace("hbile", "hbile2").replace("helene@example.org", "not-an-address");
        assert_eq!(app.err_code(Some(&admin), &bad_mail).await, "user.email_invalid");
        let no_roles = create.replace("u-1", "u-4").replace("hbile", "hbile3").replace("helene@", "h3@").replace(&format!("roles: [{clerk_role}], "), "");
        assert_eq!(app.err_code(Some(&admin), &no_roles).await, "user.roles_required");
        let too_long = create.replace("u-1", "u-5").replace("hbile", "abcdefghijklmnop").replace("helene@", "h5@");
        assert_eq!(app.err_code(Some(&admin), &too_long).await, "user.username_too_long");
        let officer = format!(
            r#"mutation {{ createUser(input: {{ username: "eo_new", lastName: "Ngo", otherNames: "Anne", language: "fr", villageIds: [{d1}], userTypes: [OFFICER] }}) {{ internalId }} }}"#
        );
        assert_eq!(app.err_code(Some(&admin), &officer).await, "user.village_invalid");

        // The new user logs in with the password it was given.
        let login = app.exec(None, r#"mutation { tokenAuth(username: "hbile", password: "motdepasse1") { token } }"#).await;
        assert!(login.errors.is_empty(), "{:?}", login.errors);

        // Scope (D9): the clerk of D0001 does not see the Edéa officer.
        let mut clerk = app.principal("clerk").await;
        clerk.rights.insert(121701);
        let seen = app.ok(Some(&clerk), r#"{ users(first: 100) { edges { node { username } } } }"#).await.to_string();
        assert!(seen.contains("eo_douala") && !seen.contains("eo_edea"), "{seen}");

        // Roles: duplicate keeps the rights; system roles cannot be deleted.
        let sys = app.ok(Some(&admin), r#"{ role(name: "Clerk") { edges { node { uuid } } } }"#).await;
        let uuid = sys["role"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        app.ok(Some(&admin), &format!(r#"mutation {{ duplicateRole(input: {{ uuid: "{uuid}", name: "Commis bis", isSystem: false, isBlocked: false }}) {{ internalId }} }}"#)).await;
        let copy = app.ok(Some(&admin), r#"{ role(name: "Commis bis") { edges { node { isSystem rights { rightId } } } } }"#).await;
        assert_eq!(copy["role"]["edges"][0]["node"]["isSystem"], 0);
        assert_eq!(copy["role"]["edges"][0]["node"]["rights"], roles["role"]["edges"][0]["node"]["rights"]);
        assert!(!app.ok(Some(&admin), r#"{ validateRoleName(name: "Commis bis") }"#).await["validateRoleName"].as_bool().unwrap());
        assert_eq!(app.err_code(Some(&admin), &format!(r#"mutation {{ deleteRole(input: {{ uuids: ["{uuid}"] }}) {{ internalId }} }}"#)).await, "role.system_role_read_only");
        assert_eq!(app.err_code(Some(&admin), r#"mutation { createRole(input: { name: "X", isSystem: false, isBlocked: false, rightsId: [4242] }) { internalId } }"#).await, "role.right_unknown");

        // History (D7): an update keeps the previous version, listed with showHistory and
        // reachable through node().
        let clerk_uuid = app.ok(Some(&admin), r#"{ users(username: "clerk") { edges { node { uuid } } } }"#).await["users"]["edges"][0]["node"]["uuid"].as_str().unwrap().to_string();
        let update = format!(
            r#"mutation {{ updateUser(input: {{ uuid: "{clerk_uuid}", username: "clerk", lastName: "Ngono Essomba", otherNames: "Élodie", language: "fr", roles: [{clerk_role}], districts: [{d1}], userTypes: [INTERACTIVE] }}) {{ internalId }} }}"#
        );
        app.ok(Some(&admin), &update).await;
        let h = app.ok(Some(&admin), r#"{ users(username: "clerk", showHistory: true) { edges { node { id lastName legacyId validityTo } } } }"#).await;
        let edges = h["users"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2, "{h}");
        assert_eq!(edges[0]["node"]["lastName"], "Ngono Essomba");
        assert_eq!(edges[1]["node"]["lastName"], "Ngono");
        assert!(edges[1]["node"]["validityTo"].is_string() && edges[1]["node"]["legacyId"].is_number());
        let vid = edges[1]["node"]["id"].as_str().unwrap();
        let v = app.ok(Some(&admin), &format!(r#"{{ node(id: "{vid}") {{ ... on UserGQLType {{ lastName }} }} }}"#)).await;
        assert_eq!(v["node"]["lastName"], "Ngono");
    })
    .await;
}
