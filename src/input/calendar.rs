//! Calendar months and budget years.
//!
//! The model runs in whole months. Scenario files name months as `"YYYY-MM"`
//! (the first simulated month, hire start and end months) and budgets are
//! kept per calendar year, the Danish budget year (`budgetår`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar month, e.g. May 2007.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Calendar year, e.g. 2007.
    pub year: i32,
    /// Month of the year, 1 = January … 12 = December.
    pub month: u32,
}

impl YearMonth {
    /// A month from its year and month number (1–12).
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (1..=12).contains(&month).then_some(Self { year, month })
    }

    /// The month `n` months after this one (`n` may be negative).
    pub fn add_months(self, n: i64) -> Self {
        let idx = self.index() + n;
        Self { year: idx.div_euclid(12) as i32, month: (idx.rem_euclid(12) + 1) as u32 }
    }

    /// Months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: YearMonth) -> i64 {
        later.index() - self.index()
    }

    /// Months since year 0, so that month arithmetic is integer arithmetic.
    fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    /// Parses exactly `"YYYY-MM"`: four digits, a hyphen, two digits, nothing else
    /// (no spaces, no sign).
    pub fn parse(text: &str) -> Option<Self> {
        let (y, m) = text.split_once('-')?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y, 4) && digits(m, 2)) {
            return None;
        }
        YearMonth::new(y.parse().ok()?, m.parse().ok()?)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        YearMonth::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a month as \"YYYY-MM\" (e.g. \"2007-05\"), got \"{text}\""
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_arithmetic_crosses_years() {
        let may = YearMonth::parse("2007-05").unwrap();
        assert_eq!(may.add_months(8).to_string(), "2008-01");
        assert_eq!(may.add_months(-5).to_string(), "2006-12");
        assert_eq!(may.months_until(YearMonth::parse("2010-12").unwrap()), 43);
    }

    #[test]
    fn rejects_malformed_months() {
        for bad in [
            "2007-13",
            "2007-00",
            "07-05",
            "2007/05",
            "2007-5",
            "",
            " 2025-01",
            "2025-01 ",
            "+202-01",
            "2025-+1",
            "2025- 1",
            "２０２５-01",
        ] {
            assert!(YearMonth::parse(bad).is_none(), "{bad}");
        }
    }
}
