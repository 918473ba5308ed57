//! The validated model: a scenario file checked and resolved into indices,
//! distributions and schedules the engine can run.
//!
//! Everything a user can get wrong is caught here and reported with file,
//! line and key (see [`crate::error::Diagnostic`]); the engine then trusts the
//! model and does not check again. This module holds the model's types; the
//! checking, section by section, is in the `validate` submodule.

pub mod parameters;
mod segment;
mod target;
mod validate;

pub use segment::{Segment, SegmentMove};
pub use target::{Metric, Population, Target, TargetCount, TargetScope, clock, parse_metric};

use crate::budget::{BenefitRates, MonthFunding, Reimbursement, ReimbursementChange};
use crate::error::ScenarioError;
use crate::input::calendar::YearMonth;
use crate::input::locate::KeyPath;
use crate::input::param::Distribution;
use crate::input::scenario::{FundingSource, LoadedScenario, ResultGrantWhen, Serves};
use std::collections::{BTreeMap, HashMap};

/// A state of the model, with what it means for the citizen and the budget.
#[derive(Debug, Clone)]
pub struct State {
    /// Identifier: what transitions, segments, targets and outputs call the state.
    pub id: String,
    /// Label for reports (the id unless the file gives one).
    pub label: String,
    /// The municipality pays benefit here: counts toward benefit cost, reimbursement and caseload.
    pub pays_benefit: bool,
    /// Counts as self-supporting in the self-supporting share.
    pub self_supporting: bool,
    /// Counts as ordinary employment (employment share, six-month employment, wider view).
    pub employed: bool,
    /// Counts as education in the education share.
    pub education: bool,
    /// An activation offer: counts in the activation share.
    pub activation: bool,
    /// Reimbursed at the active rate under the pre-2016 regime (defaults to `activation`).
    pub reimbursed_as_active: bool,
    /// Monthly activity cost per citizen (DKK), drawn once per replication.
    pub activity_cost: Distribution,
}

/// A transition between two states.
#[derive(Debug, Clone)]
pub struct Transition {
    /// Identifier (`from->to` unless named): what segment multipliers, overrides
    /// and parameter keys refer to.
    pub id: String,
    /// Origin state, by index into [`Model::states`].
    pub from: usize,
    /// Destination state, by index into [`Model::states`].
    pub to: usize,
    /// Monthly probability as if it were the only way out (several ways out combine
    /// as competing hazards).
    pub probability: Distribution,
    /// Scaled by the staffing multiplier, so that extra staff can change it.
    pub staffing_sensitive: bool,
    /// Own elasticity, if it overrides the staffing elasticity.
    pub elasticity: Option<Distribution>,
    /// One-off cost per move (DKK), e.g. establishing a placement.
    pub one_off_cost: Distribution,
    /// Duration dependence: `(first month in state, rate multiplier)`, ascending.
    pub duration: Vec<(u32, Distribution)>,
    /// Consultant hours per move, when the move draws on placement capacity.
    pub hours: Option<Distribution>,
}

/// The longest benefit history before the start (or before arriving) a segment may state.
pub const MAX_MONTHS_ON_BENEFIT: u32 = 1200;

/// Citizens of a segment alike at the start: each engine starts them in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartGroup {
    /// The state they start in, by index into [`Model::states`].
    pub state: usize,
    /// Months on benefit before the start.
    pub months_on_benefit: u32,
    /// Months since referral (or arrival) at the start, when known (from the segment's
    /// `months_since_referral` or the cohort file): where their clock starts.
    pub months_since_referral: Option<u32>,
    /// The placement they wait for at the start (a transition with `hours`, by index
    /// into [`Model::transitions`]): first on the waiting list.
    pub waiting_for: Option<usize>,
    /// How many citizens.
    pub count: u32,
}

/// Who pays for a hire: decides whether its cost falls on the municipality or is
/// covered by a grant.
#[derive(Debug, Clone, PartialEq)]
pub enum Funder {
    /// The municipality's own budget.
    Municipality,
    /// A grant, by index into [`Model::grants`].
    Grant(usize),
}

/// Extra staff in the scenario arm: what the scenario adds over the counterfactual.
#[derive(Debug, Clone)]
pub struct Hire {
    /// What the hire is, for reports.
    pub name: String,
    /// Full-time equivalents.
    pub fte: f64,
    /// First month employed (paid, and productive after the ramp-up).
    pub start: YearMonth,
    /// Last month employed (inclusive).
    pub end: YearMonth,
    /// Months of linear ramp-up before the hire is fully productive (see [`Hire::productivity`]).
    pub ramp_up_months: u32,
    /// Who pays for the hire.
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

