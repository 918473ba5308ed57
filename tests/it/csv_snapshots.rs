//! The result files as users get them: for a small fixed scenario, the header, first
//! and last rows of every CSV file, and the kinds of row each long file holds, are
//! pinned in `tests/it/snapshots/`. A change of column, row kind, unit, format or
//! number for a fixed seed fails here with a diff.
//!
//! A deliberate change is accepted by writing the snapshots anew and committing them
//! with the change: `INSTA_UPDATE=always cargo test --release --test it csv_snapshots`
//! (or `cargo insta review`, with `cargo install cargo-insta`). With `CI` set, as in
//! CI, a missing or differing snapshot fails and nothing is written.

use crate::common::*;

/// A small scenario that touches every kind of output: four states (one activation,
/// one employed), a placement transition with consultant hours, a hire funded by a
/// grant, the 2016 reimbursement bands, two segments and a target; 40 citizens over
/// 6 months.
const SNAPSHOT_SCENARIO: &str = r#"
[scenario]
name = "Snapshot"
start = "2024-01"
horizon_months = 6

[simulation]
replications = 3
seed = 2024

[[states]]
id = "benefit"
pays_benefit = true
[[states]]
id = "course"
pays_benefit = true
activation = true
activity_cost = 2000
[[states]]
id = "job"
self_supporting = true
employed = true
[[states]]
id = "gone"

[[transitions]]
from = "benefit"
to = "course"
probability = { dist = "beta", mean = 0.2, sd = 0.05 }
staffing_sensitive = true
hours = 4
[[transitions]]
from = "course"
to = "job"
probability = 0.15
one_off_cost = 1000
[[transitions]]
from = "job"
to = "benefit"
probability = 0.05
[[transitions]]
from = "benefit"
to = "gone"
probability = 0.02

[[segments]]
name = "young"
size = 15
start_state = "benefit"
benefit_type = "kh"
[[segments]]
name = "older"
size = 25
start_state = "benefit"
benefit_type = "kh"
months_on_benefit = 10
inflow_per_month = 1

[staffing]
baseline_fte = 1
caseload_ref = 40
elasticity = { dist = "uniform", min = 0.1, max = 0.3 }

[staffing.capacity]
placement_fte = 1
hours_per_fte_month = 20
placement_share = 0.5

[[staffing.hires]]
name = "consultant"
fte = 1
start = "2024-02"
funded_by = "pool"

[[grants]]
name = "pool"
amounts = { 2024 = 200000 }

[budget]
staff_cost_per_fte_year = 600000

[budget.benefit_rates.kh]
rates = { 2024 = 12000 }

[budget.reimbursement]
regime = "2016"

[[targets]]
name = "A fifth self-supporting"
metric = "self_supporting_share"
month = 6
at_least = 0.2
"#;

/// Data rows pinned at each end of a file.
const ROWS: usize = 6;

/// The pinned part of one CSV file: its header, its first and last [`ROWS`] rows, and,
/// for a long file (a `metric` or `item` column), each kind of row in order of first
/// appearance with its unit.
fn pinned(csv: &str) -> String {
    let lines: Vec<&str> = csv.lines().collect();
    let (header, rows) = lines.split_first().expect("a header line");
    let mut out = format!("{header}\n");
    let last = rows.len().saturating_sub(ROWS).max(ROWS);
    for line in &rows[..ROWS.min(rows.len())] {
        out += line;
        out += "\n";
    }
    out += &format!("... {} rows in all ...\n", rows.len());
    for line in &rows[last.min(rows.len())..] {
        out += line;
        out += "\n";
    }
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let names: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let kind = names.iter().position(|n| n == "metric" || n == "item" || n == "measure");
    let unit = names.iter().position(|n| n == "unit");
    if let Some(k) = kind {
        let mut kinds: Vec<String> = Vec::new();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            let this = match unit {
                Some(u) => format!("{},{}", &rec[k], &rec[u]),
                None => rec[k].to_string(),
            };
            if !kinds.contains(&this) {
                kinds.push(this);
            }
        }
        out += &format!(
            "\n{} kinds of row ({}{}):\n",
            kinds.len(),
            names[k],
            if unit.is_some() { ",unit" } else { "" }
        );
        for k in kinds {
            out += &k;
            out += "\n";
        }
    }
    out
}

