//! Every TOML example in the documentation (each ```toml block of README.md and of
//! every `docs/**/*.md` file) passes `trappe check`.
//!
//! A block with a `[scenario]` table is a whole scenario and is checked as written.
//! Any other block is a fragment, and the line before it (blank lines aside) says
//! where it belongs, in an HTML comment that the rendered page does not show:
//!
//! * `<!-- fragment of scenarios/FILE.toml -->`: the fragment's tables go into that
//!   shipped scenario. A table the fragment writes out (`[budget.reimbursement]`)
//!   replaces the scenario's table of that name; an entry of a list of tables
//!   (`[[transitions]]`, `[[segments]]`, …) is merged key by key into the scenario's
//!   entry with the same `from` and `to`, or the same `name`, and otherwise added;
//! * `…, in TABLE`: the fragment's keys are set in that table of the scenario, named
//!   as in trappe's messages (`transitions[0]`, `staffing`), for fragments that are
//!   a few keys of one table;
//! * `…, line by line`: each line is a fragment of its own, for blocks that show
//!   alternative ways of writing one key.
//!
//! A failing example is reported with its file and line.

use crate::common::*;
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table};

/// One ```toml block of a Markdown file.
struct Example {
    /// The Markdown file, relative to the repository.
    file: String,
    /// Line of the block's first TOML line (1-based).
    line: usize,
    text: String,
    /// The text of the `<!-- … -->` comment before the block, if any.
    marker: Option<String>,
}

/// README.md and every Markdown file under docs/, sorted.
fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    let mut files = vec![repo().join("README.md")];
    walk(&repo().join("docs"), &mut files);
    files.sort();
    files
}

/// The ```toml blocks of one Markdown file.
fn examples(path: &Path) -> Vec<Example> {
    let file = path.strip_prefix(repo()).unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "```toml" {
            i += 1;
            continue;
        }
        let marker = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.trim().strip_prefix("<!--"))
            .and_then(|l| l.strip_suffix("-->"))
            .map(|l| l.trim().to_string());
        let end = (i + 1..lines.len())
            .find(|&j| lines[j].trim() == "```")
            .unwrap_or_else(|| panic!("{file}:{}: a ```toml block is not closed", i + 1));
        out.push(Example {
            file: file.clone(),
            line: i + 2,
            text: lines[i + 1..end].join("\n") + "\n",
            marker,
        });
        i = end + 1;
    }
    out
}

/// Where a fragment goes, from its marker.
struct Placement {
    /// The shipped scenario the fragment goes into, relative to the repository.
    base: String,
    /// The table that receives the fragment's keys (`in TABLE`), if any.
    table: Option<String>,
    line_by_line: bool,
}

/// Reads a `fragment of FILE[, in TABLE][, line by line]` marker.
fn placement(marker: &str) -> Result<Placement, String> {
    let rest = marker.strip_prefix("fragment of ").ok_or_else(|| format!("unknown marker `{marker}`"))?;
    let mut parts = rest.split(',').map(str::trim);
    let base = parts.next().unwrap_or_default().to_string();
    let mut p = Placement { base, table: None, line_by_line: false };
    for part in parts {
        if let Some(t) = part.strip_prefix("in ") {
            p.table = Some(t.trim().to_string());
        } else if part == "line by line" {
            p.line_by_line = true;
        } else {
            return Err(format!("unknown part `{part}` of marker `{marker}`"));
        }
    }
    Ok(p)
}

/// The table at `path` (`transitions[0]`, `staffing.capacity`) of `doc`.
fn table_at<'a>(doc: &'a mut Table, path: &str) -> Result<&'a mut Table, String> {
    let mut t = doc;
    for seg in path.split('.') {
        let (name, index) = match seg.split_once('[') {
            Some((n, i)) => (n, Some(i.trim_end_matches(']').parse::<usize>().map_err(|e| e.to_string())?)),
            None => (seg, None),
        };
        let item = t.get_mut(name).ok_or_else(|| format!("the scenario has no `{name}`"))?;
        t = match index {
            Some(i) => item
                .as_array_of_tables_mut()
                .and_then(|a| a.get_mut(i))
                .ok_or_else(|| format!("the scenario has no `{seg}`"))?,
            None => item.as_table_mut().ok_or_else(|| format!("`{name}` is not a table"))?,
        };
    }
    Ok(t)
}

/// Whether two entries of a list of tables are the same: same `from` and `to`, or
/// same `name`.
fn same_entry(a: &Table, b: &Table) -> bool {
    let s = |t: &Table, k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
    match (s(b, "from"), s(b, "to"), s(b, "name")) {
        (Some(f), Some(t), _) => s(a, "from") == Some(f) && s(a, "to") == Some(t),
        (_, _, Some(n)) => s(a, "name") == Some(n),
        _ => false,
    }
}

/// Merges `fragment` into `base`: explicit tables replace, implicit ones (the
/// `budget` of `[budget.reimbursement]`) are merged, entries of lists of tables are
/// merged into the same entry or added, keys are set. What is added is written after
/// what the base has, in the fragment's order.
fn merge(base: &mut Table, fragment: &Table) {
    merge_from(base, fragment, &mut (1 << 20));
}

