//! The HTML report of a comparison (`trappe compare`): the options side by side on one
//! baseline, each option's expected net municipal effect with its interval over what we
//! don't know and with chance; the acceptability curve; and the options' table.

use super::charts::Labels;
use super::xy::{Curve, Interval, curves_chart, intervals_chart};
use super::{Page, cell_number, cell_text, escape, full_stop, table};
use crate::report::folder::ResultsFolder;
use crate::report::folder::tables::{AcceptabilityRow, Table};
use crate::report::lang::Lang;

/// The name of a candidate in `lang`: the baseline's translated, an option's as given.
pub(super) fn candidate_name(lang: Lang, name: &str) -> String {
    if name == "baseline" { lang.pick("baseline", "basislinje").to_string() } else { name.to_string() }
}

/// One option of `compare_options.csv` (the baseline's row left out).
struct OptionRow {
    name: String,
    extra_staff_cost: Option<f64>,
    extra_self_supporting: Option<f64>,
    effect: Option<f64>,
    realised: Option<(f64, f64)>,
    expected: Option<(f64, f64)>,
    chance_sd: Option<f64>,
    favourable: Option<f64>,
    best: Option<f64>,
    cost_per_citizen: Option<f64>,
}

/// The options of `compare_options.csv` in its order, the baseline left out.
fn options(table: &Table) -> Vec<OptionRow> {
    let pair = |row: &[_], a: &str, b: &str| Some((cell_number(table, row, a)?, cell_number(table, row, b)?));
    table
        .rows
        .iter()
        .filter(|row| cell_text(table, row, "option").is_some_and(|n| n != "baseline"))
        .map(|row| OptionRow {
            name: cell_text(table, row, "option").unwrap_or_default(),
            extra_staff_cost: cell_number(table, row, "extra_staff_cost"),
            extra_self_supporting: cell_number(table, row, "extra_self_supporting"),
            effect: cell_number(table, row, "net_municipal_effect"),
            realised: pair(row, "net_municipal_effect_p05", "net_municipal_effect_p95"),
            expected: pair(row, "expected_p05", "expected_p95"),
            chance_sd: cell_number(table, row, "chance_sd"),
            favourable: cell_number(table, row, "probability_expected_favourable"),
            best: cell_number(table, row, "probability_best"),
            cost_per_citizen: cell_number(table, row, "cost_per_extra_self_supporting"),
        })
        .collect()
}

/// The probability that the baseline (no option) is best, from `compare_options.csv`.
fn baseline_best(table: &Table) -> Option<f64> {
    let row = table.rows.iter().find(|row| cell_text(table, row, "option").as_deref() == Some("baseline"))?;
    cell_number(table, row, "probability_best")
}

/// The page of a comparison folder.
pub(super) fn page(folder: &ResultsFolder, lang: Lang, footer: &str) -> Page {
    let Some(table) = folder.options.as_ref() else {
        return Page::default();
    };
    let options = options(table);
    let mut page = Page { brief: brief(&options, baseline_best(table), lang), ..Page::default() };
    if let Some(svg) = options_chart(&options, lang, footer) {
        page.charts.push(("options-net-effect", svg));
    }
    if let Some(svg) = acceptability_chart(&folder.acceptability, lang, footer) {
        page.charts.push(("acceptability-curve", svg));
    }
    page.tables.push(options_table(&options, lang));
    page
}

