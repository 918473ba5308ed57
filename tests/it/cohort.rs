//! The cohort file (docs/scenario-format.md, `[cohort]`): a person-level extract that
//! reproduces a scenario written with segments exactly, errors that name the file,
//! line, column and nearest valid value, and a waiting list present at the start.

use crate::common::*;
use std::path::Path;
use trappe::simulation::driver::Engine;

/// The default scenario with its two segments' starting citizens moved into a cohort
/// file: the segments keep benefit type and inflow; the file gives 60 + 90 providers
/// and 140 + 210 others in step0 + step1, all 36 months on benefit, rows shuffled.
fn default_as_cohort(dir: &Path) -> String {
    let text = default_text();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("size = ")
            || line.starts_with("start_states = ")
            || line.starts_with("months_on_benefit = ")
        {
            continue;
        }
        if line == "[staffing]" {
            out.push_str("[cohort]\nfile = \"caseload.csv\"\n\n");
        }
        out.push_str(line);
        out.push('\n');
    }
    let mut rows = Vec::new();
    for (seg, bt, n0, n1) in
        [("providers", "kh_30plus_provider", 60, 90), ("others", "kh_30plus_other", 140, 210)]
    {
        rows.extend((0..n0).map(|i| (i * 7919 % 503, format!("{seg},step0,36,{bt}"))));
        rows.extend((0..n1).map(|i| ((i * 6007 + 11) % 509, format!("{seg},step1,36,{bt}"))));
    }
    rows.sort(); // a fixed order unlike the segments' own
    let csv: String = std::iter::once("segment,state,months_on_benefit,benefit_type".to_string())
        .chain(rows.into_iter().map(|r| r.1))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("caseload.csv"), csv + "\n").unwrap();
    out
}

/// Runs `scenario` (a file in `dir`) with `engine` into `dir/out`, 12 replications with
/// 6 sampled paths for the individual engine; returns the CSV files' bytes.
fn run_csvs(dir: &Path, scenario: &str, out: &str, engine: Engine) -> Vec<(String, Vec<u8>)> {
    let mut args = vec!["run", scenario, "-n", "12", "--out", out, "--engine", engine.name()];
    if engine == Engine::Individual {
        args.extend(["--trajectories", "6"]);
    }
    let o = trappe(&args, dir);
    assert!(o.status.success(), "{}", texts(&o).1);
    csv_files(engine).iter().map(|f| (f.to_string(), std::fs::read(dir.join(out).join(f)).unwrap())).collect()
}

#[test]
fn a_cohort_file_reproduces_the_segments_it_replaces_in_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("segments.toml"), default_text()).unwrap();
    std::fs::write(dir.path().join("cohort.toml"), default_as_cohort(dir.path())).unwrap();
    for engine in [Engine::Count, Engine::Individual] {
        let a = run_csvs(dir.path(), "segments.toml", &format!("a-{}", engine.name()), engine);
        let b = run_csvs(dir.path(), "cohort.toml", &format!("b-{}", engine.name()), engine);
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            assert!(x == y, "{name} differs with the {} engine", engine.name());
        }
    }
}

#[test]
fn run_toml_records_the_cohort_file_and_its_resolved_scenario_runs_without_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cohort.toml"), default_as_cohort(dir.path())).unwrap();
    let a = run_csvs(dir.path(), "cohort.toml", "a", Engine::Count);
    let run: toml::Table = std::fs::read_to_string(dir.path().join("a/run.toml")).unwrap().parse().unwrap();
    let csv = std::fs::read(dir.path().join("caseload.csv")).unwrap();
    assert_eq!(run["cohort_sha256"].as_str().unwrap(), trappe::input::checksum::sha256_bytes_hex(&csv));
    assert!(run["cohort_path"].as_str().unwrap().ends_with("caseload.csv"));
    let resolved = run["scenario_resolved"].as_table().unwrap();
    assert!(!resolved.contains_key("cohort"), "the resolved scenario holds the citizens itself");
    // Moved away from the cohort file, the resolved scenario gives the same results.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("resolved.toml"), toml::to_string(resolved).unwrap()).unwrap();
    let b = run_csvs(other.path(), "resolved.toml", "b", Engine::Count);
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs when run from scenario_resolved");
    }
}

