//! The scenario file format (TOML) and its loading.
//!
//! A scenario is data: the states of the staircase, the transitions between
//! them, the cohort, the staff and grants, the money rules, and the targets.
//! This module only reads and writes that data; [`crate::model`] checks it
//! and turns it into a model the engine can run. `docs/scenario-format.md`
//! documents every key.
//!
//! Unknown keys are errors. Every error names the file, line, key, what was
//! expected, and the nearest valid key ([`crate::input::locate`] finds them).

use crate::error::{Diagnostic, ScenarioError};
use crate::input::calendar::YearMonth;
use crate::input::locate::{
    KeyPath, key_diagnostic, parse_diagnostic, quote_key_on_line, unquoted_non_ascii_key, written_value,
};
use crate::input::param::Param;
use crate::input::read::{InputFile, ReadError, read_input_text};
use crate::input::setting::Setting;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

mod budget;
mod staffing;

pub use budget::*;
pub use staffing::*;

/// A whole scenario file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Name, start month and horizon.
    pub scenario: Meta,
    /// Replications and seed.
    #[serde(default)]
    pub simulation: Simulation,
    /// The states citizens can be in (the staircase by default).
    pub states: Vec<StateDef>,
    /// Monthly transitions between states (a state without transitions is absorbing).
    #[serde(default)]
    pub transitions: Vec<TransitionDef>,
    /// A person-level extract giving the citizens present at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<CohortDef>,
    /// The cohort, in segments.
    pub segments: Vec<SegmentDef>,
    /// Citizens moving from one segment to another (match group 4 → 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segment_moves: Vec<SegmentMoveDef>,
    /// Staff and how caseload affects transitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staffing: Option<StaffingDef>,
    /// Grants paid to the municipality in the scenario arm.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantDef>,
    /// Benefit rates, reimbursement, staff cost and discounting.
    pub budget: BudgetDef,
    /// Result targets ("40 % self-supporting after 12 months").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetDef>,
}

/// `[scenario]`: what the scenario is and the period it covers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// A short name shown in reports.
    pub name: String,
    /// A longer description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The first simulated month, `"YYYY-MM"`.
    pub start: YearMonth,
    /// Number of simulated months.
    pub horizon_months: u32,
}

/// `[simulation]`: how many replications and which seed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// Monte Carlo replications (each draws parameters and individual paths anew).
    #[serde(default = "default_replications")]
    pub replications: u32,
    /// Seed of the random number streams; the same seed gives the same results.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Cohorts simulated per outer draw of the parameters: `replications` is
    /// `outer draws × inner_replications`, which separates what we don't know (the
    /// parameters) from chance (the citizens' paths). Left out, [`default_inner`] of
    /// the run's replications: [`DEFAULT_INNER_REPLICATIONS`] when they are a multiple of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_replications: Option<u32>,
}

/// Replications when `[simulation]` does not say: 200 outer draws of the parameters
/// × [`DEFAULT_INNER_REPLICATIONS`] cohorts.
fn default_replications() -> u32 {
    1000
}
/// Seed when `[simulation]` does not say.
fn default_seed() -> u64 {
    1
}

/// Cohorts per outer draw of the parameters when neither `[simulation]` nor `--inner`
/// says: enough to estimate the chance within a draw, few enough to leave many outer
/// draws for what we don't know (`docs/outputs.md` gives the Monte Carlo error).
pub const DEFAULT_INNER_REPLICATIONS: u32 = 5;

/// The cohorts per outer draw of `replications` when none is given: the largest
/// divisor of `replications` not above [`DEFAULT_INNER_REPLICATIONS`] that leaves at
/// least 2 outer draws (one draw would show nothing of what we don't know), else 1.
pub fn default_inner(replications: u32) -> u32 {
    (2..=DEFAULT_INNER_REPLICATIONS)
        .rev()
        .find(|&i| replications.is_multiple_of(i) && replications / i >= 2)
        .unwrap_or(1)
}

