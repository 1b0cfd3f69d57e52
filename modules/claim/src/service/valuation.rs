//! The valuation engine (D22, reference §1.7): what the scheme pays for a claim's passed lines,
//! after the deductibles, co-insurance, fixed limits and ceilings of the products that pay them.
//! A pure function of the claim's facts: the database work (locks, previous consumption,
//! policies' members, product terms, price lists) is the caller's ([`super::processing`]).
//!
//! Amounts are minor units of the currency. A line is computed exactly (rust_decimal); when it
//! is finished, its deductible, exceeded-ceiling and valuated amounts are rounded half away from
//! zero to whole minor units (2 places with the default currency) and those rounded values feed
//! the running totals of the next lines.

use super::{STATUS_PROCESSED, STATUS_VALUATED};
use imis_policy::api::{Consumption, PreviousConsumption};
use imis_product::api::ProductTerms;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, HashMap};

/// Price origins of a product line: the price list, the provider's own price, a relative price
/// settled by the batch run.
pub(crate) const ORIGIN_OWN: &str = "O";
pub(crate) const ORIGIN_RELATIVE: &str = "R";

/// What the engine needs of a claim.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClaimFacts {
    /// dateTo is set and differs from dateFrom (an in-patient claim for interpretation `I`).
    pub multi_day: bool,
    /// The facility's level is `H` (a hospital, for interpretation `H`).
    pub hospital_facility: bool,
    /// The claim's category (S, D, A, H, C, V) set at submission.
    pub category: Option<String>,
    /// The insuree is an adult on the target date (chooses the lines' ceiling exclusion).
    pub adult: bool,
    /// The passed lines with their product assignment, items before services.
    pub lines: Vec<LineFacts>,
    /// Every policy paying a line.
    pub policies: HashMap<i64, PolicyFacts>,
}

/// A passed line and what the product that pays it says of it.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineFacts {
    pub id: i64,
    pub policy_id: i64,
    /// `P`, `O` or `R`.
    pub price_origin: String,
    /// `C` co-insurance (value in hundredths of a percent paid by the scheme) or `F` fixed
    /// amount per unit (minor units; 0 = no cap).
    pub limitation: Option<String>,
    pub limitation_value: Option<i64>,
    /// `H` (hospital visits), `N` (other visits) or `B` (both): the line ignores the ceilings.
    pub ceiling_exclusion_adult: Option<String>,
    pub ceiling_exclusion_child: Option<String>,
    /// Hundredths.
    pub qty_provided: i64,
    pub qty_approved: Option<i64>,
    pub price_asked: i64,
    pub price_approved: Option<i64>,
    /// The facility's price-list price on the target date.
    pub list_price: i64,
}

/// A policy paying lines: its product's terms, its members on the target date, and what other
/// claims consumed of it.
#[derive(Debug, Clone, Default)]
pub(crate) struct PolicyFacts {
    pub terms: ProductTerms,
    pub members: i64,
    pub previous: PreviousConsumption,
}

/// The amounts of one line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LineValue {
    pub id: i64,
    /// The unit price used.
    pub price_adjusted: i64,
    pub deductable_amount: i64,
    pub exceed_ceiling_amount: i64,
    pub exceed_ceiling_amount_category: i64,
    /// The line's valuated amount (`priceValuated`), also for relative-price lines.
    pub valuated: i64,
    /// What the scheme pays; None for relative-price lines until the batch run.
    pub remunerated: Option<i64>,
}

/// The engine's answer for a claim.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Valuation {
    /// In the order of the facts' lines.
    pub lines: Vec<LineValue>,
    /// The consumption row of each paying policy, by policy id.
    pub consumption: BTreeMap<i64, Consumption>,
    /// Σ valuated of the lines.
    pub valuated: i64,
    /// Σ remunerated (relative-price lines count 0).
    pub remunerated: i64,
    /// 8 Processed when a line has a relative price, else 16 Valuated.
    pub status: i32,
}

/// Rounds half away from zero to whole minor units.
fn round(d: Decimal) -> i64 {
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(i64::MAX)
}

