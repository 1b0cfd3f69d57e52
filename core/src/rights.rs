//! Rights owned by the core (openIMIS codes, reference §1.5) and the 12 system roles with their
//! seeded rights (reference §1.6). Other modules register their own rights.

use crate::registry::RightDef;

pub const CORE_RIGHTS: &[RightDef] = crate::rights! {
    121100 => "Health facilities", "Formations sanitaires";
    121101 => "Health facility search", "Recherche de formations sanitaires";
    121102 => "Health facility add", "Ajout de formation sanitaire";
    121103 => "Health facility edit", "Modification de formation sanitaire";
    121104 => "Health facility delete", "Suppression de formation sanitaire";
    121500 => "Enrolment officers", "Agents d'enrôlement";
    121501 => "Enrolment officer search", "Recherche d'agents d'enrôlement";
    121502 => "Enrolment officer add", "Ajout d'agent d'enrôlement";
    121503 => "Enrolment officer edit", "Modification d'agent d'enrôlement";
    121504 => "Enrolment officer delete", "Suppression d'agent d'enrôlement";
    121600 => "Claim administrators", "Administrateurs de réclamations";
    121601 => "Claim administrator search", "Recherche d'administrateurs de réclamations";
    121602 => "Claim administrator add", "Ajout d'administrateur de réclamations";
    121603 => "Claim administrator edit", "Modification d'administrateur de réclamations";
    121604 => "Claim administrator delete", "Suppression d'administrateur de réclamations";
    121700 => "Users", "Utilisateurs";
    121701 => "User search", "Recherche d'utilisateurs";
    121702 => "User add", "Ajout d'utilisateur";
    121703 => "User edit", "Modification d'utilisateur";
    121704 => "User delete", "Suppression d'utilisateur";
    121900 => "Locations", "Localités";
    121901 => "Location search", "Recherche de localités";
    121902 => "Location add", "Ajout de localité";
    121903 => "Location edit", "Modification de localité";
    121904 => "Location delete", "Suppression de localité";
    121905 => "Location move", "Déplacement de localité";
    121906 => "Region and district add", "Ajout de région et de district";
    122000 => "User profiles (roles)", "Profils d'utilisateur (rôles)";
    122001 => "Role search", "Recherche de rôles";
    122002 => "Role add", "Ajout de rôle";
    122003 => "Role edit", "Modification de rôle";
    122004 => "Role delete", "Suppression de rôle";
    122005 => "Role duplicate", "Duplication de rôle";
    122006 => "Role replace", "Remplacement de rôle";
    131000 => "Registers", "Registres";
    131003 => "Health facilities upload", "Import des formations sanitaires";
    131004 => "Health facilities download", "Export des formations sanitaires";
    131005 => "Locations upload", "Import des localités";
    131006 => "Locations download", "Export des localités";
    131200 => "Reports", "Rapports";
    131207 => "User activity report", "Rapport d'activité des utilisateurs";
    131300 => "Utilities", "Utilitaires";
    131301 => "Database backup", "Sauvegarde de la base";
    131302 => "Database restore", "Restauration de la base";
    131303 => "Execute scripts", "Exécution de scripts";
    131304 => "E-mail settings", "Paramètres de messagerie";
};

/// A system role: openIMIS id, name, IsSystem flag and rights.
pub struct SystemRole {
    pub id: i64,
    pub name: &'static str,
    pub name_fr: &'static str,
    pub flag: i64,
    pub rights: &'static [(i32, i32)],
}

