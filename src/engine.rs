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

use crate::budget::{Flow, N_FLOWS, Reimbursement};
use crate::model::{Arm, Model};
use crate::param::Distribution;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// Columns of the monthly record, after the per-state occupancy columns.
pub const MONTHLY_SHARES: [&str; 8] = [
    "self_supporting_share",
    "employment_share",
    "education_share",
    "benefit_share",
    "activation_share",
    "outflow_share",
    "six_month_employment_share",
    "mean_benefit_duration",
];

/// Column names of an arm's monthly record: `entered`, then `occupancy:<state>`
/// for each state, then [`MONTHLY_SHARES`], then cumulative benefit months and staffing.
pub fn monthly_columns(model: &Model) -> Vec<String> {
    let mut c = vec!["entered".to_string()];
    c.extend(model.states.iter().map(|s| format!("occupancy:{}", s.id)));
    c.extend(MONTHLY_SHARES.iter().map(|s| s.to_string()));
    c.extend(
        ["cumulative_benefit_months", "fte", "productive_fte", "caseload", "staffing_multiplier"]
            .iter()
            .map(|s| s.to_string()),
    );
    if has_capacity(model) {
        c.extend(CAPACITY_COLUMNS.iter().map(|s| s.to_string()));
    }
    c
}

/// Columns of the monthly record with `[staffing.capacity]`, after the staffing columns.
pub const CAPACITY_COLUMNS: [&str; 5] =
    ["waiting_list", "placements", "placement_fte", "placement_hours", "placement_hours_used"];

pub(crate) fn has_capacity(model: &Model) -> bool {
    model.staffing.as_ref().is_some_and(|s| s.capacity.is_some())
}

/// Column names of a segment's monthly record: the first columns of
/// [`monthly_columns`] (`entered`, occupancies and [`MONTHLY_SHARES`]), without staffing.
pub fn segment_columns(model: &Model) -> Vec<String> {
    let mut c = monthly_columns(model);
    c.truncate(share_offset(model) + MONTHLY_SHARES.len());
    c
}

/// Index of the first share column in the monthly record.
pub fn share_offset(model: &Model) -> usize {
    1 + model.states.len()
}

/// What one arm of one replication produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmRun {
    /// `(horizon + 1) × columns` values, row-major by month; see [`monthly_columns`].
    pub monthly: Vec<f64>,
    /// Cash flows for simulated months 1..=horizon (index 0 = month 1).
    pub flows: Vec<[f64; N_FLOWS]>,
    /// Moves made per transition over the horizon.
    pub moves: Vec<u64>,
    /// Citizen-months spent in each state over the horizon.
    pub state_months: Vec<u64>,
    /// Moves that drew on placement capacity over the horizon.
    pub placements: u64,
    /// Months those placements waited, summed (0 for a move made in the month it was drawn).
    pub placement_wait_months: u64,
    /// The same record per segment, `(horizon + 1) × segments × ` [`segment_columns`]
    /// values, row-major by month then segment: what calibration compares with
    /// observed figures given per segment.
    pub segment_monthly: Vec<f64>,
}

/// One replication: the parameters drawn and every arm's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Replication {
    /// Replication number (0-based).
    pub index: u32,
    /// Drawn value of each uncertain parameter, parallel to [`parameter_keys`].
    pub params: Vec<f64>,
    /// One result per arm, in the order the arms were given.
    pub arms: Vec<ArmRun>,
    /// Sampled individual paths (only when asked for, replication 0).
    pub trajectories: Vec<TrajectoryRow>,
}

/// One citizen-month of a sampled individual path.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrajectoryRow {
    /// Replication.
    pub replication: u32,
    /// Arm name.
    pub arm: &'static str,
    /// Citizen number within the cohort.
    pub citizen: u32,
    /// Segment name.
    pub segment: String,
    /// Simulated month (1-based).
    pub month: usize,
    /// Calendar month.
    pub date: String,
    /// State during the month.
    pub state: String,
    /// State at the end of the month.
    pub next_state: String,
    /// On the waiting list for a placement at the end of the month.
    pub waiting: bool,
    /// Benefit paid this month.
    pub on_benefit: bool,
    /// Cumulative months on benefit, including this one.
    pub cumulative_benefit_months: u32,
    /// Benefit paid (DKK).
    pub benefit: f64,
    /// State reimbursement (DKK).
    pub reimbursement: f64,
    /// Activity cost (DKK).
    pub activity_cost: f64,
    /// One-off cost of the move at the end of the month (DKK).
    pub one_off_cost: f64,
}

