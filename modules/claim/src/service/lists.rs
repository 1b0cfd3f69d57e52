//! Reading claims: the `claims` list with openIMIS's filters (reference §1.10.1), `claim`, the
//! facility desk's look-up `fspFromClaim`, `claimsStatusCount` and `claimHistory`.
//! Every read checks its right first, then the location scope: a claim lies where its facility
//! lies (`visible_facility_ids`). The rows a page shows with its claims (lines, feedback,
//! restored claims) are loaded here for the whole page at once.

use super::*;
use crate::entity::{claim, detail, feedback};
use crate::rights::{RIGHT_CLAIM_ADD, RIGHT_CLAIM_SEARCH};
use chrono::NaiveDate;
use imis_core::AppError;
use imis_core::kit::CurrentRows;
use imis_core::registers::ClaimAdminFilter;
use imis_core::text::{fold, like_escape, starts_with};
use imis_insuree::api::InsureeMatch;
use imis_medical::api::{DiagnosisFilter, MedicalKind};
use sea_orm::sea_query::{Expr, LikeExpr, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, DbBackend, QueryFilter, QueryOrder, Select, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Claim statuses in the order of their codes (reference §1.2).
pub(crate) const STATUSES: [i32; 5] = [
    STATUS_REJECTED,
    STATUS_ENTERED,
    STATUS_CHECKED,
    STATUS_PROCESSED,
    STATUS_VALUATED,
];

/// openIMIS's range lookups on one column: exact, `_Lt`, `_Lte`, `_Gt`, `_Gte`.
#[derive(Debug, Clone)]
pub(crate) struct Range<T> {
    pub(crate) exact: Option<T>,
    pub(crate) lt: Option<T>,
    pub(crate) lte: Option<T>,
    pub(crate) gt: Option<T>,
    pub(crate) gte: Option<T>,
}

impl<T> Default for Range<T> {
    fn default() -> Self {
        Self {
            exact: None,
            lt: None,
            lte: None,
            gt: None,
            gte: None,
        }
    }
}

impl<T: Into<Value> + Clone> Range<T> {
    fn condition(&self, col: claim::Column) -> Condition {
        let mut c = Condition::all();
        if let Some(v) = &self.exact {
            c = c.add(col.eq(v.clone()));
        }
        if let Some(v) = &self.lt {
            c = c.add(col.lt(v.clone()));
        }
        if let Some(v) = &self.lte {
            c = c.add(col.lte(v.clone()));
        }
        if let Some(v) = &self.gt {
            c = c.add(col.gt(v.clone()));
        }
        if let Some(v) = &self.gte {
            c = c.add(col.gte(v.clone()));
        }
        c
    }
}

/// The filters of `claims`, already converted from the GraphQL arguments (amounts in minor
/// units). Every filter given must hold.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClaimFilter {
    pub(crate) id: Option<i64>,
    pub(crate) uuid: Option<Uuid>,
    /// One of these claims (a bulk mutation's `uuids` combined with its `additionalFilters`).
    pub(crate) uuids: Option<Vec<Uuid>>,
    pub(crate) code: Option<String>,
    pub(crate) code_istartswith: Option<String>,
    pub(crate) code_icontains: Option<String>,
    pub(crate) code_iexact: Option<String>,
    /// openIMIS `codeIsNot`: every claim but the one with this code.
    pub(crate) code_is_not: Option<String>,
    pub(crate) status: Option<i32>,
    pub(crate) status_gt: Option<i32>,
    pub(crate) date_claimed: Range<NaiveDate>,
    pub(crate) date_from: Range<NaiveDate>,
    pub(crate) date_to: Range<NaiveDate>,
    pub(crate) date_processed: Range<NaiveDate>,
    pub(crate) feedback_status: Option<i32>,
    pub(crate) review_status: Option<i32>,
    pub(crate) claimed: Range<i64>,
    pub(crate) approved: Range<i64>,
    pub(crate) visit_type: Option<String>,
    pub(crate) care_type: Option<String>,
    pub(crate) pre_authorization: Option<bool>,
    pub(crate) batch_run_id: Option<i64>,
    /// The main diagnosis (`icd_Id`).
    pub(crate) icd_id: Option<i64>,
    /// The main diagnosis's code and name (`icd_Code…`, `icd_Name…`).
    pub(crate) icd: Option<DiagnosisFilter>,
    pub(crate) admin: Option<ClaimAdminFilter>,
    /// The claim's facility (`healthFacility_*`), whatever the caller's locations: the scope
    /// applies on its own.
    pub(crate) health_facility: Option<HealthFacilityFilter>,
    /// The insuree's insurance number as stored (`insuree_ChfId` of the bulk selections'
    /// `additionalFilters`); the same as `insuree.chf_id`.
    pub(crate) insuree_chf_id: Option<String>,
    /// The insuree's `insuree_*` lookups. Beyond the exact identifiers (the desk's look-ups,
    /// D9), they search insurees, so only those in the caller's locations match.
    pub(crate) insuree: InsureeMatch,
    /// Claims with a current line of one of these item (service) codes.
    pub(crate) items: Option<Vec<String>>,
    pub(crate) services: Option<Vec<String>>,
    /// Top-level keys the claim's `jsonExt` must hold with these values.
    pub(crate) json_ext: Option<serde_json::Map<String, serde_json::Value>>,
    /// D23: claimed ≥ the diagnosis's average × (1 + v/100).
    pub(crate) diagnosis_variance: Option<i32>,
    /// openIMIS `showRestored`: only claims that restore a rejected one.
    pub(crate) show_restored: bool,
    /// openIMIS `attachmentStatus`: 0 any claim, 1 with a current attachment, 2 without.
    pub(crate) attachment_status: Option<i32>,
    /// `attachmentsCount_Value…`: the number of current attachments (0 for none).
    pub(crate) attachments_count: Range<i64>,
}

