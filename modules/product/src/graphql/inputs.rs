//! Inputs of the product mutations: the product, its lines and its relative price
//! distributions, converted to the service's input.

use super::*;

/// `RelativePricesInput`.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "RelativePricesInput")]
#[serde(rename_all = "camelCase")]
pub struct RelativePricesInput {
    pub care_type: Option<CareTypeEnum>,
    pub periods: Vec<Decimal>,
}

macro_rules! line_input {
    ($name:ident, $gql:literal, $uuid:ident, $uuid_gql:literal) => {
        #[derive(InputObject, Debug, Clone, serde::Serialize)]
        #[graphql(name = $gql)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub price_origin: Option<PriceOriginEnum>,
            pub limitation_type: Option<LimitTypeEnum>,
            #[graphql(name = "limitationTypeR")]
            pub limitation_type_r: Option<LimitTypeEnum>,
            #[graphql(name = "limitationTypeE")]
            pub limitation_type_e: Option<LimitTypeEnum>,
            pub waiting_period_adult: Option<i32>,
            pub waiting_period_child: Option<i32>,
            pub limit_no_adult: Option<i32>,
            pub limit_no_child: Option<i32>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub limit_adult: Option<Decimal>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub limit_child: Option<Decimal>,
            #[graphql(name = "limitAdultR", default_with = "Some(Decimal::ZERO)")]
            pub limit_adult_r: Option<Decimal>,
            #[graphql(name = "limitChildR", default_with = "Some(Decimal::ZERO)")]
            pub limit_child_r: Option<Decimal>,
            #[graphql(name = "limitAdultE", default_with = "Some(Decimal::ZERO)")]
            pub limit_adult_e: Option<Decimal>,
            #[graphql(name = "limitChildE", default_with = "Some(Decimal::ZERO)")]
            pub limit_child_e: Option<Decimal>,
            pub ceiling_exclusion_adult: Option<CeilingExclusionEnum>,
            pub ceiling_exclusion_child: Option<CeilingExclusionEnum>,
            #[graphql(name = $uuid_gql)]
            pub $uuid: Uuid,
        }

        impl $name {
            fn to_service(&self) -> LineInput {
                LineInput {
                    medical_uuid: self.$uuid,
                    price_origin: self.price_origin.map(|v| v.code().to_string()),
                    limitation_type: self.limitation_type.map(|v| v.code().to_string()),
                    limitation_type_r: self.limitation_type_r.map(|v| v.code().to_string()),
                    limitation_type_e: self.limitation_type_e.map(|v| v.code().to_string()),
                    waiting_period_adult: self.waiting_period_adult,
                    waiting_period_child: self.waiting_period_child,
                    limit_no_adult: self.limit_no_adult,
                    limit_no_child: self.limit_no_child,
                    limit_adult: self.limit_adult,
                    limit_child: self.limit_child,
                    limit_adult_r: self.limit_adult_r,
                    limit_child_r: self.limit_child_r,
                    limit_adult_e: self.limit_adult_e,
                    limit_child_e: self.limit_child_e,
                    ceiling_exclusion_adult: self
                        .ceiling_exclusion_adult
                        .map(|v| v.code().to_string()),
                    ceiling_exclusion_child: self
                        .ceiling_exclusion_child
                        .map(|v| v.code().to_string()),
                }
            }
        }
    };
}
line_input!(ProductItemInput, "ProductItemInput", item_uuid, "itemUuid");
line_input!(
    ProductServiceInput,
    "ProductServiceInput",
    service_uuid,
    "serviceUuid"
);

