//! Claiming an output folder: one command at a time writes into it, and what an
//! earlier command left when it was killed is cleaned up first.
//!
//! Beside the output folder `NAME` live, hidden and only while a command writes it:
//!
//! * `.NAME.trappe-lock`: a lock file, locked ([`std::fs::File::try_lock`]) by the
//!   command writing `NAME` for as long as it runs, and removed when it ends. A second
//!   command finds it locked and stops before simulating. The lock is the operating
//!   system's: it ends with the process however the process ends, even by SIGKILL.
//! * `.NAME.partial-PID-XXXXXX`: the staging folder of process PID, which becomes
//!   `NAME` when every file is written.
//! * `.NAME.replaced-PID-XXXXXX`: with `--force`, the folder being replaced, for the
//!   instant between moving it aside and moving the new results in.
//!
//! Whoever holds the lock is the only command writing `NAME`, so any staging or
//! replaced folder it finds was left by a command that was killed: it restores a
//! replaced folder if `NAME` is missing (the kill came between the two moves) and
//! removes the rest, saying what it did. A command also does this for the other
//! output folders beside its own whose leftovers it finds, taking each one's lock in
//! turn (and passing over any that a running command holds).

use super::interrupt::unfinished;
use super::output_error::OutputError;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// The kinds of hidden sibling an output folder has while it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sibling {
    /// The staging folder of a running (or killed) command.
    Staging,
    /// A folder being replaced by `--force`.
    Replaced,
}

impl Sibling {
    fn word(self) -> &'static str {
        match self {
            Sibling::Staging => "partial",
            Sibling::Replaced => "replaced",
        }
    }
}

/// `.NAME.<word>-PID-`: the start of a sibling's name made by this process; a random
/// suffix follows.
pub fn sibling_prefix(name: &OsStr, kind: Sibling) -> OsString {
    let mut prefix = kind_prefix(name, kind);
    prefix.push(format!("{}-", std::process::id()));
    prefix
}

fn kind_prefix(name: &OsStr, kind: Sibling) -> OsString {
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(format!(".{}-", kind.word()));
    prefix
}

/// The siblings of `name` of `kind` in `parent` (any process's), with the process id
/// in each name.
fn siblings(parent: &Path, name: &OsStr, kind: Sibling) -> Vec<(PathBuf, u32)> {
    let prefix = kind_prefix(name, kind);
    let prefix = prefix.as_encoded_bytes();
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, u32)> = entries
        .flatten()
        .filter_map(|e| {
            let file_name = e.file_name();
            let rest = file_name.as_encoded_bytes().strip_prefix(prefix)?;
            // PID-XXXXXX exactly, so that `.a.partial-x.partial-1-y` is not `a`'s.
            let rest = std::str::from_utf8(rest).ok()?;
            let (pid, random) = rest.split_once('-')?;
            let pid: u32 = pid.parse().ok()?;
            if random.is_empty() || !random.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            e.file_type().ok()?.is_dir().then(|| (e.path(), pid))
        })
        .collect();
    found.sort();
    found
}

/// The lock that makes a command the only one writing an output folder; released
/// (and its file removed) when dropped, or by the operating system when the process
/// ends.
#[derive(Debug)]
pub struct TargetLock {
    /// The locked file, or None where the file system has no locks.
    held: Option<(File, PathBuf)>,
}

impl TargetLock {
    /// Locks the output folder `name` in `parent` (shown as `target` in messages).
    /// Fails if another command holds it. On a file system without locks, goes on
    /// unlocked: the commit still never replaces a folder that appeared meanwhile.
    pub fn acquire(parent: &Path, name: &OsStr, target: &Path) -> Result<TargetLock, OutputError> {
        let mut file_name = OsString::from(".");
        file_name.push(name);
        file_name.push(".trappe-lock");
        let path = parent.join(file_name);
        let unwritable = |source| OutputError::Unwritable { path: target.to_path_buf(), source };
        loop {
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(unwritable)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let staging = siblings(parent, name, Sibling::Staging);
                    return Err(OutputError::Busy {
                        path: target.to_path_buf(),
                        staging: staging.into_iter().next().map(|(p, _)| p),
                    });
                }
                Err(TryLockError::Error(_)) => return Ok(TargetLock { held: None }),
            }
            // The previous holder may have removed the file between our open and our
            // lock: then the lock is on a file nobody else will see; start again.
            if same_file(&file, &path) {
                unfinished().add_lock_file(&path);
                return Ok(TargetLock { held: Some((file, path)) });
            }
        }
    }

    /// Whether this command is known to be the only one writing the folder.
    pub fn is_exclusive(&self) -> bool {
        self.held.is_some()
    }
}

