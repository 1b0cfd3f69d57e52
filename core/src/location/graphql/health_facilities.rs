//! Health facilities: the GraphQL types, the facility lists and code check, and the facility
//! mutations.

use super::*;

crate::connection_type!(
    HealthFacilityConnection,
    HealthFacilityConnName,
    HealthFacilityEdgeName,
    HealthFacilityGQLType,
    "HealthFacilityGQLType"
);

/// `HealthFacilityLegalFormGQLType`.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "HealthFacilityLegalFormGQLType")]
pub struct HealthFacilityLegalFormGQLType {
    pub code: String,
    pub legal_form: String,
    pub sort_order: Option<i32>,
    pub alt_language: Option<String>,
}

/// `HealthFacilitySubLevelGQLType`.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "HealthFacilitySubLevelGQLType")]
pub struct HealthFacilitySubLevelGQLType {
    pub code: String,
    pub health_facility_sub_level: Option<String>,
    pub sort_order: Option<i32>,
    pub alt_language: Option<String>,
}

/// `HealthFacilityStatus`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "HealthFacilityStatus")]
pub enum HealthFacilityStatus {
    #[graphql(name = "AC")]
    Ac,
    #[graphql(name = "IN")]
    In,
    #[graphql(name = "DE")]
    De,
    #[graphql(name = "ID")]
    Id,
}

pub fn legal_form(code: &str) -> HealthFacilityLegalFormGQLType {
    let (name, fr, order) = match code {
        "C" => ("Charity", "Organisation caritative", 1),
        "D" => ("District organization", "Organisation de district", 2),
        "G" => ("Government", "Gouvernement", 3),
        "P" => ("Private organization", "Organisation privée", 4),
        _ => ("", "", 0),
    };
    HealthFacilityLegalFormGQLType {
        code: code.into(),
        legal_form: name.into(),
        sort_order: Some(order),
        alt_language: Some(fr.into()),
    }
}

pub fn sub_level(code: &str) -> HealthFacilitySubLevelGQLType {
    let (name, fr, order) = match code {
        "I" => ("Integrated", "Intégré", 1),
        "N" => ("No sublevel", "Sans sous-niveau", 2),
        "R" => ("Reference", "Référence", 3),
        _ => ("", "", 0),
    };
    HealthFacilitySubLevelGQLType {
        code: code.into(),
        health_facility_sub_level: Some(name.into()),
        sort_order: Some(order),
        alt_language: Some(fr.into()),
    }
}

/// (items price list, services price list) of a facility.
pub type PricelistPair = (Option<PricelistSummary>, Option<PricelistSummary>);

/// Data loaded once for a page of facilities.
#[derive(Default)]
pub struct HealthFacilityPageData {
    pub catchments: Option<HashMap<i64, Vec<hf_catchment::Model>>>,
    pub catchment_locations: HashMap<i64, LocationGQLType>,
    pub pricelists: Option<HashMap<i64, PricelistPair>>,
}

/// `HealthFacilityGQLType`.
#[derive(Clone)]
pub struct HealthFacilityGQLType {
    pub model: health_facility::Model,
    pub location: Option<LocationGQLType>,
    /// Set for a history version (D7): the `core_history` pk.
    pub history_id: Option<i64>,
    pub page: Arc<HealthFacilityPageData>,
}

/// `HealthFacilityCatchmentGQLType`.
#[derive(SimpleObject, Clone)]
#[graphql(name = "HealthFacilityCatchmentGQLType")]
pub struct HealthFacilityCatchmentGQLType {
    pub id: ID,
    pub legacy_id: Option<i64>,
    pub location: Option<LocationGQLType>,
    pub catchment: Option<i32>,
    pub validity_from: Option<DateTime>,
    pub validity_to: Option<DateTime>,
    pub audit_user_id: Option<i64>,
}

