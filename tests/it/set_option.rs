//! `--set PATH=VALUE`: a value given on the command line gives the results of the
//! same edit made in the file, byte for byte; a path or value that the file could not
//! hold is refused with the file's own error, naming the `--set` argument and the
//! nearest valid key; the result folder records the settings, and parts run with
//! different settings do not merge.

use crate::common::*;
use std::path::Path;

/// The default scenario written into `dir` as `name`, with `edit` applied to its text.
fn write_default(dir: &Path, name: &str, edit: impl Fn(&str) -> String) {
    std::fs::write(dir.join(name), edit(&default_text())).unwrap();
}

/// A value replaced, a key inside a distribution and a key the file leaves out (a
/// year added to a table of rates): each `--set` gives the same CSV files, byte for
/// byte, as the scenario file edited by hand.
#[test]
fn a_setting_gives_the_results_of_the_same_edit_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_default(d, "base.toml", str::to_string);
    let cases = [
        ("staffing.hires[0].fte=3", "fte = 2\n", "fte = 3\n"),
        ("staffing.elasticity.mode=0.2", "mode = 0.14,", "mode = 0.2,"),
        (
            "budget.benefit_rates.kh_30plus_provider.rates.2025=17000",
            "rates = { 2024 = 16382 }",
            "rates = { 2024 = 16382, 2025 = 17000 }",
        ),
    ];
    for (i, (setting, written, edited)) in cases.iter().enumerate() {
        let name = format!("edited{i}.toml");
        write_default(d, &name, |t| {
            assert_eq!(t.matches(written).count(), 1, "{written}");
            t.replace(written, edited)
        });
        let (by_set, by_file) = (format!("set{i}"), format!("file{i}"));
        let out = ok(&["run", "base.toml", "--set", setting, "-n", "30", "-q", "-o", &by_set], d);
        assert!(
            out.contains(&format!("\nWith values given on the command line: --set {setting}\n")),
            "{out}"
        );
        ok(&["run", &name, "-n", "30", "-q", "-o", &by_file], d);
        for f in csv_files(Engine::Count) {
            let read = |folder: &str| std::fs::read(d.join(folder).join(f)).unwrap();
            assert!(
                read(&by_set) == read(&by_file),
                "{f} differs between --set {setting} and the edited file"
            );
        }
        // The folder says how it was made: the file as read, and the setting.
        let manifest = std::fs::read_to_string(d.join(&by_set).join("run.toml")).unwrap();
        assert!(manifest.contains(&format!("set = [{:?}]", setting)), "{manifest}");
        let recorded: toml::Value = toml::from_str(&manifest).unwrap();
        assert_eq!(recorded["scenario_source"].as_str(), Some(default_text().as_str()));
    }
}

/// The settings are checked before the scenario is described: `trappe check` with a
/// setting names it in its verdict and describes the changed model.
#[test]
fn check_describes_the_scenario_with_its_settings() {
    let dir = tempfile::tempdir().unwrap();
    write_default(dir.path(), "base.toml", str::to_string);
    let out = ok(
        &["check", "base.toml", "--set", "staffing.hires[0].fte=3", "--set", "staffing.baseline_fte=12"],
        dir.path(),
    );
    assert!(out.contains("Staffing: baseline 12 FTE"), "{out}");
    assert!(out.contains("hire: 3 FTE 2 extra caseworkers"), "{out}");
    assert!(
        out.ends_with(
            "base.toml --set staffing.hires[0].fte=3 --set staffing.baseline_fte=12: the scenario is valid.\n"
        ),
        "{out}"
    );
}

