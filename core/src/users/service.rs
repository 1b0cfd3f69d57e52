//! Users, roles, login and tokens: the business operations behind the GraphQL fields, callable
//! without GraphQL. Each checks its right first (D8) and the location scope where it applies (D9).

use crate::app::AppState;
use crate::auth::password::{self, Verified};
use crate::auth::tokens::{self, Issued};
use crate::auth::{Csrf, Principal, Requirement, Scope, UserKinds, require_user};
use crate::db::stmt;
use crate::entity::{role, role_right, user};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::mutation::MutationCtx;
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::BTreeSet;
use uuid::Uuid;

pub const LANGUAGES: &[(&str, &str, i32)] = &[("en", "English", 1), ("fr", "Français", 2)];

pub const RIGHT_USER_SEARCH: i32 = 121701;
pub const RIGHT_USER_ADD: i32 = 121702;
pub const RIGHT_USER_EDIT: i32 = 121703;
pub const RIGHT_USER_DELETE: i32 = 121704;
pub const RIGHT_ROLE_SEARCH: i32 = 122001;
pub const RIGHT_ROLE_ADD: i32 = 122002;
pub const RIGHT_ROLE_EDIT: i32 = 122003;
pub const RIGHT_ROLE_DELETE: i32 = 122004;
pub const RIGHT_ROLE_DUPLICATE: i32 = 122005;

fn ids_sql(ids: &[i64]) -> String {
    crate::text::ids_sql(ids.iter().copied())
}

async fn id_column(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> AppResult<Vec<i64>> {
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), sql, values))
        .await?;
    rows.iter()
        .map(|r| r.try_get_by_index::<i64>(0).map_err(Into::into))
        .collect()
}

/// Rights of a user through their valid, unblocked roles, and whether one is IMIS Administrator.
pub async fn rights_of(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<(BTreeSet<i32>, bool)> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            "SELECT r.is_system, rr.right_id FROM core_user_role ur JOIN core_role r ON r.id = ur.role_id \
             LEFT JOIN core_role_right rr ON rr.role_id = r.id AND rr.validity_to IS NULL \
             WHERE ur.user_id = ? AND ur.validity_to IS NULL AND r.validity_to IS NULL AND r.is_blocked = ?",
            vec![user_id.into(), false.into()],
        ))
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
    Ok(Scope::restricted(districts, villages, hf))
}

/// The scope of the current user `user_id`, read on `conn` (inside a transaction, say, where
/// an event handler knows only the actor's id); None when the user is gone.
pub async fn scope_of_user(conn: &impl ConnectionTrait, user_id: i64) -> AppResult<Option<Scope>> {
    let Some(u) = user::Entity::find_by_id(user_id)
        .filter(user::Column::ValidityTo.is_null())
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
        .filter(user::Column::ValidityTo.is_null())
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
        .filter(user::Column::ValidityTo.is_null())
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

/// A user's current row by id, locked for the rest of the transaction (PostgreSQL).
pub async fn lock_user(conn: &impl ConnectionTrait, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .filter(user::Column::ValidityTo.is_null())
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("user"))
}

/// A user's current row by id.
pub async fn find_user(conn: &impl ConnectionTrait, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .filter(user::Column::ValidityTo.is_null())
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

fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
}

