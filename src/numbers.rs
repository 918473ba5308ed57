//! How numbers are written, one function per kind of output.
//!
//! * Result files (CSV): [`csv_number`] and [`push_csv_number`], exact to six decimals
//!   so the files can be read back and compared byte for byte. This is the standard
//!   dialect's form; the file's writer gives a number another dialect's decimal
//!   separator ([`crate::report::files::csv_file::Cell`]).
//! * Text for people (`trappe check`, messages about a scenario or observed figures,
//!   the calibration report): [`fmt_num`] for numbers as written in a scenario, and
//!   [`fmt_sig`] (with [`round_sig`]) for fitted figures at a few significant digits.
//! * The terminal summary of a run: [`dkk`] for amounts with thousands separators,
//!   [`percent`] and [`percentage_points`] for shares and their differences, and
//!   [`fixed`] and [`signed_fixed`] for counts and ratios at a set number of decimals.
//!   Each writes `n/a` for an undefined value.

/// A number in a CSV result file: empty for undefined, at most 6 decimals, no trailing
/// zeros. The text is `format!("{:.6}")`'s with trailing zeros cut and "-0" written "0";
/// most values take a faster exact route through an integer (a test checks that they
/// agree), since result files hold hundreds of thousands of numbers.
pub fn csv_number(v: f64) -> String {
    let mut s = String::new();
    push_csv_number(&mut s, v);
    s
}

/// Appends [`csv_number`]`(v)` to `s`, without allocating for most values.
pub fn push_csv_number(s: &mut String, v: f64) {
    if !push_csv_number_by_integer(s, v) {
        s.push_str(&csv_number_by_format(v));
    }
}

/// [`csv_number`] by its definition, `format!("{:.6}")`.
fn csv_number_by_format(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let s = format!("{:.6}", v);
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".into() } else { s }
}

/// Appends [`csv_number`]`(v)` to `s` from the integer nearest to |v| × 10⁶, when that
/// is certainly the integer `format!("{:.6}")` rounds to; otherwise appends nothing and
/// returns false. With |v| < 10⁹ the product y is below 2⁵³, its fraction is exact,
/// and y is within y·2⁻⁵³ of the exact product; if that fraction is further than
/// y·2⁻⁵¹ from one half, the exact product is not a tie and rounds the same way.
fn push_csv_number_by_integer(s: &mut String, v: f64) -> bool {
    let a = v.abs();
    if a.is_nan() || a >= 1e9 {
        return false;
    }
    let y = a * 1e6;
    let whole = y.floor();
    let frac = y - whole;
    if (frac - 0.5).abs() <= y * f64::EPSILON * 2.0 {
        return false;
    }
    let millionths = whole as u64 + u64::from(frac > 0.5);
    // A value that rounds to zero is written "0", never "-0".
    if v < 0.0 && millionths != 0 {
        s.push('-');
    }
    let (int, decimals) = (millionths / 1_000_000, millionths % 1_000_000);
    // Written from the last character: the integer part has at most 10 digits.
    let mut text = [0u8; 17];
    let mut at = text.len();
    if decimals != 0 {
        // The decimals without trailing zeros, after a point.
        let (mut d, mut places) = (decimals, 6);
        while d % 10 == 0 {
            d /= 10;
            places -= 1;
        }
        for _ in 0..places {
            at -= 1;
            text[at] = b'0' + (d % 10) as u8;
            d /= 10;
        }
        at -= 1;
        text[at] = b'.';
    }
    let mut i = int;
    loop {
        at -= 1;
        text[at] = b'0' + (i % 10) as u8;
        i /= 10;
        if i == 0 {
            break;
        }
    }
    s.push_str(std::str::from_utf8(&text[at..]).expect("ASCII digits"));
    true
}

/// A number for people, compact as it would be written in a scenario file: whole
/// numbers without decimals, others with up to 6 decimals and no trailing zeros.
/// Used by `trappe check`, by messages about scenario and observed values, and by the
/// calibration report.
pub fn fmt_num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let s = format!("{:.6}", v);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `v` rounded to `digits` significant digits: the fitted numbers written into a
/// calibrated scenario, and the figures of the calibration report.
pub fn round_sig(v: f64, digits: usize) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{:.*e}", digits.saturating_sub(1), v).parse().unwrap_or(v)
}

