//! `trappe check`: the resolved model in words, so a user sees what will be
//! simulated before running it, and where its uncertain figures come from.

pub(crate) mod sources;

pub use sources::sources;

use crate::input::scenario::FundingSource;
use crate::model::{COUNTERFACTUAL, Capacity, Funder, Model, MonthStaff, SCENARIO, Staffing};
use crate::numbers::{dkk, fmt_num};
use std::fmt::Write;

/// A full description of the resolved model.
pub fn describe(model: &Model) -> String {
    let mut o = String::new();
    overview(&mut o, model);
    states(&mut o, model);
    transitions(&mut o, model);
    cohort(&mut o, model);
    match &model.staffing {
        Some(st) => staffing(&mut o, model, st),
        None => {
            let _ = writeln!(o, "\nStaffing: not modelled (no staffing-sensitive transitions)");
        }
    }
    grants(&mut o, model);
    budget(&mut o, model);
    o.push_str(&describe_marks(model));
    targets(&mut o, model);
    o
}

/// The scenario's name and description, its period and its replications.
fn overview(o: &mut String, model: &Model) {
    let end = model.calendar(model.horizon);
    let _ = writeln!(o, "Scenario: {}", model.name);
    if !model.description.is_empty() {
        let _ = writeln!(o, "  {}", model.description);
    }
    let _ = writeln!(
        o,
        "Period: {} to {} ({} months); {} replications, seed {}",
        model.start, end, model.horizon, model.replications, model.seed
    );
}

/// Each state with what it counts as and its activity cost.
fn states(o: &mut String, model: &Model) {
    let _ = writeln!(o, "\nStates ({}):", model.states.len());
    for s in &model.states {
        let mut flags = Vec::new();
        if s.pays_benefit {
            flags.push("pays benefit");
        }
        if s.self_supporting {
            flags.push("self-supporting");
        }
        if s.employed {
            flags.push("employed");
        }
        if s.education {
            flags.push("education");
        }
        if s.activation {
            flags.push("activation");
        }
        if s.reimbursed_as_active
            && std::iter::once(&model.budget.reimbursement)
                .chain(model.budget.reimbursement_changes.iter().map(|c| &c.regime))
                .any(|r| matches!(r, crate::budget::Reimbursement::Pre2016 { .. }))
        {
            flags.push("reimbursed as active");
        }
        let cost = if s.activity_cost.is_fixed() && s.activity_cost.mean() == 0.0 {
            String::new()
        } else {
            format!("; activity cost {} DKK/month", s.activity_cost)
        };
        let _ = writeln!(o, "  {:<14} {} [{}]{}", s.id, s.label, flags.join(", "), cost);
    }
}

/// Each transition with its probability and modifiers, and how competing exits combine.
fn transitions(o: &mut String, model: &Model) {
    let _ =
        writeln!(o, "\nTransitions ({}), monthly probability as if the only exit:", model.transitions.len());
    for t in &model.transitions {
        let mut extra = Vec::new();
        if t.staffing_sensitive {
            match &t.elasticity {
                Some(e) => extra.push(format!("staffing-sensitive, elasticity {e}")),
                None => extra.push("staffing-sensitive".to_string()),
            }
        }
        if !(t.one_off_cost.is_fixed() && t.one_off_cost.mean() == 0.0) {
            extra.push(format!("one-off cost {} DKK", t.one_off_cost));
        }
        for (from, m) in &t.duration {
            extra.push(format!("×{m} from month {from} in state"));
        }
        if let Some(h) = &t.hours {
            extra.push(format!("placement: {h} consultant hours, waits when the month's hours run out"));
        }
        let _ = writeln!(
            o,
            "  {:<28} {}{}",
            t.id,
            t.probability,
            if extra.is_empty() { String::new() } else { format!("  ({})", extra.join("; ")) }
        );
    }
    let _ = writeln!(
        o,
        "  Competing exits combine as rates r = -ln(1-p): P(leave) = 1 - exp(-Σ m·r), shares m·r/Σ m·r."
    );
    for (s, st) in model.states.iter().enumerate() {
        let exits: Vec<_> = model.transitions.iter().filter(|t| t.from == s).collect();
        if exits.len() > 1 {
            let r: f64 = exits.iter().map(|t| -(1.0 - t.probability.mean()).ln()).sum();
            let naive: f64 = exits.iter().map(|t| t.probability.mean()).sum();
            let _ = writeln!(
                o,
                "    from {:<12} P(leave) at mean values {} (summing probabilities would give {})",
                st.id,
                fmt_num(1.0 - (-r).exp()),
                fmt_num(naive)
            );
        }
    }
}

