//! The count engine's random numbers: the replication's stream, the draws of how many
//! members of a group take each move, and draws without replacement from a group's
//! histogram of spell starts.
//!
//! A citizen's move is decided by one uniform number u, the same in every arm while
//! its arms are together. Each arm's transition row cuts [0, 1) at its exits'
//! cumulative thresholds ([`ArmRow`]); the union of all arms' cut points gives the
//! joint intervals ([`joint_intervals`]) on which the outcome in every arm is constant,
//! and a group's members are spread over them by one multinomial ([`draw_intervals`]).

use super::binomial::uniform;
use rand::Rng;
use rand_distr::{Distribution, Exp1, Hypergeometric};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The replication's random stream: xoshiro256++, seeded from the replication's
/// ChaCha8 stream of [`Purpose::CountEngine`](crate::simulation::draws::Purpose), so it
/// is still one stream per seed and replication. The count engine draws several hundred
/// thousand numbers per replication at national size; xoshiro256++ makes them about
/// 8 % faster than ChaCha8 (`docs/design/count-engine.md`) and is ample for simulation.
pub(super) type Stream = Xoshiro256PlusPlus;

/// Groups of at most this many citizens draw their moves citizen by citizen (one
/// uniform number each, as the individual engine does); larger groups by binomials.
pub(super) const SMALL_GROUP: u64 = 8;

/// Movers of a larger group are spread over the joint outcomes one by one (one uniform
/// number each) when there are at most this many per outcome after the first; else by
/// conditional binomials (one per outcome, each costing about as much as eight movers).
const FEW_MOVERS: u64 = 8;

/// Spell-start bins whose expected movers are fewer than this are drawn together, mover
/// by mover (geometric gaps); larger ones by binomials.
const POOL_MOVERS: f64 = 4.0;

/// Draws without replacement from a histogram take members one by one when there are
/// at most this many to take; else one hypergeometric draw per bin.
const FEW_PICKS: u64 = 8;

/// A uniform integer in [0, n) (multiply-shift; the bias, below n / 2⁶⁴, is negligible).
#[inline]
pub(super) fn below(rng: &mut Stream, n: u64) -> u64 {
    ((rng.next_u64() as u128 * n as u128) >> 64) as u64
}

/// How many members stay before the next one moves, when each moves on its own with a
/// probability p, given `scale` = 1 / −ln(1 − p) ([`gap_scale`]): geometric, as
/// ⌊E × scale⌋ with E a standard exponential (P(gap ≥ k) = e^(k ln(1 − p)) = (1 − p)^k);
/// `u64::MAX` when p is 0.
#[inline]
pub(super) fn geometric_gap(rng: &mut Stream, scale: f64) -> u64 {
    let e: f64 = Exp1.sample(rng);
    let g = e * scale;
    // Through i64, which converts in one instruction; gaps this long exceed any group.
    if g < i64::MAX as f64 { g as i64 as u64 } else { u64::MAX }
}

/// The scale of [`geometric_gap`] for a probability p of moving: 1 / −ln(1 − p)
/// (infinite when p is 0, 0 when p is 1), so a gap costs a product, not a division.
#[inline]
pub(super) fn gap_scale(p: f64) -> f64 {
    1.0 / -(-p).ln_1p()
}

/// The smallest count c with c × `top` ≥ [`POOL_MOVERS`] in floating point (`u64::MAX`
/// when there is none).
#[inline]
pub(super) fn pool_from(top: f64) -> u64 {
    if top <= 0.0 {
        return u64::MAX;
    }
    let guess = (POOL_MOVERS / top).ceil();
    if guess >= 1e18 {
        return u64::MAX;
    }
    let mut c = (guess as u64).saturating_sub(2);
    while (c as f64) * top < POOL_MOVERS {
        c += 1;
    }
    c
}

/// Binomial(n, p), with the trivial cases short-cut.
#[inline(always)]
pub(super) fn binomial(rng: &mut Stream, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        0
    } else if p >= 1.0 {
        n
    } else if n <= SMALL_GROUP {
        (0..n).filter(|_| uniform(rng) < p).count() as u64
    } else {
        super::binomial::binomial(rng, n, p)
    }
}

