//! The outcomes of one arm of one replication (a `replications.csv` row, the outcome
//! rows of `summary.csv`) and the effects of the scenario against the counterfactual.

use super::monthly::MonthlyMeasure;
use super::units::Unit;
use crate::budget::Item;
use crate::model::{Model, Target};

/// A per-arm outcome that is one column in every model (besides the monthly measures at
/// the horizon, the per-state, per-item and per-target families).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArmOutcome {
    /// Citizens self-supporting at the horizon.
    SelfSupportingCitizens,
    /// Citizen-months on benefit over the horizon.
    BenefitMonths,
    /// Present value of the total net cost.
    TotalNetCostPv,
    /// Placements made over the horizon (with capacity only).
    Placements,
    /// Mean wait of a placement (with capacity only).
    MeanWaitMonths,
    /// Waiting list averaged over the months (with capacity only).
    MeanWaitingList,
    /// Waiting list at the horizon (with capacity only).
    WaitingListAtHorizon,
}

impl ArmOutcome {
    /// Every fixed outcome, in column order (the capacity outcomes last).
    pub const ALL: [ArmOutcome; 7] = [
        ArmOutcome::SelfSupportingCitizens,
        ArmOutcome::BenefitMonths,
        ArmOutcome::TotalNetCostPv,
        ArmOutcome::Placements,
        ArmOutcome::MeanWaitMonths,
        ArmOutcome::MeanWaitingList,
        ArmOutcome::WaitingListAtHorizon,
    ];

    /// The outcomes of placement capacity, only with `[staffing.capacity]`.
    pub const CAPACITY: [ArmOutcome; 4] = [
        ArmOutcome::Placements,
        ArmOutcome::MeanWaitMonths,
        ArmOutcome::MeanWaitingList,
        ArmOutcome::WaitingListAtHorizon,
    ];

    /// The outcome's name in the files.
    pub const fn name(self) -> &'static str {
        match self {
            ArmOutcome::SelfSupportingCitizens => "self_supporting_citizens",
            ArmOutcome::BenefitMonths => "benefit_months",
            ArmOutcome::TotalNetCostPv => "total_net_cost_pv",
            ArmOutcome::Placements => "placements",
            ArmOutcome::MeanWaitMonths => "mean_wait_months",
            ArmOutcome::MeanWaitingList => "mean_waiting_list",
            ArmOutcome::WaitingListAtHorizon => "waiting_list_at_horizon",
        }
    }

    /// The outcome's unit.
    pub const fn unit(self) -> Unit {
        match self {
            ArmOutcome::SelfSupportingCitizens => Unit::Citizens,
            ArmOutcome::BenefitMonths => Unit::CitizenMonths,
            ArmOutcome::TotalNetCostPv => Unit::Dkk,
            ArmOutcome::Placements => Unit::Placements,
            ArmOutcome::MeanWaitMonths => Unit::Months,
            ArmOutcome::MeanWaitingList | ArmOutcome::WaitingListAtHorizon => Unit::Citizens,
        }
    }

    /// What the outcome is, in one line.
    pub const fn meaning(self) -> &'static str {
        match self {
            ArmOutcome::SelfSupportingCitizens => {
                "citizens in self-supporting states at the end of the horizon"
            }
            ArmOutcome::BenefitMonths => "citizen-months in benefit-paying states over the horizon",
            ArmOutcome::TotalNetCostPv => "present value of the total net cost, discounted by budget year",
            ArmOutcome::Placements => "placements made over the horizon",
            ArmOutcome::MeanWaitMonths => "mean months a placement waited",
            ArmOutcome::MeanWaitingList => "the end-of-month waiting list averaged over the months",
            ArmOutcome::WaitingListAtHorizon => "the waiting list at the horizon",
        }
    }
}

/// The two monthly measures reported at each target month before the horizon.
pub const TARGET_MONTH_SHARES: [MonthlyMeasure; 2] =
    [MonthlyMeasure::SelfSupportingShare, MonthlyMeasure::EmploymentShare];