fn filled(v: Option<i64>) -> Option<i64> {
    v.filter(|x| *x > 0)
}

/// Which of a product's three levels applies: the broadest filled one (policy, then insuree,
/// then treatment), as openIMIS's stored procedure lets the later level override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Treatment,
    Insuree,
    Policy,
}

fn broadest(
    treatment: Option<i64>,
    insuree: Option<i64>,
    policy: Option<i64>,
) -> Option<(Level, i64)> {
    filled(policy)
        .map(|v| (Level::Policy, v))
        .or_else(|| filled(insuree).map(|v| (Level::Insuree, v)))
        .or_else(|| filled(treatment).map(|v| (Level::Treatment, v)))
}

/// Whether a policy's product treats this claim as a hospital visit: interpretation `I` by the
/// claim's duration, `H` (the product module's default) by the facility's level.
fn hospital_visit(terms: &ProductTerms, claim: &ClaimFacts) -> bool {
    match terms.ceiling_interpretation.as_deref() {
        Some("I") => claim.multi_day,
        _ => claim.hospital_facility,
    }
}

/// The deductible (amount, previously consumed) of a policy for this claim: the general
/// deductible, else the in-patient or out-patient one.
fn deductible(t: &ProductTerms, hospital: bool, prev: &PreviousConsumption) -> (i64, i64) {
    let of = |level: Level, pick: fn(&Consumption) -> i64| match level {
        Level::Treatment => 0,
        Level::Insuree => pick(&prev.insuree),
        Level::Policy => pick(&prev.policy),
    };
    if let Some((level, d)) = broadest(t.ded_treatment, t.ded_insuree, t.ded_policy) {
        return (d, of(level, |c| c.ded_g));
    }
    let found = if hospital {
        broadest(t.ded_ip_treatment, t.ded_ip_insuree, t.ded_ip_policy)
            .map(|(l, d)| (d, of(l, |c| c.ded_ip)))
    } else {
        broadest(t.ded_op_treatment, t.ded_op_insuree, t.ded_op_policy)
            .map(|(l, d)| (d, of(l, |c| c.ded_op)))
    };
    found.unwrap_or((0, 0))
}

/// A policy-level ceiling with its members: when the product sets a threshold, each member
/// above it adds `per_member`, up to `cap` when that is set. Without a threshold no member is
/// extra (openIMIS compares the members with a null threshold, which never holds).
fn policy_ceiling(
    base: i64,
    members: i64,
    threshold: Option<i32>,
    per_member: Option<i64>,
    cap: Option<i64>,
) -> i64 {
    let extra = threshold.map_or(0, |t| (members - i64::from(t)).max(0));
    let mut c = base.saturating_add(extra.saturating_mul(per_member.unwrap_or(0)));
    if let Some(cap) = filled(cap) {
        c = c.min(cap);
    }
    c
}

/// The ceiling (amount, previously remunerated) of a policy for this claim, 0 = none: the
/// general ceiling, else the in-patient or out-patient one.
fn ceiling(
    t: &ProductTerms,
    hospital: bool,
    members: i64,
    prev: &PreviousConsumption,
) -> (i64, i64) {
    let of = |level: Level, pick: fn(&Consumption) -> i64| match level {
        Level::Treatment => 0,
        Level::Insuree => pick(&prev.insuree),
        Level::Policy => pick(&prev.policy),
    };
    let general = broadest(t.max_treatment, t.max_insuree, t.max_policy);
    let (choice, per_member, cap, pick): (_, _, _, fn(&Consumption) -> i64) = if general.is_some() {
        (
            general,
            t.max_policy_extra_member,
            t.max_ceiling_policy,
            |c| c.rem_g,
        )
    } else if hospital {
        (
            broadest(t.max_ip_treatment, t.max_ip_insuree, t.max_ip_policy),
            t.max_policy_extra_member_ip,
            t.max_ceiling_policy_ip,
            |c| c.rem_ip,
        )
    } else {
        (
            broadest(t.max_op_treatment, t.max_op_insuree, t.max_op_policy),
            t.max_policy_extra_member_op,
            t.max_ceiling_policy_op,
            |c| c.rem_op,
        )
    };
    match choice {
        None => (0, 0),
        Some((Level::Policy, base)) => (
            policy_ceiling(base, members, t.threshold, per_member, cap),
            of(Level::Policy, pick),
        ),
        Some((level, c)) => (c, of(level, pick)),
    }
}

