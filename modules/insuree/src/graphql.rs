//! GraphQL of families and insurees, with openIMIS names (D3). Resolvers parse input, call one
//! service function and shape the output; pages load their families, villages, photos and
//! facilities in one query each.

use crate::codes;
use crate::entity::{family, insuree, photo, status_reason};
use crate::service::{self, FamilyInput, InsureeInput, PhotoInput};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::connection_type;
use imis_core::error::{AppError, AppResult};
use imis_core::graphql::connection::{PageArgs, fetch_page, wants_total};
use imis_core::graphql::scalars::{Date, DateTime, JsonString};
use imis_core::graphql::{
    GqlResult, MutationEnvelopeInput, global_id, lang, parse_uuid, principal, run_mutation, state,
};
use imis_core::location::graphql::{
    HealthFacilityGQLType, LocationGQLType, health_facility_nodes, location_nodes,
};
use imis_core::mutation_payload;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select};
use std::collections::HashMap;
use std::sync::Arc;

connection_type!(
    InsureeConnection,
    InsureeConnName,
    InsureeEdgeName,
    InsureeGQLType,
    "InsureeGQLType"
);
connection_type!(
    FamilyConnection,
    FamilyConnName,
    FamilyEdgeName,
    FamilyGQLType,
    "FamilyGQLType"
);
connection_type!(
    StatusReasonConnection,
    StatusReasonConnName,
    StatusReasonEdgeName,
    InsureeStatusReasonGQLType,
    "InsureeStatusReasonGQLType"
);

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

fn tz(ctx: &Context<'_>) -> chrono_tz::Tz {
    state(ctx).clock.tz
}

/// D9 on nested objects (an insuree's family, a family's head): whether the caller may see a row
/// located at `location`, with the same rule as the lists. The allowed set is read once per
/// request and kept in the principal's scope, so a page costs no query per row. Unrestricted
/// users see everything; a row without a location is theirs only.
async fn nested_in_scope(ctx: &Context<'_>, location: Option<i64>) -> Result<bool> {
    let Some(p) = principal(ctx) else {
        return Ok(false);
    };
    p.scope.allows(&state(ctx).db.conn, location).await.gql(ctx)
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "InsureeStatus")]
pub enum InsureeStatus {
    #[graphql(name = "AC")]
    Ac,
    #[graphql(name = "IN")]
    In,
    #[graphql(name = "DE")]
    De,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "GenderGQLType")]
pub struct GenderGQLType {
    pub code: String,
    pub gender: Option<String>,
    pub alt_language: Option<String>,
    pub sort_order: Option<i32>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "RelationGQLType")]
pub struct RelationGQLType {
    pub id: i32,
    pub relation: String,
    pub sort_order: Option<i32>,
    pub alt_language: Option<String>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "ProfessionGQLType")]
pub struct ProfessionGQLType {
    pub id: i32,
    pub profession: String,
    pub sort_order: Option<i32>,
    pub alt_language: Option<String>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "EducationGQLType")]
pub struct EducationGQLType {
    pub id: i32,
    pub education: String,
    pub sort_order: Option<i32>,
    pub alt_language: Option<String>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "IdentificationTypeGQLType")]
pub struct IdentificationTypeGQLType {
    pub code: String,
    pub identification_type: String,
    pub alt_language: Option<String>,
    pub sort_order: Option<i32>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "FamilyTypeGQLType")]
pub struct FamilyTypeGQLType {
    pub code: String,
    #[graphql(name = "type")]
    pub family_type: String,
    pub sort_order: Option<i32>,
    pub alt_language: Option<String>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "ConfirmationTypeGQLType")]
pub struct ConfirmationTypeGQLType {
    pub code: String,
    pub confirmationtype: String,
    pub sort_order: Option<i32>,
    pub alt_language: Option<String>,
    pub is_confirmation_number_required: bool,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "ValidationMessageGQLType")]
pub struct ValidationMessageGQLType {
    pub is_valid: bool,
    pub error_code: i32,
    pub error_message: Option<String>,
}

#[derive(Clone)]
pub struct InsureeStatusReasonGQLType(pub status_reason::Model);

#[Object(name = "InsureeStatusReasonGQLType")]
impl InsureeStatusReasonGQLType {
    async fn id(&self) -> ID {
        global_id("InsureeStatusReasonGQLType", self.0.id)
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn insuree_status_reason(&self, ctx: &Context<'_>) -> String {
        if lang(ctx) == "fr" {
            self.0
                .name_fr
                .clone()
                .unwrap_or_else(|| self.0.name.clone())
        } else {
            self.0.name.clone()
        }
    }
    async fn status_type(&self) -> &str {
        &self.0.status_type
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.0.validity_from, tz(ctx))
    }
}

fn gender(code: &str, lang: &str) -> GenderGQLType {
    let (i, en, fr) = codes::GENDERS
        .iter()
        .enumerate()
        .find(|(_, (c, _, _))| *c == code)
        .map(|(i, (_, en, fr))| (i, *en, *fr))
        .unwrap_or((0, code, code));
    GenderGQLType {
        code: code.into(),
        gender: Some(if lang == "fr" { fr } else { en }.into()),
        alt_language: Some(fr.into()),
        sort_order: Some(i as i32 + 1),
    }
}

/// A photo: metadata from the database, image from the file store (only when selected).
#[derive(Clone)]
pub struct PhotoGQLType(pub photo::Model);

#[Object(name = "PhotoGQLType")]
impl PhotoGQLType {
    async fn id(&self) -> ID {
        global_id("PhotoGQLType", self.0.id)
    }
    async fn uuid(&self) -> String {
        self.0.uuid.to_string()
    }
    async fn chf_id(&self) -> Option<&str> {
        self.0.chf_id.as_deref()
    }
    async fn folder(&self) -> Option<&str> {
        self.0.folder.as_deref()
    }
    async fn filename(&self) -> Option<&str> {
        self.0.filename.as_deref()
    }
    /// The image, base64.
    async fn photo(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        service::photo_base64(state(ctx), &self.0).await.gql(ctx)
    }
    async fn officer_id(&self) -> Option<i64> {
        self.0.officer_id
    }
    async fn date(&self) -> Option<Date> {
        self.0.date.map(Date)
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.0.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.0.validity_to.map(|t| DateTime::from_utc(t, tz(ctx)))
    }
}

/// What a page of insurees or families loaded once for all its rows.
#[derive(Default)]
pub struct PageData {
    pub families: HashMap<i64, family::Model>,
    pub heads: HashMap<i64, insuree::Model>,
    pub locations: HashMap<i64, LocationGQLType>,
    pub photos: HashMap<i64, photo::Model>,
    pub facilities: HashMap<i64, HealthFacilityGQLType>,
}

