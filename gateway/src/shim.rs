//! TEMPORARY stand-ins for core items still being written; removed once core has them.
pub mod roots {
    #[derive(Default)]
    pub struct CoreQuery;
    #[async_graphql::Object]
    impl CoreQuery {
        async fn ping(&self) -> bool {
            true
        }
    }
    #[derive(Default)]
    pub struct CoreMutation;
    #[async_graphql::Object]
    impl CoreMutation {
        async fn noop(&self) -> bool {
            true
        }
    }
}
pub async fn seed_all(_s: &imis_core::AppState) -> imis_core::AppResult<Option<Vec<(String, String, String)>>> {
    Ok(None)
}
