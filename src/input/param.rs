//! Uncertain parameters: a fixed value or a probability distribution.
//!
//! In a scenario file any uncertain number may be written either as a plain
//! number (`probability = 0.05`), as a table naming a distribution
//! (`probability = { dist = "beta", mean = 0.05, sd = 0.01 }`), or as a fixed
//! value in a table (`{ value = 0.05 }`). A table may also say where the figure
//! comes from (`source`, `grade`; see [`provenance`]). The model
//! draws every such parameter once per replication, so that the spread of
//! results shows parameter uncertainty as well as chance.
//!
//! This module holds a parameter as written ([`Param`], [`DistSpec`]) and its
//! checked resolution ([`resolve`]) into the [`Distribution`] that is sampled.

pub mod bounds;
mod distribution;
pub mod provenance;

pub use bounds::{Bounds, fmt_value};
pub use distribution::Distribution;
pub use provenance::Grade;

use rand_distr::{Beta, Gamma, LogNormal, Triangular, Uniform};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The distribution families a scenario may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DistKind {
    /// Beta, for probabilities and shares: `mean` + `sd`, or `alpha` + `beta`.
    Beta,
    /// Gamma, for positive amounts: `mean` + `sd`, or `shape` + `scale`.
    Gamma,
    /// Log-normal, for positive amounts: `mean` + `sd`, or `mu` + `sigma` (of the log).
    Lognormal,
    /// Triangular, where a range and a most likely value are known: `min`, `mode`, `max`.
    Triangular,
    /// Uniform, where only a range is known: `min`, `max`.
    Uniform,
    /// A fixed value written as a table: `value`. Also what a table without `dist` is.
    Fixed,
}

/// A distribution as written in a scenario file, before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistSpec {
    /// Which family; a table without `dist` is a fixed `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dist: Option<DistKind>,
    /// Mean (beta, gamma, lognormal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Standard deviation (beta, gamma, lognormal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Beta shape α.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Beta shape β.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
    /// Gamma shape k.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<f64>,
    /// Gamma scale θ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Mean of the logarithm (lognormal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    /// Standard deviation of the logarithm (lognormal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// Lower bound (triangular, uniform).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Most likely value (triangular).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<f64>,
    /// Upper bound (triangular, uniform).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The value of a `fixed` distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Marks the parameter to be fitted by `trappe calibrate` (transition
    /// probabilities and segment multipliers and overrides only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibrate: Option<CalibrateMark>,
    /// Lower and upper bound of the fitted mean, `[lo, hi]`, for `trappe calibrate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<Vec<f64>>,
    /// Where the figure comes from: an evidence id (`E-STAFF-2`), a paper id
    /// (`P-AAL-2019`) or a citation. Shown by `trappe check`; no result depends on it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "provenance::non_blank_source"
    )]
    pub source: Option<String>,
    /// How much weight the figure can bear, on the register's scale. Shown by
    /// `trappe check`; no result depends on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Grade>,
}

impl DistSpec {
    /// The family: as named by `dist`, or fixed for a table without it.
    pub fn kind(&self) -> DistKind {
        self.dist.unwrap_or(DistKind::Fixed)
    }
}

/// The value of a parameter's `calibrate` key.
///
/// `calibrate = true` fits the parameter on its own; `calibrate = "name"` puts it in
/// a named group whose members are all scaled by one common factor, so that their
/// ratios stay as written (e.g. one segment's multipliers on several routes out of
/// benefit, which the observed figures cannot tell apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalibrateMark {
    /// `true` (fit on its own) or `false` (not fitted).
    Own(bool),
    /// A named group fitted by one common factor.
    Group(String),
}

impl CalibrateMark {
    /// Whether the parameter is to be fitted.
    pub fn is_marked(&self) -> bool {
        !matches!(self, CalibrateMark::Own(false))
    }
}

impl Serialize for CalibrateMark {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CalibrateMark::Own(b) => s.serialize_bool(*b),
            CalibrateMark::Group(g) => s.serialize_str(g),
        }
    }
}

