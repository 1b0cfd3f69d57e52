//! Items and services price lists (reference §5). Lists are visible when national, within the
//! caller's locations or at an ancestor of one of them (D9); they are written only within the
//! caller's locations (national and region lists need an unrestricted user). Rights: items lists
//! 121301 (search) to 121305 (duplicate), services lists 121201 to 121205.

use super::*;
use crate::entity::{item, pricelist, pricelist_detail, service};
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::entity::location;
use imis_core::mutation::MutationCtx;
use rust_decimal::Decimal;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use std::collections::HashSet;
use uuid::Uuid;

/// The requirement of an operation on lists of `kind`: 0 search, 1 add, 2 edit, 3 delete,
/// 4 duplicate.
pub fn pricelist_requirement(kind: MedicalKind, op: usize) -> Requirement {
    const ITEMS: [i32; 5] = [
        RIGHT_ITEMS_PRICELIST_SEARCH,
        RIGHT_ITEMS_PRICELIST_ADD,
        RIGHT_ITEMS_PRICELIST_EDIT,
        RIGHT_ITEMS_PRICELIST_DELETE,
        RIGHT_ITEMS_PRICELIST_DUPLICATE,
    ];
    const SERVICES: [i32; 5] = [
        RIGHT_SERVICES_PRICELIST_SEARCH,
        RIGHT_SERVICES_PRICELIST_ADD,
        RIGHT_SERVICES_PRICELIST_EDIT,
        RIGHT_SERVICES_PRICELIST_DELETE,
        RIGHT_SERVICES_PRICELIST_DUPLICATE,
    ];
    let rights: &'static [i32; 5] = match kind {
        MedicalKind::Item => &ITEMS,
        MedicalKind::Service => &SERVICES,
    };
    Requirement::AnyOf(std::slice::from_ref(&rights[op.min(4)]))
}

fn not_found(kind: MedicalKind) -> AppError {
    AppError::not_found(match kind {
        MedicalKind::Item => "items price list",
        MedicalKind::Service => "services price list",
    })
}

/// Filters of `itemsPricelists` / `servicesPricelists`.
#[derive(Debug, Clone, Default)]
pub struct PricelistFilter {
    pub id: Option<i64>,
    pub uuid: Option<Uuid>,
    pub name: Option<String>,
    pub name_icontains: Option<String>,
    pub name_istartswith: Option<String>,
    pub location_isnull: Option<bool>,
    pub pricelist_date: Option<NaiveDate>,
    pub pricelist_date_gt: Option<NaiveDate>,
    pub pricelist_date_gte: Option<NaiveDate>,
    pub pricelist_date_lt: Option<NaiveDate>,
    pub pricelist_date_lte: Option<NaiveDate>,
    pub location_id: Option<i64>,
    pub location_uuid: Option<Uuid>,
    pub location_uuid_in: Option<Vec<Uuid>>,
    pub location_code: Option<String>,
    pub location_type: Option<String>,
    pub location_parent_uuid: Option<Uuid>,
    /// `locationUuid`: the lists that apply there: national ones and those located at this
    /// location or one of its ancestors.
    pub applicable_at: Option<Uuid>,
}

