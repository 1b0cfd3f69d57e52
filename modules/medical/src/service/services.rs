//! Medical services (reference §4.2) and their package content (sub-items and sub-services with
//! quantities and prices): reads are open to every logged-in user (D8), writes need 121402
//! (add), 121403 (edit), 121404 (delete).

use super::items::close_references;
use super::*;
use crate::entity::{item, service, service_content};
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::mutation::MutationCtx;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    Select,
};
use std::collections::HashSet;
use uuid::Uuid;

/// Filters of `medicalServices` / `medicalServicesStr`.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub list: CodeNameFilter,
    pub service_type: Option<String>,
    pub packagetype_in: Option<Vec<String>>,
    pub care_type: Option<String>,
    pub category: Option<String>,
    /// Services with a current detail in this services price list.
    pub pricelist_uuid: Option<Uuid>,
    /// Services that were valid on this date and still are.
    pub date: Option<NaiveDate>,
}

/// The current services matching `f` (any logged-in user).
pub async fn services_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &ServiceFilter,
) -> AppResult<Select<service::Entity>> {
    use service::Column as C;
    let mut q = code_name_select(principal, &f.list, [C::Id, C::Uuid, C::Code, C::NameSearch])?;
    if let Some(v) = &f.service_type {
        q = q.filter(C::ServiceType.eq(v.clone()));
    }
    if let Some(v) = &f.packagetype_in {
        q = q.filter(C::Packagetype.is_in(v.clone()));
    }
    if let Some(v) = &f.care_type {
        q = q.filter(C::CareType.eq(v.clone()));
    }
    if let Some(v) = &f.category {
        q = q.filter(C::Category.eq(v.clone()));
    }
    in_pricelist_and_dated(
        state,
        q,
        (MedicalKind::Service, ENTITY_SERVICE),
        f.pricelist_uuid,
        f.date,
        [C::Id, C::ValidityFrom],
    )
    .await
}

/// `validateServiceCode`: true when no current service has this code.
pub async fn validate_service_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    require_user(principal, Requirement::Authenticated)?;
    Ok(!service_code_taken(&state.db.conn, code, None).await?)
}

async fn service_code_taken(
    conn: &impl ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    imis_core::kit::taken::<service::Entity>(
        conn,
        service::Column::Code,
        code.trim(),
        service::Column::Id,
        except,
    )
    .await
}

/// Of `ids`, those that are current services (for the product module).
pub async fn current_service_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<i64>> {
    let rows = rows_in::<service::Entity, _>(conn, service::Column::Id, ids.iter().copied(), true);
    Ok(rows.await?.into_iter().map(|m| m.id).collect())
}

