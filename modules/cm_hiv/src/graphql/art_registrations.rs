//! `artRegistrations`, `registerArtNumber`, `changeArtNumber`, `deleteArtRegistration`.

use super::types::ArtRegistrationGQLType;
use super::*;
use crate::entity::art_registration;
use crate::service::{self as svc, RegistrationFilter};
use async_graphql::{ID, InputObject, Object};
use imis_core::graphql::MutationEnvelopeInput;

imis_core::connection_type!(
    ArtRegistrationConnection,
    ArtRegistrationConnName,
    ArtRegistrationEdgeName,
    ArtRegistrationGQLType,
    "ArtRegistrationGQLType"
);

const SORTING: Sorting<art_registration::Entity> = Sorting {
    columns: &[
        ("artNumber", art_registration::Column::ArtNumber),
        ("validityFrom", art_registration::Column::ValidityFrom),
    ],
    id: art_registration::Column::Id,
    default_order: &["artNumber"],
};

#[derive(Default)]
pub struct ArtRegistrationQuery;

#[Object]
impl ArtRegistrationQuery {
    /// Current ART registrations (right 190001) at the treatment sites in the caller's
    /// locations; `artNumber_Istartswith` searches the register number.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn art_registrations(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        uuid: Option<String>,
        art_number: Option<String>,
        #[graphql(name = "artNumber_Istartswith")] art_number_istartswith: Option<String>,
        insuree_uuid: Option<String>,
        health_facility_uuid: Option<String>,
        order_by: Option<Vec<String>>,
    ) -> async_graphql::Result<ArtRegistrationConnection> {
        let run = async {
            let p = list_caller(ctx)?;
            let st = state(ctx);
            let filter = RegistrationFilter {
                list: list_filter(
                    types::ART_REGISTRATION_TYPE,
                    id,
                    uuid,
                    art_number,
                    art_number_istartswith,
                    health_facility_uuid,
                )?,
                insuree_uuid: opt_uuid(&insuree_uuid, "insureeUuid")?,
            };
            let select = svc::registrations_select(st, Some(p), &filter).await?;
            let args = PageArgs::new(first, last, after, before, offset, order_by);
            node_page(ctx, select, &args, SORTING, async |models| {
                ArtRegistrationGQLType::page(st, p, models).await
            })
            .await
        };
        Ok(run.await.gql(ctx)?.into_connection(|n| n))
    }
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "RegisterArtNumberMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct RegisterArtNumberMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    /// The registration's uuid (D4: a retry with the same uuid returns the same registration).
    pub uuid: Option<String>,
    pub insuree_uuid: String,
    pub art_number: String,
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "ChangeArtNumberMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct ChangeArtNumberMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    /// The registration's uuid.
    pub uuid: String,
    pub art_number: String,
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "DeleteArtRegistrationMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct DeleteArtRegistrationMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub uuids: Vec<String>,
}

imis_core::mutation_payload!(RegisterArtNumberMutationPayload);
imis_core::mutation_payload!(ChangeArtNumberMutationPayload);
imis_core::mutation_payload!(DeleteArtRegistrationMutationPayload);

#[derive(Default)]
pub struct ArtRegistrationMutation;

#[Object]
impl ArtRegistrationMutation {
    /// Gives an insuree their ART register number (190001 and the insuree search right).
    #[graphql(visible = "visible")]
    async fn register_art_number(
        &self,
        ctx: &Context<'_>,
        input: RegisterArtNumberMutationInput,
    ) -> async_graphql::Result<RegisterArtNumberMutationPayload> {
        let name = "registerArtNumber";
        kit::mutate(ctx, name, &input.envelope, &input, REGISTER, async |m| {
            let uuid = opt_uuid(&input.uuid, "uuid")?;
            let insuree = parse_uuid(&input.insuree_uuid, "insureeUuid")?;
            let model = svc::register_art_number(m, uuid, insuree, &input.art_number).await?;
            m.link(svc::ENTITY_ART_REGISTRATION, model.id);
            Ok(model.id)
        })
        .await
    }

    /// Corrects an ART number (190001); the previous version goes to history.
    #[graphql(visible = "visible")]
    async fn change_art_number(
        &self,
        ctx: &Context<'_>,
        input: ChangeArtNumberMutationInput,
    ) -> async_graphql::Result<ChangeArtNumberMutationPayload> {
        let name = "changeArtNumber";
        kit::mutate(ctx, name, &input.envelope, &input, REGISTER, async |m| {
            let uuid = parse_uuid(&input.uuid, "uuid")?;
            let model = svc::change_art_number(m, uuid, &input.art_number).await?;
            m.link(svc::ENTITY_ART_REGISTRATION, model.id);
            Ok(model.id)
        })
        .await
    }

    /// Ends ART registrations (190001); their numbers become free.
    #[graphql(visible = "visible")]
    async fn delete_art_registration(
        &self,
        ctx: &Context<'_>,
        input: DeleteArtRegistrationMutationInput,
    ) -> async_graphql::Result<DeleteArtRegistrationMutationPayload> {
        let name = "deleteArtRegistration";
        kit::mutate(ctx, name, &input.envelope, &input, REGISTER, async |m| {
            let uuids = input
                .uuids
                .iter()
                .map(|u| parse_uuid(u, "uuids"))
                .collect::<AppResult<Vec<_>>>()?;
            let ids = svc::delete_art_registrations(m, &uuids).await?;
            for id in &ids {
                m.link(svc::ENTITY_ART_REGISTRATION, *id);
            }
            Ok(ids)
        })
        .await
    }
}
