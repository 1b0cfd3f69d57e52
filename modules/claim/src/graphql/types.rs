//! The claim module's GraphQL object types with openIMIS's names and fields: `ClaimGQLType`,
//! `ClaimItemGQLType`, `ClaimServiceGQLType`, `FeedbackGQLType`. A page of claims loads what
//! its nodes show (insurees, facilities, administrators, diagnoses, lines with their items,
//! services, products and policies, feedback, restored claims, attachment counts) once for the
//! whole page, in a fixed number of queries, and only what the request selects
//! ([`ClaimWants`]), `rejectionExplanation` included. Nested objects the caller may not see
//! (D9) are null. A claim's nested `attachments` connection (its own paging and filters) is
//! read per claim, a few queries each: it is meant for the one claim the front end shows; a
//! list shows `attachmentsCount`, loaded for the whole page.
//!
//! Amounts are shown in the currency (`kit::money`); the line types are in `lines`.

use super::attachments::{ClaimAttachmentConnection, ClaimAttachmentGeneralType};
use super::explanations::ClaimRejectionExplanationGQLType;
use crate::entity::{claim, detail, feedback};
use crate::service::attachments::attachment_counts;
use crate::service::explanations::Rejections;
use crate::service::{self as svc, KIND_ITEM, KIND_SERVICE};
use async_graphql::{Context, ID, Lookahead, Object};
use imis_core::auth::Principal;
use imis_core::graphql::GqlResult;
use imis_core::graphql::connection::PageArgs;
use imis_core::graphql::scalars::{Date, DateTime, JsonString};
use imis_core::kit::{VersionFields, date_time, money, node_id};
use imis_core::location::graphql::HealthFacilityGQLType;
use imis_core::users::graphql::ClaimAdminGQLType;
use imis_core::{AppResult, AppState};
use imis_insuree::api::InsureeGQLType;
use imis_medical::api::{DiagnosisGQLType, ItemGQLType, ServiceGQLType};
use imis_policy::api::{PolicyGQLType, PolicyWants};
use imis_product::api::ProductGQLType;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub(crate) use super::lines::ClaimLine;
pub use super::lines::{ClaimItemGQLType, ClaimServiceGQLType};

pub(crate) const CLAIM_TYPE: &str = "ClaimGQLType";
pub(crate) const CLAIM_ITEM_TYPE: &str = "ClaimItemGQLType";
pub(crate) const CLAIM_SERVICE_TYPE: &str = "ClaimServiceGQLType";
pub(crate) const FEEDBACK_TYPE: &str = "FeedbackGQLType";

/// What a page of claims loads besides its rows: what the request's selection shows.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ClaimWants {
    pub(crate) insuree: bool,
    /// `healthFacility`, `referFrom`, `referTo`.
    pub(crate) facilities: bool,
    pub(crate) admin: bool,
    /// `icd` to `icd4`.
    pub(crate) diagnoses: bool,
    /// `items` or `services`.
    pub(crate) lines: bool,
    /// A line's `item` or `service`.
    pub(crate) line_medical: bool,
    pub(crate) line_products: bool,
    /// A line's `policy`, with what the policy's selection shows.
    pub(crate) line_policies: Option<PolicyWants>,
    pub(crate) restore: bool,
    pub(crate) feedback: bool,
    pub(crate) attachments_count: bool,
    /// `rejectionExplanation`, of the claim or of the same claim reached again through its
    /// feedback or lines.
    pub(crate) rejection_explanation: bool,
}

fn or_policy_wants(a: Option<PolicyWants>, b: Option<PolicyWants>) -> Option<PolicyWants> {
    match (a, b) {
        (Some(a), Some(b)) => Some(PolicyWants {
            family: a.family || b.family,
            product: a.product || b.product,
            officer: a.officer || b.officer,
            coverage: a.coverage || b.coverage,
            consumption: a.consumption || b.consumption,
        }),
        (a, b) => a.or(b),
    }
}

impl ClaimWants {
    /// Everything (a single node).
    pub(crate) fn all() -> Self {
        ClaimWants {
            insuree: true,
            facilities: true,
            admin: true,
            diagnoses: true,
            lines: true,
            line_medical: true,
            line_products: true,
            line_policies: Some(PolicyWants::default()),
            restore: true,
            feedback: true,
            attachments_count: true,
            rejection_explanation: true,
        }
    }

