//! The problem as the county states it, and the plan it gets back.

use serde::{Deserialize, Serialize};

use crate::{Matrix, Result, RoutingError};

/// What a vehicle can carry or a job loads: grams and crates (a tricycle's box holds both
/// limits: 300 kg, or 12 crates of apricots, whichever comes first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Load {
    pub grams: u32,
    pub crates: u32,
}

impl Load {
    /// The most grams a load may state (the solver counts in 32-bit integers).
    pub const MAX_GRAMS: u32 = i32::MAX as u32;

    pub const fn new(grams: u32, crates: u32) -> Self {
        Load { grams, crates }
    }

    /// Whether this load fits in `capacity`, in both measures.
    pub fn fits_in(self, capacity: Load) -> bool {
        self.grams <= capacity.grams && self.crates <= capacity.crates
    }

    /// The sum, or `None` past the ceiling.
    pub fn checked_add(self, other: Load) -> Option<Load> {
        let grams = self.grams.checked_add(other.grams)?;
        (grams <= Self::MAX_GRAMS).then_some(())?;
        Some(Load {
            grams,
            crates: self.crates.checked_add(other.crates)?,
        })
    }

    /// What is left after `other` is taken off (never below nothing).
    pub fn saturating_sub(self, other: Load) -> Load {
        Load {
            grams: self.grams.saturating_sub(other.grams),
            crates: self.crates.saturating_sub(other.crates),
        }
    }
}

/// A span of the plan's day in seconds from its midnight: when a job's service may start, or
/// a vehicle's shift.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub start: f64,
    pub end: f64,
}

impl Window {
    pub const fn new(start: f64, end: f64) -> Self {
        Window { start, end }
    }

    /// Seconds from midnight of `hours:minutes`.
    pub fn at(hours: u32, minutes: u32) -> f64 {
        f64::from(hours * 3600 + minutes * 60)
    }
}

/// What a stop is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Picked up at its place and brought back to the depot: a household's crates of produce,
    /// a seller's parcel.
    Pickup,
    /// Loaded at the depot and left at its place.
    Delivery,
    /// Selling at its place: the goods are loaded at the depot, the service time is the
    /// selling, and what is not sold comes back (the plan counts it as left there).
    Sell,
}

/// One thing to do at one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    /// Its place: an index of the matrix.
    pub place: usize,
    pub load: Load,
    /// When its service may start (any one of them); none: any time of the vehicle's shift.
    pub windows: Vec<Window>,
    /// Seconds spent at the place.
    pub service: f64,
    /// The vehicle it must go with, when a dispatcher pinned it.
    pub pinned_to: Option<String>,
}

impl Job {
    /// A job of `kind` at `place` with no window, no service time and no pin.
    pub fn new(id: impl Into<String>, kind: JobKind, place: usize, load: Load) -> Self {
        Job {
            id: id.into(),
            kind,
            place,
            load,
            windows: Vec::new(),
            service: 0.0,
            pinned_to: None,
        }
    }

    /// Selling at `place` from `from` until `until` (seconds from midnight): the vehicle must be
    /// there by `from` plus `grace`, and stays until the selling is done.
    pub fn selling(
        id: impl Into<String>,
        place: usize,
        goods: Load,
        (from, until): (f64, f64),
        grace: f64,
    ) -> Self {
        Job {
            windows: vec![Window::new(from, from + grace)],
            service: (until - from).max(0.0),
            ..Job::new(id, JobKind::Sell, place, goods)
        }
    }
}

/// A vehicle of the fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    pub id: String,
    /// Its kind's travel times in the matrix (a tricycle is slower than a van).
    pub profile: usize,
    pub capacity: Load,
    /// The most metres it may ride in its shift (a battery's range); none: no limit.
    pub range: Option<f64>,
    pub shift: Window,
    /// Where it starts and ends: an index of the matrix.
    pub depot: usize,
}

/// A day's planning problem.
#[derive(Debug, Clone)]
pub struct Problem {
    pub vehicles: Vec<Vehicle>,
    pub jobs: Vec<Job>,
    pub matrix: Matrix,
}

