//! `trappe check`: validates a scenario and describes the model it resolves to, so a
//! user sees what will be simulated before running it.

use crate::model::Model;
use crate::report::describe::describe;
use std::path::Path;

/// Loads and validates the scenario file; returns the description of the resolved
/// model followed by a line saying the scenario is valid.
pub fn check(scenario: &Path) -> anyhow::Result<String> {
    let (_, model) = Model::load(scenario)?;
    let mut text = describe(&model);
    text.push_str(&format!("\n{}: the scenario is valid.\n", scenario.display()));
    Ok(text)
}
