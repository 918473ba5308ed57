//! The `trappe` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc rather than the system allocator: a replication builds and drops many small
/// vectors, and with two or more worker threads glibc's allocator costs about 4 % of a
/// Copenhagen-size run's CPU time (docs/benchmarks.md).
/// The most worker threads a command starts: far above any machine's useful number,
/// and low enough that a mistyped `-j` is refused rather than starting a thread each.
const MAX_THREADS: i64 = 256;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// trappe: Monte Carlo model of municipal employment budgets and staffing.
///
/// Simulates a cohort of citizens on cash benefit month by month through the
/// staircase, with and without a scenario's extra staff and grants, and
/// reports employment outcomes and budget effects with their uncertainty.
#[derive(Parser, Debug)]
#[command(name = "trappe", version, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The options `run`, `compare`, `sweep` and `sensitivity` share: the run's sizes and seed,
/// where the results go and in which CSV dialect, the worker threads, strictness, `--set`
/// values and the language of the summary.
#[derive(clap::Args, Debug)]
struct SimulationArgs {
    /// Number of replications (overrides [simulation] replications; compare: the first
    /// file's; sweep: per level).
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..))]
    replications: Option<u32>,
    /// Cohorts simulated per outer draw of the parameters (overrides [simulation]
    /// inner_replications); --replications must be a multiple of it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    inner: Option<u32>,
    /// Random seed (overrides [simulation] seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder [default: run: results/<scenario file name>; compare:
    /// results/compare-<file and variant names>; sweep: results/<scenario file name>.sweep].
    #[arg(long, short = 'o')]
    out: Option<PathBuf>,
    /// Replace the output folder if it exists.
    #[arg(long)]
    force: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Worker threads, 1 to 256 [default: all cores]; results do not depend on it.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS))]
    threads: Option<u32>,
    /// Treat plausibility warnings (e.g. a staff cost of 600 DKK a year) as errors:
    /// exit 2 without simulating.
    #[arg(long)]
    strict: bool,
    /// Give a key of the scenario file this value instead of the file's (compare: in
    /// every option; sweep: at every level), e.g. `--set staffing.hires[0].fte=3` or
    /// `--set 'scenario.start="2020-01"'` (text in double quotes); repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    #[command(flatten)]
    csv: CsvArgs,
    #[command(flatten)]
    lang: LangArgs,
    #[command(flatten)]
    report: ReportArgs,
}

/// The options that write a report of the results folder once it is written, as
/// `trappe report` does, in the language of `--lang`.
#[derive(clap::Args, Debug)]
struct ReportArgs {
    /// Also write a report of the results into the folder, in these formats
    /// (comma-separated; `xlsx`: a workbook; `html`: a web page with the charts; `pdf`:
    /// that page printed by Chromium), as `trappe report` does, in the language of
    /// --lang.
    #[arg(long = "report", value_name = "FORMATS", value_delimiter = ',')]
    formats: Vec<trappe::commands::report::ReportFormat>,
}

/// The option of every command that prints a summary of results for people.
#[derive(clap::Args, Debug)]
struct LangArgs {
    /// The language of the summary printed on the terminal (and of a --report): `en`
    /// (English) or `da` (Danish, with Danish number formats: 1.234.567 kr., 38,2 %).
    /// Errors and warnings stay in English, and the result files are the same in either.
    #[arg(long = "lang", value_name = "LANG", default_value = "en")]
    lang: trappe::report::lang::Lang,
}