/// Each kind of bad setting, with its exact message: the argument, the key, what was
/// wanted and the nearest valid key as a whole path; never a line of the file.
#[test]
fn bad_settings_name_the_argument_the_key_and_the_nearest_valid_key() {
    let dir = tempfile::tempdir().unwrap();
    write_default(dir.path(), "base.toml", str::to_string);
    let cases = [
        (
            "staffing.hires[0].ftee=3",
            "error: --set staffing.hires[0].ftee=3: key `staffing.hires[0].ftee`: unknown key `ftee`, expected \
             one of `name`, `fte`, `start`, `end`, `ramp_up_months`, `funded_by`, `serves`\n  \
             help: did you mean `staffing.hires[0].fte`?\n",
        ),
        (
            "staffing.hirse[0].fte=3",
            "error: --set staffing.hirse[0].fte=3: key `staffing.hirse[0].fte`: unknown key `hirse`, expected one \
             of `baseline_fte`, `caseload_ref`, `elasticity`, `multiplier_min`, `multiplier_max`, `hires`, \
             `capacity`\n  help: did you mean `staffing.hires`?\n",
        ),
        (
            "simulation.start=\"2020-01\"",
            "error: --set simulation.start=\"2020-01\": key `simulation.start`: unknown key `start`, expected one of \
             `replications`, `seed`, `inner_replications`\n  help: did you mean `scenario.start`?\n",
        ),
        (
            "staffing.capacity.placement_fte=2",
            "error: --set staffing.capacity.placement_fte=2: key `staffing.capacity.placement_fte`: the scenario \
             file has no `staffing.capacity`; --set changes a value, or adds one to a table the file has: write \
             `staffing.capacity` in the file\n",
        ),
        (
            "budget.benefit_rates.kh_30plus_provder.rates.2025=17000",
            "error: --set budget.benefit_rates.kh_30plus_provder.rates.2025=17000: key \
             `budget.benefit_rates.kh_30plus_provder.rates.2025`: the scenario file has no \
             `budget.benefit_rates.kh_30plus_provder`; --set changes a value, or adds one to a table the file \
             has: write `budget.benefit_rates.kh_30plus_provder` in the file\n  \
             help: did you mean `budget.benefit_rates.kh_30plus_provider`?\n",
        ),
        (
            "staffing.hires[2].fte=3",
            "error: --set staffing.hires[2].fte=3: key `staffing.hires[2].fte`: there is no `staffing.hires[2]`: \
             `staffing.hires` has 1 entry, `staffing.hires[0]`; --set changes a value the file has, and cannot \
             add an entry\n",
        ),
        (
            "budget.reimbursement=0",
            "error: --set budget.reimbursement=0: key `budget.reimbursement`: it holds a table with the keys \
             `regime`, `reset_after_months`, not a single value or a distribution that a number can replace; \
             --set gives one key a number, true or false, or text: name one of the keys inside\n  \
             help: did you mean `budget.reimbursement.reset_after_months`?\n",
        ),
        (
            "staffing.hires=3",
            "error: --set staffing.hires=3: key `staffing.hires`: it holds a list of 1 table, not a single value \
             or a distribution that a number can replace; --set gives one key a number, true or false, or text: \
             name one of the keys inside\n  help: did you mean `staffing.hires[0].fte`?\n",
        ),
        (
            "scenario.start=2020-01",
            "error: --set scenario.start=2020-01: key `scenario.start`: the value `2020-01` is not TOML: expected \
             a number (3, 0.05, 650000), true or false, or text in double quotes (\"2020-01\")\n  \
             help: the shell removes quotes, so put the whole argument in single quotes: \
             --set 'scenario.start=\"2020-01\"'\n",
        ),
        (
            "staffing.hires[0].fte",
            "error: --set staffing.hires[0].fte: expected PATH=VALUE, a key of the scenario file and its new \
             value, e.g. staffing.hires[0].fte=3\n",
        ),
        (
            "staffing..fte=3",
            "error: --set staffing..fte=3: key `staffing..fte`: `staffing..fte` is not a key path: write the keys \
             joined by dots and an entry of a list by its number from 0 in brackets, e.g. staffing.hires[0].fte\n",
        ),
    ];
    for (setting, want) in cases {
        assert_eq!(fails(&["check", "base.toml", "--set", setting], dir.path()), want, "--set {setting}");
    }
}

/// A value of the wrong kind or outside its bounds gets the error the file would
/// give, against the `--set` argument; a problem with a distribution one of whose
/// keys is set names the argument too. Every argument that is not PATH=VALUE is
/// reported, and nothing is run.
#[test]
fn a_bad_value_gets_the_files_own_error_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_default(d, "base.toml", str::to_string);
    let err = fails(&["run", "base.toml", "--set", "staffing.hires[0].fte=\"3\"", "-o", "out"], d);
    assert_eq!(
        err,
        "error: --set staffing.hires[0].fte=\"3\": key `staffing.hires[0].fte`: invalid type: string \"3\", \
         expected f64\n"
    );
    assert!(!d.join("out").exists());
    // The same value written in the file: the same message, at the file's line.
    write_default(d, "string.toml", |t| t.replace("fte = 2\n", "fte = \"3\"\n"));
    let from_file = fails(&["check", "string.toml"], d);
    assert!(
        from_file.starts_with(
            "error: string.toml:239:7: key `staffing.hires.fte`: invalid type: string \"3\", expected f64"
        ),
        "{from_file}"
    );
    assert_eq!(
        fails(&["check", "base.toml", "--set", "staffing.caseload_ref=0"], d),
        "error: --set staffing.caseload_ref=0: key `staffing.caseload_ref`: expected a positive caseload \
         (citizens per FTE) in (0, 50,000,000], got 0\n"
    );
    assert_eq!(
        fails(&["check", "base.toml", "--set", "budget.staff_cost_per_fte_year.mode=600"], d),
        "error: --set budget.staff_cost_per_fte_year.mode=600: key `budget.staff_cost_per_fte_year`: triangular \
         needs min ≤ mode ≤ max and min < max, got 520000, 600, 700000\n"
    );
    // Every argument that is not PATH=VALUE is reported.
    let two = fails(&["check", "base.toml", "--set", "a", "--set", "b=abc"], d);
    assert!(
        two.contains("--set a: expected PATH=VALUE") && two.contains("--set b=abc: key `b`: the value `abc`"),
        "{two}"
    );
    // A mistake in the file itself is reported at its line, as without --set.
    write_default(d, "broken.toml", |t| t.replace("caseload_ref = 50", "caseload_rf = 50"));
    let err = fails(&["check", "broken.toml", "--set", "staffing.hires[0].fte=3"], d);
    assert!(err.starts_with("error: broken.toml:226:1: key `staffing.caseload_rf`: unknown key"), "{err}");
}

