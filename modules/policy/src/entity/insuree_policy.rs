use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    /// Coverage of one insuree by one policy (openIMIS `InsureePolicy`, D16).
    "policy_insuree_policy" {
        uuid: Uuid,
        insuree_id: i64,
        policy_id: i64,
        enrollment_date: Date,
        start_date: Date,
        /// Empty until the member's contribution is paid.
        effective_date: Option<Date>,
        expiry_date: Date,
        is_offline: bool,
    }
}
