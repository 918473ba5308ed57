//! Both engines against closed-form Markov chain results and the competing-hazards rule.

use crate::common::*;
use trappe::model::{COUNTERFACTUAL, SCENARIO};
use trappe::simulation::records::monthly_columns;

/// Mean occupancy of each of 4 states in each of 49 months against the closed form.
/// Each of the 196 comparisons allows 4.5 standard errors: a false alarm with
/// probability at most 196 × 6.8e-6 ≈ 0.13 %.
fn mean_occupancy_matches_the_closed_form_chain_for_48_months(engine: Engine) {
    let text = scenario(CHAIN_STATES, 48, 200, NO_REFUND);
    let m = model(&text);
    let reps = run_engine(&m, &[SCENARIO], engine, 200, 7);
    let cols = monthly_columns(&m);
    let nc = cols.len();
    let p = competing_matrix(&[&[(1, 0.10), (3, 0.02)], &[(2, 0.08), (0, 0.05)], &[(1, 0.03)], &[]]);
    let mut dist = vec![1.0, 0.0, 0.0, 0.0];
    let n_total = 2000.0 * 200.0;
    let mut worst = 0.0f64;
    assert_eq!(m.states.len(), dist.len(), "the closed form's states");
    for month in 0..=48 {
        for (state, &closed) in m.states.iter().zip(&dist) {
            let c = cols.iter().position(|c| *c == format!("occupancy:{}", state.id)).unwrap();
            let mean: f64 = reps.iter().map(|r| r.arms[0].monthly[month * nc + c]).sum::<f64>() / n_total;
            let se = (closed * (1.0 - closed) / n_total).sqrt().max(1e-12);
            let z = (mean - closed).abs() / se;
            worst = worst.max(z);
            assert!(
                z < 4.5 || (mean - closed).abs() < 1e-12,
                "{engine} engine, month {month} state {}: simulated {mean:.5}, closed form {:.5} ({z:.1} standard errors)",
                state.id,
                closed
            );
        }
        // Advance the closed form one month: dist <- dist · P.
        let next: Vec<f64> = (0..4).map(|j| (0..4).map(|i| dist[i] * p[i][j]).sum()).collect();
        dist = next;
    }
    // With 196 comparisons, the largest deviation should look like chance, not a bias of zero.
    assert!(worst > 0.5, "{engine} engine: suspiciously exact agreement: {worst}");
}

test_both_engines!(mean_occupancy_matches_the_closed_form_chain_for_48_months);

/// Two competing exits split the leavers in proportion to their rates, not their
/// probabilities. The three 4-standard-error comparisons of 400,000 citizens give a
/// false alarm with probability at most 3 × 6.3e-5 ≈ 0.02 %.
fn competing_exits_split_as_hazards_predict_and_not_as_summed_probabilities(engine: Engine) {
    let body = r#"
[[states]]
id = "a"
pays_benefit = true
[[states]]
id = "b"
[[states]]
id = "c"
[[transitions]]
from = "a"
to = "b"
probability = 0.3
[[transitions]]
from = "a"
to = "c"
probability = 0.2
[[segments]]
name = "all"
size = 100000
start_state = "a"
benefit_type = "kh"
"#;
    let m = model(&scenario(body, 1, 1, NO_REFUND));
    let reps = run_engine(&m, &[SCENARIO], engine, 4, 3);
    let nc = monthly_columns(&m).len();
    let n = 400_000.0;
    let share = |s: usize| reps.iter().map(|r| r.arms[0].monthly[nc + 1 + s]).sum::<f64>() / n;
    let (r1, r2) = (-(0.7f64).ln(), -(0.8f64).ln());
    let leave = 1.0 - (-(r1 + r2)).exp(); // = 1 - 0.7 * 0.8 = 0.44
    assert!((leave - 0.44).abs() < 1e-12, "the closed form itself");
    let (pb, pc) = (leave * r1 / (r1 + r2), leave * r2 / (r1 + r2));
    for (s, expect, summed) in [(1, pb, 0.3), (2, pc, 0.2)] {
        let got = share(s);
        let se = (expect * (1.0 - expect) / n).sqrt();
        assert!(
            (got - expect).abs() < 4.0 * se,
            "{engine} engine, state {s}: {got} vs competing hazards {expect}"
        );
        // Summing probabilities (the common mistake) predicts 0.3 and 0.2: far off.
        assert!(
            (got - summed).abs() > 10.0 * se,
            "{engine} engine, state {s}: {got} is indistinguishable from summed {summed}"
        );
    }
    let stayed = share(0);
    assert!((stayed - 0.56).abs() < 4.0 * (0.56f64 * 0.44 / n).sqrt(), "{engine} engine: stayed {stayed}");
    assert!((stayed - 0.5).abs() > 0.05, "{engine} engine: summed probabilities would leave 0.5 in place");
}

test_both_engines!(competing_exits_split_as_hazards_predict_and_not_as_summed_probabilities);