/// A small scenario on the test staircase with a cohort file; `a -> b` is a placement of
/// 5 hours; `capacity_hours` placement hours a month (1 FTE, share 1).
fn small(capacity_hours: f64, segment_extra: &str) -> String {
    scenario(
        &format!(
            r#"{SMALL_STAIRCASE_STATES}
[[transitions]]
from = "a"
to = "b"
probability = 0
hours = 5
[[transitions]]
from = "b"
to = "job"
probability = 0.1

[cohort]
file = "caseload.csv"

[[segments]]
name = "first"
benefit_type = "kh"
{segment_extra}

[staffing]
baseline_fte = 1
caseload_ref = 50

[staffing.capacity]
placement_fte = 1
hours_per_fte_month = {capacity_hours}
placement_share = 1
"#
        ),
        6,
        3,
        "staff_cost_per_fte_year = 600000\n[budget.reimbursement]\nregime = \"none\"\n",
    )
}

/// The error for `csv` as the cohort file of `toml`, both written to a folder.
fn cohort_error(toml: &str, csv: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), toml).unwrap();
    std::fs::write(dir.path().join("caseload.csv"), csv).unwrap();
    let o = trappe(&["check", "s.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", texts(&o).0);
    texts(&o).1
}

const HEADER: &str = "segment,state,months_on_benefit,benefit_type\n";

#[test]
fn unknown_segment_state_and_benefit_type_are_named_with_the_nearest() {
    let csv = format!("{HEADER}first,a,3,kh\nfirts,a,3,kh\nfirst,jbo,3,kh\nfirst,a,3,kj\n");
    let e = cohort_error(&small(100.0, ""), csv.as_bytes());
    assert!(e.contains("caseload.csv:3: column 1 (`segment`): no segment `firts` in the scenario"), "{e}");
    assert!(e.contains("help: did you mean `first`?"), "{e}");
    assert!(e.contains("caseload.csv:4: column 2 (`state`): no state `jbo`"), "{e}");
    assert!(e.contains("help: did you mean `job`?"), "{e}");
    assert!(e.contains("caseload.csv:5: column 4 (`benefit_type`): no benefit type `kj`"), "{e}");
    assert!(e.contains("help: did you mean `kh`?"), "{e}");
    assert!(e.contains("3 problems"), "{e}");
}

#[test]
fn months_that_are_not_whole_numbers_are_refused() {
    let csv = format!("{HEADER}first,a,12.5,kh\nfirst,a,seks,kh\nfirst,a,-1,kh\n");
    let e = cohort_error(&small(100.0, ""), csv.as_bytes());
    assert!(
        e.contains(
            "caseload.csv:2: column 3 (`months_on_benefit`): expected a whole number of months, 0 or more, got `12.5`"
        ),
        "{e}"
    );
    assert!(e.contains("caseload.csv:3: column 3 (`months_on_benefit`)"), "{e}");
    assert!(e.contains("got `-1`"), "{e}");
}

#[test]
fn a_missing_column_an_unknown_column_and_an_empty_file_are_refused() {
    let e = cohort_error(&small(100.0, ""), b"segment,state,benefit_type\nfirst,a,kh\n");
    assert!(e.contains("caseload.csv:1: missing column `months_on_benefit`"), "{e}");
    let e = cohort_error(&small(100.0, ""), b"segment,state,months_on_benefit,benefit_typ\nfirst,a,1,kh\n");
    assert!(e.contains("column 4 (`benefit_typ`): unknown column"), "{e}");
    assert!(e.contains("did you mean `benefit_type`?"), "{e}");
    let e = cohort_error(&small(100.0, ""), b"");
    assert!(e.contains("caseload.csv: the file is empty; expected a header row"), "{e}");
    let e = cohort_error(&small(100.0, ""), HEADER.as_bytes());
    assert!(e.contains("no citizens: the file has a header but no rows"), "{e}");
}

#[test]
fn a_semicolon_separated_file_gets_a_hint() {
    let e = cohort_error(&small(100.0, ""), b"segment;state;months_on_benefit;benefit_type\nfirst;a;3;kh\n");
    assert!(e.contains("the file is separated by `;`, not `,`"), "{e}");
    assert!(e.contains("Danish settings"), "{e}");
}

