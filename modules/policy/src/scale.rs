//! Generated policies for `imis seed scale` (and the demo): every family without a policy gets a
//! yearly history of 1–8 policies of a contributory product ending with its current one, with
//! dates and values computed as enrolment would ([`crate::values`]) and a coverage row per member
//! and policy. Past policies were paid (Active, and Expired once the `policy.expire` job has run);
//! the current ones follow a realistic mix: 70 % Active and paid, 15 % Idle, 10 % Idle and
//! partially paid, 5 % Suspended. Written in multi-row inserts, 500 families per transaction.

use crate::service::{STATUS_ACTIVE, STATUS_EXPIRED, STATUS_IDLE, STATUS_SUSPENDED};

use crate::entity::policy;
use crate::values::{self, Member, Stage, ValueInput};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use imis_core::AppState;
use imis_core::db::stmt;
use imis_core::error::{AppError, AppResult};
use imis_insuree::api::Rng;
use imis_product::api::ProductTerms;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, Query};
use std::collections::HashMap;
use uuid::Uuid;

/// A policy row to insert, with the members it covers.
#[derive(Debug, Clone)]
pub struct NewPolicy {
    pub family_id: i64,
    pub product_id: i64,
    pub officer_id: Option<i64>,
    pub enroll_date: NaiveDate,
    pub start_date: NaiveDate,
    pub effective_date: Option<NaiveDate>,
    pub expiry_date: NaiveDate,
    pub stage: Stage,
    pub status: i32,
    pub value: i64,
    pub paid: i64,
    pub members: Vec<i64>,
}

/// Inserts policies and their coverage rows (multi-row statements); returns how many rows of
/// each were written.
pub async fn insert_policies(
    conn: &impl ConnectionTrait,
    policies: &[NewPolicy],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<(usize, usize)> {
    let backend = conn.get_database_backend();
    let mut coverage = 0;
    for chunk in policies.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO policy_policy (uuid, family_id, product_id, officer_id, enroll_date, start_date, effective_date, expiry_date, stage, status, value, paid, matched, is_offline, creation_date, validity_from) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 16);
        let mut by_uuid: HashMap<Uuid, &NewPolicy> = HashMap::with_capacity(chunk.len());
        for (i, p) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)");
            let uuid = Uuid::now_v7();
            by_uuid.insert(uuid, p);
            values.extend([
                uuid.into(),
                p.family_id.into(),
                p.product_id.into(),
                p.officer_id.into(),
                p.enroll_date.into(),
                p.start_date.into(),
                p.effective_date.into(),
                p.expiry_date.into(),
                p.stage.code().into(),
                p.status.into(),
                p.value.into(),
                p.paid.into(),
                false.into(),
                today.min(p.enroll_date).into(),
                now.into(),
            ]);
        }
        sql.push_str(" RETURNING id, uuid");
        let rows = conn.query_all_raw(stmt(backend, &sql, values)).await?;
        let mut cover_rows: Vec<(i64, &NewPolicy, i64)> = vec![];
        for r in rows {
            let id: i64 = r.try_get("", "id")?;
            let uuid: Uuid = r.try_get("", "uuid")?;
            let p = by_uuid.get(&uuid).ok_or_else(AppError::internal)?;
            cover_rows.extend(p.members.iter().map(|m| (id, *p, *m)));
        }
        coverage += cover_rows.len();
        for c in cover_rows.chunks(500) {
            let mut sql = String::from(
                "INSERT INTO policy_insuree_policy (uuid, insuree_id, policy_id, enrollment_date, start_date, effective_date, expiry_date, is_offline, validity_from) VALUES ",
            );
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(c.len() * 9);
            for (i, (policy_id, p, member)) in c.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
                values.extend([
                    Uuid::now_v7().into(),
                    (*member).into(),
                    (*policy_id).into(),
                    p.enroll_date.into(),
                    p.start_date.into(),
                    p.effective_date.into(),
                    p.expiry_date.into(),
                    false.into(),
                    now.into(),
                ]);
            }
            conn.execute_raw(stmt(backend, &sql, values)).await?;
        }
    }
    Ok((policies.len(), coverage))
}

/// The contributory product scale data sells: the first current product with a contribution.
pub async fn contributory_product(conn: &impl ConnectionTrait) -> AppResult<ProductTerms> {
    imis_product::api::current_products(conn)
        .await?
        .into_iter()
        .find(|p| p.lump_sum > 0 || p.premium_adult.unwrap_or(0) > 0)
        .ok_or_else(|| AppError::not_found("product"))
}

/// An officer working in each district: village → officer id (the first officer of that
/// village), for assigning generated policies.
pub async fn officers_by_village(conn: &impl ConnectionTrait) -> AppResult<HashMap<i64, i64>> {
    // Ordered by officer id descending: the map keeps each village's lowest officer id.
    Ok(imis_core::registers::officer_villages(conn)
        .await?
        .into_iter()
        .collect())
}

