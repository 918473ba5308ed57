//! `--lang`: the terminal summaries of `run`, `compare`, `sweep` and `sensitivity` wholly
//! in Danish or wholly in English, Danish numbers with a decimal comma and thousands
//! points, the same figures in both, the same files in both; an unknown language is
//! refused with the valid codes.

use crate::common::*;
use std::path::Path;

/// The shipped default scenario with names that are no language's words, so that every
/// word of the summary is trappe's.
const NAMES: [&str; 6] = [
    "--set",
    "scenario.name=\"Trappemodel\"",
    "--set",
    "targets[0].name=\"A\"",
    "--set",
    "targets[1].name=\"B\"",
];

/// English words and labels a Danish summary must not contain.
const ENGLISH: [&str; 24] = [
    "Net municipal effect",
    "net municipal",
    "probability",
    "Probability",
    "Self-supporting",
    "self-supporting",
    "budget year",
    "DKK",
    "replications",
    "what we don't know",
    "chance",
    "expected",
    "Expected",
    "counterfactual",
    "scenario",
    "saving",
    "engine",
    "months",
    "citizens",
    "baseline",
    "favourable",
    "Results in",
    " the ",
    " of ",
];

/// Danish words and labels an English summary must not contain.
const DANISH: [&str; 20] = [
    "/ Selvforsørgende",
    "/ Beskæftigede",
    "/ I uddannelse",
    "/ På ydelse",
    "Nettoeffekt",
    "nettoeffekt",
    "selvforsørgende",
    "sandsynlighed",
    "kr.",
    "budgetår",
    "simuleringer",
    "hvad vi ikke ved",
    "tilfældighed",
    "forventet",
    "kontrafaktisk",
    "basislinje",
    "pct.-point",
    "Resultater",
    "borgere",
    "måneder",
];

/// The summary's words for people: without keys and file names (`staffing.elasticity`,
/// `summary.csv`, `transitions.a->b.probability`), which are the same in every language.
fn prose(text: &str) -> String {
    let is_key = |token: &str| {
        let chars: Vec<char> = token.chars().collect();
        token.contains('`')
            || token.contains("->")
            || token.contains('[')
            || chars
                .windows(3)
                .any(|w| w[0].is_ascii_alphabetic() && w[1] == '.' && w[2].is_ascii_alphabetic())
    };
    text.lines()
        .map(|line| line.split(' ').filter(|t| !is_key(t)).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `args` in English and in Danish, each into its own folder; returns both
/// summaries after checking each is wholly in its language.
fn both(args: &[&str], dir: &Path) -> (String, String) {
    let mut summaries = Vec::new();
    for lang in ["en", "da"] {
        let out = format!("out-{lang}");
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-q", "-o", &out, "--lang", lang]);
        summaries.push(ok(&all, dir));
    }
    let (en, da) = (summaries[0].clone(), summaries[1].clone());
    for word in ENGLISH {
        assert!(!prose(&da).contains(word), "the Danish summary of {args:?} says `{word}`:\n{da}");
    }
    for word in DANISH {
        assert!(!en.contains(word), "the English summary of {args:?} says `{word}`:\n{en}");
    }
    assert!(!en.contains(['æ', 'ø', 'å', 'Æ', 'Ø', 'Å']), "Danish letters in the English summary:\n{en}");
    (en, da)
}

/// Every file of the two folders is the same, byte for byte, except the manifests,
/// which record the command line.
fn same_files(dir: &Path) {
    for entry in std::fs::read_dir(dir.join("out-en")).unwrap() {
        let name = entry.unwrap().file_name();
        if name.to_string_lossy().ends_with(".toml") {
            continue;
        }
        let en = std::fs::read(dir.join("out-en").join(&name)).unwrap();
        let da = std::fs::read(dir.join("out-da").join(&name)).unwrap();
        assert!(en == da, "{name:?} differs between --lang en and --lang da");
    }
}

/// The number after `label` on the first line that has it, read with the language's
/// separators: `-2,213,974` in English and `-2.213.974` in Danish are both -2213974.
fn figure_after(text: &str, label: &str, danish: bool) -> f64 {
    let line = text.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("no `{label}` in:\n{text}"));
    let rest = &line[line.find(label).unwrap() + label.len()..];
    let number: String = rest
        .trim_start_matches(|c: char| !(c.is_ascii_digit() || c == '-'))
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | ','))
        .collect();
    let (thousands, decimal) = if danish { ('.', ',') } else { (',', '.') };
    let plain: String =
        number.chars().filter(|&c| c != thousands).map(|c| if c == decimal { '.' } else { c }).collect();
    plain
        .trim_end_matches('.')
        .parse()
        .unwrap_or_else(|_| panic!("`{number}` after `{label}` is not a number"))
}

