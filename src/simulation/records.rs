//! What a replication produces: each arm's monthly record (laid out by
//! [`MonthlyLayout`]) and results, and sampled individual paths. Both engines fill these records; the analysis reads them.

use crate::budget::N_FLOWS;
use crate::model::Model;
use crate::schema::MonthlyLayout;

/// Column names of an arm's monthly record, as declared in [`MonthlyLayout::columns`].
pub fn monthly_columns(model: &Model) -> Vec<String> {
    MonthlyLayout::new(model).columns().into_iter().map(|c| c.name(model)).collect()
}

/// Column names of a segment's monthly record, as declared in
/// [`MonthlyLayout::segment_columns`]: the arm's columns up to the shares.
pub fn segment_columns(model: &Model) -> Vec<String> {
    MonthlyLayout::new(model).segment_columns().into_iter().map(|c| c.name(model)).collect()
}

/// What one arm of one replication produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmRun {
    /// `(horizon + 1) × columns` values, row-major by month; see [`monthly_columns`].
    pub monthly: Vec<f64>,
    /// Cash flows for simulated months 1..=horizon (index 0 = month 1).
    pub flows: Vec<[f64; N_FLOWS]>,
    /// Moves made per transition over the horizon.
    pub moves: Vec<u64>,
    /// Citizen-months spent in each state over the horizon.
    pub state_months: Vec<u64>,
    /// Moves that drew on placement capacity over the horizon.
    pub placements: u64,
    /// Months those placements waited, summed (0 for a move made in the month it was drawn).
    pub placement_wait_months: u64,
    /// The same record per segment, `(horizon + 1) × segments × ` [`segment_columns`]
    /// values, row-major by month then segment: what calibration compares with
    /// observed figures given per segment.
    pub segment_monthly: Vec<f64>,
    /// What the targets on subgroups counted (see [`crate::simulation::census`]).
    pub tally: crate::simulation::census::Tally,
}

/// One replication: the parameters drawn and every arm's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Replication {
    /// Replication number (0-based).
    pub index: u32,
    /// Drawn value of each uncertain parameter, parallel to [`parameter_keys`](super::draws::parameter_keys).
    pub params: Vec<f64>,
    /// One result per arm, in the order the arms were given.
    pub arms: Vec<ArmRun>,
    /// Sampled individual paths (only when asked for, replication 0).
    pub trajectories: Vec<TrajectoryRow>,
}

/// One citizen-month of a sampled individual path.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrajectoryRow {
    /// Replication.
    pub replication: u32,
    /// Arm name.
    pub arm: &'static str,
    /// Citizen number within the cohort.
    pub citizen: u32,
    /// Segment name.
    pub segment: String,
    /// Simulated month (1-based).
    pub month: usize,
    /// Calendar month.
    pub date: String,
    /// State during the month.
    pub state: String,
    /// State at the end of the month.
    pub next_state: String,
    /// On the waiting list for a placement at the end of the month.
    pub waiting: bool,
    /// Benefit paid this month.
    pub on_benefit: bool,
    /// Cumulative months on benefit, including this one.
    pub cumulative_benefit_months: u32,
    /// Benefit paid (DKK).
    pub benefit: f64,
    /// State reimbursement (DKK).
    pub reimbursement: f64,
    /// Activity cost (DKK).
    pub activity_cost: f64,
    /// One-off cost of the move at the end of the month (DKK).
    pub one_off_cost: f64,
}
