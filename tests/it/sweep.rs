//! `trappe sweep`: every level is the run of the scenario with the level's value, on the
//! same cohorts and random numbers, so a lever that cannot change outcomes gives exactly
//! flat outcome effects and a staff cost that moves in exact steps; a level's figures
//! are those of `trappe run --set` byte for byte; threads change nothing; a grid has a
//! row per cell; `sweep.csv` is pinned and documented; bad `--vary` arguments are
//! refused with exact messages before anything is simulated.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::Path;
use trappe::analysis::sweep::Measure;
use trappe::input::vary::Vary;
use trappe::report::sweep::sweep_header;

/// 400 citizens on benefit who leave for a job at a staffing-sensitive 4 % a month, 8
/// caseworkers at a reference caseload of 50, staffing elasticity `elasticity`, no
/// placement capacity, and a hire (or cut) of 2 FTE for all of 2016 paid by the
/// municipality at 600,000 DKK a year; one target.
fn case(elasticity: f64) -> String {
    let body = format!(
        r#"{}
[staffing]
baseline_fte = 8
caseload_ref = 50
elasticity = {elasticity}
[[staffing.hires]]
name = "change"
fte = 2
start = "2016-01"

[[targets]]
name = "A third in a job"
metric = "employment_share"
month = 12
at_least = 0.33
"#,
        benefit_to_job(r#"{ dist = "beta", mean = 0.04, sd = 0.01 }"#)
    );
    scenario(&body, 12, 40, &format!("staff_cost_per_fte_year = 600000\n{NO_REFUND}"))
}

/// The rows of a CSV file as maps from column name to cell.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

/// Without caseload feedback (elasticity 0) and without a capacity limit, the staff a
/// level adds or cuts cannot move a citizen: at every level, from a cut of 2 FTE to a
/// hire of 4, every effect on outcomes and benefits is exactly 0 in every statistic,
/// the scenario arm's outcomes are the same, and the staff cost moves by exactly
/// 600,000 DKK a step, so the marginal net effect is exactly −600,000 with no width.
fn a_lever_without_feedback_is_exactly_flat(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("flat.toml"), case(0.0)).unwrap();
    let vary = "staffing.hires[0].fte=-2..4:1";
    ok(
        &["sweep", "flat.toml", "--vary", vary, "--inner", "4", "-q", "-o", "out", "--engine", engine.name()],
        d,
    );
    let rows = rows(&d.join("out/sweep.csv"));
    assert_eq!(rows.len(), 7, "{engine} engine");
    for (i, row) in rows.iter().enumerate() {
        let fte = i as f64 - 2.0;
        assert_eq!(row["staffing.hires[0].fte"], format!("{fte}"));
        for (name, cell) in row {
            let flat = ["extra_self_supporting", "extra_employed", "net_benefit_saving"]
                .iter()
                .any(|m| name.starts_with(m) || name.starts_with(&format!("marginal_{m}")));
            if flat && !(i == 0 && name.starts_with("marginal_")) {
                assert_eq!(cell, "0", "{engine} engine, fte {fte}: {name}");
            }
            if name.starts_with("self_supporting_share") || name.starts_with("employment_share") {
                assert_eq!(cell, &rows[0][name], "{engine} engine, fte {fte}: {name}");
            }
        }
        // Written as the CSV files write numbers: 0, never -0.
        let number = |v: f64| if v == 0.0 { "0".to_string() } else { format!("{v}") };
        let cost = number(600_000.0 * fte);
        for stat in ["", "_p05", "_p95", "_expected_p05", "_expected_p95"] {
            assert_eq!(row[&format!("extra_staff_cost{stat}")], cost, "{engine} engine, fte {fte}");
        }
        assert_eq!(row["net_municipal_effect"], number(-600_000.0 * fte), "{engine} engine");
        let saves = if fte < 0.0 { "1" } else { "0" };
        assert_eq!(row["probability_cohort_saves"], saves, "{engine} engine, fte {fte}");
        if i > 0 {
            for stat in ["", "_p05", "_p95"] {
                assert_eq!(
                    row[&format!("marginal_net_municipal_effect{stat}")],
                    "-600000",
                    "{engine} engine"
                );
            }
        }
    }
}

test_both_engines!(a_lever_without_feedback_is_exactly_flat);

