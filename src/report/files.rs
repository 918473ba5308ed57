//! Result files: CSV tables, the run manifest, and sampled trajectories.
//!
//! Everything is written into a hidden staging folder beside the output
//! folder and moved into place only when every file is complete, so an
//! interrupted or failed run never leaves a half-written result. Column
//! meanings and units are documented in `docs/outputs.md`.

use crate::analysis::outcomes::{EFFECT_NAMES, Results, arm_outcome_names};
use crate::analysis::stats::Summary;
use crate::budget::Item;
use crate::input::checksum::sha256_hex;
use crate::input::scenario::{LoadedScenario, ScenarioFile};
use crate::model::{Arm, Model};
use crate::simulation::draws::parameter_keys;
use crate::simulation::records::{TrajectoryRow, monthly_columns};
use rayon::prelude::*;
use serde::Serialize;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The folder exists and `--force` was not given.
    #[error("output folder {} already exists; choose another with --out, or pass --force to replace it", .0.display())]
    Exists(PathBuf),
    /// The folder (or its parent) cannot be created or written.
    #[error("cannot write to output folder {}: {source}", path.display())]
    Unwritable {
        /// The folder.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: io::Error,
    },
    /// CSV writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: csv::Error,
    },
    /// The manifest could not be serialised.
    #[error("cannot write the run manifest: {0}")]
    Manifest(#[from] toml::ser::Error),
}

