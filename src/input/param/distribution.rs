//! A validated distribution: what every uncertain parameter of the model is drawn
//! from, with its moments, quantiles and scaling for calibration.

use super::fmt_num;
use rand::Rng;
use rand_distr::{Beta, Distribution as _, Gamma, LogNormal, Triangular, Uniform};
use std::fmt;

/// A validated distribution, ready to be sampled: what the engines draw an uncertain
/// parameter from in each replication. Each variant keeps its parameters (for
/// moments, quantiles and reports) and its sampler, built once.
#[derive(Debug, Clone)]
pub enum Distribution {
    /// Always the same value.
    Fixed(f64),
    /// Beta(α, β).
    Beta {
        /// α
        alpha: f64,
        /// β
        beta: f64,
        /// The sampler of these parameters.
        sampler: Beta<f64>,
    },
    /// Gamma(shape k, scale θ).
    Gamma {
        /// k
        shape: f64,
        /// θ
        scale: f64,
        /// The sampler of these parameters.
        sampler: Gamma<f64>,
    },
    /// LogNormal(μ, σ) of the log.
    LogNormal {
        /// μ
        mu: f64,
        /// σ
        sigma: f64,
        /// The sampler of these parameters.
        sampler: LogNormal<f64>,
    },
    /// Triangular(min, mode, max).
    Triangular {
        /// lower bound
        min: f64,
        /// most likely value
        mode: f64,
        /// upper bound
        max: f64,
        /// The sampler of these parameters.
        sampler: Triangular<f64>,
    },
    /// Uniform(min, max).
    Uniform {
        /// lower bound
        min: f64,
        /// upper bound
        max: f64,
        /// The sampler of these parameters.
        sampler: Uniform<f64>,
    },
}

