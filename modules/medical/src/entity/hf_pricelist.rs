//! `medical_hf_pricelist`: the items and services price lists assigned to each health facility
//! (openIMIS `tblHF.PLItemID` / `PLServiceID`), written by the `health_facility.saving` handler.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "medical_hf_pricelist")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub health_facility_id: i64,
    pub items_pricelist_id: Option<i64>,
    pub services_pricelist_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
