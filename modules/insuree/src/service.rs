//! Families and insurees: the business operations, callable without GraphQL. Every operation
//! checks its right first (D8), then the location scope (D9: a family is reached through its
//! village, an insuree through its current village or its family's village), validates, writes
//! with history (D7) and publishes the events of [`crate::events`] inside the transaction. A row
//! that is changed is read under a row lock in the write transaction, so that concurrent writers
//! on PostgreSQL queue instead of saving the same previous version twice; a unique index that
//! decides a race (insurance number, uuid) answers the business error.

use crate::codes;
use crate::config::InsureeConfig;
use crate::entity::{family, insuree, photo};
use crate::events::*;
use base64::Engine;
use chrono::NaiveDate;
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::db::stmt;
use imis_core::error::{AppError, AppResult, ErrorKind};
use imis_core::mutation::MutationCtx;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::LockType,
};
use std::collections::HashMap;
use uuid::Uuid;

pub const RIGHT_FAMILY_SEARCH: i32 = 101001;
pub const RIGHT_FAMILY_ADD: i32 = 101002;
pub const RIGHT_FAMILY_EDIT: i32 = 101003;
pub const RIGHT_FAMILY_DELETE: i32 = 101004;
pub const RIGHT_INSUREE_SEARCH: i32 = 101101;
pub const RIGHT_INSUREE_ADD: i32 = 101102;
pub const RIGHT_INSUREE_EDIT: i32 = 101103;
pub const RIGHT_INSUREE_DELETE: i32 = 101104;
pub const RIGHT_INSUREE_ENQUIRE: i32 = 101105;
/// Claim search and claim add: the facility desk looks insurees up by number (D9 exception).
pub const RIGHTS_DESK_LOOKUP: &[i32] = &[RIGHT_INSUREE_ENQUIRE, 111001, 111002];

/// A photo sent as base64 (openIMIS `PhotoInputType`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PhotoInput {
    pub base64: Option<String>,
    pub date: Option<NaiveDate>,
    pub officer_id: Option<i64>,
}

/// The fields of an insuree (openIMIS `InsureeBase`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct InsureeInput {
    pub uuid: Option<Uuid>,
    pub chf_id: String,
    pub last_name: String,
    pub other_names: String,
    pub gender: String,
    pub dob: Option<NaiveDate>,
    pub marital: Option<String>,
    pub passport: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub current_address: Option<String>,
    pub geolocation: Option<String>,
    pub current_village_id: Option<i64>,
    pub photo: Option<PhotoInput>,
    pub card_issued: bool,
    pub family_id: Option<i64>,
    pub relationship: Option<i32>,
    pub profession: Option<i32>,
    pub education: Option<i32>,
    pub type_of_id: Option<String>,
    pub health_facility_id: Option<i64>,
    pub offline: bool,
    pub json_ext: Option<String>,
    pub status: Option<String>,
    pub status_reason: Option<String>,
    pub status_date: Option<NaiveDate>,
}

/// The fields of a family (openIMIS `FamilyBase`) with its head.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FamilyInput {
    pub uuid: Option<Uuid>,
    pub location_id: i64,
    pub poverty: Option<bool>,
    pub family_type: Option<String>,
    pub address: Option<String>,
    pub is_offline: bool,
    pub ethnicity: Option<String>,
    pub confirmation_no: Option<String>,
    pub confirmation_type: Option<String>,
    pub json_ext: Option<String>,
    pub head: Option<InsureeInput>,
}

/// The result of `insureeNumberValidity` (code 0 = valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberValidity {
    pub code: i32,
}

pub fn config(state: &AppState) -> InsureeConfig {
    InsureeConfig::from_config(&state.config)
}

/// D18: taken (1), then the configured format rules (2–4).
pub async fn number_validity(
    conn: &impl ConnectionTrait,
    cfg: &InsureeConfig,
    number: &str,
    except: Option<Uuid>,
) -> AppResult<NumberValidity> {
    let mut q = insuree::Entity::find()
        .filter(insuree::Column::ChfId.eq(number.trim()))
        .filter(insuree::Column::ValidityTo.is_null());
    if let Some(u) = except {
        q = q.filter(insuree::Column::Uuid.ne(u));
    }
    if q.one(conn).await?.is_some() {
        return Ok(NumberValidity { code: 1 });
    }
    Ok(NumberValidity {
        code: crate::number::check_format(number.trim(), cfg)
            .err()
            .unwrap_or(0),
    })
}

/// The village through which scope (D9) reaches an insuree, given its family row (`family` is
/// the row of `i.family_id`, when there is one): the current village, else the family's village.
/// A current insuree is reached only through a current family, as in the lists; a deleted
/// insuree keeps the family it was deleted with (deleting a family with its members deletes both
/// at once), so that its district still sees its history. `None` (no village, no usable family:
/// an insuree removed from its family, say) is open to unrestricted users only.
pub fn insuree_location(i: &insuree::Model, family: Option<&family::Model>) -> Option<i64> {
    if let Some(v) = i.current_village_id {
        return Some(v);
    }
    let f = family.filter(|f| Some(f.id) == i.family_id)?;
    (f.validity_to.is_none() || i.validity_to.is_some()).then_some(f.location_id)
}

