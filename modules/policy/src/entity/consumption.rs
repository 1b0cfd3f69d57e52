use sea_orm::entity::prelude::*;

/// Deductibles and remunerated amounts a claim consumed on a policy (openIMIS `ClaimDedRem`),
/// pushed by the claim module; one current row per (claim, policy) (D21). Minor units.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "policy_consumption")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub policy_id: i64,
    pub insuree_id: i64,
    pub claim_id: i64,
    pub ded_g: i64,
    pub ded_op: i64,
    pub ded_ip: i64,
    pub rem_g: i64,
    pub rem_op: i64,
    pub rem_ip: i64,
    pub rem_consult: i64,
    pub rem_surgery: i64,
    pub rem_delivery: i64,
    pub rem_hospitalization: i64,
    pub rem_antenatal: i64,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
