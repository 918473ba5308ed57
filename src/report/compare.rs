//! What `trappe compare` shows: the terminal table of options side by side, and its
//! files (`compare.csv`, `compare_options.csv`, `compare_budget_years.csv`,
//! `compare.toml`).
//!
//! The baseline and the options appear from the cheapest to the dearest by extra staff
//! cost (cuts first, then the baseline, then the hires), so the option to the left of
//! each is the next cheaper one it is set against.

use crate::analysis::comparison::cost_order;
use crate::analysis::comparison_run::{ComparedOption, ComparisonRun};
use crate::analysis::decision::{DrawValues, Valued};
use crate::analysis::outcomes::{RepOutcomes, Results};
use crate::analysis::stats::Summary;
use crate::analysis::uncertainty::{split, split_of_effect};
use crate::budget::Item;
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::csv_file::{Cell, CsvFile, write_rows};
use crate::report::files::manifest::{Manifest, command_line};
use crate::report::files::output_error::OutputError;
use crate::report::files::staging::Staging;
use crate::report::files::summary::{SPLIT_STATS, SUMMARY_STATS, split_cells, summary_cells};
use crate::schema::{Effect, OutcomeColumn, OutcomeLayout, Unit};
use serde::Serialize;

mod terminal;
pub(crate) use terminal::parameter_values;
pub use terminal::terminal;

/// A column of the comparison: the baseline, or option i.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Baseline,
    Option(usize),
}

impl Column {
    fn name(self, run: &ComparisonRun) -> &str {
        match self {
            Column::Baseline => "baseline",
            Column::Option(i) => &run.options[i].name,
        }
    }
}

/// The columns from the cheapest to the dearest.
fn columns(run: &ComparisonRun) -> Vec<Column> {
    let costs: Vec<Summary> = run.comparison.options.iter().map(|o| o.extra_staff_cost).collect();
    cost_order(&costs).into_iter().map(|c| c.map(Column::Option).unwrap_or(Column::Baseline)).collect()
}

/// The results and arm of a column: the baseline is arm 1 of the first option.
fn arm_of(run: &ComparisonRun, c: Column) -> (&Results, usize) {
    match c {
        Column::Baseline => (&run.options[0].results, 1),
        Column::Option(i) => (&run.options[i].results, 0),
    }
}

fn values(res: &Results, f: impl Fn(&RepOutcomes) -> f64) -> Vec<f64> {
    res.reps.iter().map(f).collect()
}

fn outcome_index(o: &ComparedOption, want: OutcomeColumn) -> Option<usize> {
    OutcomeLayout::new(&o.model).columns().iter().position(|&c| c == want)
}

// ---------------------------------------------------------------- files

fn file_of(run: &ComparisonRun, c: Column) -> String {
    match c {
        Column::Baseline => String::new(),
        Column::Option(i) => run.options[i].scenario.path.clone(),
    }
}

/// `compare.csv`: per column (baseline, then options by cost), every outcome at the
/// horizon of its arm, and per option every effect against the baseline.
fn write_compare_csv(file: &CsvFile, run: &ComparisonRun) -> Result<(), OutputError> {
    let mut header: Vec<String> = ["option", "file", "measure", "against", "unit"].map(String::from).to_vec();
    header.extend(SUMMARY_STATS.map(String::from));
    header.extend(SPLIT_STATS.map(String::from));
    header.push("label".into());
    let first = &run.options[0];
    let layout = OutcomeLayout::new(&first.model);
    let columns_of_arm = layout.columns();
    let mut rows = Vec::new();
    for c in columns(run) {
        let (res, a) = arm_of(run, c);
        let model = &first.model;
        for (k, col) in columns_of_arm.iter().enumerate() {
            let mut r: Vec<Cell> =
                vec![c.name(run).into(), file_of(run, c).into(), col.name(model).into(), Cell::empty()];
            r.push(col.unit().label().into());
            r.extend(summary_cells(&res.arm_summaries[a][k]));
            let vals = values(res, |o| o.arms[a][k]);
            r.extend(split_cells(split(&vals, run.inner_replications as usize, parameters_vary(first))));
            r.push(match col {
                OutcomeColumn::TargetValue(t) | OutcomeColumn::TargetMet(t) => {
                    model.targets[*t].name.as_str().into()
                }
                _ => Cell::empty(),
            });
            rows.push(r);
        }
        let Column::Option(i) = c else { continue };
        let opt = &run.options[i];
        for e in Effect::ALL {
            let mut r: Vec<Cell> =
                vec![opt.name.to_string().into(), file_of(run, c).into(), e.name().into(), "baseline".into()];
            r.push(e.unit().label().into());
            r.extend(summary_cells(&opt.results.effect_summaries[e as usize]));
            r.extend(split_cells(split_of_effect(&opt.model, &opt.results, e)));
            r.push(Cell::empty());
            rows.push(r);
        }
    }
    write_rows(file, &header, rows.into_iter())
}

