//! The report of `trappe calibrate`: each figure observed and fitted, each factor
//! and parameter, the objective and its degrees of freedom, and plain warnings.

use crate::analysis::calibration::{AtBound, Fit, FitArm, TargetFit, Z_LIMIT};
use crate::input::observed::Observed;
use crate::model::{Calibrated, Model};
use crate::numbers::fmt_sig;
use std::fmt::Write as _;
use std::path::Path;

/// The terminal report of a calibration whose scenario was written to `out`.
pub fn report(model: &Model, scenario: &str, observed: &Observed, fit: &Fit, out: &Path) -> String {
    let mut o = String::new();
    let n_fit = fit.targets.iter().filter(|t| t.obs.fit).count();
    heading(&mut o, model, scenario, observed, fit, n_fit);
    figures(&mut o, fit);
    factors(&mut o, fit);
    parameters(&mut o, model, fit);
    objective(&mut o, fit, n_fit);
    warnings(&mut o, fit);
    let _ = writeln!(o, "\nCalibrated scenario written to {}", out.display());
    o
}

/// What was fitted to what: the arm, the replications, the factors and the figures.
fn heading(o: &mut String, model: &Model, scenario: &str, observed: &Observed, fit: &Fit, n_fit: usize) {
    let arm = match fit.arm {
        FitArm::Counterfactual => "counterfactual arm (without the scenario's extra staff)",
        FitArm::Scenario => "scenario arm (with its extra staff)",
    };
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
}

/// The table of observed figures: observed, at the start, fitted, and z.
fn figures(o: &mut String, fit: &Fit) {
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
}

/// The table of fitted factors with their bounds.
fn factors(o: &mut String, fit: &Fit) {
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
}

/// Each calibrated parameter's mean as written and fitted, by group; a group of
/// alike members on one line.
fn parameters(o: &mut String, model: &Model, fit: &Fit) {
    let _ = writeln!(o, "\nParameters (mean as written -> fitted; bounds of the mean):");
    let bounds_text = |c: &Calibrated| {
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
}

/// The objective at the fit and at the start, what its degrees of freedom allow
/// concluding, and how the search ended.
fn objective(o: &mut String, fit: &Fit, n_fit: usize) {
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
}

/// Warnings: figures that cannot be reached within the bounds, figures not matched,
/// and Monte Carlo noise large enough to drive the fit.
fn warnings(o: &mut String, fit: &Fit) {
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
