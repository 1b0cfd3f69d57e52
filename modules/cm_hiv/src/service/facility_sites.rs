//! Treatment sites: the programme's site code of a health facility (`setFacilitySiteCode`,
//! `hivFacilitySites`).

use super::*;
use crate::entity::{art_registration, facility_site};
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::mutation::MutationCtx;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, PaginatorTrait,
    QueryFilter, Select,
};
use uuid::Uuid;

/// The current sites `principal` may see (right 190001; sites of facilities in their locations);
/// the filter's code is the site code.
pub(crate) async fn sites_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &ListFilter,
) -> AppResult<Select<facility_site::Entity>> {
    let p = require_register(principal)?;
    use facility_site::Column as C;
    let columns = ListColumns {
        id: C::Id,
        uuid: C::Uuid,
        code: C::SiteCode,
        health_facility: C::HealthFacilityId,
    };
    list_select(state, p, columns, f).await
}

/// The current site with this (normalised) code.
pub(crate) async fn current_site_by_code(
    conn: &impl sea_orm::ConnectionTrait,
    code: &str,
) -> AppResult<Option<facility_site::Model>> {
    Ok(facility_site::Entity::find()
        .filter(facility_site::Column::SiteCode.eq(code))
        .current()
        .one(conn)
        .await?)
}

fn site_code_taken(code: &str) -> AppError {
    AppError::validation("cm_hiv.site_code_taken").with("siteCode", code)
}

/// `setFacilitySiteCode` (190001): gives the facility (within the caller's locations) its site
/// code, or changes it (the previous version goes to history). A site whose code ART numbers
/// already carry cannot change it (`cm_hiv.site_in_use`): those numbers would name a code that no
/// longer exists.
pub(crate) async fn set_facility_site_code(
    m: &MutationCtx<'_>,
    health_facility_uuid: Uuid,
    site_code: &str,
) -> AppResult<facility_site::Model> {
    let p = require_register(m.principal)?;
    let code = check_site_code(site_code)?;
    let facility = visible_facility_by_uuid(m.state, p, health_facility_uuid).await?;
    let tx: &DatabaseTransaction = m.tx;
    let now = m.state.clock.now();
    if let Some(other) = current_site_by_code(tx, &code).await?
        && other.health_facility_id != facility
    {
        return Err(site_code_taken(&code));
    }
    let existing = facility_site::Entity::find()
        .filter(facility_site::Column::HealthFacilityId.eq(facility))
        .current()
        .lock_exclusive()
        .one(tx)
        .await?;
    let Some(old) = existing else {
        return facility_site::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            health_facility_id: Set(facility),
            site_code: Set(code.clone()),
            validity_from: Set(now),
            validity_to: Set(None),
            audit_user_id: Set(m.actor()),
            ..Default::default()
        }
        .insert(tx)
        .await
        .map_err(|e| {
            imis_core::error::unique_or(e, &["site_code", "code"], None, || site_code_taken(&code))
        });
    };
    if old.site_code == code {
        return Ok(old);
    }
    let registrations = art_registration::Entity::find()
        .filter(art_registration::Column::HealthFacilityId.eq(facility))
        .current()
        .count(tx)
        .await?;
    if registrations > 0 {
        return Err(AppError::validation("cm_hiv.site_in_use")
            .with("siteCode", &old.site_code)
            .with("count", registrations));
    }
    let mut am: facility_site::ActiveModel =
        kit::new_version(tx, ENTITY_FACILITY_SITE, old, now, m.actor()).await?;
    am.site_code = Set(code.clone());
    am.update(tx).await.map_err(|e| {
        imis_core::error::unique_or(e, &["site_code", "code"], None, || site_code_taken(&code))
    })
}
