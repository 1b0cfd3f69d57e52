//! Relay `node(id:)` over every compiled module (D4): the global id names the GraphQL type, the
//! module that owns the type resolves it with its own rights and location scope, and the object
//! comes back through one `Node` interface. A module adds its types here with one feature-gated
//! variant and one dispatch line.

use async_graphql::{Context, ID, Interface, Object, Result};
use imis_core::auth::{Requirement, require_user};
use imis_core::graphql::node::{self as core_node, CoreNode};
use imis_core::graphql::{GqlResult, decode_global_id, lang, principal};
use imis_core::location::graphql::{HealthFacilityGQLType, LocationGQLType};
use imis_core::users::graphql::{MutationLogGQLType, RoleGQLType, UserGQLType};

#[derive(Interface)]
#[graphql(name = "Node", field(name = "id", ty = "ID"))]
pub enum Node {
    Location(LocationGQLType),
    HealthFacility(HealthFacilityGQLType),
    User(UserGQLType),
    Role(RoleGQLType),
    MutationLog(MutationLogGQLType),
    #[cfg(feature = "insuree")]
    Insuree(imis_insuree::graphql::InsureeGQLType),
    #[cfg(feature = "insuree")]
    Family(imis_insuree::graphql::FamilyGQLType),
    #[cfg(feature = "medical")]
    Item(imis_medical::graphql::ItemGQLType),
    #[cfg(feature = "medical")]
    Service(imis_medical::graphql::ServiceGQLType),
    #[cfg(feature = "medical")]
    Diagnosis(imis_medical::graphql::DiagnosisGQLType),
    #[cfg(feature = "product")]
    Product(imis_product::graphql::ProductGQLType),
    #[cfg(feature = "policy")]
    Policy(imis_policy::graphql::PolicyGQLType),
    #[cfg(feature = "payment")]
    Premium(imis_payment::graphql::PremiumGQLType),
    #[cfg(feature = "payment")]
    Payer(imis_payment::graphql::PayerGQLType),
    #[cfg(feature = "payment")]
    Payment(imis_payment::graphql::PaymentGQLType),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object of a global id, or null when it does not exist or lies outside the caller's
    /// rights and locations.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let (type_name, key) = decode_global_id(&id).gql(ctx)?;
        if core_node::NODE_TYPES.contains(&type_name.as_str()) {
            return Ok(core_node::resolve(ctx, &id).await?.map(|n| match n {
                CoreNode::Location(x) => Node::Location(x),
                CoreNode::HealthFacility(x) => Node::HealthFacility(x),
                CoreNode::User(x) => Node::User(x),
                CoreNode::Role(x) => Node::Role(x),
                CoreNode::MutationLog(x) => Node::MutationLog(x),
            }));
        }
        #[cfg(feature = "insuree")]
        if imis_insuree::graphql::NODE_TYPES.contains(&type_name.as_str())
            && imis_core::registry::module_visible(ctx, "insuree")
        {
            use imis_insuree::graphql::InsureeNode;
            return Ok(imis_insuree::graphql::resolve_node(ctx, &type_name, &key)
                .await?
                .map(|n| match n {
                    InsureeNode::Insuree(x) => Node::Insuree(x),
                    InsureeNode::Family(x) => Node::Family(x),
                }));
        }
        #[cfg(feature = "medical")]
        if imis_medical::graphql::NODE_TYPES.contains(&type_name.as_str())
            && imis_core::registry::module_visible(ctx, "medical")
        {
            use imis_medical::graphql::MedicalNode;
            return Ok(imis_medical::graphql::resolve_node(ctx, &type_name, &key)
                .await?
                .map(|n| match n {
                    MedicalNode::Item(x) => Node::Item(x),
                    MedicalNode::Service(x) => Node::Service(x),
                    MedicalNode::Diagnosis(x) => Node::Diagnosis(x),
                }));
        }
        #[cfg(feature = "product")]
        if type_name.starts_with("ProductGQLType")
            && imis_core::registry::module_visible(ctx, "product")
        {
            return match imis_product::graphql::ProductQuery
                .product(ctx, Some(id.clone()), None)
                .await
            {
                Ok(p) => Ok(p.map(Node::Product)),
                // Outside the caller's rights: null, as for the other types.
                Err(_) => Ok(None),
            };
        }
        #[cfg(feature = "policy")]
        if imis_policy::graphql::NODE_TYPES.contains(&type_name.as_str())
            && imis_core::registry::module_visible(ctx, "policy")
        {
            return Ok(imis_policy::graphql::resolve_node(ctx, &type_name, &key)
                .await?
                .map(Node::Policy));
        }
        #[cfg(feature = "payment")]
        if imis_payment::graphql::NODE_TYPES.contains(&type_name.as_str())
            && imis_core::registry::module_visible(ctx, "payment")
        {
            use imis_payment::graphql::PaymentNode;
            return Ok(imis_payment::graphql::resolve_node(ctx, &type_name, &key)
                .await?
                .map(|n| match n {
                    PaymentNode::Premium(x) => Node::Premium(x),
                    PaymentNode::Payer(x) => Node::Payer(x),
                    PaymentNode::Payment(x) => Node::Payment(x),
                }));
        }
        let _ = key;
        Err(imis_core::AppError::validation("input.invalid_id")
            .with("id", id.as_str())
            .to_gql(&lang(ctx)))
    }
}
