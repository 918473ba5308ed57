//! Result files: one module per file written, the staging folder they are written
//! into (claimed, cleaned up after interruptions, replaced only when it is trappe's),
//! and what the CSV writers share. Column meanings and units are documented in
//! `docs/outputs.md`.

pub mod budget_years;
pub mod claim;
pub mod csv_dialect;
pub mod csv_file;
pub mod interrupt;
pub mod manifest;
pub mod monthly;
pub mod output_error;
pub mod replaceable;
pub mod replications;
pub mod report_file;
pub mod staging;
pub mod summary;
pub mod trajectories;
