//! The terminal text of `trappe sensitivity`: the tornadoes, the acceptability curves,
//! the value of information, the threshold and the grid, in English or Danish.

use super::{BAR_WIDTH, TORNADO_ROWS, best_of, candidates};
use crate::analysis::decision::{Acceptability, DrawValues, ValueOfInformation, Valued};
use crate::analysis::sensitivity::{Crossing, HIGH_QUANTILE, LOW_QUANTILE, tornado_order};
use crate::analysis::sensitivity_run::{Grid, Key, PRECISION, SensitivityRun, TORNADO_MEASURES, Threshold};
use crate::analysis::sweep::Measure;
use crate::numbers::fmt_sig;
use crate::report::compare::parameter_values;
use crate::report::lang::Lang;
use crate::report::words::valued_unit;
use std::fmt::Write;

/// A measure's value as the terminal shows it.
fn shown(lang: Lang, m: Measure, v: f64) -> String {
    match m {
        Measure::SelfSupportingShare | Measure::EmploymentShare => lang.percent(v),
        Measure::ExtraSelfSupporting | Measure::ExtraEmployed => lang.fixed(v, 1),
        _ => lang.amount(v),
    }
}

/// A parameter value as the terminal shows it: three significant digits.
fn value(lang: Lang, v: f64) -> String {
    lang.localise_text(&fmt_sig(v, 3))
}

/// The candidates' names: the baseline, then the options in the order given.
fn candidate_names(lang: Lang, s: &SensitivityRun) -> Vec<String> {
    let mut names = candidates(s);
    names[0] = lang.pick("baseline", "basislinje").to_string();
    names
}

/// The terminal text in `lang`.
pub fn terminal(s: &SensitivityRun, lang: Lang) -> String {
    let mut o = String::new();
    let run = &s.run;
    heading(&mut o, s, lang);
    if s.levers.is_empty() {
        let _ = writeln!(
            o,
            "  {}",
            lang.pick(
                "The scenario has no uncertain parameter: every parameter is a fixed number.",
                "Scenariet har ingen usikre parametre: alle parametre er faste tal."
            )
        );
    }
    for (oi, option) in run.options.iter().enumerate() {
        for (mi, &m) in TORNADO_MEASURES.iter().enumerate() {
            tornado(&mut o, lang, s, oi, &option.name, mi, m);
        }
    }
    acceptability(&mut o, lang, s);
    parameter_values(&mut o, run, lang);
    if let Some(t) = &s.threshold {
        threshold(&mut o, lang, s, t);
    }
    if let Some(g) = &s.grid {
        grid(&mut o, lang, s, g);
    }
    o
}

/// What was varied and how.
fn heading(o: &mut String, s: &SensitivityRun, lang: Lang) {
    let group = match (s.levers.iter().any(|l| l.group), lang) {
        (false, _) => "",
        (true, Lang::En) => " (or named group)",
        (true, Lang::Da) => " (eller navngivne gruppe)",
    };
    let precision = lang.percent(PRECISION);
    let enough = if s.level_replications_fixed {
        String::new()
    } else if s.level_replications
        < s.run.replications.max(crate::analysis::sensitivity_run::DEFAULT_LEVEL_REPLICATIONS)
    {
        match lang {
            Lang::En => {
                format!(
                    " (enough for every swing's Monte Carlo error to be within {precision} of the widest)"
                )
            }
            Lang::Da => format!(
                " (nok til at hvert udsvings Monte Carlo-usikkerhed er inden for {precision} af det bredeste)"
            ),
        }
    } else {
        match lang {
            Lang::En => format!(
                " (the most without --level-replications; some swings' Monte Carlo error is still more than \
                 {precision} of the widest)"
            ),
            Lang::Da => format!(
                " (det højeste antal uden --level-replications; nogle udsvings Monte Carlo-usikkerhed er stadig mere \
                 end {precision} af det bredeste)"
            ),
        }
    };
    let (low, high) = (LOW_QUANTILE * 100.0, HIGH_QUANTILE * 100.0);
    let (n, engine, seed) = (s.level_replications, s.level_engine.name(), s.run.seed);
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "\nWhich assumption matters\nOne-way: each uncertain parameter{group} from its {low:.0}th to its \
             {high:.0}th percentile, the others at their means; {n} replications per level on the same random \
             numbers{enough}, {engine} engine, seed {seed}. Chance in the cohort is averaged out; the swing's Monte \
             Carlo error is in sensitivity.csv."
        ),
        Lang::Da => writeln!(
            o,
            "\nHvilken antagelse betyder noget\nÉn ad gangen: hver usikker parameter{group} fra sin {low:.0}. til \
             sin {high:.0}. percentil, de øvrige på deres middelværdi; {n} simuleringer pr. niveau på de samme \
             tilfældige tal{enough}, motor: {engine}, seed {seed}. Tilfældighed i kohorten er midlet ud; udsvingets \
             Monte Carlo-usikkerhed står i sensitivity.csv."
        ),
    };
}