fn parameters_vary(o: &ComparedOption) -> bool {
    o.model.parameters.sampled().next().is_some()
}

/// The columns of `compare_options.csv`.
pub const OPTIONS_COLUMNS: [&str; 24] = [
    "option",
    "file",
    "scenario",
    "extra_staff_cost",
    "extra_self_supporting",
    "net_benefit_saving",
    "net_municipal_effect",
    "net_municipal_effect_p05",
    "net_municipal_effect_p95",
    "expected_p05",
    "expected_p95",
    "chance_sd",
    "probability_expected_favourable",
    "probability_realised_favourable",
    "cost_per_extra_self_supporting",
    "probability_best",
    "probability_best_realised",
    "next_cheaper",
    "vs_next_cheaper_net_municipal_effect",
    "vs_next_cheaper_expected_p05",
    "vs_next_cheaper_expected_p95",
    "vs_next_cheaper_extra_self_supporting",
    "vs_next_cheaper_extra_staff_cost",
    "vs_next_cheaper_cost_per_extra_self_supporting",
];

/// `compare_options.csv`: one row per column (baseline and options by cost) with the
/// figures a decision reads.
fn write_options_csv(file: &CsvFile, run: &ComparisonRun) -> Result<(), OutputError> {
    let header: Vec<String> = OPTIONS_COLUMNS.map(String::from).to_vec();
    let mut rows = Vec::new();
    for c in columns(run) {
        let mut r: Vec<Cell> = vec![c.name(run).into(), file_of(run, c).into()];
        match c {
            Column::Baseline => {
                r.push(run.options[0].model.name.as_str().into());
                r.push(Cell::number(0.0));
                r.extend(std::iter::repeat_n(Cell::empty(), 11));
                r.push(Cell::number_or_empty(run.comparison.baseline_best));
                r.push(Cell::number(run.comparison.baseline_best_realised));
                r.extend(std::iter::repeat_n(Cell::empty(), 7));
            }
            Column::Option(i) => {
                let opt = &run.options[i];
                let cmp = &run.comparison.options[i];
                let eff = |e: Effect| &opt.results.effect_summaries[e as usize];
                let net = split_of_effect(&opt.model, &opt.results, Effect::NetMunicipalEffect);
                r.push(opt.model.name.as_str().into());
                r.push(Cell::number(cmp.extra_staff_cost.mean));
                r.push(Cell::number(eff(Effect::ExtraSelfSupporting).mean));
                r.push(Cell::number(eff(Effect::NetBenefitSaving).mean));
                r.push(Cell::number(eff(Effect::NetMunicipalEffect).mean));
                r.push(Cell::number(eff(Effect::NetMunicipalEffect).p05));
                r.push(Cell::number(eff(Effect::NetMunicipalEffect).p95));
                r.push(Cell::number_or_empty(net.map(|s| s.expected_p05)));
                r.push(Cell::number_or_empty(net.map(|s| s.expected_p95)));
                r.push(Cell::number_or_empty(net.map(|s| s.chance_sd)));
                r.push(Cell::number_or_empty(net.map(|s| s.probability_expected_positive)));
                r.push(Cell::number(eff(Effect::NetEffectPositive).mean));
                r.push(Cell::number(eff(Effect::CostPerExtraSelfSupporting).mean));
                r.push(Cell::number_or_empty(cmp.best));
                r.push(Cell::number(cmp.best_realised));
                r.push(cmp.next_cheaper.map_or("baseline", |j| run.options[j].name.as_str()).into());
                let v = &cmp.versus;
                r.push(Cell::number(v.net_municipal_effect.mean));
                r.push(Cell::number_or_empty(v.net_municipal_effect_split.map(|s| s.expected_p05)));
                r.push(Cell::number_or_empty(v.net_municipal_effect_split.map(|s| s.expected_p95)));
                r.push(Cell::number(v.extra_self_supporting.mean));
                r.push(Cell::number(v.extra_staff_cost.mean));
                r.push(Cell::number(v.cost_per_extra_self_supporting));
            }
        }
        rows.push(r);
    }
    write_rows(file, &header, rows.into_iter())
}