/// [`merge`], numbering the tables added from `next` on.
fn merge_from(base: &mut Table, fragment: &Table, next: &mut isize) {
    for (key, item) in fragment.iter() {
        match (base.get_mut(key), item) {
            (Some(Item::Table(b)), Item::Table(f)) if f.is_implicit() => merge_from(b, f, next),
            (Some(Item::ArrayOfTables(b)), Item::ArrayOfTables(f)) => {
                for entry in f.iter() {
                    let same = b.iter().position(|e| same_entry(e, entry));
                    match same.and_then(|k| b.get_mut(k)) {
                        Some(e) => merge_from(e, entry, next),
                        None => {
                            let mut entry = entry.clone();
                            renumber(&mut entry, next);
                            b.push(entry);
                        }
                    }
                }
            }
            _ => {
                let mut item = item.clone();
                match &mut item {
                    Item::Table(t) => renumber(t, next),
                    Item::ArrayOfTables(a) => a.iter_mut().for_each(|t| renumber(t, next)),
                    _ => {}
                }
                base.insert(key, item);
            }
        }
    }
}

/// Gives `table` and the tables within it the document positions from `next` on.
fn renumber(table: &mut Table, next: &mut isize) {
    table.set_position(Some(*next));
    *next += 1;
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(t) => renumber(t, next),
            Item::ArrayOfTables(a) => a.iter_mut().for_each(|t| renumber(t, next)),
            _ => {}
        }
    }
}

/// The scenario files to check for one example: the example itself, or its fragments
/// put into their shipped scenario, with the line each comes from.
fn scenarios_to_check(ex: &Example) -> Result<Vec<(usize, String)>, String> {
    let whole = ex.text.lines().any(|l| l.trim() == "[scenario]");
    let Some(marker) = &ex.marker else {
        if whole {
            return Ok(vec![(ex.line, ex.text.clone())]);
        }
        return Err("a TOML example without a [scenario] table needs a `<!-- fragment of \
                    scenarios/FILE.toml -->` line before it (see tests/it/docs_examples.rs)"
            .into());
    };
    let p = placement(marker)?;
    let base_text =
        std::fs::read_to_string(repo().join(&p.base)).map_err(|e| format!("marker names {}: {e}", p.base))?;
    let fragments: Vec<(usize, String)> = if p.line_by_line {
        let lines = ex.text.lines().enumerate();
        lines
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim().starts_with('#'))
            .map(|(k, l)| (ex.line + k, format!("{l}\n")))
            .collect()
    } else {
        vec![(ex.line, ex.text.clone())]
    };
    let mut out = Vec::new();
    for (line, fragment) in fragments {
        let mut doc: DocumentMut = base_text.parse().map_err(|e| format!("{}: {e}", p.base))?;
        let frag: DocumentMut = fragment.parse().map_err(|e| format!("not TOML: {e}"))?;
        let target = match &p.table {
            Some(t) => table_at(doc.as_table_mut(), t)?,
            None => doc.as_table_mut(),
        };
        merge(target, frag.as_table());
        out.push((line, doc.to_string()));
    }
    Ok(out)
}

/// Every TOML example of the documentation passes `trappe check`.
#[test]
fn every_toml_example_in_the_docs_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for md in markdown_files() {
        for ex in examples(&md) {
            let scenarios = match scenarios_to_check(&ex) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("{}:{}: {e}", ex.file, ex.line));
                    continue;
                }
            };
            for (line, text) in scenarios {
                std::fs::write(dir.path().join("example.toml"), &text).unwrap();
                let o = trappe(&["check", "example.toml"], dir.path());
                checked += 1;
                if !o.status.success() {
                    let placed = match &ex.marker {
                        Some(m) => {
                            format!("  ({m}: the lines above are of the scenario with the fragment in it)\n")
                        }
                        None => String::new(),
                    };
                    failures.push(format!(
                        "{}:{line}: trappe check fails:\n{}{placed}",
                        ex.file,
                        texts(&o).1
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the docs' TOML examples fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(checked >= 5, "only {checked} TOML examples found in the docs");
}

#[test]
fn fragments_go_where_their_marker_says() {
    let mut base: DocumentMut =
        "[a]\nx = 1\n[b]\ny = 2\nz = 3\n[[t]]\nfrom = \"p\"\nto = \"q\"\nk = 1\n[[t]]\nname = \"n\"\nk = 2\n"
            .parse()
            .unwrap();
    let frag: DocumentMut =
        "[b]\ny = 5\n[[t]]\nfrom = \"p\"\nto = \"q\"\nk = 9\n[[t]]\nname = \"m\"\n[c.d]\nw = 1\n"
            .parse()
            .unwrap();
    merge(base.as_table_mut(), frag.as_table());
    let merged: toml::Table = base.to_string().parse().unwrap();
    let want: toml::Table = "a = { x = 1 }\nb = { y = 5 }\nc = { d = { w = 1 } }\nt = [{ from = \"p\", to = \"q\", k = 9 }, { name = \"n\", k = 2 }, { name = \"m\" }]"
        .parse()
        .unwrap();
    assert_eq!(merged, want);
    let p = placement("fragment of scenarios/x.toml, in transitions[0], line by line").unwrap();
    assert_eq!(
        (p.base.as_str(), p.table.as_deref(), p.line_by_line),
        ("scenarios/x.toml", Some("transitions[0]"), true)
    );
    assert!(placement("fragment of x.toml, somewhere").is_err());
}
