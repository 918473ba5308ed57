//! `trappe sensitivity`: which assumption decides the answer, and which is worth a study.
//!
//! For a scenario (or a set of options, as `trappe compare` takes them) it gives:
//! - the one-way sensitivity of the expected net municipal effect and of the extra
//!   self-supporting citizens to every uncertain parameter (or named group of them), each
//!   from its 5th to its 95th percentile with the others held at their means, ranked as a
//!   tornado ([`crate::analysis::sensitivity`]);
//! - the value of information and the acceptability curves, from one probabilistic run as
//!   `trappe run` (or `trappe compare`) makes it;
//! - with `--threshold`, the value of one key at which each option breaks even and at which
//!   each target is met with the asked probability;
//! - with `--grid`, a two-way table of the expected net effect and of the best option.
//!
//! Every level holds the parameters fixed and is simulated on the same seed, so levels are
//! paired replication by replication; the figures are written by
//! [`crate::report::sensitivity`].

use crate::analysis::sensitivity::{
    Crossing, Lever, LeverMember, Swing, first_crossing, levers as levers_of, refine_crossing, scan_points,
};
use crate::analysis::sensitivity_run::{
    CurveValues, DEFAULT_LEVEL_REPLICATIONS, Grid, Key, OneWay, PRECISION, SensitivityRun, TORNADO_MEASURES,
    Threshold, ThresholdResult,
};
use crate::analysis::stats::Summary;
use crate::analysis::sweep::{Measure, RepFigures};
use crate::commands::compare::{
    CompareConfig, OptionSpec, load_options, option_specs, simulate_loaded, single_levers,
};
use crate::error::{Diagnostic, ScenarioError};
use crate::input::param::Distribution;
use crate::input::scenario::LoadedScenario;
use crate::input::vary::Vary;
use crate::model::Model;
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::staging::Staging;
use crate::report::progress::progress_bar;
use crate::simulation::driver::{Engine, SimOptions};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Points at which `--threshold` evaluates its key before narrowing down each crossing.
pub const THRESHOLD_SCAN_POINTS: usize = 11;

/// The quantiles a `--grid` axis on an uncertain parameter takes when no levels are given.
pub const GRID_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Everything `trappe sensitivity` needs.
#[derive(Debug, Clone)]
pub struct SensitivityConfig {
    /// The options' scenario files: one scenario, or several sharing one baseline.
    pub options: Vec<PathBuf>,
    /// `--variant NAME:PATH=VALUE` arguments, as `trappe compare` takes them.
    pub variants: Vec<String>,
    /// `--group NAME=KEY,KEY…` arguments: parameters moved (and valued) together.
    pub groups: Vec<String>,
    /// `--threshold PATH[=FROM..TO]`.
    pub threshold: Option<String>,
    /// `--grid PATH[=FROM..TO:STEP]` twice, or empty.
    pub grid: Vec<String>,
    /// Replications of the probabilistic run (overrides the first file's).
    pub replications: Option<u32>,
    /// Replications per outer draw of the probabilistic run.
    pub inner: Option<u32>,
    /// Replications per level with the parameters fixed; None to add them until the
    /// swings are known to [`PRECISION`], up to the probabilistic run's replications.
    pub level_replications: Option<u32>,
    /// Seed (overrides the first file's), the same for every level.
    pub seed: Option<u64>,
    /// Output folder.
    pub out: PathBuf,
    /// Replace an existing output folder.
    pub force: bool,
    /// Worker threads (None = all cores).
    pub threads: Option<usize>,
    /// Show a progress bar (only if stderr is a terminal).
    pub progress: bool,
    /// Refuse scenarios with plausibility warnings instead of printing them.
    pub strict: bool,
    /// `--set PATH=VALUE` arguments, applied to every option and level.
    pub settings: Vec<String>,
    /// The engine of a single scenario (several options always use the individual engine).
    pub engine: Engine,
    /// The probability of meeting a target that `--threshold` looks for.
    pub target_probability: f64,
    /// The dialect of the CSV files written.
    pub csv_dialect: CsvDialect,
    /// The language of the terminal summary.
    pub lang: crate::report::lang::Lang,
}

