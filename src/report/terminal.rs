//! The terminal summary: the answer a person can read in ten seconds, in English or
//! Danish.

mod money;

use crate::analysis::outcomes::Results;
use crate::analysis::stats::Summary;
use crate::input::setting::Setting;
use crate::model::Model;
use crate::report::lang::Lang;
use crate::report::words::{cohorts, condition, inner_note_in};
use crate::schema::outcomes::{TARGET_MONTH_SHARES, target_value_unit};
use crate::schema::{ArmOutcome, Effect, MonthlyMeasure as M, OutcomeLayout, Unit};
use crate::simulation::driver::Engine;
use std::fmt::Write;

/// A 90 % interval, `(a to b)` or `(a til b)`, each end written by `f`.
fn interval(lang: Lang, s: &Summary, f: impl Fn(f64) -> String) -> String {
    format!("({} {} {})", f(s.p05), lang.pick("to", "til"), f(s.p95))
}

/// The summaries the terminal reads, placed by the model's outcome layout.
struct Figures<'a> {
    lang: Lang,
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

    /// The English or the Danish text.
    fn pick<'t>(&self, en: &'t str, da: &'t str) -> &'t str {
        self.lang.pick(en, da)
    }

    /// One line of shares: both arms' means and the paired effect with its interval.
    fn share_row(&self, o: &mut String, label: &str, i: usize) {
        let l = self.lang;
        let _ = writeln!(
            o,
            "{:<44} {:>12} {:>14}   {} {}",
            label,
            l.percent(self.sc[i].mean),
            l.percent(self.cf[i].mean),
            l.percentage_points(self.df[i].mean),
            interval(l, &self.df[i], |v| l.percentage_points(v))
        );
    }
}

/// The summary printed after a run, in English.
pub fn summary(model: &Model, res: &Results, replications: u32, seed: u64, engine: Engine) -> String {
    summary_with_settings(model, res, replications, seed, engine, &[], Lang::En)
}

/// [`summary`] in `lang` of a run given `--set` arguments (`settings`), which the
/// heading names.
pub fn summary_with_settings(
    model: &Model,
    res: &Results,
    replications: u32,
    seed: u64,
    engine: Engine,
    settings: &[Setting],
    lang: Lang,
) -> String {
    let mut o = String::new();
    let figures = Figures {
        lang,
        model,
        res,
        layout: OutcomeLayout::new(model),
        sc: &res.arm_summaries[0],
        cf: &res.arm_summaries[1],
        df: &res.arm_summaries[2],
    };
    heading(&mut o, lang, model, replications, seed, engine);
    if !settings.is_empty() {
        let set: Vec<String> = settings.iter().map(|s| format!("--set {s}")).collect();
        let with = lang.pick("With values given on the command line", "Med værdier givet på kommandolinjen");
        let _ = writeln!(o, "{with}: {}\n", set.join(" "));
    }
    citizens_at_end(&mut o, &figures);
    if model.staffing.as_ref().is_some_and(|s| s.capacity.is_some()) {
        placement_capacity(&mut o, &figures);
    }
    shares_at_target_months(&mut o, &figures);
    money::money(&mut o, &figures);
    money::net_effect(&mut o, &figures);
    if !model.targets.is_empty() {
        targets(&mut o, &figures);
    }
    o
}

/// The scenario, the run, and how to read the figures.
fn heading(o: &mut String, lang: Lang, model: &Model, replications: u32, seed: u64, engine: Engine) {
    let end = model.calendar(model.horizon);
    let _ = writeln!(o, "\n{}", model.name);
    let inner = model.inner_replications.max(1);
    let cohorts = cohorts(lang, inner);
    let draws = replications / inner;
    let (months, start, size, initial) =
        (model.horizon, model.start, model.total_size(), model.initial_size());
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "{replications} replications = {draws} draws of the parameters × {cohorts} ({engine} engine), seed \
             {seed}, {months} months {start} to {end}, {size} citizens ({initial} at start)"
        ),
        Lang::Da => writeln!(
            o,
            "{replications} simuleringer = {draws} træk af parametrene × {cohorts} (motor: {engine}), seed \
             {seed}, {months} måneder {start} til {end}, {size} borgere ({initial} ved start)"
        ),
    };
    if let Some(note) = inner_note_in(lang, replications, inner) {
        let _ = writeln!(o, "({note})");
    }
    let _ = writeln!(
        o,
        "{}\n",
        lang.pick(
            "Mean (90 % interval over replications); effect = scenario against counterfactual, paired.",
            "Gennemsnit (90 %-interval over simuleringerne); effekt = scenariet mod det kontrafaktiske forløb, \
             parvis."
        )
    );
}

