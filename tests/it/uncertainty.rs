//! Outer draws of the parameters and inner cohorts per draw: with one inner replication
//! a run is the one-level run; the cohorts of an outer draw share their parameters and
//! differ by chance; results depend neither on threads nor on where shards cut a draw.

use crate::common::*;
use std::path::Path;

fn default_scenario() -> String {
    repo().join("scenarios/staircase-default.toml").to_str().unwrap().to_string()
}

fn read(dir: &Path, run: &str, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(run).join(file)).unwrap_or_else(|e| panic!("{run}/{file}: {e}"))
}

/// The drawn parameter columns `keys` of `replications.csv`, one row per replication
/// (its scenario arm's row).
fn parameter_rows(dir: &Path, run: &str, keys: &[String]) -> Vec<Vec<String>> {
    let text = String::from_utf8(read(dir, run, "replications.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let cols: Vec<usize> = keys
        .iter()
        .map(|k| header.iter().position(|h| *h == format!("param:{k}")).unwrap_or_else(|| panic!("{k}")))
        .collect();
    lines
        .filter(|l| l.split(',').nth(1) == Some("scenario"))
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cols.iter().map(|&c| cells[c].to_string()).collect()
        })
        .collect()
}

/// `--inner 1` and `inner_replications = 1` in the file give the same one-level run,
/// byte for byte, whatever the thread count; the default (3 draws × 4 cohorts for 12
/// replications) is another run.
fn one_inner_replication_is_the_one_level_run(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    std::fs::write(
        d.join("one.toml"),
        default_text().replace("[simulation]", "[simulation]\ninner_replications = 1"),
    )
    .unwrap();
    let e = engine_args(engine);
    ok(&[&["run", &scen, "-n", "12", "-q", "--out", "flag", "--inner", "1", "-j", "2"][..], &e].concat(), d);
    ok(&[&["run", "one.toml", "-n", "12", "-q", "--out", "file", "-j", "1"][..], &e].concat(), d);
    ok(&[&["run", &scen, "-n", "12", "-q", "--out", "default"][..], &e].concat(), d);
    for f in csv_files(Engine::Count) {
        assert!(read(d, "flag", f) == read(d, "file", f), "{f} differs between --inner 1 and the file's 1");
    }
    assert!(read(d, "flag", "summary.csv") != read(d, "default", "summary.csv"));
}

/// With `--inner 3` the three cohorts of an outer draw share every parameter, the
/// draws differ from one another, and draw o's parameters are the one-level run's
/// replication o's; the results do not depend on the number of threads.
fn cohorts_of_a_draw_share_its_parameters(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    let e = engine_args(engine);
    ok(
        &[&["run", &scen, "-n", "12", "-q", "--out", "nested1", "--inner", "3", "-j", "1"][..], &e].concat(),
        d,
    );
    ok(
        &[&["run", &scen, "-n", "12", "-q", "--out", "nested2", "--inner", "3", "-j", "2"][..], &e].concat(),
        d,
    );
    ok(&[&["run", &scen, "-n", "4", "--inner", "1", "-q", "--out", "plain"][..], &e].concat(), d);
    for f in csv_files(Engine::Count) {
        assert!(read(d, "nested1", f) == read(d, "nested2", f), "{f} depends on the thread count");
    }
    let m = model(&std::fs::read_to_string(&scen).unwrap());
    let keys = trappe::simulation::draws::parameter_keys(&m);
    assert!(!keys.is_empty());
    let nested = parameter_rows(d, "nested1", &keys);
    let plain = parameter_rows(d, "plain", &keys);
    assert_eq!(nested.len(), 12);
    for (r, row) in nested.iter().enumerate() {
        assert_eq!(row, &plain[r / 3], "replication {r} has outer draw {}'s parameters", r / 3);
    }
    assert_ne!(nested[0], nested[3], "outer draws differ");
    let manifest = String::from_utf8(read(d, "nested1", "run.toml")).unwrap();
    assert!(manifest.contains("inner_replications = 3"), "{manifest}");
}

