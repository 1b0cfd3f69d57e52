//! Business functions of locations and health facilities: rights (D8) and location scope (D9) are
//! checked first, then the openIMIS validations; writes run inside the caller's mutation
//! transaction ([`MutationCtx`]) with history rows (D7). One file per resource; the rights,
//! constants and checks they share are here.

use crate::auth::{Principal, Requirement, require_user};
use crate::entity::{health_facility, hf_catchment, location};
use crate::error::{AppError, AppResult};
use crate::kit::{self, CurrentRows};
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

/// A register whose rows carry a uuid and a code unique among current rows: locations and
/// health facilities. Names what their reads and writes share, so each is written once.
pub(crate) trait Register: EntityTrait {
    /// The entity's name in errors (`not_found`), history rows and the mutation log.
    const NAME: &'static str;
    /// The error code of a code another current row holds.
    const CODE_TAKEN: &'static str;
    const ID: Self::Column;
    const UUID: Self::Column;
    const CODE: Self::Column;
}

impl Register for location::Entity {
    const NAME: &'static str = "location";
    const CODE_TAKEN: &'static str = "location.code_taken";
    const ID: location::Column = location::Column::Id;
    const UUID: location::Column = location::Column::Uuid;
    const CODE: location::Column = location::Column::Code;
}

impl Register for health_facility::Entity {
    const NAME: &'static str = "health_facility";
    const CODE_TAKEN: &'static str = "health_facility.code_taken";
    const ID: health_facility::Column = health_facility::Column::Id;
    const UUID: health_facility::Column = health_facility::Column::Uuid;
    const CODE: health_facility::Column = health_facility::Column::Code;
}

/// Whether a current row of `E` other than `except` has this code.
pub(super) async fn code_taken<E: Register>(
    conn: &impl ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    crate::kit::taken::<E>(conn, E::CODE, code.trim(), E::ID, except).await
}

pub(super) fn code_taken_error<E: Register>(code: &str) -> AppError {
    AppError::validation(E::CODE_TAKEN).with("code", code.trim())
}

/// `validateLocationCode`, `validateHealthFacilityCode`: true when no current row has this code.
async fn code_free<E: Register>(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    require_user(principal, Requirement::Authenticated)?;
    Ok(!code_taken::<E>(&state.db.conn, code, None).await?)
}

/// The row of `E` with this uuid, whatever its validity: what a create with a known uuid
/// compares itself with (D4).
pub(super) async fn by_uuid<E: Register>(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<Option<E::Model>> {
    Ok(E::find().filter(E::UUID.eq(uuid)).one(conn).await?)
}

/// The current row named by uuid or code, read under its row lock (for a change): a concurrent
/// change of the same row waits, then reads what this one wrote (D7).
pub(super) async fn lock_target<E: Register>(
    tx: &DatabaseTransaction,
    uuid: Option<Uuid>,
    code: Option<&str>,
) -> AppResult<E::Model> {
    let q = E::find().current();
    let q = match (uuid, code) {
        (Some(u), _) => q.filter(E::UUID.eq(u)),
        (None, Some(c)) => q.filter(E::CODE.eq(c.trim())),
        (None, None) => return Err(AppError::invalid("uuid", "required")),
    };
    q.lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found(E::NAME))
}

/// The `…Str` lists' search: the code (case ignored) or the folded name contains `s`; `None`
/// when `s` is absent or blank.
fn code_or_name_contains(
    code: impl ColumnTrait,
    name_search: impl ColumnTrait,
    s: &Option<String>,
) -> Option<Condition> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let code = upper_like(
        code,
        format!("%{}%", crate::text::like_escape(&s.to_uppercase())),
    );
    let name = name_search.like(
        LikeExpr::new(format!(
            "%{}%",
            crate::text::like_escape(&crate::text::fold(s))
        ))
        .escape('\\'),
    );
    Some(Condition::any().add(code).add(name))
}

/// Ids of the current children of the location with this uuid (none when it does not exist).
async fn child_ids(conn: &impl ConnectionTrait, parent: Uuid) -> AppResult<Vec<i64>> {
    let parents = ids_of_uuids(conn, &[parent]).await?;
    if parents.is_empty() {
        return Ok(vec![]);
    }
    Ok(location::Entity::find()
        .filter(location::Column::ParentId.is_in(parents))
        .current()
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect())
}

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

    /// The input of a location `code` of type `location_type` under `parent`.
    fn place(code: &str, name: &str, location_type: &str, parent: Uuid) -> LocationInput {
        LocationInput {
            code: code.into(),
            name: name.into(),
            location_type: location_type.into(),
            parent_uuid: Some(parent),
            ..Default::default()
        }
    }

    /// The rows `select` finds.
    async fn rows_of<E: EntityTrait>(
        state: &AppState,
        select: AppResult<Select<E>>,
    ) -> Vec<E::Model> {
        select.unwrap().all(&state.db.conn).await.unwrap()
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
                let w = create_location(m, place("W0099", "Bali", "W", douala.uuid)).await?;
                let v = create_location(m, place("V0099", "Bonapriso", "V", w.uuid)).await?;
                let e = create_location(m, place("V0099", "X", "V", w.uuid))
                    .await
                    .unwrap_err();
                assert_eq!(e.code, "location.code_taken");
                let e = create_location(m, place("V0098", "X", "V", douala.uuid))
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
        let rows = rows_of(&state, locations_select(&state, Some(&p), &f).await).await;
        assert_eq!(rows.len(), 1);
        let f = HealthFacilityFilter {
            str: Some("bonassama".into()),
            ..Default::default()
        };
        let rows = rows_of(&state, health_facilities_select(&state, Some(&p), &f).await).await;
        assert_eq!(rows.len(), 1);
        let f = LocationFilter {
            code_istartswith: Some("v00".into()),
            ..Default::default()
        };
        let rows = rows_of(&state, locations_select(&state, Some(&p), &f).await).await;
        assert_eq!(rows.len(), 11);
        assert!(
            !validate_location_code(&state, Some(&p), "D0001")
                .await
                .unwrap()
        );
        assert_eq!(user_districts(&state, Some(&p)).await.unwrap().len(), 2);
    }
}
