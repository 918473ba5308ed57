//! `[[targets]]`: the metric, when it is measured (a month of the simulation, or each
//! citizen's own month since referral), whom it counts and the condition.

use super::{Period, Validator};
use crate::error::{Diagnostic, Severity, nearest};
use crate::input::locate::KeyPath;
use crate::input::param::fmt_num;
use crate::input::scenario::{MonthRef, TargetDef};
use crate::model::{Metric, Model, Population, Segment, Target, TargetScope, clock, parse_metric};

impl Validator<'_> {
    /// The targets, in file order; `state_ids` name the states `share:<state>` may refer
    /// to, `segments` the segments a target may count.
    pub(super) fn targets(
        &mut self,
        state_ids: &[String],
        segments: &[Segment],
        period: Period,
    ) -> Vec<Target> {
        let f = &self.sc.file;
        let mut targets = Vec::new();
        for (i, t) in f.targets.iter().enumerate() {
            let k = KeyPath::default().key("targets").index(i);
            let metric = match parse_metric(&t.metric, state_ids) {
                Ok(m) => Some(m),
                Err(sug) => {
                    let mut names: Vec<String> = Metric::NAMED.iter().map(|(n, _)| n.to_string()).collect();
                    names.push("share:<state>".into());
                    self.err(
                        k.key("metric"),
                        format!("unknown metric `{}`; expected one of {}", t.metric, names.join(", ")),
                        sug,
                    );
                    None
                }
            };
            let month = self.target_month(&k, t, period);
            let scope = self.target_scope(&k, t, metric, segments, month, period);
            if t.at_least.is_none() && t.at_most.is_none() {
                self.err(k.key("metric"), "a target needs `at_least` or `at_most`", Some("at_least".into()));
            }
            for (name, limit) in [("at_least", t.at_least), ("at_most", t.at_most)] {
                if let Some(v) = limit {
                    let relative = t.relative_to_start || scope.population.is_some();
                    self.target_limit(k.key(name), v, metric, relative && scope.population.is_none());
                }
            }
            let name = if !t.name.is_empty() {
                t.name.clone()
            } else if let Some(months) = scope.at_months_since_referral {
                format!("{} at {months} months since referral", t.metric)
            } else {
                format!("{} at month {month}", t.metric)
            };
            targets.push(Target {
                name,
                metric: metric.unwrap_or(Metric::SelfSupportingShare),
                month,
                scope,
                at_least: t.at_least,
                at_most: t.at_most,
                relative_to_start: t.relative_to_start,
            });
        }
        targets
    }

    /// The month a target is measured at: `month` inside the simulation, or the horizon
    /// for a target at each citizen's own month since referral (which has no `month`).
    fn target_month(&mut self, k: &KeyPath, t: &TargetDef, period: Period) -> usize {
        let Period { start, end, horizon } = period;
        let Some(month) = t.month else {
            if t.at_months_since_referral.is_none() {
                self.err(
                    k.key("month"),
                    "a target needs `month` (when it is measured), or `at_months_since_referral` (at each \
                     citizen's own month since referral)",
                    Some("month".into()),
                );
            }
            return horizon;
        };
        if t.at_months_since_referral.is_some() {
            self.err(
                k.key("at_months_since_referral"),
                "give either `month` (one date for everyone) or `at_months_since_referral` (each citizen's \
                 own month), not both",
                None,
            );
        }
        let month = match month {
            MonthRef::Offset(n) => n as i64,
            MonthRef::Calendar(ym) => start.months_until(ym) + 1,
        };
        if month < 0 || month > horizon as i64 {
            self.err(
                k.key("month"),
                format!(
                    "the target month falls outside the simulation ({start} to {end}, months 0 to {horizon})"
                ),
                None,
            );
        }
        month.clamp(0, horizon as i64) as usize
    }

    /// Whom a target counts: its segments, clock window or own month since referral,
    /// spell filter and stated population, each checked against the cohort.
    fn target_scope(
        &mut self,
        k: &KeyPath,
        t: &TargetDef,
        metric: Option<Metric>,
        segments: &[Segment],
        month: usize,
        period: Period,
    ) -> TargetScope {
        let mut scope = TargetScope {
            segments: self.target_segments(k, &t.segments, segments),
            months_since_referral: None,
            at_months_since_referral: t.at_months_since_referral,
            on_benefit_longer_than: t.on_benefit_longer_than,
            population: None,
        };
        if let Some(w) = t.months_since_referral {
            if t.at_months_since_referral.is_some() {
                self.err(
                    k.key("months_since_referral"),
                    "a target at each citizen's own month (`at_months_since_referral`) counts everyone who \
                     reaches it: remove `months_since_referral`",
                    None,
                );
            }
            if let Some(to) = w.to
                && to < w.from
            {
                self.err(
                    k.key("months_since_referral").key("to"),
                    format!("expected `to` at least `from` ({}), got {to}", w.from),
                    Some(w.from.to_string()),
                );
            }
            scope.months_since_referral = Some((w.from, w.to));
        }
        if scope.uses_clock() {
            self.clocks_known(k, &scope, segments);
            self.clock_reachable(k, &scope, segments, month, period);
            if t.relative_to_start && scope.at_months_since_referral.is_some() {
                self.err(
                    k.key("relative_to_start"),
                    "a target at each citizen's own month since referral has no starting value: remove \
                     `relative_to_start`",
                    None,
                );
            }
        }
        if t.on_benefit_longer_than.is_some() && metric.is_some_and(|m| m != Metric::MeanBenefitDuration) {
            self.err(
                k.key("on_benefit_longer_than"),
                format!(
                    "`on_benefit_longer_than` picks the citizens whose benefit spell counts in \
                     mean_benefit_duration; metric `{}` does not measure spells",
                    t.metric
                ),
                Some("metric = \"mean_benefit_duration\"".into()),
            );
        }
        if let Some(p) = t.population {
            let counted = citizens_in_scope(&scope, segments, month, period);
            scope.population = self.target_population(k, p, metric, counted);
        }
        scope
    }

    /// The indices of a target's `segments`; an unknown name is a problem, with the
    /// nearest segment name.
    fn target_segments(&mut self, k: &KeyPath, names: &[String], segments: &[Segment]) -> Vec<usize> {
        let mut out = Vec::new();
        for (j, name) in names.iter().enumerate() {
            match segments.iter().position(|s| &s.name == name) {
                Some(g) if !out.contains(&g) => out.push(g),
                Some(_) => {}
                None => {
                    let sug = nearest(name, segments.iter().map(|s| s.name.as_str()));
                    let known: Vec<String> = segments.iter().map(|s| format!("`{}`", s.name)).collect();
                    self.err(
                        k.key("segments").index(j),
                        format!("no segment `{name}`; the segments are {}", known.join(", ")),
                        sug,
                    );
                }
            }
        }
        out
    }

    /// A target on the clock needs every citizen it may count at the start to have a
    /// known clock: a problem names the first segment counted whose start has none.
    fn clocks_known(&mut self, k: &KeyPath, scope: &TargetScope, segments: &[Segment]) {
        let unknown = segments.iter().enumerate().find(|(g, s)| {
            scope.counts_segment(*g)
                && s.arrives == 0
                && s.citizens.iter().any(|c| c.count > 0 && c.months_since_referral.is_none())
        });
        if let Some((_, s)) = unknown {
            let key = if scope.at_months_since_referral.is_some() {
                "at_months_since_referral"
            } else {
                "months_since_referral"
            };
            self.err(
                k.key(key),
                format!(
                    "segment `{}` has citizens at the start whose months since referral are not known, so \
                     this target cannot place them on the clock: give `months_since_referral = <months>` \
                     in its [[segments]] table (or a months_since_referral column in the cohort file), or \
                     name the segments the target counts in `segments`",
                    s.name
                ),
                None,
            );
        }
    }

    /// A clock window or own month that no citizen counted can reach within the
    /// simulation is a problem.
    fn clock_reachable(
        &mut self,
        k: &KeyPath,
        scope: &TargetScope,
        segments: &[Segment],
        month: usize,
        period: Period,
    ) {
        let counted: Vec<&Segment> =
            segments.iter().enumerate().filter(|(g, _)| scope.counts_segment(*g)).map(|(_, s)| s).collect();
        let starts: Vec<u32> = counted
            .iter()
            .filter(|s| s.arrives == 0)
            .flat_map(|s| s.citizens.iter().filter(|c| c.count > 0).filter_map(|c| c.months_since_referral))
            .collect();
        let inflow = counted.iter().any(|s| s.inflow_per_month > 0.0 || (s.arrives > 0 && s.size() > 0));
        let horizon = period.horizon as u32;
        if let Some(want) = scope.at_months_since_referral {
            let by_start = starts.iter().any(|&n| n <= want && want <= n + horizon);
            if want == 0 || !(by_start || (inflow && want <= horizon)) {
                let longest = starts.iter().max().copied().unwrap_or(0);
                self.err(
                    k.key("at_months_since_referral"),
                    format!(
                        "no citizen this target counts reaches {want} months since referral within the \
                         simulation (months 1 to {horizon}; citizens at the start are {} to {longest} months \
                         since referral{}); a month since referral is measured at the end of that month, from 1",
                        starts.iter().min().copied().unwrap_or(0),
                        if inflow { ", arrivals start at 0" } else { ", and none arrive" }
                    ),
                    None,
                );
            }
        }
        if let Some((from, to)) = scope.months_since_referral {
            // At the end of `month`, a citizen at the start reads n + month, an arrival 1 to month.
            let m = month as u32;
            let hit = |lo: u32, hi: u32| lo <= to.unwrap_or(u32::MAX) && hi >= from;
            let reached = starts.iter().any(|&n| hit(n + m, n + m)) || (inflow && m >= 1 && hit(1, m));
            if !reached {
                let to_text = to.map(|t| format!("to {t}")).unwrap_or_else(|| "or more".into());
                self.err(
                    k.key("months_since_referral"),
                    format!(
                        "no citizen this target counts is {from} {to_text} months since referral at the end \
                         of month {month}: the citizens at the start are then {}{}",
                        describe_clocks(&starts, m),
                        if inflow { format!(", arrivals 1 to {m}") } else { String::new() }
                    ),
                    None,
                );
            }
        }
    }

    /// A target's stated population: a share metric, a positive size and a count
    /// outside the cohort that leave room for the `counted` citizens the target counts.
    fn target_population(
        &mut self,
        k: &KeyPath,
        p: crate::input::scenario::PopulationDef,
        metric: Option<Metric>,
        counted: u64,
    ) -> Option<Population> {
        let key = k.key("population");
        if metric == Some(Metric::MeanBenefitDuration) {
            self.err(
                key,
                "a stated population takes a share metric; mean_benefit_duration is a mean of spells",
                None,
            );
            return None;
        }
        if !(p.size.is_finite() && p.size > 0.0) {
            self.err(
                key.key("size"),
                format!("expected a positive number of people, got {}", fmt_num(p.size)),
                None,
            );
            return None;
        }
        if !(p.counted_outside.is_finite() && p.counted_outside >= 0.0) {
            self.err(
                key.key("counted_outside"),
                format!("expected a number of people from 0 up, got {}", fmt_num(p.counted_outside)),
                None,
            );
            return None;
        }
        let cohort = counted as f64;
        if cohort + p.counted_outside > p.size {
            self.err(
                key.key("size"),
                format!(
                    "the population ({}) is smaller than the citizens this target counts ({}) plus \
                     `counted_outside` ({}): the population includes the cohort",
                    fmt_num(p.size),
                    fmt_num(cohort),
                    fmt_num(p.counted_outside)
                ),
                Some(fmt_num(cohort + p.counted_outside)),
            );
            return None;
        }
        Some(Population { size: p.size, counted_outside: p.counted_outside })
    }

    /// A target's `at_least` or `at_most`: a finite number, and for a share (not
    /// relative to the start) a fraction from 0 to 1. `metric` is `None` when the
    /// metric is unknown (already a problem), so that its unit is not guessed.
    fn target_limit(&mut self, key: KeyPath, v: f64, metric: Option<Metric>, relative: bool) {
        if !v.is_finite() {
            self.err(
                key,
                format!("expected a finite number, got {v}; a target's limit must be a number"),
                None,
            );
            return;
        }
        let is_share = metric.is_some_and(|m| !matches!(m, Metric::MeanBenefitDuration));
        if is_share && !relative && !(0.0..=1.0).contains(&v) {
            let suggestion = (v > 1.0 && v <= 100.0).then(|| fmt_num(v / 100.0));
            self.err(
                key,
                format!("expected a share from 0 to 1, got {}; a share is written 0.15 for 15 %", fmt_num(v)),
                suggestion,
            );
        }
    }
}