macro_rules! product_input {
    ($name:ident, $gql:literal, $uuid_ty:ty, $uuid_doc:literal) => {
        #[derive(InputObject, Debug, Clone, serde::Serialize)]
        #[graphql(name = $gql)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[graphql(flatten)]
            #[serde(flatten)]
            pub envelope: MutationEnvelopeInput,
            #[doc = $uuid_doc]
            pub uuid: $uuid_ty,
            pub code: String,
            pub name: String,
            pub date_from: Date,
            pub date_to: Date,
            pub insurance_period: i32,
            pub administration_period: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub max_members: Option<i32>,
            pub max_installments: Option<i32>,
            pub recurrence: Option<i32>,
            pub location_uuid: Option<Uuid>,
            pub conversion_product_uuid: Option<Uuid>,
            pub acc_code_remuneration: Option<String>,
            pub acc_code_premiums: Option<String>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub lump_sum: Option<Decimal>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub premium_adult: Option<Decimal>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub premium_child: Option<Decimal>,
            pub threshold: Option<i32>,
            pub share_contribution: Option<Decimal>,
            #[graphql(default_with = "Some(0)")]
            pub grace_period_renewal: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub grace_period_payment: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub grace_period_enrolment: Option<i32>,
            pub registration_lump_sum: Option<Decimal>,
            pub registration_fee: Option<Decimal>,
            pub general_assembly_lump_sum: Option<Decimal>,
            pub general_assembly_fee: Option<Decimal>,
            #[graphql(name = "startCycle1")]
            pub start_cycle_1: Option<String>,
            #[graphql(name = "startCycle2")]
            pub start_cycle_2: Option<String>,
            #[graphql(name = "startCycle3")]
            pub start_cycle_3: Option<String>,
            #[graphql(name = "startCycle4")]
            pub start_cycle_4: Option<String>,
            #[graphql(default_with = "Some(0)")]
            pub renewal_discount_perc: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub renewal_discount_period: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub enrolment_discount_perc: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub enrolment_discount_period: Option<i32>,
            pub ceiling_interpretation: Option<CeilingInterpretationEnum>,
            pub ceiling_type: Option<CeilingTypeEnum>,
            pub deductible: Option<Decimal>,
            pub deductible_ip: Option<Decimal>,
            pub deductible_op: Option<Decimal>,
            pub ceiling: Option<Decimal>,
            pub ceiling_ip: Option<Decimal>,
            pub ceiling_op: Option<Decimal>,
            pub max_ceiling_policy: Option<Decimal>,
            pub max_ceiling_policy_ip: Option<Decimal>,
            pub max_ceiling_policy_op: Option<Decimal>,
            pub max_policy_extra_member: Option<Decimal>,
            pub max_policy_extra_member_op: Option<Decimal>,
            pub max_policy_extra_member_ip: Option<Decimal>,
            pub max_no_consultation: Option<i32>,
            pub max_no_surgery: Option<i32>,
            pub max_no_delivery: Option<i32>,
            pub max_no_hospitalization: Option<i32>,
            pub max_no_visits: Option<i32>,
            pub max_no_antenatal: Option<i32>,
            pub max_amount_consultation: Option<Decimal>,
            pub max_amount_surgery: Option<Decimal>,
            pub max_amount_delivery: Option<Decimal>,
            pub max_amount_hospitalization: Option<Decimal>,
            pub max_amount_antenatal: Option<Decimal>,
            pub relative_prices: Option<Vec<Option<RelativePricesInput>>>,
            pub items: Option<Vec<ProductItemInput>>,
            pub services: Option<Vec<ProductServiceInput>>,
            pub age_minimal: Option<i32>,
            pub age_maximal: Option<i32>,
        }

        impl $name {
            /// The amounts of the product (D3: Decimal, stored in minor units): each must be an
            /// amount of the currency, else `input.invalid` naming its GraphQL field. Signs,
            /// percentages and limits are the service's.
            pub(crate) fn check_amounts(&self, digits: u32) -> AppResult<()> {
                let amounts = [
                    ("lumpSum", self.lump_sum),
                    ("premiumAdult", self.premium_adult),
                    ("premiumChild", self.premium_child),
                    ("registrationLumpSum", self.registration_lump_sum),
                    ("registrationFee", self.registration_fee),
                    ("generalAssemblyLumpSum", self.general_assembly_lump_sum),
                    ("generalAssemblyFee", self.general_assembly_fee),
                    ("deductible", self.deductible),
                    ("deductibleIp", self.deductible_ip),
                    ("deductibleOp", self.deductible_op),
                    ("ceiling", self.ceiling),
                    ("ceilingIp", self.ceiling_ip),
                    ("ceilingOp", self.ceiling_op),
                    ("maxCeilingPolicy", self.max_ceiling_policy),
                    ("maxCeilingPolicyIp", self.max_ceiling_policy_ip),
                    ("maxCeilingPolicyOp", self.max_ceiling_policy_op),
                    ("maxPolicyExtraMember", self.max_policy_extra_member),
                    ("maxPolicyExtraMemberIp", self.max_policy_extra_member_ip),
                    ("maxPolicyExtraMemberOp", self.max_policy_extra_member_op),
                    ("maxAmountConsultation", self.max_amount_consultation),
                    ("maxAmountSurgery", self.max_amount_surgery),
                    ("maxAmountDelivery", self.max_amount_delivery),
                    ("maxAmountHospitalization", self.max_amount_hospitalization),
                    ("maxAmountAntenatal", self.max_amount_antenatal),
                ];
                for (field, v) in amounts {
                    if let Some(d) = v {
                        Money::parse(field, d, digits)?;
                    }
                }
                Ok(())
            }

            pub(crate) fn fields(&self) -> ProductInput {
                ProductInput {
                    uuid: None,
                    code: self.code.clone(),
                    name: self.name.clone(),
                    date_from: self.date_from.0,
                    date_to: self.date_to.0,
                    insurance_period: self.insurance_period,
                    administration_period: self.administration_period,
                    max_members: self.max_members,
                    max_installments: self.max_installments,
                    recurrence: self.recurrence,
                    location_uuid: self.location_uuid,
                    conversion_product_uuid: self.conversion_product_uuid,
                    acc_code_remuneration: self.acc_code_remuneration.clone(),
                    acc_code_premiums: self.acc_code_premiums.clone(),
                    lump_sum: self.lump_sum,
                    premium_adult: self.premium_adult,
                    premium_child: self.premium_child,
                    threshold: self.threshold,
                    share_contribution: self.share_contribution,
                    grace_period_renewal: self.grace_period_renewal,
                    grace_period_payment: self.grace_period_payment,
                    grace_period_enrolment: self.grace_period_enrolment,
                    registration_lump_sum: self.registration_lump_sum,
                    registration_fee: self.registration_fee,
                    general_assembly_lump_sum: self.general_assembly_lump_sum,
                    general_assembly_fee: self.general_assembly_fee,
                    start_cycles: [
                        self.start_cycle_1.clone(),
                        self.start_cycle_2.clone(),
                        self.start_cycle_3.clone(),
                        self.start_cycle_4.clone(),
                    ],
                    renewal_discount_perc: self.renewal_discount_perc,
                    renewal_discount_period: self.renewal_discount_period,
                    enrolment_discount_perc: self.enrolment_discount_perc,
                    enrolment_discount_period: self.enrolment_discount_period,
                    ceiling_interpretation: self
                        .ceiling_interpretation
                        .map(|v| v.code().to_string()),
                    ceiling_type: self.ceiling_type.map(|v| v.code().to_string()),
                    deductible: self.deductible,
                    deductible_ip: self.deductible_ip,
                    deductible_op: self.deductible_op,
                    ceiling: self.ceiling,
                    ceiling_ip: self.ceiling_ip,
                    ceiling_op: self.ceiling_op,
                    max_ceiling_policy: self.max_ceiling_policy,
                    max_ceiling_policy_ip: self.max_ceiling_policy_ip,
                    max_ceiling_policy_op: self.max_ceiling_policy_op,
                    max_policy_extra_member: self.max_policy_extra_member,
                    max_policy_extra_member_ip: self.max_policy_extra_member_ip,
                    max_policy_extra_member_op: self.max_policy_extra_member_op,
                    max_no_consultation: self.max_no_consultation,
                    max_no_surgery: self.max_no_surgery,
                    max_no_delivery: self.max_no_delivery,
                    max_no_hospitalization: self.max_no_hospitalization,
                    max_no_visits: self.max_no_visits,
                    max_no_antenatal: self.max_no_antenatal,
                    max_amount_consultation: self.max_amount_consultation,
                    max_amount_surgery: self.max_amount_surgery,
                    max_amount_delivery: self.max_amount_delivery,
                    max_amount_hospitalization: self.max_amount_hospitalization,
                    max_amount_antenatal: self.max_amount_antenatal,
                    relative_prices: self.relative_prices.as_ref().map(|l| {
                        l.iter()
                            .flatten()
                            .map(|r| RelativePriceInput {
                                care_type: r.care_type.unwrap_or(CareTypeEnum::Both).code().into(),
                                periods: r.periods.clone(),
                            })
                            .collect()
                    }),
                    items: self
                        .items
                        .as_ref()
                        .map(|l| l.iter().map(ProductItemInput::to_service).collect()),
                    services: self
                        .services
                        .as_ref()
                        .map(|l| l.iter().map(ProductServiceInput::to_service).collect()),
                    age_minimal: self.age_minimal,
                    age_maximal: self.age_maximal,
                }
            }
        }
    };
}
product_input!(
    CreateProductMutationInput,
    "CreateProductMutationInput",
    Option<Uuid>,
    "Ours (D4): the client's uuid for the new product; a repeated create with the same uuid and content returns the existing product."
);
product_input!(
    UpdateProductMutationInput,
    "UpdateProductMutationInput",
    Uuid,
    "The product to update."
);
product_input!(
    DuplicateProductMutationInput,
    "DuplicateProductMutationInput",
    Option<Uuid>,
    "The product to duplicate (source of the items, services and relative prices the payload omits)."
);
