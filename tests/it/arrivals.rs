//! Segments that arrive on a timetable (`arrives`, `inflow_from`, `inflow_until`) and
//! citizens moving between segments (`[[segment_moves]]`), in both engines: counts
//! present per month exactly, shares and moves against closed forms, probability 0
//! changing nothing, and the errors for bad input. Slagelse's referrals follow seed 002's
//! timetable.

use crate::common::*;
use trappe::model::{Model, SCENARIO};
use trappe::simulation::records::{Replication, monthly_columns, segment_columns};

/// One absorbing benefit state `a`, a benefit state `b`, and an exit `gone` (off benefit).
const STATES: &str = r#"
[[states]]
id = "a"
pays_benefit = true
[[states]]
id = "b"
pays_benefit = true
[[states]]
id = "gone"
"#;

/// Standard normal quantile for a two-sided false alarm of 1e-6 per comparison: every
/// statistical check below fails by chance with probability at most 1e-6.
const Z: f64 = 4.89;

/// A column of the whole cohort's monthly record, month by month, in one replication.
fn column(m: &Model, rep: &Replication, name: &str) -> Vec<f64> {
    let cols = monthly_columns(m);
    let c = cols.iter().position(|x| x == name).unwrap_or_else(|| panic!("no column {name}"));
    let w = cols.len();
    (0..=m.horizon).map(|k| rep.arms[0].monthly[k * w + c]).collect()
}

/// A column of segment `g`'s monthly record, month by month, in one replication.
fn segment_column(m: &Model, rep: &Replication, g: usize, name: &str) -> Vec<f64> {
    let cols = segment_columns(m);
    let c = cols.iter().position(|x| x == name).unwrap_or_else(|| panic!("no column {name}"));
    let (w, ng) = (cols.len(), m.segments.len());
    (0..=m.horizon).map(|k| rep.arms[0].segment_monthly[(k * ng + g) * w + c]).collect()
}

/// The mean over replications of a per-replication series.
fn mean_series(reps: &[Replication], f: impl Fn(&Replication) -> Vec<f64>) -> Vec<f64> {
    let all: Vec<Vec<f64>> = reps.iter().map(f).collect();
    (0..all[0].len()).map(|k| all.iter().map(|v| v[k]).sum::<f64>() / all.len() as f64).collect()
}

/// A segment of 100 in `a` arriving in April (month 4) beside 50 present from the
/// start, and an inflow of 2.5 a month from March to June (months 3 to 6): the citizens
/// who have entered are counted exactly, month by month, in every replication; and the
/// late segment's share still on benefit k months after its arrival month is (1 − p)^k
/// of its own citizens, with a → gone at p = 0.1.
fn arrivals_follow_the_timetable(engine: Engine) {
    let body = format!(
        r#"{STATES}
[[transitions]]
from = "a"
to = "gone"
probability = 0.1

[[segments]]
name = "early"
size = 50
start_state = "a"
benefit_type = "kh"

[[segments]]
name = "late"
size = 100
arrives = "2016-04"
start_state = "a"
benefit_type = "kh"

[[segments]]
name = "stream"
start_state = "a"
benefit_type = "kh"
inflow_per_month = 2.5
inflow_from = "2016-03"
inflow_until = "2016-06"
"#
    );
    let m = model(&scenario(&body, 12, 1, NO_REFUND));
    assert_eq!((m.initial_size(), m.total_size()), (50, 160));
    let reps = run_engine(&m, &[SCENARIO], engine, 400, 7);
    // Month:            0   1   2   3   4    5    6    7 ... 12
    let want_late = [0., 0., 0., 0., 100., 100., 100., 100., 100., 100., 100., 100., 100.];
    let want_stream = [0., 0., 0., 2., 5., 7., 10., 10., 10., 10., 10., 10., 10.];
    for rep in &reps {
        let entered = column(&m, rep, "entered");
        assert_eq!(segment_column(&m, rep, 1, "entered"), want_late, "late segment present");
        assert_eq!(segment_column(&m, rep, 2, "entered"), want_stream, "inflow window");
        let want: Vec<f64> = (0..=12).map(|k| 50.0 + want_late[k] + want_stream[k]).collect();
        assert_eq!(entered, want, "the whole cohort counts only those who have entered");
    }
    // The late segment in `a` at the end of month 4 + j: Binomial(100, 0.9^(j+1)).
    let in_a = mean_series(&reps, |r| segment_column(&m, r, 1, "occupancy:a"));
    let share = mean_series(&reps, |r| segment_column(&m, r, 1, "benefit_share"));
    for month in 4..=12 {
        let p = 0.9f64.powi(month as i32 - 3);
        let se = (100.0 * p * (1.0 - p) / reps.len() as f64).sqrt();
        assert!((in_a[month] - 100.0 * p).abs() < Z * se, "month {month}: {} vs {}", in_a[month], 100.0 * p);
        assert!((share[month] - in_a[month] / 100.0).abs() < 1e-12, "share of its own citizens");
    }
    assert_eq!(&in_a[..4], &[0.0; 4], "nobody of the late segment before April");
}