/// One tornado: the levers by swing, with a bar from the low level's value to the high's.
fn tornado(o: &mut String, lang: Lang, s: &SensitivityRun, option: usize, name: &str, mi: usize, m: Measure) {
    if s.levers.is_empty() {
        return;
    }
    let one = &s.one_way[option];
    let swings: Vec<f64> = one.swings.iter().map(|w| w[mi].swing).collect();
    let order = tornado_order(&swings);
    let what = match m {
        Measure::NetMunicipalEffect => lang.pick(
            "expected net municipal effect over the horizon, DKK",
            "forventet nettoeffekt for kommunen i perioden, kr.",
        ),
        _ => lang.pick(
            "expected extra self-supporting citizens at the horizon",
            "forventede ekstra selvforsørgende borgere ved periodens slut",
        ),
    };
    let at_means = one.at_means[mi];
    let means = lang.pick("at the means", "ved middelværdierne");
    let _ = writeln!(o, "\n{name}: {what} ({means}: {})", shown(lang, m, at_means));
    let shown_rows: Vec<usize> = order.iter().copied().take(TORNADO_ROWS).collect();
    let (mut lo, mut hi) = (at_means, at_means);
    for &i in &shown_rows {
        let w = one.swings[i][mi];
        for v in [w.at_low, w.at_high] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let name_w = shown_rows.iter().map(|&i| s.levers[i].name.chars().count()).max().unwrap_or(9).clamp(9, 44);
    let head: [&str; 6] = match lang {
        Lang::En => [
            "parameter",
            "5th → 95th percentile",
            "at the 5th",
            "at the 95th",
            "swing",
            "░ lower end, █ upper end, │ at the means",
        ],
        Lang::Da => [
            "parameter",
            "5. → 95. percentil",
            "ved 5.",
            "ved 95.",
            "udsving",
            "░ nedre ende, █ øvre ende, │ ved middelværdierne",
        ],
    };
    let _ = writeln!(
        o,
        "     {:<name_w$} {:>21} {:>13} {:>13} {:>12}  {}",
        head[0], head[1], head[2], head[3], head[4], head[5]
    );
    for (rank, &i) in shown_rows.iter().enumerate() {
        let lever = &s.levers[i];
        let w = one.swings[i][mi];
        let range = if lever.group {
            format!("{} {}", lang.pick("group of", "gruppe på"), lever.members.len())
        } else {
            format!("{} → {}", value(lang, lever.members[0].low), value(lang, lever.members[0].high))
        };
        let bar = bar(lo, hi, [w.at_low, at_means, w.at_high]);
        let noise = if w.swing < 2.0 * w.monte_carlo_se {
            lang.pick(" (within Monte Carlo error)", " (inden for Monte Carlo-usikkerheden)")
        } else {
            ""
        };
        let mut label = lever.name.clone();
        if label.chars().count() > name_w {
            let tail: Vec<char> = label.chars().rev().take(name_w - 1).collect();
            label = format!("…{}", tail.into_iter().rev().collect::<String>());
        }
        let _ = writeln!(
            o,
            "  {:>2} {:<name_w$} {:>21} {:>13} {:>13} {:>12}  {bar}{noise}",
            rank + 1,
            label,
            range,
            shown(lang, m, w.at_low),
            shown(lang, m, w.at_high),
            shown(lang, m, w.swing),
        );
    }
    if order.len() > shown_rows.len() {
        let more = order.len() - shown_rows.len();
        let _ = match lang {
            Lang::En => writeln!(o, "  … and {more} more in sensitivity.csv"),
            Lang::Da => writeln!(o, "  … og {more} mere i sensitivity.csv"),
        };
    }
    for &i in &shown_rows {
        let lever = &s.levers[i];
        if lever.group {
            let _ = writeln!(o, "  {}: {}", lever.name, lever.member_list());
        }
    }
}

/// A tornado's bar on the scale from `lo` to `hi`: light from the value at the low
/// level to the value at the means, dark from there to the value at the high level.
fn bar(lo: f64, hi: f64, [at_low, at_means, at_high]: [f64; 3]) -> String {
    let pos = |v: f64| -> usize {
        if hi > lo {
            (((v - lo) / (hi - lo)) * (BAR_WIDTH - 1) as f64).round() as usize
        } else {
            BAR_WIDTH / 2
        }
    };
    let mut bar: Vec<char> = vec![' '; BAR_WIDTH];
    if at_low.is_finite() && at_high.is_finite() {
        let (a, b, c) = (pos(at_low), pos(at_means), pos(at_high));
        for (k, ch) in bar.iter_mut().enumerate() {
            if (k >= a.min(b) && k <= a.max(b)) && a != b {
                *ch = '░';
            }
            if (k >= c.min(b) && k <= c.max(b)) && c != b {
                *ch = '█';
            }
        }
        bar[b] = '│';
    }
    bar.into_iter().collect()
}

/// The acceptability curves at five prices each, and the value of perfect information.
fn acceptability(o: &mut String, lang: Lang, s: &SensitivityRun) {
    let run = &s.run;
    let basis = match run.draw_values {
        DrawValues::ShrunkMeans => lang.pick("over what we don't know", "over hvad vi ikke ved"),
        DrawValues::PerReplication(_) => lang.pick(
            "over realised cohorts (chance included: one cohort per draw)",
            "over faktiske kohorter (tilfældighed medregnet: én kohorte pr. træk)",
        ),
    };
    let names = candidate_names(lang, s);
    let (n, draws) = (run.replications, run.decision_draws);
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "\nWhich is best if each unit of the outcome is worth a price (DKK) on top of the net municipal effect: \
             P(best) {basis}, from {n} replications ({draws} draws of the parameters); and what knowing every \
             uncertain parameter before choosing would be worth (expected value of perfect information)"
        ),
        Lang::Da => writeln!(
            o,
            "\nHvilken er bedst, hvis hver enhed af resultatet er en pris (kr.) værd oven i nettoeffekten for \
             kommunen: P(bedst) {basis}, fra {n} simuleringer ({draws} træk af parametrene); og hvad det ville være \
             værd at kende alle usikre parametre før valget (forventet værdi af fuldstændig information)"
        ),
    };
    for (valued, curve) in [
        (Valued::ExtraSelfSupporting, &run.acceptability),
        (Valued::BenefitMonthsAvoided, &run.acceptability_per_month),
    ] {
        if curve.is_empty() {
            continue;
        }
        let _ = writeln!(o, "  {} {}:", lang.pick("per", "pr."), valued_unit(lang, valued));
        let n = curve.len();
        let mut picks: Vec<usize> = (0..5).map(|k| k * (n - 1) / 4).collect();
        picks.dedup();
        for k in picks {
            let (a, v): &(Acceptability, ValueOfInformation) = &curve[k];
            let p: Vec<String> = std::iter::once(a.baseline)
                .chain(a.options.iter().copied())
                .zip(&names)
                .map(|(p, name)| format!("{name} {}", lang.percent(p)))
                .collect();
            let _ = writeln!(
                o,
                "    {} {:>9}: {}; {} {}",
                lang.pick("at", "ved"),
                lang.amount(a.wtp),
                p.join(", "),
                lang.pick("perfect information worth", "fuldstændig information værd"),
                lang.amount(v.value)
            );
        }
    }
}