/// Loads everything the insurees (and their families) of a page refer to.
pub async fn load_page_data(
    state: &AppState,
    insurees: &[&insuree::Model],
    families: &[&family::Model],
    with_facilities: bool,
) -> AppResult<PageData> {
    let conn = &state.db.conn;
    let mut data = PageData::default();
    let family_ids: Vec<i64> = insurees
        .iter()
        .filter_map(|i| i.family_id)
        .filter(|f| !families.iter().any(|x| x.id == *f))
        .collect();
    if !family_ids.is_empty() {
        for f in family::Entity::find()
            .filter(family::Column::Id.is_in(family_ids))
            .all(conn)
            .await?
        {
            data.families.insert(f.id, f);
        }
    }
    for f in families {
        data.families.insert(f.id, (*f).clone());
    }
    let head_ids: Vec<i64> = data
        .families
        .values()
        .map(|f| f.head_insuree_id)
        .filter(|h| !insurees.iter().any(|i| i.id == *h))
        .collect();
    if !head_ids.is_empty() {
        for h in insuree::Entity::find()
            .filter(insuree::Column::Id.is_in(head_ids))
            .all(conn)
            .await?
        {
            data.heads.insert(h.id, h);
        }
    }
    for i in insurees {
        data.heads.insert(i.id, (*i).clone());
    }
    // The family through which scope reaches a head that does not belong to the family it heads
    // (a historical version's head, a detached head).
    let head_family_ids: Vec<i64> = data
        .heads
        .values()
        .filter_map(|h| h.family_id)
        .filter(|f| !data.families.contains_key(f))
        .collect();
    if !head_family_ids.is_empty() {
        for f in family::Entity::find()
            .filter(family::Column::Id.is_in(head_family_ids))
            .all(conn)
            .await?
        {
            data.families.insert(f.id, f);
        }
    }
    let mut location_ids: Vec<i64> = data.families.values().map(|f| f.location_id).collect();
    location_ids.extend(data.heads.values().filter_map(|i| i.current_village_id));
    location_ids.sort_unstable();
    location_ids.dedup();
    data.locations = location_nodes(conn, &location_ids).await?;
    let photo_ids: Vec<i64> = data.heads.values().filter_map(|i| i.photo_id).collect();
    if !photo_ids.is_empty() {
        for p in photo::Entity::find()
            .filter(photo::Column::Id.is_in(photo_ids))
            .all(conn)
            .await?
        {
            data.photos.insert(p.id, p);
        }
    }
    if with_facilities {
        let mut hf_ids: Vec<i64> = data
            .heads
            .values()
            .filter_map(|i| i.health_facility_id)
            .collect();
        hf_ids.sort_unstable();
        hf_ids.dedup();
        if !hf_ids.is_empty() {
            use imis_core::entity::health_facility;
            let models = health_facility::Entity::find()
                .filter(health_facility::Column::Id.is_in(hf_ids))
                .all(conn)
                .await?;
            for n in health_facility_nodes(
                state,
                models.into_iter().map(|m| (m, None)).collect(),
                false,
                false,
            )
            .await?
            {
                data.facilities.insert(n.model.id, n);
            }
        }
    }
    Ok(data)
}

#[derive(Clone)]
pub struct InsureeGQLType {
    pub model: insuree::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PageData>,
}

#[Object(name = "InsureeGQLType")]
impl InsureeGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("InsureeGQLTypeHistory", h),
            None => global_id("InsureeGQLType", self.model.id),
        }
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn chf_id(&self) -> &str {
        &self.model.chf_id
    }
    async fn last_name(&self) -> &str {
        &self.model.last_name
    }
    async fn other_names(&self) -> &str {
        &self.model.other_names
    }
    async fn gender(&self, ctx: &Context<'_>) -> GenderGQLType {
        gender(&self.model.gender, &lang(ctx))
    }
    async fn dob(&self) -> Date {
        Date(self.model.dob)
    }
    /// Full years today (D11).
    async fn age(&self, ctx: &Context<'_>) -> i32 {
        imis_core::dates::age_on(self.model.dob, state(ctx).clock.today())
    }
    async fn head(&self) -> bool {
        self.model.head
    }
    async fn marital(&self) -> Option<&str> {
        self.model.marital.as_deref()
    }
    async fn passport(&self) -> Option<&str> {
        self.model.passport.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.model.phone.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.model.email.as_deref()
    }
    async fn current_address(&self) -> Option<&str> {
        self.model.current_address.as_deref()
    }
    async fn geolocation(&self) -> Option<&str> {
        self.model.geolocation.as_deref()
    }
    async fn current_village(&self) -> Option<&LocationGQLType> {
        self.model
            .current_village_id
            .and_then(|v| self.data.locations.get(&v))
    }
    async fn photo(&self) -> Option<PhotoGQLType> {
        self.model
            .photo_id
            .and_then(|p| self.data.photos.get(&p))
            .cloned()
            .map(PhotoGQLType)
    }
    async fn photo_date(&self) -> Option<Date> {
        self.model.photo_date.map(Date)
    }
    async fn card_issued(&self) -> bool {
        self.model.card_issued
    }
    async fn relationship(&self, ctx: &Context<'_>) -> Option<RelationGQLType> {
        let l = lang(ctx);
        self.model.relationship.and_then(|id| {
            codes::id_label(codes::RELATIONS, id, &l).map(|r| RelationGQLType {
                id,
                relation: r.into(),
                sort_order: Some(id),
                alt_language: codes::id_label(codes::RELATIONS, id, "fr").map(String::from),
            })
        })
    }
    async fn profession(&self, ctx: &Context<'_>) -> Option<ProfessionGQLType> {
        let l = lang(ctx);
        self.model.profession.and_then(|id| {
            codes::id_label(codes::PROFESSIONS, id, &l).map(|r| ProfessionGQLType {
                id,
                profession: r.into(),
                sort_order: Some(id),
                alt_language: codes::id_label(codes::PROFESSIONS, id, "fr").map(String::from),
            })
        })
    }
    async fn education(&self, ctx: &Context<'_>) -> Option<EducationGQLType> {
        let l = lang(ctx);
        self.model.education.and_then(|id| {
            codes::id_label(codes::EDUCATIONS, id, &l).map(|r| EducationGQLType {
                id,
                education: r.into(),
                sort_order: Some(id),
                alt_language: codes::id_label(codes::EDUCATIONS, id, "fr").map(String::from),
            })
        })
    }
    async fn type_of_id(&self, ctx: &Context<'_>) -> Option<IdentificationTypeGQLType> {
        let l = lang(ctx);
        self.model.type_of_id.as_deref().and_then(|c| {
            codes::label(codes::IDENTIFICATION_TYPES, c, &l).map(|t| IdentificationTypeGQLType {
                code: c.into(),
                identification_type: t.into(),
                alt_language: codes::label(codes::IDENTIFICATION_TYPES, c, "fr").map(String::from),
                sort_order: None,
            })
        })
    }
    async fn health_facility(&self) -> Option<&HealthFacilityGQLType> {
        self.model
            .health_facility_id
            .and_then(|h| self.data.facilities.get(&h))
    }
    async fn offline(&self) -> bool {
        self.model.offline
    }
    async fn status(&self) -> InsureeStatus {
        match self.model.status.as_str() {
            "IN" => InsureeStatus::In,
            "DE" => InsureeStatus::De,
            _ => InsureeStatus::Ac,
        }
    }
    async fn status_date(&self) -> Option<Date> {
        self.model.status_date.map(Date)
    }
    async fn status_reason(&self, ctx: &Context<'_>) -> Result<Option<InsureeStatusReasonGQLType>> {
        let Some(code) = &self.model.status_reason else {
            return Ok(None);
        };
        let r = status_reason::Entity::find()
            .filter(status_reason::Column::Code.eq(code.as_str()))
            .one(&state(ctx).db.conn)
            .await
            .map_err(AppError::from)
            .gql(ctx)?;
        Ok(r.map(InsureeStatusReasonGQLType))
    }
    /// The family, null when it lies outside the caller's locations (D9).
    async fn family(&self, ctx: &Context<'_>) -> Result<Option<FamilyGQLType>> {
        let Some(f) = self
            .model
            .family_id
            .and_then(|f| self.data.families.get(&f))
        else {
            return Ok(None);
        };
        if !nested_in_scope(ctx, Some(f.location_id)).await? {
            return Ok(None);
        }
        Ok(Some(FamilyGQLType {
            model: f.clone(),
            history_id: None,
            data: self.data.clone(),
        }))
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.model.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model
            .validity_to
            .map(|t| DateTime::from_utc(t, tz(ctx)))
    }
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.model.id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn json_ext(&self) -> Option<JsonString> {
        self.model
            .json_ext
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .map(JsonString)
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
}

