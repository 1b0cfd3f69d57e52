//! The submission rules (D20, reference §1.5): a pure function from the facts of one claim to
//! its outcome, with no database, so that each rule is tested on its own. The submission
//! service ([`super::submission`]) gathers the facts in a fixed number of queries, calls
//! [`evaluate`] and writes what it answers.
//!
//! Order, first failure wins. Claim level: 9 (dates) → 7 (insuree not current) → 3 on every line
//! (no coverage on the target date). Line level: 1 (register) → 2 (price list) → 10 (care type)
//! → 4 (patient category) → 5 (frequency) → product checks (17 waiting period, 16 maximum
//! provisions, category maxima 11–15 and 19 for services), passed when any candidate product
//! passes all of them → 3 when no covering product has the item or service.

use super::{KIND_SERVICE, STATUS_VALUATED};
use super::{LINE_PASSED, LINE_REJECTED, STATUS_CHECKED, STATUS_PROCESSED, STATUS_REJECTED};
use chrono::NaiveDate;
use imis_core::dates::{add_months, age_on};
use std::collections::{BTreeMap, HashMap};

/// Justification written on a line whose quantity the maximum number of provisions cut.
pub(crate) const QTY_LIMITED: &str = "claim.qty_limited";

/// The facts that decided an outcome: message parameters (`claim.rejection.<reason>`).
pub(crate) type Facts = BTreeMap<String, String>;

/// An item or a service line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum LineKind {
    Item,
    Service,
}

impl LineKind {
    /// The kind of a `claim_detail.kind` value (`I` or `S`).
    pub(crate) fn of(kind: &str) -> LineKind {
        if kind == KIND_SERVICE {
            LineKind::Service
        } else {
            LineKind::Item
        }
    }
}

/// Everything the rules read about one claim.
#[derive(Debug, Clone)]
pub(crate) struct ClaimFacts {
    pub date_from: NaiveDate,
    pub date_to: Option<NaiveDate>,
    pub date_claimed: NaiveDate,
    /// `O` other, `E` emergency, `R` referral.
    pub visit_type: String,
    /// The facility's care type `I`, `O` or `B` (None = B).
    pub facility_care_type: Option<String>,
    /// Names of the facility's item and service price lists (for the explanations).
    pub item_price_list: Option<String>,
    pub service_price_list: Option<String>,
    pub insuree: InsureeFacts,
    pub age_of_majority: u32,
    /// The claim's lines, in the order they are checked.
    pub lines: Vec<LineFacts>,
    /// Passed lines of the insuree's other claims for the same items and services.
    pub earlier_lines: Vec<EarlierLine>,
    /// The insuree's other claims (categories and statuses).
    pub other_claims: Vec<OtherClaim>,
    /// The coverage rows covering the insuree on the target date (D16), with their products.
    pub coverage: Vec<CoverageFacts>,
}

#[derive(Debug, Clone)]
pub(crate) struct InsureeFacts {
    pub current: bool,
    pub chf_id: String,
    /// `M`, `F` or `O`.
    pub gender: String,
    pub dob: NaiveDate,
}

