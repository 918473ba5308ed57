//! Where a key is written in a scenario file, for diagnostics: a [`KeyPath`] names
//! a key, and the functions here find its line and column (and the value's text as
//! written) in the TOML source, or turn a TOML parse error into a [`Diagnostic`]
//! with the key, the nearest valid one, and a hint for a decimal comma or an
//! unquoted key with æ, ø or å.

use crate::error::{Diagnostic, nearest};
use std::fmt;

/// A path to a key in a scenario file, e.g. `transitions[2].probability`: how a
/// problem names the key it is about, and what is looked up to find its line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

/// One step of a [`KeyPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index (0-based).
    Index(usize),
}

impl KeyPath {
    /// A path from dotted text (`"budget.reimbursement.regime"`); no indices.
    pub fn parse(dotted: &str) -> Self {
        KeyPath(dotted.split('.').filter(|s| !s.is_empty()).map(|s| Seg::Key(s.to_string())).collect())
    }
    /// This path extended by a key.
    pub fn key(&self, k: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }
    /// This path extended by an index.
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.0 {
            match s {
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// A diagnostic for the key at `key` of the scenario file at `path` whose text is
/// `source`: with the line, column and text of the deepest part of the key written
/// in the file, so that the user sees where to look.
pub fn key_diagnostic(
    path: &str,
    source: &str,
    key: &KeyPath,
    message: String,
    suggestion: Option<String>,
) -> Diagnostic {
    let span = locate(source, key);
    let (line, column, snippet) = match span {
        Some(offset) => {
            let (l, c) = line_col(source, offset);
            (Some(l), Some(c), source.lines().nth(l - 1).map(|s| s.trim_end().to_string()))
        }
        None => (None, None, None),
    };
    Diagnostic {
        file: path.to_string(),
        line,
        column,
        key: key.to_string(),
        message,
        suggestion,
        snippet,
        ..Default::default()
    }
}

/// Turns a TOML/serde error into a diagnostic with line, key and nearest valid key,
/// so that a file that does not parse is reported like one that does not validate.
pub fn parse_diagnostic(path: &str, source: &str, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_string();
    let (line, column, snippet) = match e.span() {
        Some(span) => {
            let (l, c) = line_col(source, span.start);
            (Some(l), Some(c), source.lines().nth(l - 1).map(|s| s.trim_end().to_string()))
        }
        None => (None, None, None),
    };
    let mut key = e.span().map(|s| key_at(source, s.start)).unwrap_or_default();
    let (mut line, mut column, mut snippet) = (line, column, snippet);
    if let Some(missing) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
        // A missing top-level section is reported against the whole file: no line to show.
        let whole_file = e.span().is_some_and(|s| s.start == 0);
        if whole_file {
            (line, column, snippet) = (None, None, None);
            key = missing.to_string();
        } else {
            key = if key.is_empty() { missing.to_string() } else { format!("{key}.{missing}") };
        }
    }
    let suggestion = suggestion_from_serde(&message);
    let message = message.replace("unknown field", "unknown key").replace("missing field", "missing key");
    let hint = snippet.as_deref().and_then(|text| {
        let at = e.span().map(|s| s.start - line_start(source, s.start)).unwrap_or(0);
        decimal_comma_hint(text).or_else(|| non_ascii_key(text, at).map(|k| non_ascii_key_hint(&k)))
    });
    let hint = hint.or_else(|| {
        let span = e.span().filter(|_| message == "duplicate key")?;
        duplicate_key_hint(source, span.start, span.end)
    });
    let snippet = snippet.filter(|s| !s.trim().is_empty());
    Diagnostic {
        file: path.to_string(),
        line,
        column,
        key,
        message,
        suggestion,
        snippet,
        hint,
        ..Default::default()
    }
}

/// A hint for a key written twice in one table: where the first one is. Two
/// spellings of one key (`2024` and `"2024"`) are the same key in TOML, so the
/// hint shows both as written.
fn duplicate_key_hint(source: &str, start: usize, end: usize) -> Option<String> {
    let written = source.get(start..end)?.trim();
    let name = written.trim_matches(|c| c == '"' || c == '\'');
    if name.is_empty() {
        return None;
    }
    let before = &source[..start];
    let first = [name.to_string(), format!("\"{name}\""), format!("'{name}'")]
        .iter()
        .filter_map(|form| {
            before.rmatch_indices(form.as_str()).find(|&(i, _)| {
                let after = before[i + form.len()..].trim_start_matches([' ', '\t']);
                let prev = before[..i].chars().next_back();
                after.starts_with('=') && prev.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'))
            })
        })
        .map(|(i, form)| (i, form.to_string()))
        .max_by_key(|&(i, _)| i);
    let (at, form) = first?;
    let (line, _) = line_col(source, at);
    let again = if form == written { String::new() } else { format!(", and `{written}` is the same key") };
    let year = if name.bytes().all(|b| b.is_ascii_digit()) {
        " (a year written with or without quotes is one key)"
    } else {
        ""
    };
    Some(format!(
        "`{form}` is already given on line {line}{again}; a table holds each key once{year}: keep one"
    ))
}

/// Byte offset of the start of the line holding byte `offset`.
fn line_start(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].rfind('\n').map(|p| p + 1).unwrap_or(0)
}

/// A hint for a number written with a decimal comma (`0,02`) or a thousands comma
/// (`600,000`) after a `=` on `line`: TOML has neither.
pub fn decimal_comma_hint(line: &str) -> Option<String> {
    let bytes = line.as_bytes();
    for (eq, _) in line.match_indices('=') {
        let mut i = eq + 1;
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let start = i;
        if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
            i += 1;
        }
        let int_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_digits = &line[int_start..i];
        if int_digits.is_empty() || i >= bytes.len() || bytes[i] != b',' {
            continue;
        }
        let mut groups: Vec<&str> = Vec::new();
        while i < bytes.len() && bytes[i] == b',' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let from = i + 1;
            i = from;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            groups.push(&line[from..i]);
        }
        if groups.is_empty() {
            continue;
        }
        let sign = &line[start..int_start];
        let thousands =
            !int_digits.starts_with('0') && int_digits.len() <= 3 && groups.iter().all(|g| g.len() == 3);
        return Some(if thousands {
            let whole: String = std::iter::once(int_digits).chain(groups.iter().copied()).collect();
            let underscored =
                std::iter::once(int_digits).chain(groups.iter().copied()).collect::<Vec<_>>().join("_");
            format!(
                "TOML numbers have no thousands separators: write `{sign}{whole}` or `{sign}{underscored}`; a decimal is written with a point"
            )
        } else if groups.len() == 1 {
            format!("TOML writes decimals with a point: `{sign}{int_digits}.{}`", groups[0])
        } else {
            "TOML writes decimals with a point and numbers without thousands separators".to_string()
        });
    }
    None
}

