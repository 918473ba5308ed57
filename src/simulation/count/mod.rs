//! The count-based engine: groups of interchangeable citizens moved by binomial draws.
//!
//! **What.** Citizens who share everything that their moves, their money or the
//! outputs depend on are interchangeable, so a replication need not follow them one
//! by one: it keeps a list of *groups* (a key, how many citizens) and draws each
//! month how many of a group take each exit. Conditional on the month's transition
//! tables every citizen moves independently of every other, so drawing the moves of
//! a group of `n` as a multinomial (conditional binomials) with the competing-hazard
//! probabilities of its row gives exactly the distribution of `n` separate draws. A
//! replication then costs in proportion to the number of occupied groups, not the
//! number of citizens.
//!
//! **Why exact.** A group key holds every per-citizen quantity that matters,
//! reduced to what the model can still tell apart (see [`Fields`]):
//!
//! * segment and state;
//! * months in the state, capped at the last duration-band start of the state
//!   (the transition row depends only on the band);
//! * under the 2016 regime, cumulative months on benefit capped at the last band
//!   start of the refusion staircase, and, off benefit, consecutive months off
//!   benefit capped at `reset_after_months` (after which the count restarts);
//! * consecutive months in work, up to the six-month flag, and the two "ever" flags
//!   (outflow to work or education, six consecutive months in work);
//! * with `[staffing.capacity]`, the waiting status with the month the placement
//!   was requested, the requested transition and the request's random place in its
//!   month (so waiting citizens are groups of one);
//! * in a benefit-paying state, the start of the current benefit spell, whose sum
//!   over recipients is `mean_benefit_duration`. This is the one dimension that is
//!   not capped (the initial cohort has one spell start per segment, and each month
//!   adds about one: arrivals and returns to benefit). Because it never changes a
//!   move or a krone, it is not part of the key: each group carries a histogram of
//!   its members' spell starts, and the members that take a move are a uniformly
//!   random subset of the group, drawn from the histogram without replacement
//!   (multivariate hypergeometric). Groups whose members share one spell start (most
//!   of them) pay nothing for this.
//!
//! Values that can no longer matter are normalised (months off benefit while on
//! benefit, the spell off benefit, consecutive months in work outside work or after
//! the six-month flag), so groups that only differ in them merge.
//!
//! Everything else is the individual engine's: the parameters drawn per replication
//! ([`crate::simulation`]'s `draw`), the transition tables with the staffing multiplier
//! from the month's caseload (citizens in benefit states at the start of the month,
//! after arrivals, per productive FTE), the reimbursement classes, and the booking
//! of money and the monthly record (`book_month`), so the two engines produce the
//! same [`Replication`] and everything downstream is unchanged.
//!
//! **The arms, jointly, on common random numbers.** The individual engine draws one
//! uniform number u per citizen-month and uses it in every arm until the citizen's
//! arms part (its keys differ between arms at the end of a month); from then on the
//! citizen draws on its own in each arm. The count engine reproduces that coupling
//! exactly: the arms are simulated together, and a group whose members are together
//! has one key, the same in every arm. For such a group, each arm's row cuts [0, 1)
//! into intervals (stay, or exit k); the union of all arms' cut points gives the
//! intervals on which the outcome in every arm is constant, and the members are spread
//! over these joint intervals by one multinomial. Members whose keys then differ
//! between arms part: each arm's part joins a group of that arm alone (the other arms'
//! key ids are [`ABSENT`]), which moves on its own draws. So the pair (scenario,
//! counterfactual) has the same joint distribution as in the individual engine, and
//! identical arms give exactly zero difference. Without the parting, the citizens in
//! different places would form a group for every *pair* of places (at month 48 of the
//! Copenhagen case, 398 of 448 groups, most of a few citizens); with it they form
//! groups of one arm (about 60 per arm). Up to four arms are coupled this way. More
//! arms (no command uses more than two) are simulated in blocks of four on the same
//! stream: each block is coupled as above, but a citizen's parting is judged within
//! its block, not against the first arm as the individual engine judges it.
//!
//! **Placement capacity.** Movers drawn onto a transition that needs consultant
//! hours become requests of this month, each with a random priority (a 64-bit number,
//! the same in every arm that made the request in this month, as the individual
//! engine's per-citizen hash). Each arm's queue is served by request month, then
//! priority, each request taking its transition's hours until one does not fit; the
//! placements of all arms are then made together, so a citizen placed in every arm
//! where it waits stays together. Waiting citizens use the tables without the hours
//! exits.
//!
//! **Random numbers.** One stream per replication (xoshiro256++ seeded from the
//! replication's `"count-engine"` ChaCha8 stream, see [`Stream`]), consumed in a
//! fixed order, so results do not depend on the number of threads. Binomials come
//! from [`crate::simulation::binomial`] (exact; cheaper to set up than `rand_distr`'s). No trajectories:
//! individual paths do not exist here; `trappe run` refuses `--trajectories` with
//! `--engine count`.

use crate::budget::N_FLOWS;
use crate::model::{Arm, Model};
use crate::simulation::binomial::uniform;
use crate::simulation::draws::{Drawn, draw, stream};
use crate::simulation::kernel::{
    Acc, FLAG_OUTFLOW, FLAG_SIX, FLAG_WAITING, Layout, SegmentCounts, ShareClasses, StateFlags, Tables,
    YearRates, book_month, record_month, staffing_multipliers,
};
use crate::simulation::records::{
    ArmRun, MONTHLY_SHARES, Replication, has_capacity, monthly_columns, share_offset,
};
use rand::Rng;
use rand::SeedableRng;
use rand_distr::{Distribution, Exp1, Hypergeometric};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// The replication's random stream: xoshiro256++, seeded from the replication's
/// ChaCha8 stream (`"count-engine"`, see [`crate::simulation`]'s `stream`), so it is still
/// one stream per seed and replication. The count engine draws several hundred
/// thousand numbers per replication at national size; xoshiro256++ makes them about
/// 8 % faster than ChaCha8 (docs/performance.md) and is ample for simulation.
type Stream = Xoshiro256PlusPlus;

/// Groups of at most this many citizens draw their moves citizen by citizen (one
/// uniform number each, as the individual engine does); larger groups by binomials.
const SMALL_GROUP: u64 = 8;

/// Movers of a larger group are spread over the joint outcomes one by one (one uniform
/// number each) when there are at most this many per outcome after the first; else by
/// conditional binomials (one per outcome, each costing about as much as eight movers).
const FEW_MOVERS: u64 = 8;

/// Spell-start bins whose expected movers are fewer than this are drawn together, mover
/// by mover (geometric gaps); larger ones by binomials.
const POOL_MOVERS: f64 = 4.0;

/// Draws without replacement from a histogram take members one by one when there are
/// at most this many to take; else one hypergeometric draw per bin.
const FEW_PICKS: u64 = 8;

/// The longest spell the individual engine can count (a `u16` that saturates).
const MAX_SPELL: i64 = u16::MAX as i64;

/// Spell start of a citizen who is not on benefit in an arm.
const NO_SPELL: i32 = i32::MIN;

// Bit layout of a packed per-arm key, least significant first.
const B_TRANS: u32 = 0; // 16 bits: requested transition while waiting
const B_SINCE: u32 = 16; // 11 bits: request month while waiting
const B_JOB: u32 = 27; // 3 bits: consecutive months in work (< 6)
const B_OFF: u32 = 30; // 11 bits: months off benefit (capped)
const B_CUM: u32 = 41; // 16 bits: cumulative months on benefit (capped)
const B_IN: u32 = 57; // 11 bits: months in state (capped)
const B_FLAGS: u32 = 68; // 3 bits: outflow, six months, waiting
const B_STATE: u32 = 71; // 8 bits
const B_SEG: u32 = 79; // 16 bits

