//! Uncertain parameters of every section: resolving them into distributions, and
//! recording those marked `calibrate` (transition probabilities and segment
//! multipliers and overrides) for `trappe calibrate`.

use super::Validator;
use crate::input::locate::KeyPath;
use crate::input::param::bounds::MAX_MULTIPLIER;
use crate::input::param::{CalibrateMark, Distribution, Param, Role, fmt_num, fmt_value, resolve};
use crate::model::{Calibrated, CalibratedKind};

impl Validator<'_> {
    /// Resolves a parameter that may not be calibrated: a `calibrate` or `bounds`
    /// key on it is an error.
    pub(super) fn param(&mut self, key: KeyPath, p: &Param, role: Role) -> Distribution {
        let (mark, bounds) = p.calibration();
        if let Some(m) = mark {
            if m.is_marked() || bounds.is_some() {
                self.err(
                    key.key("calibrate"),
                    format!(
                        "`{key}` cannot be calibrated; `calibrate` is allowed only on transition \
                         probabilities (`probability` in [[transitions]]) and on segment `multipliers` \
                         and `overrides`"
                    ),
                    None,
                );
            }
        } else if bounds.is_some() {
            self.err(
                key.key("bounds"),
                format!(
                    "`bounds` belong to a parameter marked `calibrate = true`, and `{key}` cannot be \
                     calibrated (only transition probabilities and segment `multipliers` and \
                     `overrides` can)"
                ),
                None,
            );
        }
        self.resolve_param(key, p, role)
    }

    /// Resolves a parameter that may be calibrated, recording its mark if it has one.
    pub(super) fn param_calibratable(
        &mut self,
        key: KeyPath,
        p: &Param,
        role: Role,
        kind: CalibratedKind,
        engine_key: String,
    ) -> Distribution {
        let dist = self.resolve_param(key.clone(), p, role);
        let (mark, bounds) = p.calibration();
        let marked = mark.is_some_and(CalibrateMark::is_marked);
        if !marked {
            if bounds.is_some() {
                self.err(
                    key.key("bounds"),
                    "`bounds` only apply to a parameter marked `calibrate = true`; add it or remove `bounds`",
                    None,
                );
            }
            return dist;
        }
        let Some((lo, hi)) = self.calibration_bounds(&key, kind, bounds) else {
            return dist;
        };
        let mean = dist.mean();
        if !(mean > 0.0) {
            self.err(
                key.key("calibrate"),
                "a parameter with mean 0 cannot be calibrated (the fit scales the mean); give it a positive starting value",
                None,
            );
            return dist;
        }
        if !(lo <= mean && mean <= hi) {
            let at = if bounds.is_some() { key.key("bounds") } else { key.key("calibrate") };
            self.err(
                at,
                format!(
                    "the bounds [{}, {}]{} must contain the parameter's mean {}",
                    fmt_num(lo),
                    fmt_num(hi),
                    if bounds.is_some() { "" } else { " (the default)" },
                    fmt_num(mean)
                ),
                None,
            );
            return dist;
        }
        let group = match mark {
            Some(CalibrateMark::Group(g)) => g.clone(),
            _ => engine_key.clone(),
        };
        self.calibration.push(Calibrated {
            key: engine_key,
            path: key,
            group,
            kind,
            dist: dist.clone(),
            bounds: (lo, hi),
            bounds_given: bounds.is_some(),
        });
        dist
    }

    /// The bounds of a calibrated parameter's fitted mean: as written, or the kind's
    /// default; `None` (and a problem) if the written bounds cannot hold a mean.
    fn calibration_bounds(
        &mut self,
        key: &KeyPath,
        kind: CalibratedKind,
        bounds: Option<&[f64]>,
    ) -> Option<(f64, f64)> {
        let (lo, hi) = match bounds {
            None => kind.default_bounds(),
            Some([lo, hi]) if lo.is_finite() && hi.is_finite() => (*lo, *hi),
            Some(_) => {
                self.err(key.key("bounds"), "expected `bounds = [lo, hi]`: two finite numbers", None);
                return None;
            }
        };
        let allowed = match kind {
            CalibratedKind::Probability => lo >= 0.0 && hi < 1.0,
            CalibratedKind::Multiplier => lo >= 0.0 && hi <= MAX_MULTIPLIER,
        };
        let what = match kind {
            CalibratedKind::Probability => "a probability's bounds must satisfy 0 ≤ lo < hi < 1".to_string(),
            CalibratedKind::Multiplier => {
                format!("a multiplier's bounds must satisfy 0 ≤ lo < hi ≤ {}", fmt_value(MAX_MULTIPLIER))
            }
        };
        if !(allowed && lo < hi) {
            self.err(key.key("bounds"), format!("{what}, got [{}, {}]", fmt_value(lo), fmt_value(hi)), None);
            return None;
        }
        Some((lo, hi))
    }

    /// Resolves a parameter for its role; a problem (and a placeholder 0) if it does not fit.
    fn resolve_param(&mut self, key: KeyPath, p: &Param, role: Role) -> Distribution {
        match resolve(p, role) {
            Ok(d) => d,
            Err(msg) => {
                self.err(key, msg, None);
                Distribution::Fixed(0.0)
            }
        }
    }
}
