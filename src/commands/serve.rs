//! `trappe serve`: starts the what-if page of a scenario on a local web server
//! ([`crate::serve`]).

use crate::report::lang::Lang;
use crate::serve::{DEFAULT_QUICK, Server, ServerConfig};
use anyhow::Context;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

/// The port `trappe serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7878;

/// Everything `trappe serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The scenario file, read once at start.
    pub scenario: PathBuf,
    /// The port (0: any free one).
    pub port: u16,
    /// The address to listen on (None: 127.0.0.1, this machine only).
    pub bind: Option<IpAddr>,
    /// The language of the page.
    pub lang: Lang,
    /// Replications of a full answer (None: the scenario's).
    pub replications: Option<u32>,
    /// Replications of a quick answer.
    pub quick: Option<u32>,
    /// The seed (None: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads of a simulation (None: all cores).
    pub threads: Option<usize>,
}

/// Checks the scenario, listens, prints the page's address on stdout and serves until
/// the process is stopped. A bad scenario or an address in use is an error before
/// anything is served; listening on another address than this machine's own is warned
/// about on stderr, since the page has no login.
pub fn serve(cfg: &ServeConfig) -> anyhow::Result<()> {
    let source = crate::input::read::read_input_text(&cfg.scenario, crate::input::read::InputFile::Scenario)
        .map_err(|e| match e {
            crate::input::read::ReadError::NotUtf8(d) => anyhow::anyhow!("{d}"),
            crate::input::read::ReadError::Io(source) => {
                anyhow::anyhow!("cannot read scenario file {}: {source}", cfg.scenario.display())
            }
        })?;
    let quick = cfg.quick.unwrap_or(DEFAULT_QUICK);
    anyhow::ensure!(quick >= 1, "--quick must be at least 1");
    if let Some(n) = cfg.replications {
        anyhow::ensure!(
            (1..=crate::serve::MAX_REPLICATIONS).contains(&n),
            "--replications {n}: give 1 to {}",
            crate::serve::MAX_REPLICATIONS
        );
    }
    let threads = cfg.threads.unwrap_or_else(rayon::current_num_threads).max(1);
    let server = Arc::new(Server::new(ServerConfig {
        path: cfg.scenario.display().to_string(),
        source,
        lang: cfg.lang,
        replications: cfg.replications,
        quick,
        seed: cfg.seed,
        threads,
    })?);
    crate::report::files::interrupt::unfinished().set_undone("the page is no longer served");
    let ip = cfg.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !ip.is_loopback() {
        eprintln!(
            "warning: listening on {ip}: anyone who can reach this address can use the page, which has no \
             login, and can start simulations and write files where the server may write"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the web server's threads")?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(ip, cfg.port);
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
            format!("cannot listen on {addr} (give another --port, or 0 for any free one)")
        })?;
        let local = listener.local_addr()?;
        let shown = match local.ip() {
            IpAddr::V6(v6) => format!("[{v6}]:{}", local.port()),
            IpAddr::V4(v4) => format!("{v4}:{}", local.port()),
        };
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "trappe serve: http://{shown}/")?;
            out.flush()?;
        }
        crate::serve::run(server, listener).await.context("the web server stopped")
    })
}
