//! Engine benchmarks. Run with `cargo bench --bench bench_main`;
//! see docs/benchmarks.md for the figures and how to read them.

use criterion::criterion_main;

/// The allocator `trappe` itself uses (src/main.rs), so the benchmarks time what the
/// command runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod benchmarks;

criterion::criterion_group!(
    name = replication;
    config = criterion::Criterion::default();
    targets = benchmarks::engine::individual_engine
);
criterion::criterion_group!(
    name = count;
    config = criterion::Criterion::default();
    targets = benchmarks::engine::count_engine
);
criterion::criterion_group!(
    name = simulate;
    config = criterion::Criterion::default();
    targets = benchmarks::simulate::simulate_100
);

criterion::criterion_group!(
    name = target;
    config = criterion::Criterion::default();
    targets = benchmarks::target::target_runs
);

criterion::criterion_group!(
    name = speed_targets;
    config = criterion::Criterion::default();
    targets = benchmarks::sweep::sweep_and_two_level
);
criterion::criterion_group!(
    name = speed_targets_cpu;
    config = criterion::Criterion::default().with_measurement(benchmarks::cpu_time::CpuTime);
    targets = benchmarks::sweep::sweep_and_two_level_cpu
);

criterion::criterion_group!(
    name = speed_targets_sensitivity;
    config = criterion::Criterion::default();
    targets = benchmarks::sensitivity::sensitivity_against_run
);
criterion::criterion_group!(
    name = speed_targets_sensitivity_cpu;
    config = criterion::Criterion::default().with_measurement(benchmarks::cpu_time::CpuTime);
    targets = benchmarks::sensitivity::sensitivity_against_run_cpu
);

criterion::criterion_group!(
    name = serve;
    config = criterion::Criterion::default();
    targets = benchmarks::serve::answers
);

criterion::criterion_group!(
    name = bare;
    config = criterion::Criterion::default();
    targets = benchmarks::bare::bare_loop
);

criterion_main!(
    replication,
    count,
    simulate,
    target,
    speed_targets,
    speed_targets_cpu,
    speed_targets_sensitivity,
    speed_targets_sensitivity_cpu,
    serve,
    bare
);
