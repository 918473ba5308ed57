//! The money: benefit rates, state reimbursement, and the budget items that
//! follow from a month-by-month simulation.
//!
//! The engine records raw monthly cash flows per arm ([`Flow`]); this module
//! turns them into the budget items a finance officer reads ([`Item`]) per
//! budget year and in total, and computes the present value and break-even.

use crate::input::calendar::YearMonth;
use std::collections::BTreeMap;

/// Monthly rates of one benefit type, by year, with indexation beyond the years given.
#[derive(Debug, Clone, PartialEq)]
pub struct BenefitRates {
    /// Monthly rate (DKK) by calendar year, as given in the scenario.
    pub by_year: BTreeMap<i32, f64>,
    /// Yearly indexation used for years not given.
    pub indexation: f64,
}

impl BenefitRates {
    /// The monthly rate in `year`: the given figure, or the nearest earlier given
    /// year indexed forward, or (before the first given year) the first indexed back.
    pub fn rate(&self, year: i32) -> f64 {
        if let Some(v) = self.by_year.get(&year) {
            return *v;
        }
        let growth = 1.0 + self.indexation;
        match self.by_year.range(..year).next_back() {
            Some((y, v)) => v * growth.powi(year - y),
            None => {
                let (y, v) = self.by_year.iter().next().expect("validated: at least one rate");
                v / growth.powi(y - year)
            }
        }
    }

    /// Whether `year`'s rate is given in the scenario (false: it is indexed).
    pub fn is_given(&self, year: i32) -> bool {
        self.by_year.contains_key(&year)
    }
}

/// A state reimbursement regime.
#[derive(Debug, Clone, PartialEq)]
pub enum Reimbursement {
    /// The 2016 refusion staircase: the share falls with cumulative months on benefit.
    Staircase2016 {
        /// `(first cumulative month on benefit in the band, share)`, ascending from month 1.
        bands: Vec<(u32, f64)>,
        /// Months off benefit after which the cumulative count starts again.
        reset_after_months: u32,
    },
    /// Before 2016: one share for active, another for passive recipients.
    Pre2016 {
        /// Share for citizens in states reimbursed as active.
        active: f64,
        /// Share for everyone else on benefit.
        passive: f64,
    },
    /// No reimbursement.
    None,
}

/// The 2016 bands in months: month 1 80 %, months 2–6 40 %, 7–12 30 %, 13 on 20 %
/// (weeks 1–4, 5–26, 27–52, 53+; finansieringsloven § 5 stk. 2; docs/evidence.md, E-REF-4).
pub const BANDS_2016: [(u32, f64); 4] = [(1, 0.80), (2, 0.40), (7, 0.30), (13, 0.20)];

impl Reimbursement {
    /// The share reimbursed for a benefit month that is the citizen's
    /// `cumulative_month`-th on benefit (1-based), in a state that is or is not active.
    #[inline]
    pub fn share(&self, cumulative_month: u32, active: bool) -> f64 {
        match self {
            Reimbursement::Staircase2016 { bands, .. } => {
                let mut share = bands[0].1;
                for &(from, s) in bands.iter() {
                    if cumulative_month >= from {
                        share = s;
                    } else {
                        break;
                    }
                }
                share
            }
            Reimbursement::Pre2016 { active: a, passive: p } => {
                if active {
                    *a
                } else {
                    *p
                }
            }
            Reimbursement::None => 0.0,
        }
    }

    /// Months off benefit after which the 2016 count starts again (None for other regimes).
    pub fn reset_after(&self) -> Option<u32> {
        match self {
            Reimbursement::Staircase2016 { reset_after_months, .. } => Some(*reset_after_months),
            _ => None,
        }
    }

    /// A short name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Reimbursement::Staircase2016 { .. } => "2016 (refusion staircase by cumulative time on benefit)",
            Reimbursement::Pre2016 { .. } => "pre2016 (by activation status)",
            Reimbursement::None => "none",
        }
    }
}

/// A reimbursement regime that replaces the one before it from a calendar month within
/// the horizon (`[[budget.reimbursement.changes]]`), e.g. the 2016 staircase from 2016-01.
#[derive(Debug, Clone, PartialEq)]
pub struct ReimbursementChange {
    /// First calendar month the regime applies to.
    pub from: YearMonth,
    /// The regime in force from then.
    pub regime: Reimbursement,
}

