//! Criterion benchmark groups for the engine.

pub mod engine;
pub mod scenario;
pub mod simulate;
