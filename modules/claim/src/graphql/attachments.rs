//! Claim attachments with openIMIS's names (reference §1.1, §1.10): the `claimAttachments` list
//! and the predefined types `claimAttachmentType`, `ClaimAttachmentGQLType` (its `document`, the
//! file's content, read from the file store only when selected), and the mutations
//! `createClaimAttachment`, `updateClaimAttachment`, `deleteClaimAttachment`. The attachments
//! of a new claim come with `createClaim` as `ClaimAttachmentInputType` ([`attachment_inputs`]).
//!
//! A logged mutation input keeps a document's SHA-256 digest, not the document: the log stays
//! small, and a replay with the same content still compares equal (D5).

use super::types::{ClaimGQLType, ClaimWants};
use super::visible;
use crate::entity::attachment::{self, attachment_type};
use crate::rights::{RIGHT_CLAIM_SEARCH, RIGHT_CLAIM_UPDATE};
use crate::service::attachments::{self as att, AttachmentFilter, AttachmentInput, AttachmentKey};
use crate::service::{self as svc, ClaimFilter, Range};
use async_graphql::registry::Registry;
use async_graphql::{Context, Enum, ID, InputObject, Lookahead, Object};
use imis_core::auth::Principal;
use imis_core::graphql::connection::PageArgs;
use imis_core::graphql::relay::{NodeValue, register_implementer};
use imis_core::graphql::scalars::Date;
use imis_core::graphql::{
    GqlResult, MutationEnvelopeInput, parse_opt_uuid, parse_pk, parse_uuid, principal, state,
};
use imis_core::kit::{self, Sorting, Validity, VersionFields, node_id};
use imis_core::location::service::HealthFacilityFilter;
use imis_core::{AppError, AppResult, AppState};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

pub(crate) const ATTACHMENT_TYPE: &str = "ClaimAttachmentGQLType";
pub(crate) const ATTACHMENT_TYPE_TYPE: &str = "ClaimAttachmentTypeGQLType";
/// The attachment types `node(id:)` answers ([`node_value`]).
pub(crate) const NODE_TYPES: [&str; 2] = [ATTACHMENT_TYPE, ATTACHMENT_TYPE_TYPE];

/// The right every attachment mutation requires (the service checks it again).
const UPDATE: &[i32] = &[RIGHT_CLAIM_UPDATE];

imis_core::connection_type!(
    ClaimAttachmentConnection,
    ClaimAttachmentConnName,
    ClaimAttachmentEdgeName,
    ClaimAttachmentGQLType,
    "ClaimAttachmentGQLType"
);

imis_core::connection_type!(
    ClaimAttachmentTypeConnection,
    ClaimAttachmentTypeConnName,
    ClaimAttachmentTypeEdgeName,
    ClaimAttachmentTypeGQLType,
    "ClaimAttachmentTypeGQLType"
);

/// Lists page in entry order (openIMIS's lists take no `orderBy`).
const SORTING: Sorting<attachment::Entity> = Sorting {
    columns: &[],
    id: attachment::Column::Id,
    default_order: &["id"],
};

const TYPE_SORTING: Sorting<attachment_type::Entity> = Sorting {
    columns: &[],
    id: attachment_type::Column::Id,
    default_order: &["id"],
};

/// openIMIS `ClaimAttachmentGeneralType`: a link or a file.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "ClaimAttachmentGeneralType")]
pub enum ClaimAttachmentGeneralType {
    Url,
    File,
}

/// openIMIS `ClaimAttachmentTypeClaimGeneralType`: the general type of a predefined type.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "ClaimAttachmentTypeClaimGeneralType")]
pub enum ClaimAttachmentTypeClaimGeneralType {
    Url,
    File,
}

/// The stored general type (`URL`, `FILE`) of an enum value.
fn general_type_code(is_url: bool) -> &'static str {
    if is_url {
        att::GENERAL_URL
    } else {
        att::GENERAL_FILE
    }
}

/// What a page of attachments shows besides their rows.
#[derive(Debug, Clone, Copy, Default)]
struct AttachmentWants {
    /// The claim, with what its selection shows.
    claim: Option<ClaimWants>,
    predefined_type: bool,
}

