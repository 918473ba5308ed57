//! `trappe run`: from a scenario file to a results folder and a summary.
//!
//! A run is three steps: simulate replications and reduce each to its
//! outcomes ([`simulate_outcomes`]); summarise the outcomes and write every
//! file ([`write_results`]). `trappe run --shard I/N` does the first step for
//! its share of the replications and writes a partial result instead;
//! `trappe merge` reads the parts back and does the second step with the same
//! function, so a merged result is the same as a single run (see
//! [`crate::report::part`]).

use crate::analysis::outcomes::{OutcomePlan, RepOutcomes, into_rep_outcomes};
use crate::commands::memory::{Holding, check_fits};
use crate::input::scenario::default_inner;
use crate::model::{ARMS, Model};
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::staging::Staging;
use crate::report::part::Shard;
use crate::report::progress::progress_bar;
use crate::report::results::{Provenance, RunReport, write_results};
use crate::simulation::driver::{Engine, SimOptions, simulate_with};
use anyhow::Context;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Everything `trappe run` needs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Replications (overrides the file): outer draws of the parameters times inner
    /// replications.
    pub replications: Option<u32>,
    /// Replications per outer draw of the parameters (overrides the file).
    pub inner: Option<u32>,
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
    /// Refuse a scenario with plausibility warnings instead of printing them.
    pub strict: bool,
    /// `--set PATH=VALUE` arguments: values given in place of the file's.
    pub settings: Vec<String>,
    /// The dialect of the CSV result files.
    pub csv_dialect: CsvDialect,
    /// The language of the terminal summary.
    pub lang: crate::report::lang::Lang,
}

/// The engine of a run: the one asked for; otherwise the count engine, or the
/// individual engine when individual paths are asked for (only it follows single
/// citizens).
pub fn choose_engine(asked: Option<Engine>, trajectories: usize) -> Engine {
    match asked {
        Some(engine) => engine,
        None if trajectories > 0 => Engine::Individual,
        None => Engine::Count,
    }
}

/// The default output folder: `results/<scenario file name>` for a run, and
/// `results/<scenario file name>.part-I-of-N` for one shard of it.
pub fn default_run_out(scenario: &Path, shard: Option<Shard>) -> PathBuf {
    match shard {
        Some(s) => crate::report::part::default_part_out(scenario, s),
        None => crate::report::results::default_out(scenario),
    }
}

/// Loads, simulates, summarises and writes a run (or, with a shard, one partial result).
pub fn run(cfg: &RunConfig) -> anyhow::Result<RunReport> {
    let (sc, mut model) = crate::commands::check::load_checked(&cfg.scenario, &cfg.settings, cfg.strict)?;
    let RunSize { replications, inner, seed } =
        run_size(&sc, &mut model, cfg.replications, cfg.inner, cfg.seed)?;
    let threads = cfg.threads.unwrap_or_else(rayon::current_num_threads);
    anyhow::ensure!(threads >= 1, "--threads must be at least 1");
    anyhow::ensure!(
        cfg.trajectories == 0 || cfg.engine == Engine::Individual,
        "--trajectories needs --engine individual: the count engine follows groups of \
         interchangeable citizens, not individual paths"
    );

    anyhow::ensure!(
        cfg.shard.is_none() || cfg.csv_dialect.is_standard(),
        "--csv-dialect {} changes CSV files, and a partial result (--shard) holds none: give \
         --csv-dialect {} to `trappe merge` when combining the parts",
        cfg.csv_dialect,
        cfg.csv_dialect
    );

    let range = match cfg.shard {
        Some(shard) => shard.range(replications),
        None => 0..replications,
    };
    let (holding, what) = match cfg.shard {
        Some(shard) => (Holding::Part, format!("shard {shard} of a run of {replications} replications")),
        None => (Holding::Run, format!("a run of {replications} replications")),
    };
    check_fits(&model, range.len() as u32, holding, &what)?;

    // Fail on an unusable output folder before spending time on simulation.
    let staging = Staging::begin(&cfg.out, cfg.force, &[&cfg.scenario])?.with_csv_dialect(cfg.csv_dialect);

    let outs =
        simulate_outcomes_with(&model, range, seed, threads, cfg.trajectories, cfg.progress, cfg.engine)?;
    match cfg.shard {
        Some(shard) => crate::report::part::write_part(
            staging,
            &sc,
            &crate::report::part::PartSpec {
                shard,
                seed,
                replications,
                inner_replications: inner,
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
                inner_replications: inner,
                threads: Some(threads),
                trajectories: cfg.trajectories,
                engine: cfg.engine,
                merged_from: None,
            };
            write_results(staging, &sc, &model, outs, &prov, cfg.lang)
        }
    }
}

