//! Test data that many scenarios build the same way: demo locations, users and principals with
//! chosen rights, products, families, policies, contributions and payers, created through the
//! GraphQL API as a client would, plus the GraphQL mutations they send. Scenarios of the central
//! crate and of the module crates (`imis_tests::fixtures::…`) share them, so that a change of an
//! input shape is made once.
//!
//! The look-ups read the demo data by code or name (current rows only) and fail the test when
//! the row is missing.

use crate::{TestApp, one_i64, one_uuid};
use chrono::NaiveDate;
use imis_core::auth::Principal;
use serde_json::{Value, json};

// The look-ups' queries, by the key they take.
const CURRENT_LOCATION_ID: &str =
    "SELECT id FROM core_location WHERE code = ? AND validity_to IS NULL";
const CURRENT_LOCATION_UUID: &str =
    "SELECT uuid FROM core_location WHERE code = ? AND validity_to IS NULL";
const CURRENT_USER_ID: &str = "SELECT id FROM core_user WHERE username = ? AND validity_to IS NULL";
const CURRENT_PRODUCT_ID: &str =
    "SELECT id FROM product_product WHERE code = ? AND validity_to IS NULL";
const PRODUCT_UUID: &str = "SELECT uuid FROM product_product WHERE id = ?";
const CURRENT_PAYER_ID: &str =
    "SELECT id FROM payment_payer WHERE name = ? AND validity_to IS NULL";
const PAYER_UUID: &str = "SELECT uuid FROM payment_payer WHERE id = ?";

/// GraphQL mutations taking their input as the variable `$i`, answering the new row's
/// `internalId`.
pub mod mutations {
    /// The mutation `field` taking a `input_type` as `$i`.
    macro_rules! taking_input {
        ($field:literal, $input_type:literal) => {
            concat!(
                "mutation($i: ",
                $input_type,
                "!) { ",
                $field,
                "(input: $i) { internalId } }"
            )
        };
    }

    pub const CREATE_PRODUCT: &str = taking_input!("createProduct", "CreateProductMutationInput");
    pub const UPDATE_PRODUCT: &str = taking_input!("updateProduct", "UpdateProductMutationInput");
    pub const CREATE_POLICY: &str = taking_input!("createPolicy", "CreatePolicyMutationInput");
    pub const UPDATE_POLICY: &str = taking_input!("updatePolicy", "UpdatePolicyMutationInput");
    pub const CREATE_PREMIUM: &str = taking_input!("createPremium", "CreatePremiumMutationInput");
    pub const UPDATE_PREMIUM: &str = taking_input!("updatePremium", "UpdatePremiumMutationInput");
    pub const CREATE_PAYER: &str = taking_input!("createPayer", "CreatePayerMutationInput");
    pub const ADD_FUNDING: &str = taking_input!("addFunding", "AddFundingMutationInput");
    pub const CREATE_PAYMENT: &str = taking_input!("createPayment", "CreatePaymentMutationInput");
}

