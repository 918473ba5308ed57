//! The decision among options on one baseline, valued in money: net benefit at a
//! willingness to pay, the acceptability curve, and the value of information.
//!
//! A municipality may value an extra self-supporting citizen (or a benefit month
//! avoided) beyond what it does to the budget. At a willingness to pay λ DKK per unit,
//! option i's net benefit in outer draw j of the parameters is
//! NB_ij(λ) = E_ij + λ·S_ij, with E_ij its expected net municipal effect and S_ij its
//! expected extra self-supporting citizens (or benefit months avoided) given draw j's
//! parameters, both against the shared baseline, whose net benefit is 0. From these:
//! - the **acceptability curve**: the probability, over what we don't know, that each
//!   option (the baseline included) has the highest net benefit, as λ grows from 0;
//! - the **expected value of perfect information** (EVPI): what it would be worth to
//!   the decision to know every uncertain parameter before choosing,
//!   mean_j max_i NB_ij − max_i mean_j NB_ij;
//! - the **expected value of partial perfect information** (EVPPI) of a parameter or
//!   group: the same with only those parameters known, by the regression method of
//!   Strong, Oakley & Brennan (2014, *Medical Decision Making* 34(3)): the net benefit
//!   regressed on the parameters gives E[NB_i | θ_p], and
//!   EVPPI = mean_j max_i ĝ_i(θ_pj) − max_i mean_j ĝ_i(θ_pj), with a noise floor (the
//!   EVPPI the same parameters show with their draws shuffled) below which a value is
//!   indistinguishable from the regression's own noise.
//!
//! **Chance is not what we don't know.** A cohort's realised effect varies by chance
//! around its expected value, and a decision cannot be improved by learning about that
//! chance, so the values here are built on each outer draw's expected values, not on
//! single cohorts. E, S and the benefit months are each estimated per draw by the
//! shrunk conditional means of [`shrunk_means`] (the ANOVA method of O'Hagan, Stevenson
//! & Madan, 2007), outcome by outcome as [`split`](crate::analysis::uncertainty::split)
//! does, so that their spread over draws is the spread over what we don't know with the
//! inner cohorts' chance taken out; plain per-draw means would add that chance and
//! overstate both the uncertainty in the choice and the value of information. Shrinking
//! each outcome once keeps NB linear in λ, and at λ = 0 makes NB the very values
//! [`compare`](crate::analysis::comparison::compare) ranks: the acceptability curve at
//! 0 is exactly `trappe compare`'s probability that each option is best. The price is
//! that at λ > 0 the spread of E + λ·S matches NB's own between-draw variance only
//! where E and S are shrunk by similar factors; shrinking NB at each λ would match it
//! exactly but make the curve's points rest on differently shrunk draws.
//!
//! The EVPPI regression is fitted to the plain per-draw means instead: a regression on
//! parameters averages the inner chance out by itself (it is the Strong method's usual
//! setting, one noisy sample per draw), and shrunk responses would pull its fitted
//! values towards the mean a second time. Both estimates carry Monte Carlo error, so an
//! EVPPI may come out slightly above the EVPI it is part of.
//!
//! Where shrunk means cannot be estimated (one cohort per draw, or too few draws) each
//! replication counts as a draw with its realised values; [`DrawValues`] says so, and
//! then the figures include chance.

use crate::analysis::comparison::{best_of, cost_order, extra_staff_cost};
use crate::analysis::outcomes::Results;
use crate::analysis::regression::{FitError, fitted_values};
use crate::analysis::stats::Summary;
use crate::analysis::uncertainty::shrunk_means;
use crate::schema::Effect;

/// What a willingness to pay is per unit of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Valued {
    /// DKK per extra self-supporting citizen at the horizon.
    ExtraSelfSupporting,
    /// DKK per benefit month avoided.
    BenefitMonthsAvoided,
}

impl Valued {
    /// The unit in words, as in "50,000 DKK per extra self-supporting citizen".
    pub fn unit(self) -> &'static str {
        match self {
            Valued::ExtraSelfSupporting => "extra self-supporting citizen",
            Valued::BenefitMonthsAvoided => "benefit month avoided",
        }
    }

    fn quantity(self) -> usize {
        match self {
            Valued::ExtraSelfSupporting => SELF_SUPPORTING,
            Valued::BenefitMonthsAvoided => MONTHS,
        }
    }
}

const NET: usize = 0;
const SELF_SUPPORTING: usize = 1;
const MONTHS: usize = 2;