#[derive(Clone)]
pub struct FamilyGQLType {
    pub model: family::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PageData>,
}

#[Object(name = "FamilyGQLType")]
impl FamilyGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("FamilyGQLTypeHistory", h),
            None => global_id("FamilyGQLType", self.model.id),
        }
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    /// The head, null when they live outside the caller's locations (D9: an insuree is reached
    /// through their current village, else their family's village, as in `insurees`).
    async fn head_insuree(&self, ctx: &Context<'_>) -> Result<Option<InsureeGQLType>> {
        let (model, data) = match self.data.heads.get(&self.model.head_insuree_id) {
            Some(h) => (h.clone(), self.data.clone()),
            None => {
                let st = state(ctx);
                let h = insuree::Entity::find_by_id(self.model.head_insuree_id)
                    .one(&st.db.conn)
                    .await
                    .map_err(AppError::from)
                    .gql(ctx)?
                    .ok_or_else(|| AppError::not_found("insuree").to_gql(&lang(ctx)))?;
                let data = load_page_data(st, &[&h], &[&self.model], false)
                    .await
                    .gql(ctx)?;
                (h, Arc::new(data))
            }
        };
        let family = model.family_id.and_then(|f| data.families.get(&f));
        if !nested_in_scope(ctx, service::insuree_location(&model, family)).await? {
            return Ok(None);
        }
        Ok(Some(InsureeGQLType {
            model,
            history_id: None,
            data,
        }))
    }
    async fn location(&self) -> Option<&LocationGQLType> {
        self.data.locations.get(&self.model.location_id)
    }
    async fn poverty(&self) -> Option<bool> {
        self.model.poverty
    }
    async fn family_type(&self, ctx: &Context<'_>) -> Option<FamilyTypeGQLType> {
        let l = lang(ctx);
        self.model.family_type.as_deref().and_then(|c| {
            codes::label(codes::FAMILY_TYPES, c, &l).map(|t| FamilyTypeGQLType {
                code: c.into(),
                family_type: t.into(),
                sort_order: None,
                alt_language: codes::label(codes::FAMILY_TYPES, c, "fr").map(String::from),
            })
        })
    }
    async fn address(&self) -> Option<&str> {
        self.model.address.as_deref()
    }
    async fn is_offline(&self) -> bool {
        self.model.is_offline
    }
    async fn ethnicity(&self) -> Option<&str> {
        self.model.ethnicity.as_deref()
    }
    async fn confirmation_no(&self) -> Option<&str> {
        self.model.confirmation_no.as_deref()
    }
    async fn confirmation_type(&self, ctx: &Context<'_>) -> Option<ConfirmationTypeGQLType> {
        let l = lang(ctx);
        let c = self.model.confirmation_type.as_deref()?;
        codes::CONFIRMATION_TYPES
            .iter()
            .find(|(code, ..)| *code == c)
            .map(|(code, en, fr, req)| ConfirmationTypeGQLType {
                code: code.to_string(),
                confirmationtype: if l == "fr" { fr } else { en }.to_string(),
                sort_order: None,
                alt_language: Some(fr.to_string()),
                is_confirmation_number_required: *req,
            })
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        DateTime::from_utc(self.model.validity_from, tz(ctx))
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model
            .validity_to
            .map(|t| DateTime::from_utc(t, tz(ctx)))
    }
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.model.id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn json_ext(&self) -> Option<JsonString> {
        self.model
            .json_ext
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .map(JsonString)
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
}

use imis_core::text::ids_sql;

/// D9 on insurees: the current village, else the family's village, within the allowed set.
async fn scope_insurees(
    st: &AppState,
    p: &Principal,
    q: Select<insuree::Entity>,
) -> AppResult<Select<insuree::Entity>> {
    let Some(allowed) = p.scope.allowed_locations(&st.db.conn).await? else {
        return Ok(q);
    };
    let a = ids_sql(allowed.iter().copied());
    Ok(q.filter(Expr::cust(format!(
        "(insuree_insuree.current_village_id IN ({a}) OR (insuree_insuree.current_village_id IS NULL AND insuree_insuree.family_id IN (SELECT id FROM insuree_family WHERE validity_to IS NULL AND location_id IN ({a}))))"
    ))))
}

async fn scope_families(
    st: &AppState,
    p: &Principal,
    q: Select<family::Entity>,
) -> AppResult<Select<family::Entity>> {
    let Some(allowed) = p.scope.allowed_locations(&st.db.conn).await? else {
        return Ok(q);
    };
    Ok(q.filter(family::Column::LocationId.is_in(allowed.iter().copied().collect::<Vec<_>>())))
}

/// `parentLocation` (uuid) restricts to the villages below that location.
async fn villages_below(st: &AppState, parent: &str) -> AppResult<Vec<i64>> {
    let uuid = parse_uuid(parent, "parentLocation")?;
    let conn = &st.db.conn;
    let row = sea_orm::ConnectionTrait::query_one_raw(
        conn,
        imis_core::db::stmt(
            st.db.backend(),
            "SELECT id FROM core_location WHERE uuid = ?",
            vec![uuid.into()],
        ),
    )
    .await?;
    let Some(row) = row else { return Ok(vec![]) };
    let root: i64 = row.try_get("", "id")?;
    imis_core::location::service::subtree_ids(conn, root).await
}

/// A folded-name filter (D19): prefix searches are index-served ranges, substring searches scan
/// within the other restrictions.
fn folded_like(col: insuree::Column, value: &str, prefix: bool) -> Condition {
    let v = imis_core::text::fold(value);
    if prefix {
        imis_core::text::starts_with(col, &v)
    } else {
        Condition::all().add(col.contains(v))
    }
}

const INSUREE_SORT: [(&str, insuree::Column); 5] = [
    ("chfId", insuree::Column::ChfId),
    ("lastName", insuree::Column::LastNameSearch),
    ("otherNames", insuree::Column::OtherNamesSearch),
    ("dob", insuree::Column::Dob),
    ("validityFrom", insuree::Column::Id),
];

fn wants_facility(ctx: &Context<'_>) -> bool {
    let la = ctx.look_ahead();
    la.field("edges")
        .field("node")
        .field("healthFacility")
        .exists()
        || la.field("healthFacility").exists()
}

