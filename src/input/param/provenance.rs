//! Where a parameter's figure comes from: the `source` and `grade` keys a parameter
//! table may carry, so that `trappe check` can show which figures rest on law or
//! statistics and which on an estimate or an assumption. They are documentation
//! only: no result depends on them.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How much weight a figure can bear: the grade scale of the register of sourced
/// figures (`docs/evidence.md`), strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// Law, executive order, official rate table or statistics, or a ministry's own analysis.
    A,
    /// Peer-reviewed study, official evaluation, or a review by a public research institute.
    B,
    /// A page that repeats official figures, or simple arithmetic on official pages.
    C,
    /// A secondary page, a convention, or a source whose exact reference is not recorded.
    D,
    /// The municipality's own case paper: what it decided, planned or counted.
    M,
    /// The project's estimate: an interpolation, an inference, or a range around a sourced point.
    #[serde(rename = "EST")]
    Est,
    /// Looked for and not found: the value in use is an assumption.
    #[serde(rename = "GAP")]
    Gap,
}

impl Grade {
    /// Every grade, strongest first.
    pub const ALL: [Grade; 7] = [Grade::A, Grade::B, Grade::C, Grade::D, Grade::M, Grade::Est, Grade::Gap];

    /// The grade as a scenario writes it: `A` … `M`, `EST`, `GAP`.
    pub fn code(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::M => "M",
            Grade::Est => "EST",
            Grade::Gap => "GAP",
        }
    }

    /// What the grade means, in a few words, for `trappe check`.
    pub fn meaning(self) -> &'static str {
        match self {
            Grade::A => "law, official rate table or statistics",
            Grade::B => "peer-reviewed study or official evaluation",
            Grade::C => "page repeating official figures",
            Grade::D => "secondary page or convention",
            Grade::M => "the municipality's own case paper",
            Grade::Est => "an estimate",
            Grade::Gap => "an assumption: no source found",
        }
    }

    /// Whether a figure of this grade rests on an estimate or an assumption rather
    /// than on a source that states it.
    pub fn is_estimate_or_assumption(self) -> bool {
        matches!(self, Grade::Est | Grade::Gap)
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Reads a parameter's `source`: any text that is not blank (an evidence id such as
/// `E-STAFF-2`, a paper id such as `P-AAL-2019`, or a citation).
pub(super) fn non_blank_source<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(de::Error::custom(
            "a `source` must name where the figure comes from (an evidence id such as \"E-STAFF-2\", a paper id or a citation); leave the key out if there is none",
        ));
    }
    Ok(Some(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_read_and_write_as_the_register_spells_them() {
        for g in Grade::ALL {
            let text = toml::to_string(&std::collections::BTreeMap::from([("g", g)])).unwrap();
            assert_eq!(text.trim(), format!("g = \"{}\"", g.code()));
            let back: std::collections::BTreeMap<String, Grade> = toml::from_str(&text).unwrap();
            assert_eq!(back["g"], g);
        }
        assert!(Grade::Est.is_estimate_or_assumption() && !Grade::M.is_estimate_or_assumption());
    }
}
