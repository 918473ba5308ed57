//! The accounting both engines share: what each state means, the reimbursement
//! classes, the month's counts of one arm, and the booking of money and of the monthly
//! record from them.

use super::draws::Drawn;
use super::records::ArmRun;
use crate::budget::{Flow, MonthFunding, Reimbursement};
use crate::model::Model;
use crate::schema::{MonthlyLayout, MonthlyMeasure as M};

/// A citizen's flag: has ever left benefit for work or education.
pub(crate) const FLAG_OUTFLOW: u8 = 1;
/// A citizen's flag: has had six consecutive months in work.
pub(crate) const FLAG_SIX: u8 = 2;
/// A citizen's flag: waits for a placement that needs consultant hours.
pub(crate) const FLAG_WAITING: u8 = 4;

/// What each state means for the citizen and the budget, per state index.
pub(crate) struct StateFlags {
    /// Benefit is paid.
    pub(crate) pays: Vec<bool>,
    /// Ordinary employment.
    pub(crate) employed: Vec<bool>,
    /// Education.
    pub(crate) education: Vec<bool>,
    /// Self-supporting.
    pub(crate) self_supporting: Vec<bool>,
    /// An activation offer.
    pub(crate) activation: Vec<bool>,
    /// Reimbursed at the active rate under the pre-2016 regime.
    pub(crate) active: Vec<bool>,
}

impl StateFlags {
    /// The flags of a model's states.
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

/// The reimbursement class of a benefit month: an index into the shares of the regime
/// in force. A class is a band of cumulative months on benefit (the union of the bands
/// of every 2016-style regime of the horizon, one band without any) combined with the
/// activation status (when any regime of the horizon reads it), so that the class of a
/// month depends on the citizen alone and a change of regime on a date changes only
/// the shares the classes are booked at.
pub(crate) struct ShareClasses {
    /// For a staircase horizon: the band of each cumulative month (capped at the last band start).
    pub(crate) by_cum: Vec<u8>,
    /// 2 when some regime reads the activation status, else 1.
    n_active: usize,
    /// Number of classes: bands × activation statuses.
    pub(crate) n_classes: usize,
    /// Some regime of the horizon is the 2016 staircase: cumulative months are counted
    /// (from the start, across any change of regime).
    pub(crate) staircase: bool,
    /// Months off benefit after which the cumulative count restarts (2016 regime).
    pub(crate) reset: Option<u32>,
    /// `(first simulated month, share of each class)`, one per regime, ascending.
    periods: Vec<(usize, Vec<f64>)>,
}

impl ShareClasses {
    /// The classes of a model's reimbursement regimes over its horizon.
    pub(crate) fn new(model: &Model) -> ShareClasses {
        let b = &model.budget;
        let mut regimes: Vec<(usize, &Reimbursement)> = vec![(1, &b.reimbursement)];
        for c in &b.reimbursement_changes {
            regimes.push((model.start.months_until(c.from) as usize + 1, &c.regime));
        }
        let mut starts: Vec<u32> = regimes
            .iter()
            .filter_map(|(_, r)| match r {
                Reimbursement::Staircase2016 { bands, .. } => Some(bands.iter().map(|x| x.0)),
                _ => None,
            })
            .flatten()
            .collect();
        starts.sort_unstable();
        starts.dedup();
        let staircase = !starts.is_empty();
        if starts.is_empty() {
            starts.push(1);
        }
        let reset = regimes.iter().find_map(|(_, r)| r.reset_after());
        let n_active =
            if regimes.iter().all(|(_, r)| matches!(r, Reimbursement::Staircase2016 { .. })) { 1 } else { 2 };
        let cap = *starts.last().unwrap_or(&1) as usize;
        let by_cum = if staircase {
            (0..=cap)
                .map(|c| starts.iter().rposition(|&x| (x as usize) <= c.max(1)).unwrap_or(0) as u8)
                .collect()
        } else {
            vec![]
        };
        let periods = regimes
            .iter()
            .map(|&(m, r)| {
                let shares = starts
                    .iter()
                    .flat_map(|&first| (0..n_active).map(move |a| r.share(first, a == 1)))
                    .collect();
                (m, shares)
            })
            .collect();
        ShareClasses { by_cum, n_active, n_classes: starts.len() * n_active, staircase, reset, periods }
    }

    /// The class of a benefit month after `cum` cumulative months on benefit, in a state
    /// reimbursed as active or not.
    #[inline]
    pub(crate) fn class(&self, cum: u16, active: bool) -> usize {
        if self.staircase {
            self.by_cum[(cum as usize).min(self.by_cum.len() - 1)] as usize * self.n_active
                + (active as usize) * (self.n_active - 1)
        } else {
            active as usize
        }
    }

