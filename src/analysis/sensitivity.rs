//! Which assumption matters: one-way sensitivity (the tornado), thresholds and two-way
//! tables, on expected values.
//!
//! Every figure here is an expected value at fixed parameters: each uncertain parameter
//! is held at a value (its mean, or its 5th or 95th percentile) instead of being drawn,
//! so the only variation left between a level's replications is chance in the cohort,
//! and its mean over replications estimates the expected value. Levels are simulated on
//! the same seed, so their differences are paired replication by replication and their
//! Monte Carlo error is that of the paired difference, not of either level.
//!
//! The simulation is the caller's: this module names the levers (a parameter, or a
//! group of parameters moved together), ranks their swings and finds where a curve
//! crosses a goal.

use crate::analysis::stats::Summary;
use crate::error::{Diagnostic, nearest};
use crate::input::param::Distribution;

/// The share of a parameter's distribution below its low level in a one-way sensitivity.
pub const LOW_QUANTILE: f64 = 0.05;
/// The share below its high level.
pub const HIGH_QUANTILE: f64 = 0.95;

/// One uncertain parameter as a lever: its key and the values a sensitivity gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct LeverMember {
    /// The parameter's key, as `check --sources` and `replications.csv` name it.
    pub key: String,
    /// Its mean: where it is held while other levers move.
    pub mean: f64,
    /// Its 5th percentile.
    pub low: f64,
    /// Its 95th percentile.
    pub high: f64,
}

impl LeverMember {
    /// The lever of a parameter drawn from `distribution`.
    pub fn of(key: &str, distribution: &Distribution) -> LeverMember {
        LeverMember {
            key: key.to_string(),
            mean: distribution.mean(),
            low: distribution.quantile(LOW_QUANTILE),
            high: distribution.quantile(HIGH_QUANTILE),
        }
    }
}

/// What a one-way sensitivity moves at once: one parameter, or a named group of them
/// moved together (every member to its low level, then every member to its high level).
#[derive(Debug, Clone, PartialEq)]
pub struct Lever {
    /// The parameter's key, or the group's name.
    pub name: String,
    /// The parameters moved.
    pub members: Vec<LeverMember>,
    /// Whether the lever is a named group (even of one parameter).
    pub group: bool,
}

impl Lever {
    /// The members' keys joined by ` + `, as files and terminals list a group.
    pub fn member_list(&self) -> String {
        self.members.iter().map(|m| m.key.as_str()).collect::<Vec<_>>().join(" + ")
    }
}

/// The levers of a one-way sensitivity: every parameter of `parameters` (key and
/// distribution, in the model's order) not in a group, each on its own, followed by the
/// groups that `--group NAME=KEY,KEY…` arguments name. A key ending in `*` takes every
/// parameter whose key starts with what comes before it. A parameter may be in one group
/// only; a name, key or pattern that names nothing is refused with the nearest key.
pub fn levers(
    parameters: &[(String, Distribution)],
    group_args: &[String],
) -> Result<Vec<Lever>, Vec<Diagnostic>> {
    let keys: Vec<&str> = parameters.iter().map(|(k, _)| k.as_str()).collect();
    let mut problems = Vec::new();
    let mut groups: Vec<Lever> = Vec::new();
    let mut grouped: Vec<Option<String>> = vec![None; parameters.len()];
    for arg in group_args {
        let refuse = |key: &str, message: String, hint: Option<String>| Diagnostic {
            file: format!("--group {arg}"),
            key: key.to_string(),
            message,
            hint,
            ..Default::default()
        };
        let Some((name, list)) = arg.split_once('=').map(|(n, l)| (n.trim(), l.trim())) else {
            problems.push(refuse(
                "",
                "expected NAME=KEY,KEY…, a name for the group and the uncertain parameters in it, \
                 e.g. wider=budget.wider.*"
                    .into(),
                None,
            ));
            continue;
        };
        if name.is_empty() || list.is_empty() {
            problems.push(refuse(
                "",
                "the group needs a name and at least one key, e.g. wider=budget.wider.*".into(),
                None,
            ));
            continue;
        }
        if groups.iter().any(|g| g.name == name) || keys.contains(&name) {
            problems.push(refuse(
                name,
                format!(
                    "`{name}` is already the name of a group or a parameter: give the group another name"
                ),
                None,
            ));
            continue;
        }
        let mut members = Vec::new();
        for pattern in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let matched: Vec<usize> = match pattern.strip_suffix('*') {
                Some(prefix) => (0..keys.len()).filter(|&i| keys[i].starts_with(prefix)).collect(),
                None => (0..keys.len()).filter(|&i| keys[i] == pattern).collect(),
            };
            if matched.is_empty() {
                let hint = nearest(pattern.trim_end_matches('*'), keys.iter().copied())
                    .map(|k| format!("did you mean `{k}`?"));
                problems.push(refuse(
                    pattern,
                    format!(
                        "`{pattern}` names no uncertain parameter of the scenario (`trappe check --sources` \
                         lists them)"
                    ),
                    hint,
                ));
                continue;
            }
            for i in matched {
                match &grouped[i] {
                    Some(other) if other != name => problems.push(refuse(
                        keys[i],
                        format!(
                            "`{}` is already in the group `{other}`: a parameter can be in one group only",
                            keys[i]
                        ),
                        None,
                    )),
                    Some(_) => {}
                    None => {
                        grouped[i] = Some(name.to_string());
                        members.push(LeverMember::of(keys[i], &parameters[i].1));
                    }
                }
            }
        }
        groups.push(Lever { name: name.to_string(), members, group: true });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut all: Vec<Lever> = parameters
        .iter()
        .zip(&grouped)
        .filter(|(_, g)| g.is_none())
        .map(|((key, d), _)| Lever {
            name: key.clone(),
            members: vec![LeverMember::of(key, d)],
            group: false,
        })
        .collect();
    all.extend(groups.into_iter().filter(|g| !g.members.is_empty()));
    Ok(all)
}

