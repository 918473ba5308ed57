//! Groups of interchangeable citizens: each group's size and histogram of spell starts,
//! where its members go after each joint outcome ([`Dest`]), the arms' transition rows it
//! shares with other groups ([`RowSet`]), and the replication's groups kept in place from
//! month to month ([`World`]).

use super::draws::Interval;
use super::keys::{ABSENT, ABSENT_INFO, Ids, KeyInfo, Keys, NO_SPELL, Start, UNSET};
use crate::simulation::kernel::{FLAG_WAITING, StateFlags};
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;

/// The longest spell the individual engine can count (a `u16` that saturates).
pub(super) const MAX_SPELL: i64 = u16::MAX as i64;

/// The current spell at the end of month `m` of a citizen whose spell started at
/// `origin` (the month at whose end it was 0 months long).
#[inline]
pub(super) fn spell(origin: Start, m: usize) -> u64 {
    (m as i64 - origin as i64).clamp(0, MAX_SPELL) as u64
}

/// A histogram of spell starts: (spell start, citizens).
pub(super) type Bins = Vec<(Start, Count)>;

/// Citizens in a bin: 32 bits, so that a bin takes 8 bytes (a start and a count)
/// rather than 16, and the histograms read in every visit and merged at every
/// settling take half the cache lines (−14 % L1 misses at national size). A model has
/// at most 50 million citizens, arrivals included (the model's validation), far below
/// `u32::MAX`; counts are widened to `u64` wherever they are summed.
pub(super) type Count = u32;

/// Adds `k` members with spell start `o` to a histogram whose last bin may be the same.
#[inline]
fn push_bin(bins: &mut Bins, o: Start, k: u64) {
    match bins.last_mut() {
        Some(last) if last.0 == o => last.1 += k as Count,
        _ => bins.push((o, k as Count)),
    }
}

/// Up to this many bins, a spell start is found in a group's histogram by a scan;
/// beyond, by its index.
const SCANNED_BINS: usize = 8;

/// Where spell starts fall in a histogram's index: slot 0 for no spell, 1 + (start −
/// `base`) for the others, below `slots`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slots {
    pub(super) base: i64,
    pub(super) slots: usize,
}

impl Slots {
    /// The slot of spell start `o`, or `None` when it is out of range.
    #[inline]
    fn of(&self, o: Start) -> Option<usize> {
        if o == NO_SPELL {
            return Some(0);
        }
        let s = o as i64 - self.base + 1;
        (s >= 1 && (s as usize) < self.slots).then_some(s as usize)
    }
}

/// A group's histogram of spell starts, in no particular order and one bin per spell
/// start, with an index from spell start to bin once it is long, so that adding
/// citizens costs the same whatever its length (no sorting, no shifting). A spell
/// start outside the index's range is found by a scan.
#[derive(Debug, Default)]
pub(super) struct Hist {
    bins: Bins,
    /// Per slot ([`Slots`]): the bin's position + 1, or 0. Empty while the histogram
    /// has at most [`SCANNED_BINS`] bins.
    index: Vec<u32>,
    /// Bins whose count has fallen to 0 and that are still kept (see [`Hist::emptied`]).
    empty: usize,
}

impl std::ops::Deref for Hist {
    type Target = [(Start, Count)];
    fn deref(&self) -> &Self::Target {
        &self.bins
    }
}

impl std::ops::DerefMut for Hist {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.bins
    }
}

