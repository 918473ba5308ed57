//! The calibrated scenario: the original file edited in place with `toml_edit`.
//! Comments, layout and the `calibrate` marks are kept, each fitted parameter's
//! numbers are replaced, and a comment line above it records where the fit came from.

use crate::analysis::calibration::{AtBound, Fit, FitArm};
use crate::input::locate::{KeyPath, Seg};
use crate::input::param::Distribution;
use crate::input::scenario::LoadedScenario;
use crate::model::Model;
use crate::numbers::{fmt_sig, round_sig};
use anyhow::{Context, bail};
use std::fmt::Write as _;

/// Where the calibrated scenario came from, for the comment above each fitted parameter.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The observed figures file's name.
    pub observed_name: String,
    /// The first 12 hex digits of its SHA-256.
    pub observed_sha: String,
}

/// The prefix of every comment line the calibration writes (and replaces on a re-run).
pub const COMMENT_PREFIX: &str = "# calibrated:";

/// The calibrated scenario: the original text with each fitted parameter's numbers
/// replaced and a provenance comment above it. Comments, layout and `calibrate`
/// marks are kept. The result is checked to load as a valid scenario.
pub fn calibrated_text(
    sc: &LoadedScenario,
    model: &Model,
    fit: &Fit,
    prov: &Provenance,
) -> anyhow::Result<String> {
    let mut doc: toml_edit::DocumentMut =
        sc.source.parse().with_context(|| format!("cannot re-read {} for editing", sc.path))?;
    let notes = scale_parameters(&mut doc, sc, model, fit)?;
    write_comments(&mut doc, &provenance_line(fit, prov), &notes);
    let text = doc.to_string();
    let check = LoadedScenario::from_str(&sc.path, &text)
        .map_err(anyhow::Error::from)
        .and_then(|s| crate::model::Model::from_scenario(&s).map_err(anyhow::Error::from));
    if let Err(e) = check {
        bail!("the calibrated scenario would not be valid, so it was not written (a bug in trappe): {e:#}");
    }
    Ok(text)
}

/// The first comment line above each fitted parameter: the program, the observed
/// figures, the objective and the simulation the fit used.
fn provenance_line(fit: &Fit, prov: &Provenance) -> String {
    format!(
        "{COMMENT_PREFIX} trappe {} calibrate, observed {} (sha256 {}), objective {} over {} figures, \
         {} replications, seed {}, {} arm",
        env!("CARGO_PKG_VERSION"),
        prov.observed_name,
        prov.observed_sha,
        fmt_sig(fit.objective, 4),
        fit.targets.iter().filter(|t| t.obs.fit).count(),
        fit.replications,
        fit.seed,
        match fit.arm {
            FitArm::Counterfactual => "counterfactual",
            FitArm::Scenario => "scenario",
        }
    )
}

/// One change of mean written in a comment: members of one group with the same
/// change share a line.
struct Change {
    names: Vec<String>,
    group: String,
    from: f64,
    to: f64,
    factor: f64,
    bound: Option<AtBound>,
}

/// The changes to comment on above one anchor key (the key of the parameter's table
/// in its `[[transitions]]` or `[[segments]]` entry), with the entry's path.
struct Note {
    entry: KeyPath,
    key: String,
    changes: Vec<Change>,
}

/// Scales every fitted parameter's numbers in the document by its group's factor and
/// gathers the changes to comment on, per anchor key.
fn scale_parameters(
    doc: &mut toml_edit::DocumentMut,
    sc: &LoadedScenario,
    model: &Model,
    fit: &Fit,
) -> anyhow::Result<Vec<Note>> {
    let mut notes: Vec<Note> = Vec::new();
    for (gi, g) in fit.groups.iter().enumerate() {
        let f = fit.factors[gi];
        for &i in &g.members {
            let c = &model.calibration[i];
            let table = param_table(doc, &c.path.0).with_context(|| {
                format!("cannot find `{}` in {} to write its fitted value", c.path, sc.path)
            })?;
            scale_spec(table, &c.dist, f)?;
            let segs = &c.path.0;
            if segs.len() < 3 {
                continue;
            }
            let entry = KeyPath(segs[..2].to_vec());
            let Seg::Key(anchor_key) = &segs[2] else { continue };
            let name = match segs.get(3) {
                Some(Seg::Key(t)) => t.clone(),
                _ => String::new(),
            };
            let (from, to) = (c.dist.mean(), c.dist.mean() * f);
            let changes = match notes.iter_mut().position(|n| n.entry == entry && n.key == *anchor_key) {
                Some(p) => &mut notes[p].changes,
                None => {
                    notes.push(Note { entry, key: anchor_key.clone(), changes: Vec::new() });
                    &mut notes.last_mut().expect("just pushed").changes
                }
            };
            match changes.iter_mut().find(|ch| ch.group == g.name && ch.from == from && ch.factor == f) {
                Some(ch) => ch.names.push(name),
                None => changes.push(Change {
                    names: vec![name],
                    group: g.name.clone(),
                    from,
                    to,
                    factor: f,
                    bound: fit.at_bound[gi],
                }),
            }
        }
    }
    Ok(notes)
}

