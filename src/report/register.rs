//! The assumptions register: every parameter the model draws, with its distribution in
//! words, the value used (its mean and 90 % range), and the `source` and `grade` the
//! scenario gives it, so that a sceptic can see the basis of every figure of a report.

use crate::input::param::{Distribution, Grade};
use crate::input::scenario::LoadedScenario;
use crate::model::Model;
use crate::numbers::{fmt_num, round_sig};
use crate::report::describe::sources::sourced_parameters;
use crate::report::lang::Lang;

/// One parameter of the register.
#[derive(Debug, Clone)]
pub struct RegisterRow {
    /// The parameter's name, as results name it, e.g. `transitions.step0->step1.probability`.
    pub key: String,
    /// Its distribution (a fixed value is a distribution of one value).
    pub distribution: Distribution,
    /// Its mean: the value used when the parameters are at their means.
    pub mean: f64,
    /// Its 5th percentile.
    pub p05: f64,
    /// Its 95th percentile.
    pub p95: f64,
    /// Whether the scenario file (or `--set`) gives it; otherwise it is trappe's default.
    pub written: bool,
    /// Its `source` (and the `--set` arguments that gave it its value), if any.
    pub source: Option<String>,
    /// Its `grade`, if given.
    pub grade: Option<Grade>,
}

/// The register of a scenario: every parameter of the model's table, in the model's order.
pub fn register(sc: &LoadedScenario, model: &Model) -> Vec<RegisterRow> {
    let sourced = sourced_parameters(sc, model);
    model
        .parameters
        .iter()
        .map(|p| {
            let given = sourced.iter().find(|s| s.key == p.key);
            let d = &p.distribution;
            RegisterRow {
                key: p.key.clone(),
                distribution: d.clone(),
                mean: d.mean(),
                p05: d.quantile(0.05),
                p95: d.quantile(0.95),
                written: given.is_some(),
                source: given.and_then(|s| s.source.clone()),
                grade: given.and_then(|s| s.grade),
            }
        })
        .collect()
}

impl RegisterRow {
    /// The distribution in words, e.g. `triangular 0 – 0.14 – 0.38` or `fast 0,15`.
    pub fn distribution_words(&self, lang: Lang) -> String {
        let f = |v: f64| figure(lang, v);
        match &self.distribution {
            Distribution::Fixed(v) => format!("{} {}", lang.pick("fixed", "fast"), f(*v)),
            Distribution::Beta { alpha, beta, .. } => format!("beta (α {}, β {})", f(*alpha), f(*beta)),
            Distribution::Gamma { shape, scale, .. } => {
                format!(
                    "gamma ({} {}, {} {})",
                    lang.pick("shape", "form"),
                    f(*shape),
                    lang.pick("scale", "skala"),
                    f(*scale)
                )
            }
            Distribution::LogNormal { mu, sigma, .. } => {
                format!("{} (μ {}, σ {})", lang.pick("lognormal", "lognormal"), f(*mu), f(*sigma))
            }
            Distribution::Triangular { min, mode, max, .. } => {
                format!("{} {} – {} – {}", lang.pick("triangular", "trekant"), f(*min), f(*mode), f(*max))
            }
            Distribution::Uniform { min, max, .. } => {
                format!("{} {} – {}", lang.pick("uniform", "ligefordelt"), f(*min), f(*max))
            }
        }
    }

    /// The source, or what stands in its place: trappe's default, or that none is given.
    pub fn source_words(&self, lang: Lang) -> String {
        match (&self.source, self.written) {
            (Some(s), _) => s.clone(),
            (None, true) => lang.pick("no source given", "ingen kilde angivet").into(),
            (None, false) => lang
                .pick(
                    "trappe's default (not in the scenario file)",
                    "trappes standardværdi (ikke i scenariefilen)",
                )
                .into(),
        }
    }

    /// The grade and what it means, e.g. `EST (an estimate)`; empty without a grade.
    pub fn grade_words(&self, lang: Lang) -> String {
        self.grade.map(|g| format!("{} ({})", g.code(), grade_meaning(g, lang))).unwrap_or_default()
    }
}

/// What a grade means, in a few words, in `lang`.
pub fn grade_meaning(grade: Grade, lang: Lang) -> &'static str {
    match lang {
        Lang::En => grade.meaning(),
        Lang::Da => match grade {
            Grade::A => "lov, officiel takst eller statistik",
            Grade::B => "fagfællebedømt studie eller officiel evaluering",
            Grade::C => "side der gengiver officielle tal",
            Grade::D => "sekundær kilde eller konvention",
            Grade::M => "kommunens egen sagsakt",
            Grade::Est => "et skøn",
            Grade::Gap => "en antagelse: ingen kilde fundet",
        },
    }
}

/// A figure to three significant digits in `lang`'s decimal separator; from 1,000 with
/// thousands separators (`9,830`, `9.830`).
pub fn figure(lang: Lang, v: f64) -> String {
    let rounded = round_sig(v, 3);
    if rounded.abs() >= 1000.0 {
        return lang.number(rounded, 0);
    }
    let text = fmt_num(rounded);
    match lang {
        Lang::En => text,
        Lang::Da => text.replace('.', ","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_of_the_default_scenario_is_in_the_register() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/staircase-default.toml");
        let sc = LoadedScenario::from_path(std::path::Path::new(path)).unwrap();
        let model = Model::from_scenario(&sc).unwrap();
        let rows = register(&sc, &model);
        assert_eq!(rows.len(), model.parameters.len());
        let staff = rows.iter().find(|r| r.key == "budget.staff_cost_per_fte_year").unwrap();
        assert_eq!(staff.distribution_words(Lang::En), "triangular 520,000 – 600,000 – 700,000");
        assert_eq!(staff.distribution_words(Lang::Da), "trekant 520.000 – 600.000 – 700.000");
        assert!(staff.p05 < staff.mean && staff.mean < staff.p95);
        assert!(rows.iter().any(|r| r.grade.is_some() && r.source.is_some()));
    }

    #[test]
    fn figures_have_three_significant_digits_and_thousands_separators() {
        assert_eq!(figure(Lang::En, 9834.4), "9,830");
        assert_eq!(figure(Lang::Da, 9834.4), "9.830");
        assert_eq!(figure(Lang::Da, 12_700.0), "12.700");
        assert_eq!(figure(Lang::En, 0.012345), "0.0123");
        assert_eq!(figure(Lang::Da, 0.5), "0,5");
    }
}
