//! `trappe report --format html` of a run: one self-contained, well-formed page with
//! the headline sentences, a chart per named figure as inline SVG, and the assumptions
//! register; no scripts and nothing fetched; Danish and English kept apart; folders of
//! other commands refused plainly.

use crate::common::{fails, ok, repo};
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

/// The page of `--lang lang` of the run folder.
fn page(folder: &Path, dir: &Path, lang: &str) -> String {
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

#[test]
fn the_html_report_of_a_sweep_is_refused_as_not_built_yet() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/staircase-default.toml");
    let err = fails(
        &[
            "sweep",
            scenario.to_str().unwrap(),
            "--vary",
            "staffing.hires[0].fte=1..2:1",
            "-n",
            "4",
            "--report",
            "html",
        ],
        dir.path(),
    );
    assert!(err.contains("the html report is not built yet for a sweep folder"), "{err}");
}
