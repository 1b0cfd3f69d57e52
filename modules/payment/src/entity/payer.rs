//! `payment_payer`: a third party paying contributions or funding products (openIMIS
//! `tblPayer`, reference §9). History in `core_history` under `payer`; deletes are soft.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "payment_payer" {
        uuid: Uuid,
        /// `C` co-operative, `D` donor, `G` government, `L` local authority, `O` other, `P` private
        /// organisation.
        payer_type: String,
        name: String,
        /// `name` folded (lower case, no accents) for searches (D19).
        name_search: String,
        address: Option<String>,
        location_id: i64,
        phone: Option<String>,
        fax: Option<String>,
        email: Option<String>,
    }
}
