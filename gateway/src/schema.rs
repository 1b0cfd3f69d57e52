//! GraphQL composition: the root `Query` and `Mutation` of this binary, merged from the core's and
//! every compiled-in module's root objects by [`compose_roots!`](crate::compose_roots), the map
//! of which module owns which root field, the `module.disabled` guard (D10) and the SDL of the
//! enabled modules.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{EmptySubscription, ObjectType, OutputType, Schema, ServerResult, Variables};
use imis_core::AppState;
use imis_core::registry::EnabledModules;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `(module, "Query" | "Mutation", field name)` for every root field.
pub type RootFieldOwners = Vec<(&'static str, &'static str, String)>;

/// Composes the root objects of a binary. Each entry is `"<module name>" => <root object type>`,
/// optionally preceded by attributes (normally `#[cfg(feature = "<module>")]`). It defines the
/// two merged root types (`#[derive(MergedObject, Default)]`) and a function returning the owner
/// of every root field ([`RootFieldOwners`]). The invoking crate must depend on `async-graphql`.
///
/// ```ignore
/// imis_gateway::compose_roots! {
///     query: Query {
///         "core" => imis_core::graphql::roots::CoreQuery,
///         #[cfg(feature = "insuree")] "insuree" => imis_insuree::graphql::InsureeQuery,
///     }
///     mutation: Mutation {
///         "core" => imis_core::graphql::roots::CoreMutation,
///         #[cfg(feature = "insuree")] "insuree" => imis_insuree::graphql::InsureeMutation,
///     }
///     owners: root_field_owners
/// }
/// ```
#[macro_export]
macro_rules! compose_roots {
    (
        query: $query:ident { $( $(#[$qmeta:meta])* $qmod:literal => $qty:ty ),+ $(,)? }
        mutation: $mutation:ident { $( $(#[$mmeta:meta])* $mmod:literal => $mty:ty ),+ $(,)? }
        owners: $owners:ident
    ) => {
        // The composed query root (no doc comment: it would become the SDL description).
        #[derive(async_graphql::MergedObject, Default)]
        pub struct $query( $( $(#[$qmeta])* pub $qty ),+ );

        // The composed mutation root.
        #[derive(async_graphql::MergedObject, Default)]
        pub struct $mutation( $( $(#[$mmeta])* pub $mty ),+ );

        /// The module owning each root field of the composed roots.
        pub fn $owners() -> $crate::schema::RootFieldOwners {
            let mut out: $crate::schema::RootFieldOwners = Vec::new();
            $( $(#[$qmeta])* out.extend($crate::schema::root_fields_of::<$qty>($qmod, "Query")); )+
            $( $(#[$mmeta])* out.extend($crate::schema::root_fields_of::<$mty>($mmod, "Mutation")); )+
            out
        }
    };
}

/// The module list of a binary: one line per module, `"<registry name>" => <query root>,
/// <mutation root>;`, optionally preceded by attributes (normally `#[cfg(feature = "<module>")]`).
/// It composes the core's roots (with `node(id:)`) and the modules' roots with
/// [`compose_roots!`](crate::compose_roots) into `Query`, `Mutation` and `root_field_owners`.
/// Linking the crate is also what lets `inventory` see the module's descriptor, and with it
/// everything else the module contributes (node types, CLI subcommands, seeders, benchmark steps).
#[macro_export]
macro_rules! module_list {
    ( $( $(#[$meta:meta])* $module:literal => $query:ty, $mutation:ty; )* ) => {
        $crate::compose_roots! {
            query: Query {
                "core" => imis_core::graphql::roots::CoreQuery,
                "core" => $crate::node::NodeQuery,
                $( $(#[$meta])* $module => $query, )*
            }
            mutation: Mutation {
                "core" => imis_core::graphql::roots::CoreMutation,
                $( $(#[$meta])* $module => $mutation, )*
            }
            owners: root_field_owners
        }
    };
}

// THE MODULE LIST of this binary: adding a module is one line here plus its cargo dependency and
// feature in `gateway/Cargo.toml` (and its name in `modules.enabled` to switch it on).
module_list! {
    #[cfg(feature = "insuree")] "insuree" => imis_insuree::graphql::InsureeQuery, imis_insuree::graphql::InsureeMutation;
    #[cfg(feature = "medical")] "medical" => imis_medical::graphql::MedicalQuery, imis_medical::graphql::MedicalMutation;
    #[cfg(feature = "product")] "product" => imis_product::graphql::ProductQuery, imis_product::graphql::ProductMutation;
    #[cfg(feature = "policy")] "policy" => imis_policy::graphql::PolicyQuery, imis_policy::graphql::PolicyMutation;
    #[cfg(feature = "payment")] "payment" => imis_payment::graphql::PaymentQuery, imis_payment::graphql::PaymentMutation;
    #[cfg(feature = "claim")] "claim" => imis_claim::graphql::ClaimQuery, imis_claim::graphql::ClaimMutation;
    #[cfg(feature = "cm_hiv")] "cm_hiv" => imis_cm_hiv::graphql::CmHivQuery, imis_cm_hiv::graphql::CmHivMutation;
}

/// The schema of this binary.
pub type ImisSchema = Schema<Query, Mutation, EmptySubscription>;

/// The fields of one module's root object, as `(module, root, field)`.
pub fn root_fields_of<T: OutputType>(module: &'static str, root: &'static str) -> RootFieldOwners {
    let mut registry = async_graphql::registry::Registry::default();
    T::create_type_info(&mut registry);
    registry
        .types
        .get(T::type_name().as_ref())
        .and_then(|t| t.fields())
        .map(|fields| {
            fields
                .keys()
                .filter(|f| !f.starts_with("__"))
                .map(|f| (module, root, f.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Root fields named by more than one module: `(root, field, modules)`. Empty when composition is
/// sound (two modules defining the same root field would silently shadow each other).
pub fn root_field_collisions(owners: &RootFieldOwners) -> Vec<(String, String, Vec<&'static str>)> {
    let mut by: BTreeMap<(&str, &str), Vec<&'static str>> = BTreeMap::new();
    for (module, root, field) in owners {
        by.entry((root, field.as_str())).or_default().push(module);
    }
    by.into_iter()
        .filter(|(_, m)| m.len() > 1)
        .map(|((r, f), m)| (r.to_string(), f.to_string(), m))
        .collect()
}

/// Lookup `(root, field) -> module`.
#[derive(Debug, Clone, Default)]
pub struct OwnerMap(Arc<BTreeMap<(String, String), &'static str>>);

impl OwnerMap {
    pub fn new(owners: &RootFieldOwners) -> Self {
        Self(Arc::new(
            owners
                .iter()
                .map(|(m, r, f)| ((r.to_string(), f.clone()), *m))
                .collect(),
        ))
    }
    pub fn owner(&self, root: &str, field: &str) -> Option<&'static str> {
        self.0.get(&(root.to_string(), field.to_string())).copied()
    }
    /// Modules owning a root field that are not enabled.
    pub fn disabled_modules(&self, enabled: &EnabledModules) -> BTreeSet<&'static str> {
        self.0
            .values()
            .copied()
            .filter(|m| !enabled.contains(m))
            .collect()
    }
}

/// Refuses, before validation, any operation naming a root field of a module that is compiled in
/// but disabled in configuration, with `module.disabled` (D10).
pub struct ModuleGuard {
    owners: OwnerMap,
}

impl ModuleGuard {
    pub fn new(owners: &RootFieldOwners) -> Self {
        Self {
            owners: OwnerMap::new(owners),
        }
    }
}

impl ExtensionFactory for ModuleGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ModuleGuardExtension {
            owners: self.owners.clone(),
        })
    }
}

struct ModuleGuardExtension {
    owners: OwnerMap,
}

/// Root field names selected by `set`, following inline fragments and fragment spreads to any
/// depth (iteratively, each named fragment once): a field hidden under many fragments is still
/// seen by the module guard and the introspection switch.
fn collect_root_fields<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    _depth: usize,
    out: &mut Vec<&'a str>,
) {
    let mut stack = vec![set];
    let mut seen_fragments = BTreeSet::new();
    while let Some(set) = stack.pop() {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => out.push(f.node.name.node.as_str()),
                Selection::InlineFragment(frag) => stack.push(&frag.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if seen_fragments.insert(name.as_str())
                        && let Some(frag) = doc.fragments.get(name)
                    {
                        stack.push(&frag.node.selection_set.node);
                    }
                }
            }
        }
    }
}

/// `(root type, field)` for every root field of every operation in the document.
pub fn document_root_fields(doc: &ExecutableDocument) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    for (_, op) in doc.operations.iter() {
        let root = match op.node.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => "Subscription",
        };
        let mut names = vec![];
        collect_root_fields(doc, &op.node.selection_set.node, 0, &mut names);
        out.extend(names.into_iter().map(|n| (root, n.to_string())));
    }
    out
}

#[async_graphql::async_trait::async_trait]
impl Extension for ModuleGuardExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let Some(enabled) = ctx.data_opt::<EnabledModules>() else {
            return Ok(doc);
        };
        for (root, field) in document_root_fields(&doc) {
            if let Some(module) = self.owners.owner(root, &field)
                && !enabled.contains(module)
            {
                let lang = ctx
                    .data_opt::<imis_core::auth::Principal>()
                    .map(|p| p.language.clone())
                    .or_else(|| {
                        ctx.data_opt::<imis_core::graphql::Lang>()
                            .map(|l| l.0.clone())
                    })
                    .unwrap_or_else(|| "en".into());
                return Err(imis_core::AppError::module_disabled(module)
                    .to_gql(&lang)
                    .into_server_error(Default::default()));
            }
        }
        Ok(doc)
    }
}

/// Builds the schema of any composed roots (tests compose their own).
pub fn build_schema_with<Q, M>(
    state: &AppState,
    owners: RootFieldOwners,
) -> Schema<Q, M, EmptySubscription>
where
    Q: ObjectType + Default + 'static,
    M: ObjectType + Default + 'static,
{
    let cfg = &state.config.graphql;
    Schema::build(Q::default(), M::default(), EmptySubscription)
        .data(state.clone())
        .data(state.enabled.clone())
        // Batches the location and facility look-ups of fields such as an officer's district.
        .data(imis_core::location::graphql::location_register_loader(
            state,
        ))
        // Batches users' villages, districts and substitute officers.
        .data(imis_core::users::graphql::user_links_loader(state))
        .data(OwnerMap::new(&owners))
        // The cost (with page sizes), depth and introspection limits, with coded errors; the
        // depth limit stays as async-graphql's own backstop.
        .limit_depth(cfg.max_depth)
        .extension(crate::limits::RequestGuard::new(
            crate::limits::Limits::from_config(&state.config),
        ))
        .extension(ModuleGuard::new(&owners))
        .finish()
}

/// The schema of this binary.
pub fn build_schema(state: &AppState) -> ImisSchema {
    build_schema_with::<Query, Mutation>(state, root_field_owners())
}

/// The SDL of any composed roots with the root fields of disabled modules removed
/// (async-graphql's SDL export ignores `visible`).
pub fn sdl_with<Q, M>(enabled: &EnabledModules, owners: &RootFieldOwners) -> String
where
    Q: ObjectType + Default + 'static,
    M: ObjectType + Default + 'static,
{
    let schema = Schema::build(Q::default(), M::default(), EmptySubscription).finish();
    let map = OwnerMap::new(owners);
    let query = <Q as OutputType>::type_name().to_string();
    let mutation = <M as OutputType>::type_name().to_string();
    strip_root_fields(
        &schema.sdl(),
        &[(query.as_str(), "Query"), (mutation.as_str(), "Mutation")],
        |root, field| map.owner(root, field).is_some_and(|m| !enabled.contains(m)),
    )
}

/// The SDL of the enabled modules of this binary.
pub fn sdl(state: &AppState) -> String {
    sdl_for(&state.enabled)
}

/// The SDL of this binary for a set of enabled modules (no database needed).
pub fn sdl_for(enabled: &EnabledModules) -> String {
    sdl_with::<Query, Mutation>(enabled, &root_field_owners())
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Removes fields from the `type <Name> {` blocks of an SDL text. `roots` maps the printed type
/// name to the owner-map root name; `remove(root, field)` decides.
pub fn strip_root_fields(
    sdl: &str,
    roots: &[(&str, &str)],
    remove: impl Fn(&str, &str) -> bool,
) -> String {
    let mut out = String::with_capacity(sdl.len());
    let lines: Vec<&str> = sdl.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let root = roots.iter().find(|(name, _)| {
            line.strip_prefix("type ")
                .and_then(|r| r.strip_suffix('{'))
                .map(|r| r.trim())
                == Some(*name)
                || line.trim_end() == format!("type {name} {{")
        });
        out.push_str(line);
        out.push('\n');
        i += 1;
        let Some((_, root)) = root else { continue };
        // Inside the block: split into chunks = description lines + field line + continuations.
        let mut chunk: Vec<&str> = vec![];
        let mut chunk_field: Option<String> = None;
        let mut in_desc = false;
        let field_indent = min_field_indent(&lines, i);
        let flush = |chunk: &mut Vec<&str>, field: &mut Option<String>, out: &mut String| {
            let drop = field.as_deref().is_some_and(|f| remove(root, f));
            if !drop {
                for l in chunk.iter() {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            chunk.clear();
            *field = None;
        };
        while i < lines.len() {
            let l = lines[i];
            if !in_desc && l.trim_end() == "}" && indent_of(l) == 0 {
                break;
            }
            let t = l.trim_start();
            let top = !in_desc
                && chunk_field.is_some()
                && indent_of(l) == field_indent
                && !t.starts_with(')');
            if top {
                flush(&mut chunk, &mut chunk_field, &mut out);
            }
            if in_desc {
                if t.contains("\"\"\"") {
                    in_desc = false;
                }
            } else if let Some(rest) = t.strip_prefix("\"\"\"") {
                if !rest.contains("\"\"\"") {
                    in_desc = true;
                }
            } else if !t.starts_with('"')
                && !t.starts_with(')')
                && chunk_field.is_none()
                && !t.is_empty()
            {
                let name: String = t
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                chunk_field = Some(name);
            }
            chunk.push(l);
            i += 1;
        }
        flush(&mut chunk, &mut chunk_field, &mut out);
    }
    out
}

/// The indentation of field lines in the block that contains line `i` (the smallest non-zero one
/// before the closing brace).
fn min_field_indent(lines: &[&str], i: usize) -> usize {
    lines
        .iter()
        .skip(i)
        .take_while(|l| !(l.trim_end() == "}" && indent_of(l) == 0))
        .chain(
            lines[..i]
                .iter()
                .rev()
                .take_while(|l| !l.starts_with("type ")),
        )
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l))
        .filter(|n| *n > 0)
        .min()
        .unwrap_or(1)
}
