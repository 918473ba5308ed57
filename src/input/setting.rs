//! `--set PATH=VALUE`: one value of a scenario file given on the command line
//! instead, so that a variant of a scenario needs no edited copy of its file.
//!
//! A [`Setting`] names a single value by its key path, written as diagnostics write
//! it (`staffing.hires[0].fte`, `budget.staff_cost_per_fte_year`,
//! `staffing.elasticity.mode`), and gives the new value in TOML (`3`, `0.05`,
//! `"2020-01"`, `true`). [`apply`] writes the settings into the file's text with
//! `toml_edit`, keeping everything else as written; the result is then read and
//! validated exactly as a file is, so a value is refused with the file's own error,
//! and [`Setting::diagnostic`] names the `--set` argument instead of a line of the
//! file the user never wrote. A key the file leaves out but the format allows (an
//! optional value, a year in a table of amounts) is added. A key that the format takes
//! either as a number or as a distribution table (an uncertain parameter) may be given a
//! single value in place of its table: `staffing.elasticity=0` fixes the parameter at 0,
//! as `elasticity = 0` in the file would, the table's `source` and `grade` going with it.

use crate::error::{Diagnostic, nearest};
use crate::input::locate::{KeyPath, Seg, decimal_comma_hint, line_of_key, suggestion_from_serde};
use std::fmt;
use toml_edit::{DocumentMut, Item, Table, Value};

/// One `--set PATH=VALUE`: the key path and the value to give it.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The argument as given (trimmed), for messages and the run's manifest.
    pub arg: String,
    /// The key to set.
    pub path: KeyPath,
    /// The new value (a number, true or false, text or a date; never a table or array).
    pub value: Value,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arg)
    }
}

impl Setting {
    /// Reads one `PATH=VALUE` argument; a diagnostic naming the argument if it is not
    /// one (no `=`, a path that is not a key path, a value that is not TOML or is
    /// not a single value).
    pub fn parse(arg: &str) -> Result<Setting, Box<Diagnostic>> {
        let arg = arg.trim();
        let refuse = |key: &str, message: String, hint: Option<String>| {
            Box::new(Diagnostic {
                file: format!("--set {arg}"),
                key: key.to_string(),
                message,
                hint,
                ..Default::default()
            })
        };
        let Some((path_text, value_text)) = arg.split_once('=') else {
            return Err(refuse(
                "",
                "expected PATH=VALUE, a key of the scenario file and its new value, e.g. staffing.hires[0].fte=3"
                    .into(),
                None,
            ));
        };
        let (path_text, value_text) = (path_text.trim(), value_text.trim());
        let path = parse_path(path_text).ok_or_else(|| {
            refuse(
                path_text,
                format!(
                    "`{path_text}` is not a key path: write the keys joined by dots and an entry of a list by \
                     its number from 0 in brackets, e.g. staffing.hires[0].fte"
                ),
                None,
            )
        })?;
        let value: Value = value_text.parse().map_err(|_| {
            refuse(
                path_text,
                format!(
                    "the value `{value_text}` is not TOML: expected a number (3, 0.05, 650000), true or \
                     false, or text in double quotes (\"2020-01\")"
                ),
                decimal_comma_hint(&format!("{path_text} = {value_text}")).or_else(|| {
                    Some(format!(
                        "the shell removes quotes, so put the whole argument in single quotes: --set '{path_text}=\"{value_text}\"'"
                    ))
                }),
            )
        })?;
        if let Some(holds) = compound(&value) {
            return Err(refuse(
                path_text,
                format!(
                    "the value is {holds}; --set gives one key a single value (a number, true or false, or text): \
                     set the keys inside one by one"
                ),
                None,
            ));
        }
        Ok(Setting { arg: arg.to_string(), path, value })
    }

    /// A problem with this setting's value: reported against the `--set` argument,
    /// with the key path, instead of a line of the scenario file.
    pub fn diagnostic(&self, message: String, suggestion: Option<String>) -> Diagnostic {
        Diagnostic {
            file: format!("--set {}", self.arg),
            key: self.path.to_string(),
            message,
            suggestion,
            ..Default::default()
        }
    }
}

