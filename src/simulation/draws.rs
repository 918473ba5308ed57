//! The random streams and the parameters drawn once per replication.
//!
//! Each (seed, replication, parameter) and each (seed, replication, engine purpose) has
//! a stream of its own, so that changing one parameter's distribution does not change
//! the draws of others, and results do not depend on the number of threads. Replications
//! come in outer draws of `I` inner replications each (the run's inner replications):
//! replication `r` draws its parameters from stream `r / I` of each parameter and its
//! chance from stream `r` of each engine purpose, so the `I` cohorts of one outer draw
//! share their parameters and differ only by chance. A stream's
//! ChaCha8 key is the SHA-256 of the seed and the stream's name (the parameter's key in
//! the model's [`ParameterTable`](crate::model::parameters::ParameterTable), or the
//! purpose's name); the replication selects the ChaCha8 stream within the key.

use crate::model::Model;
use crate::model::parameters::Slot;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// Keys of the model's sampled (not fixed) parameters, in the order of
/// [`Replication::params`](super::records::Replication::params).
pub fn parameter_keys(model: &Model) -> Vec<String> {
    model.parameters.sampled().map(|p| p.key.clone()).collect()
}

/// What an engine's own stream is for. Its name keys the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// The individual engine's uniform number per citizen-month.
    Citizens,
    /// The individual engine's numbers of citizens whose arms have parted.
    Decoupled,
    /// The individual engine's salt of the placement queue's priorities.
    Queue,
    /// The count engine's stream.
    CountEngine,
    /// The individual engine's uniform number per citizen-month for moves between segments.
    SegmentMoves,
}

impl Purpose {
    const ALL: [Purpose; 5] =
        [Purpose::Citizens, Purpose::Decoupled, Purpose::Queue, Purpose::CountEngine, Purpose::SegmentMoves];

    /// The stream's name, hashed into its key.
    fn name(self) -> &'static str {
        match self {
            Purpose::Citizens => "citizens",
            Purpose::Decoupled => "decoupled",
            Purpose::Queue => "queue",
            Purpose::CountEngine => "count-engine",
            Purpose::SegmentMoves => "segment-moves",
        }
    }
}

/// The ChaCha8 keys of every stream of a run with one seed: one per parameter of the
/// model's table (by index) and one per [`Purpose`]. Hashed once per run, so that a
/// replication's draws cost no SHA-256.
pub(crate) struct Streams {
    parameters: Vec<[u8; 32]>,
    purposes: [[u8; 32]; Purpose::ALL.len()],
    inner_replications: u32,
}

impl Streams {
    /// The keys of the streams of `model` with `seed`, one replication per outer draw.
    pub(crate) fn new(model: &Model, seed: u64) -> Streams {
        Streams::nested(model, seed, 1)
    }

    /// The keys of the streams of `model` with `seed`, `inner_replications` (at least 1)
    /// replications per outer draw of the parameters.
    pub(crate) fn nested(model: &Model, seed: u64, inner_replications: u32) -> Streams {
        Streams {
            parameters: model.parameters.iter().map(|p| stream_key(seed, &p.key)).collect(),
            purposes: Purpose::ALL.map(|p| stream_key(seed, p.name())),
            inner_replications: inner_replications.max(1),
        }
    }

    /// The outer draw of the parameters that `replication` belongs to.
    pub(crate) fn outer_draw(&self, replication: u32) -> u32 {
        replication / self.inner_replications
    }

    /// The stream of parameter `index` of the model's table in outer draw `outer`.
    pub(crate) fn parameter(&self, index: usize, outer: u32) -> ChaCha8Rng {
        keyed(self.parameters[index], outer)
    }

    /// The stream of an engine's `purpose` in `replication`.
    pub(crate) fn purpose(&self, purpose: Purpose, replication: u32) -> ChaCha8Rng {
        keyed(self.purposes[purpose as usize], replication)
    }
}

