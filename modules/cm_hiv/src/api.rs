//! The HIV programme module's public API: what other modules may use. Owned summaries, never the
//! module's models.
//!
//! - [`art_registration_of_insuree`]: an insuree's current ART registration (e.g. a claim module
//!   exempting ART patients from user fees);
//! - [`insurees_with_art_number`]: the same as a sub-query of insuree ids, for set-based work;
//! - [`check_art_number`]: the programme's ART number format;
//! - the events the module publishes and the right it declares.

use crate::entity::art_registration;
use chrono::{DateTime, Utc};
use imis_core::AppResult;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Query, SelectStatement};
use uuid::Uuid;

pub use crate::events::{
    ART_NUMBER_REGISTERED, ART_REGISTRATION_ENDED, ArtNumberRegistered, ArtRegistrationEnded,
};
pub use crate::rights::RIGHT_HIV_REGISTER;

/// What other modules know of an ART registration (the current version).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArtRegistrationSummary {
    pub id: i64,
    pub uuid: Uuid,
    pub insuree_id: i64,
    /// The treatment site's health facility.
    pub health_facility_id: i64,
    /// `<site code>/<YYYY>/<NNNNN>`.
    pub art_number: String,
    pub validity_from: DateTime<Utc>,
}

impl From<art_registration::Model> for ArtRegistrationSummary {
    fn from(m: art_registration::Model) -> Self {
        Self {
            id: m.id,
            uuid: m.uuid,
            insuree_id: m.insuree_id,
            health_facility_id: m.health_facility_id,
            art_number: m.art_number,
            validity_from: m.validity_from,
        }
    }
}

/// The insuree's current ART registration (no rights check: the caller decides).
pub async fn art_registration_of_insuree(
    conn: &impl ConnectionTrait,
    insuree_id: i64,
) -> AppResult<Option<ArtRegistrationSummary>> {
    Ok(crate::service::current_registration_of(conn, insuree_id)
        .await?
        .map(Into::into))
}

/// The ids of the insurees with a current ART registration, as a sub-query
/// (`Expr::col(..).in_subquery(insurees_with_art_number())`).
pub fn insurees_with_art_number() -> SelectStatement {
    Query::select()
        .column(art_registration::Column::InsureeId)
        .from(art_registration::Entity)
        .and_where(imis_core::kit::current::<art_registration::Entity>())
        .to_owned()
}

/// The normalised ART number (`<site code>/<YYYY>/<NNNNN>`, see the crate documentation), or the
/// error `cm_hiv.art_number_invalid`; `this_year` is the current year.
pub fn check_art_number(number: &str, this_year: i32) -> AppResult<String> {
    crate::service::parse_art_number(number, this_year).map(|n| n.number)
}