/// The size and seed of a run: what `-n`, `--inner` and `--seed` choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSize {
    /// Replications in all.
    pub replications: u32,
    /// Replications per outer draw of the parameters.
    pub inner: u32,
    /// The seed.
    pub seed: u64,
}

/// The size and seed of a run of `sc` as `trappe run` chooses them: the replications
/// and seed asked for, else the scenario's; the inner size by [`run_inner`], which is
/// set in `model`. `trappe serve` sizes its answers by the same rule, so they are the
/// numbers of `trappe run` with the same `-n` and `--seed`.
pub fn run_size(
    sc: &crate::input::scenario::LoadedScenario,
    model: &mut Model,
    replications: Option<u32>,
    inner: Option<u32>,
    seed: Option<u64>,
) -> anyhow::Result<RunSize> {
    let replications = replications.unwrap_or(model.replications);
    anyhow::ensure!(replications >= 1, "--replications must be at least 1");
    let inner = run_inner(inner, sc.file.simulation.inner_replications, replications)?;
    model.inner_replications = inner;
    let seed = seed.unwrap_or(model.seed);
    Ok(RunSize { replications, inner, seed })
}

/// The cohorts per outer draw of the parameters of a run of `replications`: `--inner`,
/// else `[simulation] inner_replications`, each of which must divide the replications;
/// else [`default_inner`] of them. `trappe run` and any command that runs a scenario
/// with its own `-n` choose the inner size by this rule.
pub fn run_inner(asked: Option<u32>, in_file: Option<u32>, replications: u32) -> anyhow::Result<u32> {
    let (inner, named) = match (asked, in_file) {
        (Some(inner), _) => (inner, "--inner"),
        (None, Some(inner)) => (inner, "the scenario's [simulation] inner_replications"),
        (None, None) => return Ok(default_inner(replications)),
    };
    anyhow::ensure!(inner >= 1, "--inner must be at least 1");
    anyhow::ensure!(
        replications.is_multiple_of(inner),
        "{replications} replications cannot be split into outer draws of {inner} inner replications: \
         --replications must be a multiple of {named} (e.g. {})",
        replications.div_ceil(inner) * inner
    );
    Ok(inner)
}

/// Simulates the replications in `range` (both arms), `model.inner_replications` per
/// outer draw of the parameters, and reduces each to its outcomes
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
    let bar = progress_bar(Some(u64::from(count)), "replications", progress && count > 0);
    let opts = SimOptions {
        replications: count,
        inner_replications: model.inner_replications,
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

/// [`simulate_outcomes_with`] in chunks of `chunk` replications, asking `cancelled`
/// before each chunk: returns `None` as soon as it answers true, so a caller can stop
/// work nobody waits for any more (`trappe serve` when a newer question comes in). A
/// replication's outcomes depend only on the seed and its number, so the chunks
/// together are the same outcomes as one call over the whole range.
#[allow(clippy::too_many_arguments)]
pub fn simulate_outcomes_cancellable(
    model: &Model,
    range: Range<u32>,
    seed: u64,
    threads: usize,
    engine: Engine,
    chunk: u32,
    cancelled: &dyn Fn() -> bool,
) -> anyhow::Result<Option<Vec<RepOutcomes>>> {
    let chunk = chunk.max(1);
    let mut outs = Vec::with_capacity(range.len());
    let mut start = range.start;
    while start < range.end {
        if cancelled() {
            return Ok(None);
        }
        let end = start.saturating_add(chunk).min(range.end);
        outs.extend(simulate_outcomes_with(model, start..end, seed, threads, 0, false, engine)?);
        start = end;
    }
    Ok(Some(outs))
}