/// A fresh time-ordered uuid, as clients send for the rows they create.
pub fn new_uuid() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A date as GraphQL `Date` inputs take it (`2026-12-07`).
pub fn date_string(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The application clock's today, as GraphQL `Date` inputs take it.
pub fn today_string(app: &TestApp) -> String {
    date_string(app.state.clock.today())
}

/// The id of the current location with this code.
pub async fn location_id(app: &TestApp, code: &str) -> i64 {
    one_i64(app, CURRENT_LOCATION_ID, vec![code.into()]).await
}

/// The uuid of the current location with this code.
pub async fn location_uuid(app: &TestApp, code: &str) -> String {
    one_uuid(app, CURRENT_LOCATION_UUID, vec![code.into()]).await
}

/// The first village (lowest id) of a district, by the district's code.
pub async fn first_village(app: &TestApp, district: &str) -> i64 {
    village(app, district, 0).await
}

/// The `n`-th village (0 = lowest id) of a district, by the district's code.
pub async fn village(app: &TestApp, district: &str, n: i64) -> i64 {
    one_i64(
        app,
        &format!(
            "SELECT v.id FROM core_location v JOIN core_location w ON w.id = v.parent_id \
             JOIN core_location dd ON dd.id = w.parent_id \
             WHERE dd.code = ? AND v.type = 'V' AND v.validity_to IS NULL ORDER BY v.id LIMIT 1 OFFSET {n}"
        ),
        vec![district.into()],
    )
    .await
}

/// The id of the current user with this username.
pub async fn user_id(app: &TestApp, username: &str) -> i64 {
    one_i64(app, CURRENT_USER_ID, vec![username.into()]).await
}

/// The principal of a demo user holding exactly `rights` (its locations unchanged).
pub async fn principal_with_rights(app: &TestApp, username: &str, rights: &[i32]) -> Principal {
    let mut principal = app.principal(username).await;
    principal.rights = rights.iter().copied().collect();
    principal
}

/// Creates an interactive user holding the system role `role_code` (e.g. 32, Scheme
/// Administrator), restricted to the districts `district_codes`, and returns its principal.
pub async fn user_with_role_in_districts(
    app: &TestApp,
    username: &str,
    password: &str,
    (last_name, other_names): (&str, &str),
    role_code: i64,
    district_codes: &[&str],
) -> Principal {
    let mut districts = Vec::with_capacity(district_codes.len());
    for code in district_codes {
        districts.push(location_id(app, code).await);
    }
    let role = imis_core::users::service::system_role(&app.state.db.conn, role_code)
        .await
        .expect("system role");
    imis_core::users::service::insert_user_unchecked(
        &app.state.db.conn,
        username,
        password,
        last_name,
        other_names,
        imis_core::auth::UserKinds {
            interactive: true,
            ..Default::default()
        },
        &[role.id],
        &districts,
        &[],
        None,
    )
    .await
    .expect("user");
    app.principal(username).await
}

/// The id of the current product with this code.
pub async fn product_id(app: &TestApp, code: &str) -> i64 {
    one_i64(app, CURRENT_PRODUCT_ID, vec![code.into()]).await
}

/// The uuid of the product with this id.
pub async fn product_uuid_of(app: &TestApp, id: i64) -> String {
    one_uuid(app, PRODUCT_UUID, vec![id.into()]).await
}

/// A kind of medical act: the medical module's items or services.
#[derive(Debug, Clone, Copy)]
pub enum Medical {
    Item,
    Service,
}

impl Medical {
    fn table(self) -> &'static str {
        match self {
            Medical::Item => "medical_item",
            Medical::Service => "medical_service",
        }
    }
}

/// The id and uuid of the current item or service with `code`.
pub async fn medical_id(app: &TestApp, kind: Medical, code: &str) -> (i64, String) {
    let table = kind.table();
    let id = one_i64(
        app,
        &format!("SELECT id FROM {table} WHERE code = ? AND validity_to IS NULL"),
        vec![code.into()],
    )
    .await;
    let uuid = one_uuid(
        app,
        &format!("SELECT uuid FROM {table} WHERE id = ?"),
        vec![id.into()],
    )
    .await;
    (id, uuid)
}

/// The uuids of the current items or services, by code.
pub async fn medical_uuids(app: &TestApp, kind: Medical) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let sql = format!(
        "SELECT uuid FROM {} WHERE validity_to IS NULL ORDER BY code",
        kind.table()
    );
    app.state
        .db
        .conn
        .query_all_raw(imis_core::db::stmt(app.state.db.backend(), &sql, vec![]))
        .await
        .expect("medical rows")
        .iter()
        .map(|r| {
            r.try_get::<uuid::Uuid>("", "uuid")
                .expect("uuid")
                .to_string()
        })
        .collect()
}

/// A national product's input: sold 2020–2035, 12 months, at most 8 members, this lump sum;
/// every field of `extra` is added (or replaces the default).
pub fn product_input_with_lump_sum(code: &str, lump_sum: &str, extra: Value) -> Value {
    let mut input = json!({
        "code": code,
        "name": format!("Produit {code}"),
        "dateFrom": "2020-01-01",
        "dateTo": "2035-12-31",
        "insurancePeriod": 12,
        "lumpSum": lump_sum,
        "maxMembers": 8,
    });
    for (key, value) in extra.as_object().expect("extra is an object") {
        input[key] = value.clone();
    }
    input
}

/// [`product_input_with_lump_sum`] with a lump sum of 10000.
pub fn product_input(code: &str, extra: Value) -> Value {
    product_input_with_lump_sum(code, "10000", extra)
}

/// Creates the product of `input` (see [`product_input`]) as `who`; returns its id.
pub async fn create_product_from(app: &TestApp, who: &Principal, input: &Value) -> i64 {
    app.ok_vars(Some(who), mutations::CREATE_PRODUCT, json!({ "i": input }))
        .await;
    product_id(app, input["code"].as_str().expect("product code")).await
}

