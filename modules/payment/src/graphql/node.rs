//! Relay `node(id:)` for the payment module's types (D4), registered through the descriptor.

use super::*;

/// Type names `node(id:)` resolves through this module.
pub const NODE_TYPES: &[&str] = &[
    "PremiumGQLType",
    "PremiumGQLTypeHistory",
    "PayerGQLType",
    "PayerGQLTypeHistory",
    "PaymentGQLType",
    "PaymentGQLTypeHistory",
];

/// A node of this module.
pub enum PaymentNode {
    Premium(PremiumGQLType),
    Payer(PayerGQLType),
    Payment(PaymentGQLType),
}

/// A premium, payer or payment by global id (current or historical version), with the list's
/// right and scope (D9); null when outside them.
pub async fn resolve_node(
    ctx: &Context<'_>,
    type_name: &str,
    key: &str,
) -> Result<Option<PaymentNode>> {
    let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    let st = state(ctx);
    let conn = &st.db.conn;
    let pk: i64 = key
        .parse()
        .map_err(|_| AppError::validation("input.invalid_id").with("id", key))
        .gql(ctx)?;
    let history = type_name.ends_with("History");
    let run = async {
        if type_name.starts_with("PremiumGQLType") {
            if !p.has_right(service::RIGHT_PREMIUM_SEARCH) {
                return Ok(None);
            }
            let Some(model) =
                row_or_version::<premium::Entity>(conn, service::HISTORY_PREMIUM, pk, history)
                    .await?
            else {
                return Ok(None);
            };
            let pol = imis_policy::api::policies_by_ids(conn, &[model.policy_id]).await?;
            let Some(pol) = pol.get(&model.policy_id) else {
                return Ok(None);
            };
            if imis_policy::api::check_policy_scope(conn, p, pol)
                .await
                .is_err()
            {
                return Ok(None);
            }
            let n = premium_nodes(
                st,
                p,
                vec![(model, history.then_some(pk))],
                PremiumWants::all(),
            )
            .await?
            .pop();
            return Ok::<_, AppError>(n.map(PaymentNode::Premium));
        }
        if type_name.starts_with("PayerGQLType") {
            if !p.has_right(service::RIGHT_PAYER_SEARCH) {
                return Ok(None);
            }
            let Some(model) =
                row_or_version::<payer::Entity>(conn, service::HISTORY_PAYER, pk, history).await?
            else {
                return Ok(None);
            };
            if !service::payers::payer_visible(conn, p, model.location_id).await? {
                return Ok(None);
            }
            let n = payer_nodes(
                st,
                p,
                vec![(model, history.then_some(pk))],
                PayerWants {
                    location: true,
                    fundings: true,
                },
            )
            .await?
            .pop();
            return Ok(n.map(PaymentNode::Payer));
        }
        if !p.has_right(service::RIGHT_PAYMENT_SEARCH) {
            return Ok(None);
        }
        let Some(model) =
            row_or_version::<payment::Entity>(conn, service::HISTORY_PAYMENT, pk, history).await?
        else {
            return Ok(None);
        };
        let n = payment_nodes(
            st,
            p,
            vec![(model, history.then_some(pk))],
            PaymentWants {
                details: Some(PremiumWantsOfDetail {
                    premium: Some(PremiumWants::default()),
                    payment: false,
                }),
            },
        )
        .await?
        .pop();
        Ok(n.map(PaymentNode::Payment))
    };
    run.await.gql(ctx)
}

/// The row `pk` of `E`, or (`history`) the version of `E`'s rows (history `entity`) whose
/// history id is `pk`.
async fn row_or_version<E>(
    conn: &impl sea_orm::ConnectionTrait,
    entity: &str,
    pk: i64,
    history: bool,
) -> AppResult<Option<E::Model>>
where
    E: EntityTrait,
    E::Model: imis_core::history::Versioned,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    if history {
        imis_core::history::version_by_history_id::<E::Model>(conn, entity, pk).await
    } else {
        Ok(E::find_by_id(pk).one(conn).await?)
    }
}

/// Adds the module's node types to the schema as implementers of `Node`.
pub(crate) fn register_nodes(registry: &mut async_graphql::registry::Registry) {
    use imis_core::graphql::relay::register_implementer;
    register_implementer::<PremiumGQLType>(registry);
    register_implementer::<PayerGQLType>(registry);
    register_implementer::<PaymentGQLType>(registry);
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
            PaymentNode::Premium(x) => NodeValue::new(x),
            PaymentNode::Payer(x) => NodeValue::new(x),
            PaymentNode::Payment(x) => NodeValue::new(x),
        }))
    })
}
