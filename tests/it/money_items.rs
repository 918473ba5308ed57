//! The money items beyond benefit and staff, to the krone on small hand-computed cases:
//! partial benefit with an earnings offset, the education the municipality co-pays,
//! the state's result grant, reimbursement rules that change on a date, and the net
//! benefit saving split into fewer months and a changed reimbursement share.
//!
//! "Certain" moves use a monthly probability of 1 − 10⁻¹², the largest the format allows
//! short of 1: with the scenarios' seed, every citizen makes them.

use crate::common::*;
use trappe::budget::{BudgetYears, Flow, Item, items_for, net_benefit_saving_split};
use trappe::model::{Model, SCENARIO};
use trappe::simulation::records::Replication;

/// A monthly probability that, in these small cases, every citizen takes.
const CERTAIN: &str = "0.999999999999";

/// Budget item `it` over the horizon.
fn item(by: &BudgetYears, it: Item) -> f64 {
    by.total[Item::ALL.iter().position(|x| *x == it).unwrap()]
}

/// Asserts `got` is `want` to a thousandth of a krone.
fn krone(engine: Engine, what: &str, got: f64, want: f64) {
    assert!((got - want).abs() < 1e-3, "{engine} engine, {what}: {got} against {want}");
}

/// The scenario arm of `text`, 2 replications with `engine`.
fn run(text: &str, engine: Engine) -> (Model, Vec<Replication>) {
    let m = model(text);
    let reps = run_engine(&m, &[SCENARIO], engine, 2, m.seed);
    (m, reps)
}

/// Reimbursement share of the `k`-th cumulative month on benefit, from the law's bands.
fn law_2016(k: u32) -> f64 {
    match k {
        1 => 0.8,
        2..=6 => 0.4,
        7..=12 => 0.3,
        _ => 0.2,
    }
}

const R2016: &str = "[budget.reimbursement]\nregime = \"2016\"\n";

/// Ten citizens in a small job (40 % of the 10,000 DKK benefit paid) and five on the full
/// benefit, for a year under the 2016 staircase: per month 10 × 4,000 + 5 × 10,000 =
/// 90,000 DKK paid, 10 × 6,000 = 60,000 offset by earnings, and the band's share of what
/// is paid reimbursed: 90,000 × (0.8 + 5 × 0.4 + 6 × 0.3) = 414,000 over the year.
fn partial_benefit_pays_its_share_and_reimburses_what_is_paid(engine: Engine) {
    let body = r#"
[[states]]
id = "benefit"
pays_benefit = true
[[states]]
id = "small_job"
pays_benefit = true
paid_benefit_share = 0.4
[[states]]
id = "job"
employed = true
[[transitions]]
from = "benefit"
to = "job"
probability = 0.0
[[segments]]
name = "small"
size = 10
start_state = "small_job"
benefit_type = "kh"
[[segments]]
name = "full"
size = 5
start_state = "benefit"
benefit_type = "kh"
"#;
    let (m, reps) = run(&scenario(body, 12, 2, R2016), engine);
    for r in &reps {
        let flows = &r.arms[0].flows;
        for (k, f) in flows.iter().enumerate() {
            let what = format!("replication {}, month {}", r.index, k + 1);
            krone(engine, &what, f[Flow::GrossBenefit as usize], 90_000.0);
            krone(engine, &what, f[Flow::EarningsOffset as usize], 60_000.0);
            krone(engine, &what, f[Flow::Reimbursement as usize], 90_000.0 * law_2016(k as u32 + 1));
        }
        let by = items_for(m.start, flows);
        let what = format!("replication {}", r.index);
        krone(engine, &what, item(&by, Item::GrossBenefit), 1_080_000.0);
        krone(engine, &what, item(&by, Item::EarningsOffset), 720_000.0);
        krone(engine, &what, item(&by, Item::Reimbursement), 414_000.0);
        krone(engine, &what, item(&by, Item::NetBenefit), 666_000.0);
        krone(engine, &what, item(&by, Item::TotalNetCost), 666_000.0);
        krone(engine, &what, item(&by, Item::PublicCost), 1_080_000.0);
    }
}

