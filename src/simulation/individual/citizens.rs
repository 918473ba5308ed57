//! The citizens of the individual engine: their records in one arm ([`Person`]), the
//! cohort's static facts, and one arm's month for every citizen (the inner loop).

use crate::model::{Model, clock};
use crate::simulation::draws::Drawn;
use crate::simulation::kernel::{
    Acc, FLAG_OUTFLOW, FLAG_SIX, FLAG_WAITING, ShareClasses, StateFlags, benefit_slot,
};
use crate::simulation::records::TrajectoryRow;
use crate::simulation::tables::{Layout, Tables};

/// A placement drawn but not yet made: a place on the waiting list.
#[derive(Debug, Clone, Copy)]
pub(super) struct Request {
    /// Month the placement was drawn (the queue is served oldest first).
    pub(super) since: u16,
    /// Random priority among requests of the same month, the same in every arm.
    pub(super) priority: u64,
    pub(super) citizen: u32,
    pub(super) transition: u16,
}

/// A well-mixed 64-bit hash (SplitMix64's finaliser), for priorities that are random
/// but the same for a citizen and month in every arm.
pub(super) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A citizen's state in one arm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Person {
    /// The segment the citizen is in (its segment of entry until it moves).
    pub(super) segment: u16,
    pub(super) state: u8,
    pub(super) flags: u8,
    pub(super) job_run: u8,
    /// Completed months in the current state.
    pub(super) in_state: u16,
    /// Cumulative months on benefit (for the 2016 bands).
    pub(super) cum_benefit: u16,
    /// Consecutive months off benefit (for the 2016 reset).
    pub(super) off_benefit: u16,
    /// Months in the current spell on benefit (0 when off benefit).
    pub(super) spell: u16,
    /// While waiting for a placement: the requested transition + 1 (else 0).
    pub(super) request: u16,
}

impl Person {
    /// Whether two arms' records of a citizen are equal (all fields, without branches).
    #[inline]
    pub(super) fn same(&self, o: &Person) -> bool {
        let bytes = (self.state ^ o.state) | (self.flags ^ o.flags) | (self.job_run ^ o.job_run);
        let words = (self.segment ^ o.segment)
            | (self.in_state ^ o.in_state)
            | (self.cum_benefit ^ o.cum_benefit)
            | (self.off_benefit ^ o.off_benefit)
            | (self.spell ^ o.spell)
            | (self.request ^ o.request);
        bytes as u16 | words == 0
    }
}

/// Static facts per citizen (same in every arm), numbered in the order they enter.
pub(super) struct Cohort {
    /// Segment of entry per citizen.
    pub(super) segment: Vec<u16>,
    /// Citizens entered by the end of month m (index m = 0..=horizon).
    pub(super) entered_by: Vec<usize>,
    /// State of entry and months on benefit before entry, per citizen.
    pub(super) init: Vec<(u8, u16)>,
    /// Citizens waiting for a placement at the start: (citizen, transition).
    pub(super) waiting: Vec<(u32, u16)>,
    /// Per citizen, the origin of the clock of months since referral ([`clock`]).
    pub(super) clock_origin: Vec<i64>,
}

impl Cohort {
    /// The citizens of a model: those present at the start, then each month's entries
    /// (segments arriving that month and inflow, see [`crate::model::Segment::entries`]).
    pub(super) fn new(model: &Model) -> Cohort {
        let mut segment = Vec::new();
        let mut init = Vec::new();
        let mut waiting = Vec::new();
        let mut clock_origin = Vec::new();
        for (g, seg) in model.segments.iter().enumerate().filter(|(_, s)| s.arrives == 0) {
            for c in &seg.citizens {
                for _ in 0..c.count {
                    if let Some(t) = c.waiting_for {
                        waiting.push((segment.len() as u32, t as u16));
                    }
                    segment.push(g as u16);
                    init.push((c.state as u8, c.months_on_benefit.min(u16::MAX as u32) as u16));
                    clock_origin.push(clock::origin(1, c.months_since_referral.unwrap_or(0)));
                }
            }
        }
        let mut entered_by = vec![segment.len()];
        for m in 1..=model.horizon {
            for (g, seg) in model.segments.iter().enumerate() {
                for (state, months, count) in seg.entries(m) {
                    for _ in 0..count {
                        segment.push(g as u16);
                        init.push((state as u8, months.min(u16::MAX as u32) as u16));
                        clock_origin.push(clock::origin(m, 0));
                    }
                }
            }
            entered_by.push(segment.len());
        }
        Cohort { segment, entered_by, init, waiting, clock_origin }
    }
}

/// What every citizen's month in one arm reads: the model's layout and flags, the
/// month's transition tables and the queue's salt.
pub(super) struct MonthCtx<'a> {
    pub(super) layout: &'a Layout,
    pub(super) flags: &'a StateFlags,
    pub(super) classes: &'a ShareClasses,
    /// States whose exits change with the months spent in them.
    pub(super) multi_band: &'a [bool],
    pub(super) seg_bt: &'a [usize],
    pub(super) tab: &'a Tables,
    /// Consultant hours per placement, per transition (NaN: needs none).
    pub(super) hours: &'a [f64],
    pub(super) n_classes: usize,
    pub(super) ns: usize,
    pub(super) m: usize,
    pub(super) queue_salt: u64,
    /// Per citizen: whether the arms have parted (see [`super::simulate_replication`]).
    pub(super) decoupled: &'a [bool],
    /// The salt of the queue priorities of decoupled citizens in this arm.
    pub(super) decoupled_salt: u64,
}

