//! Generated claims for `imis seed scale` and the benchmark: a year of claims history on top of
//! the generated insurees (about one claim per four insurees per month, 1–6 lines each, at a
//! random facility, dated over the last 365 days) with a realistic outcome mix — 85 % Valuated
//! (a few lines rejected for price list, frequency or provisions), 3 % Processed, 12 % Rejected
//! (every line rejected: no cover, waiting period, insuree invalid, frequency). The history is
//! written directly in multi-row inserts, 500 families per transaction, without the product
//! and policy assignment of each line (no benchmark reads it) and without the policy module's
//! usage facts. [`insert_claims`] also writes the Entered claims the benchmark submits.

use crate::service::{STATUS_ENTERED, STATUS_PROCESSED, STATUS_REJECTED, STATUS_VALUATED};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use imis_core::db::stmt;
use imis_core::{AppError, AppResult, AppState};
use imis_insuree::api::Rng;
use imis_medical::api::MedicalKind;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

/// A claim line to insert: quantity in hundredths, price in minor units.
#[derive(Debug, Clone)]
pub(crate) struct NewLine {
    pub kind: &'static str,
    pub medical_id: i64,
    pub qty: i64,
    pub price: i64,
    pub status: i32,
    pub rejection_reason: Option<i32>,
}

/// A claim to insert, with its lines.
#[derive(Debug, Clone)]
pub(crate) struct NewClaim {
    pub insuree_id: i64,
    pub health_facility_id: i64,
    pub icd_id: i64,
    pub date_from: NaiveDate,
    pub date_claimed: NaiveDate,
    pub status: i32,
    pub lines: Vec<NewLine>,
}

/// What generated claims are made of: facilities, diagnoses, items and services with prices.
pub(crate) struct Ingredients {
    facilities: Vec<i64>,
    diagnoses: Vec<i64>,
    medical: Vec<(&'static str, i64, i64)>,
}

impl Ingredients {
    pub(crate) async fn load(conn: &impl ConnectionTrait) -> AppResult<Self> {
        let mut medical = vec![];
        for (kind, code) in [(MedicalKind::Item, "I"), (MedicalKind::Service, "S")] {
            medical.extend(
                imis_medical::api::current_register_prices(conn, kind)
                    .await?
                    .into_iter()
                    .map(|(id, price)| (code, id, price)),
            );
        }
        let facilities = imis_core::registers::health_facility_ids(conn).await?;
        let diagnoses = imis_medical::api::current_diagnosis_ids(conn).await?;
        if facilities.is_empty() || diagnoses.is_empty() || medical.is_empty() {
            return Err(AppError::not_found("claim ingredients"));
        }
        Ok(Ingredients {
            facilities,
            diagnoses,
            medical,
        })
    }

    /// An Entered claim of `lines` lines for `insuree_id`, dated `date`.
    pub(crate) fn entered(
        &self,
        rng: &mut Rng,
        insuree_id: i64,
        date: NaiveDate,
        lines: usize,
    ) -> NewClaim {
        NewClaim {
            insuree_id,
            health_facility_id: pick(rng, &self.facilities),
            icd_id: pick(rng, &self.diagnoses),
            date_from: date,
            date_claimed: date,
            status: STATUS_ENTERED,
            lines: (0..lines)
                .map(|_| {
                    let (kind, medical_id, price) = pick(rng, &self.medical);
                    NewLine {
                        kind,
                        medical_id,
                        qty: 100 * (1 + rng.below(3) as i64),
                        price,
                        status: 1,
                        rejection_reason: None,
                    }
                })
                .collect(),
        }
    }

