//! The terminal table of `trappe compare`: options side by side on one baseline, in
//! English or Danish.

use super::{Column, arm_of, columns, outcome_index, parameters_vary, values};
use crate::analysis::comparison_run::{ComparisonRun, ParameterValue, Unestimable};
use crate::analysis::decision::{DrawValues, EvppiError, Valued};
use crate::analysis::regression::FitError;
use crate::analysis::stats::Summary;
use crate::analysis::uncertainty::{Split, split_of_effect};
use crate::budget::Item;
use crate::report::lang::Lang;
use crate::report::words::{inner_note_in, value_sentence};
use crate::schema::outcomes::target_value_unit;
use crate::schema::{Effect, MonthlyMeasure, OutcomeColumn, OutcomeLayout, Unit};
use std::fmt::Write;

/// The width of the labels.
const LABEL_WIDTH: usize = 46;

/// The table being written: the run, its columns and their width, and the language.
struct Table<'a> {
    run: &'a ComparisonRun,
    lang: Lang,
    cols: Vec<Column>,
    width: usize,
}

impl Table<'_> {
    /// The English or the Danish text.
    fn pick<'t>(&self, en: &'t str, da: &'t str) -> &'t str {
        self.lang.pick(en, da)
    }

    /// A column's name: an option's, or the baseline's in the language.
    fn name(&self, c: Column) -> String {
        match c {
            Column::Baseline => self.pick("baseline", "basislinje").to_string(),
            Column::Option(i) => self.run.options[i].name.clone(),
        }
    }

    /// The header line: the columns' names.
    fn header(&self, o: &mut String) {
        let w = self.width;
        let _ = write!(o, "{:<LABEL_WIDTH$}", "");
        for &c in &self.cols {
            let _ = write!(o, " {:>w$}", self.name(c));
        }
        let _ = writeln!(o);
    }

    /// A row: the label, then each column's cell.
    fn row(&self, o: &mut String, label: &str, cell: &dyn Fn(Column) -> String) {
        let w = self.width;
        let _ = write!(o, "{label:<LABEL_WIDTH$}");
        for &c in &self.cols {
            let _ = write!(o, " {:>w$}", cell(c));
        }
        let _ = writeln!(o);
    }

    /// An effect's summary in an option's column; none in the baseline's.
    fn effect(&self, c: Column, e: Effect) -> Option<Summary> {
        match c {
            Column::Baseline => None,
            Column::Option(i) => Some(self.run.options[i].results.effect_summaries[e as usize]),
        }
    }

    /// An effect's split into what we don't know and chance, in an option's column.
    fn split_of(&self, c: Column, e: Effect) -> Option<Split> {
        match c {
            Column::Baseline => None,
            Column::Option(i) => split_of_effect(&self.run.options[i].model, &self.run.options[i].results, e),
        }
    }

    /// The interval over what we don't know, or, where the parameters vary but the
    /// spread of the draws' means is no wider than chance alone would make it (the between
    /// variance estimated at 0), a note saying so rather than an interval of no width.
    fn over_parameters(&self, s: &Split) -> String {
        if s.within_chance(parameters_vary(&self.run.options[0])) {
            self.pick("within chance", "inden for tilfældighed").to_string()
        } else {
            let l = self.lang;
            format!("{} {} {}", l.amount(s.expected_p05), l.pick("to", "til"), l.amount(s.expected_p95))
        }
    }
}

/// A cell with nothing in it.
fn dash() -> String {
    "–".to_string()
}

/// The terminal table in `lang`: options side by side on one baseline.
pub fn terminal(run: &ComparisonRun, lang: Lang) -> String {
    let cols = columns(run);
    let longest = cols.iter().map(|&c| match c {
        Column::Baseline => lang.pick("baseline", "basislinje").chars().count(),
        Column::Option(i) => run.options[i].name.chars().count(),
    });
    let width = longest.max().unwrap_or(8).max(22);
    let t = Table { run, lang, cols, width };
    let mut o = String::new();
    heading(&mut o, &t);
    outcomes(&mut o, &t);
    net_effect(&mut o, &t);
    against_next_cheaper(&mut o, &t);
    which_is_best(&mut o, &t);
    if run.acceptability.len() > 1 {
        acceptability(&mut o, &t);
    }
    parameter_values(&mut o, run, lang);
    if !run.options[0].model.targets.is_empty() {
        targets(&mut o, &t);
    }
    budget_years(&mut o, &t);
    let _ = writeln!(
        o,
        "\n{}",
        t.pick(
            "Expected and its interval over what we don't know: how sure we are about the option; chance and \
             P(a realised cohort saves): how much one cohort of this size wobbles; P(met): whether the actual \
             cohort meets the target.",
            "Forventet og dens interval over hvad vi ikke ved: hvor sikre vi er på muligheden; tilfældighed og \
             P(en faktisk kohorte sparer): hvor meget én kohorte af denne størrelse svinger; P(nået): om den \
             faktiske kohorte når målet."
        )
    );
    o
}