impl Validator<'_> {
    /// Targets whose outcome is fixed by construction, whatever the policy: one
    /// measured at month 0 (the starting position, the same in both arms), and one
    /// relative to the start whose starting value is 0 for every citizen it counts
    /// (an undefined ratio, never met).
    pub(super) fn target_warnings(&self, model: &Model) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (i, t) in model.targets.iter().enumerate() {
            let k = KeyPath::default().key("targets").index(i);
            let warn = |key: KeyPath, message: String| Diagnostic {
                severity: Severity::Warning,
                ..self.sc.diagnostic(&key, message, None)
            };
            if t.month == 0 && t.scope.at_months_since_referral.is_none() {
                out.push(warn(
                    k.key("month"),
                    format!(
                        "target `{}` is measured at month 0, the starting position, which is the same in \
                         both arms: it is met in both or in neither, whatever the scenario does",
                        t.name
                    ),
                ));
            } else if t.relative_to_start && starts_at_zero(model, t) {
                out.push(warn(
                    k.key("relative_to_start"),
                    format!(
                        "target `{}` compares with its value at the start, which is 0 for every citizen it \
                         counts ({} starts at 0): the ratio is undefined and the target is never met, in \
                         either arm",
                        t.name,
                        t.metric.name(&model.states)
                    ),
                ));
            }
        }
        out
    }
}

