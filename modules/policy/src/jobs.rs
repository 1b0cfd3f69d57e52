//! Daily jobs of the policy module, run by the in-process scheduler and by
//! `imis jobs run <name>`; running one twice the same day does no harm.
//!
//! - `policy.expire` (D17): every valid policy with status Idle, Active, Suspended or Ready whose
//!   expiry date is before today becomes Expired, with one history row each, set-based.
//! - `policy.renewal_reminders` (reference §7.9, legacy semantics): a reminder for each Active or
//!   Expired policy expiring within the renewal interval that has neither a reminder nor a
//!   renewal, with the new product (end of the conversion chain), the new officer (end of the
//!   substitution chain) and the members whose photo is due.

use crate::entity::{renewal, renewal_detail};
use crate::service::{self, STATUS_ACTIVE, STATUS_EXPIRED};
use chrono::NaiveDate;
use imis_core::AppState;
use imis_core::db::stmt;
use imis_core::error::AppResult;
use imis_core::kit::insert_version;
use imis_core::registry::JobDef;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, Set};
use uuid::Uuid;

pub const JOBS: &[JobDef] = &[
    JobDef {
        name: "policy.expire",
        daily_at_hour: 0,
        run: |state| {
            Box::pin(async move {
                let n = expire_policies(&state, state.clock.today()).await?;
                Ok(format!("{n} policies expired"))
            })
        },
    },
    JobDef {
        name: "policy.renewal_reminders",
        daily_at_hour: 1,
        run: |state| {
            Box::pin(async move {
                let n = insert_renewal_reminders(&state, state.clock.today()).await?;
                Ok(format!("{n} renewal reminders created"))
            })
        },
    },
];

/// The JSON of a policy row as its entity model serialises, built by the database (so that the
/// history of a million policies is written in one statement).
fn policy_json_sql(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "json_build_object('id', id, 'uuid', uuid, 'family_id', family_id, 'product_id', product_id, \
             'officer_id', officer_id, 'enroll_date', enroll_date, 'start_date', start_date, \
             'effective_date', effective_date, 'expiry_date', expiry_date, 'stage', stage, 'status', status, \
             'previous_policy_id', previous_policy_id, 'value', value, 'paid', paid, 'matched', matched, \
             'is_offline', is_offline, 'contribution_plan_uuid', contribution_plan_uuid, \
             'creation_date', creation_date, 'json_ext', json_ext, 'validity_from', validity_from, \
             'validity_to', validity_to, 'audit_user_id', audit_user_id)::text"
        }
        _ => {
            "json_object('id', id, 'uuid', lower(hex(uuid)), 'family_id', family_id, 'product_id', product_id, \
             'officer_id', officer_id, 'enroll_date', enroll_date, 'start_date', start_date, \
             'effective_date', effective_date, 'expiry_date', expiry_date, 'stage', stage, 'status', status, \
             'previous_policy_id', previous_policy_id, 'value', value, 'paid', paid, 'matched', matched, \
             'is_offline', json(CASE WHEN is_offline THEN 'true' ELSE 'false' END), \
             'contribution_plan_uuid', CASE WHEN contribution_plan_uuid IS NULL THEN NULL ELSE lower(hex(contribution_plan_uuid)) END, \
             'creation_date', creation_date, 'json_ext', json_ext, 'validity_from', validity_from, \
             'validity_to', validity_to, 'audit_user_id', audit_user_id)"
        }
    }
}

/// The versions [`EXPIRABLE`] selects, as the kernel's set-based history insert reads them.
fn expirable_versions(backend: DbBackend, today: NaiveDate) -> SelectStatement {
    use crate::entity::policy;
    Query::select()
        .expr_as(Expr::col(policy::Column::Id), Alias::new("entity_id"))
        .expr_as(Expr::cust(policy_json_sql(backend)), Alias::new("data"))
        .expr_as(
            Expr::col(policy::Column::ValidityFrom),
            Alias::new("validity_from"),
        )
        .expr_as(
            Expr::col(policy::Column::AuditUserId),
            Alias::new("audit_user_id"),
        )
        .from(policy::Entity)
        .and_where(Expr::col(policy::Column::ValidityTo).is_null())
        .and_where(Expr::col(policy::Column::Status).is_in([1, 2, 4, 16]))
        .and_where(Expr::col(policy::Column::ExpiryDate).lt(today))
        .to_owned()
}

/// Policies the expiry job expires (the same rule as [`expirable_versions`]).
const EXPIRABLE: &str = "validity_to IS NULL AND status IN (1, 2, 4, 16) AND expiry_date < ?";