/// Narrows `q` by `attachmentStatus` (0 or absent: any claim).
fn with_attachment_status(
    q: Select<claim::Entity>,
    status: Option<i32>,
) -> AppResult<Select<claim::Entity>> {
    let with = || super::attachments::claim_ids_with_attachments();
    Ok(match status {
        None | Some(0) => q,
        Some(1) => q.filter(claim::Column::Id.in_subquery(with())),
        Some(2) => q.filter(claim::Column::Id.not_in_subquery(with())),
        Some(_) => return Err(AppError::invalid("attachmentStatus", "0, 1 or 2")),
    })
}

/// The claim's `code_search` column as a SQL column reference.
fn code_search() -> claim::Column {
    claim::Column::CodeSearch
}

/// openIMIS's code lookups: exact on the code as stored, the others on the folded code (case
/// ignored), prefixes as index-served ranges.
fn code_condition(f: &ClaimFilter) -> Condition {
    let mut c = Condition::all();
    if let Some(v) = &f.code {
        c = c.add(claim::Column::Code.eq(v.trim()));
    }
    if let Some(v) = &f.code_istartswith {
        c = c.add(starts_with(code_search(), &fold(v.trim())));
    }
    if let Some(v) = &f.code_icontains {
        let pattern = format!("%{}%", like_escape(&fold(v.trim())));
        c = c.add(code_search().like(LikeExpr::new(pattern).escape('\\')));
    }
    if let Some(v) = &f.code_iexact {
        c = c.add(code_search().eq(fold(v.trim())));
    }
    if let Some(v) = &f.code_is_not {
        c = c.add(claim::Column::Code.ne(v.trim()));
    }
    c
}

/// The D23 variance condition on `claim_claim` rows: claimed ≥ average × (1 + `variance`/100),
/// where the average is the mean claimed amount of the current claims with status 8 or 16, the
/// same main diagnosis and a claim date in the 365 days before the row's own (from 365 days
/// before to the day before). A diagnosis without such history never qualifies (the average is
/// null). Served by `ix_claim_claim_icd_claimed`.
pub(crate) fn variance_condition(backend: DbBackend, variance: i32) -> SimpleExpr {
    let (window_start, placeholder) = match backend {
        DbBackend::Postgres => ("claim_claim.date_claimed - 365", "$1"),
        _ => ("date(claim_claim.date_claimed, '-365 days')", "?"),
    };
    Expr::cust_with_values(
        format!(
            "claim_claim.claimed * 100 >= (SELECT AVG(h.claimed) FROM claim_claim h \
             WHERE h.validity_to IS NULL AND h.status IN ({STATUS_PROCESSED}, {STATUS_VALUATED}) \
             AND h.icd_id = claim_claim.icd_id AND h.date_claimed >= {window_start} \
             AND h.date_claimed < claim_claim.date_claimed) * (100 + {placeholder})"
        ),
        [Value::from(i64::from(variance))],
    )
}

