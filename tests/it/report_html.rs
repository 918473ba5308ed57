//! `trappe report --format html`: one self-contained, well-formed page with the
//! headline sentences, a chart per named figure as inline SVG, and the assumptions
//! register, for a run, a comparison, a sweep and a sensitivity analysis; no scripts and
//! nothing fetched; Danish and English kept apart; titles that state the folder's figures.

use crate::common::{ok, repo};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::path::Path;

/// Runs the default scenario with 20 replications into `dir/run` and returns the folder.
fn run_folder(dir: &Path) -> std::path::PathBuf {
    let scenario = repo().join("scenarios/staircase-default.toml");
    let out = dir.join("run");
    ok(&["run", scenario.to_str().unwrap(), "-n", "20", "-o", out.to_str().unwrap()], dir);
    out
}

/// Parses `html` as XML, failing on any unbalanced or mismatched tag, and returns the
/// names of its elements in order.
fn elements(html: &str) -> Vec<String> {
    let body = html.strip_prefix("<!DOCTYPE html>").expect("the page starts with <!DOCTYPE html>");
    let mut reader = Reader::from_str(body);
    reader.config_mut().check_end_names = true;
    let mut names = Vec::new();
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                names.push(e.name().into_inner().to_owned());
            }
            Ok(Event::Empty(e)) => names.push(e.name().into_inner().to_owned()),
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the page is not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    names
}

/// The page of `--lang lang` of a results folder, written to `dir/report-<lang>.html`.
pub(crate) fn page(folder: &Path, dir: &Path, lang: &str) -> String {
    let out = dir.join(format!("report-{lang}.html"));
    ok(
        &[
            "report",
            folder.to_str().unwrap(),
            "--format",
            "html",
            "--lang",
            lang,
            "-o",
            out.to_str().unwrap(),
        ],
        dir,
    );
    std::fs::read_to_string(&out).unwrap()
}

/// The charts of a run of the default scenario (which has targets), by element id.
const CHARTS: [&str; 5] = [
    "self-supporting-share",
    "cumulative-net-effect",
    "expected-net-effect-distribution",
    "target-probabilities",
    "staircase-occupancy",
];

#[test]
fn the_html_report_of_a_run_is_one_well_formed_page_with_its_charts_and_register() {
    let dir = tempfile::tempdir().unwrap();
    let folder = run_folder(dir.path());
    for lang in ["en", "da"] {
        let html = page(&folder, dir.path(), lang);
        let names = elements(&html);
        assert_eq!(names.first().map(String::as_str), Some("html"));
        for chart in CHARTS {
            let at = html
                .find(&format!("<figure id=\"{chart}\">"))
                .unwrap_or_else(|| panic!("{lang}: no {chart}"));
            assert!(
                html[at..].starts_with(&format!("<figure id=\"{chart}\"><svg")),
                "{lang}: {chart} has no inline SVG"
            );
        }
        assert_eq!(names.iter().filter(|n| *n == "svg").count(), CHARTS.len(), "{lang}");
        assert!(
            html.contains("budget.staff_cost_per_fte_year"),
            "{lang}: the register lists every parameter"
        );
        assert!(names.iter().any(|n| n == "table"), "{lang}: the register is a table");
        assert!(!html.to_ascii_lowercase().contains("<script"), "{lang}: a script");
        for attribute in ["src=", "href="] {
            for (at, _) in html.match_indices(attribute) {
                let value = &html[at + attribute.len()..];
                assert!(
                    !value.trim_start_matches(['"', '\'']).starts_with("http"),
                    "{lang}: fetches {value:.60}"
                );
            }
        }
        assert!(!html.contains("@import") && !html.contains("url("), "{lang}: CSS fetches something");
        let footer =
            format!("seed 20240101 · 20 {}", if lang == "da" { "replikationer" } else { "replications" });
        assert!(html.matches(&footer).count() > CHARTS.len(), "{lang}: every chart has its footer");
    }
}