/// One option's replications, against the shared baseline, in run order.
#[derive(Debug, Clone, Copy)]
pub struct OptionValues<'a> {
    /// Net municipal effect per replication.
    pub net_municipal_effect: &'a [f64],
    /// Extra self-supporting citizens per replication.
    pub extra_self_supporting: &'a [f64],
    /// Benefit months avoided per replication.
    pub benefit_months_avoided: &'a [f64],
    /// The option's extra staff cost over replications: its place in the cost order
    /// that settles ties, as in `trappe compare`.
    pub extra_staff_cost: Summary,
}

/// How each draw's expected values were estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawValues {
    /// Shrunk conditional means of each outer draw's inner cohorts: chance is left out.
    ShrunkMeans,
    /// Each replication's realised values, one replication counting as one draw: the
    /// figures include chance in the cohort.
    PerReplication(WhyPerReplication),
}

/// Why the per-draw values are single replications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhyPerReplication {
    /// The run has one cohort per outer draw (`inner_replications` = 1).
    OneCohortPerDraw,
    /// Shrunk means could not be estimated: fewer than 2 outer draws, a number of
    /// replications that is not a multiple of the inner ones, or an undefined value.
    NotEstimable,
}

/// Per option and outer draw, the expected values a decision rests on, with the draws'
/// parameter values.
#[derive(Debug, Clone)]
pub struct DecisionSample {
    /// How the per-draw values were estimated.
    pub draw_values: DrawValues,
    /// The candidates from the cheapest to the dearest ([`cost_order`]): ties go to the
    /// cheaper.
    order: Vec<Option<usize>>,
    /// `expected[q][i][j]`: quantity q (NET, SELF_SUPPORTING, MONTHS) of option i in
    /// draw j, as estimated per [`DrawValues`].
    expected: [Vec<Vec<f64>>; 3],
    /// The same as plain per-draw means, the responses of the EVPPI regression.
    conditional: [Vec<Vec<f64>>; 3],
    /// `parameters[j]`: draw j's sampled parameter values.
    parameters: Vec<Vec<f64>>,
}

/// The probability that each candidate is best at one willingness to pay.
#[derive(Debug, Clone, PartialEq)]
pub struct Acceptability {
    /// Willingness to pay, DKK per unit valued.
    pub wtp: f64,
    /// The probability that keeping the baseline is best.
    pub baseline: f64,
    /// Per option, in the order given, the probability that it is best.
    pub options: Vec<f64>,
}

/// The expected value of (partial) perfect information at one willingness to pay, in
/// DKK for the cohort.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueOfInformation {
    /// The value: what knowing the parameters before choosing adds, at least 0.
    pub value: f64,
    /// The expected net benefit of choosing with that knowledge.
    pub with_information: f64,
    /// The expected net benefit of choosing now: that of the option best on average.
    pub without_information: f64,
}

/// Why an EVPPI could not be estimated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvppiError {
    /// No parameter was named.
    #[error("no parameter to value")]
    NoParameter,
    /// A parameter index beyond the sampled parameters.
    #[error("parameter {index} does not exist: the run has {count} sampled parameters")]
    NoSuchParameter {
        /// The index asked for.
        index: usize,
        /// Sampled parameters in the run.
        count: usize,
    },
    /// The regression could not be made.
    #[error(transparent)]
    Fit(#[from] FitError),
}

