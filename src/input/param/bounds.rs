//! The values every number in a scenario may take, by what it stands for.
//!
//! Every number a scenario gives, whether a plain number or a number inside a
//! distribution table, is checked against one of the ranges below: it must be
//! finite (never `nan`, `inf` or `-inf`) and lie inside the range of its unit. A
//! distribution is checked by every value a draw can take
//! ([`super::Distribution::draw_range`]), not only by its mean.
//!
//! # Why these ceilings
//!
//! The ceilings are far above any real figure (the largest realistic amount is a
//! grant of some hundred million DKK, the largest realistic multiplier a few tens),
//! so no realistic scenario is refused. They are low enough that every sum the
//! model forms stays finite with hundreds of orders of magnitude to spare, since
//! the largest finite number is about 1.8 × 10³⁰⁸:
//!
//! * A monthly amount is at most 10¹² DKK. Benefit rates are indexed by at most 50 %
//!   a year over at most 400 years (rates keyed by 1900–2200, simulated months up to
//!   2300), a factor below 10⁷¹. The cohort holds at most 5 × 10⁷ citizens over at
//!   most 1,200 months, and a run at most about 4.3 × 10⁹ replications. The sum of
//!   every amount over citizens, months and replications is therefore below
//!   10¹² × 10⁷¹ × 5 × 10⁷ × 1.2 × 10³ × 4.3 × 10⁹ ≈ 2.6 × 10⁹⁶, and its square (for
//!   a variance) below 10¹⁹⁴.
//! * Staff cost is the cost per FTE-year (at most 10¹² DKK) times FTE (at most 10⁶
//!   per baseline, hire or placement staff) times at most 100 years: below 10²⁰ per
//!   entry.
//! * A transition's monthly rate is −ln(1 − p) ≤ 37 for any probability below 1
//!   that a float can hold; a segment multiplier, a duration multiplier and the
//!   staffing clamp (each at most 10⁶) make it at most 3.7 × 10¹⁹, and 60,000 such
//!   rates from one state sum to below 10²⁵: finite, so the competing hazards
//!   always split a finite total.
//! * The staffing multiplier is (caseload_ref / caseload)^elasticity clamped to
//!   finite limits, so any finite elasticity gives a finite multiplier; the bound
//!   of ±10 only catches typing errors (an elasticity of 10 multiplies a rate by
//!   1,024 when the caseload halves).
//! * Placement hours are FTE (≤ 10⁶) times hours per FTE-month (≤ 10⁹) times a
//!   share: below 10¹⁵ a month, counted down by moves of at most 10⁵ hours each.
//!   A month has only 744 hours; the ceiling on hours per FTE-month is far above
//!   that so that a test or a what-if can give a unit unlimited placement hours.

use crate::numbers::{dkk, fmt_num};

/// The largest amount in DKK a scenario may give for one figure (a monthly rate,
/// a cost, a yearly grant): 10¹² DKK, about the yearly GDP of Denmark.
pub const MAX_AMOUNT: f64 = 1e12;
/// The largest factor on a transition's rate (segment and duration multipliers,
/// the staffing multiplier's upper clamp).
pub const MAX_MULTIPLIER: f64 = 1e6;
/// The largest elasticity, in absolute value.
pub const MAX_ELASTICITY: f64 = 10.0;
/// The largest number of full-time staff in one figure.
pub const MAX_FTE: f64 = 1e6;
/// The most hours one move may take (about 50 FTE-years).
pub const MAX_HOURS_PER_MOVE: f64 = 1e5;
/// The most working hours one FTE may give in a month: far above the 744 hours of
/// a month, so that placement hours can be made unlimited.
pub const MAX_HOURS_PER_MONTH: f64 = 1e9;
/// The largest caseload (citizens per FTE) and the largest inflow (citizens per
/// month): the most citizens a scenario may hold.
pub const MAX_CITIZENS: f64 = 5e7;

/// A closed or half-open interval of allowed values, with what it stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// The smallest allowed value (excluded when `min_open`).
    pub min: f64,
    /// The largest allowed value (excluded when `max_open`).
    pub max: f64,
    /// `min` itself is not allowed.
    pub min_open: bool,
    /// `max` itself is not allowed.
    pub max_open: bool,
    /// What the number is, for messages: "a non-negative amount of DKK".
    pub what: &'static str,
}

impl Bounds {
    /// A closed interval `[min, max]`.
    const fn closed(min: f64, max: f64, what: &'static str) -> Bounds {
        Bounds { min, max, min_open: false, max_open: false, what }
    }

