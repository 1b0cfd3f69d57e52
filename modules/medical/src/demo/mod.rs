//! Demo data (D30): 30 items and 20 services (three of them packages) with prices in XAF, 61
//! ICD-10 codes with French names, one items and one services price list located at the demo
//! region and assigned to every demo facility. Inserted directly (no rights check) after the
//! core's demo data. The rows are dated 1 January 2020 so that demo claims of any recent date
//! find them valid (D11).

use crate::entity::{diagnosis, item, pricelist, pricelist_detail, service, service_content};
mod data;

use crate::service::MedicalKind;
use chrono::{DateTime, NaiveDate, Utc};
use data::*;
use futures::future::BoxFuture;
use imis_core::kit::insert_version;
use imis_core::money::Money;
use imis_core::{AppError, AppResult, AppState};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction};
use std::collections::HashMap;
use uuid::Uuid;

/// Override prices of the demo lists (code, price XAF).
const ITEM_OVERRIDES: &[(&str, i64)] = &[("ACT20", 50), ("AMOX5", 20), ("SALB", 2000)];
const SERVICE_OVERRIDES: &[(&str, i64)] = &[("C0001", 1500), ("H0001", 4000)];

pub fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        insert_all(&state, &tx).await?;
        tx.commit().await?;
        Ok(())
    })
}

async fn insert_all(state: &AppState, tx: &DatabaseTransaction) -> AppResult<()> {
    let digits = state.config.core.currency_minor_digits;
    let xaf = |amount: i64| -> AppResult<i64> {
        Ok(Money::from_decimal(Decimal::from(amount), digits)?.0)
    };
    let from: DateTime<Utc> = "2020-01-01T00:00:00Z"
        .parse()
        .map_err(|_| AppError::internal())?;
    let list_date = NaiveDate::from_ymd_opt(2020, 1, 1).ok_or_else(AppError::internal)?;
    let mut items: HashMap<&str, i64> = HashMap::new();
    for (code, name, t, package, price, care, cat) in ITEMS {
        let m = insert_version(
            tx,
            item::ActiveModel {
                uuid: Set(Uuid::now_v7()),
                code: Set(code.to_string()),
                name: Set(name.to_string()),
                name_search: Set(imis_core::text::fold(name)),
                item_type: Set(t.to_string()),
                package: Set(Some(package.to_string())),
                price: Set(xaf(*price)?),
                quantity: Set(Some(100)),
                maximum_amount: Set(None),
                care_type: Set(care.to_string()),
                frequency: Set(None),
                patient_category: Set(*cat),
                ..Default::default()
            },
            from,
            None,
        )
        .await?;
        items.insert(code, m.id);
    }
    let mut services: HashMap<&str, i64> = HashMap::new();
    for (code, name, t, level, category, price, care, cat, packagetype) in SERVICES {
        let m = insert_version(
            tx,
            service::ActiveModel {
                uuid: Set(Uuid::now_v7()),
                code: Set(code.to_string()),
                name: Set(name.to_string()),
                name_search: Set(imis_core::text::fold(name)),
                service_type: Set(t.to_string()),
                level: Set(level.to_string()),
                category: Set((!category.is_empty()).then(|| category.to_string())),
                price: Set(xaf(*price)?),
                maximum_amount: Set(None),
                care_type: Set(care.to_string()),
                frequency: Set(None),
                patient_category: Set(*cat),
                packagetype: Set(packagetype.to_string()),
                manual_price: Set(false),
                ..Default::default()
            },
            from,
            None,
        )
        .await?;
        services.insert(code, m.id);
    }
    for (parent, kind, member, qty) in CONTENT {
        let medical_id = match kind {
            MedicalKind::Item => items[member],
            MedicalKind::Service => services[member],
        };
        insert_version(
            tx,
            service_content::ActiveModel {
                service_id: Set(services[parent]),
                kind: Set(kind.code().into()),
                medical_id: Set(medical_id),
                qty_provided: Set(Some(*qty)),
                price_asked: Set(None),
                status: Set(true),
                created_at: Set(from),
                ..Default::default()
            },
            from,
            None,
        )
        .await?;
    }
    for (code, name) in DIAGNOSES {
        insert_version(
            tx,
            diagnosis::ActiveModel {
                uuid: Set(Uuid::now_v7()),
                code: Set(code.to_string()),
                name: Set(name.to_string()),
                name_search: Set(imis_core::text::fold(name)),
                ..Default::default()
            },
            from,
            None,
        )
        .await?;
    }
    let b = tx.get_database_backend();
    let region: Option<i64> = imis_core::registers::location_ids_of_type(tx, "R")
        .await?
        .first()
        .copied();
    let mut lists = vec![];
    for (kind, name, members, overrides) in [
        (
            MedicalKind::Item,
            "Médicaments et consommables — Littoral",
            &items,
            ITEM_OVERRIDES,
        ),
        (
            MedicalKind::Service,
            "Actes et services — Littoral",
            &services,
            SERVICE_OVERRIDES,
        ),
    ] {
        let pl = insert_version(
            tx,
            pricelist::ActiveModel {
                uuid: Set(Uuid::now_v7()),
                kind: Set(kind.code().into()),
                name: Set(name.to_string()),
                name_search: Set(imis_core::text::fold(name)),
                pricelist_date: Set(list_date),
                location_id: Set(region),
                ..Default::default()
            },
            from,
            None,
        )
        .await?;
        let mut ids: Vec<(&str, i64)> = members.iter().map(|(c, i)| (*c, *i)).collect();
        ids.sort_by_key(|(_, i)| *i);
        for (code, id) in ids {
            let price = match overrides.iter().find(|(c, _)| *c == code) {
                Some((_, p)) => Some(xaf(*p)?),
                None => None,
            };
            insert_version(
                tx,
                pricelist_detail::ActiveModel {
                    pricelist_id: Set(pl.id),
                    kind: Set(kind.code().into()),
                    medical_id: Set(id),
                    price_overrule: Set(price),
                    ..Default::default()
                },
                from,
                None,
            )
            .await?;
        }
        lists.push(pl.id);
    }
    for hf in imis_core::registers::health_facility_ids(tx).await? {
        tx.execute_raw(imis_core::db::stmt(
            b,
            "INSERT INTO medical_hf_pricelist (health_facility_id, items_pricelist_id, services_pricelist_id) VALUES (?, ?, ?)",
            vec![hf.into(), lists[0].into(), lists[1].into()],
        ))
        .await?;
    }
    Ok(())
}