impl AttachmentWants {
    fn of(node: Lookahead<'_>) -> Self {
        let claim = node.field("claim");
        AttachmentWants {
            claim: claim.exists().then(|| ClaimWants::of(claim)),
            predefined_type: node.field("predefinedType").exists(),
        }
    }

    fn all() -> Self {
        AttachmentWants {
            claim: Some(ClaimWants::all()),
            predefined_type: true,
        }
    }
}

/// What a page of attachments shows besides their own columns, loaded once for the page.
#[derive(Default)]
struct AttachmentPage {
    claims: HashMap<i64, ClaimGQLType>,
    types: HashMap<i64, attachment_type::Model>,
}

fn unique(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut v: Vec<i64> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    v.sort_unstable();
    v
}

/// `ClaimAttachmentGQLType`: a document or link supporting a claim. Built only from rows the
/// caller may see ([`att::attachments_select`]), which is what lets `document` serve the file.
#[derive(Clone)]
pub struct ClaimAttachmentGQLType {
    model: attachment::Model,
    page: Arc<AttachmentPage>,
}

impl ClaimAttachmentGQLType {
    /// The nodes of a page of attachments, what `wants` asks loaded once for the page: their
    /// claims (in the caller's reach, as the attachments are) and predefined types.
    async fn page(
        st: &AppState,
        p: &Principal,
        models: Vec<attachment::Model>,
        wants: AttachmentWants,
    ) -> AppResult<Vec<Self>> {
        let mut page = AttachmentPage::default();
        if let Some(claim_wants) = wants.claim {
            let ids = unique(models.iter().map(|m| m.claim_id));
            let claims = svc::visible_claims_by_ids(st, p, &ids).await?;
            page.claims = ClaimGQLType::page(st, p, claims.into_values().collect(), claim_wants)
                .await?
                .into_iter()
                .map(|c| (c.model.id, c))
                .collect();
        }
        if wants.predefined_type {
            let ids = unique(models.iter().filter_map(|m| m.predefined_type_id));
            page.types = att::attachment_types_by_ids(&st.db.conn, &ids).await?;
        }
        let page = Arc::new(page);
        Ok(models
            .into_iter()
            .map(|model| ClaimAttachmentGQLType {
                model,
                page: page.clone(),
            })
            .collect())
    }
}

#[Object(name = "ClaimAttachmentGQLType")]
impl ClaimAttachmentGQLType {
    async fn id(&self) -> ID {
        node_id(ATTACHMENT_TYPE, self.model.id, None)
    }
    /// Our addition (D4): the attachment's uuid.
    async fn uuid(&self) -> Uuid {
        self.model.uuid
    }
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.model.validity_from, self.model.validity_to)
    }
    /// openIMIS shows here, on a replaced version, the uuid of the current attachment; the lists
    /// show current attachments only, so it is null.
    async fn legacy_id(&self) -> Option<Uuid> {
        None
    }
    async fn claim(&self, ctx: &Context<'_>) -> async_graphql::Result<&ClaimGQLType> {
        self.page
            .claims
            .get(&self.model.claim_id)
            .ok_or_else(|| AppError::not_found("claim").with("id", self.model.claim_id))
            .gql(ctx)
    }
    async fn general_type(&self) -> ClaimAttachmentGeneralType {
        if self.model.general_type == att::GENERAL_URL {
            ClaimAttachmentGeneralType::Url
        } else {
            ClaimAttachmentGeneralType::File
        }
    }
    /// Free text.
    #[graphql(name = "type")]
    async fn attachment_type(&self) -> Option<&str> {
        self.model.attachment_type.as_deref()
    }
    async fn predefined_type(&self) -> Option<ClaimAttachmentTypeGQLType> {
        self.model
            .predefined_type_id
            .and_then(|id| self.page.types.get(&id))
            .map(|t| ClaimAttachmentTypeGQLType(t.clone()))
    }
    async fn title(&self) -> Option<&str> {
        self.model.title.as_deref()
    }
    async fn date(&self) -> Date {
        Date(self.model.date)
    }
    async fn filename(&self) -> Option<&str> {
        self.model.filename.as_deref()
    }
    /// The declared MIME type, or the one read from the content.
    async fn mime(&self) -> Option<&str> {
        self.model.mime.as_deref()
    }
    /// Always `claim`.
    async fn module(&self) -> Option<&str> {
        Some(crate::NAME)
    }
    /// A link's address.
    async fn url(&self) -> Option<&str> {
        self.model.url.as_deref()
    }
    /// A file's content in base64, read from the file store when selected (right 111001);
    /// null for a link.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        att::attachment_document(state(ctx), principal(ctx), &self.model)
            .await
            .gql(ctx)
    }
    /// The same as `document` (openIMIS declares the field without filling it).
    async fn doc(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        att::attachment_document(state(ctx), principal(ctx), &self.model)
            .await
            .gql(ctx)
    }
}

