//! Insurees: number validity (D18), validation, `createInsuree`, `updateInsuree`,
//! `removeInsurees`, `deleteInsurees`.

use super::*;

/// The result of `insureeNumberValidity` (code 0 = valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberValidity {
    pub code: i32,
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
        .current();
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

/// Validates an insuree's fields; `existing` is the current row on update.
pub(crate) async fn validate_insuree(
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
        let reason_type: Option<String> = crate::entity::status_reason::Entity::find()
            .select_only()
            .column(crate::entity::status_reason::Column::StatusType)
            .filter(crate::entity::status_reason::Column::Code.eq(reason))
            .current()
            .into_tuple()
            .one(tx)
            .await?;
        let ok = reason_type.as_deref() == Some(status);
        if !ok {
            return Err(AppError::validation("insuree.wrong_status"));
        }
    }
    if let Some(v) = input.current_village_id {
        check_village(tx, p, v, "currentVillageId").await?;
    }
    match input.health_facility_id {
        Some(hf) if !imis_core::registers::health_facility_exists(tx, hf).await? => {
            return Err(AppError::not_found("health facility"));
        }
        Some(_) => {}
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

pub(crate) fn apply_insuree(a: &mut insuree::ActiveModel, input: &InsureeInput) {
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

/// Inserts an insuree (no rights check: callers check), with its photo.
pub(crate) async fn insert_insuree(
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
    with_photo(m, ins, input).await
}

/// Stores the input's photo, if any, and links it to the insuree's row.
async fn with_photo(
    m: &mut MutationCtx<'_>,
    ins: insuree::Model,
    input: &InsureeInput,
) -> AppResult<insuree::Model> {
    let Some(ph) = &input.photo else {
        return Ok(ins);
    };
    let Some((photo_id, date)) = save_photo(m, &ins, ph).await? else {
        return Ok(ins);
    };
    let mut a = ins.into_active_model();
    a.photo_id = Set(Some(photo_id));
    a.photo_date = Set(Some(date));
    Ok(a.update(&**m.tx).await?)
}

pub(crate) fn same_insuree(existing: &insuree::Model, input: &InsureeInput) -> bool {
    existing.chf_id == input.chf_id.trim()
        && existing.last_name == input.last_name.trim()
        && existing.other_names == input.other_names.trim()
        && Some(existing.dob) == input.dob
}

/// D4: a create carrying an existing uuid returns it when the content matches and the caller may
/// see it (D9). Otherwise `conflict.uuid_exists`, the same answer whatever the reason: another
/// district's uuid tells nothing about its row and gives no internalId.
pub(crate) async fn existing_by_uuid(
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
pub(crate) async fn write_insuree_update(
    m: &mut MutationCtx<'_>,
    p: &Principal,
    existing: insuree::Model,
    input: InsureeInput,
) -> AppResult<insuree::Model> {
    validate_insuree(m, p, &input, Some(&existing)).await?;
    let now = m.state.clock.now();
    let status_changed = existing.status != input.status.clone().unwrap_or_else(|| "AC".into())
        || existing.status_date != input.status_date;
    let mut a: insuree::ActiveModel =
        new_version(m.tx, "insuree", existing.clone(), now, m.actor()).await?;
    apply_insuree(&mut a, &input);
    let ins = a
        .update(&**m.tx)
        .await
        .map_err(|e| unique_violation(e, &input.chf_id, input.uuid))?;
    let ins = with_photo(m, ins, &input).await?;
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
        let id = ins.id;
        let mut a: insuree::ActiveModel = new_version(m.tx, "insuree", ins, now, m.actor()).await?;
        a.family_id = Set(None);
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
        let (id, family_id) = (ins.id, ins.family_id);
        close_version::<insuree::ActiveModel>(m.tx, "insuree", ins, now, m.actor()).await?;
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
