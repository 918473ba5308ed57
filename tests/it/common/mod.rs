//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use trappe::input::scenario::LoadedScenario;
use trappe::model::{Arm, Model};
pub use trappe::simulation::driver::Engine;
use trappe::simulation::driver::{SimOptions, simulate};
use trappe::simulation::records::Replication;

pub mod browser;
pub mod multiple_testing;

/// Generates one test per engine for each function `fn name(engine: Engine)` named:
/// a module `name` holding the tests `name::individual` and `name::count`. The two
/// engines must give the same results (exactly, or in distribution); defining the
/// check once keeps them to the same standard, and one test per engine reports a
/// failure under the engine that failed without hiding the other engine's result.
macro_rules! test_both_engines {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[test]
            fn individual() {
                super::$name($crate::common::Engine::Individual)
            }
            #[test]
            fn count() {
                super::$name($crate::common::Engine::Count)
            }
        }
    )+};
}
pub(crate) use test_both_engines;

/// Simulation options for `replications` replications from `seed` with `engine`, on
/// all cores, without sampled paths.
pub fn sim_options(replications: u32, seed: u64, engine: Engine) -> SimOptions {
    SimOptions {
        replications,
        inner_replications: 1,
        seed,
        threads: None,
        trajectories: 0,
        first_replication: 0,
        engine,
    }
}

/// Simulates `arms` of `m` with `engine`: `replications` replications from `seed`.
pub fn run_engine(m: &Model, arms: &[Arm], engine: Engine, replications: u32, seed: u64) -> Vec<Replication> {
    simulate(m, arms, &sim_options(replications, seed, engine), &|| {}).unwrap()
}

/// The `trappe run` options that choose `engine`.
pub fn engine_args(engine: Engine) -> [&'static str; 2] {
    ["--engine", engine.name()]
}

/// The CSV files a run writes with `engine` (`trajectories.csv` needs the individual
/// engine and sampled paths).
pub fn csv_files(engine: Engine) -> &'static [&'static str] {
    const ALL: [&str; 5] =
        ["summary.csv", "replications.csv", "monthly.csv", "budget_years.csv", "trajectories.csv"];
    match engine {
        Engine::Individual => &ALL,
        Engine::Count => &ALL[..4],
    }
}

/// The default scenario's text.
pub fn default_text() -> String {
    std::fs::read_to_string(repo().join("scenarios/staircase-default.toml")).unwrap()
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A model from scenario text, panicking with the error message if invalid.
pub fn model(text: &str) -> Model {
    let sc = LoadedScenario::from_str("test.toml", text).unwrap_or_else(|e| panic!("{e}"));
    Model::from_scenario(&sc).unwrap_or_else(|e| panic!("{e}"))
}

/// The error message for invalid scenario text.
pub fn error(text: &str) -> String {
    match LoadedScenario::from_str("test.toml", text) {
        Err(e) => e.to_string(),
        Ok(sc) => match Model::from_scenario(&sc) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("expected the scenario to be rejected"),
        },
    }
}

/// Runs the `trappe` binary.
pub fn trappe(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trappe")).args(args).current_dir(dir).output().expect("run trappe")
}

/// Runs `trappe` in `dir` and asserts success; returns stdout.
pub fn ok(args: &[&str], dir: &Path) -> String {
    let o = trappe(args, dir);
    let (out, err) = texts(&o);
    assert!(o.status.success(), "trappe {args:?} failed: {err}");
    out
}

/// Runs `trappe` in `dir`, asserts exit status 2 without a panic; returns stderr.
pub fn fails(args: &[&str], dir: &Path) -> String {
    let o = trappe(args, dir);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "trappe {args:?} should fail with status 2: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Text of stdout and stderr.
pub fn texts(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).to_string(), String::from_utf8_lossy(&o.stderr).to_string())
}

/// The states, transition and segment of a staffing case: 400 citizens on benefit who
/// leave for a job with monthly probability `probability` (a number or a distribution
/// table), staffing-sensitive; for [`scenario`] with a `[staffing]` table after it.
pub fn benefit_to_job(probability: &str) -> String {
    format!(
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
probability = {probability}
staffing_sensitive = true
[[segments]]
name = "all"
size = 400
start_state = "benefit"
benefit_type = "kh"
"#
    )
}

/// A one-state-block scenario builder for closed-form tests: `body` holds the states,
/// transitions and segments; the header, budget and simulation are filled in.
pub fn scenario(body: &str, horizon: u32, replications: u32, extra_budget: &str) -> String {
    format!(
        r#"
[scenario]
name = "test"
start = "2016-01"
horizon_months = {horizon}

[simulation]
replications = {replications}
seed = 42

{body}

[budget]
discount_rate = 0.0
{extra_budget}

[budget.benefit_rates.kh]
rates = {{ 2016 = 10000 }}
indexation = 0.0
"#
    )
}

/// Budget lines for a scenario without state reimbursement.
pub const NO_REFUND: &str = "[budget.reimbursement]\nregime = \"none\"\n";

/// The states of the small test staircase: two benefit states `a` and `b` (`b` an
/// activation), an ordinary `job`, and `gone`. A macro so that constants can be built on it.
#[macro_export]
macro_rules! small_staircase_states {
    () => {
        r#"
[[states]]
id = "a"
pays_benefit = true
[[states]]
id = "b"
pays_benefit = true
activation = true
[[states]]
id = "job"
self_supporting = true
employed = true
[[states]]
id = "gone"
"#
    };
}

/// The states of the small test staircase (see [`small_staircase_states`]).
pub const SMALL_STAIRCASE_STATES: &str = small_staircase_states!();

/// A closed-form test chain: competing exits from two benefit states, a job with
/// relapse, and an absorbing exit; 2,000 citizens start in `a`.
pub const CHAIN_STATES: &str = concat!(
    small_staircase_states!(),
    r#"
[[transitions]]
from = "a"
to = "b"
probability = 0.10
[[transitions]]
from = "a"
to = "gone"
probability = 0.02
[[transitions]]
from = "b"
to = "job"
probability = 0.08
[[transitions]]
from = "b"
to = "a"
probability = 0.05
[[transitions]]
from = "job"
to = "b"
probability = 0.03

[[segments]]
name = "all"
size = 2000
start_state = "a"
benefit_type = "kh"
"#
);

/// One-month transition matrix by competing hazards, computed independently of the engines.
pub fn competing_matrix(exits: &[&[(usize, f64)]]) -> Vec<Vec<f64>> {
    let n = exits.len();
    let mut p = vec![vec![0.0; n]; n];
    for (i, ex) in exits.iter().enumerate() {
        let rates: Vec<f64> = ex.iter().map(|(_, q)| -(1.0f64 - q).ln()).collect();
        let total: f64 = rates.iter().sum();
        let leave = 1.0 - (-total).exp();
        for ((j, _), r) in ex.iter().zip(&rates) {
            p[i][*j] += leave * r / total;
        }
        p[i][i] += 1.0 - leave;
    }
    p
}
