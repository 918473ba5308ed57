//! The terminal summary of a sweep: the levels down, a few key columns, and the answers
//! in sentences (the best level, and the smallest level that meets each target), in
//! English or Danish.

use super::{SweepCell, SweepSpec};
use crate::analysis::stats::Summary;
use crate::analysis::sweep::{Measure, best_level, smallest_level_meeting};
use crate::input::scenario::LoadedScenario;
use crate::input::vary::Vary;
use crate::model::Model;
use crate::report::lang::Lang;
use crate::report::words::condition;
use std::fmt::Write;

/// The summary printed after a sweep, in `lang`.
pub fn summary(
    model: &Model,
    sc: &LoadedScenario,
    spec: &SweepSpec,
    cells: &[SweepCell],
    lang: Lang,
) -> String {
    let mut o = String::new();
    heading(&mut o, lang, model, sc, spec);
    let blocks = blocks(lang, spec, cells);
    main_table(&mut o, lang, spec, &blocks);
    if spec.inner_replications > 1 {
        expected_table(&mut o, lang, spec, &blocks, model.parameters.sampled().next().is_some());
    }
    if !model.targets.is_empty() {
        targets_table(&mut o, lang, model, spec, &blocks);
    }
    let _ = writeln!(o);
    let mut answers = String::new();
    best_sentence(&mut answers, lang, spec, cells);
    for (t, target) in model.targets.iter().enumerate() {
        target_sentences(
            &mut answers,
            lang,
            spec,
            &blocks,
            t,
            &format!("{} ({})", target.name, condition(lang, target)),
        );
    }
    if cells.iter().any(|c| c.cuts) {
        let _ = writeln!(
            answers,
            "{}",
            lang.pick(
                "Levels with a negative fte cut staff: there a positive net effect is staff cost saved beyond the \
                 benefit and activity costs the cut adds, and negative extra self-supporting citizens are citizens \
                 the cut keeps on benefit.",
                "Niveauer med negativt antal årsværk skærer i personalet: der er en positiv nettoeffekt sparet \
                 personaleudgift ud over de ydelses- og aktiveringsudgifter nedskæringen medfører, og negative \
                 ekstra selvforsørgende borgere er borgere nedskæringen holder på ydelse."
            )
        );
    }
    for line in answers.lines() {
        wrap(&mut o, line, WIDTH);
    }
    o
}

/// The width the sentences are wrapped to.
const WIDTH: usize = 104;