/// Builds facility nodes for `models`, loading locations (and, when `catchments`/`pricelists`,
/// those too) in a fixed number of queries. For other modules' types as well.
pub async fn health_facility_nodes(
    state: &AppState,
    models: Vec<(health_facility::Model, Option<i64>)>,
    catchments: bool,
    pricelists: bool,
) -> AppResult<Vec<HealthFacilityGQLType>> {
    let conn = &state.db.conn;
    let ids: Vec<i64> = models.iter().map(|(m, _)| m.id).collect();
    let mut page = HealthFacilityPageData::default();
    let mut loc_ids: Vec<i64> = models.iter().map(|(m, _)| m.location_id).collect();
    if catchments {
        let cs = service::catchments_for(conn, &ids).await?;
        loc_ids.extend(cs.values().flatten().map(|c| c.location_id));
        page.catchments = Some(cs);
    }
    let locs = location_nodes(conn, &loc_ids).await?;
    if pricelists && let Some(port) = &state.ports.health_facility_pricelists {
        page.pricelists = Some(port.for_facilities(state, &ids).await?);
    }
    page.catchment_locations = locs.clone();
    let page = Arc::new(page);
    Ok(models
        .into_iter()
        .map(|(model, history_id)| HealthFacilityGQLType {
            location: locs.get(&model.location_id).cloned(),
            model,
            history_id,
            page: page.clone(),
        })
        .collect())
}

impl HealthFacilityGQLType {
    async fn pricelists(&self, ctx: &Context<'_>) -> AppResult<PricelistPair> {
        if let Some(map) = &self.page.pricelists {
            return Ok(map.get(&self.model.id).cloned().unwrap_or((None, None)));
        }
        let st = state(ctx);
        let Some(port) = &st.ports.health_facility_pricelists else {
            return Ok((None, None));
        };
        let mut map = port.for_facilities(st, &[self.model.id]).await?;
        Ok(map.remove(&self.model.id).unwrap_or((None, None)))
    }
}

