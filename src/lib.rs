//! trappe: a Monte Carlo model of municipal employment budgets and staffing.

pub mod analysis;
pub mod budget;
pub mod commands;
pub mod error;
pub mod input;
pub mod model;
pub mod numbers;
pub mod report;
pub mod schema;
pub mod simulation;
