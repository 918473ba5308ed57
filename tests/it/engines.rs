//! The count engine against closed forms and against the individual engine.
//!
//! The individual engine is the reference. The count engine must give the same
//! distribution of every per-replication outcome: for every shipped scenario, the
//! means of the main outcomes agree within Monte Carlo error and a two-sample
//! Kolmogorov–Smirnov test does not reject at 1 %. It must also pass the exact
//! checks that hold for any engine: a closed-form Markov chain, the 2016 bands to the
//! krone, byte-identical results with 1 and 2 threads, and exactly zero difference
//! between identical arms.

use crate::common::*;
use statrs::stats_tests::NaNPolicy;
use statrs::stats_tests::ks_test::{KSTwoSampleAlternativeMethod, ks_twosample};
use std::collections::HashMap;
use trappe::analysis::outcomes::{EFFECT_NAMES, RepOutcomes, arm_outcome_names};
use trappe::model::{Arm, COUNTERFACTUAL, Model, SCENARIO};
use trappe::simulation::driver::{Engine, SimOptions, simulate};
use trappe::simulation::records::monthly_columns;

fn opts(replications: u32, seed: u64, threads: Option<usize>, engine: Engine) -> SimOptions {
    SimOptions { replications, seed, threads, trajectories: 0, first_replication: 0, engine }
}

/// Per-replication outcomes of both arms with one engine.
fn outcomes(m: &Model, engine: Engine, replications: u32, seed: u64) -> Vec<RepOutcomes> {
    trappe::commands::run::simulate_outcomes_with(m, 0..replications, seed, 2, 0, false, engine).unwrap()
}

/// The count engine's seed in a comparison: unrelated to the individual engine's.
fn count_seed(seed: u64) -> u64 {
    seed ^ 0x9E37_79B9_7F4A_7C15
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
    compare_models(m, m, replications, seed)
}

