//! Runs split across machines: `trappe run --shard I/N` and `trappe merge`.
//!
//! Every replication has its own random streams, derived from the seed and the
//! replication number (see [`crate::simulation`]), so a replication gives the same
//! numbers wherever and whenever it runs. A shard runs a contiguous block of the
//! replications and writes a *partial result*: a folder with the outcomes of each
//! of its replications, stored losslessly, and a manifest saying which run and
//! which block they belong to. `trappe merge` checks that the parts belong to one
//! run and together hold every replication exactly once, puts the replications
//! back in order and writes the results with the same function as `trappe run`
//! ([`crate::report::results::write_results`]), so the CSV files are byte-identical to those
//! of a single run.
//!
//! The partial-result folder:
//!
//! * `part.toml`: the manifest ([`PartManifest`]);
//! * `outcomes.bin`: the per-replication outcomes ([`RepOutcomes`]) in replication
//!   order, encoded with postcard (every `f64` as its 8 bytes, so NaN and ±∞
//!   round-trip bit for bit). Its SHA-256 is in the manifest.

use crate::analysis::outcomes::RepOutcomes;
use crate::budget::{BudgetYears, Item};
use crate::input::checksum::{sha256_bytes_hex, sha256_hex};
use crate::input::scenario::LoadedScenario;
use crate::model::ARMS;
use crate::model::Model;
use crate::report::files::manifest::command_line;
use crate::report::files::output_error::OutputError;
use crate::report::files::staging::Staging;
use crate::report::results::{RunReport, default_out};
use crate::schema::{Effect, MonthlyLayout, OutcomeLayout};
use crate::simulation::draws::parameter_keys;
use crate::simulation::records::TrajectoryRow;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Version of the partial-result format (`part_format` in `part.toml`).
pub const PART_FORMAT: u32 = 1;
/// The manifest of a partial result.
pub const PART_MANIFEST: &str = "part.toml";
/// The per-replication outcomes of a partial result.
pub const PART_DATA: &str = "outcomes.bin";

/// One shard of a run: number `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    /// Shard number I, from 1 to `count`.
    pub index: u32,
    /// Number of shards N, at least 1.
    pub count: u32,
}

/// Why a `--shard` value is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not of the form `I/N`.
    #[error("expected I/N, two whole numbers: the shard number and the number of shards, e.g. 2/3")]
    Syntax,
    /// N is zero.
    #[error("the number of shards N must be at least 1, got 0")]
    NoShards,
    /// I is not in 1..=N.
    #[error("the shard number I must be from 1 to N = {count}, got {index}")]
    OutOfRange {
        /// I as given.
        index: u32,
        /// N as given.
        count: u32,
    },
}

impl Shard {
    /// The shard `index` of `count`, checked.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        if count == 0 {
            return Err(ShardError::NoShards);
        }
        if index == 0 || index > count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// The replications this shard runs out of `total`: the contiguous block
    /// `floor((I−1)·R/N) .. floor(I·R/N)` (numbered from 0, end excluded). The blocks
    /// of shards 1..=N cover 0..R exactly once and differ in size by at most one;
    /// with fewer replications than shards, some blocks are empty.
    pub fn range(self, total: u32) -> Range<u32> {
        let at = |i: u32| (u64::from(i) * u64::from(total) / u64::from(self.count)) as u32;
        at(self.index - 1)..at(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let (i, n) = s.trim().split_once('/').ok_or(ShardError::Syntax)?;
        let num = |x: &str| {
            let x = x.trim();
            if x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ShardError::Syntax);
            }
            x.parse::<u32>().map_err(|_| ShardError::Syntax)
        };
        Shard::new(num(i)?, num(n)?)
    }
}

/// The default folder of a partial result: `results/<file stem>.part-I-of-N`.
pub fn default_part_out(scenario: &Path, shard: Shard) -> PathBuf {
    let mut p = default_out(scenario).into_os_string();
    p.push(format!(".part-{}-of-{}", shard.index, shard.count));
    PathBuf::from(p)
}