#[derive(Default)]
pub struct InsureeQuery;

#[Object]
impl InsureeQuery {
    /// Insurees (101101) within the caller's locations (D9). An exact `chfId` with
    /// `ignoreLocation: true` is the facility-desk look-up: 101105, 111001 or 111002, any location.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn insurees(
        &self,
        ctx: &Context<'_>,
        show_history: Option<bool>,
        parent_location: Option<String>,
        ignore_location: Option<bool>,
        uuid: Option<String>,
        chf_id: Option<String>,
        #[graphql(name = "chfId_Istartswith")] chf_id_istartswith: Option<String>,
        last_name: Option<String>,
        #[graphql(name = "lastName_Istartswith")] last_name_istartswith: Option<String>,
        #[graphql(name = "lastName_Icontains")] last_name_icontains: Option<String>,
        other_names: Option<String>,
        #[graphql(name = "otherNames_Istartswith")] other_names_istartswith: Option<String>,
        #[graphql(name = "otherNames_Icontains")] other_names_icontains: Option<String>,
        #[graphql(name = "gender_Code")] gender_code: Option<String>,
        dob: Option<Date>,
        #[graphql(name = "dob_Gte")] dob_gte: Option<Date>,
        #[graphql(name = "dob_Lte")] dob_lte: Option<Date>,
        head: Option<bool>,
        status: Option<String>,
        marital: Option<String>,
        #[graphql(name = "phone_Icontains")] phone_icontains: Option<String>,
        #[graphql(name = "email_Icontains")] email_icontains: Option<String>,
        #[graphql(name = "family_Isnull")] family_isnull: Option<bool>,
        #[graphql(name = "photo_Isnull")] photo_isnull: Option<bool>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<InsureeConnection> {
        let desk = ignore_location.unwrap_or(false) && chf_id.is_some();
        // Without orderBy, follow the index of the name filter so that a page stops early.
        let default_order: &[&str] = if last_name.is_some() || last_name_istartswith.is_some() {
            &["lastName"]
        } else if other_names.is_some() || other_names_istartswith.is_some() {
            &["otherNames"]
        } else {
            &["chfId"]
        };
        let rights: &[i32] = if desk {
            &[service::RIGHT_INSUREE_SEARCH, 101105, 111001, 111002]
        } else {
            &[service::RIGHT_INSUREE_SEARCH]
        };
        let p = require_user(principal(ctx), Requirement::AnyOf(rights)).gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = insuree::Entity::find().filter(insuree::Column::ValidityTo.is_null());
        if let Some(v) = uuid {
            q = q.filter(insuree::Column::Uuid.eq(parse_uuid(&v, "uuid").gql(ctx)?));
        }
        if let Some(v) = chf_id {
            q = q.filter(insuree::Column::ChfId.eq(v.trim()));
        }
        if let Some(v) = chf_id_istartswith {
            q = q.filter(imis_core::text::starts_with(
                insuree::Column::ChfId,
                v.trim(),
            ));
        }
        if let Some(v) = last_name {
            q = q.filter(insuree::Column::LastNameSearch.eq(imis_core::text::fold(&v)));
        }
        if let Some(v) = last_name_istartswith {
            q = q.filter(folded_like(insuree::Column::LastNameSearch, &v, true));
        }
        if let Some(v) = last_name_icontains {
            q = q.filter(folded_like(insuree::Column::LastNameSearch, &v, false));
        }
        if let Some(v) = other_names {
            q = q.filter(insuree::Column::OtherNamesSearch.eq(imis_core::text::fold(&v)));
        }
        if let Some(v) = other_names_istartswith {
            q = q.filter(folded_like(insuree::Column::OtherNamesSearch, &v, true));
        }
        if let Some(v) = other_names_icontains {
            q = q.filter(folded_like(insuree::Column::OtherNamesSearch, &v, false));
        }
        if let Some(v) = gender_code {
            q = q.filter(insuree::Column::Gender.eq(v));
        }
        if let Some(v) = dob {
            q = q.filter(insuree::Column::Dob.eq(v.0));
        }
        if let Some(v) = dob_gte {
            q = q.filter(insuree::Column::Dob.gte(v.0));
        }
        if let Some(v) = dob_lte {
            q = q.filter(insuree::Column::Dob.lte(v.0));
        }
        if let Some(v) = head {
            q = q.filter(insuree::Column::Head.eq(v));
        }
        if let Some(v) = status {
            q = q.filter(insuree::Column::Status.eq(v));
        }
        if let Some(v) = marital {
            q = q.filter(insuree::Column::Marital.eq(v));
        }
        if let Some(v) = phone_icontains {
            q = q.filter(insuree::Column::Phone.contains(v));
        }
        if let Some(v) = email_icontains {
            q = q.filter(insuree::Column::Email.contains(v));
        }
        match family_isnull {
            Some(true) => q = q.filter(insuree::Column::FamilyId.is_null()),
            Some(false) => q = q.filter(insuree::Column::FamilyId.is_not_null()),
            None => {}
        }
        match photo_isnull {
            Some(true) => q = q.filter(insuree::Column::PhotoId.is_null()),
            Some(false) => q = q.filter(insuree::Column::PhotoId.is_not_null()),
            None => {}
        }
        if let Some(parent) = parent_location {
            let villages = villages_below(st, &parent).await.gql(ctx)?;
            let v = ids_sql(villages);
            q = q.filter(Expr::cust(format!(
                "(insuree_insuree.current_village_id IN ({v}) OR (insuree_insuree.current_village_id IS NULL AND insuree_insuree.family_id IN (SELECT id FROM insuree_family WHERE validity_to IS NULL AND location_id IN ({v}))))"
            )));
        }
        // D9: the desk look-up by exact number is not location-restricted.
        if !desk {
            q = scope_insurees(st, p, q).await.gql(ctx)?;
        }
        let args = PageArgs {
            first,
            last,
            after,
            before,
            offset,
            order_by,
        };
        let page = fetch_page(
            &st.db.conn,
            q,
            &args,
            &INSUREE_SORT,
            insuree::Column::Id,
            default_order,
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        let page = page
            .with_versions(&st.db.conn, "insuree", show_history.unwrap_or(false))
            .await
            .gql(ctx)?;
        let models: Vec<&insuree::Model> = page.rows.iter().map(|(_, (m, _))| m).collect();
        let data = Arc::new(
            load_page_data(st, &models, &[], wants_facility(ctx))
                .await
                .gql(ctx)?,
        );
        Ok(page.into_connection(|(model, history_id)| InsureeGQLType {
            model,
            history_id,
            data: data.clone(),
        }))
    }

