//! The individual-level monthly Monte Carlo engine.
//!
//! Each replication draws every uncertain parameter once, then follows every
//! citizen month by month through the states, in all arms at once. One
//! uniform random number per citizen-month is drawn and used by every arm
//! (common random numbers), so arms that are identical give identical paths,
//! and differences between arms come from the scenario, not from chance.
//! Once a citizen's arms have parted (at the end of a month its state, flags,
//! counters or placement request differ between arms), the citizen is
//! *decoupled*: from the next month on it draws its own numbers (and its own
//! queue priorities) in every arm but the anchor ([`anchor_arm`]: the
//! counterfactual), whose paths therefore do not depend on the arms simulated
//! with it. Its paths are then
//! independent, as they are nearly anyway once it is in different places; this
//! widens the spread of an effect by a few per cent at most (measured in
//! `docs/design/count-engine.md`) and lets the count engine keep such citizens in
//! groups of one arm instead of groups of every pair of places.
//!
//! Within a month, the order of events is:
//! 1. new citizens arrive (in their segment's inflow state);
//! 2. the staffing multiplier is set from the caseload: citizens in benefit
//!    states divided by productive FTE;
//! 3. every citizen spends the month in their state: benefit, reimbursement,
//!    activity cost and tax are booked;
//! 4. at the end of the month, each citizen leaves their state or not, by
//!    competing hazards: rate r = −ln(1 − p) per exit, scaled by segment,
//!    duration and staffing multipliers; leaving with probability
//!    1 − exp(−Σ r), to each exit in proportion to its rate;
//! 5. with `[[segment_moves]]`, each citizen then joins another segment or not
//!    (`crate::simulation::segment_moves`), on a second uniform number per
//!    citizen-month, shared by the arms as the first one is.
//!
//! Monthly outcomes are recorded at the end of each month (row 0 is the
//! starting position). Each replication uses its own random streams derived
//! from the seed and the replication number, so results do not depend on the
//! number of threads.

mod citizens;

use super::census::{Census, Seen};
use super::draws::{Drawn, Purpose, Streams, draw};
use super::kernel::{
    Acc, FLAG_OUTFLOW, FLAG_SIX, FLAG_WAITING, ShareClasses, StateFlags, YearRates, benefit_slot, book_month,
    record_month,
};
use super::records::{ArmRun, Replication, TrajectoryRow};
use super::segment_moves::{SegmentMoveRows, pick};
use super::tables::{Layout, Tables, staffing_multipliers};
use crate::budget::N_FLOWS;
use crate::model::{Arm, Model, MonthStaff, clock};
use crate::schema::MonthlyLayout;
use citizens::{Cohort, MonthCtx, Person, Request, Tracer, arm_month, mix64};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Simulates one replication of the model in the given arms, recording the paths of
/// `trajectories` citizens spread over the cohort. The streams' keys are hashed for
/// this one call; [`crate::simulation::driver`] hashes them once per run.
pub fn simulate_replication(
    model: &Model,
    arms: &[Arm],
    seed: u64,
    rep: u32,
    trajectories: usize,
) -> Replication {
    simulate_replication_on(model, arms, &Streams::new(model, seed), rep, trajectories)
}

/// The arm whose citizens draw the shared numbers all along, also after their arms
/// part: the counterfactual when it is simulated (an arm without hires and grants),
/// else the first arm. Its paths therefore do not depend on which other arms are
/// simulated with it, so every scenario on one baseline meets the same baseline.
pub fn anchor_arm(arms: &[Arm]) -> usize {
    arms.iter().position(|a| !a.with_hires && !a.with_grants).unwrap_or(0)
}

/// [`simulate_replication`] on a run's random streams, whose keys are hashed once per run.
pub(crate) fn simulate_replication_on(
    model: &Model,
    arms: &[Arm],
    streams: &Streams,
    rep: u32,
    trajectories: usize,
) -> Replication {
    let mut run = Run::start(model, arms, streams, rep, trajectories);
    for m in 1..=model.horizon {
        run.month(m);
    }
    run.finish()
}

