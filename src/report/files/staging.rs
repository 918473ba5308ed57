//! The staging folder: result files are written into a hidden folder beside the
//! output folder, which is moved into place only when every file is complete, so an
//! interrupted or failed run never leaves a half-written result. The move never
//! replaces a folder that appeared while the command ran, and with `--force` replaces
//! only a folder trappe wrote; [`super::claim`] keeps two commands from writing the
//! same folder and cleans up after killed ones, and [`super::interrupt`] removes the
//! staging folder when the command is interrupted.

use super::claim::{Sibling, TargetLock, recover_leftovers, recover_neighbours, sibling_prefix};
use super::csv_dialect::CsvDialect;
use super::csv_file::CsvFile;
use super::interrupt::unfinished;
use super::output_error::OutputError;
use super::replaceable::{check_holds_nothing_needed, check_written_by_trappe};
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A staging folder that becomes the output folder on [`Staging::commit`], and is
/// removed if dropped before that (or if the command is interrupted).
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    parent: PathBuf,
    name: OsString,
    force: bool,
    csv_dialect: CsvDialect,
    folder: Option<tempfile::TempDir>,
    /// Held for as long as the staging folder exists; declared last, so it is
    /// released after the staging folder is removed.
    _lock: TargetLock,
}

impl Staging {
    /// Prepares to write into `target`. Fails at once (before any simulation) if
    /// another command is writing it; if it exists without `force`; if it is the
    /// current folder, holds it, or holds one of `inputs` (the files the command reads,
    /// which replacing it would delete); if `force` is given for a folder trappe did
    /// not write; or if its parent cannot be written. First restores or removes what
    /// killed commands left beside it, and says so on stderr.
    pub fn begin(target: &Path, force: bool, inputs: &[&Path]) -> Result<Staging, OutputError> {
        check_holds_nothing_needed(target, inputs)?;
        let (parent, name) = parent_and_name(target)?;
        let unwritable = |source| OutputError::Unwritable { path: target.to_path_buf(), source };
        fs::create_dir_all(&parent).map_err(unwritable)?;
        let lock = TargetLock::acquire(&parent, &name, target)?;
        if lock.is_exclusive() {
            for note in recover_leftovers(&parent, &name, target)? {
                eprintln!("note: {note}");
            }
            for note in recover_neighbours(&parent, &name) {
                eprintln!("note: {note}");
            }
        }
        match fs::metadata(target) {
            Ok(_) if !force => return Err(OutputError::Exists(target.to_path_buf())),
            Ok(m) if !m.is_dir() => {
                return Err(unwritable(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "it is a file, not a folder",
                )));
            }
            Ok(_) => check_written_by_trappe(target)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(unwritable(e)),
        }
        // Registered while the registry is held, so an interruption cannot fall between
        // making the folder and registering it.
        let mut registry = unfinished();
        let folder = tempfile::Builder::new()
            .prefix(&sibling_prefix(&name, Sibling::Staging))
            .tempdir_in(&parent)
            .map_err(unwritable)?;
        registry.add_folder(folder.path());
        drop(registry);
        Ok(Staging {
            target: target.to_path_buf(),
            parent,
            name,
            force,
            csv_dialect: CsvDialect::Standard,
            folder: Some(folder),
            _lock: lock,
        })
    }

    /// The staging folder, its CSV files to be written in `dialect` (`--csv-dialect`)
    /// rather than the standard one.
    pub fn with_csv_dialect(mut self, dialect: CsvDialect) -> Staging {
        self.csv_dialect = dialect;
        self
    }

    /// The dialect of the folder's CSV files, for its manifest.
    pub fn csv_dialect(&self) -> CsvDialect {
        self.csv_dialect
    }

    /// Path of a file inside the staging folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staged().join(name)
    }

    /// A CSV file inside the staging folder, in the folder's dialect: every CSV result
    /// file is named through this, so all of a folder's files share one dialect.
    pub fn csv(&self, name: &str) -> CsvFile {
        CsvFile::new(self.file(name), self.csv_dialect)
    }

    /// The final output folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    fn staged(&self) -> &Path {
        self.folder.as_ref().map(|f| f.path()).unwrap_or(&self.target)
    }

    /// Moves the complete results into place. Without `force` the move fails if the
    /// output folder appeared meanwhile; with it, an existing folder is replaced if it
    /// still is one trappe wrote.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let mut registry = unfinished();
        let staged = self.staged().to_path_buf();
        let exists = fs::symlink_metadata(&self.target).is_ok();
        if exists && self.force {
            self.replace(&staged)?;
        } else if exists {
            return Err(OutputError::Appeared(self.target.clone()));
        } else {
            self.move_into_absent(&staged)?;
        }
        registry.forget(&staged);
        // The staged folder is the output folder: nothing is left to remove.
        if let Some(folder) = self.folder.take() {
            let _ = folder.keep();
        }
        Ok(self.target.clone())
    }

    /// Moves `staged` to the absent output folder, never over one that appeared: the
    /// folder is made exclusively (failing if it exists) and the staged folder renamed
    /// onto it, which the system allows only while it is still empty.
    fn move_into_absent(&self, staged: &Path) -> Result<(), OutputError> {
        let unwritable = |source| OutputError::Unwritable { path: self.target.clone(), source };
        match fs::create_dir(&self.target) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(OutputError::Appeared(self.target.clone()));
            }
            Err(e) => return Err(unwritable(e)),
        }
        if let Err(e) = fs::rename(staged, &self.target) {
            // Removes only the empty folder made above; one that was filled meanwhile stays.
            return Err(match fs::remove_dir(&self.target) {
                Ok(()) => unwritable(e),
                Err(_) => OutputError::Appeared(self.target.clone()),
            });
        }
        Ok(())
    }

    /// Replaces the existing output folder with `staged`: moves it aside (hidden, named
    /// for this process), moves the results in, and removes it. A kill between the two
    /// moves is repaired by the next command into the folder ([`recover_leftovers`]).
    fn replace(&self, staged: &Path) -> Result<(), OutputError> {
        let unwritable = |source| OutputError::Unwritable { path: self.target.clone(), source };
        check_written_by_trappe(&self.target)?;
        let random = staged.file_name().unwrap_or_default().as_encoded_bytes();
        let random =
            String::from_utf8_lossy(random.rsplit(|b| *b == b'-').next().unwrap_or_default()).into_owned();
        let mut backup_name = sibling_prefix(&self.name, Sibling::Replaced);
        backup_name.push(random);
        let backup = self.parent.join(backup_name);
        fs::rename(&self.target, &backup).map_err(unwritable)?;
        if let Err(e) = fs::rename(staged, &self.target) {
            let _ = fs::rename(&backup, &self.target);
            return Err(unwritable(e));
        }
        // Left behind only if it cannot be removed now; the next command removes it.
        let _ = fs::remove_dir_all(&backup);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(folder) = self.folder.take() {
            let mut registry = unfinished();
            registry.forget(folder.path());
            drop(folder);
        }
    }
}

/// The folder holding `target` and its name in it; `.` when it has no parent. A path
/// ending in `..` is resolved first.
fn parent_and_name(target: &Path) -> Result<(PathBuf, OsString), OutputError> {
    let split = |p: &Path| {
        let parent = match p.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        p.file_name().map(|name| (parent, name.to_os_string()))
    };
    split(target).or_else(|| fs::canonicalize(target).ok().and_then(|p| split(&p))).ok_or_else(|| {
        OutputError::Unwritable {
            path: target.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "it does not name a folder"),
        }
    })
}
