//! Locations: the GraphQL type, the location lists and checks, and the location mutations.

use super::*;
use crate::graphql::flatten::Flattened;

crate::connection_type!(
    LocationConnection,
    LocationConnName,
    LocationEdgeName,
    LocationGQLType,
    "LocationGQLType"
);

/// `LocationGQLType`: a location with its parent chain already loaded.
#[derive(Debug, Clone)]
pub struct LocationGQLType {
    pub model: location::Model,
    pub parent: Option<Box<LocationGQLType>>,
}

impl LocationGQLType {
    /// Builds the node from a map holding the location and its ancestors.
    pub fn build(model: location::Model, all: &HashMap<i64, location::Model>) -> Self {
        let parent = model
            .parent_id
            .and_then(|p| all.get(&p))
            .map(|pm| Box::new(Self::build(pm.clone(), all)));
        LocationGQLType { model, parent }
    }
}

/// Loads location nodes (with parents) for the given ids in two queries; for other modules' types.
pub async fn location_nodes(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, LocationGQLType>> {
    let all = service::locations_with_ancestors(conn, ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            all.get(id)
                .map(|m| (*id, LocationGQLType::build(m.clone(), &all)))
        })
        .collect())
}

#[Object(name = "LocationGQLType")]
impl LocationGQLType {
    pub async fn id(&self) -> ID {
        global_id("LocationGQLType", self.model.id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn code(&self) -> Option<&str> {
        Some(&self.model.code)
    }
    async fn name(&self) -> Option<&str> {
        Some(&self.model.name)
    }
    #[graphql(name = "type")]
    async fn location_type(&self) -> &str {
        &self.model.location_type
    }
    async fn parent(&self) -> Option<&LocationGQLType> {
        self.parent.as_deref()
    }
    async fn male_population(&self) -> Option<i32> {
        self.model.male_population
    }
    async fn female_population(&self) -> Option<i32> {
        self.model.female_population
    }
    async fn other_population(&self) -> Option<i32> {
        self.model.other_population
    }
    async fn families(&self) -> Option<i32> {
        self.model.families
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, None)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn json_ext(&self) -> Option<JsonString> {
        json_ext(&self.model.json_ext)
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
}

/// `UserRegionGQLType`.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "UserRegionGQLType")]
pub struct UserRegionGQLType {
    pub id: Option<String>,
    pub uuid: Option<String>,
    pub code: Option<String>,
    pub name: Option<String>,
}

/// `UserDistrictGQLType`.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "UserDistrictGQLType")]
pub struct UserDistrictGQLType {
    pub id: Option<String>,
    pub uuid: Option<String>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub parent: Option<UserRegionGQLType>,
}

pub(super) const LOCATION_SORT: [(&str, location::Column); 3] = [
    ("code", location::Column::Code),
    ("name", location::Column::Name),
    ("type", location::Column::LocationType),
];

pub(super) async fn location_page(
    ctx: &Context<'_>,
    filter: LocationFilter,
    args: PageArgs,
) -> AppResult<LocationConnection> {
    let st = state(ctx);
    let select = service::locations_select(st, principal(ctx), &filter).await?;
    let page = page_of(
        ctx,
        select,
        &args,
        Sorting {
            columns: &LOCATION_SORT,
            id: location::Column::Id,
            default_order: &["code"],
        },
    )
    .await?;
    let parent_ids: Vec<i64> = page.rows.iter().filter_map(|(_, m)| m.parent_id).collect();
    let all = service::locations_with_ancestors(&st.db.conn, &parent_ids).await?;
    Ok(page.into_connection(|m| LocationGQLType::build(m, &all)))
}

/// The location register's queries: the location lists, officer and user locations and the
/// location code check here, then the health facility queries.
/// The other resources' fields are flattened in through [`Flattened`].
#[derive(Default)]
pub struct LocationQuery;

#[Object]
impl LocationQuery {
    #[allow(clippy::too_many_arguments)]
    async fn locations(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "orderBy")] order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        uuid: Option<String>,
        #[graphql(name = "uuid_In")] uuid_in: Option<Vec<String>>,
        code: Option<String>,
        #[graphql(name = "code_Istartswith")] code_istartswith: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        #[graphql(name = "code_Iexact")] code_iexact: Option<String>,
        name: Option<String>,
        #[graphql(name = "name_Istartswith")] name_istartswith: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        #[graphql(name = "name_Iexact")] name_iexact: Option<String>,
        #[graphql(name = "type")] location_type: Option<String>,
        #[graphql(name = "parent_Uuid")] parent_uuid: Option<String>,
        #[graphql(name = "parent_Uuid_In")] parent_uuid_in: Option<Vec<String>>,
        #[graphql(name = "parent_Parent_Uuid")] parent_parent_uuid: Option<String>,
        #[graphql(name = "parent_Id")] parent_id: Option<ID>,
        #[graphql(name = "parent_Id_In")] parent_id_in: Option<Vec<ID>>,
    ) -> async_graphql::Result<LocationConnection> {
        list(ctx, async || {
            let conn = &state(ctx).db.conn;
            let filter = LocationFilter {
                id: pk(&id, "LocationGQLType")?,
                uuid: location_ref(conn, &uuid, "uuid").await?,
                uuid_in: location_refs(conn, &uuid_in, "uuid_In").await?,
                code,
                code_istartswith,
                code_icontains,
                code_iexact,
                name,
                name_istartswith,
                name_icontains,
                name_iexact,
                location_type,
                parent_uuid: location_ref(conn, &parent_uuid, "parent_Uuid").await?,
                parent_uuid_in: location_refs(conn, &parent_uuid_in, "parent_Uuid_In").await?,
                parent_parent_uuid: location_ref(conn, &parent_parent_uuid, "parent_Parent_Uuid")
                    .await?,
                parent_id: pk(&parent_id, "LocationGQLType")?,
                parent_id_in: parent_id_in
                    .map(|l| {
                        l.iter()
                            .map(|i| crate::graphql::parse_pk(i, "LocationGQLType"))
                            .collect::<AppResult<Vec<_>>>()
                    })
                    .transpose()?,
                str: None,
            };
            location_page(
                ctx,
                filter,
                PageArgs::new(first, last, after, before, offset, order_by),
            )
            .await
        })
        .await
    }

    /// Same filters as `locations`.
    #[allow(clippy::too_many_arguments)]
    async fn locations_all(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "orderBy")] order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        uuid: Option<String>,
        code: Option<String>,
        #[graphql(name = "code_Istartswith")] code_istartswith: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        #[graphql(name = "type")] location_type: Option<String>,
        #[graphql(name = "parent_Uuid")] parent_uuid: Option<String>,
    ) -> async_graphql::Result<LocationConnection> {
        list(ctx, async || {
            let conn = &state(ctx).db.conn;
            let filter = LocationFilter {
                uuid: location_ref(conn, &uuid, "uuid").await?,
                code,
                code_istartswith,
                name_icontains,
                location_type,
                parent_uuid: location_ref(conn, &parent_uuid, "parent_Uuid").await?,
                ..Default::default()
            };
            location_page(
                ctx,
                filter,
                PageArgs::new(first, last, after, before, offset, order_by),
            )
            .await
        })
        .await
    }

    /// Locations whose code or name contains `str` (case and accents ignored).
    #[allow(clippy::too_many_arguments)]
    async fn locations_str(
        &self,
        ctx: &Context<'_>,
        str: Option<String>,
        #[graphql(name = "orderBy")] order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(name = "type")] location_type: Option<String>,
        #[graphql(name = "parent_Uuid")] parent_uuid: Option<String>,
    ) -> async_graphql::Result<LocationConnection> {
        list(ctx, async || {
            let filter = LocationFilter {
                str,
                location_type,
                parent_uuid: location_ref(&state(ctx).db.conn, &parent_uuid, "parent_Uuid").await?,
                ..Default::default()
            };
            location_page(
                ctx,
                filter,
                PageArgs::new(first, last, after, before, offset, order_by),
            )
            .await
        })
        .await
    }

    /// Villages (or `locationType`) of the enrolment officer with this code.
    async fn officer_locations(
        &self,
        ctx: &Context<'_>,
        officer_code: String,
        location_type: Option<String>,
    ) -> async_graphql::Result<Vec<LocationGQLType>> {
        let st = state(ctx);
        let run = async {
            let rows = service::officer_locations(
                st,
                principal(ctx),
                &officer_code,
                location_type.as_deref(),
            )
            .await?;
            let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
            let nodes = location_nodes(&st.db.conn, &ids).await?;
            Ok::<_, AppError>(ids.iter().filter_map(|id| nodes.get(id).cloned()).collect())
        };
        run.await.gql(ctx)
    }

    /// The caller's districts with their region.
    async fn user_districts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<UserDistrictGQLType>> {
        let rows = service::user_districts(state(ctx), principal(ctx))
            .await
            .gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|(d, r)| UserDistrictGQLType {
                id: Some(d.id.to_string()),
                uuid: Some(d.uuid.to_string()),
                code: Some(d.code),
                name: Some(d.name),
                parent: r.map(|r| UserRegionGQLType {
                    id: Some(r.id.to_string()),
                    uuid: Some(r.uuid.to_string()),
                    code: Some(r.code),
                    name: Some(r.name),
                }),
            })
            .collect())
    }

    /// True when the code is free.
    async fn validate_location_code(
        &self,
        ctx: &Context<'_>,
        location_code: String,
    ) -> async_graphql::Result<bool> {
        service::validate_location_code(state(ctx), principal(ctx), &location_code)
            .await
            .gql(ctx)
    }

    #[graphql(flatten)]
    async fn health_facilities(&self) -> Flattened<HealthFacilitiesQuery> {
        Flattened(HealthFacilitiesQuery)
    }
}

