//! The `source` and `grade` keys of an uncertain parameter: how they are read (and
//! refused), how `trappe check` lists them, that they are written back into
//! `run.toml`, and that they change no result.

use crate::common::{NO_REFUND, error, model, repo, scenario, texts, trappe};
use std::path::Path;

/// A one-transition scenario whose probability and one-off cost are written as given.
fn with_params(probability: &str, one_off_cost: &str) -> String {
    let body = format!(
        r#"
[[states]]
id = "a"
pays_benefit = true
[[states]]
id = "job"
self_supporting = true
employed = true

[[transitions]]
from = "a"
to = "job"
probability = {probability}
one_off_cost = {one_off_cost}

[[segments]]
name = "all"
size = 100
start_state = "a"
benefit_type = "kh"
"#
    );
    scenario(&body, 12, 20, NO_REFUND)
}

#[test]
fn source_and_grade_are_read_on_distributions_and_fixed_values() {
    let m = model(&with_params(
        r#"{ dist = "beta", mean = 0.05, sd = 0.01, source = "E-FLOW-4", grade = "EST" }"#,
        r#"{ value = 2000, source = "Hainmueller et al. (2016)", grade = "B" }"#,
    ));
    assert!((m.transitions[0].probability.mean() - 0.05).abs() < 1e-12);
    assert_eq!(m.transitions[0].one_off_cost.mean(), 2000.0);
    assert!(m.transitions[0].one_off_cost.is_fixed());
}

