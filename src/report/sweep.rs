//! The results of a sweep: `sweep.csv` (one row per level), the manifest `run.toml`
//! saying what was run, and the terminal table. Both files are written
//! into a staging folder that becomes the output folder only when both are complete.

mod terminal;

use crate::analysis::stats::Summary;
use crate::analysis::sweep::{LevelFigures, Measure};
use crate::analysis::uncertainty::Split;
use crate::input::scenario::LoadedScenario;
use crate::input::vary::Vary;
use crate::model::Model;
use crate::report::files::csv_file::{Cell, CsvFile, write_rows};
use crate::report::files::manifest::Manifest;
use crate::report::files::output_error::OutputError;
use crate::report::files::staging::Staging;
use crate::report::lang::Lang;
use crate::schema::outcomes::target_probability_name;
use crate::simulation::driver::Engine;
use serde::Serialize;
use std::path::PathBuf;

/// How a sweep was run: its `--vary` axes and the simulation every level shares.
#[derive(Debug, Clone)]
pub struct SweepSpec<'a> {
    /// The `--vary` arguments: the first varies fastest, and the marginal effect is along it.
    pub axes: &'a [Vary],
    /// The seed of every level.
    pub seed: u64,
    /// Replications per level.
    pub replications: u32,
    /// Replications per outer draw of the parameters.
    pub inner_replications: u32,
    /// Worker threads.
    pub threads: usize,
    /// The engine.
    pub engine: Engine,
    /// The probability of meeting a target asked for (`--target-probability`).
    pub target_probability: f64,
}

/// One level (a cell of a grid) and its figures.
#[derive(Debug, Clone)]
pub struct SweepCell {
    /// The level's index along each axis.
    pub at: Vec<usize>,
    /// Its figures.
    pub figures: LevelFigures,
    /// Whether the level cuts staff (a hire of negative FTE), which the terminal words.
    pub cuts: bool,
}

/// What a finished sweep reports.
#[derive(Debug, Clone)]
pub struct SweepReport {
    /// The terminal table and sentences.
    pub summary: String,
    /// Where the results are.
    pub out: PathBuf,
    /// Files written.
    pub files: Vec<String>,
}

/// The files of a sweep's folder, in the order the manifest lists them.
const FILES: [&str; 2] = ["sweep.csv", "run.toml"];

/// The statistics written per measure, after its mean: the 90 % interval over realised
/// cohorts, and the expected value's 90 % interval over what we don't know with the
/// spread of a cohort by chance around it.
const MEASURE_STATS: [&str; 5] = ["p05", "p95", "expected_p05", "expected_p95", "chance_sd"];

/// The statistics of a marginal effect, after its mean.
const MARGINAL_STATS: [&str; 2] = ["p05", "p95"];

/// The header of `sweep.csv`: one column per `--vary` (named by its path), the
/// measures, the probabilities, each target's probability and the marginal effects.
pub fn sweep_header(axes: &[Vary], targets: usize) -> Vec<String> {
    let mut h: Vec<String> = axes.iter().map(|a| a.path.clone()).collect();
    for m in Measure::ALL {
        h.push(m.name().to_string());
        h.extend(MEASURE_STATS.iter().map(|s| format!("{}_{s}", m.name())));
    }
    h.push("probability_expected_favourable".into());
    h.push("probability_cohort_saves".into());
    h.extend((0..targets).map(target_probability_name));
    for m in Measure::MARGINAL {
        h.push(format!("marginal_{}", m.name()));
        h.extend(MARGINAL_STATS.iter().map(|s| format!("marginal_{}_{s}", m.name())));
    }
    h
}

