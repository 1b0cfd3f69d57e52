//! The fields of `ProductGQLType`.

use super::*;

/// `ProductRelativePricesGQLType`.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "ProductRelativePricesGQLType")]
pub struct ProductRelativePricesGQLType {
    pub care_type: Option<CareTypeEnum>,
    pub periods: Vec<Decimal>,
}

pub(crate) fn date_time(d: chrono::NaiveDate) -> DateTime {
    DateTime(d.and_hms_opt(0, 0, 0).expect("midnight"))
}

#[Object(name = "ProductGQLType")]
impl ProductGQLType {
    pub async fn id(&self) -> ID {
        imis_core::kit::node_id("ProductGQLType", self.model.id, self.history_id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    #[graphql(flatten)]
    async fn validity(&self) -> imis_core::kit::Validity {
        imis_core::kit::Validity::of(self.model.validity_from, self.model.validity_to)
    }
    /// For a version: the id of the current product.
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.model.id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn code(&self) -> &str {
        &self.model.code
    }
    async fn name(&self) -> &str {
        &self.model.name
    }
    /// Null = national.
    async fn location(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LocationGQLType>> {
        let Some(l) = self.model.location_id else {
            return Ok(None);
        };
        if let Some(n) = self.page.locations.get(&l) {
            return Ok(Some(n.clone()));
        }
        Ok(location_nodes(&state(ctx).db.conn, &[l])
            .await
            .gql(ctx)?
            .remove(&l))
    }
    async fn date_from(&self) -> DateTime {
        date_time(self.model.date_from)
    }
    async fn date_to(&self) -> DateTime {
        date_time(self.model.date_to)
    }
    /// Null when the caller may not see the product it converts into (D9).
    async fn conversion_product(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ProductGQLType>> {
        let Some(c) = self.model.conversion_product_id else {
            return Ok(None);
        };
        let run = async {
            let conn = &state(ctx).db.conn;
            let found = match self.page.conversions.get(&c) {
                Some(m) => Some(m.clone()),
                None => service::products_by_ids(conn, &[c]).await?.remove(&c),
            };
            let Some(m) = found else { return Ok(None) };
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            Ok::<_, AppError>(
                sees_product(conn, caller, m.location_id)
                    .await?
                    .then(|| self.node_of(m)),
            )
        };
        run.await.gql(ctx)
    }
    async fn insurance_period(&self) -> i32 {
        self.model.insurance_period
    }
    async fn administration_period(&self) -> Option<i32> {
        self.model.administration_period
    }
    async fn lump_sum(&self) -> Decimal {
        Money(self.model.lump_sum).to_decimal(self.digits())
    }
    async fn max_members(&self) -> i32 {
        self.model.max_members
    }
    async fn max_installments(&self) -> Option<i32> {
        self.model.max_installments
    }
    async fn threshold(&self) -> Option<i32> {
        self.model.threshold
    }
    async fn recurrence(&self) -> Option<i32> {
        self.model.recurrence
    }
    async fn premium_adult(&self) -> Option<Decimal> {
        self.money(self.model.premium_adult)
    }
    async fn premium_child(&self) -> Option<Decimal> {
        self.money(self.model.premium_child)
    }
    async fn acc_code_premiums(&self) -> Option<&str> {
        self.model.acc_code_premiums.as_deref()
    }
    async fn acc_code_remuneration(&self) -> Option<&str> {
        self.model.acc_code_remuneration.as_deref()
    }
    async fn grace_period_enrolment(&self) -> i32 {
        self.model.grace_period_enrolment
    }
    async fn grace_period_payment(&self) -> Option<i32> {
        self.model.grace_period_payment
    }
    async fn grace_period_renewal(&self) -> Option<i32> {
        self.model.grace_period_renewal
    }
    async fn registration_lump_sum(&self) -> Option<Decimal> {
        self.money(self.model.registration_lump_sum)
    }
    async fn registration_fee(&self) -> Option<Decimal> {
        self.money(self.model.registration_fee)
    }
    async fn general_assembly_lump_sum(&self) -> Option<Decimal> {
        self.money(self.model.general_assembly_lump_sum)
    }
    async fn general_assembly_fee(&self) -> Option<Decimal> {
        self.money(self.model.general_assembly_fee)
    }
    #[graphql(name = "startCycle1")]
    async fn start_cycle_1(&self) -> Option<&str> {
        self.model.start_cycle_1.as_deref()
    }
    #[graphql(name = "startCycle2")]
    async fn start_cycle_2(&self) -> Option<&str> {
        self.model.start_cycle_2.as_deref()
    }
    #[graphql(name = "startCycle3")]
    async fn start_cycle_3(&self) -> Option<&str> {
        self.model.start_cycle_3.as_deref()
    }
    #[graphql(name = "startCycle4")]
    async fn start_cycle_4(&self) -> Option<&str> {
        self.model.start_cycle_4.as_deref()
    }
    async fn max_no_consultation(&self) -> Option<i32> {
        self.model.max_no_consultation
    }
    async fn max_no_surgery(&self) -> Option<i32> {
        self.model.max_no_surgery
    }
    async fn max_no_delivery(&self) -> Option<i32> {
        self.model.max_no_delivery
    }
    async fn max_no_hospitalization(&self) -> Option<i32> {
        self.model.max_no_hospitalization
    }
    async fn max_no_visits(&self) -> Option<i32> {
        self.model.max_no_visits
    }
    async fn max_no_antenatal(&self) -> Option<i32> {
        self.model.max_no_antenatal
    }
    async fn max_amount_consultation(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_consultation)
    }
    async fn max_amount_surgery(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_surgery)
    }
    async fn max_amount_delivery(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_delivery)
    }
    async fn max_amount_hospitalization(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_hospitalization)
    }
    async fn max_amount_antenatal(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_antenatal)
    }
    async fn renewal_discount_perc(&self) -> Option<i32> {
        self.model.renewal_discount_perc
    }
    async fn renewal_discount_period(&self) -> Option<i32> {
        self.model.renewal_discount_period
    }
    async fn enrolment_discount_perc(&self) -> Option<i32> {
        self.model.enrolment_discount_perc
    }
    async fn enrolment_discount_period(&self) -> Option<i32> {
        self.model.enrolment_discount_period
    }
    async fn share_contribution(&self) -> Option<Decimal> {
        self.model.share_contribution.map(|v| Decimal::new(v, 2))
    }
    async fn max_policy_extra_member(&self) -> Option<Decimal> {
        self.money(self.model.max_policy_extra_member)
    }
    async fn max_policy_extra_member_ip(&self) -> Option<Decimal> {
        self.money(self.model.max_policy_extra_member_ip)
    }
    async fn max_policy_extra_member_op(&self) -> Option<Decimal> {
        self.money(self.model.max_policy_extra_member_op)
    }
    async fn max_ceiling_policy(&self) -> Option<Decimal> {
        self.money(self.model.max_ceiling_policy)
    }
    async fn max_ceiling_policy_ip(&self) -> Option<Decimal> {
        self.money(self.model.max_ceiling_policy_ip)
    }
    async fn max_ceiling_policy_op(&self) -> Option<Decimal> {
        self.money(self.model.max_ceiling_policy_op)
    }
    async fn ceiling_type(&self) -> Option<CeilingTypeEnum> {
        self.model
            .ceiling_type
            .as_deref()
            .and_then(CeilingTypeEnum::of)
    }
    async fn ceiling_interpretation(&self) -> Option<CeilingInterpretationEnum> {
        self.model
            .ceiling_interpretation
            .as_deref()
            .and_then(CeilingInterpretationEnum::of)
    }
    /// Stored and exposed only (D14).
    async fn age_minimal(&self) -> Option<i32> {
        self.model.age_minimal
    }
    /// Stored and exposed only (D14).
    async fn age_maximal(&self) -> Option<i32> {
        self.model.age_maximal
    }
    async fn deductible(&self) -> Option<Decimal> {
        self.money(self.ded_max().0[0])
    }
    async fn deductible_ip(&self) -> Option<Decimal> {
        self.money(self.ded_max().0[1])
    }
    async fn deductible_op(&self) -> Option<Decimal> {
        self.money(self.ded_max().0[2])
    }
    async fn ceiling(&self) -> Option<Decimal> {
        self.money(self.ded_max().1[0])
    }
    async fn ceiling_ip(&self) -> Option<Decimal> {
        self.money(self.ded_max().1[1])
    }
    async fn ceiling_op(&self) -> Option<Decimal> {
        self.money(self.ded_max().1[2])
    }
    /// Relative price distribution, one entry per care type.
    async fn relative_prices(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ProductRelativePricesGQLType>> {
        let at = self.lines_at();
        let rows = match &self.page.relative {
            Some(map) => map.get(&self.model.id).cloned().unwrap_or_default(),
            None => service::relative_distributions_of(
                &state(ctx).db.conn,
                &[self.model.id],
                at.is_some(),
            )
            .await
            .gql(ctx)?
            .remove(&self.model.id)
            .unwrap_or_default(),
        };
        let mut out: Vec<ProductRelativePricesGQLType> = vec![];
        for r in rows
            .iter()
            .filter(|r| service::valid_at(r.validity_from, r.validity_to, at))
        {
            let care = CareTypeEnum::of(&r.care_type);
            let pct = Decimal::new(r.percent, 2);
            match out.iter_mut().find(|o| o.care_type == Some(care)) {
                Some(o) => o.periods.push(pct),
                None => out.push(ProductRelativePricesGQLType {
                    care_type: Some(care),
                    periods: vec![pct],
                }),
            }
        }
        Ok(out)
    }
    #[allow(clippy::too_many_arguments)]
    async fn items(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
    ) -> async_graphql::Result<ProductItemConnection> {
        let conn = &state(ctx).db.conn;
        let page = self
            .covered(
                ctx,
                (LineKind::Item, "ProductItemGQLType", id),
                &PageArgs::new(first, last, after, before, offset, None),
                &self.page.item_nodes,
                |missing| async move { item_nodes(conn, &missing).await },
            )
            .await
            .gql(ctx)?;
        Ok(page.into_connection(|(line, medical)| ProductItemGQLType {
            medical,
            line,
            product: self.clone(),
        }))
    }
    #[allow(clippy::too_many_arguments)]
    async fn services(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
    ) -> async_graphql::Result<ProductServiceConnection> {
        let conn = &state(ctx).db.conn;
        let page = self
            .covered(
                ctx,
                (LineKind::Service, "ProductServiceGQLType", id),
                &PageArgs::new(first, last, after, before, offset, None),
                &self.page.service_nodes,
                |missing| async move { service_nodes(conn, &missing).await },
            )
            .await
            .gql(ctx)?;
        Ok(
            page.into_connection(|(line, medical)| ProductServiceGQLType {
                medical,
                line,
                product: self.clone(),
            }),
        )
    }
}