/// A measure's expected value at a lever's low and high levels, paired replication by
/// replication on the same random numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Swing {
    /// Mean over replications with the lever low.
    pub at_low: f64,
    /// Mean over replications with the lever high.
    pub at_high: f64,
    /// `|at_high − at_low|`: the width of the lever's bar in the tornado.
    pub swing: f64,
    /// The Monte Carlo standard error of `at_high − at_low` (paired).
    pub monte_carlo_se: f64,
}

impl Swing {
    /// The swing of per-replication values `low` and `high` of the same replications.
    pub fn of(low: &[f64], high: &[f64]) -> Swing {
        let differences: Vec<f64> = high.iter().zip(low).map(|(h, l)| h - l).collect();
        let d = Summary::of(&differences);
        let (at_low, at_high) = (Summary::of(low).mean, Summary::of(high).mean);
        let se = if d.n > 1 { d.sd / (d.n as f64).sqrt() } else { f64::NAN };
        Swing { at_low, at_high, swing: (at_high - at_low).abs(), monte_carlo_se: se }
    }
}

/// The order of a tornado: the indices of `swings` from the widest to the narrowest,
/// ties (and swings that are not numbers, last) in the order given.
pub fn tornado_order(swings: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..swings.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| if swings[i].is_nan() { f64::NEG_INFINITY } else { swings[i] };
        key(b).total_cmp(&key(a))
    });
    order
}

/// Where a curve scanned at increasing values crosses a goal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossing {
    /// Between scan points `lo` and `hi` (the values), first from the left: the curve
    /// minus the goal changes sign (or is 0) there.
    Between(f64, f64),
    /// Above the goal at every scanned value.
    AlwaysAbove,
    /// Below the goal at every scanned value.
    AlwaysBelow,
    /// The curve is not a number somewhere on the scan.
    Undefined,
}

/// The first crossing of `goal` by a curve given at increasing `points` (value, curve).
pub fn first_crossing(points: &[(f64, f64)], goal: f64) -> Crossing {
    if points.iter().any(|(_, y)| !y.is_finite()) || points.is_empty() {
        return Crossing::Undefined;
    }
    for w in points.windows(2) {
        let (a, b) = ((w[0].1 - goal), (w[1].1 - goal));
        if a == 0.0 {
            return Crossing::Between(w[0].0, w[0].0);
        }
        if a.signum() != b.signum() || b == 0.0 {
            return Crossing::Between(w[0].0, w[1].0);
        }
    }
    if points[0].1 > goal { Crossing::AlwaysAbove } else { Crossing::AlwaysBelow }
}

/// The value between `lo` and `hi` (where `curve − goal` changes sign) at which `curve`
/// reaches `goal`, to within `tolerance`, by Brent's method (the `argmin` crate). The
/// curve is evaluated by `curve`, which may fail; its failure is returned.
pub fn refine_crossing<E>(
    curve: &dyn Fn(f64) -> Result<f64, E>,
    goal: f64,
    lo: f64,
    hi: f64,
    tolerance: f64,
) -> Result<f64, E> {
    if lo == hi {
        return Ok(lo);
    }
    let failure: std::cell::RefCell<Option<E>> = std::cell::RefCell::new(None);
    let problem = RootProblem { curve, goal, failure: &failure };
    let solver = argmin::solver::brent::BrentRoot::new(lo, hi, tolerance);
    let result = argmin::core::Executor::new(problem, solver).configure(|s| s.max_iters(60)).run();
    use argmin::core::State;
    let root = match result {
        Ok(r) => r.state().get_best_param().copied().unwrap_or(0.5 * (lo + hi)),
        Err(_) => 0.5 * (lo + hi),
    };
    match failure.into_inner() {
        Some(e) => Err(e),
        None => Ok(root),
    }
}

