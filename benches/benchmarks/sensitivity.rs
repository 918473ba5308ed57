//! The speed target of `trappe sensitivity`: the one-way sensitivity and the value of
//! information over every uncertain parameter of the shipped Copenhagen scenario in at
//! most 20 times one `trappe run` of it. Both are timed in the same criterion run, so
//! that the machine's drift does not enter the ratio.

use super::cpu_time::CpuTime;
use criterion::Criterion;
use criterion::measurement::Measurement;
use std::path::{Path, PathBuf};
use std::time::Duration;
use trappe::commands::run::{RunConfig, run};
use trappe::commands::sensitivity::{SensitivityConfig, sensitivity};
use trappe::commands::sweep::DEFAULT_TARGET_PROBABILITY;
use trappe::report::files::csv_dialect::CsvDialect;
use trappe::simulation::driver::Engine;

const THREADS: usize = 2;

/// The shipped Copenhagen scenario.
fn copenhagen() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/copenhagen-2007-job-consultant-pool.toml")
}

/// `trappe sensitivity` of the wall clock (`speed_targets_sensitivity/…`).
pub fn sensitivity_against_run(c: &mut Criterion) {
    speed_target(c, "speed_targets_sensitivity");
}

/// The same by the CPU time of the process (`speed_targets_sensitivity_cpu/…`).
pub fn sensitivity_against_run_cpu(c: &mut Criterion<CpuTime>) {
    speed_target(c, "speed_targets_sensitivity_cpu");
}

/// One `trappe run` of the Copenhagen scenario at its own size (1,000 replications, 200
/// draws × 5 cohorts) and one `trappe sensitivity` of it at the default sizes, in `group`.
fn speed_target<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let one_run = RunConfig {
        scenario: copenhagen(),
        replications: None,
        inner: None,
        seed: None,
        out: dir.path().join("run"),
        force: true,
        threads: Some(THREADS),
        trajectories: 0,
        progress: false,
        shard: None,
        engine: Engine::Count,
        strict: false,
        settings: Vec::new(),
        csv_dialect: CsvDialect::Standard,
        lang: trappe::report::lang::Lang::En,
    };
    let analysis = SensitivityConfig {
        options: vec![copenhagen()],
        variants: Vec::new(),
        groups: Vec::new(),
        threshold: None,
        grid: Vec::new(),
        replications: None,
        inner: None,
        level_replications: None,
        seed: None,
        out: dir.path().join("sensitivity"),
        force: true,
        threads: Some(THREADS),
        progress: false,
        strict: false,
        settings: Vec::new(),
        engine: Engine::Count,
        target_probability: DEFAULT_TARGET_PROBABILITY,
        csv_dialect: CsvDialect::Standard,
        lang: trappe::report::lang::Lang::En,
    };
    let mut g = c.benchmark_group(group);
    // One iteration is a whole command (about 7 s and 40 s on a 2-core machine):
    // criterion's minimum of 10 samples of one iteration each, about 8 minutes in all.
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(60));
    g.bench_function("copenhagen_run", |b| b.iter(|| run(&one_run).expect("the run")));
    g.measurement_time(Duration::from_secs(400));
    g.bench_function("copenhagen_sensitivity", |b| {
        b.iter(|| sensitivity(&analysis).expect("the sensitivity"))
    });
    g.finish();
}
