//! The month's moves out of each group: how many of its members take each joint
//! outcome (one uniform number each in a small group; in a larger one, by binomials per
//! spell-start bin or along a pooled line of bins), where they go ([`Dest`]), and the
//! stayers, who stay in place unless staying changes their key.

use super::binomial::uniform;
use super::draws::{
    ArmRow, Interval, SMALL_GROUP, STAY, Stream, draw_intervals, gap_scale, geometric_gap, joint_intervals,
    pool_from,
};
use super::groups::{
    Count, Dest, Hist, NO_TRANS, RowSet, SpellRule, World, apply_rule, spell_rule, sub_weight, together_rule,
};
use super::keys::{ABSENT, Ids, KeyInfo, Keys, Start, UNSET, alone};
use crate::model::Model;
use crate::simulation::draws::Drawn;
use crate::simulation::kernel::{FLAG_WAITING, StateFlags};
use crate::simulation::tables::Tables;
use rand::Rng;

/// What the moves of a replication read but do not change.
pub(super) struct MoveCtx<'a> {
    pub(super) model: &'a Model,
    pub(super) drawn: &'a Drawn,
    pub(super) flags: &'a StateFlags,
    pub(super) capacity: bool,
}

/// What the month's moves read and change, lent by the replication for month `m`.
pub(super) struct MonthWorld<'a, 'k, const N: usize> {
    pub(super) ctx: &'a MoveCtx<'a>,
    /// Each arm's transition tables of the month.
    pub(super) tables: &'a [Tables],
    pub(super) keys: &'a mut Keys<'k>,
    pub(super) world: &'a mut World<N>,
    pub(super) rng: &'a mut Stream,
    pub(super) m: usize,
}

/// The machinery of the month's moves, kept over the replication: scratch space, the
/// pool of joint intervals and the month's counts of moves.
pub(super) struct Moves<const N: usize> {
    /// For a small group: (outcome in every arm, bin, how many).
    few: Vec<([u16; N], usize, u64)>,
    /// Members of one bin per joint interval ([`draw_intervals`]).
    counts: Vec<u64>,
    /// A row set's intervals of this month, before they go to the pool.
    fresh: Vec<Interval<N>>,
    /// The world's pool of joint intervals ([`World::iv_pool`]), taken out of it so
    /// that a group's moves can read its intervals while moving citizens.
    iv_pool: Vec<Interval<N>>,
    /// The version given to the last intervals added to the pool.
    iv_version: u32,
    /// The month's moves per arm and transition ([`Mover::moves`]), added to each
    /// arm's counts before the month is booked.
    pub(super) booked: Vec<u64>,
    /// Length of an arm's row in `booked`: the transitions and a spare place.
    pub(super) stride: usize,
}

/// What has left a group so far during its visit.
#[derive(Debug, Clone, Copy, Default)]
struct Left {
    /// −Σ spell start over the movers on benefit (added to the group's `sum_o`).
    removed: i64,
    movers: u64,
    /// Bins that have fallen to 0.
    emptied: usize,
}

/// A visited group's parts, taken out of the world while its members move (they move
/// into other groups of the world meanwhile).
struct Parts<'p, const N: usize> {
    bins: &'p mut Hist,
    dests: &'p mut Vec<Dest<N>>,
    iv_dest: &'p mut Vec<u32>,
    iv_ver: &'p mut u32,
}

impl<const N: usize> Moves<N> {
    /// The machinery for a model with `nt` transitions, with the world's pool of intervals.
    pub(super) fn new(world: &mut World<N>, nt: usize) -> Self {
        let stride = nt + 1;
        Moves {
            few: Vec::new(),
            counts: Vec::new(),
            fresh: Vec::new(),
            iv_pool: std::mem::take(&mut world.iv_pool),
            iv_version: 0,
            booked: vec![0; N * stride],
            stride,
        }
    }

    /// Gives the pool of intervals back to the world, for its next replication.
    pub(super) fn put_back(self, world: &mut World<N>) {
        world.iv_pool = self.iv_pool;
    }

