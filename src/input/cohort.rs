//! The `[cohort]` file: a person-level CSV extract of the municipality's caseload,
//! one row per citizen, giving who is there at the start.
//!
//! The header names the columns `segment`, `state`, `months_on_benefit` and
//! `benefit_type`, and optionally `months_since_referral` and `waiting_for` (the
//! placement a citizen waits for at the start, with `[staffing.capacity]`). Rows are
//! counted into each segment's `citizens` (citizens alike at the start, in one entry),
//! so the model and both engines see groups, not rows. Every problem is reported with
//! the file, the line, the column (by its header name), what was wanted and the
//! nearest valid segment, state, benefit type or transition.
//!
//! `docs/scenario-format.md` (section `[cohort]`) documents the format.

use crate::error::{Diagnostic, ScenarioError, nearest};
use crate::input::checksum::sha256_hex;
use crate::input::locate::{KeyPath, csv_cell_diagnostic, key_diagnostic};
use crate::input::read::{InputFile, ReadError, read_input_text};
use crate::input::scenario::{CitizenGroupDef, ScenarioFile};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The longest benefit history a row may give (100 years), as for a segment.
const MAX_MONTHS: u32 = 1200;

/// The columns a cohort file may have, the required ones first.
pub const COLUMNS: [&str; 6] =
    ["segment", "state", "months_on_benefit", "benefit_type", "months_since_referral", "waiting_for"];
/// How many of [`COLUMNS`] every cohort file must have.
const REQUIRED: usize = 4;

/// A cohort file as read: where it was, and its checksum for the run manifest.
#[derive(Debug, Clone)]
pub struct CohortSource {
    /// The path read: the `[cohort] file` joined to the scenario file's folder.
    pub path: String,
    /// SHA-256 of the file's text, hex-encoded.
    pub sha256: String,
    /// Citizens listed.
    pub rows: u64,
}

/// The citizens a cohort file gives, per segment index, in groups alike at the start.
pub type CitizensBySegment = BTreeMap<usize, Vec<CitizenGroupDef>>;

/// One row, as the CSV reader deserialises it by header name.
#[derive(Debug, Deserialize)]
struct Row {
    segment: String,
    state: String,
    months_on_benefit: u32,
    benefit_type: String,
    #[serde(default)]
    months_since_referral: Option<u32>,
    #[serde(default)]
    waiting_for: Option<String>,
}

/// Reads the scenario's `[cohort]` file, if it has one, and puts its citizens into the
/// segments' `citizens`. `path` and `source` are the scenario file's, for locating the
/// `[cohort]` key; the CSV's path is relative to the scenario file's folder.
pub fn load(
    path: &str,
    source: &str,
    file: &mut ScenarioFile,
) -> Result<Option<CohortSource>, ScenarioError> {
    let Some(def) = &file.cohort else { return Ok(None) };
    let csv_path: PathBuf = Path::new(path).parent().unwrap_or(Path::new("")).join(&def.file);
    let text = read_input_text(&csv_path, InputFile::Cohort).map_err(|e| match e {
        ReadError::NotUtf8(d) => ScenarioError::Invalid(vec![*d]),
        ReadError::Io(reason) => ScenarioError::Invalid(vec![key_diagnostic(
            path,
            source,
            &KeyPath::parse("cohort.file"),
            format!("cannot read the cohort file {}: {reason}", csv_path.display()),
            None,
        )]),
    })?;
    let shown = csv_path.display().to_string();
    let (groups, rows) = parse(&shown, &text, file).map_err(ScenarioError::Invalid)?;
    for (g, citizens) in groups {
        file.segments[g].citizens = citizens;
    }
    Ok(Some(CohortSource { path: shown, sha256: sha256_hex(&text), rows }))
}

/// The citizens of a cohort file's text, per segment index, and how many rows; or
/// every problem found. `path` is used in messages.
pub fn parse(
    path: &str,
    text: &str,
    file: &ScenarioFile,
) -> Result<(CitizensBySegment, u64), Vec<Diagnostic>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser { path, lines: body.lines().collect(), errors: Vec::new() };
    let out = p.rows(body, file);
    if p.errors.is_empty() { Ok(out) } else { Err(p.errors) }
}

/// The file being read and the problems found so far.
struct Parser<'a> {
    path: &'a str,
    lines: Vec<&'a str>,
    errors: Vec<Diagnostic>,
}

/// Citizens alike at the start: (state, months on benefit, months since referral,
/// awaited transition).
type GroupKey = (String, u32, Option<u32>, Option<String>);

