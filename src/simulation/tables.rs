//! The month's transition tables both engines draw moves from: the layout of exits and
//! duration bands per (segment, state), and per arm and month each row's probability of
//! leaving and its exits' cumulative thresholds (competing hazards), with the staffing
//! multiplier from the caseload.

use super::draws::Drawn;
use crate::model::Model;

/// The static layout of exits and duration bands, shared by all replications.
pub(crate) struct Layout {
    /// States.
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
    /// Rows: (segment, state, duration band).
    pub(crate) n_rows: usize,
    /// Exits over all rows: the length of the threshold arrays.
    pub(crate) n_thr: usize,
}

impl Layout {
    /// The layout of a model.
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
    /// Per row: P(leaving the state this month).
    pub(crate) leave: Vec<f64>,
    /// Per exit of each row ([`Layout::row_off`]): the cumulative threshold below which
    /// a uniform number takes this exit or an earlier one.
    pub(crate) thr: Vec<f64>,
    /// Per exit: the destination state.
    pub(crate) dest: Vec<u8>,
    /// Per exit: the transition.
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
    /// Empty tables of a layout, filled by [`Tables::fill`].
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
    #[inline]
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