#[test]
fn a_byte_order_mark_at_the_start_is_read_as_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), small(100.0, "")).unwrap();
    std::fs::write(dir.path().join("caseload.csv"), format!("\u{feff}{HEADER}first,a,3,kh\n")).unwrap();
    let o = trappe(&["check", "s.toml"], dir.path());
    assert!(o.status.success(), "{}", texts(&o).1);
    assert!(texts(&o).0.contains("1 citizens at start"), "{}", texts(&o).0);
}

#[test]
fn a_segment_gives_its_start_in_one_place_only() {
    // Rows for a segment that has its own start state.
    let toml = small(100.0, "start_state = \"a\"\nsize = 3");
    let e = cohort_error(&toml, format!("{HEADER}first,a,3,kh\n").as_bytes());
    assert!(
        e.contains("segment `first` gives its citizens at the start in the scenario (`start_state`)"),
        "{e}"
    );
    // `months_on_benefit` on a segment whose citizens come from the file.
    let e =
        cohort_error(&small(100.0, "months_on_benefit = 4"), format!("{HEADER}first,a,3,kh\n").as_bytes());
    assert!(e.contains("key `segments[0].months_on_benefit`: segment `first` gets its citizens"), "{e}");
    assert!(e.contains("remove `months_on_benefit`"), "{e}");
    // A row whose benefit type is not its segment's.
    let toml = small(100.0, "").replace(
        "[budget.benefit_rates.kh]",
        "[budget.benefit_rates.uyd]\nrates = { 2016 = 9000 }\n[budget.benefit_rates.kh]",
    );
    let e = cohort_error(&toml, format!("{HEADER}first,a,3,uyd\n").as_bytes());
    assert!(e.contains("segment `first` has benefit type `kh` in the scenario, this row says `uyd`"), "{e}");
}

#[test]
fn waiting_for_must_be_a_placement_out_of_the_citizens_state() {
    let header = "segment,state,months_on_benefit,benefit_type,waiting_for\n";
    let e =
        cohort_error(&small(100.0, ""), format!("{header}first,b,3,kh,a->b\nfirst,a,3,kh,a->c\n").as_bytes());
    assert!(e.contains("caseload.csv:2: column 5 (`waiting_for`): transition `a->b` leaves from `a`, but this citizen is in `b`"), "{e}");
    assert!(e.contains("caseload.csv:3: column 5 (`waiting_for`): no transition `a->c`"), "{e}");
    assert!(e.contains("did you mean `a->b`?"), "{e}");
    let e = cohort_error(&small(100.0, ""), format!("{header}first,b,3,kh,b->job\n").as_bytes());
    assert!(e.contains("transition `b->job` has no `hours`, so nobody waits for it"), "{e}");
}