/// `jsonExt` containment on top-level keys: the claim's JSON holds each key with an equal value
/// (PostgreSQL compares `jsonb` values, SQLite the minified JSON texts).
fn json_ext_condition(
    backend: DbBackend,
    wanted: &serde_json::Map<String, serde_json::Value>,
) -> Condition {
    let mut c = Condition::all();
    for (key, value) in wanted {
        let value = value.to_string();
        c = c.add(match backend {
            DbBackend::Postgres => Expr::cust_with_values(
                "(CAST(claim_claim.json_ext AS jsonb) -> $1) = CAST($2 AS jsonb)",
                [Value::from(key.clone()), Value::from(value)],
            ),
            _ => Expr::cust_with_values(
                "(claim_claim.json_ext -> ?) = json(?)",
                [
                    Value::from(format!("$.\"{}\"", key.replace('"', "\\\""))),
                    Value::from(value),
                ],
            ),
        });
    }
    c
}

/// Claims with a current line of an item (service) with one of `codes`.
fn with_lines_of(kind: MedicalKind, codes: &[String]) -> SimpleExpr {
    let line_kind = match kind {
        MedicalKind::Item => KIND_ITEM,
        MedicalKind::Service => KIND_SERVICE,
    };
    let lines = Query::select()
        .column(detail::Column::ClaimId)
        .from(detail::Entity)
        .and_where(detail::Column::ValidityTo.is_null())
        .and_where(detail::Column::Kind.eq(line_kind))
        .and_where(
            detail::Column::MedicalId
                .in_subquery(imis_medical::api::medical_ids_with_codes(kind, codes)),
        )
        .to_owned();
    claim::Column::Id.in_subquery(lines)
}

/// `m` as `p` may search with it (D9): the desk's exact look-ups reach any insuree for holders of
/// the desk rights; any other lookup searches only the insurees in the caller's locations.
async fn insuree_match_in_scope(
    state: &AppState,
    p: &Principal,
    m: &InsureeMatch,
) -> AppResult<InsureeMatch> {
    let mut m = m.clone();
    if !(m.is_exact_lookup() && p.has_any(imis_insuree::api::RIGHTS_DESK_LOOKUP)) {
        m.locations = p
            .scope
            .allowed_locations(&state.db.conn)
            .await?
            .map(|allowed| allowed.iter().copied().collect());
    }
    Ok(m)
}

