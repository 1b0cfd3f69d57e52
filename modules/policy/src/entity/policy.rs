use sea_orm::entity::prelude::*;

/// A policy: a family's enrolment in a product for one insurance period (reference §7.1).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "policy_policy")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub family_id: i64,
    /// The product's current row id (its version in force is looked up by date).
    pub product_id: i64,
    /// The enrolment officer (a core user of the officer kind).
    pub officer_id: Option<i64>,
    pub enroll_date: Date,
    pub start_date: Date,
    pub effective_date: Option<Date>,
    pub expiry_date: Date,
    /// `N` new, `R` renewal.
    pub stage: String,
    /// 1 Idle, 2 Active, 4 Suspended, 8 Expired, 16 Ready.
    pub status: i32,
    /// The policy a renewal renews.
    pub previous_policy_id: Option<i64>,
    /// Contribution due, in minor units.
    pub value: i64,
    /// Σ of the policy's valid premiums that are not photo fees, pushed by the payment module.
    pub paid: i64,
    /// Σ of the matched payment amounts, pushed by the payment module.
    pub matched: i64,
    pub is_offline: bool,
    pub contribution_plan_uuid: Option<Uuid>,
    pub creation_date: Date,
    pub json_ext: Option<String>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