/// The fields of a per-arm key, unpacked. Every field is what the individual engine
/// keeps per citizen ([`crate::simulation`]'s `Person`), reduced to what can still matter;
/// the benefit spell is kept apart (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fields {
    segment: u16,
    state: u8,
    /// `FLAG_OUTFLOW | FLAG_SIX | FLAG_WAITING`.
    flags: u8,
    /// Completed months in the state, capped at (last duration-band start − 1).
    in_state: u16,
    /// Cumulative months on benefit, capped at the last 2016 band start (0 otherwise).
    cum: u16,
    /// Consecutive months off benefit, capped at `reset_after_months` (2016 regime, off benefit).
    off: u16,
    /// Consecutive months in work, below 6 (0 outside work and once the six-month flag is set).
    job_run: u8,
    /// Month the placement was requested (waiting only).
    since: u16,
    /// Requested transition (waiting only).
    trans: u16,
}

impl Fields {
    #[inline]
    fn pack(&self) -> u128 {
        (self.trans as u128) << B_TRANS
            | (self.since as u128) << B_SINCE
            | (self.job_run as u128) << B_JOB
            | (self.off as u128) << B_OFF
            | (self.cum as u128) << B_CUM
            | (self.in_state as u128) << B_IN
            | (self.flags as u128) << B_FLAGS
            | (self.state as u128) << B_STATE
            | (self.segment as u128) << B_SEG
    }

    #[inline]
    fn unpack(k: u128) -> Fields {
        let bits = |shift: u32, width: u32| ((k >> shift) as u64) & ((1u64 << width) - 1);
        Fields {
            segment: bits(B_SEG, 16) as u16,
            state: bits(B_STATE, 8) as u8,
            flags: bits(B_FLAGS, 3) as u8,
            in_state: bits(B_IN, 11) as u16,
            cum: bits(B_CUM, 16) as u16,
            off: bits(B_OFF, 11) as u16,
            job_run: bits(B_JOB, 3) as u8,
            since: bits(B_SINCE, 11) as u16,
            trans: bits(B_TRANS, 16) as u16,
        }
    }
}

/// Per-state and per-model facts for building and normalising keys.
struct Rules<'a> {
    flags: &'a StateFlags,
    /// Highest months-in-state value that can still change the band, per state.
    cap_in: Vec<u16>,
    /// Cap of the cumulative benefit months (2016 regime), 0 otherwise.
    cap_cum: u16,
    /// `reset_after_months` (2016 regime).
    reset: Option<u32>,
    /// Cap of the months off benefit.
    cap_off: u16,
}

impl Rules<'_> {
    /// Clears the values that can no longer matter, so equivalent groups merge.
    #[inline]
    fn normalise(&self, f: &mut Fields) {
        let s = f.state as usize;
        if !self.flags.employed[s] || f.flags & FLAG_SIX != 0 {
            f.job_run = 0;
        }
        if self.flags.pays[s] {
            f.off = 0; // the next month on benefit sets it to 0
        }
        if f.flags & FLAG_WAITING == 0 {
            f.since = 0;
            f.trans = 0;
        }
    }

    /// A citizen entering the books in `state` with `months` on benefit before, admitted
    /// for month `m` (0 for the initial cohort), as the individual engine's `admit`:
    /// the key and the spell start.
    fn admitted(&self, segment: usize, state: usize, months: u32, m: usize) -> (u128, i32) {
        let months = months.min(u16::MAX as u32);
        let mut f = Fields {
            segment: segment as u16,
            state: state as u8,
            flags: 0,
            in_state: 0,
            cum: if self.reset.is_some() { months.min(self.cap_cum as u32) as u16 } else { 0 },
            off: 0,
            job_run: 0,
            since: 0,
            trans: 0,
        };
        self.normalise(&mut f);
        // A spell of `months` at the end of the month before (month 0 for the cohort).
        let origin =
            if self.flags.pays[state] { m.saturating_sub(1) as i32 - months as i32 } else { NO_SPELL };
        (f.pack(), origin)
    }
}

/// The current spell at the end of month `m` of a citizen whose spell started at
/// `origin` (the month at whose end it was 0 months long).
#[inline]
fn spell(origin: i32, m: usize) -> u64 {
    (m as i64 - origin as i64).clamp(0, MAX_SPELL) as u64
}

/// A uniform integer in [0, n) (multiply-shift; the bias, below n / 2⁶⁴, is negligible).
#[inline]
fn below(rng: &mut Stream, n: u64) -> u64 {
    ((rng.next_u64() as u128 * n as u128) >> 64) as u64
}

/// How many members stay before the next one moves, when each moves on its own with a
/// probability p, given `scale` = 1 / −ln(1 − p) ([`gap_scale`]): geometric, as
/// ⌊E × scale⌋ with E a standard exponential (P(gap ≥ k) = e^(k ln(1 − p)) = (1 − p)^k);
/// `u64::MAX` when p is 0.
#[inline]
fn geometric_gap(rng: &mut Stream, scale: f64) -> u64 {
    let e: f64 = Exp1.sample(rng);
    let g = e * scale;
    // Through i64, which converts in one instruction; gaps this long exceed any group.
    if g < i64::MAX as f64 { g as i64 as u64 } else { u64::MAX }
}

/// The scale of [`geometric_gap`] for a probability p of moving: 1 / −ln(1 − p)
/// (infinite when p is 0, 0 when p is 1), so a gap costs a product, not a division.
fn gap_scale(p: f64) -> f64 {
    1.0 / -(-p).ln_1p()
}

/// The smallest count c with c × `top` ≥ [`POOL_MOVERS`] in floating point (`u64::MAX`
/// when there is none).
fn pool_from(top: f64) -> u64 {
    if top <= 0.0 {
        return u64::MAX;
    }
    let guess = (POOL_MOVERS / top).ceil();
    if guess >= 1e18 {
        return u64::MAX;
    }
    let mut c = (guess as u64).saturating_sub(2);
    while (c as f64) * top < POOL_MOVERS {
        c += 1;
    }
    c
}

/// Binomial(n, p), with the trivial cases short-cut.
fn binomial(rng: &mut Stream, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        0
    } else if p >= 1.0 {
        n
    } else if n <= SMALL_GROUP {
        (0..n).filter(|_| uniform(rng) < p).count() as u64
    } else {
        crate::simulation::binomial::binomial(rng, n, p)
    }
}

/// Hypergeometric: how many of `draws` taken without replacement from `total` items
/// fall among the `marked` ones.
fn hypergeometric(rng: &mut Stream, total: u64, marked: u64, draws: u64) -> u64 {
    if draws == 0 || marked == 0 {
        0
    } else if marked == total {
        draws
    } else if draws == total {
        marked
    } else {
        match Hypergeometric::new(total, marked, draws) {
            Ok(h) => h.sample(rng),
            // The sampler refuses some huge populations: take the draws one by one.
            Err(_) => {
                let (mut t, mut k, mut x) = (total, marked, 0);
                for _ in 0..draws {
                    if below(rng, t) < k {
                        k -= 1;
                        x += 1;
                    }
                    t -= 1;
                }
                x
            }
        }
    }
}

/// Takes `k` members uniformly at random without replacement from a histogram
/// (`counts`, whose sum is `total`): removes them from `counts` and adds them to
/// `taken` (per bin).
fn take(rng: &mut Stream, counts: &mut [u64], mut total: u64, mut k: u64, taken: &mut [u64]) {
    debug_assert!(k <= total);
    if k == total {
        for (c, t) in counts.iter_mut().zip(taken.iter_mut()) {
            *t += *c;
            *c = 0;
        }
        return;
    }
    let mut b = 0;
    while k > FEW_PICKS && b < counts.len() {
        // One hypergeometric draw for this bin against all later ones.
        let c = counts[b];
        let x = hypergeometric(rng, total, c, k);
        counts[b] -= x;
        taken[b] += x;
        k -= x;
        total -= c;
        b += 1;
    }
    // The last few one by one, among the bins not yet decided.
    for _ in 0..k {
        let mut u = below(rng, total);
        let mut j = b;
        while u >= counts[j] {
            u -= counts[j];
            j += 1;
        }
        counts[j] -= 1;
        taken[j] += 1;
        total -= 1;
    }
}