/// Ten citizens in an education the municipality co-pays at 5,000 DKK a month, a
/// quarter reimbursed: 10 × 5,000 × 12 × 0.75 = 450,000 DKK of municipal net cost over a
/// year, and the whole 600,000 in the public-sector cost.
fn education_cost_is_booked_per_month_net_of_its_reimbursement(engine: Engine) {
    let body = r#"
[[states]]
id = "benefit"
pays_benefit = true
[[states]]
id = "fgu"
education = true
education_cost = 5000
[[transitions]]
from = "fgu"
to = "benefit"
probability = 0.0
[[segments]]
name = "all"
size = 10
start_state = "fgu"
benefit_type = "kh"
"#;
    let text = scenario(body, 12, 2, &format!("education_cost_reimbursement = 0.25\n{NO_REFUND}"));
    let (m, reps) = run(&text, engine);
    for r in &reps {
        for (k, f) in r.arms[0].flows.iter().enumerate() {
            let what = format!("replication {}, month {}", r.index, k + 1);
            krone(engine, &what, f[Flow::EducationCost as usize], 50_000.0);
            krone(engine, &what, f[Flow::EducationReimbursement as usize], 12_500.0);
        }
        let by = items_for(m.start, &r.arms[0].flows);
        let what = format!("replication {}", r.index);
        krone(engine, &what, item(&by, Item::EducationCost), 450_000.0);
        krone(engine, &what, item(&by, Item::TotalNetCost), 450_000.0);
        krone(engine, &what, item(&by, Item::PublicCost), 600_000.0);
    }
}

/// The states of the result-grant cases: benefit, and a job from which citizens may go
/// straight back (`back`: the probability of doing so).
fn in_and_out(back: &str, grant: &str, horizon: u32) -> String {
    let body = format!(
        r#"
[[states]]
id = "benefit"
pays_benefit = true
[[states]]
id = "job"
employed = true
self_supporting = true
[[transitions]]
from = "benefit"
to = "job"
probability = {CERTAIN}
[[transitions]]
from = "job"
to = "benefit"
probability = {back}
[[segments]]
name = "refugees"
size = 10
start_state = "benefit"
benefit_type = "ib"
[[segments]]
name = "others"
size = 5
start_state = "benefit"
benefit_type = "kh"
"#
    );
    scenario(
        &body,
        horizon,
        2,
        &format!("{NO_REFUND}{grant}\n[budget.benefit_rates.ib]\nrates = {{ 2016 = 6000 }}\n"),
    )
}

/// The result grant is paid once per citizen, in the month of the first move off benefit
/// into work, for the benefit types it covers: the ten refugees leave at the end of
/// month 1 (50,000 DKK each: 500,000), come back and leave again every other month
/// without another grant; the five others earn none.
fn result_grant_is_paid_once_on_the_first_outflow(engine: Engine) {
    let grant =
        "[budget.result_grant]\namount = 50000\npaid_when = \"first_outflow\"\nbenefit_types = [\"ib\"]\n";
    let (m, reps) = run(&in_and_out(CERTAIN, grant, 12), engine);
    for r in &reps {
        let flows = &r.arms[0].flows;
        for (k, f) in flows.iter().enumerate() {
            let want = if k == 0 { 500_000.0 } else { 0.0 };
            krone(
                engine,
                &format!("replication {}, month {}", r.index, k + 1),
                f[Flow::ResultGrant as usize],
                want,
            );
        }
        let by = items_for(m.start, flows);
        let what = format!("replication {}", r.index);
        krone(engine, &what, item(&by, Item::ResultGrant), 500_000.0);
        // The citizens alternate: on benefit in months 1, 3, 5, …, 11 (6 months), the
        // refugees at 6,000 and the others at 10,000 DKK; no reimbursement.
        let benefit = 6.0 * (10.0 * 6_000.0 + 5.0 * 10_000.0);
        krone(engine, &what, item(&by, Item::TotalNetCost), benefit - 500_000.0);
    }
}

/// Paid after six consecutive months in work, for the segments named: everyone leaves
/// benefit at the end of month 1 and stays in work, so the sixth month in work is month 7;
/// only the five "others" are covered (5 × 40,000 = 200,000 DKK in month 7).
fn result_grant_after_six_months_in_work_is_paid_in_the_sixth_month(engine: Engine) {
    let grant = "[budget.result_grant]\namount = 40000\npaid_when = \"six_months_in_work\"\nsegments = [\"others\"]\n";
    let (_, reps) = run(&in_and_out("0.0", grant, 12), engine);
    for r in &reps {
        for (k, f) in r.arms[0].flows.iter().enumerate() {
            let want = if k == 6 { 200_000.0 } else { 0.0 };
            krone(
                engine,
                &format!("replication {}, month {}", r.index, k + 1),
                f[Flow::ResultGrant as usize],
                want,
            );
        }
    }
}

