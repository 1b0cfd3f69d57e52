//! `product_relative_distribution`: the relative-price distribution of a product, openIMIS
//! `tblRelDistr`. One row per (care type, period); replaced (closed and re-inserted) when the
//! product is saved, like its lines.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "product_relative_distribution")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub product_id: i64,
    /// `B` both (general), `I` in-patient, `O` out-patient.
    pub care_type: String,
    /// Number of periods: 1 (year), 4 (quarters) or 12 (months).
    pub distr_type: i32,
    /// 1..=distr_type.
    pub period: i32,
    /// Hundredths of a percent (0..=10000).
    pub percent: i64,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
