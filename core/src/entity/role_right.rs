use sea_orm::entity::prelude::*;

crate::versioned_entity! {
    "core_role_right" {
        role_id: i64,
        right_id: i32,
    }
}
