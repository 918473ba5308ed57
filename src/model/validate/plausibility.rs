//! Plausibility: amounts and rates that are valid but far outside what is plausible
//! for their unit, which are most likely typing mistakes (a Danish thousands point,
//! `600.000` for 600,000, read by TOML as 600; a yearly figure where a monthly one
//! belongs; 0.35 for 3.5 %). Each gives a warning that names the key, the value read
//! and what was probably meant; `--strict` makes the warnings errors.
//!
//! The ranges are generous (typical Danish figures: a caseworker's fully loaded cost
//! of about 600,000 DKK a year, cash benefit of 2,500 to 17,000 DKK a month), so that
//! a real scenario does not warn. A zero is never a typing mistake and never warns.

use super::Validator;
use crate::error::{Diagnostic, Severity};
use crate::input::locate::KeyPath;
use crate::input::param::{Param, Role, fmt_num, resolve};
use crate::numbers::dkk;
use crate::numbers::fmt_sig;

/// What kind of figure an amount is, which decides what a mistake in it probably was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// DKK per year (or per FTE-year): a figure too low was probably written in
    /// thousands or with a thousands point.
    YearlyDkk,
    /// DKK per month: as [`Unit::YearlyDkk`], and a figure too high is probably yearly.
    MonthlyDkk,
    /// DKK per event (a move).
    Dkk,
    /// A yearly rate written as a fraction: a figure too high was probably a percentage.
    Rate,
    /// Hours per month: a figure too high is probably per year.
    MonthlyHours,
}

/// The plausible range of one kind of amount.
#[derive(Debug, Clone, Copy)]
struct Plausible {
    /// The unit, for messages ("DKK per FTE-year").
    unit: &'static str,
    /// Values below this warn (except 0).
    low: f64,
    /// Values above this warn.
    high: f64,
    /// What the figure typically is, for messages.
    typical: &'static str,
    /// What kind of figure it is.
    kind: Unit,
}

/// `budget.staff_cost_per_fte_year`.
const STAFF_COST: Plausible = Plausible {
    unit: "DKK per FTE-year",
    low: 100_000.0,
    high: 3_000_000.0,
    typical: "a caseworker's fully loaded cost is about 450,000 to 750,000 DKK a year",
    kind: Unit::YearlyDkk,
};
/// `budget.benefit_rates.<type>.rates`.
const BENEFIT_RATE: Plausible = Plausible {
    unit: "DKK a month",
    low: 1_000.0,
    high: 40_000.0,
    typical: "cash benefit is about 2,500 to 17,000 DKK a month",
    kind: Unit::MonthlyDkk,
};
/// `states.activity_cost`.
const ACTIVITY_COST: Plausible = Plausible {
    unit: "DKK per citizen-month",
    low: 0.0,
    high: 100_000.0,
    typical: "an activity (wage subsidy, mentor, course) costs up to about 25,000 DKK a month",
    kind: Unit::MonthlyDkk,
};
/// `transitions.one_off_cost`.
const ONE_OFF_COST: Plausible = Plausible {
    unit: "DKK per move",
    low: 0.0,
    high: 1_000_000.0,
    typical: "establishing a placement costs up to some tens of thousands of DKK",
    kind: Unit::Dkk,
};
/// `grants.amounts`.
const GRANT: Plausible = Plausible {
    unit: "DKK in a budget year",
    low: 1_000.0,
    high: 10_000_000_000.0,
    typical: "a grant for extra staff is typically hundreds of thousands to tens of millions of DKK a year",
    kind: Unit::YearlyDkk,
};
/// `budget.wider`'s tax and equalisation amounts.
const WIDER: Plausible = Plausible {
    unit: "DKK per employed citizen-month",
    low: 100.0,
    high: 50_000.0,
    typical: "tax and equalisation per employed citizen are about 500 to 5,000 DKK a month",
    kind: Unit::MonthlyDkk,
};
/// `budget.discount_rate`.
const DISCOUNT_RATE: Plausible = Plausible {
    unit: "a year",
    low: 0.0,
    high: 0.15,
    typical: "the Ministry of Finance's rate is 3.5 % a year",
    kind: Unit::Rate,
};
/// `budget.benefit_rates.<type>.indexation`.
const INDEXATION: Plausible = Plausible {
    unit: "a year",
    low: -0.10,
    high: 0.10,
    typical: "benefit rates are indexed by about 0.01 to 0.03 (1 to 3 %) a year",
    kind: Unit::Rate,
};
/// `staffing.capacity.hours_per_fte_month`.
const HOURS_PER_FTE_MONTH: Plausible = Plausible {
    unit: "hours per FTE-month",
    low: 40.0,
    high: 250.0,
    typical: "1,924 hours a year is 160.3 a month",
    kind: Unit::MonthlyHours,
};

