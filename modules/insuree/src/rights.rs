//! The insuree module's rights (openIMIS codes, reference §1.5): families 101001–101004,
//! insurees 101101–101105.

use imis_core::registry::RightDef;

pub const RIGHT_FAMILY_SEARCH: i32 = 101001;
pub const RIGHT_FAMILY_ADD: i32 = 101002;
pub const RIGHT_FAMILY_EDIT: i32 = 101003;
pub const RIGHT_FAMILY_DELETE: i32 = 101004;
pub const RIGHT_INSUREE_SEARCH: i32 = 101101;
pub const RIGHT_INSUREE_ADD: i32 = 101102;
pub const RIGHT_INSUREE_EDIT: i32 = 101103;
pub const RIGHT_INSUREE_DELETE: i32 = 101104;
pub const RIGHT_INSUREE_ENQUIRE: i32 = 101105;
/// Claim search and claim add (the claim module's codes): the facility desk looks insurees up
/// by number (D9 exception), so these rights open the exact number look-up too.
pub const RIGHTS_DESK_LOOKUP: &[i32] = &[RIGHT_INSUREE_ENQUIRE, 111001, 111002];

/// What the descriptor registers.
pub(crate) const RIGHTS: &[RightDef] = imis_core::rights! {
    101000 => "Families", "Familles";
    101001 => "Family search", "Recherche de familles";
    101002 => "Family add", "Ajout de famille";
    101003 => "Family edit", "Modification de famille";
    101004 => "Family delete", "Suppression de famille";
    101100 => "Insurees", "Assurés";
    101101 => "Insuree search", "Recherche d'assurés";
    101102 => "Insuree add", "Ajout d'assuré";
    101103 => "Insuree edit", "Modification d'assuré";
    101104 => "Insuree delete", "Suppression d'assuré";
    101105 => "Insuree enquire", "Consultation d'assuré";
};
