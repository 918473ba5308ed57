//! Fitting a model to observed figures: the parameters a scenario marks `calibrate`
//! are scaled until the simulated outcomes match the observed figures.
//!
//! What is fitted: each calibration group (a parameter marked `calibrate =
//! true`, or all parameters marked with the same group name) has one factor
//! that multiplies its members' means; their spread scales with them (see
//! [`Distribution::scaled`]). The objective is Σ ((simulated mean − observed) /
//! se)² over the observed figures marked to be fitted, minimised by
//! Nelder–Mead (the `argmin` crate) in a transformed space (a logistic map onto
//! each factor's bounds, on the log scale when the lower bound is positive), so
//! that every candidate respects the bounds.
//!
//! Common random numbers: every evaluation simulates the same replications with
//! the same seed; each calibrated parameter is drawn as the quantile of its
//! candidate distribution at the parameter's own uniform number
//! ([`Model::draw_overrides`]), so a small change of a factor moves every draw a
//! little instead of drawing anew, and the objective is close to smooth. Only
//! the arm being fitted is simulated, and only up to the last observed month
//! (the months before it do not depend on the horizon).
//!
//! [`Distribution::scaled`]: crate::input::param::Distribution::scaled

use crate::analysis::outcomes::{metric_at, segment_metric_at};
use crate::input::observed::{Observation, Observed, Selection};
use crate::model::{Arm, COUNTERFACTUAL, CalibratedKind, Metric, Model, SCENARIO};
use crate::numbers::fmt_num;
use crate::schema::{MonthlyLayout, MonthlyMeasure};
use crate::simulation::driver::{SimOptions, simulate_with};
use anyhow::{Context, bail};
use std::cell::RefCell;
use std::time::Instant;

/// A fitted target whose |z| exceeds this is reported as not matched.
pub const Z_LIMIT: f64 = 2.0;

/// Which arm's simulated outcomes are compared with the observed figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitArm {
    /// The counterfactual (no extra staff or grants): history as it was observed.
    Counterfactual,
    /// The scenario arm, with its extra staff.
    Scenario,
}

impl FitArm {
    fn arm(self) -> Arm {
        match self {
            FitArm::Counterfactual => COUNTERFACTUAL,
            FitArm::Scenario => SCENARIO,
        }
    }
}

/// How to fit.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Replications per evaluation (the same ones in every evaluation).
    pub replications: u32,
    /// Seed of the replications.
    pub seed: u64,
    /// Worker threads (None = all cores).
    pub threads: Option<usize>,
    /// The arm fitted.
    pub arm: FitArm,
    /// Most objective evaluations (each simulates all replications).
    pub max_evaluations: u32,
}

/// How the search stands after an evaluation of the objective, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct SearchProgress {
    /// Objective evaluations made by the search so far.
    pub evaluations: u32,
    /// The objective at the point just evaluated.
    pub objective: f64,
    /// The lowest objective so far.
    pub best: f64,
}

/// One calibration group: the parameters that share one factor.
#[derive(Debug, Clone)]
pub struct Group {
    /// The group's name (the parameter's key for a parameter fitted on its own).
    pub name: String,
    /// Indices into [`Model::calibration`].
    pub members: Vec<usize>,
    /// Lowest factor: the tightest of the members' lower bounds divided by their means.
    pub lo: f64,
    /// Highest factor: the tightest of the members' upper bounds divided by their means,
    /// and of the limits that keep every drawn probability below 1.
    pub hi: f64,
    /// The upper factor is set by keeping probabilities below 1, not by the bounds written.
    pub hi_from_validity: bool,
}

impl Group {
    fn log_scale(&self) -> bool {
        self.lo > 0.0
    }

    /// The factor at a point `z` of the optimiser's space.
    fn factor(&self, z: f64) -> f64 {
        let t = logistic(z);
        if self.log_scale() {
            (self.lo.ln() + (self.hi.ln() - self.lo.ln()) * t).exp()
        } else {
            self.lo + (self.hi - self.lo) * t
        }
    }

    /// Where a factor lies between the bounds, 0 (lower) to 1 (upper).
    fn position(&self, f: f64) -> f64 {
        if self.log_scale() {
            (f.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (f - self.lo) / (self.hi - self.lo)
        }
    }
}

fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn logit(t: f64) -> f64 {
    let t = t.clamp(1e-9, 1.0 - 1e-9);
    (t / (1.0 - t)).ln()
}

/// Where a fitted factor ended, relative to its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtBound {
    /// At the lower bound.
    Lower,
    /// At the upper bound.
    Upper,
}

