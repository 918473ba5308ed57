//! The CSV tables of a results folder, read in either dialect into rows a renderer
//! uses: typed rows for the files every report shows (summary, budget years, monthly,
//! the tornado and the acceptability curves) and a [`Table`] of named columns for the
//! rest, whose columns depend on the command (a sweep's keys, a grid's figures).

use super::FolderError;
use crate::report::files::csv_dialect::CsvDialect;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::fs;
use std::path::Path;

/// The most of a CSV file read; trappe's largest are far smaller.
const CSV_LIMIT: u64 = 1 << 30;

/// One row of `summary.csv`: an outcome, effect or target figure of one arm.
#[derive(Debug, Clone, Deserialize)]
pub struct SummaryRow {
    /// `outcome`, `effect` or `target`.
    pub section: String,
    /// The figure's name, e.g. `self_supporting_share`, `target_1_probability`.
    pub metric: String,
    /// `scenario`, `counterfactual`, `difference` or `effect`.
    pub arm: String,
    /// Its unit, e.g. `share`, `DKK`.
    pub unit: String,
    /// Mean over replications.
    pub mean: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// 5th percentile.
    pub p05: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// Monte Carlo standard error of the mean.
    pub mcse: Option<f64>,
    /// Standard deviation over replications.
    pub sd: Option<f64>,
    /// Replications in which the figure is defined.
    pub n: Option<f64>,
    /// A target's name and condition; what the break-even row covers.
    pub label: String,
    /// The expected value over what we don't know.
    pub expected: Option<f64>,
    /// 5th percentile of the expected value over the parameters.
    pub expected_p05: Option<f64>,
    /// 95th percentile of the expected value over the parameters.
    pub expected_p95: Option<f64>,
    /// How far one cohort lands from its expected value by chance (s.d.).
    pub chance_sd: Option<f64>,
    /// The parameters' share of the variance.
    pub parameter_share: Option<f64>,
}

impl SummaryRow {
    /// The statistics in the order of `summary.csv`'s numeric columns.
    pub fn numbers(&self) -> [Option<f64>; 12] {
        [
            self.mean,
            self.median,
            self.p05,
            self.p95,
            self.mcse,
            self.sd,
            self.n,
            self.expected,
            self.expected_p05,
            self.expected_p95,
            self.chance_sd,
            self.parameter_share,
        ]
    }
}

/// One row of `budget_years.csv`: a budget item in one year (or the total) for one arm.
#[derive(Debug, Clone, Deserialize)]
pub struct BudgetYearRow {
    /// A calendar year, or `total`.
    pub year: String,
    /// The budget item's key, or `net_municipal_effect`.
    pub item: String,
    /// `scenario`, `counterfactual`, `difference` or `effect`.
    pub arm: String,
    /// Always `DKK`.
    pub unit: String,
    /// Mean over replications.
    pub mean: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// 5th percentile.
    pub p05: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// Monte Carlo standard error of the mean.
    pub mcse: Option<f64>,
    /// The item's name as `English / Danish`.
    pub label: String,
}

impl BudgetYearRow {
    /// The item's name in English (`false`) or Danish (`true`), from the `English /
    /// Danish` label; the key when the label has no such halves.
    pub fn item_name(&self, danish: bool) -> &str {
        match self.label.split_once(" / ") {
            Some((en, da)) => {
                if danish {
                    da
                } else {
                    en
                }
            }
            None if self.label.is_empty() => &self.item,
            None => &self.label,
        }
    }
}

/// The part of a row of `replications.csv` a report draws: one replication's net
/// municipal effect (on its `difference` row).
#[derive(Debug, Clone, Deserialize)]
pub struct ReplicationRow {
    /// The replication, from 0.
    pub replication: u32,
    /// `scenario`, `counterfactual` or `difference`.
    pub arm: String,
    /// The net municipal effect (empty on the arms' rows).
    pub net_municipal_effect: Option<f64>,
}

/// One row of `monthly.csv`: a measure in one month for one arm.
#[derive(Debug, Clone, Deserialize)]
pub struct MonthlyRow {
    /// Simulated month, 0 = the starting position.
    pub month: u32,
    /// Its calendar month, `YYYY-MM`.
    pub date: String,
    /// `scenario`, `counterfactual`, `difference` or `effect`.
    pub arm: String,
    /// The measure, e.g. `occupancy:step0`, `self_supporting_share`.
    pub metric: String,
    /// Its unit.
    pub unit: String,
    /// Mean over replications.
    pub mean: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// 5th percentile.
    pub p05: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// Monte Carlo standard error of the mean.
    pub mcse: Option<f64>,
}

