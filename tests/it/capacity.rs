//! Consultant capacity and the waiting list (docs/scenario-format.md, `[staffing.capacity]`): with ample hours
//! the mechanism changes nothing; when hours bind, placements are capped, the queue
//! is served oldest first with random ties, waiting citizens keep their place without
//! drawing again, and placement hires shorten the list.

use crate::common::*;
use trappe::model::{COUNTERFACTUAL, Model, SCENARIO};
use trappe::simulation::driver::{SimOptions, simulate};
use trappe::simulation::records::{Replication, monthly_columns};

/// Two segments on a small staircase. `a -> b` is a placement when `capacity` is given
/// (5 hours each); `exit_a` adds a second way out of `a` that needs no hours.
fn text(capacity: Option<&str>, exit_a: bool, size: u32, horizon: u32, hire_serves: &str) -> String {
    let hours = if capacity.is_some() { "hours = 5" } else { "" };
    let gone = if exit_a { "[[transitions]]\nfrom = \"a\"\nto = \"gone\"\nprobability = 0.03\n" } else { "" };
    let capacity = capacity.map(|c| format!("[staffing.capacity]\n{c}\n")).unwrap_or_default();
    let body = format!(
        r#"{SMALL_STAIRCASE_STATES}
[[transitions]]
from = "a"
to = "b"
probability = 0.2
staffing_sensitive = true
one_off_cost = 1000
{hours}
{gone}
[[transitions]]
from = "b"
to = "job"
probability = 0.1
staffing_sensitive = true
[[transitions]]
from = "job"
to = "a"
probability = 0.03

[[segments]]
name = "first"
size = {size}
start_state = "a"
benefit_type = "kh"
[[segments]]
name = "second"
size = {size}
start_state = "a"
benefit_type = "kh"

[staffing]
baseline_fte = 10
caseload_ref = 100
elasticity = {{ dist = "uniform", min = 0.1, max = 0.4 }}

[[staffing.hires]]
name = "consultants"
fte = 4
start = "2016-03"
ramp_up_months = 2
serves = "{hire_serves}"

{capacity}
"#
    );
    scenario(
        &body,
        horizon,
        20,
        "staff_cost_per_fte_year = 500000\n[budget.reimbursement]\nregime = \"2016\"",
    )
}

/// Both arms of `m` with `engine`, seed 5, with `trajectories` sampled paths in the
/// individual engine (the count engine keeps none).
fn run(m: &Model, engine: Engine, reps: u32, trajectories: usize) -> Vec<Replication> {
    let opts = SimOptions { trajectories, ..sim_options(reps, 5, engine) };
    simulate(m, &[SCENARIO, COUNTERFACTUAL], &opts, &|| {}).unwrap()
}

fn col(m: &Model, name: &str) -> usize {
    monthly_columns(m).iter().position(|c| c == name).unwrap()
}

/// With ample hours nobody waits, every a → b move is a placement and the placement
/// consultant is paid, in both engines. In the individual engine every other result
/// is exactly, draw for draw, that of the scenario without the mechanism. The count
/// engine splits placement requests off its groups with draws of their own, so there
/// the results agree with the scenario without the mechanism in distribution (the
/// engine-agreement tests cover a scenario with capacity), not draw for draw.
fn ample_capacity_changes_nothing_but_the_consultants_pay(engine: Engine) {
    let draw_for_draw = matches!(engine, Engine::Individual);
    let without = model(&text(None, true, 500, 24, "caseload"));
    // One placement consultant with (absurdly) ample hours: everything but the
    // consultant's own pay must be as without the mechanism.
    let ample = model(&text(
        Some("placement_fte = 1\nhours_per_fte_month = 1e9\nplacement_share = 1.0"),
        true,
        500,
        24,
        "caseload",
    ));
    let (a, b) = (run(&without, engine, 20, 50), run(&ample, engine, 20, 50));
    let nc = monthly_columns(&without).len();
    let nc_cap = monthly_columns(&ample).len();
    assert_eq!(nc_cap, nc + 5, "{engine} engine: five capacity columns");
    let (fte, wl, placements) =
        (col(&without, "fte"), col(&ample, "waiting_list"), col(&ample, "placements"));
    let baseline_cost = trappe::budget::Flow::BaselineStaffCost as usize;
    let mut made = 0.0;
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.params, y.params, "{engine} engine");
        for (arm_x, arm_y) in x.arms.iter().zip(&y.arms) {
            for month in 0..=24 {
                let mut row_x = arm_x.monthly[month * nc..(month + 1) * nc].to_vec();
                let mut row_y = arm_y.monthly[month * nc_cap..month * nc_cap + nc].to_vec();
                assert_eq!(row_y[fte] - row_x[fte], 1.0, "{engine} engine: the placement consultant is paid");
                row_x[fte] = 0.0;
                row_y[fte] = 0.0;
                if draw_for_draw {
                    assert_eq!(row_x, row_y, "{engine} engine: month {month}");
                }
                assert_eq!(
                    arm_y.monthly[month * nc_cap + wl],
                    0.0,
                    "{engine} engine: nobody waits with ample hours"
                );
                made += arm_y.monthly[month * nc_cap + placements];
            }
            for (fx, fy) in arm_x.flows.iter().zip(&arm_y.flows) {
                assert!(
                    (fy[baseline_cost] - fx[baseline_cost] - 500000.0 / 12.0).abs() < 1e-6,
                    "{engine} engine: the placement consultant's pay"
                );
                let (mut fx, mut fy) = (*fx, *fy);
                fx[baseline_cost] = 0.0;
                fy[baseline_cost] = 0.0;
                if draw_for_draw {
                    assert_eq!(fx, fy, "{engine} engine");
                }
            }
            if draw_for_draw {
                assert_eq!(arm_x.moves, arm_y.moves, "{engine} engine");
                assert_eq!(arm_x.state_months, arm_y.state_months, "{engine} engine");
                assert_eq!(arm_x.segment_monthly, arm_y.segment_monthly, "{engine} engine");
            }
            assert_eq!(arm_y.placement_wait_months, 0, "{engine} engine");
            assert_eq!(arm_y.placements, arm_y.moves[0], "{engine} engine: every a -> b move is a placement");
        }
        assert_eq!(x.trajectories, y.trajectories, "{engine} engine");
    }
    assert!(made > 1000.0, "{engine} engine: placements were made: {made}");
}