/// [`compare`] with the count engine run on `m_count` (the same model in every
/// agreement test; a changed one in the test that shows the comparison has power).
///
/// Two comparisons per outcome:
/// * **paired means**: both engines on the same seed share each replication's
///   parameter draws, so the per-replication difference carries only the engines'
///   own Monte Carlo noise; its mean must be within 4 standard errors of 0. Without
///   the pairing the parameters' spread would hide errors of 10 % in a probability;
/// * **distributions**: the count engine again on an unrelated seed, so the two
///   samples are independent, and a two-sample Kolmogorov–Smirnov test at 1 %.
fn compare_models(m: &Model, m_count: &Model, replications: u32, seed: u64) -> Vec<Comparison> {
    let ind = outcomes(m, Engine::Individual, replications, seed);
    let paired = outcomes(m_count, Engine::Count, replications, seed);
    let indep = outcomes(m_count, Engine::Count, replications, count_seed(seed));
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
    type Pick = Box<dyn Fn(&RepOutcomes) -> f64>;
    let mut series: Vec<(String, Pick)> = Vec::new();
    for (a, arm) in ["scenario", "counterfactual"].iter().enumerate() {
        for w in &wanted {
            let k = names.iter().position(|n| n == w).unwrap_or_else(|| panic!("no outcome {w}"));
            series.push((format!("{arm}:{w}"), Box::new(move |o: &RepOutcomes| o.arms[a][k])));
        }
    }
    // Paired effects: these agree only if the engines couple the arms alike (common
    // random numbers); with independent arms their spread is far wider.
    for w in ["extra_self_supporting", "benefit_months_avoided", "net_benefit_saving", "net_municipal_effect"]
    {
        let e = EFFECT_NAMES.iter().position(|n| *n == w).unwrap();
        series.push((format!("effect:{w}"), Box::new(move |o: &RepOutcomes| o.effects[e])));
    }
    series
        .into_iter()
        .map(|(name, pick)| {
            let diffs: Vec<f64> =
                ind.iter().zip(&paired).map(|(i, c)| pick(i) - pick(c)).filter(|d| d.is_finite()).collect();
            let (d, se) = mean_se(&diffs);
            let z = if se > 0.0 {
                d / se
            } else if d == 0.0 {
                0.0
            } else {
                f64::INFINITY
            };
            let a: Vec<f64> = ind.iter().map(&pick).filter(|x| x.is_finite()).collect();
            let b: Vec<f64> = indep.iter().map(&pick).filter(|x| x.is_finite()).collect();
            let (ks_d, ks_p) = ks(&a, &b);
            Comparison { name, individual: mean_se(&a), count: mean_se(&b), z, ks_d, ks_p }
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

/// 3,000 replications rather than 300. With the count engine's own binomial sampler
/// (`src/binomial.rs`) the first 300 replications of seed 102 put the counterfactual's
/// mean benefit duration 4.2 standard errors apart (0.095 months on 62.6), the first
/// 1,000 3.9, replications 1,000 to 2,999 +0.7 each way; 3,000 replications of seed 7
/// differ by 0.007 months (z = 1.0), and the count engine with `rand_distr`'s sampler
/// against the new one by 0.002 (z = −0.3). Part of the early low is the individual
/// engine's own draws (the old sampler shows it too, at −1.4). So it is chance in the
/// first thousand replications; 3,000 replications make the test stronger, not weaker.
#[test]
fn engines_agree_on_copenhagen_2007() {
    engines_agree("copenhagen-2007-job-consultant-pool.toml", 3000, 102);
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
    let me = std::fs::read_to_string(repo().join("tests/it/engines.rs")).unwrap();
    for e in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        if name.ends_with(".toml") {
            assert!(me.contains(&format!("engines_agree(\"{name}\"")), "no agreement test for {name}");
        }
    }
}

/// The comparison can fail: the count engine run on a model whose step 1 → internship
/// probability is 10 % higher (beta mean 0.044 against 0.040, well inside that
/// parameter's own spread, sd 0.010) is told apart from the individual engine on the
/// shipped model at the sizes the agreement tests use.
#[test]
fn agreement_tests_detect_a_ten_percent_error_in_one_probability() {
    let text = std::fs::read_to_string(repo().join("scenarios/staircase-default.toml")).unwrap();
    let shipped = "probability = { dist = \"beta\", mean = 0.04, sd = 0.01 }";
    assert_eq!(text.matches(shipped).count(), 1, "the step1 -> internship row has changed");
    let wrong = text.replace(shipped, "probability = { dist = \"beta\", mean = 0.044, sd = 0.01 }");
    let rows = compare_models(&model(&text), &model(&wrong), 400, 101);
    let rejected: Vec<&str> =
        rows.iter().filter(|r| r.z.abs() >= 4.0 || r.ks_p < 0.01).map(|r| r.name.as_str()).collect();
    let table: String =
        rows.iter().map(|r| format!("{} z {:.2} KS p {:.4}\n", r.name, r.z, r.ks_p)).collect();
    assert!(rejected.len() >= 3, "a 10 % error went unnoticed: only {rejected:?} rejected\n{table}");
}

/// A longer comparison for investigating a borderline result by hand:
/// `AGREE_FILE=x.toml AGREE_REPS=3000 cargo test --release --test it engines::engines_agree_long -- --ignored --nocapture`.
#[test]
#[ignore]
fn engines_agree_long() {
    let file = std::env::var("AGREE_FILE").expect("AGREE_FILE");
    let reps: u32 = std::env::var("AGREE_REPS").map(|s| s.parse().unwrap()).unwrap_or(3000);
    let seed: u64 = std::env::var("AGREE_SEED").map(|s| s.parse().unwrap()).unwrap_or(1);
    engines_agree(&file, reps, seed);
}

#[test]
fn count_engine_occupancy_matches_the_closed_form_chain_for_48_months() {
    let m = model(&scenario(CHAIN_STATES, 48, 200, NO_REFUND));
    let reps = simulate(&m, &[SCENARIO], &opts(200, 7, None, Engine::Count), &|| {}).unwrap();
    let cols = monthly_columns(&m);
    let nc = cols.len();
    let p = competing_matrix(&[&[(1, 0.10), (3, 0.02)], &[(2, 0.08), (0, 0.05)], &[(1, 0.03)], &[]]);
    let mut dist = vec![1.0, 0.0, 0.0, 0.0];
    let n_total = 2000.0 * 200.0;
    let mut worst = 0.0f64;
    assert_eq!(m.states.len(), dist.len());
    for month in 0..=48 {
        for (state, &closed) in m.states.iter().zip(&dist) {
            let c = cols.iter().position(|c| *c == format!("occupancy:{}", state.id)).unwrap();
            let mean: f64 = reps.iter().map(|r| r.arms[0].monthly[month * nc + c]).sum::<f64>() / n_total;
            let se = (closed * (1.0 - closed) / n_total).sqrt().max(1e-12);
            let z = (mean - closed).abs() / se;
            worst = worst.max(z);
            assert!(
                z < 4.5 || (mean - closed).abs() < 1e-12,
                "month {month} state {}: simulated {mean:.5}, closed form {:.5} ({z:.1} standard errors)",
                state.id,
                closed
            );
        }
        let next: Vec<f64> = (0..4).map(|j| (0..4).map(|i| dist[i] * p[i][j]).sum()).collect();
        dist = next;
    }
    assert!(worst > 0.5, "suspiciously exact agreement: {worst}");
}

/// The exact distribution of one citizen's full record, month by month, written from
/// the model's rules (DOMAIN.md, docs/scenario-format.md) independently of both engines:
/// state, months in state (capped where the band no longer changes), cumulative months
/// on benefit, months off benefit, current benefit spell, consecutive months in work,
/// and the six-month and outflow flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Citizen {
    on_benefit: bool,
    in_state: u32,
    cum: u32,
    off: u32,
    spell: u32,
    job_run: u32,
    six: bool,
    outflow: bool,
}

/// Expected values per citizen at each month: (reimbursement share × benefit months
/// booked in month m, benefit spell sum at the end of m, six-month flags, outflow flags,
/// on benefit at the end of m). Benefit → job with probability `p_out`; job → benefit
/// with `p_back` for the first 6 months in work and `p_back` at half the rate after.
fn exact_2016(months_before: u32, p_out: f64, p_back: f64, horizon: usize) -> Vec<[f64; 5]> {
    let share = |k: u32| match k {
        1 => 0.8,
        2..=6 => 0.4,
        7..=12 => 0.3,
        _ => 0.2,
    };
    let late_back = 1.0 - (0.5 * (1.0 - p_back).ln()).exp();
    let start = Citizen {
        on_benefit: true,
        in_state: 0,
        cum: months_before,
        off: 0,
        spell: months_before,
        job_run: 0,
        six: false,
        outflow: false,
    };
    let mut dist: HashMap<Citizen, f64> = HashMap::from([(start, 1.0)]);
    let mut out = Vec::new();
    for _ in 1..=horizon {
        let mut next: HashMap<Citizen, f64> = HashMap::new();
        let mut refund = 0.0;
        for (&c0, &p) in &dist {
            // The month in the state.
            let mut c = c0;
            if c.on_benefit {
                c.cum += 1;
                c.spell += 1;
                c.off = 0;
                c.job_run = 0;
                refund += p * share(c.cum);
            } else {
                c.spell = 0;
                c.off += 1;
                if c.off >= 12 {
                    c.cum = 0;
                }
                c.job_run += 1;
                if c.job_run >= 6 {
                    c.six = true;
                }
            }
            // The move at its end: the job's exit rate halves from its 7th month.
            let leave = if c.on_benefit {
                p_out
            } else if c.in_state + 1 >= 7 {
                late_back
            } else {
                p_back
            };
            let mut stay = c;
            stay.in_state += 1;
            *next.entry(stay).or_default() += p * (1.0 - leave);
            let mut moved = c;
            moved.in_state = 0;
            if c.on_benefit {
                moved.outflow = true;
            }
            moved.on_benefit = !c.on_benefit;
            *next.entry(moved).or_default() += p * leave;
        }
        dist = next;
        let e = |f: &dyn Fn(&Citizen) -> f64| dist.iter().map(|(c, p)| p * f(c)).sum::<f64>();
        out.push([
            refund,
            e(&|c| if c.on_benefit { c.spell as f64 } else { 0.0 }),
            e(&|c| c.six as u8 as f64),
            e(&|c| c.outflow as u8 as f64),
            e(&|c| c.on_benefit as u8 as f64),
        ]);
    }
    out
}

/// Reimbursement through the 2016 bands with the reset after 12 months off benefit,
/// the benefit spells behind `mean_benefit_duration`, six consecutive months in work
/// and outflow, month by month, against the exact expectation: for both engines (the
/// individual engine checks the expectation itself).
#[test]
fn money_spells_and_six_months_match_the_exact_expectation_in_both_engines() {
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
probability = 0.15
[[transitions]]
from = "job"
to = "benefit"
probability = 0.08
duration = [{ from_month = 7, multiplier = 0.5 }]
[[segments]]
name = "all"
size = 400
start_state = "benefit"
benefit_type = "kh"
months_on_benefit = 3
"#;
    let horizon = 40;
    let m = model(&scenario(body, horizon as u32, 1, "[budget.reimbursement]\nregime = \"2016\"\n"));
    let exact = exact_2016(3, 0.15, 0.08, horizon);
    let cols = monthly_columns(&m);
    let nc = cols.len();
    let c = |name: &str| cols.iter().position(|x| x == name).unwrap();
    let (occ, mbd, six, outflow) = (
        c("occupancy:benefit"),
        c("mean_benefit_duration"),
        c("six_month_employment_share"),
        c("outflow_share"),
    );
    for engine in [Engine::Individual, Engine::Count] {
        let reps = simulate(&m, &[SCENARIO], &opts(400, 3, None, engine), &|| {}).unwrap();
        let mut worst = 0.0f64;
        for month in 1..=horizon {
            let at =
                |r: &trappe::simulation::records::Replication, c: usize| r.arms[0].monthly[month * nc + c];
            let per = |f: &dyn Fn(&trappe::simulation::records::Replication) -> f64| -> Vec<f64> {
                reps.iter().map(|r| f(r) / 400.0).collect()
            };
            let series = [
                ("reimbursement share", per(&|r| r.arms[0].flows[month - 1][1] / 10_000.0)),
                ("spell sum", per(&|r| at(r, mbd) * at(r, occ))),
                ("six months in work", per(&|r| at(r, six) * 400.0)),
                ("outflow", per(&|r| at(r, outflow) * 400.0)),
                ("on benefit", per(&|r| at(r, occ))),
            ];
            for (k, (name, v)) in series.iter().enumerate() {
                let (mean, se) = mean_se(v);
                let want = exact[month - 1][k];
                let diff = (mean - want).abs();
                let z = if diff < 1e-9 {
                    0.0
                } else if se > 0.0 {
                    diff / se
                } else {
                    f64::INFINITY
                };
                worst = worst.max(z);
                assert!(
                    z < 4.5,
                    "{engine} engine, month {month}, {name}: {mean:.5} against exactly {want:.5} (z = {z:.1})"
                );
            }
        }
        assert!(worst > 0.5, "{engine}: suspiciously exact agreement: {worst}");
    }
}

fn stuck(months_on_benefit: u32, horizon: u32) -> Model {
    model(&scenario(
        &format!(
            r#"
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
probability = 0.0
[[segments]]
name = "all"
size = 100
start_state = "benefit"
benefit_type = "kh"
months_on_benefit = {months_on_benefit}
"#
        ),
        horizon,
        3,
        "[budget.reimbursement]\nregime = \"2016\"\n",
    ))
}

/// A cohort that never leaves, with the count engine: benefit and reimbursement to the
/// krone through the 2016 bands, from the first month and after months before the start.
#[test]
fn count_engine_books_the_2016_bands_to_the_krone() {
    let law = |k: u32| match k {
        1 => 0.8,
        2..=6 => 0.4,
        7..=12 => 0.3,
        _ => 0.2,
    };
    for before in [0u32, 4, 36] {
        let m = stuck(before, 24);
        for rep in 0..3 {
            let r = trappe::simulation::count::simulate_replication(&m, &[SCENARIO], m.seed, rep);
            for (mo, f) in r.arms[0].flows.iter().enumerate() {
                let k = before + mo as u32 + 1;
                assert_eq!(f[0], 100.0 * 10_000.0, "gross benefit, month {}", mo + 1);
                let expect = 100.0 * 10_000.0 * law(k);
                assert!(
                    (f[1] - expect).abs() < 1e-6,
                    "{before} before, month {}: {} vs {expect}",
                    mo + 1,
                    f[1]
                );
            }
            // Spells: everyone on benefit since `before` months before the start.
            let nc = monthly_columns(&m).len();
            let mbd = monthly_columns(&m).iter().position(|c| c == "mean_benefit_duration").unwrap();
            for month in 0..=24 {
                assert_eq!(r.arms[0].monthly[month * nc + mbd], (before as usize + month) as f64);
            }
        }
    }
}

#[test]
fn count_engine_gives_identical_files_with_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    for scen in ["staircase-default.toml", "aalborg-2019-reinforcement-team.toml"] {
        let path = repo().join("scenarios").join(scen);
        let path = path.to_str().unwrap();
        for (threads, out) in [("1", "one"), ("2", "two")] {
            let o = trappe(
                &["run", path, "-n", "40", "-j", threads, "--engine", "count", "--out", out, "--force", "-q"],
                dir.path(),
            );
            assert!(o.status.success(), "{}", texts(&o).1);
        }
        for f in ["summary.csv", "replications.csv", "monthly.csv", "budget_years.csv"] {
            let a = std::fs::read(dir.path().join("one").join(f)).unwrap();
            let b = std::fs::read(dir.path().join("two").join(f)).unwrap();
            assert!(!a.is_empty());
            assert!(a == b, "{scen}: {f} differs between 1 and 2 threads");
        }
        let manifest = std::fs::read_to_string(dir.path().join("one/run.toml")).unwrap();
        assert!(manifest.contains("engine = \"count\""), "{manifest}");
    }
}