/// Shards that cut through an outer draw merge to the single run's files; parts run
/// with different inner replications are refused.
fn a_shard_boundary_inside_a_draw_merges_to_the_single_run(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    let common = [&["-n", "12", "--inner", "4", "-q"][..], &engine_args(engine)].concat();
    ok(&[&["run", &scen, "--out", "single"][..], &common].concat(), d);
    // 12 replications over 5 shards: blocks of 3 or 2, cutting the draws of 4.
    for i in 1..=5 {
        let shard = format!("{i}/5");
        ok(&[&["run", &scen, "--shard", &shard, "--out", &format!("parts/{i}")][..], &common].concat(), d);
    }
    let parts: Vec<String> = (1..=5).map(|i| format!("parts/{i}")).collect();
    let mut args = vec!["merge", "--out", "merged"];
    args.extend(parts.iter().map(String::as_str));
    ok(&args, d);
    for f in csv_files(Engine::Count) {
        assert!(
            read(d, "single", f) == read(d, "merged", f),
            "{f} differs between the single run and the merge"
        );
    }
    let other = [&["-n", "12", "--inner", "2", "-q"][..], &engine_args(engine)].concat();
    ok(&[&["run", &scen, "--shard", "5/5", "--out", "other/5"][..], &other].concat(), d);
    let mut args = vec!["merge", "--out", "refused"];
    args.extend(parts.iter().take(4).map(String::as_str));
    args.push("other/5");
    let err = fails(&args, d);
    assert!(err.contains("--inner 2") && err.contains("--inner 4"), "{err}");
}

test_both_engines!(
    one_inner_replication_is_the_one_level_run,
    cohorts_of_a_draw_share_its_parameters,
    a_shard_boundary_inside_a_draw_merges_to_the_single_run
);

/// Replications that are not a whole number of outer draws are refused before any
/// simulation, on the command line and in the file.
#[test]
fn replications_must_be_whole_outer_draws() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let err = fails(&["run", &default_scenario(), "-n", "10", "--inner", "3", "-q", "--out", "x"], d);
    assert!(
        err.contains("10 replications cannot be split into outer draws of 3") && err.contains("(e.g. 12)"),
        "{err}"
    );
    assert!(!d.join("x").exists());
    let text = default_text().replace("[simulation]", "[simulation]\ninner_replications = 7");
    let err = error(&text);
    assert!(err.contains("simulation.inner_replications") && err.contains("expected a divisor"), "{err}");
}

/// One month of a chain `a → job` whose probability p is uncertain, uniform on
/// [0.1, 0.5], for 200 citizens: the share self-supporting at the end is
/// Binomial(200, p) / 200. Its expected value given p is p, so the between variance is
/// var(p) = 0.4² / 12, and the within variance is E[p(1 − p)] / 200.
fn chain(probability: &str) -> String {
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
[[segments]]
name = "all"
size = 200
start_state = "a"
benefit_type = "kh"
"#
    );
    scenario(&body, 1, 1, NO_REFUND)
}

/// The scenario arm's `self_supporting_share` of every replication, in order, and its
/// row of `summary.csv` (header and cells).
fn share_values(dir: &Path, run: &str) -> (Vec<f64>, Vec<(String, String)>) {
    let text = String::from_utf8(read(dir, run, "replications.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "self_supporting_share").unwrap();
    let values = lines
        .filter(|l| l.split(',').nth(1) == Some("scenario"))
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect();
    let summary = String::from_utf8(read(dir, run, "summary.csv")).unwrap();
    let mut lines = summary.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let row = lines.find(|l| l.starts_with("outcome,self_supporting_share,scenario,")).unwrap();
    (values, header.into_iter().zip(row.split(',').map(String::from)).collect())
}

fn cell<'a>(row: &'a [(String, String)], name: &str) -> &'a str {
    &row.iter().find(|(h, _)| h == name).unwrap().1
}