/// Writes each note's comment lines above its anchor key, after `head`.
fn write_comments(doc: &mut toml_edit::DocumentMut, head: &str, notes: &[Note]) {
    for Note { entry, key, changes } in notes {
        let mut lines = vec![head.to_string()];
        for ch in changes {
            let what = match ch.names.as_slice() {
                [n] if n.is_empty() => key.clone(),
                [n] => format!("{key} {n}"),
                ns => format!("{key} {} ({})", ns.join(", "), ns.len()),
            };
            lines.push(format!(
                "{COMMENT_PREFIX} {what}: mean {} -> {} (group `{}`, factor {}{})",
                fmt_sig(ch.from, 6),
                fmt_sig(ch.to, 6),
                ch.group,
                fmt_sig(ch.factor, 6),
                match ch.bound {
                    Some(AtBound::Lower) => ", AT LOWER BOUND",
                    Some(AtBound::Upper) => ", AT UPPER BOUND",
                    None => "",
                }
            ));
        }
        // An entry written as an inline table has no room for comments: its
        // values are still replaced.
        if let Some(t) = param_table(doc, &entry.0)
            && let Some(mut k) = t.key_mut(key)
        {
            let decor = k.leaf_decor_mut();
            let prefix = decor.prefix().and_then(|p| p.as_str()).unwrap_or("").to_string();
            decor.set_prefix(with_comments(&prefix, &lines));
        }
    }
}

/// `prefix` (the text before a key: comment lines, then the key's indentation) with
/// earlier calibration comments removed and `lines` added just above the key.
fn with_comments(prefix: &str, lines: &[String]) -> String {
    let (head, indent) = match prefix.rfind('\n') {
        Some(p) => (&prefix[..=p], &prefix[p + 1..]),
        None => ("", prefix),
    };
    let mut out: String =
        head.split_inclusive('\n').filter(|l| !l.trim_start().starts_with(COMMENT_PREFIX)).collect();
    for l in lines {
        let _ = writeln!(out, "{indent}{l}");
    }
    out.push_str(indent);
    out
}

/// The table (inline or not) at `path` in the document: `transitions[0].probability`,
/// `segments[2].multipliers.job_ready->job`, or an entry such as `transitions[0]`.
fn param_table<'a>(
    doc: &'a mut toml_edit::DocumentMut,
    path: &[Seg],
) -> Option<&'a mut dyn toml_edit::TableLike> {
    use toml_edit::{Item, Value};
    let mut cur: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    let mut i = 0;
    while i < path.len() {
        let Seg::Key(k) = &path[i] else { return None };
        let item = cur.get_mut(k)?;
        if let Some(Seg::Index(n)) = path.get(i + 1) {
            cur = match item {
                Item::ArrayOfTables(a) => a.get_mut(*n)?,
                Item::Value(Value::Array(a)) => a.get_mut(*n)?.as_inline_table_mut()?,
                _ => return None,
            };
            i += 2;
        } else {
            cur = item.as_table_like_mut()?;
            i += 1;
        }
    }
    Some(cur)
}

/// Multiplies a parameter table's mean by `f`, keeping its relative spread: the
/// numbers written are changed as [`Distribution::scaled`] changes the distribution.
fn scale_spec(t: &mut dyn toml_edit::TableLike, dist: &Distribution, f: f64) -> anyhow::Result<()> {
    let scaled = dist.scaled(f).map_err(|e| anyhow::anyhow!(e))?;
    let (alpha, beta) = match scaled {
        Distribution::Beta { alpha, beta, .. } => (alpha, beta),
        _ => (f64::NAN, f64::NAN),
    };
    let mut updates: Vec<(&str, f64)> = Vec::new();
    for key in ["value", "mean", "sd", "min", "mode", "max", "scale"] {
        if let Some(v) = number(t, key) {
            updates.push((key, v * f));
        }
    }
    if let Some(mu) = number(t, "mu") {
        updates.push(("mu", mu + f.ln()));
    }
    if number(t, "alpha").is_some() && alpha.is_finite() {
        updates.push(("alpha", alpha));
        updates.push(("beta", beta));
    }
    for (key, v) in updates {
        if let Some(val) = t.get_mut(key).and_then(|i| i.as_value_mut()) {
            let decor = val.decor().clone();
            *val = toml_edit::Value::from(round_sig(v, 6));
            *val.decor_mut() = decor;
        }
    }
    Ok(())
}

/// The number at `key` in a parameter table, written as an integer or a float.
fn number(t: &dyn toml_edit::TableLike, key: &str) -> Option<f64> {
    let v = t.get(key)?.as_value()?;
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}
