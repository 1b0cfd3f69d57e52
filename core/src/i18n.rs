//! English and French messages for every error code (D6). Modules add their own entries through
//! the `messages` field of their descriptor; the catalogue is built once from all linked modules.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use crate::error::AppError;
/// (code, English, French). `{name}` is replaced by the parameter of that name.
pub use crate::state::Message;

pub const CORE_MESSAGES: &[Message] = &[
    (
        "internal",
        "An internal error occurred; it has been logged.",
        "Une erreur interne s'est produite ; elle a été journalisée.",
    ),
    ("not_found", "{entity} not found.", "{entity} introuvable."),
    (
        "input.invalid",
        "Invalid value for {field}: {reason}.",
        "Valeur invalide pour {field} : {reason}.",
    ),
    (
        "input.invalid_id",
        "Invalid identifier {id}.",
        "Identifiant invalide {id}.",
    ),
    (
        "input.page_too_large",
        "At most {max} rows can be requested at once.",
        "On ne peut demander plus de {max} lignes à la fois.",
    ),
    (
        "request.too_complex",
        "The request is too costly: its complexity {complexity} exceeds {max} (each list counts its page size).",
        "La requête est trop coûteuse : sa complexité {complexity} dépasse {max} (chaque liste compte sa taille de page).",
    ),
    (
        "request.too_deep",
        "The request is nested deeper than {max} levels.",
        "La requête est imbriquée sur plus de {max} niveaux.",
    ),
    (
        "request.batch_too_large",
        "A batch may hold at most {max} operations.",
        "Un lot peut contenir au plus {max} opérations.",
    ),
    (
        "request.unsupported_media_type",
        "The request body must be JSON (Content-Type: application/json) or GraphQL (application/graphql).",
        "Le corps de la requête doit être en JSON (Content-Type: application/json) ou GraphQL (application/graphql).",
    ),
    (
        "request.introspection_disabled",
        "Schema introspection is closed to anonymous callers.",
        "L'introspection du schéma est fermée aux appelants anonymes.",
    ),
    (
        "input.invalid_cursor",
        "Invalid cursor.",
        "Curseur invalide.",
    ),
    (
        "input.invalid_order",
        "Cannot order by {field}.",
        "Impossible de trier par {field}.",
    ),
    ("auth.unauthenticated", "unauthorized", "unauthorized"),
    (
        "auth.permission_denied",
        "User not authorized for this operation",
        "User not authorized for this operation",
    ),
    (
        "auth.location_denied",
        "This record lies outside your locations.",
        "Cet enregistrement est hors de vos localités.",
    ),
    (
        "auth.invalid_credentials",
        "INCORRECT_CREDENTIALS",
        "INCORRECT_CREDENTIALS",
    ),
    (
        "auth.locked_out",
        "Too many failed logins: this username is locked for {minutes} minutes.",
        "Trop d'échecs de connexion : cet identifiant est bloqué pendant {minutes} minutes.",
    ),
    ("auth.token_invalid", "Invalid token.", "Jeton invalide."),
    (
        "auth.token_expired",
        "Signature has expired",
        "Signature has expired",
    ),
    (
        "auth.token_revoked",
        "Token has been revoked.",
        "Le jeton a été révoqué.",
    ),
    (
        "auth.token_required",
        "Token is required",
        "Token is required",
    ),
    ("auth.csrf_no_session", "csrftoken", "csrftoken"),
    ("auth.csrf_missing", "HTTP_X_CSRFTOKEN", "HTTP_X_CSRFTOKEN"),
    (
        "auth.csrf_mismatch",
        "CSRF token missing or incorrect.",
        "CSRF token missing or incorrect.",
    ),
    (
        "auth.wrong_old_password",
        "The old password is wrong.",
        "L'ancien mot de passe est incorrect.",
    ),
    (
        "auth.password_policy",
        "The password does not meet the policy: {reason}.",
        "Le mot de passe ne respecte pas la politique : {reason}.",
    ),
    (
        "mutation.client_id_reused",
        "clientMutationId {clientMutationId} was already used with another input.",
        "Le clientMutationId {clientMutationId} a déjà été utilisé avec une autre saisie.",
    ),
    (
        "demo.refused_in_production",
        "Demo data cannot be seeded in production.",
        "Les données de démonstration ne peuvent pas être chargées en production.",
    ),
    (
        "module.disabled",
        "Module {module} is not enabled.",
        "Le module {module} n'est pas activé.",
    ),
    (
        "conflict.uuid_exists",
        "An entity with uuid {uuid} already exists with other content.",
        "Une entité d'uuid {uuid} existe déjà avec un autre contenu.",
    ),
    (
        "history.read_only",
        "A historical version cannot be changed.",
        "Une version historique ne peut pas être modifiée.",
    ),
    (
        "user.username_taken",
        "Username {username} is already taken.",
        "L'identifiant {username} est déjà pris.",
    ),
    (
        "user.username_too_long",
        "Username is longer than {max} characters.",
        "L'identifiant dépasse {max} caractères.",
    ),
    (
        "user.username_not_changeable",
        "Usernames cannot be changed.",
        "Les identifiants ne peuvent pas être modifiés.",
    ),
    (
        "user.email_invalid",
        "Invalid e-mail address.",
        "Adresse électronique invalide.",
    ),
    (
        "user.email_taken",
        "E-mail {email} is already used.",
        "L'adresse {email} est déjà utilisée.",
    ),
    (
        "user.email_required",
        "An e-mail address is required.",
        "Une adresse électronique est obligatoire.",
    ),
    (
        "user.roles_required",
        "An interactive user needs at least one role.",
        "Un utilisateur interactif doit avoir au moins un rôle.",
    ),
    (
        "user.cannot_remove_own_admin",
        "You cannot remove the IMIS Administrator role from yourself.",
        "Vous ne pouvez pas retirer votre propre rôle d'administrateur IMIS.",
    ),
    (
        "user.target_outranks_caller",
        "You may manage only users whose rights you hold yourself and who are not IMIS Administrators.",
        "Vous ne pouvez gérer que des utilisateurs dont vous détenez vous-même les droits et qui ne sont pas administrateurs IMIS.",
    ),
    (
        "user.own_password_needs_old",
        "Change your own password with changePassword and your old password.",
        "Changez votre propre mot de passe avec changePassword et votre ancien mot de passe.",
    ),
    (
        "role.exceeds_caller_rights",
        "You may grant, change or delete only roles whose rights you hold yourself.",
        "Vous ne pouvez attribuer, modifier ou supprimer que des rôles dont vous détenez vous-même les droits.",
    ),
    (
        "role.admin_role_cannot_be_blocked",
        "The IMIS Administrator role cannot be blocked.",
        "Le rôle d'administrateur IMIS ne peut pas être bloqué.",
    ),
    (
        "mutation.anonymous",
        "Log in to run mutations.",
        "Connectez-vous pour exécuter des mutations.",
    ),
    (
        "user.user_type_required",
        "At least one user type is required.",
        "Au moins un type d'utilisateur est obligatoire.",
    ),
    (
        "user.officer_code_taken",
        "Officer code {code} is already taken.",
        "Le code agent {code} est déjà pris.",
    ),
    (
        "user.language_unknown",
        "Unknown language {language}.",
        "Langue inconnue {language}.",
    ),
    (
        "user.district_invalid",
        "Location {id} is not a district.",
        "La localité {id} n'est pas un district.",
    ),
    (
        "user.village_invalid",
        "Location {id} is not a village.",
        "La localité {id} n'est pas un village.",
    ),
    (
        "user.health_facility_required",
        "A claim administrator needs a health facility.",
        "Un administrateur de réclamations doit avoir une formation sanitaire.",
    ),
    (
        "role.name_taken",
        "Role name {name} is already taken.",
        "Le nom de rôle {name} est déjà pris.",
    ),
    (
        "role.system_role_read_only",
        "System roles cannot be deleted.",
        "Les rôles système ne peuvent pas être supprimés.",
    ),
    (
        "role.right_unknown",
        "Unknown right {right}.",
        "Droit inconnu {right}.",
    ),
    (
        "role.in_use",
        "Role {name} is still assigned to users.",
        "Le rôle {name} est encore attribué à des utilisateurs.",
    ),
    (
        "location.code_taken",
        "Location code {code} is already taken.",
        "Le code de localité {code} est déjà pris.",
    ),
    (
        "location.type_invalid",
        "Location type must be one of R, D, W, V.",
        "Le type de localité doit être R, D, W ou V.",
    ),
    (
        "location.parent_invalid",
        "A location of type {type} needs a parent of type {parentType}.",
        "Une localité de type {type} doit avoir un parent de type {parentType}.",
    ),
    (
        "location.move_into_own_subtree",
        "A location cannot be moved under itself.",
        "Une localité ne peut pas être déplacée sous elle-même.",
    ),
    (
        "location.in_use",
        "Location {code} is still used by {what}.",
        "La localité {code} est encore utilisée par {what}.",
    ),
    (
        "health_facility.code_taken",
        "Health facility code {code} is already taken.",
        "Le code de formation sanitaire {code} est déjà pris.",
    ),
    (
        "health_facility.contract_dates",
        "Contract dates: give both, with the end after the start.",
        "Dates de contrat : indiquez les deux, la fin après le début.",
    ),
    (
        "health_facility.location_not_district",
        "The health facility's location must be a district.",
        "La localité de la formation sanitaire doit être un district.",
    ),
    (
        "health_facility.catchment_not_village",
        "Catchment location {id} is not a village.",
        "La localité de desserte {id} n'est pas un village.",
    ),
    (
        "health_facility.catchment_percent",
        "A catchment percentage must lie between 0 and 100.",
        "Un pourcentage de desserte doit être entre 0 et 100.",
    ),
    (
        "file.too_large",
        "The file is larger than the {max} bytes allowed.",
        "Le fichier dépasse la taille autorisée de {max} octets.",
    ),
];

