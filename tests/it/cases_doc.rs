//! `docs/cases.md` quotes what the binary prints: every generated block in it (between
//! a `<!-- trappe: … -->` marker and `<!-- /trappe -->`) must equal what the blocks'
//! commands print today, figure for figure. The blocks are written by
//! `scripts/gen-cases.py`, whose header describes the markers; this test reads the same
//! markers, runs the same commands (each scenario's own seed, the default engine) into
//! a temporary folder, and fails on the first line of each block that differs.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const END: &str = "<!-- /trappe -->";
const REGENERATE: &str = "regenerate with scripts/gen-cases.py (after cargo build --release)";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lines of program output, trailing spaces and trailing empty lines removed.
fn clean(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.split('\n').map(|l| l.trim_end().to_string()).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// A table block's specification (the TOML in its marker comment).
#[derive(Deserialize)]
struct TableSpec {
    first: String,
    columns: Vec<(String, String, usize)>,
    row: Vec<RowSpec>,
}

#[derive(Deserialize)]
struct RowSpec {
    label: String,
    run: String,
    #[serde(default)]
    replace: Edits,
}

/// Edits of a copy of a scenario file: (text, replacement).
type Edits = Vec<(String, String)>;

/// The terminal output of a run, line by line, or why there is none.
type RunOutput = Result<Vec<String>, String>;

/// Runs `trappe run` and remembers each command's output (tables share runs).
struct Runner {
    tmp: tempfile::TempDir,
    cache: HashMap<(String, Edits), RunOutput>,
}

impl Runner {
    fn run(&mut self, command: &str, replace: &[(String, String)]) -> RunOutput {
        let key = (command.to_string(), replace.to_vec());
        if let Some(lines) = self.cache.get(&key) {
            return lines.clone();
        }
        let lines = self.run_uncached(command, replace, self.cache.len());
        self.cache.insert(key, lines.clone());
        lines
    }

    fn run_uncached(&self, command: &str, replace: &[(String, String)], n: usize) -> RunOutput {
        let tokens: Vec<&str> = command.split_whitespace().collect();
        let original = *tokens.first().ok_or("empty command")?;
        let mut scenario = PathBuf::from(original);
        if !replace.is_empty() {
            let mut text = std::fs::read_to_string(repo().join(original))
                .map_err(|e| format!("cannot read {original}: {e}"))?;
            for (old, new) in replace {
                let count = text.matches(old.as_str()).count();
                if count != 1 {
                    return Err(format!("{original}: {old:?} occurs {count} times (must be once)"));
                }
                text = text.replace(old.as_str(), new);
            }
            let dir = self.tmp.path().join(format!("edit{n}"));
            std::fs::create_dir(&dir).expect("create a folder for the edited scenario");
            scenario = dir.join(Path::new(original).file_name().expect("a file name"));
            std::fs::write(&scenario, text).expect("write the edited scenario");
        }
        let out = self.tmp.path().join(format!("out{n}"));
        let output = Command::new(env!("CARGO_BIN_EXE_trappe"))
            .current_dir(repo())
            .arg("run")
            .arg(&scenario)
            .args(&tokens[1..])
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .output()
            .expect("start trappe");
        if !output.status.success() {
            return Err(format!("trappe run {command} failed:\n{}", String::from_utf8_lossy(&output.stderr)));
        }
        let stem = Path::new(original).file_stem().expect("a file stem").to_string_lossy();
        let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
        Ok(clean(&stdout.replace(out.to_str().expect("a UTF-8 path"), &format!("results/{stem}"))))
    }
}

/// The cell of a table: the first output line that starts with `label` (after its
/// indentation), split after the label at runs of two or more spaces; field `field`
/// (from 1), or all fields joined by " / " (0).
fn cell(lines: &[String], label: &str, field: usize) -> Result<String, String> {
    let line = lines
        .iter()
        .map(|l| l.trim_start())
        .find(|l| l.starts_with(label))
        .ok_or_else(|| format!("no output line starts with {label:?}"))?;
    let fields: Vec<&str> =
        line[label.len()..].trim().split("  ").map(str::trim).filter(|f| !f.is_empty()).collect();
    match field {
        0 => Ok(fields.join(" / ")),
        k if k <= fields.len() => Ok(fields[k - 1].to_string()),
        k => Err(format!("line {label:?} has {} fields, not {k}", fields.len())),
    }
}

/// What a block should hold, from its marker.
fn render(kind: &str, arg: &str, body: &str, runner: &mut Runner) -> RunOutput {
    let fence = |head: String, lines: Vec<String>| {
        let mut v = vec!["```text".to_string(), head];
        v.extend(lines);
        v.push("```".to_string());
        v
    };
    match kind {
        "version" => {
            let out =
                Command::new(env!("CARGO_BIN_EXE_trappe")).arg("--version").output().expect("start trappe");
            Ok(fence("$ trappe --version".into(), clean(&String::from_utf8_lossy(&out.stdout))))
        }
        "run" => Ok(fence(format!("$ trappe run {arg}"), runner.run(arg, &[])?)),
        _ => {
            let spec: TableSpec = toml::from_str(body).map_err(|e| format!("the table's TOML: {e}"))?;
            let mut header = vec![spec.first.clone()];
            header.extend(spec.columns.iter().map(|c| c.0.clone()));
            let mut out = vec![
                format!("| {} |", header.join(" | ")),
                format!("|{}", "---|".repeat(spec.columns.len() + 1)),
            ];
            for row in &spec.row {
                let lines = runner.run(&row.run, &row.replace)?;
                let mut cells = vec![row.label.clone()];
                for (_, label, field) in &spec.columns {
                    cells.push(cell(&lines, label, *field)?);
                }
                out.push(format!("| {} |", cells.join(" | ")));
            }
            Ok(out)
        }
    }
}

/// The marker of a block: its kind and its argument, if `line` is one.
fn marker(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("<!-- trappe: ")?;
    let rest = rest.strip_suffix(" -->").unwrap_or(rest);
    let (kind, arg) = rest.split_once(' ').unwrap_or((rest, ""));
    ["version", "run", "table"].contains(&kind).then_some((kind, arg.trim()))
}

#[test]
fn every_figure_in_cases_md_is_what_the_binary_prints() {
    let path = repo().join("docs/cases.md");
    let doc = std::fs::read_to_string(&path).expect("read docs/cases.md");
    let lines: Vec<&str> = doc.split('\n').collect();
    let mut runner = Runner { tmp: tempfile::tempdir().expect("a temporary folder"), cache: HashMap::new() };
    let mut section = "the top of the page";
    let mut blocks = 0;
    let mut failures = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading;
        }
        let Some((kind, arg)) = marker(line) else { continue };
        let at = i;
        let mut body = String::new();
        if kind == "table" {
            let start = i;
            while i < lines.len() && lines[i] != "-->" {
                i += 1;
            }
            body = lines[start..i].join("\n");
            i += 1;
        }
        let Some(len) = lines[i.min(lines.len())..].iter().position(|l| *l == END) else {
            panic!("docs/cases.md:{at}: no {END} after the marker");
        };
        let shown = &lines[i..i + len];
        i += len + 1;
        blocks += 1;
        let what =
            if kind == "table" { "table".to_string() } else { format!("{kind} {arg}").trim().to_string() };
        let wanted = match render(kind, arg, &body, &mut runner) {
            Ok(w) => w,
            Err(e) => {
                failures.push(format!("{section} (docs/cases.md:{at}, {what}): {e}"));
                continue;
            }
        };
        if let Some(k) = (0..shown.len().max(wanted.len()))
            .find(|&k| shown.get(k).copied() != wanted.get(k).map(String::as_str))
        {
            failures.push(format!(
                "{section} (docs/cases.md:{at}, {what}): line {} of the block differs\n  doc:    {}\n  binary: {}",
                k + 1,
                shown.get(k).copied().unwrap_or("(end of block)"),
                wanted.get(k).map_or("(end of output)", String::as_str),
            ));
        }
    }
    assert!(blocks > 0, "docs/cases.md has no generated blocks");
    assert!(
        failures.is_empty(),
        "{} of {blocks} generated blocks in docs/cases.md differ from what the binary prints; {REGENERATE}\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
