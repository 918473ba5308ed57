//! Writing a CSV result file: all rows at once, or in parts formatted in parallel.

use crate::report::files::output_error::OutputError;
use rayon::prelude::*;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

fn csv_writer(path: &Path) -> Result<csv::Writer<fs::File>, OutputError> {
    csv::Writer::from_path(path).map_err(|source| OutputError::Csv { path: path.to_path_buf(), source })
}

/// Writes a CSV file with `header` and then `rows`, one record each.
pub fn write_rows(
    path: &Path,
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), OutputError> {
    let mut w = csv_writer(path)?;
    let err = |source| OutputError::Csv { path: path.to_path_buf(), source };
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    w.flush().map_err(|source| OutputError::File { path: path.to_path_buf(), source })
}

/// Writes a CSV file whose records come in `parts` consecutive parts, each written by
/// `part(i, writer)`. The parts are formatted in parallel on the current rayon pool, a
/// few per thread at a time so memory stays bounded, each into its own buffer with the
/// same CSV settings, and written in order: the file is byte for byte what one writer
/// writing every part in turn would make, whatever the number of threads.
pub fn write_parts<F>(path: &Path, header: &[String], parts: usize, part: F) -> Result<(), OutputError>
where
    F: Fn(usize, &mut csv::Writer<Vec<u8>>) -> csv::Result<()> + Sync,
{
    let file_err = |source| OutputError::File { path: path.to_path_buf(), source };
    let csv_err = |source| OutputError::Csv { path: path.to_path_buf(), source };
    let format = |write: &dyn Fn(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>| -> csv::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        write(&mut w)?;
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    };
    let file = fs::File::create(path).map_err(file_err)?;
    let mut out = io::BufWriter::new(file);
    out.write_all(&format(&|w| w.write_record(header)).map_err(csv_err)?).map_err(file_err)?;
    let batch = 4 * rayon::current_num_threads().max(1);
    for start in (0..parts).step_by(batch) {
        let texts: Vec<Vec<u8>> = (start..(start + batch).min(parts))
            .into_par_iter()
            .map(|i| format(&|w| part(i, w)))
            .collect::<csv::Result<_>>()
            .map_err(csv_err)?;
        for t in &texts {
            out.write_all(t).map_err(file_err)?;
        }
    }
    out.flush().map_err(file_err)
}
