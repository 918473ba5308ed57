//! The monthly record: one row per arm and month (and per segment, without the staffing
//! columns), written by both engines and summarised month by month in `monthly.csv`.

use super::units::Unit;
use crate::model::{Metric, Model};

/// A fixed column of the monthly record. The columns come in this order, with one
/// `occupancy:<state>` column per state between [`MonthlyMeasure::Entered`] and the
/// shares; the capacity columns exist only with `[staffing.capacity]`, the segment
/// moves column only with `[[segment_moves]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MonthlyMeasure {
    /// Citizens who have entered so far.
    Entered,
    /// Share in self-supporting states.
    SelfSupportingShare,
    /// Share in ordinary employment.
    EmploymentShare,
    /// Share in education.
    EducationShare,
    /// Share on benefit.
    BenefitShare,
    /// Share in activation.
    ActivationShare,
    /// Share who have ever left benefit for work or education.
    OutflowShare,
    /// Share who have had six consecutive months in work.
    SixMonthEmploymentShare,
    /// Mean current benefit spell of those on benefit.
    MeanBenefitDuration,
    /// Citizen-months on benefit so far.
    CumulativeBenefitMonths,
    /// Staff paid.
    Fte,
    /// Staff weighted by productivity.
    ProductiveFte,
    /// Citizens on benefit per productive FTE.
    Caseload,
    /// The staffing multiplier of the month.
    StaffingMultiplier,
    /// Citizens waiting for a placement.
    WaitingList,
    /// Placements made in the month.
    Placements,
    /// Placement consultants' productive FTE.
    PlacementFte,
    /// Consultant hours for placements.
    PlacementHours,
    /// Consultant hours the month's placements took.
    PlacementHoursUsed,
    /// Citizens who moved to another segment at the end of the month.
    SegmentMoves,
}

use MonthlyMeasure as M;

impl MonthlyMeasure {
    /// Every fixed column, in record order.
    pub const ALL: [MonthlyMeasure; 20] = [
        M::Entered,
        M::SelfSupportingShare,
        M::EmploymentShare,
        M::EducationShare,
        M::BenefitShare,
        M::ActivationShare,
        M::OutflowShare,
        M::SixMonthEmploymentShare,
        M::MeanBenefitDuration,
        M::CumulativeBenefitMonths,
        M::Fte,
        M::ProductiveFte,
        M::Caseload,
        M::StaffingMultiplier,
        M::WaitingList,
        M::Placements,
        M::PlacementFte,
        M::PlacementHours,
        M::PlacementHoursUsed,
        M::SegmentMoves,
    ];

    /// The eight shares and the mean benefit duration: the measures a segment's record
    /// holds besides `entered` and the occupancies, and the first outcomes of an arm.
    pub const SHARES: [MonthlyMeasure; 8] = [
        M::SelfSupportingShare,
        M::EmploymentShare,
        M::EducationShare,
        M::BenefitShare,
        M::ActivationShare,
        M::OutflowShare,
        M::SixMonthEmploymentShare,
        M::MeanBenefitDuration,
    ];

    /// The staffing columns, in every record.
    pub const STAFFING: [MonthlyMeasure; 5] =
        [M::CumulativeBenefitMonths, M::Fte, M::ProductiveFte, M::Caseload, M::StaffingMultiplier];

    /// The placement capacity columns, only with `[staffing.capacity]`.
    pub const CAPACITY: [MonthlyMeasure; 5] =
        [M::WaitingList, M::Placements, M::PlacementFte, M::PlacementHours, M::PlacementHoursUsed];

    /// The moves between segments column, only with `[[segment_moves]]`.
    pub const SEGMENT_MOVES: [MonthlyMeasure; 1] = [M::SegmentMoves];