/// `line` wrapped at spaces to lines of at most `width` characters (a longer word stays
/// whole), continuation lines indented as the line is, plus two.
fn wrap(o: &mut String, line: &str, width: usize) {
    let indent = line.len() - line.trim_start().len();
    let mut current = String::new();
    let mut first = true;
    for word in line.split_whitespace() {
        let lead = if first { indent } else { indent + 2 };
        if !current.is_empty() && lead + current.chars().count() + 1 + word.chars().count() > width {
            let _ = writeln!(o, "{:lead$}{current}", "");
            current.clear();
            first = false;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    let lead = if first { indent } else { indent + 2 };
    let _ = writeln!(o, "{:lead$}{current}", "");
}

/// The cells of each value of the second `--vary` (one block without it), in order of
/// the first.
fn blocks<'a>(
    lang: Lang,
    spec: &SweepSpec,
    cells: &'a [SweepCell],
) -> Vec<(Option<String>, Vec<&'a SweepCell>)> {
    match spec.axes.get(1) {
        None => vec![(None, cells.iter().collect())],
        Some(second) => (0..second.levels.len())
            .map(|j| {
                let title = format!("{} = {}", second.path, level(lang, second, j));
                (Some(title), cells.iter().filter(|c| c.at[1] == j).collect())
            })
            .collect(),
    }
}

/// What was swept and how, and how to read the figures.
fn heading(o: &mut String, lang: Lang, model: &Model, sc: &LoadedScenario, spec: &SweepSpec) {
    let _ = writeln!(o, "\n{}", model.name);
    let axis_words = |a: &Vary| match lang {
        Lang::En => {
            format!(
                "{} from {} to {} in steps of {} ({} levels)",
                a.path,
                a.from,
                a.to,
                a.step,
                a.levels.len()
            )
        }
        Lang::Da => format!(
            "{} fra {} til {} i trin på {} ({} niveauer)",
            a.path,
            lang.localise_text(&a.from),
            lang.localise_text(&a.to),
            lang.localise_text(&a.step),
            a.levels.len()
        ),
    };
    let _ = writeln!(o, "{} {}", lang.pick("Sweep of", "Gennemløb af"), axis_words(&spec.axes[0]));
    if let Some(second) = spec.axes.get(1) {
        let grid = spec.axes[0].levels.len() * second.levels.len();
        let _ = match lang {
            Lang::En => writeln!(o, "     and {}: a grid of {grid} levels", axis_words(second)),
            Lang::Da => writeln!(o, "     og {}: et gitter af {grid} niveauer", axis_words(second)),
        };
    }
    let outer = spec.replications / spec.inner_replications.max(1);
    let draws = match (spec.inner_replications > 1, lang) {
        (false, _) => String::new(),
        (true, Lang::En) => {
            format!(" ({outer} draws of the parameters × {} cohorts each)", spec.inner_replications)
        }
        (true, Lang::Da) => {
            format!(" ({outer} træk af parametrene × {} kohorter hver)", spec.inner_replications)
        }
    };
    let (n, engine, seed, months) = (spec.replications, spec.engine, spec.seed, model.horizon);
    let (start, end) = (model.start, model.calendar(model.horizon));
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "{n} replications per level{draws}; {engine} engine, seed {seed}\n{months} months, {start} to {end}"
        ),
        Lang::Da => writeln!(
            o,
            "{n} simuleringer pr. niveau{draws}; motor: {engine}, seed {seed}\n{months} måneder, {start} til {end}"
        ),
    };
    if !sc.settings.is_empty() {
        let set: Vec<String> = sc.settings.iter().map(|s| format!("--set {s}")).collect();
        let with = lang.pick("With values given on the command line", "Med værdier givet på kommandolinjen");
        let _ = writeln!(o, "{with}: {}", set.join(" "));
    }
    let _ = writeln!(
        o,
        "{}",
        lang.pick(
            "Every level runs on the same cohorts, parameter draws and random numbers: differences between levels\n\
             are the levels', not chance. Each level is the scenario against its counterfactual, as `trappe run`\n\
             makes it. Mean (90 % interval over realised cohorts); effect = scenario against counterfactual, paired.",
            "Hvert niveau køres på de samme kohorter, træk af parametrene og tilfældige tal: forskelle mellem\n\
             niveauer skyldes niveauerne, ikke tilfældighed. Hvert niveau er scenariet mod dets kontrafaktiske\n\
             forløb, som `trappe run` beregner det. Gennemsnit (90 %-interval over faktiske kohorter); effekt =\n\
             scenariet mod det kontrafaktiske forløb, parvis."
        )
    );
}

/// A mean and its 90 % interval, each written by `f`.
fn with_interval(lang: Lang, s: &Summary, f: impl Fn(f64) -> String) -> String {
    format!("{} ({} {} {})", f(s.mean), f(s.p05), lang.pick("to", "til"), f(s.p95))
}

/// The width of the level column: the path or the widest level.
fn level_width(axis: &Vary) -> usize {
    axis.levels.iter().map(|l| l.chars().count()).chain([axis.path.chars().count()]).max().unwrap_or(0)
}

/// Level `i` of `axis` in the language's decimal separator.
fn level(lang: Lang, axis: &Vary, i: usize) -> String {
    lang.localise_text(&axis.levels[i])
}

