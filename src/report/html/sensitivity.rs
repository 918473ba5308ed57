//! The HTML report of a sensitivity analysis (`trappe sensitivity`): which assumption
//! matters, as a tornado of the net municipal effect; the acceptability curve; the
//! thresholds in sentences with the scan behind them; and the tornado's table.

use super::charts::Labels;
use super::compare::{acceptability_chart, candidate_name};
use super::xy::{Curve, TornadoBar, curves_chart, tornado_chart};
use super::{Page, cell_number, cell_text, escape, table};
use crate::report::folder::ResultsFolder;
use crate::report::folder::tables::{Table, TornadoRow};
use crate::report::lang::Lang;
use crate::report::register::figure;

/// The most parameters a tornado shows.
const TORNADO_BARS: usize = 12;

/// The tornado rows of the net municipal effect of the first option, by rank.
fn tornado(folder: &ResultsFolder) -> Vec<&TornadoRow> {
    let Some(option) = folder.tornado.iter().map(|r| r.option.as_str()).find(|o| *o != "baseline") else {
        return Vec::new();
    };
    let mut rows: Vec<&TornadoRow> =
        folder.tornado.iter().filter(|r| r.option == option && r.measure == "net_municipal_effect").collect();
    rows.sort_by(|a, b| a.rank.unwrap_or(f64::INFINITY).total_cmp(&b.rank.unwrap_or(f64::INFINITY)));
    rows
}

/// The page of a sensitivity analysis folder.
pub(super) fn page(folder: &ResultsFolder, lang: Lang, footer: &str) -> Page {
    let rows = tornado(folder);
    let mut page = Page { brief: brief(folder, &rows, lang), ..Page::default() };
    if let Some(svg) = tornado_svg(&rows, lang, footer) {
        page.charts.push(("tornado", svg));
    }
    if let Some(svg) = acceptability_chart(&folder.acceptability, lang, footer) {
        page.charts.push(("acceptability-curve", svg));
    }
    if let (Some(scan), Some(threshold)) = (&folder.threshold_scan, &folder.threshold)
        && let Some(svg) = scan_chart(scan, threshold, lang, footer)
    {
        page.charts.push(("threshold-scan", svg));
    }
    if !rows.is_empty() {
        page.tables.push(tornado_table(&rows, lang));
    }
    page
}

/// The analysis in sentences: the assumptions that move the net municipal effect most,
/// what learning a parameter first is worth, and each threshold found.
fn brief(folder: &ResultsFolder, rows: &[&TornadoRow], lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let swing = |r: &TornadoRow| Some((r.at_high? - r.at_low?).abs());
    if let Some(first) = rows.first() {
        let (Some(lo), Some(hi), Some(low_value), Some(high_value)) =
            (first.at_low, first.at_high, first.low_value, first.high_value)
        else {
            return out;
        };
        let others: Vec<String> = rows
            .iter()
            .skip(1)
            .take(2)
            .filter_map(|r| Some(format!("{} ({})", r.parameter, lang.dkk(swing(r)?))))
            .collect();
        let (option, p) = (&first.option, &first.parameter);
        let (a, b, x, y) = (lang.dkk(lo), lang.dkk(hi), figure(lang, low_value), figure(lang, high_value));
        out.push(match lang {
            Lang::En => format!(
                "The assumption that moves the expected net municipal effect of {option} most is {p}: {a} at its \
                 low value {x}, {b} at its high value {y}, the other parameters at their means."
            ),
            Lang::Da => format!(
                "Den forudsætning, der flytter den forventede nettoeffekt for kommunen af {option} mest, er {p}: \
                 {a} ved dens lave værdi {x}, {b} ved dens høje værdi {y}, de øvrige parametre på deres \
                 middelværdi."
            ),
        });
        out.push(
            lang.pick(
                "These are swings over what we don't know, not chance: each parameter is set to its low or high \
                 value on the same citizens and random numbers, and each figure is a mean over many cohorts, so \
                 chance is averaged out.",
                "Det er udsving over det, vi ikke ved, ikke tilfældighed: hver parameter sættes til sin lave eller \
                 høje værdi på de samme borgere og tilfældige tal, og hvert tal er et gennemsnit over mange \
                 kohorter, så tilfældigheden midles ud.",
            )
            .to_string(),
        );
        if !others.is_empty() {
            let others = others.join(lang.pick(" and ", " og "));
            out.push(match lang {
                Lang::En => format!("Next come {others} (the swing between low and high)."),
                Lang::Da => format!("Dernæst kommer {others} (udsvinget mellem lav og høj)."),
            });
        }
    }
    if let Some(voi) = &folder.value_of_information {
        out.push(value_of_information(voi, lang));
    }
    if let Some(threshold) = &folder.threshold {
        out.extend(thresholds(threshold, lang));
    }
    out
}

