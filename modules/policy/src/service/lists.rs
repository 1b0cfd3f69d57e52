//! Read side: the `policies` list with its filters and location scope, the rows of
//! `policiesByFamily` / `policiesByInsuree`, renewal reminders and policy officers.

use super::*;
use crate::entity::insuree_policy;
use imis_core::graphql::connection::{Page, PageArgs};
use sea_orm::Select;
use sea_orm::sea_query::Expr;
use std::collections::HashMap;

/// Date comparisons of one column (`enrollDate`, `enrollDate_Gte`, ...).
#[derive(Debug, Clone, Default)]
pub struct DateRange {
    pub eq: Option<NaiveDate>,
    pub gt: Option<NaiveDate>,
    pub gte: Option<NaiveDate>,
    pub lt: Option<NaiveDate>,
    pub lte: Option<NaiveDate>,
}

impl DateRange {
    fn apply(&self, mut q: Select<policy::Entity>, col: policy::Column) -> Select<policy::Entity> {
        if let Some(v) = self.eq {
            q = q.filter(col.eq(v));
        }
        if let Some(v) = self.gt {
            q = q.filter(col.gt(v));
        }
        if let Some(v) = self.gte {
            q = q.filter(col.gte(v));
        }
        if let Some(v) = self.lt {
            q = q.filter(col.lt(v));
        }
        if let Some(v) = self.lte {
            q = q.filter(col.lte(v));
        }
        q
    }
}

/// The filters of `policies` (reference §7.5). Amounts in minor units.
#[derive(Debug, Clone, Default)]
pub struct PolicyFilter {
    pub region_id: Option<i64>,
    pub district_id: Option<i64>,
    pub balance_lte: Option<i64>,
    pub balance_gte: Option<i64>,
    pub show_history: bool,
    pub show_inactive: bool,
    pub uuid: Option<Uuid>,
    pub family_id: Option<i64>,
    pub enroll_date: DateRange,
    pub start_date: DateRange,
    pub effective_date: DateRange,
    pub expiry_date: DateRange,
    pub stage: Option<String>,
    pub status: Option<i32>,
    pub status_in: Option<Vec<i32>>,
    pub value_gte: Option<i64>,
    pub value_lte: Option<i64>,
    pub product_id: Option<i64>,
    pub product_code: Option<String>,
    pub officer_id: Option<i64>,
    pub officer_code: Option<String>,
}

/// Restricts policies to families located in `locations` (D9, and region/district filters).
fn in_families_of(q: Select<policy::Entity>, villages: &[i64]) -> Select<policy::Entity> {
    q.filter(
        policy::Column::FamilyId.in_subquery(imis_insuree::api::families_in_locations(villages)),
    )
}