/// A staging folder that becomes the output folder on [`Staging::commit`],
/// and is removed if dropped before that.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Prepares to write into `target`. Fails at once (before any simulation) if
    /// `target` exists without `force`, or if its parent cannot be written.
    pub fn begin(target: &Path, force: bool) -> Result<Staging, OutputError> {
        if target.exists() && !force {
            return Err(OutputError::Exists(target.to_path_buf()));
        }
        if target.exists() && !target.is_dir() {
            return Err(OutputError::Unwritable {
                path: target.to_path_buf(),
                source: io::Error::new(io::ErrorKind::AlreadyExists, "it is a file, not a folder"),
            });
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .map_err(|source| OutputError::Unwritable { path: target.to_path_buf(), source })?;
        let name =
            target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
        let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if tmp.exists() {
            let _ = fs::remove_dir_all(&tmp);
        }
        fs::create_dir(&tmp)
            .map_err(|source| OutputError::Unwritable { path: target.to_path_buf(), source })?;
        Ok(Staging { target: target.to_path_buf(), tmp, committed: false })
    }

    /// Path of a file inside the staging folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// The final output folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the complete results into place, replacing an existing folder.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let unwritable = |source| OutputError::Unwritable { path: self.target.clone(), source };
        if self.target.exists() {
            let old = self.tmp.with_extension("old");
            fs::rename(&self.target, &old).map_err(unwritable)?;
            fs::rename(&self.tmp, &self.target).map_err(unwritable)?;
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&self.tmp, &self.target).map_err(unwritable)?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Formats a number for CSV: empty for undefined, at most 6 decimals, no trailing zeros.
/// The text is `format!("{:.6}")`'s with trailing zeros cut and "-0" written "0"; most
/// values take a faster exact route through an integer (a test checks that they agree),
/// since result files hold hundreds of thousands of numbers.
pub fn num(v: f64) -> String {
    let mut s = String::new();
    push_num(&mut s, v);
    s
}

/// Appends [`num`]`(v)` to `s`, without allocating for most values.
pub fn push_num(s: &mut String, v: f64) {
    if !push_num_by_integer(s, v) {
        s.push_str(&num_by_format(v));
    }
}

/// [`num`] by its definition, `format!("{:.6}")`.
fn num_by_format(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let s = format!("{:.6}", v);
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".into() } else { s }
}

/// Appends [`num`]`(v)` to `s` from the integer nearest to |v| × 10⁶, when that is
/// certainly the integer `format!("{:.6}")` rounds to; otherwise appends nothing and
/// returns false. With |v| < 10⁹ the product y is below 2⁵³, its fraction is exact,
/// and y is within y·2⁻⁵³ of the exact product; if that fraction is further than
/// y·2⁻⁵¹ from one half, the exact product is not a tie and rounds the same way.
fn push_num_by_integer(s: &mut String, v: f64) -> bool {
    let a = v.abs();
    if a.is_nan() || a >= 1e9 {
        return false;
    }
    let y = a * 1e6;
    let whole = y.floor();
    let frac = y - whole;
    if (frac - 0.5).abs() <= y * f64::EPSILON * 2.0 {
        return false;
    }
    let millionths = whole as u64 + u64::from(frac > 0.5);
    // A value that rounds to zero is written "0", never "-0".
    if v < 0.0 && millionths != 0 {
        s.push('-');
    }
    let (int, decimals) = (millionths / 1_000_000, millionths % 1_000_000);
    // Written from the last character: the integer part has at most 10 digits.
    let mut text = [0u8; 17];
    let mut at = text.len();
    if decimals != 0 {
        // The decimals without trailing zeros, after a point.
        let (mut d, mut places) = (decimals, 6);
        while d % 10 == 0 {
            d /= 10;
            places -= 1;
        }
        for _ in 0..places {
            at -= 1;
            text[at] = b'0' + (d % 10) as u8;
            d /= 10;
        }
        at -= 1;
        text[at] = b'.';
    }
    let mut i = int;
    loop {
        at -= 1;
        text[at] = b'0' + (i % 10) as u8;
        i /= 10;
        if i == 0 {
            break;
        }
    }
    s.push_str(std::str::from_utf8(&text[at..]).expect("ASCII digits"));
    true
}

fn csv_writer(path: &Path) -> Result<csv::Writer<fs::File>, OutputError> {
    csv::Writer::from_path(path).map_err(|source| OutputError::Csv { path: path.to_path_buf(), source })
}

fn write_rows(
    path: &Path,
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), OutputError> {
    let mut w = csv_writer(path)?;
    let err = |source| OutputError::Csv { path: path.to_path_buf(), source };
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    w.flush().map_err(|source| OutputError::File { path: path.to_path_buf(), source })
}

/// Writes a CSV file whose records come in `parts` consecutive parts, each written by
/// `part(i, writer)`. The parts are formatted in parallel on the current rayon pool, a
/// few per thread at a time so memory stays bounded, each into its own buffer with the
/// same CSV settings, and written in order: the file is byte for byte what one writer
/// writing every part in turn would make, whatever the number of threads.
fn write_parts<F>(path: &Path, header: &[String], parts: usize, part: F) -> Result<(), OutputError>
where
    F: Fn(usize, &mut csv::Writer<Vec<u8>>) -> csv::Result<()> + Sync,
{
    let file_err = |source| OutputError::File { path: path.to_path_buf(), source };
    let csv_err = |source| OutputError::Csv { path: path.to_path_buf(), source };
    let format = |write: &dyn Fn(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>| -> csv::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        write(&mut w)?;
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    };
    let file = fs::File::create(path).map_err(file_err)?;
    let mut out = io::BufWriter::new(file);
    out.write_all(&format(&|w| w.write_record(header)).map_err(csv_err)?).map_err(file_err)?;
    let batch = 4 * rayon::current_num_threads().max(1);
    for start in (0..parts).step_by(batch) {
        let texts: Vec<Vec<u8>> = (start..(start + batch).min(parts))
            .into_par_iter()
            .map(|i| format(&|w| part(i, w)))
            .collect::<csv::Result<_>>()
            .map_err(csv_err)?;
        for t in &texts {
            out.write_all(t).map_err(file_err)?;
        }
    }
    out.flush().map_err(file_err)
}

fn summary_cells(s: &Summary) -> Vec<String> {
    vec![num(s.mean), num(s.median), num(s.p05), num(s.p95), num(s.mcse), num(s.sd), s.n.to_string()]
}

const SUMMARY_STATS: [&str; 7] = ["mean", "median", "p05", "p95", "mcse", "sd", "n"];

/// Unit of an outcome by name.
pub fn unit_of(name: &str) -> &'static str {
    if name.ends_with("_share") || name.contains("_share_month_") {
        "share"
    } else if name.ends_with("_met") || name == "net_effect_positive" {
        "probability"
    } else if name == "mean_benefit_duration" {
        "months"
    } else if name == "benefit_months"
        || name == "benefit_months_avoided"
        || name == "cumulative_benefit_months"
        || name.starts_with("months:")
    {
        "citizen-months"
    } else if name == "break_even_month" {
        "month (1 = first simulated month)"
    } else if name == "return_per_krone" {
        "DKK saved per DKK of extra staff cost"
    } else if name == "cost_per_extra_self_supporting" {
        "DKK per citizen"
    } else if name.contains("citizens")
        || name.starts_with("extra_") && !name.ends_with("_cost")
        || name == "entered"
        || name.starts_with("occupancy:")
    {
        "citizens"
    } else if name == "fte" || name == "productive_fte" || name == "placement_fte" {
        "FTE"
    } else if name == "waiting_list" || name == "mean_waiting_list" || name == "waiting_list_at_horizon" {
        "citizens"
    } else if name == "placements" {
        "placements"
    } else if name == "mean_wait_months" {
        "months"
    } else if name == "placement_hours" || name == "placement_hours_used" {
        "hours"
    } else if name == "caseload" {
        "citizens on benefit per productive FTE"
    } else if name == "staffing_multiplier" {
        "multiplier"
    } else if name.starts_with("target_") {
        "as the target's metric"
    } else {
        "DKK"
    }
}

