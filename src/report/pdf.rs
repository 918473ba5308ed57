//! The PDF report (`--format pdf`): the HTML report printed by a headless Chromium (or
//! Google Chrome), so that the PDF is exactly the page a browser prints, charts and all,
//! without a PDF layout of trappe's own. The browser is found on `PATH`, or named by
//! the environment variable `TRAPPE_CHROMIUM`; when there is none, the error says how
//! to install one.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that names the browser program to print with.
pub const BROWSER_VARIABLE: &str = "TRAPPE_CHROMIUM";

/// The programs looked for on `PATH`, in order.
pub const BROWSER_NAMES: [&str; 4] =
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/// How long the browser may take to print one report before it is stopped.
const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

/// Why the PDF cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No browser to print with.
    #[error(
        "--format pdf prints the HTML report with Chromium, and none was found (looked for {} on PATH{}): \
         install it (Debian or Ubuntu: `sudo apt-get install chromium`; Fedora: `sudo dnf install chromium`; \
         macOS or Windows: install Google Chrome and set {BROWSER_VARIABLE} to its program), \
         or write --format html and print the page from a browser",
        BROWSER_NAMES.join(", "),
        named.as_ref().map(|n| format!(" and {BROWSER_VARIABLE}={n}, which is not a program")).unwrap_or_default()
    )]
    NoBrowser {
        /// What `TRAPPE_CHROMIUM` named, when it was set to something that is not a program.
        named: Option<String>,
    },
    /// The browser could not be started or did not print.
    #[error("--format pdf: {} could not print the report: {reason}", browser.display())]
    Failed {
        /// The browser program.
        browser: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// The browser to print with: `TRAPPE_CHROMIUM` when set, else the first of
/// [`BROWSER_NAMES`] on `PATH`.
pub fn find_browser() -> Result<PathBuf, PdfError> {
    if let Some(named) = std::env::var_os(BROWSER_VARIABLE).filter(|v| !v.is_empty()) {
        return program(&named)
            .ok_or_else(|| PdfError::NoBrowser { named: Some(named.to_string_lossy().into_owned()) });
    }
    BROWSER_NAMES
        .iter()
        .find_map(|name| program(&OsString::from(name)))
        .ok_or(PdfError::NoBrowser { named: None })
}

/// `name` as a program file: itself when it is a path to a file, else the first file of
/// that name in a folder of `PATH`.
fn program(name: &OsString) -> Option<PathBuf> {
    let path = Path::new(name);
    if path.components().count() > 1 {
        return path.is_file().then(|| path.to_path_buf());
    }
    let folders = std::env::var_os("PATH")?;
    std::env::split_paths(&folders).map(|folder| folder.join(name)).find(|candidate| is_executable(candidate))
}

/// Whether `path` is a file this user may run.
fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// The arguments of a headless, offline, single-use browser that loads `page` and
/// prints it to `pdf` without the browser's own header and footer. The page is
/// trappe's own, with no scripts and nothing fetched, so the browser's sandbox (which
/// cannot start as root) is not needed to contain it.
fn print_arguments(profile: &Path, pdf: &Path, page: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-pdf-header-footer",
    ]
    .map(OsString::from)
    .into();
    let mut with = |flag: &str, path: &Path| {
        let mut arg = OsString::from(flag);
        arg.push(path.as_os_str());
        args.push(arg);
    };
    with("--user-data-dir=", profile);
    with("--print-to-pdf=", pdf);
    args.push(file_url(page));
    args
}

/// The `file://` address of an absolute path, its bytes other than letters, digits,
/// `-._~/` percent-encoded.
fn file_url(path: &Path) -> OsString {
    let mut url = String::from("file://");
    for byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                url.push(char::from(*byte))
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url.into()
}

/// The HTML page `html` printed to PDF by `browser`, as the PDF file's bytes. The page
/// and the browser's profile live in a temporary folder that is removed afterwards.
pub fn print_to_pdf(browser: &Path, html: &str) -> Result<Vec<u8>, PdfError> {
    let failed = |reason: String| PdfError::Failed { browser: browser.to_path_buf(), reason };
    let work = tempfile::Builder::new()
        .prefix("trappe-pdf-")
        .tempdir()
        .map_err(|e| failed(format!("cannot make a temporary folder: {e}")))?;
    let page = work.path().join("report.html");
    let pdf = work.path().join("report.pdf");
    std::fs::write(&page, html).map_err(|e| failed(format!("cannot write {}: {e}", page.display())))?;
    let mut child = Command::new(browser)
        .args(print_arguments(&work.path().join("profile"), &pdf, &page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("cannot start it: {e}")))?;
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut s) = stderr {
            let _ = io::Read::read_to_string(&mut s, &mut text);
        }
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > PRINT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!("it did not finish within {} s", PRINT_TIMEOUT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(failed(format!("cannot wait for it: {e}"))),
        }
    };
    let said = reader.join().unwrap_or_default();
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !status.success() || !bytes.starts_with(b"%PDF") {
        // Its complaints about a missing desktop bus are noise on any server.
        let last =
            said.lines().rev().find(|l| !l.trim().is_empty() && !l.contains("dbus")).unwrap_or("nothing");
        return Err(failed(format!("it ended with {status} and wrote no PDF; its last words: {last}")));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_prints_offline_without_its_own_header_and_to_the_given_file() {
        let args = print_arguments(Path::new("/t/profile"), Path::new("/t/r.pdf"), Path::new("/t/r.html"));
        let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        for flag in ["--headless", "--disable-background-networking", "--no-pdf-header-footer"] {
            assert!(args.iter().any(|a| a == flag), "{flag}");
        }
        assert!(args.contains(&"--print-to-pdf=/t/r.pdf".to_string()));
        assert!(args.contains(&"--user-data-dir=/t/profile".to_string()));
        assert_eq!(args.last().map(String::as_str), Some("file:///t/r.html"));
        assert_eq!(file_url(Path::new("/t/a b/ø.html")), OsString::from("file:///t/a%20b/%C3%B8.html"));
    }

    #[test]
    fn a_missing_browser_is_explained_with_how_to_install_one() {
        let message = PdfError::NoBrowser { named: Some("/no/such/chrome".into()) }.to_string();
        assert!(message.contains("sudo apt-get install chromium"), "{message}");
        assert!(message.contains("TRAPPE_CHROMIUM=/no/such/chrome"), "{message}");
        assert!(message.contains("--format html"), "{message}");
        assert!(program(&OsString::from("/no/such/chrome")).is_none());
    }
}