/// The sweep.csv column of a measure's statistic and where `summary.csv` has the same
/// figure: its section, metric, arm and statistic.
fn same_figure_in_summary(column: &str) -> Option<(String, &'static str, &'static str)> {
    let place = |m: Measure| match m {
        Measure::SelfSupportingShare | Measure::EmploymentShare => ("outcome", "scenario"),
        Measure::ExtraStaffCost => ("outcome", "difference"),
        _ => ("effect", "effect"),
    };
    for m in Measure::ALL {
        for (suffix, stat) in [
            ("", "mean"),
            ("_p05", "p05"),
            ("_p95", "p95"),
            ("_expected_p05", "expected_p05"),
            ("_expected_p95", "expected_p95"),
            ("_chance_sd", "chance_sd"),
        ] {
            if column == format!("{}{suffix}", m.name()) {
                let (section, arm) = place(m);
                return Some((format!("{section},{}", m.name()), arm, stat));
            }
        }
    }
    match column {
        "probability_cohort_saves" => Some(("effect,net_effect_positive".into(), "effect", "mean")),
        "target_1_probability" | "target_2_probability" => {
            Some((format!("target,{column}"), "scenario", "mean"))
        }
        _ => None,
    }
}

/// A level of a sweep is the run of the scenario with `--set PATH=LEVEL` on the same
/// seed and replications: every figure sweep.csv shares with summary.csv is the same
/// text, byte for byte (the default scenario, 10 draws of 5 cohorts, with a --set).
#[test]
fn a_level_is_the_run_with_its_value_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("base.toml"), default_text()).unwrap();
    let common = ["-n", "50", "--inner", "5", "-q", "--set", "staffing.baseline_fte=12"];
    ok(
        &[&["sweep", "base.toml", "--vary", "staffing.hires[0].fte=1..3:1", "-o", "sweep"][..], &common]
            .concat(),
        d,
    );
    let sweep = rows(&d.join("sweep/sweep.csv"));
    for (i, level) in ["1", "2", "3"].iter().enumerate() {
        let set = format!("staffing.hires[0].fte={level}");
        let out = format!("run{level}");
        ok(&[&["run", "base.toml", "--set", &set, "-o", &out][..], &common].concat(), d);
        let summary = rows(&d.join(&out).join("summary.csv"));
        let mut compared = 0;
        for (column, cell) in &sweep[i] {
            let Some((metric, arm, stat)) = same_figure_in_summary(column) else { continue };
            let row = summary
                .iter()
                .find(|r| format!("{},{}", r["section"], r["metric"]) == metric && r["arm"] == arm)
                .unwrap_or_else(|| panic!("{metric} {arm} in summary.csv"));
            assert_eq!(cell, &row[stat], "level {level}: {column} against summary.csv {metric} {arm} {stat}");
            compared += 1;
        }
        assert_eq!(compared, Measure::ALL.len() * 6 + 3, "level {level}");
    }
}

/// The same sweep on 1 and 2 worker threads writes the same sweep.csv and prints the
/// same summary, byte for byte.
#[test]
fn threads_do_not_change_a_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("base.toml"), default_text()).unwrap();
    let run = |threads: &str| {
        let out = format!("j{threads}");
        let args =
            ["sweep", "base.toml", "--vary", "staffing.hires[0].fte=0..2:1", "-n", "40", "--inner", "4"];
        let printed = ok(&[&args[..], &["-q", "-j", threads, "-o", &out]].concat(), d);
        (std::fs::read(d.join(&out).join("sweep.csv")).unwrap(), printed.replace(&out, "OUT"))
    };
    let (one, two) = (run("1"), run("2"));
    assert!(one.0 == two.0, "sweep.csv differs between 1 and 2 threads");
    assert_eq!(one.1, two.1);
}

