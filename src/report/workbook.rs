//! The workbook (`--format xlsx`): a results folder's tables as sheets a finance officer
//! can open and work with, in English or Danish: the summary, budget years, monthly
//! figures and targets of a run; the options of a comparison; a sweep's levels; a
//! sensitivity analysis's tornado, acceptability, value of information, threshold and
//! grid; the assumptions register; and what made the figures. Numbers are numbers, with
//! number formats; every sheet has a frozen header row, set widths and an autofilter.

pub mod labels;
pub mod sheet;

use crate::report::folder::ResultsFolder;
use crate::report::folder::tables::{Table, Value};
use crate::report::lang::Lang;
use crate::report::register::register;
use labels::{Kind, heading, sheet_name, unit_kind, value_word};
use sheet::{Cell, Column, Sheet};

/// The workbook of a results folder in `lang`, as the bytes of an xlsx file.
pub fn workbook(folder: &ResultsFolder, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    sheet::write(&sheets(folder, lang), lang)
}

/// The sheets of a results folder's workbook, in order: what the folder holds, then
/// the assumptions and what made the figures.
pub fn sheets(folder: &ResultsFolder, lang: Lang) -> Vec<Sheet> {
    let mut sheets = Vec::new();
    if !folder.summary.is_empty() {
        sheets.push(summary(folder, lang));
        sheets.push(targets(folder, lang));
    }
    if !folder.budget_years.is_empty() {
        sheets.push(budget_years(folder, lang));
    }
    if !folder.monthly.is_empty() {
        sheets.push(monthly(folder, lang));
    }
    let tables = [
        ("options", &folder.options),
        ("comparison", &folder.comparison),
        ("options_budget_years", &folder.options_budget_years),
        ("sweep", &folder.sweep_levels),
    ];
    for (key, table) in tables {
        if let Some(t) = table {
            sheets.push(from_table(sheet_name(lang, key), t, lang));
        }
    }
    if !folder.tornado.is_empty() {
        sheets.push(tornado(folder, lang));
    }
    if !folder.acceptability.is_empty() {
        sheets.push(acceptability(folder, lang));
    }
    let tables = [
        ("value_of_information", &folder.value_of_information),
        ("threshold", &folder.threshold),
        ("threshold_scan", &folder.threshold_scan),
        ("grid", &folder.grid),
    ];
    for (key, table) in tables {
        if let Some(t) = table {
            sheets.push(from_table(sheet_name(lang, key), t, lang));
        }
    }
    sheets.push(assumptions(folder, lang));
    sheets.push(about(folder, lang));
    sheets
}

/// Columns from their keys, with their headings in `lang`.
fn columns(lang: Lang, keys: &[&str]) -> Vec<Column> {
    keys.iter()
        .map(|k| {
            let (heading, kind) = heading(lang, k);
            Column { heading, kind }
        })
        .collect()
}

/// The name of a figure of the folder's files in `lang`: a budget item's from
/// `budget_years.csv`, any other's from the workbook's labels.
fn figure_name(folder: &ResultsFolder, lang: Lang, key: &str) -> String {
    match folder.budget_years.iter().find(|r| r.item == key) {
        Some(item) => item.item_name(lang == Lang::Da).to_string(),
        None => labels::figure_name(lang, key),
    }
}

/// `summary.csv`: every outcome, effect and target figure, in the file's order, with
/// its statistics in the file's order, each formatted by its unit.
fn summary(folder: &ResultsFolder, lang: Lang) -> Sheet {
    let keys = [
        "section",
        "metric",
        "description",
        "arm",
        "unit",
        "mean",
        "median",
        "p05",
        "p95",
        "mcse",
        "sd",
        "n",
        "expected",
        "expected_p05",
        "expected_p95",
        "chance_sd",
        "parameter_share",
        "label",
    ];
    let rows = folder
        .summary
        .iter()
        .map(|r| {
            let kind = unit_kind(&r.unit);
            let mut row = vec![
                Cell::text(value_word(lang, &r.section)),
                Cell::text(&r.metric),
                Cell::text(figure_name(folder, lang, &r.metric)),
                Cell::text(value_word(lang, &r.arm)),
                Cell::text(value_word(lang, &r.unit)),
            ];
            let [mean, median, p05, p95, mcse, sd, n, expected, e05, e95, chance, share] = r.numbers();
            row.extend([mean, median, p05, p95, mcse, sd].map(|v| Cell::number_as(v, kind)));
            row.push(Cell::number_as(n, Kind::Whole));
            row.extend([expected, e05, e95, chance].map(|v| Cell::number_as(v, kind)));
            row.push(Cell::number_as(share, Kind::Share));
            row.push(Cell::text(&r.label));
            row
        })
        .collect();
    Sheet { name: sheet_name(lang, "summary"), columns: columns(lang, &keys), rows }
}

