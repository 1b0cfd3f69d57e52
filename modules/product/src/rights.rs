//! The rights the product module declares (openIMIS codes, D8), and the policy rights that
//! also open the product list (a clerk selling a policy picks its product).

use imis_core::registry::RightDef;

pub const RIGHT_PRODUCT_SEARCH: i32 = 121001;
pub const RIGHT_PRODUCT_ADD: i32 = 121002;
pub const RIGHT_PRODUCT_EDIT: i32 = 121003;
pub const RIGHT_PRODUCT_DELETE: i32 = 121004;
pub const RIGHT_PRODUCT_DUPLICATE: i32 = 121005;
/// Policy add (declared by the policy module): also reads products.
pub const RIGHT_POLICY_ADD: i32 = 101202;
/// Policy renew (declared by the policy module): also reads products.
pub const RIGHT_POLICY_RENEW: i32 = 101205;
/// The rights that read products (`products`, `product`, product nodes).
pub const PRODUCTS_READ: &[i32] = &[RIGHT_PRODUCT_SEARCH, RIGHT_POLICY_ADD, RIGHT_POLICY_RENEW];

pub(crate) const RIGHTS: &[RightDef] = imis_core::rights! {
    121000 => "Products", "Produits";
    121001 => "Product search", "Recherche de produits";
    121002 => "Product add", "Ajout de produit";
    121003 => "Product edit", "Modification de produit";
    121004 => "Product delete", "Suppression de produit";
    121005 => "Product duplicate", "Duplication de produit";
};
