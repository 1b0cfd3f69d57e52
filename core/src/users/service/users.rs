//! User writes: create, update, delete, password and language changes, with their validations.

use super::*;
use crate::kit::{self, CurrentRows};

/// A user's current row by id, locked for the rest of the transaction (PostgreSQL).
pub async fn lock_user(conn: &impl ConnectionTrait, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .current()
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("user"))
}

/// A user's current row by id.
pub async fn find_user(conn: &impl ConnectionTrait, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("user"))
}

/// Input of `createUser`/`updateUser` (openIMIS `UserBase`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct UserInput {
    pub uuid: Option<Uuid>,
    pub username: String,
    pub last_name: String,
    pub other_names: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub health_facility_id: Option<i64>,
    pub districts: Vec<i64>,
    pub language: String,
    pub roles: Vec<i64>,
    pub birth_date: Option<NaiveDate>,
    pub address: Option<String>,
    pub works_to: Option<NaiveDate>,
    pub substitution_officer_id: Option<i64>,
    pub phone_communication: Option<bool>,
    pub location_id: Option<i64>,
    pub village_ids: Vec<i64>,
    pub kinds: UserKinds,
}

pub(super) fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
}

pub(super) async fn location_types(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!(
                "SELECT id, type FROM core_location WHERE validity_to IS NULL AND id IN ({})",
                ids_sql(ids)
            ),
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "type")?)))
        .collect()
}

pub(super) async fn check_locations(
    conn: &impl ConnectionTrait,
    ids: &[i64],
    want: &str,
    code: &str,
) -> AppResult<()> {
    let found = location_types(conn, ids).await?;
    for id in ids {
        if !found.iter().any(|(i, t)| i == id && t == want) {
            return Err(AppError::validation(code).with("id", id));
        }
    }
    Ok(())
}

pub(super) async fn validate_user(
    m: &MutationCtx<'_>,
    p: &Principal,
    input: &UserInput,
    existing: Option<&user::Model>,
) -> AppResult<()> {
    let cfg = &m.state.config.auth;
    let tx = &**m.tx;
    let k = input.kinds;
    if !(k.interactive || k.officer || k.claim_admin || k.technical) {
        return Err(AppError::validation("user.user_type_required"));
    }
    if input.username.trim().is_empty() {
        return Err(AppError::invalid("username", "required"));
    }
    if input.username.chars().count() > cfg.username_max_length {
        return Err(
            AppError::validation("user.username_too_long").with("max", cfg.username_max_length)
        );
    }
    if input.last_name.trim().is_empty() || input.other_names.trim().is_empty() {
        return Err(AppError::invalid("lastName", "required"));
    }
    if !LANGUAGES.iter().any(|(c, _, _)| *c == input.language) {
        return Err(AppError::validation("user.language_unknown").with("language", &input.language));
    }
    let mut q = user::Entity::find()
        .filter(user::Column::Username.eq(input.username.as_str()))
        .current();
    if let Some(ex) = existing {
        if ex.username != input.username && !cfg.username_changeable {
            return Err(AppError::validation("user.username_not_changeable"));
        }
        q = q.filter(user::Column::Id.ne(ex.id));
    }
    if q.one(tx).await?.is_some() {
        return Err(AppError::conflict("user.username_taken").with("username", &input.username));
    }
    if let Some(e) = input.email.as_deref().filter(|e| !e.is_empty()) {
        if !valid_email(e) {
            return Err(AppError::validation("user.email_invalid"));
        }
        let mut q = user::Entity::find()
            .filter(user::Column::Email.eq(e))
            .current();
        if let Some(ex) = existing {
            q = q.filter(user::Column::Id.ne(ex.id));
        }
        if q.one(tx).await?.is_some() {
            return Err(AppError::conflict("user.email_taken").with("email", e));
        }
    }
    if k.interactive && input.roles.is_empty() {
        return Err(AppError::validation("user.roles_required"));
    }
    if !input.roles.is_empty() {
        let found = role::Entity::find()
            .filter(role::Column::Id.is_in(input.roles.clone()))
            .current()
            .all(tx)
            .await?;
        if found.len() != input.roles.iter().collect::<BTreeSet<_>>().len() {
            return Err(AppError::not_found("role"));
        }
        check_may_grant(tx, p, &found).await?;
        // An administrator cannot drop the IMIS Administrator role from himself.
        if existing.is_some_and(|e| e.id == p.user_id)
            && p.is_admin
            && !found
                .iter()
                .any(|r| r.is_system & crate::auth::IMIS_ADMIN_SYSTEM_FLAG != 0)
        {
            return Err(AppError::validation("user.cannot_remove_own_admin"));
        }
    }
    check_locations(tx, &input.districts, "D", "user.district_invalid").await?;
    check_locations(tx, &input.village_ids, "V", "user.village_invalid").await?;
    if let Some(l) = input.location_id {
        check_locations(tx, &[l], "D", "user.district_invalid").await?;
    }
    if k.claim_admin && input.health_facility_id.is_none() {
        return Err(AppError::validation("user.health_facility_required"));
    }
    if let Some(hf) = input.health_facility_id {
        let ok = id_column(
            tx,
            "SELECT id FROM core_health_facility WHERE id = ? AND validity_to IS NULL",
            vec![hf.into()],
        )
        .await?;
        if ok.is_empty() {
            return Err(AppError::not_found("health facility"));
        }
        // D9: the facility must be within the acting user's scope.
        let loc = id_column(
            tx,
            "SELECT location_id FROM core_health_facility WHERE id = ?",
            vec![hf.into()],
        )
        .await?;
        if !p.scope.allows(tx, loc.first().copied()).await? {
            return Err(AppError::location_denied());
        }
    }
    // D9: a restricted user may only grant districts and villages inside their own scope.
    for l in input
        .districts
        .iter()
        .chain(&input.village_ids)
        .chain(input.location_id.iter())
    {
        if !p.scope.allows(tx, Some(*l)).await? {
            return Err(AppError::location_denied());
        }
    }
    if let Some(pw) = input.password.as_deref() {
        password::check_policy(pw, cfg)?;
    }
    Ok(())
}