impl Parser<'_> {
    /// Records a problem on `line` (1-based), in the column `column` (index, header name).
    fn err(
        &mut self,
        line: Option<usize>,
        column: Option<(usize, &str)>,
        message: String,
        sug: Option<String>,
    ) {
        let d = csv_cell_diagnostic(self.path, &self.lines, line, column, message, sug);
        self.errors.push(d);
    }

    /// Records a problem with a hint on how to correct it.
    fn err_hint(&mut self, line: Option<usize>, message: String, hint: &str) {
        self.err(line, None, message, None);
        if let Some(d) = self.errors.last_mut() {
            d.hint = Some(hint.into());
        }
    }

    /// The header's column names, checked; `None` (and problems) if unusable.
    fn header(&mut self, headers: &csv::StringRecord) -> Option<Vec<String>> {
        let names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
        let line = Some(headers.position().map_or(1, |p| p.line() as usize));
        if names.iter().all(String::is_empty) {
            self.err(
                None,
                None,
                format!("the file is empty; expected a header row `{}`", COLUMNS[..REQUIRED].join(",")),
                None,
            );
            return None;
        }
        if names.len() == 1 && names[0].contains(';') {
            self.err_hint(
                line,
                "the header is one column holding semicolons: the file is separated by `;`, not `,`".into(),
                "Excel with Danish settings saves CSV with semicolons; save it as \"CSV UTF-8 \
                 (comma delimited)\", or replace the semicolons with commas",
            );
            return None;
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                self.err(line, Some((i, n)), "this column is named twice".into(), None);
            } else if !COLUMNS.contains(&n.as_str()) {
                let sug = nearest(n, COLUMNS);
                self.err(
                    line,
                    Some((i, n)),
                    format!("unknown column; the columns are {}", COLUMNS.join(", ")),
                    sug,
                );
            }
        }
        for req in &COLUMNS[..REQUIRED] {
            if !names.iter().any(|n| n == req) {
                self.err(
                    line,
                    None,
                    format!(
                        "missing column `{req}`; the header must name {} (and may add months_since_referral, \
                         waiting_for)",
                        COLUMNS[..REQUIRED].join(", ")
                    ),
                    None,
                );
            }
        }
        self.errors.is_empty().then_some(names)
    }

    /// Every row, checked and counted into groups per segment.
    fn rows(&mut self, body: &str, file: &ScenarioFile) -> (CitizensBySegment, u64) {
        let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(body.as_bytes());
        let mut counts: BTreeMap<usize, BTreeMap<GroupKey, u32>> = BTreeMap::new();
        let mut n_rows = 0u64;
        let headers = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.err(None, None, format!("not a readable CSV file: {e}"), None);
                return (BTreeMap::new(), 0);
            }
        };
        let Some(names) = self.header(&headers) else { return (BTreeMap::new(), 0) };
        let header_row = csv::StringRecord::from(names.clone());
        for rec in rdr.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize);
                    let msg = match e.kind() {
                        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                            format!("expected {expected_len} fields as in the header, got {len}")
                        }
                        _ => format!("not a readable CSV row: {e}"),
                    };
                    self.err(line, None, msg, None);
                    continue;
                }
            };
            let line = rec.position().map(|p| p.line() as usize);
            if rec.iter().all(str::is_empty) {
                continue;
            }
            let row: Row = match rec.deserialize(Some(&header_row)) {
                Ok(r) => r,
                Err(e) => {
                    self.bad_cell(line, &rec, &names, &e);
                    continue;
                }
            };
            n_rows += 1;
            if let Some((g, key)) = self.row(line, &names, row, file) {
                *counts.entry(g).or_default().entry(key).or_default() += 1;
            }
        }
        if self.errors.is_empty() && n_rows == 0 {
            self.err(None, None, "no citizens: the file has a header but no rows".into(), None);
        }
        let groups = counts
            .into_iter()
            .map(|(g, m)| {
                let list = m
                    .into_iter()
                    .map(|((state, mob, referral, waiting), count)| CitizenGroupDef {
                        state,
                        months_on_benefit: mob,
                        months_since_referral: referral,
                        waiting_for: waiting,
                        count,
                    })
                    .collect();
                (g, list)
            })
            .collect();
        (groups, n_rows)
    }

    /// A cell the reader could not turn into its column's type.
    fn bad_cell(&mut self, line: Option<usize>, rec: &csv::StringRecord, names: &[String], e: &csv::Error) {
        let field = match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => err.field().map(|f| f as usize),
            _ => None,
        };
        match field {
            Some(i) => {
                let name = names.get(i).map(String::as_str).unwrap_or("?");
                let got = rec.get(i).unwrap_or("");
                let comma = if got.contains(',') || got.contains('.') {
                    "; months are whole numbers, without a decimal point or comma"
                } else {
                    ""
                };
                self.err(
                    line,
                    Some((i, name)),
                    format!("expected a whole number of months, 0 or more, got `{got}`{comma}"),
                    None,
                );
            }
            None => self.err(line, None, format!("not a readable row: {e}"), None),
        }
    }

    /// One row checked against the scenario: its segment index and group, or `None`.
    fn row(
        &mut self,
        line: Option<usize>,
        names: &[String],
        r: Row,
        f: &ScenarioFile,
    ) -> Option<(usize, GroupKey)> {
        let col = |name: &str| names.iter().position(|n| n == name).unwrap_or(0);
        let before = self.errors.len();
        let seg_names: Vec<&str> = f.segments.iter().map(|s| s.name.as_str()).collect();
        let g = seg_names.iter().position(|n| *n == r.segment);
        if g.is_none() {
            let listed = seg_names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            self.err(
                line,
                Some((col("segment"), "segment")),
                format!("no segment `{}` in the scenario; the segments are {listed}", r.segment),
                nearest(&r.segment, seg_names.iter().copied()),
            );
        }
        let state_ids: Vec<&str> = f.states.iter().map(|s| s.id.as_str()).collect();
        if !state_ids.contains(&r.state.as_str()) {
            let listed = state_ids.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            self.err(
                line,
                Some((col("state"), "state")),
                format!("no state `{}`; the states are {listed}", r.state),
                nearest(&r.state, state_ids.iter().copied()),
            );
        }
        let types: Vec<&str> = f.budget.benefit_rates.keys().map(String::as_str).collect();
        if !types.contains(&r.benefit_type.as_str()) {
            self.err(
                line,
                Some((col("benefit_type"), "benefit_type")),
                format!(
                    "no benefit type `{}` in [budget.benefit_rates]; defined: {}",
                    r.benefit_type,
                    types.join(", ")
                ),
                nearest(&r.benefit_type, types.iter().copied()),
            );
        } else if let Some(g) = g
            && f.segments[g].benefit_type != r.benefit_type
        {
            self.err(
                line,
                Some((col("benefit_type"), "benefit_type")),
                format!(
                    "segment `{}` has benefit type `{}` in the scenario, this row says `{}`; a segment's \
                     citizens share one benefit type: correct the row, or put the citizen in a segment \
                     with that benefit type",
                    r.segment, f.segments[g].benefit_type, r.benefit_type
                ),
                Some(f.segments[g].benefit_type.clone()),
            );
        }
        for (name, v) in [
            ("months_on_benefit", Some(r.months_on_benefit)),
            ("months_since_referral", r.months_since_referral),
        ] {
            if let Some(v) = v
                && v > MAX_MONTHS
            {
                self.err(
                    line,
                    Some((col(name), name)),
                    format!("expected at most {MAX_MONTHS} months (100 years), got {v}"),
                    None,
                );
            }
        }
        let waiting = r.waiting_for.filter(|w| !w.is_empty());
        if let Some(w) = &waiting {
            self.waiting_for(line, col("waiting_for"), w, &r.state, f);
        }
        if let Some(g) = g {
            self.segment_takes_rows(line, col("segment"), g, f);
        }
        if self.errors.len() > before {
            return None;
        }
        Some((g?, (r.state, r.months_on_benefit, r.months_since_referral, waiting)))
    }

    /// A segment whose start the scenario gives itself may not have rows here.
    fn segment_takes_rows(&mut self, line: Option<usize>, c: usize, g: usize, f: &ScenarioFile) {
        let s = &f.segments[g];
        let own = if s.start_state.is_some() {
            Some("start_state")
        } else if s.start_states.is_some() {
            Some("start_states")
        } else if s.size > 0 {
            Some("size")
        } else if !s.citizens.is_empty() {
            Some("citizens")
        } else {
            None
        };
        if let Some(key) = own {
            self.err(
                line,
                Some((c, "segment")),
                format!(
                    "segment `{}` gives its citizens at the start in the scenario (`{key}`), so the cohort \
                     file may not list any: remove `{key}` (and `size`, `months_on_benefit`) from the \
                     segment, or remove its rows here",
                    s.name
                ),
                None,
            );
            // One message per segment is enough.
            let n = self.errors.len();
            if self.errors[..n - 1].iter().any(|d| d.message == self.errors[n - 1].message) {
                self.errors.pop();
            }
        }
    }

    /// The `waiting_for` cell: a transition with `hours` out of the row's state, with
    /// `[staffing.capacity]` in the scenario.
    fn waiting_for(&mut self, line: Option<usize>, c: usize, w: &str, state: &str, f: &ScenarioFile) {
        let keys: Vec<String> = f.transitions.iter().map(|t| t.key()).collect();
        let Some(t) = keys.iter().position(|k| k == w) else {
            self.err(
                line,
                Some((c, "waiting_for")),
                format!("no transition `{w}`; transitions are named \"from->to\" unless given an `id`"),
                nearest(w, keys.iter().map(String::as_str)),
            );
            return;
        };
        let def = &f.transitions[t];
        let capacity = f.staffing.as_ref().is_some_and(|s| s.capacity.is_some());
        if !capacity {
            self.err(
                line,
                Some((c, "waiting_for")),
                "a waiting list at the start needs a [staffing.capacity] section (placement hours)".into(),
                None,
            );
        } else if def.hours.is_none() {
            self.err(
                line,
                Some((c, "waiting_for")),
                format!("transition `{w}` has no `hours`, so nobody waits for it: give it `hours` or leave the cell empty"),
                None,
            );
        }
        if def.from != state {
            self.err(
                line,
                Some((c, "waiting_for")),
                format!("transition `{w}` leaves from `{}`, but this citizen is in `{state}`", def.from),
                None,
            );
        }
    }
}