/// What learning one parameter before deciding is worth, at a price of 0 for an extra
/// self-supporting citizen: the parameter worth most, or that none stands out.
fn value_of_information(voi: &Table, lang: Lang) -> String {
    let standing: Vec<(String, f64)> = voi
        .rows
        .iter()
        .filter(|r| cell_number(voi, r, "wtp_per_extra_self_supporting") == Some(0.0))
        .filter(|r| cell_text(voi, r, "stands_out").as_deref() == Some("true"))
        .filter_map(|r| Some((cell_text(voi, r, "parameter")?, cell_number(voi, r, "value")?)))
        .collect();
    match standing.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
        Some((p, v)) => match lang {
            Lang::En => format!(
                "Knowing {p} before deciding would be worth up to {} to the choice; it stands out from the noise of \
                 the simulation.",
                lang.dkk(*v)
            ),
            Lang::Da => format!(
                "At kende {p}, før der besluttes, ville være op til {} værd for valget; den skiller sig ud fra \
                 simuleringens støj.",
                lang.dkk(*v)
            ),
        },
        None => lang
            .pick(
                "No single parameter stands out as worth learning before deciding: what knowing one would change \
                 the choice by is within the noise of the simulation.",
                "Ingen enkelt parameter skiller sig ud som værd at kende, før der besluttes: hvad det ville ændre \
                 valget, ligger inden for simuleringens støj.",
            )
            .to_string(),
    }
}

/// Each threshold of `sensitivity_threshold.csv` in a sentence.
fn thresholds(t: &Table, lang: Lang) -> Vec<String> {
    t.rows
        .iter()
        .filter_map(|r| {
            let key = cell_text(t, r, "key")?;
            let option = candidate_name(lang, &cell_text(t, r, "option")?);
            let goal = cell_text(t, r, "goal")?;
            let found = cell_text(t, r, "found")?;
            let (a, b) = (figure(lang, cell_number(t, r, "range_from")?), figure(lang, cell_number(t, r, "range_to")?));
            let wanted = lang.percent(cell_number(t, r, "goal_value").unwrap_or(0.0));
            let goal_words = match (goal.strip_prefix("target:"), lang) {
                (None, Lang::En) => "breaks even (expected net municipal effect 0)".to_string(),
                (None, Lang::Da) => "er tjent hjem (forventet nettoeffekt for kommunen 0)".to_string(),
                (Some(target), Lang::En) => format!("meets “{target}” with probability {wanted}"),
                (Some(target), Lang::Da) => format!("når “{target}” med sandsynlighed {wanted}"),
            };
            Some(match (found.as_str(), cell_number(t, r, "value"), lang) {
                ("crossing", Some(v), Lang::En) => {
                    format!("{option} {goal_words} at {key} = {} (searched from {a} to {b}).", figure(lang, v))
                }
                ("crossing", Some(v), Lang::Da) => {
                    format!("{option} {goal_words} ved {key} = {} (søgt fra {a} til {b}).", figure(lang, v))
                }
                ("above_everywhere", _, Lang::En) => {
                    format!("{option} {goal_words} everywhere from {key} = {a} to {b}.")
                }
                ("above_everywhere", _, Lang::Da) => {
                    format!("{option} {goal_words} overalt fra {key} = {a} til {b}.")
                }
                ("below_everywhere", _, Lang::En) => match goal.strip_prefix("target:") {
                    None => format!("{option} does not break even anywhere from {key} = {a} to {b}."),
                    Some(target) => format!(
                        "{option} does not meet “{target}” with probability {wanted} anywhere from {key} = {a} to {b}."
                    ),
                },
                ("below_everywhere", _, Lang::Da) => match goal.strip_prefix("target:") {
                    None => format!("{option} er ikke tjent hjem nogen steder fra {key} = {a} til {b}."),
                    Some(target) => format!(
                        "{option} når ikke “{target}” med sandsynlighed {wanted} nogen steder fra {key} = {a} til {b}."
                    ),
                },
                (_, _, Lang::En) => format!("Whether {option} {goal_words} cannot be told from {key} = {a} to {b}."),
                (_, _, Lang::Da) => {
                    format!("Om {option} {goal_words}, kan ikke afgøres fra {key} = {a} til {b}.")
                }
            })
        })
        .collect()
}

/// The tornado of the net municipal effect, in million DKK, largest swing on top.
fn tornado_svg(rows: &[&TornadoRow], lang: Lang, footer: &str) -> Option<String> {
    let at_means = rows.first()?.at_means? / 1e6;
    let bars: Vec<TornadoBar> = rows
        .iter()
        .take(TORNADO_BARS)
        .filter_map(|r| {
            Some(TornadoBar {
                name: format!(
                    "{} ({} – {})",
                    r.parameter,
                    figure(lang, r.low_value?),
                    figure(lang, r.high_value?)
                ),
                at_low: r.at_low? / 1e6,
                at_high: r.at_high? / 1e6,
            })
        })
        .collect();
    let first = rows.first()?;
    let title = match lang {
        Lang::En => {
            format!("{} moves the expected net municipal effect of {} most", first.parameter, first.option)
        }
        Lang::Da => {
            format!(
                "{} flytter den forventede nettoeffekt for kommunen af {} mest",
                first.parameter, first.option
            )
        }
    };
    let labels = Labels {
        title: &title,
        x: lang.pick(
            "expected net municipal effect (million DKK, + = saving)",
            "forventet nettoeffekt for kommunen (mio. kr., + = besparelse)",
        ),
        y: "",
        footer,
    };
    let legend = [
        lang.pick(
            "parameter at its low value (5th percentile)",
            "parameter på sin lave værdi (5. percentil)",
        ),
        lang.pick("at its high value (95th percentile)", "på sin høje værdi (95. percentil)"),
    ];
    Some(tornado_chart(&labels, &bars, at_means, legend, &|v| lang.fixed(v, 1)))
}

