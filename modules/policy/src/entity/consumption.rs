use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    /// Deductibles and remunerated amounts a claim consumed on a policy (openIMIS `ClaimDedRem`),
    /// pushed by the claim module; one current row per (claim, policy) (D21). Minor units.
    "policy_consumption" {
        uuid: Uuid,
        policy_id: i64,
        insuree_id: i64,
        claim_id: i64,
        ded_g: i64,
        ded_op: i64,
        ded_ip: i64,
        rem_g: i64,
        rem_op: i64,
        rem_ip: i64,
        rem_consult: i64,
        rem_surgery: i64,
        rem_delivery: i64,
        rem_hospitalization: i64,
        rem_antenatal: i64,
    }
}