/// The run and how to read the table, and the options' files.
fn heading(o: &mut String, t: &Table) {
    let (run, l) = (t.run, t.lang);
    let first = &run.options[0];
    let (n, inner) = (run.replications, run.inner_replications);
    let outer = n / inner.max(1);
    let (seed, engine, months, start, size) =
        (run.seed, run.engine.name(), first.model.horizon, first.model.start, first.model.total_size());
    let _ = match l {
        Lang::En => writeln!(
            o,
            "\nOptions on one baseline\n{n} replications ({outer} outer draws of the parameters × {inner} cohorts), \
             seed {seed}, {engine} engine, {months} months from {start}, {size} citizens"
        ),
        Lang::Da => writeln!(
            o,
            "\nMuligheder på én fælles basislinje\n{n} simuleringer ({outer} ydre træk af parametrene × {inner} \
             kohorter), seed {seed}, motor: {engine}, {months} måneder fra {start}, {size} borgere"
        ),
    };
    if run.inner_note.is_some()
        && let Some(note) = inner_note_in(l, n, inner)
    {
        let _ = writeln!(o, "({note})");
    }
    let _ = writeln!(
        o,
        "{}\n",
        t.pick(
            "Every option on the same cohort, parameter draws and random numbers; the baseline is the \
             counterfactual they share (no extra staff, no grants).\nColumns from the cheapest to the dearest; \
             effects are paired differences from the baseline: mean (90 % interval).",
            "Alle muligheder på samme kohorte, træk af parametrene og tilfældige tal; basislinjen er det \
             kontrafaktiske forløb de deler (intet ekstra personale, ingen tilskud).\nKolonner fra den billigste \
             til den dyreste; effekter er parvise forskelle fra basislinjen: gennemsnit (90 %-interval)."
        )
    );
    let names_differ = run.options.iter().any(|x| x.model.name != first.model.name);
    for opt in &run.options {
        let _ = write!(o, "  {}: {}", opt.name, opt.scenario.path);
        if names_differ {
            let _ = write!(o, " ({})", opt.model.name);
        }
        let _ = writeln!(o);
    }
    if !names_differ {
        let _ = writeln!(o, "  {}: {}", t.pick("scenario", "scenarie"), first.model.name);
    }
    let _ = writeln!(o);
    t.header(o);
}

/// The staff cost, the shares at the end, the extra self-supporting citizens and the
/// net benefit saving.
fn outcomes(o: &mut String, t: &Table) {
    let (run, l) = (t.run, t.lang);
    let first = &run.options[0];
    t.row(
        o,
        t.pick("Extra staff cost over the horizon (DKK)", "Ekstra personaleudgift i perioden (kr.)"),
        &|c| match c {
            Column::Baseline => "0".into(),
            Column::Option(i) => l.amount(run.comparison.options[i].extra_staff_cost.mean),
        },
    );
    for (label, measure) in [
        (
            t.pick("Self-supporting at the end", "Selvforsørgende ved slut"),
            MonthlyMeasure::SelfSupportingShare,
        ),
        (t.pick("In employment at the end", "I beskæftigelse ved slut"), MonthlyMeasure::EmploymentShare),
    ] {
        t.row(o, label, &|c| {
            let (res, a) = arm_of(run, c);
            outcome_index(first, OutcomeColumn::AtHorizon(measure))
                .map(|k| l.percent(res.arm_summaries[a][k].mean))
                .unwrap_or_else(dash)
        });
    }
    t.row(o, t.pick("Extra self-supporting citizens", "Ekstra selvforsørgende borgere"), &|c| {
        t.effect(c, Effect::ExtraSelfSupporting)
            .map(|s| {
                let f = |v| l.signed_fixed(v, 1);
                format!("{} ({} {} {})", f(s.mean), f(s.p05), l.pick("to", "til"), f(s.p95))
            })
            .unwrap_or_else(dash)
    });
    t.row(o, t.pick("Net benefit saving (DKK)", "Besparelse på nettoydelse (kr.)"), &|c| {
        t.effect(c, Effect::NetBenefitSaving).map(|s| l.amount(s.mean)).unwrap_or_else(dash)
    });
}

