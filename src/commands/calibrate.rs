//! `trappe calibrate`: fit the parameters a scenario marks `calibrate` so that
//! the simulated outcomes match observed figures.
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
//! The calibrated scenario is the original file edited in place with
//! `toml_edit`: comments, layout and the `calibrate` marks are kept, each fitted
//! parameter's numbers are replaced, and a comment line above it records where
//! the fit came from. `docs/calibration.md` documents the command.

use crate::analysis::outcomes::{metric_at, segment_metric_at};
use crate::input::locate::{KeyPath, Seg};
use crate::input::observed::{Observation, Observed, Selection};
use crate::input::param::{Distribution, fmt_num};
use crate::input::scenario::LoadedScenario;
use crate::model::{Arm, COUNTERFACTUAL, CalibratedKind, Metric, Model, SCENARIO};
use crate::simulation::driver::{SimOptions, simulate_with};
use crate::simulation::records::segment_columns;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Replications per evaluation unless `--replications` says otherwise.
pub const DEFAULT_REPLICATIONS: u32 = 200;

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
    /// Show a spinner with the evaluations and the best objective (on a terminal only).
    pub progress: bool,
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
    bar: ProgressBar,
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
        self.bar.set_message(format!(
            "evaluation {}, objective {:.4}, best {:.4}",
            s.evaluations,
            j,
            s.best.as_ref().map(|b| b.1).unwrap_or(j)
        ));
        self.bar.tick();
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
            let cols = segment_columns(model).len();
            let ng = model.segments.len();
            let (mut num, mut den) = (0.0, 0.0);
            for &g in gs {
                let entered = segment_monthly[(o.month * ng + g) * cols];
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
    let started = Instant::now();
    if model.calibration.is_empty() {
        bail!(
            "no parameter is marked for calibration; add `calibrate = true` to the transition probabilities \
             or segment multipliers to fit, e.g. probability = {{ dist = \"beta\", mean = 0.02, sd = 0.006, \
             calibrate = true }}"
        );
    }
    anyhow::ensure!(opts.replications >= 2, "calibration needs at least 2 replications");
    let groups = groups(model)?;
    let n_fit = observed.rows.iter().filter(|o| o.fit).count();
    anyhow::ensure!(n_fit > 0, "no observed figure is marked to be fitted (every row has fit = false)");

    // Only the months up to the last observed one need simulating.
    let mut base = model.clone();
    base.horizon = observed.rows.iter().map(|o| o.month).max().unwrap_or(model.horizon).min(model.horizon);
    let bar = if opts.progress && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{spinner} {msg}  {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let problem = Problem {
        model: base,
        observed: &observed.rows,
        groups: &groups,
        opts,
        arm: opts.arm.arm(),
        state: RefCell::new(Search::default()),
        bar,
    };

    // Start at the values written (nudged inside the bounds if a mean sits on one).
    let z0: Vec<f64> = groups.iter().map(|g| logit(g.position(1.0).clamp(1e-6, 1.0 - 1e-6))).collect();
    let start_eval = problem.evaluate(&problem.factors(&z0))?;
    let start_objective = problem.objective(&start_eval.means);
    problem.state.borrow_mut().best = Some((z0.clone(), start_objective));

    // Nelder–Mead, then once more from the best point with a smaller simplex: a
    // restart guards against a simplex that collapsed early.
    let mut converged = false;
    for (pass, step) in [(0, 0.25), (1, 0.08)] {
        let from = problem.state.borrow().best.as_ref().map(|b| b.0.clone()).unwrap_or_else(|| z0.clone());
        let simplex = initial_simplex(&groups, &from, step);
        let solver = argmin::solver::neldermead::NelderMead::new(simplex)
            .with_sd_tolerance(1e-4)
            .map_err(|e| anyhow::anyhow!("cannot set up the optimiser: {e}"))?;
        let result = argmin::core::Executor::new(Objective(&problem), solver)
            .configure(|s| s.max_iters(u64::from(opts.max_evaluations)))
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
    problem.bar.finish_and_clear();

    let (zbest, _) = problem.state.borrow().best.clone().unwrap_or((z0.clone(), start_objective));
    let factors = problem.factors(&zbest);
    let eval = problem.evaluate(&factors)?;
    let objective = problem.objective(&eval.means);
    let at_bound: Vec<Option<AtBound>> = groups
        .iter()
        .zip(&factors)
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
        .collect();
    let mut targets: Vec<TargetFit> = observed
        .rows
        .iter()
        .enumerate()
        .map(|(k, o)| TargetFit {
            obs: o.clone(),
            start: start_eval.means[k],
            fitted: eval.means[k],
            mc_se: eval.mc_se[k],
            z: (eval.means[k] - o.value) / o.se,
            depends_on: Vec::new(),
            unreachable: false,
        })
        .collect();

    // Which factors move the figures that are not matched: nudge each factor by
    // 10 % (inwards from a bound) and see which simulated figures follow.
    if targets.iter().any(|t| t.obs.fit && t.z.abs() > Z_LIMIT) {
        for (gi, g) in groups.iter().enumerate() {
            let mut f = factors.clone();
            f[gi] = if at_bound[gi] == Some(AtBound::Upper) { f[gi] / 1.1 } else { f[gi] * 1.1 };
            f[gi] = f[gi].clamp(g.lo, g.hi);
            let moved = problem.evaluate(&f)?;
            for (k, t) in targets.iter_mut().enumerate() {
                if (moved.means[k] - eval.means[k]).abs() > 0.02 * t.obs.se {
                    t.depends_on.push(gi);
                }
            }
        }
        for t in &mut targets {
            t.unreachable =
                t.obs.fit && t.z.abs() > Z_LIMIT && t.depends_on.iter().any(|&g| at_bound[g].is_some());
        }
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

/// Where the calibrated scenario came from, for the comment above each fitted parameter.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The observed figures file's name.
    pub observed_name: String,
    /// The first 12 hex digits of its SHA-256.
    pub observed_sha: String,
}

/// The prefix of every comment line the calibration writes (and replaces on a re-run).
pub const COMMENT_PREFIX: &str = "# calibrated:";

/// The calibrated scenario: the original text with each fitted parameter's numbers
/// replaced and a provenance comment above it. Comments, layout and `calibrate`
/// marks are kept. The result is checked to load as a valid scenario.
pub fn calibrated_text(
    sc: &LoadedScenario,
    model: &Model,
    fit: &Fit,
    prov: &Provenance,
) -> anyhow::Result<String> {
    let mut doc: toml_edit::DocumentMut =
        sc.source.parse().with_context(|| format!("cannot re-read {} for editing", sc.path))?;
    let head = format!(
        "{COMMENT_PREFIX} trappe {} calibrate, observed {} (sha256 {}), objective {} over {} figures, \
         {} replications, seed {}, {} arm",
        env!("CARGO_PKG_VERSION"),
        prov.observed_name,
        prov.observed_sha,
        fmt_sig(fit.objective, 4),
        fit.targets.iter().filter(|t| t.obs.fit).count(),
        fit.replications,
        fit.seed,
        match fit.arm {
            FitArm::Counterfactual => "counterfactual",
            FitArm::Scenario => "scenario",
        }
    );
    // Comment lines per anchor key (the key of the parameter's table in its
    // [[transitions]] or [[segments]] entry): members of one group with the same
    // change share a line.
    struct Change {
        names: Vec<String>,
        group: String,
        from: f64,
        to: f64,
        factor: f64,
        bound: Option<AtBound>,
    }
    let mut notes: Vec<(KeyPath, String, Vec<Change>)> = Vec::new();
    for (gi, g) in fit.groups.iter().enumerate() {
        let f = fit.factors[gi];
        for &i in &g.members {
            let c = &model.calibration[i];
            let table = param_table(&mut doc, &c.path.0).with_context(|| {
                format!("cannot find `{}` in {} to write its fitted value", c.path, sc.path)
            })?;
            scale_spec(table, &c.dist, f)?;
            let segs = &c.path.0;
            if segs.len() < 3 {
                continue;
            }
            let anchor = KeyPath(segs[..2].to_vec());
            let Seg::Key(anchor_key) = &segs[2] else { continue };
            let name = match segs.get(3) {
                Some(Seg::Key(t)) => t.clone(),
                _ => String::new(),
            };
            let (from, to) = (c.dist.mean(), c.dist.mean() * f);
            let entry = match notes.iter_mut().position(|(a, k, _)| *a == anchor && k == anchor_key) {
                Some(p) => &mut notes[p].2,
                None => {
                    notes.push((anchor, anchor_key.clone(), Vec::new()));
                    &mut notes.last_mut().expect("just pushed").2
                }
            };
            match entry.iter_mut().find(|ch| ch.group == g.name && ch.from == from && ch.factor == f) {
                Some(ch) => ch.names.push(name),
                None => entry.push(Change {
                    names: vec![name],
                    group: g.name.clone(),
                    from,
                    to,
                    factor: f,
                    bound: fit.at_bound[gi],
                }),
            }
        }
    }
    for (anchor, key, changes) in &notes {
        let mut lines = vec![head.clone()];
        for ch in changes {
            let what = match ch.names.as_slice() {
                [n] if n.is_empty() => key.clone(),
                [n] => format!("{key} {n}"),
                ns => format!("{key} {} ({})", ns.join(", "), ns.len()),
            };
            lines.push(format!(
                "{COMMENT_PREFIX} {what}: mean {} -> {} (group `{}`, factor {}{})",
                fmt_sig(ch.from, 6),
                fmt_sig(ch.to, 6),
                ch.group,
                fmt_sig(ch.factor, 6),
                match ch.bound {
                    Some(AtBound::Lower) => ", AT LOWER BOUND",
                    Some(AtBound::Upper) => ", AT UPPER BOUND",
                    None => "",
                }
            ));
        }
        // An entry written as an inline table has no room for comments: its
        // values are still replaced.
        if let Some(t) = param_table(&mut doc, &anchor.0)
            && let Some(mut k) = t.key_mut(key)
        {
            let decor = k.leaf_decor_mut();
            let prefix = decor.prefix().and_then(|p| p.as_str()).unwrap_or("").to_string();
            decor.set_prefix(with_comments(&prefix, &lines));
        }
    }
    let text = doc.to_string();
    let check = LoadedScenario::from_str(&sc.path, &text)
        .map_err(anyhow::Error::from)
        .and_then(|s| crate::model::Model::from_scenario(&s).map_err(anyhow::Error::from));
    if let Err(e) = check {
        bail!("the calibrated scenario would not be valid, so it was not written (a bug in trappe): {e:#}");
    }
    Ok(text)
}

/// `prefix` (the text before a key: comment lines, then the key's indentation) with
/// earlier calibration comments removed and `lines` added just above the key.
fn with_comments(prefix: &str, lines: &[String]) -> String {
    let (head, indent) = match prefix.rfind('\n') {
        Some(p) => (&prefix[..=p], &prefix[p + 1..]),
        None => ("", prefix),
    };
    let mut out: String =
        head.split_inclusive('\n').filter(|l| !l.trim_start().starts_with(COMMENT_PREFIX)).collect();
    for l in lines {
        let _ = writeln!(out, "{indent}{l}");
    }
    out.push_str(indent);
    out
}

/// The table (inline or not) at `path` in the document: `transitions[0].probability`,
/// `segments[2].multipliers.job_ready->job`, or an entry such as `transitions[0]`.
fn param_table<'a>(
    doc: &'a mut toml_edit::DocumentMut,
    path: &[Seg],
) -> Option<&'a mut dyn toml_edit::TableLike> {
    use toml_edit::{Item, Value};
    let mut cur: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    let mut i = 0;
    while i < path.len() {
        let Seg::Key(k) = &path[i] else { return None };
        let item = cur.get_mut(k)?;
        if let Some(Seg::Index(n)) = path.get(i + 1) {
            cur = match item {
                Item::ArrayOfTables(a) => a.get_mut(*n)?,
                Item::Value(Value::Array(a)) => a.get_mut(*n)?.as_inline_table_mut()?,
                _ => return None,
            };
            i += 2;
        } else {
            cur = item.as_table_like_mut()?;
            i += 1;
        }
    }
    Some(cur)
}

/// Multiplies a parameter table's mean by `f`, keeping its relative spread: the
/// numbers written are changed as [`Distribution::scaled`] changes the distribution.
fn scale_spec(t: &mut dyn toml_edit::TableLike, dist: &Distribution, f: f64) -> anyhow::Result<()> {
    let scaled = dist.scaled(f).map_err(|e| anyhow::anyhow!(e))?;
    let (alpha, beta) = match scaled {
        Distribution::Beta { alpha, beta, .. } => (alpha, beta),
        _ => (f64::NAN, f64::NAN),
    };
    let mut updates: Vec<(&str, f64)> = Vec::new();
    for key in ["value", "mean", "sd", "min", "mode", "max", "scale"] {
        if let Some(v) = number(t, key) {
            updates.push((key, v * f));
        }
    }
    if let Some(mu) = number(t, "mu") {
        updates.push(("mu", mu + f.ln()));
    }
    if number(t, "alpha").is_some() && alpha.is_finite() {
        updates.push(("alpha", alpha));
        updates.push(("beta", beta));
    }
    for (key, v) in updates {
        if let Some(val) = t.get_mut(key).and_then(|i| i.as_value_mut()) {
            let decor = val.decor().clone();
            *val = toml_edit::Value::from(round_sig(v, 6));
            *val.decor_mut() = decor;
        }
    }
    Ok(())
}

fn number(t: &dyn toml_edit::TableLike, key: &str) -> Option<f64> {
    let v = t.get(key)?.as_value()?;
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// `v` rounded to `digits` significant digits.
pub fn round_sig(v: f64, digits: usize) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{:.*e}", digits.saturating_sub(1), v).parse().unwrap_or(v)
}

fn fmt_sig(v: f64, digits: usize) -> String {
    fmt_num(round_sig(v, digits))
}

/// The longest common start of several texts, cut back to a `.` or `[`.
fn common_prefix(texts: &[String]) -> String {
    let Some(first) = texts.first() else { return String::new() };
    let mut n = first.len();
    for t in &texts[1..] {
        n = n.min(first.bytes().zip(t.bytes()).take_while(|(a, b)| a == b).count());
    }
    let p = &first[..n];
    match p.rfind('.') {
        Some(i) => p[..=i].to_string(),
        None => p.to_string(),
    }
}

/// Everything `trappe calibrate` needs.
#[derive(Debug, Clone)]
pub struct CalibrateConfig {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The observed figures (CSV).
    pub observed: PathBuf,
    /// Where to write the calibrated scenario (default: `<stem>.calibrated.toml` beside it).
    pub out: Option<PathBuf>,
    /// Replace `out` if it exists.
    pub force: bool,
    /// Replications per evaluation.
    pub replications: u32,
    /// Seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads.
    pub threads: Option<usize>,
    /// The arm fitted.
    pub arm: FitArm,
    /// Most objective evaluations.
    pub max_evaluations: u32,
    /// Show progress on a terminal.
    pub progress: bool,
}

/// What `trappe calibrate` did.
#[derive(Debug, Clone)]
pub struct CalibrationReport {
    /// The terminal report.
    pub text: String,
    /// The calibrated scenario written.
    pub out: PathBuf,
    /// The fit.
    pub fit: Fit,
}

/// The default output path: `<scenario stem>.calibrated.toml` beside the scenario.
pub fn default_out(scenario: &Path) -> PathBuf {
    let stem =
        scenario.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "scenario".into());
    scenario.with_file_name(format!("{stem}.calibrated.toml"))
}