impl DecisionSample {
    /// The decision sample of options' replications in run order (`inner` consecutive
    /// ones per outer draw), with each replication's sampled parameter values
    /// (`parameters[r]`, the same within a draw). `parameters_vary` is false when the
    /// model has no sampled parameter (see [`shrunk_means`]).
    ///
    /// # Panics
    /// If the options' and parameters' replications differ in number: they come from
    /// one run.
    pub fn new(options: &[OptionValues], parameters: &[&[f64]], inner: usize, parameters_vary: bool) -> Self {
        let n = parameters.len();
        for o in options {
            assert!(
                [o.net_municipal_effect.len(), o.extra_self_supporting.len(), o.benefit_months_avoided.len()]
                    .iter()
                    .all(|&l| l == n),
                "every option must have one value per replication"
            );
        }
        let costs: Vec<Summary> = options.iter().map(|o| o.extra_staff_cost).collect();
        let order = cost_order(&costs);
        let shrunk: Option<Vec<[Vec<f64>; 3]>> = if inner < 2 {
            None
        } else {
            options
                .iter()
                .map(|o| {
                    let [a, b, c] = raw(o).map(|v| shrunk_means(v, inner, parameters_vary));
                    Some([a?, b?, c?])
                })
                .collect()
        };
        let transpose = |per_option: Vec<[Vec<f64>; 3]>| -> [Vec<Vec<f64>>; 3] {
            let mut out: [Vec<Vec<f64>>; 3] = Default::default();
            for q in per_option {
                for (k, v) in q.into_iter().enumerate() {
                    out[k].push(v);
                }
            }
            out
        };
        match shrunk {
            Some(s) => {
                let means =
                    |v: &[f64]| v.chunks_exact(inner).map(|c| c.iter().sum::<f64>() / inner as f64).collect();
                let conditional = options.iter().map(|o| raw(o).map(means)).collect();
                DecisionSample {
                    draw_values: DrawValues::ShrunkMeans,
                    order,
                    expected: transpose(s),
                    conditional: transpose(conditional),
                    parameters: parameters.chunks_exact(inner).map(|c| c[0].to_vec()).collect(),
                }
            }
            None => {
                let values: [Vec<Vec<f64>>; 3] =
                    transpose(options.iter().map(|o| raw(o).map(<[f64]>::to_vec)).collect());
                let why = if inner < 2 {
                    WhyPerReplication::OneCohortPerDraw
                } else {
                    WhyPerReplication::NotEstimable
                };
                DecisionSample {
                    draw_values: DrawValues::PerReplication(why),
                    order,
                    conditional: values.clone(),
                    expected: values,
                    parameters: parameters.iter().map(|p| p.to_vec()).collect(),
                }
            }
        }
    }

    /// The decision sample of `trappe compare`'s options (each option's results: arm 0
    /// the option, arm 1 the shared baseline), with `inner` replications per outer draw
    /// and the options' sampled parameters as gathered by [`shared_parameters`].
    pub fn from_results(
        options: &[&Results],
        parameters: &SharedParameters,
        inner: usize,
        parameters_vary: bool,
    ) -> Self {
        let effect = |res: &Results, e: Effect| -> Vec<f64> {
            res.reps.iter().map(|o| o.effects[e as usize]).collect()
        };
        let columns: Vec<[Vec<f64>; 3]> = options
            .iter()
            .map(|res| {
                [Effect::NetMunicipalEffect, Effect::ExtraSelfSupporting, Effect::BenefitMonthsAvoided]
                    .map(|e| effect(res, e))
            })
            .collect();
        let values: Vec<OptionValues> = options
            .iter()
            .zip(&columns)
            .map(|(res, [net, ss, months])| OptionValues {
                net_municipal_effect: net,
                extra_self_supporting: ss,
                benefit_months_avoided: months,
                extra_staff_cost: Summary::of(&res.reps.iter().map(extra_staff_cost).collect::<Vec<_>>()),
            })
            .collect();
        let rows: Vec<&[f64]> = parameters.values.iter().map(|p| &p[..]).collect();
        DecisionSample::new(&values, &rows, inner, parameters_vary)
    }

    /// The number of draws the figures are over.
    pub fn draws(&self) -> usize {
        self.parameters.len()
    }

    /// The number of options (the baseline not counted).
    pub fn options(&self) -> usize {
        self.expected[NET].len()
    }

    /// Per option, per draw, the expected net benefit NB_ij(λ) = E_ij + λ·S_ij in DKK,
    /// against the baseline.
    pub fn net_benefit(&self, valued: Valued, wtp: f64) -> Vec<Vec<f64>> {
        combine(&self.expected, valued, wtp)
    }

    /// The probability that each candidate has the highest net benefit at each
    /// willingness to pay in `wtps`, ties going to the cheaper. At 0 this is
    /// `trappe compare`'s probability that each option is best.
    pub fn acceptability(&self, valued: Valued, wtps: &[f64]) -> Vec<Acceptability> {
        wtps.iter()
            .map(|&wtp| {
                let nb = self.net_benefit(valued, wtp);
                let mut wins = vec![0usize; self.options() + 1];
                for j in 0..self.draws() {
                    wins[best_of(&self.order, |i| nb[i][j])] += 1;
                }
                let share = |w: usize| w as f64 / self.draws().max(1) as f64;
                Acceptability {
                    wtp,
                    baseline: share(wins[0]),
                    options: wins[1..].iter().map(|&w| share(w)).collect(),
                }
            })
            .collect()
    }