impl Distribution {
    /// Draws one value.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Distribution::Fixed(v) => *v,
            Distribution::Beta { sampler, .. } => sampler.sample(rng),
            Distribution::Gamma { sampler, .. } => sampler.sample(rng),
            Distribution::LogNormal { sampler, .. } => sampler.sample(rng),
            Distribution::Triangular { sampler, .. } => sampler.sample(rng),
            Distribution::Uniform { sampler, .. } => sampler.sample(rng),
        }
    }

    /// The distribution's mean.
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Fixed(v) => v,
            Distribution::Beta { alpha, beta, .. } => alpha / (alpha + beta),
            Distribution::Gamma { shape, scale, .. } => shape * scale,
            Distribution::LogNormal { mu, sigma, .. } => (mu + sigma * sigma / 2.0).exp(),
            Distribution::Triangular { min, mode, max, .. } => (min + mode + max) / 3.0,
            Distribution::Uniform { min, max, .. } => (min + max) / 2.0,
        }
    }

    /// True if the value never varies.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Distribution::Fixed(_))
    }

    /// The smallest and largest values a draw can take: the support of a fixed,
    /// beta, triangular or uniform distribution; for a gamma or lognormal, from 0 to
    /// the quantile at 1 − 2⁻⁵² ([`Distribution::quantile`]'s highest point, which
    /// fewer than one draw in 4.5 × 10¹⁵ exceeds).
    pub fn draw_range(&self) -> (f64, f64) {
        match *self {
            Distribution::Fixed(v) => (v, v),
            Distribution::Beta { .. } => (0.0, 1.0),
            Distribution::Gamma { .. } | Distribution::LogNormal { .. } => (0.0, self.quantile(1.0)),
            Distribution::Triangular { min, max, .. } | Distribution::Uniform { min, max, .. } => (min, max),
        }
    }

    /// The standard deviation of the distribution.
    pub fn sd(&self) -> f64 {
        match *self {
            Distribution::Fixed(_) => 0.0,
            Distribution::Beta { alpha, beta, .. } => {
                let s = alpha + beta;
                (alpha * beta / (s * s * (s + 1.0))).sqrt()
            }
            Distribution::Gamma { shape, scale, .. } => shape.sqrt() * scale,
            Distribution::LogNormal { mu, sigma, .. } => {
                ((sigma * sigma).exp_m1() * (2.0 * mu + sigma * sigma).exp()).sqrt()
            }
            Distribution::Triangular { min, mode, max, .. } => {
                ((min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0).sqrt()
            }
            Distribution::Uniform { min, max, .. } => (max - min) / 12f64.sqrt(),
        }
    }

    /// The value below which a share `u` (in (0, 1)) of draws fall: the inverse of
    /// the distribution function.
    ///
    /// Calibration draws a fitted parameter as `quantile(u)` of a fixed `u`, so that
    /// a candidate value moves every draw smoothly (common random numbers).
    pub fn quantile(&self, u: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Normal};
        let u = u.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
        match *self {
            Distribution::Fixed(v) => v,
            Distribution::Beta { alpha, beta, .. } => statrs::function::beta::inv_beta_reg(alpha, beta, u),
            Distribution::Gamma { shape, scale, .. } => {
                match statrs::distribution::Gamma::new(shape, 1.0 / scale) {
                    Ok(g) => g.inverse_cdf(u),
                    Err(_) => self.mean(),
                }
            }
            Distribution::LogNormal { mu, sigma, .. } => match Normal::new(0.0, 1.0) {
                Ok(n) => (mu + sigma * n.inverse_cdf(u)).exp(),
                Err(_) => self.mean(),
            },
            Distribution::Triangular { min, mode, max, .. } => {
                let fc = (mode - min) / (max - min);
                if u < fc {
                    min + (u * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
                }
            }
            Distribution::Uniform { min, max, .. } => min + u * (max - min),
        }
    }

    /// The distribution of this parameter with its mean multiplied by `c` > 0 and
    /// its relative spread kept: every draw of a fixed, gamma, lognormal, triangular
    /// or uniform parameter is multiplied by `c`; a beta keeps its family, with mean
    /// and standard deviation both multiplied by `c`.
    pub fn scaled(&self, c: f64) -> Result<Distribution, String> {
        let err = |e: &dyn fmt::Display| e.to_string();
        if !(c.is_finite() && c > 0.0) {
            return Err(format!("cannot scale a parameter by {c}"));
        }
        Ok(match *self {
            Distribution::Fixed(v) => Distribution::Fixed(v * c),
            Distribution::Beta { .. } => {
                let (m, sd) = (self.mean() * c, self.sd() * c);
                let k = m * (1.0 - m) / (sd * sd) - 1.0;
                if !(m < 1.0 && k > 0.0) {
                    return Err(format!(
                        "a beta distribution with mean {} and sd {} does not exist",
                        fmt_num(m),
                        fmt_num(sd)
                    ));
                }
                let (alpha, beta) = (m * k, (1.0 - m) * k);
                Distribution::Beta { alpha, beta, sampler: Beta::new(alpha, beta).map_err(|e| err(&e))? }
            }
            Distribution::Gamma { shape, scale, .. } => Distribution::Gamma {
                shape,
                scale: scale * c,
                sampler: Gamma::new(shape, scale * c).map_err(|e| err(&e))?,
            },
            Distribution::LogNormal { mu, sigma, .. } => Distribution::LogNormal {
                mu: mu + c.ln(),
                sigma,
                sampler: LogNormal::new(mu + c.ln(), sigma).map_err(|e| err(&e))?,
            },
            Distribution::Triangular { min, mode, max, .. } => Distribution::Triangular {
                min: min * c,
                mode: mode * c,
                max: max * c,
                sampler: Triangular::new(min * c, max * c, mode * c).map_err(|e| err(&e))?,
            },
            Distribution::Uniform { min, max, .. } => Distribution::Uniform {
                min: min * c,
                max: max * c,
                sampler: Uniform::new(min * c, max * c).map_err(|e| err(&e))?,
            },
        })
    }

    /// The largest factor by which [`Distribution::scaled`] may multiply a monthly
    /// probability so that every draw stays below 1 (for a beta: so that the scaled
    /// beta exists). The limit itself is excluded.
    pub fn probability_scale_limit(&self) -> f64 {
        match *self {
            Distribution::Fixed(v) => {
                if v > 0.0 {
                    1.0 / v
                } else {
                    f64::INFINITY
                }
            }
            Distribution::Beta { .. } => {
                let (m, sd) = (self.mean(), self.sd());
                m / (m * m + sd * sd)
            }
            Distribution::Triangular { max, .. } | Distribution::Uniform { max, .. } => {
                if max > 0.0 {
                    1.0 / max
                } else {
                    f64::INFINITY
                }
            }
            // Not allowed for probabilities (they can exceed 1 at any scale).
            Distribution::Gamma { .. } | Distribution::LogNormal { .. } => 0.0,
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Distribution::Fixed(v) => write!(f, "{}", fmt_num(v)),
            Distribution::Beta { alpha, beta, .. } => {
                write!(f, "Beta(α={}, β={}) mean {}", fmt_num(alpha), fmt_num(beta), fmt_num(self.mean()))
            }
            Distribution::Gamma { shape, scale, .. } => {
                write!(f, "Gamma(k={}, θ={}) mean {}", fmt_num(shape), fmt_num(scale), fmt_num(self.mean()))
            }
            Distribution::LogNormal { mu, sigma, .. } => {
                write!(f, "LogNormal(μ={}, σ={}) mean {}", fmt_num(mu), fmt_num(sigma), fmt_num(self.mean()))
            }
            Distribution::Triangular { min, mode, max, .. } => {
                write!(f, "Triangular({}, {}, {})", fmt_num(min), fmt_num(mode), fmt_num(max))
            }
            Distribution::Uniform { min, max, .. } => {
                write!(f, "Uniform({}, {})", fmt_num(min), fmt_num(max))
            }
        }
    }
}
