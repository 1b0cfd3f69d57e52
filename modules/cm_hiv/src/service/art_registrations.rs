//! ART registrations: an insuree's ART register number (`registerArtNumber`, `changeArtNumber`,
//! `deleteArtRegistration`, `artRegistrations`). An insuree has at most one current number; a
//! number belongs to one current insuree; its site code must be a current treatment site within
//! the caller's locations.

use super::*;
use crate::entity::art_registration;
use crate::events::{
    ART_NUMBER_REGISTERED, ART_REGISTRATION_ENDED, ArtNumberRegistered, ArtRegistrationEnded,
};
use chrono::Datelike;
use chrono::{DateTime, Utc};
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::mutation::MutationCtx;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, QueryFilter, Select,
};
use uuid::Uuid;

/// Filters of `artRegistrations`: the lists' common ones (the code is the ART number), and the
/// insuree.
#[derive(Debug, Clone, Default)]
pub(crate) struct RegistrationFilter {
    pub(crate) list: ListFilter,
    /// The insuree's uuid: read through the insuree module, with its rights and scope.
    pub(crate) insuree_uuid: Option<Uuid>,
}

/// The current registrations `principal` may see (right 190001; registrations of the sites in
/// their locations).
pub(crate) async fn registrations_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &RegistrationFilter,
) -> AppResult<Select<art_registration::Entity>> {
    let p = require_register(principal)?;
    use art_registration::Column as C;
    let columns = ListColumns {
        id: C::Id,
        uuid: C::Uuid,
        code: C::ArtNumber,
        health_facility: C::HealthFacilityId,
    };
    let mut q = list_select(state, p, columns, &f.list).await?;
    if let Some(u) = f.insuree_uuid {
        // An insuree the caller may not see (or an unknown one) has no registration for them.
        let insuree = imis_insuree::api::insuree_by_uuid(state, p, u).await?;
        q = q.filter(C::InsureeId.eq(insuree.map(|i| i.id).unwrap_or(-1)));
    }
    Ok(q)
}

/// The current registration of an insuree, if any (no rights check: for other modules' reads).
pub(crate) async fn current_registration_of(
    conn: &impl sea_orm::ConnectionTrait,
    insuree_id: i64,
) -> AppResult<Option<art_registration::Model>> {
    Ok(art_registration::Entity::find()
        .filter(art_registration::Column::InsureeId.eq(insuree_id))
        .current()
        .one(conn)
        .await?)
}

fn already_registered(chf_id: &str) -> AppError {
    AppError::validation("cm_hiv.insuree_already_registered").with("chfId", chf_id)
}

fn number_taken(number: &str) -> AppError {
    AppError::validation("cm_hiv.art_number_taken").with("artNumber", number)
}

/// The site of a parsed ART number, which must exist and lie within `p`'s locations: its
/// health facility's id.
async fn site_facility(m: &MutationCtx<'_>, p: &Principal, number: &ArtNumber) -> AppResult<i64> {
    let site = current_site_by_code(&**m.tx, &number.site_code)
        .await?
        .ok_or_else(|| {
            AppError::validation("cm_hiv.art_site_unknown").with("siteCode", &number.site_code)
        })?;
    if !facility_visible(m.state, p, site.health_facility_id).await? {
        return Err(AppError::location_denied());
    }
    Ok(site.health_facility_id)
}

/// Refuses a number another current registration carries.
async fn check_number_free(
    tx: &DatabaseTransaction,
    number: &str,
    except: Option<i64>,
) -> AppResult<()> {
    use art_registration::Column as C;
    if kit::taken::<art_registration::Entity>(tx, C::ArtNumber, number, C::Id, except).await? {
        return Err(number_taken(number));
    }
    Ok(())
}

async fn publish_registered(m: &MutationCtx<'_>, r: &art_registration::Model) -> AppResult<()> {
    let payload = ArtNumberRegistered {
        registration_id: r.id,
        insuree_id: r.insuree_id,
        health_facility_id: r.health_facility_id,
        art_number: r.art_number.clone(),
    };
    m.publish(ART_NUMBER_REGISTERED, serde_json::to_value(payload)?)
        .await
}

