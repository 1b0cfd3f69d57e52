//! [`Flattened`]: one object's fields served as part of another's (`#[graphql(flatten)]`), so
//! that a root split into one file per resource still answers as one object.
//!
//! Why a wrapper: async-graphql resolves a flattened or merged part inside its parent's future,
//! so each part deepens the future types rustc lays out for the composed schema, and the
//! crates composing every module's roots overflow the compiler's query depth. Resolving the
//! part through a boxed future cuts that chain: the parent's future holds a pointer, not the
//! part's whole future.

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, Context, ContextSelectionSet, ObjectType, OutputType, Positioned, ServerResult,
    Value,
};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

/// `T`'s fields for a `#[graphql(flatten)]` resolver, resolved through a boxed future. It has
/// `T`'s name and type information; the schema shows only the parent's fields.
pub struct Flattened<T>(pub T);

impl<T: ObjectType> OutputType for Flattened<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let boxed: Pin<Box<dyn Future<Output = ServerResult<Value>> + Send + '_>> =
            Box::pin(self.0.resolve(ctx, field));
        boxed.await
    }
}

impl<T: ObjectType> ContainerType for Flattened<T> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        let boxed: Pin<Box<dyn Future<Output = ServerResult<Option<Value>>> + Send + '_>> =
            Box::pin(self.0.resolve_field(ctx));
        boxed.await
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        let boxed: Pin<Box<dyn Future<Output = ServerResult<Option<Value>>> + Send + '_>> =
            Box::pin(self.0.find_entity(ctx, params));
        boxed.await
    }
}

impl<T: ObjectType> ObjectType for Flattened<T> {}
