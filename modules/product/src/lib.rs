//! # imis-product (skeleton, being written)

pub mod graphql;

imis_core::inventory::submit! {
    imis_core::registry::ModuleDescriptor {
        version: env!("CARGO_PKG_VERSION"),
        depends_on: &["medical"],
        ..imis_core::registry::ModuleDescriptor::named("product")
    }
}