/// `compare_budget_years.csv`: per column, budget year and item, the item in that
/// column's arm; per option also its net municipal effect against the baseline.
fn write_budget_years_csv(file: &CsvFile, run: &ComparisonRun) -> Result<(), OutputError> {
    let header: Vec<String> =
        ["option", "year", "item", "unit", "mean", "median", "p05", "p95"].map(String::from).to_vec();
    let years = run.options[0].results.reps.first().map(|r| r.budget[0].years.clone()).unwrap_or_default();
    let periods: Vec<Option<usize>> = (0..years.len()).map(Some).chain(std::iter::once(None)).collect();
    let tot = Item::TotalNetCost as usize;
    let mut rows = Vec::new();
    for c in columns(run) {
        let (res, a) = arm_of(run, c);
        for &p in &periods {
            let year = p.map(|y| years[y].to_string()).unwrap_or_else(|| "total".into());
            let at = |o: &RepOutcomes, arm: usize, k: usize| match p {
                Some(y) => o.budget[arm].values[y][k],
                None => o.budget[arm].total[k],
            };
            let mut push = |item: &str, unit: Unit, vals: Vec<f64>| {
                let s = Summary::of(&vals);
                let mut r: Vec<Cell> =
                    vec![c.name(run).into(), year.as_str().into(), item.into(), unit.label().into()];
                r.extend([s.mean, s.median, s.p05, s.p95].map(Cell::number));
                rows.push(r);
            };
            for (k, item) in Item::ALL.iter().enumerate() {
                push(item.key(), Unit::Dkk, values(res, |o| at(o, a, k)));
            }
            if matches!(c, Column::Option(_)) {
                push(
                    Effect::NetMunicipalEffect.name(),
                    Unit::Dkk,
                    values(res, |o| at(o, 1, tot) - at(o, 0, tot)),
                );
            }
        }
    }
    write_rows(file, &header, rows.into_iter())
}

/// The columns of `compare_acceptability.csv` (and `sensitivity_acceptability.csv`).
pub const ACCEPTABILITY_COLUMNS: [&str; 6] =
    ["valued", "willingness_to_pay", "option", "probability_best", "value_of_perfect_information", "basis"];

/// The name of what a willingness to pay is per unit of, in the `valued` column.
pub fn valued_name(valued: Valued) -> &'static str {
    match valued {
        Valued::ExtraSelfSupporting => "extra_self_supporting",
        Valued::BenefitMonthsAvoided => "benefit_month_avoided",
    }
}

/// `compare_acceptability.csv`: per willingness to pay (per extra self-supporting
/// citizen, then per benefit month avoided) and per candidate (baseline and options by
/// cost), the probability that it is best, and the expected value of perfect information
/// at that willingness to pay.
pub(crate) fn write_acceptability_csv(file: &CsvFile, run: &ComparisonRun) -> Result<(), OutputError> {
    let header: Vec<String> = ACCEPTABILITY_COLUMNS.map(String::from).to_vec();
    let basis = match run.draw_values {
        DrawValues::ShrunkMeans => "expected",
        DrawValues::PerReplication(_) => "realised",
    };
    let cols = columns(run);
    let mut rows = Vec::new();
    let curves = [
        (Valued::ExtraSelfSupporting, &run.acceptability),
        (Valued::BenefitMonthsAvoided, &run.acceptability_per_month),
    ];
    for (valued, curve) in curves {
        for (a, v) in curve.iter() {
            for &c in &cols {
                let p = match c {
                    Column::Baseline => a.baseline,
                    Column::Option(i) => a.options[i],
                };
                rows.push(vec![
                    valued_name(valued).into(),
                    Cell::number(a.wtp),
                    c.name(run).into(),
                    Cell::number(p),
                    Cell::number(v.value),
                    basis.into(),
                ]);
            }
        }
    }
    write_rows(file, &header, rows.into_iter())
}

