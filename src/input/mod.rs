//! What the user gives: the scenario file, its parameter distributions and calendar
//! months, and the observed figures a calibration fits.

pub mod calendar;
pub mod checksum;
pub mod locate;
pub mod observed;
pub mod param;
pub mod scenario;