    /// The state's share of each class in simulated month `m` (1-based): the regime in
    /// force that month.
    pub(crate) fn shares_in(&self, m: usize) -> &[f64] {
        let k = self.periods.iter().rposition(|(first, _)| *first <= m).unwrap_or(0);
        &self.periods[k].1
    }
}

/// Where a benefit month is counted in [`Acc::benefit_months`]: by benefit type, state
/// (whose share of the full benefit is paid) and reimbursement class.
#[inline]
pub(crate) fn benefit_slot(
    n_states: usize,
    n_classes: usize,
    benefit_type: usize,
    state: usize,
    class: usize,
) -> usize {
    (benefit_type * n_states + state) * n_classes + class
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
    /// Benefit months per (benefit type, state, share class), placed by [`benefit_slot`].
    pub(crate) benefit_months: Vec<u64>,
    /// Citizens in each state during the month.
    pub(crate) occ_during: Vec<u64>,
    /// Moves per transition, and one spare place after them where the count engine
    /// books the moves an arm does not make (so that booking takes no branch).
    pub(crate) moves_month: Vec<u64>,
    /// End-of-month occupancy per (segment, state): `[g * states + s]`.
    pub(crate) occ_end: Vec<u64>,
    /// Per segment counts at the end of the month.
    pub(crate) seg: Vec<SegmentCounts>,
    /// Placement capacity this month: citizens waiting at the end of the month.
    pub(crate) waiting: u64,
    /// Placements made.
    pub(crate) placements: u64,
    /// Months the placements made had waited, summed.
    pub(crate) wait_months: u64,
    /// Placement hours available.
    pub(crate) hours: f64,
    /// Placement hours used.
    pub(crate) hours_used: f64,
    /// Citizens who moved to another segment at the end of the month.
    pub(crate) segment_moves: u64,
}

impl Acc {
    /// Empty accumulators for a model with `n_classes` reimbursement classes.
    pub(crate) fn new(model: &Model, n_classes: usize) -> Acc {
        Acc {
            benefit_months: vec![0; model.benefit_types.len() * model.states.len() * n_classes],
            occ_during: vec![0; model.states.len()],
            moves_month: vec![0; model.transitions.len() + 1],
            occ_end: vec![0; model.segments.len() * model.states.len()],
            seg: vec![SegmentCounts::default(); model.segments.len()],
            waiting: 0,
            placements: 0,
            wait_months: 0,
            hours: 0.0,
            hours_used: 0.0,
            segment_moves: 0,
        }
    }

