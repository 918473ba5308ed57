//! Runs the replications of a model in parallel with the chosen engine.

use super::draws::Streams;
use super::records::Replication;
use super::{count, individual};
use crate::model::{Arm, Model};
use rayon::prelude::*;

/// How to run a model's replications: how many, from which seed and replication, on
/// how many threads, with which engine.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Replications to run.
    pub replications: u32,
    /// Replications per outer draw of the parameters (at least 1): replication `r`
    /// takes its parameters from outer draw `r / inner_replications`.
    pub inner_replications: u32,
    /// Seed.
    pub seed: u64,
    /// Worker threads (None = all cores).
    pub threads: Option<usize>,
    /// Number of individual paths to record from replication 0.
    pub trajectories: usize,
    /// Number of the first replication to run (replications are numbered from 0 and
    /// each has its own random streams, so any range can be run anywhere).
    pub first_replication: u32,
    /// The engine. The count engine records no trajectories (`trajectories` is ignored).
    pub engine: Engine,
}

/// Which engine simulates the citizens. Both give the same outcomes in distribution
/// (tests/it/engines.rs); `docs/benchmarks.md` says what each costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// Every citizen one by one, with one uniform random number per citizen-month shared
    /// by the arms until the citizen's arms part (common random numbers); the reference,
    /// and the only one with trajectories.
    #[default]
    Individual,
    /// Interchangeable citizens as counts per group, moved by binomial draws
    /// ([`crate::simulation::count`]): cost grows with the number of groups, not citizens.
    Count,
}

impl Engine {
    /// The engine's name as the command line and the manifests write it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Individual => "individual",
            Engine::Count => "count",
        }
    }

    /// The engine of a name written by [`Engine::name`].
    pub fn from_name(name: &str) -> Option<Engine> {
        [Engine::Individual, Engine::Count].into_iter().find(|e| e.name() == name)
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Runs all replications of the model in the given arms, in parallel, and returns
/// them in replication order. `progress` is called once per finished replication.
pub fn simulate(
    model: &Model,
    arms: &[Arm],
    opts: &SimOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Replication>, rayon::ThreadPoolBuildError> {
    simulate_with(model, arms, opts, progress, &|r| r)
}

/// Runs all replications like [`simulate`], reducing each one with `reduce` as soon
/// as it is finished, so that only what `reduce` keeps stays in memory.
pub fn simulate_with<T: Send>(
    model: &Model,
    arms: &[Arm],
    opts: &SimOptions,
    progress: &(dyn Fn() + Sync),
    reduce: &(dyn Fn(Replication) -> T + Sync),
) -> Result<Vec<T>, rayon::ThreadPoolBuildError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = opts.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build()?;
    let first = opts.first_replication;
    let streams = Streams::nested(model, opts.seed, opts.inner_replications);
    Ok(pool.install(|| {
        (first..first + opts.replications)
            .into_par_iter()
            .map(|r| {
                let rep = match opts.engine {
                    Engine::Individual => {
                        let k = if r == 0 { opts.trajectories } else { 0 };
                        individual::simulate_replication_on(model, arms, &streams, r, k)
                    }
                    Engine::Count => count::simulate_replication_on(model, arms, &streams, r),
                };
                let out = reduce(rep);
                progress();
                out
            })
            .collect()
    }))
}
