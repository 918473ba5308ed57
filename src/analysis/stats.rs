//! Summaries over replications: mean, median, 90 % interval and the Monte
//! Carlo standard error of the mean, so a user can see both the spread of
//! outcomes and whether more replications would change the answer.

use statrs::statistics::{Data, OrderStatistics};

/// Summary of one outcome over replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Replications with a finite value.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Standard deviation over replications.
    pub sd: f64,
    /// Median.
    pub median: f64,
    /// 5th percentile.
    pub p05: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Monte Carlo standard error of the mean: sd / √n.
    pub mcse: f64,
}

impl Summary {
    /// Summarises the finite values; NaN marks a replication where the outcome is undefined.
    /// Quantiles follow statrs (Hyndman & Fan type 8, median-unbiased): they are bit for bit
    /// those of `statrs::statistics::Data::{median, quantile}` on the finite values (a test
    /// checks this on many inputs), but found with one multi-rank selection, because output
    /// files need thousands of summaries and statrs selects again for every rank it reads.
    pub fn of(values: &[f64]) -> Summary {
        Summary::from_moments(values, moments([values])[0])
    }

    /// [`Summary::of`] each column (all of the same length), with the same bits. The
    /// sums, which must run in order within a column, advance a few columns at a time so
    /// that their additions overlap instead of each waiting on the one before.
    pub fn of_columns(columns: &[&[f64]]) -> Vec<Summary> {
        let mut out = Vec::with_capacity(columns.len());
        let mut groups = columns.chunks_exact(LANES);
        for group in &mut groups {
            let group: [&[f64]; LANES] = std::array::from_fn(|l| group[l]);
            out.extend(group.iter().zip(moments(group)).map(|(c, m)| Summary::from_moments(c, m)));
        }
        out.extend(groups.remainder().iter().map(|c| Summary::of(c)));
        out
    }

    /// The summary of no values: every figure undefined.
    const EMPTY: Summary = Summary {
        n: 0,
        mean: f64::NAN,
        sd: f64::NAN,
        median: f64::NAN,
        p05: f64::NAN,
        p95: f64::NAN,
        mcse: f64::NAN,
    };

    /// The summary of `values` given their [`moments`].
    fn from_moments(values: &[f64], (n, mean, sd): (usize, f64, f64)) -> Summary {
        if n == 0 {
            return Summary::EMPTY;
        }
        let (median, p05, p95) = match Ranked::new(values) {
            Some(mut r) => {
                r.select_for(&[MEDIAN, 0.05, 0.95]);
                (r.median(), r.quantile(0.05), r.quantile(0.95))
            }
            None => {
                // Zeros of both signs: which one statrs returns depends on the order its
                // earlier selections left the values in, so let statrs do it.
                let mut data =
                    Data::new(values.iter().copied().filter(|v| v.is_finite()).collect::<Vec<_>>());
                (data.median(), data.quantile(0.05), data.quantile(0.95))
            }
        };
        Summary { n, mean, sd, median, p05, p95, mcse: sd / (n as f64).sqrt() }
    }

