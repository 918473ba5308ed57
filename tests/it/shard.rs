//! Runs split across machines: `trappe run --shard I/N` and `trappe merge` give
//! exactly the files of a single run; parts that do not belong together, missing
//! or repeated shards, and folders that are not parts are refused with a clear
//! error, exit status 2 and no output.

use crate::common::{self, *};
use std::path::Path;
use trappe::report::part::{Shard, decode_outcomes, encode_outcomes};

fn default_scenario() -> String {
    repo().join("scenarios/staircase-default.toml").to_str().unwrap().to_string()
}

/// Writes shard `i` of `n` of `scenario` with `extra` options into `dir/out`.
fn part(dir: &Path, scenario: &str, i: u32, n: u32, out: &str, extra: &[&str]) {
    let shard = format!("{i}/{n}");
    let mut args = vec!["run", scenario, "--shard", &shard, "--out", out, "-q"];
    args.extend_from_slice(extra);
    ok(&args, dir);
}

fn assert_same_csv(dir: &Path, a: &str, b: &str, files: &[&str]) {
    for f in files {
        let x = std::fs::read(dir.join(a).join(f)).unwrap_or_else(|e| panic!("{a}/{f}: {e}"));
        let y = std::fs::read(dir.join(b).join(f)).unwrap_or_else(|e| panic!("{b}/{f}: {e}"));
        assert!(!x.is_empty(), "{a}/{f} is empty");
        assert!(x == y, "{f} differs between {a} and {b}");
    }
}

/// Asserts that `dir` holds nothing but `keep` (no output, no staging folder left behind).
fn assert_only(dir: &Path, keep: &[&str]) {
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(keep.contains(&name.as_str()), "left behind: {name}");
    }
}

/// The summary printed on the terminal, without the closing "Results in …" line.
fn terminal_summary(stdout: &str) -> &str {
    stdout.rsplit_once("\nResults in ").map(|(s, _)| s).unwrap_or(stdout)
}

/// Three shards, run with different thread counts and merged in any order, give the
/// single run's files and terminal summary; the manifests record the engine, the run
/// and its parts.
fn three_shards_merged_equal_one_run_whatever_the_threads(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    let paths: &[&str] = match engine {
        Engine::Individual => &["--trajectories", "5"],
        Engine::Count => &[],
    };
    let common = [&["-n", "30"][..], &engine_args(engine), paths].concat();
    let single = ok(&[&["run", &scen, "--out", "single", "-q"][..], &common].concat(), d);
    for (i, threads) in [(1, "1"), (2, "2"), (3, "1")] {
        part(d, &scen, i, 3, &format!("parts/{i}"), &[&common[..], &["-j", threads]].concat());
    }
    let named = format!("engine = \"{}\"", engine.name());
    let part_manifest = std::fs::read_to_string(d.join("parts/1/part.toml")).unwrap();
    assert!(part_manifest.contains(&named), "{engine} engine: {part_manifest}");
    // Parts given in any order.
    let merged = ok(&["merge", "parts/3", "parts/1", "parts/2", "--out", "merged"], d);
    assert_same_csv(d, "single", "merged", csv_files(engine));
    assert_eq!(
        terminal_summary(&merged),
        terminal_summary(&single),
        "{engine} engine: the terminal summaries differ"
    );
    assert!(merged.contains("Results in merged: summary.csv"), "{engine} engine: {merged}");

    // The same again with the threads the other way round.
    for (i, threads) in [(1, "2"), (2, "1"), (3, "2")] {
        part(d, &scen, i, 3, &format!("other/{i}"), &[&common[..], &["-j", threads]].concat());
    }
    ok(&["merge", "other/1", "other/2", "other/3", "--out", "merged2"], d);
    assert_same_csv(d, "single", "merged2", csv_files(engine));

    // The manifest records the run and the parts it was merged from.
    let run = std::fs::read_to_string(d.join("single/run.toml")).unwrap();
    let merged_run = std::fs::read_to_string(d.join("merged/run.toml")).unwrap();
    assert!(merged_run.contains(&named), "{engine} engine: {merged_run}");
    let toml: toml::Table = merged_run.parse().unwrap();
    let single_toml: toml::Table = run.parse().unwrap();
    for key in ["version", "scenario_sha256", "seed", "replications", "trajectories", "scenario_source"] {
        assert_eq!(toml[key], single_toml[key], "{engine} engine: run.toml: {key}");
    }
    assert_eq!(toml["scenario_resolved"], single_toml["scenario_resolved"], "{engine} engine");
    assert!(toml.get("threads").is_none(), "{engine} engine: a merged run has no one thread count");
    let parts = toml["merged_from"].as_array().unwrap();
    let shards: Vec<&str> = parts.iter().map(|p| p["shard"].as_str().unwrap()).collect();
    assert_eq!(shards, ["1/3", "2/3", "3/3"], "{engine} engine");
    assert_eq!(parts[1]["first_replication"].as_integer(), Some(10), "{engine} engine");
    assert_eq!(parts[1]["threads"].as_integer(), Some(2), "{engine} engine");
    assert!(parts[0]["command"].as_str().unwrap().contains("--shard 1/3"), "{engine} engine");
    assert!(toml["command"].as_str().unwrap().contains("merge"), "{engine} engine");
}