/// The net municipal effect: expected, over what we don't know, by chance, and the
/// probabilities of a saving.
fn net_effect(o: &mut String, t: &Table) {
    let (run, l) = (t.run, t.lang);
    let _ = writeln!(
        o,
        "\n{}",
        t.pick(
            "Net municipal effect (DKK; positive: the municipality saves)",
            "Nettoeffekt for kommunen (kr.; positiv: kommunen sparer)"
        )
    );
    t.row(o, t.pick("  expected", "  forventet"), &|c| match c {
        Column::Baseline => dash(),
        Column::Option(i) => {
            l.amount(run.options[i].results.effect_summaries[Effect::NetMunicipalEffect as usize].mean)
        }
    });
    t.row(o, t.pick("  90 % over what we don't know", "  90 % over hvad vi ikke ved"), &|c| {
        t.split_of(c, Effect::NetMunicipalEffect).map(|s| t.over_parameters(&s)).unwrap_or_else(dash)
    });
    t.row(
        o,
        t.pick("  chance: sd of one cohort around it", "  tilfældighed: sd for én kohorte omkring"),
        &|c| t.split_of(c, Effect::NetMunicipalEffect).map(|s| l.amount(s.chance_sd)).unwrap_or_else(dash),
    );
    t.row(o, t.pick("  P(expected effect favourable)", "  P(forventet effekt gunstig)"), &|c| {
        t.split_of(c, Effect::NetMunicipalEffect)
            .map(|s| l.percent(s.probability_expected_positive))
            .unwrap_or_else(dash)
    });
    t.row(o, t.pick("  P(a realised cohort saves)", "  P(en faktisk kohorte sparer)"), &|c| {
        t.effect(c, Effect::NetEffectPositive).map(|s| l.percent(s.mean)).unwrap_or_else(dash)
    });
    t.row(
        o,
        t.pick("Extra staff cost per extra self-supporting", "Personaleudgift pr. ekstra selvforsørgende"),
        &|c| t.effect(c, Effect::CostPerExtraSelfSupporting).map(|s| l.amount(s.mean)).unwrap_or_else(dash),
    );
}

/// Each option against the next cheaper one.
fn against_next_cheaper(o: &mut String, t: &Table) {
    let (run, l) = (t.run, t.lang);
    let _ = writeln!(
        o,
        "\n{}",
        t.pick(
            "Against the next cheaper (the column to the left)",
            "Mod den næstbilligste (kolonnen til venstre)"
        )
    );
    let versus = |c: Column| match c {
        Column::Baseline => None,
        Column::Option(i) => Some(&run.comparison.options[i]),
    };
    t.row(o, t.pick("  set against", "  sammenlignet med"), &|c| {
        versus(c)
            .map(|v| v.next_cheaper.map_or_else(|| t.name(Column::Baseline), |j| run.options[j].name.clone()))
            .unwrap_or_else(dash)
    });
    t.row(o, t.pick("  extra self-supporting citizens", "  ekstra selvforsørgende borgere"), &|c| {
        versus(c).map(|v| l.signed_fixed(v.versus.extra_self_supporting.mean, 1)).unwrap_or_else(dash)
    });
    t.row(o, t.pick("  net municipal effect, expected", "  nettoeffekt for kommunen, forventet"), &|c| {
        versus(c).map(|v| l.amount(v.versus.net_municipal_effect.mean)).unwrap_or_else(dash)
    });
    t.row(o, t.pick("  90 % over what we don't know", "  90 % over hvad vi ikke ved"), &|c| {
        versus(c)
            .and_then(|v| v.versus.net_municipal_effect_split)
            .map(|s| t.over_parameters(&s))
            .unwrap_or_else(dash)
    });
    t.row(
        o,
        t.pick(
            "  extra staff cost per extra self-supporting",
            "  personaleudgift pr. ekstra selvforsørgende",
        ),
        &|c| versus(c).map(|v| l.amount(v.versus.cost_per_extra_self_supporting)).unwrap_or_else(dash),
    );
}

