//! Eligibility (reference §7.6, fixed): the facility desk asks whether an insuree is covered
//! today and what is left of their benefits. Rows are built from coverage × product lines, so a
//! waiting period shows even before any claim (the openIMIS quirk of joining claims is fixed);
//! usage comes from the facts the claim module pushes ([`super::usage`]).

use super::*;
use crate::values::is_adult;
use imis_core::dates::add_months;

/// The openIMIS `EligibilityGQLType` answer. Counts: None = unlimited. Amounts in minor units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Eligibility {
    pub prod_id: Option<String>,
    pub total_admissions_left: Option<i64>,
    pub total_visits_left: Option<i64>,
    pub total_consultations_left: Option<i64>,
    pub total_surgeries_left: Option<i64>,
    pub total_deliveries_left: Option<i64>,
    pub total_antenatal_left: Option<i64>,
    pub consultation_amount_left: Option<i64>,
    pub surgery_amount_left: Option<i64>,
    pub delivery_amount_left: Option<i64>,
    pub hospitalization_amount_left: Option<i64>,
    pub antenatal_amount_left: Option<i64>,
    pub min_date_item: Option<NaiveDate>,
    pub item_left: Option<i64>,
    pub is_item_ok: bool,
    pub min_date_service: Option<NaiveDate>,
    pub service_left: Option<i64>,
    pub is_service_ok: bool,
}

/// The insuree of an exact insurance-number look-up (D9): callers holding a facility-desk right
/// (101105, 111001, 111002) are not location-restricted; others need 101201 and scope.
pub async fn desk_insuree(
    state: &AppState,
    principal: Option<&Principal>,
    chf_id: &str,
) -> AppResult<InsureeSummary> {
    let p = require_user(principal, Requirement::AnyOf(SEARCH_OR_DESK))?;
    let conn = &state.db.conn;
    let ins = imis_insuree::api::find_by_chf_id(conn, chf_id)
        .await?
        .ok_or_else(|| AppError::not_found("insuree").with("chfId", chf_id.trim()))?;
    if !p.has_any(DESK_RIGHTS) {
        imis_insuree::api::check_insuree_scope(conn, p, &ins).await?;
    }
    Ok(ins)
}

/// Category counts (claims) left for a product over a coverage window.
fn left(max: Option<i32>, used: i64) -> Option<i64> {
    max.filter(|m| *m >= 0)
        .map(|m| (i64::from(m) - used).max(0))
}

/// Whether the waiting period applies to a coverage row (D20: the policy is new, or the insuree
/// joined after the policy started).
fn waiting_applies(cover: &coverage::Cover) -> bool {
    cover.policy.stage == "N" || cover.row.effective_date > cover.policy.effective_date
}

struct LineRow {
    min_date: NaiveDate,
    left: Option<i64>,
}

/// Rows for one item or service over the covering policies.
async fn line_rows(
    state: &AppState,
    conn: &impl ConnectionTrait,
    ins: &InsureeSummary,
    covers: &[coverage::Cover],
    kind: char,
    medical_id: i64,
) -> AppResult<Vec<LineRow>> {
    let today = state.clock.today();
    let adult = is_adult(ins.dob, today, state.config.core.age_of_majority);
    let mut rows = vec![];
    for cover in covers {
        let Some(version) = imis_product::api::product_in_force(
            conn,
            &state.clock,
            cover.policy.product_id,
            cover.policy.enroll_date,
        )
        .await?
        else {
            continue;
        };
        let lines = if kind == 'I' {
            &version.items
        } else {
            &version.services
        };
        let Some(line) = lines.iter().find(|l| l.medical_id == medical_id) else {
            continue;
        };
        let effective = cover.row.effective_date.unwrap_or(cover.row.start_date);
        let waiting = if adult {
            line.waiting_period_adult
        } else {
            line.waiting_period_child
        }
        .unwrap_or(0);
        let min_date = if waiting > 0 && waiting_applies(cover) {
            add_months(effective, waiting)
        } else {
            effective
        };
        let limit = if adult {
            line.limit_no_adult
        } else {
            line.limit_no_child
        };
        let used = usage::usage_between(conn, ins.id, effective, cover.row.expiry_date)
            .await?
            .qty
            .get(&(kind, medical_id))
            .copied()
            .unwrap_or(0);
        rows.push(LineRow {
            min_date,
            // Quantities are stored in hundredths; a started unit counts.
            left: limit
                .filter(|l| *l >= 0)
                .map(|l| (i64::from(l) - (used + 99) / 100).max(0)),
        });
    }
    Ok(rows)
}

