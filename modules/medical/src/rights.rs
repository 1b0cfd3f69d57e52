//! The rights the medical module declares (openIMIS codes, reference §1.5, D8). Reading items,
//! services and diagnoses is open to every logged-in user, so their search rights (122101,
//! 121401) and the diagnoses download (131002) are declared for role editors but never checked.

use imis_core::registry::RightDef;

pub const RIGHT_ITEM_ADD: i32 = 122102;
pub const RIGHT_ITEM_EDIT: i32 = 122103;
pub const RIGHT_ITEM_DELETE: i32 = 122104;
pub const RIGHT_SERVICE_ADD: i32 = 121402;
pub const RIGHT_SERVICE_EDIT: i32 = 121403;
pub const RIGHT_SERVICE_DELETE: i32 = 121404;
pub const RIGHT_ITEMS_PRICELIST_SEARCH: i32 = 121301;
pub const RIGHT_ITEMS_PRICELIST_ADD: i32 = 121302;
pub const RIGHT_ITEMS_PRICELIST_EDIT: i32 = 121303;
pub const RIGHT_ITEMS_PRICELIST_DELETE: i32 = 121304;
pub const RIGHT_ITEMS_PRICELIST_DUPLICATE: i32 = 121305;
pub const RIGHT_SERVICES_PRICELIST_SEARCH: i32 = 121201;
pub const RIGHT_SERVICES_PRICELIST_ADD: i32 = 121202;
pub const RIGHT_SERVICES_PRICELIST_EDIT: i32 = 121203;
pub const RIGHT_SERVICES_PRICELIST_DELETE: i32 = 121204;
pub const RIGHT_SERVICES_PRICELIST_DUPLICATE: i32 = 121205;
/// openIMIS "diagnoses upload": our right to write diagnoses (D8).
pub const RIGHT_DIAGNOSIS_WRITE: i32 = 131001;

pub(crate) const RIGHTS: &[RightDef] = imis_core::rights! {
    121200 => "Services price lists", "Listes de prix des services";
    121201 => "Services price list search", "Recherche de listes de prix des services";
    121202 => "Services price list add", "Ajout de liste de prix des services";
    121203 => "Services price list edit", "Modification de liste de prix des services";
    121204 => "Services price list delete", "Suppression de liste de prix des services";
    121205 => "Services price list duplicate", "Duplication de liste de prix des services";
    121300 => "Items price lists", "Listes de prix des articles";
    121301 => "Items price list search", "Recherche de listes de prix des articles";
    121302 => "Items price list add", "Ajout de liste de prix des articles";
    121303 => "Items price list edit", "Modification de liste de prix des articles";
    121304 => "Items price list delete", "Suppression de liste de prix des articles";
    121305 => "Items price list duplicate", "Duplication de liste de prix des articles";
    121400 => "Medical services", "Services médicaux";
    121401 => "Medical service search", "Recherche de services médicaux";
    121402 => "Medical service add", "Ajout de service médical";
    121403 => "Medical service edit", "Modification de service médical";
    121404 => "Medical service delete", "Suppression de service médical";
    122100 => "Medical items", "Articles médicaux";
    122101 => "Medical item search", "Recherche d'articles médicaux";
    122102 => "Medical item add", "Ajout d'article médical";
    122103 => "Medical item edit", "Modification d'article médical";
    122104 => "Medical item delete", "Suppression d'article médical";
    131001 => "Diagnoses upload", "Import des diagnostics";
    131002 => "Diagnoses download", "Export des diagnostics";
};
