//! Whether scenario files share one baseline: the check `trappe compare` makes before
//! simulating options side by side.
//!
//! Options are compared against one baseline, the counterfactual they share: the same
//! cohort, states, transitions, staffing, money rules and targets. What may differ is
//! what only the scenario arm has, its extra staff (`[[staffing.hires]]`) and its grants
//! (`[[grants]]`), plus the words that name it (`[scenario] name` and `description`) and
//! the run's sizes (`[simulation]`, which the comparison takes once for all options).

use crate::error::Diagnostic;
use crate::input::locate::{KeyPath, key_diagnostic};
use crate::input::scenario::LoadedScenario;
use toml::{Table, Value};

/// The keys that may differ between options on one baseline, as paths of tables.
const OPTION_KEYS: [&[&str]; 5] = [
    &["scenario", "name"],
    &["scenario", "description"],
    &["simulation"],
    &["staffing", "hires"],
    &["grants"],
];

/// Checks that `option` has the baseline of `first`: their files, with their `--set`
/// values, agree everywhere but in their hires, grants, names and `[simulation]`, and a `[cohort]` file is the same
/// file content. Otherwise a diagnostic on `option`'s file at the first key that
/// differs, with both values.
pub fn check_shared_baseline(first: &LoadedScenario, option: &LoadedScenario) -> Result<(), Box<Diagnostic>> {
    let (a, b) = (baseline_table(first)?, baseline_table(option)?);
    if let Some((path, va, vb)) = first_difference(&Value::Table(a), &Value::Table(b), KeyPath::default()) {
        let shown = |v: Option<&Value>| v.map(short).unwrap_or_else(|| "not set".to_string());
        return Err(Box::new(key_diagnostic(
            &option.path,
            &option.source,
            &path,
            format!(
                "the options do not share one baseline: `{path}` is {} here and {} in {}; options \
                 compared side by side may differ only in their extra staff ([[staffing.hires]]) and \
                 grants ([[grants]]), their [scenario] name and description, and [simulation]",
                shown(vb.as_ref()),
                shown(va.as_ref()),
                first.path
            ),
            None,
        )));
    }
    let cohort = |sc: &LoadedScenario| sc.cohort.as_ref().map(|c| c.sha256.clone());
    if cohort(first) != cohort(option) {
        return Err(Box::new(key_diagnostic(
            &option.path,
            &option.source,
            &KeyPath::parse("cohort.file"),
            format!(
                "the options do not share one baseline: the cohort file read here is not the same \
                 content as {}'s (options compared side by side must simulate the same citizens)",
                first.path
            ),
            None,
        )));
    }
    Ok(())
}

/// The scenario's file with its `--set` values written in, without [`OPTION_KEYS`].
fn baseline_table(sc: &LoadedScenario) -> Result<Table, Box<Diagnostic>> {
    let edited = crate::input::setting::apply(&sc.source, &sc.settings)
        .map_err(|mut ds| Box::new(ds.swap_remove(0)))?;
    let mut table: Table = edited.parse().map_err(|e: toml::de::Error| {
        Box::new(crate::input::locate::parse_diagnostic(&sc.path, &edited, &e))
    })?;
    for path in OPTION_KEYS {
        remove(&mut table, path);
    }
    Ok(table)
}

fn remove(table: &mut Table, path: &[&str]) {
    match path {
        [] => {}
        [last] => {
            table.remove(*last);
        }
        [first, rest @ ..] => {
            if let Some(Value::Table(t)) = table.get_mut(*first) {
                remove(t, rest);
            }
        }
    }
}

/// The first place where two values differ, in file order of `a`'s keys then `b`'s
/// extra keys: the path and both values (None where one has no such key).
fn first_difference(a: &Value, b: &Value, at: KeyPath) -> Option<(KeyPath, Option<Value>, Option<Value>)> {
    match (a, b) {
        (Value::Table(ta), Value::Table(tb)) => {
            for (k, va) in ta {
                match tb.get(k) {
                    Some(vb) => {
                        if let Some(d) = first_difference(va, vb, at.key(k)) {
                            return Some(d);
                        }
                    }
                    None => return Some((at.key(k), Some(va.clone()), None)),
                }
            }
            tb.iter().find(|(k, _)| !ta.contains_key(*k)).map(|(k, vb)| (at.key(k), None, Some(vb.clone())))
        }
        (Value::Array(xa), Value::Array(xb)) => {
            for (i, (va, vb)) in xa.iter().zip(xb).enumerate() {
                if let Some(d) = first_difference(va, vb, at.index(i)) {
                    return Some(d);
                }
            }
            match xa.len().cmp(&xb.len()) {
                std::cmp::Ordering::Equal => None,
                std::cmp::Ordering::Greater => Some((at.index(xb.len()), Some(xa[xb.len()].clone()), None)),
                std::cmp::Ordering::Less => Some((at.index(xa.len()), None, Some(xb[xa.len()].clone()))),
            }
        }
        _ if a == b => None,
        _ => Some((at, Some(a.clone()), Some(b.clone()))),
    }
}

/// A value as TOML text, shortened for a message.
fn short(v: &Value) -> String {
    let text = match v {
        Value::Table(_) => "a table".to_string(),
        Value::Array(a) => format!("a list of {}", a.len()),
        other => other.to_string(),
    };
    if text.chars().count() > 60 { format!("{}…", text.chars().take(60).collect::<String>()) } else { text }
}
