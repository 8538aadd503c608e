//! `farmgate bench live-burst` and `farmgate bench chat-fanout`: the livestream's two loads,
//! against real `farmgate serve` processes (this binary, started as children) on a fresh
//! database, so a server can be killed mid-burst and its memory read from /proc.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use farmgate_domain::accounts::{DisplayName, LoginId};
use farmgate_domain::lang::Language;
use farmgate_domain::live::RoomEvent;
use farmgate_domain::money::Fen;
use farmgate_store::Store;
use farmgate_store::accounts::NewAccount;
use farmgate_store::live::NewRoom;
use futures_util::{SinkExt, StreamExt};
use indicatif::ProgressBar;

use super::profile::{self, Scrape};
use super::{
    Server, Tally, bare_rate, hot_walnuts, ms, open, percentile, progress, start_server, tap,
};

/// Settings of `farmgate bench live-burst`.
pub struct LiveBurst {
    pub concurrency: usize,
    pub stock: i64,
    pub seconds: u64,
    pub postgres: Option<String>,
    pub instances: usize,
    pub kill_after: Option<f64>,
    /// With `kill_after`: kill only the first instance; the others sell on (their clients
    /// go over to them with the same keys, as a load balancer would send them).
    pub kill_one: bool,
    /// Print where a tap's time goes (`profile.rs`).
    pub profile: bool,
}

/// Settings of `farmgate bench chat-fanout`.
pub struct ChatFanout {
    pub viewers: usize,
    pub messages: usize,
}

/// What a benchmark sets up in the database before the servers start.
struct Stage {
    store: Store,
    url: String,
    schema: Option<String>,
    _dir: tempfile::TempDir,
    room_id: i64,
    variant_id: i64,
    station_id: i64,
    shop_id: i64,
}

fn parse<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| anyhow::anyhow!("{e}"))
}

/// A fresh database with the demo places, a walnut variant of `stock` pinned at a room price
/// in a live room of Huixian's host.
async fn stage(postgres: Option<&str>, stock: i64) -> Result<Stage> {
    let dir = tempfile::tempdir()?;
    let (store, schema) = open(postgres, &dir).await?;
    let walnuts = hot_walnuts(&store, "直播压测核桃", stock).await?;
    let huixian = store.region_by_code("huixian").await?;
    let variant_id = walnuts.variant_id;
    let room = store
        .schedule_room(NewRoom {
            host_id: walnuts.host_id,
            region_id: huixian.id,
            title_zh: "直播压测".to_owned(),
            title_ug: None,
            title_en: None,
            starts_at: chrono::Utc::now(),
            shop_ids: vec![walnuts.shop.id],
        })
        .await?;
    store.pin(room.id, variant_id, Some(Fen(2990))).await?;
    store.move_room(room.id, RoomEvent::Start).await?;
    let url = postgres_url(postgres, schema.as_deref(), &dir);
    Ok(Stage {
        store,
        url,
        schema,
        _dir: dir,
        room_id: room.id,
        variant_id,
        station_id: walnuts.station_id,
        shop_id: walnuts.shop.id,
    })
}

/// The address a server process reaches the benchmark's database at: the temporary SQLite
/// file, or the fresh PostgreSQL schema (as its search path).
pub(crate) fn postgres_url(
    postgres: Option<&str>,
    schema: Option<&str>,
    dir: &tempfile::TempDir,
) -> String {
    match (schema, postgres) {
        (Some(schema), Some(base)) => {
            let separator = if base.contains('?') { '&' } else { '?' };
            format!("{base}{separator}options=-c%20search_path%3D{schema}")
        }
        _ => format!("sqlite://{}", dir.path().join("bench.db").display()),
    }
}