/// The current claims `principal` may see (right 111001; a claim administrator its facility's,
/// others those of the facilities in their locations) matching `f`.
pub(crate) async fn claims_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &ClaimFilter,
) -> AppResult<Select<claim::Entity>> {
    let p = require(principal, &[RIGHT_CLAIM_SEARCH])?;
    let backend = state.db.backend();
    use claim::Column as C;
    let mut q = claim::Entity::find().current();
    if let Some(visible) = visible_facility_ids(state, p).await? {
        q = q.filter(C::HealthFacilityId.in_subquery(visible));
    }
    if let Some(id) = f.id {
        q = q.filter(C::Id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    if let Some(uuids) = &f.uuids {
        q = q.filter(C::Uuid.is_in(uuids.iter().copied()));
    }
    q = q.filter(code_condition(f));
    if let Some(s) = f.status {
        q = q.filter(C::Status.eq(s));
    }
    if let Some(s) = f.status_gt {
        q = q.filter(C::Status.gt(s));
    }
    q = q
        .filter(f.date_claimed.condition(C::DateClaimed))
        .filter(f.date_from.condition(C::DateFrom))
        .filter(f.date_to.condition(C::DateTo))
        .filter(f.date_processed.condition(C::DateProcessed))
        .filter(f.claimed.condition(C::Claimed))
        .filter(f.approved.condition(C::Approved));
    if let Some(s) = f.feedback_status {
        q = q.filter(C::FeedbackStatus.eq(s));
    }
    if let Some(s) = f.review_status {
        q = q.filter(C::ReviewStatus.eq(s));
    }
    if let Some(v) = &f.visit_type {
        q = q.filter(C::VisitType.eq(v.trim()));
    }
    if let Some(v) = &f.care_type {
        q = q.filter(C::CareType.eq(v.trim()));
    }
    if let Some(v) = f.pre_authorization {
        q = q.filter(C::PreAuthorization.eq(v));
    }
    if let Some(v) = f.batch_run_id {
        q = q.filter(C::BatchRunId.eq(v));
    }
    if let Some(v) = f.icd_id {
        q = q.filter(C::IcdId.eq(v));
    }
    if let Some(d) = &f.icd {
        q = q.filter(C::IcdId.in_subquery(imis_medical::api::diagnosis_ids_matching(d)));
    }
    if let Some(a) = &f.admin {
        q = q.filter(C::AdminId.in_subquery(imis_core::registers::claim_admin_ids_matching(a)));
    }
    if let Some(h) = &f.health_facility {
        let h = HealthFacilityFilter {
            ignore_location: true,
            ..h.clone()
        };
        let facilities = health_facilities_select(state, Some(p), &h).await?;
        q = q.filter(C::HealthFacilityId.in_subquery(primary_keys(facilities).into_query()));
    }
    let by_number = f.insuree_chf_id.as_ref().map(|n| InsureeMatch {
        chf_id: Some(n.clone()),
        ..Default::default()
    });
    for m in [Some(&f.insuree), by_number.as_ref()].into_iter().flatten() {
        if !m.is_empty() {
            let m = insuree_match_in_scope(state, p, m).await?;
            q = q.filter(C::InsureeId.in_subquery(imis_insuree::api::insuree_ids_where(&m)));
        }
    }
    if let Some(codes) = f.items.as_ref().filter(|c| !c.is_empty()) {
        q = q.filter(with_lines_of(MedicalKind::Item, codes));
    }
    if let Some(codes) = f.services.as_ref().filter(|c| !c.is_empty()) {
        q = q.filter(with_lines_of(MedicalKind::Service, codes));
    }
    if let Some(wanted) = f.json_ext.as_ref().filter(|m| !m.is_empty()) {
        q = q.filter(json_ext_condition(backend, wanted));
    }
    if let Some(v) = f.diagnosis_variance {
        q = q.filter(variance_condition(backend, v));
    }
    if f.show_restored {
        q = q.filter(C::RestoreId.is_not_null());
    }
    q = with_attachment_status(q, f.attachment_status)?.filter(
        super::attachments::attachments_count_condition(&f.attachments_count),
    );
    Ok(q)
}

/// `claim(id:, uuid:)`: the current claim with this id or uuid that `principal` may see (right
/// 111001), or `None`.
pub(crate) async fn find_claim(
    state: &AppState,
    principal: Option<&Principal>,
    id: Option<i64>,
    uuid: Option<Uuid>,
) -> AppResult<Option<claim::Model>> {
    require(principal, &[RIGHT_CLAIM_SEARCH])?;
    if id.is_none() && uuid.is_none() {
        return Err(AppError::invalid("uuid", "give the claim's id or uuid"));
    }
    let filter = ClaimFilter {
        id,
        uuid,
        ..Default::default()
    };
    Ok(claims_select(state, principal, &filter)
        .await?
        .one(&state.db.conn)
        .await?)
}

/// `claimHistory(claimUuid:)` (111001): the versions of the claim `uuid`, newest first: its own
/// row (current, or closed when the claim was deleted) then its previous versions from the
/// history (D7), each with its history pk. Empty when no such claim lies within the caller's
/// reach, so a claim out of reach is not revealed.
pub(crate) async fn claim_versions(
    state: &AppState,
    principal: Option<&Principal>,
    uuid: Uuid,
) -> AppResult<Vec<(claim::Model, Option<i64>)>> {
    let p = require(principal, &[RIGHT_CLAIM_SEARCH])?;
    let conn = &state.db.conn;
    let mut q = claim::Entity::find().filter(claim::Column::Uuid.eq(uuid));
    if let Some(visible) = visible_facility_ids(state, p).await? {
        q = q.filter(claim::Column::HealthFacilityId.in_subquery(visible));
    }
    let Some(row) = q.one(conn).await? else {
        return Ok(vec![]);
    };
    let rows =
        imis_core::history::with_versions(conn, ENTITY_CLAIM, vec![(String::new(), row)]).await?;
    Ok(rows.into_iter().map(|(_, m, h)| (m, h)).collect())
}

/// The claims `ids` (whatever their validity) whose facility `p` may reach, by id.
pub(crate) async fn visible_claims_by_ids(
    state: &AppState,
    p: &Principal,
    ids: &[i64],
) -> AppResult<HashMap<i64, claim::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = claim::Entity::find().filter(claim::Column::Id.is_in(ids.iter().copied()));
    if let Some(visible) = visible_facility_ids(state, p).await? {
        q = q.filter(claim::Column::HealthFacilityId.in_subquery(visible));
    }
    Ok(q.all(&state.db.conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

/// The current lines of these claims, by claim, each list in entry order.
pub(crate) async fn current_lines_of(
    conn: &impl sea_orm::ConnectionTrait,
    claim_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<detail::Model>>> {
    let mut out: HashMap<i64, Vec<detail::Model>> = HashMap::new();
    for chunk in claim_ids.chunks(500) {
        for line in detail::Entity::find()
            .filter(detail::Column::ClaimId.is_in(chunk.iter().copied()))
            .current()
            .order_by_asc(detail::Column::ClaimId)
            .order_by_asc(detail::Column::Id)
            .all(conn)
            .await?
        {
            out.entry(line.claim_id).or_default().push(line);
        }
    }
    Ok(out)
}

/// The current feedback of these claims, by claim.
pub(crate) async fn current_feedback_of(
    conn: &impl sea_orm::ConnectionTrait,
    claim_ids: &[i64],
) -> AppResult<HashMap<i64, feedback::Model>> {
    let mut out = HashMap::new();
    for chunk in claim_ids.chunks(500) {
        for f in feedback::Entity::find()
            .filter(feedback::Column::ClaimId.is_in(chunk.iter().copied()))
            .current()
            .all(conn)
            .await?
        {
            out.insert(f.claim_id, f);
        }
    }
    Ok(out)
}

/// A line (item or service, any validity) by id with its claim, when `principal` may see the
/// claim (right 111001 and scope).
pub(crate) async fn find_line(
    state: &AppState,
    principal: Option<&Principal>,
    kind: &str,
    id: i64,
) -> AppResult<Option<(detail::Model, claim::Model)>> {
    let p = require(principal, &[RIGHT_CLAIM_SEARCH])?;
    let Some(line) = detail::Entity::find_by_id(id)
        .filter(detail::Column::Kind.eq(kind))
        .one(&state.db.conn)
        .await?
    else {
        return Ok(None);
    };
    let mut claims = visible_claims_by_ids(state, p, &[line.claim_id]).await?;
    Ok(claims.remove(&line.claim_id).map(|c| (line, c)))
}

/// A feedback (any validity) by id with its claim, when `principal` may see the claim.
pub(crate) async fn find_feedback(
    state: &AppState,
    principal: Option<&Principal>,
    id: i64,
) -> AppResult<Option<(feedback::Model, claim::Model)>> {
    let p = require(principal, &[RIGHT_CLAIM_SEARCH])?;
    let Some(f) = feedback::Entity::find_by_id(id).one(&state.db.conn).await? else {
        return Ok(None);
    };
    let mut claims = visible_claims_by_ids(state, p, &[f.claim_id]).await?;
    Ok(claims.remove(&f.claim_id).map(|c| (f, c)))
}

/// `fspFromClaim` (111001 or 111002): the first service point of the current insuree with this
/// number, or `None`; an exact desk look-up (D9), not location-restricted.
pub(crate) async fn fsp_from_claim(
    state: &AppState,
    principal: Option<&Principal>,
    insuree_code: &str,
) -> AppResult<Option<i64>> {
    require(principal, &[RIGHT_CLAIM_SEARCH, RIGHT_CLAIM_ADD])?;
    let insuree = imis_insuree::api::find_by_chf_id(&state.db.conn, insuree_code.trim()).await?;
    Ok(insuree.and_then(|i| i.health_facility_id))
}

/// `claimsStatusCount` (111001): how many current claims of the facility `facility` (uuid) have
/// each status, every status listed (zero included), for a facility's dashboard. The facility
/// must be within the caller's reach.
pub(crate) async fn claims_status_count(
    state: &AppState,
    principal: Option<&Principal>,
    facility: Uuid,
) -> AppResult<Vec<(i32, i64)>> {
    let p = require(principal, &[RIGHT_CLAIM_SEARCH])?;
    let conn = &state.db.conn;
    let facility_id = imis_core::registers::health_facility_id_by_uuid(conn, facility)
        .await?
        .ok_or_else(|| AppError::not_found("health_facility").with("uuid", facility))?;
    if !facility_reachable(state, p, facility_id).await? {
        return Err(AppError::location_denied());
    }
    let counts: Vec<(i32, i64)> = claim::Entity::find()
        .select_only()
        .column(claim::Column::Status)
        .column_as(claim::Column::Id.count(), "n")
        .filter(claim::Column::HealthFacilityId.eq(facility_id))
        .current()
        .group_by(claim::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let counted: HashMap<i32, i64> = counts.into_iter().collect();
    Ok(STATUSES
        .iter()
        .map(|s| (*s, counted.get(s).copied().unwrap_or(0)))
        .collect())
}