/// Writes `summary.csv`: every outcome at the horizon per arm and difference, the
/// effects, and each target's value and probability of being met.
pub fn write_summary(path: &Path, model: &Model, res: &Results) -> Result<(), OutputError> {
    let mut header: Vec<String> =
        ["section", "metric", "arm", "unit"].iter().map(|s| s.to_string()).collect();
    header.extend(SUMMARY_STATS.iter().map(|s| s.to_string()));
    header.push("label".into());
    let names = arm_outcome_names(model);
    let mut rows = Vec::new();
    let arm_label = |a: usize| {
        if a < res.arm_names.len() { res.arm_names[a] } else { "difference" }
    };
    for (k, name) in names.iter().enumerate() {
        if name.starts_with("target_") {
            continue;
        }
        for a in 0..res.arm_summaries.len() {
            let mut r = vec!["outcome".into(), name.clone(), arm_label(a).into(), unit_of(name).into()];
            r.extend(summary_cells(&res.arm_summaries[a][k]));
            r.push(String::new());
            rows.push(r);
        }
    }
    for (k, name) in EFFECT_NAMES.iter().enumerate() {
        let mut r = vec!["effect".into(), name.to_string(), "effect".into(), unit_of(name).into()];
        r.extend(summary_cells(&res.effect_summaries[k]));
        r.push(if *name == "break_even_month" {
            format!(
                "statistics over replications that break even; reached in {} of replications; median counting not reached as beyond the horizon: {}",
                num(res.break_even_share),
                res.break_even_median.map(num).unwrap_or_else(|| "not reached".into())
            )
        } else {
            String::new()
        });
        rows.push(r);
    }
    for (i, t) in model.targets.iter().enumerate() {
        let kv = names.iter().position(|n| *n == format!("target_{}_value", i + 1)).unwrap();
        let unit = if t.relative_to_start { "ratio to the value at the start" } else { t.metric.unit() };
        let label = format!("{} ({})", t.name, t.condition());
        for a in 0..res.arm_summaries.len() {
            let mut r =
                vec!["target".into(), format!("target_{}_value", i + 1), arm_label(a).into(), unit.into()];
            r.extend(summary_cells(&res.arm_summaries[a][kv]));
            r.push(label.clone());
            rows.push(r);
        }
        for a in 0..res.arm_summaries.len() {
            let unit = if a < res.arm_names.len() { "probability" } else { "difference in probability" };
            let mut r = vec![
                "target".into(),
                format!("target_{}_probability", i + 1),
                arm_label(a).into(),
                unit.into(),
            ];
            r.extend(summary_cells(&res.arm_summaries[a][kv + 1]));
            r.push(label.clone());
            rows.push(r);
        }
    }
    write_rows(path, &header, rows.into_iter())
}