/// The village through which scope reaches an insuree (see [`insuree_location`]).
async fn village_of(conn: &impl ConnectionTrait, i: &insuree::Model) -> AppResult<Option<i64>> {
    if let Some(v) = i.current_village_id {
        return Ok(Some(v));
    }
    let Some(f) = i.family_id else {
        return Ok(None);
    };
    let fam = family::Entity::find_by_id(f).one(conn).await?;
    Ok(insuree_location(i, fam.as_ref()))
}

/// Whether an insuree is within the caller's locations (D9). An insuree without a location
/// (no village, no current family) is within reach of unrestricted users only.
pub async fn insuree_in_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    i: &insuree::Model,
) -> AppResult<bool> {
    if p.scope.unrestricted {
        return Ok(true);
    }
    let village = village_of(conn, i).await?;
    p.scope.allows(conn, village).await
}

/// Refuses an insuree outside the caller's locations (D9).
pub async fn check_insuree_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    i: &insuree::Model,
) -> AppResult<()> {
    if insuree_in_scope(conn, p, i).await? {
        Ok(())
    } else {
        Err(AppError::location_denied())
    }
}

pub async fn check_family_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    f: &family::Model,
) -> AppResult<()> {
    if p.scope.allows(conn, Some(f.location_id)).await? {
        Ok(())
    } else {
        Err(AppError::location_denied())
    }
}

async fn location_type(conn: &impl ConnectionTrait, id: i64) -> AppResult<Option<String>> {
    let row = conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            "SELECT type FROM core_location WHERE id = ? AND validity_to IS NULL",
            vec![id.into()],
        ))
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("", "type")?),
        None => None,
    })
}

async fn check_village(
    conn: &impl ConnectionTrait,
    p: &Principal,
    id: i64,
    field: &str,
) -> AppResult<()> {
    if location_type(conn, id).await?.as_deref() != Some("V") {
        return Err(AppError::validation("insuree.village_invalid")
            .with("field", field)
            .with("id", id));
    }
    if !p.scope.allows(conn, Some(id)).await? {
        return Err(AppError::location_denied());
    }
    Ok(())
}

pub async fn find_family(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<family::Model> {
    family::Entity::find()
        .filter(family::Column::Uuid.eq(uuid))
        .filter(family::Column::ValidityTo.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("family"))
}

pub async fn find_insuree(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<insuree::Model> {
    insuree::Entity::find()
        .filter(insuree::Column::Uuid.eq(uuid))
        .filter(insuree::Column::ValidityTo.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("insuree"))
}

/// The current family whose `column` is `value`, read under a row lock held until the
/// transaction ends. Every read-modify-write of a versioned row reads it with `LockType::Update`,
/// so that concurrent writers queue and each one saves the version the previous one wrote (D7);
/// a family an insuree joins or leaves is read with `LockType::Share`, so that it cannot change
/// or be deleted meanwhile. `FOR UPDATE`/`FOR SHARE` on PostgreSQL; SQLite writers are already
/// serialised by `Db::begin_write`.
async fn locked_family(
    tx: &DatabaseTransaction,
    column: family::Column,
    value: impl Into<sea_orm::Value>,
    lock: LockType,
) -> AppResult<family::Model> {
    family::Entity::find()
        .filter(column.eq(value.into()))
        .filter(family::Column::ValidityTo.is_null())
        .lock(lock)
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("family"))
}

async fn lock_family(tx: &DatabaseTransaction, uuid: Uuid) -> AppResult<family::Model> {
    locked_family(tx, family::Column::Uuid, uuid, LockType::Update).await
}

/// The current insuree with this uuid, locked until the transaction ends (see [`locked_family`]).
async fn lock_insuree(tx: &DatabaseTransaction, uuid: Uuid) -> AppResult<insuree::Model> {
    insuree::Entity::find()
        .filter(insuree::Column::Uuid.eq(uuid))
        .filter(insuree::Column::ValidityTo.is_null())
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("insuree"))
}

