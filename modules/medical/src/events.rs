//! Events the medical module publishes, with their typed payloads, and the handlers of other
//! modules' events it subscribes to.
//!
//! Published inside the deleting transaction (in-transaction handlers of other modules may veto
//! the delete; the outbox delivers them after commit too):
//! - [`EVENT_ITEM_DELETED`] with [`ItemDeleted`], once per deleted item;
//! - [`EVENT_SERVICE_DELETED`] with [`ServiceDeleted`], once per deleted service.
//!
//! Handled: the core's in-transaction `health_facility.saving`
//! ([`crate::service::on_facility_saving`], wired in `lib.rs`), which validates and stores the
//! price lists of a facility.

use serde::{Deserialize, Serialize};

/// Published inside the transaction of `deleteItem`, once per item.
pub const EVENT_ITEM_DELETED: &str = "medical.item_deleted";
/// Published inside the transaction of `deleteService`, once per service.
pub const EVENT_SERVICE_DELETED: &str = "medical.service_deleted";

/// Payload of [`EVENT_ITEM_DELETED`]: `{"itemId": i64}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemDeleted {
    pub item_id: i64,
}

/// Payload of [`EVENT_SERVICE_DELETED`]: `{"serviceId": i64}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDeleted {
    pub service_id: i64,
}

/// The JSON payload of a typed event (serialising these plain structs cannot fail).
pub(crate) fn payload<T: Serialize>(event: &T) -> serde_json::Value {
    serde_json::to_value(event).unwrap_or_default()
}
