//! The county's stations on a map drawn from coordinates alone: an SVG of dots (the villages in
//! grey, each station coloured by its health), scaled to the county and corrected for latitude.
//! No tiles are fetched: rural links, and no CDN.

use chrono::{DateTime, Utc};
use farmgate_domain::regions::RegionLevel;
use farmgate_store::regions::Region;
use farmgate_store::stations::{Station, StationHealth};

use crate::i18n::Tr;

/// The drawing's size in its own units (the page scales it to the screen).
pub const WIDTH: f64 = 340.0;
pub const HEIGHT: f64 = 260.0;
const MARGIN: f64 = 14.0;

/// A dot on the map: a village (`class` "village") or a station (its health's class).
pub struct MapDot {
    pub x: String,
    pub y: String,
    pub r: u8,
    pub class: &'static str,
    pub title: String,
}

/// How the county reads a station, worst first: `overdue` (parcels waiting past its days),
/// `idle` (nothing for 14 days), `well`; `paused` when it is not open.
pub fn health_class(station: &Station, h: &StationHealth, now: DateTime<Utc>) -> &'static str {
    if !station.active {
        "paused"
    } else if h.overdue > 0 {
        "overdue"
    } else if h.idle(now) {
        "idle"
    } else {
        "well"
    }
}

/// Where `station` stands: its own coordinates, else its place's.
fn spot(station: &Station, regions: &[Region]) -> Option<(f64, f64)> {
    match (station.latitude, station.longitude) {
        (Some(lat), Some(lon)) => Some((lat, lon)),
        _ => regions
            .iter()
            .find(|r| r.id == station.region_id)
            .and_then(|r| r.latitude.zip(r.longitude)),
    }
}

/// The dots of `county`'s map: its villages, then its stations coloured as the list colours
/// them (paused, overdue, idle, well).
pub fn network_map(
    t: &Tr,
    regions: &[Region],
    county: &Region,
    stations: &[Station],
    health: &[StationHealth],
    now: DateTime<Utc>,
) -> Vec<MapDot> {
    let villages: Vec<(f64, f64, &Region)> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::Village && county.path.contains(&r.path))
        .filter_map(|r| r.latitude.zip(r.longitude).map(|(la, lo)| (la, lo, r)))
        .collect();
    let placed: Vec<(f64, f64, &Station, &StationHealth)> = stations
        .iter()
        .zip(health)
        .filter_map(|(s, h)| spot(s, regions).map(|(la, lo)| (la, lo, s, h)))
        .collect();
    let points = villages
        .iter()
        .map(|v| (v.0, v.1))
        .chain(placed.iter().map(|p| (p.0, p.1)));
    let Some(frame) = Frame::around(points) else {
        return Vec::new();
    };
    let mut dots: Vec<MapDot> = villages
        .iter()
        .map(|(lat, lon, village)| frame.dot(*lat, *lon, 3, "village", village.name(t.lang())))
        .collect();
    for (lat, lon, station, h) in placed {
        let class = health_class(station, h, now);
        dots.push(frame.dot(lat, lon, 7, class, station.name(t.lang())));
    }
    dots
}

/// A map's frame: the points' bounds, east-west shrunk by the cosine of the latitude so a
/// kilometre is as long across as it is up.
pub(crate) struct Frame {
    north: f64,
    west: f64,
    scale: f64,
    squeeze: f64,
}

impl Frame {
    pub(crate) fn around(points: impl Iterator<Item = (f64, f64)>) -> Option<Frame> {
        let (mut south, mut north, mut west, mut east) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
        let mut any = false;
        for (lat, lon) in points {
            any = true;
            south = south.min(lat);
            north = north.max(lat);
            west = west.min(lon);
            east = east.max(lon);
        }
        if !any {
            return None;
        }
        let squeeze = ((south + north) / 2.0).to_radians().cos().max(0.1);
        let wide = ((east - west) * squeeze).max(0.01);
        let tall = (north - south).max(0.01);
        let scale = ((WIDTH - 2.0 * MARGIN) / wide).min((HEIGHT - 2.0 * MARGIN) / tall);
        Some(Frame {
            north,
            west,
            scale,
            squeeze,
        })
    }

    /// Where (`lat`, `lon`) falls in the drawing.
    pub(crate) fn point(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            MARGIN + (lon - self.west) * self.squeeze * self.scale,
            MARGIN + (self.north - lat) * self.scale,
        )
    }

    fn dot(&self, lat: f64, lon: f64, r: u8, class: &'static str, title: &str) -> MapDot {
        let (x, y) = self.point(lat, lon);
        MapDot {
            x: format!("{x:.1}"),
            y: format!("{y:.1}"),
            r,
            class,
            title: title.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_keeps_every_point_inside_and_north_up() {
        let frame = Frame::around([(43.2, 81.8), (43.6, 82.4), (43.4, 82.0)].into_iter()).unwrap();
        let north = frame.dot(43.6, 82.4, 7, "well", "n");
        let south = frame.dot(43.2, 81.8, 7, "well", "s");
        let (nx, ny): (f64, f64) = (north.x.parse().unwrap(), north.y.parse().unwrap());
        let (sx, sy): (f64, f64) = (south.x.parse().unwrap(), south.y.parse().unwrap());
        assert!(ny < sy, "north is up");
        assert!(nx > sx, "east is right");
        for v in [nx, sx] {
            assert!((0.0..=WIDTH).contains(&v));
        }
        for v in [ny, sy] {
            assert!((0.0..=HEIGHT).contains(&v));
        }
        assert!(Frame::around(std::iter::empty()).is_none());
    }
}
