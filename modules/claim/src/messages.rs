//! The module's error codes with their English and French texts (D6), one section per part of
//! the module. `tests/tests/messages.rs` fails when a code the source returns has no text here.

#[rustfmt::skip]
pub(crate) const MESSAGES: &[(&str, &str, &str)] = &[
    // -- entry (codes, create, update, delete, restore)
    ("claim.code_taken", "Claim code {code} is already used by another claim.", "Le code de demande {code} est déjà utilisé par une autre demande."),
    ("claim.not_editable", "Claim {code} can no longer be changed: only entered and checked claims can.", "La demande {code} ne peut plus être modifiée : seules les demandes saisies ou vérifiées le peuvent."),
    ("claim.not_deletable", "Claim {code} cannot be deleted: only entered claims can.", "La demande {code} ne peut pas être supprimée : seules les demandes saisies le peuvent."),
    // -- end entry
    // -- submission
    // -- end submission
    // -- review and feedback
    // -- end review and feedback
    // -- processing
    // -- end processing
];
