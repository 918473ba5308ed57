//! Counting the targets that look at a subgroup of the cohort (named segments, a
//! window of months since referral, each citizen's own month since referral, long
//! benefit spells): both engines show the census every citizen (or group of alike
//! citizens) at the end of the months a target looks at, and it adds them up.
//!
//! Targets on the whole cohort at one month are read from the monthly record and are
//! not counted here.

use super::kernel::{FLAG_OUTFLOW, FLAG_SIX, StateFlags};
use crate::model::{Metric, Model, Target, TargetCount};

/// Who is seen: one citizen or a group of alike citizens at the end of a month.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen {
    /// Segment index.
    pub(crate) segment: usize,
    /// State at the end of the month.
    pub(crate) state: usize,
    /// The citizen's flags (outflow, six months).
    pub(crate) flags: u8,
    /// Months since referral at the end of the month (capped at [`Census::clock_cap`]
    /// by the count engine, which does not change any target's count).
    pub(crate) clock: i64,
}

/// One counted target.
#[derive(Debug, Clone)]
struct Counted {
    /// Index into [`Model::targets`].
    target: usize,
    /// Per segment: counted.
    segments: Vec<bool>,
    metric: Metric,
    /// Month looked at (ignored with `at_clock`).
    month: usize,
    /// Also looked at month 0, for a target relative to the start.
    relative: bool,
    window: Option<(i64, i64)>,
    at_clock: Option<i64>,
    /// Spells longer than this count (mean_benefit_duration), −1 for all.
    longer_than: i64,
}

/// The counted targets of a model.
#[derive(Debug, Clone, Default)]
pub(crate) struct Census {
    counted: Vec<Counted>,
    /// The largest clock any target needs + 1 (0 when no target reads the clock): the
    /// count engine caps its clocks here.
    pub(crate) clock_cap: u32,
    /// Months any target looks at.
    months: Vec<bool>,
}

/// What one arm counted: per target, at its month (or own months) and at month 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Per target of the model, at the month it is measured.
    pub measured: Vec<TargetCount>,
    /// Per target of the model, at month 0 (for targets relative to the start).
    pub at_start: Vec<TargetCount>,
}

impl Census {
    /// The census of a model's targets on subgroups.
    pub(crate) fn new(model: &Model) -> Census {
        let mut counted = Vec::new();
        let mut months = vec![false; model.horizon + 1];
        let mut cap: u32 = 0;
        for (i, t) in model.targets.iter().enumerate().filter(|(_, t)| !t.scope.is_whole_cohort()) {
            let s = &t.scope;
            if let Some(k) = s.at_months_since_referral {
                cap = cap.max(k + 1);
                months.fill(true);
            } else {
                months[t.month] = true;
                if t.relative_to_start {
                    months[0] = true;
                }
            }
            if let Some((from, to)) = s.months_since_referral {
                cap = cap.max(to.unwrap_or(from) + 1);
            }
            counted.push(Counted {
                target: i,
                segments: (0..model.segments.len()).map(|g| s.counts_segment(g)).collect(),
                metric: t.metric,
                month: t.month,
                relative: t.relative_to_start,
                window: s.months_since_referral.map(|(a, b)| (a as i64, b.map_or(i64::MAX, |b| b as i64))),
                at_clock: s.at_months_since_referral.map(i64::from),
                longer_than: s.on_benefit_longer_than.map_or(-1, i64::from),
            });
        }
        Census { counted, clock_cap: cap, months }
    }

    /// An empty tally for a model's targets.
    pub(crate) fn tally(model: &Model) -> Tally {
        let n = model.targets.len();
        Tally { measured: vec![TargetCount::default(); n], at_start: vec![TargetCount::default(); n] }
    }

    /// Whether any target looks at the end of month `m`.
    #[inline]
    pub(crate) fn looks_at(&self, m: usize) -> bool {
        self.months.get(m).copied().unwrap_or(false)
    }

    /// Counts `n` citizens seen alike at the end of month `m`, whose benefit spells (on
    /// benefit) are given as (spell in months, citizens) pairs summing to `n`.
    pub(crate) fn see(
        &self,
        tally: &mut Tally,
        flags: &StateFlags,
        m: usize,
        who: Seen,
        n: u64,
        spells: &[(u64, u64)],
    ) {
        for c in &self.counted {
            if !c.segments[who.segment] {
                continue;
            }
            let slot = if let Some(k) = c.at_clock {
                if who.clock != k {
                    continue;
                }
                &mut tally.measured[c.target]
            } else if m == c.month {
                &mut tally.measured[c.target]
            } else if m == 0 && c.relative {
                &mut tally.at_start[c.target]
            } else {
                continue;
            };
            if let Some((lo, hi)) = c.window
                && !(lo..=hi).contains(&who.clock)
            {
                continue;
            }
            let add = count(c, flags, who, n, spells);
            slot.numerator += add.numerator;
            slot.denominator += add.denominator;
            // A target at month 0 relative to the start is its own base.
            if m == 0 && c.relative && c.month == 0 && c.at_clock.is_none() {
                let base = &mut tally.at_start[c.target];
                base.numerator += add.numerator;
                base.denominator += add.denominator;
            }
        }
    }
}

/// What `n` citizens seen alike add to a target's count.
#[inline]
fn count(c: &Counted, flags: &StateFlags, who: Seen, n: u64, spells: &[(u64, u64)]) -> TargetCount {
    let s = who.state;
    let meets = match c.metric {
        Metric::MeanBenefitDuration => {
            let (mut sum, mut k) = (0u64, 0u64);
            if flags.pays[s] {
                for &(spell, j) in spells.iter().filter(|(spell, _)| *spell as i64 > c.longer_than) {
                    sum += spell * j;
                    k += j;
                }
            }
            return TargetCount { numerator: sum as f64, denominator: k as f64 };
        }
        Metric::SelfSupportingShare => flags.self_supporting[s],
        Metric::EmploymentShare => flags.employed[s],
        Metric::EducationShare => flags.education[s],
        Metric::BenefitShare => flags.pays[s],
        Metric::ActivationShare => flags.activation[s],
        Metric::OutflowShare => who.flags & FLAG_OUTFLOW != 0,
        Metric::SixMonthEmploymentShare => who.flags & FLAG_SIX != 0,
        Metric::StateShare(x) => s == x,
    };
    TargetCount { numerator: if meets { n as f64 } else { 0.0 }, denominator: n as f64 }
}

/// A target's value in one arm from the arm's tally (`None`: the target is read from
/// the monthly record).
pub fn counted_value(target: &Target, i: usize, tally: &Tally) -> Option<f64> {
    if target.scope.is_whole_cohort() {
        return None;
    }
    let value = target.value_of(tally.measured[i]);
    if !target.relative_to_start {
        return Some(value);
    }
    let base = target.value_of(tally.at_start[i]);
    Some(if base != 0.0 { value / base } else { f64::NAN })
}