    /// What the selection under a claim node asks for. A restored claim (`restore`) is shown
    /// with what its own selection asks for too (one level: its own `restore` is not followed).
    pub(crate) fn of(node: Lookahead<'_>) -> Self {
        let own = Self::of_one(&node);
        if !own.restore {
            return own;
        }
        own.merge(ClaimWants {
            restore: false,
            ..Self::of_one(&node.field("restore"))
        })
    }

    fn of_one(node: &Lookahead<'_>) -> Self {
        let items = node.field("items");
        let services = node.field("services");
        let line_policy = |l: &Lookahead<'_>| {
            let p = l.field("policy");
            p.exists().then(|| PolicyWants::of(p))
        };
        let any = |fields: &[&str]| fields.iter().any(|f| node.field(f).exists());
        let explained = |n: &Lookahead<'_>| n.field("rejectionExplanation").exists();
        ClaimWants {
            insuree: node.field("insuree").exists(),
            facilities: any(&["healthFacility", "referFrom", "referTo"]),
            admin: node.field("admin").exists(),
            diagnoses: any(&["icd", "icd1", "icd2", "icd3", "icd4"]),
            lines: items.exists() || services.exists(),
            line_medical: items.field("item").exists() || services.field("service").exists(),
            line_products: items.field("product").exists() || services.field("product").exists(),
            line_policies: or_policy_wants(line_policy(&items), line_policy(&services)),
            restore: node.field("restore").exists(),
            feedback: node.field("feedback").exists(),
            attachments_count: node.field("attachmentsCount").exists(),
            rejection_explanation: explained(node)
                || [node.field("feedback"), items, services]
                    .iter()
                    .any(|n| explained(&n.field("claim"))),
        }
    }

    fn merge(self, o: Self) -> Self {
        ClaimWants {
            insuree: self.insuree || o.insuree,
            facilities: self.facilities || o.facilities,
            admin: self.admin || o.admin,
            diagnoses: self.diagnoses || o.diagnoses,
            lines: self.lines || o.lines,
            line_medical: self.line_medical || o.line_medical,
            line_products: self.line_products || o.line_products,
            line_policies: or_policy_wants(self.line_policies, o.line_policies),
            restore: self.restore || o.restore,
            feedback: self.feedback || o.feedback,
            attachments_count: self.attachments_count || o.attachments_count,
            rejection_explanation: self.rejection_explanation || o.rejection_explanation,
        }
    }
}

/// What a page of claims shows besides the claims' own columns, loaded once for the page.
#[derive(Default)]
pub(crate) struct ClaimPage {
    /// The page's claims and the claims they restore (those the caller may see).
    pub(super) claims: HashMap<i64, claim::Model>,
    pub(super) insurees: HashMap<i64, InsureeGQLType>,
    pub(super) facilities: HashMap<i64, HealthFacilityGQLType>,
    pub(super) admins: HashMap<i64, ClaimAdminGQLType>,
    pub(super) diagnoses: HashMap<i64, DiagnosisGQLType>,
    pub(super) lines: HashMap<i64, Vec<detail::Model>>,
    pub(super) items: HashMap<i64, ItemGQLType>,
    pub(super) services: HashMap<i64, ServiceGQLType>,
    pub(super) products: HashMap<i64, ProductGQLType>,
    pub(super) policies: HashMap<i64, PolicyGQLType>,
    pub(super) feedback: HashMap<i64, feedback::Model>,
    /// The number of current attachments of each claim (`attachmentsCount`).
    pub(super) attachment_counts: HashMap<i64, i64>,
    /// What `rejectionExplanation` shows of the page's claims, when the request selects it.
    pub(super) rejections: Option<Rejections>,
}

fn unique(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let set: HashSet<i64> = ids.into_iter().collect();
    let mut v: Vec<i64> = set.into_iter().collect();
    v.sort_unstable();
    v
}