/// The threshold search in sentences.
fn threshold(o: &mut String, lang: Lang, s: &SensitivityRun, t: &Threshold) {
    let key = t.key.name();
    let how = match &t.key {
        Key::Parameter(..) => lang.pick(
            "an uncertain parameter held at each value, the others at their means",
            "en usikker parameter holdt fast på hver værdi, de øvrige på deres middelværdi",
        ),
        Key::Setting(_) => lang.pick(
            "a number of the scenario file, the uncertain parameters at their means",
            "et tal i scenariefilen, de usikre parametre på deres middelværdi",
        ),
    };
    let (a, b) = (value(lang, t.range.0), value(lang, t.range.1));
    let _ = match lang {
        Lang::En => writeln!(o, "\nThreshold of `{key}` ({how}; searched from {a} to {b})"),
        Lang::Da => writeln!(o, "\nTærskel for `{key}` ({how}; søgt fra {a} til {b})"),
    };
    for r in &t.results {
        let line = threshold_line(lang, s, t, r);
        let _ = writeln!(o, "  {line}");
    }
}

/// One option's and goal's threshold in a sentence.
fn threshold_line(
    lang: Lang,
    s: &SensitivityRun,
    t: &Threshold,
    r: &crate::analysis::sensitivity_run::ThresholdResult,
) -> String {
    let key = t.key.name();
    let targets = &s.run.options[0].model.targets;
    let name = &s.run.options[r.option].name;
    let wanted = lang.percent(s.target_probability);
    let (goal_text, first, last) = match r.target {
        None => (
            lang.pick(
                "breaks even (expected net municipal effect 0)",
                "er tjent hjem (forventet nettoeffekt for kommunen 0)",
            )
            .to_string(),
            t.scan[0].1[r.option].0,
            t.scan.last().map_or(f64::NAN, |x| x.1[r.option].0),
        ),
        Some(ti) => (
            match lang {
                Lang::En => format!("meets `{}` with probability {wanted}", targets[ti].name),
                Lang::Da => format!("når `{}` med sandsynlighed {wanted}", targets[ti].name),
            },
            t.scan[0].1[r.option].1[ti],
            t.scan.last().map_or(f64::NAN, |x| x.1[r.option].1[ti]),
        ),
    };
    let fmt = |v: f64| if r.target.is_some() { lang.percent(v) } else { lang.amount(v) };
    let (a, b) = (value(lang, t.range.0), value(lang, t.range.1));
    let ends = format!(
        "{} {} {a}, {} {} {b}",
        fmt(first),
        lang.pick("at", "ved"),
        fmt(last),
        lang.pick("at", "ved")
    );
    let target = |ti: usize| &targets[ti].name;
    match (r.crossing, r.value, r.target, lang) {
        (Crossing::Between(..), Some(v), _, _) => {
            let side = match (last > first, lang) {
                (true, Lang::En) => "at and above",
                (false, Lang::En) => "at and below",
                (true, Lang::Da) => "ved og over",
                (false, Lang::Da) => "ved og under",
            };
            format!("{name} {goal_text} {side} `{key}` = {}", value(lang, v))
        }
        (Crossing::AlwaysBelow, _, None, Lang::En) => format!(
            "{name} does not break even anywhere from {a} to {b} (expected net municipal effect {ends}); a wider \
             range: --threshold '{key}=FROM..TO'"
        ),
        (Crossing::AlwaysBelow, _, None, Lang::Da) => format!(
            "{name} er ikke tjent hjem nogen steder fra {a} til {b} (forventet nettoeffekt for kommunen {ends}); et \
             bredere interval: --threshold '{key}=FRA..TIL'"
        ),
        (Crossing::AlwaysAbove, _, None, Lang::En) => {
            format!("{name} saves money everywhere from {a} to {b} (expected net municipal effect {ends})")
        }
        (Crossing::AlwaysAbove, _, None, Lang::Da) => {
            format!("{name} sparer penge overalt fra {a} til {b} (forventet nettoeffekt for kommunen {ends})")
        }
        (Crossing::AlwaysBelow, _, Some(ti), Lang::En) => format!(
            "{name} does not meet `{}` with probability {wanted} anywhere from {a} to {b} (P(met) {ends})",
            target(ti)
        ),
        (Crossing::AlwaysBelow, _, Some(ti), Lang::Da) => format!(
            "{name} når ikke `{}` med sandsynlighed {wanted} nogen steder fra {a} til {b} (P(nået) {ends})",
            target(ti)
        ),
        (Crossing::AlwaysAbove, _, Some(ti), Lang::En) => format!(
            "{name} meets `{}` with probability {wanted} or more everywhere from {a} to {b} (P(met) {ends})",
            target(ti)
        ),
        (Crossing::AlwaysAbove, _, Some(ti), Lang::Da) => format!(
            "{name} når `{}` med sandsynlighed {wanted} eller mere overalt fra {a} til {b} (P(nået) {ends})",
            target(ti)
        ),
        (_, _, _, Lang::En) => format!("{name} {goal_text}: not defined on this range"),
        (_, _, _, Lang::Da) => format!("{name} {goal_text}: ikke defineret på dette interval"),
    }
}

