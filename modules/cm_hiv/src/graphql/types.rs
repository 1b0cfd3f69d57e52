//! The module's GraphQL object types and the page loading that fills their nested objects (the
//! insuree through the insuree module's API, the facility through the core's location service)
//! in a fixed number of queries per page.

use crate::entity::{art_registration, facility_site};
use async_graphql::{ID, Object};
use imis_core::auth::Principal;
use imis_core::kit::{Validity, node_id};
use imis_core::location::graphql::{HealthFacilityGQLType, health_facility_nodes};
use imis_core::location::service::{HealthFacilityFilter, health_facilities_select};
use imis_core::{AppResult, AppState};
use imis_insuree::api::InsureeGQLType;
use sea_orm::{ColumnTrait, EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter, Select};
use std::collections::HashMap;

pub(crate) const ART_REGISTRATION_TYPE: &str = "ArtRegistrationGQLType";
pub(crate) const FACILITY_SITE_TYPE: &str = "HivFacilitySiteGQLType";

/// Narrows a select to the rows with these primary keys (whatever the entity).
fn with_ids<E: EntityTrait>(select: Select<E>, ids: &[i64]) -> Select<E> {
    match E::PrimaryKey::iter().next() {
        Some(pk) => select.filter(pk.into_column().is_in(ids.iter().copied())),
        None => select,
    }
}

/// The facilities `ids` as GraphQL nodes, those `p` may see only.
pub(crate) async fn facility_nodes(
    state: &AppState,
    p: &Principal,
    ids: &[i64],
) -> AppResult<HashMap<i64, HealthFacilityGQLType>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let select = health_facilities_select(state, Some(p), &HealthFacilityFilter::default()).await?;
    let models = with_ids(select, ids).all(&state.db.conn).await?;
    let nodes = health_facility_nodes(
        state,
        models.into_iter().map(|m| (m, None)).collect(),
        false,
        false,
    )
    .await?;
    Ok(nodes.into_iter().map(|n| (n.model.id, n)).collect())
}

/// `models` each with its health facility (`facility` of the row), the facilities loaded once
/// for the page (null where `p` may not see it).
async fn with_facilities<M>(
    state: &AppState,
    p: &Principal,
    models: Vec<M>,
    facility: impl Fn(&M) -> i64,
) -> AppResult<Vec<(M, Option<HealthFacilityGQLType>)>> {
    let ids: Vec<i64> = models.iter().map(&facility).collect();
    let facilities = facility_nodes(state, p, &ids).await?;
    Ok(models
        .into_iter()
        .map(|m| {
            let node = facilities.get(&facility(&m)).cloned();
            (m, node)
        })
        .collect())
}

/// `ArtRegistrationGQLType`: an insuree's ART register number (module `cm_hiv`).
#[derive(Clone)]
pub struct ArtRegistrationGQLType {
    pub(crate) model: art_registration::Model,
    /// Null when the insuree lies outside the caller's rights or locations.
    pub(crate) insuree: Option<InsureeGQLType>,
    pub(crate) health_facility: Option<HealthFacilityGQLType>,
}

impl ArtRegistrationGQLType {
    /// The nodes of a page of registrations, nested objects loaded once for the page.
    pub(crate) async fn page(
        state: &AppState,
        p: &Principal,
        models: Vec<art_registration::Model>,
    ) -> AppResult<Vec<Self>> {
        let insuree_ids: Vec<i64> = models.iter().map(|m| m.insuree_id).collect();
        let insurees = imis_insuree::api::insuree_nodes(state, p, &insuree_ids).await?;
        let rows = with_facilities(state, p, models, |m| m.health_facility_id).await?;
        Ok(rows
            .into_iter()
            .map(|(model, health_facility)| Self {
                insuree: insurees.get(&model.insuree_id).cloned(),
                health_facility,
                model,
            })
            .collect())
    }
}

#[Object(name = "ArtRegistrationGQLType")]
impl ArtRegistrationGQLType {
    async fn id(&self) -> ID {
        node_id(ART_REGISTRATION_TYPE, self.model.id, None)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    /// `<site code>/<YYYY>/<NNNNN>`, upper case.
    async fn art_number(&self) -> &str {
        &self.model.art_number
    }
    /// The treatment site's code, the first part of the ART number.
    async fn site_code(&self) -> &str {
        self.model.art_number.split('/').next().unwrap_or_default()
    }
    async fn insuree(&self) -> Option<&InsureeGQLType> {
        self.insuree.as_ref()
    }
    async fn health_facility(&self) -> Option<&HealthFacilityGQLType> {
        self.health_facility.as_ref()
    }
    /// `validityFrom` and `validityTo` (the programme's types show no `legacyId`: their history
    /// versions are not served).
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.model.validity_from, self.model.validity_to)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
}

/// `HivFacilitySiteGQLType`: a health facility's treatment-site code in the HIV programme.
#[derive(Clone)]
pub struct HivFacilitySiteGQLType {
    pub(crate) model: facility_site::Model,
    pub(crate) health_facility: Option<HealthFacilityGQLType>,
}

impl HivFacilitySiteGQLType {
    /// The nodes of a page of sites, their facilities loaded once for the page.
    pub(crate) async fn page(
        state: &AppState,
        p: &Principal,
        models: Vec<facility_site::Model>,
    ) -> AppResult<Vec<Self>> {
        let rows = with_facilities(state, p, models, |m| m.health_facility_id).await?;
        Ok(rows
            .into_iter()
            .map(|(model, health_facility)| Self {
                model,
                health_facility,
            })
            .collect())
    }
}

#[Object(name = "HivFacilitySiteGQLType")]
impl HivFacilitySiteGQLType {
    async fn id(&self) -> ID {
        node_id(FACILITY_SITE_TYPE, self.model.id, None)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn site_code(&self) -> &str {
        &self.model.site_code
    }
    async fn health_facility(&self) -> Option<&HealthFacilityGQLType> {
        self.health_facility.as_ref()
    }
    /// `validityFrom` and `validityTo` (the programme's types show no `legacyId`: their history
    /// versions are not served).
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.model.validity_from, self.model.validity_to)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
}
