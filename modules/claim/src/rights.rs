//! The claim rights (D8), openIMIS's codes (reference §1.9). Each query and mutation checks its
//! right in the service, then the caller's location scope (D9): a claim lies where its health
//! facility lies, and a claim administrator reaches only its own facility's claims.

use imis_core::registry::RightDef;

/// The claims menu.
pub const RIGHT_CLAIMS: i32 = 111000;
/// Search claims (`claims`, `claim`, `validateClaimCode`).
pub const RIGHT_CLAIM_SEARCH: i32 = 111001;
/// Enter a claim (`createClaim`).
pub const RIGHT_CLAIM_ADD: i32 = 111002;
/// Delete entered claims (`deleteClaims`).
pub const RIGHT_CLAIM_DELETE: i32 = 111004;
/// Upload claims.
pub const RIGHT_CLAIM_LOAD: i32 = 111005;
/// Print a claim.
pub const RIGHT_CLAIM_PRINT: i32 = 111006;
/// Submit claims (`submitClaims`).
pub const RIGHT_CLAIM_SUBMIT: i32 = 111007;
/// Review claims (`saveClaimReview`, `deliverClaimsReview`).
pub const RIGHT_CLAIM_REVIEW: i32 = 111008;
/// Deliver feedback (`deliverClaimFeedback`).
pub const RIGHT_CLAIM_FEEDBACK: i32 = 111009;
/// Update claims, select, skip or bypass review and feedback (`updateClaim`, …).
pub const RIGHT_CLAIM_UPDATE: i32 = 111010;
/// Process claims (`processClaims`).
pub const RIGHT_CLAIM_PROCESS: i32 = 111011;
/// Restore a rejected claim (`createClaim` with `restore`).
pub const RIGHT_CLAIM_RESTORE: i32 = 111012;

pub(crate) const RIGHTS: &[RightDef] = imis_core::rights! {
    111000 => "Claims", "Demandes de remboursement";
    111001 => "Claims: search", "Demandes : rechercher";
    111002 => "Claims: add", "Demandes : ajouter";
    111003 => "Claims: edit", "Demandes : modifier";
    111004 => "Claims: delete", "Demandes : supprimer";
    111005 => "Claims: upload", "Demandes : téléverser";
    111006 => "Claims: print", "Demandes : imprimer";
    111007 => "Claims: submit", "Demandes : soumettre";
    111008 => "Claims: review", "Demandes : réviser";
    111009 => "Claims: feedback", "Demandes : retour d'information";
    111010 => "Claims: update", "Demandes : mettre à jour";
    111011 => "Claims: process", "Demandes : traiter";
    111012 => "Claims: restore", "Demandes : restaurer";
};
