//! Observed figures for `trappe calibrate`: a CSV file of what was measured,
//! which the calibration makes the simulation reproduce.
//!
//! The file has a header row naming the columns `metric`, `month`, `segment`,
//! `value` and optionally `se` (the figure's standard error) and `fit` (`false`
//! to compare a figure without fitting to it). Lines starting with `#` are
//! comments, so a file can say where each number comes from. Every problem is
//! reported with the file, the line, the column, what was expected and the
//! nearest valid metric or segment, like scenario errors.
//!
//! `docs/calibration.md` documents the format.

use crate::error::{Diagnostic, nearest};
use crate::input::calendar::YearMonth;
use crate::input::locate::csv_cell_diagnostic;
use crate::input::param::fmt_num;
use crate::input::read::{InputFile, ReadError, read_input_text};
use crate::model::{Metric, Model, parse_metric};
use std::path::{Path, PathBuf};

/// The smallest standard error used when it is derived from the binomial formula,
/// so that a figure of 0 or 1, or from a large group, does not get all the weight.
pub const SE_FLOOR: f64 = 0.005;

/// Which citizens an observed figure is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The whole cohort (`all` or an empty cell).
    All,
    /// One segment, or several joined by `+` (e.g. `men 18-24 + women 18-24`), by index.
    Segments(Vec<usize>),
}

/// One observed figure.
#[derive(Debug, Clone)]
pub struct Observation {
    /// Line of the file it was read from (1-based).
    pub line: usize,
    /// What was measured.
    pub metric: Metric,
    /// The metric as written.
    pub metric_name: String,
    /// Months after the start at whose end it was measured (1..=horizon).
    pub month: usize,
    /// Whose figure it is.
    pub selection: Selection,
    /// The segment cell as written, or `all`.
    pub segment_label: String,
    /// The observed value, in the metric's unit.
    pub value: f64,
    /// Its standard error: as given, or binomial for a share.
    pub se: f64,
    /// True if the standard error was given in the file.
    pub se_given: bool,
    /// True if the calibration fits to it; false if it is only compared.
    pub fit: bool,
}

/// An observed-figures file, read and checked against a model.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The path as given.
    pub path: String,
    /// SHA-256 of the file's bytes, hex-encoded (for the calibrated scenario's provenance).
    pub sha256: String,
    /// The figures, in file order.
    pub rows: Vec<Observation>,
}

/// Why an observed-figures file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ObservedError {
    /// The file could not be read.
    #[error("cannot read observed figures file {}: {reason}", path.display())]
    Read {
        /// The path given.
        path: PathBuf,
        /// The operating system's reason.
        reason: std::io::Error,
    },
    /// The file was read but has problems; every problem found is listed.
    #[error("{}", format_all(.0))]
    Invalid(Vec<Diagnostic>),
}

/// All problems, one a line, with their count when there are several.
fn format_all(ds: &[Diagnostic]) -> String {
    let mut out: Vec<String> = ds.iter().map(Diagnostic::to_string).collect();
    if ds.len() > 1 {
        out.push(format!("{} problems in the observed figures file", ds.len()));
    }
    out.join("\n")
}

impl ObservedError {
    /// The problems found, if the file was read.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ObservedError::Invalid(ds) => ds,
            ObservedError::Read { .. } => &[],
        }
    }
}

/// The columns an observed-figures file may have, in their usual order.
pub const COLUMNS: [&str; 6] = ["metric", "month", "segment", "value", "se", "fit"];
/// The columns every observed-figures file must have (the first four of [`COLUMNS`]).
const REQUIRED: [&str; 4] = ["metric", "month", "segment", "value"];

/// Reads and checks an observed-figures file against the model it calibrates: a
/// regular UTF-8 file of at most 16 MB ([`read_input_text`]).
pub fn read(path: &Path, model: &Model) -> Result<Observed, ObservedError> {
    let text = read_input_text(path, InputFile::Observed).map_err(|e| match e {
        ReadError::NotUtf8(d) => ObservedError::Invalid(vec![*d]),
        ReadError::Io(reason) => ObservedError::Read { path: path.to_path_buf(), reason },
    })?;
    parse(&path.display().to_string(), &text, model)
}

/// Parses observed figures from text; `path` is used in messages.
pub fn parse(path: &str, text: &str, model: &Model) -> Result<Observed, ObservedError> {
    let mut p = Parser { path, text, lines: text.lines().collect(), errors: Vec::new() };
    let rows = p.rows(text, model);
    if !p.errors.is_empty() {
        return Err(ObservedError::Invalid(p.errors));
    }
    Ok(Observed { path: path.to_string(), sha256: crate::input::checksum::sha256_hex(text), rows })
}

