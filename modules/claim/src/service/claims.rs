//! Claim codes and the deletion of entered claims (reference §1.4, rules 2 and 11).

use super::*;
use crate::entity::{claim, detail};
use crate::rights::{RIGHT_CLAIM_DELETE, RIGHT_CLAIM_SEARCH};
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::mutation::MutationCtx;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Whether another current claim (not `except`) already has `code`.
pub(crate) async fn code_taken(
    conn: &impl sea_orm::ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    kit::taken::<claim::Entity>(
        conn,
        claim::Column::Code,
        code.trim(),
        claim::Column::Id,
        except,
    )
    .await
}

/// `validateClaimCode`: whether `code` is free for a new claim (right 111001 or 111002).
pub(crate) async fn validate_claim_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    require(
        principal,
        &[RIGHT_CLAIM_SEARCH, crate::rights::RIGHT_CLAIM_ADD],
    )?;
    Ok(!code_taken(&state.db.conn, code, None).await?)
}

/// The current claim with `uuid` that `p` may reach, under its row lock; `not_found` otherwise
/// (a claim out of scope is not revealed).
pub(crate) async fn lock_claim(
    state: &AppState,
    tx: &DatabaseTransaction,
    p: &Principal,
    uuid: Uuid,
) -> AppResult<claim::Model> {
    let mut q = claim::Entity::find()
        .filter(claim::Column::Uuid.eq(uuid))
        .current();
    if let Some(visible) = visible_facility_ids(state, p).await? {
        q = q.filter(claim::Column::HealthFacilityId.in_subquery(visible));
    }
    q.lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("claim").with("uuid", uuid.to_string()))
}

/// The current claims with these uuids that `p` may reach, by uuid, under their row locks taken
/// in id order (bulk mutations); the others are absent.
pub(crate) async fn lock_claims(
    state: &AppState,
    tx: &DatabaseTransaction,
    p: &Principal,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, claim::Model>> {
    if uuids.is_empty() {
        return Ok(HashMap::new());
    }
    // The ids through the uuid index, then the rows by id in id order: with `uuid IN (…) ORDER
    // BY id` SQLite may walk the whole table in id order rather than sort 500 rows.
    let ids = sea_orm::sea_query::Query::select()
        .column(claim::Column::Id)
        .from(claim::Entity)
        .and_where(claim::Column::Uuid.is_in(uuids.iter().copied()))
        .to_owned();
    let mut q = claim::Entity::find()
        .filter(claim::Column::Id.in_subquery(ids))
        .current();
    if let Some(visible) = visible_facility_ids(state, p).await? {
        q = q.filter(claim::Column::HealthFacilityId.in_subquery(visible));
    }
    Ok(q.order_by_asc(claim::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(|c| (c.uuid, c))
        .collect())
}

/// One claim of `deleteClaims` (right 111004), in its own savepoint (D26): soft-deletes the
/// entered claim `uuid`, its lines and its attachments (whose files stay for the history) and
/// returns its id; a claim in any other status is refused (`claim.not_deletable`), one out of
/// reach is not found.
pub(crate) async fn delete_claim(m: &mut MutationCtx<'_>, uuid: Uuid) -> AppResult<i64> {
    let p = require(m.principal, &[RIGHT_CLAIM_DELETE])?;
    let tx: &DatabaseTransaction = m.tx;
    let now = m.state.clock.now();
    let old = lock_claim(m.state, tx, p, uuid).await?;
    if old.status != STATUS_ENTERED {
        return Err(AppError::domain("claim.not_deletable").with("code", old.code));
    }
    let lines = detail::Entity::find()
        .filter(detail::Column::ClaimId.eq(old.id))
        .current()
        .order_by_asc(detail::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    if !lines.is_empty() {
        // Set-based: the claim's lines are versioned and closed in two statements.
        imis_core::history::save_many(
            tx,
            ENTITY_DETAIL,
            lines.iter().map(|l| (l.id, l, l.validity_from)),
            now,
            m.actor(),
        )
        .await?;
        detail::Entity::update_many()
            .col_expr(detail::Column::ValidityTo, Expr::value(Some(now)))
            .col_expr(detail::Column::AuditUserId, Expr::value(m.actor()))
            .filter(detail::Column::Id.is_in(lines.iter().map(|l| l.id)))
            .exec(tx)
            .await?;
    }
    super::attachments::close_claim_attachments(m, old.id).await?;
    let closed =
        kit::close_version::<claim::ActiveModel>(tx, ENTITY_CLAIM, old, now, m.actor()).await?;
    m.link(ENTITY_CLAIM, closed.id);
    Ok(closed.id)
}
