//! `trappe sensitivity`: the tornado ranks a parameter made to dominate first; the
//! threshold matches the closed form of a two-state chain; the acceptability curve starts
//! at the run's decision probability; the files do not depend on the threads; mistakes are
//! refused before anything is simulated.

use crate::common::*;
use statrs::distribution::{Binomial, DiscreteCDF};
use std::path::Path;

/// A two-state chain (benefit → job) whose staffing multiplier is held at its clamps: the
/// counterfactual has no staff (the multiplier at its minimum 0.5), and the hires make the
/// caseload so light that the multiplier is at its maximum 2 from the first month. So the
/// monthly probability of a job is `1 − (1 − p)^0.5` without the hires and `1 − (1 − p)^2`
/// with them, whatever the caseload, and the chain has a closed form.
fn two_state(size: u32, fte: u32, probability: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "two-state"
start = "2016-01"
horizon_months = 24

[simulation]
replications = 100
inner_replications = 5
seed = 42

[[states]]
id = "benefit"
pays_benefit = true
activity_cost = {{ dist = "uniform", min = 0, max = 1 }}
[[states]]
id = "job"
employed = true
self_supporting = true
[[transitions]]
from = "benefit"
to = "job"
probability = {probability}
staffing_sensitive = true
[[segments]]
name = "all"
size = {size}
start_state = "benefit"
benefit_type = "kh"

[staffing]
baseline_fte = 0
caseload_ref = {size}
elasticity = 5
multiplier_min = 0.5
multiplier_max = 2.0

[[staffing.hires]]
name = "hires"
fte = {fte}
start = "2016-01"
ramp_up_months = 0

[budget]
discount_rate = 0.0
staff_cost_per_fte_year = {{ dist = "uniform", min = 599000, max = 601000 }}
[budget.reimbursement]
regime = "none"

[budget.benefit_rates.kh]
rates = {{ 2016 = 10000 }}
indexation = 0.0
{extra}
"#
    )
}

/// The monthly probability of a job from p, with the multiplier m on the rate.
fn with_multiplier(p: f64, m: f64) -> f64 {
    1.0 - (1.0 - p).powf(m)
}

/// Expected benefit months per citizen over 24 months at a monthly probability q.
fn benefit_months(q: f64) -> f64 {
    (1.0 - (1.0 - q).powi(24)) / q
}

