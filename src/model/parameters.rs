//! The model's uncertain parameters as one table: every parameter given as a
//! distribution, with the key that names it and the place its drawn value feeds.
//!
//! The table is built once, when the model is built, so the parameters' keys are
//! formatted in one place: the replication's draws walk it by index and write each value
//! into its [`Slot`], each parameter's random stream is keyed by its [`Parameter::key`],
//! and the parameters written to the result files, calibration and the part files read
//! their names from it.

use super::Model;
use crate::input::param::Distribution;

/// Where a parameter's drawn value goes in a replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Monthly activity cost of state `state` (`states.<id>.activity_cost`).
    ActivityCost {
        /// State index.
        state: usize,
    },
    /// Monthly probability of transition `transition` (`transitions.<id>.probability`).
    Probability {
        /// Transition index.
        transition: usize,
    },
    /// Own staffing elasticity of a transition (`transitions.<id>.elasticity`).
    Elasticity {
        /// Transition index.
        transition: usize,
    },
    /// One-off cost of a move along a transition (`transitions.<id>.one_off_cost`).
    OneOffCost {
        /// Transition index.
        transition: usize,
    },
    /// Rate multiplier of duration entry `entry` of a transition
    /// (`transitions.<id>.duration.<entry>`).
    Duration {
        /// Transition index.
        transition: usize,
        /// Index in the transition's duration list.
        entry: usize,
    },
    /// Consultant hours per move along a transition (`transitions.<id>.hours`).
    Hours {
        /// Transition index.
        transition: usize,
    },
    /// A segment's multiplier on a transition's rate
    /// (`segments.<name>.multipliers.<transition id>`).
    SegmentMultiplier {
        /// Segment index.
        segment: usize,
        /// Transition index.
        transition: usize,
    },
    /// A segment's own probability of a transition
    /// (`segments.<name>.overrides.<transition id>`).
    SegmentOverride {
        /// Segment index.
        segment: usize,
        /// Transition index.
        transition: usize,
    },
    /// Monthly probability of a move between segments
    /// (`segment_moves.<from>-><to>.probability`).
    SegmentMove {
        /// Index into [`Model::segment_moves`].
        index: usize,
    },
    /// The staffing elasticity of the transitions without one of their own
    /// (`staffing.elasticity`).
    StaffingElasticity,
    /// Share of placement staff's hours spent on placements
    /// (`staffing.capacity.placement_share`).
    PlacementShare,
    /// Staff cost per FTE-year (`budget.staff_cost_per_fte_year`).
    StaffCost,
    /// Municipal tax per employed month (`budget.wider.tax_per_employed_month`).
    Tax,
    /// Equalisation loss per employed month (`budget.wider.equalisation_per_employed_month`).
    Equalisation,
    /// State tax per employed month (`budget.wider.state_tax_per_employed_month`).
    StateTax,
    /// Share of the full benefit paid in state `state` (`states.<id>.paid_benefit_share`).
    PaidBenefitShare {
        /// State index.
        state: usize,
    },
    /// Monthly education cost of state `state` (`states.<id>.education_cost`).
    EducationCost {
        /// State index.
        state: usize,
    },
    /// Result grant per citizen (`budget.result_grant.amount`).
    ResultGrant,
}

/// One uncertain parameter of the model.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// The parameter's name in results, calibration and random streams, e.g.
    /// `transitions.job_ready->job.probability`.
    pub key: String,
    /// The distribution it is drawn from in each replication.
    pub distribution: Distribution,
    /// What its drawn value feeds.
    pub slot: Slot,
}

/// Every uncertain parameter of a model, in a fixed order: states, transitions,
/// segments, segment moves, staffing, budget. The order is the order of the draws and of the
/// recorded parameter values of a replication.
#[derive(Debug, Clone, Default)]
pub struct ParameterTable {
    parameters: Vec<Parameter>,
}