/// Raw monthly cash flows recorded by the engine for one arm (DKK per month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Flow {
    /// Benefit paid.
    GrossBenefit,
    /// State reimbursement of benefit.
    Reimbursement,
    /// Activity costs (wage subsidy, mentor, course).
    ActivityCost,
    /// State reimbursement of activity costs.
    ActivityReimbursement,
    /// One-off costs on transitions.
    OneOffCost,
    /// Cost of baseline staff.
    BaselineStaffCost,
    /// Cost of the scenario's extra staff.
    ExtraStaffCost,
    /// External grant income (state pools, foundations).
    GrantIncome,
    /// Municipal income tax from citizens in employment.
    Tax,
    /// Equalisation loss from citizens in employment.
    Equalisation,
    /// State income tax from citizens in employment.
    StateTax,
    /// The part of the extra staff cost that external grants cover: for each grant
    /// and budget year, the smaller of the grant and the cost of the hires it funds.
    GrantCoveredStaffCost,
    /// The part of the extra staff cost paid from the municipality's own funds moved
    /// between budget years, found as for external grants: not income.
    OwnFunds,
    /// The value of existing staff assigned to the project (in-kind co-financing):
    /// reported, never a cash flow.
    InKind,
    /// The whole cost of the hires external grants fund, covered or not: what grant
    /// income may be set against when break-even is measured.
    GrantFundedStaffCost,
    /// Benefit not paid because the citizen earns (the full rate less the part paid
    /// in a state with `paid_benefit_share`): reported, already out of the gross benefit.
    EarningsOffset,
    /// The municipality's cost of educations it co-pays (`education_cost` of a state).
    EducationCost,
    /// State reimbursement of that cost (`education_cost_reimbursement`).
    EducationReimbursement,
    /// Result grants the state pays the municipality per citizen reaching an outcome.
    ResultGrant,
}

/// Number of [`Flow`] kinds.
pub const N_FLOWS: usize = 19;

/// The money of `[[grants]]` booked in one month of one arm (DKK), by funding kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MonthFunding {
    /// External grant income.
    pub grant_income: f64,
    /// The extra staff cost external grants cover.
    pub grant_covered_staff_cost: f64,
    /// The extra staff cost paid from own funds moved between budget years.
    pub own_funds: f64,
    /// The value of existing staff assigned to the project.
    pub in_kind: f64,
    /// The cost of the hires external grants fund.
    pub grant_funded_staff_cost: f64,
}

/// Budget items, derived from the flows, as reported per budget year and in total (DKK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// Benefit paid.
    GrossBenefit,
    /// State reimbursement of benefit.
    Reimbursement,
    /// Gross benefit minus reimbursement: the municipality's benefit cost.
    NetBenefit,
    /// Benefit not paid because citizens in partial-benefit states earn: the full
    /// rate less what is paid. Already out of the gross benefit; reported, not added.
    EarningsOffset,
    /// Activity costs net of any reimbursement.
    ActivityCost,
    /// The municipality's cost of educations it co-pays, net of any reimbursement.
    EducationCost,
    /// One-off costs on transitions.
    OneOffCost,
    /// All staff (baseline and extra).
    StaffCost,
    /// The scenario's extra staff only.
    ExtraStaffCost,
    /// External grant income: money from outside the municipality.
    GrantIncome,
    /// Result grants from the state per citizen reaching an outcome (resultattilskud):
    /// income that follows citizens, not staff.
    ResultGrant,
    /// The part of the extra staff cost paid from the municipality's own funds moved
    /// between budget years (a carry-over): part of co-financing, never income.
    OwnFunds,
    /// The part of the extra staff cost external grants do not cover: the
    /// municipality's cash share, own funds included.
    CoFinancing,
    /// The value of existing staff assigned to the project: the municipality's
    /// contribution in kind, outside every cost total (it is paid in both arms).
    InKind,
    /// Co-financing + in-kind: everything the municipality puts into the project.
    MunicipalContribution,
    /// Net benefit + activity + education + one-off + staff − external grant income −
    /// result grants: what the municipality pays.
    TotalNetCost,
    /// Municipal income tax from citizens in employment.
    Tax,
    /// Equalisation loss from citizens in employment.
    Equalisation,
    /// Total net cost − tax + equalisation: the wider municipal view.
    WiderNetCost,
    /// Gross benefit + activity + education + one-off + staff − municipal and state tax
    /// (state plus municipality; result grants move money within the public sector).
    PublicCost,
}

impl Item {
    /// Every item, in report order.
    pub const ALL: [Item; 20] = [
        Item::GrossBenefit,
        Item::Reimbursement,
        Item::NetBenefit,
        Item::EarningsOffset,
        Item::ActivityCost,
        Item::EducationCost,
        Item::OneOffCost,
        Item::StaffCost,
        Item::ExtraStaffCost,
        Item::GrantIncome,
        Item::ResultGrant,
        Item::OwnFunds,
        Item::CoFinancing,
        Item::InKind,
        Item::MunicipalContribution,
        Item::TotalNetCost,
        Item::Tax,
        Item::Equalisation,
        Item::WiderNetCost,
        Item::PublicCost,
    ];