/// One replication of every arm, from month to month.
struct Run<'a> {
    model: &'a Model,
    arms: &'a [Arm],
    rep: u32,
    drawn: Drawn,
    layout: Layout,
    cohort: Cohort,
    flags: StateFlags,
    classes: ShareClasses,
    rates: YearRates,
    /// Where each column sits in an arm's and a segment's monthly record.
    monthly: MonthlyLayout,
    /// The targets counted on subgroups.
    census: Census,
    /// Whether placements are limited by consultant hours.
    capacity: bool,
    seg_bt: Vec<usize>,
    /// States whose exits change with the months spent in them.
    multi_band: Vec<bool>,
    /// Per arm: every citizen entered so far, their accumulators, results and tables.
    people: Vec<Vec<Person>>,
    accs: Vec<Acc>,
    runs: Vec<ArmRun>,
    tables: Vec<Tables>,
    funding: Vec<Vec<crate::budget::MonthFunding>>,
    cum_benefit_months: Vec<u64>,
    /// The month's (staff, citizens on benefit, reported multiplier) per arm.
    caseloads: Vec<(MonthStaff, f64, f64)>,
    /// The month's staffing multiplier per transition, and counts per (segment, state)
    /// at its start (scratch, per arm).
    staffing_m: Vec<f64>,
    occ_start: Vec<u64>,
    /// The uniform number of each citizen entered, this month.
    us: Vec<f64>,
    person_rng: ChaCha8Rng,
    /// The moves between segments of this replication, their stream and each citizen's
    /// number of the month.
    segment_rows: SegmentMoveRows,
    segment_rng: ChaCha8Rng,
    vs: Vec<f64>,
    /// The arm whose citizens always draw the shared numbers ([`anchor_arm`]).
    anchor: usize,
    /// Citizens whose arms have parted draw their own numbers in every arm but the anchor.
    decoupled_rng: ChaCha8Rng,
    decoupled: Vec<bool>,
    /// The decoupled citizens, in the order they parted.
    parted: Vec<u32>,
    /// The citizens who moved, asked for a placement or were placed this month in some
    /// arm (the only ones whose arms can part this month).
    moved_now: Vec<u32>,
    /// The salt of the queue priorities of decoupled citizens, per arm (the anchor's
    /// is `queue_salt`).
    decoupled_salts: Vec<u64>,
    queue_salt: u64,
    /// Each arm's waiting list, and the month's new requests of the arm being simulated.
    queues: Vec<Vec<Request>>,
    requests: Vec<Request>,
    /// Traced citizens, in increasing order; their rows; where each traced citizen's row
    /// of the current month is, in the arm being simulated.
    trace: Vec<usize>,
    trace_rows: Vec<TrajectoryRow>,
    trace_row_now: Vec<usize>,
}

impl<'a> Run<'a> {
    /// Draws the replication's parameters and records the starting position (month 0).
    fn start(model: &'a Model, arms: &'a [Arm], streams: &Streams, rep: u32, trajectories: usize) -> Self {
        let layout = Layout::new(model);
        let cohort = Cohort::new(model);
        let classes = ShareClasses::new(model);
        let n_classes = classes.n_classes;
        let drawn = draw(model, streams, rep);
        let (h, ns, nt, ng) =
            (model.horizon, model.states.len(), model.transitions.len(), model.segments.len());
        let monthly = MonthlyLayout::new(model);
        let (cols, seg_cols) = (monthly.width, monthly.segment_width);
        let n_total = cohort.segment.len();
        let trace: Vec<usize> = if trajectories > 0 && n_total > 0 {
            let k = trajectories.min(n_total);
            (0..k).map(|j| j * n_total / k).collect()
        } else {
            Vec::new()
        };
        let anchor = anchor_arm(arms);
        let mut decoupled_rng = streams.purpose(Purpose::Decoupled, rep);
        let decoupled_salts =
            (0..arms.len()).map(|a| if a == anchor { 0 } else { decoupled_rng.next_u64() }).collect();
        let mut run = Run {
            model,
            arms,
            rep,
            rates: YearRates::new(model),
            monthly,
            census: Census::new(model),
            capacity: model.has_capacity(),
            seg_bt: model.segments.iter().map(|s| s.benefit_type).collect(),
            multi_band: layout.bands.iter().map(|b| b.len() > 1).collect(),
            people: arms.iter().map(|_| Vec::with_capacity(n_total)).collect(),
            accs: arms.iter().map(|_| Acc::new(model, n_classes)).collect(),
            runs: arms
                .iter()
                .map(|_| ArmRun {
                    monthly: vec![0.0; (h + 1) * cols],
                    flows: vec![[0.0; N_FLOWS]; h],
                    moves: vec![0; nt],
                    state_months: vec![0; ns],
                    placements: 0,
                    placement_wait_months: 0,
                    segment_monthly: vec![0.0; (h + 1) * ng * seg_cols],
                    tally: Census::tally(model),
                })
                .collect(),
            tables: arms.iter().map(|_| Tables::new(&layout)).collect(),
            funding: arms.iter().map(|a| model.funding(*a, drawn.staff_cost)).collect(),
            cum_benefit_months: vec![0; arms.len()],
            caseloads: Vec::with_capacity(arms.len()),
            staffing_m: vec![1.0; nt],
            occ_start: vec![0; ng * ns],
            us: Vec::with_capacity(n_total),
            person_rng: streams.purpose(Purpose::Citizens, rep),
            segment_rows: SegmentMoveRows::new(model, &drawn),
            segment_rng: streams.purpose(Purpose::SegmentMoves, rep),
            vs: Vec::new(),
            anchor,
            decoupled_rng,
            decoupled: Vec::with_capacity(n_total),
            parted: Vec::new(),
            moved_now: Vec::new(),
            decoupled_salts,
            queue_salt: streams.purpose(Purpose::Queue, rep).next_u64(),
            queues: arms.iter().map(|_| Vec::new()).collect(),
            requests: Vec::new(),
            trace_row_now: vec![usize::MAX; trace.len()],
            trace,
            trace_rows: Vec::new(),
            drawn,
            layout,
            cohort,
            flags: StateFlags::new(model),
            classes,
        };
        run.record_start();
        run
    }

