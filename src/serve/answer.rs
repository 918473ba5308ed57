//! The answer `trappe serve` gives to one option: the figures of a run's results folder
//! as JSON, each with its number (for comparing options) and its text in the page's
//! language (for showing it), so that the page shows exactly what `trappe run` writes.

use crate::report::folder::ResultsFolder;
use crate::report::folder::tables::SummaryRow;
use crate::report::html::Page;
use crate::report::lang::Lang;
use serde_json::{Value, json};

/// How a figure's number reads, and how the difference of two of them reads: the page
/// writes "+1.2 pp" for shares and "+1,234 DKK" for amounts.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A share of the cohort (0 to 1): written as a percentage.
    Share,
    /// A difference of shares: written in percentage points.
    Points,
    /// An amount in kroner.
    Dkk,
    /// A count of citizens.
    Count,
    /// A probability: written as a percentage.
    Probability,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Share => "share",
            Kind::Points => "pp",
            Kind::Dkk => "dkk",
            Kind::Count => "count",
            Kind::Probability => "probability",
        }
    }

    fn text(self, lang: Lang, v: f64) -> String {
        match self {
            Kind::Share | Kind::Probability => lang.percent(v),
            Kind::Points => lang.percentage_points(v),
            Kind::Dkk => lang.dkk(v),
            Kind::Count => lang.number(v, 1),
        }
    }
}

/// The row of `summary.csv` for `metric` and `arm`.
fn row<'a>(folder: &'a ResultsFolder, metric: &str, arm: &str) -> Option<&'a SummaryRow> {
    folder.summary.iter().find(|r| r.metric == metric && r.arm == arm)
}

/// One figure of the answer: its key, label, number and text, its 90 % interval over
/// replications and its Monte Carlo error.
fn figure(key: &str, label: &str, r: &SummaryRow, kind: Kind, lang: Lang) -> Option<Value> {
    let mean = r.mean?;
    let interval = match (r.p05, r.p95) {
        (Some(lo), Some(hi)) => {
            format!("{} {} {}", kind.text(lang, lo), lang.pick("to", "til"), kind.text(lang, hi))
        }
        _ => String::new(),
    };
    // The Monte Carlo error of a share is small: in percentage points, two decimals.
    let mcse = r.mcse.map(|e| match kind {
        Kind::Share | Kind::Points | Kind::Probability => {
            format!("± {} {}", lang.fixed(e * 100.0, 2), lang.pick("pp", "pct.-point"))
        }
        Kind::Dkk | Kind::Count => format!("± {}", kind.text(lang, e)),
    });
    Some(json!({
        "key": key,
        "label": label,
        "kind": kind.name(),
        "value": mean,
        "text": kind.text(lang, mean),
        "interval": interval,
        "mcse": r.mcse,
        "mcse_text": mcse.unwrap_or_default(),
    }))
}

/// The figures the page compares between options, in the order it shows them.
fn figures(folder: &ResultsFolder, lang: Lang) -> Vec<Value> {
    let mut out = Vec::new();
    let mut add = |key: &str, label: &str, metric: &str, arm: &str, kind: Kind| {
        if let Some(f) = row(folder, metric, arm).and_then(|r| figure(key, label, r, kind, lang)) {
            out.push(f);
        }
    };
    add(
        "self_supporting_scenario",
        lang.pick(
            "Self-supporting at the end, with the scenario",
            "Selvforsørgende ved slutningen, med scenariet",
        ),
        "self_supporting_share",
        "scenario",
        Kind::Share,
    );
    add(
        "self_supporting_counterfactual",
        lang.pick(
            "Self-supporting at the end, without (counterfactual)",
            "Selvforsørgende ved slutningen, uden (kontrafaktisk)",
        ),
        "self_supporting_share",
        "counterfactual",
        Kind::Share,
    );
    add(
        "self_supporting_effect",
        lang.pick("Effect on the self-supporting share", "Effekt på andelen selvforsørgende"),
        "self_supporting_share",
        "difference",
        Kind::Points,
    );
    add(
        "extra_self_supporting",
        lang.pick(
            "Extra self-supporting citizens at the end",
            "Flere selvforsørgende borgere ved slutningen",
        ),
        "extra_self_supporting",
        "effect",
        Kind::Count,
    );
    add(
        "net_effect",
        lang.pick("Net municipal effect (+ = saving)", "Kommunal nettoeffekt (+ = besparelse)"),
        "net_municipal_effect",
        "effect",
        Kind::Dkk,
    );
    add(
        "net_effect_pv",
        lang.pick("Net municipal effect, present value", "Kommunal nettoeffekt, nutidsværdi"),
        "net_municipal_effect_pv",
        "effect",
        Kind::Dkk,
    );
    add(
        "net_effect_positive",
        lang.pick(
            "Probability that a realised cohort saves money",
            "Sandsynlighed for, at en faktisk kohorte sparer penge",
        ),
        "net_effect_positive",
        "effect",
        Kind::Probability,
    );
    let targets: Vec<(String, String)> = folder
        .summary
        .iter()
        .filter(|r| r.section == "target" && r.arm == "scenario" && r.metric.ends_with("_probability"))
        .map(|r| (r.metric.clone(), r.label.clone()))
        .collect();
    for (metric, label) in targets {
        for (arm, words) in [
            ("scenario", lang.pick("with the scenario", "med scenariet")),
            ("counterfactual", lang.pick("without", "uden")),
        ] {
            let text = format!("{} {label} ({words})", lang.pick("P(met):", "P(opfyldt):"));
            add(&format!("{metric}:{arm}"), &text, &metric, arm, Kind::Probability);
        }
    }
    out
}

