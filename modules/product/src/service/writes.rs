//! The product mutations: create, update, duplicate and delete, with history (D7) and
//! idempotent replays.

use super::*;

pub(crate) fn code_taken_error(code: &str) -> AppError {
    AppError::validation("product.code_taken").with("productCode", code)
}
/// `fields` with the identity and validity of `base`.
pub(crate) fn with_identity(fields: &product::Model, base: &product::Model) -> product::Model {
    let mut m = fields.clone();
    m.id = base.id;
    m.uuid = base.uuid;
    m.validity_from = base.validity_from;
    m.validity_to = base.validity_to;
    m.audit_user_id = base.audit_user_id;
    m
}

pub(crate) async fn current_by_uuid(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find()
        .filter(product::Column::Uuid.eq(uuid))
        .filter(product::Column::ValidityTo.is_null())
        .one(conn)
        .await?)
}

/// Whether `existing` holds exactly what `r` would write (D4).
pub(crate) async fn same_content(
    conn: &impl ConnectionTrait,
    existing: &product::Model,
    r: &Resolved,
) -> AppResult<bool> {
    if with_identity(&r.fields, existing) != *existing {
        return Ok(false);
    }
    for (kind, want) in [(LineKind::Item, &r.items), (LineKind::Service, &r.services)] {
        let have: Vec<LineData> = lines_of(conn, kind, &[existing.id], false)
            .await?
            .remove(&existing.id)
            .unwrap_or_default()
            .iter()
            .map(LineData::from)
            .collect();
        let mut have = have;
        let mut want = want.clone().unwrap_or_default();
        have.sort_by_key(|l| l.medical_id);
        want.sort_by_key(|l| l.medical_id);
        if have != want {
            return Ok(false);
        }
    }
    let mut have = dist_rows_of(
        &relative_distributions_of(conn, &[existing.id], false)
            .await?
            .remove(&existing.id)
            .unwrap_or_default(),
    );
    let mut want = r.relative.clone().unwrap_or_default();
    have.sort();
    want.sort();
    Ok(have == want)
}

pub(crate) async fn insert_product(
    m: &MutationCtx<'_>,
    uuid: Uuid,
    r: Resolved,
) -> AppResult<product::Model> {
    let tx: &DatabaseTransaction = m.tx;
    let now = m.state.clock.now();
    let mut fields = r.fields;
    fields.uuid = uuid;
    fields.validity_from = now;
    fields.validity_to = None;
    fields.audit_user_id = m.actor();
    let code = fields.code.clone();
    let mut am = fields.into_active_model().reset_all();
    am.id = NotSet;
    let model = am.insert(tx).await.map_err(|e| {
        imis_core::error::unique_or(e, &["code"], Some(uuid), || code_taken_error(&code))
    })?;
    if let Some(items) = &r.items {
        insert_lines(tx, LineKind::Item, model.id, items, now, m.actor()).await?;
    }
    if let Some(services) = &r.services {
        insert_lines(tx, LineKind::Service, model.id, services, now, m.actor()).await?;
    }
    if let Some(rel) = &r.relative {
        insert_distributions(tx, model.id, rel, now, m.actor()).await?;
    }
    Ok(model)
}

