//! `--csv-dialect excel-da`: every CSV file of a run, a merge, a comparison and a sweep
//! in the Danish Excel dialect (UTF-8 with BOM, semicolons, CRLF, decimal comma in
//! numbers only) holds the same table as the standard file: the same shape, every
//! number reading back to exactly the same value, every text cell (keys, dates, names,
//! labels) unchanged. The default is the standard dialect; a wrong name is refused.

use crate::common::*;
use std::path::Path;

const SCENARIO: &str = "scenarios/staircase-default.toml";
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A cell in the standard dialect's number form: `-1234.5`, `0`, `20`.
fn standard_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, decimals) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !decimals.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && decimals.bytes().all(|b| b.is_ascii_digit())
}

/// The records (header first) of CSV text separated by `delimiter`.
fn records(text: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(text)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// What one Danish file holds beyond the standard file's table.
#[derive(Default)]
pub(crate) struct Seen {
    /// Numbers with decimals.
    decimals: usize,
    /// Numbers of 1,000 or more in size with decimals.
    large_decimals: usize,
}

/// Asserts that the Danish file `da` holds the standard file `standard`'s table: the
/// BOM, `;` and CRLF, the same rows and columns, each number exactly the same value
/// written with a decimal comma and nothing else, each other cell the same text.
fn assert_same_table(name: &str, standard: &Path, da: &Path, seen: &mut Seen) {
    let std_bytes = std::fs::read(standard).unwrap();
    let da_bytes = std::fs::read(da).unwrap();
    assert!(!std_bytes.starts_with(BOM), "{name}: the standard dialect has no BOM");
    let body = da_bytes.strip_prefix(BOM).unwrap_or_else(|| panic!("{name}: starts with the UTF-8 BOM"));
    let lines: Vec<&[u8]> = body.split_inclusive(|&b| b == b'\n').collect();
    assert!(lines.iter().all(|l| l.ends_with(b"\r\n")), "{name}: every line ends in CRLF");
    assert!(lines[0].contains(&b';') && !lines[0].contains(&b','), "{name}: `;`-separated");
    let s = records(&std_bytes, b',');
    let d = records(body, b';');
    assert_eq!(d.len(), s.len(), "{name}: rows");
    assert_eq!(d[0], s[0], "{name}: the header");
    for (row, (sr, dr)) in s.iter().zip(&d).enumerate() {
        assert_eq!(dr.len(), sr.len(), "{name} row {row}: columns");
        for (col, (sc, dc)) in sr.iter().zip(dr).enumerate() {
            let at = format!("{name} row {row} column {}", s[0][col]);
            if row > 0 && standard_number(sc) {
                assert!(
                    !dc.contains('.') && dc.matches(',').count() <= 1,
                    "{at}: `{dc}` has only a decimal comma (no thousands separator)"
                );
                let read: f64 = dc.replace(',', ".").parse().unwrap_or_else(|e| panic!("{at}: `{dc}`: {e}"));
                let wanted: f64 = sc.parse().unwrap();
                assert_eq!(read.to_bits(), wanted.to_bits(), "{at}: `{dc}` reads back as `{sc}`");
                if sc.contains('.') {
                    seen.decimals += 1;
                    seen.large_decimals += usize::from(wanted.abs() >= 1000.0);
                }
            } else {
                assert_eq!(dc, sc, "{at}: text is written as it is");
            }
        }
    }
}

/// The CSV files of a folder, sorted.
fn csv_files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    names
}

/// Asserts that every CSV file of folder `da` holds the table of the same file in
/// `standard`, and that the two folders hold the same CSV files: for any command that
/// writes CSV files, a number its writer leaves unmarked fails here.
pub(crate) fn assert_same_tables(standard: &Path, da: &Path) -> Seen {
    let names = csv_files_in(standard);
    assert_eq!(csv_files_in(da), names, "the same files");
    let mut seen = Seen::default();
    for n in &names {
        assert_same_table(n, &standard.join(n), &da.join(n), &mut seen);
    }
    seen
}

