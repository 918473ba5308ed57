//! Nothing lost: paths that are not UTF-8, results folders that appear or are busy
//! while a command runs, `--force` on folders trappe did not write or that hold the
//! command's inputs, interruptions by signals, killed commits, and runs too big for
//! memory. Each is either done right or refused with exit status 2 and a clear message,
//! before simulating where it can be known then.

use crate::common::*;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn default_scenario() -> String {
    repo().join("scenarios/staircase-default.toml").to_str().unwrap().to_string()
}

/// A Latin-1 name (not UTF-8): `stem` with `Å` as the single byte 0xC5 before it.
fn latin1(stem: &str) -> OsString {
    let mut bytes = vec![0xC5];
    bytes.extend_from_slice(stem.as_bytes());
    OsStr::from_bytes(&bytes).to_os_string()
}

/// Runs `trappe` with any arguments in `dir`.
fn trappe_os(args: &[&OsStr], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trappe")).args(args).current_dir(dir).output().expect("run trappe")
}

/// Asserts that `o` succeeded, and returns stdout.
fn succeeded(o: &Output) -> String {
    let (out, err) = texts(o);
    assert!(o.status.success(), "trappe failed: {err}");
    assert!(!err.contains("panicked"), "{err}");
    out
}

/// Asserts that `o` failed with status 2 without a panic, and returns stderr.
fn refused(o: &Output) -> String {
    let (_, err) = texts(o);
    assert_eq!(o.status.code(), Some(2), "expected status 2: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// The hidden files trappe keeps beside an output folder while it writes it.
fn hidden(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// Starts `trappe run` of the default scenario into `dir/out` with `-n n`, and waits
/// until its staging folder exists (it is then simulating).
fn start_run(dir: &Path, out: &str, n: &str, extra: &[&str]) -> Child {
    let mut args =
        vec!["run".to_string(), default_scenario(), "-n".into(), n.into(), "--out".into(), out.into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push("-q".into());
    let mut child = Command::new(env!("CARGO_BIN_EXE_trappe"))
        .args(&args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let prefix = format!(".{out}.partial-");
    while !hidden(dir).iter().any(|n| n.starts_with(&prefix)) {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("trappe ended before it began writing: {status}");
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no staging folder after 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// Sends `signal` (a name such as `INT`) to `child`.
fn send(child: &Child, signal: &str) {
    let sent = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
    assert!(sent.success());
}

#[test]
fn paths_that_are_not_utf8_work_in_check_run_merge_and_calibrate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut scenario = latin1("lborg");
    scenario.push(".toml");
    std::fs::copy(repo().join("scenarios/staircase-default.toml"), d.join(&scenario)).unwrap();
    let s = scenario.as_os_str();

    succeeded(&trappe_os(&[OsStr::new("check"), s], d));
    // The default folder keeps the file name's bytes.
    succeeded(&trappe_os(&[OsStr::new("run"), s, OsStr::new("-n"), OsStr::new("3"), OsStr::new("-q")], d));
    assert!(d.join("results").join(latin1("lborg")).join("run.toml").exists());
    let run_toml = std::fs::read_to_string(d.join("results").join(latin1("lborg")).join("run.toml")).unwrap();
    assert!(run_toml.contains("scenario_path = \"\u{FFFD}lborg.toml\""), "written lossily");

    let (p1, p2, out) = (latin1("part1"), latin1("part2"), latin1("merged"));
    for (shard, part) in [("1/2", &p1), ("2/2", &p2)] {
        let args = ["run", "-n", "3", "-q", "--shard", shard, "--out"].map(OsStr::new);
        let mut args: Vec<&OsStr> = args.to_vec();
        args.extend([part.as_os_str(), s]);
        succeeded(&trappe_os(&args, d));
    }
    let stdout = succeeded(&trappe_os(&[OsStr::new("merge"), &p1, &p2, OsStr::new("--out"), &out], d));
    assert!(stdout.contains("Results in \u{FFFD}merged"), "{stdout}");
    let merged = std::fs::read_to_string(d.join(&out).join("run.toml")).unwrap();
    assert!(merged.contains("folder = \"\u{FFFD}part1\""), "{merged}");

    let mut refugees = latin1("r");
    refugees.push(".toml");
    let mut observed = latin1("o");
    observed.push(".csv");
    std::fs::copy(repo().join("scenarios/aalborg-2018-refugees.toml"), d.join(&refugees)).unwrap();
    std::fs::copy(repo().join("scenarios/observed/aalborg-2018-outflow.csv"), d.join(&observed)).unwrap();
    let args = ["-n", "4", "--max-evaluations", "7", "-q", "--observed"].map(OsStr::new);
    let mut calibrate = vec![OsStr::new("calibrate"), &refugees];
    calibrate.extend(args);
    calibrate.push(&observed);
    succeeded(&trappe_os(&calibrate, d));
    let mut written = latin1("r");
    written.push(".calibrated.toml");
    assert!(d.join(written).exists());
}

#[test]
fn a_folder_made_during_a_run_is_left_alone_and_the_run_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let child = start_run(d, "res", "600", &["-j", "1"]);
    std::fs::create_dir(d.join("res")).unwrap();
    std::fs::write(d.join("res/notes.txt"), "mine").unwrap();
    let o = child.wait_with_output().unwrap();
    let err = refused(&o);
    assert!(err.contains("output folder res appeared while trappe was running"), "{err}");
    assert_eq!(std::fs::read_to_string(d.join("res/notes.txt")).unwrap(), "mine");
    assert_eq!(hidden(d), Vec::<String>::new());
}

#[test]
fn a_second_command_into_a_busy_folder_is_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = start_run(d, "res", "100000", &[]);
    for force in [false, true] {
        let mut args = vec!["run", "-n", "2", "-q", "--out", "res"];
        let scenario = default_scenario();
        args.push(&scenario);
        if force {
            args.push("--force");
        }
        let err = refused(&trappe(&args, d));
        assert!(err.contains("another trappe command is writing into output folder res"), "{err}");
        assert!(err.contains(".res.partial-"), "names the other command's folder: {err}");
    }
    send(&first, "TERM");
    let o = first.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(143));
    assert_eq!(hidden(d), Vec::<String>::new());
}

#[test]
fn interruptions_remove_the_unfinished_folder_and_exit_with_the_shell_code() {
    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let child = start_run(d, "res", "100000", &[]);
        send(&child, signal);
        let o = child.wait_with_output().unwrap();
        let (_, err) = texts(&o);
        assert_eq!(o.status.code(), Some(code), "SIG{signal}: {err}");
        assert!(err.contains(&format!("trappe: interrupted (SIG{signal}); no results written")), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert_eq!(hidden(d), Vec::<String>::new(), "SIG{signal} left files");
        assert!(!d.join("res").exists());
    }
}

#[test]
fn the_next_run_removes_what_a_killed_run_left() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut child = start_run(d, "res", "100000", &[]);
    child.kill().unwrap();
    child.wait().unwrap();
    let left: Vec<String> = hidden(d).into_iter().filter(|n| n.starts_with(".res.partial-")).collect();
    assert_eq!(left.len(), 1, "SIGKILL cannot be caught: {:?}", hidden(d));
    let o = trappe(&["run", &default_scenario(), "-n", "2", "-q", "--out", "res"], d);
    succeeded(&o);
    let err = texts(&o).1;
    assert!(err.contains(&format!("note: removed ./{} (its unfinished results; process", left[0])), "{err}");
    assert_eq!(hidden(d), Vec::<String>::new());
}

/// A run into another folder of the same parent cleans what a killed run left there
/// too, but never the staging folder of a run that is still going.
#[test]
fn a_run_beside_cleans_a_killed_runs_leftovers_but_not_a_live_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut live = start_run(d, "live", "100000", &[]);
    let mut killed = start_run(d, "killed", "100000", &[]);
    killed.kill().unwrap();
    killed.wait().unwrap();
    let left: Vec<String> = hidden(d).into_iter().filter(|n| n.starts_with(".killed.")).collect();
    assert!(left.iter().any(|n| n.starts_with(".killed.partial-")), "{left:?}");
    let o = trappe(&["run", &default_scenario(), "-n", "2", "-q", "--out", "other"], d);
    succeeded(&o);
    let err = texts(&o).1;
    let partial = left.iter().find(|n| n.starts_with(".killed.partial-")).unwrap();
    assert!(err.contains(&format!("note: removed ./{partial} (its unfinished results; process")), "{err}");
    let rest = hidden(d);
    assert!(rest.iter().all(|n| !n.starts_with(".killed.")), "{rest:?}");
    assert!(rest.iter().any(|n| n.starts_with(".live.partial-")), "a live run's folder is kept: {rest:?}");
    live.kill().unwrap();
    live.wait().unwrap();
}

#[test]
fn a_replacement_cut_short_is_restored_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = default_scenario();
    succeeded(&trappe(&["run", &scenario, "-n", "2", "-q", "--out", "res"], d));
    // A `--force` commit killed between its two moves: the old results moved aside,
    // the new ones still staged, no `res`.
    std::fs::rename(d.join("res"), d.join(".res.replaced-999999-abcdef")).unwrap();
    std::fs::create_dir(d.join(".res.partial-999999-abcdef")).unwrap();
    std::fs::write(d.join(".res.partial-999999-abcdef/summary.csv"), "x").unwrap();
    // Without --force the restored folder is kept, and the run says so.
    let err = refused(&trappe(&["run", &scenario, "-n", "2", "-q", "--out", "res"], d));
    assert!(err.contains("note: restored res from ./.res.replaced-999999-abcdef"), "{err}");
    assert!(err.contains("note: removed ./.res.partial-999999-abcdef"), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert!(d.join("res/run.toml").exists());
    assert_eq!(hidden(d), Vec::<String>::new());
    // A stale copy beside an existing folder is removed, and --force then replaces it.
    std::fs::create_dir(d.join(".res.replaced-999998-abcdef")).unwrap();
    let o = trappe(&["run", &scenario, "-n", "3", "-q", "--out", "res", "--force"], d);
    succeeded(&o);
    assert!(texts(&o).1.contains("note: removed ./.res.replaced-999998-abcdef"), "{}", texts(&o).1);
    assert!(std::fs::read_to_string(d.join("res/run.toml")).unwrap().contains("replications = 3"));
    assert_eq!(hidden(d), Vec::<String>::new());
}

#[test]
fn force_replaces_only_folders_trappe_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = default_scenario();
    let run = |out: &str| trappe(&["run", &scenario, "-n", "2", "-q", "--out", out, "--force"], d);
    std::fs::create_dir(d.join("mine")).unwrap();
    std::fs::write(d.join("mine/notes.txt"), "x").unwrap();
    let err = refused(&run("mine"));
    assert!(
        err.contains("output folder mine was not written by trappe: it has no run.toml written by trappe and holds notes.txt; --force replaces only trappe's own results folders"),
        "{err}"
    );
    // trappe's folder with a file added by hand: refused, naming the file.
    succeeded(&run("res"));
    std::fs::write(d.join("res/notes.txt"), "x").unwrap();
    let err = refused(&run("res"));
    assert!(err.contains("besides trappe's results it holds notes.txt"), "{err}");
    std::fs::remove_file(d.join("res/notes.txt")).unwrap();
    succeeded(&run("res"));
    // An empty folder, and a partial result, are replaced.
    std::fs::create_dir(d.join("empty")).unwrap();
    succeeded(&run("empty"));
    succeeded(&trappe(&["run", &scenario, "-n", "2", "-q", "--shard", "1/2", "--out", "part"], d));
    succeeded(&trappe(&["run", &scenario, "-n", "2", "-q", "--shard", "1/2", "--out", "part", "--force"], d));
    assert_eq!(hidden(d), Vec::<String>::new());
}

