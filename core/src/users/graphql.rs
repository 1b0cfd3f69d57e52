//! GraphQL of users, roles, auth and the mutation log, with openIMIS names.

use super::service::{self, RoleInput, UserInput};
use crate::auth::request::{Credentials, JWT_COOKIE, SESSION_COOKIE, principal_of_token};
use crate::auth::{Requirement, UserKinds, require, require_user, tokens};
use crate::connection_type;
use crate::entity::{mutation_log, role, role_right, user};
use crate::error::{AppError, ErrorKind};
use crate::graphql::connection::{PageArgs, fetch_page, wants_total};
use crate::graphql::scalars::{Date, DateTime, GenericScalar, JsonString};
use crate::graphql::{
    GqlResult, MutationEnvelopeInput, global_id, lang, parse_uuid, principal, run_mutation,
    run_mutation_with_secrets, state,
};
use crate::mutation_payload;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

connection_type!(
    UserConnection,
    UserConnName,
    UserEdgeName,
    UserGQLType,
    "UserGQLType"
);
connection_type!(
    InteractiveUserConnection,
    InteractiveUserConnName,
    InteractiveUserEdgeName,
    InteractiveUserGQLType,
    "InteractiveUserGQLType"
);
connection_type!(
    OfficerConnection,
    OfficerConnName,
    OfficerEdgeName,
    OfficerGQLType,
    "OfficerGQLType"
);
connection_type!(
    ClaimAdminConnection,
    ClaimAdminConnName,
    ClaimAdminEdgeName,
    ClaimAdminGQLType,
    "ClaimAdminGQLType"
);
connection_type!(
    RoleConnection,
    RoleConnName,
    RoleEdgeName,
    RoleGQLType,
    "RoleGQLType"
);
connection_type!(
    RoleRightConnection,
    RoleRightConnName,
    RoleRightEdgeName,
    RoleRightGQLType,
    "RoleRightGQLType"
);
connection_type!(
    MutationLogConnection,
    MutationLogConnName,
    MutationLogEdgeName,
    MutationLogGQLType,
    "MutationLogGQLType"
);

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, serde::Serialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum UserTypes {
    Interactive,
    Officer,
    Technical,
    ClaimAdmin,
}

fn kinds_of(types: &[UserTypes]) -> UserKinds {
    UserKinds {
        interactive: types.contains(&UserTypes::Interactive),
        officer: types.contains(&UserTypes::Officer),
        claim_admin: types.contains(&UserTypes::ClaimAdmin),
        technical: types.contains(&UserTypes::Technical),
    }
}

/// Case-insensitive substring match on an ASCII-ish column (usernames, codes, role names),
/// identical on SQLite and PostgreSQL.
fn icontains(col: impl sea_orm::ColumnTrait, v: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    let pattern = format!("%{}%", crate::text::like_escape(&v.to_lowercase()));
    Expr::expr(Func::lower(Expr::col(col)))
        .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\'))
}

fn tz(ctx: &Context<'_>) -> chrono_tz::Tz {
    state(ctx).clock.tz
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "LanguageGQLType")]
pub struct LanguageGQLType {
    pub code: String,
    pub name: String,
    pub sort_order: Option<i32>,
}

fn language(code: &str) -> LanguageGQLType {
    let (c, n, o) = service::LANGUAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .copied()
        .unwrap_or(("en", "English", 1));
    LanguageGQLType {
        code: c.into(),
        name: n.into(),
        sort_order: Some(o),
    }
}

/// A login (openIMIS `core_User` facade) with its kind-specific views.
#[derive(Clone)]
pub struct UserGQLType {
    pub user: user::Model,
    pub roles: Vec<role::Model>,
    /// Set on a historical version (D7).
    pub history_id: Option<i64>,
}

#[Object(name = "UserGQLType")]
impl UserGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("UserGQLTypeHistory", h),
            None => global_id("UserGQLType", self.user.uuid),
        }
    }
    /// On a historical version, the id of the current row.
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.user.id)
    }
    async fn uuid(&self) -> String {
        self.user.uuid.to_string()
    }
    async fn username(&self) -> &str {
        &self.user.username
    }
    async fn i_user(&self) -> Option<InteractiveUserGQLType> {
        self.user.is_interactive.then(|| InteractiveUserGQLType {
            user: self.user.clone(),
            roles: self.roles.clone(),
        })
    }
    async fn officer(&self) -> Option<OfficerGQLType> {
        self.user
            .is_officer
            .then(|| OfficerGQLType(self.user.clone()))
    }
    async fn claim_admin(&self) -> Option<ClaimAdminGQLType> {
        self.user
            .is_claim_admin
            .then(|| ClaimAdminGQLType(self.user.clone()))
    }
    async fn user_types(&self) -> Vec<UserTypes> {
        let u = &self.user;
        [
            (u.is_interactive, UserTypes::Interactive),
            (u.is_officer, UserTypes::Officer),
            (u.is_claim_admin, UserTypes::ClaimAdmin),
            (u.is_technical, UserTypes::Technical),
        ]
        .into_iter()
        .filter_map(|(on, t)| on.then_some(t))
        .collect()
    }
    async fn last_name(&self) -> &str {
        &self.user.last_name
    }
    async fn other_names(&self) -> &str {
        &self.user.other_names
    }
    async fn email(&self) -> Option<&str> {
        self.user.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.user.phone.as_deref()
    }
    async fn health_facility_id(&self) -> Option<i64> {
        self.user.health_facility_id
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.user.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.user
            .validity_to
            .map(|t| DateTime::from_utc(t, tz(ctx)))
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
    /// The rights of this login (strings, as openIMIS returns them); only for oneself or a user manager.
    async fn rights(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        if p.user_id != self.user.id && !p.has_right(service::RIGHT_USER_SEARCH) {
            return Err(AppError::forbidden().to_gql(&lang(ctx)));
        }
        let (rights, admin) = service::rights_of(&state(ctx).db.conn, self.user.id)
            .await
            .gql(ctx)?;
        let all: std::collections::BTreeSet<i32> = if admin {
            crate::rights::all_rights()
                .iter()
                .map(|(_, r)| r.code)
                .chain(rights)
                .collect()
        } else {
            rights
        };
        Ok(all.into_iter().map(|r| r.to_string()).collect())
    }
}

#[derive(Clone)]
pub struct InteractiveUserGQLType {
    pub user: user::Model,
    pub roles: Vec<role::Model>,
}

