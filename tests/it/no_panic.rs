//! Never a panic: random damage to a valid scenario gives either a valid model
//! that runs, or an error naming the file; the program never panics. Damage to its
//! numbers alone (nan, ±inf, overflow, negative, huge, zero, tiny) gives either an
//! error naming the file, or a model whose results are finite, conserve the cohort
//! and stay in range in both engines.

use crate::common::*;
use proptest::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use trappe::input::scenario::LoadedScenario;
use trappe::model::{COUNTERFACTUAL, Model, SCENARIO};
use trappe::schema::{MonthlyLayout, MonthlyMeasure};
use trappe::simulation::individual::simulate_replication;
use trappe::simulation::records::Replication;

const ODD_VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "1.0",
    "0.999999",
    "1e300",
    "-1e300",
    "nan",
    "inf",
    "-inf",
    "\"x\"",
    "[]",
    "{}",
    "{ dist = \"beta\", mean = 0.5, sd = 0.1 }",
    "{ dist = \"gamma\", mean = 1, sd = 5 }",
    "{ dist = \"triangular\", min = 1, mode = 0, max = 2 }",
    "\"2024-01\"",
    "\"1999-12\"",
    "4294967295",
    "true",
];

fn damage(text: &str, ops: &[(usize, usize, usize)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for &(op, at, val) in ops {
        if lines.is_empty() {
            break;
        }
        let i = at % lines.len();
        match op % 4 {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            _ => {
                if let Some((k, _)) = lines[i].split_once('=') {
                    lines[i] = format!("{k}= {}", ODD_VALUES[val % ODD_VALUES.len()]);
                }
            }
        }
    }
    lines.join("\n")
}

proptest! {
    // A fixed seed: the same 1,000 damaged files on every run, so CI is repeatable.
    #![proptest_config(ProptestConfig {
        cases: 1000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261123),
        .. ProptestConfig::default()
    })]

    #[test]
    fn damaged_scenarios_give_errors_or_run(ops in proptest::collection::vec((0usize..4, 0usize..10_000, 0usize..100), 1..6)) {
        let text = damage(&default_text(), &ops);
        match LoadedScenario::from_str("damaged.toml", &text) {
            Err(e) => prop_assert!(e.to_string().starts_with("damaged.toml"), "{}", e),
            Ok(sc) => match Model::from_scenario(&sc) {
                Err(e) => {
                    prop_assert!(!e.diagnostics().is_empty());
                    prop_assert!(e.to_string().starts_with("damaged.toml"), "{}", e);
                }
                Ok(m) => {
                    if m.total_size() * m.horizon as u64 <= 2_000_000 {
                        let c = trappe::simulation::count::simulate_replication(&m, &[SCENARIO, COUNTERFACTUAL], 1, 0);
                        prop_assert_eq!(c.arms.len(), 2);
                        let r = simulate_replication(&m, &[SCENARIO, COUNTERFACTUAL], 1, 0, 2);
                        let res = trappe::analysis::outcomes::summarise(&m, &[SCENARIO, COUNTERFACTUAL], &[r]);
                        let _ = trappe::report::terminal::summary(&m, &res, 1, 1, trappe::simulation::driver::Engine::Count);
                        let _ = trappe::report::describe::describe(&m);
                    }
                }
            },
        }
    }
}

/// What a number in the scenario is replaced by: values that are not finite, overflow,
/// are negative, huge, zero or tiny, and two distributions whose draws overflow.
const HOSTILE_NUMBERS: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "+inf",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "-1",
    "-0.5",
    "-1e-300",
    "0",
    "-0.0",
    "1e-300",
    "5e-324",
    "1e-9",
    "0.5",
    "0.999999",
    "1",
    "2",
    "1e6",
    "1e9",
    "1e12",
    "1.0000001e12",
    "1e13",
    "1e100",
    "9223372036854775807",
    "{ dist = \"lognormal\", mu = 1000, sigma = 1 }",
    "{ dist = \"gamma\", shape = 0.001, scale = 1e15 }",
];