/// The split recovers the known between and within variances within 4 of their Monte
/// Carlo standard errors (estimated from the draws themselves), which for fixed seed 42
/// is one outcome; a false alarm of the two comparisons has probability about
/// 2 × 6.3e-5 ≈ 0.013 % under the normal approximation.
#[test]
fn the_split_recovers_known_between_and_within_variances() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.toml"), chain(r#"{ dist = "uniform", min = 0.1, max = 0.5 }"#)).unwrap();
    let (j, i) = (400usize, 5usize);
    let n = (j * i).to_string();
    ok(&["run", "s.toml", "-n", &n, "--inner", "5", "-q", "--out", "r", "--engine", "count"], d);
    let (values, row) = share_values(d, "r");
    let s = trappe::analysis::uncertainty::split(&values, i, true).unwrap();
    let between = 0.4f64.powi(2) / 12.0;
    let within = (0.3 - (between + 0.09)) / 200.0;
    // Standard errors from the draws: of the mean of the per-draw variances, and of the
    // variance of the draw means (delta method on its squared deviations).
    let means: Vec<f64> = values.chunks_exact(i).map(|c| c.iter().sum::<f64>() / i as f64).collect();
    let vars: Vec<f64> = values
        .chunks_exact(i)
        .zip(&means)
        .map(|(c, m)| c.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (i - 1) as f64)
        .collect();
    let sd = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
    };
    let se_within = sd(&vars) / (j as f64).sqrt();
    let grand = s.expected;
    let squares: Vec<f64> = means.iter().map(|m| (m - grand).powi(2)).collect();
    let se_between = sd(&squares) / (j as f64).sqrt() + se_within / i as f64;
    assert!(
        (s.within_variance - within).abs() < 4.0 * se_within,
        "within {} vs {within} (se {se_within})",
        s.within_variance
    );
    assert!(
        (s.between_variance - between).abs() < 4.0 * se_between,
        "between {} vs {between} (se {se_between})",
        s.between_variance
    );
    // summary.csv carries the same split.
    let num = |name: &str| cell(&row, name).parse::<f64>().unwrap();
    assert!((num("chance_sd") - s.chance_sd).abs() < 1e-6 && (num("expected") - s.expected).abs() < 1e-6);
    assert!((num("parameter_share") - s.parameter_share).abs() < 1e-6);
    // The interval over what we don't know spans most of [0.1, 0.5] (uniform: 0.12 to 0.48).
    assert!(
        (num("expected_p05") - 0.12).abs() < 0.02 && (num("expected_p95") - 0.48).abs() < 0.02,
        "{row:?}"
    );
}

/// With every parameter fixed the interval over parameters has zero width (s²_b is 0
/// by construction: the model has no sampled parameter) and the decision probability
/// is 0 or 1; the estimate that does not know this, max(0, var(Ȳ_j) − s²_w / I), is
/// within 4 of its standard errors of 0. With one cohort per draw the cells are empty.
#[test]
fn fixed_parameters_give_no_interval_over_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.toml"), chain("0.3")).unwrap();
    let out =
        ok(&["run", "s.toml", "-n", "2000", "--inner", "5", "-q", "--out", "r", "--engine", "count"], d);
    let (values, row) = share_values(d, "r");
    assert_eq!(cell(&row, "expected_p05"), cell(&row, "expected_p95"), "{row:?}");
    assert_eq!(cell(&row, "parameter_share"), "0");
    let decision = out.lines().find(|l| l.contains("expected net municipal effect is favourable")).unwrap();
    assert!(decision.ends_with(": 0.0 %") || decision.ends_with(": 100.0 %"), "{decision}");
    let free = trappe::analysis::uncertainty::split(&values, 5, true).unwrap();
    let se = (2.0 * (0.3f64 * 0.7 / 200.0 / 5.0).powi(2) / 399.0).sqrt();
    assert!(free.between_variance < 4.0 * se, "{} vs se {se}", free.between_variance);
    let out =
        ok(&["run", "s.toml", "-n", "20", "--inner", "1", "-q", "--out", "one", "--engine", "count"], d);
    let (_, row) = share_values(d, "one");
    for c in ["expected", "expected_p05", "expected_p95", "chance_sd", "parameter_share"] {
        assert_eq!(cell(&row, c), "", "{c} with one cohort per draw");
    }
    assert!(out.contains("not estimable with one cohort"), "{out}");
}

/// The chain of [`chain`] with `replications` in its `[simulation]` table.
fn chain_with(probability: &str, replications: u32) -> String {
    chain(probability).replace("replications = 1\n", &format!("replications = {replications}\n"))
}

