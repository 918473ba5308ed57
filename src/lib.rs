//! trappe: a Monte Carlo model of municipal employment budgets and staffing.

// Checks of the form `!(x > 0.0)` are deliberate: unlike `x <= 0.0` they also reject
// NaN, which is what a check of a user's number must do.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod binomial;
pub mod budget;
pub mod calendar;
pub mod calibrate;
pub mod count_engine;
pub mod describe;
pub mod engine;
pub mod error;
pub mod model;
pub mod observed;
pub mod outcomes;
pub mod outputs;
pub mod param;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod terminal;