/// Options for a simulation.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Replications to run.
    pub replications: u32,
    /// Seed.
    pub seed: u64,
    /// Worker threads (None = all cores).
    pub threads: Option<usize>,
    /// Number of individual paths to record from replication 0.
    pub trajectories: usize,
    /// Number of the first replication to run (replications are numbered from 0 and
    /// each has its own random streams, so any range can be run anywhere).
    pub first_replication: u32,
    /// The engine. The count engine records no trajectories (`trajectories` is ignored).
    pub engine: Engine,
}

/// Which engine simulates the citizens. Both give the same outcomes in distribution
/// (tests/engines.rs); `docs/performance.md` says what each costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// Every citizen one by one, with one uniform random number per citizen-month shared
    /// by the arms until the citizen's arms part (common random numbers); the reference,
    /// and the only one with trajectories.
    #[default]
    Individual,
    /// Interchangeable citizens as counts per group, moved by binomial draws
    /// ([`crate::count_engine`]): cost grows with the number of groups, not citizens.
    Count,
}

impl Engine {
    /// The engine's name as the command line and the manifests write it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Individual => "individual",
            Engine::Count => "count",
        }
    }

    /// The engine of a name written by [`Engine::name`].
    pub fn from_name(name: &str) -> Option<Engine> {
        [Engine::Individual, Engine::Count].into_iter().find(|e| e.name() == name)
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Keys of the model's uncertain parameters, in the order of [`Replication::params`].
/// Only parameters that are not fixed are listed.
pub fn parameter_keys(model: &Model) -> Vec<String> {
    param_specs(model).into_iter().filter(|(_, d)| !d.is_fixed()).map(|(k, _)| k).collect()
}

fn param_specs(model: &Model) -> Vec<(String, &Distribution)> {
    let mut v: Vec<(String, &Distribution)> = Vec::new();
    for s in &model.states {
        v.push((format!("states.{}.activity_cost", s.id), &s.activity_cost));
    }
    for t in &model.transitions {
        v.push((format!("transitions.{}.probability", t.id), &t.probability));
        if let Some(e) = &t.elasticity {
            v.push((format!("transitions.{}.elasticity", t.id), e));
        }
        v.push((format!("transitions.{}.one_off_cost", t.id), &t.one_off_cost));
        for (j, (_, d)) in t.duration.iter().enumerate() {
            v.push((format!("transitions.{}.duration.{j}", t.id), d));
        }
        if let Some(h) = &t.hours {
            v.push((format!("transitions.{}.hours", t.id), h));
        }
    }
    for g in &model.segments {
        for (t, d) in &g.multipliers {
            v.push((format!("segments.{}.multipliers.{}", g.name, model.transitions[*t].id), d));
        }
        for (t, d) in &g.overrides {
            v.push((format!("segments.{}.overrides.{}", g.name, model.transitions[*t].id), d));
        }
    }
    if let Some(st) = &model.staffing {
        v.push(("staffing.elasticity".into(), &st.elasticity));
        if let Some(c) = &st.capacity {
            v.push(("staffing.capacity.placement_share".into(), &c.placement_share));
        }
    }
    v.push(("budget.staff_cost_per_fte_year".into(), &model.budget.staff_cost_per_fte_year));
    if let Some(w) = &model.budget.wider {
        v.push(("budget.wider.tax_per_employed_month".into(), &w.tax));
        v.push(("budget.wider.equalisation_per_employed_month".into(), &w.equalisation));
        v.push(("budget.wider.state_tax_per_employed_month".into(), &w.state_tax));
    }
    v
}

thread_local! {
    /// Keys of the streams made on this thread: (seed, purpose, key). The key does not
    /// depend on the replication, and a run makes one stream per parameter and
    /// replication, so hashing it once per run saves a SHA-256 per parameter draw.
    static STREAM_KEYS: std::cell::RefCell<Vec<StreamKey>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A stream key kept for reuse: (seed, purpose, ChaCha8 key).
type StreamKey = (u64, Box<str>, [u8; 32]);

/// Keys kept per thread at most (a run has one per parameter and purpose).
const STREAM_KEYS_KEPT: usize = 256;

/// The ChaCha8 key of the streams for (seed, purpose): SHA-256 of both.
fn stream_key(seed: u64, purpose: &str) -> [u8; 32] {
    STREAM_KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if let Some((_, _, key)) = keys.iter().find(|(s, p, _)| *s == seed && **p == *purpose) {
            return *key;
        }
        let mut h = Sha256::new();
        h.update(seed.to_le_bytes());
        h.update(purpose.as_bytes());
        let digest = h.finalize();
        let mut key = [0u8; 32];
        key.copy_from_slice(&digest[..32]);
        if keys.len() >= STREAM_KEYS_KEPT {
            keys.clear();
        }
        keys.push((seed, purpose.into(), key));
        key
    })
}

