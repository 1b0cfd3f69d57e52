//! Reading attachments: the `claimAttachments` list and a claim's `attachments` (111001, the
//! claims in the caller's reach), the counts and sub-queries the `claims` list filters with, and
//! the predefined types.

use super::*;
use imis_core::text::{fold, like_escape, upper_like};
use sea_orm::sea_query::{Expr, LikeExpr, Query, SimpleExpr};
use sea_orm::{Condition, ConnectionTrait, Select};
use std::collections::HashMap;

/// The correlated count of a claim's current attachments, for the `claims` filters.
const COUNT_SQL: &str = "(SELECT COUNT(*) FROM claim_attachment a \
     WHERE a.claim_id = claim_claim.id AND a.validity_to IS NULL)";

/// The filters of `claimAttachments` and of a claim's `attachments`; every filter given must
/// hold. `claim` selects the claims (`claim_*` arguments) among those the caller may see.
#[derive(Debug, Clone, Default)]
pub(crate) struct AttachmentFilter {
    pub(crate) id: Option<i64>,
    pub(crate) attachment_type: Option<String>,
    pub(crate) type_icontains: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) title_icontains: Option<String>,
    pub(crate) date: Range<NaiveDate>,
    pub(crate) filename: Option<String>,
    pub(crate) filename_icontains: Option<String>,
    pub(crate) mime: Option<String>,
    pub(crate) mime_icontains: Option<String>,
    /// `URL` or `FILE`; each given must hold (`generalType`, `generalType_Icontains`).
    pub(crate) general_types: Vec<String>,
    pub(crate) url: Option<String>,
    pub(crate) url_icontains: Option<String>,
    pub(crate) predefined_type_id: Option<i64>,
    /// The attachments of this claim only (a claim's nested `attachments`).
    pub(crate) claim_id: Option<i64>,
    pub(crate) claim: ClaimFilter,
}

/// `column LIKE %folded(v)%` on a folded search column: case and accents ignored (D19).
fn folded_contains(col: attachment::Column, v: &str) -> SimpleExpr {
    col.like(LikeExpr::new(format!("%{}%", like_escape(&fold(v.trim())))).escape('\\'))
}

fn date_condition(r: &Range<NaiveDate>) -> Condition {
    let col = attachment::Column::Date;
    let bound = |v: &Option<NaiveDate>, op: fn(attachment::Column, NaiveDate) -> SimpleExpr| {
        v.map(|d| op(col, d))
    };
    [
        bound(&r.exact, |c, d| c.eq(d)),
        bound(&r.lt, |c, d| c.lt(d)),
        bound(&r.lte, |c, d| c.lte(d)),
        bound(&r.gt, |c, d| c.gt(d)),
        bound(&r.gte, |c, d| c.gte(d)),
    ]
    .into_iter()
    .flatten()
    .fold(Condition::all(), Condition::add)
}

/// The current attachments `principal` may see (right 111001): those of the current claims in
/// the caller's reach that `f.claim` selects, filtered by `f`.
pub(crate) async fn attachments_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &AttachmentFilter,
) -> AppResult<Select<attachment::Entity>> {
    let p = require(principal, &[RIGHT_CLAIM_SEARCH])?;
    use attachment::Column as A;
    let claims = claims_select(state, Some(p), &f.claim)
        .await?
        .select_only()
        .column(claim::Column::Id)
        .into_query();
    let mut c = Condition::all().add(A::ClaimId.in_subquery(claims));
    if let Some(id) = f.id {
        c = c.add(A::Id.eq(id));
    }
    if let Some(id) = f.claim_id {
        c = c.add(A::ClaimId.eq(id));
    }
    if let Some(id) = f.predefined_type_id {
        c = c.add(A::PredefinedTypeId.eq(id));
    }
    for g in &f.general_types {
        c = c.add(A::GeneralType.eq(g.trim().to_ascii_uppercase()));
    }
    for (col, exact) in [
        (A::AttachmentType, &f.attachment_type),
        (A::Title, &f.title),
        (A::Filename, &f.filename),
        (A::Mime, &f.mime),
        (A::Url, &f.url),
    ] {
        if let Some(v) = exact {
            c = c.add(col.eq(v.trim()));
        }
    }
    for (col, v) in [
        (A::TypeSearch, &f.type_icontains),
        (A::TitleSearch, &f.title_icontains),
        (A::FilenameSearch, &f.filename_icontains),
    ] {
        if let Some(v) = v {
            c = c.add(folded_contains(col, v));
        }
    }
    // MIME types and addresses are ASCII: upper-casing ignores their case on both databases.
    for (col, v) in [(A::Mime, &f.mime_icontains), (A::Url, &f.url_icontains)] {
        if let Some(v) = v {
            c = c.add(upper_like(
                col,
                format!("%{}%", like_escape(&v.trim().to_uppercase())),
            ));
        }
    }
    c = c.add(date_condition(&f.date));
    Ok(attachment::Entity::find().current().filter(c))
}

