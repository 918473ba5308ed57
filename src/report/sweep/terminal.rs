//! The terminal summary of a sweep: the levels down, a few key columns, and the answers
//! in sentences (the best level, and the smallest level that meets each target).

use super::{SweepCell, SweepSpec};
use crate::analysis::stats::Summary;
use crate::analysis::sweep::{Measure, best_level, smallest_level_meeting};
use crate::input::scenario::LoadedScenario;
use crate::input::vary::Vary;
use crate::model::Model;
use crate::numbers::{dkk, percent};
use std::fmt::Write;

/// The summary printed after a sweep.
pub fn summary(model: &Model, sc: &LoadedScenario, spec: &SweepSpec, cells: &[SweepCell]) -> String {
    let mut o = String::new();
    heading(&mut o, model, sc, spec);
    let blocks = blocks(spec, cells);
    main_table(&mut o, spec, &blocks);
    if spec.inner_replications > 1 {
        expected_table(&mut o, spec, &blocks, model.parameters.sampled().next().is_some());
    }
    if !model.targets.is_empty() {
        targets_table(&mut o, model, spec, &blocks);
    }
    let _ = writeln!(o);
    let mut answers = String::new();
    best_sentence(&mut answers, spec, cells);
    for (t, target) in model.targets.iter().enumerate() {
        target_sentences(
            &mut answers,
            spec,
            &blocks,
            t,
            &format!("{} ({})", target.name, target.condition()),
        );
    }
    if cells.iter().any(|c| c.cuts) {
        let _ = writeln!(
            answers,
            "Levels with a negative fte cut staff: there a positive net effect is staff cost saved beyond the \
             benefit and activity costs the cut adds, and negative extra self-supporting citizens are citizens \
             the cut keeps on benefit."
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
fn blocks<'a>(spec: &SweepSpec, cells: &'a [SweepCell]) -> Vec<(Option<String>, Vec<&'a SweepCell>)> {
    match spec.axes.get(1) {
        None => vec![(None, cells.iter().collect())],
        Some(second) => (0..second.levels.len())
            .map(|j| {
                let title = format!("{} = {}", second.path, second.levels[j]);
                (Some(title), cells.iter().filter(|c| c.at[1] == j).collect())
            })
            .collect(),
    }
}

/// What was swept and how, and how to read the figures.
fn heading(o: &mut String, model: &Model, sc: &LoadedScenario, spec: &SweepSpec) {
    let _ = writeln!(o, "\n{}", model.name);
    let axis_words = |a: &Vary| {
        format!("{} from {} to {} in steps of {} ({} levels)", a.path, a.from, a.to, a.step, a.levels.len())
    };
    let _ = writeln!(o, "Sweep of {}", axis_words(&spec.axes[0]));
    if let Some(second) = spec.axes.get(1) {
        let _ = writeln!(
            o,
            "     and {}: a grid of {} levels",
            axis_words(second),
            spec.axes[0].levels.len() * second.levels.len()
        );
    }
    let draws = if spec.inner_replications > 1 {
        format!(
            " ({} draws of the parameters × {} cohorts each)",
            spec.replications / spec.inner_replications,
            spec.inner_replications
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        o,
        "{} replications per level{draws}; {} engine, seed {}\n{} months, {} to {}",
        spec.replications,
        spec.engine,
        spec.seed,
        model.horizon,
        model.start,
        model.calendar(model.horizon)
    );
    if !sc.settings.is_empty() {
        let set: Vec<String> = sc.settings.iter().map(|s| format!("--set {s}")).collect();
        let _ = writeln!(o, "With values given on the command line: {}", set.join(" "));
    }
    let _ = writeln!(
        o,
        "Every level runs on the same cohorts, parameter draws and random numbers: differences between levels\n\
         are the levels', not chance. Each level is the scenario against its counterfactual, as `trappe run`\n\
         makes it. Mean (90 % interval over realised cohorts); effect = scenario against counterfactual, paired."
    );
}

/// A mean and its 90 % interval, each written by `f`.
fn with_interval(s: &Summary, f: impl Fn(f64) -> String) -> String {
    format!("{} ({} to {})", f(s.mean), f(s.p05), f(s.p95))
}

/// An amount with its sign, in whole kroner.
fn signed_dkk(v: f64) -> String {
    if v > 0.0 { format!("+{}", dkk(v)) } else { dkk(v) }
}

/// The width of the level column: the path or the widest level.
fn level_width(axis: &Vary) -> usize {
    axis.levels.iter().map(|l| l.chars().count()).chain([axis.path.chars().count()]).max().unwrap_or(0)
}

/// The main table: per level, the extra self-supporting citizens, the net municipal
/// effect, the two probabilities of a saving and the marginal effect of the step.
fn main_table(o: &mut String, spec: &SweepSpec, blocks: &[(Option<String>, Vec<&SweepCell>)]) {
    let axis = &spec.axes[0];
    let w = level_width(axis);
    let row = |o: &mut String, cells: [&str; 6]| {
        let [level, ss, net, expected, saves, step] = cells;
        let line = format!("{level:<w$}  {ss:<24}  {net:<40}  {expected:>11}  {saves:>8}  {step}");
        let _ = writeln!(o, "{}", line.trim_end());
    };
    let _ = writeln!(o);
    row(
        o,
        [
            "",
            "Extra self-supporting",
            "Net municipal effect, DKK (+ = saving)",
            "P(expected",
            "P(cohort",
            "One more step: change in net",
        ],
    );
    row(o, [&axis.path, "citizens", "", "favourable)", "saves)", "municipal effect, DKK"]);
    let net_step =
        Measure::MARGINAL.iter().position(|m| *m == Measure::NetMunicipalEffect).unwrap_or_default();
    for (title, cells) in blocks {
        if let Some(title) = title {
            let _ = writeln!(o, "{title}");
        }
        for c in cells {
            let f = &c.figures;
            let ss = with_interval(&f.of(Measure::ExtraSelfSupporting).summary, |v| format!("{v:+.1}"));
            let net = with_interval(&f.of(Measure::NetMunicipalEffect).summary, signed_dkk);
            let expected = f.probability_expected_favourable.map(percent).unwrap_or_else(|| "n/a".into());
            let step =
                f.marginal.as_ref().map(|m| with_interval(&m[net_step], signed_dkk)).unwrap_or_default();
            let saves = percent(f.probability_cohort_saves);
            row(o, [&axis.levels[c.at[0]], &ss, &net, &expected, &saves, &step]);
        }
    }
    if spec.inner_replications == 1 {
        let _ = writeln!(
            o,
            "P(expected favourable): not estimable with one cohort per parameter draw (sweep with --inner 5 to\n\
             tell what we don't know apart from chance)."
        );
    }
}

/// What we don't know apart from chance: the expected net municipal effect's interval
/// over the parameters, and the spread of a cohort by chance.
fn expected_table(
    o: &mut String,
    spec: &SweepSpec,
    blocks: &[(Option<String>, Vec<&SweepCell>)],
    parameters_vary: bool,
) {
    let axis = &spec.axes[0];
    let w = level_width(axis);
    let _ = writeln!(
        o,
        "\nExpected net municipal effect, DKK: its 90 % interval over what we don't know (the parameters), and\n\
         the standard deviation of a cohort of this size around it by chance"
    );
    let _ = writeln!(
        o,
        "{:<w$}  {:>14}  {:<34}  {:>14}",
        axis.path, "expected", "over what we don't know", "chance s.d."
    );
    for (title, cells) in blocks {
        if let Some(title) = title {
            let _ = writeln!(o, "{title}");
        }
        for c in cells {
            let m = c.figures.of(Measure::NetMunicipalEffect);
            let (interval, sd) = match m.split {
                Some(s) if s.within_chance(parameters_vary) => {
                    ("within chance".into(), format!("± {}", dkk(s.chance_sd)))
                }
                Some(s) => (
                    format!("{} to {}", signed_dkk(s.expected_p05), signed_dkk(s.expected_p95)),
                    format!("± {}", dkk(s.chance_sd)),
                ),
                None => ("n/a".into(), "n/a".into()),
            };
            let _ = writeln!(
                o,
                "{:<w$}  {:>14}  {:<34}  {:>14}",
                axis.levels[c.at[0]],
                signed_dkk(m.summary.mean),
                interval,
                sd
            );
        }
    }
}

/// Per level, the probability that a realised cohort meets each target.
fn targets_table(
    o: &mut String,
    model: &Model,
    spec: &SweepSpec,
    blocks: &[(Option<String>, Vec<&SweepCell>)],
) {
    let axis = &spec.axes[0];
    let w = level_width(axis);
    let _ = writeln!(o, "\nProbability that a realised cohort meets each target (scenario arm)");
    for (t, target) in model.targets.iter().enumerate() {
        let _ = writeln!(o, "  T{}: {} ({})", t + 1, target.name, target.condition());
    }
    let names: String = (0..model.targets.len()).map(|t| format!("  {:>8}", format!("T{}", t + 1))).collect();
    let _ = writeln!(o, "{:<w$}{names}", axis.path);
    for (title, cells) in blocks {
        if let Some(title) = title {
            let _ = writeln!(o, "{title}");
        }
        for c in cells {
            let ps: String =
                c.figures.target_probabilities.iter().map(|p| format!("  {:>8}", percent(*p))).collect();
            let _ = writeln!(o, "{:<w$}{ps}", axis.levels[c.at[0]]);
        }
    }
}

/// A cell's levels as `path = level`, joined.
fn cell_words(spec: &SweepSpec, cell: &SweepCell) -> String {
    spec.axes
        .iter()
        .zip(&cell.at)
        .map(|(a, &i)| format!("{} = {}", a.path, a.levels[i]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An amount over the horizon as a saving or a cost.
fn money_words(v: f64) -> String {
    if v > 0.0 {
        format!("a saving of {} DKK", dkk(v))
    } else if v < 0.0 {
        format!("a net cost of {} DKK", dkk(-v))
    } else {
        "no net effect".into()
    }
}

/// Extra self-supporting citizens as more or fewer.
fn citizens_words(v: f64) -> String {
    if v < 0.0 {
        format!("{:.1} fewer self-supporting citizens than without it", -v)
    } else {
        format!("{v:.1} extra self-supporting citizens")
    }
}

/// The level with the best expected net municipal effect, in a sentence.
fn best_sentence(o: &mut String, spec: &SweepSpec, cells: &[SweepCell]) {
    let expected: Vec<f64> =
        cells.iter().map(|c| c.figures.of(Measure::NetMunicipalEffect).summary.mean).collect();
    let Some(best) = best_level(&expected) else {
        let _ = writeln!(o, "The net municipal effect is undefined at every level.");
        return;
    };
    let c = &cells[best];
    let f = &c.figures;
    let how_sure = match f.probability_expected_favourable {
        Some(p) => format!("; the probability that its expected net effect is favourable is {}", percent(p)),
        None => String::new(),
    };
    let at = cell_words(spec, c);
    let citizens = citizens_words(f.of(Measure::ExtraSelfSupporting).summary.mean);
    let best_value = expected[best];
    let _ = if best_value > 0.0 {
        writeln!(
            o,
            "Best expected net municipal effect: {at}, {} over the horizon, with {citizens}{how_sure}.",
            money_words(best_value)
        )
    } else if best_value == 0.0 {
        writeln!(
            o,
            "No level is expected to save money: the best expected net municipal effect is at {at}, with no net \
             effect; every other level has an expected net cost."
        )
    } else {
        writeln!(
            o,
            "Every level is expected to cost the municipality money; the least is at {at}: {} over the horizon, \
             with {citizens}{how_sure}.",
            money_words(best_value)
        )
    };
}

/// For target `t`, the smallest level of the first `--vary` that meets it with at least
/// the asked probability (per value of the second), in a sentence.
fn target_sentences(
    o: &mut String,
    spec: &SweepSpec,
    blocks: &[(Option<String>, Vec<&SweepCell>)],
    t: usize,
    label: &str,
) {
    let axis = &spec.axes[0];
    let wanted = percent(spec.target_probability);
    let _ = write!(o, "Target {}, {label}: ", t + 1);
    for (title, cells) in blocks {
        let levels: Vec<f64> =
            cells.iter().map(|c| axis.levels[c.at[0]].parse().unwrap_or(f64::NAN)).collect();
        let probabilities: Vec<f64> = cells.iter().map(|c| c.figures.target_probabilities[t]).collect();
        let answer = match smallest_level_meeting(&levels, &probabilities, spec.target_probability) {
            Some(i) => format!(
                "the smallest level met with probability at least {wanted} is {} = {} ({})",
                axis.path,
                axis.levels[cells[i].at[0]],
                percent(probabilities[i])
            ),
            None => {
                let highest = best_level(&probabilities)
                    .map(|i| {
                        format!(
                            "; the highest is {} at {} = {}",
                            percent(probabilities[i]),
                            axis.path,
                            axis.levels[cells[i].at[0]]
                        )
                    })
                    .unwrap_or_default();
                format!("no level meets it with probability at least {wanted}{highest}")
            }
        };
        match title {
            Some(title) => {
                let _ = write!(o, "\n  with {title}: {answer}");
            }
            None => {
                let _ = write!(o, "{answer}");
            }
        }
    }
    let _ = writeln!(o, ".");
}
