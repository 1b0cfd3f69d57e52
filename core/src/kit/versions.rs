//! Versions of a row (D7): the current row stays in its table with `validity_to` null; replacing
//! it first saves the old version to history. These helpers make "save to history, then update"
//! and "save to history, then close" one call, and name the current-row condition.

use crate::error::{AppError, AppResult};
use crate::history::{self, Versioned};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    DeleteMany, EntityName, EntityTrait, IntoActiveModel, QueryFilter, Select, UpdateMany, Value,
};
use std::str::FromStr;

/// `validity_to IS NULL` on `E`'s table: the current version of each row, for joins and
/// conditions built by hand.
pub fn current<E: EntityTrait>() -> SimpleExpr {
    Expr::col((
        Alias::new(E::default().table_name()),
        Alias::new("validity_to"),
    ))
    .is_null()
}

/// Restricts a query to current rows (`validity_to IS NULL`).
pub trait CurrentRows: Sized {
    fn current(self) -> Self;
}

impl<E: EntityTrait> CurrentRows for Select<E> {
    fn current(self) -> Self {
        self.filter(current::<E>())
    }
}

impl<E: EntityTrait> CurrentRows for UpdateMany<E> {
    fn current(self) -> Self {
        self.filter(current::<E>())
    }
}

impl<E: EntityTrait> CurrentRows for DeleteMany<E> {
    fn current(self) -> Self {
        self.filter(current::<E>())
    }
}

/// Whether a current row of `E` other than the row `except` (its id, in `id_column`) holds
/// `value` in `column`: the uniqueness check of codes and names, which only current rows take.
pub async fn taken<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    column: E::Column,
    value: impl Into<Value>,
    id_column: E::Column,
    except: Option<i64>,
) -> AppResult<bool> {
    let mut q = E::find().filter(column.eq(value)).current();
    if let Some(id) = except {
        q = q.filter(id_column.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

fn set<A: ActiveModelTrait>(am: &mut A, column: &str, value: Value) -> AppResult<()> {
    let col = <<A::Entity as EntityTrait>::Column as FromStr>::from_str(column).map_err(|_| {
        tracing::error!(
            table = A::Entity::default().table_name(),
            column,
            "a versioned table lacks a version column"
        );
        AppError::internal()
    })?;
    am.set(col, value);
    Ok(())
}

/// Inserts `am` as the first version of a row: valid from `now`, open-ended, by `actor`. The
/// caller sets the table's own columns and leaves the version columns unset.
pub async fn insert_version<A>(
    tx: &DatabaseTransaction,
    mut am: A,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    set(&mut am, "validity_from", now.into())?;
    set(&mut am, "validity_to", Option::<DateTime<Utc>>::None.into())?;
    set(&mut am, "audit_user_id", actor.into())?;
    Ok(am.insert(tx).await?)
}

/// Saves `old` to history as the version valid until `now`, and returns it as an active model
/// changed by `actor`: what [`new_version`] and [`close_version`] both start with.
async fn archived<A>(
    tx: &DatabaseTransaction,
    entity: &str,
    old: <A::Entity as EntityTrait>::Model,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<A>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: Versioned + IntoActiveModel<A>,
{
    history::save(tx, entity, old.id(), &old, old.validity_from(), now, actor).await?;
    let mut am = old.into_active_model();
    set(&mut am, "audit_user_id", actor.into())?;
    Ok(am)
}

/// History-then-update: saves `old` to history as the version valid until `now`, and returns it
/// as an active model starting the next version at `now` by `actor`. The caller sets the changed
/// columns and calls `update`.
pub async fn new_version<A>(
    tx: &DatabaseTransaction,
    entity: &str,
    old: <A::Entity as EntityTrait>::Model,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<A>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: Versioned + IntoActiveModel<A>,
{
    let mut am: A = archived(tx, entity, old, now, actor).await?;
    set(&mut am, "validity_from", now.into())?;
    Ok(am)
}

/// Soft delete: saves `old` to history and closes its row at `now` (`validity_to`), by `actor`.
pub async fn close_version<A>(
    tx: &DatabaseTransaction,
    entity: &str,
    old: <A::Entity as EntityTrait>::Model,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: Versioned + IntoActiveModel<A>,
{
    let mut am: A = archived(tx, entity, old, now, actor).await?;
    set(&mut am, "validity_to", Some(now).into())?;
    Ok(am.update(tx).await?)
}

/// Most bound values in one statement of [`new_versions`]: under SQLite's limit (32,766) and
/// PostgreSQL's (65,535).
const MAX_VALUES_PER_STATEMENT: usize = 30_000;

/// History-then-update for many rows of one table in a few statements, what [`new_version`]
/// does for one: each `(old, new)` pair saves `old` to history as the version valid until `now`
/// and gives the current row `new`'s values in `columns`, with `validity_from` = `now` and
/// `audit_user_id` = `actor`. Bulk work (a day of claims) would otherwise cost two round trips
/// per row; here the history is one multi-row INSERT and the rows one multi-row UPDATE per
/// 30,000 values (`WITH v AS (VALUES …) UPDATE … FROM v`, PostgreSQL and SQLite ≥ 3.33).
/// The caller holds the rows' locks.
pub async fn new_versions<E>(
    tx: &DatabaseTransaction,
    entity: &str,
    columns: &[E::Column],
    rows: &[(E::Model, E::Model)],
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()>
where
    E: EntityTrait,
    E::Model: Versioned + sea_orm::ModelTrait<Entity = E>,
{
    use sea_orm::{IdenStatic, ModelTrait};
    if rows.is_empty() {
        return Ok(());
    }
    crate::history::save_many(
        tx,
        entity,
        rows.iter()
            .map(|(old, _)| (old.id(), old, old.validity_from())),
        now,
        actor,
    )
    .await?;
    // The column names come from the entity, never from input.
    let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
    for version_column in ["validity_from", "audit_user_id"] {
        if names.contains(&version_column) {
            tracing::error!(column = version_column, "new_versions sets it itself");
            return Err(AppError::internal());
        }
    }
    let table = E::default().table_name().to_string();
    let per_row = names.len() + 3;
    let set: Vec<String> = names
        .iter()
        .chain(&["validity_from", "audit_user_id"])
        .map(|n| format!("{n} = v.{n}"))
        .collect();
    let header = format!(
        "WITH v (id, {}, validity_from, audit_user_id) AS (VALUES ",
        names.join(", ")
    );
    let tail = format!(
        ") UPDATE {table} SET {} FROM v WHERE {table}.id = v.id",
        set.join(", ")
    );
    let row_sql = format!("({})", vec!["?"; per_row].join(", "));
    for chunk in rows.chunks((MAX_VALUES_PER_STATEMENT / per_row).max(1)) {
        let mut sql = header.clone();
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * per_row);
        for (i, (old, new)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&row_sql);
            values.push(old.id().into());
            values.extend(columns.iter().map(|c| new.get(*c)));
            values.push(now.into());
            values.push(actor.into());
        }
        sql.push_str(&tail);
        tx.execute_raw(crate::db::stmt(tx.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}
