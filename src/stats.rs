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
    /// Quantiles follow statrs (Hyndman & Fan type 8, median-unbiased).
    pub fn of(values: &[f64]) -> Summary {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let n = finite.len();
        if n == 0 {
            return Summary {
                n,
                mean: f64::NAN,
                sd: f64::NAN,
                median: f64::NAN,
                p05: f64::NAN,
                p95: f64::NAN,
                mcse: f64::NAN,
            };
        }
        // Sum in a fixed order so results are identical however they were computed.
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

    #[test]
    fn undefined_values_are_left_out() {
        let s = Summary::of(&[1.0, f64::NAN, 3.0]);
        assert_eq!(s.n, 2);
        assert_eq!(s.mean, 2.0);
        assert!(Summary::of(&[f64::NAN]).mean.is_nan());
    }
}
