//! Roles and their rights: types, queries and mutations.

use super::*;

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
        kit::node_id("RoleGQLType", self.role.id, self.history_id)
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
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.role, self.history_id)
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

/// A current role shown without its rights (nested in a login or a role right).
impl From<role::Model> for RoleGQLType {
    fn from(role: role::Model) -> Self {
        RoleGQLType {
            role,
            rights: vec![],
            history_id: None,
        }
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
        self.role.clone().map(RoleGQLType::from)
    }
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.right.validity_from, self.right.validity_to)
    }
}

/// Roles, role rights and the role-name check.
#[derive(Default)]
pub struct RolesQuery;

#[Object]
impl RolesQuery {
    /// True when no current role has this name.
    async fn validate_role_name(&self, ctx: &Context<'_>, name: String) -> Result<bool> {
        kit::caller(
            ctx,
            &[
                service::RIGHT_ROLE_SEARCH,
                service::RIGHT_ROLE_ADD,
                service::RIGHT_ROLE_EDIT,
            ],
        )
        .gql(ctx)?;
        let conn = &state(ctx).db.conn;
        let taken = kit::taken::<role::Entity>(
            conn,
            role::Column::Name,
            name.trim(),
            role::Column::Id,
            None,
        );
        Ok(!taken.await.gql(ctx)?)
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
        kit::list_caller(ctx, &[service::RIGHT_ROLE_SEARCH]).gql(ctx)?;
        let st = state(ctx);
        let mut q = role::Entity::find().current();
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
        let page = page_of(
            ctx,
            q,
            &PageArgs::new(first, last, after, before, offset, order_by),
            Sorting {
                columns: &[("name", role::Column::Name)],
                id: role::Column::Id,
                default_order: &["name"],
            },
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
        kit::list_caller(ctx, &[service::RIGHT_ROLE_SEARCH]).gql(ctx)?;
        let st = state(ctx);
        let mut q = role_right::Entity::find().current();
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
        let page = page_of(
            ctx,
            q,
            &PageArgs::new(first, last, after, before, offset, order_by),
            Sorting {
                columns: &[("rightId", role_right::Column::RightId)],
                id: role_right::Column::Id,
                default_order: &["rightId"],
            },
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

mutation_payload!(CreateRoleMutationPayload);
mutation_payload!(UpdateRoleMutationPayload);
mutation_payload!(DeleteRoleMutationPayload);
mutation_payload!(DuplicateRoleMutationPayload);

/// Role creation, change, deletion and duplication.
#[derive(Default)]
pub struct RolesMutation;

#[Object]
impl RolesMutation {
    async fn create_role(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleMutationInput,
    ) -> Result<CreateRoleMutationPayload> {
        let data = input.to_service().gql(ctx)?;
        kit::mutate(ctx, "createRole", &input.envelope, &input, &[], async |m| {
            service::create_role(m, data).await.map(|r| r.id)
        })
        .await
    }

    async fn update_role(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleMutationInput,
    ) -> Result<UpdateRoleMutationPayload> {
        let data = input.to_service().gql(ctx)?;
        let uuid = data.uuid;
        kit::mutate(ctx, "updateRole", &input.envelope, &input, &[], async |m| {
            service::update_role(m, uuid, data).await.map(|r| r.id)
        })
        .await
    }

    async fn delete_role(
        &self,
        ctx: &Context<'_>,
        input: DeleteRoleMutationInput,
    ) -> Result<DeleteRoleMutationPayload> {
        let ids = uuids(&input.uuids).gql(ctx)?;
        kit::mutate(ctx, "deleteRole", &input.envelope, &input, &[], async |m| {
            service::delete_roles(m, &ids).await
        })
        .await
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
        kit::mutate(
            ctx,
            "duplicateRole",
            &input.envelope,
            &input,
            &[],
            async |m| service::duplicate_role(m, source, data).await.map(|r| r.id),
        )
        .await
    }
}
