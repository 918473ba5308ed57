//! `[[segments]]`: the initial cohort (start states, split by shares with
//! [`largest_remainder`]), benefit type, benefit history, inflow, and the
//! segment's multipliers and overrides of transitions; then the cohort's size.

use super::{Period, Validator};
use crate::error::nearest;
use crate::input::calendar::YearMonth;
use crate::input::locate::KeyPath;
use crate::input::param::{Bounds, Distribution, Param, Role, fmt_num, fmt_value};
use crate::input::scenario::SegmentDef;
use crate::model::{CalibratedKind, MAX_MONTHS_ON_BENEFIT, Segment, StartGroup, Transition};
use std::collections::{BTreeMap, HashSet};

/// The most citizens a scenario may hold, at the start plus all arrivals.
const MAX_CITIZENS: u64 = 50_000_000;

/// What a segment's entries refer to: the ids of the states, benefit types and transitions.
struct Names<'n> {
    /// State ids, by index.
    states: &'n [String],
    /// Benefit type names, by index.
    benefit_types: &'n [String],
    /// Transition ids, by index.
    transitions: Vec<String>,
    /// Per transition: its origin state and whether it takes consultant hours.
    placements: Vec<(usize, bool)>,
}

/// A segment's tables of parameters by transition.
#[derive(Debug, Clone, Copy)]
enum PerTransition {
    /// `multipliers`: non-negative factors on the transitions' rates.
    Multipliers,
    /// `overrides`: probabilities replacing the transitions' own.
    Overrides,
}

