//! # imis-insuree
//!
//! Beneficiaries: families and their members (insurees), photos and insurance numbers
//! (openIMIS `insuree` module, reference §3).
//!
//! - **Tables** (`entity`, private): `insuree_family` (a household in a village, with its head),
//!   `insuree_insuree` (a person; the insurance number `chfId` is unique among current insurees),
//!   `insuree_photo` (metadata; the image is a file in the core file store, D29),
//!   `insuree_status_reason`. Every change keeps history (D7); deletes are soft.
//! - **Business operations** (`service`, private, one file per resource): `createFamily` (with
//!   its head), `updateFamily`, `deleteFamilies`, `createInsuree`, `updateInsuree`,
//!   `removeInsurees`, `deleteInsurees`, `setFamilyHead`, `changeInsureeFamily`, insurance-number
//!   validation (D18).
//! - **Lists** (`graphql`): `insurees`, `families` (with the front end's Django-style `orderBy`
//!   names, `headInsuree__chfId` and the like as sub-queries on the head), `familyMembers`
//!   (filtered and paged in memory: a family is small) and `insureeOfficers` (the officer
//!   picker, read through the core's officer register).
//! - **Rights** (reference §1.5): families 101001–101004, insurees 101101–101105.
//!   Location scope (D9): a family through its village, an insuree through its current village or
//!   its current family's village; an insuree with neither (removed from their family) is open to
//!   unrestricted users only. Nested objects follow the same scope (an out-of-scope `family` or
//!   `headInsuree` is null, `familyMembers` leaves out members living elsewhere). The facility
//!   desk's exact number look-up is not restricted.
//! - **Configuration** (`config`): `[module.insuree]` number rules, photo limits, first service
//!   point.
//! - **Front end** (`frontend`): the `fe-insuree` form settings from `[module.insuree]` (photo
//!   and first service point required, the number's length) and the openIMIS names of the rights.
//! - **Descriptor**: rights, messages, migrations, demo families, `node(id:)` for
//!   `InsureeGQLType`/`FamilyGQLType` (current and `…History` versions), the scale seeder
//!   (`imis seed scale`: families with 1–8 members) and the benchmark's insuree requests.
//!
//! ## API boundary
//! Other modules use only:
//! - [`api`]: owned summaries ([`api::InsureeSummary`], [`api::FamilySummary`]) and look-ups by
//!   id, uuid, insurance number and family; the location scope of a family or insuree; typed
//!   sea-query building blocks over the module's tables ([`api::families_in_locations`],
//!   [`api::current_insuree_ids_of_families`], [`api::family_member_count`],
//!   [`api::current_families`] with [`api::family_id_column`], [`api::families_page`]) so that
//!   their queries stay set-based without naming the tables; GraphQL nodes for their nested
//!   fields ([`api::insuree_nodes`], [`api::family_nodes`]); right codes; the number validator
//!   registration ([`api::NumberValidator`], submitted with `inventory::submit!`); the scale
//!   data generator [`api::Rng`].
//! - **Events** (published inside the writing transaction, also in the outbox; names and
//!   payloads re-exported by [`api`]): `insuree.added`, `insuree.removed`, `insuree.moved`,
//!   `insuree.deleted`, `insuree.status_changed` — the policy module keeps coverage in step with
//!   them (D16).
//! - [`graphql`]: the roots `InsureeQuery` and `InsureeMutation` the gateway composes.

pub mod api;
mod bench;
mod codes;
mod config;
mod demo;
mod entity;
mod events;
mod frontend;
pub mod graphql;
mod migration;
mod number;
mod rights;
mod scale;
mod service;

pub const NAME: &str = "insuree";

imis_core::inventory::submit! {
    imis_core::registry::ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        depends_on: &[],
        rights: rights::RIGHTS,
        messages: &[
            ("insuree.number_taken", "Insurance number {chfId} is already used by another insuree.", "Le numéro d'assuré {chfId} est déjà utilisé par un autre assuré."),
            ("insuree.number_empty", "The insurance number is required.", "Le numéro d'assuré est obligatoire."),
            ("insuree.number_length", "Insurance number {chfId} has the wrong length.", "Le numéro d'assuré {chfId} n'a pas la bonne longueur."),
            ("insuree.number_invalid", "Insurance number {chfId} is not valid.", "Le numéro d'assuré {chfId} n'est pas valide."),
            ("insuree.dob_in_future", "The date of birth is in the future.", "La date de naissance est dans le futur."),
            ("insuree.wrong_status", "An inactive or deceased insuree needs a status reason of that status.", "Un assuré inactif ou décédé doit avoir un motif de ce statut."),
            ("insuree.village_invalid", "Location {id} given as {field} is not a village.", "La localité {id} indiquée pour {field} n'est pas un village."),
            ("insuree.fsp_required", "The first service point (health facility) is required.", "La formation sanitaire de premier contact est obligatoire."),
            ("insuree.photo_required", "A photo is required.", "Une photo est obligatoire."),
            ("insuree.photo_invalid", "The photo must be a JPEG or PNG image sent as base64.", "La photo doit être une image JPEG ou PNG envoyée en base64."),
            ("insuree.photo_too_large", "The photo is larger than {max} bytes.", "La photo dépasse {max} octets."),
            ("insuree.family_head_required", "A family needs its head insuree.", "Une famille doit avoir un chef de famille."),
            ("insuree.confirmation_no_required", "This confirmation type needs a confirmation number.", "Ce type de confirmation exige un numéro de confirmation."),
            ("insuree.not_in_family", "The insuree is not a member of this family.", "L'assuré n'est pas membre de cette famille."),
            ("insuree.cannot_remove_head", "The head of a family cannot be removed; set another head first.", "Le chef de famille ne peut pas être retiré ; désignez d'abord un autre chef."),
            ("insuree.cannot_delete_head", "The head of a family cannot be deleted; delete the family or set another head.", "Le chef de famille ne peut pas être supprimé ; supprimez la famille ou désignez un autre chef."),
            ("insuree.cannot_move_head", "The head of a family cannot move to another family; set another head first.", "Le chef de famille ne peut pas changer de famille ; désignez d'abord un autre chef."),
        ],
        migrations: migration::migrations,
        demo_seed: Some(demo::seed),
        config_check: Some(config::check),
        nodes: Some(imis_core::registry::NodeDef {
            type_names: graphql::NODE_TYPES,
            register: graphql::register_nodes,
            resolve: graphql::resolve_node_value,
        }),
        scale_seed: Some(scale::scale_seed),
        bench: Some(imis_core::registry::BenchDef {
            requests: Some(bench::requests),
            runs: None,
        }),
        ..imis_core::registry::ModuleDescriptor::named(NAME)
    }
}