    /// Admits the citizens entered by the end of month `upto` into one arm's records:
    /// what a citizen is on arrival (at the start or later), in one place.
    fn admit(cohort: &Cohort, flags: &StateFlags, people: &mut Vec<Person>, upto: usize) {
        while people.len() < upto {
            let i = people.len();
            let (s, cum) = cohort.init[i];
            let spell = if flags.pays[s as usize] { cum } else { 0 };
            let segment = cohort.segment[i];
            people.push(Person { segment, state: s, cum_benefit: cum, spell, ..Person::default() });
        }
    }

    /// The citizens waiting for a placement at the start, on the arm's waiting list
    /// ahead of every later request (month 0), in a random order, the same in every arm.
    fn waiting_at_start(cohort: &Cohort, people: &mut [Person], queue: &mut Vec<Request>, salt: u64) {
        for &(i, t) in &cohort.waiting {
            let p = &mut people[i as usize];
            p.flags |= FLAG_WAITING;
            p.request = t + 1;
            queue.push(Request {
                since: 0,
                priority: mix64(salt ^ ((i as u64) << 16)),
                citizen: i,
                transition: t,
            });
        }
        queue.sort_unstable_by_key(|r| (r.priority, r.citizen));
    }

    /// Month 0: the starting position of every arm, recorded.
    fn record_start(&mut self) {
        let (model, flags) = (self.model, &self.flags);
        let ns = model.states.len();
        let (cols, seg_cols) = (self.monthly.width, self.monthly.segment_width);
        let ng = model.segments.len();
        for (a, arm) in self.arms.iter().enumerate() {
            Self::admit(&self.cohort, flags, &mut self.people[a], self.cohort.entered_by[0]);
            Self::waiting_at_start(&self.cohort, &mut self.people[a], &mut self.queues[a], self.queue_salt);
            let acc = &mut self.accs[a];
            acc.waiting = self.cohort.waiting.len() as u64;
            for p in &self.people[a] {
                let g = p.segment as usize;
                acc.occ_end[g * ns + p.state as usize] += 1;
                if flags.pays[p.state as usize] {
                    acc.seg[g].dur_sum += p.spell as u64;
                }
            }
            let staff = model.staff(*arm, 1);
            acc.hours = staff.placement_fte * self.drawn.hours_per_placement_fte;
            let run = &mut self.runs[a];
            record_month(
                model,
                &self.monthly,
                flags,
                acc,
                &mut run.monthly[..cols],
                &mut run.segment_monthly[..ng * seg_cols],
                0,
                staff,
                None,
            );
        }
        for a in 0..self.arms.len() {
            self.count_targets(a, 0);
        }
    }

