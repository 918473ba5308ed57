//! A results folder read back for a report: what made it (its manifest: `run.toml` of a
//! run or a sweep, `compare.toml`, `sensitivity.toml`), its CSV tables in the dialect
//! the manifest records, and the scenario re-loaded from the text the manifest keeps,
//! so that the workbook and the HTML report show the figures exactly as written.

pub mod tables;

use crate::input::scenario::LoadedScenario;
use crate::model::Model;
use crate::report::files::csv_dialect::CsvDialect;
use serde::Deserialize;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use tables::{AcceptabilityRow, BudgetYearRow, MonthlyRow, ReplicationRow, SummaryRow, Table, TornadoRow};

/// The most of a manifest read; trappe's are far smaller.
const MANIFEST_LIMIT: u64 = 64 << 20;

/// Why a folder cannot be read back for a report.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// The folder holds no manifest of trappe's.
    #[error(
        "{} is not a results folder of trappe's: it holds none of run.toml, compare.toml and sensitivity.toml{}",
        path.display(), hint
    )]
    NotTrappes {
        /// The folder.
        path: PathBuf,
        /// What it is instead, when that is known.
        hint: String,
    },
    /// A file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file the manifest lists is missing.
    #[error("{} is missing: {} lists it, but it is not in the folder; run the command again to write the folder whole", path.display(), manifest.display())]
    Missing {
        /// The missing file.
        path: PathBuf,
        /// The manifest that lists it.
        manifest: PathBuf,
    },
    /// A file does not read as trappe writes it.
    #[error("{}{}: not as trappe writes it: {reason}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Garbled {
        /// The file.
        path: PathBuf,
        /// The line, when known.
        line: Option<u64>,
        /// What is wrong.
        reason: String,
    },
}

/// What a results folder holds, from its manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// `trappe run` (or `trappe merge`): `run.toml`.
    Run,
    /// `trappe sweep`: `run.toml` with `kind = "sweep"`.
    Sweep,
    /// `trappe compare`: `compare.toml`.
    Compare,
    /// `trappe sensitivity`: `sensitivity.toml`.
    Sensitivity,
}

impl FolderKind {
    /// The command that writes such a folder.
    pub fn command(self) -> &'static str {
        match self {
            FolderKind::Run => "run",
            FolderKind::Sweep => "sweep",
            FolderKind::Compare => "compare",
            FolderKind::Sensitivity => "sensitivity",
        }
    }
}

/// The part of a manifest a report shows: what made the results.
#[derive(Debug, Clone, Deserialize)]
pub struct Provenance {
    /// The program version that wrote the folder.
    #[serde(default)]
    pub version: String,
    /// The command line.
    #[serde(default)]
    pub command: String,
    /// The seed.
    #[serde(default)]
    pub seed: u64,
    /// Replications (per level, for a sweep).
    #[serde(default)]
    pub replications: u32,
    /// The cohorts of each draw of the parameters (0 when the manifest does not say).
    #[serde(default)]
    pub inner_replications: u32,
    /// The engine.
    #[serde(default)]
    pub engine: String,
    /// The scenario file as given (a comparison: its first option's).
    #[serde(default)]
    pub scenario_path: String,
    /// The SHA-256 of the scenario file (a comparison: its first option's).
    #[serde(default)]
    pub scenario_sha256: String,
}

/// The keys of a manifest the reader needs.
#[derive(Debug, Deserialize)]
struct ManifestText {
    program: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    csv_dialect: Option<String>,
    #[serde(default)]
    files: Vec<String>,
    scenario_path: Option<String>,
    scenario_sha256: Option<String>,
    scenario_source: Option<String>,
    #[serde(default)]
    set: Vec<String>,
    #[serde(default)]
    options: Vec<OptionText>,
}

/// The scenario of one option of a comparison's manifest.
#[derive(Debug, Deserialize)]
struct OptionText {
    scenario_path: String,
    #[serde(default)]
    scenario_sha256: String,
    scenario_source: String,
    #[serde(default)]
    set: Vec<String>,
}