/// Sets the user's current roles, districts and officer villages to those of `input`.
async fn replace_user_links(m: &MutationCtx<'_>, user_id: i64, input: &UserInput) -> AppResult<()> {
    replace_links(m, "core_user_role", "role_id", user_id, &input.roles).await?;
    replace_links(
        m,
        "core_user_district",
        "location_id",
        user_id,
        &input.districts,
    )
    .await?;
    replace_links(
        m,
        "core_officer_village",
        "location_id",
        user_id,
        &input.village_ids,
    )
    .await
}

/// Replaces the valid link rows (roles, districts, villages) of a user, closing the old ones.
pub(super) async fn replace_links(
    m: &MutationCtx<'_>,
    table: &str,
    column: &str,
    user_id: i64,
    ids: &[i64],
) -> AppResult<()> {
    let tx = &**m.tx;
    let now = m.state.clock.now();
    let current = id_column(
        tx,
        &format!("SELECT {column} FROM {table} WHERE user_id = ? AND validity_to IS NULL"),
        vec![user_id.into()],
    )
    .await?;
    let wanted: BTreeSet<i64> = ids.iter().copied().collect();
    for old in current.iter().filter(|c| !wanted.contains(c)) {
        tx.execute_raw(stmt(
            tx.get_database_backend(),
            &format!("UPDATE {table} SET validity_to = ? WHERE user_id = ? AND {column} = ? AND validity_to IS NULL"),
            vec![now.into(), user_id.into(), (*old).into()],
        ))
        .await?;
    }
    for new in wanted.iter().filter(|w| !current.contains(w)) {
        tx.execute_raw(stmt(
            tx.get_database_backend(),
            &format!("INSERT INTO {table} (user_id, {column}, validity_from, audit_user_id) VALUES (?, ?, ?, ?)"),
            vec![user_id.into(), (*new).into(), now.into(), m.actor().into()],
        ))
        .await?;
    }
    Ok(())
}

