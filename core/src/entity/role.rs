use sea_orm::entity::prelude::*;

crate::versioned_entity! {
    "core_role" {
        uuid: Uuid,
        name: String,
        alt_language: Option<String>,
        /// openIMIS IsSystem bit flag; 0 for custom roles.
        is_system: i64,
        is_blocked: bool,
    }
}