/// Reads every `PATH=VALUE` argument; every one that is not one is reported.
pub fn parse_all<S: AsRef<str>>(args: &[S]) -> Result<Vec<Setting>, Vec<Diagnostic>> {
    let (ok, bad): (Vec<_>, Vec<_>) =
        args.iter().map(|a| Setting::parse(a.as_ref())).partition(Result::is_ok);
    if bad.is_empty() {
        Ok(ok.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(bad.into_iter().filter_map(Result::err).map(|d| *d).collect())
    }
}

/// A key path as `--set` takes it: keys joined by dots, each followed by any number
/// of `[n]`; a key holding a dot or a bracket is written in double quotes.
fn parse_path(text: &str) -> Option<KeyPath> {
    let mut segs = Vec::new();
    let mut rest = text;
    loop {
        let (key, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = rest.find(['.', '[', ']', '"']).unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        if key.is_empty() {
            return None;
        }
        segs.push(Seg::Key(key.to_string()));
        rest = after;
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            let digits = &inner[..close];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            segs.push(Seg::Index(digits.parse().ok()?));
            rest = &inner[close + 1..];
        }
        match rest.strip_prefix('.') {
            Some(next) => rest = next,
            None if rest.is_empty() => return Some(KeyPath(segs)),
            None => return None,
        }
    }
}

/// What a table or array value is, or `None` for a single value.
fn compound(v: &Value) -> Option<String> {
    match v {
        Value::InlineTable(t) => Some(table_words(t.iter().map(|(k, _)| k))),
        Value::Array(a) if a.len() == 1 => Some("a list of 1 value".into()),
        Value::Array(a) => Some(format!("a list of {} values", a.len())),
        _ => None,
    }
}

/// "a table with the keys `a`, `b`".
fn table_words<'a>(keys: impl Iterator<Item = &'a str>) -> String {
    let keys: Vec<String> = keys.map(|k| format!("`{k}`")).collect();
    if keys.is_empty() {
        "an empty table".into()
    } else {
        format!("a table with the keys {}", keys.join(", "))
    }
}

/// Why a setting cannot be written into the file.
#[derive(Debug)]
enum Refusal {
    /// `key` is not in the table at `parent`, and there is more of the path after it.
    Missing { parent: KeyPath, key: String },
    /// The list at `at` has `len` entries; `index` is beyond them.
    OutOfRange { at: KeyPath, index: usize, len: usize },
    /// The path goes on past a single value, or indexes a table, or names a key of a list.
    Shape { at: KeyPath, holds: String, wanted: &'static str, example: Option<String> },
    /// The path ends at a table or a list, not a single value.
    NotSingle { holds: String, example: Option<String> },
}

/// The scenario text with every setting written in, in order (a later setting of the
/// same key wins); or a diagnostic per setting that names no single value of the
/// file or of the format.
pub fn apply(source: &str, settings: &[Setting]) -> Result<String, Vec<Diagnostic>> {
    let mut doc: DocumentMut = source.parse().map_err(|e: toml_edit::TomlError| {
        vec![Diagnostic { message: e.message().to_string(), ..Default::default() }]
    })?;
    let mut problems = Vec::new();
    for s in settings {
        let to = Target { value: &s.value, replaces_table: takes_single_value(source, &s.path) };
        if let Err(refusal) = set_in_table(doc.as_table_mut(), &KeyPath::default(), &s.path.0, &to) {
            problems.push(explain(s, refusal, source));
        }
    }
    if problems.is_empty() { Ok(doc.to_string()) } else { Err(problems) }
}

/// What a setting writes: its value, and whether the value may replace a table at its
/// path (a distribution table of a key the format also takes as a number).
struct Target<'a> {
    /// The new value.
    value: &'a Value,
    /// Whether a table at the path is replaced by the value rather than refused.
    replaces_table: bool,
}

/// Whether the scenario format takes a single value at `path` where `source` writes a
/// table: the key is an uncertain parameter, a number or a distribution. Found by
/// writing a number in place of the table and reading the text as a scenario.
fn takes_single_value(source: &str, path: &KeyPath) -> bool {
    let Ok(mut doc) = source.parse::<DocumentMut>() else { return false };
    let number = Target { value: &Value::from(0.5), replaces_table: true };
    if set_in_table(doc.as_table_mut(), &KeyPath::default(), &path.0, &number).is_err() {
        return false;
    }
    toml::from_str::<crate::input::scenario::ScenarioFile>(&doc.to_string()).is_ok()
}

