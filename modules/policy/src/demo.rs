//! Demo policies (D30), dated and valued as enrolment computes them: a policy of the community
//! mutual product for 44 of the 50 demo families, enrolled over the last ten months and Idle
//! until the payment module's demo pays most of them; an expired previous-year policy for eight
//! of them (so renewals can be tried); and the zero-contribution fee-exemption product for three
//! families, Active at creation (D15). Officers are the demo enrolment officers of each village.

use crate::scale::{
    NewPolicy, contributory_product, insert_policies, members_by_family, new_policy,
    officers_by_village,
};
use crate::service::{STATUS_ACTIVE, STATUS_EXPIRED, STATUS_IDLE};
use crate::values::Stage;
use futures::future::BoxFuture;
use imis_core::AppState;
use imis_core::error::AppResult;

pub fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        let Ok(mutual) = contributory_product(&*tx).await else {
            return Ok(());
        };
        let free = imis_product::api::current_product_by_code(&*tx, "VIH01").await?;
        let mut families: Vec<(i64, i64)> = vec![];
        loop {
            let after = families.last().map_or(0, |f| f.0);
            let page = imis_insuree::api::families_page(&*tx, after, 1000, None).await?;
            if page.is_empty() {
                break;
            }
            families.extend(page.into_iter().map(|f| (f.id, f.location_id)));
        }
        if families.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = families.iter().map(|f| f.0).collect();
        let members = members_by_family(&*tx, &ids).await?;
        let officers = officers_by_village(&*tx).await?;
        let today = state.clock.today();
        let majority = state.config.core.age_of_majority;
        let mut policies: Vec<NewPolicy> = vec![];
        for (i, (family, village)) in families.iter().enumerate() {
            let Some(m) = members.get(family) else {
                continue;
            };
            let officer = officers.get(village).copied();
            if i < 44 {
                let mut previous_expiry = None;
                if i < 8 {
                    let enroll = today - chrono::Duration::days(600 + 9 * i as i64);
                    let old = new_policy(
                        &mutual,
                        *family,
                        officer,
                        m,
                        Stage::New,
                        enroll,
                        None,
                        STATUS_EXPIRED,
                        (1, 1),
                        majority,
                    );
                    previous_expiry = Some(old.expiry_date);
                    if old.expiry_date < today {
                        policies.push(old);
                    } else {
                        previous_expiry = None;
                    }
                }
                let enroll = today - chrono::Duration::days(7 * i as i64);
                let stage = if previous_expiry.is_some() {
                    Stage::Renewal
                } else {
                    Stage::New
                };
                let p = new_policy(
                    &mutual,
                    *family,
                    officer,
                    m,
                    stage,
                    enroll,
                    previous_expiry,
                    STATUS_IDLE,
                    (0, 1),
                    majority,
                );
                policies.push(p);
            }
            if let Some(free) = &free
                && (45..48).contains(&i)
            {
                let enroll = today - chrono::Duration::days(30);
                policies.push(new_policy(
                    free,
                    *family,
                    officer,
                    m,
                    Stage::New,
                    enroll,
                    None,
                    STATUS_ACTIVE,
                    (1, 1),
                    majority,
                ));
            }
        }
        // The payment module's demo records the contributions (and their facts) itself.
        for p in &mut policies {
            p.paid = 0;
        }
        insert_policies(&*tx, &policies, today, state.clock.now()).await?;
        tx.commit().await?;
        Ok(())
    })
}