/// A duration band changes the exit rate from its month in the state on. The eight
/// 4.5-standard-error comparisons give a false alarm with probability at most
/// 8 × 6.8e-6 ≈ 0.005 %.
fn duration_dependence_changes_the_rate_from_the_given_month(engine: Engine) {
    // Exit probability 0.2 in months 1-3 in the state, 0.2 with a 0.25 rate multiplier after.
    let body = r#"
[[states]]
id = "a"
pays_benefit = true
[[states]]
id = "b"
[[transitions]]
from = "a"
to = "b"
probability = 0.2
duration = [{ from_month = 4, multiplier = 0.25 }]
[[segments]]
name = "all"
size = 50000
start_state = "a"
benefit_type = "kh"
"#;
    let m = model(&scenario(body, 8, 4, NO_REFUND));
    let reps = run_engine(&m, &[SCENARIO], engine, 4, 5);
    let nc = monthly_columns(&m).len();
    let n = 200_000.0;
    let late = 1.0 - (0.25 * (0.8f64).ln()).exp();
    let mut stay = 1.0;
    for month in 1..=8 {
        stay *= if month <= 3 { 0.8 } else { 1.0 - late };
        let got = reps.iter().map(|r| r.arms[0].monthly[month * nc + 1]).sum::<f64>() / n;
        let se = (stay * (1.0 - stay) / n).sqrt();
        assert!((got - stay).abs() < 4.5 * se, "{engine} engine, month {month}: {got} vs {stay}");
    }
}

test_both_engines!(duration_dependence_changes_the_rate_from_the_given_month);

/// A fractional inflow adds its whole citizens month by month (2.5 a month: 2, 3, 2, 3).
fn inflow_arrives_on_schedule_and_counts_in_the_shares(engine: Engine) {
    let body = r#"
[[states]]
id = "a"
pays_benefit = true
[[segments]]
name = "all"
size = 10
start_state = "a"
benefit_type = "kh"
inflow_per_month = 2.5
"#;
    let m = model(&scenario(body, 4, 1, NO_REFUND));
    let reps = run_engine(&m, &[SCENARIO, COUNTERFACTUAL], engine, 1, 1);
    let nc = monthly_columns(&m).len();
    let entered: Vec<f64> = (0..=4).map(|mo| reps[0].arms[0].monthly[mo * nc]).collect();
    assert_eq!(entered, vec![10.0, 12.0, 15.0, 17.0, 20.0], "{engine} engine");
}

test_both_engines!(inflow_arrives_on_schedule_and_counts_in_the_shares);

/// Each segment's own record follows its own chain (here a segment multiplier doubles
/// one rate), and the segment records add up exactly to the whole cohort's. The eight
/// 4.5-standard-error comparisons with the closed form give a false alarm with
/// probability at most 8 × 6.8e-6 ≈ 0.005 %.
fn segment_records_follow_their_own_chain_and_add_up_to_the_whole(engine: Engine) {
    let body = r#"
[[states]]
id = "a"
pays_benefit = true
[[states]]
id = "job"
self_supporting = true
employed = true
[[transitions]]
from = "a"
to = "job"
probability = 0.05
[[transitions]]
from = "job"
to = "a"
probability = 0.02
[[segments]]
name = "slow"
size = 3000
start_state = "a"
benefit_type = "kh"
[[segments]]
name = "fast"
size = 1000
start_state = "a"
benefit_type = "kh"
multipliers = { "a->job" = 2.0 }
"#;
    let m = model(&scenario(body, 24, 100, NO_REFUND));
    let reps = run_engine(&m, &[SCENARIO], engine, 100, 11);
    let nc = monthly_columns(&m).len();
    let sc = trappe::simulation::records::segment_columns(&m).len();
    use trappe::analysis::outcomes::{metric_at, segment_metric_at};
    use trappe::model::Metric;
    for r in &reps {
        let run = &r.arms[0];
        for month in 0..=24 {
            for c in 0..sc {
                let sum: f64 = (0..2).map(|g| run.segment_monthly[(month * 2 + g) * sc + c]).sum();
                if c <= m.states.len() {
                    assert_eq!(
                        sum,
                        run.monthly[month * nc + c],
                        "{engine} engine, column {c}, month {month}"
                    );
                }
            }
            let whole = metric_at(&m, &run.monthly, Metric::SelfSupportingShare, month);
            let slow = segment_metric_at(&m, &run.segment_monthly, 0, Metric::SelfSupportingShare, month);
            let fast = segment_metric_at(&m, &run.segment_monthly, 1, Metric::SelfSupportingShare, month);
            assert!(
                (whole - (0.75 * slow + 0.25 * fast)).abs() < 1e-12,
                "{engine} engine, weighted shares, month {month}"
            );
        }
    }
    // Closed form per segment: a two-state chain, P(job at t) = π(1 − (1 − a − b)^t).
    for (g, q_in, n) in [(0usize, 0.05f64, 3000.0), (1, 1.0 - (1.0f64 - 0.05).powi(2), 1000.0)] {
        let (a, b) = (q_in, 0.02);
        let pi = a / (a + b);
        for month in [1usize, 6, 12, 24] {
            let expected = pi * (1.0 - (1.0 - a - b).powi(month as i32));
            let mean = reps
                .iter()
                .map(|r| {
                    segment_metric_at(&m, &r.arms[0].segment_monthly, g, Metric::SelfSupportingShare, month)
                })
                .sum::<f64>()
                / reps.len() as f64;
            let se = (expected * (1.0 - expected) / (n * reps.len() as f64)).sqrt();
            assert!(
                (mean - expected).abs() < 4.5 * se,
                "{engine} engine, segment {g} month {month}: {mean:.5} against {expected:.5} (se {se:.5})"
            );
        }
    }
}

test_both_engines!(segment_records_follow_their_own_chain_and_add_up_to_the_whole);
