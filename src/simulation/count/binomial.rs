//! Binomial random numbers for the count engine: exact, and cheap to set up.
//!
//! **What.** [`binomial`] draws Binomial(n, p): by inversion when n·min(p, 1 − p) < 20
//! (Kachitvichyanukul and Schmeiser's BINV), otherwise by Hörmann's transformed
//! rejection with decomposition (BTRD; W. Hörmann, "The generation of binomial random
//! variates", J. Statist. Comput. Simul. 46, 1993), as TensorFlow and JAX draw their
//! binomials. Both are exact: the numbers follow the binomial distribution, up to
//! floating-point rounding, for every n and p.
//!
//! **Why not `rand_distr::Binomial`.** The count engine draws a binomial for every
//! group and month with a new n and p (tens of thousands per national-size
//! replication), so the cost of setting up a draw matters as much as the draw.
//! `rand_distr` uses BTPE for n·p ≥ 10, whose acceptance test for the common case
//! (the draw within 20 of the mode) is a product of up to 20 divisions, and computes
//! (1 − p)^n with `powf` for inversion. BTRD accepts most of its draws (about 80 % for
//! large n·p) after two uniform numbers and a dozen arithmetic operations, and its
//! set-up is one square root and two divisions; inversion here takes (1 − p)^n as one
//! `exp` and steps by products. Measured on the benchmark cases, the count engine
//! needs 4.5 % fewer instructions at Copenhagen size and 3 % fewer at national size.
//! The tests below check both methods against the exact probabilities (chi-square,
//! two million draws per case, fixed seeds) over small and large n·p, near p = 0.5
//! and near 0; the only approximation is Stirling's series in BTRD's rare exact test,
//! within 10⁻¹² of ln(k!).

use rand::Rng;

/// Below this n·min(p, 1 − p), inversion; from it, BTRD. Hörmann's BTRD needs a mode
/// of at least 10; between 10 and 20 its box accepts too few draws to beat inversion,
/// whose walk costs a few operations per step (measured on the benchmark cases:
/// −4 % instructions at Copenhagen size against a switch at 10).
const INVERSION_BELOW: f64 = 20.0;

/// Inversion gives up after this many steps and starts again (the probability of
/// reaching it is below 10⁻⁴⁰ when n·p < 20), as `rand_distr`'s BINV does.
const INVERSION_MAX: u64 = 110;

/// 1 / x for the steps of inversion, so that a step is a product, not a division.
const RECIPROCALS: [f64; INVERSION_MAX as usize + 1] = {
    let mut t = [0.0; INVERSION_MAX as usize + 1];
    let mut x = 1;
    while x <= INVERSION_MAX as usize {
        t[x] = 1.0 / x as f64;
        x += 1;
    }
    t
};

/// A uniform number in [0, 1) with 53 random bits, as the individual engine draws
/// them (also the count engine's uniform numbers).
#[inline]
pub(crate) fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Binomial(n, p): the number of successes in n independent trials of probability p.
/// p outside (0, 1) (or NaN) gives 0 below and n above, as the trivial cases.
#[inline]
pub fn binomial<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    // NaN counts as 0.
    if n == 0 || p.is_nan() || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    // Draw the rarer outcome: the methods assume p ≤ 1/2.
    let flipped = p > 0.5;
    let q = if flipped { 1.0 - p } else { p };
    let x = if n as f64 * q < INVERSION_BELOW { inversion(rng, n, q) } else { btrd(rng, n, q) };
    if flipped { n - x } else { x }
}