#[test]
fn an_unknown_key_in_a_parameter_table_names_the_nearest_valid_key() {
    let e = error(&with_params(r#"{ dist = "beta", mean = 0.05, sd = 0.01, sorce = "E-FLOW-4" }"#, "0"));
    assert!(e.contains("unknown key `sorce`"), "{e}");
    assert!(e.contains("did you mean `source`?"), "{e}");
    assert!(e.contains("test.toml:23:"), "{e}");
    let e = error(&with_params(r#"{ value = 0.05, grad = "EST" }"#, "0"));
    assert!(e.contains("did you mean `grade`?"), "{e}");
}

#[test]
fn an_unknown_grade_names_the_nearest_grade() {
    for (written, nearest) in [("ES", "EST"), ("est", "EST"), ("GAPS", "GAP"), ("a", "A")] {
        let e = error(&with_params(&format!(r#"{{ value = 0.05, grade = "{written}" }}"#), "0"));
        assert!(e.contains(&format!("unknown variant `{written}`")), "{e}");
        assert!(e.contains("`A`, `B`, `C`, `D`, `M`, `EST`, `GAP`"), "{e}");
        assert!(e.contains(&format!("did you mean `{nearest}`?")), "{written}: {e}");
        assert!(e.contains("test.toml:23:"), "{e}");
    }
}

#[test]
fn a_table_without_dist_is_a_fixed_value_and_needs_one() {
    let e = error(&with_params(r#"{ source = "E-FLOW-4" }"#, "0"));
    assert!(e.contains("key `transitions[0].probability`"), "{e}");
    assert!(e.contains("a parameter table needs `value`"), "{e}");
    let e = error(&with_params(r#"{ mean = 0.05, sd = 0.01, grade = "EST" }"#, "0"));
    assert!(e.contains("`mean` belongs to a distribution: name it with `dist`"), "{e}");
    let e = error(&with_params(r#"{ value = 0.05, source = "  " }"#, "0"));
    assert!(e.contains("a `source` must name where the figure comes from"), "{e}");
}

/// `trappe check` lists the parameters the file writes, grouped by grade, with the
/// count per grade; `--sources` prints that list alone.
#[test]
fn check_lists_sources_by_grade() {
    let dir = tempfile::tempdir().unwrap();
    let text = with_params(
        r#"{ dist = "uniform", min = 0.02, max = 0.06, source = "E-FLOW-4", grade = "EST" }"#,
        r#"{ value = 2000, grade = "GAP" }"#,
    );
    std::fs::write(dir.path().join("s.toml"), text).unwrap();
    let expected = "\
Sources of the uncertain parameters (2 written in the file; grades as in docs/evidence.md):
  1 EST (an estimate); 1 GAP (an assumption: no source found)
  2 of 2 rest on an estimate or an assumption (EST, GAP); 1 have no source given
  EST (an estimate):
    transitions.a->job.probability   uniform, mean 0.04, 90 % in 0.022 to 0.058  E-FLOW-4
  GAP (an assumption: no source found):
    transitions.a->job.one_off_cost  2,000                                       no source given

s.toml: the scenario is valid.
";
    let o = trappe(&["check", "--sources", "s.toml"], dir.path());
    let (out, err) = texts(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out, expected);
    let o = trappe(&["check", "s.toml"], dir.path());
    let (out, _) = texts(&o);
    assert!(out.contains(&format!("\n\n{expected}")), "{out}");
    assert!(out.starts_with("Scenario: test\n"), "{out}");

    // Without keys: a plain number the file writes is listed, a default is not.
    std::fs::write(dir.path().join("plain.toml"), with_params("0.04", "0")).unwrap();
    let (out, _) = texts(&trappe(&["check", "--sources", "plain.toml"], dir.path()));
    assert!(out.contains("  2 no grade given\n  0 of 2 rest on an estimate or an assumption (EST, GAP); 2 have no source given\n"), "{out}");
    assert!(!out.contains("activity_cost"), "{out}");
}

/// A scenario as shipped, with every `source` and `grade` key taken out
/// (and `{ value = x }` written as `x`).
fn without_keys(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut l = line.to_string();
        for key in ["source", "grade"] {
            while let Some(at) = l.find(&format!(", {key} = \"")) {
                let rest = &l[at + key.len() + 6..];
                let end = rest.find('"').unwrap();
                l = format!("{}{}", &l[..at], &rest[end + 1..]);
            }
        }
        while let Some(at) = l.find("{ value = ") {
            let rest = &l[at + 10..];
            let end = rest.find(" }").unwrap();
            l = format!("{}{}{}", &l[..at], &rest[..end], &rest[end + 2..]);
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

fn run(dir: &Path, file: &str, out: &str) {
    let o = trappe(&["run", file, "-n", "30", "-j", "2", "--out", out, "-q"], dir);
    assert!(o.status.success(), "{}", texts(&o).1);
}

/// The keys are documentation: a shipped scenario with and without them gives the
/// same bytes in every result file; `run.toml` writes them back.
#[test]
fn source_and_grade_change_no_result() {
    let shipped =
        std::fs::read_to_string(repo().join("scenarios/aalborg-2015-integration-order.toml")).unwrap();
    let bare = without_keys(&shipped);
    assert!(shipped.contains("grade = \"GAP\"") && !bare.contains("grade =") && !bare.contains("source ="));
    assert!(shipped.contains("{ value = 2500, source = \"E-WIDER-1\", grade = \"D\" }"));
    assert!(bare.contains("tax_per_employed_month = 2500   #"), "{bare}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keyed.toml"), &shipped).unwrap();
    std::fs::write(dir.path().join("bare.toml"), &bare).unwrap();
    run(dir.path(), "keyed.toml", "keyed");
    run(dir.path(), "bare.toml", "bare");
    let mut compared = 0;
    for entry in std::fs::read_dir(dir.path().join("keyed")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "csv") {
            let other = dir.path().join("bare").join(path.file_name().unwrap());
            assert!(
                std::fs::read(&path).unwrap() == std::fs::read(&other).unwrap(),
                "{} differs",
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 4, "only {compared} CSV files compared");
    let manifest = std::fs::read_to_string(dir.path().join("keyed/run.toml")).unwrap();
    assert!(
        manifest.contains("source = \"E-STAFF-2\"") && manifest.contains("grade = \"EST\""),
        "{manifest}"
    );
    // What run.toml writes is a scenario that reads back with the same keys.
    let resolved: toml::Value = toml::from_str(&manifest).unwrap();
    let staff = &resolved["scenario_resolved"]["budget"]["staff_cost_per_fte_year"];
    assert_eq!(staff["source"].as_str(), Some("E-STAFF-2"));
    assert_eq!(staff["grade"].as_str(), Some("EST"));
    let tax = &resolved["scenario_resolved"]["budget"]["wider"]["tax_per_employed_month"];
    assert!(tax.get("dist").is_none() && tax["grade"].as_str() == Some("D"), "{tax}");
}
