//! Tests of the decision figures. Each random test uses a fixed seed; its tolerance is
//! set so that a correct implementation would fail on a fresh seed with the stated
//! probability (its false-alarm rate).

use super::*;
use crate::analysis::comparison::compare;
use crate::analysis::outcomes::RepOutcomes;
use crate::budget::{BudgetYears, Item};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF, Normal};

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn z(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

fn cost(mean: f64) -> Summary {
    Summary::of(&[mean, mean])
}

/// One option's columns, owned; [`Columns::values`] lends them as [`OptionValues`].
struct Columns {
    net: Vec<f64>,
    ss: Vec<f64>,
    months: Vec<f64>,
    cost: f64,
}

impl Columns {
    fn values(&self) -> OptionValues<'_> {
        OptionValues {
            net_municipal_effect: &self.net,
            extra_self_supporting: &self.ss,
            benefit_months_avoided: &self.months,
            extra_staff_cost: cost(self.cost),
        }
    }
}

fn sample(options: &[Columns], params: &[Vec<f64>], inner: usize) -> DecisionSample {
    let values: Vec<OptionValues> = options.iter().map(Columns::values).collect();
    let params: Vec<&[f64]> = params.iter().map(|p| &p[..]).collect();
    DecisionSample::new(&values, &params, inner, true)
}

/// One option whose net effect (and nothing else) is `net`, at cost 1.
fn net_only(net: Vec<f64>) -> Columns {
    let n = net.len();
    Columns { net, ss: vec![0.0; n], months: vec![0.0; n], cost: 1.0 }
}

/// Option i's value in a draw: given `draws` parameter draws with `inner` cohorts each,
/// `value(i, params)` the expected value and `chance` the cohorts' standard deviation.
fn nested(
    seed: u64,
    draws: usize,
    inner: usize,
    dims: usize,
    chance: f64,
    value: impl Fn(usize, &[f64]) -> f64,
    options: usize,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut r = rng(seed);
    let mut params = Vec::new();
    let mut values = vec![Vec::new(); options];
    for _ in 0..draws {
        let theta: Vec<f64> = (0..dims).map(|_| z(&mut r)).collect();
        for _ in 0..inner {
            params.push(theta.clone());
            for (i, v) in values.iter_mut().enumerate() {
                v.push(value(i, &theta) + chance * z(&mut r));
            }
        }
    }
    (values, params)
}

/// EVPI of a difference D ~ N(μ, σ²) against 0: E[max(D, 0)] − max(μ, 0)
/// = σφ(μ/σ) − |μ|Φ(−|μ|/σ).
fn evpi_closed_form(mu: f64, sigma: f64) -> f64 {
    let n = Normal::standard();
    sigma * n.pdf(mu / sigma) - mu.abs() * n.cdf(-mu.abs() / sigma)
}

/// A `RepOutcomes` carrying only what a comparison reads: the two effects and the extra
/// staff cost of arm 0 over arm 1.
fn rep(index: u32, net: f64, ss: f64, staff_cost: f64) -> RepOutcomes {
    let mut effects = vec![0.0; Effect::ALL.len()];
    effects[Effect::NetMunicipalEffect as usize] = net;
    effects[Effect::ExtraSelfSupporting as usize] = ss;
    let mut option_total = [0.0; Item::ALL.len()];
    option_total[Item::ExtraStaffCost as usize] = staff_cost;
    let years = |total| BudgetYears { years: vec![], values: vec![], total };
    RepOutcomes {
        index,
        arms: vec![],
        effects,
        budget: vec![years(option_total), years([0.0; Item::ALL.len()])],
        monthly_net_effect: vec![],
        params: vec![],
        ratio_parts: [(0.0, 0.0); 2],
        monthly: vec![],
        monthly_net_cost: vec![],
        trajectories: vec![],
    }
}

fn results(reps: Vec<RepOutcomes>) -> Results {
    Results {
        arm_names: vec![],
        reps,
        arm_summaries: vec![],
        effect_summaries: vec![],
        break_even_share: 0.0,
        break_even_median: None,
        positive_by_grant_surplus_share: 0.0,
    }
}