/// Pre-2016 rules to December 2015 (65 % active, 35 % passive), the 2016 staircase from
/// January 2016, with months on benefit before the change counted. Ten passive citizens
/// new to benefit in July 2015 and ten active long-term ones (24 months before): each
/// month of 2015 10 × 10,000 × 0.35 + 10 × 10,000 × 0.65 = 100,000 DKK reimbursed; in
/// January-June 2016 the new ones are in their 7th-12th month (30 %) and the long-term
/// ones past the 12th (20 %): 30,000 + 20,000 = 50,000 a month.
fn reimbursement_changes_on_its_date_with_months_before_counted(engine: Engine) {
    let body = r#"
[[states]]
id = "passive"
pays_benefit = true
[[states]]
id = "course"
pays_benefit = true
activation = true
[[states]]
id = "job"
employed = true
[[transitions]]
from = "passive"
to = "job"
probability = 0.0
[[segments]]
name = "new"
size = 10
start_state = "passive"
benefit_type = "kh"
[[segments]]
name = "long"
size = 10
start_state = "course"
benefit_type = "kh"
months_on_benefit = 24
"#;
    let regimes = r#"[budget.reimbursement]
regime = "pre2016"
active_rate = 0.65
passive_rate = 0.35
[[budget.reimbursement.changes]]
from = "2016-01"
regime = "2016"
"#;
    let text = scenario(body, 12, 2, regimes).replace("start = \"2016-01\"", "start = \"2015-07\"");
    let (m, reps) = run(&text, engine);
    for r in &reps {
        let flows = &r.arms[0].flows;
        for (k, f) in flows.iter().enumerate() {
            let want = if k < 6 { 100_000.0 } else { 50_000.0 };
            let what = format!("replication {}, {}", r.index, m.calendar(k + 1));
            krone(engine, &what, f[Flow::Reimbursement as usize], want);
            krone(engine, &what, f[Flow::GrossBenefit as usize], 200_000.0);
        }
        let by = items_for(m.start, flows);
        assert_eq!(by.years, vec![2015, 2016]);
        krone(
            engine,
            "2015",
            by.values[0][Item::ALL.iter().position(|x| *x == Item::Reimbursement).unwrap()],
            600_000.0,
        );
        krone(
            engine,
            "2016",
            by.values[1][Item::ALL.iter().position(|x| *x == Item::Reimbursement).unwrap()],
            300_000.0,
        );
    }
}

test_both_engines!(
    partial_benefit_pays_its_share_and_reimburses_what_is_paid,
    education_cost_is_booked_per_month_net_of_its_reimbursement,
    result_grant_is_paid_once_on_the_first_outflow,
    result_grant_after_six_months_in_work_is_paid_in_the_sixth_month,
    reimbursement_changes_on_its_date_with_months_before_counted,
);

/// The split by hand: the counterfactual pays 1,000,000 DKK gross with 350,000
/// reimbursed (35 %), the scenario 800,000 with 360,000 (45 %). The net benefit saving
/// is 650,000 − 440,000 = 210,000: 200,000 × 0.65 = 130,000 from fewer months and
/// 800,000 × 0.10 = 80,000 from the higher share.
#[test]
fn the_saving_split_sums_to_the_net_benefit_saving_by_hand() {
    let (months, share) = net_benefit_saving_split((800_000.0, 360_000.0), (1_000_000.0, 350_000.0));
    assert!((months - 130_000.0).abs() < 1e-6, "{months}");
    assert!((share - 80_000.0).abs() < 1e-6, "{share}");
    // With no benefit in the counterfactual the whole net benefit is the scenario's.
    let (months, share) = net_benefit_saving_split((100.0, 30.0), (0.0, 0.0));
    assert!((months + 100.0).abs() < 1e-12 && (share - 30.0).abs() < 1e-12);
}

