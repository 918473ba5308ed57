//! Interruption: on SIGINT, SIGTERM or SIGHUP the unfinished results of a command are
//! removed before it exits, so Ctrl-C or a cluster's time limit leaves no hidden
//! staging folder behind. (SIGKILL cannot be caught: the next command writing into the
//! same folder removes what a killed one left, see [`super::claim`].)
//!
//! The signals are received on a dedicated thread ([`signal_hook::iterator`]), not in a
//! signal handler, so removing folders there is ordinary code. A folder is registered
//! while it is unfinished; the commit of a result holds the registry while it moves
//! folders, so an interruption either comes before the commit (and removes the
//! unfinished folder) or after it (and removes nothing).

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

/// What an interruption removes: unfinished folders and the lock files of the output
/// folders this process is writing.
#[derive(Debug, Default)]
pub struct Unfinished {
    folders: Vec<PathBuf>,
    lock_files: Vec<PathBuf>,
    /// What the command leaves undone when interrupted (None: no results written).
    undone: Option<&'static str>,
}

impl Unfinished {
    /// Registers an unfinished folder, removed if the process is interrupted.
    pub fn add_folder(&mut self, folder: &Path) {
        // Collected from its components, a `.` inside the path is left out of messages.
        self.folders.push(folder.components().collect());
    }

    /// Registers a lock file this process holds, removed if it is interrupted.
    pub fn add_lock_file(&mut self, file: &Path) {
        self.lock_files.push(file.components().collect());
    }

    /// Says what an interruption leaves undone in place of "no results written", for a
    /// command that writes no results of its own (`trappe serve`).
    pub fn set_undone(&mut self, undone: &'static str) {
        self.undone = Some(undone);
    }

    /// Forgets a folder or lock file (committed, or removed by its owner).
    pub fn forget(&mut self, path: &Path) {
        self.folders.retain(|f| f != path);
        self.lock_files.retain(|f| f != path);
    }
}

static UNFINISHED: Mutex<Unfinished> =
    Mutex::new(Unfinished { folders: Vec::new(), lock_files: Vec::new(), undone: None });
static LISTENING: Once = Once::new();

/// The registry of unfinished folders, for the duration of a registration or a
/// commit. Starts listening for interruptions on first use.
pub fn unfinished() -> MutexGuard<'static, Unfinished> {
    LISTENING.call_once(listen);
    // A panic while the registry was held leaves it usable: its lists are always whole.
    UNFINISHED.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts the thread that removes unfinished folders on SIGINT, SIGTERM or SIGHUP and
/// exits with the shell's code for the signal (128 + its number), and waits until it
/// listens. If it cannot start, the signals keep their default action (and the next
/// run into the same folder cleans up).
fn listen() {
    let (ready, listening) = std::sync::mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new().name("interrupt".into()).spawn(move || {
        let signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]);
        let _ = ready.send(());
        if let Some(signal) = signals.ok().and_then(|mut s| s.forever().next()) {
            remove_unfinished_and_exit(signal);
        }
    });
    if spawned.is_ok() {
        let _ = listening.recv();
    }
}

/// Removes every registered folder and lock file, says so on one line, and exits with
/// 128 + `signal`. Holds the registry to the end, so no commit can start meanwhile.
fn remove_unfinished_and_exit(signal: i32) -> ! {
    let registry = UNFINISHED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let removed: Vec<String> = registry
        .folders
        .iter()
        .filter(|f| std::fs::remove_dir_all(f).is_ok())
        .map(|f| f.display().to_string())
        .collect();
    for lock in &registry.lock_files {
        let _ = std::fs::remove_file(lock);
    }
    let name = match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "SIGHUP",
    };
    // Below a progress bar on a terminal, not after it.
    let newline = if std::io::IsTerminal::is_terminal(&std::io::stderr()) { "\n" } else { "" };
    let undone = registry.undone.unwrap_or("no results written");
    if removed.is_empty() {
        eprintln!("{newline}trappe: interrupted ({name}); {undone}");
    } else {
        eprintln!(
            "{newline}trappe: interrupted ({name}); {undone}, unfinished files removed: {}",
            removed.join(", ")
        );
    }
    std::process::exit(128 + signal)
}
