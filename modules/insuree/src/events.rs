//! Events the insuree module publishes inside its transactions. The policy module keeps coverage
//! in step with them (D16) through in-transaction handlers; every event also reaches the outbox.

use serde::{Deserialize, Serialize};

/// A member joined a family: `createInsuree`, the head of `createFamily`, the target of
/// `changeInsureeFamily`.
pub const INSUREE_ADDED: &str = "insuree.added";
/// A member left a family (`removeInsurees`, the members of `deleteFamilies` without deletion).
pub const INSUREE_REMOVED: &str = "insuree.removed";
/// A member moved to another family (`changeInsureeFamily`).
pub const INSUREE_MOVED: &str = "insuree.moved";
/// An insuree was deleted (`deleteInsurees`, `deleteFamilies` with members).
pub const INSUREE_DELETED: &str = "insuree.deleted";
/// An insuree's status or status date changed (`updateInsuree`).
pub const INSUREE_STATUS_CHANGED: &str = "insuree.status_changed";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InsureeAdded {
    pub insuree_id: i64,
    pub family_id: i64,
    /// openIMIS `addOnExistingPolicy`: cover the new member on the family's current policies.
    pub add_on_existing_policy: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InsureeRemoved {
    pub insuree_id: i64,
    pub family_id: i64,
    pub cancel_policies: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InsureeMoved {
    pub insuree_id: i64,
    pub from_family_id: Option<i64>,
    pub to_family_id: i64,
    pub cancel_policies: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InsureeDeleted {
    pub insuree_id: i64,
    pub family_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InsureeStatusChanged {
    pub insuree_id: i64,
    pub status: String,
    pub status_date: Option<chrono::NaiveDate>,
}
