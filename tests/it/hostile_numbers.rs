//! Numbers that would make results silently wrong are refused: `nan`, `inf` and
//! finite overflow in any number of a scenario, plain or inside a distribution,
//! year keys with two spellings, and months that are not exactly `"YYYY-MM"`. Each
//! gets an error naming the file, line and key and what was wanted (exit 2) from
//! `trappe check` and, before simulating, from `trappe run`.

use crate::common::*;
use trappe::model::{COUNTERFACTUAL, SCENARIO};

/// The default scenario with the first `replace` replaced by `with`.
fn damaged(replace: &str, with: &str) -> String {
    let text = default_text();
    assert!(text.contains(replace), "the default scenario no longer contains {replace:?}");
    text.replacen(replace, with, 1)
}

/// Runs `trappe check` (and `trappe run` when `run`) on `text`: both must exit 2
/// before simulating, and the error must name the line holding `at` and `key`.
/// Returns the error text.
fn refused(text: &str, at: &str, key: &str, run: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), text).unwrap();
    let line = text.lines().position(|l| l.contains(at)).expect("the damaged line") + 1;
    let mut commands = vec![vec!["check", "bad.toml"]];
    if run {
        commands.push(vec!["run", "bad.toml", "--out", "res", "-q", "-n", "2"]);
    }
    let mut first = String::new();
    for args in commands {
        let out = trappe(&args, dir.path());
        let (_, err) = texts(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?} should fail with status 2: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            err.starts_with(&format!("error: bad.toml:{line}:")),
            "{args:?}: expected line {line}: {err}"
        );
        assert!(err.contains(&format!("key `{key}`")), "{args:?}: expected key `{key}`: {err}");
        assert!(!dir.path().join("res").exists(), "a refused run must not leave an output folder");
        if first.is_empty() {
            first = err;
        }
    }
    first
}

/// [`refused`] for the default scenario with `replace` replaced by `with`.
fn refused_default(replace: &str, with: &str, key: &str, run: bool) -> String {
    refused(&damaged(replace, with), with, key, run)
}

const STAFFING_ELASTICITY: &str = "elasticity = { dist = \"triangular\", min = 0.0, mode = 0.14, max = 0.38, source = \"E-LOAD-6\", grade = \"EST\" }";
const RELAPSE_ELASTICITY: &str =
    "elasticity = { dist = \"triangular\", min = -0.25, mode = -0.1, max = 0.0, grade = \"GAP\" }";
const STAFF_COST: &str =
    "staff_cost_per_fte_year = { dist = \"triangular\", min = 520000, mode = 600000, max = 700000 }";

#[test]
fn an_elasticity_of_nan_is_refused_in_staffing_and_on_a_transition() {
    let err = refused_default(STAFFING_ELASTICITY, "elasticity = nan", "staffing.elasticity", true);
    assert!(err.contains("expected an elasticity in [-10, 10], but got nan"), "{err}");
    let err = refused_default(RELAPSE_ELASTICITY, "elasticity = nan", "transitions[12].elasticity", true);
    assert!(err.contains("but got nan"), "{err}");
    let err = refused_default(
        RELAPSE_ELASTICITY,
        "elasticity = { dist = \"uniform\", min = -1, max = inf }",
        "transitions[12].elasticity",
        false,
    );
    assert!(err.contains("`max` must be a finite number"), "{err}");
}

#[test]
fn a_bare_inf_is_refused_for_every_amount_and_multiplier() {
    let cases = [
        (
            "activity_cost = { dist = \"triangular\", min = 1000, mode = 2000, max = 4000 }",
            "activity_cost = inf",
            "states[1].activity_cost",
        ),
        ("one_off_cost = 2000", "one_off_cost = inf", "transitions[2].one_off_cost"),
        (STAFF_COST, "staff_cost_per_fte_year = inf", "budget.staff_cost_per_fte_year"),
        (
            "tax_per_employed_month = 2500",
            "tax_per_employed_month = inf",
            "budget.wider.tax_per_employed_month",
        ),
        (
            "equalisation_per_employed_month = { dist = \"uniform\", min = 1950, max = 4108 }",
            "equalisation_per_employed_month = inf",
            "budget.wider.equalisation_per_employed_month",
        ),
        (
            "state_tax_per_employed_month = { dist = \"triangular\", min = 1000, mode = 2000, max = 3000 }",
            "state_tax_per_employed_month = inf",
            "budget.wider.state_tax_per_employed_month",
        ),
        (
            "duration = [{ from_month = 7, multiplier = 0.5 }]",
            "duration = [{ from_month = 7, multiplier = inf }]",
            "transitions[12].duration[0].multiplier",
        ),
    ];
    for (replace, with, key) in cases {
        let err = refused_default(replace, with, key, true);
        assert!(err.contains("but got inf"), "{err}");
        assert!(err.contains("1,000,000"), "the message states the ceiling: {err}");
    }
    // The same as a distribution table, refused as before.
    let err = refused_default(
        "one_off_cost = 2000",
        "one_off_cost = { dist = \"fixed\", value = inf }",
        "transitions[2].one_off_cost",
        false,
    );
    assert!(err.contains("`value` must be a finite number"), "{err}");
}

#[test]
fn a_segment_multiplier_of_inf_is_refused() {
    let with = "multipliers = { \"step1->job\" = inf }";
    let text = damaged("inflow_state = \"step0\"", &format!("inflow_state = \"step0\"\n{with}"));
    let err = refused(&text, with, "segments[0].multipliers.step1->job", true);
    assert!(err.contains("expected a non-negative multiplier in [0, 1,000,000], but got inf"), "{err}");
}