/// A results folder read back: its kind, what made it, its tables and its scenario.
#[derive(Debug)]
pub struct ResultsFolder {
    /// The folder.
    pub path: PathBuf,
    /// What it holds.
    pub kind: FolderKind,
    /// Its manifest file.
    pub manifest: PathBuf,
    /// What made it.
    pub provenance: Provenance,
    /// The dialect its CSV files are in.
    pub csv_dialect: CsvDialect,
    /// The scenario as run (a comparison: its first option, which shares the baseline).
    pub scenario: LoadedScenario,
    /// The model built from it.
    pub model: Model,
    /// `summary.csv` (a run).
    pub summary: Vec<SummaryRow>,
    /// `budget_years.csv` (a run).
    pub budget_years: Vec<BudgetYearRow>,
    /// `monthly.csv` (a run).
    pub monthly: Vec<MonthlyRow>,
    /// `replications.csv` (a run): each replication's net municipal effect.
    pub replications: Vec<ReplicationRow>,
    /// `compare_options.csv` (a comparison).
    pub options: Option<Table>,
    /// `compare.csv` (a comparison): every figure of every option.
    pub comparison: Option<Table>,
    /// `compare_budget_years.csv` (a comparison).
    pub options_budget_years: Option<Table>,
    /// `sweep.csv` (a sweep): one row per level.
    pub sweep_levels: Option<Table>,
    /// `sensitivity.csv` (a sensitivity analysis): the tornado.
    pub tornado: Vec<TornadoRow>,
    /// The acceptability curves (a comparison or a sensitivity analysis).
    pub acceptability: Vec<AcceptabilityRow>,
    /// The value of information per parameter (a comparison or a sensitivity analysis).
    pub value_of_information: Option<Table>,
    /// `sensitivity_threshold.csv` (with `--threshold`).
    pub threshold: Option<Table>,
    /// `sensitivity_threshold_scan.csv` (with `--threshold`).
    pub threshold_scan: Option<Table>,
    /// `sensitivity_grid.csv` (with `--grid`).
    pub grid: Option<Table>,
}

/// The manifest of `folder` and the kind it names, or why there is none.
fn find_manifest(folder: &Path) -> Result<(PathBuf, FolderKind, ManifestText), FolderError> {
    if !folder.is_dir() {
        let what = if folder.exists() { "it is a file, not a folder" } else { "it does not exist" };
        return Err(FolderError::Read {
            path: folder.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, what),
        });
    }
    let candidates = [
        ("run.toml", FolderKind::Run),
        ("compare.toml", FolderKind::Compare),
        ("sensitivity.toml", FolderKind::Sensitivity),
    ];
    for (name, kind) in candidates {
        let path = folder.join(name);
        if !path.exists() {
            continue;
        }
        let mut text = String::new();
        fs::File::open(&path)
            .and_then(|f| f.take(MANIFEST_LIMIT).read_to_string(&mut text))
            .map_err(|source| FolderError::Read { path: path.clone(), source })?;
        let garbled = |reason: String| FolderError::Garbled { path: path.clone(), line: None, reason };
        let manifest: ManifestText = toml::from_str(&text).map_err(|e| garbled(e.message().to_string()))?;
        if manifest.program.as_deref() != Some("trappe") {
            return Err(garbled("it has no `program = \"trappe\"`: trappe did not write it".into()));
        }
        let kind = match manifest.kind.as_deref() {
            Some("sweep") => FolderKind::Sweep,
            _ => kind,
        };
        return Ok((path, kind, manifest));
    }
    let hint = if folder.join("part.toml").exists() {
        "; it is a partial result (trappe run --shard): combine the parts with trappe merge and report on its folder"
            .to_string()
    } else {
        String::new()
    };
    Err(FolderError::NotTrappes { path: folder.to_path_buf(), hint })
}