/// One observed figure and how the fit met it.
#[derive(Debug, Clone)]
pub struct TargetFit {
    /// The observed figure.
    pub obs: Observation,
    /// Simulated mean at the starting values.
    pub start: f64,
    /// Simulated mean at the fitted values.
    pub fitted: f64,
    /// Monte Carlo standard error of the fitted mean.
    pub mc_se: f64,
    /// (fitted − observed) / se.
    pub z: f64,
    /// Groups whose factor moves this figure (only worked out for figures not matched).
    pub depends_on: Vec<usize>,
    /// Not matched (|z| > 2) while a group it depends on sits at a bound.
    pub unreachable: bool,
}

/// The result of a calibration.
#[derive(Debug, Clone)]
pub struct Fit {
    /// The calibration groups.
    pub groups: Vec<Group>,
    /// The fitted factor of each group (1 = as written).
    pub factors: Vec<f64>,
    /// Whether each factor ended at a bound.
    pub at_bound: Vec<Option<AtBound>>,
    /// Every observed figure, fitted or compared only.
    pub targets: Vec<TargetFit>,
    /// The objective at the fit.
    pub objective: f64,
    /// The objective at the starting values.
    pub start_objective: f64,
    /// Figures fitted minus free factors.
    pub degrees_of_freedom: i64,
    /// P(χ² with those degrees of freedom ≥ objective), when there are any.
    pub p_value: Option<f64>,
    /// Objective evaluations made.
    pub evaluations: u32,
    /// True if the optimiser met its tolerance; false if it ran out of evaluations.
    pub converged: bool,
    /// Replications per evaluation.
    pub replications: u32,
    /// Seed.
    pub seed: u64,
    /// Arm fitted.
    pub arm: FitArm,
    /// Wall time of the fit in seconds.
    pub seconds: f64,
}

impl Fit {
    /// True if some fitted figure cannot be reached within the bounds.
    pub fn unreachable(&self) -> bool {
        self.targets.iter().any(|t| t.unreachable)
    }

    /// Fitted figures whose Monte Carlo standard error exceeds a quarter of their se.
    pub fn noisy(&self) -> Vec<&TargetFit> {
        self.targets.iter().filter(|t| t.obs.fit && t.mc_se > t.obs.se / 4.0).collect()
    }

    /// The fitted mean of parameter `i` of [`Model::calibration`].
    pub fn fitted_mean(&self, model: &Model, i: usize) -> f64 {
        let g = self.groups.iter().position(|g| g.members.contains(&i)).unwrap_or(0);
        model.calibration[i].dist.mean() * self.factors.get(g).copied().unwrap_or(1.0)
    }
}

/// Groups the model's calibration marks and works out each group's factor bounds.
pub fn groups(model: &Model) -> anyhow::Result<Vec<Group>> {
    let mut groups: Vec<Group> = Vec::new();
    for (i, c) in model.calibration.iter().enumerate() {
        let mean = c.dist.mean();
        let (mut lo, mut hi) = (c.bounds.0 / mean, c.bounds.1 / mean);
        let mut from_validity = false;
        if c.kind == CalibratedKind::Probability {
            // Keep a margin from the limit, where a beta degenerates.
            let limit = 0.99 * c.dist.probability_scale_limit();
            if limit < hi {
                hi = limit;
                from_validity = true;
            }
        }
        match groups.iter_mut().find(|g| g.name == c.group) {
            Some(g) => {
                g.members.push(i);
                lo = lo.max(g.lo);
                if hi < g.hi {
                    g.hi_from_validity = from_validity;
                } else {
                    hi = g.hi;
                }
                g.lo = lo;
                g.hi = hi;
            }
            None => groups.push(Group {
                name: c.group.clone(),
                members: vec![i],
                lo,
                hi,
                hi_from_validity: from_validity,
            }),
        }
    }
    for g in &groups {
        if !(g.lo < g.hi) {
            let members: Vec<String> =
                g.members.iter().map(|&i| model.calibration[i].path.to_string()).collect();
            bail!(
                "calibration group `{}` has no room to move: its members' bounds, divided by their means, \
                 leave factors from {} to {} ({}); widen the bounds",
                g.name,
                fmt_num(g.lo),
                fmt_num(g.hi),
                members.join(", ")
            );
        }
    }
    Ok(groups)
}

/// The objective and what it needs, evaluated at candidate factors.
struct Problem<'a> {
    model: Model,
    observed: &'a [Observation],
    groups: &'a [Group],
    opts: &'a FitOptions,
    arm: Arm,
    state: RefCell<Search>,
    on_evaluation: &'a dyn Fn(&SearchProgress),
}