test_both_engines!(three_shards_merged_equal_one_run_whatever_the_threads);

/// A part of one engine does not complete a run of the other.
#[test]
fn parts_of_the_two_engines_do_not_merge() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    part(d, &scen, 1, 2, "count", &["-n", "10", "--engine", "count"]);
    part(d, &scen, 2, 2, "individual", &["-n", "10", "--engine", "individual"]);
    let err = fails(&["merge", "count", "individual", "--out", "mixed"], d);
    assert!(err.contains("engine"), "{err}");
    assert_only(d, &["count", "individual"]);
}

#[test]
fn a_part_holds_its_block_of_replications_and_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    let out = ok(&["run", &scen, "-n", "30", "--shard", "2/3", "--seed", "7", "--out", "p2", "-q"], d);
    assert!(out.contains("Shard 2/3"), "{out}");
    assert!(out.contains("replications 10 to 19 (10 of 30), seed 7"), "{out}");
    assert!(out.contains("trappe merge"), "{out}");
    assert!(out.contains("Partial result in p2: part.toml, outcomes.bin"), "{out}");
    assert_only(&d.join("p2"), &["part.toml", "outcomes.bin"]);
    let m: toml::Table = std::fs::read_to_string(d.join("p2/part.toml")).unwrap().parse().unwrap();
    assert_eq!(m["shard"].as_str(), Some("2/3"));
    assert_eq!(m["seed"].as_integer(), Some(7));
    assert_eq!(m["replications"].as_integer(), Some(30));
    assert_eq!(m["first_replication"].as_integer(), Some(10));
    assert_eq!(m["replications_in_part"].as_integer(), Some(10));
    assert_eq!(m["trajectories"].as_integer(), Some(0));
    assert_eq!(m["scenario_source"].as_str(), Some(default_text().as_str()));
    let bytes = std::fs::read(d.join("p2/outcomes.bin")).unwrap();
    assert_eq!(m["data_bytes"].as_integer(), Some(bytes.len() as i64));
    assert_eq!(m["data_sha256"].as_str().unwrap(), trappe::input::checksum::sha256_bytes_hex(&bytes));
}

#[test]
fn default_folders_are_named_after_the_scenario_and_the_shard() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.toml"), default_text()).unwrap();
    for i in 1..=2 {
        ok(&["run", "s.toml", "-n", "6", "--shard", &format!("{i}/2"), "-q"], d);
    }
    assert!(d.join("results/s.part-1-of-2/part.toml").exists());
    assert!(d.join("results/s.part-2-of-2/part.toml").exists());
    let out = ok(&["merge", "results/s.part-1-of-2", "results/s.part-2-of-2"], d);
    assert!(out.contains("Results in results/s:"), "{out}");
    ok(&["run", "s.toml", "-n", "6", "--out", "single", "-q"], d);
    assert_same_csv(d, "single", "results/s", csv_files(Engine::Count));
    // merge refuses to replace a folder without --force, like run.
    let err = fails(&["merge", "results/s.part-1-of-2", "results/s.part-2-of-2"], d);
    assert!(err.contains("already exists") && err.contains("--force"), "{err}");
    ok(&["merge", "results/s.part-1-of-2", "results/s.part-2-of-2", "--force"], d);
}

#[test]
fn more_shards_than_replications_leave_empty_parts_that_merge_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    // 2 replications over 3 shards: shard 1 gets none, shards 2 and 3 one each.
    assert_eq!(Shard::new(1, 3).unwrap().range(2), 0..0);
    let mut outs = Vec::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        outs.push(ok(
            &[
                "run",
                &scen,
                "-n",
                "2",
                "--trajectories",
                "3",
                "--shard",
                &shard,
                "--out",
                &shard.replace('/', "-"),
            ],
            d,
        ));
    }
    assert!(outs[0].contains("no replications") && outs[0].contains("empty part"), "{}", outs[0]);
    assert!(outs[1].contains("replication 0 (1 of 2)"), "{}", outs[1]);
    ok(&["run", &scen, "-n", "2", "--trajectories", "3", "--out", "single", "-q"], d);
    ok(&["merge", "1-3", "2-3", "3-3", "--out", "merged"], d);
    assert_same_csv(d, "single", "merged", csv_files(Engine::Individual));
    // The empty part still counts: without it, shard 1/3 is missing.
    let err = fails(&["merge", "2-3", "3-3", "--out", "m"], d);
    assert!(err.contains("shard 1/3 is missing"), "{err}");
}

