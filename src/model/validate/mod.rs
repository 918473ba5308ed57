//! The validator: checks a loaded scenario section by section and resolves each
//! section into its part of the [`Model`].
//!
//! Every problem found is recorded as a [`Diagnostic`] with file, line and key, and
//! validation carries on with a placeholder so that one run reports them all. The
//! sections are checked in file order (`[scenario]`, `[[states]]`, `[[transitions]]`,
//! benefit rates, `[[segments]]`, `[[segment_moves]]`, `[[grants]]`, `[staffing]`, `[budget]`,
//! `[[targets]]`), which is the order in which `trappe check` lists the problems.

mod budget;
mod calibration;
mod plausibility;
mod segment_moves;
mod segments;
mod staffing;
mod states;
mod targets;
mod transitions;

use crate::error::{Diagnostic, ScenarioError, nearest};
use crate::input::calendar::YearMonth;
use crate::input::locate::KeyPath;
use crate::input::param::Bounds;
use crate::input::scenario::LoadedScenario;
use crate::model::{Calibrated, Model};
use std::collections::HashMap;

/// The longest simulation a scenario may ask for (100 years).
const MAX_HORIZON_MONTHS: usize = 1200;
/// The earliest year a scenario may start in or give an amount for.
const MIN_YEAR: i32 = 1900;
/// The latest year a scenario may start in or give an amount for; with the longest
/// horizon, the simulation ends by 2300, so that benefit rates are indexed over at
/// most 400 years (see [`crate::input::param::Bounds`]).
const MAX_YEAR: i32 = 2200;

/// Checks a loaded scenario and resolves it into a model with its plausibility
/// warnings; on failure, every problem found.
pub(super) fn validate(sc: &LoadedScenario) -> Result<Model, ScenarioError> {
    let mut v = Validator { sc, errors: Vec::new(), calibration: Vec::new() };
    let model = v.build();
    if !v.errors.is_empty() {
        return Err(ScenarioError::Invalid(v.errors));
    }
    let mut warnings = v.plausibility();
    warnings.extend(v.target_warnings(&model));
    Ok(Model { warnings, ..model })
}

/// The simulated period: what later sections check their months and years against.
#[derive(Debug, Clone, Copy)]
struct Period {
    /// First simulated month.
    start: YearMonth,
    /// Last simulated month.
    end: YearMonth,
    /// Simulated months (clamped to 1..=1200 so that checking can go on).
    horizon: usize,
}

/// The scenario being checked, the problems found so far and the parameters marked
/// for calibration met so far.
struct Validator<'a> {
    /// The scenario: its parsed contents, and its text to locate problems in.
    sc: &'a LoadedScenario,
    /// Problems found so far, in the order found.
    errors: Vec<Diagnostic>,
    /// Parameters marked `calibrate`, in the order met.
    calibration: Vec<Calibrated>,
}

