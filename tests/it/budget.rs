//! Money to the krone: benefit, reimbursement under each regime, staff, grants.

use crate::common::*;
use trappe::budget::{BudgetYears, Item, items_for};
use trappe::model::{COUNTERFACTUAL, Model, SCENARIO};
use trappe::simulation::individual::simulate_replication;
use trappe::simulation::records::Replication;

/// Budget item `it` over all years.
fn item(by: &BudgetYears, it: Item) -> f64 {
    by.total[Item::ALL.iter().position(|x| *x == it).unwrap()]
}

fn stuck(months_on_benefit: u32, regime: &str, activation: bool, horizon: u32) -> String {
    scenario(
        &format!(
            r#"
[[states]]
id = "benefit"
pays_benefit = true
activation = {activation}
[[states]]
id = "job"
employed = true
self_supporting = true
[[transitions]]
from = "benefit"
to = "job"
probability = 0.0
[[segments]]
name = "all"
size = 100
start_state = "benefit"
benefit_type = "kh"
months_on_benefit = {months_on_benefit}
"#
        ),
        horizon,
        3,
        regime,
    )
}

const R2016: &str = "[budget.reimbursement]\nregime = \"2016\"\n";

/// Reimbursement share of the `k`-th cumulative month on benefit, from the law's bands.
fn law_2016(k: u32) -> f64 {
    match k {
        1 => 0.8,
        2..=6 => 0.4,
        7..=12 => 0.3,
        _ => 0.2,
    }
}

/// The replications of a stuck cohort with `engine`: the scenario's seed, 3 replications.
fn run_stuck(text: &str, engine: Engine) -> (Model, Vec<Replication>) {
    let m = model(text);
    let reps = run_engine(&m, &[SCENARIO], engine, 3, m.seed);
    (m, reps)
}

/// Benefit to the krone: a cohort that never leaves costs citizens × rate × months,
/// every month and every budget year.
fn a_cohort_that_never_leaves_costs_n_times_rate_times_months(engine: Engine) {
    let (m, reps) = run_stuck(&stuck(0, R2016, false, 24), engine);
    for r in &reps {
        let rep = r.index;
        for (mo, f) in r.arms[0].flows.iter().enumerate() {
            assert_eq!(
                f[0],
                100.0 * 10_000.0,
                "{engine} engine, replication {rep}: gross benefit, month {}",
                mo + 1
            );
        }
        let by = items_for(m.start, &r.arms[0].flows);
        assert_eq!(
            item(&by, Item::GrossBenefit),
            100.0 * 10_000.0 * 24.0,
            "{engine} engine, replication {rep}"
        );
        assert_eq!(by.years, vec![2016, 2017], "{engine} engine, replication {rep}");
        let gross_2016 = by.values[0][0];
        assert_eq!(gross_2016, 100.0 * 10_000.0 * 12.0, "{engine} engine, replication {rep}");
    }
}

/// Reimbursement through the 2016 bands to the krone from the first month on benefit.
fn reimbursement_2016_falls_through_the_bands_from_the_first_month(engine: Engine) {
    let (m, reps) = run_stuck(&stuck(0, R2016, false, 24), engine);
    let per_person: f64 = (1..=24).map(|k| 10_000.0 * law_2016(k)).sum();
    // 8,000 + 5 × 4,000 + 6 × 3,000 + 12 × 2,000 = 70,000 DKK per citizen.
    assert_eq!(per_person, 70_000.0, "the law's bands");
    for r in &reps {
        let rep = r.index;
        let by = items_for(m.start, &r.arms[0].flows);
        let refund = item(&by, Item::Reimbursement);
        assert!((refund - 100.0 * per_person).abs() < 0.5, "{engine} engine, replication {rep}: {refund}");
        let net = item(&by, Item::NetBenefit);
        assert!(
            (net - 100.0 * (240_000.0 - 70_000.0)).abs() < 0.5,
            "{engine} engine, replication {rep}: {net}"
        );
        // Month by month, to the krone.
        for (mo, f) in r.arms[0].flows.iter().enumerate() {
            let expect = 100.0 * 10_000.0 * law_2016(mo as u32 + 1);
            assert!(
                (f[1] - expect).abs() < 1e-6,
                "{engine} engine, replication {rep}, month {}: {} vs {expect}",
                mo + 1,
                f[1]
            );
        }
    }
}

