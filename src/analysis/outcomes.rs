//! From replications to outcomes: per-replication figures for each arm and
//! for the paired difference, and their summaries over replications.
//!
//! Sign conventions: a `difference` is scenario − counterfactual; an
//! `effect` or `saving` is counterfactual − scenario for costs (positive =
//! the scenario saves money) and scenario − counterfactual for outcomes
//! (positive = more citizens in work).

use crate::analysis::stats::Summary;
use crate::budget::{BudgetYears, Flow, Item, N_FLOWS, break_even_month, items_for, present_value};
use crate::model::{Arm, Metric, Model};
use crate::simulation::records::{
    MONTHLY_SHARES, Replication, monthly_columns, segment_columns, share_offset,
};
use rayon::prelude::*;

/// The scalar outcomes of one arm of one replication.
pub fn arm_outcome_names(model: &Model) -> Vec<String> {
    let mut v: Vec<String> = MONTHLY_SHARES.iter().map(|s| s.to_string()).collect();
    v.push("self_supporting_citizens".into());
    v.push("benefit_months".into());
    v.extend(model.states.iter().map(|s| format!("months:{}", s.id)));
    v.extend(Item::ALL.iter().map(|i| i.key().to_string()));
    v.push("total_net_cost_pv".into());
    if model.staffing.as_ref().is_some_and(|s| s.capacity.is_some()) {
        v.extend(CAPACITY_OUTCOMES.iter().map(|s| s.to_string()));
    }
    for (i, _) in model.targets.iter().enumerate() {
        v.push(format!("target_{}_value", i + 1));
        v.push(format!("target_{}_met", i + 1));
    }
    for m in target_months(model) {
        v.push(format!("self_supporting_share_month_{m}"));
        v.push(format!("employment_share_month_{m}"));
    }
    v
}

/// Arm outcomes of placement capacity (only with `[staffing.capacity]`): placements
/// made, the mean wait of a placement in months, and the waiting list's mean over the
/// months and its length at the horizon.
pub const CAPACITY_OUTCOMES: [&str; 4] =
    ["placements", "mean_wait_months", "mean_waiting_list", "waiting_list_at_horizon"];

/// The distinct months (before the horizon) at which targets are measured, ascending.
pub fn target_months(model: &Model) -> Vec<usize> {
    let mut months: Vec<usize> =
        model.targets.iter().map(|t| t.month).filter(|m| *m != model.horizon).collect();
    months.sort_unstable();
    months.dedup();
    months
}

/// The effect outcomes of one replication (scenario against counterfactual).
pub const EFFECT_NAMES: [&str; 13] = [
    "extra_self_supporting",
    "extra_employed",
    "benefit_months_avoided",
    "gross_benefit_saving",
    "net_benefit_saving",
    "net_municipal_effect",
    "net_municipal_effect_pv",
    "net_effect_positive",
    "break_even_month",
    "return_per_krone",
    "cost_per_extra_self_supporting",
    "wider_net_effect",
    "public_net_effect",
];

/// Outcomes of one replication.
#[derive(Debug, Clone)]
pub struct RepOutcomes {
    /// Replication number.
    pub index: u32,
    /// Per arm, values parallel to [`arm_outcome_names`].
    pub arms: Vec<Vec<f64>>,
    /// Values parallel to [`EFFECT_NAMES`] (NaN where undefined).
    pub effects: Vec<f64>,
    /// Per arm, budget years.
    pub budget: Vec<BudgetYears>,
    /// Monthly net effect (counterfactual − scenario total net cost), months 1..=horizon.
    pub monthly_net_effect: Vec<f64>,
    /// Drawn parameter values.
    pub params: Vec<f64>,
    /// Numerator and denominator of `return_per_krone` and `cost_per_extra_self_supporting`.
    pub ratio_parts: [(f64, f64); 2],
    /// Per arm, the monthly record (see [`monthly_columns`]).
    pub monthly: Vec<Vec<f64>>,
    /// Per arm, the municipality's net cost in each month 1..=horizon.
    pub monthly_net_cost: Vec<Vec<f64>>,
    /// Sampled individual paths, if any.
    pub trajectories: Vec<crate::simulation::records::TrajectoryRow>,
}

