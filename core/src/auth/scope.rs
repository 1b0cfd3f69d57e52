//! Location scope (D9): interactive users see their districts, enrolment officers their villages,
//! claim administrators their health facility; a login with several kinds gets the union;
//! IMIS Administrators are not restricted. Scope data lives in core tables.

use crate::error::AppResult;
use sea_orm::ConnectionTrait;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::OnceCell;

#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub unrestricted: bool,
    pub districts: Vec<i64>,
    pub villages: Vec<i64>,
    pub health_facility_id: Option<i64>,
    /// The location (district) of the claim administrator's facility.
    pub health_facility_location: Option<i64>,
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

    pub fn restricted(
        districts: Vec<i64>,
        villages: Vec<i64>,
        hf: Option<(i64, Option<i64>)>,
    ) -> Self {
        Scope {
            unrestricted: false,
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
                Ok::<_, crate::error::AppError>(Arc::new(descendants(conn, &self.bases()).await?))
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
                s.extend(ancestors(conn, &self.bases()).await?);
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

async fn descendants(conn: &impl ConnectionTrait, bases: &[i64]) -> AppResult<HashSet<i64>> {
    if bases.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM core_location WHERE id IN ({}) AND validity_to IS NULL \
         UNION SELECT l.id FROM core_location l JOIN sub ON l.parent_id = sub.id WHERE l.validity_to IS NULL) SELECT id FROM sub",
        crate::text::ids_sql(bases.iter().copied())
    );
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            sql,
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<i64>("", "id").map_err(Into::into))
        .collect()
}

async fn ancestors(conn: &impl ConnectionTrait, bases: &[i64]) -> AppResult<HashSet<i64>> {
    Ok(crate::location::service::ancestor_ids(conn, bases)
        .await?
        .into_iter()
        .collect())
}