/// A segment's months on benefit before the start: one figure, or the range over
/// the citizens a cohort file or `citizens` list gives.
fn months_before_start(g: &crate::model::Segment) -> String {
    let months = g.citizens.iter().filter(|c| c.count > 0).map(|c| c.months_on_benefit);
    match (months.clone().min(), months.max()) {
        (Some(lo), Some(hi)) if lo != hi => format!("{lo}-{hi} months"),
        (Some(m), _) => format!("{m} months"),
        _ => format!("{} months", g.months_on_benefit),
    }
}

/// The cohort by segment: sizes, starting states, inflow and rate modifiers.
fn cohort(o: &mut String, model: &Model) {
    let _ = writeln!(
        o,
        "\nCohort: {} citizens at start, {} by the end",
        model.initial_size(),
        model.total_size()
    );
    for g in &model.segments {
        let starts: Vec<String> =
            g.start.iter().map(|(s, n)| format!("{n} in {}", model.states[*s].id)).collect();
        let before =
            if g.arrives > 0 { format!("arrival in {}", model.calendar(g.arrives)) } else { "start".into() };
        let _ = writeln!(
            o,
            "  {:<14} {} citizens ({}); benefit {}; {} on benefit before {before}",
            g.name,
            g.size(),
            starts.join(", "),
            model.benefit_types[g.benefit_type],
            months_before_start(g)
        );
        let waiting: u32 = g.citizens.iter().filter(|c| c.waiting_for.is_some()).map(|c| c.count).sum();
        if waiting > 0 {
            let _ = writeln!(
                o,
                "  {:<14} {waiting} of them on the waiting list for a placement at the start",
                ""
            );
        }
        if g.inflow_per_month > 0.0 {
            let (first, last) = g.inflow_months;
            let window = if (first, last) == (1, model.horizon) {
                String::new()
            } else {
                format!(", {} to {}", model.calendar(first), model.calendar(last))
            };
            let _ = writeln!(
                o,
                "  {:<14} inflow {} per month into {} ({} months on benefit before entry){window}",
                "",
                fmt_num(g.inflow_per_month),
                model.states[g.inflow_state].id,
                g.inflow_months_on_benefit
            );
        }
        for (t, d) in &g.multipliers {
            let _ = writeln!(o, "  {:<14} rate multiplier on {}: {d}", "", model.transitions[*t].id);
        }
        for (t, d) in &g.overrides {
            let _ = writeln!(o, "  {:<14} probability of {} replaced by {d}", "", model.transitions[*t].id);
        }
    }
    for mv in &model.segment_moves {
        let states = if mv.states.len() == model.states.len() {
            "from any state".to_string()
        } else {
            let ids: Vec<&str> = mv.states.iter().map(|&s| model.states[s].id.as_str()).collect();
            format!("from {}", ids.join(", "))
        };
        let _ = writeln!(
            o,
            "  Move from {} to {}: monthly probability {} ({states})",
            model.segments[mv.from].name, model.segments[mv.to].name, mv.probability
        );
    }
}

/// Consecutive months with the same value, as (months, value): the months written as
/// one calendar month or "first to last".
fn runs_of_months<T: PartialEq>(model: &Model, value: impl Fn(usize) -> T) -> Vec<(String, T)> {
    let mut runs = Vec::new();
    let mut m = 1;
    while m <= model.horizon {
        let a = value(m);
        let mut last = m;
        while last < model.horizon && value(last + 1) == a {
            last += 1;
        }
        let range = if last == m {
            model.calendar(m).to_string()
        } else {
            format!("{} to {}", model.calendar(m), model.calendar(last))
        };
        runs.push((range, a));
        m = last + 1;
    }
    runs
}