/// `policies` (101201): current policies (all versions with `showHistory`), filtered and
/// restricted to the caller's locations.
pub async fn policies_select(
    state: &AppState,
    p: &Principal,
    f: &PolicyFilter,
) -> AppResult<Select<policy::Entity>> {
    let conn = &state.db.conn;
    let mut q = policy::Entity::find();
    if !f.show_history {
        q = q.current();
    }
    if let Some(allowed) = p.scope.allowed_locations(conn).await? {
        let v: Vec<i64> = allowed.iter().copied().collect();
        q = in_families_of(q, &v);
    }
    for root in [f.region_id, f.district_id].into_iter().flatten() {
        let below = imis_core::location::service::subtree_ids(conn, root).await?;
        q = in_families_of(q, &below);
    }
    if let Some(v) = f.balance_lte {
        q = q.filter(Expr::cust(format!(
            "(policy_policy.value - policy_policy.paid) <= {v}"
        )));
    }
    if let Some(v) = f.balance_gte {
        q = q.filter(Expr::cust(format!(
            "(policy_policy.value - policy_policy.paid) >= {v}"
        )));
    }
    if f.show_inactive {
        // More current members than current coverage rows: some member is not covered.
        use sea_orm::sea_query::ExprTrait;
        let covered = sea_orm::sea_query::Query::select()
            .expr(Expr::col((insuree_policy::Entity, insuree_policy::Column::Id)).count())
            .from(insuree_policy::Entity)
            .and_where(
                Expr::col((insuree_policy::Entity, insuree_policy::Column::PolicyId))
                    .equals((policy::Entity, policy::Column::Id)),
            )
            .and_where(
                Expr::col((insuree_policy::Entity, insuree_policy::Column::ValidityTo)).is_null(),
            )
            .to_owned();
        q = q.filter(
            imis_insuree::api::family_member_count(Expr::col((
                policy::Entity,
                policy::Column::FamilyId,
            )))
            .gt(Expr::SubQuery(None, Box::new(covered.into()))),
        );
    }
    if let Some(u) = f.uuid {
        q = q.filter(policy::Column::Uuid.eq(u));
    }
    if let Some(id) = f.family_id {
        q = q.filter(policy::Column::FamilyId.eq(id));
    }
    q = f.enroll_date.apply(q, policy::Column::EnrollDate);
    q = f.start_date.apply(q, policy::Column::StartDate);
    q = f.effective_date.apply(q, policy::Column::EffectiveDate);
    q = f.expiry_date.apply(q, policy::Column::ExpiryDate);
    if let Some(s) = &f.stage {
        q = q.filter(policy::Column::Stage.eq(s.trim()));
    }
    if let Some(s) = f.status {
        q = q.filter(policy::Column::Status.eq(s));
    }
    if let Some(s) = &f.status_in {
        q = q.filter(policy::Column::Status.is_in(s.clone()));
    }
    if let Some(v) = f.value_gte {
        q = q.filter(policy::Column::Value.gte(v));
    }
    if let Some(v) = f.value_lte {
        q = q.filter(policy::Column::Value.lte(v));
    }
    if let Some(v) = f.product_id {
        q = q.filter(policy::Column::ProductId.eq(v));
    }
    if let Some(code) = &f.product_code {
        let ids: Vec<i64> = imis_product::api::products_by_code(conn, code.trim())
            .await?
            .into_iter()
            .collect();
        q = q.filter(policy::Column::ProductId.is_in(ids));
    }
    if let Some(v) = f.officer_id {
        q = q.filter(policy::Column::OfficerId.eq(v));
    }
    if let Some(code) = &f.officer_code {
        q = q.filter(policy::Column::OfficerId.in_subquery(
            imis_core::registers::user_ids_with_officer_code(code.trim()),
        ));
    }
    Ok(q)
}

/// A row of `policiesByFamily` / `policiesByInsuree` (openIMIS
/// `PolicyByFamilyOrInsureeGQLType`). Amounts in minor units.
#[derive(Debug, Clone)]
pub struct PolicySummary {
    pub policy: policy::Model,
    pub product: ProductTerms,
    pub officer: Option<imis_core::registers::Officer>,
    pub ded: i64,
    pub ded_in_patient: i64,
    pub ded_out_patient: i64,
    pub ceiling: Option<i64>,
    pub ceiling_in_patient: Option<i64>,
    pub ceiling_out_patient: Option<i64>,
    /// value − contributions paid (the amount still due).
    pub balance: i64,
}

/// Officers (users) by id, whatever their validity, in one query per 500.
pub async fn officers_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, imis_core::registers::Officer>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    imis_core::registers::officers_by_ids_any_validity(conn, &ids).await
}

/// Options shared by the two queries.
#[derive(Debug, Clone, Default)]
pub struct SummaryOptions {
    pub active_or_last_expired_only: bool,
    pub show_history: bool,
    pub target_date: Option<NaiveDate>,
    pub order_by: Option<String>,
}

fn minus(a: Option<i64>, b: i64) -> Option<i64> {
    a.filter(|v| *v > 0).map(|v| (v - b).max(0))
}

