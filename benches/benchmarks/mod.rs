//! Criterion benchmark groups for the engine.

pub mod bare;
pub mod count;
pub mod engine;
pub mod scenario;
pub mod simulate;
