//! `trappe run`: from a scenario file to a results folder and a summary.

use crate::engine::{SimOptions, simulate_with};
use crate::model::{COUNTERFACTUAL, Model, SCENARIO};
use crate::outcomes::{rep_outcomes, summarise_outcomes};
use crate::outputs::{self, Manifest, Staging};
use crate::scenario::LoadedScenario;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Everything `trappe run` needs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Replications (overrides the file).
    pub replications: Option<u32>,
    /// Seed (overrides the file).
    pub seed: Option<u64>,
    /// Output folder.
    pub out: PathBuf,
    /// Replace an existing output folder.
    pub force: bool,
    /// Worker threads (None = all cores).
    pub threads: Option<usize>,
    /// Individual paths to write to `trajectories.csv`.
    pub trajectories: usize,
    /// Show a progress bar (only if stderr is a terminal).
    pub progress: bool,
}

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The terminal summary.
    pub summary: String,
    /// Where the results are.
    pub out: PathBuf,
    /// Files written.
    pub files: Vec<String>,
}

/// The default output folder for a scenario: `results/<file stem>`.
pub fn default_out(scenario: &Path) -> PathBuf {
    let stem = scenario.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "run".into());
    PathBuf::from("results").join(stem)
}

/// Loads, simulates, summarises and writes a run.
pub fn run(cfg: &RunConfig) -> anyhow::Result<RunReport> {
    let sc = LoadedScenario::from_path(&cfg.scenario)?;
    let model = Model::from_scenario(&sc)?;
    let replications = cfg.replications.unwrap_or(model.replications);
    anyhow::ensure!(replications >= 1, "--replications must be at least 1");
    let seed = cfg.seed.unwrap_or(model.seed);
    let threads = cfg.threads.unwrap_or_else(rayon::current_num_threads);
    anyhow::ensure!(threads >= 1, "--threads must be at least 1");

    // Fail on an unusable output folder before spending time on simulation.
    let staging = Staging::begin(&cfg.out, cfg.force)?;

    let bar = if cfg.progress && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(replications as u64), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} {bar:40} {pos}/{len} replications  {elapsed} elapsed, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let arms = [SCENARIO, COUNTERFACTUAL];
    let opts = SimOptions {
        replications,
        seed,
        threads: Some(threads),
        trajectories: cfg.trajectories,
        first_replication: 0,
    };
    // Each replication is reduced to its outcomes and monthly record as soon as it is
    // done, so memory holds per-replication summaries, not raw cash flows.
    let reduce = |r| rep_outcomes(&model, &r);
    let outs = simulate_with(&model, &arms, &opts, &|| bar.inc(1), &reduce)
        .context("cannot start worker threads")?;
    bar.finish_and_clear();

    let res = summarise_outcomes(&arms, outs);
    let mut files = vec![
        "summary.csv".to_string(),
        "replications.csv".to_string(),
        "monthly.csv".to_string(),
        "budget_years.csv".to_string(),
    ];
    outputs::write_summary(&staging.file("summary.csv"), &model, &res)?;
    outputs::write_replications(&staging.file("replications.csv"), &model, &res)?;
    outputs::write_monthly(&staging.file("monthly.csv"), &model, &arms, &res)?;
    outputs::write_budget_years(&staging.file("budget_years.csv"), &res)?;
    if cfg.trajectories > 0 {
        let rows: Vec<_> = res.reps.iter().flat_map(|r| r.trajectories.iter().cloned()).collect();
        outputs::write_trajectories(&staging.file("trajectories.csv"), &rows)?;
        files.push("trajectories.csv".into());
    }
    files.push("run.toml".into());
    Manifest::new(&sc, &model, seed, replications, threads, cfg.trajectories, files.clone())
        .write(&staging.file("run.toml"))?;
    let out = staging.commit()?;

    let summary = crate::terminal::summary(&model, &res, replications, seed);
    Ok(RunReport { summary, out, files })
}
