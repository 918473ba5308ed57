//! One block of up to four arms simulated jointly for one replication: the starting
//! position, then month by month the arrivals, each arm's transition tables, the moves
//! of every group, the placements and the booking of the month.

use super::draws::Stream;
use super::groups::{MAX_SPELL, Slots, World, spell};
use super::keys::{ABSENT, Fields, Ids, Keys, NO_SPELL, Rules, waiting_key};
use super::moves::{MonthWorld, MoveCtx, Moves};
use super::queue::{place_served, serve_queue};
use super::segments::move_segments;
use crate::budget::N_FLOWS;
use crate::model::{Arm, Model, MonthStaff, clock};
use crate::schema::MonthlyLayout;
use crate::simulation::census::{Census, Seen};
use crate::simulation::draws::Drawn;
use crate::simulation::kernel::{
    Acc, FLAG_OUTFLOW, FLAG_SIX, FLAG_WAITING, SegmentCounts, ShareClasses, StateFlags, YearRates,
    book_month, record_month,
};
use crate::simulation::records::ArmRun;
use crate::simulation::segment_moves::SegmentMoveRows;
use crate::simulation::tables::{Layout, Tables, staffing_multipliers};
use rand::Rng;

/// Simulates the arms of one block jointly (`arms.len()` is `N`, at most four) on the
/// replication's stream `rng`: one run per arm, in the arms' order.
pub(super) fn simulate_joint<const N: usize>(
    model: &Model,
    arms: &[Arm],
    drawn: &Drawn,
    rng: Stream,
) -> Vec<ArmRun> {
    assert_eq!(arms.len(), N);
    let setting = Setting::new(model, drawn);
    let rules = Rules::new(&setting.flags, &setting.layout, &setting.classes, setting.census.clock_cap);
    let mut run = JointRun::<N>::start(&setting, &rules, arms, rng);
    for m in 1..=model.horizon {
        run.month(m);
    }
    run.finish()
}

/// What a block's simulation reads and does not change: the model's layout, state
/// flags and reimbursement classes, and the replication's parameters.
struct Setting<'a> {
    model: &'a Model,
    drawn: &'a Drawn,
    layout: Layout,
    flags: StateFlags,
    classes: ShareClasses,
    rates: YearRates,
    /// The moves between segments of this replication.
    segment_rows: SegmentMoveRows,
    /// The longest benefit spell a citizen brings in (cohort or arrival).
    longest_before: u32,
    /// Whether every spell stays below the longest the individual engine can count, so
    /// that the sum of spells is n·m − Σ spell starts (else it is summed bin by bin).
    spells_linear: bool,
    /// Where each column sits in an arm's and a segment's monthly record.
    monthly: MonthlyLayout,
    /// Whether placements are limited by consultant hours.
    capacity: bool,
    /// The targets counted on subgroups.
    census: Census,
}

impl<'a> Setting<'a> {
    fn new(model: &'a Model, drawn: &'a Drawn) -> Self {
        let h = model.horizon;
        assert!(
            h < 2048
                && model.segments.len() <= u16::MAX as usize
                && model.transitions.len() < u16::MAX as usize,
            "model too large for group keys"
        );
        let longest_before = model
            .segments
            .iter()
            .map(|s| {
                let start = s.citizens.iter().map(|c| c.months_on_benefit).max().unwrap_or(0);
                start.max(s.inflow_months_on_benefit)
            })
            .max()
            .unwrap_or(0);
        Setting {
            model,
            drawn,
            layout: Layout::new(model),
            flags: StateFlags::new(model),
            classes: ShareClasses::new(model),
            rates: YearRates::new(model),
            segment_rows: SegmentMoveRows::new(model, drawn),
            longest_before,
            spells_linear: longest_before as i64 + h as i64 + 2 < MAX_SPELL,
            monthly: MonthlyLayout::new(model),
            capacity: model.has_capacity(),
            census: Census::new(model),
        }
    }
}