/// Without `-n` or `--inner` a run is two-level: 1,000 replications are 200 draws of
/// the parameters × 5 cohorts, the five cohorts of a draw share its parameters, the
/// terminal says so and gives the decision figure, and `summary.csv` the split.
#[test]
fn the_default_run_is_200_draws_of_5_cohorts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = chain_with(r#"{ dist = "uniform", min = 0.1, max = 0.5 }"#, 1000);
    std::fs::write(d.join("s.toml"), &text).unwrap();
    let out = ok(&["run", "s.toml", "-q", "--out", "r"], d);
    assert!(
        out.contains("\n1000 replications = 200 draws of the parameters × 5 cohorts (count engine)"),
        "{out}"
    );
    assert!(!out.contains("choose the split"), "{out}");
    let decision = out.lines().find(|l| l.contains("expected net municipal effect is favourable")).unwrap();
    assert!(decision.ends_with(" %"), "{decision}");
    let manifest = String::from_utf8(read(d, "r", "run.toml")).unwrap();
    assert!(manifest.contains("\ninner_replications = 5\n"), "{manifest}");
    assert!(!manifest.contains("inner_replications_note"), "{manifest}");
    let (_, row) = share_values(d, "r");
    for c in ["expected_p05", "expected_p95", "chance_sd", "parameter_share"] {
        assert!(cell(&row, c).parse::<f64>().is_ok(), "{c}: {row:?}");
    }
    let keys = trappe::simulation::draws::parameter_keys(&model(&text));
    let rows = parameter_rows(d, "r", &keys);
    assert_eq!(rows.len(), 1000);
    for draw in rows.chunks(5) {
        assert!(draw.iter().all(|r| r == &draw[0]), "the cohorts of a draw share its parameters");
    }
    assert_ne!(rows[0], rows[5], "draws differ");
}

/// A number of replications that is not a multiple of 5 takes its largest divisor up
/// to 5 that leaves at least 2 draws, said in one line on the terminal and in run.toml;
/// a multiple of 5 with 2 draws or more takes 5 and says nothing. An inner size given
/// by `--inner` or by the file must divide the replications.
#[test]
fn other_replications_take_their_largest_divisor_up_to_5() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.toml"), chain_with(r#"{ dist = "uniform", min = 0.1, max = 0.5 }"#, 1000))
        .unwrap();
    let cases = [
        ("12", "12 replications = 3 draws of the parameters × 4 cohorts", Some(4i64), true),
        ("7", "7 replications = 7 draws of the parameters × 1 cohort", None, true),
        ("5", "5 replications = 5 draws of the parameters × 1 cohort", None, true),
        ("10", "10 replications = 2 draws of the parameters × 5 cohorts", Some(5), false),
    ];
    for (n, heading, inner, noted) in cases {
        let out = ok(&["run", "s.toml", "-n", n, "-q", "--out", n], d);
        assert!(out.contains(&format!("\n{heading} (count engine)")), "{out}");
        let manifest = String::from_utf8(read(d, n, "run.toml")).unwrap();
        let recorded: toml::Value = toml::from_str(&manifest).unwrap();
        // The run's own key is left out for 1; the resolved scenario always has it.
        assert_eq!(recorded.get("inner_replications").and_then(toml::Value::as_integer), inner, "{manifest}");
        let resolved = &recorded["scenario_resolved"]["simulation"]["inner_replications"];
        assert_eq!(resolved.as_integer(), Some(inner.unwrap_or(1)), "{manifest}");
        let note = out.lines().find(|l| l.starts_with('(') && l.contains("-n and --inner choose the split"));
        assert_eq!(note.is_some(), noted, "-n {n}: {out}");
        if let Some(note) = note {
            let recorded = format!("inner_replications_note = \"{}\"", &note[1..note.len() - 1]);
            assert!(manifest.contains(&recorded), "{manifest}");
        }
    }
    let out = ok(&["run", "s.toml", "-n", "12", "-q", "--out", "x12"], d);
    assert!(
        out.contains(
            "\n(12 is not a multiple of 5, the default cohorts per draw: 3 draws × 4 cohorts; -n and --inner \
             choose the split)\n"
        ),
        "{out}"
    );
    let out = ok(&["run", "s.toml", "-n", "7", "-q", "--out", "x7"], d);
    assert!(
        out.contains(
            "\n(7 is not a multiple of 5, the default cohorts per draw: one cohort per draw, so what we don't \
             know is not told apart from chance; -n and --inner choose the split)\n"
        ),
        "{out}"
    );
    // Given inner sizes must divide: by --inner, and by the file.
    let err = fails(&["run", "s.toml", "-n", "12", "--inner", "5", "-q", "--out", "y"], d);
    assert!(
        err.contains("12 replications cannot be split into outer draws of 5") && err.contains("--inner"),
        "{err}"
    );
    std::fs::write(
        d.join("four.toml"),
        chain_with("0.3", 1000).replace("seed = 42", "seed = 42\ninner_replications = 4"),
    )
    .unwrap();
    let err = fails(&["run", "four.toml", "-n", "10", "-q", "--out", "z"], d);
    assert!(
        err.contains("10 replications cannot be split into outer draws of 4")
            && err.contains("the scenario's [simulation] inner_replications"),
        "{err}"
    );
    assert!(!d.join("y").exists() && !d.join("z").exists());
}