impl Drop for TargetLock {
    fn drop(&mut self) {
        if let Some((file, path)) = self.held.take() {
            let mut registry = unfinished();
            // Removed while still locked, so nobody else can hold a lock on it.
            let _ = fs::remove_file(&path);
            registry.forget(&path);
            drop(file);
        }
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Cleans up after commands into `target` (named `name`, in `parent`) that were
/// killed: restores a folder whose replacement was cut short and removes unfinished
/// staging folders. Call only while holding the folder's [`TargetLock`]. Returns one
/// note for the user per thing done.
pub fn recover_leftovers(parent: &Path, name: &OsStr, target: &Path) -> Result<Vec<String>, OutputError> {
    let mut notes = Vec::new();
    let mut replaced = siblings(parent, name, Sibling::Replaced);
    let target_missing =
        matches!(fs::symlink_metadata(target), Err(e) if e.kind() == io::ErrorKind::NotFound);
    if target_missing && let Some((backup, pid)) = replaced.pop() {
        fs::rename(&backup, target)
            .map_err(|source| OutputError::Unwritable { path: target.to_path_buf(), source })?;
        notes.push(format!(
            "restored {} from {} (process {pid} was stopped while replacing it)",
            target.display(),
            backup.display()
        ));
    }
    let leftovers = replaced.into_iter().map(|(p, pid)| (p, pid, "an earlier result it was replacing"));
    let staging = siblings(parent, name, Sibling::Staging)
        .into_iter()
        .map(|(p, pid)| (p, pid, "its unfinished results"));
    for (folder, pid, what) in leftovers.chain(staging) {
        fs::remove_dir_all(&folder)
            .map_err(|source| OutputError::Unwritable { path: folder.clone(), source })?;
        notes.push(format!(
            "removed {} ({what}; process {pid} was stopped before it finished)",
            folder.display()
        ));
    }
    Ok(notes)
}

/// The output folders in `parent`, other than `own`, that hidden staging or replaced
/// folders or lock files were left for, named as their leftovers name them.
fn other_targets_with_leftovers(parent: &Path, own: &OsStr) -> Vec<OsString> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut names: Vec<OsString> = entries
        .flatten()
        .filter_map(|e| {
            let file_name = e.file_name();
            let text = file_name.to_str()?.strip_prefix('.')?;
            if let Some(name) = text.strip_suffix(".trappe-lock") {
                return (!name.is_empty()).then(|| OsString::from(name));
            }
            [Sibling::Staging, Sibling::Replaced].iter().find_map(|kind| {
                let marker = format!(".{}-", kind.word());
                let at = text.rfind(&marker)?;
                (at > 0).then(|| OsString::from(&text[..at]))
            })
        })
        .filter(|name| name != own)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Cleans up what killed commands left beside the other output folders in `parent`
/// (not `own`, which [`recover_leftovers`] handles under its lock): for each, takes
/// its lock, and passes over a folder a running command holds or whose lock cannot
/// be taken. Returns one note for the user per thing done.
pub fn recover_neighbours(parent: &Path, own: &OsStr) -> Vec<String> {
    let mut notes = Vec::new();
    for name in other_targets_with_leftovers(parent, own) {
        let target = parent.join(&name);
        let Ok(lock) = TargetLock::acquire(parent, &name, &target) else { continue };
        if lock.is_exclusive() {
            // A neighbour that cannot be cleaned is left as it is: it is not this
            // command's output, and the next command into it will try again.
            notes.extend(recover_leftovers(parent, &name, &target).unwrap_or_default());
        }
    }
    notes
}