/// Inclusive ranges of right codes, as reference §1.6 writes them.
pub const SYSTEM_ROLES: &[SystemRole] = &[
    SystemRole {
        id: 1,
        name: "Enrolment Officer",
        name_fr: "Agent d'enrôlement",
        flag: 1,
        rights: &[
            (101001, 101004),
            (101101, 101105),
            (101201, 101205),
            (101301, 101304),
            (111001, 111001),
            (111009, 111009),
            (131200, 131201),
        ],
    },
    SystemRole {
        id: 2,
        name: "Manager",
        name_fr: "Gestionnaire",
        flag: 2,
        rights: &[(101105, 101105), (131201, 131203), (131208, 131208)],
    },
    SystemRole {
        id: 3,
        name: "Accountant",
        name_fr: "Comptable",
        flag: 4,
        rights: &[
            (101001, 101001),
            (101101, 101101),
            (101105, 101105),
            (101201, 101201),
            (101301, 101301),
            (101401, 101404),
            (111101, 111103),
            (131204, 131206),
            (131210, 131222),
            (131401, 131401),
        ],
    },
    SystemRole {
        id: 4,
        name: "Clerk",
        name_fr: "Commis",
        flag: 8,
        rights: &[
            (101001, 101004),
            (101101, 101105),
            (101201, 101205),
            (101301, 101304),
        ],
    },
    SystemRole {
        id: 5,
        name: "Medical Officer",
        name_fr: "Médecin conseil",
        flag: 16,
        rights: &[(111001, 111001), (111008, 111011), (131223, 131223)],
    },
    SystemRole {
        id: 6,
        name: "Scheme Administrator",
        name_fr: "Administrateur du régime",
        flag: 32,
        rights: &[
            (101105, 101105),
            (121001, 121005),
            (121101, 121104),
            (121201, 121205),
            (121301, 121305),
            (121401, 121404),
            (121501, 121504),
            (121601, 121604),
            (121801, 121804),
            (122101, 122104),
            (131001, 131004),
            (131101, 131107),
            (131209, 131209),
        ],
    },
    SystemRole {
        id: 7,
        name: "IMIS Administrator",
        name_fr: "Administrateur IMIS",
        flag: 64,
        rights: &[
            (101105, 101105),
            (121701, 121704),
            (121901, 121905),
            (122000, 122005),
            (131005, 131006),
            (131207, 131207),
            (131301, 131304),
        ],
    },
    SystemRole {
        id: 8,
        name: "Receptionist",
        name_fr: "Réceptionniste",
        flag: 128,
        rights: &[
            (101001, 101001),
            (101101, 101101),
            (101105, 101105),
            (101201, 101201),
        ],
    },
    SystemRole {
        id: 9,
        name: "Claim Administrator",
        name_fr: "Administrateur de réclamations",
        flag: 256,
        rights: &[
            (101001, 101001),
            (101101, 101101),
            (101105, 101105),
            (101201, 101201),
            (111001, 111002),
            (111004, 111007),
            (111012, 111012),
        ],
    },
    SystemRole {
        id: 10,
        name: "Claim Contributor",
        name_fr: "Contributeur aux réclamations",
        flag: 512,
        rights: &[(111001, 111002), (111005, 111005)],
    },
    SystemRole {
        id: 11,
        name: "HF Administrator",
        name_fr: "Administrateur de formation sanitaire",
        flag: 524288,
        rights: &[
            (121701, 121704),
            (131101, 131101),
            (131103, 131103),
            (131301, 131304),
        ],
    },
    SystemRole {
        id: 12,
        name: "Offline Administrator",
        name_fr: "Administrateur hors ligne",
        flag: 1048576,
        rights: &[
            (121701, 121704),
            (131101, 131101),
            (131103, 131103),
            (131301, 131304),
        ],
    },
];

impl SystemRole {
    pub fn right_codes(&self) -> Vec<i32> {
        self.rights.iter().flat_map(|(a, b)| *a..=*b).collect()
    }
}

/// Every right registered by a linked module, with the module that owns it.
pub fn all_rights() -> Vec<(&'static str, &'static RightDef)> {
    let mut v: Vec<_> = crate::registry::linked_modules()
        .flat_map(|m| m.rights.iter().map(move |r| (m.name, r)))
        .collect();
    v.sort_by_key(|(_, r)| r.code);
    v
}

/// Whether a right may be granted to a role: registered by a module, or seeded for a system role
/// (those belong to modules that may not be compiled into this binary).
pub fn is_known_right(code: i32) -> bool {
    all_rights().iter().any(|(_, r)| r.code == code)
        || SYSTEM_ROLES.iter().any(|r| r.right_codes().contains(&code))
}
