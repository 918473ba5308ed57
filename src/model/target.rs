//! Result targets: the metrics a target measures, whom it counts (the whole cohort or
//! a subgroup: segments, a window of months since referral, each citizen's own month
//! since referral, long benefit spells, a stated population) and when it is met; and
//! the clock of months since referral that targets read.

use super::State;
use crate::error::nearest;

/// Outcomes a target (or a monthly column) can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Share of entered citizens self-supporting.
    SelfSupportingShare,
    /// Share in ordinary employment.
    EmploymentShare,
    /// Share in education.
    EducationShare,
    /// Share on benefit (the "cash-benefit rate" of the cohort).
    BenefitShare,
    /// Share in activation.
    ActivationShare,
    /// Share who have ever left benefit for work or education.
    OutflowShare,
    /// Share who have had 6 consecutive months of ordinary employment.
    SixMonthEmploymentShare,
    /// Mean cumulative months on benefit of those on benefit.
    MeanBenefitDuration,
    /// Share of entered citizens in one state.
    StateShare(usize),
}

impl Metric {
    /// The named metrics (state shares are `share:<state id>`).
    pub const NAMED: [(&'static str, Metric); 8] = [
        ("self_supporting_share", Metric::SelfSupportingShare),
        ("employment_share", Metric::EmploymentShare),
        ("education_share", Metric::EducationShare),
        ("benefit_share", Metric::BenefitShare),
        ("activation_share", Metric::ActivationShare),
        ("outflow_share", Metric::OutflowShare),
        ("six_month_employment_share", Metric::SixMonthEmploymentShare),
        ("mean_benefit_duration", Metric::MeanBenefitDuration),
    ];

    /// Name as written in scenario files and outputs.
    pub fn name(self, states: &[State]) -> String {
        match self {
            Metric::StateShare(s) => format!("share:{}", states[s].id),
            m => Metric::NAMED.iter().find(|(_, x)| *x == m).map(|(n, _)| n.to_string()).unwrap_or_default(),
        }
    }
}

/// A citizen's clock: whole months since referral (or arrival in Denmark), the time
/// goals such as "40 % self-supporting after 12 months" count from.
///
/// A citizen's clock reads 0 during the month they arrive and grows by one at the end of
/// every month, so at the end of simulated month `m` it reads `m − origin`, where the
/// origin is the month before arrival less the months already spent since referral. A
/// citizen present at the start arrives, in this sense, in month 1. Both engines start
/// every citizen's clock here, whatever brings the citizen in.
pub mod clock {
    /// The clock's origin of a citizen who arrives in simulated month `arrival` (1 for
    /// the cohort at the start) with `months_since_referral` months already behind them:
    /// the month at whose end the clock reads 0.
    pub fn origin(arrival: usize, months_since_referral: u32) -> i64 {
        arrival as i64 - 1 - months_since_referral as i64
    }

    /// The clock at the end of month `m` of a citizen with this origin.
    pub fn at_end_of(m: usize, origin: i64) -> i64 {
        m as i64 - origin
    }
}

/// Whom a target counts and when: all entered citizens at one month, or a subgroup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetScope {
    /// Segments counted, by index into [`Model::segments`](super::Model::segments) (every segment when empty).
    pub segments: Vec<usize>,
    /// Only citizens whose clock ([`clock`]) at the target's month lies in this
    /// window, both ends included (`None`: no upper end).
    pub months_since_referral: Option<(u32, Option<u32>)>,
    /// Measured for each citizen at the end of their own month this many months after
    /// referral, over the citizens who reach it within the simulation (instead of at
    /// [`Target::month`]).
    pub at_months_since_referral: Option<u32>,
    /// Only citizens on benefit whose current spell is longer than this many months.
    pub on_benefit_longer_than: Option<u32>,
    /// A stated population the cohort is part of: the value is (citizens counted +
    /// `counted_outside`) / `size` instead of a share of the citizens counted.
    pub population: Option<Population>,
}

