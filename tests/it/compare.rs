//! `trappe compare`: options side by side on one baseline. The baseline is the same to
//! the byte whichever options it is compared with; an option compared with itself
//! differs by exactly nothing; each option's figures are those of its own run with the
//! individual engine; files that do not share a baseline are refused before anything is
//! simulated.

use crate::common::*;
use std::path::Path;

/// The default scenario with its hire of 2 FTE changed to `fte`.
fn with_fte(fte: &str) -> String {
    let text = default_text();
    assert!(text.contains("\nfte = 2\n"), "the default scenario's hire is no longer `fte = 2`");
    text.replace("\nfte = 2\n", &format!("\nfte = {fte}\n"))
}

/// Writes the options `plus1`, `plus3`, `plus5` and `minus1` (a cut) into `dir`.
fn write_options(dir: &Path) {
    for (name, fte) in [("plus1", "1"), ("plus3", "3"), ("plus5", "5"), ("minus1", "-1")] {
        let mut text = with_fte(fte);
        if fte.starts_with('-') {
            // A cut is not funded by a grant.
            text = text.replace("funded_by = \"reinforcement\"\n", "").replace("ramp_up_months = 3\n", "");
        }
        std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    }
}

/// Runs `trappe compare` on `options` into `out` with a small fixed size; panics on failure.
fn compare(dir: &Path, options: &[&str], out: &str, extra: &[&str]) -> String {
    let mut args = vec!["compare"];
    args.extend(options);
    args.extend(["-n", "60", "--inner", "5", "-q", "-o", out]);
    args.extend(extra);
    let o = trappe(&args, dir);
    assert!(o.status.success(), "compare {options:?}: {}", texts(&o).1);
    texts(&o).0
}

/// The rows of a CSV file whose first cell is `option`, as text lines.
fn rows_of(path: &Path, option: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| l.split(',').next() == Some(option))
        .map(str::to_string)
        .collect()
}

/// One cell of `compare_options.csv` for `option`.
fn option_cell(dir: &Path, out: &str, option: &str, column: &str) -> String {
    let mut r = csv::Reader::from_path(dir.join(out).join("compare_options.csv")).unwrap();
    let k =
        r.headers().unwrap().iter().position(|h| h == column).unwrap_or_else(|| panic!("no column {column}"));
    let row = r.records().map(Result::unwrap).find(|row| &row[0] == option).unwrap();
    row[k].to_string()
}

/// The baseline's rows of every file are the same bytes whichever options are compared
/// (the individual engine's baseline draws the same numbers whatever it is simulated with).
#[test]
fn the_baseline_is_the_same_whichever_options_are_compared() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    compare(dir.path(), &["plus1.toml", "plus3.toml"], "a", &[]);
    compare(dir.path(), &["plus5.toml", "minus1.toml", "plus3.toml"], "b", &[]);
    for file in ["compare.csv", "compare_budget_years.csv"] {
        let a = rows_of(&dir.path().join("a").join(file), "baseline");
        let b = rows_of(&dir.path().join("b").join(file), "baseline");
        assert!(!a.is_empty(), "{file} has no baseline rows");
        // The file column names the first option's file; the figures must agree.
        let figures = |rows: &[String]| -> Vec<String> {
            rows.iter().map(|l| l.split(',').skip(2).collect::<Vec<_>>().join(",")).collect()
        };
        assert_eq!(figures(&a), figures(&b), "{file}: the baseline differs between two comparisons");
    }
    // plus3's own figures do not depend on the other options either.
    let a = rows_of(&dir.path().join("a/compare.csv"), "plus3");
    let b = rows_of(&dir.path().join("b/compare.csv"), "plus3");
    assert_eq!(a, b);
}