/// The bare key on `line` around byte `at` that holds a character TOML does not allow
/// in an unquoted key (æ, ø, å or any other beyond ASCII letters, digits, `_`, `-`).
fn non_ascii_key(line: &str, at: usize) -> Option<String> {
    let bare = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let at = (0..=at.min(line.len())).rev().find(|&i| line.is_char_boundary(i))?;
    let start = line[..at].char_indices().rev().take_while(|&(_, c)| bare(c)).last().map_or(at, |(i, _)| i);
    let end = line[at..].char_indices().find(|&(_, c)| !bare(c)).map_or(line.len(), |(i, _)| at + i);
    let word = &line[start..end];
    let before = line[..start].trim_end();
    let in_quotes = before.ends_with('"') || before.ends_with('\'');
    (!in_quotes && !word.is_ascii() && !word.is_empty()).then(|| word.to_string())
}

/// The hint for an unquoted key with letters beyond ASCII.
fn non_ascii_key_hint(key: &str) -> String {
    let odd: String = key
        .chars()
        .filter(|c| !c.is_ascii())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    format!(
        "a key with letters beyond a-z ({odd}) must be quoted: `\"{key}\"`; or write it in ASCII (the keys trappe defines are all ASCII)"
    )
}

/// `source` with the unquoted key `key` on line `line` (1-based) put in quotes: to
/// find out, by parsing again, whether the key is known once TOML can read it.
pub fn quote_key_on_line(source: &str, line: usize, key: &str) -> Option<String> {
    let mut out = String::with_capacity(source.len() + 2);
    let mut done = false;
    for (i, l) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line && !done {
            let at = l.find(key)?;
            out.push_str(&l[..at]);
            out.push('"');
            out.push_str(key);
            out.push('"');
            out.push_str(&l[at + key.len()..]);
            done = true;
        } else {
            out.push_str(l);
        }
    }
    done.then_some(out)
}