/// The current insuree with this id, locked until the transaction ends.
async fn lock_insuree_by_id(
    tx: &DatabaseTransaction,
    id: i64,
) -> AppResult<Option<insuree::Model>> {
    Ok(insuree::Entity::find_by_id(id)
        .filter(insuree::Column::ValidityTo.is_null())
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// A write refused by a unique index: a concurrent transaction took the insurance number or the
/// uuid after this one checked them (PostgreSQL; SQLite writers are serialised). The business
/// error, not `internal`.
fn unique_violation(e: DbErr, chf_id: &str, uuid: Option<Uuid>) -> AppError {
    imis_core::error::unique_or(
        e,
        &["ux_insuree_chf_id", "insuree_insuree.chf_id"],
        uuid,
        || AppError::conflict("insuree.number_taken").with("chfId", chf_id.trim()),
    )
}

fn optional_len(value: &Option<String>, field: &str, max: usize) -> AppResult<()> {
    match value {
        Some(v) if v.chars().count() > max => Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// Validates an insuree's fields; `existing` is the current row on update.
async fn validate_insuree(
    m: &MutationCtx<'_>,
    p: &Principal,
    input: &InsureeInput,
    existing: Option<&insuree::Model>,
) -> AppResult<()> {
    let tx = &**m.tx;
    let cfg = config(m.state);
    for (value, field) in [
        (&input.last_name, "lastName"),
        (&input.other_names, "otherNames"),
    ] {
        if value.trim().is_empty() || value.chars().count() > 100 {
            return Err(AppError::invalid(field, "required, at most 100 characters"));
        }
    }
    if !codes::has_code(codes::GENDERS, &input.gender) {
        return Err(AppError::invalid("genderId", "unknown gender"));
    }
    let dob = input
        .dob
        .ok_or_else(|| AppError::invalid("dob", "required"))?;
    if dob > m.state.clock.today() {
        return Err(AppError::validation("insuree.dob_in_future"));
    }
    if let Some(v) = &input.marital
        && !codes::has_code(codes::MARITAL, v)
    {
        return Err(AppError::invalid("marital", "unknown code"));
    }
    if let Some(v) = &input.type_of_id
        && !codes::has_code(codes::IDENTIFICATION_TYPES, v)
    {
        return Err(AppError::invalid("typeOfIdId", "unknown code"));
    }
    for (value, list, field) in [
        (input.relationship, codes::RELATIONS, "relationshipId"),
        (input.profession, codes::PROFESSIONS, "professionId"),
        (input.education, codes::EDUCATIONS, "educationId"),
    ] {
        if let Some(v) = value
            && !codes::has_id(list, v)
        {
            return Err(AppError::invalid(field, "unknown code"));
        }
    }
    optional_len(&input.passport, "passport", 25)?;
    optional_len(&input.phone, "phone", 50)?;
    optional_len(&input.email, "email", 100)?;
    optional_len(&input.current_address, "currentAddress", 200)?;
    let status = input.status.as_deref().unwrap_or("AC");
    if !codes::STATUSES.contains(&status) {
        return Err(AppError::invalid("status", "one of AC, IN, DE"));
    }
    if status != "AC" {
        let reason = input
            .status_reason
            .as_deref()
            .ok_or_else(|| AppError::validation("insuree.wrong_status"))?;
        let row = tx
            .query_one_raw(stmt(
                tx.get_database_backend(),
                "SELECT status_type FROM insuree_status_reason WHERE code = ? AND validity_to IS NULL",
                vec![reason.into()],
            ))
            .await?;
        let ok = match row {
            Some(r) => r.try_get::<String>("", "status_type")? == status,
            None => false,
        };
        if !ok {
            return Err(AppError::validation("insuree.wrong_status"));
        }
    }
    if let Some(v) = input.current_village_id {
        check_village(tx, p, v, "currentVillageId").await?;
    }
    match input.health_facility_id {
        Some(hf) => {
            let row = tx
                .query_one_raw(stmt(
                    tx.get_database_backend(),
                    "SELECT id FROM core_health_facility WHERE id = ? AND validity_to IS NULL",
                    vec![hf.into()],
                ))
                .await?;
            if row.is_none() {
                return Err(AppError::not_found("health facility"));
            }
        }
        None if cfg.fsp_mandatory => return Err(AppError::validation("insuree.fsp_required")),
        None => {}
    }
    let has_photo = input
        .photo
        .as_ref()
        .is_some_and(|ph| ph.base64.as_deref().is_some_and(|b| !b.is_empty()))
        || existing.is_some_and(|e| e.photo_id.is_some());
    if cfg.photo_required && !has_photo {
        return Err(AppError::validation("insuree.photo_required"));
    }
    let validity = number_validity(tx, &cfg, &input.chf_id, existing.map(|e| e.uuid)).await?;
    if validity.code != 0 {
        let code = crate::number::error_code_name(validity.code);
        let kind = if validity.code == 1 {
            ErrorKind::Conflict
        } else {
            ErrorKind::Validation
        };
        return Err(AppError::new(kind, code).with("chfId", input.chf_id.trim()));
    }
    Ok(())
}

fn apply_insuree(a: &mut insuree::ActiveModel, input: &InsureeInput) {
    a.chf_id = Set(input.chf_id.trim().to_string());
    a.last_name = Set(input.last_name.trim().to_string());
    a.other_names = Set(input.other_names.trim().to_string());
    a.last_name_search = Set(imis_core::text::fold(input.last_name.trim()));
    a.other_names_search = Set(imis_core::text::fold(input.other_names.trim()));
    a.gender = Set(input.gender.clone());
    a.dob = Set(input.dob.unwrap_or_default());
    a.marital = Set(input.marital.clone());
    a.passport = Set(input.passport.clone());
    a.phone = Set(input.phone.clone());
    a.email = Set(input.email.clone());
    a.current_address = Set(input.current_address.clone());
    a.geolocation = Set(input.geolocation.clone());
    a.current_village_id = Set(input.current_village_id);
    a.card_issued = Set(input.card_issued);
    a.relationship = Set(input.relationship);
    a.profession = Set(input.profession);
    a.education = Set(input.education);
    a.type_of_id = Set(input.type_of_id.clone());
    a.health_facility_id = Set(input.health_facility_id);
    a.offline = Set(input.offline);
    a.json_ext = Set(input.json_ext.clone());
    a.status = Set(input.status.clone().unwrap_or_else(|| "AC".into()));
    a.status_reason = Set(if input.status.as_deref().unwrap_or("AC") == "AC" {
        None
    } else {
        input.status_reason.clone()
    });
    a.status_date = Set(input.status_date);
}

/// Detects the image type of a photo; only JPEG and PNG are accepted.
fn photo_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        Some("png")
    } else {
        None
    }
}

/// Stores a new photo for an insuree: the file goes to the file store (renamed after commit),
/// the metadata row is written, the previous photo row is closed with history (D7, D29).
async fn save_photo(
    m: &mut MutationCtx<'_>,
    ins: &insuree::Model,
    input: &PhotoInput,
) -> AppResult<Option<(i64, NaiveDate)>> {
    let Some(b64) = input.base64.as_deref().filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    let cfg = config(m.state);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(
            b64.trim()
                .trim_start_matches("data:image/jpeg;base64,")
                .trim_start_matches("data:image/png;base64,"),
        )
        .map_err(|_| AppError::validation("insuree.photo_invalid"))?;
    if bytes.len() > cfg.photo_max_bytes {
        return Err(
            AppError::validation("insuree.photo_too_large").with("max", cfg.photo_max_bytes)
        );
    }
    let ext =
        photo_extension(&bytes).ok_or_else(|| AppError::validation("insuree.photo_invalid"))?;
    let today = m.state.clock.today();
    let date = input.date.unwrap_or(today);
    let folder = format!("insuree/photos/{}", today.format("%Y/%m"));
    let staged = m.state.files.stage(&folder, ext, &bytes).await?;
    let filename = staged
        .key
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let now = m.state.clock.now();
    let previous = photo::Entity::find()
        .filter(photo::Column::InsureeId.eq(ins.id))
        .filter(photo::Column::ValidityTo.is_null())
        .lock_exclusive()
        .all(&**m.tx)
        .await?;
    for old in previous {
        imis_core::history::save(
            m.tx,
            "insuree_photo",
            old.id,
            &old,
            old.validity_from,
            now,
            m.actor(),
        )
        .await?;
        let mut a = old.into_active_model();
        a.validity_to = Set(Some(now));
        a.update(&**m.tx).await?;
    }
    let row = photo::ActiveModel {
        uuid: Set(Uuid::now_v7()),
        insuree_id: Set(ins.id),
        chf_id: Set(Some(ins.chf_id.clone())),
        folder: Set(Some(folder)),
        filename: Set(Some(filename)),
        officer_id: Set(input.officer_id),
        date: Set(Some(date)),
        validity_from: Set(now),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    }
    .insert(&**m.tx)
    .await?;
    m.stage_file(staged);
    Ok(Some((row.id, date)))
}

/// Inserts an insuree (no rights check: callers check), with its photo.
async fn insert_insuree(
    m: &mut MutationCtx<'_>,
    input: &InsureeInput,
    family_id: Option<i64>,
    head: bool,
) -> AppResult<insuree::Model> {
    let now = m.state.clock.now();
    let mut a = insuree::ActiveModel {
        uuid: Set(input.uuid.unwrap_or_else(Uuid::now_v7)),
        family_id: Set(family_id),
        head: Set(head),
        validity_from: Set(now),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    };
    apply_insuree(&mut a, input);
    let ins = a
        .insert(&**m.tx)
        .await
        .map_err(|e| unique_violation(e, &input.chf_id, input.uuid))?;
    if let Some(ph) = &input.photo
        && let Some((photo_id, date)) = save_photo(m, &ins, ph).await?
    {
        let mut a = ins.into_active_model();
        a.photo_id = Set(Some(photo_id));
        a.photo_date = Set(Some(date));
        return Ok(a.update(&**m.tx).await?);
    }
    Ok(ins)
}

fn same_insuree(existing: &insuree::Model, input: &InsureeInput) -> bool {
    existing.chf_id == input.chf_id.trim()
        && existing.last_name == input.last_name.trim()
        && existing.other_names == input.other_names.trim()
        && Some(existing.dob) == input.dob
}

/// D4: a create carrying an existing uuid returns it when the content matches and the caller may
/// see it (D9). Otherwise `conflict.uuid_exists`, the same answer whatever the reason: another
/// district's uuid tells nothing about its row and gives no internalId.
async fn existing_by_uuid(
    conn: &impl ConnectionTrait,
    p: &Principal,
    input: &InsureeInput,
) -> AppResult<Option<insuree::Model>> {
    let Some(uuid) = input.uuid else {
        return Ok(None);
    };
    match insuree::Entity::find()
        .filter(insuree::Column::Uuid.eq(uuid))
        .one(conn)
        .await?
    {
        Some(e) if same_insuree(&e, input) && insuree_in_scope(conn, p, &e).await? => Ok(Some(e)),
        Some(_) => Err(AppError::conflict("conflict.uuid_exists").with("uuid", uuid)),
        None => Ok(None),
    }
}

async fn validate_family(m: &MutationCtx<'_>, p: &Principal, input: &FamilyInput) -> AppResult<()> {
    check_village(&**m.tx, p, input.location_id, "locationId").await?;
    if let Some(t) = &input.family_type
        && !codes::has_code(codes::FAMILY_TYPES, t)
    {
        return Err(AppError::invalid("familyTypeId", "unknown code"));
    }
    if let Some(t) = &input.confirmation_type {
        let Some((_, _, _, number_required)) =
            codes::CONFIRMATION_TYPES.iter().find(|(c, ..)| c == t)
        else {
            return Err(AppError::invalid("confirmationTypeId", "unknown code"));
        };
        if *number_required
            && input
                .confirmation_no
                .as_deref()
                .is_none_or(|n| n.trim().is_empty())
        {
            return Err(AppError::validation("insuree.confirmation_no_required"));
        }
    }
    optional_len(&input.address, "address", 200)?;
    optional_len(&input.confirmation_no, "confirmationNo", 12)?;
    Ok(())
}

fn apply_family(a: &mut family::ActiveModel, input: &FamilyInput) {
    a.location_id = Set(input.location_id);
    a.poverty = Set(input.poverty);
    a.family_type = Set(input.family_type.clone());
    a.address = Set(input.address.clone());
    a.is_offline = Set(input.is_offline);
    a.ethnicity = Set(input.ethnicity.clone());
    a.confirmation_no = Set(input.confirmation_no.clone());
    a.confirmation_type = Set(input.confirmation_type.clone());
    a.json_ext = Set(input.json_ext.clone());
}

async fn publish<T: serde::Serialize>(
    m: &MutationCtx<'_>,
    name: &str,
    payload: &T,
) -> AppResult<()> {
    m.publish(name, serde_json::to_value(payload)?).await
}

/// `createFamily` (101002): the head is created first, then the family, then the head joins it.
pub async fn create_family(
    m: &mut MutationCtx<'_>,
    input: FamilyInput,
) -> AppResult<family::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_FAMILY_ADD]))?;
    if let Some(uuid) = input.uuid
        && let Some(existing) = family::Entity::find()
            .filter(family::Column::Uuid.eq(uuid))
            .one(&**m.tx)
            .await?
    {
        let head = insuree::Entity::find_by_id(existing.head_insuree_id)
            .one(&**m.tx)
            .await?;
        let same = existing.location_id == input.location_id
            && head
                .as_ref()
                .zip(input.head.as_ref())
                .is_some_and(|(h, i)| h.chf_id == i.chf_id.trim());
        // D4 only for a family the caller may see (D9): otherwise the same conflict as for a
        // content mismatch, never its internalId.
        return if same && p.scope.allows(&**m.tx, Some(existing.location_id)).await? {
            Ok(existing)
        } else {
            Err(AppError::conflict("conflict.uuid_exists").with("uuid", uuid))
        };
    }
    let head_input = input
        .head
        .clone()
        .ok_or_else(|| AppError::validation("insuree.family_head_required"))?;
    validate_family(m, p, &input).await?;
    if existing_by_uuid(&**m.tx, p, &head_input).await?.is_some() {
        return Err(AppError::conflict("conflict.uuid_exists").with(
            "uuid",
            head_input.uuid.map(|u| u.to_string()).unwrap_or_default(),
        ));
    }
    validate_insuree(m, p, &head_input, None).await?;
    let head = insert_insuree(m, &head_input, None, true).await?;
    let mut a = family::ActiveModel {
        uuid: Set(input.uuid.unwrap_or_else(Uuid::now_v7)),
        head_insuree_id: Set(head.id),
        validity_from: Set(m.state.clock.now()),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    };
    apply_family(&mut a, &input);
    let fam = a
        .insert(&**m.tx)
        .await
        .map_err(|e| unique_violation(e, &head_input.chf_id, input.uuid))?;
    let mut h = head.into_active_model();
    h.family_id = Set(Some(fam.id));
    let head = h.update(&**m.tx).await?;
    m.link("family", fam.id);
    m.link("insuree", head.id);
    publish(
        m,
        INSUREE_ADDED,
        &InsureeAdded {
            insuree_id: head.id,
            family_id: fam.id,
            add_on_existing_policy: true,
        },
    )
    .await?;
    Ok(fam)
}

