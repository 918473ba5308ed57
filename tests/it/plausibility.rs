//! A finance officer's natural mistakes: amounts far outside their plausible range
//! warn (naming file, line, key, the value read and what was probably meant) and
//! `--strict` makes them errors before anything is simulated; a share target
//! outside 0–1 or not a number is an error; a decimal comma and an unquoted key
//! with æ, ø or å get a hint; and only regular UTF-8 files of sane size are read.

use crate::common::*;
use std::path::Path;

/// The default scenario with `from` replaced by `to` (which must occur).
fn default_with(from: &str, to: &str) -> String {
    let text = default_text();
    assert!(text.contains(from), "the default scenario has no `{from}`");
    text.replacen(from, to, 1)
}

/// The 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("the needle") + 1
}

/// Writes `text` as `s.toml` in `dir` and runs `args` (with `s.toml` in them).
fn with_scenario(dir: &Path, text: &str, args: &[&str]) -> (Option<i32>, String, String) {
    std::fs::write(dir.join("s.toml"), text).unwrap();
    let o = trappe(args, dir);
    let (out, err) = texts(&o);
    (o.status.code(), out, err)
}

const STAFF_COST: &str =
    r#"staff_cost_per_fte_year = { dist = "triangular", min = 520000, mode = 600000, max = 700000 }"#;
const DOTTED_STAFF_COST: &str = "staff_cost_per_fte_year = 600.000";

#[test]
fn a_thousands_point_in_the_staff_cost_warns_with_key_line_value_and_meaning() {
    let dir = tempfile::tempdir().unwrap();
    let text = default_with(STAFF_COST, DOTTED_STAFF_COST);
    let line = line_of(&text, DOTTED_STAFF_COST);
    let (code, out, err) = with_scenario(dir.path(), &text, &["check", "s.toml"]);
    assert_eq!(code, Some(0), "a warning does not change the exit code: {err}");
    assert!(
        err.starts_with(&format!("warning: s.toml:{line}:27: key `budget.staff_cost_per_fte_year`: 600 DKK per FTE-year is implausibly low")),
        "{err}"
    );
    assert!(
        err.contains("did you mean 600,000? In TOML write 600000 or 600_000: a dot is a decimal point"),
        "{err}"
    );
    assert!(out.contains("s.toml: the scenario is valid, but 1 value looks implausible"), "{out}");
}

#[test]
fn strict_check_turns_the_warning_into_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = default_with(STAFF_COST, DOTTED_STAFF_COST);
    let (code, out, err) = with_scenario(dir.path(), &text, &["check", "--strict", "s.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.starts_with("error: s.toml:"), "{err}");
    assert!(err.contains("600 DKK per FTE-year is implausibly low"), "{err}");
    assert!(err.contains("--strict treats plausibility warnings as errors"), "{err}");
}

#[test]
fn run_prints_the_warning_and_simulates_but_strict_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = default_with(STAFF_COST, DOTTED_STAFF_COST);
    let (code, _, err) =
        with_scenario(dir.path(), &text, &["run", "s.toml", "-n", "2", "-q", "--out", "res", "--strict"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("key `budget.staff_cost_per_fte_year`"), "{err}");
    assert!(!dir.path().join("res").exists(), "--strict must stop before anything is written");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "only the scenario: {names:?}");

    let (code, out, err) =
        with_scenario(dir.path(), &text, &["run", "s.toml", "-n", "2", "-q", "--out", "res"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.starts_with("warning: s.toml:"), "{err}");
    assert!(out.contains("Results in res"), "{out}");
    // The results keep the warning beside them, on one line.
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.path().join("res/run.toml")).unwrap()).unwrap();
    let warnings = manifest["warnings"].as_array().expect("run.toml lists the warning");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = warnings[0].as_str().unwrap();
    assert!(w.starts_with("s.toml:") && w.contains("key `budget.staff_cost_per_fte_year`: 600 DKK"), "{w}");
    assert!(!w.contains('\n'), "{w}");
}

#[test]
fn a_benefit_rate_of_twelve_kroner_warns() {
    let text = default_with("rates = { 2024 = 12326 }", "rates = { 2024 = 12.326 }");
    let m = model(&text);
    assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    let w = m.warnings[0].to_string();
    assert!(
        w.contains(
            "key `budget.benefit_rates.kh_30plus_other.rates.2024`: 12.326 DKK a month is implausibly low"
        ),
        "{w}"
    );
    assert!(w.contains("did you mean 12,326? In TOML write 12326 or 12_326"), "{w}");
    assert_eq!(m.warnings[0].line, Some(line_of(&text, "12.326")));
}

