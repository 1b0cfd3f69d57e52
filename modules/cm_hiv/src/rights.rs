//! The module's one right (D8): the HIV programme register. It is checked on every query and
//! mutation of the module, together with the caller's location scope (D9).

use imis_core::registry::RightDef;

/// Read and keep the HIV programme's ART register and treatment sites.
pub const RIGHT_HIV_REGISTER: i32 = 190001;

pub(crate) const RIGHTS: &[RightDef] = imis_core::rights! {
    190001 => "HIV programme register", "Registre du programme VIH";
};
