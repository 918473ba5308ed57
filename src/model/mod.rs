//! The validated model: a scenario file checked and resolved into indices,
//! distributions and schedules the engine can run.
//!
//! Everything a user can get wrong is caught here and reported with file,
//! line and key (see [`crate::error::Diagnostic`]); the engine then trusts the
//! model and does not check again.

use crate::budget::{BANDS_2016, BenefitRates, Reimbursement};
use crate::error::{Diagnostic, ScenarioError, nearest};
use crate::input::calendar::YearMonth;
use crate::input::param::{CalibrateMark, Distribution, Param, Role, fmt_num, resolve};
use crate::input::scenario::{KeyPath, LoadedScenario, MonthRef, Regime, Serves};
use std::collections::{BTreeMap, HashMap, HashSet};

pub mod parameters;

/// A state of the model, with what it means for the citizen and the budget.
#[derive(Debug, Clone)]
pub struct State {
    /// Identifier.
    pub id: String,
    /// Label for reports.
    pub label: String,
    /// Benefit is paid.
    pub pays_benefit: bool,
    /// Counts as self-supporting.
    pub self_supporting: bool,
    /// Counts as ordinary employment.
    pub employed: bool,
    /// Counts as education.
    pub education: bool,
    /// An activation offer.
    pub activation: bool,
    /// Reimbursed at the active rate under the pre-2016 regime.
    pub reimbursed_as_active: bool,
    /// Monthly activity cost per citizen (DKK).
    pub activity_cost: Distribution,
}

/// A transition between two states.
#[derive(Debug, Clone)]
pub struct Transition {
    /// Identifier (`from->to` unless named).
    pub id: String,
    /// Origin state index.
    pub from: usize,
    /// Destination state index.
    pub to: usize,
    /// Monthly probability as if it were the only way out.
    pub probability: Distribution,
    /// Scaled by the staffing multiplier.
    pub staffing_sensitive: bool,
    /// Own elasticity, if it overrides the staffing elasticity.
    pub elasticity: Option<Distribution>,
    /// One-off cost per move (DKK).
    pub one_off_cost: Distribution,
    /// Duration dependence: `(first month in state, rate multiplier)`, ascending.
    pub duration: Vec<(u32, Distribution)>,
    /// Consultant hours per move, when the move draws on placement capacity.
    pub hours: Option<Distribution>,
}

/// The longest benefit history before the start (or before arriving) a segment may state.
pub const MAX_MONTHS_ON_BENEFIT: u32 = 1200;

/// A group of citizens sharing start, benefit and multipliers.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Name.
    pub name: String,
    /// Citizens at the start, per start state: `(state, count)`.
    pub start: Vec<(usize, u32)>,
    /// Benefit type index into [`Model::benefit_types`].
    pub benefit_type: usize,
    /// Months on benefit before the start.
    pub months_on_benefit: u32,
    /// New citizens per month.
    pub inflow_per_month: f64,
    /// State new citizens enter.
    pub inflow_state: usize,
    /// Months on benefit before entry, for new citizens.
    pub inflow_months_on_benefit: u32,
    /// Rate multipliers by transition index.
    pub multipliers: Vec<(usize, Distribution)>,
    /// Probability overrides by transition index.
    pub overrides: Vec<(usize, Distribution)>,
}

impl Segment {
    /// Citizens at the start.
    pub fn size(&self) -> u32 {
        self.start.iter().map(|(_, n)| n).sum()
    }

    /// Arrivals in simulated month `m` (1-based): fractional inflow accumulates,
    /// so that after `m` months exactly `floor(m × inflow)` have arrived.
    pub fn arrivals(&self, m: usize) -> u32 {
        let f = self.inflow_per_month;
        ((m as f64 * f).floor() - ((m - 1) as f64 * f).floor()) as u32
    }
}

/// Who pays for a hire.
#[derive(Debug, Clone, PartialEq)]
pub enum Funder {
    /// The municipality's own budget.
    Municipality,
    /// A grant, by index into [`Model::grants`].
    Grant(usize),
}

/// Extra staff in the scenario arm.
#[derive(Debug, Clone)]
pub struct Hire {
    /// Name.
    pub name: String,
    /// FTE.
    pub fte: f64,
    /// First month employed.
    pub start: YearMonth,
    /// Last month employed (inclusive).
    pub end: YearMonth,
    /// Linear ramp-up months.
    pub ramp_up_months: u32,
    /// Who pays.
    pub funded_by: Funder,
    /// What the hire's time adds to (caseload, placement hours, or both).
    pub serves: Serves,
}

impl Hire {
    /// Productive fraction in calendar month `ym` (0 outside employment): in the
    /// k-th month employed (k = 1, 2, …) it is `k / (ramp + 1)` while k ≤ ramp, then 1.
    pub fn productivity(&self, ym: YearMonth) -> f64 {
        if ym < self.start || ym > self.end {
            return 0.0;
        }
        let k = self.start.months_until(ym) as f64 + 1.0;
        let r = self.ramp_up_months as f64;
        if k <= r { k / (r + 1.0) } else { 1.0 }
    }

    /// FTE employed (paid) in calendar month `ym`.
    pub fn employed_fte(&self, ym: YearMonth) -> f64 {
        if ym < self.start || ym > self.end { 0.0 } else { self.fte }
    }
}

/// Staff and the effect of caseload on staffing-sensitive transitions.
#[derive(Debug, Clone)]
pub struct Staffing {
    /// FTE in both arms.
    pub baseline_fte: f64,
    /// Citizens on benefit per productive FTE at which base probabilities hold.
    pub caseload_ref: f64,
    /// Default elasticity.
    pub elasticity: Distribution,
    /// Lower clamp of the multiplier.
    pub multiplier_min: f64,
    /// Upper clamp of the multiplier.
    pub multiplier_max: f64,
    /// Extra staff (scenario arm only).
    pub hires: Vec<Hire>,
    /// Placement capacity, if modelled.
    pub capacity: Option<Capacity>,
}

/// Consultant hours for placements each month (DOMAIN.md, "Staffing"): moves with
/// `hours` beyond the month's hours wait, first come first served.
#[derive(Debug, Clone)]
pub struct Capacity {
    /// Placement consultants' FTE in both arms.
    pub placement_fte: f64,
    /// Working hours per FTE per month.
    pub hours_per_fte_month: f64,
    /// Share of those hours spent on placements.
    pub placement_share: Distribution,
}

impl Staffing {
    /// The staffing multiplier `clamp((caseload_ref / caseload)^elasticity, min, max)`.
    #[inline]
    ///
    /// With no productive staff the caseload is infinite, and with nobody on
    /// benefit it is zero; the clamp bounds the multiplier in both cases.
    pub fn multiplier(&self, on_benefit: f64, productive_fte: f64, elasticity: f64) -> f64 {
        if elasticity == 0.0 {
            return 1.0;
        }
        let ratio = if productive_fte <= 0.0 {
            0.0
        } else if on_benefit <= 0.0 {
            f64::INFINITY
        } else {
            self.caseload_ref / (on_benefit / productive_fte)
        };
        ratio.powf(elasticity).clamp(self.multiplier_min, self.multiplier_max)
    }
}