/// A random stream of its own for each (seed, replication, purpose), so that
/// changing one parameter's distribution does not change the draws of others.
pub(crate) fn stream(seed: u64, replication: u32, purpose: &str) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::from_seed(stream_key(seed, purpose));
    rng.set_stream(replication as u64);
    rng
}

/// Parameter values drawn for one replication, laid out for the engine.
pub(crate) struct Drawn {
    pub(crate) activity_cost: Vec<f64>,
    pub(crate) one_off: Vec<f64>,
    /// Effective elasticity per transition (0 when not staffing-sensitive).
    pub(crate) elasticity: Vec<f64>,
    /// Base hazard rate per (segment, transition): `[g * T + t]`.
    pub(crate) seg_rate: Vec<f64>,
    /// Duration multiplier per transition per band entry.
    pub(crate) duration: Vec<Vec<f64>>,
    /// The staffing elasticity drawn for this replication (0 without staffing).
    pub(crate) default_elasticity: f64,
    /// Consultant hours per move, per transition (NaN: the move needs no hours).
    pub(crate) hours: Vec<f64>,
    /// Placement hours per productive placement FTE-month (0 without capacity).
    pub(crate) hours_per_placement_fte: f64,
    pub(crate) staff_cost: f64,
    pub(crate) tax: f64,
    pub(crate) equalisation: f64,
    pub(crate) state_tax: f64,
    /// Values of the non-fixed parameters, in [`parameter_keys`] order.
    pub(crate) recorded: Vec<f64>,
}

fn rate_of(p: f64) -> f64 {
    -(1.0 - p).ln()
}

pub(crate) fn draw(model: &Model, seed: u64, rep: u32) -> Drawn {
    let specs = param_specs(model);
    let mut values = std::collections::HashMap::with_capacity(specs.len());
    let mut recorded = Vec::new();
    for (key, d) in &specs {
        let v = if let Some(o) = model.draw_overrides.get(key) {
            // Calibration's candidate distribution, drawn as its quantile at this
            // parameter's own uniform number: the same number in every evaluation.
            let mut rng = stream(seed, rep, key);
            let u = ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
            let x = o.quantile(u);
            if !d.is_fixed() {
                recorded.push(x);
            }
            x
        } else if d.is_fixed() {
            d.mean()
        } else {
            let mut rng = stream(seed, rep, key);
            let x = d.sample(&mut rng);
            recorded.push(x);
            x
        };
        values.insert(key.clone(), v);
    }
    let get = |k: String| values[&k];
    let nt = model.transitions.len();
    let default_e = model.staffing.as_ref().map(|_| get("staffing.elasticity".into())).unwrap_or(0.0);
    let base_rate: Vec<f64> =
        model.transitions.iter().map(|t| rate_of(get(format!("transitions.{}.probability", t.id)))).collect();
    let mut seg_rate = Vec::with_capacity(model.segments.len() * nt);
    for g in &model.segments {
        let mut r = base_rate.clone();
        for (t, _) in &g.overrides {
            r[*t] = rate_of(get(format!("segments.{}.overrides.{}", g.name, model.transitions[*t].id)));
        }
        for (t, _) in &g.multipliers {
            r[*t] *= get(format!("segments.{}.multipliers.{}", g.name, model.transitions[*t].id));
        }
        seg_rate.extend(r);
    }
    let (tax, equalisation, state_tax) = match &model.budget.wider {
        Some(_) => (
            get("budget.wider.tax_per_employed_month".into()),
            get("budget.wider.equalisation_per_employed_month".into()),
            get("budget.wider.state_tax_per_employed_month".into()),
        ),
        None => (0.0, 0.0, 0.0),
    };
    Drawn {
        activity_cost: model.states.iter().map(|s| get(format!("states.{}.activity_cost", s.id))).collect(),
        one_off: model
            .transitions
            .iter()
            .map(|t| get(format!("transitions.{}.one_off_cost", t.id)))
            .collect(),
        elasticity: model
            .transitions
            .iter()
            .map(|t| match (t.staffing_sensitive, &t.elasticity) {
                (false, _) => 0.0,
                (true, Some(_)) => get(format!("transitions.{}.elasticity", t.id)),
                (true, None) => default_e,
            })
            .collect(),
        seg_rate,
        duration: model
            .transitions
            .iter()
            .map(|t| {
                (0..t.duration.len()).map(|j| get(format!("transitions.{}.duration.{j}", t.id))).collect()
            })
            .collect(),
        default_elasticity: default_e,
        hours: model
            .transitions
            .iter()
            .map(|t| match t.hours {
                Some(_) => get(format!("transitions.{}.hours", t.id)),
                None => f64::NAN,
            })
            .collect(),
        hours_per_placement_fte: match model.staffing.as_ref().and_then(|s| s.capacity.as_ref()) {
            Some(c) => c.hours_per_fte_month * get("staffing.capacity.placement_share".into()),
            None => 0.0,
        },
        staff_cost: get("budget.staff_cost_per_fte_year".into()),
        tax,
        equalisation,
        state_tax,
        recorded,
    }
}

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

