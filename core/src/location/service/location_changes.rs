//! Location writes: create, update, delete and move, with their validations.

use super::*;

/// Input of `createLocation` / `updateLocation`.
#[derive(Debug, Clone, Default)]
pub struct LocationInput {
    pub uuid: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub location_type: String,
    pub parent_uuid: Option<Uuid>,
    pub male_population: Option<i32>,
    pub female_population: Option<i32>,
    pub other_population: Option<i32>,
    pub families: Option<i32>,
}

pub(super) async fn current_location_by_uuid(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<location::Model> {
    location::Entity::find()
        .filter(location::Column::Uuid.eq(uuid))
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("location"))
}

/// The current locations among `ids`, read under their row locks top-down: by level (regions
/// first), then by id, so that two writes on overlapping subtrees lock in the same order. At most
/// one statement per level and 500 ids.
pub(super) async fn lock_locations_top_down(
    tx: &DatabaseTransaction,
    ids: &[i64],
) -> AppResult<Vec<location::Model>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for t in LOCATION_TYPES {
        for chunk in ids.chunks(500) {
            out.extend(
                location::Entity::find()
                    .filter(location::Column::Id.is_in(chunk.iter().copied()))
                    .filter(location::Column::LocationType.eq(t))
                    .current()
                    .order_by_asc(location::Column::Id)
                    .lock_exclusive()
                    .all(tx)
                    .await?,
            );
            if out.len() == ids.len() {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// Checks code, name, type and parent; returns the parent.
pub(super) async fn validate_location(
    conn: &impl ConnectionTrait,
    input: &LocationInput,
    except: Option<i64>,
) -> AppResult<Option<location::Model>> {
    check_len("code", &input.code, 8)?;
    check_len("name", &input.name, 50)?;
    let level = level_of(&input.location_type)
        .ok_or_else(|| AppError::validation("location.type_invalid"))?;
    for (field, v) in [
        ("malePopulation", input.male_population),
        ("femalePopulation", input.female_population),
        ("otherPopulation", input.other_population),
        ("families", input.families),
    ] {
        if v.is_some_and(|v| v < 0) {
            return Err(AppError::invalid(field, "must not be negative"));
        }
    }
    let parent = match input.parent_uuid {
        Some(u) => Some(
            current_location_by_uuid(conn, u)
                .await
                .map_err(|_| parent_invalid(&input.location_type))?,
        ),
        None => None,
    };
    let parent_ok = match (&parent, level) {
        (None, 0) => true,
        (Some(p), l) if l > 0 => level_of(&p.location_type) == Some(l - 1),
        _ => false,
    };
    if !parent_ok {
        return Err(parent_invalid(&input.location_type));
    }
    if code_taken::<location::Entity>(conn, &input.code, except).await? {
        return Err(code_taken_error::<location::Entity>(&input.code));
    }
    Ok(parent)
}

pub(super) fn parent_invalid(t: &str) -> AppError {
    let parent_type = level_of(t)
        .and_then(|l| l.checked_sub(1))
        .map(|l| LOCATION_TYPES[l])
        .unwrap_or("-");
    AppError::validation("location.parent_invalid")
        .with("type", t)
        .with("parentType", parent_type)
}

pub(super) fn require_location_right(
    p: &Principal,
    base: i32,
    location_type: &str,
) -> AppResult<()> {
    if !p.has_right(base) {
        return Err(AppError::forbidden());
    }
    if matches!(location_type, "R" | "D") && !p.has_right(RIGHT_REGION_DISTRICT) {
        return Err(AppError::forbidden());
    }
    Ok(())
}

pub(super) fn location_matches(
    m: &location::Model,
    i: &LocationInput,
    parent: Option<i64>,
) -> bool {
    m.code == i.code.trim()
        && m.name == i.name.trim()
        && m.location_type == i.location_type
        && m.parent_id == parent
        && m.male_population == i.male_population
        && m.female_population == i.female_population
        && m.other_population == i.other_population
        && m.families == i.families
}

/// Sets the columns of a location row from `i`, under the parent `parent_id`.
pub(crate) fn fill_location(
    am: &mut location::ActiveModel,
    i: &LocationInput,
    parent_id: Option<i64>,
) {
    am.code = Set(i.code.trim().to_string());
    am.name = Set(i.name.trim().to_string());
    am.name_search = Set(crate::text::fold(i.name.trim()));
    am.parent_id = Set(parent_id);
    am.location_type = Set(i.location_type.clone());
    am.male_population = Set(i.male_population);
    am.female_population = Set(i.female_population);
    am.other_population = Set(i.other_population);
    am.families = Set(i.families);
}

/// A new location row holding `i`, its version columns not yet set.
pub(crate) fn new_location_row(i: &LocationInput, parent_id: Option<i64>) -> location::ActiveModel {
    let mut am = location::ActiveModel {
        uuid: Set(i.uuid.unwrap_or_else(Uuid::now_v7)),
        json_ext: Set(None),
        ..Default::default()
    };
    fill_location(&mut am, i, parent_id);
    am
}

/// `createLocation` (121902; R and D also need 121906).
pub async fn create_location(
    m: &MutationCtx<'_>,
    input: LocationInput,
) -> AppResult<location::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_LOCATION_CREATE]))?;
    require_location_right(p, RIGHT_LOCATION_CREATE, &input.location_type)?;
    let tx: &DatabaseTransaction = m.tx;
    if let Some(u) = input.uuid
        && let Some(existing) = by_uuid::<location::Entity>(tx, u).await?
    {
        let parent = match input.parent_uuid {
            Some(pu) => by_uuid::<location::Entity>(tx, pu).await?.map(|l| l.id),
            None => None,
        };
        if existing.validity_to.is_none() && location_matches(&existing, &input, parent) {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    let parent = validate_location(tx, &input, None).await?;
    match &parent {
        Some(par) => require_allowed(tx, p, par.id).await?,
        None => {
            if p.scope.allowed_locations(tx).await?.is_some() {
                return Err(AppError::location_denied());
            }
        }
    }
    let now = m.state.clock.now();
    let mut am = new_location_row(&input, parent.as_ref().map(|p| p.id));
    am.validity_from = Set(now);
    am.validity_to = Set(None);
    am.audit_user_id = Set(m.actor());
    let model = am.insert(tx).await.map_err(|e| {
        crate::error::unique_or(e, &["code"], input.uuid, || {
            code_taken_error::<location::Entity>(&input.code)
        })
    })?;
    if model.location_type == "D" && !p.is_admin {
        let stmt = crate::db::stmt(
            tx.get_database_backend(),
            "INSERT INTO core_user_district (user_id, location_id, validity_from, audit_user_id) VALUES (?, ?, ?, ?)",
            vec![
                p.user_id.into(),
                model.id.into(),
                now.into(),
                m.actor().into(),
            ],
        );
        tx.execute_raw(stmt).await?;
    }
    Ok(model)
}

/// `updateLocation` (121903; R and D also need 121906). Population fields not given become null.
pub async fn update_location(
    m: &MutationCtx<'_>,
    input: LocationInput,
) -> AppResult<location::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_LOCATION_UPDATE]))?;
    require_location_right(p, RIGHT_LOCATION_UPDATE, &input.location_type)?;
    let tx: &DatabaseTransaction = m.tx;
    let uuid = input
        .uuid
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let old = lock_target::<location::Entity>(tx, Some(uuid), None).await?;
    require_allowed(tx, p, old.id).await?;
    let parent = validate_location(tx, &input, Some(old.id)).await?;
    if let Some(par) = &parent
        && Some(par.id) != old.parent_id
    {
        require_allowed(tx, p, par.id).await?;
        if subtree_ids(tx, old.id).await?.contains(&par.id) {
            return Err(AppError::validation("location.move_into_own_subtree"));
        }
    }
    if old.location_type != input.location_type
        && location::Entity::find()
            .filter(location::Column::ParentId.eq(old.id))
            .current()
            .one(tx)
            .await?
            .is_some()
    {
        return Err(AppError::invalid(
            "type",
            "a location with children cannot change type",
        ));
    }
    let now = m.state.clock.now();
    let mut am: location::ActiveModel =
        kit::new_version(tx, location::Entity::NAME, old, now, m.actor()).await?;
    fill_location(&mut am, &input, parent.map(|p| p.id));
    am.update(tx).await.map_err(|e| {
        crate::error::unique_or(e, &["code"], None, || {
            code_taken_error::<location::Entity>(&input.code)
        })
    })
}