#[test]
fn count_engine_gives_exactly_zero_difference_between_identical_arms() {
    let twin = Arm { name: "counterfactual", ..SCENARIO };
    let team =
        std::fs::read_to_string(repo().join("scenarios/aalborg-2019-reinforcement-team.toml")).unwrap();
    for text in [default_text(), team] {
        let m = model(&text);
        let arms = [SCENARIO, twin];
        let reps = simulate(&m, &arms, &opts(30, 11, None, Engine::Count), &|| {}).unwrap();
        for r in &reps {
            assert_eq!(r.arms[0], r.arms[1], "replication {}", r.index);
        }
        let res = trappe::analysis::outcomes::summarise(&m, &arms, &reps);
        for (k, s) in res.arm_summaries[2].iter().enumerate() {
            assert_eq!((s.mean, s.p05, s.p95, s.sd), (0.0, 0.0, 0.0, 0.0), "difference of outcome {k}");
        }
        // With the real counterfactual the arms differ, so the test above is not vacuous.
        let reps =
            simulate(&m, &[SCENARIO, COUNTERFACTUAL], &opts(5, 11, None, Engine::Count), &|| {}).unwrap();
        assert!(reps.iter().any(|r| r.arms[0].monthly != r.arms[1].monthly));
    }
}

#[test]
fn trajectories_need_the_individual_engine() {
    let dir = tempfile::tempdir().unwrap();
    let path = repo().join("scenarios/staircase-default.toml");
    let o = trappe(
        &["run", path.to_str().unwrap(), "-n", "2", "--engine", "count", "--trajectories", "5", "--out", "x"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let (_, err) = texts(&o);
    assert!(err.contains("--trajectories needs --engine individual"), "{err}");
    assert!(!dir.path().join("x").exists(), "no output folder on error");
}

#[test]
fn count_engine_shards_merge_into_the_single_run_and_engines_do_not_mix() {
    let dir = tempfile::tempdir().unwrap();
    let path = repo().join("scenarios/staircase-default.toml");
    let path = path.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", path, "-n", "10", "-q", "--force"];
        args.extend_from_slice(extra);
        let o = trappe(&args, dir.path());
        assert!(o.status.success(), "{}", texts(&o).1);
    };
    run(&["--engine", "count", "--out", "single"]);
    run(&["--engine", "count", "--shard", "1/2", "--out", "p1"]);
    run(&["--engine", "count", "--shard", "2/2", "--out", "p2"]);
    run(&["--engine", "individual", "--shard", "2/2", "--out", "p2i"]);
    let part = std::fs::read_to_string(dir.path().join("p1/part.toml")).unwrap();
    assert!(part.contains("engine = \"count\""), "{part}");
    let o = trappe(&["merge", "p1", "p2", "--out", "merged"], dir.path());
    assert!(o.status.success(), "{}", texts(&o).1);
    for f in ["summary.csv", "replications.csv", "monthly.csv", "budget_years.csv"] {
        let a = std::fs::read(dir.path().join("single").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("merged").join(f)).unwrap();
        assert!(a == b, "{f}: merged count-engine shards differ from the single run");
    }
    let manifest = std::fs::read_to_string(dir.path().join("merged/run.toml")).unwrap();
    assert!(manifest.contains("engine = \"count\""), "{manifest}");
    let o = trappe(&["merge", "p1", "p2i", "--out", "mixed"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(texts(&o).1.contains("engine"), "{}", texts(&o).1);
}