/// The probability that each column is best.
fn which_is_best(o: &mut String, t: &Table) {
    let (run, l) = (t.run, t.lang);
    let _ = writeln!(
        o,
        "\n{}",
        t.pick(
            "Which is best (highest net municipal effect, the baseline counting 0)",
            "Hvilken er bedst (højeste nettoeffekt for kommunen; basislinjen tæller 0)"
        )
    );
    t.row(o, t.pick("  P(best), over what we don't know", "  P(bedst), over hvad vi ikke ved"), &|c| {
        let p = match c {
            Column::Baseline => run.comparison.baseline_best,
            Column::Option(i) => run.comparison.options[i].best,
        };
        p.map(|p| l.percent(p)).unwrap_or_else(dash)
    });
    t.row(o, t.pick("  P(best), realised cohorts", "  P(bedst), faktiske kohorter"), &|c| {
        l.percent(match c {
            Column::Baseline => run.comparison.baseline_best_realised,
            Column::Option(i) => run.comparison.options[i].best_realised,
        })
    });
}

/// The acceptability curve at five prices, and the value of perfect information.
fn acceptability(o: &mut String, t: &Table) {
    let (run, l) = (t.run, t.lang);
    let basis = match run.draw_values {
        DrawValues::ShrunkMeans => t.pick("over what we don't know", "over hvad vi ikke ved"),
        DrawValues::PerReplication(_) => t.pick(
            "over realised cohorts (chance included: one cohort per draw)",
            "over faktiske kohorter (tilfældighed medregnet: én kohorte pr. træk)",
        ),
    };
    let _ = match l {
        Lang::En => writeln!(
            o,
            "\nWhich is best if each extra self-supporting citizen is worth a price (DKK) on top of the net \
             municipal effect, P(best) {basis}"
        ),
        Lang::Da => writeln!(
            o,
            "\nHvilken er bedst, hvis hver ekstra selvforsørgende borger er en pris (kr.) værd oven i \
             nettoeffekten for kommunen, P(bedst) {basis}"
        ),
    };
    let n = run.acceptability.len();
    let picks: Vec<usize> = (0..5).map(|k| k * (n - 1) / 4).collect();
    for &k in &picks {
        let (a, _) = &run.acceptability[k];
        let label = match l {
            Lang::En => format!("  at {} per citizen", l.amount(a.wtp)),
            Lang::Da => format!("  ved {} pr. borger", l.amount(a.wtp)),
        };
        t.row(o, &label, &|c| {
            l.percent(match c {
                Column::Baseline => a.baseline,
                Column::Option(i) => a.options[i],
            })
        });
    }
    let values: Vec<String> = picks
        .iter()
        .map(|&k| {
            let (a, v) = &run.acceptability[k];
            format!("{} {} {}", l.amount(v.value), t.pick("at", "ved"), l.amount(a.wtp))
        })
        .collect();
    let _ = writeln!(
        o,
        "  {}: {}",
        t.pick(
            "Knowing every uncertain parameter before choosing would be worth up to (DKK, expected value of \
             perfect information)",
            "At kende alle usikre parametre før valget ville være op til (kr., forventet værdi af fuldstændig \
             information)"
        ),
        values.join("; ")
    );
}

/// Each target's value and the probability that the realised cohort meets it.
fn targets(o: &mut String, t: &Table) {
    let (run, l) = (t.run, t.lang);
    let first = &run.options[0];
    let _ = writeln!(
        o,
        "\n{}",
        t.pick(
            "Targets: value, and P(met) by the realised cohort",
            "Mål: værdi, og P(nået) af den faktiske kohorte"
        )
    );
    let layout = OutcomeLayout::new(&first.model);
    for (t_i, target) in first.model.targets.iter().enumerate() {
        let (kv, km) = (layout.target_value(t_i), layout.target_met(t_i));
        let mut label = format!("  {}", target.name);
        if label.chars().count() > LABEL_WIDTH {
            let _ = writeln!(o, "{label}");
            label = String::new();
        }
        t.row(o, &label, &|c| {
            let (res, a) = arm_of(run, c);
            let v = res.arm_summaries[a][kv].mean;
            let v = if target_value_unit(target) == Unit::Share { l.percent(v) } else { l.fixed(v, 2) };
            format!("{v}, {}", l.percent(res.arm_summaries[a][km].mean))
        });
    }
}