#[test]
fn bad_shard_values_are_rejected_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    let cases = [
        ("0/3", "from 1 to N = 3, got 0"),
        ("4/3", "from 1 to N = 3, got 4"),
        ("3/0", "number of shards N must be at least 1"),
        ("x", "expected I/N"),
        ("2", "expected I/N"),
        ("1/3/5", "expected I/N"),
        ("-1/3", "expected I/N"),
        ("", "expected I/N"),
    ];
    for (value, wanted) in cases {
        let shard = format!("--shard={value}");
        let err = fails(&["run", &scen, "-n", "3", &shard, "--out", "out"], d);
        assert!(err.contains("--shard"), "the error should name the option: {err}");
        assert!(err.contains(wanted), "--shard {value:?}: {err}");
        assert_only(d, &[]);
    }
}

/// Three parts of the default scenario (seed 11, 9 replications, 2 trajectories) in
/// `dir/parts/{1,2,3}`, and some parts that do not belong with them in `dir/bad/`.
fn parts_and_strangers(d: &Path) {
    let scen = default_scenario();
    let common = ["-n", "9", "--seed", "11", "--trajectories", "2"];
    for i in 1..=3 {
        part(d, &scen, i, 3, &format!("parts/{i}"), &common);
    }
    part(d, &scen, 2, 3, "bad/again", &common);
    part(d, &scen, 2, 3, "bad/seed", &["-n", "9", "--seed", "12", "--trajectories", "2"]);
    part(d, &scen, 2, 3, "bad/reps", &["-n", "10", "--seed", "11", "--trajectories", "2"]);
    part(d, &scen, 2, 4, "bad/count", &common);
    part(d, &scen, 2, 3, "bad/traj", &["-n", "9", "--seed", "11"]);
    let other = default_text().replacen("seed = ", "# another scenario\nseed = ", 1);
    std::fs::write(d.join("other.toml"), other).unwrap();
    part(d, "other.toml", 2, 3, "bad/scenario", &common);
    ok(&["run", &scen, "-n", "3", "--out", "bad/complete", "-q"], d);
    std::fs::create_dir_all(d.join("bad/empty")).unwrap();
    std::fs::write(d.join("bad/file"), "not a folder").unwrap();
}

#[test]
fn parts_that_do_not_make_one_run_are_refused_with_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    parts_and_strangers(d);
    let cases: &[(&[&str], &[&str])] = &[
        (&["parts/1", "parts/3"], &["shard 2/3 is missing", "given: 1/3, 3/3"]),
        (&["parts/1"], &["shards 2/3, 3/3 are missing"]),
        (&["parts/1", "parts/2", "parts/2", "parts/3"], &["shard 2/3 is given twice: parts/2 and parts/2"]),
        (
            &["parts/1", "parts/2", "parts/3", "bad/again"],
            &["shard 2/3 is given twice: parts/2 and bad/again"],
        ),
        (
            &["parts/1", "bad/seed", "parts/3"],
            &["part bad/seed was run with seed 12", "parts/1 with seed 11"],
        ),
        (
            &["parts/1", "bad/scenario", "parts/3"],
            &["part bad/scenario was made from a different scenario (checksum", "other.toml"],
        ),
        (&["parts/1", "bad/reps", "parts/3"], &["bad/reps belongs to a run of 10 replications", "of 9"]),
        (&["parts/1", "bad/count", "parts/3"], &["bad/count is shard 2/4", "parts/1 is shard 1/3"]),
        (&["parts/1", "bad/traj", "parts/3"], &["bad/traj was run with --trajectories 0"]),
        (&["parts/1", "parts/2", "bad/complete"], &["bad/complete is not a partial result", "run.toml"]),
        (&["parts/1", "parts/2", "bad/empty"], &["bad/empty is not a partial result", "no part.toml"]),
        (&["parts/1", "parts/2", "bad/file"], &["bad/file is not a partial result", "not a folder"]),
        (&["parts/1", "parts/2", "bad/nothing"], &["bad/nothing is not a partial result", "no such folder"]),
    ];
    for (parts, wanted) in cases {
        let mut args = vec!["merge"];
        args.extend_from_slice(parts);
        args.extend_from_slice(&["--out", "merged"]);
        let err = fails(&args, d);
        assert!(err.starts_with("error: "), "{err}");
        for w in *wanted {
            assert!(err.contains(w), "merge {parts:?}: expected {w:?} in: {err}");
        }
        assert_only(d, &["parts", "bad", "other.toml"]);
    }
    // And the parts that do belong together still merge.
    ok(&["merge", "parts/2", "parts/3", "parts/1", "--out", "merged"], d);
    assert!(d.join("merged/summary.csv").exists());
}

