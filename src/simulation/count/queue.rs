//! Placement capacity in the count engine: each arm's queue of placement requests,
//! served by request month, then random priority, while the month's consultant hours
//! last, and the placements of all arms made together, so that a citizen placed in every
//! arm where it waits stays one citizen of all arms.

use super::draws::{Stream, take};
use super::groups::{Bins, Count, SpellRule, World, apply_rule, spell_rule, sub_weight, together_rule};
use super::keys::{ABSENT, Fields, Ids, Keys, alone};
use crate::simulation::draws::Drawn;
use crate::simulation::kernel::{Acc, FLAG_WAITING, StateFlags};

/// Decides arm `a`'s placements at the end of month `m` (after the month's moves have
/// settled, so this month's requests wait with `since = m`): oldest request month
/// first, within a month by the requests' random priorities, each taking its
/// transition's hours while the month's hours last; the first request that does not
/// fit stops the month's placements. Books them in `acc` and records, per group, how
/// many of its members arm `a` places (made by [`place_served`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn serve_queue<const N: usize>(
    drawn: &Drawn,
    keys: &Keys,
    world: &World<N>,
    a: usize,
    acc: &mut Acc,
    queue: &mut Vec<(u16, u64, u32)>,
    served: &mut Vec<(u32, [u64; N])>,
    m: usize,
    placement_fte: f64,
) {
    let hours = placement_fte * drawn.hours_per_placement_fte;
    let limit = hours * (1.0 + 1e-12);
    let mut used = 0.0;
    queue.clear();
    for &gi in &world.active {
        let g = &world.groups[gi as usize];
        let id = g.key.0[a];
        if id != ABSENT && g.info[a].flags & FLAG_WAITING != 0 && g.n > 0 {
            let full = &keys.full[id as usize];
            queue.push((Fields::unpack(full.key).since, full.prio, gi));
        }
    }
    queue.sort_unstable();
    for &(since, _, gi) in queue.iter() {
        let g = &world.groups[gi as usize];
        let t = Fields::unpack(keys.full[g.key.0[a] as usize].key).trans as usize;
        let need = drawn.hours[t];
        let mut c = 0;
        let mut full = false;
        while c < g.n {
            if used + need > limit {
                full = true;
                break; // first come, first served: no one jumps the queue
            }
            used += need;
            c += 1;
        }
        if c > 0 {
            acc.moves_month[t] += c;
            acc.placements += c;
            acc.wait_months += (m - since as usize) as u64 * c;
            match served.iter_mut().find(|x| x.0 == gi) {
                Some(x) => x.1[a] = c,
                None => {
                    let mut cs = [0; N];
                    cs[a] = c;
                    served.push((gi, cs));
                }
            }
        }
        if full {
            break;
        }
    }
    acc.hours = hours;
    acc.hours_used = used;
}

/// Makes the placements decided by [`serve_queue`]: in each group, the arms place the
/// first of its members in one random order (waiting citizens are groups of one, so
/// this is the citizen or no one). Members placed in every arm where they are present
/// move on together; the others part, each arm's part going on alone.
pub(super) fn place_served<const N: usize>(
    flags: &StateFlags,
    keys: &mut Keys,
    world: &mut World<N>,
    rng: &mut Stream,
    served: &mut [(u32, [u64; N])],
    m: usize,
) {
    let mut part: Bins = Vec::new();
    for &(gi, cs) in served.iter() {
        let jk = world.groups[gi as usize].key;
        let mut levels: Vec<u64> = cs.iter().copied().filter(|&c| c > 0).collect();
        levels.sort_unstable();
        levels.dedup();
        let mut done = 0;
        for level in levels {
            let size = level - done;
            done = level;
            // These members are placed in the arms that place at least `level`.
            let placed: [bool; N] = std::array::from_fn(|a| cs[a] >= level);
            let g = &mut world.groups[gi as usize];
            let n = g.n;
            g.n -= size;
            part.clear();
            if size == n {
                part.extend(g.bins.iter().filter(|b| b.1 > 0));
                g.bins.clear(world.slots);
                g.sum_o = 0;
            } else {
                let mut left: Vec<u64> = g.bins.iter().map(|b| b.1 as u64).collect();
                let mut taken = vec![0; left.len()];
                take(rng, &mut left, n, size, &mut taken);
                for (b, (l, t)) in g.bins.iter_mut().zip(left.iter().zip(&taken)) {
                    if *t > 0 {
                        part.push((b.0, *t as Count));
                        sub_weight(&mut g.sum_o, b.0, *t);
                    }
                    b.1 = *l as Count;
                }
                g.bins.retain_nonzero(world.slots);
            }
            // Each arm's key and spell rule after the placement.
            let mut ids = jk.0;
            let mut rule = [SpellRule::Keep; N];
            for a in 0..N {
                if placed[a] {
                    let f = Fields::unpack(keys.full[jk.0[a] as usize].key);
                    let dest = keys.model.transitions[f.trans as usize].to;
                    ids[a] = keys.served(jk.0[a]);
                    rule[a] = spell_rule(flags, f.state as usize, dest);
                }
            }
            let together = (0..N).all(|a| jk.0[a] == ABSENT || placed[a]);
            if together {
                // Every present arm places: one key, so one rule, after the move.
                let dest = world.group(Ids(ids), keys);
                let joint = together_rule(&ids, &rule);
                for &(o, k) in &part {
                    world.give(dest, apply_rule(o, joint, m), k as u64);
                }
            } else {
                for a in (0..N).filter(|&a| jk.0[a] != ABSENT) {
                    let dest = world.group(alone(a, ids[a]), keys);
                    for &(o, k) in &part {
                        world.give(dest, apply_rule(o, rule[a], m), k as u64);
                    }
                }
            }
        }
    }
}
