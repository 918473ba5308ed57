//! The money sections: `[budget.benefit_rates]`, `[[grants]]`, and the rest of
//! `[budget]` (the reimbursement regime, staff cost, activity-cost reimbursement,
//! discounting and the wider view).

use super::{Period, Validator};
use crate::budget::{BANDS_2016, BenefitRates, Reimbursement, ReimbursementChange};
use crate::input::locate::KeyPath;
use crate::input::param::{Bounds, Distribution, Role};
use crate::input::scenario::{
    FundingSource, GrantDef, Regime, ReimbursementDef, ResultGrantDef, Unspent, WiderDef,
};
use crate::model::{Budget, Grant, ResultGrant, Segment, Wider};
use std::collections::BTreeMap;

impl Validator<'_> {
    /// The benefit types (the keys of `[budget.benefit_rates]`, which segments refer
    /// to) and their monthly rates by year, in the same order.
    pub(super) fn benefit_rates(&mut self, period: Period) -> (Vec<String>, Vec<BenefitRates>) {
        let f = &self.sc.file;
        let benefit_types: Vec<String> = f.budget.benefit_rates.keys().cloned().collect();
        let mut benefit_rates = Vec::new();
        for (name, r) in &f.budget.benefit_rates {
            let k = KeyPath::parse("budget.benefit_rates").key(name);
            let mut by_year = BTreeMap::new();
            if r.rates.is_empty() {
                self.err(
                    k.key("rates"),
                    "give at least one year's monthly rate, e.g. rates = { 2019 = 11423 }",
                    None,
                );
            }
            for (y, amount) in &r.rates {
                if let Some(year) = self.year_key(k.key("rates").key(y), y) {
                    self.number(k.key("rates").key(y), *amount, Bounds::AMOUNT);
                    by_year.insert(year, *amount);
                }
            }
            self.number(k.key("indexation"), r.indexation, Bounds::INDEXATION);
            if by_year.is_empty() {
                by_year.insert(period.start.year, 0.0);
            }
            benefit_rates.push(BenefitRates { by_year, indexation: r.indexation });
        }
        (benefit_types, benefit_rates)
    }

    /// The grants, in file order: unique names, and amounts by budget year inside
    /// the simulated period.
    pub(super) fn grants(&mut self, period: Period) -> Vec<Grant> {
        let f = &self.sc.file;
        let grant_names: Vec<&str> = f.grants.iter().map(|g| g.name.as_str()).collect();
        let mut grants = Vec::new();
        for (i, g) in f.grants.iter().enumerate() {
            let k = KeyPath::default().key("grants").index(i);
            if grant_names.iter().filter(|n| **n == g.name).count() > 1 {
                self.err(k.key("name"), format!("grant `{}` is defined twice", g.name), None);
            }
            let amounts = self.grant_amounts(&k, g, period);
            if g.unspent == Unspent::Repaid && g.funding != FundingSource::External {
                self.err(
                    k.key("unspent"),
                    format!(
                        "`unspent` applies to external grants only; `funding = \"{}\"` is the municipality's own money, never paid back: remove `unspent`",
                        g.funding.key()
                    ),
                    None,
                );
            }
            grants.push(Grant {
                name: g.name.clone(),
                funding: g.funding,
                amounts,
                pays_for: g.pays_for.clone(),
                repaid: g.unspent == Unspent::Repaid,
            });
        }
        self.no_hire_funded_in_kind(&grants);
        grants
    }

    /// In-kind co-financing is existing staff, who are no hire: a hire's `funded_by`
    /// may not name an in-kind entry.
    fn no_hire_funded_in_kind(&mut self, grants: &[Grant]) {
        let Some(staffing) = &self.sc.file.staffing else { return };
        for (i, h) in staffing.hires.iter().enumerate() {
            if grants.iter().any(|g| g.name == h.funded_by && g.funding == FundingSource::InKind) {
                self.err(
                    KeyPath::default().key("staffing").key("hires").index(i).key("funded_by"),
                    format!(
                        "`{}` is in-kind co-financing (existing staff), which pays for no new hire; fund the hire by \"municipality\", an external grant or own funds",
                        h.funded_by
                    ),
                    None,
                );
            }
        }
    }

    /// A grant's amounts by budget year.
    fn grant_amounts(&mut self, k: &KeyPath, g: &GrantDef, period: Period) -> BTreeMap<i32, f64> {
        let Period { start, end, .. } = period;
        let mut amounts = BTreeMap::new();
        for (y, a) in &g.amounts {
            let ky = k.key("amounts").key(y);
            if let Some(year) = self.year_key(ky.clone(), y) {
                self.number(ky.clone(), *a, Bounds::AMOUNT);
                if year < start.year || year > end.year {
                    self.err(
                        ky,
                        format!("grant money for {year} falls outside the simulated period {start} to {end}"),
                        None,
                    );
                }
                amounts.insert(year, *a);
            }
        }
        amounts
    }

    /// The money rules: `benefit_rates` as resolved by [`Validator::benefit_rates`],
    /// and the rest of `[budget]`; a scenario `with_staffing` must give the cost of staff.
    pub(super) fn budget(
        &mut self,
        benefit_rates: Vec<BenefitRates>,
        with_staffing: bool,
        period: Period,
        benefit_types: &[String],
        segments: &[Segment],
    ) -> Budget {
        let f = &self.sc.file;
        let b = &f.budget;
        let kb = KeyPath::default().key("budget");
        let reimbursement = self.reimbursement(&kb.key("reimbursement"), &b.reimbursement);
        let reimbursement_changes =
            self.reimbursement_changes(&kb.key("reimbursement"), &reimbursement, period);
        let any_pre2016 = std::iter::once(&reimbursement)
            .chain(reimbursement_changes.iter().map(|c| &c.regime))
            .any(|r| matches!(r, Reimbursement::Pre2016 { .. }));
        if !any_pre2016 {
            for (i, s) in f.states.iter().enumerate() {
                if s.reimbursed_as_active.is_some() {
                    self.err(
                        KeyPath::default().key("states").index(i).key("reimbursed_as_active"),
                        "`reimbursed_as_active` only applies under the pre2016 reimbursement regime; remove it",
                        None,
                    );
                }
            }
        }
        let staff_cost_per_fte_year = match (&b.staff_cost_per_fte_year, with_staffing) {
            (Some(p), _) => self.param(kb.key("staff_cost_per_fte_year"), p, Role::Amount),
            (None, true) => {
                self.err(
                    kb.clone(),
                    "a scenario with [staffing] needs `staff_cost_per_fte_year` in [budget] (docs/evidence.md, E-STAFF-2: 600,000 DKK, Triangular(520k, 600k, 700k))",
                    Some("staff_cost_per_fte_year".into()),
                );
                Distribution::Fixed(0.0)
            }
            (None, false) => Distribution::Fixed(0.0),
        };
        self.number(kb.key("activity_cost_reimbursement"), b.activity_cost_reimbursement, Bounds::SHARE);
        self.number(kb.key("discount_rate"), b.discount_rate, Bounds::DISCOUNT_RATE);
        let (paid_benefit_share, education_cost) = self.state_money();
        let education_cost_reimbursement = self.education_cost_reimbursement(&kb, &education_cost);
        let result_grant = b
            .result_grant
            .as_ref()
            .map(|g| self.result_grant(&kb.key("result_grant"), g, benefit_types, segments));
        let wider = b.wider.as_ref().map(|w| self.wider(&kb.key("wider"), w));
        Budget {
            benefit_rates,
            reimbursement,
            reimbursement_changes,
            paid_benefit_share,
            education_cost,
            education_cost_reimbursement,
            result_grant,
            staff_cost_per_fte_year,
            activity_cost_reimbursement: b.activity_cost_reimbursement,
            discount_rate: b.discount_rate,
            wider,
        }
    }

    /// The states' own money keys: the share of the full benefit paid in a state where
    /// earnings offset part of it (only where benefit is paid), and the monthly cost of
    /// an education the municipality co-pays.
    fn state_money(&mut self) -> (Vec<Option<Distribution>>, Vec<Option<Distribution>>) {
        let f = &self.sc.file;
        let (mut paid, mut education) = (Vec::new(), Vec::new());
        for (i, s) in f.states.iter().enumerate() {
            let k = KeyPath::default().key("states").index(i);
            paid.push(s.paid_benefit_share.as_ref().map(|p| {
                if !s.pays_benefit {
                    self.err(
                        k.key("paid_benefit_share"),
                        format!(
                            "state `{}` pays no benefit, so no share of it can be paid; set `pays_benefit = true` or remove `paid_benefit_share`",
                            s.id
                        ),
                        None,
                    );
                }
                self.param(k.key("paid_benefit_share"), p, Role::Share)
            }));
            education.push(
                s.education_cost.as_ref().map(|p| self.param(k.key("education_cost"), p, Role::Amount)),
            );
        }
        (paid, education)
    }

    /// `education_cost_reimbursement`: required when some state has an `education_cost`,
    /// and only then.
    fn education_cost_reimbursement(&mut self, kb: &KeyPath, education_cost: &[Option<Distribution>]) -> f64 {
        let given = self.sc.file.budget.education_cost_reimbursement;
        let any_cost = education_cost.iter().any(Option::is_some);
        match (given, any_cost) {
            (Some(share), true) => {
                self.number(kb.key("education_cost_reimbursement"), share, Bounds::SHARE);
                share
            }
            (None, true) => {
                self.err(
                    kb.clone(),
                    "a state has `education_cost`: say which share of it the state reimburses with `education_cost_reimbursement` (0 when the municipality pays it all)",
                    Some("education_cost_reimbursement".into()),
                );
                0.0
            }
            (Some(_), false) => {
                self.err(
                    kb.key("education_cost_reimbursement"),
                    "no state has an `education_cost` to reimburse; give a state `education_cost` or remove this key",
                    None,
                );
                0.0
            }
            (None, false) => 0.0,
        }
    }

    /// `[budget.result_grant]`: the amount, the outcome that earns it, and the segments
    /// and benefit types it covers (names checked against the file's).
    fn result_grant(
        &mut self,
        kg: &KeyPath,
        g: &ResultGrantDef,
        benefit_types: &[String],
        segments: &[Segment],
    ) -> ResultGrant {
        let amount = self.param(kg.key("amount"), &g.amount, Role::Amount);
        let names: Vec<String> = segments.iter().map(|s| s.name.clone()).collect();
        let mut covered = vec![true; segments.len()];
        if let Some(list) = &g.segments {
            let mut listed = vec![false; segments.len()];
            for (i, name) in list.iter().enumerate() {
                match names.iter().position(|n| n == name) {
                    Some(gi) => listed[gi] = true,
                    None => self.err(
                        kg.key("segments").index(i),
                        format!("no segment is named `{name}`"),
                        crate::error::nearest(name, names.iter().map(String::as_str)),
                    ),
                }
            }
            covered.iter_mut().zip(&listed).for_each(|(c, l)| *c &= *l);
        }
        if let Some(list) = &g.benefit_types {
            let mut types = vec![false; benefit_types.len()];
            for (i, name) in list.iter().enumerate() {
                match benefit_types.iter().position(|n| n == name) {
                    Some(b) => types[b] = true,
                    None => self.err(
                        kg.key("benefit_types").index(i),
                        format!("no benefit type `{name}` in [budget.benefit_rates]"),
                        crate::error::nearest(name, benefit_types.iter().map(String::as_str)),
                    ),
                }
            }
            for (c, s) in covered.iter_mut().zip(segments) {
                *c &= types.get(s.benefit_type).copied().unwrap_or(false);
            }
        }
        ResultGrant { amount, paid_when: g.paid_when, segments: covered }
    }

    /// `[[budget.reimbursement.changes]]`: each a regime of its own, from a month after
    /// the start and after the change before it, within the horizon; every 2016 regime
    /// of the horizon restarts its count after the same months off benefit.
    fn reimbursement_changes(
        &mut self,
        kr: &KeyPath,
        first: &Reimbursement,
        period: Period,
    ) -> Vec<ReimbursementChange> {
        let f = &self.sc.file;
        let mut out: Vec<ReimbursementChange> = Vec::new();
        let mut resets: Vec<u32> = first.reset_after().into_iter().collect();
        for (i, c) in f.budget.reimbursement.changes.iter().enumerate() {
            let k = kr.key("changes").index(i);
            let previous = out.last().map(|p| p.from).unwrap_or(period.start);
            if c.from <= previous || c.from > period.end {
                let after = if out.is_empty() {
                    format!("the start {}", period.start)
                } else {
                    format!("the change before it ({previous})")
                };
                self.err(
                    k.key("from"),
                    format!(
                        "expected a month after {after} and no later than the last simulated month {}, got \"{}\"",
                        period.end, c.from
                    ),
                    None,
                );
            }
            let regime = self.reimbursement(&k, &c.regime_def());
            if let Some(r) = regime.reset_after() {
                if resets.iter().any(|&x| x != r) {
                    self.err(
                        k.key("reset_after_months"),
                        format!(
                            "every 2016 regime of the horizon must restart the count after the same months off benefit (one cumulative count runs across the change); the other gives {}",
                            resets[0]
                        ),
                        None,
                    );
                }
                resets.push(r);
            }
            out.push(ReimbursementChange { from: c.from, regime });
        }
        out
    }

    /// `[budget.reimbursement]`: the regime, and only the keys that belong to it.
    fn reimbursement(&mut self, kr: &KeyPath, r: &ReimbursementDef) -> Reimbursement {
        match r.regime {
            Regime::Staircase2016 => self.reimbursement_2016(kr, r),
            Regime::Pre2016 => self.reimbursement_pre2016(kr, r),
            Regime::None => {
                for (key, given) in [
                    ("bands", r.bands.is_some()),
                    ("active_rate", r.active_rate.is_some()),
                    ("passive_rate", r.passive_rate.is_some()),
                    ("reset_after_months", r.reset_after_months.is_some()),
                ] {
                    if given {
                        self.err(kr.key(key), format!("`{key}` has no effect with regime \"none\"; remove it or choose \"2016\" or \"pre2016\""), None);
                    }
                }
                Reimbursement::None
            }
        }
    }

    /// The 2016 staircase: bands of cumulative months on benefit (the law's by
    /// default) and the months off benefit after which the count restarts.
    fn reimbursement_2016(&mut self, kr: &KeyPath, r: &ReimbursementDef) -> Reimbursement {
        for (key, given) in
            [("active_rate", r.active_rate.is_some()), ("passive_rate", r.passive_rate.is_some())]
        {
            if given {
                self.err(
                    kr.key(key),
                    format!("`{key}` belongs to the pre2016 regime; the 2016 regime uses `bands`"),
                    None,
                );
            }
        }
        let bands: Vec<(u32, f64)> = match &r.bands {
            Some(bs) => bs.iter().map(|x| (x.from_month, x.rate)).collect(),
            None => BANDS_2016.to_vec(),
        };
        if bands.first().map(|x| x.0) != Some(1) {
            self.err(kr.key("bands"), "the first band must start at month 1", None);
        }
        for (i, w) in bands.windows(2).enumerate() {
            if w[1].0 <= w[0].0 {
                self.err(kr.key("bands").index(i + 1).key("from_month"), "bands must ascend", None);
            }
        }
        for (i, (_, rate)) in bands.iter().enumerate() {
            self.number(kr.key("bands").index(i).key("rate"), *rate, Bounds::SHARE);
        }
        let reset = r.reset_after_months.unwrap_or(12);
        if reset == 0 {
            self.err(kr.key("reset_after_months"), "expected at least 1 month", None);
        }
        Reimbursement::Staircase2016 { bands, reset_after_months: reset.max(1) }
    }

    /// Before 2016: one rate for citizens in active states and one for the rest.
    fn reimbursement_pre2016(&mut self, kr: &KeyPath, r: &ReimbursementDef) -> Reimbursement {
        if r.bands.is_some() {
            self.err(
                kr.key("bands"),
                "`bands` belong to the 2016 regime; pre2016 uses `active_rate` and `passive_rate`",
                None,
            );
        }
        if r.reset_after_months.is_some() {
            self.err(
                kr.key("reset_after_months"),
                "`reset_after_months` belongs to the 2016 regime; remove it",
                None,
            );
        }
        let mut get = |key: &str, v: Option<f64>| match v {
            Some(x) if self.number(kr.key(key), x, Bounds::SHARE) => x,
            Some(_) => 0.0,
            None => {
                self.err(kr.key("regime"), format!("the pre2016 regime needs `{key}` (e.g. 0.65 active / 0.35 passive for 2006–2010, 0.50 / 0.30 for 2011–2015; docs/evidence.md, E-REF-2 and E-REF-3)"), Some(key.to_string()));
                0.0
            }
        };
        let active = get("active_rate", r.active_rate);
        let passive = get("passive_rate", r.passive_rate);
        Reimbursement::Pre2016 { active, passive }
    }

    /// `[budget.wider]`: tax and equalisation per citizen-month in employment.
    fn wider(&mut self, kw: &KeyPath, w: &WiderDef) -> Wider {
        Wider {
            tax: self.param(kw.key("tax_per_employed_month"), &w.tax_per_employed_month, Role::Amount),
            equalisation: self.param(
                kw.key("equalisation_per_employed_month"),
                &w.equalisation_per_employed_month,
                Role::Amount,
            ),
            state_tax: self.param(
                kw.key("state_tax_per_employed_month"),
                &w.state_tax_per_employed_month,
                Role::Amount,
            ),
        }
    }
}
