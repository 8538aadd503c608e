//! Charts and QR codes drawn on the server as SVG (charts_rs): officials would rather look than read, and
//! the page stays light (no script, no CDN).

use charts_rs::{BarChart, HorizontalBarChart, Series, SeriesCategory};
use qrcode::QrCode;
use qrcode::render::svg;

/// Standing bars, one series per colour, each bar with its number above it (up to twelve
/// bars a series); 360 px wide.
pub fn bar_chart(series: Vec<(String, Vec<f32>)>, labels: Vec<String>, colours: &[&str]) -> String {
    let highest = series
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .fold(0.0_f32, f32::max);
    // A number over every bar while they are few; a month's days would crowd them.
    let numbered = labels.len() <= 12;
    let mut chart = BarChart::new(
        series
            .into_iter()
            .map(|(name, values)| {
                let mut s = Series::new(name, values);
                s.label_show = numbered;
                s
            })
            .collect(),
        labels,
    );
    chart.width = 360.0;
    chart.height = 240.0;
    chart.font_family = "sans-serif".to_owned();
    chart.legend.show = Some(false);
    // Room above the tallest bar for its number.
    if let Some(axis) = chart.y_axis_configs.first_mut() {
        axis.max = Some((highest * 1.15).max(1.0));
    }
    chart.series.colors = colours.iter().map(|c| charts_rs::Color::from(*c)).collect();
    chart.svg().unwrap_or_else(|err| {
        tracing::warn!(error = %err, "could not draw a chart");
        String::new()
    })
}

/// Standing bars (`bars`) with a line over them (`line`: a goal, a threshold), one value of
/// each per label; numbers over the bars while they are few. 360 px wide.
pub fn bars_and_line(
    bars: (String, Vec<f32>),
    line: (String, Vec<f32>),
    labels: Vec<String>,
    colours: [&str; 2],
) -> String {
    let highest = bars
        .1
        .iter()
        .chain(line.1.iter())
        .copied()
        .fold(0.0_f32, f32::max);
    let mut standing = Series::new(bars.0, bars.1);
    standing.label_show = labels.len() <= 6;
    let mut over = Series::new(line.0, line.1);
    over.category = Some(SeriesCategory::Line);
    let mut chart = BarChart::new(vec![standing, over], labels);
    chart.width = 360.0;
    chart.height = 240.0;
    chart.font_family = "sans-serif".to_owned();
    chart.legend.show = Some(false);
    if let Some(axis) = chart.y_axis_configs.first_mut() {
        axis.max = Some((highest * 1.15).max(1.0));
    }
    chart.series.colors = colours.iter().map(|c| charts_rs::Color::from(*c)).collect();
    chart.svg().unwrap_or_else(|err| {
        tracing::warn!(error = %err, "could not draw a chart with a line");
        String::new()
    })
}

/// Bars lying down, one row per label, read top-down with each number past its bar: every
/// label keeps its own line in any language (standing bars thin out long Uyghur names). The
/// chart grows with its rows.
pub fn lying_bar_chart(name: String, counts: &[i64], labels: Vec<String>, colour: &str) -> String {
    let highest = counts.iter().copied().max().unwrap_or(0) as f32;
    let mut series = Series::new(name, counts.iter().map(|n| *n as f32).collect());
    series.label_show = true;
    // The chart draws categories bottom-up; the list reads top-down.
    series.data.reverse();
    let mut labels = labels;
    labels.reverse();
    let rows = labels.len() as f32;
    let mut chart = HorizontalBarChart::new(vec![series], labels);
    chart.width = 360.0;
    chart.height = (rows * 24.0 + 60.0).max(260.0);
    chart.font_family = "sans-serif".to_owned();
    chart.legend.show = Some(false);
    // Room past the longest bar for its number.
    if let Some(axis) = chart.y_axis_configs.first_mut() {
        axis.max = Some((highest * 1.25).max(1.0));
    }
    chart.series.colors = vec![charts_rs::Color::from(colour)];
    chart.svg().unwrap_or_else(|err| {
        tracing::warn!(error = %err, "could not draw a lying bar chart");
        String::new()
    })
}

/// `text` as an SVG QR code (inline in the page: no script, no image request).
pub fn qr_svg(text: &str) -> String {
    match QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build();
            // Inline SVG takes no XML declaration.
            match svg.find("<svg") {
                Some(start) => svg[start..].to_owned(),
                None => svg,
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, "could not draw a QR code");
            String::new()
        }
    }
}

/// `text` as an SVG Code 128 barcode (character set B: letters and digits as printed on a
/// waybill), with quiet zones, drawn as one path of bars that scale to the label's width.
pub fn code128_svg(text: &str) -> String {
    use barcoders::sym::code128::Code128;
    // Waybill numbers are letters and digits; anything else is not drawn (nor put in markup).
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return String::new();
    }
    let modules = match Code128::new(format!("\u{0181}{text}")) {
        Ok(code) => code.encode(),
        Err(err) => {
            tracing::warn!(error = %err, "could not draw a barcode");
            return String::new();
        }
    };
    const QUIET: usize = 10;
    let mut path = String::new();
    let mut x = 0;
    while x < modules.len() {
        if modules[x] == 1 {
            let run = modules[x..].iter().take_while(|m| **m == 1).count();
            path.push_str(&format!("M{} 0h{run}v40h-{run}z", x + QUIET));
            x += run;
        } else {
            x += 1;
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} 40" preserveAspectRatio="none" shape-rendering="crispEdges" aria-hidden="true"><rect width="100%" height="100%" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##,
        modules.len() + 2 * QUIET
    )
}