/// Months on benefit before the start count in the bands: 4 months before, the first
/// simulated month is the 5th on benefit (40 %), months 3-8 are the 7th-12th (30 %),
/// month 9 on the 13th+ (20 %); long-term recipients are at 20 % from the start. The
/// benefit itself does not depend on the months before.
fn months_already_on_benefit_before_the_start_count_in_the_bands(engine: Engine) {
    let first_year = [0.4, 0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.2, 0.2, 0.2, 0.2];
    for before in [4u32, 36] {
        let (_, reps) = run_stuck(&stuck(before, R2016, false, 24), engine);
        for r in &reps {
            for (mo, f) in r.arms[0].flows.iter().enumerate() {
                let what = format!("{before} months before, replication {}, month {}", r.index, mo + 1);
                assert_eq!(f[0], 100.0 * 10_000.0, "{engine} engine, {what}: gross benefit");
            }
            let shares: Vec<f64> = r.arms[0].flows.iter().map(|f| f[1] / (100.0 * 10_000.0)).collect();
            for (mo, got) in shares.iter().enumerate() {
                let want = law_2016(before + mo as u32 + 1);
                assert!(
                    (got - want).abs() < 1e-12,
                    "{engine} engine, {before} months before, replication {}, month {}: {shares:?}",
                    r.index,
                    mo + 1
                );
            }
            if before == 4 {
                assert_eq!(shares[..12], first_year, "{engine} engine, replication {}", r.index);
            } else {
                assert!(shares.iter().all(|s| *s == 0.2), "{engine} engine: {shares:?}");
            }
        }
    }
}

/// `mean_benefit_duration` is the current spell, counting the months on benefit
/// before the start.
fn mean_benefit_duration_is_the_current_spell_including_months_before_the_start(engine: Engine) {
    for before in [0u32, 4, 10, 36] {
        let (m, reps) = run_stuck(&stuck(before, R2016, false, 24), engine);
        let cols = trappe::simulation::records::monthly_columns(&m);
        let c = cols.iter().position(|c| c == "mean_benefit_duration").unwrap();
        for r in &reps {
            for month in 0..=24 {
                assert_eq!(
                    r.arms[0].monthly[month * cols.len() + c],
                    (before as usize + month) as f64,
                    "{engine} engine, {before} months before, replication {}, month {month}",
                    r.index
                );
            }
        }
    }
}

test_both_engines!(
    a_cohort_that_never_leaves_costs_n_times_rate_times_months,
    reimbursement_2016_falls_through_the_bands_from_the_first_month,
    months_already_on_benefit_before_the_start_count_in_the_bands,
    mean_benefit_duration_is_the_current_spell_including_months_before_the_start,
);

/// Under the pre-2016 rules the reimbursement share follows the activation status, or
/// `reimbursed_as_active` where given.
fn pre2016_reimbursement_depends_on_activation(engine: Engine) {
    let pre = "[budget.reimbursement]\nregime = \"pre2016\"\nactive_rate = 0.65\npassive_rate = 0.35\n";
    let overridden = stuck(0, pre, true, 12)
        .replace("activation = true", "activation = true\nreimbursed_as_active = false");
    for (what, text, share) in [
        ("activation", stuck(0, pre, true, 12), 0.65),
        ("no activation", stuck(0, pre, false, 12), 0.35),
        ("activation reimbursed as passive", overridden, 0.35),
    ] {
        let (m, reps) = run_stuck(&text, engine);
        for r in &reps {
            let by = items_for(m.start, &r.arms[0].flows);
            let what = format!("{what}, replication {}", r.index);
            assert_near(engine, &what, item(&by, Item::Reimbursement), 100.0 * 10_000.0 * 12.0 * share, 0.5);
        }
    }
}

/// Benefit rates are indexed once per budget year.
fn indexation_applies_per_budget_year(engine: Engine) {
    let text = stuck(0, "[budget.reimbursement]\nregime = \"none\"\n", false, 36)
        .replace("indexation = 0.0", "indexation = 0.02");
    let (m, reps) = run_stuck(&text, engine);
    // 12 months × 10,000, then indexed 2 % a year: 120,000, 122,400, 124,848 per citizen.
    let expect = [120_000.0, 122_400.0, 124_848.0];
    for r in &reps {
        let by = items_for(m.start, &r.arms[0].flows);
        for (y, e) in expect.iter().enumerate() {
            let what = format!("replication {}, year {y}", r.index);
            assert_near(engine, &what, by.values[y][0], 100.0 * e, 1e-3);
        }
    }
}

test_both_engines!(pre2016_reimbursement_depends_on_activation, indexation_applies_per_budget_year);

