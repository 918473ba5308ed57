//! The workbook's words in English and Danish: sheet names, column headings, the names
//! of arms, sections and units, and the kind of number each column holds (which sets its
//! number format). A column of a results file that has no entry here keeps its name.

use crate::report::lang::Lang;

/// What a column's numbers are, which sets their number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An amount in kroner: thousands separators, no decimals, the unit.
    Money,
    /// A share or probability from 0 to 1: shown as a percentage.
    Share,
    /// A number with decimals.
    Number,
    /// A whole number (a month, a count, a rank).
    Whole,
    /// Text.
    Text,
}

/// The heading of a column (or the name of a figure) as `(key, English, Danish, kind)`.
const COLUMNS: &[(&str, &str, &str, Kind)] = &[
    ("section", "Section", "Afsnit", Kind::Text),
    ("metric", "Key", "Nøgle", Kind::Text),
    ("description", "Figure", "Betegnelse", Kind::Text),
    ("arm", "Arm", "Gren", Kind::Text),
    ("unit", "Unit", "Enhed", Kind::Text),
    ("mean", "Mean", "Middelværdi", Kind::Number),
    ("median", "Median", "Median", Kind::Number),
    ("p05", "5th percentile", "5. percentil", Kind::Number),
    ("p95", "95th percentile", "95. percentil", Kind::Number),
    ("mcse", "Monte Carlo s.e.", "Monte Carlo-fejl", Kind::Number),
    ("sd", "Standard deviation", "Standardafvigelse", Kind::Number),
    ("n", "Replications (n)", "Gentagelser (n)", Kind::Whole),
    ("label", "Note", "Bemærkning", Kind::Text),
    ("expected", "Expected value", "Forventet værdi", Kind::Number),
    ("expected_p05", "Expected, 5th percentile", "Forventet, 5. percentil", Kind::Number),
    ("expected_p95", "Expected, 95th percentile", "Forventet, 95. percentil", Kind::Number),
    ("chance_sd", "Chance (s.d. of one cohort)", "Tilfældighed (spredning for én kohorte)", Kind::Number),
    (
        "parameter_share",
        "Share of variance from the parameters",
        "Parametrenes andel af variansen",
        Kind::Share,
    ),
    ("year", "Budget year", "Budgetår", Kind::Text),
    ("item", "Item key", "Postens nøgle", Kind::Text),
    ("item_name", "Budget item", "Budgetpost", Kind::Text),
    ("month", "Month", "Måned", Kind::Whole),
    ("date", "Calendar month", "Kalendermåned", Kind::Text),
    ("option", "Option", "Valgmulighed", Kind::Text),
    ("file", "Scenario file", "Scenariefil", Kind::Text),
    ("scenario", "Scenario", "Scenarie", Kind::Text),
    ("measure", "Measure", "Størrelse", Kind::Text),
    ("against", "Against", "Sammenlignet med", Kind::Text),
    ("extra_staff_cost", "Extra staff cost", "Ekstra personaleudgift", Kind::Money),
    ("extra_self_supporting", "Extra self-supporting citizens", "Ekstra selvforsørgende", Kind::Number),
    ("extra_employed", "Extra citizens in work", "Ekstra i beskæftigelse", Kind::Number),
    ("net_benefit_saving", "Net benefit saving", "Nettobesparelse på ydelser", Kind::Money),
    ("net_municipal_effect", "Net municipal effect", "Kommunal nettoeffekt", Kind::Money),
    ("self_supporting_share", "Self-supporting share", "Andel selvforsørgende", Kind::Share),
    ("employment_share", "Employment share", "Andel i beskæftigelse", Kind::Share),
    (
        "probability_expected_favourable",
        "P(expected net effect favourable)",
        "Sandsynlighed for forventet gevinst",
        Kind::Share,
    ),
    (
        "probability_realised_favourable",
        "P(a realised cohort saves money)",
        "Sandsynlighed for at en kohorte sparer",
        Kind::Share,
    ),
    (
        "probability_cohort_saves",
        "P(a realised cohort saves money)",
        "Sandsynlighed for at en kohorte sparer",
        Kind::Share,
    ),
    (
        "cost_per_extra_self_supporting",
        "Cost per extra self-supporting citizen",
        "Udgift pr. ekstra selvforsørgende",
        Kind::Money,
    ),
    ("probability_best", "P(best option)", "Sandsynlighed for bedste valg", Kind::Share),
    (
        "probability_best_realised",
        "P(best option, realised cohort)",
        "Sandsynlighed for bedste valg, realiseret kohorte",
        Kind::Share,
    ),
    ("next_cheaper", "Next cheaper option", "Næstbilligste valgmulighed", Kind::Text),
    ("rank", "Rank", "Rang", Kind::Whole),
    ("parameter", "Uncertain parameter", "Usikker parameter", Kind::Text),
    ("members", "Parameters moved together", "Parametre flyttet sammen", Kind::Text),
    ("low_value", "Its value low (5th percentile)", "Dens værdi lav (5. percentil)", Kind::Number),
    ("high_value", "Its value high (95th percentile)", "Dens værdi høj (95. percentil)", Kind::Number),
    ("at_means", "With every parameter at its mean", "Med alle parametre i middelværdi", Kind::Number),
    ("at_low", "With this one low", "Med denne lav", Kind::Number),
    ("at_high", "With this one high", "Med denne høj", Kind::Number),
    ("swing", "Swing", "Udsving", Kind::Number),
    ("monte_carlo_se", "Monte Carlo s.e.", "Monte Carlo-fejl", Kind::Number),
    ("level_replications", "Replications per level", "Gentagelser pr. niveau", Kind::Whole),
    ("valued", "Gain valued", "Gevinst der værdisættes", Kind::Text),
    ("willingness_to_pay", "Value of one unit of the gain", "Værdi af én enhed gevinst", Kind::Money),
    (
        "value_of_perfect_information",
        "Value of perfect information",
        "Værdi af fuld information",
        Kind::Money,
    ),
    ("basis", "Basis", "Grundlag", Kind::Text),
    (
        "wtp_per_extra_self_supporting",
        "Value per extra self-supporting citizen",
        "Værdi pr. ekstra selvforsørgende",
        Kind::Money,
    ),
    ("value", "Value", "Værdi", Kind::Number),
    ("noise_floor", "Noise floor", "Støjniveau", Kind::Money),
    ("stands_out", "Stands out from the noise", "Skiller sig ud fra støjen", Kind::Text),
    ("draws", "Draws of the parameters", "Træk af parametrene", Kind::Whole),
    ("note", "Note", "Bemærkning", Kind::Text),
    ("key", "Key", "Nøgle", Kind::Text),
    ("goal", "Goal", "Kriterium", Kind::Text),
    ("goal_value", "Goal value", "Kriteriets værdi", Kind::Number),
    ("found", "Found", "Fundet", Kind::Text),
    ("range_from", "Searched from", "Søgt fra", Kind::Number),
    ("range_to", "Searched to", "Søgt til", Kind::Number),
    ("key_value", "Value of the key", "Nøglens værdi", Kind::Number),
    ("figure", "Figure", "Betegnelse", Kind::Text),
    ("first_key", "First key", "Første nøgle", Kind::Text),
    ("first_value", "First key's value", "Første nøgles værdi", Kind::Number),
    ("second_key", "Second key", "Anden nøgle", Kind::Text),
    ("second_value", "Second key's value", "Anden nøgles værdi", Kind::Number),
    (
        "expected_net_municipal_effect",
        "Expected net municipal effect",
        "Forventet kommunal nettoeffekt",
        Kind::Money,
    ),
    (
        "expected_extra_self_supporting",
        "Expected extra self-supporting citizens",
        "Forventet ekstra selvforsørgende",
        Kind::Number,
    ),
    ("best", "Best option", "Bedste valgmulighed", Kind::Text),
    ("target", "Target", "Mål", Kind::Text),
    ("target_value_scenario", "Value, scenario", "Værdi, scenarie", Kind::Number),
    (
        "target_value_counterfactual",
        "Value, counterfactual (baseline)",
        "Værdi, kontrafaktisk (basis)",
        Kind::Number,
    ),
    (
        "target_probability_scenario",
        "Probability met, scenario",
        "Sandsynlighed for opfyldt, scenarie",
        Kind::Share,
    ),
    (
        "target_probability_counterfactual",
        "Probability met, counterfactual (baseline)",
        "Sandsynlighed for opfyldt, kontrafaktisk (basis)",
        Kind::Share,
    ),
    ("target_probability_difference", "Difference in probability", "Forskel i sandsynlighed", Kind::Share),
    ("distribution", "Distribution", "Fordeling", Kind::Text),
    ("source", "Source", "Kilde", Kind::Text),
    ("grade", "Grade", "Kildens styrke", Kind::Text),
    ("about_field", "What", "Hvad", Kind::Text),
    ("about_value", "Value", "Værdi", Kind::Text),
];

