//! `claim_feedback_prompt`: a request to an enrolment officer to collect feedback on a claim,
//! made when the claim is selected for feedback (openIMIS `tblFeedbackPrompt`, reference §1.6.3).

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "claim_feedback_prompt" {
        uuid: Uuid,
        claim_id: i64,
        feedback_prompt_date: Date,
        /// The enrolment officer (core user) asked to collect it.
        officer_id: Option<i64>,
        phone_number: Option<String>,
        sms_status: Option<i32>,
    }
}
