//! Criterion benchmark groups for the engine.

pub mod bare;
pub mod cpu_time;
pub mod engine;
pub mod scenario;
pub mod sensitivity;
pub mod serve;
pub mod simulate;
pub mod sweep;
pub mod target;