static CATALOGUE: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();

fn catalogue() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    CATALOGUE.get_or_init(|| {
        let mut map = HashMap::new();
        for (code, en, fr) in CORE_MESSAGES {
            map.insert(*code, (*en, *fr));
        }
        for module in crate::registry::linked_modules() {
            for (code, en, fr) in module.messages {
                map.insert(*code, (*en, *fr));
            }
        }
        map
    })
}

impl AppError {
    /// The message in `lang` (`en` or `fr`; anything else falls back to English).
    pub fn message(&self, lang: &str) -> String {
        message(&self.code, lang, &self.params)
    }
}

/// Whether a code has both messages; used by tests to keep catalogues complete.
pub fn has_message(code: &str) -> bool {
    catalogue().contains_key(code)
}

pub fn message(code: &str, lang: &str, params: &BTreeMap<String, String>) -> String {
    let template = match catalogue().get(code) {
        Some((en, fr)) => {
            if lang.starts_with("fr") {
                *fr
            } else {
                *en
            }
        }
        None => code,
    };
    let mut out = template.to_string();
    for (k, v) in params {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// The first supported language (`en` or `fr`) named by a language tag or an `Accept-Language`
/// header, else `default` (the configured `default_language`).
pub fn pick_language(header: Option<&str>, default: &str) -> String {
    let Some(h) = header else {
        return default.to_string();
    };
    for part in h.split(',') {
        let tag = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if tag.starts_with("fr") {
            return "fr".into();
        }
        if tag.starts_with("en") {
            return "en".into();
        }
    }
    default.to_string()
}
