//! Limits every GraphQL request is held to before anything executes: its cost (a complexity in
//! which each list counts its page size), its depth, and who may introspect the schema.
//!
//! # Cost
//!
//! Every selected field costs 1 plus the cost of its own selection. A field that returns a Relay
//! connection (a `…Connection` type with `edges`) multiplies the cost of its `edges` (and `nodes`)
//! selections by its page size: `first`, else `last`, else `graphql.default_page_size`, at most
//! `graphql.max_page_size` (the resolvers refuse larger pages); `totalCount`, `edgeCount` and
//! `pageInfo` count once. A connection field that takes neither `first` nor `last` counts
//! `max_page_size` rows. Any other field taking `first`/`last` multiplies its whole selection
//! (a list of scalars counts one per element).
//! Variables are resolved (request values, else the declared default), fragments are followed
//! (each counted where it is spread; a fragment cycle counts nothing and is refused by validation)
//! and unknown fields count 1 (validation reports them). The cost of one operation above
//! `graphql.max_complexity` is refused with `request.too_complex`, a depth above
//! `graphql.max_depth` with `request.too_deep`. The operations of one batched request share one
//! budget of `max_complexity` ([`BatchBudget`]): those that would overdraw it are refused.
//!
//! # Introspection
//!
//! `graphql.introspection` (by default `open`, `authenticated` in production) decides who may
//! select `__schema` or `__type` (through fragments too); others get
//! `request.introspection_disabled`. `__typename` is not introspection and stays open.
//!
//! All checks run in the `prepare_request` hook, on the document parsed once here and handed on
//! to async-graphql, so a refused document is neither validated nor executed. Before them, digit
//! strings given for `Int`s become numbers ([`crate::coerce`]), as the openIMIS server accepts.

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{
    ObjectType, Pos, Request, ServerError, ServerResult, Value as ConstValue, Variables,
};
use imis_core::auth::Principal;
use imis_core::config::{Config, Introspection};
use imis_core::error::{AppError, ErrorKind};
use imis_core::graphql::Lang;
use std::any::TypeId;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The limits of one schema, from `[graphql]` and the environment.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_complexity: u64,
    pub max_depth: usize,
    pub default_page_size: u64,
    pub max_page_size: u64,
    pub introspection: Introspection,
}

impl Limits {
    pub fn from_config(config: &Config) -> Self {
        let g = &config.graphql;
        Self {
            max_complexity: g.max_complexity as u64,
            max_depth: g.max_depth,
            default_page_size: g.default_page_size as u64,
            max_page_size: g.max_page_size as u64,
            introspection: g.introspection_for(&config.environment),
        }
    }
}

/// The cost and depth of an operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    pub complexity: u64,
    pub depth: usize,
}

/// Nesting (fields, fragments) beyond which the walk stops and reports the document too deep.
const MAX_NESTING: usize = 64;
/// The depth reported for a document nested beyond [`MAX_NESTING`].
const TOO_DEEP: usize = usize::MAX / 4;

#[derive(Debug, Clone, Copy, Default)]
struct SetCost {
    /// Cost of the selections that count once.
    plain: u64,
    /// Cost of `edges` / `nodes` selections: once per row when the parent is a connection.
    rows: u64,
    depth: usize,
}

impl SetCost {
    fn merge(&mut self, o: SetCost) {
        self.plain = self.plain.saturating_add(o.plain);
        self.rows = self.rows.saturating_add(o.rows);
        self.depth = self.depth.max(o.depth);
    }
    fn total(&self) -> u64 {
        self.plain.saturating_add(self.rows)
    }
}

