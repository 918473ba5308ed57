//! The staging folder: result files are written into a hidden folder beside the
//! output folder, which is moved into place only when every file is complete, so an
//! interrupted or failed run never leaves a half-written result.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The folder exists and `--force` was not given.
    #[error("output folder {} already exists; choose another with --out, or pass --force to replace it", .0.display())]
    Exists(PathBuf),
    /// The folder (or its parent) cannot be created or written.
    #[error("cannot write to output folder {}: {source}", path.display())]
    Unwritable {
        /// The folder.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: io::Error,
    },
    /// CSV writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: csv::Error,
    },
    /// The manifest could not be serialised.
    #[error("cannot write the run manifest: {0}")]
    Manifest(#[from] toml::ser::Error),
}

/// A staging folder that becomes the output folder on [`Staging::commit`],
/// and is removed if dropped before that.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    folder: tempfile::TempDir,
}

impl Staging {
    /// Prepares to write into `target`. Fails at once (before any simulation) if
    /// `target` exists without `force`, or if its parent cannot be written.
    pub fn begin(target: &Path, force: bool) -> Result<Staging, OutputError> {
        if target.exists() && !force {
            return Err(OutputError::Exists(target.to_path_buf()));
        }
        if target.exists() && !target.is_dir() {
            return Err(OutputError::Unwritable {
                path: target.to_path_buf(),
                source: io::Error::new(io::ErrorKind::AlreadyExists, "it is a file, not a folder"),
            });
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let unwritable = |source| OutputError::Unwritable { path: target.to_path_buf(), source };
        fs::create_dir_all(&parent).map_err(unwritable)?;
        let name =
            target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
        // Hidden, beside the target (so the move into place is a rename), and named
        // after it so a user who finds one knows what it was.
        let folder = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(&parent)
            .map_err(unwritable)?;
        Ok(Staging { target: target.to_path_buf(), folder })
    }

    /// Path of a file inside the staging folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.folder.path().join(name)
    }

    /// The final output folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the complete results into place, replacing an existing folder.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        let unwritable = |source| OutputError::Unwritable { path: self.target.clone(), source };
        let staged = self.folder.path();
        if self.target.exists() {
            let old = staged.with_extension("old");
            fs::rename(&self.target, &old).map_err(unwritable)?;
            fs::rename(staged, &self.target).map_err(unwritable)?;
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(staged, &self.target).map_err(unwritable)?;
        }
        // After the rename the staged folder is the output folder: nothing is left to remove.
        let _ = self.folder.keep();
        Ok(self.target)
    }
}