    /// A grid of 25 readable willingness-to-pay levels from 0 to 3 times the last
    /// change of the option best on average (the largest incremental cost per unit
    /// gained along the efficient frontier: beyond it the ranking of the best no longer
    /// changes), in steps of 1, 2, 2.5 or 5 times a power of 10. If the best on average
    /// never changes, the scale is the largest positive λ at which any two candidates'
    /// expected net benefits cross, then the options' largest |E| / |S|; with nothing
    /// valued at all, `[0]`.
    pub fn wtp_grid(&self, valued: Valued) -> Vec<f64> {
        let (e, s) = (&self.expected[NET], &self.expected[valued.quantity()]);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let candidates: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
            .chain((0..self.options()).map(|i| (mean(&e[i]), mean(&s[i]))))
            .collect();
        let crossing = |(ea, sa): (f64, f64), (eb, sb): (f64, f64)| {
            let c = (eb - ea) / (sa - sb);
            (sa != sb && c.is_finite() && c > 0.0).then_some(c)
        };
        let frontier = frontier_changes(&candidates, &self.order).into_iter().fold(0.0, f64::max);
        let pairs = candidates
            .iter()
            .enumerate()
            .flat_map(|(a, &ca)| candidates[a + 1..].iter().filter_map(move |&cb| crossing(ca, cb)))
            .fold(0.0, f64::max);
        let ratios = candidates
            .iter()
            .filter(|(_, s)| *s != 0.0)
            .map(|(e, s)| (e / s).abs())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let Some(scale) = [frontier, pairs, ratios].into_iter().find(|&v| v > 0.0) else {
            return vec![0.0];
        };
        let step = readable_step(3.0 * scale / 24.0);
        (0..=24).map(|k| k as f64 * step).collect()
    }

    /// The expected value of perfect information at willingness to pay `wtp`:
    /// what knowing every uncertain parameter before choosing would add to the expected
    /// net benefit, mean_j max_i NB_ij − max_i mean_j NB_ij (the baseline counting 0).
    pub fn evpi(&self, valued: Valued, wtp: f64) -> ValueOfInformation {
        value_of_information(&self.net_benefit(valued, wtp))
    }

    /// The expected value of partial perfect information of the sampled parameters
    /// `parameters` (indices into the parameter values given, e.g.
    /// [`SharedParameters::keys`]) at willingness to pay `wtp`: one index for a parameter, several for a
    /// group (at most [`MAX_GROUP`](crate::analysis::regression::MAX_GROUP)), by the
    /// regression method (see the module documentation).
    pub fn evppi(
        &self,
        valued: Valued,
        wtp: f64,
        parameters: &[usize],
    ) -> Result<ValueOfInformation, EvppiError> {
        if parameters.is_empty() {
            return Err(EvppiError::NoParameter);
        }
        let count = self.parameters.first().map(Vec::len).unwrap_or(0);
        if let Some(&index) = parameters.iter().find(|&&p| p >= count) {
            return Err(EvppiError::NoSuchParameter { index, count });
        }
        let x: Vec<Vec<f64>> =
            self.parameters.iter().map(|row| parameters.iter().map(|&p| row[p]).collect()).collect();
        let fitted = fitted_values(&x, &combine(&self.conditional, valued, wtp))?;
        Ok(value_of_information(&fitted))
    }

    /// The EVPPI that `parameters` could show by chance alone: the largest EVPPI of the
    /// same parameters with their rows shuffled across draws, over 19 shuffles (a fixed
    /// seed, so the same run gives the same floor). The regression method overstates a
    /// small EVPPI when draws are few, because its fitted values keep some noise; a
    /// parameter unrelated to the net benefit has, with independent draws, an EVPPI
    /// above this floor with probability 1/20 (its EVPPI and the 19 shuffled ones are
    /// exchangeable), so an EVPPI above it is evidence at the 5 % level that the
    /// parameter matters to the decision.
    pub fn evppi_noise_floor(
        &self,
        valued: Valued,
        wtp: f64,
        parameters: &[usize],
    ) -> Result<f64, EvppiError> {
        use rand::SeedableRng;
        use rand::seq::SliceRandom;
        self.evppi(valued, wtp, parameters)?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(NOISE_FLOOR_SEED);
        let responses = combine(&self.conditional, valued, wtp);
        let mut rows: Vec<Vec<f64>> =
            self.parameters.iter().map(|row| parameters.iter().map(|&p| row[p]).collect()).collect();
        let mut floor = 0.0f64;
        for _ in 0..NOISE_FLOOR_SHUFFLES {
            rows.shuffle(&mut rng);
            floor = floor.max(value_of_information(&fitted_values(&rows, &responses)?).value);
        }
        Ok(floor)
    }
}

/// An option's three columns: net effect, extra self-supporting, benefit months.
fn raw<'a>(o: &OptionValues<'a>) -> [&'a [f64]; 3] {
    [o.net_municipal_effect, o.extra_self_supporting, o.benefit_months_avoided]
}

