//! The HTML report (`--format html`) of a results folder: one self-contained page
//! (inline CSS, charts as inline SVG; no scripts, fonts or fetched assets) that prints
//! well in black and white, in English or Danish. It opens with the numbers a committee
//! asks for, in sentences, with what we don't know and what chance does said apart;
//! then the charts, each with a title stating its finding, axis labels with units and a
//! footer saying what made the figures; then the assumptions register.

pub mod charts;
pub mod compare;
pub mod headline;
pub mod probabilities;
pub mod sensitivity;
pub mod sweep;
pub mod xy;

use crate::report::folder::tables::{Table, Value};
use crate::report::folder::{FolderKind, ResultsFolder};
use crate::report::lang::Lang;
use crate::report::register::{figure, register};
use charts::{Labels, Line, Panel, Series};
use std::fmt::Write;

/// The page's style: plain type, thin rules, nothing that needs colour to be read.
const STYLE: &str = "body{font-family:Georgia,'Times New Roman',serif;color:#000;background:#fff;\
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #000;margin-top:2rem}\
.meta{color:#444;font-size:.9rem}ul.headline li{margin:.4rem 0}\
figure{margin:1.5rem 0;page-break-inside:avoid;break-inside:avoid}figure svg{max-width:100%;height:auto}\
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border:1px solid #777;padding:.25rem .4rem;\
text-align:left;vertical-align:top}th{background:#eee}tr{page-break-inside:avoid}\
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}}";

/// Text made safe to put into HTML: `&`, `<`, `>` and quotes escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What a page shows between its title and its assumptions register: the sentences of
/// its first section, its charts (each an element id and an SVG document) and its tables
/// (HTML, each with its heading).
#[derive(Debug, Default)]
pub struct Page {
    /// The numbers a committee asks for, in sentences.
    pub brief: Vec<String>,
    /// The charts, in order.
    pub charts: Vec<(&'static str, String)>,
    /// The tables, in order.
    pub tables: Vec<String>,
}

/// The HTML report of a results folder in `lang`, as the text of one page: a run's
/// sentences and charts; a comparison's options side by side; a sweep's curve; a
/// sensitivity analysis's tornado; each with the assumptions register.
pub fn html(folder: &ResultsFolder, lang: Lang) -> String {
    render(folder, lang, &contents(folder, lang))
}

/// What the page of a results folder shows between its title and its register, by the
/// folder's kind.
pub fn contents(folder: &ResultsFolder, lang: Lang) -> Page {
    let footer = footer(folder, lang);
    match folder.kind {
        FolderKind::Run => Page {
            brief: headline::sentences(folder, lang),
            charts: charts(folder, lang),
            tables: Vec::new(),
        },
        FolderKind::Compare => compare::page(folder, lang, &footer),
        FolderKind::Sweep => sweep::page(folder, lang, &footer),
        FolderKind::Sensitivity => sensitivity::page(folder, lang, &footer),
    }
}

/// The page of a results folder with `body` ([`contents`] of the folder) between its
/// title and its assumptions register.
pub fn render(folder: &ResultsFolder, lang: Lang, body: &Page) -> String {
    let footer = footer(folder, lang);
    let kind = match folder.kind {
        FolderKind::Run => lang.pick("Report", "Rapport"),
        FolderKind::Compare => lang.pick("Options compared", "Muligheder sammenlignet"),
        FolderKind::Sweep => lang.pick("Sweep", "Niveauer"),
        FolderKind::Sensitivity => lang.pick("Sensitivity", "Følsomhed"),
    };
    let name = &folder.scenario.file.scenario.name;
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"/><title>{} – {}</title>\
         <style>{STYLE}</style></head><body>",
        lang.code(),
        escape(kind),
        escape(name)
    );
    let _ =
        write!(page, "<h1>{}</h1><p class=\"meta\">{} · {}</p>", escape(name), escape(kind), escape(&footer));
    page.push_str(&format!(
        "<h2>{}</h2><ul class=\"headline\">",
        escape(lang.pick("In brief", "Kort fortalt"))
    ));
    for sentence in &body.brief {
        let _ = write!(page, "<li>{}</li>", escape(sentence));
    }
    page.push_str("</ul>");
    if !body.charts.is_empty() {
        let _ = write!(page, "<h2>{}</h2>", escape(lang.pick("Charts", "Figurer")));
    }
    for (id, svg) in &body.charts {
        let _ = write!(page, "<figure id=\"{id}\">{svg}</figure>");
    }
    for table in &body.tables {
        page.push_str(table);
    }
    page.push_str(&register_table(folder, lang));
    page.push_str("</body></html>\n");
    page
}

/// `text` ended by one full stop (a Danish amount already ends with one: `0 kr.`).
pub(super) fn full_stop(text: String) -> String {
    if text.ends_with('.') { text } else { text + "." }
}

/// The number in the column `name` of a row of `table`, if it is one.
pub(super) fn cell_number(table: &Table, row: &[Value], name: &str) -> Option<f64> {
    match row.get(table.column(name)?)? {
        Value::Number(v) => Some(*v),
        _ => None,
    }
}