/// The manifest of a partial result, written as `part.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartManifest {
    /// Always "trappe".
    pub program: String,
    /// Program version that made the part.
    pub version: String,
    /// Version of this folder's format ([`PART_FORMAT`]).
    pub part_format: u32,
    /// The command line that made the part.
    pub command: String,
    /// Scenario file as given (not valid UTF-8: with U+FFFD for each invalid byte; a
    /// merge without `--out` names its default folder after it).
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Seed of the whole run.
    pub seed: u64,
    /// Replications of the whole run (R).
    pub replications: u32,
    /// Replications per outer draw of the parameters (absent when 1).
    #[serde(default = "crate::report::part::one", skip_serializing_if = "crate::report::part::is_one")]
    pub inner_replications: u32,
    /// This shard, `I/N`.
    pub shard: String,
    /// First replication in this part (numbered from 0).
    pub first_replication: u32,
    /// Replications in this part (may be 0 when R < N).
    pub replications_in_part: u32,
    /// Worker threads this part ran with.
    pub threads: usize,
    /// Engine used.
    pub engine: String,
    /// Individual paths recorded from replication 0 (K).
    pub trajectories: usize,
    /// The data file.
    pub data_file: String,
    /// SHA-256 of the data file.
    pub data_sha256: String,
    /// Size of the data file in bytes.
    pub data_bytes: u64,
    /// SHA-256 of the scenario's `[cohort]` file, if it has one: `trappe merge` reads
    /// that file again and refuses it if it has changed since the part was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort_sha256: Option<String>,
    /// The `--set PATH=VALUE` arguments the part was run with, in order: parts with
    /// different ones are different scenarios, and `trappe merge` applies them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    /// The scenario file's text, exactly as read.
    pub scenario_source: String,
}

/// What a shard of a run is: which shard, of which run.
#[derive(Debug, Clone, Copy)]
pub struct PartSpec {
    /// The shard.
    pub shard: Shard,
    /// Seed of the whole run.
    pub seed: u64,
    /// Replications of the whole run.
    pub replications: u32,
    /// Replications per outer draw of the parameters.
    pub inner_replications: u32,
    /// Worker threads.
    pub threads: usize,
    /// Individual paths recorded (K).
    pub trajectories: usize,
    /// The engine.
    pub engine: crate::simulation::driver::Engine,
}

