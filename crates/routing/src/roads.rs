//! A county's measured roads: named places with their coordinates and the metres by road
//! between pairs of them, imported as one CSV (`from,from_lat,from_lon,to,to_lat,to_lon,metres`)
//! and written back in the same layout so a table can be downloaded, corrected and imported
//! again. A problem's place takes a measured leg when both of its ends lie within a few
//! hundred metres of places of the table (a job at a community's gate is at the community);
//! every other leg stays great-circle times the detour. A leg given one way only is taken to
//! be the same both ways.

use std::collections::HashMap;

use crate::GeoPoint;

/// How far a problem's place may lie from a place of the table and still be it.
pub const SNAP_METRES: f64 = 300.0;

/// At most this many legs in one table (a county's villages and communities, every pair).
pub const MAX_LEGS: usize = 40_000;

/// Roads longer than this are a typing mistake (metres; the county is not that wide).
const MAX_METRES: f64 = 500_000.0;

/// A place of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadPlace {
    pub name: String,
    pub point: GeoPoint,
}

/// One measured road: places by their index in [`Roads::places`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoadLeg {
    pub from: usize,
    pub to: usize,
    pub metres: f64,
}

/// What is wrong with a road table, and on which line (the header is line 1).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {fault:?}")]
pub struct RoadsError {
    pub line: usize,
    pub fault: RoadsFault,
}

/// The kinds of mistake a road table can hold; each has its message in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoadsFault {
    /// Not CSV, or a column is missing from the header.
    Header,
    /// A row with too few cells or an empty place name.
    Row,
    /// Coordinates that are not a point on the earth.
    Coordinates,
    /// Metres that are not a number from 0 to 500 km.
    Metres,
    /// One name given two places far apart.
    PlaceMoved,
    /// The same road given twice with different metres.
    Twice,
    /// No legs at all, or more than [`MAX_LEGS`].
    Size,
}

impl RoadsFault {
    /// The catalogue id of this mistake's message.
    pub fn code(self) -> &'static str {
        match self {
            RoadsFault::Header => "fleet-roads-header",
            RoadsFault::Row => "fleet-roads-row",
            RoadsFault::Coordinates => "fleet-roads-coordinates",
            RoadsFault::Metres => "fleet-roads-metres",
            RoadsFault::PlaceMoved => "fleet-roads-place-moved",
            RoadsFault::Twice => "fleet-roads-twice",
            RoadsFault::Size => "fleet-roads-size",
        }
    }
}

const COLUMNS: [&str; 7] = [
    "from", "from_lat", "from_lon", "to", "to_lat", "to_lon", "metres",
];

/// A county's measured roads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roads {
    pub places: Vec<RoadPlace>,
    pub legs: Vec<RoadLeg>,
}

fn fault(line: usize, fault: RoadsFault) -> RoadsError {
    RoadsError { line, fault }
}

