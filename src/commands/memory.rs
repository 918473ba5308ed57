//! Memory for many replications: every replication's outcomes (its row of
//! `replications.csv`, its monthly series for the bands of `monthly.csv`, its budget
//! years) are held until all are done, because the files need quantiles over all of
//! them. A run that would not fit is refused before simulating, with the estimate, the
//! memory available and the way out, instead of growing until the system kills it.

use crate::budget::Item;
use crate::model::{ARMS, Model};
use crate::schema::{Effect, MonthlyLayout, OutcomeLayout};
use crate::simulation::draws::parameter_keys;

/// Memory assumed available where the system does not say (no `/proc/meminfo`).
pub const FALLBACK_AVAILABLE: u64 = 16 << 30;

/// What a command does with the outcomes it holds, which sets how many copies of them
/// exist at the peak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holding {
    /// `trappe run`: the outcomes, then the summaries and files made from them.
    Run,
    /// `trappe run --shard` and `trappe merge`: the outcomes and their encoded bytes.
    Part,
}

/// Bytes held per replication of `model`: the outcome values, with the allocator's
/// overhead and the vectors' headers.
pub fn bytes_per_replication(model: &Model) -> u64 {
    let arms = ARMS.len();
    let horizon = model.horizon;
    let years = horizon / 12 + 2;
    let values = arms * OutcomeLayout::new(model).width
        + Effect::ALL.len()
        + arms * (years + 1) * Item::ALL.len()
        + horizon
        + parameter_keys(model).len()
        + 4
        + arms * (horizon + 1) * MonthlyLayout::new(model).width
        + arms * horizon;
    let vectors = 6 + 4 * arms;
    // An eighth more for the allocator's size classes.
    let bytes = (8 * values + 24 * vectors + 4 * years * arms) as u64;
    bytes + bytes / 8 + std::mem::size_of::<crate::analysis::outcomes::RepOutcomes>() as u64
}

/// The peak memory of holding `replications` replications of `model`. Measured on the
/// default scenario (20,000 and 40,000 replications): a run peaks at about 1.05 times
/// [`bytes_per_replication`] each, a shard at 2.6 times (outcomes, records and bytes)
/// and a merge at 1.9 times; the factors below leave a margin over those.
pub fn estimate(model: &Model, replications: u32, holding: Holding) -> u64 {
    // In quarters.
    let copies = match holding {
        Holding::Run => 5,
        Holding::Part => 12,
    };
    bytes_per_replication(model).saturating_mul(u64::from(replications)).saturating_mul(copies) / 4
}

/// Memory available to this process now: the system's available memory
/// (`MemAvailable` in `/proc/meminfo`), or less if a control group limits the process;
/// [`FALLBACK_AVAILABLE`] where the system does not say.
pub fn available() -> u64 {
    let system = std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| {
        let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib.saturating_mul(1024))
    });
    let read = |path: &str| std::fs::read_to_string(path).ok().and_then(|s| s.trim().parse::<u64>().ok());
    let group = read("/sys/fs/cgroup/memory.max")
        .map(|max| max.saturating_sub(read("/sys/fs/cgroup/memory.current").unwrap_or(0)));
    match (system, group) {
        (Some(s), Some(g)) => s.min(g),
        (Some(s), None) => s,
        (None, Some(g)) => g,
        (None, None) => FALLBACK_AVAILABLE,
    }
}

/// Refuses `replications` replications of `model` when holding their outcomes would
/// need more than the memory available. `what` says what was asked for, to begin the message.
pub fn check_fits(model: &Model, replications: u32, holding: Holding, what: &str) -> anyhow::Result<()> {
    check_fits_in(model, replications, holding, what, available())
}

/// [`check_fits`] against `limit` bytes.
pub fn check_fits_in(
    model: &Model,
    replications: u32,
    holding: Holding,
    what: &str,
    limit: u64,
) -> anyhow::Result<()> {
    let need = estimate(model, replications, holding);
    if need <= limit {
        return Ok(());
    }
    let per = estimate(model, 1, holding).max(1);
    let most = limit / per;
    anyhow::bail!(
        "{what}: holding the outcomes of {} replications until the result files are written needs about {} of memory ({} per replication), more than the {} available; run at most about {} replications here, or split the run with --shard I/N into parts that each fit and combine them with `trappe merge` on a machine with enough memory for all of them (docs/cluster.md)",
        thousands(u64::from(replications)),
        size(need),
        size(per),
        size(limit),
        thousands(most)
    )
}

/// A byte count for people: kB, MB, GB or TB (powers of 1000), three significant digits.
fn size(bytes: u64) -> String {
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} bytes"),
        _ if value < 10.0 => format!("{value:.2} {}", units[unit]),
        _ if value < 100.0 => format!("{value:.1} {}", units[unit]),
        _ => format!("{value:.0} {}", units[unit]),
    }
}

/// A whole number with thousands separated by commas.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_read_as_people_write_them() {
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(31_234), "31.2 kB");
        assert_eq!(size(6_100_000_000), "6.10 GB");
        assert_eq!(size(312_000_000_000_000), "312 TB");
        assert_eq!(thousands(1_000_000_000), "1,000,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