/// Value of a metric at month `m` in an arm's monthly record.
pub fn metric_at(model: &Model, monthly: &[f64], metric: Metric, m: usize) -> f64 {
    let cols = monthly_columns(model).len();
    metric_in_row(model, &monthly[m * cols..(m + 1) * cols], metric)
}

/// Value of a metric at month `m` for segment `g`, from an arm's
/// [`crate::simulation::records::ArmRun::segment_monthly`].
pub fn segment_metric_at(model: &Model, segment_monthly: &[f64], g: usize, metric: Metric, m: usize) -> f64 {
    let cols = segment_columns(model).len();
    let start = (m * model.segments.len() + g) * cols;
    metric_in_row(model, &segment_monthly[start..start + cols], metric)
}

/// Value of a metric in one row of a monthly record (whole cohort or one segment).
fn metric_in_row(model: &Model, row: &[f64], metric: Metric) -> f64 {
    let so = share_offset(model);
    match metric {
        Metric::StateShare(s) => row[1 + s] / row[0].max(1.0),
        other => {
            let name = Metric::NAMED.iter().find(|(_, x)| *x == other).map(|(n, _)| *n).unwrap_or("");
            let k = MONTHLY_SHARES.iter().position(|s| *s == name).expect("named metric has a column");
            row[so + k]
        }
    }
}

/// Where [`RepOutcomes`] finds its figures: the column and name positions that every
/// replication of a model shares, worked out once per run rather than once per
/// replication (a run reduces each replication as soon as it is simulated).
#[derive(Debug, Clone)]
pub struct OutcomePlan {
    /// Columns of an arm's monthly record.
    cols: usize,
    share_offset: usize,
    cumulative_col: usize,
    /// The waiting-list column, with `[staffing.capacity]`.
    waiting_col: Option<usize>,
    /// Position of each name in [`arm_outcome_names`].
    names: std::collections::HashMap<String, usize>,
    target_months: Vec<usize>,
}

impl OutcomePlan {
    /// The plan for a model's replications.
    pub fn new(model: &Model) -> OutcomePlan {
        let columns = monthly_columns(model);
        let col = |name: &str| columns.iter().position(|c| c == name).expect("known column");
        OutcomePlan {
            cols: columns.len(),
            share_offset: share_offset(model),
            cumulative_col: col("cumulative_benefit_months"),
            waiting_col: model
                .staffing
                .as_ref()
                .is_some_and(|s| s.capacity.is_some())
                .then(|| col("waiting_list")),
            names: arm_outcome_names(model).into_iter().enumerate().map(|(i, n)| (n, i)).collect(),
            target_months: target_months(model),
        }
    }

    fn at(&self, name: &str) -> usize {
        self.names[name]
    }
}

