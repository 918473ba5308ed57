//! The first section of the HTML report: the numbers a committee asks for, in sentences
//! in the report's language. What we don't know (the interval of the expected effect over
//! the parameters' draws) and what chance does (how far one cohort lands from its
//! expected effect) are said in separate sentences, because they answer different
//! questions: how sure we are about the policy, and how much one year's cohort wobbles.

use super::charts::Series;
use crate::report::folder::ResultsFolder;
use crate::report::folder::tables::SummaryRow;
use crate::report::lang::Lang;

/// The row of `summary.csv` for `metric` and `arm`.
fn row<'a>(folder: &'a ResultsFolder, metric: &str, arm: &str) -> Option<&'a SummaryRow> {
    folder.summary.iter().find(|r| r.metric == metric && r.arm == arm)
}

/// The extra staff of the scenario in full-time equivalents: the largest monthly
/// difference in FTE between the arms.
fn extra_staff(folder: &ResultsFolder) -> Option<f64> {
    let fte = Series::of(&folder.monthly, "difference", "fte", 1.0);
    fte.points.iter().map(|p| p.1).max_by(f64::total_cmp).filter(|v| *v > 0.0)
}

/// The headline sentences of a run, in `lang`; a sentence whose figures the folder
/// lacks is left out.
pub fn sentences(folder: &ResultsFolder, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(self_supporting(folder, lang));
    if let Some(r) = row(folder, "extra_self_supporting", "effect")
        && let (Some(mean), Some(lo), Some(hi)) = (r.mean, r.p05, r.p95)
    {
        let n = |v: f64| lang.number(v, 1);
        out.push(match lang {
            Lang::En => format!(
                "That is {} extra self-supporting citizens on average (5–95 %: {} to {}).",
                n(mean),
                n(lo),
                n(hi)
            ),
            Lang::Da => format!(
                "Det er i gennemsnit {} flere selvforsørgende borgere (5–95 %: {} til {}).",
                n(mean),
                n(lo),
                n(hi)
            ),
        });
    }
    out.extend(net_effect(folder, lang));
    if let Some(p) = row(folder, "net_effect_positive", "effect").and_then(|r| r.mean) {
        out.push(match lang {
            Lang::En => format!(
                "The probability that the cohort saves the municipality money is {}.",
                lang.percent(p)
            ),
            Lang::Da => {
                format!("Sandsynligheden for, at kohorten sparer kommunen penge, er {}.", lang.percent(p))
            }
        });
    }
    let cumulative = Series::of(&folder.monthly, "effect", "cumulative_net_effect", 1.0);
    if !cumulative.is_empty() {
        let months = super::horizon(folder);
        out.push(match (lang, super::break_even(&cumulative)) {
            (Lang::En, Some(m)) => format!("The expected cumulative net effect breaks even in month {m:.0}."),
            (Lang::En, None) => {
                format!("The expected cumulative net effect does not break even within the {months} months.")
            }
            (Lang::Da, Some(m)) => {
                format!("Den forventede akkumulerede nettoeffekt går i nul i måned {m:.0}.")
            }
            (Lang::Da, None) => {
                format!(
                    "Den forventede akkumulerede nettoeffekt går ikke i nul inden for de {months} måneder."
                )
            }
        });
    }
    out
}

/// The self-supporting share at the horizon in both arms, with the scenario's interval
/// over what we don't know.
fn self_supporting(folder: &ResultsFolder, lang: Lang) -> Option<String> {
    let s = row(folder, "self_supporting_share", "scenario")?;
    let c = row(folder, "self_supporting_share", "counterfactual")?;
    let (s_mean, c_mean) = (s.expected.or(s.mean)?, c.expected.or(c.mean)?);
    let range = match (s.expected_p05, s.expected_p95) {
        (Some(lo), Some(hi)) => format!(" ({}–{})", lang.percent(lo), lang.percent(hi)),
        _ => String::new(),
    };
    let months = super::horizon(folder);
    let staff = extra_staff(folder).map(|v| lang.number(v, if (v - v.round()).abs() < 0.05 { 0 } else { 1 }));
    Some(match (lang, staff) {
        (Lang::En, Some(fte)) => format!(
            "With {fte} extra full-time staff, {}{range} of the cohort are expected to be self-supporting after {months} months, against {} without.",
            lang.percent(s_mean),
            lang.percent(c_mean)
        ),
        (Lang::En, None) => format!(
            "With the scenario, {}{range} of the cohort are expected to be self-supporting after {months} months, against {} without.",
            lang.percent(s_mean),
            lang.percent(c_mean)
        ),
        (Lang::Da, Some(fte)) => format!(
            "Med {fte} ekstra årsværk forventes {}{range} af kohorten at være selvforsørgende efter {months} måneder mod {} uden.",
            lang.percent(s_mean),
            lang.percent(c_mean)
        ),
        (Lang::Da, None) => format!(
            "Med scenariet forventes {}{range} af kohorten at være selvforsørgende efter {months} måneder mod {} uden.",
            lang.percent(s_mean),
            lang.percent(c_mean)
        ),
    })
}

/// The expected net municipal effect with its interval over what we don't know, and,
/// in a sentence of its own, how far chance moves one cohort.
fn net_effect(folder: &ResultsFolder, lang: Lang) -> Vec<String> {
    let Some(r) = row(folder, "net_municipal_effect", "effect") else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(expected) = r.expected.or(r.mean) {
        let range = match (r.expected_p05, r.expected_p95) {
            (Some(lo), Some(hi)) if lang.amount(lo) == lang.amount(hi) => lang
                .pick(
                    " (at this number of replications its spread over what we don't know cannot be told apart from chance; run more replications)",
                    " (ved dette antal replikationer kan spredningen over det, vi ikke ved, ikke skelnes fra tilfældighed; kør flere replikationer)",
                )
                .to_string(),
            (Some(lo), Some(hi)) => match lang {
                Lang::En => format!(
                    " ({} to {} over what we don't know about the parameters)",
                    lang.dkk(lo),
                    lang.dkk(hi)
                ),
                Lang::Da => {
                    format!(" ({} til {} over det, vi ikke ved om parametrene)", lang.dkk(lo), lang.dkk(hi))
                }
            },
            _ => String::new(),
        };
        out.push(match lang {
            Lang::En => format!(
                "The expected net municipal effect over the horizon is {}{range}; a positive figure is a saving.",
                lang.dkk(expected)
            ),
            Lang::Da => format!(
                "Den forventede nettoeffekt for kommunen over perioden er {}{range}; et positivt tal er en besparelse.",
                lang.dkk(expected)
            ),
        });
    }
    if let Some(sd) = r.chance_sd {
        out.push(match lang {
            Lang::En => format!(
                "Apart from that, chance alone moves one cohort by ± {} (standard deviation) around its expected effect, however well we knew the parameters.",
                lang.dkk(sd)
            ),
            Lang::Da => format!(
                "Derudover flytter tilfældighed alene én kohorte ± {} (standardafvigelse) omkring dens forventede effekt, uanset hvor godt vi kendte parametrene.",
                lang.dkk(sd)
            ),
        });
    }
    out
}