    /// Families (101001) within the caller's locations (D9).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn families(
        &self,
        ctx: &Context<'_>,
        show_history: Option<bool>,
        parent_location: Option<String>,
        uuid: Option<String>,
        poverty: Option<bool>,
        family_type: Option<ID>,
        confirmation_type: Option<ID>,
        #[graphql(name = "confirmationNo_Istartswith")] confirmation_no_istartswith: Option<String>,
        #[graphql(name = "location_Uuid")] location_uuid: Option<String>,
        #[graphql(name = "headInsuree_ChfId")] head_chf_id: Option<String>,
        #[graphql(name = "headInsuree_LastName_Icontains")] head_last_name_icontains: Option<
            String,
        >,
        #[graphql(name = "headInsuree_LastName_Istartswith")] head_last_name_istartswith: Option<
            String,
        >,
        #[graphql(name = "members_ChfId")] members_chf_id: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Result<FamilyConnection> {
        let p = require_user(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_FAMILY_SEARCH]),
        )
        .gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q = family::Entity::find().filter(family::Column::ValidityTo.is_null());
        if let Some(v) = uuid {
            q = q.filter(family::Column::Uuid.eq(parse_uuid(&v, "uuid").gql(ctx)?));
        }
        if let Some(v) = poverty {
            q = q.filter(family::Column::Poverty.eq(v));
        }
        if let Some(v) = family_type {
            q = q.filter(family::Column::FamilyType.eq(v.0));
        }
        if let Some(v) = confirmation_type {
            q = q.filter(family::Column::ConfirmationType.eq(v.0));
        }
        if let Some(v) = confirmation_no_istartswith {
            q = q.filter(family::Column::ConfirmationNo.starts_with(v));
        }
        if let Some(v) = location_uuid {
            let villages = villages_below(st, &v).await.gql(ctx)?;
            q = q.filter(family::Column::LocationId.is_in(villages));
        }
        if let Some(v) = parent_location {
            let villages = villages_below(st, &v).await.gql(ctx)?;
            q = q.filter(family::Column::LocationId.is_in(villages));
        }
        let mut head = Condition::all();
        let mut head_filtered = false;
        if let Some(v) = head_chf_id {
            head = head.add(insuree::Column::ChfId.eq(v.trim()));
            head_filtered = true;
        }
        if let Some(v) = head_last_name_icontains {
            head = head.add(folded_like(insuree::Column::LastNameSearch, &v, false));
            head_filtered = true;
        }
        if let Some(v) = head_last_name_istartswith {
            head = head.add(folded_like(insuree::Column::LastNameSearch, &v, true));
            head_filtered = true;
        }
        if head_filtered {
            let ids: Vec<i64> = insuree::Entity::find()
                .filter(insuree::Column::ValidityTo.is_null())
                .filter(insuree::Column::Head.eq(true))
                .filter(head)
                .all(&st.db.conn)
                .await
                .map_err(AppError::from)
                .gql(ctx)?
                .into_iter()
                .map(|i| i.id)
                .collect();
            q = q.filter(family::Column::HeadInsureeId.is_in(ids));
        }
        if let Some(v) = members_chf_id {
            q = q.filter(Expr::cust_with_values(
                "insuree_family.id IN (SELECT family_id FROM insuree_insuree WHERE chf_id = ? AND validity_to IS NULL)".replace('?', if st.db.is_sqlite() { "?" } else { "$1" }),
                [v.trim().to_string()],
            ));
        }
        q = scope_families(st, p, q).await.gql(ctx)?;
        let args = PageArgs {
            first,
            last,
            after,
            before,
            offset,
            order_by,
        };
        let page = fetch_page(
            &st.db.conn,
            q,
            &args,
            &[("id", family::Column::Id)],
            family::Column::Id,
            &["id"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        let page = page
            .with_versions(&st.db.conn, "family", show_history.unwrap_or(false))
            .await
            .gql(ctx)?;
        let fams: Vec<&family::Model> = page.rows.iter().map(|(_, (m, _))| m).collect();
        let data = Arc::new(load_page_data(st, &[], &fams, false).await.gql(ctx)?);
        Ok(page.into_connection(|(model, history_id)| FamilyGQLType {
            model,
            history_id,
            data: data.clone(),
        }))
    }

    /// The members of a family, head first, then by date of birth.
    #[graphql(visible = "visible")]
    async fn family_members(
        &self,
        ctx: &Context<'_>,
        family_uuid: String,
    ) -> Result<InsureeConnection> {
        let p = require_user(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_FAMILY_SEARCH, service::RIGHT_INSUREE_SEARCH]),
        )
        .gql(ctx)?;
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let fam = service::find_family(
            &st.db.conn,
            parse_uuid(&family_uuid, "familyUuid").gql(ctx)?,
        )
        .await
        .gql(ctx)?;
        service::check_family_scope(&st.db.conn, p, &fam)
            .await
            .gql(ctx)?;
        // D9: a member living in a village outside the caller's locations is left out, as in
        // `insurees` (one allowed set for the whole family).
        let allowed = p.scope.allowed_locations(&st.db.conn).await.gql(ctx)?;
        let members: Vec<insuree::Model> = service::members_of(&st.db.conn, fam.id)
            .await
            .gql(ctx)?
            .into_iter()
            .filter(|m| match &allowed {
                None => true,
                Some(a) => service::insuree_location(m, Some(&fam)).is_some_and(|l| a.contains(&l)),
            })
            .collect();
        let refs: Vec<&insuree::Model> = members.iter().collect();
        let data = Arc::new(
            load_page_data(st, &refs, &[&fam], wants_facility(ctx))
                .await
                .gql(ctx)?,
        );
        let page = imis_core::graphql::connection::Page {
            total: Some(members.len() as i64),
            rows: members
                .into_iter()
                .enumerate()
                .map(|(i, m)| (i.to_string(), m))
                .collect(),
            has_next: false,
            has_previous: false,
        };
        Ok(page.into_connection(|model| InsureeGQLType {
            model,
            history_id: None,
            data: data.clone(),
        }))
    }

    /// D18: `{isValid errorCode errorMessage}`; `uuid` excludes that insuree from the taken check.
    #[graphql(visible = "visible")]
    async fn insuree_number_validity(
        &self,
        ctx: &Context<'_>,
        insuree_number: String,
        uuid: Option<String>,
    ) -> Result<ValidationMessageGQLType> {
        require_user(
            principal(ctx),
            Requirement::AnyOf(&[
                service::RIGHT_INSUREE_SEARCH,
                service::RIGHT_INSUREE_ADD,
                service::RIGHT_INSUREE_EDIT,
            ]),
        )
        .gql(ctx)?;
        let st = state(ctx);
        let except = uuid.map(|u| parse_uuid(&u, "uuid")).transpose().gql(ctx)?;
        let v =
            service::number_validity(&st.db.conn, &service::config(st), &insuree_number, except)
                .await
                .gql(ctx)?;
        let message = (v.code != 0).then(|| {
            AppError::validation(crate::number::error_code_name(v.code))
                .with("chfId", &insuree_number)
                .message(&lang(ctx))
        });
        Ok(ValidationMessageGQLType {
            is_valid: v.code == 0,
            error_code: v.code,
            error_message: message,
        })
    }

    /// The name of the insuree with this number, for the facility desk (D9: any location).
    #[graphql(visible = "visible")]
    async fn insuree_name_by_chfid(
        &self,
        ctx: &Context<'_>,
        chf_id: String,
    ) -> Result<Option<String>> {
        require_user(
            principal(ctx),
            Requirement::AnyOf(service::RIGHTS_DESK_LOOKUP),
        )
        .gql(ctx)?;
        let i = insuree::Entity::find()
            .filter(insuree::Column::ChfId.eq(chf_id.trim()))
            .filter(insuree::Column::ValidityTo.is_null())
            .one(&state(ctx).db.conn)
            .await
            .map_err(AppError::from)
            .gql(ctx)?;
        Ok(i.map(|i| format!("{} {}", i.other_names, i.last_name)))
    }

    #[graphql(visible = "visible")]
    async fn insuree_genders(&self, ctx: &Context<'_>) -> Result<Vec<GenderGQLType>> {
        require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let l = lang(ctx);
        Ok(codes::GENDERS
            .iter()
            .map(|(c, _, _)| gender(c, &l))
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn relations(&self, ctx: &Context<'_>) -> Result<Vec<RelationGQLType>> {
        require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let l = lang(ctx);
        Ok(codes::RELATIONS
            .iter()
            .map(|(id, en, fr)| RelationGQLType {
                id: *id,
                relation: if l == "fr" { fr } else { en }.to_string(),
                sort_order: Some(*id),
                alt_language: Some(fr.to_string()),
            })
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn professions(&self, ctx: &Context<'_>) -> Result<Vec<ProfessionGQLType>> {
        require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let l = lang(ctx);
        Ok(codes::PROFESSIONS
            .iter()
            .map(|(id, en, fr)| ProfessionGQLType {
                id: *id,
                profession: if l == "fr" { fr } else { en }.to_string(),
                sort_order: Some(*id),
                alt_language: Some(fr.to_string()),
            })
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn educations(&self, ctx: &Context<'_>) -> Result<Vec<EducationGQLType>> {
        require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let l = lang(ctx);
        Ok(codes::EDUCATIONS
            .iter()
            .map(|(id, en, fr)| EducationGQLType {
                id: *id,
                education: if l == "fr" { fr } else { en }.to_string(),
                sort_order: Some(*id),
                alt_language: Some(fr.to_string()),
            })
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn identification_types(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<IdentificationTypeGQLType>> {
        require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let l = lang(ctx);
        Ok(codes::IDENTIFICATION_TYPES
            .iter()
            .enumerate()
            .map(|(i, (c, en, fr))| IdentificationTypeGQLType {
                code: c.to_string(),
                identification_type: if l == "fr" { fr } else { en }.to_string(),
                alt_language: Some(fr.to_string()),
                sort_order: Some(i as i32 + 1),
            })
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn family_types(&self, ctx: &Context<'_>) -> Result<Vec<FamilyTypeGQLType>> {
        require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let l = lang(ctx);
        Ok(codes::FAMILY_TYPES
            .iter()
            .enumerate()
            .map(|(i, (c, en, fr))| FamilyTypeGQLType {
                code: c.to_string(),
                family_type: if l == "fr" { fr } else { en }.to_string(),
                sort_order: Some(i as i32 + 1),
                alt_language: Some(fr.to_string()),
            })
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn confirmation_types(&self, ctx: &Context<'_>) -> Result<Vec<ConfirmationTypeGQLType>> {
        require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let l = lang(ctx);
        Ok(codes::CONFIRMATION_TYPES
            .iter()
            .enumerate()
            .map(|(i, (c, en, fr, req))| ConfirmationTypeGQLType {
                code: c.to_string(),
                confirmationtype: if l == "fr" { fr } else { en }.to_string(),
                sort_order: Some(i as i32 + 1),
                alt_language: Some(fr.to_string()),
                is_confirmation_number_required: *req,
            })
            .collect())
    }

    /// Status reasons (for IN and DE statuses).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn insuree_status_reasons(
        &self,
        ctx: &Context<'_>,
        status_type: Option<String>,
        code: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
    ) -> Result<StatusReasonConnection> {
        let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        // A list query: cookie logins must echo their session's CSRF token like every other.
        p.check_csrf().gql(ctx)?;
        let st = state(ctx);
        let mut q =
            status_reason::Entity::find().filter(status_reason::Column::ValidityTo.is_null());
        if let Some(v) = status_type {
            q = q.filter(status_reason::Column::StatusType.eq(v));
        }
        if let Some(v) = code {
            q = q.filter(status_reason::Column::Code.eq(v));
        }
        let args = PageArgs {
            first,
            last,
            after,
            before,
            offset,
            order_by: None,
        };
        let page = fetch_page(
            &st.db.conn,
            q,
            &args,
            &[("code", status_reason::Column::Code)],
            status_reason::Column::Id,
            &["code"],
            wants_total(ctx),
            &st.config.graphql,
        )
        .await
        .gql(ctx)?;
        Ok(page.into_connection(InsureeStatusReasonGQLType))
    }
}

/// openIMIS `PhotoInputType`.
#[derive(InputObject, Clone, Debug, serde::Serialize)]
#[graphql(name = "PhotoInputType")]
pub struct PhotoInputType {
    pub id: Option<i64>,
    pub uuid: Option<String>,
    pub date: Option<Date>,
    pub officer_id: Option<i64>,
    #[serde(skip)]
    pub photo: Option<String>,
    pub filename: Option<String>,
    pub folder: Option<String>,
}

/// The insuree fields (openIMIS `InsureeBase`); the head of `createFamily` uses them as is.
#[derive(InputObject, Clone, Debug, serde::Serialize)]
#[graphql(name = "FamilyHeadInsureeInputType")]
pub struct InsureeFields {
    pub id: Option<i64>,
    pub uuid: Option<String>,
    pub chf_id: Option<String>,
    pub last_name: String,
    pub other_names: String,
    pub gender_id: String,
    pub dob: Date,
    pub head: Option<bool>,
    pub marital: Option<String>,
    pub passport: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub current_address: Option<String>,
    pub geolocation: Option<String>,
    pub current_village_id: Option<i64>,
    pub photo_id: Option<i64>,
    pub photo_date: Option<Date>,
    pub photo: Option<PhotoInputType>,
    pub card_issued: Option<bool>,
    pub family_id: Option<i64>,
    pub relationship_id: Option<i32>,
    pub profession_id: Option<i32>,
    pub education_id: Option<i32>,
    pub type_of_id_id: Option<String>,
    pub health_facility_id: Option<i64>,
    pub offline: Option<bool>,
    pub json_ext: Option<JsonString>,
    pub status: Option<String>,
    pub status_reason: Option<String>,
    pub status_date: Option<Date>,
}

impl InsureeFields {
    fn to_service(&self) -> AppResult<InsureeInput> {
        Ok(InsureeInput {
            uuid: self
                .uuid
                .as_deref()
                .filter(|u| !u.is_empty())
                .map(|u| parse_uuid(u, "uuid"))
                .transpose()?,
            chf_id: self.chf_id.clone().unwrap_or_default(),
            last_name: self.last_name.clone(),
            other_names: self.other_names.clone(),
            gender: self.gender_id.clone(),
            dob: Some(self.dob.0),
            marital: self.marital.clone().filter(|v| !v.is_empty()),
            passport: self.passport.clone().filter(|v| !v.is_empty()),
            phone: self.phone.clone().filter(|v| !v.is_empty()),
            email: self.email.clone().filter(|v| !v.is_empty()),
            current_address: self.current_address.clone().filter(|v| !v.is_empty()),
            geolocation: self.geolocation.clone().filter(|v| !v.is_empty()),
            current_village_id: self.current_village_id,
            photo: self.photo.as_ref().map(|p| PhotoInput {
                base64: p.photo.clone(),
                date: p.date.map(|d| d.0),
                officer_id: p.officer_id,
            }),
            card_issued: self.card_issued.unwrap_or(false),
            family_id: self.family_id,
            relationship: self.relationship_id,
            profession: self.profession_id,
            education: self.education_id,
            type_of_id: self.type_of_id_id.clone().filter(|v| !v.is_empty()),
            health_facility_id: self.health_facility_id,
            offline: self.offline.unwrap_or(false),
            json_ext: self.json_ext.as_ref().map(|j| j.0.to_string()),
            status: self.status.clone().filter(|v| !v.is_empty()),
            status_reason: self.status_reason.clone().filter(|v| !v.is_empty()),
            status_date: self.status_date.map(|d| d.0),
        })
    }
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "CreateInsureeMutationInput")]
pub struct CreateInsureeMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    #[graphql(flatten)]
    pub fields: InsureeFields,
    pub add_on_existing_policy: Option<bool>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "UpdateInsureeMutationInput")]
pub struct UpdateInsureeMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    #[graphql(flatten)]
    pub fields: InsureeFields,
    pub add_on_existing_policy: Option<bool>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "CreateFamilyMutationInput")]
pub struct CreateFamilyMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub id: Option<i64>,
    pub uuid: Option<String>,
    pub location_id: Option<i64>,
    pub poverty: Option<bool>,
    pub family_type_id: Option<String>,
    pub address: Option<String>,
    pub is_offline: Option<bool>,
    pub ethnicity: Option<String>,
    pub confirmation_no: Option<String>,
    pub confirmation_type_id: Option<String>,
    pub json_ext: Option<JsonString>,
    pub contribution: Option<JsonString>,
    pub head_insuree: Option<InsureeFields>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "UpdateFamilyMutationInput")]
pub struct UpdateFamilyMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub id: Option<i64>,
    pub uuid: Option<String>,
    pub location_id: Option<i64>,
    pub poverty: Option<bool>,
    pub family_type_id: Option<String>,
    pub address: Option<String>,
    pub is_offline: Option<bool>,
    pub ethnicity: Option<String>,
    pub confirmation_no: Option<String>,
    pub confirmation_type_id: Option<String>,
    pub json_ext: Option<JsonString>,
    pub contribution: Option<JsonString>,
    pub head_insuree: Option<InsureeFields>,
}

fn family_input(
    uuid: &Option<String>,
    location_id: Option<i64>,
    poverty: Option<bool>,
    family_type: &Option<String>,
    address: &Option<String>,
    is_offline: Option<bool>,
    ethnicity: &Option<String>,
    confirmation: (&Option<String>, &Option<String>),
    json_ext: &Option<JsonString>,
    head: &Option<InsureeFields>,
) -> AppResult<FamilyInput> {
    Ok(FamilyInput {
        uuid: uuid
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(|u| parse_uuid(u, "uuid"))
            .transpose()?,
        location_id: location_id.ok_or_else(|| AppError::invalid("locationId", "required"))?,
        poverty,
        family_type: family_type.clone().filter(|v| !v.is_empty()),
        address: address.clone().filter(|v| !v.is_empty()),
        is_offline: is_offline.unwrap_or(false),
        ethnicity: ethnicity.clone().filter(|v| !v.is_empty()),
        confirmation_no: confirmation.0.clone().filter(|v| !v.is_empty()),
        confirmation_type: confirmation.1.clone().filter(|v| !v.is_empty()),
        json_ext: json_ext.as_ref().map(|j| j.0.to_string()),
        head: head.as_ref().map(|h| h.to_service()).transpose()?,
    })
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "DeleteFamiliesMutationInput")]
pub struct DeleteFamiliesMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuids: Option<Vec<String>>,
    #[graphql(default = false)]
    pub delete_members: bool,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "DeleteInsureesMutationInput")]
