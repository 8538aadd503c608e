//! `farmgate bench stations`: a county of 400 stations and 100,000 express parcels a month
//! (their fees, cash and closed days), served by a real `farmgate serve` on a fresh database:
//! the county's health page (list, map and flags) and the month's ledger export, p50/p99 next
//! to the same server's bare route; and the size of an operator's day and parcels pages.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use farmgate_domain::accounts::LoginId;

use super::live::postgres_url;
use super::{measure, ms, open, progress, start_server};

/// Settings of `farmgate bench stations`.
pub struct StationsBench {
    pub stations: usize,
    pub parcels: usize,
    pub requests: usize,
    pub postgres: Option<String>,
}

pub async fn stations(bench: StationsBench) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (store, schema) = open(bench.postgres.as_deref(), &dir).await?;
    super::seed_places(&store).await?;
    let bar = progress(bench.stations as u64, "stations");
    let loaded = Instant::now();
    let ids = store
        .load_bench_network("tekes", bench.stations, bench.parcels, &|done| {
            bar.set_position(done)
        })
        .await?;
    bar.finish_and_clear();
    println!(
        "Tekes: {} stations, {} parcels over 30 days with their cash and closed days (loaded in {:.1} s)",
        ids.len(),
        bench.parcels,
        loaded.elapsed().as_secs_f64()
    );
    let login = |name: &str| LoginId::parse(name).map_err(|e| anyhow::anyhow!("{e}"));
    let centre = store
        .account_by_login(&login("tekes-centre")?)
        .await?
        .context("the demo centre account")?;
    let centre_token = store.issue_api_token(centre.id).await?;
    // The first bench station's day and parcels pages, as an administrator (who may work any
    // station's desk) reads them.
    let admin = store
        .account_by_login(&login("admin")?)
        .await?
        .context("the demo administrator")?;
    let first = *ids.first().context("no station")?;
    let operator_token = store.issue_api_token(admin.id).await?;
    let url = postgres_url(bench.postgres.as_deref(), schema.as_deref(), &dir);
    let mut server = start_server(&url, dir.path()).await?;
    let client = reqwest::Client::new();
    let db = if schema.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    // The month holding most of the generated thirty days.
    let month = (chrono::Utc::now() - chrono::Duration::days(15))
        .format("%Y-%m")
        .to_string();
    println!("{} requests each, one at a time, on {db}", bench.requests);
    println!("{:<44} {:>10} {:>10} {:>9}", "page", "p50", "p99", "bytes");
    let mut bare_p50 = Duration::ZERO;
    let pages = [
        ("/healthz".to_owned(), &centre_token, bench.requests),
        ("/centre/stations".to_owned(), &centre_token, bench.requests),
        (
            format!("/centre/ledger?month={month}"),
            &centre_token,
            bench.requests,
        ),
        (
            format!("/centre/ledger.xlsx?month={month}"),
            &centre_token,
            bench.requests,
        ),
        (format!("/station/day?station={first}"), &operator_token, 5),
        (
            format!("/station/parcels?station={first}"),
            &operator_token,
            5,
        ),
    ];
    for (path, token, requests) in pages {
        let (p50, p99, bytes) = measure(&client, &server.base, &path, token, requests).await?;
        if path == "/healthz" {
            bare_p50 = p50;
        }
        let ratio = if bare_p50.is_zero() {
            String::new()
        } else {
            format!("  {:.0}x bare", p50.as_secs_f64() / bare_p50.as_secs_f64())
        };
        println!(
            "{path:<44} {:>10} {:>10} {bytes:>9}{ratio}",
            ms(p50),
            ms(p99)
        );
    }
    println!("goal: the operator's day page under 50 KB (51,200 bytes)");
    let _ = server.child.kill().await;
    if let Some(schema) = &schema {
        store.drop_schema_for_bench(schema).await?;
    }
    store.close().await?;
    Ok(())
}