/// A grant: money per budget year to the scenario arm.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Name.
    pub name: String,
    /// DKK per budget year.
    pub amounts: BTreeMap<i32, f64>,
    /// What it pays for.
    pub pays_for: String,
    /// Money the funded hires do not use in a budget year is paid back.
    pub repaid: bool,
}

/// The wider view: tax and equalisation per citizen-month in employment.
#[derive(Debug, Clone)]
pub struct Wider {
    /// Municipal income tax (DKK per employed month).
    pub tax: Distribution,
    /// Equalisation loss (DKK per employed month).
    pub equalisation: Distribution,
    /// State income tax (DKK per employed month).
    pub state_tax: Distribution,
}

/// The money rules.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Rates by benefit type, parallel to [`Model::benefit_types`].
    pub benefit_rates: Vec<BenefitRates>,
    /// The reimbursement regime.
    pub reimbursement: Reimbursement,
    /// Cost per FTE-year (DKK).
    pub staff_cost_per_fte_year: Distribution,
    /// Share of activity costs reimbursed.
    pub activity_cost_reimbursement: f64,
    /// Yearly discount rate.
    pub discount_rate: f64,
    /// Optional wider view.
    pub wider: Option<Wider>,
}

/// Outcomes a target (or a monthly column) can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Share of entered citizens self-supporting.
    SelfSupportingShare,
    /// Share in ordinary employment.
    EmploymentShare,
    /// Share in education.
    EducationShare,
    /// Share on benefit (the "cash-benefit rate" of the cohort).
    BenefitShare,
    /// Share in activation.
    ActivationShare,
    /// Share who have ever left benefit for work or education.
    OutflowShare,
    /// Share who have had 6 consecutive months of ordinary employment.
    SixMonthEmploymentShare,
    /// Mean cumulative months on benefit of those on benefit.
    MeanBenefitDuration,
    /// Share of entered citizens in one state.
    StateShare(usize),
}

impl Metric {
    /// The named metrics (state shares are `share:<state id>`).
    pub const NAMED: [(&'static str, Metric); 8] = [
        ("self_supporting_share", Metric::SelfSupportingShare),
        ("employment_share", Metric::EmploymentShare),
        ("education_share", Metric::EducationShare),
        ("benefit_share", Metric::BenefitShare),
        ("activation_share", Metric::ActivationShare),
        ("outflow_share", Metric::OutflowShare),
        ("six_month_employment_share", Metric::SixMonthEmploymentShare),
        ("mean_benefit_duration", Metric::MeanBenefitDuration),
    ];

    /// Name as written in scenario files and outputs.
    pub fn name(self, states: &[State]) -> String {
        match self {
            Metric::StateShare(s) => format!("share:{}", states[s].id),
            m => Metric::NAMED.iter().find(|(_, x)| *x == m).map(|(n, _)| n.to_string()).unwrap_or_default(),
        }
    }

    /// Unit for outputs.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::MeanBenefitDuration => "months",
            _ => "share",
        }
    }
}

/// A result target.
#[derive(Debug, Clone)]
pub struct Target {
    /// Text for reports.
    pub name: String,
    /// What is measured.
    pub metric: Metric,
    /// Months after start (the value at the end of that month; 0 = start).
    pub month: usize,
    /// Met if value ≥ this.
    pub at_least: Option<f64>,
    /// Met if value ≤ this.
    pub at_most: Option<f64>,
    /// Compare value / value at month 0.
    pub relative_to_start: bool,
}

impl Target {
    /// Whether a value meets the target.
    pub fn is_met(&self, value: f64) -> bool {
        self.at_least.is_none_or(|t| value >= t) && self.at_most.is_none_or(|t| value <= t)
    }

    /// The condition as text, e.g. `≥ 0.4`.
    pub fn condition(&self) -> String {
        let rel = if self.relative_to_start { " × start value" } else { "" };
        match (self.at_least, self.at_most) {
            (Some(a), Some(b)) => format!("between {a} and {b}{rel}"),
            (Some(a), None) => format!("≥ {a}{rel}"),
            (None, Some(b)) => format!("≤ {b}{rel}"),
            (None, None) => String::new(),
        }
    }
}

/// One arm of a comparison: which extras it includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arm {
    /// Name in outputs.
    pub name: &'static str,
    /// Includes the scenario's hires.
    pub with_hires: bool,
    /// Includes the scenario's grant income.
    pub with_grants: bool,
}

/// The scenario arm: everything in the file.
pub const SCENARIO: Arm = Arm { name: "scenario", with_hires: true, with_grants: true };
/// The counterfactual: the same cohort and parameters without extra staff and grants.
pub const COUNTERFACTUAL: Arm = Arm { name: "counterfactual", with_hires: false, with_grants: false };

/// The arms every run simulates: the scenario (arm 0) and its counterfactual (arm 1).
pub const ARMS: [Arm; 2] = [SCENARIO, COUNTERFACTUAL];

/// Staffing in one month of one arm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthStaff {
    /// FTE paid, baseline part.
    pub baseline_fte: f64,
    /// FTE paid, extra part.
    pub extra_fte: f64,
    /// Caseworker FTE weighted by productivity (ramp-up): the caseload's denominator.
    pub productive_fte: f64,
    /// Placement consultants' FTE weighted by productivity (with `[staffing.capacity]`).
    pub placement_fte: f64,
}

/// What kind of parameter a calibration mark sits on; sets its default bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibratedKind {
    /// A transition's monthly probability, or a segment's override of it.
    Probability,
    /// A segment's multiplier on a transition's rate.
    Multiplier,
}

impl CalibratedKind {
    /// Default bounds of the fitted mean: probability [0.0001, 0.95], multiplier [0.05, 20].
    pub fn default_bounds(self) -> (f64, f64) {
        match self {
            CalibratedKind::Probability => (1e-4, 0.95),
            CalibratedKind::Multiplier => (0.05, 20.0),
        }
    }
}

/// A parameter marked `calibrate` in the scenario file: what `trappe calibrate` fits.
#[derive(Debug, Clone)]
pub struct Calibrated {
    /// The parameter's key as the engine names it (see [`crate::simulation::draws::parameter_keys`]),
    /// e.g. `transitions.job_ready->job.probability`.
    pub key: String,
    /// Where it is written in the file, e.g. `transitions[0].probability`.
    pub path: KeyPath,
    /// Its calibration group: the name given with `calibrate = "name"`, or the key
    /// for a parameter fitted on its own. The members of a group share one factor.
    pub group: String,
    /// Probability or multiplier.
    pub kind: CalibratedKind,
    /// The distribution as written (the starting point of the fit).
    pub dist: Distribution,
    /// Bounds of the fitted mean: as written, or the kind's default.
    pub bounds: (f64, f64),
    /// True if the bounds were written in the file.
    pub bounds_given: bool,
}

