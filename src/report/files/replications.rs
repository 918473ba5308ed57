//! `replications.csv`: every replication's outcomes, effects and parameter draws.

use crate::analysis::outcomes::Results;
use crate::model::Model;
use crate::numbers::push_csv_number;
use crate::report::files::csv_file::write_parts;
use crate::report::files::output_error::OutputError;
use crate::schema::{Effect, OutcomeLayout};
use crate::simulation::draws::parameter_keys;
use std::path::Path;

/// Writes `replications.csv`: one row per replication and arm, plus a
/// `difference` row (scenario − counterfactual) carrying the effects.
pub fn write_replications(path: &Path, model: &Model, res: &Results) -> Result<(), OutputError> {
    let pkeys = parameter_keys(model);
    let mut header: Vec<String> = vec!["replication".into(), "arm".into()];
    header.extend(OutcomeLayout::new(model).columns().iter().map(|c| c.name(model)));
    header.extend(Effect::ALL.iter().map(|e| e.name().to_string()));
    header.extend(pkeys.iter().map(|k| format!("param:{k}")));
    let n_arms = res.arm_names.len();
    let chunks: Vec<&[crate::analysis::outcomes::RepOutcomes]> =
        res.reps.chunks(REPLICATIONS_PER_PART).collect();
    write_parts(path, &header, chunks.len(), |i, w| {
        // Each number is formatted into one reused buffer and written as a field.
        let mut cell = String::new();
        let mut number = |w: &mut csv::Writer<Vec<u8>>, v: f64| {
            cell.clear();
            push_csv_number(&mut cell, v);
            w.write_field(&cell)
        };
        for o in chunks[i] {
            for a in 0..=n_arms {
                w.write_field(o.index.to_string())?;
                w.write_field(if a < n_arms { res.arm_names[a] } else { "difference" })?;
                if a < n_arms {
                    for v in &o.arms[a] {
                        number(w, *v)?;
                    }
                    for _ in Effect::ALL {
                        w.write_field("")?;
                    }
                } else {
                    for (x, y) in o.arms[0].iter().zip(&o.arms[1]) {
                        number(w, x - y)?;
                    }
                    for v in &o.effects {
                        number(w, *v)?;
                    }
                }
                for v in &o.params {
                    number(w, *v)?;
                }
                // Ends the record.
                w.write_record(None::<&[u8]>)?;
            }
        }
        Ok(())
    })
}

/// Replications per part of `replications.csv` formatted by one thread.
const REPLICATIONS_PER_PART: usize = 32;
