//! The floor any individual-level engine stands on: a bare loop that, per
//! person-month, draws one uniform random number and scans one row of exit
//! thresholds. The engine's target (issue 4) is to stay within 1.5× of it.

use super::scenario::{ARMS, COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS, model, person_months};
use criterion::{Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

/// Exit thresholds per state at the parameters' means, by competing hazards, as
/// `(cumulative probability, destination)`.
fn rows(m: &trappe::model::Model) -> Vec<Vec<(f64, u8)>> {
    (0..m.states.len())
        .map(|s| {
            let exits: Vec<(f64, u8)> = m
                .transitions
                .iter()
                .filter(|t| t.from == s)
                .map(|t| (-(1.0 - t.probability.mean()).ln(), t.to as u8))
                .collect();
            let total: f64 = exits.iter().map(|e| e.0).sum();
            let leave = if total > 0.0 { 1.0 - (-total).exp() } else { 0.0 };
            let mut cum = 0.0;
            exits
                .iter()
                .map(|&(r, to)| {
                    cum += r;
                    (leave * cum / total, to)
                })
                .collect()
        })
        .collect()
}

/// The bare loop on the Copenhagen-size cohort: 9,500 citizens × 48 months × 2 arms.
pub fn bare_loop(c: &mut Criterion) {
    let m = model(COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS);
    let rows = rows(&m);
    let start: Vec<u8> = m
        .segments
        .iter()
        .flat_map(|g| g.start.iter().flat_map(|&(s, n)| std::iter::repeat_n(s as u8, n as usize)))
        .collect();
    let mut g = c.benchmark_group("bare_loop");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(person_months(COPENHAGEN_CITIZENS, COPENHAGEN_MONTHS)));
    let mut seed = 0u64;
    g.bench_function("copenhagen_9500x48x2", |b| {
        b.iter(|| {
            seed += 1;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut occupancy = vec![0u64; rows.len()];
            for _arm in 0..ARMS {
                let mut state = start.clone();
                for _month in 0..COPENHAGEN_MONTHS {
                    for s in state.iter_mut() {
                        let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                        for &(thr, to) in &rows[*s as usize] {
                            if u < thr {
                                *s = to;
                                break;
                            }
                        }
                        occupancy[*s as usize] += 1;
                    }
                }
            }
            black_box(occupancy)
        })
    });
    g.finish();
}