/// The comparison in sentences: one per option, then which is most likely best.
fn brief(options: &[OptionRow], baseline_best: Option<f64>, lang: Lang) -> Vec<String> {
    let mut out = vec![match lang {
        Lang::En => format!(
            "{} options against one baseline, each on the same citizens, parameter draws and random numbers; \
             effects are differences from the baseline (+ = saving).",
            options.len()
        ),
        Lang::Da => format!(
            "{} muligheder over for én basislinje, hver på de samme borgere, træk af parametrene og \
             tilfældige tal; effekter er forskelle fra basislinjen (+ = besparelse).",
            options.len()
        ),
    }];
    for o in options {
        let (Some(effect), Some(cost)) = (o.effect, o.extra_staff_cost) else { continue };
        // An option that changes nothing has no interval to give.
        let interval = o.expected.filter(|(a, b)| a != b).map_or(String::new(), |(a, b)| match lang {
            Lang::En => {
                format!(" (90 % interval over what we don't know {} to {})", lang.dkk(a), lang.dkk(b))
            }
            Lang::Da => {
                format!(" (90 %-interval over det, vi ikke ved, {} til {})", lang.dkk(a), lang.dkk(b))
            }
        });
        let chance = o.chance_sd.map_or(String::new(), |sd| match lang {
            Lang::En => format!("; by chance alone one cohort lands ± {} around it", lang.dkk(sd)),
            Lang::Da => format!("; alene ved tilfældighed lander én kohorte ± {} omkring den", lang.dkk(sd)),
        });
        let citizens = o.extra_self_supporting.map_or(String::new(), |n| match lang {
            Lang::En => format!(", {} extra self-supporting citizens", lang.fixed(n, 1)),
            Lang::Da => format!(", {} flere selvforsørgende borgere", lang.fixed(n, 1)),
        });
        out.push(full_stop(match lang {
            Lang::En => format!(
                "{}: extra staff cost {}{citizens}, expected net municipal effect {}{interval}{chance}",
                o.name,
                lang.dkk(cost),
                lang.dkk(effect)
            ),
            Lang::Da => format!(
                "{}: ekstra personaleudgift {}{citizens}, forventet nettoeffekt for kommunen {}{interval}{chance}",
                o.name,
                lang.dkk(cost),
                lang.dkk(effect)
            ),
        }));
    }
    let best = options
        .iter()
        .filter_map(|o| Some((o.name.clone(), o.best?)))
        .chain(baseline_best.map(|p| (candidate_name(lang, "baseline"), p)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((name, p)) = best {
        out.push(match lang {
            Lang::En => format!(
                "Over what we don't know, {name} has the highest expected net municipal effect in {} of the \
                 parameter draws (the baseline counting 0).",
                lang.percent(p)
            ),
            Lang::Da => format!(
                "Ud fra det, vi ikke ved, har {name} den højeste forventede nettoeffekt for kommunen i {} af \
                 trækkene af parametrene (basislinjen tæller 0).",
                lang.percent(p)
            ),
        });
    }
    out
}

/// The options' expected net municipal effects side by side, in million DKK, each with
/// its interval over what we don't know (bar) and with chance (whisker).
fn options_chart(options: &[OptionRow], lang: Lang, footer: &str) -> Option<String> {
    let rows: Vec<Interval> = options
        .iter()
        .filter_map(|o| {
            Some(Interval {
                name: o.name.clone(),
                value: o.effect? / 1e6,
                inner: o.expected.map(|(a, b)| (a / 1e6, b / 1e6)),
                outer: o.realised.map(|(a, b)| (a / 1e6, b / 1e6)),
            })
        })
        .collect();
    let top = options.iter().filter(|o| o.effect.is_some()).max_by(|a, b| {
        a.effect.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.effect.unwrap_or(f64::NEG_INFINITY))
    })?;
    let effect = lang.dkk(top.effect?);
    let title = match lang {
        Lang::En => format!("{} has the highest expected net municipal effect: {effect}", top.name),
        Lang::Da => format!("{} har den højeste forventede nettoeffekt for kommunen: {effect}", top.name),
    };
    let labels = Labels {
        title: &title,
        x: lang.pick(
            "net municipal effect against the baseline (million DKK, + = saving)",
            "nettoeffekt for kommunen mod basislinjen (mio. kr., + = besparelse)",
        ),
        y: "",
        footer,
    };
    let legend = [
        lang.pick("expected", "forventet"),
        lang.pick("90 % over what we don't know", "90 % over det, vi ikke ved"),
        lang.pick("90 % with chance", "90 % med tilfældighed"),
    ];
    Some(intervals_chart(&labels, &rows, legend, &|v| lang.fixed(v, 1)))
}

/// The acceptability curve of a comparison or a sensitivity analysis: for each price put
/// on an extra self-supporting citizen, the probability that each candidate is best over
/// what we don't know.
pub(super) fn acceptability_chart(rows: &[AcceptabilityRow], lang: Lang, footer: &str) -> Option<String> {
    let rows: Vec<&AcceptabilityRow> =
        rows.iter().filter(|r| r.valued == "extra_self_supporting" && r.basis == "expected").collect();
    let mut names: Vec<&str> = Vec::new();
    for r in &rows {
        if !names.contains(&r.option.as_str()) {
            names.push(&r.option);
        }
    }
    let curves: Vec<Curve> = names
        .iter()
        .map(|name| Curve {
            points: rows
                .iter()
                .filter(|r| r.option == *name)
                .filter_map(|r| Some((r.willingness_to_pay? / 1e3, r.probability_best? * 100.0, None, None)))
                .collect(),
            legend: candidate_name(lang, name),
        })
        .filter(|c| !c.points.is_empty())
        .collect();
    if curves.is_empty() {
        return None;
    }
    // The title: which candidate is most likely best at the highest price shown.
    let (leader, p) = curves
        .iter()
        .filter_map(|c| Some((c.legend.as_str(), c.points.last()?.1)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let price = curves.iter().filter_map(|c| c.points.last()).map(|p| p.0).fold(0.0, f64::max);
    let price = lang.dkk(price * 1e3);
    let share = lang.percent(p / 100.0);
    let title = match lang {
        Lang::En => format!(
            "Valuing an extra self-supporting citizen at {price}, {leader} is best in {share} of draws"
        ),
        Lang::Da => format!(
            "Med {price} for en ekstra selvforsørgende borger er {leader} bedst i {share} af trækkene"
        ),
    };
    let labels = Labels {
        title: &title,
        x: lang.pick(
            "value put on an extra self-supporting citizen (thousand DKK)",
            "værdi sat på en ekstra selvforsørgende borger (tusind kr.)",
        ),
        y: lang.pick("probability of being best (%)", "sandsynlighed for at være bedst (%)"),
        footer,
    };
    Some(curves_chart(&labels, &curves, &|v| lang.fixed(v, 0), &|v| lang.fixed(v, 0), Some((0.0, 100.0))))
}

/// The options' table: cost, outcome, expected effect with both intervals, probabilities.
fn options_table(options: &[OptionRow], lang: Lang) -> String {
    let na = || lang.not_available().to_string();
    let amount = |v: Option<f64>| v.map_or_else(na, |v| lang.dkk(v));
    let range = |r: Option<(f64, f64)>| {
        r.map_or_else(na, |(a, b)| format!("{} – {}", lang.amount(a), lang.amount(b)))
    };
    let share = |v: Option<f64>| v.map_or_else(na, |v| lang.percent(v));
    let headings = [
        lang.pick("Option", "Mulighed"),
        lang.pick("Extra staff cost", "Ekstra personaleudgift"),
        lang.pick("Extra self-supporting", "Flere selvforsørgende"),
        lang.pick("Expected net municipal effect", "Forventet nettoeffekt"),
        lang.pick("90 % over what we don't know", "90 % over det, vi ikke ved"),
        lang.pick("90 % with chance", "90 % med tilfældighed"),
        lang.pick("P(expected effect is a saving)", "P(forventet effekt er en besparelse)"),
        lang.pick("P(best)", "P(bedst)"),
        lang.pick("Staff cost per extra self-supporting", "Personaleudgift pr. ekstra selvforsørgende"),
    ];
    let rows: Vec<Vec<String>> = options
        .iter()
        .map(|o| {
            vec![
                o.name.clone(),
                amount(o.extra_staff_cost),
                o.extra_self_supporting.map_or_else(na, |v| lang.fixed(v, 1)),
                amount(o.effect),
                range(o.expected),
                range(o.realised),
                share(o.favourable),
                share(o.best),
                amount(o.cost_per_citizen),
            ]
        })
        .collect();
    format!("<h2>{}</h2>{}", escape(lang.pick("The options", "Mulighederne")), table(&headings, &rows))
}