struct Walk<'a> {
    registry: &'a Registry,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    operation: &'a OperationDefinition,
    default_page: u64,
    max_page: u64,
    memo: HashMap<&'a str, SetCost>,
    active: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    /// The value of a variable: the request's, else the operation's declared default.
    fn variable(&self, name: &async_graphql::Name) -> Option<ConstValue> {
        self.variables.get(name).cloned().or_else(|| {
            self.operation
                .variable_definitions
                .iter()
                .find(|d| d.node.name.node == *name)
                .and_then(|d| d.node.default_value.as_ref().map(|v| v.node.clone()))
        })
    }

    /// An integer argument, with variables resolved.
    fn int_argument(&self, field: &Field, name: &str) -> Option<i64> {
        let value = field
            .get_argument(name)?
            .node
            .clone()
            .into_const_with(|var| self.variable(&var).ok_or(()))
            .ok()?;
        match value {
            ConstValue::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Rows a list field may return: `first`, else `last`, else the default; at most the maximum.
    fn page_size(&self, field: &Field, takes_page_args: bool) -> u64 {
        if !takes_page_args {
            return self.max_page;
        }
        let n = ["first", "last"]
            .iter()
            .find_map(|a| self.int_argument(field, a));
        match n {
            Some(n) => (n.max(0) as u64).min(self.max_page),
            None => self.default_page.min(self.max_page),
        }
    }

    fn is_connection(&self, type_name: &str) -> bool {
        type_name.ends_with("Connection")
            && matches!(self.registry.types.get(type_name),
                Some(t @ MetaType::Object { .. }) if t.field_by_name("edges").is_some())
    }

    fn set(&mut self, parent: Option<&'a str>, set: &'a SelectionSet, nesting: usize) -> SetCost {
        let mut out = SetCost::default();
        if nesting > MAX_NESTING {
            out.depth = TOO_DEEP;
            return out;
        }
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let name = f.name.node.as_str();
                    let meta = parent
                        .and_then(|p| self.registry.types.get(p))
                        .and_then(|t| t.field_by_name(name));
                    let child_type = meta.map(|m| MetaTypeName::concrete_typename(&m.ty));
                    let child = self.set(child_type, &f.selection_set.node, nesting + 1);
                    let pages = meta.is_some_and(|m| {
                        m.args.contains_key("first") || m.args.contains_key("last")
                    });
                    let cost = if child_type.is_some_and(|t| self.is_connection(t)) {
                        let size = self.page_size(f, pages);
                        child
                            .plain
                            .saturating_add(size.saturating_mul(child.rows))
                            .saturating_add(1)
                    } else if pages && f.selection_set.node.items.is_empty() {
                        // A list of scalars: one per element.
                        self.page_size(f, true).max(1)
                    } else if pages {
                        self.page_size(f, true)
                            .saturating_mul(child.total())
                            .saturating_add(1)
                    } else {
                        child.total().saturating_add(1)
                    };
                    if name == "edges" || name == "nodes" {
                        out.rows = out.rows.saturating_add(cost);
                    } else {
                        out.plain = out.plain.saturating_add(cost);
                    }
                    out.depth = out.depth.max(child.depth.saturating_add(1));
                }
                Selection::InlineFragment(frag) => {
                    let frag = &frag.node;
                    let ty = frag
                        .type_condition
                        .as_ref()
                        .map(|t| t.node.on.node.as_str())
                        .or(parent);
                    let c = self.set(ty, &frag.selection_set.node, nesting + 1);
                    out.merge(c);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if let Some(c) = self.memo.get(name) {
                        out.merge(*c);
                        continue;
                    }
                    // A cycle counts nothing here; validation refuses it.
                    let Some(frag) = self.doc.fragments.get(name) else {
                        continue;
                    };
                    if !self.active.insert(name) {
                        continue;
                    }
                    let ty = frag.node.type_condition.node.on.node.as_str();
                    let c = self.set(Some(ty), &frag.node.selection_set.node, nesting + 1);
                    self.active.remove(name);
                    self.memo.insert(name, c);
                    out.merge(c);
                }
            }
        }
        out
    }
}

/// The cost of the operation a request runs (the named one, else the largest of the document).
pub fn document_cost(
    registry: &Registry,
    doc: &ExecutableDocument,
    variables: &Variables,
    operation_name: Option<&str>,
    default_page_size: u64,
    max_page_size: u64,
) -> Cost {
    let mut worst = Cost::default();
    for (name, op) in doc.operations.iter() {
        if let (Some(wanted), Some(name)) = (operation_name, name)
            && wanted != name.as_str()
        {
            continue;
        }
        let root = match op.node.ty {
            OperationType::Query => Some(registry.query_type.as_str()),
            OperationType::Mutation => registry.mutation_type.as_deref(),
            OperationType::Subscription => registry.subscription_type.as_deref(),
        };
        let mut walk = Walk {
            registry,
            doc,
            variables,
            operation: &op.node,
            default_page: default_page_size,
            max_page: max_page_size,
            memo: HashMap::new(),
            active: HashSet::new(),
        };
        let c = walk.set(root, &op.node.selection_set.node, 0);
        worst.complexity = worst.complexity.max(c.total());
        worst.depth = worst.depth.max(c.depth);
    }
    worst
}

/// The registry of composed roots, for computing costs outside a running schema (tests, tools).
pub fn registry_of<Q: ObjectType, M: ObjectType>() -> Registry {
    let mut registry = Registry::default();
    Q::create_type_info(&mut registry);
    M::create_type_info(&mut registry);
    registry.query_type = Q::type_name().to_string();
    registry.mutation_type = Some(M::type_name().to_string());
    registry
}