/// Staffing: the caseload response, the hires, FTE per month per arm and, with
/// placement capacity, the consultant hours per month.
fn staffing(o: &mut String, model: &Model, st: &Staffing) {
    let _ = writeln!(
        o,
        "\nStaffing: baseline {} FTE; caseload reference {} citizens on benefit per productive FTE; elasticity {}; multiplier clamped to [{}, {}]",
        fmt_num(st.baseline_fte),
        fmt_num(st.caseload_ref),
        st.elasticity,
        fmt_num(st.multiplier_min),
        fmt_num(st.multiplier_max)
    );
    for h in &st.hires {
        let funder = match &h.funded_by {
            Funder::Municipality => "the municipality".to_string(),
            Funder::Grant(g) => format!("grant `{}`", model.grants[*g].name),
        };
        let serves = match h.serves {
            crate::input::scenario::Serves::Caseload => "",
            crate::input::scenario::Serves::Placements => ", serves placements only",
            crate::input::scenario::Serves::Both => ", serves caseload and placements",
        };
        if h.fte < 0.0 {
            let _ = writeln!(
                o,
                "  cut: {} FTE fewer {} from {} to {} than in the counterfactual, saving the municipality their cost{}",
                fmt_num(-h.fte),
                h.name,
                h.start,
                h.end,
                serves
            );
            continue;
        }
        let no_effect = if h.fte == 0.0 { " (0 FTE: no effect and no cost)" } else { "" };
        let _ = writeln!(
            o,
            "  hire: {} FTE {} from {} to {}, ramp-up {} months, paid by {}{}{}",
            fmt_num(h.fte),
            h.name,
            h.start,
            h.end,
            h.ramp_up_months,
            funder,
            serves,
            no_effect
        );
    }
    let _ = writeln!(o, "  FTE per month (paid / productive):");
    let _ = writeln!(o, "    {:<19} {:>20} {:>20}", "months", "scenario", "counterfactual");
    let show = |s: MonthStaff| {
        format!(
            "{} / {}",
            fmt_num(s.baseline_fte + s.extra_fte),
            fmt_num((s.productive_fte * 1000.0).round() / 1000.0)
        )
    };
    for (range, a) in runs_of_months(model, |m| (model.staff(SCENARIO, m), model.staff(COUNTERFACTUAL, m))) {
        let _ = writeln!(o, "    {:<19} {:>20} {:>20}", range, show(a.0), show(a.1));
    }
    if let Some(c) = &st.capacity {
        placement_capacity(o, model, c);
    }
}

/// The placement capacity and the consultant hours per month per arm.
fn placement_capacity(o: &mut String, model: &Model, c: &Capacity) {
    let _ = writeln!(
        o,
        "  Placement capacity: {} placement FTE in both arms, {} hours per FTE-month, share on placements {}",
        fmt_num(c.placement_fte),
        fmt_num((c.hours_per_fte_month * 100.0).round() / 100.0),
        c.placement_share
    );
    let _ = writeln!(
        o,
        "  Placement hours per month at the mean share (productive placement FTE × hours × share):"
    );
    let _ = writeln!(o, "    {:<19} {:>20} {:>20}", "months", "scenario", "counterfactual");
    let hours = |arm, m| {
        let s = model.staff(arm, m);
        ((s.placement_fte * c.hours_per_fte_month * c.placement_share.mean()) * 10.0).round() / 10.0
    };
    for (range, a) in runs_of_months(model, |m| (hours(SCENARIO, m), hours(COUNTERFACTUAL, m))) {
        let _ = writeln!(o, "    {:<19} {:>20} {:>20}", range, fmt_num(a.0), fmt_num(a.1));
    }
}