/// Where the header puts each column (0-based), and how many columns it names.
struct Columns {
    /// The `metric` column.
    metric: usize,
    /// The `month` column.
    month: usize,
    /// The `segment` column.
    segment: usize,
    /// The `value` column.
    value: usize,
    /// The `se` column, if the file has one.
    se: Option<usize>,
    /// The `fit` column, if the file has one.
    fit: Option<usize>,
    /// Columns in the header: every row must have as many fields.
    count: usize,
}

/// The file being read and the problems found so far.
struct Parser<'a> {
    /// The path as given, for messages.
    path: &'a str,
    /// The whole text, to find the line of a record.
    text: &'a str,
    /// The text's lines, to quote a problem's line.
    lines: Vec<&'a str>,
    /// Problems found so far.
    errors: Vec<Diagnostic>,
}

impl Parser<'_> {
    /// Records a problem on file line `line`, in column `column` (index and name) if given.
    fn err(
        &mut self,
        line: Option<usize>,
        column: Option<(usize, &str)>,
        message: String,
        suggestion: Option<String>,
    ) {
        let d = csv_cell_diagnostic(self.path, &self.lines, line, column, message, suggestion);
        self.errors.push(d);
    }

    /// The observed figures: the header, then every row in file order.
    fn rows(&mut self, text: &str, model: &Model) -> Vec<Observation> {
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .trim(csv::Trim::All)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut records = rdr.records();
        let Some(header) = self.header(&mut records) else {
            return Vec::new();
        };
        let Some(columns) = self.columns(&header) else {
            return Vec::new();
        };
        let ids: Vec<String> = model.states.iter().map(|s| s.id.clone()).collect();
        let mut out: Vec<Observation> = Vec::new();
        for rec in records {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    self.csv_error(&e);
                    continue;
                }
            };
            if rec.iter().all(str::is_empty) {
                continue;
            }
            let line = rec.position().map(|p| self.line_of(p));
            if rec.len() != columns.count {
                self.err(
                    line,
                    None,
                    format!("expected {} fields as in the header, got {}", columns.count, rec.len()),
                    None,
                );
                continue;
            }
            if let Some(o) = self.row(&rec, line, &columns, &ids, model, &out) {
                out.push(o);
            }
        }
        if self.errors.is_empty() && out.is_empty() {
            self.err(None, None, "no observed figures: the file has a header but no rows".into(), None);
        }
        out
    }

    /// The header: the first record that is not a comment or blank.
    fn header(&mut self, records: &mut csv::StringRecordsIter<&[u8]>) -> Option<csv::StringRecord> {
        loop {
            match records.next() {
                None => {
                    self.err(
                        None,
                        None,
                        format!("the file is empty; expected a header row `{}`", REQUIRED.join(",")),
                        None,
                    );
                    return None;
                }
                Some(Err(e)) => {
                    self.csv_error(&e);
                    return None;
                }
                Some(Ok(r)) if r.iter().all(str::is_empty) => continue,
                Some(Ok(r)) => return Some(r),
            }
        }
    }

    /// Where the header puts each column; `None` (and problems) if a column is
    /// unknown, named twice, or a required one is missing.
    fn columns(&mut self, header: &csv::StringRecord) -> Option<Columns> {
        let header_line = header.position().map(|p| self.line_of(p));
        let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
        let mut col: [Option<usize>; 6] = [None; 6];
        for (i, n) in names.iter().enumerate() {
            match COLUMNS.iter().position(|c| c == n) {
                Some(k) if col[k].is_some() => {
                    self.err(header_line, Some((i, n)), "this column is named twice".into(), None)
                }
                Some(k) => col[k] = Some(i),
                None => {
                    let sug = nearest(n, COLUMNS);
                    self.err(
                        header_line,
                        Some((i, n)),
                        format!("unknown column `{n}`; the columns are {}", COLUMNS.join(", ")),
                        sug,
                    );
                }
            }
        }
        for (k, req) in REQUIRED.iter().enumerate() {
            if col[k].is_none() {
                self.err(
                    header_line,
                    None,
                    format!(
                        "missing column `{req}`; the header must name {} (and may add se, fit)",
                        REQUIRED.join(", ")
                    ),
                    None,
                );
            }
        }
        if !self.errors.is_empty() {
            return None;
        }
        let [Some(metric), Some(month), Some(segment), Some(value), se, fit] = col else {
            return None;
        };
        Some(Columns { metric, month, segment, value, se, fit, count: names.len() })
    }

    /// One row: an observation, or `None` if the row has problems (reported) or gives
    /// a figure already in `earlier`.
    fn row(
        &mut self,
        rec: &csv::StringRecord,
        line: Option<usize>,
        c: &Columns,
        state_ids: &[String],
        model: &Model,
        earlier: &[Observation],
    ) -> Option<Observation> {
        let before = self.errors.len();
        let cell = |i: usize| rec.get(i).unwrap_or("");
        let metric_name = cell(c.metric).to_string();
        let metric = self.metric(line, c.metric, &metric_name, state_ids);
        let month = self.month(line, c.month, cell(c.month), model);
        let segment_label = cell(c.segment).to_string();
        let selection = self.selection(line, c.segment, &segment_label, model);
        let value = self.value(line, c.value, cell(c.value), metric, &metric_name);
        let se = self.se(line, c.se, c.se.map(cell), metric);
        let fit = self.fit(line, c.fit, c.fit.map(cell));
        if self.errors.len() > before {
            return None;
        }
        let (Some(metric), Some(month), Some(selection), Some(value)) = (metric, month, selection, value)
        else {
            return None;
        };
        if let Some(prev) =
            earlier.iter().find(|o| o.metric == metric && o.month == month && o.selection == selection)
        {
            let prev_line = prev.line;
            self.err(
                line,
                None,
                format!("the same figure (metric, month and segment) is already given on line {prev_line}"),
                None,
            );
            return None;
        }
        let (se, se_given) = match se {
            Some(s) => (s, true),
            None => {
                let n = group_size(model, &selection, month).max(1) as f64;
                ((value * (1.0 - value) / n).sqrt().max(SE_FLOOR), false)
            }
        };
        Some(Observation {
            line: line.unwrap_or(0),
            metric,
            metric_name,
            month,
            selection,
            segment_label: if segment_label.is_empty() { "all".into() } else { segment_label },
            value,
            se,
            se_given,
            fit,
        })
    }

    /// The `metric` cell: a named metric or `share:<state>`.
    fn metric(&mut self, line: Option<usize>, c: usize, text: &str, state_ids: &[String]) -> Option<Metric> {
        match parse_metric(text, state_ids) {
            Ok(m) => Some(m),
            Err(sug) => {
                let mut names: Vec<String> = Metric::NAMED.iter().map(|(n, _)| n.to_string()).collect();
                names.push("share:<state>".into());
                self.err(
                    line,
                    Some((c, "metric")),
                    format!("unknown metric `{text}`; expected one of {}", names.join(", ")),
                    sug,
                );
                None
            }
        }
    }

    /// The `value` cell: a number, a share in [0, 1] unless the metric is a duration.
    fn value(
        &mut self,
        line: Option<usize>,
        c: usize,
        text: &str,
        metric: Option<Metric>,
        metric_name: &str,
    ) -> Option<f64> {
        let value = match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                self.err(
                    line,
                    Some((c, "value")),
                    format!("expected a number such as 0.28, got `{text}`"),
                    None,
                );
                None
            }
        };
        if let (Some(m), Some(v)) = (metric, value) {
            if m != Metric::MeanBenefitDuration && !(0.0..=1.0).contains(&v) {
                let hint = if v > 1.0 && v <= 100.0 {
                    format!("; for {} % write {}", fmt_num(v), fmt_num(v / 100.0))
                } else {
                    String::new()
                };
                self.err(
                    line,
                    Some((c, "value")),
                    format!("`{metric_name}` is a share between 0 and 1, got {}{hint}", fmt_num(v)),
                    None,
                );
            } else if v < 0.0 {
                self.err(
                    line,
                    Some((c, "value")),
                    format!("expected a non-negative number of months, got {}", fmt_num(v)),
                    None,
                );
            }
        }
        value
    }

    /// The `se` cell (column `c`, if the file has one): a positive standard error, or
    /// empty for one derived from the binomial formula, which only a share has.
    fn se(
        &mut self,
        line: Option<usize>,
        c: Option<usize>,
        text: Option<&str>,
        metric: Option<Metric>,
    ) -> Option<f64> {
        let se = match text.filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<f64>() {
                Ok(x) if x.is_finite() && x > 0.0 => Some(x),
                _ => {
                    self.err(
                        line,
                        Some((c.unwrap_or(0), "se")),
                        format!(
                            "expected a positive standard error such as 0.02, or an empty cell, got `{s}`"
                        ),
                        None,
                    );
                    None
                }
            },
        };
        if se.is_none() && metric == Some(Metric::MeanBenefitDuration) {
            self.err(
                line,
                c.map(|i| (i, "se")),
                "give a standard error (column `se`) for mean_benefit_duration: it is not a share, \
                 so none can be derived"
                    .into(),
                None,
            );
        }
        se
    }

    /// The `fit` cell (column `c`, if the file has one): true unless it says false.
    fn fit(&mut self, line: Option<usize>, c: Option<usize>, text: Option<&str>) -> bool {
        match text.filter(|s| !s.is_empty()) {
            None => true,
            Some(s) => match s.to_lowercase().as_str() {
                "true" | "yes" | "1" => true,
                "false" | "no" | "0" => false,
                _ => {
                    self.err(
                        line,
                        Some((c.unwrap_or(0), "fit")),
                        format!("expected true or false (or an empty cell, meaning true), got `{s}`"),
                        None,
                    );
                    true
                }
            },
        }
    }

    /// The file line of a record: the csv reader's position may point at blank or
    /// comment lines skipped before it, so move past those.
    fn line_of(&self, p: &csv::Position) -> usize {
        let mut b = (p.byte() as usize).min(self.text.len());
        loop {
            let rest = &self.text[b..];
            let end = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
            let l = rest[..end].trim();
            if end == 0 || !(l.is_empty() || l.starts_with('#')) || b + end >= self.text.len() {
                break;
            }
            b += end;
        }
        self.text[..b].matches('\n').count() + 1
    }

    /// Records a row the CSV reader cannot read.
    fn csv_error(&mut self, e: &csv::Error) {
        let line = e.position().map(|p| self.line_of(p));
        self.err(line, None, format!("not a readable CSV row: {e}"), None);
    }

    /// The `month` cell: months after the start, or a calendar month, inside the simulation.
    fn month(&mut self, line: Option<usize>, c: usize, text: &str, model: &Model) -> Option<usize> {
        let h = model.horizon;
        let m = match text.parse::<i64>() {
            Ok(m) => Some(m),
            Err(_) => YearMonth::parse(text).map(|ym| model.start.months_until(ym) + 1),
        };
        let end = model.calendar(h);
        match m {
            Some(m) if m >= 1 && m <= h as i64 => Some(m as usize),
            Some(m) => {
                self.err(
                    line,
                    Some((c, "month")),
                    format!(
                        "month {m} falls outside the simulation: expected 1 to {h} (the end of {} to the end of {end})",
                        model.start
                    ),
                    None,
                );
                None
            }
            None => {
                self.err(
                    line,
                    Some((c, "month")),
                    format!(
                        "expected months after the start (1 to {h}) or a month \"YYYY-MM\" ({} to {end}), got `{text}`",
                        model.start
                    ),
                    None,
                );
                None
            }
        }
    }

    /// The `segment` cell: `all` (or empty), a segment's name, or names joined by `+`.
    fn selection(&mut self, line: Option<usize>, c: usize, text: &str, model: &Model) -> Option<Selection> {
        if text.is_empty() || text.eq_ignore_ascii_case("all") {
            return Some(Selection::All);
        }
        let names: Vec<&str> = model.segments.iter().map(|g| g.name.as_str()).collect();
        if let Some(g) = names.iter().position(|n| *n == text) {
            return Some(Selection::Segments(vec![g]));
        }
        let mut gs = Vec::new();
        for part in text.split('+').map(str::trim) {
            match names.iter().position(|n| *n == part) {
                Some(g) if !gs.contains(&g) => gs.push(g),
                Some(_) => {
                    self.err(line, Some((c, "segment")), format!("segment `{part}` is named twice"), None);
                    return None;
                }
                None => {
                    let mut cands = names.clone();
                    cands.push("all");
                    let sug = nearest(part, cands.iter().copied());
                    let listed = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
                    self.err(
                        line,
                        Some((c, "segment")),
                        format!(
                            "no segment `{part}`; the segments are {listed}; write `all` (or leave the cell \
                             empty) for the whole cohort, or join segments with `+`"
                        ),
                        sug,
                    );
                    return None;
                }
            }
        }
        gs.sort_unstable();
        Some(Selection::Segments(gs))
    }
}

/// Citizens who have entered the selected segments by the end of month `m`.
pub fn group_size(model: &Model, sel: &Selection, m: usize) -> u64 {
    let size = |g: &crate::model::Segment| g.entered_by(m);
    match sel {
        Selection::All => model.segments.iter().map(size).sum(),
        Selection::Segments(gs) => gs.iter().map(|&g| size(&model.segments[g])).sum(),
    }
}