/// What one arm keeps from month to month.
struct ArmState {
    arm: Arm,
    acc: Acc,
    run: ArmRun,
    funding: Vec<crate::budget::MonthFunding>,
    cum_benefit_months: u64,
    /// Citizens per state and benefit months per benefit slot at the end of the last
    /// month ([`end_of_month`]): the start of this month's counts, before arrivals.
    occ_last: Vec<u64>,
    benefit_last: Vec<u64>,
    staffing_m: Vec<f64>,
    /// The month's (staff, citizens on benefit, reported multiplier).
    caseload: (MonthStaff, f64, f64),
}

impl ArmState {
    fn new(setting: &Setting, arm: Arm) -> Self {
        let (model, drawn) = (setting.model, setting.drawn);
        let (h, ns, nt, ng) =
            (model.horizon, model.states.len(), model.transitions.len(), model.segments.len());
        let (cols, seg_cols) = (setting.monthly.width, setting.monthly.segment_width);
        let n_classes = setting.classes.n_classes;
        ArmState {
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
                tally: Census::tally(model),
            },
            funding: model.funding(arm, drawn.staff_cost),
            cum_benefit_months: 0,
            occ_last: vec![0; ns],
            benefit_last: vec![0; model.benefit_types.len() * ns * n_classes],
            staffing_m: vec![1.0; nt],
            caseload: (model.staff(arm, 1), 0.0, 1.0),
        }
    }
}

/// The arms of one block in one replication, from month to month.
struct JointRun<'a, const N: usize> {
    setting: &'a Setting<'a>,
    rules: &'a Rules<'a>,
    ctx: MoveCtx<'a>,
    keys: Keys<'a>,
    world: World<N>,
    arms: Vec<ArmState>,
    /// Each arm's transition tables of the month.
    tables: Vec<Tables>,
    rng: Stream,
    moves: Moves<N>,
    /// This month's arrivals: (key id, citizens).
    arrived: Vec<(u32, u64)>,
    /// An arm's waiting list of the month: (request month, priority, group).
    queue: Vec<(u16, u64, u32)>,
    /// Per group with placements this month: how many of its members each arm places.
    served: Vec<(u32, [u64; N])>,
}

impl<'a, const N: usize> JointRun<'a, N> {
    /// The starting position (month 0), the same in every arm, recorded.
    fn start(setting: &'a Setting<'a>, rules: &'a Rules<'a>, arms: &[Arm], rng: Stream) -> Self {
        let model = setting.model;
        let h = model.horizon;
        let keys = Keys::new(model, &setting.layout, rules, &setting.classes);
        let mut world: World<N> = World::take();
        // Spell starts run from before the start (the longest spell brought in) to the
        // horizon (a spell started in the last month).
        let base = -(setting.longest_before as i64) - 2;
        world.slots = Slots { base, slots: (h as i64 - base + 2) as usize };
        let moves = Moves::new(&mut world, model.transitions.len());
        let ctx = MoveCtx { model, drawn: setting.drawn, flags: &setting.flags, capacity: setting.capacity };
        let mut run = JointRun {
            setting,
            rules,
            ctx,
            keys,
            world,
            arms: arms.iter().map(|&arm| ArmState::new(setting, arm)).collect(),
            tables: arms.iter().map(|_| Tables::new(&setting.layout)).collect(),
            rng,
            moves,
            arrived: Vec::new(),
            queue: Vec::new(),
            served: Vec::new(),
        };
        run.admit_cohort();
        run
    }