/// The names of the figures of `summary.csv` and `monthly.csv` that are not columns of
/// any file, as `(key, English, Danish, kind)`; budget items take their names from
/// `budget_years.csv`.
const FIGURES: &[(&str, &str, &str, Kind)] = &[
    ("education_share", "Education share", "Andel i uddannelse", Kind::Share),
    ("benefit_share", "On benefit share", "Andel på ydelse", Kind::Share),
    ("activation_share", "Share in activation", "Andel i aktivering", Kind::Share),
    (
        "outflow_share",
        "Ever left benefit for work or education",
        "Nogensinde afgået til job eller uddannelse",
        Kind::Share,
    ),
    ("six_month_employment_share", "Share in work for six months", "Andel i job i seks måneder", Kind::Share),
    ("mean_benefit_duration", "Mean months on benefit", "Gennemsnitlige måneder på ydelse", Kind::Number),
    ("self_supporting_citizens", "Self-supporting citizens", "Selvforsørgende borgere", Kind::Number),
    ("benefit_months", "Benefit months", "Ydelsesmåneder", Kind::Number),
    ("benefit_months_avoided", "Benefit months avoided", "Undgåede ydelsesmåneder", Kind::Number),
    ("gross_benefit_saving", "Gross benefit saving", "Bruttobesparelse på ydelser", Kind::Money),
    (
        "net_benefit_saving_from_months",
        "Net benefit saving from fewer months",
        "Nettobesparelse fra færre måneder",
        Kind::Money,
    ),
    (
        "net_benefit_saving_from_share",
        "Net benefit saving from the reimbursed share",
        "Nettobesparelse fra refusionsandelen",
        Kind::Money,
    ),
    (
        "net_municipal_effect_pv",
        "Net municipal effect, present value",
        "Kommunal nettoeffekt, nutidsværdi",
        Kind::Money,
    ),
    (
        "total_net_cost_pv",
        "Municipal net cost, present value",
        "Kommunal nettoudgift, nutidsværdi",
        Kind::Money,
    ),
    ("net_effect_positive", "A realised cohort saves money", "En kohorte sparer penge", Kind::Share),
    ("break_even_month", "Break-even month", "Måned for balance", Kind::Number),
    (
        "return_per_krone",
        "Return per krone of extra staff",
        "Afkast pr. krone til ekstra personale",
        Kind::Number,
    ),
    (
        "wider_net_effect",
        "Wider municipal effect (tax and equalisation)",
        "Bredere kommunal effekt (skat og udligning)",
        Kind::Money,
    ),
    ("public_net_effect", "Public-sector effect", "Effekt for det offentlige", Kind::Money),
    (
        "cumulative_net_effect",
        "Cumulative net municipal effect",
        "Akkumuleret kommunal nettoeffekt",
        Kind::Money,
    ),
    ("cumulative_benefit_months", "Cumulative benefit months", "Akkumulerede ydelsesmåneder", Kind::Number),
    ("entered", "Citizens entered", "Borgere tilgået", Kind::Number),
    ("fte", "Staff (FTE)", "Personale (årsværk)", Kind::Number),
    ("productive_fte", "Productive staff (FTE)", "Produktivt personale (årsværk)", Kind::Number),
    ("caseload", "Caseload per productive FTE", "Sager pr. produktivt årsværk", Kind::Number),
    ("staffing_multiplier", "Staffing multiplier", "Bemandingsfaktor", Kind::Number),
    ("total_net_cost", "Municipal net cost", "Kommunal nettoudgift", Kind::Money),
];

