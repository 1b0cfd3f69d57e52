//! Relay `node(id:)` for insurees and families (current and historical versions).

use super::*;

/// The global-id type names this module resolves for the gateway's `node(id:)`.
pub const NODE_TYPES: &[&str] = &[
    "InsureeGQLType",
    "InsureeGQLTypeHistory",
    "FamilyGQLType",
    "FamilyGQLTypeHistory",
];

pub enum InsureeNode {
    Insuree(InsureeGQLType),
    Family(FamilyGQLType),
}

/// An insuree or family by global id (current or historical version), with the lists' rights
/// and location scope (D9): None when absent or out of reach.
pub async fn resolve_node(
    ctx: &Context<'_>,
    type_name: &str,
    key: &str,
) -> Result<Option<InsureeNode>> {
    let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    let st = state(ctx);
    let conn = &st.db.conn;
    let pk: i64 = key
        .parse()
        .map_err(|_| AppError::validation("input.invalid_id").with("id", key))
        .gql(ctx)?;
    let history = type_name.ends_with("History");
    let history_id = history.then_some(pk);
    if type_name.starts_with("Insuree") {
        if !p.has_right(service::RIGHT_INSUREE_SEARCH) {
            return Ok(None);
        }
        let Some((model, current)) =
            version_and_current::<insuree::Entity>(conn, "insuree", history, pk)
                .await
                .gql(ctx)?
        else {
            return Ok(None);
        };
        if service::check_insuree_scope(conn, p, &current)
            .await
            .is_err()
        {
            return Ok(None);
        }
        let data = Arc::new(load_page_data(st, &[&model], &[], true).await.gql(ctx)?);
        return Ok(Some(InsureeNode::Insuree(InsureeGQLType {
            model,
            history_id,
            data,
        })));
    }
    if !p.has_right(service::RIGHT_FAMILY_SEARCH) {
        return Ok(None);
    }
    let Some((model, current)) = version_and_current::<family::Entity>(conn, "family", history, pk)
        .await
        .gql(ctx)?
    else {
        return Ok(None);
    };
    if service::check_family_scope(conn, p, &current)
        .await
        .is_err()
    {
        return Ok(None);
    }
    let data = Arc::new(load_page_data(st, &[], &[&model], false).await.gql(ctx)?);
    Ok(Some(InsureeNode::Family(FamilyGQLType {
        model,
        history_id,
        data,
    })))
}

/// The row a global id names (a current row by its id, or a history version by its history pk)
/// with the row as it stands now, whose location decides the scope; None when either is absent.
async fn version_and_current<E>(
    conn: &impl sea_orm::ConnectionTrait,
    entity: &str,
    history: bool,
    pk: i64,
) -> AppResult<Option<(E::Model, E::Model)>>
where
    E: EntityTrait,
    E::Model: imis_core::history::Versioned,
    i64: Into<<E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
{
    use imis_core::history::Versioned;
    let model = if history {
        imis_core::history::version_by_history_id::<E::Model>(conn, entity, pk).await?
    } else {
        E::find_by_id(pk).current().one(conn).await?
    };
    let Some(model) = model else { return Ok(None) };
    let current = E::find_by_id(model.id()).one(conn).await?;
    Ok(current.map(|c| (model, c)))
}

/// The descriptor's node registration: the insuree types implementing `Node`.
pub(crate) fn register_nodes(registry: &mut async_graphql::registry::Registry) {
    use imis_core::graphql::relay::register_implementer;
    register_implementer::<InsureeGQLType>(registry);
    register_implementer::<FamilyGQLType>(registry);
}

/// The descriptor's node resolver: [`resolve_node`] as a registry `NodeValue` (null when the
/// module is hidden from the caller).
pub(crate) fn resolve_node_value<'a>(
    ctx: &'a Context<'_>,
    type_name: &'a str,
    key: &'a str,
) -> imis_core::registry::NodeFuture<'a> {
    use imis_core::graphql::relay::NodeValue;
    Box::pin(async move {
        if !visible(ctx) {
            return Ok(None);
        }
        Ok(resolve_node(ctx, type_name, key).await?.map(|n| match n {
            InsureeNode::Insuree(x) => NodeValue::new(x),
            InsureeNode::Family(x) => NodeValue::new(x),
        }))
    })
}
