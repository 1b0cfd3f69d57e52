//! The GraphQL object types of insurees, families and photos, and what a page of them loads
//! once for all its rows.

use super::*;

/// A photo: metadata from the database, image from the file store (only when selected).
#[derive(Clone)]
pub struct PhotoGQLType(pub photo::Model);

#[Object(name = "PhotoGQLType")]
impl PhotoGQLType {
    async fn id(&self) -> ID {
        node_id("PhotoGQLType", self.0.id, None)
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
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.0.validity_from, self.0.validity_to)
    }
}

/// What a page of insurees or families loaded once for all its rows.
#[derive(Default)]
pub(crate) struct PageData {
    pub families: HashMap<i64, family::Model>,
    pub heads: HashMap<i64, insuree::Model>,
    pub locations: HashMap<i64, LocationGQLType>,
    pub photos: HashMap<i64, photo::Model>,
    pub facilities: HashMap<i64, HealthFacilityGQLType>,
    /// The policies covering the page's insurees, read through the core port on the first
    /// `insureePolicies` asked, for the whole page.
    pub policies: tokio::sync::OnceCell<HashMap<i64, Vec<InsureeCoverage>>>,
}

connection_type!(
    InsureeCoverageConnection,
    InsureeCoverageConnectionName,
    InsureeCoverageEdgeName,
    InsureeCoverage,
    "InsureeCoverageGQLType"
);

/// The rows of `E` whose ids are `ids`, by id (no query when there are none).
async fn rows_by_id<E>(
    conn: &impl sea_orm::ConnectionTrait,
    ids: Vec<i64>,
) -> AppResult<HashMap<i64, E::Model>>
where
    E: EntityTrait,
    E::Model: imis_core::history::Versioned,
{
    use imis_core::history::Versioned;
    use sea_orm::{Iterable, PrimaryKeyToColumn};
    let Some(pk) = E::PrimaryKey::iter().next() else {
        return Ok(HashMap::new());
    };
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = E::find()
        .filter(pk.into_column().is_in(ids))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|m| (m.id(), m)).collect())
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
    data.families = rows_by_id::<family::Entity>(conn, family_ids).await?;
    for f in families {
        data.families.insert(f.id, (*f).clone());
    }
    let head_ids: Vec<i64> = data
        .families
        .values()
        .map(|f| f.head_insuree_id)
        .filter(|h| !insurees.iter().any(|i| i.id == *h))
        .collect();
    data.heads = rows_by_id::<insuree::Entity>(conn, head_ids).await?;
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
    let head_families = rows_by_id::<family::Entity>(conn, head_family_ids).await?;
    data.families.extend(head_families);
    let mut location_ids: Vec<i64> = data.families.values().map(|f| f.location_id).collect();
    location_ids.extend(data.heads.values().filter_map(|i| i.current_village_id));
    location_ids.sort_unstable();
    location_ids.dedup();
    data.locations = location_nodes(conn, &location_ids).await?;
    let photo_ids: Vec<i64> = data.heads.values().filter_map(|i| i.photo_id).collect();
    data.photos = rows_by_id::<photo::Entity>(conn, photo_ids).await?;
    if with_facilities {
        let mut hf_ids: Vec<i64> = data
            .heads
            .values()
            .filter_map(|i| i.health_facility_id)
            .collect();
        hf_ids.sort_unstable();
        hf_ids.dedup();
        if !hf_ids.is_empty() {
            data.facilities =
                imis_core::registers::health_facility_nodes_by_ids(state, &hf_ids).await?;
        }
    }
    Ok(data)
}

#[derive(Clone)]
pub struct InsureeGQLType {
    pub(crate) model: insuree::Model,
    pub(crate) history_id: Option<i64>,
    pub(crate) data: Arc<PageData>,
}

#[Object(name = "InsureeGQLType")]
impl InsureeGQLType {
    pub async fn id(&self) -> ID {
        node_id("InsureeGQLType", self.model.id, self.history_id)
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
        let code = codes::RELATIONS
            .iter()
            .find(|c| Some(c.0) == self.model.relationship)?;
        Some(RelationGQLType::of(code, &lang(ctx)))
    }
    async fn profession(&self, ctx: &Context<'_>) -> Option<ProfessionGQLType> {
        let code = codes::PROFESSIONS
            .iter()
            .find(|c| Some(c.0) == self.model.profession)?;
        Some(ProfessionGQLType::of(code, &lang(ctx)))
    }
    async fn education(&self, ctx: &Context<'_>) -> Option<EducationGQLType> {
        let code = codes::EDUCATIONS
            .iter()
            .find(|c| Some(c.0) == self.model.education)?;
        Some(EducationGQLType::of(code, &lang(ctx)))
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
    /// The policies covering the insuree (its current coverage rows with their policies), most
    /// recent enrolment first, paged in memory (an insuree has few): empty for a caller without
    /// a policy right (101201, 101202, 101205) or when the policy module is disabled. The
    /// insuree itself is in the caller's scope.
    #[allow(clippy::too_many_arguments)]
    async fn insuree_policies(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<InsureeCoverageConnection> {
        let st = state(ctx);
        let all = self
            .data
            .policies
            .get_or_try_init(|| async {
                let Some(port) = &st.ports.insuree_policies else {
                    return Ok(HashMap::new());
                };
                // The page's insurees and their families' heads, which the page may show too.
                let ids: Vec<i64> = self.data.heads.keys().copied().collect();
                port.for_insurees(st, principal(ctx), &ids).await
            })
            .await
            .gql(ctx)?;
        let rows = all.get(&self.model.id).cloned().unwrap_or_default();
        let args = PageArgs::new(first, last, after, before, offset, None);
        let page = imis_core::graphql::connection::page_in_memory(rows, &args, &st.config.graphql)
            .gql(ctx)?;
        Ok(page.into_connection(|r| r))
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
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, self.history_id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn json_ext(&self) -> Option<JsonString> {
        json_ext(self.model.json_ext.as_deref())
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
}

#[derive(Clone)]
pub struct FamilyGQLType {
    pub(crate) model: family::Model,
    pub(crate) history_id: Option<i64>,
    pub(crate) data: Arc<PageData>,
}

#[Object(name = "FamilyGQLType")]
impl FamilyGQLType {
    pub async fn id(&self) -> ID {
        node_id("FamilyGQLType", self.model.id, self.history_id)
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
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, self.history_id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn json_ext(&self) -> Option<JsonString> {
        json_ext(self.model.json_ext.as_deref())
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
}

/// `jsonExt` as stored: a JSON text, null when absent or unreadable.
fn json_ext(stored: Option<&str>) -> Option<JsonString> {
    stored
        .and_then(|s| serde_json::from_str(s).ok())
        .map(JsonString)
}
