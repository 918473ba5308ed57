//! `trappe report` and `--report xlsx`: the workbook of a run, a comparison, a sweep and
//! a sensitivity analysis, read back with calamine: its numbers are the CSV files'
//! numbers (as numbers, in either CSV dialect), its sheets are there, its words are in
//! one language, and a folder that is not trappe's is refused cleanly.

use crate::common::{fails, ok, repo};
use calamine::{Data, Reader, Xlsx, open_workbook};
use std::path::Path;

/// Every sheet of a workbook: its name and its cells, row by row.
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

/// The cells of the sheet named `name`.
fn sheet<'a>(book: &'a [(String, Vec<Vec<Data>>)], name: &str) -> &'a [Vec<Data>] {
    let names: Vec<&String> = book.iter().map(|s| &s.0).collect();
    &book.iter().find(|s| s.0 == name).unwrap_or_else(|| panic!("no sheet {name} in {names:?}")).1
}

/// A standard CSV file's header and rows.
fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

/// A cell as a number, if it is one.
fn number(cell: &Data) -> Option<f64> {
    match cell {
        Data::Float(v) => Some(*v),
        Data::Int(v) => Some(*v as f64),
        _ => None,
    }
}

/// Every cell of a CSV table that is a number equals the cell of the sheet at the same
/// row and the column of the same position (`columns[i]` = the sheet's column of the
/// file's column i), as a number.
fn assert_numbers_equal(csv: &Path, sheet: &[Vec<Data>], columns: &dyn Fn(usize) -> Option<usize>) {
    let (header, rows) = csv_rows(csv);
    assert_eq!(sheet.len(), rows.len() + 1, "{}: rows", csv.display());
    let mut compared = 0;
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let Ok(expected) = text.parse::<f64>() else { continue };
            let Some(column) = columns(c) else { continue };
            let cell = &sheet[r + 1][column];
            assert_eq!(
                number(cell),
                Some(expected),
                "{} row {} column {}: {cell:?}",
                csv.display(),
                r + 2,
                header[c]
            );
            compared += 1;
        }
    }
    assert!(compared > 0, "{}: no number compared", csv.display());
}

/// The sheet's column of `summary.csv`'s column i: the statistics in the file's order,
/// after the five columns of names (the label last).
fn summary_column(i: usize) -> Option<usize> {
    match i {
        4..=10 => Some(i + 1),
        12..=16 => Some(i),
        _ => None,
    }
}

fn scenario() -> String {
    repo().join("scenarios/staircase-default.toml").display().to_string()
}

#[test]
fn a_runs_workbook_holds_summary_csv_as_numbers_in_either_dialect() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = scenario();
    let out = ok(&["run", &s, "-n", "20", "-q", "-o", "run", "--report", "xlsx"], d);
    assert!(out.contains("Report: run/report.xlsx"), "{out}");
    let book = sheets(&d.join("run/report.xlsx"));
    let names: Vec<&str> = book.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, ["Summary", "Targets", "Budget years", "Monthly", "Assumptions", "About"]);
    assert_numbers_equal(&d.join("run/summary.csv"), sheet(&book, "Summary"), &summary_column);
    assert_numbers_equal(&d.join("run/budget_years.csv"), sheet(&book, "Budget years"), &|i| match i {
        4..=8 => Some(i - 1),
        _ => None,
    });
    assert_numbers_equal(&d.join("run/monthly.csv"), sheet(&book, "Monthly"), &|i| match i {
        0 => Some(0),
        5..=9 => Some(i),
        _ => None,
    });
    // The register: every parameter with its distribution in words and its grade.
    let register = sheet(&book, "Assumptions");
    let staff =
        register.iter().find(|r| r[0] == Data::String("budget.staff_cost_per_fte_year".into())).unwrap();
    assert_eq!(staff[1], Data::String("triangular 520,000 – 600,000 – 700,000".into()));
    assert!(number(&staff[2]).unwrap() > 600_000.0);
    assert!(register.iter().skip(1).any(|r| matches!(&r[6], Data::String(g) if g.starts_with("EST"))));
    // Targets: their probabilities are shares of replications.
    let targets = sheet(&book, "Targets");
    assert_eq!(targets.len(), 3, "{targets:?}");
    assert!(targets[1].iter().skip(3).all(|c| number(c).is_some_and(|p| (-1.0..=1.0).contains(&p))));

    // The same run in Danish Excel's dialect gives the same workbook numbers.
    ok(&["run", &s, "-n", "20", "-q", "-o", "run-da", "--csv-dialect", "excel-da"], d);
    ok(&["report", "run-da"], d);
    let da = sheets(&d.join("run-da/report.xlsx"));
    for (name, rows) in book.iter().filter(|s| s.0 != "About") {
        assert_eq!(rows, sheet(&da, name), "sheet {name} differs between the dialects");
    }
    assert_numbers_equal(&d.join("run/summary.csv"), sheet(&da, "Summary"), &summary_column);
}

