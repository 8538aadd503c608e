//! The farmgate binary as an operator meets it: help, migrate, seed, user add, backup, serve.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn farmgate(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_farmgate"))
        .args(args)
        .current_dir(data_dir)
        .env("FARMGATE_DATA_DIR", data_dir)
        .env_remove("FARMGATE_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
        vec!["seed", "demo", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["backup", "--help"],
    ] {
        let out = farmgate(dir.path(), &args);
        assert!(out.status.success(), "{args:?}");
        assert!(text(&out.stdout).contains("Usage"), "{args:?}");
    }
    assert!(
        !dir.path().join("farmgate.db").exists(),
        "help touches nothing"
    );
}

#[test]
fn an_operator_seeds_adds_a_trainer_and_backs_up() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = farmgate(dir.path(), &["seed", "demo"]);
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    assert!(
        text(&seeded.stdout)
            .contains("73 regions, 23 accounts, 11 stations, 7 shops and 25 products added"),
        "{}",
        text(&seeded.stdout)
    );
    assert!(
        text(&seeded.stdout).contains("20 tricycles added, 120 jobs for tomorrow morning"),
        "Korla's fleet and its morning"
    );
    // A year of the seed shops' orders, with refunds and reviews.
    let year = text(&seeded.stdout);
    let orders = year
        .split("32 buyers, ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    assert!(orders > 300, "a year of orders: {year}");
    let trained = text(&seeded.stdout);
    let trainees = trained
        .split("sessions, ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    assert!(trainees > 10_000, "more than 10,000 trainees: {trained}");
    // The operators' stations: two months of buying for villagers and closed days.
    assert!(
        trained.contains("purchases for villagers over two months"),
        "{trained}"
    );
    let again = farmgate(dir.path(), &["seed", "demo"]);
    assert!(
        text(&again.stdout)
            .contains("0 regions, 0 accounts, 0 stations, 0 shops and 0 products added")
    );
    let indexed = farmgate(dir.path(), &["reindex"]);
    assert!(indexed.status.success(), "{}", text(&indexed.stderr));
    // The demo shops' 25 products and one of each graduate's shop (how many graduates opened
    // a shop depends on how many camps fell in the last two years).
    let listed = text(&indexed.stdout);
    let count = listed
        .split("holds ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    assert!(count > 200, "{listed}");
    assert!(
        listed.contains(&format!("holds {count} listed products of {count}")),
        "{listed}"
    );
    assert!(dir.path().join("search").join("meta.json").exists());

    let added = farmgate(
        dir.path(),
        &[
            "user",
            "add",
            "--login",
            "guo.xuemei",
            "--role",
            "trainer",
            "--region",
            "tekes",
            "--name",
            "郭雪梅",
        ],
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let stdout = text(&added.stdout);
    assert!(
        stdout.contains("Created guo.xuemei with the password: "),
        "a generated password is printed once: {stdout}"
    );
    assert!(stdout.contains("trainer at Tekes County"));

    let bad_role = farmgate(
        dir.path(),
        &[
            "user", "add", "--login", "x-person", "--role", "king", "--region", "tekes",
        ],
    );
    assert!(!bad_role.status.success());
    assert!(
        text(&bad_role.stderr).contains("centre_staff"),
        "the roles are listed: {}",
        text(&bad_role.stderr)
    );
    let bad_region = farmgate(
        dir.path(),
        &[
            "user", "add", "--login", "x-person", "--role", "seller", "--region", "atlantis",
        ],
    );
    assert!(!bad_region.status.success());
    assert!(text(&bad_region.stderr).contains("no region with code \"atlantis\""));

    let backup = dir.path().join("copy.db");
    let backed_up = farmgate(dir.path(), &["backup", backup.to_str().unwrap()]);
    assert!(backed_up.status.success(), "{}", text(&backed_up.stderr));
    assert!(backup.metadata().unwrap().len() > 0);
    let twice = farmgate(dir.path(), &["backup", backup.to_str().unwrap()]);
    assert!(
        !twice.status.success(),
        "an existing file is never overwritten"
    );
}

#[tokio::test]
async fn a_database_from_a_newer_farmgate_is_refused_with_a_clear_message() {
    use sea_orm::ConnectionTrait;
    let dir = tempfile::tempdir().unwrap();
    assert!(farmgate(dir.path(), &["migrate"]).status.success());
    let url = format!("sqlite://{}", dir.path().join("farmgate.db").display());
    let store = farmgate_store::Store::connect(&url).await.unwrap();
    store
        .raw_for_tests()
        .execute_unprepared("INSERT INTO seaql_migrations (version, applied_at) VALUES ('m29990101_000001_future', 0)")
        .await
        .unwrap();
    store.close().await.unwrap();
    let refused = farmgate(dir.path(), &["serve"]);
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("newer version") && stderr.contains("m29990101_000001_future"),
        "{stderr}"
    );
}

#[test]
fn serve_refuses_test_money_on_a_public_address() {
    let dir = tempfile::tempdir().unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_farmgate"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("FARMGATE_DATA_DIR", dir.path())
        .env_remove("FARMGATE_DATABASE_URL")
        .env("FARMGATE_PUBLIC_URL", "https://farmgate.tekes.gov.cn")
        .env("FARMGATE_PAYMENT_PROVIDER", "sandbox")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("test payments") && stderr.contains("allow_test_payments = true"),
        "{stderr}"
    );
    // Listening for the whole network with the demo's sandbox needs to know its address.
    let unnamed = Command::new(env!("CARGO_BIN_EXE_farmgate"))
        .args(["serve", "--demo", "--bind", "0.0.0.0:0"])
        .current_dir(dir.path())
        .env("FARMGATE_DATA_DIR", dir.path())
        .env_remove("FARMGATE_DATABASE_URL")
        .env_remove("FARMGATE_PUBLIC_URL")
        .output()
        .unwrap();
    assert!(!unnamed.status.success());
    assert!(text(&unnamed.stderr).contains("needs public_url"));
}

#[tokio::test]
async fn serve_prints_the_url_and_the_demo_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_farmgate"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("FARMGATE_DATA_DIR", dir.path())
        .env_remove("FARMGATE_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    let mut printed = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.strip_prefix("FarmGate is running at ") {
            url = Some(rest.trim_end_matches('/').to_owned());
        }
        if line.contains("gaodu-courier") {
            break;
        }
    }
    let url = url.expect("the URL is printed");
    assert!(
        printed.contains("password: farmgate-demo") && printed.contains("tekes-centre"),
        "{printed}"
    );
    let home = reqwest::get(format!("{url}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("特克斯县"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(dir.path().join("farmgate.db").exists());
}

#[test]
fn the_checkout_benchmark_runs_and_reports_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = farmgate(
        dir.path(),
        &[
            "bench",
            "checkout",
            "--concurrency",
            "4",
            "--stock",
            "20",
            "--seconds",
            "1",
            "--catalogue",
            "1500",
            "--profile",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    for figure in [
        "bare route:",
        "orders/s",
        "accepted:",
        "ratio orders/s : bare req/s =",
        "oversold: 0",
        "lost: 0",
        "profile (mean ms per order request",
        "intake: commit",
        "after: answer",
    ] {
        assert!(stdout.contains(figure), "{figure} missing from:\n{stdout}");
    }
    assert!(
        stdout.contains("20 accepted"),
        "every unit sells, none twice:\n{stdout}"
    );
    let queries = stdout
        .lines()
        .find(|l| l.starts_with("queries per checkout:"))
        .unwrap_or_else(|| panic!("no queries figure in:\n{stdout}"));
    assert!(
        queries.contains("with 1000 products") && queries.contains("with 1500 products"),
        "{queries}"
    );
}

/// Two `farmgate serve` processes on one PostgreSQL sell a live room's walnuts; one of them
/// is killed with SIGKILL mid-burst and its buyers tap again (same keys) at the other. Every
/// acknowledged order is stored, no unit is sold twice, and the stock sells out.
#[test]
fn a_burst_on_two_postgres_instances_survives_one_killed_mid_burst() {
    let Ok(postgres) = std::env::var("FARMGATE_TEST_POSTGRES_URL") else {
        panic!("FARMGATE_TEST_POSTGRES_URL is needed: the test suite runs on PostgreSQL too");
    };
    let dir = tempfile::tempdir().unwrap();
    let out = farmgate(
        dir.path(),
        &[
            "bench",
            "live-burst",
            "--db",
            "postgres",
            "--postgres",
            &postgres,
            "--instances",
            "2",
            "--concurrency",
            "60",
            "--stock",
            "1500",
            "--seconds",
            "20",
            "--kill-after",
            "1",
            "--kill-one",
        ],
    );
    let stdout = text(&out.stdout);
    // The bench itself fails when an acknowledged order is missing or a unit sold twice.
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    for figure in [
        "killed instance 1 of 2 with SIGKILL",
        "oversold: 0",
        "lost: 0",
        "sold: 1500 of 1500",
    ] {
        assert!(stdout.contains(figure), "{figure} missing from:\n{stdout}");
    }
}

#[test]
fn the_search_benchmark_indexes_and_times_searches() {
    let dir = tempfile::tempdir().unwrap();
    let out = farmgate(
        dir.path(),
        &["bench", "search", "--products", "3000", "--searches", "50"],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("index: 3000 products"), "{stdout}");
    assert!(
        stdout.contains("search over 3000 products: p50"),
        "{stdout}"
    );
    let walnut = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("walnut"))
        .unwrap();
    assert!(!walnut.contains(" 0 matches"), "{walnut}");
}