/// One line saying why a run of `replications` has `inner` cohorts per draw rather
/// than [`DEFAULT_INNER_REPLICATIONS`], when `inner` is what [`default_inner`] gives for
/// a number of replications that does not take the default; `None` otherwise.
pub fn inner_note(replications: u32, inner: u32) -> Option<String> {
    let default = DEFAULT_INNER_REPLICATIONS;
    if inner == default || inner != default_inner(replications) {
        return None;
    }
    let why = if replications.is_multiple_of(default) {
        format!("{default} cohorts per draw, the default, would leave a single draw of the parameters")
    } else {
        format!("{replications} is not a multiple of {default}, the default cohorts per draw")
    };
    let split = if inner == 1 {
        "one cohort per draw, so what we don't know is not told apart from chance".to_string()
    } else {
        format!("{} draws × {inner} cohorts", replications / inner)
    };
    Some(format!("{why}: {split}; -n and --inner choose the split"))
}

impl Default for Simulation {
    fn default() -> Self {
        Simulation { replications: default_replications(), seed: default_seed(), inner_replications: None }
    }
}

/// `[[states]]`: one state of the model.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    /// Identifier used by transitions, segments and outputs.
    pub id: String,
    /// Human-readable label for reports.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The municipality pays benefit for citizens in this state.
    #[serde(default)]
    pub pays_benefit: bool,
    /// The citizen counts as self-supporting (off public income support).
    #[serde(default)]
    pub self_supporting: bool,
    /// The citizen is in ordinary employment.
    #[serde(default)]
    pub employed: bool,
    /// The citizen is in education.
    #[serde(default)]
    pub education: bool,
    /// The citizen is in an activation offer.
    #[serde(default)]
    pub activation: bool,
    /// Under the pre-2016 regime, whether benefit in this state is reimbursed at
    /// the active rate. Defaults to `activation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reimbursed_as_active: Option<bool>,
    /// Monthly cost of the activity (DKK per citizen-month): wage subsidy, mentor, course fee.
    #[serde(default)]
    pub activity_cost: Param,
    /// Share of the full benefit still paid in this state, the rest offset by the
    /// citizen's earnings (small jobs, reduced hours). Only in a state that pays benefit;
    /// without it the full benefit is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_benefit_share: Option<Param>,
    /// The municipality's monthly cost of an education it co-pays, per citizen in this
    /// state (DKK), reimbursed at `budget.education_cost_reimbursement`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education_cost: Option<Param>,
}

/// `[[transitions]]`: a monthly move from one state to another.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionDef {
    /// Identifier used by segment multipliers; defaults to `"from->to"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Origin state id.
    pub from: String,
    /// Destination state id.
    pub to: String,
    /// Monthly probability as if this were the only way out of `from`.
    pub probability: Param,
    /// Scaled by the staffing multiplier each month.
    #[serde(default)]
    pub staffing_sensitive: bool,
    /// Elasticity for this transition, overriding `staffing.elasticity`
    /// (negative for relapse that follow-up prevents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elasticity: Option<Param>,
    /// One-off cost per citizen making this move (DKK), e.g. establishing a placement.
    #[serde(default)]
    pub one_off_cost: Param,
    /// Duration dependence: rate multipliers by months already spent in `from`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duration: Vec<DurationBand>,
    /// Consultant hours each move takes (a placement); with `[staffing.capacity]`,
    /// moves beyond the month's hours wait, first come first served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Param>,
}

impl TransitionDef {
    /// The identifier: `id` if given, else `"from->to"`.
    pub fn key(&self) -> String {
        self.id.clone().unwrap_or_else(|| format!("{}->{}", self.from, self.to))
    }
}

/// One band of duration dependence.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DurationBand {
    /// The band starts in this month in the state (1 = first month in the state).
    pub from_month: u32,
    /// Multiplier on the transition's rate from that month on.
    pub multiplier: Param,
}

