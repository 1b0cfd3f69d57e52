//! `diagnoses`, `diagnosesStr`, `validateDiagnosisCode`, `createDiagnosis`, `updateDiagnosis`,
//! `deleteDiagnosis` (the mutations are ours, D8: right 131001).

use super::types::DiagnosisGQLType;
use super::*;
use crate::entity::diagnosis;
use crate::service::{self as svc, CodeNameFilter, DiagnosisInput};
use async_graphql::{ID, InputObject, Object};

use imis_core::graphql::{MutationEnvelopeInput, parse_pk, state};
use imis_core::kit::{list_caller, mutate};

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
    filter: CodeNameFilter,
    args: PageArgs,
    show_history: bool,
) -> AppResult<DiagnosisConnection> {
    let select = svc::diagnoses_select(principal(ctx), &filter)?;
    let sorting = (&DIAGNOSIS_SORT[..], diagnosis::Column::Id);
    let page = versioned_page(
        ctx,
        select,
        &args,
        sorting,
        svc::ENTITY_DIAGNOSIS,
        show_history,
    )
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
            let filter = CodeNameFilter {
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
                ..Default::default()
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
            let filter = CodeNameFilter {
                id: id
                    .as_deref()
                    .map(|i| parse_pk(i, "DiagnosisGQLType"))
                    .transpose()?,
                code,
                code_icontains,
                code_istartswith,
                name,
                name_icontains,
                name_istartswith,
                str,
                ..Default::default()
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

delete_input!(DeleteDiagnosisMutationInput, String);

/// The service input of `createDiagnosis` / `updateDiagnosis`.
fn diagnosis_input(
    id: Option<i32>,
    uuid: &Option<String>,
    code: &str,
    name: &str,
) -> AppResult<DiagnosisInput> {
    Ok(DiagnosisInput {
        uuid: opt_uuid(uuid, "uuid")?,
        id: id.map(i64::from),
        code: code.to_string(),
        name: name.to_string(),
    })
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
                let i = diagnosis_input(None, &input.uuid, &input.code, &input.name)?;
                let model = svc::create_diagnosis(m, i).await?;
                Ok(linked(m, svc::ENTITY_DIAGNOSIS, model.id))
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
                let i = diagnosis_input(input.id, &input.uuid, &input.code, &input.name)?;
                let model = svc::update_diagnosis(m, i).await?;
                Ok(linked(m, svc::ENTITY_DIAGNOSIS, model.id))
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
                Ok(linked_all(m, svc::ENTITY_DIAGNOSIS, ids))
            },
        )
        .await
    }
}