impl ParameterTable {
    /// The table of a model's parameters.
    pub fn new(model: &Model) -> ParameterTable {
        let mut table = ParameterTable::default();
        for (state, s) in model.states.iter().enumerate() {
            table.push(
                format!("states.{}.activity_cost", s.id),
                &s.activity_cost,
                Slot::ActivityCost { state },
            );
        }
        for (transition, t) in model.transitions.iter().enumerate() {
            let key = |what: &str| format!("transitions.{}.{what}", t.id);
            table.push(key("probability"), &t.probability, Slot::Probability { transition });
            if let Some(e) = &t.elasticity {
                table.push(key("elasticity"), e, Slot::Elasticity { transition });
            }
            table.push(key("one_off_cost"), &t.one_off_cost, Slot::OneOffCost { transition });
            for (entry, (_, d)) in t.duration.iter().enumerate() {
                table.push(key(&format!("duration.{entry}")), d, Slot::Duration { transition, entry });
            }
            if let Some(h) = &t.hours {
                table.push(key("hours"), h, Slot::Hours { transition });
            }
        }
        for (segment, g) in model.segments.iter().enumerate() {
            let key =
                |what: &str, t: usize| format!("segments.{}.{what}.{}", g.name, model.transitions[t].id);
            for &(transition, ref d) in &g.multipliers {
                let slot = Slot::SegmentMultiplier { segment, transition };
                table.push(key("multipliers", transition), d, slot);
            }
            for &(transition, ref d) in &g.overrides {
                let slot = Slot::SegmentOverride { segment, transition };
                table.push(key("overrides", transition), d, slot);
            }
        }
        for (index, mv) in model.segment_moves.iter().enumerate() {
            let key = format!("segment_moves.{}.probability", mv.id);
            table.push(key, &mv.probability, Slot::SegmentMove { index });
        }
        if let Some(st) = &model.staffing {
            table.push("staffing.elasticity".into(), &st.elasticity, Slot::StaffingElasticity);
            if let Some(c) = &st.capacity {
                table.push(
                    "staffing.capacity.placement_share".into(),
                    &c.placement_share,
                    Slot::PlacementShare,
                );
            }
        }
        let budget = &model.budget;
        table.push("budget.staff_cost_per_fte_year".into(), &budget.staff_cost_per_fte_year, Slot::StaffCost);
        if let Some(w) = &budget.wider {
            table.push("budget.wider.tax_per_employed_month".into(), &w.tax, Slot::Tax);
            table.push(
                "budget.wider.equalisation_per_employed_month".into(),
                &w.equalisation,
                Slot::Equalisation,
            );
            table.push("budget.wider.state_tax_per_employed_month".into(), &w.state_tax, Slot::StateTax);
        }
        for (state, s) in model.states.iter().enumerate() {
            if let Some(d) = &budget.paid_benefit_share[state] {
                table.push(
                    format!("states.{}.paid_benefit_share", s.id),
                    d,
                    Slot::PaidBenefitShare { state },
                );
            }
            if let Some(d) = &budget.education_cost[state] {
                table.push(format!("states.{}.education_cost", s.id), d, Slot::EducationCost { state });
            }
        }
        if let Some(g) = &budget.result_grant {
            table.push("budget.result_grant.amount".into(), &g.amount, Slot::ResultGrant);
        }
        table
    }

    fn push(&mut self, key: String, distribution: &Distribution, slot: Slot) {
        self.parameters.push(Parameter { key, distribution: distribution.clone(), slot });
    }

    /// Every parameter, fixed ones included, in the table's order.
    pub fn iter(&self) -> std::slice::Iter<'_, Parameter> {
        self.parameters.iter()
    }

    /// How many parameters the table holds, fixed ones included.
    pub fn len(&self) -> usize {
        self.parameters.len()
    }

    /// Whether the model has no parameters.
    pub fn is_empty(&self) -> bool {
        self.parameters.is_empty()
    }

    /// The parameters whose value varies between replications (not fixed): the ones a
    /// replication records, in its order.
    pub fn sampled(&self) -> impl Iterator<Item = &Parameter> {
        self.parameters.iter().filter(|p| !p.distribution.is_fixed())
    }

    /// The parameter named `key`, if the model has it.
    pub fn get(&self, key: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.key == key)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Model;

    /// Every shipped scenario: the keys are unique, and every parameter marked for
    /// calibration names an entry of the table (calibration substitutes its draws by key).
    #[test]
    fn keys_are_unique_and_name_every_calibrated_parameter() {
        let mut checked = 0;
        for entry in std::fs::read_dir("scenarios").expect("the shipped scenarios") {
            let path = entry.expect("a scenario file").path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let (_, model) = Model::load(&path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            let table = &model.parameters;
            let mut keys: Vec<&str> = table.iter().map(|p| p.key.as_str()).collect();
            keys.sort_unstable();
            let n = keys.len();
            keys.dedup();
            assert_eq!(keys.len(), n, "{}: two parameters with one key", path.display());
            for c in &model.calibration {
                assert!(
                    table.get(&c.key).is_some(),
                    "{}: calibrated `{}` not in the table",
                    path.display(),
                    c.key
                );
            }
            checked += model.calibration.len();
        }
        assert!(checked > 0, "no shipped scenario marks a parameter for calibration");
    }
}