    /// The month's moves out of every group with members, in the list's order. Movers
    /// join their new group at the end of the month ([`World::settle`]); stayers stay
    /// in place unless staying changes their key.
    pub(super) fn month(&mut self, w: &mut MonthWorld<N>) {
        for ai in 0..w.world.active.len() {
            let gi = w.world.active[ai];
            self.group(w, gi);
        }
        w.world.settle();
    }

    /// The moves out of group `gi`: its members' draws, then the movers sent on and
    /// the stayers kept in place, or all moved to the group of their new key. Nothing is
    /// done for a group whose members all stay put.
    #[inline]
    fn group(&mut self, w: &mut MonthWorld<N>, gi: u32) {
        let g = &w.world.groups[gi as usize];
        let (jk, n, rowset, info) = (g.key, g.n, g.rowset, g.info);
        let stay_group = w.world.stayers(gi, w.keys);
        let small = n <= SMALL_GROUP;
        if small {
            self.draw_members(w, gi, jk, &info);
            if self.few.is_empty() && stay_group == gi {
                return;
            }
        } else {
            let top = self.intervals(w, rowset, jk, &info);
            // Nobody can move (an absorbing state) and staying keeps the key: done.
            if top <= 0.0 && stay_group == gi {
                return;
            }
        }
        let g = &mut w.world.groups[gi as usize];
        let mut bins = std::mem::take(&mut g.bins);
        let mut dests = std::mem::take(&mut g.dests);
        let mut iv_dest = std::mem::take(&mut g.iv_dest);
        let mut iv_ver = g.iv_ver;
        let parts = Parts { bins: &mut bins, dests: &mut dests, iv_dest: &mut iv_dest, iv_ver: &mut iv_ver };
        let Moves { few, counts, iv_pool, booked, stride, .. } = self;
        let mut mv = Mover {
            keys: w.keys,
            world: w.world,
            moves: booked,
            stride: *stride,
            rng: w.rng,
            jk,
            info: &info,
            m: w.m,
        };
        let left = if small {
            mv.move_members(w.ctx, few, parts)
        } else {
            mv.move_bins(w.ctx, rowset, iv_pool, counts, parts)
        };

        // The stayers: in place, or all to the group of their new key.
        let world = &mut *w.world;
        let stayed = n - left.movers;
        let g = &mut world.groups[gi as usize];
        g.dests = dests;
        g.iv_dest = iv_dest;
        g.iv_ver = iv_ver;
        if stay_group == gi {
            if left.emptied > 0 {
                bins.emptied(left.emptied, world.slots);
            }
            g.n = stayed;
            g.sum_o += left.removed;
            g.bins = bins;
        } else {
            g.n = 0;
            g.sum_o = 0;
            if stayed > 0 {
                world.give_bins(stay_group, &bins, stayed);
            }
            bins.clear(world.slots);
            world.groups[gi as usize].bins = bins;
        }
    }

    /// A small group draws citizen by citizen (one uniform number each, as the
    /// individual engine): the members who move in some arm, by outcome and bin, into
    /// `few`.
    #[inline]
    fn draw_members(&mut self, w: &mut MonthWorld<N>, gi: u32, jk: Ids<N>, info: &[KeyInfo; N]) {
        let rows = arm_rows(w.tables, jk, info);
        let few = &mut self.few;
        few.clear();
        for (b, bin) in w.world.groups[gi as usize].bins.iter().enumerate() {
            for _ in 0..bin.1 {
                let u = uniform(w.rng);
                let out: [u16; N] = std::array::from_fn(|a| rows[a].outcome(u));
                if out != [STAY; N] {
                    match few.iter_mut().find(|x| x.0 == out && x.1 == b) {
                        Some(x) => x.2 += 1,
                        None => few.push((out, b, 1)),
                    }
                }
            }
        }
    }

