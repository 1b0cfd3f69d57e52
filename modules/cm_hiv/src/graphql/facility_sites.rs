//! `hivFacilitySites` and `setFacilitySiteCode`.

use super::types::HivFacilitySiteGQLType;
use super::*;
use crate::entity::facility_site;
use crate::service as svc;
use async_graphql::{ID, InputObject, Object};
use imis_core::graphql::MutationEnvelopeInput;

imis_core::connection_type!(
    HivFacilitySiteConnection,
    HivFacilitySiteConnName,
    HivFacilitySiteEdgeName,
    HivFacilitySiteGQLType,
    "HivFacilitySiteGQLType"
);

const SORTING: Sorting<facility_site::Entity> = Sorting {
    columns: &[("siteCode", facility_site::Column::SiteCode)],
    id: facility_site::Column::Id,
    default_order: &["siteCode"],
};

#[derive(Default)]
pub struct FacilitySiteQuery;

#[Object]
impl FacilitySiteQuery {
    /// The programme's treatment sites (right 190001) of the health facilities in the caller's
    /// locations.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn hiv_facility_sites(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        uuid: Option<String>,
        site_code: Option<String>,
        #[graphql(name = "siteCode_Istartswith")] site_code_istartswith: Option<String>,
        health_facility_uuid: Option<String>,
        order_by: Option<Vec<String>>,
    ) -> async_graphql::Result<HivFacilitySiteConnection> {
        let run = async {
            let p = list_caller(ctx)?;
            let st = state(ctx);
            let filter = list_filter(
                types::FACILITY_SITE_TYPE,
                id,
                uuid,
                site_code,
                site_code_istartswith,
                health_facility_uuid,
            )?;
            let select = svc::sites_select(st, Some(p), &filter).await?;
            let args = PageArgs::new(first, last, after, before, offset, order_by);
            node_page(ctx, select, &args, SORTING, async |models| {
                HivFacilitySiteGQLType::page(st, p, models).await
            })
            .await
        };
        Ok(run.await.gql(ctx)?.into_connection(|n| n))
    }
}

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "SetFacilitySiteCodeMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct SetFacilitySiteCodeMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub health_facility_uuid: String,
    pub site_code: String,
}

imis_core::mutation_payload!(SetFacilitySiteCodeMutationPayload);

#[derive(Default)]
pub struct FacilitySiteMutation;

#[Object]
impl FacilitySiteMutation {
    /// Gives a health facility its treatment-site code, or changes it (190001).
    #[graphql(visible = "visible")]
    async fn set_facility_site_code(
        &self,
        ctx: &Context<'_>,
        input: SetFacilitySiteCodeMutationInput,
    ) -> async_graphql::Result<SetFacilitySiteCodeMutationPayload> {
        let name = "setFacilitySiteCode";
        kit::mutate(ctx, name, &input.envelope, &input, REGISTER, async |m| {
            let facility = parse_uuid(&input.health_facility_uuid, "healthFacilityUuid")?;
            let model = svc::set_facility_site_code(m, facility, &input.site_code).await?;
            m.link(svc::ENTITY_FACILITY_SITE, model.id);
            Ok(model.id)
        })
        .await
    }
}