/// An option compared with itself: the two are the same in every figure, and the second,
/// set against the first (its next cheaper, equal in cost), differs by exactly 0.
#[test]
fn an_option_compared_with_itself_differs_by_exactly_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    compare(dir.path(), &["plus3.toml", "plus3.toml"], "same", &[]);
    let cell = |option: &str, column: &str| option_cell(dir.path(), "same", option, column);
    assert_eq!(cell("plus3 #2", "next_cheaper"), "plus3");
    for column in [
        "vs_next_cheaper_net_municipal_effect",
        "vs_next_cheaper_extra_self_supporting",
        "vs_next_cheaper_extra_staff_cost",
    ] {
        assert_eq!(cell("plus3 #2", column), "0", "{column}");
    }
    assert_eq!(cell("plus3 #2", "vs_next_cheaper_expected_p05"), "0");
    assert_eq!(cell("plus3 #2", "vs_next_cheaper_expected_p95"), "0");
    let one = rows_of(&dir.path().join("same/compare.csv"), "plus3");
    let two: Vec<String> = rows_of(&dir.path().join("same/compare.csv"), "plus3 #2")
        .into_iter()
        .map(|l| l.replacen("plus3 #2", "plus3", 1))
        .collect();
    assert_eq!(one, two);
    // Ties go to the cheaper, here the first given: the copy is never best.
    assert_eq!(cell("plus3 #2", "probability_best_realised"), "0");
}

/// Each option's figures are those of `trappe run --engine individual` of its file with
/// the same seed and sizes, to the printed digit; the baseline is its counterfactual.
#[test]
fn an_option_has_the_figures_of_its_own_run() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    compare(dir.path(), &["plus5.toml", "plus1.toml"], "cmp", &[]);
    let o = trappe(
        &["run", "plus1.toml", "--engine", "individual", "-n", "60", "--inner", "5", "-q", "-o", "run"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    let summary = std::fs::read_to_string(dir.path().join("run/summary.csv")).unwrap();
    // summary.csv: section,metric,arm,unit,mean,... ; compare.csv: option,file,measure,against,unit,mean,...
    let run_mean = |metric: &str, arm: &str| -> String {
        summary
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| c[1] == metric && c[2] == arm)
            .unwrap_or_else(|| panic!("no {metric} {arm} in summary.csv"))[4]
            .to_string()
    };
    let compared = std::fs::read_to_string(dir.path().join("cmp/compare.csv")).unwrap();
    let compare_mean = |option: &str, measure: &str| -> String {
        compared
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| c[0] == option && c[2] == measure)
            .unwrap_or_else(|| panic!("no {measure} of {option} in compare.csv"))[5]
            .to_string()
    };
    for metric in ["self_supporting_share", "gross_benefit", "total_net_cost"] {
        assert_eq!(compare_mean("plus1", metric), run_mean(metric, "scenario"), "{metric}");
        assert_eq!(compare_mean("baseline", metric), run_mean(metric, "counterfactual"), "{metric}");
    }
    for effect in ["net_municipal_effect", "extra_self_supporting", "net_benefit_saving"] {
        assert_eq!(compare_mean("plus1", effect), run_mean(effect, "effect"), "{effect}");
    }
}

/// The probabilities of being best, over the baseline and every option, add up to 1 in
/// both readings; the columns come from the cheapest (the cut) to the dearest.
#[test]
fn the_probabilities_of_being_best_add_up_and_options_come_by_cost() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    let table = compare(dir.path(), &["plus3.toml", "minus1.toml", "plus1.toml"], "p", &[]);
    let names = ["minus1", "baseline", "plus1", "plus3"];
    for column in ["probability_best", "probability_best_realised"] {
        let total: f64 =
            names.iter().map(|n| option_cell(dir.path(), "p", n, column).parse::<f64>().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-9, "{column} adds up to {total}");
    }
    let text = std::fs::read_to_string(dir.path().join("p/compare_options.csv")).unwrap();
    let order: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(order, names);
    assert_eq!(option_cell(dir.path(), "p", "plus1", "next_cheaper"), "baseline");
    assert_eq!(option_cell(dir.path(), "p", "plus3", "next_cheaper"), "plus1");
    assert_eq!(option_cell(dir.path(), "p", "minus1", "next_cheaper"), "baseline");
    // The cut saves staff cost: its extra staff cost is negative.
    assert!(option_cell(dir.path(), "p", "minus1", "extra_staff_cost").starts_with('-'));
    assert!(table.contains("P(best), over what we don't know"), "{table}");
}

