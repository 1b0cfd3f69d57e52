//! The test module: a module crate in miniature that proves the registry and the cross-module
//! patterns. It registers rights, a migration with its own tracking table, an in-transaction
//! handler for `health_facility.saving` (owning the facility price-list input fields, as the
//! medical module will), the health-facility price-list port, an after-commit handler, GraphQL
//! fields hidden when the module is disabled, demo data, and bulk mutations committed item by
//! item (D26), one of them with a body given a chunk's items at once.

use async_graphql::{Context, Object, Result, SimpleObject};
use futures::future::BoxFuture;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::db::stmt;
use imis_core::events::{Event, Wiring};
use imis_core::graphql::{GqlResult, MutationEnvelopeInput, principal, run_mutation, state};
use imis_core::kit::{self, BulkOutcome};
use imis_core::migrate::Migration;
use imis_core::mutation::{Envelope, MutationCtx, Outcome};
use imis_core::mutation_bulk::run_each;
use imis_core::ports::{HealthFacilityPricelists, PricelistSummary};
use imis_core::registry::{ModuleDescriptor, RightDef, module_visible};
use imis_core::{AppError, AppResult, AppState};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub const NAME: &str = "testmod";
pub const RIGHT_READ: i32 = 990001;
pub const RIGHT_WRITE: i32 = 990002;

/// How many `testmod.widget_created` events the after-commit handler has seen.
pub static DELIVERED: AtomicUsize = AtomicUsize::new(0);
/// Deliveries whose handler could open a write transaction while it ran.
pub static COULD_WRITE: AtomicUsize = AtomicUsize::new(0);

imis_core::inventory::submit! {
    ModuleDescriptor {
        version: "0.1.0",
        rights: &[
            RightDef { code: RIGHT_READ, en: "Test widgets search", fr: "Recherche de gadgets de test" },
            RightDef { code: RIGHT_WRITE, en: "Test widgets add", fr: "Ajout de gadgets de test" },
        ],
        messages: &[("testmod.widget_refused", "Widget {name} refused.", "Gadget {name} refusé.")],
        migrations,
        wire,
        ..ModuleDescriptor::named(NAME)
    }
}

fn migrations() -> Vec<Migration> {
    vec![Migration {
        name: "m20261122_000001_testmod_tables",
        sql: "CREATE TABLE testmod_widget (id {id}, name VARCHAR(50) NOT NULL);
              CREATE TABLE testmod_hf_pricelist (health_facility_id BIGINT PRIMARY KEY, items_pricelist_id BIGINT, services_pricelist_id BIGINT);",
    }]
}

fn wire(w: &mut Wiring) {
    w.on_in_tx("health_facility.saving", on_facility_saving);
    w.on_after_commit("testmod.widget_created", on_widget_created);
    w.ports.health_facility_pricelists = Some(Arc::new(TestPricelists));
}

fn on_facility_saving<'a>(
    _: &'a AppState,
    tx: &'a DatabaseTransaction,
    e: &'a Event,
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        let hf = e.payload["healthFacilityId"]
            .as_i64()
            .ok_or_else(AppError::internal)?;
        let items = e.payload["itemsPricelistId"].as_i64();
        let services = e.payload["servicesPricelistId"].as_i64();
        if items == Some(666) {
            // A veto: the owning module refuses the value, the facility write rolls back.
            return Err(
                AppError::validation("testmod.widget_refused").with("name", "pricelist 666")
            );
        }
        let b = tx.get_database_backend();
        tx.execute_raw(stmt(
            b,
            "DELETE FROM testmod_hf_pricelist WHERE health_facility_id = ?",
            vec![hf.into()],
        ))
        .await?;
        tx.execute_raw(stmt(
            b,
            "INSERT INTO testmod_hf_pricelist (health_facility_id, items_pricelist_id, services_pricelist_id) VALUES (?, ?, ?)",
            vec![hf.into(), items.into(), services.into()],
        ))
        .await?;
        Ok(())
    })
}

fn on_widget_created<'a>(state: &'a AppState, e: &'a Event) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        // The other system is down for these: the delivery fails and is retried later.
        if e.payload["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("undeliverable"))
        {
            return Err(AppError::validation("testmod.peer_unavailable"));
        }
        // A handler may write (record what it pushed, say): it must not wait for the writer.
        let writer =
            tokio::time::timeout(std::time::Duration::from_secs(2), state.db.begin_write()).await;
        if let Ok(Ok(tx)) = writer {
            tx.rollback().await?;
            COULD_WRITE.fetch_add(1, Ordering::SeqCst);
        }
        DELIVERED.fetch_add(1, Ordering::SeqCst);
        Ok(())
    })
}