/// Creates the product [`product_input`]`(code, extra)` as `who`; returns (id, uuid).
pub async fn create_product(
    app: &TestApp,
    who: &Principal,
    code: &str,
    extra: Value,
) -> (i64, String) {
    let id = create_product_from(app, who, &product_input(code, extra)).await;
    (id, product_uuid_of(app, id).await)
}

/// The id of the current family whose head has the insurance number `chf_id`.
pub async fn family_id_of_head(app: &TestApp, chf_id: &str) -> i64 {
    one_i64(
        app,
        "SELECT f.id FROM insuree_family f JOIN insuree_insuree i ON i.id = f.head_insuree_id \
         WHERE i.chf_id = ? AND f.validity_to IS NULL AND i.validity_to IS NULL",
        vec![chf_id.into()],
    )
    .await
}

/// The uuid of family `id`.
pub async fn family_uuid(app: &TestApp, id: i64) -> String {
    one_uuid(
        app,
        "SELECT uuid FROM insuree_family WHERE id = ?",
        vec![id.into()],
    )
    .await
}

/// The id of the current insuree with the insurance number `chf_id`.
pub async fn insuree_id(app: &TestApp, chf_id: &str) -> i64 {
    one_i64(
        app,
        "SELECT id FROM insuree_insuree WHERE chf_id = ? AND validity_to IS NULL",
        vec![chf_id.into()],
    )
    .await
}

/// The uuid of the current insuree with the insurance number `chf_id`.
pub async fn insuree_uuid(app: &TestApp, chf_id: &str) -> String {
    one_uuid(
        app,
        "SELECT uuid FROM insuree_insuree WHERE chf_id = ? AND validity_to IS NULL",
        vec![chf_id.into()],
    )
    .await
}

/// Moves family `family` to `village` behind the services' back, as a data fix would.
pub async fn move_family(app: &TestApp, family: i64, village: i64) {
    execute(
        app,
        "UPDATE insuree_family SET location_id = ? WHERE id = ?",
        vec![village.into(), family.into()],
    )
    .await;
}

/// The id of the current facility with `code`.
pub async fn facility_id(app: &TestApp, code: &str) -> i64 {
    one_i64(
        app,
        "SELECT id FROM core_health_facility WHERE code = ? AND validity_to IS NULL",
        vec![code.into()],
    )
    .await
}

/// The uuid of the current facility with `code`.
pub async fn facility_uuid(app: &TestApp, code: &str) -> String {
    one_uuid(
        app,
        "SELECT uuid FROM core_health_facility WHERE code = ? AND validity_to IS NULL",
        vec![code.into()],
    )
    .await
}

/// How many facility rows (any version) have `code`.
pub async fn facility_rows(app: &TestApp, code: &str) -> i64 {
    one_i64(
        app,
        "SELECT COUNT(*) FROM core_health_facility WHERE code = ?",
        vec![code.into()],
    )
    .await
}

/// The id of the policy with `uuid`.
pub async fn policy_id(app: &TestApp, uuid: &str) -> i64 {
    let uuid = uuid::Uuid::parse_str(uuid).expect("policy uuid");
    one_i64(
        app,
        "SELECT id FROM policy_policy WHERE uuid = ?",
        vec![uuid.into()],
    )
    .await
}

/// How many policy rows there are, versions included.
pub async fn policy_rows(app: &TestApp) -> i64 {
    one_i64(app, "SELECT COUNT(*) FROM policy_policy", vec![]).await
}

/// How many current policies family `family` has.
pub async fn current_policies_of_family(app: &TestApp, family: i64) -> i64 {
    one_i64(
        app,
        "SELECT COUNT(*) FROM policy_policy WHERE family_id = ? AND validity_to IS NULL",
        vec![family.into()],
    )
    .await
}

/// Sets the enrolment officer of the policy with `uuid` behind the services' back.
pub async fn set_policy_officer(app: &TestApp, uuid: &str, officer: i64) {
    let uuid = uuid::Uuid::parse_str(uuid).expect("policy uuid");
    execute(
        app,
        "UPDATE policy_policy SET officer_id = ? WHERE uuid = ?",
        vec![officer.into(), uuid.into()],
    )
    .await;
}