/// The current services of these uuids, by uuid; unknown or deleted ones are absent.
pub async fn current_services_by_uuid(
    conn: &impl ConnectionTrait,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, service::Model>> {
    let rows =
        rows_in::<service::Entity, _>(conn, service::Column::Uuid, uuids.iter().copied(), true);
    Ok(rows.await?.into_iter().map(|m| (m.uuid, m)).collect())
}

/// The current services with these codes, by code.
pub async fn current_services_by_code(
    conn: &impl ConnectionTrait,
    codes: &[&str],
) -> AppResult<HashMap<String, service::Model>> {
    let wanted = codes.iter().map(|c| c.trim().to_string());
    let rows = rows_in::<service::Entity, _>(conn, service::Column::Code, wanted, true);
    Ok(rows
        .await?
        .into_iter()
        .map(|m| (m.code.clone(), m))
        .collect())
}

/// Services by id, whatever their validity (for nested GraphQL fields).
pub async fn services_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, service::Model>> {
    let rows = rows_in::<service::Entity, _>(conn, service::Column::Id, ids.iter().copied(), false);
    Ok(rows.await?.into_iter().map(|m| (m.id, m)).collect())
}

/// The current package content of the given services, by service, in insertion order.
pub async fn contents_of(
    conn: &impl ConnectionTrait,
    service_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<service_content::Model>>> {
    let mut out: HashMap<i64, Vec<service_content::Model>> = HashMap::new();
    if service_ids.is_empty() {
        return Ok(out);
    }
    let wanted: HashSet<i64> = service_ids.iter().copied().collect();
    for r in service_content::Entity::find()
        .filter(service_content::Column::ServiceId.is_in(wanted))
        .current()
        .order_by_asc(service_content::Column::Id)
        .all(conn)
        .await?
    {
        out.entry(r.service_id).or_default().push(r);
    }
    Ok(out)
}

/// One line of a package: an item (`ServiceItemInputType`) or a service (`ServiceServiceInputType`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContentInput {
    pub medical_id: i64,
    /// openIMIS `status` (TinyInt): 0 = inactive, anything else = active.
    pub status: i32,
    pub qty_provided: Option<Decimal>,
    pub price_asked: Option<Decimal>,
}

/// Input of `createService` / `updateService`. `items` / `services` given replace the package
/// content of that kind (an empty list clears it); absent, the content is kept.
#[derive(Debug, Clone, Default)]
pub struct ServiceInput {
    pub uuid: Option<Uuid>,
    pub id: Option<i64>,
    pub code: String,
    pub name: String,
    pub service_type: String,
    pub level: String,
    pub category: Option<String>,
    pub price: Decimal,
    pub maximum_amount: Option<Decimal>,
    pub care_type: String,
    pub frequency: Option<Decimal>,
    pub patient_category: Option<i32>,
    pub patient_categories: Option<Vec<i32>>,
    pub packagetype: Option<String>,
    pub manual_price: Option<bool>,
    pub items: Option<Vec<ContentInput>>,
    pub services: Option<Vec<ContentInput>>,
}

#[derive(Debug, Clone, PartialEq)]
struct ServiceValues {
    code: String,
    name: String,
    service_type: String,
    level: String,
    category: Option<String>,
    price: i64,
    maximum_amount: Option<i64>,
    care_type: String,
    frequency: Option<i32>,
    patient_category: i32,
    packagetype: String,
    manual_price: bool,
}

/// A validated content line: (medical id, qty, price asked in minor units, status).
type ContentLine = (i64, Option<i32>, Option<i64>, bool);

fn service_values(state: &AppState, i: &ServiceInput) -> AppResult<ServiceValues> {
    let digits = digits(state);
    check_len("code", &i.code, 6)?;
    check_len("name", &i.name, 100)?;
    one_of("type", &i.service_type, &["P", "C"])?;
    one_of("level", &i.level, &["S", "V", "D", "H"])?;
    one_of("careType", &i.care_type, &["I", "O", "B"])?;
    let category = trimmed(&i.category);
    if let Some(c) = &category {
        one_of("category", c, &["S", "D", "A", "H", "C", "V", "O"])?;
    }
    let packagetype = trimmed(&i.packagetype).unwrap_or_else(|| "S".into());
    one_of("packagetype", &packagetype, &["S", "P", "F"])?;
    Ok(ServiceValues {
        code: i.code.trim().to_string(),
        name: i.name.trim().to_string(),
        service_type: i.service_type.clone(),
        level: i.level.clone(),
        category,
        price: money_in("price", i.price, digits)?,
        maximum_amount: opt_money_in("maximumAmount", i.maximum_amount, digits)?,
        care_type: i.care_type.clone(),
        frequency: whole("frequency", i.frequency)?,
        patient_category: patient_category(i.patient_category, &i.patient_categories)?,
        packagetype,
        manual_price: i.manual_price.unwrap_or(false),
    })
}

fn values_of(m: &service::Model) -> ServiceValues {
    ServiceValues {
        code: m.code.clone(),
        name: m.name.clone(),
        service_type: m.service_type.clone(),
        level: m.level.clone(),
        category: m.category.clone(),
        price: m.price,
        maximum_amount: m.maximum_amount,
        care_type: m.care_type.clone(),
        frequency: m.frequency,
        patient_category: m.patient_category,
        packagetype: m.packagetype.clone(),
        manual_price: m.manual_price,
    }
}

fn fill(am: &mut service::ActiveModel, v: ServiceValues) {
    am.name_search = Set(imis_core::text::fold(&v.name));
    am.code = Set(v.code);
    am.name = Set(v.name);
    am.service_type = Set(v.service_type);
    am.level = Set(v.level);
    am.category = Set(v.category);
    am.price = Set(v.price);
    am.maximum_amount = Set(v.maximum_amount);
    am.care_type = Set(v.care_type);
    am.frequency = Set(v.frequency);
    am.patient_category = Set(v.patient_category);
    am.packagetype = Set(v.packagetype);
    am.manual_price = Set(v.manual_price);
}

/// The validated values of a `createService` / `updateService` input, and its item and service
/// lines when given.
fn checked_input(state: &AppState, i: &ServiceInput) -> AppResult<(ServiceValues, Lines, Lines)> {
    let digits = digits(state);
    Ok((
        service_values(state, i)?,
        content_lines("items", &i.items, digits)?,
        content_lines("services", &i.services, digits)?,
    ))
}

/// The validated lines of one kind of a package, when given (absent: the content is kept).
type Lines = Option<Vec<ContentLine>>;

fn content_lines(
    field: &str,
    list: &Option<Vec<ContentInput>>,
    digits: u32,
) -> AppResult<Option<Vec<ContentLine>>> {
    let Some(list) = list else { return Ok(None) };
    let mut seen = HashSet::new();
    let mut out = vec![];
    for c in list {
        if !seen.insert(c.medical_id) {
            return Err(AppError::invalid(field, "listed twice"));
        }
        out.push((
            c.medical_id,
            whole("qtyProvided", c.qty_provided)?,
            opt_money_in("priceAsked", c.price_asked, digits)?,
            c.status != 0,
        ));
    }
    Ok(Some(out))
}

/// Checks that package lines name current items and services, and that no service contains
/// itself, directly or through its sub-services.
async fn check_content(
    tx: &DatabaseTransaction,
    parent: Option<i64>,
    items: &Option<Vec<ContentLine>>,
    services: &Option<Vec<ContentLine>>,
) -> AppResult<()> {
    for (kind, lines) in [(MedicalKind::Item, items), (MedicalKind::Service, services)] {
        let Some(lines) = lines else { continue };
        let ids: Vec<i64> = lines.iter().map(|l| l.0).collect();
        let current = match kind {
            MedicalKind::Item => current_item_ids(tx, &ids).await?,
            MedicalKind::Service => current_service_ids(tx, &ids).await?,
        };
        let found: HashSet<i64> = current.into_iter().collect();
        if let Some(bad) = ids.iter().find(|i| !found.contains(i)) {
            return Err(AppError::validation("medical.package_content_invalid")
                .with("kind", kind.word())
                .with("id", bad));
        }
    }
    if let Some(lines) = services {
        let ids: Vec<i64> = lines.iter().map(|l| l.0).collect();
        if let Some(parent) = parent
            && !ids.is_empty()
        {
            if ids.contains(&parent) {
                return Err(AppError::validation("medical.package_cycle").with("id", parent));
            }
            // Every service reachable from the new sub-services through current content.
            let sql = format!(
                "WITH RECURSIVE sub(id) AS (SELECT medical_id FROM medical_service_content \
                 WHERE service_id IN ({}) AND kind = 'S' AND validity_to IS NULL \
                 UNION SELECT c.medical_id FROM medical_service_content c JOIN sub ON c.service_id = sub.id \
                 WHERE c.kind = 'S' AND c.validity_to IS NULL) SELECT id FROM sub",
                id_list(&ids)
            );
            let rows = tx
                .query_all_raw(sea_orm::Statement::from_string(
                    tx.get_database_backend(),
                    sql,
                ))
                .await?;
            for r in rows {
                if r.try_get::<i64>("", "id")? == parent {
                    return Err(AppError::validation("medical.package_cycle").with("id", parent));
                }
            }
        }
    }
    Ok(())
}

async fn insert_content(
    tx: &DatabaseTransaction,
    service_id: i64,
    kind: MedicalKind,
    lines: &[ContentLine],
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()> {
    for (medical_id, qty, price, status) in lines {
        insert_version(
            tx,
            service_content::ActiveModel {
                service_id: Set(service_id),
                kind: Set(kind.code().into()),
                medical_id: Set(*medical_id),
                qty_provided: Set(*qty),
                price_asked: Set(*price),
                status: Set(*status),
                created_at: Set(now),
                ..Default::default()
            },
            now,
            actor,
        )
        .await?;
    }
    Ok(())
}

async fn close_content(
    tx: &DatabaseTransaction,
    service_id: i64,
    kind: Option<MedicalKind>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (extra, mut values) = match kind {
        Some(k) => (" AND kind = ?", vec![k.code().into()]),
        None => ("", vec![]),
    };
    let mut all: Vec<sea_orm::Value> = vec![now.into(), service_id.into()];
    all.append(&mut values);
    tx.execute_raw(imis_core::db::stmt(
        tx.get_database_backend(),
        &format!(
            "UPDATE medical_service_content SET validity_to = ? WHERE service_id = ? AND validity_to IS NULL{extra}"
        ),
        all,
    ))
    .await?;
    Ok(())
}

/// The current lines of one kind, comparable with validated input lines.
fn lines_of(rows: &[service_content::Model], kind: MedicalKind) -> Vec<ContentLine> {
    let mut v: Vec<ContentLine> = rows
        .iter()
        .filter(|r| r.kind == kind.code())
        .map(|r| (r.medical_id, r.qty_provided, r.price_asked, r.status))
        .collect();
    v.sort();
    v
}

fn same_lines(
    have: &[service_content::Model],
    kind: MedicalKind,
    want: &Option<Vec<ContentLine>>,
) -> bool {
    match want {
        None => true,
        Some(w) => {
            let mut w = w.clone();
            w.sort();
            lines_of(have, kind) == w
        }
    }
}

/// `createService` (121402), with its package content. A known `uuid` returns the existing
/// service when its content matches (D4), otherwise `conflict.uuid_exists`.
pub async fn create_service(m: &MutationCtx<'_>, input: ServiceInput) -> AppResult<service::Model> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_SERVICE_ADD]))?;
    let tx: &DatabaseTransaction = m.tx;
    let (v, items, services) = checked_input(m.state, &input)?;
    let same = async |e: &service::Model| {
        let content = contents_of(tx, &[e.id])
            .await?
            .remove(&e.id)
            .unwrap_or_default();
        Ok(values_of(e) == v
            && same_lines(&content, MedicalKind::Item, &items)
            && same_lines(&content, MedicalKind::Service, &services))
    };
    let uuid_col = service::Column::Uuid;
    if let Some(existing) = replayed::<service::Entity>(tx, uuid_col, input.uuid, same).await? {
        return Ok(existing);
    }
    if service_code_taken(tx, &v.code, None).await? {
        return Err(code_taken(&v.code));
    }
    check_content(tx, None, &items, &services).await?;
    let now = m.state.clock.now();
    let mut am = service::ActiveModel {
        uuid: Set(input.uuid.unwrap_or_else(Uuid::now_v7)),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    };
    let code = v.code.clone();
    fill(&mut am, v);
    let model = am
        .insert(tx)
        .await
        .map_err(|e| imis_core::error::unique_or(e, &["code"], input.uuid, || code_taken(&code)))?;
    if let Some(lines) = &items {
        insert_content(tx, model.id, MedicalKind::Item, lines, now, m.actor()).await?;
    }
    if let Some(lines) = &services {
        insert_content(tx, model.id, MedicalKind::Service, lines, now, m.actor()).await?;
    }
    Ok(model)
}

fn code_taken(code: &str) -> AppError {
    AppError::validation("medical.service_code_taken").with("serviceCode", code)
}

/// `updateService` (121403): the previous version goes to history; every field is replaced and,
/// when given, the package content (old lines are closed, new ones inserted).
pub async fn update_service(m: &MutationCtx<'_>, input: ServiceInput) -> AppResult<service::Model> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_SERVICE_EDIT]))?;
    let tx: &DatabaseTransaction = m.tx;
    let (v, items, services) = checked_input(m.state, &input)?;
    let old = lock_target::<service::Entity>(
        tx,
        [service::Column::Uuid, service::Column::Id],
        input.uuid,
        input.id,
        "service",
    )
    .await?;
    if service_code_taken(tx, &v.code, Some(old.id)).await? {
        return Err(code_taken(&v.code));
    }
    check_content(tx, Some(old.id), &items, &services).await?;
    let now = m.state.clock.now();
    let id = old.id;
    let content = contents_of(tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let model = if values_of(&old) == v {
        old
    } else {
        let code = v.code.clone();
        let mut am: service::ActiveModel =
            new_version(tx, ENTITY_SERVICE, old, now, m.actor()).await?;
        fill(&mut am, v);
        am.update(tx)
            .await
            .map_err(|e| imis_core::error::unique_or(e, &["code"], None, || code_taken(&code)))?
    };
    for (kind, lines) in [
        (MedicalKind::Item, &items),
        (MedicalKind::Service, &services),
    ] {
        if let Some(lines) = lines
            && !same_lines(&content, kind, &Some(lines.clone()))
        {
            close_content(tx, id, Some(kind), now).await?;
            insert_content(tx, id, kind, lines, now, m.actor()).await?;
        }
    }
    Ok(model)
}

/// `deleteService` (121404): soft-deletes each service with a history row, closes its own
/// package content and the price-list details and packages that reference it, and publishes
/// `medical.service_deleted` (`{"serviceId"}`) in the transaction.
pub async fn delete_services(m: &MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<Vec<i64>> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_SERVICE_DELETE]))?;
    close_each::<service::ActiveModel>(
        m,
        ENTITY_SERVICE,
        "service",
        uuids,
        [service::Column::Uuid, service::Column::Id],
        |m| m.uuid,
        |id, now| {
            Box::pin(async move {
                close_content(m.tx, id, None, now).await?;
                close_references(m.tx, MedicalKind::Service, id, now).await?;
                let deleted = crate::events::ServiceDeleted { service_id: id };
                m.publish(EVENT_SERVICE_DELETED, crate::events::payload(&deleted))
                    .await
            })
        },
    )
    .await
}

/// Items and services named by the given content rows, for nested GraphQL fields.
pub async fn content_members(
    conn: &impl ConnectionTrait,
    rows: &[service_content::Model],
) -> AppResult<(HashMap<i64, item::Model>, HashMap<i64, service::Model>)> {
    let item_ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.kind == MedicalKind::Item.code())
        .map(|r| r.medical_id)
        .collect();
    let service_ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.kind == MedicalKind::Service.code())
        .map(|r| r.medical_id)
        .collect();
    Ok((
        items_by_ids(conn, &item_ids).await?,
        services_by_ids(conn, &service_ids).await?,
    ))
}
