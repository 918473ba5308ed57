//! The commands: each reads its inputs, runs the library and writes its results.

pub mod calibrate;
pub mod check;
pub mod compare;
pub mod memory;
pub mod merge;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod serve;
pub mod sweep;
