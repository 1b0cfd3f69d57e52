//! Validation of a whole product input into what a save writes.

use super::*;

/// Validates an input and converts it into what a save writes. `this` is the product being
/// updated (or the existing product of an idempotent create).
pub(crate) async fn resolve(
    m: &MutationCtx<'_>,
    p: &Principal,
    i: &ProductInput,
    this: Option<&product::Model>,
) -> AppResult<Resolved> {
    let tx: &DatabaseTransaction = m.tx;
    let digits = m.state.config.core.currency_minor_digits;
    check_len("code", &i.code, 8)?;
    check_len("name", &i.name, 100)?;
    let acc_code_premiums = trimmed("accCodePremiums", &i.acc_code_premiums, 25)?;
    let acc_code_remuneration = trimmed("accCodeRemuneration", &i.acc_code_remuneration, 25)?;
    if i.insurance_period < 1 || i.insurance_period > MAX_MONTHS {
        return Err(AppError::invalid(
            "insurancePeriod",
            "must be 1 to 1200 months",
        ));
    }
    for (f, v) in [
        ("renewalDiscountPerc", i.renewal_discount_perc),
        ("enrolmentDiscountPerc", i.enrolment_discount_perc),
    ] {
        if v.is_some_and(|v| !(0..=100).contains(&v)) {
            return Err(AppError::invalid(f, "must be between 0 and 100"));
        }
    }
    if i.date_from > i.date_to {
        return Err(AppError::validation("product.dates_invalid")
            .with("dateFrom", i.date_from)
            .with("dateTo", i.date_to));
    }
    let mut cycles: [Option<String>; 4] = Default::default();
    for (k, c) in i.start_cycles.iter().enumerate() {
        let Some(c) = c.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            continue;
        };
        cycles[k] =
            Some(parse_start_cycle(c).ok_or_else(|| {
                AppError::validation("product.start_cycle_invalid").with("value", c)
            })?);
    }
    if i.deductible.is_some() && (i.deductible_ip.is_some() || i.deductible_op.is_some()) {
        return Err(AppError::validation("product.deductible_general_and_split"));
    }
    if i.ceiling.is_some() && (i.ceiling_ip.is_some() || i.ceiling_op.is_some()) {
        return Err(AppError::validation("product.ceiling_general_and_split"));
    }
    let ceiling_interpretation = i
        .ceiling_interpretation
        .clone()
        .unwrap_or_else(|| "H".into());
    one_of(
        "ceilingInterpretation",
        &ceiling_interpretation,
        &["I", "H"],
    )?;
    if let Some(t) = &i.ceiling_type {
        one_of("ceilingType", t, &["I", "T", "P"])?;
    }
    let ded_ceiling = [
        ("deductible", i.deductible),
        ("deductibleIp", i.deductible_ip),
        ("deductibleOp", i.deductible_op),
        ("ceiling", i.ceiling),
        ("ceilingIp", i.ceiling_ip),
        ("ceilingOp", i.ceiling_op),
    ];
    let mut dc = [None; 6];
    for (k, (f, v)) in ded_ceiling.iter().enumerate() {
        dc[k] = opt_money(f, *v, digits)?;
    }
    if i.ceiling_type.is_none() && dc.iter().any(Option::is_some) {
        return Err(AppError::validation("product.ceiling_type_required"));
    }
    let share_contribution = match i.share_contribution {
        Some(v) if v < Decimal::ZERO || v > Decimal::from(100) => {
            return Err(AppError::invalid(
                "shareContribution",
                "must be between 0 and 100",
            ));
        }
        Some(v) => Some(hundredths("shareContribution", v)?),
        None => None,
    };
    let relative = i
        .relative_prices
        .as_deref()
        .map(resolve_relative)
        .transpose()?;

    // Location (national, region or district) and scope.
    let location_id = match i.location_uuid {
        None => None,
        Some(u) => {
            let id = imis_core::registers::location_id_by_uuid(tx, u).await?;
            let location_type = match id {
                Some(id) => imis_core::registers::location_type(tx, id).await?,
                None => None,
            };
            match (id, location_type.as_deref()) {
                (Some(id), Some("R" | "D")) => Some(id),
                _ => {
                    return Err(AppError::validation("product.location_invalid").with("uuid", u));
                }
            }
        }
    };
    require_write_scope(tx, p, location_id).await?;

    let conversion_product_id = match i.conversion_product_uuid {
        None => None,
        Some(u) => {
            let conv = product::Entity::find()
                .filter(product::Column::Uuid.eq(u))
                .filter(product::Column::ValidityTo.is_null())
                .one(tx)
                .await?;
            let same =
                |c: &product::Model| this.is_some_and(|t| t.id == c.id) || i.uuid == Some(c.uuid);
            match conv {
                Some(c) if !same(&c) => Some(c.id),
                _ => {
                    return Err(
                        AppError::validation("product.conversion_product_invalid").with("uuid", u)
                    );
                }
            }
        }
    };
    if code_taken(tx, &i.code, this.map(|t| t.id)).await? {
        return Err(code_taken_error(i.code.trim()));
    }
    let items = match &i.items {
        Some(l) => Some(resolve_lines(tx, LineKind::Item, l, digits).await?),
        None => None,
    };
    let services = match &i.services {
        Some(l) => Some(resolve_lines(tx, LineKind::Service, l, digits).await?),
        None => None,
    };

    // Deductibles and ceilings go to the family of the ceiling type, exactly as given.
    let (mut ded, mut max) = ([[None; 3]; 3], [[None; 3]; 3]);
    if let Some(t) = &i.ceiling_type {
        let k = match t.as_str() {
            "I" => 0,
            "T" => 1,
            _ => 2,
        };
        ded[k] = [dc[0], dc[1], dc[2]];
        max[k] = [dc[3], dc[4], dc[5]];
    }
    let (rel_b, rel_i, rel_o) = match &relative {
        Some(rows) => (
            period_flag(rows, "B"),
            period_flag(rows, "I"),
            period_flag(rows, "O"),
        ),
        None => (
            this.and_then(|t| t.period_rel_prices.clone()),
            this.and_then(|t| t.period_rel_prices_ip.clone()),
            this.and_then(|t| t.period_rel_prices_op.clone()),
        ),
    };
    let [c1, c2, c3, c4] = cycles;
    let fields = product::Model {
        id: 0,
        uuid: Uuid::nil(),
        code: i.code.trim().to_string(),
        name: i.name.trim().to_string(),
        name_search: imis_core::text::fold(i.name.trim()),
        location_id,
        date_from: i.date_from,
        date_to: i.date_to,
        conversion_product_id,
        insurance_period: i.insurance_period,
        administration_period: non_negative("administrationPeriod", i.administration_period)?,
        max_members: non_negative("maxMembers", i.max_members)?.unwrap_or(0),
        max_installments: non_negative("maxInstallments", i.max_installments)?,
        threshold: non_negative("threshold", i.threshold)?,
        recurrence: non_negative("recurrence", i.recurrence)?,
        lump_sum: money("lumpSum", i.lump_sum.unwrap_or_default(), digits)?,
        premium_adult: opt_money("premiumAdult", i.premium_adult, digits)?,
        premium_child: opt_money("premiumChild", i.premium_child, digits)?,
        registration_lump_sum: opt_money("registrationLumpSum", i.registration_lump_sum, digits)?,
        registration_fee: opt_money("registrationFee", i.registration_fee, digits)?,
        general_assembly_lump_sum: opt_money(
            "generalAssemblyLumpSum",
            i.general_assembly_lump_sum,
            digits,
        )?,
        general_assembly_fee: opt_money("generalAssemblyFee", i.general_assembly_fee, digits)?,
        start_cycle_1: c1,
        start_cycle_2: c2,
        start_cycle_3: c3,
        start_cycle_4: c4,
        grace_period_enrolment: non_negative("gracePeriodEnrolment", i.grace_period_enrolment)?
            .unwrap_or(0),
        grace_period_renewal: non_negative("gracePeriodRenewal", i.grace_period_renewal)?,
        grace_period_payment: non_negative("gracePeriodPayment", i.grace_period_payment)?,
        enrolment_discount_perc: i.enrolment_discount_perc,
        enrolment_discount_period: non_negative(
            "enrolmentDiscountPeriod",
            i.enrolment_discount_period,
        )?,
        renewal_discount_perc: i.renewal_discount_perc,
        renewal_discount_period: non_negative("renewalDiscountPeriod", i.renewal_discount_period)?,
        share_contribution,
        acc_code_premiums,
        acc_code_remuneration,
        ceiling_interpretation: Some(ceiling_interpretation),
        ceiling_type: i.ceiling_type.clone(),
        ded_insuree: ded[0][0],
        ded_ip_insuree: ded[0][1],
        ded_op_insuree: ded[0][2],
        ded_treatment: ded[1][0],
        ded_ip_treatment: ded[1][1],
        ded_op_treatment: ded[1][2],
        ded_policy: ded[2][0],
        ded_ip_policy: ded[2][1],
        ded_op_policy: ded[2][2],
        max_insuree: max[0][0],
        max_ip_insuree: max[0][1],
        max_op_insuree: max[0][2],
        max_treatment: max[1][0],
        max_ip_treatment: max[1][1],
        max_op_treatment: max[1][2],
        max_policy: max[2][0],
        max_ip_policy: max[2][1],
        max_op_policy: max[2][2],
        max_policy_extra_member: opt_money(
            "maxPolicyExtraMember",
            i.max_policy_extra_member,
            digits,
        )?,
        max_policy_extra_member_ip: opt_money(
            "maxPolicyExtraMemberIp",
            i.max_policy_extra_member_ip,
            digits,
        )?,
        max_policy_extra_member_op: opt_money(
            "maxPolicyExtraMemberOp",
            i.max_policy_extra_member_op,
            digits,
        )?,
        max_ceiling_policy: opt_money("maxCeilingPolicy", i.max_ceiling_policy, digits)?,
        max_ceiling_policy_ip: opt_money("maxCeilingPolicyIp", i.max_ceiling_policy_ip, digits)?,
        max_ceiling_policy_op: opt_money("maxCeilingPolicyOp", i.max_ceiling_policy_op, digits)?,
        max_no_consultation: non_negative("maxNoConsultation", i.max_no_consultation)?,
        max_no_surgery: non_negative("maxNoSurgery", i.max_no_surgery)?,
        max_no_delivery: non_negative("maxNoDelivery", i.max_no_delivery)?,
        max_no_hospitalization: non_negative("maxNoHospitalization", i.max_no_hospitalization)?,
        max_no_visits: non_negative("maxNoVisits", i.max_no_visits)?,
        max_no_antenatal: non_negative("maxNoAntenatal", i.max_no_antenatal)?,
        max_amount_consultation: opt_money(
            "maxAmountConsultation",
            i.max_amount_consultation,
            digits,
        )?,
        max_amount_surgery: opt_money("maxAmountSurgery", i.max_amount_surgery, digits)?,
        max_amount_delivery: opt_money("maxAmountDelivery", i.max_amount_delivery, digits)?,
        max_amount_hospitalization: opt_money(
            "maxAmountHospitalization",
            i.max_amount_hospitalization,
            digits,
        )?,
        max_amount_antenatal: opt_money("maxAmountAntenatal", i.max_amount_antenatal, digits)?,
        period_rel_prices: rel_b,
        period_rel_prices_ip: rel_i,
        period_rel_prices_op: rel_o,
        age_minimal: non_negative("ageMinimal", i.age_minimal)?,
        age_maximal: non_negative("ageMaximal", i.age_maximal)?,
        validity_from: DateTime::<Utc>::default(),
        validity_to: None,
        audit_user_id: None,
    };
    Ok(Resolved {
        fields,
        items,
        services,
        relative,
    })
}