/// The columns of `compare_value_of_information.csv`.
pub const VALUE_OF_INFORMATION_COLUMNS: [&str; 8] = [
    "parameter",
    "members",
    "wtp_per_extra_self_supporting",
    "value",
    "noise_floor",
    "stands_out",
    "draws",
    "note",
];

/// `compare_value_of_information.csv`: per uncertain parameter (or group of them) and
/// price, the value of knowing it before choosing, its noise floor, and whether it stands
/// out.
pub(crate) fn write_value_of_information_csv(file: &CsvFile, run: &ComparisonRun) -> Result<(), OutputError> {
    let header: Vec<String> = VALUE_OF_INFORMATION_COLUMNS.map(String::from).to_vec();
    let rows = run.parameter_values.iter().map(|p| {
        let mut r: Vec<Cell> = vec![p.key.as_str().into(), p.members.join(" + ").into(), Cell::number(p.wtp)];
        match &p.value {
            Ok((v, floor)) => r.extend([
                Cell::number(v.value),
                Cell::number(*floor),
                (v.value > *floor).to_string().into(),
                run.decision_draws.to_string().into(),
                Cell::empty(),
            ]),
            Err(e) => r.extend([
                Cell::empty(),
                Cell::empty(),
                Cell::empty(),
                run.decision_draws.to_string().into(),
                e.to_string().into(),
            ]),
        }
        r
    });
    write_rows(file, &header, rows)
}

/// `compare.toml`: what was compared and how, with each option's manifest.
#[derive(Debug, Serialize)]
struct CompareManifest {
    program: String,
    version: String,
    command: String,
    seed: u64,
    replications: u32,
    inner_replications: u32,
    threads: usize,
    engine: String,
    files: Vec<String>,
    /// The dialect of the CSV files (absent for the standard one).
    #[serde(skip_serializing_if = "CsvDialect::is_standard")]
    csv_dialect: CsvDialect,
    options: Vec<Manifest>,
}

/// The files `trappe compare` writes, in order.
pub const COMPARE_FILES: [&str; 6] = [
    "compare.csv",
    "compare_options.csv",
    "compare_budget_years.csv",
    "compare_acceptability.csv",
    "compare_value_of_information.csv",
    "compare.toml",
];

/// Writes every file of a comparison into `staging`; returns their names.
pub fn write_comparison(staging: &Staging, run: &ComparisonRun) -> Result<Vec<String>, OutputError> {
    write_compare_csv(&staging.csv("compare.csv"), run)?;
    write_options_csv(&staging.csv("compare_options.csv"), run)?;
    write_budget_years_csv(&staging.csv("compare_budget_years.csv"), run)?;
    write_acceptability_csv(&staging.csv("compare_acceptability.csv"), run)?;
    write_value_of_information_csv(&staging.csv("compare_value_of_information.csv"), run)?;
    let files: Vec<String> = COMPARE_FILES.map(String::from).to_vec();
    let manifest = CompareManifest {
        program: "trappe".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: command_line(),
        seed: run.seed,
        replications: run.replications,
        inner_replications: run.inner_replications,
        threads: run.threads,
        engine: run.engine.name().into(),
        files: files.clone(),
        csv_dialect: staging.csv_dialect(),
        options: option_manifests(run),
    };
    let text = toml::to_string(&manifest)?;
    let path = staging.file("compare.toml");
    std::fs::write(&path, text).map_err(|source| OutputError::File { path, source })?;
    Ok(files)
}

/// Each option's manifest, with the keys of `run.toml`: what `compare.toml` and
/// `sensitivity.toml` list under `[[options]]`.
pub(crate) fn option_manifests(run: &ComparisonRun) -> Vec<Manifest> {
    run.options
        .iter()
        .map(|o| {
            let mut m = Manifest::new(
                &o.scenario,
                &o.model,
                run.seed,
                run.replications,
                Some(run.threads),
                0,
                Vec::new(),
            );
            m.inner_replications = run.inner_replications;
            m.inner_replications_note = run.inner_note.clone();
            m.engine = run.engine.name().to_string();
            m
        })
        .collect()
}