/// Where the traced citizens' trajectory rows go.
pub(super) struct Tracer<'a> {
    /// Traced citizens, in increasing order.
    pub(super) trace: &'a [usize],
    pub(super) rows: &'a mut Vec<TrajectoryRow>,
    /// Row of each traced citizen in this month, per traced citizen.
    pub(super) row_now: &'a mut [usize],
    pub(super) model: &'a Model,
    pub(super) drawn: &'a Drawn,
    pub(super) arm: &'static str,
    pub(super) rep: u32,
    pub(super) year: i32,
}

/// One arm's month for every citizen entered so far: the month's bookkeeping, then the
/// move drawn with the citizen's uniform number `us[i]` (shared by every arm while the
/// citizen is coupled, its own in this arm once decoupled). The
/// const parameters say which of the model's costlier features the loop must handle
/// (2016 staircase, placement capacity, trajectories); with `false` their work is
/// compiled out, with `true` it is done when the model has them.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(super) fn arm_month<const STAIRCASE: bool, const CAPACITY: bool, const TRACE: bool>(
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
    // Every vector the loop reads or writes, bound once as a slice, so that no
    // citizen's month reads a vector's address or length through a reference.
    let (pays, employed) = (&flags.pays[..], &flags.employed[..]);
    let (education, active) = (&flags.education[..], &flags.active[..]);
    let (row_base, row_off) = (&layout.row_base[..], &layout.row_off[..]);
    let (bands_of, exits) = (&layout.bands[..], &layout.exits[..]);
    let (trans, dests) = (&tab.trans[..], &tab.dest[..]);
    let free_rows = (&tab.leave[..], &tab.thr[..]);
    let waiting_rows = (&tab.leave_waiting[..], &tab.thr_waiting[..]);
    let (benefit_months, moves_month) = (&mut acc.benefit_months[..], &mut acc.moves_month[..]);
    let (occ_end, seg) = (&mut acc.occ_end[..], &mut acc.seg[..]);
    let mut tpos = 0;
    for (i, (p, &u)) in people.iter_mut().zip(us).enumerate() {
        let g = p.segment as usize;
        let st = p.state as usize;
        let mut class = usize::MAX;
        if pays[st] {
            p.cum_benefit = p.cum_benefit.saturating_add(1);
            p.spell = p.spell.saturating_add(1);
            p.off_benefit = 0;
            if staircase {
                class = classes.class(p.cum_benefit, active[st]);
                benefit_months[benefit_slot(ns, n_classes, seg_bt[g], st, class)] += 1;
            } else if TRACE {
                class = classes.class(p.cum_benefit, active[st]);
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
        if employed[st] {
            p.job_run = p.job_run.saturating_add(1);
            if p.job_run >= 6 && p.flags & FLAG_SIX == 0 {
                p.flags |= FLAG_SIX;
                seg[g].six += 1;
            }
        } else {
            p.job_run = 0;
        }
        // Transition at the end of the month.
        let mut row = row_base[g * ns + st];
        if multi_band[st] {
            let bands = &bands_of[st];
            let k_in = p.in_state as u32 + 1;
            let mut b = 0;
            while b + 1 < bands.len() && k_in >= bands[b + 1] {
                b += 1;
            }
            row += b;
        }
        let waiting = CAPACITY && p.flags & FLAG_WAITING != 0;
        let (leave, thr) = if waiting { waiting_rows } else { free_rows };
        let mut moved: Option<usize> = None;
        if u < leave[row] {
            let off = row_off[row];
            let n_exits = exits[st].len();
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
            && !hours[trans[j] as usize].is_nan()
        {
            requests.push(Request {
                since: m as u16,
                priority: mix64(
                    if decoupled[i] { decoupled_salt } else { queue_salt } ^ ((i as u64) << 16) ^ m as u64,
                ),
                citizen: i as u32,
                transition: trans[j],
            });
            moved = None;
        }
        let before = p.state;
        match moved {
            Some(j) => {
                moved_now.push(i as u32);
                p.flags &= !FLAG_WAITING;
                p.request = 0;
                let dest = dests[j];
                moves_month[trans[j] as usize] += 1;
                if pays[st]
                    && (employed[dest as usize] || education[dest as usize])
                    && p.flags & FLAG_OUTFLOW == 0
                {
                    p.flags |= FLAG_OUTFLOW;
                    seg[g].outflow += 1;
                }
                occ_end[g * ns + st] -= 1;
                occ_end[g * ns + dest as usize] += 1;
                if pays[st] && !pays[dest as usize] {
                    // The spell ends: it no longer counts at the end of the month.
                    seg[g].dur_sum -= p.spell as u64;
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
    let paid = drawn.paid_benefit_share[before as usize];
    let benefit = if class != usize::MAX { (rate * paid * 100.0).round() / 100.0 } else { 0.0 };
    let reimb = if class != usize::MAX {
        (rate * paid * ctx.classes.shares_in(m)[class] * 100.0).round() / 100.0
    } else {
        0.0
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `Person::same` is field-by-field equality: changing any one field, by any amount,
    /// makes two records differ, and equal records are the same.
    #[test]
    fn same_is_equality_of_every_field() {
        let p = Person {
            segment: 2,
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
        let changes: [fn(&mut Person); 9] = [
            |q| q.segment ^= 0x4000,
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