/// The main table: per level, the extra self-supporting citizens, the net municipal
/// effect, the two probabilities of a saving and the marginal effect of the step.
fn main_table(o: &mut String, lang: Lang, spec: &SweepSpec, blocks: &[(Option<String>, Vec<&SweepCell>)]) {
    let axis = &spec.axes[0];
    let w = level_width(axis);
    let row = |o: &mut String, cells: [&str; 6]| {
        let [level, ss, net, expected, saves, step] = cells;
        let line = format!("{level:<w$}  {ss:<24}  {net:<40}  {expected:>11}  {saves:>8}  {step}");
        let _ = writeln!(o, "{}", line.trim_end());
    };
    let _ = writeln!(o);
    let (head, head2) = match lang {
        Lang::En => (
            [
                "Extra self-supporting",
                "Net municipal effect, DKK (+ = saving)",
                "P(expected",
                "P(cohort",
                "One more step: change in net",
            ],
            ["citizens", "", "favourable)", "saves)", "municipal effect, DKK"],
        ),
        Lang::Da => (
            [
                "Ekstra selvforsørgende",
                "Nettoeffekt for kommunen, kr.",
                "P(forventet",
                "P(kohorte",
                "Et trin mere: ændring i",
            ],
            ["borgere", "(+ = besparelse)", "gunstig)", "sparer)", "nettoeffekt for kommunen, kr."],
        ),
    };
    row(o, ["", head[0], head[1], head[2], head[3], head[4]]);
    row(o, [&axis.path, head2[0], head2[1], head2[2], head2[3], head2[4]]);
    let net_step =
        Measure::MARGINAL.iter().position(|m| *m == Measure::NetMunicipalEffect).unwrap_or_default();
    let signed = |v: f64| lang.signed_amount(v);
    for (title, cells) in blocks {
        if let Some(title) = title {
            let _ = writeln!(o, "{title}");
        }
        for c in cells {
            let f = &c.figures;
            let ss =
                with_interval(lang, &f.of(Measure::ExtraSelfSupporting).summary, |v| lang.signed_fixed(v, 1));
            let net = with_interval(lang, &f.of(Measure::NetMunicipalEffect).summary, signed);
            let expected =
                f.probability_expected_favourable.map_or(lang.not_available().into(), |p| lang.percent(p));
            let step =
                f.marginal.as_ref().map(|m| with_interval(lang, &m[net_step], signed)).unwrap_or_default();
            let saves = lang.percent(f.probability_cohort_saves);
            row(o, [&level(lang, axis, c.at[0]), &ss, &net, &expected, &saves, &step]);
        }
    }
    if spec.inner_replications == 1 {
        let _ = writeln!(
            o,
            "{}",
            lang.pick(
                "P(expected favourable): not estimable with one cohort per parameter draw (sweep with --inner 5 to\n\
                 tell what we don't know apart from chance).",
                "P(forventet gunstig): kan ikke beregnes med én kohorte pr. træk af parametrene (kør med --inner 5\n\
                 for at skille hvad vi ikke ved fra tilfældighed)."
            )
        );
    }
}

/// What we don't know apart from chance: the expected net municipal effect's interval
/// over the parameters, and the spread of a cohort by chance.
fn expected_table(
    o: &mut String,
    lang: Lang,
    spec: &SweepSpec,
    blocks: &[(Option<String>, Vec<&SweepCell>)],
    parameters_vary: bool,
) {
    let axis = &spec.axes[0];
    let w = level_width(axis);
    let _ = writeln!(
        o,
        "\n{}",
        lang.pick(
            "Expected net municipal effect, DKK: its 90 % interval over what we don't know (the parameters), and\n\
             the standard deviation of a cohort of this size around it by chance",
            "Forventet nettoeffekt for kommunen, kr.: dens 90 %-interval over hvad vi ikke ved (parametrene), og\n\
             standardafvigelsen for en kohorte af denne størrelse omkring den ved tilfældighed"
        )
    );
    let _ = writeln!(
        o,
        "{:<w$}  {:>14}  {:<34}  {:>14}",
        axis.path,
        lang.pick("expected", "forventet"),
        lang.pick("over what we don't know", "over hvad vi ikke ved"),
        lang.pick("chance s.d.", "tilfældighed, sd")
    );
    let na = || lang.not_available().to_string();
    for (title, cells) in blocks {
        if let Some(title) = title {
            let _ = writeln!(o, "{title}");
        }
        for c in cells {
            let m = c.figures.of(Measure::NetMunicipalEffect);
            let (interval, sd) = match m.split {
                Some(s) if s.within_chance(parameters_vary) => (
                    lang.pick("within chance", "inden for tilfældighed").to_string(),
                    format!("± {}", lang.amount(s.chance_sd)),
                ),
                Some(s) => (
                    format!(
                        "{} {} {}",
                        lang.signed_amount(s.expected_p05),
                        lang.pick("to", "til"),
                        lang.signed_amount(s.expected_p95)
                    ),
                    format!("± {}", lang.amount(s.chance_sd)),
                ),
                None => (na(), na()),
            };
            let _ = writeln!(
                o,
                "{:<w$}  {:>14}  {:<34}  {:>14}",
                level(lang, axis, c.at[0]),
                lang.signed_amount(m.summary.mean),
                interval,
                sd
            );
        }
    }
}

