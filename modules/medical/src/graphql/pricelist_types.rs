//! Output types of price lists (items and services lists), their details and compact prices,
//! with openIMIS names; details of a page of lists are loaded once.

use super::types::*;
use crate::entity::{item, pricelist, pricelist_detail, service};
use crate::service::{self as svc, MedicalKind};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use imis_core::graphql::connection::ConnectionCounts;
use imis_core::graphql::scalars::Date;
use imis_core::graphql::{GqlResult, decode_global_id, global_id, principal, state};
use imis_core::location::graphql::{LocationGQLType, location_nodes};
use imis_core::{AppError, AppResult};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use std::sync::Arc;

/// Details of a page of price lists, with the items and services they name.
#[derive(Default)]
pub struct DetailData {
    pub rows: HashMap<i64, Vec<pricelist_detail::Model>>,
    pub items: HashMap<i64, item::Model>,
    pub services: HashMap<i64, service::Model>,
}

/// Loads the current details of the given lists in three queries.
pub async fn detail_data(
    conn: &impl ConnectionTrait,
    pricelist_ids: &[i64],
) -> AppResult<Arc<DetailData>> {
    let rows = svc::details_of(conn, pricelist_ids).await?;
    let all: Vec<pricelist_detail::Model> = rows.values().flatten().cloned().collect();
    let (items, services) = svc::detail_members(conn, &all).await?;
    Ok(Arc::new(DetailData {
        rows,
        items,
        services,
    }))
}

/// The current details naming a page of items (or services), by item (or service) id, in the
/// lists the caller may see; loaded with the page when `pricelistDetails` is asked.
#[derive(Default, Debug)]
pub struct MemberDetails {
    pub rows: HashMap<i64, Vec<(pricelist_detail::Model, pricelist::Model)>>,
}

/// Loads [`MemberDetails`] of these items (or services) in two queries.
pub async fn member_details(
    ctx: &Context<'_>,
    kind: MedicalKind,
    member_ids: &[i64],
) -> AppResult<Arc<MemberDetails>> {
    let mut rows: HashMap<i64, Vec<_>> = HashMap::new();
    for (d, list) in svc::member_details(state(ctx), principal(ctx), kind, member_ids, None).await?
    {
        rows.entry(d.medical_id).or_default().push((d, list));
    }
    Ok(Arc::new(MemberDetails { rows }))
}

/// The list a `pricelistDetails(itemsPricelist:/servicesPricelist:)` argument names: an integer
/// id or a global id of `list_type` (a previous version's id names its list). `Ok(None)`: no
/// list asked; `Ok(Some(None))`: an unknown version, matching nothing.
async fn asked_pricelist(
    ctx: &Context<'_>,
    list_type: &str,
    arg: Option<&str>,
) -> AppResult<Option<Option<i64>>> {
    let Some(raw) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    if let Ok(pk) = raw.parse::<i64>() {
        return Ok(Some(Some(pk)));
    }
    let bad = || AppError::validation("input.invalid_id").with("id", raw);
    let (t, key) = decode_global_id(raw)?;
    let pk: i64 = key.parse().map_err(|_| bad())?;
    if t == list_type {
        Ok(Some(Some(pk)))
    } else if t == format!("{list_type}History") {
        Ok(Some(svc::pricelist_id_of_version(state(ctx), pk).await?))
    } else {
        Err(bad())
    }
}

/// The details of `pricelistDetails` on an item or service: from the page's [`MemberDetails`]
/// when loaded, else in two queries for this member alone; only in the asked list when given.
pub(crate) async fn member_detail_rows(
    ctx: &Context<'_>,
    kind: MedicalKind,
    member_id: i64,
    loaded: Option<&Arc<MemberDetails>>,
    list_type: &str,
    arg: Option<&ID>,
) -> AppResult<Vec<(pricelist_detail::Model, pricelist::Model)>> {
    let asked = asked_pricelist(ctx, list_type, arg.map(|a| a.as_str())).await?;
    if asked == Some(None) {
        return Ok(vec![]);
    }
    let wanted = |d: &pricelist_detail::Model| asked.is_none_or(|a| a == Some(d.pricelist_id));
    Ok(match loaded {
        Some(m) => m
            .rows
            .get(&member_id)
            .into_iter()
            .flatten()
            .filter(|(d, _)| wanted(d))
            .cloned()
            .collect(),
        None => {
            svc::member_details(
                state(ctx),
                principal(ctx),
                kind,
                &[member_id],
                asked.flatten(),
            )
            .await?
        }
    })
}

/// What both kinds of price-list nodes hold.
#[derive(Clone)]
pub struct PricelistData {
    pub model: pricelist::Model,
    pub history_id: Option<i64>,
    /// Loaded with the page; `None` with `location_loaded` = national.
    pub location: Option<LocationGQLType>,
    pub location_loaded: bool,
    pub details: Option<Arc<DetailData>>,
}