/// When hours bind, placements are capped at the hours, no hours are left unused
/// while citizens wait, and only citizens not already waiting request a placement.
/// The one 4.5-standard-error comparison of requests with their expectation gives a
/// false alarm with probability at most 6.8e-6.
fn binding_capacity_caps_placements_and_waiting_citizens_keep_their_place(engine: Engine) {
    // 1 placement FTE × 100 hours × share 1 = 100 hours = 20 placements of 5 hours a month.
    let m = model(&text(
        Some("placement_fte = 1\nhours_per_fte_month = 100\nplacement_share = 1.0"),
        false,
        300,
        36,
        "caseload",
    ));
    let reps = run(&m, engine, 20, 0);
    let nc = monthly_columns(&m).len();
    let (wl, pl, occ_a) = (col(&m, "waiting_list"), col(&m, "placements"), col(&m, "occupancy:a"));
    let (hours, used) = (col(&m, "placement_hours"), col(&m, "placement_hours_used"));
    let mut requests = 0.0;
    let mut at_risk = 0.0;
    let mut max_list: f64 = 0.0;
    for r in &reps {
        for arm in &r.arms {
            let row = |month: usize, c: usize| arm.monthly[month * nc + c];
            for month in 1..=36 {
                assert_eq!(row(month, hours), 100.0, "{engine} engine");
                assert!(row(month, pl) <= 20.0, "{engine} engine: at most 20 placements a month");
                assert_eq!(row(month, used), 5.0 * row(month, pl), "{engine} engine");
                if row(month, wl) > 0.0 {
                    assert_eq!(
                        row(month, pl),
                        20.0,
                        "{engine} engine: hours are not left unused while citizens wait"
                    );
                }
                // Everyone waiting is in `a`.
                assert!(row(month, wl) <= row(month, occ_a), "{engine} engine");
                // New requests this month: placements made plus the growth of the list.
                requests += row(month, pl) + row(month, wl) - row(month - 1, wl);
                // Only those in `a` who are not already waiting draw the placement.
                at_risk += row(month - 1, occ_a) - row(month - 1, wl);
                max_list = max_list.max(row(month, wl));
            }
            assert_eq!(arm.placements as f64, (1..=36).map(|mo| row(mo, pl)).sum::<f64>(), "{engine} engine");
        }
    }
    assert!(max_list > 50.0, "{engine} engine: the list should build up: {max_list}");
    // Citizens in `a` at the end of last month, plus relapses from `job` this month... relapses
    // arrive at the end of the month, so the at-risk count is last month's occupancy of `a`
    // less those waiting. Each draws the placement with probability 1 - exp(-r) = 0.2 × m,
    // where m is the staffing multiplier; compare with the multiplier-weighted expectation.
    let mult_col = col(&m, "staffing_multiplier");
    let mut expected = 0.0;
    for r in &reps {
        for arm in &r.arms {
            for month in 1..=36 {
                let mult = arm.monthly[month * nc + mult_col];
                let p = 1.0 - (-(-(1.0f64 - 0.2).ln()) * mult).exp();
                expected += p * (arm.monthly[(month - 1) * nc + occ_a] - arm.monthly[(month - 1) * nc + wl]);
            }
        }
    }
    let se = (expected * 0.8).sqrt();
    assert!(
        (requests - expected).abs() < 4.5 * se,
        "{engine} engine: requests {requests} against {expected:.0} expected (se {se:.0}; at risk {at_risk})"
    );
}