    /// The column's name in the files.
    pub const fn name(self) -> &'static str {
        match self {
            M::Entered => "entered",
            M::SelfSupportingShare => "self_supporting_share",
            M::EmploymentShare => "employment_share",
            M::EducationShare => "education_share",
            M::BenefitShare => "benefit_share",
            M::ActivationShare => "activation_share",
            M::OutflowShare => "outflow_share",
            M::SixMonthEmploymentShare => "six_month_employment_share",
            M::MeanBenefitDuration => "mean_benefit_duration",
            M::CumulativeBenefitMonths => "cumulative_benefit_months",
            M::Fte => "fte",
            M::ProductiveFte => "productive_fte",
            M::Caseload => "caseload",
            M::StaffingMultiplier => "staffing_multiplier",
            M::WaitingList => "waiting_list",
            M::Placements => "placements",
            M::PlacementFte => "placement_fte",
            M::PlacementHours => "placement_hours",
            M::PlacementHoursUsed => "placement_hours_used",
            M::SegmentMoves => "segment_moves",
        }
    }

    /// The column's unit.
    pub const fn unit(self) -> Unit {
        match self {
            M::Entered | M::WaitingList | M::SegmentMoves => Unit::Citizens,
            M::SelfSupportingShare
            | M::EmploymentShare
            | M::EducationShare
            | M::BenefitShare
            | M::ActivationShare
            | M::OutflowShare
            | M::SixMonthEmploymentShare => Unit::Share,
            M::MeanBenefitDuration => Unit::Months,
            M::CumulativeBenefitMonths => Unit::CitizenMonths,
            M::Fte | M::ProductiveFte | M::PlacementFte => Unit::Fte,
            M::Caseload => Unit::CaseloadRatio,
            M::StaffingMultiplier => Unit::Multiplier,
            M::Placements => Unit::Placements,
            M::PlacementHours | M::PlacementHoursUsed => Unit::Hours,
        }
    }

    /// What the column holds, in one line.
    pub const fn meaning(self) -> &'static str {
        match self {
            M::Entered => "citizens who have entered by the end of the month",
            M::SelfSupportingShare => "citizens in self-supporting states / entered",
            M::EmploymentShare => "citizens in employed states / entered",
            M::EducationShare => "citizens in education states / entered",
            M::BenefitShare => "citizens in benefit-paying states / entered",
            M::ActivationShare => "citizens in activation states / entered",
            M::OutflowShare => "citizens who have ever moved from benefit to work or education / entered",
            M::SixMonthEmploymentShare => "citizens who have had six consecutive months in work / entered",
            M::MeanBenefitDuration => "mean current benefit spell of the citizens on benefit",
            M::CumulativeBenefitMonths => "citizen-months in benefit-paying states since the start",
            M::Fte => "staff paid in the month",
            M::ProductiveFte => "staff weighted by productivity",
            M::Caseload => "citizens on benefit at the start of the month per productive FTE",
            M::StaffingMultiplier => "the staffing multiplier of the month at the drawn elasticity",
            M::WaitingList => "citizens waiting for a placement at the end of the month",
            M::Placements => "moves that needed consultant hours made in the month",
            M::PlacementFte => "placement consultants' FTE weighted by productivity",
            M::PlacementHours => "consultant hours for placements in the month",
            M::PlacementHoursUsed => "consultant hours the month's placements took",
            M::SegmentMoves => "citizens who moved to another segment at the end of the month",
        }
    }

    /// The unit of a target metric's value.
    pub const fn unit_of_metric(metric: Metric) -> Unit {
        match metric {
            Metric::StateShare(_) => Unit::Share,
            named => MonthlyMeasure::of_named_metric(named).unit(),
        }
    }

    /// The column a named metric reads; a state share, which is computed from an
    /// occupancy column, reads `entered`.
    const fn of_named_metric(metric: Metric) -> MonthlyMeasure {
        match metric {
            Metric::SelfSupportingShare => M::SelfSupportingShare,
            Metric::EmploymentShare => M::EmploymentShare,
            Metric::EducationShare => M::EducationShare,
            Metric::BenefitShare => M::BenefitShare,
            Metric::ActivationShare => M::ActivationShare,
            Metric::OutflowShare => M::OutflowShare,
            Metric::SixMonthEmploymentShare => M::SixMonthEmploymentShare,
            Metric::MeanBenefitDuration => M::MeanBenefitDuration,
            Metric::StateShare(_) => M::Entered,
        }
    }
}

/// A column of the monthly record of a given model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthlyColumn {
    /// A fixed column.
    Measure(MonthlyMeasure),
    /// `occupancy:<state>`: citizens in the state (by index) at the end of the month.
    Occupancy(usize),
}

impl MonthlyColumn {
    /// The pattern under which the documentation lists the occupancy columns.
    pub const OCCUPANCY_PATTERN: &'static str = "occupancy:<state>";
    /// The unit of the occupancy columns.
    pub const OCCUPANCY_UNIT: Unit = Unit::Citizens;
    /// What an occupancy column holds.
    pub const OCCUPANCY_MEANING: &'static str = "citizens in the state at the end of the month";

    /// The column's name in the files.
    pub fn name(self, model: &Model) -> String {
        match self {
            MonthlyColumn::Measure(m) => m.name().to_string(),
            MonthlyColumn::Occupancy(s) => format!("occupancy:{}", model.states[s].id),
        }
    }

    /// The column's unit.
    pub const fn unit(self) -> Unit {
        match self {
            MonthlyColumn::Measure(m) => m.unit(),
            MonthlyColumn::Occupancy(_) => MonthlyColumn::OCCUPANCY_UNIT,
        }
    }

    /// What the column holds, in one line.
    pub const fn meaning(self) -> &'static str {
        match self {
            MonthlyColumn::Measure(m) => m.meaning(),
            MonthlyColumn::Occupancy(_) => MonthlyColumn::OCCUPANCY_MEANING,
        }
    }
}

/// Rows of `monthly.csv` computed from the month's cash flows rather than read from the
/// monthly record, after the record's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthlyFlow {
    /// The municipality's net cost of the month alone (months 1…horizon).
    TotalNetCost,
    /// Σ of counterfactual − scenario net cost over months 1…m (arm `effect`).
    CumulativeNetEffect,
}

impl MonthlyFlow {
    /// Both, in file order.
    pub const ALL: [MonthlyFlow; 2] = [MonthlyFlow::TotalNetCost, MonthlyFlow::CumulativeNetEffect];

