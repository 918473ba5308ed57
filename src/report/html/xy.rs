//! The charts of the reports of a comparison, a sweep and a sensitivity analysis, in the
//! same black and white as the run's: curves over a numeric axis (a sweep's levels,
//! the value put on an outcome), intervals of options side by side, and a tornado.

use super::charts::{BAND, Drawn, FOOTER, GREY, Labels, SIZE, XyChart, canvas, svg_of, xy_chart};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One curve: its points `(x, y, band low, band high)` in x order and its legend.
pub struct Curve {
    /// The points; the band is drawn where every point has both ends.
    pub points: Vec<(f64, f64, Option<f64>, Option<f64>)>,
    /// The legend text.
    pub legend: String,
}

/// The line styles of curves in order, told apart without colour: solid black, dashed
/// grey, dotted black, solid grey, dashed black; then again.
fn curve_style(i: usize) -> (RGBColor, Option<(u32, u32)>) {
    match i % 5 {
        0 => (BLACK, None),
        1 => (GREY, Some((6, 4))),
        2 => (BLACK, Some((2, 3))),
        3 => (GREY, None),
        _ => (BLACK, Some((10, 4))),
    }
}

/// Curves over a numeric x axis, with bands where they have them and a zero line when
/// the values cross zero, as an SVG document; `y_range` fixes the y axis (e.g. 0 to 100
/// for probabilities) instead of fitting it to the values.
pub fn curves_chart(
    labels: &Labels,
    curves: &[Curve],
    x_format: &dyn Fn(f64) -> String,
    y_format: &dyn Fn(f64) -> String,
    y_range: Option<(f64, f64)>,
) -> String {
    svg_of(|svg| draw_curves(svg, labels, curves, x_format, y_format, y_range))
}

/// The smallest and largest of `values`, or None when there is none that is finite.
fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    (lo <= hi).then_some((lo, hi))
}

/// `lo..hi` widened by 5 % on each side (and to a unit when empty).
fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let pad = if hi > lo { (hi - lo) * 0.05 } else { lo.abs().max(1.0) * 0.05 };
    (lo - pad)..(hi + pad)
}

/// Draws the chart of [`curves_chart`] into `svg`.
fn draw_curves(
    svg: &mut String,
    labels: &Labels,
    curves: &[Curve],
    x_format: &dyn Fn(f64) -> String,
    y_format: &dyn Fn(f64) -> String,
    y_range: Option<(f64, f64)>,
) -> Drawn {
    let plot = canvas(svg, SIZE, labels.footer)?;
    let points = || curves.iter().flat_map(|c| c.points.iter());
    let (x_lo, x_hi) = extent(points().map(|p| p.0)).unwrap_or((0.0, 1.0));
    let x = if x_hi > x_lo { x_lo..x_hi } else { padded(x_lo, x_hi) };
    let y = match y_range {
        Some((lo, hi)) => lo..hi,
        None => {
            let (lo, hi) =
                extent(points().flat_map(|p| [Some(p.1), p.2, p.3]).flatten()).unwrap_or((0.0, 1.0));
            padded(lo, hi)
        }
    };
    let (y_lo, y_hi) = (y.start, y.end);
    let mut chart = xy_chart(&plot, labels, (x.clone(), y), 80, x_format, y_format)?;
    for curve in curves {
        let low: Option<Vec<(f64, f64)>> = curve.points.iter().map(|p| p.2.map(|v| (p.0, v))).collect();
        let high: Option<Vec<(f64, f64)>> =
            curve.points.iter().rev().map(|p| p.3.map(|v| (p.0, v))).collect();
        if let (Some(mut band), Some(high)) = (low, high) {
            band.extend(high);
            chart.draw_series(std::iter::once(Polygon::new(band, BAND.mix(0.6).filled())))?;
        }
    }
    if y_lo < 0.0 && y_hi > 0.0 {
        chart.draw_series(LineSeries::new([(x.start, 0.0), (x.end, 0.0)], BLACK.stroke_width(1)))?;
    }
    for (i, curve) in curves.iter().enumerate() {
        let points: Vec<(f64, f64)> = curve.points.iter().map(|p| (p.0, p.1)).collect();
        let (colour, dash) = curve_style(i);
        let style = colour.stroke_width(2);
        let drawn = match dash {
            None => chart.draw_series(LineSeries::new(points.clone(), style))?,
            Some((size, gap)) => {
                chart.draw_series(DashedLineSeries::new(points.clone(), size, gap, style))?
            }
        };
        // The legend's sample: three segments of the curve's dash (touching when solid).
        let (size, gap) = dash.map_or((8, 0), |(size, gap)| (size as i32, gap as i32));
        drawn.label(curve.legend.clone()).legend(move |(x, y)| {
            let segment =
                |k: i32| PathElement::new(vec![(k * (size + gap), 0), (k * (size + gap) + size, 0)], style);
            EmptyElement::at((x, y)) + segment(0) + segment(1) + segment(2)
        });
        if points.len() == 1 {
            chart.draw_series(std::iter::once(Circle::new(points[0], 4, colour.filled())))?;
        }
    }
    if curves.iter().any(|c| !c.legend.is_empty()) {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
    }
    plot.present()?;
    Ok(())
}

