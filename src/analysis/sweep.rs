//! The figures of a sweep: per level, the main outcomes and effects with both kinds of
//! interval, the probabilities a committee asks for and the marginal effect of one more
//! step; across levels, the best level and the smallest level that meets each target.
//!
//! Every level is simulated on the same seed and replications, so replication r of
//! one level has the same cohort, parameter draws and random numbers as replication r
//! of the next: the difference of their paired effects is what the step changes, with
//! the chance both share taken out. Each figure is computed exactly as `trappe run`
//! computes it ([`Summary::of`], [`split_of_run`]), so a level's figures are those of a
//! run of the scenario with the level's value.

use crate::analysis::outcomes::RepOutcomes;
use crate::analysis::stats::Summary;
use crate::analysis::uncertainty::{Split, split_of_run};
use crate::budget::Item;
use crate::model::Model;
use crate::schema::{Effect, MonthlyMeasure, OutcomeLayout, Unit};

/// A figure a sweep reports per level: an outcome of the scenario arm, or an effect of
/// the scenario against its counterfactual.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The scenario arm's self-supporting share at the horizon.
    SelfSupportingShare,
    /// The scenario arm's employment share at the horizon.
    EmploymentShare,
    /// Extra self-supporting citizens at the horizon ([`Effect::ExtraSelfSupporting`]).
    ExtraSelfSupporting,
    /// Extra citizens in employment at the horizon ([`Effect::ExtraEmployed`]).
    ExtraEmployed,
    /// The municipality's net benefit saving ([`Effect::NetBenefitSaving`]).
    NetBenefitSaving,
    /// The extra staff cost: scenario − counterfactual of [`Item::ExtraStaffCost`].
    ExtraStaffCost,
    /// The net municipal effect over the horizon ([`Effect::NetMunicipalEffect`]).
    NetMunicipalEffect,
}

impl Measure {
    /// Every measure, in the order of the columns of `sweep.csv`.
    pub const ALL: [Measure; 7] = [
        Measure::SelfSupportingShare,
        Measure::EmploymentShare,
        Measure::ExtraSelfSupporting,
        Measure::ExtraEmployed,
        Measure::NetBenefitSaving,
        Measure::ExtraStaffCost,
        Measure::NetMunicipalEffect,
    ];

    /// The measures whose marginal effect of one more step is reported.
    pub const MARGINAL: [Measure; 3] =
        [Measure::ExtraSelfSupporting, Measure::NetBenefitSaving, Measure::NetMunicipalEffect];

    /// The measure's name in `sweep.csv` (that of its row in `summary.csv`).
    pub fn name(self) -> &'static str {
        match self {
            Measure::SelfSupportingShare => MonthlyMeasure::SelfSupportingShare.name(),
            Measure::EmploymentShare => MonthlyMeasure::EmploymentShare.name(),
            Measure::ExtraSelfSupporting => Effect::ExtraSelfSupporting.name(),
            Measure::ExtraEmployed => Effect::ExtraEmployed.name(),
            Measure::NetBenefitSaving => Effect::NetBenefitSaving.name(),
            Measure::ExtraStaffCost => Item::ExtraStaffCost.key(),
            Measure::NetMunicipalEffect => Effect::NetMunicipalEffect.name(),
        }
    }

    /// The measure's unit.
    pub const fn unit(self) -> Unit {
        match self {
            Measure::SelfSupportingShare | Measure::EmploymentShare => Unit::Share,
            Measure::ExtraSelfSupporting | Measure::ExtraEmployed => Unit::Citizens,
            Measure::NetBenefitSaving | Measure::ExtraStaffCost | Measure::NetMunicipalEffect => Unit::Dkk,
        }
    }

    /// The measure's value in one replication.
    fn value(self, o: &RepOutcomes, layout: &OutcomeLayout) -> f64 {
        let effect = |e: Effect| o.effects[e as usize];
        match self {
            Measure::SelfSupportingShare => o.arms[0][layout.at_horizon(MonthlyMeasure::SelfSupportingShare)],
            Measure::EmploymentShare => o.arms[0][layout.at_horizon(MonthlyMeasure::EmploymentShare)],
            Measure::ExtraSelfSupporting => effect(Effect::ExtraSelfSupporting),
            Measure::ExtraEmployed => effect(Effect::ExtraEmployed),
            Measure::NetBenefitSaving => effect(Effect::NetBenefitSaving),
            Measure::ExtraStaffCost => {
                let k = layout.item(Item::ExtraStaffCost);
                o.arms[0][k] - o.arms[1][k]
            }
            Measure::NetMunicipalEffect => effect(Effect::NetMunicipalEffect),
        }
    }
}

