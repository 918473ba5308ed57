//! What the user gives: the scenario file, its parameter distributions and calendar
//! months, and the observed figures a calibration fits; and how such a file is read.

pub mod baseline;
pub mod calendar;
pub mod checksum;
pub mod cohort;
pub mod locate;
pub mod observed;
pub mod param;
pub mod read;
pub mod scenario;
pub mod setting;
pub mod vary;
