//! What `trappe sensitivity` shows: the tornado in text, the value of information, the
//! acceptability curves, the threshold and the grid; and its files
//! (`sensitivity.csv`, `sensitivity_acceptability.csv`,
//! `sensitivity_value_of_information.csv`, `sensitivity_threshold.csv`,
//! `sensitivity_threshold_scan.csv`, `sensitivity_grid.csv`, `sensitivity.toml`).

use crate::analysis::decision::{Acceptability, DrawValues, ValueOfInformation, Valued};
use crate::analysis::sensitivity::{Crossing, HIGH_QUANTILE, LOW_QUANTILE, tornado_order};
use crate::analysis::sweep::Measure;
use crate::commands::sensitivity::{Grid, Key, PRECISION, SensitivityRun, TORNADO_MEASURES, Threshold};
use crate::numbers::{dkk, fixed, fmt_sig, percent};
use crate::report::compare::{parameter_values, write_acceptability_csv, write_value_of_information_csv};
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::csv_file::{Cell, CsvFile, write_rows};
use crate::report::files::manifest::{Manifest, command_line};
use crate::report::files::output_error::OutputError;
use crate::report::files::staging::Staging;
use serde::Serialize;
use std::fmt::Write;

/// Rows of each tornado shown on the terminal (every lever is in `sensitivity.csv`).
pub const TORNADO_ROWS: usize = 10;

/// Width of a tornado's bars, in characters.
const BAR_WIDTH: usize = 24;

/// A measure's value as the terminal shows it.
fn shown(m: Measure, v: f64) -> String {
    match m {
        Measure::SelfSupportingShare | Measure::EmploymentShare => percent(v),
        Measure::ExtraSelfSupporting | Measure::ExtraEmployed => fixed(v, 1),
        _ => dkk(v),
    }
}

/// A parameter value as the terminal shows it: three significant digits.
fn value(v: f64) -> String {
    fmt_sig(v, 3)
}

/// The terminal text.
pub fn terminal(s: &SensitivityRun) -> String {
    let mut o = String::new();
    let run = &s.run;
    let _ = writeln!(o, "\nWhich assumption matters");
    let _ = writeln!(
        o,
        "One-way: each uncertain parameter{} from its {:.0}th to its {:.0}th percentile, the others at their \
         means; {} replications per level on the same random numbers{}, {} engine, seed {}. Chance in the \
         cohort is averaged out; the swing's Monte Carlo error is in sensitivity.csv.",
        if s.levers.iter().any(|l| l.group) { " (or named group)" } else { "" },
        LOW_QUANTILE * 100.0,
        HIGH_QUANTILE * 100.0,
        s.level_replications,
        if s.level_replications_fixed {
            String::new()
        } else if s.level_replications
            < s.run.replications.max(crate::commands::sensitivity::DEFAULT_LEVEL_REPLICATIONS)
        {
            format!(
                " (enough for every swing's Monte Carlo error to be within {} of the widest)",
                percent(PRECISION)
            )
        } else {
            format!(
                " (the most without --level-replications; some swings' Monte Carlo error is still more than {} of \
                 the widest)",
                percent(PRECISION)
            )
        },
        s.level_engine.name(),
        run.seed,
    );
    if s.levers.is_empty() {
        let _ = writeln!(o, "  The scenario has no uncertain parameter: every parameter is a fixed number.");
    }
    for (oi, option) in run.options.iter().enumerate() {
        for (mi, &m) in TORNADO_MEASURES.iter().enumerate() {
            tornado(&mut o, s, oi, &option.name, mi, m);
        }
    }
    acceptability(&mut o, s);
    parameter_values(&mut o, run);
    if let Some(t) = &s.threshold {
        threshold(&mut o, s, t);
    }
    if let Some(g) = &s.grid {
        grid(&mut o, s, g);
    }
    o
}