/// Per level, the probability that a realised cohort meets each target.
fn targets_table(
    o: &mut String,
    lang: Lang,
    model: &Model,
    spec: &SweepSpec,
    blocks: &[(Option<String>, Vec<&SweepCell>)],
) {
    let axis = &spec.axes[0];
    let w = level_width(axis);
    let _ = writeln!(
        o,
        "\n{}",
        lang.pick(
            "Probability that a realised cohort meets each target (scenario arm)",
            "Sandsynlighed for at en faktisk kohorte når hvert mål (med scenariet)"
        )
    );
    let t_letter = lang.pick("T", "M");
    for (t, target) in model.targets.iter().enumerate() {
        let _ = writeln!(o, "  {t_letter}{}: {} ({})", t + 1, target.name, condition(lang, target));
    }
    let names: String =
        (0..model.targets.len()).map(|t| format!("  {:>8}", format!("{t_letter}{}", t + 1))).collect();
    let _ = writeln!(o, "{:<w$}{names}", axis.path);
    for (title, cells) in blocks {
        if let Some(title) = title {
            let _ = writeln!(o, "{title}");
        }
        for c in cells {
            let ps: String =
                c.figures.target_probabilities.iter().map(|p| format!("  {:>8}", lang.percent(*p))).collect();
            let _ = writeln!(o, "{:<w$}{ps}", level(lang, axis, c.at[0]));
        }
    }
}

