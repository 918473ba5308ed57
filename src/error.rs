//! Errors a user can act on: which file, which line, which key, what was
//! expected, and the nearest valid alternative.

use std::fmt;
use std::path::PathBuf;

/// How serious a finding is: an error stops the command; a warning is printed and
/// the command goes on (unless `--strict` asks for warnings to stop it too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Severity {
    /// The input cannot be used as written.
    #[default]
    Error,
    /// The input is valid but a value is far outside what is plausible for its unit,
    /// most likely a typing mistake (`600.000` for 600,000).
    Warning,
}

/// One problem found in a scenario file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostic {
    /// The scenario file.
    pub file: String,
    /// 1-based line, where the problem could be located.
    pub line: Option<usize>,
    /// 1-based column, where the problem could be located.
    pub column: Option<usize>,
    /// The key path, e.g. `transitions[2].probability` (arrays count from 0).
    pub key: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// The nearest valid alternative, when there is one.
    pub suggestion: Option<String>,
    /// The offending line of the file, for display.
    pub snippet: Option<String>,
    /// A hint on how to write what was probably meant, when the mistake has a
    /// recognisable cause (a decimal comma, an unquoted key with æ, ø or å).
    pub hint: Option<String>,
    /// Whether the problem stops the command.
    pub severity: Severity,
}

impl Diagnostic {
    /// The same finding as an error: a warning under `--strict`.
    pub fn as_error(&self) -> Diagnostic {
        Diagnostic { severity: Severity::Error, ..self.clone() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": ")?;
        if !self.key.is_empty() {
            write!(f, "key `{}`: ", self.key)?;
        }
        write!(f, "{}", self.message)?;
        if let (Some(line), Some(snippet)) = (self.line, &self.snippet) {
            write!(f, "\n  {line:>5} | {snippet}")?;
        }
        if let Some(s) = &self.suggestion {
            write!(f, "\n  help: did you mean `{s}`?")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario file {}: {source}", path.display())]
    Read {
        /// The path given.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file was read but is not a valid scenario; every problem found is listed.
    #[error("{}", format_all(.0))]
    Invalid(Vec<Diagnostic>),
    /// The scenario is valid, but `--strict` was given and it has plausibility
    /// warnings, which are listed as errors.
    #[error(
        "{}\n--strict treats plausibility warnings as errors: correct the values, or run without --strict to go on with them",
        format_all(.0)
    )]
    Strict(Vec<Diagnostic>),
}

fn format_all(ds: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in ds.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    if ds.len() > 1 {
        out.push_str(&format!("\n{} problems in the scenario file", ds.len()));
    }
    out
}

impl ScenarioError {
    /// The problems found, if the file was read.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ScenarioError::Invalid(ds) | ScenarioError::Strict(ds) => ds,
            ScenarioError::Read { .. } => &[],
        }
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let word_l = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(&word_l, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_ignores_strangers() {
        let keys = ["horizon_months", "start", "name", "description"];
        assert_eq!(nearest("horizon_month", keys).as_deref(), Some("horizon_months"));
        assert_eq!(nearest("strat", keys).as_deref(), Some("start"));
        assert_eq!(nearest("zzzzzz", keys), None);
    }
}
