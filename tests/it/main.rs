//! The integration tests, in one binary: one link for all of them. Each module tests
//! one concern; `common` holds the helpers they share.

mod common;

mod arms;
mod arrivals;
mod bad_input;
mod budget;
mod calibrate;
mod capacity;
mod cases_doc;
mod clocks;
mod cohort;
mod compare;
mod csv_dialect;
mod csv_snapshots;
mod cuts;
mod data_safety;
mod docs_examples;
mod engines;
mod evidence;
mod funding;
mod hostile_numbers;
mod lang;
mod markov;
mod money_items;
mod no_panic;
mod outputs_doc;
mod param_sources;
mod plausibility;
mod report_html;
mod report_pdf;
mod report_workbook;
mod scenarios;
mod sensitivity;
mod serve;
mod set_option;
mod shard;
mod sweep;
mod uncertainty;