/// The sampled parameters of a set of options, each key once: the EVPPI's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedParameters {
    /// Parameter keys, the first option's first, then each other option's keys not seen
    /// before: the indices [`DecisionSample::evppi`] takes.
    pub keys: Vec<String>,
    /// `values[r]`: replication r's value of each key.
    pub values: Vec<Vec<f64>>,
}

/// Gathers the sampled parameters of options run on one seed, given per option its
/// parameter keys ([`parameter_keys`](crate::simulation::draws::parameter_keys) of its
/// model) and its results. A key's value is taken from the first option that samples
/// it: every option draws a key from the same random stream, so options that give one
/// parameter different distributions still draw it from the same uniform number, and
/// a regression on either option's values sees the same information.
pub fn shared_parameters(options: &[(&[String], &Results)]) -> SharedParameters {
    let mut keys: Vec<String> = Vec::new();
    let mut sources: Vec<(usize, usize)> = Vec::new();
    for (o, (option_keys, _)) in options.iter().enumerate() {
        for (k, key) in option_keys.iter().enumerate() {
            if !keys.contains(key) {
                keys.push(key.clone());
                sources.push((o, k));
            }
        }
    }
    let n = options.first().map(|(_, r)| r.reps.len()).unwrap_or(0);
    let values =
        (0..n).map(|r| sources.iter().map(|&(o, k)| options[o].1.reps[r].params[k]).collect()).collect();
    SharedParameters { keys, values }
}

/// Shuffles behind [`DecisionSample::evppi_noise_floor`]: 19, so that the unshuffled
/// EVPPI of an unrelated parameter is the largest of 20 exchangeable ones with
/// probability 1/20.
const NOISE_FLOOR_SHUFFLES: usize = 19;

/// The seed of the noise floor's shuffles.
const NOISE_FLOOR_SEED: u64 = 20_140_301;

/// Per option, per draw, E + λ·(the valued quantity).
fn combine(values: &[Vec<Vec<f64>>; 3], valued: Valued, wtp: f64) -> Vec<Vec<f64>> {
    values[NET]
        .iter()
        .zip(&values[valued.quantity()])
        .map(|(e, s)| e.iter().zip(s).map(|(e, s)| e + wtp * s).collect())
        .collect()
}

/// The willingness-to-pay levels λ > 0 at which the candidate best on average changes,
/// in increasing order: from the best at λ = 0 (ties to the cheaper, as `order` says),
/// each step moves to the candidate whose line e + λ·s overtakes the current best first
/// (a tie in λ going to the one gaining most per unit). `candidates[0]` is the baseline,
/// `candidates[i + 1]` option i, each as (mean E, mean S).
fn frontier_changes(candidates: &[(f64, f64)], order: &[Option<usize>]) -> Vec<f64> {
    let mut current = best_of(order, |i| candidates[i + 1].0);
    let mut at = 0.0;
    let mut changes = Vec::new();
    loop {
        let (ec, sc) = candidates[current];
        let next = (0..candidates.len())
            .filter(|&k| candidates[k].1 > sc)
            .map(|k| (k, (ec - candidates[k].0) / (candidates[k].1 - sc)))
            .filter(|&(_, l)| l.is_finite() && l >= at)
            .min_by(|a, b| a.1.total_cmp(&b.1).then(candidates[b.0].1.total_cmp(&candidates[a.0].1)));
        match next {
            Some((k, l)) => {
                if l > 0.0 {
                    changes.push(l);
                }
                at = l;
                current = k;
            }
            None => return changes,
        }
    }
}

/// mean_j max_i nb_ij − max_i mean_j nb_ij over the options and the baseline (0).
fn value_of_information(nb: &[Vec<f64>]) -> ValueOfInformation {
    let draws = nb.first().map(Vec::len).unwrap_or(0);
    if draws == 0 {
        return ValueOfInformation { value: 0.0, with_information: 0.0, without_information: 0.0 };
    }
    let with_information =
        (0..draws).map(|j| nb.iter().map(|v| v[j]).fold(0.0, f64::max)).sum::<f64>() / draws as f64;
    let without_information = nb.iter().map(|v| v.iter().sum::<f64>() / draws as f64).fold(0.0, f64::max);
    ValueOfInformation {
        value: (with_information - without_information).max(0.0),
        with_information,
        without_information,
    }
}

/// The smallest of 1, 2, 2.5, 5 and 10 times a power of 10 that is at least `x` (> 0).
fn readable_step(x: f64) -> f64 {
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests;
