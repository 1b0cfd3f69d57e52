//! Batched look-ups of locations and facilities for fields that name one by id on objects other
//! code builds (an officer's district, a user's facility): whatever list the objects come from,
//! the look-ups the same request makes together are one query per batch. The schema carries one
//! [`LocationRegisterLoader`] (see [`location_register_loader`]); without it each look-up runs
//! alone. The loader answers rows as they are: the field applies the caller's scope (D9).

use super::*;
use crate::entity::health_facility;
use crate::kit::CurrentRows;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Loads location nodes (with their parents) and current facility nodes (with their location
/// and price lists) by id.
pub struct LocationRegisterLoader {
    state: AppState,
}

/// A location by id.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct LocationKey(pub i64);

/// A current health facility by id.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct HealthFacilityKey(pub i64);

/// The loader the schema carries as data (`Schema::build(…).data(location_register_loader(&state))`).
pub fn location_register_loader(state: &AppState) -> DataLoader<LocationRegisterLoader> {
    DataLoader::new(
        LocationRegisterLoader {
            state: state.clone(),
        },
        tokio::spawn,
    )
}

impl Loader<LocationKey> for LocationRegisterLoader {
    type Value = LocationGQLType;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[LocationKey],
    ) -> Result<HashMap<LocationKey, LocationGQLType>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        Ok(location_nodes(&self.state.db.conn, &ids)
            .await?
            .into_iter()
            .map(|(id, node)| (LocationKey(id), node))
            .collect())
    }
}

impl Loader<HealthFacilityKey> for LocationRegisterLoader {
    type Value = HealthFacilityGQLType;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[HealthFacilityKey],
    ) -> Result<HashMap<HealthFacilityKey, HealthFacilityGQLType>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let models = health_facility::Entity::find()
            .current()
            .filter(health_facility::Column::Id.is_in(ids))
            .all(&self.state.db.conn)
            .await?;
        let rows = models.into_iter().map(|m| (m, None)).collect();
        Ok(health_facility_nodes(&self.state, rows, false, true)
            .await?
            .into_iter()
            .map(|node| (HealthFacilityKey(node.model.id), node))
            .collect())
    }
}

/// The location `id` as a node with its parents, batched through the schema's loader.
pub async fn location_node(ctx: &Context<'_>, id: i64) -> AppResult<Option<LocationGQLType>> {
    match ctx.data_opt::<DataLoader<LocationRegisterLoader>>() {
        Some(loader) => loader.load_one(LocationKey(id)).await,
        None => Ok(location_nodes(&state(ctx).db.conn, &[id])
            .await?
            .remove(&id)),
    }
}

/// The current health facility `id` as a node with its location and price lists, batched
/// through the schema's loader.
pub async fn health_facility_node(
    ctx: &Context<'_>,
    id: i64,
) -> AppResult<Option<HealthFacilityGQLType>> {
    match ctx.data_opt::<DataLoader<LocationRegisterLoader>>() {
        Some(loader) => loader.load_one(HealthFacilityKey(id)).await,
        None => {
            let st = state(ctx);
            let model = health_facility::Entity::find_by_id(id)
                .current()
                .one(&st.db.conn)
                .await?;
            let Some(model) = model else { return Ok(None) };
            Ok(health_facility_nodes(st, vec![(model, None)], false, true)
                .await?
                .pop())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_batch_answers_every_existing_key() {
        let dir = std::env::temp_dir().join(format!("imis-loader-{}", Uuid::now_v7()));
        let cfg = crate::config::Config::for_tests("sqlite::memory:", &dir);
        let state = AppState::build(cfg, true).await.unwrap();
        let tx = state.db.begin_write().await.unwrap();
        let demo = crate::location::demo::seed(&state, &tx, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let loader = location_register_loader(&state);

        let keys = [
            LocationKey(demo.villages[0]),
            LocationKey(demo.districts[1]),
            LocationKey(999_999),
        ];
        let found = loader.load_many(keys).await.unwrap();
        assert_eq!(found.len(), 2);
        let village = &found[&LocationKey(demo.villages[0])];
        assert_eq!(village.model.code, "V0001");
        let district = village.parent.as_ref().and_then(|w| w.parent.as_ref());
        assert_eq!(district.map(|d| d.model.code.as_str()), Some("D0001"));

        let keys = demo
            .health_facilities
            .iter()
            .map(|id| HealthFacilityKey(*id));
        let found = loader.load_many(keys).await.unwrap();
        assert_eq!(found.len(), 3);
        let first = &found[&HealthFacilityKey(demo.health_facilities[0])];
        assert_eq!(first.model.code, "HD0001");
        assert_eq!(
            first.location.as_ref().map(|l| l.model.code.as_str()),
            Some("D0001")
        );
    }
}