/// Ceilings by the product's ceiling type, less what claims consumed (reference §7.5, the
/// rewrite it recommends): per treatment as configured; per insuree less the insuree's (or the
/// policy's) remunerated amounts; per policy with extra members above the threshold, capped by
/// the maximum policy ceiling.
fn ceilings(
    p: &ProductTerms,
    used: &usage::Consumption,
    members: i64,
) -> (Option<i64>, Option<i64>, Option<i64>) {
    match p.ceiling_type.as_deref() {
        Some("T") => (
            p.max_treatment.filter(|v| *v > 0),
            p.max_ip_treatment.filter(|v| *v > 0),
            p.max_op_treatment.filter(|v| *v > 0),
        ),
        Some("I") => (
            minus(p.max_insuree, used.rem_g),
            minus(p.max_ip_insuree, used.rem_ip),
            minus(p.max_op_insuree, used.rem_op),
        ),
        Some("P") => {
            let extra = (members - i64::from(p.threshold.unwrap_or(0))).max(0);
            let extend = |base: Option<i64>, per: Option<i64>, cap: Option<i64>, rem: i64| {
                base.filter(|v| *v > 0).map(|b| {
                    let mut c = b + extra * per.unwrap_or(0);
                    if let Some(cap) = cap.filter(|c| *c > 0) {
                        c = c.min(cap);
                    }
                    (c - rem).max(0)
                })
            };
            (
                extend(
                    p.max_policy,
                    p.max_policy_extra_member,
                    p.max_ceiling_policy,
                    used.rem_g,
                ),
                extend(
                    p.max_ip_policy,
                    p.max_policy_extra_member_ip,
                    p.max_ceiling_policy_ip,
                    used.rem_ip,
                ),
                extend(
                    p.max_op_policy,
                    p.max_policy_extra_member_op,
                    p.max_ceiling_policy_op,
                    used.rem_op,
                ),
            )
        }
        _ => (None, None, None),
    }
}

/// Builds the summaries of `policies` (one query per related table, whatever the count).
pub async fn summaries(
    state: &AppState,
    conn: &impl ConnectionTrait,
    policies: Vec<policy::Model>,
    opts: &SummaryOptions,
) -> AppResult<Vec<PolicySummary>> {
    let ids: Vec<i64> = policies.iter().map(|p| p.id).collect();
    let consumed = usage::consumption_sums(conn, &ids).await?;
    let officer_ids: Vec<i64> = policies.iter().filter_map(|p| p.officer_id).collect();
    let officers = officers_by_ids(conn, &officer_ids).await?;
    // Members covered (a member who left and came back has two rows).
    let mut covered: HashMap<i64, std::collections::HashSet<i64>> = HashMap::new();
    if !ids.is_empty() {
        for row in insuree_policy::Entity::find()
            .filter(insuree_policy::Column::PolicyId.is_in(ids.clone()))
            .current()
            .all(conn)
            .await?
        {
            covered
                .entry(row.policy_id)
                .or_default()
                .insert(row.insuree_id);
        }
    }
    let members: HashMap<i64, i64> = covered
        .into_iter()
        .map(|(p, s)| (p, s.len() as i64))
        .collect();
    let wanted: Vec<(i64, NaiveDate)> = policies
        .iter()
        .map(|p| (p.product_id, p.enroll_date))
        .collect();
    let products = imis_product::api::product_models_in_force(conn, &state.clock, &wanted).await?;
    let mut out = vec![];
    for pol in policies {
        let Some(product) = products.get(&(pol.product_id, pol.enroll_date)).cloned() else {
            continue;
        };
        let used = consumed.get(&pol.id).cloned().unwrap_or_default();
        let (ceiling, ceiling_in_patient, ceiling_out_patient) =
            ceilings(&product, &used, members.get(&pol.id).copied().unwrap_or(0));
        out.push(PolicySummary {
            officer: pol.officer_id.and_then(|o| officers.get(&o).cloned()),
            ded: used.ded_g,
            ded_in_patient: used.ded_ip,
            ded_out_patient: used.ded_op,
            ceiling,
            ceiling_in_patient,
            ceiling_out_patient,
            balance: (pol.value - pol.paid).max(0),
            product,
            policy: pol,
        });
    }
    order_summaries(&mut out, opts);
    if opts.active_or_last_expired_only {
        out = keep_active_or_last_expired(out);
    }
    Ok(out)
}

