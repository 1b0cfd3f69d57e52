//! Payers and funding (reference §9, §8.3). A payer is visible when its location is within the
//! caller's allowed locations or an ancestor of one of them (D9); a restricted caller writes only
//! payers located in their allowed locations. Funding is one row per gift: no pseudo family,
//! insuree or policy is created (a deliberate difference from the legacy `uspAddFund`).

use super::*;
use crate::entity::{funding, payer};
use imis_core::auth::{Requirement, require_user};
use imis_core::kit::insert_version;
use imis_core::mutation::MutationCtx;
use sea_orm::{ActiveModelTrait, QueryOrder, Select, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// openIMIS payer types.
pub const PAYER_TYPES: &[&str] = &["C", "D", "G", "L", "O", "P"];
/// openIMIS funding statuses.
pub const FUNDING_STATUSES: &[&str] = &["N", "P", "A", "R"];

/// Input of `createPayer` / `updatePayer` as received.
#[derive(Debug, Clone, Default)]
pub struct PayerInput {
    pub uuid: Option<Uuid>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub address: Option<String>,
    pub location_uuid: Uuid,
    pub payer_type: String,
}

/// Refuses a payer the caller may not change (D9).
async fn check_writable(
    conn: &impl ConnectionTrait,
    p: &Principal,
    location_id: i64,
) -> AppResult<()> {
    if p.scope.allows(conn, Some(location_id)).await? {
        Ok(())
    } else {
        Err(AppError::location_denied())
    }
}

/// Whether the caller may see a payer located at `location_id` (D9).
pub async fn payer_visible(
    conn: &impl ConnectionTrait,
    p: &Principal,
    location_id: i64,
) -> AppResult<bool> {
    Ok(match p.scope.visible_locations(conn).await? {
        None => true,
        Some(v) => v.contains(&location_id),
    })
}

struct CheckedPayer {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    fax: Option<String>,
    address: Option<String>,
    location_id: i64,
    payer_type: String,
}

async fn check_payer(
    conn: &impl ConnectionTrait,
    p: &Principal,
    input: &PayerInput,
) -> AppResult<CheckedPayer> {
    let name = text(Some(&input.name), "name", 100)?
        .ok_or_else(|| AppError::invalid("name", "required"))?;
    let payer_type = input.payer_type.trim().to_uppercase();
    if !PAYER_TYPES.contains(&payer_type.as_str()) {
        return Err(AppError::invalid("type", "C, D, G, L, O or P"));
    }
    let location_id = imis_core::registers::location_id_by_uuid(conn, input.location_uuid)
        .await?
        .ok_or_else(|| {
            AppError::validation("payer.location_invalid").with("uuid", input.location_uuid)
        })?;
    check_writable(conn, p, location_id).await?;
    Ok(CheckedPayer {
        name,
        email: text(input.email.as_deref(), "email", 50)?,
        phone: text(input.phone.as_deref(), "phone", 50)?,
        fax: text(input.fax.as_deref(), "fax", 50)?,
        address: text(input.address.as_deref(), "address", 100)?,
        location_id,
        payer_type,
    })
}

/// The current payer with this uuid (no scope check).
pub async fn find_payer(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<payer::Model> {
    super::premiums::find_payer_by_uuid(conn, uuid).await
}

/// The current payers with these uuids under their row locks, taken in id order, by uuid (for a
/// change: a concurrent change of the same payer waits, then reads what this one wrote, D7).
async fn lock_payers(
    tx: &sea_orm::DatabaseTransaction,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, payer::Model>> {
    if uuids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(payer::Entity::find()
        .filter(payer::Column::Uuid.is_in(uuids.iter().copied()))
        .current()
        .order_by_asc(payer::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(|p| (p.uuid, p))
        .collect())
}

/// Payers by id, whatever their validity.
pub async fn payers_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, payer::Model>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(payer::Entity::find()
        .filter(payer::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

/// `createPayer` (121802).
pub async fn create_payer(m: &mut MutationCtx<'_>, input: PayerInput) -> AppResult<payer::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PAYER_ADD]))?;
    let c = check_payer(&**m.tx, p, &input).await?;
    let now = m.state.clock.now();
    let created = insert_version(
        &**m.tx,
        payer::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            payer_type: Set(c.payer_type),
            name_search: Set(imis_core::text::fold(&c.name)),
            name: Set(c.name),
            address: Set(c.address),
            location_id: Set(c.location_id),
            phone: Set(c.phone),
            fax: Set(c.fax),
            email: Set(c.email),
            ..Default::default()
        },
        now,
        m.actor(),
    )
    .await?;
    m.link(HISTORY_PAYER, created.id);
    Ok(created)
}

/// `updatePayer` (121803): complete update (omitted optional fields become null) with history;
/// historical or deleted payers cannot be updated.
pub async fn update_payer(m: &mut MutationCtx<'_>, input: PayerInput) -> AppResult<payer::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PAYER_EDIT]))?;
    let uuid = input
        .uuid
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let existing = lock_payers(m.tx, &[uuid])
        .await?
        .remove(&uuid)
        .ok_or_else(|| AppError::not_found("payer").with("uuid", uuid))?;
    check_writable(&**m.tx, p, existing.location_id).await?;
    let c = check_payer(&**m.tx, p, &input).await?;
    let now = m.state.clock.now();
    let mut a: payer::ActiveModel =
        imis_core::kit::new_version(m.tx, HISTORY_PAYER, existing, now, m.actor()).await?;
    a.payer_type = Set(c.payer_type);
    a.name_search = Set(imis_core::text::fold(&c.name));
    a.name = Set(c.name);
    a.address = Set(c.address);
    a.location_id = Set(c.location_id);
    a.phone = Set(c.phone);
    a.fax = Set(c.fax);
    a.email = Set(c.email);
    let updated = a.update(&**m.tx).await?;
    m.link(HISTORY_PAYER, updated.id);
    Ok(updated)
}

/// `deletePayer(uuids)` (121804): soft deletes with history. Premiums and fundings keep their
/// reference to the deleted payer.
pub async fn delete_payers(m: &mut MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<Vec<i64>> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PAYER_DELETE]))?;
    let mut out = vec![];
    let mut locked = lock_payers(m.tx, uuids).await?;
    let now = m.state.clock.now();
    for u in uuids {
        let existing = locked
            .remove(u)
            .ok_or_else(|| AppError::not_found("payer").with("uuid", u))?;
        check_writable(&**m.tx, p, existing.location_id).await?;
        let id = existing.id;
        imis_core::kit::close_version::<payer::ActiveModel>(
            m.tx,
            HISTORY_PAYER,
            existing,
            now,
            m.actor(),
        )
        .await?;
        m.link(HISTORY_PAYER, id);
        out.push(id);
    }
    Ok(out)
}

/// Filters of `payers`.
#[derive(Debug, Clone, Default)]
pub struct PayerFilter {
    pub show_history: bool,
    pub id: Option<i64>,
    pub uuid: Option<Uuid>,
    /// Name, email or phone contains this (case and accents ignored for the name).
    pub search: Option<String>,
    pub name: Option<String>,
    pub name_icontains: Option<String>,
    pub email: Option<String>,
    pub email_icontains: Option<String>,
    pub phone: Option<String>,
    pub phone_icontains: Option<String>,
    /// Payers located at this location or directly under it.
    pub location: Option<i64>,
    pub payer_type: Option<String>,
}

fn lower_contains(col: payer::Column, v: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    Expr::expr(Func::lower(Expr::col(col))).like(
        LikeExpr::new(format!(
            "%{}%",
            imis_core::text::like_escape(&v.trim().to_lowercase())
        ))
        .escape('\\'),
    )
}

/// `payers` (121801): current payers the caller may see (D9), filtered.
pub async fn payers_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &PayerFilter,
) -> AppResult<Select<payer::Entity>> {
    let p = require_user(principal, Requirement::AnyOf(&[RIGHT_PAYER_SEARCH]))?;
    let conn = &state.db.conn;
    use payer::Column as C;
    let mut q = payer::Entity::find();
    if !f.show_history {
        q = q.current();
    }
    if let Some(visible) = p.scope.visible_locations(conn).await? {
        q = q.filter(C::LocationId.is_in(visible.iter().copied()));
    }
    if let Some(id) = f.id {
        q = q.filter(C::Id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any()
                .add(imis_core::text::name_condition(
                    C::NameSearch,
                    &None,
                    &None,
                    &Some(s.to_string()),
                    &None,
                ))
                .add(lower_contains(C::Email, s))
                .add(lower_contains(C::Phone, s)),
        );
    }
    q = q.filter(imis_core::text::name_condition(
        C::NameSearch,
        &f.name,
        &None,
        &f.name_icontains,
        &None,
    ));
    if let Some(v) = &f.email {
        q = q.filter(C::Email.eq(v.trim()));
    }
    if let Some(v) = &f.email_icontains {
        q = q.filter(lower_contains(C::Email, v));
    }
    if let Some(v) = &f.phone {
        q = q.filter(C::Phone.eq(v.trim()));
    }
    if let Some(v) = &f.phone_icontains {
        q = q.filter(lower_contains(C::Phone, v));
    }
    if let Some(l) = f.location {
        let children = imis_core::registers::child_location_ids(conn, l).await?;
        q = q.filter(
            Condition::any()
                .add(C::LocationId.eq(l))
                .add(C::LocationId.is_in(children)),
        );
    }
    if let Some(t) = &f.payer_type {
        q = q.filter(C::PayerType.eq(t.trim().to_uppercase()));
    }
    Ok(q)
}

/// `payer(uuid)` (121801): one current payer the caller may see.
pub async fn payer_by_uuid(
    state: &AppState,
    principal: Option<&Principal>,
    uuid: Option<Uuid>,
) -> AppResult<Option<payer::Model>> {
    require_user(principal, Requirement::AnyOf(&[RIGHT_PAYER_SEARCH]))?;
    let uuid = uuid.ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let f = PayerFilter {
        uuid: Some(uuid),
        ..Default::default()
    };
    Ok(payers_select(state, principal, &f)
        .await?
        .one(&state.db.conn)
        .await?)
}

/// Input of `addFunding`, as received.
#[derive(Debug, Clone)]
pub struct FundingInput {
    pub payer_id: String,
    pub product_id: String,
    pub pay_date: chrono::NaiveDate,
    pub amount: Decimal,
    pub receipt: String,
}

/// A payer id of the API: an integer or a `PayerGQLType` global id.
pub fn payer_pk(id: &str) -> AppResult<i64> {
    imis_core::graphql::parse_pk(id.trim(), "PayerGQLType")
}

/// `addFunding(payerId, productId, payDate, amount, receipt)` (121803, payer edit): a funding
/// row with status P. The payer must be writable by the caller, the product visible to them
/// (D9), and the payer may fund the product only when the product is national, or one of the
/// two locations lies at or above the other.
pub async fn add_funding(
    m: &mut MutationCtx<'_>,
    input: FundingInput,
) -> AppResult<funding::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PAYER_EDIT]))?;
    let conn = &**m.tx;
    let payer_id = payer_pk(&input.payer_id)?;
    let product_id = imis_core::graphql::parse_pk(input.product_id.trim(), "ProductGQLType")?;
    let payer = payer::Entity::find_by_id(payer_id)
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("payer").with("id", payer_id))?;
    check_writable(conn, p, payer.location_id).await?;
    // Only a current product may be funded.
    let is_current = {
        use sea_orm::sea_query::{Alias, Expr, ExprTrait};
        let q = imis_product::api::current_product_ids()
            .and_where(Expr::col(Alias::new("id")).eq(product_id))
            .to_owned();
        conn.query_one(&q).await?.is_some()
    };
    let product = imis_product::api::products_by_ids(conn, &[product_id])
        .await?
        .remove(&product_id)
        .filter(|_| is_current)
        .ok_or_else(|| AppError::not_found("product").with("id", product_id))?;
    // D9: the product must be one the caller may see (national, in their locations, or at an
    // ancestor of one of them).
    if let Some(pl) = product.location_id
        && let Some(visible) = p.scope.visible_locations(conn).await?
        && !visible.contains(&pl)
    {
        return Err(AppError::location_denied());
    }
    if let Some(pl) = product.location_id {
        let up_of_payer =
            imis_core::location::service::locations_with_ancestors(conn, &[payer.location_id])
                .await?;
        let up_of_product =
            imis_core::location::service::locations_with_ancestors(conn, &[pl]).await?;
        if !up_of_payer.contains_key(&pl) && !up_of_product.contains_key(&payer.location_id) {
            return Err(AppError::validation("funding.product_not_fundable")
                .with("productCode", &product.code)
                .with("payer", &payer.name));
        }
    }
    let amount = minor(m.state, input.amount, "amount")?;
    if amount <= 0 {
        return Err(AppError::invalid("amount", "must be positive"));
    }
    if input.pay_date > m.state.clock.today() {
        return Err(
            AppError::validation("premium.pay_date_in_future").with("payDate", input.pay_date)
        );
    }
    let receipt = text(Some(&input.receipt), "receipt", 50)?
        .ok_or_else(|| AppError::invalid("receipt", "required"))?;
    let now = m.state.clock.now();
    let created = insert_version(
        conn,
        funding::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            payer_id: Set(payer.id),
            product_id: Set(product.id),
            amount: Set(amount),
            pay_date: Set(input.pay_date),
            receipt: Set(receipt),
            status: Set("P".into()),
            json_ext: Set(None),
            version: Set(1),
            created_at: Set(now),
            created_by: Set(m.actor()),
            ..Default::default()
        },
        now,
        m.actor(),
    )
    .await?;
    m.link(HISTORY_FUNDING, created.id);
    Ok(created)
}

