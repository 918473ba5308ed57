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
//! queue priorities) in every arm but the first. Its paths are then
//! independent, as they are nearly anyway once it is in different places; this
//! widens the spread of an effect by a few per cent at most (measured in
//! `docs/performance.md`) and lets the count engine keep such citizens in
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
//!    1 − exp(−Σ r), to each exit in proportion to its rate.
//!
//! Monthly outcomes are recorded at the end of each month (row 0 is the
//! starting position). Each replication uses its own random streams derived
//! from the seed and the replication number, so results do not depend on the
//! number of threads.

use super::draws::{Drawn, draw, stream};
use super::kernel::{
    Acc, FLAG_OUTFLOW, FLAG_SIX, FLAG_WAITING, Layout, ShareClasses, StateFlags, Tables, YearRates,
    book_month, record_month, staffing_multipliers,
};
use super::records::{
    ArmRun, MONTHLY_SHARES, Replication, TrajectoryRow, has_capacity, monthly_columns, share_offset,
};
use crate::budget::N_FLOWS;
use crate::model::{Arm, Model};
use rand::Rng;

/// A placement drawn but not yet made: a place on the waiting list.
#[derive(Debug, Clone, Copy)]
struct Request {
    /// Month the placement was drawn (the queue is served oldest first).
    since: u16,
    /// Random priority among requests of the same month, the same in every arm.
    priority: u64,
    citizen: u32,
    transition: u16,
}

/// A well-mixed 64-bit hash (SplitMix64's finaliser), for priorities that are random
/// but the same for a citizen and month in every arm.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A citizen's state in one arm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Person {
    state: u8,
    flags: u8,
    job_run: u8,
    /// Completed months in the current state.
    in_state: u16,
    /// Cumulative months on benefit (for the 2016 bands).
    cum_benefit: u16,
    /// Consecutive months off benefit (for the 2016 reset).
    off_benefit: u16,
    /// Months in the current spell on benefit (0 when off benefit).
    spell: u16,
    /// While waiting for a placement: the requested transition + 1 (else 0).
    request: u16,
}

impl Person {
    /// Whether two arms' records of a citizen are equal (all fields, without branches).
    #[inline]
    fn same(&self, o: &Person) -> bool {
        let bytes = (self.state ^ o.state) | (self.flags ^ o.flags) | (self.job_run ^ o.job_run);
        let words = (self.in_state ^ o.in_state)
            | (self.cum_benefit ^ o.cum_benefit)
            | (self.off_benefit ^ o.off_benefit)
            | (self.spell ^ o.spell)
            | (self.request ^ o.request);
        bytes as u16 | words == 0
    }
}

/// Static facts per citizen (same in every arm).
struct Cohort {
    segment: Vec<u16>,
    /// Citizens entered by the end of month m (index m = 0..=horizon).
    entered_by: Vec<usize>,
    /// The same per segment: `[m][g]`.
    entered_by_segment: Vec<Vec<usize>>,
    /// Initial state and months on benefit per citizen.
    init: Vec<(u8, u16)>,
}

impl Cohort {
    fn new(model: &Model) -> Cohort {
        let mut segment = Vec::new();
        let mut init = Vec::new();
        for (g, seg) in model.segments.iter().enumerate() {
            for &(s, n) in &seg.start {
                for _ in 0..n {
                    segment.push(g as u16);
                    init.push((s as u8, seg.months_on_benefit.min(u16::MAX as u32) as u16));
                }
            }
        }
        let mut entered_by = vec![segment.len()];
        let mut per_segment: Vec<usize> = model.segments.iter().map(|g| g.size() as usize).collect();
        let mut entered_by_segment = vec![per_segment.clone()];
        for m in 1..=model.horizon {
            for (g, seg) in model.segments.iter().enumerate() {
                per_segment[g] += seg.arrivals(m) as usize;
                for _ in 0..seg.arrivals(m) {
                    segment.push(g as u16);
                    init.push((
                        seg.inflow_state as u8,
                        seg.inflow_months_on_benefit.min(u16::MAX as u32) as u16,
                    ));
                }
            }
            entered_by.push(segment.len());
            entered_by_segment.push(per_segment.clone());
        }
        Cohort { segment, entered_by, entered_by_segment, init }
    }
}