/// Saves the current version to history and updates it in place.
pub(super) async fn rewrite_location(
    tx: &DatabaseTransaction,
    old: location::Model,
    now: DateTime<Utc>,
    actor: Option<i64>,
    change: impl FnOnce(&mut location::ActiveModel),
) -> AppResult<location::Model> {
    let mut am: location::ActiveModel =
        kit::new_version(tx, location::Entity::NAME, old, now, actor).await?;
    change(&mut am);
    Ok(am.update(tx).await?)
}

/// Soft-deletes a location: history row, `validity_to` set; a district's user links are closed.
pub(super) async fn close_location(
    tx: &DatabaseTransaction,
    old: location::Model,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()> {
    let closed =
        kit::close_version::<location::ActiveModel>(tx, location::Entity::NAME, old, now, actor)
            .await?;
    if closed.location_type == "D" {
        let stmt = crate::db::stmt(
            tx.get_database_backend(),
            "UPDATE core_user_district SET validity_to = ? WHERE location_id = ? AND validity_to IS NULL",
            vec![now.into(), closed.id.into()],
        );
        tx.execute_raw(stmt).await?;
    }
    Ok(())
}

/// `deleteLocation` (121904): with `new_parent_uuid` the children move to that location, otherwise
/// the whole subtree is closed. Refused (`location.in_use`) while a current health facility lies
/// in a closed location.
pub async fn delete_location(
    m: &MutationCtx<'_>,
    uuid: Option<Uuid>,
    code: Option<&str>,
    new_parent_uuid: Option<Uuid>,
) -> AppResult<location::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_LOCATION_DELETE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let target = lock_target::<location::Entity>(tx, uuid, code).await?;
    require_allowed(tx, p, target.id).await?;
    let actor = m.actor();
    // What moves to the new parent, and what is closed: the target is locked; the rows below it
    // are locked before anything is written (children in id order, a subtree top-down).
    let (moving, closing): (Option<(i64, Vec<location::Model>)>, Vec<i64>) = match new_parent_uuid {
        Some(np) => {
            let new_parent = current_location_by_uuid(tx, np).await?;
            require_allowed(tx, p, new_parent.id).await?;
            if new_parent.id == target.id || new_parent.location_type != target.location_type {
                return Err(AppError::validation("location.parent_invalid")
                    .with(
                        "type",
                        level_of(&target.location_type)
                            .and_then(|l| LOCATION_TYPES.get(l + 1))
                            .unwrap_or(&"-"),
                    )
                    .with("parentType", &target.location_type));
            }
            let children = location::Entity::find()
                .filter(location::Column::ParentId.eq(target.id))
                .current()
                .order_by_asc(location::Column::Id)
                .lock_exclusive()
                .all(tx)
                .await?;
            (Some((new_parent.id, children)), vec![target.id])
        }
        None => (None, subtree_ids(tx, target.id).await?),
    };
    let rows = lock_locations_top_down(tx, &closing).await?;
    let in_use = health_facility::Entity::find()
        .filter(health_facility::Column::LocationId.is_in(closing))
        .current()
        .one(tx)
        .await?;
    if in_use.is_some() {
        return Err(AppError::validation("location.in_use")
            .with("code", &target.code)
            .with("what", "health facilities"));
    }
    // After the locks: the versions ended here end after any a concurrent writer made.
    let now = m.state.clock.now();
    if let Some((new_parent_id, children)) = moving {
        for child in children {
            rewrite_location(tx, child, now, actor, |am| {
                am.parent_id = Set(Some(new_parent_id))
            })
            .await?;
        }
    }
    for row in rows {
        close_location(tx, row, now, actor).await?;
    }
    Ok(target)
}