    /// Admits the initial cohort and records month 0.
    fn admit_cohort(&mut self) {
        let setting = self.setting;
        let model = setting.model;
        for (g, seg) in model.segments.iter().enumerate().filter(|(_, s)| s.arrives == 0) {
            for c in seg.citizens.iter().filter(|c| c.count > 0) {
                let since = clock::origin(1, c.months_since_referral.unwrap_or(0));
                let (k, o) =
                    self.rules.admitted(g, c.state, c.months_on_benefit, 0, clock::at_end_of(0, since));
                match c.waiting_for {
                    None => {
                        let id = self.keys.id(k, 0);
                        let gi = self.world.group(Ids([id; N]), &self.keys);
                        self.world.give(gi, o, c.count as u64);
                    }
                    // Waiting at the start: each a group of one, with a random place
                    // among the month-0 requests, ahead of every later request.
                    Some(t) => {
                        for _ in 0..c.count {
                            let prio = self.rng.next_u64() | 1;
                            let id = self.keys.id(waiting_key(k, t), prio);
                            let gi = self.world.group(Ids([id; N]), &self.keys);
                            self.world.give(gi, o, 1);
                        }
                    }
                }
            }
        }
        self.world.settle();
        let waiting: u64 = model
            .segments
            .iter()
            .filter(|s| s.arrives == 0)
            .flat_map(|s| &s.citizens)
            .filter(|c| c.waiting_for.is_some())
            .map(|c| c.count as u64)
            .sum();
        end_of_month(
            &self.world,
            &mut self.arms,
            &setting.flags,
            model.states.len(),
            0,
            setting.spells_linear,
        );
        self.count_targets(0);
        let (cols, seg_cols) = (setting.monthly.width, setting.monthly.segment_width);
        let ng = model.segments.len();
        for s in self.arms.iter_mut() {
            let staff = model.staff(s.arm, 1);
            s.acc.hours = staff.placement_fte * setting.drawn.hours_per_placement_fte;
            s.acc.waiting = waiting;
            record_month(
                model,
                &setting.monthly,
                &setting.flags,
                &s.acc,
                &mut s.run.monthly[..cols],
                &mut s.run.segment_monthly[..ng * seg_cols],
                0,
                staff,
                None,
            );
        }
    }

    /// Simulates month `m`: arrivals, the start of each arm's month, the moves, the
    /// placements, the moves between segments and the booking.
    fn month(&mut self, m: usize) {
        self.arrive(m);
        self.start_month(m);
        self.moves.month(&mut MonthWorld {
            ctx: &self.ctx,
            tables: &self.tables,
            keys: &mut self.keys,
            world: &mut self.world,
            rng: &mut self.rng,
            m,
        });
        if self.setting.capacity {
            self.place(m);
        }
        if !self.setting.segment_rows.is_empty() {
            let moved =
                move_segments(&self.setting.segment_rows, &mut self.keys, &mut self.world, &mut self.rng);
            for (s, n) in self.arms.iter_mut().zip(moved) {
                s.acc.segment_moves = n;
            }
        }
        self.book(m);
    }

    /// The month's arrivals (segments arriving this month and inflow) join their groups.
    fn arrive(&mut self, m: usize) {
        self.arrived.clear();
        for (g, seg) in self.setting.model.segments.iter().enumerate() {
            for (state, months, a) in seg.entries(m) {
                let since = clock::at_end_of(m - 1, clock::origin(m, 0));
                let (k, o) = self.rules.admitted(g, state, months, m, since);
                let id = self.keys.id(k, 0);
                let gi = self.world.group(Ids([id; N]), &self.keys);
                self.world.give(gi, o, a as u64);
                self.arrived.push((id, a as u64));
            }
        }
        // Nothing has changed since the last month's settling unless someone arrived.
        if !self.arrived.is_empty() {
            self.world.settle();
        }
    }

