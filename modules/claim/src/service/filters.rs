//! `additionalFilters`, the JSON of `claims` filters the bulk mutations take (`submitClaims`,
//! the review and feedback selections) to choose their claims: one reader, so that a filter
//! means the same everywhere and the same as the `claims` argument of that name.
//!
//! The rule: with `additionalFilters`, the claims chosen are the current claims the caller may
//! see (search right 111001 and scope, as `claims` lists them) that match every filter, and,
//! when `uuids` is given as well, are among those uuids. Without filters, `uuids` names the
//! claims, each answered on its own (`not_found` out of scope).

use super::*;
use crate::entity::claim;
use imis_core::AppError;
use imis_core::graphql::parse_uuid;
use imis_core::money::Money;
use imis_insuree::api::InsureeStatus;
use rust_decimal::Decimal;
use sea_orm::Select;
use std::str::FromStr;
use uuid::Uuid;

/// The range suffixes of openIMIS's lookups (`_Lt`, … without the underscore; "" for exact).
const RANGE_OPS: [&str; 5] = ["", "Lt", "Lte", "Gt", "Gte"];

/// The filters a bulk mutation was given, when any (blank counts as none).
pub(crate) fn given(additional_filters: &Option<String>) -> Option<&str> {
    additional_filters
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
}

/// The claims `filters` chooses (see the module's rule), among `uuids` when given.
pub(crate) async fn chosen_claims_select(
    state: &AppState,
    principal: Option<&Principal>,
    uuids: Option<Vec<Uuid>>,
    filters: &str,
) -> AppResult<Select<claim::Entity>> {
    // The right first, so that a caller without it learns nothing from the filters' reading.
    require(principal, &[crate::rights::RIGHT_CLAIM_SEARCH])?;
    let mut f = claim_filter_from_json(filters, state.config.core.currency_minor_digits)?;
    f.uuids = uuids;
    claims_select(state, principal, &f).await
}

/// `additionalFilters`: a JSON object of `claims` arguments by their GraphQL names (a subset:
/// codes, statuses, dates and amounts with their ranges, visit and care type, main diagnosis,
/// insuree number and status, items and services, variance, attachments, facility by uuid,
/// code or location), amounts read in `digits` minor digits. An unknown argument or a value of
/// the wrong kind is refused (`claim.filters_invalid`), never ignored: ignoring it would select
/// more claims than asked.
pub(crate) fn claim_filter_from_json(json: &str, digits: u32) -> AppResult<ClaimFilter> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| filters_invalid(format!("not JSON ({e})")))?;
    let object = value
        .as_object()
        .ok_or_else(|| filters_invalid("not a JSON object".into()))?;
    let mut f = ClaimFilter::default();
    let mut facility = HealthFacilityFilter::default();
    let mut any_facility = false;
    for (key, v) in object.iter().filter(|(_, v)| !v.is_null()) {
        let a = JsonArg { key, v };
        if let Some(op) = key.strip_prefix("attachmentsCount_Value") {
            let op = op.strip_prefix('_').unwrap_or(op);
            if !RANGE_OPS.contains(&op) {
                return Err(filters_invalid(format!("unknown filter {key}")));
            }
            set(&mut f.attachments_count, op, i64::from(a.int()?));
            continue;
        }
        if let Some((base, op)) = range_key(key) {
            match base {
                "dateClaimed" => set(&mut f.date_claimed, op, a.date()?),
                "dateFrom" => set(&mut f.date_from, op, a.date()?),
                "dateTo" => set(&mut f.date_to, op, a.date()?),
                "dateProcessed" => set(&mut f.date_processed, op, a.date()?),
                "claimed" => set(&mut f.claimed, op, a.amount(digits)?),
                _ => set(&mut f.approved, op, a.amount(digits)?),
            }
            continue;
        }
        match key.as_str() {
            "uuid" => f.uuid = Some(a.uuid()?),
            "code" => f.code = Some(a.text()?),
            "code_Istartswith" => f.code_istartswith = Some(a.text()?),
            "code_Icontains" => f.code_icontains = Some(a.text()?),
            "code_Iexact" => f.code_iexact = Some(a.text()?),
            "codeIsNot" => f.code_is_not = Some(a.text()?),
            "status" => f.status = Some(a.int()?),
            "status_Gt" => f.status_gt = Some(a.int()?),
            "feedbackStatus" => f.feedback_status = Some(a.int()?),
            "reviewStatus" => f.review_status = Some(a.int()?),
            "visitType" => f.visit_type = Some(a.text()?),
            "careType" => f.care_type = Some(a.text()?),
            "preAuthorization" => f.pre_authorization = Some(a.boolean()?),
            "icd_Id" => f.icd_id = Some(a.pk("DiagnosisGQLType")?),
            "insuree_ChfId" | "insuree_ChfId_Iexact" => f.insuree_chf_id = Some(a.text()?),
            "items" => f.items = Some(a.texts()?),
            "services" => f.services = Some(a.texts()?),
            "diagnosisVariance" => f.diagnosis_variance = Some(a.int()?),
            "showRestored" => f.show_restored = a.boolean()?,
            "attachmentStatus" => f.attachment_status = Some(a.int()?),
            "insuree_Status" => f.insuree.status = Some(a.insuree_status()?),
            "healthFacility_Id" => facility.id = Some(a.pk("HealthFacilityGQLType")?),
            "healthFacility_Uuid" => facility.uuid = Some(a.uuid()?),
            "healthFacility_Code" => facility.code = Some(a.text()?),
            "healthFacility_Location_Uuid" => facility.location_uuid = Some(a.uuid()?),
            "healthFacility_Location_Parent_Uuid" => {
                facility.location_parent_uuid = Some(a.uuid()?)
            }
            other => return Err(filters_invalid(format!("unknown filter {other}"))),
        }
        any_facility |= key.starts_with("healthFacility_");
    }
    f.health_facility = any_facility.then_some(facility);
    Ok(f)
}

