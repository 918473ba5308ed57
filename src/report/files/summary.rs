//! `summary.csv`: every outcome at the horizon, the effects and the targets.

use crate::analysis::outcomes::Results;
use crate::analysis::stats::Summary;
use crate::analysis::uncertainty::{Split, split_of_effect, split_of_outcome};
use crate::model::Model;
use crate::numbers::csv_number;
use crate::report::files::csv_file::{Cell, CsvFile, write_rows};
use crate::report::files::output_error::OutputError;
use crate::schema::outcomes::{target_probability_name, target_value_unit};
use crate::schema::{Effect, OutcomeColumn, OutcomeLayout};

/// The cells of [`SUMMARY_STATS`] for one summary (also `compare.csv`'s).
pub(crate) fn summary_cells(s: &Summary) -> Vec<Cell> {
    let mut cells: Vec<Cell> = [s.mean, s.median, s.p05, s.p95, s.mcse, s.sd].map(Cell::number).into();
    cells.push(s.n.to_string().into());
    cells
}

pub(crate) const SUMMARY_STATS: [&str; 7] = ["mean", "median", "p05", "p95", "mcse", "sd", "n"];

/// The columns of the split between what we don't know and chance, after `label`.
pub(crate) const SPLIT_STATS: [&str; 5] =
    ["expected", "expected_p05", "expected_p95", "chance_sd", "parameter_share"];

/// The split's cells: empty where it cannot be estimated (one inner replication per
/// draw, an outcome undefined in some replication, or a ratio of means).
pub(crate) fn split_cells(s: Option<Split>) -> Vec<Cell> {
    match s {
        Some(s) => [s.expected, s.expected_p05, s.expected_p95, s.chance_sd, s.parameter_share]
            .map(Cell::number)
            .into(),
        None => vec![Cell::empty(); SPLIT_STATS.len()],
    }
}

/// Writes `summary.csv`: every outcome at the horizon per arm and difference, the
/// effects, and each target's value and probability of being met.
pub fn write_summary(file: &CsvFile, model: &Model, res: &Results) -> Result<(), OutputError> {
    let mut header: Vec<String> =
        ["section", "metric", "arm", "unit"].iter().map(|s| s.to_string()).collect();
    header.extend(SUMMARY_STATS.iter().map(|s| s.to_string()));
    header.push("label".into());
    header.extend(SPLIT_STATS.iter().map(|s| s.to_string()));
    let layout = OutcomeLayout::new(model);
    let mut rows = Vec::new();
    let arm_label = |a: usize| {
        if a < res.arm_names.len() { res.arm_names[a] } else { "difference" }
    };
    for (k, column) in layout.columns().iter().enumerate() {
        if column.is_target() {
            continue;
        }
        let name = column.name(model);
        for a in 0..res.arm_summaries.len() {
            let mut r: Vec<Cell> = vec![
                "outcome".into(),
                name.clone().into(),
                arm_label(a).into(),
                column.unit().label().into(),
            ];
            r.extend(summary_cells(&res.arm_summaries[a][k]));
            r.push(Cell::empty());
            r.extend(split_cells(split_of_outcome(model, res, a, k)));
            rows.push(r);
        }
    }
    for effect in Effect::ALL {
        let mut r: Vec<Cell> =
            vec!["effect".into(), effect.name().into(), "effect".into(), effect.unit().label().into()];
        r.extend(summary_cells(&res.effect_summaries[effect as usize]));
        r.push(Cell::Plain(if effect == Effect::BreakEvenMonth {
            format!(
                "statistics over replications that break even; reached in {} of replications; median counting not reached as beyond the horizon: {}",
                csv_number(res.break_even_share),
                res.break_even_median.map(csv_number).unwrap_or_else(|| "not reached".into())
            )
        } else {
            String::new()
        }));
        r.extend(split_cells(split_of_effect(model, res, effect)));
        rows.push(r);
    }
    for (i, t) in model.targets.iter().enumerate() {
        let value = OutcomeColumn::TargetValue(i);
        let met = OutcomeColumn::TargetMet(i);
        let unit = target_value_unit(t).label();
        let label = format!("{} ({})", t.name, t.condition());
        for a in 0..res.arm_summaries.len() {
            let mut r: Vec<Cell> =
                vec!["target".into(), value.name(model).into(), arm_label(a).into(), unit.into()];
            r.extend(summary_cells(&res.arm_summaries[a][layout.target_value(i)]));
            r.push(label.clone().into());
            r.extend(split_cells(split_of_outcome(model, res, a, layout.target_value(i))));
            rows.push(r);
        }
        for a in 0..res.arm_summaries.len() {
            let unit = if a < res.arm_names.len() { met.unit() } else { met.unit().of_difference() };
            let mut r: Vec<Cell> = vec![
                "target".into(),
                target_probability_name(i).into(),
                arm_label(a).into(),
                unit.label().into(),
            ];
            r.extend(summary_cells(&res.arm_summaries[a][layout.target_met(i)]));
            r.push(label.clone().into());
            r.extend(split_cells(split_of_outcome(model, res, a, layout.target_met(i))));
            rows.push(r);
        }
    }
    write_rows(file, &header, rows.into_iter())
}