/// A validated, resolved model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Description.
    pub description: String,
    /// First simulated month.
    pub start: YearMonth,
    /// Simulated months.
    pub horizon: usize,
    /// Replications.
    pub replications: u32,
    /// Seed.
    pub seed: u64,
    /// States.
    pub states: Vec<State>,
    /// Transitions.
    pub transitions: Vec<Transition>,
    /// Segments.
    pub segments: Vec<Segment>,
    /// Benefit type names.
    pub benefit_types: Vec<String>,
    /// Staffing, if modelled.
    pub staffing: Option<Staffing>,
    /// Grants.
    pub grants: Vec<Grant>,
    /// Money rules.
    pub budget: Budget,
    /// Targets.
    pub targets: Vec<Target>,
    /// Parameters marked for calibration, in file order.
    pub calibration: Vec<Calibrated>,
    /// Distributions that replace parameters' own when drawing, by engine key, each
    /// drawn as its quantile at the parameter's own uniform number. Empty except
    /// while `trappe calibrate` evaluates candidate values (common random numbers).
    pub draw_overrides: HashMap<String, Distribution>,
    /// The uncertain parameters above as one table, built with the model.
    pub parameters: parameters::ParameterTable,
}

impl Model {
    /// Checks a loaded scenario and resolves it; every problem found is reported.
    pub fn from_scenario(sc: &LoadedScenario) -> Result<Model, ScenarioError> {
        let mut v = Validator { sc, errors: Vec::new(), calibration: Vec::new() };
        let model = v.build();
        if v.errors.is_empty() {
            Ok(Model { parameters: parameters::ParameterTable::new(&model), ..model })
        } else {
            Err(ScenarioError::Invalid(v.errors))
        }
    }

    /// Reads, checks and resolves a scenario file.
    pub fn load(path: &std::path::Path) -> Result<(LoadedScenario, Model), ScenarioError> {
        let sc = LoadedScenario::from_path(path)?;
        let model = Model::from_scenario(&sc)?;
        Ok((sc, model))
    }

    /// Calendar month of simulated month `m` (1-based).
    pub fn calendar(&self, m: usize) -> YearMonth {
        self.start.add_months(m as i64 - 1)
    }

    /// Index of a state by id.
    pub fn state_index(&self, id: &str) -> Option<usize> {
        self.states.iter().position(|s| s.id == id)
    }

    /// Whether placements are limited by consultant hours (`[staffing.capacity]`).
    pub fn has_capacity(&self) -> bool {
        self.staffing.as_ref().is_some_and(|s| s.capacity.is_some())
    }

    /// Staff in simulated month `m` (1-based) of an arm.
    pub fn staff(&self, arm: Arm, m: usize) -> MonthStaff {
        let Some(st) = &self.staffing else {
            return MonthStaff { baseline_fte: 0.0, extra_fte: 0.0, productive_fte: 0.0, placement_fte: 0.0 };
        };
        let ym = self.calendar(m);
        let placement_baseline = st.capacity.as_ref().map(|c| c.placement_fte).unwrap_or(0.0);
        let (mut extra, mut productive, mut placement) = (0.0, st.baseline_fte, placement_baseline);
        if arm.with_hires {
            for h in &st.hires {
                extra += h.employed_fte(ym);
                let p = h.fte * h.productivity(ym);
                if h.serves.caseload() {
                    productive += p;
                }
                if h.serves.placements() {
                    placement += p;
                }
            }
        }
        MonthStaff {
            baseline_fte: st.baseline_fte + placement_baseline,
            extra_fte: extra,
            productive_fte: productive,
            placement_fte: placement,
        }
    }

    /// Grant income per simulated month (index 0 = month 1) for an arm: each budget
    /// year's amount spread evenly over the simulated months of that year.
    ///
    /// A grant whose unspent money is repaid brings in, per budget year, only what
    /// the hires it funds cost, which depends on the cost of one FTE-year.
    pub fn grant_income(&self, arm: Arm, staff_cost_per_fte_year: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.horizon];
        if !arm.with_grants {
            return out;
        }
        let mut months_in_year: BTreeMap<i32, usize> = BTreeMap::new();
        for m in 1..=self.horizon {
            *months_in_year.entry(self.calendar(m).year).or_default() += 1;
        }
        for (gi, g) in self.grants.iter().enumerate() {
            if g.repaid {
                for (slot, c) in out.iter_mut().zip(self.covered_by(gi, staff_cost_per_fte_year)) {
                    *slot += c;
                }
                continue;
            }
            for (year, amount) in &g.amounts {
                if let Some(n) = months_in_year.get(year) {
                    for (m, slot) in out.iter_mut().enumerate() {
                        if self.calendar(m + 1).year == *year {
                            *slot += amount / *n as f64;
                        }
                    }
                }
            }
        }
        out
    }

    /// Per simulated month, the part of the arm's extra staff cost that grants cover,
    /// given the cost of one FTE-year: for each grant and budget year, the smaller of
    /// the grant's amount and the cost of the hires it funds, spread over that year's
    /// months in proportion to those hires' cost.
    pub fn grant_covered_staff_cost(&self, arm: Arm, staff_cost_per_fte_year: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.horizon];
        if !(arm.with_hires && arm.with_grants) {
            return out;
        }
        for gi in 0..self.grants.len() {
            for (slot, c) in out.iter_mut().zip(self.covered_by(gi, staff_cost_per_fte_year)) {
                *slot += c;
            }
        }
        out
    }

    /// Per simulated month, the part of the cost of the hires funded by grant `gi` that
    /// the grant covers (scenario arm).
    fn covered_by(&self, gi: usize, staff_cost_per_fte_year: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.horizon];
        let Some(st) = &self.staffing else { return out };
        let funded: Vec<f64> = (1..=self.horizon)
            .map(|m| {
                let ym = self.calendar(m);
                st.hires
                    .iter()
                    .filter(|h| h.funded_by == Funder::Grant(gi))
                    .map(|h| h.employed_fte(ym) * staff_cost_per_fte_year / 12.0)
                    .sum()
            })
            .collect();
        let mut by_year: BTreeMap<i32, f64> = BTreeMap::new();
        for (m, f) in funded.iter().enumerate() {
            *by_year.entry(self.calendar(m + 1).year).or_default() += f;
        }
        for (m, f) in funded.iter().enumerate() {
            let year = self.calendar(m + 1).year;
            let total = by_year[&year];
            if total > 0.0 {
                let covered = self.grants[gi].amounts.get(&year).copied().unwrap_or(0.0).min(total);
                out[m] += f * covered / total;
            }
        }
        out
    }

    /// Citizens at the start.
    pub fn initial_size(&self) -> u64 {
        self.segments.iter().map(|s| s.size() as u64).sum()
    }

    /// All citizens who will have entered by the horizon.
    pub fn total_size(&self) -> u64 {
        self.segments
            .iter()
            .map(|s| (s.inflow_per_month * self.horizon as f64).floor() as u64)
            .fold(self.initial_size(), u64::saturating_add)
    }
}

struct Validator<'a> {
    sc: &'a LoadedScenario,
    errors: Vec<Diagnostic>,
    calibration: Vec<Calibrated>,
}

