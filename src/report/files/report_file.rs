//! The names of the report files a results folder may hold besides the files its
//! manifest lists: `trappe report` (or `--report`) writes them into the folder after the
//! command that made it, so `--force` may replace a folder that holds them.

/// The stems of a report's file: `report` in English, `rapport` in Danish.
pub const REPORT_STEMS: [&str; 2] = ["report", "rapport"];

/// The extensions of a report's file, one per format (`--format`).
pub const REPORT_EXTENSIONS: [&str; 3] = ["xlsx", "html", "pdf"];

/// Whether `name` is the name of a report file trappe writes into a results folder
/// by default (`report.xlsx`, `rapport.html`, …).
pub fn is_report_file(name: &str) -> bool {
    name.split_once('.').is_some_and(|(stem, extension)| {
        REPORT_STEMS.contains(&stem) && REPORT_EXTENSIONS.contains(&extension)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_are_recognised() {
        assert!(is_report_file("report.xlsx"));
        assert!(is_report_file("rapport.pdf"));
        assert!(!is_report_file("report.xlsx.tmp"));
        assert!(!is_report_file("notes.xlsx"));
    }
}
