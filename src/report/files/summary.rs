//! `summary.csv`: every outcome at the horizon, the effects and the targets.

use crate::analysis::outcomes::{EFFECT_NAMES, Results, arm_outcome_names};
use crate::analysis::stats::Summary;
use crate::model::Model;
use crate::numbers::csv_number;
use crate::report::files::csv_file::write_rows;
use crate::report::files::staging::OutputError;
use crate::report::files::units::unit_of;
use std::path::Path;

fn summary_cells(s: &Summary) -> Vec<String> {
    vec![
        csv_number(s.mean),
        csv_number(s.median),
        csv_number(s.p05),
        csv_number(s.p95),
        csv_number(s.mcse),
        csv_number(s.sd),
        s.n.to_string(),
    ]
}

const SUMMARY_STATS: [&str; 7] = ["mean", "median", "p05", "p95", "mcse", "sd", "n"];

/// Writes `summary.csv`: every outcome at the horizon per arm and difference, the
/// effects, and each target's value and probability of being met.
pub fn write_summary(path: &Path, model: &Model, res: &Results) -> Result<(), OutputError> {
    let mut header: Vec<String> =
        ["section", "metric", "arm", "unit"].iter().map(|s| s.to_string()).collect();
    header.extend(SUMMARY_STATS.iter().map(|s| s.to_string()));
    header.push("label".into());
    let names = arm_outcome_names(model);
    let mut rows = Vec::new();
    let arm_label = |a: usize| {
        if a < res.arm_names.len() { res.arm_names[a] } else { "difference" }
    };
    for (k, name) in names.iter().enumerate() {
        if name.starts_with("target_") {
            continue;
        }
        for a in 0..res.arm_summaries.len() {
            let mut r = vec!["outcome".into(), name.clone(), arm_label(a).into(), unit_of(name).into()];
            r.extend(summary_cells(&res.arm_summaries[a][k]));
            r.push(String::new());
            rows.push(r);
        }
    }
    for (k, name) in EFFECT_NAMES.iter().enumerate() {
        let mut r = vec!["effect".into(), name.to_string(), "effect".into(), unit_of(name).into()];
        r.extend(summary_cells(&res.effect_summaries[k]));
        r.push(if *name == "break_even_month" {
            format!(
                "statistics over replications that break even; reached in {} of replications; median counting not reached as beyond the horizon: {}",
                csv_number(res.break_even_share),
                res.break_even_median.map(csv_number).unwrap_or_else(|| "not reached".into())
            )
        } else {
            String::new()
        });
        rows.push(r);
    }
    for (i, t) in model.targets.iter().enumerate() {
        let kv = names.iter().position(|n| *n == format!("target_{}_value", i + 1)).unwrap();
        let unit = if t.relative_to_start { "ratio to the value at the start" } else { t.metric.unit() };
        let label = format!("{} ({})", t.name, t.condition());
        for a in 0..res.arm_summaries.len() {
            let mut r =
                vec!["target".into(), format!("target_{}_value", i + 1), arm_label(a).into(), unit.into()];
            r.extend(summary_cells(&res.arm_summaries[a][kv]));
            r.push(label.clone());
            rows.push(r);
        }
        for a in 0..res.arm_summaries.len() {
            let unit = if a < res.arm_names.len() { "probability" } else { "difference in probability" };
            let mut r = vec![
                "target".into(),
                format!("target_{}_probability", i + 1),
                arm_label(a).into(),
                unit.into(),
            ];
            r.extend(summary_cells(&res.arm_summaries[a][kv + 1]));
            r.push(label.clone());
            rows.push(r);
        }
    }
    write_rows(path, &header, rows.into_iter())
}
