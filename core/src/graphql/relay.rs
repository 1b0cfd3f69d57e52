//! Relay's `Node` interface over whatever modules are linked (D4): a module declares the object
//! types it answers in `node(id:)` in its descriptor ([`crate::registry::NodeDef`]), and the
//! interface's possible types are collected from the registry when the schema is built, so no
//! composing crate lists them. [`NodeValue`] carries one resolved object of any of those types.

use crate::registry::linked_modules;
use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaField, MetaType, MetaTypeId, Registry};
use async_graphql::{ContextSelectionSet, ObjectType, OutputType, Positioned, ServerResult, Value};
use futures::future::BoxFuture;
use std::borrow::Cow;

/// The interface name, as openIMIS's schema spells it.
pub const NODE: &str = "Node";

/// One object answering `node(id:)`: any GraphQL object type a module registered with
/// [`register_implementer`]. Its `__typename` and fields are the object's own.
pub struct NodeValue {
    type_name: Cow<'static, str>,
    object: Box<dyn ErasedObject>,
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
trait ErasedObject: Send + Sync {
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

impl OutputType for NodeValue {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(NODE)
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.type_name.clone()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_output_type::<Self, _>(MetaTypeId::Interface, |registry| {
            for module in linked_modules() {
                if let Some(nodes) = &module.nodes {
                    (nodes.register)(registry);
                }
            }
            let mut possible_types: Vec<String> = registry
                .implements
                .iter()
                .filter(|(_, interfaces)| interfaces.contains(NODE))
                .map(|(ty, _)| ty.clone())
                .collect();
            // Linking order is arbitrary; the SDL must not be.
            possible_types.sort();
            let id_type = <async_graphql::ID as OutputType>::create_type_info(registry);
            let mut fields = async_graphql::indexmap::IndexMap::new();
            fields.insert(
                "id".to_string(),
                MetaField {
                    name: "id".to_string(),
                    description: None,
                    args: Default::default(),
                    ty: id_type,
                    deprecation: Default::default(),
                    cache_control: Default::default(),
                    external: false,
                    requires: None,
                    provides: None,
                    visible: None,
                    shareable: false,
                    inaccessible: false,
                    tags: vec![],
                    override_from: None,
                    compute_complexity: None,
                    directive_invocations: vec![],
                    requires_scopes: vec![],
                },
            );
            MetaType::Interface {
                name: NODE.to_string(),
                description: None,
                fields,
                possible_types: possible_types.into_iter().collect(),
                extends: false,
                keys: None,
                visible: None,
                inaccessible: false,
                tags: vec![],
                rust_typename: Some(std::any::type_name::<Self>()),
                directive_invocations: vec![],
                requires_scopes: vec![],
            }
        })
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        self.object.resolve(ctx, field).await
    }
}
