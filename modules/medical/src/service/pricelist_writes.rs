//! Writes of price lists: create, update (details added, removed and re-priced), delete
//! (refused while a facility uses the list) and duplicate, with history (D7).

use super::*;
use crate::entity::{hf_pricelist, pricelist, pricelist_detail};
use imis_core::auth::{Principal, require_user};
use imis_core::mutation::MutationCtx;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashSet;
use uuid::Uuid;

/// Input of `create…Pricelist` / `update…Pricelist`. Details name items (or services) by uuid:
/// `added` are put in the list (kept if present), `removed` taken out, `overrules` set the price
/// of a detail (`None` = the item's own price).
#[derive(Debug, Clone, Default)]
pub struct PricelistInput {
    pub uuid: Option<Uuid>,
    pub name: String,
    pub pricelist_date: NaiveDate,
    pub location_uuid: Option<Uuid>,
    pub added: Vec<Uuid>,
    pub removed: Vec<Uuid>,
    pub overrules: Vec<(Uuid, Option<Decimal>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PricelistValues {
    name: String,
    pricelist_date: NaiveDate,
    location_id: Option<i64>,
}

pub(crate) async fn pricelist_values(
    conn: &impl ConnectionTrait,
    p: &Principal,
    name: &str,
    pricelist_date: NaiveDate,
    location_uuid: Option<Uuid>,
) -> AppResult<PricelistValues> {
    check_len("name", name, 100)?;
    let location_id = match location_uuid {
        None => None,
        Some(u) => {
            let id = imis_core::registers::location_id_by_uuid(conn, u)
                .await?
                .ok_or_else(|| AppError::not_found("location"))?;
            let location_type = imis_core::registers::location_type(conn, id).await?;
            if !matches!(location_type.as_deref(), Some("R" | "D")) {
                let code = imis_core::registers::location_code(conn, id).await?;
                return Err(AppError::validation("medical.pricelist_location_invalid")
                    .with("locationCode", code.unwrap_or_default()));
            }
            Some(id)
        }
    };
    require_write_scope(conn, p, location_id).await?;
    Ok(PricelistValues {
        name: name.trim().to_string(),
        pricelist_date,
        location_id,
    })
}

/// Lists are written within the caller's locations; national lists (and lists above the
/// caller's locations) need an unrestricted user.
pub(crate) async fn require_write_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    location: Option<i64>,
) -> AppResult<()> {
    let ok = match (location, p.scope.allowed_locations(conn).await?) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(l), Some(set)) => set.contains(&l),
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::location_denied())
    }
}

