//! `trappe compare`: options side by side against one shared baseline.
//!
//! Each option is a scenario file; the options share one baseline, the counterfactual
//! (checked by [`check_shared_baseline`]: the files may differ only in their hires,
//! grants, names and run sizes). Every option is simulated with the same seed and
//! replications as a run of that file is, by the individual engine, whose baseline
//! citizens draw the same numbers whatever they are simulated with
//! ([`anchor_arm`](crate::simulation::individual::anchor_arm)): so the baseline's figures
//! are the same to the krone in every option and in every comparison, and each option's
//! figures are those of `trappe run --engine individual` of its file with the same seed.

use crate::analysis::comparison::compare as compare_options;
use crate::analysis::comparison_run::{
    ComparedOption, ComparisonRun, PARAMETER_VALUE_PRICES, ParameterValue, Unestimable,
};
use crate::analysis::decision::{
    Acceptability, DecisionSample, DrawValues, ValueOfInformation, Valued, shared_parameters,
};
use crate::analysis::outcomes::{Results, summarise_outcomes};
use crate::analysis::sensitivity::{Lever, LeverMember};
use crate::commands::memory::{Holding, check_fits};
use crate::error::{Diagnostic, ScenarioError};
use crate::input::baseline::check_shared_baseline;
use crate::input::scenario::LoadedScenario;
use crate::model::{ARMS, Model};
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::staging::Staging;
use crate::simulation::draws::parameter_keys;
use crate::simulation::driver::Engine;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Everything `trappe compare` needs.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    /// The options' scenario files, in the order to show them.
    pub options: Vec<PathBuf>,
    /// `--variant NAME:PATH=VALUE` arguments: further options made from the first file
    /// with these values in place of its own (one option per name, in order of first
    /// appearance; a name given again adds a value to the same option).
    pub variants: Vec<String>,
    /// Replications (overrides the first file's).
    pub replications: Option<u32>,
    /// Replications per outer draw of the parameters (overrides the first file's).
    pub inner: Option<u32>,
    /// Seed (overrides the first file's).
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
    /// `--set PATH=VALUE` arguments, applied to every option.
    pub settings: Vec<String>,
    /// The dialect of the CSV result files.
    pub csv_dialect: CsvDialect,
    /// The language of the terminal summary.
    pub lang: crate::report::lang::Lang,
}

/// What `trappe compare` reports.
#[derive(Debug, Clone)]
pub struct CompareReport {
    /// The terminal table.
    pub summary: String,
    /// Where the files are.
    pub out: PathBuf,
    /// Files written.
    pub files: Vec<String>,
}

/// The default output folder: `results/compare-<file stems>-<variant names>`, each
/// variant name once, with characters other than letters, digits, `-` and `_` as `_`.
pub fn default_compare_out(options: &[PathBuf], variants: &[String]) -> PathBuf {
    let mut parts: Vec<String> = options.iter().map(|p| stem(p)).collect();
    for v in variants {
        let name: String = v
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .chars()
            .map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
            .collect();
        if !name.is_empty() && !parts.contains(&name) {
            parts.push(name);
        }
    }
    PathBuf::from("results").join(format!("compare-{}", parts.join("-")))
}

fn stem(p: &Path) -> String {
    p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "option".into())
}

/// One option to load: its name, file and `--set` values.
#[derive(Debug, Clone)]
pub(crate) struct OptionSpec {
    /// The option's name.
    pub(crate) name: String,
    path: PathBuf,
    settings: Vec<String>,
    variant: bool,
}

impl OptionSpec {
    /// The same option with `settings` after its own `--set` values.
    pub(crate) fn with_settings(&self, settings: &[String]) -> OptionSpec {
        let mut spec = self.clone();
        spec.settings.extend(settings.iter().cloned());
        spec
    }
}

/// The options to load: one per file, named by its stem (numbered `#2`, `#3` … where a
/// stem repeats), then one per variant name, each the first file with the variant's
/// values after the common `--set` values.
pub(crate) fn option_specs(cfg: &CompareConfig) -> anyhow::Result<Vec<OptionSpec>> {
    let stems: Vec<String> = cfg.options.iter().map(|p| stem(p)).collect();
    let mut specs: Vec<OptionSpec> = stems
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let before = stems[..i].iter().filter(|t| *t == s).count();
            OptionSpec {
                name: if before == 0 { s.clone() } else { format!("{s} #{}", before + 1) },
                path: cfg.options[i].clone(),
                settings: cfg.settings.clone(),
                variant: false,
            }
        })
        .collect();
    for arg in &cfg.variants {
        let Some((name, setting)) = arg.split_once(':').map(|(n, v)| (n.trim(), v.trim())) else {
            anyhow::bail!(
                "--variant {arg}: write NAME:PATH=VALUE, e.g. --variant 'plus3:staffing.hires[0].fte=3'"
            );
        };
        anyhow::ensure!(
            !name.is_empty() && !setting.is_empty(),
            "--variant {arg}: write NAME:PATH=VALUE, e.g. --variant 'plus3:staffing.hires[0].fte=3'"
        );
        match specs.iter_mut().find(|s| s.variant && s.name == name) {
            Some(spec) => spec.settings.push(setting.to_string()),
            None => {
                anyhow::ensure!(
                    !specs.iter().any(|s| s.name == name),
                    "--variant {arg}: {name} is already the name of an option given as a file"
                );
                let mut settings = cfg.settings.clone();
                settings.push(setting.to_string());
                specs.push(OptionSpec {
                    name: name.to_string(),
                    path: cfg.options[0].clone(),
                    settings,
                    variant: true,
                });
            }
        }
    }
    Ok(specs)
}