/// `createProduct` (121002). A known `uuid` returns the existing product when its content
/// matches, otherwise fails with `conflict.uuid_exists` (D4).
pub async fn create_product(m: &MutationCtx<'_>, input: ProductInput) -> AppResult<product::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PRODUCT_ADD]))?;
    let tx: &DatabaseTransaction = m.tx;
    if let Some(u) = input.uuid
        && let Some(existing) = product::Entity::find()
            .filter(product::Column::Uuid.eq(u))
            .one(tx)
            .await?
    {
        if existing.validity_to.is_none()
            && let Ok(r) = resolve(m, p, &input, Some(&existing)).await
            && same_content(tx, &existing, &r).await?
        {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    let r = resolve(m, p, &input, None).await?;
    insert_product(m, input.uuid.unwrap_or_else(Uuid::now_v7), r).await
}

/// `updateProduct` (121003): the previous version goes to history; given items, services and
/// relative prices replace the current ones (old rows closed, new rows inserted). A deleted or
/// historical product cannot be updated (`product.historical_not_updatable`).
pub async fn update_product(m: &MutationCtx<'_>, input: ProductInput) -> AppResult<product::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PRODUCT_EDIT]))?;
    let tx: &DatabaseTransaction = m.tx;
    let uuid = input
        .uuid
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    // Under the product's row lock: a concurrent change of the same product waits, then reads
    // what this one wrote (D7: one history row per version).
    let old = product::Entity::find()
        .filter(product::Column::Uuid.eq(uuid))
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    if old.validity_to.is_some() {
        return Err(AppError::validation("product.historical_not_updatable").with("uuid", uuid));
    }
    require_write_scope(tx, p, old.location_id).await?;
    let r = resolve(m, p, &input, Some(&old)).await?;
    let now = m.state.clock.now();
    let actor = m.actor();
    imis_core::history::save(
        tx,
        HISTORY_ENTITY,
        old.id,
        &old,
        old.validity_from,
        now,
        actor,
    )
    .await?;
    let mut new = with_identity(&r.fields, &old);
    new.validity_from = now;
    new.audit_user_id = actor;
    let code = new.code.clone();
    let model = new
        .into_active_model()
        .reset_all()
        .update(tx)
        .await
        .map_err(|e| imis_core::error::unique_or(e, &["code"], None, || code_taken_error(&code)))?;
    if let Some(items) = &r.items {
        close_rows(tx, LineKind::Item.table(), model.id, now).await?;
        insert_lines(tx, LineKind::Item, model.id, items, now, actor).await?;
    }
    if let Some(services) = &r.services {
        close_rows(tx, LineKind::Service.table(), model.id, now).await?;
        insert_lines(tx, LineKind::Service, model.id, services, now, actor).await?;
    }
    if let Some(rel) = &r.relative {
        close_rows(tx, "product_relative_distribution", model.id, now).await?;
        insert_distributions(tx, model.id, rel, now, actor).await?;
    }
    Ok(model)
}

/// `duplicateProduct` (121005): a new product from the payload; the items, services and
/// relative prices the payload omits are copied from the source product `source_uuid`.
pub async fn duplicate_product(
    m: &MutationCtx<'_>,
    source_uuid: Uuid,
    mut input: ProductInput,
) -> AppResult<product::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PRODUCT_DUPLICATE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let source = current_by_uuid(tx, source_uuid)
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    if let Some(visible) = p.scope.visible_locations(tx).await?
        && source.location_id.is_some_and(|l| !visible.contains(&l))
    {
        return Err(AppError::not_found("product"));
    }
    input.uuid = None;
    let mut r = resolve(m, p, &input, None).await?;
    for (kind, slot) in [
        (LineKind::Item, &mut r.items),
        (LineKind::Service, &mut r.services),
    ] {
        if slot.is_none() {
            let rows = lines_of(tx, kind, &[source.id], false)
                .await?
                .remove(&source.id)
                .unwrap_or_default();
            *slot = Some(rows.iter().map(LineData::from).collect());
        }
    }
    if r.relative.is_none() {
        let rows = dist_rows_of(
            &relative_distributions_of(tx, &[source.id], false)
                .await?
                .remove(&source.id)
                .unwrap_or_default(),
        );
        r.fields.period_rel_prices = period_flag(&rows, "B");
        r.fields.period_rel_prices_ip = period_flag(&rows, "I");
        r.fields.period_rel_prices_op = period_flag(&rows, "O");
        r.relative = Some(rows);
    }
    insert_product(m, Uuid::now_v7(), r).await
}

/// `deleteProduct` (121004): soft-deletes each product (history row, `validity_to` set) and
/// closes its lines and relative distributions. Returns the ids.
pub async fn delete_products(m: &MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<Vec<i64>> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PRODUCT_DELETE]))?;
    let tx: &DatabaseTransaction = m.tx;
    if uuids.is_empty() {
        return Err(AppError::invalid("uuids", "at least one uuid is required"));
    }
    let actor = m.actor();
    let mut ids = vec![];
    // Every product read under its row lock, in id order (two deletions of several products
    // never wait for each other in a cycle).
    let mut locked: HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::Uuid.is_in(uuids.iter().copied()))
        .filter(product::Column::ValidityTo.is_null())
        .order_by_asc(product::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(|p| (p.uuid, p))
        .collect();
    let now = m.state.clock.now();
    for u in uuids {
        let old = locked
            .remove(u)
            .ok_or_else(|| AppError::not_found("product").with("uuid", u))?;
        require_write_scope(tx, p, old.location_id).await?;
        let id = old.id;
        imis_core::history::save(tx, HISTORY_ENTITY, id, &old, old.validity_from, now, actor)
            .await?;
        let mut am: product::ActiveModel = old.into();
        am.validity_to = sea_orm::Set(Some(now));
        am.audit_user_id = sea_orm::Set(actor);
        am.update(tx).await?;
        for table in [
            LineKind::Item.table(),
            LineKind::Service.table(),
            "product_relative_distribution",
        ] {
            close_rows(tx, table, id, now).await?;
        }
        ids.push(id);
    }
    Ok(ids)
}