macro_rules! location_input {
    ($name:ident, $gql:literal) => {
        #[derive(InputObject, Debug, Clone, serde::Serialize)]
        #[graphql(name = $gql)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[graphql(flatten)]
            #[serde(flatten)]
            pub envelope: MutationEnvelopeInput,
            pub id: Option<i32>,
            pub uuid: Option<String>,
            pub code: String,
            pub name: String,
            #[graphql(name = "type")]
            #[serde(rename = "type")]
            pub location_type: String,
            pub male_population: Option<i32>,
            pub female_population: Option<i32>,
            pub other_population: Option<i32>,
            pub families: Option<i32>,
            pub parent_uuid: Option<String>,
        }
        impl $name {
            fn to_service(&self) -> AppResult<LocationInput> {
                Ok(LocationInput {
                    uuid: opt_uuid(&self.uuid, "uuid")?,
                    code: self.code.clone(),
                    name: self.name.clone(),
                    location_type: self.location_type.clone(),
                    parent_uuid: opt_uuid(&self.parent_uuid, "parentUuid")?,
                    male_population: self.male_population,
                    female_population: self.female_population,
                    other_population: self.other_population,
                    families: self.families,
                })
            }
        }
    };
}
location_input!(CreateLocationMutationInput, "CreateLocationMutationInput");
location_input!(UpdateLocationMutationInput, "UpdateLocationMutationInput");

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "DeleteLocationMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct DeleteLocationMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub code: Option<String>,
    pub new_parent_uuid: Option<String>,
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "MoveLocationMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct MoveLocationMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub new_parent_uuid: Option<String>,
}

