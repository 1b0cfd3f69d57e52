//! The user-administration rule (who may manage, see and grant what) and visible users.

use super::*;
use crate::kit::CurrentRows;

/// The user-administration rule (docs/api.md, "Who may manage whom"): a caller may create,
/// change, reset the password of or delete only users whose rights are a subset of its own and
/// whose locations (districts, villages, officer district, claim administrator's facility) lie
/// within its own; an IMIS Administrator's account only when it is one itself. IMIS
/// Administrators manage everyone.
pub async fn check_may_manage(
    conn: &impl ConnectionTrait,
    p: &Principal,
    target: &user::Model,
) -> AppResult<()> {
    if p.is_admin {
        return Ok(());
    }
    // Blocked roles count too: unblocking one later must not hand the caller's changes (a
    // password it set) more rights than it holds.
    let (rights, target_admin) = granted_rights_of(conn, target.id).await?;
    if target_admin || !rights.is_subset(&p.rights) {
        return Err(AppError::forbidden_code("user.target_outranks_caller"));
    }
    let Some(allowed) = p.scope.allowed_locations(conn).await? else {
        return Ok(());
    };
    if target.id == p.user_id {
        // Its own locations are its scope; what it grants itself is checked on the input.
        return Ok(());
    }
    // Every stored link counts, whatever the user's kinds today (a kind switched on later
    // brings its links back). A user with no location at all is national: only unrestricted
    // callers manage it.
    let locations = linked_locations(conn, target).await?;
    if locations.is_empty() || locations.iter().any(|l| !allowed.contains(l)) {
        return Err(AppError::location_denied());
    }
    Ok(())
}

/// Every location a user is linked to: its current districts and officer villages, its officer
/// district and its facility's location, whatever its kinds.
pub(super) async fn linked_locations(
    conn: &impl ConnectionTrait,
    u: &user::Model,
) -> AppResult<Vec<i64>> {
    let mut out = id_column(
        conn,
        "SELECT location_id FROM core_user_district WHERE user_id = ? AND validity_to IS NULL \
         UNION SELECT location_id FROM core_officer_village WHERE user_id = ? AND validity_to IS NULL",
        vec![u.id.into(), u.id.into()],
    )
    .await?;
    out.extend(u.officer_location_id);
    if let Some(hf) = u.health_facility_id {
        out.extend(
            id_column(
                conn,
                "SELECT location_id FROM core_health_facility WHERE id = ?",
                vec![hf.into()],
            )
            .await?,
        );
    }
    Ok(out)
}

/// The rights of all a user's current roles, blocked ones included, and whether one is the IMIS
/// Administrator role.
pub(super) async fn granted_rights_of(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<(BTreeSet<i32>, bool)> {
    role_rights_of(conn, user_id, true).await
}

/// The rights a role gives; `None` for the IMIS Administrator role (every right).
pub(super) async fn role_grants(
    conn: &impl ConnectionTrait,
    roles: &[role::Model],
) -> AppResult<Vec<(String, Option<BTreeSet<i32>>)>> {
    let ids: Vec<i64> = roles.iter().map(|r| r.id).collect();
    let rights = rights_of_roles(conn, &ids).await?;
    Ok(roles
        .iter()
        .map(|r| {
            let set = (r.is_system & crate::auth::IMIS_ADMIN_SYSTEM_FLAG == 0).then(|| {
                rights
                    .iter()
                    .filter(|rr| rr.role_id == r.id)
                    .map(|rr| rr.right_id)
                    .collect()
            });
            (r.name.clone(), set)
        })
        .collect())
}

/// A caller may grant (or edit, or delete) only roles whose rights are a subset of its own; only
/// an IMIS Administrator grants the IMIS Administrator role.
pub(super) async fn check_may_grant(
    conn: &impl ConnectionTrait,
    p: &Principal,
    roles: &[role::Model],
) -> AppResult<()> {
    if p.is_admin {
        return Ok(());
    }
    for (name, rights) in role_grants(conn, roles).await? {
        match rights {
            Some(r) if r.is_subset(&p.rights) => {}
            _ => {
                return Err(
                    AppError::forbidden_code("role.exceeds_caller_rights").with("name", name)
                );
            }
        }
    }
    Ok(())
}

/// Rights named in a role input must all be held by the caller (IMIS Administrators hold all).
pub(super) fn check_rights_held(p: &Principal, rights: Option<&[i32]>) -> AppResult<()> {
    if p.is_admin {
        return Ok(());
    }
    for r in rights.unwrap_or_default() {
        if !p.rights.contains(r) {
            return Err(AppError::forbidden_code("role.exceeds_caller_rights").with("right", r));
        }
    }
    Ok(())
}

/// The current user with this uuid, locked for the rest of the transaction (PostgreSQL).
pub(super) async fn lock_user_by_uuid(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<user::Model> {
    user::Entity::find()
        .filter(user::Column::Uuid.eq(uuid))
        .current()
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("user"))
}

/// Of `candidates`, the users a restricted principal may see: users with a district, village or
/// facility inside the caller's allowed locations.
pub async fn visible_user_ids(
    conn: &impl ConnectionTrait,
    p: &Principal,
    candidates: &[i64],
) -> AppResult<BTreeSet<i64>> {
    let Some(allowed) = p.scope.allowed_locations(conn).await? else {
        return Ok(candidates.iter().copied().collect());
    };
    if candidates.is_empty() || allowed.is_empty() {
        return Ok(candidates
            .iter()
            .copied()
            .filter(|c| *c == p.user_id)
            .collect());
    }
    let allowed: Vec<i64> = allowed.iter().copied().collect();
    let sql = format!(
        "SELECT id FROM core_user u WHERE u.id IN ({c}) AND (u.id = {me} \
         OR EXISTS (SELECT 1 FROM core_user_district d WHERE d.user_id = u.id AND d.validity_to IS NULL AND d.location_id IN ({a})) \
         OR EXISTS (SELECT 1 FROM core_officer_village v WHERE v.user_id = u.id AND v.validity_to IS NULL AND v.location_id IN ({a})) \
         OR u.officer_location_id IN ({a}) \
         OR EXISTS (SELECT 1 FROM core_health_facility h WHERE h.id = u.health_facility_id AND h.location_id IN ({a})))",
        c = ids_sql(candidates),
        me = p.user_id,
        a = ids_sql(&allowed)
    );
    Ok(id_column(conn, &sql, vec![]).await?.into_iter().collect())
}