/// Two `--vary` make a grid: a row per cell, the second key outermost, the marginal
/// effect along the first key (empty at its first level), and the answers per value of
/// the second key.
#[test]
fn a_grid_has_a_row_per_cell() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("case.toml"), case(0.5)).unwrap();
    let out = ok(
        &[
            "sweep",
            "case.toml",
            "--vary",
            "staffing.hires[0].fte=0..2:1",
            "--vary",
            "staffing.elasticity=0..0.5:0.25",
            "-n",
            "20",
            "--inner",
            "2",
            "-q",
            "-o",
            "grid",
        ],
        d,
    );
    let rows = rows(&d.join("grid/sweep.csv"));
    assert_eq!(rows.len(), 9);
    let header: Vec<String> = csv::Reader::from_path(d.join("grid/sweep.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header[..2], ["staffing.hires[0].fte", "staffing.elasticity"]);
    for (k, row) in rows.iter().enumerate() {
        let (fte, elasticity) = (k % 3, k / 3);
        assert_eq!(row["staffing.hires[0].fte"], fte.to_string());
        assert_eq!(row["staffing.elasticity"], ["0", "0.25", "0.5"][elasticity]);
        assert_eq!(row["marginal_net_municipal_effect"].is_empty(), fte == 0, "row {k}");
    }
    // Without feedback the hires change no outcome; with it they add citizens in work:
    // at elasticity 0.5 two extra FTE add about 16 (fixed seed; 20 replications, standard
    // error under 3, so a correct engine fails this with probability below 1e-15).
    assert_eq!(rows[2]["extra_self_supporting"], "0");
    assert!(rows[8]["extra_self_supporting"].parse::<f64>().unwrap() > 0.0);
    assert!(out.contains(
        "     and staffing.elasticity from 0 to 0.5 in steps of 0.25 (3 levels): a grid of 9 levels"
    ));
    assert!(out.contains("\n  with staffing.elasticity = 0.25: "), "{out}");
}

/// Each kind of bad `--vary`, with its exact message; nothing is simulated and no
/// folder is written.
#[test]
fn bad_vary_arguments_are_refused_with_the_exact_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("case.toml"), case(0.5)).unwrap();
    let cases = [
        (
            "staffing.hires[0].ftee=0..2:1",
            "error: --vary staffing.hires[0].ftee=0..2:1: key `staffing.hires[0].ftee`: unknown key `ftee`, expected \
             one of `name`, `fte`, `start`, `end`, `ramp_up_months`, `funded_by`, `serves`\n  \
             help: did you mean `staffing.hires[0].fte`?\n",
        ),
        (
            "staffing.hires[0].fte=0..5:2",
            "error: --vary staffing.hires[0].fte=0..5:2: key `staffing.hires[0].fte`: from 0 in steps of 2 does not \
             reach 5: the levels pass 4 and then 6; end the range at one of them\n",
        ),
        (
            "staffing.hires[0].fte=0..6:0",
            "error: --vary staffing.hires[0].fte=0..6:0: key `staffing.hires[0].fte`: the step is 0: a sweep steps \
             from 0 to 6 by a step that is not 0\n",
        ),
        (
            "staffing.hires[0].fte=6..0:1",
            "error: --vary staffing.hires[0].fte=6..0:1: key `staffing.hires[0].fte`: a step of 1 never reaches 0 \
             from 6: from 6 to 0 takes a negative step, e.g. 6..0:-1\n",
        ),
        (
            "staffing.hires[0].fte=0..50:0.1",
            "error: --vary staffing.hires[0].fte=0..50:0.1: key `staffing.hires[0].fte`: 0..50:0.1 gives 501 \
             levels, and a sweep runs at most 200: take a larger step or a narrower range\n",
        ),
        (
            "staffing.hires[0].name=1..2:1",
            "error: --vary staffing.hires[0].name=1..2:1: key `staffing.hires[0].name`: it holds the text \
             \"change\", not a number: --vary steps a number from FROM to TO; give other values of this key with \
             --set in separate runs\n",
        ),
        (
            "staffing.hires[0].fte=0..0.5:O.1",
            "error: --vary staffing.hires[0].fte=0..0.5:O.1: key `staffing.hires[0].fte`: STEP `O.1` is not a \
             number: write FROM, TO and STEP as decimal numbers, e.g. 0..0.3:0.05\n",
        ),
        (
            "staffing.caseload_ref=0..50:25",
            "error: --vary staffing.caseload_ref=0..50:25, at the level 0: key `staffing.caseload_ref`: expected a \
             positive caseload (citizens per FTE) in (0, 50,000,000], got 0\n",
        ),
    ];
    for (vary, want) in cases {
        assert_eq!(fails(&["sweep", "case.toml", "--vary", vary, "-o", "out"], d), want, "--vary {vary}");
        assert!(!d.join("out").exists());
    }
}

