//! The random streams and the parameters drawn once per replication.
//!
//! Each (seed, replication, purpose) has a stream of its own, so that changing one
//! parameter's distribution does not change the draws of others, and results do not
//! depend on the number of threads.

use crate::input::param::Distribution;
use crate::model::Model;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// Keys of the model's uncertain parameters, in the order of [`Replication::params`](super::records::Replication::params).
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
}
