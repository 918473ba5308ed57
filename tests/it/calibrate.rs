//! `trappe calibrate`: a synthetic scenario with known true parameters is fitted
//! back to them; targets out of reach are said to be so; bad observed files get
//! clear errors and leave nothing behind; the written scenario is valid, keeps
//! its comments, and calibrating it again changes nothing.

use crate::common::*;
use std::path::Path;
use trappe::analysis::calibration::{FitArm, FitOptions, fit};

/// True values of the synthetic scenario.
const TRUE_P: f64 = 0.03;
const TRUE_MULT: f64 = 0.5;

/// One exit from benefit to job; segment `b` leaves at a multiple of segment `a`'s
/// rate. The file starts from wrong values (0.05 and 1) marked for calibration.
fn synthetic(prob: &str, mult: &str) -> String {
    format!(
        r#"# Synthetic scenario with known true parameters.
[scenario]
name = "synthetic"
start = "2020-01"
horizon_months = 12

[simulation]
replications = 100
seed = 7

[[states]]
id = "benefit"
pays_benefit = true

[[states]]
id = "job"
self_supporting = true
employed = true

# The base probability: true value 0.03.
[[transitions]]
from = "benefit"
to = "job"
probability = {prob}

[[segments]]
name = "a"
size = 500
start_state = "benefit"
benefit_type = "kh"

# Segment b is slower: true multiplier 0.5.
[[segments]]
name = "b"
size = 500
start_state = "benefit"
benefit_type = "kh"
multipliers = {{ "benefit->job" = {mult} }}

[budget.benefit_rates.kh]
rates = {{ 2020 = 10000 }}

[budget.reimbursement]
regime = "none"
"#
    )
}

const START_P: &str = r#"{ dist = "fixed", value = 0.05, calibrate = true }"#;
const START_MULT: &str = r#"{ dist = "fixed", value = 1.0, calibrate = true }"#;

/// Expected outflow shares at the true values, in closed form: with one exit and a
/// rate multiplier m, P(still on benefit after t months) = (1 − p)^(m·t).
fn observed_csv(segments: &[&str]) -> String {
    let mut s = String::from("metric,month,segment,value\n");
    for t in [6, 12] {
        for seg in segments {
            let m = if *seg == "b" { TRUE_MULT } else { 1.0 };
            s.push_str(&format!("outflow_share,{t},{seg},{:.6}\n", 1.0 - (1.0 - TRUE_P).powf(m * t as f64)));
        }
    }
    s
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The fit finds the true probability and multiplier within 8 %. Over seeds 1 to 8 the
/// fitted values lie within 1.4 % of the truth (standard deviation about 0.7 %), so the
/// margin is more than ten standard deviations: a change of random stream fails it
/// with negligible probability.
#[test]
fn recovers_known_parameters_from_wrong_starting_values() {
    let model = model(&synthetic(START_P, START_MULT));
    let observed = trappe::input::observed::parse("obs.csv", &observed_csv(&["a", "b"]), &model).unwrap();
    let opts = FitOptions {
        replications: 100,
        seed: 7,
        threads: None,
        arm: FitArm::Counterfactual,
        max_evaluations: 400,
    };
    let f = fit(&model, &observed, &opts).unwrap();
    let p = f.fitted_mean(&model, 0);
    let m = f.fitted_mean(&model, 1);
    // 500 citizens per segment and 100 replications: the simulated shares carry a
    // Monte Carlo error of about 0.002, which moves the fitted values by a few
    // per cent; 8 % is a safe margin that still rules out the starting values.
    assert!((p - TRUE_P).abs() < 0.08 * TRUE_P, "probability fitted {p}, true {TRUE_P}");
    assert!((m - TRUE_MULT).abs() < 0.08 * TRUE_MULT, "multiplier fitted {m}, true {TRUE_MULT}");
    assert!(f.converged, "the optimiser should converge");
    assert!(f.objective < 1.0 && f.start_objective > 100.0, "{} from {}", f.objective, f.start_objective);
    assert_eq!(f.degrees_of_freedom, 2);
    assert!(!f.unreachable());
}

#[test]
fn a_target_out_of_bounds_cannot_be_reached_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let prob = r#"{ dist = "fixed", value = 0.05, calibrate = true, bounds = [0.045, 0.1] }"#;
    write(dir.path(), "s.toml", &synthetic(prob, "0.5"));
    write(dir.path(), "obs.csv", &observed_csv(&["a"]));
    let o = trappe(&["calibrate", "s.toml", "--observed", "obs.csv", "-n", "40", "-q"], dir.path());
    let (out, err) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains("cannot be reached within the bounds"), "{out}");
    assert!(out.contains("CANNOT BE REACHED WITHIN THE BOUNDS"), "{out}");
    assert!(out.contains("AT BOUND (lower)"), "{out}");
    // The best fit within the bounds is still written, at the bound.
    let written = std::fs::read_to_string(dir.path().join("s.calibrated.toml")).unwrap();
    assert!(written.contains("value = 0.045"), "{written}");
    assert!(written.contains("AT LOWER BOUND"), "{written}");
}

