//! What `--force` may replace: only a folder trappe wrote (or an empty one), and never
//! one that holds the current folder or the command's own inputs.

use super::output_error::OutputError;
use super::report_file::is_report_file;
use std::fs;
use std::io::Read;
use std::path::Path;

/// The most of a manifest read to recognise it; trappe's are far smaller.
const MANIFEST_LIMIT: u64 = 64 << 20;

/// Refuses an existing output folder that is the current folder or holds it, or that
/// holds one of `inputs` (the scenario file, the parts merged, ...) at any depth:
/// replacing it would delete them. Paths are compared after resolving links and `..`.
pub fn check_holds_nothing_needed(target: &Path, inputs: &[&Path]) -> Result<(), OutputError> {
    let Ok(folder) = fs::canonicalize(target) else {
        return Ok(());
    };
    if let Ok(here) = std::env::current_dir().and_then(fs::canonicalize)
        && here.starts_with(&folder)
    {
        return Err(OutputError::HoldsCurrentFolder { path: target.to_path_buf(), resolved: folder });
    }
    for input in inputs {
        if let Ok(resolved) = fs::canonicalize(input)
            && resolved.starts_with(&folder)
        {
            return Err(OutputError::HoldsInput { path: target.to_path_buf(), input: input.to_path_buf() });
        }
    }
    Ok(())
}

/// Refuses to replace `target` unless it is empty or a folder trappe wrote: it holds
/// trappe's manifest (`run.toml` of a result or a sweep, `part.toml` of a partial
/// result, `compare.toml` of a comparison) and nothing but the files that manifest
/// lists and the reports written from them ([`is_report_file`]).
pub fn check_written_by_trappe(target: &Path) -> Result<(), OutputError> {
    let unwritable = |source| OutputError::Unwritable { path: target.to_path_buf(), source };
    let mut names: Vec<String> = fs::read_dir(target)
        .map_err(unwritable)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .map_err(unwritable)?;
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    let listed = ["run.toml", "part.toml", "compare.toml", "sensitivity.toml"]
        .iter()
        .find_map(|m| manifest_files(&target.join(m)));
    let not_ours = |reason: &str, others: Vec<String>| OutputError::NotTrappes {
        path: target.to_path_buf(),
        reason: reason.to_string(),
        holds: others,
    };
    match listed {
        None => Err(not_ours("it has no run.toml written by trappe and holds", names)),
        Some(files) => {
            let others: Vec<String> =
                names.into_iter().filter(|n| !files.contains(n) && !is_report_file(n)).collect();
            if others.is_empty() {
                Ok(())
            } else {
                Err(not_ours("besides trappe's results it holds", others))
            }
        }
    }
}

/// The files a trappe manifest says its folder holds (itself included), or None if
/// `path` is not a manifest written by trappe.
fn manifest_files(path: &Path) -> Option<Vec<String>> {
    let mut text = String::new();
    fs::File::open(path).ok()?.take(MANIFEST_LIMIT).read_to_string(&mut text).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    if table.get("program")?.as_str()? != "trappe" {
        return None;
    }
    let name = path.file_name()?.to_string_lossy().into_owned();
    let strings = |key: &str| -> Vec<String> {
        match table.get(key) {
            Some(toml::Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
            Some(toml::Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    };
    // run.toml and compare.toml list their folder's files; part.toml names its data file.
    let mut files = strings("files");
    files.extend(strings("data_file"));
    files.push(name);
    Some(files)
}