/// One bar of the tornado (`sensitivity.csv`): a parameter's swing of one measure.
#[derive(Debug, Clone, Deserialize)]
pub struct TornadoRow {
    /// The option whose measure swings.
    pub option: String,
    /// The measure, e.g. `net_municipal_effect`.
    pub measure: String,
    /// Its rank by swing, 1 = the largest.
    pub rank: Option<f64>,
    /// The parameter (or group) moved.
    pub parameter: String,
    /// The parameters a group moves together.
    pub members: String,
    /// The parameter at its 5th percentile (empty for a group).
    pub low_value: Option<f64>,
    /// The parameter at its 95th percentile (empty for a group).
    pub high_value: Option<f64>,
    /// The measure with every parameter at its mean.
    pub at_means: Option<f64>,
    /// The measure with this parameter low.
    pub at_low: Option<f64>,
    /// The measure with this parameter high.
    pub at_high: Option<f64>,
    /// |at_high − at_low|.
    pub swing: Option<f64>,
    /// Monte Carlo standard error of the swing.
    pub monte_carlo_se: Option<f64>,
    /// Replications per level.
    pub level_replications: Option<f64>,
}

/// One point of an acceptability curve (`compare_acceptability.csv`,
/// `sensitivity_acceptability.csv`).
#[derive(Debug, Clone, Deserialize)]
pub struct AcceptabilityRow {
    /// What a gain is valued in, e.g. `extra_self_supporting`.
    pub valued: String,
    /// The value of one unit of it (DKK).
    pub willingness_to_pay: Option<f64>,
    /// The option.
    pub option: String,
    /// The probability that it is the best at this value.
    pub probability_best: Option<f64>,
    /// The expected value of perfect information at this value (DKK).
    pub value_of_perfect_information: Option<f64>,
    /// `expected` (over what we don't know) or `realised` (with chance).
    pub basis: String,
}

/// One cell of a [`Table`]: a number, or text (names, keys, dates), or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number (read with the file's decimal separator).
    Number(f64),
    /// Text, as written.
    Text(String),
    /// An empty cell: the figure does not apply or is undefined.
    Empty,
}

/// A CSV table as written, its cells read as numbers where they are numbers: for the
/// files whose columns depend on the command.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The file's column names.
    pub columns: Vec<String>,
    /// Its rows, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The index of the column named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// The records of a CSV file in `dialect` with its header, every number in the
/// standard form (a decimal comma read as a point).
fn records(
    path: &Path,
    dialect: CsvDialect,
) -> Result<(csv::StringRecord, Vec<csv::StringRecord>), FolderError> {
    use std::io::Read;
    let garbled =
        |line: Option<u64>, reason: String| FolderError::Garbled { path: path.to_path_buf(), line, reason };
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(CSV_LIMIT).read_to_end(&mut bytes))
        .map_err(|source| FolderError::Read { path: path.to_path_buf(), source })?;
    let text = bytes.strip_prefix(dialect.preamble()).unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().delimiter(dialect.delimiter()).from_reader(text);
    let headers = reader.headers().map_err(|e| garbled(Some(1), e.to_string()))?.clone();
    if headers.len() < 2 {
        let expected = char::from(dialect.delimiter());
        return Err(garbled(
            Some(1),
            format!("its header is not a {} table (fields separated by `{expected}`)", dialect.name()),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| garbled(e.position().map(|p| p.line()), e.to_string()))?;
        rows.push(match dialect.decimal_separator() {
            '.' => record,
            _ => record.iter().map(standard_number).collect(),
        });
    }
    Ok((headers, rows))
}

/// A field of a decimal-comma file in the standard form: `-12,5` as `-12.5`; text as it is.
fn standard_number(field: &str) -> String {
    let digits = field.strip_prefix('-').unwrap_or(field);
    match digits.split_once(',') {
        Some((whole, fraction))
            if !whole.is_empty()
                && !fraction.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.bytes().all(|b| b.is_ascii_digit()) =>
        {
            field.replacen(',', ".", 1)
        }
        _ => field.to_string(),
    }
}

/// The rows of a CSV file of the folder as `T`, naming the file and line of a row that
/// does not read.
pub(super) fn typed<T: DeserializeOwned>(path: &Path, dialect: CsvDialect) -> Result<Vec<T>, FolderError> {
    let (headers, rows) = records(path, dialect)?;
    rows.iter()
        .map(|r| {
            r.deserialize(Some(&headers)).map_err(|e| FolderError::Garbled {
                path: path.to_path_buf(),
                line: r.position().map(|p| p.line()).or_else(|| e.position().map(|p| p.line())),
                reason: e.to_string(),
            })
        })
        .collect()
}

/// A CSV file of the folder as a [`Table`].
pub(super) fn table(path: &Path, dialect: CsvDialect) -> Result<Table, FolderError> {
    let (headers, rows) = records(path, dialect)?;
    let cell = |text: &str| {
        if text.is_empty() {
            Value::Empty
        } else {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() && !text.contains(|c: char| c.is_ascii_alphabetic()) => {
                    Value::Number(v)
                }
                _ => Value::Text(text.to_string()),
            }
        }
    };
    Ok(Table {
        columns: headers.iter().map(String::from).collect(),
        rows: rows.iter().map(|r| r.iter().map(cell).collect()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_commas_read_as_points_and_text_stays() {
        assert_eq!(standard_number("-12,5"), "-12.5");
        assert_eq!(standard_number("0,15"), "0.15");
        assert_eq!(standard_number("2024-01"), "2024-01");
        assert_eq!(standard_number("Staircase, +2 staff"), "Staircase, +2 staff");
        assert_eq!(standard_number("1,"), "1,");
    }
}