/// Runs `trappe calibrate` on the synthetic scenario with an observed file; returns stderr.
fn rejected_csv(csv: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.toml", &synthetic(START_P, START_MULT));
    write(dir.path(), "obs.csv", csv);
    let o = trappe(&["calibrate", "s.toml", "--observed", "obs.csv", "--out", "c.toml", "-q"], dir.path());
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "a bad observed file must fail with status 2: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("error: obs.csv:"), "the error should name the file and line: {err}");
    assert!(!dir.path().join("c.toml").exists(), "no output after an error");
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(!name.contains("partial"), "left behind: {name}");
    }
    err
}

#[test]
fn bad_observed_files_get_errors_naming_file_line_and_column() {
    let err = rejected_csv("# a comment\nmetric,month,segment,value\noutflow_shar,6,a,0.1\n");
    assert!(err.contains("obs.csv:3:"), "{err}");
    assert!(err.contains("column 1 (`metric`)") && err.contains("unknown metric `outflow_shar`"), "{err}");
    assert!(err.contains("did you mean `outflow_share`?"), "{err}");

    let err = rejected_csv("metric,month,segment,value\noutflow_share,6,a,0.1\noutflow_share,6,bb,0.1\n");
    assert!(err.contains("obs.csv:3:") && err.contains("column 3 (`segment`)"), "{err}");
    assert!(err.contains("no segment `bb`") && err.contains("did you mean `b`?"), "{err}");

    let err = rejected_csv("metric,month,segment,value\noutflow_share,13,a,0.1\n");
    assert!(err.contains("obs.csv:2:") && err.contains("column 2 (`month`)"), "{err}");
    assert!(err.contains("month 13 falls outside the simulation: expected 1 to 12"), "{err}");

    let err = rejected_csv("metric,month,segment\noutflow_share,6,a\n");
    assert!(err.contains("obs.csv:1:") && err.contains("missing column `value`"), "{err}");

    let err = rejected_csv("metric,month,segment,value\n\n# skipped\noutflow_share,6,a,twenty\n");
    assert!(err.contains("obs.csv:4:") && err.contains("column 4 (`value`)"), "{err}");
    assert!(err.contains("expected a number") && err.contains("`twenty`"), "{err}");

    let err = rejected_csv("metric,month,segment,value\noutflow_share,6,a,28\n");
    assert!(err.contains("for 28 % write 0.28"), "{err}");

    let err = rejected_csv("metric,month,segmnt,value\n");
    assert!(err.contains("unknown column `segmnt`") && err.contains("did you mean `segment`?"), "{err}");

    let err = rejected_csv("metric,month,segment,value\noutflow_share,6,a\n");
    assert!(err.contains("obs.csv:2:") && err.contains("expected 4 fields"), "{err}");
}