/// The byte ranges of the numbers written as values in `text`: after `= ` outside
/// strings and comments (not year keys, which come before `=`).
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut in_string = false;
        let mut i = 0;
        let b = line.as_bytes();
        while i < b.len() {
            match b[i] {
                b'"' => in_string = !in_string,
                b'#' if !in_string => break,
                b'=' if !in_string => {
                    let mut j = i + 1;
                    while j < b.len() && b[j] == b' ' {
                        j += 1;
                    }
                    let start = j;
                    while j < b.len() && (b[j].is_ascii_digit() || b".-+eE_".contains(&b[j])) {
                        j += 1;
                    }
                    if j > start && b[start..j].iter().any(u8::is_ascii_digit) {
                        spans.push((line_start + start, line_start + j));
                    }
                    i = j;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        line_start += line.len();
    }
    debug_assert!(spans.iter().all(|&(a, b)| a < b && b <= bytes.len()));
    spans
}

/// `text` with the numbers chosen by `ops` (span, value) replaced.
fn mutate_numbers(text: &str, spans: &[(usize, usize)], ops: &[(usize, usize)]) -> String {
    let mut chosen: Vec<(usize, usize, &str)> = ops
        .iter()
        .map(|&(at, val)| {
            let (a, b) = spans[at % spans.len()];
            (a, b, HOSTILE_NUMBERS[val % HOSTILE_NUMBERS.len()])
        })
        .collect();
    chosen.sort_by_key(|c| std::cmp::Reverse(c.0));
    chosen.dedup_by_key(|c| c.0);
    let mut out = text.to_string();
    for (a, b, v) in chosen {
        out.replace_range(a..b, v);
    }
    out
}

/// Asserts that one replication's records are finite, conserve the cohort and stay in
/// range: every month's occupancies sum to the citizens entered so far, counts are
/// non-negative, shares lie in [0, 1], and every cash flow is finite. The caseload is
/// infinite by definition in a month without productive staff.
fn assert_sound(m: &Model, rep: &Replication, engine: &str) -> Result<(), TestCaseError> {
    let layout = MonthlyLayout::new(m);
    let caseload = layout.at(MonthlyMeasure::Caseload);
    for (a, arm) in rep.arms.iter().enumerate() {
        for (month, row) in arm.monthly.chunks(layout.width).enumerate() {
            let at = format!("{engine}, arm {a}, month {month}");
            for (c, v) in row.iter().enumerate() {
                prop_assert!(
                    v.is_finite() || (c == caseload && *v == f64::INFINITY),
                    "{at}: column {c} is {v}"
                );
                prop_assert!(*v >= 0.0, "{at}: column {c} is {v}");
            }
            let occupied: f64 = (0..m.states.len()).map(|s| row[layout.occupancy(s)]).sum();
            let entered = row[layout.at(MonthlyMeasure::Entered)];
            prop_assert_eq!(occupied, entered, "{}: occupancies do not sum to the cohort", at);
            for s in MonthlyMeasure::SHARES {
                if s != MonthlyMeasure::MeanBenefitDuration {
                    let v = row[layout.at(s)];
                    prop_assert!((0.0..=1.0).contains(&v), "{at}: {s:?} is {v}");
                }
            }
        }
        for (month, flows) in arm.flows.iter().enumerate() {
            prop_assert!(
                flows.iter().all(|v| v.is_finite()),
                "{engine}, arm {a}, month {}: {flows:?}",
                month + 1
            );
        }
    }
    Ok(())
}

/// One case of the number property: `Ok(true)` if the damaged scenario was refused
/// with an error naming the file, `Ok(false)` if it ran and its results are sound.
fn hostile_numbers_case(
    original: &str,
    spans: &[(usize, usize)],
    ops: &[(usize, usize)],
) -> Result<bool, TestCaseError> {
    let text = mutate_numbers(original, spans, ops);
    let model = match LoadedScenario::from_str("numbers.toml", &text) {
        Err(e) => Err(e),
        Ok(sc) => Model::from_scenario(&sc),
    };
    let m = match model {
        Err(e) => {
            prop_assert!(e.to_string().starts_with("numbers.toml:"), "{}", e);
            return Ok(true);
        }
        Ok(m) => m,
    };
    if m.total_size() * m.horizon as u64 <= 2_000_000 {
        let arms = [SCENARIO, COUNTERFACTUAL];
        let c = trappe::simulation::count::simulate_replication(&m, &arms, 1, 0);
        assert_sound(&m, &c, "count")?;
        let r = simulate_replication(&m, &arms, 1, 0, 0);
        assert_sound(&m, &r, "individual")?;
        let res = trappe::analysis::outcomes::summarise(&m, &arms, &[r]);
        for rep in &res.reps {
            for years in &rep.budget {
                prop_assert!(years.total.iter().all(|v| v.is_finite()), "{:?}", years.total);
            }
            prop_assert!(rep.effects.iter().all(|v| !v.is_infinite()), "{:?}", rep.effects);
        }
    }
    Ok(false)
}

/// Damage to the default scenario's numbers: 1 to 3 numbers at a time replaced by a
/// hostile value, 10,000 cases from a fixed seed. Prints how many cases were tried,
/// refused and ran (`cargo test --release hostile_numbers -- --nocapture`).
#[test]
fn hostile_numbers_give_errors_or_sound_results() {
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    let original = default_text();
    let spans = number_spans(&original);
    assert!(spans.len() > 50, "the default scenario has {} numbers", spans.len());
    let mut runner = TestRunner::new(Config {
        cases: 10_000,
        rng_seed: RngSeed::Fixed(20261203),
        failure_persistence: None,
        ..Config::default()
    });
    let (tried, refused) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let ops = proptest::collection::vec((0usize..10_000, 0usize..1_000), 1..4);
    runner
        .run(&ops, |ops| {
            tried.fetch_add(1, Ordering::Relaxed);
            if hostile_numbers_case(&original, &spans, &ops)? {
                refused.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (tried, refused) = (tried.into_inner(), refused.into_inner());
    println!(
        "number mutations: {tried} cases tried, {refused} refused with an error, {} ran",
        tried - refused
    );
    assert!(refused > 0 && tried > refused, "the property should exercise both outcomes");
}
