//! Reference lists: genders, relations, professions, educations, identification types, family
//! and confirmation types, status reasons (openIMIS `insuree` reference queries).

use super::*;

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
        node_id("InsureeStatusReasonGQLType", self.0.id, None)
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
        date_time(ctx, self.0.validity_from)
    }
}

pub(crate) fn gender(code: &str, lang: &str) -> GenderGQLType {
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

/// The prologue of a reference list: any logged-in caller; answers the request's language.
fn reference_caller(ctx: &Context<'_>) -> Result<String> {
    caller(ctx, &[]).gql(ctx)?;
    Ok(lang(ctx))
}

/// A code's label in the request's language (French or English).
fn in_lang(lang: &str, en: &str, fr: &str) -> String {
    if lang == "fr" { fr } else { en }.to_string()
}

impl RelationGQLType {
    /// An entry of its code list, labelled in `lang`.
    pub(crate) fn of(&(id, en, fr): &codes::IdCode, lang: &str) -> Self {
        Self {
            id,
            relation: in_lang(lang, en, fr),
            sort_order: Some(id),
            alt_language: Some(fr.to_string()),
        }
    }
}

impl ProfessionGQLType {
    /// An entry of its code list, labelled in `lang`.
    pub(crate) fn of(&(id, en, fr): &codes::IdCode, lang: &str) -> Self {
        Self {
            id,
            profession: in_lang(lang, en, fr),
            sort_order: Some(id),
            alt_language: Some(fr.to_string()),
        }
    }
}

impl EducationGQLType {
    /// An entry of its code list, labelled in `lang`.
    pub(crate) fn of(&(id, en, fr): &codes::IdCode, lang: &str) -> Self {
        Self {
            id,
            education: in_lang(lang, en, fr),
            sort_order: Some(id),
            alt_language: Some(fr.to_string()),
        }
    }
}

#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    #[graphql(visible = "visible")]
    async fn insuree_genders(&self, ctx: &Context<'_>) -> Result<Vec<GenderGQLType>> {
        let l = reference_caller(ctx)?;
        Ok(codes::GENDERS
            .iter()
            .map(|(c, _, _)| gender(c, &l))
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn relations(&self, ctx: &Context<'_>) -> Result<Vec<RelationGQLType>> {
        let l = reference_caller(ctx)?;
        Ok(codes::RELATIONS
            .iter()
            .map(|c| RelationGQLType::of(c, &l))
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn professions(&self, ctx: &Context<'_>) -> Result<Vec<ProfessionGQLType>> {
        let l = reference_caller(ctx)?;
        Ok(codes::PROFESSIONS
            .iter()
            .map(|c| ProfessionGQLType::of(c, &l))
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn educations(&self, ctx: &Context<'_>) -> Result<Vec<EducationGQLType>> {
        let l = reference_caller(ctx)?;
        Ok(codes::EDUCATIONS
            .iter()
            .map(|c| EducationGQLType::of(c, &l))
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn identification_types(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<IdentificationTypeGQLType>> {
        let l = reference_caller(ctx)?;
        Ok(codes::IDENTIFICATION_TYPES
            .iter()
            .enumerate()
            .map(|(i, (c, en, fr))| IdentificationTypeGQLType {
                code: c.to_string(),
                identification_type: in_lang(&l, en, fr),
                alt_language: Some(fr.to_string()),
                sort_order: Some(i as i32 + 1),
            })
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn family_types(&self, ctx: &Context<'_>) -> Result<Vec<FamilyTypeGQLType>> {
        let l = reference_caller(ctx)?;
        Ok(codes::FAMILY_TYPES
            .iter()
            .enumerate()
            .map(|(i, (c, en, fr))| FamilyTypeGQLType {
                code: c.to_string(),
                family_type: in_lang(&l, en, fr),
                sort_order: Some(i as i32 + 1),
                alt_language: Some(fr.to_string()),
            })
            .collect())
    }

    #[graphql(visible = "visible")]
    async fn confirmation_types(&self, ctx: &Context<'_>) -> Result<Vec<ConfirmationTypeGQLType>> {
        let l = reference_caller(ctx)?;
        Ok(codes::CONFIRMATION_TYPES
            .iter()
            .enumerate()
            .map(|(i, (c, en, fr, req))| ConfirmationTypeGQLType {
                code: c.to_string(),
                confirmationtype: in_lang(&l, en, fr),
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
        // A list query: cookie logins must echo their session's CSRF token like every other.
        list_caller(ctx, &[]).gql(ctx)?;
        let mut q = status_reason::Entity::find().current();
        if let Some(v) = status_type {
            q = q.filter(status_reason::Column::StatusType.eq(v));
        }
        if let Some(v) = code {
            q = q.filter(status_reason::Column::Code.eq(v));
        }
        let args = PageArgs::new(first, last, after, before, offset, None);
        let sorting = Sorting {
            columns: &[("code", status_reason::Column::Code)],
            id: status_reason::Column::Id,
            default_order: &["code"],
        };
        let page = page_of(ctx, q, &args, sorting).await.gql(ctx)?;
        Ok(page.into_connection(InsureeStatusReasonGQLType))
    }
}