/// The text of every SVG `<text>` element of `html`, unescaped as a reader sees it.
fn chart_texts(html: &str) -> Vec<String> {
    html.split("<text")
        .skip(1)
        .filter_map(|piece| piece.split_once('>').and_then(|(_, rest)| rest.split_once("</text>")))
        .map(|(text, _)| {
            text.trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&apos;", "'")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn the_probability_charts_show_the_run_s_decision_figure_and_target_probabilities() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/copenhagen-2007-job-consultant-pool.toml");
    let folder = dir.path().join("run");
    let terminal =
        ok(&["run", scenario.to_str().unwrap(), "-n", "100", "-o", folder.to_str().unwrap()], dir.path());
    let html = page(&folder, dir.path(), "en");
    let texts = chart_texts(&html);

    // The decision figure of the terminal summary is the share of the histogram's title.
    let favourable = terminal
        .lines()
        .find_map(|l| {
            l.trim().strip_prefix("probability that the expected net municipal effect is favourable: ")
        })
        .expect("the terminal gives the decision figure")
        .trim();
    let title = texts
        .iter()
        .find(|t| t.starts_with("Over what we don't know, the expected net municipal effect"))
        .expect("the distribution chart states the share above zero");
    assert!(title.contains(&format!("a saving in {favourable} of the draws")), "{title} vs {favourable}");

    // Each target's bars carry summary.csv's probabilities, with and without.
    let summary = std::fs::read_to_string(folder.join("summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (metric, arm, mean) = (column("metric"), column("arm"), column("mean"));
    let mut bars = 0;
    for row in reader.records().map(Result::unwrap) {
        if !row[metric].ends_with("_probability") || row[arm] == *"difference" {
            continue;
        }
        let p: f64 = row[mean].parse().unwrap();
        let legend = if row[arm] == *"scenario" { "with" } else { "without" };
        let label = format!("{legend}: {:.1} %", 100.0 * p);
        assert!(texts.contains(&label), "no bar labelled {label:?} in {texts:?}");
        bars += 1;
    }
    assert_eq!(bars, 6, "three targets, two arms");
}

/// English words of the report that a Danish report must not hold, and the reverse.
const ENGLISH: [&str; 12] = [
    "In brief",
    "Charts",
    "Assumptions register",
    "Distribution",
    "Source",
    "replications",
    "self-supporting",
    "with the scenario",
    "month",
    "net municipal effect",
    "chance",
    "default (not in the scenario file)",
];
const DANISH: [&str; 12] = [
    "Kort fortalt",
    "Figurer",
    "Forudsætninger",
    "Fordeling",
    "Kilde",
    "replikationer",
    "selvforsørgende",
    "med scenariet",
    "måned",
    "nettoeffekt",
    "tilfældighed",
    "standardværdi (ikke i scenariefilen)",
];

/// The page without the scenario's own text (its name, the labels of its states and
/// targets, whole or shortened, and the parameter keys of the register's first column),
/// which is in whatever language the scenario file is written, and without the charts'
/// element ids, which no reader sees.
fn own_words(html: &str) -> String {
    let scenario = std::fs::read_to_string(repo().join("scenarios/staircase-default.toml")).unwrap();
    let mut html = html.to_string();
    for line in scenario.lines() {
        let Some((key, value)) = line.split_once('=') else { continue };
        if !["name", "label"].contains(&key.trim()) {
            continue;
        }
        let text = value.trim().trim_start_matches('"');
        let text = &text[..text.find('"').unwrap_or(text.len())];
        let prefix: String = text.chars().take(39).collect();
        for piece in [text.to_string(), prefix] {
            for escaped in [piece.replace('\'', "&#39;"), piece.replace('\'', "&apos;")] {
                html = html.replace(&escaped, "");
            }
        }
    }
    let mut pieces = html.split("<tr><td>");
    let mut out = pieces.next().unwrap_or_default().to_string();
    for piece in pieces {
        out.push_str(piece.split_once("</td>").map_or(piece, |(_, rest)| rest));
    }
    for id in CHARTS {
        out = out.replace(&format!("<figure id=\"{id}\">"), "<figure>");
    }
    out
}

#[test]
fn a_danish_html_report_holds_no_english_labels_and_the_reverse() {
    let dir = tempfile::tempdir().unwrap();
    let folder = run_folder(dir.path());
    let da = own_words(&page(&folder, dir.path(), "da"));
    let en = own_words(&page(&folder, dir.path(), "en"));
    for (english, danish) in ENGLISH.iter().zip(DANISH) {
        assert!(en.contains(english), "English report lacks {english:?}");
        assert!(da.contains(danish), "Danish report lacks {danish:?}");
        assert!(!da.contains(english), "Danish report holds {english:?}");
        assert!(!en.contains(danish), "English report holds {danish:?}");
    }
    assert!(da.contains("ekstra årsværk") && da.contains(" kr."), "Danish budget terms and amounts");
}

/// The folder of `command` on the default scenario with small sizes, in `dir/<command>`:
/// a comparison of three options, a sweep of the hires over five levels, or a
/// sensitivity analysis with a threshold search.
pub(crate) fn folder_of(command: &str, dir: &Path) -> std::path::PathBuf {
    let scenario = repo().join("scenarios/staircase-default.toml");
    let out = dir.join(command);
    let (s, o) = (scenario.to_str().unwrap(), out.to_str().unwrap());
    let args: Vec<&str> = match command {
        "compare" => vec![
            "compare",
            s,
            "--variant",
            "none:staffing.hires[0].fte=0",
            "--variant",
            "plus5:staffing.hires[0].fte=5",
            "-n",
            "40",
            "-o",
            o,
        ],
        "sweep" => {
            vec!["sweep", s, "--vary", "staffing.hires[0].fte=0..4:1", "-n", "40", "--inner", "5", "-o", o]
        }
        "sensitivity" => vec!["sensitivity", s, "-n", "40", "--threshold", "-o", o],
        other => panic!("no folder of {other}"),
    };
    ok(&args, dir);
    out
}

/// The rows of a CSV file of `folder` as maps from column to cell.
fn csv_rows(folder: &Path, file: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(folder.join(file)).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, c)| (h.to_string(), c.to_string())).collect())
        .collect()
}

/// The row of `rows` whose `column` is largest.
fn largest<'a>(
    rows: &'a [std::collections::HashMap<String, String>],
    column: &str,
) -> &'a std::collections::HashMap<String, String> {
    rows.iter()
        .filter(|r| !r[column].is_empty())
        .max_by(|a, b| a[column].parse::<f64>().unwrap().total_cmp(&b[column].parse::<f64>().unwrap()))
        .unwrap()
}