/// What every citizen's month in one arm reads: the model's layout and flags, the
/// month's transition tables and the queue's salt.
struct MonthCtx<'a> {
    layout: &'a Layout,
    flags: &'a StateFlags,
    classes: &'a ShareClasses,
    /// States whose exits change with the months spent in them.
    multi_band: &'a [bool],
    seg_bt: &'a [usize],
    /// Segment of each citizen.
    segment: &'a [u16],
    tab: &'a Tables,
    /// Consultant hours per placement, per transition (NaN: needs none).
    hours: &'a [f64],
    n_classes: usize,
    ns: usize,
    m: usize,
    queue_salt: u64,
    /// Per citizen: whether the arms have parted (see [`simulate_replication`]).
    decoupled: &'a [bool],
    /// The salt of the queue priorities of decoupled citizens in this arm.
    decoupled_salt: u64,
}

/// Where the traced citizens' trajectory rows go.
struct Tracer<'a> {
    /// Traced citizens, in increasing order.
    trace: &'a [usize],
    rows: &'a mut Vec<TrajectoryRow>,
    /// Row of each traced citizen in this month, per traced citizen.
    row_now: &'a mut [usize],
    model: &'a Model,
    drawn: &'a Drawn,
    arm: &'static str,
    rep: u32,
    year: i32,
}

/// One arm's month for every citizen entered so far: the month's bookkeeping, then the
/// move drawn with the citizen's uniform number `us[i]` (shared by every arm while the
/// citizen is coupled, its own in this arm once decoupled). The
/// const parameters say which of the model's costlier features the loop must handle
/// (2016 staircase, placement capacity, trajectories); with `false` their work is
/// compiled out, with `true` it is done when the model has them.
#[allow(clippy::too_many_arguments)]
fn arm_month<const STAIRCASE: bool, const CAPACITY: bool, const TRACE: bool>(
    ctx: &MonthCtx,
    people: &mut [Person],
    us: &[f64],
    acc: &mut Acc,
    requests: &mut Vec<Request>,
    moved_now: &mut Vec<u32>,
    tracer: Tracer,
) {
    let MonthCtx {
        layout,
        flags,
        classes,
        multi_band,
        seg_bt,
        segment,
        tab,
        hours,
        n_classes,
        ns,
        m,
        queue_salt,
        decoupled,
        decoupled_salt,
    } = *ctx;
    let staircase = STAIRCASE && classes.staircase;
    let mut tpos = 0;
    for (i, (p, &u)) in people.iter_mut().zip(us).enumerate() {
        let g = segment[i] as usize;
        let st = p.state as usize;
        let mut class = usize::MAX;
        if flags.pays[st] {
            p.cum_benefit = p.cum_benefit.saturating_add(1);
            p.spell = p.spell.saturating_add(1);
            p.off_benefit = 0;
            if staircase {
                class = classes.class(p.cum_benefit, flags.active[st]);
                acc.benefit_months[seg_bt[g] * n_classes + class] += 1;
            } else if TRACE {
                class = classes.class(p.cum_benefit, flags.active[st]);
            }
        } else {
            p.spell = 0;
            p.off_benefit = p.off_benefit.saturating_add(1);
            if STAIRCASE
                && let Some(reset) = classes.reset
                && p.off_benefit as u32 >= reset
            {
                p.cum_benefit = 0;
            }
        }
        if flags.employed[st] {
            p.job_run = p.job_run.saturating_add(1);
            if p.job_run >= 6 && p.flags & FLAG_SIX == 0 {
                p.flags |= FLAG_SIX;
                acc.seg[g].six += 1;
            }
        } else {
            p.job_run = 0;
        }
        // Transition at the end of the month.
        let mut row = layout.row_base[g * ns + st];
        if multi_band[st] {
            let bands = &layout.bands[st];
            let k_in = p.in_state as u32 + 1;
            let mut b = 0;
            while b + 1 < bands.len() && k_in >= bands[b + 1] {
                b += 1;
            }
            row += b;
        }
        let waiting = CAPACITY && p.flags & FLAG_WAITING != 0;
        let (leave, thr) =
            if waiting { (&tab.leave_waiting, &tab.thr_waiting) } else { (&tab.leave, &tab.thr) };
        let mut moved: Option<usize> = None;
        if u < leave[row] {
            let off = layout.row_off[row];
            let n_exits = layout.exits[st].len();
            for k in 0..n_exits {
                if u < thr[off + k] {
                    moved = Some(off + k);
                    break;
                }
            }
            if moved.is_none() {
                moved = Some(off + n_exits - 1);
            }
        }
        // A placement that needs consultant hours is only requested here; it is
        // made (or waits) when the month's requests are served.
        if CAPACITY
            && let Some(j) = moved
            && !hours[tab.trans[j] as usize].is_nan()
        {
            requests.push(Request {
                since: m as u16,
                priority: mix64(
                    if decoupled[i] { decoupled_salt } else { queue_salt } ^ ((i as u64) << 16) ^ m as u64,
                ),
                citizen: i as u32,
                transition: tab.trans[j],
            });
            moved = None;
        }
        let before = p.state;
        match moved {
            Some(j) => {
                moved_now.push(i as u32);
                p.flags &= !FLAG_WAITING;
                p.request = 0;
                let dest = tab.dest[j];
                acc.moves_month[tab.trans[j] as usize] += 1;
                if flags.pays[st]
                    && (flags.employed[dest as usize] || flags.education[dest as usize])
                    && p.flags & FLAG_OUTFLOW == 0
                {
                    p.flags |= FLAG_OUTFLOW;
                    acc.seg[g].outflow += 1;
                }
                acc.occ_end[g * ns + st] -= 1;
                acc.occ_end[g * ns + dest as usize] += 1;
                if flags.pays[st] && !flags.pays[dest as usize] {
                    // The spell ends: it no longer counts at the end of the month.
                    acc.seg[g].dur_sum -= p.spell as u64;
                }
                p.state = dest;
                p.in_state = 0;
            }
            None => p.in_state = p.in_state.saturating_add(1),
        }
        if TRACE && tpos < tracer.trace.len() && tracer.trace[tpos] == i {
            tracer.row_now[tpos] = tracer.rows.len();
            let row = trace_row(&tracer, ctx, i, g, before, p, class, moved);
            tracer.rows.push(row);
            tpos += 1;
        }
    }
}

