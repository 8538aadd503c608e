//! Distances and travel times between a problem's places. By default they come from
//! coordinates: the great-circle distance times the county's detour factor (roads wind round
//! hills and fields), at each vehicle kind's speed. A county that has measured its roads
//! imports a CSV of metres instead.

use crate::{Result, RoutingError};

/// A point on the earth in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

const EARTH_RADIUS_M: f64 = 6_371_000.0;

impl GeoPoint {
    pub const fn new(lat: f64, lon: f64) -> Self {
        GeoPoint { lat, lon }
    }

    /// The great-circle distance to `other` in metres (haversine).
    pub fn metres_to(self, other: GeoPoint) -> f64 {
        let (la1, la2) = (self.lat.to_radians(), other.lat.to_radians());
        let dla = la2 - la1;
        let dlo = (other.lon - self.lon).to_radians();
        let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
    }
}

/// Distances (metres, or the instance's units) and, per vehicle kind (a profile), travel
/// times (seconds) between every two places, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    size: usize,
    distances: Vec<f64>,
    durations: Vec<Vec<f64>>,
}

impl Matrix {
    /// From a table of `size` x `size` distances, row by row, with one speed (distance per
    /// second) for each vehicle kind.
    pub fn from_distances(size: usize, distances: Vec<f64>, speeds: &[f64]) -> Result<Self> {
        if distances.len() != size * size {
            return Err(RoutingError::Matrix(format!(
                "{} distances for {size} places",
                distances.len()
            )));
        }
        if let Some(bad) = distances.iter().find(|d| !d.is_finite() || **d < 0.0) {
            return Err(RoutingError::Matrix(format!("distance {bad}")));
        }
        if speeds.is_empty() || speeds.iter().any(|s| !s.is_finite() || *s <= 0.0) {
            return Err(RoutingError::Matrix("speeds must be above zero".to_owned()));
        }
        let durations = speeds
            .iter()
            .map(|speed| distances.iter().map(|d| d / speed).collect())
            .collect();
        Ok(Matrix {
            size,
            distances,
            durations,
        })
    }

    /// From coordinates: great-circle metres times `detour` (at least 1), at `speeds` in
    /// metres a second per vehicle kind.
    pub fn from_points(points: &[GeoPoint], detour: f64, speeds: &[f64]) -> Result<Self> {
        if !detour.is_finite() || detour < 1.0 {
            return Err(RoutingError::Matrix(format!("detour factor {detour}")));
        }
        let distances = points
            .iter()
            .flat_map(|a| points.iter().map(move |b| a.metres_to(*b) * detour))
            .collect();
        Self::from_distances(points.len(), distances, speeds)
    }

    /// From plane coordinates, straight lines not rounded (the Solomon instances' measure).
    pub fn euclidean(points: &[(f64, f64)], speeds: &[f64]) -> Result<Self> {
        let distances = points
            .iter()
            .flat_map(|a| points.iter().map(move |b| (a.0 - b.0).hypot(a.1 - b.1)))
            .collect();
        Self::from_distances(points.len(), distances, speeds)
    }

    /// From a CSV of measured roads: a header `from,to,metres`, then one row per ordered pair
    /// of the places named by `codes` (the matrix's order). A pair given one way only is taken
    /// to be the same both ways; a missing pair is refused, naming it.
    pub fn from_csv(text: &str, codes: &[&str], speeds: &[f64]) -> Result<Self> {
        let size = codes.len();
        let index = |code: &str| codes.iter().position(|c| *c == code.trim());
        let mut distances = vec![f64::NAN; size * size];
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| RoutingError::Matrix(e.to_string()))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| RoutingError::Matrix(format!("no column {name}")))
        };
        let (from, to, metres) = (column("from")?, column("to")?, column("metres")?);
        for (line, row) in reader.records().enumerate() {
            let row = row.map_err(|e| RoutingError::Matrix(e.to_string()))?;
            let place = |at: usize| {
                let code = row.get(at).unwrap_or_default();
                index(code).ok_or_else(|| {
                    RoutingError::Matrix(format!("line {}: unknown place {code}", line + 2))
                })
            };
            let (a, b) = (place(from)?, place(to)?);
            let m: f64 = row
                .get(metres)
                .unwrap_or_default()
                .parse()
                .map_err(|_| RoutingError::Matrix(format!("line {}: metres", line + 2)))?;
            distances[a * size + b] = m;
            if distances[b * size + a].is_nan() {
                distances[b * size + a] = m;
            }
        }
        for a in 0..size {
            distances[a * size + a] = 0.0;
        }
        if let Some(gap) = distances.iter().position(|d| d.is_nan()) {
            return Err(RoutingError::Matrix(format!(
                "no distance from {} to {}",
                codes[gap / size],
                codes[gap % size]
            )));
        }
        Self::from_distances(size, distances, speeds)
    }

    /// How many places.
    pub fn size(&self) -> usize {
        self.size
    }

    /// How many vehicle kinds.
    pub fn profiles(&self) -> usize {
        self.durations.len()
    }

    pub fn distance(&self, from: usize, to: usize) -> f64 {
        self.distances[from * self.size + to]
    }

    pub fn duration(&self, profile: usize, from: usize, to: usize) -> f64 {
        self.durations[profile][from * self.size + to]
    }

    pub(crate) fn distances(&self) -> &[f64] {
        &self.distances
    }

    pub(crate) fn durations(&self, profile: usize) -> &[f64] {
        &self.durations[profile]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korla_to_qiaerbag_is_a_few_kilometres_and_roads_wind() {
        let korla = GeoPoint::new(41.7259, 86.1746);
        let village = GeoPoint::new(41.7600, 86.1400);
        let straight = korla.metres_to(village);
        assert!((4_000.0..5_500.0).contains(&straight), "{straight}");
        let m = Matrix::from_points(&[korla, village], 1.3, &[5.0, 10.0]).unwrap();
        assert!((m.distance(0, 1) - straight * 1.3).abs() < 1e-6);
        assert!((m.duration(0, 0, 1) - 2.0 * m.duration(1, 0, 1)).abs() < 1e-6);
        assert_eq!(m.distance(1, 1), 0.0);
    }

    #[test]
    fn a_csv_of_roads_fills_both_ways_and_names_a_gap() {
        let codes = ["centre", "a", "b"];
        let full = "from,to,metres\ncentre,a,1200\ncentre,b,2500\na,b,1800\nb,a,1700\n";
        let m = Matrix::from_csv(full, &codes, &[4.0]).unwrap();
        assert_eq!(m.distance(1, 0), 1200.0);
        assert_eq!(m.distance(2, 1), 1700.0);
        assert_eq!(m.duration(0, 0, 2), 625.0);
        let gap = Matrix::from_csv("from,to,metres\ncentre,a,1200\n", &codes, &[4.0]);
        assert_eq!(
            gap,
            Err(RoutingError::Matrix("no distance from centre to b".into()))
        );
        let unknown = Matrix::from_csv("from,to,metres\ncentre,z,1\n", &codes, &[4.0]);
        assert!(matches!(unknown, Err(RoutingError::Matrix(m)) if m.contains("unknown place z")));
    }

    #[test]
    fn bad_numbers_are_refused() {
        assert!(Matrix::from_distances(2, vec![0.0, 1.0, 1.0], &[1.0]).is_err());
        assert!(Matrix::from_distances(1, vec![0.0], &[0.0]).is_err());
        assert!(Matrix::from_distances(2, vec![0.0, -1.0, 1.0, 0.0], &[1.0]).is_err());
        assert!(Matrix::from_points(&[], 0.5, &[1.0]).is_err());
    }
}