impl<'de> Deserialize<'de> for CalibrateMark {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = CalibrateMark;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false or the name of a calibration group (text)")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<CalibrateMark, E> {
                Ok(CalibrateMark::Own(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CalibrateMark, E> {
                if v.trim().is_empty() {
                    return Err(E::custom(
                        "a calibration group name must not be empty; write `calibrate = true` for a parameter fitted on its own",
                    ));
                }
                Ok(CalibrateMark::Group(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// An uncertain number as written in a scenario: fixed, or a distribution.
// A scenario has tens of parameters: boxing the larger variant would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// A plain number.
    Fixed(f64),
    /// A distribution table.
    Dist(DistSpec),
}

impl Param {
    /// A fixed parameter.
    pub const fn fixed(v: f64) -> Self {
        Param::Fixed(v)
    }

    /// The `source` and `grade` written in the parameter's table, if any (a plain
    /// number carries neither).
    pub fn provenance(&self) -> (Option<&str>, Option<Grade>) {
        match self {
            Param::Fixed(_) => (None, None),
            Param::Dist(d) => (d.source.as_deref(), d.grade),
        }
    }

    /// The `calibrate` mark and `bounds` written in the parameter's table, if any.
    pub fn calibration(&self) -> (Option<&CalibrateMark>, Option<&[f64]>) {
        match self {
            Param::Fixed(_) => (None, None),
            Param::Dist(d) => (d.calibrate.as_ref(), d.bounds.as_deref()),
        }
    }
}

impl Default for Param {
    fn default() -> Self {
        Param::Fixed(0.0)
    }
}

impl Serialize for Param {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Param::Fixed(v) => s.serialize_f64(*v),
            Param::Dist(d) => d.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ParamVisitor;
        impl<'de> Visitor<'de> for ParamVisitor {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number, a distribution table such as { dist = \"beta\", mean = 0.05, sd = 0.01 }, or a fixed value as a table such as { value = 0.05, source = \"E-FLOW-4\" }",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
                Ok(Param::Fixed(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
                Ok(Param::Fixed(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
                Ok(Param::Fixed(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Param, A::Error> {
                DistSpec::deserialize(de::value::MapAccessDeserializer::new(map)).map(Param::Dist)
            }
        }
        d.deserialize_any(ParamVisitor)
    }
}

/// What a parameter stands for, which limits the values it may take (its [`Bounds`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A monthly probability: every possible draw must lie in [0, 1).
    Probability,
    /// An amount in DKK (a monthly cost, a one-off cost, a staff cost per FTE-year).
    Amount,
    /// A factor on a transition's rate (segment and duration multipliers).
    Multiplier,
    /// An elasticity of a rate with respect to caseload (may be negative).
    Elasticity,
    /// Consultant hours one move takes.
    Hours,
    /// A share of a whole, in (0, 1] (e.g. the share of hours spent on placements).
    Share,
}

impl Role {
    /// The values the role allows.
    pub fn bounds(self) -> Bounds {
        match self {
            Role::Probability => Bounds::PROBABILITY,
            Role::Amount => Bounds::AMOUNT,
            Role::Multiplier => Bounds::MULTIPLIER,
            Role::Elasticity => Bounds::ELASTICITY,
            Role::Hours => Bounds::HOURS_PER_MOVE,
            Role::Share => Bounds::POSITIVE_SHARE,
        }
    }

    /// Whether every draw of `dist` fits the role. A beta distribution fits a
    /// probability and a share although its support reaches 0 and 1: a draw of
    /// exactly 0 or 1 is never made. A gamma or lognormal never fits them: it has no
    /// upper limit.
    fn admits(self, dist: &Distribution) -> bool {
        let b = self.bounds();
        if matches!(self, Role::Probability | Role::Share) {
            match dist {
                Distribution::Beta { .. } => return true,
                Distribution::Gamma { .. } | Distribution::LogNormal { .. } => return false,
                _ => {}
            }
        }
        let (lo, hi) = dist.draw_range();
        b.contains(lo) && b.contains(hi) && b.contains(dist.mean()) && dist.sd().is_finite()
    }
}

pub use crate::numbers::fmt_num;

/// Turns a parameter as written into a validated distribution: every number in it
/// finite, and every value a draw can take inside the role's [`Bounds`].
///
/// The error is a message without location; the caller adds file, line and key.
pub fn resolve(param: &Param, role: Role) -> Result<Distribution, String> {
    let dist = match param {
        Param::Fixed(v) => Distribution::Fixed(*v),
        Param::Dist(spec) => resolve_spec(spec)?,
    };
    if role.admits(&dist) {
        return Ok(dist);
    }
    let (lo, hi) = dist.draw_range();
    let what = if dist.is_fixed() {
        format!("got {}", fmt_value(lo))
    } else if !role.bounds().contains(dist.mean()) && role.bounds().contains(lo) && role.bounds().contains(hi)
    {
        format!("{dist} has mean {}", fmt_value(dist.mean()))
    } else {
        format!("{dist} can take values from {} to {}", fmt_value(lo), fmt_value(hi))
    };
    let hint = match (role, &dist) {
        (Role::Probability, Distribution::Gamma { .. } | Distribution::LogNormal { .. }) => {
            "; use a beta, triangular, uniform or fixed distribution for a probability"
        }
        (Role::Probability, Distribution::Fixed(v)) if *v >= 1.0 && v.is_finite() => {
            "; a monthly probability of leaving must be below 1 (write e.g. 0.99)"
        }
        _ => "",
    };
    Err(format!("expected {}, but {what}{hint}", role.bounds().describe()))
}

/// The value of key `name` of a distribution table; an error if it is missing or not finite.
fn need(spec: &DistSpec, name: &str, v: Option<f64>) -> Result<f64, String> {
    let v = v.ok_or_else(|| format!("a {:?} distribution needs `{name}`", spec.kind()).to_lowercase())?;
    if !v.is_finite() {
        return Err(format!("`{name}` must be a finite number"));
    }
    Ok(v)
}

impl DistSpec {
    /// Every number the table may give, by key, in the order errors name them.
    fn numbers(&self) -> [(&'static str, Option<f64>); 12] {
        [
            ("mean", self.mean),
            ("sd", self.sd),
            ("alpha", self.alpha),
            ("beta", self.beta),
            ("shape", self.shape),
            ("scale", self.scale),
            ("mu", self.mu),
            ("sigma", self.sigma),
            ("min", self.min),
            ("mode", self.mode),
            ("max", self.max),
            ("value", self.value),
        ]
    }
}

/// An error naming the first key given that the table's family does not take.
fn only(spec: &DistSpec, allowed: &[&str]) -> Result<(), String> {
    for (name, v) in spec.numbers() {
        if v.is_some() && !allowed.contains(&name) {
            return Err(format!(
                "`{name}` does not belong to a {} distribution; it takes {}",
                format!("{:?}", spec.kind()).to_lowercase(),
                allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(())
}

/// A distribution table resolved into its family, with the family's own checks.
fn resolve_spec(spec: &DistSpec) -> Result<Distribution, String> {
    let err = |e: &dyn fmt::Display| e.to_string();
    if spec.dist.is_none() {
        return resolve_undeclared(spec);
    }
    match spec.kind() {
        DistKind::Fixed => {
            only(spec, &["value"])?;
            Ok(Distribution::Fixed(need(spec, "value", spec.value)?))
        }
        DistKind::Beta => resolve_beta(spec),
        DistKind::Gamma => resolve_gamma(spec),
        DistKind::Lognormal => resolve_lognormal(spec),
        DistKind::Triangular => {
            only(spec, &["min", "mode", "max"])?;
            let (min, mode, max) =
                (need(spec, "min", spec.min)?, need(spec, "mode", spec.mode)?, need(spec, "max", spec.max)?);
            if !(min <= mode && mode <= max && min < max) {
                return Err(format!(
                    "triangular needs min ≤ mode ≤ max and min < max, got {}, {}, {}",
                    fmt_value(min),
                    fmt_value(mode),
                    fmt_value(max)
                ));
            }
            let sampler = Triangular::new(min, max, mode).map_err(|e| err(&e))?;
            Ok(Distribution::Triangular { min, mode, max, sampler })
        }
        DistKind::Uniform => {
            only(spec, &["min", "max"])?;
            let (min, max) = (need(spec, "min", spec.min)?, need(spec, "max", spec.max)?);
            if !(min < max) {
                return Err(format!(
                    "uniform needs min < max, got {} and {}",
                    fmt_value(min),
                    fmt_value(max)
                ));
            }
            let sampler = Uniform::new(min, max).map_err(|e| err(&e))?;
            Ok(Distribution::Uniform { min, max, sampler })
        }
    }
}

/// A table without `dist`: a fixed value, `{ value = 600000, source = "E-STAFF-2" }`.
/// Any other number in it belongs to a distribution that must be named.
fn resolve_undeclared(spec: &DistSpec) -> Result<Distribution, String> {
    if let Some((name, _)) = spec.numbers().into_iter().find(|(name, v)| *name != "value" && v.is_some()) {
        return Err(format!(
            "`{name}` belongs to a distribution: name it with `dist` (e.g. `dist = \"beta\"`); a table without `dist` is a fixed value, `{{ value = … }}`"
        ));
    }
    if spec.value.is_none() {
        return Err(
            "a parameter table needs `value` (a fixed value, e.g. `{ value = 600000, source = \"E-STAFF-2\" }`) or `dist` naming a distribution".into(),
        );
    }
    Ok(Distribution::Fixed(need(spec, "value", spec.value)?))
}

/// A beta distribution from `mean` and `sd`, or from `alpha` and `beta`.
fn resolve_beta(spec: &DistSpec) -> Result<Distribution, String> {
    let err = |e: &dyn fmt::Display| e.to_string();
    only(spec, &["mean", "sd", "alpha", "beta"])?;
    let (alpha, beta) = if spec.alpha.is_some() || spec.beta.is_some() {
        if spec.mean.is_some() || spec.sd.is_some() {
            return Err(
                "give a beta distribution either `mean` and `sd`, or `alpha` and `beta`, not both".into()
            );
        }
        (need(spec, "alpha", spec.alpha)?, need(spec, "beta", spec.beta)?)
    } else {
        let m = need(spec, "mean", spec.mean)?;
        let sd = need(spec, "sd", spec.sd)?;
        if !(m > 0.0 && m < 1.0) {
            return Err(format!("a beta mean must lie strictly between 0 and 1, got {}", fmt_value(m)));
        }
        let max_sd = (m * (1.0 - m)).sqrt();
        if !(sd > 0.0 && sd < max_sd) {
            return Err(format!(
                "a beta distribution with mean {} needs 0 < sd < {}, got {}",
                fmt_value(m),
                fmt_value(max_sd),
                fmt_value(sd)
            ));
        }
        let k = m * (1.0 - m) / (sd * sd) - 1.0;
        (m * k, (1.0 - m) * k)
    };
    if !(alpha > 0.0 && beta > 0.0 && alpha.is_finite() && beta.is_finite()) {
        return Err(format!(
            "beta needs finite alpha > 0 and beta > 0, got {} and {}",
            fmt_value(alpha),
            fmt_value(beta)
        ));
    }
    let sampler = Beta::new(alpha, beta).map_err(|e| err(&e))?;
    Ok(Distribution::Beta { alpha, beta, sampler })
}

/// A gamma distribution from `mean` and `sd`, or from `shape` and `scale`.
fn resolve_gamma(spec: &DistSpec) -> Result<Distribution, String> {
    let err = |e: &dyn fmt::Display| e.to_string();
    only(spec, &["mean", "sd", "shape", "scale"])?;
    let (shape, scale) = if spec.shape.is_some() || spec.scale.is_some() {
        if spec.mean.is_some() || spec.sd.is_some() {
            return Err(
                "give a gamma distribution either `mean` and `sd`, or `shape` and `scale`, not both".into()
            );
        }
        (need(spec, "shape", spec.shape)?, need(spec, "scale", spec.scale)?)
    } else {
        let m = need(spec, "mean", spec.mean)?;
        let sd = need(spec, "sd", spec.sd)?;
        if !(m > 0.0 && sd > 0.0) {
            return Err(format!(
                "gamma needs mean > 0 and sd > 0, got {} and {}",
                fmt_value(m),
                fmt_value(sd)
            ));
        }
        ((m / sd).powi(2), sd * sd / m)
    };
    if !(shape > 0.0 && scale > 0.0 && shape.is_finite() && scale.is_finite()) {
        return Err(format!(
            "gamma needs finite shape > 0 and scale > 0, got {} and {}",
            fmt_value(shape),
            fmt_value(scale)
        ));
    }
    let sampler = Gamma::new(shape, scale).map_err(|e| err(&e))?;
    Ok(Distribution::Gamma { shape, scale, sampler })
}

/// A log-normal distribution from `mean` and `sd`, or from `mu` and `sigma` (of the log).
fn resolve_lognormal(spec: &DistSpec) -> Result<Distribution, String> {
    let err = |e: &dyn fmt::Display| e.to_string();
    only(spec, &["mean", "sd", "mu", "sigma"])?;
    let (mu, sigma) = if spec.mu.is_some() || spec.sigma.is_some() {
        if spec.mean.is_some() || spec.sd.is_some() {
            return Err(
                "give a lognormal distribution either `mean` and `sd`, or `mu` and `sigma`, not both".into(),
            );
        }
        (need(spec, "mu", spec.mu)?, need(spec, "sigma", spec.sigma)?)
    } else {
        let m = need(spec, "mean", spec.mean)?;
        let sd = need(spec, "sd", spec.sd)?;
        if !(m > 0.0 && sd > 0.0) {
            return Err(format!(
                "lognormal needs mean > 0 and sd > 0, got {} and {}",
                fmt_value(m),
                fmt_value(sd)
            ));
        }
        let s2 = (1.0 + (sd / m).powi(2)).ln();
        (m.ln() - s2 / 2.0, s2.sqrt())
    };
    if !(sigma > 0.0 && sigma.is_finite() && mu.is_finite()) {
        return Err(format!(
            "lognormal needs a finite mu and a finite sigma > 0, got {} and {}",
            fmt_value(mu),
            fmt_value(sigma)
        ));
    }
    let sampler = LogNormal::new(mu, sigma).map_err(|e| err(&e))?;
    Ok(Distribution::LogNormal { mu, sigma, sampler })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn spec(kind: DistKind) -> DistSpec {
        DistSpec {
            dist: Some(kind),
            mean: None,
            sd: None,
            alpha: None,
            beta: None,
            shape: None,
            scale: None,
            mu: None,
            sigma: None,
            min: None,
            mode: None,
            max: None,
            value: None,
            calibrate: None,
            bounds: None,
            source: None,
            grade: None,
        }
    }

    fn sample_moments(d: &Distribution, n: usize) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        (m, v.sqrt())
    }

    #[test]
    fn mean_sd_parameterisations_reproduce_their_moments() {
        for kind in [DistKind::Beta, DistKind::Gamma, DistKind::Lognormal] {
            let (m, sd) = if kind == DistKind::Beta { (0.05, 0.01) } else { (600_000.0, 50_000.0) };
            let mut s = spec(kind);
            s.mean = Some(m);
            s.sd = Some(sd);
            let d = resolve(&Param::Dist(s), Role::Amount).unwrap();
            assert!((d.mean() - m).abs() < 1e-9 * m, "{kind:?} analytic mean");
            let (sm, ssd) = sample_moments(&d, 200_000);
            // 200k draws: standard error of the mean is sd/447; allow 5 SE.
            assert!((sm - m).abs() < 5.0 * sd / 447.0, "{kind:?}: mean {sm} vs {m}");
            assert!((ssd - sd).abs() < 0.02 * sd, "{kind:?}: sd {ssd} vs {sd}");
        }
    }

    #[test]
    fn probability_role_rejects_values_at_or_above_one() {
        assert!(resolve(&Param::Fixed(1.3), Role::Probability).is_err());
        assert!(resolve(&Param::Fixed(1.0), Role::Probability).is_err());
        assert!(resolve(&Param::Fixed(-0.1), Role::Probability).is_err());
        assert!(resolve(&Param::Fixed(0.999), Role::Probability).is_ok());
        let mut t = spec(DistKind::Triangular);
        t.min = Some(0.1);
        t.mode = Some(0.5);
        t.max = Some(1.2);
        assert!(resolve(&Param::Dist(t), Role::Probability).is_err());
        let mut g = spec(DistKind::Gamma);
        g.mean = Some(0.1);
        g.sd = Some(0.01);
        let e = resolve(&Param::Dist(g), Role::Probability).unwrap_err();
        assert!(e.contains("beta"), "{e}");
    }

    #[test]
    fn quantiles_invert_the_distribution_and_scaling_keeps_the_spread() {
        let mut b = spec(DistKind::Beta);
        b.mean = Some(0.02);
        b.sd = Some(0.006);
        let mut t = spec(DistKind::Triangular);
        t.min = Some(0.7);
        t.mode = Some(0.94);
        t.max = Some(1.17);
        let mut g = spec(DistKind::Gamma);
        g.mean = Some(2.0);
        g.sd = Some(0.5);
        let mut l = spec(DistKind::Lognormal);
        l.mean = Some(2.0);
        l.sd = Some(0.5);
        let mut un = spec(DistKind::Uniform);
        un.min = Some(0.001);
        un.max = Some(0.006);
        for s in [b, t, g, l, un] {
            let d = resolve(&Param::Dist(s), Role::Amount).unwrap();
            // The mean of many quantiles at evenly spaced u is the distribution's mean.
            let n = 20_000;
            let m: f64 = (0..n).map(|i| d.quantile((i as f64 + 0.5) / n as f64)).sum::<f64>() / n as f64;
            assert!((m - d.mean()).abs() < 1e-3 * d.mean(), "{d}: {m} vs {}", d.mean());
            let q = |u: f64| d.quantile(u);
            assert!(q(0.1) < q(0.5) && q(0.5) < q(0.9), "{d}");
            let s2 = d.scaled(1.5).unwrap();
            assert!((s2.mean() - 1.5 * d.mean()).abs() < 1e-9 * d.mean(), "{d}");
            assert!((s2.sd() - 1.5 * d.sd()).abs() < 1e-9 * d.sd(), "{d}");
        }
        let beta = resolve(&Param::Fixed(0.3), Role::Probability).unwrap();
        assert!(beta.scaled(4.0).is_ok());
        assert!((beta.probability_scale_limit() - 1.0 / 0.3).abs() < 1e-12);
    }

    #[test]
    fn impossible_beta_spread_is_explained() {
        let mut s = spec(DistKind::Beta);
        s.mean = Some(0.5);
        s.sd = Some(0.6);
        let e = resolve(&Param::Dist(s), Role::Probability).unwrap_err();
        assert!(e.contains("sd <"), "{e}");
    }

    #[test]
    fn foreign_fields_are_named() {
        let mut s = spec(DistKind::Uniform);
        s.min = Some(0.0);
        s.max = Some(1.0);
        s.mode = Some(0.5);
        let e = resolve(&Param::Dist(s), Role::Elasticity).unwrap_err();
        assert!(e.contains("`mode`") && e.contains("uniform"), "{e}");
    }
}