/// What a sweep keeps of one replication of one level: a few numbers instead of its
/// monthly records, so that a sweep holds little more memory than one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RepFigures {
    /// The value of each of [`Measure::ALL`].
    pub measures: [f64; Measure::ALL.len()],
    /// 1 if the realised cohort's net municipal effect is positive, else 0.
    pub cohort_saves: f64,
    /// Per target, 1 if the scenario arm meets it, else 0.
    pub targets_met: Vec<f64>,
}

impl RepFigures {
    /// The figures of one replication's outcomes, placed by the model's layout.
    pub fn of(model: &Model, layout: &OutcomeLayout, o: &RepOutcomes) -> RepFigures {
        RepFigures {
            measures: Measure::ALL.map(|m| m.value(o, layout)),
            cohort_saves: o.effects[Effect::NetEffectPositive as usize],
            targets_met: (0..model.targets.len()).map(|i| o.arms[0][layout.target_met(i)]).collect(),
        }
    }
}

/// One measure at one level: over realised cohorts, and split into what we don't know
/// and chance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasureFigures {
    /// Mean and 90 % interval over replications (realised cohorts).
    pub summary: Summary,
    /// Expected value over the parameters and chance; None with one cohort per draw.
    pub split: Option<Split>,
}

/// The figures of one level of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelFigures {
    /// Per measure of [`Measure::ALL`].
    pub measures: Vec<MeasureFigures>,
    /// The probability that the expected net municipal effect is favourable, given what
    /// we don't know; None with one cohort per parameter draw.
    pub probability_expected_favourable: Option<f64>,
    /// The probability that a realised cohort's net municipal effect is positive.
    pub probability_cohort_saves: f64,
    /// Per target, the probability that a realised cohort meets it in the scenario arm.
    pub target_probabilities: Vec<f64>,
    /// Per measure of [`Measure::MARGINAL`], the change from the level before (along the
    /// first `--vary`), per replication of paired effects; None at the first level.
    pub marginal: Option<Vec<Summary>>,
}

impl LevelFigures {
    /// The figures of measure `m`.
    pub fn of(&self, m: Measure) -> &MeasureFigures {
        &self.measures[Measure::ALL.iter().position(|x| *x == m).unwrap_or_default()]
    }
}

/// The figures of one level from its replications (in order), with the marginal effect
/// against the level before (`previous`, the same replications of that level).
pub fn level_figures(model: &Model, reps: &[RepFigures], previous: Option<&[RepFigures]>) -> LevelFigures {
    let column = |f: &dyn Fn(&RepFigures) -> f64| reps.iter().map(f).collect::<Vec<f64>>();
    let measures: Vec<MeasureFigures> = (0..Measure::ALL.len())
        .map(|k| {
            let values = column(&|r| r.measures[k]);
            MeasureFigures { summary: Summary::of(&values), split: split_of_run(model, &values) }
        })
        .collect();
    let net = Measure::ALL.iter().position(|m| *m == Measure::NetMunicipalEffect).unwrap_or_default();
    LevelFigures {
        probability_expected_favourable: measures[net].split.map(|s| s.probability_expected_positive),
        measures,
        probability_cohort_saves: Summary::of(&column(&|r| r.cohort_saves)).mean,
        target_probabilities: (0..model.targets.len())
            .map(|i| Summary::of(&column(&|r| r.targets_met[i])).mean)
            .collect(),
        marginal: previous.map(|before| marginal(before, reps)),
    }
}