/// Two segments without moves between states: `from` (1,000 in `a`) and `to` (empty). A
/// move with monthly probability q puts n(1 − (1 − q)^m) in `to` after m months in
/// expectation (each citizen moves at most once: there is no way back), and exactly none
/// with q = 0. (A probability of 1 is refused, as for transitions.)
fn moves_between_segments_follow_the_closed_form(engine: Engine) {
    let text = |q: &str, extra: &str| {
        let body = format!(
            r#"{STATES}
[[segments]]
name = "from"
size = 1000
start_state = "a"
benefit_type = "kh"

[[segments]]
name = "to"
size = 0
start_state = "a"
benefit_type = "kh"

[[segment_moves]]
from = "from"
to = "to"
probability = {q}
{extra}
"#
        );
        scenario(&body, 12, 1, NO_REFUND)
    };
    let m = model(&text("0.1", ""));
    let reps = run_engine(&m, &[SCENARIO], engine, 300, 11);
    let to = mean_series(&reps, |r| segment_column(&m, r, 1, "entered"));
    for (month, &got) in to.iter().enumerate().skip(1) {
        let p = 1.0 - 0.9f64.powi(month as i32);
        let se = (1000.0 * p * (1.0 - p) / reps.len() as f64).sqrt();
        assert!((got - 1000.0 * p).abs() < Z * se, "month {month}: {got} vs {}", 1000.0 * p);
    }
    for rep in &reps {
        let total: Vec<f64> = column(&m, rep, "entered");
        assert!(total.iter().all(|&n| n == 1000.0), "moves keep the cohort whole");
        let (f, t) = (segment_column(&m, rep, 0, "entered"), segment_column(&m, rep, 1, "entered"));
        assert!(f.iter().zip(&t).all(|(a, b)| a + b == 1000.0));
        assert_eq!(segment_column(&m, rep, 1, "occupancy:a"), t, "a mover keeps its state");
        let moves = column(&m, rep, "segment_moves");
        assert_eq!(moves[0], 0.0);
        for k in 1..=12 {
            assert_eq!(moves[k], t[k] - t[k - 1], "the month's moves, month {k}");
        }
    }
    let m = model(&text("0.0", ""));
    for rep in run_engine(&m, &[SCENARIO], engine, 20, 13) {
        assert!(segment_column(&m, &rep, 1, "entered").iter().all(|&n| n == 0.0));
    }
}

/// A move limited to states: from state `b` only, at q = 0.5, the citizens in `a` stay
/// exactly where they are, and those in `b` join the other segment as in the closed
/// form: 180 × (1 − 0.5^m) after m months.
fn moves_limited_to_states_leave_other_states_alone(engine: Engine) {
    let body = format!(
        r#"{STATES}
[[segments]]
name = "match 4"
size = 300
start_states = {{ a = 0.4, b = 0.6 }}
benefit_type = "kh"

[[segments]]
name = "match 3"
size = 10
start_state = "a"
benefit_type = "kh"

[[segment_moves]]
from = "match 4"
to = "match 3"
probability = 0.5
states = ["b"]
"#
    );
    let m = model(&scenario(&body, 6, 1, NO_REFUND));
    let reps = run_engine(&m, &[SCENARIO], engine, 200, 3);
    for rep in &reps {
        assert_eq!(segment_column(&m, rep, 0, "occupancy:a"), [120.0; 7]);
        assert_eq!(segment_column(&m, rep, 1, "occupancy:a"), [10.0; 7]);
    }
    let moved = mean_series(&reps, |r| segment_column(&m, r, 1, "occupancy:b"));
    for (month, &got) in moved.iter().enumerate().skip(1) {
        let p = 1.0 - 0.5f64.powi(month as i32);
        let se = (180.0 * p * (1.0 - p) / reps.len() as f64).sqrt();
        assert!((got - 180.0 * p).abs() < Z * se, "month {month}: {got}");
    }
}