impl Hist {
    /// Adds `k` citizens with spell start `o`: to its bin (refilling it if it was
    /// emptied), or to a new bin at the end.
    #[inline(always)]
    fn add(&mut self, o: Start, k: u64, slots: Slots) {
        debug_assert!(k > 0);
        if self.index.is_empty() {
            if let Some(b) = self.bins.iter_mut().find(|b| b.0 == o) {
                refill(&mut self.empty, b, k);
                return;
            }
            self.bins.push((o, k as Count));
            if self.bins.len() > SCANNED_BINS {
                self.index.resize(slots.slots, 0);
                for (i, b) in self.bins.iter().enumerate() {
                    if let Some(s) = slots.of(b.0)
                        && self.index[s] == 0
                    {
                        self.index[s] = i as u32 + 1;
                    }
                }
            }
            return;
        }
        match slots.of(o).map(|s| (s, self.index[s])) {
            Some((s, 0)) => {
                self.bins.push((o, k as Count));
                self.index[s] = self.bins.len() as u32;
            }
            Some((_, p)) if self.bins[p as usize - 1].0 == o => {
                refill(&mut self.empty, &mut self.bins[p as usize - 1], k)
            }
            // Out of range (or, defensively, a slot of another start): a scan, as when short.
            _ => match self.bins.iter_mut().find(|b| b.0 == o) {
                Some(b) => refill(&mut self.empty, b, k),
                None => self.bins.push((o, k as Count)),
            },
        }
    }

    /// Notes that `n` more bins have just fallen to 0, and drops the empty bins once
    /// they are half of the histogram or more. Until then they stay in place, so that a
    /// group whose bins empty one at a time is not rewritten at every visit: empty bins
    /// take no draws (a pooled line passes over them, a binomial needs members), and a
    /// start that comes back refills its old bin.
    #[inline]
    pub(super) fn emptied(&mut self, n: usize, slots: Slots) {
        self.empty += n;
        if self.empty * 2 >= self.bins.len() {
            self.retain_nonzero(slots);
        }
    }

    /// Drops the empty bins.
    #[inline]
    pub(super) fn retain_nonzero(&mut self, slots: Slots) {
        self.empty = 0;
        if self.index.is_empty() {
            self.bins.retain(|b| b.1 > 0);
            return;
        }
        let mut w = 0;
        for r in 0..self.bins.len() {
            let b = self.bins[r];
            let s = slots.of(b.0).filter(|&s| self.index[s] == r as u32 + 1);
            if b.1 == 0 {
                if let Some(s) = s {
                    self.index[s] = 0;
                }
            } else {
                self.bins[w] = b;
                if let Some(s) = s {
                    self.index[s] = w as u32 + 1;
                }
                w += 1;
            }
        }
        self.bins.truncate(w);
    }

    /// Removes every bin; the index, once made, is kept (empty) for reuse.
    #[inline]
    pub(super) fn clear(&mut self, slots: Slots) {
        if !self.index.is_empty() {
            for b in &self.bins {
                if let Some(s) = slots.of(b.0) {
                    self.index[s] = 0;
                }
            }
        }
        self.bins.clear();
        self.empty = 0;
    }

    /// Empties the histogram and drops its index, for reuse in another replication
    /// (whose spell starts may span other months).
    fn reset(&mut self) {
        self.bins.clear();
        self.index.clear();
        self.empty = 0;
    }
}

/// Adds `k` citizens to bin `b` of a histogram with `empty` emptied bins kept.
#[inline]
fn refill(empty: &mut usize, b: &mut (Start, Count), k: u64) {
    *empty -= (b.1 == 0) as usize;
    b.1 += k as Count;
}

/// How a move changes an arm's spell start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum SpellRule {
    /// The spell goes on.
    Keep,
    /// Off benefit: no spell.
    End,
    /// Came on benefit at the end of this month: the spell is 0 months long now.
    StartNow,
}

/// The spell rule of a move that keeps a group's arms together (`ids`: the key ids
/// after it, [`ABSENT`] where the group is not): they reach the same key, so the same
/// spell start, and the first present arm's rule stands for all.
pub(super) fn together_rule<const N: usize>(ids: &[u32; N], rule: &[SpellRule; N]) -> SpellRule {
    (0..N).find(|&a| ids[a] != ABSENT).map_or(SpellRule::Keep, |a| rule[a])
}