fn order_summaries(rows: &mut [PolicySummary], opts: &SummaryOptions) {
    let spec = opts.order_by.as_deref().unwrap_or("-expiryDate");
    let (desc, key) = match spec.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, spec),
    };
    rows.sort_by(|a, b| {
        let o = match key {
            "enrollDate" => a.policy.enroll_date.cmp(&b.policy.enroll_date),
            "startDate" => a.policy.start_date.cmp(&b.policy.start_date),
            "effectiveDate" => a.policy.effective_date.cmp(&b.policy.effective_date),
            "productCode" => a.product.code.cmp(&b.product.code),
            "status" => a.policy.status.cmp(&b.policy.status),
            _ => a.policy.expiry_date.cmp(&b.policy.expiry_date),
        }
        .then(a.policy.id.cmp(&b.policy.id));
        if desc { o.reverse() } else { o }
    });
}

/// `activeOrLastExpiredOnly` (reference §7.5): per product code the first policy ordered by
/// status, expiry (newest first) — an Active one wins over an Expired one; Idle and Ready
/// policies are always kept.
fn keep_active_or_last_expired(rows: Vec<PolicySummary>) -> Vec<PolicySummary> {
    let mut best: HashMap<String, (i32, std::cmp::Reverse<NaiveDate>, std::cmp::Reverse<i64>)> =
        HashMap::new();
    for r in &rows {
        if matches!(r.policy.status, STATUS_IDLE | STATUS_READY) {
            continue;
        }
        let k = (
            r.policy.status,
            std::cmp::Reverse(r.policy.expiry_date),
            std::cmp::Reverse(r.policy.id),
        );
        best.entry(r.product.code.clone())
            .and_modify(|b| {
                if k < *b {
                    *b = k
                }
            })
            .or_insert(k);
    }
    rows.into_iter()
        .filter(|r| {
            matches!(r.policy.status, STATUS_IDLE | STATUS_READY)
                || best
                    .get(&r.product.code)
                    .is_some_and(|b| b.2.0 == r.policy.id)
        })
        .collect()
}

/// `policiesByFamily(familyUuid)` (101201, family in scope).
pub async fn policies_by_family(
    state: &AppState,
    principal: Option<&Principal>,
    family_uuid: Uuid,
    opts: &SummaryOptions,
) -> AppResult<Vec<PolicySummary>> {
    let p = require_user(principal, Requirement::AnyOf(&[RIGHT_POLICY_SEARCH]))?;
    let conn = &state.db.conn;
    let fam = imis_insuree::api::find_family(conn, family_uuid).await?;
    imis_insuree::api::check_family_scope(conn, p, &fam).await?;
    let mut q = policy::Entity::find().filter(policy::Column::FamilyId.eq(fam.id));
    if !opts.show_history {
        q = q.current();
    }
    if let Some(t) = opts.target_date {
        q = q
            .filter(policy::Column::EffectiveDate.lte(t))
            .filter(policy::Column::ExpiryDate.gte(t));
    }
    let policies = q.all(conn).await?;
    summaries(state, conn, policies, opts).await
}