#[test]
fn run_summary_is_wholly_danish_or_english() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/staircase-default.toml");
    let mut args = vec!["run", scenario.to_str().unwrap(), "-n", "20"];
    args.extend(NAMES);
    let (en, da) = both(&args, dir.path());
    same_files(dir.path());
    assert!(da.contains("Nettoeffekt for kommunen: "), "{da}");
    assert!(da.contains("Andel selvforsørgende"), "{da}");
    assert!(en.contains("Self-supporting share  "), "{en}");
    // The same figures, in each language's numbers.
    let net_en = figure_after(&en, "Net municipal effect:", false);
    let net_da = figure_after(&da, "Nettoeffekt for kommunen:", true);
    assert_eq!(net_en, net_da);
    assert!(net_en.abs() >= 1000.0, "a figure with thousands separators: {net_en}");
    let net_line = da.lines().find(|l| l.starts_with("Nettoeffekt for kommunen:")).unwrap();
    assert!(net_line.contains(" kr. ("), "Danish amounts end in kr.: {net_line}");
    let share_en = figure_after(&en, "Self-supporting share", false);
    let share_da = figure_after(&da, "Andel selvforsørgende", true);
    assert_eq!(share_en, share_da);
    let share_line = da.lines().find(|l| l.starts_with("Andel selvforsørgende")).unwrap();
    assert!(
        share_line.contains(&format!("{} %", format!("{share_en:.1}").replace('.', ","))),
        "{share_line}"
    );
}

#[test]
fn compare_summary_is_wholly_danish_or_english() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/staircase-default.toml");
    let mut args =
        vec!["compare", scenario.to_str().unwrap(), "--variant", "fire:staffing.hires[0].fte=4", "-n", "20"];
    args.extend(NAMES);
    let (en, da) = both(&args, dir.path());
    same_files(dir.path());
    assert!(da.contains("Nettoeffekt for kommunen pr. budgetår"), "{da}");
    let cost_en = figure_after(&en, "Extra staff cost over the horizon (DKK)", false);
    let cost_da = figure_after(&da, "Ekstra personaleudgift i perioden (kr.)", true);
    // The baseline's 0 comes first; the options' costs follow.
    assert_eq!(cost_en, 0.0);
    assert_eq!(cost_da, 0.0);
    let line = |text: &str, label: &str| text.lines().find(|l| l.starts_with(label)).unwrap().to_string();
    let costs_en = line(&en, "Extra staff cost over the horizon");
    let costs_da = line(&da, "Ekstra personaleudgift i perioden");
    assert_eq!(
        costs_en.split_whitespace().last().unwrap().replace(',', "."),
        costs_da.split_whitespace().last().unwrap()
    );
}

#[test]
fn sweep_summary_is_wholly_danish_or_english() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/staircase-default.toml");
    let mut args =
        vec!["sweep", scenario.to_str().unwrap(), "--vary", "staffing.elasticity=0.5..1:0.5", "-n", "10"];
    args.extend(NAMES);
    let (en, da) = both(&args, dir.path());
    same_files(dir.path());
    assert!(da.contains("fra 0,5 til 1 i trin på 0,5"), "Danish levels have a decimal comma:\n{da}");
    assert!(
        da.contains("Bedste forventede nettoeffekt for kommunen") || da.contains("Alle niveauer"),
        "{da}"
    );
    assert!(en.contains("from 0.5 to 1 in steps of 0.5"), "{en}");
}

#[test]
fn sensitivity_summary_is_wholly_danish_or_english() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/staircase-default.toml");
    let mut args = vec![
        "sensitivity",
        scenario.to_str().unwrap(),
        "-n",
        "20",
        "--level-replications",
        "4",
        "--threshold",
        "--grid",
        "staffing.elasticity",
        "staffing.hires[0].fte=0..2:2",
    ];
    args.extend(NAMES);
    let (en, da) = both(&args, dir.path());
    same_files(dir.path());
    for heading in ["Hvilken antagelse betyder noget", "Tærskel for", "To ad gangen", "ved middelværdierne"]
    {
        assert!(da.contains(heading), "no `{heading}` in:\n{da}");
    }
    assert!(en.contains("Which assumption matters"), "{en}");
}

#[test]
fn an_unknown_language_is_refused_with_the_valid_codes() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/staircase-default.toml");
    for command in ["run", "sweep", "sensitivity", "compare"] {
        let err = fails(&[command, scenario.to_str().unwrap(), "--lang", "de", "-q"], dir.path());
        assert!(
            err.contains("`de` is not a language of trappe's: give `da` (Danish) or `en` (English)"),
            "{err}"
        );
    }
    let err = fails(&["merge", "nowhere", "--lang", "de"], dir.path());
    assert!(err.contains("give `da` (Danish) or `en` (English)"), "{err}");
    assert!(!dir.path().join("results").exists(), "nothing is simulated");
}