pub(super) fn apply_input(a: &mut user::ActiveModel, input: &UserInput) {
    a.username = Set(input.username.trim().to_string());
    a.last_name = Set(input.last_name.trim().to_string());
    a.other_names = Set(input.other_names.trim().to_string());
    a.last_name_search = Set(crate::text::fold(input.last_name.trim()));
    a.other_names_search = Set(crate::text::fold(input.other_names.trim()));
    a.email = Set(input.email.clone().filter(|e| !e.is_empty()));
    a.phone = Set(input.phone.clone());
    a.language = Set(input.language.clone());
    a.is_interactive = Set(input.kinds.interactive);
    a.is_officer = Set(input.kinds.officer);
    a.is_claim_admin = Set(input.kinds.claim_admin);
    a.is_technical = Set(input.kinds.technical);
    a.health_facility_id = Set(input.health_facility_id);
    a.birth_date = Set(input.birth_date);
    a.address = Set(input.address.clone());
    a.officer_location_id = Set(input.location_id);
    a.works_to = Set(input.works_to);
    a.substitution_officer_id = Set(input.substitution_officer_id);
    a.phone_communication = Set(input.phone_communication);
    if input.kinds.officer {
        a.officer_code = Set(Some(input.username.trim().to_string()));
    } else {
        a.officer_code = Set(None);
    }
}

/// `createUser`. Returns the new user.
pub async fn create_user(m: &mut MutationCtx<'_>, input: UserInput) -> AppResult<user::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_USER_ADD]))?;
    if let Some(uuid) = input.uuid
        && let Some(existing) = user::Entity::find()
            .filter(user::Column::Uuid.eq(uuid))
            .one(&**m.tx)
            .await?
    {
        // D4: a retried offline create returns the existing user when it is the same, and only
        // to a caller who may manage it (else the uuid is simply taken).
        if existing.validity_to.is_none()
            && check_may_manage(&**m.tx, p, &existing).await.is_ok()
            && existing.username == input.username
            && existing.last_name == input.last_name
            && existing.other_names == input.other_names
            && same_retried_user(m, &existing, &input).await?
        {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", uuid));
    }
    validate_user(m, p, &input, None).await?;
    let now = m.state.clock.now();
    let mut a = user::ActiveModel {
        uuid: Set(input.uuid.unwrap_or_else(Uuid::now_v7)),
        password_hash: Set(match input.password.as_deref() {
            Some(pw) => password::hash_async(password::Pool::Account, pw).await?,
            None => password::LOCKED.to_string(),
        }),
        tokens_valid_after: Set(0),
        validity_from: Set(now),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    };
    apply_input(&mut a, &input);
    let u = a.insert(&**m.tx).await?;
    replace_user_links(m, u.id, &input).await?;
    m.link("user", u.id);
    m.publish(
        "user.created",
        serde_json::json!({ "userId": u.id, "uuid": u.uuid }),
    )
    .await?;
    Ok(u)
}

/// Whether a retried `createUser` (D4) also names the same roles, districts, villages and
/// password as the user that exists: anything else is another request for a taken uuid.
pub(super) async fn same_retried_user(
    m: &MutationCtx<'_>,
    existing: &user::Model,
    input: &UserInput,
) -> AppResult<bool> {
    let tx = &**m.tx;
    for (table, column, wanted) in [
        ("core_user_role", "role_id", &input.roles),
        ("core_user_district", "location_id", &input.districts),
        ("core_officer_village", "location_id", &input.village_ids),
    ] {
        let current: BTreeSet<i64> = id_column(
            tx,
            &format!("SELECT {column} FROM {table} WHERE user_id = ? AND validity_to IS NULL"),
            vec![existing.id.into()],
        )
        .await?
        .into_iter()
        .collect();
        if current != wanted.iter().copied().collect() {
            return Ok(false);
        }
    }
    match input.password.as_deref() {
        None => Ok(existing.password_hash == password::LOCKED),
        Some(pw) => Ok(!matches!(
            password::verify_async(password::Pool::Account, pw, Some(&existing.password_hash))
                .await?,
            Verified::No
        )),
    }
}

/// `updateUser`: complete update (omitted optional fields become empty), history kept.
pub async fn update_user(
    m: &mut MutationCtx<'_>,
    uuid: Option<Uuid>,
    input: UserInput,
) -> AppResult<user::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_USER_EDIT]))?;
    let uuid = uuid.ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let existing = lock_user_by_uuid(&**m.tx, uuid).await?;
    check_may_manage(&**m.tx, p, &existing).await?;
    // One's own password changes only with the old one (`changePassword`): a stolen session
    // must not become a permanent takeover.
    if existing.id == p.user_id && input.password.is_some() {
        return Err(AppError::validation("user.own_password_needs_old"));
    }
    validate_user(m, p, &input, Some(&existing)).await?;
    let now = m.state.clock.now();
    let mut a: user::ActiveModel = kit::new_version(m.tx, "user", existing, now, m.actor()).await?;
    apply_input(&mut a, &input);
    if let Some(pw) = input.password.as_deref() {
        a.password_hash = Set(password::hash_async(password::Pool::Account, pw).await?);
    }
    let u = a.update(&**m.tx).await?;
    if input.password.is_some() {
        tokens::revoke_all_for_user(m.state, &**m.tx, u.id).await?;
    }
    replace_user_links(m, u.id, &input).await?;
    m.link("user", u.id);
    m.publish("user.updated", serde_json::json!({ "userId": u.id }))
        .await?;
    Ok(u)
}

