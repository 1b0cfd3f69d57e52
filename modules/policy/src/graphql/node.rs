//! Relay `node(id:)` for the policy module's types (D4), registered through the descriptor.

use super::*;

/// Type names `node(id:)` resolves through this module.
pub const NODE_TYPES: &[&str] = &["PolicyGQLType", "PolicyGQLTypeHistory"];

/// A policy by global id (current or historical version), with the list's right and scope (D9).
pub async fn resolve_node(
    ctx: &Context<'_>,
    type_name: &str,
    key: &str,
) -> Result<Option<PolicyGQLType>> {
    let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    if !p.has_right(service::RIGHT_POLICY_SEARCH) {
        return Ok(None);
    }
    let st = state(ctx);
    let conn = &st.db.conn;
    let pk: i64 = key
        .parse()
        .map_err(|_| AppError::validation("input.invalid_id").with("id", key))
        .gql(ctx)?;
    let history = type_name.ends_with("History");
    let model = if history {
        imis_core::history::version_by_history_id::<policy::Model>(
            conn,
            service::HISTORY_POLICY,
            pk,
        )
        .await
        .gql(ctx)?
    } else {
        service::find_policy_by_id(conn, pk).await.gql(ctx)?
    };
    let Some(model) = model else { return Ok(None) };
    let Some(current) = policy::Entity::find_by_id(model.id)
        .one(conn)
        .await
        .map_err(AppError::from)
        .gql(ctx)?
    else {
        return Ok(None);
    };
    if service::check_policy_scope(conn, p, &current)
        .await
        .is_err()
    {
        return Ok(None);
    }
    let node = policy_nodes(
        st,
        p,
        vec![(model, history.then_some(pk))],
        PolicyWants::all(),
    )
    .await
    .gql(ctx)?
    .remove(0);
    Ok(Some(node))
}

/// Adds the module's node types to the schema as implementers of `Node`.
pub(crate) fn register_nodes(registry: &mut async_graphql::registry::Registry) {
    imis_core::graphql::relay::register_implementer::<PolicyGQLType>(registry);
}

/// The descriptor's node resolver: [`resolve_node`] as a registry `NodeValue` (null when the
/// module is hidden from the caller).
pub(crate) fn resolve_node_value<'a>(
    ctx: &'a Context<'_>,
    type_name: &'a str,
    key: &'a str,
) -> imis_core::registry::NodeFuture<'a> {
    Box::pin(async move {
        if !visible(ctx) {
            return Ok(None);
        }
        Ok(resolve_node(ctx, type_name, key)
            .await?
            .map(imis_core::graphql::relay::NodeValue::new))
    })
}
