//! The accounting both engines share: the layout of exits and duration bands, the
//! month's transition tables with the staffing multiplier, the reimbursement classes,
//! and the booking of money and of the monthly record.

use super::draws::Drawn;
use super::records::{ArmRun, MONTHLY_SHARES, share_offset};
use crate::budget::{Flow, Reimbursement};
use crate::model::Model;

/// The static layout of exits and duration bands, shared by all replications.
pub(crate) struct Layout {
    pub(crate) n_states: usize,
    /// Exits (transition indices) per state.
    pub(crate) exits: Vec<Vec<usize>>,
    /// Band start months per state (first is always 1).
    pub(crate) bands: Vec<Vec<u32>>,
    /// For state s, band b, exit k: index into the transition's duration list, if any.
    pub(crate) dur_entry: Vec<Vec<Vec<Option<usize>>>>,
    /// Row index of (segment, state, band 0).
    pub(crate) row_base: Vec<usize>,
    /// Offset into the threshold arrays of each row.
    pub(crate) row_off: Vec<usize>,
    pub(crate) n_rows: usize,
    pub(crate) n_thr: usize,
}

impl Layout {
    pub(crate) fn new(model: &Model) -> Layout {
        let n_states = model.states.len();
        let mut exits = vec![Vec::new(); n_states];
        for (i, t) in model.transitions.iter().enumerate() {
            exits[t.from].push(i);
        }
        let mut bands = Vec::with_capacity(n_states);
        let mut dur_entry = Vec::with_capacity(n_states);
        for state_exits in exits.iter().take(n_states) {
            let mut bp: Vec<u32> = vec![1];
            for &t in state_exits {
                bp.extend(model.transitions[t].duration.iter().map(|(m, _)| *m));
            }
            bp.sort_unstable();
            bp.dedup();
            let entries = bp
                .iter()
                .map(|&b| {
                    state_exits
                        .iter()
                        .map(|&t| model.transitions[t].duration.iter().rposition(|(from, _)| *from <= b))
                        .collect()
                })
                .collect();
            bands.push(bp);
            dur_entry.push(entries);
        }
        let mut row_base = Vec::new();
        let mut row_off = Vec::new();
        let mut n_thr = 0;
        for _g in &model.segments {
            for s in 0..n_states {
                row_base.push(row_off.len());
                for _b in &bands[s] {
                    row_off.push(n_thr);
                    n_thr += exits[s].len();
                }
            }
        }
        let n_rows = row_off.len();
        Layout { n_states, exits, bands, dur_entry, row_base, row_off, n_rows, n_thr }
    }
}

/// Per-arm transition tables for one month: for each row, the probability of
/// leaving and the cumulative thresholds of each exit.
pub(crate) struct Tables {
    pub(crate) leave: Vec<f64>,
    pub(crate) thr: Vec<f64>,
    pub(crate) dest: Vec<u8>,
    pub(crate) trans: Vec<u16>,
    /// The same for citizens on the waiting list: only the exits that need no
    /// placement hours (empty without capacity).
    pub(crate) leave_waiting: Vec<f64>,
    pub(crate) thr_waiting: Vec<f64>,
    /// What stays the same all replication, set by the first fill: per row, its
    /// offset and number of exits; per exit, the segment's rate, the duration
    /// multiplier (1 where there is none) and whether it needs placement hours.
    rows: Vec<(usize, usize)>,
    seg_rate: Vec<f64>,
    dur: Vec<f64>,
    needs_hours: Vec<bool>,
    /// Per row: none of its exits depends on staffing, so the row is the same every
    /// month of the replication and is filled only once.
    fixed: Vec<bool>,
    /// The tables (without, with the waiting list) have been filled once.
    filled: [bool; 2],
}

impl Tables {
    pub(crate) fn new(layout: &Layout) -> Tables {
        Tables {
            leave: vec![0.0; layout.n_rows],
            thr: vec![0.0; layout.n_thr],
            dest: vec![0; layout.n_thr],
            trans: vec![0; layout.n_thr],
            leave_waiting: Vec::new(),
            thr_waiting: Vec::new(),
            rows: Vec::new(),
            seg_rate: Vec::new(),
            dur: Vec::new(),
            needs_hours: Vec::new(),
            fixed: Vec::new(),
            filled: [false; 2],
        }
    }

    /// Whether `row` stays the same every month of the replication (none of its exits
    /// depends on staffing), so that what is built from it once can be kept.
    pub(crate) fn is_fixed(&self, row: usize) -> bool {
        self.fixed[row]
    }