/// The unquoted key with letters beyond ASCII that a parse diagnostic's hint is about.
pub fn unquoted_non_ascii_key(d: &Diagnostic) -> Option<String> {
    let column = d.column?;
    let snippet = d.snippet.as_deref()?;
    // The column counts bytes from 1, as `line_col` gives it.
    non_ascii_key(snippet, column.saturating_sub(1))
}

/// The text of the value at `key` exactly as written in the file (e.g. `600.000`),
/// or `None` if the key is not written there: what a plausibility warning quotes.
pub fn written_value(source: &str, key: &KeyPath) -> Option<String> {
    use toml_edit::{Item, Value};
    let doc = toml_edit::Document::parse(source).ok()?;
    let mut table: &toml_edit::Table = doc.as_table();
    let mut value: Option<&Value> = None;
    let mut tables: Option<&toml_edit::ArrayOfTables> = None;
    for seg in &key.0 {
        match (value, tables, seg) {
            (None, None, Seg::Key(k)) => match table.get(k)? {
                Item::Value(v) => value = Some(v),
                Item::Table(t) => table = t,
                Item::ArrayOfTables(a) => tables = Some(a),
                Item::None => return None,
            },
            (None, Some(a), Seg::Index(i)) => {
                table = a.get(*i)?;
                tables = None;
            }
            (Some(v), _, Seg::Key(k)) => value = Some(v.as_inline_table()?.get(k)?),
            (Some(v), _, Seg::Index(i)) => value = Some(v.as_array()?.get(*i)?),
            _ => return None,
        }
    }
    let span = value?.span()?;
    source.get(span).map(|t| t.trim().to_string())
}

/// Line and column (both 1-based) of byte `offset` in `source`.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map(|p| offset - p).unwrap_or(offset + 1);
    (line, col)
}

/// The line (1-based) of the deepest part of `path` written in `source`.
pub fn line_of_key(source: &str, path: &KeyPath) -> Option<usize> {
    locate(source, path).map(|offset| line_col(source, offset).0)
}

/// Byte offset of the deepest part of `path` that exists in the document.
fn locate(source: &str, path: &KeyPath) -> Option<usize> {
    let doc = toml_edit::Document::parse(source).ok()?;
    locate_item(doc.as_item(), &path.0)
}

/// Byte offset of the first key written in a table (for a table without a header).
fn first_key_offset(t: &toml_edit::Table) -> Option<usize> {
    t.iter().filter_map(|(k, _)| t.key(k).and_then(|k| k.span()).map(|s| s.start)).min()
}

/// Byte offset of the deepest part of `rest` found under a table.
fn locate_in_table(t: &toml_edit::Table, rest: &[Seg]) -> Option<usize> {
    if rest.is_empty() {
        return t.span().map(|s| s.start).or_else(|| first_key_offset(t));
    }
    match &rest[0] {
        Seg::Key(k) => {
            let key_off = t.key(k).and_then(|k| k.span()).map(|s| s.start);
            let Some(next) = t.get(k) else {
                return first_key_offset(t);
            };
            let deeper = locate_item(next, &rest[1..]);
            deeper.or(key_off)
        }
        Seg::Index(_) => first_key_offset(t),
    }
}

/// Byte offset of the deepest part of `rest` found under an item (a table, an array
/// of tables, or a value).
fn locate_item(item: &toml_edit::Item, rest: &[Seg]) -> Option<usize> {
    use toml_edit::Item;
    if rest.is_empty() {
        return match item {
            Item::Value(v) => v.span().map(|s| s.start),
            Item::Table(t) => t.span().map(|s| s.start).or_else(|| first_key_offset(t)),
            _ => None,
        };
    }
    match (item, &rest[0]) {
        (Item::Table(t), _) => locate_in_table(t, rest),
        (Item::ArrayOfTables(a), Seg::Index(i)) => a.get(*i).and_then(|t| locate_in_table(t, &rest[1..])),
        (Item::Value(v), _) => locate_value(v, rest),
        _ => None,
    }
}

