//! `medical_item` (openIMIS `tblItems`): drugs and medical consumables.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "medical_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    /// Unique among current items, at most 6 characters.
    pub code: String,
    pub name: String,
    /// `text::fold(name)`, for searches ignoring case and accents (D19).
    pub name_search: String,
    /// `D` drug, `M` medical consumable.
    pub item_type: String,
    pub package: Option<String>,
    /// Money in minor units (`core.currency_minor_digits`).
    pub price: i64,
    /// Hundredths (openIMIS `decimal(18,2)`).
    pub quantity: Option<i64>,
    /// Money in minor units.
    pub maximum_amount: Option<i64>,
    /// `I` in-patient, `O` out-patient, `B` both.
    pub care_type: String,
    /// Minimum number of days between two provisions to one patient; empty or 0 = no limit.
    pub frequency: Option<i32>,
    /// Bit mask: 1 male, 2 female, 4 adult, 8 minor (15 = everybody; 0 = no restriction).
    pub patient_category: i32,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