/// `updateFamily` (101003): complete update with history; the head's fields too when given.
pub async fn update_family(
    m: &mut MutationCtx<'_>,
    uuid: Option<Uuid>,
    input: FamilyInput,
) -> AppResult<family::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_FAMILY_EDIT]))?;
    let uuid = uuid.ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let existing = lock_family(m.tx, uuid).await?;
    check_family_scope(&**m.tx, p, &existing).await?;
    validate_family(m, p, &input).await?;
    let now = m.state.clock.now();
    imis_core::history::save(
        m.tx,
        "family",
        existing.id,
        &existing,
        existing.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let mut a = existing.clone().into_active_model();
    apply_family(&mut a, &input);
    a.validity_from = Set(now);
    a.audit_user_id = Set(m.actor());
    let fam = a.update(&**m.tx).await?;
    if let Some(head_input) = &input.head {
        let head = lock_insuree_by_id(m.tx, fam.head_insuree_id)
            .await?
            .ok_or_else(|| AppError::not_found("insuree"))?;
        write_insuree_update(m, p, head, head_input.clone()).await?;
    }
    m.link("family", fam.id);
    Ok(fam)
}

/// `deleteFamilies` (101004): members are deleted or detached, then the family is deleted.
pub async fn delete_families(
    m: &mut MutationCtx<'_>,
    uuids: &[Uuid],
    delete_members: bool,
) -> AppResult<usize> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_FAMILY_DELETE]))?;
    let now = m.state.clock.now();
    for uuid in uuids {
        let fam = lock_family(m.tx, *uuid).await?;
        check_family_scope(&**m.tx, p, &fam).await?;
        let members = insuree::Entity::find()
            .filter(insuree::Column::FamilyId.eq(fam.id))
            .filter(insuree::Column::ValidityTo.is_null())
            .order_by_desc(insuree::Column::Head)
            .order_by_asc(insuree::Column::Dob)
            .order_by_asc(insuree::Column::Id)
            .lock_exclusive()
            .all(&**m.tx)
            .await?;
        for member in members {
            let id = member.id;
            imis_core::history::save(
                m.tx,
                "insuree",
                id,
                &member,
                member.validity_from,
                now,
                m.actor(),
            )
            .await?;
            let mut a = member.into_active_model();
            a.audit_user_id = Set(m.actor());
            if delete_members {
                a.validity_to = Set(Some(now));
                a.update(&**m.tx).await?;
                publish(
                    m,
                    INSUREE_DELETED,
                    &InsureeDeleted {
                        insuree_id: id,
                        family_id: Some(fam.id),
                    },
                )
                .await?;
            } else {
                a.family_id = Set(None);
                a.head = Set(false);
                a.validity_from = Set(now);
                a.update(&**m.tx).await?;
                publish(
                    m,
                    INSUREE_REMOVED,
                    &InsureeRemoved {
                        insuree_id: id,
                        family_id: fam.id,
                        cancel_policies: false,
                    },
                )
                .await?;
            }
            m.link("insuree", id);
        }
        imis_core::history::save(
            m.tx,
            "family",
            fam.id,
            &fam,
            fam.validity_from,
            now,
            m.actor(),
        )
        .await?;
        let id = fam.id;
        let mut a = fam.into_active_model();
        a.validity_to = Set(Some(now));
        a.audit_user_id = Set(m.actor());
        a.update(&**m.tx).await?;
        m.link("family", id);
    }
    Ok(uuids.len())
}