/// Computes every outcome of one replication (arm 0 is the scenario and arm 1 the
/// counterfactual) with the model's [`OutcomePlan`], taking the replication so that its
/// monthly records move into the outcomes rather than being copied.
pub fn into_rep_outcomes(model: &Model, plan: &OutcomePlan, rep: Replication) -> RepOutcomes {
    let h = model.horizon;
    let (cols, so) = (plan.cols, plan.share_offset);
    // [`metric_at`] with the plan's column count.
    let metric_in_month = |monthly: &[f64], metric: Metric, m: usize| {
        metric_in_row(model, &monthly[m * cols..(m + 1) * cols], metric)
    };
    let mut arms = Vec::with_capacity(rep.arms.len());
    let mut budget = Vec::with_capacity(rep.arms.len());
    for run in &rep.arms {
        let last = &run.monthly[h * cols..(h + 1) * cols];
        let mut v: Vec<f64> = Vec::with_capacity(plan.names.len());
        v.extend((0..MONTHLY_SHARES.len()).map(|k| last[so + k]));
        v.push(last[so] * last[0]);
        v.push(last[plan.cumulative_col]);
        v.extend(run.state_months.iter().map(|n| *n as f64));
        let by = items_for(model.start, &run.flows);
        v.extend(by.total.iter().copied());
        let tot = Item::ALL.iter().position(|i| *i == Item::TotalNetCost).unwrap();
        let amounts: Vec<f64> = by.values.iter().map(|y| y[tot]).collect();
        v.push(present_value(model.start.year, &by.years, &amounts, model.budget.discount_rate));
        if let Some(wl) = plan.waiting_col {
            let waiting: f64 = (1..=h).map(|m| run.monthly[m * cols + wl]).sum();
            v.push(run.placements as f64);
            v.push(if run.placements > 0 {
                run.placement_wait_months as f64 / run.placements as f64
            } else {
                f64::NAN
            });
            v.push(waiting / h as f64);
            v.push(run.monthly[h * cols + wl]);
        }
        for t in &model.targets {
            let mut value = metric_in_month(&run.monthly, t.metric, t.month);
            if t.relative_to_start {
                let base = metric_in_month(&run.monthly, t.metric, 0);
                value = if base != 0.0 { value / base } else { f64::NAN };
            }
            v.push(value);
            v.push(if value.is_finite() && t.is_met(value) { 1.0 } else { 0.0 });
        }
        for &m in &plan.target_months {
            v.push(metric_in_month(&run.monthly, Metric::SelfSupportingShare, m));
            v.push(metric_in_month(&run.monthly, Metric::EmploymentShare, m));
        }
        arms.push(v);
        budget.push(by);
    }
    let (sc, cf) = (&arms[0], &arms[1]);
    let d = |n: &str| sc[plan.at(n)] - cf[plan.at(n)];
    let s = |n: &str| cf[plan.at(n)] - sc[plan.at(n)];
    let last_entered = rep.arms[0].monthly[h * cols];
    let monthly_net_effect: Vec<f64> = (0..h)
        .map(|m| total_net_cost(&rep.arms[1].flows[m]) - total_net_cost(&rep.arms[0].flows[m]))
        .collect();
    let extra_ss = d("self_supporting_share") * last_entered;
    let extra_staff = d("extra_staff_cost");
    let savings = s("net_benefit") + s("activity_cost") + s("one_off_cost");
    let effects = vec![
        extra_ss,
        d("employment_share") * last_entered,
        s("benefit_months"),
        s("gross_benefit"),
        s("net_benefit"),
        s("total_net_cost"),
        s("total_net_cost_pv"),
        if s("total_net_cost") > 0.0 { 1.0 } else { 0.0 },
        break_even_month(&monthly_net_effect).map(|m| m as f64).unwrap_or(f64::NAN),
        if extra_staff > 0.0 { savings / extra_staff } else { f64::NAN },
        if extra_ss > 0.0 && extra_staff > 0.0 { extra_staff / extra_ss } else { f64::NAN },
        s("wider_net_cost"),
        s("public_cost"),
    ];
    let monthly_net_cost = rep.arms.iter().map(|a| a.flows.iter().map(total_net_cost).collect()).collect();
    RepOutcomes {
        index: rep.index,
        arms,
        effects,
        budget,
        monthly_net_effect,
        ratio_parts: [(savings, extra_staff), (extra_staff, extra_ss)],
        monthly_net_cost,
        monthly: rep.arms.into_iter().map(|a| a.monthly).collect(),
        params: rep.params,
        trajectories: rep.trajectories,
    }
}

/// The municipality's net cost in one month's flows: net benefit, net activity
/// cost, one-off costs and all staff, less grant income.
pub fn total_net_cost(f: &[f64; N_FLOWS]) -> f64 {
    use Flow as F;
    let g = |x: F| f[x as usize];
    g(F::GrossBenefit) - g(F::Reimbursement) + g(F::ActivityCost) - g(F::ActivityReimbursement)
        + g(F::OneOffCost)
        + g(F::BaselineStaffCost)
        + g(F::ExtraStaffCost)
        - g(F::GrantIncome)
}