/// The per-claim amount ceiling of the claim's category (none for V or an unset maximum).
fn category_ceiling(t: &ProductTerms, category: Option<&str>) -> Option<i64> {
    filled(match category? {
        "C" => t.max_amount_consultation,
        "S" => t.max_amount_surgery,
        "D" => t.max_amount_delivery,
        "H" => t.max_amount_hospitalization,
        "A" => t.max_amount_antenatal,
        _ => None,
    })
}

fn category_total<'a>(c: &'a mut Consumption, category: Option<&str>) -> Option<&'a mut i64> {
    match category? {
        "C" => Some(&mut c.rem_consult),
        "S" => Some(&mut c.rem_surgery),
        "D" => Some(&mut c.rem_delivery),
        "H" => Some(&mut c.rem_hospitalization),
        "A" => Some(&mut c.rem_antenatal),
        _ => None,
    }
}

/// Whether a line ignores the ceilings: its exclusion (adult or child) is `B`, or `H` on a
/// hospital visit, or `N` on another visit.
fn excluded(line: &LineFacts, adult: bool, hospital: bool) -> bool {
    let exclusion = if adult {
        &line.ceiling_exclusion_adult
    } else {
        &line.ceiling_exclusion_child
    };
    matches!(
        (exclusion.as_deref(), hospital),
        (Some("B"), _) | (Some("H"), true) | (Some("N"), false)
    )
}

/// The running totals of one policy within the claim.
#[derive(Default)]
struct Running {
    deducted: i64,
    /// Remunerated under the ceiling (excluded lines do not count).
    remunerated: i64,
    /// Remunerated in the claim's category (per claim: no previous consumption).
    category: i64,
}

