//! Paired arms on common random numbers: identical arms differ by exactly zero,
//! staffing moves outcomes in the stated direction, and threads do not change results.

use crate::common::*;
use trappe::analysis::outcomes::{EFFECT_NAMES, summarise};
use trappe::model::{Arm, COUNTERFACTUAL, SCENARIO};
use trappe::simulation::driver::{SimOptions, simulate};
use trappe::simulation::records::monthly_columns;

fn opts(replications: u32) -> SimOptions {
    SimOptions {
        replications,
        seed: 11,
        threads: None,
        trajectories: 0,
        first_replication: 0,
        engine: trappe::simulation::driver::Engine::Individual,
    }
}

#[test]
fn an_arm_compared_with_itself_differs_by_exactly_zero_everywhere() {
    let m = model(&default_text());
    let twin = Arm { name: "counterfactual", ..SCENARIO };
    let arms = [SCENARIO, twin];
    let reps = simulate(&m, &arms, &opts(30), &|| {}).unwrap();
    for r in &reps {
        assert_eq!(r.arms[0], r.arms[1], "replication {}", r.index);
    }
    let res = summarise(&m, &arms, &reps);
    for (k, s) in res.arm_summaries[2].iter().enumerate() {
        assert_eq!((s.mean, s.p05, s.p95, s.sd), (0.0, 0.0, 0.0, 0.0), "difference of outcome {k}");
    }
    for o in &res.reps {
        for (k, name) in EFFECT_NAMES.iter().enumerate() {
            let v = o.effects[k];
            match *name {
                // Ratios with a zero denominator are undefined, not zero.
                "return_per_krone" | "cost_per_extra_self_supporting" => {
                    assert!(v.is_nan(), "{name}: {v}")
                }
                // A scenario that changes nothing never breaks even.
                "break_even_month" => assert!(v.is_nan()),
                _ => assert_eq!(v, 0.0, "{name}"),
            }
        }
        assert!(o.monthly_net_effect.iter().all(|x| *x == 0.0));
    }
}

#[test]
fn a_scenario_without_extras_gives_zero_difference_in_the_csv_files() {
    // Remove the hire and the grant: the scenario arm equals the counterfactual.
    let text = default_text();
    let cut = |t: &str, from: &str, to: &str| {
        let a = t.find(from).unwrap();
        let b = t[a..].find(to).unwrap() + a;
        format!("{}{}", &t[..a], &t[b..])
    };
    let text = cut(&text, "[[staffing.hires]]", "\n# ---");
    let text = cut(&text, "[[grants]]", "\n# ---");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("same.toml"), text).unwrap();
    let out = trappe(&["run", "same.toml", "-n", "20", "--out", "res", "-q"], dir.path());
    assert!(out.status.success(), "{}", texts(&out).1);
    let mut rdr = csv::Reader::from_path(dir.path().join("res/summary.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut checked = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[col("arm")] == "difference" {
            for stat in ["mean", "median", "p05", "p95", "sd"] {
                assert_eq!(&rec[col(stat)], "0", "{} {stat}", &rec[col("metric")]);
            }
            checked += 1;
        }
    }
    assert!(checked > 20);
    let mut rdr = csv::Reader::from_path(dir.path().join("res/budget_years.csv")).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[2] == "difference" || &rec[2] == "effect" {
            assert_eq!(&rec[4], "0", "{:?}", rec);
        }
    }
}

