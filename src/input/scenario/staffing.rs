//! The `[staffing]` section of a scenario file as written: staff, caseload effect,
//! placement capacity and hires.

use crate::input::calendar::YearMonth;
use crate::input::param::Param;
use serde::{Deserialize, Serialize};

/// `[staffing]`: staff in the unit and the effect of caseload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffingDef {
    /// Full-time staff serving the cohort in both arms.
    pub baseline_fte: f64,
    /// Citizens on benefit per productive FTE at which the base probabilities hold.
    pub caseload_ref: f64,
    /// Elasticity of staffing-sensitive rates with respect to caseload_ref / caseload.
    #[serde(default)]
    pub elasticity: Param,
    /// Lower clamp of the staffing multiplier.
    #[serde(default = "default_m_min")]
    pub multiplier_min: f64,
    /// Upper clamp of the staffing multiplier.
    #[serde(default = "default_m_max")]
    pub multiplier_max: f64,
    /// Extra staff in the scenario arm.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hires: Vec<HireDef>,
    /// Consultant hours for placements, and the waiting list when they run out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityDef>,
}

/// `[staffing.capacity]`: the consultant hours available for placements each month.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityDef {
    /// FTE of placement (company) consultants in both arms, besides `staffing.baseline_fte`.
    #[serde(default)]
    pub placement_fte: f64,
    /// Working hours per FTE per month.
    #[serde(default = "default_hours_per_fte_month")]
    pub hours_per_fte_month: f64,
    /// Share of a placement consultant's hours that goes to making placements.
    pub placement_share: Param,
}

/// 1,924 hours per årsværk (docs/evidence.md, E-STAFF-3) over 12 months.
pub fn default_hours_per_fte_month() -> f64 {
    1924.0 / 12.0
}

/// Lower clamp of the staffing multiplier when the file does not say.
fn default_m_min() -> f64 {
    0.5
}
/// Upper clamp of the staffing multiplier when the file does not say.
fn default_m_max() -> f64 {
    2.0
}

/// `[[staffing.hires]]`: extra staff, present only in the scenario arm.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HireDef {
    /// What the hire is, e.g. `"job consultants"`.
    pub name: String,
    /// Full-time equivalents.
    pub fte: f64,
    /// First month employed, `"YYYY-MM"`.
    pub start: YearMonth,
    /// Last month employed, `"YYYY-MM"` (inclusive); defaults to the horizon's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    /// Months before a new hire is fully productive (linear ramp).
    #[serde(default)]
    pub ramp_up_months: u32,
    /// The grant that pays for the hire, or `"municipality"`.
    #[serde(default = "default_funder")]
    pub funded_by: String,
    /// What the hire adds to: the caseworkers (`"caseload"`), the placement hours of
    /// `[staffing.capacity]` (`"placements"`), or both.
    #[serde(default, skip_serializing_if = "Serves::is_caseload")]
    pub serves: Serves,
}

/// What a hire's time adds to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Serves {
    /// Caseworkers: lowers the caseload (staffing multiplier).
    #[default]
    Caseload,
    /// Placement consultants: adds placement hours.
    Placements,
    /// Both.
    Both,
}

impl Serves {
    /// True for the default, `"caseload"`.
    pub fn is_caseload(&self) -> bool {
        *self == Serves::Caseload
    }
    /// The hire lowers the caseload.
    pub fn caseload(self) -> bool {
        matches!(self, Serves::Caseload | Serves::Both)
    }
    /// The hire adds placement hours.
    pub fn placements(self) -> bool {
        matches!(self, Serves::Placements | Serves::Both)
    }
}

/// A hire is paid by the municipality unless the file names a grant.
fn default_funder() -> String {
    "municipality".into()
}