/// `registerArtNumber` (190001, and the insuree search right to find the insuree): gives an
/// insuree the caller may see their ART number. A known `uuid` returns the existing registration
/// when it matches (D4).
pub(crate) async fn register_art_number(
    m: &MutationCtx<'_>,
    uuid: Option<Uuid>,
    insuree_uuid: Uuid,
    art_number: &str,
) -> AppResult<art_registration::Model> {
    let p = require_register(m.principal)?;
    let number = parse_art_number(art_number, m.state.clock.today().year())?;
    let insuree = imis_insuree::api::insuree_by_uuid(m.state, p, insuree_uuid)
        .await?
        .ok_or_else(|| AppError::not_found("insuree"))?;
    let tx: &DatabaseTransaction = m.tx;
    if let Some(u) = uuid
        && let Some(existing) = art_registration::Entity::find()
            .filter(art_registration::Column::Uuid.eq(u))
            .one(tx)
            .await?
    {
        if existing.validity_to.is_none()
            && existing.insuree_id == insuree.id
            && existing.art_number == number.number
        {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    let facility = site_facility(m, p, &number).await?;
    if current_registration_of(tx, insuree.id).await?.is_some() {
        return Err(already_registered(&insuree.chf_id));
    }
    check_number_free(tx, &number.number, None).await?;
    let taken = number_taken(&number.number);
    let already = already_registered(&insuree.chf_id);
    let model = art_registration::ActiveModel {
        uuid: Set(uuid.unwrap_or_else(Uuid::now_v7)),
        insuree_id: Set(insuree.id),
        health_facility_id: Set(facility),
        art_number: Set(number.number.clone()),
        validity_from: Set(m.state.clock.now()),
        validity_to: Set(None),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    }
    .insert(tx)
    .await
    .map_err(|e| {
        // A concurrent registration of the same insuree (PostgreSQL; SQLite writers are
        // serialised) answers what the pre-check answers.
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(msg)) = e.sql_err()
            && (msg.contains("insuree_id") || msg.contains("registration_insuree"))
        {
            return already;
        }
        imis_core::error::unique_or(e, &["art_number", "number"], uuid, || taken)
    })?;
    publish_registered(m, &model).await?;
    Ok(model)
}

/// The current registration `uuid`, under its row lock, within `p`'s locations.
async fn lock_registration(
    m: &MutationCtx<'_>,
    p: &Principal,
    uuid: Uuid,
) -> AppResult<art_registration::Model> {
    let current = art_registration::Entity::find()
        .filter(art_registration::Column::Uuid.eq(uuid))
        .current()
        .lock_exclusive()
        .one(&**m.tx)
        .await?
        .ok_or_else(|| AppError::not_found("art_registration"))?;
    if !facility_visible(m.state, p, current.health_facility_id).await? {
        return Err(AppError::location_denied());
    }
    Ok(current)
}

/// `changeArtNumber` (190001): a corrected number (its site may change, within the caller's
/// locations); the previous version goes to history.
pub(crate) async fn change_art_number(
    m: &MutationCtx<'_>,
    uuid: Uuid,
    art_number: &str,
) -> AppResult<art_registration::Model> {
    let p = require_register(m.principal)?;
    let number = parse_art_number(art_number, m.state.clock.today().year())?;
    let old = lock_registration(m, p, uuid).await?;
    if old.art_number == number.number {
        return Ok(old);
    }
    let facility = site_facility(m, p, &number).await?;
    let tx: &DatabaseTransaction = m.tx;
    check_number_free(tx, &number.number, Some(old.id)).await?;
    let now = m.state.clock.now();
    let taken = number_taken(&number.number);
    let mut am: art_registration::ActiveModel =
        kit::new_version(tx, ENTITY_ART_REGISTRATION, old, now, m.actor()).await?;
    am.art_number = Set(number.number.clone());
    am.health_facility_id = Set(facility);
    let model = am
        .update(tx)
        .await
        .map_err(|e| imis_core::error::unique_or(e, &["art_number", "number"], None, || taken))?;
    publish_registered(m, &model).await?;
    Ok(model)
}

/// `deleteArtRegistration` (190001): ends the registrations (their numbers become free); returns
/// their ids.
pub(crate) async fn delete_art_registrations(
    m: &MutationCtx<'_>,
    uuids: &[Uuid],
) -> AppResult<Vec<i64>> {
    let p = require_register(m.principal)?;
    let tx: &DatabaseTransaction = m.tx;
    let now = m.state.clock.now();
    let mut ended = Vec::with_capacity(uuids.len());
    for u in uuids {
        let old = lock_registration(m, p, *u).await?;
        let payload = end_registration(tx, old, now, m.actor()).await?;
        m.publish(ART_REGISTRATION_ENDED, serde_json::to_value(&payload)?)
            .await?;
        ended.push(payload.registration_id);
    }
    Ok(ended)
}

/// Ends a current registration at `now` by `actor` (its number becomes free; the ended version
/// goes to history), for `deleteArtRegistration` and the insuree's deletion alike: the payload
/// of the [`ART_REGISTRATION_ENDED`] event the caller publishes.
pub(crate) async fn end_registration(
    tx: &DatabaseTransaction,
    old: art_registration::Model,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<ArtRegistrationEnded> {
    let ended = kit::close_version::<art_registration::ActiveModel>(
        tx,
        ENTITY_ART_REGISTRATION,
        old,
        now,
        actor,
    )
    .await?;
    Ok(ArtRegistrationEnded {
        registration_id: ended.id,
        insuree_id: ended.insuree_id,
    })
}
