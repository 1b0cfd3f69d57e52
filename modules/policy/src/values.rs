//! Policy dates and value (D12, D13): pure functions of a product version, the enrolment date,
//! the stage, the members and the previous policy. `policyValues`, `createPolicy`,
//! `renewPolicy`, `updatePolicy` and the coverage handlers all compute through here.

use chrono::{Datelike, NaiveDate};
use imis_core::dates::add_months;
use imis_core::mutation::Warning;
use imis_product::api::ProductTerms;
use rust_decimal::Decimal;

/// `N` new or `R` renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    New,
    Renewal,
}

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::New => "N",
            Stage::Renewal => "R",
        }
    }
    pub fn parse(s: &str) -> Option<Stage> {
        match s.trim() {
            "N" | "n" => Some(Stage::New),
            "R" | "r" => Some(Stage::Renewal),
            _ => None,
        }
    }
}

/// A family member as the value formula sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub insuree_id: i64,
    pub dob: NaiveDate,
    /// openIMIS relationship id; 7 = "Others".
    pub relationship: Option<i32>,
    pub head: bool,
}

/// Relationship id of "Others" members, charged outside the lump sum.
pub const RELATIONSHIP_OTHER: i32 = 7;

/// Whether someone born on `dob` is an adult on `on` (age ≥ `majority` full years).
pub fn is_adult(dob: NaiveDate, on: NaiveDate, majority: u32) -> bool {
    imis_core::dates::age_on(dob, on) >= majority as i32
}

/// The sorted cycle start dates (month, day) of a product; empty = no cycles.
pub fn cycles(p: &ProductTerms) -> Vec<(u32, u32)> {
    let mut c: Vec<(u32, u32)> = [
        &p.start_cycle_1,
        &p.start_cycle_2,
        &p.start_cycle_3,
        &p.start_cycle_4,
    ]
    .into_iter()
    .flatten()
    .filter_map(|s| {
        let (d, m) = s.trim().split_once('-')?;
        Some((m.parse().ok()?, d.parse().ok()?))
    })
    .collect();
    c.sort_unstable();
    c.dedup();
    c
}

/// Start and expiry dates (D12). `previous_expiry` is the renewed policy's expiry (renewals).
pub fn policy_dates(
    p: &ProductTerms,
    stage: Stage,
    enroll_date: NaiveDate,
    previous_expiry: Option<NaiveDate>,
) -> (NaiveDate, NaiveDate) {
    let reference = match stage {
        Stage::New => add_months(enroll_date, p.administration_period.unwrap_or(0)),
        Stage::Renewal => previous_expiry
            .and_then(|e| e.succ_opt())
            .map_or(enroll_date, |next| next.max(enroll_date)),
    };
    let cycle_dates = cycles(p);
    let start = if cycle_dates.is_empty() {
        reference
    } else {
        let grace = match stage {
            Stage::New => p.grace_period_enrolment,
            Stage::Renewal => p.grace_period_renewal.unwrap_or(0),
        };
        let shifted = add_months(reference, -grace);
        let at = |year: i32, (m, d): (u32, u32)| NaiveDate::from_ymd_opt(year, m, d);
        cycle_dates
            .iter()
            .filter_map(|c| at(shifted.year(), *c))
            .find(|c| *c >= shifted)
            .or_else(|| at(shifted.year() + 1, cycle_dates[0]))
            .unwrap_or(reference)
    };
    (start, expiry_of(start, p.insurance_period))
}

/// Expiry = start + insurance period (months) − 1 day, always from the start date (D11).
pub fn expiry_of(start: NaiveDate, insurance_period: i32) -> NaiveDate {
    let end = add_months(start, insurance_period);
    end.pred_opt().unwrap_or(end)
}

/// What the value formula needs besides the product.
#[derive(Debug, Clone)]
pub struct ValueInput<'a> {
    pub stage: Stage,
    pub enroll_date: NaiveDate,
    pub start_date: NaiveDate,
    /// Members in creation order (the head is picked first within its class).
    pub members: &'a [Member],
    /// Expiry of the renewed policy (renewal discount).
    pub previous_expiry: Option<NaiveDate>,
    pub age_of_majority: u32,
}

/// The computed value and the members the policy covers.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedValue {
    /// Exact value before rounding, in minor units.
    pub exact: Decimal,
    /// Rounded half away from zero to whole minor units (D13).
    pub value: i64,
    /// Members kept under max members, in the priority order of D13.
    pub kept: Vec<i64>,
    pub warnings: Vec<Warning>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Class {
    Adult,
    Child,
    OtherChild,
    OtherAdult,
}