/// `ClaimAttachmentTypeGQLType`: a predefined attachment type.
#[derive(Clone)]
pub struct ClaimAttachmentTypeGQLType(attachment_type::Model);

#[Object(name = "ClaimAttachmentTypeGQLType")]
impl ClaimAttachmentTypeGQLType {
    async fn id(&self) -> ID {
        node_id(ATTACHMENT_TYPE_TYPE, self.0.id, None)
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.0, None)
    }
    /// The type's name (`default` for the two types openIMIS seeds).
    async fn claim_attachment_type(&self) -> &str {
        &self.0.claim_attachment_type
    }
    async fn is_autogenerated(&self) -> bool {
        self.0.is_autogenerated
    }
    async fn claim_general_type(&self) -> ClaimAttachmentTypeClaimGeneralType {
        if self.0.claim_general_type == att::GENERAL_URL {
            ClaimAttachmentTypeClaimGeneralType::Url
        } else {
            ClaimAttachmentTypeClaimGeneralType::File
        }
    }
    /// The current attachments of this type the caller may see (111001); paging only.
    async fn type_dropdown(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<ClaimAttachmentConnection> {
        let filter = AttachmentFilter {
            predefined_type_id: Some(self.0.id),
            ..Default::default()
        };
        let args = PageArgs::new(first, last, after, before, offset, None);
        attachments_connection(ctx, &filter, &args).await
    }
}

/// One page of the attachments `filter` selects among those the caller may see (111001), as a
/// connection whose nodes load what the request selects under `edges { node }`.
async fn attachments_connection(
    ctx: &Context<'_>,
    filter: &AttachmentFilter,
    args: &PageArgs,
) -> async_graphql::Result<ClaimAttachmentConnection> {
    let run = async {
        let p = kit::list_caller(ctx, &[RIGHT_CLAIM_SEARCH])?;
        let st = state(ctx);
        let select = att::attachments_select(st, Some(p), filter).await?;
        let page = kit::page_of(ctx, select, args, SORTING).await?;
        let wants = AttachmentWants::of(ctx.look_ahead().field("edges").field("node"));
        kit::with_nodes(page, async |models| {
            ClaimAttachmentGQLType::page(st, p, models, wants).await
        })
        .await
    };
    Ok(run.await.gql(ctx)?.into_connection(|n| n))
}

/// A claim's nested `attachments` (`ClaimGQLType.attachments`): one page of the current
/// attachments of the claim `claim_id` that `filter` also selects.
pub(crate) async fn claim_attachments_connection(
    ctx: &Context<'_>,
    claim_id: i64,
    filter: AttachmentFilter,
    args: &PageArgs,
) -> async_graphql::Result<ClaimAttachmentConnection> {
    let filter = AttachmentFilter {
        claim_id: Some(claim_id),
        ..filter
    };
    attachments_connection(ctx, &filter, args).await
}

/// The filters of `claimAttachments` on the attachment itself, which a claim's nested
/// `attachments` takes too.
pub(crate) struct AttachmentArgs {
    pub(crate) id: Option<ID>,
    pub(crate) attachment_type: Option<String>,
    pub(crate) type_icontains: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) title_icontains: Option<String>,
    /// `date`, `date_Lt`, `date_Lte`, `date_Gt`, `date_Gte`.
    pub(crate) date: [Option<Date>; 5],
    pub(crate) filename: Option<String>,
    pub(crate) filename_icontains: Option<String>,
    pub(crate) mime: Option<String>,
    pub(crate) mime_icontains: Option<String>,
    /// `generalType`, `generalType_Icontains`.
    pub(crate) general_types: [Option<ClaimAttachmentGeneralType>; 2],
    pub(crate) url: Option<String>,
    pub(crate) url_icontains: Option<String>,
}