/// The net municipal effect of each option by budget year.
fn budget_years(o: &mut String, t: &Table) {
    let (run, l) = (t.run, t.lang);
    let first = &run.options[0];
    let years = &first.results.reps.first().map(|r| r.budget[0].years.clone()).unwrap_or_default();
    if years.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\n{}",
        t.pick(
            "Net municipal effect by budget year (DKK, mean)",
            "Nettoeffekt for kommunen pr. budgetår (kr., gennemsnit)"
        )
    );
    let tot = Item::TotalNetCost as usize;
    for (y, year) in years.iter().enumerate() {
        t.row(o, &format!("  {year}"), &|c| match c {
            Column::Baseline => dash(),
            Column::Option(i) => {
                let v = values(&run.options[i].results, |r| {
                    r.budget[1].values[y][tot] - r.budget[0].values[y][tot]
                });
                l.amount(Summary::of(&v).mean)
            }
        });
    }
}

/// The parameters worth a study: at each price of the value of information, the five
/// with the largest value above their noise floor, in plain sentences.
pub(crate) fn parameter_values(o: &mut String, run: &ComparisonRun, lang: Lang) {
    let mut prices: Vec<f64> = run.parameter_values.iter().map(|p| p.wtp).collect();
    prices.dedup();
    if prices.is_empty() {
        return;
    }
    let draws = run.decision_draws;
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "\nWhich assumption is worth a study (expected value of partial perfect information over {draws} \
             draws; counted only above what the same parameter shows with its draws shuffled)"
        ),
        Lang::Da => writeln!(
            o,
            "\nHvilken antagelse er en undersøgelse værd (forventet værdi af fuldstændig information om den ene \
             parameter over {draws} træk; kun talt med over hvad samme parameter viser med trækkene blandet)"
        ),
    };
    for wtp in prices {
        let at: Vec<&ParameterValue> = run.parameter_values.iter().filter(|p| p.wtp == wtp).collect();
        if let Some(e) = at.iter().find_map(|p| p.value.as_ref().err()) {
            let _ = writeln!(o, "  {}", unestimable(lang, e));
            return;
        }
        let mut standing: Vec<(&str, f64)> = at
            .iter()
            .filter_map(|p| p.value.as_ref().ok().map(|(v, floor)| (p.key.as_str(), v.value, *floor)))
            .filter(|(_, v, floor)| v > floor && lang.amount(*v) != "0")
            .map(|(k, v, _)| (k, v))
            .collect();
        standing.sort_by(|a, b| b.1.total_cmp(&a.1));
        if standing.is_empty() {
            let _ = match (wtp == 0.0, lang) {
                (true, Lang::En) => writeln!(
                    o,
                    "  on the net municipal effect alone: no single parameter's value stands out from the noise \
                     of this many draws"
                ),
                (false, Lang::En) => writeln!(
                    o,
                    "  at {} per extra self-supporting citizen: no single parameter's value stands out from the \
                     noise of this many draws",
                    lang.dkk(wtp)
                ),
                (true, Lang::Da) => writeln!(
                    o,
                    "  alene på nettoeffekten for kommunen: ingen enkelt parameters værdi skiller sig ud fra støjen \
                     ved så mange træk"
                ),
                (false, Lang::Da) => writeln!(
                    o,
                    "  ved {} pr. ekstra selvforsørgende borger: ingen enkelt parameters værdi skiller sig ud fra \
                     støjen ved så mange træk",
                    lang.dkk(wtp)
                ),
            };
        }
        for (key, v) in standing.into_iter().take(5) {
            let sentence = value_sentence(lang, &format!("`{key}`"), v, Valued::ExtraSelfSupporting, wtp);
            let _ = writeln!(o, "  {sentence}");
        }
    }
}

/// Why the value of information could not be estimated, in words.
fn unestimable(lang: Lang, e: &Unestimable) -> String {
    match (lang, e) {
        (Lang::En, e) => format!("not estimable: {e}"),
        (Lang::Da, Unestimable::NotSampledEverywhere) => {
            "kan ikke beregnes: ikke en usikker parameter i alle muligheder".into()
        }
        (
            Lang::Da,
            Unestimable::Evppi(EvppiError::Fit(FitError::TooFewRows { rows, parameters, needed })),
        ) => format!(
            "kan ikke beregnes: {rows} ydre træk er for få: en regression på {parameters} parameter(e) kræver \
             mindst {needed}"
        ),
        (Lang::Da, Unestimable::Evppi(EvppiError::Fit(FitError::GroupTooLarge { parameters }))) => format!(
            "kan ikke beregnes: en gruppe på {parameters} parametre er flere end de {} en regression kan tage",
            crate::analysis::regression::MAX_GROUP
        ),
        (Lang::Da, Unestimable::Evppi(e)) => format!("kan ikke beregnes (intern fejl: {e})"),
    }
}