/// At willingness to pay 0 the acceptability is `trappe compare`'s probability that
/// each option is best, exactly: the same shrunk means, the same cost order for ties.
/// Options 1 and 3 are the same but for cost, so ties must go the same way.
#[test]
fn acceptability_at_zero_is_the_comparison_probability() {
    let (inner, draws) = (4, 60);
    let (values, _) =
        nested(7, draws, inner, 1, 1.0, |i, t| [0.3, 0.1, -0.2, 0.1][i] + t[0] * [1.0, 1.5, 0.5, 1.5][i], 4);
    let mut r = rng(8);
    let ss: Vec<f64> = (0..draws * inner).map(|_| z(&mut r)).collect();
    let costs = [200.0, 100.0, -50.0, 300.0];
    let res: Vec<Results> = (0..4)
        .map(|i| {
            let values = &values[if i == 3 { 1 } else { i }];
            results((0..values.len()).map(|k| rep(k as u32, values[k], ss[k], costs[i])).collect())
        })
        .collect();
    let refs: Vec<&Results> = res.iter().collect();
    let comparison = compare(&refs, inner, true);
    let keys: Vec<String> = vec![];
    let with_keys: Vec<(&[String], &Results)> = res.iter().map(|r| (&keys[..], r)).collect();
    let decision = DecisionSample::from_results(&refs, &shared_parameters(&with_keys), inner, true);
    assert_eq!(decision.draw_values, DrawValues::ShrunkMeans);
    let at_zero = &decision.acceptability(Valued::ExtraSelfSupporting, &[0.0])[0];
    assert_eq!(Some(at_zero.baseline), comparison.baseline_best);
    let best: Vec<Option<f64>> = comparison.options.iter().map(|o| o.best).collect();
    assert_eq!(at_zero.options.iter().map(|&p| Some(p)).collect::<Vec<_>>(), best);
    assert_eq!(at_zero.options[3], 0.0, "the dearer twin never wins a tie");
    assert!((at_zero.baseline + at_zero.options.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

/// Valuing citizens highly enough makes the option that gains most citizens best in
/// every draw, though it loses money; the grid reaches beyond the crossing.
#[test]
fn a_high_willingness_to_pay_favours_the_option_that_gains_most() {
    let (values, params) = nested(11, 200, 1, 1, 0.0, |_, t| -1_000_000.0 + 100_000.0 * t[0], 1);
    let n = values[0].len();
    let option = Columns { net: values[0].clone(), ss: vec![10.0; n], months: vec![120.0; n], cost: 1e6 };
    let s = sample(&[option], &params, 1);
    let grid = s.wtp_grid(Valued::ExtraSelfSupporting);
    assert_eq!(grid.len(), 25);
    assert_eq!(grid[0], 0.0);
    // Mean crossing at about 100,000 DKK per citizen; 3 times that, in steps of 20,000.
    assert_eq!(grid[1], 20_000.0, "{grid:?}");
    let curve = s.acceptability(Valued::ExtraSelfSupporting, &grid);
    assert_eq!(curve[0].options[0], 0.0);
    assert_eq!(curve.last().unwrap().options[0], 1.0);
    assert!(
        curve.windows(2).all(|w| w[1].options[0] >= w[0].options[0]),
        "rises with the value of a citizen"
    );
    // Per benefit month the crossing is near 1,000,000 / 120 ≈ 8,333 DKK: steps of 2,000.
    assert_eq!(s.wtp_grid(Valued::BenefitMonthsAvoided)[1], 2_000.0);
    assert_eq!(s.net_benefit(Valued::BenefitMonthsAvoided, 2.0)[0][0], values[0][0] + 240.0);
}

/// The grid's scale is the last change of the best on average along the efficient
/// frontier (baseline → A at 100,000, A → B at 2,000,000 DKK per citizen), not a crossing
/// of options that are never best (C and D cross at about 8,100,000).
#[test]
fn the_grid_follows_the_efficient_frontier() {
    let constant = |e: f64, ss: f64, cost: f64| Columns {
        net: vec![e; 40],
        ss: vec![ss; 40],
        months: vec![0.0; 40],
        cost,
    };
    let options = [
        constant(-1e6, 10.0, 1e6),
        constant(-3e6, 11.0, 3e6),
        constant(-2e6, 5.0, 2e6),
        constant(-50e6, 10.9, 50e6),
    ];
    let s = sample(&options, &vec![vec![]; 40], 1);
    let candidates = [(0.0, 0.0), (-1e6, 10.0), (-3e6, 11.0), (-2e6, 5.0), (-50e6, 10.9)];
    assert_eq!(frontier_changes(&candidates, &s.order), vec![1e5, 2e6]);
    let grid = s.wtp_grid(Valued::ExtraSelfSupporting);
    assert_eq!((grid[1], grid[24]), (250_000.0, 6_000_000.0));
    let curve = s.acceptability(Valued::ExtraSelfSupporting, &[0.0, 1e6, 3e6]);
    assert_eq!(curve.iter().map(|a| a.baseline).collect::<Vec<_>>(), [1.0, 0.0, 0.0]);
    assert_eq!(
        curve.iter().map(|a| a.options.clone()).collect::<Vec<_>>()[1..],
        [vec![1.0, 0.0, 0.0, 0.0], vec![0.0, 1.0, 0.0, 0.0]]
    );
}

/// Nothing valued and no net effect: a grid of one point.
#[test]
fn nothing_to_value_gives_a_single_point() {
    let s = sample(&[net_only(vec![0.0; 30])], &vec![vec![]; 30], 1);
    assert_eq!(s.wtp_grid(Valued::ExtraSelfSupporting), vec![0.0]);
}

/// An option that is best in every draw leaves nothing for information to change.
#[test]
fn evpi_is_zero_when_one_option_wins_every_draw() {
    let (values, params) = nested(3, 100, 5, 2, 2.0, |i, t| [50.0, 20.0][i] + t[0] + t[1], 2);
    let options: Vec<Columns> = values.into_iter().map(net_only).collect();
    let s = sample(&options, &params, 5);
    let evpi = s.evpi(Valued::ExtraSelfSupporting, 0.0);
    assert_eq!(evpi.value, 0.0);
    assert_eq!(s.evppi(Valued::ExtraSelfSupporting, 0.0, &[0]).unwrap().value, 0.0);
    assert_eq!(s.acceptability(Valued::ExtraSelfSupporting, &[0.0])[0].options, vec![1.0, 0.0]);
}

/// D ~ N(μ, σ²) against the baseline, one value per draw and no chance: the EVPI
/// matches σφ(μ/σ) − |μ|Φ(−|μ|/σ). With μ < 0 the estimate is the mean of max(D, 0)
/// (while the sample mean stays below 0), whose standard error is sd(max(D, 0))/√J;
/// 4.5 standard errors: a false alarm about once in 150,000 seeds (normal approximation).
#[test]
fn evpi_matches_its_closed_form() {
    let (mu, sigma, draws) = (-300_000.0, 1_000_000.0, 20_000);
    let (values, params) = nested(5, draws, 1, 1, 0.0, |_, t| mu + sigma * t[0], 1);
    let s = sample(&[net_only(values[0].clone())], &params, 1);
    assert_eq!(s.draw_values, DrawValues::PerReplication(WhyPerReplication::OneCohortPerDraw));
    let evpi = s.evpi(Valued::ExtraSelfSupporting, 0.0);
    let positive: Vec<f64> = values[0].iter().map(|d| d.max(0.0)).collect();
    let se = Summary::of(&positive).sd / (draws as f64).sqrt();
    let want = evpi_closed_form(mu, sigma);
    assert!((evpi.value - want).abs() < 4.5 * se, "EVPI {} against {want} (se {se})", evpi.value);
    assert_eq!(evpi.without_information, 0.0, "the baseline is best on average");
}

/// Tolerance of the EVPI from shrunk means of `draws` draws of `inner` cohorts, with
/// between sd `sb`, chance sd `sw` and mean `mu` (D ~ N(mu, sb²) per draw), as 5
/// standard errors (a false alarm below one in a million under the normal
/// approximation; the bound is conservative: over 300 fresh seeds the largest
/// deviation was 36 % of it). Two sources: the mean of max(D, 0) over draws, se ≤ sd(D)/√J; and
/// the shrinkage's estimate of sb, whose relative error is about
/// sd(s²_b) / (2 s²_b) with var(s²_b) ≈ 2 (sb² + sw²/I)² / (J − 1) + 2 sw⁴ / (I² J (I − 1)),
/// which moves the EVPI by φ(μ/σ)·σ per unit of relative error (dEVPI/dσ = φ(μ/σ)).
fn shrunk_evpi_tolerance(mu: f64, sb: f64, sw: f64, draws: usize, inner: usize) -> f64 {
    let (j, i) = (draws as f64, inner as f64);
    let var_between =
        2.0 * (sb * sb + sw * sw / i).powi(2) / (j - 1.0) + 2.0 * sw.powi(4) / (i * i * j * (i - 1.0));
    let relative = var_between.sqrt() / (2.0 * sb * sb);
    let from_scale = Normal::standard().pdf(mu / sb) * sb * relative;
    let from_draws = sb / j.sqrt();
    5.0 * (from_scale.powi(2) + from_draws.powi(2)).sqrt()
}

/// With chance in the cohorts, the EVPI from shrunk means still matches the closed
/// form of the expected values' spread, while the EVPI of plain per-draw means, which
/// keeps part of the chance, and that of single cohorts, which keeps all of it, are
/// beyond the tolerance.
#[test]
fn shrinking_keeps_chance_out_of_the_evpi() {
    let (mu, sb, sw, draws, inner) = (-0.3, 1.0, 2.0, 20_000, 8);
    let (values, params) = nested(13, draws, inner, 1, sw, |_, t| mu + sb * t[0], 1);
    let option = [net_only(values[0].clone())];
    let shrunk = sample(&option, &params, inner).evpi(Valued::ExtraSelfSupporting, 0.0).value;
    let want = evpi_closed_form(mu, sb);
    let tolerance = shrunk_evpi_tolerance(mu, sb, sw, draws, inner);
    assert!((shrunk - want).abs() < tolerance, "EVPI {shrunk} against {want} ± {tolerance}");
    let means: Vec<f64> = values[0].chunks(inner).map(|c| c.iter().sum::<f64>() / inner as f64).collect();
    let draw_params: Vec<Vec<f64>> = params.iter().step_by(inner).cloned().collect();
    let plain = sample(&[net_only(means)], &draw_params, 1).evpi(Valued::ExtraSelfSupporting, 0.0).value;
    assert!(plain > want + 2.0 * tolerance, "plain means {plain} against {want} ± {tolerance}");
    let single = sample(&option, &params, 1).evpi(Valued::ExtraSelfSupporting, 0.0).value;
    let with_chance = evpi_closed_form(mu, (sb * sb + sw * sw).sqrt());
    assert!(single > want + 2.0 * tolerance && (single - with_chance).abs() < 0.05, "{single} {with_chance}");
}

/// The `1 − alpha` bound of the EVPPI of a parameter the net benefit does not depend
/// on, over `rows` draws, where a draw's net benefit has sd `sd` given the parameter.
/// The fitted values ĝ have the response's mean ȳ, and max(·, 0) moves by at most what
/// its argument moves, so EVPPI ≤ mean_j |ĝ_j − ȳ| ≤ √(mean_j (ĝ_j − ȳ)²) = sd·√(χ²/J),
/// the χ² with the basis's non-intercept columns (at most 6) as degrees of freedom; the
/// GCV choice among 6 bases costs a factor 6 (Bonferroni).
fn unrelated_bound(sd: f64, rows: usize, alpha: f64) -> f64 {
    let q = ChiSquared::new(6.0).unwrap().inverse_cdf(1.0 - alpha / 6.0);
    sd * (q / rows as f64).sqrt()
}

/// A parameter that does not enter the net benefit has EVPPI 0 within Monte Carlo
/// error (the bound above at α = 10⁻⁴: a false alarm at most once in 10,000 seeds),
/// though the decision is uncertain and the parameter that does enter it is worth a lot.
#[test]
fn evppi_of_a_parameter_outside_the_model_is_zero() {
    let draws = 5000;
    let (values, params) = nested(17, draws, 1, 2, 0.0, |_, t| t[0], 1);
    let s = sample(&[net_only(values[0].clone())], &params, 1);
    let evpi = s.evpi(Valued::ExtraSelfSupporting, 0.0).value;
    let unrelated = s.evppi(Valued::ExtraSelfSupporting, 0.0, &[1]).unwrap().value;
    let bound = unrelated_bound(1.0, draws, 1e-4);
    assert!((0.0..bound).contains(&unrelated), "EVPPI {unrelated} beyond {bound}");
    assert!(evpi > 3.0 * bound, "EVPI {evpi} against the bound {bound}");
    let related = s.evppi(Valued::ExtraSelfSupporting, 0.0, &[0]).unwrap().value;
    assert!((related - evpi).abs() < 1e-9 * evpi.abs().max(1.0), "{related} against {evpi}");
}

/// The noise floor: each of its 19 shuffled regressions is an EVPPI of a parameter
/// unrelated to the net benefit, so the floor is within the bound above (α = 10⁻⁴ over
/// the 19, a false alarm at most once in 10,000 seeds), and the parameter that matters
/// is far above it. (That an unrelated parameter lands above the floor 1 time in 20
/// holds by exchangeability; in 400 fresh seeds of 300 draws it did 18 times.)
#[test]
fn the_noise_floor_is_what_an_unrelated_parameter_shows() {
    let draws = 2000;
    let (values, params) = nested(37, draws, 1, 2, 0.0, |_, t| 0.3 * t[0] + t[1], 1);
    let s = sample(&[net_only(values[0].clone())], &params, 1);
    let sd = (1.0f64 + 0.09).sqrt();
    let floor = s.evppi_noise_floor(Valued::ExtraSelfSupporting, 0.0, &[1]).unwrap();
    assert!(floor > 0.0 && floor < unrelated_bound(sd, draws, 1e-4 / 19.0), "floor {floor}");
    let related = s.evppi(Valued::ExtraSelfSupporting, 0.0, &[1]).unwrap().value;
    assert!(related > 5.0 * floor, "{related} against the floor {floor}");
}

/// Without chance, the EVPPI of the only parameter is the EVPI up to the spline's
/// error in following a curved net benefit (three candidates, two options crossing).
#[test]
fn evppi_of_the_only_parameter_is_the_evpi() {
    let (values, params) =
        nested(19, 2000, 1, 1, 0.0, |i, t| [0.2 + 0.5 * t[0] - 0.3 * t[0] * t[0], t[0].exp() - 1.8][i], 2);
    let options: Vec<Columns> = values.into_iter().map(net_only).collect();
    let s = sample(&options, &params, 1);
    let evpi = s.evpi(Valued::ExtraSelfSupporting, 0.0);
    let evppi = s.evppi(Valued::ExtraSelfSupporting, 0.0, &[0]).unwrap();
    assert!(evpi.value > 0.1);
    assert!((evppi.value - evpi.value).abs() < 0.01 * evpi.value, "{evppi:?} against {evpi:?}");
    assert_eq!(evppi.without_information, evpi.without_information);
}

/// With chance in the cohorts the EVPPI of the only parameter (regression on plain
/// per-draw means) and the EVPI (shrunk means) both match the closed form, hence each
/// other. EVPPI: the fitted line ĝ differs from the true g by the projection of the
/// draws' mean chance (sd sw/√I) on the basis, so |EVPPI − EVPI of g| ≤
/// 2·(sw/√I)·√(χ²₇/J) (the χ² of all 7 columns, α = 10⁻⁴ with the Bonferroni factor
/// 6), and the EVPI of g is within 4.5 standard errors of the closed form (1.5·10⁻⁵):
/// a false alarm at most about once in 8,000 seeds with the EVPI's 10⁻⁶.
#[test]
fn evppi_of_the_only_parameter_is_the_evpi_under_chance() {
    let (mu, sb, sw, draws, inner) = (0.2, 1.0, 2.0, 2000, 8);
    let (values, params) = nested(23, draws, inner, 1, sw, |_, t| mu + sb * t[0], 1);
    let s = sample(&[net_only(values[0].clone())], &params, inner);
    let want = evpi_closed_form(mu, sb);
    let evpi = s.evpi(Valued::ExtraSelfSupporting, 0.0).value;
    let evppi = s.evppi(Valued::ExtraSelfSupporting, 0.0, &[0]).unwrap().value;
    let q = ChiSquared::new(7.0).unwrap().inverse_cdf(1.0 - 1e-4 / 6.0);
    let fit = 2.0 * sw / (inner as f64).sqrt() * (q / draws as f64).sqrt();
    // sd(max(D, 0) − D) ≤ sd(D) = sb for μ > 0.
    let draws_error = 4.5 * sb / (draws as f64).sqrt();
    let tolerance = shrunk_evpi_tolerance(mu, sb, sw, draws, inner);
    assert!((evppi - want).abs() < fit + draws_error, "EVPPI {evppi} against {want}");
    assert!((evpi - want).abs() < tolerance, "EVPI {evpi} against {want}");
    assert!((evppi - evpi).abs() < fit + draws_error + tolerance);
}

/// 0 ≤ EVPPI ≤ EVPI for each parameter and group of a three-parameter case, and the
/// group of all three is worth the EVPI (no chance: the group basis spans the additive
/// net benefit with a product term). Deterministic for the seed.
#[test]
fn evppi_lies_between_zero_and_evpi() {
    let (values, params) = nested(
        29,
        1500,
        1,
        3,
        0.0,
        |i, t| [0.1 + t[0] + 0.5 * t[1] + 0.3 * t[0] * t[2], -0.2 + 1.2 * t[1] - 0.4 * t[2]][i],
        2,
    );
    let options: Vec<Columns> = values.into_iter().map(net_only).collect();
    let s = sample(&options, &params, 1);
    let evpi = s.evpi(Valued::ExtraSelfSupporting, 0.0).value;
    for group in [&[0][..], &[1], &[2], &[0, 1], &[1, 2], &[0, 2]] {
        let v = s.evppi(Valued::ExtraSelfSupporting, 0.0, group).unwrap().value;
        assert!(v >= 0.0 && v <= evpi, "EVPPI of {group:?} {v} against EVPI {evpi}");
    }
    let all = s.evppi(Valued::ExtraSelfSupporting, 0.0, &[0, 1, 2]).unwrap().value;
    assert!((all - evpi).abs() < 1e-6 * evpi, "{all} against {evpi}");
}

/// The per-draw values say how they were made; a model without sampled parameters has
/// one expected value and nothing to learn.
#[test]
fn draw_values_say_how_they_were_made() {
    let net = net_only(vec![1.0, -2.0, 3.0, 0.5]);
    let params = vec![vec![]; 4];
    assert_eq!(
        sample(std::slice::from_ref(&net), &params, 3).draw_values,
        DrawValues::PerReplication(WhyPerReplication::NotEstimable)
    );
    let values = [net.values()];
    let p: Vec<&[f64]> = params.iter().map(|p| &p[..]).collect();
    let fixed = DecisionSample::new(&values, &p, 2, false);
    assert_eq!(fixed.draw_values, DrawValues::ShrunkMeans);
    assert_eq!(fixed.draws(), 2);
    assert_eq!(fixed.evpi(Valued::ExtraSelfSupporting, 0.0).value, 0.0);
    assert_eq!(
        fixed.evppi(Valued::ExtraSelfSupporting, 0.0, &[0]),
        Err(EvppiError::NoSuchParameter { index: 0, count: 0 })
    );
    assert_eq!(fixed.evppi(Valued::ExtraSelfSupporting, 0.0, &[]), Err(EvppiError::NoParameter));
}

/// Each key once, the first option's first, its values from the first option that
/// samples it.
#[test]
fn options_share_their_parameters_by_key() {
    let with_params = |params: Vec<f64>| {
        let mut o = rep(0, 0.0, 0.0, 0.0);
        o.params = params;
        results(vec![o])
    };
    let (a, b) = (with_params(vec![1.0, 2.0]), with_params(vec![3.0, 20.0, 5.0]));
    let (ka, kb) =
        (vec!["x".to_string(), "y".to_string()], vec!["z".to_string(), "y".to_string(), "w".to_string()]);
    let shared = shared_parameters(&[(&ka[..], &a), (&kb[..], &b)]);
    assert_eq!(shared.keys, ["x", "y", "z", "w"]);
    assert_eq!(shared.values, vec![vec![1.0, 2.0, 3.0, 5.0]]);
}

/// Too few draws for a regression: an error that says how many are needed.
#[test]
fn too_few_draws_for_a_regression_are_refused() {
    let (values, params) = nested(31, 12, 1, 1, 0.0, |_, t| t[0], 1);
    let s = sample(&[net_only(values[0].clone())], &params, 1);
    let err = s.evppi(Valued::ExtraSelfSupporting, 0.0, &[0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "12 outer draws are too few: a regression on 1 parameter(s) needs at least 20"
    );
}

/// Steps of 1, 2, 2.5 and 5 times a power of ten.
#[test]
fn steps_are_readable() {
    assert_eq!(readable_step(12_500.0), 20_000.0);
    assert_eq!(readable_step(2_100.0), 2_500.0);
    assert_eq!(readable_step(1_000.0), 1_000.0);
    assert_eq!(readable_step(0.37), 0.5);
}
