//! trappe: a Monte Carlo model of municipal employment budgets and staffing.

// Checks of the form `!(x > 0.0)` are deliberate: unlike `x <= 0.0` they also reject
// NaN, which is what a check of a user's number must do.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod analysis;
pub mod budget;
pub mod commands;
pub mod error;
pub mod input;
pub mod model;
pub mod numbers;
pub mod report;
pub mod simulation;
