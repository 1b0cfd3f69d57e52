//! Reads of payments: the `payments` and `paymentDetails` lists and the premiums of
//! `paymentsByPremiums` (location scope as the parent module describes).

use super::*;

/// Filters of `payments` (amounts in minor units).
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    pub show_history: bool,
    /// Only payments with a reconciliation date (openIMIS `showReconciled`).
    pub show_reconciled: bool,
    pub ids: Option<Vec<i64>>,
    pub uuid: Option<Uuid>,
    pub status: Option<i32>,
    pub received_date: DateRange,
    pub request_date: DateRange,
    pub payment_date: DateRange,
    pub matched_date: DateRange,
    pub received_amount: AmountRange,
    pub expected_amount: AmountRange,
    pub transaction_no: Option<String>,
    pub transaction_no_icontains: Option<String>,
    pub receipt_no: Option<String>,
    pub receipt_no_icontains: Option<String>,
    pub officer_code: Option<String>,
    pub officer_code_icontains: Option<String>,
    pub phone_number: Option<String>,
    pub type_of_payment: Option<String>,
    pub origin: Option<String>,
    /// `paymentsByPremiums`: payments with a current detail line of one of these premiums.
    pub premium_ids: Option<Vec<i64>>,
}

/// `payments` (101401): every payment (payments carry no location); their lines are restricted
/// where they are shown (module documentation).
pub fn payments_select(
    principal: Option<&Principal>,
    f: &PaymentFilter,
) -> AppResult<Select<payment::Entity>> {
    require_user(principal, Requirement::AnyOf(&[RIGHT_PAYMENT_SEARCH]))?;
    use payment::Column as C;
    let mut q = payment::Entity::find();
    if !f.show_history {
        q = q.current();
    }
    if f.show_reconciled {
        q = q.filter(C::ReconciliationDate.is_not_null());
    }
    if let Some(ids) = &f.ids {
        q = q.filter(C::Id.is_in(ids.clone()));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    if let Some(s) = f.status {
        q = q.filter(C::Status.eq(s));
    }
    q = q.filter(f.received_date.condition(C::ReceivedDate));
    q = q.filter(f.request_date.condition(C::RequestDate));
    q = q.filter(f.payment_date.condition(C::PaymentDate));
    q = q.filter(f.matched_date.condition(C::MatchedDate));
    q = q.filter(f.received_amount.condition(C::ReceivedAmount));
    q = q.filter(f.expected_amount.condition(C::ExpectedAmount));
    for (col, eq, contains) in [
        (
            C::TransactionNo,
            &f.transaction_no,
            &f.transaction_no_icontains,
        ),
        (C::ReceiptNo, &f.receipt_no, &f.receipt_no_icontains),
        (C::OfficerCode, &f.officer_code, &f.officer_code_icontains),
    ] {
        if let Some(v) = eq {
            q = q.filter(col.eq(v.trim()));
        }
        if let Some(v) = contains {
            q = q.filter(icontains(col, v));
        }
    }
    if let Some(v) = &f.phone_number {
        q = q.filter(C::PhoneNumber.eq(v.trim()));
    }
    if let Some(v) = &f.type_of_payment {
        q = q.filter(C::TypeOfPayment.eq(v.trim()));
    }
    if let Some(v) = &f.origin {
        q = q.filter(C::Origin.eq(v.trim()));
    }
    if let Some(ids) = &f.premium_ids {
        let sub = payment_detail::Entity::find()
            .select_only()
            .column(payment_detail::Column::PaymentId)
            .filter(payment_detail::Column::PremiumId.is_in(ids.clone()))
            .current()
            .into_query();
        q = q.filter(C::Id.in_subquery(sub));
    }
    Ok(q)
}

/// Ids of premiums by uuid (any validity) for `paymentsByPremiums`, after the rights check:
/// only the premiums the caller may see (D9).
pub async fn premium_ids_by_uuid(
    state: &AppState,
    principal: Option<&Principal>,
    uuids: &[String],
) -> AppResult<Vec<i64>> {
    let p = require_user(principal, Requirement::AnyOf(&[RIGHT_PAYMENT_SEARCH]))?;
    let parsed: Vec<Uuid> = uuids
        .iter()
        .map(|u| parse_uuid(u, "premiumUuids"))
        .collect::<AppResult<_>>()?;
    if parsed.is_empty() {
        return Ok(vec![]);
    }
    let conn = &state.db.conn;
    let mut q = premium::Entity::find()
        .select_only()
        .column(premium::Column::Id)
        .filter(premium::Column::Uuid.is_in(parsed));
    if let Some(scope) = premium_scope(conn, p).await? {
        q = q.filter(scope);
    }
    Ok(q.into_tuple().all(conn).await?)
}

/// Filters of `paymentDetails`.
#[derive(Debug, Clone, Default)]
pub struct PaymentDetailFilter {
    pub show_history: bool,
    pub payment_uuid: Option<Uuid>,
    pub premium_uuid: Option<Uuid>,
    pub insurance_number: Option<String>,
    pub product_code: Option<String>,
}

/// `paymentDetails` (101401): a restricted caller gets only the lines of premiums they may see
/// (D9); lines without a premium are for unrestricted callers.
pub async fn payment_details_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &PaymentDetailFilter,
) -> AppResult<Select<payment_detail::Entity>> {
    let p = require_user(principal, Requirement::AnyOf(&[RIGHT_PAYMENT_SEARCH]))?;
    let conn = &state.db.conn;
    use payment_detail::Column as C;
    let mut q = payment_detail::Entity::find();
    if !f.show_history {
        q = q.current();
    }
    if let Some(scope) = premium_scope(conn, p).await? {
        let visible = premium::Entity::find()
            .select_only()
            .column(premium::Column::Id)
            .filter(scope)
            .into_query();
        q = q.filter(C::PremiumId.in_subquery(visible));
    }
    if let Some(u) = f.payment_uuid {
        let id: Option<i64> = payment::Entity::find()
            .select_only()
            .column(payment::Column::Id)
            .filter(payment::Column::Uuid.eq(u))
            .into_tuple()
            .one(conn)
            .await?;
        q = q.filter(C::PaymentId.eq(id.unwrap_or(0)));
    }
    if let Some(u) = f.premium_uuid {
        let id: Option<i64> = premium::Entity::find()
            .select_only()
            .column(premium::Column::Id)
            .filter(premium::Column::Uuid.eq(u))
            .into_tuple()
            .one(conn)
            .await?;
        q = q.filter(C::PremiumId.eq(id.unwrap_or(0)));
    }
    if let Some(v) = &f.insurance_number {
        q = q.filter(C::InsuranceNumber.eq(v.trim()));
    }
    if let Some(v) = &f.product_code {
        q = q.filter(C::ProductCode.eq(v.trim()));
    }
    Ok(q)
}