#[test]
fn more_staff_raises_self_support_and_zero_elasticity_changes_nothing() {
    let text = default_text()
        .replace(
            "elasticity = { dist = \"triangular\", min = 0.0, mode = 0.14, max = 0.38 }",
            "elasticity = 0.5",
        )
        .replace("fte = 2\n", "fte = 8\n");
    let m = model(&text);
    let arms = [SCENARIO, COUNTERFACTUAL];
    let reps = simulate(&m, &arms, &opts(40), &|| {}).unwrap();
    let res = summarise(&m, &arms, &reps);
    let k = EFFECT_NAMES.iter().position(|n| *n == "extra_self_supporting").unwrap();
    let s = &res.effect_summaries[k];
    assert!(s.mean > 5.0 * s.mcse && s.mean > 0.0, "extra self-supporting {} ± {}", s.mean, s.mcse);
    let kb = EFFECT_NAMES.iter().position(|n| *n == "benefit_months_avoided").unwrap();
    assert!(res.effect_summaries[kb].mean > 0.0);
    // The multiplier recorded each month is the formula applied to the recorded caseload.
    let cols = monthly_columns(&m);
    let nc = cols.len();
    let (cl, mu) = (
        cols.iter().position(|c| c == "caseload").unwrap(),
        cols.iter().position(|c| c == "staffing_multiplier").unwrap(),
    );
    for month in 1..=m.horizon {
        let row = &reps[0].arms[0].monthly[month * nc..(month + 1) * nc];
        let expect = (50.0 / row[cl]).powf(0.5).clamp(0.5, 2.0);
        assert!((row[mu] - expect).abs() < 1e-12, "month {month}: {} vs {expect}", row[mu]);
    }

    // Elasticity 0 everywhere: staffing cannot matter, so every outcome but money is identical.
    let flat = text.replace("elasticity = 0.5", "elasticity = 0.0").replace(
        "elasticity = { dist = \"triangular\", min = -0.25, mode = -0.1, max = 0.0 }",
        "elasticity = 0.0",
    );
    let m = model(&flat);
    let reps = simulate(&m, &arms, &opts(10), &|| {}).unwrap();
    for r in &reps {
        assert_eq!(r.arms[0].moves, r.arms[1].moves);
        assert_eq!(r.arms[0].state_months, r.arms[1].state_months);
    }
}

#[test]
fn fewer_citizens_per_worker_cut_relapse_when_its_elasticity_is_negative() {
    // Only relapse is staffing-sensitive, with a negative elasticity: more staff, less relapse.
    let body = r#"
[[states]]
id = "benefit"
pays_benefit = true
[[states]]
id = "job"
employed = true
self_supporting = true
[[transitions]]
from = "benefit"
to = "job"
probability = 0.1
[[transitions]]
from = "job"
to = "benefit"
probability = 0.1
staffing_sensitive = true
elasticity = -0.5
[[segments]]
name = "all"
size = 3000
start_state = "benefit"
benefit_type = "kh"
[staffing]
baseline_fte = 30
caseload_ref = 100
[[staffing.hires]]
name = "follow-up"
fte = 30
start = "2016-01"
"#;
    let text = scenario(
        body,
        24,
        20,
        "staff_cost_per_fte_year = 500000\n[budget.reimbursement]\nregime = \"2016\"\n",
    );
    let m = model(&text);
    let arms = [SCENARIO, COUNTERFACTUAL];
    let reps = simulate(&m, &arms, &opts(20), &|| {}).unwrap();
    let t = m.transitions.iter().position(|t| t.id == "job->benefit").unwrap();
    for r in &reps {
        let (sc, cf) = (&r.arms[0], &r.arms[1]);
        // Relapses per job-month: lower with more staff in every replication.
        let job = m.state_index("job").unwrap();
        let rate = |a: &trappe::simulation::records::ArmRun| a.moves[t] as f64 / a.state_months[job] as f64;
        assert!(rate(sc) < rate(cf), "replication {}: {} vs {}", r.index, rate(sc), rate(cf));
    }
}

#[test]
fn the_same_seed_gives_byte_identical_files_with_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let scen = repo().join("scenarios/staircase-default.toml");
    let scen = scen.to_str().unwrap();
    for (threads, out) in [("1", "one"), ("2", "two")] {
        let o = trappe(
            &["run", scen, "-n", "40", "-j", threads, "--trajectories", "5", "--out", out, "-q"],
            dir.path(),
        );
        assert!(o.status.success(), "{}", texts(&o).1);
    }
    for f in ["summary.csv", "replications.csv", "monthly.csv", "budget_years.csv", "trajectories.csv"] {
        let a = std::fs::read(dir.path().join("one").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("two").join(f)).unwrap();
        assert!(!a.is_empty());
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    // A different seed gives different numbers.
    let o = trappe(&["run", scen, "-n", "40", "--seed", "99", "--out", "other", "-q"], dir.path());
    assert!(o.status.success());
    let a = std::fs::read(dir.path().join("one/summary.csv")).unwrap();
    let c = std::fs::read(dir.path().join("other/summary.csv")).unwrap();
    assert!(a != c);
}