/// `deleteUser(uuids)`: soft-deletes the users and closes their links.
pub async fn delete_users(m: &mut MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<usize> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_USER_DELETE]))?;
    let now = m.state.clock.now();
    let mut n = 0;
    for uuid in uuids {
        let u = lock_user_by_uuid(&**m.tx, *uuid).await?;
        check_may_manage(&**m.tx, p, &u).await?;
        let u = kit::close_version::<user::ActiveModel>(m.tx, "user", u, now, m.actor()).await?;
        for table in [
            "core_user_role",
            "core_user_district",
            "core_officer_village",
        ] {
            m.tx.execute_raw(stmt(
                m.state.db.backend(),
                &format!(
                    "UPDATE {table} SET validity_to = ? WHERE user_id = ? AND validity_to IS NULL"
                ),
                vec![now.into(), u.id.into()],
            ))
            .await?;
        }
        tokens::revoke_all_for_user(m.state, &**m.tx, u.id).await?;
        m.link("user", u.id);
        m.publish("user.deleted", serde_json::json!({ "userId": u.id }))
            .await?;
        n += 1;
    }
    Ok(n)
}

/// `changePassword`: one's own (old password required) or another user's (right 121703).
pub async fn change_password(
    m: &mut MutationCtx<'_>,
    username: Option<&str>,
    old: Option<&str>,
    new: &str,
) -> AppResult<()> {
    let p = require_user(m.principal, Requirement::Authenticated)?;
    let target = match username {
        Some(u) if u != p.username => {
            require_user(m.principal, Requirement::AnyOf(&[RIGHT_USER_EDIT]))?;
            let t = user::Entity::find()
                .filter(user::Column::Username.eq(u))
                .current()
                .lock_exclusive()
                .one(&**m.tx)
                .await?
                .ok_or_else(|| AppError::not_found("user"))?;
            check_may_manage(&**m.tx, p, &t).await?;
            t
        }
        _ => {
            let me = lock_user(&**m.tx, p.user_id).await?;
            if matches!(
                password::verify_async(
                    password::Pool::Account,
                    old.unwrap_or(""),
                    Some(&me.password_hash)
                )
                .await?,
                Verified::No
            ) {
                return Err(AppError::validation("auth.wrong_old_password"));
            }
            me
        }
    };
    password::check_policy(new, &m.state.config.auth)?;
    let now = m.state.clock.now();
    let id = target.id;
    let mut a: user::ActiveModel = kit::new_version(m.tx, "user", target, now, m.actor()).await?;
    a.password_hash = Set(password::hash_async(password::Pool::Account, new).await?);
    a.update(&**m.tx).await?;
    tokens::revoke_all_for_user(m.state, &**m.tx, id).await?;
    m.link("user", id);
    Ok(())
}

/// `changeUserLanguage`: the caller's own language.
pub async fn change_language(m: &mut MutationCtx<'_>, language: &str) -> AppResult<()> {
    let p = require_user(m.principal, Requirement::Authenticated)?;
    if !LANGUAGES.iter().any(|(c, _, _)| *c == language) {
        return Err(AppError::validation("user.language_unknown").with("language", language));
    }
    let me = lock_user(&**m.tx, p.user_id).await?;
    let now = m.state.clock.now();
    crate::history::save(m.tx, "user", me.id, &me, me.validity_from, now, m.actor()).await?;
    let mut a = me.into_active_model();
    a.language = Set(language.to_string());
    a.validity_from = Set(now);
    a.update(&**m.tx).await?;
    m.link("user", p.user_id);
    Ok(())
}
