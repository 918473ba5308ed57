//! The dialects a CSV result file can be written in: the standard one that scripts and
//! trappe's own tests read, and one that a Danish Excel opens into columns and numbers.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// How the CSV result files of a command are written (`--csv-dialect`). The numbers are
/// the same in every dialect; only their text and the file's separators differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CsvDialect {
    /// Comma-separated, decimal point, UTF-8 without BOM, `\n` line endings: what
    /// scripts and most programs read.
    #[default]
    Standard,
    /// For Excel with Danish settings: semicolon-separated, decimal comma in numbers,
    /// UTF-8 with a byte-order mark (so Excel reads æ, ø, å and −), `\r\n` line endings.
    ExcelDa,
}

/// The UTF-8 byte-order mark that starts a file in [`CsvDialect::ExcelDa`].
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl CsvDialect {
    /// Every dialect, in the order the help lists them.
    pub const ALL: [CsvDialect; 2] = [CsvDialect::Standard, CsvDialect::ExcelDa];

    /// The name given to `--csv-dialect` and recorded in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            CsvDialect::Standard => "standard",
            CsvDialect::ExcelDa => "excel-da",
        }
    }

    /// The standard dialect, which a manifest does not mention.
    pub fn is_standard(&self) -> bool {
        *self == CsvDialect::Standard
    }

    /// The field separator.
    pub fn delimiter(self) -> u8 {
        match self {
            CsvDialect::Standard => b',',
            CsvDialect::ExcelDa => b';',
        }
    }

    /// The record terminator.
    pub fn terminator(self) -> csv::Terminator {
        match self {
            CsvDialect::Standard => csv::Terminator::Any(b'\n'),
            CsvDialect::ExcelDa => csv::Terminator::CRLF,
        }
    }

    /// The bytes before the header: the byte-order mark for Excel, nothing otherwise.
    pub fn preamble(self) -> &'static [u8] {
        match self {
            CsvDialect::Standard => b"",
            CsvDialect::ExcelDa => UTF8_BOM,
        }
    }

    /// The decimal separator of numbers.
    pub fn decimal_separator(self) -> char {
        match self {
            CsvDialect::Standard => '.',
            CsvDialect::ExcelDa => ',',
        }
    }

    /// A CSV writer builder with this dialect's separators.
    pub fn writer_builder(self) -> csv::WriterBuilder {
        let mut b = csv::WriterBuilder::new();
        b.delimiter(self.delimiter()).terminator(self.terminator());
        b
    }
}

impl fmt::Display for CsvDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--csv-dialect` value that names no dialect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a CSV dialect: the dialects are `standard` (commas, decimal point) and \
     `excel-da` (for Danish Excel: semicolons, decimal comma, UTF-8 with BOM){}",
    suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
)]
pub struct UnknownDialect {
    /// The value given.
    pub given: String,
    /// The nearest dialect name, if the value looks like a typo of one.
    pub suggestion: Option<String>,
}

impl FromStr for CsvDialect {
    type Err = UnknownDialect;

    fn from_str(s: &str) -> Result<CsvDialect, UnknownDialect> {
        let given = s.trim();
        CsvDialect::ALL.into_iter().find(|d| d.name().eq_ignore_ascii_case(given)).ok_or_else(|| {
            UnknownDialect {
                given: given.to_string(),
                suggestion: crate::error::nearest(given, CsvDialect::ALL.map(CsvDialect::name)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for d in CsvDialect::ALL {
            assert_eq!(d.name().parse::<CsvDialect>(), Ok(d));
        }
        assert_eq!("Excel-DA".parse::<CsvDialect>(), Ok(CsvDialect::ExcelDa));
    }

    #[test]
    fn an_unknown_name_lists_the_dialects_and_the_nearest() {
        let e = "excel_da".parse::<CsvDialect>().unwrap_err().to_string();
        assert!(e.starts_with("`excel_da` is not a CSV dialect"), "{e}");
        assert!(e.contains("`standard`") && e.contains("`excel-da`"), "{e}");
        assert!(e.ends_with("did you mean `excel-da`?"), "{e}");
        let e = "semicolon".parse::<CsvDialect>().unwrap_err().to_string();
        assert!(!e.contains("did you mean"), "{e}");
    }
}
