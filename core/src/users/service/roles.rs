//! Roles and their rights: create, update, delete, duplicate, reads and the system roles.

use super::*;
use crate::kit::{self, CurrentRows};

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

pub(super) async fn validate_role(
    tx: &impl ConnectionTrait,
    input: &RoleInput,
    except: Option<i64>,
) -> AppResult<()> {
    if input.name.trim().is_empty() || input.name.chars().count() > 50 {
        return Err(AppError::invalid("name", "required, at most 50 characters"));
    }
    let mut q = role::Entity::find()
        .filter(role::Column::Name.eq(input.name.trim()))
        .current();
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

pub(super) async fn set_rights(m: &MutationCtx<'_>, role_id: i64, rights: &[i32]) -> AppResult<()> {
    let tx = &**m.tx;
    let now = m.state.clock.now();
    let current = role_right::Entity::find()
        .filter(role_right::Column::RoleId.eq(role_id))
        .current()
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
pub(super) async fn insert_custom_role(
    m: &mut MutationCtx<'_>,
    input: &RoleInput,
) -> AppResult<role::Model> {
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
pub(super) async fn lock_role_by_uuid(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<role::Model> {
    role::Entity::find()
        .filter(role::Column::Uuid.eq(uuid))
        .current()
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("role"))
}

pub async fn find_role_by_uuid(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<role::Model> {
    role::Entity::find()
        .filter(role::Column::Uuid.eq(uuid))
        .current()
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
    let mut a: role::ActiveModel = kit::new_version(m.tx, "role", existing, now, m.actor()).await?;
    a.name = Set(input.name.trim().to_string());
    a.alt_language = Set(input.alt_language.clone());
    a.is_blocked = Set(input.is_blocked);
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
            .current()
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
        .current()
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
            .current()
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
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("role"))
}
