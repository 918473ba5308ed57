//! Phrases the terminal summaries of several commands share, in the language asked for.

use crate::analysis::decision::Valued;
use crate::input::scenario::{DEFAULT_INNER_REPLICATIONS, default_inner, inner_note};
use crate::model::Target;
use crate::report::lang::Lang;

/// A target's condition, e.g. `≥ 0.4` or `≥ 0,4`, `between 0.3 and 0.5 × start value`
/// or `mellem 0,3 og 0,5 × startværdien`.
pub fn condition(lang: Lang, t: &Target) -> String {
    if lang == Lang::En {
        return t.condition();
    }
    let rel = if t.relative_to_start { " × startværdien" } else { "" };
    match (t.at_least, t.at_most) {
        (Some(a), Some(b)) => format!("mellem {} og {}{rel}", lang.plain(a), lang.plain(b)),
        (Some(a), None) => format!("≥ {}{rel}", lang.plain(a)),
        (None, Some(b)) => format!("≤ {}{rel}", lang.plain(b)),
        (None, None) => String::new(),
    }
}

/// The line saying why `replications` are split into `inner` cohorts per draw of the
/// parameters rather than the default, when they are (see [`inner_note`]).
pub fn inner_note_in(lang: Lang, replications: u32, inner: u32) -> Option<String> {
    let english = inner_note(replications, inner)?;
    if lang == Lang::En {
        return Some(english);
    }
    let default = DEFAULT_INNER_REPLICATIONS;
    debug_assert_eq!(inner, default_inner(replications));
    let why = if replications.is_multiple_of(default) {
        format!("{default} kohorter pr. træk, standarden, ville kun give ét træk af parametrene")
    } else {
        format!("{replications} er ikke et multiplum af {default}, standardantallet af kohorter pr. træk")
    };
    let split = if inner == 1 {
        "én kohorte pr. træk, så hvad vi ikke ved skilles ikke fra tilfældighed".to_string()
    } else {
        format!("{} træk × {inner} kohorter", replications / inner)
    };
    Some(format!("{why}: {split}; -n og --inner vælger fordelingen"))
}

/// `n` cohorts in words: `1 cohort`, `5 cohorts`; `1 kohorte`, `5 kohorter`.
pub fn cohorts(lang: Lang, n: u32) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 cohort".into(),
        (Lang::En, n) => format!("{n} cohorts"),
        (Lang::Da, 1) => "1 kohorte".into(),
        (Lang::Da, n) => format!("{n} kohorter"),
    }
}

/// The line after a command's summary saying where its files are.
pub fn results_in(lang: Lang, partial: bool, out: &std::path::Path, files: &[String]) -> String {
    let what = match (partial, lang) {
        (false, Lang::En) => "Results in",
        (true, Lang::En) => "Partial result in",
        (false, Lang::Da) => "Resultater i",
        (true, Lang::Da) => "Delresultat i",
    };
    format!("{what} {}: {}", out.display(), files.join(", "))
}

/// What a willingness to pay is per unit of, in words: "extra self-supporting citizen",
/// "ekstra selvforsørgende borger".
pub fn valued_unit(lang: Lang, valued: Valued) -> &'static str {
    match valued {
        Valued::ExtraSelfSupporting => {
            lang.pick("extra self-supporting citizen", "ekstra selvforsørgende borger")
        }
        Valued::BenefitMonthsAvoided => lang.pick("benefit month avoided", "sparet ydelsesmåned"),
    }
}

/// One plain sentence on what knowing `subject` (e.g. "the staffing elasticity", or
/// "every uncertain parameter" for the expected value of perfect information) would be
/// worth to the decision, from its value of information `value` in DKK at willingness to
/// pay `wtp`.
pub fn value_sentence(lang: Lang, subject: &str, value: f64, valued: Valued, wtp: f64) -> String {
    let at = match (wtp == 0.0, lang) {
        (true, Lang::En) => "judged on the net municipal effect alone".to_string(),
        (true, Lang::Da) => "bedømt alene på nettoeffekten for kommunen".to_string(),
        (false, Lang::En) => format!("at {} per {}", lang.dkk(wtp), valued_unit(lang, valued)),
        (false, Lang::Da) => format!("ved {} pr. {}", lang.dkk(wtp), valued_unit(lang, valued)),
    };
    let worth = lang.dkk(value);
    match (lang.amount(value) == "0", lang) {
        (true, Lang::En) => format!(
            "Pinning down {subject} would not change this decision {at}: a study of it is worth nothing to it."
        ),
        (true, Lang::Da) => format!(
            "At fastlægge {subject} ville ikke ændre denne beslutning {at}: en undersøgelse af den er intet værd \
             for beslutningen."
        ),
        (false, Lang::En) => {
            format!("A study that pinned down {subject} would be worth up to {worth} to this decision {at}.")
        }
        (false, Lang::Da) => format!(
            "En undersøgelse, der fastlagde {subject}, ville være op til {worth} værd for denne beslutning {at}."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sentence a user reads, in both languages.
    #[test]
    fn the_value_reads_as_one_sentence() {
        assert_eq!(
            value_sentence(
                Lang::En,
                "the staffing elasticity",
                1_234_567.4,
                Valued::ExtraSelfSupporting,
                50_000.0
            ),
            "A study that pinned down the staffing elasticity would be worth up to 1,234,567 DKK to this decision \
             at 50,000 DKK per extra self-supporting citizen."
        );
        assert_eq!(
            value_sentence(Lang::En, "every uncertain parameter", 0.2, Valued::BenefitMonthsAvoided, 0.0),
            "Pinning down every uncertain parameter would not change this decision judged on the net municipal \
             effect alone: a study of it is worth nothing to it."
        );
        assert_eq!(
            value_sentence(Lang::Da, "`x`", 1_234_567.4, Valued::ExtraSelfSupporting, 50_000.0),
            "En undersøgelse, der fastlagde `x`, ville være op til 1.234.567 kr. værd for denne beslutning ved \
             50.000 kr. pr. ekstra selvforsørgende borger."
        );
    }
}