/// The option of every command that writes CSV files.
#[derive(clap::Args, Debug)]
struct CsvArgs {
    /// How the CSV files are written: `standard` (commas, decimal point) or `excel-da`
    /// for Excel with Danish settings (semicolons, decimal comma in numbers, UTF-8 with BOM).
    #[arg(long = "csv-dialect", value_name = "DIALECT", default_value = "standard")]
    dialect: trappe::report::files::csv_dialect::CsvDialect,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate a scenario and its counterfactual; write results to a folder.
    Run {
        /// The scenario file (TOML), e.g. scenarios/staircase-default.toml.
        scenario: PathBuf,
        #[command(flatten)]
        sim: SimulationArgs,
        /// Write this many sampled individual paths to trajectories.csv.
        #[arg(long, default_value_t = 0)]
        trajectories: usize,
        /// Run only shard I of N (e.g. 2/3) and write a partial result, to be combined with
        /// `trappe merge` [default output: results/<scenario file name>.part-I-of-N].
        #[arg(long, value_name = "I/N")]
        shard: Option<trappe::report::part::Shard>,
        /// The engine [default: count, or individual with --trajectories]: `count` moves
        /// groups of interchangeable citizens by binomial draws (fast, the same outcomes in
        /// distribution); `individual` follows every citizen (the reference, and the only
        /// one with --trajectories).
        #[arg(long, value_enum)]
        engine: Option<EngineArg>,
    },
    /// Simulate options (scenario files that differ only in hires and grants) side by
    /// side against their one shared baseline, on the same cohort and random numbers.
    Compare {
        /// The options' scenario files (TOML), e.g. plus3.toml plus5.toml.
        #[arg(required = true, value_name = "SCENARIOS")]
        options: Vec<PathBuf>,
        /// A further option made from the first file with one value changed, e.g.
        /// `--variant 'plus3:staffing.hires[0].fte=3'`; repeat a name to change more values.
        #[arg(long = "variant", value_name = "NAME:PATH=VALUE")]
        variant: Vec<String>,
        #[command(flatten)]
        sim: SimulationArgs,
    },
    /// Run a scenario at a range of values of one key (or a grid of two), every level on
    /// the same cohorts and random numbers; write the levels' figures to a folder.
    Sweep {
        /// The scenario file (TOML), e.g. scenarios/staircase-default.toml.
        scenario: PathBuf,
        /// The key and its levels, e.g. `staffing.hires[0].fte=0..6:1` (0, 1, …, 6);
        /// twice for a grid of two keys.
        #[arg(long, value_name = "PATH=FROM..TO:STEP", required = true)]
        vary: Vec<String>,
        #[command(flatten)]
        sim: SimulationArgs,
        /// The probability of meeting a target that the smallest level meeting it must reach.
        #[arg(long, default_value_t = trappe::commands::sweep::DEFAULT_TARGET_PROBABILITY, value_name = "P")]
        target_probability: f64,
        /// The engine: `count` (fast) or `individual` (every citizen; the reference).
        #[arg(long, value_enum, default_value = "count")]
        engine: EngineArg,
    },
    /// Which assumption matters: a tornado of every uncertain parameter, the value of
    /// information and the acceptability curves; with --threshold the value of a key at
    /// which an option breaks even, with --grid a two-way table.
    Sensitivity {
        /// The scenario file (TOML), or several options sharing one baseline as `compare`
        /// takes them.
        #[arg(required = true, value_name = "SCENARIOS")]
        options: Vec<PathBuf>,
        /// A further option made from the first file with one value changed, as in `compare`.
        #[arg(long = "variant", value_name = "NAME:PATH=VALUE")]
        variant: Vec<String>,
        /// Uncertain parameters moved and valued together, e.g. `wider=budget.wider.*`
        /// (a key ending in * takes every key it starts); repeatable.
        #[arg(long = "group", value_name = "NAME=KEY,KEY")]
        group: Vec<String>,
        /// Find the value of a key at which each option breaks even and each target is met
        /// with --target-probability: an uncertain parameter (searched from its 1st to its
        /// 99th percentile) or a number of the file with its range, e.g.
        /// `staffing.hires[0].fte=0..10` [default key: staffing.elasticity].
        #[arg(long, value_name = "PATH[=FROM..TO]", num_args = 0..=1, default_missing_value = "staffing.elasticity")]
        threshold: Option<String>,
        /// A two-way table of two keys: an uncertain parameter at its 5th, 25th, 50th, 75th
        /// and 95th percentiles, or `PATH=FROM..TO:STEP`.
        #[arg(long, num_args = 2, value_name = "PATH[=FROM..TO:STEP]")]
        grid: Vec<String>,
        /// Replications per level of the one-way sensitivity, threshold and grid (the
        /// parameters fixed, so only chance varies) [default: from 50, doubling until
        /// every swing's Monte Carlo error is within 10 % of the widest, at most -n].
        #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
        level_replications: Option<u32>,
        #[command(flatten)]
        sim: SimulationArgs,
        /// The probability of meeting a target that --threshold looks for.
        #[arg(long, default_value_t = trappe::commands::sweep::DEFAULT_TARGET_PROBABILITY, value_name = "P")]
        target_probability: f64,
        /// The engine of a single scenario: `count` (fast) or `individual` (every citizen);
        /// several options always use the individual engine.
        #[arg(long, value_enum, default_value = "count")]
        engine: EngineArg,
    },
    /// Write a report of a results folder (of run, compare, sweep or sensitivity) for
    /// people: a workbook with the summary, budget years, monthly figures, targets and
    /// the assumptions, or a web page with the sentences and charts, in English or Danish.
    Report {
        /// The results folder, e.g. results/staircase-default.
        #[arg(value_name = "RESULTS_DIR")]
        folder: PathBuf,
        /// The formats, comma-separated: `xlsx` (a workbook), `html` (a web page with the
        /// charts), `pdf` (that page printed by Chromium).
        #[arg(long, value_name = "FORMATS", value_delimiter = ',', default_value = "xlsx")]
        format: Vec<trappe::commands::report::ReportFormat>,
        /// The language of the report: `en` (English) or `da` (Danish).
        #[arg(long, value_name = "LANG", default_value = "en")]
        lang: trappe::report::lang::Lang,
        /// The report file [default: report.xlsx in the folder; rapport.xlsx in Danish].
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Replace the report file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Combine the partial results of `trappe run --shard I/N` into the results of one run.
    Merge {
        /// The part folders, one per shard, in any order (e.g. parts/*).
        #[arg(required = true, value_name = "PARTS")]
        parts: Vec<PathBuf>,
        /// Output folder [default: results/<scenario file name>].
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Replace the output folder if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        csv: CsvArgs,
        #[command(flatten)]
        lang: LangArgs,
    },
    /// Fit the parameters marked `calibrate` to observed figures; write the calibrated scenario.
    Calibrate {
        /// The scenario file (TOML) with parameters marked `calibrate = true`.
        scenario: PathBuf,
        /// Observed figures: CSV with columns metric, month, segment, value[, se][, fit].
        #[arg(long)]
        observed: PathBuf,
        /// Calibrated scenario to write [default: <scenario stem>.calibrated.toml beside it].
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
        /// Replications per evaluation (the same ones every time: common random numbers).
        #[arg(long, short = 'n', default_value_t = trappe::commands::calibrate::DEFAULT_REPLICATIONS,
              value_parser = clap::value_parser!(u32).range(2..))]
        replications: u32,
        /// Random seed (overrides [simulation] seed).
        #[arg(long)]
        seed: Option<u64>,
        /// The arm whose outcomes are fitted: the counterfactual (history without the
        /// scenario's extra staff) or the scenario.
        #[arg(long, value_enum, default_value_t = ArmArg::Counterfactual)]
        arm: ArmArg,
        /// Most objective evaluations (each simulates all replications).
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..))]
        max_evaluations: u32,
        /// Worker threads, 1 to 256 [default: all cores]; results do not depend on it.
        #[arg(long, short = 'j', value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS))]
        threads: Option<u32>,
        /// No progress display.
        #[arg(long, short = 'q')]
        quiet: bool,
        /// Treat plausibility warnings (e.g. a staff cost of 600 DKK a year) as errors:
        /// exit 2 without simulating.
        #[arg(long)]
        strict: bool,
    },
    /// Start a local web page for a budget negotiation: the scenario's levers (hires,
    /// grants, elasticity, staff cost, any key) and beside them the answer, compared with
    /// the scenario as loaded and with saved options. Prints the page's address.
    Serve {
        /// The scenario file (TOML), e.g. scenarios/copenhagen-2007-job-consultant-pool.toml.
        scenario: PathBuf,
        /// The port to listen on (0: any free port).
        #[arg(long, default_value_t = trappe::commands::serve::DEFAULT_PORT)]
        port: u16,
        /// The language of the page: `en` (English) or `da` (Danish).
        #[arg(long, value_name = "LANG", default_value = "en")]
        lang: trappe::report::lang::Lang,
        /// Listen on this address instead of 127.0.0.1 (this machine only), e.g. 0.0.0.0;
        /// the page has no login, so anyone who reaches the address can use it.
        #[arg(long, value_name = "ADDR")]
        bind: Option<std::net::IpAddr>,
        /// Replications of a full answer [default: the scenario's].
        #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..=100_000))]
        replications: Option<u32>,
        /// Replications of the quick first answer [default: 100, at most the full size].
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        quick: Option<u32>,
        /// Random seed (overrides [simulation] seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads, 1 to 256 [default: all cores]; results do not depend on it.
        #[arg(long, short = 'j', value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS))]
        threads: Option<u32>,
    },
    /// Validate a scenario and print the resolved model.
    Check {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Treat plausibility warnings (e.g. a staff cost of 600 DKK a year) as errors:
        /// exit 2 without simulating.
        #[arg(long)]
        strict: bool,
        /// Print only the sources of the uncertain parameters (value, source, grade),
        /// not the whole model.
        #[arg(long)]
        sources: bool,
        /// Give a key of the scenario file this value instead of the file's, e.g.
        /// `--set staffing.hires[0].fte=3` or `--set 'simulation.start="2020-01"'`
        /// (text in double quotes); repeatable.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
}