/// A spell start after a move with this rule at the end of month `m` (as selects, not
/// branches: the rules of a visit's moves come in no predictable order).
#[inline]
pub(super) fn apply_rule(o: Start, rule: SpellRule, m: usize) -> Start {
    let new = if rule == SpellRule::StartNow { m as Start } else { NO_SPELL };
    if rule == SpellRule::Keep { o } else { new }
}

/// How a move from `from` to `dest` changes the spell start.
#[inline]
pub(super) fn spell_rule(flags: &StateFlags, from: usize, dest: usize) -> SpellRule {
    match (flags.pays[from], flags.pays[dest]) {
        (_, false) => SpellRule::End,
        // Spent the month off benefit: the spell at the end of the month is 0.
        (false, true) => SpellRule::StartNow,
        (true, true) => SpellRule::Keep,
    }
}

/// Where the members of a group who take one joint outcome go: resolved once per group
/// and outcome, since it depends only on the group's key and the outcome.
#[derive(Debug, Clone, Copy)]
pub(super) struct Dest<const N: usize> {
    pub(super) outcome: [u16; N],
    /// The destination group, or [`UNSET`] when the move is a placement request in
    /// some arm (each request then has a key of its own, see `request_keys` in `moves`).
    pub(super) group: u32,
    /// The joint key after the move, before the requests' own keys.
    pub(super) key: Ids<N>,
    /// How each arm's spell start changes.
    pub(super) rule: [SpellRule; N],
    /// How the spell start changes when the arms stay together (`group` set): the
    /// same in every arm, as the key after the move is.
    pub(super) joint_rule: SpellRule,
    /// Where each arm books the move in its month's counts of moves: the transition, or
    /// the spare last place when the arm stays or requests (so booking takes no branch).
    pub(super) book: [u16; N],
    /// The arms in which the move is a placement request.
    pub(super) requests: [bool; N],
    /// The arms part: each arm's members go to a group of that arm alone.
    pub(super) split: bool,
    /// When split: each arm's group ([`UNSET`] for a request or an absent arm).
    pub(super) arm_groups: [u32; N],
}

/// No transition is booked in this arm.
pub(super) const NO_TRANS: u16 = u16::MAX;

/// A group of interchangeable citizens: its joint key (the citizens' key id in every
/// arm), its size and its members' spell starts. Groups are kept from month to month,
/// so citizens who stay where they are cost nothing but their share of the draws.
#[derive(Debug)]
pub(super) struct Group<const N: usize> {
    pub(super) key: Ids<N>,
    /// What the month loop reads of each arm's key (a copy of [`Keys::info`]).
    pub(super) info: [KeyInfo; N],
    /// Members at the start of the month's moves.
    pub(super) n: u64,
    /// Histogram of spell starts ([`NO_SPELL`] off benefit). The counts sum to `n`;
    /// bins that have fallen to 0 are dropped once they are half of it ([`Hist::emptied`]).
    pub(super) bins: Hist,
    /// Σ count × spell start over the bins on benefit, so that in each arm where the
    /// group is on benefit the month's sum of spells is n·m − `sum_o` without reading
    /// the histogram.
    pub(super) sum_o: i64,
    /// Members who joined at the end of this month, and their spell starts (unsorted).
    pub(super) n_in: u64,
    pub(super) bins_in: Bins,
    /// Where the stayers go at the end of the month ([`UNSET`] until first needed; the
    /// group itself when staying does not change the key).
    pub(super) stay: u32,
    /// The arms' transition rows ([`World::rowsets`]).
    pub(super) rowset: u32,
    /// The destinations of the joint outcomes taken so far.
    pub(super) dests: Vec<Dest<N>>,
    /// Per joint interval of its row set: the index in `dests` of the interval's
    /// destination, or [`UNSET`] until first needed; valid while the row set's
    /// intervals keep the version `iv_ver` (their outcomes, not their bounds, fix the
    /// destinations, and they seldom change from month to month).
    pub(super) iv_dest: Vec<u32>,
    pub(super) iv_ver: u32,
    /// Listed in [`World::touched`] this month.
    touched: bool,
    /// Listed in [`World::active`].
    active: bool,
}