struct TestPricelists;

impl HealthFacilityPricelists for TestPricelists {
    fn for_facilities<'a>(
        &'a self,
        state: &'a AppState,
        facility_ids: &'a [i64],
    ) -> BoxFuture<'a, AppResult<HashMap<i64, (Option<PricelistSummary>, Option<PricelistSummary>)>>>
    {
        Box::pin(async move {
            let mut out = HashMap::new();
            if facility_ids.is_empty() {
                return Ok(out);
            }
            let ids = facility_ids
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let rows = state
                .db
                .conn
                .query_all_raw(stmt(
                    state.db.backend(),
                    &format!("SELECT health_facility_id, items_pricelist_id, services_pricelist_id FROM testmod_hf_pricelist WHERE health_facility_id IN ({ids})"),
                    vec![],
                ))
                .await?;
            let summary = |id: Option<i64>, kind: &str| {
                id.map(|id| PricelistSummary {
                    id,
                    uuid: format!("00000000-0000-0000-0000-{id:012}"),
                    name: format!("{kind} {id}"),
                })
            };
            for r in rows {
                let hf: i64 = r.try_get("", "health_facility_id")?;
                out.insert(
                    hf,
                    (
                        summary(r.try_get("", "items_pricelist_id")?, "Items"),
                        summary(r.try_get("", "services_pricelist_id")?, "Services"),
                    ),
                );
            }
            Ok(out)
        })
    }
}

fn visible(ctx: &Context<'_>) -> bool {
    module_visible(ctx, NAME)
}

#[derive(Default)]
pub struct TestModQuery;

#[Object]
impl TestModQuery {
    #[graphql(visible = "visible")]
    async fn test_widgets(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        require_user(principal(ctx), Requirement::AnyOf(&[RIGHT_READ])).gql(ctx)?;
        let st = state(ctx);
        let rows = st
            .db
            .conn
            .query_all_raw(stmt(
                st.db.backend(),
                "SELECT name FROM testmod_widget ORDER BY id",
                vec![],
            ))
            .await
            .map_err(AppError::from)
            .gql(ctx)?;
        rows.iter()
            .map(|r| {
                r.try_get::<String>("", "name")
                    .map_err(|e| AppError::from(e).to_gql("en"))
            })
            .collect()
    }
}

#[derive(async_graphql::InputObject, serde::Serialize)]
pub struct CreateTestWidgetMutationInput {
    #[graphql(flatten)]
    #[serde(skip)]
    pub envelope: MutationEnvelopeInput,
    pub name: String,
}

imis_core::mutation_payload!(CreateTestWidgetMutationPayload);

imis_core::mutation_inputs! {
    CreateTestWidgetsMutationInput { names: Vec<String> }
}