    /// Column name in CSV files.
    pub fn key(self) -> &'static str {
        match self {
            Item::GrossBenefit => "gross_benefit",
            Item::Reimbursement => "reimbursement",
            Item::NetBenefit => "net_benefit",
            Item::EarningsOffset => "earnings_offset",
            Item::ActivityCost => "activity_cost",
            Item::EducationCost => "education_cost",
            Item::OneOffCost => "one_off_cost",
            Item::StaffCost => "staff_cost",
            Item::ExtraStaffCost => "extra_staff_cost",
            Item::GrantIncome => "grant_income",
            Item::ResultGrant => "result_grant",
            Item::OwnFunds => "own_funds",
            Item::CoFinancing => "co_financing",
            Item::InKind => "in_kind",
            Item::MunicipalContribution => "municipal_contribution",
            Item::TotalNetCost => "total_net_cost",
            Item::Tax => "municipal_tax",
            Item::Equalisation => "equalisation",
            Item::WiderNetCost => "wider_net_cost",
            Item::PublicCost => "public_cost",
        }
    }

    /// Label for people (English / Danish).
    pub fn label(self) -> &'static str {
        match self {
            Item::GrossBenefit => "Gross benefit / Bruttoydelse",
            Item::Reimbursement => "State reimbursement / Refusion",
            Item::NetBenefit => "Net benefit cost / Nettoudgift til ydelse",
            Item::EarningsOffset => "Benefit offset by earnings / Fradrag for arbejdsindtægt",
            Item::ActivityCost => "Activity cost / Aktiveringsudgift",
            Item::EducationCost => "Education the municipality co-pays / Kommunalt bidrag til uddannelse",
            Item::OneOffCost => "One-off costs / Engangsudgifter",
            Item::StaffCost => "Staff cost / Personaleudgift",
            Item::ExtraStaffCost => "Extra staff cost / Ekstra personale",
            Item::GrantIncome => "External grant income / Ekstern puljeindtægt",
            Item::ResultGrant => "State result grants / Resultattilskud",
            Item::OwnFunds => "Own funds moved between years / Overførselsmidler",
            Item::CoFinancing => "Co-financing in cash / Kontant medfinansiering",
            Item::InKind => "In-kind co-financing / Medfinansiering i form af personale",
            Item::MunicipalContribution => "Municipal contribution / Kommunalt bidrag",
            Item::TotalNetCost => "Municipal net cost / Kommunal nettoudgift",
            Item::Tax => "Municipal income tax / Kommuneskat",
            Item::Equalisation => "Equalisation / Udligning",
            Item::WiderNetCost => "Wider municipal net cost / Bredere kommunal nettoudgift",
            Item::PublicCost => "Public-sector cost / Offentlig udgift",
        }
    }

    /// Derives this item from summed flows over a period.
    fn of_flows(self, f: &[f64; N_FLOWS]) -> f64 {
        use Flow as F;
        let g = |x: F| f[x as usize];
        let staff = g(F::BaselineStaffCost) + g(F::ExtraStaffCost);
        let total = g(F::GrossBenefit) - g(F::Reimbursement) + g(F::ActivityCost)
            - g(F::ActivityReimbursement)
            + g(F::EducationCost)
            - g(F::EducationReimbursement)
            + g(F::OneOffCost)
            + staff
            - g(F::GrantIncome)
            - g(F::ResultGrant);
        match self {
            Item::GrossBenefit => g(F::GrossBenefit),
            Item::Reimbursement => g(F::Reimbursement),
            Item::NetBenefit => g(F::GrossBenefit) - g(F::Reimbursement),
            Item::EarningsOffset => g(F::EarningsOffset),
            Item::ActivityCost => g(F::ActivityCost) - g(F::ActivityReimbursement),
            Item::EducationCost => g(F::EducationCost) - g(F::EducationReimbursement),
            Item::OneOffCost => g(F::OneOffCost),
            Item::StaffCost => staff,
            Item::ExtraStaffCost => g(F::ExtraStaffCost),
            Item::GrantIncome => g(F::GrantIncome),
            Item::ResultGrant => g(F::ResultGrant),
            Item::OwnFunds => g(F::OwnFunds),
            Item::CoFinancing => g(F::ExtraStaffCost) - g(F::GrantCoveredStaffCost),
            Item::InKind => g(F::InKind),
            Item::MunicipalContribution => g(F::ExtraStaffCost) - g(F::GrantCoveredStaffCost) + g(F::InKind),
            Item::TotalNetCost => total,
            Item::Tax => g(F::Tax),
            Item::Equalisation => g(F::Equalisation),
            Item::WiderNetCost => total - g(F::Tax) + g(F::Equalisation),
            Item::PublicCost => {
                g(F::GrossBenefit) + g(F::ActivityCost) + g(F::EducationCost) + g(F::OneOffCost) + staff
                    - g(F::Tax)
                    - g(F::StateTax)
            }
        }
    }
}