/// Two benefit states a ⇄ b; extra staff double the rate a → b in the scenario
/// (probability 0.3 without, 1 − 0.7² = 0.51 with) and b → a is 0.4 in both arms.
/// Every citizen starts in a; the caseload never changes, so the multipliers are exact.
fn parting_model() -> trappe::model::Model {
    let body = r#"
[[states]]
id = "a"
pays_benefit = true
[[states]]
id = "b"
pays_benefit = true

[[transitions]]
from = "a"
to = "b"
probability = 0.3
staffing_sensitive = true
[[transitions]]
from = "b"
to = "a"
probability = 0.4

[[segments]]
name = "all"
size = 200
start_state = "a"
benefit_type = "kh"

[staffing]
baseline_fte = 4
caseload_ref = 50
elasticity = 1.0
multiplier_min = 0.5
multiplier_max = 3.0

[[staffing.hires]]
name = "four more"
fte = 4
start = "2016-01"
"#;
    model(&scenario(body, 2, 1000, &format!("staff_cost_per_fte_year = 500000\n{NO_REFUND}")))
}

/// The paired difference follows the stated coupling: one uniform number per citizen
/// and month in both arms while the citizen's paths are together, independent numbers
/// once they have parted. Per citizen, d = [in a in the scenario] − [in a in the
/// counterfactual] at month 2 has, by enumerating the two months,
/// P(d = −1) = 0.49·0.21 + 0.21·0.42 and P(d = 1) = 0.21·0.12 (variance 0.18878),
/// where numbers shared after parting would give 0.49·0.21 + 0.21·0.6 and 0.21·0.3
/// (variance 0.26438) with the same mean. The variance over 1,000 replications of
/// 200 citizens tells the two apart by about nine standard errors, in both engines.
#[test]
fn citizens_whose_arms_part_draw_on_their_own_in_both_engines() {
    let m = parting_model();
    let cols = monthly_columns(&m);
    let nc = cols.len();
    let c = cols.iter().position(|c| c == "occupancy:a").unwrap();
    let (p_minus, p_plus): (f64, f64) = (0.49 * 0.21 + 0.21 * 0.42, 0.21 * 0.12);
    let mean_d = p_plus - p_minus;
    let var_d = p_plus + p_minus - mean_d * mean_d;
    let (q_minus, q_plus): (f64, f64) = (0.49 * 0.21 + 0.21 * 0.6, 0.21 * 0.3);
    let var_shared = q_plus + q_minus - (q_plus - q_minus) * (q_plus - q_minus);
    assert!((var_d - 0.18878).abs() < 1e-5 && (var_shared - 0.26438).abs() < 1e-5);
    for engine in [trappe::simulation::driver::Engine::Individual, trappe::simulation::driver::Engine::Count]
    {
        let o = SimOptions { engine, ..opts(1000) };
        let reps = simulate(&m, &[SCENARIO, COUNTERFACTUAL], &o, &|| {}).unwrap();
        let d: Vec<f64> =
            reps.iter().map(|r| r.arms[0].monthly[2 * nc + c] - r.arms[1].monthly[2 * nc + c]).collect();
        let n = d.len() as f64;
        let mean = d.iter().sum::<f64>() / n;
        let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0) / 200.0;
        // The mean of d (200 citizens): standard error sqrt(var_d · 200 / n).
        let se_mean = (var_d * 200.0 / n).sqrt();
        assert!(
            (mean - 200.0 * mean_d).abs() < 4.0 * se_mean,
            "{engine:?}: mean {mean} vs {}",
            200.0 * mean_d
        );
        // The variance of a sum of 200 independent d: relative standard error about sqrt(2 / n).
        let se_var = var_d * (2.0 / n).sqrt();
        assert!((var - var_d).abs() < 4.0 * se_var, "{engine:?}: variance {var} vs {var_d}");
        assert!(
            (var - var_shared).abs() > 4.0 * se_var,
            "{engine:?}: variance {var} is that of shared numbers"
        );
    }
}