    /// The month's joint intervals of row set `rowset` (whose first group is `jk`, with
    /// arms' keys `info`), built once a month for all the groups that share the rows and
    /// kept while the rows do not depend on staffing. Returns P(moving in some arm).
    #[inline]
    fn intervals(&mut self, w: &mut MonthWorld<N>, rowset: u32, jk: Ids<N>, info: &[KeyInfo; N]) -> f64 {
        let m = w.m;
        let tables = w.tables;
        let rs = &mut w.world.rowsets[rowset as usize];
        // Rows that do not depend on staffing give the same intervals every month: once
        // built, they are kept.
        let fixed = || (0..N).all(|a| jk.0[a] == ABSENT || tables[a].is_fixed(info[a].row as usize));
        if rs.month != m && rs.ver != 0 && fixed() {
            rs.month = m;
        }
        if rs.month != m {
            self.rebuild_intervals(rs, arm_rows(tables, jk, info), m);
        }
        rs.top
    }

    /// Rebuilds a row set's intervals for month `m` from the arms' rows: in place in the
    /// pool while their outcomes stay the same, else as new intervals of a new version
    /// (the groups' resolved destinations then no longer hold).
    fn rebuild_intervals(&mut self, rs: &mut RowSet, rows: [ArmRow; N], m: usize) {
        let (fresh, iv_pool) = (&mut self.fresh, &mut self.iv_pool);
        joint_intervals(&rows, fresh);
        rs.month = m;
        let kept = &mut iv_pool[rs.start..rs.start + rs.len];
        if rs.ver != 0
            && kept.len() == fresh.len()
            && kept.iter().zip(fresh.iter()).all(|(a, b)| a.outcome == b.outcome)
        {
            kept.copy_from_slice(fresh);
        } else {
            rs.start = iv_pool.len();
            rs.len = fresh.len();
            iv_pool.extend_from_slice(fresh);
            self.iv_version += 1;
            rs.ver = self.iv_version;
        }
        rs.top = fresh.last().map(|iv| iv.hi).unwrap_or(0.0);
        rs.gap_scale = f64::NAN; // computed when first needed
        rs.pool_from = pool_from(rs.top);
    }
}

/// The arms' rows of a group this month (an absent arm never moves).
#[inline]
fn arm_rows<'t, const N: usize>(tables: &'t [Tables], jk: Ids<N>, info: &[KeyInfo; N]) -> [ArmRow<'t>; N] {
    std::array::from_fn(|a| {
        if jk.0[a] == ABSENT {
            return ArmRow { leave: 0.0, thr: &[] };
        }
        let (i, tab) = (&info[a], &tables[a]);
        let (leave, thr) = if i.flags & FLAG_WAITING != 0 {
            (&tab.leave_waiting, &tab.thr_waiting)
        } else {
            (&tab.leave, &tab.thr)
        };
        let off = i.off as usize;
        ArmRow { leave: leave[i.row as usize], thr: &thr[off..off + i.n_exits as usize] }
    })
}

/// The moves out of one group (`jk`, whose arms' keys are `info`) in month `m`.
struct Mover<'a, 'k, const N: usize> {
    keys: &'a mut Keys<'k>,
    world: &'a mut World<N>,
    /// The month's moves per arm and transition, arm after arm, each arm's row
    /// `stride` long (the transitions and a spare place, see [`Dest::book`]): one small
    /// array, rather than each arm's counts behind its state, so that booking a move
    /// reads nothing else.
    moves: &'a mut [u64],
    stride: usize,
    rng: &'a mut Stream,
    jk: Ids<N>,
    info: &'a [KeyInfo; N],
    m: usize,
}

impl<const N: usize> Mover<'_, '_, N> {
    /// Sends on the movers of a small group drawn by [`Moves::draw_members`] (`few`).
    #[inline]
    fn move_members(&mut self, ctx: &MoveCtx, few: &[([u16; N], usize, u64)], parts: Parts<N>) -> Left {
        let mut left = Left::default();
        let Parts { bins, dests, .. } = parts;
        for &(out, b, c) in few {
            let d = self.resolve(ctx, dests, out);
            let o = bins[b].0;
            self.emit(&dests[d], o, c);
            sub_weight(&mut left.removed, o, c);
            bins[b].1 -= c as Count;
            left.emptied += (bins[b].1 == 0) as usize;
            left.movers += c;
        }
        left
    }