test_both_engines!(
    ample_capacity_changes_nothing_but_the_consultants_pay,
    binding_capacity_caps_placements_and_waiting_citizens_keep_their_place,
);

/// Request month of each sampled citizen's placement, from the trajectories: the month
/// of the first row of the waiting run, or the month of the move if made at once. No
/// request is served before an older one, and ties are broken at random (the two
/// segments' mean waits agree within 4 standard errors: a false alarm with probability
/// at most 6.3e-5). The individual engine: the count engine keeps no individual paths.
#[test]
fn the_queue_is_served_oldest_first_with_random_ties() {
    let m = model(&text(
        Some("placement_fte = 1\nhours_per_fte_month = 100\nplacement_share = 1.0"),
        true,
        1000,
        30,
        "caseload",
    ));
    let reps = run(&m, Engine::Individual, 1, 2000);
    let rows = &reps[0].trajectories;
    assert!(rows.iter().any(|r| r.waiting), "somebody must wait");
    let mut served_waits: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for arm in ["scenario", "counterfactual"] {
        // Per citizen, their rows in month order.
        let mut by_citizen: std::collections::BTreeMap<
            u32,
            Vec<&trappe::simulation::records::TrajectoryRow>,
        > = Default::default();
        for r in rows.iter().filter(|r| r.arm == arm) {
            by_citizen.entry(r.citizen).or_default().push(r);
        }
        // (month, request month, served?) for every placement decision.
        let mut served: Vec<(usize, usize)> = Vec::new();
        let mut waiting: Vec<(usize, usize)> = Vec::new();
        for path in by_citizen.values() {
            let mut since: Option<usize> = None;
            for r in path {
                let asked = since.unwrap_or(r.month);
                if r.state == "a" && r.next_state == "b" {
                    served.push((r.month, asked));
                    if arm == "scenario" {
                        let g = if r.segment == "first" { 0 } else { 1 };
                        served_waits[g].push((r.month - asked) as f64);
                    }
                    since = None;
                } else if r.waiting {
                    waiting.push((r.month, asked));
                    since = Some(asked);
                } else {
                    since = None;
                }
            }
        }
        for month in 1..=30 {
            let newest_served = served.iter().filter(|s| s.0 == month).map(|s| s.1).max();
            let oldest_left = waiting.iter().filter(|w| w.0 == month).map(|w| w.1).min();
            if let (Some(s), Some(w)) = (newest_served, oldest_left) {
                assert!(
                    s <= w,
                    "{arm}, month {month}: a request of month {s} served before one of month {w}"
                );
            }
        }
    }
    // Ties are broken at random, not by citizen number: the first segment (citizens
    // 0-999) waits no less than the second.
    let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &Vec<f64>| {
        let mu = mean(v);
        v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
    };
    let (a, b) = (&served_waits[0], &served_waits[1]);
    assert!(a.len() > 100 && b.len() > 100);
    let se = (var(a) / a.len() as f64 + var(b) / b.len() as f64).sqrt();
    assert!(mean(a) > 0.5, "placements wait: {}", mean(a));
    assert!(
        (mean(a) - mean(b)).abs() < 4.0 * se,
        "mean wait {:.2} (first segment) against {:.2} (second), se {se:.2}",
        mean(a),
        mean(b)
    );
}

/// Placement hires add placement hours and shorten the list; caseload hires add
/// caseworkers and no hours. Per replication the list summed over the months is about
/// 950 citizen-months against 3,900, and placements about 750 against 570, each more
/// than 7 standard deviations of their spread over replications apart: a chance
/// failure is negligible.
fn placement_hires_shorten_the_waiting_list_and_caseload_hires_do_not_add_hours(engine: Engine) {
    let cap = "placement_fte = 1\nhours_per_fte_month = 100\nplacement_share = 1.0";
    let placements = model(&text(Some(cap), true, 300, 36, "placements"));
    let caseload = model(&text(Some(cap), true, 300, 36, "caseload"));
    let nc = monthly_columns(&placements).len();
    let (wl, fte, pfte) = (
        col(&placements, "waiting_list"),
        col(&placements, "placement_fte"),
        col(&placements, "productive_fte"),
    );
    let month = 12;
    for r in run(&placements, engine, 10, 0) {
        let (sc, cf) = (&r.arms[0], &r.arms[1]);
        assert_eq!(
            sc.monthly[month * nc + fte],
            5.0,
            "{engine} engine: 1 + 4 placement FTE, fully productive"
        );
        assert_eq!(cf.monthly[month * nc + fte], 1.0, "{engine} engine");
        assert_eq!(
            sc.monthly[month * nc + pfte],
            10.0,
            "{engine} engine: the hire adds nothing to the caseworkers"
        );
        let list = |arm: &trappe::simulation::records::ArmRun| {
            (1..=36).map(|m| arm.monthly[m * nc + wl]).sum::<f64>()
        };
        assert!(list(sc) < list(cf), "{engine} engine: more placement hours, shorter list");
        assert!(sc.placements > cf.placements, "{engine} engine");
    }
    for r in run(&caseload, engine, 10, 0) {
        let (sc, cf) = (&r.arms[0], &r.arms[1]);
        assert_eq!(sc.monthly[month * nc + fte], 1.0, "{engine} engine");
        assert_eq!(cf.monthly[month * nc + fte], 1.0, "{engine} engine");
        assert_eq!(sc.monthly[month * nc + pfte], 14.0, "{engine} engine");
    }
}

