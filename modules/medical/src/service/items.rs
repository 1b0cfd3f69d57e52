//! Medical items (reference §4.1): reads are open to every logged-in user (D8), writes need
//! 122102 (add), 122103 (edit), 122104 (delete).

use super::*;
use crate::entity::item;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::mutation::MutationCtx;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction, QueryFilter, Select};
use uuid::Uuid;

/// Filters of `medicalItems` / `medicalItemsStr`.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub list: CodeNameFilter,
    pub package: Option<String>,
    pub package_istartswith: Option<String>,
    pub package_icontains: Option<String>,
    pub item_type: Option<String>,
    /// Items with a current detail in this items price list.
    pub pricelist_uuid: Option<Uuid>,
    /// Items that were valid on this date and still are (`medicalItemsStr(date:)`).
    pub date: Option<NaiveDate>,
}

/// The current items matching `f` (any logged-in user).
pub async fn items_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &ItemFilter,
) -> AppResult<Select<item::Entity>> {
    use item::Column as C;
    let mut q = code_name_select(principal, &f.list, [C::Id, C::Uuid, C::Code, C::NameSearch])?;
    if let Some(v) = &f.package {
        q = q.filter(C::Package.eq(v.clone()));
    }
    q = q.filter(code_condition(
        C::Package,
        &None,
        &f.package_istartswith,
        &f.package_icontains,
        &None,
    ));
    if let Some(v) = &f.item_type {
        q = q.filter(C::ItemType.eq(v.clone()));
    }
    in_pricelist_and_dated(
        state,
        q,
        (MedicalKind::Item, ENTITY_ITEM),
        f.pricelist_uuid,
        f.date,
        [C::Id, C::ValidityFrom],
    )
    .await
}

/// `validateItemCode`: true when no current item has this code.
pub async fn validate_item_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    require_user(principal, Requirement::Authenticated)?;
    Ok(!item_code_taken(&state.db.conn, code, None).await?)
}

async fn item_code_taken(
    conn: &impl ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    imis_core::kit::taken::<item::Entity>(
        conn,
        item::Column::Code,
        code.trim(),
        item::Column::Id,
        except,
    )
    .await
}

/// Of `ids`, those that are current items (for the product module).
pub async fn current_item_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<i64>> {
    let rows = rows_in::<item::Entity, _>(conn, item::Column::Id, ids.iter().copied(), true);
    Ok(rows.await?.into_iter().map(|m| m.id).collect())
}

/// The current items of these uuids, by uuid; unknown or deleted ones are absent.
pub async fn current_items_by_uuid(
    conn: &impl ConnectionTrait,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, item::Model>> {
    let rows = rows_in::<item::Entity, _>(conn, item::Column::Uuid, uuids.iter().copied(), true);
    Ok(rows.await?.into_iter().map(|m| (m.uuid, m)).collect())
}

/// The current items with these codes, by code.
pub async fn current_items_by_code(
    conn: &impl ConnectionTrait,
    codes: &[&str],
) -> AppResult<HashMap<String, item::Model>> {
    let wanted = codes.iter().map(|c| c.trim().to_string());
    let rows = rows_in::<item::Entity, _>(conn, item::Column::Code, wanted, true);
    Ok(rows
        .await?
        .into_iter()
        .map(|m| (m.code.clone(), m))
        .collect())
}

/// Items by id, whatever their validity (for nested GraphQL fields).
pub async fn items_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, item::Model>> {
    let rows = rows_in::<item::Entity, _>(conn, item::Column::Id, ids.iter().copied(), false);
    Ok(rows.await?.into_iter().map(|m| (m.id, m)).collect())
}

/// Input of `createItem` / `updateItem` (an update is complete: omitted optional fields become
/// empty).
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub uuid: Option<Uuid>,
    /// `updateItem` may name the item by its integer id instead of its uuid.
    pub id: Option<i64>,
    pub code: String,
    pub name: String,
    pub item_type: String,
    pub package: Option<String>,
    pub price: Decimal,
    pub quantity: Option<Decimal>,
    pub maximum_amount: Option<Decimal>,
    pub care_type: String,
    pub frequency: Option<Decimal>,
    pub patient_category: Option<i32>,
    /// Bits of `patientCategories`, OR-ed when `patient_category` is absent.
    pub patient_categories: Option<Vec<i32>>,
}

/// Validated column values.
#[derive(Debug, Clone, PartialEq)]
struct ItemValues {
    code: String,
    name: String,
    item_type: String,
    package: Option<String>,
    price: i64,
    quantity: Option<i64>,
    maximum_amount: Option<i64>,
    care_type: String,
    frequency: Option<i32>,
    patient_category: i32,
}

fn item_values(state: &AppState, i: &ItemInput) -> AppResult<ItemValues> {
    let digits = digits(state);
    check_len("code", &i.code, 6)?;
    check_len("name", &i.name, 100)?;
    check_opt_len("package", &i.package, 255)?;
    one_of("type", &i.item_type, &["D", "M"])?;
    one_of("careType", &i.care_type, &["I", "O", "B"])?;
    // A quantity in hundredths: the same checked conversion as amounts.
    let quantity = i
        .quantity
        .map(|q| Money::parse_non_negative("quantity", q, 2).map(|m| m.0))
        .transpose()?;
    Ok(ItemValues {
        code: i.code.trim().to_string(),
        name: i.name.trim().to_string(),
        item_type: i.item_type.clone(),
        package: trimmed(&i.package),
        price: money_in("price", i.price, digits)?,
        quantity,
        maximum_amount: opt_money_in("maximumAmount", i.maximum_amount, digits)?,
        care_type: i.care_type.clone(),
        frequency: whole("frequency", i.frequency)?,
        patient_category: patient_category(i.patient_category, &i.patient_categories)?,
    })
}