    /// Empties every accumulator, for the next month.
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
        self.segment_moves = 0;
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
    /// The rates over a model's horizon.
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
/// `layout` places the columns of the arm's and the segments' records;
/// `caseload` is (staff, citizens on benefit, reported staffing multiplier);
/// `funding` is the month's money from `[[grants]]`, by funding kind.
#[allow(clippy::too_many_arguments)]
pub(crate) fn book_month(
    model: &Model,
    flags: &StateFlags,
    classes: &ShareClasses,
    drawn: &Drawn,
    acc: &Acc,
    run: &mut ArmRun,
    m: usize,
    layout: &MonthlyLayout,
    caseload: (crate::model::MonthStaff, f64, f64),
    funding: MonthFunding,
    cum_benefit_months: &mut u64,
    rates: &YearRates,
) {
    let (cols, seg_cols) = (layout.width, layout.segment_width);
    let (staff, on_benefit, mult) = caseload;
    let ns = model.states.len();
    let ng = model.segments.len();
    let f = &mut run.flows[m - 1];
    book_benefit(flags, classes, drawn, acc, rates.of_month(m), m, f);
    let mut employed_months = 0u64;
    for s in 0..ns {
        let n = acc.occ_during[s];
        run.state_months[s] += n;
        f[Flow::ActivityCost as usize] += n as f64 * drawn.activity_cost[s];
        f[Flow::EducationCost as usize] += n as f64 * drawn.education_cost[s];
        if flags.employed[s] {
            employed_months += n;
        }
        if flags.pays[s] {
            *cum_benefit_months += n;
        }
    }
    f[Flow::ActivityReimbursement as usize] =
        f[Flow::ActivityCost as usize] * model.budget.activity_cost_reimbursement;
    f[Flow::EducationReimbursement as usize] =
        f[Flow::EducationCost as usize] * model.budget.education_cost_reimbursement;
    run.placements += acc.placements;
    run.placement_wait_months += acc.wait_months;
    for (t, &n) in acc.moves_month[..run.moves.len()].iter().enumerate() {
        run.moves[t] += n;
        f[Flow::OneOffCost as usize] += n as f64 * drawn.one_off[t];
    }
    f[Flow::BaselineStaffCost as usize] = staff.baseline_fte * drawn.staff_cost / 12.0;
    f[Flow::ExtraStaffCost as usize] = staff.extra_fte * drawn.staff_cost / 12.0;
    f[Flow::GrantIncome as usize] = funding.grant_income;
    f[Flow::GrantCoveredStaffCost as usize] = funding.grant_covered_staff_cost;
    f[Flow::OwnFunds as usize] = funding.own_funds;
    f[Flow::InKind as usize] = funding.in_kind;
    f[Flow::GrantFundedStaffCost as usize] = funding.grant_funded_staff_cost;
    let e = employed_months as f64;
    f[Flow::Tax as usize] = e * drawn.tax;
    f[Flow::Equalisation as usize] = e * drawn.equalisation;
    f[Flow::StateTax as usize] = e * drawn.state_tax;
    if let Some(grant) = &model.budget.result_grant {
        let new_outcomes = newly_reached(layout, grant.paid_when, grant, acc, &run.segment_monthly, m, ng);
        run.flows[m - 1][Flow::ResultGrant as usize] = new_outcomes as f64 * drawn.result_grant;
    }
    record_month(
        model,
        layout,
        flags,
        acc,
        &mut run.monthly[m * cols..(m + 1) * cols],
        &mut run.segment_monthly[m * ng * seg_cols..(m + 1) * ng * seg_cols],
        *cum_benefit_months,
        staff,
        Some((on_benefit, mult)),
    );
}

/// Books the month's benefit: gross benefit, reimbursement at the shares of the regime
/// in force in simulated month `m`, and the benefit withheld in partial-benefit states.
/// Months in states paying the full benefit are summed before they are priced.
fn book_benefit(
    flags: &StateFlags,
    classes: &ShareClasses,
    drawn: &Drawn,
    acc: &Acc,
    rates: &[f64],
    m: usize,
    f: &mut [f64; crate::budget::N_FLOWS],
) {
    let ns = flags.pays.len();
    let n_classes = classes.n_classes;
    let shares = classes.shares_in(m);
    let paid = &drawn.paid_benefit_share;
    for (b, &rate) in rates.iter().enumerate() {
        for (c, &share) in shares.iter().enumerate() {
            let mut full = 0u64;
            for s in (0..ns).filter(|&s| flags.pays[s]) {
                let n = acc.benefit_months[benefit_slot(ns, n_classes, b, s, c)];
                if paid[s] == 1.0 {
                    full += n;
                } else if n > 0 {
                    let months = n as f64;
                    f[Flow::GrossBenefit as usize] += months * rate * paid[s];
                    f[Flow::EarningsOffset as usize] += months * rate * (1.0 - paid[s]);
                    f[Flow::Reimbursement as usize] += months * rate * paid[s] * share;
                }
            }
            let months = full as f64;
            f[Flow::GrossBenefit as usize] += months * rate;
            f[Flow::Reimbursement as usize] += months * rate * share;
        }
    }
}

/// Citizens of the segments a result grant covers who reached its outcome in month `m`
/// for the first time: the change in the segments' end-of-month counts of those who have
/// ever left benefit for work or education (or had six consecutive months in work) since
/// the record of month `m − 1`. Citizens who moved between segments in the month stay
/// inside or outside the covered segments (the model's validation refuses moves across
/// that line), so the sum over the covered segments counts only new outcomes.
fn newly_reached(
    layout: &MonthlyLayout,
    when: crate::input::scenario::ResultGrantWhen,
    grant: &crate::model::ResultGrant,
    acc: &Acc,
    segment_monthly: &[f64],
    m: usize,
    ng: usize,
) -> i64 {
    use crate::input::scenario::ResultGrantWhen as E;
    let seg_cols = layout.segment_width;
    let measure = match when {
        E::FirstOutflow => M::OutflowShare,
        E::SixMonthsInWork => M::SixMonthEmploymentShare,
    };
    let mut reached = 0i64;
    for g in (0..ng).filter(|&g| grant.segments[g]) {
        let now = match when {
            E::FirstOutflow => acc.seg[g].outflow,
            E::SixMonthsInWork => acc.seg[g].six,
        } as i64;
        let row = &segment_monthly[((m - 1) * ng + g) * seg_cols..((m - 1) * ng + g + 1) * seg_cols];
        let entered = row[layout.at(M::Entered)].max(1.0);
        let before = (row[layout.at(measure)] * entered).round() as i64;
        reached += now - before;
    }
    reached
}

/// Writes the end-of-month record: the whole cohort's row and one row per segment.
/// The whole row is computed from the summed counts, not from the segment rows'
/// shares, so the two agree exactly. A segment's citizens are those in it at the end
/// of the month (nobody leaves the cohort, so without moves between segments these are
/// the citizens who have entered it); the whole cohort's are all who have entered.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_month(
    model: &Model,
    layout: &MonthlyLayout,
    flags: &StateFlags,
    acc: &Acc,
    row: &mut [f64],
    segment_rows: &mut [f64],
    cum_benefit_months: u64,
    staff: crate::model::MonthStaff,
    caseload: Option<(f64, f64)>,
) {
    let ns = model.states.len();
    let seg_cols = layout.segment_width;
    // Counts of the whole cohort, summed over segments.
    let mut occ = vec![0u64; ns];
    let (mut outflow, mut six, mut dur_sum) = (0u64, 0u64, 0u64);
    let mut entered = 0usize;
    for g in 0..model.segments.len() {
        let occ_g = &acc.occ_end[g * ns..(g + 1) * ns];
        let members = occ_g.iter().sum::<u64>() as usize;
        entered += members;
        for s in 0..ns {
            occ[s] += occ_g[s];
        }
        let sc = acc.seg[g];
        outflow += sc.outflow;
        six += sc.six;
        dur_sum += sc.dur_sum;
        let seg_row = &mut segment_rows[g * seg_cols..(g + 1) * seg_cols];
        fill_shares(layout, flags, seg_row, members, occ_g, sc.outflow, sc.six, sc.dur_sum);
    }
    let ben = fill_shares(layout, flags, row, entered, &occ, outflow, six, dur_sum);
    row[layout.at(M::CumulativeBenefitMonths)] = cum_benefit_months as f64;
    row[layout.at(M::Fte)] = staff.baseline_fte + staff.extra_fte;
    row[layout.at(M::ProductiveFte)] = staff.productive_fte;
    let (on_benefit, mult) = caseload.unwrap_or((ben as f64, 1.0));
    row[layout.at(M::Caseload)] = if staff.productive_fte > 0.0 {
        on_benefit / staff.productive_fte
    } else if model.staffing.is_some() {
        f64::INFINITY // no productive staff: reported as an empty cell
    } else {
        0.0
    };
    row[layout.at(M::StaffingMultiplier)] = mult;
    if layout.has_capacity {
        row[layout.at(M::WaitingList)] = acc.waiting as f64;
        row[layout.at(M::Placements)] = acc.placements as f64;
        row[layout.at(M::PlacementFte)] = staff.placement_fte;
        row[layout.at(M::PlacementHours)] = acc.hours;
        row[layout.at(M::PlacementHoursUsed)] = acc.hours_used;
    }
    if layout.has_segment_moves {
        row[layout.at(M::SegmentMoves)] = acc.segment_moves as f64;
    }
}

/// Writes `entered`, the occupancies and the [`M::SHARES`] of one group of citizens
/// into the start of `row`; returns the number on benefit.
#[allow(clippy::too_many_arguments)]
fn fill_shares(
    layout: &MonthlyLayout,
    flags: &StateFlags,
    row: &mut [f64],
    entered: usize,
    occ: &[u64],
    outflow: u64,
    six: u64,
    dur_sum: u64,
) -> u64 {
    let n = entered.max(1) as f64;
    row[layout.at(M::Entered)] = entered as f64;
    let (mut ss, mut emp, mut edu, mut ben, mut act) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for (s, &c) in occ.iter().enumerate() {
        row[layout.occupancy(s)] = c as f64;
        ss += c * flags.self_supporting[s] as u64;
        emp += c * flags.employed[s] as u64;
        edu += c * flags.education[s] as u64;
        ben += c * flags.pays[s] as u64;
        act += c * flags.activation[s] as u64;
    }
    row[layout.at(M::SelfSupportingShare)] = ss as f64 / n;
    row[layout.at(M::EmploymentShare)] = emp as f64 / n;
    row[layout.at(M::EducationShare)] = edu as f64 / n;
    row[layout.at(M::BenefitShare)] = ben as f64 / n;
    row[layout.at(M::ActivationShare)] = act as f64 / n;
    row[layout.at(M::OutflowShare)] = outflow as f64 / n;
    row[layout.at(M::SixMonthEmploymentShare)] = six as f64 / n;
    row[layout.at(M::MeanBenefitDuration)] = if ben > 0 { dur_sum as f64 / ben as f64 } else { 0.0 };
    ben
}
