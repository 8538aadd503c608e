//! `--profile`: where an order's time goes on the server, read from the servers' `/metrics`
//! before and after the load (no profiler, nothing but the sums the intake and the order
//! routes keep): the intake's parts (`farmgate_intake_microseconds_total`), telling others
//! and building the answer (`farmgate_order_step_seconds`), and the route's whole time
//! (`http_request_duration_seconds`); what is left of the route's time is spent before the
//! intake (the token, the room, the buyer's defaults, the rate limit, reading the body).

use std::collections::HashMap;

use anyhow::{Context, Result};

/// The bearer token the benchmarks' servers answer `/metrics` to.
pub(crate) const METRICS_TOKEN: &str = "farmgate-bench-metrics";

/// Every series of the servers' `/metrics`, summed over the servers.
#[derive(Default)]
pub(crate) struct Scrape {
    series: HashMap<String, f64>,
}

impl Scrape {
    /// Reads `/metrics` of every server in `bases`.
    pub(crate) async fn of(client: &reqwest::Client, bases: &[String]) -> Result<Scrape> {
        let mut scrape = Scrape::default();
        for base in bases {
            let text = client
                .get(format!("{base}/metrics"))
                .bearer_auth(METRICS_TOKEN)
                .send()
                .await?
                .error_for_status()
                .context("the server's /metrics")?
                .text()
                .await?;
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                let Some((series, value)) = line.rsplit_once(' ') else {
                    continue;
                };
                if let Ok(value) = value.parse::<f64>() {
                    *scrape.series.entry(series.to_owned()).or_default() += value;
                }
            }
        }
        Ok(scrape)
    }

    /// The sum of the series named `name` whose labels contain every one of `labels`.
    fn sum(&self, name: &str, labels: &[&str]) -> f64 {
        self.series
            .iter()
            .filter(|(series, _)| {
                let (series_name, rest) = series.split_once('{').unwrap_or((series, ""));
                series_name == name && labels.iter().all(|l| rest.contains(l))
            })
            .map(|(_, value)| value)
            .sum()
    }
}

/// Prints the mean time per order request of each part, between two scrapes; `route` is the
/// order route's pattern (`/api/v1/live/{id}/buy`).
pub(crate) fn print(before: &Scrape, after: &Scrape, route: &str) {
    let delta = |name: &str, labels: &[&str]| after.sum(name, labels) - before.sum(name, labels);
    let route_label = format!("route=\"{route}\"");
    let requests = delta("http_request_duration_seconds_count", &[&route_label]);
    let in_route = delta("http_request_duration_seconds_sum", &[&route_label]);
    let placements = delta("farmgate_intake_placements_total", &[]);
    let batches = delta("farmgate_intake_batches_total", &[]);
    if requests < 1.0 || placements < 1.0 {
        println!("profile: no order requests were measured");
        return;
    }
    let per_request = |seconds: f64| seconds * 1000.0 / requests;
    let mut rows: Vec<(String, f64)> = Vec::new();
    let mut accounted = 0.0;
    for part in farmgate_store::orders::IntakePart::ALL.map(|part| part.name()) {
        let label = format!("part=\"{part}\"");
        let spent = delta("farmgate_intake_microseconds_total", &[&label]) / 1e6;
        // Each placement waited its batch's parts; a refusal before the intake waited none.
        let ms = spent * 1000.0 / placements * (placements / requests).min(1.0);
        accounted += ms;
        rows.push((format!("intake: {part}"), ms));
    }
    for step in ["tell", "answer"] {
        let label = format!("step=\"{step}\"");
        let ms = per_request(delta("farmgate_order_step_seconds_sum", &[&label]));
        accounted += ms;
        rows.push((format!("after: {step}"), ms));
    }
    let whole = per_request(in_route);
    println!(
        "profile (mean ms per order request on the server, {requests:.0} requests, {batches:.0} batches of {:.1} placements on average):",
        placements / batches.max(1.0)
    );
    println!(
        "  batches on the SQLite writer {:.0}, placed one by one {:.0}",
        delta("farmgate_intake_writer_batches_total", &[]),
        delta("farmgate_intake_careful_batches_total", &[])
    );
    println!("  {:<16} {whole:>8.2}", "in the route");
    println!(
        "  {:<16} {:>8.2}  (token, room, defaults, limits, body)",
        "before intake",
        (whole - accounted).max(0.0)
    );
    for (name, ms) in rows {
        println!("  {name:<16} {ms:>8.2}");
    }
}
