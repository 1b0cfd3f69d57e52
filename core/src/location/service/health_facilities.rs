//! Health facilities: the filtered list, catchments, code checks and the writes.

use super::*;

/// Filters of `healthFacilities` / `healthFacilitiesStr`.
#[derive(Debug, Clone, Default)]
pub struct HealthFacilityFilter {
    pub id: Option<i64>,
    pub uuid: Option<Uuid>,
    pub code: Option<String>,
    pub code_istartswith: Option<String>,
    pub code_icontains: Option<String>,
    pub code_iexact: Option<String>,
    pub name: Option<String>,
    pub name_istartswith: Option<String>,
    pub name_icontains: Option<String>,
    pub name_iexact: Option<String>,
    pub level: Option<String>,
    pub sub_level: Option<String>,
    pub care_type: Option<String>,
    pub legal_form: Option<String>,
    pub status: Option<String>,
    pub location_id: Option<i64>,
    pub location_uuid: Option<Uuid>,
    pub location_uuid_in: Option<Vec<Uuid>>,
    /// Region: facilities of its districts.
    pub location_parent_uuid: Option<Uuid>,
    /// `healthFacilitiesStr`: code or folded name contains this.
    pub str: Option<String>,
    /// `healthFacilitiesStr(ignoreLocation: true)` skips the scope filter (still Authenticated).
    pub ignore_location: bool,
}

