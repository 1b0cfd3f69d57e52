//! Insuree queries (`insurees`, number validity, name by number) and mutations
//! (`createInsuree`, `updateInsuree`, `deleteInsurees`, `removeInsurees`).

use super::*;

#[derive(Default)]
pub struct InsureeListQuery;

#[Object]
impl InsureeListQuery {
    /// Insurees (101101) within the caller's locations (D9). An exact `chfId` with
    /// `ignoreLocation: true` is the facility-desk look-up: 101105, 111001 or 111002, any location.
    /// `orderBy` takes the front end's names: `chfId`, `lastName`, `otherNames`, `dob`, `gender`
    /// (`gender__code`), `marital`, `email`, `phone`, `validityFrom`, `validityTo`.
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
        let rights: &'static [i32] = if desk {
            &[service::RIGHT_INSUREE_SEARCH, 101105, 111001, 111002]
        } else {
            &[service::RIGHT_INSUREE_SEARCH]
        };
        let p = list_caller(ctx, rights).gql(ctx)?;
        let st = state(ctx);
        let mut q = insuree::Entity::find().current();
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
        let args = PageArgs::new(first, last, after, before, offset, order_by);
        let sorting = Sorting {
            columns: &INSUREE_SORT,
            id: insuree::Column::Id,
            default_order,
        };
        let page = page_of(ctx, q, &args, sorting).await.gql(ctx)?;
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
}

#[derive(Default)]
pub struct InsureeNumberQuery;

#[Object]
impl InsureeNumberQuery {
    /// D18: `{isValid errorCode errorMessage}`; `uuid` excludes that insuree from the taken check.
    #[graphql(visible = "visible")]
    async fn insuree_number_validity(
        &self,
        ctx: &Context<'_>,
        insuree_number: String,
        uuid: Option<String>,
    ) -> Result<ValidationMessageGQLType> {
        caller(
            ctx,
            &[
                service::RIGHT_INSUREE_SEARCH,
                service::RIGHT_INSUREE_ADD,
                service::RIGHT_INSUREE_EDIT,
            ],
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
        caller(ctx, service::RIGHTS_DESK_LOOKUP).gql(ctx)?;
        let i = insuree::Entity::find()
            .filter(insuree::Column::ChfId.eq(chf_id.trim()))
            .current()
            .one(&state(ctx).db.conn)
            .await
            .map_err(AppError::from)
            .gql(ctx)?;
        Ok(i.map(|i| format!("{} {}", i.other_names, i.last_name)))
    }
}

#[derive(Default)]
pub struct InsureeWriteMutation;

#[Object]
impl InsureeWriteMutation {
    /// A member (101102); `addOnExistingPolicy: false` keeps them off the family's policies.
    #[graphql(visible = "visible")]
    async fn create_insuree(
        &self,
        ctx: &Context<'_>,
        input: CreateInsureeMutationInput,
    ) -> Result<CreateInsureeMutationPayload> {
        mutate(
            ctx,
            "createInsuree",
            &input.envelope,
            &input,
            &[service::RIGHT_INSUREE_ADD],
            async |m| {
                let data = input.fields.to_service()?;
                let add_on_policies = input.add_on_existing_policy.unwrap_or(true);
                service::create_insuree(m, data, add_on_policies)
                    .await
                    .map(|i| i.id)
            },
        )
        .await
    }

    /// Complete update of an insuree (101103, D8).
    #[graphql(visible = "visible")]
    async fn update_insuree(
        &self,
        ctx: &Context<'_>,
        input: UpdateInsureeMutationInput,
    ) -> Result<UpdateInsureeMutationPayload> {
        mutate(
            ctx,
            "updateInsuree",
            &input.envelope,
            &input,
            &[service::RIGHT_INSUREE_EDIT],
            async |m| {
                let data = input.fields.to_service()?;
                let uuid = data.uuid;
                service::update_insuree(m, uuid, data).await.map(|i| i.id)
            },
        )
        .await
    }

    #[graphql(visible = "visible")]
    async fn delete_insurees(
        &self,
        ctx: &Context<'_>,
        input: DeleteInsureesMutationInput,
    ) -> Result<DeleteInsureesMutationPayload> {
        mutate(
            ctx,
            "deleteInsurees",
            &input.envelope,
            &input,
            &[service::RIGHT_INSUREE_DELETE],
            async |m| {
                let mut ids = uuid_list(&input.uuids)?;
                ids.extend(opt_uuid(&input.uuid, "uuid")?);
                service::delete_insurees(m, &ids).await
            },
        )
        .await
    }

    #[graphql(visible = "visible")]
    async fn remove_insurees(
        &self,
        ctx: &Context<'_>,
        input: RemoveInsureesMutationInput,
    ) -> Result<RemoveInsureesMutationPayload> {
        mutate(
            ctx,
            "removeInsurees",
            &input.envelope,
            &input,
            &[service::RIGHT_INSUREE_DELETE],
            async |m| {
                let uuid = opt_uuid(&input.uuid, "uuid")?;
                let uuids = uuid_list(&input.uuids)?;
                service::remove_insurees(m, uuid, &uuids, input.cancel_policies).await
            },
        )
        .await
    }
}