/// Every sampled citizen-month obeys the 2016 rules: the count rises by one per month on
/// benefit, starts again after 12 months off benefit, and the reimbursement is the band's
/// share (the individual engine: the count engine keeps no individual paths).
#[test]
fn trajectories_follow_the_2016_count_and_reset_rule() {
    let body = r#"
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
probability = 0.15
[[transitions]]
from = "job"
to = "benefit"
probability = 0.08
[[segments]]
name = "all"
size = 400
start_state = "benefit"
benefit_type = "kh"
months_on_benefit = 3
"#;
    let m = model(&scenario(body, 120, 1, R2016));
    let r = simulate_replication(&m, &[SCENARIO], m.seed, 0, 400);
    let mut resets = 0;
    for citizen in 0..400u32 {
        let rows: Vec<_> = r.trajectories.iter().filter(|t| t.citizen == citizen).collect();
        assert_eq!(rows.len(), 120);
        let (mut cum, mut off) = (3u32, 0u32);
        for t in rows {
            if t.state == "benefit" {
                cum += 1;
                if off >= 12 {
                    resets += 1;
                }
                off = 0;
                assert!(t.on_benefit);
                assert_eq!(t.cumulative_benefit_months, cum);
                assert_eq!(t.benefit, 10_000.0);
                assert!((t.reimbursement - 10_000.0 * law_2016(cum)).abs() < 1e-9, "{t:?}");
            } else {
                off += 1;
                if off >= 12 {
                    cum = 0;
                }
                assert!(!t.on_benefit && t.benefit == 0.0 && t.reimbursement == 0.0);
            }
        }
    }
    assert!(resets > 20, "the reset rule was exercised only {resets} times");
}

/// Asserts that `got` is within `tolerance` of `want`, naming the engine and `what`.
fn assert_near(engine: Engine, what: &str, got: f64, want: f64, tolerance: f64) {
    assert!((got - want).abs() < tolerance, "{engine} engine, {what}: {got} against {want}");
}

/// Budget item `it` in year index `y`.
fn year_item(by: &BudgetYears, y: usize, it: Item) -> f64 {
    by.values[y][Item::ALL.iter().position(|x| *x == it).unwrap()]
}

/// Staff cost, grant income and co-financing by budget year for a hire with a ramp-up
/// funded by a grant.
fn staff_cost_grant_and_co_financing_follow_the_schedule(engine: Engine) {
    let text = format!(
        "{}\n{}",
        stuck(0, R2016, false, 24).replace("[budget]", "[budget]\nstaff_cost_per_fte_year = 600000"),
        r#"
[staffing]
baseline_fte = 2
caseload_ref = 50
elasticity = 0.0

[[staffing.hires]]
name = "consultant"
fte = 1
start = "2016-05"
end = "2017-04"
ramp_up_months = 2
funded_by = "pool"

[[grants]]
name = "pool"
amounts = { 2016 = 300000, 2017 = 100000 }
"#
    );
    let m = model(&text);
    let reps = run_engine(&m, &[SCENARIO, COUNTERFACTUAL], engine, 2, 1);
    for r in &reps {
        let sc = items_for(m.start, &r.arms[0].flows);
        let cf = items_for(m.start, &r.arms[1].flows);
        let near = |what: &str, got: f64, want: f64| {
            assert_near(engine, &format!("replication {}, {what}", r.index), got, want, 1e-6)
        };
        // 8 months in 2016 and 4 in 2017 at 50,000 DKK per month.
        near("extra staff cost 2016", year_item(&sc, 0, Item::ExtraStaffCost), 400_000.0);
        near("extra staff cost 2017", year_item(&sc, 1, Item::ExtraStaffCost), 200_000.0);
        near("grant income 2016", year_item(&sc, 0, Item::GrantIncome), 300_000.0);
        near("grant income 2017", year_item(&sc, 1, Item::GrantIncome), 100_000.0);
        near("co-financing 2016", year_item(&sc, 0, Item::CoFinancing), 100_000.0);
        near("co-financing 2017", year_item(&sc, 1, Item::CoFinancing), 100_000.0);
        near("staff cost 2016", year_item(&sc, 0, Item::StaffCost), 1_200_000.0 + 400_000.0);
        near("counterfactual extra staff cost", year_item(&cf, 0, Item::ExtraStaffCost), 0.0);
        near("counterfactual grant income", year_item(&cf, 0, Item::GrantIncome), 0.0);
        // Nobody moves (probability 0), so the only difference is staff minus grant.
        let d = item(&sc, Item::TotalNetCost) - item(&cf, Item::TotalNetCost);
        near("difference in net cost", d, 600_000.0 - 400_000.0);
    }
}