/// The facilities `ids` (any validity) as nodes, those within the caller's locations only.
async fn facility_nodes(
    state: &AppState,
    p: &Principal,
    ids: &[i64],
) -> AppResult<HashMap<i64, HealthFacilityGQLType>> {
    let mut nodes = imis_core::registers::health_facility_nodes_by_ids(state, ids).await?;
    let mut hidden = vec![];
    for (id, n) in &nodes {
        if !p
            .scope
            .allows(&state.db.conn, Some(n.model.location_id))
            .await?
        {
            hidden.push(*id);
        }
    }
    for id in hidden {
        nodes.remove(&id);
    }
    Ok(nodes)
}

/// The policies `ids` as nodes, those whose family lies within the caller's locations only.
async fn policy_nodes(
    state: &AppState,
    p: &Principal,
    ids: &[i64],
    wants: PolicyWants,
) -> AppResult<HashMap<i64, PolicyGQLType>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let conn = &state.db.conn;
    let summaries = imis_policy::api::policies_by_ids(conn, ids).await?;
    let family_ids = unique(summaries.values().map(|s| s.family_id));
    let families = imis_insuree::api::families_by_ids(conn, &family_ids).await?;
    let mut visible = vec![];
    for s in summaries.values() {
        let location = families.get(&s.family_id).map(|f| f.location_id);
        if p.scope.allows(conn, location).await? {
            visible.push(s.id);
        }
    }
    imis_policy::api::policy_nodes_by_ids(state, p, &visible, wants).await
}

impl ClaimPage {
    /// Loads what `wants` asks for the claims `models` (and, when asked, the claims they
    /// restore).
    pub(crate) async fn load(
        state: &AppState,
        p: &Principal,
        models: &[claim::Model],
        wants: ClaimWants,
    ) -> AppResult<ClaimPage> {
        let conn = &state.db.conn;
        let mut page = ClaimPage {
            claims: models.iter().map(|m| (m.id, m.clone())).collect(),
            ..Default::default()
        };
        if wants.restore {
            let restored = unique(models.iter().filter_map(|m| m.restore_id));
            page.claims
                .extend(svc::visible_claims_by_ids(state, p, &restored).await?);
        }
        let all: Vec<&claim::Model> = page.claims.values().collect();
        if wants.insuree {
            let ids = unique(all.iter().map(|c| c.insuree_id));
            page.insurees = imis_insuree::api::insuree_nodes(state, p, &ids).await?;
        }
        if wants.facilities {
            let ids = unique(all.iter().flat_map(|c| {
                [Some(c.health_facility_id), c.refer_from_id, c.refer_to_id]
                    .into_iter()
                    .flatten()
            }));
            page.facilities = facility_nodes(state, p, &ids).await?;
        }
        if wants.admin {
            let ids = unique(all.iter().filter_map(|c| c.admin_id));
            page.admins = imis_core::registers::claim_admin_nodes_by_ids(conn, &ids).await?;
        }
        if wants.diagnoses {
            let ids = unique(all.iter().flat_map(|c| {
                [Some(c.icd_id), c.icd1_id, c.icd2_id, c.icd3_id, c.icd4_id]
                    .into_iter()
                    .flatten()
            }));
            page.diagnoses = imis_medical::api::diagnosis_nodes(conn, &ids).await?;
        }
        let claim_ids = unique(all.iter().map(|c| c.id));
        if wants.feedback {
            page.feedback = svc::current_feedback_of(conn, &claim_ids).await?;
        }
        if wants.attachments_count {
            page.attachment_counts = attachment_counts(conn, &claim_ids).await?;
        }
        if wants.rejection_explanation {
            let claims: Vec<&claim::Model> = page.claims.values().collect();
            page.rejections = Some(crate::service::explanations::load(conn, &claims).await?);
        }
        if wants.lines {
            page.lines = svc::current_lines_of(conn, &claim_ids).await?;
            page.load_line_data(state, p, wants).await?;
        }
        Ok(page)
    }

