//! The insuree code lists of reference §3.1–§3.2 with English and French labels. They are fixed
//! reference data (openIMIS seeds them identically everywhere), so they live in code; status
//! reasons are a table because schemes add their own.

/// (code, English, French)
pub type Code = (&'static str, &'static str, &'static str);
/// (id, English, French)
pub type IdCode = (i32, &'static str, &'static str);

pub const GENDERS: &[Code] = &[
    ("M", "Male", "Masculin"),
    ("F", "Female", "Féminin"),
    ("O", "Other", "Autre"),
];

pub const MARITAL: &[Code] = &[
    ("N", "Not specified", "Non précisé"),
    ("S", "Single", "Célibataire"),
    ("M", "Married", "Marié(e)"),
    ("D", "Divorced", "Divorcé(e)"),
    ("W", "Widowed", "Veuf / veuve"),
];

pub const RELATIONS: &[IdCode] = &[
    (1, "Brother/Sister", "Frère / sœur"),
    (2, "Father/Mother", "Père / mère"),
    (3, "Uncle/Aunt", "Oncle / tante"),
    (4, "Son/Daughter", "Fils / fille"),
    (5, "Grand parents", "Grands-parents"),
    (6, "Employee", "Employé(e)"),
    (7, "Others", "Autres"),
    (8, "Spouse", "Conjoint(e)"),
];

/// Relationship "others" drives the "other" members of the policy value (D13).
pub const RELATION_OTHER: i32 = 7;

pub const PROFESSIONS: &[IdCode] = &[
    (1, "Housewife", "Femme au foyer"),
    (2, "Employee", "Salarié(e)"),
    (3, "Self employee", "Indépendant(e)"),
    (4, "Others", "Autres"),
];

pub const EDUCATIONS: &[IdCode] = &[
    (1, "Nursery", "Maternelle"),
    (2, "Primary school", "École primaire"),
    (3, "Secondary school", "École secondaire"),
    (4, "University", "Université"),
    (5, "Postgraduate studies", "Études de troisième cycle"),
    (6, "PHD", "Doctorat"),
    (7, "Other", "Autre"),
];

pub const IDENTIFICATION_TYPES: &[Code] = &[
    ("D", "Driver's licence", "Permis de conduire"),
    ("N", "National ID", "Carte nationale d'identité"),
    ("P", "Passport", "Passeport"),
    ("V", "Voter card", "Carte d'électeur"),
];

pub const FAMILY_TYPES: &[Code] = &[
    ("C", "Council", "Conseil"),
    ("G", "Organization", "Organisation"),
    ("H", "Household", "Ménage"),
    ("O", "Other", "Autre"),
    ("P", "Priests", "Religieux"),
    ("S", "Students", "Étudiants"),
    ("T", "Teachers", "Enseignants"),
];

/// (code, English, French, confirmation number required)
pub const CONFIRMATION_TYPES: &[(&str, &str, &str, bool)] = &[
    ("A", "Local council", "Conseil local", true),
    ("B", "Municipality", "Municipalité", true),
    ("C", "State", "État", true),
    ("D", "Other", "Autre", false),
];

pub const STATUSES: &[&str] = &["AC", "IN", "DE"];

pub fn label<'a>(list: &'a [Code], code: &str, lang: &str) -> Option<&'a str> {
    list.iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, fr)| if lang == "fr" { *fr } else { *en })
}

pub fn has_code(list: &[Code], code: &str) -> bool {
    list.iter().any(|(c, _, _)| *c == code)
}

pub fn has_id(list: &[IdCode], id: i32) -> bool {
    list.iter().any(|(i, _, _)| *i == id)
}
