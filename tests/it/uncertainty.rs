//! Outer draws of the parameters and inner cohorts per draw: with one inner replication
//! a run is the one-level run; the cohorts of an outer draw share their parameters and
//! differ by chance; results depend neither on threads nor on where shards cut a draw.

use crate::common::*;
use std::path::Path;

fn default_scenario() -> String {
    repo().join("scenarios/staircase-default.toml").to_str().unwrap().to_string()
}

/// Runs `trappe` in `dir`, asserts success and returns stdout.
fn ok(args: &[&str], dir: &Path) -> String {
    let o = trappe(args, dir);
    let (out, err) = texts(&o);
    assert!(o.status.success(), "trappe {args:?} failed: {err}");
    out
}

/// Runs `trappe` in `dir`, asserts exit status 2 without a panic and returns stderr.
fn fails(args: &[&str], dir: &Path) -> String {
    let o = trappe(args, dir);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "trappe {args:?} should fail with status 2: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
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

/// `--inner 1` is the one-level run, byte for byte, and so is any thread count.
fn one_inner_replication_is_the_one_level_run(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    let e = engine_args(engine);
    ok(&[&["run", &scen, "-n", "12", "-q", "--out", "plain", "-j", "2"][..], &e].concat(), d);
    ok(&[&["run", &scen, "-n", "12", "-q", "--out", "one", "--inner", "1", "-j", "1"][..], &e].concat(), d);
    for f in csv_files(Engine::Count) {
        assert!(read(d, "plain", f) == read(d, "one", f), "{f} differs with --inner 1");
    }
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
    ok(&[&["run", &scen, "-n", "4", "-q", "--out", "plain"][..], &e].concat(), d);
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
    let out = ok(&["run", "s.toml", "-n", "20", "-q", "--out", "one", "--engine", "count"], d);
    let (_, row) = share_values(d, "one");
    for c in ["expected", "expected_p05", "expected_p95", "chance_sd", "parameter_share"] {
        assert_eq!(cell(&row, c), "", "{c} with one cohort per draw");
    }
    assert!(out.contains("not estimable with one cohort"), "{out}");
}
