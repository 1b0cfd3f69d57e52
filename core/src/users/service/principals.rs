//! Who a user is for the platform: rights through roles, location scope (D9), the principal of
//! a request, the current user and login.

use super::*;
use crate::kit::CurrentRows;

/// Rights of a user through their valid, unblocked roles, and whether one is IMIS Administrator.
pub async fn rights_of(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<(BTreeSet<i32>, bool)> {
    role_rights_of(conn, user_id, false).await
}

/// The rights of a user's current roles (blocked ones too when `with_blocked`), and whether one
/// is the IMIS Administrator role.
pub(super) async fn role_rights_of(
    conn: &impl ConnectionTrait,
    user_id: i64,
    with_blocked: bool,
) -> AppResult<(BTreeSet<i32>, bool)> {
    let mut sql = String::from(
        "SELECT r.is_system, rr.right_id FROM core_user_role ur JOIN core_role r ON r.id = ur.role_id \
         LEFT JOIN core_role_right rr ON rr.role_id = r.id AND rr.validity_to IS NULL \
         WHERE ur.user_id = ? AND ur.validity_to IS NULL AND r.validity_to IS NULL",
    );
    let mut values: Vec<sea_orm::Value> = vec![user_id.into()];
    if !with_blocked {
        sql.push_str(" AND r.is_blocked = ?");
        values.push(false.into());
    }
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await?;
    let mut rights = BTreeSet::new();
    let mut admin = false;
    for r in rows {
        let flag: i64 = r.try_get("", "is_system")?;
        admin |= flag & crate::auth::IMIS_ADMIN_SYSTEM_FLAG != 0;
        if let Some(right) = r.try_get::<Option<i32>>("", "right_id")? {
            rights.insert(right);
        }
    }
    Ok((rights, admin))
}

/// The location scope of a user (D9): unrestricted for IMIS administrators; otherwise the
/// districts of an interactive user, the villages of an officer and the facility (with its
/// location) of a claim administrator.
pub async fn scope_of(
    conn: &impl ConnectionTrait,
    u: &user::Model,
    is_admin: bool,
) -> AppResult<Scope> {
    if is_admin {
        return Ok(Scope::unrestricted());
    }
    let districts = if u.is_interactive {
        id_column(
            conn,
            "SELECT location_id FROM core_user_district WHERE user_id = ? AND validity_to IS NULL",
            vec![u.id.into()],
        )
        .await?
    } else {
        vec![]
    };
    let villages = if u.is_officer {
        id_column(conn, "SELECT location_id FROM core_officer_village WHERE user_id = ? AND validity_to IS NULL", vec![u.id.into()]).await?
    } else {
        vec![]
    };
    let hf = match (u.is_claim_admin, u.health_facility_id) {
        (true, Some(hf)) => {
            let loc = id_column(
                conn,
                "SELECT location_id FROM core_health_facility WHERE id = ?",
                vec![hf.into()],
            )
            .await?;
            Some((hf, loc.first().copied()))
        }
        _ => None,
    };
    Ok(Scope::restricted(
        crate::location::tree::LOCATION_TREE,
        districts,
        villages,
        hf,
    ))
}

/// The scope of the current user `user_id`, read on `conn` (inside a transaction, say, where
/// an event handler knows only the actor's id); None when the user is gone.
pub async fn scope_of_user(conn: &impl ConnectionTrait, user_id: i64) -> AppResult<Option<Scope>> {
    let Some(u) = user::Entity::find_by_id(user_id)
        .current()
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let (_, is_admin) = rights_of(conn, u.id).await?;
    Ok(Some(scope_of(conn, &u, is_admin).await?))
}

/// Builds the principal of a current user (None when the user is gone).
pub async fn load_principal(state: &AppState, uuid: Uuid) -> AppResult<Option<Principal>> {
    let conn = &state.db.conn;
    let Some(u) = user::Entity::find()
        .filter(user::Column::Uuid.eq(uuid))
        .current()
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let (rights, is_admin) = rights_of(conn, u.id).await?;
    let scope = scope_of(conn, &u, is_admin).await?;
    Ok(Some(Principal {
        user_id: u.id,
        user_uuid: u.uuid,
        username: u.username.clone(),
        language: u.language.clone(),
        rights,
        is_admin,
        kinds: UserKinds {
            interactive: u.is_interactive,
            officer: u.is_officer,
            claim_admin: u.is_claim_admin,
            technical: u.is_technical,
        },
        health_facility_id: u.health_facility_id,
        scope,
        jti: None,
        login_id: None,
        token_exp: 0,
        tokens_valid_after: u.tokens_valid_after,
        csrf: Csrf::Satisfied,
    }))
}

/// `GET /api/core/users/current_user/` in openIMIS's shape (D31).
pub async fn current_user_json(state: &AppState, p: &Principal) -> AppResult<serde_json::Value> {
    let u = user::Entity::find_by_id(p.user_id)
        .one(&state.db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    let rights: Vec<i32> = if p.is_admin {
        crate::rights::all_rights()
            .iter()
            .map(|(_, r)| r.code)
            .chain(p.rights.iter().copied())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        p.rights.iter().copied().collect()
    };
    Ok(serde_json::json!({
        "id": u.uuid.to_string(),
        "username": u.username,
        "i_user": {
            "id": u.id,
            "language": u.language,
            "last_name": u.last_name,
            "other_names": u.other_names,
            "health_facility_id": u.health_facility_id,
            "rights": rights,
            "has_password": u.password_hash != password::LOCKED,
        },
        "t_user": serde_json::Value::Null,
    }))
}

/// `tokenAuth`: the attempt is counted and the lockout decided first (one statement), then the
/// password is checked on the bounded hashing pool (a dummy hash for unknown usernames, so the
/// answer time does not tell which exist); legacy hashes are re-hashed; tokens are issued.
pub async fn login(
    state: &AppState,
    username: &str,
    password_text: &str,
) -> AppResult<(Issued, user::Model)> {
    let bad = || AppError::new(ErrorKind::Unauthenticated, "auth.invalid_credentials");
    // Usernames are at most 50 characters (the lockout key's column too): longer ones cannot
    // exist, and are refused before any work.
    if username.to_lowercase().chars().count() > 50 || password_text.len() > 1024 {
        return Err(bad());
    }
    let count = match tokens::begin_attempt(state, username).await? {
        tokens::Attempt::Locked => return Err(tokens::locked_out(state)),
        tokens::Attempt::Proceed { count } => count,
    };
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .current()
        .one(&state.db.conn)
        .await?;
    let verdict = password::verify_async(
        password::Pool::Login,
        password_text,
        found.as_ref().map(|u| u.password_hash.as_str()),
    )
    .await?;
    let Some(u) = found.filter(|_| !matches!(verdict, Verified::No)) else {
        tokens::record_failure(state, username, count).await?;
        return Err(bad());
    };
    tokens::clear_failures(state, username).await?;
    let rehash = if matches!(verdict, Verified::YesRehash) {
        Some(password::hash_async(password::Pool::Login, password_text).await?)
    } else {
        None
    };
    let tx = state.db.begin_write().await?;
    let mut active = u.clone().into_active_model();
    if let Some(h) = rehash {
        active.password_hash = Set(h);
    }
    active.last_login = Set(Some(state.clock.now()));
    let u = active.update(&*tx).await?;
    let issued = tokens::issue(state, &*tx, u.id, &u.username, &u.uuid.to_string()).await?;
    tx.commit().await?;
    Ok((issued, u))
}
