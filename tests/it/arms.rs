//! Paired arms on common random numbers: identical arms differ by exactly zero,
//! staffing moves outcomes in the stated direction, and threads do not change results;
//! in both engines.

use crate::common::*;
use trappe::analysis::outcomes::{EFFECT_NAMES, summarise};
use trappe::model::{Arm, COUNTERFACTUAL, SCENARIO};
use trappe::simulation::records::monthly_columns;

/// The default scenario and the capacity-bound Aalborg team: the scenarios the
/// exact-equality tests run on.
fn default_and_team() -> [(&'static str, String); 2] {
    let team =
        std::fs::read_to_string(repo().join("scenarios/aalborg-2019-reinforcement-team.toml")).unwrap();
    [("staircase-default.toml", default_text()), ("aalborg-2019-reinforcement-team.toml", team)]
}

/// Two identical arms give identical records, so every difference is exactly zero,
/// every ratio of differences undefined, and break-even never reached.
fn an_arm_compared_with_itself_differs_by_exactly_zero_everywhere(engine: Engine) {
    let twin = Arm { name: "counterfactual", ..SCENARIO };
    let arms = [SCENARIO, twin];
    for (file, text) in default_and_team() {
        let m = model(&text);
        let reps = run_engine(&m, &arms, engine, 30, 11);
        for r in &reps {
            assert_eq!(r.arms[0], r.arms[1], "{engine} engine, {file}, replication {}", r.index);
        }
        let res = summarise(&m, &arms, &reps);
        for (k, s) in res.arm_summaries[2].iter().enumerate() {
            assert_eq!(
                (s.mean, s.p05, s.p95, s.sd),
                (0.0, 0.0, 0.0, 0.0),
                "{engine} engine, {file}: difference of outcome {k}"
            );
        }
        for o in &res.reps {
            for (k, name) in EFFECT_NAMES.iter().enumerate() {
                let v = o.effects[k];
                match *name {
                    // Ratios with a zero denominator are undefined, not zero.
                    "return_per_krone" | "cost_per_extra_self_supporting" => {
                        assert!(v.is_nan(), "{engine} engine, {file}: {name}: {v}")
                    }
                    // A scenario that changes nothing never breaks even.
                    "break_even_month" => assert!(v.is_nan(), "{engine} engine, {file}: {name}: {v}"),
                    _ => assert_eq!(v, 0.0, "{engine} engine, {file}: {name}"),
                }
            }
            assert!(
                o.monthly_net_effect.iter().all(|x| *x == 0.0),
                "{engine} engine, {file}: monthly net effect"
            );
        }
        // With the real counterfactual the arms differ, so the test above is not vacuous.
        let reps = run_engine(&m, &[SCENARIO, COUNTERFACTUAL], engine, 5, 11);
        assert!(
            reps.iter().any(|r| r.arms[0].monthly != r.arms[1].monthly),
            "{engine} engine, {file}: the real arms do not differ"
        );
    }
}

test_both_engines!(an_arm_compared_with_itself_differs_by_exactly_zero_everywhere);

/// A scenario with no hire and no grant equals its counterfactual: every difference
/// in `summary.csv` and `budget_years.csv` is written as exactly 0.
fn a_scenario_without_extras_gives_zero_difference_in_the_csv_files(engine: Engine) {
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
    let args = [&["run", "same.toml", "-n", "20", "--out", "res", "-q"][..], &engine_args(engine)].concat();
    let out = trappe(&args, dir.path());
    assert!(out.status.success(), "{engine} engine: {}", texts(&out).1);
    let mut rdr = csv::Reader::from_path(dir.path().join("res/summary.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut checked = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[col("arm")] == "difference" {
            for stat in ["mean", "median", "p05", "p95", "sd"] {
                assert_eq!(&rec[col(stat)], "0", "{engine} engine: {} {stat}", &rec[col("metric")]);
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "{engine} engine: only {checked} differences in summary.csv");
    let mut rdr = csv::Reader::from_path(dir.path().join("res/budget_years.csv")).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[2] == "difference" || &rec[2] == "effect" {
            assert_eq!(&rec[4], "0", "{engine} engine: {:?}", rec);
        }
    }
}

/// More staff raise self-support when the elasticity is positive, the multiplier
/// recorded each month follows its formula, and with elasticity 0 staffing changes
/// no move. The extra self-supporting citizens must exceed 5 Monte Carlo standard
/// errors; with 40 replications they stand at about 12 (11.9 individual, 12.2 count)
/// standard errors, so only a real loss of the effect fails it.
fn more_staff_raises_self_support_and_zero_elasticity_changes_nothing(engine: Engine) {
    let text = default_text()
        .replace(
            "elasticity = { dist = \"triangular\", min = 0.0, mode = 0.14, max = 0.38, source = \"E-LOAD-6\", grade = \"EST\" }",
            "elasticity = 0.5",
        )
        .replace("fte = 2\n", "fte = 8\n");
    let m = model(&text);
    let arms = [SCENARIO, COUNTERFACTUAL];
    let reps = run_engine(&m, &arms, engine, 40, 11);
    let res = summarise(&m, &arms, &reps);
    let k = EFFECT_NAMES.iter().position(|n| *n == "extra_self_supporting").unwrap();
    let s = &res.effect_summaries[k];
    assert!(
        s.mean > 5.0 * s.mcse && s.mean > 0.0,
        "{engine} engine: extra self-supporting {} ± {}",
        s.mean,
        s.mcse
    );
    let kb = EFFECT_NAMES.iter().position(|n| *n == "benefit_months_avoided").unwrap();
    let avoided = res.effect_summaries[kb].mean;
    assert!(avoided > 0.0, "{engine} engine: benefit months avoided {avoided}");
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
        assert!((row[mu] - expect).abs() < 1e-12, "{engine} engine, month {month}: {} vs {expect}", row[mu]);
    }

    // Elasticity 0 everywhere: staffing cannot matter, so every outcome but money is identical.
    let flat = text.replace("elasticity = 0.5", "elasticity = 0.0").replace(
        "elasticity = { dist = \"triangular\", min = -0.25, mode = -0.1, max = 0.0, grade = \"GAP\" }",
        "elasticity = 0.0",
    );
    let m = model(&flat);
    let reps = run_engine(&m, &arms, engine, 10, 11);
    for r in &reps {
        assert_eq!(r.arms[0].moves, r.arms[1].moves, "{engine} engine, replication {}", r.index);
        assert_eq!(
            r.arms[0].state_months, r.arms[1].state_months,
            "{engine} engine, replication {}",
            r.index
        );
    }
}

/// With a negative elasticity on relapse, 30 more staff for 3,000 citizens lower the
/// relapse rate per job-month in every one of 20 replications. The rates differ by at
/// least 8.6 Poisson standard errors in every replication of either engine: a chance
/// failure is negligible (below 1e-15).
fn fewer_citizens_per_worker_cut_relapse_when_its_elasticity_is_negative(engine: Engine) {
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
    let reps = run_engine(&m, &arms, engine, 20, 11);
    let t = m.transitions.iter().position(|t| t.id == "job->benefit").unwrap();
    for r in &reps {
        let (sc, cf) = (&r.arms[0], &r.arms[1]);
        // Relapses per job-month: lower with more staff in every replication.
        let job = m.state_index("job").unwrap();
        let rate = |a: &trappe::simulation::records::ArmRun| a.moves[t] as f64 / a.state_months[job] as f64;
        assert!(
            rate(sc) < rate(cf),
            "{engine} engine, replication {}: {} vs {}",
            r.index,
            rate(sc),
            rate(cf)
        );
    }
}

/// The same seed gives byte-identical files with 1 and 2 worker threads (sampled
/// paths included, with the individual engine), and the manifest names the engine;
/// another seed gives other numbers.
fn the_same_seed_gives_byte_identical_files_with_one_and_two_threads(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let paths: &[&str] = match engine {
        Engine::Individual => &["--trajectories", "5"],
        Engine::Count => &[],
    };
    for (file, _) in default_and_team() {
        let scen = repo().join("scenarios").join(file);
        let scen = scen.to_str().unwrap();
        let run = |extra: &[&str], out: &str| {
            let args = [
                &["run", scen, "-n", "40", "--out", out, "--force", "-q"],
                &engine_args(engine)[..],
                paths,
                extra,
            ]
            .concat();
            let o = trappe(&args, dir.path());
            assert!(o.status.success(), "{engine} engine, {file}: {}", texts(&o).1);
        };
        run(&["-j", "1"], "one");
        run(&["-j", "2"], "two");
        for f in csv_files(engine) {
            let a = std::fs::read(dir.path().join("one").join(f)).unwrap();
            let b = std::fs::read(dir.path().join("two").join(f)).unwrap();
            assert!(!a.is_empty(), "{engine} engine, {file}: {f} is empty");
            assert!(a == b, "{engine} engine, {file}: {f} differs between 1 and 2 threads");
        }
        let manifest = std::fs::read_to_string(dir.path().join("one/run.toml")).unwrap();
        let named = format!("engine = \"{}\"", engine.name());
        assert!(manifest.contains(&named), "{engine} engine, {file}: {manifest}");
        // A different seed gives different numbers.
        run(&["--seed", "99"], "other");
        let a = std::fs::read(dir.path().join("one/summary.csv")).unwrap();
        let c = std::fs::read(dir.path().join("other/summary.csv")).unwrap();
        assert!(a != c, "{engine} engine, {file}: seeds 99 and the scenario's give the same summary.csv");
    }
}

test_both_engines!(
    a_scenario_without_extras_gives_zero_difference_in_the_csv_files,
    more_staff_raises_self_support_and_zero_elasticity_changes_nothing,
    fewer_citizens_per_worker_cut_relapse_when_its_elasticity_is_negative,
    the_same_seed_gives_byte_identical_files_with_one_and_two_threads,
);

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
/// 200 citizens tells the two apart by about nine standard errors. The two
/// 4-standard-error checks against the true mean and variance give a false alarm with
/// probability at most 2 × 6.3e-5 ≈ 0.013 %.
fn citizens_whose_arms_part_draw_on_their_own(engine: Engine) {
    let m = parting_model();
    let cols = monthly_columns(&m);
    let nc = cols.len();
    let c = cols.iter().position(|c| c == "occupancy:a").unwrap();
    let (p_minus, p_plus): (f64, f64) = (0.49 * 0.21 + 0.21 * 0.42, 0.21 * 0.12);
    let mean_d = p_plus - p_minus;
    let var_d = p_plus + p_minus - mean_d * mean_d;
    let (q_minus, q_plus): (f64, f64) = (0.49 * 0.21 + 0.21 * 0.6, 0.21 * 0.3);
    let var_shared = q_plus + q_minus - (q_plus - q_minus) * (q_plus - q_minus);
    assert!((var_d - 0.18878).abs() < 1e-5 && (var_shared - 0.26438).abs() < 1e-5, "the enumeration");
    let reps = run_engine(&m, &[SCENARIO, COUNTERFACTUAL], engine, 1000, 11);
    let d: Vec<f64> =
        reps.iter().map(|r| r.arms[0].monthly[2 * nc + c] - r.arms[1].monthly[2 * nc + c]).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0) / 200.0;
    // The mean of d (200 citizens): standard error sqrt(var_d · 200 / n).
    let se_mean = (var_d * 200.0 / n).sqrt();
    assert!(
        (mean - 200.0 * mean_d).abs() < 4.0 * se_mean,
        "{engine} engine: mean {mean} vs {}",
        200.0 * mean_d
    );
    // The variance of a sum of 200 independent d: relative standard error about sqrt(2 / n).
    let se_var = var_d * (2.0 / n).sqrt();
    assert!((var - var_d).abs() < 4.0 * se_var, "{engine} engine: variance {var} vs {var_d}");
    assert!(
        (var - var_shared).abs() > 4.0 * se_var,
        "{engine} engine: variance {var} is that of shared numbers"
    );
}

test_both_engines!(citizens_whose_arms_part_draw_on_their_own);
