//! Location scope (D9): a family through its village, an insuree through their current village
//! or their family's village.

use super::*;

/// The village through which scope (D9) reaches an insuree, given its family row (`family` is
/// the row of `i.family_id`, when there is one): the current village, else the family's village.
/// A current insuree is reached only through a current family, as in the lists; a deleted
/// insuree keeps the family it was deleted with (deleting a family with its members deletes both
/// at once), so that its district still sees its history. `None` (no village, no usable family:
/// an insuree removed from its family, say) is open to unrestricted users only.
pub fn insuree_location(i: &insuree::Model, family: Option<&family::Model>) -> Option<i64> {
    scope_village(
        i.current_village_id,
        i.family_id,
        i.validity_to.is_none(),
        family,
    )
}

/// [`insuree_location`] over the fields it needs: `family` is the row of `family_id`, if any.
pub fn scope_village(
    current_village_id: Option<i64>,
    family_id: Option<i64>,
    insuree_is_current: bool,
    family: Option<&family::Model>,
) -> Option<i64> {
    if let Some(v) = current_village_id {
        return Some(v);
    }
    let f = family.filter(|f| Some(f.id) == family_id)?;
    (f.validity_to.is_none() || !insuree_is_current).then_some(f.location_id)
}

/// The village through which scope reaches an insuree (see [`insuree_location`]).
pub(crate) async fn village_of(
    conn: &impl ConnectionTrait,
    i: &insuree::Model,
) -> AppResult<Option<i64>> {
    if let Some(v) = i.current_village_id {
        return Ok(Some(v));
    }
    let Some(f) = i.family_id else {
        return Ok(None);
    };
    let fam = family::Entity::find_by_id(f).one(conn).await?;
    Ok(insuree_location(i, fam.as_ref()))
}

/// Whether an insuree is within the caller's locations (D9). An insuree without a location
/// (no village, no current family) is within reach of unrestricted users only.
pub async fn insuree_in_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    i: &insuree::Model,
) -> AppResult<bool> {
    if p.scope.unrestricted {
        return Ok(true);
    }
    let village = village_of(conn, i).await?;
    p.scope.allows(conn, village).await
}

/// Refuses an insuree outside the caller's locations (D9).
pub async fn check_insuree_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    i: &insuree::Model,
) -> AppResult<()> {
    if insuree_in_scope(conn, p, i).await? {
        Ok(())
    } else {
        Err(AppError::location_denied())
    }
}

pub async fn check_family_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    f: &family::Model,
) -> AppResult<()> {
    check_location_scope(conn, p, f.location_id).await
}

/// Refuses a village outside the caller's locations (D9).
pub async fn check_location_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    village: i64,
) -> AppResult<()> {
    if p.scope.allows(conn, Some(village)).await? {
        Ok(())
    } else {
        Err(AppError::location_denied())
    }
}

pub(crate) async fn check_village(
    conn: &impl ConnectionTrait,
    p: &Principal,
    id: i64,
    field: &str,
) -> AppResult<()> {
    if imis_core::registers::location_type(conn, id)
        .await?
        .as_deref()
        != Some("V")
    {
        return Err(AppError::validation("insuree.village_invalid")
            .with("field", field)
            .with("id", id));
    }
    if !p.scope.allows(conn, Some(id)).await? {
        return Err(AppError::location_denied());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(id: i64, village: i64, deleted: bool) -> family::Model {
        let now = chrono::Utc::now();
        family::Model {
            id,
            uuid: Uuid::nil(),
            head_insuree_id: 1,
            location_id: village,
            poverty: None,
            family_type: None,
            address: None,
            is_offline: false,
            ethnicity: None,
            confirmation_no: None,
            confirmation_type: None,
            json_ext: None,
            validity_from: now,
            validity_to: deleted.then_some(now),
            audit_user_id: None,
        }
    }

    #[test]
    fn the_current_village_comes_first() {
        assert_eq!(
            scope_village(Some(9), Some(1), true, Some(&family(1, 4, false))),
            Some(9)
        );
    }

    #[test]
    fn a_current_insuree_is_located_through_a_current_family_only() {
        assert_eq!(
            scope_village(None, Some(1), true, Some(&family(1, 4, false))),
            Some(4)
        );
        assert_eq!(
            scope_village(None, Some(1), true, Some(&family(1, 4, true))),
            None
        );
        // A deleted insuree keeps the family it was deleted with.
        assert_eq!(
            scope_village(None, Some(1), false, Some(&family(1, 4, true))),
            Some(4)
        );
    }

    #[test]
    fn another_familys_row_does_not_locate() {
        assert_eq!(
            scope_village(None, Some(2), true, Some(&family(1, 4, false))),
            None
        );
        assert_eq!(scope_village(None, None, true, None), None);
    }
}
