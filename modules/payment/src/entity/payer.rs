//! `payment_payer`: a third party paying contributions or funding products (openIMIS
//! `tblPayer`, reference §9). History in `core_history` under `payer`; deletes are soft.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "payment_payer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    /// `C` co-operative, `D` donor, `G` government, `L` local authority, `O` other, `P` private
    /// organisation.
    pub payer_type: String,
    pub name: String,
    /// `name` folded (lower case, no accents) for searches (D19).
    pub name_search: String,
    pub address: Option<String>,
    pub location_id: i64,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
