//! Family queries (`families`) and mutations (`createFamily`, `updateFamily`,
//! `deleteFamilies`, `setFamilyHead`, `changeInsureeFamily`).

use super::*;

#[derive(Default)]
pub struct FamilyQuery;

#[Object]
impl FamilyQuery {
    /// Families (101001) within the caller's locations (D9). `orderBy` takes the front end's
    /// Django-style names: `validityFrom`, `validityTo`, `confirmationNo`, `location__id` and
    /// the head's `headInsuree__chfId`, `__lastName`, `__otherNames`, `__email`, `__phone`,
    /// `__dob` (`-` for descending).
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
        let p = list_caller(ctx, &[service::RIGHT_FAMILY_SEARCH]).gql(ctx)?;
        let st = state(ctx);
        let mut q = family::Entity::find().current();
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
        for v in [location_uuid, parent_location].into_iter().flatten() {
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
                .current()
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
        let args = PageArgs::new(first, last, after, before, offset, order_by);
        let sorting = Sorting {
            columns: &FAMILY_SORT,
            id: family::Column::Id,
            default_order: &["id"],
        };
        let page = page_of_with_expressions(ctx, q, &args, sorting, &family_sort_expressions())
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
}

#[derive(Default)]
pub struct FamilyMutation;

#[Object]
impl FamilyMutation {
    /// A family with its head (101002).
    #[graphql(visible = "visible")]
    async fn create_family(
        &self,
        ctx: &Context<'_>,
        input: CreateFamilyMutationInput,
    ) -> Result<CreateFamilyMutationPayload> {
        let data = input.fields.to_service();
        // Rights before input errors (the rights matrix relies on it): `mutate` checks them first.
        mutate(
            ctx,
            "createFamily",
            &input.envelope,
            &input,
            &[service::RIGHT_FAMILY_ADD],
            async |m| service::create_family(m, data?).await.map(|f| f.id),
        )
        .await
    }

    #[graphql(visible = "visible")]
    async fn update_family(
        &self,
        ctx: &Context<'_>,
        input: UpdateFamilyMutationInput,
    ) -> Result<UpdateFamilyMutationPayload> {
        let data = input.fields.to_service();
        mutate(
            ctx,
            "updateFamily",
            &input.envelope,
            &input,
            &[service::RIGHT_FAMILY_EDIT],
            async |m| {
                let data = data?;
                let uuid = data.uuid;
                service::update_family(m, uuid, data).await.map(|f| f.id)
            },
        )
        .await
    }

    #[graphql(visible = "visible")]
    async fn delete_families(
        &self,
        ctx: &Context<'_>,
        input: DeleteFamiliesMutationInput,
    ) -> Result<DeleteFamiliesMutationPayload> {
        mutate(
            ctx,
            "deleteFamilies",
            &input.envelope,
            &input,
            &[service::RIGHT_FAMILY_DELETE],
            async |m| {
                service::delete_families(m, &uuid_list(&input.uuids)?, input.delete_members).await
            },
        )
        .await
    }
}

#[derive(Default)]
pub struct MembershipMutation;

#[Object]
impl MembershipMutation {
    #[graphql(visible = "visible")]
    async fn set_family_head(
        &self,
        ctx: &Context<'_>,
        input: SetFamilyHeadMutationInput,
    ) -> Result<SetFamilyHeadMutationPayload> {
        mutate(
            ctx,
            "setFamilyHead",
            &input.envelope,
            &input,
            &[service::RIGHT_FAMILY_EDIT],
            async |m| {
                service::set_family_head(
                    m,
                    required_uuid(&input.uuid, "uuid")?,
                    required_uuid(&input.insuree_uuid, "insureeUuid")?,
                )
                .await
                .map(|f| f.id)
            },
        )
        .await
    }

    #[graphql(visible = "visible")]
    async fn change_insuree_family(
        &self,
        ctx: &Context<'_>,
        input: ChangeInsureeFamilyMutationInput,
    ) -> Result<ChangeInsureeFamilyMutationPayload> {
        mutate(
            ctx,
            "changeInsureeFamily",
            &input.envelope,
            &input,
            &[service::RIGHT_FAMILY_EDIT],
            async |m| {
                // Both rights are needed: the family's and the insuree's.
                require_user(
                    m.principal,
                    Requirement::AnyOf(&[service::RIGHT_INSUREE_EDIT]),
                )?;
                service::change_insuree_family(
                    m,
                    required_uuid(&input.family_uuid, "familyUuid")?,
                    required_uuid(&input.insuree_uuid, "insureeUuid")?,
                    input.cancel_policies,
                )
                .await
                .map(|i| i.id)
            },
        )
        .await
    }
}
