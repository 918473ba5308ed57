//! The speed targets of sweeps and of the two-level analysis: a 7-level `trappe sweep`
//! of the Copenhagen-size scenario, and the two-level analysis (outer draws × inner
//! cohorts) of it, each at most 10 times one `trappe run` of the same scenario. Each
//! group times the run next to the thing compared with it, in the same criterion run, so
//! that the machine's drift does not enter the ratio.

use super::cpu_time::CpuTime;
use super::scenario::{COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS, toml_text};
use criterion::Criterion;
use criterion::measurement::Measurement;
use std::path::Path;
use std::time::Duration;
use trappe::commands::run::{RunConfig, run};
use trappe::commands::sweep::{DEFAULT_TARGET_PROBABILITY, SweepConfig, sweep};
use trappe::simulation::driver::Engine;

/// Replications of a run at the default sizes: 200 outer draws × 5 inner cohorts.
const REPLICATIONS: u32 = 1_000;
/// Inner cohorts per outer draw in the two-level analysis.
const INNER: u32 = 5;
const THREADS: usize = 2;
/// Seven levels of the extra consultants (the template's 50 FTE at Copenhagen size):
/// from none to 60 in steps of 10.
const VARY: &str = "staffing.hires[0].fte=0..60:10";

/// `trappe run` of `scenario` with `inner` cohorts per parameter draw, into `out`.
fn run_config(scenario: &Path, out: &Path, inner: u32) -> RunConfig {
    RunConfig {
        scenario: scenario.to_path_buf(),
        replications: Some(REPLICATIONS),
        inner: Some(inner),
        seed: None,
        out: out.to_path_buf(),
        force: true,
        threads: Some(THREADS),
        trajectories: 0,
        progress: false,
        shard: None,
        engine: Engine::Count,
        strict: false,
        settings: Vec::new(),
        csv_dialect: trappe::report::files::csv_dialect::CsvDialect::Standard,
        lang: trappe::report::lang::Lang::En,
    }
}

/// The three commands timed by wall clock (`speed_targets/…`).
pub fn sweep_and_two_level(c: &mut Criterion) {
    speed_targets(c, "speed_targets");
}

/// The same by the CPU time the process spends (`speed_targets_cpu/…`): steadier than
/// wall time on a machine other work shares.
pub fn sweep_and_two_level_cpu(c: &mut Criterion<CpuTime>) {
    speed_targets(c, "speed_targets_cpu");
}

/// One run, the two-level run and the 7-level sweep, in the group `group`.
fn speed_targets<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let scenario = dir.path().join("copenhagen.toml");
    std::fs::write(&scenario, toml_text(COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS)).expect("the scenario file");
    let one_run = run_config(&scenario, &dir.path().join("run"), 1);
    let two_level = run_config(&scenario, &dir.path().join("two_level"), INNER);
    let sweep_cfg = SweepConfig {
        scenario: scenario.clone(),
        vary: vec![VARY.to_string()],
        replications: Some(REPLICATIONS),
        inner: Some(INNER),
        seed: None,
        out: dir.path().join("sweep"),
        force: true,
        threads: Some(THREADS),
        progress: false,
        engine: Engine::Count,
        strict: false,
        settings: Vec::new(),
        target_probability: DEFAULT_TARGET_PROBABILITY,
        csv_dialect: trappe::report::files::csv_dialect::CsvDialect::Standard,
        lang: trappe::report::lang::Lang::En,
    };

    let mut g = c.benchmark_group(group);
    // One iteration is a whole command (about 0.5 s to 4 s): criterion's minimum of 10
    // samples of one iteration each.
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("copenhagen_run_1000", |b| b.iter(|| run(&one_run).expect("the run")));
    g.bench_function("copenhagen_run_200x5", |b| b.iter(|| run(&two_level).expect("the two-level run")));
    g.measurement_time(Duration::from_secs(45));
    g.bench_function("copenhagen_sweep_7_levels_200x5", |b| b.iter(|| sweep(&sweep_cfg).expect("the sweep")));
    g.finish();
}
