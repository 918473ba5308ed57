//! Headless Chromium for the tests of the HTML and PDF reports. CI installs Debian's
//! `chromium` (`.ci/run`) and sets `TRAPPE_REQUIRE_CHROMIUM=1`, so that there a missing
//! browser fails the tests; on a machine without one they say so and pass over it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser trappe prints with, or `None` (after saying so) where none is installed
/// and CI does not require one.
pub fn browser() -> Option<PathBuf> {
    match trappe::report::pdf::find_browser() {
        Ok(path) => Some(path),
        Err(e) if std::env::var_os("TRAPPE_REQUIRE_CHROMIUM").is_some() => {
            panic!("TRAPPE_REQUIRE_CHROMIUM is set and there is no browser: {e}")
        }
        Err(_) => {
            eprintln!(
                "no Chromium here: the browser test is passed over (install Debian's chromium to run it)"
            );
            None
        }
    }
}

/// A page as Chromium draws it: the screenshot's pixels and what the page wrote to the
/// console (a script error shows there too).
pub struct Rendered {
    /// The screenshot's pixels, as grey levels 0 (black) to 255 (white).
    pub grey: Vec<u8>,
    /// The screenshot's width and height.
    pub size: (u32, u32),
    /// The console's messages, one a line.
    pub console: Vec<String>,
}

impl Rendered {
    /// The share of pixels that are not white.
    pub fn inked(&self) -> f64 {
        let inked = self.grey.iter().filter(|g| **g < 250).count();
        inked as f64 / self.grey.len().max(1) as f64
    }
}

/// `page` drawn by `browser` headless, offline, at `width` × `height` pixels.
pub fn render(browser: &Path, page: &Path, width: u32, height: u32) -> Rendered {
    let work = tempfile::tempdir().unwrap();
    let png = work.path().join("page.png");
    let page = page.canonicalize().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", work.path().join("profile").display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("start the browser");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && png.exists(), "the browser drew nothing: {said}");
    let console = said.lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(frame.bit_depth, png::BitDepth::Eight, "the screenshot's depth");
    let channels = frame.color_type.samples();
    let grey = buffer[..frame.buffer_size()]
        .chunks(channels)
        .map(|px| {
            let rgb = &px[..channels.min(3)];
            (rgb.iter().map(|v| u32::from(*v)).sum::<u32>() / rgb.len() as u32) as u8
        })
        .collect();
    Rendered { grey, size: (frame.width, frame.height), console }
}
