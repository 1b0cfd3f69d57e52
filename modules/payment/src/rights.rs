//! The rights the payment module declares (openIMIS contribution, payment and payer codes, D8).

use imis_core::registry::RightDef;

/// Contributions (openIMIS contribution module).
pub const RIGHT_PREMIUM_SEARCH: i32 = 101301;
pub const RIGHT_PREMIUM_ADD: i32 = 101302;
pub const RIGHT_PREMIUM_EDIT: i32 = 101303;
pub const RIGHT_PREMIUM_DELETE: i32 = 101304;
/// Payments.
pub const RIGHT_PAYMENT_SEARCH: i32 = 101401;
pub const RIGHT_PAYMENT_ADD: i32 = 101402;
pub const RIGHT_PAYMENT_EDIT: i32 = 101403;
pub const RIGHT_PAYMENT_DELETE: i32 = 101404;
/// Payers (and funding: adding a funding edits the payer).
pub const RIGHT_PAYER_SEARCH: i32 = 121801;
pub const RIGHT_PAYER_ADD: i32 = 121802;
pub const RIGHT_PAYER_EDIT: i32 = 121803;
pub const RIGHT_PAYER_DELETE: i32 = 121804;
/// The policy module's "edit" right, which a SUSPEND action also needs (D15).
pub const RIGHT_POLICY_EDIT: i32 = imis_policy::api::RIGHT_POLICY_EDIT;

pub const RIGHTS: &[RightDef] = imis_core::rights! {
    101300 => "Contributions", "Contributions";
    101301 => "Contribution search", "Recherche de contributions";
    101302 => "Contribution add", "Ajout de contribution";
    101303 => "Contribution edit", "Modification de contribution";
    101304 => "Contribution delete", "Suppression de contribution";
    101400 => "Payments", "Paiements";
    101401 => "Payment search", "Recherche de paiements";
    101402 => "Payment add", "Ajout de paiement";
    101403 => "Payment edit", "Modification de paiement";
    101404 => "Payment delete", "Suppression de paiement";
    121800 => "Payers", "Payeurs";
    121801 => "Payer search", "Recherche de payeurs";
    121802 => "Payer add", "Ajout de payeur";
    121803 => "Payer edit", "Modification de payeur";
    121804 => "Payer delete", "Suppression de payeur";
};
