//! Demo data (D30): three Entered claims per demo facility, for heads of families living in the
//! facility's district, each with item and service lines at the facility's price-list prices,
//! entered by the facility's claim administrator when it has one (the core's demo user
//! `claimadmin` at `HD0001`). Codes are `<facility code>-<n>`.

use crate::entity::{claim, detail};
use crate::service::{KIND_ITEM, KIND_SERVICE, LINE_PASSED, REVIEW_IDLE, STATUS_ENTERED};
use chrono::{Duration, NaiveDate};
use futures::future::BoxFuture;
use imis_core::kit::insert_version;
use imis_core::money::Money;
use imis_core::{AppResult, AppState};
use imis_medical::api::MedicalKind;
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, DatabaseTransaction};
use std::collections::HashSet;
use uuid::Uuid;

/// One demo claim: main diagnosis, item lines and service lines as (code, quantity), and how
/// many days before today the care started.
struct DemoClaim {
    icd: &'static str,
    items: &'static [(&'static str, i64)],
    services: &'static [(&'static str, i64)],
    days_ago: i64,
}

const CLAIMS: [DemoClaim; 3] = [
    DemoClaim {
        icd: "B54",
        items: &[("PARA5", 10), ("ACT20", 6)],
        services: &[("C0001", 1), ("L0001", 1)],
        days_ago: 9,
    },
    DemoClaim {
        icd: "J18",
        items: &[("AMOX5", 21)],
        services: &[("C0001", 1)],
        days_ago: 5,
    },
    DemoClaim {
        icd: "A09",
        items: &[("PARA5", 6)],
        services: &[("C0002", 1)],
        days_ago: 2,
    },
];

pub(crate) fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        seed_claims(&state, &tx).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// The villages of a district (its wards' children).
async fn villages_of(tx: &DatabaseTransaction, district: i64) -> AppResult<HashSet<i64>> {
    let mut villages = HashSet::new();
    for ward in imis_core::registers::child_location_ids(tx, district).await? {
        villages.extend(imis_core::registers::child_location_ids(tx, ward).await?);
    }
    Ok(villages)
}

/// The heads of the current families, with their village.
async fn family_heads(tx: &DatabaseTransaction) -> AppResult<Vec<(i64, i64)>> {
    let mut heads = vec![];
    let mut after = 0;
    loop {
        let page = imis_insuree::api::families_page(tx, after, 1000, None).await?;
        let Some(last) = page.last() else {
            return Ok(heads);
        };
        after = last.id;
        heads.extend(page.iter().map(|f| (f.head_insuree_id, f.location_id)));
    }
}

async fn seed_claims(state: &AppState, tx: &DatabaseTransaction) -> AppResult<()> {
    let digits = state.config.core.currency_minor_digits;
    let today = state.clock.today();
    let now = state.clock.now();
    let item_codes: Vec<&str> = CLAIMS
        .iter()
        .flat_map(|c| c.items.iter().map(|i| i.0))
        .collect();
    let service_codes: Vec<&str> = CLAIMS
        .iter()
        .flat_map(|c| c.services.iter().map(|s| s.0))
        .collect();
    let items = imis_medical::api::current_items_by_code(tx, &item_codes).await?;
    let services = imis_medical::api::current_services_by_code(tx, &service_codes).await?;
    let icd_codes: Vec<&str> = CLAIMS.iter().map(|c| c.icd).collect();
    let diagnoses = imis_medical::api::current_diagnosis_ids_by_code(tx, &icd_codes).await?;
    let heads = family_heads(tx).await?;
    let facilities = imis_core::registers::health_facility_ids(tx).await?;
    let admins = imis_core::registers::claim_admins_of_facilities(tx, &facilities).await?;
    for facility_id in facilities {
        let Some(facility) = imis_core::registers::health_facility_by_id(tx, facility_id).await?
        else {
            continue;
        };
        let villages = villages_of(tx, facility.location_id).await?;
        let patients: Vec<i64> = heads
            .iter()
            .filter(|(_, village)| villages.contains(village))
            .map(|(head, _)| *head)
            .collect();
        if patients.is_empty() {
            continue;
        }
        let item_ids: Vec<i64> = items.values().map(|i| i.id).collect();
        let service_ids: Vec<i64> = services.values().map(|s| s.id).collect();
        let claim_date = today;
        let item_prices = imis_medical::api::claimable_prices(
            state,
            tx,
            facility_id,
            MedicalKind::Item,
            &item_ids,
            claim_date,
        )
        .await?;
        let service_prices = imis_medical::api::claimable_prices(
            state,
            tx,
            facility_id,
            MedicalKind::Service,
            &service_ids,
            claim_date,
        )
        .await?;
        for (n, demo) in CLAIMS.iter().enumerate() {
            let Some(&icd_id) = diagnoses.get(demo.icd) else {
                continue;
            };
            // (kind, medical id, quantity in hundredths, price in minor units)
            let mut lines: Vec<(&str, i64, i64, i64)> = vec![];
            for (code, qty) in demo.items {
                if let Some(item) = items.get(*code)
                    && let Some(price) = item_prices.get(&item.id)
                {
                    lines.push((KIND_ITEM, item.id, qty * 100, minor(*price, digits)?));
                }
            }
            for (code, qty) in demo.services {
                if let Some(service) = services.get(*code)
                    && let Some(price) = service_prices.get(&service.id)
                {
                    lines.push((KIND_SERVICE, service.id, qty * 100, minor(*price, digits)?));
                }
            }
            if lines.is_empty() {
                continue;
            }
            let claimed: i64 = lines.iter().map(|(_, _, q, p)| q * p / 100).sum();
            let date_from = today - Duration::days(demo.days_ago);
            let code = format!("{}-{:03}", facility.code, n + 1);
            let insuree_id = patients[n % patients.len()];
            let header = DemoHeader {
                code,
                insuree_id,
                facility_id,
                admin_id: admins.get(&facility_id).map(|a| a.id),
                icd_id,
                date_from,
                claimed,
            };
            insert_claim(tx, header, &lines, now).await?;
        }
    }
    Ok(())
}