/// Runs the snapshot scenario with `engine` and pins each of its CSV files.
fn csv_files_are_pinned(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("snapshot.toml"), SNAPSHOT_SCENARIO).unwrap();
    let paths: &[&str] = match engine {
        Engine::Individual => &["--trajectories", "3"],
        Engine::Count => &[],
    };
    let args = [&["run", "snapshot.toml", "--out", "res", "-q"][..], &engine_args(engine), paths].concat();
    let o = trappe(&args, dir.path());
    assert!(o.status.success(), "{engine} engine: {}", texts(&o).1);
    for file in csv_files(engine) {
        let text = std::fs::read_to_string(dir.path().join("res").join(file)).unwrap();
        let name = format!("{engine}_{}", file.trim_end_matches(".csv"));
        insta::with_settings!({
            prepend_module_to_snapshot => false,
            description => format!(
                "{file} of the snapshot scenario in tests/it/csv_snapshots.rs, {engine} engine: header, \
                 first and last {ROWS} rows, kinds of row. Accept a deliberate change with \
                 INSTA_UPDATE=always cargo test --release --test it csv_snapshots"
            ),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, pinned(&text));
        });
    }
}

test_both_engines!(csv_files_are_pinned);

/// `trappe compare` of the snapshot scenario and a variant with 2 FTE more, pinned as
/// `run`'s files are.
#[test]
fn compare_files_are_pinned() {
    let dir = tempfile::tempdir().unwrap();
    assert!(SNAPSHOT_SCENARIO.contains("\nfte = 1\n"));
    std::fs::write(dir.path().join("one.toml"), SNAPSHOT_SCENARIO).unwrap();
    std::fs::write(dir.path().join("three.toml"), SNAPSHOT_SCENARIO.replace("\nfte = 1\n", "\nfte = 3\n"))
        .unwrap();
    let o = trappe(
        &["compare", "three.toml", "one.toml", "-n", "4", "--inner", "2", "--out", "res", "-q"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    for file in [
        "compare.csv",
        "compare_options.csv",
        "compare_budget_years.csv",
        "compare_acceptability.csv",
        "compare_value_of_information.csv",
    ] {
        let text = std::fs::read_to_string(dir.path().join("res").join(file)).unwrap();
        insta::with_settings!({
            prepend_module_to_snapshot => false,
            description => format!(
                "{file} of `trappe compare` of the snapshot scenario in tests/it/csv_snapshots.rs with \
                 1 and 3 FTE: header, first and last {ROWS} rows, kinds of row. Accept a deliberate \
                 change with INSTA_UPDATE=always cargo test --release --test it csv_snapshots"
            ),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(file.trim_end_matches(".csv"), pinned(&text));
        });
    }
}

/// `trappe sensitivity` of the snapshot scenario, with a threshold and a grid, pinned as
/// `run`'s files are.
#[test]
fn sensitivity_files_are_pinned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("snapshot.toml"), SNAPSHOT_SCENARIO).unwrap();
    let args = [
        "sensitivity",
        "snapshot.toml",
        "-n",
        "4",
        "--inner",
        "2",
        "--level-replications",
        "4",
        "--threshold",
        "--grid",
        "staffing.elasticity",
        "staffing.hires[0].fte=1..2:1",
        "--out",
        "res",
        "-q",
    ];
    let o = trappe(&args, dir.path());
    assert!(o.status.success(), "{}", texts(&o).1);
    for file in [
        "sensitivity.csv",
        "sensitivity_acceptability.csv",
        "sensitivity_value_of_information.csv",
        "sensitivity_threshold.csv",
        "sensitivity_threshold_scan.csv",
        "sensitivity_grid.csv",
    ] {
        let text = std::fs::read_to_string(dir.path().join("res").join(file)).unwrap();
        insta::with_settings!({
            prepend_module_to_snapshot => false,
            description => format!(
                "{file} of `trappe sensitivity` of the snapshot scenario in tests/it/csv_snapshots.rs with \
                 a threshold and a grid: header, first and last {ROWS} rows, kinds of row. Accept a deliberate \
                 change with INSTA_UPDATE=always cargo test --release --test it csv_snapshots"
            ),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(file.trim_end_matches(".csv"), pinned(&text));
        });
    }
}