/// Hypergeometric: how many of `draws` taken without replacement from `total` items
/// fall among the `marked` ones.
fn hypergeometric(rng: &mut Stream, total: u64, marked: u64, draws: u64) -> u64 {
    if draws == 0 || marked == 0 {
        0
    } else if marked == total {
        draws
    } else if draws == total {
        marked
    } else {
        match Hypergeometric::new(total, marked, draws) {
            Ok(h) => h.sample(rng),
            // The sampler refuses some huge populations: take the draws one by one.
            Err(_) => {
                let (mut t, mut k, mut x) = (total, marked, 0);
                for _ in 0..draws {
                    if below(rng, t) < k {
                        k -= 1;
                        x += 1;
                    }
                    t -= 1;
                }
                x
            }
        }
    }
}

/// Takes `k` members uniformly at random without replacement from a histogram
/// (`counts`, whose sum is `total`): removes them from `counts` and adds them to
/// `taken` (per bin).
pub(super) fn take(rng: &mut Stream, counts: &mut [u64], mut total: u64, mut k: u64, taken: &mut [u64]) {
    debug_assert!(k <= total);
    if k == total {
        for (c, t) in counts.iter_mut().zip(taken.iter_mut()) {
            *t += *c;
            *c = 0;
        }
        return;
    }
    let mut b = 0;
    while k > FEW_PICKS && b < counts.len() {
        // One hypergeometric draw for this bin against all later ones.
        let c = counts[b];
        let x = hypergeometric(rng, total, c, k);
        counts[b] -= x;
        taken[b] += x;
        k -= x;
        total -= c;
        b += 1;
    }
    // The last few one by one, among the bins not yet decided.
    for _ in 0..k {
        let mut u = below(rng, total);
        let mut j = b;
        while u >= counts[j] {
            u -= counts[j];
            j += 1;
        }
        counts[j] -= 1;
        taken[j] += 1;
        total -= 1;
    }
}

/// One interval of the uniform number u that decides a citizen's move: the same u
/// in every arm, so the interval fixes the outcome in each arm ([`STAY`] or the
/// index of the exit in the state's row).
#[derive(Debug, Clone, Copy)]
pub(super) struct Interval<const N: usize> {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) outcome: [u16; N],
}

/// Outcome of an arm in which the citizen stays.
pub(super) const STAY: u16 = u16::MAX;

/// One arm's row for a group this month: P(leave) and the exits' cumulative thresholds.
#[derive(Clone, Copy)]
pub(super) struct ArmRow<'a> {
    pub(super) leave: f64,
    pub(super) thr: &'a [f64],
}

impl ArmRow<'_> {
    /// The arm's outcome for a uniform number u, as the individual engine decides it.
    #[inline]
    pub(super) fn outcome(&self, u: f64) -> u16 {
        if u < self.leave {
            self.thr.iter().position(|&t| u < t).unwrap_or(self.thr.len() - 1) as u16
        } else {
            STAY
        }
    }
}

/// The intervals of u on which at least one arm moves, in order from 0, each with the
/// outcome in every arm: the union of all arms' thresholds, merged in one pass (each
/// arm keeps a cursor on its first threshold above the interval's start).
#[inline]
pub(super) fn joint_intervals<const N: usize>(rows: &[ArmRow; N], out: &mut Vec<Interval<N>>) {
    out.clear();
    let top = rows.iter().map(|r| r.leave).fold(0.0, f64::max);
    let mut next = [0usize; N];
    let mut lo = 0.0;
    while lo < top {
        // The next breakpoint above lo in any arm, and each arm's outcome on [lo, hi):
        // its first exit whose threshold is above lo (as `ArmRow::outcome`).
        let mut hi = top;
        let mut outcome = [STAY; N];
        for (a, r) in rows.iter().enumerate() {
            if lo < r.leave {
                hi = hi.min(r.leave);
                let k = &mut next[a];
                while *k < r.thr.len() && r.thr[*k] <= lo {
                    *k += 1;
                }
                match r.thr.get(*k) {
                    Some(&t) => {
                        hi = hi.min(t);
                        outcome[a] = *k as u16;
                    }
                    None => outcome[a] = r.thr.len() as u16 - 1,
                }
            }
        }
        out.push(Interval { lo, hi, outcome });
        lo = hi;
    }
}