/// Writes `new` at `rest` below the table `t` (at `here`).
fn set_in_table(t: &mut Table, here: &KeyPath, rest: &[Seg], new: &Target) -> Result<(), Refusal> {
    let Some((first, tail)) = rest.split_first() else {
        return Err(Refusal::NotSingle {
            holds: table_words(t.iter().map(|(k, _)| k)),
            example: first_key(t.iter().map(|(k, i)| (k, i.as_value().map_or(Kind::Compound, kind))))
                .map(|k| here.key(&k).to_string()),
        });
    };
    match first {
        Seg::Key(k) => match t.get_mut(k) {
            Some(Item::Table(_)) if tail.is_empty() && new.replaces_table => {
                t.insert(k, Item::Value(new.value.clone()));
                Ok(())
            }
            Some(next) => set_in_item(next, &here.key(k), tail, new),
            None if tail.is_empty() => {
                t.insert(k, Item::Value(new.value.clone()));
                Ok(())
            }
            None => Err(Refusal::Missing { parent: here.clone(), key: k.clone() }),
        },
        Seg::Index(_) => Err(Refusal::Shape {
            at: here.clone(),
            holds: table_words(t.iter().map(|(k, _)| k)),
            wanted: "a list",
            example: None,
        }),
    }
}

/// Writes `new` at `rest` below `item` (at `here`).
fn set_in_item(item: &mut Item, here: &KeyPath, rest: &[Seg], new: &Target) -> Result<(), Refusal> {
    match item {
        Item::Table(t) => set_in_table(t, here, rest, new),
        Item::Value(v) => set_in_value(v, here, rest, new),
        Item::ArrayOfTables(a) => {
            let holds = match a.len() {
                1 => "a list of 1 table".to_string(),
                n => format!("a list of {n} tables"),
            };
            match rest.split_first() {
                None => {
                    let example = a.get(0).and_then(|t| {
                        first_key(t.iter().map(|(k, i)| (k, i.as_value().map_or(Kind::Compound, kind))))
                    });
                    Err(Refusal::NotSingle {
                        holds,
                        example: example.map(|k| here.index(0).key(&k).to_string()),
                    })
                }
                Some((Seg::Index(i), tail)) => {
                    let len = a.len();
                    match a.get_mut(*i) {
                        Some(t) => set_in_table(t, &here.index(*i), tail, new),
                        None => Err(Refusal::OutOfRange { at: here.clone(), index: *i, len }),
                    }
                }
                Some((Seg::Key(k), _)) => Err(Refusal::Shape {
                    at: here.clone(),
                    holds,
                    wanted: "a table",
                    example: Some(format!("{}[0].{k}", here)),
                }),
            }
        }
        Item::None => Err(Refusal::NotSingle { holds: "nothing".into(), example: None }),
    }
}

/// Writes `new` at `rest` below the value `v` (at `here`), keeping the comments and
/// spacing around a value it replaces.
fn set_in_value(v: &mut Value, here: &KeyPath, rest: &[Seg], new: &Target) -> Result<(), Refusal> {
    let Some((first, tail)) = rest.split_first() else {
        let replaceable = matches!(v, Value::InlineTable(_)) && new.replaces_table;
        if let Some(holds) = compound(v).filter(|_| !replaceable) {
            let example = match v {
                Value::InlineTable(t) => {
                    first_key(t.iter().map(|(k, v)| (k, kind(v)))).map(|k| here.key(&k).to_string())
                }
                _ => Some(here.index(0).to_string()),
            };
            return Err(Refusal::NotSingle { holds, example });
        }
        let decor = v.decor().clone();
        *v = new.value.clone();
        *v.decor_mut() = decor;
        return Ok(());
    };
    let holds = compound(v).unwrap_or_else(|| format!("the single value {}", v.to_string().trim()));
    match (v, first) {
        (Value::InlineTable(t), Seg::Key(k)) => match t.get_mut(k) {
            Some(next) => set_in_value(next, &here.key(k), tail, new),
            None if tail.is_empty() => {
                t.insert(k, new.value.clone());
                Ok(())
            }
            None => Err(Refusal::Missing { parent: here.clone(), key: k.clone() }),
        },
        (Value::Array(a), Seg::Index(i)) => {
            let len = a.len();
            match a.get_mut(*i) {
                Some(next) => set_in_value(next, &here.index(*i), tail, new),
                None => Err(Refusal::OutOfRange { at: here.clone(), index: *i, len }),
            }
        }
        (Value::Array(_), Seg::Key(k)) => Err(Refusal::Shape {
            at: here.clone(),
            holds,
            wanted: "a table",
            example: Some(format!("{here}[0].{k}")),
        }),
        (_, Seg::Index(_)) => {
            Err(Refusal::Shape { at: here.clone(), holds, wanted: "a list", example: None })
        }
        (_, Seg::Key(_)) => Err(Refusal::Shape { at: here.clone(), holds, wanted: "a table", example: None }),
    }
}