/// One row of `sweep.csv`.
fn sweep_row(axes: &[Vary], cell: &SweepCell) -> Vec<Cell> {
    let f = &cell.figures;
    // A level is a decimal number as `--vary` made it.
    let mut r: Vec<Cell> =
        axes.iter().zip(&cell.at).map(|(a, &i)| Cell::Decimal(a.levels[i].clone())).collect();
    for m in &f.measures {
        r.extend([m.summary.mean, m.summary.p05, m.summary.p95].map(Cell::number));
        r.extend(split_cells(m.split));
    }
    r.push(Cell::number_or_empty(f.probability_expected_favourable));
    r.push(Cell::number(f.probability_cohort_saves));
    r.extend(f.target_probabilities.iter().map(|p| Cell::number(*p)));
    for k in 0..Measure::MARGINAL.len() {
        let s: Option<&Summary> = f.marginal.as_ref().map(|m| &m[k]);
        r.extend(match s {
            Some(s) => [s.mean, s.p05, s.p95].map(Cell::number).to_vec(),
            None => vec![Cell::empty(); 1 + MARGINAL_STATS.len()],
        });
    }
    r
}

/// The cells of the split: empty with one cohort per parameter draw.
fn split_cells(s: Option<Split>) -> Vec<Cell> {
    match s {
        Some(s) => [s.expected_p05, s.expected_p95, s.chance_sd].map(Cell::number).to_vec(),
        None => vec![Cell::empty(); 3],
    }
}

/// Writes `sweep.csv`.
pub fn write_sweep_csv(
    file: &CsvFile,
    spec: &SweepSpec,
    targets: usize,
    cells: &[SweepCell],
) -> Result<(), OutputError> {
    let header = sweep_header(spec.axes, targets);
    write_rows(file, &header, cells.iter().map(|c| sweep_row(spec.axes, c)))
}

/// One `--vary` as the manifest records it.
#[derive(Debug, Serialize)]
struct VaryRecord {
    /// The key.
    path: String,
    /// FROM, TO and STEP as given.
    from: String,
    to: String,
    step: String,
    /// Every level, in order.
    levels: Vec<String>,
}

/// The manifest of a sweep: that of a run of the scenario with the `--set` values (its
/// file as read, and resolved without the varied keys' levels), and the sweep's axes.
#[derive(Debug, Serialize)]
struct SweepManifest {
    /// Always "sweep": the folder holds a sweep, not a run's files.
    kind: &'static str,
    #[serde(flatten)]
    run: Manifest,
    /// The probability of meeting a target asked for.
    target_probability: f64,
    /// The `--vary` arguments, the first varying fastest in `sweep.csv`.
    vary: Vec<VaryRecord>,
}

/// Writes `sweep.csv` and `run.toml` into `staging`, moves it into place and returns
/// the terminal summary in `lang`. `sc` and `model` are the scenario with its `--set` values,
/// without the levels.
pub fn write_sweep(
    staging: Staging,
    sc: &LoadedScenario,
    model: &Model,
    spec: &SweepSpec,
    cells: &[SweepCell],
    lang: Lang,
) -> anyhow::Result<SweepReport> {
    write_sweep_csv(&staging.csv("sweep.csv"), spec, model.targets.len(), cells)?;
    let files: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    let mut run =
        Manifest::new(sc, model, spec.seed, spec.replications, Some(spec.threads), 0, files.clone());
    run.engine = spec.engine.name().to_string();
    run.inner_replications = spec.inner_replications;
    run.csv_dialect = staging.csv_dialect();
    let manifest = SweepManifest {
        kind: "sweep",
        run,
        target_probability: spec.target_probability,
        vary: spec
            .axes
            .iter()
            .map(|a| VaryRecord {
                path: a.path.clone(),
                from: a.from.clone(),
                to: a.to.clone(),
                step: a.step.clone(),
                levels: a.levels.clone(),
            })
            .collect(),
    };
    let path = staging.file("run.toml");
    let text = toml::to_string(&manifest).map_err(OutputError::from)?;
    std::fs::write(&path, text).map_err(|source| OutputError::File { path: path.clone(), source })?;
    let out = staging.commit()?;
    let summary = terminal::summary(model, sc, spec, cells, lang);
    Ok(SweepReport { summary, out, files })
}
