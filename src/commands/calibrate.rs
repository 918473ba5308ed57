//! `trappe calibrate`: fit the parameters a scenario marks `calibrate` so that the
//! simulated outcomes match observed figures, report the fit and write the calibrated
//! scenario. The fit is [`crate::analysis::calibration`], the report
//! [`crate::report::calibration`], and the calibrated scenario [`calibrated_scenario`];
//! `docs/calibration.md` documents the command.

pub mod calibrated_scenario;

use crate::analysis::calibration::{Fit, FitArm, FitOptions, SearchProgress, fit_with_progress};
use crate::report::calibration::report;
use crate::report::progress::progress_bar;
use anyhow::{Context, bail};
use calibrated_scenario::{Provenance, calibrated_text};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Replications per evaluation unless `--replications` says otherwise.
pub const DEFAULT_REPLICATIONS: u32 = 200;

/// Everything `trappe calibrate` needs.
#[derive(Debug, Clone)]
pub struct CalibrateConfig {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The observed figures (CSV).
    pub observed: PathBuf,
    /// Where to write the calibrated scenario (default: `<stem>.calibrated.toml` beside it).
    pub out: Option<PathBuf>,
    /// Replace `out` if it exists.
    pub force: bool,
    /// Replications per evaluation.
    pub replications: u32,
    /// Seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads.
    pub threads: Option<usize>,
    /// The arm fitted.
    pub arm: FitArm,
    /// Most objective evaluations.
    pub max_evaluations: u32,
    /// Show progress on a terminal.
    pub progress: bool,
    /// Refuse a scenario with plausibility warnings instead of printing them.
    pub strict: bool,
}

/// What `trappe calibrate` did.
#[derive(Debug, Clone)]
pub struct CalibrationReport {
    /// The terminal report.
    pub text: String,
    /// The calibrated scenario written.
    pub out: PathBuf,
    /// The fit.
    pub fit: Fit,
}

/// The default output path: `<scenario stem>.calibrated.toml` beside the scenario, the
/// stem's bytes kept as they are (a Latin-1 name gives a Latin-1 name).
pub fn default_out(scenario: &Path) -> PathBuf {
    let mut name = scenario.file_stem().unwrap_or(std::ffi::OsStr::new("scenario")).to_os_string();
    name.push(".calibrated.toml");
    scenario.with_file_name(name)
}

/// Loads the scenario and the observed figures, fits, reports and writes the
/// calibrated scenario (atomically; an existing file only with `force`).
pub fn calibrate(cfg: &CalibrateConfig) -> anyhow::Result<CalibrationReport> {
    let (sc, model) = crate::commands::check::load_checked(&cfg.scenario, &[], cfg.strict)?;
    let observed = crate::input::observed::read(&cfg.observed, &model)?;
    let out = cfg.out.clone().unwrap_or_else(|| default_out(&cfg.scenario));
    check_not_an_input(&out, &[&cfg.scenario, &cfg.observed])?;
    check_writable(&out, cfg.force)?;
    let opts = FitOptions {
        replications: cfg.replications,
        seed: cfg.seed.unwrap_or(model.seed),
        threads: cfg.threads,
        arm: cfg.arm,
        max_evaluations: cfg.max_evaluations,
    };
    let spinner = progress_bar(None, "", cfg.progress);
    let show = |p: &SearchProgress| {
        spinner.set_message(format!(
            "evaluation {}, objective {:.4}, best {:.4}",
            p.evaluations, p.objective, p.best
        ));
        spinner.tick();
    };
    let fit = fit_with_progress(&model, &observed, &opts, &show);
    spinner.finish_and_clear();
    let fit = fit?;
    let prov = Provenance {
        observed_name: cfg
            .observed
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| observed.path.clone()),
        observed_sha: observed.sha256.chars().take(12).collect(),
    };
    let text = calibrated_text(&sc, &model, &fit, &prov)?;
    check_writable(&out, cfg.force)?;
    write_atomic(&out, &text)?;
    let report = report(&model, &sc.path, &observed, &fit, &out);
    Ok(CalibrationReport { text: report, out, fit })
}

/// Fails if `out` is one of the files the command reads (after resolving links and
/// `..`): even with `--force`, writing it would destroy the input.
fn check_not_an_input(out: &Path, inputs: &[&Path]) -> anyhow::Result<()> {
    let Ok(resolved) = std::fs::canonicalize(out) else {
        return Ok(());
    };
    for input in inputs {
        if std::fs::canonicalize(input).is_ok_and(|i| i == resolved) {
            bail!(
                "--out {} is {}, which this command reads; trappe will not overwrite it: choose another file with --out",
                out.display(),
                input.display()
            );
        }
    }
    Ok(())
}

/// Fails if `out` exists without `force`, or is a folder.
fn check_writable(out: &Path, force: bool) -> anyhow::Result<()> {
    if out.exists() && !force {
        bail!("{} already exists; use --force to replace it, or --out to write elsewhere", out.display());
    }
    if out.is_dir() {
        bail!("{} is a folder; --out names the calibrated scenario file", out.display());
    }
    Ok(())
}

/// Writes `text` to `path` through a temporary file in the same folder, renamed into
/// place when complete, so a failure never leaves a half-written scenario.
pub fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
    let prefix = format!(".{name}.partial-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // Readable as any new file is (subject to the umask), not only by its owner.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let written = builder.tempfile_in(&dir).and_then(|mut tmp| {
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    });
    written.with_context(|| format!("cannot write {}", path.display()))
}
