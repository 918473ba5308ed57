//! trappe: a Monte Carlo model of municipal employment budgets and staffing.
//!
//! The data flow, from a scenario file to the result files:
//!
//! 1. [`input`] reads the scenario file ([`input::scenario::LoadedScenario`]), keeping
//!    its source so that every error can name the file, line and key;
//! 2. [`model`] checks it section by section and resolves it into a [`model::Model`]:
//!    states, transitions, staff, money rules, targets and the table of uncertain
//!    parameters;
//! 3. [`simulation`] runs the replications in parallel, the scenario and its
//!    counterfactual on common random numbers, with either engine, and returns one
//!    [`simulation::records::Replication`] each (monthly records and money flows per arm);
//! 4. [`analysis`] reduces each replication to its outcomes and effects (money by
//!    [`budget`] item and year) and summarises them over replications;
//! 5. [`report`] writes the CSV files and the manifest into a staging folder that is
//!    moved into place whole, and the terminal summary.
//!
//! [`schema`] declares every result column (name, unit, meaning) and where it sits;
//! the engines write, the analysis reads and the reports label figures through it.
//!
//! [`commands`] strings these steps together for each subcommand (`run`, `merge`,
//! `calibrate`, `check`); `src/main.rs` only parses the command line. Numbers are
//! formatted for people and files in one place, [`numbers`].

pub mod analysis;
pub mod budget;
pub mod commands;
pub mod error;
pub mod input;
pub mod model;
pub mod numbers;
pub mod report;
pub mod schema;
pub mod serve;
pub mod simulation;
