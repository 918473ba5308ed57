//! The month's moves between segments in the count engine (`[[segment_moves]]`, see
//! `crate::simulation::segment_moves` for the order of events): after the month's moves
//! between states and placements, the members of each group move to another segment
//! independently, so each bin of spell starts is split over the group's moves by
//! conditional binomials. A group whose arms are together has one key, so one place, in
//! every arm: its movers move in every arm alike and stay together; a group of one arm
//! alone moves on its own draws, as the individual engine's decoupled citizens do.

use super::binomial::binomial;
use super::draws::Stream;
use super::groups::{Count, World, sub_weight};
use super::keys::{ABSENT, Ids, Keys};
use crate::simulation::segment_moves::SegmentMoveRows;

/// Moves the members of every group with members between segments, by the replication's
/// `rows`; they join their new groups at the end (the world is settled). Returns the
/// citizens who moved, per arm.
pub(super) fn move_segments<const N: usize>(
    rows: &SegmentMoveRows,
    keys: &mut Keys,
    world: &mut World<N>,
    rng: &mut Stream,
) -> [u64; N] {
    let mut moved = [0u64; N];
    let mut dests: Vec<u32> = Vec::new();
    for ai in 0..world.active.len() {
        let gi = world.active[ai] as usize;
        let (jk, info) = (world.groups[gi].key, world.groups[gi].info);
        let Some(a0) = (0..N).find(|&a| jk.0[a] != ABSENT) else { continue };
        let row = rows.row(info[a0].segment as usize, info[a0].state as usize);
        if row.is_empty() {
            continue;
        }
        dests.clear();
        for e in row {
            let ids = Ids(std::array::from_fn(|a| {
                if jk.0[a] == ABSENT { ABSENT } else { keys.with_segment(jk.0[a], e.to as usize) }
            }));
            dests.push(world.group(ids, keys));
        }
        let mut bins = std::mem::take(&mut world.groups[gi].bins);
        let (mut movers, mut removed, mut emptied) = (0u64, 0i64, 0usize);
        for bin in bins.iter_mut() {
            let c = bin.1 as u64;
            let mut left = c;
            let mut before = 0.0;
            for (e, &d) in row.iter().zip(&dests) {
                if left == 0 {
                    break;
                }
                // P(this move | none of the earlier ones).
                let p = e.threshold - before;
                let rest = 1.0 - before;
                before = e.threshold;
                let x = binomial(rng, left, if rest > 0.0 { p / rest } else { 1.0 });
                if x > 0 {
                    world.give(d, bin.0, x);
                    left -= x;
                }
            }
            if left < c {
                sub_weight(&mut removed, bin.0, c - left);
                movers += c - left;
                emptied += (left == 0) as usize;
                bin.1 = left as Count;
            }
        }
        let slots = world.slots;
        let g = &mut world.groups[gi];
        if emptied > 0 {
            bins.emptied(emptied, slots);
        }
        g.bins = bins;
        g.n -= movers;
        g.sum_o += removed;
        for (a, total) in moved.iter_mut().enumerate() {
            if jk.0[a] != ABSENT {
                *total += movers;
            }
        }
    }
    world.settle();
    moved
}
