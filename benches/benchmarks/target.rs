//! The issue-4 speed targets as they are stated: a whole `trappe run` of 1,000
//! replications of both arms with the count engine on 2 threads, summaries and files
//! included, at Copenhagen size (target: at most 0.5 s) and at national size
//! (100,000 citizens over 120 months; target: at most 5 s).

use super::scenario::{
    COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS, NATIONAL_CITIZENS, NATIONAL_MONTHS, person_months, toml_text,
};
use criterion::{Criterion, Throughput};
use std::time::Duration;
use trappe::commands::run::{RunConfig, run};
use trappe::simulation::driver::Engine;

const REPLICATIONS: u32 = 1_000;
const THREADS: usize = 2;

pub fn target_runs(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut g = c.benchmark_group("target_run");
    // One iteration is a whole run (about 0.6 s and 5 s): criterion's minimum of 10
    // samples of one iteration each.
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    let cases = [
        ("copenhagen_1000_replications_2_threads", COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS, 10),
        ("national_1000_replications_2_threads", NATIONAL_CITIZENS, NATIONAL_MONTHS, 70),
    ];
    for (name, citizens, months, seconds) in cases {
        let scenario = dir.path().join(format!("{name}.toml"));
        std::fs::write(&scenario, toml_text(citizens, months)).expect("the scenario file");
        let cfg = RunConfig {
            scenario,
            replications: Some(REPLICATIONS),
            inner: None,
            seed: None,
            out: dir.path().join(name),
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
        };
        g.measurement_time(Duration::from_secs(seconds))
            .throughput(Throughput::Elements(person_months(citizens, months) * REPLICATIONS as u64));
        g.bench_function(name, |b| b.iter(|| run(&cfg).expect("the benchmark run")));
    }
    g.finish();
}