/// One row of an intervals chart: a name, a point, and two intervals around it.
pub struct Interval {
    /// The row's name, written above its bar.
    pub name: String,
    /// The point (e.g. the expected value).
    pub value: f64,
    /// The inner interval, drawn as a thick grey bar (e.g. over what we don't know).
    pub inner: Option<(f64, f64)>,
    /// The outer interval, drawn as a thin whisker (e.g. with chance added).
    pub outer: Option<(f64, f64)>,
}

/// Rows side by side on one horizontal axis: each a dot at its value, a thick bar for its
/// inner interval and a whisker for its outer one, with a line at zero, as an SVG
/// document; `legend` names the dot, the bar and the whisker.
pub fn intervals_chart(
    labels: &Labels,
    rows: &[Interval],
    legend: [&str; 3],
    x_format: &dyn Fn(f64) -> String,
) -> String {
    svg_of(|svg| draw_intervals(svg, labels, rows, legend, x_format))
}

/// Draws the chart of [`intervals_chart`] into `svg`.
fn draw_intervals(
    svg: &mut String,
    labels: &Labels,
    rows: &[Interval],
    legend: [&str; 3],
    x_format: &dyn Fn(f64) -> String,
) -> Drawn {
    let height = 110 + 56 * rows.len() as u32 + FOOTER;
    let plot = canvas(svg, (SIZE.0, height), labels.footer)?;
    let values = rows.iter().flat_map(|r| {
        let inner = r.inner.map_or([None, None], |(a, b)| [Some(a), Some(b)]);
        let outer = r.outer.map_or([None, None], |(a, b)| [Some(a), Some(b)]);
        [Some(r.value), Some(0.0)].into_iter().chain(inner).chain(outer).flatten()
    });
    let (lo, hi) = extent(values).unwrap_or((0.0, 1.0));
    let n = rows.len() as f64;
    let mut chart = rows_chart(&plot, labels, padded(lo, hi), n + 0.6, x_format)?;
    // The key takes the strip from 0 to 0.5; row i takes the strip below n + 0.5 - i.
    let x_start = padded(lo, hi).start;
    chart.draw_series(LineSeries::new([(0.0, 0.5), (0.0, n + 0.5)], BLACK.stroke_width(1)))?;
    for (i, row) in rows.iter().enumerate() {
        let top = n + 0.5 - i as f64;
        let middle = top - 0.62;
        let name_style = ("sans-serif", 13).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Top));
        chart.draw_series(std::iter::once(Text::new(row.name.clone(), (x_start, top - 0.04), name_style)))?;
        if let Some((a, b)) = row.outer {
            chart.draw_series(LineSeries::new([(a, middle), (b, middle)], BLACK.stroke_width(1)))?;
            for end in [a, b] {
                chart.draw_series(LineSeries::new(
                    [(end, middle - 0.12), (end, middle + 0.12)],
                    BLACK.stroke_width(1),
                ))?;
            }
        }
        if let Some((a, b)) = row.inner {
            let corners = [(a, middle - 0.12), (b, middle + 0.12)];
            chart.draw_series(std::iter::once(Rectangle::new(corners, GREY.filled())))?;
        }
        chart.draw_series(std::iter::once(Circle::new((row.value, middle), 5, BLACK.filled())))?;
        chart.draw_series(std::iter::once(Circle::new((row.value, middle), 5, WHITE.stroke_width(1))))?;
    }
    // The key, under the rows: what the dot, the bar and the whisker are.
    let key_style = ("sans-serif", 12).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    let span = padded(lo, hi);
    let step = (span.end - span.start) / 3.0;
    for (k, text) in legend.iter().enumerate() {
        let x = span.start + step * k as f64;
        let y = 0.25;
        match k {
            0 => chart.draw_series(std::iter::once(Circle::new((x + step * 0.03, y), 5, BLACK.filled())))?,
            1 => chart.draw_series(std::iter::once(Rectangle::new(
                [(x, y - 0.1), (x + step * 0.08, y + 0.1)],
                GREY.filled(),
            )))?,
            _ => chart.draw_series(LineSeries::new([(x, y), (x + step * 0.08, y)], BLACK.stroke_width(1)))?,
        };
        chart.draw_series(std::iter::once(Text::new(
            text.to_string(),
            (x + step * 0.1, y),
            key_style.clone(),
        )))?;
    }
    plot.present()?;
    Ok(())
}

