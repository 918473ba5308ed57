//! `--format pdf`: the HTML report printed by headless Chromium; refused before anything
//! is simulated, with how to install a browser, where there is none. And the HTML report
//! as Chromium draws it: not blank, and nothing on the console.

use crate::common::browser::{browser, render};
use crate::common::{ok, repo, trappe};
use std::path::Path;

/// Runs the default scenario with 20 replications into `dir/run` and returns the folder.
fn run_folder(dir: &Path) -> std::path::PathBuf {
    let scenario = repo().join("scenarios/staircase-default.toml");
    let out = dir.join("run");
    ok(&["run", scenario.to_str().unwrap(), "-n", "20", "-o", out.to_str().unwrap()], dir);
    out
}

#[test]
fn the_pdf_report_is_the_html_page_printed_by_chromium() {
    let Some(_) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let folder = run_folder(dir.path());
    let said = ok(&["report", folder.to_str().unwrap(), "--format", "pdf,html", "--lang", "da"], dir.path());
    assert!(said.contains("rapport.pdf"), "{said}");
    let pdf = std::fs::read(folder.join("rapport.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let pages = pdf
        .windows(b"/Type /Page\n".len())
        .filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's')
        .count();
    assert!(pages >= 3, "the report prints on {pages} pages: the charts and the register need more");
    let names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".partial-")), "a temporary file is left: {names:?}");
}

#[test]
fn without_a_browser_pdf_is_refused_with_how_to_install_one_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let folder = run_folder(dir.path());
    let missing = dir.path().join("no-such-chromium");
    let refused = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_trappe"))
            .args(args)
            .current_dir(dir.path())
            .env("TRAPPE_CHROMIUM", &missing)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("sudo apt-get install chromium"), "{err}");
        assert!(err.contains(&format!("TRAPPE_CHROMIUM={}", missing.display())), "{err}");
        err
    };
    refused(&["report", folder.to_str().unwrap(), "--format", "xlsx,pdf"]);
    assert!(!folder.join("report.xlsx").exists(), "a format was written before the refusal");
    assert!(!folder.join("report.pdf").exists());
    let scenario = repo().join("scenarios/staircase-default.toml");
    let out = dir.path().join("never");
    refused(&["run", scenario.to_str().unwrap(), "-n", "4", "-o", out.to_str().unwrap(), "--report", "pdf"]);
    assert!(!out.exists(), "the run simulated before refusing");
    assert!(trappe(&["report", "--help"], dir.path()).status.success());
}

#[test]
fn chromium_draws_the_html_report_of_a_run_with_ink_and_no_console_messages() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body><script>console.log('seen')</script></body></html>")
        .unwrap();
    let drawn = render(&browser, &blank, 1000, 2400);
    assert!(drawn.inked() < 0.001, "a blank page reads as inked");
    assert_eq!(drawn.console.len(), 1, "the console is not read: {:?}", drawn.console);
    let folder = run_folder(dir.path());
    for lang in ["en", "da"] {
        drawn_with_ink(&browser, &folder, lang);
    }
}

#[test]
fn chromium_draws_the_html_reports_of_a_comparison_and_a_sweep_with_ink_and_no_console_messages() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    for command in ["compare", "sweep"] {
        let folder = crate::report_html::folder_of(command, dir.path());
        drawn_with_ink(&browser, &folder, "da");
    }
}

/// Draws the HTML report of `folder` in `lang` (written into the folder) with Chromium
/// and checks that the page is inked, its charts too, and that nothing is said on the
/// console.
fn drawn_with_ink(browser: &Path, folder: &Path, lang: &str) {
    let what = folder.display();
    crate::report_html::page(folder, folder, lang);
    let page = folder.join(format!("report-{lang}.html"));
    let drawn = render(browser, &page, 1000, 2400);
    assert_eq!(drawn.size, (1000, 2400));
    assert!(drawn.console.is_empty(), "{what} {lang}: the console says {:?}", drawn.console);
    let inked = drawn.inked();
    eprintln!("{what} {lang}: {:.1} % of the page is inked", inked * 100.0);
    assert!((0.02..0.6).contains(&inked), "{what} {lang}: {:.1} % of the page is inked", inked * 100.0);
    // The charts are drawn: the lower part of the page, below the sentences, has ink too.
    let lower = &drawn.grey[drawn.grey.len() / 2..];
    let lower_inked = lower.iter().filter(|g| **g < 250).count() as f64 / lower.len() as f64;
    assert!(lower_inked > 0.01, "{what} {lang}: the charts are blank ({:.2} %)", lower_inked * 100.0);
}