crate::mutation_payload!(CreateLocationMutationPayload);
crate::mutation_payload!(UpdateLocationMutationPayload);
crate::mutation_payload!(DeleteLocationMutationPayload);
crate::mutation_payload!(MoveLocationMutationPayload);

/// The location register's mutations: location creation, change, deletion and move here, then
/// the health facility mutations.
/// The other resources' fields are flattened in through [`Flattened`].
#[derive(Default)]
pub struct LocationMutation;

#[Object]
impl LocationMutation {
    async fn create_location(
        &self,
        ctx: &Context<'_>,
        input: CreateLocationMutationInput,
    ) -> async_graphql::Result<CreateLocationMutationPayload> {
        let li = input.to_service();
        mutate_row::<location::Entity, _>(
            ctx,
            "createLocation",
            &input.envelope,
            &input,
            &[],
            async |m| service::create_location(m, li?).await,
        )
        .await
    }

    async fn update_location(
        &self,
        ctx: &Context<'_>,
        input: UpdateLocationMutationInput,
    ) -> async_graphql::Result<UpdateLocationMutationPayload> {
        let li = input.to_service();
        mutate_row::<location::Entity, _>(
            ctx,
            "updateLocation",
            &input.envelope,
            &input,
            &[],
            async |m| service::update_location(m, li?).await,
        )
        .await
    }

    async fn delete_location(
        &self,
        ctx: &Context<'_>,
        input: DeleteLocationMutationInput,
    ) -> async_graphql::Result<DeleteLocationMutationPayload> {
        mutate_row::<location::Entity, _>(
            ctx,
            "deleteLocation",
            &input.envelope,
            &input,
            &[],
            async |m| {
                let uuid = opt_uuid(&input.uuid, "uuid")?;
                let new_parent = opt_uuid(&input.new_parent_uuid, "newParentUuid")?;
                service::delete_location(m, uuid, input.code.as_deref(), new_parent).await
            },
        )
        .await
    }

    async fn move_location(
        &self,
        ctx: &Context<'_>,
        input: MoveLocationMutationInput,
    ) -> async_graphql::Result<MoveLocationMutationPayload> {
        mutate_row::<location::Entity, _>(
            ctx,
            "moveLocation",
            &input.envelope,
            &input,
            // Rights before input checks, so a caller without 121905 learns nothing more.
            &[service::RIGHT_LOCATION_MOVE],
            async |m| {
                let uuid = opt_uuid(&input.uuid, "uuid")?
                    .ok_or_else(|| AppError::invalid("uuid", "required"))?;
                let new_parent = opt_uuid(&input.new_parent_uuid, "newParentUuid")?;
                service::move_location(m, uuid, new_parent).await
            },
        )
        .await
    }

    #[graphql(flatten)]
    async fn health_facilities(&self) -> Flattened<HealthFacilitiesMutation> {
        Flattened(HealthFacilitiesMutation)
    }
}
