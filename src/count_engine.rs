//! The count-based engine: groups of interchangeable citizens moved by binomial draws.
//!
//! **What.** Citizens who share everything that their moves, their money or the
//! outputs depend on are interchangeable, so a replication need not follow them one
//! by one: it can keep, per arm, a list of *groups* (one key, how many citizens) and
//! draw each month how many of a group take each exit. Conditional on the month's
//! transition tables every citizen moves independently of every other, so drawing
//! the exits of a group of `n` as a multinomial (conditional binomials) with the
//! competing-hazard probabilities of its row gives exactly the distribution of `n`
//! separate draws. A replication then costs in proportion to the number of occupied
//! groups, not the number of citizens, and memory does not grow with the cohort.
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
//!   was requested and the requested transition (the queue is first come, first
//!   served);
//! * in a benefit-paying state, the start of the current benefit spell (stored as
//!   the month at whose end the spell was 0 months long), whose sum over recipients
//!   is `mean_benefit_duration`. This is the one dimension that is not capped: the
//!   initial cohort has one spell start per segment, and each month adds about one
//!   (arrivals and returns to benefit).
//!
//! Values that can no longer matter are normalised (months off benefit while on
//! benefit, the spell off benefit, consecutive months in work outside work or after
//! the six-month flag), so groups that only differ in them merge.
//!
//! Everything else is the individual engine's: the parameters drawn per replication
//! ([`crate::engine`]'s `draw`), the transition tables with the staffing multiplier
//! from the month's caseload (citizens in benefit states at the start of the month,
//! after arrivals, per productive FTE), the reimbursement classes, and the booking
//! of money and the monthly record (`book_month`), so the two engines produce the
//! same [`Replication`] and everything downstream is unchanged.
//!
//! **Placement capacity.** Movers drawn onto a transition that needs consultant
//! hours become requests of this month. The queue is served oldest request month
//! first; within a month every order of the requests is equally likely, so the next
//! request served is a uniformly random one of those left in that month (drawn one at
//! a time when the hours differ between transitions, or as a multivariate
//! hypergeometric split of the number that fit when they are equal), until one does
//! not fit. Waiting citizens use the tables without the hours exits, as in the
//! individual engine.
//!
//! **Random numbers and the arms.** Each arm draws from its own copy of one stream
//! per replication (`"count-engine"`): the same numbers in the same order. Arms that
//! are identical therefore give identical results (a difference of exactly zero), and
//! results do not depend on the number of threads. But the two arms do not share
//! random numbers citizen by citizen as in the individual engine: as soon as their
//! counts differ, their draws fall out of step, so the stochastic part of each arm's
//! outcome is in effect independent. Effects (scenario − counterfactual) keep the
//! pairing on the drawn parameters but not on the individual moves, so their
//! variance across replications is larger than with the individual engine's common
//! random numbers (docs/performance.md gives the figures). Their means agree.
//!
//! No trajectories: individual paths do not exist here; `trappe run` refuses
//! `--trajectories` with `--engine count`.

use crate::budget::N_FLOWS;
use crate::engine::{
    Acc, ArmRun, Drawn, FLAG_OUTFLOW, FLAG_SIX, FLAG_WAITING, Layout, MONTHLY_SHARES, Replication,
    SegmentCounts, ShareClasses, StateFlags, Tables, book_month, draw, has_capacity, monthly_columns,
    record_month, share_offset, stream,
};
use crate::model::{Arm, Model};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};

/// Groups of at most this many citizens draw their exits citizen by citizen (one
/// uniform number each, as the individual engine does); larger groups by binomials.
const SMALL_GROUP: u64 = 8;

/// The longest spell the individual engine can count (a `u16` that saturates).
const MAX_SPELL: i64 = u16::MAX as i64;

/// Bias added to a spell start so that it is stored as a positive number; 0 means
/// "no spell" (off benefit).
const ORIGIN_BIAS: i64 = 1 << 16;