/// `[[segments]]`: a group of citizens sharing start state, benefit and multipliers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentDef {
    /// Name shown in outputs, e.g. `"match group 3"`.
    pub name: String,
    /// Citizens in the segment at the start.
    #[serde(default)]
    pub size: u32,
    /// The state all citizens start in (or use `start_states`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_state: Option<String>,
    /// Shares of the segment starting in each state (they must sum to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_states: Option<BTreeMap<String, f64>>,
    /// Benefit type, a key of `budget.benefit_rates`.
    pub benefit_type: String,
    /// Months already on benefit before the start (for the 2016 reimbursement bands).
    #[serde(default)]
    pub months_on_benefit: u32,
    /// The month the segment's citizens arrive (are referred), `"YYYY-MM"`, when it is
    /// after the start; they are not counted anywhere before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrives: Option<YearMonth>,
    /// New citizens entering per month (fractions accumulate).
    #[serde(default)]
    pub inflow_per_month: f64,
    /// First month of the inflow, `"YYYY-MM"` (defaults to the first simulated month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inflow_from: Option<YearMonth>,
    /// Last month of the inflow, `"YYYY-MM"`, inclusive (defaults to the last simulated month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inflow_until: Option<YearMonth>,
    /// State new citizens enter; defaults to `start_state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inflow_state: Option<String>,
    /// Months already on benefit for new citizens.
    #[serde(default)]
    pub inflow_months_on_benefit: u32,
    /// Months since referral (or arrival) of the citizens at the start, when known:
    /// what targets on the clock read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_since_referral: Option<u32>,
    /// Multipliers on the rates of named transitions, for this segment.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub multipliers: BTreeMap<String, Param>,
    /// Probabilities replacing the base probability of named transitions, for this segment.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, Param>,
    /// The citizens present at the start, in groups: instead of `size` and
    /// `start_state(s)`; filled from the `[cohort]` file for segments it lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citizens: Vec<CitizenGroupDef>,
}

/// `[[segment_moves]]`: each month, after the moves between states, citizens of one
/// segment join another with a monthly probability.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentMoveDef {
    /// The segment left (its `name`).
    pub from: String,
    /// The segment joined (its `name`).
    pub to: String,
    /// Monthly probability of the move.
    pub probability: Param,
    /// The states in which the move can happen; every state when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<String>,
}

/// `[cohort]`: the citizens present at the start, from a person-level CSV extract.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CohortDef {
    /// The CSV file, relative to the scenario file.
    pub file: String,
}

/// One entry of a segment's `citizens`: citizens alike at the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitizenGroupDef {
    /// The state they start in.
    pub state: String,
    /// Months on benefit before the start.
    #[serde(default)]
    pub months_on_benefit: u32,
    /// Months since referral at the start, when known (what targets on the clock read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_since_referral: Option<u32>,
    /// The placement (a transition with `hours`) they wait for at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<String>,
    /// How many citizens.
    pub count: u32,
}

/// `[[targets]]`: a result target.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetDef {
    /// Text shown in reports.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The metric (see `docs/scenario-format.md` for the list).
    pub metric: String,
    /// When: months after start (`12`) or a calendar month (`"2008-05"`); or, with
    /// `at_months_since_referral`, at each citizen's own month instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<MonthRef>,
    /// Met if the value is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// Met if the value is at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    /// Compare the value divided by its value at the start (month 0).
    #[serde(default)]
    pub relative_to_start: bool,
    /// Count only the citizens of these segments (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<String>,
    /// Count only the citizens whose months since referral (or arrival) at `month`
    /// lie in this window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_since_referral: Option<MonthsWindow>,
    /// Measure each citizen at the end of their own month this many months after
    /// referral (or arrival), over those who reach it within the simulation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_months_since_referral: Option<u32>,
    /// Count only the citizens on benefit whose current spell is longer than this
    /// many months (for `mean_benefit_duration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_benefit_longer_than: Option<u32>,
    /// Measure a share of a stated population that the cohort is part of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<PopulationDef>,
}

/// A target's window of months since referral: `{ from = 12, to = 23 }`, both ends
/// included, `to` open when left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthsWindow {
    /// Fewest months since referral counted.
    pub from: u32,
    /// Most months since referral counted (no upper end when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u32>,
}

/// A target's stated population: the cohort is part of `size` people, of whom
/// `counted_outside` outside the cohort already count toward the share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationDef {
    /// People in the population, the cohort included.
    pub size: f64,
    /// People outside the cohort who count toward the share (e.g. already in work).
    #[serde(default)]
    pub counted_outside: f64,
}

/// A month given either as months after start or as a calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthRef {
    /// Months after the start (0 = the starting position).
    Offset(u32),
    /// A calendar month; measured at the end of that month.
    Calendar(YearMonth),
}

