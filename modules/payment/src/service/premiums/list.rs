//! Reads of premiums: the `premiums` list, `validatePremiumCode` and the `otherPremiums` sums.

use super::*;

/// Filters of `premiums` and `premiumsByPolicies` (amounts in minor units).
#[derive(Debug, Clone, Default)]
pub struct PremiumFilter {
    pub show_history: bool,
    /// Objects of a `clientMutationId`.
    pub ids: Option<Vec<i64>>,
    pub uuid: Option<Uuid>,
    pub payer_id: Option<i64>,
    pub amount: AmountRange,
    pub pay_date: DateRange,
    pub pay_type: Option<String>,
    pub is_photo_fee: Option<bool>,
    pub receipt: Option<String>,
    pub receipt_icontains: Option<String>,
    pub policy_id: Option<i64>,
    pub policy_uuid: Option<Uuid>,
    /// `premiumsByPolicies(policyUuids)`.
    pub policy_uuids: Option<Vec<Uuid>>,
    pub product_id: Option<i64>,
    pub product_code: Option<String>,
    /// A location id: premiums of policies of families located at or below it.
    pub parent_location: Option<i64>,
}

/// `premiums` (101301): current premiums (with `showHistory`, their versions follow), of
/// policies whose family lies in the caller's locations (D9), filtered.
pub async fn premiums_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &PremiumFilter,
) -> AppResult<Select<premium::Entity>> {
    let p = require_user(principal, Requirement::AnyOf(&[RIGHT_PREMIUM_SEARCH]))?;
    let conn = &state.db.conn;
    use premium::Column as C;
    let mut q = premium::Entity::find();
    if !f.show_history {
        q = q.current();
    }
    if let Some(scope) = premium_scope(conn, p).await? {
        q = q.filter(scope);
    }
    if let Some(root) = f.parent_location {
        let below = imis_core::location::service::subtree_ids(conn, root).await?;
        q = q.filter(premiums_of_families_in(&below));
    }
    if let Some(ids) = &f.ids {
        q = q.filter(C::Id.is_in(ids.clone()));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    if let Some(v) = f.payer_id {
        q = q.filter(C::PayerId.eq(v));
    }
    q = q.filter(f.amount.condition(C::Amount));
    q = q.filter(f.pay_date.condition(C::PayDate));
    if let Some(v) = &f.pay_type {
        q = q.filter(C::PayType.eq(v.trim().to_uppercase()));
    }
    if let Some(v) = f.is_photo_fee {
        q = q.filter(C::IsPhotoFee.eq(v));
    }
    if let Some(v) = &f.receipt {
        q = q.filter(C::Receipt.eq(v.trim()));
    }
    if let Some(v) = &f.receipt_icontains {
        q = q.filter(icontains(C::Receipt, v));
    }
    if let Some(v) = f.policy_id {
        q = q.filter(C::PolicyId.eq(v));
    }
    let mut uuids: Vec<Uuid> = f.policy_uuids.clone().unwrap_or_default();
    let by_uuid = f.policy_uuids.is_some() || f.policy_uuid.is_some();
    uuids.extend(f.policy_uuid);
    if by_uuid {
        q = q.filter(C::PolicyId.in_subquery(policy_api::policy_ids_with_uuids(&uuids)));
    }
    if let Some(v) = f.product_id {
        q = q.filter(C::ProductId.eq(v));
    }
    if let Some(code) = &f.product_code {
        let ids = imis_product::api::products_by_code(conn, code).await?;
        q = q.filter(C::ProductId.is_in(ids));
    }
    Ok(q)
}

/// `validatePremiumCode(code, policyUuid)` (101301): true when no valid premium of the policy's
/// product carries this receipt.
pub async fn validate_premium_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
    policy_uuid: &str,
) -> AppResult<bool> {
    let p = require_user(principal, Requirement::AnyOf(&[RIGHT_PREMIUM_SEARCH]))?;
    let conn = &state.db.conn;
    let uuid = parse_uuid(policy_uuid, "policyUuid")?;
    let pol = policy_api::find_policy(conn, uuid).await?;
    policy_api::check_policy_scope(conn, p, &pol).await?;
    Ok(!receipt_taken(conn, pol.product_id, code.trim(), None).await?)
}

/// Σ of the other valid non-photo-fee premiums of each premium's policy (`otherPremiums`), for a
/// page: one query.
pub async fn other_premiums(
    conn: &impl ConnectionTrait,
    rows: &[&premium::Model],
) -> AppResult<HashMap<i64, i64>> {
    let mut policy_ids: Vec<i64> = rows.iter().map(|r| r.policy_id).collect();
    policy_ids.sort_unstable();
    policy_ids.dedup();
    let mut by_policy: HashMap<i64, Vec<premium::Model>> = HashMap::new();
    for chunk in policy_ids.chunks(500) {
        for r in premium::Entity::find()
            .filter(premium::Column::PolicyId.is_in(chunk.to_vec()))
            .current()
            .filter(premium::Column::IsPhotoFee.eq(false))
            .order_by(premium::Column::Id, Order::Asc)
            .all(conn)
            .await?
        {
            by_policy.entry(r.policy_id).or_default().push(r);
        }
    }
    Ok(rows
        .iter()
        .map(|r| {
            let sum = by_policy
                .get(&r.policy_id)
                .map(|l| l.iter().filter(|o| o.id != r.id).map(|o| o.amount).sum())
                .unwrap_or(0);
            (r.id, sum)
        })
        .collect())
}
