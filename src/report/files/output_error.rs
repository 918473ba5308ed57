//! Why result files could not be written: the one error type of every writer of
//! result files, the staging folder and its claim.

use std::io;
use std::path::PathBuf;

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
    /// Another command is writing into the same folder.
    #[error(
        "another trappe command is writing into output folder {}{}; wait until it has finished, or choose another folder with --out",
        path.display(),
        staging.as_ref().map(|s| format!(" (its unfinished results are in {})", s.display())).unwrap_or_default()
    )]
    Busy {
        /// The folder.
        path: PathBuf,
        /// The other command's staging folder, if found.
        staging: Option<PathBuf>,
    },
    /// The folder did not exist when the command started, and did when its results
    /// were complete.
    #[error(
        "output folder {} appeared while trappe was running (made by another command or program); it is left as it is and these results were not written: run again with another folder in --out",
        .0.display()
    )]
    Appeared(PathBuf),
    /// The folder is the current folder or holds it.
    #[error(
        "output folder {} is the current folder or holds it ({}); trappe will not replace it: choose a new folder with --out",
        path.display(),
        resolved.display()
    )]
    HoldsCurrentFolder {
        /// The folder as given.
        path: PathBuf,
        /// The folder with links and `..` resolved.
        resolved: PathBuf,
    },
    /// The folder holds a file or folder the command reads.
    #[error(
        "output folder {} holds {}, which this command reads; trappe will not replace it: choose another folder with --out",
        path.display(),
        input.display()
    )]
    HoldsInput {
        /// The folder.
        path: PathBuf,
        /// The input inside it, as given.
        input: PathBuf,
    },
    /// `--force` was given for a folder trappe did not write.
    #[error(
        "output folder {} was not written by trappe: {reason} {}; --force replaces only trappe's own results folders: move those files away, or choose another folder with --out",
        path.display(),
        name_list(holds)
    )]
    NotTrappes {
        /// The folder.
        path: PathBuf,
        /// What makes it not trappe's.
        reason: String,
        /// The names of the files or folders that are not trappe's.
        holds: Vec<String>,
    },
    /// The manifest could not be serialised.
    #[error("cannot write the run manifest: {0}")]
    Manifest(#[from] toml::ser::Error),
}

/// Up to five names, and how many more.
fn name_list(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = names.iter().take(SHOWN).map(|n| n.as_str()).collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}