/// The text in the column `name` of a row of `table` (a number as written in the file).
pub(super) fn cell_text(table: &Table, row: &[Value], name: &str) -> Option<String> {
    match row.get(table.column(name)?)? {
        Value::Text(t) => Some(t.clone()),
        Value::Number(v) => Some(v.to_string()),
        Value::Empty => None,
    }
}

/// An HTML table of `rows` under `headings`, every cell escaped.
pub(super) fn table(headings: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in headings {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The footer of every chart and the line under the title: scenario file, checksum,
/// seed, replications and program version.
pub fn footer(folder: &ResultsFolder, lang: Lang) -> String {
    let p = &folder.provenance;
    let sha: String = p.scenario_sha256.chars().take(12).collect();
    format!(
        "{} {} · SHA-256 {sha}… · seed {} · {} {} · trappe {}",
        lang.pick("Scenario", "Scenarie"),
        p.scenario_path,
        p.seed,
        p.replications,
        lang.pick("replications", "replikationer"),
        p.version
    )
}

/// The months of the horizon: the last month of `monthly.csv`.
pub fn horizon(folder: &ResultsFolder) -> u32 {
    folder.monthly.iter().map(|r| r.month).max().unwrap_or(0)
}

/// The charts of a run, each as an element id and an SVG document.
fn charts(folder: &ResultsFolder, lang: Lang) -> Vec<(&'static str, String)> {
    let footer = footer(folder, lang);
    let mut out = Vec::new();
    if let Some(svg) = self_supporting_chart(folder, lang, &footer) {
        out.push(("self-supporting-share", svg));
    }
    if let Some(svg) = cumulative_chart(folder, lang, &footer) {
        out.push(("cumulative-net-effect", svg));
    }
    if let Some(svg) = probabilities::expected_effect_chart(folder, lang, &footer) {
        out.push(("expected-net-effect-distribution", svg));
    }
    if let Some(svg) = probabilities::targets_chart(folder, lang, &footer) {
        out.push(("target-probabilities", svg));
    }
    if let Some(svg) = staircase_chart(folder, lang, &footer) {
        out.push(("staircase-occupancy", svg));
    }
    out
}

/// The legends of the two arms.
fn arm_legends(lang: Lang) -> (String, String) {
    (
        lang.pick("with the scenario", "med scenariet").to_string(),
        lang.pick("without (counterfactual)", "uden (kontrafaktisk)").to_string(),
    )
}

/// The self-supporting share over time for both arms, with their bands.
fn self_supporting_chart(folder: &ResultsFolder, lang: Lang, footer: &str) -> Option<String> {
    let scenario = Series::of(&folder.monthly, "scenario", "self_supporting_share", 100.0);
    let counterfactual = Series::of(&folder.monthly, "counterfactual", "self_supporting_share", 100.0);
    if scenario.is_empty() || counterfactual.is_empty() {
        return None;
    }
    let months = horizon(folder);
    let (s, c) = (scenario.last()? / 100.0, counterfactual.last()? / 100.0);
    let title = match lang {
        Lang::En => format!(
            "After {months} months {} are self-supporting with the scenario, {} without",
            lang.percent(s),
            lang.percent(c)
        ),
        Lang::Da => format!(
            "Efter {months} måneder er {} selvforsørgende med scenariet, {} uden",
            lang.percent(s),
            lang.percent(c)
        ),
    };
    let (with, without) = arm_legends(lang);
    let lines = [
        Line { series: &scenario, legend: with, solid: true },
        Line { series: &counterfactual, legend: without, solid: false },
    ];
    let labels = Labels {
        title: &title,
        x: lang.pick("month (0 = start)", "måned (0 = start)"),
        y: lang.pick("self-supporting (% of the cohort)", "selvforsørgende (% af kohorten)"),
        footer,
    };
    Some(charts::line_chart(&labels, &lines, None, &|v| lang.fixed(v, 0)))
}

/// The first month from which the expected cumulative net effect stays at or above zero.
pub fn break_even(cumulative: &Series) -> Option<f64> {
    let last_negative = cumulative.points.iter().rposition(|p| p.1 < 0.0);
    match last_negative {
        None => cumulative.points.first().map(|p| p.0),
        Some(i) => cumulative.points.get(i + 1).map(|p| p.0),
    }
}

/// The cumulative net municipal effect with its band and its break-even month.
fn cumulative_chart(folder: &ResultsFolder, lang: Lang, footer: &str) -> Option<String> {
    let effect = Series::of(&folder.monthly, "effect", "cumulative_net_effect", 1e-6);
    let end = effect.last()?;
    let months = horizon(folder);
    let even = break_even(&effect);
    let end_text = lang.dkk(end * 1e6);
    let title = match (lang, even) {
        (Lang::En, Some(m)) => {
            format!("The net municipal effect breaks even in month {m:.0} and ends at {end_text}")
        }
        (Lang::En, None) => {
            format!(
                "The net municipal effect does not break even within {months} months; it ends at {end_text}"
            )
        }
        (Lang::Da, Some(m)) => {
            format!("Nettoeffekten for kommunen går i nul i måned {m:.0} og ender på {end_text}")
        }
        (Lang::Da, None) => {
            format!(
                "Nettoeffekten for kommunen går ikke i nul inden for {months} måneder; den ender på {end_text}"
            )
        }
    };
    let lines = [Line {
        series: &effect,
        legend: lang
            .pick("expected cumulative effect (+ = saving)", "forventet akkumuleret effekt (+ = besparelse)")
            .into(),
        solid: true,
    }];
    let marker = even.map(|m| (m, format!(" {} {m:.0}", lang.pick("break-even, month", "nulpunkt, måned"))));
    let labels = Labels {
        title: &title,
        x: lang.pick("month (0 = start)", "måned (0 = start)"),
        y: lang.pick("cumulative net effect (million DKK)", "akkumuleret nettoeffekt (mio. kr.)"),
        footer,
    };
    Some(charts::line_chart(&labels, &lines, marker, &|v| lang.fixed(v, 1)))
}

/// The label the scenario gives the state `id` (its id when it gives none), shortened to
/// fit a panel's heading.
fn state_label(folder: &ResultsFolder, id: &str) -> String {
    let label = folder.model.states.iter().find(|s| s.id == id).map_or(id, |s| s.label.as_str());
    const FITS: usize = 40;
    if label.chars().count() <= FITS {
        label.to_string()
    } else {
        let kept: String = label.chars().take(FITS - 1).collect();
        format!("{}…", kept.trim_end())
    }
}

/// The occupancy of each state of the staircase over time, both arms, one panel a state.
fn staircase_chart(folder: &ResultsFolder, lang: Lang, footer: &str) -> Option<String> {
    let mut states: Vec<&str> = Vec::new();
    for r in folder.monthly.iter().filter(|r| r.arm == "scenario") {
        if let Some(state) = r.metric.strip_prefix("occupancy:")
            && !states.contains(&state)
        {
            states.push(state);
        }
    }
    if states.is_empty() {
        return None;
    }
    let panels: Vec<Panel> = states
        .iter()
        .map(|state| {
            let metric = format!("occupancy:{state}");
            Panel {
                name: state_label(folder, state),
                scenario: Series::of(&folder.monthly, "scenario", &metric, 1.0),
                counterfactual: Series::of(&folder.monthly, "counterfactual", &metric, 1.0),
            }
        })
        .collect();
    let largest = panels
        .iter()
        .filter_map(|p| {
            let gap = p.scenario.points.iter().zip(&p.counterfactual.points).map(|(a, b)| a.1 - b.1);
            gap.max_by(|a, b| a.abs().total_cmp(&b.abs())).map(|g| (p.name.as_str(), g))
        })
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
    let title = match (lang, largest) {
        (Lang::En, Some((state, gap))) => format!(
            "Where the citizens are each month: the arms differ most in {state} ({} citizens)",
            lang.signed_fixed(gap, 1)
        ),
        (Lang::Da, Some((state, gap))) => format!(
            "Hvor borgerne er hver måned: forløbene adskiller sig mest i {state} ({} borgere)",
            lang.signed_fixed(gap, 1)
        ),
        (_, None) => lang.pick("Where the citizens are each month", "Hvor borgerne er hver måned").into(),
    };
    let labels = Labels {
        title: &title,
        x: lang.pick("month (0 = start)", "måned (0 = start)"),
        y: lang.pick(
            "citizens in the state (solid: with the scenario, dashed: without)",
            "borgere i tilstanden (fuldt optrukket: med scenariet, stiplet: uden)",
        ),
        footer,
    };
    Some(charts::panels_chart(&labels, &panels))
}

/// The assumptions register as a table: every parameter with its distribution, the
/// value used, its source and grade.
fn register_table(folder: &ResultsFolder, lang: Lang) -> String {
    let headings = [
        lang.pick("Parameter", "Parameter"),
        lang.pick("Distribution", "Fordeling"),
        lang.pick("Value used (90 % range)", "Anvendt værdi (90 %-interval)"),
        lang.pick("Source", "Kilde"),
        lang.pick("Grade", "Kildens styrke"),
    ];
    let rows: Vec<Vec<String>> = register(&folder.scenario, &folder.model)
        .iter()
        .map(|row| {
            vec![
                row.key.clone(),
                row.distribution_words(lang),
                format!("{} ({} – {})", figure(lang, row.mean), figure(lang, row.p05), figure(lang, row.p95)),
                row.source_words(lang),
                row.grade_words(lang),
            ]
        })
        .collect();
    format!(
        "<h2>{}</h2><p>{}</p>{}",
        escape(lang.pick("Assumptions register", "Forudsætninger")),
        escape(lang.pick(
            "Every parameter the model draws: its distribution, the value used (its mean and 90 % range), its source and grade.",
            "Hver parameter, modellen trækker: dens fordeling, den anvendte værdi (middelværdi og 90 %-interval), kilde og kildens styrke.",
        )),
        table(&headings, &rows)
    )
}