impl Validator<'_> {
    fn err(&mut self, key: KeyPath, message: impl Into<String>, suggestion: Option<String>) {
        let d = self.sc.diagnostic(&key, message.into(), suggestion);
        self.errors.push(d);
    }

    /// Resolves a parameter that may not be calibrated: a `calibrate` or `bounds`
    /// key on it is an error.
    fn param(&mut self, key: KeyPath, p: &Param, role: Role) -> Distribution {
        let (mark, bounds) = p.calibration();
        if let Some(m) = mark {
            if m.is_marked() || bounds.is_some() {
                self.err(
                    key.key("calibrate"),
                    format!(
                        "`{key}` cannot be calibrated; `calibrate` is allowed only on transition \
                         probabilities (`probability` in [[transitions]]) and on segment `multipliers` \
                         and `overrides`"
                    ),
                    None,
                );
            }
        } else if bounds.is_some() {
            self.err(
                key.key("bounds"),
                format!(
                    "`bounds` belong to a parameter marked `calibrate = true`, and `{key}` cannot be \
                     calibrated (only transition probabilities and segment `multipliers` and \
                     `overrides` can)"
                ),
                None,
            );
        }
        self.resolve_param(key, p, role)
    }

    /// Resolves a parameter that may be calibrated, recording its mark if it has one.
    fn param_calibratable(
        &mut self,
        key: KeyPath,
        p: &Param,
        role: Role,
        kind: CalibratedKind,
        engine_key: String,
    ) -> Distribution {
        let dist = self.resolve_param(key.clone(), p, role);
        let (mark, bounds) = p.calibration();
        let marked = mark.is_some_and(CalibrateMark::is_marked);
        if !marked {
            if bounds.is_some() {
                self.err(
                    key.key("bounds"),
                    "`bounds` only apply to a parameter marked `calibrate = true`; add it or remove `bounds`",
                    None,
                );
            }
            return dist;
        }
        let (lo, hi) = match bounds {
            None => kind.default_bounds(),
            Some([lo, hi]) if lo.is_finite() && hi.is_finite() => (*lo, *hi),
            Some(_) => {
                self.err(key.key("bounds"), "expected `bounds = [lo, hi]`: two finite numbers", None);
                return dist;
            }
        };
        let allowed = match kind {
            CalibratedKind::Probability => lo >= 0.0 && hi < 1.0,
            CalibratedKind::Multiplier => lo >= 0.0,
        };
        let what = match kind {
            CalibratedKind::Probability => "a probability's bounds must satisfy 0 ≤ lo < hi < 1",
            CalibratedKind::Multiplier => "a multiplier's bounds must satisfy 0 ≤ lo < hi",
        };
        if !(allowed && lo < hi) {
            self.err(key.key("bounds"), format!("{what}, got [{}, {}]", fmt_num(lo), fmt_num(hi)), None);
            return dist;
        }
        let mean = dist.mean();
        if !(mean > 0.0) {
            self.err(
                key.key("calibrate"),
                "a parameter with mean 0 cannot be calibrated (the fit scales the mean); give it a positive starting value",
                None,
            );
            return dist;
        }
        if !(lo <= mean && mean <= hi) {
            let at = if bounds.is_some() { key.key("bounds") } else { key.key("calibrate") };
            self.err(
                at,
                format!(
                    "the bounds [{}, {}]{} must contain the parameter's mean {}",
                    fmt_num(lo),
                    fmt_num(hi),
                    if bounds.is_some() { "" } else { " (the default)" },
                    fmt_num(mean)
                ),
                None,
            );
            return dist;
        }
        let group = match mark {
            Some(CalibrateMark::Group(g)) => g.clone(),
            _ => engine_key.clone(),
        };
        self.calibration.push(Calibrated {
            key: engine_key,
            path: key,
            group,
            kind,
            dist: dist.clone(),
            bounds: (lo, hi),
            bounds_given: bounds.is_some(),
        });
        dist
    }

    fn resolve_param(&mut self, key: KeyPath, p: &Param, role: Role) -> Distribution {
        match resolve(p, role) {
            Ok(d) => d,
            Err(msg) => {
                self.err(key, msg, None);
                Distribution::Fixed(0.0)
            }
        }
    }

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

    fn year_key(&mut self, key: KeyPath, text: &str) -> Option<i32> {
        match text.parse::<i32>() {
            Ok(y) if (1900..=2200).contains(&y) => Some(y),
            _ => {
                self.err(key, format!("expected a year such as 2019 as the key, got `{text}`"), None);
                None
            }
        }
    }

    fn build(&mut self) -> Model {
        let f = &self.sc.file;
        let root = KeyPath::default();

        // [scenario] and [simulation]
        let horizon = f.scenario.horizon_months as usize;
        if horizon == 0 || horizon > 1200 {
            self.err(
                KeyPath::parse("scenario.horizon_months"),
                format!("expected between 1 and 1200 months, got {horizon}"),
                None,
            );
        }
        let horizon = horizon.clamp(1, 1200);
        if f.simulation.replications == 0 {
            self.err(
                KeyPath::parse("simulation.replications"),
                "expected at least 1 replication, got 0",
                None,
            );
        }
        let start = f.scenario.start;
        let end = start.add_months(horizon as i64 - 1);

        // [[states]]
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
        let ids: Vec<String> = f.states.iter().map(|s| s.id.clone()).collect();
        let mut seen = HashSet::new();
        let mut states = Vec::new();
        for (i, s) in f.states.iter().enumerate() {
            let k = root.key("states").index(i);
            if s.id.trim().is_empty() || s.id.contains(char::is_whitespace) {
                self.err(k.key("id"), "a state id must be a non-empty word without spaces", None);
            }
            if !seen.insert(s.id.clone()) {
                self.err(k.key("id"), format!("state `{}` is defined twice", s.id), None);
            }
            let activity_cost = self.param(k.key("activity_cost"), &s.activity_cost, Role::NonNegative);
            states.push(State {
                id: s.id.clone(),
                label: if s.label.is_empty() { s.id.clone() } else { s.label.clone() },
                pays_benefit: s.pays_benefit,
                self_supporting: s.self_supporting,
                employed: s.employed,
                education: s.education,
                activation: s.activation,
                reimbursed_as_active: s.reimbursed_as_active.unwrap_or(s.activation),
                activity_cost,
            });
            if s.pays_benefit && s.self_supporting {
                self.err(
                    k.key("self_supporting"),
                    "a state cannot both pay benefit and be self-supporting",
                    None,
                );
            }
        }

        // [[transitions]]
        let mut transitions = Vec::new();
        let mut tids = HashSet::new();
        for (i, t) in f.transitions.iter().enumerate() {
            let k = root.key("transitions").index(i);
            let from = self.state_ref(k.key("from"), &t.from, &ids);
            let to = self.state_ref(k.key("to"), &t.to, &ids);
            if t.from == t.to {
                self.err(k.key("to"), "a transition must lead to another state", None);
            }
            let id = t.key();
            if !tids.insert(id.clone()) {
                self.err(
                    k.key("id"),
                    format!("transition `{id}` is defined twice; give one of them a distinct `id`"),
                    None,
                );
            }
            let probability = self.param_calibratable(
                k.key("probability"),
                &t.probability,
                Role::Probability,
                CalibratedKind::Probability,
                format!("transitions.{id}.probability"),
            );
            let elasticity = t.elasticity.as_ref().map(|e| self.param(k.key("elasticity"), e, Role::Real));
            if t.elasticity.is_some() && !t.staffing_sensitive {
                self.err(
                    k.key("elasticity"),
                    "an elasticity only applies with `staffing_sensitive = true`",
                    None,
                );
            }
            if t.staffing_sensitive && f.staffing.is_none() {
                self.err(
                    k.key("staffing_sensitive"),
                    "a staffing-sensitive transition needs a [staffing] section",
                    None,
                );
            }
            let one_off_cost = self.param(k.key("one_off_cost"), &t.one_off_cost, Role::NonNegative);
            let mut duration = Vec::new();
            let mut last = 0;
            for (j, b) in t.duration.iter().enumerate() {
                let kb = k.key("duration").index(j);
                if b.from_month <= last {
                    self.err(
                        kb.key("from_month"),
                        format!(
                            "duration bands must start at month 1 or later and ascend; got {} after {last}",
                            b.from_month
                        ),
                        None,
                    );
                }
                last = b.from_month;
                let d = self.param(kb.key("multiplier"), &b.multiplier, Role::NonNegative);
                duration.push((b.from_month, d));
            }
            let hours = t.hours.as_ref().map(|h| self.param(k.key("hours"), h, Role::NonNegative));
            if t.hours.is_some() && f.staffing.as_ref().is_none_or(|s| s.capacity.is_none()) {
                self.err(
                    k.key("hours"),
                    "consultant hours per move need a [staffing.capacity] section giving the hours available",
                    None,
                );
            }
            transitions.push(Transition {
                id,
                from,
                to,
                probability,
                staffing_sensitive: t.staffing_sensitive,
                elasticity,
                one_off_cost,
                duration,
                hours,
            });
        }
        let tid_list: Vec<String> = transitions.iter().map(|t| t.id.clone()).collect();

        // [budget.benefit_rates]
        let benefit_types: Vec<String> = f.budget.benefit_rates.keys().cloned().collect();
        let mut benefit_rates = Vec::new();
        for (name, r) in &f.budget.benefit_rates {
            let k = KeyPath::parse("budget.benefit_rates").key(name);
            let mut by_year = BTreeMap::new();
            if r.rates.is_empty() {
                self.err(
                    k.key("rates"),
                    "give at least one year's monthly rate, e.g. rates = { 2019 = 11423 }",
                    None,
                );
            }
            for (y, amount) in &r.rates {
                if let Some(year) = self.year_key(k.key("rates").key(y), y) {
                    if !(amount.is_finite() && *amount >= 0.0) {
                        self.err(
                            k.key("rates").key(y),
                            format!("expected a non-negative monthly rate in DKK, got {amount}"),
                            None,
                        );
                    }
                    by_year.insert(year, *amount);
                }
            }
            if !(r.indexation > -0.5 && r.indexation < 0.5) {
                self.err(
                    k.key("indexation"),
                    format!("expected a yearly indexation such as 0.014, got {}", r.indexation),
                    None,
                );
            }
            if by_year.is_empty() {
                by_year.insert(start.year, 0.0);
            }
            benefit_rates.push(BenefitRates { by_year, indexation: r.indexation });
        }

        // [[segments]]
        let mut segments = Vec::new();
        if f.segments.is_empty() {
            self.err(root.key("segments"), "the cohort is empty: add at least one [[segments]] table", None);
        }
        let mut seg_names = HashSet::new();
        for (i, s) in f.segments.iter().enumerate() {
            let k = root.key("segments").index(i);
            if !seg_names.insert(s.name.clone()) {
                self.err(k.key("name"), format!("segment `{}` is defined twice", s.name), None);
            }
            let mut start_counts = Vec::new();
            match (&s.start_state, &s.start_states) {
                (Some(st), None) => {
                    let si = self.state_ref(k.key("start_state"), st, &ids);
                    start_counts.push((si, s.size));
                }
                (None, Some(shares)) => {
                    let total: f64 = shares.values().sum();
                    if (total - 1.0).abs() > 1e-6 || shares.values().any(|x| !(*x >= 0.0)) {
                        self.err(
                            k.key("start_states"),
                            format!("start shares must be non-negative and sum to 1, they sum to {total}"),
                            None,
                        );
                    }
                    let mut resolved = Vec::new();
                    for (st, share) in shares {
                        let si = self.state_ref(k.key("start_states").key(st), st, &ids);
                        resolved.push((si, *share));
                    }
                    start_counts = largest_remainder(s.size, &resolved);
                }
                (Some(_), Some(_)) => {
                    self.err(
                        k.key("start_states"),
                        "give either `start_state` or `start_states`, not both",
                        None,
                    );
                }
                (None, None) => {
                    self.err(
                        k.key("name"),
                        "give the segment a `start_state` (or `start_states` with shares)",
                        Some("start_state".into()),
                    );
                }
            }
            let benefit_type = match benefit_types.iter().position(|b| *b == s.benefit_type) {
                Some(b) => b,
                None => {
                    let sug = nearest(&s.benefit_type, benefit_types.iter().map(String::as_str));
                    self.err(
                        k.key("benefit_type"),
                        format!(
                            "no benefit type `{}` in [budget.benefit_rates]; defined: {}",
                            s.benefit_type,
                            if benefit_types.is_empty() {
                                "none".to_string()
                            } else {
                                benefit_types.join(", ")
                            }
                        ),
                        sug,
                    );
                    0
                }
            };
            // A spell longer than 100 years is a typing error (and keeps benefit spells,
            // counted in months, far inside the engines' counters).
            for (key, months) in [
                ("months_on_benefit", s.months_on_benefit),
                ("inflow_months_on_benefit", s.inflow_months_on_benefit),
            ] {
                if months > MAX_MONTHS_ON_BENEFIT {
                    self.err(
                        k.key(key),
                        format!("expected at most {MAX_MONTHS_ON_BENEFIT} months (100 years), got {months}"),
                        None,
                    );
                }
            }
            if !(s.inflow_per_month.is_finite() && s.inflow_per_month >= 0.0) {
                self.err(
                    k.key("inflow_per_month"),
                    format!(
                        "expected a non-negative number of citizens per month, got {}",
                        s.inflow_per_month
                    ),
                    None,
                );
            }
            let inflow_state = match (&s.inflow_state, &s.start_state) {
                (Some(st), _) => self.state_ref(k.key("inflow_state"), st, &ids),
                (None, Some(_)) => start_counts.first().map(|x| x.0).unwrap_or(0),
                (None, None) => {
                    if s.inflow_per_month > 0.0 {
                        self.err(
                            k.key("inflow_per_month"),
                            "with `start_states`, name the state new citizens enter in `inflow_state`",
                            Some("inflow_state".into()),
                        );
                    }
                    0
                }
            };
            let mut multipliers = Vec::new();
            for (tid, p) in &s.multipliers {
                let kk = k.key("multipliers").key(tid);
                match tid_list.iter().position(|t| t == tid) {
                    Some(ti) => {
                        let ek = format!("segments.{}.multipliers.{tid}", s.name);
                        let d =
                            self.param_calibratable(kk, p, Role::NonNegative, CalibratedKind::Multiplier, ek);
                        multipliers.push((ti, d));
                    }
                    None => {
                        let sug = nearest(tid, tid_list.iter().map(String::as_str));
                        self.err(kk, format!("no transition `{tid}`; transitions are named \"from->to\" unless given an `id`"), sug);
                    }
                }
            }
            let mut overrides = Vec::new();
            for (tid, p) in &s.overrides {
                let kk = k.key("overrides").key(tid);
                match tid_list.iter().position(|t| t == tid) {
                    Some(ti) => {
                        let ek = format!("segments.{}.overrides.{tid}", s.name);
                        let d = self.param_calibratable(
                            kk,
                            p,
                            Role::Probability,
                            CalibratedKind::Probability,
                            ek,
                        );
                        overrides.push((ti, d));
                    }
                    None => {
                        let sug = nearest(tid, tid_list.iter().map(String::as_str));
                        self.err(kk, format!("no transition `{tid}`; transitions are named \"from->to\" unless given an `id`"), sug);
                    }
                }
            }
            segments.push(Segment {
                name: s.name.clone(),
                start: start_counts,
                benefit_type,
                months_on_benefit: s.months_on_benefit,
                inflow_per_month: s.inflow_per_month.max(0.0),
                inflow_state,
                inflow_months_on_benefit: s.inflow_months_on_benefit,
                multipliers,
                overrides,
            });
        }
        let total: u64 = f.segments.iter().map(|s| s.size as u64).sum();
        let inflow: f64 = f.segments.iter().map(|s| s.inflow_per_month.max(0.0)).sum();
        if !f.segments.is_empty() && total == 0 && (inflow * horizon as f64) < 1.0 {
            self.err(
                root.key("segments").index(0).key("size"),
                "the cohort is empty: every segment has size 0 and no inflow",
                None,
            );
        }
        if total > 50_000_000 {
            self.err(
                root.key("segments"),
                format!("at most 50 million citizens are supported, got {total}"),
                None,
            );
        } else {
            let arrivals = inflow * horizon as f64;
            if total as f64 + arrivals > 50_000_000.0 {
                let (i, _) = f
                    .segments
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.inflow_per_month.total_cmp(&b.1.inflow_per_month))
                    .expect("segments exist when there is inflow");
                self.err(
                    root.key("segments").index(i).key("inflow_per_month"),
                    format!(
                        "at most 50 million citizens are supported, but with this inflow {} would have \
                         entered by the end ({} at the start plus {:.0} arrivals over {horizon} months)",
                        fmt_num((total as f64 + arrivals).round()),
                        total,
                        arrivals
                    ),
                    None,
                );
            }
        }

        // [[grants]]
        let mut grants = Vec::new();
        let grant_names: Vec<String> = f.grants.iter().map(|g| g.name.clone()).collect();
        for (i, g) in f.grants.iter().enumerate() {
            let k = root.key("grants").index(i);
            if grant_names.iter().filter(|n| **n == g.name).count() > 1 {
                self.err(k.key("name"), format!("grant `{}` is defined twice", g.name), None);
            }
            let mut amounts = BTreeMap::new();
            for (y, a) in &g.amounts {
                let ky = k.key("amounts").key(y);
                if let Some(year) = self.year_key(ky.clone(), y) {
                    if !(a.is_finite() && *a >= 0.0) {
                        self.err(ky.clone(), format!("expected a non-negative amount in DKK, got {a}"), None);
                    }
                    if year < start.year || year > end.year {
                        self.err(
                            ky,
                            format!(
                                "grant money for {year} falls outside the simulated period {start} to {end}"
                            ),
                            None,
                        );
                    }
                    amounts.insert(year, *a);
                }
            }
            grants.push(Grant {
                name: g.name.clone(),
                amounts,
                pays_for: g.pays_for.clone(),
                repaid: g.unspent == crate::input::scenario::Unspent::Repaid,
            });
        }

        // [staffing]
        let staffing = f.staffing.as_ref().map(|s| {
            let k = root.key("staffing");
            if !(s.baseline_fte.is_finite() && s.baseline_fte >= 0.0) {
                self.err(k.key("baseline_fte"), format!("expected a non-negative FTE, got {}", s.baseline_fte), None);
            }
            if !(s.caseload_ref.is_finite() && s.caseload_ref > 0.0) {
                self.err(k.key("caseload_ref"), format!("expected a positive caseload (citizens per FTE), got {}", s.caseload_ref), None);
            }
            let elasticity = self.param(k.key("elasticity"), &s.elasticity, Role::Real);
            if !(s.multiplier_min > 0.0 && s.multiplier_min <= 1.0) {
                self.err(k.key("multiplier_min"), format!("expected a lower clamp in (0, 1], got {}", s.multiplier_min), None);
            }
            if !(s.multiplier_max >= 1.0 && s.multiplier_max.is_finite()) {
                self.err(k.key("multiplier_max"), format!("expected an upper clamp ≥ 1, got {}", s.multiplier_max), None);
            }
            let mut hires = Vec::new();
            for (i, h) in s.hires.iter().enumerate() {
                let kh = k.key("hires").index(i);
                if !(h.fte.is_finite() && h.fte > 0.0) {
                    self.err(kh.key("fte"), format!("expected a positive FTE, got {}", h.fte), None);
                }
                if h.start > end {
                    self.err(
                        kh.key("start"),
                        format!("the hire starts {} but the simulation ends {end}", h.start),
                        None,
                    );
                }
                let hend = h.end.unwrap_or(end);
                if hend < h.start {
                    self.err(kh.key("end"), format!("the hire ends {hend}, before it starts {}", h.start), None);
                }
                if hend < start {
                    self.err(kh.key("end"), format!("the hire ends {hend}, before the simulation starts {start}"), None);
                }
                let funded_by = if h.funded_by == "municipality" {
                    Funder::Municipality
                } else {
                    match grant_names.iter().position(|g| *g == h.funded_by) {
                        Some(g) => Funder::Grant(g),
                        None => {
                            let mut cands: Vec<&str> = grant_names.iter().map(String::as_str).collect();
                            cands.push("municipality");
                            let sug = nearest(&h.funded_by, cands.iter().copied());
                            self.err(
                                kh.key("funded_by"),
                                format!("no grant `{}`; expected \"municipality\" or the name of a [[grants]] entry", h.funded_by),
                                sug,
                            );
                            Funder::Municipality
                        }
                    }
                };
                if h.serves.placements() && s.capacity.is_none() {
                    self.err(
                        kh.key("serves"),
                        "a hire that serves placements needs a [staffing.capacity] section (the placement \
                         hours it adds to)",
                        Some("caseload".into()),
                    );
                }
                hires.push(Hire {
                    name: h.name.clone(),
                    fte: h.fte,
                    start: h.start,
                    end: hend,
                    ramp_up_months: h.ramp_up_months,
                    funded_by,
                    serves: h.serves,
                });
            }
            let capacity = s.capacity.as_ref().map(|c| {
                let kc = k.key("capacity");
                if !(c.placement_fte.is_finite() && c.placement_fte >= 0.0) {
                    self.err(
                        kc.key("placement_fte"),
                        format!("expected a non-negative FTE, got {}", c.placement_fte),
                        None,
                    );
                }
                if !(c.hours_per_fte_month.is_finite() && c.hours_per_fte_month > 0.0) {
                    self.err(
                        kc.key("hours_per_fte_month"),
                        format!("expected positive hours per FTE per month, got {}", c.hours_per_fte_month),
                        None,
                    );
                }
                if c.placement_fte == 0.0 && !s.hires.iter().any(|h| h.serves.placements()) {
                    self.err(
                        kc.key("placement_fte"),
                        "no one makes placements: give placement_fte, or hires with serves = \"placements\" or \"both\"",
                        None,
                    );
                }
                if !f.transitions.iter().any(|t| t.hours.is_some()) {
                    self.err(
                        kc.clone(),
                        "no transition uses placement hours: give `hours` on the placement transitions",
                        None,
                    );
                }
                Capacity {
                    placement_fte: c.placement_fte,
                    hours_per_fte_month: c.hours_per_fte_month,
                    placement_share: self.param(kc.key("placement_share"), &c.placement_share, Role::Share),
                }
            });
            Staffing {
                baseline_fte: s.baseline_fte,
                caseload_ref: s.caseload_ref,
                elasticity,
                multiplier_min: s.multiplier_min,
                multiplier_max: s.multiplier_max,
                hires,
                capacity,
            }
        });
        if let Some(st) = &staffing
            && st.baseline_fte == 0.0
            && st.hires.is_empty()
        {
            self.err(
                root.key("staffing").key("baseline_fte"),
                "the unit has no staff: give a baseline FTE or hires",
                None,
            );
        }

        // [budget]
        let b = &f.budget;
        let kb = root.key("budget");
        let reimbursement = {
            let r = &b.reimbursement;
            let kr = kb.key("reimbursement");
            match r.regime {
                Regime::Staircase2016 => {
                    for (key, given) in
                        [("active_rate", r.active_rate.is_some()), ("passive_rate", r.passive_rate.is_some())]
                    {
                        if given {
                            self.err(
                                kr.key(key),
                                format!(
                                    "`{key}` belongs to the pre2016 regime; the 2016 regime uses `bands`"
                                ),
                                None,
                            );
                        }
                    }
                    let bands: Vec<(u32, f64)> = match &r.bands {
                        Some(bs) => bs.iter().map(|x| (x.from_month, x.rate)).collect(),
                        None => BANDS_2016.to_vec(),
                    };
                    if bands.first().map(|x| x.0) != Some(1) {
                        self.err(kr.key("bands"), "the first band must start at month 1", None);
                    }
                    for (i, w) in bands.windows(2).enumerate() {
                        if w[1].0 <= w[0].0 {
                            self.err(
                                kr.key("bands").index(i + 1).key("from_month"),
                                "bands must ascend",
                                None,
                            );
                        }
                    }
                    for (i, (_, rate)) in bands.iter().enumerate() {
                        if !(0.0..=1.0).contains(rate) {
                            self.err(
                                kr.key("bands").index(i).key("rate"),
                                format!("expected a share in [0, 1], got {rate}"),
                                None,
                            );
                        }
                    }
                    let reset = r.reset_after_months.unwrap_or(12);
                    if reset == 0 {
                        self.err(kr.key("reset_after_months"), "expected at least 1 month", None);
                    }
                    Reimbursement::Staircase2016 { bands, reset_after_months: reset.max(1) }
                }
                Regime::Pre2016 => {
                    if r.bands.is_some() {
                        self.err(kr.key("bands"), "`bands` belong to the 2016 regime; pre2016 uses `active_rate` and `passive_rate`", None);
                    }
                    if r.reset_after_months.is_some() {
                        self.err(
                            kr.key("reset_after_months"),
                            "`reset_after_months` belongs to the 2016 regime; remove it",
                            None,
                        );
                    }
                    let mut get = |key: &str, v: Option<f64>| match v {
                        Some(x) if (0.0..=1.0).contains(&x) => x,
                        Some(x) => {
                            self.err(kr.key(key), format!("expected a share in [0, 1], got {x}"), None);
                            0.0
                        }
                        None => {
                            self.err(kr.key("regime"), format!("the pre2016 regime needs `{key}` (e.g. 0.65 active / 0.35 passive for 2006–2010, 0.50 / 0.30 for 2011–2015; PARAMETERS.md §2)"), Some(key.to_string()));
                            0.0
                        }
                    };
                    let active = get("active_rate", r.active_rate);
                    let passive = get("passive_rate", r.passive_rate);
                    Reimbursement::Pre2016 { active, passive }
                }
                Regime::None => {
                    for (key, given) in [
                        ("bands", r.bands.is_some()),
                        ("active_rate", r.active_rate.is_some()),
                        ("passive_rate", r.passive_rate.is_some()),
                        ("reset_after_months", r.reset_after_months.is_some()),
                    ] {
                        if given {
                            self.err(kr.key(key), format!("`{key}` has no effect with regime \"none\"; remove it or choose \"2016\" or \"pre2016\""), None);
                        }
                    }
                    Reimbursement::None
                }
            }
        };
        if !matches!(reimbursement, Reimbursement::Pre2016 { .. }) {
            for (i, s) in f.states.iter().enumerate() {
                if s.reimbursed_as_active.is_some() {
                    self.err(
                        root.key("states").index(i).key("reimbursed_as_active"),
                        "`reimbursed_as_active` only applies under the pre2016 reimbursement regime; remove it",
                        None,
                    );
                }
            }
        }
        let staff_cost_per_fte_year = match (&b.staff_cost_per_fte_year, &staffing) {
            (Some(p), _) => self.param(kb.key("staff_cost_per_fte_year"), p, Role::NonNegative),
            (None, Some(_)) => {
                self.err(
                    kb.clone(),
                    "a scenario with [staffing] needs `staff_cost_per_fte_year` in [budget] (PARAMETERS.md suggests 600,000 DKK, Triangular(520k, 600k, 700k))",
                    Some("staff_cost_per_fte_year".into()),
                );
                Distribution::Fixed(0.0)
            }
            (None, None) => Distribution::Fixed(0.0),
        };
        if !(0.0..=1.0).contains(&b.activity_cost_reimbursement) {
            self.err(
                kb.key("activity_cost_reimbursement"),
                format!("expected a share in [0, 1], got {}", b.activity_cost_reimbursement),
                None,
            );
        }
        if !(b.discount_rate >= 0.0 && b.discount_rate < 1.0) {
            self.err(
                kb.key("discount_rate"),
                format!("expected a yearly rate in [0, 1) such as 0.035, got {}", b.discount_rate),
                None,
            );
        }
        let wider = b.wider.as_ref().map(|w| {
            let kw = kb.key("wider");
            Wider {
                tax: self.param(
                    kw.key("tax_per_employed_month"),
                    &w.tax_per_employed_month,
                    Role::NonNegative,
                ),
                equalisation: self.param(
                    kw.key("equalisation_per_employed_month"),
                    &w.equalisation_per_employed_month,
                    Role::NonNegative,
                ),
                state_tax: self.param(
                    kw.key("state_tax_per_employed_month"),
                    &w.state_tax_per_employed_month,
                    Role::NonNegative,
                ),
            }
        });

        // [[targets]]
        let mut targets = Vec::new();
        for (i, t) in f.targets.iter().enumerate() {
            let k = root.key("targets").index(i);
            let metric = match parse_metric(&t.metric, &ids) {
                Ok(m) => m,
                Err(sug) => {
                    let mut names: Vec<String> = Metric::NAMED.iter().map(|(n, _)| n.to_string()).collect();
                    names.push("share:<state>".into());
                    self.err(
                        k.key("metric"),
                        format!("unknown metric `{}`; expected one of {}", t.metric, names.join(", ")),
                        sug,
                    );
                    Metric::SelfSupportingShare
                }
            };
            let month = match t.month {
                MonthRef::Offset(n) => n as i64,
                MonthRef::Calendar(ym) => start.months_until(ym) + 1,
            };
            if month < 0 || month > horizon as i64 {
                self.err(
                    k.key("month"),
                    format!("the target month falls outside the simulation ({start} to {end}, months 0 to {horizon})"),
                    None,
                );
            }
            if t.at_least.is_none() && t.at_most.is_none() {
                self.err(k.key("metric"), "a target needs `at_least` or `at_most`", Some("at_least".into()));
            }
            let name =
                if t.name.is_empty() { format!("{} at month {month}", t.metric) } else { t.name.clone() };
            targets.push(Target {
                name,
                metric,
                month: month.clamp(0, horizon as i64) as usize,
                at_least: t.at_least,
                at_most: t.at_most,
                relative_to_start: t.relative_to_start,
            });
        }

        Model {
            name: f.scenario.name.clone(),
            description: f.scenario.description.clone(),
            start,
            horizon,
            replications: f.simulation.replications.max(1),
            seed: f.simulation.seed,
            states,
            transitions,
            segments,
            benefit_types,
            staffing,
            grants,
            budget: Budget {
                benefit_rates,
                reimbursement,
                staff_cost_per_fte_year,
                activity_cost_reimbursement: b.activity_cost_reimbursement,
                discount_rate: b.discount_rate,
                wider,
            },
            targets,
            calibration: std::mem::take(&mut self.calibration),
            draw_overrides: HashMap::new(),
            parameters: parameters::ParameterTable::default(),
        }
    }
}