/// The name of a figure of the results files (`summary.csv`'s `metric`, `monthly.csv`'s
/// measures) in `lang`, or its key when it has none.
pub fn figure_name(lang: Lang, key: &str) -> String {
    if let Some((_, en, da, _)) = FIGURES.iter().find(|c| c.0 == key) {
        return lang.pick(en, da).to_string();
    }
    if let Some(state) = key.strip_prefix("months:") {
        return format!("{} {state}", lang.pick("Months in", "Måneder i"));
    }
    if let Some(state) = key.strip_prefix("occupancy:") {
        return format!("{} {state}", lang.pick("Citizens in", "Borgere i"));
    }
    if let Some(i) = target_number(key, "_value") {
        return format!("{} {i}: {}", lang.pick("Target", "Mål"), lang.pick("value", "værdi"));
    }
    if let Some((base, month)) = key.rsplit_once("_month_")
        && month.parse::<u32>().is_ok()
    {
        return format!("{}, {} {month}", heading(lang, base).0, lang.pick("month", "måned"));
    }
    heading(lang, key).0
}

/// Words that end a composed column name, e.g. `net_municipal_effect_p05`.
const SUFFIXES: &[(&str, &str, &str)] = &[
    ("_expected_p05", "expected, 5th percentile", "forventet, 5. percentil"),
    ("_expected_p95", "expected, 95th percentile", "forventet, 95. percentil"),
    ("_chance_sd", "chance (s.d.)", "tilfældighed (spredning)"),
    ("_p05", "5th percentile", "5. percentil"),
    ("_p95", "95th percentile", "95. percentil"),
];