impl AttachmentArgs {
    /// The service's filter (no condition on the claim).
    pub(crate) fn filter(self) -> AppResult<AttachmentFilter> {
        let [date, date_lt, date_lte, date_gt, date_gte] = self.date;
        Ok(AttachmentFilter {
            id: key_of(self.id.as_ref(), ATTACHMENT_TYPE)?,
            attachment_type: self.attachment_type,
            type_icontains: self.type_icontains,
            title: self.title,
            title_icontains: self.title_icontains,
            date: dates(date, date_lt, date_lte, date_gt, date_gte),
            filename: self.filename,
            filename_icontains: self.filename_icontains,
            mime: self.mime,
            mime_icontains: self.mime_icontains,
            general_types: self
                .general_types
                .into_iter()
                .flatten()
                .map(|g| general_type_code(g == ClaimAttachmentGeneralType::Url).to_string())
                .collect(),
            url: self.url,
            url_icontains: self.url_icontains,
            ..Default::default()
        })
    }
}

/// An id argument as openIMIS clients send it: an integer, or a global id of `type_name`.
fn key_of(id: Option<&ID>, type_name: &str) -> AppResult<Option<i64>> {
    id.map(|id| parse_pk(id.trim(), type_name)).transpose()
}

fn dates(
    exact: Option<Date>,
    lt: Option<Date>,
    lte: Option<Date>,
    gt: Option<Date>,
    gte: Option<Date>,
) -> Range<chrono::NaiveDate> {
    Range {
        exact: exact.map(|d| d.0),
        lt: lt.map(|d| d.0),
        lte: lte.map(|d| d.0),
        gt: gt.map(|d| d.0),
        gte: gte.map(|d| d.0),
    }
}

#[derive(Default)]
pub struct ClaimAttachmentQuery;

