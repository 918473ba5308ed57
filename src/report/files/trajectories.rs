//! `trajectories.csv`: sampled individual paths, month by month.

use crate::numbers::csv_number;
use crate::report::files::csv_file::write_rows;
use crate::report::files::output_error::OutputError;
use crate::simulation::records::TrajectoryRow;
use std::path::Path;

/// Writes `trajectories.csv`: sampled individual paths, month by month.
pub fn write_trajectories(path: &Path, rows: &[TrajectoryRow]) -> Result<(), OutputError> {
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
            r.replication.to_string(),
            r.arm.to_string(),
            r.citizen.to_string(),
            r.segment.clone(),
            r.month.to_string(),
            r.date.clone(),
            r.state.clone(),
            r.next_state.clone(),
            r.waiting.to_string(),
            r.on_benefit.to_string(),
            r.cumulative_benefit_months.to_string(),
            csv_number(r.benefit),
            csv_number(r.reimbursement),
            csv_number(r.activity_cost),
            csv_number(r.one_off_cost),
        ]
    });
    write_rows(path, &header, cells)
}