    /// An amount in DKK: a monthly rate, a cost, a grant for a year.
    pub const AMOUNT: Bounds = Bounds::closed(0.0, MAX_AMOUNT, "a non-negative amount of DKK");
    /// A factor on a transition's rate.
    pub const MULTIPLIER: Bounds = Bounds::closed(0.0, MAX_MULTIPLIER, "a non-negative multiplier");
    /// An elasticity of a rate with respect to caseload.
    pub const ELASTICITY: Bounds = Bounds::closed(-MAX_ELASTICITY, MAX_ELASTICITY, "an elasticity");
    /// Consultant hours one move takes.
    pub const HOURS_PER_MOVE: Bounds =
        Bounds::closed(0.0, MAX_HOURS_PER_MOVE, "a non-negative number of hours per move");
    /// A monthly probability: below 1, since −ln(1 − p) is the rate.
    pub const PROBABILITY: Bounds =
        Bounds { min: 0.0, max: 1.0, min_open: false, max_open: true, what: "a monthly probability" };
    /// A share of a whole that must be positive (the share of hours on placements).
    pub const POSITIVE_SHARE: Bounds =
        Bounds { min: 0.0, max: 1.0, min_open: true, max_open: false, what: "a share" };
    /// A share of a whole, 0 and 1 included (reimbursement, start shares).
    pub const SHARE: Bounds = Bounds::closed(0.0, 1.0, "a share");
    /// Full-time equivalents that may be 0.
    pub const FTE: Bounds = Bounds::closed(0.0, MAX_FTE, "a non-negative FTE");
    /// The FTE a hire adds to the baseline: negative for a cut, 0 for none.
    pub const HIRE_FTE: Bounds = Bounds::closed(-MAX_FTE, MAX_FTE, "an FTE (negative for a cut)");
    /// Citizens on benefit per FTE.
    pub const CASELOAD: Bounds = Bounds {
        min: 0.0,
        max: MAX_CITIZENS,
        min_open: true,
        max_open: false,
        what: "a positive caseload (citizens per FTE)",
    };
    /// Working hours of one FTE in a month.
    pub const HOURS_PER_MONTH: Bounds = Bounds {
        min: 0.0,
        max: MAX_HOURS_PER_MONTH,
        min_open: true,
        max_open: false,
        what: "positive hours per FTE per month",
    };
    /// New citizens per month.
    pub const CITIZENS_PER_MONTH: Bounds =
        Bounds::closed(0.0, MAX_CITIZENS, "a non-negative number of citizens per month");
    /// The staffing multiplier's lower clamp.
    pub const MULTIPLIER_MIN: Bounds =
        Bounds { min: 0.0, max: 1.0, min_open: true, max_open: false, what: "a lower clamp" };
    /// The staffing multiplier's upper clamp.
    pub const MULTIPLIER_MAX: Bounds = Bounds::closed(1.0, MAX_MULTIPLIER, "an upper clamp");
    /// A yearly discount rate.
    pub const DISCOUNT_RATE: Bounds = Bounds {
        min: 0.0,
        max: 1.0,
        min_open: false,
        max_open: true,
        what: "a yearly discount rate such as 0.035",
    };
    /// A yearly indexation of benefit rates.
    pub const INDEXATION: Bounds = Bounds {
        min: -0.5,
        max: 0.5,
        min_open: true,
        max_open: true,
        what: "a yearly indexation such as 0.014",
    };

    /// Whether `v` is finite and inside the interval.
    pub fn contains(&self, v: f64) -> bool {
        let above_min = if self.min_open { v > self.min } else { v >= self.min };
        let below_max = if self.max_open { v < self.max } else { v <= self.max };
        v.is_finite() && above_min && below_max
    }

    /// The interval in mathematical notation, e.g. `[0, 1)` or `[0, 1,000,000,000,000]`.
    pub fn interval(&self) -> String {
        format!(
            "{}{}, {}{}",
            if self.min_open { '(' } else { '[' },
            fmt_value(self.min),
            fmt_value(self.max),
            if self.max_open { ')' } else { ']' }
        )
    }

    /// What the number must be, for messages: "a non-negative amount of DKK in [0, 1,000,000,000,000]".
    pub fn describe(&self) -> String {
        format!("{} in {}", self.what, self.interval())
    }

    /// `Ok` if `v` is allowed; else the message "expected …, got …".
    pub fn check(&self, v: f64) -> Result<(), String> {
        if self.contains(v) {
            Ok(())
        } else {
            Err(format!("expected {}, got {}", self.describe(), fmt_value(v)))
        }
    }
}

/// A number as a scenario writes it, for messages: `nan`, `inf` and `-inf` as TOML
/// spells them, very large and very small numbers in exponent form (`1e308`,
/// `1e-300`), whole numbers from a million with thousands separators
/// (`1,000,000`), and the rest as [`fmt_num`] does.
pub fn fmt_value(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else if v != 0.0 && (v.abs() >= 1e15 || v.abs() < 1e-6) {
        format!("{v:e}")
    } else if v.abs() >= 1e6 && v == v.trunc() {
        dkk(v)
    } else {
        fmt_num(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_are_outside_every_range() {
        for b in [Bounds::AMOUNT, Bounds::ELASTICITY, Bounds::SHARE, Bounds::INDEXATION] {
            for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert!(!b.contains(v), "{} contains {v}", b.describe());
            }
        }
    }

    #[test]
    fn ends_are_included_or_excluded_as_declared() {
        assert!(Bounds::PROBABILITY.contains(0.0) && !Bounds::PROBABILITY.contains(1.0));
        assert!(!Bounds::POSITIVE_SHARE.contains(0.0) && Bounds::POSITIVE_SHARE.contains(1.0));
        assert!(Bounds::AMOUNT.contains(MAX_AMOUNT) && !Bounds::AMOUNT.contains(MAX_AMOUNT * 1.000001));
    }

    #[test]
    fn messages_spell_numbers_as_a_scenario_does() {
        let e = Bounds::AMOUNT.check(1e308).unwrap_err();
        assert_eq!(e, "expected a non-negative amount of DKK in [0, 1,000,000,000,000], got 1e308");
        assert!(Bounds::ELASTICITY.check(f64::NAN).unwrap_err().ends_with("got nan"));
        assert_eq!(fmt_value(1e-300), "1e-300");
        assert_eq!(fmt_value(-1_000_000.0), "-1,000,000");
        assert_eq!(fmt_value(0.035), "0.035");
    }
}
