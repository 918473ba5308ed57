//! Reading the files a user gives (a scenario, observed figures, a part's manifest):
//! only a regular file of sane size, and only UTF-8 text.
//!
//! A path that names a folder, a device (`/dev/zero`, `/dev/urandom`), a named pipe
//! or a socket is refused before anything is read from it, so that a mistyped path
//! neither reads without end nor waits forever; a file larger than its kind's limit
//! is refused, also one that grows while it is read; and a file that is not UTF-8
//! is refused with the line and byte of the first bad byte, since a silently
//! replaced character would change a key or a name.

use crate::error::Diagnostic;
use std::fmt;
use std::io::Read;
use std::path::Path;

/// The kinds of input file, each with its size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFile {
    /// A scenario file (TOML): at most 16 MB.
    Scenario,
    /// Observed figures for `trappe calibrate` (CSV): at most 16 MB.
    Observed,
    /// A scenario's cohort extract, one row per citizen (CSV): at most 64 MB.
    Cohort,
    /// A part's manifest, `part.toml`, which holds the scenario's text: at most 64 MB.
    PartManifest,
    /// A part's data file: exactly the size its manifest gives.
    PartData {
        /// The size `part.toml` gives.
        bytes: u64,
    },
}

/// One megabyte (10⁶ bytes), the unit the limits are stated in.
const MB: u64 = 1_000_000;

impl InputFile {
    /// The largest file of this kind that is read, in bytes: far above any real
    /// file (a municipal scenario is a few kB), and far below what would exhaust memory.
    pub fn limit(self) -> u64 {
        match self {
            InputFile::Scenario | InputFile::Observed => 16 * MB,
            InputFile::PartManifest | InputFile::Cohort => 64 * MB,
            InputFile::PartData { bytes } => bytes,
        }
    }

    /// What the file is, for messages.
    pub fn name(self) -> &'static str {
        match self {
            InputFile::Scenario => "scenario file",
            InputFile::Observed => "observed figures file",
            InputFile::Cohort => "cohort file",
            InputFile::PartManifest => "part manifest",
            InputFile::PartData { .. } => "part data file",
        }
    }

    /// Why a file larger than [`InputFile::limit`] is refused.
    fn too_large(self) -> String {
        match self {
            InputFile::PartData { bytes } => {
                format!("it is larger than the {bytes} bytes its part.toml gives")
            }
            _ => format!(
                "it is larger than {} MB, the most a {} may be; is it the right file?",
                self.limit() / MB,
                self.name()
            ),
        }
    }
}

/// Why an input file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read, is not a regular file, or is too large.
    Io(std::io::Error),
    /// The file is not UTF-8 text: the diagnostic names the line and byte.
    NotUtf8(Box<Diagnostic>),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotUtf8(d) => write!(f, "{d}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for std::io::Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(io) => io,
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// The text of the input file at `path`, of kind `what`: a regular file of at most
/// `what.limit()` bytes holding UTF-8 text (a leading byte-order mark is kept, as
/// the file holds it).
pub fn read_input_text(path: &Path, what: InputFile) -> Result<String, ReadError> {
    let bytes = read_input_bytes(path, what).map_err(ReadError::Io)?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        ReadError::NotUtf8(Box::new(not_utf8(path, bytes, e.utf8_error().valid_up_to())))
    })
}

/// The bytes of the regular file at `path`, of kind `what`: at most `what.limit()`
/// of them. Refuses anything but a regular file before reading from it, and opens
/// without blocking, so a named pipe put in the file's place in the meantime is
/// refused too rather than waited on.
pub fn read_input_bytes(path: &Path, what: InputFile) -> std::io::Result<Vec<u8>> {
    let limit = what.limit();
    let meta = std::fs::metadata(path)?;
    refuse_unless_regular(&meta, what)?;
    refuse_if_larger(meta.len(), what)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a named pipe for reading waits for a writer unless non-blocking.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    // What was opened, which may differ from what was looked at.
    let opened = file.metadata()?;
    refuse_unless_regular(&opened, what)?;
    refuse_if_larger(opened.len(), what)?;
    let mut bytes = Vec::with_capacity(opened.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    refuse_if_larger(bytes.len() as u64, what)?;
    Ok(bytes)
}

/// An error unless `meta` is a regular file, naming what it is instead.
fn refuse_unless_regular(meta: &std::fs::Metadata, what: InputFile) -> std::io::Result<()> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let instead = if kind.is_dir() { "a folder" } else { special_kind(&kind) };
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("it is {instead}, not a file; give the path of a {}", what.name()),
    ))
}

/// What a file that is neither a regular file nor a folder is.
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    let _ = kind;
    "not a regular file"
}

/// An error if `len` bytes exceed the limit of `what`.
fn refuse_if_larger(len: u64, what: InputFile) -> std::io::Result<()> {
    if len <= what.limit() {
        return Ok(());
    }
    Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, what.too_large()))
}

/// The diagnostic for a file whose first bytes up to `valid` are UTF-8 and whose
/// next byte is not.
fn not_utf8(path: &Path, bytes: &[u8], valid: usize) -> Diagnostic {
    let before = &bytes[..valid];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let byte_in_line = valid - line_start + 1;
    let line_end = bytes[valid..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| valid + p);
    let snippet = String::from_utf8_lossy(&bytes[line_start..line_end]).trim_end().to_string();
    Diagnostic {
        file: path.display().to_string(),
        line: Some(line),
        column: None,
        message: format!(
            "the file is not UTF-8 text: byte {} of line {line} (byte {} of the file) is 0x{:02X}",
            byte_in_line,
            valid + 1,
            bytes[valid]
        ),
        snippet: Some(snippet),
        hint: Some(
            "save the file as UTF-8; the likely cause is æ, ø or å saved as Latin-1 \
             (ISO-8859-1 or Windows-1252), as older editors and Excel do"
                .into(),
        ),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_byte_is_located() {
        let bytes = b"a = 1\nname = \"\xe6ble\"\n";
        let d = not_utf8(Path::new("x.toml"), bytes, 14);
        assert_eq!(d.line, Some(2));
        assert!(d.message.contains("byte 9 of line 2"), "{}", d.message);
        assert!(d.message.contains("0xE6"), "{}", d.message);
    }
}
