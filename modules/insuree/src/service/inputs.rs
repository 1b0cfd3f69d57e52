//! The service inputs of families, insurees and photos (what the GraphQL inputs convert to).

use super::*;

/// A photo sent as base64 (openIMIS `PhotoInputType`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PhotoInput {
    pub base64: Option<String>,
    pub date: Option<NaiveDate>,
    pub officer_id: Option<i64>,
}

/// The fields of an insuree (openIMIS `InsureeBase`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct InsureeInput {
    pub uuid: Option<Uuid>,
    pub chf_id: String,
    pub last_name: String,
    pub other_names: String,
    pub gender: String,
    pub dob: Option<NaiveDate>,
    pub marital: Option<String>,
    pub passport: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub current_address: Option<String>,
    pub geolocation: Option<String>,
    pub current_village_id: Option<i64>,
    pub photo: Option<PhotoInput>,
    pub card_issued: bool,
    pub family_id: Option<i64>,
    pub relationship: Option<i32>,
    pub profession: Option<i32>,
    pub education: Option<i32>,
    pub type_of_id: Option<String>,
    pub health_facility_id: Option<i64>,
    pub offline: bool,
    pub json_ext: Option<String>,
    pub status: Option<String>,
    pub status_reason: Option<String>,
    pub status_date: Option<NaiveDate>,
}

/// The fields of a family (openIMIS `FamilyBase`) with its head.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FamilyInput {
    pub uuid: Option<Uuid>,
    pub location_id: i64,
    pub poverty: Option<bool>,
    pub family_type: Option<String>,
    pub address: Option<String>,
    pub is_offline: bool,
    pub ethnicity: Option<String>,
    pub confirmation_no: Option<String>,
    pub confirmation_type: Option<String>,
    pub json_ext: Option<String>,
    pub head: Option<InsureeInput>,
}
