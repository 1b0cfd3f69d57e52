//! Leniency the openIMIS server (graphene) shows its clients: a string of decimal digits is
//! accepted where an `Int` is declared. Its web front end sends decoded ids as strings, e.g.
//! `query ($location: Int) { products(location: $location) { … } }` with `{"location": "2"}`.
//!
//! [`int_strings`] rewrites such strings into numbers before validation and the cost check, in
//! - the variables of the operation that runs, by their declared types: `Int`, `Int!`, lists of
//!   them at any nesting, and `Int` fields of input objects at any nesting;
//! - the literal arguments of the document, by the argument types the schema declares (same
//!   types), in every operation, fragment and inline fragment. An argument literal that itself
//!   contains a variable (`input: {productId: "2", familyId: $f}`) is left as written.
//!
//! A string is rewritten only when it is an optional sign and ASCII decimal digits that fit an
//! i32 (`"2"`, `"-7"`, `"+5"`, `"007"`); `""`, `" 2"`, `"2.0"`, `"0x1"` or `"99999999999"` stay
//! strings, so GraphQL's validation refuses them as before. `ID`, `String`, `Float` and custom
//! scalars are never touched.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Value as ConstValue, Variables};
use std::collections::{HashMap, HashSet};

/// The number a string stands for: an optional sign and decimal digits within i32.
fn int_of(text: &str) -> Option<i32> {
    // `i32::from_str` accepts exactly that (ASCII digits, one optional sign, no spaces).
    text.parse().ok()
}

/// Rewrites the digit strings of `value` where `ty` (a GraphQL type such as `[Int!]!` or
/// `SomeInput`) declares an `Int`; whether anything changed.
fn coerce(registry: &Registry, ty: &str, value: &mut ConstValue) -> bool {
    match MetaTypeName::create(ty) {
        MetaTypeName::NonNull(inner) => coerce(registry, inner, value),
        MetaTypeName::List(item) => match value {
            ConstValue::List(items) => items
                .iter_mut()
                .fold(false, |changed, v| coerce(registry, item, v) | changed),
            // GraphQL reads a single value given for a list as a list of one.
            _ => coerce(registry, item, value),
        },
        MetaTypeName::Named("Int") => match value {
            ConstValue::String(text) => match int_of(text) {
                Some(n) => {
                    *value = ConstValue::Number(n.into());
                    true
                }
                None => false,
            },
            _ => false,
        },
        MetaTypeName::Named(name) => match (registry.types.get(name), value) {
            (Some(MetaType::InputObject { input_fields, .. }), ConstValue::Object(fields)) => {
                fields.iter_mut().fold(false, |changed, (key, v)| {
                    input_fields
                        .get(key.as_str())
                        .is_some_and(|field| coerce(registry, &field.ty, v))
                        | changed
                })
            }
            _ => false,
        },
    }
}

struct LiteralWalk<'r> {
    registry: &'r Registry,
    /// Per named input type: whether an `Int` can occur in its values.
    holds_int: HashMap<&'r str, bool>,
}

impl<'r> LiteralWalk<'r> {
    /// Whether a value of type `ty` can contain an `Int` (itself, an item, an input field).
    fn may_hold_int(&mut self, ty: &'r str) -> bool {
        let named = MetaTypeName::concrete_typename(ty);
        if let Some(known) = self.holds_int.get(named) {
            return *known;
        }
        let mut seen = HashSet::new();
        let found = self.reaches_int(named, &mut seen);
        self.holds_int.insert(named, found);
        found
    }

    /// Depth-first search from the named type `named` through input fields to `Int`.
    fn reaches_int(&self, named: &'r str, seen: &mut HashSet<&'r str>) -> bool {
        if named == "Int" {
            return true;
        }
        if !seen.insert(named) {
            return false;
        }
        match self.registry.types.get(named) {
            Some(MetaType::InputObject { input_fields, .. }) => input_fields
                .values()
                .any(|f| self.reaches_int(MetaTypeName::concrete_typename(&f.ty), seen)),
            _ => false,
        }
    }

    /// Rewrites the literal arguments of the fields of `set`, selected on the type `parent`.
    fn selection_set(&mut self, parent: Option<&'r str>, set: &mut SelectionSet) {
        for selection in &mut set.items {
            match &mut selection.node {
                Selection::Field(field) => {
                    let field = &mut field.node;
                    let meta = parent
                        .and_then(|p| self.registry.types.get(p))
                        .and_then(|t| t.field_by_name(field.name.node.as_str()));
                    if let Some(meta) = meta {
                        for (name, value) in &mut field.arguments {
                            let Some(arg) = meta.args.get(name.node.as_str()) else {
                                continue;
                            };
                            if !self.may_hold_int(&arg.ty) {
                                continue;
                            }
                            // Only a literal without variables can be rebuilt (the document's
                            // value type is not public); variables are coerced on their own.
                            if let Some(mut literal) = value.node.clone().into_const()
                                && coerce(self.registry, &arg.ty, &mut literal)
                            {
                                value.node = literal.into_value();
                            }
                        }
                    }
                    let child = meta.map(|m| MetaTypeName::concrete_typename(&m.ty));
                    self.selection_set(child, &mut field.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &mut fragment.node;
                    let on = match &fragment.type_condition {
                        Some(t) => self.type_name(t.node.on.node.as_str()),
                        None => parent,
                    };
                    self.selection_set(on, &mut fragment.selection_set.node);
                }
                // Each fragment definition is walked once, on its own type condition.
                Selection::FragmentSpread(_) => {}
            }
        }
    }

    /// The registry's own copy of a type name of the document, which the memo may keep.
    fn type_name(&self, name: &str) -> Option<&'r str> {
        self.registry
            .types
            .get_key_value(name)
            .map(|(k, _)| k.as_str())
    }

    fn operation(&mut self, op: &mut OperationDefinition) {
        let root = match op.ty {
            OperationType::Query => Some(self.registry.query_type.as_str()),
            OperationType::Mutation => self.registry.mutation_type.as_deref(),
            OperationType::Subscription => self.registry.subscription_type.as_deref(),
        };
        self.selection_set(root, &mut op.selection_set.node);
    }
}

/// The operation a request runs: `operation_name`, else the document's only one. None when
/// async-graphql will refuse the request anyway ("Unknown operation", "Operation name required").
fn running_operation<'d>(
    doc: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), None) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}

/// Rewrites digit strings given for `Int`s into numbers: in `variables`, for the operation a
/// request runs (`operation_name`, else the document's only one), and in the literal arguments
/// of every operation and fragment of `doc`. See the module documentation.
pub fn int_strings(
    registry: &Registry,
    doc: &mut ExecutableDocument,
    variables: &mut Variables,
    operation_name: Option<&str>,
) {
    if let Some(op) = running_operation(doc, operation_name) {
        for definition in &op.variable_definitions {
            let definition = &definition.node;
            if let Some(value) = variables.get_mut(&definition.name.node) {
                coerce(registry, &definition.var_type.node.to_string(), value);
            }
        }
    }
    let mut walk = LiteralWalk {
        registry,
        holds_int: HashMap::new(),
    };
    match &mut doc.operations {
        DocumentOperations::Single(op) => walk.operation(&mut op.node),
        DocumentOperations::Multiple(ops) => {
            ops.values_mut().for_each(|op| walk.operation(&mut op.node))
        }
    }
    for fragment in doc.fragments.values_mut() {
        let fragment = &mut fragment.node;
        let on = walk.type_name(fragment.type_condition.node.on.node.as_str());
        walk.selection_set(on, &mut fragment.selection_set.node);
    }
}
