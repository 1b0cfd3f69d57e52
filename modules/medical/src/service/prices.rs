//! What a facility may claim: the price lists assigned to health facilities (written by the
//! `health_facility.saving` handler, read by the core through the
//! [`HealthFacilityPricelists`](imis_core::ports::HealthFacilityPricelists) port) and the one
//! price function of the claim module, [`claimable_price`] (the rule itself lives in
//! [`super::claim_facts`], which answers it for many claims at once).

use super::*;
use crate::entity::{item, pricelist, service};
use futures::future::BoxFuture;
use imis_core::events::Event;
use imis_core::ports::{HealthFacilityPricelists, PricelistSummary};
use sea_orm::{DatabaseTransaction, EntityTrait, QuerySelect};
use std::collections::HashSet;

/// Of `ids`, the items (or services) valid on `date` (calendar date, D11): a version of the
/// register entry was in force that day (rejection reason 1 of claims when absent).
pub async fn valid_medical_ids(
    state: &AppState,
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    ids: &[i64],
    date: NaiveDate,
) -> AppResult<HashSet<i64>> {
    Ok(prices_on(state, conn, kind, ids, date)
        .await?
        .into_keys()
        .collect())
}

/// Own price (minor units) of each item or service valid on `date`, from the version in force.
async fn prices_on(
    state: &AppState,
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    ids: &[i64],
    date: NaiveDate,
) -> AppResult<HashMap<i64, i64>> {
    let ids = ids.iter().copied();
    match kind {
        MedicalKind::Item => {
            let rows = rows_in::<item::Entity, _>(conn, item::Column::Id, ids, false).await?;
            prices_of(state, conn, ENTITY_ITEM, rows, date, |m| m.price).await
        }
        MedicalKind::Service => {
            let rows = rows_in::<service::Entity, _>(conn, service::Column::Id, ids, false).await?;
            prices_of(state, conn, ENTITY_SERVICE, rows, date, |m| m.price).await
        }
    }
}

/// Of these rows of `entity`, the own price of those valid on `date`, from the version in force.
async fn prices_of<M: Versioned>(
    state: &AppState,
    conn: &impl ConnectionTrait,
    entity: &str,
    rows: Vec<M>,
    date: NaiveDate,
    price: impl Fn(&M) -> i64,
) -> AppResult<HashMap<i64, i64>> {
    Ok(versions_on(conn, &state.clock, entity, rows, date)
        .await?
        .into_iter()
        .map(|m| (m.id(), price(&m)))
        .collect())
}

/// The price a facility may claim for an item or service on a date, or `None` when it may not
/// claim it: the facility has no price list of that kind, its list was not in force that day
/// (a version valid on the date per D7/D11, with a price-list date on or before it), the item or
/// service is not a detail of that list that day, or is not itself valid that day. The price is
/// the detail's override when set, else the item's or service's own price, both as they were on
/// that day. `conn` may be the caller's transaction.
pub async fn claimable_price(
    state: &AppState,
    conn: &impl ConnectionTrait,
    health_facility_id: i64,
    kind: MedicalKind,
    medical_id: i64,
    date: NaiveDate,
) -> AppResult<Option<Decimal>> {
    Ok(
        claimable_prices(state, conn, health_facility_id, kind, &[medical_id], date)
            .await?
            .remove(&medical_id),
    )
}