/// The default output folder: `results/<scenario file name>.sensitivity` for one file, or
/// `results/sensitivity-<file and variant names>` for a set of options.
pub fn default_sensitivity_out(options: &[PathBuf], variants: &[String]) -> PathBuf {
    if options.len() == 1 && variants.is_empty() {
        let mut name = options[0].file_stem().unwrap_or(std::ffi::OsStr::new("run")).to_os_string();
        name.push(".sensitivity");
        return PathBuf::from("results").join(name);
    }
    let compare = crate::commands::compare::default_compare_out(options, variants);
    let name = compare.file_name().map(|n| n.to_string_lossy().replacen("compare-", "sensitivity-", 1));
    PathBuf::from("results").join(name.unwrap_or_else(|| "sensitivity".into()))
}

/// One option's figures at one level: per replication, what a sweep keeps.
pub type LevelFigures = Vec<RepFigures>;

/// What `trappe sensitivity` reports.
#[derive(Debug, Clone)]
pub struct SensitivityReport {
    /// The terminal text.
    pub summary: String,
    /// Where the files are.
    pub out: PathBuf,
    /// Files written.
    pub files: Vec<String>,
}

/// Runs `trappe sensitivity`: loads and checks everything, simulates, writes the files
/// (all or none) and returns the terminal text.
pub fn sensitivity(cfg: &SensitivityConfig) -> anyhow::Result<SensitivityReport> {
    let inputs: Vec<&Path> = cfg.options.iter().map(PathBuf::as_path).collect();
    let prepared = prepare(cfg)?;
    let staging = Staging::begin(&cfg.out, cfg.force, &inputs)?.with_csv_dialect(cfg.csv_dialect);
    let analysis = analyse(cfg, prepared)?;
    let files = crate::report::sensitivity::write_sensitivity(&staging, &analysis)?;
    let out = staging.commit()?;
    Ok(SensitivityReport { summary: crate::report::sensitivity::terminal(&analysis, cfg.lang), out, files })
}

/// Everything known before simulating: the options, the levers and the keys.
struct Prepared {
    compare: CompareConfig,
    specs: Vec<OptionSpec>,
    loaded: Vec<(LoadedScenario, Model)>,
    levers: Vec<Lever>,
    threshold: Option<(Key, (f64, f64))>,
    grid: Option<[(Key, Vec<f64>); 2]>,
}

/// Loads and checks the options, the groups, the threshold's and the grid's keys, so that
/// a mistake is refused before anything is simulated.
fn prepare(cfg: &SensitivityConfig) -> anyhow::Result<Prepared> {
    anyhow::ensure!(!cfg.options.is_empty(), "give the scenario file to analyse");
    anyhow::ensure!(
        (0.0..=1.0).contains(&cfg.target_probability),
        "--target-probability must be a probability from 0 to 1 (0.8 for 80 %), got {}",
        cfg.target_probability
    );
    anyhow::ensure!(cfg.level_replications.is_none_or(|n| n >= 2), "--level-replications must be at least 2");
    let compare = CompareConfig {
        options: cfg.options.clone(),
        variants: cfg.variants.clone(),
        replications: cfg.replications,
        inner: cfg.inner,
        seed: cfg.seed,
        out: cfg.out.clone(),
        force: cfg.force,
        threads: cfg.threads,
        progress: cfg.progress,
        strict: cfg.strict,
        settings: cfg.settings.clone(),
        csv_dialect: cfg.csv_dialect,
        lang: cfg.lang,
    };
    let specs = option_specs(&compare)?;
    let loaded = load_options(&specs, cfg.strict)?;
    let parameters = sampled_parameters(&loaded);
    let levers = levers_of(&parameters, &cfg.groups).map_err(ScenarioError::Invalid)?;
    let threshold = match &cfg.threshold {
        None => None,
        Some(arg) => Some(threshold_key(arg, &parameters, &specs, cfg.strict)?),
    };
    let grid = match cfg.grid.as_slice() {
        [] => None,
        [a, b] => {
            let (ka, la) = grid_key(a, &parameters, &specs, cfg.strict)?;
            let (kb, lb) = grid_key(b, &parameters, &specs, cfg.strict)?;
            anyhow::ensure!(ka.name() != kb.name(), "--grid {b}: a grid varies two different keys");
            Some([(ka, la), (kb, lb)])
        }
        other => anyhow::bail!(
            "--grid takes two keys, e.g. --grid staffing.elasticity budget.staff_cost_per_fte_year; got {}",
            other.len()
        ),
    };
    Ok(Prepared { compare, specs, loaded, levers, threshold, grid })
}

