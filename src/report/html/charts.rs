//! The charts of the HTML report, drawn as inline SVG with plotters, in black and white:
//! the scenario a solid black line, the counterfactual a dashed grey one, bands of the
//! 5th–95th percentiles a light grey. Every chart carries its title (a finding), axis
//! labels with units, and a footer saying what made the figures.

use crate::report::folder::tables::MonthlyRow;
use plotters::prelude::*;

/// Width and height of a chart in pixels.
pub(super) const SIZE: (u32, u32) = (760, 380);
/// Height of the footer strip under a chart.
pub(super) const FOOTER: u32 = 22;

/// One arm's series of a monthly measure: month, mean and (when the table has them)
/// the 5th and 95th percentiles.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// `(month, mean, p05, p95)` in month order.
    pub points: Vec<(f64, f64, Option<f64>, Option<f64>)>,
}

impl Series {
    /// The series of `metric` for `arm` in `monthly.csv`'s rows, scaled by `scale`.
    pub fn of(rows: &[MonthlyRow], arm: &str, metric: &str, scale: f64) -> Series {
        let points = rows
            .iter()
            .filter(|r| r.arm == arm && r.metric == metric)
            .filter_map(|r| {
                let mean = r.mean?;
                Some((f64::from(r.month), mean * scale, r.p05.map(|v| v * scale), r.p95.map(|v| v * scale)))
            })
            .collect();
        Series { points }
    }

    /// Whether the series has no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The last point's mean.
    pub fn last(&self) -> Option<f64> {
        self.points.last().map(|p| p.1)
    }

    /// The band's polygon (the 5th percentiles forward, the 95th back), when every
    /// point has both.
    fn band(&self) -> Option<Vec<(f64, f64)>> {
        let low: Option<Vec<(f64, f64)>> = self.points.iter().map(|p| p.2.map(|v| (p.0, v))).collect();
        let high: Option<Vec<(f64, f64)>> = self.points.iter().rev().map(|p| p.3.map(|v| (p.0, v))).collect();
        let mut polygon = low?;
        polygon.extend(high?);
        Some(polygon)
    }

    /// The smallest and largest value the series draws (its band included).
    fn range(&self) -> (f64, f64) {
        let values = self.points.iter().flat_map(|p| [Some(p.1), p.2, p.3]).flatten();
        values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
    }
}

/// A line of a chart: its series, its legend text and whether it is the scenario's.
pub struct Line<'a> {
    /// The values.
    pub series: &'a Series,
    /// The legend text.
    pub legend: String,
    /// Drawn solid black (the scenario) or dashed grey (the counterfactual).
    pub solid: bool,
}

/// What every chart is labelled with.
pub struct Labels<'a> {
    /// The title: what the chart shows to be so.
    pub title: &'a str,
    /// The x axis's label with its unit.
    pub x: &'a str,
    /// The y axis's label with its unit.
    pub y: &'a str,
    /// The footer: scenario file, checksum, seed, replications, version.
    pub footer: &'a str,
}

/// The grey of bands and of the counterfactual's line.
pub(super) const GREY: RGBColor = RGBColor(110, 110, 110);
/// The grey of bands.
pub(super) const BAND: RGBColor = RGBColor(215, 215, 215);

/// A chart of lines over months, with bands where the series have them, a zero line
/// when the values cross zero, and a dotted vertical line at `marker` (e.g. the
/// break-even month), as an SVG document.
pub fn line_chart(
    labels: &Labels,
    lines: &[Line],
    marker: Option<(f64, String)>,
    y_format: &dyn Fn(f64) -> String,
) -> String {
    svg_of(|svg| draw_lines(svg, labels, lines, marker, y_format))
}

/// The x and y ranges of `lines`, padded a little, with zero in the y range when near.
fn ranges(lines: &[Line]) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
    let x_max = lines.iter().filter_map(|l| l.series.points.last().map(|p| p.0)).fold(1.0, f64::max);
    let (mut lo, mut hi) = lines
        .iter()
        .map(|l| l.series.range())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if lo > 0.0 && lo < (hi - lo) {
        lo = 0.0;
    }
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (0.0..x_max, (lo - pad)..(hi + pad))
}

pub(super) type Drawn = Result<(), Box<dyn std::error::Error>>;

/// A white canvas of `size` for one chart, with `footer` along its bottom: returns the
/// area above the footer to draw the chart on (present it when the chart is drawn).
pub(super) fn canvas<'a>(
    svg: &'a mut String,
    size: (u32, u32),
    footer: &str,
) -> Result<DrawingArea<SVGBackend<'a>, plotters::coord::Shift>, Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot, strip) = root.split_vertically(size.1 - FOOTER);
    strip.draw_text(footer, &("sans-serif", 11).into_font().color(&GREY), (8, 4))?;
    Ok(plot)
}

