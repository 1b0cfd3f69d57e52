//! The documents openIMIS's web front end sends to the insuree module (issue 12): the family
//! overview's `familyMembers` page with openIMIS's filters, the enrolment-officer picker
//! `insureeOfficers`, and the families search ordered by Django-style fields; each with the
//! location scope of a district-restricted user (D9).

// The composed GraphQL schema of the harness is deeper than rustc's default query depth.
#![recursion_limit = "256"]

use imis_core::auth::Principal;
use imis_tests::{TestApp, on_each_app};
use serde_json::Value;

mod common;
use common::village_ids;

/// A family in `village` whose head is `head_chf`, with members `(chfId, lastName, otherNames,
/// gender, dob, extra input fields)`; answers the family's uuid.
async fn family_with_members(
    app: &TestApp,
    admin: &Principal,
    village: i64,
    head_chf: &str,
    members: &[(&str, &str, &str, &str, &str, &str)],
) -> String {
    app.ok(Some(admin), &format!(
        r#"mutation {{ createFamily(input: {{ locationId: {village}, familyTypeId: "H", poverty: false, headInsuree: {{ chfId: "{head_chf}", lastName: "Ébodé", otherNames: "Élodie", genderId: "F", dob: "1985-04-12", phone: "+237 600 11 22 33" }} }}) {{ internalId }} }}"#
    )).await;
    let f = app
        .ok(
            Some(admin),
            &format!(r#"{{ families(headInsuree_ChfId: "{head_chf}") {{ edges {{ node {{ id uuid }} }} }} }}"#),
        )
        .await;
    let node = &f["families"]["edges"][0]["node"];
    let family_id =
        imis_core::graphql::parse_pk(node["id"].as_str().unwrap(), "FamilyGQLType").unwrap();
    for (chf, last, other, gender, dob, extra) in members {
        app.ok(Some(admin), &format!(
            r#"mutation {{ createInsuree(input: {{ familyId: {family_id}, chfId: "{chf}", lastName: "{last}", otherNames: "{other}", genderId: "{gender}", dob: "{dob}" {extra} }}) {{ internalId }} }}"#
        )).await;
    }
    node["uuid"].as_str().unwrap().to_string()
}

fn chf_ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["chfId"].as_str().unwrap().to_string())
        .collect()
}