impl Serialize for MonthRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MonthRef::Offset(n) => s.serialize_u32(*n),
            MonthRef::Calendar(ym) => ym.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for MonthRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = MonthRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("months after start (e.g. 12) or a month \"YYYY-MM\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<MonthRef, E> {
                u32::try_from(v)
                    .map(MonthRef::Offset)
                    .map_err(|_| E::custom(format!("expected months after start ≥ 0, got {v}")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<MonthRef, E> {
                self.visit_i64(v as i64)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MonthRef, E> {
                YearMonth::parse(v).map(MonthRef::Calendar).ok_or_else(|| {
                    E::custom(format!("expected a month \"YYYY-MM\" or months after start, got \"{v}\""))
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// For an unquoted key with æ, ø or å (which TOML cannot read), the nearest valid key:
/// found by reading the file again with that key quoted.
fn nearest_for_unquoted_key(path: &str, source: &str, d: &Diagnostic) -> Option<String> {
    let key = unquoted_non_ascii_key(d)?;
    let quoted = quote_key_on_line(source, d.line?, &key)?;
    let e = toml::from_str::<ScenarioFile>(&quoted).err()?;
    let again = parse_diagnostic(path, &quoted, &e);
    (again.line == d.line && again.message.contains(&format!("`{key}`")))
        .then_some(again.suggestion)
        .flatten()
}

/// A scenario file read from disk: its text, its parsed contents, and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The path as given.
    pub path: String,
    /// The file's text, kept to locate errors and for the run manifest.
    pub source: String,
    /// The parsed contents, with the settings written in (and the `[cohort]` file's
    /// citizens in the segments).
    pub file: ScenarioFile,
    /// The `[cohort]` file read, if the scenario has one.
    pub cohort: Option<crate::input::cohort::CohortSource>,
    /// The `--set PATH=VALUE` arguments that change the file's values, in order.
    pub settings: Vec<Setting>,
}

impl LoadedScenario {
    /// Reads and parses a scenario file: a regular UTF-8 file of at most 16 MB
    /// ([`read_input_text`]).
    pub fn from_path(path: &Path) -> Result<Self, ScenarioError> {
        Self::from_path_with(path, &[])
    }

    /// [`LoadedScenario::from_path`] with `settings` written into the file's values.
    pub fn from_path_with(path: &Path, settings: &[Setting]) -> Result<Self, ScenarioError> {
        let source = read_input_text(path, InputFile::Scenario).map_err(|e| match e {
            ReadError::NotUtf8(d) => ScenarioError::Invalid(vec![*d]),
            ReadError::Io(source) => ScenarioError::Read { path: path.to_path_buf(), source },
        })?;
        Self::from_str_with(&path.display().to_string(), &source, settings)
    }

    /// Parses scenario text; `path` is used in error messages, and a `[cohort]` file
    /// is read relative to its folder.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(path: &str, source: &str) -> Result<Self, ScenarioError> {
        Self::from_str_with(path, source, &[])
    }

    /// [`LoadedScenario::from_str`] with `settings` written into the file's values:
    /// the file must read as it is; then a problem a setting causes is reported
    /// against its `--set` argument ([`crate::input::setting`]).
    pub fn from_str_with(path: &str, source: &str, settings: &[Setting]) -> Result<Self, ScenarioError> {
        let as_written = parse_file(path, source)?;
        let mut file = if settings.is_empty() {
            as_written
        } else {
            let edited = crate::input::setting::apply(source, settings).map_err(ScenarioError::Invalid)?;
            toml::from_str::<ScenarioFile>(&edited)
                .map_err(|e| ScenarioError::Invalid(crate::input::setting::blame(&edited, &e, settings)))?
        };
        let cohort = crate::input::cohort::load(path, source, &mut file);
        let mut sc = LoadedScenario {
            path: path.to_string(),
            source: source.to_string(),
            file,
            cohort: None,
            settings: settings.to_vec(),
        };
        sc.cohort = cohort.map_err(|e| match e {
            ScenarioError::Invalid(ds) => {
                ScenarioError::Invalid(ds.into_iter().map(|d| sc.claim(d)).collect())
            }
            other => other,
        })?;
        Ok(sc)
    }

    /// A diagnostic for the key at `key`, located in this file, or reported against
    /// the `--set` argument that gave the key its value. A problem with a table (a distribution) one of whose keys a setting gives is
    /// reported against that setting, with the table's key.
    pub fn diagnostic(&self, key: &KeyPath, message: String, suggestion: Option<String>) -> Diagnostic {
        let within = |s: &&Setting| s.path.0.len() > key.0.len() && s.path.0.starts_with(&key.0);
        match self.setting_of(key).or_else(|| self.settings.iter().rev().find(within)) {
            Some(s) => Diagnostic { key: key.to_string(), ..s.diagnostic(message, suggestion) },
            None => key_diagnostic(&self.path, &self.source, key, message, suggestion),
        }
    }

    /// The text of the value at `key` as given: by its `--set` argument, else as
    /// written in the file (`None` if it is in neither).
    pub fn written_value(&self, key: &KeyPath) -> Option<String> {
        match self.setting_of(key) {
            Some(s) => Some(s.value.to_string().trim().to_string()),
            None => written_value(&self.source, key),
        }
    }

    /// The last setting of `key`, if one sets it.
    fn setting_of(&self, key: &KeyPath) -> Option<&Setting> {
        self.settings.iter().rev().find(|s| s.path == *key)
    }

    /// A diagnostic located in this file, moved to the `--set` argument that gave its
    /// key its value, if one did.
    fn claim(&self, d: Diagnostic) -> Diagnostic {
        match self.settings.iter().rev().find(|s| s.path.to_string() == d.key && d.file == self.path) {
            Some(s) => {
                Diagnostic { hint: d.hint, severity: d.severity, ..s.diagnostic(d.message, d.suggestion) }
            }
            None => d,
        }
    }
}

/// The scenario file's contents as written, or the diagnostic locating why it does
/// not read.
fn parse_file(path: &str, source: &str) -> Result<ScenarioFile, ScenarioError> {
    toml::from_str::<ScenarioFile>(source).map_err(|e| {
        let mut d = parse_diagnostic(path, source, &e);
        if d.suggestion.is_none() {
            d.suggestion = nearest_for_unquoted_key(path, source, &d);
        }
        ScenarioError::Invalid(vec![d])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
[scenario]
name = "x"
start = "2024-01"
horizon_months = 12

[[states]]
id = "a"
pays_benefit = true

[[states]]
id = "b"

[[transitions]]
from = "a"
to = "b"
probability = { dist = "beta", mean = 0.1, sd = 0.01 }

[[segments]]
name = "all"
size = 10
start_state = "a"
benefit_type = "kh"

[budget.benefit_rates.kh]
rates = { 2024 = 12326 }

[budget.reimbursement]
regime = "2016"
"#;

    #[test]
    fn a_minimal_scenario_parses() {
        let s = LoadedScenario::from_str("mini.toml", MINI).unwrap();
        assert_eq!(s.file.states.len(), 2);
        assert_eq!(s.file.simulation.replications, 1000);
        assert_eq!(s.file.budget.benefit_rates["kh"].rates["2024"], 12326.0);
    }

    #[test]
    fn the_default_inner_size_is_the_largest_divisor_up_to_5_leaving_2_draws() {
        let cases =
            [(1000, 5), (10, 5), (12, 4), (9, 3), (6, 3), (4, 2), (998, 2), (7, 1), (5, 1), (3, 1), (1, 1)];
        for (n, inner) in cases {
            assert_eq!(default_inner(n), inner, "{n}");
        }
        assert_eq!(inner_note(1000, 5), None);
        assert_eq!(inner_note(1000, 2), None, "an inner size other than the rule's is a given one");
        assert!(inner_note(12, 4).unwrap().starts_with("12 is not a multiple of 5"));
        assert!(
            inner_note(5, 1)
                .unwrap()
                .starts_with("5 cohorts per draw, the default, would leave a single draw")
        );
    }

    #[test]
    fn misspelt_key_is_located_and_corrected() {
        let bad = MINI.replace("horizon_months", "horizon_month");
        let e = LoadedScenario::from_str("mini.toml", &bad).unwrap_err();
        let d = &e.diagnostics()[0];
        assert_eq!(d.line, Some(5));
        assert_eq!(d.suggestion.as_deref(), Some("horizon_months"));
        assert!(d.message.contains("unknown key"), "{}", d.message);
    }

    #[test]
    fn locate_finds_nested_keys() {
        let s = LoadedScenario::from_str("mini.toml", MINI).unwrap();
        let k = KeyPath::parse("transitions").index(0).key("probability").key("sd");
        let d = s.diagnostic(&k, "x".into(), None);
        assert_eq!(d.line, Some(17));
        assert_eq!(d.key, "transitions[0].probability.sd");
        let k = KeyPath::parse("segments").index(0).key("start_state");
        assert_eq!(s.diagnostic(&k, "x".into(), None).line, Some(22));
        let k = KeyPath::parse("budget.reimbursement.regime");
        assert_eq!(s.diagnostic(&k, "x".into(), None).line, Some(29));
    }
}
