//! The sources of a scenario's uncertain parameters, for `trappe check`: each
//! parameter the file writes, with its value or distribution and the `source` and
//! `grade` written with it, grouped by grade so that a reader sees at a glance which
//! figures rest on an estimate or an assumption.

use crate::input::locate::KeyPath;
use crate::input::param::{Distribution, Grade, Param};
use crate::input::scenario::{LoadedScenario, ScenarioFile};
use crate::model::Model;
use crate::model::parameters::Slot;
use crate::numbers::{dkk, fmt_num, round_sig};
use std::fmt::Write;

/// One parameter the scenario file writes, with where its figure comes from.
pub(crate) struct SourcedParameter {
    /// The parameter's name, as results and calibration name it.
    pub(crate) key: String,
    /// Its value, or its distribution's mean and 90 % range.
    value: String,
    /// The `source` written with it, and the `--set` arguments that gave it its value.
    pub(crate) source: Option<String>,
    /// The `grade` written with it.
    pub(crate) grade: Option<Grade>,
}

/// The table of the uncertain parameters the scenario file writes (defaults it
/// leaves out are not listed), grouped by grade from the strongest, then those
/// without a grade; with a count per group, and how many rest on an estimate or an
/// assumption and how many have no source.
pub fn sources(sc: &LoadedScenario, model: &Model) -> String {
    let rows = sourced_parameters(sc, model);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\nSources of the uncertain parameters ({} written in the file; grades as in docs/evidence.md):",
        rows.len()
    );
    if rows.is_empty() {
        return o;
    }
    let mut groups: Vec<(String, Vec<&SourcedParameter>)> = Grade::ALL
        .iter()
        .map(|g| {
            let label = format!("{} ({})", g.code(), g.meaning());
            (label, rows.iter().filter(|r| r.grade == Some(*g)).collect())
        })
        .collect();
    groups.push(("no grade given".to_string(), rows.iter().filter(|r| r.grade.is_none()).collect()));
    let groups: Vec<_> = groups.into_iter().filter(|(_, members)| !members.is_empty()).collect();
    let resting = rows.iter().filter(|r| r.grade.is_some_and(Grade::is_estimate_or_assumption)).count();
    let unsourced = rows.iter().filter(|r| r.source.is_none()).count();
    let counts: Vec<String> = groups.iter().map(|(label, m)| format!("{} {label}", m.len())).collect();
    let _ = writeln!(o, "  {}", counts.join("; "));
    let _ = writeln!(
        o,
        "  {resting} of {} rest on an estimate or an assumption (EST, GAP); {unsourced} have no source given",
        rows.len()
    );
    let key_width = rows.iter().map(|r| r.key.chars().count()).max().unwrap_or(0);
    let value_width = rows.iter().map(|r| r.value.chars().count()).max().unwrap_or(0);
    for (label, members) in &groups {
        let _ = writeln!(o, "  {label}:");
        for r in members {
            let source = r.source.as_deref().unwrap_or("no source given");
            let _ = writeln!(o, "    {:<key_width$}  {:<value_width$}  {source}", r.key, r.value);
        }
    }
    o
}

/// Every parameter of the model's table that the file writes, with its source and grade.
pub(crate) fn sourced_parameters(sc: &LoadedScenario, model: &Model) -> Vec<SourcedParameter> {
    let mut rows = Vec::new();
    for p in model.parameters.iter() {
        let Some((path, param)) = written_param(&sc.file, model, p.slot) else { continue };
        let written = matches!(param, Param::Dist(_)) || sc.written_value(&path).is_some();
        if !written {
            continue;
        }
        let (source, grade) = param.provenance();
        // A value given by `--set`, or a key of its table, comes from the command line too.
        let given: Vec<String> = sc
            .settings
            .iter()
            .filter(|s| s.path.0.starts_with(&path.0))
            .map(|s| format!("--set {s}"))
            .collect();
        let source = source.map(str::to_string).into_iter().chain(given).collect::<Vec<_>>().join("; ");
        rows.push(SourcedParameter {
            key: p.key.clone(),
            value: value_text(&p.distribution),
            source: Some(source).filter(|s| !s.is_empty()),
            grade,
        });
    }
    rows
}