/// An attachment (current) by key with the caller's right and reach, as the list decides.
pub(crate) async fn find_attachment(
    state: &AppState,
    principal: Option<&Principal>,
    id: i64,
) -> AppResult<Option<attachment::Model>> {
    let filter = AttachmentFilter {
        id: Some(id),
        ..Default::default()
    };
    Ok(attachments_select(state, principal, &filter)
        .await?
        .one(&state.db.conn)
        .await?)
}

/// An attachment's content in base64, read from the file store; `None` for a link. The caller
/// needs right 111001, and `model` must come from [`attachments_select`] (the claim's reach).
pub(crate) async fn attachment_document(
    state: &AppState,
    principal: Option<&Principal>,
    model: &attachment::Model,
) -> AppResult<Option<String>> {
    require(principal, &[RIGHT_CLAIM_SEARCH])?;
    let Some(key) = &model.document_key else {
        return Ok(None);
    };
    Ok(Some(encode_base64(&state.files.read(key).await?)))
}

/// How many current attachments each claim of `claim_ids` has (`attachmentsCount`), every id
/// present (zero included), in one query per 500 claims.
pub(crate) async fn attachment_counts(
    conn: &impl ConnectionTrait,
    claim_ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    let mut counts: HashMap<i64, i64> = claim_ids.iter().map(|id| (*id, 0)).collect();
    for chunk in claim_ids.chunks(500) {
        let rows: Vec<(i64, i64)> = attachment::Entity::find()
            .select_only()
            .column(attachment::Column::ClaimId)
            .column_as(attachment::Column::Id.count(), "n")
            .filter(attachment::Column::ClaimId.is_in(chunk.iter().copied()))
            .current()
            .group_by(attachment::Column::ClaimId)
            .into_tuple()
            .all(conn)
            .await?;
        counts.extend(rows);
    }
    Ok(counts)
}

/// The ids of the claims with at least one current attachment, for `claims(attachmentStatus:)`:
/// 1 (with) is `claim_claim.id IN (…)`, 2 (without) `NOT IN (…)`. Served by
/// `ix_claim_attachment_claim`.
pub(crate) fn claim_ids_with_attachments() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(attachment::Column::ClaimId)
        .from(attachment::Entity)
        .and_where(attachment::Column::ValidityTo.is_null())
        .to_owned()
}

/// `claims(attachmentsCount_Value…)`: the number of the claim's current attachments (zero for a
/// claim without any) compared with each bound given, on `claim_claim` rows.
pub(crate) fn attachments_count_condition(r: &Range<i64>) -> Condition {
    [
        (r.exact, "="),
        (r.lt, "<"),
        (r.lte, "<="),
        (r.gt, ">"),
        (r.gte, ">="),
    ]
    .into_iter()
    .filter_map(|(v, op)| v.map(|v| (v, op)))
    .fold(Condition::all(), |c, (v, op)| {
        // `v` is an integer: nothing to quote.
        c.add(Expr::cust(format!("{COUNT_SQL} {op} {v}")))
    })
}

/// `claimAttachmentType` (any logged-in user): the current predefined attachment types, of one
/// general type when given.
pub(crate) fn attachment_types_select(
    principal: Option<&Principal>,
    id: Option<i64>,
    general_type: Option<&str>,
) -> AppResult<Select<attachment_type::Entity>> {
    imis_core::auth::require_user(principal, imis_core::auth::Requirement::Authenticated)?;
    let mut q = attachment_type::Entity::find().current();
    if let Some(id) = id {
        q = q.filter(attachment_type::Column::Id.eq(id));
    }
    if let Some(g) = general_type {
        q = q.filter(attachment_type::Column::ClaimGeneralType.eq(g));
    }
    Ok(q)
}

/// The predefined attachment types `ids` (any validity), by id.
pub(crate) async fn attachment_types_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, attachment_type::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(attachment_type::Entity::find()
        .filter(attachment_type::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}
