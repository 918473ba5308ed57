//! Options side by side on one baseline: what `trappe compare` reports beyond each
//! option's own run.
//!
//! Every option is simulated against the same baseline (the counterfactual the options
//! share), on the same cohort, parameter draws and random numbers, so an option's effect
//! is its paired difference from the baseline and two options' difference is the
//! difference of their effects, replication by replication. From the options' results
//! this module derives what only a comparison has: the order by cost, each option
//! against the next cheaper one, and the probability that each is the best.

use crate::analysis::outcomes::{RepOutcomes, Results};
use crate::analysis::stats::Summary;
use crate::analysis::uncertainty::{Split, shrunk_means, split};
use crate::budget::Item;
use crate::schema::Effect;

/// What a comparison adds to each option's own results.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Per option, in the order given.
    pub options: Vec<OptionComparison>,
    /// The probability that keeping the baseline (no option) is best, over what we don't
    /// know (None with one cohort per outer draw).
    pub baseline_best: Option<f64>,
    /// The share of replications in which no option's realised cohort beats the baseline.
    pub baseline_best_realised: f64,
}

/// One option's place in a comparison.
#[derive(Debug, Clone)]
pub struct OptionComparison {
    /// The option's extra staff cost over the horizon, its cost in the order of options
    /// (negative for a cut).
    pub extra_staff_cost: Summary,
    /// The probability that the option has the best expected net municipal effect of all
    /// options and the baseline, over what we don't know: the share of outer draws in
    /// which its shrunk conditional mean is the highest (None with one cohort per draw).
    pub best: Option<f64>,
    /// The share of replications in which the option's realised net municipal effect is
    /// the highest of all options and the baseline.
    pub best_realised: f64,
    /// The option against the next cheaper one (None: the baseline is the next cheaper).
    pub next_cheaper: Option<usize>,
    /// The differences from the next cheaper option (or from the baseline).
    pub versus: Versus,
}

/// An option against a cheaper alternative, replication by replication.
#[derive(Debug, Clone)]
pub struct Versus {
    /// Net municipal effect of the option minus that of the alternative.
    pub net_municipal_effect: Summary,
    /// Its split into what we don't know and chance (None with one cohort per draw).
    pub net_municipal_effect_split: Option<Split>,
    /// Extra self-supporting citizens of the option minus those of the alternative.
    pub extra_self_supporting: Summary,
    /// Extra staff cost of the option minus that of the alternative.
    pub extra_staff_cost: Summary,
    /// The extra staff cost per extra self-supporting citizen bought by moving from the
    /// alternative to the option: a ratio of means (NaN when the option adds none).
    pub cost_per_extra_self_supporting: f64,
}

/// The option's extra staff cost in one replication: its arm's item total minus the
/// baseline's (which has no hires).
pub(crate) fn extra_staff_cost(o: &RepOutcomes) -> f64 {
    let k = Item::ExtraStaffCost as usize;
    o.budget[0].total[k] - o.budget[1].total[k]
}

fn effect(o: &RepOutcomes, e: Effect) -> f64 {
    o.effects[e as usize]
}

/// Compares options simulated on one baseline (each option's results: arm 0 the option,
/// arm 1 the shared baseline) with `inner` replications per outer draw;
/// `parameters_vary` says whether the model has sampled parameters (see
/// [`split`]). Every option's results must hold the
/// same replications in the same order.
pub fn compare(options: &[&Results], inner: usize, parameters_vary: bool) -> Comparison {
    let n = options.first().map(|o| o.reps.len()).unwrap_or(0);
    let nets: Vec<Vec<f64>> = options
        .iter()
        .map(|res| res.reps.iter().map(|o| effect(o, Effect::NetMunicipalEffect)).collect())
        .collect();
    let costs: Vec<Summary> = options
        .iter()
        .map(|res| Summary::of(&res.reps.iter().map(extra_staff_cost).collect::<Vec<_>>()))
        .collect();
    let order = cost_order(&costs);
    let share = |w: usize, of: usize| w as f64 / of.max(1) as f64;

    // Realised: per replication, the best of the baseline and every option.
    let mut wins_realised = vec![0usize; options.len() + 1];
    for r in 0..n {
        wins_realised[best_of(&order, |i| nets[i][r])] += 1;
    }
    // Over what we don't know: the same on each outer draw's shrunk conditional means,
    // the estimates the interval over what we don't know is made of.
    let shrunk: Option<Vec<Vec<f64>>> =
        nets.iter().map(|v| shrunk_means(v, inner, parameters_vary)).collect();
    let wins_expected = shrunk.map(|means| {
        let draws = means.first().map(Vec::len).unwrap_or(0);
        let mut wins = vec![0usize; options.len() + 1];
        for j in 0..draws {
            wins[best_of(&order, |i| means[i][j])] += 1;
        }
        wins.into_iter().map(|w| share(w, draws)).collect::<Vec<f64>>()
    });

    let opts = (0..options.len())
        .map(|i| {
            let cheaper = next_cheaper(&costs, i);
            OptionComparison {
                extra_staff_cost: costs[i],
                best: wins_expected.as_ref().map(|w| w[i + 1]),
                best_realised: share(wins_realised[i + 1], n),
                next_cheaper: cheaper,
                versus: versus(
                    &options[i].reps,
                    cheaper.map(|j| &options[j].reps[..]),
                    inner,
                    parameters_vary,
                ),
            }
        })
        .collect();
    Comparison {
        options: opts,
        baseline_best: wins_expected.as_ref().map(|w| w[0]),
        baseline_best_realised: share(wins_realised[0], n),
    }
}

