//! The rights the policy module declares (openIMIS codes, D8), and the other modules' rights it
//! honours (the facility desk's, D9).

use imis_core::registry::RightDef;

pub const RIGHT_POLICY_SEARCH: i32 = 101201;
pub const RIGHT_POLICY_ADD: i32 = 101202;
pub const RIGHT_POLICY_EDIT: i32 = 101203;
pub const RIGHT_POLICY_DELETE: i32 = 101204;
pub const RIGHT_POLICY_RENEW: i32 = 101205;
/// Rights of the facility desk: exact insurance-number look-ups ignore location (D9).
pub const DESK_RIGHTS: &[i32] = &[101105, 111001, 111002];
/// Policy search or a facility-desk right.
pub const SEARCH_OR_DESK: &[i32] = &[RIGHT_POLICY_SEARCH, 101105, 111001, 111002];

pub(crate) const RIGHTS: &[RightDef] = imis_core::rights! {
    101200 => "Policies", "Polices";
    101201 => "Policy search", "Recherche de polices";
    101202 => "Policy add", "Ajout de police";
    101203 => "Policy edit", "Modification de police";
    101204 => "Policy delete", "Suppression de police";
    101205 => "Policy renew", "Renouvellement de police";
};
