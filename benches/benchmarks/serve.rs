//! `trappe serve`'s answers on the shipped Copenhagen scenario, 2 threads: the quick
//! answer the page shows first (100 replications) and the full answer it refines to
//! (the scenario's 1,000), each as the server computes it: checked settings, the
//! simulation, the result files written to a temporary folder and read back, the
//! figures, sentences and charts.

use criterion::Criterion;
use std::path::Path;
use std::time::Duration;
use trappe::report::lang::Lang;
use trappe::serve::{DEFAULT_QUICK, Server, ServerConfig};

const THREADS: usize = 2;

pub fn answers(c: &mut Criterion) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/copenhagen-2007-job-consultant-pool.toml");
    let source = std::fs::read_to_string(&path).expect("the Copenhagen scenario");
    let server = Server::new(ServerConfig {
        path: path.display().to_string(),
        source,
        lang: Lang::Da,
        replications: None,
        quick: DEFAULT_QUICK,
        seed: None,
        threads: THREADS,
    })
    .expect("the Copenhagen scenario is valid");
    let settings = vec!["staffing.hires[0].fte=30".to_string()];
    let mut g = c.benchmark_group("serve_answer");
    // One iteration is a whole answer (about 0.5 s and 4 s): criterion's minimum of 10
    // samples of one iteration each.
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    for (name, replications, seconds) in
        [("copenhagen_quick_100", DEFAULT_QUICK, 8), ("copenhagen_full_1000", 1000, 90)]
    {
        g.measurement_time(Duration::from_secs(seconds));
        g.bench_function(name, |b| {
            b.iter(|| server.answer_now(&settings, replications).expect("the answer"))
        });
    }
    g.finish();
}
