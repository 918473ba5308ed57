//! The count engine against closed forms and against the individual engine.
//!
//! The individual engine is the reference. The count engine must give the same
//! distribution of every per-replication outcome: for every shipped scenario, the
//! means of the main outcomes agree within Monte Carlo error and a two-sample
//! Kolmogorov–Smirnov test does not reject at 1 %. It must also pass the exact
//! checks that hold for any engine: a closed-form Markov chain, the 2016 bands to the
//! krone, byte-identical results with 1 and 2 threads, and exactly zero difference
//! between identical arms.

mod common;
use common::*;
use statrs::stats_tests::NaNPolicy;
use statrs::stats_tests::ks_test::{KSTwoSampleAlternativeMethod, ks_twosample};
use trappe::engine::{Engine, SimOptions, monthly_columns, simulate};
use trappe::model::{Arm, COUNTERFACTUAL, Model, SCENARIO};
use trappe::outcomes::{EFFECT_NAMES, RepOutcomes, arm_outcome_names};

fn opts(replications: u32, seed: u64, threads: Option<usize>, engine: Engine) -> SimOptions {
    SimOptions { replications, seed, threads, trajectories: 0, first_replication: 0, engine }
}

/// Per-replication outcomes of both arms with one engine.
fn outcomes(m: &Model, engine: Engine, replications: u32, seed: u64) -> Vec<RepOutcomes> {
    trappe::run::simulate_outcomes_with(m, 0..replications, seed, 2, 0, false, engine).unwrap()
}