/// `sweep.csv` of a small sweep with two cohorts per draw, pinned: a change of column,
/// order or number format fails here with a diff (accept a deliberate one with
/// `INSTA_UPDATE=always cargo test --release --test it sweep`).
#[test]
fn sweep_csv_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("case.toml"), case(0.3)).unwrap();
    ok(
        &[
            "sweep",
            "case.toml",
            "--vary",
            "staffing.hires[0].fte=-1..1:1",
            "-n",
            "8",
            "--inner",
            "2",
            "-q",
            "-o",
            "out",
        ],
        d,
    );
    let text = std::fs::read_to_string(d.join("out/sweep.csv")).unwrap();
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        description => "sweep.csv of tests/it/sweep.rs's case at elasticity 0.3, 8 replications (4 draws × 2 cohorts), count engine",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("sweep", text);
    });
}

/// `docs/outputs.md` documents every column of `sweep.csv`, by pattern: `<path>` for
/// each `--vary`, `<measure>` for each measure, `target_<i>_probability` for each target.
#[test]
fn sweep_csv_columns_are_documented() {
    let doc = std::fs::read_to_string(repo().join("docs/outputs.md")).unwrap();
    let section = doc.split("\n## `sweep.csv`").nth(1).expect("a section `sweep.csv` in docs/outputs.md");
    let section = section.split("\n## ").next().unwrap();
    let documented: Vec<String> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .flat_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect();
    let axis = Vary::parse("PATH=0..1:1").unwrap();
    let mut want: Vec<String> = Vec::new();
    for column in sweep_header(&[axis], 1) {
        let mut pattern = column.replace("PATH", "<path>").replace("target_1_", "target_<i>_");
        for m in Measure::ALL {
            if pattern.starts_with(m.name()) || pattern.starts_with(&format!("marginal_{}", m.name())) {
                pattern = pattern.replacen(m.name(), "<measure>", 1);
            }
        }
        if !want.contains(&pattern) {
            want.push(pattern);
        }
    }
    let columns: Vec<String> =
        documented.iter().filter(|c| !Measure::ALL.iter().any(|m| m.name() == *c)).cloned().collect();
    assert_eq!(columns, want, "docs/outputs.md, `sweep.csv`: the columns in order");
    let measures: Vec<String> =
        documented.iter().filter(|c| Measure::ALL.iter().any(|m| m.name() == *c)).cloned().collect();
    let names: Vec<String> = Measure::ALL.iter().map(|m| m.name().to_string()).collect();
    assert_eq!(measures, names, "docs/outputs.md, `sweep.csv`: the measures in order");
}

/// A plausibility warning that every level has is printed once, not once per level;
/// with --strict it is an error and nothing is simulated. Without --out the sweep goes
/// to `results/<scenario file name>.sweep`, which --force replaces (its run.toml lists
/// its files) and which is otherwise refused.
#[test]
fn warnings_once_strict_refuses_and_the_default_folder_is_replaceable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("case.toml"), case(0.5)).unwrap();
    let args = [
        "sweep",
        "case.toml",
        "--vary",
        "staffing.hires[0].fte=0..2:1",
        "--set",
        "budget.staff_cost_per_fte_year=600",
        "-n",
        "4",
        "--inner",
        "2",
        "-q",
    ];
    let o = trappe(&args, d);
    let (_, err) = texts(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(err.contains("--set budget.staff_cost_per_fte_year=600"), "{err}");
    assert!(d.join("results/case.sweep/sweep.csv").exists());
    assert!(fails(&args, d).contains("results/case.sweep"));
    ok(&[&args[..], &["--force"]].concat(), d);
    let manifest = std::fs::read_to_string(d.join("results/case.sweep/run.toml")).unwrap();
    assert!(manifest.contains("kind = \"sweep\""), "{manifest}");
    assert!(manifest.contains("levels = [\"0\", \"1\", \"2\"]"), "{manifest}");
    let strict = fails(&[&args[..], &["--strict", "-o", "strict"]].concat(), d);
    assert!(strict.contains("--strict treats plausibility warnings as errors"), "{strict}");
    assert!(!d.join("strict").exists());
}