#[test]
fn calibrate_marks_only_where_allowed() {
    let text = default_text();
    let from = "elasticity = { dist = \"triangular\", min = 0.0, mode = 0.14, max = 0.38, source = \"E-LOAD-6\", grade = \"EST\" }";
    assert!(text.contains(from), "the default scenario no longer has {from}");
    let bad = text.replacen(from, &from.replace(" }", ", calibrate = true }"), 1);
    let err = error(&bad);
    assert!(err.contains("key `staffing.elasticity.calibrate`"), "{err}");
    assert!(err.contains("cannot be calibrated") && err.contains("transition probabilities"), "{err}");

    let m = model(&synthetic(START_P, START_MULT));
    assert_eq!(m.calibration.len(), 2);
    let err = error(&synthetic(
        r#"{ dist = "fixed", value = 0.05, calibrate = true, bounds = [0.06, 0.1] }"#,
        START_MULT,
    ));
    assert!(err.contains("must contain the parameter's mean 0.05"), "{err}");
    let err = error(&synthetic(r#"{ dist = "fixed", value = 0.05, bounds = [0.01, 0.1] }"#, START_MULT));
    assert!(err.contains("`bounds` only apply to a parameter marked `calibrate = true`"), "{err}");
    let err = error(&synthetic(
        r#"{ dist = "fixed", value = 0.05, calibrate = true, bounds = [0.01, 1.5] }"#,
        START_MULT,
    ));
    assert!(err.contains("0 ≤ lo < hi < 1"), "{err}");
}

#[test]
fn the_written_scenario_is_valid_keeps_comments_and_recalibrates_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "s.toml", &synthetic(START_P, START_MULT));
    write(d, "obs.csv", &observed_csv(&["a", "b"]));
    let args = ["calibrate", "s.toml", "--observed", "obs.csv", "-n", "60", "-q"];
    let o = trappe(&args, d);
    assert_eq!(o.status.code(), Some(0), "{}", texts(&o).1);
    let written = std::fs::read_to_string(d.join("s.calibrated.toml")).unwrap();
    for comment in
        ["# Synthetic scenario with known true parameters.", "# The base probability: true value 0.03."]
    {
        assert!(written.contains(comment), "lost comment {comment:?}:\n{written}");
    }
    assert!(written.contains("# calibrated: trappe"), "{written}");
    assert!(written.contains("calibrate = true"), "the marks are kept: {written}");
    let check = trappe(&["check", "s.calibrated.toml"], d);
    assert_eq!(check.status.code(), Some(0), "{}", texts(&check).1);

    // Without --force an existing file is not replaced.
    let again = trappe(&args, d);
    assert_eq!(again.status.code(), Some(2));
    assert!(texts(&again).1.contains("already exists; use --force"), "{}", texts(&again).1);

    // Calibrating the calibrated file again: a no-op within tolerance, and its
    // comments are replaced, not piled up.
    let o = trappe(
        &["calibrate", "s.calibrated.toml", "--observed", "obs.csv", "-n", "60", "-q", "--out", "s2.toml"],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", texts(&o).1);
    let m1 = model(&written);
    let m2 = model(&std::fs::read_to_string(d.join("s2.toml")).unwrap());
    for (a, b) in m1.calibration.iter().zip(&m2.calibration) {
        let (x, y) = (a.dist.mean(), b.dist.mean());
        assert!((x - y).abs() < 0.02 * x, "{}: {x} then {y}", a.key);
    }
    let text2 = std::fs::read_to_string(d.join("s2.toml")).unwrap();
    assert_eq!(text2.matches("# calibrated: trappe").count(), 2, "{text2}");
}

#[test]
fn the_aalborg_2018_scenario_calibrates_to_its_observed_outflow() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("aalborg.toml");
    let scenario = repo().join("scenarios/aalborg-2018-refugees.toml");
    let observed = repo().join("scenarios/observed/aalborg-2018-outflow.csv");
    let o = trappe(
        &[
            "calibrate",
            scenario.to_str().unwrap(),
            "--observed",
            observed.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-n",
            "20",
            "--max-evaluations",
            "30",
            "-q",
        ],
        dir.path(),
    );
    let (stdout, err) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for seg in ["men 18-24", "women 30-64", "men 18-24 + women 18-24"] {
        assert!(stdout.contains(seg), "{stdout}");
    }
    let check = trappe(&["check", out.to_str().unwrap()], dir.path());
    assert_eq!(check.status.code(), Some(0), "{}", texts(&check).1);
    // Every marked parameter is one the engine draws.
    let m = model(&std::fs::read_to_string(&scenario).unwrap());
    let keys = trappe::simulation::draws::parameter_keys(&m);
    assert!(m.calibration.len() >= 6);
    for c in &m.calibration {
        assert!(keys.contains(&c.key), "{} is not an engine parameter", c.key);
    }
}

/// An evaluation limit too small for the optimiser's first simplex is refused before
/// any simulation with a message that names the least limit; from that limit on the
/// calibration runs (and stops at the limit). No limit makes the optimiser panic.
#[test]
fn too_few_evaluations_are_refused_with_the_least_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "s.toml", &synthetic(START_P, START_MULT));
    write(d, "obs.csv", &observed_csv(&["a", "b"]));
    let run = |n: u32| {
        let limit = n.to_string();
        let args = ["calibrate", "s.toml", "--observed", "obs.csv", "-n", "4", "-q", "--force"];
        let mut args: Vec<&str> = args.to_vec();
        args.extend(["--max-evaluations", &limit]);
        trappe(&args, d)
    };
    let refused = run(1);
    assert_eq!(refused.status.code(), Some(2), "{}", texts(&refused).1);
    let message = texts(&refused).1;
    assert!(message.contains("--max-evaluations 1 is too few"), "{message}");
    let least: u32 = message
        .split("need at least ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no least limit in: {message}"));
    for n in 1..least {
        let o = run(n);
        assert_eq!(o.status.code(), Some(2), "--max-evaluations {n}: {}", texts(&o).1);
        assert!(texts(&o).1.contains("is too few"), "--max-evaluations {n}: {}", texts(&o).1);
    }
    for n in least..least + 3 {
        let o = run(n);
        assert_eq!(o.status.code(), Some(0), "--max-evaluations {n}: {}", texts(&o).1);
    }
}
