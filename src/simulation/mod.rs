//! The simulation: the cohort month by month, in every arm at once, on common random
//! numbers, with either engine.
//!
//! [`driver`] runs the replications in parallel; [`individual`] follows every citizen
//! one by one (the reference); [`count`] moves groups of interchangeable citizens by
//! binomial draws. Both engines draw their parameters and random streams with
//! [`draws`], their moves from the month's transition [`tables`] and the moves between segments
//! from `segment_moves`, book money and the
//! monthly record with [`kernel`], and return the same [`records`].

pub mod census;
pub mod count;
pub mod draws;
pub mod driver;
pub mod individual;
pub mod kernel;
pub mod records;
pub(crate) mod segment_moves;
pub mod tables;
