//! trappe: a Monte Carlo model of municipal employment budgets and staffing.
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
