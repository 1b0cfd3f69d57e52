//! What a create, update or duplicate receives and its validation helpers: lengths, money,
//! percentages, start cycles, lines and relative prices, write scope.

use super::*;

/// A product line of a create/update/duplicate input (letters: openIMIS codes).
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub medical_uuid: Uuid,
    /// `P`, `O` or `R`; default `P`.
    pub price_origin: Option<String>,
    /// `C` or `F`; default `C`.
    pub limitation_type: Option<String>,
    pub limitation_type_r: Option<String>,
    pub limitation_type_e: Option<String>,
    pub waiting_period_adult: Option<i32>,
    pub waiting_period_child: Option<i32>,
    pub limit_no_adult: Option<i32>,
    pub limit_no_child: Option<i32>,
    pub limit_adult: Option<Decimal>,
    pub limit_child: Option<Decimal>,
    pub limit_adult_r: Option<Decimal>,
    pub limit_child_r: Option<Decimal>,
    pub limit_adult_e: Option<Decimal>,
    pub limit_child_e: Option<Decimal>,
    /// `H`, `N` or `B`.
    pub ceiling_exclusion_adult: Option<String>,
    pub ceiling_exclusion_child: Option<String>,
}

/// One care type of `relativePrices`.
#[derive(Debug, Clone)]
pub struct RelativePriceInput {
    /// `B`, `I` or `O`.
    pub care_type: String,
    /// Percentages, 1, 4 or 12 of them.
    pub periods: Vec<Decimal>,
}

/// Input of `createProduct` / `updateProduct` / `duplicateProduct`. An update is complete:
/// omitted optional fields become null; omitted `items`, `services` or `relativePrices` keep
/// the current ones.
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    /// Create: the client's uuid (D4). Update: the product to update.
    pub uuid: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    pub insurance_period: i32,
    pub administration_period: Option<i32>,
    pub max_members: Option<i32>,
    pub max_installments: Option<i32>,
    pub recurrence: Option<i32>,
    pub location_uuid: Option<Uuid>,
    pub conversion_product_uuid: Option<Uuid>,
    pub acc_code_remuneration: Option<String>,
    pub acc_code_premiums: Option<String>,
    pub lump_sum: Option<Decimal>,
    pub premium_adult: Option<Decimal>,
    pub premium_child: Option<Decimal>,
    pub threshold: Option<i32>,
    pub share_contribution: Option<Decimal>,
    pub grace_period_renewal: Option<i32>,
    pub grace_period_payment: Option<i32>,
    pub grace_period_enrolment: Option<i32>,
    pub registration_lump_sum: Option<Decimal>,
    pub registration_fee: Option<Decimal>,
    pub general_assembly_lump_sum: Option<Decimal>,
    pub general_assembly_fee: Option<Decimal>,
    pub start_cycles: [Option<String>; 4],
    pub renewal_discount_perc: Option<i32>,
    pub renewal_discount_period: Option<i32>,
    pub enrolment_discount_perc: Option<i32>,
    pub enrolment_discount_period: Option<i32>,
    /// `I` (claim type) or `H` (health-facility type); default `H`.
    pub ceiling_interpretation: Option<String>,
    /// `I` insuree, `T` treatment, `P` policy.
    pub ceiling_type: Option<String>,
    pub deductible: Option<Decimal>,
    pub deductible_ip: Option<Decimal>,
    pub deductible_op: Option<Decimal>,
    pub ceiling: Option<Decimal>,
    pub ceiling_ip: Option<Decimal>,
    pub ceiling_op: Option<Decimal>,
    pub max_ceiling_policy: Option<Decimal>,
    pub max_ceiling_policy_ip: Option<Decimal>,
    pub max_ceiling_policy_op: Option<Decimal>,
    pub max_policy_extra_member: Option<Decimal>,
    pub max_policy_extra_member_ip: Option<Decimal>,
    pub max_policy_extra_member_op: Option<Decimal>,
    pub max_no_consultation: Option<i32>,
    pub max_no_surgery: Option<i32>,
    pub max_no_delivery: Option<i32>,
    pub max_no_hospitalization: Option<i32>,
    pub max_no_visits: Option<i32>,
    pub max_no_antenatal: Option<i32>,
    pub max_amount_consultation: Option<Decimal>,
    pub max_amount_surgery: Option<Decimal>,
    pub max_amount_delivery: Option<Decimal>,
    pub max_amount_hospitalization: Option<Decimal>,
    pub max_amount_antenatal: Option<Decimal>,
    pub relative_prices: Option<Vec<RelativePriceInput>>,
    pub items: Option<Vec<LineInput>>,
    pub services: Option<Vec<LineInput>>,
    pub age_minimal: Option<i32>,
    pub age_maximal: Option<i32>,
}