impl Problem {
    /// Refuses what the solver could not read: places and profiles the matrix lacks, ids
    /// given twice, pins to no vehicle, numbers that are not finite, windows ending before they
    /// start, loads past the ceiling.
    pub fn validate(&self) -> Result<()> {
        // Vehicles and jobs are named apart: a vehicle and a job may share an id.
        for mut ids in [
            self.vehicles
                .iter()
                .map(|v| v.id.as_str())
                .collect::<Vec<_>>(),
            self.jobs.iter().map(|j| j.id.as_str()).collect(),
        ] {
            ids.sort_unstable();
            if let Some(twice) = ids.windows(2).find(|w| w[0] == w[1]) {
                return Err(RoutingError::DuplicateId(twice[0].to_owned()));
            }
        }
        let place = |p: usize| {
            (p < self.matrix.size())
                .then_some(())
                .ok_or(RoutingError::UnknownPlace(p))
        };
        for v in &self.vehicles {
            place(v.depot)?;
            if v.profile >= self.matrix.profiles() {
                return Err(out_of_range(&v.id, "profile"));
            }
            window(&v.id, v.shift)?;
            if v.capacity.grams > Load::MAX_GRAMS || v.capacity.crates > Load::MAX_GRAMS {
                return Err(out_of_range(&v.id, "capacity"));
            }
            if v.range.is_some_and(|r| !r.is_finite() || r < 0.0) {
                return Err(out_of_range(&v.id, "range"));
            }
        }
        for j in &self.jobs {
            place(j.place)?;
            for w in &j.windows {
                window(&j.id, *w)?;
            }
            if !j.service.is_finite() || j.service < 0.0 {
                return Err(out_of_range(&j.id, "service"));
            }
            if j.load.grams > Load::MAX_GRAMS || j.load.crates > Load::MAX_GRAMS {
                return Err(out_of_range(&j.id, "load"));
            }
            if let Some(pin) = &j.pinned_to
                && !self.vehicles.iter().any(|v| &v.id == pin)
            {
                return Err(RoutingError::UnknownVehicle(j.id.clone()));
            }
        }
        Ok(())
    }

    /// A digest of everything that shapes the plan (vehicles, jobs, the matrix): equal
    /// problems have equal digests, so a plan kept under it is the plan of that problem.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        // Serialising plain data cannot fail; an empty string would still differ by matrix.
        let stated = serde_json::to_vec(&(&self.vehicles, &self.jobs)).unwrap_or_default();
        hash.update((stated.len() as u64).to_le_bytes());
        hash.update(&stated);
        hash.update((self.matrix.size() as u64).to_le_bytes());
        for d in self.matrix.distances() {
            hash.update(d.to_le_bytes());
        }
        for p in 0..self.matrix.profiles() {
            for t in self.matrix.durations(p) {
                hash.update(t.to_le_bytes());
            }
        }
        hex::encode(hash.finalize())
    }

    pub fn vehicle(&self, id: &str) -> Option<&Vehicle> {
        self.vehicles.iter().find(|v| v.id == id)
    }

    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }
}

fn out_of_range(id: &str, what: &str) -> RoutingError {
    RoutingError::OutOfRange(id.to_owned(), what.to_owned())
}

fn window(id: &str, w: Window) -> Result<()> {
    if w.start.is_finite() && w.end.is_finite() && w.start >= 0.0 && w.start <= w.end {
        Ok(())
    } else {
        Err(out_of_range(id, "window"))
    }
}

/// One stop of a run, timed from the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    pub job: String,
    pub place: usize,
    /// When the vehicle gets there, starts the job (after waiting for its window) and leaves.
    pub arrives: f64,
    pub starts: f64,
    pub leaves: f64,
    /// What the vehicle carries when it leaves.
    pub load_after: Load,
}

/// One vehicle's run: out of the depot, its stops in order, back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub vehicle: String,
    pub leaves: f64,
    pub returns: f64,
    /// Metres ridden.
    pub distance: f64,
    /// What it loads at the depot before it leaves.
    pub load_out: Load,
    pub stops: Vec<Stop>,
}

/// Why a job is not in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnfitReason {
    /// No vehicle has room for it.
    Capacity,
    /// No vehicle can be there in its window (or be back before its shift ends).
    TimeWindow,
    /// It lies beyond what a vehicle can ride.
    Range,
    /// The vehicle it is pinned to has no room or time left for it.
    Pin,
    /// A vehicle could take it alone, but every vehicle that could is full or busy: more
    /// vehicles (or longer shifts) would take it.
    Fleet,
    /// Nothing to plan with (no vehicles).
    Unknown,
}

impl UnfitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            UnfitReason::Capacity => "capacity",
            UnfitReason::TimeWindow => "time_window",
            UnfitReason::Range => "range",
            UnfitReason::Pin => "pin",
            UnfitReason::Fleet => "fleet",
            UnfitReason::Unknown => "unknown",
        }
    }
}

/// A job the plan leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfit {
    pub job: String,
    pub reason: UnfitReason,
}

/// The answer: runs (only vehicles that go out) and the jobs left out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Plan {
    pub runs: Vec<Run>,
    pub unfit: Vec<Unfit>,
}

impl Plan {
    /// Metres ridden by all runs.
    pub fn distance(&self) -> f64 {
        self.runs.iter().map(|r| r.distance).sum()
    }

    /// Vehicles that go out.
    pub fn vehicles(&self) -> usize {
        self.runs.len()
    }
}