/// [`fmt_num`] of `v` rounded to `digits` significant digits, for the calibration
/// report and the provenance comments of a calibrated scenario.
pub fn fmt_sig(v: f64, digits: usize) -> String {
    fmt_num(round_sig(v, digits))
}

/// An amount in DKK for the terminal, whole kroner with thousands separators, e.g.
/// `-1,706,574`; `n/a` if undefined.
pub fn dkk(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && out != "0" { format!("-{out}") } else { out }
}

/// A share for the terminal as a percentage with one decimal, e.g. `41.3 %`; `n/a` if
/// undefined.
pub fn percent(v: f64) -> String {
    if v.is_finite() { format!("{:.1} %", v * 100.0) } else { "n/a".into() }
}

/// A difference of shares for the terminal in signed percentage points with one
/// decimal, e.g. `+2.4 pp`; `n/a` if undefined.
pub fn percentage_points(v: f64) -> String {
    if v.is_finite() { format!("{:+.1} pp", v * 100.0) } else { "n/a".into() }
}

/// A number for the terminal with `digits` decimals, e.g. `1.25`; `n/a` if undefined.
pub fn fixed(v: f64, digits: usize) -> String {
    if v.is_finite() { format!("{v:.digits$}") } else { "n/a".into() }
}

/// A difference for the terminal with its sign and `digits` decimals, e.g. `+0.8`;
/// `n/a` if undefined.
pub fn signed_fixed(v: f64, digits: usize) -> String {
    if v.is_finite() { format!("{v:+.digits$}") } else { "n/a".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The integer route writes exactly what `format!("{:.6}")` writes: over wide ranges
    /// of magnitudes, integers, values next to the half-millionths where rounding turns
    /// and halves that are exact ties, both signs, and undefined values.
    #[test]
    fn csv_number_matches_format() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261123);
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            2.5e-6,
            5e-7,
            -5e-7,
            1.5e-6,
            0.0000005,
            999_999_999.999_999_5,
            1e9,
            -1e9,
            1e15,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.1,
            0.2,
            0.3,
            1.0 / 3.0,
            2.0 / 3.0,
            123_456.789_012_5,
        ];
        for _ in 0..400_000 {
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            let v = match rng.random_range(0..6) {
                // Any magnitude from 1e-9 to 1e11.
                0 => rng.random::<f64>() * 10f64.powi(rng.random_range(-9..12)),
                // Integers.
                1 => rng.random_range(0..10_000_000) as f64,
                // Half-millionths (ties when exact) and their neighbours.
                2 => {
                    let t = (rng.random_range(0..2_000_000_000u64) as f64 + 0.5) / 1e6;
                    match rng.random_range(0..3) {
                        0 => t,
                        1 => t.next_up(),
                        _ => t.next_down(),
                    }
                }
                // Multiples of 2^-k: for k ≥ 7 some are exact ties at the sixth decimal.
                3 => rng.random_range(0..1_000_000) as f64 / 2f64.powi(rng.random_range(1..24)),
                // Shares.
                4 => rng.random_range(0..1000) as f64 / rng.random_range(1..1000) as f64,
                // Arbitrary bits of finite numbers in a useful range.
                _ => {
                    let v = f64::from_bits(rng.random::<u64>());
                    if v.is_finite() && v.abs() < 1e10 { v } else { 1.0 }
                }
            };
            values.push(sign * v);
        }
        let mut fast = 0;
        for v in values {
            assert_eq!(csv_number(v), csv_number_by_format(v), "{v:e} ({:#x})", v.to_bits());
            fast += push_csv_number_by_integer(&mut String::new(), v) as usize;
        }
        assert!(fast > 300_000, "the integer route took {fast} values");
    }

    /// Amounts carry a separator every three digits and never print "-0".
    #[test]
    fn dkk_groups_thousands() {
        assert_eq!(dkk(-1_706_574.4), "-1,706,574");
        assert_eq!(dkk(999.0), "999");
        assert_eq!(dkk(1000.0), "1,000");
        assert_eq!(dkk(-0.3), "0");
        assert_eq!(dkk(f64::NAN), "n/a");
    }
}