/// Loads the scenario and the observed figures, fits, reports and writes the
/// calibrated scenario (atomically; an existing file only with `force`).
pub fn calibrate(cfg: &CalibrateConfig) -> anyhow::Result<CalibrationReport> {
    let sc = LoadedScenario::from_path(&cfg.scenario)?;
    let model = Model::from_scenario(&sc)?;
    let observed = crate::input::observed::read(&cfg.observed, &model)?;
    let out = cfg.out.clone().unwrap_or_else(|| default_out(&cfg.scenario));
    check_writable(&out, cfg.force)?;
    let opts = FitOptions {
        replications: cfg.replications,
        seed: cfg.seed.unwrap_or(model.seed),
        threads: cfg.threads,
        arm: cfg.arm,
        max_evaluations: cfg.max_evaluations,
        progress: cfg.progress,
    };
    let fit = fit(&model, &observed, &opts)?;
    let prov = Provenance {
        observed_name: cfg
            .observed
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| observed.path.clone()),
        observed_sha: observed.sha256.chars().take(12).collect(),
    };
    let text = calibrated_text(&sc, &model, &fit, &prov)?;
    check_writable(&out, cfg.force)?;
    write_atomic(&out, &text)?;
    let report = report(&model, &sc.path, &observed, &fit, &out);
    Ok(CalibrationReport { text: report, out, fit })
}