    /// Competing hazards: P(leave) = 1 − exp(−Σ r); exit k's share r_k / Σ r.
    /// With `waiting`, the tables for citizens on the waiting list are filled as well.
    pub(crate) fn fill(
        &mut self,
        model: &Model,
        layout: &Layout,
        drawn: &Drawn,
        staffing_m: &[f64],
        waiting: bool,
    ) {
        if self.rows.is_empty() {
            self.prepare(model, layout, drawn);
        }
        self.fill_one(staffing_m, false);
        if waiting {
            if self.leave_waiting.is_empty() {
                self.leave_waiting = vec![0.0; layout.n_rows];
                self.thr_waiting = vec![0.0; layout.n_thr];
            }
            self.fill_one(staffing_m, true);
        }
    }

    /// Sets what the replication's tables share every month.
    fn prepare(&mut self, model: &Model, layout: &Layout, drawn: &Drawn) {
        let nt = model.transitions.len();
        self.rows = vec![(0, 0); layout.n_rows];
        self.seg_rate = vec![0.0; layout.n_thr];
        self.dur = vec![1.0; layout.n_thr];
        self.needs_hours = vec![false; layout.n_thr];
        // Without a staffing model every multiplier stays 1; with one, only the
        // staffing-sensitive transitions get another each month.
        self.fixed = vec![true; layout.n_rows];
        for g in 0..model.segments.len() {
            for s in 0..layout.n_states {
                let exits = &layout.exits[s];
                for b in 0..layout.bands[s].len() {
                    let row = layout.row_base[g * layout.n_states + s] + b;
                    let off = layout.row_off[row];
                    self.rows[row] = (off, exits.len());
                    self.fixed[row] = model.staffing.is_none()
                        || exits.iter().all(|&t| !model.transitions[t].staffing_sensitive);
                    for (k, &t) in exits.iter().enumerate() {
                        self.seg_rate[off + k] = drawn.seg_rate[g * nt + t];
                        if let Some(j) = layout.dur_entry[s][b][k] {
                            self.dur[off + k] = drawn.duration[t][j];
                        }
                        self.needs_hours[off + k] = !drawn.hours[t].is_nan();
                        self.dest[off + k] = model.transitions[t].to as u8;
                        self.trans[off + k] = t as u16;
                    }
                }
            }
        }
    }

    fn fill_one(&mut self, staffing_m: &[f64], waiting: bool) {
        let (leave_out, thr) = if waiting {
            (&mut self.leave_waiting, &mut self.thr_waiting)
        } else {
            (&mut self.leave, &mut self.thr)
        };
        let again = std::mem::replace(&mut self.filled[waiting as usize], true);
        for (row, &(off, n_exits)) in self.rows.iter().enumerate() {
            if again && self.fixed[row] {
                continue; // the same as last month
            }
            let exits = off..off + n_exits;
            let (seg_rate, dur, trans) =
                (&self.seg_rate[exits.clone()], &self.dur[exits.clone()], &self.trans[exits.clone()]);
            let needs_hours = &self.needs_hours[exits.clone()];
            // The rates first, in the thresholds' place, then the thresholds over them.
            let out = &mut thr[exits];
            let mut total = 0.0;
            for k in 0..n_exits {
                // (rate × staffing) × duration, as the rates have always been formed.
                let mut r = seg_rate[k] * staffing_m[trans[k] as usize] * dur[k];
                if waiting && needs_hours[k] {
                    r = 0.0; // a citizen already waiting for a placement does not draw it again
                }
                out[k] = r;
                total += r;
            }
            let leave = if total > 0.0 { 1.0 - (-total).exp() } else { 0.0 };
            leave_out[row] = leave;
            // The cumulative sum reaches `total` exactly at the last exit with a
            // positive rate, so its threshold is exactly P(leave), and an exit with
            // rate 0 is never chosen.
            let mut cum = 0.0;
            for t in out.iter_mut() {
                cum += *t;
                *t = if total > 0.0 { leave * (cum / total) } else { 0.0 };
            }
        }
    }
}

pub(crate) const FLAG_OUTFLOW: u8 = 1;
pub(crate) const FLAG_SIX: u8 = 2;
pub(crate) const FLAG_WAITING: u8 = 4;

pub(crate) struct StateFlags {
    pub(crate) pays: Vec<bool>,
    pub(crate) employed: Vec<bool>,
    pub(crate) education: Vec<bool>,
    pub(crate) self_supporting: Vec<bool>,
    pub(crate) activation: Vec<bool>,
    pub(crate) active: Vec<bool>,
}