/// Current policies whose paid total differs from the sum of their valid premiums that are not
/// photo fees (the figure the payment module keeps on the policy).
pub async fn policies_paid_unlike_premiums(app: &TestApp) -> i64 {
    one_i64(
        app,
        "SELECT COUNT(*) FROM policy_policy p WHERE p.validity_to IS NULL AND p.paid <> \
         (SELECT COALESCE(SUM(x.amount), 0) FROM payment_premium x \
          WHERE x.policy_id = p.id AND x.validity_to IS NULL AND x.is_photo_fee = ?)",
        vec![false.into()],
    )
    .await
}

/// The insurance numbers of the insurees listed in renewal `renewal_id`, in order.
pub async fn renewal_chf_ids(app: &TestApp, renewal_id: i64) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .conn
        .query_all_raw(imis_core::db::stmt(
            app.state.db.backend(),
            "SELECT i.chf_id FROM policy_renewal_detail r JOIN insuree_insuree i ON i.id = r.insuree_id \
             WHERE r.renewal_id = ? ORDER BY i.chf_id",
            vec![renewal_id.into()],
        ))
        .await
        .expect("renewal details")
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).expect("chf_id"))
        .collect()
}

async fn execute(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .conn
        .execute_raw(imis_core::db::stmt(app.state.db.backend(), sql, values))
        .await
        .expect(sql);
}

/// Creates, as `who`, a household family of `village` whose head (a married man born
/// 1980-03-01, last name `Famille<chf_id>`) has the insurance number `chf_id`; returns its id.
pub async fn create_family(app: &TestApp, who: &Principal, village: i64, chf_id: &str) -> i64 {
    app.ok(
        Some(who),
        &format!(
            r#"mutation {{ createFamily(input: {{ locationId: {village}, familyTypeId: "H", poverty: false,
                headInsuree: {{ chfId: "{chf_id}", lastName: "Famille{chf_id}", otherNames: "Chef", genderId: "M", dob: "1980-03-01", marital: "M" }} }}) {{ internalId }} }}"#
        ),
    )
    .await;
    family_id_of_head(app, chf_id).await
}

/// The input of a policy of `family` for `product`, enrolled today by the officer with user id
/// `officer_id`, under a fresh uuid (`input["uuid"]`).
pub fn policy_input_today(app: &TestApp, family: i64, product: i64, officer_id: i64) -> Value {
    json!({ "uuid": new_uuid(), "familyId": family, "productId": product, "officerId": officer_id,
        "enrollDate": today_string(app) })
}

/// Creates, as `who`, a policy of `family` for `product` enrolled today by the officer
/// `officer_username`; returns the policy's uuid.
pub async fn create_policy_today(
    app: &TestApp,
    who: &Principal,
    family: i64,
    product: i64,
    officer_username: &str,
) -> String {
    let officer = user_id(app, officer_username).await;
    let input = policy_input_today(app, family, product, officer);
    app.ok_vars(Some(who), mutations::CREATE_POLICY, json!({ "i": input }))
        .await;
    input["uuid"].as_str().expect("uuid").to_string()
}

/// Creates, as `who`, a cash contribution paid today to the policy `policy_uuid`, optionally by
/// the payer `payer_uuid`; returns the contribution's uuid.
pub async fn create_premium_today(
    app: &TestApp,
    who: &Principal,
    policy_uuid: &str,
    amount: &str,
    receipt: &str,
    payer_uuid: Option<&str>,
) -> String {
    let uuid = new_uuid();
    let mut input = json!({ "uuid": uuid, "policyUuid": policy_uuid, "amount": amount,
        "receipt": receipt, "payDate": today_string(app), "payType": "C" });
    if let Some(payer) = payer_uuid {
        input["payerUuid"] = json!(payer);
    }
    app.ok_vars(Some(who), mutations::CREATE_PREMIUM, json!({ "i": input }))
        .await;
    uuid
}

/// Creates, as `who`, a government payer named `name` at the location `location_code`;
/// returns (id, uuid).
pub async fn create_payer(
    app: &TestApp,
    who: &Principal,
    name: &str,
    location_code: &str,
) -> (i64, String) {
    let location = location_uuid(app, location_code).await;
    app.ok_vars(
        Some(who),
        mutations::CREATE_PAYER,
        json!({ "i": { "name": name, "type": "G", "locationUuid": location } }),
    )
    .await;
    let id = one_i64(app, CURRENT_PAYER_ID, vec![name.into()]).await;
    (id, one_uuid(app, PAYER_UUID, vec![id.into()]).await)
}