/// Names whose next run as an item of `createTestWidgets` fails with an internal error after
/// writing (a lost connection, say), once.
pub static CRASH_ONCE: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// One name's outcome in `createTestWidgets`.
#[derive(SimpleObject)]
pub struct TestWidgetOutcome {
    pub key: String,
    pub widget_id: Option<i64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// `createTestWidgets`'s payload: the envelope's fields and every name's outcome.
#[derive(SimpleObject)]
pub struct CreateTestWidgetsMutationPayload {
    pub client_mutation_id: Option<String>,
    pub internal_id: Option<String>,
    pub items: Vec<TestWidgetOutcome>,
}

impl From<Outcome<BulkOutcome<i64>>> for CreateTestWidgetsMutationPayload {
    fn from(o: Outcome<BulkOutcome<i64>>) -> Self {
        Self {
            client_mutation_id: o.client_mutation_id,
            internal_id: Some(o.internal_id.to_string()),
            items: o
                .result
                .items
                .into_iter()
                .map(|i| TestWidgetOutcome {
                    key: i.key,
                    widget_id: i.result,
                    error_code: i.error.as_ref().map(|e| e.code.clone()),
                    error_message: i.error.map(|e| e.message),
                })
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct TestModMutation;

#[Object]
impl TestModMutation {
    /// Writes a widget, its history-like audit and an event; a name starting with `fail` writes
    /// everything and then fails, to prove the rollback.
    #[graphql(visible = "visible")]
    async fn create_test_widget(
        &self,
        ctx: &Context<'_>,
        input: CreateTestWidgetMutationInput,
    ) -> Result<CreateTestWidgetMutationPayload> {
        let out = run_mutation(
            ctx,
            "createTestWidget",
            &input.envelope,
            &input,
            async |m| {
                require_user(m.principal, Requirement::AnyOf(&[RIGHT_WRITE]))?;
                write_widget(m, &input.name).await
            },
        )
        .await
        .gql(ctx)?;
        Ok(out.into())
    }

    /// The bulk form (D26): one widget per name, each committed on its own; a name starting
    /// with `fail` fails alone, a name in [`CRASH_ONCE`] fails its chunk once. The log row's
    /// `json_ext` counts the widgets created and refused.
    #[graphql(visible = "visible")]
    async fn create_test_widgets(
        &self,
        ctx: &Context<'_>,
        input: CreateTestWidgetsMutationInput,
    ) -> Result<CreateTestWidgetsMutationPayload> {
        kit::mutate_each_summarised(
            ctx,
            "createTestWidgets",
            &input.envelope,
            &input,
            &[RIGHT_WRITE],
            input.names.clone(),
            Some(widget_stats),
            async |m, name| {
                let id = write_widget(m, name).await?;
                if CRASH_ONCE.lock().expect("crash names").remove(name) {
                    return Err(AppError::internal());
                }
                Ok(id)
            },
        )
        .await
    }

    /// [`Self::create_test_widgets`] whose body writes a chunk's widgets at once
    /// ([`kit::mutate_batches`], see [`write_widgets`] for the names that misbehave).
    #[graphql(visible = "visible")]
    async fn create_test_widgets_batched(
        &self,
        ctx: &Context<'_>,
        input: CreateTestWidgetsMutationInput,
    ) -> Result<CreateTestWidgetsMutationPayload> {
        kit::mutate_batches(
            ctx,
            "createTestWidgetsBatched",
            &input.envelope,
            &input,
            &[RIGHT_WRITE],
            input.names.clone(),
            Some(widget_stats),
            async |m: &mut MutationCtx<'_>, names: &[&str]| write_widgets(m, names).await,
        )
        .await
    }
}

/// The keys of every call of `createTestWidgetsBatched`'s body, in order, for the tests to tell
/// a whole chunk's call from the one-key calls of its fallback. Tests take the calls of their own
/// names ([`take_batch_calls`]): they run in parallel.
pub static BATCH_CALLS: Mutex<Vec<Vec<String>>> = Mutex::new(Vec::new());

/// Removes and answers the sizes of the recorded calls whose keys are among `names`, in order.
pub fn take_batch_calls(names: &[&str]) -> Vec<usize> {
    let mut calls = BATCH_CALLS.lock().expect("batch calls");
    let (mine, others) = std::mem::take(&mut *calls)
        .into_iter()
        .partition::<Vec<_>, _>(|c| c.iter().any(|k| names.contains(&k.as_str())));
    *calls = others;
    mine.iter().map(Vec::len).collect()
}

/// `createTestWidgetsBatched`'s body: the widgets of `names`, with their history rows, events
/// and links, in one statement each, with outcomes as [`write_widget`]'s for the same names. A
/// name starting with `fail` is refused without writing anything for it. Names that misbehave
/// only in a call of several keys (alone, they behave): `break…` makes the whole call fail on a
/// database error after writing everything (alone it is refused), `shaky…` is answered with an
/// internal error (alone it is written); `warn…` is written with a warning.
async fn write_widgets(m: &mut MutationCtx<'_>, names: &[&str]) -> AppResult<Vec<AppResult<i64>>> {
    BATCH_CALLS
        .lock()
        .expect("batch calls")
        .push(names.iter().map(|n| n.to_string()).collect());
    let several = names.len() > 1;
    let refused = |n: &str| n.starts_with("fail") || (!several && n.starts_with("break"));
    let internal = |n: &str| several && n.starts_with("shaky");
    let written: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !refused(n) && !internal(n))
        .collect();
    let mut ids = HashMap::new();
    if !written.is_empty() {
        let b = m.state.db.backend();
        let sql = format!(
            "INSERT INTO testmod_widget (name) VALUES {} RETURNING id, name",
            vec!["(?)"; written.len()].join(", ")
        );
        let values = written.iter().map(|n| (*n).into()).collect();
        for row in m.tx.query_all_raw(stmt(b, &sql, values)).await? {
            ids.insert(
                row.try_get::<String>("", "name")?,
                row.try_get::<i64>("", "id")?,
            );
        }
        let id_of = |n: &str| ids.get(n).copied().ok_or_else(AppError::internal);
        let data: Vec<(i64, serde_json::Value)> = written
            .iter()
            .map(|n| Ok((id_of(n)?, serde_json::json!({ "name": n }))))
            .collect::<AppResult<_>>()?;
        let now = m.state.clock.now();
        let versions = data.iter().map(|(id, d)| (*id, d, now));
        imis_core::history::save_many(m.tx, "testmod_widget", versions, now, m.actor()).await?;
        let events = data.iter().map(|(id, d)| {
            let payload = serde_json::json!({ "id": id, "name": d["name"] });
            ("testmod.widget_created", payload)
        });
        m.publish_many(events).await?;
        for (id, _) in &data {
            m.link("testmod_widget", *id);
        }
    }
    if several && names.iter().any(|n| n.starts_with("break")) {
        // A constraint the whole call violates (NOT NULL): a non-retryable database error.
        let b = m.state.db.backend();
        let null = sea_orm::Value::String(None);
        m.tx.execute_raw(stmt(
            b,
            "INSERT INTO testmod_widget (name) VALUES (?)",
            vec![null],
        ))
        .await?;
    }
    let mut results = Vec::with_capacity(names.len());
    for &name in names {
        results.push(if refused(name) {
            Err(AppError::validation("testmod.widget_refused").with("name", name))
        } else if internal(name) {
            Err(AppError::internal())
        } else {
            if name.starts_with("warn") {
                m.warn("testmod.widget_odd");
            }
            ids.get(name).copied().ok_or_else(AppError::internal)
        });
    }
    Ok(results)
}

/// A bulk mutation the tests run from Rust (it has no GraphQL field): each item locks the
/// widgets named by its key, in the order of the keys, as `submitClaims` locks claims, writes a
/// history row for each and waits `pause` holding the locks; `runs` counts the items' runs. Two
/// runs over the same names in opposite orders deadlock on PostgreSQL. Answers the number of
/// widgets each item locked.
pub async fn touch_widgets(
    state: &AppState,
    principal: &Principal,
    client_mutation_id: &str,
    names: Vec<String>,
    pause: std::time::Duration,
    runs: &AtomicUsize,
) -> AppResult<Outcome<BulkOutcome<u64>>> {
    let envelope = Envelope {
        client_mutation_id: Some(client_mutation_id.into()),
        ..Envelope::default()
    };
    let input = serde_json::json!({ "names": names });
    run_each(
        state,
        Some(principal),
        "en",
        "touchTestWidgets",
        &envelope,
        &input,
        Requirement::AnyOf(&[RIGHT_WRITE]),
        names,
        None,
        async |m, name| {
            runs.fetch_add(1, Ordering::SeqCst);
            let b = m.state.db.backend();
            let ids =
                m.tx.query_all_raw(stmt(
                    b,
                    "UPDATE testmod_widget SET name = name WHERE name = ? RETURNING id",
                    vec![name.into()],
                ))
                .await?;
            for row in &ids {
                let id: i64 = row.try_get("", "id")?;
                let now = m.state.clock.now();
                let data = serde_json::json!({ "touched": name });
                imis_core::history::save(m.tx, "testmod_widget", id, &data, now, now, m.actor())
                    .await?;
                m.link("testmod_widget", id);
            }
            tokio::time::sleep(pause).await;
            Ok(ids.len() as u64)
        },
    )
    .await
}

/// `createTestWidgets`'s statistics in its log row's `json_ext`.
fn widget_stats(o: &BulkOutcome<i64>) -> serde_json::Map<String, serde_json::Value> {
    let stats = serde_json::json!({ "created": o.succeeded(), "refused": o.failed() });
    serde_json::Map::from_iter([("widget_stats".to_string(), stats)])
}

/// Writes a widget named `name`, its history row, its `testmod.widget_created` event and its
/// link; a name starting with `fail` writes everything and then fails.
async fn write_widget(m: &mut MutationCtx<'_>, name: &str) -> AppResult<i64> {
    let b = m.state.db.backend();
    let row =
        m.tx.query_one_raw(stmt(
            b,
            "INSERT INTO testmod_widget (name) VALUES (?) RETURNING id",
            vec![name.into()],
        ))
        .await?
        .ok_or_else(AppError::internal)?;
    let id: i64 = row.try_get("", "id")?;
    imis_core::history::save(
        m.tx,
        "testmod_widget",
        id,
        &serde_json::json!({ "name": name }),
        m.state.clock.now(),
        m.state.clock.now(),
        m.actor(),
    )
    .await?;
    m.publish(
        "testmod.widget_created",
        serde_json::json!({ "id": id, "name": name }),
    )
    .await?;
    m.link("testmod_widget", id);
    if name.starts_with("fail") {
        return Err(AppError::validation("testmod.widget_refused").with("name", name));
    }
    Ok(id)
}
