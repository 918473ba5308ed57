//! `run.toml`: what made a result, so any figure can be traced and re-run.

use crate::input::checksum::sha256_hex;
use crate::input::scenario::{LoadedScenario, ScenarioFile};
use crate::model::Model;
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::output_error::OutputError;
use serde::Serialize;
use std::fs;
use std::io::Write;
use std::path::Path;

/// What made a result: written as `run.toml` so any figure can be traced and re-run.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// Always "trappe".
    pub program: String,
    /// Program version.
    pub version: String,
    /// The command line.
    pub command: String,
    /// Scenario file as given; a path that is not valid UTF-8 is written with U+FFFD
    /// for each invalid byte (the manifest is UTF-8 text).
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// The scenario's `[cohort]` file as read (joined to the scenario's folder), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort_path: Option<String>,
    /// SHA-256 of the cohort file's bytes, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort_sha256: Option<String>,
    /// Seed used.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Replications per outer draw of the parameters (absent when 1: one cohort per draw).
    #[serde(default = "crate::report::part::one", skip_serializing_if = "crate::report::part::is_one")]
    pub inner_replications: u32,
    /// Why the run has fewer cohorts per draw of the parameters than the default: its
    /// replications do not take the default (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inner_replications_note: Option<String>,
    /// Worker threads (absent in a merged result: each part lists its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Engine used.
    pub engine: String,
    /// Individual paths written.
    pub trajectories: usize,
    /// Files in the folder.
    pub files: Vec<String>,
    /// The dialect of its CSV files (`--csv-dialect`; absent for the standard one).
    #[serde(skip_serializing_if = "CsvDialect::is_standard")]
    pub csv_dialect: CsvDialect,
    /// The scenario's plausibility warnings, one line each (absent when there are
    /// none): a figure made from a scenario that looked mistyped says so where it is kept.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// For a result made by `trappe merge`: the parts it was combined from, in shard order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<Vec<MergedPart>>,
    /// The `--set PATH=VALUE` arguments that gave keys of the scenario file other
    /// values than the file's, in order (absent when there are none): the file's text
    /// below is as read, and the resolved scenario has these values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    /// The scenario file's text, exactly as read.
    pub scenario_source: String,
    /// The scenario with every default filled in.
    pub scenario_resolved: ScenarioFile,
}

/// One part of a merged result, as recorded in its `run.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct MergedPart {
    /// The shard, `I/N`.
    pub shard: String,
    /// The part's folder as given to `trappe merge` (not valid UTF-8: with U+FFFD for
    /// each invalid byte).
    pub folder: String,
    /// Its first replication (numbered from 0).
    pub first_replication: u32,
    /// How many replications it holds.
    pub replications: u32,
    /// Worker threads it ran with.
    pub threads: usize,
    /// The command that made it.
    pub command: String,
}