/// `count` buyers with API tokens.
async fn buyers(store: &Store, count: usize, prefix: &str) -> Result<Vec<String>> {
    let bar = progress(count as u64, "buyers");
    let mut tokens = Vec::with_capacity(count);
    for n in 0..count {
        let account = store
            .create_account(NewAccount {
                login: parse(LoginId::parse(&format!("{prefix}-{n}")))?,
                display_name: parse(DisplayName::parse(&format!("买家{n}")))?,
                password_hash: "x".to_owned(),
                language: Language::ZhCn,
            })
            .await?;
        tokens.push(store.issue_api_token(account.id).await?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(tokens)
}

/// Each instance keeps its own files (its search index above all), as on separate machines.
fn instance_dir(stage: &Stage, n: usize) -> Result<std::path::PathBuf> {
    let dir = stage._dir.path().join(format!("instance-{n}"));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `farmgate bench live-burst`: prints orders/s against the bare route, latencies, and what
/// was sold, oversold and lost (also across a SIGKILL of every server with `--kill-after`).
pub async fn live_burst(bench: LiveBurst) -> Result<()> {
    if bench.concurrency == 0 || bench.stock <= 0 || bench.instances == 0 {
        bail!("--concurrency, --stock and --instances must be positive");
    }
    let stage = stage(bench.postgres.as_deref(), bench.stock).await?;
    let tokens = buyers(&stage.store, bench.concurrency, "burst").await?;
    let mut servers = Vec::new();
    for n in 0..bench.instances {
        servers.push(start_server(&stage.url, &instance_dir(&stage, n)?).await?);
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let db = if stage.schema.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "farmgate bench live-burst: {} clients, stock {}, {} instance(s) on {db}",
        bench.concurrency, bench.stock, bench.instances,
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(bench.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let window = Duration::from_secs(bench.seconds);
    let spinner = ProgressBar::new_spinner().with_message("bare route (GET /healthz)");
    spinner.enable_steady_tick(Duration::from_millis(200));
    let bare = bare_rate(
        &client,
        &bases,
        bench.concurrency,
        window.min(Duration::from_secs(5)),
    )
    .await?;
    spinner.finish_and_clear();

    let profiled = bench.profile && bench.kill_after.is_none();
    let before = if profiled {
        Scrape::of(&client, &bases).await?
    } else {
        Scrape::default()
    };
    let started = Instant::now();
    let doomed = if bench.kill_one {
        &servers[..1]
    } else {
        &servers[..]
    };
    let killer = bench.kill_after.map(|after| kill(doomed, after));
    let mut tally = burst(&client, &bases, &stage, tokens, bench.stock, window).await?;
    let selling = tally
        .last_accept
        .map_or(started.elapsed(), |at| at.duration_since(started));
    let after = if profiled {
        Some(Scrape::of(&client, &bases).await?)
    } else {
        None
    };
    if let Some(killer) = killer {
        let killed_at = killer.await?;
        let into = killed_at.duration_since(started).as_secs_f64();
        if bench.kill_one && servers.len() > 1 {
            println!(
                "killed instance 1 of {} with SIGKILL {into:.2} s into the burst; the others sold on",
                servers.len()
            );
        } else {
            println!(
                "killed every instance with SIGKILL {into:.2} s into the burst; restarting one"
            );
            restart_one(&client, &stage, &mut servers).await?;
        }
    }
    let (sold, oversold, lost) = check_stored(&stage, &tally, bench.stock).await?;
    tally.print(bare, selling);
    println!("sold: {sold} of {}", bench.stock);
    println!("oversold: {oversold}");
    println!("lost: {lost}");
    match after {
        Some(after) => profile::print(&before, &after, "/api/v1/live/{id}/buy"),
        None if bench.profile => println!("profile: not with --kill-after (the servers die)"),
        None => {}
    }

    for mut server in servers {
        let _ = server.child.kill().await;
    }
    if let Some(schema) = &stage.schema {
        stage.store.drop_schema_for_bench(schema).await?;
    }
    stage.store.close().await?;
    if oversold > 0 || lost > 0 {
        bail!("oversold {oversold}, lost {lost}: the intake broke its promise");
    }
    Ok(())
}

/// Kills `servers` with SIGKILL `after` seconds from now (no shutdown, no flush beyond what
/// each commit already did); answers when.
fn kill(servers: &[Server], after: f64) -> tokio::task::JoinHandle<Instant> {
    let pids: Vec<u32> = servers.iter().filter_map(|s| s.child.id()).collect();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs_f64(after)).await;
        for pid in pids {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
        Instant::now()
    })
}

/// After a kill: waits for the dead servers and starts one again on the same database.
async fn restart_one(
    client: &reqwest::Client,
    stage: &Stage,
    servers: &mut Vec<Server>,
) -> Result<()> {
    for server in servers.iter_mut() {
        let _ = server.child.wait().await;
    }
    servers.clear();
    let restarted = start_server(&stage.url, &instance_dir(stage, 0)?).await?;
    let ready = client
        .get(format!("{}/readyz", restarted.base))
        .send()
        .await?;
    println!("restarted: /readyz {}", ready.status());
    servers.push(restarted);
    Ok(())
}

/// Every buyer taps "buy" (their own keys) until refused (sold out) or `window` ends; the
/// buyers are spread over the servers.
async fn burst(
    client: &reqwest::Client,
    bases: &[String],
    stage: &Stage,
    tokens: Vec<String>,
    stock: i64,
    window: Duration,
) -> Result<Tally> {
    let bar = progress(stock as u64, "orders");
    let started = Instant::now();
    // A buyer's first tap names the pickup station and cash; the rest are one tap with those
    // defaults, as the room page's buy button sends them.
    let first = serde_json::json!({
        "variant_id": stage.variant_id,
        "delivery": {"kind": "pickup", "station": stage.station_id.to_string()},
        "payment": "cash",
    });
    let again = serde_json::json!({"variant_id": stage.variant_id});
    let mut tasks = Vec::new();
    let urls: Vec<String> = bases
        .iter()
        .map(|base| format!("{base}/api/v1/live/{}/buy", stage.room_id))
        .collect();
    for (n, token) in tokens.into_iter().enumerate() {
        let (client, urls) = (client.clone(), urls.clone());
        let (bar, first, again) = (bar.clone(), first.clone(), again.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut attempt = 0u64;
            let mut server = n % urls.len();
            let mut failed = false;
            while started.elapsed() < window {
                // After a failure the tap goes again with the same key, to the next server.
                if failed {
                    server = (server + 1) % urls.len();
                } else {
                    attempt += 1;
                }
                let errors = tally.errors;
                let sent = Instant::now();
                let answer = client
                    .post(&urls[server])
                    .bearer_auth(&token)
                    .header("idempotency-key", format!("burst-{n:05}-{attempt:08}"))
                    .json(if tally.accepted.is_empty() {
                        &first
                    } else {
                        &again
                    })
                    .send()
                    .await;
                if !tap(answer, sent.elapsed(), &mut tally, &bar).await {
                    break;
                }
                failed = tally.errors > errors;
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for task in tasks {
        all.add(task.await?);
    }
    bar.finish_and_clear();
    Ok(all)
}

/// What the database holds afterwards (read directly, after the servers are done): units
/// sold, oversold, and accepted orders that are missing.
async fn check_stored(stage: &Stage, tally: &Tally, stock: i64) -> Result<(i64, i64, usize)> {
    let stored = stage.store.all_orders_of_shop(stage.shop_id).await?;
    let sold: i64 = stored
        .iter()
        .flat_map(|o| o.lines.iter())
        .filter(|l| l.variant_id == stage.variant_id)
        .map(|l| i64::from(l.quantity))
        .sum();
    let stored_ids: std::collections::HashSet<i64> = stored.iter().map(|o| o.id).collect();
    let lost = tally
        .ids
        .iter()
        .filter(|id| !stored_ids.contains(id))
        .count();
    Ok((sold, (sold - stock).max(0), lost))
}

/// Resident memory of a process, in bytes (Linux).
fn resident(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .context("VmRSS in /proc")?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kb * 1024)
}

fn now_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(url: &str, token: Option<&str>) -> Result<Socket> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = url.into_client_request()?;
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse()?);
    }
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

/// `farmgate bench chat-fanout`: prints how many viewers got each message, the delivery
/// latency, and the server's memory per viewer.
pub async fn chat_fanout(bench: ChatFanout) -> Result<()> {
    let limit = rlimit::increase_nofile_limit(u64::MAX)?;
    // This process holds the viewers' sockets; the server (a child) holds as many of its own.
    if (limit as usize) < bench.viewers + 100 {
        bail!(
            "the open-files limit is {limit}, too low for {} viewers (raise it with ulimit -n)",
            bench.viewers
        );
    }
    let stage = stage(None, 100).await?;
    let senders = buyers(&stage.store, 4, "speaker").await?;
    let mut server = start_server(&stage.url, &instance_dir(&stage, 0)?).await?;
    let pid = server.child.id().context("the server's pid")?;
    let ws = format!(
        "{}/live/{}/ws",
        server.base.replace("http://", "ws://"),
        stage.room_id
    );
    println!(
        "farmgate bench chat-fanout: {} viewers, {} messages (one a second), one instance on SQLite",
        bench.viewers, bench.messages
    );
    // The server as it idles with its first viewer, then with all of them.
    let mut speakers = Vec::new();
    for token in &senders {
        speakers.push(connect(&ws, Some(token)).await?);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = resident(pid)?;
    let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
    let viewers = watch(&ws, bench.viewers, bench.messages, &stop).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = resident(pid)?;
    speak(&mut speakers, bench.messages).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = stop.send(());
    let mut latencies = Vec::new();
    let mut connected = 0usize;
    for viewer in viewers {
        let (got, ok) = viewer.await?;
        connected += usize::from(ok);
        latencies.extend(got.into_iter().map(Duration::from_micros));
    }
    latencies.sort();
    let expected = connected * bench.messages;
    println!("viewers connected: {connected} of {}", bench.viewers);
    println!(
        "delivered: {} of {expected} messages×viewers ({:.2}%)",
        latencies.len(),
        latencies.len() as f64 * 100.0 / expected.max(1) as f64
    );
    println!(
        "delivery latency: p50 {}  p99 {}  max {}",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default())
    );
    println!(
        "server memory: {:.1} MB idle, {:.1} MB with the viewers = {:.1} KB per viewer",
        before as f64 / 1e6,
        after as f64 / 1e6,
        after.saturating_sub(before) as f64 / bench.viewers as f64 / 1024.0
    );
    let _ = server.child.kill().await;
    stage.store.close().await?;
    Ok(())
}

/// A viewer's task: the latencies (µs) of the messages it got, and whether it connected.
type Viewer = tokio::task::JoinHandle<(Vec<u64>, bool)>;

/// Connects `count` guest viewers (200 at a time) and has each note when every message
/// reaches it, until `stop`; answers once all have connected or given up.
async fn watch(
    ws: &str,
    count: usize,
    messages: usize,
    stop: &tokio::sync::broadcast::Sender<()>,
) -> Vec<Viewer> {
    let bar = progress(count as u64, "viewers");
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(200));
    let mut viewers = Vec::with_capacity(count);
    for n in 0..count {
        let url = format!("{ws}?viewer=fanout-viewer-{n:06}");
        let gate = std::sync::Arc::clone(&gate);
        let bar = bar.clone();
        let mut stop = stop.subscribe();
        viewers.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let Ok(mut socket) = connect(&url, None).await else {
                return (Vec::new(), false);
            };
            drop(permit);
            bar.inc(1);
            let mut latencies: Vec<u64> = Vec::with_capacity(messages);
            loop {
                tokio::select! {
                    frame = socket.next() => {
                        let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) = frame else {
                            break;
                        };
                        if let Some(sent) = sent_at(text.as_str()) {
                            latencies.push(u64::try_from(now_micros().saturating_sub(sent)).unwrap_or(u64::MAX));
                        }
                    }
                    _ = stop.recv() => break,
                }
            }
            (latencies, true)
        }));
    }
    while bar.position() < count as u64 && viewers.iter().any(|v| !v.is_finished()) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bar.finish_and_clear();
    viewers
}

/// When a benchmark message was sent (µs since the epoch), read from its text.
fn sent_at(text: &str) -> Option<u128> {
    let rest = text.split("fanout@").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// One message a second, the speakers taking turns, each carrying when it was sent.
async fn speak(speakers: &mut [Socket], messages: usize) -> Result<()> {
    let bar = progress(messages as u64, "messages");
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    for seq in 0..messages {
        tick.tick().await;
        let speaker = &mut speakers[seq % speakers.len()];
        let text = format!("fanout@{} 第{seq}条", now_micros());
        let frame = serde_json::json!({"type": "chat", "text": text}).to_string();
        speaker
            .send(tokio_tungstenite::tungstenite::Message::Text(frame.into()))
            .await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}