    /// Simulates month `m` in every arm.
    fn month(&mut self, m: usize) {
        let entered = self.cohort.entered_by[m];
        self.start_month(m);
        // One uniform number per citizen-month, drawn in citizen order and shared by
        // every arm (common random numbers).
        let rng = &mut self.person_rng;
        self.us.clear();
        self.us.extend((0..entered).map(|_| (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)));
        self.decoupled.resize(entered, false);
        // The anchor first: the other arms replace the numbers of decoupled citizens.
        let anchor = self.anchor;
        for a in std::iter::once(anchor).chain((0..self.arms.len()).filter(|&a| a != anchor)) {
            self.arm_month(a, m);
            if self.capacity {
                self.serve_queue(a, m);
            }
        }
        self.part();
        if !self.segment_rows.is_empty() {
            self.move_segments();
        }
        self.book(m);
    }

    /// The month's moves between segments, after the moves between states and the
    /// partings: one uniform number per citizen, shared by every arm while the citizen
    /// is coupled, its own in the arms other than the anchor once decoupled (as the state
    /// moves' numbers). A coupled citizen is in the same place in every arm, so it moves
    /// alike in all of them and its arms do not part.
    fn move_segments(&mut self) {
        let unit = |rng: &mut ChaCha8Rng| (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        let entered = self.people[0].len();
        let ns = self.model.states.len();
        let rng = &mut self.segment_rng;
        self.vs.clear();
        self.vs.extend((0..entered).map(|_| unit(rng)));
        for a in 0..self.arms.len() {
            let acc = &mut self.accs[a];
            for (i, p) in self.people[a].iter_mut().enumerate() {
                let (g, s) = (p.segment as usize, p.state as usize);
                let row = self.segment_rows.row(g, s);
                if row.is_empty() {
                    continue;
                }
                let v = if a != self.anchor && self.decoupled[i] {
                    unit(&mut self.decoupled_rng)
                } else {
                    self.vs[i]
                };
                let Some(exit) = pick(row, v) else { continue };
                let to = exit.to as usize;
                acc.occ_end[g * ns + s] -= 1;
                acc.occ_end[to * ns + s] += 1;
                if p.flags & FLAG_OUTFLOW != 0 {
                    acc.seg[g].outflow -= 1;
                    acc.seg[to].outflow += 1;
                }
                if p.flags & FLAG_SIX != 0 {
                    acc.seg[g].six -= 1;
                    acc.seg[to].six += 1;
                }
                if self.flags.pays[s] {
                    acc.seg[g].dur_sum -= p.spell as u64;
                    acc.seg[to].dur_sum += p.spell as u64;
                }
                p.segment = to as u16;
                acc.segment_moves += 1;
            }
        }
    }

    /// The start of month `m` in every arm: the arrivals admitted, the counts at the
    /// start of the month, and the staffing multiplier and transition tables from the
    /// caseload.
    fn start_month(&mut self, m: usize) {
        let (model, flags, classes) = (self.model, &self.flags, &self.classes);
        let (ns, ng) = (model.states.len(), model.segments.len());
        let n_classes = classes.n_classes;
        let entered = self.cohort.entered_by[m];
        self.caseloads.clear();
        for (a, arm) in self.arms.iter().enumerate() {
            // On benefit this month: last month's end-of-month count plus new arrivals.
            let people = &mut self.people[a];
            let before = people.len();
            Self::admit(&self.cohort, flags, people, entered);
            let arrived = people[before..].iter().filter(|p| flags.pays[p.state as usize]).count();
            let stayed: u64 =
                (0..ng * ns).filter(|&k| flags.pays[k % ns]).map(|k| self.accs[a].occ_end[k]).sum();
            let on_benefit = (stayed as usize + arrived) as f64;
            // At the start of the month, per (segment, state): last month's end counts
            // plus the arrivals; the end counts follow from them by the month's moves.
            // The "ever" flags and the benefit spells carry over the same way.
            let occ_start = &mut self.occ_start;
            occ_start.copy_from_slice(&self.accs[a].occ_end);
            let seg = std::mem::take(&mut self.accs[a].seg);
            self.accs[a].clear();
            let acc = &mut self.accs[a];
            acc.seg = seg;
            for p in &people[before..] {
                let g = p.segment as usize;
                occ_start[g * ns + p.state as usize] += 1;
                if flags.pays[p.state as usize] {
                    acc.seg[g].dur_sum += p.spell as u64;
                }
            }
            acc.occ_end.copy_from_slice(occ_start);
            for (k, &n) in occ_start.iter().enumerate() {
                let (g, st) = (k / ns, k % ns);
                acc.occ_during[st] += n;
                if flags.pays[st] {
                    // Every recipient's spell grows by a month.
                    acc.seg[g].dur_sum += n;
                    if !classes.staircase {
                        // Without the 2016 staircase the class depends only on the state.
                        let class = classes.class(0, flags.active[st]);
                        acc.benefit_months[benefit_slot(ns, n_classes, self.seg_bt[g], st, class)] += n;
                    }
                }
            }
            let staff = model.staff(*arm, m);
            let rep_mult = staffing_multipliers(
                model,
                &self.drawn,
                on_benefit,
                staff.productive_fte,
                &mut self.staffing_m,
            );
            self.tables[a].fill(model, &self.layout, &self.drawn, &self.staffing_m, self.capacity);
            self.caseloads.push((staff, on_benefit, rep_mult));
        }
    }

    /// Arm `a`'s month for every citizen entered, by the version of [`arm_month`]
    /// compiled for the model's features.
    fn arm_month(&mut self, a: usize, m: usize) {
        let entered = self.cohort.entered_by[m];
        self.requests.clear();
        self.trace_row_now.fill(usize::MAX);
        // A decoupled citizen's number in arms other than the anchor is its own.
        // (The anchor, simulated first, is done with the month's numbers, so they are
        // replaced.)
        if a != self.anchor {
            for &i in &self.parted {
                self.us[i as usize] =
                    (self.decoupled_rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            }
        }
        let ctx = MonthCtx {
            layout: &self.layout,
            flags: &self.flags,
            classes: &self.classes,
            multi_band: &self.multi_band,
            seg_bt: &self.seg_bt,
            tab: &self.tables[a],
            hours: &self.drawn.hours,
            n_classes: self.classes.n_classes,
            ns: self.model.states.len(),
            m,
            queue_salt: self.queue_salt,
            decoupled: &self.decoupled,
            decoupled_salt: if a == self.anchor { self.queue_salt } else { self.decoupled_salts[a] },
        };
        let people = &mut self.people[a][..entered];
        let us = &self.us[..entered];
        let acc = &mut self.accs[a];
        let traced = !self.trace.is_empty();
        let tracer = Tracer {
            trace: &self.trace,
            rows: &mut self.trace_rows,
            row_now: &mut self.trace_row_now,
            model: self.model,
            drawn: &self.drawn,
            arm: self.arms[a].name,
            rep: self.rep,
            year: self.model.calendar(m).year,
        };
        let (requests, moved_now) = (&mut self.requests, &mut self.moved_now);
        // The loop is compiled once per combination of the model's features, so the
        // common case (no 2016 staircase, no capacity, no trajectories) carries none
        // of their work.
        macro_rules! month {
            ($staircase:literal, $capacity:literal, $trace:literal) => {
                arm_month::<$staircase, $capacity, $trace>(&ctx, people, us, acc, requests, moved_now, tracer)
            };
        }
        match (self.classes.staircase, self.capacity, traced) {
            (false, false, false) => month!(false, false, false),
            (true, false, false) => month!(true, false, false),
            (false, true, false) => month!(false, true, false),
            (true, true, false) => month!(true, true, false),
            // Trajectories are for reading, not for speed: one general version.
            (_, _, true) => month!(true, true, true),
        }
    }

    /// Serves arm `a`'s waiting list at the end of month `m`, oldest request first
    /// (ties in random order), while the month's placement hours last.
    fn serve_queue(&mut self, a: usize, m: usize) {
        let (model, drawn, flags) = (self.model, &self.drawn, &self.flags);
        let ns = model.states.len();
        let people = &mut self.people[a];
        let queue = &mut self.queues[a];
        let acc = &mut self.accs[a];
        let requests = &mut self.requests;
        queue.retain(|r| people[r.citizen as usize].flags & FLAG_WAITING != 0);
        requests.sort_unstable_by_key(|r| (r.priority, r.citizen));
        queue.extend_from_slice(requests);
        self.moved_now.extend(requests.iter().map(|r| r.citizen));
        let hours = self.caseloads[a].0.placement_fte * drawn.hours_per_placement_fte;
        let mut used = 0.0;
        let mut served = 0;
        for r in queue.iter() {
            let t = r.transition as usize;
            let need = drawn.hours[t];
            if used + need > hours * (1.0 + 1e-12) {
                break; // first come, first served: no one jumps the queue
            }
            used += need;
            served += 1;
            self.moved_now.push(r.citizen);
            let i = r.citizen as usize;
            let p = &mut people[i];
            let g = p.segment as usize;
            let (from, dest) = (p.state as usize, model.transitions[t].to);
            p.flags &= !FLAG_WAITING;
            p.request = 0;
            acc.moves_month[t] += 1;
            if flags.pays[from]
                && (flags.employed[dest] || flags.education[dest])
                && p.flags & FLAG_OUTFLOW == 0
            {
                p.flags |= FLAG_OUTFLOW;
                acc.seg[g].outflow += 1;
            }
            acc.occ_end[g * ns + from] -= 1;
            acc.occ_end[g * ns + dest] += 1;
            if flags.pays[from] {
                acc.seg[g].dur_sum -= p.spell as u64;
            }
            if flags.pays[dest] {
                acc.seg[g].dur_sum += p.spell as u64;
            }
            p.state = dest as u8;
            p.in_state = 0;
            acc.placements += 1;
            acc.wait_months += (m - r.since as usize) as u64;
            if let Ok(k) = self.trace.binary_search(&i) {
                let row = &mut self.trace_rows[self.trace_row_now[k]];
                row.next_state = model.states[dest].id.clone();
                row.one_off_cost = drawn.one_off[t];
            }
        }
        queue.drain(..served);
        for r in queue.iter() {
            let p = &mut people[r.citizen as usize];
            p.flags |= FLAG_WAITING;
            p.request = r.transition + 1;
        }
        acc.waiting = queue.len() as u64;
        acc.hours = hours;
        acc.hours_used = used;
        for (k, &i) in self.trace.iter().enumerate() {
            if self.trace_row_now[k] != usize::MAX {
                self.trace_rows[self.trace_row_now[k]].waiting = people[i].flags & FLAG_WAITING != 0;
            }
        }
    }

    /// A citizen whose arms have parted this month (their states, flags, counters or
    /// requests differ) is decoupled from now on: it draws on its own in each arm.
    /// (A citizen who stayed put in every arm cannot have parted: its records changed
    /// alike in all of them.)
    fn part(&mut self) {
        let before = self.parted.len();
        let people = &self.people;
        for &i in &self.moved_now {
            let i = i as usize;
            if !self.decoupled[i] && people.iter().any(|other| !other[i].same(&people[0][i])) {
                self.decoupled[i] = true;
                self.parted.push(i as u32);
            }
        }
        self.parted[before..].sort_unstable(); // the month's partings in citizen order
        self.moved_now.clear();
    }

    /// Books the month's money and records its outcomes, in every arm.
    fn book(&mut self, m: usize) {
        for a in 0..self.arms.len() {
            book_month(
                self.model,
                &self.flags,
                &self.classes,
                &self.drawn,
                &self.accs[a],
                &mut self.runs[a],
                m,
                &self.monthly,
                self.caseloads[a],
                self.funding[a][m - 1],
                &mut self.cum_benefit_months[a],
                &self.rates,
            );
            self.count_targets(a, m);
        }
    }

    /// Shows the census every citizen of arm `a` entered by the end of month `m`.
    fn count_targets(&mut self, a: usize, m: usize) {
        if !self.census.looks_at(m) {
            return;
        }
        let entered = self.cohort.entered_by[m];
        for (i, p) in self.people[a][..entered].iter().enumerate() {
            let who = Seen {
                segment: p.segment as usize,
                state: p.state as usize,
                flags: p.flags,
                clock: clock::at_end_of(m, self.cohort.clock_origin[i]),
            };
            self.census.see(&mut self.runs[a].tally, &self.flags, m, who, 1, &[(p.spell as u64, 1)]);
        }
    }

    /// The replication's results, each citizen's path in one block: by citizen, then
    /// arm, then month.
    fn finish(mut self) -> Replication {
        let arms = self.arms;
        self.trace_rows.sort_by_key(|r| (r.citizen, arms.iter().position(|a| a.name == r.arm), r.month));
        Replication {
            index: self.rep,
            params: self.drawn.recorded,
            arms: self.runs,
            trajectories: self.trace_rows,
        }
    }
}
