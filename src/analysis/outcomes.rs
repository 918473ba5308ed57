//! From replications to outcomes: per-replication figures for each arm and
//! for the paired difference, and their summaries over replications.
//!
//! Sign conventions: a `difference` is scenario − counterfactual; an
//! `effect` or `saving` is counterfactual − scenario for costs (positive =
//! the scenario saves money) and scenario − counterfactual for outcomes
//! (positive = more citizens in work).

use crate::analysis::stats::Summary;
use crate::budget::{
    BudgetYears, Item, N_FLOWS, break_even_effect, break_even_month, items_for, municipal_net_cost,
    present_value,
};
use crate::model::{Arm, Metric, Model};
use crate::schema::{ArmOutcome, Effect, MonthlyLayout, MonthlyMeasure, OutcomeLayout};
use crate::simulation::census::counted_value;
use crate::simulation::records::Replication;
use rayon::prelude::*;

pub use crate::schema::outcomes::target_months;

/// The names of the outcomes of one arm of one replication, as declared in
/// [`OutcomeLayout::columns`].
pub fn arm_outcome_names(model: &Model) -> Vec<String> {
    OutcomeLayout::new(model).columns().into_iter().map(|c| c.name(model)).collect()
}

/// The names of the effects of one replication, as declared in [`Effect`].
pub const EFFECT_NAMES: [&str; 15] = Effect::NAMES;

/// Outcomes of one replication.
#[derive(Debug, Clone)]
pub struct RepOutcomes {
    /// Replication number.
    pub index: u32,
    /// Per arm, values placed by the model's [`OutcomeLayout`].
    pub arms: Vec<Vec<f64>>,
    /// Values indexed by [`Effect`] (NaN where undefined).
    pub effects: Vec<f64>,
    /// Per arm, budget years.
    pub budget: Vec<BudgetYears>,
    /// Monthly net effect (counterfactual − scenario total net cost), months 1..=horizon.
    pub monthly_net_effect: Vec<f64>,
    /// Drawn parameter values.
    pub params: Vec<f64>,
    /// Numerator and denominator of each of [`Effect::RATIOS`].
    pub ratio_parts: [(f64, f64); 2],
    /// Per arm, the monthly record (placed by [`MonthlyLayout`]).
    pub monthly: Vec<Vec<f64>>,
    /// Per arm, the municipality's net cost in each month 1..=horizon.
    pub monthly_net_cost: Vec<Vec<f64>>,
    /// Sampled individual paths, if any.
    pub trajectories: Vec<crate::simulation::records::TrajectoryRow>,
}

/// Value of a metric at month `m` in an arm's monthly record.
pub fn metric_at(model: &Model, monthly: &[f64], metric: Metric, m: usize) -> f64 {
    let layout = MonthlyLayout::new(model);
    let cols = layout.width;
    metric_in_row(&layout, &monthly[m * cols..(m + 1) * cols], metric)
}

/// Value of a metric at month `m` for segment `g`, from an arm's
/// [`crate::simulation::records::ArmRun::segment_monthly`].
pub fn segment_metric_at(model: &Model, segment_monthly: &[f64], g: usize, metric: Metric, m: usize) -> f64 {
    let layout = MonthlyLayout::new(model);
    let cols = layout.segment_width;
    let start = (m * model.segments.len() + g) * cols;
    metric_in_row(&layout, &segment_monthly[start..start + cols], metric)
}

/// Value of a metric in one row of a monthly record (whole cohort or one segment).
fn metric_in_row(layout: &MonthlyLayout, row: &[f64], metric: Metric) -> f64 {
    layout.metric(row, metric)
}

/// Where [`RepOutcomes`] finds its figures and puts its outcomes: the layouts of a
/// model's monthly record and outcomes, worked out once per run rather than once per
/// replication (a run reduces each replication as soon as it is simulated).
#[derive(Debug, Clone)]
pub struct OutcomePlan {
    /// The monthly record's columns.
    monthly: MonthlyLayout,
    /// The outcomes' columns.
    outcomes: OutcomeLayout,
}

impl OutcomePlan {
    /// The plan for a model's replications.
    pub fn new(model: &Model) -> OutcomePlan {
        OutcomePlan { monthly: MonthlyLayout::new(model), outcomes: OutcomeLayout::new(model) }
    }
}