fn codes(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn family_members_page_and_filter_as_the_family_overview_asks() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001
        let (v1, _) = village_ids(&app, &admin, "D0001").await;
        let (v2, _) = village_ids(&app, &admin, "D0002").await;
        let family = family_with_members(&app, &admin, v1, "930000011", &[
            ("930000022", "Ébodé", "Noël", "M", "2015-06-01", r#", phone: "+237 611""#),
            ("930000033", "Mbappe", "Aïcha", "F", "2010-02-03", r#", email: "Aicha@Example.org", passport: "AB123""#),
            ("930000044", "Ebode", "Paul", "M", "2005-09-10", ""),
        ]).await;

        // The family overview's document, as the front end sends it.
        let overview = |extra: &str| format!(
            r#"{{ familyMembers(familyUuid: "{family}", first: 5{extra}) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ node {{ uuid chfId otherNames lastName head phone gender {{ code }} dob cardIssued }} }} }} }}"#
        );
        let r = app.ok(Some(&admin), &overview("")).await;
        let all = &r["familyMembers"];
        assert_eq!(all["totalCount"], 4);
        // Head first, then by date of birth.
        assert_eq!(chf_ids(all), ["930000011", "930000044", "930000033", "930000022"]);
        assert_eq!(all["edges"][0]["node"]["head"], true);
        assert_eq!(all["edges"][0]["node"]["gender"]["code"], "F");
        assert_eq!(all["edges"][3]["node"]["phone"], "+237 611");
        assert_eq!(all["pageInfo"]["hasNextPage"], false);
        assert_eq!(all["pageInfo"]["hasPreviousPage"], false);

        // Two pages of two: no gap, no duplicate; totalCount counts the whole family.
        let first = app.ok(Some(&admin), &format!(r#"{{ familyMembers(familyUuid: "{family}", first: 2) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ node {{ chfId }} }} }} }}"#)).await;
        let first = &first["familyMembers"];
        assert_eq!(first["totalCount"], 4);
        assert_eq!(first["pageInfo"]["hasNextPage"], true);
        let cursor = first["pageInfo"]["endCursor"].as_str().unwrap();
        let second = app.ok(Some(&admin), &format!(r#"{{ familyMembers(familyUuid: "{family}", first: 2, after: "{cursor}") {{ totalCount pageInfo {{ hasNextPage hasPreviousPage }} edges {{ node {{ chfId }} }} }} }}"#)).await;
        let second = &second["familyMembers"];
        assert_eq!(second["pageInfo"]["hasNextPage"], false);
        assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
        let mut paged = chf_ids(first);
        paged.extend(chf_ids(second));
        assert_eq!(paged, chf_ids(all));

        // openIMIS's filters, with their Django meaning.
        let members = |args: &'static str| {
            let app = &app;
            let admin = &admin;
            let family = family.clone();
            async move {
                let r = app.ok(Some(admin), &format!(r#"{{ familyMembers(familyUuid: "{family}"{args}) {{ totalCount edges {{ node {{ chfId }} }} }} }}"#)).await;
                assert_eq!(r["familyMembers"]["totalCount"].as_u64().unwrap() as usize, r["familyMembers"]["edges"].as_array().unwrap().len());
                chf_ids(&r["familyMembers"])
            }
        };
        assert_eq!(members(", head: false").await, ["930000044", "930000033", "930000022"]);
        assert_eq!(members(r#", gender_Code: "F""#).await, ["930000011", "930000033"]);
        assert_eq!(members(r#", chfId: "930000033""#).await, ["930000033"]);
        assert_eq!(members(r#", chfId_Istartswith: "93000004""#).await, ["930000044"]);
        // Names ignore case and accents (D19), exact lookups too.
        assert_eq!(members(r#", lastName_Iexact: "EBODE""#).await, ["930000011", "930000044", "930000022"]);
        assert_eq!(members(r#", lastName: "ébodé", otherNames_Istartswith: "no""#).await, ["930000022"]);
        assert_eq!(members(r#", otherNames_Icontains: "ICH""#).await, ["930000033"]);
        // Other text: `exact` keeps case, the `I…` lookups ignore it, a null column matches none.
        assert_eq!(members(r#", email: "aicha@example.org""#).await, Vec::<String>::new());
        assert_eq!(members(r#", email_Iexact: "aicha@example.org""#).await, ["930000033"]);
        assert_eq!(members(r#", passport_Icontains: "b12""#).await, ["930000033"]);
        assert_eq!(members(", phone_Isnull: false").await, ["930000011", "930000022"]);
        assert_eq!(members(r#", phone_Icontains: "611""#).await, ["930000022"]);
        assert_eq!(members(", email_Isnull: true").await, ["930000011", "930000044", "930000022"]);
        // Dates and instants.
        assert_eq!(members(r#", dob_Gte: "2008-01-01", dob_Lt: "2015-06-01""#).await, ["930000033"]);
        assert_eq!(members(r#", dob: "2005-09-10""#).await, ["930000044"]);
        assert_eq!(members(r#", validityFrom_Lte: "2999-01-01T00:00:00", validityTo_Isnull: true"#).await.len(), 4);
        assert_eq!(members(r#", validityFrom_Gt: "2999-01-01T00:00:00""#).await.len(), 0);
        assert_eq!(members(", family_Isnull: true").await.len(), 0);
        assert_eq!(members(", status: AC, photo_Isnull: true, marital_Isnull: true").await.len(), 4);
        assert_eq!(members(", status: DE").await.len(), 0);
        // Orders.
        assert_eq!(members(r#", orderBy: ["-dob"]"#).await, ["930000022", "930000033", "930000044", "930000011"]);
        // The overview's column sorters send one string, not a list.
        assert_eq!(members(r#", orderBy: "-dob""#).await, ["930000022", "930000033", "930000044", "930000011"]);
        assert_eq!(members(r#", orderBy: "cardIssued""#).await.len(), 4);
        assert_eq!(members(r#", orderBy: ["lastName", "-chfId"]"#).await, ["930000044", "930000022", "930000011", "930000033"]);
        assert_eq!(
            app.err_code(Some(&admin), &format!(r#"{{ familyMembers(familyUuid: "{family}", orderBy: ["salary"]) {{ totalCount }} }}"#)).await,
            "input.invalid_order"
        );
        let uuid = all["edges"][2]["node"]["uuid"].as_str().unwrap();
        let r = app.ok(Some(&admin), &format!(r#"{{ familyMembers(familyUuid: "{family}", uuid: "{uuid}") {{ edges {{ node {{ chfId }} }} }} }}"#)).await;
        assert_eq!(chf_ids(&r["familyMembers"]), ["930000033"]);

        // The clerk of D0001 sees this family; another district's family is out of reach.
        assert_eq!(app.ok(Some(&clerk), &overview("")).await["familyMembers"]["totalCount"], 4);
        let edea = family_with_members(&app, &admin, v2, "930000055", &[]).await;
        let code = app.err_code(Some(&clerk), &format!(r#"{{ familyMembers(familyUuid: "{edea}", first: 5) {{ totalCount edges {{ node {{ chfId }} }} }} }}"#)).await;
        assert_eq!(code, "auth.location_denied");
    })
    .await;
}

#[tokio::test]
async fn the_enrolment_officer_picker_lists_the_officers_of_a_location() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001
        let eo_edea = app.principal("eo_edea").await; // villages of D0002
        let (v1, v1_uuid) = village_ids(&app, &admin, "D0001").await;
        let (v2, _) = village_ids(&app, &admin, "D0002").await;
        let picker = |location: &str, extra: &str| format!(
            r#"{{ insureeOfficers(locationId: "{location}"{extra}) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ node {{ id uuid code lastName otherNames }} }} }} }}"#
        );

        // The front end's document: the decoded integer id of the insuree's village.
        let r = app.ok(Some(&admin), &picker(&v1.to_string(), "")).await;
        assert_eq!(codes(&r["insureeOfficers"]), ["eo_douala"]);
        assert_eq!(r["insureeOfficers"]["edges"][0]["node"]["lastName"], "Moukoko");
        // The same by uuid and by global id; a district covers its villages' officers.
        assert_eq!(codes(&app.ok(Some(&admin), &picker(&v1_uuid, "")).await["insureeOfficers"]), ["eo_douala"]);
        let gid = imis_core::graphql::global_id("LocationGQLType", v2);
        assert_eq!(codes(&app.ok(Some(&admin), &picker(gid.as_str(), "")).await["insureeOfficers"]), ["eo_edea"]);
        let d2 = app.ok(Some(&admin), r#"{ locations(code: "D0002") { edges { node { id } } } }"#).await;
        let d2 = imis_core::graphql::parse_pk(d2["locations"]["edges"][0]["node"]["id"].as_str().unwrap(), "LocationGQLType").unwrap();
        assert_eq!(codes(&app.ok(Some(&admin), &picker(&d2.to_string(), "")).await["insureeOfficers"]), ["eo_edea"]);
        assert_eq!(app.err_code(Some(&admin), &picker("99999999", "")).await, "not_found");
        assert_eq!(app.err_code(Some(&admin), &picker("nowhere", "")).await, "input.invalid");

        // Without a location: every officer, by code, paged.
        let all = app.ok(Some(&admin), r#"{ insureeOfficers { totalCount edges { node { code } } } }"#).await;
        assert_eq!(codes(&all["insureeOfficers"]), ["eo_douala", "eo_edea"]);
        let one = app.ok(Some(&admin), r#"{ insureeOfficers(first: 1) { pageInfo { hasNextPage endCursor } edges { node { code } } } }"#).await;
        assert_eq!(codes(&one["insureeOfficers"]), ["eo_douala"]);
        assert_eq!(one["insureeOfficers"]["pageInfo"]["hasNextPage"], true);
        let cursor = one["insureeOfficers"]["pageInfo"]["endCursor"].as_str().unwrap();
        let next = app.ok(Some(&admin), &format!(r#"{{ insureeOfficers(first: 1, after: "{cursor}") {{ pageInfo {{ hasNextPage }} edges {{ node {{ code }} }} }} }}"#)).await;
        assert_eq!(codes(&next["insureeOfficers"]), ["eo_edea"]);

        // openIMIS's officer filters.
        let filtered = |args: &'static str| {
            let app = &app;
            let admin = &admin;
            async move {
                let r = app.ok(Some(admin), &format!(r#"{{ insureeOfficers({args}) {{ totalCount edges {{ node {{ code }} }} }} }}"#)).await;
                assert_eq!(r["insureeOfficers"]["totalCount"].as_u64().unwrap() as usize, r["insureeOfficers"]["edges"].as_array().unwrap().len());
                codes(&r["insureeOfficers"])
            }
        };
        assert_eq!(filtered(r#"code: "eo_edea""#).await, ["eo_edea"]);
        assert_eq!(filtered(r#"code: "EO_EDEA""#).await, Vec::<String>::new());
        assert_eq!(filtered(r#"code_Icontains: "DOUALA""#).await, ["eo_douala"]);
        assert_eq!(filtered(r#"lastName_Icontains: "mouk""#).await, ["eo_douala"]);
        assert_eq!(filtered(r#"otherNames: "THERESE""#).await, ["eo_douala"]);
        assert_eq!(filtered(r#"lastName: "Bassogog", code_Icontains: "douala""#).await, Vec::<String>::new());
        let ids = app.ok(Some(&admin), r#"{ insureeOfficers(code: "eo_edea") { edges { node { id uuid } } } }"#).await;
        let node = &ids["insureeOfficers"]["edges"][0]["node"];
        let (id, uuid) = (node["id"].as_str().unwrap(), node["uuid"].as_str().unwrap());
        assert_eq!(codes(&app.ok(Some(&admin), &format!(r#"{{ insureeOfficers(id: "{id}") {{ edges {{ node {{ code }} }} }} }}"#)).await["insureeOfficers"]), ["eo_edea"]);
        assert_eq!(codes(&app.ok(Some(&admin), &format!(r#"{{ insureeOfficers(uuid: "{uuid}", locationId: "{v1}") {{ edges {{ node {{ code }} }} }} }}"#)).await["insureeOfficers"]), Vec::<String>::new());

        // D9: the clerk of D0001 sees Douala's officer only, and nobody in Edéa.
        assert_eq!(codes(&app.ok(Some(&clerk), &picker(&v1.to_string(), "")).await["insureeOfficers"]), ["eo_douala"]);
        let r = app.ok(Some(&clerk), &picker(&v2.to_string(), "")).await;
        assert_eq!(codes(&r["insureeOfficers"]), Vec::<String>::new());
        assert_eq!(r["insureeOfficers"]["totalCount"], 0);
        assert_eq!(codes(&app.ok(Some(&clerk), r#"{ insureeOfficers { edges { node { code } } } }"#).await["insureeOfficers"]), ["eo_douala"]);
        assert_eq!(codes(&app.ok(Some(&clerk), r#"{ insureeOfficers(code: "eo_edea") { edges { node { code } } } }"#).await["insureeOfficers"]), Vec::<String>::new());
        // An enrolment officer of Edéa sees themselves.
        assert_eq!(codes(&app.ok(Some(&eo_edea), &picker(&v2.to_string(), "")).await["insureeOfficers"]), ["eo_edea"]);

        // Rights: the family and insuree screens' (the scheme administrator has none of them).
        let schemeadmin = app.principal("schemeadmin").await;
        assert_eq!(app.err_code(Some(&schemeadmin), &picker(&v1.to_string(), "")).await, "auth.permission_denied");
        assert_eq!(app.err_code(None, &picker(&v1.to_string(), "")).await, "auth.unauthenticated");
    })
    .await;
}

#[tokio::test]
async fn officer_filters_combine_with_paging_across_pages() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001
        let (v1, _) = village_ids(&app, &admin, "D0001").await;
        let (v2, _) = village_ids(&app, &admin, "D0002").await;
        // (username, lastName, otherNames, birthDate, village): the "Ébogo" family of officers
        // in two districts, spelled with and without accents, plus one who only looks alike.
        let officers = [
            ("eb_a", "Ébogo", "Anne", "1980-01-01", v1),
            ("eb_b", "EBOGO", "Annette", "1980-01-01", v1),
            ("eb_c", "ebogo", "Paul", "1985-05-05", v1),
            ("eb_d", "Ébogo", "Marianne", "1980-01-01", v1),
            ("eb_e", "Ébogo", "Anne", "1980-01-01", v2),
            ("eb_f", "Ébogoé", "Anne", "1980-01-01", v1),
        ];
        for (username, last, other, dob, village) in officers {
            app.ok(Some(&admin), &format!(
                r#"mutation {{ createUser(input: {{ username: "{username}", lastName: "{last}", otherNames: "{other}", birthDate: "{dob}", language: "fr", villageIds: [{village}], userTypes: [OFFICER] }}) {{ internalId }} }}"#
            )).await;
        }

        // Every page of `size` under `args`: the codes in order, and the totalCount each page
        // reported (all equal).
        let pages = |who: &'static str, args: String, size: usize| {
            let app = &app;
            let who = if who == "clerk" { &clerk } else { &admin };
            async move {
                let (mut codes_seen, mut totals, mut after) = (Vec::new(), Vec::new(), String::new());
                loop {
                    let r = app.ok(Some(who), &format!(
                        r#"{{ insureeOfficers(first: {size}{after}, {args}) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ code }} }} }} }}"#
                    )).await;
                    let c = &r["insureeOfficers"];
                    totals.push(c["totalCount"].as_u64().unwrap() as usize);
                    let page = codes(c);
                    assert!(page.len() <= size);
                    codes_seen.extend(page.clone());
                    if c["pageInfo"]["hasNextPage"] != true {
                        break;
                    }
                    assert_eq!(page.len(), size, "{args}: a full page before the last");
                    after = format!(r#", after: "{}""#, c["pageInfo"]["endCursor"].as_str().unwrap());
                }
                assert!(totals.iter().all(|t| *t == codes_seen.len()), "{args}: totals {totals:?} for {codes_seen:?}");
                codes_seen
            }
        };

        // Exact names ignore case and accents; two pages of two, in code order.
        assert_eq!(pages("admin", r#"lastName: "ebogo""#.into(), 2).await, ["eb_a", "eb_b", "eb_c", "eb_d", "eb_e"]);
        // With the location: Edéa's namesake drops out, still two full pages then one.
        assert_eq!(pages("admin", format!(r#"lastName: "EBOGO", locationId: "{v1}""#), 2).await, ["eb_a", "eb_b", "eb_c", "eb_d"]);
        // Filters combine: contains, exact other names, birth date.
        assert_eq!(pages("admin", format!(r#"lastName_Icontains: "bogo", otherNames_Icontains: "ANNE", locationId: "{v1}""#), 1).await, ["eb_a", "eb_b", "eb_d", "eb_f"]);
        assert_eq!(pages("admin", r#"lastName: "Ébogo", otherNames: "anne""#.into(), 1).await, ["eb_a", "eb_e"]);
        assert_eq!(pages("admin", r#"dob: "1980-01-01", code_Icontains: "EB_""#.into(), 3).await, ["eb_a", "eb_b", "eb_d", "eb_e", "eb_f"]);
        assert_eq!(pages("admin", r#"dob: "1985-05-05", lastName_Icontains: "ogo""#.into(), 1).await, ["eb_c"]);
        // `code` is exact and keeps case; a contains text of spaces constrains nothing.
        assert_eq!(pages("admin", r#"code: "eb_d", lastName: "ebogo""#.into(), 1).await, ["eb_d"]);
        assert_eq!(pages("admin", r#"code: "EB_D""#.into(), 1).await, Vec::<String>::new());
        assert_eq!(pages("admin", r#"code_Icontains: "  ", lastName: "ebogo""#.into(), 5).await.len(), 5);
        // D9 with the filters: the clerk of D0001 pages through D0001's namesakes only.
        assert_eq!(pages("clerk", r#"lastName_Icontains: "EBOGO""#.into(), 2).await, ["eb_a", "eb_b", "eb_c", "eb_d", "eb_f"]);

        // Backwards from the last page gives the same rows.
        let r = app.ok(Some(&admin), r#"{ insureeOfficers(last: 2, lastName: "ebogo") { pageInfo { hasPreviousPage startCursor } edges { node { code } } } }"#).await;
        assert_eq!(codes(&r["insureeOfficers"]), ["eb_d", "eb_e"]);
        assert_eq!(r["insureeOfficers"]["pageInfo"]["hasPreviousPage"], true);
        let before = r["insureeOfficers"]["pageInfo"]["startCursor"].as_str().unwrap();
        let r = app.ok(Some(&admin), &format!(r#"{{ insureeOfficers(last: 2, before: "{before}", lastName: "ebogo") {{ edges {{ node {{ code }} }} }} }}"#)).await;
        assert_eq!(codes(&r["insureeOfficers"]), ["eb_b", "eb_c"]);
    })
    .await;
}

/// Every row of a list, page after page of `size` in `order`: (node, totalCount). Fails on a
/// duplicate, and when the pages do not add up to `totalCount`.
async fn walk(
    app: &TestApp,
    who: &Principal,
    list: &str,
    order: &str,
    size: usize,
    selection: &str,
) -> Vec<Value> {
    let mut rows: Vec<Value> = Vec::new();
    let mut after = String::new();
    let mut total = None;
    loop {
        let r = app.ok(Some(who), &format!(
            r#"{{ {list}(first: {size}, orderBy: ["{order}"]{after}) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {selection} }} }} }} }}"#
        )).await;
        let c = &r[list];
        total.get_or_insert(c["totalCount"].as_u64().unwrap() as usize);
        let edges = c["edges"].as_array().unwrap();
        rows.extend(edges.iter().map(|e| e["node"].clone()));
        if c["pageInfo"]["hasNextPage"] != true {
            break;
        }
        assert_eq!(
            edges.len(),
            size,
            "{list} {order}: a full page before the last"
        );
        after = format!(
            r#", after: "{}""#,
            c["pageInfo"]["endCursor"].as_str().unwrap()
        );
    }
    let ids: std::collections::HashSet<String> = rows
        .iter()
        .map(|n| n["uuid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), rows.len(), "{list} {order}: a row came twice");
    assert_eq!(
        rows.len(),
        total.unwrap(),
        "{list} {order}: the pages miss rows"
    );
    rows
}

#[tokio::test]
async fn families_and_insurees_page_in_the_front_ends_orders() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let clerk = app.principal("clerk").await; // district D0001
        let (v1, _) = village_ids(&app, &admin, "D0001").await;
        family_with_members(&app, &admin, v1, "940000011", &[]).await;
        family_with_members(&app, &admin, v1, "940000022", &[]).await;

        // The families search as the front end opens it.
        let search = r#"{ families(first: 10, orderBy: ["-validityFrom"]) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id uuid poverty confirmationNo validityFrom validityTo headInsuree { id uuid chfId lastName otherNames email phone dob } location { id uuid code name type } } } } }"#;
        let first = app.ok(Some(&admin), search).await;
        assert_eq!(first["families"]["edges"].as_array().unwrap().len(), 10);
        assert!(first["families"]["totalCount"].as_u64().unwrap() > 20);

        let selection = "uuid validityFrom headInsuree { chfId lastName }";
        for who in [&admin, &clerk] {
            let newest = walk(&app, who, "families", "-validityFrom", 10, selection).await;
            let from: Vec<&str> = newest.iter().map(|n| n["validityFrom"].as_str().unwrap()).collect();
            assert!(from.windows(2).all(|w| w[0] >= w[1]), "newest first: {from:?}");
            let oldest = walk(&app, who, "families", "validityFrom", 10, selection).await;
            assert_eq!(oldest.len(), newest.len());

            let by_head = walk(&app, who, "families", "headInsuree__chfId", 10, selection).await;
            let heads: Vec<&str> = by_head.iter().map(|n| n["headInsuree"]["chfId"].as_str().unwrap()).collect();
            assert!(heads.windows(2).all(|w| w[0] < w[1]), "by head number: {heads:?}");
            assert_eq!(by_head.len(), newest.len());
            let by_head_desc = walk(&app, who, "families", "-headInsuree__chfId", 10, selection).await;
            let desc: Vec<&str> = by_head_desc.iter().map(|n| n["headInsuree"]["chfId"].as_str().unwrap()).collect();
            assert_eq!(desc, heads.iter().rev().copied().collect::<Vec<_>>());
            let by_name = walk(&app, who, "families", "headInsuree__lastName", 10, selection).await;
            assert_eq!(by_name.len(), newest.len());
        }
        // The clerk's families are those of D0001 only.
        let clerk_total = app.ok(Some(&clerk), "{ families { totalCount } }").await["families"]["totalCount"].clone();
        assert_eq!(walk(&app, &clerk, "families", "-validityFrom", 10, selection).await.len() as u64, clerk_total.as_u64().unwrap());
        assert!(clerk_total.as_u64().unwrap() < first["families"]["totalCount"].as_u64().unwrap());

        // Back from the second page to the first, as the front end's "previous page" asks.
        let page2 = app.ok(Some(&admin), &format!(
            r#"{{ families(first: 10, orderBy: ["headInsuree__chfId"], after: "{}") {{ pageInfo {{ startCursor hasPreviousPage }} edges {{ node {{ uuid }} }} }} }}"#,
            app.ok(Some(&admin), r#"{ families(first: 10, orderBy: ["headInsuree__chfId"]) { pageInfo { endCursor } } }"#).await["families"]["pageInfo"]["endCursor"].as_str().unwrap()
        )).await;
        assert_eq!(page2["families"]["pageInfo"]["hasPreviousPage"], true);
        let back = app.ok(Some(&admin), &format!(
            r#"{{ families(last: 10, orderBy: ["headInsuree__chfId"], before: "{}") {{ edges {{ node {{ uuid }} }} }} }}"#,
            page2["families"]["pageInfo"]["startCursor"].as_str().unwrap()
        )).await;
        let page1 = app.ok(Some(&admin), r#"{ families(first: 10, orderBy: ["headInsuree__chfId"]) { edges { node { uuid } } } }"#).await;
        assert_eq!(back["families"]["edges"], page1["families"]["edges"]);

        // Every order the front end's family and insuree searches offer.
        for order in ["headInsuree__otherNames", "headInsuree__email", "-headInsuree__phone", "headInsuree__dob", "confirmationNo", "-validityTo"] {
            walk(&app, &admin, "families", order, 10, "uuid").await;
        }
        for order in ["chfId", "-lastName", "otherNames", "marital", "-gender__code", "email", "phone", "-dob", "-validityFrom", "validityTo"] {
            walk(&app, &clerk, "insurees", order, 40, "uuid").await;
        }
        assert_eq!(
            app.err_code(Some(&admin), r#"{ families(first: 10, orderBy: ["headInsuree__salary"]) { totalCount } }"#).await,
            "input.invalid_order"
        );
    })
    .await;
}
