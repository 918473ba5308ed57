//! What we don't know apart from chance: the two-level (nested) analysis of a run whose
//! replications come in outer draws of the parameters, each simulated by several inner
//! cohorts that share the draw.
//!
//! With J outer draws of I inner replications each, the ANOVA method (O'Hagan,
//! Stevenson & Madan, 2007) estimates, for one outcome Y:
//! - the conditional means Ȳ_j (the mean of draw j's cohorts) and the grand mean;
//! - the within variance s²_w, the mean of the draws' sample variances: the spread a
//!   cohort shows by chance around the expected value of its parameters;
//! - the between variance of the expected value, s²_b = max(0, var(Ȳ_j) − s²_w / I):
//!   the spread of the expected value over what we don't know, with the part of
//!   var(Ȳ_j) that is the inner cohorts' chance taken out.
//!
//! The expected value's interval is made of the conditional means shrunk towards the
//! grand mean by sqrt(s²_b / var(Ȳ_j)), so that their spread is s²_b, not var(Ȳ_j).

use crate::analysis::outcomes::Results;
use crate::model::Model;
use crate::schema::Effect;
use statrs::statistics::{Data, OrderStatistics, Statistics};

/// The split of one outcome's variance into what we don't know and chance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split {
    /// The expected value: the mean over every replication.
    pub expected: f64,
    /// 5th percentile of the expected value over what we don't know (the parameters).
    pub expected_p05: f64,
    /// 95th percentile of the expected value over what we don't know.
    pub expected_p95: f64,
    /// The standard deviation a cohort shows by chance around its expected value: √s²_w.
    pub chance_sd: f64,
    /// The between variance of the expected value, s²_b (after the finite-inner correction).
    pub between_variance: f64,
    /// The within (chance) variance s²_w.
    pub within_variance: f64,
    /// The share of the variance that comes from the parameters: s²_b / (s²_b + s²_w)
    /// (0 when both are 0).
    pub parameter_share: f64,
    /// The share of the shrunk conditional means above 0: the probability that the
    /// expected value is positive, given what we don't know.
    pub probability_expected_positive: f64,
}

impl Split {
    /// Whether the draws' expected values spread no more than the inner cohorts' chance
    /// alone makes them: the parameters vary, but the between variance is estimated at 0
    /// (the estimate is truncated there), so the interval over what we don't know shows
    /// no width although the run cannot tell how wide it is. More replications resolve it.
    pub fn within_chance(&self, parameters_vary: bool) -> bool {
        parameters_vary && self.between_variance == 0.0 && self.within_variance > 0.0
    }
}

/// The split of `values` (replications in order, `inner` consecutive ones per outer
/// draw), or None where it cannot be estimated: fewer than 2 inner replications or 2
/// outer draws, a length that is not a multiple of `inner`, or a value that is not finite
/// (an outcome undefined in some replications). `parameters_vary` is false when the model
/// has no sampled parameter: then the expected value is known to be the same in every
/// draw, and s²_b is 0 exactly rather than estimated.
pub fn split(values: &[f64], inner: usize, parameters_vary: bool) -> Option<Split> {
    let anova = Anova::of(values, inner, parameters_vary)?;
    let shrunk = anova.shrunk_means();
    let positive = shrunk.iter().filter(|&&m| m > 0.0).count() as f64 / shrunk.len() as f64;
    let mut data = Data::new(shrunk);
    let (between, within) = (anova.between, anova.within);
    let total = between + within;
    Some(Split {
        expected: anova.expected,
        expected_p05: data.quantile(0.05),
        expected_p95: data.quantile(0.95),
        chance_sd: within.sqrt(),
        between_variance: between,
        within_variance: within,
        parameter_share: if total > 0.0 { between / total } else { 0.0 },
        probability_expected_positive: positive,
    })
}

/// The expected value of each outer draw's parameters, as estimated for [`split`]: the
/// draws' conditional means shrunk towards the grand mean so that their spread is the
/// between variance s²_b. None where [`split`] gives none.
pub fn shrunk_means(values: &[f64], inner: usize, parameters_vary: bool) -> Option<Vec<f64>> {
    Anova::of(values, inner, parameters_vary).map(|a| a.shrunk_means())
}

/// The ANOVA estimates of one outcome over outer draws of `inner` replications.
struct Anova {
    means: Vec<f64>,
    expected: f64,
    within: f64,
    between: f64,
    var_means: f64,
}