/// A cell's levels as `path = level`, joined.
fn cell_words(lang: Lang, spec: &SweepSpec, cell: &SweepCell) -> String {
    spec.axes
        .iter()
        .zip(&cell.at)
        .map(|(a, &i)| format!("{} = {}", a.path, level(lang, a, i)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An amount over the horizon as a saving or a cost.
fn money_words(lang: Lang, v: f64) -> String {
    match lang {
        Lang::En if v > 0.0 => format!("a saving of {}", lang.dkk(v)),
        Lang::En if v < 0.0 => format!("a net cost of {}", lang.dkk(-v)),
        Lang::En => "no net effect".into(),
        Lang::Da if v > 0.0 => format!("en besparelse på {}", lang.dkk(v)),
        Lang::Da if v < 0.0 => format!("en nettoudgift på {}", lang.dkk(-v)),
        Lang::Da => "ingen nettoeffekt".into(),
    }
}

/// Extra self-supporting citizens as more or fewer.
fn citizens_words(lang: Lang, v: f64) -> String {
    match lang {
        Lang::En if v < 0.0 => {
            format!("{} fewer self-supporting citizens than without it", lang.fixed(-v, 1))
        }
        Lang::En => format!("{} extra self-supporting citizens", lang.fixed(v, 1)),
        Lang::Da if v < 0.0 => format!("{} færre selvforsørgende borgere end uden", lang.fixed(-v, 1)),
        Lang::Da => format!("{} ekstra selvforsørgende borgere", lang.fixed(v, 1)),
    }
}

/// The level with the best expected net municipal effect, in a sentence.
fn best_sentence(o: &mut String, lang: Lang, spec: &SweepSpec, cells: &[SweepCell]) {
    let expected: Vec<f64> =
        cells.iter().map(|c| c.figures.of(Measure::NetMunicipalEffect).summary.mean).collect();
    let Some(best) = best_level(&expected) else {
        let _ = writeln!(
            o,
            "{}",
            lang.pick(
                "The net municipal effect is undefined at every level.",
                "Nettoeffekten for kommunen er udefineret på alle niveauer."
            )
        );
        return;
    };
    let c = &cells[best];
    let f = &c.figures;
    let how_sure = match (f.probability_expected_favourable, lang) {
        (Some(p), Lang::En) => {
            format!("; the probability that its expected net effect is favourable is {}", lang.percent(p))
        }
        (Some(p), Lang::Da) => {
            format!("; sandsynligheden for at dens forventede nettoeffekt er gunstig er {}", lang.percent(p))
        }
        (None, _) => String::new(),
    };
    let at = cell_words(lang, spec, c);
    let citizens = citizens_words(lang, f.of(Measure::ExtraSelfSupporting).summary.mean);
    let best_value = expected[best];
    let money = money_words(lang, best_value);
    let _ = match (lang, best_value.partial_cmp(&0.0).unwrap_or(std::cmp::Ordering::Less)) {
        (Lang::En, std::cmp::Ordering::Greater) => writeln!(
            o,
            "Best expected net municipal effect: {at}, {money} over the horizon, with {citizens}{how_sure}."
        ),
        (Lang::Da, std::cmp::Ordering::Greater) => writeln!(
            o,
            "Bedste forventede nettoeffekt for kommunen: {at}, {money} i perioden, med {citizens}{how_sure}."
        ),
        (Lang::En, std::cmp::Ordering::Equal) => writeln!(
            o,
            "No level is expected to save money: the best expected net municipal effect is at {at}, with no net \
             effect; every other level has an expected net cost."
        ),
        (Lang::Da, std::cmp::Ordering::Equal) => writeln!(
            o,
            "Intet niveau forventes at spare penge: den bedste forventede nettoeffekt for kommunen er ved {at}, \
             uden nettoeffekt; alle andre niveauer har en forventet nettoudgift."
        ),
        (Lang::En, std::cmp::Ordering::Less) => writeln!(
            o,
            "Every level is expected to cost the municipality money; the least is at {at}: {money} over the \
             horizon, with {citizens}{how_sure}."
        ),
        (Lang::Da, std::cmp::Ordering::Less) => writeln!(
            o,
            "Alle niveauer forventes at koste kommunen penge; mindst ved {at}: {money} i perioden, med \
             {citizens}{how_sure}."
        ),
    };
}

/// For target `t`, the smallest level of the first `--vary` that meets it with at least
/// the asked probability (per value of the second), in a sentence.
fn target_sentences(
    o: &mut String,
    lang: Lang,
    spec: &SweepSpec,
    blocks: &[(Option<String>, Vec<&SweepCell>)],
    t: usize,
    label: &str,
) {
    let axis = &spec.axes[0];
    let wanted = lang.percent(spec.target_probability);
    let _ = write!(o, "{} {}, {label}: ", lang.pick("Target", "Mål"), t + 1);
    for (title, cells) in blocks {
        let levels: Vec<f64> =
            cells.iter().map(|c| axis.levels[c.at[0]].parse().unwrap_or(f64::NAN)).collect();
        let probabilities: Vec<f64> = cells.iter().map(|c| c.figures.target_probabilities[t]).collect();
        let path = &axis.path;
        let answer = match smallest_level_meeting(&levels, &probabilities, spec.target_probability) {
            Some(i) => {
                let (at, p) = (level(lang, axis, cells[i].at[0]), lang.percent(probabilities[i]));
                match lang {
                    Lang::En => {
                        format!(
                            "the smallest level met with probability at least {wanted} is {path} = {at} ({p})"
                        )
                    }
                    Lang::Da => format!(
                        "det mindste niveau, hvor det nås med en sandsynlighed på mindst {wanted}, er {path} = {at} \
                         ({p})"
                    ),
                }
            }
            None => {
                let highest = best_level(&probabilities)
                    .map(|i| {
                        let (at, p) = (level(lang, axis, cells[i].at[0]), lang.percent(probabilities[i]));
                        match lang {
                            Lang::En => format!("; the highest is {p} at {path} = {at}"),
                            Lang::Da => format!("; den højeste er {p} ved {path} = {at}"),
                        }
                    })
                    .unwrap_or_default();
                match lang {
                    Lang::En => format!("no level meets it with probability at least {wanted}{highest}"),
                    Lang::Da => {
                        format!("intet niveau når det med en sandsynlighed på mindst {wanted}{highest}")
                    }
                }
            }
        };
        match title {
            Some(title) => {
                let _ = write!(o, "\n  {} {title}: {answer}", lang.pick("with", "med"));
            }
            None => {
                let _ = write!(o, "{answer}");
            }
        }
    }
    let _ = writeln!(o, ".");
}
