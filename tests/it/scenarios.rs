//! The shipped scenarios: every file in scenarios/ passes `trappe check` and runs, and
//! the Slagelse case resolves its grant and hires exactly as seed 002 states them.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every `*.toml` file in scenarios/, sorted by name.
fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .expect("read scenarios/")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The seed cases each have a ready scenario (a missing file would otherwise go unnoticed).
#[test]
fn every_seed_case_has_a_scenario() {
    let names: Vec<String> =
        scenario_files().iter().map(|p| p.file_name().unwrap().to_string_lossy().to_string()).collect();
    for expected in [
        "staircase-default.toml",
        "copenhagen-2007-job-consultant-pool.toml",
        "slagelse-2007-integration-job-unit.toml",
        "aalborg-2015-integration-order.toml",
        "aalborg-2018-refugees.toml",
        "aalborg-2019-reinforcement-youth.toml",
        "aalborg-2019-reinforcement-sickness.toml",
        "aalborg-2019-reinforcement-team.toml",
    ] {
        assert!(names.iter().any(|n| n == expected), "scenarios/{expected} is missing; found {names:?}");
    }
}

#[test]
fn every_scenario_passes_check() {
    let files = scenario_files();
    assert!(!files.is_empty());
    for f in &files {
        let out = trappe(&["check", f.to_str().unwrap()], &repo());
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "trappe check {} failed:\n{stderr}", f.display());
        assert!(stdout.contains("the scenario is valid"), "{}:\n{stdout}", f.display());
    }
}

#[test]
fn every_scenario_runs_and_writes_summary_csv() {
    let dir = tempfile::tempdir().unwrap();
    for f in &scenario_files() {
        let name = f.file_stem().unwrap().to_string_lossy().to_string();
        let out_dir = dir.path().join(&name);
        let out = trappe(
            &["run", f.to_str().unwrap(), "-n", "3", "--out", out_dir.to_str().unwrap(), "-q"],
            &repo(),
        );
        assert!(out.status.success(), "trappe run {} failed:\n{}", f.display(), texts(&out).1);
        let summary = out_dir.join("summary.csv");
        assert!(summary.is_file(), "{} wrote no summary.csv", f.display());
        let text = std::fs::read_to_string(&summary).unwrap();
        assert!(text.lines().count() > 1, "{}: summary.csv has no rows", f.display());
        assert!(text.contains("net_municipal_effect"), "{}: no net_municipal_effect row", f.display());
    }
}

/// One row of the FTE table printed by `trappe check`: first and last month of the
/// range, and paid FTE in the scenario and counterfactual arms.
struct FteRow {
    first: String,
    last: String,
    scenario_paid: f64,
    counterfactual_paid: f64,
}

/// Parses the "FTE per month (paid / productive)" table of `trappe check`.
fn fte_table(check: &str) -> Vec<FteRow> {
    let mut rows = Vec::new();
    let mut lines = check.lines().skip_while(|l| !l.contains("FTE per month (paid / productive)"));
    lines.next(); // the title
    lines.next(); // "months  scenario  counterfactual"
    for line in lines {
        let t: Vec<&str> = line.split_whitespace().collect();
        // A row is "<month> a / b c / d" or "<month> to <month> a / b c / d".
        let (first, last, rest) = match t.as_slice() {
            [m, "to", n, rest @ ..] => (m.to_string(), n.to_string(), rest),
            [m, rest @ ..] => (m.to_string(), m.to_string(), rest),
            [] => break,
        };
        if rest.len() != 6 || rest[1] != "/" || rest[4] != "/" {
            break;
        }
        rows.push(FteRow {
            first,
            last,
            scenario_paid: rest[0].parse().unwrap(),
            counterfactual_paid: rest[3].parse().unwrap(),
        });
    }
    rows
}

/// The month after `ym` ("YYYY-MM").
fn next_month(ym: &str) -> String {
    let (y, m): (i32, u32) = (ym[..4].parse().unwrap(), ym[5..].parse().unwrap());
    if m == 12 { format!("{}-01", y + 1) } else { format!("{y}-{:02}", m + 1) }
}