/// Loads every option and checks that they share one baseline; returns them with
/// their models, or the first problem.
pub(crate) fn load_options(
    specs: &[OptionSpec],
    strict: bool,
) -> Result<Vec<(LoadedScenario, Model)>, ScenarioError> {
    let mut loaded = Vec::with_capacity(specs.len());
    for spec in specs {
        let named = |path: &str| {
            if spec.variant { format!("{path} (variant {})", spec.name) } else { path.to_string() }
        };
        let (mut sc, model) = crate::commands::check::load_checked(&spec.path, &spec.settings, strict)
            .map_err(|e| match e {
                ScenarioError::Invalid(ds) => ScenarioError::Invalid(
                    ds.into_iter().map(|d| Diagnostic { file: named(&d.file), ..d }).collect(),
                ),
                ScenarioError::Strict(ds) => ScenarioError::Strict(
                    ds.into_iter().map(|d| Diagnostic { file: named(&d.file), ..d }).collect(),
                ),
                other => other,
            })?;
        sc.path = named(&sc.path);
        loaded.push((sc, model));
    }
    let problems: Vec<_> = loaded[1..]
        .iter()
        .filter_map(|(sc, _)| check_shared_baseline(&loaded[0].0, sc).err().map(|d| *d))
        .collect();
    if problems.is_empty() { Ok(loaded) } else { Err(ScenarioError::Invalid(problems)) }
}

/// Loads, checks and simulates the options on one baseline and summarises them
/// (without writing anything).
pub fn simulate_comparison(cfg: &CompareConfig) -> anyhow::Result<ComparisonRun> {
    anyhow::ensure!(!cfg.options.is_empty(), "give at least one scenario file to compare");
    let specs = option_specs(cfg)?;
    let loaded = load_options(&specs, cfg.strict)?;
    let levers = single_levers(&loaded);
    simulate_loaded(cfg, &specs, loaded, Engine::Individual, &levers)
}

/// Each sampled parameter of the options as a lever of its own: what the value of
/// information is given for in `trappe compare`.
pub(crate) fn single_levers(loaded: &[(LoadedScenario, Model)]) -> Vec<Lever> {
    let mut levers: Vec<Lever> = Vec::new();
    for (_, model) in loaded {
        for p in model.parameters.sampled() {
            if !levers.iter().any(|l| l.name == p.key) {
                levers.push(Lever {
                    name: p.key.clone(),
                    members: vec![LeverMember::of(&p.key, &p.distribution)],
                    group: false,
                });
            }
        }
    }
    levers
}

/// Simulates options already loaded and checked by [`load_options`] with `engine` (the
/// individual engine whenever there is more than one option: only it keeps one baseline),
/// and values knowing each of `levers` before choosing.
pub(crate) fn simulate_loaded(
    cfg: &CompareConfig,
    specs: &[OptionSpec],
    loaded: Vec<(LoadedScenario, Model)>,
    engine: Engine,
    levers: &[Lever],
) -> anyhow::Result<ComparisonRun> {
    let engine = if loaded.len() > 1 { Engine::Individual } else { engine };
    let first = &loaded[0].1;
    let replications = cfg.replications.unwrap_or(first.replications);
    let inner = crate::commands::run::run_inner(
        cfg.inner,
        loaded[0].0.file.simulation.inner_replications,
        replications,
    )?;
    let seed = cfg.seed.unwrap_or(first.seed);
    let threads = cfg.threads.unwrap_or_else(rayon::current_num_threads);
    anyhow::ensure!(threads >= 1, "--threads must be at least 1");
    for (spec, (_, model)) in specs.iter().zip(&loaded) {
        check_fits(model, replications, Holding::Run, &format!("option {}", spec.name))?;
    }
    let names = specs.iter().map(|s| s.name.clone());
    let mut options = Vec::with_capacity(loaded.len());
    for (name, (scenario, mut model)) in names.zip(loaded) {
        model.inner_replications = inner;
        let outs = crate::commands::run::simulate_outcomes_with(
            &model,
            0..replications,
            seed,
            threads,
            0,
            cfg.progress,
            engine,
        )?;
        let results = summarise_outcomes(&ARMS, outs);
        options.push(ComparedOption { name, scenario, model, results });
    }
    check_one_baseline(&options)?;
    let inputs: Vec<&Results> = options.iter().map(|o| &o.results).collect();
    let parameters_vary = options[0].model.parameters.sampled().next().is_some();
    let comparison = compare_options(&inputs, inner as usize, parameters_vary);
    let inner_note = crate::input::scenario::inner_note(replications, inner);
    let decision = acceptability_of(&options, inner, parameters_vary, levers);
    Ok(ComparisonRun {
        options,
        comparison,
        seed,
        replications,
        inner_replications: inner,
        threads,
        engine,
        inner_note,
        acceptability: decision.acceptability,
        acceptability_per_month: decision.acceptability_per_month,
        draw_values: decision.draw_values,
        parameter_values: decision.parameter_values,
        decision_draws: decision.draws,
    })
}