/// The municipality's net cost in one month's (or a period's) flows: net benefit, net
/// activity cost, net education cost, one-off costs and all staff, less external grant
/// income and result grants (own funds and in-kind co-financing are not income).
pub fn municipal_net_cost(f: &[f64; N_FLOWS]) -> f64 {
    use Flow as F;
    let g = |x: F| f[x as usize];
    g(F::GrossBenefit) - g(F::Reimbursement) + g(F::ActivityCost) - g(F::ActivityReimbursement)
        + g(F::EducationCost)
        - g(F::EducationReimbursement)
        + g(F::OneOffCost)
        + g(F::BaselineStaffCost)
        + g(F::ExtraStaffCost)
        - g(F::GrantIncome)
        - g(F::ResultGrant)
}

/// Per budget year and in total, every [`Item`] for one arm of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetYears {
    /// Calendar years covered, in order.
    pub years: Vec<i32>,
    /// `values[y][i]`: item `Item::ALL[i]` in year `years[y]`.
    pub values: Vec<[f64; Item::ALL.len()]>,
    /// Every item over the whole horizon (co-financing is the sum over years).
    pub total: [f64; Item::ALL.len()],
}

/// Sums monthly flows (`flows[m]` for simulated month `m` = 0..horizon) into budget years.
pub fn items_for(start: YearMonth, flows: &[[f64; N_FLOWS]]) -> BudgetYears {
    let mut by_year: BTreeMap<i32, [f64; N_FLOWS]> = BTreeMap::new();
    for (m, f) in flows.iter().enumerate() {
        let year = start.add_months(m as i64).year;
        let acc = by_year.entry(year).or_insert([0.0; N_FLOWS]);
        for k in 0..N_FLOWS {
            acc[k] += f[k];
        }
    }
    let mut years = Vec::new();
    let mut values = Vec::new();
    let mut total = [0.0; Item::ALL.len()];
    for (year, f) in by_year {
        let mut row = [0.0; Item::ALL.len()];
        for (i, item) in Item::ALL.iter().enumerate() {
            row[i] = item.of_flows(&f);
            total[i] += row[i];
        }
        years.push(year);
        values.push(row);
    }
    BudgetYears { years, values, total }
}

/// The net benefit saving (counterfactual − scenario net benefit) split in two parts
/// that sum to it: the part from fewer benefit months, priced at the counterfactual's
/// municipal share, `(B_c − B_s)(1 − s_c)`, and the part from a changed reimbursement
/// share of the benefit the scenario still pays, `B_s (s_s − s_c)`, where `B` is the
/// gross benefit, `R` the reimbursement and `s = R / B` of each arm (0 with no benefit).
/// Arguments are `(B, R)` of the scenario and of the counterfactual; returns
/// `(from fewer months, from the share)`.
pub fn net_benefit_saving_split(scenario: (f64, f64), counterfactual: (f64, f64)) -> (f64, f64) {
    let ((b_s, r_s), (b_c, r_c)) = (scenario, counterfactual);
    let share = |b: f64, r: f64| if b != 0.0 { r / b } else { 0.0 };
    let (s_s, s_c) = (share(b_s, r_s), share(b_c, r_c));
    ((b_c - b_s) * (1.0 - s_c), b_s * (s_s - s_c))
}

/// Present value at the start year of amounts per budget year, discounting each
/// year `y` by `(1 + rate)^-(y - start_year)`.
pub fn present_value(start_year: i32, years: &[i32], amounts: &[f64], rate: f64) -> f64 {
    years.iter().zip(amounts).map(|(y, a)| a / (1.0 + rate).powi(y - start_year)).sum()
}

