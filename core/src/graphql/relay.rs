//! Relay's `Node` interface over whatever modules are linked (D4): a module declares the object
//! types it answers in `node(id:)` in its descriptor ([`crate::registry::NodeDef`]), and the
//! interface's possible types are collected from the registry when the schema is built, so no
//! composing crate lists them (the interface itself: `node_interface.rs`). [`NodeValue`] carries
//! one resolved object of any of those types.

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, ObjectType, OutputType, Positioned, ServerResult, Value};
use futures::future::BoxFuture;
use std::borrow::Cow;

/// The interface name, as openIMIS's schema spells it.
pub const NODE: &str = "Node";

/// One object answering `node(id:)`: any GraphQL object type a module registered with
/// [`register_implementer`]. Its `__typename` and fields are the object's own.
pub struct NodeValue {
    pub(super) type_name: Cow<'static, str>,
    pub(super) object: Box<dyn ErasedObject>,
}

impl NodeValue {
    pub fn new<T: ObjectType + 'static>(object: T) -> Self {
        Self {
            type_name: T::type_name(),
            object: Box::new(object),
        }
    }
}

/// Object-safe form of [`OutputType::resolve`].
pub(super) trait ErasedObject: Send + Sync {
    fn resolve<'a>(
        &'a self,
        ctx: &'a ContextSelectionSet<'_>,
        field: &'a Positioned<Field>,
    ) -> BoxFuture<'a, ServerResult<Value>>;
}

impl<T: ObjectType + 'static> ErasedObject for T {
    fn resolve<'a>(
        &'a self,
        ctx: &'a ContextSelectionSet<'_>,
        field: &'a Positioned<Field>,
    ) -> BoxFuture<'a, ServerResult<Value>> {
        Box::pin(OutputType::resolve(self, ctx, field))
    }
}

/// Adds `T` to the schema as an implementer of `Node` (called from a [`crate::registry::NodeDef`]'s
/// `register`).
pub fn register_implementer<T: ObjectType>(registry: &mut Registry) {
    T::create_type_info(registry);
    registry.add_implements(&T::type_name(), NODE);
}