/// [`claimable_price`] for several items (or services) at once, in a fixed number of queries;
/// those that may not be claimed are absent from the map.
pub async fn claimable_prices(
    state: &AppState,
    conn: &impl ConnectionTrait,
    health_facility_id: i64,
    kind: MedicalKind,
    ids: &[i64],
    date: NaiveDate,
) -> AppResult<HashMap<i64, Decimal>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (items, services) = match kind {
        MedicalKind::Item => (ids.to_vec(), vec![]),
        MedicalKind::Service => (vec![], ids.to_vec()),
    };
    let query = super::ClaimRegisterQuery {
        health_facility_id,
        date,
        items,
        services,
    };
    let facts = super::claim_register_facts(state, conn, &[query]).await?;
    Ok(facts
        .into_iter()
        .next()
        .map(|f| match kind {
            MedicalKind::Item => f.item_prices,
            MedicalKind::Service => f.service_prices,
        })
        .unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// Health facility price lists: the in-transaction handler and the port
// ---------------------------------------------------------------------------------------------

/// Handler of `health_facility.saving` (payload `{healthFacilityId, itemsPricelistId,
/// servicesPricelistId}`): each given id must be a current price list of its kind located at the
/// facility's district, one of its ancestors, or national; otherwise the facility write is
/// vetoed with `medical.pricelist_invalid`. The assignment is stored in `medical_hf_pricelist`.
pub fn on_facility_saving<'a>(
    _state: &'a AppState,
    tx: &'a DatabaseTransaction,
    e: &'a Event,
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        let hf = e.payload["healthFacilityId"]
            .as_i64()
            .ok_or_else(AppError::internal)?;
        let items = e.payload["itemsPricelistId"].as_i64();
        let services = e.payload["servicesPricelistId"].as_i64();
        let b = tx.get_database_backend();
        if items.is_some() || services.is_some() {
            let location = imis_core::registers::health_facility_location_id(tx, hf)
                .await?
                .ok_or_else(AppError::internal)?;
            let chain: HashSet<i64> =
                imis_core::location::service::locations_with_ancestors(tx, &[location])
                    .await?
                    .into_keys()
                    .collect();
            for (kind, id) in [(MedicalKind::Item, items), (MedicalKind::Service, services)] {
                let Some(id) = id else { continue };
                // Shared row lock: a concurrent deletion of the list (which checks that no
                // facility uses it under its own row lock) cannot slip in between.
                let ok = pricelist::Entity::find_by_id(id)
                    .lock_shared()
                    .one(tx)
                    .await?
                    .is_some_and(|pl| {
                        pl.validity_to.is_none()
                            && pl.kind == kind.code()
                            && pl.location_id.is_none_or(|l| chain.contains(&l))
                    });
                if !ok {
                    return Err(AppError::validation("medical.pricelist_invalid")
                        .with("kind", kind.word())
                        .with("id", id));
                }
            }
        }
        tx.execute_raw(imis_core::db::stmt(
            b,
            "DELETE FROM medical_hf_pricelist WHERE health_facility_id = ?",
            vec![hf.into()],
        ))
        .await?;
        if items.is_some() || services.is_some() {
            tx.execute_raw(imis_core::db::stmt(
                b,
                "INSERT INTO medical_hf_pricelist (health_facility_id, items_pricelist_id, services_pricelist_id) VALUES (?, ?, ?)",
                vec![hf.into(), items.into(), services.into()],
            ))
            .await?;
        }
        Ok(())
    })
}

/// The [`HealthFacilityPricelists`] port: one query per page of facilities.
pub struct FacilityPricelists;

impl HealthFacilityPricelists for FacilityPricelists {
    fn for_facilities<'a>(
        &'a self,
        state: &'a AppState,
        facility_ids: &'a [i64],
    ) -> BoxFuture<'a, AppResult<HashMap<i64, (Option<PricelistSummary>, Option<PricelistSummary>)>>>
    {
        Box::pin(async move {
            let mut out = HashMap::new();
            if facility_ids.is_empty() {
                return Ok(out);
            }
            let sql = format!(
                "SELECT h.health_facility_id, i.id AS i_id, i.uuid AS i_uuid, i.name AS i_name, \
                 s.id AS s_id, s.uuid AS s_uuid, s.name AS s_name FROM medical_hf_pricelist h \
                 LEFT JOIN medical_pricelist i ON i.id = h.items_pricelist_id AND i.validity_to IS NULL \
                 LEFT JOIN medical_pricelist s ON s.id = h.services_pricelist_id AND s.validity_to IS NULL \
                 WHERE h.health_facility_id IN ({})",
                id_list(facility_ids)
            );
            let rows = state
                .db
                .conn
                .query_all_raw(sea_orm::Statement::from_string(state.db.backend(), sql))
                .await?;
            for r in rows {
                let summary = |p: &str| -> AppResult<Option<PricelistSummary>> {
                    let id: Option<i64> = r.try_get("", &format!("{p}_id"))?;
                    let Some(id) = id else { return Ok(None) };
                    let uuid: uuid::Uuid = r.try_get("", &format!("{p}_uuid"))?;
                    Ok(Some(PricelistSummary {
                        id,
                        uuid: uuid.to_string(),
                        name: r.try_get("", &format!("{p}_name"))?,
                    }))
                };
                let hf: i64 = r.try_get("", "health_facility_id")?;
                out.insert(hf, (summary("i")?, summary("s")?));
            }
            Ok(out)
        })
    }
}
