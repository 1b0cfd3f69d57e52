//! `product_product`: a product (benefit package), openIMIS `tblProduct`.
//!
//! The current version stays in this table (`validity_to IS NULL`); previous versions go to
//! the kernel history under the entity name `product` (D7). A deleted product keeps its row with
//! `validity_to` set.
//!
//! Deductibles and ceilings are stored in the column family of `ceiling_type` (`I` insuree,
//! `T` treatment, `P` policy), exactly as given (IP in `*_ip_*`, OP in `*_op_*`); the other
//! families stay null.

use sea_orm::entity::prelude::*;

/// Hands `$then!` the product's business columns (every column but the keys, `name_search` and
/// the version columns): the entity and the api's `ProductTerms` list them once, here.
macro_rules! with_terms_columns {
    ($then:ident) => {
        $then! {
            /// Region or district; null = national.
            pub location_id: Option<i64>,
            pub date_from: Date,
            pub date_to: Date,
            pub conversion_product_id: Option<i64>,
            /// Months.
            pub insurance_period: i32,
            /// Months.
            pub administration_period: Option<i32>,
            pub max_members: i32,
            pub max_installments: Option<i32>,
            pub threshold: Option<i32>,
            pub recurrence: Option<i32>,
            /// Minor units.
            pub lump_sum: i64,
            pub premium_adult: Option<i64>,
            pub premium_child: Option<i64>,
            pub registration_lump_sum: Option<i64>,
            pub registration_fee: Option<i64>,
            pub general_assembly_lump_sum: Option<i64>,
            pub general_assembly_fee: Option<i64>,
            /// `DD-MM`, validated on save (D12).
            pub start_cycle_1: Option<String>,
            pub start_cycle_2: Option<String>,
            pub start_cycle_3: Option<String>,
            pub start_cycle_4: Option<String>,
            pub grace_period_enrolment: i32,
            pub grace_period_renewal: Option<i32>,
            /// openIMIS `WaitingPeriod`: months to pay before suspension.
            pub grace_period_payment: Option<i32>,
            pub enrolment_discount_perc: Option<i32>,
            pub enrolment_discount_period: Option<i32>,
            pub renewal_discount_perc: Option<i32>,
            pub renewal_discount_period: Option<i32>,
            /// Hundredths of a percent.
            pub share_contribution: Option<i64>,
            pub acc_code_premiums: Option<String>,
            pub acc_code_remuneration: Option<String>,
            /// `I` by claim type, `H` by health-facility type.
            pub ceiling_interpretation: Option<String>,
            /// `I` insuree, `T` treatment, `P` policy.
            pub ceiling_type: Option<String>,
            pub ded_insuree: Option<i64>,
            pub ded_ip_insuree: Option<i64>,
            pub ded_op_insuree: Option<i64>,
            pub ded_treatment: Option<i64>,
            pub ded_ip_treatment: Option<i64>,
            pub ded_op_treatment: Option<i64>,
            pub ded_policy: Option<i64>,
            pub ded_ip_policy: Option<i64>,
            pub ded_op_policy: Option<i64>,
            pub max_insuree: Option<i64>,
            pub max_ip_insuree: Option<i64>,
            pub max_op_insuree: Option<i64>,
            pub max_treatment: Option<i64>,
            pub max_ip_treatment: Option<i64>,
            pub max_op_treatment: Option<i64>,
            pub max_policy: Option<i64>,
            pub max_ip_policy: Option<i64>,
            pub max_op_policy: Option<i64>,
            pub max_policy_extra_member: Option<i64>,
            pub max_policy_extra_member_ip: Option<i64>,
            pub max_policy_extra_member_op: Option<i64>,
            pub max_ceiling_policy: Option<i64>,
            pub max_ceiling_policy_ip: Option<i64>,
            pub max_ceiling_policy_op: Option<i64>,
            pub max_no_consultation: Option<i32>,
            pub max_no_surgery: Option<i32>,
            pub max_no_delivery: Option<i32>,
            pub max_no_hospitalization: Option<i32>,
            pub max_no_visits: Option<i32>,
            pub max_no_antenatal: Option<i32>,
            pub max_amount_consultation: Option<i64>,
            pub max_amount_surgery: Option<i64>,
            pub max_amount_delivery: Option<i64>,
            pub max_amount_hospitalization: Option<i64>,
            pub max_amount_antenatal: Option<i64>,
            /// Relative-price period of care type B / I / O: `Y`, `Q` or `M` (derived from the
            /// distribution rows), null when not configured.
            pub period_rel_prices: Option<String>,
            pub period_rel_prices_ip: Option<String>,
            pub period_rel_prices_op: Option<String>,
            /// Stored and exposed only (D14).
            pub age_minimal: Option<i32>,
            pub age_maximal: Option<i32>,
        }
    };
}
pub(crate) use with_terms_columns;

macro_rules! product_model {
    ($($terms:tt)*) => {
        #[derive(
            Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel, serde::Serialize,
            serde::Deserialize,
        )]
        #[sea_orm(table_name = "product_product")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub uuid: Uuid,
            pub code: String,
            pub name: String,
            /// `name` folded (lower case, no accents) for searches (D19).
            pub name_search: String,
            $($terms)*
            pub validity_from: DateTimeUtc,
            pub validity_to: Option<DateTimeUtc>,
            pub audit_user_id: Option<i64>,
        }
    };
}

with_terms_columns!(product_model);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

imis_core::versioned_model!(Model);