/// Writes `replications.csv`: one row per replication and arm, plus a
/// `difference` row (scenario − counterfactual) carrying the effects.
pub fn write_replications(path: &Path, model: &Model, res: &Results) -> Result<(), OutputError> {
    let names = arm_outcome_names(model);
    let pkeys = parameter_keys(model);
    let mut header: Vec<String> = vec!["replication".into(), "arm".into()];
    header.extend(names.iter().cloned());
    header.extend(EFFECT_NAMES.iter().map(|s| s.to_string()));
    header.extend(pkeys.iter().map(|k| format!("param:{k}")));
    let n_arms = res.arm_names.len();
    let chunks: Vec<&[crate::analysis::outcomes::RepOutcomes]> =
        res.reps.chunks(REPLICATIONS_PER_PART).collect();
    write_parts(path, &header, chunks.len(), |i, w| {
        // Each number is formatted into one reused buffer and written as a field.
        let mut cell = String::new();
        let mut number = |w: &mut csv::Writer<Vec<u8>>, v: f64| {
            cell.clear();
            push_num(&mut cell, v);
            w.write_field(&cell)
        };
        for o in chunks[i] {
            for a in 0..=n_arms {
                w.write_field(o.index.to_string())?;
                w.write_field(if a < n_arms { res.arm_names[a] } else { "difference" })?;
                if a < n_arms {
                    for v in &o.arms[a] {
                        number(w, *v)?;
                    }
                    for _ in EFFECT_NAMES {
                        w.write_field("")?;
                    }
                } else {
                    for (x, y) in o.arms[0].iter().zip(&o.arms[1]) {
                        number(w, x - y)?;
                    }
                    for v in &o.effects {
                        number(w, *v)?;
                    }
                }
                for v in &o.params {
                    number(w, *v)?;
                }
                // Ends the record.
                w.write_record(None::<&[u8]>)?;
            }
        }
        Ok(())
    })
}

/// Replications per part of `replications.csv` formatted by one thread.
const REPLICATIONS_PER_PART: usize = 32;

