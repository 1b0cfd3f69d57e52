//! Test harness for cross-module scenarios, plus the test module ([`testmod`]).
//!
//! Every scenario runs on a fresh SQLite file, and also on a fresh PostgreSQL database when
//! `IMIS_TEST_POSTGRES_URL` is set (an admin URL such as `postgres://postgres@127.0.0.1:5432/test`);
//! each database is created for the test and dropped afterwards, so tests run in parallel and
//! twice in a row. GraphQL is executed in-process against the composed schema: the gateway's
//! roots (the core and every module of its module list, [`imis_gateway::schema::Query`]) merged
//! with the test module's, so a new module needs no edit here. Module crates use this harness
//! from their own `tests/` (`[dev-dependencies] imis-tests`). [`source`] reads the workspace's
//! sources for the tests that check the code itself (boundaries, message catalogue).
// The composed GraphQL roots nest deeply enough to pass rustc's default query depth in a
// clean build.
#![recursion_limit = "256"]

pub mod fixtures;
pub mod source;
pub mod testmod;

use async_graphql::{EmptySubscription, Request, Response, Schema, Variables};
use futures::FutureExt;
use imis_core::AppState;
use imis_core::auth::Principal;
use imis_core::config::Config;
use imis_core::graphql::flatten::Flattened;
use sea_orm::ConnectionTrait;
use std::path::PathBuf;

// The gateway's composed roots (the core and every module of its module list) plus the test
// module's: a new module needs no edit here.
#[derive(async_graphql::MergedObject)]
pub struct TestQuery(
    pub Boxed<imis_gateway::schema::Query>,
    pub testmod::TestModQuery,
);

#[derive(async_graphql::MergedObject)]
pub struct TestMutation(
    pub Boxed<imis_gateway::schema::Mutation>,
    pub testmod::TestModMutation,
);

/// A root object whose resolution is a boxed future: the core's [`Flattened`]. Wrapping the
/// gateway's roots cuts the nesting of the composed schema's futures, so that a test crate
/// executing the schema itself (`app.schema.execute(…)`) stays within rustc's default query depth
/// whatever the number of modules. The type, its name and its fields are `T`'s.
pub type Boxed<T> = Flattened<T>;

impl Default for TestQuery {
    fn default() -> Self {
        TestQuery(Flattened(Default::default()), Default::default())
    }
}

impl Default for TestMutation {
    fn default() -> Self {
        TestMutation(Flattened(Default::default()), Default::default())
    }
}

/// The module owning each root field of [`TestQuery`] and [`TestMutation`].
pub fn test_owners() -> imis_gateway::schema::RootFieldOwners {
    use imis_gateway::schema::root_fields_of;
    let mut owners = imis_gateway::root_field_owners();
    owners.extend(root_fields_of::<testmod::TestModQuery>(
        testmod::NAME,
        "Query",
    ));
    owners.extend(root_fields_of::<testmod::TestModMutation>(
        testmod::NAME,
        "Mutation",
    ));
    owners
}

