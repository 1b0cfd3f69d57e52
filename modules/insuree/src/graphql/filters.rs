//! Filters shared by the insuree and family lists: location scope (D9), folded names (D19),
//! sort keys.

use super::*;

/// D9 on insurees: the current village, else the family's village, within the allowed set.
pub(crate) async fn scope_insurees(
    st: &AppState,
    p: &Principal,
    q: Select<insuree::Entity>,
) -> AppResult<Select<insuree::Entity>> {
    let Some(allowed) = p.scope.allowed_locations(&st.db.conn).await? else {
        return Ok(q);
    };
    let a = ids_sql(allowed.iter().copied());
    Ok(q.filter(Expr::cust(format!(
        "(insuree_insuree.current_village_id IN ({a}) OR (insuree_insuree.current_village_id IS NULL AND insuree_insuree.family_id IN (SELECT id FROM insuree_family WHERE validity_to IS NULL AND location_id IN ({a}))))"
    ))))
}

pub(crate) async fn scope_families(
    st: &AppState,
    p: &Principal,
    q: Select<family::Entity>,
) -> AppResult<Select<family::Entity>> {
    let Some(allowed) = p.scope.allowed_locations(&st.db.conn).await? else {
        return Ok(q);
    };
    Ok(q.filter(family::Column::LocationId.is_in(allowed.iter().copied().collect::<Vec<_>>())))
}

/// `parentLocation` (uuid) restricts to the villages below that location.
pub(crate) async fn villages_below(st: &AppState, parent: &str) -> AppResult<Vec<i64>> {
    let uuid = parse_uuid(parent, "parentLocation")?;
    let conn = &st.db.conn;
    let Some(root) = imis_core::registers::location_id_by_uuid_any_validity(conn, uuid).await?
    else {
        return Ok(vec![]);
    };
    imis_core::location::service::subtree_ids(conn, root).await
}

/// A folded-name filter (D19): prefix searches are index-served ranges, substring searches scan
/// within the other restrictions.
pub(crate) fn folded_like(col: insuree::Column, value: &str, prefix: bool) -> Condition {
    let v = imis_core::text::fold(value);
    if prefix {
        imis_core::text::starts_with(col, &v)
    } else {
        Condition::all().add(col.contains(v))
    }
}

pub(crate) const INSUREE_SORT: [(&str, insuree::Column); 5] = [
    ("chfId", insuree::Column::ChfId),
    ("lastName", insuree::Column::LastNameSearch),
    ("otherNames", insuree::Column::OtherNamesSearch),
    ("dob", insuree::Column::Dob),
    ("validityFrom", insuree::Column::Id),
];

pub(crate) fn wants_facility(ctx: &Context<'_>) -> bool {
    let la = ctx.look_ahead();
    la.field("edges")
        .field("node")
        .field("healthFacility")
        .exists()
        || la.field("healthFacility").exists()
}