/// Words that start a composed column name, e.g. `marginal_net_municipal_effect`.
const PREFIXES: &[(&str, &str, &str)] = &[
    ("marginal_", "Marginal", "Marginal"),
    ("vs_next_cheaper_", "Against the next cheaper", "Mod næstbilligste"),
];

/// The heading of a column named `key` in `lang`, and the kind of its numbers.
pub fn heading(lang: Lang, key: &str) -> (String, Kind) {
    if let Some((_, en, da, kind)) = COLUMNS.iter().find(|c| c.0 == key) {
        return (lang.pick(en, da).to_string(), *kind);
    }
    if let Some(i) = target_number(key, "_probability") {
        return (
            format!(
                "{} {i}: {}",
                lang.pick("Target", "Mål"),
                lang.pick("P(met)", "sandsynlighed for opfyldt")
            ),
            Kind::Share,
        );
    }
    for (suffix, en, da) in SUFFIXES {
        if let Some(base) = key.strip_suffix(suffix)
            && COLUMNS.iter().any(|c| c.0 == base)
        {
            let (text, kind) = heading(lang, base);
            return (format!("{text}, {}", lang.pick(en, da)), kind);
        }
    }
    for (prefix, en, da) in PREFIXES {
        if let Some(base) = key.strip_prefix(prefix)
            && base != key
        {
            let (text, kind) = heading(lang, base);
            return (format!("{}: {}", lang.pick(en, da), lower_first(&text)), kind);
        }
    }
    (key.to_string(), Kind::Number)
}

/// N of a column named `target_<N><rest>`.
fn target_number(key: &str, rest: &str) -> Option<u32> {
    key.strip_prefix("target_")?.strip_suffix(rest)?.parse().ok()
}

/// `text` with its first letter in lower case (a heading inside a longer one).
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if !text.starts_with('P') => c.to_lowercase().chain(chars).collect(),
        _ => text.to_string(),
    }
}

/// The name of an arm, a section or a unit of the results files in `lang`; the value
/// itself when it is none of them.
pub fn value_word(lang: Lang, value: &str) -> String {
    let word = match value {
        "scenario" => lang.pick("Scenario", "Scenarie"),
        "counterfactual" => lang.pick("Counterfactual (baseline)", "Kontrafaktisk (basis)"),
        "difference" => lang.pick("Difference", "Forskel"),
        "effect" => lang.pick("Effect", "Effekt"),
        "outcome" => lang.pick("Outcome", "Udfald"),
        "target" => lang.pick("Target", "Mål"),
        "DKK" => lang.pick("DKK", "kr."),
        "share" => lang.pick("share", "andel"),
        "citizens" => lang.pick("citizens", "borgere"),
        "citizen-months" => lang.pick("citizen-months", "borgermåneder"),
        "months" => lang.pick("months", "måneder"),
        "probability" => lang.pick("probability", "sandsynlighed"),
        "difference in probability" => lang.pick("difference in probability", "forskel i sandsynlighed"),
        "FTE" => lang.pick("FTE", "årsværk"),
        "hours" => lang.pick("hours", "timer"),
        "placements" => lang.pick("placements", "placeringer"),
        "baseline" => lang.pick("baseline", "basis"),
        "total" => lang.pick("total", "i alt"),
        "expected" => lang.pick("expected", "forventet"),
        "realised" => lang.pick("realised", "realiseret"),
        _ => return value.to_string(),
    };
    word.to_string()
}