/// (min date, left, ok) of rows (reference §7.6 step 2).
fn summarise(rows: &[LineRow], today: NaiveDate) -> (Option<NaiveDate>, Option<i64>, bool) {
    if rows.is_empty() {
        return (None, None, false);
    }
    let due: Vec<&LineRow> = rows.iter().filter(|r| r.min_date <= today).collect();
    let considered: Vec<&LineRow> = if due.is_empty() {
        rows.iter().collect()
    } else {
        due.clone()
    };
    let min_date = considered.iter().map(|r| r.min_date).min();
    let left = if considered.iter().any(|r| r.left.is_none()) {
        None
    } else {
        considered.iter().filter_map(|r| r.left).max()
    };
    let ok = !due.is_empty() && left != Some(0);
    (min_date, left, ok)
}

/// `policyEligibilityByInsuree`, `policyItemEligibilityByInsuree`,
/// `policyServiceEligibilityByInsuree` (101201 or a desk right, D9).
pub async fn eligibility(
    state: &AppState,
    principal: Option<&Principal>,
    chf_id: &str,
    item_code: Option<&str>,
    service_code: Option<&str>,
) -> AppResult<Eligibility> {
    let ins = desk_insuree(state, principal, chf_id).await?;
    let conn = &state.db.conn;
    let today = state.clock.today();
    let covers = coverage::covering(conn, ins.id, today).await?;
    let mut e = Eligibility {
        is_item_ok: false,
        is_service_ok: false,
        ..Default::default()
    };
    // Category totals: the covering row that expires last.
    let latest = covers
        .iter()
        .max_by_key(|c| (c.row.expiry_date, c.policy.id));
    match latest {
        None => {
            e.total_admissions_left = Some(0);
            e.total_visits_left = Some(0);
            e.total_consultations_left = Some(0);
            e.total_surgeries_left = Some(0);
            e.total_deliveries_left = Some(0);
            e.total_antenatal_left = Some(0);
            e.consultation_amount_left = Some(0);
            e.surgery_amount_left = Some(0);
            e.delivery_amount_left = Some(0);
            e.hospitalization_amount_left = Some(0);
            e.antenatal_amount_left = Some(0);
        }
        Some(c) => {
            let p = product_on(state, conn, c.policy.product_id, c.policy.enroll_date).await?;
            let from = c.row.effective_date.unwrap_or(c.row.start_date);
            let w = usage::usage_between(conn, ins.id, from, c.row.expiry_date).await?;
            let used = |cat: &str| w.claims_by_category.get(cat).copied().unwrap_or(0);
            e.prod_id = Some(p.code.clone());
            e.total_admissions_left = left(p.max_no_hospitalization, used("H"));
            e.total_visits_left = left(p.max_no_visits, used("V"));
            e.total_consultations_left = left(p.max_no_consultation, used("C"));
            e.total_surgeries_left = left(p.max_no_surgery, used("S"));
            e.total_deliveries_left = left(p.max_no_delivery, used("D"));
            e.total_antenatal_left = left(p.max_no_antenatal, used("A"));
            e.consultation_amount_left = p.max_amount_consultation;
            e.surgery_amount_left = p.max_amount_surgery;
            e.delivery_amount_left = p.max_amount_delivery;
            e.hospitalization_amount_left = p.max_amount_hospitalization;
            e.antenatal_amount_left = p.max_amount_antenatal;
        }
    }
    if let Some(code) = item_code {
        let items = imis_medical::api::current_items_by_code(conn, &[code]).await?;
        let item = items
            .get(code.trim())
            .ok_or_else(|| AppError::not_found("item").with("code", code.trim()))?;
        let rows = line_rows(state, conn, &ins, &covers, 'I', item.id).await?;
        (e.min_date_item, e.item_left, e.is_item_ok) = summarise(&rows, today);
    }
    if let Some(code) = service_code {
        let services = imis_medical::api::current_services_by_code(conn, &[code]).await?;
        let service = services
            .get(code.trim())
            .ok_or_else(|| AppError::not_found("service").with("code", code.trim()))?;
        let rows = line_rows(state, conn, &ins, &covers, 'S', service.id).await?;
        let (min_date, left_count, mut ok) = summarise(&rows, today);
        let category_blocked = match service.category.as_deref() {
            Some("S") => {
                e.total_surgeries_left == Some(0) || e.surgery_amount_left.is_some_and(|a| a <= 0)
            }
            Some("C") => {
                e.total_consultations_left == Some(0)
                    || e.consultation_amount_left.is_some_and(|a| a <= 0)
            }
            Some("D") => {
                e.total_deliveries_left == Some(0) || e.delivery_amount_left.is_some_and(|a| a <= 0)
            }
            _ => false,
        };
        if category_blocked {
            ok = false;
        }
        (e.min_date_service, e.service_left, e.is_service_ok) = (min_date, left_count, ok);
    } else {
        // openIMIS: true when no service was asked (and there is coverage).
        e.is_service_ok = latest.is_some();
    }
    if item_code.is_none() {
        e.is_item_ok = latest.is_some();
    }
    Ok(e)
}
