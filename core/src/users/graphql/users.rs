//! Logins: the user types, the current user and the account checks (the lists are in
//! `user_lists.rs`, the mutations in `user_mutations.rs`).

use super::*;
use crate::graphql::flatten::Flattened;

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
    /// The user's health facility: null when none, or when it lies outside the caller's
    /// locations (D9, as `node(id:)` shows facilities); one's own always shows.
    async fn health_facility(&self, ctx: &Context<'_>) -> Result<Option<HealthFacilityGQLType>> {
        facility_of_user(ctx, &self.user).await
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.user, self.history_id)
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
        self.user.last_login.map(|t| kit::date_time(ctx, t))
    }
    async fn health_facility_id(&self) -> Option<i64> {
        self.user.health_facility_id
    }
    /// As `UserGQLType.healthFacility`.
    async fn health_facility(&self, ctx: &Context<'_>) -> Result<Option<HealthFacilityGQLType>> {
        facility_of_user(ctx, &self.user).await
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
        self.roles.iter().cloned().map(RoleGQLType::from).collect()
    }
    /// The districts the user currently works in, those outside the caller's locations left
    /// out (D9).
    async fn userdistrict_set(&self, ctx: &Context<'_>) -> Result<Vec<UserDistrictType>> {
        user_districts(ctx, self).await
    }
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.user.validity_from, self.user.validity_to)
    }
}

/// The users register's queries: the current user here, the user lists and the other resources'
/// fields flattened in through [`Flattened`].
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

    #[graphql(flatten)]
    async fn user_lists(&self) -> Flattened<UserListsQuery> {
        Flattened(UserListsQuery)
    }
    #[graphql(flatten)]
    async fn officers(&self) -> Flattened<OfficersQuery> {
        Flattened(OfficersQuery)
    }
    #[graphql(flatten)]
    async fn account(&self) -> Flattened<AccountQuery> {
        Flattened(AccountQuery)
    }
    #[graphql(flatten)]
    async fn roles(&self) -> Flattened<RolesQuery> {
        Flattened(RolesQuery)
    }
    #[graphql(flatten)]
    async fn modules(&self) -> Flattened<ModulesQuery> {
        Flattened(ModulesQuery)
    }
    #[graphql(flatten)]
    async fn mutation_logs(&self) -> Flattened<MutationLogsQuery> {
        Flattened(MutationLogsQuery)
    }
}

/// Languages, the password policy and the username and e-mail checks.
#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
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
        user_value_free(ctx, user::Column::Username, username)
            .await
            .gql(ctx)
    }

    /// The longest username a user may have (`auth.username_max_length`): the user form's limit.
    async fn username_length(&self, ctx: &Context<'_>) -> Result<i32> {
        kit::caller(
            ctx,
            &[
                service::RIGHT_USER_SEARCH,
                service::RIGHT_USER_ADD,
                service::RIGHT_USER_EDIT,
            ],
        )
        .gql(ctx)?;
        Ok(state(ctx).config.auth.username_max_length as i32)
    }

    /// Which fields of the user form are mandatory (`M`), optional (`O`) or hidden (`H`) for
    /// every user, as fe-admin reads them (`email`, `phone`): what user validation requires.
    async fn user_obligatory_fields(&self, ctx: &Context<'_>) -> Result<GenericScalar> {
        obligatory_fields(ctx).gql(ctx)
    }

    /// As `userObligatoryFields`, for the fields of enrolment officers.
    async fn eo_obligatory_fields(&self, ctx: &Context<'_>) -> Result<GenericScalar> {
        obligatory_fields(ctx).gql(ctx)
    }

    /// True when the e-mail address is valid and free.
    async fn validate_user_email(&self, ctx: &Context<'_>, user_email: String) -> Result<bool> {
        user_value_free(ctx, user::Column::Email, user_email)
            .await
            .gql(ctx)
    }
}

/// The user form's field controls for a caller who may search, add or edit users. User
/// validation requires neither an e-mail address nor a phone number, of any user kind, so both
/// are optional.
fn obligatory_fields(ctx: &Context<'_>) -> crate::AppResult<GenericScalar> {
    kit::caller(
        ctx,
        &[
            service::RIGHT_USER_SEARCH,
            service::RIGHT_USER_ADD,
            service::RIGHT_USER_EDIT,
        ],
    )?;
    Ok(GenericScalar(
        serde_json::json!({ "email": "O", "phone": "O" }),
    ))
}