/// Current members of a family, head first then by date of birth.
pub async fn members_of(
    conn: &impl ConnectionTrait,
    family_id: i64,
) -> AppResult<Vec<insuree::Model>> {
    Ok(insuree::Entity::find()
        .filter(insuree::Column::FamilyId.eq(family_id))
        .filter(insuree::Column::ValidityTo.is_null())
        .order_by_desc(insuree::Column::Head)
        .order_by_asc(insuree::Column::Dob)
        .order_by_asc(insuree::Column::Id)
        .all(conn)
        .await?)
}

/// `createInsuree` (101102): a member of an existing family (or none).
pub async fn create_insuree(
    m: &mut MutationCtx<'_>,
    input: InsureeInput,
    add_on_existing_policy: bool,
) -> AppResult<insuree::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_INSUREE_ADD]))?;
    if let Some(existing) = existing_by_uuid(&**m.tx, p, &input).await? {
        return Ok(existing);
    }
    if let Some(fid) = input.family_id {
        let fam = locked_family(m.tx, family::Column::Id, fid, LockType::Share).await?;
        check_family_scope(&**m.tx, p, &fam).await?;
    } else if input.current_village_id.is_none() && !p.scope.unrestricted {
        // A restricted user reaches an insuree only through a village.
        return Err(AppError::location_denied());
    }
    validate_insuree(m, p, &input, None).await?;
    let ins = insert_insuree(m, &input, input.family_id, false).await?;
    m.link("insuree", ins.id);
    if let Some(fid) = ins.family_id {
        publish(
            m,
            INSUREE_ADDED,
            &InsureeAdded {
                insuree_id: ins.id,
                family_id: fid,
                add_on_existing_policy,
            },
        )
        .await?;
    }
    Ok(ins)
}

