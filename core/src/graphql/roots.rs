//! The core's GraphQL roots, merged by the gateway with the modules' roots.

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
pub struct CoreQuery(crate::users::UserQuery, crate::location::LocationQuery);

#[derive(MergedObject, Default)]
pub struct CoreMutation(
    crate::users::UserMutation,
    crate::location::LocationMutation,
);