/// The trajectory row of a traced citizen's month (`before`: the state during the
/// month; `class`: the reimbursement class on benefit, else `usize::MAX`).
#[cold]
#[allow(clippy::too_many_arguments)]
fn trace_row(
    tracer: &Tracer,
    ctx: &MonthCtx,
    i: usize,
    g: usize,
    before: u8,
    p: &Person,
    class: usize,
    moved: Option<usize>,
) -> TrajectoryRow {
    let (model, drawn, m) = (tracer.model, tracer.drawn, ctx.m);
    let bt = ctx.seg_bt[g];
    let rate = model.budget.benefit_rates[bt].rate(tracer.year);
    let benefit = if class != usize::MAX { (rate * 100.0).round() / 100.0 } else { 0.0 };
    let reimb =
        if class != usize::MAX { (rate * ctx.classes.shares[class] * 100.0).round() / 100.0 } else { 0.0 };
    TrajectoryRow {
        replication: tracer.rep,
        arm: tracer.arm,
        citizen: i as u32,
        segment: model.segments[g].name.clone(),
        month: m,
        date: model.calendar(m).to_string(),
        state: model.states[before as usize].id.clone(),
        next_state: model.states[p.state as usize].id.clone(),
        waiting: false,
        on_benefit: class != usize::MAX,
        cumulative_benefit_months: p.cum_benefit as u32,
        benefit,
        reimbursement: reimb,
        activity_cost: drawn.activity_cost[before as usize],
        one_off_cost: moved.map(|j| drawn.one_off[ctx.tab.trans[j] as usize]).unwrap_or(0.0),
    }
}