/// A column of the outcomes of one arm of a given model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeColumn {
    /// One of [`MonthlyMeasure::SHARES`] at the horizon.
    AtHorizon(MonthlyMeasure),
    /// A fixed outcome.
    Fixed(ArmOutcome),
    /// `months:<state>`: citizen-months in the state (by index) over the horizon.
    StateMonths(usize),
    /// A budget item's total over the horizon.
    Item(Item),
    /// `target_<i>_value`: target i's (0-based) metric at its month.
    TargetValue(usize),
    /// `target_<i>_met`: 1 if target i (0-based) is met, else 0.
    TargetMet(usize),
    /// `<measure>_month_<m>`: one of [`TARGET_MONTH_SHARES`] at month m.
    ShareAtMonth(MonthlyMeasure, usize),
}

/// Names under which the documentation lists the outcome families, with their units:
/// `months:<state>`, the targets' value and met, the shares at target months.
pub fn family_patterns() -> Vec<(String, Unit)> {
    let mut v = vec![
        ("months:<state>".to_string(), OutcomeColumn::StateMonths(0).unit()),
        ("target_<i>_value".to_string(), OutcomeColumn::TargetValue(0).unit()),
        ("target_<i>_met".to_string(), OutcomeColumn::TargetMet(0).unit()),
    ];
    v.extend(TARGET_MONTH_SHARES.map(|m| (format!("{}_month_<m>", m.name()), m.unit())));
    v
}

impl OutcomeColumn {
    /// The column's name in the files.
    pub fn name(self, model: &Model) -> String {
        match self {
            OutcomeColumn::AtHorizon(m) => m.name().to_string(),
            OutcomeColumn::Fixed(o) => o.name().to_string(),
            OutcomeColumn::StateMonths(s) => format!("months:{}", model.states[s].id),
            OutcomeColumn::Item(i) => i.key().to_string(),
            OutcomeColumn::TargetValue(i) => format!("target_{}_value", i + 1),
            OutcomeColumn::TargetMet(i) => format!("target_{}_met", i + 1),
            OutcomeColumn::ShareAtMonth(m, month) => format!("{}_month_{month}", m.name()),
        }
    }

    /// The column's unit.
    pub const fn unit(self) -> Unit {
        match self {
            OutcomeColumn::AtHorizon(m) | OutcomeColumn::ShareAtMonth(m, _) => m.unit(),
            OutcomeColumn::Fixed(o) => o.unit(),
            OutcomeColumn::StateMonths(_) => Unit::CitizenMonths,
            OutcomeColumn::Item(_) => Unit::Dkk,
            OutcomeColumn::TargetValue(_) => Unit::AsTargetMetric,
            OutcomeColumn::TargetMet(_) => Unit::Probability,
        }
    }

    /// What the column holds, in one line.
    pub const fn meaning(self) -> &'static str {
        match self {
            OutcomeColumn::AtHorizon(m) => m.meaning(),
            OutcomeColumn::Fixed(o) => o.meaning(),
            OutcomeColumn::StateMonths(_) => "citizen-months spent in the state over the horizon",
            OutcomeColumn::Item(_) => "the budget item's total over the horizon",
            OutcomeColumn::TargetValue(_) => {
                "the target's metric at its month (a ratio to month 0 if relative)"
            }
            OutcomeColumn::TargetMet(_) => "1 if the target is met, else 0",
            OutcomeColumn::ShareAtMonth(..) => "the share at the end of a target month before the horizon",
        }
    }

    /// Whether the column is one of a target's, reported in the target rows of
    /// `summary.csv` rather than among the outcomes.
    pub const fn is_target(self) -> bool {
        matches!(self, OutcomeColumn::TargetValue(_) | OutcomeColumn::TargetMet(_))
    }
}

/// The unit of target i's value in a model: its metric's unit, or a ratio for a target
/// relative to the start (the declared [`Unit::AsTargetMetric`] made concrete).
pub fn target_value_unit(target: &Target) -> Unit {
    if target.relative_to_start { Unit::RatioToStart } else { MonthlyMeasure::unit_of_metric(target.metric) }
}

/// The name `summary.csv` gives the probability of meeting target i (0-based): the mean
/// of its [`OutcomeColumn::TargetMet`].
pub fn target_probability_name(i: usize) -> String {
    format!("target_{}_probability", i + 1)
}