/// The shared part of an insuree update: history, complete replace of the fields (family and
/// head flag are kept: they change through their own mutations), photo, status event.
async fn write_insuree_update(
    m: &mut MutationCtx<'_>,
    p: &Principal,
    existing: insuree::Model,
    input: InsureeInput,
) -> AppResult<insuree::Model> {
    validate_insuree(m, p, &input, Some(&existing)).await?;
    let now = m.state.clock.now();
    imis_core::history::save(
        m.tx,
        "insuree",
        existing.id,
        &existing,
        existing.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let status_changed = existing.status != input.status.clone().unwrap_or_else(|| "AC".into())
        || existing.status_date != input.status_date;
    let mut a = existing.clone().into_active_model();
    apply_insuree(&mut a, &input);
    a.validity_from = Set(now);
    a.audit_user_id = Set(m.actor());
    let mut ins = a
        .update(&**m.tx)
        .await
        .map_err(|e| unique_violation(e, &input.chf_id, input.uuid))?;
    if let Some(ph) = &input.photo
        && let Some((photo_id, date)) = save_photo(m, &ins, ph).await?
    {
        let mut a = ins.into_active_model();
        a.photo_id = Set(Some(photo_id));
        a.photo_date = Set(Some(date));
        ins = a.update(&**m.tx).await?;
    }
    if status_changed {
        publish(
            m,
            INSUREE_STATUS_CHANGED,
            &InsureeStatusChanged {
                insuree_id: ins.id,
                status: ins.status.clone(),
                status_date: ins.status_date,
            },
        )
        .await?;
    }
    m.link("insuree", ins.id);
    Ok(ins)
}

/// `updateInsuree` (101103, D8).
pub async fn update_insuree(
    m: &mut MutationCtx<'_>,
    uuid: Option<Uuid>,
    input: InsureeInput,
) -> AppResult<insuree::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_INSUREE_EDIT]))?;
    let uuid = uuid.ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let existing = lock_insuree(m.tx, uuid).await?;
    check_insuree_scope(&**m.tx, p, &existing).await?;
    write_insuree_update(m, p, existing, input).await
}