/// The grid: the expected net effect of each option, and the best option.
fn grid(o: &mut String, lang: Lang, s: &SensitivityRun, g: &Grid) {
    let names = candidate_names(lang, s);
    let (n0, n1) = (g.levels[0].len(), g.levels[1].len());
    let (across, down) = (g.keys[0].name(), g.keys[1].name());
    let _ = match lang {
        Lang::En => writeln!(
            o,
            "\nTwo-way: `{across}` across, `{down}` down; the other uncertain parameters at their means"
        ),
        Lang::Da => writeln!(
            o,
            "\nTo ad gangen: `{across}` vandret, `{down}` lodret; de øvrige usikre parametre på deres middelværdi"
        ),
    };
    let w = 13usize.max(names.iter().map(|n| n.chars().count()).max().unwrap_or(0) + 1);
    let header: String = g.levels[0].iter().map(|v| format!("{:>w$}", value(lang, *v))).collect();
    for (oi, option) in s.run.options.iter().enumerate() {
        let what = lang.pick("expected net municipal effect, DKK", "forventet nettoeffekt for kommunen, kr.");
        let _ = writeln!(o, "  {}: {what}", option.name);
        let _ = writeln!(o, "  {:>12}{header}", "");
        for j in 0..n1 {
            let row: String =
                (0..n0).map(|i| format!("{:>w$}", lang.amount(g.cells[j * n0 + i][oi].0))).collect();
            let _ = writeln!(o, "  {:>12}{row}", value(lang, g.levels[1][j]));
        }
    }
    let _ = writeln!(
        o,
        "  {}",
        lang.pick(
            "Best (highest expected net municipal effect; the baseline counts 0)",
            "Bedst (højeste forventede nettoeffekt for kommunen; basislinjen tæller 0)"
        )
    );
    let _ = writeln!(o, "  {:>12}{header}", "");
    for j in 0..n1 {
        let row: String = (0..n0).map(|i| format!("{:>w$}", names[best_of(&g.cells[j * n0 + i])])).collect();
        let _ = writeln!(o, "  {:>12}{row}", value(lang, g.levels[1][j]));
    }
}