#[derive(Debug, Clone)]
pub(crate) struct LineFacts {
    pub kind: LineKind,
    pub medical_id: i64,
    /// Hundredths.
    pub qty_provided: i64,
    pub qty_approved: Option<i64>,
    /// Minor units.
    pub price_asked: i64,
    pub price_approved: Option<i64>,
    /// The register entry as in force on the target date; None when it was not valid then.
    pub register: Option<RegisterFacts>,
    /// The facility's price-list price on the target date; None when not in its list.
    pub price_list_price: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct RegisterFacts {
    /// `I`, `O` or `B`.
    pub care_type: String,
    /// Bit mask: 1 male, 2 female, 4 adult, 8 child; 0 = everybody.
    pub patient_category: i32,
    /// Days; None or 0 = no frequency rule.
    pub frequency: Option<i32>,
    /// Services: `S`, `D`, `A`, `H`, `C`, `O` or none.
    pub category: Option<String>,
}

/// A passed line of another claim of the insuree.
#[derive(Debug, Clone)]
pub(crate) struct EarlierLine {
    pub kind: LineKind,
    pub medical_id: i64,
    /// qtyApproved ?? qtyProvided, hundredths.
    pub qty: i64,
    pub target_date: NaiveDate,
    pub claim_status: i32,
}

/// Another claim of the insuree.
#[derive(Debug, Clone)]
pub(crate) struct OtherClaim {
    pub category: Option<String>,
    pub target_date: NaiveDate,
    pub status: i32,
}

/// A coverage row (D16) and what its policy's product covers.
#[derive(Debug, Clone)]
pub(crate) struct CoverageFacts {
    pub policy_id: i64,
    /// `N` new, `R` renewal.
    pub policy_stage: String,
    pub policy_effective: Option<NaiveDate>,
    /// The insuree's coverage row.
    pub effective: NaiveDate,
    pub expiry: NaiveDate,
    pub product: ProductFacts,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ProductFacts {
    pub id: i64,
    pub code: String,
    pub lines: HashMap<(LineKind, i64), ProductLineFacts>,
    /// Maximum number of claims per coverage period by claim category (`S`, `D`, `A`, `H`,
    /// `C`, `V`); absent or negative = no maximum.
    pub category_maxima: HashMap<char, i32>,
}

/// A product's line as stored: limits of co-insurance in hundredths of a percent, fixed limits
/// in minor units; plain columns for other visits, `_r` referrals, `_e` emergencies.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProductLineFacts {
    /// `P` price list, `O` provider, `R` relative.
    pub price_origin: String,
    pub limitation_type: String,
    pub limitation_type_r: Option<String>,
    pub limitation_type_e: Option<String>,
    /// adult, child, adult R, child R, adult E, child E.
    pub limits: [Option<i64>; 6],
    pub limit_no_adult: Option<i32>,
    pub limit_no_child: Option<i32>,
    pub waiting_period_adult: Option<i32>,
    pub waiting_period_child: Option<i32>,
}

/// Who pays a passed line (reference §1.5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assignment {
    pub product_id: i64,
    pub policy_id: i64,
    pub price_origin: String,
    /// `C` or `F`.
    pub limitation: String,
    /// As the product line stores it.
    pub limitation_value: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineOutcome {
    pub status: i32,
    /// 0 when passed.
    pub rejection_reason: i32,
    /// The line's quantity approved after the rules: cut by the maximum provisions, 0 when a
    /// category maximum rejects the claim, else unchanged.
    pub qty_approved: Option<i64>,
    pub justification: Option<&'static str>,
    pub assignment: Option<Assignment>,
    pub price_adjusted: Option<i64>,
    pub facts: Facts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClaimOutcome {
    /// Checked (4) or Rejected (1).
    pub status: i32,
    /// 0, a claim-level reason (9, 7, 3, a category maximum) or 1 when every line was rejected.
    pub rejection_reason: i32,
    pub category: String,
    /// Minor units.
    pub approved: i64,
    pub lines: Vec<LineOutcome>,
}

/// What every line's check needs of the claim.
struct Context {
    target: NaiveDate,
    multi_day: bool,
    adult: bool,
    age: i32,
    category: char,
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn facts<const N: usize>(pairs: [(&str, String); N]) -> Facts {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A quantity in hundredths as text (`2`, `1.5`).
pub(crate) fn qty_text(hundredths: i64) -> String {
    rust_decimal::Decimal::new(hundredths, 2)
        .normalize()
        .to_string()
}

fn counts(status: i32) -> bool {
    matches!(status, STATUS_CHECKED | STATUS_PROCESSED | STATUS_VALUATED)
}

/// The claim category (D20): `S`, `D` or `A` when a service of that category is present, in that
/// order; then `H` for a multi-day claim; then `C` when a consultation is present; else `V`.
pub(crate) fn claim_category<'a>(
    service_categories: impl IntoIterator<Item = &'a str>,
    multi_day: bool,
) -> char {
    let present: Vec<&str> = service_categories.into_iter().collect();
    for c in ['S', 'D', 'A'] {
        if present.iter().any(|p| p.starts_with(c)) {
            return c;
        }
    }
    if multi_day {
        'H'
    } else if present.iter().any(|p| p.starts_with('C')) {
        'C'
    } else {
        'V'
    }
}

/// The rejection reason of a category maximum.
pub(crate) fn category_reason(category: char) -> i32 {
    match category {
        'H' => 11,
        'V' => 12,
        'C' => 13,
        'S' => 14,
        'D' => 15,
        _ => 19,
    }
}

/// Applies the rules to one claim.
pub(crate) fn evaluate(f: &ClaimFacts) -> ClaimOutcome {
    let target = f.date_to.unwrap_or(f.date_from);
    let multi_day = f.date_to.is_some_and(|t| t != f.date_from);
    let category = claim_category(
        f.lines
            .iter()
            .filter(|l| l.kind == LineKind::Service)
            .filter_map(|l| l.register.as_ref()?.category.as_deref()),
        multi_day,
    );
    let claim_level = if f.date_claimed < f.date_from || f.date_to.is_some_and(|t| t < f.date_from)
    {
        Some((
            9,
            facts([
                ("dateClaimed", date(f.date_claimed)),
                ("dateFrom", date(f.date_from)),
                ("dateTo", date(target)),
            ]),
        ))
    } else if !f.insuree.current {
        Some((7, facts([("chfId", f.insuree.chf_id.clone())])))
    } else if f.coverage.is_empty() {
        Some((3, facts([("date", date(target))])))
    } else {
        None
    };
    if let Some((reason, why)) = claim_level {
        return rejected_claim(f, reason, why, None, category);
    }
    let age = age_on(f.insuree.dob, target);
    let ctx = Context {
        target,
        multi_day,
        adult: age >= f.age_of_majority as i32,
        age,
        category,
    };
    let mut outcomes: Vec<LineOutcome> = Vec::with_capacity(f.lines.len());
    for line in &f.lines {
        // Earlier passed lines of this claim for the same act count as provided (D20, 16).
        let same_claim: i64 = f
            .lines
            .iter()
            .zip(&outcomes)
            .filter(|(l, o)| {
                o.status == LINE_PASSED && l.kind == line.kind && l.medical_id == line.medical_id
            })
            .map(|(l, o)| o.qty_approved.unwrap_or(l.qty_provided))
            .sum();
        outcomes.push(check_line(f, &ctx, line, same_claim));
    }
    let maximum = f
        .lines
        .iter()
        .zip(&outcomes)
        .find(|(l, o)| {
            l.kind == LineKind::Service
                && o.status == LINE_REJECTED
                && matches!(o.rejection_reason, 11..=15 | 19)
        })
        .map(|(_, o)| (o.rejection_reason, o.facts.clone()));
    if let Some((reason, why)) = maximum {
        return rejected_claim(f, reason, why, Some(0), category);
    }
    let passed: Vec<(&LineFacts, &LineOutcome)> = f
        .lines
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| o.status == LINE_PASSED)
        .collect();
    if passed.is_empty() {
        return ClaimOutcome {
            status: STATUS_REJECTED,
            rejection_reason: 1,
            category: category.to_string(),
            approved: 0,
            lines: outcomes,
        };
    }
    let approved = approved_amount(passed.iter().map(|(l, o)| {
        (
            o.qty_approved.unwrap_or(l.qty_provided),
            l.price_approved
                .or(o.price_adjusted)
                .unwrap_or(l.price_asked),
        )
    }));
    ClaimOutcome {
        status: STATUS_CHECKED,
        rejection_reason: 0,
        category: category.to_string(),
        approved,
        lines: outcomes,
    }
}

/// Σ quantity (hundredths) × unit price (minor units), in minor units, computed exactly and
/// rounded once, half away from zero.
pub(crate) fn approved_amount(lines: impl IntoIterator<Item = (i64, i64)>) -> i64 {
    let total: i128 = lines
        .into_iter()
        .map(|(qty, price)| qty as i128 * price as i128)
        .sum();
    let (q, r) = (total / 100, total % 100);
    let rounded = if r.abs() >= 50 { q + total.signum() } else { q };
    rounded.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// Every line rejected with `reason` and the claim with it.
fn rejected_claim(
    f: &ClaimFacts,
    reason: i32,
    why: Facts,
    qty_approved: Option<i64>,
    category: char,
) -> ClaimOutcome {
    ClaimOutcome {
        status: STATUS_REJECTED,
        rejection_reason: reason,
        category: category.to_string(),
        approved: 0,
        lines: f
            .lines
            .iter()
            .map(|l| reject(reason, why.clone(), qty_approved.or(l.qty_approved)))
            .collect(),
    }
}

fn reject(reason: i32, facts: Facts, qty_approved: Option<i64>) -> LineOutcome {
    LineOutcome {
        status: LINE_REJECTED,
        rejection_reason: reason,
        qty_approved,
        justification: None,
        assignment: None,
        price_adjusted: None,
        facts,
    }
}

/// Whether the care-type rule (10) refuses a line: `c` the line's care type, `h` the facility's.
pub(crate) fn care_type_refused(c: &str, h: &str, multi_day: bool) -> bool {
    (c == "I" && (h == "O" || !multi_day))
        || (c == "O" && (h == "I" || multi_day))
        || (h == "O" && multi_day)
}

/// The insuree's patient-category mask: 1 male (or other), 2 female; 4 adult, 8 child.
pub(crate) fn patient_mask(gender: &str, adult: bool) -> i32 {
    (if gender == "F" { 2 } else { 1 }) + if adult { 4 } else { 8 }
}

fn check_line(f: &ClaimFacts, ctx: &Context, line: &LineFacts, same_claim: i64) -> LineOutcome {
    let keep = line.qty_approved;
    let Some(reg) = &line.register else {
        return reject(1, facts([("date", date(ctx.target))]), keep);
    };
    let Some(list_price) = line.price_list_price else {
        let list = match line.kind {
            LineKind::Item => &f.item_price_list,
            LineKind::Service => &f.service_price_list,
        };
        let list = list.clone().unwrap_or_else(|| "-".into());
        return reject(
            2,
            facts([("date", date(ctx.target)), ("priceList", list)]),
            keep,
        );
    };
    let h = f.facility_care_type.as_deref().unwrap_or("B");
    if care_type_refused(&reg.care_type, h, ctx.multi_day) {
        let why = facts([
            ("careType", reg.care_type.clone()),
            ("facilityCareType", h.to_string()),
            ("dateFrom", date(f.date_from)),
            ("dateTo", date(ctx.target)),
        ]);
        return reject(10, why, keep);
    }
    let mask = patient_mask(&f.insuree.gender, ctx.adult);
    if reg.patient_category != 0 && reg.patient_category & mask != mask {
        let why = facts([
            ("gender", f.insuree.gender.clone()),
            ("age", ctx.age.to_string()),
            ("date", date(ctx.target)),
            ("allowed", reg.patient_category.to_string()),
        ]);
        return reject(4, why, keep);
    }
    if let Some(days) = reg.frequency.filter(|d| *d > 0) {
        let clash = f.earlier_lines.iter().find(|e| {
            counts(e.claim_status)
                && e.kind == line.kind
                && e.medical_id == line.medical_id
                && (e.target_date - ctx.target).num_days().abs() < days as i64
        });
        if let Some(e) = clash {
            let why = facts([
                ("otherDate", date(e.target_date)),
                ("frequency", days.to_string()),
                ("date", date(ctx.target)),
            ]);
            return reject(5, why, keep);
        }
    }
    product_checks(f, ctx, line, same_claim, list_price)
}

/// A candidate product that passed every product check, with the quantity it allows.
struct Passing<'a> {
    cover: &'a CoverageFacts,
    line: &'a ProductLineFacts,
    qty: i64,
    limited: Option<Facts>,
}

fn product_checks(
    f: &ClaimFacts,
    ctx: &Context,
    line: &LineFacts,
    same_claim: i64,
    list_price: i64,
) -> LineOutcome {
    let keep = line.qty_approved;
    let waiting = |pl: &ProductLineFacts| {
        if ctx.adult {
            pl.waiting_period_adult
        } else {
            pl.waiting_period_child
        }
        .unwrap_or(0)
        .max(0)
    };
    let mut candidates: Vec<(NaiveDate, i64, &CoverageFacts, &ProductLineFacts)> = f
        .coverage
        .iter()
        .filter_map(|c| {
            let pl = c.product.lines.get(&(line.kind, line.medical_id))?;
            Some((add_months(c.effective, waiting(pl)), c.policy_id, c, pl))
        })
        .collect();
    if candidates.is_empty() {
        return reject(3, facts([("date", date(ctx.target))]), keep);
    }
    candidates.sort_by_key(|(end, policy, _, _)| (*end, *policy));
    let qty = line.qty_approved.unwrap_or(line.qty_provided);
    let mut first_failure: Option<(i32, Facts)> = None;
    let mut passing: Vec<Passing> = vec![];
    for (waiting_end, _, cover, pl) in candidates {
        match candidate(f, ctx, line, cover, pl, waiting_end, qty, same_claim) {
            Ok(p) => passing.push(p),
            Err(failure) => {
                first_failure.get_or_insert(failure);
            }
        }
    }
    let Some(best_qty) = passing.iter().map(|p| p.qty).max() else {
        let (reason, why) = first_failure.unwrap_or((3, Facts::new()));
        return reject(reason, why, keep);
    };
    passing.retain(|p| p.qty == best_qty);
    let limited = passing[0].limited.clone();
    let Some((chosen, price_adjusted)) =
        assign(&f.visit_type, ctx.adult, line, list_price, &passing)
    else {
        return reject(3, facts([("date", date(ctx.target))]), keep);
    };
    LineOutcome {
        status: LINE_PASSED,
        rejection_reason: 0,
        qty_approved: if limited.is_some() {
            Some(best_qty)
        } else {
            keep
        },
        justification: limited.as_ref().map(|_| QTY_LIMITED),
        assignment: Some(chosen),
        price_adjusted: Some(price_adjusted),
        facts: limited.unwrap_or_default(),
    }
}

/// The product checks of one candidate: 17, 16, then the category maximum for services.
#[allow(clippy::too_many_arguments)]
fn candidate<'a>(
    f: &ClaimFacts,
    ctx: &Context,
    line: &LineFacts,
    cover: &'a CoverageFacts,
    pl: &'a ProductLineFacts,
    waiting_end: NaiveDate,
    qty: i64,
    same_claim: i64,
) -> Result<Passing<'a>, (i32, Facts)> {
    let product = cover.product.code.clone();
    let joined_late = cover.policy_effective.is_some_and(|p| p < cover.effective);
    if (cover.policy_stage == "N" || joined_late) && ctx.target < waiting_end {
        let months = (if ctx.adult {
            pl.waiting_period_adult
        } else {
            pl.waiting_period_child
        })
        .unwrap_or(0);
        return Err((
            17,
            facts([
                ("product", product),
                ("waitingEnd", date(waiting_end)),
                ("months", months.to_string()),
                ("effective", date(cover.effective)),
            ]),
        ));
    }
    let in_window = |d: NaiveDate| cover.effective <= d && d <= cover.expiry;
    let mut allowed = qty;
    let mut limited = None;
    let limit = if ctx.adult {
        pl.limit_no_adult
    } else {
        pl.limit_no_child
    };
    if let Some(limit) = limit.filter(|l| *l >= 0) {
        let limit = limit as i64 * 100;
        let used = same_claim
            + f.earlier_lines
                .iter()
                .filter(|e| {
                    counts(e.claim_status)
                        && e.kind == line.kind
                        && e.medical_id == line.medical_id
                        && in_window(e.target_date)
                })
                .map(|e| e.qty)
                .sum::<i64>();
        let why = |extra: Option<i64>| {
            let mut m = facts([
                ("product", product.clone()),
                ("limit", qty_text(limit)),
                ("used", qty_text(used)),
            ]);
            if let Some(q) = extra {
                m.insert("qtyApproved".into(), qty_text(q));
            }
            m
        };
        if used >= limit {
            return Err((16, why(None)));
        }
        if used + qty > limit {
            allowed = limit - used;
            limited = Some(why(Some(allowed)));
        }
    }
    if line.kind == LineKind::Service
        && let Some(max) = cover
            .product
            .category_maxima
            .get(&ctx.category)
            .filter(|m| **m >= 0)
    {
        let count = f
            .other_claims
            .iter()
            .filter(|o| counts(o.status) && in_window(o.target_date))
            .filter(|o| match o.category.as_deref() {
                None => ctx.category == 'V',
                Some(c) => c.starts_with(ctx.category),
            })
            .count();
        if count as i64 >= *max as i64 {
            return Err((
                category_reason(ctx.category),
                facts([
                    ("product", product),
                    ("category", ctx.category.to_string()),
                    ("limit", max.to_string()),
                    ("count", count.to_string()),
                ]),
            ));
        }
    }
    Ok(Passing {
        cover,
        line: pl,
        qty: allowed,
        limited,
    })
}

