//! `cm_hiv_art_registration`: an insuree's ART (antiretroviral therapy) register number at a
//! treatment site. The current row has no `validity_to`; replaced versions are in the history.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "cm_hiv_art_registration")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    /// The insuree (insuree module), read through `imis_insuree::api`.
    pub insuree_id: i64,
    /// The facility of the treatment site whose code the ART number carries.
    pub health_facility_id: i64,
    /// Normalised (trimmed, upper case) `<site code>/<YYYY>/<NNNNN>`; unique among current rows.
    pub art_number: String,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