#[Object(name = "HealthFacilityGQLType")]
impl HealthFacilityGQLType {
    pub async fn id(&self) -> ID {
        kit::node_id("HealthFacilityGQLType", self.model.id, self.history_id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn code(&self) -> &str {
        &self.model.code
    }
    async fn name(&self) -> &str {
        &self.model.name
    }
    async fn acc_code(&self) -> Option<&str> {
        self.model.acc_code.as_deref()
    }
    async fn legal_form(&self) -> HealthFacilityLegalFormGQLType {
        legal_form(&self.model.legal_form)
    }
    async fn level(&self) -> &str {
        &self.model.level
    }
    async fn sub_level(&self) -> Option<HealthFacilitySubLevelGQLType> {
        self.model.sub_level.as_deref().map(sub_level)
    }
    async fn location(&self) -> Option<&LocationGQLType> {
        self.location.as_ref()
    }
    async fn address(&self) -> Option<&str> {
        self.model.address.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.model.phone.as_deref()
    }
    async fn fax(&self) -> Option<&str> {
        self.model.fax.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.model.email.as_deref()
    }
    async fn care_type(&self) -> &str {
        &self.model.care_type
    }
    async fn offline(&self) -> bool {
        self.model.offline
    }
    async fn contract_start_date(&self) -> Option<Date> {
        self.model.contract_start_date.map(Date)
    }
    async fn contract_end_date(&self) -> Option<Date> {
        self.model.contract_end_date.map(Date)
    }
    async fn status(&self) -> HealthFacilityStatus {
        match self.model.status.as_str() {
            "IN" => HealthFacilityStatus::In,
            "DE" => HealthFacilityStatus::De,
            "ID" => HealthFacilityStatus::Id,
            _ => HealthFacilityStatus::Ac,
        }
    }
    /// Current catchments (for a history version: the facility's current catchments).
    async fn catchments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<HealthFacilityCatchmentGQLType>> {
        let st = state(ctx);
        let tz = st.clock.tz;
        let (rows, locs) = match &self.page.catchments {
            Some(map) => (
                map.get(&self.model.id).cloned().unwrap_or_default(),
                self.page.catchment_locations.clone(),
            ),
            None => {
                let rows = service::catchments_for(&st.db.conn, &[self.model.id])
                    .await
                    .gql(ctx)?
                    .remove(&self.model.id)
                    .unwrap_or_default();
                let ids: Vec<i64> = rows.iter().map(|c| c.location_id).collect();
                (rows, location_nodes(&st.db.conn, &ids).await.gql(ctx)?)
            }
        };
        Ok(rows
            .into_iter()
            .map(|c| HealthFacilityCatchmentGQLType {
                id: global_id("HealthFacilityCatchmentGQLType", c.id),
                legacy_id: None,
                location: locs.get(&c.location_id).cloned(),
                catchment: Some(c.catchment),
                validity_from: Some(DateTime::from_utc(c.validity_from, tz)),
                validity_to: c.validity_to.map(|t| DateTime::from_utc(t, tz)),
                audit_user_id: c.audit_user_id,
            })
            .collect())
    }
    /// Null when the medical module is disabled.
    async fn items_pricelist(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<PricelistSummary>> {
        Ok(self.pricelists(ctx).await.gql(ctx)?.0)
    }
    /// Null when the medical module is disabled.
    async fn services_pricelist(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<PricelistSummary>> {
        Ok(self.pricelists(ctx).await.gql(ctx)?.1)
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, self.history_id)
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

pub(super) const HF_SORT: [(&str, health_facility::Column); 6] = [
    ("code", health_facility::Column::Code),
    ("name", health_facility::Column::Name),
    ("level", health_facility::Column::Level),
    ("careType", health_facility::Column::CareType),
    ("status", health_facility::Column::Status),
    ("legalForm", health_facility::Column::LegalForm),
];

pub(super) fn hf_wants(ctx: &Context<'_>, field: &str) -> bool {
    ctx.look_ahead()
        .field("edges")
        .field("node")
        .field(field)
        .exists()
}

pub(super) async fn hf_page(
    ctx: &Context<'_>,
    filter: HealthFacilityFilter,
    args: PageArgs,
    show_history: bool,
) -> AppResult<HealthFacilityConnection> {
    let st = state(ctx);
    let select = service::health_facilities_select(st, principal(ctx), &filter).await?;
    let page = page_of(
        ctx,
        select,
        &args,
        Sorting {
            columns: &HF_SORT,
            id: health_facility::Column::Id,
            default_order: &["code"],
        },
    )
    .await?;
    let page = page
        .with_versions(&st.db.conn, health_facility::Entity::NAME, show_history)
        .await?;
    let catchments = hf_wants(ctx, "catchments");
    let pricelists = hf_wants(ctx, "itemsPricelist") || hf_wants(ctx, "servicesPricelist");
    let page = kit::with_nodes(page, async |models| {
        health_facility_nodes(st, models, catchments, pricelists).await
    })
    .await?;
    Ok(page.into_connection(|n| n))
}

pub(super) fn status_code(s: HealthFacilityStatus) -> String {
    match s {
        HealthFacilityStatus::Ac => "AC",
        HealthFacilityStatus::In => "IN",
        HealthFacilityStatus::De => "DE",
        HealthFacilityStatus::Id => "ID",
    }
    .into()
}

/// The facility lists and the facility code check.
#[derive(Default)]
pub struct HealthFacilitiesQuery;

#[Object]
impl HealthFacilitiesQuery {
    #[allow(clippy::too_many_arguments)]
    async fn health_facilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "showHistory")] show_history: Option<bool>,
        #[graphql(name = "orderBy")] order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        uuid: Option<String>,
        code: Option<String>,
        #[graphql(name = "code_Istartswith")] code_istartswith: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        #[graphql(name = "code_Iexact")] code_iexact: Option<String>,
        name: Option<String>,
        #[graphql(name = "name_Istartswith")] name_istartswith: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        #[graphql(name = "name_Iexact")] name_iexact: Option<String>,
        level: Option<String>,
        #[graphql(name = "subLevel")] sub_level: Option<ID>,
        #[graphql(name = "careType")] care_type: Option<String>,
        #[graphql(name = "legalForm_Code")] legal_form_code: Option<String>,
        status: Option<HealthFacilityStatus>,
        #[graphql(name = "location_Id")] location_id: Option<ID>,
        #[graphql(name = "location_Uuid")] location_uuid: Option<String>,
        #[graphql(name = "location_Uuid_In")] location_uuid_in: Option<Vec<String>>,
        #[graphql(name = "location_Parent_Uuid")] location_parent_uuid: Option<String>,
    ) -> async_graphql::Result<HealthFacilityConnection> {
        list(ctx, async || {
            let conn = &state(ctx).db.conn;
            let filter = HealthFacilityFilter {
                id: pk(&id, "HealthFacilityGQLType")?,
                uuid: opt_uuid(&uuid, "uuid")?,
                code,
                code_istartswith,
                code_icontains,
                code_iexact,
                name,
                name_istartswith,
                name_icontains,
                name_iexact,
                level,
                sub_level: sub_level.map(|s| s.0),
                care_type,
                legal_form: legal_form_code,
                status: status.map(status_code),
                location_id: pk(&location_id, "LocationGQLType")?,
                location_uuid: location_ref(conn, &location_uuid, "location_Uuid").await?,
                location_uuid_in: location_refs(conn, &location_uuid_in, "location_Uuid_In")
                    .await?,
                location_parent_uuid: location_ref(
                    conn,
                    &location_parent_uuid,
                    "location_Parent_Uuid",
                )
                .await?,
                str: None,
                ignore_location: false,
            };
            hf_page(
                ctx,
                filter,
                PageArgs::new(first, last, after, before, offset, order_by),
                show_history.unwrap_or(false),
            )
            .await
        })
        .await
    }

    /// Facilities whose code or name contains `str`, optionally within a region or districts.
    #[allow(clippy::too_many_arguments)]
    async fn health_facilities_str(
        &self,
        ctx: &Context<'_>,
        str: Option<String>,
        #[graphql(name = "regionUuid")] region_uuid: Option<String>,
        #[graphql(name = "districtUuid")] district_uuid: Option<String>,
        #[graphql(name = "districtsUuids")] districts_uuids: Option<Vec<String>>,
        #[graphql(name = "ignoreLocation")] ignore_location: Option<bool>,
        #[graphql(name = "orderBy")] order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        level: Option<String>,
        status: Option<HealthFacilityStatus>,
    ) -> async_graphql::Result<HealthFacilityConnection> {
        list(ctx, async || {
            let conn = &state(ctx).db.conn;
            let mut districts = location_refs(conn, &districts_uuids, "districtsUuids").await?;
            if let Some(d) = location_ref(conn, &district_uuid, "districtUuid").await? {
                districts.get_or_insert_with(Vec::new).push(d);
            }
            let filter = HealthFacilityFilter {
                str,
                level,
                status: status.map(status_code),
                location_uuid_in: districts,
                location_parent_uuid: location_ref(conn, &region_uuid, "regionUuid").await?,
                ignore_location: ignore_location.unwrap_or(false),
                ..Default::default()
            };
            hf_page(
                ctx,
                filter,
                PageArgs::new(first, last, after, before, offset, order_by),
                false,
            )
            .await
        })
        .await
    }

    /// True when the code is free.
    async fn validate_health_facility_code(
        &self,
        ctx: &Context<'_>,
        health_facility_code: String,
    ) -> async_graphql::Result<bool> {
        service::validate_health_facility_code(state(ctx), principal(ctx), &health_facility_code)
            .await
            .gql(ctx)
    }
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "HealthFacilityCatchmentInputType")]
#[serde(rename_all = "camelCase")]
pub struct HealthFacilityCatchmentInputType {
    pub id: Option<i32>,
    pub location_id: i32,
    pub catchment: Option<i32>,
}

macro_rules! hf_input {
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
            pub acc_code: Option<String>,
            pub legal_form_id: String,
            pub level: String,
            pub sub_level_id: Option<String>,
            pub location_id: i32,
            pub address: Option<String>,
            pub phone: Option<String>,
            pub fax: Option<String>,
            pub email: Option<String>,
            pub care_type: String,
            pub services_pricelist_id: Option<i32>,
            pub items_pricelist_id: Option<i32>,
            pub offline: Option<bool>,
            pub catchments: Option<Vec<Option<HealthFacilityCatchmentInputType>>>,
            pub contract_start_date: Option<Date>,
            pub contract_end_date: Option<Date>,
            pub status: Option<String>,
        }
        impl $name {
            fn to_service(&self) -> AppResult<HealthFacilityInput> {
                Ok(HealthFacilityInput {
                    uuid: opt_uuid(&self.uuid, "uuid")?,
                    code: self.code.clone(),
                    name: self.name.clone(),
                    acc_code: self.acc_code.clone(),
                    legal_form: self.legal_form_id.clone(),
                    level: self.level.clone(),
                    sub_level: self.sub_level_id.clone().filter(|s| !s.is_empty()),
                    location_id: self.location_id as i64,
                    address: self.address.clone(),
                    phone: self.phone.clone(),
                    fax: self.fax.clone(),
                    email: self.email.clone(),
                    care_type: self.care_type.clone(),
                    services_pricelist_id: self.services_pricelist_id.map(i64::from),
                    items_pricelist_id: self.items_pricelist_id.map(i64::from),
                    offline: self.offline,
                    catchments: self.catchments.as_ref().map(|cs| {
                        cs.iter()
                            .flatten()
                            .map(|c| CatchmentInput {
                                location_id: c.location_id as i64,
                                catchment: c.catchment,
                            })
                            .collect()
                    }),
                    contract_start_date: self.contract_start_date.map(|d| d.0),
                    contract_end_date: self.contract_end_date.map(|d| d.0),
                    status: self.status.clone().filter(|s| !s.is_empty()),
                })
            }
        }
    };
}
hf_input!(
    CreateHealthFacilityMutationInput,
    "CreateHealthFacilityMutationInput"
);
hf_input!(
    UpdateHealthFacilityMutationInput,
    "UpdateHealthFacilityMutationInput"
);

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "DeleteHealthFacilityMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct DeleteHealthFacilityMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub code: Option<String>,
}