/// The limitation of a product line for the claim's visit type: (type, limit); the visit type's
/// own columns when the line sets a type for it, else the plain ones. A co-insurance without a
/// value pays 100 %, a fixed amount without a value has no cap.
fn limitation(pl: &ProductLineFacts, visit_type: &str, adult: bool) -> (String, i64) {
    let (own, adult_i) = match visit_type {
        "R" => (&pl.limitation_type_r, 2),
        "E" => (&pl.limitation_type_e, 4),
        _ => (&None, 0),
    };
    let (t, base) = match own {
        Some(t) => (t.clone(), adult_i),
        None => (pl.limitation_type.clone(), 0),
    };
    let value = pl.limits[base + usize::from(!adult)];
    let fixed = t == "F";
    (t, value.unwrap_or(if fixed { 0 } else { 10_000 }))
}

/// Chooses who pays among the passing candidates (reference §1.5.4): the best co-insurance
/// (highest percentage) and the best fixed amount (highest, 0 meaning no cap); with both, the one
/// leaving the patient the smaller share of p = priceApproved ?? (provider origin: priceAsked;
/// else the price-list price). Answers the assignment and priceAdjusted (None without any
/// candidate).
fn assign(
    visit_type: &str,
    adult: bool,
    line: &LineFacts,
    list_price: i64,
    passing: &[Passing],
) -> Option<(Assignment, i64)> {
    let mut best_c: Option<(&Passing, i64)> = None;
    let mut best_f: Option<(&Passing, i64)> = None;
    for p in passing {
        let (t, v) = limitation(p.line, visit_type, adult);
        if t == "F" {
            let rank = |v: i64| if v == 0 { i64::MAX } else { v };
            if best_f.is_none_or(|(_, b)| rank(v) > rank(b)) {
                best_f = Some((p, v));
            }
        } else if best_c.is_none_or(|(_, b)| v > b) {
            best_c = Some((p, v));
        }
    }
    let price = |p: &Passing| {
        line.price_approved
            .unwrap_or(if p.line.price_origin == "O" {
                line.price_asked
            } else {
                list_price
            })
    };
    let (p, value, kind) = match (best_f, best_c) {
        (None, None) => return None,
        (Some((pf, f)), None) => (pf, f, "F"),
        (None, Some((pc, c))) => (pc, c, "C"),
        (Some((pf, f)), Some((pc, c))) => {
            let (p_f, p_c) = (price(pf) as i128, price(pc) as i128);
            let fixed_wins = if f == 0 || f as i128 > p_f {
                true
            } else if c < 10_000 {
                // The patient's shares, both scaled by 10 000 (c is in hundredths of a percent).
                let own_f = (p_f - f as i128) * 10_000;
                let own_c = p_c * (10_000 - c as i128);
                own_c > own_f
            } else {
                false
            };
            if fixed_wins {
                (pf, f, "F")
            } else {
                (pc, c, "C")
            }
        }
    };
    let price_adjusted = if p.line.price_origin == "O" {
        line.price_asked
    } else {
        list_price
    };
    Some((
        Assignment {
            product_id: p.cover.product.id,
            policy_id: p.cover.policy_id,
            price_origin: p.line.price_origin.clone(),
            limitation: kind.into(),
            limitation_value: value,
        },
        price_adjusted,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn product_line() -> ProductLineFacts {
        ProductLineFacts {
            price_origin: "P".into(),
            limitation_type: "C".into(),
            limits: [Some(8000), Some(9000), None, None, None, None],
            ..Default::default()
        }
    }

    fn cover(policy_id: i64, product_id: i64, lines: &[(LineKind, i64)]) -> CoverageFacts {
        CoverageFacts {
            policy_id,
            policy_stage: "R".into(),
            policy_effective: Some(d("2026-01-01")),
            effective: d("2026-01-01"),
            expiry: d("2026-12-31"),
            product: ProductFacts {
                id: product_id,
                code: format!("P{product_id}"),
                lines: lines.iter().map(|k| (*k, product_line())).collect(),
                category_maxima: HashMap::new(),
            },
        }
    }

    fn line(kind: LineKind, medical_id: i64) -> LineFacts {
        LineFacts {
            kind,
            medical_id,
            qty_provided: 200,
            qty_approved: None,
            price_asked: 1200,
            price_approved: None,
            register: Some(RegisterFacts {
                care_type: "B".into(),
                patient_category: 15,
                frequency: None,
                category: None,
            }),
            price_list_price: Some(1000),
        }
    }

    /// A same-day claim of an adult man for two units of item 1 at 10.00 (price list), covered
    /// by policy 10 of product 100 (80 % co-insurance).
    fn claim() -> ClaimFacts {
        ClaimFacts {
            date_from: d("2026-03-10"),
            date_to: None,
            date_claimed: d("2026-03-10"),
            visit_type: "O".into(),
            facility_care_type: None,
            item_price_list: Some("Items".into()),
            service_price_list: None,
            insuree: InsureeFacts {
                current: true,
                chf_id: "123".into(),
                gender: "M".into(),
                dob: d("1980-01-01"),
            },
            age_of_majority: 18,
            lines: vec![line(LineKind::Item, 1)],
            earlier_lines: vec![],
            other_claims: vec![],
            coverage: vec![cover(
                10,
                100,
                &[(LineKind::Item, 1), (LineKind::Service, 2)],
            )],
        }
    }

    fn earlier(medical_id: i64, qty: i64, on: &str, status: i32) -> EarlierLine {
        EarlierLine {
            kind: LineKind::Item,
            medical_id,
            qty,
            target_date: d(on),
            claim_status: status,
        }
    }

    fn reasons(o: &ClaimOutcome) -> Vec<i32> {
        o.lines.iter().map(|l| l.rejection_reason).collect()
    }

    fn product_line_mut(f: &mut ClaimFacts, i: usize, k: (LineKind, i64)) -> &mut ProductLineFacts {
        f.coverage[i]
            .product
            .lines
            .get_mut(&k)
            .expect("product line")
    }

    #[test]
    fn a_covered_claim_is_checked_with_its_product_and_approved_amount() {
        let o = evaluate(&claim());
        assert_eq!((o.status, o.rejection_reason), (STATUS_CHECKED, 0));
        assert_eq!(o.category, "V");
        assert_eq!(o.approved, 2000);
        let l = &o.lines[0];
        assert_eq!(
            (l.status, l.rejection_reason, l.qty_approved),
            (LINE_PASSED, 0, None)
        );
        assert_eq!(l.price_adjusted, Some(1000));
        assert_eq!(
            l.assignment,
            Some(Assignment {
                product_id: 100,
                policy_id: 10,
                price_origin: "P".into(),
                limitation: "C".into(),
                limitation_value: 8000,
            })
        );
    }

    #[test]
    fn reason_9_dates_come_first() {
        let mut f = claim();
        f.date_claimed = d("2026-03-09");
        f.insuree.current = false;
        let o = evaluate(&f);
        assert_eq!((o.status, o.rejection_reason), (STATUS_REJECTED, 9));
        assert_eq!(reasons(&o), [9]);
        assert_eq!(o.lines[0].facts["dateClaimed"], "2026-03-09");
        let mut f = claim();
        f.date_to = Some(d("2026-03-01"));
        assert_eq!(evaluate(&f).rejection_reason, 9);
    }

    #[test]
    fn reason_7_insuree_not_current_before_coverage() {
        let mut f = claim();
        f.insuree.current = false;
        f.coverage.clear();
        let o = evaluate(&f);
        assert_eq!((o.rejection_reason, reasons(&o)), (7, vec![7]));
        assert_eq!(o.lines[0].facts["chfId"], "123");
    }

    #[test]
    fn reason_3_on_every_line_without_coverage() {
        let mut f = claim();
        f.lines.push(line(LineKind::Service, 2));
        f.coverage.clear();
        let o = evaluate(&f);
        assert_eq!((o.status, o.rejection_reason), (STATUS_REJECTED, 3));
        assert_eq!(reasons(&o), [3, 3]);
        assert_eq!(o.lines[1].facts["date"], "2026-03-10");
    }

    #[test]
    fn reason_1_register_before_price_list() {
        let mut f = claim();
        f.lines[0].register = None;
        f.lines[0].price_list_price = None;
        let o = evaluate(&f);
        assert_eq!((o.rejection_reason, reasons(&o)), (1, vec![1]));
    }

    #[test]
    fn reason_2_price_list_before_care_type() {
        let mut f = claim();
        f.lines[0].price_list_price = None;
        f.lines[0].register.as_mut().unwrap().care_type = "I".into();
        let o = evaluate(&f);
        assert_eq!(reasons(&o), [2]);
        assert_eq!(o.lines[0].facts["priceList"], "Items");
        // Every line rejected: the claim is rejected with reason 1.
        assert_eq!((o.status, o.rejection_reason), (STATUS_REJECTED, 1));
    }

    #[test]
    fn reason_10_care_type() {
        // (line c, facility h, multi-day) → refused
        for (c, h, multi, refused) in [
            ("I", "B", false, true),
            ("I", "B", true, false),
            ("I", "O", true, true),
            ("O", "I", false, true),
            ("O", "B", true, true),
            ("O", "B", false, false),
            ("B", "O", true, true),
            ("B", "O", false, false),
            ("B", "I", false, false),
        ] {
            assert_eq!(care_type_refused(c, h, multi), refused, "{c} {h} {multi}");
        }
        let mut f = claim();
        f.lines[0].register.as_mut().unwrap().care_type = "I".into();
        f.lines[0].register.as_mut().unwrap().patient_category = 2;
        let o = evaluate(&f);
        assert_eq!(reasons(&o), [10]);
        assert_eq!(o.lines[0].facts["facilityCareType"], "B");
    }

    #[test]
    fn reason_4_patient_category_before_frequency() {
        let mut f = claim();
        {
            let r = f.lines[0].register.as_mut().unwrap();
            r.patient_category = 2 | 4 | 8; // women only
            r.frequency = Some(30);
        }
        f.earlier_lines
            .push(earlier(1, 100, "2026-03-01", STATUS_CHECKED));
        let o = evaluate(&f);
        assert_eq!(reasons(&o), [4]);
        assert_eq!(o.lines[0].facts["age"], "46");
        // 0 = everybody; children only refuses an adult.
        let mut f = claim();
        f.lines[0].register.as_mut().unwrap().patient_category = 0;
        assert_eq!(reasons(&evaluate(&f)), [0]);
        f.lines[0].register.as_mut().unwrap().patient_category = 1 | 2 | 8;
        assert_eq!(reasons(&evaluate(&f)), [4]);
        f.insuree.dob = d("2010-01-01");
        assert_eq!(reasons(&evaluate(&f)), [0]);
    }

    #[test]
    fn reason_5_frequency_either_side_on_counted_claims() {
        let mut f = claim();
        f.lines[0].register.as_mut().unwrap().frequency = Some(30);
        f.earlier_lines
            .push(earlier(1, 100, "2026-02-08", STATUS_VALUATED)); // 30 days: fine
        f.earlier_lines
            .push(earlier(1, 100, "2026-03-20", STATUS_ENTERED_FOR_TEST));
        f.earlier_lines
            .push(earlier(2, 100, "2026-03-20", STATUS_CHECKED)); // another act
        assert_eq!(reasons(&evaluate(&f)), [0]);
        f.earlier_lines
            .push(earlier(1, 100, "2026-04-08", STATUS_PROCESSED)); // 29 days later
        let o = evaluate(&f);
        assert_eq!(reasons(&o), [5]);
        assert_eq!(o.lines[0].facts["otherDate"], "2026-04-08");
    }

    const STATUS_ENTERED_FOR_TEST: i32 = 2;

    #[test]
    fn reason_17_waiting_period_on_new_policies_and_late_members() {
        let mut f = claim();
        product_line_mut(&mut f, 0, (LineKind::Item, 1)).waiting_period_adult = Some(3);
        // A renewal the insuree was covered by from its start: no waiting period.
        assert_eq!(reasons(&evaluate(&f)), [0]);
        // A member who joined after the policy started waits.
        f.coverage[0].policy_effective = Some(d("2025-12-01"));
        let o = evaluate(&f);
        assert_eq!(reasons(&o), [17]);
        assert_eq!(o.lines[0].facts["waitingEnd"], "2026-04-01");
        // A new policy waits too; the day the period ends passes.
        f.coverage[0].policy_effective = Some(d("2026-01-01"));
        f.coverage[0].policy_stage = "N".into();
        assert_eq!(reasons(&evaluate(&f)), [17]);
        f.date_from = d("2026-04-01");
        f.date_claimed = d("2026-04-01");
        assert_eq!(reasons(&evaluate(&f)), [0]);
    }

    #[test]
    fn reason_16_maximum_provisions_in_the_coverage_window() {
        let mut f = claim();
        product_line_mut(&mut f, 0, (LineKind::Item, 1)).limit_no_adult = Some(2);
        f.earlier_lines
            .push(earlier(1, 200, "2025-12-31", STATUS_CHECKED)); // before the row
        f.earlier_lines
            .push(earlier(1, 200, "2026-02-01", STATUS_REJECTED)); // not counted
        assert_eq!(reasons(&evaluate(&f)), [0]);
        f.earlier_lines
            .push(earlier(1, 200, "2026-02-01", STATUS_VALUATED));
        let o = evaluate(&f);
        assert_eq!(reasons(&o), [16]);
        assert_eq!(
            (
                o.lines[0].facts["limit"].as_str(),
                o.lines[0].facts["used"].as_str()
            ),
            ("2", "2")
        );
        // 0 = never.
        let mut f = claim();
        product_line_mut(&mut f, 0, (LineKind::Item, 1)).limit_no_adult = Some(0);
        assert_eq!(reasons(&evaluate(&f)), [16]);
    }

    #[test]
    fn a_quantity_over_the_maximum_is_cut() {
        let mut f = claim();
        product_line_mut(&mut f, 0, (LineKind::Item, 1)).limit_no_adult = Some(3);
        f.earlier_lines
            .push(earlier(1, 200, "2026-02-01", STATUS_CHECKED));
        let o = evaluate(&f);
        let l = &o.lines[0];
        assert_eq!(
            (l.status, l.qty_approved, l.justification),
            (LINE_PASSED, Some(100), Some(QTY_LIMITED))
        );
        assert_eq!(l.facts["qtyApproved"], "1");
        assert_eq!(o.approved, 1000);
        // Earlier lines of the same claim count too.
        let mut f = claim();
        product_line_mut(&mut f, 0, (LineKind::Item, 1)).limit_no_adult = Some(3);
        f.lines.push(line(LineKind::Item, 1));
        let o = evaluate(&f);
        assert_eq!(o.lines[0].qty_approved, None);
        assert_eq!(o.lines[1].qty_approved, Some(100));
        assert_eq!(o.approved, 3000);
    }

    #[test]
    fn a_category_maximum_rejects_the_whole_claim() {
        let mut f = claim();
        let mut consult = line(LineKind::Service, 2);
        consult.register.as_mut().unwrap().category = Some("C".into());
        f.lines.push(consult);
        f.coverage[0].product.category_maxima.insert('C', 1);
        f.other_claims.push(OtherClaim {
            category: Some("C".into()),
            target_date: d("2026-02-01"),
            status: STATUS_ENTERED_FOR_TEST,
        });
        assert_eq!(evaluate(&f).status, STATUS_CHECKED);
        f.other_claims.push(OtherClaim {
            category: Some("C".into()),
            target_date: d("2026-02-01"),
            status: STATUS_PROCESSED,
        });
        let o = evaluate(&f);
        assert_eq!(
            (o.status, o.rejection_reason, o.category.as_str()),
            (STATUS_REJECTED, 13, "C")
        );
        assert_eq!(reasons(&o), [13, 13]);
        assert!(o.lines.iter().all(|l| l.qty_approved == Some(0)));
        assert_eq!(o.lines[0].facts["count"], "1");
    }

    #[test]
    fn the_visit_maximum_counts_uncategorised_claims() {
        let mut f = claim();
        f.lines = vec![line(LineKind::Service, 2)];
        f.coverage[0].product.category_maxima.insert('V', 1);
        f.other_claims.push(OtherClaim {
            category: None,
            target_date: d("2026-03-01"),
            status: STATUS_CHECKED,
        });
        let o = evaluate(&f);
        assert_eq!((o.rejection_reason, reasons(&o)), (12, vec![12]));
        // Items do not check category maxima.
        f.lines = vec![line(LineKind::Item, 1)];
        assert_eq!(evaluate(&f).status, STATUS_CHECKED);
    }

    #[test]
    fn reason_3_when_no_covering_product_has_the_act() {
        let mut f = claim();
        f.lines.push(line(LineKind::Item, 7));
        let o = evaluate(&f);
        assert_eq!(reasons(&o), [0, 3]);
        assert_eq!(o.status, STATUS_CHECKED);
        assert_eq!(o.approved, 2000);
    }

    #[test]
    fn any_candidate_product_that_passes_suffices() {
        let mut f = claim();
        f.coverage[0].policy_stage = "N".into();
        product_line_mut(&mut f, 0, (LineKind::Item, 1)).waiting_period_adult = Some(3);
        let mut second = cover(20, 200, &[(LineKind::Item, 1)]);
        second
            .product
            .lines
            .get_mut(&(LineKind::Item, 1))
            .unwrap()
            .limit_no_adult = Some(0);
        f.coverage.push(second);
        // Both fail: the first candidate's reason (the one whose waiting period ends first).
        let o = evaluate(&f);
        assert_eq!(reasons(&o), [16]);
        product_line_mut(&mut f, 1, (LineKind::Item, 1)).limit_no_adult = None;
        let o = evaluate(&f);
        assert_eq!(reasons(&o), [0]);
        assert_eq!(o.lines[0].assignment.as_ref().unwrap().policy_id, 20);
    }

    #[test]
    fn co_insurance_or_fixed_amount_whichever_leaves_the_patient_less() {
        let mut f = claim();
        let mut fixed = cover(20, 200, &[(LineKind::Item, 1)]);
        {
            let pl = fixed.product.lines.get_mut(&(LineKind::Item, 1)).unwrap();
            pl.limitation_type = "F".into();
            pl.limits[0] = Some(500);
        }
        f.coverage.push(fixed);
        let chosen = |f: &ClaimFacts| evaluate(f).lines[0].assignment.clone().unwrap();
        // p = 10.00: fixed leaves 5.00, 80 % leaves 2.00.
        assert_eq!(
            (chosen(&f).product_id, chosen(&f).limitation.as_str()),
            (100, "C")
        );
        // A fixed 9.00 leaves 1.00.
        product_line_mut(&mut f, 1, (LineKind::Item, 1)).limits[0] = Some(900);
        assert_eq!(
            (chosen(&f).product_id, chosen(&f).limitation_value),
            (200, 900)
        );
        // A fixed 0 has no cap; a fixed amount above p pays it all.
        product_line_mut(&mut f, 1, (LineKind::Item, 1)).limits[0] = Some(0);
        assert_eq!(chosen(&f).limitation, "F");
        product_line_mut(&mut f, 1, (LineKind::Item, 1)).limits[0] = Some(400);
        assert_eq!(chosen(&f).limitation, "C");
        f.lines[0].price_approved = Some(300);
        assert_eq!(chosen(&f).limitation, "F");
        // Children use the child column; emergencies their own columns when set.
        let mut f = claim();
        f.insuree.dob = d("2015-05-01");
        assert_eq!(chosen(&f).limitation_value, 9000);
        f.visit_type = "E".into();
        assert_eq!(chosen(&f).limitation_value, 9000);
        {
            let pl = product_line_mut(&mut f, 0, (LineKind::Item, 1));
            pl.limitation_type_e = Some("F".into());
            pl.limits[5] = Some(700);
        }
        assert_eq!(
            (chosen(&f).limitation.as_str(), chosen(&f).limitation_value),
            ("F", 700)
        );
    }

    #[test]
    fn provider_prices_are_the_adjusted_price_of_own_price_lines() {
        let mut f = claim();
        product_line_mut(&mut f, 0, (LineKind::Item, 1)).price_origin = "O".into();
        let o = evaluate(&f);
        assert_eq!(o.lines[0].price_adjusted, Some(1200));
        assert_eq!(o.approved, 2400);
        f.lines[0].price_approved = Some(1100);
        assert_eq!(evaluate(&f).approved, 2200);
    }

    #[test]
    fn claim_category_priority() {
        assert_eq!(claim_category(["C", "S", "D"], false), 'S');
        assert_eq!(claim_category(["A", "D"], true), 'D');
        assert_eq!(claim_category(["C", "A"], false), 'A');
        assert_eq!(claim_category(["C", "H"], true), 'H');
        assert_eq!(claim_category(["C", "H"], false), 'C');
        assert_eq!(claim_category(["O"], false), 'V');
        assert_eq!(claim_category([], true), 'H');
        let mut f = claim();
        f.date_to = Some(d("2026-03-12"));
        assert_eq!(evaluate(&f).category, "H");
    }

    #[test]
    fn approved_amount_is_rounded_once() {
        assert_eq!(approved_amount([(150, 333)]), 500); // 4.995 → 5.00
        assert_eq!(approved_amount([(150, 333), (150, 333)]), 999); // 9.99 exactly
        assert_eq!(approved_amount([(100, 1), (49, 1)]), 1); // 1.49 → 1
    }
}