/// The grants and the income they bring per budget year.
fn grants(o: &mut String, model: &Model) {
    if model.grants.is_empty() {
        let _ = writeln!(o, "\nGrants: none");
        return;
    }
    let _ = writeln!(o, "\nGrants (scenario arm only), DKK per budget year:");
    for g in &model.grants {
        let years: Vec<String> = g.amounts.iter().map(|(y, a)| format!("{y}: {}", dkk(*a))).collect();
        let repaid = if g.repaid { "; unspent money repaid" } else { "" };
        let source = match g.funding {
            FundingSource::External => "external grant, income",
            FundingSource::OwnFunds => "own funds moved between years, not income",
            FundingSource::InKind => "in-kind co-financing by existing staff, no cash",
        };
        let _ = writeln!(o, "  {} ({source}; pays for {}{repaid}): {}", g.name, g.pays_for, years.join("; "));
    }
    let income = model.grant_income(SCENARIO, model.budget.staff_cost_per_fte_year.mean());
    let mut by_year = std::collections::BTreeMap::new();
    for (m, v) in income.iter().enumerate() {
        *by_year.entry(model.calendar(m + 1).year).or_insert(0.0) += v;
    }
    let years: Vec<String> = by_year.iter().map(|(y, a)| format!("{y}: {}", dkk(*a))).collect();
    let _ = writeln!(o, "  grant income booked: {}", years.join("; "));
    if model.grants.iter().any(|g| g.repaid) {
        let _ = writeln!(
            o,
            "  (unspent money repaid: income at most the funded hires' cost, shown at the mean staff cost)"
        );
    }
}

/// The bands or rates of one reimbursement regime.
fn regime_detail(o: &mut String, r: &crate::budget::Reimbursement) {
    match r {
        crate::budget::Reimbursement::Staircase2016 { bands, reset_after_months } => {
            let txt: Vec<String> =
                bands.iter().map(|(m, r)| format!("from month {m}: {}", fmt_num(*r))).collect();
            let _ = writeln!(
                o,
                "    {}; count starts again after {reset_after_months} months off benefit",
                txt.join(", ")
            );
        }
        crate::budget::Reimbursement::Pre2016 { active, passive } => {
            let _ = writeln!(o, "    active {} / passive {}", fmt_num(*active), fmt_num(*passive));
        }
        crate::budget::Reimbursement::None => {}
    }
}

/// The budget: reimbursement, benefit rates per year, staff cost, discounting and
/// the wider view.
fn budget(o: &mut String, model: &Model) {
    let b = &model.budget;
    let _ = writeln!(o, "\nBudget:");
    let _ = writeln!(o, "  reimbursement regime: {}", b.reimbursement.name());
    regime_detail(o, &b.reimbursement);
    for c in &b.reimbursement_changes {
        let _ = writeln!(o, "  from {}: reimbursement regime {}", c.from, c.regime.name());
        regime_detail(o, &c.regime);
    }
    if !b.reimbursement_changes.is_empty() {
        let _ = writeln!(o, "    (months on benefit before a change count toward the staircase after it)");
    }
    let years: Vec<i32> = (1..=model.horizon)
        .map(|m| model.calendar(m).year)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for (i, name) in model.benefit_types.iter().enumerate() {
        let r = &b.benefit_rates[i];
        let txt: Vec<String> = years
            .iter()
            .map(|y| format!("{y}: {}{}", dkk(r.rate(*y)), if r.is_given(*y) { "" } else { " (indexed)" }))
            .collect();
        let _ = writeln!(o, "  benefit {name}, DKK/month: {}", txt.join("; "));
    }
    let _ = writeln!(o, "  staff cost per FTE-year: {} DKK", b.staff_cost_per_fte_year);
    let _ = writeln!(o, "  activity costs reimbursed: {}", fmt_num(b.activity_cost_reimbursement));
    for (i, s) in model.states.iter().enumerate() {
        if let Some(d) = &b.paid_benefit_share[i] {
            let _ =
                writeln!(o, "  {}: share of the full benefit paid (the rest offset by earnings) {}", s.id, d);
        }
        if let Some(d) = &b.education_cost[i] {
            let _ = writeln!(
                o,
                "  {}: education the municipality co-pays {} DKK/month, reimbursed {}",
                s.id,
                d,
                fmt_num(b.education_cost_reimbursement)
            );
        }
    }
    if let Some(g) = &b.result_grant {
        let who: Vec<&str> = model
            .segments
            .iter()
            .zip(&g.segments)
            .filter(|(_, c)| **c)
            .map(|(s, _)| s.name.as_str())
            .collect();
        let when = match g.paid_when {
            crate::input::scenario::ResultGrantWhen::FirstOutflow => {
                "first leaves benefit for work or education"
            }
            crate::input::scenario::ResultGrantWhen::SixMonthsInWork => {
                "completes six consecutive months in work"
            }
        };
        let _ = writeln!(
            o,
            "  state result grant: {} DKK per citizen who {when}, once; segments: {}",
            g.amount,
            who.join(", ")
        );
    }
    let _ = writeln!(o, "  discount rate: {} per year", fmt_num(b.discount_rate));
    if let Some(w) = &b.wider {
        let _ = writeln!(
            o,
            "  wider view per employed month: municipal tax {} DKK, equalisation loss {} DKK, state tax {} DKK",
            w.tax, w.equalisation, w.state_tax
        );
    }
}

