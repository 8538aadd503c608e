//! `farmgate bench live-burst` and `farmgate bench chat-fanout`: the livestream's two loads,
//! against real `farmgate serve` processes (this binary, started as children) on a fresh
//! database, so a server can be killed mid-burst and its memory read from /proc.

use std::process::Stdio;
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
use indicatif::{ProgressBar, ProgressStyle};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::bench::{hot_walnuts, ms, open, percentile};

/// Settings of `farmgate bench live-burst`.
pub struct LiveBurst {
    pub concurrency: usize,
    pub stock: i64,
    pub seconds: u64,
    pub postgres: Option<String>,
    pub instances: usize,
    pub kill_after: Option<f64>,
}

/// Settings of `farmgate bench chat-fanout`.
pub struct ChatFanout {
    pub viewers: usize,
    pub messages: usize,
}

/// A `farmgate serve` child process and the address it serves.
pub(crate) struct Server {
    pub child: Child,
    pub base: String,
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

pub(crate) fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len).with_message(what.to_owned());
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
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

/// Starts `farmgate serve` on a free port against `url` and waits for its address.
pub(crate) async fn start_server(url: &str, data_dir: &std::path::Path) -> Result<Server> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("FARMGATE_DATABASE_URL", url)
        .env("FARMGATE_DATA_DIR", data_dir)
        // Every simulated viewer connects from this machine.
        .env("FARMGATE_WEBSOCKETS_PER_ADDRESS", "1000000")
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().context("the server's output")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.split("running at ").nth(1) {
                return Ok::<_, anyhow::Error>(rest.trim().trim_end_matches('/').to_owned());
            }
        }
        bail!("the server stopped before it served")
    })
    .await
    .context("the server did not start within a minute")??;
    // Keep reading its output so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Server { child, base })
}