/// What a value is, for choosing an example key: a number is the likeliest key to
/// set (a distribution's `mode` rather than its `dist`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Number,
    Single,
    Compound,
}

/// The kind of a value.
fn kind(v: &Value) -> Kind {
    match v {
        Value::Integer(_) | Value::Float(_) => Kind::Number,
        Value::InlineTable(_) | Value::Array(_) => Kind::Compound,
        _ => Kind::Single,
    }
}

/// The first key holding a number, else a single value, else the first key: an
/// example of a path `--set` takes below a table.
fn first_key<'a>(keys: impl Iterator<Item = (&'a str, Kind)>) -> Option<String> {
    let keys: Vec<(&str, Kind)> = keys.collect();
    let best = keys.iter().map(|(_, k)| *k).min()?;
    keys.iter().find(|(_, k)| *k == best).map(|(k, _)| k.to_string())
}

/// The diagnostic for a setting that cannot be written in.
fn explain(s: &Setting, refusal: Refusal, source: &str) -> Diagnostic {
    match refusal {
        Refusal::Missing { parent, key } => missing(s, &parent, &key, source),
        Refusal::OutOfRange { at, index, len } => {
            let entries = match len {
                0 => "no entries".to_string(),
                1 => format!("1 entry, `{at}[0]`"),
                n => format!("{n} entries, `{at}[0]` to `{at}[{}]`", n - 1),
            };
            s.diagnostic(
                format!(
                    "there is no `{}`: `{at}` has {entries}; --set changes a value the file has, and cannot add an entry",
                    at.index(index)
                ),
                None,
            )
        }
        Refusal::Shape { at, holds, wanted, example } => {
            s.diagnostic(format!("`{at}` holds {holds}, not {wanted}, so it has no `{}`", s.path), example)
        }
        Refusal::NotSingle { holds, example } => s.diagnostic(
            format!(
                "it holds {holds}, not a single value or a distribution that a number can replace; --set gives \
                 one key a number, true or false, or text: name one of the keys inside"
            ),
            example,
        ),
    }
}

/// The diagnostic for a path through a key the file does not have: the format's own
/// "unknown key" error with the nearest valid key as a whole path, when the format has
/// no such key; otherwise a note that --set does not add tables.
fn missing(s: &Setting, parent: &KeyPath, key: &str, source: &str) -> Diagnostic {
    let at = parent.key(key);
    if let Some((message, near)) = unknown_key_error(source, &at) {
        return s.diagnostic(message, near.map(|k| parent.key(&k).to_string()));
    }
    // A key the format knows needs no other suggestion; a key of a table of names
    // (benefit types, years) may be a misspelt name the file has.
    let known = unknown_key_error(source, &parent.key("__no_such_key__")).is_some();
    let siblings = source.parse::<DocumentMut>().map(|doc| keys_at(&doc, &parent.0)).unwrap_or_default();
    let near = if known { None } else { nearest(key, siblings.iter().map(String::as_str)) };
    s.diagnostic(
        format!(
            "the scenario file has no `{at}`; --set changes a value, or adds one to a table the file has: \
             write `{at}` in the file"
        ),
        near.map(|k| parent.key(&k).to_string()),
    )
}

