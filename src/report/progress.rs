//! The progress display of long commands, on standard error.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A progress display on standard error, hidden unless `enabled` and standard error is
/// a terminal (so that logs and pipes get no control characters). With a length, a bar
/// counting `what` with the time left, e.g. `120/1000 replications`; without, a
/// spinner showing its message (set with [`ProgressBar::set_message`]) after `what`.
pub fn progress_bar(len: Option<u64>, what: &str, enabled: bool) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    let style = match len {
        Some(_) => ProgressStyle::with_template(&format!(
            "{{spinner}} {{bar:40}} {{pos}}/{{len}} {what}  {{elapsed}} elapsed, {{eta}} left"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
        None => ProgressStyle::with_template(&format!("{{spinner}} {what}{{msg}}  {{elapsed}}"))
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    };
    bar.set_style(style);
    bar
}
