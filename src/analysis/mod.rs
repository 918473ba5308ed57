//! From replications to results: each replication's outcomes and effects, and their
//! summaries over replications.

pub mod calibration;
pub mod comparison;
pub mod comparison_run;
pub mod decision;
pub mod outcomes;
pub mod regression;
pub mod sensitivity;
pub mod sensitivity_run;
pub mod stats;
pub mod sweep;
pub mod uncertainty;