/// Current members of `kind` by uuid (items or services).
pub(crate) async fn members_by_uuid(
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, i64>> {
    Ok(match kind {
        MedicalKind::Item => current_items_by_uuid(conn, uuids)
            .await?
            .into_iter()
            .map(|(u, m)| (u, m.id))
            .collect(),
        MedicalKind::Service => current_services_by_uuid(conn, uuids)
            .await?
            .into_iter()
            .map(|(u, m)| (u, m.id))
            .collect(),
    })
}

/// Resolved detail changes: (added ids, removed ids, (id, override in minor units)).
type DetailChanges = (Vec<i64>, Vec<i64>, Vec<(i64, Option<i64>)>);

pub(crate) async fn resolve_details(
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    i: &PricelistInput,
    digits: u32,
) -> AppResult<DetailChanges> {
    let mut all: Vec<Uuid> = i.added.clone();
    all.extend(&i.removed);
    all.extend(i.overrules.iter().map(|(u, _)| *u));
    let ids = members_by_uuid(conn, kind, &all).await?;
    let known = |u: &Uuid| {
        ids.get(u).copied().ok_or_else(|| {
            AppError::validation("medical.detail_unknown")
                .with("kind", kind.word())
                .with("uuid", u)
        })
    };
    let added = i.added.iter().map(known).collect::<AppResult<Vec<_>>>()?;
    // A removed item that no longer exists has no current detail left: nothing to do.
    let removed = i
        .removed
        .iter()
        .filter_map(|u| ids.get(u).copied())
        .collect();
    let mut overrules = vec![];
    for (u, price) in &i.overrules {
        overrules.push((known(u)?, opt_money_in("price", *price, digits)?));
    }
    Ok((added, removed, overrules))
}

pub(crate) async fn apply_details(
    tx: &DatabaseTransaction,
    pl: &pricelist::Model,
    changes: &DetailChanges,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()> {
    let (added, removed, overrules) = changes;
    // The list's row is locked by the caller (a new list, or `lock_pricelist`); its details are
    // read under their row locks too, in id order: deleting an item closes its details without
    // locking their lists.
    let mut current: HashMap<i64, pricelist_detail::Model> = pricelist_detail::Entity::find()
        .filter(pricelist_detail::Column::PricelistId.eq(pl.id))
        .current()
        .order_by_asc(pricelist_detail::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(|d| (d.medical_id, d))
        .collect();
    // A detail added with its price is written once, without an intermediate version.
    let mut priced_on_insert: HashSet<i64> = HashSet::new();
    for id in added {
        if current.contains_key(id) {
            continue;
        }
        let price = overrules
            .iter()
            .rev()
            .find(|(i, _)| i == id)
            .and_then(|(_, p)| *p);
        priced_on_insert.insert(*id);
        let d = insert_version(
            tx,
            pricelist_detail::ActiveModel {
                pricelist_id: Set(pl.id),
                kind: Set(pl.kind.clone()),
                medical_id: Set(*id),
                price_overrule: Set(price),
                ..Default::default()
            },
            now,
            actor,
        )
        .await?;
        current.insert(*id, d);
    }
    for id in removed {
        if let Some(old) = current.remove(id) {
            close_version::<pricelist_detail::ActiveModel>(
                tx,
                ENTITY_PRICELIST_DETAIL,
                old,
                now,
                actor,
            )
            .await?;
        }
    }
    for (id, price) in overrules {
        let Some(old) = current.remove(id) else {
            return Err(AppError::validation("medical.detail_not_in_pricelist").with("id", id));
        };
        if priced_on_insert.contains(id) {
            current.insert(*id, old);
            continue;
        }
        if old.price_overrule == *price {
            current.insert(*id, old);
            continue;
        }
        let mut am: pricelist_detail::ActiveModel =
            new_version(tx, ENTITY_PRICELIST_DETAIL, old, now, actor).await?;
        am.price_overrule = Set(*price);
        let d = am.update(tx).await?;
        current.insert(*id, d);
    }
    Ok(())
}

/// Whether the list's current details are exactly `changes` applied to an empty list.
pub(crate) async fn same_details(
    conn: &impl ConnectionTrait,
    pl: &pricelist::Model,
    changes: &DetailChanges,
) -> AppResult<bool> {
    let (added, removed, overrules) = changes;
    let mut want: HashMap<i64, Option<i64>> = added.iter().map(|i| (*i, None)).collect();
    for r in removed {
        want.remove(r);
    }
    for (i, p) in overrules {
        want.insert(*i, *p);
    }
    let have: HashMap<i64, Option<i64>> = details_of(conn, &[pl.id])
        .await?
        .remove(&pl.id)
        .unwrap_or_default()
        .into_iter()
        .map(|d| (d.medical_id, d.price_overrule))
        .collect();
    Ok(have == want)
}

/// `createItemsPricelist` / `createServicesPricelist` (121302 / 121202). A known `uuid` returns
/// the existing list when its header and details match (D4), otherwise `conflict.uuid_exists`.
pub async fn create_pricelist(
    m: &MutationCtx<'_>,
    kind: MedicalKind,
    input: PricelistInput,
) -> AppResult<pricelist::Model> {
    let p = require_user(m.principal, pricelist_requirement(kind, 1))?;
    let tx: &DatabaseTransaction = m.tx;
    let v = pricelist_values(
        tx,
        p,
        &input.name,
        input.pricelist_date,
        input.location_uuid,
    )
    .await?;
    let changes = resolve_details(tx, kind, &input, digits(m.state)).await?;
    let same = async |e: &pricelist::Model| {
        Ok(e.kind == kind.code() && values_of(e) == v && same_details(tx, e, &changes).await?)
    };
    let uuid_col = pricelist::Column::Uuid;
    if let Some(existing) = replayed::<pricelist::Entity>(tx, uuid_col, input.uuid, same).await? {
        return Ok(existing);
    }
    if pricelist_name_taken(tx, kind, &v.name, None).await? {
        return Err(name_taken(&v.name));
    }
    let now = m.state.clock.now();
    let model = insert_pricelist(tx, kind, input.uuid, v, now, m.actor()).await?;
    apply_details(tx, &model, &changes, now, m.actor()).await?;
    Ok(model)
}

pub(crate) fn values_of(m: &pricelist::Model) -> PricelistValues {
    PricelistValues {
        name: m.name.clone(),
        pricelist_date: m.pricelist_date,
        location_id: m.location_id,
    }
}

pub(crate) async fn insert_pricelist(
    tx: &DatabaseTransaction,
    kind: MedicalKind,
    uuid: Option<Uuid>,
    v: PricelistValues,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<pricelist::Model> {
    let taken = name_taken(&v.name);
    pricelist::ActiveModel {
        uuid: Set(uuid.unwrap_or_else(Uuid::now_v7)),
        kind: Set(kind.code().into()),
        name_search: Set(imis_core::text::fold(&v.name)),
        name: Set(v.name),
        pricelist_date: Set(v.pricelist_date),
        location_id: Set(v.location_id),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(actor),
        ..Default::default()
    }
    .insert(tx)
    .await
    .map_err(|e| imis_core::error::unique_or(e, &["name"], uuid, || taken))
}

pub(crate) fn name_taken(name: &str) -> AppError {
    AppError::validation("medical.pricelist_name_taken").with("name", name)
}

pub(crate) async fn find_pricelist(
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    uuid: Uuid,
) -> AppResult<pricelist::Model> {
    pricelist::Entity::find()
        .filter(pricelist::Column::Uuid.eq(uuid))
        .filter(pricelist::Column::Kind.eq(kind.code()))
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| not_found(kind))
}

/// [`find_pricelist`] under the list's row lock, for a change (the list before its details).
pub(crate) async fn lock_pricelist(
    tx: &DatabaseTransaction,
    kind: MedicalKind,
    uuid: Uuid,
) -> AppResult<pricelist::Model> {
    pricelist::Entity::find()
        .filter(pricelist::Column::Uuid.eq(uuid))
        .filter(pricelist::Column::Kind.eq(kind.code()))
        .current()
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| not_found(kind))
}

/// `updateItemsPricelist` / `updateServicesPricelist` (121303 / 121203): a changed header keeps
/// its previous version in history; details are added, removed and re-priced as asked, each
/// change keeping the previous detail version.
pub async fn update_pricelist(
    m: &MutationCtx<'_>,
    kind: MedicalKind,
    input: PricelistInput,
) -> AppResult<pricelist::Model> {
    let p = require_user(m.principal, pricelist_requirement(kind, 2))?;
    let tx: &DatabaseTransaction = m.tx;
    let uuid = input
        .uuid
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let old = lock_pricelist(tx, kind, uuid).await?;
    require_write_scope(tx, p, old.location_id).await?;
    let v = pricelist_values(
        tx,
        p,
        &input.name,
        input.pricelist_date,
        input.location_uuid,
    )
    .await?;
    if pricelist_name_taken(tx, kind, &v.name, Some(old.id)).await? {
        return Err(name_taken(&v.name));
    }
    let changes = resolve_details(tx, kind, &input, digits(m.state)).await?;
    let now = m.state.clock.now();
    let model = if values_of(&old) == v {
        old
    } else {
        let taken = name_taken(&v.name);
        let mut am: pricelist::ActiveModel =
            new_version(tx, ENTITY_PRICELIST, old, now, m.actor()).await?;
        am.name_search = Set(imis_core::text::fold(&v.name));
        am.name = Set(v.name);
        am.pricelist_date = Set(v.pricelist_date);
        am.location_id = Set(v.location_id);
        am.update(tx)
            .await
            .map_err(|e| imis_core::error::unique_or(e, &["name"], None, || taken))?
    };
    apply_details(tx, &model, &changes, now, m.actor()).await?;
    Ok(model)
}

/// `deleteItemsPricelist` / `deleteServicesPricelist` (121304 / 121204): soft delete with a
/// history row; the details are closed. Refused while a current facility uses the list.
pub async fn delete_pricelists(
    m: &MutationCtx<'_>,
    kind: MedicalKind,
    uuids: &[Uuid],
) -> AppResult<Vec<i64>> {
    let p = require_user(m.principal, pricelist_requirement(kind, 3))?;
    let tx: &DatabaseTransaction = m.tx;
    let b = tx.get_database_backend();
    let mut out = vec![];
    let mut locked = lock_current_by_uuid::<pricelist::Entity>(
        tx,
        uuids,
        [pricelist::Column::Uuid, pricelist::Column::Id],
        |m| m.uuid,
    )
    .await?;
    let now = m.state.clock.now();
    for u in uuids {
        let old = locked
            .remove(u)
            .filter(|l| l.kind == kind.code())
            .ok_or_else(|| not_found(kind))?;
        require_write_scope(tx, p, old.location_id).await?;
        if let Some(hf) = current_facility_using(tx, old.id).await? {
            return Err(AppError::validation("medical.pricelist_in_use")
                .with("name", &old.name)
                .with("facilityCode", hf));
        }
        let id = old.id;
        close_version::<pricelist::ActiveModel>(tx, ENTITY_PRICELIST, old, now, m.actor()).await?;
        tx.execute_raw(imis_core::db::stmt(
            b,
            "UPDATE medical_pricelist_detail SET validity_to = ? WHERE pricelist_id = ? AND validity_to IS NULL",
            vec![now.into(), id.into()],
        ))
        .await?;
        out.push(id);
    }
    Ok(out)
}

/// Input of `duplicateItemsPricelist` / `duplicateServicesPricelist`.
#[derive(Debug, Clone, Default)]
pub struct DuplicatePricelistInput {
    /// The list copied.
    pub uuid: Uuid,
    pub name: String,
    pub pricelist_date: NaiveDate,
    /// Absent: the copied list's location.
    pub location_uuid: Option<Uuid>,
}

/// `duplicateItemsPricelist` / `duplicateServicesPricelist` (121305 / 121205): a new list with
/// the given header and the current details (and override prices) of a list the caller sees.
pub async fn duplicate_pricelist(
    m: &MutationCtx<'_>,
    kind: MedicalKind,
    input: DuplicatePricelistInput,
) -> AppResult<pricelist::Model> {
    let p = require_user(m.principal, pricelist_requirement(kind, 4))?;
    let tx: &DatabaseTransaction = m.tx;
    let source = find_pricelist(tx, kind, input.uuid).await?;
    if let (Some(l), Some(visible)) = (source.location_id, p.scope.visible_locations(tx).await?)
        && !visible.contains(&l)
    {
        return Err(not_found(kind));
    }
    let location_uuid = match input.location_uuid {
        Some(u) => Some(u),
        None => match source.location_id {
            Some(l) => imis_core::registers::location_uuid(tx, l).await?,
            None => None,
        },
    };
    let v = pricelist_values(tx, p, &input.name, input.pricelist_date, location_uuid).await?;
    if pricelist_name_taken(tx, kind, &v.name, None).await? {
        return Err(name_taken(&v.name));
    }
    let now = m.state.clock.now();
    let model = insert_pricelist(tx, kind, None, v, now, m.actor()).await?;
    for d in details_of(tx, &[source.id])
        .await?
        .remove(&source.id)
        .unwrap_or_default()
    {
        insert_version(
            tx,
            pricelist_detail::ActiveModel {
                pricelist_id: Set(model.id),
                kind: Set(d.kind),
                medical_id: Set(d.medical_id),
                price_overrule: Set(d.price_overrule),
                ..Default::default()
            },
            now,
            m.actor(),
        )
        .await?;
    }
    Ok(model)
}

/// The code of a current health facility using price list `pricelist_id` (the lowest facility
/// id when several do), or `None` when no current facility uses it.
pub(crate) async fn current_facility_using(
    conn: &impl ConnectionTrait,
    pricelist_id: i64,
) -> AppResult<Option<String>> {
    let mut facilities: Vec<i64> = hf_pricelist::Entity::find()
        .filter(
            Condition::any()
                .add(hf_pricelist::Column::ItemsPricelistId.eq(pricelist_id))
                .add(hf_pricelist::Column::ServicesPricelistId.eq(pricelist_id)),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|h| h.health_facility_id)
        .collect();
    facilities.sort_unstable();
    let codes = imis_core::registers::health_facility_codes(conn, &facilities).await?;
    Ok(facilities.iter().find_map(|id| codes.get(id).cloned()))
}
