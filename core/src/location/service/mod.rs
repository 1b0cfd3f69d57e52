//! Business functions of locations and health facilities: rights (D8) and location scope (D9) are
//! checked first, then the openIMIS validations; writes run inside the caller's mutation
//! transaction ([`MutationCtx`]) with history rows (D7). One file per resource; the rights,
//! constants and checks they share are here.

use crate::auth::{Principal, Requirement, require_user};
use crate::entity::{health_facility, hf_catchment, location};
use crate::error::{AppError, AppResult};
use crate::mutation::MutationCtx;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::LikeExpr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const RIGHT_LOCATION_CREATE: i32 = 121902;
pub const RIGHT_LOCATION_UPDATE: i32 = 121903;
pub const RIGHT_LOCATION_DELETE: i32 = 121904;
pub const RIGHT_LOCATION_MOVE: i32 = 121905;
pub const RIGHT_REGION_DISTRICT: i32 = 121906;
pub const RIGHT_HF_CREATE: i32 = 121102;
pub const RIGHT_HF_UPDATE: i32 = 121103;
pub const RIGHT_HF_DELETE: i32 = 121104;

/// Location levels, top to bottom.
pub const LOCATION_TYPES: [&str; 4] = ["R", "D", "W", "V"];
pub const HF_SAVING_EVENT: &str = "health_facility.saving";

fn level_of(t: &str) -> Option<usize> {
    LOCATION_TYPES.iter().position(|x| *x == t)
}

async fn require_allowed(
    conn: &impl ConnectionTrait,
    p: &Principal,
    location: i64,
) -> AppResult<()> {
    if p.scope.allows(conn, Some(location)).await? {
        Ok(())
    } else {
        Err(AppError::location_denied())
    }
}

fn check_len(field: &str, value: &str, max: usize) -> AppResult<()> {
    if value.trim().is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        ));
    }
    Ok(())
}

