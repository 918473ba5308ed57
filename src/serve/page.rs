//! The page `trappe serve` serves: one self-contained HTML page (inline CSS and
//! script, nothing fetched but the server's own answers) with the scenario's levers as
//! inputs and the answer beside them, its words in the server's language.

use crate::input::scenario::LoadedScenario;
use crate::model::Model;
use crate::report::html::escape;
use crate::report::lang::Lang;
use serde_json::{Value, json};

const TEMPLATE: &str = include_str!("page.html");
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// A value of the scenario file as it is written there: a number or text as such, a
/// table (a distribution) in its inline TOML form.
fn written(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => crate::numbers::fmt_num(*f),
        other => other.to_string(),
    }
}

/// One input of the page: the key it sets (as `--set` names it), its label, the value
/// the file gives it, and whether the value is text (written in quotes) or a number.
fn lever(path: &str, label: &str, value: Option<&toml::Value>, text: bool) -> Value {
    let (value, hint) = match value {
        Some(v @ (toml::Value::Table(_) | toml::Value::Array(_))) => (String::new(), written(v)),
        Some(v) => (written(v), String::new()),
        None => (String::new(), String::new()),
    };
    json!({"path": path, "label": label, "value": value, "hint": hint, "text": text})
}

/// The levers of the scenario: each hire's FTE and period, each grant's yearly amounts,
/// the staffing elasticity and the staff cost, in groups.
fn levers(sc: &LoadedScenario, lang: Lang) -> Value {
    let file: toml::Table = toml::from_str(&sc.source).unwrap_or_default();
    let get = |t: &toml::Table, k: &str| t.get(k).cloned();
    let staffing = file.get("staffing").and_then(|v| v.as_table()).cloned().unwrap_or_default();
    let budget = file.get("budget").and_then(|v| v.as_table()).cloned().unwrap_or_default();
    let mut groups = Vec::new();
    let hires = staffing.get("hires").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    for (i, hire) in hires.iter().enumerate() {
        let Some(h) = hire.as_table() else { continue };
        let name = h.get("name").and_then(|v| v.as_str()).map(str::to_string);
        let title = format!(
            "{} {}{}",
            lang.pick("Hire", "Ansættelse"),
            i + 1,
            name.map(|n| format!(": {n}")).unwrap_or_default()
        );
        let p = format!("staffing.hires[{i}]");
        groups.push(json!({
            "title": title,
            "levers": [
                lever(&format!("{p}.fte"), lang.pick("FTE", "Årsværk (FTE)"), get(h, "fte").as_ref(), false),
                lever(&format!("{p}.start"), lang.pick("from (YYYY-MM)", "fra (ÅÅÅÅ-MM)"), get(h, "start").as_ref(), true),
                lever(&format!("{p}.end"), lang.pick("to (YYYY-MM)", "til (ÅÅÅÅ-MM)"), get(h, "end").as_ref(), true),
            ],
        }));
    }
    let grants = file.get("grants").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    for (i, grant) in grants.iter().enumerate() {
        let Some(g) = grant.as_table() else { continue };
        let name = g.get("name").and_then(|v| v.as_str()).unwrap_or("");
        let amounts = g.get("amounts").and_then(|v| v.as_table()).cloned().unwrap_or_default();
        let levers: Vec<Value> = amounts
            .iter()
            .map(|(year, v)| {
                let label = format!("{year} ({})", lang.currency());
                lever(&format!("grants[{i}].amounts.{year}"), &label, Some(v), false)
            })
            .collect();
        groups.push(json!({
            "title": format!("{} {}: {name}", lang.pick("Grant", "Tilskud"), i + 1),
            "levers": levers,
        }));
    }
    groups.push(json!({
        "title": lang.pick("Staff and effect", "Personale og effekt"),
        "levers": [
            lever("staffing.elasticity", lang.pick("staffing elasticity (a number fixes it)", "normeringselasticitet (et tal fastlægger den)"), staffing.get("elasticity"), false),
            lever("budget.staff_cost_per_fte_year", lang.pick("staff cost per FTE-year (DKK; a number fixes it)", "personaleudgift pr. årsværk (kr.; et tal fastlægger den)"), budget.get("staff_cost_per_fte_year"), false),
        ],
    }));
    Value::Array(groups)
}