impl Validator<'_> {
    /// Validates every section in file order and assembles the model.
    fn build(&mut self) -> Model {
        let f = &self.sc.file;
        let period = self.period();
        self.table_counts();
        let (states, state_ids) = self.states();
        let transitions = self.transitions(&state_ids);
        let (benefit_types, benefit_rates) = self.benefit_rates(period);
        let segments = self.segments(&state_ids, &benefit_types, &transitions, period);
        let segment_moves = self.segment_moves(&segments, &state_ids);
        let grants = self.grants(period);
        let staffing = self.staffing(&grants, period);
        let budget = self.budget(benefit_rates, staffing.is_some(), period, &benefit_types, &segments);
        let targets = self.targets(&state_ids, &segments, period);
        if let Some(grant) = &budget.result_grant {
            self.result_grant_across_moves(&segment_moves, &segments, &grant.segments);
        }
        Model {
            name: f.scenario.name.clone(),
            description: f.scenario.description.clone(),
            start: period.start,
            horizon: period.horizon,
            replications: f.simulation.replications.max(1),
            inner_replications: match f.simulation.inner_replications {
                Some(inner) => inner.max(1),
                None => crate::input::scenario::default_inner(f.simulation.replications.max(1)),
            },
            seed: f.simulation.seed,
            states,
            transitions,
            segments,
            segment_moves,
            benefit_types,
            staffing,
            grants,
            budget,
            targets,
            calibration: std::mem::take(&mut self.calibration),
            draw_overrides: HashMap::new(),
            parameters: crate::model::parameters::ParameterTable::default(),
            warnings: Vec::new(),
        }
    }

    /// `[scenario]` and `[simulation]`: the horizon and the number of replications.
    fn period(&mut self) -> Period {
        let f = &self.sc.file;
        let horizon = f.scenario.horizon_months as usize;
        if horizon == 0 || horizon > MAX_HORIZON_MONTHS {
            self.err(
                KeyPath::parse("scenario.horizon_months"),
                format!("expected between 1 and {MAX_HORIZON_MONTHS} months, got {horizon}"),
                None,
            );
        }
        let horizon = horizon.clamp(1, MAX_HORIZON_MONTHS);
        if f.simulation.replications == 0 {
            self.err(
                KeyPath::parse("simulation.replications"),
                "expected at least 1 replication, got 0",
                None,
            );
        }
        let inner = f.simulation.inner_replications;
        if inner == Some(0) {
            self.err(
                KeyPath::parse("simulation.inner_replications"),
                "expected at least 1 inner replication, got 0",
                None,
            );
        } else if let Some(inner) = inner.filter(|&i| !f.simulation.replications.is_multiple_of(i)) {
            self.err(
                KeyPath::parse("simulation.inner_replications"),
                format!(
                    "expected a divisor of simulation.replications ({}): replications are outer draws \
                     of the parameters times inner replications, got {inner}",
                    f.simulation.replications
                ),
                None,
            );
        }
        let start = f.scenario.start;
        if !(MIN_YEAR..=MAX_YEAR).contains(&start.year) {
            self.err(
                KeyPath::parse("scenario.start"),
                format!("expected a start month in the years {MIN_YEAR}–{MAX_YEAR}, got \"{start}\""),
                None,
            );
        }
        Period { start, end: start.add_months(horizon as i64 - 1), horizon }
    }

    /// The number of states, segments and transitions: at least one state, and no
    /// more of each than the engines can number.
    fn table_counts(&mut self) {
        let f = &self.sc.file;
        let root = KeyPath::default();
        if f.states.is_empty() {
            self.err(root.key("states"), "a scenario needs at least one [[states]] table", None);
        }
        if f.states.len() > 250 {
            self.err(
                root.key("states"),
                format!("at most 250 states are supported, got {}", f.states.len()),
                None,
            );
        }
        // The count engine packs segment and transition numbers into 16 bits.
        if f.segments.len() > 10_000 {
            self.err(
                root.key("segments"),
                format!("at most 10,000 segments are supported, got {}", f.segments.len()),
                None,
            );
        }
        if f.transitions.len() > 60_000 {
            self.err(
                root.key("transitions"),
                format!("at most 60,000 transitions are supported, got {}", f.transitions.len()),
                None,
            );
        }
    }

    /// Records a problem at `key`, located in the scenario file.
    fn err(&mut self, key: KeyPath, message: impl Into<String>, suggestion: Option<String>) {
        let d = self.sc.diagnostic(&key, message.into(), suggestion);
        self.errors.push(d);
    }

    /// The index of the state named `id`; a problem (with the nearest id) if there is none.
    fn state_ref(&mut self, key: KeyPath, id: &str, ids: &[String]) -> usize {
        match ids.iter().position(|s| s == id) {
            Some(i) => i,
            None => {
                let suggestion = nearest(id, ids.iter().map(String::as_str));
                self.err(
                    key,
                    format!(
                        "no state `{id}`; the states are {}",
                        ids.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                    ),
                    suggestion,
                );
                0
            }
        }
    }

    /// Checks a plain number against the bounds of its unit; a problem at `key` if it
    /// is not finite or outside them. Returns whether it is allowed.
    fn number(&mut self, key: KeyPath, v: f64, bounds: Bounds) -> bool {
        match bounds.check(v) {
            Ok(()) => true,
            Err(msg) => {
                self.err(key, msg, None);
                false
            }
        }
    }

    /// A year written as a table key (`{ 2019 = ... }`): exactly four digits, from
    /// 1900 to 2200, so that one year has one spelling; a problem if it is not one.
    fn year_key(&mut self, key: KeyPath, text: &str) -> Option<i32> {
        match parse_year(text) {
            Some(y) if (MIN_YEAR..=MAX_YEAR).contains(&y) => Some(y),
            _ => {
                self.err(
                    key,
                    format!(
                        "expected a year such as 2019 as the key (four digits, {MIN_YEAR}–{MAX_YEAR}), got `{text}`"
                    ),
                    None,
                );
                None
            }
        }
    }
}

/// A year written as exactly four ASCII digits (`"2019"`; not `"02019"` or `"+2019"`).
fn parse_year(text: &str) -> Option<i32> {
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}
