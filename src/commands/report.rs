//! `trappe report RESULTS_DIR`: a report of a results folder for people, in the formats
//! asked for (`--format xlsx`), in English or Danish. Also what `--report` on `run`,
//! `compare`, `sweep` and `sensitivity` calls once their folder is written, so both ways
//! give the same file.

use crate::report::files::report_file::REPORT_STEMS;
use crate::report::folder::ResultsFolder;
use crate::report::lang::Lang;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A format of a report (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// A workbook for Excel or LibreOffice.
    Xlsx,
    /// A self-contained web page with the charts.
    Html,
    /// The web page printed to PDF.
    Pdf,
}

impl ReportFormat {
    /// Every format, in the order the help lists them.
    pub const ALL: [ReportFormat; 3] = [ReportFormat::Xlsx, ReportFormat::Html, ReportFormat::Pdf];

    /// The format's name, as `--format` takes it, and its file's extension.
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--format` (or `--report`) value that names no format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a report format: the formats are `xlsx` (a workbook), `html` (a web page with the charts) and `pdf`{}",
    suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
)]
pub struct UnknownFormat {
    /// The value given.
    pub given: String,
    /// The nearest format's name, if the value looks like a typo of one.
    pub suggestion: Option<String>,
}

impl FromStr for ReportFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<ReportFormat, UnknownFormat> {
        let given = s.trim();
        ReportFormat::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(given)).ok_or_else(|| {
            UnknownFormat {
                given: given.to_string(),
                suggestion: crate::error::nearest(given, ReportFormat::ALL.map(ReportFormat::name)),
            }
        })
    }
}

/// Why a report cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The PDF cannot be printed.
    #[error(transparent)]
    Pdf(#[from] crate::report::pdf::PdfError),
    /// The report file exists and `--force` was not given.
    #[error("report file {} already exists; choose another with -o, or pass --force to replace it", .0.display())]
    Exists(PathBuf),
    /// Where the report goes is a folder, not a file.
    #[error("cannot write report {}: it is a folder; give -o a file name such as report.xlsx", .0.display())]
    IsFolder(PathBuf),
    /// The file cannot be written.
    #[error("cannot write report {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The workbook cannot be made.
    #[error("cannot make the workbook {}: {source}", path.display())]
    Workbook {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rust_xlsxwriter::XlsxError,
    },
}

/// What `trappe report` is asked for.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    /// The results folder.
    pub folder: PathBuf,
    /// The formats, each written once.
    pub formats: Vec<ReportFormat>,
    /// The language of the report's text.
    pub lang: Lang,
    /// The report's file (by default `report.<format>` in the folder, `rapport.<format>`
    /// in Danish); with several formats, each format's file has its extension.
    pub out: Option<PathBuf>,
    /// Replace a report file that exists.
    pub force: bool,
}

/// The report file of `format` in `lang` for `folder`, or for `out` when given (its
/// extension set to the format's when several formats are written).
pub fn report_path(
    folder: &Path,
    out: Option<&Path>,
    lang: Lang,
    format: ReportFormat,
    several: bool,
) -> PathBuf {
    match out {
        Some(out) if several => out.with_extension(format.name()),
        Some(out) => out.to_path_buf(),
        None => {
            let stem = match lang {
                Lang::En => REPORT_STEMS[0],
                Lang::Da => REPORT_STEMS[1],
            };
            folder.join(format!("{stem}.{}", format.name()))
        }
    }
}

/// Writes the report of a results folder in every format asked for: refuses a PDF
/// without a browser before reading anything, reads the folder once, and writes each
/// file whole or not at all. Returns the files written.
pub fn report(cfg: &ReportConfig) -> anyhow::Result<Vec<PathBuf>> {
    check_formats(&cfg.formats)?;
    let mut formats = cfg.formats.clone();
    formats.dedup();
    let several = formats.len() > 1;
    let paths: Vec<PathBuf> =
        formats.iter().map(|f| report_path(&cfg.folder, cfg.out.as_deref(), cfg.lang, *f, several)).collect();
    for path in &paths {
        check_writable(path, cfg.force)?;
    }
    let folder = ResultsFolder::read(&cfg.folder)?;
    for (format, path) in formats.iter().zip(&paths) {
        let bytes = match format {
            ReportFormat::Xlsx => crate::report::workbook::workbook(&folder, cfg.lang)
                .map_err(|source| ReportError::Workbook { path: path.clone(), source })?,
            ReportFormat::Html => crate::report::html::html(&folder, cfg.lang).into_bytes(),
            ReportFormat::Pdf => {
                let browser = crate::report::pdf::find_browser()?;
                crate::report::pdf::print_to_pdf(&browser, &crate::report::html::html(&folder, cfg.lang))?
            }
        };
        write_atomically(path, &bytes, cfg.force)?;
    }
    Ok(paths)
}

/// Refuses a PDF when there is no browser to print it: called before a command
/// simulates, so that `--report pdf` fails at once rather than after the run.
pub fn check_formats(formats: &[ReportFormat]) -> Result<(), ReportError> {
    for format in formats {
        if *format == ReportFormat::Pdf {
            crate::report::pdf::find_browser()?;
        }
    }
    Ok(())
}

/// Refuses a report file that exists without `force`, and one that is a folder.
fn check_writable(path: &Path, force: bool) -> Result<(), ReportError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(ReportError::IsFolder(path.to_path_buf())),
        Ok(_) if !force => Err(ReportError::Exists(path.to_path_buf())),
        _ => Ok(()),
    }
}

/// Writes `bytes` to a hidden temporary file beside `path` and renames it into place,
/// so the report is either whole or absent; without `force` never over a file that
/// appeared meanwhile.
fn write_atomically(path: &Path, bytes: &[u8], force: bool) -> Result<(), ReportError> {
    let failed = |source| ReportError::Write { path: path.to_path_buf(), source };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.partial-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // Readable as any file the user creates (the umask applies), like the CSV files
    // beside it, not only by the owner as a temporary file would be.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(&parent).map_err(failed)?;
    file.write_all(bytes).and_then(|()| file.as_file().sync_all()).map_err(failed)?;
    let kept = if force { file.persist(path) } else { file.persist_noclobber(path) };
    kept.map_err(|e| match e.error.kind() {
        io::ErrorKind::AlreadyExists => ReportError::Exists(path.to_path_buf()),
        _ => failed(e.error),
    })?;
    Ok(())
}
