//! Never a panic: random damage to a valid scenario gives either a valid model
//! that runs, or an error naming the file; the program never panics.

use crate::common::*;
use proptest::prelude::*;
use trappe::input::scenario::LoadedScenario;
use trappe::model::{COUNTERFACTUAL, Model, SCENARIO};
use trappe::simulation::individual::simulate_replication;

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
