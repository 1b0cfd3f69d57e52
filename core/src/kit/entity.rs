//! The shape every table of a module shares (D7): an `id` primary key, the table's own columns,
//! then the version columns `validity_from`, `validity_to` and `audit_user_id`. [`versioned_entity!`]
//! writes the sea-orm entity from the table's own columns, so a module's `entity/` files state
//! only what is particular to each table.
//!
//! [`versioned_entity!`]: crate::versioned_entity

/// A sea-orm entity (`Model`, `ActiveModel`, `Column`, an empty `Relation`) of a versioned table:
/// `id`, the columns given, then `validity_from`, `validity_to` and `audit_user_id`; the model is
/// [`Versioned`](crate::history::Versioned), so the kit's history helpers apply to it.
///
/// ```ignore
/// imis_core::versioned_entity! {
///     /// `medical_diagnosis`: ICD codes.
///     "medical_diagnosis" {
///         uuid: Uuid,
///         code: String,
///     }
/// }
/// ```
/// The calling file brings `sea_orm::entity::prelude::*` into scope, for the column types.
#[macro_export]
macro_rules! versioned_entity {
    (
        $(#[$meta:meta])*
        $table:literal {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize,
        )]
        #[sea_orm(table_name = $table)]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            $( $(#[$field_meta])* pub $field: $ty, )*
            pub validity_from: DateTimeUtc,
            pub validity_to: Option<DateTimeUtc>,
            pub audit_user_id: Option<i64>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}

        $crate::versioned_model!(Model);
    };
}