fn values_of(m: &item::Model) -> ItemValues {
    ItemValues {
        code: m.code.clone(),
        name: m.name.clone(),
        item_type: m.item_type.clone(),
        package: m.package.clone(),
        price: m.price,
        quantity: m.quantity,
        maximum_amount: m.maximum_amount,
        care_type: m.care_type.clone(),
        frequency: m.frequency,
        patient_category: m.patient_category,
    }
}

fn fill(am: &mut item::ActiveModel, v: ItemValues) {
    am.name_search = Set(imis_core::text::fold(&v.name));
    am.code = Set(v.code);
    am.name = Set(v.name);
    am.item_type = Set(v.item_type);
    am.package = Set(v.package);
    am.price = Set(v.price);
    am.quantity = Set(v.quantity);
    am.maximum_amount = Set(v.maximum_amount);
    am.care_type = Set(v.care_type);
    am.frequency = Set(v.frequency);
    am.patient_category = Set(v.patient_category);
}

/// `createItem` (122102). A known `uuid` returns the existing item when its content matches
/// (D4), otherwise `conflict.uuid_exists`.
pub async fn create_item(m: &MutationCtx<'_>, input: ItemInput) -> AppResult<item::Model> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_ITEM_ADD]))?;
    let tx: &DatabaseTransaction = m.tx;
    let v = item_values(m.state, &input)?;
    let same = async |e: &item::Model| Ok(values_of(e) == v);
    if let Some(existing) =
        replayed::<item::Entity>(tx, item::Column::Uuid, input.uuid, same).await?
    {
        return Ok(existing);
    }
    if item_code_taken(tx, &v.code, None).await? {
        return Err(code_taken(&v.code));
    }
    let mut am = item::ActiveModel {
        uuid: Set(input.uuid.unwrap_or_else(Uuid::now_v7)),
        validity_from: Set(m.state.clock.now()),
        validity_to: Set(None),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    };
    let code = v.code.clone();
    fill(&mut am, v);
    am.insert(tx)
        .await
        .map_err(|e| imis_core::error::unique_or(e, &["code"], input.uuid, || code_taken(&code)))
}

fn code_taken(code: &str) -> AppError {
    AppError::validation("medical.item_code_taken").with("itemCode", code)
}

/// `updateItem` (122103): the previous version goes to history; every field is replaced.
pub async fn update_item(m: &MutationCtx<'_>, input: ItemInput) -> AppResult<item::Model> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_ITEM_EDIT]))?;
    let tx: &DatabaseTransaction = m.tx;
    let v = item_values(m.state, &input)?;
    let old = lock_target::<item::Entity>(
        tx,
        [item::Column::Uuid, item::Column::Id],
        input.uuid,
        input.id,
        "item",
    )
    .await?;
    if values_of(&old) == v {
        return Ok(old);
    }
    if item_code_taken(tx, &v.code, Some(old.id)).await? {
        return Err(code_taken(&v.code));
    }
    let now = m.state.clock.now();
    let code = v.code.clone();
    let mut am: item::ActiveModel = new_version(tx, ENTITY_ITEM, old, now, m.actor()).await?;
    fill(&mut am, v);
    am.update(tx)
        .await
        .map_err(|e| imis_core::error::unique_or(e, &["code"], None, || code_taken(&code)))
}

/// `deleteItem` (122104): soft-deletes each item with a history row, closes the price-list
/// details and package contents that reference it, and publishes `medical.item_deleted`
/// (`{"itemId"}`) in the transaction, so that a module holding references may veto or follow.
pub async fn delete_items(m: &MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<Vec<i64>> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_ITEM_DELETE]))?;
    close_each::<item::ActiveModel>(
        m,
        ENTITY_ITEM,
        "item",
        uuids,
        [item::Column::Uuid, item::Column::Id],
        |m| m.uuid,
        |id, now| {
            Box::pin(async move {
                close_references(m.tx, MedicalKind::Item, id, now).await?;
                let deleted = crate::events::ItemDeleted { item_id: id };
                m.publish(EVENT_ITEM_DELETED, crate::events::payload(&deleted))
                    .await
            })
        },
    )
    .await
}

/// Closes the current price-list details and package contents naming an item or service.
pub(crate) async fn close_references(
    tx: &DatabaseTransaction,
    kind: MedicalKind,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let b = tx.get_database_backend();
    for table in ["medical_pricelist_detail", "medical_service_content"] {
        tx.execute_raw(imis_core::db::stmt(
            b,
            &format!(
                "UPDATE {table} SET validity_to = ? WHERE kind = ? AND medical_id = ? AND validity_to IS NULL"
            ),
            vec![now.into(), kind.code().into(), id.into()],
        ))
        .await?;
    }
    Ok(())
}