/// The distinct months (before the horizon) at which targets are measured, ascending.
pub fn target_months(model: &Model) -> Vec<usize> {
    let mut months: Vec<usize> =
        model.targets.iter().map(|t| t.month).filter(|m| *m != model.horizon).collect();
    months.sort_unstable();
    months.dedup();
    months
}

/// Where each outcome sits in a model's per-arm outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeLayout {
    states: usize,
    first_item: usize,
    first_capacity: Option<usize>,
    first_target: usize,
    targets: usize,
    first_target_month: usize,
    /// The target months, as [`target_months`].
    pub target_months: Vec<usize>,
    /// Outcomes per arm.
    pub width: usize,
}

impl OutcomeLayout {
    /// The layout of a model's outcomes.
    pub fn new(model: &Model) -> OutcomeLayout {
        let states = model.states.len();
        let first_item = MonthlyMeasure::SHARES.len() + 2 + states;
        let after_pv = first_item + Item::ALL.len() + 1;
        let first_capacity = model.has_capacity().then_some(after_pv);
        let first_target = after_pv + if model.has_capacity() { ArmOutcome::CAPACITY.len() } else { 0 };
        let targets = model.targets.len();
        let first_target_month = first_target + 2 * targets;
        let target_months = target_months(model);
        let width = first_target_month + TARGET_MONTH_SHARES.len() * target_months.len();
        OutcomeLayout {
            states,
            first_item,
            first_capacity,
            first_target,
            targets,
            first_target_month,
            target_months,
            width,
        }
    }

    /// Whether the capacity outcomes are present.
    pub fn has_capacity(&self) -> bool {
        self.first_capacity.is_some()
    }

    /// The index of one of [`MonthlyMeasure::SHARES`] at the horizon.
    #[inline]
    pub fn at_horizon(&self, share: MonthlyMeasure) -> usize {
        debug_assert!(MonthlyMeasure::SHARES.contains(&share));
        share as usize - MonthlyMeasure::SelfSupportingShare as usize
    }

    /// The index of a fixed outcome. A capacity outcome lies beyond [`Self::width`]
    /// unless [`Self::has_capacity`].
    #[inline]
    pub fn at(&self, outcome: ArmOutcome) -> usize {
        let shares = MonthlyMeasure::SHARES.len();
        let capacity = self.first_capacity.unwrap_or(self.width);
        match outcome {
            ArmOutcome::SelfSupportingCitizens => shares,
            ArmOutcome::BenefitMonths => shares + 1,
            ArmOutcome::TotalNetCostPv => self.first_item + Item::ALL.len(),
            ArmOutcome::Placements => capacity,
            ArmOutcome::MeanWaitMonths => capacity + 1,
            ArmOutcome::MeanWaitingList => capacity + 2,
            ArmOutcome::WaitingListAtHorizon => capacity + 3,
        }
    }

    /// The index of a budget item's total.
    #[inline]
    pub fn item(&self, item: Item) -> usize {
        self.first_item + item as usize
    }

    /// The index of the citizen-months in state `s`.
    #[inline]
    pub fn state_months(&self, s: usize) -> usize {
        MonthlyMeasure::SHARES.len() + 2 + s
    }

    /// The index of target i's value (0-based).
    #[inline]
    pub fn target_value(&self, i: usize) -> usize {
        self.first_target + 2 * i
    }

    /// The index of whether target i (0-based) is met.
    #[inline]
    pub fn target_met(&self, i: usize) -> usize {
        self.first_target + 2 * i + 1
    }

    /// The index of one of [`TARGET_MONTH_SHARES`] at the k-th of [`Self::target_months`].
    #[inline]
    pub fn share_at_target_month(&self, k: usize, share: MonthlyMeasure) -> usize {
        let j = if share == MonthlyMeasure::SelfSupportingShare { 0 } else { 1 };
        debug_assert_eq!(TARGET_MONTH_SHARES[j], share);
        self.first_target_month + TARGET_MONTH_SHARES.len() * k + j
    }

