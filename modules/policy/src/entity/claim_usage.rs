use sea_orm::entity::prelude::*;

/// What one claim used, pushed by the claim module ([`crate::service::usage`]): eligibility
/// counts from these facts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "policy_claim_usage")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub claim_id: i64,
    pub insuree_id: i64,
    /// The claim's target date (dateTo, else dateFrom).
    pub target_date: Date,
    /// Claim category: H, C, S, D, A or V.
    pub category: Option<String>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