    /// FTE employed (paid) in calendar month `ym`: what the hire costs, ramp-up or not.
    pub fn employed_fte(&self, ym: YearMonth) -> f64 {
        if ym < self.start || ym > self.end { 0.0 } else { self.fte }
    }
}

/// Staff and the effect of caseload on staffing-sensitive transitions.
#[derive(Debug, Clone)]
pub struct Staffing {
    /// Caseworker FTE in both arms.
    pub baseline_fte: f64,
    /// Citizens on benefit per productive FTE at which base probabilities hold.
    pub caseload_ref: f64,
    /// Elasticity of staffing-sensitive rates, unless a transition gives its own.
    pub elasticity: Distribution,
    /// Lower clamp of the staffing multiplier.
    pub multiplier_min: f64,
    /// Upper clamp of the staffing multiplier.
    pub multiplier_max: f64,
    /// Extra staff (scenario arm only).
    pub hires: Vec<Hire>,
    /// Placement capacity, if the scenario has `[staffing.capacity]`.
    pub capacity: Option<Capacity>,
}

/// Consultant hours for placements each month (docs/scenario-format.md, `[staffing.capacity]`): moves with
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
    /// The staffing multiplier `clamp((caseload_ref / caseload)^elasticity, min, max)`:
    /// the factor on a staffing-sensitive transition's rate.
    ///
    /// With no productive staff the caseload is infinite, and with nobody on
    /// benefit it is zero; the clamp bounds the multiplier in both cases.
    #[inline]
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

/// A `[[grants]]` entry: money per budget year for the scenario arm, from outside
/// the municipality, from its own funds, or in kind.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Name, as hires' `funded_by` refers to it.
    pub name: String,
    /// Whose money it is.
    pub funding: FundingSource,
    /// DKK per budget year.
    pub amounts: BTreeMap<i32, f64>,
    /// What it pays for (text for reports).
    pub pays_for: String,
    /// Money the funded hires do not use in a budget year is paid back.
    pub repaid: bool,
}

/// The wider view: tax and equalisation per citizen-month in employment, for the
/// effect on the municipality's and the public sector's finances beyond the benefit bill.
#[derive(Debug, Clone)]
pub struct Wider {
    /// Municipal income tax (DKK per employed month).
    pub tax: Distribution,
    /// Equalisation loss (DKK per employed month).
    pub equalisation: Distribution,
    /// State income tax (DKK per employed month).
    pub state_tax: Distribution,
}

/// The state's result grant (resultattilskud): money per citizen who reaches an
/// outcome, once per citizen, paid to the municipality in both arms.
#[derive(Debug, Clone)]
pub struct ResultGrant {
    /// DKK per citizen, drawn once per replication.
    pub amount: Distribution,
    /// The outcome that earns it.
    pub paid_when: ResultGrantWhen,
    /// Per segment, whether its citizens earn it (its segments and benefit types).
    pub segments: Vec<bool>,
}

/// The money rules: what each month of each citizen and each FTE costs the
/// municipality, and what the state pays back.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Rates by benefit type, parallel to [`Model::benefit_types`].
    pub benefit_rates: Vec<BenefitRates>,
    /// The state's reimbursement regime for benefit from the start.
    pub reimbursement: Reimbursement,
    /// Regimes that replace it from a month within the horizon, in date order.
    pub reimbursement_changes: Vec<ReimbursementChange>,
    /// Per state, the share of the full benefit paid when it is not all (the rest is
    /// offset by earnings); `None`: the full benefit.
    pub paid_benefit_share: Vec<Option<Distribution>>,
    /// Per state, the municipality's monthly cost of an education it co-pays.
    pub education_cost: Vec<Option<Distribution>>,
    /// Share of the education cost the state reimburses.
    pub education_cost_reimbursement: f64,
    /// The result grant, if the scenario has `[budget.result_grant]`.
    pub result_grant: Option<ResultGrant>,
    /// Fully loaded cost of one FTE-year (DKK).
    pub staff_cost_per_fte_year: Distribution,
    /// Share of activity costs the state reimburses.
    pub activity_cost_reimbursement: f64,
    /// Yearly discount rate for present values.
    pub discount_rate: f64,
    /// The wider view, if the scenario has `[budget.wider]`.
    pub wider: Option<Wider>,
}

