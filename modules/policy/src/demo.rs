//! Demo policies (written in a later step of this change).
use futures::future::BoxFuture;
use imis_core::AppState;
use imis_core::error::AppResult;

pub fn seed(_state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move { Ok(()) })
}
