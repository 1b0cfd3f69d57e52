//! GraphQL.
#[derive(Default)] pub struct LocationQuery;
#[async_graphql::Object] impl LocationQuery { async fn validate_location_code(&self) -> bool { true } }
#[derive(Default)] pub struct LocationMutation;
#[async_graphql::Object] impl LocationMutation { async fn noop_loc(&self) -> bool { true } }