/// In every replication of a run, the two parts in replications.csv sum to the net
/// benefit saving and follow from the arms' gross benefit and reimbursement; and the
/// terminal says how much of Copenhagen's saving is the state's higher share for
/// activated citizens.
#[test]
fn the_saving_split_is_reported_per_replication_and_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let scen = repo().join("scenarios/copenhagen-2007-job-consultant-pool.toml");
    let out = dir.path().join("out");
    let o = trappe(
        &["run", scen.to_str().unwrap(), "-n", "20", "--engine", "count", "--out", out.to_str().unwrap()],
        dir.path(),
    );
    let (stdout, stderr) = texts(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("comes from fewer benefit months")
            && stdout.contains("from the state reimbursing a higher share of the benefit still paid")
            && stdout.contains("activation, reimbursed at the higher active rate"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(out.join("replications.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<f64>> =
        lines.map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap_or(f64::NAN)).collect()).collect();
    let rows_of = |arm: &str| -> Vec<Vec<f64>> {
        text.lines()
            .skip(1)
            .zip(&rows)
            .filter(|(l, _)| l.split(',').nth(1) == Some(arm))
            .map(|(_, r)| r.clone())
            .collect()
    };
    let (sc, cf, df) = (rows_of("scenario"), rows_of("counterfactual"), rows_of("difference"));
    assert_eq!(df.len(), 20);
    for ((s, c), d) in sc.iter().zip(&cf).zip(&df) {
        let (net, months, share) = (
            d[col("net_benefit_saving")],
            d[col("net_benefit_saving_from_months")],
            d[col("net_benefit_saving_from_share")],
        );
        assert!((months + share - net).abs() < 1e-6 * net.abs().max(1.0), "{months} + {share} vs {net}");
        let (b_s, r_s, b_c, r_c) = (
            s[col("gross_benefit")],
            s[col("reimbursement")],
            c[col("gross_benefit")],
            c[col("reimbursement")],
        );
        let want_months = (b_c - b_s) * (1.0 - r_c / b_c);
        let want_share = b_s * (r_s / b_s - r_c / b_c);
        // replications.csv rounds amounts; the shares are checked against the rounded inputs.
        assert!((months - want_months).abs() < 1.0, "{months} vs {want_months}");
        assert!((share - want_share).abs() < 1.0, "{share} vs {want_share}");
    }
}

/// Bad money input is refused before any simulation, with file, line, key and a
/// suggestion where one applies.
#[test]
fn bad_money_input_is_refused_with_its_key() {
    let body = r#"
[[states]]
id = "benefit"
pays_benefit = true
[[states]]
id = "job"
employed = true
[[transitions]]
from = "benefit"
to = "job"
probability = 0.1
[[segments]]
name = "all"
size = 10
start_state = "benefit"
benefit_type = "kh"
"#;
    let base = scenario(body, 12, 2, R2016);
    let cases: Vec<(String, &[&str])> = vec![
        (
            base.replace("id = \"job\"\nemployed = true", "id = \"job\"\nemployed = true\npaid_benefit_share = 0.5"),
            &["test.toml:", "key `states[1].paid_benefit_share`", "state `job` pays no benefit"],
        ),
        (
            base.replace("pays_benefit = true", "pays_benefit = true\npaid_benefit_share = 1.5"),
            &["key `states[0].paid_benefit_share`"],
        ),
        (
            base.replace("employed = true", "employed = true\neducation_cost = 3000"),
            &["key `budget`", "`education_cost_reimbursement`"],
        ),
        (
            base.replace("discount_rate = 0.0", "discount_rate = 0.0\neducation_cost_reimbursement = 0.5"),
            &["key `budget.education_cost_reimbursement`", "no state has an `education_cost`"],
        ),
        (
            format!("{base}\n[budget.result_grant]\namount = 1000\npaid_when = \"first_outflow\"\nsegments = [\"al\"]\n"),
            &["key `budget.result_grant.segments[0]`", "no segment is named `al`", "did you mean `all`?"],
        ),
        (
            format!("{base}\n[budget.result_grant]\namount = 1000\npaid_when = \"first_outflow\"\nbenefit_types = [\"kx\"]\n"),
            &["key `budget.result_grant.benefit_types[0]`", "did you mean `kh`?"],
        ),
        (
            format!("{base}\n[budget.result_grant]\namount = 1000\npaid_when = \"at_once\"\n"),
            &["paid_when", "first_outflow"],
        ),
        (
            base.replace(R2016, &format!("{R2016}[[budget.reimbursement.changes]]\nfrom = \"2018-01\"\nregime = \"none\"\n")),
            &["key `budget.reimbursement.changes[0].from`", "no later than the last simulated month 2016-12", "\"2018-01\""],
        ),
        (
            base.replace(R2016, &format!("{R2016}[[budget.reimbursement.changes]]\nfrom = \"2016-01\"\nregime = \"none\"\n")),
            &["key `budget.reimbursement.changes[0].from`", "after the start 2016-01"],
        ),
        (
            base.replace(
                R2016,
                &format!("{R2016}[[budget.reimbursement.changes]]\nfrom = \"2016-06\"\nregime = \"pre2016\"\nactive_rate = 0.5\n"),
            ),
            &["key `budget.reimbursement.changes[0].regime`", "needs `passive_rate`"],
        ),
        (
            base.replace(
                R2016,
                "[budget.reimbursement]\nregime = \"pre2016\"\nactive_rate = 0.5\npassive_rate = 0.3\n[[budget.reimbursement.changes]]\nfrom = \"2016-03\"\nregime = \"2016\"\nreset_after_months = 6\n[[budget.reimbursement.changes]]\nfrom = \"2016-06\"\nregime = \"2016\"\nreset_after_months = 12\n",
            ),
            &["key `budget.reimbursement.changes[1].reset_after_months`", "the same months off benefit"],
        ),
    ];
    for (text, wanted) in cases {
        let e = error(&text);
        for w in wanted {
            assert!(e.contains(w), "expected `{w}` in:\n{e}");
        }
    }
}

/// The shipped cases use the money items their seeds call for: partial benefit in the
/// small-job, reduced-hours and partial-return states, the FGU contribution in the youth
/// case, the result grant for the 2018 refugees, and the 2016 staircase from January
/// 2016 in the Aalborg 2015–16 case.
#[test]
fn shipped_scenarios_use_the_money_items_their_seeds_call_for() {
    let load = |name: &str| Model::load(&repo().join("scenarios").join(name)).unwrap().1;
    let partial = |m: &Model, state: &str| {
        let s = m.state_index(state).unwrap_or_else(|| panic!("{}: no state {state}", m.name));
        m.budget.paid_benefit_share[s].as_ref().map(|d| d.mean())
    };
    for (file, state) in [
        ("aalborg-2019-reinforcement-team.toml", "small_job"),
        ("aalborg-2019-reinforcement-youth.toml", "small_job"),
        ("aalborg-2019-reinforcement-sickness.toml", "partial_return"),
        ("aalborg-2018-refugees.toml", "small_job"),
        ("aalborg-2015-integration-order.toml", "reduced_hours"),
    ] {
        let share =
            partial(&load(file), state).unwrap_or_else(|| panic!("{file}: {state} pays the full benefit"));
        assert!(share > 0.0 && share < 1.0, "{file}: {share}");
    }
    let youth = load("aalborg-2019-reinforcement-youth.toml");
    assert!(youth.budget.education_cost[youth.state_index("education").unwrap()].is_some());
    assert!(load("aalborg-2018-refugees.toml").budget.result_grant.is_some());
    let a15 = load("aalborg-2015-integration-order.toml");
    assert!(matches!(a15.budget.reimbursement, trappe::budget::Reimbursement::Pre2016 { .. }));
    let change = &a15.budget.reimbursement_changes;
    assert_eq!(change.len(), 1);
    assert_eq!(change[0].from.to_string(), "2016-01");
    assert!(matches!(change[0].regime, trappe::budget::Reimbursement::Staircase2016 { .. }));
    // Every shipped horizon that crosses January 2016 changes its rules there.
    for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let m = Model::load(&path).unwrap().1;
            let crosses = m.calendar(1).year < 2016 && m.calendar(m.horizon).year >= 2016;
            let pre = matches!(m.budget.reimbursement, trappe::budget::Reimbursement::Pre2016 { .. });
            if crosses && pre {
                assert!(
                    !m.budget.reimbursement_changes.is_empty(),
                    "{}: pre-2016 rules after 2015",
                    path.display()
                );
            }
        }
    }
}