/// Runs `toml` with 10 citizens in `a` waiting for `a -> b` at the start; returns the
/// monthly mean of `metric` in the scenario arm per month 0..=6, for both engines.
fn waiting_run(toml: &str, metric: &str) -> Vec<Vec<f64>> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), toml).unwrap();
    let rows: String = (0..10).map(|_| "first,a,3,kh,a->b\n").collect();
    std::fs::write(
        dir.path().join("caseload.csv"),
        format!("segment,state,months_on_benefit,benefit_type,waiting_for\n{rows}"),
    )
    .unwrap();
    [Engine::Count, Engine::Individual]
        .iter()
        .map(|e| {
            let out = format!("out-{}", e.name());
            let o = trappe(&["run", "s.toml", "--out", &out, "--engine", e.name()], dir.path());
            assert!(o.status.success(), "{}", texts(&o).1);
            let monthly = std::fs::read_to_string(dir.path().join(&out).join("monthly.csv")).unwrap();
            monthly
                .lines()
                .filter(|l| l.split(',').nth(2) == Some("scenario") && l.split(',').nth(3) == Some(metric))
                .map(|l| l.split(',').nth(5).unwrap().parse::<f64>().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn with_ample_hours_the_waiting_list_at_the_start_empties_in_month_1() {
    // 100 hours a month, 5 hours a placement: 20 placements, 10 waiting.
    for per_engine in waiting_run(&small(100.0, ""), "waiting_list") {
        assert_eq!(per_engine, vec![10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    }
    for per_engine in waiting_run(&small(100.0, ""), "occupancy:a") {
        assert_eq!(per_engine, vec![10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    }
    // 12 hours a month: 2 placements a month, first come first served.
    for per_engine in waiting_run(&small(12.0, ""), "waiting_list") {
        assert_eq!(per_engine, vec![10.0, 8.0, 6.0, 4.0, 2.0, 0.0, 0.0]);
    }
}

#[test]
fn with_too_few_hours_for_one_placement_nobody_leaves_the_waiting_list() {
    // 4 hours a month, 5 hours a placement: none is ever made.
    for per_engine in waiting_run(&small(4.0, ""), "waiting_list") {
        assert_eq!(per_engine, vec![10.0; 7]);
    }
    for per_engine in waiting_run(&small(4.0, ""), "occupancy:b") {
        assert_eq!(per_engine, vec![0.0; 7]);
    }
}

#[test]
fn the_shipped_example_checks_and_runs_in_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let scen = repo().join("scenarios/cohort/example-caseload.toml");
    let o = trappe(&["check", scen.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", texts(&o).1);
    assert!(texts(&o).0.contains("Cohort: 500 citizens at start"), "{}", texts(&o).0);
    for e in [Engine::Count, Engine::Individual] {
        let o = trappe(
            &["run", scen.to_str().unwrap(), "-n", "4", "--out", e.name(), "--engine", e.name()],
            dir.path(),
        );
        assert!(o.status.success(), "{}", texts(&o).1);
        let monthly = std::fs::read_to_string(dir.path().join(e.name()).join("monthly.csv")).unwrap();
        assert!(monthly.contains("0,2023-12,scenario,waiting_list,citizens,40,"), "{}", e.name());
    }
}

#[test]
fn citizens_written_in_a_segment_are_checked_like_the_file() {
    let toml = small(100.0, "")
        .replace("[cohort]\nfile = \"caseload.csv\"\n", "")
        .replace(
            "benefit_type = \"kh\"\n",
            "benefit_type = \"kh\"\nsize = 5\ncitizens = [{ state = \"jbo\", count = 2 }, { state = \"a\", count = 1, waiting_for = \"a->bb\" }]\n",
        );
    let e = error(&toml);
    assert!(
        e.contains("key `segments[0].size`: segment `first` gets its citizens at the start from `citizens`"),
        "{e}"
    );
    assert!(e.contains("key `segments[0].citizens[0].state`: no state `jbo`"), "{e}");
    assert!(e.contains("key `segments[0].citizens[1].waiting_for`: no transition `a->bb`"), "{e}");
    assert!(e.contains("did you mean `a->b`?"), "{e}");
}

/// `trappe check` describes a cohort file's segments by the range of their months on
/// benefit and how many of them wait for a placement at the start.
#[test]
fn check_describes_the_cohort_files_citizens() {
    let f = repo().join("scenarios/cohort/example-caseload.toml");
    let out = trappe(&["check", f.to_str().unwrap()], &repo());
    let (text, err) = texts(&out);
    assert!(out.status.success(), "{err}");
    let providers = text.lines().find(|l| l.trim_start().starts_with("providers")).expect(&text);
    assert!(providers.ends_with("1-121 months on benefit before start"), "{providers}");
    assert!(text.contains("25 of them on the waiting list for a placement at the start"), "{text}");
}

/// The parts of a run record the cohort file's checksum: `trappe merge` combines them
/// while the file is unchanged, and refuses once it has changed, since the merged
/// summary would describe another cohort than the one simulated.
#[test]
fn merge_refuses_a_cohort_file_changed_since_the_parts_were_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["example-caseload.toml", "example-caseload.csv"] {
        std::fs::copy(repo().join("scenarios/cohort").join(name), d.join(name)).unwrap();
    }
    for i in 1..=2 {
        let shard = format!("{i}/2");
        let out = format!("p{i}");
        let o =
            trappe(&["run", "example-caseload.toml", "-n", "4", "-q", "--shard", &shard, "--out", &out], d);
        assert!(o.status.success(), "{}", texts(&o).1);
    }
    let o = trappe(&["merge", "p1", "p2", "--out", "merged"], d);
    assert!(o.status.success(), "{}", texts(&o).1);

    let csv = d.join("example-caseload.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let last = text.trim_end().lines().last().unwrap().to_string();
    std::fs::write(&csv, format!("{}\n{last}\n", text.trim_end())).unwrap();
    let o = trappe(&["merge", "p1", "p2", "--out", "merged2"], d);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("has changed since the part was run"), "{err}");
    assert!(!d.join("merged2").exists());
}