/// Parts run with different settings are different scenarios: merge refuses them. Parts
/// with the same settings merge into the files of a single run with those settings,
/// and the merged run.toml records them.
#[test]
fn parts_with_different_settings_do_not_merge() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_default(d, "base.toml", str::to_string);
    let part = |i: u32, setting: &str, out: &str| {
        let shard = format!("{i}/2");
        ok(&["run", "base.toml", "--shard", &shard, "-n", "20", "-q", "--set", setting, "-o", out], d)
    };
    part(1, "staffing.hires[0].fte=3", "p1");
    part(2, "staffing.hires[0].fte=3", "p2");
    part(2, "staffing.hires[0].fte=4", "q2");
    let err = fails(&["merge", "p1", "q2", "-o", "merged"], d);
    assert_eq!(
        err,
        "error: part q2 was run with --set staffing.hires[0].fte=4, but part p1 with --set \
         staffing.hires[0].fte=3; all parts of a run need the same --set values\n"
    );
    ok(&["merge", "p1", "p2", "-o", "merged"], d);
    ok(&["run", "base.toml", "-n", "20", "-q", "--set", "staffing.hires[0].fte=3", "-o", "single"], d);
    for f in csv_files(Engine::Count) {
        let read = |folder: &str| std::fs::read(d.join(folder).join(f)).unwrap();
        assert!(read("merged") == read("single"), "{f} differs between the merged parts and a single run");
    }
    let manifest = std::fs::read_to_string(d.join("merged/run.toml")).unwrap();
    assert!(manifest.contains("set = [\"staffing.hires[0].fte=3\"]"), "{manifest}");
}

/// A number given to a key that holds a distribution fixes the parameter at that
/// number: the same CSV files, byte for byte, as the file with the table replaced by
/// the number; a key inside the table still changes that key only. `trappe check
/// --sources` names the argument as where the figure comes from.
#[test]
fn a_number_in_place_of_a_distribution_fixes_the_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_default(d, "base.toml", str::to_string);
    let table = "elasticity = { dist = \"triangular\", min = 0.0, mode = 0.14, max = 0.38, source = \"E-LOAD-6\", grade = \"EST\" }";
    write_default(d, "fixed.toml", |t| {
        assert_eq!(t.matches(table).count(), 1, "{table}");
        t.replace(table, "elasticity = 0")
    });
    ok(&["run", "base.toml", "--set", "staffing.elasticity=0", "-n", "30", "-q", "-o", "by_set"], d);
    ok(&["run", "fixed.toml", "-n", "30", "-q", "-o", "by_file"], d);
    ok(&["run", "base.toml", "-n", "30", "-q", "-o", "as_written"], d);
    let read = |folder: &str, f: &str| std::fs::read(d.join(folder).join(f)).unwrap();
    for f in csv_files(Engine::Count) {
        assert!(read("by_set", f) == read("by_file", f), "{f} differs between --set and the edited file");
    }
    assert!(
        read("by_set", "summary.csv") != read("as_written", "summary.csv"),
        "the setting changed nothing"
    );
    let manifest = std::fs::read_to_string(d.join("by_set/run.toml")).unwrap();
    assert!(manifest.contains("set = [\"staffing.elasticity=0\"]"), "{manifest}");
    // The parameter is no longer drawn: replications.csv has no column of its draws.
    let header = |folder: &str| {
        let text = String::from_utf8(read(folder, "replications.csv")).unwrap();
        text.lines().next().unwrap().split(',').any(|h| h == "param:staffing.elasticity")
    };
    assert!(header("as_written") && !header("by_set"));
    let sources = ok(&["check", "base.toml", "--sources", "--set", "staffing.elasticity=0"], d);
    let row = sources.lines().find(|l| l.trim_start().starts_with("staffing.elasticity ")).unwrap();
    assert!(row.trim_end().ends_with("--set staffing.elasticity=0"), "{row}");
    assert!(row.contains(" 0 "), "{row}");
    // A key inside the table changes that key and keeps the table's source.
    let sources = ok(&["check", "base.toml", "--sources", "--set", "staffing.elasticity.mode=0.2"], d);
    let row = sources.lines().find(|l| l.trim_start().starts_with("staffing.elasticity ")).unwrap();
    assert!(
        row.contains("triangular")
            && row.trim_end().ends_with("E-LOAD-6; --set staffing.elasticity.mode=0.2"),
        "{row}"
    );
}

