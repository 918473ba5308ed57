//! Result files: one module per file written, the staging folder they are written
//! into, and what the CSV writers share. Column meanings and units are documented in
//! `docs/outputs.md`.

pub mod budget_years;
pub mod csv_file;
pub mod manifest;
pub mod monthly;
pub mod replications;
pub mod staging;
pub mod summary;
pub mod trajectories;