/// Byte offset of the deepest part of `rest` found inside a value (inline tables and arrays).
fn locate_value(v: &toml_edit::Value, rest: &[Seg]) -> Option<usize> {
    use toml_edit::Value;
    if rest.is_empty() {
        return v.span().map(|s| s.start);
    }
    match (v, &rest[0]) {
        (Value::InlineTable(t), Seg::Key(k)) => {
            let key_off = t.key(k).and_then(|k| k.span()).map(|s| s.start);
            match t.get(k) {
                Some(next) => locate_value(next, &rest[1..]).or(key_off),
                None => v.span().map(|s| s.start),
            }
        }
        (Value::Array(a), Seg::Index(i)) => match a.get(*i) {
            Some(next) => locate_value(next, &rest[1..]),
            None => v.span().map(|s| s.start),
        },
        _ => v.span().map(|s| s.start),
    }
}

/// The dotted key whose definition covers `offset`, found from the table headers above it.
fn key_at(source: &str, offset: usize) -> String {
    let before = &source[..offset.min(source.len())];
    let header = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && !l.contains('='))
        .map(|l| l.trim_start_matches('[').split(']').next().unwrap_or("").trim().to_string())
        .unwrap_or_default();
    let line_start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
    let line = source[line_start..].lines().next().unwrap_or("");
    let this_key = line
        .split('=')
        .next()
        .map(str::trim)
        .filter(|k| !k.starts_with('[') && !k.starts_with('#') && !k.is_empty());
    // An error on a table header itself belongs to that table.
    let header = if line.trim_start().starts_with('[') {
        line.trim().trim_start_matches('[').split(']').next().unwrap_or("").trim().to_string()
    } else {
        header
    };
    match (header.is_empty(), this_key) {
        (true, Some(k)) => k.to_string(),
        (false, Some(k)) if line.contains('=') => format!("{header}.{k}"),
        _ => header,
    }
}

/// From serde's "unknown field `x`, expected one of `a`, `b`" the nearest of `a`, `b`.
pub fn suggestion_from_serde(message: &str) -> Option<String> {
    if !(message.starts_with("unknown field") || message.starts_with("unknown variant")) {
        return None;
    }
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let (bad, candidates) = quoted.split_first()?;
    nearest(bad, candidates.iter().copied())
}

/// A problem in a CSV input file (the cohort extract, the observed figures): on file
/// line `line` (1-based) of `lines`, in the column `column` (index, header name) if
/// given, with the line quoted.
pub fn csv_cell_diagnostic(
    path: &str,
    lines: &[&str],
    line: Option<usize>,
    column: Option<(usize, &str)>,
    message: String,
    suggestion: Option<String>,
) -> Diagnostic {
    let message = match column {
        Some((i, name)) => format!("column {} (`{name}`): {message}", i + 1),
        None => message,
    };
    let snippet = line.and_then(|l| lines.get(l.wrapping_sub(1))).map(|s| s.trim_end().to_string());
    Diagnostic { file: path.to_string(), line, message, suggestion, snippet, ..Default::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_and_thousands_commas_get_their_hints() {
        let hint = |l: &str| decimal_comma_hint(l).unwrap_or_default();
        assert!(hint("probability = 0,02").ends_with("with a point: `0.02`"));
        assert!(hint("x = { mean = -1,5, sd = 0,2 }").ends_with("with a point: `-1.5`"));
        assert!(hint("cost = 1,234,567").contains("write `1234567` or `1_234_567`"));
        assert_eq!(decimal_comma_hint("name = \"a\""), None);
    }

    #[test]
    fn an_unquoted_key_with_danish_letters_is_found_around_the_error() {
        let line = "sagsbehandlerløn = 1";
        assert_eq!(non_ascii_key(line, 14).as_deref(), Some("sagsbehandlerløn"));
        assert_eq!(non_ascii_key("[budget.benefit_rates.kontanthjælp]", 30).as_deref(), Some("kontanthjælp"));
        assert_eq!(non_ascii_key("\"løn\" = 1", 2), None);
    }
}
