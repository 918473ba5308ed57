//! The charts of a run's probabilities: how the expected net municipal effect spreads
//! over what we don't know, with the share of it above zero (the decision figure), and
//! each target's probability of being met in both arms.

use super::charts::{BAND, Drawn, FOOTER, GREY, Labels, SIZE, canvas, svg_of, xy_chart};
use super::xy::rows_chart;
use crate::analysis::uncertainty;
use crate::report::folder::ResultsFolder;
use crate::report::lang::Lang;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The expected net municipal effect of each draw of the parameters, in DKK, as
/// `trappe run` estimates them for its decision figure (the draws' means shrunk so that
/// they spread as much as what we don't know does, not more), with the run's split;
/// None with one cohort per draw or an effect missing in a replication.
fn draws(folder: &ResultsFolder) -> Option<(Vec<f64>, uncertainty::Split)> {
    let mut rows: Vec<(u32, f64)> = folder
        .replications
        .iter()
        .filter(|r| r.arm == "difference")
        .map(|r| r.net_municipal_effect.map(|v| (r.replication, v)))
        .collect::<Option<_>>()?;
    rows.sort_by_key(|r| r.0);
    let values: Vec<f64> = rows.into_iter().map(|r| r.1).collect();
    let inner = folder.provenance.inner_replications as usize;
    let vary = folder.model.parameters.sampled().next().is_some();
    Some((uncertainty::shrunk_means(&values, inner, vary)?, uncertainty::split(&values, inner, vary)?))
}

/// The distribution of the expected net municipal effect over the draws of the
/// parameters, as a histogram in million DKK, the bars above zero dark and below light,
/// with the share above zero in the title.
pub fn expected_effect_chart(folder: &ResultsFolder, lang: Lang, footer: &str) -> Option<String> {
    let (means, split) = draws(folder)?;
    let vary = folder.model.parameters.sampled().next().is_some();
    let share = lang.percent(split.probability_expected_positive);
    let title = if split.within_chance(vary) {
        lang.pick(
            "At this size the draws of the parameters spread the expected net effect no more than chance does",
            "Ved denne størrelse spreder trækkene af parametrene den forventede nettoeffekt ikke mere end tilfældighed",
        )
        .to_string()
    } else {
        match lang {
            Lang::En => format!(
                "Over what we don't know, the expected net municipal effect is a saving in {share} of the draws"
            ),
            Lang::Da => {
                format!(
                    "Ud fra det, vi ikke ved, er den forventede nettoeffekt en besparelse i {share} af trækkene"
                )
            }
        }
    };
    let labels = Labels {
        title: &title,
        x: lang.pick(
            "expected net municipal effect of a draw (million DKK, + = saving)",
            "forventet nettoeffekt for kommunen i et træk (mio. kr., + = besparelse)",
        ),
        y: lang.pick("draws of the parameters (%)", "træk af parametrene (%)"),
        footer,
    };
    let millions: Vec<f64> = means.iter().map(|m| m / 1e6).collect();
    Some(svg_of(|svg| draw_histogram(svg, &labels, &millions, lang)))
}

/// The bins of a histogram of `values`: about 20 equal bins from the smallest to the
/// largest value, one bin edge at zero when zero lies between them, as (from, to, share
/// of the values).
pub fn bins(values: &[f64]) -> Vec<(f64, f64, f64)> {
    let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    if values.is_empty() || !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let span = hi - lo;
    let width = if span > 0.0 { span / 20.0 } else { lo.abs().max(1.0) / 20.0 };
    // Edges on a grid through zero, so that no bin holds both savings and losses.
    let first = (lo / width).floor() as i64;
    let last = (hi / width).floor() as i64;
    let mut counts = vec![0usize; (last - first + 1) as usize];
    for v in values {
        counts[((v / width).floor() as i64 - first) as usize] += 1;
    }
    let n = values.len() as f64;
    (first..=last)
        .zip(counts)
        .map(|(k, count)| (k as f64 * width, (k + 1) as f64 * width, count as f64 / n))
        .collect()
}

/// Draws the histogram of [`expected_effect_chart`] into `svg`.
fn draw_histogram(svg: &mut String, labels: &Labels, values: &[f64], lang: Lang) -> Drawn {
    let bins = bins(values);
    let plot = canvas(svg, SIZE, labels.footer)?;
    let x_lo = bins.first().map_or(-1.0, |b| b.0).min(0.0);
    let x_hi = bins.last().map_or(1.0, |b| b.1).max(0.0);
    let pad = (x_hi - x_lo) * 0.03;
    let y_hi = bins.iter().map(|b| b.2 * 100.0).fold(1.0, f64::max) * 1.1;
    let ranges = ((x_lo - pad)..(x_hi + pad), 0.0..y_hi);
    let mut chart = xy_chart(&plot, labels, ranges, 60, &|v| lang.fixed(v, 1), &|v| lang.fixed(v, 0))?;
    chart.draw_series(bins.iter().filter(|b| b.2 > 0.0).map(|&(from, to, share)| {
        let fill = if from >= 0.0 { GREY } else { BAND };
        Rectangle::new([(from, 0.0), (to, share * 100.0)], fill.filled())
    }))?;
    chart.draw_series(bins.iter().filter(|b| b.2 > 0.0).map(|&(from, to, share)| {
        Rectangle::new([(from, 0.0), (to, share * 100.0)], BLACK.stroke_width(1))
    }))?;
    chart.draw_series(LineSeries::new([(0.0, 0.0), (0.0, y_hi)], BLACK.stroke_width(2)))?;
    let sides = [
        (lang.pick("loss", "underskud"), x_lo - pad, (HPos::Left, VPos::Top)),
        (lang.pick("saving", "besparelse"), x_hi + pad, (HPos::Right, VPos::Top)),
    ];
    for (text, x, (h, v)) in sides {
        let style = TextStyle::from(("sans-serif", 12).into_font()).pos(Pos::new(h, v));
        chart.draw_series(std::iter::once(Text::new(text.to_string(), (x, y_hi), style)))?;
    }
    plot.present()?;
    Ok(())
}

