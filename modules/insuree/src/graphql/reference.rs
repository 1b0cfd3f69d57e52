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

#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
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