/// Summaries over replications of everything the outputs report.
#[derive(Debug, Clone)]
pub struct Results {
    /// Arm names, in order.
    pub arm_names: Vec<&'static str>,
    /// Per replication.
    pub reps: Vec<RepOutcomes>,
    /// Per arm and for the difference: summary of each arm outcome (index 2 = difference).
    pub arm_summaries: Vec<Vec<Summary>>,
    /// Summary of each effect.
    pub effect_summaries: Vec<Summary>,
    /// Share of replications reaching break-even within the horizon.
    pub break_even_share: f64,
    /// Median break-even month counting "not reached" as beyond the horizon (None if so).
    pub break_even_median: Option<f64>,
}

/// Summarises replications (arm 0 = scenario, arm 1 = counterfactual).
pub fn summarise(model: &Model, arms: &[Arm], reps: &[Replication]) -> Results {
    let plan = OutcomePlan::new(model);
    let outs: Vec<RepOutcomes> = reps.iter().map(|r| into_rep_outcomes(model, &plan, r.clone())).collect();
    summarise_outcomes(arms, outs)
}

/// The effects summarised as ratios, in the order of [`RepOutcomes::ratio_parts`].
const RATIO_EFFECTS: [&str; 2] = ["return_per_krone", "cost_per_extra_self_supporting"];

/// Summarises already computed per-replication outcomes, in parallel on the current
/// rayon pool (the results do not depend on its size).
pub fn summarise_outcomes(arms: &[Arm], outs: Vec<RepOutcomes>) -> Results {
    let n_arm = outs.first().map(|o| o.arms[0].len()).unwrap_or(0);
    // Each summary on its own, in parallel on the current rayon pool (collected in order).
    let arm_summaries: Vec<Vec<Summary>> = (0..=arms.len())
        .into_par_iter()
        .map(|a| {
            (0..n_arm)
                .into_par_iter()
                .map(|k| {
                    let vals: Vec<f64> = outs
                        .iter()
                        .map(|o| if a < arms.len() { o.arms[a][k] } else { o.arms[0][k] - o.arms[1][k] })
                        .collect();
                    Summary::of(&vals)
                })
                .collect()
        })
        .collect();
    let effect_summaries: Vec<Summary> = (0..EFFECT_NAMES.len())
        .into_par_iter()
        .map(|k| match RATIO_EFFECTS.iter().position(|n| *n == EFFECT_NAMES[k]) {
            Some(j) => {
                let nums: Vec<f64> = outs.iter().map(|o| o.ratio_parts[j].0).collect();
                let dens: Vec<f64> = outs.iter().map(|o| o.ratio_parts[j].1).collect();
                Summary::of_ratio(&nums, &dens)
            }
            None => Summary::of(&outs.iter().map(|o| o.effects[k]).collect::<Vec<_>>()),
        })
        .collect();
    let be_idx = EFFECT_NAMES.iter().position(|n| *n == "break_even_month").unwrap();
    let mut be: Vec<f64> =
        outs.iter().map(|o| o.effects[be_idx]).map(|x| if x.is_nan() { f64::INFINITY } else { x }).collect();
    let break_even_share = be.iter().filter(|x| x.is_finite()).count() as f64 / be.len().max(1) as f64;
    be.sort_by(|a, b| a.total_cmp(b));
    let break_even_median = if be.is_empty() {
        None
    } else {
        let mid = if be.len() % 2 == 1 {
            be[be.len() / 2]
        } else {
            (be[be.len() / 2 - 1] + be[be.len() / 2]) / 2.0
        };
        mid.is_finite().then_some(mid)
    };
    Results {
        arm_names: arms.iter().map(|a| a.name).collect(),
        reps: outs,
        arm_summaries,
        effect_summaries,
        break_even_share,
        break_even_median,
    }
}