/// The arms' transition rows of a group (row × 2 + waiting, per arm), with the month's
/// joint intervals, built once a month for all the groups that share the rows.
#[derive(Debug, Clone, Copy)]
pub(super) struct RowSet {
    /// The month whose intervals are cached (0: none yet).
    pub(super) month: usize,
    /// The intervals' place in the replication's pool of intervals.
    pub(super) start: usize,
    pub(super) len: usize,
    /// Changes whenever the intervals' outcomes change (0: no intervals yet).
    pub(super) ver: u32,
    /// P(moving in some arm) and the scale of the gaps between movers ([`gap_scale`](super::draws::gap_scale); NaN
    /// until a group of the row set first needs it this month).
    pub(super) top: f64,
    pub(super) gap_scale: f64,
    /// The smallest bin whose movers are drawn by binomials (`count × top` ≥
    /// `POOL_MOVERS` of `draws`), so that the test per bin is an integer comparison.
    pub(super) pool_from: u64,
}

/// All groups of one replication, kept in place from month to month.
pub(super) struct World<const N: usize> {
    /// Every group ever made, in the order of first occurrence.
    pub(super) groups: Vec<Group<N>>,
    index: FxHashMap<Ids<N>, u32>,
    /// Groups with members at the start of the month's moves, in a fixed order.
    pub(super) active: Vec<u32>,
    /// Groups that received members this month.
    touched: Vec<u32>,
    pub(super) rowsets: Vec<RowSet>,
    rowset_index: FxHashMap<Ids<N>, u32>,
    /// The joint intervals of every row set, kept from month to month (a row set's
    /// intervals are rewritten in place while their outcomes stay the same).
    pub(super) iv_pool: Vec<Interval<N>>,
    /// Where spell starts fall in the histograms' indexes (set per replication).
    pub(super) slots: Slots,
    /// Empty vectors of earlier replications, for reuse.
    spare_bins: Vec<Bins>,
    /// Empty histograms of earlier replications (their indexes dropped: the next
    /// replication's spell starts may span other months), for reuse.
    spare_hists: Vec<Hist>,
    spare_dests: Vec<Vec<Dest<N>>>,
    spare_iv_dests: Vec<Vec<u32>>,
}