/// Mean and its standard error.
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Two-sample Kolmogorov–Smirnov statistic and two-sided p-value (Kolmogorov's
/// asymptotic distribution with n = n₁n₂/(n₁+n₂); statrs's exact method stops at
/// n₁n₂ = 10,000). With ties (counts, shares of small cohorts) the test is conservative.
fn ks(a: &[f64], b: &[f64]) -> (f64, f64) {
    if a.iter().chain(b).all(|x| *x == a[0]) {
        return (0.0, 1.0); // both samples constant and equal
    }
    ks_twosample(a.to_vec(), b.to_vec(), KSTwoSampleAlternativeMethod::TwoSidedAsymptotic, NaNPolicy::Emit)
        .unwrap()
}

/// One outcome compared between the engines.
struct Comparison {
    name: String,
    individual: (f64, f64),
    count: (f64, f64),
    z: f64,
    ks_d: f64,
    ks_p: f64,
}

/// The main outcomes of each arm (and the net municipal effect) for both engines.
fn compare(m: &Model, replications: u32, seed: u64) -> Vec<Comparison> {
    let ind = outcomes(m, Engine::Individual, replications, seed);
    let cnt = outcomes(m, Engine::Count, replications, seed);
    let names = arm_outcome_names(m);
    let mut wanted: Vec<&str> = vec![
        "self_supporting_share",
        "employment_share",
        "benefit_share",
        "outflow_share",
        "six_month_employment_share",
        "mean_benefit_duration",
        "benefit_months",
        "gross_benefit",
        "reimbursement",
        "total_net_cost",
    ];
    if names.iter().any(|n| n == "placements") {
        wanted.extend(["placements", "mean_wait_months", "mean_waiting_list", "waiting_list_at_horizon"]);
    }
    let mut series: Vec<(String, Vec<f64>, Vec<f64>)> = Vec::new();
    for (a, arm) in ["scenario", "counterfactual"].iter().enumerate() {
        for w in &wanted {
            let k = names.iter().position(|n| n == w).unwrap_or_else(|| panic!("no outcome {w}"));
            series.push((
                format!("{arm}:{w}"),
                ind.iter().map(|o| o.arms[a][k]).collect(),
                cnt.iter().map(|o| o.arms[a][k]).collect(),
            ));
        }
    }
    // Paired effects: these agree only if the engines couple the arms alike (common
    // random numbers); with independent arms their spread is far wider.
    for w in ["extra_self_supporting", "benefit_months_avoided", "net_benefit_saving", "net_municipal_effect"]
    {
        let e = EFFECT_NAMES.iter().position(|n| *n == w).unwrap();
        series.push((
            format!("effect:{w}"),
            ind.iter().map(|o| o.effects[e]).collect(),
            cnt.iter().map(|o| o.effects[e]).collect(),
        ));
    }
    series
        .into_iter()
        .map(|(name, a, b)| {
            let a: Vec<f64> = a.into_iter().filter(|x| x.is_finite()).collect();
            let b: Vec<f64> = b.into_iter().filter(|x| x.is_finite()).collect();
            let (ia, ib) = (mean_se(&a), mean_se(&b));
            let se = (ia.1.powi(2) + ib.1.powi(2)).sqrt();
            let z = if se > 0.0 {
                (ia.0 - ib.0) / se
            } else if ia.0 == ib.0 {
                0.0
            } else {
                f64::INFINITY
            };
            let (ks_d, ks_p) = ks(&a, &b);
            Comparison { name, individual: ia, count: ib, z, ks_d, ks_p }
        })
        .collect()
}

/// Compares the engines on a shipped scenario and fails on any disagreement.
fn engines_agree(file: &str, replications: u32, seed: u64) {
    let text = std::fs::read_to_string(repo().join("scenarios").join(file)).unwrap();
    let m = model(&text);
    let rows = compare(&m, replications, seed);
    let mut report = format!("{file}, {replications} replications per engine, seed {seed}:\n");
    report += &format!(
        "{:<48} {:>16} {:>16} {:>7} {:>7} {:>8}\n",
        "outcome", "individual", "count", "z", "KS D", "KS p"
    );
    for r in &rows {
        report += &format!(
            "{:<48} {:>16.6} {:>16.6} {:>7.2} {:>7.4} {:>8.4}\n",
            r.name, r.individual.0, r.count.0, r.z, r.ks_d, r.ks_p
        );
    }
    println!("{report}");
    for r in &rows {
        assert!(r.z.abs() < 4.0, "{}: means differ by {:.1} standard errors\n{report}", r.name, r.z);
        assert!(r.ks_p >= 0.01, "{}: KS rejects at 1 % (p = {:.4})\n{report}", r.name, r.ks_p);
    }
}

#[test]
fn engines_agree_on_the_default_staircase() {
    engines_agree("staircase-default.toml", 400, 101);
}

#[test]
fn engines_agree_on_copenhagen_2007() {
    engines_agree("copenhagen-2007-job-consultant-pool.toml", 300, 102);
}

#[test]
fn engines_agree_on_slagelse_2007() {
    engines_agree("slagelse-2007-integration-job-unit.toml", 400, 103);
}

#[test]
fn engines_agree_on_aalborg_2015() {
    engines_agree("aalborg-2015-integration-order.toml", 400, 104);
}

#[test]
fn engines_agree_on_aalborg_2018() {
    engines_agree("aalborg-2018-refugees.toml", 400, 105);
}

#[test]
fn engines_agree_on_aalborg_2019_youth() {
    engines_agree("aalborg-2019-reinforcement-youth.toml", 400, 106);
}

#[test]
fn engines_agree_on_aalborg_2019_sickness() {
    engines_agree("aalborg-2019-reinforcement-sickness.toml", 400, 107);
}

#[test]
fn engines_agree_on_aalborg_2019_team_with_capacity() {
    engines_agree("aalborg-2019-reinforcement-team.toml", 400, 108);
}

#[test]
fn every_shipped_scenario_has_an_agreement_test() {
    let me = std::fs::read_to_string(repo().join("tests/engines.rs")).unwrap();
    for e in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        if name.ends_with(".toml") {
            assert!(me.contains(&format!("engines_agree(\"{name}\"")), "no agreement test for {name}");
        }
    }
}

#[test]
#[ignore]
fn engines_agree_long() {
    let file = std::env::var("AGREE_FILE").unwrap();
    let reps: u32 = std::env::var("AGREE_REPS").unwrap().parse().unwrap();
    let seed: u64 = std::env::var("AGREE_SEED").map(|s| s.parse().unwrap()).unwrap_or(1);
    engines_agree(&file, reps, seed);
}
