//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use trappe::model::Model;
use trappe::scenario::LoadedScenario;

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

/// Text of stdout and stderr.
pub fn texts(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).to_string(), String::from_utf8_lossy(&o.stderr).to_string())
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