/// A run of the default scenario in Danish Excel's dialect holds, file by file, the
/// tables of the standard run: among them parameter keys (`param:transitions.….…`),
/// dates (`2020-01`), labels with commas and amounts in the hundreds of millions.
/// `run.toml` records the dialect; the standard run's does not mention one.
#[test]
fn a_run_in_excel_da_holds_the_standard_tables() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = repo().join(SCENARIO);
    let run = |out: &str, extra: &[&str]| {
        let mut args =
            vec!["run", scenario.to_str().unwrap(), "-n", "20", "--trajectories", "2", "-q", "-o", out];
        args.extend(extra);
        ok(&args, d);
    };
    run("standard", &[]);
    run("da", &["--csv-dialect", "excel-da"]);
    let seen = assert_same_tables(&d.join("standard"), &d.join("da"));
    assert_eq!(
        csv_files_in(&d.join("da")).len(),
        5,
        "summary, replications, monthly, budget years, trajectories"
    );
    assert!(seen.decimals > 1000, "numbers with decimals compared: {}", seen.decimals);
    assert!(seen.large_decimals > 100, "amounts of 1,000 or more with decimals: {}", seen.large_decimals);
    let manifest = std::fs::read_to_string(d.join("da/run.toml")).unwrap();
    assert!(manifest.contains("\ncsv_dialect = \"excel-da\"\n"), "{manifest}");
    let manifest = std::fs::read_to_string(d.join("standard/run.toml")).unwrap();
    assert!(!manifest.contains("csv_dialect"), "{manifest}");
    // The standard dialect named is the default.
    run("named", &["--csv-dialect", "standard"]);
    for n in csv_files_in(&d.join("standard")) {
        assert_eq!(
            std::fs::read(d.join("named").join(&n)).unwrap(),
            std::fs::read(d.join("standard").join(&n)).unwrap()
        );
    }
}

/// The parts of a run hold no CSV files: `trappe merge --csv-dialect excel-da` writes
/// the Danish files, the same bytes as a single Danish run; `--shard` with a dialect is
/// refused before simulating, pointing to `trappe merge`.
#[test]
fn merge_writes_the_dialect_and_a_shard_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = repo().join(SCENARIO);
    let s = scenario.to_str().unwrap();
    ok(&["run", s, "-n", "20", "-q", "-o", "single", "--csv-dialect", "excel-da"], d);
    for i in ["1/2", "2/2"] {
        ok(&["run", s, "-n", "20", "-q", "--shard", i, "-o", &format!("part{}", &i[..1])], d);
    }
    ok(&["merge", "part1", "part2", "-o", "merged", "--csv-dialect", "excel-da"], d);
    for n in csv_files_in(&d.join("single")) {
        assert_eq!(
            std::fs::read(d.join("merged").join(&n)).unwrap(),
            std::fs::read(d.join("single").join(&n)).unwrap(),
            "{n}"
        );
    }
    assert!(
        std::fs::read_to_string(d.join("merged/run.toml")).unwrap().contains("csv_dialect = \"excel-da\"")
    );
    let err =
        fails(&["run", s, "-n", "20", "-q", "--shard", "1/2", "-o", "p", "--csv-dialect", "excel-da"], d);
    assert_eq!(
        err.trim(),
        "error: --csv-dialect excel-da changes CSV files, and a partial result (--shard) holds none: \
         give --csv-dialect excel-da to `trappe merge` when combining the parts"
    );
    assert!(!d.join("p").exists());
}

/// A comparison's option table in Danish Excel's dialect holds the standard table, and
/// `compare.toml` records the dialect.
#[test]
fn compare_writes_the_dialect() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = repo().join(SCENARIO);
    let compare = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "compare",
            scenario.to_str().unwrap(),
            "--variant",
            "plus5:staffing.hires[0].fte=5",
            "-n",
            "10",
        ];
        args.extend(["-q", "-o", out]);
        args.extend(extra);
        ok(&args, d);
    };
    compare("standard", &[]);
    compare("da", &["--csv-dialect", "excel-da"]);
    let n = "compare_options.csv";
    let mut seen = Seen::default();
    assert_same_table(n, &d.join("standard").join(n), &d.join("da").join(n), &mut seen);
    assert!(seen.large_decimals > 0, "amounts of 1,000 or more with decimals");
    assert_eq!(csv_files_in(&d.join("da")), csv_files_in(&d.join("standard")));
    assert!(
        std::fs::read_to_string(d.join("da/compare.toml"))
            .unwrap()
            .contains("\ncsv_dialect = \"excel-da\"\n")
    );
}

