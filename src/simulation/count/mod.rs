//! The count-based engine: groups of interchangeable citizens moved by binomial draws.
//!
//! **What.** Citizens who share everything that their moves, their money or the
//! outputs depend on are interchangeable, so a replication need not follow them one
//! by one: it keeps a list of *groups* (a key, how many citizens) and draws each
//! month how many of a group take each exit. Conditional on the month's transition
//! tables every citizen moves independently of every other, so drawing the moves of
//! a group of `n` as a multinomial (conditional binomials) with the competing-hazard
//! probabilities of its row gives exactly the distribution of `n` separate draws. A
//! replication then costs in proportion to the number of occupied groups, not the
//! number of citizens.
//!
//! **Why exact.** A group key holds every per-citizen quantity that matters,
//! reduced to what the model can still tell apart (see `keys::Fields`):
//!
//! * segment and state (a move between segments changes the key);
//! * months in the state, capped at the last duration-band start of the state
//!   (the transition row depends only on the band);
//! * under the 2016 regime, cumulative months on benefit capped at the last band
//!   start of the refusion staircase, and, off benefit, consecutive months off
//!   benefit capped at `reset_after_months` (after which the count restarts);
//! * consecutive months in work, up to the six-month flag, and the two "ever" flags
//!   (outflow to work or education, six consecutive months in work);
//! * with `[staffing.capacity]`, the waiting status with the month the placement
//!   was requested, the requested transition and the request's random place in its
//!   month (so waiting citizens are groups of one);
//! * when a target reads it, the months since referral (the clock of
//!   [`crate::model::clock`]), capped at the largest any target needs + 1; without
//!   such a target it is 0 and never splits a group;
//! * in a benefit-paying state, the start of the current benefit spell, whose sum
//!   over recipients is `mean_benefit_duration`. This is the one dimension that is
//!   not capped (the initial cohort has one spell start per segment, and each month
//!   adds about one: arrivals and returns to benefit). Because it never changes a
//!   move or a krone, it is not part of the key: each group carries a histogram of
//!   its members' spell starts, and the members that take a move are a uniformly
//!   random subset of the group, drawn from the histogram without replacement
//!   (multivariate hypergeometric). Groups whose members share one spell start (most
//!   of them) pay nothing for this.
//!
//! Values that can no longer matter are normalised (months off benefit while on
//! benefit, the spell off benefit, consecutive months in work outside work or after
//! the six-month flag), so groups that only differ in them merge.
//!
//! Everything else is the individual engine's: the parameters drawn per replication
//! ([`crate::simulation::draws`]), the transition tables with the staffing multiplier
//! from the month's caseload (citizens in benefit states at the start of the month,
//! after arrivals, per productive FTE), the reimbursement classes, and the booking
//! of money and the monthly record (`book_month`), so the two engines produce the
//! same [`Replication`] and everything downstream is unchanged.
//!
//! **The arms, jointly, on common random numbers.** The individual engine draws one
//! uniform number u per citizen-month and uses it in every arm until the citizen's
//! arms part (its keys differ between arms at the end of a month); from then on the
//! citizen draws on its own in each arm. The count engine reproduces that coupling
//! exactly: the arms are simulated together, and a group whose members are together
//! has one key, the same in every arm. For such a group, each arm's row cuts [0, 1)
//! into intervals (stay, or exit k); the union of all arms' cut points gives the
//! intervals on which the outcome in every arm is constant, and the members are spread
//! over these joint intervals by one multinomial. Members whose keys then differ
//! between arms part: each arm's part joins a group of that arm alone (the other arms'
//! key ids are `ABSENT`), which moves on its own draws. So the pair (scenario,
//! counterfactual) has the same joint distribution as in the individual engine, and
//! identical arms give exactly zero difference. Without the parting, the citizens in
//! different places would form a group for every *pair* of places (at month 48 of the
//! Copenhagen case, 398 of 448 groups, most of a few citizens); with it they form
//! groups of one arm (about 60 per arm). Up to four arms are coupled this way. More
//! arms (no command uses more than two) are simulated in blocks of four on the same
//! stream: each block is coupled as above, but a citizen's parting is judged within
//! its block, not against the first arm as the individual engine judges it.
//!
//! **Placement capacity.** Movers drawn onto a transition that needs consultant
//! hours become requests of this month, each with a random priority (a 64-bit number,
//! the same in every arm that made the request in this month, as the individual
//! engine's per-citizen hash). Each arm's queue is served by request month, then
//! priority, each request taking its transition's hours until one does not fit; the
//! placements of all arms are then made together, so a citizen placed in every arm
//! where it waits stays together. Waiting citizens use the tables without the hours
//! exits.
//!
//! **Random numbers.** One stream per replication (xoshiro256++ seeded from the
//! replication's `"count-engine"` ChaCha8 stream, see `draws::Stream`), consumed in a
//! fixed order, so results do not depend on the number of threads. Binomials come
//! from [`binomial`] (exact; cheaper to set up than `rand_distr`'s). No trajectories:
//! individual paths do not exist here; `trappe run` refuses `--trajectories` with
//! `--engine count`.
//!
//! **Where things are.** `keys`: a citizen's key in one arm and the replication's
//! interned keys; `groups`: the groups, their histograms of spell starts and where
//! their members go; `draws`: the random stream and the draws over the arms' joint
//! intervals; `moves`: the month's moves out of each group; `queue`: placement
//! capacity; `segments`: the moves between segments; `replication`: the month loop of
//! a block of arms. The design is set out
//! in `docs/design/count-engine.md`, its cost in `docs/benchmarks.md`.

pub mod binomial;
mod draws;
mod groups;
mod keys;
mod moves;
mod queue;
mod replication;
mod segments;

use crate::model::{Arm, Model};
use crate::simulation::draws::{Purpose, Streams, draw};
use crate::simulation::records::Replication;
use draws::Stream;
use rand::SeedableRng;
use replication::simulate_joint;

/// Simulates one replication of the model in the given arms with the count engine.
/// Returns the same [`Replication`] as [`crate::simulation::individual::simulate_replication`]
/// (without trajectories). Up to four arms are simulated jointly (common random
/// numbers, exactly as the individual engine); more arms in blocks of four (see the
/// module documentation). The streams' keys are hashed for this one call (a few
/// microseconds); [`crate::simulation::driver`] hashes them once per run.
pub fn simulate_replication(model: &Model, arms: &[Arm], seed: u64, rep: u32) -> Replication {
    simulate_replication_on(model, arms, &Streams::new(model, seed), rep)
}

/// [`simulate_replication`] on a run's random streams, whose keys are hashed once per run.
pub(crate) fn simulate_replication_on(
    model: &Model,
    arms: &[Arm],
    streams: &Streams,
    rep: u32,
) -> Replication {
    let drawn = draw(model, streams, rep);
    let mut runs = Vec::with_capacity(arms.len());
    for block in arms.chunks(4) {
        let rng = Stream::from_rng(&mut streams.purpose(Purpose::CountEngine, rep));
        runs.extend(match block.len() {
            1 => simulate_joint::<1>(model, block, &drawn, rng),
            2 => simulate_joint::<2>(model, block, &drawn, rng),
            3 => simulate_joint::<3>(model, block, &drawn, rng),
            _ => simulate_joint::<4>(model, block, &drawn, rng),
        });
    }
    Replication { index: rep, params: drawn.recorded, arms: runs, trajectories: Vec::new() }
}
