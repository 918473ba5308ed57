//! `monthly.csv`: every monthly column summarised over replications, month by month.

use crate::analysis::outcomes::Results;
use crate::analysis::stats::Summary;
use crate::model::{Arm, Model};
use crate::report::files::csv_file::{Cell, CsvFile, write_parts};
use crate::report::files::output_error::OutputError;
use crate::schema::{MonthlyFlow, MonthlyLayout};

/// Writes `monthly.csv`: every monthly column (occupancy, shares, staffing) and the
/// monthly municipal net cost, per arm and difference, with mean and interval.
pub fn write_monthly(file: &CsvFile, model: &Model, arms: &[Arm], res: &Results) -> Result<(), OutputError> {
    let reps = &res.reps;
    let record_columns = MonthlyLayout::new(model).columns();
    let names: Vec<String> = record_columns.iter().map(|c| c.name(model)).collect();
    let nc = record_columns.len();
    let h = model.horizon;
    let mut header: Vec<String> =
        ["month", "date", "arm", "metric", "unit"].iter().map(|s| s.to_string()).collect();
    header.extend(["mean", "median", "p05", "p95", "mcse"].iter().map(|s| s.to_string()));
    let n = reps.len();
    let n_arms = arms.len();
    // Per month and arm (the last = difference), the columns summarised: the monthly
    // columns, the month's net cost, and (difference only) the cumulative net effect.
    let (total_net_cost, cumulative) = (nc, nc + 1);
    let width = nc + 2;
    let per_month = (n_arms + 1) * width;
    // Months per part: a part gathers several consecutive months (carrying each
    // replication's cumulative net effect forward), while parts stay many enough to share
    // among the threads and their buffers modest.
    let fit = (MONTHLY_PART_BYTES / (per_month * n.max(1) * 8)).max(1);
    let months_per_part = ((h + 1) / (8 * rayon::current_num_threads())).clamp(1, fit);
    let parts = (h + 1).div_ceil(months_per_part);
    write_parts(file, &header, parts, |p, w| {
        let months = p * months_per_part..((p + 1) * months_per_part).min(h + 1);
        // Column-major: the n values of column c of arm a in the part's month k start at
        // ((k * (n_arms + 1) + a) * width + c) * n.
        let mut data = vec![0.0; months.len() * per_month * n];
        // A few replications at a time, so that their rows stay in cache while each
        // column gets their values one after another.
        for (t, tile) in reps.chunks(MONTHLY_TILE).enumerate() {
            let first = t * MONTHLY_TILE;
            let start = |k: usize, a: usize, c: usize| ((k * (n_arms + 1) + a) * width + c) * n + first;
            let len = tile.len();
            // Σ of the monthly net effects before each month, summed in month order as
            // `monthly_net_effect[..m].iter().sum()` would (from −0.0), so the same bits.
            let mut effect_before: Vec<f64> =
                tile.iter().map(|r| r.monthly_net_effect[..months.start].iter().sum()).collect();
            for (k, m) in months.clone().enumerate() {
                let rows: Vec<&[f64]> = (0..n_arms)
                    .flat_map(|a| tile.iter().map(move |r| &r.monthly[a][m * nc..(m + 1) * nc]))
                    .collect();
                let row = |a: usize, j: usize| rows[a * tile.len() + j];
                for c in 0..nc {
                    for a in 0..n_arms {
                        for (j, v) in data[start(k, a, c)..][..len].iter_mut().enumerate() {
                            *v = row(a, j)[c];
                        }
                    }
                    for (j, v) in data[start(k, n_arms, c)..][..len].iter_mut().enumerate() {
                        *v = row(0, j)[c] - row(1, j)[c];
                    }
                }
                if m >= 1 {
                    for a in 0..n_arms {
                        for (v, r) in data[start(k, a, total_net_cost)..][..len].iter_mut().zip(tile) {
                            *v = r.monthly_net_cost[a][m - 1];
                        }
                    }
                    for (v, r) in data[start(k, n_arms, total_net_cost)..][..len].iter_mut().zip(tile) {
                        *v = r.monthly_net_cost[0][m - 1] - r.monthly_net_cost[1][m - 1];
                    }
                    data[start(k, n_arms, cumulative)..][..len].copy_from_slice(&effect_before);
                }
                if m < h {
                    for (e, r) in effect_before.iter_mut().zip(tile) {
                        *e += r.monthly_net_effect[m];
                    }
                }
            }
        }
        for (k, m) in months.clone().enumerate() {
            let date = model.start.add_months(m as i64 - 1).to_string();
            for a in 0..=n_arms {
                let arm = arms.get(a).map_or("difference", |arm| arm.name);
                let used = if m == 0 {
                    nc
                } else if a < n_arms {
                    nc + 1
                } else {
                    nc + 2
                };
                let start = (k * (n_arms + 1) + a) * width * n;
                let columns: Vec<&[f64]> =
                    (0..used).map(|c| &data[start + c * n..start + (c + 1) * n]).collect();
                let summaries = Summary::of_columns(&columns);
                for ((name, column), s) in names.iter().zip(&record_columns).zip(&summaries) {
                    w.row(&month_row(m, &date, arm, name, column.unit().label(), s))?;
                }
                if m >= 1 {
                    let flow = MonthlyFlow::TotalNetCost;
                    w.row(&month_row(
                        m,
                        &date,
                        arm,
                        flow.name(),
                        flow.unit().label(),
                        &summaries[total_net_cost],
                    ))?;
                }
                if m >= 1 && a == n_arms {
                    let (flow, s) = (MonthlyFlow::CumulativeNetEffect, &summaries[cumulative]);
                    w.row(&month_row(m, &date, "effect", flow.name(), flow.unit().label(), s))?;
                }
            }
        }
        Ok(())
    })
}

/// Replications gathered together for `monthly.csv`.
const MONTHLY_TILE: usize = 32;

/// At most this many bytes of gathered values per part of `monthly.csv` (unless one
/// month needs more).
const MONTHLY_PART_BYTES: usize = 8 << 20;

fn month_row(m: usize, date: &str, arm: &str, metric: &str, unit: &str, s: &Summary) -> Vec<Cell> {
    let mut r: Vec<Cell> = vec![m.to_string().into(), date.into(), arm.into(), metric.into(), unit.into()];
    r.extend([s.mean, s.median, s.p05, s.p95, s.mcse].map(Cell::number));
    r
}
