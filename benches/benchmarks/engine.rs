//! One replication of both arms, for each engine: the Copenhagen-size case, a
//! national-scale case and a scaling series. The two engines run the same cases
//! through [`replication_benches`], so their figures compare line by line.
//! Throughput is in person-months (one citizen in one arm for one month), although
//! the count engine's cost follows the number of groups, not of citizens.

use super::scenario::{
    COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS, NATIONAL_CITIZENS, NATIONAL_MONTHS, model, person_months,
};
use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use trappe::model::{Arm, COUNTERFACTUAL, Model, SCENARIO};
use trappe::simulation::records::Replication;

const ARMS: [Arm; 2] = [SCENARIO, COUNTERFACTUAL];
const SEED: u64 = 2007;

/// One replication of `model` in both arms, with replication number `rep`.
type Simulate = fn(&Model, u32) -> Replication;

fn individual(m: &Model, rep: u32) -> Replication {
    trappe::simulation::individual::simulate_replication(m, &ARMS, SEED, rep, 0)
}

fn count(m: &Model, rep: u32) -> Replication {
    trappe::simulation::count::simulate_replication(m, &ARMS, SEED, rep)
}

/// The individual engine: groups `replication` and `replication_scaling`.
pub fn individual_engine(c: &mut Criterion) {
    replication_benches(c, "replication", individual, 10, 10);
}

/// The count engine: groups `count_replication` and `count_replication_scaling`.
pub fn count_engine(c: &mut Criterion) {
    replication_benches(c, "count_replication", count, 30, 5);
}

/// The cases for one engine: `copenhagen_9500x48x2` (with `copenhagen_samples`
/// samples), `national_100000x120x2` (measured for `national_seconds`), and the scaling
/// series at 1,000 to 1,000,000 citizens over 48 months in `<group>_scaling`. Each
/// iteration takes a new replication number, so parameter draws vary as in a run.
fn replication_benches(
    c: &mut Criterion,
    group: &str,
    simulate: Simulate,
    copenhagen_samples: usize,
    national_seconds: u64,
) {
    let mut g = c.benchmark_group(group);
    g.warm_up_time(Duration::from_secs(1));
    let cases = [
        ("copenhagen_9500x48x2", COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS, copenhagen_samples, 5),
        ("national_100000x120x2", NATIONAL_CITIZENS, NATIONAL_MONTHS, 10, national_seconds),
    ];
    for (name, citizens, months, samples, seconds) in cases {
        let m = model(citizens, months);
        g.sample_size(samples)
            .measurement_time(Duration::from_secs(seconds))
            .throughput(Throughput::Elements(person_months(citizens, months)));
        let mut rep = 0u32;
        g.bench_function(name, |b| {
            b.iter(|| {
                rep = rep.wrapping_add(1);
                black_box(simulate(black_box(&m), rep))
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group(format!("{group}_scaling"));
    g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for citizens in [1_000u64, 10_000, 100_000, 1_000_000] {
        let m = model(citizens, COPENHAGEN_MONTHS);
        g.throughput(Throughput::Elements(person_months(citizens, COPENHAGEN_MONTHS)));
        let mut rep = 0u32;
        g.bench_with_input(BenchmarkId::from_parameter(citizens), &m, |b, m| {
            b.iter(|| {
                rep = rep.wrapping_add(1);
                black_box(simulate(black_box(m), rep))
            })
        });
    }
    g.finish();
}
