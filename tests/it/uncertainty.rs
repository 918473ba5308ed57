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