    /// The items, services, products and policies of the page's lines.
    async fn load_line_data(
        &mut self,
        state: &AppState,
        p: &Principal,
        wants: ClaimWants,
    ) -> AppResult<()> {
        let conn = &state.db.conn;
        let lines: Vec<&detail::Model> = self.lines.values().flatten().collect();
        if wants.line_medical {
            let of_kind = |kind: &str| {
                unique(
                    lines
                        .iter()
                        .filter(|l| l.kind == kind)
                        .map(|l| l.medical_id),
                )
            };
            self.items = imis_medical::api::item_nodes(conn, &of_kind(KIND_ITEM)).await?;
            self.services = imis_medical::api::service_nodes(conn, &of_kind(KIND_SERVICE)).await?;
        }
        if wants.line_products {
            let ids = unique(lines.iter().filter_map(|l| l.product_id));
            self.products = imis_product::api::product_nodes_by_ids(state, p, &ids, false).await?;
        }
        if let Some(policy_wants) = wants.line_policies {
            let ids = unique(lines.iter().filter_map(|l| l.policy_id));
            self.policies = policy_nodes(state, p, &ids, policy_wants).await?;
        }
        Ok(())
    }
}

/// `ClaimGQLType`: a health facility's claim for the care given to one insuree.
#[derive(Clone)]
pub struct ClaimGQLType {
    pub(crate) model: claim::Model,
    /// For a previous version (`claimHistory`): its history pk.
    pub(crate) history_id: Option<i64>,
    pub(crate) page: Arc<ClaimPage>,
}

impl ClaimGQLType {
    /// The nodes of a page of claims, what `wants` asks loaded once for the page.
    pub(crate) async fn page(
        state: &AppState,
        p: &Principal,
        models: Vec<claim::Model>,
        wants: ClaimWants,
    ) -> AppResult<Vec<Self>> {
        let page = Arc::new(ClaimPage::load(state, p, &models, wants).await?);
        Ok(models
            .into_iter()
            .map(|model| ClaimGQLType {
                model,
                history_id: None,
                page: page.clone(),
            })
            .collect())
    }

    /// The nodes of one claim's versions (`claimHistory`), each with its history pk (`None` for
    /// the claim's own row). What a node shows besides its columns (lines, feedback,
    /// attachments, restored claim) is loaded once per claim, for its own row when given (the
    /// claim's current lines, feedback and attachments: those are versioned apart).
    pub(crate) async fn versions(
        state: &AppState,
        p: &Principal,
        versions: Vec<(claim::Model, Option<i64>)>,
        wants: ClaimWants,
    ) -> AppResult<Vec<Self>> {
        let mut by_claim: HashMap<i64, &claim::Model> = HashMap::new();
        for (m, history_id) in &versions {
            if history_id.is_none() || !by_claim.contains_key(&m.id) {
                by_claim.insert(m.id, m);
            }
        }
        let own: Vec<claim::Model> = by_claim.into_values().cloned().collect();
        let page = Arc::new(ClaimPage::load(state, p, &own, wants).await?);
        Ok(versions
            .into_iter()
            .map(|(model, history_id)| ClaimGQLType {
                model,
                history_id,
                page: page.clone(),
            })
            .collect())
    }

    fn lines_of_kind(&self, kind: &str) -> impl Iterator<Item = &detail::Model> {
        self.page
            .lines
            .get(&self.model.id)
            .into_iter()
            .flatten()
            .filter(move |l| l.kind == kind)
    }

    fn diagnosis(&self, id: Option<i64>) -> Option<&DiagnosisGQLType> {
        id.and_then(|id| self.page.diagnoses.get(&id))
    }

    fn facility(&self, id: Option<i64>) -> Option<&HealthFacilityGQLType> {
        id.and_then(|id| self.page.facilities.get(&id))
    }
}

fn date(d: chrono::NaiveDate) -> Date {
    Date(d)
}

fn json_ext(text: &Option<String>) -> Option<JsonString> {
    text.as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .map(JsonString)
}