impl StateFlags {
    pub(crate) fn new(model: &Model) -> StateFlags {
        let st = &model.states;
        StateFlags {
            pays: st.iter().map(|s| s.pays_benefit).collect(),
            employed: st.iter().map(|s| s.employed).collect(),
            education: st.iter().map(|s| s.education).collect(),
            self_supporting: st.iter().map(|s| s.self_supporting).collect(),
            activation: st.iter().map(|s| s.activation).collect(),
            active: st.iter().map(|s| s.reimbursed_as_active).collect(),
        }
    }
}

/// The reimbursement class of a benefit month: an index into the regime's shares.
pub(crate) struct ShareClasses {
    /// For the 2016 regime: class by cumulative month (capped at the last band start).
    pub(crate) by_cum: Vec<u8>,
    pub(crate) shares: Vec<f64>,
    pub(crate) staircase: bool,
    pub(crate) reset: Option<u32>,
}

impl ShareClasses {
    pub(crate) fn new(r: &Reimbursement) -> ShareClasses {
        match r {
            Reimbursement::Staircase2016 { bands, reset_after_months } => {
                let cap = bands.last().map(|b| b.0).unwrap_or(1) as usize;
                let by_cum = (0..=cap)
                    .map(|c| bands.iter().rposition(|b| (b.0 as usize) <= c.max(1)).unwrap_or(0) as u8)
                    .collect();
                ShareClasses {
                    by_cum,
                    shares: bands.iter().map(|b| b.1).collect(),
                    staircase: true,
                    reset: Some(*reset_after_months),
                }
            }
            Reimbursement::Pre2016 { active, passive } => ShareClasses {
                by_cum: vec![],
                shares: vec![*passive, *active],
                staircase: false,
                reset: None,
            },
            Reimbursement::None => {
                ShareClasses { by_cum: vec![], shares: vec![0.0, 0.0], staircase: false, reset: None }
            }
        }
    }

    #[inline]
    pub(crate) fn class(&self, cum: u16, active: bool) -> usize {
        if self.staircase {
            self.by_cum[(cum as usize).min(self.by_cum.len() - 1)] as usize
        } else {
            active as usize
        }
    }
}

/// End-of-month counts of one segment in one arm.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SegmentCounts {
    /// Citizens who have ever left benefit for work or education.
    pub(crate) outflow: u64,
    /// Citizens who have had 6 consecutive months in work.
    pub(crate) six: u64,
    /// Sum of current benefit spells of those on benefit.
    pub(crate) dur_sum: u64,
}

/// Monthly accumulators of one arm.
pub(crate) struct Acc {
    /// Benefit months per (benefit type, share class).
    pub(crate) benefit_months: Vec<u64>,
    pub(crate) occ_during: Vec<u64>,
    /// Moves per transition, and one spare place after them where the count engine
    /// books the moves an arm does not make (so that booking takes no branch).
    pub(crate) moves_month: Vec<u64>,
    /// End-of-month occupancy per (segment, state): `[g * states + s]`.
    pub(crate) occ_end: Vec<u64>,
    /// Per segment counts at the end of the month.
    pub(crate) seg: Vec<SegmentCounts>,
    /// Placement capacity this month: waiting at the end, placements made, hours
    /// available and used.
    pub(crate) waiting: u64,
    pub(crate) placements: u64,
    pub(crate) wait_months: u64,
    pub(crate) hours: f64,
    pub(crate) hours_used: f64,
}

impl Acc {
    pub(crate) fn new(model: &Model, n_classes: usize) -> Acc {
        Acc {
            benefit_months: vec![0; model.benefit_types.len() * n_classes],
            occ_during: vec![0; model.states.len()],
            moves_month: vec![0; model.transitions.len() + 1],
            occ_end: vec![0; model.segments.len() * model.states.len()],
            seg: vec![SegmentCounts::default(); model.segments.len()],
            waiting: 0,
            placements: 0,
            wait_months: 0,
            hours: 0.0,
            hours_used: 0.0,
        }
    }
    pub(crate) fn clear(&mut self) {
        self.benefit_months.fill(0);
        self.occ_during.fill(0);
        self.moves_month.fill(0);
        self.occ_end.fill(0);
        self.seg.fill(SegmentCounts::default());
        self.waiting = 0;
        self.placements = 0;
        self.wait_months = 0;
        self.hours = 0.0;
        self.hours_used = 0.0;
    }
}

/// The benefit rate of each benefit type in each calendar year of the horizon,
/// looked up once per replication rather than once per arm and month (a rate not
/// given for a year is indexed from the nearest given one).
pub(crate) struct YearRates {
    /// Calendar year of simulated month 1.
    first_year: i32,
    /// Benefit types.
    types: usize,
    /// `rates[(year − first_year) × types + type]`.
    rates: Vec<f64>,
    /// Calendar year of each simulated month, index 0 = month 1.
    year_of: Vec<i32>,
}