fn check_opt_len(field: &str, value: &Option<String>, max: usize) -> AppResult<()> {
    match value {
        Some(v) if v.chars().count() > max => Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

use crate::text::{code_condition, name_condition, upper_like};

mod health_facilities;
mod location_changes;
mod locations;

pub use health_facilities::*;
pub use location_changes::*;
pub use locations::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level_of("R"), Some(0));
        assert_eq!(level_of("V"), Some(3));
        assert_eq!(level_of("X"), None);
        let e = parent_invalid("W");
        assert_eq!(e.params.get("parentType").map(String::as_str), Some("D"));
    }

    #[test]
    fn lengths() {
        assert!(check_len("code", "12345678", 8).is_ok());
        assert!(check_len("code", "123456789", 8).is_err());
        assert!(check_len("name", "  ", 50).is_err());
    }

    fn admin() -> Principal {
        Principal {
            user_id: 1,
            user_uuid: Uuid::now_v7(),
            username: "admin".into(),
            language: "en".into(),
            rights: Default::default(),
            is_admin: true,
            kinds: Default::default(),
            health_facility_id: None,
            scope: crate::auth::Scope::unrestricted(),
            jti: None,
            login_id: None,
            token_exp: 0,
            tokens_valid_after: 0,
            csrf: crate::auth::Csrf::Satisfied,
        }
    }

    #[tokio::test]
    async fn demo_and_writes() {
        let dir = std::env::temp_dir().join(format!("imis-loc-{}", Uuid::now_v7()));
        let cfg = crate::config::Config::for_tests("sqlite::memory:", &dir);
        let state = AppState::build(cfg, true).await.unwrap();
        let tx = state.db.begin_write().await.unwrap();
        let demo = crate::location::demo::seed(&state, &*tx, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(demo.districts.len(), 2);
        assert_eq!(demo.health_facilities.len(), 3);
        let p = admin();
        let env = crate::mutation::Envelope::default();
        let input = serde_json::json!({});
        let douala = location::Entity::find_by_id(demo.districts[0])
            .one(&state.db.conn)
            .await
            .unwrap()
            .unwrap();
        // create a ward, then a village below it
        let r: crate::mutation::Outcome<i64> = crate::mutation::run(
            &state,
            Some(&p),
            "en",
            "createLocation",
            &env,
            &input,
            async |m| {
                let w = create_location(
                    m,
                    LocationInput {
                        code: "W0099".into(),
                        name: "Bali".into(),
                        location_type: "W".into(),
                        parent_uuid: Some(douala.uuid),
                        ..Default::default()
                    },
                )
                .await?;
                let v = create_location(
                    m,
                    LocationInput {
                        code: "V0099".into(),
                        name: "Bonapriso".into(),
                        location_type: "V".into(),
                        parent_uuid: Some(w.uuid),
                        ..Default::default()
                    },
                )
                .await?;
                let e = create_location(
                    m,
                    LocationInput {
                        code: "V0099".into(),
                        name: "X".into(),
                        location_type: "V".into(),
                        parent_uuid: Some(w.uuid),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_err();
                assert_eq!(e.code, "location.code_taken");
                let e = create_location(
                    m,
                    LocationInput {
                        code: "V0098".into(),
                        name: "X".into(),
                        location_type: "V".into(),
                        parent_uuid: Some(douala.uuid),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_err();
                assert_eq!(e.code, "location.parent_invalid");
                // move the ward under the region: it becomes a district, the village a ward
                let region = location::Entity::find_by_id(demo.region)
                    .one(&**m.tx)
                    .await?
                    .unwrap();
                let moved = move_location(m, w.uuid, Some(region.uuid)).await?;
                assert_eq!(moved.location_type, "D");
                let v2 = location::Entity::find_by_id(v.id)
                    .one(&**m.tx)
                    .await?
                    .unwrap();
                assert_eq!(v2.location_type, "W");
                let e = move_location(m, w.uuid, Some(v.uuid)).await.unwrap_err();
                assert_eq!(e.code, "location.move_into_own_subtree");
                delete_location(m, Some(w.uuid), None, None).await?;
                assert!(
                    location::Entity::find_by_id(v.id)
                        .one(&**m.tx)
                        .await?
                        .unwrap()
                        .validity_to
                        .is_some()
                );
                // health facility
                let village = demo.villages[0];
                let hf = create_health_facility(
                    m,
                    HealthFacilityInput {
                        code: "HF99".into(),
                        name: "Clinique Saint-Éloi".into(),
                        legal_form: "P".into(),
                        level: "C".into(),
                        location_id: douala.id,
                        care_type: "O".into(),
                        catchments: Some(vec![CatchmentInput {
                            location_id: village,
                            catchment: Some(30),
                        }]),
                        ..Default::default()
                    },
                )
                .await?;
                assert_eq!(hf.name_search, "clinique saint-eloi");
                let e = create_health_facility(
                    m,
                    HealthFacilityInput {
                        code: "HF98".into(),
                        name: "X".into(),
                        legal_form: "P".into(),
                        level: "C".into(),
                        location_id: douala.id,
                        care_type: "O".into(),
                        items_pricelist_id: Some(1),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_err();
                assert_eq!(e.code, "module.disabled");
                let up = update_health_facility(
                    m,
                    HealthFacilityInput {
                        uuid: Some(hf.uuid),
                        code: "HF99".into(),
                        name: "Clinique".into(),
                        legal_form: "P".into(),
                        level: "C".into(),
                        location_id: douala.id,
                        care_type: "B".into(),
                        catchments: Some(vec![]),
                        ..Default::default()
                    },
                )
                .await?;
                assert_eq!(up.care_type, "B");
                assert!(catchments_for(&**m.tx, &[hf.id]).await?.is_empty());
                let versions = crate::history::versions::<health_facility::Model>(
                    &**m.tx,
                    "health_facility",
                    &[hf.id],
                )
                .await?;
                assert_eq!(versions.len(), 1);
                let same = create_health_facility(
                    m,
                    HealthFacilityInput {
                        uuid: Some(hf.uuid),
                        code: "HF99".into(),
                        name: "Clinique".into(),
                        legal_form: "P".into(),
                        level: "C".into(),
                        location_id: douala.id,
                        care_type: "B".into(),
                        ..Default::default()
                    },
                )
                .await?;
                assert_eq!(same.id, hf.id);
                delete_health_facility(m, None, Some("HF99")).await?;
                Ok(hf.id)
            },
        )
        .await
        .unwrap();
        assert!(r.result > 0);
        let f = LocationFilter {
            name_icontains: Some("DEIDO".into()),
            ..Default::default()
        };
        let rows = locations_select(&state, Some(&p), &f)
            .await
            .unwrap()
            .all(&state.db.conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let f = HealthFacilityFilter {
            str: Some("bonassama".into()),
            ..Default::default()
        };
        let rows = health_facilities_select(&state, Some(&p), &f)
            .await
            .unwrap()
            .all(&state.db.conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let f = LocationFilter {
            code_istartswith: Some("v00".into()),
            ..Default::default()
        };
        let rows = locations_select(&state, Some(&p), &f)
            .await
            .unwrap()
            .all(&state.db.conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 11);
        assert!(
            !validate_location_code(&state, Some(&p), "D0001")
                .await
                .unwrap()
        );
        assert_eq!(user_districts(&state, Some(&p)).await.unwrap().len(), 2);
    }
}