impl Validator<'_> {
    /// The plausibility warnings of the scenario, in file order.
    pub(super) fn plausibility(&self) -> Vec<Diagnostic> {
        let f = &self.sc.file;
        let mut out = Vec::new();
        let root = KeyPath::default();
        for (i, s) in f.states.iter().enumerate() {
            self.param_plausible(
                &mut out,
                root.key("states").index(i).key("activity_cost"),
                &s.activity_cost,
                ACTIVITY_COST,
            );
        }
        for (i, t) in f.transitions.iter().enumerate() {
            let k = root.key("transitions").index(i).key("one_off_cost");
            self.param_plausible(&mut out, k, &t.one_off_cost, ONE_OFF_COST);
        }
        if let Some(c) = f.staffing.as_ref().and_then(|s| s.capacity.as_ref()) {
            let k = KeyPath::parse("staffing.capacity.hours_per_fte_month");
            self.number_plausible(&mut out, k, c.hours_per_fte_month, HOURS_PER_FTE_MONTH);
        }
        for (i, g) in f.grants.iter().enumerate() {
            for (year, amount) in &g.amounts {
                let k = root.key("grants").index(i).key("amounts").key(year);
                self.number_plausible(&mut out, k, *amount, GRANT);
            }
        }
        let b = &f.budget;
        for (name, r) in &b.benefit_rates {
            let k = KeyPath::parse("budget.benefit_rates").key(name);
            for (year, rate) in &r.rates {
                self.number_plausible(&mut out, k.key("rates").key(year), *rate, BENEFIT_RATE);
            }
            self.number_plausible(&mut out, k.key("indexation"), r.indexation, INDEXATION);
        }
        if let Some(cost) = &b.staff_cost_per_fte_year {
            self.param_plausible(
                &mut out,
                KeyPath::parse("budget.staff_cost_per_fte_year"),
                cost,
                STAFF_COST,
            );
        }
        self.number_plausible(
            &mut out,
            KeyPath::parse("budget.discount_rate"),
            b.discount_rate,
            DISCOUNT_RATE,
        );
        if let Some(w) = &b.wider {
            let kw = KeyPath::parse("budget.wider");
            self.param_plausible(
                &mut out,
                kw.key("tax_per_employed_month"),
                &w.tax_per_employed_month,
                WIDER,
            );
            let eq = &w.equalisation_per_employed_month;
            self.param_plausible(&mut out, kw.key("equalisation_per_employed_month"), eq, WIDER);
            let st = &w.state_tax_per_employed_month;
            self.param_plausible(&mut out, kw.key("state_tax_per_employed_month"), st, WIDER);
        }
        out
    }

    /// Checks a plain number written at `key`.
    fn number_plausible(&self, out: &mut Vec<Diagnostic>, key: KeyPath, v: f64, range: Plausible) {
        let written = self.sc.written_value(&key);
        let read = fmt_num(v);
        if let Some(message) = judge(v, &read, written.as_deref(), range) {
            out.push(self.warning(&key, message));
        }
    }

    /// Checks an uncertain parameter at `key` by its mean (a distribution's fields
    /// written with a thousands point are named too).
    fn param_plausible(&self, out: &mut Vec<Diagnostic>, key: KeyPath, p: &Param, range: Plausible) {
        let Param::Dist(_) = p else {
            if let Param::Fixed(v) = p {
                self.number_plausible(out, key, *v, range);
            }
            return;
        };
        let Ok(dist) = resolve(p, Role::Amount) else { return };
        let fields = ["mean", "value", "min", "mode", "max"];
        let dotted = fields
            .iter()
            .filter_map(|f| self.sc.written_value(&key.key(f)))
            .find(|text| thousands_point(text).is_some());
        let shown = dist.to_string();
        let read = if shown.contains(" mean ") {
            shown
        } else {
            format!("{shown}, mean {}", fmt_sig(dist.mean(), 4))
        };
        if let Some(message) = judge(dist.mean(), &read, dotted.as_deref(), range) {
            out.push(self.warning(&key, message));
        }
    }

    /// A warning at `key`, located in the scenario file.
    fn warning(&self, key: &KeyPath, message: String) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..self.sc.diagnostic(key, message, None) }
    }
}