/// The keys of the table at `path` (a table, an entry of a list of tables, or an
/// inline table), or none if there is no table there.
fn keys_at(doc: &DocumentMut, path: &[Seg]) -> Vec<String> {
    fn in_value(v: &Value, path: &[Seg]) -> Vec<String> {
        match (v, path.split_first()) {
            (Value::InlineTable(t), None) => t.iter().map(|(k, _)| k.to_string()).collect(),
            (Value::InlineTable(t), Some((Seg::Key(k), tail))) => {
                t.get(k).map(|v| in_value(v, tail)).unwrap_or_default()
            }
            (Value::Array(a), Some((Seg::Index(i), tail))) => {
                a.get(*i).map(|v| in_value(v, tail)).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
    fn in_table(t: &Table, path: &[Seg]) -> Vec<String> {
        match path.split_first() {
            None => t.iter().map(|(k, _)| k.to_string()).collect(),
            Some((Seg::Key(k), tail)) => t.get(k).map(|i| in_item(i, tail)).unwrap_or_default(),
            Some((Seg::Index(_), _)) => Vec::new(),
        }
    }
    fn in_item(item: &Item, path: &[Seg]) -> Vec<String> {
        match (item, path.split_first()) {
            (Item::Table(t), _) => in_table(t, path),
            (Item::ArrayOfTables(a), Some((Seg::Index(i), tail))) => {
                a.get(*i).map(|t| in_table(t, tail)).unwrap_or_default()
            }
            (Item::Value(v), _) => in_value(v, path),
            _ => Vec::new(),
        }
    }
    in_item(doc.as_item(), path)
}

/// The format's error for the key `at` if the scenario format has no such key there
/// ("unknown key `hirse`, expected one of …"), with the nearest known key: found by
/// writing the key into the file and reading it as a scenario.
fn unknown_key_error(source: &str, at: &KeyPath) -> Option<(String, Option<String>)> {
    let Seg::Key(key) = at.0.last()? else { return None };
    let mut doc: DocumentMut = source.parse().ok()?;
    let zero = Target { value: &Value::from(0), replaces_table: false };
    set_in_table(doc.as_table_mut(), &KeyPath::default(), &at.0, &zero).ok()?;
    let e = toml::from_str::<crate::input::scenario::ScenarioFile>(&doc.to_string()).err()?;
    let message = e.message().trim();
    message
        .starts_with(&format!("unknown field `{key}`"))
        .then(|| (message.replace("unknown field", "unknown key"), suggestion_from_serde(message)))
}

/// For a scenario that does not read once the settings are written in: the
/// setting whose line the error is on, with the file's own message and, for an
/// unknown key, the nearest valid key as a whole path. An error on no setting's line
/// is reported against every setting.
pub fn blame(edited: &str, e: &toml::de::Error, settings: &[Setting]) -> Vec<Diagnostic> {
    let message = e.message().trim().to_string();
    let error_line = e.span().map(|s| edited[..s.start.min(edited.len())].matches('\n').count() + 1);
    let on_line: Vec<&Setting> = settings
        .iter()
        .filter(|s| error_line.is_some() && line_of_key(edited, &s.path) == error_line)
        .collect();
    let culprits = if on_line.is_empty() { settings.iter().collect() } else { on_line };
    let unknown = message.starts_with("unknown field");
    let near = suggestion_from_serde(&message);
    let elsewhere = |s: &Setting| {
        let Some(Seg::Key(key)) = s.path.0.last() else { return None };
        let doc: DocumentMut = edited.parse().ok()?;
        let mut found = Vec::new();
        paths_below(doc.as_item(), &KeyPath::default(), &mut found);
        found
            .into_iter()
            .find(|p| *p != s.path && p.0.last() == Some(&Seg::Key(key.clone())))
            .map(|p| p.to_string())
    };
    let message = message.replace("unknown field", "unknown key").replace("missing field", "missing key");
    culprits
        .into_iter()
        .map(|s| {
            let suggestion = match (&near, unknown) {
                (Some(k), true) => {
                    let mut parent = s.path.clone();
                    parent.0.pop();
                    Some(parent.key(k).to_string())
                }
                (None, true) => elsewhere(s),
                (near, _) => near.clone(),
            };
            s.diagnostic(message.clone(), suggestion)
        })
        .collect()
}

/// Every key path below `item` (at `here`) that holds a single value, in file order.
fn paths_below(item: &Item, here: &KeyPath, out: &mut Vec<KeyPath>) {
    match item {
        Item::Table(t) => t.iter().for_each(|(k, i)| paths_below(i, &here.key(k), out)),
        Item::ArrayOfTables(a) => {
            for (n, t) in a.iter().enumerate() {
                t.iter().for_each(|(k, i)| paths_below(i, &here.index(n).key(k), out));
            }
        }
        Item::Value(Value::InlineTable(t)) => {
            t.iter().for_each(|(k, v)| paths_below(&Item::Value(v.clone()), &here.key(k), out))
        }
        Item::Value(Value::Array(_)) | Item::None => {}
        Item::Value(_) => out.push(here.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_as_diagnostics_write_them() {
        let p = |t: &str| parse_path(t).map(|k| k.to_string());
        assert_eq!(p("staffing.hires[0].fte").as_deref(), Some("staffing.hires[0].fte"));
        assert_eq!(
            p("budget.benefit_rates.kh.rates.2024").as_deref(),
            Some("budget.benefit_rates.kh.rates.2024")
        );
        assert_eq!(p("a[1][2].b").as_deref(), Some("a[1][2].b"));
        assert_eq!(p("\"a.b\".c").map(|_| ()), Some(()));
        for bad in ["", ".a", "a.", "a..b", "a[x]", "a[]", "a[0", "[0]", "a]b"] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_value_replaces_the_written_one_and_keeps_the_comment() {
        let src = "[a]\nx = 1 # note\n[[b]]\ny = \"s\"\n";
        let s = Setting::parse("a.x=2").unwrap();
        assert_eq!(apply(src, &[s]).unwrap(), "[a]\nx = 2 # note\n[[b]]\ny = \"s\"\n");
        let s = Setting::parse("b[0].z=true").unwrap();
        assert_eq!(apply(src, &[s]).unwrap(), "[a]\nx = 1 # note\n[[b]]\ny = \"s\"\nz = true\n");
    }

    /// A distribution written inline or as a table of its own (`[staffing.elasticity]`)
    /// is replaced by a number; a table the format takes only as a table is not.
    #[test]
    fn a_number_replaces_a_distribution_table_in_either_form() {
        let source = include_str!("../../scenarios/staircase-default.toml");
        let mut doc: DocumentMut = source.parse().unwrap();
        let staffing = doc["staffing"].as_table_mut().unwrap();
        let inline = staffing["elasticity"].as_inline_table().unwrap().clone();
        staffing.insert("elasticity", Item::Table(inline.into_table()));
        let as_table = doc.to_string();
        assert!(as_table.contains("[staffing.elasticity]"));
        for text in [source, &as_table] {
            let edited = apply(text, &[Setting::parse("staffing.elasticity=0").unwrap()]).unwrap();
            let file: crate::input::scenario::ScenarioFile = toml::from_str(&edited).unwrap();
            let elasticity = &file.staffing.unwrap().elasticity;
            assert_eq!(elasticity, &crate::input::param::Param::Fixed(0.0));
        }
        let refused = apply(source, &[Setting::parse("budget.reimbursement=0").unwrap()]).unwrap_err();
        assert!(
            refused[0].message.contains("not a single value or a distribution"),
            "{}",
            refused[0].message
        );
    }

    #[test]
    fn what_is_not_a_single_value_is_refused() {
        let src = "[a]\nx = { dist = \"beta\", mean = 0.1 }\nl = [1, 2]\n";
        let e = |arg: &str| apply(src, &[Setting::parse(arg).unwrap()]).unwrap_err().remove(0);
        let d = e("a.x=1");
        assert!(d.message.contains("holds a table with the keys `dist`, `mean`"), "{}", d.message);
        assert_eq!(d.suggestion.as_deref(), Some("a.x.mean"));
        assert!(e("a.l[2]=1").message.contains("`a.l` has 2 entries"));
        assert!(e("a.x.mean.y=1").message.contains("holds the single value 0.1, not a table"));
        assert!(Setting::parse("a.x=[1]").unwrap_err().message.contains("a list of 1 value;"));
        assert!(Setting::parse("a.x=2020-01").unwrap_err().message.contains("is not TOML"));
        let comma = Setting::parse("a.x=0,05").unwrap_err();
        assert_eq!(comma.hint.as_deref(), Some("TOML writes decimals with a point: `0.05`"));
        assert!(Setting::parse("a.x").unwrap_err().message.contains("expected PATH=VALUE"));
        // Not in the file, and the file is no scenario to ask the format about.
        let d = e("a.y.z=1");
        assert!(d.message.starts_with("the scenario file has no `a.y`"), "{}", d.message);
        assert_eq!(e("a.l.z=1").suggestion.as_deref(), Some("a.l[0].z"));
    }
}
