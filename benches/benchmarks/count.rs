//! The count engine: one replication of both arms, the same cases as `engine.rs`
//! (Copenhagen 9,500 × 48, national 100,000 × 120, and the scaling series), so the
//! two engines can be compared line by line. Throughput is in person-months, as
//! for the individual engine, although the count engine's cost follows the number
//! of groups, not of citizens.

use super::scenario::{COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS, model, person_months};
use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use trappe::count_engine::simulate_replication;
use trappe::model::{COUNTERFACTUAL, SCENARIO};

const ARMS: [trappe::model::Arm; 2] = [SCENARIO, COUNTERFACTUAL];
const SEED: u64 = 2007;

/// One replication of the 9,500-citizen, 48-month, two-arm Copenhagen case.
pub fn copenhagen_replication(c: &mut Criterion) {
    let m = model(COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS);
    let mut g = c.benchmark_group("count_replication");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(person_months(COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS)));
    let mut rep = 0u32;
    g.bench_function("copenhagen_9500x48x2", |b| {
        b.iter(|| {
            // A new replication number each time, so parameter draws vary as in a run.
            rep = rep.wrapping_add(1);
            black_box(simulate_replication(black_box(&m), &ARMS, SEED, rep))
        })
    });
    g.finish();
}

/// One replication of a national-scale case: 100,000 citizens, 120 months, both arms.
pub fn national_replication(c: &mut Criterion) {
    let (citizens, months) = (100_000, 120);
    let m = model(citizens, months);
    let mut g = c.benchmark_group("count_replication");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(person_months(citizens, months)));
    let mut rep = 0u32;
    g.bench_function("national_100000x120x2", |b| {
        b.iter(|| {
            rep = rep.wrapping_add(1);
            black_box(simulate_replication(black_box(&m), &ARMS, SEED, rep))
        })
    });
    g.finish();
}

/// One replication of both arms at 1,000, 10,000, 100,000 and 1,000,000 citizens, 48 months.
pub fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("count_replication_scaling");
    g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for citizens in [1_000u64, 10_000, 100_000, 1_000_000] {
        let m = model(citizens, COPENHAGEN_MONTHS);
        g.throughput(Throughput::Elements(person_months(citizens, COPENHAGEN_MONTHS)));
        let mut rep = 0u32;
        g.bench_with_input(BenchmarkId::from_parameter(citizens), &m, |b, m| {
            b.iter(|| {
                rep = rep.wrapping_add(1);
                black_box(simulate_replication(black_box(m), &ARMS, SEED, rep))
            })
        });
    }
    g.finish();
}