impl YearRates {
    pub(crate) fn new(model: &Model) -> YearRates {
        let year_of: Vec<i32> = (1..=model.horizon).map(|m| model.calendar(m).year).collect();
        let first_year = year_of.first().copied().unwrap_or(model.start.year);
        let last_year = year_of.last().copied().unwrap_or(first_year);
        let types = model.budget.benefit_rates.len();
        let rates = (first_year..=last_year)
            .flat_map(|y| model.budget.benefit_rates.iter().map(move |r| r.rate(y)))
            .collect();
        YearRates { first_year, types, rates, year_of }
    }

    /// The rate of each benefit type in simulated month `m` (1-based).
    fn of_month(&self, m: usize) -> &[f64] {
        let y = (self.year_of[m - 1] - self.first_year) as usize;
        &self.rates[y * self.types..(y + 1) * self.types]
    }
}

/// Books one arm's money for simulated month `m` (1-based) from the month's
/// accumulators and writes the month's record. Shared by the individual and the
/// count engine, so both turn counts into money and records in the same way.
/// `dims` is (columns of the monthly record, columns of a segment's record);
/// `caseload` is (staff, citizens on benefit, reported staffing multiplier);
/// `grant` is (grant income, grant-covered staff cost) of the month.
#[allow(clippy::too_many_arguments)]
pub(crate) fn book_month(
    model: &Model,
    flags: &StateFlags,
    classes: &ShareClasses,
    drawn: &Drawn,
    acc: &Acc,
    run: &mut ArmRun,
    m: usize,
    dims: (usize, usize),
    caseload: (crate::model::MonthStaff, f64, f64),
    grant: (f64, f64),
    cum_benefit_months: &mut u64,
    entered_by_segment: &[usize],
    rates: &YearRates,
) {
    let (cols, seg_cols) = dims;
    let (staff, on_benefit, mult) = caseload;
    let ns = model.states.len();
    let ng = model.segments.len();
    let n_classes = classes.shares.len();
    let f = &mut run.flows[m - 1];
    for (b, &rate) in rates.of_month(m).iter().enumerate() {
        for c in 0..n_classes {
            let months = acc.benefit_months[b * n_classes + c] as f64;
            f[Flow::GrossBenefit as usize] += months * rate;
            f[Flow::Reimbursement as usize] += months * rate * classes.shares[c];
        }
    }
    let mut employed_months = 0u64;
    for s in 0..ns {
        let n = acc.occ_during[s];
        run.state_months[s] += n;
        f[Flow::ActivityCost as usize] += n as f64 * drawn.activity_cost[s];
        if flags.employed[s] {
            employed_months += n;
        }
        if flags.pays[s] {
            *cum_benefit_months += n;
        }
    }
    f[Flow::ActivityReimbursement as usize] =
        f[Flow::ActivityCost as usize] * model.budget.activity_cost_reimbursement;
    run.placements += acc.placements;
    run.placement_wait_months += acc.wait_months;
    for (t, &n) in acc.moves_month[..run.moves.len()].iter().enumerate() {
        run.moves[t] += n;
        f[Flow::OneOffCost as usize] += n as f64 * drawn.one_off[t];
    }
    f[Flow::BaselineStaffCost as usize] = staff.baseline_fte * drawn.staff_cost / 12.0;
    f[Flow::ExtraStaffCost as usize] = staff.extra_fte * drawn.staff_cost / 12.0;
    f[Flow::GrantIncome as usize] = grant.0;
    f[Flow::GrantCoveredStaffCost as usize] = grant.1;
    let e = employed_months as f64;
    f[Flow::Tax as usize] = e * drawn.tax;
    f[Flow::Equalisation as usize] = e * drawn.equalisation;
    f[Flow::StateTax as usize] = e * drawn.state_tax;
    record_month(
        model,
        flags,
        acc,
        &mut run.monthly[m * cols..(m + 1) * cols],
        &mut run.segment_monthly[m * ng * seg_cols..(m + 1) * ng * seg_cols],
        entered_by_segment,
        *cum_benefit_months,
        staff,
        Some((on_benefit, mult)),
    );
}