    /// A claim of the history, with its outcome.
    fn historical(&self, rng: &mut Rng, insuree_id: i64, today: NaiveDate) -> NewClaim {
        let date = today - Duration::days(1 + rng.below(365) as i64);
        let lines = 1 + rng.below(6) as usize;
        let mut c = self.entered(rng, insuree_id, date, lines);
        match rng.below(100) {
            0..85 => {
                c.status = STATUS_VALUATED;
                for l in &mut c.lines {
                    if rng.below(100) < 6 {
                        l.status = 2;
                        l.rejection_reason = Some([2, 5, 16][rng.below(3) as usize]);
                    } else {
                        l.rejection_reason = Some(0);
                    }
                }
            }
            85..88 => {
                c.status = STATUS_PROCESSED;
                for l in &mut c.lines {
                    l.rejection_reason = Some(0);
                }
            }
            _ => {
                c.status = STATUS_REJECTED;
                let reason = [3, 17, 7, 5][rng.below(4) as usize];
                for l in &mut c.lines {
                    l.status = 2;
                    l.rejection_reason = Some(reason);
                }
            }
        }
        c
    }
}

fn pick<T: Copy>(rng: &mut Rng, list: &[T]) -> T {
    list[rng.below(list.len() as u64) as usize]
}

/// Inserts claims and their lines in multi-row statements; returns each claim's (id, uuid) in
/// the order given. Amounts follow the status: claimed = Σ qty × price; a Processed or
/// Valuated claim is approved and valued at the total of its passed lines.
pub(crate) async fn insert_claims(
    conn: &impl ConnectionTrait,
    claims: &[NewClaim],
    now: DateTime<Utc>,
) -> AppResult<Vec<(i64, Uuid)>> {
    let b = conn.get_database_backend();
    let mut next_code: i64 = conn
        .query_one_raw(stmt(b, "SELECT COUNT(*) FROM claim_claim", vec![]))
        .await?
        .ok_or_else(AppError::internal)?
        .try_get_by_index(0)?;
    let mut out = Vec::with_capacity(claims.len());
    for chunk in claims.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO claim_claim (uuid, code, code_search, insuree_id, health_facility_id, icd_id, date_from, date_claimed, date_processed, visit_type, category, status, rejection_reason, claimed, approved, valuated, remunerated, submit_stamp, process_stamp, validity_from) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 19);
        let mut by_uuid: HashMap<Uuid, usize> = HashMap::with_capacity(chunk.len());
        let mut uuids = Vec::with_capacity(chunk.len());
        for (i, c) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, 'O', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            next_code += 1;
            let code = format!("G{next_code:09}");
            let uuid = Uuid::now_v7();
            by_uuid.insert(uuid, i);
            uuids.push(uuid);
            let claimed: i64 = c.lines.iter().map(|l| l.qty * l.price / 100).sum();
            let passed: i64 = c
                .lines
                .iter()
                .filter(|l| l.status == 1)
                .map(|l| l.qty * l.price / 100)
                .sum();
            let submitted = c.status != STATUS_ENTERED;
            let processed = matches!(c.status, STATUS_PROCESSED | STATUS_VALUATED);
            let stamp = |d: NaiveDate| d.and_hms_opt(12, 0, 0).map(|t| t.and_utc());
            values.extend([
                uuid.into(),
                code.clone().into(),
                imis_core::text::fold(&code).into(),
                c.insuree_id.into(),
                c.health_facility_id.into(),
                c.icd_id.into(),
                c.date_from.into(),
                c.date_claimed.into(),
                processed.then_some(c.date_claimed).into(),
                submitted.then_some("V").into(),
                c.status.into(),
                i32::from(c.status == STATUS_REJECTED).into(),
                claimed.into(),
                submitted.then_some(passed).into(),
                processed.then_some(passed).into(),
                (c.status == STATUS_VALUATED).then_some(passed).into(),
                submitted.then(|| stamp(c.date_claimed)).flatten().into(),
                processed.then(|| stamp(c.date_claimed)).flatten().into(),
                now.into(),
            ]);
        }
        sql.push_str(" RETURNING id, uuid");
        let mut ids = vec![0i64; chunk.len()];
        for row in conn.query_all_raw(stmt(b, &sql, values)).await? {
            let id: i64 = row.try_get("", "id")?;
            let uuid: Uuid = row.try_get("", "uuid")?;
            let i = by_uuid.get(&uuid).copied().ok_or_else(AppError::internal)?;
            ids[i] = id;
        }
        insert_lines(conn, chunk, &ids, now).await?;
        out.extend(ids.into_iter().zip(uuids));
    }
    Ok(out)
}