/// For text such as `600.000` or `-12.326` (one to three digits, a point, exactly
/// three digits): the number it would be with the point read as a thousands
/// separator (600000). A DKK amount has at most two decimals (øre), so three
/// decimals after at most three digits are a Danish thousands point.
fn thousands_point(text: &str) -> Option<(String, String)> {
    let unsigned = text.trim_start_matches(['-', '+']);
    let (int, frac) = unsigned.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = digits(int) && int.len() <= 3 && !int.starts_with('0') && frac.len() == 3 && digits(frac);
    ok.then(|| {
        let sign = &text[..text.len() - unsigned.len()];
        (format!("{sign}{int}{frac}"), format!("{sign}{int}_{frac}"))
    })
}

/// The warning for value `v` (described as `read`, written as `written` where that
/// is known) of a figure with plausible range `range`, if it is implausible.
fn judge(v: f64, read: &str, written: Option<&str>, range: Plausible) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    let money = matches!(range.kind, Unit::YearlyDkk | Unit::MonthlyDkk | Unit::Dkk);
    let inside = |x: f64| x >= range.low && x <= range.high;
    let unit = range.unit;
    let typical = range.typical;
    if money && let Some((plain, underscored)) = written.and_then(thousands_point) {
        let meant = v * 1000.0;
        let how = if v < range.low { "implausibly low" } else { "written with three decimals" };
        return Some(format!(
            "{read} {unit} is {how} ({typical}); did you mean {}? In TOML write {plain} or {underscored}: \
             a dot is a decimal point",
            dkk(meant)
        ));
    }
    let value_unit = format!("{read} {unit}");
    if v != 0.0 && v < range.low {
        let meant = match range.kind {
            Unit::YearlyDkk | Unit::MonthlyDkk | Unit::Dkk if inside(v * 1000.0) => {
                format!("; did you mean {}? Amounts are in DKK, not thousands of DKK", dkk(v * 1000.0))
            }
            _ => String::new(),
        };
        return Some(format!("{value_unit} is implausibly low ({typical}){meant}"));
    }
    if v > range.high {
        let meant = match range.kind {
            Unit::MonthlyDkk if inside(v / 12.0) => {
                format!("; it looks like a yearly amount: a month is {}", dkk(v / 12.0))
            }
            Unit::MonthlyHours if inside(v / 12.0) => {
                format!(
                    "; it looks like hours per year: a month is {}",
                    fmt_num((v / 12.0 * 10.0).round() / 10.0)
                )
            }
            Unit::Rate if inside(v / 10.0) => format!(
                "; did you mean {} ({} %)? A rate is a fraction: 0.035 for 3.5 %",
                fmt_num(v / 10.0),
                fmt_num(v * 10.0)
            ),
            _ => String::new(),
        };
        return Some(format!("{value_unit} is implausibly high ({typical}){meant}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thousands_point_is_recognised() {
        assert_eq!(thousands_point("600.000"), Some(("600000".into(), "600_000".into())));
        assert_eq!(thousands_point("12.326"), Some(("12326".into(), "12_326".into())));
        assert_eq!(thousands_point("0.035"), None);
        assert_eq!(thousands_point("4166.667"), None);
        assert_eq!(thousands_point("600"), None);
        assert_eq!(thousands_point("1.5"), None);
    }

    #[test]
    fn the_staff_cost_message_says_what_was_meant() {
        let m = judge(600.0, "600", Some("600.000"), STAFF_COST).unwrap();
        assert!(m.starts_with("600 DKK per FTE-year is implausibly low"), "{m}");
        assert!(
            m.contains("did you mean 600,000? In TOML write 600000 or 600_000: a dot is a decimal point"),
            "{m}"
        );
        assert!(judge(600_000.0, "600000", Some("600000"), STAFF_COST).is_none());
        assert!(judge(0.0, "0", Some("0"), STAFF_COST).is_none());
    }

    #[test]
    fn a_yearly_benefit_and_a_percentage_rate_are_recognised() {
        let m = judge(147_912.0, "147912", Some("147912"), BENEFIT_RATE).unwrap();
        assert!(m.contains("yearly amount: a month is 12,326"), "{m}");
        let m = judge(0.35, "0.35", Some("0.35"), DISCOUNT_RATE).unwrap();
        assert!(m.contains("did you mean 0.035"), "{m}");
    }
}