/// The threshold search's scan: the expected net municipal effect of each option over
/// the values of the key searched.
fn scan_chart(scan: &Table, threshold: &Table, lang: Lang, footer: &str) -> Option<String> {
    let key = threshold.rows.first().and_then(|r| cell_text(threshold, r, "key"))?;
    let mut names: Vec<String> = Vec::new();
    for r in &scan.rows {
        if let Some(o) = cell_text(scan, r, "option")
            && !names.contains(&o)
        {
            names.push(o);
        }
    }
    let curves: Vec<Curve> = names
        .iter()
        .map(|name| Curve {
            points: scan
                .rows
                .iter()
                .filter(|r| cell_text(scan, r, "option").as_deref() == Some(name.as_str()))
                .filter(|r| cell_text(scan, r, "figure").as_deref() == Some("expected_net_municipal_effect"))
                .filter_map(|r| {
                    Some((
                        cell_number(scan, r, "key_value")?,
                        cell_number(scan, r, "value")? / 1e6,
                        None,
                        None,
                    ))
                })
                .collect(),
            legend: candidate_name(lang, name),
        })
        .filter(|c| !c.points.is_empty())
        .collect();
    if curves.is_empty() {
        return None;
    }
    let crossing = threshold.rows.iter().find(|r| {
        cell_text(threshold, r, "goal").as_deref() == Some("break_even")
            && cell_text(threshold, r, "found").as_deref() == Some("crossing")
    });
    let title = match (crossing.and_then(|r| cell_number(threshold, r, "value")), lang) {
        (Some(v), Lang::En) => {
            format!("The expected net municipal effect crosses zero at {key} = {}", figure(lang, v))
        }
        (Some(v), Lang::Da) => {
            format!("Den forventede nettoeffekt for kommunen krydser nul ved {key} = {}", figure(lang, v))
        }
        (None, Lang::En) => format!("The expected net municipal effect does not cross zero over {key}"),
        (None, Lang::Da) => format!("Den forventede nettoeffekt for kommunen krydser ikke nul over {key}"),
    };
    let labels = Labels {
        title: &title,
        x: &key,
        y: lang.pick(
            "expected net municipal effect (million DKK, + = saving)",
            "forventet nettoeffekt for kommunen (mio. kr., + = besparelse)",
        ),
        footer,
    };
    let legends: Vec<Curve> = curves
        .into_iter()
        .map(|c| if names.len() == 1 { Curve { legend: String::new(), ..c } } else { c })
        .collect();
    // Zero in view, so that the chart shows how far the effect is from breaking even.
    let values = legends.iter().flat_map(|c| c.points.iter().map(|p| p.1));
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.05).max(1e-3);
    let y_range = Some((lo - pad, hi + pad));
    Some(curves_chart(&labels, &legends, &|v| figure(lang, v), &|v| lang.fixed(v, 1), y_range))
}

/// The tornado's table: rank, parameter, its low and high value, the figure at each, the swing.
fn tornado_table(rows: &[&TornadoRow], lang: Lang) -> String {
    let na = || lang.not_available().to_string();
    let headings = [
        lang.pick("Rank", "Rang"),
        lang.pick("Parameter", "Parameter"),
        lang.pick("Low value", "Lav værdi"),
        lang.pick("High value", "Høj værdi"),
        lang.pick("Net municipal effect at low", "Nettoeffekt ved lav"),
        lang.pick("Net municipal effect at high", "Nettoeffekt ved høj"),
        lang.pick("Swing", "Udsving"),
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let swing = match (r.at_low, r.at_high) {
                (Some(a), Some(b)) => lang.dkk((b - a).abs()),
                _ => na(),
            };
            vec![
                r.rank.map_or_else(na, |v| lang.fixed(v, 0)),
                r.parameter.clone(),
                r.low_value.map_or_else(na, |v| figure(lang, v)),
                r.high_value.map_or_else(na, |v| figure(lang, v)),
                r.at_low.map_or_else(na, |v| lang.dkk(v)),
                r.at_high.map_or_else(na, |v| lang.dkk(v)),
                swing,
            ]
        })
        .collect();
    format!(
        "<h2>{}</h2>{}",
        escape(lang.pick("Which assumption matters", "Hvilken forudsætning betyder noget")),
        table(&headings, &cells)
    )
}