    /// Draws and sends on the movers of a larger group whose row set is `rowset` (its
    /// intervals in `iv_pool`), bin by bin of its spell starts. Bins where few are
    /// expected to move are taken together as one line of members, each moving with
    /// probability `top` on its own: the gaps between movers are geometric, so only the
    /// movers cost a draw (their interval by one uniform number each). Bins where many
    /// move draw their counts by binomials (into `counts`). The line starts at the first
    /// pooled bin.
    #[inline]
    fn move_bins(
        &mut self,
        ctx: &MoveCtx,
        rowset: u32,
        iv_pool: &[Interval<N>],
        counts: &mut Vec<u64>,
        parts: Parts<N>,
    ) -> Left {
        let mut left = Left::default();
        let rs = &self.world.rowsets[rowset as usize];
        let RowSet { start, len, ver, top, pool_from, .. } = *rs;
        let mut scale = rs.gap_scale;
        if top <= 0.0 {
            return left;
        }
        let ivs = &iv_pool[start..start + len];
        let Parts { bins, dests, iv_dest, iv_ver } = parts;
        if *iv_ver != ver {
            iv_dest.clear();
            iv_dest.resize(len, UNSET);
            *iv_ver = ver;
        }
        let mut gap = None;
        for bin in bins.iter_mut() {
            let c = bin.1 as u64;
            if c >= pool_from {
                draw_intervals(self.rng, c, ivs, counts);
                for (j, &x) in counts.iter().enumerate() {
                    if x > 0 {
                        let d = self.dest_of(ctx, dests, iv_dest, ivs, j);
                        self.emit(&dests[d], bin.0, x);
                        bin.1 -= x as Count;
                    }
                }
            } else {
                if scale.is_nan() {
                    scale = gap_scale(top);
                    self.world.rowsets[rowset as usize].gap_scale = scale;
                }
                let gap = gap.get_or_insert_with(|| geometric_gap(self.rng, scale));
                let mut stay = c;
                while *gap < stay {
                    stay -= *gap + 1;
                    let u = uniform(self.rng) * top;
                    let j = ivs.iter().position(|iv| u < iv.hi).unwrap_or(ivs.len() - 1);
                    let d = self.dest_of(ctx, dests, iv_dest, ivs, j);
                    self.emit(&dests[d], bin.0, 1);
                    bin.1 -= 1;
                    *gap = geometric_gap(self.rng, scale);
                }
                *gap -= stay;
            }
            let x = c - bin.1 as u64;
            if x > 0 {
                sub_weight(&mut left.removed, bin.0, x);
                left.movers += x;
                left.emptied += (bin.1 == 0) as usize;
            }
        }
        left
    }

    /// The index in `dests` of the destination of `outcome`, resolved on first use.
    #[inline]
    fn resolve(&mut self, ctx: &MoveCtx, dests: &mut Vec<Dest<N>>, outcome: [u16; N]) -> usize {
        if let Some(d) = dests.iter().position(|d| d.outcome == outcome) {
            return d;
        }
        let mut ids = [0u32; N];
        let mut requests = [false; N];
        let mut rule = [SpellRule::Keep; N];
        let mut trans = [NO_TRANS; N];
        for a in 0..N {
            let id = self.jk.0[a];
            let k = outcome[a];
            if id == ABSENT {
                ids[a] = ABSENT;
                continue;
            }
            if k == STAY {
                ids[a] = self.keys.stay(id);
                continue;
            }
            let s = self.info[a].state as usize;
            let t = self.keys.layout.exits[s][k as usize];
            if ctx.capacity && !ctx.drawn.hours[t].is_nan() {
                // A placement request of this month: stays in the state for now.
                requests[a] = true;
                ids[a] = self.keys.stay(id);
            } else {
                ids[a] = self.keys.moved(id, k);
                rule[a] = spell_rule(ctx.flags, s, ctx.model.transitions[t].to);
                trans[a] = t as u16;
            }
        }
        let key = Ids(ids);
        // The arms part when the citizens' keys (with any request) differ between arms.
        let present = (0..N).filter(|&a| ids[a] != ABSENT);
        let mut sig = present.map(|a| (ids[a], if requests[a] { outcome[a] } else { STAY }));
        let first = sig.next();
        let split = sig.any(|x| Some(x) != first);
        let mut arm_groups = [UNSET; N];
        let group = if split {
            for a in 0..N {
                if ids[a] != ABSENT && !requests[a] {
                    arm_groups[a] = self.world.group(alone(a, ids[a]), self.keys);
                }
            }
            UNSET
        } else if requests == [false; N] {
            self.world.group(key, self.keys)
        } else {
            UNSET
        };
        let joint_rule = together_rule(&ids, &rule);
        // An arm that makes no move books it in the spare place after the transitions.
        let nt = ctx.model.transitions.len() as u16;
        let book = trans.map(|t| if t == NO_TRANS { nt } else { t });
        dests.push(Dest { outcome, group, key, rule, joint_rule, book, requests, split, arm_groups });
        dests.len() - 1
    }

