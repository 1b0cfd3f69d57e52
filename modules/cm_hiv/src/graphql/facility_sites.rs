//! `hivFacilitySites` and `setFacilitySiteCode`.

use super::types::HivFacilitySiteGQLType;
use super::*;
use crate::entity::facility_site;
use crate::service::{self as svc, SiteFilter};
use async_graphql::{ID, InputObject, Object};
use imis_core::graphql::connection::{fetch_page, wants_total};
use imis_core::graphql::{MutationEnvelopeInput, parse_pk, run_mutation};

imis_core::connection_type!(
    HivFacilitySiteConnection,
    HivFacilitySiteConnName,
    HivFacilitySiteEdgeName,
    HivFacilitySiteGQLType,
    "HivFacilitySiteGQLType"
);

const SITE_SORT: [(&str, facility_site::Column); 1] =
    [("siteCode", facility_site::Column::SiteCode)];

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
        check_list(ctx)?;
        let run = async {
            let st = state(ctx);
            let p = svc::require_register(principal(ctx))?;
            let filter = SiteFilter {
                id: id
                    .as_deref()
                    .map(|i| parse_pk(i, "HivFacilitySiteGQLType"))
                    .transpose()?,
                uuid: opt_uuid(&uuid, "uuid")?,
                site_code,
                site_code_istartswith,
                health_facility_uuid: opt_uuid(&health_facility_uuid, "healthFacilityUuid")?,
            };
            let select = svc::sites_select(st, Some(p), &filter).await?;
            let page = fetch_page(
                &st.db.conn,
                select,
                &page_args(first, last, after, before, offset, order_by),
                &SITE_SORT,
                facility_site::Column::Id,
                &["siteCode"],
                wants_total(ctx),
                &st.config.graphql,
            )
            .await?;
            let (cursors, models): (Vec<String>, Vec<facility_site::Model>) =
                page.rows.into_iter().unzip();
            let nodes = HivFacilitySiteGQLType::page(st, p, models).await?;
            let page = imis_core::graphql::connection::Page {
                rows: cursors.into_iter().zip(nodes).collect(),
                has_next: page.has_next,
                has_previous: page.has_previous,
                total: page.total,
            };
            Ok::<_, imis_core::AppError>(page.into_connection(|n| n))
        };
        run.await.gql(ctx)
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
        run_mutation(
            ctx,
            "setFacilitySiteCode",
            &input.envelope,
            &input,
            async |m| {
                svc::require_register(m.principal)?;
                let facility = parse_uuid(&input.health_facility_uuid, "healthFacilityUuid")?;
                let model = svc::set_facility_site_code(m, facility, &input.site_code).await?;
                m.link(svc::ENTITY_FACILITY_SITE, model.id);
                Ok(model.id)
            },
        )
        .await
        .map(Into::into)
        .gql(ctx)
    }
}
