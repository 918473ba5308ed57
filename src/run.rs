//! `trappe run`: from a scenario file to a results folder and a summary.
//!
//! A run is three steps: simulate replications and reduce each to its
//! outcomes ([`simulate_outcomes`]); summarise the outcomes and write every
//! file ([`write_results`]). `trappe run --shard I/N` does the first step for
//! its share of the replications and writes a partial result instead;
//! `trappe merge` reads the parts back and does the second step with the same
//! function, so a merged result is the same as a single run (see
//! [`crate::shard`]).

use crate::engine::{Engine, SimOptions, simulate_with};
use crate::model::{Arm, COUNTERFACTUAL, Model, SCENARIO};
use crate::outcomes::{OutcomePlan, RepOutcomes, Results, into_rep_outcomes, summarise_outcomes};
use crate::outputs::{self, Manifest, MergedPart, Staging};
use crate::scenario::LoadedScenario;
use crate::shard::Shard;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The arms every run simulates: the scenario (arm 0) and its counterfactual (arm 1).
pub const ARMS: [Arm; 2] = [SCENARIO, COUNTERFACTUAL];

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
    /// Run only this shard of the replications and write a partial result.
    pub shard: Option<Shard>,
    /// The engine (the count engine records no trajectories: asking for both is an error).
    pub engine: Engine,
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
    /// The folder is a partial result (one shard), to be combined with `trappe merge`.
    pub partial: bool,
}

/// The default output folder for a scenario: `results/<file stem>`.
pub fn default_out(scenario: &Path) -> PathBuf {
    let stem = scenario.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "run".into());
    PathBuf::from("results").join(stem)
}

/// Loads, simulates, summarises and writes a run (or, with a shard, one partial result).
pub fn run(cfg: &RunConfig) -> anyhow::Result<RunReport> {
    let sc = LoadedScenario::from_path(&cfg.scenario)?;
    let model = Model::from_scenario(&sc)?;
    let replications = cfg.replications.unwrap_or(model.replications);
    anyhow::ensure!(replications >= 1, "--replications must be at least 1");
    let seed = cfg.seed.unwrap_or(model.seed);
    let threads = cfg.threads.unwrap_or_else(rayon::current_num_threads);
    anyhow::ensure!(threads >= 1, "--threads must be at least 1");
    anyhow::ensure!(
        cfg.trajectories == 0 || cfg.engine == Engine::Individual,
        "--trajectories needs --engine individual: the count engine follows groups of \
         interchangeable citizens, not individual paths"
    );

    // Fail on an unusable output folder before spending time on simulation.
    let staging = Staging::begin(&cfg.out, cfg.force)?;

    let range = match cfg.shard {
        Some(shard) => shard.range(replications),
        None => 0..replications,
    };
    let outs =
        simulate_outcomes_with(&model, range, seed, threads, cfg.trajectories, cfg.progress, cfg.engine)?;
    match cfg.shard {
        Some(shard) => crate::shard::write_part(
            staging,
            &sc,
            &crate::shard::PartSpec {
                shard,
                seed,
                replications,
                threads,
                trajectories: cfg.trajectories,
                engine: cfg.engine,
            },
            outs,
        ),
        None => {
            let prov = Provenance {
                seed,
                replications,
                threads: Some(threads),
                trajectories: cfg.trajectories,
                engine: cfg.engine,
                merged_from: None,
            };
            write_results(staging, &sc, &model, outs, &prov)
        }
    }
}

/// Simulates the replications in `range` (both arms) and reduces each to its outcomes
/// as soon as it is done, so memory holds per-replication summaries, not raw cash
/// flows. Returns them in replication order. Trajectories (`trajectories` > 0) are
/// recorded from replication 0 if it is in the range.
pub fn simulate_outcomes(
    model: &Model,
    range: Range<u32>,
    seed: u64,
    threads: usize,
    trajectories: usize,
    progress: bool,
) -> anyhow::Result<Vec<RepOutcomes>> {
    simulate_outcomes_with(model, range, seed, threads, trajectories, progress, Engine::Individual)
}