impl ResultsFolder {
    /// Reads the results folder `folder`: its manifest, every table it lists, and its
    /// scenario from the manifest's text.
    pub fn read(folder: &Path) -> Result<ResultsFolder, FolderError> {
        let (manifest_path, kind, manifest) = find_manifest(folder)?;
        let garbled =
            |reason: String| FolderError::Garbled { path: manifest_path.clone(), line: None, reason };
        let csv_dialect = match manifest.csv_dialect.as_deref() {
            None => CsvDialect::Standard,
            Some(name) => name.parse().map_err(|e: crate::report::files::csv_dialect::UnknownDialect| {
                garbled(format!("key `csv_dialect`: {e}"))
            })?,
        };
        let text = fs::read_to_string(&manifest_path)
            .map_err(|source| FolderError::Read { path: manifest_path.clone(), source })?;
        let mut provenance: Provenance =
            toml::from_str(&text).map_err(|e| garbled(e.message().to_string()))?;
        let (scenario_path, source, set) = match (&manifest.scenario_source, manifest.options.first()) {
            (Some(source), _) => {
                (manifest.scenario_path.clone().unwrap_or_default(), source.clone(), manifest.set.clone())
            }
            (None, Some(first)) => {
                provenance.scenario_path = first.scenario_path.clone();
                provenance.scenario_sha256 = first.scenario_sha256.clone();
                (first.scenario_path.clone(), first.scenario_source.clone(), first.set.clone())
            }
            (None, None) => {
                return Err(garbled("it holds no `scenario_source`: the scenario cannot be read".into()));
            }
        };
        if provenance.scenario_sha256.is_empty() {
            provenance.scenario_sha256 = manifest.scenario_sha256.clone().unwrap_or_default();
        }
        let (scenario, model) = load_scenario(&scenario_path, &source, &set).map_err(garbled)?;
        let listed = |name: &str| manifest.files.iter().any(|f| f == name);
        let file = |name: &str| -> Result<Option<PathBuf>, FolderError> {
            let path = folder.join(name);
            match (listed(name), path.exists()) {
                (true, false) => Err(FolderError::Missing { path, manifest: manifest_path.clone() }),
                (true, true) => Ok(Some(path)),
                (false, _) => Ok(None),
            }
        };
        let table = |name: &str| -> Result<Option<Table>, FolderError> {
            file(name)?.map(|p| tables::table(&p, csv_dialect)).transpose()
        };
        let summary = file("summary.csv")?.map(|p| tables::typed(&p, csv_dialect)).transpose()?;
        let budget_years = file("budget_years.csv")?.map(|p| tables::typed(&p, csv_dialect)).transpose()?;
        let monthly = file("monthly.csv")?.map(|p| tables::typed(&p, csv_dialect)).transpose()?;
        let replications = file("replications.csv")?.map(|p| tables::typed(&p, csv_dialect)).transpose()?;
        let tornado = file("sensitivity.csv")?.map(|p| tables::typed(&p, csv_dialect)).transpose()?;
        let acceptability = match file("compare_acceptability.csv")? {
            Some(p) => Some(p),
            None => file("sensitivity_acceptability.csv")?,
        }
        .map(|p| tables::typed(&p, csv_dialect))
        .transpose()?;
        let value_of_information = match table("compare_value_of_information.csv")? {
            Some(t) => Some(t),
            None => table("sensitivity_value_of_information.csv")?,
        };
        if kind == FolderKind::Run && summary.is_none() {
            return Err(FolderError::Missing { path: folder.join("summary.csv"), manifest: manifest_path });
        }
        Ok(ResultsFolder {
            path: folder.to_path_buf(),
            kind,
            provenance,
            csv_dialect,
            scenario,
            model,
            summary: summary.unwrap_or_default(),
            budget_years: budget_years.unwrap_or_default(),
            monthly: monthly.unwrap_or_default(),
            replications: replications.unwrap_or_default(),
            options: table("compare_options.csv")?,
            comparison: table("compare.csv")?,
            options_budget_years: table("compare_budget_years.csv")?,
            sweep_levels: table("sweep.csv")?,
            tornado: tornado.unwrap_or_default(),
            acceptability: acceptability.unwrap_or_default(),
            value_of_information,
            threshold: table("sensitivity_threshold.csv")?,
            threshold_scan: table("sensitivity_threshold_scan.csv")?,
            grid: table("sensitivity_grid.csv")?,
            manifest: manifest_path,
        })
    }
}

/// The scenario from the text a manifest keeps, with its `--set` arguments, and its model.
fn load_scenario(path: &str, source: &str, set: &[String]) -> Result<(LoadedScenario, Model), String> {
    let settings = crate::input::setting::parse_all(set)
        .map_err(|ds| ds.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))?;
    let scenario = LoadedScenario::from_str_with(path, source, &settings)
        .map_err(|e| format!("its scenario ({path}) cannot be read: {e}"))?;
    let model =
        Model::from_scenario(&scenario).map_err(|e| format!("its scenario ({path}) is not valid: {e}"))?;
    Ok((scenario, model))
}