/// Requests per second of `GET /healthz` (the same middleware as every route) from
/// `concurrency` clients over `window`, spread over the servers.
async fn bare_rate(
    client: &reqwest::Client,
    bases: &[String],
    concurrency: usize,
    window: Duration,
) -> Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..concurrency {
        let client = client.clone();
        let url = format!("{}/healthz", bases[n % bases.len()]);
        tasks.push(tokio::spawn(async move {
            let mut count = 0u64;
            while started.elapsed() < window {
                if client
                    .get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    count += 1;
                }
            }
            count
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await?;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

#[derive(Default)]
struct Outcome {
    accepted: Vec<Duration>,
    refused: Vec<Duration>,
    errors: usize,
    ids: Vec<i64>,
    last_accept: Option<Instant>,
}

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
    println!(
        "farmgate bench live-burst: {} clients, stock {}, {} instance(s) on {}",
        bench.concurrency,
        bench.stock,
        bench.instances,
        if stage.schema.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
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

    let bar = progress(bench.stock as u64, "orders");
    let started = Instant::now();
    let killer = bench.kill_after.map(|after| {
        let pids: Vec<u32> = servers.iter().filter_map(|s| s.child.id()).collect();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs_f64(after)).await;
            for pid in pids {
                // SIGKILL: no shutdown, no flush beyond what each commit already did.
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
            }
            Instant::now()
        })
    });
    let mut tasks = Vec::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let client = client.clone();
        let url = format!(
            "{}/api/v1/live/{}/buy",
            bases[n % bases.len()],
            stage.room_id
        );
        let body = serde_json::json!({
            "variant_id": stage.variant_id,
            "delivery": {"kind": "pickup", "station": stage.station_id.to_string()},
            "payment": "cash",
        });
        let bar = bar.clone();
        tasks.push(tokio::spawn(async move {
            let mut outcome = Outcome::default();
            let mut attempt = 0u64;
            while started.elapsed() < window {
                attempt += 1;
                let sent = Instant::now();
                let answer = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("idempotency-key", format!("burst-{n:05}-{attempt:08}"))
                    .json(&body)
                    .send()
                    .await;
                let took = sent.elapsed();
                match answer {
                    Ok(r) if r.status().as_u16() == 201 => {
                        if let Ok(v) = r.json::<serde_json::Value>().await
                            && let Some(id) = v["orders"][0]["id"].as_i64()
                        {
                            outcome.accepted.push(took);
                            outcome.ids.push(id);
                            outcome.last_accept = Some(Instant::now());
                            bar.inc(1);
                        } else {
                            outcome.errors += 1;
                        }
                    }
                    Ok(r) if r.status().as_u16() == 409 => {
                        outcome.refused.push(took);
                        break;
                    }
                    _ => {
                        outcome.errors += 1;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
            outcome
        }));
    }
    let mut all = Outcome::default();
    for task in tasks {
        let o = task.await?;
        all.accepted.extend(o.accepted);
        all.refused.extend(o.refused);
        all.errors += o.errors;
        all.ids.extend(o.ids);
        all.last_accept = all.last_accept.max(o.last_accept);
    }
    bar.finish_and_clear();
    let selling = all
        .last_accept
        .map_or(started.elapsed(), |at| at.duration_since(started));
    if let Some(killer) = killer {
        let killed_at = killer.await?;
        println!(
            "killed every instance with SIGKILL {:.2} s into the burst; restarting one",
            killed_at.duration_since(started).as_secs_f64()
        );
        for server in &mut servers {
            let _ = server.child.wait().await;
        }
        servers.clear();
        let restarted = start_server(&stage.url, &instance_dir(&stage, 0)?).await?;
        let ready = client
            .get(format!("{}/readyz", restarted.base))
            .send()
            .await?;
        println!("restarted: /readyz {}", ready.status());
        servers.push(restarted);
    }
    all.accepted.sort();
    all.refused.sort();
    let order_rate = all.accepted.len() as f64 / selling.as_secs_f64().max(1e-3);

    // What the database holds afterwards (read directly, after the servers are done).
    let stored = stage.store.all_orders_of_shop(stage.shop_id).await?;
    let sold: i64 = stored
        .iter()
        .flat_map(|o| o.lines.iter())
        .filter(|l| l.variant_id == stage.variant_id)
        .map(|l| i64::from(l.quantity))
        .sum();
    let oversold = (sold - bench.stock).max(0);
    let stored_ids: std::collections::HashSet<i64> = stored.iter().map(|o| o.id).collect();
    let lost = all.ids.iter().filter(|id| !stored_ids.contains(id)).count();

    println!("bare route:     {bare:.0} req/s");
    println!(
        "orders:         {} accepted in {:.2} s = {order_rate:.0} orders/s; {} refused (sold out); {} errors",
        all.accepted.len(),
        selling.as_secs_f64(),
        all.refused.len(),
        all.errors
    );
    println!(
        "accepted:       p50 {}  p99 {}  p999 {}",
        ms(percentile(&all.accepted, 0.5)),
        ms(percentile(&all.accepted, 0.99)),
        ms(percentile(&all.accepted, 0.999))
    );
    println!(
        "refused:        p50 {}  p99 {}  p999 {}",
        ms(percentile(&all.refused, 0.5)),
        ms(percentile(&all.refused, 0.99)),
        ms(percentile(&all.refused, 0.999))
    );
    println!(
        "ratio orders/s : bare req/s = {:.3}",
        order_rate / bare.max(1.0)
    );
    println!("sold: {sold} of {}", bench.stock);
    println!("oversold: {oversold}");
    println!("lost: {lost}");

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
    let server = start_server(&stage.url, &instance_dir(&stage, 0)?).await?;
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
    let bar = progress(bench.viewers as u64, "viewers");
    let (ready_tx, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut viewers = Vec::with_capacity(bench.viewers);
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(200));
    for n in 0..bench.viewers {
        let url = format!("{ws}?viewer=fanout-viewer-{n:06}");
        let gate = std::sync::Arc::clone(&gate);
        let bar = bar.clone();
        let expected = bench.messages;
        let mut stop = ready_tx.subscribe();
        viewers.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let mut socket = match connect(&url, None).await {
                Ok(socket) => socket,
                Err(_) => return (Vec::new(), false),
            };
            drop(permit);
            bar.inc(1);
            let mut latencies: Vec<u64> = Vec::with_capacity(expected);
            loop {
                tokio::select! {
                    frame = socket.next() => {
                        let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) = frame else {
                            break;
                        };
                        let text = text.as_str();
                        if let Some(rest) = text.split("fanout@").nth(1) {
                            let sent: u128 = rest.split(|c: char| !c.is_ascii_digit()).next().and_then(|d| d.parse().ok()).unwrap_or(0);
                            latencies.push(u64::try_from(now_micros().saturating_sub(sent)).unwrap_or(u64::MAX));
                        }
                    }
                    _ = stop.recv() => break,
                }
            }
            (latencies, true)
        }));
    }
    while bar.position() < bench.viewers as u64 && viewers.iter().any(|v| !v.is_finished()) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bar.finish_and_clear();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = resident(pid)?;
    let per_viewer = after.saturating_sub(before) as f64 / bench.viewers as f64;

    let bar = progress(bench.messages as u64, "messages");
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    for seq in 0..bench.messages {
        tick.tick().await;
        let speaker = &mut speakers[seq % 4];
        let text = format!("fanout@{} 第{seq}条", now_micros());
        let frame = serde_json::json!({"type": "chat", "text": text}).to_string();
        speaker
            .send(tokio_tungstenite::tungstenite::Message::Text(frame.into()))
            .await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = ready_tx.send(());
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
        per_viewer / 1024.0
    );
    let mut server = server;
    let _ = server.child.kill().await;
    stage.store.close().await?;
    Ok(())
}