#[test]
fn the_html_reports_of_a_comparison_a_sweep_and_a_sensitivity_analysis_hold_their_charts() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 3] = [
        ("compare", &["options-net-effect", "acceptability-curve"]),
        ("sweep", &["sweep-net-effect", "sweep-extra-self-supporting"]),
        ("sensitivity", &["tornado", "acceptability-curve", "threshold-scan"]),
    ];
    for (command, charts) in cases {
        let folder = folder_of(command, dir.path());
        let mut english_page = String::new();
        for lang in ["en", "da"] {
            let html = page(&folder, &folder, lang);
            let names = elements(&html);
            for chart in charts {
                assert!(
                    html.contains(&format!("<figure id=\"{chart}\"><svg")),
                    "{command} {lang}: no {chart} as inline SVG"
                );
            }
            assert_eq!(names.iter().filter(|n| *n == "svg").count(), charts.len(), "{command} {lang}");
            assert!(
                names.iter().filter(|n| *n == "table").count() >= 2,
                "{command} {lang}: its table and the register"
            );
            assert!(html.contains("budget.staff_cost_per_fte_year"), "{command} {lang}: the register");
            assert!(!html.contains("kr.."), "{command} {lang}: a sentence ends in a doubled full stop");
            assert!(!html.to_ascii_lowercase().contains("<script"), "{command} {lang}: a script");
            let footer =
                format!("seed 20240101 · 40 {}", if lang == "da" { "replikationer" } else { "replications" });
            assert!(
                html.matches(&footer).count() > charts.len(),
                "{command} {lang}: every chart has its footer"
            );
            let words = own_words(&html);
            for (english, danish) in
                ENGLISH.iter().zip(DANISH).take(6).chain([(&"over what we don", "over det, vi ikke ved")])
            {
                let (own, other) = if lang == "da" { (danish, *english) } else { (*english, danish) };
                assert!(words.contains(own), "{command} {lang}: lacks {own:?}");
                assert!(!words.contains(other), "{command} {lang}: holds {other:?}");
            }
            if lang == "en" {
                english_page = html;
            }
        }

        // Each chart's title states what the folder's own table shows.
        let texts = chart_texts(&english_page);
        let title = match command {
            "compare" => {
                let rows: Vec<_> = csv_rows(&folder, "compare_options.csv")
                    .into_iter()
                    .filter(|r| r["option"] != "baseline")
                    .collect();
                format!(
                    "{} has the highest expected net municipal effect",
                    largest(&rows, "net_municipal_effect")["option"]
                )
            }
            "sweep" => {
                let rows = csv_rows(&folder, "sweep.csv");
                let level = &largest(&rows, "net_municipal_effect")["staffing.hires[0].fte"];
                format!("The expected net municipal effect is highest at staffing.hires[0].fte = {level}:")
            }
            _ => {
                let rows = csv_rows(&folder, "sensitivity.csv");
                let first =
                    rows.iter().find(|r| r["measure"] == "net_municipal_effect" && r["rank"] == "1").unwrap();
                format!("{} moves the expected net municipal effect", first["parameter"])
            }
        };
        assert!(texts.iter().any(|t| t.starts_with(&title)), "{command}: no title {title:?} in {texts:?}");
    }
}