/// Whether any operation selects `__schema` or `__type` (`__typename` is not introspection).
pub fn uses_introspection(doc: &ExecutableDocument) -> bool {
    crate::schema::document_root_fields(doc)
        .iter()
        .any(|(_, f)| f == "__schema" || f == "__type")
}

/// The budget the operations of one batched request share: their costs together may not exceed
/// `graphql.max_complexity`. The gateway puts one in the data of every request of a batch; an
/// operation that would overdraw it is refused (and consumes nothing).
#[derive(Debug, Default)]
pub struct BatchBudget(AtomicU64);

impl BatchBudget {
    /// Takes `cost` from the budget; `Err(total)` when `spent + cost` would exceed `max`.
    pub fn take(&self, cost: u64, max: u64) -> Result<u64, u64> {
        let mut total = 0;
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |spent| {
                total = spent.saturating_add(cost);
                (total <= max).then_some(total)
            })
            .map(|_| total)
            .map_err(|_| total)
    }
}

/// The extension enforcing [`Limits`] (see the module documentation).
pub struct RequestGuard {
    limits: Arc<Limits>,
}

impl RequestGuard {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits: Arc::new(limits),
        }
    }
}

impl ExtensionFactory for RequestGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestGuardExtension {
            limits: self.limits.clone(),
        })
    }
}

struct RequestGuardExtension {
    limits: Arc<Limits>,
}

fn request_data<T: 'static>(request: &Request) -> Option<&T> {
    request
        .data
        .get(&TypeId::of::<T>())
        .and_then(|d| d.downcast_ref::<T>())
}

fn refuse(request: &Request, e: AppError) -> ServerError {
    let lang = request_data::<Principal>(request)
        .map(|p| p.language.clone())
        .or_else(|| request_data::<Lang>(request).map(|l| l.0.clone()))
        .unwrap_or_else(|| "en".into());
    let mut err = e.to_gql(&lang).into_server_error(Pos::default());
    // About the whole document: no location.
    err.locations.clear();
    err
}

impl RequestGuardExtension {
    fn introspection_allowed(&self, request: &Request) -> bool {
        match self.limits.introspection {
            Introspection::Open => true,
            Introspection::Authenticated => request_data::<Principal>(request).is_some(),
            Introspection::Closed => false,
        }
    }

    fn check(
        &self,
        registry: &Registry,
        request: &Request,
        doc: &ExecutableDocument,
    ) -> ServerResult<()> {
        let l = &self.limits;
        if !self.introspection_allowed(request) && uses_introspection(doc) {
            return Err(refuse(
                request,
                AppError::new(ErrorKind::Forbidden, "request.introspection_disabled"),
            ));
        }
        let cost = document_cost(
            registry,
            doc,
            &request.variables,
            request.operation_name.as_deref(),
            l.default_page_size,
            l.max_page_size,
        );
        if cost.depth > l.max_depth {
            return Err(refuse(
                request,
                AppError::new(ErrorKind::Validation, "request.too_deep").with("max", l.max_depth),
            ));
        }
        let too_complex = |complexity: u64| {
            refuse(
                request,
                AppError::new(ErrorKind::Validation, "request.too_complex")
                    .with("complexity", complexity)
                    .with("max", l.max_complexity),
            )
        };
        if cost.complexity > l.max_complexity {
            return Err(too_complex(cost.complexity));
        }
        if let Some(budget) = request_data::<Arc<BatchBudget>>(request) {
            budget
                .take(cost.complexity, l.max_complexity)
                .map_err(too_complex)?;
        }
        tracing::debug!(
            complexity = cost.complexity,
            depth = cost.depth,
            "graphql cost"
        );
        Ok(())
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for RequestGuardExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let mut doc = async_graphql::parser::parse_query(&request.query)?;
        // Before the cost, which reads `first: "5"` as the number it becomes.
        crate::coerce::int_strings(
            &ctx.schema_env.registry,
            &mut doc,
            &mut request.variables,
            request.operation_name.as_deref(),
        );
        self.check(&ctx.schema_env.registry, &request, &doc)?;
        // Parsed once: async-graphql executes this document without parsing the text again.
        request.set_parsed_query(doc);
        // Defence in depth: where this caller may not introspect, the engine refuses
        // `__schema`/`__type` wherever they stand, whatever the walk above saw.
        if !self.introspection_allowed(&request) {
            request = request.disable_introspection();
        }
        next.run(ctx, request).await
    }
}
