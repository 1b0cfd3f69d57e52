//! Reads: the `products` filter, one product by id, uuid or history version, products by id or
//! code, code checks and conversion links.

use super::*;

/// Filters of `products`.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub id: Option<i64>,
    pub uuid: Option<Uuid>,
    pub code: Option<String>,
    pub code_icontains: Option<String>,
    pub code_istartswith: Option<String>,
    pub name: Option<String>,
    pub name_icontains: Option<String>,
    pub name_istartswith: Option<String>,
    pub date_from: Option<NaiveDate>,
    pub date_from_gt: Option<NaiveDate>,
    pub date_from_gte: Option<NaiveDate>,
    pub date_from_lt: Option<NaiveDate>,
    pub date_from_lte: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub date_to_gt: Option<NaiveDate>,
    pub date_to_gte: Option<NaiveDate>,
    pub date_to_lt: Option<NaiveDate>,
    pub date_to_lte: Option<NaiveDate>,
    /// National products plus those of this location and of all its ancestors.
    pub location: Option<i64>,
    pub location_isnull: Option<bool>,
    /// Code or name contains this (case and accents ignored).
    pub search: Option<String>,
}

pub(crate) fn upper_like(col: product::Column, pattern: String) -> Expr {
    Expr::expr(Func::upper(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
}

pub(crate) fn folded_like(col: product::Column, pattern: String) -> Condition {
    Condition::all().add(col.like(LikeExpr::new(pattern).escape('\\')))
}

/// Current products the caller may see (D9: national, within the allowed locations, or an
/// ancestor of one of them), filtered. Requires 121001, 101202 or 101205 (D8).
pub async fn products_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &ProductFilter,
) -> AppResult<Select<product::Entity>> {
    let p = require_user(principal, Requirement::AnyOf(PRODUCTS_READ))?;
    let conn = &state.db.conn;
    use imis_core::text::{fold, like_escape};
    use product::Column as C;
    let mut q = product::Entity::find().filter(C::ValidityTo.is_null());
    if let Some(visible) = p.scope.visible_locations(conn).await? {
        q = q.filter(
            Condition::any()
                .add(C::LocationId.is_null())
                .add(C::LocationId.is_in(visible.iter().copied())),
        );
    }
    if let Some(id) = f.id {
        q = q.filter(C::Id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    if let Some(v) = &f.code {
        q = q.filter(C::Code.eq(v.trim()));
    }
    if let Some(v) = &f.code_icontains {
        q = q.filter(upper_like(
            C::Code,
            format!("%{}%", like_escape(&v.trim().to_uppercase())),
        ));
    }
    if let Some(v) = &f.code_istartswith {
        q = q.filter(upper_like(
            C::Code,
            format!("{}%", like_escape(&v.trim().to_uppercase())),
        ));
    }
    if let Some(v) = &f.name {
        q = q.filter(C::NameSearch.eq(fold(v.trim())));
    }
    if let Some(v) = &f.name_icontains {
        q = q.filter(folded_like(
            C::NameSearch,
            format!("%{}%", like_escape(&fold(v.trim()))),
        ));
    }
    if let Some(v) = &f.name_istartswith {
        q = q.filter(folded_like(
            C::NameSearch,
            format!("{}%", like_escape(&fold(v.trim()))),
        ));
    }
    for (col, eq, gt, gte, lt, lte) in [
        (
            C::DateFrom,
            f.date_from,
            f.date_from_gt,
            f.date_from_gte,
            f.date_from_lt,
            f.date_from_lte,
        ),
        (
            C::DateTo,
            f.date_to,
            f.date_to_gt,
            f.date_to_gte,
            f.date_to_lt,
            f.date_to_lte,
        ),
    ] {
        if let Some(d) = eq {
            q = q.filter(col.eq(d));
        }
        if let Some(d) = gt {
            q = q.filter(col.gt(d));
        }
        if let Some(d) = gte {
            q = q.filter(col.gte(d));
        }
        if let Some(d) = lt {
            q = q.filter(col.lt(d));
        }
        if let Some(d) = lte {
            q = q.filter(col.lte(d));
        }
    }
    if let Some(loc) = f.location {
        let chain: Vec<i64> = imis_core::location::service::locations_with_ancestors(conn, &[loc])
            .await?
            .into_keys()
            .collect();
        q = q.filter(
            Condition::any()
                .add(C::LocationId.is_null())
                .add(C::LocationId.is_in(chain)),
        );
    }
    match f.location_isnull {
        Some(true) => q = q.filter(C::LocationId.is_null()),
        Some(false) => q = q.filter(C::LocationId.is_not_null()),
        None => {}
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any()
                .add(upper_like(
                    C::Code,
                    format!("%{}%", like_escape(&s.to_uppercase())),
                ))
                .add(
                    C::NameSearch
                        .like(LikeExpr::new(format!("%{}%", like_escape(&fold(s)))).escape('\\')),
                ),
        );
    }
    Ok(q)
}

/// `product(id|uuid)`: one current product the caller may see; `history_id` names a version
/// (`ProductGQLTypeHistory`) of a product the caller may see.
pub async fn find_product(
    state: &AppState,
    principal: Option<&Principal>,
    id: Option<i64>,
    uuid: Option<Uuid>,
    history_id: Option<i64>,
) -> AppResult<Option<(product::Model, Option<i64>)>> {
    let conn = &state.db.conn;
    if let Some(h) = history_id {
        let select = products_select(state, principal, &ProductFilter::default()).await?;
        let Some(version) =
            imis_core::history::version_by_history_id::<product::Model>(conn, HISTORY_ENTITY, h)
                .await?
        else {
            return Ok(None);
        };
        // The version is shown when its product (current) is visible to the caller.
        let visible = select
            .filter(product::Column::Id.eq(version.id))
            .one(conn)
            .await?
            .is_some();
        return Ok(visible.then_some((version, Some(h))));
    }
    if id.is_none() && uuid.is_none() {
        require_user(principal, Requirement::AnyOf(PRODUCTS_READ))?;
        return Err(AppError::invalid("id", "id or uuid is required"));
    }
    let f = ProductFilter {
        id,
        uuid,
        ..Default::default()
    };
    Ok(products_select(state, principal, &f)
        .await?
        .one(conn)
        .await?
        .map(|m| (m, None)))
}

/// Products by id (any validity), for conversion products of a page.
pub async fn products_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, product::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(product::Entity::find()
        .filter(product::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

pub(crate) async fn code_taken(
    conn: &impl ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    let mut q = product::Entity::find()
        .filter(product::Column::Code.eq(code.trim()))
        .filter(product::Column::ValidityTo.is_null());
    if let Some(id) = except {
        q = q.filter(product::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

/// `validateProductCode`: true when no current product has this code (121001).
pub async fn validate_product_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    require_user(principal, Requirement::AnyOf(&[RIGHT_PRODUCT_SEARCH]))?;
    Ok(!code_taken(&state.db.conn, code, None).await?)
}

/// `limitDefaults` / `pageDisplayRules`: any login.
pub fn require_login(principal: Option<&Principal>) -> AppResult<()> {
    require_user(principal, Requirement::Authenticated).map(|_| ())
}

/// The conversion links of current products: product id → its `conversionProduct` id.
pub async fn conversion_links(
    conn: &impl ConnectionTrait,
) -> AppResult<std::collections::HashMap<i64, i64>> {
    Ok(product::Entity::find()
        .filter(product::Column::ValidityTo.is_null())
        .filter(product::Column::ConversionProductId.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|p| p.conversion_product_id.map(|c| (p.id, c)))
        .collect())
}

/// Ids of the products (current or not) whose code is `code`: a policy keeps its product's id.
pub async fn products_by_code(conn: &impl ConnectionTrait, code: &str) -> AppResult<Vec<i64>> {
    Ok(product::Entity::find()
        .filter(product::Column::Code.eq(code.trim()))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// The current product with this code.
pub async fn current_product_by_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find()
        .filter(product::Column::Code.eq(code.trim()))
        .filter(product::Column::ValidityTo.is_null())
        .one(conn)
        .await?)
}
