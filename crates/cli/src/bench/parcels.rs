//! `farmgate bench parcels`: Gaodu's distribution centre on a fresh database, served by a real
//! `farmgate serve`. Inbound scans per second through the real HTTP API (each scan its own
//! request, as a phone sends them one at a time; and in batches of 20, as a phone that fell
//! behind sends them) against the same server's bare route; the day's consolidation with the
//! day's parcels scanned in for Gaodu's 30 stations (API and board page); and a month's
//! settlement over 100,000 parcels with their events (API, page and the largest carrier's
//! statement export), each p50/p99.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use farmgate_domain::accounts::LoginId;
use farmgate_domain::logistics::TrackingNumber;
use farmgate_store::logistics::Advice;

use super::live::postgres_url;
use super::{bare_rate, measure, ms, open, percentile, progress, start_server};

/// Settings of `farmgate bench parcels`.
pub struct ParcelsBench {
    /// Parcels scanned in (the day's).
    pub scans: usize,
    /// Scanning clients at once.
    pub concurrency: usize,
    /// Parcels of the settled month.
    pub month: usize,
    pub requests: usize,
    pub postgres: Option<String>,
}

pub async fn parcels(bench: ParcelsBench) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (store, schema) = open(bench.postgres.as_deref(), &dir).await?;
    super::seed_places(&store).await?;
    let (depot, carriers, numbers, month_start) = stage(&store, &bench).await?;
    let centre = store
        .account_by_login(&LoginId::parse("zezhou-centre").map_err(|e| anyhow::anyhow!("{e}"))?)
        .await?
        .context("the demo centre account")?;
    let token = store.issue_api_token(centre.id).await?;
    let url = postgres_url(bench.postgres.as_deref(), schema.as_deref(), &dir);
    let mut server = start_server(&url, dir.path()).await?;
    let client = reqwest::Client::new();
    let db = if schema.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };

    let bare = bare_rate(
        &client,
        std::slice::from_ref(&server.base),
        bench.concurrency,
        Duration::from_secs(3),
    )
    .await?;
    let half = numbers.len() / 2;
    let (single, single_rate) = scan_all(
        &client,
        &server.base,
        &token,
        &numbers[..half],
        1,
        bench.concurrency,
    )
    .await?;
    let (batched, batched_rate) = scan_all(
        &client,
        &server.base,
        &token,
        &numbers[half..],
        20,
        bench.concurrency,
    )
    .await?;
    println!("{db}, {} scanning clients", bench.concurrency);
    println!("bare route:            {bare:.0} req/s");
    println!(
        "scans one per request: {single_rate:.0} scans/s (p50 {}, p99 {}); ratio to bare {:.3}",
        ms(percentile(&single, 0.5)),
        ms(percentile(&single, 0.99)),
        single_rate / bare.max(1.0)
    );
    println!(
        "scans 20 per request:  {batched_rate:.0} scans/s (p50 {} per request, p99 {}); ratio to bare {:.3}",
        ms(percentile(&batched, 0.5)),
        ms(percentile(&batched, 0.99)),
        batched_rate / bare.max(1.0)
    );
    println!("goal: scans/s >= 0.3 of the bare route's req/s");

    let last_month = month_start.to_string();
    let biggest = carriers.first().context("a carrier")?.id;
    println!("{} requests each, one at a time", bench.requests);
    println!(
        "{:<72} {:>10} {:>10} {:>9}",
        "request", "p50", "p99", "bytes"
    );
    for path in [
        "/healthz".to_owned(),
        "/api/v1/logistics/consolidation".to_owned(),
        "/centre/logistics".to_owned(),
        format!("/api/v1/logistics/settlements?month={last_month}"),
        format!("/centre/logistics/settlements?month={last_month}"),
        format!(
            "/logistics/statement.xlsx?depot={}&carrier={biggest}&month={last_month}",
            depot.id
        ),
    ] {
        let requests = if path.ends_with(&last_month) && path.contains(".xlsx") {
            3
        } else {
            bench.requests
        };
        let (p50, p99, bytes) = measure(&client, &server.base, &path, &token, requests).await?;
        println!("{path:<72} {:>10} {:>10} {bytes:>9}", ms(p50), ms(p99));
    }
    let _ = server.child.kill().await;
    if let Some(schema) = &schema {
        store.drop_schema_for_bench(schema).await?;
    }
    store.close().await?;
    Ok(())
}