#[Object(name = "ClaimGQLType")]
impl ClaimGQLType {
    async fn id(&self) -> ID {
        node_id(CLAIM_TYPE, self.model.id, self.history_id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, self.history_id)
    }
    async fn json_ext(&self) -> Option<JsonString> {
        json_ext(&self.model.json_ext)
    }
    async fn code(&self) -> &str {
        &self.model.code
    }
    /// S, D, A, H, C or V, set at submission.
    async fn category(&self) -> Option<&str> {
        self.model.category.as_deref()
    }
    /// Null when the insuree lies outside the caller's locations (D9).
    async fn insuree(&self) -> Option<&InsureeGQLType> {
        self.page.insurees.get(&self.model.insuree_id)
    }
    async fn date_from(&self) -> Date {
        date(self.model.date_from)
    }
    async fn date_to(&self) -> Option<Date> {
        self.model.date_to.map(date)
    }
    async fn date_claimed(&self) -> Date {
        date(self.model.date_claimed)
    }
    async fn date_processed(&self) -> Option<Date> {
        self.model.date_processed.map(date)
    }
    /// 1 rejected, 2 entered, 4 checked, 8 processed, 16 valuated.
    async fn status(&self) -> i32 {
        self.model.status
    }
    /// The rejected claim this one restores.
    async fn restore(&self) -> Option<ClaimGQLType> {
        let id = self.model.restore_id?;
        self.page.claims.get(&id).map(|model| ClaimGQLType {
            model: model.clone(),
            history_id: None,
            page: self.page.clone(),
        })
    }
    async fn restore_id(&self) -> Option<i64> {
        self.model.restore_id
    }
    async fn adjustment(&self) -> Option<&str> {
        self.model.adjustment.as_deref()
    }
    async fn explanation(&self) -> Option<&str> {
        self.model.explanation.as_deref()
    }
    /// Σ priceAsked × qtyProvided of the lines.
    async fn claimed(&self, ctx: &Context<'_>) -> Option<Decimal> {
        Some(money(ctx, self.model.claimed))
    }
    async fn approved(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.approved.map(|a| money(ctx, a))
    }
    async fn valuated(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.valuated.map(|a| money(ctx, a))
    }
    async fn remunerated(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.remunerated.map(|a| money(ctx, a))
    }
    async fn feedback_available(&self) -> bool {
        self.model.feedback_available
    }
    async fn feedback(&self) -> Option<FeedbackGQLType> {
        self.page
            .feedback
            .get(&self.model.id)
            .map(|f| FeedbackGQLType {
                model: f.clone(),
                page: self.page.clone(),
            })
    }
    /// 1 idle, 2 not selected, 4 selected, 8 delivered, 16 bypassed.
    async fn feedback_status(&self) -> Option<i32> {
        Some(self.model.feedback_status)
    }
    async fn review_status(&self) -> Option<i32> {
        Some(self.model.review_status)
    }
    async fn approval_status(&self) -> Option<i32> {
        Some(self.model.approval_status)
    }
    async fn rejection_reason(&self) -> Option<i32> {
        Some(self.model.rejection_reason)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn audit_user_id_review(&self) -> Option<i64> {
        self.model.audit_user_id_review
    }
    async fn audit_user_id_submit(&self) -> Option<i64> {
        self.model.audit_user_id_submit
    }
    async fn audit_user_id_process(&self) -> Option<i64> {
        self.model.audit_user_id_process
    }
    async fn validity_from_review(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.validity_from_review.map(|t| date_time(ctx, t))
    }
    async fn validity_to_review(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.validity_to_review.map(|t| date_time(ctx, t))
    }
    async fn submit_stamp(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.submit_stamp.map(|t| date_time(ctx, t))
    }
    async fn process_stamp(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.process_stamp.map(|t| date_time(ctx, t))
    }
    async fn health_facility(&self) -> Option<&HealthFacilityGQLType> {
        self.facility(Some(self.model.health_facility_id))
    }
    /// Null when outside the caller's locations (D9).
    async fn refer_from(&self) -> Option<&HealthFacilityGQLType> {
        self.facility(self.model.refer_from_id)
    }
    /// Null when outside the caller's locations (D9).
    async fn refer_to(&self) -> Option<&HealthFacilityGQLType> {
        self.facility(self.model.refer_to_id)
    }
    async fn guarantee_id(&self) -> Option<&str> {
        self.model.guarantee_id.as_deref()
    }
    /// The claim administrator who entered the claim.
    async fn admin(&self) -> Option<&ClaimAdminGQLType> {
        self.model.admin_id.and_then(|id| self.page.admins.get(&id))
    }
    /// The main diagnosis.
    async fn icd(&self) -> Option<&DiagnosisGQLType> {
        self.diagnosis(Some(self.model.icd_id))
    }
    async fn icd1(&self) -> Option<&DiagnosisGQLType> {
        self.diagnosis(self.model.icd1_id)
    }
    async fn icd2(&self) -> Option<&DiagnosisGQLType> {
        self.diagnosis(self.model.icd2_id)
    }
    async fn icd3(&self) -> Option<&DiagnosisGQLType> {
        self.diagnosis(self.model.icd3_id)
    }
    async fn icd4(&self) -> Option<&DiagnosisGQLType> {
        self.diagnosis(self.model.icd4_id)
    }
    /// `O` other, `E` emergency, `R` referral.
    async fn visit_type(&self) -> Option<&str> {
        Some(&self.model.visit_type)
    }
    async fn care_type(&self) -> Option<&str> {
        self.model.care_type.as_deref()
    }
    async fn pre_authorization(&self) -> Option<bool> {
        Some(self.model.pre_authorization)
    }
    async fn patient_condition(&self) -> Option<&str> {
        self.model.patient_condition.as_deref()
    }
    async fn referral_code(&self) -> Option<&str> {
        self.model.referral_code.as_deref()
    }
    /// The current item lines, in entry order.
    async fn items(&self) -> Vec<ClaimItemGQLType> {
        self.lines_of_kind(KIND_ITEM)
            .map(|l| ClaimItemGQLType(ClaimLine::new(l.clone(), self.page.clone())))
            .collect()
    }
    /// The current service lines, in entry order.
    async fn services(&self) -> Vec<ClaimServiceGQLType> {
        self.lines_of_kind(KIND_SERVICE)
            .map(|l| ClaimServiceGQLType(ClaimLine::new(l.clone(), self.page.clone())))
            .collect()
    }
    /// The number of the claim's current attachments.
    async fn attachments_count(&self) -> i64 {
        self.page
            .attachment_counts
            .get(&self.model.id)
            .copied()
            .unwrap_or(0)
    }
    /// The claim's current attachments (111001), in entry order, with the filters of
    /// `claimAttachments` on the attachment itself.
    #[allow(clippy::too_many_arguments)]
    async fn attachments(
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
    ) -> async_graphql::Result<ClaimAttachmentConnection> {
        let own = super::attachments::AttachmentArgs {
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
        let filter = own.filter().gql(ctx)?;
        let args = PageArgs::new(first, last, after, before, offset, None);
        super::attachments::claim_attachments_connection(ctx, self.model.id, filter, &args).await
    }
    /// Our addition: why the claim or its lines were rejected, in the caller's language (the
    /// claim's own reason first, then each rejected line).
    async fn rejection_explanation(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ClaimRejectionExplanationGQLType>> {
        super::explanations::rejection_explanation(ctx, &self.model, self.page.rejections.as_ref())
            .await
    }
}

/// `FeedbackGQLType`: what an enrolment officer collected from the insuree about a claim.
#[derive(Clone)]
pub struct FeedbackGQLType {
    pub(crate) model: feedback::Model,
    pub(crate) page: Arc<ClaimPage>,
}

#[Object(name = "FeedbackGQLType")]
impl FeedbackGQLType {
    async fn id(&self) -> ID {
        node_id(FEEDBACK_TYPE, self.model.id, None)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, None)
    }
    async fn claim(&self) -> Option<ClaimGQLType> {
        self.page
            .claims
            .get(&self.model.claim_id)
            .map(|model| ClaimGQLType {
                model: model.clone(),
                history_id: None,
                page: self.page.clone(),
            })
    }
    async fn care_rendered(&self) -> Option<bool> {
        self.model.care_rendered
    }
    async fn payment_asked(&self) -> Option<bool> {
        self.model.payment_asked
    }
    async fn drug_prescribed(&self) -> Option<bool> {
        self.model.drug_prescribed
    }
    async fn drug_received(&self) -> Option<bool> {
        self.model.drug_received
    }
    /// −1 to 5.
    async fn asessment(&self) -> Option<i32> {
        self.model.asessment
    }
    /// The enrolment officer (user id) who collected it.
    async fn officer_id(&self) -> Option<i64> {
        self.model.officer_id
    }
    /// The day it was collected (openIMIS shows a date-time: midnight of that day).
    async fn feedback_date(&self) -> Option<DateTime> {
        self.model
            .feedback_date
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(DateTime)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
}
