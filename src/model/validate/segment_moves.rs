//! `[[segment_moves]]`: citizens moving from one segment to another (match group 4 →
//! 3), each with a monthly probability and, optionally, the states it applies in.

use super::Validator;
use crate::error::nearest;
use crate::input::locate::KeyPath;
use crate::input::param::Role;
use crate::model::{Segment, SegmentMove};
use std::collections::HashSet;

/// The most `[[segment_moves]]` entries a scenario may have.
const MAX_MOVES: usize = 60_000;

impl Validator<'_> {
    /// The moves between segments, in file order.
    pub(super) fn segment_moves(&mut self, segments: &[Segment], state_ids: &[String]) -> Vec<SegmentMove> {
        let f = &self.sc.file;
        let names: Vec<&str> = f.segments.iter().map(|s| s.name.as_str()).collect();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        // The engines number the moves in 16 bits.
        if f.segment_moves.len() > MAX_MOVES {
            self.err(
                KeyPath::default().key("segment_moves"),
                format!("at most {MAX_MOVES} segment moves are supported, got {}", f.segment_moves.len()),
                None,
            );
            return out;
        }
        for (i, d) in f.segment_moves.iter().enumerate() {
            let k = KeyPath::default().key("segment_moves").index(i);
            let from = self.segment_ref(k.key("from"), &d.from, &names);
            let to = self.segment_ref(k.key("to"), &d.to, &names);
            if d.from == d.to {
                self.err(
                    k.key("to"),
                    format!("a segment move from `{}` to itself changes nothing: name another segment", d.to),
                    None,
                );
            }
            let id = format!("{}->{}", d.from, d.to);
            if from.is_some() && to.is_some() && !seen.insert(id.clone()) {
                self.err(
                    k.key("from"),
                    format!("the move `{id}` is given twice: give it once, listing all its `states`"),
                    None,
                );
            }
            let probability = self.param(k.key("probability"), &d.probability, Role::Probability);
            let mut states = Vec::new();
            for (j, st) in d.states.iter().enumerate() {
                let si = self.state_ref(k.key("states").index(j), st, state_ids);
                if states.contains(&si) {
                    self.err(k.key("states").index(j), format!("state `{st}` is listed twice"), None);
                }
                states.push(si);
            }
            if states.is_empty() {
                states = (0..state_ids.len()).collect();
            }
            states.sort_unstable();
            states.dedup();
            if let (Some(from), Some(to)) = (from, to)
                && from < segments.len()
                && to < segments.len()
            {
                out.push(SegmentMove { id, from, to, probability, states });
            }
        }
        out
    }

    /// The index of the segment named `name`; a problem (with the nearest name) if there is none.
    fn segment_ref(&mut self, key: KeyPath, name: &str, names: &[&str]) -> Option<usize> {
        let found = names.iter().position(|n| *n == name);
        if found.is_none() {
            let suggestion = nearest(name, names.iter().copied());
            self.err(
                key,
                format!(
                    "no segment `{name}`; the segments are {}",
                    names.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                ),
                suggestion,
            );
        }
        found
    }
}

impl Validator<'_> {
    /// A result grant limited to some segments counts the citizens of those segments
    /// who reach its outcome; a move between a covered and an uncovered segment would
    /// carry citizens who already reached it across that line, so it is refused.
    pub(super) fn result_grant_across_moves(
        &mut self,
        moves: &[SegmentMove],
        segments: &[Segment],
        covered: &[bool],
    ) {
        for (i, mv) in moves.iter().enumerate() {
            if covered[mv.from] != covered[mv.to] {
                let (inside, outside) = if covered[mv.from] { (mv.from, mv.to) } else { (mv.to, mv.from) };
                self.err(
                    KeyPath::default().key("segment_moves").index(i),
                    format!(
                        "citizens move between segment `{}`, which the result grant covers, and `{}`, which \
                         it does not: a result grant limited to some segments cannot follow citizens across \
                         that line; cover both segments in `budget.result_grant` (or neither)",
                        segments[inside].name, segments[outside].name
                    ),
                    None,
                );
            }
        }
    }
}
