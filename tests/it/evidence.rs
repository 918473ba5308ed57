//! `docs/evidence.md` is the register of sourced figures: every id a scenario or a
//! document cites (`E-BEN-8`, `P-AAL-2019`, "seed 004") must be an entry there, every
//! entry must give its value, unit, source and a grade from the register's own scale,
//! and every numeric parameter of a shipped scenario must say where it comes from (an
//! evidence id or a case paper) or that it is an ASSUMPTION. The register is inside
//! the repository, so no file may point at a parameter table outside it. A
//! parameter's `source` key that names register entries must name existing ones, and
//! its `grade` must be the register's grade for that entry (see
//! `source_grade_problems` for a source citing several).
//!
//! Each check is a function over texts, so that `the_checks_fail_on_broken_texts` can
//! show it failing; the other tests run the checks on the repository's files.

use crate::common::repo;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The grade scale, as the register's grade table lists it.
const GRADES: [&str; 7] = ["A", "B", "C", "D", "M", "EST", "GAP"];

/// Names of the parameter table outside the repository, built here so that this file
/// does not contain them.
const OUTSIDE_TABLE: &str = concat!("PARAMETERS", ".md");
const OUTSIDE_DIR: &str = concat!("..", "/shared");
/// The product brief, which is not in the repository either.
const OUTSIDE_BRIEF: &str = concat!("DOMAIN", ".md");

/// One row of a register table: its id, its cells and its line number.
#[derive(Debug)]
struct Row {
    id: String,
    cells: Vec<String>,
    line: usize,
}

/// The register parsed: figure rows (`E-…`), case-paper rows (`P-…`) and the grade
/// scale of its grade table.
#[derive(Debug, Default)]
struct Register {
    figures: Vec<Row>,
    papers: Vec<Row>,
    grades: Vec<String>,
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

fn parse_register(text: &str) -> Register {
    let mut reg = Register::default();
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with('|') {
            continue;
        }
        let c = cells(line);
        let first = c[0].trim_matches('`').to_string();
        if whole_id(&first) {
            let row = Row { id: first.clone(), cells: c, line: i + 1 };
            if first.starts_with("E-") {
                reg.figures.push(row);
            } else {
                reg.papers.push(row);
            }
        } else if c.len() == 2 && GRADES.contains(&first.as_str()) && c[0].starts_with('`') {
            reg.grades.push(first);
        }
    }
    reg
}

/// `E-<LETTERS><digits>-<digits>` (a figure) or `P-<3 LETTERS>-<4 digits>` (a case paper).
fn id_at(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'-' || b[start - 1] == b'_') {
        return None;
    }
    let kind = *b.get(start)?;
    if b.get(start + 1) != Some(&b'-') || (kind != b'E' && kind != b'P') {
        return None;
    }
    let mut i = start + 2;
    let letters = i;
    while i < b.len() && b[i].is_ascii_uppercase() {
        i += 1;
    }
    let n_letters = i - letters;
    if kind == b'E' {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if n_letters == 0 || (kind == b'P' && n_letters != 3) || b.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    let digits = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let n_digits = i - digits;
    let ends_clean = i == b.len() || !(b[i].is_ascii_alphanumeric() || b[i] == b'_');
    let ok = n_digits > 0 && (kind == b'E' || n_digits == 4) && ends_clean;
    ok.then_some(i)
}

fn whole_id(s: &str) -> bool {
    id_at(s, 0) == Some(s.len())
}

/// Every evidence id and every "seed NNN" in a text.
fn citations(text: &str) -> (Vec<String>, Vec<String>) {
    let mut ids = Vec::new();
    for (start, _) in text.char_indices() {
        if let Some(end) = id_at(text, start) {
            ids.push(text[start..end].to_string());
        }
    }
    let mut seeds = Vec::new();
    let lower = text.to_lowercase();
    for (pos, _) in lower.match_indices("seed ") {
        let rest = &lower[pos + 5..];
        let num: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if num.len() == 3 {
            seeds.push(num);
        }
    }
    (ids, seeds)
}

