//! The terminal summary: the answer a person can read in ten seconds.

use crate::analysis::outcomes::Results;
use crate::analysis::stats::Summary;
use crate::analysis::uncertainty::split_of_effect;
use crate::budget::Item;
use crate::input::scenario::FundingSource;
use crate::input::setting::Setting;
use crate::model::Model;
use crate::numbers::{dkk, fixed, percent, percentage_points, signed_fixed};
use crate::schema::outcomes::{TARGET_MONTH_SHARES, target_value_unit};
use crate::schema::{ArmOutcome, Effect, MonthlyMeasure as M, OutcomeLayout, Unit};
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

/// The summaries the terminal reads, placed by the model's outcome layout.
struct Figures<'a> {
    model: &'a Model,
    res: &'a Results,
    layout: OutcomeLayout,
    /// Per outcome: the scenario arm, the counterfactual arm, and their difference.
    sc: &'a [Summary],
    cf: &'a [Summary],
    df: &'a [Summary],
}

impl Figures<'_> {
    /// The summary of an effect.
    fn effect(&self, effect: Effect) -> &Summary {
        &self.res.effect_summaries[effect as usize]
    }
}

/// The summary printed after a run.
pub fn summary(model: &Model, res: &Results, replications: u32, seed: u64, engine: Engine) -> String {
    summary_with_settings(model, res, replications, seed, engine, &[])
}

/// [`summary`] of a run given `--set` arguments (`settings`), which the heading names.
pub fn summary_with_settings(
    model: &Model,
    res: &Results,
    replications: u32,
    seed: u64,
    engine: Engine,
    settings: &[Setting],
) -> String {
    let mut o = String::new();
    let figures = Figures {
        model,
        res,
        layout: OutcomeLayout::new(model),
        sc: &res.arm_summaries[0],
        cf: &res.arm_summaries[1],
        df: &res.arm_summaries[2],
    };
    heading(&mut o, model, replications, seed, engine);
    if !settings.is_empty() {
        let set: Vec<String> = settings.iter().map(|s| format!("--set {s}")).collect();
        let _ = writeln!(o, "With values given on the command line: {}\n", set.join(" "));
    }
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
    let inner = model.inner_replications.max(1);
    let cohorts = if inner == 1 { "1 cohort".to_string() } else { format!("{inner} cohorts") };
    let _ = writeln!(
        o,
        "{} replications = {} draws of the parameters × {} ({} engine), seed {}, {} months {} to {}, {} citizens ({} at start)",
        replications,
        replications / inner,
        cohorts,
        engine,
        seed,
        model.horizon,
        model.start,
        end,
        model.total_size(),
        model.initial_size()
    );
    if let Some(note) = crate::input::scenario::inner_note(replications, inner) {
        let _ = writeln!(o, "({note})");
    }
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
    for (label, share) in [
        ("Self-supporting share / Selvforsørgende", M::SelfSupportingShare),
        ("Employment share / Beskæftigede", M::EmploymentShare),
        ("Education share / I uddannelse", M::EducationShare),
        ("On benefit share / På ydelse", M::BenefitShare),
        ("Ever left benefit for work or education", M::OutflowShare),
    ] {
        let i = f.layout.at_horizon(share);
        share_row(o, label, &f.sc[i], &f.cf[i], &f.df[i]);
    }
    let ss = f.effect(Effect::ExtraSelfSupporting);
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {:+.1} {}",
        "Extra self-supporting citizens at the end",
        "",
        "",
        ss.mean,
        interval(ss, |v| format!("{v:+.1}"))
    );
    let bm = f.effect(Effect::BenefitMonthsAvoided);
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
    for (label, outcome, digits) in [
        ("  Placements made", ArmOutcome::Placements, 0),
        ("  Mean wait for a placement, months", ArmOutcome::MeanWaitMonths, 2),
        ("  Waiting list, mean over the months", ArmOutcome::MeanWaitingList, 1),
        ("  Waiting list at the end", ArmOutcome::WaitingListAtHorizon, 1),
    ] {
        let i = f.layout.at(outcome);
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
    for (k, &m) in f.layout.target_months.iter().enumerate() {
        let _ = writeln!(
            o,
            "{:<44}",
            if m == 0 {
                "At the start (month 0, a target month)".to_string()
            } else {
                format!("At the end of {} (month {m}, a target month)", f.model.calendar(m))
            }
        );
        for (label, share) in
            ["  Self-supporting share", "  Employment share"].iter().zip(TARGET_MONTH_SHARES)
        {
            let i = f.layout.share_at_target_month(k, share);
            share_row(o, label, &f.sc[i], &f.cf[i], &f.df[i]);
        }
    }
}