/// An option's replications against those of a cheaper option (None: the baseline, whose
/// effects are 0 by definition).
fn versus(
    mine: &[RepOutcomes],
    cheaper: Option<&[RepOutcomes]>,
    inner: usize,
    parameters_vary: bool,
) -> Versus {
    let diff = |f: &dyn Fn(&RepOutcomes) -> f64| -> Vec<f64> {
        (0..mine.len()).map(|r| f(&mine[r]) - cheaper.map(|c| f(&c[r])).unwrap_or(0.0)).collect()
    };
    let d_net = diff(&|o| effect(o, Effect::NetMunicipalEffect));
    let d_ss = diff(&|o| effect(o, Effect::ExtraSelfSupporting));
    let d_cost = diff(&extra_staff_cost);
    let (cost_sum, ss_sum): (f64, f64) = (d_cost.iter().sum(), d_ss.iter().sum());
    Versus {
        net_municipal_effect: Summary::of(&d_net),
        net_municipal_effect_split: split(&d_net, inner, parameters_vary),
        extra_self_supporting: Summary::of(&d_ss),
        extra_staff_cost: Summary::of(&d_cost),
        cost_per_extra_self_supporting: if ss_sum > 0.0 { cost_sum / ss_sum } else { f64::NAN },
    }
}

/// The candidates from the cheapest to the dearest by mean extra staff cost: `None` is
/// the baseline (cost 0, before the options of cost 0), `Some(i)` option i (options of
/// equal cost in the order given).
pub fn cost_order(costs: &[Summary]) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[a].mean.total_cmp(&costs[b].mean));
    let at = order.iter().position(|&i| costs[i].mean >= 0.0).unwrap_or(order.len());
    let mut out: Vec<Option<usize>> = order.into_iter().map(Some).collect();
    out.insert(at, None);
    out
}

/// The winner among the candidates in `order` (the baseline, value 0, is candidate 0;
/// option i is candidate i + 1 with value `value(i)`): the highest value, a tie going
/// to the cheaper.
pub(crate) fn best_of(order: &[Option<usize>], value: impl Fn(usize) -> f64) -> usize {
    let mut winner = None;
    for &c in order {
        let v = c.map(&value).unwrap_or(0.0);
        if winner.is_none_or(|(_, best)| v > best) {
            winner = Some((c.map(|i| i + 1).unwrap_or(0), v));
        }
    }
    winner.map(|(w, _)| w).unwrap_or(0)
}

/// The alternative option `i` is set against: the candidate just below it in the cost
/// order (None: the baseline). The cheapest of all, a cut below the baseline, is set
/// against the baseline too.
pub fn next_cheaper(costs: &[Summary], i: usize) -> Option<usize> {
    let order = cost_order(costs);
    let pos = order.iter().position(|&c| c == Some(i))?;
    pos.checked_sub(1).and_then(|p| order[p])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn costs(means: &[f64]) -> Vec<Summary> {
        means.iter().map(|&m| Summary::of(&[m, m])).collect()
    }

    /// A cut comes before the baseline, the baseline before every option that costs
    /// something or nothing, equal costs in the order given.
    #[test]
    fn candidates_come_by_cost() {
        let c = costs(&[300.0, -100.0, 0.0, 300.0, 100.0]);
        assert_eq!(cost_order(&c), vec![Some(1), None, Some(2), Some(4), Some(0), Some(3)]);
        assert_eq!(next_cheaper(&c, 1), None, "the cheapest of all is set against the baseline");
        assert_eq!(next_cheaper(&c, 2), None);
        assert_eq!(next_cheaper(&c, 4), Some(2));
        assert_eq!(next_cheaper(&c, 0), Some(4));
        assert_eq!(next_cheaper(&c, 3), Some(0));
    }

    /// The highest value wins; a tie goes to the cheaper, the baseline counting 0.
    #[test]
    fn the_best_is_the_highest_and_ties_go_to_the_cheaper() {
        let order = cost_order(&costs(&[100.0, 200.0, -50.0]));
        assert_eq!(best_of(&order, |i| [5.0, 7.0, 1.0][i]), 2);
        assert_eq!(best_of(&order, |i| [5.0, 5.0, 1.0][i]), 1);
        assert_eq!(best_of(&order, |_| -1.0), 0, "nothing beats the baseline");
        assert_eq!(best_of(&order, |i| [0.0, 0.0, 0.0][i]), 3, "the cut ties and is cheaper");
    }
}
