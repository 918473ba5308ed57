//! What `trappe sensitivity` shows: the tornado in text, the value of information, the
//! acceptability curves, the threshold and the grid; and its files
//! (`sensitivity.csv`, `sensitivity_acceptability.csv`,
//! `sensitivity_value_of_information.csv`, `sensitivity_threshold.csv`,
//! `sensitivity_threshold_scan.csv`, `sensitivity_grid.csv`, `sensitivity.toml`).

use crate::analysis::sensitivity::{Crossing, tornado_order};
use crate::analysis::sensitivity_run::{Grid, SensitivityRun, TORNADO_MEASURES, Threshold};
use crate::report::compare::{option_manifests, write_acceptability_csv, write_value_of_information_csv};
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::csv_file::{Cell, CsvFile, write_rows};
use crate::report::files::manifest::{Manifest, command_line};
use crate::report::files::output_error::OutputError;
use crate::report::files::staging::Staging;
use serde::Serialize;

mod terminal;
pub use terminal::terminal;

/// Rows of each tornado shown on the terminal (every lever is in `sensitivity.csv`).
pub const TORNADO_ROWS: usize = 10;

/// Width of a tornado's bars, in characters.
const BAR_WIDTH: usize = 24;

/// The candidates' names: the baseline, then the options in the order given.
fn candidates(s: &SensitivityRun) -> Vec<String> {
    std::iter::once("baseline".to_string()).chain(s.run.options.iter().map(|o| o.name.clone())).collect()
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
        options: option_manifests(run),
    };
    let text = toml::to_string(&manifest)?;
    let path = staging.file("sensitivity.toml");
    std::fs::write(&path, text).map_err(|source| OutputError::File { path, source })?;
    Ok(files)
}