/// BINV: walks the probabilities P(X = 0), P(X = 1), … until the uniform number is
/// used up. Needs p ≤ 1/2 and n·p small (the walk takes n·p + 1 steps on average).
fn inversion<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    let s = p / (1.0 - p);
    let a = (n as f64 + 1.0) * s;
    // (1 − p)^n.
    let r0 = (n as f64 * (-p).ln_1p()).exp();
    'again: loop {
        let mut r = r0;
        let mut u = uniform(rng);
        let mut x = 0;
        while u > r {
            u -= r;
            x += 1;
            if x > INVERSION_MAX {
                continue 'again;
            }
            // P(X = x) / P(X = x − 1) = (n − x + 1) p / (x (1 − p)) = a / x − s.
            r *= a * RECIPROCALS[x as usize] - s;
        }
        return x.min(n);
    }
}

/// BTRD: transformed rejection with a box in which most draws are accepted at once,
/// and otherwise the exact ratio of probabilities from Stirling's series. Needs
/// p ≤ 1/2 and n·p ≥ 10.
fn btrd<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    let nf = n as f64;
    let spq = (nf * p * (1.0 - p)).sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let v_r = 0.92 - 4.2 / b;
    loop {
        let u = uniform(rng) - 0.5;
        let v = uniform(rng);
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + c).floor();
        if k < 0.0 || k > nf {
            continue;
        }
        // The box: accepted without further test (about 86 % of v_r of the draws).
        if us >= 0.07 && v <= v_r {
            return k as u64;
        }
        // Outside the box: accept with the exact ratio of the probabilities at k and at
        // the mode m to the hat, in logarithms.
        let r = p / (1.0 - p);
        let alpha = (2.83 + 5.1 / b) * spq;
        let m = ((nf + 1.0) * p).floor();
        let lhs = (v * alpha / (a / (us * us) + b)).ln();
        let bound = (m + 0.5) * ((m + 1.0) / (r * (nf - m + 1.0))).ln()
            + (nf + 1.0) * ((nf - m + 1.0) / (nf - k + 1.0)).ln()
            + (k + 0.5) * (r * (nf - k + 1.0) / (k + 1.0)).ln()
            + stirling_tail(m)
            + stirling_tail(nf - m)
            - stirling_tail(k)
            - stirling_tail(nf - k);
        if lhs <= bound {
            return k as u64;
        }
    }
}

