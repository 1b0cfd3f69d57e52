//! Location scope (D9): interactive users see their districts, enrolment officers their villages,
//! claim administrators their health facility; a login with several kinds gets the union;
//! IMIS Administrators are not restricted. Scope data lives in the core registers, which build
//! the scope and hand it the queries of their location tree ([`LocationTree`]): the kernel never
//! reads a register table itself.

use crate::error::{AppError, AppResult};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The location tree's queries a restricted scope runs (lazily, once per request): each builds,
/// for the backend and the base location ids, a statement returning one `id` column.
#[derive(Debug, Clone, Copy)]
pub struct LocationTree {
    /// The bases and every current descendant.
    pub descendants: fn(DbBackend, &[i64]) -> Statement,
    /// The bases and every ancestor.
    pub ancestors: fn(DbBackend, &[i64]) -> Statement,
}

#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub unrestricted: bool,
    pub districts: Vec<i64>,
    pub villages: Vec<i64>,
    pub health_facility_id: Option<i64>,
    /// The location (district) of the claim administrator's facility.
    pub health_facility_location: Option<i64>,
    tree: Option<LocationTree>,
    allowed: Arc<OnceCell<Arc<HashSet<i64>>>>,
    visible: Arc<OnceCell<Arc<HashSet<i64>>>>,
}

impl Scope {
    pub fn unrestricted() -> Self {
        Scope {
            unrestricted: true,
            ..Default::default()
        }
    }

    /// A restricted scope over `tree`: the user's districts, villages and (claim administrator)
    /// health facility with its location.
    pub fn restricted(
        tree: LocationTree,
        districts: Vec<i64>,
        villages: Vec<i64>,
        hf: Option<(i64, Option<i64>)>,
    ) -> Self {
        Scope {
            unrestricted: false,
            tree: Some(tree),
            districts,
            villages,
            health_facility_id: hf.map(|h| h.0),
            health_facility_location: hf.and_then(|h| h.1),
            ..Default::default()
        }
    }

    fn bases(&self) -> Vec<i64> {
        let mut b: Vec<i64> = self
            .districts
            .iter()
            .chain(&self.villages)
            .copied()
            .collect();
        b.extend(self.health_facility_location);
        b
    }

    /// The ids one of the tree's queries returns for the scope's base locations.
    async fn tree_ids(
        &self,
        conn: &impl ConnectionTrait,
        query: fn(&LocationTree) -> fn(DbBackend, &[i64]) -> Statement,
    ) -> AppResult<HashSet<i64>> {
        let bases = self.bases();
        if bases.is_empty() {
            return Ok(HashSet::new());
        }
        let Some(tree) = &self.tree else {
            tracing::error!("a restricted scope with base locations has no location tree");
            return Err(AppError::internal());
        };
        let rows = conn
            .query_all_raw(query(tree)(conn.get_database_backend(), &bases))
            .await?;
        rows.iter()
            .map(|r| r.try_get::<i64>("", "id").map_err(Into::into))
            .collect()
    }

    /// Locations whose data the user may see and change: the base locations and every descendant.
    /// `None` = unrestricted.
    pub async fn allowed_locations(
        &self,
        conn: &impl ConnectionTrait,
    ) -> AppResult<Option<Arc<HashSet<i64>>>> {
        if self.unrestricted {
            return Ok(None);
        }
        let set = self
            .allowed
            .get_or_try_init(|| async {
                Ok::<_, crate::error::AppError>(Arc::new(
                    self.tree_ids(conn, |t| t.descendants).await?,
                ))
            })
            .await?;
        Ok(Some(set.clone()))
    }

    /// Locations the user may see in the location tree: the allowed ones and their ancestors.
    pub async fn visible_locations(
        &self,
        conn: &impl ConnectionTrait,
    ) -> AppResult<Option<Arc<HashSet<i64>>>> {
        let Some(allowed) = self.allowed_locations(conn).await? else {
            return Ok(None);
        };
        let set = self
            .visible
            .get_or_try_init(|| async {
                let mut s: HashSet<i64> = (*allowed).clone();
                s.extend(self.tree_ids(conn, |t| t.ancestors).await?);
                Ok::<_, crate::error::AppError>(Arc::new(s))
            })
            .await?;
        Ok(Some(set.clone()))
    }

    /// Whether a row located at `location` is within scope. A row whose location is unknown
    /// (`None`: an insuree detached from every family and village, say) is visible only to
    /// unrestricted users: a restricted user cannot show it lies in their districts. Rows that
    /// are national by design (products, price lists, payers without a location) are checked by
    /// [`Scope::allows_national`].
    pub async fn allows(
        &self,
        conn: &impl ConnectionTrait,
        location: Option<i64>,
    ) -> AppResult<bool> {
        match (location, self.allowed_locations(conn).await?) {
            (_, None) => Ok(true),
            (None, Some(_)) => Ok(false),
            (Some(l), Some(set)) => Ok(set.contains(&l)),
        }
    }

    /// Whether a row that is national when it has no location (D9: products, price lists,
    /// payers) is within scope: national rows are open to everybody, located ones as [`Scope::allows`].
    pub async fn allows_national(
        &self,
        conn: &impl ConnectionTrait,
        location: Option<i64>,
    ) -> AppResult<bool> {
        match location {
            None => Ok(true),
            Some(_) => self.allows(conn, location).await,
        }
    }
}