/// `moveLocation` (121905): re-parents the location (no parent = it becomes a region); when the
/// new parent is not exactly one level above, the location and its descendants get the types of
/// their new depth (the deepest level stays `V`).
pub async fn move_location(
    m: &MutationCtx<'_>,
    uuid: Uuid,
    new_parent_uuid: Option<Uuid>,
) -> AppResult<location::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_LOCATION_MOVE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let target = lock_target::<location::Entity>(tx, Some(uuid), None).await?;
    require_allowed(tx, p, target.id).await?;
    let new_parent = match new_parent_uuid {
        Some(u) => Some(current_location_by_uuid(tx, u).await?),
        None => None,
    };
    match &new_parent {
        Some(np) => require_allowed(tx, p, np.id).await?,
        None => {
            if p.scope.allowed_locations(tx).await?.is_some() {
                return Err(AppError::location_denied());
            }
        }
    }
    let subtree = subtree_ids(tx, target.id).await?;
    if let Some(np) = &new_parent
        && subtree.contains(&np.id)
    {
        return Err(AppError::validation("location.move_into_own_subtree"));
    }
    let depth = new_parent
        .as_ref()
        .map(|np| level_of(&np.location_type).unwrap_or(0) + 1)
        .unwrap_or(0);
    let new_type = LOCATION_TYPES[depth.min(3)].to_string();
    let retype = level_of(&target.location_type) != Some(depth.min(3));
    if retype {
        // The descendants are retyped below: every one is locked first, top-down (the children
        // read below are then current until this transaction ends; a location created under
        // one of them waits for its parent's lock).
        lock_locations_top_down(tx, &subtree).await?;
    }
    let now = m.state.clock.now();
    let actor = m.actor();
    let target_id = target.id;
    let moved = rewrite_location(tx, target, now, actor, |am| {
        am.parent_id = Set(new_parent.as_ref().map(|np| np.id));
        am.location_type = Set(new_type.clone());
    })
    .await?;
    if retype {
        // Breadth-first over the subtree, each level one below its parent.
        let mut frontier = vec![(target_id, depth.min(3))];
        while let Some((parent_id, parent_level)) = frontier.pop() {
            let children = location::Entity::find()
                .filter(location::Column::ParentId.eq(parent_id))
                .current()
                .all(tx)
                .await?;
            let level = (parent_level + 1).min(3);
            for child in children {
                let cid = child.id;
                if level_of(&child.location_type) != Some(level) {
                    let t = LOCATION_TYPES[level].to_string();
                    rewrite_location(tx, child, now, actor, |am| am.location_type = Set(t)).await?;
                }
                frontier.push((cid, level));
            }
        }
    }
    Ok(moved)
}