fn filters_invalid(reason: String) -> AppError {
    AppError::validation("claim.filters_invalid").with("reason", reason)
}

/// `dateClaimed_Gte` → (`dateClaimed`, `Gte`); the bare name → (name, ``).
fn range_key(key: &str) -> Option<(&str, &str)> {
    let (base, op) = key.split_once('_').unwrap_or((key, ""));
    let ranged = [
        "dateClaimed",
        "dateFrom",
        "dateTo",
        "dateProcessed",
        "claimed",
        "approved",
    ];
    (ranged.contains(&base) && RANGE_OPS.contains(&op)).then_some((base, op))
}

fn set<T>(r: &mut Range<T>, op: &str, v: T) {
    match op {
        "Lt" => r.lt = Some(v),
        "Lte" => r.lte = Some(v),
        "Gt" => r.gt = Some(v),
        "Gte" => r.gte = Some(v),
        _ => r.exact = Some(v),
    }
}

/// One argument of `additionalFilters`, read as the kind its name calls for.
struct JsonArg<'a> {
    key: &'a str,
    v: &'a serde_json::Value,
}

impl JsonArg<'_> {
    fn wrong(&self, kind: &str) -> AppError {
        filters_invalid(format!("{}: {kind} expected", self.key))
    }
    fn text(&self) -> AppResult<String> {
        self.v
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| self.wrong("a string"))
    }
    fn int(&self) -> AppResult<i32> {
        self.v
            .as_i64()
            .or_else(|| self.v.as_str().and_then(|s| s.trim().parse().ok()))
            .and_then(|i| i32::try_from(i).ok())
            .ok_or_else(|| self.wrong("an integer"))
    }
    fn boolean(&self) -> AppResult<bool> {
        self.v.as_bool().ok_or_else(|| self.wrong("true or false"))
    }
    fn uuid(&self) -> AppResult<Uuid> {
        parse_uuid(&self.text()?, self.key)
    }
    fn pk(&self, type_name: &str) -> AppResult<i64> {
        match self.v.as_i64() {
            Some(id) => Ok(id),
            None => imis_core::graphql::parse_pk(&self.text()?, type_name),
        }
    }
    fn date(&self) -> AppResult<chrono::NaiveDate> {
        self.v
            .as_str()
            .and_then(imis_core::graphql::scalars::parse_date)
            .ok_or_else(|| self.wrong("a date (YYYY-MM-DD)"))
    }
    fn amount(&self, digits: u32) -> AppResult<i64> {
        let d = match self.v {
            serde_json::Value::String(s) => Decimal::from_str(s.trim()).ok(),
            serde_json::Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
            _ => None,
        }
        .ok_or_else(|| self.wrong("an amount"))?;
        Ok(Money::parse(self.key, d, digits)?.0)
    }
    fn insuree_status(&self) -> AppResult<InsureeStatus> {
        match self.v.as_str() {
            Some("AC") => Ok(InsureeStatus::Ac),
            Some("IN") => Ok(InsureeStatus::In),
            Some("DE") => Ok(InsureeStatus::De),
            _ => Err(self.wrong("AC, IN or DE")),
        }
    }
    fn texts(&self) -> AppResult<Vec<String>> {
        self.v
            .as_array()
            .and_then(|list| {
                list.iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| self.wrong("a list of strings"))
    }
}
