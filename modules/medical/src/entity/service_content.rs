//! `medical_service_content`: what a package service contains (openIMIS `ServiceItem` /
//! `tblProductContainedPackage` for items, `ServiceService` / `tblServiceContainedPackage` for
//! services). Rows are replaced on update: old rows are closed (`validity_to`), new ones inserted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "medical_service_content")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The package (parent) service.
    pub service_id: i64,
    /// `I`: `medical_id` is an item; `S`: a service.
    pub kind: String,
    pub medical_id: i64,
    pub qty_provided: Option<i32>,
    /// Money in minor units.
    pub price_asked: Option<i64>,
    pub status: bool,
    pub created_at: DateTimeUtc,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