/// Per measure of [`Measure::MARGINAL`], the summary over replications of the change
/// of the paired effect from `before` to `after` (replication r of one against
/// replication r of the other).
pub fn marginal(before: &[RepFigures], after: &[RepFigures]) -> Vec<Summary> {
    Measure::MARGINAL
        .iter()
        .map(|m| {
            let k = Measure::ALL.iter().position(|x| x == m).unwrap_or_default();
            let changes: Vec<f64> =
                before.iter().zip(after).map(|(b, a)| a.measures[k] - b.measures[k]).collect();
            Summary::of(&changes)
        })
        .collect()
}

/// The index of the largest defined value, the first of equal ones: the level with the
/// best expected net municipal effect. None if no value is defined.
pub fn best_level(expected: &[f64]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, v) in expected.iter().enumerate() {
        if v.is_finite() && best.is_none_or(|b| *v > expected[b]) {
            best = Some(i);
        }
    }
    best
}

/// The level with the smallest value (`levels`) whose probability of meeting a target
/// (`probabilities`) is at least `wanted`; None if no level's is.
pub fn smallest_level_meeting(levels: &[f64], probabilities: &[f64], wanted: f64) -> Option<usize> {
    let mut found: Option<usize> = None;
    for (i, (level, p)) in levels.iter().zip(probabilities).enumerate() {
        if *p >= wanted && found.is_none_or(|f| *level < levels[f]) {
            found = Some(i);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_level_is_the_first_largest_expected_effect() {
        assert_eq!(best_level(&[-3.0, 5.0, 7.0, 7.0, 2.0]), Some(2));
        assert_eq!(best_level(&[-3.0, -1.0, -2.0]), Some(1));
        assert_eq!(best_level(&[f64::NAN, -1.0]), Some(1));
        assert_eq!(best_level(&[f64::NAN]), None);
        assert_eq!(best_level(&[]), None);
    }

    #[test]
    fn the_smallest_level_meeting_a_target_is_by_value_not_by_order() {
        let p = [0.5, 0.79, 0.8, 0.95];
        assert_eq!(smallest_level_meeting(&[0.0, 1.0, 2.0, 3.0], &p, 0.8), Some(2));
        // Levels listed from the largest: the smallest level is the last that meets it.
        assert_eq!(smallest_level_meeting(&[3.0, 2.0, 1.0, 0.0], &[0.95, 0.9, 0.85, 0.5], 0.8), Some(2));
        // Not monotone: the smallest level that meets it, even if a larger one does not.
        assert_eq!(smallest_level_meeting(&[0.0, 1.0, 2.0], &[0.1, 0.9, 0.7], 0.8), Some(1));
        assert_eq!(smallest_level_meeting(&[0.0, 1.0], &[0.1, 0.2], 0.8), None);
    }

    fn rep(net: f64, ss: f64) -> RepFigures {
        let mut measures = [0.0; Measure::ALL.len()];
        measures[2] = ss;
        measures[6] = net;
        RepFigures { measures, cohort_saves: f64::from(net > 0.0), targets_met: vec![] }
    }

    /// The marginal effect is the summary of the paired changes, replication by
    /// replication: a step that adds 10 to every replication has a marginal effect of
    /// exactly 10 with no width, however much the replications differ.
    #[test]
    fn the_marginal_effect_pairs_replications() {
        let before: Vec<RepFigures> = (0..20).map(|r| rep(r as f64 * 100.0, r as f64)).collect();
        let after: Vec<RepFigures> = (0..20).map(|r| rep(r as f64 * 100.0 + 10.0, r as f64 - 1.0)).collect();
        let m = marginal(&before, &after);
        let net = Measure::MARGINAL.iter().position(|x| *x == Measure::NetMunicipalEffect).unwrap();
        assert_eq!((m[net].mean, m[net].p05, m[net].p95), (10.0, 10.0, 10.0));
        assert_eq!((m[0].mean, m[0].p05, m[0].p95), (-1.0, -1.0, -1.0));
        // Unpaired, the same levels' intervals are wide.
        assert!(Summary::of(&after.iter().map(|r| r.measures[6]).collect::<Vec<_>>()).p95 > 1000.0);
    }
}