impl PricelistData {
    pub fn new(model: pricelist::Model) -> Self {
        PricelistData {
            model,
            history_id: None,
            location: None,
            location_loaded: false,
            details: None,
        }
    }

    async fn location(&self, ctx: &Context<'_>) -> AppResult<Option<LocationGQLType>> {
        if self.location_loaded {
            return Ok(self.location.clone());
        }
        let Some(l) = self.model.location_id else {
            return Ok(None);
        };
        Ok(location_nodes(&state(ctx).db.conn, &[l]).await?.remove(&l))
    }

    async fn details(&self, ctx: &Context<'_>) -> AppResult<Arc<DetailData>> {
        match &self.details {
            Some(d) => Ok(d.clone()),
            None => detail_data(&state(ctx).db.conn, &[self.model.id]).await,
        }
    }
}

/// Builds price-list nodes for a page: locations (and details, when asked) in a fixed number of
/// queries.
pub async fn pricelist_page_data(
    conn: &impl ConnectionTrait,
    rows: Vec<(pricelist::Model, Option<i64>)>,
    with_details: bool,
) -> AppResult<Vec<PricelistData>> {
    let loc_ids: Vec<i64> = rows.iter().filter_map(|(m, _)| m.location_id).collect();
    let locs = location_nodes(conn, &loc_ids).await?;
    let details = if with_details {
        let ids: Vec<i64> = rows.iter().map(|(m, _)| m.id).collect();
        Some(detail_data(conn, &ids).await?)
    } else {
        None
    };
    Ok(rows
        .into_iter()
        .map(|(model, history_id)| PricelistData {
            location: model.location_id.and_then(|l| locs.get(&l).cloned()),
            location_loaded: true,
            model,
            history_id,
            details: details.clone(),
        })
        .collect())
}

pub(crate) fn detail_cursor(id: i64) -> String {
    B64.encode(format!("detail:{id}"))
}

pub(crate) fn detail_cursor_id(c: &str) -> Option<i64> {
    let text = String::from_utf8(B64.decode(c).ok()?).ok()?;
    text.strip_prefix("detail:")?.parse().ok()
}