/// One bar of a tornado: a parameter, the figure at its low and high value, and its name.
pub struct TornadoBar {
    /// The parameter's name, written above its bar.
    pub name: String,
    /// The figure with the parameter at its low value.
    pub at_low: f64,
    /// The figure with the parameter at its high value.
    pub at_high: f64,
}

/// A tornado: one horizontal bar a parameter, in the given order (largest swing first),
/// from the figure at its low value (light) to that at its high value (dark), about a
/// vertical line at the figure with every parameter at its mean, as an SVG document;
/// `legend` names the low and the high part.
pub fn tornado_chart(
    labels: &Labels,
    bars: &[TornadoBar],
    at_means: f64,
    legend: [&str; 2],
    x_format: &dyn Fn(f64) -> String,
) -> String {
    svg_of(|svg| draw_tornado(svg, labels, bars, at_means, legend, x_format))
}

/// Draws the chart of [`tornado_chart`] into `svg`.
fn draw_tornado(
    svg: &mut String,
    labels: &Labels,
    bars: &[TornadoBar],
    at_means: f64,
    legend: [&str; 2],
    x_format: &dyn Fn(f64) -> String,
) -> Drawn {
    let height = 110 + 44 * bars.len() as u32 + FOOTER;
    let plot = canvas(svg, (SIZE.0, height), labels.footer)?;
    let values = bars.iter().flat_map(|b| [b.at_low, b.at_high]).chain([at_means]);
    let (lo, hi) = extent(values).unwrap_or((0.0, 1.0));
    let span = padded(lo, hi);
    let n = bars.len() as f64;
    let mut chart = rows_chart(&plot, labels, span.clone(), n + 0.6, x_format)?;
    // The key takes the strip from 0 to 0.5; bar i takes the strip below n + 0.5 - i.
    for (i, bar) in bars.iter().enumerate() {
        let top = n + 0.5 - i as f64;
        let name_style = ("sans-serif", 12).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Top));
        chart.draw_series(std::iter::once(Text::new(
            bar.name.clone(),
            (span.start, top - 0.02),
            name_style,
        )))?;
        let (y0, y1) = (top - 0.85, top - 0.4);
        // The longer part first, so that a shorter one on the same side stays in view.
        let mut parts = [(bar.at_low, BAND), (bar.at_high, GREY)];
        parts.sort_by(|a, b| (b.0 - at_means).abs().total_cmp(&(a.0 - at_means).abs()));
        for (end, fill) in parts {
            let corners = [(at_means, y0), (end, y1)];
            chart.draw_series(std::iter::once(Rectangle::new(corners, fill.filled())))?;
            chart.draw_series(std::iter::once(Rectangle::new(corners, BLACK.stroke_width(1))))?;
        }
    }
    chart.draw_series(LineSeries::new([(at_means, 0.5), (at_means, n + 0.5)], BLACK.stroke_width(2)))?;
    let key_style = ("sans-serif", 12).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    let step = (span.end - span.start) / 2.0;
    for (k, (text, fill)) in legend.iter().zip([BAND, GREY]).enumerate() {
        let x = span.start + step * k as f64;
        let corners = [(x, 0.15), (x + step * 0.05, 0.35)];
        chart.draw_series(std::iter::once(Rectangle::new(corners, fill.filled())))?;
        chart.draw_series(std::iter::once(Rectangle::new(corners, BLACK.stroke_width(1))))?;
        chart.draw_series(std::iter::once(Text::new(
            text.to_string(),
            (x + step * 0.07, 0.25),
            key_style.clone(),
        )))?;
    }
    plot.present()?;
    Ok(())
}

/// The chart of rows one above the other (options, parameters, targets) on one
/// horizontal axis: its title, the x axis over `x` with its label, units and light
/// vertical grid lines, no vertical axis, and the rows' space from 0 to `top`.
pub(super) fn rows_chart<'a, 'b>(
    plot: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    labels: &Labels,
    x: std::ops::Range<f64>,
    top: f64,
    x_format: &dyn Fn(f64) -> String,
) -> Result<XyChart<'a, 'b>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(plot)
        .caption(labels.title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(10)
        .build_cartesian_2d(x, 0.0..top)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(235, 235, 235))
        .disable_y_mesh()
        .disable_y_axis()
        .x_desc(labels.x)
        .x_label_formatter(&|v| x_format(*v))
        .draw()?;
    Ok(chart)
}