/// What a figure of `unit` (a `unit` of `summary.csv` or `monthly.csv`) is.
pub fn unit_kind(unit: &str) -> Kind {
    match unit {
        "DKK" | "DKK per citizen" => Kind::Money,
        "share" | "probability" | "difference in probability" => Kind::Share,
        _ => Kind::Number,
    }
}

/// The names of the workbook's sheets, `(key, English, Danish)`; at most 31 characters.
const SHEETS: &[(&str, &str, &str)] = &[
    ("summary", "Summary", "Resumé"),
    ("budget_years", "Budget years", "Budgetår"),
    ("monthly", "Monthly", "Månedligt"),
    ("targets", "Targets", "Mål"),
    ("options", "Options", "Valgmuligheder"),
    ("comparison", "Options, every figure", "Valgmuligheder, alle tal"),
    ("options_budget_years", "Options by budget year", "Valgmuligheder pr. budgetår"),
    ("sweep", "Sweep levels", "Niveauer"),
    ("tornado", "Sensitivity (tornado)", "Følsomhed (tornado)"),
    ("acceptability", "Acceptability", "Acceptabilitet"),
    ("value_of_information", "Value of information", "Informationsværdi"),
    ("threshold", "Threshold", "Tærskelværdi"),
    ("threshold_scan", "Threshold search", "Tærskelsøgning"),
    ("grid", "Two-way table", "Tovejstabel"),
    ("assumptions", "Assumptions", "Forudsætninger"),
    ("about", "About", "Om tallene"),
];

/// The name of the sheet `key` in `lang`.
pub fn sheet_name(lang: Lang, key: &str) -> String {
    SHEETS
        .iter()
        .find(|s| s.0 == key)
        .map(|s| lang.pick(s.1, s.2).to_string())
        .unwrap_or_else(|| key.to_string())
}

/// Every sheet name and column heading as `(English, Danish)`: for tests that a
/// workbook in one language holds none of the other's.
pub fn label_pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    SHEETS.iter().map(|s| (s.1, s.2)).chain(COLUMNS.iter().map(|c| (c.1, c.2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composed_columns_take_their_base_heading() {
        assert_eq!(heading(Lang::En, "net_municipal_effect_p05").0, "Net municipal effect, 5th percentile");
        assert_eq!(
            heading(Lang::Da, "net_municipal_effect_p05"),
            ("Kommunal nettoeffekt, 5. percentil".into(), Kind::Money)
        );
        assert_eq!(heading(Lang::Da, "target_2_probability").0, "Mål 2: sandsynlighed for opfyldt");
        assert_eq!(heading(Lang::En, "marginal_net_municipal_effect").0, "Marginal: net municipal effect");
        assert_eq!(heading(Lang::En, "staffing.hires[0].fte").0, "staffing.hires[0].fte");
    }

    #[test]
    fn figures_are_named_in_both_languages() {
        assert_eq!(figure_name(Lang::Da, "months:step0"), "Måneder i step0");
        assert_eq!(
            figure_name(Lang::En, "self_supporting_share_month_24"),
            "Self-supporting share, month 24"
        );
        assert_eq!(figure_name(Lang::Da, "target_1_value"), "Mål 1: værdi");
        assert_eq!(figure_name(Lang::Da, "benefit_share"), "Andel på ydelse");
        assert_eq!(figure_name(Lang::En, "net_municipal_effect"), "Net municipal effect");
    }

    #[test]
    fn sheet_names_fit_excel() {
        for (_, en, da) in SHEETS {
            assert!(en.chars().count() <= 31 && da.chars().count() <= 31, "{en} / {da}");
        }
    }
}
