//! `diagnoses`, `diagnosesStr`, `validateDiagnosisCode`, `createDiagnosis`, `updateDiagnosis`,
//! `deleteDiagnosis` (the mutations are ours, D8: right 131001).

use super::types::DiagnosisGQLType;
use super::*;
use crate::entity::diagnosis;
use crate::service::{self as svc, DiagnosisFilter, DiagnosisInput};
use async_graphql::{ID, InputObject, Object};

use imis_core::graphql::{MutationEnvelopeInput, parse_pk, state};
use imis_core::kit::{Sorting, list_caller, mutate, page_of};

imis_core::connection_type!(
    DiagnosisConnection,
    DiagnosisConnName,
    DiagnosisEdgeName,
    DiagnosisGQLType,
    "DiagnosisGQLType"
);

const DIAGNOSIS_SORT: [(&str, diagnosis::Column); 2] = [
    ("code", diagnosis::Column::Code),
    ("name", diagnosis::Column::NameSearch),
];

async fn diagnosis_page(
    ctx: &Context<'_>,
    filter: DiagnosisFilter,
    args: PageArgs,
    show_history: bool,
) -> AppResult<DiagnosisConnection> {
    let st = state(ctx);
    let select = svc::diagnoses_select(principal(ctx), &filter).await?;
    let page = page_of(
        ctx,
        select,
        &args,
        Sorting {
            columns: &DIAGNOSIS_SORT,
            id: diagnosis::Column::Id,
            default_order: &["code"],
        },
    )
    .await?
    .with_versions(&st.db.conn, svc::ENTITY_DIAGNOSIS, show_history)
    .await?;
    Ok(page.into_connection(|(model, history_id)| DiagnosisGQLType { model, history_id }))
}

#[derive(Default)]
pub struct DiagnosisQuery;

#[Object]
impl DiagnosisQuery {
    /// ICD codes (any logged-in user). `showHistory`, `uuid` and `orderBy` are ours.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn diagnoses(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        uuid: Option<String>,
        code: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        #[graphql(name = "code_Istartswith")] code_istartswith: Option<String>,
        name: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        #[graphql(name = "name_Istartswith")] name_istartswith: Option<String>,
        show_history: Option<bool>,
        order_by: Option<Vec<String>>,
    ) -> async_graphql::Result<DiagnosisConnection> {
        list_caller(ctx, &[]).gql(ctx)?;
        let run = async {
            let filter = DiagnosisFilter {
                id: id
                    .as_deref()
                    .map(|i| parse_pk(i, "DiagnosisGQLType"))
                    .transpose()?,
                uuid: opt_uuid(&uuid, "uuid")?,
                code,
                code_icontains,
                code_istartswith,
                name,
                name_icontains,
                name_istartswith,
                str: None,
            };
            diagnosis_page(
                ctx,
                filter,
                PageArgs::new(first, last, after, before, offset, order_by),
                show_history.unwrap_or(false),
            )
            .await
        };
        run.await.gql(ctx)
    }

    /// ICD codes whose code or name contains `str`.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn diagnoses_str(
        &self,
        ctx: &Context<'_>,
        str: Option<String>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        code: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        #[graphql(name = "code_Istartswith")] code_istartswith: Option<String>,
        name: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        #[graphql(name = "name_Istartswith")] name_istartswith: Option<String>,
        order_by: Option<Vec<String>>,
    ) -> async_graphql::Result<DiagnosisConnection> {
        list_caller(ctx, &[]).gql(ctx)?;
        let run = async {
            let filter = DiagnosisFilter {
                id: id
                    .as_deref()
                    .map(|i| parse_pk(i, "DiagnosisGQLType"))
                    .transpose()?,
                uuid: None,
                code,
                code_icontains,
                code_istartswith,
                name,
                name_icontains,
                name_istartswith,
                str,
            };
            diagnosis_page(
                ctx,
                filter,
                PageArgs::new(first, last, after, before, offset, order_by),
                false,
            )
            .await
        };
        run.await.gql(ctx)
    }

    /// True when no current diagnosis has this code (ours).
    #[graphql(visible = "visible")]
    async fn validate_diagnosis_code(
        &self,
        ctx: &Context<'_>,
        diagnosis_code: String,
    ) -> async_graphql::Result<bool> {
        svc::validate_diagnosis_code(state(ctx), principal(ctx), &diagnosis_code)
            .await
            .gql(ctx)
    }
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "CreateDiagnosisMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct CreateDiagnosisMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub code: String,
    pub name: String,
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "UpdateDiagnosisMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct UpdateDiagnosisMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub id: Option<i32>,
    pub uuid: Option<String>,
    pub code: String,
    pub name: String,
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "DeleteDiagnosisMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct DeleteDiagnosisMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub uuids: Option<Vec<Option<String>>>,
}

imis_core::mutation_payload!(CreateDiagnosisMutationPayload);
imis_core::mutation_payload!(UpdateDiagnosisMutationPayload);
imis_core::mutation_payload!(DeleteDiagnosisMutationPayload);

#[derive(Default)]
pub struct DiagnosisMutation;

#[Object]
impl DiagnosisMutation {
    /// Creates an ICD code (131001).
    #[graphql(visible = "visible")]
    async fn create_diagnosis(
        &self,
        ctx: &Context<'_>,
        input: CreateDiagnosisMutationInput,
    ) -> async_graphql::Result<CreateDiagnosisMutationPayload> {
        mutate(
            ctx,
            "createDiagnosis",
            &input.envelope,
            &input,
            &[svc::RIGHT_DIAGNOSIS_WRITE],
            async |m| {
                let i = DiagnosisInput {
                    uuid: opt_uuid(&input.uuid, "uuid")?,
                    id: None,
                    code: input.code.clone(),
                    name: input.name.clone(),
                };
                let model = svc::create_diagnosis(m, i).await?;
                m.link(svc::ENTITY_DIAGNOSIS, model.id);
                Ok(model.id)
            },
        )
        .await
    }

    /// Changes an ICD code (131001); the previous version goes to history.
    #[graphql(visible = "visible")]
    async fn update_diagnosis(
        &self,
        ctx: &Context<'_>,
        input: UpdateDiagnosisMutationInput,
    ) -> async_graphql::Result<UpdateDiagnosisMutationPayload> {
        mutate(
            ctx,
            "updateDiagnosis",
            &input.envelope,
            &input,
            &[svc::RIGHT_DIAGNOSIS_WRITE],
            async |m| {
                let i = DiagnosisInput {
                    uuid: opt_uuid(&input.uuid, "uuid")?,
                    id: input.id.map(i64::from),
                    code: input.code.clone(),
                    name: input.name.clone(),
                };
                let model = svc::update_diagnosis(m, i).await?;
                m.link(svc::ENTITY_DIAGNOSIS, model.id);
                Ok(model.id)
            },
        )
        .await
    }

    /// Deletes ICD codes (131001).
    #[graphql(visible = "visible")]
    async fn delete_diagnosis(
        &self,
        ctx: &Context<'_>,
        input: DeleteDiagnosisMutationInput,
    ) -> async_graphql::Result<DeleteDiagnosisMutationPayload> {
        mutate(
            ctx,
            "deleteDiagnosis",
            &input.envelope,
            &input,
            &[svc::RIGHT_DIAGNOSIS_WRITE],
            async |m| {
                let uuids = uuid_list(&input.uuids, "uuids")?;
                let ids = svc::delete_diagnoses(m, &uuids).await?;
                for id in &ids {
                    m.link(svc::ENTITY_DIAGNOSIS, *id);
                }
                Ok(ids)
            },
        )
        .await
    }
}