impl TargetScope {
    /// Whether the target counts all citizens at one month (read from the monthly
    /// record), not a subgroup (counted by the engines).
    pub fn is_whole_cohort(&self) -> bool {
        *self == TargetScope::default()
    }

    /// Whether the target reads the citizens' clocks.
    pub fn uses_clock(&self) -> bool {
        self.months_since_referral.is_some() || self.at_months_since_referral.is_some()
    }

    /// Whether segment `g` is counted.
    pub fn counts_segment(&self, g: usize) -> bool {
        self.segments.is_empty() || self.segments.contains(&g)
    }
}

/// A stated population a target's share is measured against (e.g. all immigrants and
/// descendants in a municipality, of whom the cohort is a part).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Population {
    /// People in the population, the cohort included.
    pub size: f64,
    /// People outside the cohort who already count toward the share.
    pub counted_outside: f64,
}

/// A result target ("40 % self-supporting after 12 months"): what reports say is
/// met or not, and how likely.
#[derive(Debug, Clone)]
pub struct Target {
    /// Text for reports (the metric and month unless the file names it).
    pub name: String,
    /// What is measured.
    pub metric: Metric,
    /// Months after start (the value at the end of that month; 0 = start); the horizon
    /// for a target at each citizen's own month since referral.
    pub month: usize,
    /// Whom it counts.
    pub scope: TargetScope,
    /// Met if value ≥ this.
    pub at_least: Option<f64>,
    /// Met if value ≤ this.
    pub at_most: Option<f64>,
    /// Compare the value divided by its value at month 0 (a relative target).
    pub relative_to_start: bool,
}

impl Target {
    /// The target's value from what was counted (see [`TargetScope`]): a share of the
    /// citizens counted, or of the stated population, or their mean benefit spell;
    /// NaN when nobody was counted.
    pub fn value_of(&self, counted: TargetCount) -> f64 {
        if let Some(p) = self.scope.population {
            return (counted.numerator + p.counted_outside) / p.size;
        }
        if counted.denominator > 0.0 { counted.numerator / counted.denominator } else { f64::NAN }
    }

    /// Whether a value meets the target.
    pub fn is_met(&self, value: f64) -> bool {
        self.at_least.is_none_or(|t| value >= t) && self.at_most.is_none_or(|t| value <= t)
    }

    /// The condition as text, e.g. `≥ 0.4`.
    pub fn condition(&self) -> String {
        let rel = if self.relative_to_start { " × start value" } else { "" };
        match (self.at_least, self.at_most) {
            (Some(a), Some(b)) => format!("between {a} and {b}{rel}"),
            (Some(a), None) => format!("≥ {a}{rel}"),
            (None, Some(b)) => format!("≤ {b}{rel}"),
            (None, None) => String::new(),
        }
    }
}

/// What an engine counted for a target in one arm: the citizens who meet the metric
/// (for `mean_benefit_duration`, the sum of their spells) over the citizens counted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TargetCount {
    /// Citizens who meet the metric, or the sum of spells.
    pub numerator: f64,
    /// Citizens counted (for `mean_benefit_duration`, those on benefit).
    pub denominator: f64,
}

/// Parses a metric name; on failure returns the nearest valid name.
pub fn parse_metric(name: &str, state_ids: &[String]) -> Result<Metric, Option<String>> {
    if let Some((_, m)) = Metric::NAMED.iter().find(|(n, _)| *n == name) {
        return Ok(*m);
    }
    if let Some(id) = name.strip_prefix("share:") {
        if let Some(i) = state_ids.iter().position(|s| s == id) {
            return Ok(Metric::StateShare(i));
        }
        return Err(nearest(id, state_ids.iter().map(String::as_str)).map(|s| format!("share:{s}")));
    }
    let mut cands: Vec<String> = Metric::NAMED.iter().map(|(n, _)| n.to_string()).collect();
    cands.extend(state_ids.iter().map(|s| format!("share:{s}")));
    Err(nearest(name, cands.iter().map(String::as_str)))
}
