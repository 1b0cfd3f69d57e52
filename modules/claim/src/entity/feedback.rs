//! `claim_feedback`: what an enrolment officer collected from the insuree about a claim (openIMIS
//! `tblFeedback`, reference §1.1); one current row per claim.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "claim_feedback" {
        uuid: Uuid,
        claim_id: i64,
        care_rendered: Option<bool>,
        payment_asked: Option<bool>,
        drug_prescribed: Option<bool>,
        drug_received: Option<bool>,
        /// openIMIS `asessment`: −1 to 5.
        asessment: Option<i32>,
        /// The enrolment officer (core user) who collected it.
        officer_id: Option<i64>,
        feedback_date: Option<Date>,
    }
}
