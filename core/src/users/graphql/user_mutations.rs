//! The user mutations: creation, change and deletion of users, password and language changes.

use super::*;

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