#[test]
fn slagelse_books_the_grant_each_year_and_hires_one_then_five() {
    let f = repo().join("scenarios/slagelse-2007-integration-job-unit.toml");
    let out = trappe(&["check", f.to_str().unwrap()], &repo());
    let (check, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");

    // Grant income: 2,171,981 DKK in each budget year 2008-2010 (seed 002), and in 2007
    // only what the unit costs, the rest repaid: 1 FTE for 8 months and 4 for 7 = 36
    // FTE-months at the mean cost per FTE-year, (400,000 + 434,396 + 500,000) / 3, which
    // is 3 x 444,798.67 = 1,334,396 DKK. The horizon ends in 2010.
    let booked = check
        .lines()
        .find_map(|l| l.trim().strip_prefix("grant income booked: "))
        .unwrap_or_else(|| panic!("no 'grant income booked' line in:\n{check}"));
    let by_year: BTreeMap<&str, &str> =
        booked.split("; ").map(|item| item.split_once(": ").expect("'year: amount'")).collect();
    assert_eq!(by_year.get("2007"), Some(&"1,334,396"), "grant income in 2007: {booked}");
    for year in ["2008", "2009", "2010"] {
        assert_eq!(by_year.get(year), Some(&"2,171,981"), "grant income in {year}: {booked}");
    }
    assert_eq!(by_year.get("2011"), None, "no grant income after the horizon: {booked}");

    // The hires as seed 002 states them: 1 consultant from May 2007, 4 from June 2007.
    let hire = |fte: &str, from: &str| {
        check
            .lines()
            .any(|l| l.trim().starts_with(&format!("hire: {fte} FTE")) && l.contains(&format!("from {from}")))
    };
    assert!(hire("1", "2007-05"), "no hire of 1 FTE from 2007-05 in:\n{check}");
    assert!(hire("4", "2007-06"), "no hire of 4 FTE from 2007-06 in:\n{check}");

    // Paid FTE in the scenario arm: baseline + 1 in 2007-05, baseline + 5 from 2007-06 to
    // the end; the counterfactual keeps the baseline throughout.
    let baseline: f64 = check
        .lines()
        .find_map(|l| l.strip_prefix("Staffing: baseline "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no baseline in:\n{check}"));
    let rows = fte_table(&check);
    assert!(!rows.is_empty(), "no FTE table in:\n{check}");
    assert_eq!(rows[0].first, "2007-05");
    assert_eq!(rows[0].last, "2007-05", "May 2007 must be a row of its own");
    assert_eq!(rows[0].scenario_paid - baseline, 1.0, "extra FTE in 2007-05");
    let mut expected_first = "2007-06".to_string();
    for r in &rows[1..] {
        assert_eq!(r.first, expected_first, "rows must cover the months without gaps");
        assert_eq!(r.scenario_paid - baseline, 5.0, "extra FTE in {} to {}", r.first, r.last);
        expected_first = next_month(&r.last);
    }
    assert_eq!(
        rows.last().unwrap().last,
        "2010-12",
        "the hires last to the end of the seed's time plan, December 2010"
    );
    for r in &rows {
        assert_eq!(r.counterfactual_paid, baseline, "counterfactual FTE in {} to {}", r.first, r.last);
    }
}

/// `trappe check` output of a shipped scenario.
fn check_text(name: &str) -> String {
    let f = repo().join("scenarios").join(name);
    let out = trappe(&["check", f.to_str().unwrap()], &repo());
    let (check, stderr) = texts(&out);
    assert!(out.status.success(), "{name}: {stderr}");
    check
}

/// Grant income booked per budget year, as `trappe check` prints it.
fn booked(check: &str) -> BTreeMap<String, String> {
    check
        .lines()
        .find_map(|l| l.trim().strip_prefix("grant income booked: "))
        .unwrap_or_else(|| panic!("no 'grant income booked' line in:\n{check}"))
        .split("; ")
        .map(|item| {
            let (y, a) = item.split_once(": ").expect("'year: amount'");
            (y.to_string(), a.to_string())
        })
        .collect()
}

/// Citizens per segment at the start, as `trappe check` prints them.
fn segment_sizes(check: &str) -> BTreeMap<String, u32> {
    let mut sizes = BTreeMap::new();
    let mut lines = check.lines().skip_while(|l| !l.starts_with("Cohort:"));
    lines.next();
    for l in lines.take_while(|l| l.starts_with("  ")) {
        if let Some((name, rest)) = l.trim().split_once(" citizens") {
            let mut words: Vec<&str> = name.split_whitespace().collect();
            if let Some(n) = words.pop().and_then(|w| w.parse().ok()) {
                sizes.insert(words.join(" "), n);
            }
            let _ = rest;
        }
    }
    sizes
}

/// The seed figures each case rests on come out of `trappe check` exactly.
#[test]
fn the_seed_figures_are_resolved_exactly() {
    // Seed 003: 26,898,526 DKK a year 2007-2010; ~9,500 citizens, ~5,000 in match groups 3-4.
    let c = check_text("copenhagen-2007-job-consultant-pool.toml");
    // From June 2007 the 62 consultants cost 62 x 7/12 of the mean cost per FTE-year,
    // (400,000 + 434,396 + 520,000) / 3 = 451,465.33, in 2007: 16,327,996 DKK, the
    // rest of that year's grant repaid; from 2008 they cost more than the grant.
    let b = booked(&c);
    assert_eq!(b["2007"], "16,327,996", "Copenhagen 2007");
    for y in ["2008", "2009", "2010"] {
        assert_eq!(b[y], "26,898,526", "Copenhagen {y}");
    }
    let sizes = segment_sizes(&c);
    assert_eq!(sizes.values().sum::<u32>(), 9500, "{sizes:?}");
    let match34: u32 = sizes.iter().filter(|(k, _)| k.starts_with("match 3-4")).map(|(_, v)| v).sum();
    assert_eq!(match34, 5000, "{sizes:?}");

    // Seed 000: 1.5 million DKK for 100 participants, Feb 2015 - Sep 2016.
    let c = check_text("aalborg-2015-integration-order.toml");
    let total: u64 = booked(&c).values().map(|a| a.replace(',', "").parse::<u64>().unwrap()).sum();
    assert_eq!(total, 1_500_000);
    assert_eq!(segment_sizes(&c).values().sum::<u32>(), 100);
    assert!(c.contains("from 2015-02 to 2016-09"), "{c}");

    // Seed 001: 690 refugees and family-reunified, 274 of them women (40 %).
    let c = check_text("aalborg-2018-refugees.toml");
    let sizes = segment_sizes(&c);
    assert_eq!(sizes.values().sum::<u32>(), 690, "{sizes:?}");
    let women: u32 = sizes.iter().filter(|(k, _)| k.starts_with("women")).map(|(_, v)| v).sum();
    assert_eq!(women, 274, "{sizes:?}");

    // Seed 004: 1 million DKK for each reinforcement in 2019, the municipality's own
    // carry-over ("overførselsmidler fra 2018"): no grant income.
    for name in [
        "aalborg-2019-reinforcement-youth.toml",
        "aalborg-2019-reinforcement-sickness.toml",
        "aalborg-2019-reinforcement-team.toml",
    ] {
        let c = check_text(name);
        let line = c.lines().find(|l| l.contains("(own funds moved between years, not income; pays for"));
        assert!(line.is_some_and(|l| l.ends_with("): 2019: 1,000,000")), "{name}: {c}");
        assert!(booked(&c).values().all(|a| a == "0"), "{name}: {c}");
    }
    // The team: 500 activity-ready recipients, about 10 staff (50 each) including the 2
    // more for a year: 8 existing staff.
    let c = check_text("aalborg-2019-reinforcement-team.toml");
    assert_eq!(segment_sizes(&c).values().sum::<u32>(), 500);
    assert!(c.contains("Staffing: baseline 8 FTE; caseload reference 50"), "{c}");
    let hired: f64 = c
        .lines()
        .filter_map(|l| l.trim().strip_prefix("hire: "))
        .filter(|l| l.contains("from 2019-07 to 2020-06"))
        .map(|l| l.split_whitespace().next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(hired, 2.0, "2 extra staff for a year");
    // Youth and sickness: 4 extra staff for the rest of 2019.
    for name in ["aalborg-2019-reinforcement-youth.toml", "aalborg-2019-reinforcement-sickness.toml"] {
        let c = check_text(name);
        assert!(c.lines().any(|l| l.trim().starts_with("hire: 4 FTE") && l.contains("to 2019-12")), "{name}");
    }
}

/// A shipped scenario's file, parsed.
fn shipped(name: &str) -> trappe::input::scenario::ScenarioFile {
    trappe::input::scenario::LoadedScenario::from_path(&repo().join("scenarios").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .file
}

/// The seed cases read as the seeds state them: Copenhagen's consultants from the memo's
/// month (seed 003, "Dato: 1. juni 2007"); Slagelse's unit to the end of the seed's time
/// plan ("januar 08 - dec.10") with its unused grant repaid like Copenhagen's from the
/// same pool; the Aalborg 2019 team of "omkring 10" as 8 existing staff and the 2 new.
#[test]
fn seed_cases_keep_the_seeds_dates_and_staff() {
    let cph = shipped("copenhagen-2007-job-consultant-pool.toml");
    let pool = &cph.staffing.as_ref().unwrap().hires[0];
    assert_eq!((pool.fte, pool.start.to_string()), (62.0, "2007-06".to_string()));
    assert_eq!(pool.end.map(|m| m.to_string()).as_deref(), Some("2010-12"));
    assert_eq!(cph.grants[0].unspent, trappe::input::scenario::Unspent::Repaid);

    let sla = shipped("slagelse-2007-integration-job-unit.toml");
    for hire in &sla.staffing.as_ref().unwrap().hires {
        assert_eq!(hire.end.map(|m| m.to_string()).as_deref(), Some("2010-12"), "{}", hire.name);
    }
    assert_eq!(sla.grants[0].unspent, trappe::input::scenario::Unspent::Repaid);
    assert_eq!(sla.scenario.start.to_string(), "2007-05");
    assert_eq!(sla.scenario.horizon_months, 44, "May 2007 to December 2010");

    let team = shipped("aalborg-2019-reinforcement-team.toml");
    let staffing = team.staffing.as_ref().unwrap();
    let hired: f64 = staffing.hires.iter().map(|h| h.fte).sum();
    assert_eq!((staffing.baseline_fte, hired), (8.0, 2.0), "a team of about 10 including the 2 new");
}
