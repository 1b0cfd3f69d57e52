//! Start-up: building the application state ([`AppState`], defined in [`crate::state`]) from the
//! configuration, migrating every enabled module, and the readiness checks. The top of the
//! kernel: it may use every other kernel file, none uses it.

use crate::config::Config;
use crate::dates::Clock;
use crate::db::Db;
use crate::files::FileStore;
pub use crate::state::AppState;
use crate::state::{EnabledModules, EventBus, ModuleDescriptor};
use std::sync::Arc;
use tokio::sync::Notify;

impl AppState {
    /// Resolves the modules, connects, optionally migrates, and wires the event bus.
    pub async fn build(config: Config, migrate: bool) -> anyhow::Result<AppState> {
        let modules =
            crate::registry::enabled_modules(&config.modules.enabled).map_err(|errs| {
                anyhow::anyhow!(
                    "module configuration is invalid:\n  - {}",
                    errs.join("\n  - ")
                )
            })?;
        crate::auth::password::configure(&config.auth);
        crate::graphql::scalars::set_input_zone(config.tz());
        let db = Db::connect(&config.database).await?;
        if migrate {
            migrate_all(&db, &modules).await?;
        }
        let (bus, ports) = EventBus::wire(&modules);
        let enabled = EnabledModules(modules.iter().map(|m| m.name.to_string()).collect());
        let jwt_key = if config.auth.jwt_secret.is_empty() {
            crate::auth::tokens::stored_signing_key(&db).await?
        } else {
            config.auth.jwt_secret.as_bytes().to_vec()
        };
        Ok(AppState {
            clock: Clock::new(config.tz()),
            files: FileStore::new(&config.files.root, config.files.max_file_bytes),
            config: Arc::new(config),
            db,
            bus: Arc::new(bus),
            ports: Arc::new(ports),
            modules: Arc::new(modules),
            enabled,
            jwt_key: Arc::new(jwt_key),
            outbox_wakeup: Arc::new(Notify::new()),
        })
    }

    /// Pending migrations per enabled module.
    pub async fn pending_migrations(
        &self,
    ) -> anyhow::Result<Vec<(&'static str, Vec<&'static str>)>> {
        let mut out = vec![];
        for m in self.modules.iter() {
            let list = (m.migrations)();
            let p = crate::migrate::pending(&self.db, m.name, &list).await?;
            if !p.is_empty() {
                out.push((m.name, p));
            }
        }
        Ok(out)
    }

    /// Whether the database is reachable and every migration of the enabled modules is applied.
    pub async fn is_ready(&self) -> bool {
        self.db.ping().await
            && self
                .pending_migrations()
                .await
                .map(|p| p.is_empty())
                .unwrap_or(false)
    }
}

/// Applies the migrations of every module, in dependency order.
pub async fn migrate_all(
    db: &Db,
    modules: &[&'static ModuleDescriptor],
) -> anyhow::Result<Vec<String>> {
    let mut applied = vec![];
    for m in modules {
        let list = (m.migrations)();
        for name in crate::migrate::apply(db, m.name, &list).await? {
            applied.push(format!("{}: {name}", m.name));
        }
        if let Some(after) = m.after_migrations {
            let tx = db.begin_write().await?;
            after(&*tx).await?;
            tx.commit().await?;
        }
    }
    Ok(applied)
}
