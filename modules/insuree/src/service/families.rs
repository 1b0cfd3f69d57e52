//! Families: `createFamily`, `updateFamily`, `deleteFamilies`, `setFamilyHead`,
//! `changeInsureeFamily`.

use super::*;

pub(crate) async fn validate_family(
    m: &MutationCtx<'_>,
    p: &Principal,
    input: &FamilyInput,
) -> AppResult<()> {
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

pub(crate) fn apply_family(a: &mut family::ActiveModel, input: &FamilyInput) {
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
    let mut a: family::ActiveModel =
        new_version(m.tx, "family", existing.clone(), now, m.actor()).await?;
    apply_family(&mut a, &input);
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
            .current()
            .order_by_desc(insuree::Column::Head)
            .order_by_asc(insuree::Column::Dob)
            .order_by_asc(insuree::Column::Id)
            .lock_exclusive()
            .all(&**m.tx)
            .await?;
        for member in members {
            let id = member.id;
            if delete_members {
                close_version::<insuree::ActiveModel>(m.tx, "insuree", member, now, m.actor())
                    .await?;
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
                let mut a: insuree::ActiveModel =
                    new_version(m.tx, "insuree", member, now, m.actor()).await?;
                a.family_id = Set(None);
                a.head = Set(false);
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
        let id = fam.id;
        close_version::<family::ActiveModel>(m.tx, "family", fam, now, m.actor()).await?;
        m.link("family", id);
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
        let mut a: insuree::ActiveModel = new_version(m.tx, "insuree", ins, now, m.actor()).await?;
        a.head = Set(head);
        a.update(&**m.tx).await?;
    }
    let mut a: family::ActiveModel = new_version(m.tx, "family", fam, now, m.actor()).await?;
    a.head_insuree_id = Set(new_head.id);
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
    let from = ins.family_id;
    let mut a: insuree::ActiveModel = new_version(m.tx, "insuree", ins, now, m.actor()).await?;
    a.family_id = Set(Some(target.id));
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