#[test]
fn finite_overflow_is_refused() {
    let cases = [
        (STAFF_COST, "staff_cost_per_fte_year = 1e308", "budget.staff_cost_per_fte_year"),
        ("baseline_fte = 10", "baseline_fte = 1e308", "staffing.baseline_fte"),
        ("fte = 2", "fte = 1e308", "staffing.hires[0].fte"),
        (
            "rates = { 2024 = 12326 }",
            "rates = { 2024 = 1e308 }",
            "budget.benefit_rates.kh_30plus_other.rates.2024",
        ),
        ("amounts = { 2024 = 1000000 }", "amounts = { 2024 = 1e308 }", "grants[0].amounts.2024"),
        (
            STAFF_COST,
            "staff_cost_per_fte_year = { dist = \"lognormal\", mu = 1000, sigma = 1 }",
            "budget.staff_cost_per_fte_year",
        ),
    ];
    for (replace, with, key) in cases {
        let err = refused_default(replace, with, key, true);
        assert!(err.contains("1e308") || err.contains("inf"), "{err}");
    }
    // A lognormal whose mean is in range but whose far tail is not.
    let err = refused_default(
        STAFF_COST,
        "staff_cost_per_fte_year = { dist = \"lognormal\", mu = 13, sigma = 3 }",
        "budget.staff_cost_per_fte_year",
        false,
    );
    assert!(err.contains("can take values from 0 to"), "{err}");
    // Just above the ceiling, and the largest FTE.
    refused_default(STAFF_COST, "staff_cost_per_fte_year = 1.1e12", "budget.staff_cost_per_fte_year", false);
    refused_default("baseline_fte = 10", "baseline_fte = 1000001", "staffing.baseline_fte", false);
}

#[test]
fn a_year_key_is_exactly_four_digits() {
    for year in ["\"02024\"", "\"+2024\"", "\"2024 \"", "\"１９９９\""] {
        let with = format!("rates = {{ 2024 = 12326, {year} = 12000 }}");
        let key_year = year.trim_matches('"');
        let err = refused_default(
            "rates = { 2024 = 12326 }",
            &with,
            &format!("budget.benefit_rates.kh_30plus_other.rates.{key_year}"),
            true,
        );
        assert!(err.contains("four digits"), "{err}");
    }
    let err = refused_default(
        "amounts = { 2024 = 1000000 }",
        "amounts = { 2024 = 1000000, \"+2024\" = 1 }",
        "grants[0].amounts.+2024",
        false,
    );
    assert!(err.contains("four digits"), "{err}");
    // The same year written twice is a TOML duplicate, refused at its second spelling
    // with both spellings and the line of the first.
    let with = "rates = { 2024 = 12326, \"2024\" = 12000 }";
    let err = refused_default(
        "rates = { 2024 = 12326 }",
        with,
        "budget.benefit_rates.kh_30plus_other.rates",
        false,
    );
    let line = damaged("rates = { 2024 = 12326 }", with).lines().position(|l| l.contains(with)).unwrap() + 1;
    assert!(err.contains("duplicate key"), "{err}");
    assert!(
        err.contains(&format!("`2024` is already given on line {line}, and `\"2024\"` is the same key")),
        "{err}"
    );
}

#[test]
fn a_month_is_exactly_yyyy_mm() {
    for start in ["\" 2024-01\"", "\"2024-01 \"", "\"+202-01\"", "\"2024-+1\""] {
        let err = refused_default("start = \"2024-01\"", &format!("start = {start}"), "scenario.start", true);
        assert!(err.contains("expected a month as \"YYYY-MM\""), "{err}");
    }
    let err = refused_default("start = \"2024-01\"", "start = \"9999-01\"", "scenario.start", true);
    assert!(err.contains("1900–2200"), "{err}");
}

/// The ceilings themselves are accepted, and a scenario at every ceiling at once
/// gives finite money in both engines.
#[test]
fn numbers_at_the_ceilings_run_to_finite_results() {
    let text = damaged(STAFF_COST, "staff_cost_per_fte_year = 1e12")
        .replace("one_off_cost = 2000", "one_off_cost = 1e12")
        .replace("rates = { 2024 = 12326 }", "rates = { 2024 = 1e12 }")
        .replace("amounts = { 2024 = 1000000 }", "amounts = { 2024 = 1e12 }")
        .replace("baseline_fte = 10", "baseline_fte = 1e6")
        .replace("multiplier_max = 2.0", "multiplier_max = 1e6")
        .replace(STAFFING_ELASTICITY, "elasticity = 10")
        .replace("multiplier = 0.5", "multiplier = 1e6")
        .replace(
            "inflow_state = \"step0\"",
            "inflow_state = \"step0\"\nmultipliers = { \"step1->job\" = 1e6 }",
        );
    let m = model(&text);
    let arms = [SCENARIO, COUNTERFACTUAL];
    let count = trappe::simulation::count::simulate_replication(&m, &arms, 1, 0);
    let individual = trappe::simulation::individual::simulate_replication(&m, &arms, 1, 0, 0);
    for rep in [count, individual] {
        for arm in &rep.arms {
            assert!(arm.flows.iter().flatten().all(|v| v.is_finite()), "a cash flow is not finite");
        }
        let res = trappe::analysis::outcomes::summarise(&m, &arms, &[rep]);
        for r in &res.reps {
            for years in &r.budget {
                assert!(years.total.iter().all(|v| v.is_finite()), "a budget total is not finite");
            }
        }
    }
}