/// The page's words in `lang`, for the script.
fn words(lang: Lang) -> Value {
    let w = |en: &str, da: &str| Value::String(lang.pick(en, da).to_string());
    json!({
        "working": w("Working…", "Regner…"),
        "as_loaded": w("As loaded", "Som indlæst"),
        "current": w("This option", "Denne mulighed"),
        "change": w("change", "ændring"),
        "option": w("Option", "Mulighed"),
        "remove": w("remove", "fjern"),
        "saved": w("Written:", "Skrevet:"),
        "stopped": w("Stopped: a newer question came in.", "Stoppet: et nyere spørgsmål kom ind."),
        "failed": w("The server did not answer:", "Serveren svarede ikke:"),
        "figure": w("Figure", "Tal"),
        "item": w("Item", "Post"),
        "unknown_key": w("(this key)", "(denne nøgle)"),
    })
}

/// The whole page for the scenario as loaded, in `lang`.
pub fn page(sc: &LoadedScenario, model: &Model, lang: Lang) -> String {
    let data = json!({
        "lang": lang.code(),
        "levers": levers(sc, lang),
        "words": words(lang),
        "full": model.replications,
    });
    // Inside a script element only `</` can end it early.
    let data = data.to_string().replace("</", "<\\/");
    let name = &sc.file.scenario.name;
    let t = |en: &str, da: &str| escape(lang.pick(en, da));
    TEMPLATE
        .replace("{{LANG}}", lang.code())
        .replace("{{TITLE}}", &escape(name))
        .replace("{{STYLE}}", STYLE)
        .replace("{{SCRIPT}}", SCRIPT)
        .replace("{{DATA}}", &data)
        .replace("{{T_LEVERS}}", &t("Levers", "Håndtag"))
        .replace("{{T_INTRO}}", &t(
            "Change a value: the answer follows, first quickly from fewer replications, then refined. An empty field keeps the file's value.",
            "Ændr en værdi: svaret følger, først hurtigt fra færre replikationer, derefter forfinet. Et tomt felt beholder filens værdi.",
        ))
        .replace("{{T_OTHER}}", &t("Any other key", "Enhver anden nøgle"))
        .replace("{{T_OTHER_HINT}}", &t(
            "A key by its path and a value, as --set takes them, e.g. transitions[0].probability = 0.07",
            "En nøgle ved dens sti og en værdi, som --set tager dem, fx transitions[0].probability = 0.07",
        ))
        .replace("{{T_ADD}}", &t("Add a key", "Tilføj en nøgle"))
        .replace("{{T_ANSWER}}", &t("The answer", "Svaret"))
        .replace("{{T_NET}}", &t("Expected net municipal effect (+ = saving)", "Forventet kommunal nettoeffekt (+ = besparelse)"))
        .replace("{{T_PARAMS}}", &t("90 % interval over what we don't know (the parameters)", "90 %-interval over det, vi ikke ved (parametrene)"))
        .replace("{{T_CHANCE}}", &t("by chance, one realised cohort lands (s.d.)", "af tilfældighed lander én faktisk kohorte (s.d.)"))
        .replace("{{T_REPS}}", &t("90 % interval over replications", "90 %-interval over replikationer"))
        .replace("{{T_MCSE}}", &t("Monte Carlo error (s.e.)", "Monte Carlo-fejl (s.e.)"))
        .replace("{{T_FIGURES}}", &t("Main figures, against the scenario as loaded", "Hovedtal, mod scenariet som indlæst"))
        .replace("{{T_YEARS}}", &t("Money per budget year", "Penge pr. budgetår"))
        .replace("{{T_BRIEF}}", &t("In brief", "Kort fortalt"))
        .replace("{{T_CHARTS}}", &t("Charts", "Figurer"))
        .replace("{{T_OPTIONS}}", &t("Saved options, side by side (same seed, so the same baseline)", "Gemte muligheder side om side (samme seed, så samme basislinje)"))
        .replace("{{T_KEEP}}", &t("Keep this option", "Gem denne mulighed"))
        .replace("{{T_WRITE}}", &t("Write this option to a folder", "Skriv denne mulighed til en mappe"))
        .replace("{{T_WRITE_HINT}}", &t(
            "Writes scenario.toml and report.html (the full answer) into the folder; nothing else is written.",
            "Skriver scenario.toml og report.html (det fulde svar) i mappen; intet andet skrives.",
        ))
        .replace("{{T_FOLDER}}", &t("Folder", "Mappe"))
        .replace("{{T_OVERWRITE}}", &t("overwrite existing files", "overskriv eksisterende filer"))
        .replace("{{T_WRITE_BUTTON}}", &t("Write", "Skriv"))
}