/// Whether a target's value at month 0 is 0 by construction: nobody it counts at the
/// start meets its metric (nobody has yet left benefit or worked six months in a row).
fn starts_at_zero(model: &Model, t: &Target) -> bool {
    let s = &t.scope;
    let counted = model.segments.iter().enumerate().filter(|(g, _)| s.counts_segment(*g));
    let groups: Vec<_> = counted
        .flat_map(|(_, seg)| seg.citizens.iter())
        .filter(|c| c.count > 0)
        .filter(|c| match (s.months_since_referral, c.months_since_referral) {
            (Some((from, to)), Some(n)) => n >= from && to.is_none_or(|to| n <= to),
            _ => true,
        })
        .collect();
    let states = &model.states;
    groups.iter().all(|c| {
        let st = &states[c.state];
        match t.metric {
            Metric::OutflowShare | Metric::SixMonthEmploymentShare => true,
            Metric::SelfSupportingShare => !st.self_supporting,
            Metric::EmploymentShare => !st.employed,
            Metric::EducationShare => !st.education,
            Metric::BenefitShare => !st.pays_benefit,
            Metric::ActivationShare => !st.activation,
            Metric::StateShare(x) => c.state != x,
            Metric::MeanBenefitDuration => {
                !st.pays_benefit
                    || c.months_on_benefit as i64 <= s.on_benefit_longer_than.map_or(0, i64::from)
            }
        }
    }) && s.population.is_none_or(|p| p.counted_outside == 0.0)
}