/// D17: expires every policy whose expiry date is before `today`; returns how many.
pub async fn expire_policies(state: &AppState, today: NaiveDate) -> AppResult<u64> {
    let backend = state.db.backend();
    let now = state.clock.now();
    let tx = state.db.begin_write().await?;
    // The history insert and the update are two statements: on PostgreSQL the rows are locked
    // first (in id order, like every policy writer), so an updatePolicy committing between them
    // cannot lose or duplicate a version; SQLite writers are serialised already. Their ids name
    // the policies in the `policy.expired` events.
    let lock = if backend == sea_orm::DbBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let expiring: Vec<i64> = tx
        .query_all_raw(stmt(
            backend,
            &format!("SELECT id FROM policy_policy WHERE {EXPIRABLE} ORDER BY id{lock}"),
            vec![today.into()],
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    if expiring.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    imis_core::history::save_selected(
        &tx,
        service::HISTORY_POLICY,
        expirable_versions(backend, today),
        now,
    )
    .await?;
    let n = tx
        .execute_raw(stmt(
            backend,
            &format!(
                "UPDATE policy_policy SET status = {STATUS_EXPIRED}, validity_from = ?, audit_user_id = NULL WHERE {EXPIRABLE}"
            ),
            vec![now.into(), today.into()],
        ))
        .await?
        .rows_affected();
    crate::events::publish_expired(state, &tx, &expiring, today).await?;
    tx.commit().await?;
    Ok(n)
}

/// The officer who takes a renewal on `date`: the policy's officer, or the end of the
/// substitution chain while the officer no longer works on that date (loop-protected).
async fn renewal_officer(
    conn: &impl ConnectionTrait,
    officer_id: Option<i64>,
    date: NaiveDate,
) -> AppResult<Option<imis_core::registers::Officer>> {
    let mut seen = std::collections::HashSet::new();
    let mut current = officer_id;
    let mut last = None;
    while let Some(id) = current {
        if !seen.insert(id) {
            break;
        }
        let Some(o) = imis_core::registers::officers_by_ids_any_validity(conn, &[id])
            .await?
            .remove(&id)
        else {
            break;
        };
        let working = o.works_to.is_none_or(|w| w >= date) && o.validity_to.is_none();
        current = if working {
            None
        } else {
            o.substitution_officer_id
        };
        last = Some(o);
    }
    Ok(last)
}

/// Reference §7.9: inserts the missing renewal reminders; returns how many.
pub async fn insert_renewal_reminders(state: &AppState, today: NaiveDate) -> AppResult<u64> {
    let cfg = service::config(state);
    let backend = state.db.backend();
    let conn = &state.db.conn;
    let mut sql = format!(
        "SELECT p.id FROM policy_policy p WHERE p.validity_to IS NULL AND p.status IN ({STATUS_ACTIVE}, {STATUS_EXPIRED}) \
         AND NOT EXISTS (SELECT 1 FROM policy_renewal r WHERE r.policy_id = p.id AND r.validity_to IS NULL) \
         AND NOT EXISTS (SELECT 1 FROM policy_policy n WHERE n.family_id = p.family_id AND n.validity_to IS NULL \
             AND n.id <> p.id AND n.start_date > p.expiry_date AND (n.product_id = p.product_id OR n.previous_policy_id = p.id))"
    );
    let mut values: Vec<sea_orm::Value> = vec![];
    if cfg.renewal_interval_days > 0 {
        sql.push_str(" AND p.expiry_date <= ?");
        values.push((today + chrono::Duration::days(i64::from(cfg.renewal_interval_days))).into());
    }
    sql.push_str(" ORDER BY p.id");
    let ids: Vec<i64> = conn
        .query_all_raw(stmt(backend, &sql, values))
        .await?
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    let mut created = 0;
    for chunk in ids.chunks(500) {
        let tx = state.db.begin_write().await?;
        let policies = service::policies_by_ids(&*tx, chunk).await?;
        for id in chunk {
            let Some(pol) = policies.get(id) else {
                continue;
            };
            let renewal_date = pol.expiry_date.succ_opt().unwrap_or(pol.expiry_date);
            let new_product_id = service::final_conversion(&*tx, pol.product_id).await?;
            let mut warnings = 0;
            let sellable = imis_product::api::product_in_force(
                &*tx,
                &state.clock,
                new_product_id,
                renewal_date,
            )
            .await?
            .is_some_and(|v| {
                v.product.date_from <= renewal_date && renewal_date <= v.product.date_to
            });
            if !sellable {
                warnings |= 1;
            }
            let officer = renewal_officer(&*tx, pol.officer_id, renewal_date).await?;
            match &officer {
                None => warnings |= 2,
                Some(o) if o.works_to.is_some_and(|w| w < renewal_date) => warnings |= 4,
                Some(_) => {}
            }
            let Some(fam) = imis_insuree::api::find_family_by_id(&*tx, pol.family_id).await? else {
                continue;
            };
            let now = state.clock.now();
            let r = insert_version(
                &*tx,
                renewal::ActiveModel {
                    uuid: Set(Uuid::now_v7()),
                    renewal_prompt_date: Set(today),
                    renewal_date: Set(renewal_date),
                    new_officer_id: Set(officer.as_ref().map(|o| o.id)),
                    phone_number: Set(officer.as_ref().and_then(|o| o.phone.clone())),
                    sms_status: Set(0),
                    insuree_id: Set(fam.head_insuree_id),
                    policy_id: Set(pol.id),
                    new_product_id: Set(new_product_id),
                    renewal_warnings: Set(warnings),
                    response_status: Set(None),
                    response_date: Set(None),
                    ..Default::default()
                },
                now,
                None,
            )
            .await?;
            for m in imis_insuree::api::members_of(&*tx, fam.id).await? {
                let adult =
                    crate::values::is_adult(m.dob, today, state.config.core.age_of_majority);
                let months = if adult {
                    cfg.renewal_photo_age_adult
                } else {
                    cfg.renewal_photo_age_child
                };
                let due = m
                    .photo_date
                    .is_none_or(|d| imis_core::dates::add_months(d, months as i32) < today);
                if due {
                    renewal_detail::ActiveModel {
                        renewal_id: Set(r.id),
                        insuree_id: Set(m.id),
                        validity_from: Set(now),
                        validity_to: Set(None),
                        ..Default::default()
                    }
                    .insert(&*tx)
                    .await?;
                }
            }
            created += 1;
        }
        tx.commit().await?;
    }
    Ok(created)
}
