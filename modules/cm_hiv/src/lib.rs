//! # imis-cm-hiv
//!
//! Cameroon's HIV user-fee exemption programme, a country module built only on the core's and the
//! insuree module's public APIs and the module registry (issue 11's worked example).
//!
//! - **ART register** (`cm_hiv_art_registration`): an insuree's ART (antiretroviral therapy)
//!   register number `<site code>/<YYYY>/<NNNNN>` — the treatment site that opened the file, the
//!   year treatment started (1990 to this year), a five-digit sequence (not `00000`), e.g.
//!   `LT-BON01/2024/00042`; stored trimmed and in upper case, unique among current
//!   registrations, one current number per insuree. Mutations `registerArtNumber`,
//!   `changeArtNumber`, `deleteArtRegistration`; query `artRegistrations` (search by
//!   `artNumber_Istartswith`, by `insureeUuid`), each row with its insuree (through
//!   `imis_insuree::api`, null when the caller may not see it) and its facility. History (D7) and
//!   the mutation log as everywhere. When an insuree is deleted (`insuree.deleted`), their
//!   registration ends in the same transaction.
//! - **Treatment sites** (`cm_hiv_facility_site`): a health facility's programme site code (3–10
//!   upper-case letters, digits and hyphens), unique among current sites; `setFacilitySiteCode`,
//!   `hivFacilitySites`. An ART number's site code must be a current site; a site whose code
//!   numbers carry cannot change it.
//! - **Right** 190001 "HIV programme register" on every query and mutation; **location scope**
//!   (D9): a site is where its facility is, a registration where its site is, so a restricted
//!   user reaches those of their districts only (facilities read through the core's location
//!   service, which applies the scope).
//! - **Codes**: `cm_hiv.art_number_invalid`, `cm_hiv.art_number_taken`,
//!   `cm_hiv.art_site_unknown`, `cm_hiv.insuree_already_registered`, `cm_hiv.site_code_invalid`,
//!   `cm_hiv.site_code_taken`, `cm_hiv.site_in_use` (English and French texts below).
//! - **Configuration**: `[module.cm_hiv]` has no keys (any key is refused). The module is off by
//!   default; the country profile `config/cameroon-hiv.toml` enables it.
//!
//! ## API boundary
//!
//! Other modules may use [`api`] only (an insuree's registration, the registered insurees as a
//! sub-query, the number format, the events `cm_hiv.art_number_registered` and
//! `cm_hiv.art_registration_ended` with their payloads, the right); the gateway composes
//! [`graphql::CmHivQuery`] and [`graphql::CmHivMutation`]. The node types, demo data and
//! everything else reach the gateway through this crate's descriptor (`nodes`, `demo_seed`,
//! `bench`, `wire` for the `insuree.deleted` handler). It has no scale seeder: the programme's
//! register is small beside the national insuree register.

pub mod api;
mod bench;
mod config;
mod demo;
mod entity;
mod events;
pub mod graphql;
mod migration;
mod rights;
mod service;

/// The module's registry name.
pub const NAME: &str = "cm_hiv";

imis_core::inventory::submit! {
    imis_core::registry::ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        depends_on: &["insuree"],
        rights: rights::RIGHTS,
        messages: &[
            ("cm_hiv.art_number_invalid", "ART number {artNumber} is not valid: the format is <site code>/<year>/<5 digits>, e.g. LT-BON01/2024/00042.", "Le numéro TARV {artNumber} n'est pas valide : le format est <code du site>/<année>/<5 chiffres>, par exemple LT-BON01/2024/00042."),
            ("cm_hiv.art_number_taken", "ART number {artNumber} is already registered for another insuree.", "Le numéro TARV {artNumber} est déjà enregistré pour un autre assuré."),
            ("cm_hiv.art_site_unknown", "No treatment site has the code {siteCode}.", "Aucun site de traitement n'a le code {siteCode}."),
            ("cm_hiv.insuree_already_registered", "Insuree {chfId} already has an ART number; change it instead.", "L'assuré {chfId} a déjà un numéro TARV ; modifiez-le plutôt."),
            ("cm_hiv.site_code_invalid", "Site code {siteCode} is not valid: 3 to 10 capital letters, digits and hyphens, starting with a letter.", "Le code de site {siteCode} n'est pas valide : 3 à 10 lettres majuscules, chiffres et tirets, commençant par une lettre."),
            ("cm_hiv.site_code_taken", "Site code {siteCode} is already used by another health facility.", "Le code de site {siteCode} est déjà utilisé par une autre formation sanitaire."),
            ("cm_hiv.site_in_use", "Site code {siteCode} is carried by {count} ART numbers and cannot change.", "Le code de site {siteCode} figure dans {count} numéros TARV et ne peut pas changer."),
        ],
        migrations: migration::migrations,
        wire: events::wire,
        demo_seed: Some(demo::seed),
        config_check: Some(config::check),
        nodes: Some(graphql::NODES),
        bench: Some(imis_core::registry::BenchDef {
            requests: Some(bench::requests),
            runs: None,
        }),
        // A country programme: on only where a country profile names it.
        enabled_by_default: false,
        ..imis_core::registry::ModuleDescriptor::named(NAME)
    }
}
