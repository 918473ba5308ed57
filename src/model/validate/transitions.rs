//! `[[transitions]]`: the states a move links, its probability (which may be
//! calibrated), staffing sensitivity, costs, placement hours and duration bands.

use super::Validator;
use crate::input::locate::KeyPath;
use crate::input::param::{Distribution, Role};
use crate::input::scenario::{DurationBand, TransitionDef};
use crate::model::{CalibratedKind, Transition};
use std::collections::HashSet;

impl Validator<'_> {
    /// The transitions, in file order; `state_ids` are the ids of the states.
    pub(super) fn transitions(&mut self, state_ids: &[String]) -> Vec<Transition> {
        let f = &self.sc.file;
        let root = KeyPath::default();
        let mut transitions = Vec::new();
        let mut tids = HashSet::new();
        for (i, t) in f.transitions.iter().enumerate() {
            let k = root.key("transitions").index(i);
            let from = self.state_ref(k.key("from"), &t.from, state_ids);
            let to = self.state_ref(k.key("to"), &t.to, state_ids);
            if t.from == t.to {
                self.err(k.key("to"), "a transition must lead to another state", None);
            }
            let id = t.key();
            if !tids.insert(id.clone()) {
                self.err(
                    k.key("id"),
                    format!("transition `{id}` is defined twice; give one of them a distinct `id`"),
                    None,
                );
            }
            let probability = self.param_calibratable(
                k.key("probability"),
                &t.probability,
                Role::Probability,
                CalibratedKind::Probability,
                format!("transitions.{id}.probability"),
            );
            let elasticity = self.transition_elasticity(&k, t);
            let one_off_cost = self.param(k.key("one_off_cost"), &t.one_off_cost, Role::Amount);
            let duration = self.duration_bands(&k, &t.duration);
            let hours = t.hours.as_ref().map(|h| self.param(k.key("hours"), h, Role::Hours));
            if t.hours.is_some() && f.staffing.as_ref().is_none_or(|s| s.capacity.is_none()) {
                self.err(
                    k.key("hours"),
                    "consultant hours per move need a [staffing.capacity] section giving the hours available",
                    None,
                );
            }
            transitions.push(Transition {
                id,
                from,
                to,
                probability,
                staffing_sensitive: t.staffing_sensitive,
                elasticity,
                one_off_cost,
                duration,
                hours,
            });
        }
        transitions
    }

    /// A transition's own elasticity, and whether staffing can affect it at all.
    fn transition_elasticity(&mut self, k: &KeyPath, t: &TransitionDef) -> Option<Distribution> {
        let elasticity = t.elasticity.as_ref().map(|e| self.param(k.key("elasticity"), e, Role::Elasticity));
        if t.elasticity.is_some() && !t.staffing_sensitive {
            self.err(
                k.key("elasticity"),
                "an elasticity only applies with `staffing_sensitive = true`",
                None,
            );
        }
        if t.staffing_sensitive && self.sc.file.staffing.is_none() {
            self.err(
                k.key("staffing_sensitive"),
                "a staffing-sensitive transition needs a [staffing] section",
                None,
            );
        }
        elasticity
    }

    /// Duration dependence: bands that start at month 1 or later and ascend, each
    /// with a non-negative rate multiplier.
    fn duration_bands(&mut self, k: &KeyPath, bands: &[DurationBand]) -> Vec<(u32, Distribution)> {
        let mut duration = Vec::new();
        let mut last = 0;
        for (j, b) in bands.iter().enumerate() {
            let kb = k.key("duration").index(j);
            if b.from_month <= last {
                self.err(
                    kb.key("from_month"),
                    format!(
                        "duration bands must start at month 1 or later and ascend; got {} after {last}",
                        b.from_month
                    ),
                    None,
                );
            }
            last = b.from_month;
            let d = self.param(kb.key("multiplier"), &b.multiplier, Role::Multiplier);
            duration.push((b.from_month, d));
        }
        duration
    }
}