/// The targets: for each, its value and probability of being met in both arms.
fn targets(folder: &ResultsFolder, lang: Lang) -> Sheet {
    let keys = [
        "target",
        "target_value_scenario",
        "target_value_counterfactual",
        "target_probability_scenario",
        "target_probability_counterfactual",
        "target_probability_difference",
    ];
    let find = |metric: &str, arm: &str| folder.summary.iter().find(|r| r.metric == metric && r.arm == arm);
    let mut rows = Vec::new();
    for i in 1.. {
        let value = format!("target_{i}_value");
        let probability = format!("target_{i}_probability");
        let Some(first) = find(&value, "scenario").or_else(|| find(&probability, "scenario")) else { break };
        let kind = unit_kind(&first.unit);
        let mean = |metric: &str, arm: &str| find(metric, arm).and_then(|r| r.mean);
        let name = folder
            .summary
            .iter()
            .find(|r| r.metric == probability && !r.label.is_empty())
            .map_or(&first.label, |r| &r.label);
        rows.push(vec![
            Cell::text(if name.is_empty() {
                format!("{} {i}", lang.pick("Target", "Mål"))
            } else {
                name.clone()
            }),
            Cell::number_as(mean(&value, "scenario"), kind),
            Cell::number_as(mean(&value, "counterfactual"), kind),
            Cell::number(mean(&probability, "scenario")),
            Cell::number(mean(&probability, "counterfactual")),
            Cell::number(mean(&probability, "difference")),
        ]);
    }
    Sheet { name: sheet_name(lang, "targets"), columns: columns(lang, &keys), rows }
}

/// `budget_years.csv`: every item per budget year and over the horizon.
fn budget_years(folder: &ResultsFolder, lang: Lang) -> Sheet {
    let keys = ["year", "item_name", "arm", "mean", "median", "p05", "p95", "mcse", "item"];
    let mut columns = columns(lang, &keys);
    for c in &mut columns[3..8] {
        c.kind = Kind::Money;
    }
    let rows = folder
        .budget_years
        .iter()
        .map(|r| {
            let mut row = vec![
                Cell::text(value_word(lang, &r.year)),
                Cell::text(r.item_name(lang == Lang::Da)),
                Cell::text(value_word(lang, &r.arm)),
            ];
            row.extend([r.mean, r.median, r.p05, r.p95, r.mcse].map(Cell::number));
            row.push(Cell::text(&r.item));
            row
        })
        .collect();
    Sheet { name: sheet_name(lang, "budget_years"), columns, rows }
}

/// `monthly.csv`: every measure in every month, dates as text (`2024-01`).
fn monthly(folder: &ResultsFolder, lang: Lang) -> Sheet {
    let keys =
        ["month", "date", "arm", "description", "unit", "mean", "median", "p05", "p95", "mcse", "metric"];
    let rows = folder
        .monthly
        .iter()
        .map(|r| {
            let kind = unit_kind(&r.unit);
            let mut row = vec![
                Cell::Number(f64::from(r.month), None),
                Cell::text(&r.date),
                Cell::text(value_word(lang, &r.arm)),
                Cell::text(figure_name(folder, lang, &r.metric)),
                Cell::text(value_word(lang, &r.unit)),
            ];
            row.extend([r.mean, r.median, r.p05, r.p95, r.mcse].map(|v| Cell::number_as(v, kind)));
            row.push(Cell::text(&r.metric));
            row
        })
        .collect();
    Sheet { name: sheet_name(lang, "monthly"), columns: columns(lang, &keys), rows }
}

