use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    /// A policy: a family's enrolment in a product for one insurance period (reference §7.1).
    "policy_policy" {
        uuid: Uuid,
        family_id: i64,
        /// The product's current row id (its version in force is looked up by date).
        product_id: i64,
        /// The enrolment officer (a core user of the officer kind).
        officer_id: Option<i64>,
        enroll_date: Date,
        start_date: Date,
        effective_date: Option<Date>,
        expiry_date: Date,
        /// `N` new, `R` renewal.
        stage: String,
        /// 1 Idle, 2 Active, 4 Suspended, 8 Expired, 16 Ready.
        status: i32,
        /// The policy a renewal renews.
        previous_policy_id: Option<i64>,
        /// Contribution due, in minor units.
        value: i64,
        /// Σ of the policy's valid premiums that are not photo fees, pushed by the payment module.
        paid: i64,
        /// Σ of the matched payment amounts, pushed by the payment module.
        matched: i64,
        is_offline: bool,
        contribution_plan_uuid: Option<Uuid>,
        creation_date: Date,
        json_ext: Option<String>,
    }
}