/// Problems with the register itself: missing cells, unknown grades, duplicate ids, a
/// grade table that differs from the scale this test knows.
fn register_problems(reg: &Register) -> Vec<String> {
    let mut problems = Vec::new();
    if reg.grades != GRADES {
        problems.push(format!("the grade table lists {:?}, the test knows {:?}", reg.grades, GRADES));
    }
    if reg.figures.is_empty() || reg.papers.is_empty() {
        problems.push("the register has no figure rows or no case-paper rows".to_string());
    }
    let mut seen = BTreeMap::new();
    for row in reg.figures.iter().chain(&reg.papers) {
        if let Some(first) = seen.insert(row.id.clone(), row.line) {
            problems.push(format!("{} is on line {first} and again on line {}", row.id, row.line));
        }
    }
    for row in &reg.figures {
        // Id | Value | Unit | Meaning | Source | Grade
        if row.cells.len() != 6 {
            problems.push(format!("{} (line {}): {} cells, expected 6", row.id, row.line, row.cells.len()));
            continue;
        }
        for (k, name) in [(1, "value"), (2, "unit"), (3, "meaning"), (4, "source")] {
            if row.cells[k].is_empty() {
                problems.push(format!("{} (line {}) has no {name}", row.id, row.line));
            }
        }
        if !GRADES.contains(&row.cells[5].as_str()) {
            problems.push(format!(
                "{} (line {}): grade {:?} is not one of {:?}",
                row.id, row.line, row.cells[5], GRADES
            ));
        }
    }
    for row in &reg.papers {
        // Id | Seed | Document | Date | Contents
        if row.cells.len() != 5 || row.cells.iter().any(|c| c.is_empty()) {
            problems.push(format!(
                "{} (line {}): a case paper needs seed, document, date and contents",
                row.id, row.line
            ));
        }
    }
    problems
}

/// Citations in `text` (from `name`) that the register does not have.
fn unknown_citations(reg: &Register, name: &str, text: &str) -> Vec<String> {
    let known: BTreeSet<&str> = reg.figures.iter().chain(&reg.papers).map(|r| r.id.as_str()).collect();
    let seeds: BTreeSet<String> = reg
        .papers
        .iter()
        .filter_map(|r| r.cells.get(1))
        .map(|c| c.trim_start_matches("seed ").to_string())
        .collect();
    let (ids, cited_seeds) = citations(text);
    let mut problems = Vec::new();
    for id in ids {
        if !known.contains(id.as_str()) {
            problems.push(format!("{name} cites {id}, which is not in docs/evidence.md"));
        }
    }
    for s in cited_seeds {
        if !seeds.contains(&s) {
            problems.push(format!("{name} cites seed {s}, which is not a case paper in docs/evidence.md"));
        }
    }
    problems
}

/// A comment that says where a figure comes from.
fn cites_a_source(comment: &str) -> bool {
    let (ids, seeds) = citations(comment);
    !ids.is_empty() || !seeds.is_empty() || comment.contains("ASSUMPTION")
}

/// The part of a TOML line after its first `#` outside a string, if any.
fn trailing_comment(line: &str) -> Option<&str> {
    let mut in_string = false;
    for (i, ch) in line.char_indices() {
        match ch {
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(&line[i..]),
            _ => {}
        }
    }
    None
}

/// The comment that belongs to the line after `above`: going up over key lines and
/// table headers, the first run of comment lines met before a blank line. Lines that
/// `trappe calibrate` writes (`# calibrated: …`) record a fit, not a source, and are
/// passed over like key lines.
fn comment_above<'a>(above: &[&'a str]) -> Vec<&'a str> {
    let mut comment = Vec::new();
    for line in above.iter().rev().map(|l| l.trim()) {
        let is_comment = line.starts_with('#') && !line.starts_with("# calibrated:");
        if line.is_empty() || (!is_comment && !comment.is_empty()) {
            break;
        }
        if is_comment {
            comment.push(line);
        }
    }
    comment
}

