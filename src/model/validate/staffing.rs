//! `[staffing]`: baseline staff and the caseload effect, the hires of the scenario
//! arm (`[[staffing.hires]]`) and placement capacity (`[staffing.capacity]`).

use super::{Period, Validator};
use crate::error::nearest;
use crate::input::locate::KeyPath;
use crate::input::param::{Bounds, Role};
use crate::input::scenario::{CapacityDef, HireDef, Serves, StaffingDef};
use crate::model::{Capacity, Funder, Grant, Hire, Staffing};
use crate::numbers::fmt_num;

impl Validator<'_> {
    /// Staffing, if the scenario has a `[staffing]` section; `grants` are the
    /// grants hires may be funded by.
    pub(super) fn staffing(&mut self, grants: &[Grant], period: Period) -> Option<Staffing> {
        let f = &self.sc.file;
        let staffing = f.staffing.as_ref().map(|s| self.staffing_section(s, grants, period));
        if let Some(st) = &staffing
            && st.baseline_fte == 0.0
            && !st.hires.iter().any(|h| h.fte > 0.0)
        {
            self.err(
                KeyPath::default().key("staffing").key("baseline_fte"),
                "the unit has no staff: give a baseline FTE or hires",
                None,
            );
        }
        staffing
    }

    /// The `[staffing]` section's own keys, then its hires and capacity.
    fn staffing_section(&mut self, s: &StaffingDef, grants: &[Grant], period: Period) -> Staffing {
        let k = KeyPath::default().key("staffing");
        self.number(k.key("baseline_fte"), s.baseline_fte, Bounds::FTE);
        self.number(k.key("caseload_ref"), s.caseload_ref, Bounds::CASELOAD);
        let elasticity = self.param(k.key("elasticity"), &s.elasticity, Role::Elasticity);
        self.number(k.key("multiplier_min"), s.multiplier_min, Bounds::MULTIPLIER_MIN);
        self.number(k.key("multiplier_max"), s.multiplier_max, Bounds::MULTIPLIER_MAX);
        let hires: Vec<Hire> = s
            .hires
            .iter()
            .enumerate()
            .map(|(i, h)| self.hire(&k.key("hires").index(i), h, s, grants, period))
            .collect();
        let capacity = s.capacity.as_ref().map(|c| self.capacity(&k.key("capacity"), c, s));
        self.cuts_leave_staff(&k, s, &hires, period);
        Staffing {
            baseline_fte: s.baseline_fte,
            caseload_ref: s.caseload_ref,
            elasticity,
            multiplier_min: s.multiplier_min,
            multiplier_max: s.multiplier_max,
            hires,
            capacity,
        }
    }

    /// One hire: its FTE, employment inside the simulation, who pays, and what it serves.
    fn hire(&mut self, kh: &KeyPath, h: &HireDef, s: &StaffingDef, grants: &[Grant], period: Period) -> Hire {
        let Period { start, end, .. } = period;
        self.number(kh.key("fte"), h.fte, Bounds::HIRE_FTE);
        if h.fte < 0.0 {
            self.cut(kh, h);
        }
        if h.start > end {
            self.err(
                kh.key("start"),
                format!("the hire starts {} but the simulation ends {end}", h.start),
                None,
            );
        }
        let hend = h.end.unwrap_or(end);
        if hend < h.start {
            self.err(kh.key("end"), format!("the hire ends {hend}, before it starts {}", h.start), None);
        }
        if hend < start {
            self.err(
                kh.key("end"),
                format!("the hire ends {hend}, before the simulation starts {start}"),
                None,
            );
        }
        let funded_by = self.funder(kh, h, grants);
        if h.serves.placements() && s.capacity.is_none() {
            self.err(
                kh.key("serves"),
                "a hire that serves placements needs a [staffing.capacity] section (the placement \
                 hours it adds to)",
                Some("caseload".into()),
            );
        }
        Hire {
            name: h.name.clone(),
            fte: h.fte,
            start: h.start,
            end: hend,
            ramp_up_months: h.ramp_up_months,
            funded_by,
            serves: h.serves,
        }
    }

    /// A cut (negative `fte`): it takes effect in its first month and saves the
    /// municipality's money, so it has no ramp-up and no grant.
    fn cut(&mut self, kh: &KeyPath, h: &HireDef) {
        if h.ramp_up_months > 0 {
            self.err(
                kh.key("ramp_up_months"),
                format!(
                    "a cut (fte = {}) takes effect in its first month: ramp_up_months must be 0, got {}",
                    fmt_num(h.fte),
                    h.ramp_up_months
                ),
                None,
            );
        }
        if h.funded_by != "municipality" {
            self.err(
                kh.key("funded_by"),
                format!(
                    "a cut (fte = {}) saves the municipality's staff cost; a grant cannot fund it: write \
                     funded_by = \"municipality\" or leave the key out",
                    fmt_num(h.fte)
                ),
                Some("municipality".into()),
            );
        }
    }

    /// Every cut leaves staff: in each month a cut is in effect, the baseline and the
    /// hires employed then sum to more than 0 caseworker FTE (for a cut that serves
    /// caseload) and placement FTE (for one that serves placements). A problem at the
    /// first cut in effect in the first month that has too few.
    fn cuts_leave_staff(&mut self, k: &KeyPath, s: &StaffingDef, hires: &[Hire], period: Period) {
        self.staff_left(k, hires, period, "caseworker", s.baseline_fte, Serves::caseload);
        let placement_baseline = s.capacity.as_ref().map_or(0.0, |c| c.placement_fte);
        self.staff_left(k, hires, period, "placement", placement_baseline, Serves::placements);
    }

    /// The check of [`Self::cuts_leave_staff`] for one kind of staff: `baseline` FTE,
    /// and the hires and cuts that `serves` that kind.
    fn staff_left(
        &mut self,
        k: &KeyPath,
        hires: &[Hire],
        period: Period,
        what: &str,
        baseline: f64,
        serves: fn(Serves) -> bool,
    ) {
        for m in 0..period.horizon {
            let ym = period.start.add_months(m as i64);
            let active = |h: &&Hire| serves(h.serves) && h.employed_fte(ym) != 0.0;
            let Some(cut) = hires.iter().position(|h| h.fte < 0.0 && active(&h)) else { continue };
            let change: f64 = hires.iter().filter(active).map(|h| h.fte * h.productivity(ym)).sum();
            if baseline + change > 0.0 {
                continue;
            }
            self.err(
                k.key("hires").index(cut).key("fte"),
                format!(
                    "the cuts leave {} {what} FTE in {ym} (baseline {}, hires and cuts then {}): a cut must \
                     leave some staff, so cut less than the baseline",
                    fmt_num(baseline + change),
                    fmt_num(baseline),
                    signed(change)
                ),
                None,
            );
            return;
        }
    }

    /// Who pays for a hire: the municipality, or a grant named in `[[grants]]`.
    fn funder(&mut self, kh: &KeyPath, h: &HireDef, grants: &[Grant]) -> Funder {
        if h.funded_by == "municipality" {
            return Funder::Municipality;
        }
        match grants.iter().position(|g| g.name == h.funded_by) {
            Some(g) => Funder::Grant(g),
            None => {
                let mut cands: Vec<&str> = grants.iter().map(|g| g.name.as_str()).collect();
                cands.push("municipality");
                let sug = nearest(&h.funded_by, cands.iter().copied());
                self.err(
                    kh.key("funded_by"),
                    format!(
                        "no grant `{}`; expected \"municipality\" or the name of a [[grants]] entry",
                        h.funded_by
                    ),
                    sug,
                );
                Funder::Municipality
            }
        }
    }

    /// `[staffing.capacity]`: someone to make placements and transitions that use them.
    fn capacity(&mut self, kc: &KeyPath, c: &CapacityDef, s: &StaffingDef) -> Capacity {
        self.number(kc.key("placement_fte"), c.placement_fte, Bounds::FTE);
        self.number(kc.key("hours_per_fte_month"), c.hours_per_fte_month, Bounds::HOURS_PER_MONTH);
        if c.placement_fte == 0.0 && !s.hires.iter().any(|h| h.serves.placements()) {
            self.err(
                kc.key("placement_fte"),
                "no one makes placements: give placement_fte, or hires with serves = \"placements\" or \"both\"",
                None,
            );
        }
        if !self.sc.file.transitions.iter().any(|t| t.hours.is_some()) {
            self.err(
                kc.clone(),
                "no transition uses placement hours: give `hours` on the placement transitions",
                None,
            );
        }
        Capacity {
            placement_fte: c.placement_fte,
            hours_per_fte_month: c.hours_per_fte_month,
            placement_share: self.param(kc.key("placement_share"), &c.placement_share, Role::Share),
        }
    }
}

/// A number with its sign: `+2`, `-3`, `0`.
fn signed(v: f64) -> String {
    if v > 0.0 { format!("+{}", fmt_num(v)) } else { fmt_num(v) }
}