/// The ChaCha8 key of the streams named `name` with `seed`: SHA-256 of both.
fn stream_key(seed: u64, name: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update(name.as_bytes());
    h.finalize().into()
}

/// Stream `replication` of a ChaCha8 key.
fn keyed(key: [u8; 32], replication: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(replication as u64);
    rng
}

/// Parameter values drawn for one replication, laid out for the engine.
pub(crate) struct Drawn {
    /// Monthly activity cost per citizen, per state.
    pub(crate) activity_cost: Vec<f64>,
    /// One-off cost per move, per transition.
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
    /// Monthly probability of each move between segments, per [`Model::segment_moves`].
    pub(crate) segment_moves: Vec<f64>,
    /// Staff cost per FTE-year.
    pub(crate) staff_cost: f64,
    /// Municipal tax, equalisation loss and state tax per employed month (0 without
    /// the wider view).
    pub(crate) tax: f64,
    pub(crate) equalisation: f64,
    pub(crate) state_tax: f64,
    /// Share of the full benefit paid, per state (1 where the full benefit is paid).
    pub(crate) paid_benefit_share: Vec<f64>,
    /// The municipality's monthly education cost per citizen, per state.
    pub(crate) education_cost: Vec<f64>,
    /// Result grant per citizen reaching its outcome (0 without one).
    pub(crate) result_grant: f64,
    /// Values of the sampled parameters, in [`parameter_keys`] order.
    pub(crate) recorded: Vec<f64>,
}

/// The hazard rate of a monthly probability.
fn rate_of(p: f64) -> f64 {
    -(1.0 - p).ln()
}

/// The values of the parameters that the engine reads only once they are combined
/// (rates, effective elasticities, placement hours), as drawn.
struct Combined {
    probability: Vec<f64>,
    own_elasticity: Vec<Option<f64>>,
    /// (segment, transition, value), in the table's order.
    multipliers: Vec<(usize, usize, f64)>,
    overrides: Vec<(usize, usize, f64)>,
    placement_share: f64,
}

/// Draws every parameter of the model for replication `rep`, each from its own
/// stream at the replication's outer draw, and lays the values out for the engine.
pub(crate) fn draw(model: &Model, streams: &Streams, rep: u32) -> Drawn {
    let outer = streams.outer_draw(rep);
    let nt = model.transitions.len();
    let mut drawn = Drawn {
        activity_cost: vec![0.0; model.states.len()],
        one_off: vec![0.0; nt],
        elasticity: Vec::new(),
        seg_rate: Vec::new(),
        duration: model.transitions.iter().map(|t| vec![0.0; t.duration.len()]).collect(),
        default_elasticity: 0.0,
        hours: vec![f64::NAN; nt],
        hours_per_placement_fte: 0.0,
        segment_moves: vec![0.0; model.segment_moves.len()],
        staff_cost: 0.0,
        tax: 0.0,
        equalisation: 0.0,
        state_tax: 0.0,
        paid_benefit_share: vec![1.0; model.states.len()],
        education_cost: vec![0.0; model.states.len()],
        result_grant: 0.0,
        recorded: Vec::new(),
    };
    let mut combined = Combined {
        probability: vec![0.0; nt],
        own_elasticity: vec![None; nt],
        multipliers: Vec::new(),
        overrides: Vec::new(),
        placement_share: 0.0,
    };
    let overridden = !model.draw_overrides.is_empty();
    for (i, p) in model.parameters.iter().enumerate() {
        let fixed = p.distribution.is_fixed();
        let replaced = if overridden { model.draw_overrides.get(&p.key) } else { None };
        let v = if let Some(o) = replaced {
            // Calibration's candidate distribution, drawn as its quantile at this
            // parameter's own uniform number: the same number in every evaluation.
            let mut rng = streams.parameter(i, outer);
            let u = ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
            o.quantile(u)
        } else if fixed {
            p.distribution.mean()
        } else {
            p.distribution.sample(&mut streams.parameter(i, outer))
        };
        if !fixed {
            drawn.recorded.push(v);
        }
        match p.slot {
            Slot::ActivityCost { state } => drawn.activity_cost[state] = v,
            Slot::Probability { transition } => combined.probability[transition] = v,
            Slot::Elasticity { transition } => combined.own_elasticity[transition] = Some(v),
            Slot::OneOffCost { transition } => drawn.one_off[transition] = v,
            Slot::Duration { transition, entry } => drawn.duration[transition][entry] = v,
            Slot::Hours { transition } => drawn.hours[transition] = v,
            Slot::SegmentMultiplier { segment, transition } => {
                combined.multipliers.push((segment, transition, v))
            }
            Slot::SegmentOverride { segment, transition } => {
                combined.overrides.push((segment, transition, v))
            }
            Slot::SegmentMove { index } => drawn.segment_moves[index] = v,
            Slot::StaffingElasticity => drawn.default_elasticity = v,
            Slot::PlacementShare => combined.placement_share = v,
            Slot::StaffCost => drawn.staff_cost = v,
            Slot::Tax => drawn.tax = v,
            Slot::Equalisation => drawn.equalisation = v,
            Slot::StateTax => drawn.state_tax = v,
            Slot::PaidBenefitShare { state } => drawn.paid_benefit_share[state] = v,
            Slot::EducationCost { state } => drawn.education_cost[state] = v,
            Slot::ResultGrant => drawn.result_grant = v,
        }
    }
    combine(model, &mut drawn, combined);
    drawn
}