    /// Summary of a ratio `num / den` over replications. The mean is the ratio of
    /// the means (Σ num / Σ den), which stays defined when a few replications have
    /// a denominator near zero, with the delta-method standard error. Quantiles are
    /// of the per-replication ratios, counting a non-positive denominator as an
    /// infinite ratio (e.g. a cost per extra citizen when no extra citizen was
    /// gained), so they are honest about such replications; `n` counts the
    /// replications with a positive denominator.
    pub fn of_ratio(nums: &[f64], dens: &[f64]) -> Summary {
        let len = nums.len().min(dens.len());
        let (sn, sd_) = (nums[..len].iter().sum::<f64>(), dens[..len].iter().sum::<f64>());
        let n_pos = dens[..len].iter().filter(|d| **d > 0.0).count();
        if len == 0 || n_pos == 0 {
            return Summary::of(&[]);
        }
        // The ratio of means needs a positive mean denominator.
        let (ratio, mcse) = if sd_ > 0.0 {
            let ratio = sn / sd_;
            let mean_den = sd_ / len as f64;
            let resid: f64 = (0..len).map(|i| (nums[i] - ratio * dens[i]).powi(2)).sum();
            let mcse =
                if len > 1 { (resid / (len as f64 * (len as f64 - 1.0))).sqrt() / mean_den } else { 0.0 };
            (ratio, mcse)
        } else {
            (f64::NAN, f64::NAN)
        };
        // An infinite ratio is stood in for by f64::MAX so that interpolation stays
        // defined; a quantile that lands on it is reported as undefined.
        let per: Vec<f64> =
            (0..len).map(|i| if dens[i] > 0.0 { nums[i] / dens[i] } else { f64::MAX }).collect();
        let mut data = Data::new(per);
        let q = |data: &mut Data<Vec<f64>>, p: f64| {
            let v = data.quantile(p);
            if v.abs() < 1e300 { v } else { f64::NAN }
        };
        Summary {
            n: n_pos,
            mean: ratio,
            // The spread of per-replication ratios is unbounded when any is infinite.
            sd: f64::NAN,
            median: q(&mut data, 0.5),
            p05: q(&mut data, 0.05),
            p95: q(&mut data, 0.95),
            mcse,
        }
    }

    /// Summary of a yes/no outcome: the mean is the probability.
    pub fn of_indicator(values: &[bool]) -> Summary {
        let v: Vec<f64> = values.iter().map(|b| *b as u8 as f64).collect();
        Summary::of(&v)
    }
}

/// Columns whose sums [`Summary::of_columns`] advances together.
const LANES: usize = 4;

/// The number of finite values in each column, their mean and standard deviation:
/// sums of the finite values in order, from −0.0 as `Iterator::sum` starts (adding
/// −0.0 for a value left out changes no bits), so results are identical however they
/// were computed. Every column must be as long as the first.
fn moments<const L: usize>(columns: [&[f64]; L]) -> [(usize, f64, f64); L] {
    let len = columns[0].len();
    assert!(columns.iter().all(|c| c.len() == len), "columns of different lengths");
    let (mut n, mut sum) = ([0usize; L], [-0.0f64; L]);
    for i in 0..len {
        for ((column, n), sum) in columns.iter().zip(&mut n).zip(&mut sum) {
            let v = column[i];
            *n += v.is_finite() as usize;
            *sum += if v.is_finite() { v } else { -0.0 };
        }
    }
    let mean: [f64; L] = std::array::from_fn(|l| sum[l] / n[l] as f64);
    let mut squares = [-0.0f64; L];
    for i in 0..len {
        for ((column, squares), mean) in columns.iter().zip(&mut squares).zip(&mean) {
            let v = column[i];
            *squares += if v.is_finite() { (v - mean) * (v - mean) } else { -0.0 };
        }
    }
    std::array::from_fn(|l| {
        let sd = if n[l] > 1 { (squares[l] / (n[l] as f64 - 1.0)).sqrt() } else { 0.0 };
        (n[l], mean[l], sd)
    })
}

/// Stands for the median in [`Ranked::select_for`].
const MEDIAN: f64 = -1.0;

/// Finite values prepared for the order statistics that statrs' `Data::median` and
/// `Data::quantile` read. statrs reads rank `r` (from 0) as the value at position `r` in
/// `f64::total_cmp` order, except rank 0, which it reads as `Data::min`, and a quantile
/// past the top, read as `Data::max`. Without zeros of both signs, values that compare
/// equal have the same bits, so these are the values of ranks 0 and n − 1 whatever the
/// order, and every figure is a function of the values alone. statrs selects each rank
/// again on every call; here the ranks needed are selected together, once.
struct Ranked {
    /// The values as integers ordered as `f64::total_cmp` orders the floats (the same
    /// bits, reversibly mapped); once selected, each selected rank is at its position.
    keys: Vec<i64>,
}

