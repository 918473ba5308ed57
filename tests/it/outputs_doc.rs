//! `docs/outputs.md` documents exactly the declared result columns, with their declared
//! units: the monthly measures (the `monthly.csv` table and the definitions), the
//! outcomes of one arm, the budget items and the effects. Families of columns (one per
//! state, target or target month) are documented once, by pattern.

use std::collections::BTreeMap;
use trappe::budget::Item;
use trappe::schema::outcomes::family_patterns;
use trappe::schema::{ArmOutcome, Effect, MonthlyColumn, MonthlyFlow, MonthlyMeasure, OutcomeColumn, Unit};

/// One table of the document: its header cells and its rows' cells.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// The index of the column headed `Unit`, if any.
    fn unit_column(&self) -> Option<usize> {
        self.header.iter().position(|h| h.eq_ignore_ascii_case("unit"))
    }
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

/// The tables under each heading (the heading's text without its `#`s).
fn tables_by_heading(doc: &str) -> Vec<(String, Table)> {
    let mut out: Vec<(String, Table)> = Vec::new();
    let mut heading = String::new();
    let mut lines = doc.lines().peekable();
    let mut in_code = false;
    while let Some(line) = lines.next() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if line.starts_with('#') {
            heading = line.trim_start_matches('#').trim().to_string();
        } else if line.starts_with('|') {
            let header = cells(line);
            let mut rows = Vec::new();
            lines.next(); // the separator
            while let Some(l) = lines.peek().filter(|l| l.starts_with('|')) {
                rows.push(cells(l));
                lines.next();
            }
            out.push((heading.clone(), Table { header, rows }));
        }
    }
    out
}

/// The one table under `heading` whose first header cell is `first`.
fn table<'a>(tables: &'a [(String, Table)], heading: &str, first: &str) -> &'a Table {
    let found: Vec<&Table> =
        tables.iter().filter(|(h, t)| h == heading && t.header[0] == first).map(|(_, t)| t).collect();
    assert_eq!(found.len(), 1, "docs/outputs.md: one table headed `{first}` under `{heading}`");
    found[0]
}

/// The backticked names in a cell, in order.
fn backticked(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The label a doc row gives a group of columns: their distinct units, in order.
fn joined_units(units: impl IntoIterator<Item = Unit>) -> String {
    let mut labels: Vec<&str> = Vec::new();
    for u in units {
        if !labels.contains(&u.label()) {
            labels.push(u.label());
        }
    }
    labels.join(" / ")
}

/// Adds a documented name with its unit, refusing a name documented twice.
fn document(into: &mut BTreeMap<String, String>, name: String, unit: &str, what: &str) {
    if let Some(before) = into.insert(name.clone(), unit.to_string()) {
        panic!("docs/outputs.md, {what}: `{name}` documented twice (units `{before}` and `{unit}`)");
    }
}

/// The names and units a table documents: each row's backticked names in its first cell,
/// with the unit cell split by `;` when it gives one unit per name. A row naming a range
/// (`a` … `b`) covers the declared names from a to b in `order`; a row naming a group
/// in words covers the group's names (`groups`: words, names, units).
fn documented(
    table: &Table,
    what: &str,
    order: &[(String, Unit)],
    groups: &[(&str, Vec<(String, Unit)>)],
) -> BTreeMap<String, String> {
    let unit_col = table.unit_column().unwrap_or_else(|| panic!("docs/outputs.md, {what}: no Unit column"));
    let mut out = BTreeMap::new();
    for row in &table.rows {
        let (first, unit) = (&row[0], row[unit_col].as_str());
        let names = backticked(first);
        if names.is_empty() {
            let (_, members) = groups
                .iter()
                .find(|(words, _)| first.contains(words))
                .unwrap_or_else(|| panic!("docs/outputs.md, {what}: row `{first}` names no column"));
            let expected = joined_units(members.iter().map(|(_, u)| *u));
            assert_eq!(unit, expected, "docs/outputs.md, {what}: unit of `{first}`");
            for (name, u) in members {
                document(&mut out, name.clone(), u.label(), what);
            }
        } else if first.contains('…') {
            assert_eq!(names.len(), 2, "docs/outputs.md, {what}: range `{first}`");
            let from = order.iter().position(|(n, _)| *n == names[0]);
            let to = order.iter().position(|(n, _)| *n == names[1]);
            let (Some(from), Some(to)) = (from, to) else {
                panic!("docs/outputs.md, {what}: range `{first}` does not run between declared columns")
            };
            let members = &order[from..=to];
            let expected = joined_units(members.iter().map(|(_, u)| *u));
            assert_eq!(unit, expected, "docs/outputs.md, {what}: unit of `{first}`");
            for (name, u) in members {
                document(&mut out, name.clone(), u.label(), what);
            }
        } else {
            let units: Vec<&str> = unit.split(';').map(str::trim).collect();
            assert!(
                units.len() == 1 || units.len() == names.len(),
                "docs/outputs.md, {what}: row `{first}` gives {} units for {} names",
                units.len(),
                names.len()
            );
            for (k, name) in names.into_iter().enumerate() {
                document(&mut out, name, units[if units.len() == 1 { 0 } else { k }], what);
            }
        }
    }
    out
}

/// Fails with every difference between the documented and the declared names and units.
fn assert_same(documented: &BTreeMap<String, String>, declared: &BTreeMap<String, String>, what: &str) {
    let mut problems = Vec::new();
    for (name, unit) in declared {
        match documented.get(name) {
            None => problems.push(format!("`{name}` ({unit}) is declared but not documented")),
            Some(u) if u != unit => {
                problems.push(format!("`{name}` is documented in `{u}` but declared in `{unit}`"))
            }
            Some(_) => {}
        }
    }
    for name in documented.keys().filter(|n| !declared.contains_key(*n)) {
        problems.push(format!("`{name}` is documented but not declared"));
    }
    assert!(problems.is_empty(), "docs/outputs.md, {what}:\n{}", problems.join("\n"));
}

fn declared(entries: &[(String, Unit)]) -> BTreeMap<String, String> {
    entries.iter().map(|(n, u)| (n.clone(), u.label().to_string())).collect()
}

fn shares() -> Vec<(String, Unit)> {
    MonthlyMeasure::SHARES.iter().map(|m| (m.name().to_string(), m.unit())).collect()
}

fn items() -> Vec<(String, Unit)> {
    Item::ALL.iter().map(|i| (i.key().to_string(), OutcomeColumn::Item(*i).unit())).collect()
}

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/outputs.md");
    std::fs::read_to_string(path).expect("docs/outputs.md")
}

