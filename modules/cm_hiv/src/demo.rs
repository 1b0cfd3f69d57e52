//! Demo data (D30): treatment-site codes for two demo facilities, one in each demo district, so
//! that ART numbers such as `LT-BON01/2024/00001` can be registered at once.

use crate::entity::facility_site;
use futures::future::BoxFuture;
use imis_core::{AppResult, AppState};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

/// (facility code, site code).
const DEMO_SITES: &[(&str, &str)] = &[("HD0001", "LT-BON01"), ("DS0001", "LT-PON01")];

pub(crate) fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        let ids = imis_core::registers::health_facility_ids(&*tx).await?;
        let codes = imis_core::registers::health_facility_codes(&*tx, &ids).await?;
        let now = state.clock.now();
        for (facility_code, site_code) in DEMO_SITES {
            let Some((&facility, _)) = codes.iter().find(|(_, c)| c == facility_code) else {
                continue;
            };
            facility_site::ActiveModel {
                uuid: Set(uuid::Uuid::now_v7()),
                health_facility_id: Set(facility),
                site_code: Set(site_code.to_string()),
                validity_from: Set(now),
                validity_to: Set(None),
                audit_user_id: Set(None),
                ..Default::default()
            }
            .insert(&*tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
}