#[Object]
impl ClaimAttachmentQuery {
    /// The current attachments (111001) of the current claims in the caller's reach (D9), in
    /// entry order. openIMIS's filters on the attachment, and on its claim: `claim_Uuid`,
    /// `claim_Code…`, `claim_Status…`, `claim_DateClaimed…`, `claim_DateFrom…`,
    /// `claim_FeedbackStatus`, `claim_ReviewStatus`, `claim_VisitType`,
    /// `claim_PreAuthorization`, `claim_HealthFacility_Uuid`, `claim_HealthFacility_Code`,
    /// `claim_Insuree_ChfId`.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn claim_attachments(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        #[graphql(name = "type")] attachment_type: Option<String>,
        #[graphql(name = "type_Icontains")] type_icontains: Option<String>,
        title: Option<String>,
        #[graphql(name = "title_Icontains")] title_icontains: Option<String>,
        date: Option<Date>,
        #[graphql(name = "date_Lt")] date_lt: Option<Date>,
        #[graphql(name = "date_Lte")] date_lte: Option<Date>,
        #[graphql(name = "date_Gt")] date_gt: Option<Date>,
        #[graphql(name = "date_Gte")] date_gte: Option<Date>,
        filename: Option<String>,
        #[graphql(name = "filename_Icontains")] filename_icontains: Option<String>,
        mime: Option<String>,
        #[graphql(name = "mime_Icontains")] mime_icontains: Option<String>,
        general_type: Option<ClaimAttachmentGeneralType>,
        #[graphql(name = "generalType_Icontains")] general_type_icontains: Option<
            ClaimAttachmentGeneralType,
        >,
        url: Option<String>,
        #[graphql(name = "url_Icontains")] url_icontains: Option<String>,
        #[graphql(name = "claim_Uuid")] claim_uuid: Option<String>,
        #[graphql(name = "claim_Code")] claim_code: Option<String>,
        #[graphql(name = "claim_Code_Istartswith")] claim_code_istartswith: Option<String>,
        #[graphql(name = "claim_Code_Icontains")] claim_code_icontains: Option<String>,
        #[graphql(name = "claim_Code_Iexact")] claim_code_iexact: Option<String>,
        #[graphql(name = "claim_Status")] claim_status: Option<i32>,
        #[graphql(name = "claim_Status_Gt")] claim_status_gt: Option<i32>,
        #[graphql(name = "claim_DateClaimed")] claim_date_claimed: Option<Date>,
        #[graphql(name = "claim_DateClaimed_Lt")] claim_date_claimed_lt: Option<Date>,
        #[graphql(name = "claim_DateClaimed_Lte")] claim_date_claimed_lte: Option<Date>,
        #[graphql(name = "claim_DateClaimed_Gt")] claim_date_claimed_gt: Option<Date>,
        #[graphql(name = "claim_DateClaimed_Gte")] claim_date_claimed_gte: Option<Date>,
        #[graphql(name = "claim_DateFrom")] claim_date_from: Option<Date>,
        #[graphql(name = "claim_DateFrom_Lt")] claim_date_from_lt: Option<Date>,
        #[graphql(name = "claim_DateFrom_Lte")] claim_date_from_lte: Option<Date>,
        #[graphql(name = "claim_DateFrom_Gt")] claim_date_from_gt: Option<Date>,
        #[graphql(name = "claim_DateFrom_Gte")] claim_date_from_gte: Option<Date>,
        #[graphql(name = "claim_FeedbackStatus")] claim_feedback_status: Option<i32>,
        #[graphql(name = "claim_ReviewStatus")] claim_review_status: Option<i32>,
        #[graphql(name = "claim_VisitType")] claim_visit_type: Option<String>,
        #[graphql(name = "claim_PreAuthorization")] claim_pre_authorization: Option<bool>,
        #[graphql(name = "claim_HealthFacility_Uuid")] claim_health_facility_uuid: Option<String>,
        #[graphql(name = "claim_HealthFacility_Code")] claim_health_facility_code: Option<String>,
        #[graphql(name = "claim_Insuree_ChfId")] claim_insuree_chf_id: Option<String>,
    ) -> async_graphql::Result<ClaimAttachmentConnection> {
        let filter = async {
            let facility_uuid = parse_opt_uuid(
                claim_health_facility_uuid.as_deref(),
                "claim_HealthFacility_Uuid",
            )?;
            let health_facility = (facility_uuid.is_some() || claim_health_facility_code.is_some())
                .then(|| HealthFacilityFilter {
                    uuid: facility_uuid,
                    code: claim_health_facility_code,
                    ..Default::default()
                });
            let claim = ClaimFilter {
                uuid: parse_opt_uuid(claim_uuid.as_deref(), "claim_Uuid")?,
                code: claim_code,
                code_istartswith: claim_code_istartswith,
                code_icontains: claim_code_icontains,
                code_iexact: claim_code_iexact,
                status: claim_status,
                status_gt: claim_status_gt,
                date_claimed: dates(
                    claim_date_claimed,
                    claim_date_claimed_lt,
                    claim_date_claimed_lte,
                    claim_date_claimed_gt,
                    claim_date_claimed_gte,
                ),
                date_from: dates(
                    claim_date_from,
                    claim_date_from_lt,
                    claim_date_from_lte,
                    claim_date_from_gt,
                    claim_date_from_gte,
                ),
                feedback_status: claim_feedback_status,
                review_status: claim_review_status,
                visit_type: claim_visit_type,
                pre_authorization: claim_pre_authorization,
                health_facility,
                insuree_chf_id: claim_insuree_chf_id,
                ..Default::default()
            };
            let own = AttachmentArgs {
                id,
                attachment_type,
                type_icontains,
                title,
                title_icontains,
                date: [date, date_lt, date_lte, date_gt, date_gte],
                filename,
                filename_icontains,
                mime,
                mime_icontains,
                general_types: [general_type, general_type_icontains],
                url,
                url_icontains,
            };
            Ok::<_, AppError>(AttachmentFilter {
                claim,
                ..own.filter()?
            })
        };
        let filter = filter.await.gql(ctx)?;
        let args = PageArgs::new(first, last, after, before, offset, None);
        attachments_connection(ctx, &filter, &args).await
    }

    /// The current predefined attachment types (any logged-in user), of one general type when
    /// `claimGeneralType` is given.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn claim_attachment_type(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        claim_general_type: Option<ClaimAttachmentTypeClaimGeneralType>,
    ) -> async_graphql::Result<ClaimAttachmentTypeConnection> {
        let run = async {
            kit::list_caller(ctx, &[])?;
            let general_type = claim_general_type
                .map(|g| general_type_code(g == ClaimAttachmentTypeClaimGeneralType::Url));
            let select = att::attachment_types_select(
                principal(ctx),
                key_of(id.as_ref(), ATTACHMENT_TYPE_TYPE)?,
                general_type,
            )?;
            let args = PageArgs::new(first, last, after, before, offset, None);
            kit::page_of(ctx, select, &args, TYPE_SORTING).await
        };
        Ok(run
            .await
            .gql(ctx)?
            .into_connection(ClaimAttachmentTypeGQLType))
    }
}

