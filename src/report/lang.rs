//! The language of what a user reads: the terminal summaries, the reports and the
//! workbook, in English or Danish, with each language's number formats.
//!
//! Danish output writes amounts as `1.234.567 kr.`, shares as `38,2 %` and decimals with
//! a comma; English output writes `1,234,567 DKK`, `38.2 %` and a decimal point. CSV
//! files are not text for reading but tables for programs, and keep their own format
//! (see `--csv-dialect`).

use std::fmt;
use std::str::FromStr;

/// A language of trappe's text for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Danish.
    Da,
}

impl Lang {
    /// Every language, in the order help texts list them.
    pub const ALL: [Lang; 2] = [Lang::Da, Lang::En];

    /// The language's code, as `--lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Da => "da",
        }
    }

    /// The English or the Danish text, whichever is this language's.
    pub fn pick<'a>(self, en: &'a str, da: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Da => da,
        }
    }

    /// The thousands separator of whole numbers.
    fn thousands(self) -> char {
        match self {
            Lang::En => ',',
            Lang::Da => '.',
        }
    }

    /// The decimal separator.
    fn decimal(self) -> char {
        match self {
            Lang::En => '.',
            Lang::Da => ',',
        }
    }

    /// What an undefined figure reads as.
    pub fn not_available(self) -> &'static str {
        self.pick("n/a", "i.t.")
    }

    /// `v` with `decimals` decimals and thousands separators, e.g. `1,234.5` or `1.234,5`.
    pub fn number(self, v: f64, decimals: usize) -> String {
        if !v.is_finite() {
            return self.not_available().into();
        }
        let text = format!("{:.decimals$}", v.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let mut out = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(self.thousands());
            }
            out.push(c);
        }
        if !fraction.is_empty() {
            out.push(self.decimal());
            out.push_str(fraction);
        }
        let zero = out.chars().all(|c| c == '0' || c == self.thousands() || c == self.decimal());
        if v < 0.0 && !zero { format!("-{out}") } else { out }
    }

    /// An amount in whole kroner with its unit: `1,234,567 DKK` or `1.234.567 kr.`.
    pub fn dkk(self, v: f64) -> String {
        if !v.is_finite() {
            return self.not_available().into();
        }
        format!("{} {}", self.number(v, 0), self.pick("DKK", "kr."))
    }

    /// An amount in whole kroner without its unit: `1,234,567` or `1.234.567`.
    pub fn amount(self, v: f64) -> String {
        self.number(v, 0)
    }

    /// An amount in whole kroner without its unit, with a `+` when it is positive.
    pub fn signed_amount(self, v: f64) -> String {
        if v > 0.0 { format!("+{}", self.amount(v)) } else { self.amount(v) }
    }

    /// The unit of amounts: `DKK` or `kr.`.
    pub fn currency(self) -> &'static str {
        self.pick("DKK", "kr.")
    }

    /// A number written the English way (`0.5`, `1,234.5`) in this language's
    /// separators: a decimal point becomes a comma and a thousands comma a point in Danish.
    pub fn localise_text(self, english: &str) -> String {
        match self {
            Lang::En => english.to_string(),
            Lang::Da => english
                .chars()
                .map(|c| match c {
                    '.' => ',',
                    ',' => '.',
                    c => c,
                })
                .collect(),
        }
    }

    /// [`Lang::localise_text`] of a number written the English way.
    fn localise(self, english: String) -> String {
        match self {
            Lang::En => english,
            Lang::Da => self.localise_text(&english),
        }
    }

    /// `v` with `digits` decimals and no thousands separators, e.g. `1.25` or `1,25`.
    pub fn fixed(self, v: f64, digits: usize) -> String {
        if !v.is_finite() {
            return self.not_available().into();
        }
        self.localise(format!("{v:.digits$}"))
    }

    /// [`Lang::fixed`] with the sign always written, e.g. `+0.8` or `+0,8`.
    pub fn signed_fixed(self, v: f64, digits: usize) -> String {
        if !v.is_finite() {
            return self.not_available().into();
        }
        self.localise(format!("{v:+.digits$}"))
    }

    /// A share as a percentage with one decimal: `38.2 %` or `38,2 %`.
    pub fn percent(self, v: f64) -> String {
        if !v.is_finite() {
            return self.not_available().into();
        }
        self.localise(format!("{:.1} %", v * 100.0))
    }

    /// A difference of shares in signed percentage points with one decimal: `+2.4 pp` or
    /// `+2,4 pct.-point`.
    pub fn percentage_points(self, v: f64) -> String {
        if !v.is_finite() {
            return self.not_available().into();
        }
        format!("{} {}", self.signed_fixed(v * 100.0, 1), self.pick("pp", "pct.-point"))
    }

    /// A number as a scenario file writes it (whole numbers without decimals, others
    /// with up to six), in this language's decimal separator: `0.35` or `0,35`.
    pub fn plain(self, v: f64) -> String {
        self.localise(crate::numbers::fmt_num(v))
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language code that is not one of trappe's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a language of trappe's: give `da` (Danish) or `en` (English)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "da" | "dansk" | "danish" => Ok(Lang::Da),
            _ => Err(UnknownLang(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_numbers_have_a_decimal_comma_and_thousands_points() {
        assert_eq!(Lang::Da.dkk(1_234_567.4), "1.234.567 kr.");
        assert_eq!(Lang::En.dkk(-1_234_567.6), "-1,234,568 DKK");
        assert_eq!(Lang::Da.percent(0.382), "38,2 %");
        assert_eq!(Lang::En.percent(0.382), "38.2 %");
        assert_eq!(Lang::Da.number(1234.5, 2), "1.234,50");
        assert_eq!(Lang::Da.number(-0.04, 1), "0,0");
        assert_eq!(Lang::Da.percentage_points(0.024), "+2,4 pct.-point");
        assert_eq!(Lang::Da.fixed(1234.5, 1), "1234,5");
        assert_eq!(Lang::Da.signed_amount(1234.0), "+1.234");
        assert_eq!(Lang::En.dkk(f64::NAN), "n/a");
        assert_eq!(Lang::Da.dkk(f64::NAN), "i.t.");
    }

    /// English figures are written exactly as the terminal writes them without a language.
    #[test]
    fn english_is_the_terminal_numbers() {
        use crate::numbers;
        for v in [0.0, -0.0, 0.38249, -0.00004, 12.5, -1_706_574.4, 1e7 / 3.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Lang::En.amount(v), numbers::dkk(v), "{v}");
            assert_eq!(Lang::En.percent(v), numbers::percent(v), "{v}");
            assert_eq!(Lang::En.percentage_points(v), numbers::percentage_points(v), "{v}");
            assert_eq!(Lang::En.fixed(v, 2), numbers::fixed(v, 2), "{v}");
            assert_eq!(Lang::En.signed_fixed(v, 1), numbers::signed_fixed(v, 1), "{v}");
        }
    }

    #[test]
    fn codes_read_back() {
        for l in Lang::ALL {
            assert_eq!(l.code().parse::<Lang>(), Ok(l));
        }
        assert!(
            "de".parse::<Lang>().unwrap_err().to_string().contains("give `da` (Danish) or `en` (English)")
        );
    }
}