/// Gaodu's depot with the demo's carriers and stations, today's manifests for `bench.scans`
/// parcels (their numbers), and last month's `bench.month` parcels with their events.
async fn stage(
    store: &farmgate_store::Store,
    bench: &ParcelsBench,
) -> Result<(
    farmgate_store::logistics::Depot,
    Vec<farmgate_store::logistics::Carrier>,
    Vec<String>,
    farmgate_domain::stations::till::LedgerMonth,
)> {
    let loaded = Instant::now();
    store.load_demo_network().await?;
    let now = chrono::Utc::now();
    store.load_demo_logistics(now, super::BENCH_HASH).await?;
    let zezhou = store.region_by_code("zezhou").await?;
    let depot = store
        .depots_within(&zezhou.path)
        .await?
        .into_iter()
        .next()
        .context("Gaodu's depot")?;
    let carriers: Vec<_> = store
        .agreements(depot.id)
        .await?
        .into_iter()
        .filter(|a| a.terms.is_some())
        .map(|a| a.carrier)
        .collect();
    let stations: Vec<i64> = store
        .stations_within(&zezhou.path)
        .await?
        .into_iter()
        .filter(|s| s.code.starts_with("zezhou-gaodu-"))
        .map(|s| s.id)
        .collect();
    let villages = store
        .region_children(store.region_by_code("zezhou-gaodu").await?.id)
        .await?;
    // The day's manifests: every parcel to be scanned, for a village with a station.
    let numbers: Vec<String> = (0..bench.scans)
        .map(|k| {
            farmgate_store::demo::logistics::demo_number(
                k % carriers.len(),
                5_000_000_000 + k as u64,
            )
        })
        .collect();
    for (c, carrier) in carriers.iter().enumerate() {
        let lines: Vec<Advice> = numbers
            .iter()
            .enumerate()
            .filter(|(k, _)| k % carriers.len() == c)
            .filter_map(|(k, n)| {
                Some(Advice {
                    number: TrackingNumber::parse(n).ok()?,
                    region_id: villages.get(k % villages.len().max(1)).map(|v| v.id),
                    receiver_name: None,
                    receiver_phone: None,
                    address: None,
                    weight_grams: Some(800),
                })
            })
            .collect();
        store.advise_parcels(&depot, carrier, &lines, now).await?;
    }
    let month_start = farmgate_domain::stations::till::LedgerMonth::of(
        farmgate_domain::stations::till::LedgerDay::of(now),
    )
    .previous();
    let bar = progress(bench.month as u64, "month");
    store
        .load_bench_parcels(
            &depot,
            &carriers,
            &stations,
            (month_start.first.bounds().0, 7_000_000_000, bench.month),
            &|done| bar.set_position(done),
        )
        .await?;
    bar.finish_and_clear();
    println!(
        "Gaodu: {} stations, {} carriers, {} parcels advised for today, {} parcels in {month_start} (loaded in {:.1} s)",
        stations.len(),
        carriers.len(),
        bench.scans,
        bench.month,
        loaded.elapsed().as_secs_f64()
    );
    Ok((depot, carriers, numbers, month_start))
}

/// Scans `numbers` in through `POST /api/v1/logistics/scans`, `per_request` at a time from
/// `concurrency` clients: each request's time, and scans per second overall.
async fn scan_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    numbers: &[String],
    per_request: usize,
    concurrency: usize,
) -> Result<(Vec<Duration>, f64)> {
    let batches: Arc<Vec<Vec<String>>> = Arc::new(
        numbers
            .chunks(per_request)
            .map(<[String]>::to_vec)
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, batches, next) = (client.clone(), batches.clone(), next.clone());
        let (url, token) = (format!("{base}/api/v1/logistics/scans"), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(batch) = batches.get(n) else { break };
                let scans: Vec<serde_json::Value> = batch
                    .iter()
                    .map(|number| serde_json::json!({"client_id": format!("bench-{number}"), "number": number}))
                    .collect();
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"scans": scans}))
                    .send()
                    .await?;
                if !response.status().is_success() {
                    bail!("scanning answered {}", response.status());
                }
                let answered: serde_json::Value = response.json().await?;
                let taken = answered["results"]
                    .as_array()
                    .map_or(0, |r| r.iter().filter(|r| r["outcome"] == "in").count());
                if taken != batch.len() {
                    bail!("{} of {} scans were taken in: {answered}", taken, batch.len());
                }
                times.push(sent.elapsed());
            }
            Ok::<_, anyhow::Error>(times)
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await??);
    }
    let rate = numbers.len() as f64 / started.elapsed().as_secs_f64();
    times.sort();
    Ok((times, rate))
}