/// One tornado: the levers by swing, with a bar from the low level's value to the high's.
fn tornado(o: &mut String, s: &SensitivityRun, option: usize, name: &str, mi: usize, m: Measure) {
    if s.levers.is_empty() {
        return;
    }
    let one = &s.one_way[option];
    let swings: Vec<f64> = one.swings.iter().map(|w| w[mi].swing).collect();
    let order = tornado_order(&swings);
    let what = match m {
        Measure::NetMunicipalEffect => "expected net municipal effect over the horizon, DKK",
        _ => "expected extra self-supporting citizens at the horizon",
    };
    let at_means = one.at_means[mi];
    let _ = writeln!(o, "\n{name}: {what} (at the means: {})", shown(m, at_means));
    let shown_rows: Vec<usize> = order.iter().copied().take(TORNADO_ROWS).collect();
    let mut lo = at_means;
    let mut hi = at_means;
    for &i in &shown_rows {
        let w = one.swings[i][mi];
        for v in [w.at_low, w.at_high] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let pos = |v: f64| -> usize {
        if hi > lo {
            (((v - lo) / (hi - lo)) * (BAR_WIDTH - 1) as f64).round() as usize
        } else {
            BAR_WIDTH / 2
        }
    };
    let name_w = shown_rows.iter().map(|&i| s.levers[i].name.chars().count()).max().unwrap_or(9).clamp(9, 44);
    let _ = writeln!(
        o,
        "     {:<name_w$} {:>21} {:>13} {:>13} {:>12}  ░ lower end, █ upper end, │ at the means",
        "parameter", "5th → 95th percentile", "at the 5th", "at the 95th", "swing",
    );
    for (rank, &i) in shown_rows.iter().enumerate() {
        let lever = &s.levers[i];
        let w = one.swings[i][mi];
        let range = if lever.group {
            format!("group of {}", lever.members.len())
        } else {
            format!("{} → {}", value(lever.members[0].low), value(lever.members[0].high))
        };
        let mut bar: Vec<char> = vec![' '; BAR_WIDTH];
        if w.at_low.is_finite() && w.at_high.is_finite() {
            let (a, b, c) = (pos(w.at_low), pos(at_means), pos(w.at_high));
            for (k, ch) in bar.iter_mut().enumerate() {
                if (k >= a.min(b) && k <= a.max(b)) && a != b {
                    *ch = '░';
                }
                if (k >= c.min(b) && k <= c.max(b)) && c != b {
                    *ch = '█';
                }
            }
            bar[b] = '│';
        }
        let noise = if w.swing < 2.0 * w.monte_carlo_se { " (within Monte Carlo error)" } else { "" };
        let mut label = lever.name.clone();
        if label.chars().count() > name_w {
            label = format!(
                "…{}",
                label
                    .chars()
                    .rev()
                    .take(name_w - 1)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<String>()
            );
        }
        let _ = writeln!(
            o,
            "  {:>2} {:<name_w$} {:>21} {:>13} {:>13} {:>12}  {}{noise}",
            rank + 1,
            label,
            range,
            shown(m, w.at_low),
            shown(m, w.at_high),
            shown(m, w.swing),
            bar.into_iter().collect::<String>(),
        );
    }
    if order.len() > shown_rows.len() {
        let _ = writeln!(o, "  … and {} more in sensitivity.csv", order.len() - shown_rows.len());
    }
    for &i in &shown_rows {
        let lever = &s.levers[i];
        if lever.group {
            let _ = writeln!(o, "  {}: {}", lever.name, lever.member_list());
        }
    }
}

/// The candidates' names: the baseline, then the options in the order given.
fn candidates(s: &SensitivityRun) -> Vec<String> {
    std::iter::once("baseline".to_string()).chain(s.run.options.iter().map(|o| o.name.clone())).collect()
}

/// The acceptability curves at five prices each, and the value of perfect information.
fn acceptability(o: &mut String, s: &SensitivityRun) {
    let run = &s.run;
    let basis = match run.draw_values {
        DrawValues::ShrunkMeans => "over what we don't know",
        DrawValues::PerReplication(_) => "over realised cohorts (chance included: one cohort per draw)",
    };
    let names = candidates(s);
    let _ = writeln!(
        o,
        "\nWhich is best if each unit of the outcome is worth a price (DKK) on top of the net municipal effect: \
         P(best) {basis}, from {} replications ({} draws of the parameters); and what knowing every uncertain \
         parameter before choosing would be worth (expected value of perfect information)",
        run.replications, run.decision_draws
    );
    for (valued, curve) in [
        (Valued::ExtraSelfSupporting, &run.acceptability),
        (Valued::BenefitMonthsAvoided, &run.acceptability_per_month),
    ] {
        if curve.is_empty() {
            continue;
        }
        let _ = writeln!(o, "  per {}:", valued.unit());
        let n = curve.len();
        let mut picks: Vec<usize> = (0..5).map(|k| k * (n - 1) / 4).collect();
        picks.dedup();
        for k in picks {
            let (a, v): &(Acceptability, ValueOfInformation) = &curve[k];
            let p: Vec<String> = std::iter::once(a.baseline)
                .chain(a.options.iter().copied())
                .zip(&names)
                .map(|(p, name)| format!("{name} {}", percent(p)))
                .collect();
            let _ = writeln!(
                o,
                "    at {:>9}: {}; perfect information worth {}",
                dkk(a.wtp),
                p.join(", "),
                dkk(v.value)
            );
        }
    }
}

/// The threshold search in sentences.
fn threshold(o: &mut String, s: &SensitivityRun, t: &Threshold) {
    let key = t.key.name();
    let how = match &t.key {
        Key::Parameter(..) => "an uncertain parameter held at each value, the others at their means",
        Key::Setting(_) => "a number of the scenario file, the uncertain parameters at their means",
    };
    let _ = writeln!(
        o,
        "\nThreshold of `{key}` ({how}; searched from {} to {})",
        value(t.range.0),
        value(t.range.1)
    );
    let targets = &s.run.options[0].model.targets;
    for r in &t.results {
        let name = &s.run.options[r.option].name;
        let (goal_text, first, last) = match r.target {
            None => (
                "breaks even (expected net municipal effect 0)".to_string(),
                t.scan[0].1[r.option].0,
                t.scan.last().map_or(f64::NAN, |x| x.1[r.option].0),
            ),
            Some(ti) => (
                format!("meets `{}` with probability {}", targets[ti].name, percent(s.target_probability)),
                t.scan[0].1[r.option].1[ti],
                t.scan.last().map_or(f64::NAN, |x| x.1[r.option].1[ti]),
            ),
        };
        let fmt = |v: f64| if r.target.is_some() { percent(v) } else { dkk(v) };
        let (a, b) = (value(t.range.0), value(t.range.1));
        let ends = format!("{} at {a}, {} at {b}", fmt(first), fmt(last));
        let line = match (r.crossing, r.value, r.target) {
            (Crossing::Between(..), Some(v), _) => {
                let side = if last > first { "at and above" } else { "at and below" };
                format!("{name} {goal_text} {side} `{key}` = {}", value(v))
            }
            (Crossing::AlwaysBelow, _, None) => format!(
                "{name} does not break even anywhere from {a} to {b} (expected net municipal effect {ends}); \
                 a wider range: --threshold '{key}=FROM..TO'"
            ),
            (Crossing::AlwaysAbove, _, None) => {
                format!(
                    "{name} saves money everywhere from {a} to {b} (expected net municipal effect {ends})"
                )
            }
            (Crossing::AlwaysBelow, _, Some(ti)) => format!(
                "{name} does not meet `{}` with probability {} anywhere from {a} to {b} (P(met) {ends})",
                targets[ti].name,
                percent(s.target_probability)
            ),
            (Crossing::AlwaysAbove, _, Some(ti)) => format!(
                "{name} meets `{}` with probability {} or more everywhere from {a} to {b} (P(met) {ends})",
                targets[ti].name,
                percent(s.target_probability)
            ),
            _ => format!("{name} {goal_text}: not defined on this range"),
        };
        let _ = writeln!(o, "  {line}");
    }
}

/// The best candidate of a grid cell: the highest expected net effect, the baseline
/// counting 0, ties to the one listed first.
pub fn best_of(cell: &[(f64, f64)]) -> usize {
    let mut best = (0usize, 0.0f64);
    for (i, (net, _)) in cell.iter().enumerate() {
        if *net > best.1 {
            best = (i + 1, *net);
        }
    }
    best.0
}

/// The grid: the expected net effect of each option, and the best option.
fn grid(o: &mut String, s: &SensitivityRun, g: &Grid) {
    let names = candidates(s);
    let (n0, n1) = (g.levels[0].len(), g.levels[1].len());
    let _ = writeln!(
        o,
        "\nTwo-way: `{}` across, `{}` down; the other uncertain parameters at their means",
        g.keys[0].name(),
        g.keys[1].name()
    );
    let w = 13usize.max(names.iter().map(|n| n.chars().count()).max().unwrap_or(0) + 1);
    let header: String = g.levels[0].iter().map(|v| format!("{:>w$}", value(*v))).collect();
    for (oi, option) in s.run.options.iter().enumerate() {
        let _ = writeln!(o, "  {}: expected net municipal effect, DKK", option.name);
        let _ = writeln!(o, "  {:>12}{header}", "");
        for j in 0..n1 {
            let row: String = (0..n0).map(|i| format!("{:>w$}", dkk(g.cells[j * n0 + i][oi].0))).collect();
            let _ = writeln!(o, "  {:>12}{row}", value(g.levels[1][j]));
        }
    }
    let _ = writeln!(o, "  Best (highest expected net municipal effect; the baseline counts 0)");
    let _ = writeln!(o, "  {:>12}{header}", "");
    for j in 0..n1 {
        let row: String = (0..n0).map(|i| format!("{:>w$}", names[best_of(&g.cells[j * n0 + i])])).collect();
        let _ = writeln!(o, "  {:>12}{row}", value(g.levels[1][j]));
    }
}

// ---------------------------------------------------------------- files

/// The columns of `sensitivity.csv`.
pub const SENSITIVITY_COLUMNS: [&str; 13] = [
    "option",
    "measure",
    "rank",
    "parameter",
    "members",
    "low_value",
    "high_value",
    "at_means",
    "at_low",
    "at_high",
    "swing",
    "monte_carlo_se",
    "level_replications",
];

/// `sensitivity.csv`: per option, measure and lever (widest swing first), the expected
/// value with the lever at its 5th and 95th percentile and the others at their means.
fn write_sensitivity_csv(file: &CsvFile, s: &SensitivityRun) -> Result<(), OutputError> {
    let header: Vec<String> = SENSITIVITY_COLUMNS.map(String::from).to_vec();
    let mut rows = Vec::new();
    for (oi, option) in s.run.options.iter().enumerate() {
        let one = &s.one_way[oi];
        for (mi, m) in TORNADO_MEASURES.iter().enumerate() {
            let swings: Vec<f64> = one.swings.iter().map(|w| w[mi].swing).collect();
            for (rank, i) in tornado_order(&swings).into_iter().enumerate() {
                let lever = &s.levers[i];
                let w = one.swings[i][mi];
                let (low, high) = if lever.group {
                    (Cell::empty(), Cell::empty())
                } else {
                    (Cell::number(lever.members[0].low), Cell::number(lever.members[0].high))
                };
                rows.push(vec![
                    option.name.as_str().into(),
                    m.name().into(),
                    (rank + 1).to_string().into(),
                    lever.name.as_str().into(),
                    lever.member_list().into(),
                    low,
                    high,
                    Cell::number(one.at_means[mi]),
                    Cell::number(w.at_low),
                    Cell::number(w.at_high),
                    Cell::number(w.swing),
                    Cell::number(w.monte_carlo_se),
                    s.level_replications.to_string().into(),
                ]);
            }
        }
    }
    write_rows(file, &header, rows.into_iter())
}

/// The columns of `sensitivity_threshold.csv`.
pub const THRESHOLD_COLUMNS: [&str; 8] =
    ["key", "option", "goal", "goal_value", "value", "found", "range_from", "range_to"];

/// The columns of `sensitivity_threshold_scan.csv`.
pub const THRESHOLD_SCAN_COLUMNS: [&str; 4] = ["key_value", "option", "figure", "value"];

/// The name of a threshold's goal: `break_even`, or `target:<name>`.
fn goal_name(s: &SensitivityRun, target: Option<usize>) -> String {
    match target {
        None => "break_even".into(),
        Some(t) => format!("target:{}", s.run.options[0].model.targets[t].name),
    }
}

/// `sensitivity_threshold.csv` and `sensitivity_threshold_scan.csv`.
fn write_threshold_csvs(staging: &Staging, s: &SensitivityRun, t: &Threshold) -> Result<(), OutputError> {
    let header: Vec<String> = THRESHOLD_COLUMNS.map(String::from).to_vec();
    let rows = t.results.iter().map(|r| {
        let found = match r.crossing {
            Crossing::Between(..) => "crossing",
            Crossing::AlwaysAbove => "above_everywhere",
            Crossing::AlwaysBelow => "below_everywhere",
            Crossing::Undefined => "undefined",
        };
        vec![
            t.key.name().into(),
            s.run.options[r.option].name.as_str().into(),
            goal_name(s, r.target).into(),
            Cell::number(if r.target.is_some() { s.target_probability } else { 0.0 }),
            Cell::number_or_empty(r.value),
            found.into(),
            Cell::number(t.range.0),
            Cell::number(t.range.1),
        ]
    });
    write_rows(&staging.csv("sensitivity_threshold.csv"), &header, rows)?;
    let header: Vec<String> = THRESHOLD_SCAN_COLUMNS.map(String::from).to_vec();
    let mut rows = Vec::new();
    for (x, per_option) in &t.scan {
        for (oi, (net, targets)) in per_option.iter().enumerate() {
            let name = &s.run.options[oi].name;
            rows.push(vec![
                Cell::number(*x),
                name.as_str().into(),
                "expected_net_municipal_effect".into(),
                Cell::number(*net),
            ]);
            for (ti, p) in targets.iter().enumerate() {
                rows.push(vec![
                    Cell::number(*x),
                    name.as_str().into(),
                    format!("probability_met:{}", s.run.options[0].model.targets[ti].name).into(),
                    Cell::number(*p),
                ]);
            }
        }
    }
    write_rows(&staging.csv("sensitivity_threshold_scan.csv"), &header, rows.into_iter())
}

/// The columns of `sensitivity_grid.csv`.
pub const GRID_COLUMNS: [&str; 8] = [
    "first_key",
    "first_value",
    "second_key",
    "second_value",
    "option",
    "expected_net_municipal_effect",
    "expected_extra_self_supporting",
    "best",
];

/// `sensitivity_grid.csv`: per cell and option, the expected figures and the best candidate.
fn write_grid_csv(file: &CsvFile, s: &SensitivityRun, g: &Grid) -> Result<(), OutputError> {
    let header: Vec<String> = GRID_COLUMNS.map(String::from).to_vec();
    let names = candidates(s);
    let n0 = g.levels[0].len();
    let mut rows = Vec::new();
    for (c, cell) in g.cells.iter().enumerate() {
        let (i, j) = (c % n0, c / n0);
        let best = &names[best_of(cell)];
        for (oi, (net, extra)) in cell.iter().enumerate() {
            rows.push(vec![
                g.keys[0].name().into(),
                Cell::number(g.levels[0][i]),
                g.keys[1].name().into(),
                Cell::number(g.levels[1][j]),
                s.run.options[oi].name.as_str().into(),
                Cell::number(*net),
                Cell::number(*extra),
                best.as_str().into(),
            ]);
        }
    }
    write_rows(file, &header, rows.into_iter())
}

/// `sensitivity.toml`: what was analysed and how.
#[derive(Debug, Serialize)]
struct SensitivityManifest {
    program: String,
    version: String,
    command: String,
    kind: &'static str,
    seed: u64,
    replications: u32,
    inner_replications: u32,
    level_replications: u32,
    threads: usize,
    engine: String,
    level_engine: String,
    groups: Vec<String>,
    threshold: Option<String>,
    grid: Vec<String>,
    target_probability: f64,
    files: Vec<String>,
    /// The dialect of the CSV files (absent for the standard one).
    #[serde(skip_serializing_if = "CsvDialect::is_standard")]
    csv_dialect: CsvDialect,
    options: Vec<Manifest>,
}

/// Writes every file of a sensitivity analysis into `staging`; returns their names.
pub fn write_sensitivity(staging: &Staging, s: &SensitivityRun) -> Result<Vec<String>, OutputError> {
    let run = &s.run;
    let mut files = vec![
        "sensitivity.csv".to_string(),
        "sensitivity_acceptability.csv".to_string(),
        "sensitivity_value_of_information.csv".to_string(),
    ];
    write_sensitivity_csv(&staging.csv("sensitivity.csv"), s)?;
    write_acceptability_csv(&staging.csv("sensitivity_acceptability.csv"), run)?;
    write_value_of_information_csv(&staging.csv("sensitivity_value_of_information.csv"), run)?;
    if let Some(t) = &s.threshold {
        write_threshold_csvs(staging, s, t)?;
        files.push("sensitivity_threshold.csv".into());
        files.push("sensitivity_threshold_scan.csv".into());
    }
    if let Some(g) = &s.grid {
        write_grid_csv(&staging.csv("sensitivity_grid.csv"), s, g)?;
        files.push("sensitivity_grid.csv".into());
    }
    files.push("sensitivity.toml".into());
    let manifest = SensitivityManifest {
        program: "trappe".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: command_line(),
        kind: "sensitivity",
        seed: run.seed,
        replications: run.replications,
        inner_replications: run.inner_replications,
        level_replications: s.level_replications,
        threads: run.threads,
        engine: run.engine.name().into(),
        level_engine: s.level_engine.name().into(),
        groups: s
            .levers
            .iter()
            .filter(|l| l.group)
            .map(|l| format!("{}={}", l.name, l.member_list()))
            .collect(),
        threshold: s.threshold.as_ref().map(|t| format!("{}={}..{}", t.key.name(), t.range.0, t.range.1)),
        grid: s
            .grid
            .as_ref()
            .map(|g| (0..2).map(|k| format!("{}: {} levels", g.keys[k].name(), g.levels[k].len())).collect())
            .unwrap_or_default(),
        target_probability: s.target_probability,
        files: files.clone(),
        csv_dialect: staging.csv_dialect(),
        options: run
            .options
            .iter()
            .map(|o| {
                let mut m = Manifest::new(
                    &o.scenario,
                    &o.model,
                    run.seed,
                    run.replications,
                    Some(run.threads),
                    0,
                    Vec::new(),
                );
                m.inner_replications = run.inner_replications;
                m.inner_replications_note = run.inner_note.clone();
                m.engine = run.engine.name().to_string();
                m
            })
            .collect(),
    };
    let text = toml::to_string(&manifest)?;
    let path = staging.file("sensitivity.toml");
    std::fs::write(&path, text).map_err(|source| OutputError::File { path, source })?;
    Ok(files)
}