    /// Every column, in order.
    pub fn columns(&self) -> Vec<OutcomeColumn> {
        let mut v: Vec<OutcomeColumn> = MonthlyMeasure::SHARES.map(OutcomeColumn::AtHorizon).to_vec();
        v.push(OutcomeColumn::Fixed(ArmOutcome::SelfSupportingCitizens));
        v.push(OutcomeColumn::Fixed(ArmOutcome::BenefitMonths));
        v.extend((0..self.states).map(OutcomeColumn::StateMonths));
        v.extend(Item::ALL.map(OutcomeColumn::Item));
        v.push(OutcomeColumn::Fixed(ArmOutcome::TotalNetCostPv));
        if self.has_capacity() {
            v.extend(ArmOutcome::CAPACITY.map(OutcomeColumn::Fixed));
        }
        for i in 0..self.targets {
            v.push(OutcomeColumn::TargetValue(i));
            v.push(OutcomeColumn::TargetMet(i));
        }
        for &m in &self.target_months {
            v.extend(TARGET_MONTH_SHARES.map(|s| OutcomeColumn::ShareAtMonth(s, m)));
        }
        v
    }
}

/// An effect of one replication: the scenario against the counterfactual, signed so that
/// positive is good (see `docs/outputs.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Scenario − counterfactual self-supporting citizens at the horizon.
    ExtraSelfSupporting,
    /// Scenario − counterfactual employed citizens at the horizon.
    ExtraEmployed,
    /// Counterfactual − scenario benefit months.
    BenefitMonthsAvoided,
    /// Counterfactual − scenario gross benefit.
    GrossBenefitSaving,
    /// Counterfactual − scenario net benefit.
    NetBenefitSaving,
    /// The part of the net benefit saving from fewer benefit months, priced at the
    /// counterfactual's municipal share: (B_c − B_s)(1 − R_c/B_c).
    NetBenefitSavingFromMonths,
    /// The part from a changed reimbursement share of the benefit still paid:
    /// B_s (R_s/B_s − R_c/B_c).
    NetBenefitSavingFromShare,
    /// Counterfactual − scenario total net cost.
    NetMunicipalEffect,
    /// The same in present value.
    NetMunicipalEffectPv,
    /// 1 if the net municipal effect is positive.
    NetEffectPositive,
    /// First month from which the cumulative net effect stays positive.
    BreakEvenMonth,
    /// Savings per krone of extra staff cost.
    ReturnPerKrone,
    /// Extra staff cost per extra self-supporting citizen.
    CostPerExtraSelfSupporting,
    /// Counterfactual − scenario wider net cost.
    WiderNetEffect,
    /// Counterfactual − scenario public cost.
    PublicNetEffect,
}

impl Effect {
    /// Every effect, in column order.
    pub const ALL: [Effect; 15] = [
        Effect::ExtraSelfSupporting,
        Effect::ExtraEmployed,
        Effect::BenefitMonthsAvoided,
        Effect::GrossBenefitSaving,
        Effect::NetBenefitSaving,
        Effect::NetBenefitSavingFromMonths,
        Effect::NetBenefitSavingFromShare,
        Effect::NetMunicipalEffect,
        Effect::NetMunicipalEffectPv,
        Effect::NetEffectPositive,
        Effect::BreakEvenMonth,
        Effect::ReturnPerKrone,
        Effect::CostPerExtraSelfSupporting,
        Effect::WiderNetEffect,
        Effect::PublicNetEffect,
    ];

    /// The effects summarised as a ratio of means, in the order of their numerator and
    /// denominator in the outcomes of a replication.
    pub const RATIOS: [Effect; 2] = [Effect::ReturnPerKrone, Effect::CostPerExtraSelfSupporting];

    /// Every effect's name, in column order.
    pub const NAMES: [&'static str; 15] = {
        let mut names = [""; 15];
        let mut k = 0;
        while k < names.len() {
            names[k] = Effect::ALL[k].name();
            k += 1;
        }
        names
    };