#[Object(name = "InteractiveUserGQLType")]
impl InteractiveUserGQLType {
    pub async fn id(&self) -> ID {
        global_id("InteractiveUserGQLType", self.user.id)
    }
    async fn uuid(&self) -> String {
        self.user.uuid.to_string()
    }
    async fn last_name(&self) -> &str {
        &self.user.last_name
    }
    async fn other_names(&self) -> &str {
        &self.user.other_names
    }
    async fn phone(&self) -> Option<&str> {
        self.user.phone.as_deref()
    }
    async fn login_name(&self) -> &str {
        &self.user.username
    }
    async fn email(&self) -> Option<&str> {
        self.user.email.as_deref()
    }
    async fn last_login(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.user.last_login.map(|t| DateTime::from_utc(t, tz(ctx)))
    }
    async fn health_facility_id(&self) -> Option<i64> {
        self.user.health_facility_id
    }
    async fn language(&self) -> LanguageGQLType {
        language(&self.user.language)
    }
    async fn language_id(&self) -> &str {
        &self.user.language
    }
    async fn is_associated(&self) -> bool {
        self.user.is_officer || self.user.is_claim_admin
    }
    async fn roles(&self) -> Vec<RoleGQLType> {
        self.roles
            .iter()
            .cloned()
            .map(|r| RoleGQLType {
                role: r,
                rights: vec![],
                history_id: None,
            })
            .collect()
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.user.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.user
            .validity_to
            .map(|t| DateTime::from_utc(t, tz(ctx)))
    }
}

#[derive(Clone)]
pub struct OfficerGQLType(pub user::Model);

#[Object(name = "OfficerGQLType")]
impl OfficerGQLType {
    pub async fn id(&self) -> ID {
        global_id("OfficerGQLType", self.0.id)
    }
    async fn uuid(&self) -> String {
        self.0.uuid.to_string()
    }
    async fn code(&self) -> String {
        self.0
            .officer_code
            .clone()
            .unwrap_or_else(|| self.0.username.clone())
    }
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    async fn other_names(&self) -> &str {
        &self.0.other_names
    }
    async fn dob(&self) -> Option<Date> {
        self.0.birth_date.map(Date)
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    async fn works_to(&self) -> Option<DateTime> {
        self.0
            .works_to
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(DateTime)
    }
    async fn phone_communication(&self) -> Option<bool> {
        self.0.phone_communication
    }
    async fn has_login(&self) -> bool {
        true
    }
    async fn location_id(&self) -> Option<i64> {
        self.0.officer_location_id
    }
    async fn substitution_officer_id(&self) -> Option<i64> {
        self.0.substitution_officer_id
    }
}

#[derive(Clone)]
pub struct ClaimAdminGQLType(pub user::Model);

#[Object(name = "ClaimAdminGQLType")]
impl ClaimAdminGQLType {
    pub async fn id(&self) -> ID {
        global_id("ClaimAdminGQLType", self.0.id)
    }
    async fn uuid(&self) -> String {
        self.0.uuid.to_string()
    }
    async fn code(&self) -> &str {
        &self.0.username
    }
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    async fn other_names(&self) -> &str {
        &self.0.other_names
    }
    async fn dob(&self) -> Option<Date> {
        self.0.birth_date.map(Date)
    }
    async fn email_id(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn health_facility_id(&self) -> Option<i64> {
        self.0.health_facility_id
    }
    async fn has_login(&self) -> bool {
        true
    }
}

#[derive(Clone)]
pub struct RoleGQLType {
    pub role: role::Model,
    pub rights: Vec<role_right::Model>,
    /// Set on a historical version (D7).
    pub history_id: Option<i64>,
}

#[Object(name = "RoleGQLType")]
impl RoleGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("RoleGQLTypeHistory", h),
            None => global_id("RoleGQLType", self.role.id),
        }
    }
    /// On a historical version, the id of the current row.
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.role.id)
    }
    async fn uuid(&self) -> String {
        self.role.uuid.to_string()
    }
    async fn name(&self) -> &str {
        &self.role.name
    }
    async fn alt_language(&self) -> Option<&str> {
        self.role.alt_language.as_deref()
    }
    async fn is_system(&self) -> i64 {
        self.role.is_system
    }
    async fn is_blocked(&self) -> bool {
        self.role.is_blocked
    }
    async fn system_role_id(&self) -> Option<i64> {
        (self.role.is_system != 0).then_some(self.role.is_system)
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.role.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.role
            .validity_to
            .map(|t| DateTime::from_utc(t, tz(ctx)))
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.role.audit_user_id
    }
    /// The role's current rights (loaded with the page of roles).
    async fn rights(&self) -> Vec<RoleRightGQLType> {
        self.rights
            .iter()
            .cloned()
            .map(|r| RoleRightGQLType {
                right: r,
                role: None,
            })
            .collect()
    }
}

#[derive(Clone)]
pub struct RoleRightGQLType {
    pub right: role_right::Model,
    pub role: Option<role::Model>,
}

#[Object(name = "RoleRightGQLType")]
impl RoleRightGQLType {
    pub async fn id(&self) -> ID {
        global_id("RoleRightGQLType", self.right.id)
    }
    async fn right_id(&self) -> i32 {
        self.right.right_id
    }
    async fn role(&self) -> Option<RoleGQLType> {
        self.role.clone().map(|r| RoleGQLType {
            role: r,
            rights: vec![],
            history_id: None,
        })
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.right.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.right
            .validity_to
            .map(|t| DateTime::from_utc(t, tz(ctx)))
    }
}

#[derive(Clone)]
pub struct MutationLogGQLType(pub mutation_log::Model);