    /// Each arm's month starts from last month's end-of-month counts per state and
    /// benefit months plus the arrivals (nobody else joins or leaves a group before the
    /// moves), and its staffing multiplier from its caseload: those in benefit states.
    fn start_month(&mut self, m: usize) {
        let setting = self.setting;
        let (model, drawn, flags) = (setting.model, setting.drawn, &setting.flags);
        let ns = model.states.len();
        for (a, s) in self.arms.iter_mut().enumerate() {
            s.acc.clear();
            s.acc.occ_during.copy_from_slice(&s.occ_last);
            s.acc.benefit_months.copy_from_slice(&s.benefit_last);
            for &(id, k) in &self.arrived {
                let i = &self.keys.info[id as usize];
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
            self.tables[a].fill(model, &setting.layout, drawn, &s.staffing_m, setting.capacity);
            s.caseload = (staff, on_benefit, rep_mult);
        }
    }

    /// With capacity: serves each arm's waiting list, oldest request month first.
    /// Each arm decides on its own list; the placements are then made jointly, so a
    /// citizen placed in every arm where it waits stays one citizen of all arms.
    fn place(&mut self, m: usize) {
        let drawn = self.setting.drawn;
        self.served.clear();
        for (a, s) in self.arms.iter_mut().enumerate() {
            let placement_fte = s.caseload.0.placement_fte;
            let (queue, served) = (&mut self.queue, &mut self.served);
            serve_queue(drawn, &self.keys, &self.world, a, &mut s.acc, queue, served, m, placement_fte);
        }
        place_served(
            &self.setting.flags,
            &mut self.keys,
            &mut self.world,
            &mut self.rng,
            &mut self.served,
            m,
        );
        self.world.settle();
        let world = &self.world;
        for (a, s) in self.arms.iter_mut().enumerate() {
            s.acc.waiting = world
                .active
                .iter()
                .map(|&gi| &world.groups[gi as usize])
                .filter(|g| g.key.0[a] != ABSENT && g.info[a].flags & FLAG_WAITING != 0)
                .map(|g| g.n)
                .sum();
        }
    }

    /// Books the month's moves, counts and money, and records the month.
    fn book(&mut self, m: usize) {
        let setting = self.setting;
        let model = setting.model;
        let stride = self.moves.stride;
        for (a, s) in self.arms.iter_mut().enumerate() {
            let row = &mut self.moves.booked[a * stride..(a + 1) * stride];
            for (total, k) in s.acc.moves_month.iter_mut().zip(row.iter_mut()) {
                *total += std::mem::take(k);
            }
        }
        end_of_month(
            &self.world,
            &mut self.arms,
            &setting.flags,
            model.states.len(),
            m,
            setting.spells_linear,
        );
        self.count_targets(m);
        for s in self.arms.iter_mut() {
            book_month(
                model,
                &setting.flags,
                &setting.classes,
                setting.drawn,
                &s.acc,
                &mut s.run,
                m,
                &setting.monthly,
                s.caseload,
                s.funding[m - 1],
                &mut s.cum_benefit_months,
                &setting.rates,
            );
        }
    }

    /// Shows the census every group at the end of month `m`, in every arm where it is.
    fn count_targets(&mut self, m: usize) {
        let census = &self.setting.census;
        if !census.looks_at(m) {
            return;
        }
        let flags = &self.setting.flags;
        let mut spells: Vec<(u64, u64)> = Vec::new();
        for &gi in &self.world.active {
            let gr = &self.world.groups[gi as usize];
            spells.clear();
            spells.extend(
                gr.bins.iter().filter(|b| b.0 != NO_SPELL && b.1 > 0).map(|&(o, k)| (spell(o, m), k as u64)),
            );
            for (a, s) in self.arms.iter_mut().enumerate() {
                let id = gr.key.0[a];
                if id == ABSENT {
                    continue;
                }
                let i = &gr.info[a];
                let who = Seen {
                    segment: i.segment as usize,
                    state: i.state as usize,
                    flags: i.flags,
                    clock: Fields::unpack(self.keys.full[id as usize].key).clock as i64,
                };
                census.see(&mut s.run.tally, flags, m, who, gr.n, &spells);
            }
        }
    }

    /// Keeps the world for this thread's next replication; returns each arm's run.
    fn finish(mut self) -> Vec<ArmRun> {
        self.moves.put_back(&mut self.world);
        self.world.put_back();
        self.arms.into_iter().map(|s| s.run).collect()
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