/// `sensitivity.csv`: the tornado, each measure's figures in its unit.
fn tornado(folder: &ResultsFolder, lang: Lang) -> Sheet {
    let keys = crate::report::sensitivity::SENSITIVITY_COLUMNS;
    let rows = folder
        .tornado
        .iter()
        .map(|r| {
            let (_, kind) = heading(lang, &r.measure);
            let mut row = vec![
                Cell::text(value_word(lang, &r.option)),
                Cell::text(figure_name(folder, lang, &r.measure)),
                Cell::number(r.rank),
                Cell::text(&r.parameter),
                Cell::text(&r.members),
                Cell::number(r.low_value),
                Cell::number(r.high_value),
            ];
            row.extend(
                [r.at_means, r.at_low, r.at_high, r.swing, r.monte_carlo_se]
                    .map(|v| Cell::number_as(v, kind)),
            );
            row.push(Cell::number(r.level_replications));
            row
        })
        .collect();
    Sheet { name: sheet_name(lang, "tornado"), columns: columns(lang, &keys), rows }
}

/// The acceptability curves.
fn acceptability(folder: &ResultsFolder, lang: Lang) -> Sheet {
    let keys = [
        "valued",
        "willingness_to_pay",
        "option",
        "probability_best",
        "value_of_perfect_information",
        "basis",
    ];
    let rows = folder
        .acceptability
        .iter()
        .map(|r| {
            vec![
                Cell::text(figure_name(folder, lang, &r.valued)),
                Cell::number(r.willingness_to_pay),
                Cell::text(value_word(lang, &r.option)),
                Cell::number(r.probability_best),
                Cell::number(r.value_of_perfect_information),
                Cell::text(value_word(lang, &r.basis)),
            ]
        })
        .collect();
    Sheet { name: sheet_name(lang, "acceptability"), columns: columns(lang, &keys), rows }
}

/// A table whose columns depend on the command, its headings in `lang` where known.
fn from_table(name: String, table: &Table, lang: Lang) -> Sheet {
    let columns = table
        .columns
        .iter()
        .map(|c| {
            let (heading, kind) = heading(lang, c);
            Column { heading, kind }
        })
        .collect();
    let translated = ["arm", "option", "best", "next_cheaper", "basis", "year"];
    let rows = table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(&table.columns)
                .map(|(v, column)| match v {
                    Value::Number(x) => Cell::Number(*x, None),
                    Value::Text(t) if translated.contains(&column.as_str()) => {
                        Cell::text(value_word(lang, t))
                    }
                    Value::Text(t) => Cell::text(t),
                    Value::Empty => Cell::Empty,
                })
                .collect()
        })
        .collect();
    Sheet { name, columns, rows }
}

/// The assumptions register of the folder's scenario.
fn assumptions(folder: &ResultsFolder, lang: Lang) -> Sheet {
    let keys = ["parameter", "distribution", "mean", "p05", "p95", "source", "grade"];
    let rows = register(&folder.scenario, &folder.model)
        .iter()
        .map(|r| {
            vec![
                Cell::text(&r.key),
                Cell::text(r.distribution_words(lang)),
                Cell::number(Some(r.mean)),
                Cell::number(Some(r.p05)),
                Cell::number(Some(r.p95)),
                Cell::text(r.source_words(lang)),
                Cell::text(r.grade_words(lang)),
            ]
        })
        .collect();
    Sheet { name: sheet_name(lang, "assumptions"), columns: columns(lang, &keys), rows }
}

/// What made the figures: the scenario file and its checksum, seed, replications,
/// engine and program version.
fn about(folder: &ResultsFolder, lang: Lang) -> Sheet {
    let p = &folder.provenance;
    let text = |en: &str, da: &str, value: String| vec![Cell::text(lang.pick(en, da)), Cell::text(value)];
    let rows = vec![
        text("Results folder", "Resultatmappe", folder.path.display().to_string()),
        text("Made by", "Lavet af", format!("trappe {}", folder.kind.command())),
        text("Scenario", "Scenarie", folder.model.name.clone()),
        text("Scenario file", "Scenariefil", p.scenario_path.clone()),
        text("Its SHA-256 checksum", "Dens SHA-256-kontrolsum", p.scenario_sha256.clone()),
        text("Seed", "Frø (seed)", p.seed.to_string()),
        text("Replications", "Gentagelser", p.replications.to_string()),
        text("Engine", "Motor", p.engine.clone()),
        text("Program version", "Programversion", p.version.clone()),
        text("Command", "Kommando", p.command.clone()),
        text("CSV dialect of the folder", "Mappens CSV-format", folder.csv_dialect.name().to_string()),
    ];
    Sheet { name: sheet_name(lang, "about"), columns: columns(lang, &["about_field", "about_value"]), rows }
}