#[test]
fn other_implausible_amounts_and_rates_warn_with_what_was_probably_meant() {
    let cases = [
        ("discount_rate = 0.035", "discount_rate = 0.35", "did you mean 0.035 (3.5 %)?"),
        (
            "rates = { 2024 = 12326 }",
            "rates = { 2024 = 147912 }",
            "it looks like a yearly amount: a month is 12,326",
        ),
        ("tax_per_employed_month = 2500", "tax_per_employed_month = 2.500", "did you mean 2,500?"),
        (
            STAFF_COST,
            "staff_cost_per_fte_year = 600",
            "did you mean 600,000? Amounts are in DKK, not thousands",
        ),
        (
            STAFF_COST,
            r#"staff_cost_per_fte_year = { dist = "triangular", min = 520.000, mode = 600.000, max = 700.000 }"#,
            "Triangular(520, 600, 700), mean 606.7 DKK per FTE-year is implausibly low",
        ),
    ];
    for (from, to, expected) in cases {
        let m = model(&default_with(from, to));
        let all: Vec<String> = m.warnings.iter().map(|w| w.to_string()).collect();
        assert!(all.iter().any(|w| w.contains(expected)), "`{to}` should warn with `{expected}`: {all:?}");
    }
}

#[test]
fn shipped_scenarios_and_documented_values_give_no_warning() {
    for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let m = model(&std::fs::read_to_string(&path).unwrap());
            assert!(m.warnings.is_empty(), "{}: {:?}", path.display(), m.warnings);
        }
    }
}

#[test]
fn a_share_target_written_as_a_percentage_is_an_error() {
    let text = default_with("at_least = 0.15", "at_least = 15");
    let e = error(&text);
    let line = line_of(&text, "at_least = 15");
    assert!(
        e.contains(&format!(
            "test.toml:{line}:12: key `targets[0].at_least`: expected a share from 0 to 1, got 15; a share is written 0.15 for 15 %"
        )),
        "{e}"
    );
    assert!(e.contains("did you mean `0.15`?"), "{e}");
    // A ratio to the start and a duration in months are not shares.
    model(&default_with("at_least = 0.15", "at_least = 1.5\nrelative_to_start = true"));
    let duration = default_with("metric = \"self_supporting_share\"", "metric = \"mean_benefit_duration\"");
    model(&duration.replacen("at_least = 0.15", "at_least = 15", 1));
}

#[test]
fn a_target_limit_that_is_not_a_number_is_an_error() {
    for bad in ["nan", "inf", "-inf"] {
        let e = error(&default_with("at_least = 0.15", &format!("at_least = {bad}")));
        assert!(e.contains("key `targets[0].at_least`: expected a finite number"), "{bad}: {e}");
    }
    let e = error(&default_with("at_most = 0.80", "at_most = nan"));
    assert!(e.contains("key `targets[1].at_most`: expected a finite number"), "{e}");
}

#[test]
fn a_decimal_comma_gets_a_hint() {
    let e = error(&default_with("discount_rate = 0.035", "discount_rate = 0,035"));
    assert!(e.contains("key `budget.discount_rate`"), "{e}");
    assert!(e.contains("help: TOML writes decimals with a point: `0.035`"), "{e}");
    let e = error(&default_with("mean = 0.08, sd = 0.02", "mean = 0,08, sd = 0,02"));
    assert!(e.contains("help: TOML writes decimals with a point: `0.08`"), "{e}");
    let e = error(&default_with(STAFF_COST, "staff_cost_per_fte_year = 600,000"));
    assert!(
        e.contains("help: TOML numbers have no thousands separators: write `600000` or `600_000`"),
        "{e}"
    );
}

#[test]
fn an_unquoted_key_with_danish_letters_gets_a_hint_and_the_nearest_key() {
    let text = default_with("horizon_months = 36", "hørizon_months = 36");
    let e = error(&text);
    let line = line_of(&text, "hørizon_months");
    assert!(e.contains(&format!("test.toml:{line}:")), "{e}");
    assert!(e.contains("help: did you mean `horizon_months`?"), "{e}");
    assert!(e.contains("must be quoted: `\"hørizon_months\"`; or write it in ASCII"), "{e}");
    let e = error(&default_with("[budget]\n", "[budget]\nsagsbehandlerløn = 1\n"));
    assert!(e.contains("key `budget.sagsbehandlerløn`"), "{e}");
    assert!(e.contains("(ø) must be quoted"), "{e}");
}

/// `trappe check PATH` in a temporary folder: exit code and stderr.
fn check_path(path: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let o = trappe(&["check", path], dir.path());
    (o.status.code(), texts(&o).1)
}