    /// The effect's name in the files.
    pub const fn name(self) -> &'static str {
        match self {
            Effect::ExtraSelfSupporting => "extra_self_supporting",
            Effect::ExtraEmployed => "extra_employed",
            Effect::BenefitMonthsAvoided => "benefit_months_avoided",
            Effect::GrossBenefitSaving => "gross_benefit_saving",
            Effect::NetBenefitSaving => "net_benefit_saving",
            Effect::NetBenefitSavingFromMonths => "net_benefit_saving_from_months",
            Effect::NetBenefitSavingFromShare => "net_benefit_saving_from_share",
            Effect::NetMunicipalEffect => "net_municipal_effect",
            Effect::NetMunicipalEffectPv => "net_municipal_effect_pv",
            Effect::NetEffectPositive => "net_effect_positive",
            Effect::BreakEvenMonth => "break_even_month",
            Effect::ReturnPerKrone => "return_per_krone",
            Effect::CostPerExtraSelfSupporting => "cost_per_extra_self_supporting",
            Effect::WiderNetEffect => "wider_net_effect",
            Effect::PublicNetEffect => "public_net_effect",
        }
    }

    /// The effect's unit.
    pub const fn unit(self) -> Unit {
        match self {
            Effect::ExtraSelfSupporting | Effect::ExtraEmployed => Unit::Citizens,
            Effect::BenefitMonthsAvoided => Unit::CitizenMonths,
            Effect::GrossBenefitSaving
            | Effect::NetBenefitSaving
            | Effect::NetBenefitSavingFromMonths
            | Effect::NetBenefitSavingFromShare
            | Effect::NetMunicipalEffect
            | Effect::NetMunicipalEffectPv
            | Effect::WiderNetEffect
            | Effect::PublicNetEffect => Unit::Dkk,
            Effect::NetEffectPositive => Unit::Probability,
            Effect::BreakEvenMonth => Unit::SimulatedMonth,
            Effect::ReturnPerKrone => Unit::DkkSavedPerDkkOfStaff,
            Effect::CostPerExtraSelfSupporting => Unit::DkkPerCitizen,
        }
    }

    /// What the effect is, in one line.
    pub const fn meaning(self) -> &'static str {
        match self {
            Effect::ExtraSelfSupporting => {
                "scenario − counterfactual self-supporting citizens at the horizon"
            }
            Effect::ExtraEmployed => "scenario − counterfactual employed citizens at the horizon",
            Effect::BenefitMonthsAvoided => "counterfactual − scenario benefit months over the horizon",
            Effect::GrossBenefitSaving => "counterfactual − scenario gross benefit",
            Effect::NetBenefitSaving => "counterfactual − scenario net benefit",
            Effect::NetBenefitSavingFromMonths => {
                "the part of net_benefit_saving from fewer benefit months: (gross benefit cf − sc) × (1 − cf reimbursement share)"
            }
            Effect::NetBenefitSavingFromShare => {
                "the part of net_benefit_saving from a changed reimbursement share: sc gross benefit × (sc − cf reimbursement share)"
            }
            Effect::NetMunicipalEffect => "counterfactual − scenario total net cost",
            Effect::NetMunicipalEffectPv => "counterfactual − scenario total net cost in present value",
            Effect::NetEffectPositive => "1 if the net municipal effect is positive, else 0",
            Effect::BreakEvenMonth => {
                "first month from which the cumulative net effect, with external grant income counted only as it covers the hires it funds, stays positive"
            }
            Effect::ReturnPerKrone => {
                "savings on benefit, activities and one-off costs per krone of extra staff"
            }
            Effect::CostPerExtraSelfSupporting => "extra staff cost per extra self-supporting citizen",
            Effect::WiderNetEffect => "counterfactual − scenario wider net cost (with tax and equalisation)",
            Effect::PublicNetEffect => "counterfactual − scenario cost to state and municipality together",
        }
    }

    /// The position of a ratio effect's numerator and denominator among
    /// [`Effect::RATIOS`], or `None` for an effect summarised as a plain mean.
    pub const fn ratio_part(self) -> Option<usize> {
        match self {
            Effect::ReturnPerKrone => Some(0),
            Effect::CostPerExtraSelfSupporting => Some(1),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_are_indexed_by_their_declaration() {
        for (k, e) in Effect::ALL.iter().enumerate() {
            assert_eq!(*e as usize, k);
            assert_eq!(Effect::NAMES[k], e.name());
        }
        for (k, e) in Effect::RATIOS.iter().enumerate() {
            assert_eq!(e.ratio_part(), Some(k));
        }
    }

    #[test]
    fn items_are_indexed_by_their_declaration() {
        for (k, i) in Item::ALL.iter().enumerate() {
            assert_eq!(*i as usize, k);
        }
    }
}