/// Numeric parameter lines of a scenario with no comment saying where the figure
/// comes from: neither the line's own comment nor the comment above it (see
/// `comment_above`). `[scenario]` and `[simulation]` hold run settings, not figures,
/// and are not checked.
fn unsourced_parameters(name: &str, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut table = String::new();
    let mut problems = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            table = line.trim_matches(|c| c == '[' || c == ']').to_string();
            continue;
        }
        if line.is_empty() || line.starts_with('#') || table == "scenario" || table == "simulation" {
            continue;
        }
        let starts_key =
            line.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '"');
        let Some((key, value)) = line.split_once('=') else { continue };
        let value = match trailing_comment(value) {
            Some(c) => &value[..value.len() - c.len()],
            None => value,
        };
        let value = value.trim();
        if !starts_key || value.starts_with('"') || !value.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let sourced = trailing_comment(line).is_some_and(cites_a_source)
            || comment_above(&lines[..i]).iter().any(|c| cites_a_source(c));
        if !sourced {
            problems.push(format!(
                "{name}:{}: `{}` has no comment citing docs/evidence.md, a case paper or ASSUMPTION",
                i + 1,
                key.trim()
            ));
        }
    }
    problems
}

/// Every parameter table of a scenario that carries `source` or `grade`: its path in
/// the file, the source and the grade.
fn source_keys(text: &str) -> Vec<(String, Option<String>, Option<String>)> {
    fn walk(v: &toml::Value, path: String, out: &mut Vec<(String, Option<String>, Option<String>)>) {
        match v {
            toml::Value::Table(t) => {
                let text = |k: &str| t.get(k).and_then(|x| x.as_str()).map(str::to_string);
                if t.contains_key("source") || t.contains_key("grade") {
                    out.push((path.clone(), text("source"), text("grade")));
                }
                for (k, x) in t {
                    walk(x, if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, out);
                }
            }
            toml::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let value: toml::Value = toml::from_str(text).unwrap_or_else(|e| panic!("not TOML: {e}"));
    let mut out = Vec::new();
    walk(&value, String::new(), &mut out);
    out
}

/// The register's grade of an entry: its grade column for a figure, `M` for a case
/// paper (the municipality's own paper is what grade M means).
fn register_grade<'a>(reg: &'a Register, id: &str) -> Option<&'a str> {
    if let Some(row) = reg.figures.iter().find(|r| r.id == id) {
        return row.cells.get(5).map(String::as_str);
    }
    reg.papers.iter().any(|r| r.id == id).then_some("M")
}

/// Parameters of a scenario whose `source` names an entry the register lacks, or whose
/// `grade` differs from the register's grade of the entry it names. A source that is
/// one id must carry that entry's grade. A source citing several entries (or an id
/// inside a longer citation) may carry the grade of any entry it cites, or `EST`: a
/// figure the project derives from several entries is the project's estimate.
fn source_grade_problems(reg: &Register, name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, source, grade) in source_keys(text) {
        let Some(source) = source else { continue };
        let ids = citations(&source).0;
        let mut grades = Vec::new();
        for id in &ids {
            match register_grade(reg, id) {
                Some(g) => grades.push(g),
                None => problems
                    .push(format!("{name}: `{path}` has source {id}, which is not in docs/evidence.md")),
            }
        }
        let (Some(grade), false) = (grade, grades.is_empty()) else { continue };
        let whole = whole_id(source.trim());
        let fits =
            if whole { grades[0] == grade } else { grade == "EST" || grades.contains(&grade.as_str()) };
        if !fits {
            let wanted = if whole { format!("`{}`", grades[0]) } else { format!("EST or one of {grades:?}") };
            problems.push(format!(
                "{name}: `{path}` has source {source:?} with grade `{grade}`, but docs/evidence.md grades it {wanted}"
            ));
        }
    }
    problems
}

/// Files mentioning the parameter table outside the repository.
fn outside_mentions(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for needle in [OUTSIDE_TABLE, OUTSIDE_DIR, OUTSIDE_BRIEF] {
            if line.contains(needle) {
                problems.push(format!("{name}:{}: mentions {needle}, which is not in the repository", i + 1));
            }
        }
    }
    problems
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())))
        .into_owned()
}