thread_local! {
    /// Each thread's worlds of earlier replications (one per number of arms), so a
    /// replication reuses their memory rather than allocating it again.
    static WORLDS: std::cell::RefCell<Vec<Box<dyn std::any::Any>>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl<const N: usize> World<N> {
    fn new() -> Self {
        World {
            groups: Vec::new(),
            index: Default::default(),
            active: Vec::new(),
            touched: Vec::new(),
            rowsets: Vec::new(),
            rowset_index: Default::default(),
            iv_pool: Vec::new(),
            slots: Slots { base: 0, slots: 1 },
            spare_bins: Vec::new(),
            spare_hists: Vec::new(),
            spare_dests: Vec::new(),
            spare_iv_dests: Vec::new(),
        }
    }

    /// An empty world: this thread's last one, emptied, or a new one.
    pub(super) fn take() -> Self {
        WORLDS.with(|w| {
            let mut w = w.borrow_mut();
            match w.iter().position(|b| b.is::<World<N>>()) {
                Some(i) => match w.swap_remove(i).downcast::<World<N>>() {
                    Ok(world) => *world,
                    Err(_) => World::new(),
                },
                None => World::new(),
            }
        })
    }

    /// Empties the world and keeps it (and its vectors) for this thread's next replication.
    pub(super) fn put_back(mut self) {
        for g in self.groups.drain(..) {
            let mut h = g.bins;
            if h.bins.capacity() > 0 {
                h.reset();
                self.spare_hists.push(h);
            }
            let mut v = g.bins_in;
            if v.capacity() > 0 {
                v.clear();
                self.spare_bins.push(v);
            }
            let mut d = g.dests;
            if d.capacity() > 0 {
                d.clear();
                self.spare_dests.push(d);
            }
            let mut d = g.iv_dest;
            if d.capacity() > 0 {
                d.clear();
                self.spare_iv_dests.push(d);
            }
        }
        self.index.clear();
        self.active.clear();
        self.touched.clear();
        self.rowsets.clear();
        self.rowset_index.clear();
        self.iv_pool.clear();
        WORLDS.with(|w| w.borrow_mut().push(Box::new(self)));
    }

    /// The group of a joint key, made (empty) on first sight.
    pub(super) fn group(&mut self, key: Ids<N>, keys: &Keys) -> u32 {
        if let Some(&g) = self.index.get(&key) {
            return g;
        }
        let rows = Ids(std::array::from_fn(|a| {
            if key.0[a] == ABSENT {
                return u32::MAX;
            }
            let i = &keys.info[key.0[a] as usize];
            i.row * 2 + (i.flags & FLAG_WAITING != 0) as u32
        }));
        let rowset = match self.rowset_index.entry(rows) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let r = self.rowsets.len() as u32;
                self.rowsets.push(RowSet {
                    month: 0,
                    start: 0,
                    len: 0,
                    ver: 0,
                    top: 0.0,
                    gap_scale: 0.0,
                    pool_from: u64::MAX,
                });
                e.insert(r);
                r
            }
        };
        let g = self.groups.len() as u32;
        self.groups.push(Group {
            key,
            info: std::array::from_fn(|a| {
                if key.0[a] == ABSENT { ABSENT_INFO } else { keys.info[key.0[a] as usize] }
            }),
            n: 0,
            bins: self.spare_hists.pop().unwrap_or_default(),
            sum_o: 0,
            n_in: 0,
            bins_in: self.spare_bins.pop().unwrap_or_default(),
            stay: UNSET,
            rowset,
            dests: self.spare_dests.pop().unwrap_or_default(),
            iv_dest: self.spare_iv_dests.pop().unwrap_or_default(),
            iv_ver: 0,
            touched: false,
            active: false,
        });
        self.index.insert(key, g);
        g
    }

    /// The group that group `gi`'s stayers join at the end of the month (`gi` itself
    /// when staying does not change their key), resolved on first use.
    #[inline]
    pub(super) fn stayers(&mut self, gi: u32, keys: &mut Keys) -> u32 {
        let g = &self.groups[gi as usize];
        if g.stay != UNSET {
            return g.stay;
        }
        let jk = g.key;
        let stay = Ids(std::array::from_fn(|a| if jk.0[a] == ABSENT { ABSENT } else { keys.stay(jk.0[a]) }));
        let sg = if stay == jk { gi } else { self.group(stay, keys) };
        self.groups[gi as usize].stay = sg;
        sg
    }

    /// Gives group `g` `k` citizens with spell start `o`, who join at the end of the month.
    #[inline]
    pub(super) fn give(&mut self, g: u32, o: Start, k: u64) {
        let gr = &mut self.groups[g as usize];
        gr.n_in += k;
        push_bin(&mut gr.bins_in, o, k);
        if !gr.touched {
            gr.touched = true;
            self.touched.push(g);
        }
    }

    /// Gives group `g` the citizens of a histogram (whose counts sum to `k`).
    #[inline]
    pub(super) fn give_bins(&mut self, g: u32, bins: &[(Start, Count)], k: u64) {
        let gr = &mut self.groups[g as usize];
        gr.n_in += k;
        gr.bins_in.extend(bins.iter().filter(|b| b.1 > 0));
        if !gr.touched {
            gr.touched = true;
            self.touched.push(g);
        }
    }

    /// Ends the month's moves: the citizens given to a group join it (their spell
    /// starts merged into its histogram), and the list of groups with members is
    /// brought up to date, keeping its order and adding new groups at its end.
    pub(super) fn settle(&mut self) {
        for &g in &self.touched {
            let gr = &mut self.groups[g as usize];
            gr.touched = false;
            gr.n += gr.n_in;
            gr.n_in = 0;
            for &(o, k) in &gr.bins_in {
                add_weight(&mut gr.sum_o, o, k as u64);
                gr.bins.add(o, k as u64, self.slots);
            }
            gr.bins_in.clear();
        }
        let groups = &mut self.groups;
        self.active.retain(|&g| {
            let gr = &mut groups[g as usize];
            gr.active = gr.n > 0;
            gr.active
        });
        for &g in &self.touched {
            let gr = &mut groups[g as usize];
            if !gr.active && gr.n > 0 {
                gr.active = true;
                self.active.push(g);
            }
        }
        self.touched.clear();
    }
}