/// Writes a document as its SHA-256 digest: what the mutation log keeps and a replay compares.
fn document_digest<S: serde::Serializer>(doc: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match doc {
        Some(d) => s.serialize_some(&format!(
            "sha256:{}",
            imis_core::auth::tokens::sha256_hex(d)
        )),
        None => s.serialize_none(),
    }
}

/// openIMIS `ClaimAttachmentInputType`: an attachment of `createClaim`, and the fields of
/// `createClaimAttachment` and `updateClaimAttachment`. `generalType` is `URL` or `FILE`;
/// `predefinedType` names a predefined type of that general type; `document` is a file's
/// content in base64. On create, an `id` that is a UUID becomes the attachment's uuid (D4).
#[derive(InputObject, Debug, Clone, Default, serde::Serialize)]
#[graphql(name = "ClaimAttachmentInputType")]
#[serde(rename_all = "camelCase")]
pub struct ClaimAttachmentInputType {
    pub id: Option<String>,
    #[graphql(name = "type")]
    #[serde(rename = "type")]
    pub attachment_type: Option<String>,
    pub title: Option<String>,
    pub date: Option<Date>,
    pub filename: Option<String>,
    pub mime: Option<String>,
    pub general_type: Option<String>,
    pub predefined_type: Option<String>,
    pub url: Option<String>,
    #[serde(serialize_with = "document_digest")]
    pub document: Option<String>,
}

impl ClaimAttachmentInputType {
    /// The service's input.
    pub(crate) fn to_input(&self) -> AttachmentInput {
        AttachmentInput {
            uuid: self
                .id
                .as_deref()
                .and_then(|id| Uuid::parse_str(id.trim()).ok()),
            general_type: self.general_type.clone(),
            attachment_type: self.attachment_type.clone(),
            title: self.title.clone(),
            date: self.date.map(|d| d.0),
            filename: self.filename.clone(),
            mime: self.mime.clone(),
            predefined_type: self.predefined_type.clone(),
            url: self.url.clone(),
            document: self.document.clone(),
        }
    }
}

/// `createClaim`'s `attachments`, for `service::attachments::add_attachments`.
pub(crate) fn attachment_inputs(
    attachments: &Option<Vec<Option<ClaimAttachmentInputType>>>,
) -> Vec<AttachmentInput> {
    attachments
        .iter()
        .flatten()
        .flatten()
        .map(ClaimAttachmentInputType::to_input)
        .collect()
}

/// An attachment named by a mutation's `id`: its key (what the front end decodes from the global
/// id), a global id, or its uuid.
fn attachment_key(id: Option<&str>) -> AppResult<AttachmentKey> {
    let id = id
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::invalid("id", "the attachment's id is required"))?;
    if let Ok(u) = Uuid::parse_str(id) {
        return Ok(AttachmentKey::Uuid(u));
    }
    Ok(AttachmentKey::Id(parse_pk(id, ATTACHMENT_TYPE)?))
}