/// ln(k!) − [(k + ½) ln(k + 1) − (k + 1) + ½ ln(2π)]: the error of Stirling's
/// approximation to ln(k!), from a table below 10 and four terms of Stirling's series
/// beyond (within 10⁻¹² of the exact value).
fn stirling_tail(k: f64) -> f64 {
    const TABLE: [f64; 10] = [
        0.081_061_466_795_327_26,
        0.041_340_695_955_409_29,
        0.027_677_925_684_998_34,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_19,
        0.013_876_128_823_070_75,
        0.011_896_709_945_891_77,
        0.010_411_265_261_972_09,
        0.009_255_462_182_712_733,
        0.008_330_563_433_362_87,
    ];
    if k < 10.0 {
        return TABLE[k as usize];
    }
    // 1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷) with z = k + 1: the next term is
    // below 4·10⁻¹³ from k = 10.
    let z = k + 1.0;
    let z2 = z * z;
    (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / 1680.0 / z2) / z2) / z2) / z
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;
    use statrs::distribution::{ChiSquared, ContinuousCDF, Discrete};
    use statrs::function::gamma::ln_gamma;

    /// The trivial cases: no trials, p of 0 (or NaN, or negative) and p of 1 (or more).
    #[test]
    fn trivial_cases_take_no_draws() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let before = rng.clone();
        assert_eq!(binomial(&mut rng, 0, 0.3), 0);
        assert_eq!(binomial(&mut rng, 10, 0.0), 0);
        assert_eq!(binomial(&mut rng, 10, -0.1), 0);
        assert_eq!(binomial(&mut rng, 10, f64::NAN), 0);
        assert_eq!(binomial(&mut rng, 10, 1.0), 10);
        assert_eq!(binomial(&mut rng, 10, 1.5), 10);
        assert_eq!(rng, before, "a trivial case drew a random number");
    }

    /// The table of Stirling's error is the exact error, and the series beyond it is
    /// within 10⁻¹² of the exact error.
    #[test]
    fn stirling_tail_is_the_error_of_stirlings_approximation() {
        let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
        for k in 0..200 {
            let kf = k as f64;
            let exact = ln_gamma(kf + 1.0) - ((kf + 0.5) * (kf + 1.0).ln() - (kf + 1.0) + half_ln_2pi);
            let got = stirling_tail(kf);
            assert!((got - exact).abs() < 1e-12, "k = {k}: {got} against {exact}");
        }
    }

    /// Draws of Binomial(n, p) follow the exact probabilities: a chi-square test over
    /// the outcomes (pooled in the tails so each cell expects at least 5), for inversion
    /// and BTRD, small and large n·p, p near 0, near 1/2 and above 1/2 (drawn as the
    /// complement), with fixed seeds. With two million draws per case the test catches a
    /// wrong sign in BTRD's exact test or the box's 0.92 raised to 1.0 (checked by
    /// changing them); smaller slips (0.92 to 0.95) can pass.
    #[test]
    fn draws_follow_the_binomial_probabilities() {
        let cases: [(u64, f64); 12] = [
            (20, 0.1),         // inversion, n·p = 2
            (9, 0.5),          // inversion, n·p = 4.5
            (1000, 0.009),     // inversion, n·p = 9
            (100_000, 2e-5),   // inversion, tiny p
            (45, 0.4),         // inversion, n·p = 18
            (40, 0.5),         // BTRD, n·p = 20, p = 1/2
            (400, 0.07),       // BTRD, n·p = 28
            (1500, 0.03),      // BTRD, n·p = 45
            (5000, 0.2),       // BTRD, n·p = 1000
            (1_000_000, 3e-4), // BTRD, large n
            (200, 0.85),       // BTRD on the complement
            (30, 0.97),        // inversion on the complement
        ];
        let draws = 2_000_000u64;
        for (i, &(n, p)) in cases.iter().enumerate() {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(1000 + i as u64);
            let dist = statrs::distribution::Binomial::new(p, n).unwrap();
            let sd = (n as f64 * p * (1.0 - p)).sqrt();
            let lo = (n as f64 * p - 12.0 * sd - 10.0).max(0.0) as u64;
            let hi = ((n as f64 * p + 12.0 * sd + 10.0) as u64).min(n);
            // Observed counts over [lo, hi]; outcomes beyond (probability below 10⁻³⁰)
            // count in the end cells.
            let mut observed = vec![0u64; (hi - lo + 1) as usize];
            for _ in 0..draws {
                let x = binomial(&mut rng, n, p);
                assert!(x <= n, "Binomial({n}, {p}) drew {x}");
                observed[(x.clamp(lo, hi) - lo) as usize] += 1;
            }
            // Cells of consecutive outcomes, each expecting at least 5 draws; what is
            // left at the top joins the last cell.
            let mut cells: Vec<(f64, f64)> = Vec::new();
            let (mut obs, mut exp) = (0.0, 0.0);
            for x in lo..=hi {
                obs += observed[(x - lo) as usize] as f64;
                exp += dist.pmf(x) * draws as f64;
                if exp >= 5.0 {
                    cells.push((obs, exp));
                    (obs, exp) = (0.0, 0.0);
                }
            }
            let last = cells.last_mut().unwrap();
            last.0 += obs;
            last.1 += exp;
            let chi2: f64 = cells.iter().map(|&(o, e)| (o - e).powi(2) / e).sum();
            let df = (cells.len() - 1) as f64;
            let p_value = 1.0 - ChiSquared::new(df).unwrap().cdf(chi2);
            assert!(
                p_value > 1e-3,
                "Binomial({n}, {p}): chi-square {chi2:.1} on {df} degrees of freedom, p = {p_value:.2e}"
            );
        }
    }
}
