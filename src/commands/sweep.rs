//! `trappe sweep`: one scenario at a list of values of one key (or a grid of two), each
//! level simulated as `trappe run` simulates it and on the same seed and replications,
//! so that the levels share cohorts, parameter draws and random numbers and the curve
//! across them is smooth. Every level is loaded and checked before anything is
//! simulated; the figures are worked out in [`crate::analysis::sweep`] and written by
//! [`crate::report::sweep`].

use crate::analysis::outcomes::{OutcomePlan, into_rep_outcomes};
use crate::analysis::sweep::{RepFigures, level_figures};
use crate::error::{Diagnostic, ScenarioError, Severity};
use crate::input::scenario::LoadedScenario;
use crate::input::setting::{Setting, parse_all};
use crate::input::vary::{MAX_LEVELS, Vary};
use crate::model::{ARMS, Model};
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::staging::Staging;
use crate::report::progress::progress_bar;
use crate::report::sweep::{SweepCell, SweepReport, SweepSpec, write_sweep};
use crate::schema::OutcomeLayout;
use crate::simulation::driver::{Engine, SimOptions, simulate_with};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// The probability of meeting a target that `--target-probability` asks for by default.
pub const DEFAULT_TARGET_PROBABILITY: f64 = 0.8;

/// Everything `trappe sweep` needs.
#[derive(Debug, Clone)]
pub struct SweepConfig {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The `--vary PATH=FROM..TO:STEP` arguments: one, or two for a grid.
    pub vary: Vec<String>,
    /// Replications per level (overrides the file).
    pub replications: Option<u32>,
    /// Replications per outer draw of the parameters (overrides the file).
    pub inner: Option<u32>,
    /// Seed (overrides the file), the same for every level.
    pub seed: Option<u64>,
    /// Output folder.
    pub out: PathBuf,
    /// Replace an existing output folder.
    pub force: bool,
    /// Worker threads (None = all cores).
    pub threads: Option<usize>,
    /// Show a progress bar (only if stderr is a terminal).
    pub progress: bool,
    /// The engine.
    pub engine: Engine,
    /// Refuse a level with plausibility warnings instead of printing them.
    pub strict: bool,
    /// `--set PATH=VALUE` arguments, applied to every level.
    pub settings: Vec<String>,
    /// The probability of meeting a target that the smallest level meeting it must reach.
    pub target_probability: f64,
    /// The dialect of the CSV result files.
    pub csv_dialect: CsvDialect,
    /// The language of the terminal summary.
    pub lang: crate::report::lang::Lang,
}

/// The default output folder: `results/<scenario file name>.sweep`.
pub fn default_sweep_out(scenario: &Path) -> PathBuf {
    let mut name = scenario.file_stem().unwrap_or(std::ffi::OsStr::new("run")).to_os_string();
    name.push(".sweep");
    PathBuf::from("results").join(name)
}

/// One level of the sweep, loaded and checked: its index along each `--vary` and its model.
struct Level {
    at: Vec<usize>,
    scenario: LoadedScenario,
    model: Model,
}