/// The scenario as run: every default and derived value written out (transition
/// ids, reimbursement bands, hire end months, inflow states, labels, target names),
/// and `[simulation]` as overridden on the command line.
pub fn resolved_file(sc: &LoadedScenario, model: &Model, seed: u64, replications: u32) -> ScenarioFile {
    use crate::budget::Reimbursement;
    use crate::input::scenario::{CitizenGroupDef, ReimbursementBand};
    let mut f = sc.file.clone();
    f.simulation.seed = seed;
    f.simulation.replications = replications;
    f.simulation.inner_replications = Some(model.inner_replications);
    let pre2016 = std::iter::once(&model.budget.reimbursement)
        .chain(model.budget.reimbursement_changes.iter().map(|c| &c.regime))
        .any(|r| matches!(r, Reimbursement::Pre2016 { .. }));
    for (def, st) in f.states.iter_mut().zip(&model.states) {
        def.label = st.label.clone();
        if pre2016 {
            def.reimbursed_as_active = Some(st.reimbursed_as_active);
        }
    }
    for (def, t) in f.transitions.iter_mut().zip(&model.transitions) {
        def.id = Some(t.id.clone());
    }
    for (def, g) in f.segments.iter_mut().zip(&model.segments) {
        def.inflow_state = Some(model.states[g.inflow_state].id.clone());
        // The cohort file's citizens, written into their segments: the resolved
        // scenario runs without the file and gives the same results.
        if def.start_state.is_none() && def.start_states.is_none() {
            def.citizens = g
                .citizens
                .iter()
                .map(|c| CitizenGroupDef {
                    state: model.states[c.state].id.clone(),
                    months_on_benefit: c.months_on_benefit,
                    months_since_referral: c.months_since_referral,
                    waiting_for: c.waiting_for.map(|t| model.transitions[t].id.clone()),
                    count: c.count,
                })
                .collect();
        }
    }
    f.cohort = None;
    if let (Some(def), Some(st)) = (f.staffing.as_mut(), model.staffing.as_ref()) {
        for (h, hire) in def.hires.iter_mut().zip(&st.hires) {
            h.end = Some(hire.end);
        }
    }
    if let Reimbursement::Staircase2016 { bands, reset_after_months } = &model.budget.reimbursement {
        f.budget.reimbursement.reset_after_months = Some(*reset_after_months);
        f.budget.reimbursement.bands = Some(
            bands
                .iter()
                .map(|(from_month, rate)| ReimbursementBand { from_month: *from_month, rate: *rate })
                .collect(),
        );
    }
    for (def, t) in f.targets.iter_mut().zip(&model.targets) {
        def.name = t.name.clone();
    }
    f
}

/// The command line that is running, for manifests: its words joined by spaces. A
/// word that is not valid UTF-8 (a file name in Latin-1, say) is written with each
/// invalid byte as U+FFFD, since the manifest is UTF-8 text.
pub fn command_line() -> String {
    std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ")
}

/// A warning on one line: where, which key, what, and its hints, without the
/// quoted line of the file (the manifest holds the whole file beside it).
fn one_line(d: &crate::error::Diagnostic) -> String {
    let mut text = d.file.clone();
    if let Some(line) = d.line {
        text.push_str(&format!(":{line}"));
    }
    if !d.key.is_empty() {
        text.push_str(&format!(": key `{}`", d.key));
    }
    text.push_str(&format!(": {}", d.message));
    if let Some(s) = &d.suggestion {
        text.push_str(&format!("; did you mean `{s}`?"));
    }
    if let Some(h) = &d.hint {
        text.push_str(&format!("; {h}"));
    }
    text
}

impl Manifest {
    /// A manifest for a run of `sc`.
    pub fn new(
        sc: &LoadedScenario,
        model: &Model,
        seed: u64,
        replications: u32,
        threads: Option<usize>,
        trajectories: usize,
        files: Vec<String>,
    ) -> Manifest {
        Manifest {
            program: "trappe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: command_line(),
            scenario_path: sc.path.clone(),
            scenario_sha256: sha256_hex(&sc.source),
            cohort_path: sc.cohort.as_ref().map(|c| c.path.clone()),
            cohort_sha256: sc.cohort.as_ref().map(|c| c.sha256.clone()),
            seed,
            replications,
            inner_replications: model.inner_replications,
            inner_replications_note: crate::input::scenario::inner_note(
                replications,
                model.inner_replications,
            ),
            threads,
            engine: "individual".into(),
            trajectories,
            files,
            csv_dialect: CsvDialect::Standard,
            warnings: model.warnings.iter().map(one_line).collect(),
            merged_from: None,
            set: sc.settings.iter().map(|s| s.arg.clone()).collect(),
            scenario_source: sc.source.clone(),
            scenario_resolved: resolved_file(sc, model, seed, replications),
        }
    }

    /// Writes the manifest as TOML.
    pub fn write(&self, path: &Path) -> Result<(), OutputError> {
        let text = toml::to_string(self)?;
        let mut f = fs::File::create(path)
            .map_err(|source| OutputError::File { path: path.to_path_buf(), source })?;
        f.write_all(text.as_bytes()).map_err(|source| OutputError::File { path: path.to_path_buf(), source })
    }
}