/// Adds `k` × the spell start `o` to a sum (nothing off benefit).
#[inline]
fn add_weight(sum: &mut i64, o: Start, k: u64) {
    if o != NO_SPELL {
        *sum += o as i64 * k as i64;
    }
}

/// Removes `k` × the spell start `o` from a sum.
#[inline]
pub(super) fn sub_weight(sum: &mut i64, o: Start, k: u64) {
    if o != NO_SPELL {
        *sum -= o as i64 * k as i64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::count::draws::{Stream, below};
    use rand::SeedableRng;

    /// A histogram holds the same citizens per spell start as a plain map through any
    /// sequence of additions, removals and clearing, past the length where its index is
    /// made, with one bin per spell start (an emptied bin kept is refilled, not doubled),
    /// fewer empty bins than half, counted exactly, also for no spell and for starts
    /// outside the index's range (two random sequences).
    #[test]
    fn histograms_count_every_spell_start_once() {
        use std::collections::BTreeMap;
        let slots = Slots { base: -40, slots: 100 };
        for seed in [11, 12] {
            let mut rng = Stream::seed_from_u64(seed);
            let mut h = Hist::default();
            let mut want: BTreeMap<Start, u64> = BTreeMap::new();
            for step in 0..20_000 {
                match below(&mut rng, 10) {
                    // Additions: starts in range, no spell, and (rarely) out of range.
                    0..=5 => {
                        let o = match below(&mut rng, 20) {
                            0 => NO_SPELL,
                            1 => 500,
                            _ => below(&mut rng, 70) as i32 - 38,
                        };
                        let k = 1 + below(&mut rng, 3);
                        h.add(o, k, slots);
                        *want.entry(o).or_default() += k;
                    }
                    // Removals from random bins, then the empty bins dropped, or noted
                    // (and dropped once they are half of the histogram).
                    6..=8 => {
                        let mut zeroed = 0;
                        for _ in 0..3 {
                            let b = below(&mut rng, h.len().max(1) as u64) as usize;
                            if b < h.len() && h[b].1 > 0 {
                                let o = h[b].0;
                                h[b].1 -= 1;
                                zeroed += (h[b].1 == 0) as usize;
                                *want.get_mut(&o).unwrap() -= 1;
                            }
                        }
                        if step % 3 == 0 {
                            h.retain_nonzero(slots);
                        } else {
                            h.emptied(zeroed, slots);
                        }
                        want.retain(|_, k| *k > 0);
                    }
                    _ if step % 50 == 0 => {
                        h.clear(slots);
                        want.clear();
                    }
                    _ => {}
                }
                let mut got: BTreeMap<Start, u64> = BTreeMap::new();
                let mut starts = std::collections::BTreeSet::new();
                for &(o, k) in h.iter() {
                    assert!(starts.insert(o), "two bins of start {o} at step {step}");
                    if k > 0 {
                        *got.entry(o).or_default() += k as u64;
                    }
                }
                assert_eq!(got, want, "step {step}");
                let empty = h.iter().filter(|b| b.1 == 0).count();
                assert_eq!(h.empty, empty, "empty bins counted, step {step}");
                assert!(empty * 2 < h.len().max(1), "empty bins kept past half, step {step}");
            }
            assert!(!h.index.is_empty(), "the index was never made");
        }
    }
}