async fn insert_lines(
    conn: &impl ConnectionTrait,
    claims: &[NewClaim],
    ids: &[i64],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let b = conn.get_database_backend();
    let lines: Vec<(i64, &NewClaim, &NewLine)> = claims
        .iter()
        .zip(ids)
        .flat_map(|(c, id)| c.lines.iter().map(move |l| (*id, c, l)))
        .collect();
    for chunk in lines.chunks(300) {
        let mut sql = String::from(
            "INSERT INTO claim_detail (uuid, claim_id, kind, medical_id, status, qty_provided, price_asked, price_adjusted, price_valuated, remunerated_amount, rejection_reason, validity_from) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 12);
        for (i, (claim_id, c, l)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            let submitted = c.status != STATUS_ENTERED;
            let paid = matches!(c.status, STATUS_PROCESSED | STATUS_VALUATED) && l.status == 1;
            let amount = l.qty * l.price / 100;
            values.extend([
                Uuid::now_v7().into(),
                (*claim_id).into(),
                l.kind.into(),
                l.medical_id.into(),
                l.status.into(),
                l.qty.into(),
                l.price.into(),
                submitted.then_some(l.price).into(),
                paid.then_some(amount).into(),
                (paid && c.status == STATUS_VALUATED)
                    .then_some(amount)
                    .into(),
                l.rejection_reason.into(),
                now.into(),
            ]);
        }
        conn.execute_raw(stmt(b, &sql, values)).await?;
    }
    Ok(())
}

/// `imis seed scale`: a year of claims for every current insuree of the generated families.
async fn seed_scale(state: &AppState, seed: u64) -> AppResult<(usize, usize)> {
    let conn = &state.db.conn;
    let ingredients = Ingredients::load(conn).await?;
    let today = state.clock.today();
    let now = state.clock.now();
    let mut rng = Rng::new(seed ^ 0x5eed_c1a1);
    let mut last_family = 0i64;
    let mut written = (0usize, 0usize);
    loop {
        let families: Vec<i64> = imis_insuree::api::families_page(conn, last_family, 500, None)
            .await?
            .into_iter()
            .map(|f| f.id)
            .collect();
        let Some(last) = families.last().copied() else {
            break;
        };
        last_family = last;
        let tx = state.db.begin_write().await?;
        let members = imis_insuree::api::members_by_family(&*tx, &families, false).await?;
        let mut batch = vec![];
        for insuree in members.values().flatten() {
            // About one claim per four insurees per month: three a year on average.
            for _ in 0..rng.below(7) {
                batch.push(ingredients.historical(&mut rng, insuree.id, today));
            }
        }
        insert_claims(&*tx, &batch, now).await?;
        tx.commit().await?;
        written.0 += batch.len();
        written.1 += batch.iter().map(|c| c.lines.len()).sum::<usize>();
        if written.0 % 100_000 < batch.len() {
            tracing::info!(claims = written.0, "scale data");
        }
    }
    let analyze = if state.db.is_sqlite() {
        "ANALYZE"
    } else {
        "ANALYZE claim_claim; ANALYZE claim_detail"
    };
    conn.execute_unprepared(analyze).await?;
    Ok(written)
}

/// The descriptor's scale seeder: one line per kind of row added.
pub(crate) fn scale_seed(
    state: AppState,
    args: imis_core::registry::ScaleArgs,
) -> futures::future::BoxFuture<'static, AppResult<Vec<String>>> {
    Box::pin(async move {
        if args.families == 0 {
            return Ok(vec![]);
        }
        let (claims, lines) = seed_scale(&state, args.seed).await?;
        Ok(vec![
            format!("{claims} claims"),
            format!("{lines} claim lines"),
        ])
    })
}