#[derive(Default)]
struct Search {
    evaluations: u32,
    best: Option<(Vec<f64>, f64)>,
    out_of_budget: bool,
}

/// Simulated means and their Monte Carlo standard errors, one per observed figure.
struct Evaluation {
    means: Vec<f64>,
    mc_se: Vec<f64>,
}

impl Problem<'_> {
    fn evaluate(&self, factors: &[f64]) -> anyhow::Result<Evaluation> {
        let mut model = self.model.clone();
        for (g, f) in self.groups.iter().zip(factors) {
            for &i in &g.members {
                let c = &model.calibration[i];
                let d = c
                    .dist
                    .scaled(*f)
                    .map_err(|e| anyhow::anyhow!("cannot scale `{}` by {}: {e}", c.path, fmt_num(*f)))?;
                model.draw_overrides.insert(c.key.clone(), d);
            }
        }
        let opts = SimOptions {
            replications: self.opts.replications,
            inner_replications: 1,
            seed: self.opts.seed,
            threads: self.opts.threads,
            trajectories: 0,
            first_replication: 0,
            engine: crate::simulation::driver::Engine::Individual,
        };
        let obs = self.observed;
        let reduce = |rep: crate::simulation::records::Replication| -> Vec<f64> {
            let run = &rep.arms[0];
            obs.iter().map(|o| observed_metric(&model, &run.monthly, &run.segment_monthly, o)).collect()
        };
        let per_rep = simulate_with(&model, &[self.arm], &opts, &|| {}, &reduce)
            .context("cannot start worker threads")?;
        let n = per_rep.len().max(1) as f64;
        let mut means = vec![0.0; obs.len()];
        for r in &per_rep {
            for (m, v) in means.iter_mut().zip(r) {
                *m += v / n;
            }
        }
        let mc_se = (0..obs.len())
            .map(|k| {
                if per_rep.len() < 2 {
                    return f64::NAN;
                }
                let var = per_rep.iter().map(|r| (r[k] - means[k]).powi(2)).sum::<f64>() / (n - 1.0);
                (var / n).sqrt()
            })
            .collect();
        Ok(Evaluation { means, mc_se })
    }

    fn objective(&self, means: &[f64]) -> f64 {
        self.observed
            .iter()
            .zip(means)
            .filter(|(o, _)| o.fit)
            .map(|(o, m)| ((m - o.value) / o.se).powi(2))
            .sum()
    }

    fn factors(&self, z: &[f64]) -> Vec<f64> {
        self.groups.iter().zip(z).map(|(g, z)| g.factor(*z)).collect()
    }
}

/// The objective as argmin sees it: a borrowed [`Problem`], so that its search
/// record outlives each optimiser run.
struct Objective<'p, 'a>(&'p Problem<'a>);

impl argmin::core::CostFunction for Objective<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, z: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        self.0.cost(z)
    }
}

impl Problem<'_> {
    fn cost(&self, z: &[f64]) -> Result<f64, argmin::core::Error> {
        {
            let mut s = self.state.borrow_mut();
            if s.evaluations >= self.opts.max_evaluations {
                s.out_of_budget = true;
                return Err(anyhow::anyhow!("evaluation budget used up"));
            }
            s.evaluations += 1;
        }
        let e = self.evaluate(&self.factors(z))?;
        let j = self.objective(&e.means);
        let j = if j.is_finite() { j } else { f64::MAX };
        let mut s = self.state.borrow_mut();
        if s.best.as_ref().is_none_or(|(_, b)| j < *b) {
            s.best = Some((z.to_vec(), j));
        }
        (self.on_evaluation)(&SearchProgress {
            evaluations: s.evaluations,
            objective: j,
            best: s.best.as_ref().map(|b| b.1).unwrap_or(j),
        });
        Ok(j)
    }
}

/// The value of an observed figure's metric in one replication's record of an arm.
pub fn observed_metric(model: &Model, monthly: &[f64], segment_monthly: &[f64], o: &Observation) -> f64 {
    match &o.selection {
        Selection::All => metric_at(model, monthly, o.metric, o.month),
        Selection::Segments(gs) if gs.len() == 1 => {
            segment_metric_at(model, segment_monthly, gs[0], o.metric, o.month)
        }
        Selection::Segments(gs) => {
            // Several segments: shares weighted by citizens entered, the mean benefit
            // duration by citizens on benefit.
            let layout = MonthlyLayout::new(model);
            let cols = layout.segment_width;
            let ng = model.segments.len();
            let (mut num, mut den) = (0.0, 0.0);
            for &g in gs {
                let entered = segment_monthly[(o.month * ng + g) * cols + layout.at(MonthlyMeasure::Entered)];
                let v = segment_metric_at(model, segment_monthly, g, o.metric, o.month);
                let w = match o.metric {
                    Metric::MeanBenefitDuration => {
                        entered * segment_metric_at(model, segment_monthly, g, Metric::BenefitShare, o.month)
                    }
                    _ => entered,
                };
                num += w * v;
                den += w;
            }
            if den > 0.0 { num / den } else { 0.0 }
        }
    }
}

