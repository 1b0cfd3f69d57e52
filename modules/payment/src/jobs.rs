//! Daily jobs of the payment module, run by the in-process scheduler and by
//! `imis jobs run <name>`; running one twice the same day does no harm.
//!
//! - `payment.match_payments`: matches every received payment (status 4, not matched yet) as
//!   `matchPayments` does, each payment in its own transaction (D26); a payment whose lines are
//!   rejected keeps status 4 with its rejection codes, and is tried again the next day.

use imis_core::registry::JobDef;

pub const JOBS: &[JobDef] = &[JobDef {
    name: "payment.match_payments",
    daily_at_hour: 2,
    run: |state| {
        Box::pin(async move {
            let (seen, matched) = crate::service::matching::match_all(&state).await?;
            Ok(format!("{matched} of {seen} received payments matched"))
        })
    },
}];