/// The default staircase with a move between two of its segments at probability 0 gives
/// results identical to the same file without it, in both arms, in every replication
/// (the monthly record then has a `segment_moves` column, 0 every month, and otherwise
/// the same columns).
fn a_move_with_probability_zero_changes_nothing(engine: Engine) {
    let text = default_text();
    let base = model(&text);
    let names: Vec<&str> = base.segments.iter().map(|s| s.name.as_str()).collect();
    let with = format!(
        "{text}\n[[segment_moves]]\nfrom = \"{}\"\nto = \"{}\"\nprobability = 0.0\n",
        names[0], names[1]
    );
    let moved = model(&with);
    let arms = [SCENARIO, trappe::model::COUNTERFACTUAL];
    let a = run_engine(&base, &arms, engine, 6, 5);
    let mut b = run_engine(&moved, &arms, engine, 6, 5);
    let cols = monthly_columns(&moved);
    let c = cols.iter().position(|x| x == "segment_moves").unwrap();
    for rep in &mut b {
        for run in &mut rep.arms {
            let rows: Vec<Vec<f64>> = run.monthly.chunks(cols.len()).map(|r| r.to_vec()).collect();
            assert!(rows.iter().all(|r| r[c] == 0.0));
            run.monthly = rows
                .into_iter()
                .flat_map(|mut r| [r.drain(..c).collect::<Vec<_>>(), r[1..].to_vec()].concat())
                .collect();
        }
    }
    assert_eq!(monthly_columns(&base).len() + 1, cols.len());
    assert_eq!(a, b);
}

test_both_engines!(
    arrivals_follow_the_timetable,
    moves_between_segments_follow_the_closed_form,
    moves_limited_to_states_leave_other_states_alone,
    a_move_with_probability_zero_changes_nothing,
);

/// The errors for bad timetables and bad moves: file, line, key, what was wanted and,
/// for a name, the nearest one.
#[test]
fn bad_timetables_and_moves_are_refused_with_house_style_errors() {
    let seg = |extra: &str| {
        format!(
            "{STATES}\n[[segments]]\nname = \"match 4\"\nsize = 10\nstart_state = \"a\"\nbenefit_type = \
             \"kh\"\n{extra}\n[[segments]]\nname = \"match 3\"\nsize = 10\nstart_state = \"a\"\nbenefit_type = \"kh\"\n"
        )
    };
    let cases: [(String, &[&str]); 11] = [
        (
            seg("arrives = \"2017-03\""),
            &[
                "segments[0].arrives",
                "within the simulated period",
                "\"2016-01\" to \"2016-12\"",
                "got \"2017-03\"",
            ],
        ),
        (seg("arrives = \"2015-12\""), &["segments[0].arrives", "within the simulated period"]),
        (
            seg("inflow_per_month = 1\ninflow_from = \"2016-06\"\ninflow_until = \"2016-03\""),
            &["segments[0].inflow_until", "ends (\"2016-03\") before it begins"],
        ),
        (
            seg("inflow_until = \"2016-03\""),
            &["segments[0].inflow_until", "has no `inflow_per_month`", "inflow_per_month"],
        ),
        (
            seg("").replacen("size = 10", "size = 0\narrives = \"2016-05\"", 1),
            &["segments[0].arrives", "has no citizens of its own"],
        ),
        (
            seg("") + "\n[[segment_moves]]\nfrom = \"match 4\"\nto = \"match  3\"\nprobability = 0.1\n",
            &["segment_moves[0].to", "no segment `match  3`", "match 3"],
        ),
        (
            seg("") + "\n[[segment_moves]]\nfrom = \"match 4\"\nto = \"match 4\"\nprobability = 0.1\n",
            &["segment_moves[0].to", "to itself"],
        ),
        (
            seg("") + "\n[[segment_moves]]\nfrom = \"match 4\"\nto = \"match 3\"\nprobability = 1.5\n",
            &["segment_moves[0].probability", "1.5"],
        ),
        (
            seg("")
                + "\n[[segment_moves]]\nfrom = \"match 4\"\nto = \"match 3\"\nprobability = 0.1\nstates = [\"bb\"]\n",
            &["segment_moves[0].states[0]", "no state `bb`", "b"],
        ),
        (
            seg("arrives = \"2016-05\"\nmonths_since_referral = 3"),
            &["segments[0].arrives", "referred in their month of arrival", "remove `months_since_referral`"],
        ),
        (
            seg("")
                + "\n[[segment_moves]]\nfrom = \"match 4\"\nto = \"match 3\"\nprobability = 0.1\n"
                + "\n[budget.result_grant]\namount = 1000\npaid_when = \"first_outflow\"\nsegments = [\"match 3\"]\n",
            &["segment_moves[0]", "`match 3`, which the result grant covers, and `match 4`", "cover both"],
        ),
    ];
    for (body, wanted) in cases {
        let e = error(&scenario(&body, 12, 1, NO_REFUND));
        assert!(e.contains("test.toml:"), "no file and line in: {e}");
        for w in wanted {
            assert!(e.contains(w), "`{w}` not in: {e}");
        }
    }
}