/// The parameter as the file gives it for a slot of the model's table, with its path
/// in the file; `None` if the file does not hold it (a default).
fn written_param<'a>(f: &'a ScenarioFile, model: &Model, slot: Slot) -> Option<(KeyPath, &'a Param)> {
    let root = KeyPath::default();
    let transition = |t: usize| root.key("transitions").index(t);
    let segment_param = |segment: usize, transition: usize, overrides: bool| {
        let name = &model.segments.get(segment)?.name;
        let i = f.segments.iter().position(|s| &s.name == name)?;
        let id = &model.transitions.get(transition)?.id;
        let (what, map) = if overrides {
            ("overrides", &f.segments[i].overrides)
        } else {
            ("multipliers", &f.segments[i].multipliers)
        };
        Some((root.key("segments").index(i).key(what).key(id), map.get(id)?))
    };
    match slot {
        Slot::PaidBenefitShare { state } => Some((
            root.key("states").index(state).key("paid_benefit_share"),
            f.states.get(state)?.paid_benefit_share.as_ref()?,
        )),
        Slot::EducationCost { state } => Some((
            root.key("states").index(state).key("education_cost"),
            f.states.get(state)?.education_cost.as_ref()?,
        )),
        Slot::ResultGrant => {
            Some((KeyPath::parse("budget.result_grant.amount"), &f.budget.result_grant.as_ref()?.amount))
        }
        Slot::ActivityCost { state } => {
            Some((root.key("states").index(state).key("activity_cost"), &f.states.get(state)?.activity_cost))
        }
        Slot::Probability { transition: t } => {
            Some((transition(t).key("probability"), &f.transitions.get(t)?.probability))
        }
        Slot::Elasticity { transition: t } => {
            Some((transition(t).key("elasticity"), f.transitions.get(t)?.elasticity.as_ref()?))
        }
        Slot::OneOffCost { transition: t } => {
            Some((transition(t).key("one_off_cost"), &f.transitions.get(t)?.one_off_cost))
        }
        Slot::Duration { transition: t, entry } => Some((
            transition(t).key("duration").index(entry).key("multiplier"),
            &f.transitions.get(t)?.duration.get(entry)?.multiplier,
        )),
        Slot::Hours { transition: t } => {
            Some((transition(t).key("hours"), f.transitions.get(t)?.hours.as_ref()?))
        }
        Slot::SegmentMultiplier { segment, transition } => segment_param(segment, transition, false),
        Slot::SegmentOverride { segment, transition } => segment_param(segment, transition, true),
        Slot::SegmentMove { index } => Some((
            root.key("segment_moves").index(index).key("probability"),
            &f.segment_moves.get(index)?.probability,
        )),
        Slot::StaffingElasticity => {
            Some((KeyPath::parse("staffing.elasticity"), &f.staffing.as_ref()?.elasticity))
        }
        Slot::PlacementShare => Some((
            KeyPath::parse("staffing.capacity.placement_share"),
            &f.staffing.as_ref()?.capacity.as_ref()?.placement_share,
        )),
        Slot::StaffCost => Some((
            KeyPath::parse("budget.staff_cost_per_fte_year"),
            f.budget.staff_cost_per_fte_year.as_ref()?,
        )),
        Slot::Tax => Some((
            KeyPath::parse("budget.wider.tax_per_employed_month"),
            &f.budget.wider.as_ref()?.tax_per_employed_month,
        )),
        Slot::Equalisation => Some((
            KeyPath::parse("budget.wider.equalisation_per_employed_month"),
            &f.budget.wider.as_ref()?.equalisation_per_employed_month,
        )),
        Slot::StateTax => Some((
            KeyPath::parse("budget.wider.state_tax_per_employed_month"),
            &f.budget.wider.as_ref()?.state_tax_per_employed_month,
        )),
    }
}

/// A fixed value as written; a distribution as its family, mean and the range that
/// holds 90 % of its draws, to three significant digits.
fn value_text(d: &Distribution) -> String {
    let family = match d {
        Distribution::Fixed(v) => return figure(*v),
        Distribution::Beta { .. } => "beta",
        Distribution::Gamma { .. } => "gamma",
        Distribution::LogNormal { .. } => "lognormal",
        Distribution::Triangular { .. } => "triangular",
        Distribution::Uniform { .. } => "uniform",
    };
    let sig = |v: f64| figure(round_sig(v, 3));
    format!(
        "{family}, mean {}, 90 % in {} to {}",
        sig(d.mean()),
        sig(d.quantile(0.05)),
        sig(d.quantile(0.95))
    )
}

/// A number with thousands separators from 1,000 (amounts), else as a scenario writes it.
fn figure(v: f64) -> String {
    if v.abs() >= 1000.0 && v == v.trunc() { dkk(v) } else { fmt_num(v) }
}