fn minor(price: Decimal, digits: u32) -> AppResult<i64> {
    Ok(Money::round_from_decimal(price, digits)?.0)
}

struct DemoHeader {
    code: String,
    insuree_id: i64,
    facility_id: i64,
    admin_id: Option<i64>,
    icd_id: i64,
    date_from: NaiveDate,
    claimed: i64,
}

async fn insert_claim(
    tx: &DatabaseTransaction,
    h: DemoHeader,
    lines: &[(&str, i64, i64, i64)],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let c = insert_version(
        tx,
        claim::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            code_search: Set(imis_core::text::fold(&h.code)),
            code: Set(h.code),
            insuree_id: Set(h.insuree_id),
            health_facility_id: Set(h.facility_id),
            admin_id: Set(h.admin_id),
            date_from: Set(h.date_from),
            date_to: Set(None),
            date_claimed: Set(h.date_from + Duration::days(1)),
            date_processed: Set(None),
            icd_id: Set(h.icd_id),
            icd1_id: Set(None),
            icd2_id: Set(None),
            icd3_id: Set(None),
            icd4_id: Set(None),
            visit_type: Set("O".into()),
            refer_from_id: Set(None),
            refer_to_id: Set(None),
            referral_code: Set(None),
            care_type: Set(Some("OPD".into())),
            patient_condition: Set(None),
            pre_authorization: Set(false),
            guarantee_id: Set(None),
            explanation: Set(None),
            adjustment: Set(None),
            category: Set(None),
            status: Set(STATUS_ENTERED),
            review_status: Set(REVIEW_IDLE),
            feedback_status: Set(REVIEW_IDLE),
            approval_status: Set(1),
            rejection_reason: Set(0),
            claimed: Set(h.claimed),
            approved: Set(None),
            valuated: Set(None),
            remunerated: Set(None),
            feedback_available: Set(false),
            batch_run_id: Set(None),
            submit_stamp: Set(None),
            process_stamp: Set(None),
            audit_user_id_submit: Set(None),
            audit_user_id_review: Set(None),
            audit_user_id_process: Set(None),
            validity_from_review: Set(None),
            validity_to_review: Set(None),
            restore_id: Set(None),
            json_ext: Set(None),
            ..Default::default()
        },
        now,
        h.admin_id,
    )
    .await?;
    for (kind, medical_id, qty, price) in lines {
        insert_version(
            tx,
            detail::ActiveModel {
                uuid: Set(Uuid::now_v7()),
                claim_id: Set(c.id),
                kind: Set(kind.to_string()),
                medical_id: Set(*medical_id),
                status: Set(LINE_PASSED),
                availability: Set(true),
                qty_provided: Set(*qty),
                price_asked: Set(*price),
                ..Default::default()
            },
            now,
            h.admin_id,
        )
        .await?;
    }
    Ok(())
}