/// The options' sampled parameters, each key once, in the first option's order.
fn sampled_parameters(loaded: &[(LoadedScenario, Model)]) -> Vec<(String, Distribution)> {
    let mut all: Vec<(String, Distribution)> = Vec::new();
    for (_, model) in loaded {
        for p in model.parameters.sampled() {
            if !all.iter().any(|(k, _)| *k == p.key) {
                all.push((p.key.clone(), p.distribution.clone()));
            }
        }
    }
    all
}

/// Simulates the probabilistic run, the one-way levels, the threshold and the grid.
fn analyse(cfg: &SensitivityConfig, p: Prepared) -> anyhow::Result<SensitivityRun> {
    let level_engine = if p.loaded.len() > 1 { Engine::Individual } else { cfg.engine };
    let seed = cfg.seed.unwrap_or(p.loaded[0].1.seed);
    let threads = cfg.threads.unwrap_or_else(rayon::current_num_threads);
    anyhow::ensure!(threads >= 1, "--threads must be at least 1");
    let mut evaluator = Evaluator {
        specs: &p.specs,
        loaded: &p.loaded,
        strict: cfg.strict,
        opts: SimOptions {
            replications: DEFAULT_LEVEL_REPLICATIONS,
            inner_replications: 1,
            seed,
            threads: Some(threads),
            trajectories: 0,
            first_replication: 0,
            engine: level_engine,
        },
        progress: cfg.progress,
    };
    let cap = cfg.replications.unwrap_or(p.loaded[0].1.replications).max(DEFAULT_LEVEL_REPLICATIONS);
    let (one_way, level_replications) = one_way(&mut evaluator, &p.levers, cfg.level_replications, cap)?;
    let threshold = match &p.threshold {
        None => None,
        Some((key, range)) => Some(threshold(&evaluator, key, *range, cfg.target_probability)?),
    };
    let grid = match &p.grid {
        None => None,
        Some(axes) => Some(grid(&evaluator, axes)?),
    };
    let mut value_levers = single_levers(&p.loaded);
    value_levers.extend(p.levers.iter().filter(|l| l.group).cloned());
    let run = simulate_loaded(&p.compare, &p.specs, p.loaded.clone(), cfg.engine, &value_levers)?;
    Ok(SensitivityRun {
        run,
        levers: p.levers,
        one_way,
        level_replications,
        level_replications_fixed: cfg.level_replications.is_some(),
        level_engine,
        threshold,
        grid,
        target_probability: cfg.target_probability,
    })
}

/// Simulates the options at fixed parameter values.
struct Evaluator<'a> {
    specs: &'a [OptionSpec],
    loaded: &'a [(LoadedScenario, Model)],
    strict: bool,
    opts: SimOptions,
    progress: bool,
}

/// A value given to a key at one level.
#[derive(Debug, Clone)]
enum Fix {
    /// An uncertain parameter held at a value.
    Parameter(String, f64),
    /// A number of the scenario file.
    Setting(String, f64),
}