/// Filters of `fundings`.
#[derive(Debug, Clone, Default)]
pub struct FundingFilter {
    pub show_history: bool,
    pub ids: Option<Vec<i64>>,
    pub id: Option<i64>,
    pub uuid: Option<Uuid>,
    pub payer_id: Option<i64>,
    pub payer_ids: Option<Vec<i64>>,
    pub product_id: Option<i64>,
    pub pay_date: DateRange,
    pub receipt: Option<String>,
    pub receipt_icontains: Option<String>,
    pub amount: AmountRange,
    pub status: Option<String>,
}

/// `fundings` (121801): fundings of payers the caller may see.
pub async fn fundings_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &FundingFilter,
) -> AppResult<Select<funding::Entity>> {
    let p = require_user(principal, Requirement::AnyOf(&[RIGHT_PAYER_SEARCH]))?;
    let conn = &state.db.conn;
    use funding::Column as C;
    let mut q = funding::Entity::find();
    if !f.show_history {
        q = q.current();
    }
    if let Some(visible) = p.scope.visible_locations(conn).await? {
        let payers: Vec<i64> = payer::Entity::find()
            .select_only()
            .column(payer::Column::Id)
            .filter(payer::Column::LocationId.is_in(visible.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        q = q.filter(C::PayerId.is_in(payers));
    }
    if let Some(ids) = &f.ids {
        q = q.filter(C::Id.is_in(ids.clone()));
    }
    if let Some(id) = f.id {
        q = q.filter(C::Id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    if let Some(v) = f.payer_id {
        q = q.filter(C::PayerId.eq(v));
    }
    if let Some(v) = &f.payer_ids {
        q = q.filter(C::PayerId.is_in(v.clone()));
    }
    if let Some(v) = f.product_id {
        q = q.filter(C::ProductId.eq(v));
    }
    q = q.filter(f.pay_date.condition(C::PayDate));
    q = q.filter(f.amount.condition(C::Amount));
    if let Some(v) = &f.receipt {
        q = q.filter(C::Receipt.eq(v.trim()));
    }
    if let Some(v) = &f.receipt_icontains {
        q = q.filter(icontains(C::Receipt, v));
    }
    if let Some(s) = &f.status {
        q = q.filter(C::Status.eq(s.trim().to_uppercase()));
    }
    Ok(q)
}
