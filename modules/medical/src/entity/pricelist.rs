//! `medical_pricelist`: items price lists (`kind` `I`, openIMIS `tblPLItems`) and services price
//! lists (`kind` `S`, `tblPLServices`) in one table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "medical_pricelist")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    /// `I` items price list, `S` services price list.
    pub kind: String,
    /// Unique among current price lists of the same kind.
    pub name: String,
    /// `text::fold(name)` (D19).
    pub name_search: String,
    /// openIMIS `DatePL`: the list applies to care given on or after this date.
    pub pricelist_date: Date,
    /// Region or district; empty = national.
    pub location_id: Option<i64>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
