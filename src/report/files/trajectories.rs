//! `trajectories.csv`: sampled individual paths, month by month.

use crate::report::files::csv_file::{Cell, CsvFile, write_rows};
use crate::report::files::output_error::OutputError;
use crate::simulation::records::TrajectoryRow;

/// Writes `trajectories.csv`: sampled individual paths, month by month.
pub fn write_trajectories(file: &CsvFile, rows: &[TrajectoryRow]) -> Result<(), OutputError> {
    let header: Vec<String> = [
        "replication",
        "arm",
        "citizen",
        "segment",
        "month",
        "date",
        "state",
        "next_state",
        "waiting",
        "on_benefit",
        "cumulative_benefit_months",
        "benefit",
        "reimbursement",
        "activity_cost",
        "one_off_cost",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let cells = rows.iter().map(|r| {
        vec![
            r.replication.to_string().into(),
            r.arm.to_string().into(),
            r.citizen.to_string().into(),
            r.segment.clone().into(),
            r.month.to_string().into(),
            r.date.clone().into(),
            r.state.clone().into(),
            r.next_state.clone().into(),
            r.waiting.to_string().into(),
            r.on_benefit.to_string().into(),
            r.cumulative_benefit_months.to_string().into(),
            Cell::number(r.benefit),
            Cell::number(r.reimbursement),
            Cell::number(r.activity_cost),
            Cell::number(r.one_off_cost),
        ]
    });
    write_rows(file, &header, cells)
}
