//! `simulate`: 100 replications of the Copenhagen case on 1 and 2 threads.

use super::scenario::{COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS, model, person_months};
use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use trappe::model::{COUNTERFACTUAL, SCENARIO};
use trappe::simulation::driver::{SimOptions, simulate};

const REPLICATIONS: u32 = 100;

pub fn simulate_100(c: &mut Criterion) {
    let m = model(COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS);
    let arms = [SCENARIO, COUNTERFACTUAL];
    let mut g = c.benchmark_group("simulate_100_replications");
    // One iteration takes one to two seconds: criterion's minimum of 10 samples,
    // one iteration per sample (about 20 s per thread count on 2 cores).
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(
            person_months(COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS) * REPLICATIONS as u64,
        ));
    for threads in [1usize, 2] {
        let opts = SimOptions {
            replications: REPLICATIONS,
            inner_replications: 1,
            seed: 2007,
            threads: Some(threads),
            trajectories: 0,
            first_replication: 0,
            engine: trappe::simulation::driver::Engine::Individual,
        };
        g.bench_with_input(BenchmarkId::new("threads", threads), &opts, |b, opts| {
            b.iter(|| black_box(simulate(black_box(&m), &arms, opts, &|| {}).expect("thread pool")))
        });
    }
    g.finish();
}