/// Each target and the month it looks at.
fn targets(o: &mut String, model: &Model) {
    if model.targets.is_empty() {
        return;
    }
    let _ = writeln!(o, "\nTargets:");
    for t in &model.targets {
        let when = match t.scope.at_months_since_referral {
            Some(k) => format!("at each citizen's own month {k} since referral"),
            None => format!(
                "at month {} (end of {})",
                t.month,
                if t.month == 0 {
                    "the month before the start".to_string()
                } else {
                    model.calendar(t.month).to_string()
                }
            ),
        };
        let _ = writeln!(
            o,
            "  {}: {} {} {when}{}",
            t.name,
            t.metric.name(&model.states),
            t.condition(),
            scope(t, model)
        );
    }
}

/// The parameters marked for calibration, by group, for `trappe check` (empty if none).
pub fn describe_marks(model: &Model) -> String {
    let mut o = String::new();
    if model.calibration.is_empty() {
        return o;
    }
    let mut by_group: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, c) in model.calibration.iter().enumerate() {
        match by_group.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, v)) => v.push(i),
            None => by_group.push((&c.group, vec![i])),
        }
    }
    let _ = writeln!(
        o,
        "\nMarked for calibration (trappe calibrate): {} parameter{} in {} group{} (one factor each):",
        model.calibration.len(),
        if model.calibration.len() == 1 { "" } else { "s" },
        by_group.len(),
        if by_group.len() == 1 { "" } else { "s" }
    );
    for (g, members) in &by_group {
        let _ = writeln!(o, "  group `{g}`:");
        for &i in members {
            let c = &model.calibration[i];
            let _ = writeln!(
                o,
                "    {}  {}, bounds of the mean [{}, {}]{}",
                c.path,
                c.dist,
                fmt_num(c.bounds.0),
                fmt_num(c.bounds.1),
                if c.bounds_given { "" } else { " (default)" }
            );
        }
    }
    o
}

/// Whom a target on a subgroup counts, as text (empty for the whole cohort).
fn scope(t: &crate::model::Target, model: &Model) -> String {
    let s = &t.scope;
    let mut parts = Vec::new();
    if !s.segments.is_empty() {
        let names: Vec<&str> = s.segments.iter().map(|&g| model.segments[g].name.as_str()).collect();
        parts.push(format!("the segments {}", names.join(", ")));
    }
    if let Some((from, to)) = s.months_since_referral {
        parts.push(match to {
            Some(to) => format!("those {from} to {to} months since referral"),
            None => format!("those {from} or more months since referral"),
        });
    }
    if let Some(n) = s.on_benefit_longer_than {
        parts.push(format!("those on benefit longer than {n} months"));
    }
    let mut out = if parts.is_empty() { String::new() } else { format!("; counts {}", parts.join("; ")) };
    if let Some(p) = s.population {
        out += &format!(
            "; as a share of a population of {}, of whom {} outside the cohort count",
            crate::input::param::fmt_num(p.size),
            crate::input::param::fmt_num(p.counted_outside)
        );
    }
    out
}
