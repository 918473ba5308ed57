//! The terminal summary: the answer a person can read in ten seconds.

use crate::analysis::outcomes::{EFFECT_NAMES, Results, arm_outcome_names, target_months};
use crate::analysis::stats::Summary;
use crate::model::Model;
use crate::numbers::{dkk, fixed, percent, percentage_points, signed_fixed};
use crate::simulation::driver::Engine;
use std::fmt::Write;

fn interval(s: &Summary, f: impl Fn(f64) -> String) -> String {
    format!("({} to {})", f(s.p05), f(s.p95))
}

/// One line of shares: both arms' means and the paired effect with its interval.
fn share_row(o: &mut String, label: &str, sc: &Summary, cf: &Summary, df: &Summary) {
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {} {}",
        label,
        percent(sc.mean),
        percent(cf.mean),
        percentage_points(df.mean),
        interval(df, percentage_points)
    );
}

/// The summaries the terminal reads, looked up by outcome and effect name.
struct Figures<'a> {
    model: &'a Model,
    res: &'a Results,
    names: Vec<String>,
    /// Per outcome: the scenario arm, the counterfactual arm, and their difference.
    sc: &'a [Summary],
    cf: &'a [Summary],
    df: &'a [Summary],
}

impl Figures<'_> {
    /// The index of an outcome.
    fn outcome(&self, name: &str) -> usize {
        self.names.iter().position(|x| x == name).expect("outcome name")
    }

    /// The summary of an effect.
    fn effect(&self, name: &str) -> &Summary {
        &self.res.effect_summaries[EFFECT_NAMES.iter().position(|x| *x == name).expect("effect name")]
    }
}

/// The summary printed after a run.
pub fn summary(model: &Model, res: &Results, replications: u32, seed: u64, engine: Engine) -> String {
    let mut o = String::new();
    let figures = Figures {
        model,
        res,
        names: arm_outcome_names(model),
        sc: &res.arm_summaries[0],
        cf: &res.arm_summaries[1],
        df: &res.arm_summaries[2],
    };
    heading(&mut o, model, replications, seed, engine);
    citizens_at_end(&mut o, &figures);
    if model.staffing.as_ref().is_some_and(|s| s.capacity.is_some()) {
        placement_capacity(&mut o, &figures);
    }
    shares_at_target_months(&mut o, &figures);
    money(&mut o, &figures);
    net_effect(&mut o, &figures);
    if !model.targets.is_empty() {
        targets(&mut o, &figures);
    }
    o
}

/// The scenario, the run, and how to read the figures.
fn heading(o: &mut String, model: &Model, replications: u32, seed: u64, engine: Engine) {
    let end = model.calendar(model.horizon);
    let _ = writeln!(o, "\n{}", model.name);
    let _ = writeln!(
        o,
        "{} replications ({} engine), seed {}, {} months {} to {}, {} citizens ({} at start)",
        replications,
        engine,
        seed,
        model.horizon,
        model.start,
        end,
        model.total_size(),
        model.initial_size()
    );
    let _ = writeln!(
        o,
        "Mean (90 % interval over replications); effect = scenario against counterfactual, paired.\n"
    );
}

/// The shares of citizens at the horizon, the extra self-supporting citizens and the
/// benefit months avoided.
fn citizens_at_end(o: &mut String, f: &Figures) {
    let end = f.model.calendar(f.model.horizon);
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   effect",
        format!("At the end of {end}"),
        "scenario",
        "counterfactual",
    );
    for (label, key) in [
        ("Self-supporting share / Selvforsørgende", "self_supporting_share"),
        ("Employment share / Beskæftigede", "employment_share"),
        ("Education share / I uddannelse", "education_share"),
        ("On benefit share / På ydelse", "benefit_share"),
        ("Ever left benefit for work or education", "outflow_share"),
    ] {
        let i = f.outcome(key);
        share_row(o, label, &f.sc[i], &f.cf[i], &f.df[i]);
    }
    let ss = f.effect("extra_self_supporting");
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {:+.1} {}",
        "Extra self-supporting citizens at the end",
        "",
        "",
        ss.mean,
        interval(ss, |v| format!("{v:+.1}"))
    );
    let bm = f.effect("benefit_months_avoided");
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {:+.0} {}",
        "Benefit months avoided over the horizon",
        "",
        "",
        bm.mean,
        interval(bm, |v| format!("{v:+.0}"))
    );
}

/// Placements, waits and the waiting list, when placements need consultant hours.
fn placement_capacity(o: &mut String, f: &Figures) {
    let _ = writeln!(o, "Placement capacity (consultant hours; first come, first served)");
    for (label, key, digits) in [
        ("  Placements made", "placements", 0),
        ("  Mean wait for a placement, months", "mean_wait_months", 2),
        ("  Waiting list, mean over the months", "mean_waiting_list", 1),
        ("  Waiting list at the end", "waiting_list_at_horizon", 1),
    ] {
        let i = f.outcome(key);
        let _ = writeln!(
            o,
            "{:<44} {:>12} {:>14}   {} {}",
            label,
            fixed(f.sc[i].mean, digits),
            fixed(f.cf[i].mean, digits),
            signed_fixed(f.df[i].mean, digits),
            interval(&f.df[i], |v| signed_fixed(v, digits))
        );
    }
}