/// The current price lists of `kind` the caller may see (search right of the kind, D9).
pub async fn pricelists_select(
    state: &AppState,
    principal: Option<&Principal>,
    kind: MedicalKind,
    f: &PricelistFilter,
) -> AppResult<Select<pricelist::Entity>> {
    let p = require_user(principal, pricelist_requirement(kind, 0))?;
    let conn = &state.db.conn;
    use pricelist::Column as C;
    let mut q = pricelist::Entity::find()
        .filter(C::Kind.eq(kind.code()))
        .filter(C::ValidityTo.is_null());
    if let Some(visible) = p.scope.visible_locations(conn).await? {
        q = q.filter(
            Condition::any()
                .add(C::LocationId.is_null())
                .add(C::LocationId.is_in(visible.iter().copied())),
        );
    }
    if let Some(id) = f.id {
        q = q.filter(C::Id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    if let Some(n) = &f.name {
        q = q.filter(C::Name.eq(n.trim()));
    }
    q = q.filter(name_condition(
        C::NameSearch,
        &None,
        &f.name_istartswith,
        &f.name_icontains,
    ));
    match f.location_isnull {
        Some(true) => q = q.filter(C::LocationId.is_null()),
        Some(false) => q = q.filter(C::LocationId.is_not_null()),
        None => {}
    }
    for (v, op) in [
        (f.pricelist_date, 0),
        (f.pricelist_date_gt, 1),
        (f.pricelist_date_gte, 2),
        (f.pricelist_date_lt, 3),
        (f.pricelist_date_lte, 4),
    ] {
        if let Some(d) = v {
            q = q.filter(match op {
                0 => C::PricelistDate.eq(d),
                1 => C::PricelistDate.gt(d),
                2 => C::PricelistDate.gte(d),
                3 => C::PricelistDate.lt(d),
                _ => C::PricelistDate.lte(d),
            });
        }
    }
    if let Some(v) = f.location_id {
        q = q.filter(C::LocationId.eq(v));
    }
    let mut uuids: Vec<Uuid> = f.location_uuid.into_iter().collect();
    uuids.extend(f.location_uuid_in.iter().flatten().copied());
    if f.location_uuid.is_some() || f.location_uuid_in.is_some() {
        q = q.filter(
            C::LocationId.in_subquery(
                Query::select()
                    .column(location::Column::Id)
                    .from(location::Entity)
                    .and_where(location::Column::Uuid.is_in(uuids))
                    .to_owned(),
            ),
        );
    }
    if let Some(code) = &f.location_code {
        q = q.filter(
            C::LocationId.in_subquery(
                Query::select()
                    .column(location::Column::Id)
                    .from(location::Entity)
                    .and_where(location::Column::Code.eq(code.trim()))
                    .to_owned(),
            ),
        );
    }
    if let Some(t) = &f.location_type {
        q = q.filter(
            C::LocationId.in_subquery(
                Query::select()
                    .column(location::Column::Id)
                    .from(location::Entity)
                    .and_where(location::Column::LocationType.eq(t.trim()))
                    .to_owned(),
            ),
        );
    }
    if let Some(u) = f.location_parent_uuid {
        let parents = Query::select()
            .column(location::Column::Id)
            .from(location::Entity)
            .and_where(location::Column::Uuid.eq(u))
            .to_owned();
        q = q.filter(
            C::LocationId.in_subquery(
                Query::select()
                    .column(location::Column::Id)
                    .from(location::Entity)
                    .and_where(location::Column::ParentId.in_subquery(parents))
                    .to_owned(),
            ),
        );
    }
    if let Some(u) = f.applicable_at {
        let at = location::Entity::find()
            .filter(location::Column::Uuid.eq(u))
            .one(conn)
            .await?;
        let chain: Vec<i64> = match at {
            Some(l) => imis_core::location::service::locations_with_ancestors(conn, &[l.id])
                .await?
                .into_keys()
                .collect(),
            None => vec![],
        };
        q = q.filter(
            Condition::any()
                .add(C::LocationId.is_null())
                .add(C::LocationId.is_in(chain)),
        );
    }
    Ok(q)
}

/// `validateItemsPricelistName` / `validateServicesPricelistName`: true when no current list of
/// that kind has this name.
pub async fn validate_pricelist_name(
    state: &AppState,
    principal: Option<&Principal>,
    kind: MedicalKind,
    name: &str,
) -> AppResult<bool> {
    require_user(principal, Requirement::Authenticated)?;
    Ok(!pricelist_name_taken(&state.db.conn, kind, name, None).await?)
}

async fn pricelist_name_taken(
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    name: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    let mut q = pricelist::Entity::find()
        .filter(pricelist::Column::Kind.eq(kind.code()))
        .filter(pricelist::Column::Name.eq(name.trim()))
        .filter(pricelist::Column::ValidityTo.is_null());
    if let Some(id) = except {
        q = q.filter(pricelist::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

/// Ids of the items (or services) with a current detail in the list of this uuid.
pub async fn pricelist_member_ids(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
    kind: MedicalKind,
) -> AppResult<Vec<i64>> {
    let Some(pl) = pricelist::Entity::find()
        .filter(pricelist::Column::Uuid.eq(uuid))
        .filter(pricelist::Column::Kind.eq(kind.code()))
        .one(conn)
        .await?
    else {
        return Ok(vec![]);
    };
    Ok(pricelist_detail::Entity::find()
        .filter(pricelist_detail::Column::PricelistId.eq(pl.id))
        .filter(pricelist_detail::Column::ValidityTo.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.medical_id)
        .collect())
}

/// The current details of the given lists, by list, ordered by id.
pub async fn details_of(
    conn: &impl ConnectionTrait,
    pricelist_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<pricelist_detail::Model>>> {
    let mut out: HashMap<i64, Vec<pricelist_detail::Model>> = HashMap::new();
    if pricelist_ids.is_empty() {
        return Ok(out);
    }
    let wanted: HashSet<i64> = pricelist_ids.iter().copied().collect();
    for d in pricelist_detail::Entity::find()
        .filter(pricelist_detail::Column::PricelistId.is_in(wanted))
        .filter(pricelist_detail::Column::ValidityTo.is_null())
        .order_by_asc(pricelist_detail::Column::Id)
        .all(conn)
        .await?
    {
        out.entry(d.pricelist_id).or_default().push(d);
    }
    Ok(out)
}

/// Price lists by id, whatever their validity (for nested GraphQL fields and the port).
pub async fn pricelists_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, pricelist::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let wanted: HashSet<i64> = ids.iter().copied().collect();
    Ok(pricelist::Entity::find()
        .filter(pricelist::Column::Id.is_in(wanted))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

/// `pricelists(itemsPricelistId:, servicesPricelistId:)`: the current details of the asked lists
/// as (item or service id, override price). Holders of the kind's search right read any list
/// they can see (D9); other users only the lists of their own health facility.
pub async fn compact_prices(
    state: &AppState,
    principal: Option<&Principal>,
    kind: MedicalKind,
    pricelist_id: Option<i64>,
) -> AppResult<Option<Vec<(i64, Option<Decimal>)>>> {
    let p = require_user(principal, Requirement::Authenticated)?;
    let Some(id) = pricelist_id else {
        return Ok(None);
    };
    let conn = &state.db.conn;
    let own = match p.health_facility_id {
        Some(hf) => {
            crate::entity::hf_pricelist::Entity::find_by_id(hf)
                .one(conn)
                .await?
                .and_then(|a| match kind {
                    MedicalKind::Item => a.items_pricelist_id,
                    MedicalKind::Service => a.services_pricelist_id,
                })
                == Some(id)
        }
        None => false,
    };
    if !own {
        // The search right of the kind, then the list's visibility (D9).
        imis_core::auth::require(Some(p), pricelist_requirement(kind, 0))?;
        let visible = pricelists_select(
            state,
            principal,
            kind,
            &PricelistFilter {
                id: Some(id),
                ..Default::default()
            },
        )
        .await?
        .one(conn)
        .await?;
        if visible.is_none() {
            return Ok(Some(vec![]));
        }
    }
    let digits = digits(state);
    Ok(Some(
        details_of(conn, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d.kind == kind.code())
            .map(|d| (d.medical_id, d.price_overrule.map(|p| money_out(p, digits))))
            .collect(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

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
struct PricelistValues {
    name: String,
    pricelist_date: NaiveDate,
    location_id: Option<i64>,
}

async fn pricelist_values(
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
            let l = location::Entity::find()
                .filter(location::Column::Uuid.eq(u))
                .filter(location::Column::ValidityTo.is_null())
                .one(conn)
                .await?
                .ok_or_else(|| AppError::not_found("location"))?;
            if l.location_type != "R" && l.location_type != "D" {
                return Err(AppError::validation("medical.pricelist_location_invalid")
                    .with("locationCode", &l.code));
            }
            Some(l.id)
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
async fn require_write_scope(
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
async fn members_by_uuid(
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

async fn resolve_details(
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

async fn apply_details(
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
        .filter(pricelist_detail::Column::ValidityTo.is_null())
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
        let d = pricelist_detail::ActiveModel {
            pricelist_id: Set(pl.id),
            kind: Set(pl.kind.clone()),
            medical_id: Set(*id),
            price_overrule: Set(price),
            validity_from: Set(now),
            validity_to: Set(None),
            audit_user_id: Set(actor),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        current.insert(*id, d);
    }
    for id in removed {
        if let Some(old) = current.remove(id) {
            imis_core::history::save(
                tx,
                ENTITY_PRICELIST_DETAIL,
                old.id,
                &old,
                old.validity_from,
                now,
                actor,
            )
            .await?;
            let mut am: pricelist_detail::ActiveModel = old.into();
            am.validity_to = Set(Some(now));
            am.audit_user_id = Set(actor);
            am.update(tx).await?;
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
        imis_core::history::save(
            tx,
            ENTITY_PRICELIST_DETAIL,
            old.id,
            &old,
            old.validity_from,
            now,
            actor,
        )
        .await?;
        let mut am: pricelist_detail::ActiveModel = old.into();
        am.price_overrule = Set(*price);
        am.validity_from = Set(now);
        am.audit_user_id = Set(actor);
        let d = am.update(tx).await?;
        current.insert(*id, d);
    }
    Ok(())
}

/// Whether the list's current details are exactly `changes` applied to an empty list.
async fn same_details(
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
    if let Some(u) = input.uuid
        && let Some(existing) = pricelist::Entity::find()
            .filter(pricelist::Column::Uuid.eq(u))
            .one(tx)
            .await?
    {
        if existing.validity_to.is_none()
            && existing.kind == kind.code()
            && values_of(&existing) == v
            && same_details(tx, &existing, &changes).await?
        {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    if pricelist_name_taken(tx, kind, &v.name, None).await? {
        return Err(name_taken(&v.name));
    }
    let now = m.state.clock.now();
    let model = insert_pricelist(tx, kind, input.uuid, v, now, m.actor()).await?;
    apply_details(tx, &model, &changes, now, m.actor()).await?;
    Ok(model)
}

fn values_of(m: &pricelist::Model) -> PricelistValues {
    PricelistValues {
        name: m.name.clone(),
        pricelist_date: m.pricelist_date,
        location_id: m.location_id,
    }
}

async fn insert_pricelist(
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

fn name_taken(name: &str) -> AppError {
    AppError::validation("medical.pricelist_name_taken").with("name", name)
}

async fn find_pricelist(
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    uuid: Uuid,
) -> AppResult<pricelist::Model> {
    pricelist::Entity::find()
        .filter(pricelist::Column::Uuid.eq(uuid))
        .filter(pricelist::Column::Kind.eq(kind.code()))
        .filter(pricelist::Column::ValidityTo.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| not_found(kind))
}

/// [`find_pricelist`] under the list's row lock, for a change (the list before its details).
async fn lock_pricelist(
    tx: &DatabaseTransaction,
    kind: MedicalKind,
    uuid: Uuid,
) -> AppResult<pricelist::Model> {
    pricelist::Entity::find()
        .filter(pricelist::Column::Uuid.eq(uuid))
        .filter(pricelist::Column::Kind.eq(kind.code()))
        .filter(pricelist::Column::ValidityTo.is_null())
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
        imis_core::history::save(
            tx,
            ENTITY_PRICELIST,
            old.id,
            &old,
            old.validity_from,
            now,
            m.actor(),
        )
        .await?;
        let taken = name_taken(&v.name);
        let mut am: pricelist::ActiveModel = old.into();
        am.name_search = Set(imis_core::text::fold(&v.name));
        am.name = Set(v.name);
        am.pricelist_date = Set(v.pricelist_date);
        am.location_id = Set(v.location_id);
        am.validity_from = Set(now);
        am.audit_user_id = Set(m.actor());
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
        [
            pricelist::Column::Uuid,
            pricelist::Column::Id,
            pricelist::Column::ValidityTo,
        ],
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
        let in_use = tx
            .query_one_raw(imis_core::db::stmt(
                b,
                "SELECT f.code FROM medical_hf_pricelist h JOIN core_health_facility f ON f.id = h.health_facility_id \
                 WHERE f.validity_to IS NULL AND (h.items_pricelist_id = ? OR h.services_pricelist_id = ?)",
                vec![old.id.into(), old.id.into()],
            ))
            .await?;
        if let Some(row) = in_use {
            let hf: String = row.try_get("", "code")?;
            return Err(AppError::validation("medical.pricelist_in_use")
                .with("name", &old.name)
                .with("facilityCode", hf));
        }
        let id = old.id;
        imis_core::history::save(
            tx,
            ENTITY_PRICELIST,
            id,
            &old,
            old.validity_from,
            now,
            m.actor(),
        )
        .await?;
        let mut am: pricelist::ActiveModel = old.into();
        am.validity_to = Set(Some(now));
        am.audit_user_id = Set(m.actor());
        am.update(tx).await?;
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
            Some(l) => location::Entity::find_by_id(l)
                .one(tx)
                .await?
                .map(|l| l.uuid),
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
        pricelist_detail::ActiveModel {
            pricelist_id: Set(model.id),
            kind: Set(d.kind),
            medical_id: Set(d.medical_id),
            price_overrule: Set(d.price_overrule),
            validity_from: Set(now),
            validity_to: Set(None),
            audit_user_id: Set(m.actor()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok(model)
}

/// The items and services named by details, for nested GraphQL fields.
pub async fn detail_members(
    conn: &impl ConnectionTrait,
    details: &[pricelist_detail::Model],
) -> AppResult<(HashMap<i64, item::Model>, HashMap<i64, service::Model>)> {
    let item_ids: Vec<i64> = details
        .iter()
        .filter(|d| d.kind == MedicalKind::Item.code())
        .map(|d| d.medical_id)
        .collect();
    let service_ids: Vec<i64> = details
        .iter()
        .filter(|d| d.kind == MedicalKind::Service.code())
        .map(|d| d.medical_id)
        .collect();
    Ok((
        items_by_ids(conn, &item_ids).await?,
        services_by_ids(conn, &service_ids).await?,
    ))
}