#[test]
fn only_a_regular_file_is_read_as_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = check_path(dir.path().to_str().unwrap());
    assert_eq!(code, Some(2));
    assert!(err.contains("it is a folder, not a file; give the path of a scenario file"), "{err}");
    #[cfg(unix)]
    for device in ["/dev/zero", "/dev/urandom"] {
        let (code, err) = check_path(device);
        assert_eq!(code, Some(2));
        assert!(
            err.contains(&format!("cannot read scenario file {device}: it is a device, not a file")),
            "{err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("s.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let started = std::time::Instant::now();
    let o = trappe(&["check", "s.toml"], dir.path());
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "waited on the pipe");
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("it is a named pipe (FIFO), not a file"), "{err}");
}

#[test]
fn a_scenario_file_over_16_mb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = default_text();
    text.push_str(&"#".repeat(16_000_001));
    let (code, _, err) = with_scenario(dir.path(), &text, &["check", "s.toml"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("it is larger than 16 MB, the most a scenario file may be"), "{err}");
}

#[test]
fn a_latin1_scenario_is_refused_with_line_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    let text = default_text().replacen("name = \"others\"", "name = \"andre \u{e6}\"", 1);
    let line = line_of(&text, "andre \u{e6}");
    // The one æ in Latin-1 (the byte 0xE6), the rest of the file as UTF-8.
    let (before, after) = text.split_once("andre \u{e6}").unwrap();
    let latin1 = [before.as_bytes(), b"andre \xe6", after.as_bytes()].concat();
    std::fs::write(dir.path().join("s.toml"), latin1).unwrap();
    let o = trappe(&["check", "s.toml"], dir.path());
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("s.toml:{line}: the file is not UTF-8 text: byte 15 of line {line}")),
        "{err}"
    );
    assert!(err.contains("is 0xE6"), "{err}");
    assert!(err.contains("save the file as UTF-8; the likely cause is æ, ø or å saved as Latin-1"), "{err}");
}

/// A small scenario with one parameter to calibrate and an implausible benefit rate.
const CALIBRATE_SCENARIO: &str = r#"
[scenario]
name = "c"
start = "2020-01"
horizon_months = 12

[[states]]
id = "benefit"
pays_benefit = true

[[states]]
id = "job"
self_supporting = true
employed = true

[[transitions]]
from = "benefit"
to = "job"
probability = { dist = "fixed", value = 0.05, calibrate = true }

[[segments]]
name = "a"
size = 200
start_state = "benefit"
benefit_type = "kh"

[budget.benefit_rates.kh]
rates = { 2020 = 10.849 }

[budget.reimbursement]
regime = "none"
"#;

#[test]
fn calibrate_warns_and_strict_calibrate_writes_nothing_and_reads_only_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.toml"), CALIBRATE_SCENARIO).unwrap();
    std::fs::write(d.join("obs.csv"), "metric,month,segment,value\noutflow_share,12,all,0.4\n").unwrap();
    let o = trappe(&["calibrate", "s.toml", "--observed", "obs.csv", "-n", "4", "-q", "--strict"], d);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("10.849 DKK a month is implausibly low"), "{err}");
    assert!(!d.join("s.calibrated.toml").exists());

    std::fs::write(
        d.join("bad.csv"),
        b"metric,month,segment,value\n# s\xf8gning\noutflow_share,12,all,0.4\n",
    )
    .unwrap();
    let o = trappe(&["calibrate", "s.toml", "--observed", "bad.csv", "-n", "4", "-q"], d);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.starts_with("warning: s.toml:"), "the warning comes first: {err}");
    assert!(err.contains("bad.csv:2: the file is not UTF-8 text: byte 4 of line 2"), "{err}");
    assert!(!d.join("s.calibrated.toml").exists());

    let o = trappe(&["calibrate", "s.toml", "--observed", "obs.csv", "-n", "4", "-q"], d);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("10.849 DKK a month is implausibly low"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_part_manifest_that_is_a_pipe_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.toml"), default_text()).unwrap();
    for i in 1..=2 {
        let shard = format!("{i}/2");
        let out = format!("p{i}");
        let o = trappe(&["run", "s.toml", "-n", "2", "-q", "--shard", &shard, "--out", &out], d);
        assert_eq!(o.status.code(), Some(0), "{}", texts(&o).1);
    }
    std::fs::remove_file(d.join("p2/part.toml")).unwrap();
    let made = std::process::Command::new("mkfifo").arg(d.join("p2/part.toml")).status().unwrap();
    assert!(made.success());
    let o = trappe(&["merge", "p1", "p2", "--out", "m"], d);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot read part.toml: it is a named pipe (FIFO), not a file"), "{err}");
    assert!(!d.join("m").exists());
}