fn check_writable(out: &Path, force: bool) -> anyhow::Result<()> {
    if out.exists() && !force {
        bail!("{} already exists; use --force to replace it, or --out to write elsewhere", out.display());
    }
    if out.is_dir() {
        bail!("{} is a folder; --out names the calibrated scenario file", out.display());
    }
    Ok(())
}

/// Writes `text` to `path` through a temporary file in the same folder, renamed into
/// place when complete, so a failure never leaves a half-written scenario.
pub fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.partial-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

/// The terminal report: each figure observed and fitted, each factor and parameter,
/// the objective and its degrees of freedom, and plain warnings.
pub fn report(model: &Model, scenario: &str, observed: &Observed, fit: &Fit, out: &Path) -> String {
    let mut o = String::new();
    let arm = match fit.arm {
        FitArm::Counterfactual => "counterfactual arm (without the scenario's extra staff)",
        FitArm::Scenario => "scenario arm (with its extra staff)",
    };
    let n_fit = fit.targets.iter().filter(|t| t.obs.fit).count();
    let n_params = model.calibration.len();
    let _ = writeln!(o, "Calibration of {scenario} to {}", observed.path);
    let _ = writeln!(
        o,
        "  {arm}; {} replications per evaluation, seed {}; {} free factor{} ({} parameter{}) for {} fitted figure{}{}",
        fit.replications,
        fit.seed,
        fit.groups.len(),
        if fit.groups.len() == 1 { "" } else { "s" },
        n_params,
        if n_params == 1 { "" } else { "s" },
        n_fit,
        if n_fit == 1 { "" } else { "s" },
        match fit.targets.len() - n_fit {
            0 => String::new(),
            k => format!(" (+{k} compared only)"),
        }
    );

    let seg_w = fit.targets.iter().map(|t| t.obs.segment_label.chars().count()).max().unwrap_or(7).max(7);
    let met_w = fit.targets.iter().map(|t| t.obs.metric_name.chars().count()).max().unwrap_or(6).max(6);
    let _ = writeln!(
        o,
        "\nObserved and fitted (simulated mean over replications; z = (fitted - observed) / se):"
    );
    let _ = writeln!(
        o,
        "  {:<met_w$}  {:<seg_w$}  {:>5}  {:>9}  {:>8}  {:>9}  {:>9}  {:>7}  {:>6}",
        "metric", "segment", "month", "observed", "se", "start", "fitted", "MC se", "z"
    );
    for (fitted_rows, title) in [(true, None), (false, Some("  compared only (fit = false):"))] {
        let rows: Vec<&TargetFit> = fit.targets.iter().filter(|t| t.obs.fit == fitted_rows).collect();
        if rows.is_empty() {
            continue;
        }
        if let Some(t) = title {
            let _ = writeln!(o, "{t}");
        }
        for t in rows {
            let flag = if t.unreachable {
                "  CANNOT BE REACHED WITHIN THE BOUNDS"
            } else if t.obs.fit && t.z.abs() > Z_LIMIT {
                "  not matched"
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "  {:<met_w$}  {:<seg_w$}  {:>5}  {:>9}  {:>8}  {:>9}  {:>9}  {:>7}  {:>6.2}{flag}",
                t.obs.metric_name,
                t.obs.segment_label,
                t.obs.month,
                fmt_sig(t.obs.value, 4),
                format!("{}{}", fmt_sig(t.obs.se, 3), if t.obs.se_given { "" } else { "*" }),
                fmt_sig(t.start, 4),
                fmt_sig(t.fitted, 4),
                fmt_sig(t.mc_se, 2),
                t.z
            );
        }
    }
    if fit.targets.iter().any(|t| !t.obs.se_given) {
        let _ = writeln!(
            o,
            "  * se not given: binomial sqrt(v(1-v)/n), n = the segment's citizens, at least {}",
            crate::input::observed::SE_FLOOR
        );
    }

    let _ = writeln!(
        o,
        "\nFitted factors (1 = as written; the factor multiplies each member's mean and spread):"
    );
    let name_w = fit.groups.iter().map(|g| g.name.chars().count()).max().unwrap_or(5).max(5);
    let _ = writeln!(o, "  {:<name_w$}  {:>7}  {:>9}  {:>21}", "group", "members", "factor", "factor bounds");
    for (gi, g) in fit.groups.iter().enumerate() {
        let flag = match fit.at_bound[gi] {
            Some(AtBound::Lower) => "  AT BOUND (lower)",
            Some(AtBound::Upper) if g.hi_from_validity => "  AT BOUND (upper: keeps probabilities below 1)",
            Some(AtBound::Upper) => "  AT BOUND (upper)",
            None => "",
        };
        let _ = writeln!(
            o,
            "  {:<name_w$}  {:>7}  {:>9}  {:>21}{flag}",
            g.name,
            g.members.len(),
            fmt_sig(fit.factors[gi], 4),
            format!("[{}, {}]", fmt_sig(g.lo, 3), fmt_sig(g.hi, 3))
        );
    }
    let _ = writeln!(o, "\nParameters (mean as written -> fitted; bounds of the mean):");
    let bounds_text = |c: &crate::model::Calibrated| {
        format!(
            "[{}, {}]{}",
            fmt_sig(c.bounds.0, 3),
            fmt_sig(c.bounds.1, 3),
            if c.bounds_given { "" } else { " (default)" }
        )
    };
    for (gi, g) in fit.groups.iter().enumerate() {
        let flag = if fit.at_bound[gi].is_some() { "  AT BOUND" } else { "" };
        let first = &model.calibration[g.members[0]];
        let alike = g.members.iter().all(|&i| {
            let c = &model.calibration[i];
            c.dist.mean() == first.dist.mean() && c.bounds == first.bounds && c.kind == first.kind
        });
        if g.members.len() > 2 && alike {
            // Members with the same start and bounds: one line for the group.
            let keys: Vec<String> =
                g.members.iter().map(|&i| model.calibration[i].path.to_string()).collect();
            let common = common_prefix(&keys);
            let _ = writeln!(
                o,
                "  {} ({} parameters: {}*)  each {} -> {}  {}{flag}",
                g.name,
                g.members.len(),
                common,
                fmt_sig(first.dist.mean(), 4),
                fmt_sig(fit.fitted_mean(model, g.members[0]), 4),
                bounds_text(first)
            );
            continue;
        }
        // A parameter fitted on its own is its own group: no group line.
        let own = g.members.len() == 1 && g.name == first.key;
        if !own {
            let _ = writeln!(o, "  {}:", g.name);
        }
        let indent = if own { "  " } else { "    " };
        let key_w = g.members.iter().map(|&i| model.calibration[i].key.chars().count()).max().unwrap_or(0);
        for &i in &g.members {
            let c = &model.calibration[i];
            let _ = writeln!(
                o,
                "{indent}{:<key_w$}  {:>9} -> {:<9}  {}{flag}",
                c.key,
                fmt_sig(c.dist.mean(), 4),
                fmt_sig(fit.fitted_mean(model, i), 4),
                bounds_text(c)
            );
        }
    }

    let _ = writeln!(
        o,
        "\nObjective sum((fitted - observed) / se)^2: {} at the fit, {} at the start.",
        fmt_sig(fit.objective, 4),
        fmt_sig(fit.start_objective, 4)
    );
    let dof_text = match fit.degrees_of_freedom {
        d if d > 0 => format!(
            "{d} degrees of freedom ({n_fit} figures - {} factors): P(chi-squared >= objective) = {}{}",
            fit.groups.len(),
            fmt_sig(fit.p_value.unwrap_or(f64::NAN), 2),
            if fit.p_value.is_some_and(|p| p < 0.05) {
                "; the model does not reproduce the figures within their standard errors"
            } else {
                ""
            }
        ),
        0 => format!(
            "0 degrees of freedom ({n_fit} figures, {} factors): exactly identified, so the objective tests nothing",
            fit.groups.len()
        ),
        d => format!(
            "{d} degrees of freedom: more factors ({}) than fitted figures ({n_fit}); some factors are not determined \
             by the figures and stay near where they started",
            fit.groups.len()
        ),
    };
    let _ = writeln!(o, "{dof_text}.");
    let _ = writeln!(
        o,
        "{} evaluations in {:.1} s; {}.",
        fit.evaluations,
        fit.seconds,
        if fit.converged {
            "the optimiser converged"
        } else {
            "the optimiser stopped at its evaluation limit (--max-evaluations) before converging"
        }
    );

    let unreachable: Vec<&TargetFit> = fit.targets.iter().filter(|t| t.unreachable).collect();
    for t in &unreachable {
        let at: Vec<String> = t
            .depends_on
            .iter()
            .filter(|&&g| fit.at_bound[g].is_some())
            .map(|&g| format!("`{}`", fit.groups[g].name))
            .collect();
        let _ = writeln!(
            o,
            "\nWARNING: {} for {} at month {} (observed {}, fitted {}, z = {:.1}) cannot be reached within the \
             bounds: {} {} at a bound. Widen `bounds`, mark more parameters `calibrate`, or check the figure.",
            t.obs.metric_name,
            t.obs.segment_label,
            t.obs.month,
            fmt_sig(t.obs.value, 4),
            fmt_sig(t.fitted, 4),
            t.z,
            at.join(", "),
            if at.len() == 1 { "is" } else { "are" }
        );
    }
    let unmatched: Vec<&TargetFit> =
        fit.targets.iter().filter(|t| t.obs.fit && !t.unreachable && t.z.abs() > Z_LIMIT).collect();
    if !unmatched.is_empty() {
        let _ = writeln!(
            o,
            "\nWARNING: {} fitted figure{} not matched within 2 standard errors although no factor it depends on is \
             at a bound: the model cannot match all figures at once with these parameters.",
            unmatched.len(),
            if unmatched.len() == 1 { " is" } else { "s are" }
        );
    }
    let noisy = fit.noisy();
    if !noisy.is_empty() {
        let worst = noisy.iter().map(|t| (t.mc_se / (t.obs.se / 4.0)).powi(2)).fold(1.0, f64::max);
        let need = (fit.replications as f64 * worst).ceil();
        let _ = writeln!(
            o,
            "\nWARNING: Monte Carlo noise could drive the fit: {} fitted figure{} a Monte Carlo standard error above a \
             quarter of the observed se. Use --replications {} or more.",
            noisy.len(),
            if noisy.len() == 1 { " has" } else { "s have" },
            need
        );
    }
    let _ = writeln!(o, "\nCalibrated scenario written to {}", out.display());
    o
}