// Bit layout of a packed group key, least significant first. The order of the fields
// (most significant first) is also the order groups are sorted in.
const B_ORIGIN: u32 = 0; // 18 bits: spell start + ORIGIN_BIAS, 0 off benefit
const B_TRANS: u32 = 18; // 16 bits: requested transition while waiting
const B_SINCE: u32 = 34; // 11 bits: request month while waiting
const B_JOB: u32 = 45; // 3 bits: consecutive months in work (< 6)
const B_OFF: u32 = 48; // 11 bits: months off benefit (capped)
const B_CUM: u32 = 59; // 16 bits: cumulative months on benefit (capped)
const B_IN: u32 = 75; // 11 bits: months in state (capped)
const B_FLAGS: u32 = 86; // 3 bits: outflow, six months, waiting
const B_STATE: u32 = 89; // 8 bits
const B_SEG: u32 = 97; // 16 bits

/// The fields of a group key, unpacked. Every field is what the individual engine
/// keeps per citizen ([`crate::engine`]'s `Person`), reduced to what can still matter.
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
    /// The month at whose end the current benefit spell was 0 months long (in a
    /// benefit-paying state), so the spell at the end of month m is m − origin;
    /// `None` off benefit.
    origin: Option<i32>,
}

impl Fields {
    fn pack(&self) -> u128 {
        let origin = match self.origin {
            Some(o) => (o as i64 + ORIGIN_BIAS) as u128,
            None => 0,
        };
        origin << B_ORIGIN
            | (self.trans as u128) << B_TRANS
            | (self.since as u128) << B_SINCE
            | (self.job_run as u128) << B_JOB
            | (self.off as u128) << B_OFF
            | (self.cum as u128) << B_CUM
            | (self.in_state as u128) << B_IN
            | (self.flags as u128) << B_FLAGS
            | (self.state as u128) << B_STATE
            | (self.segment as u128) << B_SEG
    }

    fn unpack(k: u128) -> Fields {
        let bits = |shift: u32, width: u32| ((k >> shift) & ((1u128 << width) - 1)) as u64;
        let origin = bits(B_ORIGIN, 18);
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
            origin: if origin == 0 { None } else { Some((origin as i64 - ORIGIN_BIAS) as i32) },
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
        } else {
            f.origin = None; // the next month off benefit ends the spell
        }
        if f.flags & FLAG_WAITING == 0 {
            f.since = 0;
            f.trans = 0;
        }
    }

    /// A citizen entering the books in `state` with `months` on benefit before, admitted
    /// for month `m` (0 for the initial cohort): the individual engine's `admit`.
    fn admitted(&self, segment: usize, state: usize, months: u32, m: usize) -> Fields {
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
            // A spell of `months` at the end of the month before (month 0 for the cohort).
            origin: Some(m.saturating_sub(1) as i32 - months as i32),
        };
        self.normalise(&mut f);
        f
    }
}

/// The current spell at the end of month `m` of a group in a benefit-paying state.
#[inline]
fn spell(origin: Option<i32>, m: usize) -> u64 {
    origin.map(|o| (m as i64 - o as i64).clamp(0, MAX_SPELL) as u64).unwrap_or(0)
}

/// A uniform number in [0, 1) with 53 random bits, as the individual engine draws them.
#[inline]
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Binomial(n, p), with the trivial cases short-cut.
fn binomial(rng: &mut ChaCha8Rng, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        0
    } else if p >= 1.0 {
        n
    } else if n <= SMALL_GROUP {
        (0..n).filter(|_| uniform(rng) < p).count() as u64
    } else {
        Binomial::new(n, p).map(|b| b.sample(rng)).unwrap_or(0)
    }
}

/// A joint group: the citizens' key in every arm and, while waiting for a placement
/// in an arm, their place in that arm's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct JointKey<const N: usize> {
    keys: [u128; N],
    /// Random priority among the requests of the same month (0 when not waiting).
    prio: [u64; N],
}

impl<const N: usize> std::hash::Hash for JointKey<N> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for k in self.keys {
            h.write_u64(k as u64);
            h.write_u64((k >> 64) as u64);
        }
        for p in self.prio {
            h.write_u64(p);
        }
    }
}

/// A fast, deterministic hasher for group keys (the multiply-rotate of rustc's FxHasher).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
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

type Group<const N: usize> = (JointKey<N>, u64);

