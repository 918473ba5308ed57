//! A segment of the cohort ([`Segment`]): who enters it and when (at the start, on its
//! arrival month, or as inflow within its window), and the moves of citizens between
//! segments ([`SegmentMove`]).

#[cfg(doc)]
use super::Model;
use super::StartGroup;
use crate::input::param::Distribution;

/// A group of citizens sharing start, benefit and multipliers.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Name, as outputs and observed figures refer to it.
    pub name: String,
    /// The segment's own citizens per state they enter in: `(state, count)` (the sum of
    /// [`Segment::citizens`]), present at the start unless the segment [`Segment::arrives`] later.
    pub start: Vec<(usize, u32)>,
    /// Citizens at the start, in groups alike at the start, ordered by state id
    /// (alphabetical), months on benefit, months since referral and awaited placement:
    /// the order in which the engines number them, whatever order a cohort file lists them in.
    pub citizens: Vec<StartGroup>,
    /// Benefit type index into [`Model::benefit_types`].
    pub benefit_type: usize,
    /// Months on benefit before the start (where the 2016 reimbursement bands begin),
    /// as the segment gives it; with `citizens`, each group gives its own, and this is 0.
    pub months_on_benefit: u32,
    /// The simulated month in which the citizens of [`Segment::citizens`] enter: 0 when
    /// they are there at the start, m ≥ 1 when they arrive at the beginning of month m.
    pub arrives: usize,
    /// New citizens per month (fractions accumulate, see [`Segment::arrivals`]).
    pub inflow_per_month: f64,
    /// First and last simulated month (1-based, inclusive) in which the inflow arrives.
    pub inflow_months: (usize, usize),
    /// State new citizens enter, by index into [`Model::states`].
    pub inflow_state: usize,
    /// Months on benefit before entry, for new citizens.
    pub inflow_months_on_benefit: u32,
    /// Multipliers on transitions' rates for this segment: `(transition index, multiplier)`.
    pub multipliers: Vec<(usize, Distribution)>,
    /// Probabilities replacing transitions' own for this segment: `(transition index, probability)`.
    pub overrides: Vec<(usize, Distribution)>,
}

impl Segment {
    /// The segment's own citizens (those of [`Segment::citizens`]), over all their
    /// states, whether present at the start or arriving in month [`Segment::arrives`].
    pub fn size(&self) -> u32 {
        self.start.iter().map(|(_, n)| n).sum()
    }

    /// Citizens of the segment present at the start (month 0).
    pub fn size_at_start(&self) -> u32 {
        if self.arrives == 0 { self.size() } else { 0 }
    }

    /// Inflow months elapsed by the end of simulated month `m`.
    fn inflow_months_by(&self, m: usize) -> usize {
        let (first, last) = self.inflow_months;
        if m < first { 0 } else { m.min(last) + 1 - first }
    }

    /// Inflow arrivals in simulated month `m` (1-based): fractional inflow accumulates
    /// over the inflow's months, so that after k of them exactly `floor(k × inflow)`
    /// have arrived; none outside [`Segment::inflow_months`].
    pub fn arrivals(&self, m: usize) -> u32 {
        let (first, last) = self.inflow_months;
        if m < first || m > last {
            return 0;
        }
        let f = self.inflow_per_month;
        let k = self.inflow_months_by(m) as f64;
        ((k * f).floor() - ((k - 1.0) * f).floor()) as u32
    }

    /// Who enters the segment in simulated month `m` (0 = the start): the segment's
    /// own citizens in their month of arrival, then the month's inflow, as
    /// `(state, months on benefit before entry, citizens)`. Both engines admit citizens
    /// in this order.
    pub fn entries(&self, m: usize) -> impl Iterator<Item = (usize, u32, u32)> + '_ {
        let own: &[StartGroup] = if m == self.arrives { &self.citizens } else { &[] };
        let inflow = if m >= 1 { self.arrivals(m) } else { 0 };
        own.iter()
            .map(|c| (c.state, c.months_on_benefit, c.count))
            .chain(std::iter::once((self.inflow_state, self.inflow_months_on_benefit, inflow)))
            .filter(|e| e.2 > 0)
    }

    /// Citizens who have entered the segment by the end of simulated month `m` (0 =
    /// the start), before any [`SegmentMove`].
    pub fn entered_by(&self, m: usize) -> u64 {
        let own = if m >= self.arrives { self.size() as u64 } else { 0 };
        own + (self.inflow_months_by(m) as f64 * self.inflow_per_month.max(0.0)).floor() as u64
    }
}

/// A `[[segment_moves]]` entry: each month, after the month's moves between states,
/// a citizen of segment `from` in one of `states` joins segment `to` with this
/// probability (several moves out of one segment combine as competing hazards).
#[derive(Debug, Clone)]
pub struct SegmentMove {
    /// Name for reports and parameter keys: `"from->to"`.
    pub id: String,
    /// The segment left, by index into [`Model::segments`].
    pub from: usize,
    /// The segment joined, by index into [`Model::segments`].
    pub to: usize,
    /// Monthly probability, drawn once per replication.
    pub probability: Distribution,
    /// The states in which the move can happen, by index into [`Model::states`]
    /// (every state when the file names none).
    pub states: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_inflow_accumulates() {
        let s = Segment {
            name: "x".into(),
            start: vec![],
            citizens: vec![],
            benefit_type: 0,
            months_on_benefit: 0,
            arrives: 0,
            inflow_per_month: 2.5,
            inflow_months: (1, 100),
            inflow_state: 0,
            inflow_months_on_benefit: 0,
            multipliers: vec![],
            overrides: vec![],
        };
        let a: Vec<u32> = (1..=4).map(|m| s.arrivals(m)).collect();
        assert_eq!(a, vec![2, 3, 2, 3]);
        // A window from month 3 to month 6: the same pattern, shifted, and none after.
        let w = Segment { inflow_months: (3, 6), ..s };
        let a: Vec<u32> = (1..=8).map(|m| w.arrivals(m)).collect();
        assert_eq!(a, vec![0, 0, 2, 3, 2, 3, 0, 0]);
        assert_eq!((w.entered_by(2), w.entered_by(4), w.entered_by(8)), (0, 5, 10));
    }
}
