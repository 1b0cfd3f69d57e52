//! `medical_pricelist_detail` (openIMIS `tblPLItemsDetail` / `tblPLServicesDetail`): an item or
//! service of a price list, with an optional price that overrides its own price. One current row
//! per (list, item or service); a changed override keeps the previous version in history.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "medical_pricelist_detail")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub pricelist_id: i64,
    /// The list's kind, repeated: `I` (`medical_id` is an item) or `S` (a service).
    pub kind: String,
    pub medical_id: i64,
    /// Money in minor units; empty = the item's or service's own price.
    pub price_overrule: Option<i64>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