/// The node of the one edge of the connection `data[list]`, failing when there is not exactly
/// one.
pub fn single_node(data: &Value, list: &str) -> Value {
    let edges = data[list]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 1, "{data}");
    edges[0]["node"].clone()
}

/// The `field` of every node of the connection `data[list]`, in order.
pub fn node_fields(data: &Value, list: &str, field: &str) -> Vec<Value> {
    data[list]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"][field].clone())
        .collect()
}

/// The (id, uuid) of the first role the `role` list answers to `who` for `filter` (GraphQL
/// arguments, e.g. `isSystem: true, name: "Clerk"`), failing when there is none.
pub async fn role(app: &TestApp, who: &Principal, filter: &str) -> (i64, String) {
    let data = app
        .ok(
            Some(who),
            &format!("{{ role({filter}) {{ edges {{ node {{ id uuid }} }} }} }}"),
        )
        .await;
    let node = &data["role"]["edges"][0]["node"];
    let id = imis_core::graphql::parse_pk(
        node["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no role {filter}")),
        "RoleGQLType",
    )
    .expect("role id");
    (id, node["uuid"].as_str().expect("role uuid").to_string())
}

/// The `tokenAuth` login of `username` (a response, so that refusals can be checked).
pub async fn login(app: &TestApp, username: &str, password: &str) -> async_graphql::Response {
    app.exec(
        None,
        &format!(
            r#"mutation {{ tokenAuth(username: "{username}", password: "{password}") {{ token refreshToken refreshExpiresIn payload }} }}"#
        ),
    )
    .await
}

/// Logs `username` in, failing the test when refused; returns (token, refresh token).
pub async fn login_tokens(app: &TestApp, username: &str, password: &str) -> (String, String) {
    let response = login(app, username, password).await;
    assert!(
        response.errors.is_empty(),
        "login of {username}: {:?}",
        response.errors
    );
    let data = response.data.into_json().expect("json");
    let token = |field: &str| {
        data["tokenAuth"][field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} for {username}"))
            .to_string()
    };
    (token("token"), token("refreshToken"))
}

/// The credentials of a request carrying `token` as a bearer token.
pub fn bearer(token: &str) -> imis_core::auth::request::Credentials {
    imis_core::auth::request::Credentials {
        authorization: Some(format!("Bearer {token}")),
        ..Default::default()
    }
}

/// The node `field` of the first edge of the `locations` list answered to `who` for `filter`.
async fn first_location_field(app: &TestApp, who: &Principal, filter: &str, field: &str) -> String {
    app.ok(
        Some(who),
        &format!("{{ locations({filter}) {{ edges {{ node {{ {field} }} }} }} }}"),
    )
    .await["locations"]["edges"][0]["node"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no location for {filter}"))
        .to_string()
}

/// The first village of the first ward of a district, found as a client finds it (the
/// `locations` list, as `who`); returns its id.
pub async fn first_village_listed(app: &TestApp, who: &Principal, district: &str) -> i64 {
    let first_child =
        |kind: &str, parent: &str| format!(r#"type: "{kind}", parent_Uuid: "{parent}", first: 1"#);
    let district = first_location_field(app, who, &format!(r#"code: "{district}""#), "uuid").await;
    let ward = first_location_field(app, who, &first_child("W", &district), "uuid").await;
    let village = first_location_field(app, who, &first_child("V", &ward), "id").await;
    imis_core::graphql::parse_pk(&village, "LocationGQLType").expect("village id")
}

/// The `createFamily` mutation of a household family of `village` whose head, a married woman
/// named `<last_name> Élodie` born 1985-04-12, has the insurance number `chf_id`; `head_extra`
/// adds fields to the head's input (e.g. `, phone: "…"`).
pub fn create_family_mutation(
    village: i64,
    chf_id: &str,
    last_name: &str,
    head_extra: &str,
) -> String {
    format!(
        r#"mutation {{ createFamily(input: {{ locationId: {village}, familyTypeId: "H", poverty: false, headInsuree: {{ chfId: "{chf_id}", lastName: "{last_name}", otherNames: "Élodie", genderId: "F", dob: "1985-04-12", marital: "M" {head_extra} }} }}) {{ internalId }} }}"#
    )
}