#[Object(name = "MutationLogGQLType")]
impl MutationLogGQLType {
    pub async fn id(&self) -> ID {
        global_id("MutationLogGQLType", self.0.uuid)
    }
    async fn json_content(&self) -> &str {
        &self.0.json_content
    }
    async fn request_date_time(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.0.request_date_time, tz(ctx))
    }
    async fn client_mutation_id(&self) -> Option<&str> {
        self.0.client_mutation_id.as_deref()
    }
    async fn client_mutation_label(&self) -> Option<&str> {
        self.0.client_mutation_label.as_deref()
    }
    async fn client_mutation_details(&self) -> Option<&str> {
        self.0.client_mutation_details.as_deref()
    }
    async fn status(&self) -> i32 {
        self.0.status
    }
    /// JSON list of `{message, detail, code}` when the mutation failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    async fn autogenerated_code(&self) -> Option<&str> {
        self.0.autogenerated_code.as_deref()
    }
    /// Warnings (`{"warnings": [{code, params}]}`) and statistics.
    async fn json_ext(&self) -> Option<JsonString> {
        self.0
            .json_ext
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .map(JsonString)
    }
    /// Objects the mutation created or changed: `[{entity, id}]`.
    async fn objects(&self, ctx: &Context<'_>) -> Result<Vec<MutationLogObject>> {
        let st = state(ctx);
        let rows = sea_orm::ConnectionTrait::query_all_raw(
            &st.db.conn,
            crate::db::stmt(st.db.backend(), "SELECT entity, entity_id FROM core_mutation_log_object WHERE mutation_id = ? ORDER BY id", vec![self.0.id.into()]),
        )
        .await
        .map_err(AppError::from)
        .gql(ctx)?;
        rows.iter()
            .map(|r| {
                Ok(MutationLogObject {
                    entity: r.try_get("", "entity")?,
                    entity_id: r.try_get("", "entity_id")?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sea_orm::DbErr>>()
            .map_err(AppError::from)
            .gql(ctx)
    }
}

#[derive(SimpleObject, Clone)]
pub struct MutationLogObject {
    pub entity: String,
    pub entity_id: i64,
}

#[derive(SimpleObject)]
#[graphql(name = "OpenimisObtainJSONWebToken")]
pub struct ObtainJsonWebToken {
    pub payload: GenericScalar,
    pub refresh_expires_in: i64,
    pub token: String,
    /// Ours (D2): the refresh token, for clients that do not use the cookie.
    pub refresh_token: String,
}

#[derive(SimpleObject)]
#[graphql(name = "Refresh")]
pub struct Refresh {
    pub payload: GenericScalar,
    pub refresh_expires_in: i64,
    pub token: String,
}

#[derive(SimpleObject)]
#[graphql(name = "Verify")]
pub struct Verify {
    pub payload: GenericScalar,
}

#[derive(SimpleObject)]
#[graphql(name = "Revoke")]
pub struct Revoke {
    pub revoked: i64,
}

#[derive(SimpleObject)]
pub struct CsrfTokenPayload {
    pub csrf_token: String,
}

#[derive(SimpleObject)]
pub struct DeleteCookiePayload {
    pub deleted: bool,
}

#[derive(SimpleObject)]
#[graphql(name = "ModuleConfigurationGQLType")]
pub struct ModuleConfigurationGQLType {
    pub id: String,
    pub module: String,
    pub layer: String,
    pub version: String,
    /// JSON-encoded configuration.
    pub config: String,
    pub is_exposed: bool,
    pub controls: Vec<FieldControlGQLType>,
}

#[derive(SimpleObject)]
#[graphql(name = "FieldControlGQLType")]
pub struct FieldControlGQLType {
    pub field: String,
    pub usage: Option<i32>,
}

#[derive(SimpleObject)]
#[graphql(name = "ModulePermissionsListGQLType")]
pub struct ModulePermissionsList {
    pub module_perms_list: Vec<ModulePermission>,
}

#[derive(SimpleObject)]
#[graphql(name = "ModulePermissionGQLType")]
pub struct ModulePermission {
    pub module_name: String,
    pub permissions: Vec<PermissionOpenImis>,
}

#[derive(SimpleObject)]
#[graphql(name = "PermissionOpenImisGQLType")]
pub struct PermissionOpenImis {
    pub perms_name: String,
    pub perms_value: i32,
}

fn page_args(
    first: Option<i32>,
    last: Option<i32>,
    after: Option<String>,
    before: Option<String>,
    offset: Option<i32>,
    order_by: Option<Vec<String>>,
) -> PageArgs {
    PageArgs {
        first,
        last,
        after,
        before,
        offset,
        order_by,
    }
}

fn cookie(state: &crate::app::AppState, name: &str, value: &str, max_age: i64) -> String {
    format!(
        "{name}={value}; HttpOnly; Max-Age={max_age}; Path=/; SameSite=Lax{}",
        if state.config.auth.cookie_secure {
            "; Secure"
        } else {
            ""
        }
    )
}

fn claims_payload(c: &tokens::Claims) -> GenericScalar {
    GenericScalar(
        serde_json::json!({ "username": c.username, "exp": c.exp, "origIat": c.orig_iat }),
    )
}

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The logged-in user.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<UserGQLType>> {
        // D2: anonymous callers may use only the token mutations and moduleConfigurations.
        let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let st = state(ctx);
        let u = service::find_user(&st.db.conn, p.user_id).await.gql(ctx)?;
        let roles = service::roles_of_users(&st.db.conn, &[u.id])
            .await
            .gql(ctx)?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        Ok(Some(UserGQLType {
            user: u,
            roles,
            history_id: None,
        }))
    }

    /// Users (right 121701), restricted to the caller's locations (D9).
    #[allow(clippy::too_many_arguments)]
    async fn users(
        &self,
        ctx: &Context<'_>,
        username: Option<String>,
        #[graphql(name = "username_Icontains")] username_icontains: Option<String>,
        last_name: Option<String>,
        other_names: Option<String>,
        email: Option<String>,
        phone: Option<String>,
        role_id: Option<i64>,
        roles: Option<Vec<i64>>,
        health_facility_id: Option<i64>,
        district_id: Option<i64>,
        village_id: Option<i64>,
        user_types: Option<Vec<UserTypes>>,
        language: Option<String>,
        show_deleted: Option<bool>,
        show_history: Option<bool>,
        str: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<UserConnection> {
        let p = require_user(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_USER_SEARCH]),
        )
        .gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = user::Entity::find();
        if !show_deleted.unwrap_or(false) {
            q = q.filter(user::Column::ValidityTo.is_null());
        }
        if let Some(v) = username {
            q = q.filter(user::Column::Username.eq(v));
        }
        if let Some(v) = username_icontains {
            q = q.filter(icontains(user::Column::Username, &v));
        }
        if let Some(v) = str {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(icontains(user::Column::Username, &v))
                    .add(user::Column::LastNameSearch.contains(crate::text::fold(&v)))
                    .add(user::Column::OtherNamesSearch.contains(crate::text::fold(&v))),
            );
        }
        if let Some(v) = last_name {
            q = q.filter(user::Column::LastNameSearch.contains(crate::text::fold(&v)));
        }
        if let Some(v) = other_names {
            q = q.filter(user::Column::OtherNamesSearch.contains(crate::text::fold(&v)));
        }
        if let Some(v) = email {
            q = q.filter(user::Column::Email.eq(v));
        }
        if let Some(v) = phone {
            q = q.filter(user::Column::Phone.eq(v));
        }
        if let Some(v) = language {
            q = q.filter(user::Column::Language.eq(v));
        }
        if let Some(v) = health_facility_id {
            q = q.filter(user::Column::HealthFacilityId.eq(v));
        }
        let role_filter: Vec<i64> = role_id
            .into_iter()
            .chain(roles.into_iter().flatten())
            .collect();
        if !role_filter.is_empty() {
            let ids = role_filter
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",");
            q = q.filter(sea_orm::sea_query::Expr::cust(format!("core_user.id IN (SELECT user_id FROM core_user_role WHERE validity_to IS NULL AND role_id IN ({ids}))")));
        }
        if let Some(d) = district_id {
            q = q.filter(sea_orm::sea_query::Expr::cust(format!("(core_user.id IN (SELECT user_id FROM core_user_district WHERE validity_to IS NULL AND location_id = {d}) OR core_user.officer_location_id = {d})")));
        }
        if let Some(v) = village_id {
            q = q.filter(sea_orm::sea_query::Expr::cust(format!("core_user.id IN (SELECT user_id FROM core_officer_village WHERE validity_to IS NULL AND location_id = {v})")));
        }
        if let Some(types) = user_types {
            let k = kinds_of(&types);
            let mut any = sea_orm::Condition::any();
            if k.interactive {
                any = any.add(user::Column::IsInteractive.eq(true));
            }
            if k.officer {
                any = any.add(user::Column::IsOfficer.eq(true));
            }
            if k.claim_admin {
                any = any.add(user::Column::IsClaimAdmin.eq(true));
            }
            if k.technical {
                any = any.add(user::Column::IsTechnical.eq(true));
            }
            q = q.filter(any);
        }
        q = scope_users(st, p, q).await.gql(ctx)?;
        let page = fetch_page(
            &st.db.conn,
            q,
            &page_args(first, last, after, before, offset, order_by),
            &[
                ("username", user::Column::Username),
                ("lastName", user::Column::LastNameSearch),
                ("otherNames", user::Column::OtherNames),
            ],
            user::Column::Id,
            &["username"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        let page = page
            .with_versions(&st.db.conn, "user", show_history.unwrap_or(false))
            .await
            .gql(ctx)?;
        let ids: Vec<i64> = page.rows.iter().map(|(_, (u, _))| u.id).collect();
        let roles = service::roles_of_users(&st.db.conn, &ids).await.gql(ctx)?;
        Ok(page.into_connection(|(u, history_id)| {
            let r = roles
                .iter()
                .filter(|(uid, _)| *uid == u.id)
                .map(|(_, r)| r.clone())
                .collect();
            UserGQLType {
                user: u,
                roles: r,
                history_id,
            }
        }))
    }

    /// Interactive users (right 121701).
    #[allow(clippy::too_many_arguments)]
    async fn interactive_users(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "lastName_Icontains")] last_name_icontains: Option<String>,
        #[graphql(name = "otherNames_Icontains")] other_names_icontains: Option<String>,
        #[graphql(name = "loginName_Iexact")] login_name_iexact: Option<String>,
        #[graphql(name = "email_Iexact")] email_iexact: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<InteractiveUserConnection> {
        let p = require_user(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_USER_SEARCH]),
        )
        .gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = user::Entity::find()
            .filter(user::Column::ValidityTo.is_null())
            .filter(user::Column::IsInteractive.eq(true));
        if let Some(v) = last_name_icontains {
            q = q.filter(user::Column::LastNameSearch.contains(crate::text::fold(&v)));
        }
        if let Some(v) = other_names_icontains {
            q = q.filter(user::Column::OtherNamesSearch.contains(crate::text::fold(&v)));
        }
        if let Some(v) = login_name_iexact {
            q = q.filter(user::Column::Username.eq(v));
        }
        if let Some(v) = email_iexact {
            q = q.filter(user::Column::Email.eq(v));
        }
        q = scope_users(st, p, q).await.gql(ctx)?;
        let page = fetch_page(
            &st.db.conn,
            q,
            &page_args(first, last, after, before, offset, order_by),
            &[
                ("loginName", user::Column::Username),
                ("lastName", user::Column::LastNameSearch),
            ],
            user::Column::Id,
            &["loginName"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        let ids: Vec<i64> = page.rows.iter().map(|(_, u)| u.id).collect();
        let roles = service::roles_of_users(&st.db.conn, &ids).await.gql(ctx)?;
        Ok(page.into_connection(|u| {
            let r = roles
                .iter()
                .filter(|(uid, _)| *uid == u.id)
                .map(|(_, r)| r.clone())
                .collect();
            InteractiveUserGQLType { user: u, roles: r }
        }))
    }

    /// Enrolment officers (right 121501 or policy rights), restricted to the caller's locations.
    #[allow(clippy::too_many_arguments)]
    async fn enrolment_officers(
        &self,
        ctx: &Context<'_>,
        str: Option<String>,
        code: Option<String>,
        #[graphql(name = "lastName_Icontains")] last_name_icontains: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<OfficerConnection> {
        let p = require_user(
            principal(ctx),
            Requirement::AnyOf(&[121501, 101201, 101202]),
        )
        .gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = user::Entity::find()
            .filter(user::Column::ValidityTo.is_null())
            .filter(user::Column::IsOfficer.eq(true));
        if let Some(v) = str {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(icontains(user::Column::OfficerCode, &v))
                    .add(user::Column::LastNameSearch.contains(crate::text::fold(&v)))
                    .add(user::Column::OtherNamesSearch.contains(crate::text::fold(&v))),
            );
        }
        if let Some(v) = code {
            q = q.filter(user::Column::OfficerCode.eq(v));
        }
        if let Some(v) = last_name_icontains {
            q = q.filter(user::Column::LastNameSearch.contains(crate::text::fold(&v)));
        }
        q = scope_users(st, p, q).await.gql(ctx)?;
        let page = fetch_page(
            &st.db.conn,
            q,
            &page_args(first, last, after, before, offset, order_by),
            &[
                ("code", user::Column::OfficerCode),
                ("lastName", user::Column::LastNameSearch),
            ],
            user::Column::Id,
            &["code"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(OfficerGQLType))
    }

    /// Officers who may substitute another one: current officers working in any of the given
    /// villages (by uuid), the officer `officerUuid` excluded (same rights as
    /// `enrolmentOfficers`), restricted to the caller's locations.
    #[allow(clippy::too_many_arguments)]
    async fn substitution_enrolment_officers(
        &self,
        ctx: &Context<'_>,
        villages_uuids: Option<Vec<String>>,
        officer_uuid: Option<String>,
        str: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
    ) -> Result<OfficerConnection> {
        let p = require_user(
            principal(ctx),
            Requirement::AnyOf(&[121501, 101201, 101202]),
        )
        .gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = user::Entity::find()
            .filter(user::Column::ValidityTo.is_null())
            .filter(user::Column::IsOfficer.eq(true));
        if let Some(u) = officer_uuid.filter(|u| !u.trim().is_empty()) {
            q = q.filter(user::Column::Uuid.ne(parse_uuid(u.trim(), "officerUuid").gql(ctx)?));
        }
        if let Some(list) = villages_uuids.filter(|l| !l.is_empty()) {
            let uuids = list
                .iter()
                .map(|u| parse_uuid(u.trim(), "villagesUuids"))
                .collect::<crate::AppResult<Vec<_>>>()
                .gql(ctx)?;
            let villages: Vec<i64> = crate::entity::location::Entity::find()
                .filter(crate::entity::location::Column::Uuid.is_in(uuids))
                .all(&st.db.conn)
                .await
                .map_err(AppError::from)
                .gql(ctx)?
                .into_iter()
                .map(|l| l.id)
                .collect();
            q = q.filter(sea_orm::sea_query::Expr::cust(format!(
                "core_user.id IN (SELECT user_id FROM core_officer_village WHERE validity_to IS NULL AND location_id IN ({}))",
                crate::text::ids_sql(villages)
            )));
        }
        if let Some(v) = str.filter(|v| !v.trim().is_empty()) {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(icontains(user::Column::OfficerCode, &v))
                    .add(user::Column::LastNameSearch.contains(crate::text::fold(&v)))
                    .add(user::Column::OtherNamesSearch.contains(crate::text::fold(&v))),
            );
        }
        q = scope_users(st, p, q).await.gql(ctx)?;
        let page = fetch_page(
            &st.db.conn,
            q,
            &page_args(first, last, after, before, offset, None),
            &[
                ("code", user::Column::OfficerCode),
                ("lastName", user::Column::LastNameSearch),
            ],
            user::Column::Id,
            &["code"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(OfficerGQLType))
    }

    /// Claim administrators (right 121601 or claim rights), restricted to the caller's locations.
    #[allow(clippy::too_many_arguments)]
    async fn claim_admins(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        #[graphql(name = "healthFacility_Id")] health_facility_id: Option<ID>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<ClaimAdminConnection> {
        let p = require_user(principal(ctx), Requirement::AnyOf(&[121601, 111001])).gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = user::Entity::find()
            .filter(user::Column::ValidityTo.is_null())
            .filter(user::Column::IsClaimAdmin.eq(true));
        if let Some(v) = search {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(icontains(user::Column::Username, &v))
                    .add(user::Column::LastNameSearch.contains(crate::text::fold(&v)))
                    .add(user::Column::OtherNamesSearch.contains(crate::text::fold(&v))),
            );
        }
        if let Some(hf) = health_facility_id {
            let pk = crate::graphql::parse_pk(&hf, "HealthFacilityGQLType").gql(ctx)?;
            q = q.filter(user::Column::HealthFacilityId.eq(pk));
        }
        q = scope_users(st, p, q).await.gql(ctx)?;
        let page = fetch_page(
            &st.db.conn,
            q,
            &page_args(first, last, after, before, offset, order_by),
            &[
                ("code", user::Column::Username),
                ("lastName", user::Column::LastNameSearch),
            ],
            user::Column::Id,
            &["code"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(ClaimAdminGQLType))
    }

    async fn languages(&self, ctx: &Context<'_>) -> Result<Vec<LanguageGQLType>> {
        require(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        Ok(service::LANGUAGES
            .iter()
            .map(|(c, _, _)| language(c))
            .collect())
    }

    /// The password rules (JSON string).
    async fn password_policy(&self, ctx: &Context<'_>) -> Result<JsonString> {
        require(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let a = &state(ctx).config.auth;
        Ok(JsonString(serde_json::json!({
            "min_length": a.password_min_length, "uppercase": a.password_uppercase, "lowercase": a.password_lowercase,
            "digits": a.password_digits, "symbols": a.password_symbols,
        })))
    }

    /// True when the username is free.
    async fn validate_username(&self, ctx: &Context<'_>, username: String) -> Result<bool> {
        require(
            principal(ctx),
            Requirement::AnyOf(&[
                service::RIGHT_USER_SEARCH,
                service::RIGHT_USER_ADD,
                service::RIGHT_USER_EDIT,
            ]),
        )
        .gql(ctx)?;
        let taken = user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .filter(user::Column::ValidityTo.is_null())
            .one(&state(ctx).db.conn)
            .await
            .map_err(AppError::from)
            .gql(ctx)?;
        Ok(taken.is_none())
    }

    /// True when the e-mail address is valid and free.
    async fn validate_user_email(&self, ctx: &Context<'_>, user_email: String) -> Result<bool> {
        require(
            principal(ctx),
            Requirement::AnyOf(&[
                service::RIGHT_USER_SEARCH,
                service::RIGHT_USER_ADD,
                service::RIGHT_USER_EDIT,
            ]),
        )
        .gql(ctx)?;
        let taken = user::Entity::find()
            .filter(user::Column::Email.eq(user_email))
            .filter(user::Column::ValidityTo.is_null())
            .one(&state(ctx).db.conn)
            .await
            .map_err(AppError::from)
            .gql(ctx)?;
        Ok(taken.is_none())
    }

    /// True when no current role has this name.
    async fn validate_role_name(&self, ctx: &Context<'_>, name: String) -> Result<bool> {
        require(
            principal(ctx),
            Requirement::AnyOf(&[
                service::RIGHT_ROLE_SEARCH,
                service::RIGHT_ROLE_ADD,
                service::RIGHT_ROLE_EDIT,
            ]),
        )
        .gql(ctx)?;
        let taken = role::Entity::find()
            .filter(role::Column::Name.eq(name.trim()))
            .filter(role::Column::ValidityTo.is_null())
            .one(&state(ctx).db.conn)
            .await
            .map_err(AppError::from)
            .gql(ctx)?;
        Ok(taken.is_none())
    }

    /// Roles (right 122001).
    #[allow(clippy::too_many_arguments)]
    async fn role(
        &self,
        ctx: &Context<'_>,
        is_system: Option<bool>,
        role_right: Option<i32>,
        system_role_id: Option<i64>,
        str: Option<String>,
        name: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        is_blocked: Option<bool>,
        show_history: Option<bool>,
        uuid: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<RoleConnection> {
        let p = require_user(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_ROLE_SEARCH]),
        )
        .gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = role::Entity::find().filter(role::Column::ValidityTo.is_null());
        match is_system {
            Some(true) => q = q.filter(role::Column::IsSystem.ne(0)),
            Some(false) => q = q.filter(role::Column::IsSystem.eq(0)),
            None => {}
        }
        if let Some(v) = system_role_id {
            q = q.filter(role::Column::IsSystem.eq(v));
        }
        if let Some(v) = str.or(name_icontains) {
            q = q.filter(icontains(role::Column::Name, &v));
        }
        if let Some(v) = name {
            q = q.filter(role::Column::Name.eq(v));
        }
        if let Some(v) = is_blocked {
            q = q.filter(role::Column::IsBlocked.eq(v));
        }
        if let Some(v) = uuid {
            q = q.filter(role::Column::Uuid.eq(parse_uuid(&v, "uuid").gql(ctx)?));
        }
        if let Some(r) = role_right {
            q = q.filter(sea_orm::sea_query::Expr::cust(format!("core_role.id IN (SELECT role_id FROM core_role_right WHERE validity_to IS NULL AND right_id = {r})")));
        }
        let page = fetch_page(
            &st.db.conn,
            q,
            &page_args(first, last, after, before, offset, order_by),
            &[("name", role::Column::Name)],
            role::Column::Id,
            &["name"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        let page = page
            .with_versions(&st.db.conn, "role", show_history.unwrap_or(false))
            .await
            .gql(ctx)?;
        let ids: Vec<i64> = page.rows.iter().map(|(_, (r, _))| r.id).collect();
        let rights = service::rights_of_roles(&st.db.conn, &ids).await.gql(ctx)?;
        Ok(page.into_connection(|(r, history_id)| {
            // A version shows the rights the role has now: rights keep their own validity rows.
            let rr = rights
                .iter()
                .filter(|x| x.role_id == r.id)
                .cloned()
                .collect();
            RoleGQLType {
                role: r,
                rights: rr,
                history_id,
            }
        }))
    }

    /// Rights granted to roles (right 122001).
    #[allow(clippy::too_many_arguments)]
    async fn role_right(
        &self,
        ctx: &Context<'_>,
        right_id: Option<i32>,
        #[graphql(name = "role_Id")] role_id: Option<ID>,
        #[graphql(name = "role_Uuid")] role_uuid: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<RoleRightConnection> {
        let p = require_user(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_ROLE_SEARCH]),
        )
        .gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = role_right::Entity::find().filter(role_right::Column::ValidityTo.is_null());
        if let Some(v) = right_id {
            q = q.filter(role_right::Column::RightId.eq(v));
        }
        if let Some(v) = role_id {
            q = q.filter(
                role_right::Column::RoleId
                    .eq(crate::graphql::parse_pk(&v, "RoleGQLType").gql(ctx)?),
            );
        }
        if let Some(v) = role_uuid {
            let r = service::find_role_by_uuid(&st.db.conn, parse_uuid(&v, "role_Uuid").gql(ctx)?)
                .await
                .gql(ctx)?;
            q = q.filter(role_right::Column::RoleId.eq(r.id));
        }
        let page = fetch_page(
            &st.db.conn,
            q,
            &page_args(first, last, after, before, offset, order_by),
            &[("rightId", role_right::Column::RightId)],
            role_right::Column::Id,
            &["rightId"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        let role_ids: Vec<i64> = page.rows.iter().map(|(_, r)| r.role_id).collect();
        let roles = role::Entity::find()
            .filter(role::Column::Id.is_in(role_ids))
            .all(&st.db.conn)
            .await
            .map_err(AppError::from)
            .gql(ctx)?;
        Ok(page.into_connection(|r| {
            let role = roles.iter().find(|x| x.id == r.role_id).cloned();
            RoleRightGQLType { right: r, role }
        }))
    }

    /// Every right of every compiled module, by module (right 122001).
    async fn modules_permissions(&self, ctx: &Context<'_>) -> Result<ModulePermissionsList> {
        require(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_ROLE_SEARCH]),
        )
        .gql(ctx)?;
        let fr = lang(ctx) == "fr";
        let list = state(ctx)
            .modules
            .iter()
            .map(|m| ModulePermission {
                module_name: m.name.to_string(),
                permissions: m
                    .rights
                    .iter()
                    .map(|r| PermissionOpenImis {
                        perms_name: if fr { r.fr } else { r.en }.to_string(),
                        perms_value: r.code,
                    })
                    .collect(),
            })
            .collect();
        Ok(ModulePermissionsList {
            module_perms_list: list,
        })
    }

    /// Exposed module configurations; answers anonymous callers (the web front end boots with it).
    async fn module_configurations(
        &self,
        ctx: &Context<'_>,
        validity: Option<String>,
        layer: Option<String>,
    ) -> Result<Vec<ModuleConfigurationGQLType>> {
        let _ = validity;
        let st = state(ctx);
        if layer
            .as_deref()
            .is_some_and(|l| !l.eq_ignore_ascii_case("fe"))
        {
            return Ok(vec![]);
        }
        let core = serde_json::json!({
            "ageOfMajority": st.config.core.age_of_majority,
            "currency": st.config.core.currency,
            "languages": service::LANGUAGES.iter().map(|(c, _, _)| c).collect::<Vec<_>>(),
            "usernameMaxLength": st.config.auth.username_max_length,
        });
        Ok(vec![ModuleConfigurationGQLType {
            id: uuid::Uuid::nil().to_string(),
            module: "core".into(),
            layer: "FE".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            config: core.to_string(),
            is_exposed: true,
            controls: vec![],
        }])
    }

    /// The caller's mutation logs (all logs for IMIS Administrators).
    #[allow(clippy::too_many_arguments)]
    async fn mutation_logs(
        &self,
        ctx: &Context<'_>,
        client_mutation_id: Option<String>,
        status: Option<i32>,
        #[graphql(name = "status_Gte")] status_gte: Option<i32>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<MutationLogConnection> {
        let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = mutation_log::Entity::find();
        if !p.is_admin {
            q = q.filter(mutation_log::Column::UserId.eq(p.user_id));
        }
        if let Some(v) = client_mutation_id {
            q = q.filter(mutation_log::Column::ClientMutationId.eq(v));
        }
        if let Some(v) = status {
            q = q.filter(mutation_log::Column::Status.eq(v));
        }
        if let Some(v) = status_gte {
            q = q.filter(mutation_log::Column::Status.gte(v));
        }
        // Ids grow with request time, so ordering by time is ordering by id.
        let sortable = [
            ("requestDateTime", mutation_log::Column::Id),
            ("request_date_time", mutation_log::Column::Id),
        ];
        let page = fetch_page(
            &st.db.conn,
            q,
            &page_args(first, last, after, before, offset, order_by),
            &sortable,
            mutation_log::Column::Id,
            &["-requestDateTime"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(MutationLogGQLType))
    }
}

/// Applies D9 to a user query for restricted callers.
async fn scope_users(
    st: &crate::app::AppState,
    p: &crate::auth::Principal,
    q: sea_orm::Select<user::Entity>,
) -> crate::AppResult<sea_orm::Select<user::Entity>> {
    let Some(allowed) = p.scope.allowed_locations(&st.db.conn).await? else {
        return Ok(q);
    };
    let a = crate::text::ids_sql(allowed.iter().copied());
    Ok(q.filter(sea_orm::sea_query::Expr::cust(format!(
        "(core_user.id = {me} OR core_user.id IN (SELECT user_id FROM core_user_district WHERE validity_to IS NULL AND location_id IN ({a})) \
         OR core_user.id IN (SELECT user_id FROM core_officer_village WHERE validity_to IS NULL AND location_id IN ({a})) \
         OR core_user.officer_location_id IN ({a}) \
         OR core_user.health_facility_id IN (SELECT id FROM core_health_facility WHERE location_id IN ({a})))",
        me = p.user_id
    ))))
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "CreateUserMutationInput")]
pub struct CreateUserMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub user_id: Option<String>,
    pub other_names: String,
    pub last_name: String,
    pub username: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[serde(skip)]
    pub password: Option<String>,
    pub health_facility_id: Option<i64>,
    pub districts: Option<Vec<i64>>,
    pub language: String,
    pub roles: Option<Vec<i64>>,
    pub birth_date: Option<Date>,
    pub address: Option<String>,
    pub works_to: Option<DateTime>,
    pub substitution_officer_id: Option<i64>,
    pub phone_communication: Option<bool>,
    pub location_id: Option<i64>,
    pub village_ids: Option<Vec<i64>>,
    pub user_types: Vec<UserTypes>,
}