pub struct DeleteInsureesMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub uuids: Option<Vec<String>>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "RemoveInsureesMutationInput")]
pub struct RemoveInsureesMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub uuids: Option<Vec<String>>,
    #[graphql(default = false)]
    pub cancel_policies: bool,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "SetFamilyHeadMutationInput")]
pub struct SetFamilyHeadMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub insuree_uuid: Option<String>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "ChangeInsureeFamilyMutationInput")]
pub struct ChangeInsureeFamilyMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub family_uuid: Option<String>,
    pub insuree_uuid: Option<String>,
    #[graphql(default = false)]
    pub cancel_policies: bool,
}

mutation_payload!(CreateFamilyMutationPayload);
mutation_payload!(UpdateFamilyMutationPayload);
mutation_payload!(DeleteFamiliesMutationPayload);
mutation_payload!(CreateInsureeMutationPayload);
mutation_payload!(UpdateInsureeMutationPayload);
mutation_payload!(DeleteInsureesMutationPayload);
mutation_payload!(RemoveInsureesMutationPayload);
mutation_payload!(SetFamilyHeadMutationPayload);
mutation_payload!(ChangeInsureeFamilyMutationPayload);

fn uuid_list(list: &Option<Vec<String>>) -> AppResult<Vec<uuid::Uuid>> {
    list.iter()
        .flatten()
        .map(|u| parse_uuid(u, "uuids"))
        .collect()
}

fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<uuid::Uuid>> {
    v.as_deref()
        .filter(|u| !u.is_empty())
        .map(|u| parse_uuid(u, field))
        .transpose()
}

fn required(v: Option<uuid::Uuid>, field: &str) -> AppResult<uuid::Uuid> {
    v.ok_or_else(|| AppError::invalid(field, "required"))
}

#[derive(Default)]
pub struct InsureeMutation;

#[Object]
impl InsureeMutation {
    /// A family with its head (101002).
    #[graphql(visible = "visible")]
    async fn create_family(
        &self,
        ctx: &Context<'_>,
        input: CreateFamilyMutationInput,
    ) -> Result<CreateFamilyMutationPayload> {
        let data = family_input(
            &input.uuid,
            input.location_id,
            input.poverty,
            &input.family_type_id,
            &input.address,
            input.is_offline,
            &input.ethnicity,
            (&input.confirmation_no, &input.confirmation_type_id),
            &input.json_ext,
            &input.head_insuree,
        );
        let out = run_mutation(ctx, "createFamily", &input.envelope, &input, async |m| {
            // Rights before input errors (the rights matrix relies on it).
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_FAMILY_ADD]),
            )?;
            service::create_family(m, data?).await.map(|f| f.id)
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    #[graphql(visible = "visible")]
    async fn update_family(
        &self,
        ctx: &Context<'_>,
        input: UpdateFamilyMutationInput,
    ) -> Result<UpdateFamilyMutationPayload> {
        let data = family_input(
            &input.uuid,
            input.location_id,
            input.poverty,
            &input.family_type_id,
            &input.address,
            input.is_offline,
            &input.ethnicity,
            (&input.confirmation_no, &input.confirmation_type_id),
            &input.json_ext,
            &input.head_insuree,
        );
        let out = run_mutation(ctx, "updateFamily", &input.envelope, &input, async |m| {
            // Rights before input errors (the rights matrix relies on it).
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_FAMILY_EDIT]),
            )?;
            let data = data?;
            let uuid = data.uuid;
            service::update_family(m, uuid, data).await.map(|f| f.id)
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    #[graphql(visible = "visible")]
    async fn delete_families(
        &self,
        ctx: &Context<'_>,
        input: DeleteFamiliesMutationInput,
    ) -> Result<DeleteFamiliesMutationPayload> {
        let out = run_mutation(ctx, "deleteFamilies", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_FAMILY_DELETE]),
            )?;
            service::delete_families(m, &uuid_list(&input.uuids)?, input.delete_members).await
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    /// A member (101102); `addOnExistingPolicy: false` keeps them off the family's policies.
    #[graphql(visible = "visible")]
    async fn create_insuree(
        &self,
        ctx: &Context<'_>,
        input: CreateInsureeMutationInput,
    ) -> Result<CreateInsureeMutationPayload> {
        let out = run_mutation(ctx, "createInsuree", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_INSUREE_ADD]),
            )?;
            let data = input.fields.to_service()?;
            service::create_insuree(m, data, input.add_on_existing_policy.unwrap_or(true))
                .await
                .map(|i| i.id)
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    /// Complete update of an insuree (101103, D8).
    #[graphql(visible = "visible")]
    async fn update_insuree(
        &self,
        ctx: &Context<'_>,
        input: UpdateInsureeMutationInput,
    ) -> Result<UpdateInsureeMutationPayload> {
        let out = run_mutation(ctx, "updateInsuree", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_INSUREE_EDIT]),
            )?;
            let data = input.fields.to_service()?;
            let uuid = data.uuid;
            service::update_insuree(m, uuid, data).await.map(|i| i.id)
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    #[graphql(visible = "visible")]
    async fn delete_insurees(
        &self,
        ctx: &Context<'_>,
        input: DeleteInsureesMutationInput,
    ) -> Result<DeleteInsureesMutationPayload> {
        let out = run_mutation(ctx, "deleteInsurees", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_INSUREE_DELETE]),
            )?;
            let mut ids = uuid_list(&input.uuids)?;
            ids.extend(opt_uuid(&input.uuid, "uuid")?);
            service::delete_insurees(m, &ids).await
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    #[graphql(visible = "visible")]
    async fn remove_insurees(
        &self,
        ctx: &Context<'_>,
        input: RemoveInsureesMutationInput,
    ) -> Result<RemoveInsureesMutationPayload> {
        let out = run_mutation(ctx, "removeInsurees", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_INSUREE_DELETE]),
            )?;
            service::remove_insurees(
                m,
                opt_uuid(&input.uuid, "uuid")?,
                &uuid_list(&input.uuids)?,
                input.cancel_policies,
            )
            .await
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    #[graphql(visible = "visible")]
    async fn set_family_head(
        &self,
        ctx: &Context<'_>,
        input: SetFamilyHeadMutationInput,
    ) -> Result<SetFamilyHeadMutationPayload> {
        let out = run_mutation(ctx, "setFamilyHead", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_FAMILY_EDIT]),
            )?;
            service::set_family_head(
                m,
                required(opt_uuid(&input.uuid, "uuid")?, "uuid")?,
                required(opt_uuid(&input.insuree_uuid, "insureeUuid")?, "insureeUuid")?,
            )
            .await
            .map(|f| f.id)
        })
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    #[graphql(visible = "visible")]
    async fn change_insuree_family(
        &self,
        ctx: &Context<'_>,
        input: ChangeInsureeFamilyMutationInput,
    ) -> Result<ChangeInsureeFamilyMutationPayload> {
        let out = run_mutation(
            ctx,
            "changeInsureeFamily",
            &input.envelope,
            &input,
            async |m| {
                require_user(
                    m.principal,
                    Requirement::AnyOf(&[service::RIGHT_FAMILY_EDIT]),
                )?;
                require_user(
                    m.principal,
                    Requirement::AnyOf(&[service::RIGHT_INSUREE_EDIT]),
                )?;
                service::change_insuree_family(
                    m,
                    required(opt_uuid(&input.family_uuid, "familyUuid")?, "familyUuid")?,
                    required(opt_uuid(&input.insuree_uuid, "insureeUuid")?, "insureeUuid")?,
                    input.cancel_policies,
                )
                .await
                .map(|i| i.id)
            },
        )
        .await
        .gql(ctx)?;
        Ok(out.into())
    }
}