/// Co-financing is the extra staff cost that no grant covers, hire by hire, with and
/// without repayment of unspent grant money.
fn co_financing_depends_on_who_funds_each_hire(engine: Engine) {
    // Two hires of 1 FTE for all of 2016 at 600,000 DKK: one paid by a 400,000 DKK grant,
    // one by the municipality. The grant covers 400,000 of its hire's 600,000; the
    // municipality's hire is co-financing in full: 200,000 + 600,000.
    let text = format!(
        "{}\n{}",
        stuck(0, R2016, false, 12).replace("[budget]", "[budget]\nstaff_cost_per_fte_year = 600000"),
        r#"
[staffing]
baseline_fte = 1
caseload_ref = 50
[[staffing.hires]]
name = "grant-funded"
fte = 1
start = "2016-01"
funded_by = "pool"
[[staffing.hires]]
name = "own"
fte = 1
start = "2016-01"
[[grants]]
name = "pool"
amounts = { 2016 = 400000 }
"#
    );
    let repaid = text
        .replace("2016 = 400000", "2016 = 900000")
        .replace("amounts = { 2016 = 900000 }", "amounts = { 2016 = 900000 }\nunspent = \"repaid\"");
    // (case, scenario text, [(item, expected total)]).
    let cases = [
        (
            "grant smaller than its hire",
            text.clone(),
            [(Item::ExtraStaffCost, 1_200_000.0), (Item::CoFinancing, 800_000.0)],
        ),
        // A grant larger than its hires' cost covers that cost and no more.
        (
            "grant larger than its hire",
            text.replace("2016 = 400000", "2016 = 900000"),
            [(Item::CoFinancing, 600_000.0), (Item::GrantIncome, 900_000.0)],
        ),
        // If unspent money is repaid, that grant brings in only its hire's 600,000.
        (
            "larger grant, unspent repaid",
            repaid.clone(),
            [(Item::GrantIncome, 600_000.0), (Item::CoFinancing, 600_000.0)],
        ),
        // ... and a grant smaller than the cost is income in full, repaid or not.
        (
            "smaller grant, unspent repaid",
            repaid.replace("2016 = 900000", "2016 = 400000"),
            [(Item::GrantIncome, 400_000.0), (Item::CoFinancing, 800_000.0)],
        ),
    ];
    for (case, text, expected) in cases {
        let m = model(&text);
        for r in run_engine(&m, &[SCENARIO, COUNTERFACTUAL], engine, 1, m.seed) {
            let sc = items_for(m.start, &r.arms[0].flows);
            for (it, want) in expected {
                assert_near(engine, &format!("{case}, {it:?}"), item(&sc, it), want, 1e-6);
            }
        }
    }
}

/// A grant with unspent money repaid brings in, each year, the smaller of its amount
/// and that year's drawn cost of the hire it funds. Both cases must occur in 20
/// replications (the 2016 cost exceeds the grant when the drawn cost per FTE-year
/// exceeds 750,000, probability 0.375): they fail to with probability
/// 0.625²⁰ + 0.375²⁰ ≈ 8e-5.
fn a_repaid_grant_follows_the_drawn_staff_cost_year_by_year(engine: Engine) {
    // 1 FTE from May 2016 to April 2017 (8 + 4 months) at an uncertain cost per FTE-year,
    // funded by 500,000 a year with unspent money repaid: income each year is the
    // smaller of 500,000 and that year's cost of the hire, in every replication.
    let text = format!(
        "{}\n{}",
        stuck(0, R2016, false, 24).replace(
            "[budget]",
            "[budget]\nstaff_cost_per_fte_year = { dist = \"uniform\", min = 500000, max = 900000 }"
        ),
        r#"
[staffing]
baseline_fte = 2
caseload_ref = 50
[[staffing.hires]]
name = "consultant"
fte = 1
start = "2016-05"
end = "2017-04"
funded_by = "pool"
[[grants]]
name = "pool"
amounts = { 2016 = 500000, 2017 = 500000 }
unspent = "repaid"
"#
    );
    let m = model(&text);
    let reps = run_engine(&m, &[SCENARIO, COUNTERFACTUAL], engine, 20, 3);
    let k = trappe::simulation::draws::parameter_keys(&m)
        .iter()
        .position(|k| k == "budget.staff_cost_per_fte_year")
        .unwrap();
    let mut capped = 0;
    for r in &reps {
        let cost = r.params[k];
        let sc = items_for(m.start, &r.arms[0].flows);
        let (c2016, c2017) = (cost * 8.0 / 12.0, cost * 4.0 / 12.0);
        let near = |what: &str, got: f64, want: f64| {
            assert_near(engine, &format!("replication {}, {what}", r.index), got, want, 1e-6)
        };
        near("grant income 2016", year_item(&sc, 0, Item::GrantIncome), c2016.min(500_000.0));
        near("grant income 2017", year_item(&sc, 1, Item::GrantIncome), c2017.min(500_000.0));
        near("co-financing 2016", year_item(&sc, 0, Item::CoFinancing), c2016 - c2016.min(500_000.0));
        capped += (c2016 > 500_000.0) as u32;
    }
    assert!(capped > 0 && capped < 20, "{engine} engine: both cases occur: {capped}");
}

test_both_engines!(
    staff_cost_grant_and_co_financing_follow_the_schedule,
    co_financing_depends_on_who_funds_each_hire,
    a_repaid_grant_follows_the_drawn_staff_cost_year_by_year,
);