/// Adds `k` members with spell start `o` to a histogram whose last bin may be the same.
#[inline]
fn push_bin(bins: &mut Bins, o: Start, k: u64) {
    match bins.last_mut() {
        Some(last) if last.0 == o => last.1 += k as Count,
        _ => bins.push((o, k as Count)),
    }
}

/// A member's spell start ([`NO_SPELL`] off benefit). One value stands for every arm:
/// a group is either present in every arm with the same key in each (its members'
/// records, spell starts included, are the same in all arms) or present in one arm
/// only (see the module documentation), so the arms of a group never have different
/// starts.
type Start = i32;

/// A histogram of spell starts: (spell start, citizens).
type Bins = Vec<(Start, Count)>;

/// Citizens in a bin: 32 bits, so that a bin takes 8 bytes (a start and a count)
/// rather than 16, and the histograms read in every visit and merged at every
/// settling take half the cache lines (−14 % L1 misses at national size). A model has
/// at most 50 million citizens, arrivals included ([`Model`]'s validation), far below
/// `u32::MAX`; counts are widened to `u64` wherever they are summed.
type Count = u32;

/// Up to this many bins, a spell start is found in a group's histogram by a scan;
/// beyond, by its index.
const SCANNED_BINS: usize = 8;

/// Where spell starts fall in a histogram's index: slot 0 for no spell, 1 + (start −
/// `base`) for the others, below `slots`.
#[derive(Debug, Clone, Copy)]
struct Slots {
    base: i64,
    slots: usize,
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
struct Hist {
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
    fn emptied(&mut self, n: usize, slots: Slots) {
        self.empty += n;
        if self.empty * 2 >= self.bins.len() {
            self.retain_nonzero(slots);
        }
    }

    /// Drops the empty bins.
    fn retain_nonzero(&mut self, slots: Slots) {
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
    fn clear(&mut self, slots: Slots) {
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

/// A fast, deterministic hasher for group keys (the multiply-rotate of rustc's FxHasher).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// Ids of per-arm keys, one per arm: a group's joint key, or the rows of a group.
/// Hashed as whole words (two ids to one word), not byte by byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ids<const N: usize>([u32; N]);

impl<const N: usize> std::hash::Hash for Ids<N> {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for pair in self.0.chunks(2) {
            let hi = pair.get(1).copied().unwrap_or(0) as u64;
            h.write_u64(pair[0] as u64 | hi << 32);
        }
    }
}

/// "Not computed yet" in the memo fields of [`KeyInfo`].
const UNSET: u32 = u32::MAX;

/// The key id of an arm in which a group does not exist: a group of citizens whose
/// arms have parted lives in one arm only (see the module documentation).
const ABSENT: u32 = u32::MAX - 1;

/// What the month loop reads for an arm in which the group does not exist.
const ABSENT_INFO: KeyInfo =
    KeyInfo { segment: 0, state: 0, flags: 0, row: 0, off: 0, n_exits: 0, benefit_slot: 0 };

/// What the engine needs to know about one per-arm key, computed once per replication
/// when the key first occurs: where its transition row is and what a month in it
/// books. Only what the month loop reads for every group is here (the full keys are in
/// [`KeyFull`], the keys after the month in [`KeyNext`]), so that it stays small.
#[derive(Debug, Clone, Copy)]
struct KeyInfo {
    /// Transition row (segment, state, duration band) and its offset in the exits.
    row: u32,
    off: u32,
    /// Index of the benefit-months counter (benefit type, reimbursement class), on benefit.
    benefit_slot: u32,
    segment: u16,
    n_exits: u16,
    state: u8,
    flags: u8,
}

/// The keys after a month in a key, memoised on first use.
#[derive(Debug, Clone, Copy)]
struct KeyNext {
    /// Id after staying in the state, or [`UNSET`].
    stay: u32,
    /// Start of the ids after each exit in [`Keys::moved`], or [`UNSET`].
    moved: u32,
}

/// The full key behind an id, needed only when a new key is made from it.
#[derive(Debug, Clone, Copy)]
struct KeyFull {
    /// The key at the start of the month.
    key: u128,
    /// Random priority in the queue while waiting for a placement (0 otherwise).
    prio: u64,
    /// The key after the month's bookkeeping (benefit months, months off benefit,
    /// months in work), before the move.
    after: u128,
}

/// The per-arm keys of one replication, interned as small integers, so a group's joint
/// key is a few `u32`s and a citizen's next key is a table look-up, not a recomputation.
struct Keys<'a> {
    model: &'a Model,
    layout: &'a Layout,
    rules: &'a Rules<'a>,
    classes: &'a ShareClasses,
    seg_bt: Vec<usize>,
    index: HashMap<(u128, u64), u32, FxBuild>,
    info: Vec<KeyInfo>,
    next: Vec<KeyNext>,
    full: Vec<KeyFull>,
    moved: Vec<u32>,
}

impl<'a> Keys<'a> {
    fn new(model: &'a Model, layout: &'a Layout, rules: &'a Rules<'a>, classes: &'a ShareClasses) -> Self {
        Keys {
            model,
            layout,
            rules,
            classes,
            seg_bt: model.segments.iter().map(|s| s.benefit_type).collect(),
            index: Default::default(),
            info: Vec::new(),
            next: Vec::new(),
            full: Vec::new(),
            moved: Vec::new(),
        }
    }

    /// The id of a key (with its queue priority), creating it on first sight.
    fn id(&mut self, key: u128, prio: u64) -> u32 {
        if let Some(&id) = self.index.get(&(key, prio)) {
            return id;
        }
        let f = Fields::unpack(key);
        let (s, g) = (f.state as usize, f.segment as usize);
        let ns = self.layout.n_states;
        let bands = &self.layout.bands[s];
        let k_in = f.in_state as u32 + 1;
        let mut b = 0;
        while b + 1 < bands.len() && k_in >= bands[b + 1] {
            b += 1;
        }
        let row = self.layout.row_base[g * ns + s] + b;
        // The month's bookkeeping, as the individual engine does it per citizen.
        let (rules, flags) = (self.rules, self.rules.flags);
        let mut after = f;
        let mut benefit_slot = 0;
        if flags.pays[s] {
            if self.classes.staircase {
                after.cum = (after.cum + 1).min(rules.cap_cum);
            }
            after.off = 0;
            // Without the staircase the class depends only on the state.
            let class = self.classes.class(after.cum, flags.active[s]);
            benefit_slot = (self.seg_bt[g] * self.classes.shares.len() + class) as u32;
        } else if let Some(reset) = rules.reset {
            after.off = (after.off + 1).min(rules.cap_off);
            if after.off as u32 >= reset {
                after.cum = 0;
            }
        }
        if flags.employed[s] {
            if after.flags & FLAG_SIX == 0 {
                after.job_run += 1;
                if after.job_run >= 6 {
                    after.flags |= FLAG_SIX;
                }
            }
        } else {
            after.job_run = 0;
        }
        let id = self.info.len() as u32;
        self.full.push(KeyFull { key, prio, after: after.pack() });
        self.info.push(KeyInfo {
            segment: f.segment,
            state: f.state,
            flags: f.flags,
            row: row as u32,
            off: self.layout.row_off[row] as u32,
            n_exits: self.layout.exits[s].len() as u16,
            benefit_slot,
        });
        self.next.push(KeyNext { stay: UNSET, moved: UNSET });
        self.index.insert((key, prio), id);
        id
    }

    /// The key after staying in the state for the month (same queue priority).
    #[inline]
    fn stay(&mut self, id: u32) -> u32 {
        let known = self.next[id as usize].stay;
        if known != UNSET {
            return known;
        }
        let full = self.full[id as usize];
        let mut sf = Fields::unpack(full.after);
        sf.in_state = (sf.in_state + 1).min(self.rules.cap_in[sf.state as usize]);
        self.rules.normalise(&mut sf);
        let stay = self.id(sf.pack(), full.prio);
        self.next[id as usize].stay = stay;
        stay
    }