/// The chart of values over a numeric x axis: its title, both axes with their labels
/// (units in them), light grid lines, and `y_label_area` pixels for the y axis's numbers.
pub(super) fn xy_chart<'a, 'b>(
    plot: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    labels: &Labels,
    (x, y): (std::ops::Range<f64>, std::ops::Range<f64>),
    y_label_area: u32,
    x_format: &dyn Fn(f64) -> String,
    y_format: &dyn Fn(f64) -> String,
) -> Result<XyChart<'a, 'b>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(plot)
        .caption(labels.title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(235, 235, 235))
        .x_desc(labels.x)
        .y_desc(labels.y)
        .x_label_formatter(&|v| x_format(*v))
        .y_label_formatter(&|v| y_format(*v))
        .draw()?;
    Ok(chart)
}

/// What [`xy_chart`] and the rows charts draw on.
pub(super) type XyChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The SVG document `draw` writes, or a paragraph saying why it could not be drawn.
pub(super) fn svg_of(draw: impl FnOnce(&mut String) -> Drawn) -> String {
    let mut svg = String::new();
    match draw(&mut svg) {
        Ok(()) => svg,
        Err(e) => format!("<p>{}</p>", super::escape(&e.to_string())),
    }
}

/// Draws the chart of [`line_chart`] into `svg`.
fn draw_lines(
    svg: &mut String,
    labels: &Labels,
    lines: &[Line],
    marker: Option<(f64, String)>,
    y_format: &dyn Fn(f64) -> String,
) -> Drawn {
    let plot = canvas(svg, SIZE, labels.footer)?;
    let (x, y) = ranges(lines);
    let (y_lo, y_hi) = (y.start, y.end);
    let mut chart = xy_chart(&plot, labels, (x.clone(), y), 80, &|v| format!("{v:.0}"), y_format)?;
    for line in lines {
        if let Some(band) = line.series.band() {
            let style = if line.solid { BAND.mix(0.7) } else { BAND.mix(0.4) };
            chart.draw_series(std::iter::once(Polygon::new(band, style.filled())))?;
        }
    }
    if y_lo < 0.0 && y_hi > 0.0 {
        chart.draw_series(LineSeries::new([(x.start, 0.0), (x.end, 0.0)], BLACK.stroke_width(1)))?;
    }
    if let Some((month, text)) = &marker {
        let dotted = DashedLineSeries::new([(*month, y_lo), (*month, y_hi)], 2, 4, BLACK.stroke_width(1));
        chart.draw_series(dotted)?;
        chart.draw_series(std::iter::once(Text::new(text.clone(), (*month, y_hi), ("sans-serif", 12))))?;
    }
    for line in lines {
        let points: Vec<(f64, f64)> = line.series.points.iter().map(|p| (p.0, p.1)).collect();
        if line.solid {
            chart
                .draw_series(LineSeries::new(points, BLACK.stroke_width(2)))?
                .label(line.legend.clone())
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2)));
        } else {
            chart
                .draw_series(DashedLineSeries::new(points, 6, 4, GREY.stroke_width(2)))?
                .label(line.legend.clone())
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 8, y)], GREY.stroke_width(2)));
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    plot.present()?;
    Ok(())
}

/// One panel of small multiples: a state's name and the two arms' occupancy.
pub struct Panel {
    /// The state's name.
    pub name: String,
    /// The scenario's occupancy.
    pub scenario: Series,
    /// The counterfactual's occupancy.
    pub counterfactual: Series,
}

/// Small multiples, one panel per state, each with both arms' lines, as an SVG document.
pub fn panels_chart(labels: &Labels, panels: &[Panel]) -> String {
    svg_of(|svg| draw_panels(svg, labels, panels))
}

/// Draws the chart of [`panels_chart`] into `svg`.
fn draw_panels(svg: &mut String, labels: &Labels, panels: &[Panel]) -> Drawn {
    let columns = 3usize;
    let rows = panels.len().div_ceil(columns).max(1);
    let height = 60 + 200 * rows as u32 + FOOTER;
    let body = canvas(svg, (SIZE.0, height), labels.footer)?;
    let body = body.titled(labels.title, ("sans-serif", 16))?;
    let (axes, grid) = body.split_vertically(18);
    axes.draw_text(
        &format!("{} · {}", labels.x, labels.y),
        &("sans-serif", 12).into_font().color(&BLACK),
        (8, 2),
    )?;
    for (area, panel) in grid.split_evenly((rows, columns)).iter().zip(panels) {
        let lines = [
            Line { series: &panel.scenario, legend: String::new(), solid: true },
            Line { series: &panel.counterfactual, legend: String::new(), solid: false },
        ];
        let (x, y) = ranges(&lines);
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.name, ("sans-serif", 12))
            .margin(6)
            .x_label_area_size(22)
            .y_label_area_size(40)
            .build_cartesian_2d(x, 0f64.min(y.start)..y.end)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(235, 235, 235))
            .x_labels(4)
            .y_labels(4)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()?;
        let points = |s: &Series| s.points.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>();
        chart.draw_series(LineSeries::new(points(&panel.scenario), BLACK.stroke_width(2)))?;
        chart.draw_series(DashedLineSeries::new(
            points(&panel.counterfactual),
            6,
            4,
            GREY.stroke_width(2),
        ))?;
    }
    body.present()?;
    Ok(())
}