/// The current health facilities the caller may see, filtered.
pub async fn health_facilities_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &HealthFacilityFilter,
) -> AppResult<Select<health_facility::Entity>> {
    let p = require_user(principal, Requirement::Authenticated)?;
    let conn = &state.db.conn;
    use health_facility::Column as C;
    let mut q = health_facility::Entity::find().current();
    if !f.ignore_location
        && let Some(allowed) = p.scope.allowed_locations(conn).await?
    {
        q = q.filter(C::LocationId.is_in(allowed.iter().copied()));
    }
    if let Some(id) = f.id {
        q = q.filter(C::Id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    q = q.filter(code_condition(
        C::Code,
        &f.code,
        &f.code_istartswith,
        &f.code_icontains,
        &f.code_iexact,
    ));
    q = q.filter(name_condition(
        C::NameSearch,
        &f.name,
        &f.name_istartswith,
        &f.name_icontains,
        &f.name_iexact,
    ));
    if let Some(v) = &f.level {
        q = q.filter(C::Level.eq(v.clone()));
    }
    if let Some(v) = &f.sub_level {
        q = q.filter(C::SubLevel.eq(v.clone()));
    }
    if let Some(v) = &f.care_type {
        q = q.filter(C::CareType.eq(v.clone()));
    }
    if let Some(v) = &f.legal_form {
        q = q.filter(C::LegalForm.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        q = q.filter(C::Status.eq(v.clone()));
    }
    if let Some(v) = f.location_id {
        q = q.filter(C::LocationId.eq(v));
    }
    let mut locs: Vec<Uuid> = vec![];
    locs.extend(f.location_uuid);
    if let Some(us) = &f.location_uuid_in {
        locs.extend(us.iter().copied());
    }
    if f.location_uuid.is_some() || f.location_uuid_in.is_some() {
        q = q.filter(C::LocationId.is_in(ids_of_uuids(conn, &locs).await?));
    }
    if let Some(region) = f.location_parent_uuid {
        q = q.filter(C::LocationId.is_in(child_ids(conn, region).await?));
    }
    if let Some(search) = code_or_name_contains(C::Code, C::NameSearch, &f.str) {
        q = q.filter(search);
    }
    Ok(q)
}

/// Current catchments of the given facilities.
pub async fn catchments_for(
    conn: &impl ConnectionTrait,
    hf_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<hf_catchment::Model>>> {
    let mut out: HashMap<i64, Vec<hf_catchment::Model>> = HashMap::new();
    if hf_ids.is_empty() {
        return Ok(out);
    }
    let rows = hf_catchment::Entity::find()
        .filter(hf_catchment::Column::HealthFacilityId.is_in(hf_ids.iter().copied()))
        .current()
        .all(conn)
        .await?;
    for r in rows {
        out.entry(r.health_facility_id).or_default().push(r);
    }
    Ok(out)
}

/// `validateHealthFacilityCode`: true when no current facility has this code.
pub async fn validate_health_facility_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    code_free::<health_facility::Entity>(state, principal, code).await
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatchmentInput {
    pub location_id: i64,
    pub catchment: Option<i32>,
}

/// Input of `createHealthFacility` / `updateHealthFacility` (an update is complete: omitted
/// optional fields become null).
#[derive(Debug, Clone, Default)]
pub struct HealthFacilityInput {
    pub uuid: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub acc_code: Option<String>,
    pub legal_form: String,
    pub level: String,
    pub sub_level: Option<String>,
    pub location_id: i64,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub care_type: String,
    pub services_pricelist_id: Option<i64>,
    pub items_pricelist_id: Option<i64>,
    pub offline: Option<bool>,
    pub catchments: Option<Vec<CatchmentInput>>,
    pub contract_start_date: Option<NaiveDate>,
    pub contract_end_date: Option<NaiveDate>,
    pub status: Option<String>,
}

pub(super) fn one_of(field: &str, value: &str, allowed: &[&str]) -> AppResult<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            &format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

pub(super) async fn validate_hf(
    m: &MutationCtx<'_>,
    p: &Principal,
    i: &HealthFacilityInput,
    except: Option<i64>,
) -> AppResult<()> {
    let tx: &DatabaseTransaction = m.tx;
    check_len("code", &i.code, 8)?;
    check_len("name", &i.name, 100)?;
    check_opt_len("accCode", &i.acc_code, 25)?;
    check_opt_len("address", &i.address, 100)?;
    check_opt_len("phone", &i.phone, 50)?;
    check_opt_len("fax", &i.fax, 50)?;
    check_opt_len("email", &i.email, 50)?;
    one_of("legalFormId", &i.legal_form, &["C", "D", "G", "P"])?;
    one_of("level", &i.level, &["D", "C", "H"])?;
    if let Some(s) = &i.sub_level {
        one_of("subLevelId", s, &["I", "N", "R"])?;
    }
    one_of("careType", &i.care_type, &["I", "O", "B"])?;
    if let Some(s) = &i.status {
        one_of("status", s, &["AC", "IN", "DE", "ID"])?;
    }
    match (i.contract_start_date, i.contract_end_date) {
        (None, None) => {}
        (Some(s), Some(e)) if e > s => {}
        _ => return Err(AppError::validation("health_facility.contract_dates")),
    }
    let loc = location::Entity::find()
        .filter(location::Column::Id.eq(i.location_id))
        .current()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("location"))?;
    if loc.location_type != "D" {
        return Err(AppError::validation(
            "health_facility.location_not_district",
        ));
    }
    require_allowed(tx, p, loc.id).await?;
    if let Some(cs) = &i.catchments {
        let ids: Vec<i64> = cs.iter().map(|c| c.location_id).collect();
        let villages: HashSet<i64> = location::Entity::find()
            .filter(location::Column::Id.is_in(ids))
            .current()
            .filter(location::Column::LocationType.eq("V"))
            .all(tx)
            .await?
            .into_iter()
            .map(|l| l.id)
            .collect();
        let mut seen = HashSet::new();
        for c in cs {
            if !villages.contains(&c.location_id) {
                return Err(
                    AppError::validation("health_facility.catchment_not_village")
                        .with("id", c.location_id),
                );
            }
            if !seen.insert(c.location_id) {
                return Err(AppError::invalid("catchments", "a village is listed twice"));
            }
            if c.catchment.is_some_and(|v| !(0..=100).contains(&v)) {
                return Err(AppError::validation("health_facility.catchment_percent"));
            }
        }
    }
    if (i.items_pricelist_id.is_some() || i.services_pricelist_id.is_some())
        && !m.state.bus.has_in_tx_handler(HF_SAVING_EVENT)
    {
        return Err(AppError::module_disabled("medical"));
    }
    if code_taken::<health_facility::Entity>(tx, &i.code, except).await? {
        return Err(code_taken_error::<health_facility::Entity>(&i.code));
    }
    Ok(())
}

pub(super) fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn fill_hf(am: &mut health_facility::ActiveModel, i: &HealthFacilityInput) {
    am.code = Set(i.code.trim().to_string());
    am.name = Set(i.name.trim().to_string());
    am.name_search = Set(crate::text::fold(i.name.trim()));
    am.acc_code = Set(trimmed(&i.acc_code));
    am.legal_form = Set(i.legal_form.clone());
    am.level = Set(i.level.clone());
    am.sub_level = Set(i.sub_level.clone());
    am.location_id = Set(i.location_id);
    am.address = Set(trimmed(&i.address));
    am.phone = Set(trimmed(&i.phone));
    am.fax = Set(trimmed(&i.fax));
    am.email = Set(trimmed(&i.email));
    am.care_type = Set(i.care_type.clone());
    am.offline = Set(i.offline.unwrap_or(false));
    am.contract_start_date = Set(i.contract_start_date);
    am.contract_end_date = Set(i.contract_end_date);
    am.status = Set(i.status.clone().unwrap_or_else(|| "AC".into()));
}

pub(super) fn hf_matches(m: &health_facility::Model, i: &HealthFacilityInput) -> bool {
    m.code == i.code.trim()
        && m.name == i.name.trim()
        && m.acc_code == trimmed(&i.acc_code)
        && m.legal_form == i.legal_form
        && m.level == i.level
        && m.sub_level == i.sub_level
        && m.location_id == i.location_id
        && m.address == trimmed(&i.address)
        && m.phone == trimmed(&i.phone)
        && m.fax == trimmed(&i.fax)
        && m.email == trimmed(&i.email)
        && m.care_type == i.care_type
        && m.offline == i.offline.unwrap_or(false)
        && m.contract_start_date == i.contract_start_date
        && m.contract_end_date == i.contract_end_date
        && m.status == i.status.clone().unwrap_or_else(|| "AC".into())
}

/// A new facility row holding `i`, its version columns not yet set.
pub(crate) fn new_hf_row(i: &HealthFacilityInput) -> health_facility::ActiveModel {
    let mut am = health_facility::ActiveModel {
        uuid: Set(i.uuid.unwrap_or_else(Uuid::now_v7)),
        json_ext: Set(None),
        ..Default::default()
    };
    fill_hf(&mut am, i);
    am
}

/// Inserts the catchments `cs` of the facility `hf_id` (a catchment without a percentage
/// covers 100 %).
pub(crate) async fn insert_catchments(
    tx: &DatabaseTransaction,
    hf_id: i64,
    cs: &[CatchmentInput],
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()> {
    for c in cs {
        let catchment = hf_catchment::ActiveModel {
            health_facility_id: Set(hf_id),
            location_id: Set(c.location_id),
            catchment: Set(c.catchment.unwrap_or(100)),
            ..Default::default()
        };
        kit::insert_version(tx, catchment, now, actor).await?;
    }
    Ok(())
}

pub(super) async fn publish_saving(
    m: &MutationCtx<'_>,
    hf_id: i64,
    i: &HealthFacilityInput,
) -> AppResult<()> {
    if m.state.bus.has_in_tx_handler(HF_SAVING_EVENT) {
        m.publish(
            HF_SAVING_EVENT,
            serde_json::json!({
                "healthFacilityId": hf_id,
                "itemsPricelistId": i.items_pricelist_id,
                "servicesPricelistId": i.services_pricelist_id,
            }),
        )
        .await?;
    }
    Ok(())
}

/// `createHealthFacility` (121102). A known `uuid` returns the existing facility when its content
/// matches (D4).
pub async fn create_health_facility(
    m: &MutationCtx<'_>,
    input: HealthFacilityInput,
) -> AppResult<health_facility::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_HF_CREATE]))?;
    let tx: &DatabaseTransaction = m.tx;
    if let Some(u) = input.uuid
        && let Some(existing) = by_uuid::<health_facility::Entity>(tx, u).await?
    {
        let same_catchments = match &input.catchments {
            None => true,
            Some(cs) => {
                let mut have: Vec<(i64, i32)> = catchments_for(tx, &[existing.id])
                    .await?
                    .remove(&existing.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| (c.location_id, c.catchment))
                    .collect();
                let mut want: Vec<(i64, i32)> = cs
                    .iter()
                    .map(|c| (c.location_id, c.catchment.unwrap_or(100)))
                    .collect();
                have.sort();
                want.sort();
                have == want
            }
        };
        if existing.validity_to.is_none() && same_catchments && hf_matches(&existing, &input) {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    validate_hf(m, p, &input, None).await?;
    let now = m.state.clock.now();
    let mut am = new_hf_row(&input);
    am.validity_from = Set(now);
    am.validity_to = Set(None);
    am.audit_user_id = Set(m.actor());
    let model = am.insert(tx).await.map_err(|e| {
        crate::error::unique_or(e, &["code"], input.uuid, || {
            code_taken_error::<health_facility::Entity>(&input.code)
        })
    })?;
    if let Some(cs) = &input.catchments {
        insert_catchments(tx, model.id, cs, now, m.actor()).await?;
    }
    publish_saving(m, model.id, &input).await?;
    Ok(model)
}

pub(super) async fn close_catchments(
    tx: &DatabaseTransaction,
    hf_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let stmt = crate::db::stmt(
        tx.get_database_backend(),
        "UPDATE core_hf_catchment SET validity_to = ? WHERE health_facility_id = ? AND validity_to IS NULL",
        vec![now.into(), hf_id.into()],
    );
    tx.execute_raw(stmt).await?;
    Ok(())
}

/// `updateHealthFacility` (121103): saves the previous version, replaces every field and, when
/// `catchments` is given, the catchments (old rows are closed).
pub async fn update_health_facility(
    m: &MutationCtx<'_>,
    input: HealthFacilityInput,
) -> AppResult<health_facility::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_HF_UPDATE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let uuid = input
        .uuid
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let old = lock_target::<health_facility::Entity>(tx, Some(uuid), None).await?;
    require_allowed(tx, p, old.location_id).await?;
    validate_hf(m, p, &input, Some(old.id)).await?;
    let now = m.state.clock.now();
    let id = old.id;
    let mut am: health_facility::ActiveModel =
        kit::new_version(tx, health_facility::Entity::NAME, old, now, m.actor()).await?;
    fill_hf(&mut am, &input);
    let model = am.update(tx).await.map_err(|e| {
        crate::error::unique_or(e, &["code"], None, || {
            code_taken_error::<health_facility::Entity>(&input.code)
        })
    })?;
    if let Some(cs) = &input.catchments {
        close_catchments(tx, id, now).await?;
        insert_catchments(tx, id, cs, now, m.actor()).await?;
    }
    publish_saving(m, id, &input).await?;
    Ok(model)
}

/// `deleteHealthFacility` (121104): soft delete with a history row; its catchments are closed.
pub async fn delete_health_facility(
    m: &MutationCtx<'_>,
    uuid: Option<Uuid>,
    code: Option<&str>,
) -> AppResult<health_facility::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_HF_DELETE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let old = lock_target::<health_facility::Entity>(tx, uuid, code).await?;
    require_allowed(tx, p, old.location_id).await?;
    let now = m.state.clock.now();
    let model = kit::close_version::<health_facility::ActiveModel>(
        tx,
        health_facility::Entity::NAME,
        old,
        now,
        m.actor(),
    )
    .await?;
    close_catchments(tx, model.id, now).await?;
    Ok(model)
}
