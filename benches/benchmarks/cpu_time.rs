//! A criterion measurement of the CPU time the process spends (user and system, all
//! threads), for comparing commands on a machine shared with other work: wall time
//! there depends on how many cores the others leave free, CPU time much less.

use criterion::Throughput;
use criterion::measurement::{Measurement, ValueFormatter};

/// Clock ticks per second of `/proc/<pid>/stat` (Linux's USER_HZ, 100 on every platform).
const TICKS_PER_SECOND: f64 = 100.0;

/// The CPU time of this process so far, in seconds, from `/proc/self/stat` (0 where it
/// cannot be read, as on systems without `/proc`).
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // The fields after the command name (which may hold spaces) in parentheses: the
    // state is the first, utime the 12th and stime the 13th.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / TICKS_PER_SECOND
}

/// Process CPU time (user + system, every thread), resolution 10 ms: use it for
/// iterations of a second or more.
pub struct CpuTime;

impl Measurement for CpuTime {
    type Intermediate = f64;
    type Value = f64;

    fn start(&self) -> f64 {
        process_cpu_seconds()
    }
    fn end(&self, start: f64) -> f64 {
        process_cpu_seconds() - start
    }
    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }
    fn zero(&self) -> f64 {
        0.0
    }
    /// In nanoseconds, as criterion's wall time.
    fn to_f64(&self, seconds: &f64) -> f64 {
        seconds * 1e9
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuSeconds
    }
}

/// Writes CPU time in milliseconds or seconds.
struct CpuSeconds;

impl ValueFormatter for CpuSeconds {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical_ns < 1e9 { (1e-6, "ms CPU") } else { (1e-9, "s CPU") };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(&self, _typical: f64, throughput: &Throughput, values: &mut [f64]) -> &'static str {
        let n = match *throughput {
            Throughput::Elements(n)
            | Throughput::Bytes(n)
            | Throughput::BytesDecimal(n)
            | Throughput::Bits(n) => n,
            Throughput::ElementsAndBytes { elements, .. } => elements,
        };
        values.iter_mut().for_each(|v| *v = n as f64 / (*v * 1e-9));
        "per CPU second"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}
