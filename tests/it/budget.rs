//! Money to the krone: benefit, reimbursement under each regime, staff, grants.

use crate::common::*;
use trappe::budget::{Item, items_for};
use trappe::model::{COUNTERFACTUAL, SCENARIO};
use trappe::simulation::driver::{SimOptions, simulate};
use trappe::simulation::individual::simulate_replication;

fn item(by: &trappe::budget::BudgetYears, it: Item) -> f64 {
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

#[test]
fn a_cohort_that_never_leaves_costs_n_times_rate_times_months() {
    let m = model(&stuck(0, R2016, false, 24));
    for rep in 0..3 {
        let r = simulate_replication(&m, &[SCENARIO], m.seed, rep, 0);
        let by = items_for(m.start, &r.arms[0].flows);
        assert_eq!(item(&by, Item::GrossBenefit), 100.0 * 10_000.0 * 24.0);
        assert_eq!(by.years, vec![2016, 2017]);
        let gross_2016 = by.values[0][0];
        assert_eq!(gross_2016, 100.0 * 10_000.0 * 12.0);
    }
}

#[test]
fn reimbursement_2016_falls_through_the_bands_from_the_first_month() {
    let m = model(&stuck(0, R2016, false, 24));
    let r = simulate_replication(&m, &[SCENARIO], m.seed, 0, 0);
    let by = items_for(m.start, &r.arms[0].flows);
    let per_person: f64 = (1..=24).map(|k| 10_000.0 * law_2016(k)).sum();
    // 8,000 + 5 × 4,000 + 6 × 3,000 + 12 × 2,000 = 70,000 DKK per citizen.
    assert_eq!(per_person, 70_000.0);
    assert!((item(&by, Item::Reimbursement) - 100.0 * per_person).abs() < 0.5);
    assert!((item(&by, Item::NetBenefit) - 100.0 * (240_000.0 - 70_000.0)).abs() < 0.5);
    // Month by month, to the krone.
    for (mo, f) in r.arms[0].flows.iter().enumerate() {
        let expect = 100.0 * 10_000.0 * law_2016(mo as u32 + 1);
        assert!((f[1] - expect).abs() < 0.5, "month {}: {} vs {expect}", mo + 1, f[1]);
    }
}

#[test]
fn months_already_on_benefit_before_the_start_count_in_the_bands() {
    // 4 months before the start: the first simulated month is the 5th on benefit (40 %),
    // months 3-8 are the 7th-12th (30 %), month 9 on the 13th+ (20 %).
    let m = model(&stuck(4, R2016, false, 12));
    let r = simulate_replication(&m, &[SCENARIO], m.seed, 0, 0);
    let shares: Vec<f64> = r.arms[0].flows.iter().map(|f| f[1] / (100.0 * 10_000.0)).collect();
    let expect = [0.4, 0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.2, 0.2, 0.2, 0.2];
    for (got, want) in shares.iter().zip(expect) {
        assert!((got - want).abs() < 1e-12, "{shares:?}");
    }
    // Long-term recipients are at 20 % from the start.
    let m = model(&stuck(36, R2016, false, 12));
    let r = simulate_replication(&m, &[SCENARIO], m.seed, 0, 0);
    assert!(r.arms[0].flows.iter().all(|f| (f[1] - 100.0 * 10_000.0 * 0.2).abs() < 1e-6));
}

#[test]
fn pre2016_reimbursement_depends_on_activation() {
    let pre = "[budget.reimbursement]\nregime = \"pre2016\"\nactive_rate = 0.65\npassive_rate = 0.35\n";
    for (activation, share) in [(true, 0.65), (false, 0.35)] {
        let m = model(&stuck(0, pre, activation, 12));
        let r = simulate_replication(&m, &[SCENARIO], m.seed, 0, 0);
        let by = items_for(m.start, &r.arms[0].flows);
        assert!((item(&by, Item::Reimbursement) - 100.0 * 10_000.0 * 12.0 * share).abs() < 0.5);
    }
    // reimbursed_as_active overrides the activation flag.
    let text = stuck(0, pre, true, 12)
        .replace("activation = true", "activation = true\nreimbursed_as_active = false");
    let m = model(&text);
    let r = simulate_replication(&m, &[SCENARIO], m.seed, 0, 0);
    let by = items_for(m.start, &r.arms[0].flows);
    assert!((item(&by, Item::Reimbursement) - 100.0 * 10_000.0 * 12.0 * 0.35).abs() < 0.5);
}

#[test]
fn indexation_applies_per_budget_year() {
    let text = stuck(0, "[budget.reimbursement]\nregime = \"none\"\n", false, 36)
        .replace("indexation = 0.0", "indexation = 0.02");
    let m = model(&text);
    let r = simulate_replication(&m, &[SCENARIO], m.seed, 0, 0);
    let by = items_for(m.start, &r.arms[0].flows);
    // 12 months × 10,000, then indexed 2 % a year: 120,000, 122,400, 124,848 per citizen.
    let expect = [120_000.0, 122_400.0, 124_848.0];
    for (y, e) in expect.iter().enumerate() {
        assert!((by.values[y][0] - 100.0 * e).abs() < 1e-3, "year {y}: {}", by.values[y][0]);
    }
}

/// Every sampled citizen-month obeys the 2016 rules: the count rises by one per month on
/// benefit, starts again after 12 months off benefit, and the reimbursement is the band's share.
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

#[test]
fn staff_cost_grant_and_co_financing_follow_the_schedule() {
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
    let reps = simulate(
        &m,
        &[SCENARIO, COUNTERFACTUAL],
        &SimOptions {
            replications: 2,
            seed: 1,
            threads: Some(1),
            trajectories: 0,
            first_replication: 0,
            engine: trappe::simulation::driver::Engine::Individual,
        },
        &|| {},
    )
    .unwrap();
    let sc = items_for(m.start, &reps[0].arms[0].flows);
    let cf = items_for(m.start, &reps[0].arms[1].flows);
    let get = |by: &trappe::budget::BudgetYears, y: usize, it: Item| {
        by.values[y][Item::ALL.iter().position(|x| *x == it).unwrap()]
    };
    // 8 months in 2016 and 4 in 2017 at 50,000 DKK per month.
    assert!((get(&sc, 0, Item::ExtraStaffCost) - 400_000.0).abs() < 1e-6);
    assert!((get(&sc, 1, Item::ExtraStaffCost) - 200_000.0).abs() < 1e-6);
    assert!((get(&sc, 0, Item::GrantIncome) - 300_000.0).abs() < 1e-6);
    assert!((get(&sc, 1, Item::GrantIncome) - 100_000.0).abs() < 1e-6);
    assert!((get(&sc, 0, Item::CoFinancing) - 100_000.0).abs() < 1e-6);
    assert!((get(&sc, 1, Item::CoFinancing) - 100_000.0).abs() < 1e-6);
    assert!((get(&sc, 0, Item::StaffCost) - (1_200_000.0 + 400_000.0)).abs() < 1e-6);
    assert_eq!(get(&cf, 0, Item::ExtraStaffCost), 0.0);
    assert_eq!(get(&cf, 0, Item::GrantIncome), 0.0);
    // Nobody moves (probability 0), so the only difference is staff minus grant.
    let d = item(&sc, Item::TotalNetCost) - item(&cf, Item::TotalNetCost);
    assert!((d - (600_000.0 - 400_000.0)).abs() < 1e-6, "{d}");
}

#[test]
fn co_financing_depends_on_who_funds_each_hire() {
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
    let m = model(&text);
    let r = simulate_replication(&m, &[SCENARIO, COUNTERFACTUAL], m.seed, 0, 0);
    let sc = items_for(m.start, &r.arms[0].flows);
    assert!((item(&sc, Item::ExtraStaffCost) - 1_200_000.0).abs() < 1e-6);
    assert!((item(&sc, Item::CoFinancing) - 800_000.0).abs() < 1e-6);
    // A grant larger than its hires' cost covers that cost and no more.
    let m = model(&text.replace("2016 = 400000", "2016 = 900000"));
    let r = simulate_replication(&m, &[SCENARIO, COUNTERFACTUAL], m.seed, 0, 0);
    let sc = items_for(m.start, &r.arms[0].flows);
    assert!((item(&sc, Item::CoFinancing) - 600_000.0).abs() < 1e-6);
    assert!((item(&sc, Item::GrantIncome) - 900_000.0).abs() < 1e-6);
    // If unspent money is repaid, that grant brings in only its hire's 600,000.
    let repaid = text
        .replace("2016 = 400000", "2016 = 900000")
        .replace("amounts = { 2016 = 900000 }", "amounts = { 2016 = 900000 }\nunspent = \"repaid\"");
    let m = model(&repaid);
    let r = simulate_replication(&m, &[SCENARIO, COUNTERFACTUAL], m.seed, 0, 0);
    let sc = items_for(m.start, &r.arms[0].flows);
    assert!((item(&sc, Item::GrantIncome) - 600_000.0).abs() < 1e-6);
    assert!((item(&sc, Item::CoFinancing) - 600_000.0).abs() < 1e-6);
    // ... and a grant smaller than the cost is income in full, repaid or not.
    let m = model(&repaid.replace("2016 = 900000", "2016 = 400000"));
    let r = simulate_replication(&m, &[SCENARIO, COUNTERFACTUAL], m.seed, 0, 0);
    let sc = items_for(m.start, &r.arms[0].flows);
    assert!((item(&sc, Item::GrantIncome) - 400_000.0).abs() < 1e-6);
    assert!((item(&sc, Item::CoFinancing) - 800_000.0).abs() < 1e-6);
}

#[test]
fn a_repaid_grant_follows_the_drawn_staff_cost_year_by_year() {
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
    let reps = simulate(
        &m,
        &[SCENARIO, COUNTERFACTUAL],
        &SimOptions {
            replications: 20,
            seed: 3,
            threads: Some(1),
            trajectories: 0,
            first_replication: 0,
            engine: trappe::simulation::driver::Engine::Individual,
        },
        &|| {},
    )
    .unwrap();
    let k = trappe::simulation::draws::parameter_keys(&m)
        .iter()
        .position(|k| k == "budget.staff_cost_per_fte_year")
        .unwrap();
    let get = |by: &trappe::budget::BudgetYears, y: usize, it: Item| {
        by.values[y][Item::ALL.iter().position(|x| *x == it).unwrap()]
    };
    let mut capped = 0;
    for r in &reps {
        let cost = r.params[k];
        let sc = items_for(m.start, &r.arms[0].flows);
        let (c2016, c2017) = (cost * 8.0 / 12.0, cost * 4.0 / 12.0);
        assert!((get(&sc, 0, Item::GrantIncome) - c2016.min(500_000.0)).abs() < 1e-6);
        assert!((get(&sc, 1, Item::GrantIncome) - c2017.min(500_000.0)).abs() < 1e-6);
        assert!((get(&sc, 0, Item::CoFinancing) - (c2016 - c2016.min(500_000.0))).abs() < 1e-6);
        capped += (c2016 > 500_000.0) as u32;
    }
    assert!(capped > 0 && capped < 20, "both cases occur: {capped}");
}

#[test]
fn mean_benefit_duration_is_the_current_spell_including_months_before_the_start() {
    let m = model(&stuck(10, R2016, false, 12));
    let r = simulate_replication(&m, &[SCENARIO], m.seed, 0, 0);
    let cols = trappe::simulation::records::monthly_columns(&m);
    let c = cols.iter().position(|c| c == "mean_benefit_duration").unwrap();
    for month in 0..=12 {
        assert_eq!(r.arms[0].monthly[month * cols.len() + c], 10.0 + month as f64);
    }
}