impl Roads {
    /// Reads a table, refusing it whole at its first mistake.
    pub fn from_csv(text: &str) -> Result<Roads, RoadsError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader
            .headers()
            .map_err(|_| fault(1, RoadsFault::Header))?
            .clone();
        let mut at = [0usize; 7];
        for (k, name) in COLUMNS.iter().enumerate() {
            at[k] = headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or(fault(1, RoadsFault::Header))?;
        }
        let mut roads = Roads::default();
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut measured: HashMap<(usize, usize), f64> = HashMap::new();
        for (k, row) in reader.records().enumerate() {
            let line = k + 2;
            let row = row.map_err(|_| fault(line, RoadsFault::Row))?;
            if row.iter().all(str::is_empty) {
                continue;
            }
            let cell = |c: usize| row.get(at[c]).unwrap_or_default();
            let from = roads.place(&mut names, (cell(0), cell(1), cell(2)), line)?;
            let to = roads.place(&mut names, (cell(3), cell(4), cell(5)), line)?;
            let metres: f64 = cell(6)
                .parse()
                .ok()
                .filter(|m: &f64| m.is_finite() && (0.0..=MAX_METRES).contains(m))
                .ok_or(fault(line, RoadsFault::Metres))?;
            if from == to {
                continue;
            }
            match measured.insert((from, to), metres) {
                Some(before) if (before - metres).abs() > 0.5 => {
                    return Err(fault(line, RoadsFault::Twice));
                }
                Some(_) => continue,
                None => roads.legs.push(RoadLeg { from, to, metres }),
            }
            if roads.legs.len() > MAX_LEGS {
                return Err(fault(line, RoadsFault::Size));
            }
        }
        if roads.legs.is_empty() {
            return Err(fault(1, RoadsFault::Size));
        }
        Ok(roads)
    }

    /// The place a row names, added the first time its name is seen.
    fn place(
        &mut self,
        names: &mut HashMap<String, usize>,
        (name, lat, lon): (&str, &str, &str),
        line: usize,
    ) -> Result<usize, RoadsError> {
        if name.is_empty() || name.chars().count() > 96 {
            return Err(fault(line, RoadsFault::Row));
        }
        let number = |text: &str, limit: f64| {
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.abs() <= limit)
        };
        let (Some(lat), Some(lon)) = (number(lat, 90.0), number(lon, 180.0)) else {
            return Err(fault(line, RoadsFault::Coordinates));
        };
        let point = GeoPoint::new(lat, lon);
        if let Some(&known) = names.get(name) {
            if self.places[known].point.metres_to(point) > SNAP_METRES {
                return Err(fault(line, RoadsFault::PlaceMoved));
            }
            return Ok(known);
        }
        self.places.push(RoadPlace {
            name: name.to_owned(),
            point,
        });
        names.insert(name.to_owned(), self.places.len() - 1);
        Ok(self.places.len() - 1)
    }

    /// The table in the layout [`Roads::from_csv`] reads.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut write = |row: &[String]| writer.write_record(row).is_ok();
        let mut ok = write(&COLUMNS.map(str::to_owned));
        for leg in &self.legs {
            let (a, b) = (&self.places[leg.from], &self.places[leg.to]);
            ok &= write(&[
                a.name.clone(),
                a.point.lat.to_string(),
                a.point.lon.to_string(),
                b.name.clone(),
                b.point.lat.to_string(),
                b.point.lon.to_string(),
                leg.metres.to_string(),
            ]);
        }
        debug_assert!(ok, "writing CSV to memory cannot fail");
        String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// The place of the table that `point` is, if one lies within [`SNAP_METRES`]: the
    /// nearest, with how far off it is.
    pub fn nearest(&self, point: GeoPoint) -> Option<(usize, f64)> {
        self.places
            .iter()
            .enumerate()
            .map(|(k, p)| (k, p.point.metres_to(point)))
            .filter(|(_, d)| *d <= SNAP_METRES)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Metres by road from place `from` to place `to`, either way round if measured one way.
    pub fn metres(&self) -> HashMap<(usize, usize), f64> {
        let mut both = HashMap::with_capacity(self.legs.len() * 2);
        for leg in &self.legs {
            both.entry((leg.to, leg.from)).or_insert(leg.metres);
        }
        for leg in &self.legs {
            both.insert((leg.from, leg.to), leg.metres);
        }
        both
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "from,from_lat,from_lon,to,to_lat,to_lon,metres\n";

    fn read(rows: &str) -> Result<Roads, RoadsError> {
        Roads::from_csv(&format!("{HEAD}{rows}"))
    }

    #[test]
    fn a_table_reads_its_places_once_and_writes_itself_back() {
        let roads = read(
            "中心,41.7259,86.1746,梨香社区,41.7262,86.1698,900\n\
             梨香社区,41.7262,86.1698,中心,41.7259,86.1746,950\n\
             中心,41.7259,86.1746,赛巴格村,41.79,86.08,11000\n\n",
        )
        .unwrap();
        assert_eq!(roads.places.len(), 3);
        assert_eq!(roads.legs.len(), 3);
        let metres = roads.metres();
        assert_eq!(metres[&(0, 1)], 900.0);
        assert_eq!(metres[&(1, 0)], 950.0, "the way back was measured too");
        assert_eq!(metres[&(2, 0)], 11000.0, "one way is both ways");
        assert_eq!(Roads::from_csv(&roads.to_csv()).unwrap(), roads);
        assert_eq!(
            roads.nearest(GeoPoint::new(41.7263, 86.1698)).map(|n| n.0),
            Some(1)
        );
        assert_eq!(roads.nearest(GeoPoint::new(41.0, 86.0)), None);
    }

    #[test]
    fn each_mistake_is_named_with_its_line() {
        let bad = |rows: &str| read(rows).unwrap_err();
        assert_eq!(
            Roads::from_csv("from,to,metres\na,b,1\n").unwrap_err(),
            fault(1, RoadsFault::Header)
        );
        assert_eq!(bad(""), fault(1, RoadsFault::Size));
        assert_eq!(
            bad("a,41,86,b,41.1,86,1000\n,41,86,b,41.1,86,1\n"),
            fault(3, RoadsFault::Row)
        );
        assert_eq!(
            bad("a,91,86,b,41,86,1\n"),
            fault(2, RoadsFault::Coordinates)
        );
        assert_eq!(bad("a,41,86,b,41.1,86,far\n"), fault(2, RoadsFault::Metres));
        assert_eq!(bad("a,41,86,b,41.1,86,-5\n"), fault(2, RoadsFault::Metres));
        assert_eq!(
            bad("a,41,86,b,41.1,86,1000\na,41.2,86,c,41.1,86.1,1000\n"),
            fault(3, RoadsFault::PlaceMoved)
        );
        assert_eq!(
            bad("a,41,86,b,41.1,86,1000\na,41,86,b,41.1,86,2000\n"),
            fault(3, RoadsFault::Twice)
        );
    }
}
