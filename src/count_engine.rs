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
use rand_distr::{Binomial, Distribution, Hypergeometric};

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

/// A uniform integer in [0, n) (multiply-shift; the bias, below n / 2⁶⁴, is negligible).
#[inline]
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    ((rng.next_u64() as u128 * n as u128) >> 64) as u64
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

/// Hypergeometric: how many of `draws` taken without replacement from `total` items
/// fall among the `marked` ones.
fn hypergeometric(rng: &mut ChaCha8Rng, total: u64, marked: u64, draws: u64) -> u64 {
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

/// Splits `draws` taken without replacement over groups of the given sizes
/// (multivariate hypergeometric), into `out`.
fn split_hypergeometric(rng: &mut ChaCha8Rng, sizes: &[u64], mut draws: u64, out: &mut Vec<u64>) {
    out.clear();
    let mut total: u64 = sizes.iter().sum();
    for &s in sizes {
        let x = if draws == 0 { 0 } else { hypergeometric(rng, total, s, draws) };
        out.push(x);
        draws -= x;
        total -= s;
    }
}

/// How many of `n` citizens leave by each exit of a row: `leave` is the probability
/// of leaving and `thr` the cumulative thresholds of the exits (the individual
/// engine's tables), so exit k is taken with probability `thr[k] − thr[k − 1]`.
/// Writes the counts into `out` (one per exit); returns the number that left.
fn draw_exits(rng: &mut ChaCha8Rng, n: u64, leave: f64, thr: &[f64], out: &mut [u64]) -> u64 {
    out.fill(0);
    if n == 0 || leave <= 0.0 || thr.is_empty() {
        return 0;
    }
    let last = thr.len() - 1;
    if n <= SMALL_GROUP {
        // Citizen by citizen, exactly as the individual engine.
        let mut moved = 0;
        for _ in 0..n {
            let u = uniform(rng);
            if u < leave {
                let k = thr.iter().position(|&t| u < t).unwrap_or(last);
                out[k] += 1;
                moved += 1;
            }
        }
        return moved;
    }
    let movers = binomial(rng, n, leave);
    let mut left = movers;
    let mut before = 0.0;
    for (k, &t) in thr.iter().enumerate() {
        if left == 0 {
            break;
        }
        let x = if k == last {
            left
        } else {
            let rest = leave - before;
            let p = if rest > 0.0 { ((t - before) / rest).clamp(0.0, 1.0) } else { 1.0 };
            binomial(rng, left, p)
        };
        out[k] = x;
        left -= x;
        before = t;
    }
    movers
}

/// Sorts groups by key and merges equal keys.
fn normalise_groups(groups: &mut Vec<(u128, u64)>) {
    groups.sort_unstable_by_key(|g| g.0);
    let mut w = 0;
    for r in 0..groups.len() {
        if groups[r].1 == 0 {
            continue;
        }
        if w > 0 && groups[w - 1].0 == groups[r].0 {
            groups[w - 1].1 += groups[r].1;
        } else {
            groups[w] = groups[r];
            w += 1;
        }
    }
    groups.truncate(w);
}

/// Simulates one replication of the model in the given arms with the count engine.
/// Returns the same [`Replication`] as [`crate::engine::simulate_replication`]
/// (without trajectories).
pub fn simulate_replication(model: &Model, arms: &[Arm], seed: u64, rep: u32) -> Replication {
    let drawn = draw(model, seed, rep);
    let base_rng = stream(seed, rep, "count-engine");
    let runs = arms.iter().map(|arm| simulate_arm(model, *arm, &drawn, base_rng.clone())).collect();
    Replication { index: rep, params: drawn.recorded, arms: runs, trajectories: Vec::new() }
}

/// One arm of one replication.
fn simulate_arm(model: &Model, arm: Arm, drawn: &Drawn, mut rng: ChaCha8Rng) -> ArmRun {
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
    assert!(h < 2048 && ng <= u16::MAX as usize && nt <= u16::MAX as usize, "model too large for group keys");

    let rules = Rules {
        flags: &flags,
        cap_in: layout.bands.iter().map(|b| (b.last().copied().unwrap_or(1).saturating_sub(1)).min(2047) as u16).collect(),
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

    let mut run = ArmRun {
        monthly: vec![0.0; (h + 1) * cols],
        flows: vec![[0.0; N_FLOWS]; h],
        moves: vec![0; nt],
        state_months: vec![0; ns],
        placements: 0,
        placement_wait_months: 0,
        segment_monthly: vec![0.0; (h + 1) * ng * seg_cols],
    };
    let grants = model.grant_income(arm, drawn.staff_cost);
    let covered = model.grant_covered_staff_cost(arm, drawn.staff_cost);
    let mut tables = Tables::new(&layout);
    let mut acc = Acc::new(model, n_classes);
    let mut cum_benefit_months = 0u64;

    // Month 0: the starting position.
    let mut cur: Vec<(u128, u64)> = Vec::new();
    for (g, seg) in model.segments.iter().enumerate() {
        for &(s, n) in &seg.start {
            if n > 0 {
                cur.push((rules.admitted(g, s, seg.months_on_benefit, 0).pack(), n as u64));
            }
        }
    }
    normalise_groups(&mut cur);
    end_of_month(&cur, &flags, &mut acc, ns, 0);
    let staff = model.staff(arm, 1);
    acc.hours = staff.placement_fte * drawn.hours_per_placement_fte;
    record_month(
        model,
        &flags,
        &acc,
        &mut run.monthly[..cols],
        &mut run.segment_monthly[..ng * seg_cols],
        &entered_by_segment[0],
        0,
        staff,
        None,
    );

    let mut next: Vec<(u128, u64)> = Vec::new();
    let mut exits_out: Vec<u64> = Vec::new();
    let mut staffing_m = vec![1.0; nt];
    let mut scratch = Scratch::default();
    for m in 1..=h {
        // 1. Arrivals.
        for (g, seg) in model.segments.iter().enumerate() {
            let a = seg.arrivals(m);
            if a > 0 {
                cur.push((rules.admitted(g, seg.inflow_state, seg.inflow_months_on_benefit, m).pack(), a as u64));
            }
        }
        // 2. The staffing multiplier from the caseload at the start of the month.
        let on_benefit: u64 =
            cur.iter().filter(|(k, _)| flags.pays[Fields::unpack(*k).state as usize]).map(|g| g.1).sum();
        let on_benefit = on_benefit as f64;
        let staff = model.staff(arm, m);
        let mut rep_mult = 1.0;
        if let Some(st) = &model.staffing {
            for t in 0..nt {
                staffing_m[t] = if model.transitions[t].staffing_sensitive {
                    st.multiplier(on_benefit, staff.productive_fte, drawn.elasticity[t])
                } else {
                    1.0
                };
            }
            rep_mult = st.multiplier(on_benefit, staff.productive_fte, drawn.default_elasticity);
        }
        tables.fill(model, &layout, drawn, &staffing_m, capacity);
        acc.clear();

        // 3-4. The month in the state, then the moves at its end.
        next.clear();
        for &(key, n) in &cur {
            let mut f = Fields::unpack(key);
            let st = f.state as usize;
            let g = f.segment as usize;
            acc.occ_during[st] += n;
            if flags.pays[st] {
                if classes.staircase {
                    f.cum = (f.cum + 1).min(rules.cap_cum);
                }
                f.off = 0;
                // Without the staircase the class depends only on the state.
                let class = classes.class(f.cum, flags.active[st]);
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
            if flags.employed[st] {
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
            let bands = &layout.bands[st];
            let k_in = f.in_state as u32 + 1;
            let mut b = 0;
            while b + 1 < bands.len() && k_in >= bands[b + 1] {
                b += 1;
            }
            let row = layout.row_base[g * ns + st] + b;
            let waiting = f.flags & FLAG_WAITING != 0;
            let (leave, thr) =
                if waiting { (&tables.leave_waiting, &tables.thr_waiting) } else { (&tables.leave, &tables.thr) };
            let off = layout.row_off[row];
            let n_exits = layout.exits[st].len();
            exits_out.resize(n_exits, 0);
            let moved = draw_exits(&mut rng, n, leave[row], &thr[off..off + n_exits], &mut exits_out);

            let mut stay = f;
            stay.in_state = (f.in_state + 1).min(rules.cap_in[st]);
            if n > moved {
                let mut s = stay;
                rules.normalise(&mut s);
                next.push((s.pack(), n - moved));
            }
            for (k, &c) in exits_out.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                let t = tables.trans[off + k] as usize;
                if capacity && !drawn.hours[t].is_nan() {
                    // A placement request of this month: stays in the state for now.
                    let mut r = stay;
                    r.flags |= FLAG_WAITING;
                    r.since = m as u16;
                    r.trans = t as u16;
                    rules.normalise(&mut r);
                    next.push((r.pack(), c));
                } else {
                    acc.moves_month[t] += c;
                    let mv = moved_to(&rules, f, tables.dest[off + k] as usize, m);
                    next.push((mv.pack(), c));
                }
            }
        }

        // With capacity: serve the waiting list, oldest request month first.
        if capacity {
            serve_queue(model, drawn, &rules, &mut rng, &mut next, &mut acc, &mut scratch, m, staff.placement_fte);
        }

        // 5. Record the month.
        normalise_groups(&mut next);
        std::mem::swap(&mut cur, &mut next);
        end_of_month(&cur, &flags, &mut acc, ns, m);
        if std::env::var_os("TRAPPE_DEBUG_GROUPS").is_some() && m % 6 == 0 { eprintln!("month {m} groups {}", cur.len()); }
        book_month(
            model,
            &flags,
            &classes,
            drawn,
            &acc,
            &mut run,
            m,
            (cols, seg_cols),
            (staff, on_benefit, rep_mult),
            (grants[m - 1], covered[m - 1]),
            &mut cum_benefit_months,
            &entered_by_segment[m],
        );
    }
    run
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

/// Reused buffers for serving the queue.
#[derive(Default)]
struct Scratch {
    /// Indices into the month's groups of those waiting, with their request month.
    waiting: Vec<(u16, usize)>,
    sizes: Vec<u64>,
    served: Vec<u64>,
    split: Vec<u64>,
}

/// Serves the waiting list of month `m` in `groups` (the end-of-month groups before
/// merging, where this month's requests are waiting groups with `since = m`): oldest
/// request month first, within a month in a uniformly random order, each taking its
/// transition's hours while the month's hours last; the first request that does not
/// fit stops the month's placements. Served citizens move.
#[allow(clippy::too_many_arguments)]
fn serve_queue(
    model: &Model,
    drawn: &Drawn,
    rules: &Rules,
    rng: &mut ChaCha8Rng,
    groups: &mut Vec<(u128, u64)>,
    acc: &mut Acc,
    sc: &mut Scratch,
    m: usize,
    placement_fte: f64,
) {
    let hours = placement_fte * drawn.hours_per_placement_fte;
    let limit = hours * (1.0 + 1e-12);
    let mut used = 0.0;
    sc.waiting.clear();
    for (i, &(k, n)) in groups.iter().enumerate() {
        let f = Fields::unpack(k);
        if f.flags & FLAG_WAITING != 0 && n > 0 {
            sc.waiting.push((f.since, i));
        }
    }
    sc.waiting.sort_unstable();
    let mut full = false;
    let mut start = 0;
    let n_before = groups.len();
    while start < sc.waiting.len() && !full {
        let since = sc.waiting[start].0;
        let mut end = start;
        while end < sc.waiting.len() && sc.waiting[end].0 == since {
            end += 1;
        }
        let batch: Vec<usize> = sc.waiting[start..end].iter().map(|w| w.1).collect();
        start = end;
        let needs: Vec<f64> =
            batch.iter().map(|&i| drawn.hours[Fields::unpack(groups[i].0).trans as usize]).collect();
        sc.sizes.clear();
        sc.sizes.extend(batch.iter().map(|&i| groups[i].1));
        let mut left: u64 = sc.sizes.iter().sum();
        sc.served.clear();
        sc.served.resize(batch.len(), 0);
        if needs.iter().all(|&x| x == needs[0]) {
            // Equal hours: the number served does not depend on the order; who they
            // are is a uniformly random subset of the batch.
            let need = needs[0];
            let mut k = 0;
            while k < left {
                if used + need > limit {
                    full = true;
                    break;
                }
                used += need;
                k += 1;
            }
            split_hypergeometric(rng, &sc.sizes, k, &mut sc.split);
            sc.served.copy_from_slice(&sc.split);
        } else {
            // Different hours: the next request served is a uniformly random one of
            // those left in the batch.
            while left > 0 {
                let mut u = below(rng, left);
                let mut j = 0;
                while u >= sc.sizes[j] - sc.served[j] {
                    u -= sc.sizes[j] - sc.served[j];
                    j += 1;
                }
                if used + needs[j] > limit {
                    full = true;
                    break;
                }
                used += needs[j];
                sc.served[j] += 1;
                left -= 1;
            }
        }
        for (j, &i) in batch.iter().enumerate() {
            let c = sc.served[j];
            if c == 0 {
                continue;
            }
            let f = Fields::unpack(groups[i].0);
            let t = f.trans as usize;
            groups[i].1 -= c;
            acc.moves_month[t] += c;
            acc.placements += c;
            acc.wait_months += (m - f.since as usize) as u64 * c;
            // The waiting group's months in state were already advanced; a move resets them.
            let mv = moved_to(rules, f, model.transitions[t].to, m);
            groups.push((mv.pack(), c));
        }
    }
    acc.waiting = groups[..n_before]
        .iter()
        .filter(|(k, _)| Fields::unpack(*k).flags & FLAG_WAITING != 0)
        .map(|g| g.1)
        .sum();
    acc.hours = hours;
    acc.hours_used = used;
}

/// End-of-month counts per (segment, state) and per segment from the groups.
fn end_of_month(groups: &[(u128, u64)], flags: &StateFlags, acc: &mut Acc, ns: usize, m: usize) {
    acc.occ_end.fill(0);
    acc.seg.fill(SegmentCounts::default());
    for &(k, n) in groups {
        let f = Fields::unpack(k);
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

    #[test]
    fn exits_split_as_a_multinomial() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let thr = [0.1, 0.25, 0.3];
        let mut out = [0u64; 3];
        let mut tot = [0u64; 3];
        let n = 1000;
        let reps = 2000;
        for _ in 0..reps {
            draw_exits(&mut rng, n, 0.3, &thr, &mut out);
            for k in 0..3 {
                tot[k] += out[k];
            }
        }
        let total = (n * reps) as f64;
        for (k, p) in [0.1, 0.15, 0.05].iter().enumerate() {
            let se = (p * (1.0 - p) / total).sqrt();
            let got = tot[k] as f64 / total;
            assert!((got - p).abs() < 4.0 * se, "exit {k}: {got} vs {p}");
        }
    }

    #[test]
    fn hypergeometric_split_takes_every_draw_once() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let sizes = [5u64, 0, 100, 7, 1];
        let mut out = Vec::new();
        let mut mean = [0.0; 5];
        for _ in 0..4000 {
            split_hypergeometric(&mut rng, &sizes, 20, &mut out);
            assert_eq!(out.iter().sum::<u64>(), 20);
            for k in 0..5 {
                assert!(out[k] <= sizes[k]);
                mean[k] += out[k] as f64 / 4000.0;
            }
        }
        for k in 0..5 {
            let expect = 20.0 * sizes[k] as f64 / 113.0;
            assert!((mean[k] - expect).abs() < 0.1 + 0.03 * expect, "{k}: {} vs {expect}", mean[k]);
        }
    }
}