/// The month's new groups, with equal keys merged as they are added. The order is the
/// order of first addition, so it is the same on every run.
struct Merger<const N: usize> {
    groups: Vec<Group<N>>,
    index: std::collections::HashMap<JointKey<N>, usize, FxBuild>,
}

impl<const N: usize> Merger<N> {
    fn new() -> Self {
        Merger { groups: Vec::new(), index: Default::default() }
    }

    fn clear(&mut self) {
        self.groups.clear();
        self.index.clear();
    }

    #[inline]
    fn add(&mut self, key: JointKey<N>, n: u64) {
        match self.index.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => self.groups[*e.get()].1 += n,
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(self.groups.len());
                self.groups.push((key, n));
            }
        }
    }

    /// Moves the groups out (without those emptied by the queue), leaving the merger empty.
    fn take_into(&mut self, out: &mut Vec<Group<N>>) {
        out.clear();
        out.extend(self.groups.iter().filter(|g| g.1 > 0));
        self.clear();
    }
}

/// Simulates one replication of the model in the given arms with the count engine.
/// Returns the same [`Replication`] as [`crate::engine::simulate_replication`]
/// (without trajectories). Up to four arms are simulated jointly (common random
/// numbers, exactly as the individual engine); more arms are coupled in blocks of four.
pub fn simulate_replication(model: &Model, arms: &[Arm], seed: u64, rep: u32) -> Replication {
    let drawn = draw(model, seed, rep);
    let mut runs = Vec::with_capacity(arms.len());
    for block in arms.chunks(4) {
        let rng = stream(seed, rep, "count-engine");
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
/// outcome in every arm: the union of all arms' thresholds.
fn joint_intervals<const N: usize>(rows: &[ArmRow; N], out: &mut Vec<Interval<N>>) {
    out.clear();
    let top = rows.iter().map(|r| r.leave).fold(0.0, f64::max);
    let mut lo = 0.0;
    while lo < top {
        // The next breakpoint above lo in any arm.
        let mut hi = top;
        for r in rows {
            if lo < r.leave {
                hi = hi.min(r.leave);
                if let Some(&t) = r.thr.iter().find(|&&t| t > lo) {
                    hi = hi.min(t);
                }
            }
        }
        let outcome = std::array::from_fn(|a| rows[a].outcome(lo));
        out.push(Interval { lo, hi, outcome });
        lo = hi;
    }
}

/// How many of `n` citizens fall in each interval (the rest stay in every arm):
/// one uniform number each for small groups, else a multinomial by conditional binomials.
fn draw_intervals<const N: usize>(rng: &mut ChaCha8Rng, n: u64, ivs: &[Interval<N>], out: &mut Vec<u64>) {
    out.clear();
    out.resize(ivs.len(), 0);
    let Some(last) = ivs.last() else { return };
    let top = last.hi;
    if n == 0 || top <= 0.0 {
        return;
    }
    if n <= SMALL_GROUP {
        for _ in 0..n {
            let u = uniform(rng);
            if u < top {
                let j = ivs.iter().position(|iv| u < iv.hi).unwrap_or(ivs.len() - 1);
                out[j] += 1;
            }
        }
        return;
    }
    let mut left = binomial(rng, n, top);
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

/// The arms of one block, simulated jointly.
fn simulate_joint<const N: usize>(
    model: &Model,
    arms: &[Arm],
    drawn: &Drawn,
    mut rng: ChaCha8Rng,
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
    let seg_bt: Vec<usize> = model.segments.iter().map(|s| s.benefit_type).collect();
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
            staffing_m: vec![1.0; nt],
            caseload: (model.staff(arm, 1), 0.0, 1.0),
        })
        .collect();
    let mut tables: Vec<Tables> = arms.iter().map(|_| Tables::new(&layout)).collect();

    // Month 0: the starting position, the same in every arm.
    let mut cur: Vec<Group<N>> = Vec::new();
    for (g, seg) in model.segments.iter().enumerate() {
        for &(s, n) in &seg.start {
            if n > 0 {
                let k = rules.admitted(g, s, seg.months_on_benefit, 0).pack();
                cur.push((JointKey { keys: [k; N], prio: [0; N] }, n as u64));
            }
        }
    }
    let mut next: Merger<N> = Merger::new();
    for &(k, n) in &cur {
        next.add(k, n);
    }
    next.take_into(&mut cur);
    for (a, s) in st.iter_mut().enumerate() {
        end_of_month(&cur, a, &flags, &mut s.acc, ns, 0);
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

    let mut ivs: Vec<Interval<N>> = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    let mut outcomes: Vec<([u16; N], u64)> = Vec::new();
    let mut queue: Vec<(u16, u64, usize)> = Vec::new();
    for m in 1..=h {
        // 1. Arrivals.
        for (g, seg) in model.segments.iter().enumerate() {
            let a = seg.arrivals(m);
            if a > 0 {
                let k = rules.admitted(g, seg.inflow_state, seg.inflow_months_on_benefit, m).pack();
                cur.push((JointKey { keys: [k; N], prio: [0; N] }, a as u64));
            }
        }
        // 2. Each arm's staffing multiplier from its caseload at the start of the month.
        for (a, s) in st.iter_mut().enumerate() {
            let on_benefit: u64 = cur
                .iter()
                .filter(|(k, _)| flags.pays[Fields::unpack(k.keys[a]).state as usize])
                .map(|g| g.1)
                .sum();
            let on_benefit = on_benefit as f64;
            let staff = model.staff(s.arm, m);
            let mut rep_mult = 1.0;
            if let Some(sf) = &model.staffing {
                for t in 0..nt {
                    s.staffing_m[t] = if model.transitions[t].staffing_sensitive {
                        sf.multiplier(on_benefit, staff.productive_fte, drawn.elasticity[t])
                    } else {
                        1.0
                    };
                }
                rep_mult = sf.multiplier(on_benefit, staff.productive_fte, drawn.default_elasticity);
            }
            tables[a].fill(model, &layout, drawn, &s.staffing_m, capacity);
            s.acc.clear();
            s.caseload = (staff, on_benefit, rep_mult);
        }

        // 3-4. The month in the state, then the moves at its end.
        next.clear();
        for &(jk, n) in &cur {
            let mut fs: [Fields; N] = [Fields::unpack(0); N];
            let mut stay: [u128; N] = [0; N];
            let mut offs = [0usize; N];
            let mut rows: [ArmRow; N] = [ArmRow { leave: 0.0, thr: &[] }; N];
            for a in 0..N {
                let mut f = Fields::unpack(jk.keys[a]);
                let acc = &mut st[a].acc;
                let s = f.state as usize;
                let g = f.segment as usize;
                acc.occ_during[s] += n;
                if flags.pays[s] {
                    if classes.staircase {
                        f.cum = (f.cum + 1).min(rules.cap_cum);
                    }
                    f.off = 0;
                    // Without the staircase the class depends only on the state.
                    let class = classes.class(f.cum, flags.active[s]);
                    acc.benefit_months[seg_bt[g] * n_classes + class] += n;
                } else {
                    f.origin = None;
                    if let Some(reset) = rules.reset {
                        f.off = (f.off + 1).min(rules.cap_off);
                        if f.off as u32 >= reset {
                            f.cum = 0;
                        }
                    }
                }
                if flags.employed[s] {
                    if f.flags & FLAG_SIX == 0 {
                        f.job_run += 1;
                        if f.job_run >= 6 {
                            f.flags |= FLAG_SIX;
                        }
                    }
                } else {
                    f.job_run = 0;
                }
                // The transition row: segment, state, duration band, waiting or not.
                let bands = &layout.bands[s];
                let k_in = f.in_state as u32 + 1;
                let mut b = 0;
                while b + 1 < bands.len() && k_in >= bands[b + 1] {
                    b += 1;
                }
                let row = layout.row_base[g * ns + s] + b;
                let tab = &tables[a];
                let (leave, thr) = if f.flags & FLAG_WAITING != 0 {
                    (&tab.leave_waiting, &tab.thr_waiting)
                } else {
                    (&tab.leave, &tab.thr)
                };
                let off = layout.row_off[row];
                offs[a] = off;
                rows[a] = ArmRow { leave: leave[row], thr: &thr[off..off + layout.exits[s].len()] };
                let mut sf = f;
                sf.in_state = (f.in_state + 1).min(rules.cap_in[s]);
                rules.normalise(&mut sf);
                stay[a] = sf.pack();
                fs[a] = f;
            }
            // How many fall in each joint outcome: citizen by citizen for small groups
            // (one uniform number each, as the individual engine), else by a multinomial
            // over the intervals of u on which the outcomes are constant.
            outcomes.clear();
            if n <= SMALL_GROUP {
                for _ in 0..n {
                    let u = uniform(&mut rng);
                    let o: [u16; N] = std::array::from_fn(|a| rows[a].outcome(u));
                    match outcomes.iter_mut().find(|x| x.0 == o) {
                        Some(x) => x.1 += 1,
                        None => outcomes.push((o, 1)),
                    }
                }
            } else {
                joint_intervals(&rows, &mut ivs);
                draw_intervals(&mut rng, n, &ivs, &mut counts);
                let moved: u64 = counts.iter().sum();
                outcomes.push(([STAY; N], n - moved));
                outcomes.extend(ivs.iter().zip(&counts).filter(|(_, c)| **c > 0).map(|(iv, c)| (iv.outcome, *c)));
            }
            for &(outcome, c) in &outcomes {
                if c == 0 {
                    continue;
                }
                if outcome == [STAY; N] {
                    next.add(JointKey { keys: stay, prio: jk.prio }, c);
                    continue;
                }
                let iv = Interval { lo: 0.0, hi: 0.0, outcome };
                let mut keys = stay;
                let mut prio = jk.prio;
                let mut requests = [false; N];
                for a in 0..N {
                    let k = iv.outcome[a];
                    if k == STAY {
                        continue;
                    }
                    let t = tables[a].trans[offs[a] + k as usize] as usize;
                    if capacity && !drawn.hours[t].is_nan() {
                        // A placement request of this month: stays in the state for now.
                        let mut r = Fields::unpack(stay[a]);
                        r.flags |= FLAG_WAITING;
                        r.since = m as u16;
                        r.trans = t as u16;
                        keys[a] = r.pack();
                        requests[a] = true;
                    } else {
                        st[a].acc.moves_month[t] += c;
                        let dest = tables[a].dest[offs[a] + k as usize] as usize;
                        keys[a] = moved_to(&rules, fs[a], dest, m).pack();
                        prio[a] = 0;
                    }
                }
                if requests.iter().any(|&r| r) {
                    // Each request gets its own random place among this month's requests,
                    // the same in every arm where it was made this month.
                    for _ in 0..c {
                        let p = rng.next_u64();
                        for a in 0..N {
                            if requests[a] {
                                prio[a] = p;
                            }
                        }
                        next.add(JointKey { keys, prio }, 1);
                    }
                } else {
                    next.add(JointKey { keys, prio }, c);
                }
            }
        }

        // With capacity: serve each arm's waiting list, oldest request month first.
        if capacity {
            for a in 0..N {
                let staff = st[a].caseload.0;
                serve_queue(
                    model,
                    drawn,
                    &rules,
                    &mut next,
                    a,
                    &mut st[a].acc,
                    &mut queue,
                    m,
                    staff.placement_fte,
                );
            }
        }

        // 5. Record the month.
        next.take_into(&mut cur);
        for (a, s) in st.iter_mut().enumerate() {
            end_of_month(&cur, a, &flags, &mut s.acc, ns, m);
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
            );
        }
    }
    st.into_iter().map(|s| s.run).collect()
}

/// The group a citizen of `f` (after the month's accounting) joins when moving to `dest`
/// at the end of month `m`.
#[inline]
fn moved_to(rules: &Rules, f: Fields, dest: usize, m: usize) -> Fields {
    let from = f.state as usize;
    let mut mv = f;
    mv.flags &= !FLAG_WAITING;
    if rules.flags.pays[from] && (rules.flags.employed[dest] || rules.flags.education[dest]) {
        mv.flags |= FLAG_OUTFLOW;
    }
    mv.state = dest as u8;
    mv.in_state = 0;
    if rules.flags.pays[dest] && !rules.flags.pays[from] {
        // Spent the month off benefit: the spell at the end of the month is 0.
        mv.origin = Some(m as i32);
    }
    rules.normalise(&mut mv);
    mv
}

/// Serves arm `a`'s waiting list of month `m` in `groups` (the end-of-month groups
/// before merging, where this month's requests wait with `since = m`): oldest request
/// month first, within a month by the requests' random priorities, each taking its
/// transition's hours while the month's hours last; the first request that does not
/// fit stops the month's placements. Served citizens move in arm `a`.
#[allow(clippy::too_many_arguments)]
fn serve_queue<const N: usize>(
    model: &Model,
    drawn: &Drawn,
    rules: &Rules,
    merger: &mut Merger<N>,
    a: usize,
    acc: &mut Acc,
    queue: &mut Vec<(u16, u64, usize)>,
    m: usize,
    placement_fte: f64,
) {
    let hours = placement_fte * drawn.hours_per_placement_fte;
    let limit = hours * (1.0 + 1e-12);
    let mut used = 0.0;
    queue.clear();
    for (i, &(jk, n)) in merger.groups.iter().enumerate() {
        let f = Fields::unpack(jk.keys[a]);
        if f.flags & FLAG_WAITING != 0 && n > 0 {
            queue.push((f.since, jk.prio[a], i));
        }
    }
    queue.sort_unstable();
    'serve: for &(since, _, i) in queue.iter() {
        let (jk, n) = merger.groups[i];
        let f = Fields::unpack(jk.keys[a]);
        let t = f.trans as usize;
        let need = drawn.hours[t];
        let mut c = 0;
        let mut full = false;
        while c < n {
            if used + need > limit {
                full = true;
                break; // first come, first served: no one jumps the queue
            }
            used += need;
            c += 1;
        }
        if c > 0 {
            merger.groups[i].1 -= c;
            acc.moves_month[t] += c;
            acc.placements += c;
            acc.wait_months += (m - since as usize) as u64 * c;
            let mut moved = jk;
            moved.keys[a] = moved_to(rules, f, model.transitions[t].to, m).pack();
            moved.prio[a] = 0;
            merger.add(moved, c);
        }
        if full {
            break 'serve;
        }
    }
    acc.waiting = merger
        .groups
        .iter()
        .filter(|(jk, _)| Fields::unpack(jk.keys[a]).flags & FLAG_WAITING != 0)
        .map(|g| g.1)
        .sum();
    acc.hours = hours;
    acc.hours_used = used;
}