impl CreateUserMutationInput {
    fn to_service(&self) -> crate::AppResult<UserInput> {
        Ok(UserInput {
            uuid: self
                .uuid
                .as_deref()
                .filter(|u| !u.is_empty())
                .map(|u| parse_uuid(u, "uuid"))
                .transpose()?,
            username: self.username.clone(),
            last_name: self.last_name.clone(),
            other_names: self.other_names.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            password: self.password.clone().filter(|p| !p.is_empty()),
            health_facility_id: self.health_facility_id,
            districts: self.districts.clone().unwrap_or_default(),
            language: self.language.clone(),
            roles: self.roles.clone().unwrap_or_default(),
            birth_date: self.birth_date.map(|d| d.0),
            address: self.address.clone(),
            works_to: self.works_to.map(|d| d.0.date()),
            substitution_officer_id: self.substitution_officer_id,
            phone_communication: self.phone_communication,
            location_id: self.location_id,
            village_ids: self.village_ids.clone().unwrap_or_default(),
            kinds: kinds_of(&self.user_types),
        })
    }
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "DeleteUserMutationInput")]
pub struct DeleteUserMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuids: Option<Vec<String>>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "ChangePasswordMutationInput")]
pub struct ChangePasswordMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub username: Option<String>,
    #[serde(skip)]
    pub old_password: Option<String>,
    #[serde(skip)]
    pub new_password: String,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "ChangeUserLanguageMutationInput")]
