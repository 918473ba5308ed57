//! The benchmark scenario: a Copenhagen-like cohort (seed 003) built from a TOML
//! template, so the cohort size can be varied without touching `scenarios/`.

use trappe::input::scenario::LoadedScenario;
use trappe::model::Model;

/// The template; `@NAME@` placeholders are filled in by [`toml_text`].
pub const TEMPLATE: &str = include_str!("copenhagen.toml");

/// Citizens in the Copenhagen target group (seed 003: "ca. 9.500 personer").
pub const COPENHAGEN_CITIZENS: u64 = 9_500;
/// Months simulated in the Copenhagen case (the 4-year grant period 2007-2010).
pub const COPENHAGEN_MONTHS: u64 = 48;
/// Citizens at national size (all of Denmark on cash benefit: about 100,000).
pub const NATIONAL_CITIZENS: u64 = 100_000;
/// Months simulated at national size (ten years).
pub const NATIONAL_MONTHS: u64 = 120;
/// Arms simulated (scenario and counterfactual).
pub const ARMS: u64 = 2;

/// Scenario text for `citizens` citizens over `months` months. Staff, hires and
/// grant scale with the cohort (the Copenhagen figures at 9,500 citizens).
pub fn toml_text(citizens: u64, months: u64) -> String {
    let providers = (citizens * 3 + 5) / 10;
    let others = citizens - providers;
    let scale = citizens as f64 / COPENHAGEN_CITIZENS as f64;
    let text = TEMPLATE
        .replace("@CITIZENS@", &citizens.to_string())
        .replace("@MONTHS@", &months.to_string())
        .replace("@PROVIDERS@", &providers.to_string())
        .replace("@OTHERS@", &others.to_string())
        .replace("@BASELINE_FTE@", &format!("{:.2}", citizens as f64 / 50.0))
        .replace("@EXTRA_FTE@", &format!("{:.2}", 50.0 * scale))
        .replace("@GRANT@", &format!("{:.0}", 26_898_526.0 * scale));
    assert!(!text.contains('@'), "unfilled placeholder in the benchmark template");
    text
}

/// The validated model for `citizens` citizens over `months` months.
pub fn model(citizens: u64, months: u64) -> Model {
    let text = toml_text(citizens, months);
    let sc = LoadedScenario::from_str("benches/benchmarks/copenhagen.toml", &text)
        .unwrap_or_else(|e| panic!("benchmark scenario does not parse: {e:?}"));
    let model =
        Model::from_scenario(&sc).unwrap_or_else(|e| panic!("benchmark scenario is not valid: {e:?}"));
    assert_eq!(model.horizon as u64, months);
    assert_eq!(model.initial_size(), citizens);
    assert_eq!(model.total_size(), citizens, "the benchmark scenario has no inflow");
    model
}

/// Person-months simulated by one replication of both arms.
pub fn person_months(citizens: u64, months: u64) -> u64 {
    citizens * months * ARMS
}
