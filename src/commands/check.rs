//! `trappe check`: validates a scenario and describes the model it resolves to, so a
//! user sees what will be simulated before running it. Also the loading every
//! command that simulates shares: a valid scenario's plausibility warnings are
//! printed, or with `--strict` refused, before anything is simulated.

use crate::error::ScenarioError;
use crate::input::scenario::LoadedScenario;
use crate::model::Model;
use crate::report::describe::{describe, sources};
use std::path::Path;

/// Loads and validates the scenario file; returns the description of the resolved
/// model and the sources of its uncertain parameters, followed by a line saying the
/// scenario is valid (and how many warnings it has). Warnings are printed to stderr;
/// with `strict` they are errors.
pub fn check(scenario: &Path, settings: &[String], strict: bool) -> anyhow::Result<String> {
    let (sc, model) = load_checked(scenario, settings, strict)?;
    let mut text = describe(&model);
    text.push_str(&sources(&sc, &model));
    Ok(with_verdict(text, &sc, &model))
}

/// As [`check`], with only the sources of the uncertain parameters in place of the
/// whole description (`trappe check --sources`): the list a finance officer checks.
pub fn check_sources(scenario: &Path, settings: &[String], strict: bool) -> anyhow::Result<String> {
    let (sc, model) = load_checked(scenario, settings, strict)?;
    let text = sources(&sc, &model);
    Ok(with_verdict(text.trim_start().to_string(), &sc, &model))
}

/// `text` followed by the line saying the scenario (with its `--set` values) is valid
/// and how many of its values look implausible.
fn with_verdict(mut text: String, sc: &LoadedScenario, model: &Model) -> String {
    let warned = match model.warnings.len() {
        0 => String::new(),
        1 => ", but 1 value looks implausible (see the warning)".to_string(),
        n => format!(", but {n} values look implausible (see the warnings)"),
    };
    let set: String = sc.settings.iter().map(|s| format!(" --set {s}")).collect();
    text.push_str(&format!("\n{}{set}: the scenario is valid{warned}.\n", sc.path));
    text
}

/// Reads, checks and resolves a scenario file for a command, with the values of its
/// `--set PATH=VALUE` arguments (`settings`) in place of the file's. Its plausibility
/// warnings are printed to stderr, each line starting `warning:`; with `strict`
/// they are errors instead ([`ScenarioError::Strict`]).
pub fn load_checked(
    path: &Path,
    settings: &[String],
    strict: bool,
) -> Result<(LoadedScenario, Model), ScenarioError> {
    let settings = crate::input::setting::parse_all(settings).map_err(ScenarioError::Invalid)?;
    let sc = LoadedScenario::from_path_with(path, &settings)?;
    checked(sc, strict)
}

/// [`load_checked`] of a scenario's text already read (`trappe serve` reads its file
/// once and checks every request's settings against that text): `path` names the file
/// in messages, and a `[cohort]` file is read relative to its folder.
pub fn load_checked_source(
    path: &str,
    source: &str,
    settings: &[String],
    strict: bool,
) -> Result<(LoadedScenario, Model), ScenarioError> {
    let settings = crate::input::setting::parse_all(settings).map_err(ScenarioError::Invalid)?;
    let sc = LoadedScenario::from_str_with(path, source, &settings)?;
    checked(sc, strict)
}

/// The model of a loaded scenario, its plausibility warnings printed or (`strict`) refused.
fn checked(sc: LoadedScenario, strict: bool) -> Result<(LoadedScenario, Model), ScenarioError> {
    let model = Model::from_scenario(&sc)?;
    if strict && !model.warnings.is_empty() {
        return Err(ScenarioError::Strict(model.warnings.iter().map(|w| w.as_error()).collect()));
    }
    for w in &model.warnings {
        eprintln!("warning: {w}");
    }
    Ok((sc, model))
}