pub struct ChangeUserLanguageMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub language_id: String,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "CreateRoleMutationInput")]
pub struct CreateRoleMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub id: Option<i64>,
    pub uuid: Option<String>,
    pub name: String,
    pub alt_language: Option<String>,
    pub is_system: bool,
    pub is_blocked: bool,
    pub rights_id: Option<Vec<i32>>,
    pub system_role_id: Option<i64>,
}

impl CreateRoleMutationInput {
    fn to_service(&self) -> crate::AppResult<RoleInput> {
        Ok(RoleInput {
            uuid: self
                .uuid
                .as_deref()
                .filter(|u| !u.is_empty())
                .map(|u| parse_uuid(u, "uuid"))
                .transpose()?,
            name: self.name.clone(),
            alt_language: self.alt_language.clone(),
            is_system: self.is_system,
            is_blocked: self.is_blocked,
            rights: self.rights_id.clone(),
            system_role_id: self.system_role_id,
        })
    }
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "DeleteRoleMutationInput")]
pub struct DeleteRoleMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuids: Option<Vec<String>>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "DuplicateRoleMutationInput")]
pub struct DuplicateRoleMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: String,
    pub name: String,
    pub alt_language: Option<String>,
    pub is_system: bool,
    pub is_blocked: bool,
    pub rights_id: Option<Vec<i32>>,
}