/// Loads and checks every level, simulates each in turn and writes the sweep.
pub fn sweep(cfg: &SweepConfig) -> anyhow::Result<SweepReport> {
    let axes = parse_varies(&cfg.vary)?;
    anyhow::ensure!(
        (0.0..=1.0).contains(&cfg.target_probability),
        "--target-probability must be a probability from 0 to 1 (0.8 for 80 %), got {}",
        cfg.target_probability
    );
    let settings = parse_all(&cfg.settings).map_err(ScenarioError::Invalid)?;
    let base = LoadedScenario::from_path_with(&cfg.scenario, &settings)?;
    let edited =
        crate::input::setting::apply(&base.source, &base.settings).map_err(ScenarioError::Invalid)?;
    for axis in &axes {
        axis.check_number(&edited).map_err(|d| ScenarioError::Invalid(vec![*d]))?;
    }
    let mut levels = load_levels(&base, &cfg.settings, &axes, cfg.strict)?;
    // The scenario as the manifest records it: with the --set values and the file's own
    // value of each varied key, or at the first level if that value is not valid (a
    // sweep may be how a user looks for a valid one).
    let (base, base_model) = match Model::from_scenario(&base) {
        Ok(model) => (base, model),
        Err(_) => (levels[0].scenario.clone(), levels[0].model.clone()),
    };

    let replications = cfg.replications.unwrap_or(base_model.replications);
    let inner = cfg.inner.unwrap_or(base_model.inner_replications);
    anyhow::ensure!(replications >= 1 && inner >= 1, "--replications and --inner must be at least 1");
    anyhow::ensure!(
        replications.is_multiple_of(inner),
        "{replications} replications cannot be split into outer draws of {inner} inner replications: \
         --replications must be a multiple of --inner (e.g. {})",
        replications.div_ceil(inner) * inner
    );
    let seed = cfg.seed.unwrap_or(base_model.seed);
    let threads = cfg.threads.unwrap_or_else(rayon::current_num_threads);
    anyhow::ensure!(threads >= 1, "--threads must be at least 1");
    for level in &mut levels {
        level.model.inner_replications = inner;
    }

    // Fail on an unusable output folder before spending time on simulation.
    let staging = Staging::begin(&cfg.out, cfg.force, &[&cfg.scenario])?.with_csv_dialect(cfg.csv_dialect);
    let total = u64::from(replications) * levels.len() as u64;
    let bar = progress_bar(Some(total), &format!("replications of {} levels", levels.len()), cfg.progress);
    let opts = SimOptions {
        replications,
        inner_replications: inner,
        seed,
        threads: Some(threads),
        trajectories: 0,
        first_replication: 0,
        engine: cfg.engine,
    };
    let mut cells = Vec::with_capacity(levels.len());
    let mut previous: Option<Vec<RepFigures>> = None;
    for level in &levels {
        let reps = simulate_level(&level.model, &opts, &|| bar.inc(1))?;
        // The marginal effect is along the first --vary: against the level before on it.
        let before = if level.at[0] > 0 { previous.as_deref() } else { None };
        cells.push(SweepCell {
            at: level.at.clone(),
            figures: level_figures(&level.model, &reps, before),
            cuts: level.model.staffing.as_ref().is_some_and(|s| s.hires.iter().any(|h| h.fte < 0.0)),
        });
        previous = Some(reps);
    }
    bar.finish_and_clear();
    let spec = SweepSpec {
        axes: &axes,
        seed,
        replications,
        inner_replications: inner,
        threads,
        engine: cfg.engine,
        target_probability: cfg.target_probability,
    };
    write_sweep(staging, &base, &base_model, &spec, &cells, cfg.lang)
}

/// Simulates one level's replications and keeps of each only what the sweep reports.
pub(crate) fn simulate_level(
    model: &Model,
    opts: &SimOptions,
    tick: &(dyn Fn() + Sync),
) -> anyhow::Result<Vec<RepFigures>> {
    let plan = OutcomePlan::new(model);
    let layout = OutcomeLayout::new(model);
    let reduce = |r| RepFigures::of(model, &layout, &into_rep_outcomes(model, &plan, r));
    simulate_with(model, &ARMS, opts, tick, &reduce).context("cannot start worker threads")
}

/// Reads the `--vary` arguments: one or two, on different keys, with at most
/// [`MAX_LEVELS`] levels together; every argument that is not one is reported.
fn parse_varies(args: &[String]) -> Result<Vec<Vary>, ScenarioError> {
    let (ok, bad): (Vec<_>, Vec<_>) = args.iter().map(|a| Vary::parse(a)).partition(Result::is_ok);
    if !bad.is_empty() {
        return Err(ScenarioError::Invalid(bad.into_iter().filter_map(Result::err).map(|d| *d).collect()));
    }
    let axes: Vec<Vary> = ok.into_iter().filter_map(Result::ok).collect();
    let refuse = |axis: &Vary, message: String| {
        ScenarioError::Invalid(vec![Diagnostic {
            file: format!("--vary {}", axis.arg),
            key: axis.path.clone(),
            message,
            ..Default::default()
        }])
    };
    match axes.as_slice() {
        [] => Err(ScenarioError::Invalid(vec![Diagnostic {
            file: "--vary".into(),
            message: "a sweep needs --vary PATH=FROM..TO:STEP, e.g. --vary staffing.hires[0].fte=0..6:1"
                .into(),
            ..Default::default()
        }])),
        [_] => Ok(axes),
        [a, b] if a.key == b.key => {
            Err(refuse(b, format!("`{}` is varied twice: a grid varies two different keys", b.path)))
        }
        [a, b] if a.levels.len() * b.levels.len() > MAX_LEVELS => Err(refuse(
            b,
            format!(
                "the grid of {} × {} levels has {} cells, and a sweep runs at most {MAX_LEVELS}: take larger \
                 steps or narrower ranges",
                a.levels.len(),
                b.levels.len(),
                a.levels.len() * b.levels.len()
            ),
        )),
        [_, _] => Ok(axes),
        [_, _, third, ..] => Err(refuse(
            third,
            format!("a sweep varies one key, or two for a grid; {} --vary were given", axes.len()),
        )),
    }
}