    /// The destination of joint interval `j`, resolved once while the intervals' outcomes stay the same.
    #[inline]
    fn dest_of(
        &mut self,
        ctx: &MoveCtx,
        dests: &mut Vec<Dest<N>>,
        iv_dest: &mut [u32],
        ivs: &[Interval<N>],
        j: usize,
    ) -> usize {
        if iv_dest[j] == UNSET {
            iv_dest[j] = self.resolve(ctx, dests, ivs[j].outcome) as u32;
        }
        iv_dest[j] as usize
    }

    /// Moves `k` members with spell start `o` to `d`, booking the moves made.
    #[inline(always)]
    fn emit(&mut self, d: &Dest<N>, o: Start, k: u64) {
        for a in 0..N {
            self.moves[a * self.stride + d.book[a] as usize] += k;
        }
        if d.group != UNSET {
            self.world.give(d.group, apply_rule(o, d.joint_rule, self.m), k);
        } else {
            self.emit_apart(d, o, k);
        }
    }

    /// [`Mover::emit`] for moves that part the arms or make placement requests (spell
    /// start `o` before the move; a request keeps it).
    #[inline(never)]
    fn emit_apart(&mut self, d: &Dest<N>, o: Start, k: u64) {
        if d.split {
            // Each arm's part goes on alone; requests made this month share a random
            // place among the month's requests in every arm where they were made.
            for a in 0..N {
                if d.arm_groups[a] != UNSET {
                    self.world.give(d.arm_groups[a], apply_rule(o, d.rule[a], self.m), k);
                }
            }
            if d.requests.iter().any(|&r| r) {
                for _ in 0..k {
                    let key = request_keys(self.keys, self.rng, self.jk, d, self.info, self.m);
                    for a in 0..N {
                        if d.requests[a] {
                            let g = self.world.group(alone(a, key.0[a]), self.keys);
                            self.world.give(g, o, 1);
                        }
                    }
                }
            }
        } else {
            // Each request gets its own random place among this month's requests, the
            // same in every arm where it was made this month.
            for _ in 0..k {
                let key = request_keys(self.keys, self.rng, self.jk, d, self.info, self.m);
                let g = self.world.group(key, self.keys);
                self.world.give(g, o, 1);
            }
        }
    }
}

/// One citizen's joint key after making the placement requests of `d`: a random
/// priority of its own, the same in each arm where the request is made.
fn request_keys<const N: usize>(
    keys: &mut Keys,
    rng: &mut Stream,
    jk: Ids<N>,
    d: &Dest<N>,
    info: &[KeyInfo; N],
    m: usize,
) -> Ids<N> {
    let p = rng.next_u64() | 1;
    let mut key = d.key;
    #[allow(clippy::needless_range_loop)] // a indexes five per-arm arrays
    for a in 0..N {
        if d.requests[a] {
            let t = keys.layout.exits[info[a].state as usize][d.outcome[a] as usize];
            key.0[a] = keys.request(jk.0[a], m, t, p);
        }
    }
    key
}
