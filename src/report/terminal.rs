//! The terminal summary: the answer a person can read in ten seconds.

use crate::analysis::outcomes::{EFFECT_NAMES, Results, arm_outcome_names};
use crate::analysis::stats::Summary;
use crate::model::Model;
use std::fmt::Write;

/// Formats an amount in DKK with thousands separators, e.g. `-1,706,574`.
pub fn dkk(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && out != "0" { format!("-{out}") } else { out }
}

fn pct(v: f64) -> String {
    if v.is_finite() { format!("{:.1} %", v * 100.0) } else { "n/a".into() }
}

fn num2(v: f64) -> String {
    if v.is_finite() { format!("{v:.2}") } else { "n/a".into() }
}

fn pp(v: f64) -> String {
    if v.is_finite() { format!("{:+.1} pp", v * 100.0) } else { "n/a".into() }
}

fn interval(s: &Summary, f: impl Fn(f64) -> String) -> String {
    format!("({} to {})", f(s.p05), f(s.p95))
}

/// One line of shares: both arms' means and the paired effect with its interval.
fn share_row(o: &mut String, label: &str, sc: &Summary, cf: &Summary, df: &Summary) {
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {} {}",
        label,
        pct(sc.mean),
        pct(cf.mean),
        pp(df.mean),
        interval(df, pp)
    );
}

/// The summary printed after a run.
pub fn summary(
    model: &Model,
    res: &Results,
    replications: u32,
    seed: u64,
    engine: crate::simulation::driver::Engine,
) -> String {
    let mut o = String::new();
    let names = arm_outcome_names(model);
    let k = |n: &str| names.iter().position(|x| x == n).expect("outcome name");
    let e = |n: &str| &res.effect_summaries[EFFECT_NAMES.iter().position(|x| *x == n).expect("effect name")];
    let (sc, cf, df) = (&res.arm_summaries[0], &res.arm_summaries[1], &res.arm_summaries[2]);
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
        let i = k(key);
        share_row(&mut o, label, &sc[i], &cf[i], &df[i]);
    }
    let ss = e("extra_self_supporting");
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {:+.1} {}",
        "Extra self-supporting citizens at the end",
        "",
        "",
        ss.mean,
        interval(ss, |v| format!("{v:+.1}"))
    );
    let bm = e("benefit_months_avoided");
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {:+.0} {}",
        "Benefit months avoided over the horizon",
        "",
        "",
        bm.mean,
        interval(bm, |v| format!("{v:+.0}"))
    );

    if model.staffing.as_ref().is_some_and(|s| s.capacity.is_some()) {
        let _ = writeln!(o, "Placement capacity (consultant hours; first come, first served)");
        for (label, key, digits) in [
            ("  Placements made", "placements", 0),
            ("  Mean wait for a placement, months", "mean_wait_months", 2),
            ("  Waiting list, mean over the months", "mean_waiting_list", 1),
            ("  Waiting list at the end", "waiting_list_at_horizon", 1),
        ] {
            let i = k(key);
            let f = |v: f64| if v.is_finite() { format!("{v:.digits$}") } else { "n/a".into() };
            let g = |v: f64| if v.is_finite() { format!("{v:+.digits$}") } else { "n/a".into() };
            let _ = writeln!(
                o,
                "{:<44} {:>12} {:>14}   {} {}",
                label,
                f(sc[i].mean),
                f(cf[i].mean),
                g(df[i].mean),
                interval(&df[i], g)
            );
        }
    }

    for m in crate::analysis::outcomes::target_months(model) {
        let _ = writeln!(
            o,
            "{:<44}",
            if m == 0 {
                "At the start (month 0, a target month)".to_string()
            } else {
                format!("At the end of {} (month {m}, a target month)", model.calendar(m))
            }
        );
        for (label, key) in [
            ("  Self-supporting share", format!("self_supporting_share_month_{m}")),
            ("  Employment share", format!("employment_share_month_{m}")),
        ] {
            let i = k(&key);
            share_row(&mut o, label, &sc[i], &cf[i], &df[i]);
        }
    }
    let _ = writeln!(
        o,
        "\n{:<44} {:>16} {:>16}   effect (+ = saving)",
        "Money over the horizon, DKK", "scenario", "counterfactual"
    );
    // The effect column is a saving: counterfactual − scenario for costs, and
    // scenario − counterfactual for income (grant income is good for the budget).
    let money = |o: &mut String, label: &str, key: &str, effect: Option<&str>, income: bool| {
        let i = k(key);
        let eff = match effect {
            Some(name) => {
                let s = e(name);
                format!("{} {}", dkk(s.mean), interval(s, dkk))
            }
            None if income => format!("{} {}", dkk(df[i].mean), interval(&df[i], dkk)),
            None => format!("{} ({} to {})", dkk(-df[i].mean), dkk(-df[i].p95), dkk(-df[i].p05)),
        };
        let _ = writeln!(o, "{:<44} {:>16} {:>16}   {}", label, dkk(sc[i].mean), dkk(cf[i].mean), eff);
    };
    money(&mut o, "Gross benefit", "gross_benefit", Some("gross_benefit_saving"), false);
    money(
        &mut o,
        "Municipal net benefit (after reimbursement)",
        "net_benefit",
        Some("net_benefit_saving"),
        false,
    );
    money(&mut o, "Activity costs (wage subsidy, mentor, course)", "activity_cost", None, false);
    money(&mut o, "One-off costs (establishing placements)", "one_off_cost", None, false);
    money(&mut o, "Extra staff cost", "extra_staff_cost", None, false);
    money(&mut o, "Grant income", "grant_income", None, true);
    money(&mut o, "Co-financing (extra staff not covered)", "co_financing", None, false);
    money(&mut o, "Municipal net cost, all items", "total_net_cost", Some("net_municipal_effect"), false);
    let ne = e("net_municipal_effect");
    let pv = e("net_municipal_effect_pv");
    let pos = e("net_effect_positive");
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
    let _ = writeln!(o, "  probability the scenario saves money: {}  (± {})", pct(pos.mean), pct(pos.mcse));
    let be = match res.break_even_median {
        Some(m) => format!(
            "median month {} ({}); reached within the horizon in {} of replications",
            m,
            model.calendar(m.round() as usize),
            pct(res.break_even_share)
        ),
        None => format!(
            "not reached within the horizon in most replications (reached in {})",
            pct(res.break_even_share)
        ),
    };
    let _ = writeln!(o, "  break-even: {be}");
    let rpk = e("return_per_krone");
    if rpk.n > 0 {
        let _ = writeln!(o, "  return per krone of extra staff: {} {}", num2(rpk.mean), interval(rpk, num2));
    }
    if model.budget.wider.is_some() {
        let w = e("wider_net_effect");
        let p = e("public_net_effect");
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

    if !model.targets.is_empty() {
        let _ = writeln!(o, "\n{:<52} {:>22} {:>22}", "Targets", "scenario: value, P(met)", "counterfactual");
        for (i, t) in model.targets.iter().enumerate() {
            let kv = k(&format!("target_{}_value", i + 1));
            let fmt_v = |v: f64| {
                if t.metric.unit() == "share" && !t.relative_to_start { pct(v) } else { num2(v) }
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
                fmt_v(sc[kv].mean),
                pct(sc[kv + 1].mean),
                fmt_v(cf[kv].mean),
                pct(cf[kv + 1].mean)
            );
        }
    }
    o
}