fn money(v: Option<i64>) -> Decimal {
    Decimal::from(v.unwrap_or(0))
}

/// The policy value of D13 (amounts in minor units, as the product stores them).
pub fn policy_value(p: &ProductTerms, input: &ValueInput<'_>) -> ComputedValue {
    let mut warnings = vec![];
    let class_of = |m: &Member| {
        let adult = is_adult(m.dob, input.enroll_date, input.age_of_majority);
        match (m.relationship == Some(RELATIONSHIP_OTHER), adult) {
            (false, true) => Class::Adult,
            (false, false) => Class::Child,
            (true, false) => Class::OtherChild,
            (true, true) => Class::OtherAdult,
        }
    };
    // Priority: class, then the head first, then creation order (D13).
    let mut ordered: Vec<(Class, &Member)> =
        input.members.iter().map(|m| (class_of(m), m)).collect();
    ordered.sort_by_key(|(c, m)| (*c, !m.head, m.insuree_id));
    let max = p.max_members;
    if max > 0 && ordered.len() > max as usize {
        let mut params = serde_json::Map::new();
        params.insert("max".into(), max.into());
        params.insert("count".into(), ordered.len().into());
        warnings.push(Warning {
            code: "policy.validation.members_count_above_max".into(),
            params,
        });
        ordered.truncate(max as usize);
    }
    let count = |c: Class| Decimal::from(ordered.iter().filter(|(k, _)| *k == c).count());
    let (a, c, oa, oc) = (
        count(Class::Adult),
        count(Class::Child),
        count(Class::OtherAdult),
        count(Class::OtherChild),
    );
    let total = a + c + oa + oc;
    let (pa, pc) = (money(p.premium_adult), money(p.premium_child));
    let contribution = if p.lump_sum > 0 {
        let t = Decimal::from(p.threshold.unwrap_or(0).max(0));
        let (extra_a, extra_c) = if t > Decimal::ZERO {
            let extra_a = (a - t).max(Decimal::ZERO);
            let extra_c = (c + a - extra_a - t).max(Decimal::ZERO);
            (extra_a, extra_c)
        } else {
            (Decimal::ZERO, Decimal::ZERO)
        };
        Decimal::from(p.lump_sum) + extra_a * pa + extra_c * pc + oa * pa + oc * pc
    } else {
        (a + oa) * pa + (c + oc) * pc
    };
    let assembly = match p.general_assembly_lump_sum {
        Some(l) if l > 0 => Decimal::from(l),
        _ => total * money(p.general_assembly_fee),
    };
    let registration = match (input.stage, p.registration_lump_sum) {
        (Stage::Renewal, _) => Decimal::ZERO,
        (Stage::New, Some(l)) if l > 0 => Decimal::from(l),
        (Stage::New, _) => total * money(p.registration_fee),
    };
    let mut v = contribution + assembly + registration;
    let discount =
        |perc: Option<i32>, period: Option<i32>, reference: NaiveDate| match (perc, period) {
            (Some(perc), Some(period)) if perc != 0 && period != 0 => {
                (input.enroll_date <= add_months(reference, -period)).then_some(perc)
            }
            _ => None,
        };
    let perc = match input.stage {
        Stage::New if !cycles(p).is_empty() => discount(
            p.enrolment_discount_perc,
            p.enrolment_discount_period,
            input.start_date,
        ),
        Stage::New => None,
        Stage::Renewal => input
            .previous_expiry
            .and_then(|e| e.succ_opt())
            .and_then(|r| discount(p.renewal_discount_perc, p.renewal_discount_period, r)),
    };
    if let Some(perc) = perc {
        v -= v * Decimal::from(perc) / Decimal::from(100);
    }
    let rounded = v.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    ComputedValue {
        exact: v,
        value: i64::try_from(rounded).unwrap_or(i64::MAX),
        kept: ordered.iter().map(|(_, m)| m.insuree_id).collect(),
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub(crate) fn product() -> ProductTerms {
        ProductTerms {
            id: 1,
            uuid: uuid::Uuid::nil(),
            code: "P".into(),
            name: "P".into(),
            location_id: None,
            date_from: d("2000-01-01"),
            date_to: d("2100-01-01"),
            conversion_product_id: None,
            insurance_period: 12,
            administration_period: None,
            max_members: 0,
            max_installments: None,
            threshold: None,
            recurrence: None,
            lump_sum: 0,
            premium_adult: None,
            premium_child: None,
            registration_lump_sum: None,
            registration_fee: None,
            general_assembly_lump_sum: None,
            general_assembly_fee: None,
            start_cycle_1: None,
            start_cycle_2: None,
            start_cycle_3: None,
            start_cycle_4: None,
            grace_period_enrolment: 0,
            grace_period_renewal: None,
            grace_period_payment: None,
            enrolment_discount_perc: None,
            enrolment_discount_period: None,
            renewal_discount_perc: None,
            renewal_discount_period: None,
            share_contribution: None,
            acc_code_premiums: None,
            acc_code_remuneration: None,
            ceiling_interpretation: None,
            ceiling_type: None,
            ded_insuree: None,
            ded_ip_insuree: None,
            ded_op_insuree: None,
            ded_treatment: None,
            ded_ip_treatment: None,
            ded_op_treatment: None,
            ded_policy: None,
            ded_ip_policy: None,
            ded_op_policy: None,
            max_insuree: None,
            max_ip_insuree: None,
            max_op_insuree: None,
            max_treatment: None,
            max_ip_treatment: None,
            max_op_treatment: None,
            max_policy: None,
            max_ip_policy: None,
            max_op_policy: None,
            max_policy_extra_member: None,
            max_policy_extra_member_ip: None,
            max_policy_extra_member_op: None,
            max_ceiling_policy: None,
            max_ceiling_policy_ip: None,
            max_ceiling_policy_op: None,
            max_no_consultation: None,
            max_no_surgery: None,
            max_no_delivery: None,
            max_no_hospitalization: None,
            max_no_visits: None,
            max_no_antenatal: None,
            max_amount_consultation: None,
            max_amount_surgery: None,
            max_amount_delivery: None,
            max_amount_hospitalization: None,
            max_amount_antenatal: None,
            period_rel_prices: None,
            period_rel_prices_ip: None,
            period_rel_prices_op: None,
            age_minimal: None,
            age_maximal: None,
            validity_from: chrono::Utc::now(),
            validity_to: None,
        }
    }

    fn adult(id: i64) -> Member {
        Member {
            insuree_id: id,
            dob: d("1980-05-05"),
            relationship: None,
            head: id == 1,
        }
    }
    fn child(id: i64) -> Member {
        Member {
            insuree_id: id,
            dob: d("2015-05-05"),
            relationship: Some(4),
            head: false,
        }
    }

    fn value(p: &ProductTerms, stage: Stage, members: &[Member]) -> i64 {
        policy_value(
            p,
            &ValueInput {
                stage,
                enroll_date: d("2021-01-10"),
                start_date: d("2021-01-10"),
                members,
                previous_expiry: None,
                age_of_majority: 18,
            },
        )
        .value
    }

    #[test]
    fn cycle_dates_follow_the_reference_examples() {
        let mut p = product();
        p.start_cycle_1 = Some("01-01".into());
        p.start_cycle_2 = Some("01-06".into());
        p.grace_period_enrolment = 1;
        assert_eq!(
            policy_dates(&p, Stage::New, d("2020-11-10"), None),
            (d("2021-01-01"), d("2021-12-31"))
        );
        assert_eq!(
            policy_dates(&p, Stage::New, d("2021-01-11"), None).0,
            d("2021-01-01")
        );
        p.administration_period = Some(1);
        p.insurance_period = 6;
        assert_eq!(
            policy_dates(&p, Stage::New, d("2021-01-10"), None),
            (d("2021-06-01"), d("2021-11-30"))
        );
        assert_eq!(
            policy_dates(&p, Stage::New, d("2021-12-11"), None),
            (d("2022-01-01"), d("2022-06-30"))
        );
    }

    #[test]
    fn grace_boundary_joins_the_cycle() {
        let mut p = product();
        p.start_cycle_1 = Some("01-03".into());
        p.grace_period_enrolment = 2;
        // Exactly G months after the cycle start still joins it (R' = cycle start).
        assert_eq!(
            policy_dates(&p, Stage::New, d("2021-05-01"), None).0,
            d("2021-03-01")
        );
        assert_eq!(
            policy_dates(&p, Stage::New, d("2021-05-02"), None).0,
            d("2022-03-01")
        );
    }

    #[test]
    fn expiry_is_clamped_from_the_start() {
        assert_eq!(expiry_of(d("2021-01-31"), 1), d("2021-02-27"));
        assert_eq!(expiry_of(d("2024-02-29"), 12), d("2025-02-27"));
        assert_eq!(expiry_of(d("2020-11-10"), 12), d("2021-11-09"));
    }

    #[test]
    fn renewal_starts_after_the_previous_expiry() {
        let p = product();
        assert_eq!(
            policy_dates(&p, Stage::Renewal, d("2021-10-01"), Some(d("2021-12-31"))).0,
            d("2022-01-01")
        );
        // Late renewal: the enrolment date.
        assert_eq!(
            policy_dates(&p, Stage::Renewal, d("2022-02-01"), Some(d("2021-12-31"))).0,
            d("2022-02-01")
        );
    }

    #[test]
    fn worked_value_examples() {
        let mut p = product();
        p.premium_adult = Some(300);
        p.premium_child = Some(200);
        p.registration_lump_sum = Some(250);
        p.general_assembly_lump_sum = Some(130);
        assert_eq!(value(&p, Stage::New, &[adult(1), adult(2)]), 980);
        assert_eq!(value(&p, Stage::New, &[adult(1), adult(2), child(3)]), 1180);
        // Renewal: no registration.
        assert_eq!(value(&p, Stage::Renewal, &[adult(1), adult(2)]), 730);

        let mut p = product();
        p.premium_adult = Some(300);
        p.premium_child = Some(200);
        p.lump_sum = 200;
        p.threshold = Some(2);
        p.registration_fee = Some(10);
        p.general_assembly_fee = Some(5);
        assert_eq!(value(&p, Stage::New, &[adult(1), adult(2)]), 230);
        assert_eq!(value(&p, Stage::New, &[adult(1), adult(2), child(3)]), 445);
        p.max_members = 2;
        p.threshold = Some(1);
        assert_eq!(value(&p, Stage::New, &[adult(1), adult(2)]), 530);
        let three = policy_value(
            &p,
            &ValueInput {
                stage: Stage::New,
                enroll_date: d("2021-01-10"),
                start_date: d("2021-01-10"),
                members: &[adult(1), child(3), adult(2)],
                previous_expiry: None,
                age_of_majority: 18,
            },
        );
        assert_eq!(three.value, 530);
        assert_eq!(three.kept, vec![1, 2]);
        assert_eq!(
            three.warnings[0].code,
            "policy.validation.members_count_above_max"
        );
    }

    #[test]
    fn threshold_is_ignored_per_member() {
        let mut p = product();
        p.premium_adult = Some(300);
        p.premium_child = Some(200);
        p.threshold = Some(1);
        assert_eq!(value(&p, Stage::New, &[adult(1), adult(2), child(3)]), 800);
    }

    #[test]
    fn others_are_charged_outside_the_lump_sum() {
        let mut p = product();
        p.lump_sum = 1000;
        p.premium_adult = Some(300);
        p.premium_child = Some(200);
        let mut other = adult(5);
        other.relationship = Some(RELATIONSHIP_OTHER);
        assert_eq!(value(&p, Stage::New, &[adult(1), other]), 1300);
    }

    #[test]
    fn age_is_taken_on_the_enrolment_date() {
        assert!(is_adult(d("2003-01-10"), d("2021-01-10"), 18));
        assert!(!is_adult(d("2003-01-11"), d("2021-01-10"), 18));
    }

    #[test]
    fn discounts_round_once() {
        let mut p = product();
        p.premium_adult = Some(1001);
        p.start_cycle_1 = Some("01-06".into());
        p.enrolment_discount_perc = Some(15);
        p.enrolment_discount_period = Some(2);
        let run = |enroll: &str| {
            let (start, _) = policy_dates(&p, Stage::New, d(enroll), None);
            policy_value(
                &p,
                &ValueInput {
                    stage: Stage::New,
                    enroll_date: d(enroll),
                    start_date: start,
                    members: &[adult(1)],
                    previous_expiry: None,
                    age_of_majority: 18,
                },
            )
        };
        // 2021-04-01 ≤ 2021-06-01 − 2 months: 1001 × 0.85 = 850.85 → 851.
        let early = run("2021-04-01");
        assert_eq!(early.exact, Decimal::new(85085, 2));
        assert_eq!(early.value, 851);
        assert_eq!(run("2021-04-02").value, 1001);

        let mut r = product();
        r.premium_adult = Some(1000);
        r.renewal_discount_perc = Some(10);
        r.renewal_discount_period = Some(1);
        let renew = |enroll: &str| {
            policy_value(
                &r,
                &ValueInput {
                    stage: Stage::Renewal,
                    enroll_date: d(enroll),
                    start_date: d("2022-01-01"),
                    members: &[adult(1)],
                    previous_expiry: Some(d("2021-12-31")),
                    age_of_majority: 18,
                },
            )
            .value
        };
        assert_eq!(renew("2021-12-01"), 900);
        assert_eq!(renew("2021-12-02"), 1000);
    }
}