/// The self-supporting and employment shares at each month a target looks at.
fn shares_at_target_months(o: &mut String, f: &Figures) {
    for m in target_months(f.model) {
        let _ = writeln!(
            o,
            "{:<44}",
            if m == 0 {
                "At the start (month 0, a target month)".to_string()
            } else {
                format!("At the end of {} (month {m}, a target month)", f.model.calendar(m))
            }
        );
        for (label, key) in [
            ("  Self-supporting share", format!("self_supporting_share_month_{m}")),
            ("  Employment share", format!("employment_share_month_{m}")),
        ] {
            let i = f.outcome(&key);
            share_row(o, label, &f.sc[i], &f.cf[i], &f.df[i]);
        }
    }
}

/// Each budget item over the horizon per arm, and what the scenario saves on it.
fn money(o: &mut String, f: &Figures) {
    let _ = writeln!(
        o,
        "\n{:<44} {:>16} {:>16}   effect (+ = saving)",
        "Money over the horizon, DKK", "scenario", "counterfactual"
    );
    let (sc, cf, df) = (f.sc, f.cf, f.df);
    // The effect column is a saving: counterfactual − scenario for costs, and
    // scenario − counterfactual for income (grant income is good for the budget).
    let row = |o: &mut String, label: &str, key: &str, effect: Option<&str>, income: bool| {
        let i = f.outcome(key);
        let eff = match effect {
            Some(name) => {
                let s = f.effect(name);
                format!("{} {}", dkk(s.mean), interval(s, dkk))
            }
            None if income => format!("{} {}", dkk(df[i].mean), interval(&df[i], dkk)),
            None => format!("{} ({} to {})", dkk(-df[i].mean), dkk(-df[i].p95), dkk(-df[i].p05)),
        };
        let _ = writeln!(o, "{:<44} {:>16} {:>16}   {}", label, dkk(sc[i].mean), dkk(cf[i].mean), eff);
    };
    row(o, "Gross benefit", "gross_benefit", Some("gross_benefit_saving"), false);
    row(o, "Municipal net benefit (after reimbursement)", "net_benefit", Some("net_benefit_saving"), false);
    row(o, "Activity costs (wage subsidy, mentor, course)", "activity_cost", None, false);
    row(o, "One-off costs (establishing placements)", "one_off_cost", None, false);
    row(o, "Extra staff cost", "extra_staff_cost", None, false);
    row(o, "Grant income", "grant_income", None, true);
    row(o, "Co-financing (extra staff not covered)", "co_financing", None, false);
    row(o, "Municipal net cost, all items", "total_net_cost", Some("net_municipal_effect"), false);
}

/// The net municipal effect with its present value, the probability of a saving, the
/// break-even month, the return per krone and, when asked for, the wider effects.
fn net_effect(o: &mut String, f: &Figures) {
    let (model, res) = (f.model, f.res);
    let ne = f.effect("net_municipal_effect");
    let pv = f.effect("net_municipal_effect_pv");
    let pos = f.effect("net_effect_positive");
    let _ = writeln!(
        o,
        "\nNet municipal effect: {} DKK {}  ± {} (Monte Carlo s.e.)",
        dkk(ne.mean),
        interval(ne, dkk),
        dkk(ne.mcse)
    );
    let _ = writeln!(
        o,
        "  present value at {:.1} %: {} DKK {}",
        model.budget.discount_rate * 100.0,
        dkk(pv.mean),
        interval(pv, dkk)
    );
    let _ = writeln!(
        o,
        "  probability the scenario saves money: {}  (± {})",
        percent(pos.mean),
        percent(pos.mcse)
    );
    let be = match res.break_even_median {
        Some(m) => format!(
            "median month {} ({}); reached within the horizon in {} of replications",
            m,
            model.calendar(m.round() as usize),
            percent(res.break_even_share)
        ),
        None => format!(
            "not reached within the horizon in most replications (reached in {})",
            percent(res.break_even_share)
        ),
    };
    let _ = writeln!(o, "  break-even: {be}");
    let rpk = f.effect("return_per_krone");
    if rpk.n > 0 {
        let two = |v| fixed(v, 2);
        let _ = writeln!(o, "  return per krone of extra staff: {} {}", two(rpk.mean), interval(rpk, two));
    }
    if model.budget.wider.is_some() {
        let w = f.effect("wider_net_effect");
        let p = f.effect("public_net_effect");
        let _ = writeln!(
            o,
            "  wider municipal effect (with tax and equalisation): {} DKK {}",
            dkk(w.mean),
            interval(w, dkk)
        );
        let _ = writeln!(
            o,
            "  public-sector effect (state + municipality): {} DKK {}",
            dkk(p.mean),
            interval(p, dkk)
        );
    }
}

/// Each target's value and probability of being met, per arm.
fn targets(o: &mut String, f: &Figures) {
    let _ = writeln!(o, "\n{:<52} {:>22} {:>22}", "Targets", "scenario: value, P(met)", "counterfactual");
    for (i, t) in f.model.targets.iter().enumerate() {
        let kv = f.outcome(&format!("target_{}_value", i + 1));
        let fmt_v = |v: f64| {
            if t.metric.unit() == "share" && !t.relative_to_start { percent(v) } else { fixed(v, 2) }
        };
        let mut label = format!("{} ({})", t.name, t.condition());
        if label.chars().count() > 52 {
            let _ = writeln!(o, "{label}");
            label = String::new();
        }
        let _ = writeln!(
            o,
            "{:<52} {:>12}, {:>7} {:>12}, {:>7}",
            label,
            fmt_v(f.sc[kv].mean),
            percent(f.sc[kv + 1].mean),
            fmt_v(f.cf[kv].mean),
            percent(f.cf[kv + 1].mean)
        );
    }
}
