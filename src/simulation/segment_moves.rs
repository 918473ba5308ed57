//! Moves between segments (`[[segment_moves]]`), as both engines draw them: per
//! (segment, state), the probability of joining each other segment this month, laid
//! out as cumulative thresholds of one uniform number.
//!
//! The order of events, the same in both engines: after the month's moves between
//! states (and the placements served), each citizen in a segment and state with moves
//! out of it joins another segment or not, by competing hazards (rate −ln(1 − q) per
//! move, leaving with probability 1 − exp(−Σ rates), to each move in proportion to its
//! rate). A citizen who moves keeps its state, benefit history and flags; the new
//! segment's multipliers, overrides and benefit type apply from the next month.

use super::draws::Drawn;
use crate::model::Model;

/// One way out of a (segment, state): the cumulative threshold below which a uniform
/// number takes this move or an earlier one, the move's index in
/// [`Model::segment_moves`], and the segment joined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SegmentExit {
    pub(crate) threshold: f64,
    pub(crate) index: u16,
    pub(crate) to: u16,
}

/// The moves between segments of one replication, per (segment, state).
pub(crate) struct SegmentMoveRows {
    states: usize,
    /// Per (segment, state), `[g * states + s]`: its exits' range in `exits`.
    rows: Vec<(u32, u32)>,
    exits: Vec<SegmentExit>,
}

impl SegmentMoveRows {
    /// The rows of a model with the probabilities drawn for one replication. Moves with
    /// probability 0 are left out, so a model whose moves all have probability 0 has
    /// no exits at all ([`SegmentMoveRows::is_empty`]).
    pub(crate) fn new(model: &Model, drawn: &Drawn) -> SegmentMoveRows {
        let (ns, ng) = (model.states.len(), model.segments.len());
        let mut rows = Vec::with_capacity(ng * ns);
        let mut exits = Vec::new();
        for g in 0..ng {
            for s in 0..ns {
                let start = exits.len();
                let out: Vec<(usize, f64)> = model
                    .segment_moves
                    .iter()
                    .enumerate()
                    .filter(|(k, mv)| mv.from == g && mv.states.contains(&s) && drawn.segment_moves[*k] > 0.0)
                    .map(|(k, _)| (k, rate_of(drawn.segment_moves[k])))
                    .collect();
                let certain = out.iter().filter(|x| x.1.is_infinite()).count();
                let total: f64 =
                    out.iter().map(|x| if certain > 0 { x.1.is_infinite() as u8 as f64 } else { x.1 }).sum();
                let leave = if certain > 0 { 1.0 } else { 1.0 - (-total).exp() };
                let mut cum = 0.0;
                for (i, &(k, r)) in out.iter().enumerate() {
                    cum += if certain > 0 { r.is_infinite() as u8 as f64 } else { r };
                    // The last exit's threshold is exactly P(leaving).
                    let threshold = if i + 1 == out.len() { leave } else { leave * (cum / total) };
                    exits.push(SegmentExit {
                        threshold,
                        index: k as u16,
                        to: model.segment_moves[k].to as u16,
                    });
                }
                rows.push((start as u32, exits.len() as u32));
            }
        }
        SegmentMoveRows { states: ns, rows, exits }
    }

    /// Whether no citizen can move between segments in this replication.
    pub(crate) fn is_empty(&self) -> bool {
        self.exits.is_empty()
    }

    /// The exits of a citizen in segment `g` and state `s` (empty when it cannot move).
    #[inline]
    pub(crate) fn row(&self, g: usize, s: usize) -> &[SegmentExit] {
        let (a, b) = self.rows[g * self.states + s];
        &self.exits[a as usize..b as usize]
    }
}

/// The exit a uniform number `v` takes in `row`, if any.
#[inline]
pub(crate) fn pick(row: &[SegmentExit], v: f64) -> Option<SegmentExit> {
    row.iter().find(|e| v < e.threshold).copied()
}

/// The hazard rate of a monthly probability (infinite for 1).
fn rate_of(q: f64) -> f64 {
    -(1.0 - q).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competing_moves_split_by_rate_and_certain_moves_always_happen() {
        let row = |qs: &[f64]| {
            let rates: Vec<f64> = qs.iter().map(|&q| rate_of(q)).collect();
            let total: f64 = rates.iter().sum();
            (rates, total)
        };
        let (rates, total) = row(&[0.1, 0.2]);
        let leave = 1.0 - (-total).exp();
        assert!((leave - (1.0 - 0.9 * 0.8)).abs() < 1e-15);
        assert!(rates[0] / total < 0.5);
        let exits = [SegmentExit { threshold: 1.0, index: 0, to: 1 }];
        assert_eq!(pick(&exits, 0.999_999).map(|e| e.to), Some(1));
        assert_eq!(pick(&exits[..0], 0.0), None);
    }
}
