//! Distances and travel times between a problem's places. By default they come from
//! coordinates: the great-circle distance times the county's detour factor (roads wind round
//! hills and fields), at each vehicle kind's speed. A county that has measured its roads
//! imports a CSV of metres instead.

use crate::roads::Roads;
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

    /// From coordinates as [`Matrix::from_points`] does, except that a leg whose two ends are
    /// places of `roads` (within [`crate::roads::SNAP_METRES`]) takes the measured metres, plus
    /// the little way from each end to its place. Also answers how many legs were measured.
    pub fn from_points_and_roads(
        points: &[GeoPoint],
        detour: f64,
        speeds: &[f64],
        roads: &Roads,
    ) -> Result<(Self, usize)> {
        let mut matrix = Self::from_points(points, detour, speeds)?;
        if roads.legs.is_empty() {
            return Ok((matrix, 0));
        }
        let snapped: Vec<Option<(usize, f64)>> = points.iter().map(|p| roads.nearest(*p)).collect();
        let metres = roads.metres();
        let size = points.len();
        let mut measured = 0;
        for (a, from) in snapped.iter().enumerate() {
            for (b, to) in snapped.iter().enumerate() {
                let (Some((pa, off_a)), Some((pb, off_b))) = (from, to) else {
                    continue;
                };
                let Some(road) = (a != b).then(|| metres.get(&(*pa, *pb))).flatten() else {
                    continue;
                };
                matrix.distances[a * size + b] = road + (off_a + off_b) * detour;
                measured += 1;
            }
        }
        let Matrix { distances, .. } = matrix;
        Ok((Self::from_distances(size, distances, speeds)?, measured))
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
    fn measured_roads_take_the_legs_whose_ends_they_know() {
        let csv = "from,from_lat,from_lon,to,to_lat,to_lon,metres\n\
                   centre,41.7259,86.1746,village,41.7600,86.1400,7000\n";
        let roads = Roads::from_csv(csv).unwrap();
        let (centre, village) = (
            GeoPoint::new(41.7259, 86.1746),
            GeoPoint::new(41.7600, 86.1400),
        );
        let gate = GeoPoint::new(41.7601, 86.1400);
        let elsewhere = GeoPoint::new(41.70, 86.20);
        let points = [centre, gate, elsewhere];
        let (m, measured) = Matrix::from_points_and_roads(&points, 1.3, &[5.0], &roads).unwrap();
        assert_eq!(measured, 2, "centre to the gate and back");
        let off = village.metres_to(gate) * 1.3;
        assert!((m.distance(0, 1) - (7000.0 + off)).abs() < 1e-6);
        assert!(
            (m.distance(1, 0) - (7000.0 + off)).abs() < 1e-6,
            "one way is both ways"
        );
        assert!((m.duration(0, 1, 0) - m.distance(1, 0) / 5.0).abs() < 1e-9);
        assert!((m.distance(0, 2) - centre.metres_to(elsewhere) * 1.3).abs() < 1e-6);
        let (plain, none) =
            Matrix::from_points_and_roads(&points, 1.3, &[5.0], &Roads::default()).unwrap();
        assert_eq!(none, 0);
        assert_eq!(plain, Matrix::from_points(&points, 1.3, &[5.0]).unwrap());
    }

    #[test]
    fn bad_numbers_are_refused() {
        assert!(Matrix::from_distances(2, vec![0.0, 1.0, 1.0], &[1.0]).is_err());
        assert!(Matrix::from_distances(1, vec![0.0], &[0.0]).is_err());
        assert!(Matrix::from_distances(2, vec![0.0, -1.0, 1.0, 0.0], &[1.0]).is_err());
        assert!(Matrix::from_points(&[], 0.5, &[1.0]).is_err());
    }
}
