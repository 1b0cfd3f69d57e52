//! Mutation inputs and their conversion to the service inputs.

use super::*;

/// openIMIS `PhotoInputType`.
#[derive(InputObject, Clone, Debug, serde::Serialize)]
#[graphql(name = "PhotoInputType")]
pub struct PhotoInputType {
    pub id: Option<i64>,
    pub uuid: Option<String>,
    pub date: Option<Date>,
    pub officer_id: Option<i64>,
    #[serde(skip)]
    pub photo: Option<String>,
    pub filename: Option<String>,
    pub folder: Option<String>,
}

/// The insuree fields (openIMIS `InsureeBase`); the head of `createFamily` uses them as is.
#[derive(InputObject, Clone, Debug, serde::Serialize)]
#[graphql(name = "FamilyHeadInsureeInputType")]
pub struct InsureeFields {
    pub id: Option<i64>,
    pub uuid: Option<String>,
    pub chf_id: Option<String>,
    pub last_name: String,
    pub other_names: String,
    pub gender_id: String,
    pub dob: Date,
    pub head: Option<bool>,
    pub marital: Option<String>,
    pub passport: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub current_address: Option<String>,
    pub geolocation: Option<String>,
    pub current_village_id: Option<i64>,
    pub photo_id: Option<i64>,
    pub photo_date: Option<Date>,
    pub photo: Option<PhotoInputType>,
    pub card_issued: Option<bool>,
    pub family_id: Option<i64>,
    pub relationship_id: Option<i32>,
    pub profession_id: Option<i32>,
    pub education_id: Option<i32>,
    pub type_of_id_id: Option<String>,
    pub health_facility_id: Option<i64>,
    pub offline: Option<bool>,
    pub json_ext: Option<JsonString>,
    pub status: Option<String>,
    pub status_reason: Option<String>,
    pub status_date: Option<Date>,
}

impl InsureeFields {
    pub(crate) fn to_service(&self) -> AppResult<InsureeInput> {
        Ok(InsureeInput {
            uuid: opt_uuid(&self.uuid, "uuid")?,
            chf_id: self.chf_id.clone().unwrap_or_default(),
            last_name: self.last_name.clone(),
            other_names: self.other_names.clone(),
            gender: self.gender_id.clone(),
            dob: Some(self.dob.0),
            marital: non_empty(&self.marital),
            passport: non_empty(&self.passport),
            phone: non_empty(&self.phone),
            email: non_empty(&self.email),
            current_address: non_empty(&self.current_address),
            geolocation: non_empty(&self.geolocation),
            current_village_id: self.current_village_id,
            photo: self.photo.as_ref().map(|p| PhotoInput {
                base64: p.photo.clone(),
                date: p.date.map(|d| d.0),
                officer_id: p.officer_id,
            }),
            card_issued: self.card_issued.unwrap_or(false),
            family_id: self.family_id,
            relationship: self.relationship_id,
            profession: self.profession_id,
            education: self.education_id,
            type_of_id: non_empty(&self.type_of_id_id),
            health_facility_id: self.health_facility_id,
            offline: self.offline.unwrap_or(false),
            json_ext: self.json_ext.as_ref().map(|j| j.0.to_string()),
            status: non_empty(&self.status),
            status_reason: non_empty(&self.status_reason),
            status_date: self.status_date.map(|d| d.0),
        })
    }
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "CreateInsureeMutationInput")]
pub struct CreateInsureeMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    #[graphql(flatten)]
    pub fields: InsureeFields,
    pub add_on_existing_policy: Option<bool>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "UpdateInsureeMutationInput")]
pub struct UpdateInsureeMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    #[graphql(flatten)]
    pub fields: InsureeFields,
    pub add_on_existing_policy: Option<bool>,
}