/// Parses a metric name; on failure returns the nearest valid name.
pub fn parse_metric(name: &str, state_ids: &[String]) -> Result<Metric, Option<String>> {
    if let Some((_, m)) = Metric::NAMED.iter().find(|(n, _)| *n == name) {
        return Ok(*m);
    }
    if let Some(id) = name.strip_prefix("share:") {
        if let Some(i) = state_ids.iter().position(|s| s == id) {
            return Ok(Metric::StateShare(i));
        }
        return Err(nearest(id, state_ids.iter().map(String::as_str)).map(|s| format!("share:{s}")));
    }
    let mut cands: Vec<String> = Metric::NAMED.iter().map(|(n, _)| n.to_string()).collect();
    cands.extend(state_ids.iter().map(|s| format!("share:{s}")));
    Err(nearest(name, cands.iter().map(String::as_str)))
}

/// Splits `n` citizens by shares so that the counts sum to `n` exactly
/// (largest-remainder rounding; ties go to the state listed first, and
/// `start_states` tables list their states in alphabetical order).
fn largest_remainder(n: u32, shares: &[(usize, f64)]) -> Vec<(usize, u32)> {
    let total: f64 = shares.iter().map(|s| s.1).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let exact: Vec<f64> = shares.iter().map(|s| n as f64 * s.1 / total).collect();
    let mut counts: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut left = n - counts.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    shares.iter().zip(counts).map(|(s, c)| (s.0, c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_preserves_total() {
        let c = largest_remainder(340, &[(0, 0.5), (1, 0.3), (2, 0.2)]);
        assert_eq!(c, vec![(0, 170), (1, 102), (2, 68)]);
        let c = largest_remainder(10, &[(0, 1.0 / 3.0), (1, 1.0 / 3.0), (2, 1.0 / 3.0)]);
        assert_eq!(c.iter().map(|x| x.1).sum::<u32>(), 10);
        assert_eq!(c, vec![(0, 4), (1, 3), (2, 3)]);
    }

    #[test]
    fn ramp_up_reaches_full_productivity() {
        let h = Hire {
            name: "x".into(),
            fte: 4.0,
            start: YearMonth::new(2007, 6).unwrap(),
            end: YearMonth::new(2010, 12).unwrap(),
            ramp_up_months: 3,
            funded_by: Funder::Municipality,
            serves: Serves::Caseload,
        };
        let p: Vec<f64> = (5..=10).map(|m| h.productivity(YearMonth::new(2007, m).unwrap())).collect();
        assert_eq!(p, vec![0.0, 0.25, 0.5, 0.75, 1.0, 1.0]);
        assert_eq!(h.employed_fte(YearMonth::new(2007, 6).unwrap()), 4.0);
        assert_eq!(h.employed_fte(YearMonth::new(2011, 1).unwrap()), 0.0);
    }

    #[test]
    fn staffing_multiplier_follows_the_formula_and_its_clamp() {
        let st = Staffing {
            baseline_fte: 10.0,
            caseload_ref: 50.0,
            elasticity: Distribution::Fixed(0.5),
            multiplier_min: 0.5,
            multiplier_max: 2.0,
            hires: vec![],
            capacity: None,
        };
        // 500 on benefit, 12.5 FTE: caseload 40, (50/40)^0.5.
        assert!((st.multiplier(500.0, 12.5, 0.5) - 1.25f64.sqrt()).abs() < 1e-15);
        assert!((st.multiplier(500.0, 12.5, -0.5) - 0.8f64.sqrt()).abs() < 1e-15);
        assert_eq!(st.multiplier(500.0, 12.5, 0.0), 1.0);
        assert_eq!(st.multiplier(500.0, 100.0, 1.0), 2.0); // caseload 5: ratio 10, clamped
        assert_eq!(st.multiplier(500.0, 0.0, 0.5), 0.5); // no staff: lower clamp
        assert_eq!(st.multiplier(0.0, 10.0, 0.5), 2.0); // nobody on benefit: upper clamp
        assert_eq!(st.multiplier(0.0, 0.0, 0.5), 0.5);
    }

    #[test]
    fn fractional_inflow_accumulates() {
        let s = Segment {
            name: "x".into(),
            start: vec![],
            benefit_type: 0,
            months_on_benefit: 0,
            inflow_per_month: 2.5,
            inflow_state: 0,
            inflow_months_on_benefit: 0,
            multipliers: vec![],
            overrides: vec![],
        };
        let a: Vec<u32> = (1..=4).map(|m| s.arrivals(m)).collect();
        assert_eq!(a, vec![2, 3, 2, 3]);
    }
}