impl Anova {
    fn of(values: &[f64], inner: usize, parameters_vary: bool) -> Option<Anova> {
        if inner < 2 || values.len() < 2 * inner || !values.len().is_multiple_of(inner) {
            return None;
        }
        if values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let means: Vec<f64> = values.chunks_exact(inner).map(|c| c.iter().mean()).collect();
        let within =
            values.chunks_exact(inner).map(|c| c.iter().variance()).collect::<Vec<f64>>().iter().mean();
        let expected = values.iter().mean();
        let var_means = means.iter().variance();
        let between = if parameters_vary { (var_means - within / inner as f64).max(0.0) } else { 0.0 };
        Some(Anova { means, expected, within, between, var_means })
    }

    fn shrunk_means(&self) -> Vec<f64> {
        let shrink = if self.var_means > 0.0 { (self.between / self.var_means).sqrt() } else { 0.0 };
        self.means.iter().map(|m| self.expected + (m - self.expected) * shrink).collect()
    }
}

/// The split of a run's values of one outcome (one per replication, in order) under
/// `model`'s inner replications; None where [`split`] gives none.
pub fn split_of_run(model: &Model, values: &[f64]) -> Option<Split> {
    let parameters_vary = model.parameters.sampled().next().is_some();
    split(values, model.inner_replications as usize, parameters_vary)
}

/// The split of an effect over a run's replications; None for the effects summarised as
/// a ratio of means ([`Effect::RATIOS`]), whose per-draw value is not a mean of cohorts.
pub fn split_of_effect(model: &Model, res: &Results, effect: Effect) -> Option<Split> {
    if effect.ratio_part().is_some() {
        return None;
    }
    let values: Vec<f64> = res.reps.iter().map(|o| o.effects[effect as usize]).collect();
    split_of_run(model, &values)
}

/// The split of outcome column `k` of arm `arm` (the arms' count: their difference).
pub fn split_of_outcome(model: &Model, res: &Results, arm: usize, k: usize) -> Option<Split> {
    let arms = res.arm_names.len();
    let values: Vec<f64> = res
        .reps
        .iter()
        .map(|o| if arm < arms { o.arms[arm][k] } else { o.arms[0][k] - o.arms[1][k] })
        .collect();
    split_of_run(model, &values)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two draws with means 0 and 10, each with inner values ±1 around it: within
    /// variance 2 (sample variance of {m−1, m+1}), var of means 50, s²_b = 50 − 2/2 = 49.
    #[test]
    fn two_draws_give_the_anova_figures() {
        let v = [-1.0, 1.0, 9.0, 11.0];
        let s = split(&v, 2, true).unwrap();
        assert_eq!(s.expected, 5.0);
        assert!((s.within_variance - 2.0).abs() < 1e-12);
        assert!((s.between_variance - 49.0).abs() < 1e-12);
        assert!((s.chance_sd - 2f64.sqrt()).abs() < 1e-12);
        assert!((s.parameter_share - 49.0 / 51.0).abs() < 1e-12);
        // Shrunk by √(49/50), the means are 5 ∓ 4.95: both positive.
        assert_eq!(s.probability_expected_positive, 1.0);
    }

    /// One cohort per draw, one draw, or an undefined value: no split.
    #[test]
    fn no_split_where_it_cannot_be_estimated() {
        assert_eq!(split(&[1.0, 2.0, 3.0], 1, true), None);
        assert_eq!(split(&[1.0, 2.0], 2, true), None);
        assert_eq!(split(&[1.0, 2.0, 3.0], 2, true), None);
        assert_eq!(split(&[1.0, f64::NAN, 3.0, 4.0], 2, true), None);
    }

    /// Without sampled parameters the interval over parameters has no width and the
    /// decision probability is 0 or 1.
    #[test]
    fn fixed_parameters_give_a_point() {
        let v = [1.0, 3.0, 0.0, 8.0, 2.0, 2.0];
        let s = split(&v, 2, false).unwrap();
        assert_eq!(s.expected_p05, s.expected_p95);
        assert_eq!(s.expected_p05, s.expected);
        assert_eq!(s.probability_expected_positive, 1.0);
        assert_eq!(s.parameter_share, 0.0);
    }

    /// Draws whose means spread less than their cohorts' chance allows: the between
    /// variance is estimated at 0 and the split says the run cannot tell its width; with
    /// no sampled parameter it is a true 0, not a question of size.
    #[test]
    fn a_spread_below_chance_is_flagged_not_shown_as_certainty() {
        // Means 0 and 0.5, within variance 2: var(means) = 0.125 < 2 / 2.
        let v = [-1.0, 1.0, -0.5, 1.5];
        let s = split(&v, 2, true).unwrap();
        assert_eq!(s.between_variance, 0.0);
        assert!(s.within_chance(true));
        assert!(!s.within_chance(false));
        let wide = split(&[-1.0, 1.0, 9.0, 11.0], 2, true).unwrap();
        assert!(!wide.within_chance(true));
    }
}