/// The family fields `createFamily` and `updateFamily` share (openIMIS `FamilyBase`); flattened
/// into both inputs, on the wire and in the logged input alike.
#[derive(InputObject, serde::Serialize)]
pub struct FamilyFields {
    pub id: Option<i64>,
    pub uuid: Option<String>,
    pub location_id: Option<i64>,
    pub poverty: Option<bool>,
    pub family_type_id: Option<String>,
    pub address: Option<String>,
    pub is_offline: Option<bool>,
    pub ethnicity: Option<String>,
    pub confirmation_no: Option<String>,
    pub confirmation_type_id: Option<String>,
    pub json_ext: Option<JsonString>,
    pub contribution: Option<JsonString>,
    pub head_insuree: Option<InsureeFields>,
}

impl FamilyFields {
    pub(crate) fn to_service(&self) -> AppResult<FamilyInput> {
        Ok(FamilyInput {
            uuid: opt_uuid(&self.uuid, "uuid")?,
            location_id: self
                .location_id
                .ok_or_else(|| AppError::invalid("locationId", "required"))?,
            poverty: self.poverty,
            family_type: non_empty(&self.family_type_id),
            address: non_empty(&self.address),
            is_offline: self.is_offline.unwrap_or(false),
            ethnicity: non_empty(&self.ethnicity),
            confirmation_no: non_empty(&self.confirmation_no),
            confirmation_type: non_empty(&self.confirmation_type_id),
            json_ext: self.json_ext.as_ref().map(|j| j.0.to_string()),
            head: self
                .head_insuree
                .as_ref()
                .map(InsureeFields::to_service)
                .transpose()?,
        })
    }
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "CreateFamilyMutationInput")]
pub struct CreateFamilyMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: FamilyFields,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "UpdateFamilyMutationInput")]
pub struct UpdateFamilyMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    #[graphql(flatten)]
    #[serde(flatten)]
    pub fields: FamilyFields,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "DeleteFamiliesMutationInput")]
pub struct DeleteFamiliesMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuids: Option<Vec<String>>,
    #[graphql(default = false)]
    pub delete_members: bool,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "DeleteInsureesMutationInput")]
pub struct DeleteInsureesMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub uuids: Option<Vec<String>>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "RemoveInsureesMutationInput")]
pub struct RemoveInsureesMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub uuids: Option<Vec<String>>,
    #[graphql(default = false)]
    pub cancel_policies: bool,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "SetFamilyHeadMutationInput")]
pub struct SetFamilyHeadMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub uuid: Option<String>,
    pub insuree_uuid: Option<String>,
}

#[derive(InputObject, serde::Serialize)]
#[graphql(name = "ChangeInsureeFamilyMutationInput")]
pub struct ChangeInsureeFamilyMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub family_uuid: Option<String>,
    pub insuree_uuid: Option<String>,
    #[graphql(default = false)]
    pub cancel_policies: bool,
}

mutation_payload!(CreateFamilyMutationPayload);
mutation_payload!(UpdateFamilyMutationPayload);
mutation_payload!(DeleteFamiliesMutationPayload);
mutation_payload!(CreateInsureeMutationPayload);
mutation_payload!(UpdateInsureeMutationPayload);
mutation_payload!(DeleteInsureesMutationPayload);
mutation_payload!(RemoveInsureesMutationPayload);
mutation_payload!(SetFamilyHeadMutationPayload);
mutation_payload!(ChangeInsureeFamilyMutationPayload);

pub(crate) fn uuid_list(list: &Option<Vec<String>>) -> AppResult<Vec<uuid::Uuid>> {
    list.iter()
        .flatten()
        .map(|u| parse_uuid(u, "uuids"))
        .collect()
}

pub(crate) fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<uuid::Uuid>> {
    v.as_deref()
        .filter(|u| !u.is_empty())
        .map(|u| parse_uuid(u, field))
        .transpose()
}

/// A uuid the mutation cannot do without.
pub(crate) fn required_uuid(v: &Option<String>, field: &str) -> AppResult<uuid::Uuid> {
    opt_uuid(v, field)?.ok_or_else(|| AppError::invalid(field, "required"))
}

/// An optional text input, where openIMIS clients send `""` for "none".
fn non_empty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|v| !v.is_empty())
}