/// Writes `monthly.csv`: every monthly column (occupancy, shares, staffing) and the
/// monthly municipal net cost, per arm and difference, with mean and interval.
pub fn write_monthly(path: &Path, model: &Model, arms: &[Arm], res: &Results) -> Result<(), OutputError> {
    let reps = &res.reps;
    let cols = monthly_columns(model);
    let nc = cols.len();
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
    write_parts(path, &header, parts, |p, w| {
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
                for (name, s) in cols.iter().zip(&summaries) {
                    w.write_record(month_row(m, &date, arm, name, unit_of(name), s))?;
                }
                if m >= 1 {
                    w.write_record(month_row(
                        m,
                        &date,
                        arm,
                        "total_net_cost",
                        "DKK",
                        &summaries[total_net_cost],
                    ))?;
                }
                if m >= 1 && a == n_arms {
                    let s = &summaries[cumulative];
                    w.write_record(month_row(m, &date, "effect", "cumulative_net_effect", "DKK", s))?;
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

fn month_row(m: usize, date: &str, arm: &str, metric: &str, unit: &str, s: &Summary) -> Vec<String> {
    vec![
        m.to_string(),
        date.to_string(),
        arm.to_string(),
        metric.to_string(),
        unit.to_string(),
        num(s.mean),
        num(s.median),
        num(s.p05),
        num(s.p95),
        num(s.mcse),
    ]
}

/// Writes `budget_years.csv`: every budget item per budget year and in total,
/// per arm and difference (scenario − counterfactual), plus the net municipal effect.
pub fn write_budget_years(path: &Path, res: &Results) -> Result<(), OutputError> {
    let mut header: Vec<String> = ["year", "item", "arm", "unit"].iter().map(|s| s.to_string()).collect();
    header.extend(["mean", "median", "p05", "p95", "mcse", "label"].iter().map(|s| s.to_string()));
    let Some(first) = res.reps.first() else {
        return write_rows(path, &header, std::iter::empty());
    };
    let years = first.budget[0].years.clone();
    let n_arms = res.arm_names.len();
    let tot_idx = Item::ALL.iter().position(|i| *i == Item::TotalNetCost).unwrap();
    let periods: Vec<Option<usize>> = (0..years.len()).map(Some).chain(std::iter::once(None)).collect();
    // One part per budget year and one for the total.
    write_parts(path, &header, periods.len(), |p, w| {
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
                w.write_record(budget_row(&year, item.key(), arm, &vals, item.label()))?;
            }
        }
        let vals: Vec<f64> = res.reps.iter().map(|o| value(o, 1, tot_idx) - value(o, 0, tot_idx)).collect();
        w.write_record(budget_row(
            &year,
            "net_municipal_effect",
            "effect",
            &vals,
            "Net municipal effect (counterfactual − scenario net cost) / Kommunal nettoeffekt",
        ))
    })
}

fn budget_row(year: &str, item: &str, arm: &str, vals: &[f64], label: &str) -> Vec<String> {
    let s = Summary::of(vals);
    let mut r = vec![year.to_string(), item.to_string(), arm.to_string(), "DKK".to_string()];
    r.extend([num(s.mean), num(s.median), num(s.p05), num(s.p95), num(s.mcse)]);
    r.push(label.to_string());
    r
}

/// Writes `trajectories.csv`: sampled individual paths, month by month.
pub fn write_trajectories(path: &Path, rows: &[TrajectoryRow]) -> Result<(), OutputError> {
    let header: Vec<String> = [
        "replication",
        "arm",
        "citizen",
        "segment",
        "month",
        "date",
        "state",
        "next_state",
        "waiting",
        "on_benefit",
        "cumulative_benefit_months",
        "benefit",
        "reimbursement",
        "activity_cost",
        "one_off_cost",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let cells = rows.iter().map(|r| {
        vec![
            r.replication.to_string(),
            r.arm.to_string(),
            r.citizen.to_string(),
            r.segment.clone(),
            r.month.to_string(),
            r.date.clone(),
            r.state.clone(),
            r.next_state.clone(),
            r.waiting.to_string(),
            r.on_benefit.to_string(),
            r.cumulative_benefit_months.to_string(),
            num(r.benefit),
            num(r.reimbursement),
            num(r.activity_cost),
            num(r.one_off_cost),
        ]
    });
    write_rows(path, &header, cells)
}

/// What made a result: written as `run.toml` so any figure can be traced and re-run.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// Always "trappe".
    pub program: String,
    /// Program version.
    pub version: String,
    /// The command line.
    pub command: String,
    /// Scenario file as given.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Seed used.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Worker threads (absent in a merged result: each part lists its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Engine used.
    pub engine: String,
    /// Individual paths written.
    pub trajectories: usize,
    /// Files in the folder.
    pub files: Vec<String>,
    /// For a result made by `trappe merge`: the parts it was combined from, in shard order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<Vec<MergedPart>>,
    /// The scenario file's text, exactly as read.
    pub scenario_source: String,
    /// The scenario with every default filled in.
    pub scenario_resolved: ScenarioFile,
}

/// One part of a merged result, as recorded in its `run.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct MergedPart {
    /// The shard, `I/N`.
    pub shard: String,
    /// The part's folder as given to `trappe merge`.
    pub folder: String,
    /// Its first replication (numbered from 0).
    pub first_replication: u32,
    /// How many replications it holds.
    pub replications: u32,
    /// Worker threads it ran with.
    pub threads: usize,
    /// The command that made it.
    pub command: String,
}

/// The scenario as run: every default and derived value written out (transition
/// ids, reimbursement bands, hire end months, inflow states, labels, target names),
/// and `[simulation]` as overridden on the command line.
pub fn resolved_file(sc: &LoadedScenario, model: &Model, seed: u64, replications: u32) -> ScenarioFile {
    use crate::budget::Reimbursement;
    use crate::input::scenario::ReimbursementBand;
    let mut f = sc.file.clone();
    f.simulation.seed = seed;
    f.simulation.replications = replications;
    let pre2016 = matches!(model.budget.reimbursement, Reimbursement::Pre2016 { .. });
    for (def, st) in f.states.iter_mut().zip(&model.states) {
        def.label = st.label.clone();
        if pre2016 {
            def.reimbursed_as_active = Some(st.reimbursed_as_active);
        }
    }
    for (def, t) in f.transitions.iter_mut().zip(&model.transitions) {
        def.id = Some(t.id.clone());
    }
    for (def, g) in f.segments.iter_mut().zip(&model.segments) {
        def.inflow_state = Some(model.states[g.inflow_state].id.clone());
    }
    if let (Some(def), Some(st)) = (f.staffing.as_mut(), model.staffing.as_ref()) {
        for (h, hire) in def.hires.iter_mut().zip(&st.hires) {
            h.end = Some(hire.end);
        }
    }
    if let Reimbursement::Staircase2016 { bands, reset_after_months } = &model.budget.reimbursement {
        f.budget.reimbursement.reset_after_months = Some(*reset_after_months);
        f.budget.reimbursement.bands = Some(
            bands
                .iter()
                .map(|(from_month, rate)| ReimbursementBand { from_month: *from_month, rate: *rate })
                .collect(),
        );
    }
    for (def, t) in f.targets.iter_mut().zip(&model.targets) {
        def.name = t.name.clone();
    }
    f
}

/// The command line that is running, for manifests.
pub fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

impl Manifest {
    /// A manifest for a run of `sc`.
    pub fn new(
        sc: &LoadedScenario,
        model: &Model,
        seed: u64,
        replications: u32,
        threads: Option<usize>,
        trajectories: usize,
        files: Vec<String>,
    ) -> Manifest {
        Manifest {
            program: "trappe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: command_line(),
            scenario_path: sc.path.clone(),
            scenario_sha256: sha256_hex(&sc.source),
            seed,
            replications,
            threads,
            engine: "individual".into(),
            trajectories,
            files,
            merged_from: None,
            scenario_source: sc.source.clone(),
            scenario_resolved: resolved_file(sc, model, seed, replications),
        }
    }

    /// Writes the manifest as TOML.
    pub fn write(&self, path: &Path) -> Result<(), OutputError> {
        let text = toml::to_string(self)?;
        let mut f = fs::File::create(path)
            .map_err(|source| OutputError::File { path: path.to_path_buf(), source })?;
        f.write_all(text.as_bytes()).map_err(|source| OutputError::File { path: path.to_path_buf(), source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The integer route writes exactly what `format!("{:.6}")` writes: over wide ranges
    /// of magnitudes, integers, values next to the half-millionths where rounding turns
    /// and halves that are exact ties, both signs, and undefined values.
    #[test]
    fn num_matches_format() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261123);
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            2.5e-6,
            5e-7,
            -5e-7,
            1.5e-6,
            0.0000005,
            999_999_999.999_999_5,
            1e9,
            -1e9,
            1e15,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.1,
            0.2,
            0.3,
            1.0 / 3.0,
            2.0 / 3.0,
            123_456.789_012_5,
        ];
        for _ in 0..400_000 {
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            let v = match rng.random_range(0..6) {
                // Any magnitude from 1e-9 to 1e11.
                0 => rng.random::<f64>() * 10f64.powi(rng.random_range(-9..12)),
                // Integers.
                1 => rng.random_range(0..10_000_000) as f64,
                // Half-millionths (ties when exact) and their neighbours.
                2 => {
                    let t = (rng.random_range(0..2_000_000_000u64) as f64 + 0.5) / 1e6;
                    match rng.random_range(0..3) {
                        0 => t,
                        1 => t.next_up(),
                        _ => t.next_down(),
                    }
                }
                // Multiples of 2^-k: for k ≥ 7 some are exact ties at the sixth decimal.
                3 => rng.random_range(0..1_000_000) as f64 / 2f64.powi(rng.random_range(1..24)),
                // Shares.
                4 => rng.random_range(0..1000) as f64 / rng.random_range(1..1000) as f64,
                // Arbitrary bits of finite numbers in a useful range.
                _ => {
                    let v = f64::from_bits(rng.random::<u64>());
                    if v.is_finite() && v.abs() < 1e10 { v } else { 1.0 }
                }
            };
            values.push(sign * v);
        }
        let mut fast = 0;
        for v in values {
            assert_eq!(num(v), num_by_format(v), "{v:e} ({:#x})", v.to_bits());
            fast += push_num_by_integer(&mut String::new(), v) as usize;
        }
        assert!(fast > 300_000, "the integer route took {fast} values");
    }
}