/// How many of `n` citizens fall in each interval (the rest stay in every arm): the
/// number who move in some arm by one binomial, then one uniform number each when they
/// are few, else a multinomial by conditional binomials.
#[inline]
pub(super) fn draw_intervals<const N: usize>(
    rng: &mut Stream,
    n: u64,
    ivs: &[Interval<N>],
    out: &mut Vec<u64>,
) {
    out.clear();
    out.resize(ivs.len(), 0);
    let Some(last) = ivs.last() else { return };
    let top = last.hi;
    if n == 0 || top <= 0.0 {
        return;
    }
    let mut left = binomial(rng, n, top);
    if left <= FEW_MOVERS * (ivs.len() as u64 - 1).max(1) {
        // Each mover's u is uniform on [0, top).
        for _ in 0..left {
            let u = uniform(rng) * top;
            let j = ivs.iter().position(|iv| u < iv.hi).unwrap_or(ivs.len() - 1);
            out[j] += 1;
        }
        return;
    }
    for (j, iv) in ivs.iter().enumerate() {
        if left == 0 {
            break;
        }
        let x = if j + 1 == ivs.len() {
            left
        } else {
            let rest = top - iv.lo;
            let p = if rest > 0.0 { ((iv.hi - iv.lo) / rest).clamp(0.0, 1.0) } else { 1.0 };
            binomial(rng, left, p)
        };
        out[j] = x;
        left -= x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Two arms' rows: the joint intervals reproduce each arm's own exit probabilities.
    #[test]
    fn joint_intervals_give_each_arm_its_own_exits() {
        let a = ArmRow { leave: 0.3, thr: &[0.1, 0.25, 0.3] };
        let b = ArmRow { leave: 0.35, thr: &[0.12, 0.12, 0.35] };
        let mut ivs = Vec::new();
        joint_intervals(&[a, b], &mut ivs);
        assert_eq!(ivs.first().unwrap().lo, 0.0);
        assert_eq!(ivs.last().unwrap().hi, 0.35);
        for w in ivs.windows(2) {
            assert_eq!(w[0].hi, w[1].lo);
        }
        for (arm, row) in [a, b].iter().enumerate() {
            for k in 0..3u16 {
                let p: f64 = ivs.iter().filter(|iv| iv.outcome[arm] == k).map(|iv| iv.hi - iv.lo).sum();
                let want = row.thr[k as usize] - if k == 0 { 0.0 } else { row.thr[k as usize - 1] };
                assert!((p - want).abs() < 1e-15, "arm {arm} exit {k}: {p} vs {want}");
            }
        }
        // Identical rows: one interval per exit with a positive probability, same outcome in both.
        joint_intervals(&[a, a], &mut ivs);
        assert_eq!(ivs.len(), 3);
        assert!(ivs.iter().all(|iv| iv.outcome[0] == iv.outcome[1]));

        // Random rows (exits of probability 0 included, and an arm where nobody moves):
        // every u below the top falls in an interval whose outcome in each arm is what
        // that arm's row gives u.
        let mut rng = Stream::seed_from_u64(5);
        for _ in 0..200 {
            let rows: Vec<(f64, Vec<f64>)> = (0..3)
                .map(|arm| {
                    let n_exits = 1 + below(&mut rng, 5) as usize;
                    let mut cum = 0.0;
                    let mut thr: Vec<f64> = (0..n_exits)
                        .map(|_| {
                            if below(&mut rng, 3) > 0 {
                                cum += uniform(&mut rng) * 0.1;
                            }
                            cum
                        })
                        .collect();
                    if arm == 2 {
                        thr.iter_mut().for_each(|t| *t = 0.0);
                    }
                    (*thr.last().unwrap(), thr)
                })
                .collect();
            let arms: [ArmRow; 3] = std::array::from_fn(|a| ArmRow { leave: rows[a].0, thr: &rows[a].1 });
            let mut ivs = Vec::new();
            joint_intervals(&arms, &mut ivs);
            let top = arms.iter().map(|r| r.leave).fold(0.0, f64::max);
            assert_eq!(ivs.last().map_or(0.0, |iv| iv.hi), top);
            if top == 0.0 {
                assert!(ivs.is_empty(), "intervals where nobody moves");
                continue;
            }
            for _ in 0..50 {
                let u = uniform(&mut rng) * top;
                let iv = ivs.iter().find(|iv| iv.lo <= u && u < iv.hi).expect("u in an interval");
                for (arm, row) in arms.iter().enumerate() {
                    assert_eq!(iv.outcome[arm], row.outcome(u), "arm {arm}, u {u}, rows {rows:?}");
                }
            }
        }
    }

    #[test]
    fn intervals_are_drawn_as_a_multinomial() {
        let mut rng = Stream::seed_from_u64(1);
        let row = ArmRow { leave: 0.3, thr: &[0.1, 0.25, 0.3] };
        let mut ivs = Vec::new();
        joint_intervals(&[row], &mut ivs);
        let mut out = Vec::new();
        // n = 30 has few movers (one uniform each); n = 1000 many (conditional binomials).
        for n in [30u64, 1000] {
            let mut tot = [0u64; 3];
            let reps = 400_000 / n;
            for _ in 0..reps {
                draw_intervals(&mut rng, n, &ivs, &mut out);
                for k in 0..3 {
                    tot[k] += out[k];
                }
            }
            let total = (n * reps) as f64;
            for (k, p) in [0.1, 0.15, 0.05].iter().enumerate() {
                let se = (p * (1.0 - p) / total).sqrt();
                let got = tot[k] as f64 / total;
                assert!((got - p).abs() < 4.0 * se, "n {n} exit {k}: {got} vs {p}");
            }
        }
    }

    /// Gaps between movers: geometric with P(0) = p and mean (1 − p) / p, so that each
    /// member of a pooled line of bins moves with probability p on its own.
    #[test]
    fn geometric_gaps_give_each_member_its_own_chance() {
        let mut rng = Stream::seed_from_u64(3);
        for p in [0.002f64, 0.05, 0.4] {
            let scale = gap_scale(p);
            let reps = 200_000;
            let (mut zeros, mut sum) = (0u64, 0.0);
            for _ in 0..reps {
                let g = geometric_gap(&mut rng, scale);
                zeros += (g == 0) as u64;
                sum += g as f64;
            }
            let p0 = zeros as f64 / reps as f64;
            assert!((p0 - p).abs() < 4.5 * (p * (1.0 - p) / reps as f64).sqrt(), "p {p}: P(0) {p0}");
            let mean = (1.0 - p) / p;
            let se = ((1.0 - p) / (p * p) / reps as f64).sqrt();
            assert!((sum / reps as f64 - mean).abs() < 4.5 * se, "p {p}: mean {}", sum / reps as f64);
        }
        // Nobody moves with p = 0; everybody with p = 1.
        assert_eq!(geometric_gap(&mut rng, gap_scale(0.0)), u64::MAX);
        assert_eq!(geometric_gap(&mut rng, gap_scale(1.0)), 0);
    }

    /// Draws without replacement: every size of draw takes the right number, never more
    /// than a bin holds, and each bin's share in proportion to its size.
    #[test]
    fn take_draws_without_replacement_in_proportion() {
        let mut rng = Stream::seed_from_u64(2);
        let sizes = [500u64, 0, 100, 7, 1, 30];
        let total: u64 = sizes.iter().sum();
        for k in [1u64, 5, 8, 9, 40, 600, total] {
            let mut mean = [0.0; 6];
            let reps = 4000;
            for _ in 0..reps {
                let mut left = sizes;
                let mut taken = [0u64; 6];
                take(&mut rng, &mut left, total, k, &mut taken);
                assert_eq!(taken.iter().sum::<u64>(), k);
                for b in 0..6 {
                    assert_eq!(left[b] + taken[b], sizes[b]);
                    mean[b] += taken[b] as f64 / reps as f64;
                }
            }
            for b in 0..6 {
                let p = sizes[b] as f64 / total as f64;
                let expect = k as f64 * p;
                let var = k as f64 * p * (1.0 - p) * (total - k) as f64 / (total as f64 - 1.0);
                let se = (var / reps as f64).sqrt();
                assert!(
                    (mean[b] - expect).abs() <= 4.5 * se + 1e-9,
                    "k {k} bin {b}: {} vs {expect}",
                    mean[b]
                );
            }
        }
    }
}