#[test]
fn monthly_csv_documents_every_declared_column() {
    let tables = tables_by_heading(&doc());
    let mut order: Vec<(String, Unit)> =
        MonthlyMeasure::ALL.iter().map(|m| (m.name().to_string(), m.unit())).collect();
    order.push((MonthlyColumn::OCCUPANCY_PATTERN.to_string(), MonthlyColumn::OCCUPANCY_UNIT));
    order.extend(MonthlyFlow::ALL.iter().map(|f| (f.name().to_string(), f.unit())));
    let doc = documented(table(&tables, "`monthly.csv`", "`metric`"), "monthly.csv metrics", &order, &[]);
    assert_same(&doc, &declared(&order), "monthly.csv metrics");

    let definitions = table(&tables, "Monthly measures", "Measure");
    let measures = documented(
        &Table {
            header: definitions.header.clone(),
            rows: definitions.rows.iter().filter(|r| !r[0].contains("(targets only)")).cloned().collect(),
        },
        "monthly measures",
        &shares(),
        &[],
    );
    assert_same(&measures, &declared(&shares()), "monthly measures");
}

#[test]
fn outcomes_of_one_arm_are_documented_as_declared() {
    let tables = tables_by_heading(&doc());
    let mut order = shares();
    order.extend(ArmOutcome::ALL.iter().map(|o| (o.name().to_string(), o.unit())));
    order.extend(items());
    order.extend(family_patterns());
    let groups = [("monthly measures", shares()), ("budget items", items())];
    let doc = documented(
        table(&tables, "Outcomes of one arm over the horizon", "Outcome"),
        "outcomes",
        &order,
        &groups,
    );
    assert_same(&doc, &declared(&order), "outcomes");

    let budget = table(&tables, "Budget items", "Item (key)");
    let keys: Vec<String> = budget.rows.iter().flat_map(|r| backticked(&r[0])).collect();
    let declared_keys: Vec<String> = Item::ALL.iter().map(|i| i.key().to_string()).collect();
    assert_eq!(keys, declared_keys, "docs/outputs.md, budget items");
}

#[test]
fn effects_are_documented_as_declared() {
    let tables = tables_by_heading(&doc());
    let order: Vec<(String, Unit)> = Effect::ALL.iter().map(|e| (e.name().to_string(), e.unit())).collect();
    let doc = documented(table(&tables, "Effects", "Effect"), "effects", &order, &[]);
    assert_same(&doc, &declared(&order), "effects");
}