/// Members of families, by family (current, active insurees).
pub async fn members_by_family(
    conn: &impl ConnectionTrait,
    family_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Member>>> {
    let members = imis_insuree::api::members_by_family(conn, family_ids, true).await?;
    let out: HashMap<i64, Vec<Member>> = members
        .into_iter()
        .map(|(family, list)| (family, list.iter().map(Member::from).collect()))
        .collect();
    Ok(out)
}

/// A policy of `product` for `members`, enrolled on `enroll`, valued and dated as enrolment
/// would (D12, D13), with the given status and payment.
#[allow(clippy::too_many_arguments)]
pub fn new_policy(
    product: &ProductTerms,
    family_id: i64,
    officer_id: Option<i64>,
    members: &[Member],
    stage: Stage,
    enroll: NaiveDate,
    previous_expiry: Option<NaiveDate>,
    status: i32,
    paid_share: (i64, i64),
    age_of_majority: u32,
) -> NewPolicy {
    let (start, expiry) = values::policy_dates(product, stage, enroll, previous_expiry);
    let v = values::policy_value(
        product,
        &ValueInput {
            stage,
            enroll_date: enroll,
            start_date: start,
            members,
            previous_expiry,
            age_of_majority,
        },
    );
    let effective = matches!(status, STATUS_ACTIVE | STATUS_EXPIRED).then_some(start);
    NewPolicy {
        family_id,
        product_id: product.id,
        officer_id,
        enroll_date: enroll,
        start_date: start,
        effective_date: effective,
        expiry_date: expiry,
        stage,
        status,
        value: v.value,
        paid: v.value * paid_share.0 / paid_share.1.max(1),
        members: v.kept,
    }
}

/// `imis seed scale`: policies for every family that has none; returns (policies, coverage rows).
pub async fn seed_scale(state: &AppState, seed: u64) -> AppResult<(usize, usize)> {
    let conn = &state.db.conn;
    let product = contributory_product(conn).await?;
    let officers = officers_by_village(conn).await?;
    let any_officer = officers.values().next().copied();
    let today = state.clock.today();
    let now = state.clock.now();
    let majority = state.config.core.age_of_majority;
    let mut rng = Rng::new(seed ^ 0x5eed_0001);
    let mut last_family = 0i64;
    let mut written = (0, 0);
    loop {
        // Current families without a current policy, by keyset.
        let without_policy = sea_orm::sea_query::ExprTrait::not(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(policy::Entity)
                .and_where(sea_orm::sea_query::ExprTrait::eq(
                    Expr::col((policy::Entity, policy::Column::FamilyId)),
                    imis_insuree::api::family_id_column(),
                ))
                .and_where(sea_orm::sea_query::ExprTrait::is_null(Expr::col((
                    policy::Entity,
                    policy::Column::ValidityTo,
                ))))
                .to_owned(),
        ));
        let fams: Vec<(i64, i64)> =
            imis_insuree::api::families_page(conn, last_family, 500, Some(without_policy))
                .await?
                .into_iter()
                .map(|f| (f.id, f.location_id))
                .collect();
        if fams.is_empty() {
            break;
        }
        last_family = fams.last().map(|f| f.0).unwrap_or(last_family);
        let ids: Vec<i64> = fams.iter().map(|f| f.0).collect();
        let tx = state.db.begin_write().await?;
        let members = members_by_family(&*tx, &ids).await?;
        let mut batch = vec![];
        for (family, village) in &fams {
            let Some(m) = members.get(family) else {
                continue;
            };
            let officer = officers.get(village).copied().or(any_officer);
            let years = 1 + rng.below(8) as i32;
            let current_enroll = today - chrono::Duration::days(rng.below(330) as i64);
            let mut previous_expiry = None;
            for y in (0..years).rev() {
                let enroll = NaiveDate::from_ymd_opt(
                    current_enroll.year() - y,
                    current_enroll.month(),
                    current_enroll.day().min(28),
                )
                .unwrap_or(current_enroll);
                let stage = if previous_expiry.is_some() {
                    Stage::Renewal
                } else {
                    Stage::New
                };
                let (status, share) = if y > 0 {
                    (STATUS_ACTIVE, (1, 1))
                } else {
                    match rng.below(100) {
                        0..70 => (STATUS_ACTIVE, (1, 1)),
                        70..85 => (STATUS_IDLE, (0, 1)),
                        85..95 => (STATUS_IDLE, (1, 2)),
                        _ => (STATUS_SUSPENDED, (0, 1)),
                    }
                };
                let p = new_policy(
                    &product,
                    *family,
                    officer,
                    m,
                    stage,
                    enroll,
                    previous_expiry,
                    status,
                    share,
                    majority,
                );
                previous_expiry = Some(p.expiry_date);
                batch.push(p);
            }
        }
        let (p, c) = insert_policies(&*tx, &batch, today, now).await?;
        tx.commit().await?;
        written.0 += p;
        written.1 += c;
        if written.0 % 50_000 < p {
            tracing::info!(policies = written.0, "scale data");
        }
    }
    let analyze = if state.db.is_sqlite() {
        "ANALYZE"
    } else {
        "ANALYZE policy_policy; ANALYZE policy_insuree_policy"
    };
    conn.execute_unprepared(analyze).await?;
    Ok(written)
}

/// The descriptor's scale seeder ([`seed_scale`]): one line per kind of row added.
pub(crate) fn scale_seed(
    state: AppState,
    args: imis_core::registry::ScaleArgs,
) -> futures::future::BoxFuture<'static, AppResult<Vec<String>>> {
    Box::pin(async move {
        let (policies, coverage) = seed_scale(&state, args.seed).await?;
        Ok(vec![
            format!("{policies} policies"),
            format!("{coverage} coverage rows"),
        ])
    })
}