/// The range of the start citizens' clocks at the end of month `m`, as text.
fn describe_clocks(starts: &[u32], m: u32) -> String {
    match (starts.iter().min(), starts.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => format!("{}", lo + m),
        (Some(lo), Some(hi)) => format!("{} to {}", lo + m, hi + m),
        _ => "none".into(),
    }
}

/// The most citizens a target can count: those of its segments who have entered by its
/// month and whose clock then lies in its window (by the end of the simulation for a
/// target at each citizen's own month). Moves between segments are not followed: a
/// bound for the checks, not a count.
fn citizens_in_scope(scope: &TargetScope, segments: &[Segment], month: usize, period: Period) -> u64 {
    let by = if scope.at_months_since_referral.is_some() { period.horizon } else { month };
    let in_window = |origin: i64| match scope.months_since_referral {
        Some((from, to)) => {
            let c = clock::at_end_of(by, origin);
            c >= from as i64 && to.is_none_or(|t| c <= t as i64)
        }
        None => true,
    };
    let mut n = 0u64;
    for (_, s) in segments.iter().enumerate().filter(|(g, _)| scope.counts_segment(*g)) {
        let arrival = s.arrives.max(1);
        if s.arrives <= by {
            for c in s.citizens.iter() {
                let origin = clock::origin(
                    arrival,
                    if s.arrives == 0 { c.months_since_referral.unwrap_or(0) } else { 0 },
                );
                if in_window(origin) {
                    n += c.count as u64;
                }
            }
        }
        for m in 1..=by {
            if in_window(clock::origin(m, 0)) {
                n += s.arrivals(m) as u64;
            }
        }
    }
    n
}