/// Per-state facts the inner loop needs, as flat arrays.
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
    if model.staffing.as_ref().is_some_and(|s| s.capacity.is_some()) {
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

/// Runs all replications of the model in the given arms, in parallel, and returns
/// them in replication order. `progress` is called once per finished replication.
pub fn simulate(
    model: &Model,
    arms: &[Arm],
    opts: &SimOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Replication>, rayon::ThreadPoolBuildError> {
    simulate_with(model, arms, opts, progress, &|r| r)
}

/// Runs all replications like [`simulate`], reducing each one with `reduce` as soon
/// as it is finished, so that only what `reduce` keeps stays in memory.
pub fn simulate_with<T: Send>(
    model: &Model,
    arms: &[Arm],
    opts: &SimOptions,
    progress: &(dyn Fn() + Sync),
    reduce: &(dyn Fn(Replication) -> T + Sync),
) -> Result<Vec<T>, rayon::ThreadPoolBuildError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = opts.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build()?;
    let first = opts.first_replication;
    Ok(pool.install(|| {
        (first..first + opts.replications)
            .into_par_iter()
            .map(|r| {
                let rep = match opts.engine {
                    Engine::Individual => {
                        let k = if r == 0 { opts.trajectories } else { 0 };
                        simulate_replication(model, arms, opts.seed, r, k)
                    }
                    Engine::Count => crate::count_engine::simulate_replication(model, arms, opts.seed, r),
                };
                let out = reduce(rep);
                progress();
                out
            })
            .collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept stream keys give exactly the stream of a fresh SHA-256 of (seed,
    /// purpose), for repeated, interleaved and more than `STREAM_KEYS_KEPT` distinct
    /// (seed, purpose) pairs, and different pairs give different streams.
    #[test]
    fn kept_stream_keys_are_the_hashed_keys() {
        let fresh = |seed: u64, rep: u32, purpose: &str| {
            let mut h = Sha256::new();
            h.update(seed.to_le_bytes());
            h.update(purpose.as_bytes());
            let mut key = [0u8; 32];
            key.copy_from_slice(&h.finalize()[..32]);
            let mut rng = ChaCha8Rng::from_seed(key);
            rng.set_stream(rep as u64);
            rng.next_u64()
        };
        let mut seen = std::collections::HashSet::new();
        for round in 0..3u32 {
            for i in 0..(STREAM_KEYS_KEPT as u64 + 40) {
                let (seed, purpose) = (i % 7, format!("transitions.t{}.probability", i / 7));
                let rep = round * 11 + i as u32 % 5;
                let got = stream(seed, rep, &purpose).next_u64();
                assert_eq!(got, fresh(seed, rep, &purpose), "seed {seed}, {purpose}, replication {rep}");
                if round == 0 && rep == 0 {
                    assert!(seen.insert(got), "seed {seed}, {purpose}: the stream of another pair");
                }
            }
        }
    }

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