fn register() -> Register {
    parse_register(&read(&repo().join("docs/evidence.md")))
}

/// Every file under `dir` (recursively), leaving out build output and version control.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if name != "target" && name != ".git" {
                out.extend(files_under(&path));
            }
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo()).unwrap_or(path).display().to_string()
}

/// The files whose citations must resolve: scenarios (with the observed figures),
/// benchmark scenarios, the documentation and the README.
fn citing_files() -> Vec<PathBuf> {
    let root = repo();
    let mut files: Vec<PathBuf> = ["scenarios", "docs", "benches"]
        .iter()
        .flat_map(|d| files_under(&root.join(d)))
        .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "md" || x == "csv"))
        .collect();
    files.push(root.join("README.md"));
    files
}

fn shipped_scenarios() -> Vec<PathBuf> {
    files_under(&repo().join("scenarios"))
        .into_iter()
        .filter(|p| {
            p.parent() == Some(&repo().join("scenarios")) && p.extension().is_some_and(|x| x == "toml")
        })
        .collect()
}

fn assert_none(problems: Vec<String>) {
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_register_entry_has_value_unit_source_and_a_grade_from_the_scale() {
    let reg = register();
    assert!(reg.figures.len() >= 50, "only {} figure rows parsed from docs/evidence.md", reg.figures.len());
    assert_none(register_problems(&reg));
}

#[test]
fn register_ids_are_unique() {
    let reg = register();
    let mut seen = BTreeSet::new();
    let dups: Vec<String> = reg
        .figures
        .iter()
        .chain(&reg.papers)
        .filter(|r| !seen.insert(r.id.clone()))
        .map(|r| r.id.clone())
        .collect();
    assert!(dups.is_empty(), "ids listed twice in docs/evidence.md: {dups:?}");
}

#[test]
fn every_cited_evidence_id_and_seed_is_in_the_register() {
    let reg = register();
    let files = citing_files();
    assert!(files.len() > 10, "found only {} files to check", files.len());
    let mut cited = 0;
    let mut problems = Vec::new();
    for path in files {
        let text = read(&path);
        cited += citations(&text).0.len();
        problems.extend(unknown_citations(&reg, &relative(&path), &text));
    }
    assert!(cited >= 100, "only {cited} evidence ids cited across scenarios and docs");
    assert_none(problems);
}

#[test]
fn every_numeric_parameter_in_a_shipped_scenario_has_a_source_or_says_assumption() {
    let files = shipped_scenarios();
    assert!(files.len() >= 8, "found only {} shipped scenarios", files.len());
    let mut problems = Vec::new();
    for path in files {
        problems.extend(unsourced_parameters(&relative(&path), &read(&path)));
    }
    assert_none(problems);
}

#[test]
fn every_source_key_names_a_register_entry_with_its_grade() {
    let reg = register();
    let mut problems = Vec::new();
    let mut keyed = 0;
    for path in shipped_scenarios() {
        let text = read(&path);
        keyed += source_keys(&text).iter().filter(|(_, s, _)| s.is_some()).count();
        problems.extend(source_grade_problems(&reg, &relative(&path), &text));
    }
    assert!(keyed >= 10, "only {keyed} parameters with a `source` key in the shipped scenarios");
    assert_none(problems);
}

#[test]
fn no_file_points_at_a_parameter_table_outside_the_repository() {
    let root = repo();
    let files: Vec<PathBuf> = files_under(&root);
    assert!(files.iter().any(|p| p.ends_with("docs/evidence.md")), "the walk did not reach docs/");
    let mut problems = Vec::new();
    for path in files {
        problems.extend(outside_mentions(&relative(&path), &read(&path)));
    }
    assert_none(problems);
}

/// Each check finds what it is meant to find: a broken register, an unknown citation,
/// an unsourced parameter and a mention of the outside table.
#[test]
fn the_checks_fail_on_broken_texts() {
    let good = "| Grade | Meaning |\n|---|---|\n";
    let scale: String = GRADES.iter().map(|g| format!("| `{g}` | m |\n")).collect();
    let papers =
        "| Id | Seed | Document | Date | Contents |\n| P-XYZ-2001 | seed 007 | A memo | 2001 | Things |\n";
    let figures = "| Id | Value | Unit | Meaning | Source | Grade |\n\
                   | E-BEN-1 | 100 | DKK | A rate | A table | A |\n\
                   | E-BEN-2 |  | DKK | A rate | A table | A |\n\
                   | E-BEN-3 | 100 | DKK | A rate | A table | Z |\n\
                   | E-BEN-1 | 100 | DKK | A rate | A table | B |\n";
    let reg = parse_register(&format!("{good}{scale}{papers}{figures}"));
    assert_eq!(reg.grades, GRADES);
    let problems = register_problems(&reg).join("\n");
    assert!(problems.contains("E-BEN-2 (line") && problems.contains("has no value"), "{problems}");
    assert!(problems.contains("grade \"Z\""), "{problems}");
    assert!(problems.contains("E-BEN-1 is on line"), "{problems}");

    let cited =
        unknown_citations(&reg, "x.toml", "# E-BEN-1, E-BEN-9, P-XYZ-2001, P-ABC-1999; seed 007, seed 004\n");
    assert_eq!(cited.len(), 3, "{cited:?}");
    assert!(cited.iter().any(|p| p.contains("E-BEN-9")) && cited.iter().any(|p| p.contains("P-ABC-1999")));
    assert!(cited.iter().any(|p| p.contains("seed 004")));
    assert!(citations("SE-1, RATE-2, E-BEN, E-ben-1, P-AB-2001, xE-BEN-1").0.is_empty());

    let scenario = "[simulation]\nseed = 1\n\n[staffing]\n# About 10 (E-BEN-1).\nbaseline_fte = 10\ncaseload_ref = 50\n\
                    # Clamp.\nmultiplier_min = 0.5\n\n[[targets]]\nname = \"x\"\nat_least = 0.1\n\n\
                    # ASSUMPTION: 2.\n[[transitions]]\nfrom = \"a\"\n# calibrated: x 1.5\nprobability = 0.2   # 30,000 / 12\n\
                    [budget.wider]\ntax = 2500  # ASSUMPTION\nlabel = \"no 1 number\"\n";
    let unsourced = unsourced_parameters("s.toml", scenario);
    assert_eq!(unsourced.len(), 2, "{unsourced:?}");
    assert!(unsourced[0].contains("s.toml:9: `multiplier_min`"), "{unsourced:?}");
    assert!(unsourced[1].contains("s.toml:13: `at_least`"), "{unsourced:?}");

    let keyed = "[budget]\nstaff_cost_per_fte_year = { value = 1, source = \"E-BEN-1\", grade = \"EST\" }\n\
                 [budget.wider]\ntax = { value = 1, source = \"E-BEN-9\" }\n\
                 state_tax = { value = 1, source = \"P-XYZ-2001\", grade = \"M\" }\n\
                 equalisation = { value = 1, source = \"E-BEN-1 and P-XYZ-2001\", grade = \"EST\" }\n\
                 multiplier = { value = 1, source = \"E-BEN-1, P-XYZ-2001\", grade = \"B\" }\n";
    let graded = source_grade_problems(&reg, "k.toml", keyed);
    assert_eq!(graded.len(), 3, "{graded:?}");
    let has = |a: &str, b: &str| graded.iter().any(|p| p.contains(a) && p.contains(b));
    assert!(has("`budget.staff_cost_per_fte_year`", "grades it `A`"), "{graded:?}");
    assert!(has("`budget.wider.tax` has source E-BEN-9", "which is not"), "{graded:?}");
    assert!(has("`budget.wider.multiplier`", "EST or one of"), "{graded:?}");

    let outside =
        outside_mentions("d.md", &format!("see {OUTSIDE_DIR}/{OUTSIDE_TABLE}\nfine\n{OUTSIDE_TABLE} §2\n"));
    assert_eq!(outside.len(), 3, "{outside:?}");
}