/// Sets the values that combine several parameters: each segment's rates (its
/// overrides replace a transition's probability, then its multipliers scale the rate),
/// each transition's effective elasticity and the placement hours per FTE-month.
fn combine(model: &Model, drawn: &mut Drawn, combined: Combined) {
    let base_rate: Vec<f64> = combined.probability.iter().map(|&p| rate_of(p)).collect();
    drawn.seg_rate = Vec::with_capacity(model.segments.len() * base_rate.len());
    for g in 0..model.segments.len() {
        let mut r = base_rate.clone();
        for &(_, t, v) in combined.overrides.iter().filter(|o| o.0 == g) {
            r[t] = rate_of(v);
        }
        for &(_, t, v) in combined.multipliers.iter().filter(|m| m.0 == g) {
            r[t] *= v;
        }
        drawn.seg_rate.extend(r);
    }
    let default_e = drawn.default_elasticity;
    drawn.elasticity = model
        .transitions
        .iter()
        .zip(&combined.own_elasticity)
        .map(|(t, own)| if t.staffing_sensitive { own.unwrap_or(default_e) } else { 0.0 })
        .collect();
    if let Some(c) = model.staffing.as_ref().and_then(|s| s.capacity.as_ref()) {
        drawn.hours_per_placement_fte = c.hours_per_fte_month * combined.placement_share;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream's key is the SHA-256 of the seed (little-endian) and the stream's name,
    /// and the replication selects the ChaCha8 stream within it: different seeds, names
    /// and replications give different streams.
    #[test]
    fn streams_are_keyed_by_seed_and_name() {
        let first = |seed: u64, name: &str, rep: u32| keyed(stream_key(seed, name), rep).next_u64();
        let mut seen = std::collections::HashSet::new();
        for seed in 0..3 {
            for name in ["citizens", "count-engine", "transitions.a->b.probability"] {
                for rep in 0..3 {
                    assert!(seen.insert(first(seed, name, rep)), "seed {seed}, {name}, replication {rep}");
                }
            }
        }
        let mut h = Sha256::new();
        h.update(7u64.to_le_bytes());
        h.update(b"queue");
        let key: [u8; 32] = h.finalize().into();
        assert_eq!(stream_key(7, "queue"), key);
        assert_eq!(Purpose::Queue.name(), "queue");
        assert_eq!(Purpose::ALL.map(|p| p as usize), [0, 1, 2, 3, 4]);
    }
}