/// `policiesByInsuree(chfId)` (101201 or a desk right: no location restriction for the desk, D9):
/// the policies with a coverage row for the insuree; with `targetDate`, only those covering them
/// that day (D16).
pub async fn policies_by_insuree(
    state: &AppState,
    principal: Option<&Principal>,
    chf_id: &str,
    opts: &SummaryOptions,
) -> AppResult<Vec<PolicySummary>> {
    let ins = eligibility::desk_insuree(state, principal, chf_id).await?;
    let conn = &state.db.conn;
    let policies: Vec<policy::Model> = match opts.target_date {
        Some(t) => coverage::covering(conn, ins.id, t)
            .await?
            .into_iter()
            .map(|c| c.policy)
            .collect(),
        None => {
            let mut q =
                insuree_policy::Entity::find().filter(insuree_policy::Column::InsureeId.eq(ins.id));
            if !opts.show_history {
                q = q.current();
            }
            let mut ids: Vec<i64> = q
                .all(conn)
                .await?
                .into_iter()
                .map(|r| r.policy_id)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            policies_by_ids(conn, &ids)
                .await?
                .into_values()
                .filter(|p| opts.show_history || p.validity_to.is_none())
                .collect()
        }
    };
    let mut seen = std::collections::HashSet::new();
    let policies = policies.into_iter().filter(|p| seen.insert(p.id)).collect();
    summaries(state, conn, policies, opts).await
}

/// `policyRenewals` (101205): current reminders; a caller who is an enrolment officer (and not an
/// administrator) sees only those assigned to them, another restricted caller those of families
/// in their locations (D9).
pub async fn renewals_select(
    state: &AppState,
    principal: Option<&Principal>,
) -> AppResult<Select<renewal::Entity>> {
    let p = require_user(principal, Requirement::AnyOf(&[RIGHT_POLICY_RENEW]))?;
    let q = renewal::Entity::find().current();
    if p.is_admin {
        return Ok(q);
    }
    // D9: the union of what each kind of the login reaches: an officer their own reminders, an
    // interactive user those of families in their districts.
    let conn = &state.db.conn;
    let in_families = |villages: &[i64]| {
        renewal::Column::PolicyId.in_subquery(crate::api::policy_ids_of_families(
            imis_insuree::api::families_in_locations(villages),
        ))
    };
    let mut reach = sea_orm::Condition::any();
    if p.kinds.officer {
        reach = reach.add(renewal::Column::NewOfficerId.eq(p.user_id));
        let mut below = vec![];
        for district in &p.scope.districts {
            below.extend(imis_core::location::service::subtree_ids(conn, *district).await?);
        }
        if !below.is_empty() {
            reach = reach.add(in_families(&below));
        }
    } else {
        match p.scope.allowed_locations(conn).await? {
            None => return Ok(q),
            Some(allowed) => {
                let v: Vec<i64> = allowed.iter().copied().collect();
                reach = reach.add(in_families(&v));
            }
        }
    }
    Ok(q.filter(reach))
}

/// `policyOfficers(search, district, region)` (101201/101202/101205): one page of the current
/// officers whose villages (or district) lie in each location given (`locations`: a reference
/// as [`imis_core::registers::location_id_by_ref`] reads it, and its argument's name) and in
/// the caller's locations (D9).
pub async fn policy_officers(
    state: &AppState,
    principal: Option<&Principal>,
    search: Option<&str>,
    locations: &[(&str, &str)],
    args: &PageArgs,
    want_total: bool,
) -> AppResult<Page<imis_core::registers::Officer>> {
    let p = require_user(
        principal,
        Requirement::AnyOf(&[RIGHT_POLICY_SEARCH, RIGHT_POLICY_ADD, RIGHT_POLICY_RENEW]),
    )?;
    let conn = &state.db.conn;
    let mut filter = imis_core::registers::OfficerFilter {
        search: search.map(str::to_owned),
        ..Default::default()
    };
    if let Some(allowed) = p.scope.allowed_locations(conn).await? {
        filter.location_sets.push(allowed.iter().copied().collect());
    }
    for (reference, field) in locations {
        let loc = imis_core::registers::location_id_by_ref(conn, reference, field)
            .await?
            .ok_or_else(|| AppError::not_found("location"))?;
        filter
            .location_sets
            .push(imis_core::location::service::subtree_ids(conn, loc).await?);
    }
    imis_core::registers::officers_page(conn, &filter, args, want_total, &state.config.graphql)
        .await
}