pub type TestSchema = Schema<TestQuery, TestMutation, EmptySubscription>;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A throwaway database.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    files: PathBuf,
    sqlite_path: Option<PathBuf>,
    pg_admin: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join("imis-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let id = uuid::Uuid::new_v4().simple().to_string();
        let path = dir.join(format!("{id}.db"));
        TestDb {
            backend: Backend::Sqlite,
            url: format!("sqlite://{}", path.display()),
            files: dir.join(format!("{id}-files")),
            sqlite_path: Some(path),
            pg_admin: None,
        }
    }

    pub async fn postgres(admin_url: &str) -> TestDb {
        let name = format!("imis_t_{}", uuid::Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(admin_url)
            .await
            .expect("connect to IMIS_TEST_POSTGRES_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(admin_url);
        let dir = std::env::temp_dir().join("imis-tests");
        TestDb {
            backend: Backend::Postgres,
            url: format!("{base}/{name}"),
            files: dir.join(format!("{name}-files")),
            sqlite_path: None,
            pg_admin: Some((admin_url.to_string(), name)),
        }
    }

    pub fn config(&self) -> Config {
        let mut c = Config::for_tests(&self.url, &self.files);
        c.database.max_connections = 5;
        c
    }

    pub async fn cleanup(self) {
        if let Some(p) = &self.sqlite_path {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
        let _ = std::fs::remove_dir_all(&self.files);
        if let Some((admin_url, name)) = &self.pg_admin
            && let Ok(admin) = sea_orm::Database::connect(admin_url.as_str()).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            admin.close().await.ok();
        }
    }
}

/// The PostgreSQL admin URL, when PostgreSQL tests are on.
pub fn postgres_url() -> Option<String> {
    std::env::var("IMIS_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Runs `test` on SQLite, then on PostgreSQL when configured; databases are dropped even when
/// the test panics.
pub async fn on_each_db<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: std::future::Future<Output = TestDb>,
{
    let mut dbs = vec![TestDb::sqlite().await];
    if let Some(url) = postgres_url() {
        dbs.push(TestDb::postgres(&url).await);
    }
    let mut dbs = dbs.into_iter();
    while let Some(db) = dbs.next() {
        let backend = db.backend;
        let (url_for_cleanup, files, sqlite_path, pg_admin) = (
            db.url.clone(),
            db.files.clone(),
            db.sqlite_path.clone(),
            db.pg_admin.clone(),
        );
        match std::panic::AssertUnwindSafe(test(db)).catch_unwind().await {
            Ok(db) => db.cleanup().await,
            Err(panic) => {
                TestDb {
                    backend,
                    url: url_for_cleanup,
                    files,
                    sqlite_path,
                    pg_admin,
                }
                .cleanup()
                .await;
                // The databases not reached yet exist too.
                for rest in dbs {
                    rest.cleanup().await;
                }
                eprintln!("test failed on {backend:?}");
                std::panic::resume_unwind(panic);
            }
        }
    }
}

/// Runs `test` on a [`TestApp`] with the demo data, once per database as [`on_each_db`] does.
pub async fn on_each_app<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    on_each_db(|db: TestDb| async {
        test(TestApp::new(&db).await).await;
        db
    })
    .await;
}

/// A migrated application with the demo data, and its schema.
pub struct TestApp {
    pub state: AppState,
    pub schema: TestSchema,
}

impl TestApp {
    /// Every linked module enabled, demo data seeded.
    pub async fn new(db: &TestDb) -> TestApp {
        Self::with_config(db.config(), true).await
    }

    pub async fn with_config(config: Config, demo: bool) -> TestApp {
        // Errors logged by the services (database texts never reach clients) show in test output.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let state = AppState::build(config, true).await.expect("build state");
        if demo {
            imis_core::demo::seed_all(&state).await.expect("seed demo");
        }
        let schema = imis_gateway::schema::build_schema_with::<TestQuery, TestMutation>(
            &state,
            test_owners(),
        );
        TestApp { state, schema }
    }

    /// The principal of a demo user, as a bearer token would give it.
    pub async fn principal(&self, username: &str) -> Principal {
        let uuid: uuid::Uuid = one_row(
            self,
            "SELECT uuid FROM core_user WHERE username = ? AND validity_to IS NULL",
            vec![username.into()],
        )
        .await
        .try_get("", "uuid")
        .expect("uuid");
        imis_core::users::service::load_principal(&self.state, uuid)
            .await
            .expect("principal")
            .expect("principal exists")
    }

    pub async fn exec(&self, who: Option<&Principal>, query: &str) -> Response {
        self.exec_vars(who, query, serde_json::json!({})).await
    }

    pub async fn exec_vars(
        &self,
        who: Option<&Principal>,
        query: &str,
        vars: serde_json::Value,
    ) -> Response {
        let mut req = Request::new(query).variables(Variables::from_json(vars));
        if let Some(p) = who {
            req = req.data(p.clone());
        }
        self.schema.execute(req).await
    }

    /// Executes and returns `data`, failing the test on any error.
    pub async fn ok(&self, who: Option<&Principal>, query: &str) -> serde_json::Value {
        let r = self.exec(who, query).await;
        assert!(
            r.errors.is_empty(),
            "unexpected errors for {query}: {:?}",
            r.errors
        );
        r.data.into_json().expect("json")
    }

    /// Executes and returns the first error's code, failing the test when there is none.
    pub async fn err_code(&self, who: Option<&Principal>, query: &str) -> String {
        let r = self.exec(who, query).await;
        error_code(&r).unwrap_or_else(|| panic!("expected an error for {query}, got {:?}", r.data))
    }

    /// Executes with `vars` and returns `data`, failing the test on any error.
    pub async fn ok_vars(
        &self,
        who: Option<&Principal>,
        query: &str,
        vars: serde_json::Value,
    ) -> serde_json::Value {
        let r = self.exec_vars(who, query, vars.clone()).await;
        assert!(
            r.errors.is_empty(),
            "unexpected errors for {query} {vars}: {:?}",
            r.errors
        );
        r.data.into_json().expect("json")
    }

    /// Executes with `vars` and returns the first error's code, failing the test when there is
    /// none.
    pub async fn err_code_vars(
        &self,
        who: Option<&Principal>,
        query: &str,
        vars: serde_json::Value,
    ) -> String {
        let r = self.exec_vars(who, query, vars.clone()).await;
        error_code(&r)
            .unwrap_or_else(|| panic!("expected an error for {query} {vars}, got {:?}", r.data))
    }

    /// Counts rows of a table with an optional WHERE clause.
    /// Versions of `entity` kept in history (all its rows, or one row's with `entity_id`), so
    /// module tests count history without naming the kernel's table.
    pub async fn history_count(&self, entity: &str, entity_id: Option<i64>) -> i64 {
        let filter = match entity_id {
            Some(id) => format!("entity = '{entity}' AND entity_id = {id}"),
            None => format!("entity = '{entity}'"),
        };
        self.count("core_history", &filter).await
    }

    /// One row's history versions, oldest first, with columns `data`, `validity_from`,
    /// `validity_to`.
    pub async fn history_rows(&self, entity: &str, entity_id: i64) -> Vec<sea_orm::QueryResult> {
        self.state
            .db
            .conn
            .query_all_raw(imis_core::db::stmt(
                self.state.db.backend(),
                "SELECT data, validity_from, validity_to FROM core_history \
                 WHERE entity = ? AND entity_id = ? ORDER BY validity_from, id",
                vec![entity.into(), entity_id.into()],
            ))
            .await
            .expect("history rows")
    }

    /// Events named `event` written to the outbox, optionally only those whose payload contains
    /// `payload_part`.
    pub async fn outbox_count(&self, event: &str, payload_part: Option<&str>) -> i64 {
        let filter = match payload_part {
            Some(part) => format!("event_name = '{event}' AND payload LIKE '%{part}%'"),
            None => format!("event_name = '{event}'"),
        };
        self.count("core_outbox", &filter).await
    }

    /// The payloads of the events named `event` in the outbox, oldest first.
    pub async fn outbox_payloads(&self, event: &str) -> Vec<serde_json::Value> {
        self.state
            .db
            .conn
            .query_all_raw(imis_core::db::stmt(
                self.state.db.backend(),
                "SELECT payload FROM core_outbox WHERE event_name = ? ORDER BY id",
                vec![event.into()],
            ))
            .await
            .expect("outbox")
            .iter()
            .map(|r| {
                serde_json::from_str(&r.try_get::<String>("", "payload").expect("payload"))
                    .expect("payload JSON")
            })
            .collect()
    }

    pub async fn count(&self, table: &str, filter: &str) -> i64 {
        let sql = if filter.is_empty() {
            format!("SELECT COUNT(*) AS n FROM {table}")
        } else {
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {filter}")
        };
        let row = self
            .state
            .db
            .conn
            .query_one_raw(sea_orm::Statement::from_string(
                self.state.db.backend(),
                sql,
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

/// The code of a response's first error (its `code` extension, else its message), or `None`
/// when the response has no error.
pub fn error_code(response: &Response) -> Option<String> {
    let e = response.errors.first()?;
    Some(
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .map(|v| v.to_string().trim_matches('"').to_string())
            .unwrap_or_else(|| e.message.clone()),
    )
}

/// The one row `sql` returns, failing the test when there is none.
async fn one_row(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> sea_orm::QueryResult {
    app.state
        .db
        .conn
        .query_one_raw(imis_core::db::stmt(app.state.db.backend(), sql, values))
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no row for {sql}"))
}

/// The first column of the one row `sql` returns, as an integer (tests read ids and counts).
pub async fn one_i64(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    one_row(app, sql, values)
        .await
        .try_get_by_index::<i64>(0)
        .expect("i64")
}

/// The first column of the one row `sql` returns, as a uuid string.
pub async fn one_uuid(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> String {
    one_row(app, sql, values)
        .await
        .try_get_by_index::<uuid::Uuid>(0)
        .expect("uuid")
        .to_string()
}