#[test]
fn force_never_replaces_the_commands_own_inputs_or_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("res/deep/er")).unwrap();
    std::fs::copy(repo().join("scenarios/staircase-default.toml"), d.join("res/deep/er/s.toml")).unwrap();
    let started = Instant::now();
    let err =
        refused(&trappe(&["run", "res/deep/er/s.toml", "-n", "100000", "-q", "--out", "res", "--force"], d));
    assert!(
        err.contains(
            "output folder res holds res/deep/er/s.toml, which this command reads; trappe will not replace it"
        ),
        "{err}"
    );
    // Through `..` and a link, too.
    std::os::unix::fs::symlink(d.join("res"), d.join("link")).unwrap();
    let err = refused(&trappe(
        &["run", "res/deep/er/s.toml", "-n", "2", "-q", "--out", "link/deep/..", "--force"],
        d,
    ));
    assert!(err.contains("which this command reads"), "{err}");

    // The current folder and the folders above it.
    let inner = d.join("res/deep");
    for out in [".", "..", "../..", "er/.."] {
        let err =
            refused(&trappe(&["run", "er/s.toml", "-n", "100000", "-q", "--out", out, "--force"], &inner));
        assert!(err.contains("is the current folder or holds it"), "{out}: {err}");
    }
    assert!(started.elapsed() < Duration::from_secs(30), "refused before simulating");
    assert!(d.join("res/deep/er/s.toml").exists());

    // A merge's parts inside its output folder.
    let scenario = default_scenario();
    for i in 1..=2 {
        let shard = format!("{i}/2");
        let out = format!("res/p{i}");
        succeeded(&trappe(&["run", &scenario, "-n", "2", "-q", "--shard", &shard, "--out", &out], d));
    }
    let err = refused(&trappe(&["merge", "res/p1", "res/p2", "--out", "res", "--force"], d));
    assert!(err.contains("output folder res holds res/p1, which this command reads"), "{err}");
    assert!(d.join("res/p1/part.toml").exists());

    // calibrate's observed figures (and scenario) as its output.
    std::fs::copy(repo().join("scenarios/aalborg-2018-refugees.toml"), d.join("r.toml")).unwrap();
    std::fs::copy(repo().join("scenarios/observed/aalborg-2018-outflow.csv"), d.join("o.csv")).unwrap();
    for out in ["o.csv", "./r.toml"] {
        let err = refused(&trappe(
            &["calibrate", "r.toml", "--observed", "o.csv", "-n", "4", "-q", "--out", out, "--force"],
            d,
        ));
        assert!(err.contains("which this command reads; trappe will not overwrite it"), "{err}");
    }
    let observed = std::fs::read(repo().join("scenarios/observed/aalborg-2018-outflow.csv")).unwrap();
    assert_eq!(std::fs::read(d.join("o.csv")).unwrap(), observed);
}

#[test]
fn too_many_replications_for_memory_are_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let started = Instant::now();
    let err = refused(&trappe(&["run", &default_scenario(), "-n", "1000000000", "-q", "--out", "res"], d));
    assert!(
        err.contains("a run of 1000000000 replications: holding the outcomes of 1,000,000,000 replications until the result files are written needs about"),
        "{err}"
    );
    assert!(err.contains("available; run at most about") && err.contains("--shard I/N"), "{err}");
    let err = refused(&trappe(
        &["run", &default_scenario(), "-n", "4000000000", "--shard", "1/2", "-q", "--out", "res"],
        d,
    ));
    assert!(
        err.contains("shard 1/2 of a run of 4000000000 replications: holding the outcomes of 2,000,000,000"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(20), "refused before simulating");
    assert!(!d.join("res").exists());
    assert_eq!(hidden(d), Vec::<String>::new());
}
