//! Reads of current (and locked) families and insurees, for the module and its `api`.

use super::*;

pub async fn find_family(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<family::Model> {
    family::Entity::find()
        .filter(family::Column::Uuid.eq(uuid))
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("family"))
}

/// The current family whose `column` is `value`, read under a row lock held until the
/// transaction ends. Every read-modify-write of a versioned row reads it with `LockType::Update`,
/// so that concurrent writers queue and each one saves the version the previous one wrote (D7);
/// a family an insuree joins or leaves is read with `LockType::Share`, so that it cannot change
/// or be deleted meanwhile. `FOR UPDATE`/`FOR SHARE` on PostgreSQL; SQLite writers are already
/// serialised by `Db::begin_write`.
pub(crate) async fn locked_family(
    tx: &DatabaseTransaction,
    column: family::Column,
    value: impl Into<sea_orm::Value>,
    lock: LockType,
) -> AppResult<family::Model> {
    family::Entity::find()
        .filter(column.eq(value.into()))
        .current()
        .lock(lock)
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("family"))
}

pub(crate) async fn lock_family(tx: &DatabaseTransaction, uuid: Uuid) -> AppResult<family::Model> {
    locked_family(tx, family::Column::Uuid, uuid, LockType::Update).await
}

/// The current insuree with this uuid, locked until the transaction ends (see [`locked_family`]).
pub(crate) async fn lock_insuree(
    tx: &DatabaseTransaction,
    uuid: Uuid,
) -> AppResult<insuree::Model> {
    insuree::Entity::find()
        .filter(insuree::Column::Uuid.eq(uuid))
        .current()
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("insuree"))
}

/// The current insuree with this id, locked until the transaction ends.
pub(crate) async fn lock_insuree_by_id(
    tx: &DatabaseTransaction,
    id: i64,
) -> AppResult<Option<insuree::Model>> {
    Ok(insuree::Entity::find_by_id(id)
        .current()
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// Current members of a family, head first then by date of birth.
pub async fn members_of(
    conn: &impl ConnectionTrait,
    family_id: i64,
) -> AppResult<Vec<insuree::Model>> {
    Ok(insuree::Entity::find()
        .filter(insuree::Column::FamilyId.eq(family_id))
        .current()
        .order_by_desc(insuree::Column::Head)
        .order_by_asc(insuree::Column::Dob)
        .order_by_asc(insuree::Column::Id)
        .all(conn)
        .await?)
}

/// The current insuree with this insurance number.
pub async fn find_by_chf_id(
    conn: &impl ConnectionTrait,
    chf_id: &str,
) -> AppResult<Option<insuree::Model>> {
    Ok(insuree::Entity::find()
        .filter(insuree::Column::ChfId.eq(chf_id.trim()))
        .current()
        .one(conn)
        .await?)
}

/// The current family with this id.
pub async fn find_family_by_id(
    conn: &impl ConnectionTrait,
    id: i64,
) -> AppResult<Option<family::Model>> {
    Ok(family::Entity::find_by_id(id).current().one(conn).await?)
}

/// Families by id, whatever their validity (for nested GraphQL fields and scope checks).
pub async fn families_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, family::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(family::Entity::find()
        .filter(family::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect())
}

/// Insurees by id, whatever their validity.
pub async fn insurees_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, insuree::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for i in insuree::Entity::find()
            .filter(insuree::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(i.id, i);
        }
    }
    Ok(out)
}