async fn location_types(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
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

async fn check_locations(
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

async fn validate_user(
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
        .filter(user::Column::ValidityTo.is_null());
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
            .filter(user::Column::ValidityTo.is_null());
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
            .filter(role::Column::ValidityTo.is_null())
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

/// Replaces the valid link rows (roles, districts, villages) of a user, closing the old ones.
async fn replace_links(
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

fn apply_input(a: &mut user::ActiveModel, input: &UserInput) {
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
    replace_links(m, "core_user_role", "role_id", u.id, &input.roles).await?;
    replace_links(
        m,
        "core_user_district",
        "location_id",
        u.id,
        &input.districts,
    )
    .await?;
    replace_links(
        m,
        "core_officer_village",
        "location_id",
        u.id,
        &input.village_ids,
    )
    .await?;
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
async fn same_retried_user(
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
async fn linked_locations(conn: &impl ConnectionTrait, u: &user::Model) -> AppResult<Vec<i64>> {
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
async fn granted_rights_of(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<(BTreeSet<i32>, bool)> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            "SELECT r.is_system, rr.right_id FROM core_user_role ur JOIN core_role r ON r.id = ur.role_id \
             LEFT JOIN core_role_right rr ON rr.role_id = r.id AND rr.validity_to IS NULL \
             WHERE ur.user_id = ? AND ur.validity_to IS NULL AND r.validity_to IS NULL",
            vec![user_id.into()],
        ))
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

/// The rights a role gives; `None` for the IMIS Administrator role (every right).
async fn role_grants(
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
async fn check_may_grant(
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
fn check_rights_held(p: &Principal, rights: Option<&[i32]>) -> AppResult<()> {
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
async fn lock_user_by_uuid(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<user::Model> {
    user::Entity::find()
        .filter(user::Column::Uuid.eq(uuid))
        .filter(user::Column::ValidityTo.is_null())
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
    crate::history::save(
        m.tx,
        "user",
        existing.id,
        &existing,
        existing.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let mut a = existing.clone().into_active_model();
    apply_input(&mut a, &input);
    if let Some(pw) = input.password.as_deref() {
        a.password_hash = Set(password::hash_async(password::Pool::Account, pw).await?);
    }
    a.validity_from = Set(now);
    a.audit_user_id = Set(m.actor());
    let u = a.update(&**m.tx).await?;
    if input.password.is_some() {
        tokens::revoke_all_for_user(m.state, &**m.tx, u.id).await?;
    }
    replace_links(m, "core_user_role", "role_id", u.id, &input.roles).await?;
    replace_links(
        m,
        "core_user_district",
        "location_id",
        u.id,
        &input.districts,
    )
    .await?;
    replace_links(
        m,
        "core_officer_village",
        "location_id",
        u.id,
        &input.village_ids,
    )
    .await?;
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
        crate::history::save(m.tx, "user", u.id, &u, u.validity_from, now, m.actor()).await?;
        let mut a = u.clone().into_active_model();
        a.validity_to = Set(Some(now));
        a.audit_user_id = Set(m.actor());
        a.update(&**m.tx).await?;
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
                .filter(user::Column::ValidityTo.is_null())
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
    crate::history::save(
        m.tx,
        "user",
        target.id,
        &target,
        target.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let mut a = target.clone().into_active_model();
    a.password_hash = Set(password::hash_async(password::Pool::Account, new).await?);
    a.validity_from = Set(now);
    a.audit_user_id = Set(m.actor());
    a.update(&**m.tx).await?;
    tokens::revoke_all_for_user(m.state, &**m.tx, target.id).await?;
    m.link("user", target.id);
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

/// Input of `createRole`/`updateRole`/`duplicateRole`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RoleInput {
    pub uuid: Option<Uuid>,
    pub name: String,
    pub alt_language: Option<String>,
    pub is_system: bool,
    pub is_blocked: bool,
    pub rights: Option<Vec<i32>>,
    pub system_role_id: Option<i64>,
}

async fn validate_role(
    tx: &impl ConnectionTrait,
    input: &RoleInput,
    except: Option<i64>,
) -> AppResult<()> {
    if input.name.trim().is_empty() || input.name.chars().count() > 50 {
        return Err(AppError::invalid("name", "required, at most 50 characters"));
    }
    let mut q = role::Entity::find()
        .filter(role::Column::Name.eq(input.name.trim()))
        .filter(role::Column::ValidityTo.is_null());
    if let Some(id) = except {
        q = q.filter(role::Column::Id.ne(id));
    }
    if q.one(tx).await?.is_some() {
        return Err(AppError::conflict("role.name_taken").with("name", input.name.trim()));
    }
    for r in input.rights.iter().flatten() {
        if !crate::rights::is_known_right(*r) {
            return Err(AppError::validation("role.right_unknown").with("right", r));
        }
    }
    Ok(())
}

async fn set_rights(m: &MutationCtx<'_>, role_id: i64, rights: &[i32]) -> AppResult<()> {
    let tx = &**m.tx;
    let now = m.state.clock.now();
    let current = role_right::Entity::find()
        .filter(role_right::Column::RoleId.eq(role_id))
        .filter(role_right::Column::ValidityTo.is_null())
        .all(tx)
        .await?;
    let wanted: BTreeSet<i32> = rights.iter().copied().collect();
    for rr in &current {
        if !wanted.contains(&rr.right_id) {
            let mut a = rr.clone().into_active_model();
            a.validity_to = Set(Some(now));
            a.update(tx).await?;
        }
    }
    for r in wanted
        .iter()
        .filter(|r| !current.iter().any(|c| c.right_id == **r))
    {
        role_right::ActiveModel {
            role_id: Set(role_id),
            right_id: Set(*r),
            validity_from: Set(now),
            audit_user_id: Set(m.actor()),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

pub async fn create_role(m: &mut MutationCtx<'_>, input: RoleInput) -> AppResult<role::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_ROLE_ADD]))?;
    check_rights_held(p, input.rights.as_deref())?;
    if let Some(uuid) = input.uuid
        && let Some(existing) = role::Entity::find()
            .filter(role::Column::Uuid.eq(uuid))
            .one(&**m.tx)
            .await?
    {
        if existing.name == input.name.trim() {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", uuid));
    }
    insert_custom_role(m, &input).await
}

/// Validates and inserts a custom role with its rights (create and duplicate).
async fn insert_custom_role(m: &mut MutationCtx<'_>, input: &RoleInput) -> AppResult<role::Model> {
    validate_role(&**m.tx, input, None).await?;
    let r = role::ActiveModel {
        uuid: Set(input.uuid.unwrap_or_else(Uuid::now_v7)),
        name: Set(input.name.trim().to_string()),
        alt_language: Set(input.alt_language.clone()),
        // Only seeded roles carry a system flag; a created role is custom.
        is_system: Set(0),
        is_blocked: Set(input.is_blocked),
        validity_from: Set(m.state.clock.now()),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    }
    .insert(&**m.tx)
    .await?;
    set_rights(m, r.id, input.rights.as_deref().unwrap_or_default()).await?;
    m.link("role", r.id);
    Ok(r)
}

/// The current role with this uuid, locked for the rest of the transaction (PostgreSQL).
async fn lock_role_by_uuid(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<role::Model> {
    role::Entity::find()
        .filter(role::Column::Uuid.eq(uuid))
        .filter(role::Column::ValidityTo.is_null())
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("role"))
}

pub async fn find_role_by_uuid(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<role::Model> {
    role::Entity::find()
        .filter(role::Column::Uuid.eq(uuid))
        .filter(role::Column::ValidityTo.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("role"))
}

pub async fn update_role(
    m: &mut MutationCtx<'_>,
    uuid: Option<Uuid>,
    input: RoleInput,
) -> AppResult<role::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_ROLE_EDIT]))?;
    let uuid = uuid.ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let existing = lock_role_by_uuid(&**m.tx, uuid).await?;
    check_may_grant(&**m.tx, p, std::slice::from_ref(&existing)).await?;
    check_rights_held(p, input.rights.as_deref())?;
    // Blocking the IMIS Administrator role would lock every administrator out.
    if input.is_blocked && existing.is_system & crate::auth::IMIS_ADMIN_SYSTEM_FLAG != 0 {
        return Err(AppError::validation("role.admin_role_cannot_be_blocked"));
    }
    validate_role(&**m.tx, &input, Some(existing.id)).await?;
    let now = m.state.clock.now();
    crate::history::save(
        m.tx,
        "role",
        existing.id,
        &existing,
        existing.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let mut a = existing.clone().into_active_model();
    a.name = Set(input.name.trim().to_string());
    a.alt_language = Set(input.alt_language.clone());
    a.is_blocked = Set(input.is_blocked);
    a.validity_from = Set(now);
    a.audit_user_id = Set(m.actor());
    let r = a.update(&**m.tx).await?;
    if let Some(rights) = &input.rights {
        set_rights(m, r.id, rights).await?;
    }
    m.link("role", r.id);
    Ok(r)
}

pub async fn delete_roles(m: &mut MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<usize> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_ROLE_DELETE]))?;
    let now = m.state.clock.now();
    for uuid in uuids {
        let r = lock_role_by_uuid(&**m.tx, *uuid).await?;
        check_may_grant(&**m.tx, p, std::slice::from_ref(&r)).await?;
        if r.is_system != 0 {
            return Err(AppError::validation("role.system_role_read_only"));
        }
        let users = id_column(
            &**m.tx,
            "SELECT user_id FROM core_user_role WHERE role_id = ? AND validity_to IS NULL",
            vec![r.id.into()],
        )
        .await?;
        if !users.is_empty() {
            return Err(AppError::conflict("role.in_use").with("name", &r.name));
        }
        crate::history::save(m.tx, "role", r.id, &r, r.validity_from, now, m.actor()).await?;
        let mut a = r.clone().into_active_model();
        a.validity_to = Set(Some(now));
        a.update(&**m.tx).await?;
        m.tx.execute_raw(stmt(
            m.state.db.backend(),
            "UPDATE core_role_right SET validity_to = ? WHERE role_id = ? AND validity_to IS NULL",
            vec![now.into(), r.id.into()],
        ))
        .await?;
        m.link("role", r.id);
    }
    Ok(uuids.len())
}

/// `duplicateRole`: a new custom role with the source's rights unless others are given.
pub async fn duplicate_role(
    m: &mut MutationCtx<'_>,
    source: Uuid,
    mut input: RoleInput,
) -> AppResult<role::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_ROLE_DUPLICATE]))?;
    let src = find_role_by_uuid(&**m.tx, source).await?;
    // A copy may not give more than the caller holds, nor copy the IMIS Administrator role.
    check_may_grant(&**m.tx, p, std::slice::from_ref(&src)).await?;
    if input.rights.is_none() {
        let rights = role_right::Entity::find()
            .filter(role_right::Column::RoleId.eq(src.id))
            .filter(role_right::Column::ValidityTo.is_null())
            .all(&**m.tx)
            .await?;
        input.rights = Some(rights.into_iter().map(|r| r.right_id).collect());
    }
    input.uuid = None;
    check_rights_held(p, input.rights.as_deref())?;
    // Duplicating needs only 122005, not 122002.
    insert_custom_role(m, &input).await
}

/// Rights of roles, for a page of roles at once.
pub async fn rights_of_roles(
    conn: &impl ConnectionTrait,
    role_ids: &[i64],
) -> AppResult<Vec<role_right::Model>> {
    Ok(role_right::Entity::find()
        .filter(role_right::Column::RoleId.is_in(role_ids.to_vec()))
        .filter(role_right::Column::ValidityTo.is_null())
        .order_by_asc(role_right::Column::RightId)
        .all(conn)
        .await?)
}

/// Roles of users, for a page of users at once: (user id, role).
pub async fn roles_of_users(
    conn: &impl ConnectionTrait,
    user_ids: &[i64],
) -> AppResult<Vec<(i64, role::Model)>> {
    if user_ids.is_empty() {
        return Ok(vec![]);
    }
    let links = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT user_id, role_id FROM core_user_role WHERE validity_to IS NULL AND user_id IN ({})", ids_sql(user_ids)),
        ))
        .await?;
    let pairs: Vec<(i64, i64)> = links
        .iter()
        .map(|r| Ok((r.try_get("", "user_id")?, r.try_get("", "role_id")?)))
        .collect::<AppResult<_>>()?;
    let roles = role::Entity::find()
        .filter(role::Column::Id.is_in(pairs.iter().map(|p| p.1).collect::<Vec<_>>()))
        .all(conn)
        .await?;
    Ok(pairs
        .into_iter()
        .filter_map(|(u, r)| roles.iter().find(|x| x.id == r).map(|x| (u, x.clone())))
        .collect())
}

/// Seeds the 12 system roles with their rights (idempotent).
pub async fn seed_system_roles(conn: &impl ConnectionTrait) -> AppResult<()> {
    let now = Utc::now();
    for sr in crate::rights::SYSTEM_ROLES {
        if role::Entity::find()
            .filter(role::Column::IsSystem.eq(sr.flag))
            .filter(role::Column::ValidityTo.is_null())
            .one(conn)
            .await?
            .is_some()
        {
            continue;
        }
        let r = role::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            name: Set(sr.name.to_string()),
            alt_language: Set(Some(sr.name_fr.to_string())),
            is_system: Set(sr.flag),
            is_blocked: Set(false),
            validity_from: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        for code in sr.right_codes() {
            role_right::ActiveModel {
                role_id: Set(r.id),
                right_id: Set(code),
                validity_from: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?;
        }
    }
    Ok(())
}

/// The role of a system flag.
pub async fn system_role(conn: &impl ConnectionTrait, flag: i64) -> AppResult<role::Model> {
    role::Entity::find()
        .filter(role::Column::IsSystem.eq(flag))
        .filter(role::Column::ValidityTo.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("role"))
}

/// Inserts a user directly (demo seed and CLI), without rights checks.
#[allow(clippy::too_many_arguments)]
pub async fn insert_user_unchecked(
    conn: &impl ConnectionTrait,
    username: &str,
    password_text: &str,
    last_name: &str,
    other_names: &str,
    kinds: UserKinds,
    role_ids: &[i64],
    districts: &[i64],
    villages: &[i64],
    health_facility_id: Option<i64>,
) -> AppResult<user::Model> {
    let now = Utc::now();
    let u = user::ActiveModel {
        uuid: Set(Uuid::now_v7()),
        username: Set(username.into()),
        last_name: Set(last_name.into()),
        other_names: Set(other_names.into()),
        last_name_search: Set(crate::text::fold(last_name)),
        other_names_search: Set(crate::text::fold(other_names)),
        language: Set("fr".into()),
        password_hash: Set(password::hash_async(password::Pool::Account, password_text).await?),
        is_interactive: Set(kinds.interactive),
        is_officer: Set(kinds.officer),
        is_claim_admin: Set(kinds.claim_admin),
        is_technical: Set(kinds.technical),
        health_facility_id: Set(health_facility_id),
        officer_code: Set(kinds.officer.then(|| username.to_string())),
        officer_location_id: Set(if kinds.officer {
            districts.first().copied()
        } else {
            None
        }),
        tokens_valid_after: Set(0),
        validity_from: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for (table, column, ids) in [
        ("core_user_role", "role_id", role_ids),
        (
            "core_user_district",
            "location_id",
            if kinds.interactive { districts } else { &[] },
        ),
        ("core_officer_village", "location_id", villages),
    ] {
        for id in ids {
            conn.execute_raw(stmt(
                conn.get_database_backend(),
                &format!("INSERT INTO {table} (user_id, {column}, validity_from) VALUES (?, ?, ?)"),
                vec![u.id.into(), (*id).into(), now.into()],
            ))
            .await?;
        }
    }
    Ok(u)
}

/// `imis user create`: an interactive user, IMIS Administrator with `--admin`.
pub async fn create_user_cli(
    state: &AppState,
    username: &str,
    password_text: &str,
    admin: bool,
) -> AppResult<()> {
    password::check_policy(password_text, &state.config.auth)?;
    let tx = state.db.begin_write().await?;
    seed_system_roles(&*tx).await?;
    if user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .filter(user::Column::ValidityTo.is_null())
        .one(&*tx)
        .await?
        .is_some()
    {
        return Err(AppError::conflict("user.username_taken").with("username", username));
    }
    let roles = if admin {
        vec![
            system_role(&*tx, crate::auth::IMIS_ADMIN_SYSTEM_FLAG)
                .await?
                .id,
        ]
    } else {
        vec![]
    };
    let kinds = UserKinds {
        interactive: true,
        ..Default::default()
    };
    insert_user_unchecked(
        &*tx,
        username,
        password_text,
        username,
        username,
        kinds,
        &roles,
        &[],
        &[],
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