/// `removeInsurees` (101104): members leave their family (never the head).
pub async fn remove_insurees(
    m: &mut MutationCtx<'_>,
    family_uuid: Option<Uuid>,
    uuids: &[Uuid],
    cancel_policies: bool,
) -> AppResult<usize> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_INSUREE_DELETE]))?;
    let family = match family_uuid {
        Some(u) => Some(locked_family(m.tx, family::Column::Uuid, u, LockType::Share).await?),
        None => None,
    };
    let now = m.state.clock.now();
    for uuid in uuids {
        let ins = lock_insuree(m.tx, *uuid).await?;
        check_insuree_scope(&**m.tx, p, &ins).await?;
        let Some(fid) = ins.family_id else {
            return Err(AppError::validation("insuree.not_in_family"));
        };
        if family.as_ref().is_some_and(|f| f.id != fid) {
            return Err(AppError::validation("insuree.not_in_family"));
        }
        if ins.head {
            return Err(AppError::validation("insuree.cannot_remove_head"));
        }
        imis_core::history::save(
            m.tx,
            "insuree",
            ins.id,
            &ins,
            ins.validity_from,
            now,
            m.actor(),
        )
        .await?;
        let id = ins.id;
        let mut a = ins.into_active_model();
        a.family_id = Set(None);
        a.validity_from = Set(now);
        a.audit_user_id = Set(m.actor());
        a.update(&**m.tx).await?;
        publish(
            m,
            INSUREE_REMOVED,
            &InsureeRemoved {
                insuree_id: id,
                family_id: fid,
                cancel_policies,
            },
        )
        .await?;
        m.link("insuree", id);
    }
    Ok(uuids.len())
}

/// `deleteInsurees` (101104): soft delete (never the head).
pub async fn delete_insurees(m: &mut MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<usize> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_INSUREE_DELETE]))?;
    let now = m.state.clock.now();
    for uuid in uuids {
        let ins = lock_insuree(m.tx, *uuid).await?;
        check_insuree_scope(&**m.tx, p, &ins).await?;
        if ins.head {
            return Err(AppError::validation("insuree.cannot_delete_head"));
        }
        imis_core::history::save(
            m.tx,
            "insuree",
            ins.id,
            &ins,
            ins.validity_from,
            now,
            m.actor(),
        )
        .await?;
        let (id, family_id) = (ins.id, ins.family_id);
        let mut a = ins.into_active_model();
        a.validity_to = Set(Some(now));
        a.audit_user_id = Set(m.actor());
        a.update(&**m.tx).await?;
        publish(
            m,
            INSUREE_DELETED,
            &InsureeDeleted {
                insuree_id: id,
                family_id,
            },
        )
        .await?;
        m.link("insuree", id);
    }
    Ok(uuids.len())
}

/// `setFamilyHead` (101003).
pub async fn set_family_head(
    m: &mut MutationCtx<'_>,
    family_uuid: Uuid,
    insuree_uuid: Uuid,
) -> AppResult<family::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_FAMILY_EDIT]))?;
    let fam = lock_family(m.tx, family_uuid).await?;
    check_family_scope(&**m.tx, p, &fam).await?;
    let new_head = lock_insuree(m.tx, insuree_uuid).await?;
    if new_head.family_id != Some(fam.id) {
        return Err(AppError::validation("insuree.not_in_family"));
    }
    if new_head.id == fam.head_insuree_id {
        return Ok(fam);
    }
    let now = m.state.clock.now();
    for (ins, head) in [
        (lock_insuree_by_id(m.tx, fam.head_insuree_id).await?, false),
        (Some(new_head.clone()), true),
    ] {
        let Some(ins) = ins else { continue };
        imis_core::history::save(
            m.tx,
            "insuree",
            ins.id,
            &ins,
            ins.validity_from,
            now,
            m.actor(),
        )
        .await?;
        let mut a = ins.into_active_model();
        a.head = Set(head);
        a.validity_from = Set(now);
        a.audit_user_id = Set(m.actor());
        a.update(&**m.tx).await?;
    }
    imis_core::history::save(
        m.tx,
        "family",
        fam.id,
        &fam,
        fam.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let mut a = fam.into_active_model();
    a.head_insuree_id = Set(new_head.id);
    a.validity_from = Set(now);
    a.audit_user_id = Set(m.actor());
    let fam = a.update(&**m.tx).await?;
    m.link("family", fam.id);
    Ok(fam)
}