/// `trappe check` refuses a bad move before simulating, with exit code 2.
#[test]
fn check_exits_with_code_2_on_a_bad_move() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{STATES}\n[[segments]]\nname = \"x\"\nsize = 1\nstart_state = \"a\"\nbenefit_type = \"kh\"\n\n\
         [[segment_moves]]\nfrom = \"x\"\nto = \"y\"\nprobability = 0.1\n"
    );
    std::fs::write(dir.path().join("s.toml"), scenario(&body, 12, 1, NO_REFUND)).unwrap();
    let out = trappe(&["check", "s.toml"], dir.path());
    let (_, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("segment_moves[0].to") && stderr.contains("no segment `y`"), "{stderr}");
}

/// `monthly.csv` has a `segment_moves` row per arm and month with `[[segment_moves]]`,
/// and none without.
#[test]
fn monthly_csv_counts_the_moves_between_segments() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{STATES}\n[[segments]]\nname = \"x\"\nsize = 100\nstart_state = \"a\"\nbenefit_type = \"kh\"\n\n\
         [[segments]]\nname = \"y\"\nstart_state = \"a\"\nbenefit_type = \"kh\"\n\n\
         [[segment_moves]]\nfrom = \"x\"\nto = \"y\"\nprobability = 0.2\n"
    );
    std::fs::write(dir.path().join("s.toml"), scenario(&body, 6, 20, NO_REFUND)).unwrap();
    std::fs::write(dir.path().join("d.toml"), default_text()).unwrap();
    for (file, want) in [("s.toml", true), ("d.toml", false)] {
        let folder = format!("out-{file}");
        let out = trappe(&["run", file, "-o", &folder, "-q", "-n", "20"], dir.path());
        assert!(out.status.success(), "{}", texts(&out).1);
        let csv = std::fs::read_to_string(dir.path().join(&folder).join("monthly.csv")).unwrap();
        let rows = csv.lines().filter(|l| l.contains(",segment_moves,")).count();
        // Months 0..=horizon, for the scenario, the counterfactual and their difference.
        let months = if want { 7 } else { 0 };
        assert_eq!(rows, 3 * months, "{file}");
    }
}

/// Slagelse's referrals follow seed 002's timetable ("juni - december indledende
/// aktiviteter i Slagelse", "januar 08 - dec.10 parallelle aktiviteter i Slagelse ... og
/// i Korsør"): the Slagelse area's segments arrive in June 2007, Korsør's in January
/// 2008, about 340 in all (E-SLA07-3), nobody before June 2007.
#[test]
fn slagelse_referrals_follow_the_seeds_timetable() {
    let (_, m) = Model::load(&repo().join("scenarios/slagelse-2007-integration-job-unit.toml")).unwrap();
    let mut by_area = std::collections::BTreeMap::new();
    for g in &m.segments {
        let area = g.name.split(',').next().unwrap();
        let when = m.calendar(g.arrives).to_string();
        let expected = match area {
            "Slagelse" => "2007-06",
            "Korsør" => "2008-01",
            other => panic!("segment `{}` in no area of the seed ({other})", g.name),
        };
        assert_eq!(when, expected, "{}", g.name);
        *by_area.entry(area).or_insert(0) += g.size();
    }
    assert_eq!(by_area.values().sum::<u32>(), 340);
    assert_eq!((by_area["Slagelse"], by_area["Korsør"]), (226, 114), "two thirds in Slagelse (E-SLA07-7)");
    assert_eq!(m.initial_size(), 0, "nobody referred before June 2007");
    let reps = run_engine(&m, &[SCENARIO], Engine::Individual, 2, 1);
    let entered = column(&m, &reps[0], "entered");
    assert_eq!((entered[1], entered[2], entered[8], entered[9]), (0.0, 226.0, 226.0, 340.0));
}