impl Validator<'_> {
    /// The segments, in file order, and checks on the whole cohort's size.
    pub(super) fn segments(
        &mut self,
        state_ids: &[String],
        benefit_types: &[String],
        transitions: &[Transition],
        period: Period,
    ) -> Vec<Segment> {
        let f = &self.sc.file;
        let root = KeyPath::default();
        let names = Names {
            states: state_ids,
            benefit_types,
            transitions: transitions.iter().map(|t| t.id.clone()).collect(),
            placements: transitions.iter().map(|t| (t.from, t.hours.is_some())).collect(),
        };
        let mut segments = Vec::new();
        if f.segments.is_empty() {
            self.err(root.key("segments"), "the cohort is empty: add at least one [[segments]] table", None);
        }
        let mut seg_names = HashSet::new();
        for (i, s) in f.segments.iter().enumerate() {
            let k = root.key("segments").index(i);
            if !seg_names.insert(s.name.clone()) {
                self.err(k.key("name"), format!("segment `{}` is defined twice", s.name), None);
            }
            segments.push(self.segment(&k, s, &names, period));
        }
        self.cohort_size(period, &segments);
        segments
    }

    /// One segment; `k` is its place in the file.
    fn segment(&mut self, k: &KeyPath, s: &SegmentDef, names: &Names, period: Period) -> Segment {
        let from_citizens = !s.citizens.is_empty()
            || (self.sc.file.cohort.is_some() && s.start_state.is_none() && s.start_states.is_none());
        let (start_counts, mut citizens) = if from_citizens {
            let citizens = self.citizens(k, s, names);
            let mut per_state: Vec<(usize, u32)> = Vec::new();
            for c in &citizens {
                match per_state.iter_mut().find(|x| x.0 == c.state) {
                    Some(x) => x.1 += c.count,
                    None => per_state.push((c.state, c.count)),
                }
            }
            (per_state, citizens)
        } else {
            let counts = self.start_counts(k, s, names.states);
            let citizens = counts
                .iter()
                .map(|&(state, count)| StartGroup {
                    state,
                    months_on_benefit: s.months_on_benefit,
                    months_since_referral: s.months_since_referral,
                    waiting_for: None,
                    count,
                })
                .collect();
            (counts, citizens)
        };
        citizens.sort_by(|a, b| {
            (&names.states[a.state], a.months_on_benefit, a.months_since_referral, a.waiting_for).cmp(&(
                &names.states[b.state],
                b.months_on_benefit,
                b.months_since_referral,
                b.waiting_for,
            ))
        });
        let benefit_type = self.benefit_type_ref(k, s, names.benefit_types);
        // A spell longer than 100 years is a typing error (and keeps benefit spells,
        // counted in months, far inside the engines' counters).
        for (key, months) in [
            ("months_on_benefit", s.months_on_benefit),
            ("inflow_months_on_benefit", s.inflow_months_on_benefit),
            ("months_since_referral", s.months_since_referral.unwrap_or(0)),
        ] {
            if months > MAX_MONTHS_ON_BENEFIT {
                self.err(
                    k.key(key),
                    format!("expected at most {MAX_MONTHS_ON_BENEFIT} months (100 years), got {months}"),
                    None,
                );
            }
        }
        self.number(k.key("inflow_per_month"), s.inflow_per_month, Bounds::CITIZENS_PER_MONTH);
        let inflow_state = match (&s.inflow_state, &s.start_state) {
            (Some(st), _) => self.state_ref(k.key("inflow_state"), st, names.states),
            (None, Some(_)) => start_counts.first().map(|x| x.0).unwrap_or(0),
            (None, None) => {
                if s.inflow_per_month > 0.0 {
                    self.err(
                        k.key("inflow_per_month"),
                        "without `start_state` (with `start_states`, `citizens` or a cohort file), name the \
                         state new citizens enter in `inflow_state`",
                        Some("inflow_state".into()),
                    );
                }
                0
            }
        };
        let (arrives, inflow_months) = self.timetable(k, s, &citizens, period);
        let multipliers = self.transition_params(
            k,
            &s.name,
            PerTransition::Multipliers,
            &s.multipliers,
            &names.transitions,
        );
        let overrides =
            self.transition_params(k, &s.name, PerTransition::Overrides, &s.overrides, &names.transitions);
        Segment {
            name: s.name.clone(),
            start: start_counts,
            citizens,
            benefit_type,
            months_on_benefit: if from_citizens { 0 } else { s.months_on_benefit },
            arrives,
            inflow_per_month: s.inflow_per_month.max(0.0),
            inflow_months,
            inflow_state,
            inflow_months_on_benefit: s.inflow_months_on_benefit,
            multipliers,
            overrides,
        }
    }

    /// When the segment's citizens enter: `arrives` as a simulated month (0 = present at
    /// the start, which is also what the first simulated month means), and the first and
    /// last month of the inflow (`inflow_from`, `inflow_until`), each inside the period.
    fn timetable(
        &mut self,
        k: &KeyPath,
        s: &SegmentDef,
        citizens: &[StartGroup],
        period: Period,
    ) -> (usize, (usize, usize)) {
        let arrives =
            s.arrives.and_then(|ym| self.month_in_period(k.key("arrives"), ym, period)).unwrap_or(1);
        let arrives = if arrives <= 1 { 0 } else { arrives };
        if let Some(ym) = s.arrives {
            let n: u64 = citizens.iter().map(|c| c.count as u64).sum();
            if n == 0 {
                self.err(
                    k.key("arrives"),
                    format!(
                        "segment `{}` arrives in \"{ym}\" but has no citizens of its own: give it a `size` \
                         (or `citizens`), or use `inflow_per_month` with `inflow_from` for a stream of arrivals",
                        s.name
                    ),
                    None,
                );
            }
            if arrives > 0 && citizens.iter().any(|c| c.months_since_referral.is_some()) {
                self.err(
                    k.key("arrives"),
                    format!(
                        "segment `{}` arrives after the start, and its citizens are referred in their month \
                         of arrival (their months since referral start at 0 then): remove \
                         `months_since_referral` or `arrives`",
                        s.name
                    ),
                    None,
                );
            }
            if arrives > 0 && citizens.iter().any(|c| c.waiting_for.is_some()) {
                self.err(
                    k.key("arrives"),
                    format!(
                        "segment `{}` arrives after the start, so none of its citizens can be on the \
                         waiting list at the start: remove `waiting_for` or `arrives`",
                        s.name
                    ),
                    None,
                );
            }
        }
        let first = s.inflow_from.and_then(|ym| self.month_in_period(k.key("inflow_from"), ym, period));
        let last = s.inflow_until.and_then(|ym| self.month_in_period(k.key("inflow_until"), ym, period));
        for (key, given) in [("inflow_from", s.inflow_from), ("inflow_until", s.inflow_until)] {
            if given.is_some() && s.inflow_per_month <= 0.0 {
                self.err(
                    k.key(key),
                    format!("`{key}` limits the inflow, but segment `{}` has no `inflow_per_month`", s.name),
                    Some("inflow_per_month".into()),
                );
            }
        }
        let (first, last) = (first.unwrap_or(1), last.unwrap_or(period.horizon));
        if let (Some(from), Some(until)) = (s.inflow_from, s.inflow_until)
            && until < from
        {
            self.err(
                k.key("inflow_until"),
                format!("the inflow ends (\"{until}\") before it begins (`inflow_from` = \"{from}\")"),
                None,
            );
        }
        (arrives, (first, last.max(first)))
    }

    /// The simulated month (1-based) of calendar month `ym`; a problem at `key` if it is
    /// outside the simulated period.
    fn month_in_period(&mut self, key: KeyPath, ym: YearMonth, period: Period) -> Option<usize> {
        if ym < period.start || ym > period.end {
            self.err(
                key,
                format!(
                    "expected a month within the simulated period, \"{}\" to \"{}\", got \"{ym}\"",
                    period.start, period.end
                ),
                None,
            );
            return None;
        }
        Some(period.start.months_until(ym) as usize + 1)
    }

    /// Citizens at the start per state: all in `start_state`, or split by the shares
    /// of `start_states`.
    fn start_counts(&mut self, k: &KeyPath, s: &SegmentDef, state_ids: &[String]) -> Vec<(usize, u32)> {
        match (&s.start_state, &s.start_states) {
            (Some(st), None) => {
                let si = self.state_ref(k.key("start_state"), st, state_ids);
                vec![(si, s.size)]
            }
            (None, Some(shares)) => {
                let mut all_shares = true;
                for (st, share) in shares {
                    all_shares &= self.number(k.key("start_states").key(st), *share, Bounds::SHARE);
                }
                let total: f64 = shares.values().sum();
                if all_shares && (total - 1.0).abs() > 1e-6 {
                    self.err(
                        k.key("start_states"),
                        format!("start shares must sum to 1, they sum to {}", fmt_value(total)),
                        None,
                    );
                }
                let mut resolved = Vec::new();
                for (st, share) in shares {
                    let si = self.state_ref(k.key("start_states").key(st), st, state_ids);
                    resolved.push((si, *share));
                }
                if !all_shares {
                    return Vec::new();
                }
                largest_remainder(s.size, &resolved)
            }
            (Some(_), Some(_)) => {
                self.err(
                    k.key("start_states"),
                    "give either `start_state` or `start_states`, not both",
                    None,
                );
                Vec::new()
            }
            (None, None) => {
                self.err(
                    k.key("name"),
                    "give the segment a `start_state` (or `start_states` with shares)",
                    Some("start_state".into()),
                );
                Vec::new()
            }
        }
    }

    /// The segment's `citizens` (given in the scenario or read from the cohort file),
    /// which replace `size`, `start_state(s)` and `months_on_benefit`.
    fn citizens(&mut self, k: &KeyPath, s: &SegmentDef, names: &Names) -> Vec<StartGroup> {
        let from_file = self.sc.file.cohort.is_some() && s.start_state.is_none() && s.start_states.is_none();
        let place = if from_file { "the cohort file" } else { "`citizens`" };
        for (key, given) in [
            ("size", s.size > 0),
            ("start_state", s.start_state.is_some()),
            ("start_states", s.start_states.is_some()),
            ("months_on_benefit", s.months_on_benefit > 0),
        ] {
            if given {
                self.err(
                    k.key(key),
                    format!(
                        "segment `{}` gets its citizens at the start from {place}, which gives each \
                         citizen's state and months on benefit: remove `{key}`",
                        s.name
                    ),
                    None,
                );
            }
        }
        let mut out = Vec::new();
        let mut total = 0u64;
        for (j, c) in s.citizens.iter().enumerate() {
            let kc = k.key("citizens").index(j);
            let state = self.state_ref(kc.key("state"), &c.state, names.states);
            if c.months_on_benefit > MAX_MONTHS_ON_BENEFIT {
                self.err(
                    kc.key("months_on_benefit"),
                    format!(
                        "expected at most {MAX_MONTHS_ON_BENEFIT} months (100 years), got {}",
                        c.months_on_benefit
                    ),
                    None,
                );
            }
            if let Some(r) = c.months_since_referral
                && r > MAX_MONTHS_ON_BENEFIT
            {
                self.err(
                    kc.key("months_since_referral"),
                    format!("expected at most {MAX_MONTHS_ON_BENEFIT} months (100 years), got {r}"),
                    None,
                );
            }
            let waiting_for = c.waiting_for.as_ref().and_then(|w| self.awaited(&kc, w, state, names));
            total += c.count as u64;
            if total > MAX_CITIZENS {
                self.err(kc.key("count"), "at most 50 million citizens are supported".to_string(), None);
                break;
            }
            out.push(StartGroup {
                state,
                months_on_benefit: c.months_on_benefit,
                months_since_referral: c.months_since_referral.or(s.months_since_referral),
                waiting_for,
                count: c.count,
            });
        }
        out
    }

    /// A `citizens` entry's `waiting_for`: a transition with `hours` out of its state,
    /// in a scenario with `[staffing.capacity]`.
    fn awaited(&mut self, kc: &KeyPath, w: &str, state: usize, names: &Names) -> Option<usize> {
        let key = kc.key("waiting_for");
        let Some(t) = names.transitions.iter().position(|x| x == w) else {
            let sug = nearest(w, names.transitions.iter().map(String::as_str));
            self.err(
                key,
                format!("no transition `{w}`; transitions are named \"from->to\" unless given an `id`"),
                sug,
            );
            return None;
        };
        let (from, hours) = names.placements[t];
        let capacity = self.sc.file.staffing.as_ref().is_some_and(|s| s.capacity.is_some());
        if !capacity {
            self.err(
                key,
                "a waiting list at the start needs a [staffing.capacity] section (placement hours)",
                None,
            );
        } else if !hours {
            self.err(key, format!("transition `{w}` has no `hours`, so nobody waits for it"), None);
        } else if from != state {
            self.err(
                key,
                format!(
                    "transition `{w}` leaves from `{}`, not from `{}`",
                    names.states[from], names.states[state]
                ),
                None,
            );
        }
        Some(t)
    }

    /// The index of the segment's benefit type among `[budget.benefit_rates]`.
    fn benefit_type_ref(&mut self, k: &KeyPath, s: &SegmentDef, benefit_types: &[String]) -> usize {
        match benefit_types.iter().position(|b| *b == s.benefit_type) {
            Some(b) => b,
            None => {
                let sug = nearest(&s.benefit_type, benefit_types.iter().map(String::as_str));
                self.err(
                    k.key("benefit_type"),
                    format!(
                        "no benefit type `{}` in [budget.benefit_rates]; defined: {}",
                        s.benefit_type,
                        if benefit_types.is_empty() { "none".to_string() } else { benefit_types.join(", ") }
                    ),
                    sug,
                );
                0
            }
        }
    }

    /// A segment's multipliers or overrides: parameters by transition id, which may
    /// be calibrated.
    fn transition_params(
        &mut self,
        k: &KeyPath,
        segment_name: &str,
        table: PerTransition,
        params: &BTreeMap<String, Param>,
        transition_ids: &[String],
    ) -> Vec<(usize, Distribution)> {
        let (key, role, kind) = match table {
            PerTransition::Multipliers => ("multipliers", Role::Multiplier, CalibratedKind::Multiplier),
            PerTransition::Overrides => ("overrides", Role::Probability, CalibratedKind::Probability),
        };
        let mut out = Vec::new();
        for (tid, p) in params {
            let kk = k.key(key).key(tid);
            match transition_ids.iter().position(|t| t == tid) {
                Some(ti) => {
                    let ek = format!("segments.{segment_name}.{key}.{tid}");
                    let d = self.param_calibratable(kk, p, role, kind, ek);
                    out.push((ti, d));
                }
                None => {
                    let sug = nearest(tid, transition_ids.iter().map(String::as_str));
                    self.err(
                        kk,
                        format!(
                            "no transition `{tid}`; transitions are named \"from->to\" unless given an `id`"
                        ),
                        sug,
                    );
                }
            }
        }
        out
    }

    /// The whole cohort: not empty, and at most 50 million citizens by the end.
    fn cohort_size(&mut self, period: Period, segments: &[Segment]) {
        let f = &self.sc.file;
        let root = KeyPath::default();
        let horizon = period.horizon;
        let total: u64 = segments.iter().flat_map(|s| &s.citizens).map(|c| c.count as u64).sum();
        let inflow: f64 = f.segments.iter().map(|s| s.inflow_per_month.max(0.0)).sum();
        let ever: u64 = segments.iter().map(|g| g.entered_by(horizon)).sum();
        if !f.segments.is_empty() && ever == 0 {
            self.err(
                root.key("segments").index(0).key("size"),
                "the cohort is empty: every segment has size 0 and no inflow",
                None,
            );
        }
        if total > MAX_CITIZENS {
            self.err(
                root.key("segments"),
                format!("at most 50 million citizens are supported, got {total}"),
                None,
            );
            return;
        }
        let arrivals = inflow * horizon as f64;
        if total as f64 + arrivals > MAX_CITIZENS as f64 {
            let (i, _) = f
                .segments
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.inflow_per_month.total_cmp(&b.1.inflow_per_month))
                .expect("segments exist when there is inflow");
            self.err(
                root.key("segments").index(i).key("inflow_per_month"),
                format!(
                    "at most 50 million citizens are supported, but with this inflow {} would have \
                     entered by the end ({} at the start plus {:.0} arrivals over {horizon} months)",
                    fmt_num((total as f64 + arrivals).round()),
                    total,
                    arrivals
                ),
                None,
            );
        }
    }
}

/// Splits `n` citizens by shares so that the counts sum to `n` exactly
/// (largest-remainder rounding; ties go to the state listed first, and
/// `start_states` tables list their states in alphabetical order).
fn largest_remainder(n: u32, shares: &[(usize, f64)]) -> Vec<(usize, u32)> {
    let total: f64 = shares.iter().map(|s| s.1).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let exact: Vec<f64> = shares.iter().map(|s| n as f64 * s.1 / total).collect();
    let mut counts: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut left = n - counts.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    shares.iter().zip(counts).map(|(s, c)| (s.0, c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_preserves_total() {
        let c = largest_remainder(340, &[(0, 0.5), (1, 0.3), (2, 0.2)]);
        assert_eq!(c, vec![(0, 170), (1, 102), (2, 68)]);
        let c = largest_remainder(10, &[(0, 1.0 / 3.0), (1, 1.0 / 3.0), (2, 1.0 / 3.0)]);
        assert_eq!(c.iter().map(|x| x.1).sum::<u32>(), 10);
        assert_eq!(c, vec![(0, 4), (1, 3), (2, 3)]);
    }
}