/// The engine of `trappe run`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum EngineArg {
    /// Every citizen one by one (the reference).
    Individual,
    /// Counts per group of interchangeable citizens.
    Count,
}

impl From<EngineArg> for trappe::simulation::driver::Engine {
    fn from(e: EngineArg) -> Self {
        match e {
            EngineArg::Individual => trappe::simulation::driver::Engine::Individual,
            EngineArg::Count => trappe::simulation::driver::Engine::Count,
        }
    }
}

/// The arm `trappe calibrate` fits.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ArmArg {
    /// Without the scenario's extra staff and grants.
    Counterfactual,
    /// With them.
    Scenario,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `trappe file.toml`: a scenario file given where the command belongs.
            if e.kind() == clap::error::ErrorKind::InvalidSubcommand
                && let Some(first) = std::env::args_os().nth(1)
                && first.to_string_lossy().ends_with(".toml")
            {
                eprintln!(
                    "error: `{}` is a file, not a command; to simulate it: trappe run {}\n(to check it: trappe check {})",
                    first.to_string_lossy(),
                    first.to_string_lossy(),
                    first.to_string_lossy()
                );
                return ExitCode::from(2);
            }
            e.exit()
        }
    };
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`trappe check x | head`) is not an error.
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", error_text(&e));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes on one line, each cause once: a message that already
/// quotes its cause (as most of trappe's do) is not followed by it a second time.
fn error_text(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

fn execute(cli: Cli) -> anyhow::Result<()> {
    use std::io::Write;
    match cli.command {
        Command::Run {
            scenario,
            trajectories,
            shard,
            engine,
            sim:
                SimulationArgs {
                    replications,
                    inner,
                    seed,
                    out,
                    force,
                    quiet,
                    threads,
                    strict,
                    set,
                    csv,
                    lang,
                    report: report_args,
                },
        } => {
            trappe::commands::report::check_formats(&report_args.formats)?;
            anyhow::ensure!(
                shard.is_none() || report_args.formats.is_empty(),
                "--report writes a report of a whole run, and a partial result (--shard) is part of one: give \
                 --report to nothing here, and run `trappe report` on the folder `trappe merge` writes"
            );
            let out = out.unwrap_or_else(|| trappe::commands::run::default_run_out(&scenario, shard));
            let cfg = trappe::commands::run::RunConfig {
                scenario,
                replications,
                inner,
                seed,
                out,
                force,
                threads: threads.map(|t| t as usize),
                trajectories,
                progress: !quiet,
                shard,
                engine: trappe::commands::run::choose_engine(engine.map(Into::into), trajectories),
                strict,
                settings: set,
                csv_dialect: csv.dialect,
                lang: lang.lang,
            };
            let report = trappe::commands::run::run(&cfg)?;
            print_report(&report, lang.lang)?;
            write_reports(&report.out, &report_args, lang.lang)?;
        }
        Command::Compare {
            options,
            variant,
            sim:
                SimulationArgs {
                    replications,
                    inner,
                    seed,
                    out,
                    force,
                    quiet,
                    threads,
                    strict,
                    set,
                    csv,
                    lang,
                    report: report_args,
                },
        } => {
            trappe::commands::report::check_formats(&report_args.formats)?;
            let out =
                out.unwrap_or_else(|| trappe::commands::compare::default_compare_out(&options, &variant));
            let report = trappe::commands::compare::compare(&trappe::commands::compare::CompareConfig {
                options,
                variants: variant,
                replications,
                inner,
                seed,
                out,
                force,
                threads: threads.map(|t| t as usize),
                progress: !quiet,
                strict,
                settings: set,
                csv_dialect: csv.dialect,
                lang: lang.lang,
            })?;
            let mut stdout = std::io::stdout().lock();
            write!(stdout, "{}", report.summary)?;
            writeln!(
                stdout,
                "\n{}",
                trappe::report::words::results_in(lang.lang, false, &report.out, &report.files)
            )?;
            drop(stdout);
            write_reports(&report.out, &report_args, lang.lang)?;
        }
        Command::Sweep {
            scenario,
            vary,
            target_probability,
            engine,
            sim:
                SimulationArgs {
                    replications,
                    inner,
                    seed,
                    out,
                    force,
                    quiet,
                    threads,
                    strict,
                    set,
                    csv,
                    lang,
                    report: report_args,
                },
        } => {
            trappe::commands::report::check_formats(&report_args.formats)?;
            let out = out.unwrap_or_else(|| trappe::commands::sweep::default_sweep_out(&scenario));
            let report = trappe::commands::sweep::sweep(&trappe::commands::sweep::SweepConfig {
                scenario,
                vary,
                replications,
                inner,
                seed,
                out,
                force,
                threads: threads.map(|t| t as usize),
                progress: !quiet,
                engine: engine.into(),
                strict,
                settings: set,
                target_probability,
                csv_dialect: csv.dialect,
                lang: lang.lang,
            })?;
            let mut stdout = std::io::stdout().lock();
            write!(stdout, "{}", report.summary)?;
            writeln!(
                stdout,
                "\n{}",
                trappe::report::words::results_in(lang.lang, false, &report.out, &report.files)
            )?;
            drop(stdout);
            write_reports(&report.out, &report_args, lang.lang)?;
        }
        Command::Sensitivity {
            options,
            variant,
            group,
            threshold,
            grid,
            level_replications,
            target_probability,
            engine,
            sim:
                SimulationArgs {
                    replications,
                    inner,
                    seed,
                    out,
                    force,
                    quiet,
                    threads,
                    strict,
                    set,
                    csv,
                    lang,
                    report: report_args,
                },
        } => {
            trappe::commands::report::check_formats(&report_args.formats)?;
            let out = out.unwrap_or_else(|| {
                trappe::commands::sensitivity::default_sensitivity_out(&options, &variant)
            });
            let report = trappe::commands::sensitivity::sensitivity(
                &trappe::commands::sensitivity::SensitivityConfig {
                    options,
                    variants: variant,
                    groups: group,
                    threshold,
                    grid,
                    replications,
                    inner,
                    level_replications,
                    seed,
                    out,
                    force,
                    threads: threads.map(|t| t as usize),
                    progress: !quiet,
                    strict,
                    settings: set,
                    engine: engine.into(),
                    target_probability,
                    csv_dialect: csv.dialect,
                    lang: lang.lang,
                },
            )?;
            let mut stdout = std::io::stdout().lock();
            write!(stdout, "{}", report.summary)?;
            writeln!(
                stdout,
                "\n{}",
                trappe::report::words::results_in(lang.lang, false, &report.out, &report.files)
            )?;
            drop(stdout);
            write_reports(&report.out, &report_args, lang.lang)?;
        }
        Command::Report { folder, format, lang, out, force } => {
            let written = trappe::commands::report::report(&trappe::commands::report::ReportConfig {
                folder,
                formats: format,
                lang,
                out,
                force,
            })?;
            let mut stdout = std::io::stdout().lock();
            for path in written {
                writeln!(stdout, "{}: {}", lang.pick("Report", "Rapport"), path.display())?;
            }
        }
        Command::Merge { parts, out, force, csv, lang } => {
            print_report(
                &trappe::commands::merge::merge(&trappe::commands::merge::MergeConfig {
                    parts,
                    out,
                    force,
                    csv_dialect: csv.dialect,
                    lang: lang.lang,
                })?,
                lang.lang,
            )?;
        }
        Command::Calibrate {
            scenario,
            observed,
            out,
            force,
            replications,
            seed,
            arm,
            max_evaluations,
            threads,
            quiet,
            strict,
        } => {
            let cfg = trappe::commands::calibrate::CalibrateConfig {
                scenario,
                observed,
                out,
                force,
                replications,
                seed,
                threads: threads.map(|t| t as usize),
                arm: match arm {
                    ArmArg::Counterfactual => trappe::analysis::calibration::FitArm::Counterfactual,
                    ArmArg::Scenario => trappe::analysis::calibration::FitArm::Scenario,
                },
                max_evaluations,
                progress: !quiet,
                strict,
            };
            let report = trappe::commands::calibrate::calibrate(&cfg)?;
            write!(std::io::stdout().lock(), "{}", report.text)?;
        }
        Command::Serve { scenario, port, lang, bind, replications, quick, seed, threads } => {
            trappe::commands::serve::serve(&trappe::commands::serve::ServeConfig {
                scenario,
                port,
                bind,
                lang,
                replications,
                quick,
                seed,
                threads: threads.map(|t| t as usize),
            })?;
        }
        Command::Check { scenario, strict, sources, set } => {
            let text = if sources {
                trappe::commands::check::check_sources(&scenario, &set, strict)?
            } else {
                trappe::commands::check::check(&scenario, &set, strict)?
            };
            write!(std::io::stdout().lock(), "{text}")?;
        }
    }
    Ok(())
}

/// Writes the reports `--report` asks for into the results folder just written.
fn write_reports(
    folder: &std::path::Path,
    args: &ReportArgs,
    lang: trappe::report::lang::Lang,
) -> anyhow::Result<()> {
    use std::io::Write;
    if args.formats.is_empty() {
        return Ok(());
    }
    let written = trappe::commands::report::report(&trappe::commands::report::ReportConfig {
        folder: folder.to_path_buf(),
        formats: args.formats.clone(),
        lang,
        out: None,
        force: false,
    })?;
    let mut stdout = std::io::stdout().lock();
    for path in written {
        writeln!(stdout, "{}: {}", lang.pick("Report", "Rapport"), path.display())?;
    }
    Ok(())
}

fn print_report(
    report: &trappe::report::results::RunReport,
    lang: trappe::report::lang::Lang,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{}", report.summary)?;
    writeln!(
        stdout,
        "\n{}",
        trappe::report::words::results_in(lang, report.partial, &report.out, &report.files)
    )
}