/// The global-id type names this module resolves for the gateway's `node(id:)`.
pub const NODE_TYPES: &[&str] = &[
    "InsureeGQLType",
    "InsureeGQLTypeHistory",
    "FamilyGQLType",
    "FamilyGQLTypeHistory",
];

pub enum InsureeNode {
    Insuree(InsureeGQLType),
    Family(FamilyGQLType),
}

/// An insuree or family by global id (current or historical version), with the lists' rights
/// and location scope (D9): None when absent or out of reach.
pub async fn resolve_node(
    ctx: &Context<'_>,
    type_name: &str,
    key: &str,
) -> Result<Option<InsureeNode>> {
    let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    let st = state(ctx);
    let conn = &st.db.conn;
    let pk: i64 = key
        .parse()
        .map_err(|_| AppError::validation("input.invalid_id").with("id", key))
        .gql(ctx)?;
    let history = type_name.ends_with("History");
    if type_name.starts_with("Insuree") {
        if !p.has_right(service::RIGHT_INSUREE_SEARCH) {
            return Ok(None);
        }
        let model = if history {
            imis_core::history::version_by_history_id::<insuree::Model>(conn, "insuree", pk)
                .await
                .gql(ctx)?
        } else {
            insuree::Entity::find_by_id(pk)
                .filter(insuree::Column::ValidityTo.is_null())
                .one(conn)
                .await
                .map_err(AppError::from)
                .gql(ctx)?
        };
        let Some(model) = model else { return Ok(None) };
        let current = insuree::Entity::find_by_id(model.id)
            .one(conn)
            .await
            .map_err(AppError::from)
            .gql(ctx)?;
        match current {
            Some(c) if service::check_insuree_scope(conn, p, &c).await.is_ok() => {}
            _ => return Ok(None),
        }
        let data = load_page_data(st, &[&model], &[], true).await.gql(ctx)?;
        return Ok(Some(InsureeNode::Insuree(InsureeGQLType {
            model,
            history_id: history.then_some(pk),
            data: Arc::new(data),
        })));
    }
    if !p.has_right(service::RIGHT_FAMILY_SEARCH) {
        return Ok(None);
    }
    let model = if history {
        imis_core::history::version_by_history_id::<family::Model>(conn, "family", pk)
            .await
            .gql(ctx)?
    } else {
        family::Entity::find_by_id(pk)
            .filter(family::Column::ValidityTo.is_null())
            .one(conn)
            .await
            .map_err(AppError::from)
            .gql(ctx)?
    };
    let Some(model) = model else { return Ok(None) };
    let current = family::Entity::find_by_id(model.id)
        .one(conn)
        .await
        .map_err(AppError::from)
        .gql(ctx)?;
    match current {
        Some(c) if service::check_family_scope(conn, p, &c).await.is_ok() => {}
        _ => return Ok(None),
    }
    let data = load_page_data(st, &[], &[&model], false).await.gql(ctx)?;
    Ok(Some(InsureeNode::Family(FamilyGQLType {
        model,
        history_id: history.then_some(pk),
        data: Arc::new(data),
    })))
}