/// Shards of a default run (5 cohorts per draw, the draws cut by the shards) record
/// the inner size and merge into the single run's files.
#[test]
fn shards_of_a_default_run_merge_to_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    ok(&["run", &scen, "-n", "20", "-q", "--out", "single"], d);
    for i in 1..=3 {
        ok(&["run", &scen, "-n", "20", "-q", "--shard", &format!("{i}/3"), "--out", &format!("p{i}")], d);
        let manifest = String::from_utf8(read(d, &format!("p{i}"), "part.toml")).unwrap();
        assert!(manifest.contains("inner_replications = 5"), "{manifest}");
    }
    ok(&["merge", "p1", "p2", "p3", "--out", "merged"], d);
    for f in csv_files(Engine::Count) {
        assert!(
            read(d, "single", f) == read(d, "merged", f),
            "{f} differs between the single run and the merge"
        );
    }
}

/// Every parameter fixed by `--set` (the chain's one uncertain probability): at the
/// default sizes the expected value's interval over the parameters has no width and
/// the decision figure is 0 or 1.
#[test]
fn every_parameter_fixed_by_set_leaves_no_interval_over_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.toml"), chain_with(r#"{ dist = "uniform", min = 0.1, max = 0.5 }"#, 1000))
        .unwrap();
    let out = ok(&["run", "s.toml", "--set", "transitions[0].probability=0.3", "-q", "--out", "r"], d);
    let (values, row) = share_values(d, "r");
    assert!(values.iter().any(|v| *v != values[0]), "chance still moves the cohorts");
    assert_eq!(cell(&row, "expected_p05"), cell(&row, "expected_p95"), "{row:?}");
    assert_eq!(cell(&row, "parameter_share"), "0");
    let decision = out.lines().find(|l| l.contains("expected net municipal effect is favourable")).unwrap();
    assert!(decision.ends_with(": 0.0 %") || decision.ends_with(": 100.0 %"), "{decision}");
    // As drawn, the interval has width.
    ok(&["run", "s.toml", "-q", "--out", "drawn"], d);
    let (_, row) = share_values(d, "drawn");
    assert_ne!(cell(&row, "expected_p05"), cell(&row, "expected_p95"), "{row:?}");
}

/// docs/outputs.md states the default sizes the program has, and its table of the Monte
/// Carlo error (written by scripts/mc-error.py) has a row for each run its marker names,
/// each of a shipped scenario, the first at the default sizes.
#[test]
fn the_documented_default_sizes_and_monte_carlo_error_table_match() {
    use trappe::input::scenario::{DEFAULT_INNER_REPLICATIONS, Simulation, default_inner};
    let defaults = Simulation::default();
    assert_eq!((defaults.replications, DEFAULT_INNER_REPLICATIONS), (1000, 5));
    assert_eq!(default_inner(defaults.replications), 5);
    let doc = std::fs::read_to_string(repo().join("docs/outputs.md")).unwrap();
    assert!(doc.contains("By default a run is **1,000\nreplications = 200 outer draws × 5 cohorts**"));
    let start = doc.find("<!-- mc-error: ").expect("the Monte Carlo error block");
    let marker = &doc[start + "<!-- mc-error: ".len()..];
    let runs: Vec<&str> = marker[..marker.find(" -->").unwrap()].split(';').map(str::trim).collect();
    let table = &marker[..marker.find("<!-- /mc-error -->").unwrap()];
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `scenarios/")).collect();
    assert_eq!(rows.len(), runs.len(), "{table}");
    for (run, row) in runs.iter().zip(&rows) {
        assert!(row.starts_with(&format!("| `{run}` |")), "{row}");
        let scenario = run.split_whitespace().next().unwrap();
        assert!(repo().join(scenario).is_file(), "{scenario}");
    }
    assert!(!runs[0].contains(' '), "the first row is a run at the default sizes: {}", runs[0]);
}
