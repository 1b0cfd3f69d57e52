//! Items and services price lists (reference §5). Lists are visible when national, within the
//! caller's locations or at an ancestor of one of them (D9); they are written only within the
//! caller's locations (national and region lists need an unrestricted user). Rights: items lists
//! 121301 (search) to 121305 (duplicate), services lists 121201 to 121205.

use super::*;
use crate::entity::{item, pricelist, pricelist_detail, service};
use imis_core::auth::{Principal, Requirement, require_user};
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select};
use std::collections::HashSet;
use uuid::Uuid;

/// The requirement of an operation on lists of `kind`: 0 search, 1 add, 2 edit, 3 delete,
/// 4 duplicate.
pub fn pricelist_rights(kind: MedicalKind, op: usize) -> &'static [i32] {
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
    std::slice::from_ref(&rights[op.min(4)])
}

/// [`pricelist_rights`] as a requirement.
pub fn pricelist_requirement(kind: MedicalKind, op: usize) -> Requirement {
    Requirement::AnyOf(pricelist_rights(kind, op))
}

pub(crate) fn not_found(kind: MedicalKind) -> AppError {
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
        .current();
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
            C::LocationId.in_subquery(imis_core::registers::location_ids_with_uuids(&uuids)),
        );
    }
    if let Some(code) = &f.location_code {
        q = q.filter(
            C::LocationId.in_subquery(imis_core::registers::location_ids_with_code(code.trim())),
        );
    }
    if let Some(t) = &f.location_type {
        q = q.filter(
            C::LocationId.in_subquery(imis_core::registers::location_ids_with_type(t.trim())),
        );
    }
    if let Some(u) = f.location_parent_uuid {
        q = q.filter(
            C::LocationId.in_subquery(imis_core::registers::location_ids_with_parent_uuid(u)),
        );
    }
    if let Some(u) = f.applicable_at {
        let at = imis_core::registers::location_id_by_uuid_any_validity(conn, u).await?;
        let chain: Vec<i64> = match at {
            Some(l) => imis_core::location::service::locations_with_ancestors(conn, &[l])
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

/// A price list of `kind` for `node(id:)`: the current list `pk`, or with `history` the
/// previous version of that history id, answered only when the caller's `itemsPricelists` /
/// `servicesPricelists` list shows the list today (the kind's search right and D9); `None`
/// otherwise, as `node` answers null. The version comes with its history id.
pub async fn pricelist_for_node(
    state: &AppState,
    principal: &Principal,
    kind: MedicalKind,
    pk: i64,
    history: bool,
) -> AppResult<Option<(pricelist::Model, Option<i64>)>> {
    if !principal.has_any(pricelist_rights(kind, 0)) {
        return Ok(None);
    }
    let conn = &state.db.conn;
    let version = if history {
        let found = imis_core::history::version_by_history_id::<pricelist::Model>(
            conn,
            ENTITY_PRICELIST,
            pk,
        )
        .await?;
        let Some(v) = found else { return Ok(None) };
        Some(v)
    } else {
        None
    };
    let filter = PricelistFilter {
        id: Some(version.as_ref().map_or(pk, |v| v.id)),
        ..Default::default()
    };
    let Some(current) = pricelists_select(state, Some(principal), kind, &filter)
        .await?
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(match version {
        Some(v) => (v, Some(pk)),
        None => (current, None),
    }))
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

pub(crate) async fn pricelist_name_taken(
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    name: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    let mut q = pricelist::Entity::find()
        .filter(pricelist::Column::Kind.eq(kind.code()))
        .filter(pricelist::Column::Name.eq(name.trim()))
        .current();
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
        .current()
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
        .current()
        .order_by_asc(pricelist_detail::Column::Id)
        .all(conn)
        .await?
    {
        out.entry(d.pricelist_id).or_default().push(d);
    }
    Ok(out)
}

/// The current details naming these items (or services) in the current lists of `kind` the
/// caller may see (the kind's search right and D9, as `itemsPricelists` / `servicesPricelists`
/// show them), only in list `pricelist_id` when given; each with its list, ordered by detail id.
/// Without the right: none. Two queries whatever the number of members.
pub async fn member_details(
    state: &AppState,
    principal: Option<&Principal>,
    kind: MedicalKind,
    member_ids: &[i64],
    pricelist_id: Option<i64>,
) -> AppResult<Vec<(pricelist_detail::Model, pricelist::Model)>> {
    let Some(p) = principal.filter(|p| p.has_any(pricelist_rights(kind, 0))) else {
        return Ok(vec![]);
    };
    if member_ids.is_empty() {
        return Ok(vec![]);
    }
    let conn = &state.db.conn;
    let filter = PricelistFilter {
        id: pricelist_id,
        ..Default::default()
    };
    let visible = pricelists_select(state, Some(p), kind, &filter)
        .await?
        .select_only()
        .column(pricelist::Column::Id)
        .into_query();
    use pricelist_detail::Column as D;
    let details = pricelist_detail::Entity::find()
        .filter(D::Kind.eq(kind.code()))
        .filter(D::MedicalId.is_in(member_ids.iter().copied()))
        .filter(D::PricelistId.in_subquery(visible))
        .current()
        .order_by_asc(D::Id)
        .all(conn)
        .await?;
    let list_ids: HashSet<i64> = details.iter().map(|d| d.pricelist_id).collect();
    if list_ids.is_empty() {
        return Ok(vec![]);
    }
    let lists: HashMap<i64, pricelist::Model> = pricelist::Entity::find()
        .filter(pricelist::Column::Id.is_in(list_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    Ok(details
        .into_iter()
        .filter_map(|d| {
            let list = lists.get(&d.pricelist_id)?.clone();
            Some((d, list))
        })
        .collect())
}

/// The id of the list a previous version (history id) belongs to; `None` for an unknown id.
pub async fn pricelist_id_of_version(state: &AppState, history_id: i64) -> AppResult<Option<i64>> {
    Ok(
        imis_core::history::version_by_history_id::<pricelist::Model>(
            &state.db.conn,
            ENTITY_PRICELIST,
            history_id,
        )
        .await?
        .map(|v| v.id),
    )
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
