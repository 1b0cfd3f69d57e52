//! `medical_service` (openIMIS `tblServices`): medical services, possibly packages of items and
//! other services ([`super::service_content`]).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "medical_service")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    /// Unique among current services, at most 6 characters.
    pub code: String,
    pub name: String,
    /// `text::fold(name)` (D19).
    pub name_search: String,
    /// `P` preventive, `C` curative.
    pub service_type: String,
    /// `S` simple service, `V` visit, `D` day of stay, `H` hospital case.
    pub level: String,
    /// `S` surgery, `D` delivery, `A` antenatal, `H` hospitalization, `C` consultation, `V` visit,
    /// `O` other; empty = none.
    pub category: Option<String>,
    /// Money in minor units.
    pub price: i64,
    /// Money in minor units.
    pub maximum_amount: Option<i64>,
    /// `I`, `O`, `B`.
    pub care_type: String,
    pub frequency: Option<i32>,
    /// Bit mask as for items.
    pub patient_category: i32,
    /// `S` simple (default), `P` package, `F` flat-rate package.
    pub packagetype: String,
    pub manual_price: bool,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
