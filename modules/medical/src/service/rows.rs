//! Row reads and writes that items, services, diagnoses and price lists all need: rows by a set
//! of keys, the current row to change under its lock, the current rows named by uuids under
//! their locks, and the soft delete of rows named by uuids.

use super::*;
use imis_core::mutation::MutationCtx;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashSet;
use std::hash::Hash;
use uuid::Uuid;

/// The rows of `E` whose `column` holds one of `keys` (current ones only when `current_only`);
/// no query at all when `keys` is empty.
pub(crate) async fn rows_in<E, V>(
    conn: &impl ConnectionTrait,
    column: E::Column,
    keys: impl IntoIterator<Item = V>,
    current_only: bool,
) -> AppResult<Vec<E::Model>>
where
    E: EntityTrait,
    V: Into<sea_orm::Value> + Eq + Hash,
{
    let wanted: HashSet<V> = keys.into_iter().collect();
    if wanted.is_empty() {
        return Ok(vec![]);
    }
    let mut q = E::find().filter(column.is_in(wanted));
    if current_only {
        q = q.current();
    }
    Ok(q.all(conn).await?)
}

/// The current row to change, named by `uuid` or else by `id` (`input.invalid` on `uuid` when
/// neither is given), read under its row lock: a concurrent change of the same row waits for
/// this transaction, then reads what it wrote (D7: one history row per version).
pub(crate) async fn lock_target<E: EntityTrait>(
    tx: &DatabaseTransaction,
    [uuid_col, id_col]: [E::Column; 2],
    uuid: Option<Uuid>,
    id: Option<i64>,
    what: &str,
) -> AppResult<E::Model> {
    let q = match (uuid, id) {
        (Some(u), _) => E::find().filter(uuid_col.eq(u)),
        (None, Some(id)) => E::find().filter(id_col.eq(id)),
        (None, None) => return Err(AppError::invalid("uuid", "required")),
    };
    q.current()
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found(what))
}

/// The current rows with these uuids, each read under its row lock (`FOR UPDATE` on PostgreSQL;
/// SQLite writers are serialised by `Db::begin_write`), locked in id order so that two
/// multi-row writes never wait for each other in a cycle. Absent uuids are left out.
pub(crate) async fn lock_current_by_uuid<E: EntityTrait>(
    tx: &DatabaseTransaction,
    uuids: &[Uuid],
    [uuid_col, id_col]: [E::Column; 2],
    uuid_of: impl Fn(&E::Model) -> Uuid,
) -> AppResult<HashMap<Uuid, E::Model>> {
    if uuids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::find()
        .filter(uuid_col.is_in(uuids.iter().copied()))
        .current()
        .order_by_asc(id_col)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(|m| (uuid_of(&m), m))
        .collect())
}

/// A create naming a `uuid` a row already has (D4): that row when it is current and `same` finds
/// it equal to the request (the create is answered with it), `conflict.uuid_exists` otherwise;
/// `None` when no `uuid` is given or no row has it.
pub(crate) async fn replayed<E: EntityTrait>(
    tx: &DatabaseTransaction,
    uuid_col: E::Column,
    uuid: Option<Uuid>,
    same: impl AsyncFnOnce(&E::Model) -> AppResult<bool>,
) -> AppResult<Option<E::Model>>
where
    E::Model: Versioned,
{
    let Some(u) = uuid else { return Ok(None) };
    let Some(existing) = E::find().filter(uuid_col.eq(u)).one(tx).await? else {
        return Ok(None);
    };
    if existing.validity_to().is_none() && same(&existing).await? {
        return Ok(Some(existing));
    }
    Err(AppError::conflict("conflict.uuid_exists").with("uuid", u))
}

/// What [`close_each`] does after closing one row, in the same transaction.
pub(crate) type AfterClose<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = AppResult<()>> + Send + 'a>>;

/// Soft-deletes the current rows with these uuids, in the order given (`not_found(what)` for an
/// unknown or deleted one): each is saved to history and closed, then `then(id, now)` runs for
/// it in the transaction (closing what references it, publishing its event). The instant is
/// taken after all the locks, so the versions closed here end after any a concurrent writer
/// made.
pub(crate) async fn close_each<'a, A>(
    m: &'a MutationCtx<'_>,
    entity: &str,
    what: &str,
    uuids: &[Uuid],
    columns: [<A::Entity as EntityTrait>::Column; 2],
    uuid_of: impl Fn(&<A::Entity as EntityTrait>::Model) -> Uuid,
    then: impl Fn(i64, DateTime<Utc>) -> AfterClose<'a>,
) -> AppResult<Vec<i64>>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: Versioned + IntoActiveModel<A>,
{
    let tx: &DatabaseTransaction = m.tx;
    let mut locked = lock_current_by_uuid::<A::Entity>(tx, uuids, columns, uuid_of).await?;
    let now = m.state.clock.now();
    let mut out = Vec::with_capacity(uuids.len());
    for u in uuids {
        let old = locked.remove(u).ok_or_else(|| AppError::not_found(what))?;
        let id = old.id();
        close_version::<A>(tx, entity, old, now, m.actor()).await?;
        then(id, now).await?;
        out.push(id);
    }
    Ok(out)
}