/// A value in place of a distribution is checked as the file would check it: a value
/// that is not a number, and a number outside the parameter's bounds, get the file's own
/// message against the `--set` argument; a key that the format takes only as a table is
/// refused; a misspelt key gets the nearest valid one.
#[test]
fn a_value_in_place_of_a_distribution_gets_the_files_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_default(d, "base.toml", str::to_string);
    let expected = "expected a number, a distribution table such as { dist = \"beta\", mean = 0.05, sd = 0.01 }, or a \
                    fixed value as a table such as { value = 0.05, source = \"E-FLOW-4\" }";
    assert_eq!(
        fails(&["check", "base.toml", "--set", "staffing.elasticity=true"], d),
        format!(
            "error: --set staffing.elasticity=true: key `staffing.elasticity`: invalid type: boolean `true`, {expected}\n"
        )
    );
    assert_eq!(
        fails(&["check", "base.toml", "--set", "staffing.elasticity=\"0\""], d),
        format!(
            "error: --set staffing.elasticity=\"0\": key `staffing.elasticity`: invalid type: string \"0\", {expected}\n"
        )
    );
    // The same value in the file: the same message, at the file's line.
    let table = "elasticity = { dist = \"triangular\", min = 0.0, mode = 0.14";
    write_default(d, "true.toml", |t| {
        let at = t.find(table).unwrap();
        let end = at + t[at..].find('\n').unwrap();
        format!("{}elasticity = true{}", &t[..at], &t[end..])
    });
    let from_file = fails(&["check", "true.toml"], d);
    assert!(
        from_file.starts_with("error: true.toml:")
            && from_file
                .contains(&format!("key `staffing.elasticity`: invalid type: boolean `true`, {expected}")),
        "{from_file}"
    );
    // Out of the parameter's bounds.
    let p = fails(&["check", "base.toml", "--set", "transitions[0].probability=1.5"], d);
    assert_eq!(
        p,
        "error: --set transitions[0].probability=1.5: key `transitions[0].probability`: expected a monthly \
         probability in [0, 1), but got 1.5; a monthly probability of leaving must be below 1 (write e.g. 0.99)\n"
    );
    // Misspelt.
    assert_eq!(
        fails(&["check", "base.toml", "--set", "staffing.elasticty=0"], d),
        "error: --set staffing.elasticty=0: key `staffing.elasticty`: unknown key `elasticty`, expected one of \
         `baseline_fte`, `caseload_ref`, `elasticity`, `multiplier_min`, `multiplier_max`, `hires`, `capacity`\n  \
         help: did you mean `staffing.elasticity`?\n"
    );
}

/// The words of a shell command line: split at spaces, with single-quoted text kept whole.
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '\'' => (quoted, any) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => (word, any) = (word + &c.to_string(), true),
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// Every `trappe check` or `trappe run` of a shipped scenario with `--set` in
/// docs/what-if.md's shell examples is valid: `trappe check` of the scenario with its
/// settings passes.
#[test]
fn the_what_if_examples_on_shipped_scenarios_are_valid() {
    let doc = std::fs::read_to_string(repo().join("docs/what-if.md")).unwrap();
    let (mut in_sh, mut command, mut checked) = (false, String::new(), 0);
    for line in doc.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        command += line.trim_end().trim_end_matches('\\');
        command.push(' ');
        if line.trim_end().ends_with('\\') {
            continue;
        }
        let words = shell_words(&std::mem::take(&mut command));
        let Some(scenario) = words.get(2).filter(|s| s.starts_with("scenarios/")) else { continue };
        let mut args = vec!["check".to_string(), scenario.clone()];
        for pair in words.windows(2).filter(|w| w[0] == "--set") {
            args.extend(["--set".to_string(), pair[1].clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = ok(&args, &repo());
        assert!(out.trim_end().ends_with("the scenario is valid."), "{args:?}: {out}");
        checked += 1;
    }
    assert!(checked >= 4, "{checked} commands checked");
}