impl Evaluator<'_> {
    /// Each option's replications with every sampled parameter at its mean except those
    /// `fixes` hold elsewhere, and with `fixes`' file values.
    fn figures(&self, fixes: &[Fix]) -> anyhow::Result<Vec<LevelFigures>> {
        let settings: Vec<String> = fixes
            .iter()
            .filter_map(|f| match f {
                Fix::Setting(path, v) => Some(format!("{path}={v}")),
                Fix::Parameter(..) => None,
            })
            .collect();
        let reloaded;
        let models: Vec<&Model> = if settings.is_empty() {
            self.loaded.iter().map(|(_, m)| m).collect()
        } else {
            let specs: Vec<OptionSpec> = self.specs.iter().map(|s| s.with_settings(&settings)).collect();
            reloaded = load_options(&specs, self.strict)?;
            reloaded.iter().map(|(_, m)| m).collect()
        };
        let mut out = Vec::with_capacity(models.len());
        for model in models {
            let mut model = model.clone();
            let held: Vec<(String, f64)> =
                model.parameters.sampled().map(|p| (p.key.clone(), p.distribution.mean())).collect();
            for (key, mean) in held {
                let value = fixes
                    .iter()
                    .find_map(|f| match f {
                        Fix::Parameter(k, v) if *k == key => Some(*v),
                        _ => None,
                    })
                    .unwrap_or(mean);
                model.draw_overrides.insert(key, Distribution::Fixed(value));
            }
            model.inner_replications = 1;
            out.push(crate::commands::sweep::simulate_level(&model, &self.opts, &|| {})?);
        }
        Ok(out)
    }
}

/// Per replication, the value of `m`.
fn values(reps: &[RepFigures], m: Measure) -> Vec<f64> {
    let i = Measure::ALL.iter().position(|x| *x == m).unwrap_or_default();
    reps.iter().map(|r| r.measures[i]).collect()
}

