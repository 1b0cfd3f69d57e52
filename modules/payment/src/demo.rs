//! Demo data (D30), seeded after the policy module's demo policies:
//!
//! - two payers: the Ministry of Public Health (government, region Littoral `R0001`) and the
//!   donor "Fondation Santé pour Tous" (district `D0001`), with a funding of the ministry to
//!   the community mutual product `MUT01`;
//! - contributions on the demo policies that are Idle when this seed runs: most receive their
//!   full value (the policy module then activates them under the configured activation option),
//!   one receives half its value, every sixth receives nothing. Receipts follow the `isPaid`
//!   pattern `RE-<productCode>-<enrollDate>-<n>`; some premiums name a payer.
//!
//! With no demo policy (or no demo locations) the corresponding part is skipped.

use crate::entity::{funding, payer};
use crate::service::premiums::{NewPremium, auto_receipt, insert_premium, record};
use futures::future::BoxFuture;
use imis_core::AppState;
use imis_core::error::AppResult;
use imis_core::kit::insert_version;
use imis_core::money::Money;
use imis_policy::api::{PremiumAction, STATUS_IDLE};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, Set};
use uuid::Uuid;

async fn location_id(conn: &impl ConnectionTrait, code: &str) -> AppResult<Option<i64>> {
    imis_core::registers::location_id_by_code(conn, code).await
}

pub fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        let now = state.clock.now();
        let today = state.clock.today();
        let digits = state.config.core.currency_minor_digits;
        let mut payers: Vec<i64> = vec![];
        for (kind, name, place, phone, email) in [
            (
                "G",
                "Ministère de la Santé Publique",
                "R0001",
                "+237 222 23 40 19",
                "contact@minsante.example",
            ),
            (
                "D",
                "Fondation Santé pour Tous",
                "D0001",
                "+237 699 12 34 56",
                "dons@sante-pour-tous.example",
            ),
        ] {
            let Some(location) = location_id(&*tx, place).await? else {
                continue;
            };
            let p = insert_version(
                &*tx,
                payer::ActiveModel {
                    uuid: Set(Uuid::now_v7()),
                    payer_type: Set(kind.into()),
                    name: Set(name.into()),
                    name_search: Set(imis_core::text::fold(name)),
                    address: Set(Some("Douala".into())),
                    location_id: Set(location),
                    phone: Set(Some(phone.into())),
                    fax: Set(None),
                    email: Set(Some(email.into())),
                    ..Default::default()
                },
                now,
                None,
            )
            .await?;
            payers.push(p.id);
        }
        if let (Some(gov), Some(product)) = (
            payers.first(),
            imis_product::api::current_product_by_code(&*tx, "MUT01").await?,
        ) {
            insert_version(
                &*tx,
                funding::ActiveModel {
                    uuid: Set(Uuid::now_v7()),
                    payer_id: Set(*gov),
                    product_id: Set(product.id),
                    amount: Set(Money::from_decimal(Decimal::from(2_500_000), digits)?.0),
                    pay_date: Set(today),
                    receipt: Set("FD-MINSANTE-0001".into()),
                    status: Set("P".into()),
                    json_ext: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                    created_by: Set(None),
                    ..Default::default()
                },
                now,
                None,
            )
            .await?;
        }
        let policies = imis_policy::api::current_policies_with_status(&*tx, STATUS_IDLE).await?;
        let mut partial_done = false;
        for (i, pol) in policies.iter().enumerate() {
            if pol.value <= 0 || i % 6 == 5 {
                continue;
            }
            let partial = !partial_done && i % 6 == 1;
            partial_done |= partial;
            let amount = if partial {
                (pol.value / 2).max(1)
            } else {
                pol.value
            };
            let opened =
                imis_policy::api::open_policy_by_id_for_contribution(&state, &tx, None, pol.id)
                    .await?;
            let receipt = auto_receipt(
                &*tx,
                pol.product_id,
                &opened.terms.product_code,
                pol.enroll_date,
            )
            .await?;
            let payer_id = match i % 4 {
                2 => payers.get(1).copied(),
                3 => payers.first().copied(),
                _ => None,
            };
            insert_premium(
                &state,
                &tx,
                None,
                NewPremium {
                    payer_id,
                    pay_type: ["C", "M", "B"][i % 3].into(),
                    ..NewPremium::cash(pol, amount, receipt, pol.enroll_date.min(today))
                },
            )
            .await?;
            record(
                &state,
                &tx,
                None,
                pol.id,
                pol.enroll_date.min(today),
                PremiumAction::Wait,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
}