/// Maps a float to an integer with the order of `f64::total_cmp` (the map `total_cmp`
/// itself uses); applied to its result it gives back the float's bits.
fn total_order_key(bits: i64) -> i64 {
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

impl Ranked {
    /// Takes the finite ones of `values`; None if they hold zeros of both signs.
    fn new(values: &[f64]) -> Option<Ranked> {
        let key = |v: &f64| total_order_key(v.to_bits() as i64);
        // Folds, not searches, so that the loops vectorise.
        let keys: Vec<i64> = if values.iter().fold(true, |all, v| all & v.is_finite()) {
            values.iter().map(key).collect()
        } else {
            values.iter().filter(|v| v.is_finite()).map(key).collect()
        };
        // The keys of 0.0 and −0.0.
        let (zero, negative_zero) =
            keys.iter().fold((false, false), |(z, nz), k| (z | (*k == 0), nz | (*k == -1)));
        (!(zero && negative_zero)).then_some(Ranked { keys })
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    /// Type 8 position of quantile `tau`: `h` and its integer part, as statrs computes them.
    fn position(&self, tau: f64) -> (f64, i64) {
        let h = (self.len() as f64 + 1.0 / 3.0) * tau + 1.0 / 3.0;
        (h, h as i64)
    }

    /// Puts the ranks that [`Ranked::median`] (`MEDIAN`) and [`Ranked::quantile`] of
    /// each of `taus` read at their positions in `keys`.
    fn select_for(&mut self, taus: &[f64]) {
        let n = self.len();
        let mut ranks = Vec::with_capacity(2 * taus.len());
        for &tau in taus {
            if tau == MEDIAN {
                if n.is_multiple_of(2) {
                    ranks.push((n / 2).saturating_sub(1));
                }
                ranks.push(n / 2);
            } else {
                let (_, hf) = self.position(tau);
                if hf > 0 && hf < n as i64 && tau != 0.0 && tau != 1.0 {
                    ranks.extend([hf as usize - 1, hf as usize]);
                }
            }
        }
        // statrs' `min` and `max`, the smallest and largest values, for the ends.
        ranks.extend([0, n.saturating_sub(1)]);
        ranks.retain(|r| *r < n);
        ranks.sort_unstable();
        ranks.dedup();
        if !self.keys.is_sorted() {
            select_ranks(&mut self.keys, &ranks);
        }
    }

    /// statrs' `select_inplace`: the value of rank `rank` (selected by [`Ranked::select_for`]);
    /// ranks past the top are the largest value.
    fn at(&self, rank: usize) -> f64 {
        f64::from_bits(total_order_key(self.keys[rank.min(self.len() - 1)]) as u64)
    }

    /// statrs' `Data::min` (selected by [`Ranked::select_for`]).
    fn min(&self) -> f64 {
        self.at(0)
    }

    /// statrs' `Data::max` (selected by [`Ranked::select_for`]).
    fn max(&self) -> f64 {
        self.at(self.len() - 1)
    }

    /// statrs' `Data::median`.
    fn median(&self) -> f64 {
        let k = self.len() / 2;
        if !self.len().is_multiple_of(2) {
            self.at(k)
        } else {
            (self.at(k.saturating_sub(1)) + self.at(k)) / 2.0
        }
    }

    /// statrs' `Data::quantile` (type 8).
    fn quantile(&self, tau: f64) -> f64 {
        if !(0.0..=1.0).contains(&tau) || self.len() == 0 {
            return f64::NAN;
        }
        let (h, hf) = self.position(tau);
        if hf <= 0 || tau == 0.0 {
            return self.min();
        }
        if hf >= self.len() as i64 || tau == 1.0 {
            return self.max();
        }
        let a = self.at((hf as usize).saturating_sub(1));
        let b = self.at(hf as usize);
        a + (h - hf as f64) * (b - a)
    }
}

/// Reorders `keys` so that each of `ranks` (ascending, distinct, below `keys.len()`)
/// holds the value of that rank in sorted order: the selection of one middle rank
/// splits the rest between the smaller and larger keys.
fn select_ranks(keys: &mut [i64], ranks: &[usize]) {
    if ranks.is_empty() {
        return;
    }
    if keys.len() <= 32 {
        keys.sort_unstable();
        return;
    }
    let mid = ranks.len() / 2;
    let r = ranks[mid];
    let last = keys.len() - 1;
    if r == 0 || r == last {
        // The smallest or largest key: one scan, no partition (the others stay unordered).
        let keys_at = keys.iter().enumerate();
        let at = if r == 0 { keys_at.min_by_key(|(_, k)| **k) } else { keys_at.max_by_key(|(_, k)| **k) };
        keys.swap(r, at.map_or(r, |(i, _)| i));
    } else {
        keys.select_nth_unstable(r);
    }
    let (below, above) = keys.split_at_mut(r);
    select_ranks(below, &ranks[..mid]);
    let above_ranks: Vec<usize> = ranks[mid + 1..].iter().map(|x| x - r - 1).collect();
    select_ranks(&mut above[1..], &above_ranks);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_values() {
        let v: Vec<f64> = (1..=101).map(|x| x as f64).collect();
        let s = Summary::of(&v);
        assert_eq!(s.n, 101);
        assert_eq!(s.mean, 51.0);
        assert_eq!(s.median, 51.0);
        // Type 8: h = (n + 1/3) p + 1/3; p = 0.05 gives h = 5.4, so x5 + 0.4 (x6 - x5) = 5.4.
        assert!((s.p05 - 5.4).abs() < 1e-9, "{}", s.p05);
        assert!((s.p95 - 96.6).abs() < 1e-9, "{}", s.p95);
        let sd = (v.iter().map(|x| (x - 51.0f64).powi(2)).sum::<f64>() / 100.0).sqrt();
        assert!((s.sd - sd).abs() < 1e-12);
        assert!((s.mcse - sd / 101f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn ratio_summary_is_the_ratio_of_means() {
        let s = Summary::of_ratio(&[10.0, 30.0, 20.0], &[1.0, 3.0, 0.0]);
        assert!((s.mean - 15.0).abs() < 1e-12); // 60 / 4
        assert_eq!(s.n, 2);
        assert_eq!(s.median, 10.0); // ratios 10, 10, +inf
        assert!(s.p95.is_nan()); // the upper tail is unbounded
        assert!(Summary::of_ratio(&[1.0], &[0.0]).mean.is_nan());
    }

    /// `Summary::of` as it was written with statrs: the definition the fast path must match.
    fn statrs_summary(values: &[f64]) -> Summary {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let n = finite.len();
        if n == 0 {
            return Summary::EMPTY;
        }
        let mean = finite.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (finite.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n as f64 - 1.0)).sqrt()
        } else {
            0.0
        };
        let mut data = Data::new(finite);
        Summary {
            n,
            mean,
            sd,
            median: data.median(),
            p05: data.quantile(0.05),
            p95: data.quantile(0.95),
            mcse: sd / (n as f64).sqrt(),
        }
    }

    fn bits(s: &Summary) -> [u64; 7] {
        [
            s.n as u64,
            s.mean.to_bits(),
            s.sd.to_bits(),
            s.median.to_bits(),
            s.p05.to_bits(),
            s.p95.to_bits(),
            s.mcse.to_bits(),
        ]
    }

    /// The selection gives statrs' median and type 8 quantiles bit for bit (signed zeros
    /// included), over lengths 0 to 40 and some long ones, with ties, constant, sorted and
    /// reversed inputs, signed zeros, undefined and infinite values mixed in.
    #[test]
    fn summaries_match_statrs_bit_for_bit() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261123);
        let lengths: Vec<usize> = (0..=40).chain([63, 64, 65, 100, 101, 999, 1000, 1001, 4096]).collect();
        let (mut cases, mut fast) = (0, 0);
        let mut columns: Vec<Vec<f64>> = Vec::new();
        for round in 0..40 {
            for &len in &lengths {
                let kind = (round + len) % 9;
                let mut v: Vec<f64> = (0..len)
                    .map(|_| match kind {
                        // Continuous, both signs, wide range.
                        0 => (rng.random::<f64>() - 0.3) * 10f64.powi(rng.random_range(-3..9)),
                        // Heavy ties: a few integers.
                        1 => rng.random_range(0..4) as f64,
                        // Constant.
                        2 => 7.25,
                        // Zeros of both signs with a few other values.
                        3 => [0.0, -0.0, 0.0, -0.0, 1.5, -2.0][rng.random_range(0..6)],
                        // Undefined and infinite values among ties.
                        4 => [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.0, 2.0, 2.0, -3.5]
                            [rng.random_range(0..7)],
                        // Shares: multiples of 1/1000.
                        5 => rng.random_range(0..1000) as f64 / 1000.0,
                        // Large and tiny magnitudes.
                        6 => [f64::MAX, -f64::MAX, f64::MIN_POSITIVE, 1e300, -1e-300, 5e-324]
                            [rng.random_range(0..6)],
                        _ => rng.random::<f64>() * 1e6,
                    })
                    .collect();
                match round % 4 {
                    1 => v.sort_by(|a, b| a.total_cmp(b)),
                    2 => v.sort_by(|a, b| b.total_cmp(a)),
                    _ => {}
                }
                let (got, want) = (Summary::of(&v), statrs_summary(&v));
                assert_eq!(bits(&got), bits(&want), "values {v:?}: {got:?} against statrs {want:?}");
                columns.push(v.clone());
                cases += 1;
                fast += Ranked::new(&v).is_some() as usize;
            }
        }
        // Most cases take the selection, not statrs (zeros of both signs are rare).
        assert!(cases > 1000 && fast > cases * 8 / 10, "{fast} of {cases}");
        // Several columns at once, in groups and a remainder, give the same bits.
        for len in [0, 1, 2, 7, 100, 1000] {
            let same: Vec<&[f64]> = columns.iter().filter(|c| c.len() == len).map(|c| c.as_slice()).collect();
            assert!(same.len() >= 8);
            for k in [1, 3, 4, 5, 9, same.len()] {
                let k = k.min(same.len());
                let got = Summary::of_columns(&same[..k]);
                let want: Vec<_> = same[..k].iter().map(|c| bits(&statrs_summary(c))).collect();
                assert_eq!(got.iter().map(bits).collect::<Vec<_>>(), want, "columns of {len}");
            }
        }
        // Hand-picked: n = 1 and n = 2, and zeros whose sign statrs takes from input order.
        for v in [
            vec![3.0],
            vec![-0.0],
            vec![-0.0, -0.0],
            vec![-0.0, f64::NAN, -0.0],
            vec![2.0, 1.0],
            vec![1.0, 1.0],
            vec![0.0, -0.0],
            vec![-0.0, 0.0],
            vec![f64::NAN, 4.0, f64::INFINITY],
            vec![0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0],
        ] {
            assert_eq!(bits(&Summary::of(&v)), bits(&statrs_summary(&v)), "values {v:?}");
        }
    }

    #[test]
    fn undefined_values_are_left_out() {
        let s = Summary::of(&[1.0, f64::NAN, 3.0]);
        assert_eq!(s.n, 2);
        assert_eq!(s.mean, 2.0);
        assert!(Summary::of(&[f64::NAN]).mean.is_nan());
    }
}