/// Computes every outcome of one replication (arm 0 is the scenario and arm 1 the
/// counterfactual) with the model's [`OutcomePlan`], taking the replication so that its
/// monthly records move into the outcomes rather than being copied.
pub fn into_rep_outcomes(model: &Model, plan: &OutcomePlan, rep: Replication) -> RepOutcomes {
    use MonthlyMeasure as M;
    let h = model.horizon;
    let (ml, ol) = (&plan.monthly, &plan.outcomes);
    let cols = ml.width;
    fn month_row(monthly: &[f64], cols: usize, m: usize) -> &[f64] {
        &monthly[m * cols..(m + 1) * cols]
    }
    let mut arms = Vec::with_capacity(rep.arms.len());
    let mut budget = Vec::with_capacity(rep.arms.len());
    for run in &rep.arms {
        let last = month_row(&run.monthly, cols, h);
        let mut v = vec![0.0; ol.width];
        for share in MonthlyMeasure::SHARES {
            v[ol.at_horizon(share)] = last[ml.at(share)];
        }
        v[ol.at(ArmOutcome::SelfSupportingCitizens)] =
            last[ml.at(M::SelfSupportingShare)] * last[ml.at(M::Entered)];
        v[ol.at(ArmOutcome::BenefitMonths)] = last[ml.at(M::CumulativeBenefitMonths)];
        for (s, n) in run.state_months.iter().enumerate() {
            v[ol.state_months(s)] = *n as f64;
        }
        let by = items_for(model.start, &run.flows);
        for (item, total) in Item::ALL.iter().zip(&by.total) {
            v[ol.item(*item)] = *total;
        }
        let amounts: Vec<f64> = by.values.iter().map(|y| y[Item::TotalNetCost as usize]).collect();
        v[ol.at(ArmOutcome::TotalNetCostPv)] =
            present_value(model.start.year, &by.years, &amounts, model.budget.discount_rate);
        if ml.has_capacity {
            let wl = ml.at(M::WaitingList);
            let waiting: f64 = (1..=h).map(|m| month_row(&run.monthly, cols, m)[wl]).sum();
            v[ol.at(ArmOutcome::Placements)] = run.placements as f64;
            v[ol.at(ArmOutcome::MeanWaitMonths)] = if run.placements > 0 {
                run.placement_wait_months as f64 / run.placements as f64
            } else {
                f64::NAN
            };
            v[ol.at(ArmOutcome::MeanWaitingList)] = waiting / h as f64;
            v[ol.at(ArmOutcome::WaitingListAtHorizon)] = last[wl];
        }
        for (i, t) in model.targets.iter().enumerate() {
            let value = counted_value(t, i, &run.tally).unwrap_or_else(|| {
                let value = ml.metric(month_row(&run.monthly, cols, t.month), t.metric);
                if !t.relative_to_start {
                    return value;
                }
                let base = ml.metric(month_row(&run.monthly, cols, 0), t.metric);
                if base != 0.0 { value / base } else { f64::NAN }
            });
            v[ol.target_value(i)] = value;
            v[ol.target_met(i)] = if value.is_finite() && t.is_met(value) { 1.0 } else { 0.0 };
        }
        for (k, &m) in ol.target_months.iter().enumerate() {
            for share in crate::schema::outcomes::TARGET_MONTH_SHARES {
                v[ol.share_at_target_month(k, share)] = month_row(&run.monthly, cols, m)[ml.at(share)];
            }
        }
        arms.push(v);
        budget.push(by);
    }
    let (sc, cf) = (&arms[0], &arms[1]);
    // Scenario − counterfactual, and counterfactual − scenario (a saving), of an outcome.
    let d = |k: usize| sc[k] - cf[k];
    let s = |k: usize| cf[k] - sc[k];
    let item = |i: Item| ol.item(i);
    let last_entered = rep.arms[0].monthly[h * cols + ml.at(M::Entered)];
    let monthly_net_effect: Vec<f64> = (0..h)
        .map(|m| total_net_cost(&rep.arms[1].flows[m]) - total_net_cost(&rep.arms[0].flows[m]))
        .collect();
    let break_even_effect = break_even_effect(&rep.arms[0].flows, &rep.arms[1].flows);
    let extra_ss = d(ol.at_horizon(M::SelfSupportingShare)) * last_entered;
    let extra_staff = d(item(Item::ExtraStaffCost));
    let savings = s(item(Item::NetBenefit)) + s(item(Item::ActivityCost)) + s(item(Item::OneOffCost));
    let (from_months, from_share) = crate::budget::net_benefit_saving_split(
        (sc[item(Item::GrossBenefit)], sc[item(Item::Reimbursement)]),
        (cf[item(Item::GrossBenefit)], cf[item(Item::Reimbursement)]),
    );
    let effects: Vec<f64> = Effect::ALL
        .iter()
        .map(|e| match e {
            Effect::ExtraSelfSupporting => extra_ss,
            Effect::ExtraEmployed => d(ol.at_horizon(M::EmploymentShare)) * last_entered,
            Effect::BenefitMonthsAvoided => s(ol.at(ArmOutcome::BenefitMonths)),
            Effect::GrossBenefitSaving => s(item(Item::GrossBenefit)),
            Effect::NetBenefitSaving => s(item(Item::NetBenefit)),
            Effect::NetBenefitSavingFromMonths => from_months,
            Effect::NetBenefitSavingFromShare => from_share,
            Effect::NetMunicipalEffect => s(item(Item::TotalNetCost)),
            Effect::NetMunicipalEffectPv => s(ol.at(ArmOutcome::TotalNetCostPv)),
            Effect::NetEffectPositive => {
                if s(item(Item::TotalNetCost)) > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Effect::BreakEvenMonth => {
                break_even_month(&break_even_effect).map(|m| m as f64).unwrap_or(f64::NAN)
            }
            Effect::ReturnPerKrone => {
                if extra_staff > 0.0 {
                    savings / extra_staff
                } else {
                    f64::NAN
                }
            }
            Effect::CostPerExtraSelfSupporting => {
                if extra_ss > 0.0 && extra_staff > 0.0 {
                    extra_staff / extra_ss
                } else {
                    f64::NAN
                }
            }
            Effect::WiderNetEffect => s(item(Item::WiderNetCost)),
            Effect::PublicNetEffect => s(item(Item::PublicCost)),
        })
        .collect();
    let monthly_net_cost = rep.arms.iter().map(|a| a.flows.iter().map(total_net_cost).collect()).collect();
    RepOutcomes {
        index: rep.index,
        arms,
        effects,
        budget,
        monthly_net_effect,
        // In the order of `Effect::RATIOS`.
        ratio_parts: [(savings, extra_staff), (extra_staff, extra_ss)],
        monthly_net_cost,
        monthly: rep.arms.into_iter().map(|a| a.monthly).collect(),
        params: rep.params,
        trajectories: rep.trajectories,
    }
}

/// The municipality's net cost in one month's flows ([`municipal_net_cost`]).
pub fn total_net_cost(f: &[f64; N_FLOWS]) -> f64 {
    municipal_net_cost(f)
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
    /// Share of replications whose net municipal effect is positive although they do
    /// not break even: the saving rests on grant money beyond the cost of the hires
    /// it pays for.
    pub positive_by_grant_surplus_share: f64,
}

/// Summarises replications (arm 0 = scenario, arm 1 = counterfactual).
pub fn summarise(model: &Model, arms: &[Arm], reps: &[Replication]) -> Results {
    let plan = OutcomePlan::new(model);
    let outs: Vec<RepOutcomes> = reps.iter().map(|r| into_rep_outcomes(model, &plan, r.clone())).collect();
    summarise_outcomes(arms, outs)
}

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
    let effect_summaries: Vec<Summary> = Effect::ALL
        .into_par_iter()
        .map(|e| match e.ratio_part() {
            Some(j) => {
                let nums: Vec<f64> = outs.iter().map(|o| o.ratio_parts[j].0).collect();
                let dens: Vec<f64> = outs.iter().map(|o| o.ratio_parts[j].1).collect();
                Summary::of_ratio(&nums, &dens)
            }
            None => Summary::of(&outs.iter().map(|o| o.effects[e as usize]).collect::<Vec<_>>()),
        })
        .collect();
    let be_idx = Effect::BreakEvenMonth as usize;
    let positive_by_grant_surplus = outs
        .iter()
        .filter(|o| o.effects[Effect::NetEffectPositive as usize] == 1.0 && o.effects[be_idx].is_nan())
        .count();
    let positive_by_grant_surplus_share = positive_by_grant_surplus as f64 / outs.len().max(1) as f64;
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
        positive_by_grant_surplus_share,
    }
}