#[test]
fn damaged_parts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scen = default_scenario();
    for i in 1..=2 {
        part(d, &scen, i, 2, &format!("parts/{i}"), &["-n", "4"]);
    }
    let data = d.join("parts/2/outcomes.bin");
    let bytes = std::fs::read(&data).unwrap();
    let merge = ["merge", "parts/1", "parts/2", "--out", "merged"];

    std::fs::write(&data, &bytes[..bytes.len() / 2]).unwrap();
    let err = fails(&merge, d);
    assert!(err.contains("part parts/2: outcomes.bin is damaged or incomplete"), "{err}");
    assert_only(d, &["parts"]);

    let mut flipped = bytes.clone();
    flipped[bytes.len() / 3] ^= 1;
    std::fs::write(&data, &flipped).unwrap();
    let err = fails(&merge, d);
    assert!(err.contains("damaged"), "{err}");

    std::fs::remove_file(&data).unwrap();
    let err = fails(&merge, d);
    assert!(err.contains("part parts/2: cannot read outcomes.bin"), "{err}");
    assert_only(d, &["parts"]);

    std::fs::write(&data, &bytes).unwrap();
    let manifest = d.join("parts/2/part.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replacen("seed = ", "seed = \"", 1)).unwrap();
    let err = fails(&merge, d);
    assert!(err.contains("part parts/2: part.toml is not a part manifest"), "{err}");
    std::fs::write(&manifest, text.replacen("first_replication = 2", "first_replication = 1", 1)).unwrap();
    let err = fails(&merge, d);
    assert!(
        err.contains("part.toml says replications 1..3 but shard 2/2 of 4 replications is 2..4"),
        "{err}"
    );
    std::fs::write(&manifest, text.replacen("replications = 4", "replications = 0", 1)).unwrap();
    let err = fails(&merge, d);
    assert!(err.contains("0 replications; a run has at least 1"), "{err}");
    std::fs::write(&manifest, text.replacen("# ", "#  ", 1)).unwrap();
    let err = fails(&merge, d);
    assert!(err.contains("does not match its checksum"), "{err}");
    std::fs::write(&manifest, text.replacen("version = \"", "version = \"9.", 1)).unwrap();
    let err = fails(&merge, d);
    assert!(err.contains("part parts/2 was made by trappe 9."), "{err}");
    assert_only(d, &["parts"]);

    std::fs::write(&manifest, &text).unwrap();
    ok(&merge, d);
}

#[test]
fn outcomes_round_trip_bit_for_bit_and_are_checked_against_the_scenario() {
    let model = model(&default_text());
    let outs = trappe::commands::run::simulate_outcomes(&model, 3..6, 5, 1, 4, false).unwrap();
    assert_eq!(outs.iter().map(|o| o.index).collect::<Vec<_>>(), [3, 4, 5]);
    // NaN marks undefined outcomes; make sure some are stored, with infinities too.
    let mut outs = outs;
    outs[0].effects[0] = f64::NAN;
    outs[1].monthly[0][0] = f64::INFINITY;
    outs[2].arms[1][0] = f64::NEG_INFINITY;
    let bytes = encode_outcomes(outs.clone()).unwrap();
    let back = decode_outcomes(&bytes, &model).unwrap();
    assert_eq!(encode_outcomes(back.clone()).unwrap(), bytes, "encoding is not lossless");
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    for (a, b) in outs.iter().zip(&back) {
        assert_eq!(bits(&a.effects), bits(&b.effects));
        assert_eq!(bits(&a.monthly[0]), bits(&b.monthly[0]));
        assert_eq!(bits(&a.arms[1]), bits(&b.arms[1]));
        assert_eq!(a.budget, b.budget);
        assert_eq!(a.trajectories, b.trajectories);
    }
    // Trajectories come from replication 0 only.
    let with0 = trappe::commands::run::simulate_outcomes(&model, 0..2, 5, 1, 4, false).unwrap();
    assert!(!with0[0].trajectories.is_empty() && with0[1].trajectories.is_empty());
    let bytes0 = encode_outcomes(with0).unwrap();
    assert_eq!(encode_outcomes(decode_outcomes(&bytes0, &model).unwrap()).unwrap(), bytes0);

    // Outcomes of another model (a longer horizon) do not fit: an error, not a panic.
    let longer = common::model(&default_text().replacen("horizon_months = 36", "horizon_months = 40", 1));
    assert!(decode_outcomes(&bytes, &longer).unwrap_err().contains("wrong size"));
    // Truncated or padded data are errors too.
    assert!(decode_outcomes(&bytes[..bytes.len() - 1], &model).is_err());
    let mut padded = bytes.clone();
    padded.push(0);
    assert!(decode_outcomes(&padded, &model).unwrap_err().contains("left over"));
}