/// Pages through an in-memory list ordered by id (`after`/`before` are detail cursors).
pub(crate) fn slice_details<T>(
    all: Vec<(i64, T)>,
    offset: Option<i32>,
    before: Option<String>,
    after: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> (Vec<(i64, T)>, bool, bool, i64) {
    let total = all.len() as i64;
    let after = after.as_deref().and_then(detail_cursor_id);
    let before = before.as_deref().and_then(detail_cursor_id);
    let mut rows: Vec<(i64, T)> = all
        .into_iter()
        .filter(|(id, _)| after.is_none_or(|a| *id > a) && before.is_none_or(|b| *id < b))
        .collect();
    let skip = offset.unwrap_or(0).max(0) as usize;
    let mut has_previous = after.is_some() || skip > 0;
    rows.drain(..skip.min(rows.len()));
    let mut has_next = before.is_some();
    if let Some(n) = first {
        let n = n.max(0) as usize;
        if rows.len() > n {
            has_next = true;
            rows.truncate(n);
        }
    }
    if let Some(n) = last {
        let n = n.max(0) as usize;
        if rows.len() > n {
            has_previous = true;
            rows.drain(..rows.len() - n);
        }
    }
    (rows, has_next, has_previous, total)
}

macro_rules! pricelist_types {
    (
        $list:ident, $list_name:literal, $detail:ident, $detail_name:literal,
        $conn:ident, $conn_name:ident, $edge_name:ident, $kind:expr,
        $filter_arg:literal, $member:ident: $member_ty:ident from $member_map:ident,
        $parent:ident
    ) => {
        /// A price list of this kind, or one of its previous versions (D7).
        #[derive(Clone)]
        pub struct $list(pub PricelistData);

        imis_core::connection_type!($conn, $conn_name, $edge_name, $detail, $detail_name);

        #[Object(name = $list_name)]
        impl $list {
            pub async fn id(&self) -> ID {
                node_id($list_name, self.0.model.id, self.0.history_id)
            }
            async fn uuid(&self) -> String {
                self.0.model.uuid.to_string()
            }
            async fn name(&self) -> &str {
                &self.0.model.name
            }
            async fn pricelist_date(&self) -> Date {
                Date(self.0.model.pricelist_date)
            }
            /// Region or district; null = national.
            async fn location(
                &self,
                ctx: &Context<'_>,
            ) -> async_graphql::Result<Option<LocationGQLType>> {
                self.0.location(ctx).await.gql(ctx)
            }
            #[graphql(flatten)]
            async fn validity(&self) -> imis_core::kit::Validity {
                imis_core::kit::Validity::of(self.0.model.validity_from, self.0.model.validity_to)
            }
            async fn legacy_id(&self) -> Option<i64> {
                self.0.history_id.map(|_| self.0.model.id)
            }
            async fn audit_user_id(&self) -> Option<i64> {
                self.0.model.audit_user_id
            }
            async fn client_mutation_id(&self) -> Option<String> {
                None
            }
            /// The current details of the list (for a previous version: the list's current
            /// details), ordered by id; `totalCount` is always given.
            #[allow(clippy::too_many_arguments)]
            async fn details(
                &self,
                ctx: &Context<'_>,
                offset: Option<i32>,
                before: Option<String>,
                after: Option<String>,
                first: Option<i32>,
                last: Option<i32>,
                #[graphql(name = $filter_arg)] _pricelist: Option<ID>,
            ) -> async_graphql::Result<$conn> {
                let data = self.0.details(ctx).await.gql(ctx)?;
                let all: Vec<(i64, $detail)> = data
                    .rows
                    .get(&self.0.model.id)
                    .into_iter()
                    .flatten()
                    .filter(|d| d.kind == $kind.code())
                    .filter_map(|d| {
                        data.$member_map.get(&d.medical_id).map(|m| {
                            (
                                d.id,
                                $detail {
                                    model: d.clone(),
                                    pricelist: self.0.model.clone(),
                                    member: m.clone(),
                                },
                            )
                        })
                    })
                    .collect();
                Ok($detail::connection(all, offset, before, after, first, last))
            }
        }

        impl $detail {
            /// A page of details ordered by id; `totalCount` is always given.
            pub(crate) fn connection(
                all: Vec<(i64, $detail)>,
                offset: Option<i32>,
                before: Option<String>,
                after: Option<String>,
                first: Option<i32>,
                last: Option<i32>,
            ) -> $conn {
                let (rows, has_next, has_previous, total) =
                    slice_details(all, offset, before, after, first, last);
                let mut c = Connection::with_additional_fields(
                    has_previous,
                    has_next,
                    ConnectionCounts {
                        total_count: Some(total),
                        edge_count: rows.len() as i32,
                    },
                );
                c.edges.extend(
                    rows.into_iter()
                        .map(|(id, d)| Edge::new(detail_cursor(id), d)),
                );
                c
            }
        }

        /// A detail of a price list: an item or service with its optional override price.
        #[derive(Clone)]
        pub struct $detail {
            pub model: pricelist_detail::Model,
            pub pricelist: pricelist::Model,
            pub member: <$member_ty as MemberModel>::Model,
        }

        #[Object(name = $detail_name)]
        impl $detail {
            pub async fn id(&self) -> ID {
                global_id($detail_name, self.model.id)
            }
            async fn $parent(&self) -> $list {
                $list(PricelistData::new(self.pricelist.clone()))
            }
            async fn $member(&self) -> $member_ty {
                $member_ty::new(self.member.clone())
            }
            /// The price that replaces the item's or service's own price in this list.
            async fn price_overrule(&self, ctx: &Context<'_>) -> Option<Decimal> {
                self.model.price_overrule.map(|p| money(ctx, p))
            }
            #[graphql(flatten)]
            async fn validity(&self) -> imis_core::kit::Validity {
                imis_core::kit::Validity::of(self.model.validity_from, self.model.validity_to)
            }
            async fn legacy_id(&self) -> Option<i64> {
                None
            }
            async fn audit_user_id(&self) -> Option<i64> {
                self.model.audit_user_id
            }
        }
    };
}

/// The model a price-list detail names.
pub trait MemberModel {
    type Model: Clone + Send + Sync;
}
impl MemberModel for ItemGQLType {
    type Model = item::Model;
}
impl MemberModel for ServiceGQLType {
    type Model = service::Model;
}

pricelist_types!(
    ItemsPricelistGQLType, "ItemsPricelistGQLType",
    ItemsPricelistDetailGQLType, "ItemsPricelistDetailGQLType",
    ItemsPricelistDetailConnection, ItemsPricelistDetailConnName, ItemsPricelistDetailEdgeName,
    MedicalKind::Item, "itemsPricelist", item: ItemGQLType from items, items_pricelist
);

pricelist_types!(
    ServicesPricelistGQLType, "ServicesPricelistGQLType",
    ServicesPricelistDetailGQLType, "ServicesPricelistDetailGQLType",
    ServicesPricelistDetailConnection, ServicesPricelistDetailConnName, ServicesPricelistDetailEdgeName,
    MedicalKind::Service, "servicesPricelist", service: ServiceGQLType from services, services_pricelist
);

/// `PriceCompactGQLType`: an item or service id and its override price (null = own price).
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "PriceCompactGQLType")]
pub struct PriceCompactGQLType {
    pub id: Option<i64>,
    pub p: Option<Decimal>,
}

/// `PricelistsGQLType`: the compact details of the asked lists.
#[derive(SimpleObject, Clone, Debug, Default)]
#[graphql(name = "PricelistsGQLType")]
pub struct PricelistsGQLType {
    pub services: Option<Vec<Option<PriceCompactGQLType>>>,
    pub items: Option<Vec<Option<PriceCompactGQLType>>>,
}
