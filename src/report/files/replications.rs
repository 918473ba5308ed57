//! `replications.csv`: every replication's outcomes, effects and parameter draws.

use crate::analysis::outcomes::Results;
use crate::model::Model;
use crate::report::files::csv_file::{CsvFile, write_parts};
use crate::report::files::output_error::OutputError;
use crate::schema::{Effect, OutcomeLayout};
use crate::simulation::draws::parameter_keys;

/// Writes `replications.csv`: one row per replication and arm, plus a
/// `difference` row (scenario − counterfactual) carrying the effects.
pub fn write_replications(file: &CsvFile, model: &Model, res: &Results) -> Result<(), OutputError> {
    let pkeys = parameter_keys(model);
    let mut header: Vec<String> = vec!["replication".into(), "arm".into()];
    header.extend(OutcomeLayout::new(model).columns().iter().map(|c| c.name(model)));
    header.extend(Effect::ALL.iter().map(|e| e.name().to_string()));
    header.extend(pkeys.iter().map(|k| format!("param:{k}")));
    let n_arms = res.arm_names.len();
    let chunks: Vec<&[crate::analysis::outcomes::RepOutcomes]> =
        res.reps.chunks(REPLICATIONS_PER_PART).collect();
    write_parts(file, &header, chunks.len(), |i, w| {
        for o in chunks[i] {
            for a in 0..=n_arms {
                w.plain(&o.index.to_string())?;
                w.plain(if a < n_arms { res.arm_names[a] } else { "difference" })?;
                if a < n_arms {
                    for v in &o.arms[a] {
                        w.number(*v)?;
                    }
                    for _ in Effect::ALL {
                        w.plain("")?;
                    }
                } else {
                    for (x, y) in o.arms[0].iter().zip(&o.arms[1]) {
                        w.number(x - y)?;
                    }
                    for v in &o.effects {
                        w.number(*v)?;
                    }
                }
                for v in &o.params {
                    w.number(*v)?;
                }
                w.end_row()?;
            }
        }
        Ok(())
    })
}

/// Replications per part of `replications.csv` formatted by one thread.
const REPLICATIONS_PER_PART: usize = 32;