/// Simulates one replication of the model in the given arms.
pub fn simulate_replication(
    model: &Model,
    arms: &[Arm],
    seed: u64,
    rep: u32,
    trajectories: usize,
) -> Replication {
    let layout = Layout::new(model);
    let cohort = Cohort::new(model);
    let flags = StateFlags::new(model);
    let classes = ShareClasses::new(&model.budget.reimbursement);
    let n_classes = classes.shares.len();
    let drawn = draw(model, seed, rep);
    let rates = YearRates::new(model);
    let h = model.horizon;
    let ns = model.states.len();
    let nt = model.transitions.len();
    let cols = monthly_columns(model).len();
    let so = share_offset(model);
    let ng = model.segments.len();
    let seg_cols = so + MONTHLY_SHARES.len();
    let n_total = cohort.segment.len();

    let trace: Vec<usize> = if trajectories > 0 && n_total > 0 {
        let k = trajectories.min(n_total);
        (0..k).map(|j| j * n_total / k).collect()
    } else {
        Vec::new()
    };
    let mut trace_rows = Vec::new();

    let mut people: Vec<Vec<Person>> = arms.iter().map(|_| Vec::with_capacity(n_total)).collect();
    let mut tables: Vec<Tables> = arms.iter().map(|_| Tables::new(&layout)).collect();
    let mut accs: Vec<Acc> = arms.iter().map(|_| Acc::new(model, n_classes)).collect();
    let mut runs: Vec<ArmRun> = arms
        .iter()
        .map(|_| ArmRun {
            monthly: vec![0.0; (h + 1) * cols],
            flows: vec![[0.0; N_FLOWS]; h],
            moves: vec![0; nt],
            state_months: vec![0; ns],
            placements: 0,
            placement_wait_months: 0,
            segment_monthly: vec![0.0; (h + 1) * ng * seg_cols],
        })
        .collect();
    let grants: Vec<Vec<f64>> = arms.iter().map(|a| model.grant_income(*a, drawn.staff_cost)).collect();
    let covered: Vec<Vec<f64>> =
        arms.iter().map(|a| model.grant_covered_staff_cost(*a, drawn.staff_cost)).collect();
    let mut cum_benefit_months = vec![0u64; arms.len()];

    // Month 0: the starting position.
    let admit = |people: &mut Vec<Person>, upto: usize| {
        while people.len() < upto {
            let (s, cum) = cohort.init[people.len()];
            let spell = if flags.pays[s as usize] { cum } else { 0 };
            people.push(Person { state: s, cum_benefit: cum, spell, ..Person::default() });
        }
    };
    for (a, arm) in arms.iter().enumerate() {
        admit(&mut people[a], cohort.entered_by[0]);
        let acc = &mut accs[a];
        for (i, p) in people[a].iter().enumerate() {
            let g = cohort.segment[i] as usize;
            acc.occ_end[g * ns + p.state as usize] += 1;
            if flags.pays[p.state as usize] {
                acc.seg[g].dur_sum += p.spell as u64;
            }
        }
        let staff = model.staff(*arm, 1);
        acc.hours = staff.placement_fte * drawn.hours_per_placement_fte;
        let run = &mut runs[a];
        record_month(
            model,
            &flags,
            acc,
            &mut run.monthly[..cols],
            &mut run.segment_monthly[..ng * seg_cols],
            &cohort.entered_by_segment[0],
            0,
            staff,
            None,
        );
    }

    let mut person_rng = stream(seed, rep, "citizens");
    // Citizens whose arms have parted draw their own numbers in every arm but the first.
    let mut decoupled_rng = stream(seed, rep, "decoupled");
    let mut decoupled: Vec<bool> = Vec::with_capacity(n_total);
    // The decoupled citizens, in the order they parted; and the citizens who moved,
    // asked for a placement or were placed this month in some arm (the only ones
    // whose arms can part this month).
    let mut parted: Vec<u32> = Vec::new();
    let mut moved_now: Vec<u32> = Vec::new();
    let decoupled_salts: Vec<u64> =
        (0..arms.len()).map(|a| if a == 0 { 0 } else { decoupled_rng.next_u64() }).collect();
    let capacity = has_capacity(model);
    let queue_salt = stream(seed, rep, "queue").next_u64();
    let mut queues: Vec<Vec<Request>> = arms.iter().map(|_| Vec::new()).collect();
    let mut requests: Vec<Request> = Vec::new();
    // Where each traced citizen's row of the current month is, per arm.
    let mut trace_row_now: Vec<usize> = vec![usize::MAX; trace.len()];
    let mut us: Vec<f64> = Vec::with_capacity(n_total);
    let seg_bt: Vec<usize> = model.segments.iter().map(|s| s.benefit_type).collect();
    let mut staffing_m = vec![1.0; nt];
    let mut occ_start = vec![0u64; ng * ns];
    // States whose exits change with the months spent in them.
    let multi_band: Vec<bool> = layout.bands.iter().map(|b| b.len() > 1).collect();
    for m in 1..=h {
        let entered = cohort.entered_by[m];
        let year = model.calendar(m).year;
        let mut caseloads = Vec::with_capacity(arms.len());
        for (a, arm) in arms.iter().enumerate() {
            // On benefit this month: last month's end-of-month count plus new arrivals.
            let before = people[a].len();
            admit(&mut people[a], entered);
            let arrived = people[a][before..].iter().filter(|p| flags.pays[p.state as usize]).count();
            let stayed: u64 = (0..ng * ns).filter(|&k| flags.pays[k % ns]).map(|k| accs[a].occ_end[k]).sum();
            let on_benefit = (stayed as usize + arrived) as f64;
            // At the start of the month, per (segment, state): last month's end counts
            // plus the arrivals; the end counts follow from them by the month's moves.
            // The "ever" flags and the benefit spells carry over the same way.
            occ_start.copy_from_slice(&accs[a].occ_end);
            let seg = std::mem::take(&mut accs[a].seg);
            accs[a].clear();
            let acc = &mut accs[a];
            acc.seg = seg;
            for (j, p) in people[a][before..].iter().enumerate() {
                let g = cohort.segment[before + j] as usize;
                occ_start[g * ns + p.state as usize] += 1;
                if flags.pays[p.state as usize] {
                    acc.seg[g].dur_sum += p.spell as u64;
                }
            }
            acc.occ_end.copy_from_slice(&occ_start);
            for (k, &n) in occ_start.iter().enumerate() {
                let (g, st) = (k / ns, k % ns);
                acc.occ_during[st] += n;
                if flags.pays[st] {
                    // Every recipient's spell grows by a month.
                    acc.seg[g].dur_sum += n;
                    if !classes.staircase {
                        // Without the 2016 staircase the class depends only on the state.
                        acc.benefit_months[seg_bt[g] * n_classes + classes.class(0, flags.active[st])] += n;
                    }
                }
            }
            let staff = model.staff(*arm, m);
            let rep_mult =
                staffing_multipliers(model, &drawn, on_benefit, staff.productive_fte, &mut staffing_m);
            tables[a].fill(model, &layout, &drawn, &staffing_m, capacity);
            caseloads.push((staff, on_benefit, rep_mult));
        }

        // One uniform number per citizen-month, drawn in citizen order and shared by
        // every arm (common random numbers).
        us.clear();
        us.extend((0..entered).map(|_| (person_rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)));
        decoupled.resize(entered, false);
        for a in 0..arms.len() {
            let acc = &mut accs[a];
            let tab = &tables[a];
            requests.clear();
            trace_row_now.fill(usize::MAX);
            let ctx = MonthCtx {
                layout: &layout,
                flags: &flags,
                classes: &classes,
                multi_band: &multi_band,
                seg_bt: &seg_bt,
                segment: &cohort.segment,
                tab,
                hours: &drawn.hours,
                n_classes,
                ns,
                m,
                queue_salt,
                decoupled: &decoupled,
                decoupled_salt: if a == 0 { queue_salt } else { decoupled_salts[a] },
            };
            let people_a = &mut people[a][..entered];
            // A decoupled citizen's number in arms after the first is its own.
            // (The earlier arms are done with the month's numbers, so they are replaced.)
            if a > 0 {
                for &i in &parted {
                    us[i as usize] = (decoupled_rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                }
            }
            let us = &us[..entered];
            // The loop is compiled once per combination of the model's features, so the
            // common case (no 2016 staircase, no capacity, no trajectories) carries none
            // of their work.
            let traced = !trace.is_empty();
            let tracer = Tracer {
                trace: &trace,
                rows: &mut trace_rows,
                row_now: &mut trace_row_now,
                model,
                drawn: &drawn,
                arm: arms[a].name,
                rep,
                year,
            };
            // One compiled version of the month per combination of features in use.
            macro_rules! month {
                ($staircase:literal, $capacity:literal, $trace:literal) => {
                    arm_month::<$staircase, $capacity, $trace>(
                        &ctx,
                        people_a,
                        us,
                        acc,
                        &mut requests,
                        &mut moved_now,
                        tracer,
                    )
                };
            }
            match (classes.staircase, capacity, traced) {
                (false, false, false) => month!(false, false, false),
                (true, false, false) => month!(true, false, false),
                (false, true, false) => month!(false, true, false),
                (true, true, false) => month!(true, true, false),
                // Trajectories are for reading, not for speed: one general version.
                (_, _, true) => month!(true, true, true),
            }

            // Serve the waiting list, oldest request first (ties in random order),
            // while the month's placement hours last.
            if capacity {
                let people = &mut people[a];
                let queue = &mut queues[a];
                queue.retain(|r| people[r.citizen as usize].flags & FLAG_WAITING != 0);
                requests.sort_unstable_by_key(|r| (r.priority, r.citizen));
                queue.extend_from_slice(&requests);
                moved_now.extend(requests.iter().map(|r| r.citizen));
                let hours = caseloads[a].0.placement_fte * drawn.hours_per_placement_fte;
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
                    moved_now.push(r.citizen);
                    let i = r.citizen as usize;
                    let g = cohort.segment[i] as usize;
                    let p = &mut people[i];
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
                    if let Ok(k) = trace.binary_search(&i) {
                        let row = &mut trace_rows[trace_row_now[k]];
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
                for (k, &i) in trace.iter().enumerate() {
                    if trace_row_now[k] != usize::MAX {
                        trace_rows[trace_row_now[k]].waiting = people[i].flags & FLAG_WAITING != 0;
                    }
                }
            }
        }

        // A citizen whose arms have parted this month (their states, flags, counters or
        // requests differ) is decoupled from now on: it draws on its own in each arm.
        // (A citizen who stayed put in every arm cannot have parted: its records
        // changed alike in all of them.)
        let before = parted.len();
        for &i in &moved_now {
            let i = i as usize;
            if !decoupled[i] && people[1..].iter().any(|other| !other[i].same(&people[0][i])) {
                decoupled[i] = true;
                parted.push(i as u32);
            }
        }
        parted[before..].sort_unstable(); // the month's partings in citizen order
        moved_now.clear();

        // Book the month's money and record its outcomes.
        for a in 0..arms.len() {
            book_month(
                model,
                &flags,
                &classes,
                &drawn,
                &accs[a],
                &mut runs[a],
                m,
                (cols, seg_cols),
                caseloads[a],
                (grants[a][m - 1], covered[a][m - 1]),
                &mut cum_benefit_months[a],
                &cohort.entered_by_segment[m],
                &rates,
            );
        }
    }

    // Each citizen's path in one block: by citizen, then arm, then month.
    trace_rows.sort_by_key(|r| (r.citizen, arms.iter().position(|a| a.name == r.arm), r.month));
    Replication { index: rep, params: drawn.recorded, arms: runs, trajectories: trace_rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Person::same` is field-by-field equality: changing any one field, by any amount,
    /// makes two records differ, and equal records are the same.
    #[test]
    fn same_is_equality_of_every_field() {
        let p = Person {
            state: 3,
            flags: 1,
            job_run: 2,
            in_state: 7,
            cum_benefit: 40,
            off_benefit: 1,
            spell: 12,
            request: 0,
        };
        assert!(p.same(&p) && p == p);
        let changes: [fn(&mut Person); 8] = [
            |q| q.state ^= 0x80,
            |q| q.flags ^= FLAG_WAITING,
            |q| q.job_run += 1,
            |q| q.in_state ^= 0x8000,
            |q| q.cum_benefit += 1,
            |q| q.off_benefit ^= 0x100,
            |q| q.spell += 1,
            |q| q.request = 5,
        ];
        for (k, change) in changes.iter().enumerate() {
            let mut q = p;
            change(&mut q);
            assert!(!p.same(&q) && !q.same(&p), "field {k}");
            assert_ne!(p, q);
        }
    }
}
