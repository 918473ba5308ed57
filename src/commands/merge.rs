//! `trappe merge`: combines the partial results of a run split with `--shard` into
//! the same results folder a single run writes.

use crate::analysis::outcomes::RepOutcomes;
use crate::commands::memory::{Holding, check_fits};
use crate::input::checksum::sha256_bytes_hex;
use crate::input::scenario::LoadedScenario;
use crate::report::files::csv_dialect::CsvDialect;
use crate::report::files::manifest::MergedPart;
use crate::report::files::staging::Staging;
use crate::report::part::{
    PART_DATA, PartError, PartManifest, Shard, check_same_run, decode_outcomes, read_part_manifest,
};
use crate::report::results::{Provenance, RunReport, default_out, write_results};
use std::path::{Path, PathBuf};

/// Everything `trappe merge` needs.
#[derive(Debug, Clone)]
pub struct MergeConfig {
    /// The part folders, in any order.
    pub parts: Vec<PathBuf>,
    /// Output folder (None = `results/<scenario file name>`, as `trappe run`).
    pub out: Option<PathBuf>,
    /// Replace an existing output folder.
    pub force: bool,
    /// The dialect of the CSV result files.
    pub csv_dialect: CsvDialect,
    /// The language of the terminal summary.
    pub lang: crate::report::lang::Lang,
}

/// Combines the parts of a run into the results of a single run: checks that they
/// belong together and hold every shard exactly once, then writes the same files as
/// `trappe run` with the same seed and replications.
pub fn merge(cfg: &MergeConfig) -> anyhow::Result<RunReport> {
    anyhow::ensure!(
        !cfg.parts.is_empty(),
        "no parts given: name the folders written by `trappe run --shard I/N`"
    );
    // First every manifest: cheap, and most mistakes show there.
    let mut parts: Vec<(PathBuf, PartManifest, Shard)> = Vec::new();
    for p in &cfg.parts {
        let (m, s) = read_part_manifest(p)?;
        if let Some((p0, m0, s0)) = parts.first() {
            check_same_run(p0, m0, *s0, p, &m, s)?;
        }
        if let Some((q, _, _)) = parts.iter().find(|(_, _, t)| *t == s) {
            return Err(PartError::Duplicate { shard: s, first: q.clone(), second: p.clone() }.into());
        }
        parts.push((p.clone(), m, s));
    }
    parts.sort_by_key(|(_, _, s)| *s);
    let n = parts[0].2.count;
    let given: Vec<Shard> = parts.iter().map(|(_, _, s)| *s).collect();
    let missing: Vec<Shard> =
        (1..=n).map(|i| Shard { index: i, count: n }).filter(|s| !given.contains(s)).collect();
    if !missing.is_empty() {
        return Err(PartError::Missing { missing, given }.into());
    }

    let (p0, m0, _) = &parts[0];
    let damaged_scenario = |e: String| PartError::Damaged {
        path: p0.clone(),
        reason: format!("its scenario cannot be read: {e}"),
    };
    let settings = crate::input::setting::parse_all(&m0.set)
        .map_err(|ds| damaged_scenario(ds.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
    let sc = LoadedScenario::from_str_with(&m0.scenario_path, &m0.scenario_source, &settings)
        .map_err(|e| damaged_scenario(e.to_string()))?;
    let read_cohort = sc.cohort.as_ref().map(|c| c.sha256.as_str());
    if read_cohort != m0.cohort_sha256.as_deref() {
        let path = sc.cohort.as_ref().map(|c| c.path.clone()).unwrap_or_default();
        return Err(PartError::Damaged {
            path: p0.clone(),
            reason: format!(
                "its cohort file {path} has changed since the part was run (checksum {} then, {} now): merge with the file the parts were run with, or run the parts again",
                m0.cohort_sha256.as_deref().unwrap_or("none"),
                read_cohort.unwrap_or("none")
            ),
        }
        .into());
    }
    let mut model = crate::model::Model::from_scenario(&sc).map_err(|e| PartError::Damaged {
        path: p0.clone(),
        reason: format!("its scenario is not valid: {e}"),
    })?;
    model.inner_replications = m0.inner_replications.max(1);
    check_fits(&model, m0.replications, Holding::Part, &format!("merging {} replications", m0.replications))?;
    let out = cfg.out.clone().unwrap_or_else(|| default_out(Path::new(&m0.scenario_path)));
    let inputs: Vec<&Path> = cfg.parts.iter().map(PathBuf::as_path).collect();
    let staging = Staging::begin(&out, cfg.force, &inputs)?.with_csv_dialect(cfg.csv_dialect);

    let mut outs: Vec<RepOutcomes> = Vec::with_capacity(m0.replications as usize);
    let mut merged_from = Vec::new();
    for (p, m, s) in &parts {
        let damaged = |reason: String| PartError::Damaged { path: p.clone(), reason };
        let dpath = p.join(PART_DATA);
        let bytes = crate::input::read::read_input_bytes(
            &dpath,
            crate::input::read::InputFile::PartData { bytes: m.data_bytes },
        )
        .map_err(|e| damaged(format!("cannot read {PART_DATA}: {e}")))?;
        if bytes.len() as u64 != m.data_bytes || sha256_bytes_hex(&bytes) != m.data_sha256 {
            return Err(damaged(format!(
                "{PART_DATA} is damaged or incomplete: its size or SHA-256 differs from part.toml"
            ))
            .into());
        }
        let reps =
            decode_outcomes(&bytes, &model).map_err(|e| damaged(format!("cannot read {PART_DATA}: {e}")))?;
        drop(bytes);
        let range = s.range(m.replications);
        if reps.len() != range.len() || reps.iter().zip(range.clone()).any(|(o, r)| o.index != r) {
            return Err(damaged(format!(
                "{PART_DATA} does not hold replications {}..{} of shard {s}",
                range.start, range.end
            ))
            .into());
        }
        outs.extend(reps);
        merged_from.push(MergedPart {
            shard: s.to_string(),
            folder: p.display().to_string(),
            first_replication: m.first_replication,
            replications: m.replications_in_part,
            threads: m.threads,
            command: m.command.clone(),
        });
    }
    let engine =
        crate::simulation::driver::Engine::from_name(&m0.engine).ok_or_else(|| PartError::Damaged {
            path: p0.clone(),
            reason: format!("part.toml names an unknown engine {:?}", m0.engine),
        })?;
    let prov = Provenance {
        seed: m0.seed,
        replications: m0.replications,
        inner_replications: m0.inner_replications,
        threads: None,
        trajectories: m0.trajectories,
        engine,
        merged_from: Some(merged_from),
    };
    write_results(staging, &sc, &model, outs, &prov, cfg.lang)
}