/// A sweep's levels are numbers too: `0.5` is `0,5` in Danish Excel's dialect.
#[test]
fn sweep_writes_the_dialect_levels_included() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = repo().join(SCENARIO);
    let sweep = |out: &str, extra: &[&str]| {
        let mut args =
            vec!["sweep", scenario.to_str().unwrap(), "--vary", "staffing.hires[0].fte=0..1:0.5", "-n", "10"];
        args.extend(["-q", "-o", out]);
        args.extend(extra);
        ok(&args, d);
    };
    sweep("standard", &[]);
    sweep("da", &["--csv-dialect", "excel-da"]);
    let mut seen = Seen::default();
    let n = "sweep.csv";
    assert_same_table(n, &d.join("standard").join(n), &d.join("da").join(n), &mut seen);
    let body = std::fs::read_to_string(d.join("da").join(n)).unwrap();
    let levels: Vec<&str> = body.lines().skip(1).map(|l| l.split(';').next().unwrap()).collect();
    assert_eq!(levels, ["0", "0,5", "1"]);
    assert!(
        std::fs::read_to_string(d.join("da/run.toml")).unwrap().contains("\ncsv_dialect = \"excel-da\"\n")
    );
}

/// A dialect that does not exist is refused with the valid names and the nearest one,
/// by every command that writes CSV files.
#[test]
fn an_unknown_dialect_is_refused_with_the_valid_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = repo().join(SCENARIO);
    let s = scenario.to_str().unwrap();
    for args in [
        vec!["run", s, "-q", "--csv-dialect", "excel"],
        vec!["compare", s, "-q", "--csv-dialect", "excel"],
        vec!["sweep", s, "--vary", "staffing.hires[0].fte=0..1:1", "-q", "--csv-dialect", "excel"],
        vec!["merge", "part", "--csv-dialect", "excel"],
    ] {
        let err = fails(&args, d);
        assert!(
            err.contains(
                "invalid value 'excel' for '--csv-dialect <DIALECT>': `excel` is not a CSV dialect: the \
                 dialects are `standard` (commas, decimal point) and `excel-da` (for Danish Excel: \
                 semicolons, decimal comma, UTF-8 with BOM); did you mean `excel-da`?"
            ),
            "{args:?}: {err}"
        );
    }
    assert!(std::fs::read_dir(d).unwrap().next().is_none(), "nothing written");
}

/// Every file of `trappe sensitivity`, the threshold's and the grid's included, holds the
/// standard table in Danish Excel's dialect, and `sensitivity.toml` records the dialect.
#[test]
fn sensitivity_writes_the_dialect() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = repo().join(SCENARIO);
    let sensitivity = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "sensitivity",
            scenario.to_str().unwrap(),
            "-n",
            "10",
            "--level-replications",
            "4",
            "--threshold",
            "--grid",
            "staffing.elasticity",
            "staffing.hires[0].fte=1..2:1",
        ];
        args.extend(["-q", "-o", out]);
        args.extend(extra);
        ok(&args, d);
    };
    sensitivity("standard", &[]);
    sensitivity("da", &["--csv-dialect", "excel-da"]);
    let seen = assert_same_tables(&d.join("standard"), &d.join("da"));
    assert!(seen.large_decimals > 0, "amounts of 1,000 or more with decimals");
    assert!(
        std::fs::read_to_string(d.join("da/sensitivity.toml"))
            .unwrap()
            .contains("\ncsv_dialect = \"excel-da\"\n")
    );
}
