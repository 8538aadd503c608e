//! `farmgate`: the one binary. A bare `farmgate` serves; `farmgate --help` lists the rest.

mod bench;
mod config;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use farmgate_domain::accounts::{DisplayName, LoginId, Password, hash_password};
use farmgate_domain::authz::Role;
use farmgate_search::ProductIndex;
use farmgate_store::Store;
use farmgate_store::accounts::NewAccount;
use farmgate_store::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use farmgate_web::{AppState, WebConfig};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;

/// mimalloc instead of the C library's allocator: the server's request workers spent about a
/// third of their time in glibc's malloc and free under a burst (decision 0038).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// FarmGate: the county rural e-commerce public service platform.
#[derive(Parser)]
#[command(name = "farmgate", version, about)]
struct Cli {
    /// A settings file (default: ./farmgate.toml if it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (what a bare `farmgate` does).
    Serve(ServeArgs),
    /// Bring the database schema up to date and stop.
    Migrate,
    /// Load data into the database.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Benchmarks that print their figures (they run their own server and database).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Rebuild the product search index from the database (stop `serve` first: one process
    /// writes the index at a time).
    Reindex,
    /// Write a consistent copy of the live SQLite database to FILE.
    Backup {
        /// Where to write the copy; must not exist yet.
        file: PathBuf,
    },
}

