use sea_orm::entity::prelude::*;

/// A family member whose photo is due at renewal.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "policy_renewal_detail")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub renewal_id: i64,
    pub insuree_id: i64,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