/// The acceptability curves over willingness to pay per extra self-supporting citizen and
/// per benefit month avoided (each on the grid of [`DecisionSample::wtp_grid`]), the
/// value of perfect information at each level, and the value of knowing each lever at
/// the levels of [`PARAMETER_VALUE_PRICES`] per extra self-supporting citizen.
fn acceptability_of(
    options: &[ComparedOption],
    inner: u32,
    parameters_vary: bool,
    levers: &[Lever],
) -> Decision {
    let keys: Vec<Vec<String>> = options.iter().map(|o| parameter_keys(&o.model)).collect();
    let with_keys: Vec<(&[String], &Results)> =
        options.iter().zip(&keys).map(|(o, k)| (&k[..], &o.results)).collect();
    let shared = shared_parameters(&with_keys);
    let results: Vec<&Results> = options.iter().map(|o| &o.results).collect();
    let sample = DecisionSample::from_results(&results, &shared, inner as usize, parameters_vary);
    let curve_of = |valued: Valued| -> Vec<(Acceptability, ValueOfInformation)> {
        let grid = sample.wtp_grid(valued);
        sample
            .acceptability(valued, &grid)
            .into_iter()
            .map(|a| (a.clone(), sample.evpi(valued, a.wtp)))
            .collect()
    };
    let valued = Valued::ExtraSelfSupporting;
    let grid = sample.wtp_grid(valued);
    let mut values = Vec::new();
    for wtp in PARAMETER_VALUE_PRICES.iter().filter_map(|&k| grid.get(k).copied()) {
        for lever in levers {
            let indices: Option<Vec<usize>> =
                lever.members.iter().map(|m| shared.keys.iter().position(|k| *k == m.key)).collect();
            let value = match indices {
                None => Err(Unestimable::NotSampledEverywhere),
                Some(idx) => sample
                    .evppi(valued, wtp, &idx)
                    .and_then(|v| sample.evppi_noise_floor(valued, wtp, &idx).map(|floor| (v, floor)))
                    .map_err(Unestimable::from),
            };
            values.push(ParameterValue {
                key: lever.name.clone(),
                members: lever.members.iter().map(|m| m.key.clone()).collect(),
                wtp,
                value,
            });
        }
    }
    Decision {
        acceptability: curve_of(Valued::ExtraSelfSupporting),
        acceptability_per_month: curve_of(Valued::BenefitMonthsAvoided),
        draw_values: sample.draw_values,
        parameter_values: values,
        draws: sample.draws(),
    }
}

/// What the decision analysis of a comparison gives.
struct Decision {
    acceptability: Vec<(Acceptability, ValueOfInformation)>,
    acceptability_per_month: Vec<(Acceptability, ValueOfInformation)>,
    draw_values: DrawValues,
    parameter_values: Vec<ParameterValue>,
    draws: usize,
}

/// Every option's baseline arm is the same, replication by replication, to the bit:
/// what the shared-baseline check and the anchored baseline promise.
fn check_one_baseline(options: &[ComparedOption]) -> anyhow::Result<()> {
    let first = &options[0];
    for o in &options[1..] {
        let same = o.results.reps.iter().zip(&first.results.reps).all(|(a, b)| {
            a.arms[1].iter().zip(&b.arms[1]).all(|(x, y)| x.to_bits() == y.to_bits())
                && a.budget[1] == b.budget[1]
        });
        anyhow::ensure!(
            same,
            "internal error: the baseline simulated with {} differs from the one simulated with {}, \
             although their files agree outside hires and grants",
            o.name,
            first.name
        );
    }
    Ok(())
}

/// Runs `trappe compare`: simulates the options on one baseline, writes the files
/// (all or none) and returns the terminal table.
pub fn compare(cfg: &CompareConfig) -> anyhow::Result<CompareReport> {
    anyhow::ensure!(!cfg.options.is_empty(), "give at least one scenario file to compare");
    let specs = option_specs(cfg)?;
    let loaded = load_options(&specs, cfg.strict)?;
    // Fail on an unusable output folder before spending time on simulation.
    let inputs: Vec<&Path> = cfg.options.iter().map(PathBuf::as_path).collect();
    let staging = Staging::begin(&cfg.out, cfg.force, &inputs)?.with_csv_dialect(cfg.csv_dialect);
    let levers = single_levers(&loaded);
    let run = simulate_loaded(cfg, &specs, loaded, Engine::Individual, &levers)?;
    let files =
        crate::report::compare::write_comparison(&staging, &run).context("cannot write the comparison")?;
    let out = staging.commit()?;
    Ok(CompareReport { summary: crate::report::compare::terminal(&run, cfg.lang), out, files })
}