#[derive(Args, Default)]
struct ServeArgs {
    /// Listen here instead of the configured address (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Load the demo counties and accounts first (skipped for what is already there).
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum SeedCommand {
    /// The seed articles' counties, townships and villages, and a demo account per role.
    Demo,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Concurrent API checkouts for one hot product until it sells out: orders/s, latency,
    /// the same server's bare-route req/s and the ratio, oversold and lost orders.
    Checkout {
        /// Concurrent clients, each its own buyer.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Units in stock.
        #[arg(long, default_value_t = 5000)]
        stock: i64,
        /// Seconds for the bare-route measurement (checkouts stop at 4x this).
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Run on PostgreSQL (a fresh schema in this database) instead of SQLite.
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
        /// Products in the large catalogue for the queries-per-checkout comparison.
        #[arg(long, default_value_t = 100_000)]
        catalogue: usize,
        /// Also print where a checkout's time goes on the server (from its /metrics).
        #[arg(long)]
        profile: bool,
    },
    /// A livestream burst: C buyers (each its own account and keys) tap "buy" on one pinned
    /// variant of stock S through one or more `farmgate serve` processes until it sells out;
    /// orders/s against the same servers' bare route, latencies, oversold and lost orders.
    LiveBurst {
        /// Concurrent clients, each its own buyer.
        #[arg(long, default_value_t = 1000)]
        concurrency: usize,
        /// Units of the pinned variant.
        #[arg(long, default_value_t = 20_000)]
        stock: i64,
        /// The longest the burst may last, in seconds.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// `sqlite` (a temporary file) or `postgres` (a fresh schema in --postgres).
        #[arg(long, default_value = "sqlite")]
        db: String,
        /// The PostgreSQL to use with --db postgres.
        #[arg(
            long,
            value_name = "URL",
            default_value = "postgres://postgres@127.0.0.1:5432/postgres"
        )]
        postgres: String,
        /// `farmgate serve` processes on the same database; clients spread over them.
        #[arg(long, default_value_t = 1)]
        instances: usize,
        /// Kill every server with SIGKILL this many seconds into the burst, restart one, and
        /// check that every acknowledged order is there.
        #[arg(long, value_name = "SECONDS")]
        kill_after: Option<f64>,
        /// With --kill-after: kill only the first instance; its clients go over to the
        /// others with the same keys.
        #[arg(long, requires = "kill_after")]
        kill_one: bool,
        /// Also print where a tap's time goes on the servers (from their /metrics).
        #[arg(long)]
        profile: bool,
    },
    /// Chat fan-out: V WebSocket viewers in one room on one instance, one message a second;
    /// delivery latency to all viewers and the server's memory per viewer.
    ChatFanout {
        /// Viewers to connect (the open-files limit is raised for them).
        #[arg(long, default_value_t = 10_000)]
        viewers: usize,
        /// Messages to send, one a second.
        #[arg(long, default_value_t = 30)]
        messages: usize,
    },
    /// The centre's training pages (funnel, attendance) with the demo's two years of training:
    /// p50/p99 over R requests each, next to the same server's bare route.
    TrainingPages {
        /// Requests per page, one at a time.
        #[arg(long, default_value_t = 50)]
        requests: usize,
        /// Run on PostgreSQL (a fresh schema in this database) instead of SQLite.
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// A county of S stations and P express parcels a month: the county's health page and the
    /// month's ledger (page and XLSX export), p50/p99 next to the bare route; the operator's
    /// day and parcels pages' size.
    Stations {
        #[arg(long, default_value_t = 400)]
        stations: usize,
        #[arg(long, default_value_t = 100_000)]
        parcels: usize,
        /// Requests per county page, one at a time.
        #[arg(long, default_value_t = 30)]
        requests: usize,
        /// Run on PostgreSQL (a fresh schema in this database) instead of SQLite.
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// The county's statistics over a province's years: N orders over three years (bulk), the
    /// rollups rebuilt, then every village's sales by month and the county dashboard (page and
    /// API), p50/p99 next to the bare route.
    Stats(bench::StatsBench),
    /// Gaodu's distribution centre: inbound scans/s through the HTTP API (one and 20 per
    /// request) against the bare route; the day's consolidation; a month's settlement over
    /// 100,000 parcels (API, page, statement export), p50/p99.
    Parcels {
        /// Parcels scanned in (the day's; Gaodu's ~4,000).
        #[arg(long, default_value_t = 4_000)]
        scans: usize,
        /// Scanning clients at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Parcels of the settled month.
        #[arg(long, default_value_t = 100_000)]
        month: usize,
        /// Requests per page, one at a time.
        #[arg(long, default_value_t = 30)]
        requests: usize,
        /// Run on PostgreSQL (a fresh schema in this database) instead of SQLite.
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// Search latency over a generated catalogue: p50/p99 of typical searches in three
    /// languages, with filters and sorting.
    Search {
        /// Products to generate and index.
        #[arg(long, default_value_t = 1_000_000)]
        products: usize,
        /// Searches to time.
        #[arg(long, default_value_t = 2000)]
        searches: usize,
    },
    /// Solves vehicle routing instances in Solomon's format with the planner of
    /// `crates/routing`: vehicles, distance, time and routes per instance, each plan checked
    /// (every customer once, capacity, time windows); with `--best-known`, the gap.
    Routes {
        /// Solomon-format instance files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Seconds of search per instance.
        #[arg(long, default_value_t = 10)]
        seconds: usize,
        /// Published best results, a line per instance: NAME VEHICLES DISTANCE.
        #[arg(long, value_name = "FILE")]
        best_known: Option<std::path::PathBuf>,
        /// Print each instance's routes.
        #[arg(long)]
        routes: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (or add a role to an existing one) with a role at a region.
    Add {
        /// A login name or a mainland mobile number.
        #[arg(long)]
        login: String,
        /// buyer, seller, host, station_operator, centre_staff, trainer, courier, official or admin.
        #[arg(long)]
        role: String,
        /// The region code where the role applies, e.g. tekes or korla-saibag.
        #[arg(long)]
        region: String,
        /// The name shown for the person (default: the login).
        #[arg(long)]
        name: Option<String>,
        /// The password; if omitted, a random one is made and printed once.
        #[arg(long, env = "FARMGATE_USER_PASSWORD")]
        password: Option<String>,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    // A benchmark's figures are its output: its server logs only warnings (an access-log
    // line per request would be part of what is measured).
    let quiet = matches!(cli.command, Some(Command::Bench(_)));
    init_logging(&config, quiet);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(
        cli.command.unwrap_or(Command::Serve(ServeArgs::default())),
        config,
    ))
}

fn init_logging(config: &Config, quiet: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(if quiet {
            "warn"
        } else {
            "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,tower_sessions=warn"
        })
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(config: &Config) -> Result<Store> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
    }
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("opening the database {}", redact(&url)))?;
    let report = store.migrate().await.context("migrating the database")?;
    for name in &report.applied {
        tracing::info!(migration = %name, "applied");
    }
    Ok(store)
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Runs one of the benchmarks.
async fn bench(command: BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Checkout {
            concurrency,
            stock,
            seconds,
            postgres,
            catalogue,
            profile,
        } => {
            bench::checkout(bench::CheckoutBench {
                concurrency,
                stock,
                seconds,
                postgres,
                catalogue,
                profile,
            })
            .await
        }
        BenchCommand::LiveBurst {
            concurrency,
            stock,
            seconds,
            db,
            postgres,
            instances,
            kill_after,
            kill_one,
            profile,
        } => {
            let postgres = match db.as_str() {
                "sqlite" => None,
                "postgres" => Some(postgres),
                other => anyhow::bail!("--db is sqlite or postgres, not {other:?}"),
            };
            bench::live_burst(bench::LiveBurst {
                concurrency,
                stock,
                seconds,
                postgres,
                instances,
                kill_after,
                kill_one,
                profile,
            })
            .await
        }
        BenchCommand::ChatFanout { viewers, messages } => {
            bench::chat_fanout(bench::ChatFanout { viewers, messages }).await
        }
        BenchCommand::Stats(settings) => bench::stats(settings).await,
        BenchCommand::Stations {
            stations,
            parcels,
            requests,
            postgres,
        } => {
            bench::stations(bench::StationsBench {
                stations,
                parcels,
                requests,
                postgres,
            })
            .await
        }
        BenchCommand::TrainingPages { requests, postgres } => {
            bench::training_pages(bench::TrainingPages { requests, postgres }).await
        }
        BenchCommand::Parcels {
            scans,
            concurrency,
            month,
            requests,
            postgres,
        } => {
            bench::parcels(bench::ParcelsBench {
                scans,
                concurrency,
                month,
                requests,
                postgres,
            })
            .await
        }
        BenchCommand::Search { products, searches } => bench::search(products, searches).await,
        BenchCommand::Routes {
            files,
            seconds,
            best_known,
            routes,
        } => bench::routes(bench::RoutesBench {
            files,
            seconds,
            best_known,
            routes,
        }),
    }
}

async fn run(command: Command, config: Config) -> Result<()> {
    match command {
        Command::Serve(args) => serve(args, config).await,
        Command::Reindex => reindex(&config).await,
        Command::Migrate => {
            let store = open(&config).await?;
            println!(
                "The database at {} is up to date.",
                redact(&config.database_url())
            );
            store.close().await?;
            Ok(())
        }
        Command::Seed(SeedCommand::Demo) => {
            let store = open(&config).await?;
            seed_demo(&store, &config).await?;
            store.close().await?;
            Ok(())
        }
        Command::User(UserCommand::Add {
            login,
            role,
            region,
            name,
            password,
        }) => {
            let store = open(&config).await?;
            add_user(&store, &login, &role, &region, name.as_deref(), password).await?;
            store.close().await?;
            Ok(())
        }
        Command::Bench(command) => bench(command).await,
        Command::Backup { file } => {
            let store = open(&config).await?;
            if store.backend() == farmgate_store::Backend::Postgres {
                bail!(
                    "backup copies SQLite databases; for PostgreSQL use pg_dump, e.g. pg_dump -Fc -f farmgate.dump \"$FARMGATE_DATABASE_URL\""
                );
            }
            store.backup_to(&file).await.context("writing the backup")?;
            println!(
                "Wrote a consistent copy of the database to {}.",
                file.display()
            );
            store.close().await?;
            Ok(())
        }
    }
}

/// Months of Gaodu's centre before today (`FARMGATE_DEMO_PARCEL_MONTHS`, 3 by default; the
/// browser journeys seed 0 to start fast), at the seed's 100,000 parcels a month.
async fn demo_parcel_history(store: &Store) -> Result<u64> {
    let months = match std::env::var("FARMGATE_DEMO_PARCEL_MONTHS") {
        Ok(text) => text
            .trim()
            .parse::<u32>()
            .context("FARMGATE_DEMO_PARCEL_MONTHS is a number of months (0 to 12)")?
            .min(12),
        Err(_) => 3,
    };
    let bar = bench::progress(1, "parcels");
    let written = store
        .load_demo_logistics_history(chrono::Utc::now(), (months, 100_000), &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish();
    Ok(written)
}

/// Days of Tekes' showroom till before today (`FARMGATE_DEMO_TILL_DAYS`, 120 by default; the
/// browser journeys seed a few to start fast).
fn demo_till_days() -> Result<i64> {
    match std::env::var("FARMGATE_DEMO_TILL_DAYS") {
        Ok(text) => Ok(text
            .trim()
            .parse::<i64>()
            .context("FARMGATE_DEMO_TILL_DAYS is a number of days (0 to 365)")?
            .clamp(0, 365)),
        Err(_) => Ok(120),
    }
}

/// Korla's tricycles, tomorrow's jobs and their last week on the road.
async fn demo_fleet(store: &Store, config: &Config) -> Result<()> {
    let (tricycles, fleet_jobs) = store.load_demo_fleet(chrono::Utc::now()).await?;
    // Before the week's runs: the tricycles households ride credit them.
    let vault = farmgate_store::households::IdVault::new(config.households_key()?.as_bytes())
        .context("households_key must be 32 characters or more")?;
    let households = store
        .load_demo_households(&vault, chrono::Utc::now())
        .await?;
    if households > 0 {
        println!("Demo households (Korla): {households} registered low-income households.");
    }
    let fleet_runs = farmgate_web::fleet::demo::load_demo_runs(store, chrono::Utc::now()).await?;
    if tricycles > 0 || fleet_jobs > 0 {
        println!(
            "Demo fleet (Qiaerbag, Korla): {tricycles} tricycles added, {fleet_jobs} jobs for tomorrow morning waiting to be planned."
        );
    }
    if fleet_runs > 0 {
        println!(
            "Demo fleet's week: {fleet_runs} runs loaded, sold, handed in; today's plan waits for its riders."
        );
    }
    Ok(())
}

/// Beijie's villagers' shops and their two years of orders (a Taobao village).
async fn demo_beijie(store: &Store) -> Result<()> {
    let beijie = store.load_demo_beijie(chrono::Utc::now()).await?;
    if beijie > 0 {
        println!(
            "Demo Taobao village (Beijie, Zezhou): 36 villagers' shops, {beijie} orders over two years."
        );
    }
    Ok(())
}

async fn seed_demo(store: &Store, config: &Config) -> Result<()> {
    let total = farmgate_store::demo::regions::count(&farmgate_store::demo::regions::tree());
    let bar = bench::progress(total, "regions");
    let added_regions = store.load_demo_regions(&|| bar.inc(1)).await?;
    bar.finish();
    let password = Password::parse(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
    let added_accounts = store.load_demo_accounts(&hash).await?;
    let added_stations = store.load_demo_stations().await?;
    let (added_shops, added_products) = store.load_demo_catalog().await?;
    let photos = farmgate_web::photos::PhotoFiles::new(&config.data_dir);
    let added_photos = farmgate_web::photos::demo::load_demo_photos(store, &photos).await?;
    tracing::info!(photos = added_photos, "demo photos drawn");
    let bar = bench::progress(1, "orders");
    let life = store
        .load_demo_orders(&|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish();
    let (network_stations, network_parcels) = store.load_demo_network().await?;
    let villager_purchases = store.load_demo_till().await?;
    let (carriers, advised) = store.load_demo_logistics(chrono::Utc::now(), &hash).await?;
    let history = demo_parcel_history(store).await?;
    demo_fleet(store, config).await?;
    let bar = bench::progress(1, "training");
    let pictures = farmgate_web::photos::demo::goods_photos(
        &photos,
        &farmgate_store::demo::training::graduate_goods(),
    )
    .await?;
    let training = store
        .load_demo_training(&hash, &pictures, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish();
    store.refresh_sales_counts().await?;
    println!(
        "Demo data: {added_regions} regions, {added_accounts} accounts, {added_stations} stations, {added_shops} shops and {added_products} products added (existing ones kept)."
    );
    if life.orders > 0 {
        println!(
            "Demo year of the seed shops: {} buyers, {} orders, {} refunds, {} reviews.",
            life.buyers, life.orders, life.refunds, life.reviews
        );
    }
    if network_stations > 0 {
        println!(
            "Demo station networks (Gaodu, Korla, Tekes and Kuqa townships): {network_stations} stations, {network_parcels} parcels of the last week."
        );
    }
    if carriers > 0 {
        println!(
            "Demo distribution centre (Gaodu): {carriers} express companies, {advised} parcels advised this morning, most scanned in."
        );
    }
    if history > 0 {
        println!(
            "Demo distribution centre's past months: {history} parcels in and out, with the day's runs."
        );
    }
    if villager_purchases > 0 {
        println!(
            "Demo stations' till: {villager_purchases} purchases for villagers over two months, the days closed."
        );
    }
    if training.courses > 0 {
        println!(
            "Demo training: {} courses, {} sessions, {} trainees, {} certificates, {} graduates' shops.",
            training.courses,
            training.sessions,
            training.trainees,
            training.certificates,
            training.shops
        );
    }
    demo_beijie(store).await?;
    let showroom = store
        .load_demo_showroom(chrono::Utc::now(), demo_till_days()?)
        .await?;
    if showroom > 0 {
        println!(
            "Demo showroom (Tekes): Tekes' shops' goods on its shelves, {showroom} till sales; today's till open with a sale to settle."
        );
    }
    let (stalls, leases) = store.load_demo_ground_floor(chrono::Utc::now()).await?;
    if stalls > 0 || leases > 0 {
        println!(
            "Demo stalls and park: Qiaerbag's {stalls} stalls with this season's bookings and takings; Gaodu's park with {leases} tenants."
        );
    }
    // The statistics start from every demo order (the server then follows the changes).
    store.rebuild_stats().await?;
    Ok(())
}

async fn add_user(
    store: &Store,
    login: &str,
    role: &str,
    region: &str,
    name: Option<&str>,
    password: Option<String>,
) -> Result<()> {
    let login_id = LoginId::parse(login).map_err(|_| anyhow::anyhow!("{login:?} is neither a mainland mobile number nor a login name (3-32 of a-z 0-9 . _ -, starting with a letter)"))?;
    let role = Role::parse(role).with_context(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("{role:?} is not a role; use one of {}", roles.join(", "))
    })?;
    let region = match store.region_by_code(region).await {
        Ok(region) => region,
        Err(farmgate_store::Error::NotFound) => bail!(
            "there is no region with code {region:?} (load the demo with `farmgate seed demo`)"
        ),
        Err(other) => return Err(other.into()),
    };
    let account = match store.account_by_login(&login_id).await? {
        Some(existing) => {
            println!("{login} exists; adding the role.");
            existing
        }
        None => {
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (random_password(), true),
            };
            let parsed = Password::parse(&password)
                .map_err(|_| anyhow::anyhow!("the password needs 8 to 128 characters"))?;
            let hash = tokio::task::spawn_blocking(move || hash_password(&parsed))
                .await?
                .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
            let display_name = DisplayName::parse(name.unwrap_or(login))
                .map_err(|_| anyhow::anyhow!("the name needs 1 to 40 characters"))?;
            let account = store
                .create_account(NewAccount {
                    login: login_id,
                    display_name,
                    password_hash: hash,
                    language: Default::default(),
                })
                .await?;
            if generated {
                println!("Created {login} with the password: {password}");
            } else {
                println!("Created {login}.");
            }
            account
        }
    };
    store.grant_role(account.id, role, region.id, None).await?;
    println!(
        "{login} is now {} at {} ({}).",
        role.as_str(),
        region.name_en,
        region.code.as_str()
    );
    Ok(())
}

fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

async fn serve(args: ServeArgs, config: Config) -> Result<()> {
    let store = open(&config).await?;
    let bind = match args.bind {
        Some(bind) => bind
            .parse()
            .with_context(|| format!("--bind {bind:?} is not an address like 127.0.0.1:8080"))?,
        None => config.bind_addr()?,
    };
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| {
        format!("listening on {bind} (is another server using it? set --bind or FARMGATE_BIND)")
    })?;
    let local = listener.local_addr()?;
    let web = WebConfig {
        default_language: config.language()?,
        secure_cookies: config.secure_cookies(),
        payment_provider: config.payment_provider(args.demo)?,
        allow_test_payments: config.allow_test_payments,
        messenger: config.messenger(args.demo)?,
        trusted_proxies: config.trusted_proxies()?,
        websockets_per_address: config.websockets_per_address.max(1),
        metrics_token: config.metrics_token.clone().filter(|t| !t.is_empty()),
        request_timeout: Duration::from_secs(30),
        pay_within: Duration::from_secs(config.pay_within_minutes.max(1) * 60),
        payment_secret: config.payment_secret.clone(),
        public_url: config.public_url(local),
        data_dir: config.data_dir.clone(),
        rtmp_url: config.rtmp_url.clone(),
        webhooks_to_private: config.webhooks_to_private,
        webhook_retry_secs: config.webhook_retry_secs.max(1),
        hls_dir: config
            .hls_dir
            .clone()
            .unwrap_or_else(|| config.data_dir.join("hls")),
        hls_js: config.hls_js.clone(),
        households_key: Some(config.households_key()?),
        ..WebConfig::default()
    };
    // Before anything is written: an unsafe combination (test money on a public address)
    // stops here with what to set.
    farmgate_web::settings::check(&web).map_err(|message| anyhow::anyhow!(message))?;
    if args.demo {
        seed_demo(&store, &config).await?;
    }
    let (index, needs_fill) = open_index(&config)?;
    let index = Arc::new(index);
    if needs_fill {
        // Searches answer from what is indexed so far; the server does not wait.
        let filling = Arc::clone(&index);
        let source = store.clone();
        tokio::spawn(async move {
            match filling.reindex(&source, 1000, &|_, _| {}).await {
                Ok(count) => tracing::info!(products = count, "search index built"),
                Err(err) => tracing::error!(error = %err, "could not build the search index"),
            }
        });
    }
    let state = AppState::with_index(store.clone(), web, index).await?;

    println!("FarmGate is running at http://{local}/");
    if demo_accounts_present(&store).await {
        println!("Demo accounts (password: {DEMO_PASSWORD}):");
        for account in DEMO_ACCOUNTS {
            let mut grants: Vec<String> = account
                .grants
                .iter()
                .map(|(role, region)| format!("{} @ {region}", role.as_str()))
                .collect();
            if let Some(shop) = farmgate_store::demo::catalog::DEMO_SHOPS
                .iter()
                .find(|s| s.owner == account.login)
            {
                grants.push(format!("owner of {} @ {}", shop.name, shop.village));
            }
            println!("  {:<16} {}", account.login, grants.join(", "));
        }
    }
    if let Some(metrics_bind) = config.metrics_bind.as_deref().filter(|b| !b.is_empty()) {
        let address: std::net::SocketAddr = metrics_bind.parse().with_context(|| {
            format!("metrics_bind = {metrics_bind:?} is not an address like 127.0.0.1:9090")
        })?;
        let metrics = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("listening for metrics on {address}"))?;
        println!(
            "Metrics for Prometheus at http://{}/metrics",
            metrics.local_addr()?
        );
        tokio::spawn(farmgate_web::serve_metrics(
            metrics,
            state.clone(),
            shutdown_signal(),
        ));
    }
    farmgate_web::serve(listener, state, shutdown_signal()).await?;
    store.close().await?;
    Ok(())
}

fn open_index(config: &Config) -> Result<(ProductIndex, bool)> {
    let dir = config.data_dir.join("search");
    ProductIndex::open(&dir)
        .with_context(|| format!("opening the search index in {}", dir.display()))
}

async fn reindex(config: &Config) -> Result<()> {
    let store = open(config).await?;
    let (index, _) = open_index(config)?;
    let bar = ProgressBar::new(store.product_count().await?).with_message("products");
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let count = index
        .reindex(&store, 2000, &|done, total| {
            bar.set_length(total.max(done));
            bar.set_position(done);
        })
        .await?;
    bar.finish();
    println!(
        "The search index holds {} listed products of {count}.",
        index.len()
    );
    store.close().await?;
    Ok(())
}

async fn demo_accounts_present(store: &Store) -> bool {
    match LoginId::parse("admin") {
        Ok(login) => matches!(store.account_by_login(&login).await, Ok(Some(_))),
        Err(_) => false,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact("postgres://fg:secret@db:5432/farmgate"),
            "postgres://fg:***@db:5432/farmgate"
        );
        assert_eq!(
            redact("postgres://fg@db/farmgate"),
            "postgres://fg@db/farmgate"
        );
        assert_eq!(redact("sqlite://./farmgate.db"), "sqlite://./farmgate.db");
    }

    #[test]
    fn every_subcommand_has_help() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
