//! Filters shared by the insuree and family lists: location scope (D9), folded names (D19),
//! sort keys (the Django-style `orderBy` names the front end sends).

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

/// The `orderBy` names of `insurees`: those the front end's insuree search sorts by. Orders on a
/// nullable column (marital, email, phone, validityTo) page by position.
pub(crate) const INSUREE_SORT: [(&str, insuree::Column); 11] = [
    ("chfId", insuree::Column::ChfId),
    ("lastName", insuree::Column::LastNameSearch),
    ("otherNames", insuree::Column::OtherNamesSearch),
    ("dob", insuree::Column::Dob),
    ("gender", insuree::Column::Gender),
    ("gender__code", insuree::Column::Gender),
    ("marital", insuree::Column::Marital),
    ("email", insuree::Column::Email),
    ("phone", insuree::Column::Phone),
    ("validityFrom", insuree::Column::ValidityFrom),
    ("validityTo", insuree::Column::ValidityTo),
];

/// The `orderBy` names of `families` on its own columns (`validityFrom` is the front end's
/// default order, served by `ix_insuree_family_validity_from`).
pub(crate) const FAMILY_SORT: [(&str, family::Column); 4] = [
    ("validityFrom", family::Column::ValidityFrom),
    ("validityTo", family::Column::ValidityTo),
    ("confirmationNo", family::Column::ConfirmationNo),
    ("location__id", family::Column::LocationId),
];

/// The `orderBy` names of `families` through the head insuree (`headInsuree__chfId`, ...): the
/// head's column as a sub-query correlated on `head_insuree_id` (served by the insuree primary
/// key); names sort folded (D19), as in `insurees`.
pub(crate) fn family_sort_expressions() -> Vec<(&'static str, Expr)> {
    use sea_orm::sea_query::ExprTrait;
    let head = |col: insuree::Column| {
        Expr::SubQuery(
            None,
            Box::new(
                sea_orm::sea_query::Query::select()
                    .column((insuree::Entity, col))
                    .from(insuree::Entity)
                    .and_where(
                        Expr::col((insuree::Entity, insuree::Column::Id))
                            .equals((family::Entity, family::Column::HeadInsureeId)),
                    )
                    .to_owned()
                    .into(),
            ),
        )
    };
    vec![
        ("headInsuree__chfId", head(insuree::Column::ChfId)),
        (
            "headInsuree__lastName",
            head(insuree::Column::LastNameSearch),
        ),
        (
            "headInsuree__otherNames",
            head(insuree::Column::OtherNamesSearch),
        ),
        ("headInsuree__email", head(insuree::Column::Email)),
        ("headInsuree__phone", head(insuree::Column::Phone)),
        ("headInsuree__dob", head(insuree::Column::Dob)),
    ]
}

pub(crate) fn wants_facility(ctx: &Context<'_>) -> bool {
    let la = ctx.look_ahead();
    la.field("edges")
        .field("node")
        .field("healthFacility")
        .exists()
        || la.field("healthFacility").exists()
}