/// `changeInsureeFamily` (101003 and 101103): moves a member (never a head) to another family.
pub async fn change_insuree_family(
    m: &mut MutationCtx<'_>,
    family_uuid: Uuid,
    insuree_uuid: Uuid,
    cancel_policies: bool,
) -> AppResult<insuree::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_FAMILY_EDIT]))?;
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_INSUREE_EDIT]))?;
    let target = locked_family(m.tx, family::Column::Uuid, family_uuid, LockType::Share).await?;
    check_family_scope(&**m.tx, p, &target).await?;
    let ins = lock_insuree(m.tx, insuree_uuid).await?;
    check_insuree_scope(&**m.tx, p, &ins).await?;
    if ins.family_id == Some(target.id) {
        return Ok(ins);
    }
    if ins.head {
        return Err(AppError::validation("insuree.cannot_move_head"));
    }
    let now = m.state.clock.now();
    imis_core::history::save(
        m.tx,
        "insuree",
        ins.id,
        &ins,
        ins.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let from = ins.family_id;
    let mut a = ins.into_active_model();
    a.family_id = Set(Some(target.id));
    a.validity_from = Set(now);
    a.audit_user_id = Set(m.actor());
    let ins = a.update(&**m.tx).await?;
    publish(
        m,
        INSUREE_MOVED,
        &InsureeMoved {
            insuree_id: ins.id,
            from_family_id: from,
            to_family_id: target.id,
            cancel_policies,
        },
    )
    .await?;
    publish(
        m,
        INSUREE_ADDED,
        &InsureeAdded {
            insuree_id: ins.id,
            family_id: target.id,
            add_on_existing_policy: true,
        },
    )
    .await?;
    m.link("insuree", ins.id);
    Ok(ins)
}

/// The photo of an insuree as base64, read from the file store.
pub async fn photo_base64(state: &AppState, p: &photo::Model) -> AppResult<Option<String>> {
    let (Some(folder), Some(file)) = (&p.folder, &p.filename) else {
        return Ok(None);
    };
    let bytes = state.files.read(&format!("{folder}/{file}")).await?;
    Ok(Some(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

// ---------------------------------------------------------------------------------------------
// Public look-ups for other modules (the policy module's coverage, eligibility and scope)
// ---------------------------------------------------------------------------------------------

/// The current insuree with this insurance number.
pub async fn find_by_chf_id(
    conn: &impl ConnectionTrait,
    chf_id: &str,
) -> AppResult<Option<insuree::Model>> {
    Ok(insuree::Entity::find()
        .filter(insuree::Column::ChfId.eq(chf_id.trim()))
        .filter(insuree::Column::ValidityTo.is_null())
        .one(conn)
        .await?)
}

/// The current family with this id.
pub async fn find_family_by_id(
    conn: &impl ConnectionTrait,
    id: i64,
) -> AppResult<Option<family::Model>> {
    Ok(family::Entity::find_by_id(id)
        .filter(family::Column::ValidityTo.is_null())
        .one(conn)
        .await?)
}

/// Families by id, whatever their validity (for nested GraphQL fields and scope checks).
pub async fn families_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, family::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(family::Entity::find()
        .filter(family::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect())
}

/// Insurees by id, whatever their validity.
pub async fn insurees_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, insuree::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for i in insuree::Entity::find()
            .filter(insuree::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(i.id, i);
        }
    }
    Ok(out)
}

/// The village an insuree is located in for scope (D9): their current village, else the family's.
pub async fn insuree_village(
    conn: &impl ConnectionTrait,
    i: &insuree::Model,
) -> AppResult<Option<i64>> {
    village_of(conn, i).await
}

/// SQL (no parameters) selecting the ids of current families located in `villages`: lets another
/// module restrict its rows to families in scope (D9) without reading insuree tables itself.
pub fn families_in_locations_sql(villages: &[i64]) -> String {
    let list = imis_core::text::ids_sql(villages.iter().copied());
    format!("SELECT id FROM insuree_family WHERE validity_to IS NULL AND location_id IN ({list})")
}

/// SQL (no parameters) giving the number of current members of the family whose id is the SQL
/// expression `family_id_expr`.
pub fn family_member_count_sql(family_id_expr: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM insuree_insuree WHERE family_id = {family_id_expr} AND validity_to IS NULL)"
    )
}
