//! The results of a run as files: summarises the outcomes of all replications and
//! writes every result file and the manifest. `trappe run` and `trappe merge` both
//! write through [`write_results`], so a merged result is the same as a single run.

use crate::analysis::outcomes::{RepOutcomes, Results, summarise_outcomes};
use crate::input::scenario::LoadedScenario;
use crate::model::{ARMS, Model};
use crate::report::files::manifest::{Manifest, MergedPart};
use crate::report::files::output_error::OutputError;
use crate::report::files::staging::Staging;
use crate::report::files::{budget_years, monthly, replications, summary, trajectories};
use crate::report::lang::Lang;
use crate::simulation::driver::Engine;
use anyhow::Context;
use std::path::{Path, PathBuf};

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

/// The default output folder for a scenario: `results/<file stem>`, the stem's bytes
/// kept as they are (a Latin-1 name gives a Latin-1 folder name).
pub fn default_out(scenario: &Path) -> PathBuf {
    let stem = scenario.file_stem().unwrap_or(std::ffi::OsStr::new("run"));
    PathBuf::from("results").join(stem)
}

/// What made a set of outcomes, for the manifest `run.toml`.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Seed.
    pub seed: u64,
    /// Replications in total.
    pub replications: u32,
    /// Replications per outer draw of the parameters.
    pub inner_replications: u32,
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
    type Job<'a> = Box<dyn Fn() -> Result<(), OutputError> + Sync + 'a>;
    let res = summarise_outcomes(&ARMS, outs);
    let r = &res;
    let mut jobs: Vec<Job<'_>> = vec![
        Box::new(|| summary::write_summary(&staging.csv("summary.csv"), model, r)),
        Box::new(|| replications::write_replications(&staging.csv("replications.csv"), model, r)),
        Box::new(|| monthly::write_monthly(&staging.csv("monthly.csv"), model, &ARMS, r)),
        Box::new(|| budget_years::write_budget_years(&staging.csv("budget_years.csv"), r)),
    ];
    if prov.trajectories > 0 {
        jobs.push(Box::new(|| {
            let rows: Vec<_> = r.reps.iter().flat_map(|o| o.trajectories.iter().cloned()).collect();
            trajectories::write_trajectories(&staging.csv("trajectories.csv"), &rows)
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
/// moves it into place and returns the terminal summary in `lang`. Shared by `trappe run` and
/// `trappe merge`, so both write exactly the same files from the same outcomes. The work
/// runs on `prov.threads` worker threads (all cores if None); the files are the same,
/// byte for byte, for any number.
pub fn write_results(
    staging: Staging,
    sc: &LoadedScenario,
    model: &Model,
    outs: Vec<RepOutcomes>,
    prov: &Provenance,
    lang: Lang,
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
    manifest.inner_replications = prov.inner_replications;
    manifest.merged_from = prov.merged_from.clone();
    manifest.csv_dialect = staging.csv_dialect();
    manifest.write(&staging.file("run.toml"))?;
    let out = staging.commit()?;

    let summary = crate::report::terminal::summary_with_settings(
        model,
        &res,
        prov.replications,
        prov.seed,
        prov.engine,
        &sc.settings,
        lang,
    );
    Ok(RunReport { summary, out, files, partial: false })
}