/// The root of a function increasing from negative at `lo` to positive at `hi`.
fn bisect(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    assert!(f(lo) < 0.0 && f(hi) > 0.0, "the closed form does not cross on the range");
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

/// The rows of a CSV file as maps from column to cell.
fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

/// The job probability swings the outcome by millions; the staff cost (±1,000 DKK a year)
/// and the activity cost (0 to 1 DKK a month) by thousands. The job probability comes
/// first in both tornados, and the costs, which do not change anyone's path, swing the
/// employment outcome by exactly nothing.
#[test]
fn a_parameter_made_to_dominate_is_ranked_first() {
    let dir = tempfile::tempdir().unwrap();
    let text = two_state(400, 2, r#"{ dist = "uniform", min = 0.01, max = 0.09 }"#, "");
    std::fs::write(dir.path().join("two.toml"), text).unwrap();
    let out = ok(&["sensitivity", "two.toml", "--level-replications", "100", "-q", "-o", "s"], dir.path());
    assert!(out.contains("Which assumption matters"), "{out}");
    let all = rows(&dir.path().join("s/sensitivity.csv"));
    for measure in ["net_municipal_effect", "extra_self_supporting"] {
        let ranked: Vec<&str> =
            all.iter().filter(|r| r["measure"] == measure).map(|r| r["parameter"].as_str()).collect();
        assert_eq!(ranked.len(), 3, "{measure}: {ranked:?}");
        assert_eq!(ranked[0], "transitions.benefit->job.probability", "{measure}: {ranked:?}");
    }
    for r in all.iter().filter(|r| r["measure"] == "extra_self_supporting" && r["rank"] != "1") {
        assert_eq!((r["swing"].as_str(), r["monte_carlo_se"].as_str()), ("0", "0"), "{r:?}");
    }
    let staff = all
        .iter()
        .find(|r| {
            r["measure"] == "net_municipal_effect" && r["parameter"] == "budget.staff_cost_per_fte_year"
        })
        .unwrap();
    // 2 FTE for 2 years at 599,100 against 600,900 (the 5th and 95th percentiles): 7,200 DKK.
    assert!((staff["swing"].parse::<f64>().unwrap() - 7_200.0).abs() < 1e-6, "{staff:?}");
    assert_eq!(staff["low_value"], "599100");
}

/// A group moves its members together, and replaces them in the tornado and in the value
/// of information.
#[test]
fn a_group_is_one_lever() {
    let dir = tempfile::tempdir().unwrap();
    let text = two_state(400, 2, r#"{ dist = "uniform", min = 0.01, max = 0.09 }"#, "");
    std::fs::write(dir.path().join("two.toml"), text).unwrap();
    let args = [
        "sensitivity",
        "two.toml",
        "--level-replications",
        "50",
        "--group",
        "costs=budget.staff_cost_per_fte_year,states.*",
        "-q",
        "-o",
        "s",
    ];
    ok(&args, dir.path());
    let all = rows(&dir.path().join("s/sensitivity.csv"));
    let names: Vec<&str> = all.iter().map(|r| r["parameter"].as_str()).collect();
    assert!(names.contains(&"costs") && !names.contains(&"budget.staff_cost_per_fte_year"), "{names:?}");
    let costs =
        all.iter().find(|r| r["measure"] == "net_municipal_effect" && r["parameter"] == "costs").unwrap();
    assert_eq!(costs["members"], "budget.staff_cost_per_fte_year + states.benefit.activity_cost");
    assert_eq!(costs["low_value"], "");
    let values = rows(&dir.path().join("s/sensitivity_value_of_information.csv"));
    assert!(
        values.iter().any(|r| r["parameter"] == "costs" && r["members"] == costs["members"]),
        "{values:?}"
    );
}

/// The break-even value of the job probability, and the value at which the target
/// "half self-supporting after 24 months" is met with probability 0.8, match the chain's
/// closed form. Break-even: N · 10,000 · (M(q₀(p)) − M(q₁(p))) = staff cost, with M the
/// expected benefit months. The target: P(Binomial(N, 1 − (1 − q₁(p))^24) ≥ N/2) = 0.8.
/// The tolerances are about five Monte Carlo standard errors of each threshold, and
/// smaller than the shift a multiplier on the probability instead of the rate would make
/// (4.5·10⁻⁴ and 3·10⁻⁴).
#[test]
fn the_threshold_matches_the_closed_form_on_a_two_state_chain() {
    let dir = tempfile::tempdir().unwrap();
    let p = r#"{ dist = "uniform", min = 0.01, max = 0.09 }"#;
    std::fs::write(dir.path().join("big.toml"), two_state(20_000, 1_000, p, "")).unwrap();
    let target =
        "[[targets]]\nname = \"half\"\nmetric = \"self_supporting_share\"\nmonth = 24\nat_least = 0.5\n";
    std::fs::write(dir.path().join("small.toml"), two_state(400, 2, p, target)).unwrap();
    let key = "transitions.benefit->job.probability";
    for (file, out) in [("big.toml", "b"), ("small.toml", "s")] {
        let args = ["sensitivity", file, "--threshold", key, "--level-replications", "1000", "-q", "-o", out];
        ok(&args, dir.path());
    }
    let found = |out: &str, goal: &str| -> f64 {
        let all = rows(&dir.path().join(out).join("sensitivity_threshold.csv"));
        let r = all.iter().find(|r| r["goal"] == goal).unwrap_or_else(|| panic!("no {goal}: {all:?}"));
        assert_eq!(r["found"], "crossing", "{r:?}");
        r["value"].parse().unwrap()
    };

    let (n, cost) = (20_000.0, 1_000.0 * 600_000.0 * 2.0);
    let net = |p: f64| {
        n * 10_000.0 * (benefit_months(with_multiplier(p, 0.5)) - benefit_months(with_multiplier(p, 2.0)))
            - cost
    };
    let want = bisect(net, 0.0108, 0.0892);
    let got = found("b", "break_even");
    assert!((got - want).abs() < 1e-4, "break-even at {got}, closed form {want}");

    let met = |p: f64| {
        let share = 1.0 - (1.0 - with_multiplier(p, 2.0)).powi(24);
        let b = Binomial::new(share, 400).unwrap();
        (1.0 - b.cdf(199)) - 0.8
    };
    let want = bisect(met, 0.0108, 0.0892);
    let got = found("s", "target:half");
    assert!((got - want).abs() < 2.5e-4, "target met with 0.8 at {got}, closed form {want}");
}

/// The acceptability curve at a price of 0 is the run's decision figure: the probability
/// that the expected net municipal effect is favourable, from `trappe run` with the same
/// seed and size.
#[test]
fn the_acceptability_curve_starts_at_the_decision_probability() {
    let dir = tempfile::tempdir().unwrap();
    let text = two_state(400, 2, r#"{ dist = "uniform", min = 0.0005, max = 0.004 }"#, "");
    std::fs::write(dir.path().join("two.toml"), text).unwrap();
    let run = ok(&["run", "two.toml", "-n", "200", "-q", "-o", "r"], dir.path());
    ok(&["sensitivity", "two.toml", "-n", "200", "--level-replications", "20", "-q", "-o", "s"], dir.path());
    let label = "probability that the expected net municipal effect is favourable: ";
    let decision = run[run.find(label).unwrap_or_else(|| panic!("{run}")) + label.len()..]
        .lines()
        .next()
        .unwrap()
        .trim_end_matches(" %")
        .parse::<f64>()
        .unwrap()
        / 100.0;
    assert!(decision > 0.05 && decision < 0.95, "the case should be undecided: {decision}");
    let acc = rows(&dir.path().join("s/sensitivity_acceptability.csv"));
    let at_zero = acc
        .iter()
        .find(|r| {
            r["valued"] == "extra_self_supporting" && r["willingness_to_pay"] == "0" && r["option"] == "two"
        })
        .unwrap();
    // 40 draws: the probability is a whole number of 2.5 %, which the terminal prints exactly.
    let p: f64 = at_zero["probability_best"].parse().unwrap();
    assert!((p - decision).abs() < 1e-9, "acceptability at 0: {p}, the run's decision figure {decision}");
}

/// The files are the same bytes on one thread and on two.
#[test]
fn sensitivity_files_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let text = two_state(400, 2, r#"{ dist = "uniform", min = 0.01, max = 0.09 }"#, "");
    std::fs::write(dir.path().join("two.toml"), text).unwrap();
    for (threads, out) in [("1", "t1"), ("2", "t2")] {
        let args = [
            "sensitivity",
            "two.toml",
            "-n",
            "50",
            "--level-replications",
            "20",
            "--threshold",
            "transitions.benefit->job.probability",
            "--grid",
            "transitions.benefit->job.probability",
            "staffing.hires[0].fte=1..3:1",
            "-j",
            threads,
            "-q",
            "-o",
            out,
        ];
        ok(&args, dir.path());
    }
    for file in [
        "sensitivity.csv",
        "sensitivity_acceptability.csv",
        "sensitivity_value_of_information.csv",
        "sensitivity_threshold.csv",
        "sensitivity_threshold_scan.csv",
        "sensitivity_grid.csv",
    ] {
        let read = |d: &str| std::fs::read(dir.path().join(d).join(file)).unwrap();
        assert!(read("t1") == read("t2"), "{file} differs between 1 and 2 threads");
    }
}

/// Mistakes are refused with the argument, the key and the nearest valid key, before
/// anything is simulated or written.
#[test]
fn mistakes_are_refused_before_anything_is_simulated() {
    let dir = tempfile::tempdir().unwrap();
    let text = two_state(400, 2, r#"{ dist = "uniform", min = 0.01, max = 0.09 }"#, "");
    std::fs::write(dir.path().join("two.toml"), text).unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--group", "g=staffing.elastcity"],
            "error: --group g=staffing.elastcity: key `staffing.elastcity`: `staffing.elastcity` names no uncertain \
             parameter",
        ),
        (
            &["--threshold", "staffing.hires[0].fte"],
            "is not an uncertain parameter, so there is no distribution to search over: give the range, e.g. \
             --threshold 'staffing.hires[0].fte=0..10'",
        ),
        (
            &["--threshold", "transitions.benefit->job.probability=0.5..0.1"],
            "is not a range FROM..TO with FROM below TO",
        ),
        (&["--grid", "staffing.nokey", "staffing.hires[0].fte=1..2:1"], "--grid staffing.nokey"),
        (&["--level-replications", "1"], "--level-replications"),
    ];
    for (extra, want) in cases {
        let mut args = vec!["sensitivity", "two.toml", "-q", "-o", "never"];
        args.extend(extra);
        let err = fails(&args, dir.path());
        assert!(err.contains(want), "{extra:?}: {err}");
        assert!(!dir.path().join("never").exists(), "{extra:?} wrote a folder");
    }
    let err =
        fails(&["sensitivity", "two.toml", "--group", "g=budget.staff_cost_per_fte_yaer", "-q"], dir.path());
    assert!(err.contains("did you mean `budget.staff_cost_per_fte_year`?"), "{err}");
    let err = fails(
        &["sensitivity", "two.toml", "--threshold", "transitions.benefit->job.probabilty", "-q"],
        dir.path(),
    );
    assert!(
        err.contains("did you mean the uncertain parameter `transitions.benefit->job.probability`?"),
        "{err}"
    );
    let err = fails(&["sensitivity", "two.toml", "--threshold", "-q"], dir.path());
    assert!(err.contains("--threshold staffing.elasticity: key `staffing.elasticity`"), "{err}");
}

/// Every column of the sensitivity files is documented in docs/outputs.md under the file's
/// heading, and nothing else is.
#[test]
fn sensitivity_columns_are_documented() {
    let dir = tempfile::tempdir().unwrap();
    let text = two_state(400, 2, r#"{ dist = "uniform", min = 0.01, max = 0.09 }"#, "");
    std::fs::write(dir.path().join("two.toml"), text).unwrap();
    let args = [
        "sensitivity",
        "two.toml",
        "-n",
        "20",
        "--level-replications",
        "10",
        "--threshold",
        "transitions.benefit->job.probability",
        "--grid",
        "transitions.benefit->job.probability",
        "staffing.hires[0].fte=1..2:1",
        "-q",
        "-o",
        "doc",
    ];
    ok(&args, dir.path());
    let doc = std::fs::read_to_string(repo().join("docs/outputs.md")).unwrap();
    for (file, documented_as) in [
        ("sensitivity.csv", "sensitivity.csv"),
        ("sensitivity_threshold.csv", "sensitivity_threshold.csv"),
        ("sensitivity_threshold_scan.csv", "sensitivity_threshold_scan.csv"),
        ("sensitivity_grid.csv", "sensitivity_grid.csv"),
        ("sensitivity_acceptability.csv", "compare_acceptability.csv"),
        ("sensitivity_value_of_information.csv", "compare_value_of_information.csv"),
    ] {
        let heading = format!("### `{documented_as}`");
        let start = doc.find(&heading).unwrap_or_else(|| panic!("docs/outputs.md has no {heading}"));
        let section = &doc[start + heading.len()..];
        let section = &section[..section.find("\n#").unwrap_or(section.len())];
        let mut documented: Vec<String> = section
            .lines()
            .filter(|l| l.starts_with("| `"))
            .flat_map(|l| {
                let first = l.split('|').nth(1).unwrap_or("");
                first.split('`').skip(1).step_by(2).map(str::to_string).collect::<Vec<_>>()
            })
            .collect();
        let text = std::fs::read_to_string(dir.path().join("doc").join(file)).unwrap();
        let mut header: Vec<String> = text.lines().next().unwrap().split(',').map(str::to_string).collect();
        documented.sort();
        header.sort();
        assert_eq!(documented, header, "{file}: documented columns against the header");
    }
}
