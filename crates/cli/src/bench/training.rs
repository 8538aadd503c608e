//! `farmgate bench training-pages`: how fast the centre's funnel and attendance pages render
//! with the demo's two years of training (more than 10,000 trainees in Tekes), served by a
//! real `farmgate serve` on a fresh database, against the same server's bare route.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use farmgate_domain::accounts::LoginId;

use super::live::postgres_url;
use super::{ms, open, percentile, progress, start_server};

/// Settings of `farmgate bench training-pages`.
pub struct TrainingPages {
    pub requests: usize,
    pub postgres: Option<String>,
}

pub async fn training_pages(bench: TrainingPages) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (store, schema) = open(bench.postgres.as_deref(), &dir).await?;
    super::seed_places(&store).await?;
    store.load_demo_catalog().await?;
    let bar = progress(1, "training");
    let loaded = Instant::now();
    let report = store
        .load_demo_training(
            super::BENCH_HASH,
            &std::collections::HashMap::new(),
            &|done, total| {
                bar.set_length(total);
                bar.set_position(done);
            },
        )
        .await?;
    bar.finish_and_clear();
    println!(
        "demo training: {} trainees, {} sessions, {} certificates, {} graduates' shops (loaded in {:.1} s)",
        report.trainees,
        report.sessions,
        report.certificates,
        report.shops,
        loaded.elapsed().as_secs_f64()
    );
    let centre = store
        .account_by_login(&LoginId::parse("tekes-centre").map_err(|e| anyhow::anyhow!("{e}"))?)
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
    println!("{} requests each, one at a time, on {db}", bench.requests);
    println!("{:<36} {:>10} {:>10} {:>9}", "page", "p50", "p99", "bytes");
    let mut bare_p50 = Duration::ZERO;
    let mut worst = Duration::ZERO;
    for (path, measured) in [
        ("/healthz", false),
        ("/training", false),
        ("/centre/training", true),
        ("/centre/training/attendance", true),
    ] {
        let mut times = Vec::with_capacity(bench.requests);
        let mut bytes = 0;
        // One unmeasured request first: the server's first answer warms its caches.
        for n in 0..=bench.requests {
            let started = Instant::now();
            let response = client
                .get(format!("{}{path}", server.base))
                .bearer_auth(&token)
                .send()
                .await?;
            if !response.status().is_success() {
                bail!("{path} answered {}", response.status());
            }
            bytes = response.bytes().await?.len();
            if n > 0 {
                times.push(started.elapsed());
            }
        }
        times.sort();
        let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
        if path == "/healthz" {
            bare_p50 = p50;
        }
        if measured {
            worst = worst.max(p99);
        }
        println!("{path:<36} {:>10} {:>10} {bytes:>9}", ms(p50), ms(p99));
    }
    println!(
        "slowest training page p99: {} (bare route p50 {}); goal 200 ms",
        ms(worst),
        ms(bare_p50)
    );
    let _ = server.child.kill().await;
    if let Some(schema) = &schema {
        store.drop_schema_for_bench(schema).await?;
    }
    store.close().await?;
    Ok(())
}