/// What a save writes, after validation.
pub(crate) struct Resolved {
    /// Business columns filled; id, uuid and validity left to the caller.
    pub fields: product::Model,
    pub items: Option<Vec<LineData>>,
    pub services: Option<Vec<LineData>>,
    pub relative: Option<Vec<DistRow>>,
}

pub(crate) fn check_len(field: &str, value: &str, max: usize) -> AppResult<()> {
    if value.trim().is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if value.trim().chars().count() > max {
        return Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        ));
    }
    Ok(())
}

pub(crate) fn trimmed(field: &str, v: &Option<String>, max: usize) -> AppResult<Option<String>> {
    let t = v
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(s) = &t
        && s.chars().count() > max
    {
        return Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        ));
    }
    Ok(t)
}

/// Longest period in months a product may state (a century): dates stay computable.
pub(crate) const MAX_MONTHS: i32 = 1200;

pub(crate) fn non_negative(field: &str, v: Option<i32>) -> AppResult<Option<i32>> {
    match v {
        Some(n) if n < 0 => Err(AppError::invalid(field, "must not be negative")),
        Some(n) if n > MAX_MONTHS && field.contains("Period") => {
            Err(AppError::invalid(field, "must be at most 1200 months"))
        }
        _ => Ok(v),
    }
}

/// An amount of the input in minor units: never negative, never rounded, within what storage
/// holds (`input.invalid` naming `field`, [`Money::parse_non_negative`]).
pub(crate) fn money(field: &str, v: Decimal, digits: u32) -> AppResult<i64> {
    Money::parse_non_negative(field, v, digits).map(|m| m.0)
}

pub(crate) fn opt_money(field: &str, v: Option<Decimal>, digits: u32) -> AppResult<Option<i64>> {
    v.map(|d| money(field, d, digits)).transpose()
}

/// An exact percentage in hundredths (the same checked conversion as amounts; callers check
/// the range first).
pub(crate) fn hundredths(field: &str, v: Decimal) -> AppResult<i64> {
    Money::parse(field, v, 2).map(|m| m.0)
}

/// Parses a start cycle, `D-M` or `DD-MM` (D12); 29-02 is refused. Returns it as `DD-MM`.
pub fn parse_start_cycle(s: &str) -> Option<String> {
    let (d, m) = s.trim().split_once('-')?;
    let ok = |x: &str| !x.is_empty() && x.len() <= 2 && x.chars().all(|c| c.is_ascii_digit());
    if !ok(d) || !ok(m) {
        return None;
    }
    let (day, month): (u32, u32) = (d.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&month) {
        return None;
    }
    // A non-leap year: 29-02 would not exist every year.
    if day < 1 || day > imis_core::dates::last_day_of_month(2001, month) {
        return None;
    }
    Some(format!("{day:02}-{month:02}"))
}