/// The one-way sensitivity of every option to every lever, and the replications per
/// level it took: `fixed`, or else batches from [`DEFAULT_LEVEL_REPLICATIONS`], doubling,
/// until [`precise_enough`] or `cap` replications.
fn one_way(
    ev: &mut Evaluator,
    levers: &[Lever],
    fixed: Option<u32>,
    cap: u32,
) -> anyhow::Result<(Vec<OneWay>, u32)> {
    let at = |members: &[LeverMember], high: bool| -> Vec<Fix> {
        members.iter().map(|m| Fix::Parameter(m.key.clone(), if high { m.high } else { m.low })).collect()
    };
    // The levels: the means, then each lever low and high.
    let fixes: Vec<Vec<Fix>> = std::iter::once(Vec::new())
        .chain(levers.iter().flat_map(|l| [at(&l.members, false), at(&l.members, true)]))
        .collect();
    // Per level, per option, the replications so far.
    let mut per_level: Vec<Vec<LevelFigures>> = vec![Vec::new(); fixes.len()];
    let mut done = 0u32;
    let mut batch = fixed.unwrap_or(DEFAULT_LEVEL_REPLICATIONS.min(cap));
    loop {
        let bar = progress_bar(
            Some(fixes.len() as u64),
            &format!("levels of the one-way sensitivity, replications {}–{}", done + 1, done + batch),
            ev.progress,
        );
        ev.opts.first_replication = done;
        ev.opts.replications = batch;
        for (k, f) in fixes.iter().enumerate() {
            let figures = ev.figures(f)?;
            if per_level[k].is_empty() {
                per_level[k] = figures;
            } else {
                for (all, more) in per_level[k].iter_mut().zip(figures) {
                    all.extend(more);
                }
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        done += batch;
        let result = swings_of(&per_level, levers.len());
        if fixed.is_some() || done >= cap || precise_enough(&result) {
            ev.opts.first_replication = 0;
            ev.opts.replications = done;
            return Ok((result, done));
        }
        batch = done.min(cap - done);
    }
}

/// Whether every option's and measure's swings are known to within [`PRECISION`] of the
/// widest: the order of the levers that matter no longer rests on chance.
fn precise_enough(one_way: &[OneWay]) -> bool {
    one_way.iter().all(|one| {
        (0..TORNADO_MEASURES.len()).all(|mi| {
            let widest = one.swings.iter().map(|w| w[mi].swing).filter(|v| v.is_finite()).fold(0.0, f64::max);
            one.swings.iter().all(|w| !(w[mi].monte_carlo_se > PRECISION * widest))
        })
    })
}

/// The one-way figures of levels simulated so far.
fn swings_of(per_level: &[Vec<LevelFigures>], levers: usize) -> Vec<OneWay> {
    let base = &per_level[0];
    (0..base.len())
        .map(|o| OneWay {
            at_means: TORNADO_MEASURES.iter().map(|&m| Summary::of(&values(&base[o], m)).mean).collect(),
            swings: (0..levers)
                .map(|l| {
                    let (low, high) = (&per_level[1 + 2 * l][o], &per_level[2 + 2 * l][o]);
                    TORNADO_MEASURES.iter().map(|&m| Swing::of(&values(low, m), &values(high, m))).collect()
                })
                .collect(),
        })
        .collect()
}

/// Per option: the expected net effect and each target's probability of being met.
fn curve_values(figures: &[LevelFigures]) -> Vec<(f64, Vec<f64>)> {
    figures
        .iter()
        .map(|reps| {
            let net = Summary::of(&values(reps, Measure::NetMunicipalEffect)).mean;
            let targets = reps.first().map_or(0, |r| r.targets_met.len());
            let p = (0..targets)
                .map(|t| reps.iter().map(|r| r.targets_met[t]).sum::<f64>() / reps.len() as f64)
                .collect();
            (net, p)
        })
        .collect()
}

fn fix(key: &Key, v: f64) -> Fix {
    match key {
        Key::Parameter(k, _) => Fix::Parameter(k.clone(), v),
        Key::Setting(k) => Fix::Setting(k.clone(), v),
    }
}

/// Scans `key` over `range`, then narrows down each option's break-even and each
/// target's crossing of `target_probability`.
fn threshold(
    ev: &Evaluator,
    key: &Key,
    range: (f64, f64),
    target_probability: f64,
) -> anyhow::Result<Threshold> {
    let cache: RefCell<HashMap<u64, CurveValues>> = RefCell::new(HashMap::new());
    let bar = progress_bar(None, "levels of the threshold search", ev.progress);
    let at = |x: f64| -> anyhow::Result<Vec<(f64, Vec<f64>)>> {
        if let Some(v) = cache.borrow().get(&x.to_bits()) {
            return Ok(v.clone());
        }
        let v = curve_values(&ev.figures(&[fix(key, x)])?);
        bar.inc(1);
        cache.borrow_mut().insert(x.to_bits(), v.clone());
        Ok(v)
    };
    let mut scan = Vec::with_capacity(THRESHOLD_SCAN_POINTS);
    for x in scan_points(range.0, range.1, THRESHOLD_SCAN_POINTS) {
        scan.push((x, at(x)?));
    }
    let options = scan[0].1.len();
    let targets = scan[0].1.first().map_or(0, |(_, t)| t.len());
    let tolerance = (range.1 - range.0).abs() * 1e-4;
    let mut results = Vec::new();
    for option in 0..options {
        for target in std::iter::once(None).chain((0..targets).map(Some)) {
            let pick = |v: &[(f64, Vec<f64>)]| match target {
                None => v[option].0,
                Some(t) => v[option].1[t],
            };
            let goal = if target.is_some() { target_probability } else { 0.0 };
            let points: Vec<(f64, f64)> = scan.iter().map(|(x, v)| (*x, pick(v))).collect();
            let crossing = first_crossing(&points, goal);
            let value = match crossing {
                Crossing::Between(a, b) => {
                    Some(refine_crossing(&|x: f64| at(x).map(|v| pick(&v)), goal, a, b, tolerance)?)
                }
                _ => None,
            };
            results.push(ThresholdResult { option, target, crossing, value });
        }
    }
    bar.finish_and_clear();
    Ok(Threshold { key: key.clone(), range, scan, results })
}

/// The two-way table: every pair of levels.
fn grid(ev: &Evaluator, axes: &[(Key, Vec<f64>); 2]) -> anyhow::Result<Grid> {
    let (n0, n1) = (axes[0].1.len(), axes[1].1.len());
    let bar = progress_bar(Some((n0 * n1) as u64), "cells of the grid", ev.progress);
    let mut cells = Vec::with_capacity(n0 * n1);
    for j in 0..n1 {
        for i in 0..n0 {
            let figures = ev.figures(&[fix(&axes[0].0, axes[0].1[i]), fix(&axes[1].0, axes[1].1[j])])?;
            cells.push(
                figures
                    .iter()
                    .map(|reps| {
                        (
                            Summary::of(&values(reps, Measure::NetMunicipalEffect)).mean,
                            Summary::of(&values(reps, Measure::ExtraSelfSupporting)).mean,
                        )
                    })
                    .collect(),
            );
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    Ok(Grid {
        keys: [axes[0].0.clone(), axes[1].0.clone()],
        levels: [axes[0].1.clone(), axes[1].1.clone()],
        cells,
    })
}

/// Reads `--threshold PATH[=FROM..TO]`: an uncertain parameter searched from its 1st to
/// its 99th percentile unless a range is given, or a number of the file with its range.
fn threshold_key(
    arg: &str,
    parameters: &[(String, Distribution)],
    specs: &[OptionSpec],
    strict: bool,
) -> anyhow::Result<(Key, (f64, f64))> {
    let refuse = |key: &str, message: String| {
        ScenarioError::Invalid(vec![Diagnostic {
            file: format!("--threshold {arg}"),
            key: key.to_string(),
            message,
            ..Default::default()
        }])
    };
    let (path, range) = match arg.split_once('=') {
        Some((p, r)) => (p.trim(), Some(r.trim())),
        None => (arg.trim(), None),
    };
    let range = match range {
        None => None,
        Some(r) => {
            let parsed = r
                .split_once("..")
                .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)));
            match parsed {
                Some((a, b)) if a.is_finite() && b.is_finite() && a < b => Some((a, b)),
                _ => {
                    return Err(refuse(
                        path,
                        format!("`{r}` is not a range FROM..TO with FROM below TO, e.g. staffing.elasticity=0..0.5"),
                    )
                    .into());
                }
            }
        }
    };
    let key = resolve_key(path, parameters, specs, strict, &format!("--threshold {arg}"))?;
    let range = match (&key, range) {
        (_, Some(r)) => r,
        (Key::Parameter(_, d), None) => (d.quantile(0.01), d.quantile(0.99)),
        (Key::Setting(k), None) => {
            return Err(refuse(
                k,
                format!(
                    "`{k}` is not an uncertain parameter, so there is no distribution to search over: give the \
                     range, e.g. --threshold '{k}=0..10'"
                ),
            )
            .into());
        }
    };
    if let Key::Setting(_) = key {
        // Both ends must be values the scenario takes.
        for v in [range.0, range.1] {
            let specs: Vec<OptionSpec> =
                specs.iter().map(|s| s.with_settings(&[format!("{path}={v}")])).collect();
            load_options(&specs, strict).map_err(|e| named(e, &format!("--threshold {arg}"), path))?;
        }
    }
    Ok((key, range))
}

/// Reads one `--grid PATH[=FROM..TO:STEP]`: an uncertain parameter at its quantiles of
/// [`GRID_QUANTILES`] unless levels are given, or a number of the file with its levels.
fn grid_key(
    arg: &str,
    parameters: &[(String, Distribution)],
    specs: &[OptionSpec],
    strict: bool,
) -> anyhow::Result<(Key, Vec<f64>)> {
    let what = format!("--grid {arg}");
    let (path, levels) = match arg.split_once('=') {
        None => (arg.trim().to_string(), None),
        Some(_) => {
            let vary = Vary::parse(arg).map_err(|d| {
                ScenarioError::Invalid(vec![Diagnostic {
                    file: what.clone(),
                    message: d.message.replace("--vary", "--grid"),
                    ..*d
                }])
            })?;
            let levels: Vec<f64> = vary.levels.iter().filter_map(|l| l.parse().ok()).collect();
            (vary.path.clone(), Some(levels))
        }
    };
    let key = resolve_key(&path, parameters, specs, strict, &what)?;
    let levels = match (&key, levels) {
        (_, Some(l)) => l,
        (Key::Parameter(_, d), None) => GRID_QUANTILES.iter().map(|&u| d.quantile(u)).collect(),
        (Key::Setting(k), None) => {
            return Err(ScenarioError::Invalid(vec![Diagnostic {
                file: what.clone(),
                key: k.clone(),
                message: format!(
                    "`{k}` is not an uncertain parameter, so it has no quantiles to take: give its levels, e.g. \
                     --grid '{k}=0..6:1'"
                ),
                ..Default::default()
            }])
            .into());
        }
    };
    if let Key::Setting(_) = key {
        for v in &levels {
            let specs: Vec<OptionSpec> =
                specs.iter().map(|s| s.with_settings(&[format!("{path}={v}")])).collect();
            load_options(&specs, strict).map_err(|e| named(e, &what, &path))?;
        }
    }
    Ok((key, levels))
}

/// An uncertain parameter by its key, or else a number of the scenario file by its path
/// (checked by loading the options with it set to 0).
fn resolve_key(
    path: &str,
    parameters: &[(String, Distribution)],
    specs: &[OptionSpec],
    strict: bool,
    what: &str,
) -> anyhow::Result<Key> {
    if let Some((k, d)) = parameters.iter().find(|(k, _)| k == path) {
        return Ok(Key::Parameter(k.clone(), d.clone()));
    }
    crate::input::setting::Setting::parse(&format!("{path}=0"))
        .map_err(|d| ScenarioError::Invalid(vec![Diagnostic { file: what.to_string(), ..*d }]))?;
    let specs: Vec<OptionSpec> = specs.iter().map(|s| s.with_settings(&[format!("{path}=0")])).collect();
    match load_options(&specs, strict) {
        Ok(_) => Ok(Key::Setting(path.to_string())),
        Err(ScenarioError::Invalid(ds)) if ds.iter().any(|d| names_no_number(d, path)) => {
            let keys: Vec<&str> = parameters.iter().map(|(k, _)| k.as_str()).collect();
            let mut d = named(ScenarioError::Invalid(ds), what, path);
            if let ScenarioError::Invalid(ds) = &mut d
                && let Some(first) = ds.first_mut()
                && let Some(near) = crate::error::nearest(path, keys.iter().copied())
            {
                // The uncertain parameter is nearer what was meant than a path of the file.
                first.suggestion = None;
                first.hint = Some(format!("did you mean the uncertain parameter `{near}`?"));
            }
            Err(d.into())
        }
        // Any other refusal of 0 (a number out of its range, or a rule between keys) says
        // the key exists and is a number.
        Err(_) => Ok(Key::Setting(path.to_string())),
    }
}

/// Whether a refusal of `--set PATH=0` says that the path names no number of the file
/// (an unknown key, an entry the file has not, a table, text) rather than that 0 is out
/// of the number's range.
fn names_no_number(d: &Diagnostic, path: &str) -> bool {
    d.file.starts_with("--set ") && d.file.contains(path) && !d.message.contains("got 0")
}

/// A refusal of a `--set` made from `what` as a refusal of `what`.
fn named(e: ScenarioError, what: &str, path: &str) -> ScenarioError {
    match e {
        ScenarioError::Invalid(ds) => ScenarioError::Invalid(
            ds.into_iter()
                .map(|d| {
                    if d.file.starts_with("--set ") && d.file.contains(path) {
                        Diagnostic { file: what.to_string(), message: d.message.replace("--set ", ""), ..d }
                    } else {
                        d
                    }
                })
                .collect(),
        ),
        other => other,
    }
}
