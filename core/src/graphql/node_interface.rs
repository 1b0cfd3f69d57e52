//! The `Node` interface's schema type: its possible types are the node types every linked
//! module registers through its descriptor's [`crate::registry::NodeDef`] (the registry layer,
//! above [`super::relay`], which only defines the value).

use super::relay::{NODE, NodeValue};
use crate::registry::linked_modules;
use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaField, MetaType, MetaTypeId, Registry};
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};
use std::borrow::Cow;

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