mutation_payload!(CreateUserMutationPayload);
mutation_payload!(UpdateUserMutationPayload);
mutation_payload!(DeleteUserMutationPayload);
mutation_payload!(ChangePasswordMutationPayload);
mutation_payload!(ChangeUserLanguageMutationPayload);
mutation_payload!(CreateRoleMutationPayload);
mutation_payload!(UpdateRoleMutationPayload);
mutation_payload!(DeleteRoleMutationPayload);
mutation_payload!(DuplicateRoleMutationPayload);

fn uuids(list: &Option<Vec<String>>) -> crate::AppResult<Vec<uuid::Uuid>> {
    list.iter()
        .flatten()
        .map(|u| parse_uuid(u, "uuids"))
        .collect()
}

/// Ends the login of the request's token: the principal's, else a token of the request whose
/// signature is good even if it expired (a stale cookie still logs out).
async fn end_current_login(ctx: &Context<'_>) -> crate::AppResult<()> {
    let st = state(ctx);
    if let Some(p) = principal(ctx)
        && let Some(jti) = &p.jti
    {
        return tokens::end_login(st, jti, p.token_exp, p.login_id.as_deref()).await;
    }
    let token = ctx
        .data_opt::<Credentials>()
        .and_then(crate::auth::request::request_token);
    if let Some((token, _)) = token
        && let Ok(claims) = tokens::decode(&st.jwt_key, &token, st.clock.now(), true)
    {
        return tokens::end_login(st, &claims.jti, claims.exp, claims.sid.as_deref()).await;
    }
    Ok(())
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Logs in; also sets the HttpOnly `JWT` cookie of the web front end (D31).
    async fn token_auth(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
    ) -> Result<ObtainJsonWebToken> {
        let st = state(ctx);
        let (issued, _) = service::login(st, &username, &password).await.gql(ctx)?;
        ctx.append_http_header(
            "Set-Cookie",
            cookie(
                st,
                JWT_COOKIE,
                &issued.token,
                st.config.auth.access_token_ttl_secs,
            ),
        );
        Ok(ObtainJsonWebToken {
            payload: claims_payload(&issued.claims),
            refresh_expires_in: issued.refresh_expires_at.timestamp(),
            token: issued.token,
            refresh_token: issued.refresh_token,
        })
    }

    /// Renews the access token from a token (openIMIS), a refresh token (ours) or the cookie.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        token: Option<String>,
        refresh_token: Option<String>,
    ) -> Result<Refresh> {
        let st = state(ctx);
        let creds = ctx.data_opt::<Credentials>();
        if let Some(rt) = refresh_token.filter(|t| !t.is_empty()) {
            let grant = tokens::refresh_token_user(st, &rt).await.gql(ctx)?;
            let u = service::find_user(&st.db.conn, grant.user_id)
                .await
                .map_err(|_| AppError::new(ErrorKind::Unauthenticated, "auth.token_invalid"))
                .gql(ctx)?;
            let (token, claims) = tokens::access_token(
                st,
                &u.username,
                &u.uuid.to_string(),
                None,
                grant.login_id.as_deref(),
            );
            return Ok(Refresh {
                payload: claims_payload(&claims),
                refresh_expires_in: grant.expires_at.timestamp(),
                token,
            });
        }
        let (token, from_cookie) = match (
            token.filter(|t| !t.is_empty()),
            creds.and_then(|c| c.jwt_cookie.clone()),
        ) {
            (Some(t), _) => (t, false),
            (None, Some(c)) if !c.is_empty() => (c, true),
            _ => {
                return Err(
                    AppError::new(ErrorKind::Unauthenticated, "auth.token_required")
                        .to_gql(&lang(ctx)),
                );
            }
        };
        // An expired token may be renewed within the refresh window of its login.
        let (claims, p) = principal_of_token(st, &token, true).await.gql(ctx)?;
        let refresh_until = claims.orig_iat + st.config.auth.refresh_token_ttl_secs;
        if refresh_until <= st.clock.now().timestamp() {
            return Err(
                AppError::new(ErrorKind::Unauthenticated, "auth.token_expired").to_gql(&lang(ctx)),
            );
        }
        let (new_token, new_claims) = tokens::access_token(
            st,
            &p.username,
            &claims.sub,
            Some(claims.orig_iat),
            claims.sid.as_deref(),
        );
        if from_cookie {
            ctx.append_http_header(
                "Set-Cookie",
                cookie(
                    st,
                    JWT_COOKIE,
                    &new_token,
                    st.config.auth.access_token_ttl_secs,
                ),
            );
        }
        Ok(Refresh {
            payload: claims_payload(&new_claims),
            refresh_expires_in: refresh_until,
            token: new_token,
        })
    }

    /// Checks a token (argument, else the `JWT` cookie): signature, expiry, logout, password change.
    async fn verify_token(&self, ctx: &Context<'_>, token: Option<String>) -> Result<Verify> {
        let st = state(ctx);
        let token = token
            .filter(|t| !t.is_empty())
            .or_else(|| {
                ctx.data_opt::<Credentials>()
                    .and_then(|c| c.jwt_cookie.clone())
            })
            .unwrap_or_default();
        let (claims, _) = principal_of_token(st, &token, false).await.gql(ctx)?;
        Ok(Verify {
            payload: claims_payload(&claims),
        })
    }

    /// Revokes a refresh token and ends its login (every token and cookie session of it);
    /// answers the revocation time.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        refresh_token: Option<String>,
    ) -> Result<Revoke> {
        let st = state(ctx);
        let t = refresh_token.unwrap_or_default();
        if !tokens::end_login_of_refresh_token(st, &t).await.gql(ctx)? {
            return Err(
                AppError::new(ErrorKind::Unauthenticated, "auth.token_invalid").to_gql(&lang(ctx)),
            );
        }
        Ok(Revoke {
            revoked: st.clock.now().timestamp(),
        })
    }

    /// Opens a server-side session of the current login holding a CSRF token (cookie
    /// `sessionid`) and returns the token.
    async fn get_csrf_token(&self, ctx: &Context<'_>) -> Result<CsrfTokenPayload> {
        let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let st = state(ctx);
        let (key, csrf) = tokens::create_session(st, p.user_id, p.login_id.as_deref())
            .await
            .gql(ctx)?;
        ctx.append_http_header(
            "Set-Cookie",
            cookie(
                st,
                SESSION_COOKIE,
                &key,
                st.config.auth.session_ttl_days * 86_400,
            ),
        );
        Ok(CsrfTokenPayload { csrf_token: csrf })
    }

    /// Logs out: ends the whole login (every access and refresh token of it and its cookie
    /// sessions) and clears the `JWT` cookie.
    async fn delete_token_cookie(&self, ctx: &Context<'_>) -> Result<DeleteCookiePayload> {
        let st = state(ctx);
        end_current_login(ctx).await.gql(ctx)?;
        ctx.append_http_header("Set-Cookie", cookie(st, JWT_COOKIE, "", 0));
        Ok(DeleteCookiePayload { deleted: true })
    }

    /// Logs out of the cookie session: ends the login as `deleteTokenCookie` does, deletes the
    /// session and clears `sessionid`.
    async fn delete_refresh_token_cookie(&self, ctx: &Context<'_>) -> Result<DeleteCookiePayload> {
        let st = state(ctx);
        end_current_login(ctx).await.gql(ctx)?;
        if let Some(key) = ctx
            .data_opt::<Credentials>()
            .and_then(|c| c.session_cookie.clone())
        {
            tokens::delete_session(st, &key).await.gql(ctx)?;
        }
        ctx.append_http_header("Set-Cookie", cookie(st, SESSION_COOKIE, "", 0));
        Ok(DeleteCookiePayload { deleted: true })
    }

    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserMutationInput,
    ) -> Result<CreateUserMutationPayload> {
        let data = input.to_service().gql(ctx)?;
        let secrets: Vec<&str> = input.password.as_deref().into_iter().collect();
        let out = run_mutation_with_secrets(
            ctx,
            "createUser",
            &input.envelope,
            &input,
            &secrets,
            async |m| service::create_user(m, data).await.map(|u| u.id),
        )
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    async fn update_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserMutationInput,
    ) -> Result<UpdateUserMutationPayload> {
        let data = input.to_service().gql(ctx)?;
        let uuid = data.uuid;
        let secrets: Vec<&str> = input.password.as_deref().into_iter().collect();
        let out = run_mutation_with_secrets(
            ctx,
            "updateUser",
            &input.envelope,
            &input,
            &secrets,
            async |m| service::update_user(m, uuid, data).await.map(|u| u.id),
        )
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    async fn delete_user(
        &self,
        ctx: &Context<'_>,
        input: DeleteUserMutationInput,
    ) -> Result<DeleteUserMutationPayload> {
        let ids = uuids(&input.uuids).gql(ctx)?;
        let out = run_mutation(ctx, "deleteUser", &input.envelope, &input, async |m| {
            service::delete_users(m, &ids).await
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordMutationInput,
    ) -> Result<ChangePasswordMutationPayload> {
        let secrets = [
            input.old_password.as_deref().unwrap_or(""),
            input.new_password.as_str(),
        ];
        let out = run_mutation_with_secrets(
            ctx,
            "changePassword",
            &input.envelope,
            &input,
            &secrets,
            async |m| {
                service::change_password(
                    m,
                    input.username.as_deref(),
                    input.old_password.as_deref(),
                    &input.new_password,
                )
                .await
            },
        )
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    async fn change_user_language(
        &self,
        ctx: &Context<'_>,
        input: ChangeUserLanguageMutationInput,
    ) -> Result<ChangeUserLanguageMutationPayload> {
        let out = run_mutation(
            ctx,
            "changeUserLanguage",
            &input.envelope,
            &input,
            async |m| service::change_language(m, &input.language_id).await,
        )
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    async fn create_role(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleMutationInput,
    ) -> Result<CreateRoleMutationPayload> {
        let data = input.to_service().gql(ctx)?;
        let out = run_mutation(ctx, "createRole", &input.envelope, &input, async |m| {
            service::create_role(m, data).await.map(|r| r.id)
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    async fn update_role(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleMutationInput,
    ) -> Result<UpdateRoleMutationPayload> {
        let data = input.to_service().gql(ctx)?;
        let uuid = data.uuid;
        let out = run_mutation(ctx, "updateRole", &input.envelope, &input, async |m| {
            service::update_role(m, uuid, data).await.map(|r| r.id)
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    async fn delete_role(
        &self,
        ctx: &Context<'_>,
        input: DeleteRoleMutationInput,
    ) -> Result<DeleteRoleMutationPayload> {
        let ids = uuids(&input.uuids).gql(ctx)?;
        let out = run_mutation(ctx, "deleteRole", &input.envelope, &input, async |m| {
            service::delete_roles(m, &ids).await
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    async fn duplicate_role(
        &self,
        ctx: &Context<'_>,
        input: DuplicateRoleMutationInput,
    ) -> Result<DuplicateRoleMutationPayload> {
        let source = parse_uuid(&input.uuid, "uuid").gql(ctx)?;
        let data = RoleInput {
            uuid: None,
            name: input.name.clone(),
            alt_language: input.alt_language.clone(),
            is_system: input.is_system,
            is_blocked: input.is_blocked,
            rights: input.rights_id.clone(),
            system_role_id: None,
        };
        let out = run_mutation(ctx, "duplicateRole", &input.envelope, &input, async |m| {
            service::duplicate_role(m, source, data).await.map(|r| r.id)
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }
}
