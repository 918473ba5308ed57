//! Bad input gets a clear error: file, line, key, what was expected, the nearest
//! valid key; a non-zero exit; no panic; and no half-written output.

use crate::common::*;
use std::path::Path;

/// Writes a broken copy of the default scenario and runs `trappe check` and `trappe run` on it.
fn rejected(replace: &str, with: &str) -> String {
    let text = default_text();
    assert!(text.contains(replace), "the default scenario no longer contains {replace:?}");
    let bad = text.replacen(replace, with, 1);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), &bad).unwrap();
    let check = trappe(&["check", "bad.toml"], dir.path());
    let (_, err) = texts(&check);
    assert_eq!(check.status.code(), Some(2), "check should fail with status 2: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let run = trappe(&["run", "bad.toml", "--out", "res", "-q"], dir.path());
    assert_eq!(run.status.code(), Some(2));
    assert!(!dir.path().join("res").exists(), "a failed run must not leave an output folder");
    assert_no_partial(dir.path());
    assert!(err.starts_with("error: bad.toml:"), "error should start with the file: {err}");
    err
}

fn assert_no_partial(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(!name.contains("partial"), "left behind: {name}");
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn probability_above_one() {
    let err = rejected("probability = { dist = \"beta\", mean = 0.08, sd = 0.02 }", "probability = 1.3");
    let line = line_of(&default_text(), "probability = { dist = \"beta\", mean = 0.08, sd = 0.02 }");
    assert!(err.contains(&format!("bad.toml:{line}:")), "{err}");
    assert!(err.contains("key `transitions[0].probability`"), "{err}");
    assert!(err.contains("[0, 1)") && err.contains("1.3"), "{err}");
}

#[test]
fn transition_to_a_state_that_does_not_exist() {
    let err = rejected("to = \"wage_subsidy\"", "to = \"wage_subsidie\"");
    assert!(err.contains("key `transitions[7].to`"), "{err}");
    assert!(err.contains("no state `wage_subsidie`"), "{err}");
    assert!(err.contains("did you mean `wage_subsidy`?"), "{err}");
}

#[test]
fn hire_starting_after_the_horizon() {
    let err = rejected("start = \"2024-01\"\nend = \"2025-12\"", "start = \"2031-01\"\nend = \"2031-12\"");
    assert!(err.contains("key `staffing.hires[0].start`"), "{err}");
    assert!(err.contains("2031-01") && err.contains("2026-12"), "{err}");
}

#[test]
fn negative_amounts() {
    let err = rejected("amounts = { 2024 = 1000000 }", "amounts = { 2024 = -1000000 }");
    assert!(err.contains("key `grants[0].amounts.2024`") && err.contains("non-negative"), "{err}");
    let err = rejected("one_off_cost = 2000", "one_off_cost = -2000");
    assert!(err.contains("key `transitions[2].one_off_cost`") && err.contains("non-negative"), "{err}");
}

#[test]
fn misspelt_keys_name_the_nearest_valid_key() {
    let err = rejected("horizon_months = 36", "horizon_month = 36");
    let line = line_of(&default_text(), "horizon_months = 36");
    assert!(err.contains(&format!("bad.toml:{line}:")), "{err}");
    assert!(err.contains("unknown key `horizon_month`"), "{err}");
    assert!(err.contains("did you mean `horizon_months`?"), "{err}");
    let err = rejected("staffing_sensitive = true", "staffing_sensitiv = true");
    assert!(err.contains("did you mean `staffing_sensitive`?"), "{err}");
    let err = rejected("regime = \"2016\"", "regime = \"2061\"");
    assert!(err.contains("did you mean `2016`?"), "{err}");
    let err = rejected("benefit_type = \"kh_30plus_other\"", "benefit_type = \"kh_30plus_othr\"");
    assert!(err.contains("did you mean `kh_30plus_other`?"), "{err}");
    let err = rejected("dist = \"beta\", mean = 0.08", "dist = \"betta\", mean = 0.08");
    assert!(err.contains("did you mean `beta`?"), "{err}");
}

#[test]
fn empty_cohort() {
    let text = default_text()
        .replace("size = 150", "size = 0")
        .replace("size = 350", "size = 0")
        .replace("inflow_per_month = 2", "inflow_per_month = 0")
        .replace("inflow_per_month = 4", "inflow_per_month = 0");
    let err = error(&text);
    assert!(err.contains("the cohort is empty"), "{err}");
    assert!(err.contains("segments[0].size"), "{err}");
}

/// An inflow so large the cohort could not fit in memory is an error, not a crash
/// (found by the no-panic property test: 1e300 a month once ran out of memory).
#[test]
fn an_absurd_inflow_is_refused_before_it_exhausts_memory() {
    for huge in ["1e300", "4294967295", "2000000"] {
        let err = rejected("inflow_per_month = 2", &format!("inflow_per_month = {huge}"));
        assert!(err.contains("key `segments[0].inflow_per_month`"), "{err}");
        assert!(err.contains("at most 50 million citizens"), "{err}");
    }
}

#[test]
fn zero_replications_in_the_file_and_on_the_command_line() {
    let err = rejected("replications = 1000", "replications = 0");
    assert!(err.contains("key `simulation.replications`") && err.contains("at least 1"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let scen = repo().join("scenarios/staircase-default.toml");
    let o = trappe(&["run", scen.to_str().unwrap(), "-n", "0", "--out", "res"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(texts(&o).1.contains("--replications"), "{}", texts(&o).1);
    assert!(!dir.path().join("res").exists());
}

#[test]
fn a_missing_section_is_named() {
    let text = default_text();
    let a = text.find("[[segments]]").unwrap();
    let b = text.find("# ---------------------------------------------------------------- staffing").unwrap();
    let err = error(&format!("{}{}", &text[..a], &text[b..]));
    assert!(err.contains("key `segments`: missing key `segments`"), "{err}");
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let o = trappe(&["check", "nowhere.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(texts(&o).1.contains("cannot read scenario file nowhere.toml"), "{}", texts(&o).1);
}

#[test]
fn several_problems_are_reported_together() {
    let text = default_text()
        .replacen("probability = { dist = \"beta\", mean = 0.08, sd = 0.02 }", "probability = 1.3", 1)
        .replace("fte = 2\n", "fte = 2000000\n");
    let err = error(&text);
    assert!(err.contains("transitions[0].probability") && err.contains("staffing.hires[0].fte"), "{err}");
    assert!(err.contains("2 problems"), "{err}");
}

#[test]
fn an_unwritable_output_folder_fails_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("blocker"), "a file, not a folder").unwrap();
    let scen = repo().join("scenarios/staircase-default.toml");
    let o = trappe(&["run", scen.to_str().unwrap(), "-n", "5", "--out", "blocker/res"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = texts(&o).1;
    assert!(err.contains("cannot write to output folder blocker/res"), "{err}");
    assert_no_partial(dir.path());
}

#[test]
fn an_existing_output_folder_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let scen = repo().join("scenarios/staircase-default.toml");
    let scen = scen.to_str().unwrap();
    std::fs::create_dir(dir.path().join("res")).unwrap();
    std::fs::write(dir.path().join("res/keep.txt"), "mine").unwrap();
    let o = trappe(&["run", scen, "-n", "5", "--out", "res", "-q"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(texts(&o).1.contains("--force"), "{}", texts(&o).1);
    assert!(dir.path().join("res/keep.txt").exists(), "the folder must be left alone");
    // --force replaces only a folder trappe wrote (tests/it/data_safety.rs).
    let o = trappe(&["run", scen, "-n", "5", "--out", "res", "-q", "--force"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(texts(&o).1.contains("was not written by trappe"), "{}", texts(&o).1);
    assert!(dir.path().join("res/keep.txt").exists(), "the folder must be left alone");
    std::fs::remove_file(dir.path().join("res/keep.txt")).unwrap();
    let o = trappe(&["run", scen, "-n", "5", "--out", "res", "-q", "--force"], dir.path());
    assert!(o.status.success(), "{}", texts(&o).1);
    assert!(dir.path().join("res/summary.csv").exists());
    assert_no_partial(dir.path());
}

#[test]
fn other_validation_rules() {
    let cases: &[(&str, &str, &str)] = &[
        ("rates = { 2024 = 12326 }", "rates = { twenty = 12326 }", "expected a year"),
        ("discount_rate = 0.035", "discount_rate = 1.5", "budget.discount_rate"),
        ("month = 24", "month = 99", "outside the simulation"),
        ("metric = \"benefit_share\"", "metric = \"benefit_shares\"", "did you mean `benefit_share`?"),
        ("funded_by = \"reinforcement\"", "funded_by = \"reinforcment\"", "did you mean `reinforcement`?"),
        ("start = \"2024-01\"\nhorizon", "start = \"2024-13\"\nhorizon", "YYYY-MM"),
        (
            "start_states = { step0 = 0.4, step1 = 0.6 }",
            "start_states = { step0 = 0.4, step1 = 0.5 }",
            "sum to 1",
        ),
        ("regime = \"2016\"", "regime = \"pre2016\"", "active_rate"),
        ("{ dist = \"beta\", mean = 0.08, sd = 0.02 }", "{ dist = \"beta\", mean = 0.08, sd = 0.5 }", "sd <"),
        ("caseload_ref = 50", "caseload_ref = 0", "staffing.caseload_ref"),
        ("regime = \"2016\"", "regime = \"none\"\nactive_rate = 0.5", "no effect with regime \"none\""),
        (
            "activation = true\n# Course",
            "activation = true\nreimbursed_as_active = true\n# Course",
            "only applies under the pre2016",
        ),
        (
            "{ dist = \"triangular\", min = 520000",
            "{ dist = \"gamma\", shape = 2, mean = 5, min = 520000",
            "does not belong",
        ),
    ];
    for (from, to, expect) in cases {
        let text = default_text();
        assert!(text.contains(from), "{from}");
        let err = error(&text.replacen(from, to, 1));
        assert!(err.contains(expect), "{from} -> {to}: {err}");
        assert!(err.contains("test.toml:"), "{err}");
    }
}

#[test]
fn a_benefit_history_longer_than_a_century() {
    let err = rejected("months_on_benefit = 36", "months_on_benefit = 5000");
    let line = line_of(&default_text(), "months_on_benefit = 36");
    assert!(err.contains(&format!("bad.toml:{line}:")), "{err}");
    assert!(err.contains("key `segments[0].months_on_benefit`"), "{err}");
    assert!(err.contains("at most 1200 months") && err.contains("5000"), "{err}");
}

/// A thread count beyond any machine's use is refused with the range, before any
/// simulation, by every command that takes `-j`; the largest allowed count runs.
#[test]
fn absurd_thread_counts_are_refused_with_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/staircase-default.toml");
    let observed = repo().join("scenarios/observed/aalborg-2018-outflow.csv");
    let aalborg = repo().join("scenarios/aalborg-2018-refugees.toml");
    let commands: [Vec<&str>; 2] = [
        vec!["run", scenario.to_str().unwrap(), "-n", "2", "--out", "r"],
        vec![
            "calibrate",
            aalborg.to_str().unwrap(),
            "--observed",
            observed.to_str().unwrap(),
            "--out",
            "c.toml",
        ],
    ];
    for args in &commands {
        let mut args = args.clone();
        args.extend(["-j", "100000"]);
        let o = trappe(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", texts(&o).1);
        assert!(texts(&o).1.contains("not in 1..=256"), "{args:?}: {}", texts(&o).1);
    }
    assert!(!dir.path().join("r").exists() && !dir.path().join("c.toml").exists());
    let o =
        trappe(&["run", scenario.to_str().unwrap(), "-n", "2", "-j", "256", "--out", "r", "-q"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", texts(&o).1);
}

/// An operating-system error is printed once, after what trappe was doing: reading a
/// folder as a scenario names the file and the reason, without repeating the reason.
#[test]
fn os_errors_are_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder.toml")).unwrap();
    for args in [["check", "folder.toml"], ["run", "folder.toml"], ["check", "missing.toml"]] {
        let o = trappe(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = texts(&o).1;
        assert!(err.contains(&format!("cannot read scenario file {}", args[1])), "{args:?}: {err}");
        assert!(err.matches("(os error").count() <= 1, "{args:?}: {err}");
    }
}

/// A scenario file given without a command gets a hint naming `trappe run` and
/// `trappe check` with that file; other unknown commands keep clap's suggestion.
#[test]
fn a_file_without_a_command_gets_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let o = trappe(&["scenarios/x.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = texts(&o).1;
    assert!(
        err.contains("trappe run scenarios/x.toml") && err.contains("trappe check scenarios/x.toml"),
        "{err}"
    );
    let o = trappe(&["runn", "x.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(texts(&o).1.contains("a similar subcommand exists: 'run'"), "{}", texts(&o).1);
}