/// Arm `a`'s end-of-month counts per (segment, state) and per segment from the groups.
fn end_of_month<const N: usize>(
    groups: &[Group<N>],
    a: usize,
    flags: &StateFlags,
    acc: &mut Acc,
    ns: usize,
    m: usize,
) {
    acc.occ_end.fill(0);
    acc.seg.fill(SegmentCounts::default());
    for &(jk, n) in groups {
        let f = Fields::unpack(jk.keys[a]);
        let (g, s) = (f.segment as usize, f.state as usize);
        acc.occ_end[g * ns + s] += n;
        let sc = &mut acc.seg[g];
        if flags.pays[s] {
            sc.dur_sum += n * spell(f.origin, m);
        }
        if f.flags & FLAG_OUTFLOW != 0 {
            sc.outflow += n;
        }
        if f.flags & FLAG_SIX != 0 {
            sc.six += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn keys_round_trip() {
        for origin in [None, Some(-65535), Some(-36), Some(0), Some(1199)] {
            let f = Fields {
                segment: 65535,
                state: 249,
                flags: 7,
                in_state: 2047,
                cum: 65535,
                off: 2047,
                job_run: 5,
                since: 1200,
                trans: 65535,
                origin,
            };
            assert_eq!(Fields::unpack(f.pack()), f);
        }
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
    }

    #[test]
    fn intervals_are_drawn_as_a_multinomial() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let row = ArmRow { leave: 0.3, thr: &[0.1, 0.25, 0.3] };
        let mut ivs = Vec::new();
        joint_intervals(&[row], &mut ivs);
        let mut out = Vec::new();
        for n in [5u64, 1000] {
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
}
