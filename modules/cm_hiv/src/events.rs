//! Events the module publishes, inside the transaction of the mutation (and to the outbox), and
//! the insuree module's events it handles.

use futures::future::BoxFuture;
use imis_core::events::{Event, Wiring};
use imis_core::{AppError, AppResult, AppState};
use imis_insuree::api::{INSUREE_DELETED, InsureeDeleted};
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};

/// An insuree received an ART number (`registerArtNumber`) or theirs changed (`changeArtNumber`).
pub const ART_NUMBER_REGISTERED: &str = "cm_hiv.art_number_registered";
/// An insuree's registration ended (`deleteArtRegistration`, or the insuree was deleted).
pub const ART_REGISTRATION_ENDED: &str = "cm_hiv.art_registration_ended";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ArtNumberRegistered {
    pub registration_id: i64,
    pub insuree_id: i64,
    pub health_facility_id: i64,
    pub art_number: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ArtRegistrationEnded {
    pub registration_id: i64,
    pub insuree_id: i64,
}

pub(crate) fn wire(w: &mut Wiring) {
    w.on_in_tx(INSUREE_DELETED, on_insuree_deleted);
}

/// A deleted insuree's registration ends in the same transaction (its number becomes free).
fn on_insuree_deleted<'a>(
    state: &'a AppState,
    tx: &'a DatabaseTransaction,
    e: &'a Event,
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        let deleted: InsureeDeleted =
            serde_json::from_value(e.payload.clone()).map_err(|_| AppError::internal())?;
        let current = crate::service::current_registration_of(tx, deleted.insuree_id).await?;
        let Some(old) = current else {
            return Ok(());
        };
        let ended = crate::service::end_registration(tx, old, state.clock.now(), e.actor).await?;
        state
            .bus
            .publish(
                state,
                tx,
                Event {
                    name: ART_REGISTRATION_ENDED.into(),
                    payload: serde_json::to_value(ended)?,
                    actor: e.actor,
                },
            )
            .await
    })
}