/// `curve − goal` as argmin's cost function, keeping the curve's first failure.
struct RootProblem<'a, E> {
    curve: &'a dyn Fn(f64) -> Result<f64, E>,
    goal: f64,
    failure: &'a std::cell::RefCell<Option<E>>,
}

impl<E> argmin::core::CostFunction for RootProblem<'_, E> {
    type Param = f64;
    type Output = f64;

    fn cost(&self, x: &f64) -> Result<f64, argmin::core::Error> {
        match (self.curve)(*x) {
            Ok(y) => Ok(y - self.goal),
            Err(e) => {
                self.failure.borrow_mut().get_or_insert(e);
                Err(argmin::core::Error::msg("the simulation failed"))
            }
        }
    }
}

/// `n` evenly spaced values from `lo` to `hi`, both included.
pub fn scan_points(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if n < 2 {
        return vec![lo];
    }
    (0..n).map(|i| if i + 1 == n { hi } else { lo + (hi - lo) * i as f64 / (n - 1) as f64 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uniform(min: f64, max: f64) -> Distribution {
        Distribution::Uniform { min, max, sampler: rand_distr::Uniform::new(min, max).unwrap() }
    }

    fn params() -> Vec<(String, Distribution)> {
        vec![
            ("staffing.elasticity".into(), uniform(0.0, 0.2)),
            ("budget.wider.tax_per_employed_month".into(), uniform(1.0, 3.0)),
            ("budget.wider.state_tax_per_employed_month".into(), uniform(1.0, 3.0)),
        ]
    }

    #[test]
    fn a_lever_runs_from_the_5th_to_the_95th_percentile_around_the_mean() {
        let l = levers(&params(), &[]).unwrap();
        assert_eq!(l.len(), 3);
        assert!((l[0].members[0].low - 0.01).abs() < 1e-12);
        assert!((l[0].members[0].high - 0.19).abs() < 1e-12);
        assert!((l[0].members[0].mean - 0.1).abs() < 1e-12);
    }

    #[test]
    fn a_group_replaces_its_members_and_a_pattern_takes_every_key_it_starts() {
        let l = levers(&params(), &["wider=budget.wider.*".into()]).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].name, "staffing.elasticity");
        assert_eq!(l[1].name, "wider");
        assert!(l[1].group);
        assert_eq!(l[1].members.len(), 2);
    }

    #[test]
    fn a_group_naming_nothing_is_refused_with_the_nearest_key() {
        let e = levers(&params(), &["x=staffing.elastcity".into()]).unwrap_err();
        assert_eq!(e[0].file, "--group x=staffing.elastcity");
        assert!(e[0].hint.as_deref().unwrap().contains("staffing.elasticity"), "{:?}", e[0]);
        let e = levers(&params(), &["a=staffing.elasticity".into(), "b=staffing.*".into()]).unwrap_err();
        assert!(e[0].message.contains("already in the group `a`"), "{:?}", e[0]);
        let e = levers(&params(), &["nogroup".into()]).unwrap_err();
        assert!(e[0].message.contains("expected NAME=KEY"), "{:?}", e[0]);
    }

    #[test]
    fn the_tornado_puts_the_widest_swing_first_and_undefined_last() {
        assert_eq!(tornado_order(&[1.0, f64::NAN, 5.0, 1.0, 3.0]), vec![2, 4, 0, 3, 1]);
    }

    #[test]
    fn a_swing_is_paired_replication_by_replication() {
        let low = [1.0, 2.0, 3.0, 4.0];
        let high = [3.0, 4.0, 5.0, 6.0];
        let s = Swing::of(&low, &high);
        assert_eq!((s.at_low, s.at_high, s.swing, s.monte_carlo_se), (2.5, 4.5, 2.0, 0.0));
    }

    #[test]
    fn a_crossing_is_found_between_the_scan_points_where_the_sign_changes() {
        let pts: Vec<(f64, f64)> =
            scan_points(0.0, 1.0, 11).into_iter().map(|x| (x, 3.0 * x - 1.0)).collect();
        let Crossing::Between(a, b) = first_crossing(&pts, 0.0) else { panic!() };
        assert!((a - 0.3).abs() < 1e-12 && (b - 0.4).abs() < 1e-12);
        let root = refine_crossing(&|x: f64| Ok::<f64, ()>(3.0 * x - 1.0), 0.0, a, b, 1e-9).unwrap();
        assert!((root - 1.0 / 3.0).abs() < 1e-8, "{root}");
        assert_eq!(first_crossing(&pts, 5.0), Crossing::AlwaysBelow);
        assert_eq!(first_crossing(&pts, -5.0), Crossing::AlwaysAbove);
        let failed = refine_crossing(&|_x: f64| Err::<f64, &str>("boom"), 0.0, 0.0, 1.0, 1e-9);
        assert_eq!(failed, Err("boom"));
    }
}