/// [`simulate_outcomes`] with a chosen engine (the count engine records no trajectories).
pub fn simulate_outcomes_with(
    model: &Model,
    range: Range<u32>,
    seed: u64,
    threads: usize,
    trajectories: usize,
    progress: bool,
    engine: Engine,
) -> anyhow::Result<Vec<RepOutcomes>> {
    let count = range.end.saturating_sub(range.start);
    let bar = if progress && count > 0 && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(count as u64), ProgressDrawTarget::stderr());
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
    let opts = SimOptions {
        replications: count,
        seed,
        threads: Some(threads),
        trajectories,
        first_replication: range.start,
        engine,
    };
    let plan = OutcomePlan::new(model);
    let reduce = |r| into_rep_outcomes(model, &plan, r);
    let outs =
        simulate_with(model, &ARMS, &opts, &|| bar.inc(1), &reduce).context("cannot start worker threads")?;
    bar.finish_and_clear();
    Ok(outs)
}

/// What made a set of outcomes, for the manifest `run.toml`.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Seed.
    pub seed: u64,
    /// Replications in total.
    pub replications: u32,
    /// Worker threads of a single run, which also summarise and write its results (None
    /// for a merged result: each part has its own, and merging uses all cores).
    pub threads: Option<usize>,
    /// Individual paths recorded.
    pub trajectories: usize,
    /// The engine that simulated the replications.
    pub engine: Engine,
    /// The parts a merged result was combined from.
    pub merged_from: Option<Vec<MergedPart>>,
}

/// The CSV part of [`write_results`], on the current rayon pool: summarises the
/// outcomes, then writes the CSV files, all at once and each in parallel.
fn summarise_and_write(
    staging: &Staging,
    model: &Model,
    outs: Vec<RepOutcomes>,
    prov: &Provenance,
) -> anyhow::Result<Results> {
    use rayon::prelude::*;
    type Job<'a> = Box<dyn Fn() -> Result<(), outputs::OutputError> + Sync + 'a>;
    let res = summarise_outcomes(&ARMS, outs);
    let r = &res;
    let mut jobs: Vec<Job<'_>> = vec![
        Box::new(|| outputs::write_summary(&staging.file("summary.csv"), model, r)),
        Box::new(|| outputs::write_replications(&staging.file("replications.csv"), model, r)),
        Box::new(|| outputs::write_monthly(&staging.file("monthly.csv"), model, &ARMS, r)),
        Box::new(|| outputs::write_budget_years(&staging.file("budget_years.csv"), r)),
    ];
    if prov.trajectories > 0 {
        jobs.push(Box::new(|| {
            let rows: Vec<_> = r.reps.iter().flat_map(|o| o.trajectories.iter().cloned()).collect();
            outputs::write_trajectories(&staging.file("trajectories.csv"), &rows)
        }));
    }
    // Collected in file order, so the error reported is the first file's that failed.
    let written: Vec<_> = jobs.par_iter().map(|job| job()).collect();
    drop(jobs);
    written.into_iter().collect::<Result<(), _>>()?;
    Ok(res)
}

/// Summarises the outcomes of all replications (in replication order, numbered
/// 0..replications), writes every result file and the manifest into `staging`,
/// moves it into place and returns the terminal summary. Shared by `trappe run` and
/// `trappe merge`, so both write exactly the same files from the same outcomes. The work
/// runs on `prov.threads` worker threads (all cores if None); the files are the same,
/// byte for byte, for any number.
pub fn write_results(
    staging: Staging,
    sc: &LoadedScenario,
    model: &Model,
    outs: Vec<RepOutcomes>,
    prov: &Provenance,
) -> anyhow::Result<RunReport> {
    anyhow::ensure!(
        outs.len() == prov.replications as usize && outs.iter().zip(0..).all(|(o, r)| o.index == r),
        "internal error: the outcomes are not replications 0 to {} in order",
        prov.replications.saturating_sub(1)
    );
    // Summaries and files use the run's worker threads (a merged result: all cores).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(prov.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let res = pool.install(|| summarise_and_write(&staging, model, outs, prov))?;
    let mut files = vec![
        "summary.csv".to_string(),
        "replications.csv".to_string(),
        "monthly.csv".to_string(),
        "budget_years.csv".to_string(),
    ];
    if prov.trajectories > 0 {
        files.push("trajectories.csv".into());
    }
    files.push("run.toml".into());
    let mut manifest = Manifest::new(
        sc,
        model,
        prov.seed,
        prov.replications,
        prov.threads,
        prov.trajectories,
        files.clone(),
    );
    manifest.engine = prov.engine.name().to_string();
    manifest.merged_from = prov.merged_from.clone();
    manifest.write(&staging.file("run.toml"))?;
    let out = staging.commit()?;

    let summary = crate::terminal::summary(model, &res, prov.replications, prov.seed, prov.engine);
    Ok(RunReport { summary, out, files, partial: false })
}
