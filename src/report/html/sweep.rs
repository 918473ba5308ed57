//! The HTML report of a sweep (`trappe sweep`): the expected net municipal effect and
//! the extra self-supporting citizens at every level of the lever, with their bands over
//! what we don't know, and the levels' table.

use super::charts::Labels;
use super::xy::{Curve, curves_chart};
use super::{Page, cell_number, escape, full_stop, table as html_table};
use crate::report::folder::ResultsFolder;
use crate::report::folder::tables::{Table, Value};
use crate::report::lang::Lang;
use crate::report::register::figure;

/// The swept keys: the columns of `sweep.csv` before its first figure.
fn keys(table: &Table) -> Vec<String> {
    let first = table.column("self_supporting_share").unwrap_or(0);
    table.columns[..first].to_vec()
}

/// A level's value of a key, when it is a number.
fn level(table: &Table, row: &[Value], key: &str) -> Option<f64> {
    cell_number(table, row, key)
}

/// The page of a sweep folder.
pub(super) fn page(folder: &ResultsFolder, lang: Lang, footer: &str) -> Page {
    let Some(table) = folder.sweep_levels.as_ref() else {
        return Page::default();
    };
    let keys = keys(table);
    let Some(first) = keys.first() else {
        return Page::default();
    };
    let mut page = Page { brief: brief(table, &keys, lang), ..Page::default() };
    let measures = [
        (
            "sweep-net-effect",
            "net_municipal_effect",
            1e-6,
            lang.pick(
                "expected net municipal effect (million DKK, + = saving)",
                "forventet nettoeffekt for kommunen (mio. kr., + = besparelse)",
            ),
        ),
        (
            "sweep-extra-self-supporting",
            "extra_self_supporting",
            1.0,
            lang.pick(
                "extra self-supporting citizens at the end",
                "flere selvforsørgende borgere ved slutningen",
            ),
        ),
    ];
    for (id, measure, scale, y) in measures {
        if let Some(svg) = sweep_chart(table, &keys, first, measure, scale, y, lang, footer) {
            page.charts.push((id, svg));
        }
    }
    page.tables.push(levels_table(table, &keys, lang));
    page
}

/// The curve of `measure` over the levels of `first`, with its band over what we don't
/// know (one curve per level of the second key of a grid, without bands).
#[allow(clippy::too_many_arguments)]
fn sweep_chart(
    table: &Table,
    keys: &[String],
    first: &str,
    measure: &str,
    scale: f64,
    y: &str,
    lang: Lang,
    footer: &str,
) -> Option<String> {
    let (low, high) = (format!("{measure}_expected_p05"), format!("{measure}_expected_p95"));
    let point = |row: &Vec<Value>, band: bool| {
        let x = level(table, row, first)?;
        let v = cell_number(table, row, measure)? * scale;
        let (a, b) = if band {
            (
                cell_number(table, row, &low).map(|v| v * scale),
                cell_number(table, row, &high).map(|v| v * scale),
            )
        } else {
            (None, None)
        };
        Some((x, v, a, b))
    };
    let curves: Vec<Curve> = match keys.get(1) {
        None => vec![Curve {
            points: table.rows.iter().filter_map(|r| point(r, true)).collect(),
            legend: String::new(),
        }],
        Some(second) => {
            let mut levels: Vec<f64> = table.rows.iter().filter_map(|r| level(table, r, second)).collect();
            levels.dedup();
            levels.sort_by(f64::total_cmp);
            levels.dedup();
            levels
                .iter()
                .map(|l| Curve {
                    points: table
                        .rows
                        .iter()
                        .filter(|r| level(table, r, second) == Some(*l))
                        .filter_map(|r| point(r, false))
                        .collect(),
                    legend: format!("{second} = {}", figure(lang, *l)),
                })
                .collect()
        }
    };
    let (x, v) =
        curves.iter().flat_map(|c| c.points.iter()).map(|p| (p.0, p.1)).max_by(|a, b| a.1.total_cmp(&b.1))?;
    let shown = if scale == 1.0 { lang.fixed(v, 1) } else { lang.dkk(v / scale) };
    let title = match (measure, lang) {
        ("net_municipal_effect", Lang::En) => {
            format!("The expected net municipal effect is highest at {first} = {}: {shown}", figure(lang, x))
        }
        ("net_municipal_effect", Lang::Da) => {
            format!(
                "Den forventede nettoeffekt for kommunen er højest ved {first} = {}: {shown}",
                figure(lang, x)
            )
        }
        (_, Lang::En) => {
            format!("Most extra self-supporting citizens at {first} = {}: {shown}", figure(lang, x))
        }
        (_, Lang::Da) => format!("Flest ekstra selvforsørgende ved {first} = {}: {shown}", figure(lang, x)),
    };
    let x_label = lang.pick("level of", "niveau af");
    let x_label = format!("{x_label} {first}");
    let labels = Labels { title: &title, x: &x_label, y, footer };
    let decimals = if scale == 1.0 { 0 } else { 1 };
    Some(curves_chart(&labels, &curves, &|v| figure(lang, v), &|v| lang.fixed(v, decimals), None))
}