/// Fits the model's calibration groups to the observed figures.
pub fn fit(model: &Model, observed: &Observed, opts: &FitOptions) -> anyhow::Result<Fit> {
    fit_with_progress(model, observed, opts, &|_| {})
}

/// [`fit`], calling `on_evaluation` after each evaluation of the search.
pub fn fit_with_progress(
    model: &Model,
    observed: &Observed,
    opts: &FitOptions,
    on_evaluation: &dyn Fn(&SearchProgress),
) -> anyhow::Result<Fit> {
    let started = Instant::now();
    let (groups, n_fit) = check_inputs(model, observed, opts)?;

    // Only the months up to the last observed one need simulating.
    let mut base = model.clone();
    base.horizon = observed.rows.iter().map(|o| o.month).max().unwrap_or(model.horizon).min(model.horizon);
    let problem = Problem {
        model: base,
        observed: &observed.rows,
        groups: &groups,
        opts,
        arm: opts.arm.arm(),
        state: RefCell::new(Search::default()),
        on_evaluation,
    };

    // Start at the values written (nudged inside the bounds if a mean sits on one).
    let z0: Vec<f64> = groups.iter().map(|g| logit(g.position(1.0).clamp(1e-6, 1.0 - 1e-6))).collect();
    let start_eval = problem.evaluate(&problem.factors(&z0))?;
    let start_objective = problem.objective(&start_eval.means);
    problem.state.borrow_mut().best = Some((z0.clone(), start_objective));
    let converged = search(&problem, &z0)?;

    let (zbest, _) = problem.state.borrow().best.clone().unwrap_or((z0.clone(), start_objective));
    let factors = problem.factors(&zbest);
    let eval = problem.evaluate(&factors)?;
    let objective = problem.objective(&eval.means);
    let at_bound = bounds_reached(&groups, &factors);
    let mut targets = target_fits(&observed.rows, &start_eval, &eval);
    if targets.iter().any(|t| t.obs.fit && t.z.abs() > Z_LIMIT) {
        mark_unreachable(&problem, &factors, &at_bound, &eval, &mut targets)?;
    }

    let dof = n_fit as i64 - groups.len() as i64;
    let p_value = if dof > 0 {
        use statrs::distribution::{ChiSquared, ContinuousCDF};
        ChiSquared::new(dof as f64).ok().map(|c| 1.0 - c.cdf(objective))
    } else {
        None
    };
    let evaluations = problem.state.borrow().evaluations + 2;
    Ok(Fit {
        groups,
        factors,
        at_bound,
        targets,
        objective,
        start_objective,
        degrees_of_freedom: dof,
        p_value,
        evaluations,
        converged,
        replications: opts.replications,
        seed: opts.seed,
        arm: opts.arm,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Checks that there is something to fit and something to fit it to: returns the
/// calibration groups and the number of figures fitted.
fn check_inputs(
    model: &Model,
    observed: &Observed,
    opts: &FitOptions,
) -> anyhow::Result<(Vec<Group>, usize)> {
    if model.calibration.is_empty() {
        bail!(
            "no parameter is marked for calibration; add `calibrate = true` to the transition probabilities \
             or segment multipliers to fit, e.g. probability = {{ dist = \"beta\", mean = 0.02, sd = 0.006, \
             calibrate = true }}"
        );
    }
    anyhow::ensure!(opts.replications >= 2, "calibration needs at least 2 replications");
    let groups = groups(model)?;
    // Nelder–Mead's first simplex takes one evaluation per factor and one more.
    let least = groups.len() as u32 + 1;
    anyhow::ensure!(
        opts.max_evaluations >= least,
        "--max-evaluations {} is too few: {} free factor{} need at least {least} evaluations \
         (one per factor and one more, for the optimiser's first simplex)",
        opts.max_evaluations,
        groups.len(),
        if groups.len() == 1 { "" } else { "s" }
    );
    let n_fit = observed.rows.iter().filter(|o| o.fit).count();
    anyhow::ensure!(n_fit > 0, "no observed figure is marked to be fitted (every row has fit = false)");
    Ok((groups, n_fit))
}

/// Nelder–Mead from `z0`, then once more from the best point with a smaller simplex: a
/// restart guards against a simplex that collapsed early. The best point is kept in
/// the problem's search record; returns whether the optimiser met its tolerance.
fn search(problem: &Problem, z0: &[f64]) -> anyhow::Result<bool> {
    let mut converged = false;
    for (pass, step) in [(0, 0.25), (1, 0.08)] {
        let from = problem.state.borrow().best.as_ref().map(|b| b.0.clone()).unwrap_or_else(|| z0.to_vec());
        let simplex = initial_simplex(problem.groups, &from, step);
        let solver = argmin::solver::neldermead::NelderMead::new(simplex)
            .with_sd_tolerance(1e-4)
            .map_err(|e| anyhow::anyhow!("cannot set up the optimiser: {e}"))?;
        let result = argmin::core::Executor::new(Objective(problem), solver)
            .configure(|s| s.max_iters(u64::from(problem.opts.max_evaluations)))
            .run();
        let out_of_budget = problem.state.borrow().out_of_budget;
        match result {
            Ok(r) => {
                use argmin::core::State;
                converged = matches!(
                    r.state().get_termination_reason(),
                    Some(argmin::core::TerminationReason::SolverConverged)
                );
            }
            Err(_) if out_of_budget => {
                converged = false;
                break;
            }
            Err(e) => return Err(anyhow::anyhow!("the optimiser failed: {e}")),
        }
        if pass == 0 && !converged {
            break;
        }
    }
    Ok(converged)
}

/// Whether each factor ended at (within 0.1 % of the range from) one of its bounds.
fn bounds_reached(groups: &[Group], factors: &[f64]) -> Vec<Option<AtBound>> {
    groups
        .iter()
        .zip(factors)
        .map(|(g, f)| {
            let t = g.position(*f);
            if t < 1e-3 {
                Some(AtBound::Lower)
            } else if t > 1.0 - 1e-3 {
                Some(AtBound::Upper)
            } else {
                None
            }
        })
        .collect()
}

/// Each observed figure with its simulated mean at the start and at the fit.
fn target_fits(observed: &[Observation], start: &Evaluation, fitted: &Evaluation) -> Vec<TargetFit> {
    observed
        .iter()
        .enumerate()
        .map(|(k, o)| TargetFit {
            obs: o.clone(),
            start: start.means[k],
            fitted: fitted.means[k],
            mc_se: fitted.mc_se[k],
            z: (fitted.means[k] - o.value) / o.se,
            depends_on: Vec::new(),
            unreachable: false,
        })
        .collect()
}

/// Finds which factors move the figures: nudges each factor by 10 % (inwards from a
/// bound) and sees which simulated figures follow. A fitted figure not matched while a
/// factor it follows sits at a bound cannot be reached within the bounds.
fn mark_unreachable(
    problem: &Problem,
    factors: &[f64],
    at_bound: &[Option<AtBound>],
    fitted: &Evaluation,
    targets: &mut [TargetFit],
) -> anyhow::Result<()> {
    for (gi, g) in problem.groups.iter().enumerate() {
        let mut f = factors.to_vec();
        f[gi] = if at_bound[gi] == Some(AtBound::Upper) { f[gi] / 1.1 } else { f[gi] * 1.1 };
        f[gi] = f[gi].clamp(g.lo, g.hi);
        let moved = problem.evaluate(&f)?;
        for (k, t) in targets.iter_mut().enumerate() {
            if (moved.means[k] - fitted.means[k]).abs() > 0.02 * t.obs.se {
                t.depends_on.push(gi);
            }
        }
    }
    for t in targets.iter_mut() {
        t.unreachable =
            t.obs.fit && t.z.abs() > Z_LIMIT && t.depends_on.iter().any(|&g| at_bound[g].is_some());
    }
    Ok(())
}

/// A starting simplex around `z`: each vertex moves one factor by about `step` on
/// the log scale (or by `step` on its own scale), towards the roomier side.
fn initial_simplex(groups: &[Group], z: &[f64], step: f64) -> Vec<Vec<f64>> {
    let mut simplex = vec![z.to_vec()];
    for (i, g) in groups.iter().enumerate() {
        let t = logistic(z[i]);
        let width = if g.log_scale() { g.hi.ln() - g.lo.ln() } else { g.hi - g.lo };
        let dz = (step / (width * t * (1.0 - t)).max(1e-12)).clamp(0.02, 2.0);
        let mut v = z.to_vec();
        v[i] += if t > 0.5 { -dz } else { dz };
        simplex.push(v);
    }
    simplex
}