crate::mutation_payload!(CreateHealthFacilityMutationPayload);
crate::mutation_payload!(UpdateHealthFacilityMutationPayload);
crate::mutation_payload!(DeleteHealthFacilityMutationPayload);

/// Facility creation, change and deletion.
#[derive(Default)]
pub struct HealthFacilitiesMutation;

#[Object]
impl HealthFacilitiesMutation {
    async fn create_health_facility(
        &self,
        ctx: &Context<'_>,
        input: CreateHealthFacilityMutationInput,
    ) -> async_graphql::Result<CreateHealthFacilityMutationPayload> {
        let hi = input.to_service();
        mutate_row::<health_facility::Entity, _>(
            ctx,
            "createHealthFacility",
            &input.envelope,
            &input,
            &[],
            async |m| service::create_health_facility(m, hi?).await,
        )
        .await
    }

    async fn update_health_facility(
        &self,
        ctx: &Context<'_>,
        input: UpdateHealthFacilityMutationInput,
    ) -> async_graphql::Result<UpdateHealthFacilityMutationPayload> {
        let hi = input.to_service();
        mutate_row::<health_facility::Entity, _>(
            ctx,
            "updateHealthFacility",
            &input.envelope,
            &input,
            &[],
            async |m| service::update_health_facility(m, hi?).await,
        )
        .await
    }

    async fn delete_health_facility(
        &self,
        ctx: &Context<'_>,
        input: DeleteHealthFacilityMutationInput,
    ) -> async_graphql::Result<DeleteHealthFacilityMutationPayload> {
        mutate_row::<health_facility::Entity, _>(
            ctx,
            "deleteHealthFacility",
            &input.envelope,
            &input,
            &[],
            async |m| {
                let uuid = opt_uuid(&input.uuid, "uuid")?;
                service::delete_health_facility(m, uuid, input.code.as_deref()).await
            },
        )
        .await
    }
}