/// The sweep in sentences: what was varied, where the expected effect is highest, and
/// where it turns into a saving.
fn brief(table: &Table, keys: &[String], lang: Lang) -> Vec<String> {
    let first = &keys[0];
    let levels: Vec<f64> = table.rows.iter().filter_map(|r| level(table, r, first)).collect();
    let (Some(lo), Some(hi)) =
        (levels.iter().copied().reduce(f64::min), levels.iter().copied().reduce(f64::max))
    else {
        return Vec::new();
    };
    let mut out = vec![match (keys.get(1), lang) {
        (None, Lang::En) => format!(
            "The scenario at {} levels of {first}, from {} to {}, each against the same counterfactual on the same \
             citizens and random numbers (+ = saving).",
            table.rows.len(),
            figure(lang, lo),
            figure(lang, hi)
        ),
        (None, Lang::Da) => format!(
            "Scenariet ved {} niveauer af {first}, fra {} til {}, hvert over for det samme kontrafaktiske forløb \
             på de samme borgere og tilfældige tal (+ = besparelse).",
            table.rows.len(),
            figure(lang, lo),
            figure(lang, hi)
        ),
        (Some(second), Lang::En) => format!(
            "The scenario at {} combinations of {first} and {second}, each against the same counterfactual on the \
             same citizens and random numbers (+ = saving).",
            table.rows.len()
        ),
        (Some(second), Lang::Da) => format!(
            "Scenariet ved {} kombinationer af {first} og {second}, hver over for det samme kontrafaktiske forløb \
             på de samme borgere og tilfældige tal (+ = besparelse).",
            table.rows.len()
        ),
    }];
    let effect = |r: &Vec<Value>| cell_number(table, r, "net_municipal_effect");
    let at = |r: &Vec<Value>| {
        keys.iter()
            .map(|k| {
                format!(
                    "{k} = {}",
                    level(table, r, k).map_or_else(|| lang.not_available().into(), |v| figure(lang, v))
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(best) = table
        .rows
        .iter()
        .filter(|r| effect(r).is_some())
        .max_by(|a, b| effect(a).unwrap_or(0.0).total_cmp(&effect(b).unwrap_or(0.0)))
    {
        let interval = match (
            cell_number(table, best, "net_municipal_effect_expected_p05"),
            cell_number(table, best, "net_municipal_effect_expected_p95"),
        ) {
            // A level that changes nothing has no interval to give.
            (Some(a), Some(b)) if a != b => match lang {
                Lang::En => {
                    format!(" (90 % interval over what we don't know {} to {})", lang.dkk(a), lang.dkk(b))
                }
                Lang::Da => {
                    format!(" (90 %-interval over det, vi ikke ved, {} til {})", lang.dkk(a), lang.dkk(b))
                }
            },
            _ => String::new(),
        };
        let value = lang.dkk(effect(best).unwrap_or(0.0));
        out.push(match lang {
            Lang::En => full_stop(format!(
                "The expected net municipal effect is highest at {}: {value}{interval}",
                at(best)
            )),
            Lang::Da => full_stop(format!(
                "Den forventede nettoeffekt for kommunen er højest ved {}: {value}{interval}",
                at(best)
            )),
        });
    }
    if keys.len() == 1 {
        let saving: Vec<&Vec<Value>> =
            table.rows.iter().filter(|r| effect(r).is_some_and(|v| v > 0.0)).collect();
        out.push(match (saving.len(), lang) {
            (0, Lang::En) => "At no level is the expected net municipal effect a saving.".to_string(),
            (0, Lang::Da) => {
                "Ved intet niveau er den forventede nettoeffekt for kommunen en besparelse.".to_string()
            }
            (n, Lang::En) if n == table.rows.len() => {
                "At every level the expected net municipal effect is a saving.".to_string()
            }
            (n, Lang::Da) if n == table.rows.len() => {
                "Ved alle niveauer er den forventede nettoeffekt for kommunen en besparelse.".to_string()
            }
            (_, Lang::En) => format!(
                "The expected net municipal effect is a saving at {}.",
                saving.iter().map(|r| at(r)).collect::<Vec<_>>().join("; ")
            ),
            (_, Lang::Da) => format!(
                "Den forventede nettoeffekt for kommunen er en besparelse ved {}.",
                saving.iter().map(|r| at(r)).collect::<Vec<_>>().join("; ")
            ),
        });
    }
    out
}

/// The levels' table: the keys, the self-supporting share, the extra self-supporting,
/// the expected net municipal effect with its interval, the probability it is a saving.
fn levels_table(table: &Table, keys: &[String], lang: Lang) -> String {
    let na = || lang.not_available().to_string();
    let number = |r: &Vec<Value>, c: &str| cell_number(table, r, c);
    let mut headings: Vec<&str> = keys.iter().map(String::as_str).collect();
    headings.extend([
        lang.pick("Self-supporting share", "Andel selvforsørgende"),
        lang.pick("Extra self-supporting", "Flere selvforsørgende"),
        lang.pick("Expected net municipal effect", "Forventet nettoeffekt"),
        lang.pick("90 % over what we don't know", "90 % over det, vi ikke ved"),
        lang.pick("P(expected effect is a saving)", "P(forventet effekt er en besparelse)"),
    ]);
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| {
            let mut cells: Vec<String> =
                keys.iter().map(|k| number(r, k).map_or_else(na, |v| figure(lang, v))).collect();
            let range = match (
                number(r, "net_municipal_effect_expected_p05"),
                number(r, "net_municipal_effect_expected_p95"),
            ) {
                (Some(a), Some(b)) => format!("{} – {}", lang.amount(a), lang.amount(b)),
                _ => na(),
            };
            cells.extend([
                number(r, "self_supporting_share").map_or_else(na, |v| lang.percent(v)),
                number(r, "extra_self_supporting").map_or_else(na, |v| lang.fixed(v, 1)),
                number(r, "net_municipal_effect").map_or_else(na, |v| lang.dkk(v)),
                range,
                number(r, "probability_expected_favourable").map_or_else(na, |v| lang.percent(v)),
            ]);
            cells
        })
        .collect();
    format!("<h2>{}</h2>{}", escape(lang.pick("The levels", "Niveauerne")), html_table(&headings, &rows))
}
