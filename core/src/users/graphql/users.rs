//! Logins: the user types, the current user, user lists and account checks, and the user mutations.

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
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.user.validity_from, self.user.validity_to)
    }
}

/// The users register's queries, in openIMIS's order: the current user and the user lists here.
/// The other resources' fields are flattened in through [`Flattened`].
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
        let p = kit::list_caller(ctx, &[service::RIGHT_USER_SEARCH]).gql(ctx)?;
        let st = state(ctx);
        let mut q = user::Entity::find();
        if !show_deleted.unwrap_or(false) {
            q = q.current();
        }
        if let Some(v) = username {
            q = q.filter(user::Column::Username.eq(v));
        }
        if let Some(v) = username_icontains {
            q = q.filter(icontains(user::Column::Username, &v));
        }
        if let Some(v) = str {
            q = q.filter(person_search(user::Column::Username, &v));
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
        let page = users_page(
            ctx,
            p,
            q,
            PageArgs::new(first, last, after, before, offset, order_by),
            &[
                ("username", user::Column::Username),
                ("lastName", user::Column::LastNameSearch),
                ("otherNames", user::Column::OtherNames),
            ],
        )
        .await
        .gql(ctx)?;
        let page = page
            .with_versions(&st.db.conn, "user", show_history.unwrap_or(false))
            .await
            .gql(ctx)?;
        let ids: Vec<i64> = page.rows.iter().map(|(_, (u, _))| u.id).collect();
        let roles = service::roles_of_users(&st.db.conn, &ids).await.gql(ctx)?;
        Ok(page.into_connection(|(u, history_id)| UserGQLType {
            roles: roles_of(&roles, u.id),
            user: u,
            history_id,
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
        let p = kit::list_caller(ctx, &[service::RIGHT_USER_SEARCH]).gql(ctx)?;
        let st = state(ctx);
        let mut q = user::Entity::find()
            .current()
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
        let page = users_page(
            ctx,
            p,
            q,
            PageArgs::new(first, last, after, before, offset, order_by),
            &[
                ("loginName", user::Column::Username),
                ("lastName", user::Column::LastNameSearch),
            ],
        )
        .await
        .gql(ctx)?;
        let ids: Vec<i64> = page.rows.iter().map(|(_, u)| u.id).collect();
        let roles = service::roles_of_users(&st.db.conn, &ids).await.gql(ctx)?;
        Ok(page.into_connection(|u| InteractiveUserGQLType {
            roles: roles_of(&roles, u.id),
            user: u,
        }))
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

    /// True when the e-mail address is valid and free.
    async fn validate_user_email(&self, ctx: &Context<'_>, user_email: String) -> Result<bool> {
        user_value_free(ctx, user::Column::Email, user_email)
            .await
            .gql(ctx)
    }
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

mutation_payload!(CreateUserMutationPayload);
mutation_payload!(UpdateUserMutationPayload);
mutation_payload!(DeleteUserMutationPayload);
mutation_payload!(ChangePasswordMutationPayload);
mutation_payload!(ChangeUserLanguageMutationPayload);

/// Users' own and administered account changes.
#[derive(Default)]
pub struct UsersMutation;

#[Object]
impl UsersMutation {
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserMutationInput,
    ) -> Result<CreateUserMutationPayload> {
        let data = input.to_service().gql(ctx)?;
        let secrets: Vec<&str> = input.password.as_deref().into_iter().collect();
        kit::mutate_with_secrets(
            ctx,
            "createUser",
            &input.envelope,
            &input,
            &secrets,
            &[],
            async |m| service::create_user(m, data).await.map(|u| u.id),
        )
        .await
    }

    async fn update_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserMutationInput,
    ) -> Result<UpdateUserMutationPayload> {
        let data = input.to_service().gql(ctx)?;
        let uuid = data.uuid;
        let secrets: Vec<&str> = input.password.as_deref().into_iter().collect();
        kit::mutate_with_secrets(
            ctx,
            "updateUser",
            &input.envelope,
            &input,
            &secrets,
            &[],
            async |m| service::update_user(m, uuid, data).await.map(|u| u.id),
        )
        .await
    }

    async fn delete_user(
        &self,
        ctx: &Context<'_>,
        input: DeleteUserMutationInput,
    ) -> Result<DeleteUserMutationPayload> {
        let ids = uuids(&input.uuids).gql(ctx)?;
        kit::mutate(ctx, "deleteUser", &input.envelope, &input, &[], async |m| {
            service::delete_users(m, &ids).await
        })
        .await
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
        kit::mutate_with_secrets(
            ctx,
            "changePassword",
            &input.envelope,
            &input,
            &secrets,
            &[],
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
    }

    async fn change_user_language(
        &self,
        ctx: &Context<'_>,
        input: ChangeUserLanguageMutationInput,
    ) -> Result<ChangeUserLanguageMutationPayload> {
        kit::mutate(
            ctx,
            "changeUserLanguage",
            &input.envelope,
            &input,
            &[],
            async |m| service::change_language(m, &input.language_id).await,
        )
        .await
    }
}