/// Values the claim (D22). Lines whose policy is missing from `facts.policies` are valued with
/// no deductible nor ceiling.
pub(crate) fn value_claim(facts: &ClaimFacts) -> Valuation {
    let category = facts.category.as_deref();
    let default_policy = PolicyFacts::default();
    let mut running: HashMap<i64, Running> = HashMap::new();
    let mut out = Valuation {
        status: STATUS_VALUATED,
        ..Default::default()
    };
    for line in &facts.lines {
        let policy = facts
            .policies
            .get(&line.policy_id)
            .unwrap_or(&default_policy);
        let t = &policy.terms;
        let hospital = hospital_visit(t, facts);
        let (ded, ded_prev) = deductible(t, hospital, &policy.previous);
        let (ceil, ceil_prev) = ceiling(t, hospital, policy.members, &policy.previous);
        let run = running.entry(line.policy_id).or_default();

        let qty = Decimal::new(line.qty_approved.unwrap_or(line.qty_provided), 2);
        let unit = line
            .price_approved
            .unwrap_or(if line.price_origin == ORIGIN_OWN {
                line.price_asked
            } else {
                line.list_price
            });
        let mut work = qty * Decimal::from(unit);
        let value = line.limitation_value;
        if line.limitation.as_deref() == Some("F")
            && let Some(per_unit) = filled(value)
        {
            work = work.min(qty * Decimal::from(per_unit));
        }
        let mut v = LineValue {
            id: line.id,
            price_adjusted: unit,
            ..Default::default()
        };
        let left_to_deduct = ded - ded_prev - run.deducted;
        let mut deducted = Decimal::ZERO;
        if left_to_deduct > 0 {
            if Decimal::from(left_to_deduct) >= work {
                // The deductible absorbs the whole line: paid nothing, ceilings untouched.
                v.deductable_amount = round(work);
                run.deducted += v.deductable_amount;
                v.remunerated = (line.price_origin != ORIGIN_RELATIVE).then_some(0);
                out.lines.push(v);
                continue;
            }
            deducted = Decimal::from(left_to_deduct);
            work -= deducted;
        }
        if line.limitation.as_deref() == Some("C")
            && let Some(percent) = value
        {
            work *= Decimal::from(percent) / Decimal::from(10_000);
        }
        let mut exceed_category = Decimal::ZERO;
        if let Some(max) = category_ceiling(t, category) {
            let room = Decimal::from(max - run.category);
            if work > room {
                exceed_category = work - room.max(Decimal::ZERO);
                work -= exceed_category;
            }
        }
        let in_category = work;
        let mut exceed = Decimal::ZERO;
        let under_ceiling = !excluded(line, facts.adult, hospital);
        if under_ceiling && ceil > 0 {
            let left = Decimal::from(ceil - ceil_prev - run.remunerated);
            if left <= Decimal::ZERO {
                exceed = work;
                work = Decimal::ZERO;
            } else if left < work {
                exceed = work - left;
                work = left;
            }
        }
        v.deductable_amount = round(deducted);
        v.exceed_ceiling_amount_category = round(exceed_category);
        v.exceed_ceiling_amount = round(exceed);
        v.valuated = round(work);
        v.remunerated = (line.price_origin != ORIGIN_RELATIVE).then_some(v.valuated);
        run.deducted += v.deductable_amount;
        run.category += round(in_category);
        if under_ceiling {
            run.remunerated += v.valuated;
        }
        out.lines.push(v);
    }
    for line in &facts.lines {
        if line.price_origin == ORIGIN_RELATIVE {
            out.status = STATUS_PROCESSED;
        }
    }
    out.valuated = out.lines.iter().map(|l| l.valuated).sum();
    out.remunerated = out.lines.iter().filter_map(|l| l.remunerated).sum();
    for (policy_id, run) in running {
        let policy = facts.policies.get(&policy_id).unwrap_or(&default_policy);
        let mut c = Consumption {
            ded_g: run.deducted,
            rem_g: run.remunerated,
            ..Default::default()
        };
        if hospital_visit(&policy.terms, facts) {
            c.ded_ip = run.deducted;
            c.rem_ip = run.remunerated;
        } else {
            c.ded_op = run.deducted;
            c.rem_op = run.remunerated;
        }
        if let Some(total) = category_total(&mut c, category) {
            *total = run.category;
        }
        out.consumption.insert(policy_id, c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: i64 = 7;

    /// One service line of `qty` hundredths at `price` (price-list origin, no limitation).
    fn line(id: i64, qty: i64, price: i64) -> LineFacts {
        LineFacts {
            id,
            policy_id: POLICY,
            price_origin: "P".into(),
            qty_provided: qty,
            price_asked: price,
            list_price: price,
            ..Default::default()
        }
    }

    fn claim(terms: ProductTerms, lines: Vec<LineFacts>) -> ClaimFacts {
        ClaimFacts {
            adult: true,
            category: Some("V".into()),
            lines,
            policies: HashMap::from([(
                POLICY,
                PolicyFacts {
                    terms,
                    members: 1,
                    previous: PreviousConsumption::default(),
                },
            )]),
            ..Default::default()
        }
    }

    fn valuated(v: &Valuation) -> Vec<i64> {
        v.lines.iter().map(|l| l.valuated).collect()
    }

    #[test]
    fn without_terms_a_line_is_paid_its_price_list_value() {
        let v = value_claim(&claim(ProductTerms::default(), vec![line(1, 200, 1_500)]));
        // 2 × 15.00 = 30.00
        assert_eq!(valuated(&v), vec![3_000]);
        assert_eq!(v.lines[0].remunerated, Some(3_000));
        assert_eq!(v.lines[0].price_adjusted, 1_500);
        assert_eq!(
            (v.valuated, v.remunerated, v.status),
            (3_000, 3_000, STATUS_VALUATED)
        );
        assert_eq!(v.consumption[&POLICY].rem_g, 3_000);
        assert_eq!(v.consumption[&POLICY].rem_op, 3_000);
    }

    #[test]
    fn a_deductible_absorbs_a_whole_line_then_part_of_the_next() {
        let terms = ProductTerms {
            ded_treatment: Some(5_000),
            max_treatment: Some(100_000),
            ..Default::default()
        };
        let mut first = line(1, 100, 4_000);
        first.limitation = Some("C".into());
        first.limitation_value = Some(8_000);
        let mut second = line(2, 100, 3_000);
        second.limitation = Some("C".into());
        second.limitation_value = Some(8_000);
        let v = value_claim(&claim(terms, vec![first, second]));
        // Line 1: 40.00 ≤ 50.00 left: wholly deductible, paid 0, no co-insurance applied.
        assert_eq!(v.lines[0].deductable_amount, 4_000);
        assert_eq!((v.lines[0].valuated, v.lines[0].remunerated), (0, Some(0)));
        // Line 2: 10.00 left to deduct; (30.00 − 10.00) × 80 % = 16.00.
        assert_eq!(v.lines[1].deductable_amount, 1_000);
        assert_eq!(v.lines[1].valuated, 1_600);
        assert_eq!(v.consumption[&POLICY].ded_g, 5_000);
        assert_eq!(v.consumption[&POLICY].rem_g, 1_600);
        assert_eq!(v.valuated, 1_600);
    }

    #[test]
    fn previous_consumption_of_the_insuree_and_the_policy_counts_at_their_level() {
        let mut facts = claim(
            ProductTerms {
                ded_insuree: Some(5_000),
                ..Default::default()
            },
            vec![line(1, 100, 4_000)],
        );
        let p = facts.policies.get_mut(&POLICY).unwrap();
        p.previous.insuree.ded_g = 3_000;
        p.previous.policy.ded_g = 5_000;
        // Insuree level: 20.00 left of 50.00; 40.00 − 20.00 paid.
        let v = value_claim(&facts);
        assert_eq!(
            (v.lines[0].deductable_amount, v.lines[0].valuated),
            (2_000, 2_000)
        );
        // Policy level (the broadest filled level wins): the policy's 50.00 are used up.
        let p = facts.policies.get_mut(&POLICY).unwrap();
        p.terms.ded_policy = Some(5_000);
        let v = value_claim(&facts);
        assert_eq!(
            (v.lines[0].deductable_amount, v.lines[0].valuated),
            (0, 4_000)
        );
        // Treatment level ignores what other claims deducted.
        let p = facts.policies.get_mut(&POLICY).unwrap();
        p.terms.ded_policy = None;
        p.terms.ded_insuree = None;
        p.terms.ded_treatment = Some(5_000);
        let v = value_claim(&facts);
        assert_eq!(v.lines[0].deductable_amount, 4_000);
        assert_eq!(v.lines[0].valuated, 0);
    }

    #[test]
    fn ceilings_per_treatment_insuree_and_policy() {
        let lines = vec![line(1, 100, 6_000), line(2, 100, 6_000)];
        // Per treatment: 100.00 for the claim: 60.00 then 40.00 of 60.00.
        let v = value_claim(&claim(
            ProductTerms {
                max_treatment: Some(10_000),
                ..Default::default()
            },
            lines.clone(),
        ));
        assert_eq!(valuated(&v), vec![6_000, 4_000]);
        assert_eq!(v.lines[1].exceed_ceiling_amount, 2_000);
        assert_eq!(v.consumption[&POLICY].rem_g, 10_000);
        // Per insuree: 70.00 already remunerated to this insuree of 150.00.
        let mut facts = claim(
            ProductTerms {
                max_insuree: Some(15_000),
                ..Default::default()
            },
            lines.clone(),
        );
        facts
            .policies
            .get_mut(&POLICY)
            .unwrap()
            .previous
            .insuree
            .rem_g = 7_000;
        facts
            .policies
            .get_mut(&POLICY)
            .unwrap()
            .previous
            .policy
            .rem_g = 20_000;
        let v = value_claim(&facts);
        assert_eq!(valuated(&v), vec![6_000, 2_000]);
        assert_eq!(v.lines[1].exceed_ceiling_amount, 4_000);
        // Per policy: the policy's 200.00 already exceed 150.00: nothing is paid.
        let p = facts.policies.get_mut(&POLICY).unwrap();
        p.terms.max_insuree = None;
        p.terms.max_policy = Some(15_000);
        let v = value_claim(&facts);
        assert_eq!(valuated(&v), vec![0, 0]);
        assert_eq!(v.lines[0].exceed_ceiling_amount, 6_000);
        assert_eq!(v.consumption[&POLICY].rem_g, 0);
    }

    #[test]
    fn extra_members_raise_the_policy_ceiling_up_to_its_maximum() {
        let terms = ProductTerms {
            max_policy: Some(10_000),
            threshold: Some(2),
            max_policy_extra_member: Some(1_500),
            max_ceiling_policy: Some(13_000),
            ..Default::default()
        };
        let mut facts = claim(terms, vec![line(1, 100, 20_000)]);
        // 3 members, threshold 2: 100.00 + 1 × 15.00.
        facts.policies.get_mut(&POLICY).unwrap().members = 3;
        assert_eq!(valuated(&value_claim(&facts)), vec![11_500]);
        // 5 members: 100.00 + 3 × 15.00 = 145.00, capped at 130.00.
        facts.policies.get_mut(&POLICY).unwrap().members = 5;
        let v = value_claim(&facts);
        assert_eq!(valuated(&v), vec![13_000]);
        assert_eq!(v.lines[0].exceed_ceiling_amount, 7_000);
        // At the threshold: the base ceiling.
        facts.policies.get_mut(&POLICY).unwrap().members = 2;
        assert_eq!(valuated(&value_claim(&facts)), vec![10_000]);
        // No threshold set: no member is extra, however many there are.
        let p = facts.policies.get_mut(&POLICY).unwrap();
        p.terms.threshold = None;
        p.members = 5;
        assert_eq!(valuated(&value_claim(&facts)), vec![10_000]);
        // A threshold of 0 is set: every member is extra (100.00 + 2 × 15.00).
        let p = facts.policies.get_mut(&POLICY).unwrap();
        p.terms.threshold = Some(0);
        p.members = 2;
        assert_eq!(valuated(&value_claim(&facts)), vec![13_000]);
    }

    #[test]
    fn in_and_out_patient_terms_follow_the_ceiling_interpretation() {
        let terms = ProductTerms {
            ceiling_interpretation: Some("I".into()),
            ded_ip_treatment: Some(1_000),
            ded_op_treatment: Some(500),
            max_ip_treatment: Some(8_000),
            max_op_treatment: Some(2_000),
            ..Default::default()
        };
        let mut facts = claim(terms, vec![line(1, 100, 10_000)]);
        // Same-day claim: out-patient terms. 100.00 − 5.00 = 95.00, capped at 20.00.
        let v = value_claim(&facts);
        assert_eq!(
            (v.lines[0].deductable_amount, v.lines[0].valuated),
            (500, 2_000)
        );
        assert_eq!(v.consumption[&POLICY].ded_op, 500);
        assert_eq!(v.consumption[&POLICY].rem_op, 2_000);
        assert_eq!(v.consumption[&POLICY].rem_ip, 0);
        // Multi-day claim: in-patient terms. 100.00 − 10.00 = 90.00, capped at 80.00.
        facts.multi_day = true;
        let v = value_claim(&facts);
        assert_eq!(
            (v.lines[0].deductable_amount, v.lines[0].valuated),
            (1_000, 8_000)
        );
        assert_eq!(v.consumption[&POLICY].ded_ip, 1_000);
        assert_eq!(v.consumption[&POLICY].rem_ip, 8_000);
        // Interpretation H: the facility's level decides, not the duration.
        facts
            .policies
            .get_mut(&POLICY)
            .unwrap()
            .terms
            .ceiling_interpretation = Some("H".into());
        assert_eq!(valuated(&value_claim(&facts)), vec![2_000]);
        facts.hospital_facility = true;
        assert_eq!(valuated(&value_claim(&facts)), vec![8_000]);
    }

    #[test]
    fn ceiling_exclusions_by_age_and_visit() {
        let terms = ProductTerms {
            ceiling_interpretation: Some("H".into()),
            max_treatment: Some(1_000),
            ..Default::default()
        };
        let mut excluded_line = line(1, 100, 5_000);
        excluded_line.ceiling_exclusion_adult = Some("N".into());
        excluded_line.ceiling_exclusion_child = Some("H".into());
        let mut facts = claim(terms, vec![excluded_line, line(2, 100, 5_000)]);
        // Adult, out-patient visit: line 1 ignores the ceiling and does not use it up.
        let v = value_claim(&facts);
        assert_eq!(valuated(&v), vec![5_000, 1_000]);
        assert_eq!(v.lines[1].exceed_ceiling_amount, 4_000);
        assert_eq!(v.consumption[&POLICY].rem_g, 1_000);
        // A child on the same visit: the child's exclusion (H) does not apply.
        facts.adult = false;
        assert_eq!(valuated(&value_claim(&facts)), vec![1_000, 0]);
        // A child in hospital: excluded again.
        facts.hospital_facility = true;
        assert_eq!(valuated(&value_claim(&facts)), vec![5_000, 1_000]);
        // B excludes on every visit.
        facts.lines[0].ceiling_exclusion_child = Some("B".into());
        facts.hospital_facility = false;
        assert_eq!(valuated(&value_claim(&facts)), vec![5_000, 1_000]);
    }

    #[test]
    fn category_amount_ceilings_apply_per_claim_except_for_visits() {
        let terms = ProductTerms {
            max_amount_surgery: Some(7_000),
            ..Default::default()
        };
        let mut facts = claim(
            terms,
            vec![
                line(1, 100, 5_000),
                line(2, 100, 5_000),
                line(3, 100, 1_000),
            ],
        );
        facts.category = Some("S".into());
        let v = value_claim(&facts);
        // 50.00, then 20.00 of 50.00, then nothing left.
        assert_eq!(valuated(&v), vec![5_000, 2_000, 0]);
        assert_eq!(v.lines[1].exceed_ceiling_amount_category, 3_000);
        assert_eq!(v.lines[2].exceed_ceiling_amount_category, 1_000);
        assert_eq!(v.consumption[&POLICY].rem_surgery, 7_000);
        // Visits have no category ceiling.
        facts.category = Some("V".into());
        assert_eq!(valuated(&value_claim(&facts)), vec![5_000, 5_000, 1_000]);
        // Another category's maximum does not apply.
        facts.category = Some("D".into());
        let v = value_claim(&facts);
        assert_eq!(valuated(&v), vec![5_000, 5_000, 1_000]);
        assert_eq!(v.consumption[&POLICY].rem_delivery, 11_000);
    }

    #[test]
    fn co_insurance_and_fixed_limits() {
        let mut co = line(1, 300, 1_000);
        co.limitation = Some("C".into());
        co.limitation_value = Some(7_500);
        let mut fixed = line(2, 200, 1_000);
        fixed.limitation = Some("F".into());
        fixed.limitation_value = Some(600);
        let mut fixed_above = line(3, 100, 1_000);
        fixed_above.limitation = Some("F".into());
        fixed_above.limitation_value = Some(1_500);
        let mut fixed_zero = line(4, 100, 1_000);
        fixed_zero.limitation = Some("F".into());
        fixed_zero.limitation_value = Some(0);
        let v = value_claim(&claim(
            ProductTerms::default(),
            vec![co, fixed, fixed_above, fixed_zero],
        ));
        // 3 × 10.00 × 75 % = 22.50; 2 × min(10.00, 6.00) = 12.00; a higher limit and a limit of
        // 0 do not cap.
        assert_eq!(valuated(&v), vec![2_250, 1_200, 1_000, 1_000]);
    }

    #[test]
    fn unit_price_honours_the_approved_price_and_the_origin() {
        let mut own = line(1, 100, 1_000);
        own.price_origin = "O".into();
        own.price_asked = 1_200;
        let mut own_approved = own.clone();
        own_approved.id = 2;
        own_approved.price_approved = Some(900);
        let mut listed = line(3, 100, 1_000);
        listed.price_asked = 1_300;
        let mut listed_approved = listed.clone();
        listed_approved.id = 4;
        listed_approved.price_approved = Some(800);
        listed_approved.qty_approved = Some(50);
        let v = value_claim(&claim(
            ProductTerms::default(),
            vec![own, own_approved, listed, listed_approved],
        ));
        assert_eq!(valuated(&v), vec![1_200, 900, 1_000, 400]);
        let adjusted: Vec<i64> = v.lines.iter().map(|l| l.price_adjusted).collect();
        assert_eq!(adjusted, vec![1_200, 900, 1_000, 800]);
    }

    #[test]
    fn relative_price_lines_are_valuated_but_not_remunerated() {
        let mut relative = line(1, 100, 2_000);
        relative.price_origin = "R".into();
        let v = value_claim(&claim(
            ProductTerms {
                max_treatment: Some(2_500),
                ..Default::default()
            },
            vec![relative, line(2, 100, 1_000)],
        ));
        assert_eq!(v.lines[0].valuated, 2_000);
        assert_eq!(v.lines[0].remunerated, None);
        assert_eq!(
            (v.lines[1].valuated, v.lines[1].remunerated),
            (500, Some(500))
        );
        assert_eq!((v.valuated, v.remunerated), (2_500, 500));
        assert_eq!(v.status, STATUS_PROCESSED);
        // The R line's valuated amount uses the ceiling like any other.
        assert_eq!(v.consumption[&POLICY].rem_g, 2_500);
    }

    #[test]
    fn rounding_half_away_from_zero_when_a_line_is_finished() {
        // 1.5 × 3.33 = 4.995 → 5.00; 1 × 0.05 × 10 % = 0.005 → 0.01.
        let mut half = line(1, 150, 333);
        half.price_origin = "P".into();
        let mut tiny = line(2, 100, 5);
        tiny.limitation = Some("C".into());
        tiny.limitation_value = Some(1_000);
        // A ceiling of 5.02: lines 1 and 2 use 5.01 of it (their rounded values), line 3 gets 0.01.
        let mut third = line(3, 100, 3_335);
        third.limitation = Some("C".into());
        third.limitation_value = Some(1_000);
        let v = value_claim(&claim(
            ProductTerms {
                max_treatment: Some(502),
                ..Default::default()
            },
            vec![half, tiny, third],
        ));
        assert_eq!(valuated(&v), vec![500, 1, 1]);
        // 33.35 × 10 % = 3.335: 0.01 paid, 3.325 over the ceiling → 3.33.
        assert_eq!(v.lines[2].exceed_ceiling_amount, 333);
        assert_eq!(v.consumption[&POLICY].rem_g, 502);
        // A partial deductible leaves a fraction that is rounded once at the end of the line.
        let mut partial = line(4, 100, 1_001);
        partial.limitation = Some("C".into());
        partial.limitation_value = Some(5_000);
        let v = value_claim(&claim(
            ProductTerms {
                ded_treatment: Some(500),
                ..Default::default()
            },
            vec![partial],
        ));
        // (10.01 − 5.00) × 50 % = 2.505 → 2.51.
        assert_eq!(
            (v.lines[0].deductable_amount, v.lines[0].valuated),
            (500, 251)
        );
    }

    #[test]
    fn each_policy_keeps_its_own_totals() {
        let mut facts = claim(
            ProductTerms {
                ded_treatment: Some(1_000),
                ..Default::default()
            },
            vec![line(1, 100, 1_500)],
        );
        let mut other = line(2, 100, 1_500);
        other.policy_id = 9;
        facts.lines.push(other);
        facts.policies.insert(
            9,
            PolicyFacts {
                terms: ProductTerms {
                    max_treatment: Some(1_200),
                    ..Default::default()
                },
                members: 1,
                previous: PreviousConsumption::default(),
            },
        );
        let v = value_claim(&facts);
        assert_eq!(valuated(&v), vec![500, 1_200]);
        assert_eq!(v.consumption[&POLICY].ded_g, 1_000);
        assert_eq!(v.consumption[&9].ded_g, 0);
        assert_eq!(v.consumption[&9].rem_g, 1_200);
    }
}