/// openIMIS `CreateAttachmentMutationInput`.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "CreateAttachmentMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct CreateAttachmentMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub attachment: ClaimAttachmentInputType,
    pub claim_uuid: String,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

/// openIMIS `UpdateAttachmentMutationInput`, plus `document` (our addition: a new file).
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "UpdateAttachmentMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct UpdateAttachmentMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub attachment: ClaimAttachmentInputType,
    pub claim_uuid: String,
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
}

imis_core::mutation_inputs! {
    DeleteAttachmentMutationInput { id: Option<String> }
}

imis_core::mutation_payload!(CreateAttachmentMutationPayload);
imis_core::mutation_payload!(UpdateAttachmentMutationPayload);
imis_core::mutation_payload!(DeleteAttachmentMutationPayload);

#[derive(Default)]
pub struct ClaimAttachmentMutation;

#[Object]
impl ClaimAttachmentMutation {
    /// Attaches a file or a link to an Entered or Checked claim in the caller's reach (111010).
    #[graphql(visible = "visible")]
    async fn create_claim_attachment(
        &self,
        ctx: &Context<'_>,
        input: CreateAttachmentMutationInput,
    ) -> async_graphql::Result<CreateAttachmentMutationPayload> {
        let name = "createClaimAttachment";
        kit::mutate(ctx, name, &input.envelope, &input, UPDATE, async |m| {
            let claim = parse_uuid(&input.claim_uuid, "claimUuid")?;
            let row = att::create_attachment(m, claim, &input.attachment.to_input()).await?;
            Ok(row.id)
        })
        .await
    }

    /// Changes an attachment of the claim `claimUuid` (111010); absent fields keep their values,
    /// a new `document` is a new file; the previous version goes to history.
    #[graphql(visible = "visible")]
    async fn update_claim_attachment(
        &self,
        ctx: &Context<'_>,
        input: UpdateAttachmentMutationInput,
    ) -> async_graphql::Result<UpdateAttachmentMutationPayload> {
        let name = "updateClaimAttachment";
        kit::mutate(ctx, name, &input.envelope, &input, UPDATE, async |m| {
            let claim = parse_uuid(&input.claim_uuid, "claimUuid")?;
            let key = attachment_key(input.attachment.id.as_deref())?;
            let row = att::update_attachment(m, claim, key, &input.attachment.to_input()).await?;
            Ok(row.id)
        })
        .await
    }

    /// Deletes an attachment (111010); its file stays for the history.
    #[graphql(visible = "visible")]
    async fn delete_claim_attachment(
        &self,
        ctx: &Context<'_>,
        input: DeleteAttachmentMutationInput,
    ) -> async_graphql::Result<DeleteAttachmentMutationPayload> {
        let name = "deleteClaimAttachment";
        kit::mutate(ctx, name, &input.envelope, &input, UPDATE, async |m| {
            let key = attachment_key(input.id.as_deref())?;
            att::delete_attachment(m, key).await
        })
        .await
    }
}

/// Registers the attachment types as `Node` implementers (the descriptor's `NodeDef.register`).
pub(crate) fn register_nodes(registry: &mut Registry) {
    register_implementer::<ClaimAttachmentGQLType>(registry);
    register_implementer::<ClaimAttachmentTypeGQLType>(registry);
}

/// An attachment (right 111001 and the claim's reach, as `claimAttachments` decides) or a
/// predefined type (any logged-in user) by key, for `node(id:)`; `None` otherwise.
pub(crate) async fn node_value(
    st: &AppState,
    p: &Principal,
    type_name: &str,
    id: i64,
) -> AppResult<Option<NodeValue>> {
    Ok(match type_name {
        ATTACHMENT_TYPE => match att::find_attachment(st, Some(p), id).await? {
            Some(model) => ClaimAttachmentGQLType::page(st, p, vec![model], AttachmentWants::all())
                .await?
                .pop()
                .map(NodeValue::new),
            None => None,
        },
        ATTACHMENT_TYPE_TYPE => att::attachment_types_select(Some(p), Some(id), None)?
            .one(&st.db.conn)
            .await?
            .map(|t| NodeValue::new(ClaimAttachmentTypeGQLType(t))),
        _ => None,
    })
}