/// The expected net municipal effect with both kinds of interval: over what we don't
/// know (the parameters' draws) and what chance does (one realised cohort).
fn net_effect(folder: &ResultsFolder, lang: Lang) -> Value {
    let Some(r) = row(folder, "net_municipal_effect", "effect") else {
        return Value::Null;
    };
    let dkk = |v: Option<f64>| v.map(|v| lang.dkk(v)).unwrap_or_else(|| lang.not_available().into());
    let to = lang.pick("to", "til");
    let expected = r.expected.or(r.mean);
    json!({
        "expected": expected,
        "expected_text": dkk(expected),
        "parameters_p05": r.expected_p05,
        "parameters_p95": r.expected_p95,
        "parameters_text": format!("{} {to} {}", dkk(r.expected_p05), dkk(r.expected_p95)),
        "chance_sd": r.chance_sd,
        "chance_text": format!("± {}", dkk(r.chance_sd)),
        "replications_text": format!("{} {to} {}", dkk(r.p05), dkk(r.p95)),
        "mcse": r.mcse,
        "mcse_text": format!("± {}", dkk(r.mcse)),
    })
}

/// Money per budget year: each item's difference between the arms (the net municipal
/// effect as its effect), with the years as columns.
fn budget_years(folder: &ResultsFolder, lang: Lang) -> Value {
    let mut years: Vec<String> = Vec::new();
    let mut items: Vec<(String, String)> = Vec::new();
    for r in &folder.budget_years {
        if !years.contains(&r.year) {
            years.push(r.year.clone());
        }
        if (r.arm == "difference" || r.arm == "effect") && !items.iter().any(|(k, _)| *k == r.item) {
            items.push((r.item.clone(), r.item_name(lang == Lang::Da).to_string()));
        }
    }
    let rows: Vec<Value> = items
        .iter()
        .map(|(item, name)| {
            let cells: Vec<Value> = years
                .iter()
                .map(|year| {
                    let r = folder.budget_years.iter().find(|r| {
                        r.year == *year && r.item == *item && (r.arm == "difference" || r.arm == "effect")
                    });
                    match r.and_then(|r| r.mean) {
                        Some(v) => json!({"value": v, "text": lang.signed_amount(v)}),
                        None => json!({"value": null, "text": ""}),
                    }
                })
                .collect();
            json!({"item": item, "name": name, "cells": cells})
        })
        .collect();
    let years: Vec<String> = years
        .into_iter()
        .map(|y| if y == "total" { lang.pick("total", "i alt").to_string() } else { y })
        .collect();
    json!({
        "unit": lang.pick(
            "DKK, scenario against counterfactual (money items: scenario − counterfactual; net municipal effect: + = saving)",
            "kr., scenariet mod det kontrafaktiske forløb (beløbsposter: scenariet − uden; kommunal nettoeffekt: + = besparelse)"
        ),
        "years": years,
        "rows": rows,
    })
}

/// The numbers of `summary.csv` as read back: the figures `trappe run` writes, by
/// section, metric and arm.
fn summary(folder: &ResultsFolder) -> Vec<Value> {
    folder
        .summary
        .iter()
        .map(|r| {
            json!({
                "section": r.section, "metric": r.metric, "arm": r.arm, "unit": r.unit,
                "mean": r.mean, "median": r.median, "p05": r.p05, "p95": r.p95, "mcse": r.mcse,
                "sd": r.sd, "n": r.n, "label": r.label, "expected": r.expected,
                "expected_p05": r.expected_p05, "expected_p95": r.expected_p95,
                "chance_sd": r.chance_sd, "parameter_share": r.parameter_share,
            })
        })
        .collect()
}

/// The answer for one option from its results folder, in `lang`: the figures, the net
/// effect with both intervals, the money per budget year, the headline sentences, the
/// charts (inline SVG) of `page` (the report's [`contents`](crate::report::html::contents)
/// of the folder) and every number of `summary.csv`. `full` is the scenario's own number
/// of replications: an answer from fewer says it is a quick one.
pub fn answer(folder: &ResultsFolder, lang: Lang, full: u32, page: &Page) -> Value {
    let replications = folder.provenance.replications;
    let quick = replications < full;
    let net = net_effect(folder, lang);
    let note = {
        let mcse = net.get("mcse_text").and_then(Value::as_str).unwrap_or("");
        match (lang, quick) {
            (Lang::En, true) => format!(
                "Quick answer from {replications} of {full} replications: the net effect's Monte Carlo error is {mcse} (s.e.); refining…"
            ),
            (Lang::En, false) => format!(
                "Full answer from {replications} replications: the net effect's Monte Carlo error is {mcse} (s.e.)."
            ),
            (Lang::Da, true) => format!(
                "Hurtigt svar fra {replications} af {full} replikationer: nettoeffektens Monte Carlo-fejl er {mcse} (s.e.); forfiner…"
            ),
            (Lang::Da, false) => format!(
                "Fuldt svar fra {replications} replikationer: nettoeffektens Monte Carlo-fejl er {mcse} (s.e.)."
            ),
        }
    };
    let charts: Vec<Value> = page.charts.iter().map(|(id, svg)| json!({"id": id, "svg": svg})).collect();
    json!({
        "replications": replications,
        "full_replications": full,
        "quick": quick,
        "seed": folder.provenance.seed,
        "note": note,
        "footer": crate::report::html::footer(folder, lang),
        "figures": figures(folder, lang),
        "net_effect": net,
        "budget_years": budget_years(folder, lang),
        "headline": page.brief,
        "charts": charts,
        "summary": summary(folder),
    })
}