/// Files that differ outside their hires, grants, names and run sizes do not share a
/// baseline: refused before anything is simulated, naming the file, line and key and
/// both values; nothing is written.
#[test]
fn options_without_one_baseline_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    let other = with_fte("3").replace("baseline_fte = 10\n", "baseline_fte = 14\n");
    assert!(other != with_fte("3"), "the default scenario's baseline_fte is no longer 10");
    std::fs::write(dir.path().join("other.toml"), other).unwrap();
    let o = trappe(&["compare", "plus1.toml", "other.toml", "-n", "10", "-q", "-o", "x"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", texts(&o).1);
    let err = texts(&o).1;
    assert!(err.contains("other.toml:"), "{err}");
    assert!(err.contains("staffing.baseline_fte"), "{err}");
    assert!(err.contains("is 14 here and 10 in plus1.toml"), "{err}");
    assert!(!dir.path().join("x").exists());
    // A key one file has and the other has not.
    let scenarios = repo().join("scenarios");
    let (team, sickness) = (
        scenarios.join("aalborg-2019-reinforcement-team.toml"),
        scenarios.join("aalborg-2019-reinforcement-sickness.toml"),
    );
    let o = trappe(
        &["compare", team.to_str().unwrap(), sickness.to_str().unwrap(), "-n", "10", "-q", "-o", "y"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = texts(&o).1;
    assert!(err.contains("`budget.benefit_rates.kh_30plus_other` is not set here and a table in"), "{err}");
    // Names, sizes and seeds may differ.
    let renamed = with_fte("3")
        .replace("name = \"Staircase default", "name = \"Another name")
        .replace("replications = 1000", "replications = 20");
    std::fs::write(dir.path().join("renamed.toml"), renamed).unwrap();
    compare(dir.path(), &["plus1.toml", "renamed.toml"], "ok", &[]);
}

/// `--set` applies to every option, and its errors name the argument, the key and the
/// nearest valid key, as for `run`.
#[test]
fn set_applies_to_every_option() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    compare(dir.path(), &["plus1.toml", "plus3.toml"], "two_years", &[]);
    compare(
        dir.path(),
        &["plus1.toml", "plus3.toml"],
        "one_year",
        &["--set", "staffing.hires[0].end=\"2024-12\""],
    );
    let cost =
        |out: &str, o: &str| option_cell(dir.path(), out, o, "extra_staff_cost").parse::<f64>().unwrap();
    for out in ["two_years", "one_year"] {
        assert!((cost(out, "plus3") - 3.0 * cost(out, "plus1")).abs() < 1e-3 * cost(out, "plus1"));
    }
    // The hires end after 12 months instead of 24: half the cost in every option.
    assert!(
        (cost("one_year", "plus1") - cost("two_years", "plus1") / 2.0).abs()
            < 1e-6 * cost("two_years", "plus1")
    );
    let o = trappe(
        &["compare", "plus1.toml", "plus3.toml", "--set", "budget.staff_cost_per_fte_yr=1", "-q", "-o", "y"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = texts(&o).1;
    assert!(err.contains("budget.staff_cost_per_fte_yr"), "{err}");
    assert!(err.contains("staff_cost_per_fte_year"), "{err}");
}

/// The same seed gives the same files, byte for byte, on 1 and 2 worker threads.
#[test]
fn compare_files_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    compare(dir.path(), &["plus1.toml", "plus3.toml"], "t1", &["-j", "1"]);
    compare(dir.path(), &["plus1.toml", "plus3.toml"], "t2", &["-j", "2"]);
    for file in [
        "compare.csv",
        "compare_options.csv",
        "compare_budget_years.csv",
        "compare_acceptability.csv",
        "compare_value_of_information.csv",
    ] {
        let read = |d: &str| std::fs::read(dir.path().join(d).join(file)).unwrap();
        assert!(read("t1") == read("t2"), "{file} differs between 1 and 2 threads");
    }
}

/// Every column of the comparison's CSV files is documented in docs/outputs.md, under
/// the file's heading, and nothing else is.
#[test]
fn compare_columns_are_documented() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    compare(dir.path(), &["plus1.toml"], "doc", &[]);
    let doc = std::fs::read_to_string(repo().join("docs/outputs.md")).unwrap();
    for file in [
        "compare_options.csv",
        "compare.csv",
        "compare_budget_years.csv",
        "compare_acceptability.csv",
        "compare_value_of_information.csv",
    ] {
        let heading = format!("### `{file}`");
        let start = doc.find(&heading).unwrap_or_else(|| panic!("docs/outputs.md has no {heading}"));
        let section = &doc[start + heading.len()..];
        let section = &section[..section.find("\n#").unwrap_or(section.len())];
        let documented: Vec<String> = section
            .lines()
            .filter(|l| l.starts_with("| `"))
            .flat_map(|l| {
                let first = l.split('|').nth(1).unwrap_or("");
                first.split('`').skip(1).step_by(2).map(str::to_string).collect::<Vec<_>>()
            })
            .collect();
        let text = std::fs::read_to_string(dir.path().join("doc").join(file)).unwrap();
        let header: Vec<String> = text.lines().next().unwrap().split(',').map(str::to_string).collect();
        let mut sorted_doc = documented.clone();
        sorted_doc.sort();
        let mut sorted_header = header.clone();
        sorted_header.sort();
        assert_eq!(sorted_doc, sorted_header, "{file}: documented columns against the header");
    }
}

/// A variant is the first file with its values changed: the same figures as a file with
/// the same edit, named by the variant; a variant that breaks a rule is refused naming it.
#[test]
fn a_variant_is_the_first_file_with_its_values() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    std::fs::write(dir.path().join("base.toml"), default_text()).unwrap();
    compare(dir.path(), &["base.toml", "plus3.toml"], "files", &[]);
    compare(dir.path(), &["base.toml"], "variants", &["--variant", "plus3:staffing.hires[0].fte=3"]);
    let strip = |out: &str| -> Vec<String> {
        std::fs::read_to_string(dir.path().join(out).join("compare.csv"))
            .unwrap()
            .lines()
            .map(|l| {
                let mut c: Vec<&str> = l.split(',').collect();
                c[1] = ""; // the file column names the file or the variant
                c.join(",")
            })
            .collect()
    };
    assert_eq!(strip("files"), strip("variants"));
    let o = trappe(
        &[
            "compare",
            "base.toml",
            "--variant",
            "lose2:staffing.hires[0].fte=-2",
            "-n",
            "10",
            "-q",
            "-o",
            "bad",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = texts(&o).1;
    assert!(err.contains("base.toml (variant lose2):"), "{err}");
    assert!(err.contains("a cut (fte = -2)"), "{err}");
    let o = trappe(&["compare", "base.toml", "--variant", "no-colon", "-q", "-o", "bad"], dir.path());
    assert!(texts(&o).1.contains("write NAME:PATH=VALUE"), "{}", texts(&o).1);
}

/// The acceptability curve at a willingness to pay of 0 is the probability that each
/// option is best, to the printed digit; the probabilities at every level add up to 1, and
/// a high enough price per extra self-supporting citizen favours an option that adds
/// citizens over keeping the baseline.
#[test]
fn the_acceptability_curve_starts_at_the_probability_of_being_best() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    compare(dir.path(), &["plus1.toml", "plus5.toml", "minus1.toml"], "acc", &[]);
    let text = std::fs::read_to_string(dir.path().join("acc/compare_acceptability.csv")).unwrap();
    let all: Vec<Vec<String>> =
        text.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect();
    for valued in ["extra_self_supporting", "benefit_month_avoided"] {
        // Without the `valued` column: price, candidate, probability, value of information.
        let rows: Vec<Vec<String>> = all.iter().filter(|r| r[0] == valued).map(|r| r[1..].to_vec()).collect();
        for name in ["minus1", "baseline", "plus1", "plus5"] {
            let at_zero = rows.iter().find(|r| r[0] == "0" && r[1] == name).unwrap();
            assert_eq!(
                at_zero[2],
                option_cell(dir.path(), "acc", name, "probability_best"),
                "{valued}: {name}"
            );
        }
        let mut levels: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        levels.dedup();
        assert!(levels.len() > 2, "{valued}: a grid of levels: {levels:?}");
        for level in &levels {
            let total: f64 =
                rows.iter().filter(|r| r[0] == *level).map(|r| r[2].parse::<f64>().unwrap()).sum();
            // Each probability is printed to six significant digits.
            assert!((total - 1.0).abs() < 1e-5, "{valued} at {level}: {total}");
            assert!(rows.iter().filter(|r| r[0] == *level).all(|r| r[3].parse::<f64>().unwrap() >= 0.0));
        }
        let last = levels.last().unwrap();
        let p = |name: &str| -> f64 {
            rows.iter().find(|r| r[0] == *last && r[1] == name).unwrap()[2].parse().unwrap()
        };
        assert!(
            p("plus5") + p("plus1") > p("baseline"),
            "at {last} DKK per {valued} the hires should be favoured"
        );
    }
}

/// A comparison's folder is trappe's: `--force` replaces it, and without `--force` it is
/// kept; a folder with other files is never replaced.
#[test]
fn force_replaces_a_comparison_folder_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    write_options(dir.path());
    compare(dir.path(), &["plus1.toml"], "again", &[]);
    let o = trappe(&["compare", "plus1.toml", "-n", "10", "-q", "-o", "again"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", texts(&o).1);
    compare(dir.path(), &["plus1.toml"], "again", &["--force"]);
    std::fs::write(dir.path().join("again/mine.txt"), "keep").unwrap();
    let o = trappe(&["compare", "plus1.toml", "-n", "10", "-q", "-o", "again", "--force"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(texts(&o).1.contains("mine.txt"), "{}", texts(&o).1);
}

/// On the default scenario with 1, 2 and 5 extra staff, the staffing elasticity (the
/// assumption every staffing answer rests on) is the parameter worth most to the choice
/// at the middle price, and stands out from its noise floor. One fixed-seed outcome of
/// 200 draws, where its value is about 2.3 times its floor (263,000 against 113,000
/// DKK); a new random stream would have to shrink that margin by more than half to fail.
#[test]
fn the_staffing_elasticity_is_the_assumption_worth_a_study() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), default_text()).unwrap();
    let o = trappe(
        &[
            "compare",
            "base.toml",
            "--variant",
            "plus1:staffing.hires[0].fte=1",
            "--variant",
            "plus5:staffing.hires[0].fte=5",
            "-q",
            "-o",
            "voi",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", texts(&o).1);
    assert!(texts(&o).0.contains("A study that pinned down `staffing.elasticity`"), "{}", texts(&o).0);
    let text = std::fs::read_to_string(dir.path().join("voi/compare_value_of_information.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    // Columns: parameter, members, price, value, noise floor, stands out, …
    let middle = rows.iter().map(|r| r[2]).find(|p| *p != "0").unwrap();
    let best = rows
        .iter()
        .filter(|r| r[2] == middle)
        .max_by(|a, b| a[3].parse::<f64>().unwrap().total_cmp(&b[3].parse::<f64>().unwrap()))
        .unwrap();
    assert_eq!((best[0], best[1]), ("staffing.elasticity", "staffing.elasticity"));
    assert_eq!(best[5], "true");
}
