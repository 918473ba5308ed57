//! A finished comparison as `trappe compare` (and `trappe sensitivity` of several
//! options) hands it to the reports: the options with their results, what the
//! comparison adds, the acceptability curves and the value of knowing each parameter.

use crate::analysis::comparison::Comparison;
use crate::analysis::decision::{Acceptability, DrawValues, ValueOfInformation};
use crate::analysis::outcomes::Results;
use crate::input::scenario::LoadedScenario;
use crate::model::Model;
use crate::simulation::driver::Engine;

/// One option: its file, name and results.
#[derive(Debug)]
pub struct ComparedOption {
    /// The name shown: the file's stem (numbered when two files have the same stem).
    pub name: String,
    /// The scenario as loaded.
    pub scenario: LoadedScenario,
    /// The model simulated.
    pub model: Model,
    /// Its results: arm 0 the option, arm 1 the shared baseline.
    pub results: Results,
}

/// A finished comparison: what was simulated and what it shows.
#[derive(Debug)]
pub struct ComparisonRun {
    /// The options, in the order given.
    pub options: Vec<ComparedOption>,
    /// What the comparison adds to each option's results.
    pub comparison: Comparison,
    /// Seed, replications and inner replications used for every option.
    pub seed: u64,
    /// Replications per option.
    pub replications: u32,
    /// Replications per outer draw of the parameters.
    pub inner_replications: u32,
    /// Worker threads.
    pub threads: usize,
    /// Why the inner replications are not the default, when the rule for `-n` chose them.
    pub inner_note: Option<String>,
    /// The engine every option was simulated with.
    pub engine: Engine,
    /// Per willingness to pay per extra self-supporting citizen, the probability that each
    /// option is best and the value of perfect information.
    pub acceptability: Vec<(Acceptability, ValueOfInformation)>,
    /// The same per willingness to pay per benefit month avoided.
    pub acceptability_per_month: Vec<(Acceptability, ValueOfInformation)>,
    /// How the per-draw values behind `acceptability` were estimated.
    pub draw_values: DrawValues,
    /// The value of knowing each uncertain parameter before choosing, at the prices of
    /// [`PARAMETER_VALUE_PRICES`] (the first and middle of the acceptability grid).
    pub parameter_values: Vec<ParameterValue>,
    /// The number of draws the values of information are over.
    pub decision_draws: usize,
}

/// Which levels of the acceptability grid the value of each parameter is given at: a
/// price of 0 (the net municipal effect alone) and the grid's middle.
pub const PARAMETER_VALUE_PRICES: [usize; 2] = [0, 12];

/// The value of knowing one uncertain parameter (or a group of them) before choosing, at
/// one price.
#[derive(Debug, Clone)]
pub struct ParameterValue {
    /// The parameter's key (as in `replications.csv`), or the group's name.
    pub key: String,
    /// The parameters' keys: the key alone, or the group's members.
    pub members: Vec<String>,
    /// DKK per extra self-supporting citizen.
    pub wtp: f64,
    /// The expected value of partial perfect information and the largest value the
    /// same parameter shows with its draws shuffled (its noise floor), DKK; or why they
    /// could not be estimated.
    pub value: Result<(ValueOfInformation, f64), Unestimable>,
}

/// Why a parameter's value of information could not be estimated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unestimable {
    /// The parameter is not drawn in every option.
    #[error("not a sampled parameter of every option")]
    NotSampledEverywhere,
    /// The value could not be estimated from the draws.
    #[error(transparent)]
    Evppi(#[from] crate::analysis::decision::EvppiError),
}