/// One arm of a comparison: which extras it includes. Both arms share the cohort,
/// parameters and random numbers, so their difference is the scenario's effect.
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

/// Staffing in one month of one arm: what staff cost is paid for, and what
/// the caseload and placement hours are computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthStaff {
    /// FTE paid, baseline part (caseworkers and placement consultants of both arms).
    pub baseline_fte: f64,
    /// FTE paid, extra part (the arm's hires).
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
    /// Probability or multiplier, which sets the default bounds.
    pub kind: CalibratedKind,
    /// The distribution as written (the starting point of the fit).
    pub dist: Distribution,
    /// Bounds of the fitted mean: as written, or the kind's default.
    pub bounds: (f64, f64),
    /// True if the bounds were written in the file.
    pub bounds_given: bool,
}

/// A validated, resolved model: everything the engines need to simulate a
/// scenario, with names resolved to indices and parameters to distributions.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name, for reports.
    pub name: String,
    /// Longer description, for reports.
    pub description: String,
    /// First simulated month.
    pub start: YearMonth,
    /// Simulated months.
    pub horizon: usize,
    /// Monte Carlo replications a run makes unless told otherwise.
    pub replications: u32,
    /// Replications per outer draw of the parameters unless told otherwise.
    pub inner_replications: u32,
    /// Seed of the random number streams: the same seed gives the same results.
    pub seed: u64,
    /// States, in file order (indices are positions here).
    pub states: Vec<State>,
    /// Transitions, in file order.
    pub transitions: Vec<Transition>,
    /// Segments of the cohort, in file order.
    pub segments: Vec<Segment>,
    /// Moves of citizens between segments, in file order.
    pub segment_moves: Vec<SegmentMove>,
    /// Benefit type names (keys of `[budget.benefit_rates]`, sorted).
    pub benefit_types: Vec<String>,
    /// Staffing, if the scenario has a `[staffing]` section.
    pub staffing: Option<Staffing>,
    /// Grants, in file order.
    pub grants: Vec<Grant>,
    /// Money rules.
    pub budget: Budget,
    /// Result targets, in file order.
    pub targets: Vec<Target>,
    /// Parameters marked for calibration, in file order.
    pub calibration: Vec<Calibrated>,
    /// Distributions that replace parameters' own when drawing, by engine key, each
    /// drawn as its quantile at the parameter's own uniform number. Empty except
    /// while `trappe calibrate` evaluates candidate values (common random numbers).
    pub draw_overrides: HashMap<String, Distribution>,
    /// The uncertain parameters above as one table, built with the model.
    pub parameters: parameters::ParameterTable,
    /// Plausibility warnings found while checking the scenario: values that are valid
    /// but most likely typing mistakes (`600.000` for 600,000). Commands print them
    /// before simulating; `--strict` makes them errors.
    pub warnings: Vec<crate::error::Diagnostic>,
}

impl Model {
    /// Checks a loaded scenario and resolves it; every problem found is reported.
    pub fn from_scenario(sc: &LoadedScenario) -> Result<Model, ScenarioError> {
        let model = validate::validate(sc)?;
        Ok(Model { parameters: parameters::ParameterTable::new(&model), ..model })
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

    /// Index of a state by id, if there is one.
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

    /// External grant income per simulated month (index 0 = month 1) for an arm: each
    /// budget year's amount spread evenly over the simulated months of that year.
    ///
    /// A grant whose unspent money is repaid brings in, per budget year, only what
    /// the hires it funds cost, which depends on the cost of one FTE-year.
    pub fn grant_income(&self, arm: Arm, staff_cost_per_fte_year: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.horizon];
        if !arm.with_grants {
            return out;
        }
        for (gi, g) in self.grants.iter().enumerate() {
            if g.funding != FundingSource::External {
                continue;
            }
            let by_month = if g.repaid {
                self.covered_by(gi, staff_cost_per_fte_year)
            } else {
                self.spread_over_months(&g.amounts)
            };
            for (slot, c) in out.iter_mut().zip(by_month) {
                *slot += c;
            }
        }
        out
    }

