use sea_orm::entity::prelude::*;

/// A passed item (`I`) or service (`S`) line of a claim usage, quantity in hundredths.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "policy_claim_usage_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub usage_id: i64,
    pub kind: String,
    pub medical_id: i64,
    pub qty: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