/// The shares of citizens at the horizon, the extra self-supporting citizens and the
/// benefit months avoided.
fn citizens_at_end(o: &mut String, f: &Figures) {
    let l = f.lang;
    let end = f.model.calendar(f.model.horizon);
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {}",
        format!("{} {end}", f.pick("At the end of", "Ved udgangen af")),
        f.pick("scenario", "scenarie"),
        f.pick("counterfactual", "kontrafaktisk"),
        f.pick("effect", "effekt"),
    );
    for (label, share) in [
        (f.pick("Self-supporting share", "Andel selvforsørgende"), M::SelfSupportingShare),
        (f.pick("Employment share", "Andel i beskæftigelse"), M::EmploymentShare),
        (f.pick("Education share", "Andel i uddannelse"), M::EducationShare),
        (f.pick("On benefit share", "Andel på ydelse"), M::BenefitShare),
        (
            f.pick("Ever left benefit for work or education", "Har forladt ydelse til job eller uddannelse"),
            M::OutflowShare,
        ),
    ] {
        f.share_row(o, label, f.layout.at_horizon(share));
    }
    let ss = f.effect(Effect::ExtraSelfSupporting);
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {} {}",
        f.pick("Extra self-supporting citizens at the end", "Ekstra selvforsørgende borgere ved slut"),
        "",
        "",
        l.signed_fixed(ss.mean, 1),
        interval(l, ss, |v| l.signed_fixed(v, 1))
    );
    let bm = f.effect(Effect::BenefitMonthsAvoided);
    let _ = writeln!(
        o,
        "{:<44} {:>12} {:>14}   {} {}",
        f.pick("Benefit months avoided over the horizon", "Sparede ydelsesmåneder i perioden"),
        "",
        "",
        l.signed_fixed(bm.mean, 0),
        interval(l, bm, |v| l.signed_fixed(v, 0))
    );
}

/// Placements, waits and the waiting list, when placements need consultant hours.
fn placement_capacity(o: &mut String, f: &Figures) {
    let l = f.lang;
    let _ = writeln!(
        o,
        "{}",
        f.pick(
            "Placement capacity (consultant hours; first come, first served)",
            "Kapacitet til pladser (konsulenttimer; først til mølle)"
        )
    );
    for (label, outcome, digits) in [
        (f.pick("  Placements made", "  Etablerede pladser"), ArmOutcome::Placements, 0),
        (
            f.pick("  Mean wait for a placement, months", "  Gns. ventetid på en plads, måneder"),
            ArmOutcome::MeanWaitMonths,
            2,
        ),
        (
            f.pick("  Waiting list, mean over the months", "  Venteliste, gns. over månederne"),
            ArmOutcome::MeanWaitingList,
            1,
        ),
        (f.pick("  Waiting list at the end", "  Venteliste ved slut"), ArmOutcome::WaitingListAtHorizon, 1),
    ] {
        let i = f.layout.at(outcome);
        let _ = writeln!(
            o,
            "{:<44} {:>12} {:>14}   {} {}",
            label,
            l.fixed(f.sc[i].mean, digits),
            l.fixed(f.cf[i].mean, digits),
            l.signed_fixed(f.df[i].mean, digits),
            interval(l, &f.df[i], |v| l.signed_fixed(v, digits))
        );
    }
}

/// The self-supporting and employment shares at each month a target looks at.
fn shares_at_target_months(o: &mut String, f: &Figures) {
    for (k, &m) in f.layout.target_months.iter().enumerate() {
        let title = match (m, f.lang) {
            (0, Lang::En) => "At the start (month 0, a target month)".to_string(),
            (0, Lang::Da) => "Ved start (måned 0, en målmåned)".to_string(),
            (m, Lang::En) => format!("At the end of {} (month {m}, a target month)", f.model.calendar(m)),
            (m, Lang::Da) => format!("Ved udgangen af {} (måned {m}, en målmåned)", f.model.calendar(m)),
        };
        let _ = writeln!(o, "{title:<44}");
        let labels = [
            f.pick("  Self-supporting share", "  Andel selvforsørgende"),
            f.pick("  Employment share", "  Andel i beskæftigelse"),
        ];
        for (label, share) in labels.iter().zip(TARGET_MONTH_SHARES) {
            f.share_row(o, label, f.layout.share_at_target_month(k, share));
        }
    }
}

/// Each target's value and probability of being met by a realised cohort, per arm.
fn targets(o: &mut String, f: &Figures) {
    let l = f.lang;
    let _ = writeln!(
        o,
        "\n{:<52} {:>22} {:>22}",
        f.pick("Targets", "Mål"),
        f.pick("scenario: value, P(met)", "scenarie: værdi, P(nået)"),
        f.pick("counterfactual", "kontrafaktisk")
    );
    let _ = writeln!(
        o,
        "{}",
        f.pick(
            "(P(met): will the actual cohort meet the target? The probability that a realised cohort meets it, \
             chance included)",
            "(P(nået): når den faktiske kohorte målet? Sandsynligheden for at en faktisk kohorte når det, \
             tilfældighed medregnet)"
        )
    );
    for (i, t) in f.model.targets.iter().enumerate() {
        let (kv, km) = (f.layout.target_value(i), f.layout.target_met(i));
        let fmt_v = |v: f64| {
            if target_value_unit(t) == Unit::Share { l.percent(v) } else { l.fixed(v, 2) }
        };
        let mut label = format!("{} ({})", t.name, condition(l, t));
        if label.chars().count() > 52 {
            let _ = writeln!(o, "{label}");
            label = String::new();
        }
        let _ = writeln!(
            o,
            "{:<52} {:>12}, {:>7} {:>12}, {:>7}",
            label,
            fmt_v(f.sc[kv].mean),
            l.percent(f.sc[km].mean),
            fmt_v(f.cf[kv].mean),
            l.percent(f.cf[km].mean)
        );
    }
}