    /// Amounts per budget year spread evenly over the simulated months of each year.
    fn spread_over_months(&self, amounts: &BTreeMap<i32, f64>) -> Vec<f64> {
        let mut out = vec![0.0; self.horizon];
        let mut months_in_year: BTreeMap<i32, usize> = BTreeMap::new();
        for m in 1..=self.horizon {
            *months_in_year.entry(self.calendar(m).year).or_default() += 1;
        }
        for (m, slot) in out.iter_mut().enumerate() {
            let year = self.calendar(m + 1).year;
            if let (Some(amount), Some(n)) = (amounts.get(&year), months_in_year.get(&year)) {
                *slot += amount / *n as f64;
            }
        }
        out
    }

    /// Per simulated month, the part of the arm's extra staff cost that external
    /// grants cover, given the cost of one FTE-year: for each grant and budget year,
    /// the smaller of the grant's amount and the cost of the hires it funds, spread over
    /// that year's months in proportion to those hires' cost.
    pub fn grant_covered_staff_cost(&self, arm: Arm, staff_cost_per_fte_year: f64) -> Vec<f64> {
        self.covered_by_source(arm, staff_cost_per_fte_year, FundingSource::External)
    }

    /// Per simulated month, the part of the arm's extra staff cost paid from own funds
    /// moved between budget years, found as for external grants.
    pub fn own_funds_spent(&self, arm: Arm, staff_cost_per_fte_year: f64) -> Vec<f64> {
        self.covered_by_source(arm, staff_cost_per_fte_year, FundingSource::OwnFunds)
    }

    /// Per simulated month, the value of existing staff assigned to the project
    /// (in-kind entries, scenario arm), each year's amount spread over its months.
    pub fn in_kind_value(&self, arm: Arm) -> Vec<f64> {
        let mut out = vec![0.0; self.horizon];
        if !arm.with_grants {
            return out;
        }
        for g in self.grants.iter().filter(|g| g.funding == FundingSource::InKind) {
            for (slot, v) in out.iter_mut().zip(self.spread_over_months(&g.amounts)) {
                *slot += v;
            }
        }
        out
    }

    /// Every funding item of an arm, month by month (index 0 = month 1).
    pub fn funding(&self, arm: Arm, staff_cost_per_fte_year: f64) -> Vec<MonthFunding> {
        let income = self.grant_income(arm, staff_cost_per_fte_year);
        let covered = self.grant_covered_staff_cost(arm, staff_cost_per_fte_year);
        let own = self.own_funds_spent(arm, staff_cost_per_fte_year);
        let in_kind = self.in_kind_value(arm);
        let funded = self.grant_funded_staff_cost(arm, staff_cost_per_fte_year);
        (0..self.horizon)
            .map(|m| MonthFunding {
                grant_income: income[m],
                grant_covered_staff_cost: covered[m],
                own_funds: own[m],
                in_kind: in_kind[m],
                grant_funded_staff_cost: funded[m],
            })
            .collect()
    }

    /// Per simulated month, the whole cost of the arm's hires that external grants
    /// fund, covered or not.
    fn grant_funded_staff_cost(&self, arm: Arm, staff_cost_per_fte_year: f64) -> Vec<f64> {
        let Some(st) = self.staffing.as_ref().filter(|_| arm.with_hires && arm.with_grants) else {
            return vec![0.0; self.horizon];
        };
        let external = |h: &Hire| match h.funded_by {
            Funder::Grant(gi) => self.grants[gi].funding == FundingSource::External,
            Funder::Municipality => false,
        };
        (1..=self.horizon)
            .map(|m| {
                let ym = self.calendar(m);
                st.hires
                    .iter()
                    .filter(|h| external(h))
                    .map(|h| h.employed_fte(ym) * staff_cost_per_fte_year / 12.0)
                    .sum()
            })
            .collect()
    }

    /// The staff cost covered by every entry of one funding kind, month by month.
    fn covered_by_source(&self, arm: Arm, staff_cost_per_fte_year: f64, source: FundingSource) -> Vec<f64> {
        let mut out = vec![0.0; self.horizon];
        if !(arm.with_hires && arm.with_grants) {
            return out;
        }
        for (gi, _) in self.grants.iter().enumerate().filter(|(_, g)| g.funding == source) {
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

    /// Citizens at the start, over all segments.
    pub fn initial_size(&self) -> u64 {
        self.segments.iter().map(|s| s.size_at_start() as u64).sum()
    }

    /// All citizens who will have entered by the horizon.
    pub fn total_size(&self) -> u64 {
        self.segments.iter().map(|s| s.entered_by(self.horizon)).fold(0, u64::saturating_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
