//! `budget_years.csv`: every budget item per budget year and in total.

use crate::analysis::outcomes::Results;
use crate::analysis::stats::Summary;
use crate::budget::Item;
use crate::report::files::csv_file::{Cell, CsvFile, write_parts, write_rows};
use crate::report::files::output_error::OutputError;
use crate::schema::{Effect, OutcomeColumn, Unit};

/// Writes `budget_years.csv`: every budget item per budget year and in total,
/// per arm and difference (scenario − counterfactual), plus the net municipal effect.
pub fn write_budget_years(file: &CsvFile, res: &Results) -> Result<(), OutputError> {
    let mut header: Vec<String> = ["year", "item", "arm", "unit"].iter().map(|s| s.to_string()).collect();
    header.extend(["mean", "median", "p05", "p95", "mcse", "label"].iter().map(|s| s.to_string()));
    let Some(first) = res.reps.first() else {
        return write_rows(file, &header, std::iter::empty());
    };
    let years = first.budget[0].years.clone();
    let n_arms = res.arm_names.len();
    let tot_idx = Item::ALL.iter().position(|i| *i == Item::TotalNetCost).unwrap();
    let periods: Vec<Option<usize>> = (0..years.len()).map(Some).chain(std::iter::once(None)).collect();
    // One part per budget year and one for the total.
    write_parts(file, &header, periods.len(), |p, w| {
        let period = periods[p];
        let year = period.map(|y| years[y].to_string()).unwrap_or_else(|| "total".into());
        let value = |o: &crate::analysis::outcomes::RepOutcomes, a: usize, k: usize| match period {
            Some(y) => o.budget[a].values[y][k],
            None => o.budget[a].total[k],
        };
        for (k, item) in Item::ALL.iter().enumerate() {
            for a in 0..=n_arms {
                let vals: Vec<f64> = res
                    .reps
                    .iter()
                    .map(|o| if a < n_arms { value(o, a, k) } else { value(o, 0, k) - value(o, 1, k) })
                    .collect();
                let arm = if a < n_arms { res.arm_names[a] } else { "difference" };
                let unit = OutcomeColumn::Item(*item).unit();
                w.row(&budget_row(&year, item.key(), arm, unit, &vals, item.label()))?;
            }
        }
        let vals: Vec<f64> = res.reps.iter().map(|o| value(o, 1, tot_idx) - value(o, 0, tot_idx)).collect();
        w.row(&budget_row(
            &year,
            Effect::NetMunicipalEffect.name(),
            "effect",
            Effect::NetMunicipalEffect.unit(),
            &vals,
            "Net municipal effect (counterfactual − scenario net cost) / Kommunal nettoeffekt",
        ))
    })
}

fn budget_row(year: &str, item: &str, arm: &str, unit: Unit, vals: &[f64], label: &str) -> Vec<Cell> {
    let s = Summary::of(vals);
    let mut r: Vec<Cell> = vec![year.into(), item.into(), arm.into(), unit.label().into()];
    r.extend([s.mean, s.median, s.p05, s.p95, s.mcse].map(Cell::number));
    r.push(label.into());
    r
}