/// What the effect column of a money line shows.
#[derive(Clone, Copy)]
enum Column {
    /// The named effect (a saving, + = good).
    Effect(Effect),
    /// A cost: counterfactual − scenario.
    Cost,
    /// Income: scenario − counterfactual.
    Income,
    /// No effect of its own: a note instead.
    Note(&'static str),
}

/// Each budget item over the horizon per arm, and what the scenario saves on it; the
/// funding lines say whose money pays for the extra staff.
fn money(o: &mut String, f: &Figures) {
    let _ = writeln!(
        o,
        "\n{:<44} {:>16} {:>16}   effect (+ = saving)",
        "Money over the horizon, DKK", "scenario", "counterfactual"
    );
    let (sc, cf, df) = (f.sc, f.cf, f.df);
    let row = |o: &mut String, label: &str, item: Item, column: Column| {
        let i = f.layout.item(item);
        let eff = match column {
            Column::Effect(effect) => {
                let s = f.effect(effect);
                format!("{} {}", dkk(s.mean), interval(s, dkk))
            }
            Column::Income => format!("{} {}", dkk(df[i].mean), interval(&df[i], dkk)),
            Column::Cost => format!("{} ({} to {})", dkk(-df[i].mean), dkk(-df[i].p95), dkk(-df[i].p05)),
            Column::Note(note) => note.to_string(),
        };
        let _ = writeln!(o, "{:<44} {:>16} {:>16}   {}", label, dkk(sc[i].mean), dkk(cf[i].mean), eff);
    };
    let has = |source: FundingSource| f.model.grants.iter().any(|g| g.funding == source);
    row(o, "Gross benefit", Item::GrossBenefit, Column::Effect(Effect::GrossBenefitSaving));
    row(
        o,
        "Municipal net benefit (after reimbursement)",
        Item::NetBenefit,
        Column::Effect(Effect::NetBenefitSaving),
    );
    let b = &f.model.budget;
    if b.paid_benefit_share.iter().any(Option::is_some) {
        row(
            o,
            "  benefit offset by earnings (not paid)",
            Item::EarningsOffset,
            Column::Note("already out of the gross benefit"),
        );
    }
    row(o, "Activity costs (wage subsidy, mentor, course)", Item::ActivityCost, Column::Cost);
    if b.education_cost.iter().any(Option::is_some) {
        row(o, "Education the municipality co-pays (net)", Item::EducationCost, Column::Cost);
    }
    row(o, "One-off costs (establishing placements)", Item::OneOffCost, Column::Cost);
    let cuts = has_cuts(f.model);
    if cuts {
        row(o, "Extra staff cost (cuts: negative, a saving)", Item::ExtraStaffCost, Column::Cost);
    } else {
        row(o, "Extra staff cost", Item::ExtraStaffCost, Column::Cost);
    }
    row(o, "External grant income", Item::GrantIncome, Column::Income);
    if b.result_grant.is_some() {
        row(o, "State result grants (per citizen)", Item::ResultGrant, Column::Income);
    }
    if cuts {
        row(o, "Co-financing (cuts: negative, the saving)", Item::CoFinancing, Column::Cost);
    } else {
        row(o, "Co-financing (staff cost grants don't cover)", Item::CoFinancing, Column::Cost);
    }
    if has(FundingSource::OwnFunds) {
        row(
            o,
            "  of which own funds moved between years",
            Item::OwnFunds,
            Column::Note("municipal money, not income: in the staff cost"),
        );
    }
    if has(FundingSource::InKind) {
        row(
            o,
            "In-kind co-financing (existing staff)",
            Item::InKind,
            Column::Note("paid in both arms: not in the net cost"),
        );
        row(
            o,
            "Municipal contribution (cash + in kind)",
            Item::MunicipalContribution,
            Column::Note("co-financing + in kind"),
        );
    }
    row(o, "Municipal net cost, all items", Item::TotalNetCost, Column::Effect(Effect::NetMunicipalEffect));
    saving_split(o, f);
}

/// The net benefit saving in words: how much comes from fewer benefit months and how
/// much from the state reimbursing a different share of the benefit still paid.
fn saving_split(o: &mut String, f: &Figures) {
    let net = f.effect(Effect::NetBenefitSaving).mean;
    let months = f.effect(Effect::NetBenefitSavingFromMonths).mean;
    let share = f.effect(Effect::NetBenefitSavingFromShare).mean;
    if net == 0.0 && share == 0.0 {
        return;
    }
    let part = |x: f64| if net != 0.0 { format!(" ({})", percent(x / net)) } else { String::new() };
    let _ = writeln!(
        o,
        "Of the net benefit saving of {} DKK, {} DKK{} comes from fewer benefit months and {} DKK{} from the state reimbursing {} share of the benefit still paid{}.",
        dkk(net),
        dkk(months),
        part(months),
        dkk(share),
        part(share),
        if share >= 0.0 { "a higher" } else { "a lower" },
        share_reason(f.model, share >= 0.0)
    );
}

/// Whether any hire is a cut (negative FTE): the staff cost items are then savings.
fn has_cuts(model: &Model) -> bool {
    model.staffing.as_ref().is_some_and(|s| s.hires.iter().any(|h| h.fte < 0.0))
}

/// The net municipal effect with its present value, the probability of a saving, the
/// break-even month, the return per krone and, when asked for, the wider effects.
fn net_effect(o: &mut String, f: &Figures) {
    let (model, res) = (f.model, f.res);
    let ne = f.effect(Effect::NetMunicipalEffect);
    let pv = f.effect(Effect::NetMunicipalEffectPv);
    let pos = f.effect(Effect::NetEffectPositive);
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
    expected_net_effect(o, f);
    let _ = writeln!(
        o,
        "  probability that a realised cohort saves money: {}  (± {})",
        percent(pos.mean),
        percent(pos.mcse)
    );
    if has_cuts(model) {
        let _ = writeln!(
            o,
            "  the scenario cuts staff: a positive effect is staff cost saved beyond the benefit and activity\n  \
             costs the cut adds; a negative number of extra self-supporting citizens is citizens the cut keeps\n  \
             on benefit"
        );
    }
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
    if model.grants.iter().any(|g| g.funding == FundingSource::External) {
        let _ =
            writeln!(o, "    (measured with grant income counted only as it pays for the hires it funds)");
    }
    if res.positive_by_grant_surplus_share > 0.0 {
        let _ = writeln!(
            o,
            "    in {} of replications the net effect is positive only because of grant money beyond the cost of the hires it funds: no break-even month",
            percent(res.positive_by_grant_surplus_share)
        );
    }
    let rpk = f.effect(Effect::ReturnPerKrone);
    if rpk.n > 0 {
        let two = |v| fixed(v, 2);
        let _ = writeln!(o, "  return per krone of extra staff: {} {}", two(rpk.mean), interval(rpk, two));
    }
    if model.budget.wider.is_some() {
        let w = f.effect(Effect::WiderNetEffect);
        let p = f.effect(Effect::PublicNetEffect);
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

/// The decision figure, the probability that the expected net municipal effect is
/// favourable given what we don't know, with the expected effect's interval over the
/// parameters and the spread a cohort shows by chance; with one cohort per parameter
/// draw, a line saying that the split cannot be estimated and how to get it.
fn expected_net_effect(o: &mut String, f: &Figures) {
    match split_of_effect(f.model, f.res, Effect::NetMunicipalEffect) {
        Some(s) => {
            let _ = writeln!(
                o,
                "  probability that the expected net municipal effect is favourable: {}",
                percent(s.probability_expected_positive)
            );
            if s.within_chance(f.model.parameters.sampled().next().is_some()) {
                let _ = writeln!(
                    o,
                    "    how sure we are about the policy: expected effect {} DKK; at this size the draws of the \
                     parameters spread it no more than chance does, so the interval over what we don't know \
                     cannot be told apart (run more replications)",
                    dkk(s.expected)
                );
            } else {
                let _ = writeln!(
                    o,
                    "    how sure we are about the policy: expected effect {} DKK, 90 % interval over what we don't \
                     know (the parameters) {} to {} DKK",
                    dkk(s.expected),
                    dkk(s.expected_p05),
                    dkk(s.expected_p95)
                );
            }
            let _ = writeln!(
                o,
                "    how much a cohort of this size wobbles: by chance alone it lands ± {} DKK (s.d.) around its \
                 expected effect; the parameters give {} of the variance",
                dkk(s.chance_sd),
                percent(s.parameter_share)
            );
        }
        None => {
            let _ = writeln!(
                o,
                "  probability that the expected net municipal effect is favourable: not estimable with one cohort\n    \
                 per parameter draw (run with -n a multiple of 5, e.g. -n 1000, to tell what we don't know apart from chance)"
            );
        }
    }
}

/// Why the reimbursement share of the benefit still paid differs between the arms, in
/// the words of the regimes of the scenario.
fn share_reason(model: &crate::model::Model, higher: bool) -> &'static str {
    use crate::budget::Reimbursement as R;
    let b = &model.budget;
    let regimes: Vec<&R> =
        std::iter::once(&b.reimbursement).chain(b.reimbursement_changes.iter().map(|c| &c.regime)).collect();
    let pre = regimes.iter().any(|r| matches!(r, R::Pre2016 { .. }));
    let staircase = regimes.iter().any(|r| matches!(r, R::Staircase2016 { .. }));
    match (pre, staircase, higher) {
        (true, false, true) => {
            " (more of it goes to citizens in activation, reimbursed at the higher active rate)"
        }
        (true, false, false) => {
            " (less of it goes to citizens in activation, reimbursed at the higher active rate)"
        }
        (false, true, true) => {
            " (more of it falls in the early months of the staircase, reimbursed at higher rates)"
        }
        (false, true, false) => {
            " (more of it falls in the long-term months of the staircase, reimbursed at lower rates)"
        }
        (true, true, _) => " (by activation before the change of regime, by months on benefit after it)",
        (false, false, _) => "",
    }
}

/// Each target's value and probability of being met by a realised cohort, per arm.
fn targets(o: &mut String, f: &Figures) {
    let _ = writeln!(o, "\n{:<52} {:>22} {:>22}", "Targets", "scenario: value, P(met)", "counterfactual");
    let _ = writeln!(
        o,
        "(P(met): will the actual cohort meet the target? The probability that a realised cohort meets it, chance included)"
    );
    for (i, t) in f.model.targets.iter().enumerate() {
        let (kv, km) = (f.layout.target_value(i), f.layout.target_met(i));
        let fmt_v = |v: f64| {
            if target_value_unit(t) == Unit::Share { percent(v) } else { fixed(v, 2) }
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
            percent(f.sc[km].mean),
            fmt_v(f.cf[kv].mean),
            percent(f.cf[km].mean)
        );
    }
}