    /// The key after taking exit `k` of the state's row (not a placement request).
    #[inline]
    fn moved(&mut self, id: u32, k: u16) -> u32 {
        if self.next[id as usize].moved == UNSET {
            let f = Fields::unpack(self.full[id as usize].after);
            let exits = &self.layout.exits[f.state as usize];
            let ids: Vec<u32> = exits
                .iter()
                .map(|&t| moved_to(self.rules, f, self.model.transitions[t].to).pack())
                .collect::<Vec<u128>>()
                .into_iter()
                .map(|key| self.id(key, 0))
                .collect();
            let start = self.moved.len() as u32;
            self.moved.extend(ids);
            self.next[id as usize].moved = start;
        }
        self.moved[(self.next[id as usize].moved + k as u32) as usize]
    }

    /// The key of a placement request on transition `t` made at the end of month `m`
    /// by a citizen staying in the state, with the request's random priority.
    fn request(&mut self, id: u32, m: usize, t: usize, prio: u64) -> u32 {
        let stay = self.stay(id);
        let mut r = Fields::unpack(self.full[stay as usize].key);
        r.flags |= FLAG_WAITING;
        r.since = m as u16;
        r.trans = t as u16;
        self.id(r.pack(), prio)
    }

    /// The key of a waiting citizen once served: moved along its requested transition.
    fn served(&mut self, id: u32) -> u32 {
        let f = Fields::unpack(self.full[id as usize].key);
        let dest = self.model.transitions[f.trans as usize].to;
        self.id(moved_to(self.rules, f, dest).pack(), 0)
    }
}

/// Where the members of a group who take one joint outcome go: resolved once per group
/// and outcome, since it depends only on the group's key and the outcome.
#[derive(Debug, Clone, Copy)]
struct Dest<const N: usize> {
    outcome: [u16; N],
    /// The destination group, or [`UNSET`] when the move is a placement request in
    /// some arm (each request then has a key of its own, see [`request_keys`]).
    group: u32,
    /// The joint key after the move, before the requests' own keys.
    key: Ids<N>,
    /// How each arm's spell start changes.
    rule: [SpellRule; N],
    /// How the spell start changes when the arms stay together (`group` set): the
    /// same in every arm, as the key after the move is.
    joint_rule: SpellRule,
    /// Where each arm books the move in its month's counts of moves: the transition, or
    /// the spare last place when the arm stays or requests (so booking takes no branch).
    book: [u16; N],
    /// The arms in which the move is a placement request.
    requests: [bool; N],
    /// The arms part: each arm's members go to a group of that arm alone.
    split: bool,
    /// When split: each arm's group ([`UNSET`] for a request or an absent arm).
    arm_groups: [u32; N],
}

/// No transition is booked in this arm.
const NO_TRANS: u16 = u16::MAX;

/// A group of interchangeable citizens: its joint key (the citizens' key id in every
/// arm), its size and its members' spell starts. Groups are kept from month to month,
/// so citizens who stay where they are cost nothing but their share of the draws.
#[derive(Debug)]
struct Group<const N: usize> {
    key: Ids<N>,
    /// What the month loop reads of each arm's key (a copy of [`Keys::info`]).
    info: [KeyInfo; N],
    /// Members at the start of the month's moves.
    n: u64,
    /// Histogram of spell starts ([`NO_SPELL`] off benefit). The counts sum to `n`;
    /// bins that have fallen to 0 are dropped once they are half of it ([`Hist::emptied`]).
    bins: Hist,
    /// Σ count × spell start over the bins on benefit, so that in each arm where the
    /// group is on benefit the month's sum of spells is n·m − `sum_o` without reading
    /// the histogram.
    sum_o: i64,
    /// Members who joined at the end of this month, and their spell starts (unsorted).
    n_in: u64,
    bins_in: Bins,
    /// Where the stayers go at the end of the month ([`UNSET`] until first needed; the
    /// group itself when staying does not change the key).
    stay: u32,
    /// The arms' transition rows ([`World::rowsets`]).
    rowset: u32,
    /// The destinations of the joint outcomes taken so far.
    dests: Vec<Dest<N>>,
    /// Per joint interval of its row set: the index in `dests` of the interval's
    /// destination, or [`UNSET`] until first needed; valid while the row set's
    /// intervals keep the version `iv_ver` (their outcomes, not their bounds, fix the
    /// destinations, and they seldom change from month to month).
    iv_dest: Vec<u32>,
    iv_ver: u32,
    /// Listed in [`World::touched`] this month.
    touched: bool,
    /// Listed in [`World::active`].
    active: bool,
}

/// The arms' transition rows of a group (row × 2 + waiting, per arm), with the month's
/// joint intervals, built once a month for all the groups that share the rows.
#[derive(Debug, Clone, Copy)]
struct RowSet {
    /// The month whose intervals are cached (0: none yet).
    month: usize,
    /// The intervals' place in the replication's pool of intervals.
    start: usize,
    len: usize,
    /// Changes whenever the intervals' outcomes change (0: no intervals yet).
    ver: u32,
    /// P(moving in some arm) and the scale of the gaps between movers ([`gap_scale`]; NaN
    /// until a group of the row set first needs it this month).
    top: f64,
    gap_scale: f64,
    /// The smallest bin whose movers are drawn by binomials (`count × top` ≥
    /// [`POOL_MOVERS`]), so that the test per bin is an integer comparison.
    pool_from: u64,
}

/// All groups of one replication, kept in place from month to month.
struct World<const N: usize> {
    /// Every group ever made, in the order of first occurrence.
    groups: Vec<Group<N>>,
    index: HashMap<Ids<N>, u32, FxBuild>,
    /// Groups with members at the start of the month's moves, in a fixed order.
    active: Vec<u32>,
    /// Groups that received members this month.
    touched: Vec<u32>,
    rowsets: Vec<RowSet>,
    rowset_index: HashMap<Ids<N>, u32, FxBuild>,
    /// The joint intervals of every row set, kept from month to month (a row set's
    /// intervals are rewritten in place while their outcomes stay the same).
    iv_pool: Vec<Interval<N>>,
    /// Where spell starts fall in the histograms' indexes (set per replication).
    slots: Slots,
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
    fn take() -> Self {
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
    fn put_back(mut self) {
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
    fn group(&mut self, key: Ids<N>, keys: &Keys) -> u32 {
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

    /// Gives group `g` `k` citizens with spell start `o`, who join at the end of the month.
    #[inline]
    fn give(&mut self, g: u32, o: Start, k: u64) {
        let gr = &mut self.groups[g as usize];
        gr.n_in += k;
        push_bin(&mut gr.bins_in, o, k);
        if !gr.touched {
            gr.touched = true;
            self.touched.push(g);
        }
    }

    /// Gives group `g` the citizens of a histogram (whose counts sum to `k`).
    fn give_bins(&mut self, g: u32, bins: &[(Start, Count)], k: u64) {
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
    fn settle(&mut self) {
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
fn sub_weight(sum: &mut i64, o: Start, k: u64) {
    if o != NO_SPELL {
        *sum -= o as i64 * k as i64;
    }
}

/// Simulates one replication of the model in the given arms with the count engine.
/// Returns the same [`Replication`] as [`crate::simulation::individual::simulate_replication`]
/// (without trajectories). Up to four arms are simulated jointly (common random
/// numbers, exactly as the individual engine); more arms in blocks of four (see the
/// module documentation).
pub fn simulate_replication(model: &Model, arms: &[Arm], seed: u64, rep: u32) -> Replication {
    let drawn = draw(model, seed, rep);
    let mut runs = Vec::with_capacity(arms.len());
    for block in arms.chunks(4) {
        let rng = Stream::from_rng(&mut stream(seed, rep, "count-engine"));
        runs.extend(match block.len() {
            1 => simulate_joint::<1>(model, block, &drawn, rng),
            2 => simulate_joint::<2>(model, block, &drawn, rng),
            3 => simulate_joint::<3>(model, block, &drawn, rng),
            _ => simulate_joint::<4>(model, block, &drawn, rng),
        });
    }
    Replication { index: rep, params: drawn.recorded, arms: runs, trajectories: Vec::new() }
}

/// What one arm keeps from month to month.
struct ArmState {
    arm: Arm,
    acc: Acc,
    run: ArmRun,
    grants: Vec<f64>,
    covered: Vec<f64>,
    cum_benefit_months: u64,
    /// Citizens per state and benefit months per benefit slot at the end of the last
    /// month ([`end_of_month`]): the start of this month's counts, before arrivals.
    occ_last: Vec<u64>,
    benefit_last: Vec<u64>,
    staffing_m: Vec<f64>,
    /// The month's (staff, citizens on benefit, reported multiplier).
    caseload: (crate::model::MonthStaff, f64, f64),
}

/// One interval of the uniform number u that decides a citizen's move: the same u
/// in every arm, so the interval fixes the outcome in each arm ([`STAY`] or the
/// index of the exit in the state's row).
#[derive(Debug, Clone, Copy)]
struct Interval<const N: usize> {
    lo: f64,
    hi: f64,
    outcome: [u16; N],
}

/// Outcome of an arm in which the citizen stays.
const STAY: u16 = u16::MAX;

/// One arm's row for a group this month: P(leave) and the exits' cumulative thresholds.
#[derive(Clone, Copy)]
struct ArmRow<'a> {
    leave: f64,
    thr: &'a [f64],
}

impl ArmRow<'_> {
    /// The arm's outcome for a uniform number u, as the individual engine decides it.
    #[inline]
    fn outcome(&self, u: f64) -> u16 {
        if u < self.leave {
            self.thr.iter().position(|&t| u < t).unwrap_or(self.thr.len() - 1) as u16
        } else {
            STAY
        }
    }
}

/// The intervals of u on which at least one arm moves, in order from 0, each with the
/// outcome in every arm: the union of all arms' thresholds, merged in one pass (each
/// arm keeps a cursor on its first threshold above the interval's start).
fn joint_intervals<const N: usize>(rows: &[ArmRow; N], out: &mut Vec<Interval<N>>) {
    out.clear();
    let top = rows.iter().map(|r| r.leave).fold(0.0, f64::max);
    let mut next = [0usize; N];
    let mut lo = 0.0;
    while lo < top {
        // The next breakpoint above lo in any arm, and each arm's outcome on [lo, hi):
        // its first exit whose threshold is above lo (as `ArmRow::outcome`).
        let mut hi = top;
        let mut outcome = [STAY; N];
        for (a, r) in rows.iter().enumerate() {
            if lo < r.leave {
                hi = hi.min(r.leave);
                let k = &mut next[a];
                while *k < r.thr.len() && r.thr[*k] <= lo {
                    *k += 1;
                }
                match r.thr.get(*k) {
                    Some(&t) => {
                        hi = hi.min(t);
                        outcome[a] = *k as u16;
                    }
                    None => outcome[a] = r.thr.len() as u16 - 1,
                }
            }
        }
        out.push(Interval { lo, hi, outcome });
        lo = hi;
    }
}

/// How many of `n` citizens fall in each interval (the rest stay in every arm): the
/// number who move in some arm by one binomial, then one uniform number each when they
/// are few, else a multinomial by conditional binomials.
fn draw_intervals<const N: usize>(rng: &mut Stream, n: u64, ivs: &[Interval<N>], out: &mut Vec<u64>) {
    out.clear();
    out.resize(ivs.len(), 0);
    let Some(last) = ivs.last() else { return };
    let top = last.hi;
    if n == 0 || top <= 0.0 {
        return;
    }
    let mut left = binomial(rng, n, top);
    if left <= FEW_MOVERS * (ivs.len() as u64 - 1).max(1) {
        // Each mover's u is uniform on [0, top).
        for _ in 0..left {
            let u = uniform(rng) * top;
            let j = ivs.iter().position(|iv| u < iv.hi).unwrap_or(ivs.len() - 1);
            out[j] += 1;
        }
        return;
    }
    for (j, iv) in ivs.iter().enumerate() {
        if left == 0 {
            break;
        }
        let x = if j + 1 == ivs.len() {
            left
        } else {
            let rest = top - iv.lo;
            let p = if rest > 0.0 { ((iv.hi - iv.lo) / rest).clamp(0.0, 1.0) } else { 1.0 };
            binomial(rng, left, p)
        };
        out[j] = x;
        left -= x;
    }
}

/// How a move changes an arm's spell start.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SpellRule {
    Keep,
    /// Off benefit: no spell.
    End,
    /// Came on benefit at the end of this month: the spell is 0 months long now.
    StartNow,
}

/// The arms of one block, simulated jointly.
fn simulate_joint<const N: usize>(
    model: &Model,
    arms: &[Arm],
    drawn: &Drawn,
    mut rng: Stream,
) -> Vec<ArmRun> {
    let layout = Layout::new(model);
    let flags = StateFlags::new(model);
    let classes = ShareClasses::new(&model.budget.reimbursement);
    let n_classes = classes.shares.len();
    let h = model.horizon;
    let ns = model.states.len();
    let nt = model.transitions.len();
    let ng = model.segments.len();
    let cols = monthly_columns(model).len();
    let so = share_offset(model);
    let seg_cols = so + MONTHLY_SHARES.len();
    let capacity = has_capacity(model);
    assert!(h < 2048 && ng <= u16::MAX as usize && nt < u16::MAX as usize, "model too large for group keys");
    assert_eq!(arms.len(), N);

    let rules = Rules {
        flags: &flags,
        cap_in: layout
            .bands
            .iter()
            .map(|b| (b.last().copied().unwrap_or(1).saturating_sub(1)).min(2047) as u16)
            .collect(),
        cap_cum: if classes.staircase { (classes.by_cum.len() - 1).min(u16::MAX as usize) as u16 } else { 0 },
        reset: classes.reset,
        cap_off: classes.reset.map(|r| r.min(2047) as u16).unwrap_or(0),
    };
    let mut keys = Keys::new(model, &layout, &rules, &classes);
    let rates = YearRates::new(model);
    // Citizens entered by the end of month m, per segment.
    let mut entered_by_segment: Vec<Vec<usize>> = Vec::with_capacity(h + 1);
    let mut per: Vec<usize> = model.segments.iter().map(|g| g.size() as usize).collect();
    entered_by_segment.push(per.clone());
    for m in 1..=h {
        for (g, seg) in model.segments.iter().enumerate() {
            per[g] += seg.arrivals(m) as usize;
        }
        entered_by_segment.push(per.clone());
    }
    // Whether every spell stays below the longest the individual engine can count, so
    // that the sum of spells is n·m − Σ spell starts (else it is summed bin by bin).
    let longest_before =
        model.segments.iter().map(|s| s.months_on_benefit.max(s.inflow_months_on_benefit)).max().unwrap_or(0);
    let spells_linear = longest_before as i64 + h as i64 + 2 < MAX_SPELL;

    let mut st: Vec<ArmState> = arms
        .iter()
        .map(|&arm| ArmState {
            arm,
            acc: Acc::new(model, n_classes),
            run: ArmRun {
                monthly: vec![0.0; (h + 1) * cols],
                flows: vec![[0.0; N_FLOWS]; h],
                moves: vec![0; nt],
                state_months: vec![0; ns],
                placements: 0,
                placement_wait_months: 0,
                segment_monthly: vec![0.0; (h + 1) * ng * seg_cols],
            },
            grants: model.grant_income(arm, drawn.staff_cost),
            covered: model.grant_covered_staff_cost(arm, drawn.staff_cost),
            cum_benefit_months: 0,
            occ_last: vec![0; ns],
            benefit_last: vec![0; model.benefit_types.len() * n_classes],
            staffing_m: vec![1.0; nt],
            caseload: (model.staff(arm, 1), 0.0, 1.0),
        })
        .collect();
    let mut tables: Vec<Tables> = arms.iter().map(|_| Tables::new(&layout)).collect();

    // Month 0: the starting position, the same in every arm.
    let mut world: World<N> = World::take();
    // Spell starts run from before the start (the longest spell brought in) to the
    // horizon (a spell started in the last month).
    let base = -(longest_before as i64) - 2;
    world.slots = Slots { base, slots: (h as i64 - base + 2) as usize };
    for (g, seg) in model.segments.iter().enumerate() {
        for &(s, n) in &seg.start {
            if n > 0 {
                let (k, o) = rules.admitted(g, s, seg.months_on_benefit, 0);
                let id = keys.id(k, 0);
                let gi = world.group(Ids([id; N]), &keys);
                world.give(gi, o, n as u64);
            }
        }
    }
    world.settle();
    end_of_month(&world, &mut st, &flags, ns, 0, spells_linear);
    for s in st.iter_mut() {
        let staff = model.staff(s.arm, 1);
        s.acc.hours = staff.placement_fte * drawn.hours_per_placement_fte;
        record_month(
            model,
            &flags,
            &s.acc,
            &mut s.run.monthly[..cols],
            &mut s.run.segment_monthly[..ng * seg_cols],
            &entered_by_segment[0],
            0,
            staff,
            None,
        );
    }

    let ctx = MoveCtx { model, drawn, flags: &flags, capacity };
    // A row set's intervals of this month, before they go to the pool.
    let mut fresh: Vec<Interval<N>> = Vec::new();
    // Taken out of the world so that a visit can read it while moving citizens.
    let mut iv_pool = std::mem::take(&mut world.iv_pool);
    let mut iv_version = 0u32;
    let mut counts: Vec<u64> = Vec::new();
    // For a small group: (outcome in every arm, bin, how many).
    let mut few: Vec<([u16; N], usize, u64)> = Vec::new();
    let mut queue: Vec<(u16, u64, u32)> = Vec::new();
    // Per group with placements this month: how many of its members each arm places.
    let mut served: Vec<(u32, [u64; N])> = Vec::new();
    // The month's moves per arm and transition ([`Mover::moves`]), added to each arm's
    // counts before the month is booked.
    let stride = nt + 1;
    let mut moves: Vec<u64> = vec![0; N * stride];
    // This month's arrivals: (key id, citizens).
    let mut arrived: Vec<(u32, u64)> = Vec::new();
    #[allow(clippy::needless_range_loop)] // m is the month, not only an index
    for m in 1..=h {
        // 1. Arrivals.
        arrived.clear();
        for (g, seg) in model.segments.iter().enumerate() {
            let a = seg.arrivals(m);
            if a > 0 {
                let (k, o) = rules.admitted(g, seg.inflow_state, seg.inflow_months_on_benefit, m);
                let id = keys.id(k, 0);
                let gi = world.group(Ids([id; N]), &keys);
                world.give(gi, o, a as u64);
                arrived.push((id, a as u64));
            }
        }
        // Nothing has changed since the last month's settling unless someone arrived.
        if !arrived.is_empty() {
            world.settle();
        }
        // 2. Each arm's month starts from last month's end-of-month counts per state and
        // benefit months plus the arrivals (nobody else joins or leaves a group before the
        // moves), and its staffing multiplier from its caseload: those in benefit states.
        for (a, s) in st.iter_mut().enumerate() {
            s.acc.clear();
            s.acc.occ_during.copy_from_slice(&s.occ_last);
            s.acc.benefit_months.copy_from_slice(&s.benefit_last);
            for &(id, k) in &arrived {
                let i = &keys.info[id as usize];
                s.acc.occ_during[i.state as usize] += k;
                if flags.pays[i.state as usize] {
                    s.acc.benefit_months[i.benefit_slot as usize] += k;
                }
            }
            let on_benefit: u64 = (0..ns).filter(|&k| flags.pays[k]).map(|k| s.acc.occ_during[k]).sum();
            let on_benefit = on_benefit as f64;
            let staff = model.staff(s.arm, m);
            let rep_mult =
                staffing_multipliers(model, drawn, on_benefit, staff.productive_fte, &mut s.staffing_m);
            tables[a].fill(model, &layout, drawn, &s.staffing_m, capacity);
            s.caseload = (staff, on_benefit, rep_mult);
        }

        // 3-4. The month in the state, then the moves at its end. Movers join their
        // new group at the end of the month ([`World::settle`]); stayers stay in place
        // unless staying changes their key.
        for ai in 0..world.active.len() {
            let gi = world.active[ai];
            let g = &world.groups[gi as usize];
            let (jk, n, rowset) = (g.key, g.n, g.rowset);
            let info = g.info;
            // The arms' rows, read only when a small group draws or a row set's intervals
            // are built (an absent arm never moves).
            let rows = || -> [ArmRow; N] {
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
            };
            let stay_group = match world.groups[gi as usize].stay {
                UNSET => {
                    let stay =
                        Ids(std::array::from_fn(
                            |a| if jk.0[a] == ABSENT { ABSENT } else { keys.stay(jk.0[a]) },
                        ));
                    let sg = if stay == jk { gi } else { world.group(stay, &keys) };
                    world.groups[gi as usize].stay = sg;
                    sg
                }
                sg => sg,
            };
            // A small group draws citizen by citizen (one uniform number each, as the
            // individual engine), and nothing more is done when all of them stay put.
            let small = n <= SMALL_GROUP;
            if small {
                let rows = rows();
                few.clear();
                for (b, bin) in world.groups[gi as usize].bins.iter().enumerate() {
                    for _ in 0..bin.1 {
                        let u = uniform(&mut rng);
                        let out: [u16; N] = std::array::from_fn(|a| rows[a].outcome(u));
                        if out != [STAY; N] {
                            match few.iter_mut().find(|x| x.0 == out && x.1 == b) {
                                Some(x) => x.2 += 1,
                                None => few.push((out, b, 1)),
                            }
                        }
                    }
                }
                if few.is_empty() && stay_group == gi {
                    continue;
                }
            } else {
                // The joint intervals depend only on the arms' rows: built once a month.
                let rs = &mut world.rowsets[rowset as usize];
                // Rows that do not depend on staffing give the same intervals every
                // month: once built, they are kept.
                let fixed = || (0..N).all(|a| jk.0[a] == ABSENT || tables[a].is_fixed(info[a].row as usize));
                if rs.month != m && rs.ver != 0 && fixed() {
                    rs.month = m;
                }
                if rs.month != m {
                    joint_intervals(&rows(), &mut fresh);
                    rs.month = m;
                    let kept = &mut iv_pool[rs.start..rs.start + rs.len];
                    if rs.ver != 0
                        && kept.len() == fresh.len()
                        && kept.iter().zip(&fresh).all(|(a, b)| a.outcome == b.outcome)
                    {
                        kept.copy_from_slice(&fresh);
                    } else {
                        rs.start = iv_pool.len();
                        rs.len = fresh.len();
                        iv_pool.extend_from_slice(&fresh);
                        iv_version += 1;
                        rs.ver = iv_version;
                    }
                    rs.top = fresh.last().map(|iv| iv.hi).unwrap_or(0.0);
                    rs.gap_scale = f64::NAN; // computed when first needed
                    rs.pool_from = pool_from(rs.top);
                }
                // Nobody can move (an absorbing state) and staying keeps the key: done.
                if rs.top <= 0.0 && stay_group == gi {
                    continue;
                }
            }
            let mut bins = std::mem::take(&mut world.groups[gi as usize].bins);
            let mut dests = std::mem::take(&mut world.groups[gi as usize].dests);
            let mut iv_dest = std::mem::take(&mut world.groups[gi as usize].iv_dest);
            let mut iv_ver = world.groups[gi as usize].iv_ver;
            let mut removed = 0i64;
            let mut movers = 0u64;
            let mut emptied = 0;
            let mut mv = Mover {
                keys: &mut keys,
                world: &mut world,
                moves: &mut moves,
                stride,
                rng: &mut rng,
                jk,
                info: &info,
                m,
            };

            if small {
                for &(out, b, c) in &few {
                    let d = mv.resolve(&ctx, &mut dests, out);
                    let o = bins[b].0;
                    mv.emit(&dests[d], o, c);
                    sub_weight(&mut removed, o, c);
                    bins[b].1 -= c as Count;
                    emptied += (bins[b].1 == 0) as usize;
                    movers += c;
                }
            } else {
                let rs = &mv.world.rowsets[rowset as usize];
                let RowSet { start, len, ver, top, pool_from, .. } = *rs;
                let mut scale = rs.gap_scale;
                if top > 0.0 {
                    let ivs = &iv_pool[start..start + len];
                    if iv_ver != ver {
                        iv_dest.clear();
                        iv_dest.resize(len, UNSET);
                        iv_ver = ver;
                    }
                    // Bins where few are expected to move are taken together as one line
                    // of members, each moving with probability `top` on its own: the gaps
                    // between movers are geometric, so only the movers cost a draw (their
                    // interval by one uniform number each). Bins where many move draw their
                    // counts by binomials. The line starts at the first pooled bin.
                    let mut gap = None;
                    for bin in bins.iter_mut() {
                        let c = bin.1 as u64;
                        if c >= pool_from {
                            draw_intervals(mv.rng, c, ivs, &mut counts);
                            for (j, &x) in counts.iter().enumerate() {
                                if x > 0 {
                                    let d = mv.dest_of(&ctx, &mut dests, &mut iv_dest, ivs, j);
                                    mv.emit(&dests[d], bin.0, x);
                                    bin.1 -= x as Count;
                                }
                            }
                        } else {
                            if scale.is_nan() {
                                scale = gap_scale(top);
                                mv.world.rowsets[rowset as usize].gap_scale = scale;
                            }
                            let gap = gap.get_or_insert_with(|| geometric_gap(mv.rng, scale));
                            let mut left = c;
                            while *gap < left {
                                left -= *gap + 1;
                                let u = uniform(mv.rng) * top;
                                let j = ivs.iter().position(|iv| u < iv.hi).unwrap_or(ivs.len() - 1);
                                let d = mv.dest_of(&ctx, &mut dests, &mut iv_dest, ivs, j);
                                mv.emit(&dests[d], bin.0, 1);
                                bin.1 -= 1;
                                *gap = geometric_gap(mv.rng, scale);
                            }
                            *gap -= left;
                        }
                        let x = c - bin.1 as u64;
                        if x > 0 {
                            sub_weight(&mut removed, bin.0, x);
                            movers += x;
                            emptied += (bin.1 == 0) as usize;
                        }
                    }
                }
            }

            // The stayers: in place, or all to the group of their new key.
            let stayed = n - movers;
            let g = &mut world.groups[gi as usize];
            g.dests = dests;
            g.iv_dest = iv_dest;
            g.iv_ver = iv_ver;
            if stay_group == gi {
                if emptied > 0 {
                    bins.emptied(emptied, world.slots);
                }
                g.n = stayed;
                g.sum_o += removed;
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
        world.settle();

        // With capacity: serve each arm's waiting list, oldest request month first.
        // Each arm decides on its own list; the placements are then made jointly, so
        // a citizen placed in every arm where it waits stays one citizen of all arms.
        if capacity {
            served.clear();
            for (a, s) in st.iter_mut().enumerate() {
                let placement_fte = s.caseload.0.placement_fte;
                serve_queue(drawn, &keys, &world, a, &mut s.acc, &mut queue, &mut served, m, placement_fte);
            }
            place_served(&flags, &mut keys, &mut world, &mut rng, &mut served, m);
            world.settle();
            for (a, s) in st.iter_mut().enumerate() {
                s.acc.waiting = world
                    .active
                    .iter()
                    .map(|&gi| &world.groups[gi as usize])
                    .filter(|g| g.key.0[a] != ABSENT && g.info[a].flags & FLAG_WAITING != 0)
                    .map(|g| g.n)
                    .sum();
            }
        }

        // 5. Record the month.
        for (a, s) in st.iter_mut().enumerate() {
            let row = &mut moves[a * stride..(a + 1) * stride];
            for (total, k) in s.acc.moves_month.iter_mut().zip(row.iter_mut()) {
                *total += std::mem::take(k);
            }
        }
        end_of_month(&world, &mut st, &flags, ns, m, spells_linear);
        for s in st.iter_mut() {
            book_month(
                model,
                &flags,
                &classes,
                drawn,
                &s.acc,
                &mut s.run,
                m,
                (cols, seg_cols),
                s.caseload,
                (s.grants[m - 1], s.covered[m - 1]),
                &mut s.cum_benefit_months,
                &entered_by_segment[m],
                &rates,
            );
        }
    }
    world.iv_pool = iv_pool;
    world.put_back();
    st.into_iter().map(|s| s.run).collect()
}

/// What the moves of a replication read but do not change.
struct MoveCtx<'a> {
    model: &'a Model,
    drawn: &'a Drawn,
    flags: &'a StateFlags,
    capacity: bool,
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

/// The joint key of citizens present in arm `a` alone, with key id `id` there.
#[inline]
fn alone<const N: usize>(a: usize, id: u32) -> Ids<N> {
    let mut k = [ABSENT; N];
    k[a] = id;
    Ids(k)
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

/// The spell rule of a move that keeps a group's arms together (`ids`: the key ids
/// after it, [`ABSENT`] where the group is not): they reach the same key, so the same
/// spell start, and the first present arm's rule stands for all.
fn together_rule<const N: usize>(ids: &[u32; N], rule: &[SpellRule; N]) -> SpellRule {
    (0..N).find(|&a| ids[a] != ABSENT).map_or(SpellRule::Keep, |a| rule[a])
}

/// A spell start after a move with this rule at the end of month `m` (as selects, not
/// branches: the rules of a visit's moves come in no predictable order).
#[inline]
fn apply_rule(o: Start, rule: SpellRule, m: usize) -> Start {
    let new = if rule == SpellRule::StartNow { m as Start } else { NO_SPELL };
    if rule == SpellRule::Keep { o } else { new }
}

/// How a move from `from` to `dest` changes the spell start.
#[inline]
fn spell_rule(flags: &StateFlags, from: usize, dest: usize) -> SpellRule {
    match (flags.pays[from], flags.pays[dest]) {
        (_, false) => SpellRule::End,
        // Spent the month off benefit: the spell at the end of the month is 0.
        (false, true) => SpellRule::StartNow,
        (true, true) => SpellRule::Keep,
    }
}

/// The key a citizen of `f` (after the month's accounting) takes when moving to `dest`
/// at the end of month `m`.
#[inline]
fn moved_to(rules: &Rules, f: Fields, dest: usize) -> Fields {
    let from = f.state as usize;
    let mut mv = f;
    mv.flags &= !FLAG_WAITING;
    if rules.flags.pays[from] && (rules.flags.employed[dest] || rules.flags.education[dest]) {
        mv.flags |= FLAG_OUTFLOW;
    }
    mv.state = dest as u8;
    mv.in_state = 0;
    rules.normalise(&mut mv);
    mv
}

/// Decides arm `a`'s placements at the end of month `m` (after the month's moves have
/// settled, so this month's requests wait with `since = m`): oldest request month
/// first, within a month by the requests' random priorities, each taking its
/// transition's hours while the month's hours last; the first request that does not
/// fit stops the month's placements. Books them in `acc` and records, per group, how
/// many of its members arm `a` places (made by [`place_served`]).
#[allow(clippy::too_many_arguments)]
fn serve_queue<const N: usize>(
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
fn place_served<const N: usize>(
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

/// Every arm's end-of-month counts per (segment, state) and per segment from the
/// groups. The sum of spells is n·m − Σ spell starts per group when no spell can reach
/// the individual engine's saturation (`spells_linear`), else it is summed bin by bin.
fn end_of_month<const N: usize>(
    world: &World<N>,
    st: &mut [ArmState],
    flags: &StateFlags,
    ns: usize,
    m: usize,
    spells_linear: bool,
) {
    for s in st.iter_mut() {
        s.acc.occ_end.fill(0);
        s.acc.seg.fill(SegmentCounts::default());
        s.occ_last.fill(0);
        s.benefit_last.fill(0);
    }
    for &gi in &world.active {
        let gr = &world.groups[gi as usize];
        let n = gr.n;
        for (a, s) in st.iter_mut().enumerate() {
            if gr.key.0[a] == ABSENT {
                continue;
            }
            let i = &gr.info[a];
            let (g, state) = (i.segment as usize, i.state as usize);
            let acc = &mut s.acc;
            acc.occ_end[g * ns + state] += n;
            s.occ_last[state] += n;
            let sc = &mut acc.seg[g];
            if flags.pays[state] {
                s.benefit_last[i.benefit_slot as usize] += n;
                sc.dur_sum += if spells_linear {
                    (n as i64 * m as i64 - gr.sum_o) as u64
                } else {
                    gr.bins.iter().map(|&(o, k)| k as u64 * spell(o, m)).sum::<u64>()
                };
            }
            sc.outflow += n * (i.flags & FLAG_OUTFLOW != 0) as u64;
            sc.six += n * (i.flags & FLAG_SIX != 0) as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn keys_round_trip() {
        let f = Fields {
            segment: 65535,
            state: 249,
            flags: 7,
            in_state: 2047,
            cum: 65535,
            off: 2047,
            job_run: 5,
            since: 1200,
            trans: 65534,
        };
        assert_eq!(Fields::unpack(f.pack()), f);
    }

    /// Two arms' rows: the joint intervals reproduce each arm's own exit probabilities.
    #[test]
    fn joint_intervals_give_each_arm_its_own_exits() {
        let a = ArmRow { leave: 0.3, thr: &[0.1, 0.25, 0.3] };
        let b = ArmRow { leave: 0.35, thr: &[0.12, 0.12, 0.35] };
        let mut ivs = Vec::new();
        joint_intervals(&[a, b], &mut ivs);
        assert_eq!(ivs.first().unwrap().lo, 0.0);
        assert_eq!(ivs.last().unwrap().hi, 0.35);
        for w in ivs.windows(2) {
            assert_eq!(w[0].hi, w[1].lo);
        }
        for (arm, row) in [a, b].iter().enumerate() {
            for k in 0..3u16 {
                let p: f64 = ivs.iter().filter(|iv| iv.outcome[arm] == k).map(|iv| iv.hi - iv.lo).sum();
                let want = row.thr[k as usize] - if k == 0 { 0.0 } else { row.thr[k as usize - 1] };
                assert!((p - want).abs() < 1e-15, "arm {arm} exit {k}: {p} vs {want}");
            }
        }
        // Identical rows: one interval per exit with a positive probability, same outcome in both.
        joint_intervals(&[a, a], &mut ivs);
        assert_eq!(ivs.len(), 3);
        assert!(ivs.iter().all(|iv| iv.outcome[0] == iv.outcome[1]));

        // Random rows (exits of probability 0 included, and an arm where nobody moves):
        // every u below the top falls in an interval whose outcome in each arm is what
        // that arm's row gives u.
        let mut rng = Stream::seed_from_u64(5);
        for _ in 0..200 {
            let rows: Vec<(f64, Vec<f64>)> = (0..3)
                .map(|arm| {
                    let n_exits = 1 + below(&mut rng, 5) as usize;
                    let mut cum = 0.0;
                    let mut thr: Vec<f64> = (0..n_exits)
                        .map(|_| {
                            if below(&mut rng, 3) > 0 {
                                cum += uniform(&mut rng) * 0.1;
                            }
                            cum
                        })
                        .collect();
                    if arm == 2 {
                        thr.iter_mut().for_each(|t| *t = 0.0);
                    }
                    (*thr.last().unwrap(), thr)
                })
                .collect();
            let arms: [ArmRow; 3] = std::array::from_fn(|a| ArmRow { leave: rows[a].0, thr: &rows[a].1 });
            let mut ivs = Vec::new();
            joint_intervals(&arms, &mut ivs);
            let top = arms.iter().map(|r| r.leave).fold(0.0, f64::max);
            assert_eq!(ivs.last().map_or(0.0, |iv| iv.hi), top);
            if top == 0.0 {
                assert!(ivs.is_empty(), "intervals where nobody moves");
                continue;
            }
            for _ in 0..50 {
                let u = uniform(&mut rng) * top;
                let iv = ivs.iter().find(|iv| iv.lo <= u && u < iv.hi).expect("u in an interval");
                for (arm, row) in arms.iter().enumerate() {
                    assert_eq!(iv.outcome[arm], row.outcome(u), "arm {arm}, u {u}, rows {rows:?}");
                }
            }
        }
    }

    #[test]
    fn intervals_are_drawn_as_a_multinomial() {
        let mut rng = Stream::seed_from_u64(1);
        let row = ArmRow { leave: 0.3, thr: &[0.1, 0.25, 0.3] };
        let mut ivs = Vec::new();
        joint_intervals(&[row], &mut ivs);
        let mut out = Vec::new();
        // n = 30 has few movers (one uniform each); n = 1000 many (conditional binomials).
        for n in [30u64, 1000] {
            let mut tot = [0u64; 3];
            let reps = 400_000 / n;
            for _ in 0..reps {
                draw_intervals(&mut rng, n, &ivs, &mut out);
                for k in 0..3 {
                    tot[k] += out[k];
                }
            }
            let total = (n * reps) as f64;
            for (k, p) in [0.1, 0.15, 0.05].iter().enumerate() {
                let se = (p * (1.0 - p) / total).sqrt();
                let got = tot[k] as f64 / total;
                assert!((got - p).abs() < 4.0 * se, "n {n} exit {k}: {got} vs {p}");
            }
        }
    }

    /// Gaps between movers: geometric with P(0) = p and mean (1 − p) / p, so that each
    /// member of a pooled line of bins moves with probability p on its own.
    #[test]
    fn geometric_gaps_give_each_member_its_own_chance() {
        let mut rng = Stream::seed_from_u64(3);
        for p in [0.002f64, 0.05, 0.4] {
            let scale = gap_scale(p);
            let reps = 200_000;
            let (mut zeros, mut sum) = (0u64, 0.0);
            for _ in 0..reps {
                let g = geometric_gap(&mut rng, scale);
                zeros += (g == 0) as u64;
                sum += g as f64;
            }
            let p0 = zeros as f64 / reps as f64;
            assert!((p0 - p).abs() < 4.5 * (p * (1.0 - p) / reps as f64).sqrt(), "p {p}: P(0) {p0}");
            let mean = (1.0 - p) / p;
            let se = ((1.0 - p) / (p * p) / reps as f64).sqrt();
            assert!((sum / reps as f64 - mean).abs() < 4.5 * se, "p {p}: mean {}", sum / reps as f64);
        }
        // Nobody moves with p = 0; everybody with p = 1.
        assert_eq!(geometric_gap(&mut rng, gap_scale(0.0)), u64::MAX);
        assert_eq!(geometric_gap(&mut rng, gap_scale(1.0)), 0);
    }

    /// Draws without replacement: every size of draw takes the right number, never more
    /// than a bin holds, and each bin's share in proportion to its size.
    #[test]
    fn take_draws_without_replacement_in_proportion() {
        let mut rng = Stream::seed_from_u64(2);
        let sizes = [500u64, 0, 100, 7, 1, 30];
        let total: u64 = sizes.iter().sum();
        for k in [1u64, 5, 8, 9, 40, 600, total] {
            let mut mean = [0.0; 6];
            let reps = 4000;
            for _ in 0..reps {
                let mut left = sizes;
                let mut taken = [0u64; 6];
                take(&mut rng, &mut left, total, k, &mut taken);
                assert_eq!(taken.iter().sum::<u64>(), k);
                for b in 0..6 {
                    assert_eq!(left[b] + taken[b], sizes[b]);
                    mean[b] += taken[b] as f64 / reps as f64;
                }
            }
            for b in 0..6 {
                let p = sizes[b] as f64 / total as f64;
                let expect = k as f64 * p;
                let var = k as f64 * p * (1.0 - p) * (total - k) as f64 / (total as f64 - 1.0);
                let se = (var / reps as f64).sqrt();
                assert!(
                    (mean[b] - expect).abs() <= 4.5 * se + 1e-9,
                    "k {k} bin {b}: {} vs {expect}",
                    mean[b]
                );
            }
        }
    }
}