/// The capacity outcomes are written to `summary.csv` and `monthly.csv` and printed.
fn capacity_outcomes_reach_the_summary_and_the_terminal(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let t = text(
        Some(
            "placement_fte = 1\nhours_per_fte_month = 100\nplacement_share = { dist = \"beta\", mean = 0.6, sd = 0.1 }",
        ),
        true,
        300,
        24,
        "placements",
    );
    std::fs::write(dir.path().join("cap.toml"), t).unwrap();
    let out = trappe(
        &[&["run", "cap.toml", "-n", "20", "--out", "res"][..], &engine_args(engine)].concat(),
        dir.path(),
    );
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{engine} engine: {stderr}");
    assert!(stdout.contains("Mean wait for a placement, months"), "{engine} engine: {stdout}");
    let summary = std::fs::read_to_string(dir.path().join("res/summary.csv")).unwrap();
    for name in ["placements", "mean_wait_months", "mean_waiting_list", "waiting_list_at_horizon"] {
        assert!(summary.contains(&format!("outcome,{name},scenario,")), "{engine} engine: {name} missing");
    }
    let monthly = std::fs::read_to_string(dir.path().join("res/monthly.csv")).unwrap();
    assert!(monthly.contains(",counterfactual,waiting_list,citizens,"), "{engine} engine");
    let check = trappe(&["check", "cap.toml"], dir.path());
    let (stdout, _) = texts(&check);
    assert!(stdout.contains("Placement hours per month"), "{engine} engine: {stdout}");
    assert!(stdout.contains("placement: 5 consultant hours"), "{engine} engine: {stdout}");
}

test_both_engines!(
    placement_hires_shorten_the_waiting_list_and_caseload_hires_do_not_add_hours,
    capacity_outcomes_reach_the_summary_and_the_terminal,
);

#[test]
fn capacity_errors_name_the_key_and_what_is_wanted() {
    let cap = "placement_fte = 1\nplacement_share = 0.6";
    // `hours` without a [staffing.capacity] section.
    let t = text(Some(cap), true, 10, 12, "caseload").replace("[staffing.capacity]\n", "").replace(cap, "");
    let e = error(&t);
    assert!(e.contains("transitions[0].hours") && e.contains("[staffing.capacity]"), "{e}");
    // A capacity section but no transition with hours.
    let e = error(&text(Some(cap), true, 10, 12, "caseload").replace("hours = 5", ""));
    assert!(e.contains("staffing.capacity") && e.contains("no transition uses placement hours"), "{e}");
    // A share above 1.
    let e = error(&text(Some("placement_fte = 1\nplacement_share = 1.3"), true, 10, 12, "caseload"));
    assert!(e.contains("staffing.capacity.placement_share") && e.contains("(0, 1]"), "{e}");
    // A misspelt key gets the nearest valid one.
    let e = error(&text(Some("placement_fte = 1\nplacement_shar = 0.6"), true, 10, 12, "caseload"));
    assert!(e.contains("placement_shar") && e.contains("placement_share"), "{e}");
    // A misspelt `serves` value.
    let e = error(&text(Some(cap), true, 10, 12, "placement"));
    assert!(e.contains("placement") && e.contains("placements"), "{e}");
    // A placement hire without a capacity section.
    let t = text(None, true, 10, 12, "placements");
    let e = error(&t);
    assert!(e.contains("staffing.hires[0].serves") && e.contains("[staffing.capacity]"), "{e}");
    // Nobody makes placements.
    let e = error(&text(Some("placement_share = 0.6"), true, 10, 12, "caseload"));
    assert!(e.contains("placement_fte") && e.contains("no one makes placements"), "{e}");
}
