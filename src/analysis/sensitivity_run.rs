//! A finished sensitivity analysis as `trappe sensitivity` hands it to the reports: the
//! probabilistic run, each option's one-way sensitivity, the threshold search and the
//! grid, with the keys they move.

use crate::analysis::comparison_run::ComparisonRun;
use crate::analysis::sensitivity::{Crossing, Lever, Swing};
use crate::analysis::sweep::Measure;
use crate::input::param::Distribution;
use crate::simulation::driver::Engine;

/// Replications per level of the first batch of the one-way sensitivity unless
/// `--level-replications` says otherwise: the parameters are fixed at every level, so only
/// chance varies between replications, and levels are paired on the same numbers.
pub const DEFAULT_LEVEL_REPLICATIONS: u32 = 50;

/// The key a threshold or grid moves: an uncertain parameter (held at a value instead of
/// drawn), or any number of the scenario file (given as `--set` would give it).
#[derive(Debug, Clone)]
pub enum Key {
    /// An uncertain parameter, by its key, with its distribution.
    Parameter(String, Distribution),
    /// A number of the scenario file, by its key path.
    Setting(String),
}

impl Key {
    /// The key as the user named it.
    pub fn name(&self) -> &str {
        match self {
            Key::Parameter(k, _) | Key::Setting(k) => k,
        }
    }
}

/// Per option at one value of a threshold's key: the expected net municipal effect and
/// each target's probability of being met.
pub type CurveValues = Vec<(f64, Vec<f64>)>;

/// The one-way sensitivity of one option.
#[derive(Debug, Clone)]
pub struct OneWay {
    /// Per measure of [`TORNADO_MEASURES`], the expected value with every parameter at its mean.
    pub at_means: Vec<f64>,
    /// Per lever, per measure of [`TORNADO_MEASURES`], the swing.
    pub swings: Vec<Vec<Swing>>,
}

/// The measures a tornado is drawn for: the money, and the main employment outcome.
pub const TORNADO_MEASURES: [Measure; 2] = [Measure::NetMunicipalEffect, Measure::ExtraSelfSupporting];

/// Where one curve of the threshold search crosses its goal.
#[derive(Debug, Clone)]
pub struct ThresholdResult {
    /// The option (index into the options).
    pub option: usize,
    /// None for the break-even (net municipal effect 0), or the target's index.
    pub target: Option<usize>,
    /// Where the curve crosses its goal, refined when found.
    pub crossing: Crossing,
    /// The refined value, when the curve crosses.
    pub value: Option<f64>,
}

/// The threshold search: the key, its scanned range and what was found.
#[derive(Debug, Clone)]
pub struct Threshold {
    /// The key moved.
    pub key: Key,
    /// The range searched.
    pub range: (f64, f64),
    /// Per scanned value, per option: the expected net effect and each target's P(met).
    pub scan: Vec<(f64, CurveValues)>,
    /// The crossings.
    pub results: Vec<ThresholdResult>,
}

/// The two-way table of `--grid`.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The two keys.
    pub keys: [Key; 2],
    /// Each key's levels.
    pub levels: [Vec<f64>; 2],
    /// Per cell (first key innermost), per option: expected net effect and extra
    /// self-supporting citizens.
    pub cells: Vec<Vec<(f64, f64)>>,
}

/// A finished sensitivity analysis.
#[derive(Debug)]
pub struct SensitivityRun {
    /// The probabilistic run with its value of information and acceptability.
    pub run: ComparisonRun,
    /// The levers of the one-way sensitivity and the value of information.
    pub levers: Vec<Lever>,
    /// Per option, its one-way sensitivity.
    pub one_way: Vec<OneWay>,
    /// Replications per level.
    pub level_replications: u32,
    /// Whether `--level-replications` fixed them (else they grew until [`PRECISION`]).
    pub level_replications_fixed: bool,
    /// The engine of the levels.
    pub level_engine: Engine,
    /// The threshold search, if asked for.
    pub threshold: Option<Threshold>,
    /// The grid, if asked for.
    pub grid: Option<Grid>,
    /// The probability of meeting a target that the threshold search looks for.
    pub target_probability: f64,
}

/// The share of the widest swing that the Monte Carlo standard error of every swing may
/// reach before the one-way sensitivity stops adding replications.
pub const PRECISION: f64 = 0.1;