pub(crate) fn one_of(field: &str, v: &str, allowed: &[&str]) -> AppResult<()> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            &format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// Validates the lines of one kind and converts them.
pub(crate) async fn resolve_lines(
    conn: &impl ConnectionTrait,
    kind: LineKind,
    lines: &[LineInput],
    digits: u32,
) -> AppResult<Vec<LineData>> {
    let uuids: Vec<Uuid> = lines.iter().map(|l| l.medical_uuid).collect();
    let ids = medical_ids(conn, kind, &uuids).await?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let code = |what: &str| format!("product.{}_{what}", kind.name());
        let id = *ids
            .get(&l.medical_uuid)
            .ok_or_else(|| AppError::validation(code("not_found")).with("uuid", l.medical_uuid))?;
        if !seen.insert(id) {
            return Err(AppError::validation(code("duplicated")).with("uuid", l.medical_uuid));
        }
        let price_origin = l
            .price_origin
            .clone()
            .unwrap_or_else(|| DEFAULT_PRICE_ORIGIN.into());
        one_of("priceOrigin", &price_origin, &["P", "O", "R"])?;
        let lt = l
            .limitation_type
            .clone()
            .unwrap_or_else(|| DEFAULT_LIMIT.into());
        let types = [
            Some(lt.clone()),
            l.limitation_type_r.clone(),
            l.limitation_type_e.clone(),
        ];
        for (f, t) in ["limitationType", "limitationTypeR", "limitationTypeE"]
            .iter()
            .zip(&types)
        {
            if let Some(t) = t {
                one_of(f, t, &["C", "F"])?;
            }
        }
        for (f, v) in [
            ("ceilingExclusionAdult", &l.ceiling_exclusion_adult),
            ("ceilingExclusionChild", &l.ceiling_exclusion_child),
        ] {
            if let Some(v) = v {
                one_of(f, v, &["H", "N", "B"])?;
            }
        }
        let values = [
            ("limitAdult", l.limit_adult, &types[0]),
            ("limitChild", l.limit_child, &types[0]),
            ("limitAdultR", l.limit_adult_r, &types[1]),
            ("limitChildR", l.limit_child_r, &types[1]),
            ("limitAdultE", l.limit_adult_e, &types[2]),
            ("limitChildE", l.limit_child_e, &types[2]),
        ];
        let mut limits = [None; 6];
        for (i, (field, v, t)) in values.into_iter().enumerate() {
            let Some(v) = v else { continue };
            if v < Decimal::ZERO {
                return Err(AppError::validation("product.limit_negative")
                    .with("field", field)
                    .with("uuid", l.medical_uuid));
            }
            let fixed = t.as_deref() == Some("F");
            if t.as_deref() == Some("C") && v > Decimal::from(100) {
                return Err(AppError::validation("product.co_insurance_above_100")
                    .with("field", field)
                    .with("uuid", l.medical_uuid));
            }
            limits[i] = Some(if fixed {
                money(field, v, digits)?
            } else {
                hundredths(field, v)?
            });
        }
        out.push(LineData {
            medical_id: id,
            price_origin,
            limitation_type: lt,
            limitation_type_r: l.limitation_type_r.clone(),
            limitation_type_e: l.limitation_type_e.clone(),
            limits,
            limit_no_adult: non_negative("limitNoAdult", l.limit_no_adult)?,
            limit_no_child: non_negative("limitNoChild", l.limit_no_child)?,
            waiting_period_adult: non_negative("waitingPeriodAdult", l.waiting_period_adult)?,
            waiting_period_child: non_negative("waitingPeriodChild", l.waiting_period_child)?,
            ceiling_exclusion_adult: l.ceiling_exclusion_adult.clone(),
            ceiling_exclusion_child: l.ceiling_exclusion_child.clone(),
        });
    }
    Ok(out)
}

pub(crate) fn resolve_relative(list: &[RelativePriceInput]) -> AppResult<Vec<DistRow>> {
    let mut seen = HashSet::new();
    let mut out = vec![];
    for r in list {
        one_of("careType", &r.care_type, &["B", "I", "O"])?;
        if !seen.insert(r.care_type.clone()) {
            return Err(AppError::validation("product.relative_prices_care_type")
                .with("careType", &r.care_type));
        }
        let n = r.periods.len();
        if ![1, 4, 12].contains(&n) {
            return Err(AppError::validation("product.relative_prices_periods").with("count", n));
        }
        for (i, pct) in r.periods.iter().enumerate() {
            if *pct < Decimal::ZERO || *pct > Decimal::from(100) {
                return Err(
                    AppError::validation("product.relative_prices_percent").with("value", pct)
                );
            }
            out.push((
                r.care_type.clone(),
                n as i32,
                i as i32 + 1,
                hundredths("relativePrices", *pct)?,
            ));
        }
    }
    if seen.contains("B") && (seen.contains("I") || seen.contains("O")) {
        return Err(AppError::validation("product.relative_prices_care_type").with("careType", "B"));
    }
    Ok(out)
}

pub(crate) fn period_flag(rows: &[DistRow], care: &str) -> Option<String> {
    rows.iter()
        .find(|(c, _, _, _)| c == care)
        .map(|(_, n, _, _)| match n {
            1 => "Y".to_string(),
            4 => "Q".to_string(),
            _ => "M".to_string(),
        })
}

/// Refuses a write outside the caller's locations: a restricted user (D9) may write only
/// products located in their allowed locations (not national or region-level ones).
pub(crate) async fn require_write_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    location: Option<i64>,
) -> AppResult<()> {
    match (p.scope.allowed_locations(conn).await?, location) {
        (None, _) => Ok(()),
        (Some(set), Some(l)) if set.contains(&l) => Ok(()),
        _ => Err(AppError::location_denied()),
    }
}
