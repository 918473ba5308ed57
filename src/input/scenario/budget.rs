//! The money sections of a scenario file as written: `[[grants]]` and `[budget]` with
//! its benefit rates, reimbursement, result grant and wider view.

use crate::input::calendar::YearMonth;
use crate::input::param::Param;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[[grants]]`: money for the scenario, by where it comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantDef {
    /// Name, referred to by `staffing.hires.funded_by`.
    pub name: String,
    /// Whose money it is: an external grant (income), the municipality's own funds
    /// moved between budget years, or existing staff assigned in kind.
    #[serde(default, skip_serializing_if = "FundingSource::is_external")]
    pub funding: FundingSource,
    /// Amount per budget year (DKK), keyed by year: `{ 2007 = 2171981 }`.
    pub amounts: BTreeMap<String, f64>,
    /// What the grant pays for (text for reports).
    #[serde(default = "default_pays_for")]
    pub pays_for: String,
    /// What happens to money the funded hires do not use in a budget year.
    #[serde(default, skip_serializing_if = "Unspent::is_kept")]
    pub unspent: Unspent,
}

/// Whose money a `[[grants]]` entry is, which decides whether it is income.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingSource {
    /// Money from outside the municipality (a state pool, a foundation): income.
    #[default]
    External,
    /// The municipality's own money moved between budget years (overførselsmidler,
    /// a carry-over): pays for hires, but is not income.
    OwnFunds,
    /// Existing staff assigned to the project, valued in DKK: the municipality's
    /// contribution in kind, not a cash flow.
    InKind,
}

impl FundingSource {
    /// True for the default, `"external"`.
    pub fn is_external(&self) -> bool {
        *self == FundingSource::External
    }

    /// The value as written in a scenario file.
    pub fn key(self) -> &'static str {
        match self {
            FundingSource::External => "external",
            FundingSource::OwnFunds => "own_funds",
            FundingSource::InKind => "in_kind",
        }
    }
}

/// What happens to the part of a grant that the hires it funds do not cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unspent {
    /// The municipality keeps it: the whole amount is income.
    #[default]
    Kept,
    /// It is paid back: income is at most the cost of the funded hires, year by year.
    Repaid,
}

impl Unspent {
    /// True for the default, `"kept"`.
    pub fn is_kept(&self) -> bool {
        *self == Unspent::Kept
    }
}

/// What a grant pays for when the file does not say.
fn default_pays_for() -> String {
    "staff".into()
}

/// `[budget]`: the money rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetDef {
    /// Benefit rates per benefit type.
    pub benefit_rates: BTreeMap<String, BenefitRateDef>,
    /// The state reimbursement regime.
    pub reimbursement: ReimbursementDef,
    /// Fully loaded cost of one FTE-year (DKK); required when there is a `[staffing]` section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_cost_per_fte_year: Option<Param>,
    /// Share of activity costs the state reimburses.
    #[serde(default)]
    pub activity_cost_reimbursement: f64,
    /// Share of the states' `education_cost` the state reimburses; required when a
    /// state has an `education_cost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education_cost_reimbursement: Option<f64>,
    /// The state's result grant per citizen reaching an outcome (resultattilskud).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_grant: Option<ResultGrantDef>,
    /// Yearly discount rate for present values.
    #[serde(default = "default_discount")]
    pub discount_rate: f64,
    /// The wider municipal and public view: income tax and equalisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wider: Option<WiderDef>,
}

/// The yearly discount rate when the file does not say.
fn default_discount() -> f64 {
    0.035
}

/// `[budget.benefit_rates.<type>]`: monthly rates of one benefit type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitRateDef {
    /// Monthly rate (DKK) per year: `{ 2015 = 10849, 2016 = 10968 }`.
    pub rates: BTreeMap<String, f64>,
    /// Yearly indexation applied beyond the years given.
    #[serde(default)]
    pub indexation: f64,
}

/// The reimbursement regimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Regime {
    /// The 2016 refusion staircase: by cumulative time on benefit.
    #[serde(rename = "2016")]
    Staircase2016,
    /// Before 2016: by activation status.
    #[serde(rename = "pre2016")]
    Pre2016,
    /// No reimbursement.
    #[serde(rename = "none")]
    None,
}

/// `[budget.reimbursement]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReimbursementDef {
    /// `"2016"`, `"pre2016"` or `"none"`.
    pub regime: Regime,
    /// 2016 regime: bands of cumulative months on benefit; defaults to the law's 80/40/30/20 %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<Vec<ReimbursementBand>>,
    /// 2016 regime: months off benefit after which the count starts again (default 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_after_months: Option<u32>,
    /// pre-2016 regime: rate for citizens in active states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_rate: Option<f64>,
    /// pre-2016 regime: rate for citizens in passive states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passive_rate: Option<f64>,
    /// Regimes that replace this one from a month within the horizon, in date order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ReimbursementChangeDef>,
}

/// `[[budget.reimbursement.changes]]`: a regime in force from a calendar month on,
/// with the keys of `[budget.reimbursement]` (but no further changes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReimbursementChangeDef {
    /// First month of the regime, `"2016-01"`.
    pub from: YearMonth,
    /// `"2016"`, `"pre2016"` or `"none"`.
    pub regime: Regime,
    /// As in `[budget.reimbursement]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<Vec<ReimbursementBand>>,
    /// As in `[budget.reimbursement]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_after_months: Option<u32>,
    /// As in `[budget.reimbursement]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_rate: Option<f64>,
    /// As in `[budget.reimbursement]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passive_rate: Option<f64>,
}

impl ReimbursementChangeDef {
    /// The regime's keys as a `[budget.reimbursement]` table of its own.
    pub fn regime_def(&self) -> ReimbursementDef {
        ReimbursementDef {
            regime: self.regime,
            bands: self.bands.clone(),
            reset_after_months: self.reset_after_months,
            active_rate: self.active_rate,
            passive_rate: self.passive_rate,
            changes: Vec::new(),
        }
    }
}

/// When a result grant is paid for a citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResultGrantWhen {
    /// The month the citizen first leaves benefit for work or education.
    #[serde(rename = "first_outflow")]
    FirstOutflow,
    /// The month the citizen completes six consecutive months in ordinary work.
    #[serde(rename = "six_months_in_work")]
    SixMonthsInWork,
}

/// `[budget.result_grant]`: money the state pays the municipality once per citizen who
/// reaches an outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultGrantDef {
    /// DKK per citizen.
    pub amount: Param,
    /// `"first_outflow"` or `"six_months_in_work"`.
    pub paid_when: ResultGrantWhen,
    /// The segments whose citizens it is paid for (all when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<String>>,
    /// The benefit types whose recipients it is paid for (all when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benefit_types: Option<Vec<String>>,
}

/// One band of the 2016 staircase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReimbursementBand {
    /// First cumulative month on benefit in the band (1-based).
    pub from_month: u32,
    /// Share of the benefit the state reimburses.
    pub rate: f64,
}

/// `[budget.wider]`: what a citizen in work means beyond the benefit saving.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WiderDef {
    /// Municipal income tax per citizen-month in ordinary employment (DKK).
    pub tax_per_employed_month: Param,
    /// Loss through equalisation (udligning) per citizen-month in employment (DKK).
    pub equalisation_per_employed_month: Param,
    /// State income tax per citizen-month in employment (DKK), for the public-sector view.
    #[serde(default)]
    pub state_tax_per_employed_month: Param,
}
