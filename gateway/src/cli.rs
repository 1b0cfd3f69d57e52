//! The `imis` command line: `serve`, `migrate`, `seed demo`, `user create`, `modules`, `schema`,
//! `jobs run|list`. Configuration errors are printed all at once and exit with code 2.

use clap::{Args, Parser, Subcommand};
use imis_core::AppState;
use imis_core::config::{Config, ConfigSources};
use imis_core::registry::{EnabledModules, enabled_modules, linked_modules};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "imis",
    version,
    about = "imis: health insurance management (openIMIS-compatible)"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Global {
    /// Configuration file (a country profile); else `IMIS_CONFIG`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL (`sqlite://path.db` or `postgres://...`), overriding the configuration.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the HTTP API (and the outbox dispatcher and scheduler).
    Serve {
        /// Address to listen on, overriding `server.listen`.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Seed demo data into an empty database (refused in production).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations of the enabled modules.
    Migrate,
    /// Seed data.
    Seed {
        #[command(subcommand)]
        what: SeedWhat,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// List the modules compiled into this binary.
    Modules,
    /// Print the GraphQL SDL of the enabled modules.
    Schema,
    /// Measure GraphQL requests end to end, in-process, on generated data (see docs/benchmarks.md).
    Bench {
        /// Timed repetitions of each request.
        #[arg(long, default_value_t = 200)]
        iterations: usize,
        /// Generated villages added to the demo data.
        #[arg(long, default_value_t = 5000)]
        villages: usize,
        /// Generated health facilities added to the demo data.
        #[arg(long, default_value_t = 1000)]
        facilities: usize,
        /// Generated families (insuree module; 0 = none).
        #[arg(long, default_value_t = 0)]
        families: usize,
    },
    /// Import reference data from a file.
    #[cfg(feature = "medical")]
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Scheduled jobs.
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum SeedWhat {
    /// Demo data of every enabled module (only into an empty database).
    Demo,
    /// Deterministic national-scale data: families with 4–5 members on average (insuree module),
    /// their policies (policy module) and contributions (payment module).
    #[cfg(feature = "insuree")]
    Scale {
        /// Number of families to add.
        #[arg(long)]
        families: usize,
        /// Seed of the generator: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
#[cfg(feature = "medical")]
pub enum ImportWhat {
    /// ICD diagnoses from a CSV file with the header `code,name`; new codes are added, changed
    /// names updated (with history); a file with a bad line is refused whole.
    Diagnoses {
        /// The CSV file.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Create a login.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        /// Give the IMIS administrator role.
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum JobsAction {
    /// Run a job now.
    Run { name: String },
    /// List the jobs of the enabled modules.
    List,
}

/// A failure with its exit code.
pub struct Exit(pub u8, pub String);

impl From<anyhow::Error> for Exit {
    fn from(e: anyhow::Error) -> Self {
        Exit(1, format!("error: {e:#}"))
    }
}
impl From<imis_core::AppError> for Exit {
    fn from(e: imis_core::AppError) -> Self {
        Exit(1, format!("error: {} ({})", e.message("en"), e.code))
    }
}

/// Loads the configuration from the global flags plus extra overrides.
pub fn load_config(
    global: &Global,
    extra: Vec<(String, figment::value::Value)>,
) -> Result<Config, Exit> {
    let mut sources = ConfigSources::standard(global.config.clone());
    if let Some(url) = &global.database_url {
        sources.overrides.push((
            "database.url".into(),
            figment::value::Value::from(url.clone()),
        ));
    }
    sources.overrides.extend(extra);
    Config::load(&sources).map_err(|e| Exit(2, e.to_string()))
}

/// Sets up tracing from `[log]`.
pub fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if config.log.format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The enabled modules of a configuration, in dependency order (D10 errors exit with 2).
fn modules_of(
    config: &Config,
) -> Result<Vec<&'static imis_core::registry::ModuleDescriptor>, Exit> {
    enabled_modules(&config.modules.enabled).map_err(|errs| {
        Exit(
            2,
            format!(
                "module configuration is invalid:\n  - {}",
                errs.join("\n  - ")
            ),
        )
    })
}

/// Opens the application state; migrates when `migrate`, otherwise refuses pending migrations.
pub async fn open_state(config: Config, migrate: bool) -> Result<AppState, Exit> {
    if !migrate {
        let modules = modules_of(&config)?;
        let db = imis_core::db::Db::connect(&config.database).await?;
        let mut pending = vec![];
        for m in &modules {
            let list = (m.migrations)();
            let p = imis_core::migrate::pending(&db, m.name, &list)
                .await
                .map_err(anyhow::Error::from)?;
            pending.extend(p.into_iter().map(|n| format!("{}: {n}", m.name)));
        }
        if !pending.is_empty() {
            return Err(Exit(
                1,
                format!(
                    "error: {} migration(s) are pending ({}); run `imis migrate` first (or set database.auto_migrate = true)",
                    pending.len(),
                    pending.join(", ")
                ),
            ));
        }
    }
    Ok(AppState::build(config, migrate).await?)
}

/// Runs the CLI; returns the process exit code.
pub async fn run(cli: Cli, started: Instant) -> ExitCode {
    match dispatch(cli, started).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Exit(code, msg)) => {
            eprintln!("{msg}");
            ExitCode::from(code)
        }
    }
}

async fn dispatch(cli: Cli, started: Instant) -> Result<(), Exit> {
    let g = &cli.global;
    match cli.command {
        Command::Serve { listen, demo } => {
            let mut extra = vec![];
            if let Some(l) = listen {
                extra.push(("server.listen".to_string(), figment::value::Value::from(l)));
            }
            let config = load_config(g, extra)?;
            init_logging(&config);
            serve(config, demo, started).await
        }
        Command::Migrate => {
            let config = load_config(g, vec![])?;
            init_logging(&config);
            let modules = modules_of(&config)?;
            let db = imis_core::db::Db::connect(&config.database).await?;
            let applied = imis_core::app::migrate_all(&db, &modules).await?;
            if applied.is_empty() {
                println!("no pending migrations");
            } else {
                for a in &applied {
                    println!("applied {a}");
                }
                println!("{} migration(s) applied", applied.len());
            }
            Ok(())
        }
        #[cfg(feature = "medical")]
        Command::Import {
            what: ImportWhat::Diagnoses { file },
        } => {
            let config = load_config(g, vec![])?;
            init_logging(&config);
            let auto = config.database.auto_migrate;
            let state = open_state(config, auto).await?;
            if !state.enabled.contains("medical") {
                return Err(Exit(1, "error: the medical module is not enabled".into()));
            }
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Exit(1, format!("error: cannot read {}: {e}", file.display())))?;
            let report = imis_medical::service::import_diagnoses_csv(&state, None, &text).await?;
            println!(
                "{}: {} lines, {} added, {} updated, {} unchanged",
                file.display(),
                report.lines,
                report.inserted,
                report.updated,
                report.unchanged
            );
            Ok(())
        }
        #[cfg(feature = "insuree")]
        Command::Seed {
            what: SeedWhat::Scale { families, seed },
        } => {
            let config = load_config(g, vec![])?;
            init_logging(&config);
            if config.environment == "production" {
                return Err(Exit(
                    1,
                    "error: generated data is refused when environment = production".into(),
                ));
            }
            let auto = config.database.auto_migrate;
            let state = open_state(config, auto).await?;
            if !state.enabled.contains("insuree") {
                return Err(Exit(1, "error: the insuree module is not enabled".into()));
            }
            let started = Instant::now();
            let (f, i) = imis_insuree::scale::seed_scale(&state, families, seed).await?;
            println!(
                "{f} families and {i} insurees added in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            crate::bench::seed_enrolment_scale(&state, seed).await?;
            Ok(())
        }
        Command::Seed {
            what: SeedWhat::Demo,
        } => {
            let config = load_config(g, vec![])?;
            init_logging(&config);
            if config.environment == "production" {
                return Err(Exit(
                    1,
                    "error: demo data is refused when environment = production".into(),
                ));
            }
            let auto = config.database.auto_migrate;
            let state = open_state(config, auto).await?;
            match imis_core::demo::seed_all(&state).await? {
                Some(creds) => {
                    println!("demo data seeded; demo credentials:");
                    print_credentials(&creds);
                }
                None => println!("the database already has data: nothing seeded"),
            }
            Ok(())
        }
        Command::User {
            action:
                UserAction::Create {
                    username,
                    password,
                    admin,
                },
        } => {
            let config = load_config(g, vec![])?;
            init_logging(&config);
            let auto = config.database.auto_migrate;
            let state = open_state(config, auto).await?;
            imis_core::users::service::create_user_cli(&state, &username, &password, admin).await?;
            println!(
                "user `{username}` created{}",
                if admin { " (administrator)" } else { "" }
            );
            Ok(())
        }
        Command::Modules => {
            let config = load_config(g, vec![])?;
            let enabled = EnabledModules(config.modules.enabled.iter().cloned().collect());
            let mut all: Vec<_> = linked_modules().collect();
            all.sort_by_key(|m| m.name);
            println!(
                "{:<20} {:<10} {:<9} depends on",
                "module", "version", "enabled"
            );
            for m in all {
                println!(
                    "{:<20} {:<10} {:<9} {}",
                    m.name,
                    m.version,
                    if enabled.contains(m.name) {
                        "yes"
                    } else {
                        "no"
                    },
                    if m.depends_on.is_empty() {
                        "-".to_string()
                    } else {
                        m.depends_on.join(", ")
                    }
                );
            }
            Ok(())
        }
        Command::Schema => {
            let config = load_config(g, vec![])?;
            let modules = modules_of(&config)?;
            let enabled = EnabledModules(modules.iter().map(|m| m.name.to_string()).collect());
            print!("{}", crate::schema::sdl_for(&enabled));
            Ok(())
        }
        Command::Bench {
            iterations,
            villages,
            facilities,
            families,
        } => {
            let mut extra = vec![];
            if g.database_url.is_none() {
                let path =
                    std::env::temp_dir().join(format!("imis-bench-{}.db", std::process::id()));
                extra.push((
                    "database.url".into(),
                    figment::value::Value::from(format!("sqlite://{}", path.display())),
                ));
            }
            extra.push(("jobs.enabled".into(), figment::value::Value::from(false)));
            let config = load_config(g, extra)?;
            init_logging(&config);
            let url = config.database.url.clone();
            let state = open_state(config, true).await?;
            println!("benchmark on {url}");
            crate::bench::run(state, iterations, villages, facilities, families).await?;
            Ok(())
        }
        Command::Jobs {
            action: JobsAction::List,
        } => {
            let config = load_config(g, vec![])?;
            let modules = modules_of(&config)?;
            for m in modules {
                for j in m.jobs {
                    println!(
                        "{:<40} daily at {:02}:00  ({})",
                        j.name, j.daily_at_hour, m.name
                    );
                }
            }
            Ok(())
        }
        Command::Jobs {
            action: JobsAction::Run { name },
        } => {
            let config = load_config(g, vec![])?;
            init_logging(&config);
            let auto = config.database.auto_migrate;
            let state = open_state(config, auto).await?;
            if imis_core::jobs::find(&state, &name).is_none() {
                return Err(Exit(
                    1,
                    format!(
                        "error: no job named `{name}` in the enabled modules (see `imis jobs list`)"
                    ),
                ));
            }
            let out = imis_core::jobs::run_now(&state, &name).await?;
            println!("{name}: {out}");
            Ok(())
        }
    }
}

fn print_credentials(creds: &[(String, String, String)]) {
    println!("  {:<16} {:<16} role", "username", "password");
    for (u, p, r) in creds {
        println!("  {u:<16} {p:<16} {r}");
    }
}

async fn serve(config: Config, demo: bool, started: Instant) -> Result<(), Exit> {
    if demo && config.environment == "production" {
        return Err(Exit(
            1,
            "error: --demo is refused when environment = production (D30)".into(),
        ));
    }
    let listen = config.server.listen.clone();
    let metrics_listen = config.server.metrics_listen.clone();
    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    let jobs_enabled = config.jobs.enabled;
    let auto = config.database.auto_migrate;
    let state = open_state(config, auto).await?;
    let mut banner = vec![format!("imis is listening on http://{listen}/api/graphql")];
    if demo {
        match imis_core::demo::seed_all(&state).await? {
            Some(creds) => {
                banner.push(
                    "DEMO CREDENTIALS ARE IN USE (demo data seeded into an empty database):".into(),
                );
                for (u, p, r) in &creds {
                    banner.push(format!("  username {u:<16} password {p:<16} role {r}"));
                }
            }
            None => banner
                .push("the database already had data: started without seeding demo data".into()),
        }
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| Exit(1, format!("error: cannot listen on {listen}: {e}")))?;
    let metrics_listener = if metrics_listen.is_empty() {
        None
    } else {
        Some(
            tokio::net::TcpListener::bind(&metrics_listen)
                .await
                .map_err(|e| Exit(1, format!("error: cannot listen on {metrics_listen}: {e}")))?,
        )
    };
    let (tx, rx) = tokio::sync::watch::channel(false);
    let dispatcher = tokio::spawn(imis_core::events::run_dispatcher(state.clone(), rx.clone()));
    let scheduler = jobs_enabled
        .then(|| tokio::spawn(imis_core::jobs::run_scheduler(state.clone(), rx.clone())));
    let routers = crate::server::routers(state);
    let app = routers.main;
    // `/metrics` on its own address (server.metrics_listen), stopped with the main server.
    let metrics_server = match (metrics_listener, routers.metrics) {
        (Some(listener), Some(metrics_app)) => {
            banner.push(format!("metrics on http://{metrics_listen}/metrics"));
            let mut stop = rx.clone();
            Some(tokio::spawn(async move {
                let served = axum::serve(listener, metrics_app)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|v| *v).await;
                    })
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "metrics listener failed");
                }
            }))
        }
        _ => None,
    };
    println!("{}", banner.join("\n"));
    tracing::info!(listen = %listen, startup_ms = started.elapsed().as_millis() as u64, "ready");
    crate::server::serve(listener, app, tx, grace).await?;
    if let Some(m) = metrics_server {
        let _ = tokio::time::timeout(Duration::from_secs(5), m).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), dispatcher).await;
    if let Some(s) = scheduler {
        let _ = tokio::time::timeout(Duration::from_secs(5), s).await;
    }
    tracing::info!("stopped");
    Ok(())
}