/// One target's probability of being met in both arms, and its name.
struct TargetOdds {
    name: String,
    scenario: f64,
    counterfactual: f64,
}

/// The targets of `summary.csv` in their order, with their probabilities in both arms.
fn targets(folder: &ResultsFolder) -> Vec<TargetOdds> {
    let probability = |metric: &str, arm: &str| {
        folder.summary.iter().find(|r| r.metric == metric && r.arm == arm).and_then(|r| r.mean)
    };
    (1..)
        .map(|i| format!("target_{i}_probability"))
        .map_while(|metric| {
            let row = folder.summary.iter().find(|r| r.metric == metric && r.arm == "scenario")?;
            Some(TargetOdds {
                name: row.label.clone(),
                scenario: probability(&metric, "scenario")?,
                counterfactual: probability(&metric, "counterfactual")?,
            })
        })
        .collect()
}

/// Each target's probability of being met, with the scenario and without, as pairs of
/// horizontal bars; the title names the target whose probability the scenario changes
/// most. None when the scenario has no targets.
pub fn targets_chart(folder: &ResultsFolder, lang: Lang, footer: &str) -> Option<String> {
    let targets = targets(folder);
    let most = targets.iter().max_by(|a, b| {
        (a.scenario - a.counterfactual).abs().total_cmp(&(b.scenario - b.counterfactual).abs())
    })?;
    let (p, q) = (lang.percent(most.scenario), lang.percent(most.counterfactual));
    let name = &most.name;
    let title = match (lang, targets.len()) {
        (Lang::En, 1) => {
            format!("The target “{name}” is met with probability {p} with the scenario, {q} without")
        }
        (Lang::Da, 1) => format!("Målet “{name}” nås med sandsynlighed {p} med scenariet, {q} uden"),
        (Lang::En, _) => {
            format!("The scenario moves the probability of meeting “{name}” most: {p} against {q} without")
        }
        (Lang::Da, _) => {
            format!("Scenariet flytter sandsynligheden for at nå “{name}” mest: {p} mod {q} uden")
        }
    };
    let labels = Labels {
        title: &title,
        x: lang.pick(
            "probability that the actual cohort meets the target (%)",
            "sandsynlighed for, at den faktiske kohorte når målet (%)",
        ),
        y: "",
        footer,
    };
    Some(svg_of(|svg| draw_targets(svg, &labels, &targets, lang)))
}

/// Draws the chart of [`targets_chart`] into `svg`: one band a target, its name on top,
/// the scenario's bar dark and the counterfactual's light below it.
fn draw_targets(svg: &mut String, labels: &Labels, targets: &[TargetOdds], lang: Lang) -> Drawn {
    let height = 90 + 70 * targets.len() as u32 + FOOTER;
    let plot = canvas(svg, (SIZE.0, height), labels.footer)?;
    let n = targets.len() as f64;
    let mut chart = rows_chart(&plot, labels, 0.0..100.0, n, &|v| lang.fixed(v, 0))?;
    let (with, without) = (lang.pick("with", "med"), lang.pick("without", "uden"));
    for (i, t) in targets.iter().enumerate() {
        let top = n - i as f64;
        let name_style = TextStyle::from(("sans-serif", 13).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
        chart.draw_series(std::iter::once(Text::new(t.name.clone(), (0.5, top - 0.04), name_style)))?;
        let bars = [(t.scenario, GREY, with, top - 0.55), (t.counterfactual, BAND, without, top - 0.9)];
        for (value, fill, arm, bottom) in bars {
            let corners = [(0.0, bottom), (value * 100.0, bottom + 0.3)];
            chart.draw_series(std::iter::once(Rectangle::new(corners, fill.filled())))?;
            chart.draw_series(std::iter::once(Rectangle::new(corners, BLACK.stroke_width(1))))?;
            let text = format!("{arm}: {}", lang.percent(value));
            // Beside a short bar; inside a long one, light on the dark bar.
            let (at, anchor, colour) = if value < 0.75 {
                (value * 100.0 + 1.0, HPos::Left, BLACK)
            } else {
                (value * 100.0 - 1.0, HPos::Right, if fill == GREY { WHITE } else { BLACK })
            };
            let style = ("sans-serif", 12).into_font().color(&colour).pos(Pos::new(anchor, VPos::Center));
            chart.draw_series(std::iter::once(Text::new(text, (at, bottom + 0.15), style)))?;
        }
    }
    plot.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::bins;

    #[test]
    fn the_bins_hold_every_value_once_and_none_straddles_zero() {
        let values = [-2.5, -0.1, 0.0, 0.3, 1.7, 4.0, 4.0];
        let b = bins(&values);
        let total: f64 = b.iter().map(|b| b.2).sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        assert!(b.iter().all(|(from, to, _)| !(*from < 0.0 && *to > 0.0)), "{b:?}");
        assert!(b.windows(2).all(|w| (w[0].1 - w[1].0).abs() < 1e-12), "the bins are contiguous");
        let one = bins(&[3.0, 3.0]);
        assert_eq!(one.iter().filter(|b| b.2 > 0.0).count(), 1);
        assert!(bins(&[]).is_empty());
    }
}