/// Why parts cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// The folder given is not a partial result.
    #[error("{} is not a partial result of `trappe run --shard I/N`: {reason}", path.display())]
    NotAPart {
        /// The folder.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// A part's files cannot be read, are damaged, or contradict each other.
    #[error("part {}: {reason}", path.display())]
    Damaged {
        /// The part's folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Parts that do not belong to the same run.
    #[error("{0}")]
    Mismatch(String),
    /// A shard given more than once.
    #[error("shard {shard} is given twice: {} and {}; give each shard exactly once", first.display(), second.display())]
    Duplicate {
        /// The shard.
        shard: Shard,
        /// One part holding it.
        first: PathBuf,
        /// Another part holding it.
        second: PathBuf,
    },
    /// Shards not given.
    #[error("{}", missing_message(.missing, .given))]
    Missing {
        /// The shards not given.
        missing: Vec<Shard>,
        /// The shards given.
        given: Vec<Shard>,
    },
}

fn list(shards: &[Shard]) -> String {
    shards.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
}

fn missing_message(missing: &[Shard], given: &[Shard]) -> String {
    let what = if missing.len() == 1 {
        format!("shard {} is missing", missing[0])
    } else {
        format!("shards {} are missing", list(missing))
    };
    format!("{what} (given: {}); merge needs every shard of the run exactly once", list(given))
}

/// One replication's outcomes as stored in `outcomes.bin`: the fields of
/// [`RepOutcomes`], with fixed-size arrays as vectors and arm names as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RepRecord {
    index: u32,
    arms: Vec<Vec<f64>>,
    effects: Vec<f64>,
    budget: Vec<BudgetRecord>,
    monthly_net_effect: Vec<f64>,
    params: Vec<f64>,
    ratio_parts: [(f64, f64); 2],
    monthly: Vec<Vec<f64>>,
    monthly_net_cost: Vec<Vec<f64>>,
    trajectories: Vec<TrajectoryRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct BudgetRecord {
    years: Vec<i32>,
    values: Vec<Vec<f64>>,
    total: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TrajectoryRecord {
    replication: u32,
    arm: String,
    citizen: u32,
    segment: String,
    month: usize,
    date: String,
    state: String,
    next_state: String,
    waiting: bool,
    on_benefit: bool,
    cumulative_benefit_months: u32,
    benefit: f64,
    reimbursement: f64,
    activity_cost: f64,
    one_off_cost: f64,
}

impl From<RepOutcomes> for RepRecord {
    fn from(o: RepOutcomes) -> RepRecord {
        RepRecord {
            index: o.index,
            arms: o.arms,
            effects: o.effects,
            budget: o
                .budget
                .into_iter()
                .map(|b| BudgetRecord {
                    years: b.years,
                    values: b.values.iter().map(|v| v.to_vec()).collect(),
                    total: b.total.to_vec(),
                })
                .collect(),
            monthly_net_effect: o.monthly_net_effect,
            params: o.params,
            ratio_parts: o.ratio_parts,
            monthly: o.monthly,
            monthly_net_cost: o.monthly_net_cost,
            trajectories: o
                .trajectories
                .into_iter()
                .map(|t| TrajectoryRecord {
                    replication: t.replication,
                    arm: t.arm.to_string(),
                    citizen: t.citizen,
                    segment: t.segment,
                    month: t.month,
                    date: t.date,
                    state: t.state,
                    next_state: t.next_state,
                    waiting: t.waiting,
                    on_benefit: t.on_benefit,
                    cumulative_benefit_months: t.cumulative_benefit_months,
                    benefit: t.benefit,
                    reimbursement: t.reimbursement,
                    activity_cost: t.activity_cost,
                    one_off_cost: t.one_off_cost,
                })
                .collect(),
        }
    }
}

/// The sizes every record of a model must have; checked on reading so that a
/// damaged or foreign file gives an error, not a wrong table or a crash.
struct Shape {
    arm_outcomes: usize,
    params: usize,
    monthly: usize,
    horizon: usize,
}

impl Shape {
    fn of(model: &Model) -> Shape {
        Shape {
            arm_outcomes: OutcomeLayout::new(model).width,
            params: parameter_keys(model).len(),
            monthly: (model.horizon + 1) * MonthlyLayout::new(model).width,
            horizon: model.horizon,
        }
    }
}

impl RepRecord {
    /// Back to [`RepOutcomes`], checking every size against the model. `years` are the
    /// budget years of the first replication read, which every replication must share.
    fn into_outcomes(self, shape: &Shape, years: &mut Option<Vec<i32>>) -> Result<RepOutcomes, String> {
        let n_arms = ARMS.len();
        let rep = self.index;
        let bad = |what: &str| format!("replication {rep}: {what} has the wrong size for this scenario");
        if self.arms.len() != n_arms || self.arms.iter().any(|a| a.len() != shape.arm_outcomes) {
            return Err(bad("the arm outcomes"));
        }
        if self.effects.len() != Effect::ALL.len() {
            return Err(bad("the effects"));
        }
        if self.monthly_net_effect.len() != shape.horizon {
            return Err(bad("the monthly net effect"));
        }
        if self.params.len() != shape.params {
            return Err(bad("the parameter draws"));
        }
        if self.monthly.len() != n_arms || self.monthly.iter().any(|m| m.len() != shape.monthly) {
            return Err(bad("the monthly record"));
        }
        if self.monthly_net_cost.len() != n_arms
            || self.monthly_net_cost.iter().any(|m| m.len() != shape.horizon)
        {
            return Err(bad("the monthly net cost"));
        }
        if self.budget.len() != n_arms {
            return Err(bad("the budget years"));
        }
        let mut budget = Vec::with_capacity(n_arms);
        for b in self.budget {
            let first = years.get_or_insert_with(|| b.years.clone());
            if b.years != *first || b.values.len() != b.years.len() {
                return Err(bad("the budget years"));
            }
            let row =
                |v: Vec<f64>| <[f64; Item::ALL.len()]>::try_from(v).map_err(|_| bad("the budget items"));
            let values = b.values.into_iter().map(row).collect::<Result<Vec<_>, _>>()?;
            budget.push(BudgetYears { years: b.years, values, total: row(b.total)? });
        }
        let mut trajectories = Vec::with_capacity(self.trajectories.len());
        for t in self.trajectories {
            let arm = ARMS
                .iter()
                .find(|a| a.name == t.arm)
                .ok_or_else(|| format!("replication {rep}: a trajectory has the unknown arm {:?}", t.arm))?
                .name;
            trajectories.push(TrajectoryRow {
                replication: t.replication,
                arm,
                citizen: t.citizen,
                segment: t.segment,
                month: t.month,
                date: t.date,
                state: t.state,
                next_state: t.next_state,
                waiting: t.waiting,
                on_benefit: t.on_benefit,
                cumulative_benefit_months: t.cumulative_benefit_months,
                benefit: t.benefit,
                reimbursement: t.reimbursement,
                activity_cost: t.activity_cost,
                one_off_cost: t.one_off_cost,
            });
        }
        Ok(RepOutcomes {
            index: self.index,
            arms: self.arms,
            effects: self.effects,
            budget,
            monthly_net_effect: self.monthly_net_effect,
            params: self.params,
            ratio_parts: self.ratio_parts,
            monthly: self.monthly,
            monthly_net_cost: self.monthly_net_cost,
            trajectories,
        })
    }
}

/// Encodes replication outcomes as stored in `outcomes.bin`.
pub fn encode_outcomes(outs: Vec<RepOutcomes>) -> Result<Vec<u8>, postcard::Error> {
    let records: Vec<RepRecord> = outs.into_iter().map(RepRecord::from).collect();
    postcard::to_stdvec(&records)
}

/// Decodes `outcomes.bin` for `model`, checking every size.
pub fn decode_outcomes(bytes: &[u8], model: &Model) -> Result<Vec<RepOutcomes>, String> {
    let (records, rest) = postcard::take_from_bytes::<Vec<RepRecord>>(bytes).map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err(format!("{} bytes left over after the last replication", rest.len()));
    }
    let shape = Shape::of(model);
    let mut years = None;
    records.into_iter().map(|r| r.into_outcomes(&shape, &mut years)).collect()
}

/// Writes a partial result into `staging` and moves it into place: the outcomes of
/// the replications `spec.shard.range(spec.replications)`, in order, and the manifest.
pub fn write_part(
    staging: Staging,
    sc: &LoadedScenario,
    spec: &PartSpec,
    outs: Vec<RepOutcomes>,
) -> anyhow::Result<RunReport> {
    let range = spec.shard.range(spec.replications);
    anyhow::ensure!(
        outs.len() == range.len() && outs.iter().zip(range.clone()).all(|(o, r)| o.index == r),
        "internal error: shard {} simulated the wrong replications",
        spec.shard
    );
    let data_path = staging.file(PART_DATA);
    let bytes =
        encode_outcomes(outs).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", data_path.display()))?;
    fs::write(&data_path, &bytes).map_err(|source| OutputError::File { path: data_path.clone(), source })?;
    let manifest = PartManifest {
        program: "trappe".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        part_format: PART_FORMAT,
        command: command_line(),
        scenario_path: sc.path.clone(),
        scenario_sha256: sha256_hex(&sc.source),
        seed: spec.seed,
        replications: spec.replications,
        inner_replications: spec.inner_replications,
        shard: spec.shard.to_string(),
        first_replication: range.start,
        replications_in_part: range.len() as u32,
        threads: spec.threads,
        engine: spec.engine.name().into(),
        trajectories: spec.trajectories,
        data_file: PART_DATA.into(),
        data_sha256: sha256_bytes_hex(&bytes),
        data_bytes: bytes.len() as u64,
        cohort_sha256: sc.cohort.as_ref().map(|c| c.sha256.clone()),
        set: sc.settings.iter().map(|s| s.arg.clone()).collect(),
        scenario_source: sc.source.clone(),
    };
    let text = toml::to_string(&manifest).map_err(OutputError::from)?;
    let mpath = staging.file(PART_MANIFEST);
    fs::write(&mpath, text).map_err(|source| OutputError::File { path: mpath, source })?;
    let out = staging.commit()?;

    let name = &sc.path;
    let mut summary = if range.is_empty() {
        format!(
            "Shard {} of {name}: no replications ({} replications over {} shards leave some shards empty).\n\
             Wrote an empty part; it merges like any other.\n",
            spec.shard, spec.replications, spec.shard.count
        )
    } else {
        let which = match range.len() {
            1 => format!("replication {}", range.start),
            _ => format!("replications {} to {}", range.start, range.end - 1),
        };
        format!(
            "Shard {} of {name}: {which} ({} of {}), seed {}.\n",
            spec.shard,
            range.len(),
            spec.replications,
            spec.seed
        )
    };
    summary.push_str(&format!(
        "This is a partial result: when all {} shards are done, combine them with\n  trappe merge PART_FOLDERS... --out DIR\n",
        spec.shard.count
    ));
    Ok(RunReport {
        summary,
        out,
        files: vec![PART_MANIFEST.to_string(), PART_DATA.to_string()],
        partial: true,
    })
}

/// Reads a part's manifest and checks it against itself (its shard, block and
/// scenario checksum).
pub fn read_part_manifest(path: &Path) -> Result<(PartManifest, Shard), PartError> {
    let not_a_part = |reason: &str| PartError::NotAPart { path: path.to_path_buf(), reason: reason.into() };
    if !path.exists() {
        return Err(not_a_part("no such folder"));
    }
    if !path.is_dir() {
        return Err(not_a_part("it is a file, not a folder"));
    }
    let mpath = path.join(PART_MANIFEST);
    if !mpath.exists() {
        return Err(if path.join("run.toml").exists() {
            not_a_part("it is a complete result (it has run.toml); only parts can be merged")
        } else {
            not_a_part("it has no part.toml")
        });
    }
    let damaged = |reason: String| PartError::Damaged { path: path.to_path_buf(), reason };
    let text = crate::input::read::read_input_text(&mpath, crate::input::read::InputFile::PartManifest)
        .map_err(|e| damaged(format!("cannot read part.toml: {e}")))?;
    let m: PartManifest =
        toml::from_str(&text).map_err(|e| damaged(format!("part.toml is not a part manifest: {e}")))?;
    if m.program != "trappe" {
        return Err(damaged(format!("part.toml was made by {:?}, not trappe", m.program)));
    }
    let this = env!("CARGO_PKG_VERSION");
    if m.version != this {
        return Err(PartError::Mismatch(format!(
            "part {} was made by trappe {}, but this is trappe {this}; merge with the version that made the parts",
            path.display(),
            m.version
        )));
    }
    if m.part_format != PART_FORMAT {
        return Err(damaged(format!(
            "part format {} is not the format {PART_FORMAT} this program reads",
            m.part_format
        )));
    }
    if m.replications == 0 {
        return Err(damaged("part.toml says the run has 0 replications; a run has at least 1".into()));
    }
    if m.inner_replications == 0 || !m.replications.is_multiple_of(m.inner_replications) {
        return Err(damaged(format!(
            "part.toml says {} inner replications, which do not divide its {} replications",
            m.inner_replications, m.replications
        )));
    }
    let shard: Shard =
        m.shard.parse().map_err(|e| damaged(format!("shard {:?} in part.toml: {e}", m.shard)))?;
    let range = shard.range(m.replications);
    if m.first_replication != range.start || m.replications_in_part as usize != range.len() {
        return Err(damaged(format!(
            "part.toml says replications {}..{} but shard {shard} of {} replications is {}..{}",
            m.first_replication,
            u64::from(m.first_replication) + u64::from(m.replications_in_part),
            m.replications,
            range.start,
            range.end
        )));
    }
    if sha256_hex(&m.scenario_source) != m.scenario_sha256 {
        return Err(damaged("the scenario text in part.toml does not match its checksum".into()));
    }
    if m.data_file != PART_DATA {
        return Err(damaged(format!("unknown data file {:?}", m.data_file)));
    }
    Ok((m, shard))
}

/// Checks that `b` (at `pb`) belongs to the same run as `a` (at `pa`).
pub(crate) fn check_same_run(
    pa: &Path,
    a: &PartManifest,
    sa: Shard,
    pb: &Path,
    b: &PartManifest,
    sb: Shard,
) -> Result<(), PartError> {
    let (pa, pb) = (pa.display(), pb.display());
    let msg = if b.scenario_sha256 != a.scenario_sha256 {
        format!(
            "part {pb} was made from a different scenario (checksum {}, file {}) than part {pa} (checksum {}, file {})",
            short(&b.scenario_sha256),
            b.scenario_path,
            short(&a.scenario_sha256),
            a.scenario_path
        )
    } else if b.cohort_sha256 != a.cohort_sha256 {
        format!(
            "part {pb} was made from a different cohort file (checksum {}) than part {pa} (checksum {})",
            b.cohort_sha256.as_deref().map(short).unwrap_or_else(|| "none".into()),
            a.cohort_sha256.as_deref().map(short).unwrap_or_else(|| "none".into())
        )
    } else if b.set != a.set {
        format!(
            "part {pb} was run with {}, but part {pa} with {}; all parts of a run need the same --set values",
            set_words(&b.set),
            set_words(&a.set)
        )
    } else if b.seed != a.seed {
        format!(
            "part {pb} was run with seed {}, but part {pa} with seed {}; all parts of a run need the same seed",
            b.seed, a.seed
        )
    } else if b.replications != a.replications {
        format!(
            "part {pb} belongs to a run of {} replications, but part {pa} to a run of {}; all parts need the same --replications",
            b.replications, a.replications
        )
    } else if b.inner_replications != a.inner_replications {
        format!(
            "part {pb} was run with --inner {}, but part {pa} with --inner {}; all parts need the same inner replications",
            b.inner_replications, a.inner_replications
        )
    } else if sb.count != sa.count {
        format!(
            "part {pb} is shard {sb}, but part {pa} is shard {sa}; all parts must split the run into the same number of shards"
        )
    } else if b.trajectories != a.trajectories {
        format!(
            "part {pb} was run with --trajectories {}, but part {pa} with --trajectories {}; all parts need the same",
            b.trajectories, a.trajectories
        )
    } else if b.engine != a.engine {
        format!("part {pb} was run with the {} engine, but part {pa} with the {} engine", b.engine, a.engine)
    } else {
        return Ok(());
    };
    Err(PartError::Mismatch(msg))
}

/// 1, the default of a manifest's inner replications.
pub(crate) fn one() -> u32 {
    1
}

/// Whether a manifest's inner replications are the default, 1, and left unwritten.
pub(crate) fn is_one(n: &u32) -> bool {
    *n == 1
}

/// The `--set` arguments of a part, for messages: `--set a=1 --set b=2`, or "no --set".
fn set_words(set: &[String]) -> String {
    if set.is_empty() {
        "no --set".into()
    } else {
        set.iter().map(|s| format!("--set {s}")).collect::<Vec<_>>().join(" ")
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(12).collect::<String>() + "…"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_replication_once_in_order() {
        for total in [1u32, 2, 5, 7, 30, 1000] {
            for count in 1..=12 {
                let mut next = 0;
                for i in 1..=count {
                    let r = Shard::new(i, count).unwrap().range(total);
                    assert_eq!(r.start, next);
                    let (lo, hi) = (total / count, total.div_ceil(count));
                    assert!(r.len() as u32 >= lo && r.len() as u32 <= hi, "{total} {count} {i}");
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
        assert_eq!(Shard::new(2, 3).unwrap().range(30), 10..20);
        assert_eq!(Shard::new(1, 8).unwrap().range(5), 0..0);
        assert_eq!(Shard::new(u32::MAX, u32::MAX).unwrap().range(u32::MAX), u32::MAX - 1..u32::MAX);
    }

    #[test]
    fn shard_values_parse_or_say_what_was_wanted() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(" 1/1 ".parse::<Shard>(), Ok(Shard { index: 1, count: 1 }));
        assert_eq!("0/3".parse::<Shard>(), Err(ShardError::OutOfRange { index: 0, count: 3 }));
        assert_eq!("4/3".parse::<Shard>(), Err(ShardError::OutOfRange { index: 4, count: 3 }));
        assert_eq!("3/0".parse::<Shard>(), Err(ShardError::NoShards));
        for bad in ["x", "", "2", "2/", "/3", "-1/3", "+1/3", "1.5/3", "1/3/4", "a/b", "99999999999/3"] {
            assert_eq!(bad.parse::<Shard>(), Err(ShardError::Syntax), "{bad:?}");
        }
    }

    #[test]
    fn postcard_keeps_every_f64_bit_for_bit() {
        let values = vec![
            0.0,
            -0.0,
            1.0 / 3.0,
            -1e-310,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::from_bits(0x7ff8_dead_beef_0001),
        ];
        let bytes = postcard::to_stdvec(&values).unwrap();
        let back: Vec<f64> = postcard::from_bytes(&bytes).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&values));
    }

    #[test]
    fn a_part_manifest_round_trips_through_toml() {
        let m = PartManifest {
            program: "trappe".into(),
            version: "0.1.0".into(),
            part_format: PART_FORMAT,
            command: "trappe run x.toml --shard 2/3".into(),
            scenario_path: "x.toml".into(),
            scenario_sha256: sha256_hex("a = 1\n"),
            seed: u64::MAX,
            replications: 30,
            inner_replications: 5,
            shard: "2/3".into(),
            first_replication: 10,
            replications_in_part: 10,
            threads: 2,
            engine: "individual".into(),
            trajectories: 5,
            data_file: PART_DATA.into(),
            data_sha256: "00".into(),
            data_bytes: 123,
            cohort_sha256: Some(sha256_hex("segment,state\n")),
            set: vec!["staffing.hires[0].fte=3".into()],
            scenario_source: "a = 1\n\"quoted\" = '''x'''\n".into(),
        };
        let text = toml::to_string(&m).unwrap();
        let back: PartManifest = toml::from_str(&text).unwrap();
        assert_eq!(back.seed, u64::MAX);
        assert_eq!(back.scenario_source, m.scenario_source);
        assert_eq!(back.shard, "2/3");
    }
}
