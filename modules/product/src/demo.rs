//! Demo products (D30), seeded after the core and medical demo data, directly (no rights check):
//!
//! - `MUT01` "Mutuelle de santé Littoral": a community mutual product of the region Littoral
//!   (R0001): lump sum for up to 6 members, adult and child premiums beyond, registration and
//!   general assembly fees, start cycles 01-01 and 01-07 with grace periods, 12-month insurance
//!   period, at most 8 members, ceilings per policy; every medical demo item and service at 80 %
//!   co-insurance, with a 3-month waiting period on maternity and surgery lines.
//! - `VIH01` "Gratuité VIH": a national fee-exemption product, zero contribution, 100 %
//!   co-insurance on all its lines (HIV test, consultation, blood count, malaria test,
//!   cotrimoxazole and a few basic drugs).
//!
//! Both are valid from 1 January two years ago to 31 December five years ahead.

use crate::entity::product;
use crate::service::{LineData, LineKind, insert_lines};
use chrono::{Datelike, NaiveDate};
use futures::future::BoxFuture;
use imis_core::money::Money;
use imis_core::{AppError, AppResult, AppState};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, IntoActiveModel};
use uuid::Uuid;

/// (medical code, co-insurance %, waiting period in months) of a demo product's lines.
type DemoLine = (&'static str, i32, Option<i32>);

/// Items and services of `MUT01`: the whole demo register at 80 % (deliveries, Caesarean,
/// obstetric ultrasound, appendectomy and their drugs after 3 months).
const MUTUAL_LINES: (&[DemoLine], &[DemoLine]) = (
    &[
        ("PARA5", 80, None),
        ("AMOX5", 80, None),
        ("AMOXS", 80, None),
        ("ACT20", 80, None),
        ("ARTI60", 80, None),
        ("QUIN3", 80, None),
        ("SRO", 80, None),
        ("ZINC20", 80, None),
        ("CTX480", 80, None),
        ("METRO2", 80, None),
        ("IBU400", 80, None),
        ("FEFOL", 80, None),
        ("MEBE5", 80, None),
        ("OXYT10", 80, Some(3)),
        ("MISO2", 80, Some(3)),
        ("CEFTR1", 80, None),
        ("GENT80", 80, None),
        ("DIAZ10", 80, None),
        ("SALB", 80, None),
        ("METF5", 80, None),
        ("NIFE20", 80, None),
        ("RL500", 80, None),
        ("GLU500", 80, None),
        ("GANT", 80, None),
        ("GSTER", 80, None),
        ("SER5", 80, None),
        ("PERF", 80, None),
        ("CATH22", 80, None),
        ("COMP", 80, None),
        ("FIL", 80, None),
    ],
    &[
        ("C0001", 80, None),
        ("C0002", 80, None),
        ("C0003", 80, None),
        ("C0004", 80, Some(3)),
        ("C0005", 80, Some(3)),
        ("L0001", 80, None),
        ("L0002", 80, None),
        ("L0003", 80, None),
        ("L0004", 80, None),
        ("L0005", 80, None),
        ("L0006", 80, None),
        ("R0001", 80, None),
        ("R0002", 80, Some(3)),
        ("H0001", 80, None),
        ("H0002", 80, None),
        ("S0001", 80, None),
        ("S0002", 80, Some(3)),
        ("P0001", 80, None),
        ("P0002", 80, None),
        ("P0003", 80, None),
    ],
);

/// Items and services of `VIH01`, all at 100 %.
const EXEMPTION_LINES: (&[DemoLine], &[DemoLine]) = (
    &[
        ("CTX480", 100, None),
        ("PARA5", 100, None),
        ("AMOX5", 100, None),
        ("FEFOL", 100, None),
    ],
    &[
        ("C0001", 100, None),
        ("L0006", 100, None),
        ("L0003", 100, None),
        ("L0002", 100, None),
    ],
);

pub fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        let now = state.clock.now();
        let digits = state.config.core.currency_minor_digits;
        let amount = |units: i64| -> AppResult<Option<i64>> {
            Ok(Some(Money::from_decimal(Decimal::from(units), digits)?.0))
        };
        let year = state.clock.today().year();
        let date_from = NaiveDate::from_ymd_opt(year - 2, 1, 1).ok_or_else(AppError::internal)?;
        let date_to = NaiveDate::from_ymd_opt(year + 5, 12, 31).ok_or_else(AppError::internal)?;
        let region = imis_core::registers::location_id_by_code(&*tx, "R0001").await?;

        let mutual = product::Model {
            uuid: Uuid::now_v7(),
            code: "MUT01".into(),
            name: "Mutuelle de santé Littoral".into(),
            name_search: imis_core::text::fold("Mutuelle de santé Littoral"),
            location_id: region,
            date_from,
            date_to,
            insurance_period: 12,
            administration_period: Some(0),
            max_members: 8,
            max_installments: Some(3),
            threshold: Some(6),
            lump_sum: amount(30_000)?.unwrap_or(0),
            premium_adult: amount(6_000)?,
            premium_child: amount(3_000)?,
            registration_fee: amount(1_000)?,
            general_assembly_fee: amount(500)?,
            start_cycle_1: Some("01-01".into()),
            start_cycle_2: Some("01-07".into()),
            grace_period_enrolment: 1,
            grace_period_renewal: Some(2),
            grace_period_payment: Some(3),
            enrolment_discount_perc: Some(0),
            enrolment_discount_period: Some(0),
            renewal_discount_perc: Some(10),
            renewal_discount_period: Some(1),
            ceiling_interpretation: Some("H".into()),
            ceiling_type: Some("P".into()),
            max_ip_policy: amount(1_500_000)?,
            max_op_policy: amount(500_000)?,
            max_no_hospitalization: Some(2),
            max_no_delivery: Some(1),
            validity_from: now,
            ..Default::default()
        };
        let exemption = product::Model {
            uuid: Uuid::now_v7(),
            code: "VIH01".into(),
            name: "Gratuité VIH".into(),
            name_search: imis_core::text::fold("Gratuité VIH"),
            location_id: None,
            date_from,
            date_to,
            insurance_period: 12,
            administration_period: Some(0),
            max_members: 1,
            max_installments: Some(0),
            lump_sum: 0,
            premium_adult: Some(0),
            premium_child: Some(0),
            grace_period_enrolment: 0,
            grace_period_renewal: Some(0),
            grace_period_payment: Some(0),
            enrolment_discount_perc: Some(0),
            enrolment_discount_period: Some(0),
            renewal_discount_perc: Some(0),
            renewal_discount_period: Some(0),
            ceiling_interpretation: Some("H".into()),
            validity_from: now,
            ..Default::default()
        };
        for (model, lines) in [(mutual, &MUTUAL_LINES), (exemption, &EXEMPTION_LINES)] {
            let mut am = model.into_active_model().reset_all();
            am.id = NotSet;
            let p = am.insert(&*tx).await?;
            for (kind, codes) in [(LineKind::Item, lines.0), (LineKind::Service, lines.1)] {
                let ids = crate::medical_ref::ids_by_code(
                    &*tx,
                    kind,
                    &codes.iter().map(|(c, _, _)| *c).collect::<Vec<_>>(),
                )
                .await?;
                let data: Vec<LineData> = ids
                    .into_iter()
                    .filter_map(|(code, id)| {
                        let (_, pct, wait) = codes.iter().find(|(c, _, _)| *c == code)?;
                        let pct = Some(i64::from(*pct) * 100);
                        Some(LineData {
                            medical_id: id,
                            price_origin: "P".into(),
                            limitation_type: "C".into(),
                            limitation_type_r: Some("C".into()),
                            limitation_type_e: Some("C".into()),
                            limits: [pct; 6],
                            limit_no_adult: None,
                            limit_no_child: None,
                            waiting_period_adult: *wait,
                            waiting_period_child: *wait,
                            ceiling_exclusion_adult: None,
                            ceiling_exclusion_child: None,
                        })
                    })
                    .collect();
                insert_lines(&tx, kind, p.id, &data, now, None).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    })
}