/// Loads and checks every level (the second `--vary` outermost, the first innermost),
/// so that a level the scenario cannot take is refused before anything is simulated.
/// Each level's problems name the `--vary` argument instead of the `--set` it becomes;
/// where only some levels are refused, the message names the level. Warnings are
/// printed once each, or with `strict` refused.
fn load_levels(
    base: &LoadedScenario,
    settings: &[String],
    axes: &[Vary],
    strict: bool,
) -> Result<Vec<Level>, ScenarioError> {
    let inner = axes[0].levels.len();
    let outer = axes.get(1).map_or(1, |a| a.levels.len());
    let mut loaded = Vec::with_capacity(inner * outer);
    for cell in 0..inner * outer {
        let at: Vec<usize> = if axes.len() == 2 { vec![cell % inner, cell / inner] } else { vec![cell] };
        let level_settings: Vec<String> = axes.iter().zip(&at).map(|(a, &i)| a.setting(i)).collect();
        let all: Vec<String> = settings.iter().chain(&level_settings).cloned().collect();
        let result = parse_all(&all)
            .map_err(ScenarioError::Invalid)
            .and_then(|parsed: Vec<Setting>| LoadedScenario::from_str_with(&base.path, &base.source, &parsed))
            .and_then(|sc| Model::from_scenario(&sc).map(|model| (sc, model)));
        loaded.push((at, result));
    }
    let some_valid = loaded.iter().any(|(_, r)| r.is_ok());
    let name = |at: &[usize], d: Diagnostic| named_by_vary(d, axes, at, some_valid);
    let mut levels = Vec::with_capacity(loaded.len());
    let mut warnings: Vec<Diagnostic> = Vec::new();
    for (at, result) in loaded {
        match result {
            Ok((scenario, model)) => {
                for w in &model.warnings {
                    let w = name(&at, w.clone());
                    if !warnings.contains(&w) {
                        warnings.push(w);
                    }
                }
                levels.push(Level { at, scenario, model });
            }
            Err(ScenarioError::Invalid(ds)) => {
                return Err(ScenarioError::Invalid(ds.into_iter().map(|d| name(&at, d)).collect()));
            }
            Err(e) => return Err(e),
        }
    }
    if strict && !warnings.is_empty() {
        return Err(ScenarioError::Strict(warnings.iter().map(Diagnostic::as_error).collect()));
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    Ok(levels)
}

/// A level's problem as the user wrote it: one about the `--set` a `--vary` becomes at
/// this level is about the `--vary` argument; where only some levels are refused
/// (`some_valid`), it names the level.
fn named_by_vary(mut d: Diagnostic, axes: &[Vary], at: &[usize], some_valid: bool) -> Diagnostic {
    let level = axes.iter().zip(at).map(|(a, &i)| a.setting(i)).collect::<Vec<_>>().join(", ");
    for (axis, &i) in axes.iter().zip(at) {
        if d.file == format!("--set {}", axis.setting(i)) {
            d.file = format!("--vary {}", axis.arg);
            if some_valid {
                d.file.push_str(&format!(", at the level {}", axis.levels[i]));
            }
            d.message = d.message.replace("--set ", "--vary ");
            return d;
        }
    }
    if some_valid && d.hint.is_none() && d.severity == Severity::Error {
        d.hint = Some(format!("at the level {level} of the sweep"));
    }
    d
}
