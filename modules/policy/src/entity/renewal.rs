use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    /// A renewal reminder (openIMIS `PolicyRenewal`, reference §7.9).
    "policy_renewal" {
        uuid: Uuid,
        renewal_prompt_date: Date,
        renewal_date: Date,
        new_officer_id: Option<i64>,
        phone_number: Option<String>,
        sms_status: i32,
        /// The family head.
        insuree_id: i64,
        policy_id: i64,
        new_product_id: i64,
        /// Bit mask: 1 no valid product, 2 no officer, 4 officer no longer working on the renewal date.
        renewal_warnings: i32,
        response_status: Option<i32>,
        response_date: Option<DateTimeUtc>,
    }
}
