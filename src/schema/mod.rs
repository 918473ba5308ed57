//! The result schema: every column of the monthly record, every outcome of one arm and
//! every effect, declared once with its name, unit and meaning, and the per-model
//! layouts that give each one its position. The engines write, the analysis reads and
//! the reports label the figures through these declarations, so a column's name, unit
//! and position cannot disagree between them.

pub mod monthly;
pub mod outcomes;
pub mod units;

pub use monthly::{MonthlyColumn, MonthlyFlow, MonthlyLayout, MonthlyMeasure};
pub use outcomes::{ArmOutcome, Effect, OutcomeColumn, OutcomeLayout};
pub use units::Unit;