#[test]
fn a_comparison_a_sweep_and_a_sensitivity_analysis_have_their_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = scenario();
    let plus = ["--variant", "plus3:staffing.hires[0].fte=3", "--variant", "plus5:staffing.hires[0].fte=5"];
    let mut args = vec!["compare", &s, "-n", "20", "-q", "-o", "cmp", "--report", "xlsx"];
    args.extend(plus);
    ok(&args, d);
    let book = sheets(&d.join("cmp/report.xlsx"));
    for name in [
        "Options",
        "Options, every figure",
        "Options by budget year",
        "Acceptability",
        "Value of information",
        "Assumptions",
    ] {
        sheet(&book, name);
    }
    assert_numbers_equal(&d.join("cmp/compare_options.csv"), sheet(&book, "Options"), &Some);

    ok(
        &[
            "sweep",
            &s,
            "--vary",
            "staffing.hires[0].fte=0..4:2",
            "-n",
            "20",
            "-q",
            "-o",
            "swp",
            "--report",
            "xlsx",
        ],
        d,
    );
    let book = sheets(&d.join("swp/report.xlsx"));
    assert_numbers_equal(&d.join("swp/sweep.csv"), sheet(&book, "Sweep levels"), &Some);
    assert_eq!(sheet(&book, "Sweep levels")[0][0], Data::String("staffing.hires[0].fte".into()));

    let args =
        ["sensitivity", &s, "-n", "20", "--level-replications", "4", "-q", "-o", "sens", "--report", "xlsx"];
    ok(&args, d);
    let book = sheets(&d.join("sens/report.xlsx"));
    for name in ["Sensitivity (tornado)", "Acceptability", "Value of information", "Assumptions", "About"] {
        sheet(&book, name);
    }
    let tornado = sheet(&book, "Sensitivity (tornado)");
    assert_numbers_equal(&d.join("sens/sensitivity.csv"), tornado, &|i| {
        if i == 2 || i >= 5 { Some(i) } else { None }
    });
}

/// The sheet names and the header row of every sheet.
fn words(book: &[(String, Vec<Vec<Data>>)]) -> Vec<String> {
    let mut words: Vec<String> = book.iter().map(|s| s.0.clone()).collect();
    for (_, rows) in book {
        words.extend(rows[0].iter().filter_map(|c| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        }));
    }
    words
}

#[test]
fn a_danish_workbook_holds_no_english_label_and_the_reverse() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = scenario();
    ok(&["run", &s, "-n", "20", "-q", "-o", "run", "--report", "xlsx", "--lang", "da"], d);
    ok(&["report", "run"], d);
    let da = words(&sheets(&d.join("run/rapport.xlsx")));
    let en = words(&sheets(&d.join("run/report.xlsx")));
    let pairs: Vec<(&str, &str)> =
        trappe::report::workbook::labels::label_pairs().filter(|(e, d)| e != d).collect();
    for (english, danish) in &pairs {
        assert!(!da.iter().any(|w| w == english), "Danish workbook has the English `{english}`");
        assert!(!en.iter().any(|w| w == danish), "English workbook has the Danish `{danish}`");
    }
    for w in ["Resumé", "Budgetår", "Forudsætninger", "Kilde", "Fordeling", "Middelværdi"] {
        assert!(da.iter().any(|x| x == w), "no {w} in {da:?}");
    }
    assert!(en.iter().any(|x| x == "Budget years"));
    // The figures are named in Danish too: shares by the labels, budget items as in
    // budget_years.csv.
    let book = sheets(&d.join("run/rapport.xlsx"));
    let names: Vec<&Data> = sheet(&book, "Resumé").iter().map(|r| &r[2]).collect();
    for name in ["Andel selvforsørgende", "Kommunal nettoudgift", "Kommunal nettoeffekt", "Måneder i step0"]
    {
        assert!(names.contains(&&Data::String(name.into())), "no {name} in the Danish summary");
    }
}

#[test]
fn a_folder_that_is_not_trappes_or_is_damaged_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("mine")).unwrap();
    std::fs::write(d.join("mine/notes.txt"), "mine").unwrap();
    let err = fails(&["report", "mine"], d);
    assert_eq!(
        err.trim(),
        "error: mine is not a results folder of trappe's: it holds none of run.toml, compare.toml and sensitivity.toml"
    );
    let err = fails(&["report", "absent"], d);
    assert!(err.contains("absent") && err.contains("does not exist"), "{err}");

    let s = scenario();
    ok(&["run", &s, "-n", "10", "-q", "-o", "run"], d);
    ok(&["report", "run"], d);
    let err = fails(&["report", "run"], d);
    assert!(err.contains("report file run/report.xlsx already exists") && err.contains("--force"), "{err}");
    ok(&["report", "run", "--force"], d);
    // A folder holding its report is still trappe's to replace.
    ok(&["run", &s, "-n", "10", "-q", "-o", "run", "--force"], d);

    let summary = d.join("run/summary.csv");
    let text = std::fs::read_to_string(&summary).unwrap();
    let garbled = text.replacen(",share,", ",share,lots,", 1);
    std::fs::write(&summary, garbled).unwrap();
    let err = fails(&["report", "run"], d);
    assert!(err.contains("run/summary.csv:2: not as trappe writes it"), "{err}");
    std::fs::remove_file(&summary).unwrap();
    let err = fails(&["report", "run"], d);
    assert!(err.contains("run/summary.csv is missing: run/run.toml lists it"), "{err}");
    assert!(!d.join("run/report.xlsx").exists(), "nothing half-written is left");
}
