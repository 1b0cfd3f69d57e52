//! Demo data (D30): 50 families of 1–8 members spread over the demo villages, with French names
//! and valid insurance numbers (9 digits, modulo 7 — the classic openIMIS rule).

use futures::future::BoxFuture;
use imis_core::AppState;
use imis_core::error::AppResult;

pub fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        let villages = imis_core::registers::location_ids_of_type(&*tx, "V").await?;
        if villages.is_empty() {
            return Ok(());
        }
        let mut rng = crate::scale::Rng::new(2026);
        let mut base = 10_000_000u64;
        let today = state.clock.today();
        let now = state.clock.now();
        for i in 0..50 {
            let members = crate::scale::family_members(&mut rng, &mut base, today);
            crate::scale::insert_family(&*tx, villages[i % villages.len()], &members, now).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}