/// Writes the end-of-month record: the whole cohort's row and one row per segment.
/// The whole row is computed from the summed counts, not from the segment rows'
/// shares, so the two agree exactly.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_month(
    model: &Model,
    flags: &StateFlags,
    acc: &Acc,
    row: &mut [f64],
    segment_rows: &mut [f64],
    entered_by_segment: &[usize],
    cum_benefit_months: u64,
    staff: crate::model::MonthStaff,
    caseload: Option<(f64, f64)>,
) {
    let ns = model.states.len();
    let so = share_offset(model);
    let seg_cols = so + MONTHLY_SHARES.len();
    // Counts of the whole cohort, summed over segments.
    let mut occ = vec![0u64; ns];
    let (mut outflow, mut six, mut dur_sum) = (0u64, 0u64, 0u64);
    for (g, &entered) in entered_by_segment.iter().enumerate() {
        let occ_g = &acc.occ_end[g * ns..(g + 1) * ns];
        for s in 0..ns {
            occ[s] += occ_g[s];
        }
        let sc = acc.seg[g];
        outflow += sc.outflow;
        six += sc.six;
        dur_sum += sc.dur_sum;
        let seg_row = &mut segment_rows[g * seg_cols..(g + 1) * seg_cols];
        fill_shares(flags, seg_row, so, entered, occ_g, sc.outflow, sc.six, sc.dur_sum);
    }
    let entered: usize = entered_by_segment.iter().sum();
    let ben = fill_shares(flags, row, so, entered, &occ, outflow, six, dur_sum);
    row[so + 8] = cum_benefit_months as f64;
    row[so + 9] = staff.baseline_fte + staff.extra_fte;
    row[so + 10] = staff.productive_fte;
    let (on_benefit, mult) = caseload.unwrap_or((ben as f64, 1.0));
    row[so + 11] = if staff.productive_fte > 0.0 {
        on_benefit / staff.productive_fte
    } else if model.staffing.is_some() {
        f64::INFINITY // no productive staff: reported as an empty cell
    } else {
        0.0
    };
    row[so + 12] = mult;
    if model.has_capacity() {
        row[so + 13] = acc.waiting as f64;
        row[so + 14] = acc.placements as f64;
        row[so + 15] = staff.placement_fte;
        row[so + 16] = acc.hours;
        row[so + 17] = acc.hours_used;
    }
}

/// The month's staffing multiplier of every transition (1 where it is not
/// staffing-sensitive) into `out`, given the citizens on benefit and the productive
/// staff; returns the multiplier at the replication's default elasticity, which the
/// monthly record reports. Transitions without an elasticity of their own share that
/// value rather than raising the caseload ratio to the same power again (the same
/// bits: the same function of the same numbers).
pub(crate) fn staffing_multipliers(
    model: &Model,
    drawn: &Drawn,
    on_benefit: f64,
    productive_fte: f64,
    out: &mut [f64],
) -> f64 {
    let Some(st) = &model.staffing else {
        out.fill(1.0);
        return 1.0;
    };
    let default_e = drawn.default_elasticity;
    let rep_mult = st.multiplier(on_benefit, productive_fte, default_e);
    for (t, m) in out.iter_mut().enumerate() {
        let e = drawn.elasticity[t];
        *m = if !model.transitions[t].staffing_sensitive {
            1.0
        } else if e.to_bits() == default_e.to_bits() {
            rep_mult
        } else {
            st.multiplier(on_benefit, productive_fte, e)
        };
    }
    rep_mult
}

/// Writes `entered`, the occupancies and the [`MONTHLY_SHARES`] of one group of
/// citizens into the start of `row`; returns the number on benefit.
#[allow(clippy::too_many_arguments)]
fn fill_shares(
    flags: &StateFlags,
    row: &mut [f64],
    so: usize,
    entered: usize,
    occ: &[u64],
    outflow: u64,
    six: u64,
    dur_sum: u64,
) -> u64 {
    let n = entered.max(1) as f64;
    row[0] = entered as f64;
    let (mut ss, mut emp, mut edu, mut ben, mut act) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for (s, &c) in occ.iter().enumerate() {
        row[1 + s] = c as f64;
        ss += c * flags.self_supporting[s] as u64;
        emp += c * flags.employed[s] as u64;
        edu += c * flags.education[s] as u64;
        ben += c * flags.pays[s] as u64;
        act += c * flags.activation[s] as u64;
    }
    row[so] = ss as f64 / n;
    row[so + 1] = emp as f64 / n;
    row[so + 2] = edu as f64 / n;
    row[so + 3] = ben as f64 / n;
    row[so + 4] = act as f64 / n;
    row[so + 5] = outflow as f64 / n;
    row[so + 6] = six as f64 / n;
    row[so + 7] = if ben > 0 { dur_sum as f64 / ben as f64 } else { 0.0 };
    ben
}