    /// The row's name in the files.
    pub const fn name(self) -> &'static str {
        match self {
            MonthlyFlow::TotalNetCost => "total_net_cost",
            MonthlyFlow::CumulativeNetEffect => "cumulative_net_effect",
        }
    }

    /// The row's unit.
    pub const fn unit(self) -> Unit {
        Unit::Dkk
    }

    /// What the row holds, in one line.
    pub const fn meaning(self) -> &'static str {
        match self {
            MonthlyFlow::TotalNetCost => "the municipality's net cost of the month alone",
            MonthlyFlow::CumulativeNetEffect => "counterfactual − scenario net cost summed from month 1",
        }
    }
}

/// Where each column sits in a model's monthly record (and in a segment's record, which
/// is the same up to the shares). Built once per replication or run; its lookups are a
/// few additions, cheap enough for the engines' per-month writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthlyLayout {
    /// States of the model: the number of occupancy columns.
    states: usize,
    /// Whether the capacity columns are present.
    pub has_capacity: bool,
    /// Whether the segment moves column is present.
    pub has_segment_moves: bool,
    /// Columns of an arm's monthly record.
    pub width: usize,
    /// Columns of a segment's monthly record: `entered`, occupancies and shares.
    pub segment_width: usize,
}

impl MonthlyLayout {
    /// The layout of a model's monthly record.
    pub fn new(model: &Model) -> MonthlyLayout {
        let states = model.states.len();
        let has_capacity = model.has_capacity();
        let has_segment_moves = !model.segment_moves.is_empty();
        let staffing_end = 1 + states + MonthlyMeasure::SHARES.len() + MonthlyMeasure::STAFFING.len();
        MonthlyLayout {
            states,
            has_capacity,
            has_segment_moves,
            width: staffing_end
                + if has_capacity { MonthlyMeasure::CAPACITY.len() } else { 0 }
                + has_segment_moves as usize,
            segment_width: 1 + states + MonthlyMeasure::SHARES.len(),
        }
    }

    /// The index of a fixed column. A capacity column lies beyond [`Self::width`] unless
    /// [`Self::has_capacity`], the segment moves column unless [`Self::has_segment_moves`].
    #[inline]
    pub fn at(&self, measure: MonthlyMeasure) -> usize {
        // Every fixed column after `entered` follows the occupancy columns in
        // declaration order, less the capacity columns when they are absent.
        match measure {
            M::Entered => 0,
            M::SegmentMoves if !self.has_capacity => {
                self.states + M::SegmentMoves as usize - MonthlyMeasure::CAPACITY.len()
            }
            m => self.states + m as usize,
        }
    }

    /// The index of the occupancy column of state `s`.
    #[inline]
    pub fn occupancy(&self, s: usize) -> usize {
        1 + s
    }

    /// The value of a target metric in one row of a monthly record (an arm's or a
    /// segment's): a named metric's column, or a state's occupancy over `entered`.
    #[inline]
    pub fn metric(&self, row: &[f64], metric: Metric) -> f64 {
        match metric {
            Metric::StateShare(s) => row[self.occupancy(s)] / row[self.at(M::Entered)].max(1.0),
            named => row[self.at(MonthlyMeasure::of_named_metric(named))],
        }
    }

    /// Every column of an arm's record, in order.
    pub fn columns(&self) -> Vec<MonthlyColumn> {
        let mut c = vec![MonthlyColumn::Measure(M::Entered)];
        c.extend((0..self.states).map(MonthlyColumn::Occupancy));
        c.extend(MonthlyMeasure::SHARES.map(MonthlyColumn::Measure));
        c.extend(MonthlyMeasure::STAFFING.map(MonthlyColumn::Measure));
        if self.has_capacity {
            c.extend(MonthlyMeasure::CAPACITY.map(MonthlyColumn::Measure));
        }
        if self.has_segment_moves {
            c.extend(MonthlyMeasure::SEGMENT_MOVES.map(MonthlyColumn::Measure));
        }
        c
    }

    /// Every column of a segment's record, in order.
    pub fn segment_columns(&self) -> Vec<MonthlyColumn> {
        let mut c = self.columns();
        c.truncate(self.segment_width);
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_order_is_record_order() {
        // `MonthlyLayout::at` relies on the discriminants following record order.
        for (k, m) in MonthlyMeasure::ALL.iter().enumerate() {
            assert_eq!(*m as usize, k);
        }
        let groups: Vec<MonthlyMeasure> = [M::Entered]
            .into_iter()
            .chain(MonthlyMeasure::SHARES)
            .chain(MonthlyMeasure::STAFFING)
            .chain(MonthlyMeasure::CAPACITY)
            .chain(MonthlyMeasure::SEGMENT_MOVES)
            .collect();
        assert_eq!(groups, MonthlyMeasure::ALL);
    }

    #[test]
    fn named_metrics_read_the_column_of_their_name() {
        for (name, metric) in Metric::NAMED {
            assert_eq!(MonthlyMeasure::of_named_metric(metric).name(), name);
        }
    }
}
