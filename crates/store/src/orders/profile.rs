//! Where the intake's time goes, without a profiler: each batch is timed part by part (the
//! wait in the queue, the batch's reads, deciding in memory, the writes, taking the stock,
//! the commit, the shops' texts) and the times are added up as each placement waited them,
//! so that the parts' sum per placement is what the intake added to a buyer's answer.
//! `/metrics` shows the sums and `farmgate bench live-burst --profile` divides them by the
//! placements.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How many parts a batch's time has.
const PARTS: usize = 8;

/// The parts of a batch's time, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// From a placement's arrival to the start of its batch.
    Wait,
    /// Beginning the batch's transaction (on SQLite, waiting for the write lock).
    Lock,
    /// Earlier orders under the batch's keys, variants, stations, shipping rules.
    Read,
    /// Deciding every placement in memory against the stock read.
    Decide,
    /// Writing orders, lines, events, stock movements, payments and notices.
    Write,
    /// Taking the stock: the conditional updates of the hot rows, last (decision 0034); on
    /// PostgreSQL this includes waiting for another batch or instance that holds them.
    Stock,
    /// The commit (on SQLite with `synchronous=FULL`, the flush to disk).
    Commit,
    /// Reading who of the shops wants a text message, after the commit.
    Texts,
}

impl Part {
    pub const ALL: [Part; PARTS] = [
        Part::Wait,
        Part::Lock,
        Part::Read,
        Part::Decide,
        Part::Write,
        Part::Stock,
        Part::Commit,
        Part::Texts,
    ];

    /// Its name on `/metrics` (`part="..."`).
    pub fn name(self) -> &'static str {
        match self {
            Part::Wait => "wait",
            Part::Lock => "lock",
            Part::Read => "read",
            Part::Decide => "decide",
            Part::Write => "write",
            Part::Stock => "stock",
            Part::Commit => "commit",
            Part::Texts => "texts",
        }
    }
}

/// What the intake has spent since it started: placements, batches, and per part the time
/// summed over placements (a batch's read of 2 ms for 100 placements adds 200 ms).
#[derive(Debug, Clone, Copy, Default)]
pub struct IntakeProfile {
    pub placements: u64,
    pub batches: u64,
    /// Of `batches`, those the SQLite writer committed whole (`writer.rs`).
    pub on_writer: u64,
    /// Of `batches`, those placed one by one after the set-based path found the stock changed
    /// or met another writer.
    pub careful: u64,
    pub spent: [Duration; PARTS],
}

impl IntakeProfile {
    pub fn spent_on(&self, part: Part) -> Duration {
        self.spent[part as usize]
    }
}

/// The running sums, shared by the intake task and whoever reads them.
/// The way a batch was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Path {
    /// Whole, on the SQLite writer.
    Writer,
    /// Whole, through sea-orm (PostgreSQL, or SQLite without its writer).
    Set,
    /// One placement at a time.
    Careful,
}

#[derive(Debug, Default)]
pub(super) struct Clock {
    placements: AtomicU64,
    batches: AtomicU64,
    on_writer: AtomicU64,
    careful: AtomicU64,
    nanos: [AtomicU64; PARTS],
}

impl Clock {
    /// Adds a finished batch of `size` placements that waited `waited` in all.
    pub(super) fn add(&self, size: usize, waited: Duration, laps: &Laps) {
        let size = size as u32;
        self.placements
            .fetch_add(u64::from(size), Ordering::Relaxed);
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.nanos[Part::Wait as usize].fetch_add(nanos(waited), Ordering::Relaxed);
        for part in &Part::ALL[1..] {
            let spent = laps.spent[*part as usize].saturating_mul(size);
            self.nanos[*part as usize].fetch_add(nanos(spent), Ordering::Relaxed);
        }
    }

    /// Counts a batch by the path that placed it.
    pub(super) fn placed_by(&self, path: Path) {
        let counter = match path {
            Path::Writer => &self.on_writer,
            Path::Careful => &self.careful,
            Path::Set => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn read(&self) -> IntakeProfile {
        let mut spent = [Duration::ZERO; PARTS];
        for (slot, sum) in spent.iter_mut().zip(&self.nanos) {
            *slot = Duration::from_nanos(sum.load(Ordering::Relaxed));
        }
        IntakeProfile {
            placements: self.placements.load(Ordering::Relaxed),
            batches: self.batches.load(Ordering::Relaxed),
            on_writer: self.on_writer.load(Ordering::Relaxed),
            careful: self.careful.load(Ordering::Relaxed),
            spent,
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// A stopwatch over one batch: each `lap` gives the time since the last one to a part.
pub(super) struct Laps {
    last: Instant,
    spent: [Duration; PARTS],
}

impl Laps {
    pub(super) fn start() -> Laps {
        Laps {
            last: Instant::now(),
            spent: [Duration::ZERO; PARTS],
        }
    }

    pub(super) fn lap(&mut self, part: Part) {
        let now = Instant::now();
        self.spent[part as usize] += now - self.last;
        self.last = now;
    }
}
