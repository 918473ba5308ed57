//! What the user reads: the terminal summary, the description of a checked model,
//! and the result files.

pub mod calibration;
pub mod compare;
pub mod describe;
pub mod files;
pub mod folder;
pub mod html;
pub mod lang;
pub mod part;
pub mod pdf;
pub mod progress;
pub mod register;
pub mod results;
pub mod sensitivity;
pub mod sweep;
pub mod terminal;
pub mod words;
pub mod workbook;
