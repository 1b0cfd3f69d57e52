//! `product_item`: a medical item covered by a product, openIMIS `tblProductItems`.
//!
//! Lines are replaced when their product is saved: the old rows get `validity_to` and new rows
//! are inserted, so the lines of a product version are the rows valid at that version's
//! `validity_from`. Limit values are exact integers whose scale follows the limitation type
//! of the same visit type: hundredths of a percent for co-insurance (`C`, or no type), minor
//! currency units for a fixed amount (`F`); see `crate::service::limit_decimal`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "product_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub product_id: i64,
    /// Id of the medical item (`imis_medical`).
    pub item_id: i64,
    /// `P` price list, `O` provider, `R` relative.
    pub price_origin: String,
    /// `C` co-insurance, `F` fixed amount; plain = other visits, `_r` referral, `_e` emergency.
    pub limitation_type: String,
    pub limitation_type_r: Option<String>,
    pub limitation_type_e: Option<String>,
    pub limit_adult: Option<i64>,
    pub limit_child: Option<i64>,
    pub limit_adult_r: Option<i64>,
    pub limit_child_r: Option<i64>,
    pub limit_adult_e: Option<i64>,
    pub limit_child_e: Option<i64>,
    pub limit_no_adult: Option<i32>,
    pub limit_no_child: Option<i32>,
    /// Months.
    pub waiting_period_adult: Option<i32>,
    pub waiting_period_child: Option<i32>,
    /// `H` in-patient ceilings, `N` out-patient, `B` both, null none.
    pub ceiling_exclusion_adult: Option<String>,
    pub ceiling_exclusion_child: Option<String>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