/// The first simulated month (1-based) from which the cumulative sum of a monthly
/// net effect is positive and stays so to the horizon; `None` if it is not positive
/// at the horizon (a scenario that changes nothing never breaks even). The break-even
/// month of a run reads the net effect that counts external grant income only as far
/// as it pays for the hires it funds ([`break_even_effect`]), so that a grant paid
/// ahead of its costs does not make a break-even month of its own.
pub fn break_even_month(monthly_net_effect: &[f64]) -> Option<usize> {
    let mut cumulative = 0.0;
    let mut since: Option<usize> = None;
    for (m, e) in monthly_net_effect.iter().enumerate() {
        cumulative += e;
        if cumulative > 0.0 {
            since.get_or_insert(m + 1);
        } else {
            since = None;
        }
    }
    since
}

/// The monthly net effect (counterfactual − scenario) that break-even is measured on:
/// the net cost with external grant income counted only as the hires it funds cost
/// money. Up to each month, the grant income counted is the smaller of the grant income
/// booked so far and the cost so far of the hires external grants fund, so money paid
/// ahead of its costs counts when those costs fall (a later year included), and money
/// beyond them (a kept surplus, a grant that funds no hire) never counts. Own funds
/// and hires the municipality pays are costs, as in the net cost.
pub fn break_even_effect(scenario: &[[f64; N_FLOWS]], counterfactual: &[[f64; N_FLOWS]]) -> Vec<f64> {
    let (sc, cf) = (break_even_net_cost(scenario), break_even_net_cost(counterfactual));
    cf.iter().zip(&sc).map(|(c, s)| c - s).collect()
}

/// One arm's monthly net cost with grant income counted as [`break_even_effect`] says.
fn break_even_net_cost(flows: &[[f64; N_FLOWS]]) -> Vec<f64> {
    use Flow as F;
    let (mut income, mut funded, mut counted) = (0.0, 0.0, 0.0);
    flows
        .iter()
        .map(|f| {
            let g = |x: F| f[x as usize];
            income += g(F::GrantIncome);
            funded += g(F::GrantFundedStaffCost);
            let counted_by_now = f64::min(income, funded);
            let counted_this_month = counted_by_now - counted;
            counted = counted_by_now;
            g(F::GrossBenefit) - g(F::Reimbursement) + g(F::ActivityCost) - g(F::ActivityReimbursement)
                + g(F::EducationCost)
                - g(F::EducationReimbursement)
                + g(F::OneOffCost)
                + g(F::BaselineStaffCost)
                + g(F::ExtraStaffCost)
                - g(F::ResultGrant)
                - counted_this_month
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_indexed_forward_and_back() {
        let r = BenefitRates { by_year: [(2015, 10_000.0), (2017, 12_000.0)].into(), indexation: 0.02 };
        assert_eq!(r.rate(2015), 10_000.0);
        assert!((r.rate(2016) - 10_200.0).abs() < 1e-9);
        assert_eq!(r.rate(2017), 12_000.0);
        assert!((r.rate(2019) - 12_000.0 * 1.02f64.powi(2)).abs() < 1e-9);
        assert!((r.rate(2014) - 10_000.0 / 1.02).abs() < 1e-9);
    }

    #[test]
    fn staircase_bands_follow_the_law() {
        let r = Reimbursement::Staircase2016 { bands: BANDS_2016.to_vec(), reset_after_months: 12 };
        let shares: Vec<f64> = (1..=14).map(|m| r.share(m, false)).collect();
        assert_eq!(shares, vec![0.8, 0.4, 0.4, 0.4, 0.4, 0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.2, 0.2]);
    }

    #[test]
    fn break_even_needs_to_stay_positive() {
        assert_eq!(break_even_month(&[-5.0, 2.0, 4.0, 1.0]), Some(3));
        assert_eq!(break_even_month(&[-5.0, 6.0, -3.0, 4.0]), Some(4));
        assert_eq!(break_even_month(&[-5.0, 6.0, -3.0]), None);
        assert_eq!(break_even_month(&[1.0, 1.0]), Some(1));
        assert_eq!(break_even_month(&[-5.0, 5.0, 1.0]), Some(3));
        assert_eq!(break_even_month(&[0.0, 0.0]), None);
    }

    #[test]
    fn co_financing_is_the_uncovered_staff_cost() {
        let mut f = [0.0; N_FLOWS];
        f[Flow::ExtraStaffCost as usize] = 1_000.0;
        f[Flow::GrantIncome as usize] = 700.0;
        f[Flow::GrantCoveredStaffCost as usize] = 700.0;
        let by = items_for(YearMonth::new(2020, 1).unwrap(), &[f]);
        let idx = Item::ALL.iter().position(|i| *i == Item::CoFinancing).unwrap();
        assert_eq!(by.total[idx], 300.0);
        let tot = Item::ALL.iter().position(|i| *i == Item::TotalNetCost).unwrap();
        assert_eq!(by.total[tot], 300.0);
    }
}
