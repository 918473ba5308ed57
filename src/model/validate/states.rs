//! `[[states]]`: unique ids, the flags that say what a state means, and its activity cost.

use super::Validator;
use crate::input::locate::KeyPath;
use crate::input::param::Role;
use crate::model::State;
use std::collections::HashSet;

impl Validator<'_> {
    /// The states, and their ids in file order (what transitions, segments and
    /// targets refer to).
    pub(super) fn states(&mut self) -> (Vec<State>, Vec<String>) {
        let f = &self.sc.file;
        let root = KeyPath::default();
        let ids: Vec<String> = f.states.iter().map(|s| s.id.clone()).collect();
        let mut seen = HashSet::new();
        let mut states = Vec::new();
        for (i, s) in f.states.iter().enumerate() {
            let k = root.key("states").index(i);
            if s.id.trim().is_empty() || s.id.contains(char::is_whitespace) {
                self.err(k.key("id"), "a state id must be a non-empty word without spaces", None);
            }
            if !seen.insert(s.id.clone()) {
                self.err(k.key("id"), format!("state `{}` is defined twice", s.id), None);
            }
            let activity_cost = self.param(k.key("activity_cost"), &s.activity_cost, Role::Amount);
            states.push(State {
                id: s.id.clone(),
                label: if s.label.is_empty() { s.id.clone() } else { s.label.clone() },
                pays_benefit: s.pays_benefit,
                self_supporting: s.self_supporting,
                employed: s.employed,
                education: s.education,
                activation: s.activation,
                reimbursed_as_active: s.reimbursed_as_active.unwrap_or(s.activation),
                activity_cost,
            });
            if s.pays_benefit && s.self_supporting {
                self.err(
                    k.key("self_supporting"),
                    "a state cannot both pay benefit and be self-supporting",
                    None,
                );
            }
        }
        (states, ids)
    }
}
