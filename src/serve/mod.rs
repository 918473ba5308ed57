//! `trappe serve`: a local web page for a budget negotiation. The page holds the
//! scenario's levers (hires, grants, the staffing elasticity, the staff cost, any key
//! by its path) and beside them the answer for the option on screen, compared with the
//! scenario as loaded and with the options saved on the page.
//!
//! Every answer is what `trappe run` computes for the same `--set` values, seed and
//! replications: the settings are checked as `--set` checks them
//! ([`crate::commands::check::load_checked_source`]), the replications are simulated in
//! chunks, and the results are written into a temporary results folder by
//! [`crate::report::results::write_results`] and read back, so the page shows the
//! numbers of `summary.csv`. A quick answer from fewer replications comes first and is
//! refined to the scenario's full size.
//!
//! The work a request can start is bounded: one simulation at a time, and a newer
//! question stops an older one between chunks (a generation counter); request
//! bodies, settings and replications have caps. The server reads only the scenario it
//! was started with (read once, at start) and writes only into the folder a user types
//! on the page, refusing to replace files without the overwrite box ticked.

pub mod answer;
pub mod page;

use crate::commands::check::load_checked_source;
use crate::commands::memory::{Holding, check_fits};
use crate::commands::run::{RunSize, run_size, simulate_outcomes_cancellable};
use crate::report::files::staging::Staging;
use crate::report::folder::ResultsFolder;
use crate::report::lang::Lang;
use crate::report::results::{Provenance, write_results};
use crate::simulation::driver::Engine;
use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The largest request body the server reads (a question is a few hundred bytes).
pub const BODY_LIMIT: usize = 64 * 1024;
/// The most settings one question may give.
pub const MAX_SETTINGS: usize = 200;
/// The longest setting (`PATH=VALUE`) accepted.
pub const MAX_SETTING_LEN: usize = 2000;
/// The most replications one question may ask for, whatever the scenario's size.
pub const MAX_REPLICATIONS: u32 = 100_000;
/// Replications of a quick answer (at most the scenario's own number).
pub const DEFAULT_QUICK: u32 = 100;
/// Answers kept, so that going back to an option already seen costs no simulation.
const CACHE_SIZE: usize = 32;
/// Replications simulated between two looks at whether the work is still wanted.
const CHUNK: u32 = 25;

/// What a server is started with.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The scenario file as given (named in messages and manifests).
    pub path: String,
    /// Its text, read once at start.
    pub source: String,
    /// The language of the page and its answers.
    pub lang: Lang,
    /// The full size of an answer (None: each option's `[simulation] replications`).
    pub replications: Option<u32>,
    /// The size of a quick answer.
    pub quick: u32,
    /// The seed (None: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads of a simulation.
    pub threads: usize,
}

/// What an answer is kept under: the settings and the replications.
type CacheKey = (Vec<String>, u32);

/// One answer computed: its JSON and the HTML report of the same results.
#[derive(Debug)]
struct Computed {
    answer: Value,
    report: String,
}

/// The server's state, shared by its requests.
#[derive(Debug)]
pub struct Server {
    config: ServerConfig,
    page: String,
    /// The number of the newest simulation asked for: a simulation whose number is no
    /// longer this one stops at its next chunk.
    generation: AtomicU64,
    /// Held by the one simulation running.
    slot: tokio::sync::Mutex<()>,
    busy: AtomicBool,
    started: AtomicU64,
    finished: AtomicU64,
    cancelled: AtomicU64,
    cache: Mutex<VecDeque<(CacheKey, Arc<Computed>)>>,
}

/// A question from the page: the option (its `--set` values) and the size of answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The page's number for the question, returned with the answer so that the page
    /// can drop answers to questions it no longer asks.
    #[serde(default)]
    pub id: u64,
    /// `PATH=VALUE` settings, as `--set` takes them.
    #[serde(default)]
    pub settings: Vec<String>,
    /// `quick` or `full` (default: full).
    #[serde(default)]
    pub size: Option<String>,
    /// An exact number of replications, in place of `size`.
    #[serde(default)]
    pub replications: Option<u32>,
}

/// A request to write the option as a scenario file and a report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// `PATH=VALUE` settings, as `--set` takes them.
    #[serde(default)]
    pub settings: Vec<String>,
    /// The folder to write into (made if missing).
    pub folder: String,
    /// Replace `scenario.toml` and `report.html` if they exist.
    #[serde(default)]
    pub overwrite: bool,
    /// An exact number of replications for the report (default: the full size).
    #[serde(default)]
    pub replications: Option<u32>,
}

/// A refusal: its HTTP status, the whole message, and each problem with the key it
/// concerns (so the page can show it beside that key's input).
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    error: String,
    problems: Vec<Value>,
}

impl Refusal {
    /// A refusal of the question itself (422), with no key to show it beside.
    fn plain(error: String) -> Refusal {
        Refusal { status: StatusCode::UNPROCESSABLE_ENTITY, error, problems: vec![] }
    }

    /// The refusal as the JSON answer to question `id`.
    fn response(self, id: u64) -> Response {
        (self.status, Json(json!({"id": id, "error": self.error, "problems": self.problems}))).into_response()
    }
}

/// The refusal of settings that do not make a valid scenario.
fn invalid(e: &crate::error::ScenarioError) -> Refusal {
    let problems = e.diagnostics().iter().map(|d| json!({"key": d.key, "message": d.to_string()})).collect();
    Refusal { status: StatusCode::UNPROCESSABLE_ENTITY, error: e.to_string(), problems }
}

/// Refuses too many or too long settings before anything reads them.
fn check_bounds(settings: &[String]) -> Result<(), Refusal> {
    if settings.len() > MAX_SETTINGS {
        return Err(Refusal::plain(format!("{} settings: at most {MAX_SETTINGS} are taken", settings.len())));
    }
    if let Some(s) = settings.iter().find(|s| s.len() > MAX_SETTING_LEN) {
        let head: String = s.chars().take(40).collect();
        return Err(Refusal::plain(format!(
            "the setting `{head}…` is {} bytes long: at most {MAX_SETTING_LEN} are taken",
            s.len()
        )));
    }
    Ok(())
}

/// What a simulation came to.
enum Outcome {
    Done(Arc<Computed>),
    Cancelled,
}

impl Server {
    /// A server for `config`; fails if the scenario as loaded is not valid.
    pub fn new(config: ServerConfig) -> anyhow::Result<Server> {
        let (sc, model) = load_checked_source(&config.path, &config.source, &[], false)?;
        let page = page::page(&sc, &model, config.lang);
        Ok(Server {
            config,
            page,
            generation: AtomicU64::new(0),
            slot: tokio::sync::Mutex::new(()),
            busy: AtomicBool::new(false),
            started: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            cache: Mutex::new(VecDeque::new()),
        })
    }

    /// The routes: the page at `/`, questions at `/api/answer`, saving at `/api/save`
    /// and the count of simulations at `/api/status`.
    pub fn router(self: Arc<Self>) -> axum::Router {
        axum::Router::new()
            .route("/", get(page_route))
            .route("/api/answer", post(answer_route))
            .route("/api/save", post(save_route))
            .route("/api/status", get(status_route))
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .with_state(self)
    }

    /// Checks the settings as `--set` does; returns the replications of the answer asked.
    fn check(&self, settings: &[String], size: Option<&str>, exact: Option<u32>) -> Result<u32, Refusal> {
        let (_, model) = load_checked_source(&self.config.path, &self.config.source, settings, false)
            .map_err(|e| invalid(&e))?;
        let full = self.config.replications.unwrap_or(model.replications).clamp(1, MAX_REPLICATIONS);
        let quick = self.config.quick.min(full);
        let n = match (exact, size) {
            (Some(n), _) if !(1..=MAX_REPLICATIONS).contains(&n) => {
                return Err(Refusal::plain(format!("replications = {n}: give 1 to {MAX_REPLICATIONS}")));
            }
            (Some(n), _) => n,
            (None, Some("quick")) => quick,
            (None, Some("full") | None) => full,
            (None, Some(other)) => {
                return Err(Refusal::plain(format!("size `{other}`: give `quick` or `full`")));
            }
        };
        Ok(n)
    }

    fn cached(&self, key: &CacheKey) -> Option<Arc<Computed>> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.iter().find(|(k, _)| k == key).map(|(_, c)| c.clone())
    }

    fn remember(&self, key: CacheKey, computed: Arc<Computed>) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|(k, _)| *k != key);
        cache.push_back((key, computed));
        while cache.len() > CACHE_SIZE {
            cache.pop_front();
        }
    }

    /// The answer for `settings` at `replications`: from the cache, or simulated. A
    /// newer call stops this one's simulation (the result is then `Cancelled`).
    async fn compute(self: &Arc<Self>, settings: Vec<String>, replications: u32) -> anyhow::Result<Outcome> {
        let key = (settings, replications);
        // Any newer question, even one answered from the cache, stops older work.
        let mine = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(c) = self.cached(&key) {
            return Ok(Outcome::Done(c));
        }
        let guard = self.slot.lock().await;
        if self.generation.load(Ordering::SeqCst) != mine {
            self.cancelled.fetch_add(1, Ordering::SeqCst);
            return Ok(Outcome::Cancelled);
        }
        self.started.fetch_add(1, Ordering::SeqCst);
        self.busy.store(true, Ordering::SeqCst);
        let server = self.clone();
        let settings = key.0.clone();
        let done = tokio::task::spawn_blocking(move || {
            let cancelled = || server.generation.load(Ordering::SeqCst) != mine;
            server.simulate(&settings, replications, &cancelled)
        })
        .await;
        self.busy.store(false, Ordering::SeqCst);
        drop(guard);
        let done = done.map_err(|e| anyhow::anyhow!("the simulation stopped unexpectedly: {e}"))??;
        match done {
            Some(c) => {
                self.finished.fetch_add(1, Ordering::SeqCst);
                let c = Arc::new(c);
                self.remember(key, c.clone());
                Ok(Outcome::Done(c))
            }
            None => {
                self.cancelled.fetch_add(1, Ordering::SeqCst);
                Ok(Outcome::Cancelled)
            }
        }
    }

    /// The answer to `settings` at `replications` (as the page gets it from
    /// `/api/answer`), computed on this thread, without the cache and without being
    /// stopped by newer questions: what one question costs, for the benchmarks.
    pub fn answer_now(&self, settings: &[String], replications: u32) -> anyhow::Result<Value> {
        let computed = self.simulate(settings, replications, &|| false)?;
        computed.map(|c| c.answer).ok_or_else(|| anyhow::anyhow!("the answer was stopped"))
    }

    /// What `trappe run --set … -n replications` computes, written into a temporary
    /// results folder (removed afterwards) and read back; None if cancelled.
    fn simulate(
        &self,
        settings: &[String],
        replications: u32,
        cancelled: &dyn Fn() -> bool,
    ) -> anyhow::Result<Option<Computed>> {
        let cfg = &self.config;
        let (sc, mut model) = load_checked_source(&cfg.path, &cfg.source, settings, false)?;
        let RunSize { inner, seed, .. } = run_size(&sc, &mut model, Some(replications), None, cfg.seed)?;
        check_fits(&model, replications, Holding::Run, &format!("a run of {replications} replications"))?;
        let full = cfg.replications.unwrap_or(model.replications).clamp(1, MAX_REPLICATIONS);
        let work = tempfile::Builder::new().prefix("trappe-serve-").tempdir()?;
        let _removed_if_interrupted = Registered::new(work.path());
        let target = work.path().join("run");
        let staging = Staging::begin(&target, false, &[])?;
        let chunk = CHUNK.div_ceil(inner) * inner;
        let engine = Engine::Count;
        let Some(outs) = simulate_outcomes_cancellable(
            &model,
            0..replications,
            seed,
            cfg.threads,
            engine,
            chunk,
            cancelled,
        )?
        else {
            return Ok(None);
        };
        let prov = Provenance {
            seed,
            replications,
            inner_replications: inner,
            threads: Some(cfg.threads),
            trajectories: 0,
            engine,
            merged_from: None,
        };
        write_results(staging, &sc, &model, outs, &prov, cfg.lang)?;
        let folder = ResultsFolder::read(&target)?;
        // The report's contents are drawn once, for the answer and for the report a save
        // writes.
        let page = crate::report::html::contents(&folder, cfg.lang);
        let mut answer = answer::answer(&folder, cfg.lang, full, &page);
        // Plausibility warnings, as `trappe run` prints them, for the page to show.
        answer["warnings"] =
            model.warnings.iter().map(|w| format!("warning: {w}")).collect::<Vec<_>>().into();
        let report = crate::report::html::render(&folder, cfg.lang, &page);
        Ok(Some(Computed { answer, report }))
    }
}

/// A temporary folder registered to be removed if the server is interrupted
/// (Ctrl-C) while it is in use; forgotten again when dropped.
struct Registered(PathBuf);

impl Registered {
    fn new(folder: &Path) -> Registered {
        let folder: PathBuf = folder.components().collect();
        crate::report::files::interrupt::unfinished().add_folder(&folder);
        Registered(folder)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        crate::report::files::interrupt::unfinished().forget(&self.0);
    }
}

async fn page_route(State(server): State<Arc<Server>>) -> Html<String> {
    Html(server.page.clone())
}

async fn status_route(State(server): State<Arc<Server>>) -> Json<Value> {
    Json(json!({
        "runs_started": server.started.load(Ordering::SeqCst),
        "runs_finished": server.finished.load(Ordering::SeqCst),
        "runs_cancelled": server.cancelled.load(Ordering::SeqCst),
        "busy": server.busy.load(Ordering::SeqCst),
    }))
}

/// Runs a blocking check of settings off the async threads.
async fn check_settings(
    server: &Arc<Server>,
    settings: &[String],
    size: Option<String>,
    exact: Option<u32>,
) -> Result<u32, Refusal> {
    check_bounds(settings)?;
    let s = server.clone();
    let settings = settings.to_vec();
    let checked = tokio::task::spawn_blocking(move || s.check(&settings, size.as_deref(), exact)).await;
    match checked {
        Ok(Ok(n)) => Ok(n),
        Ok(Err(refused)) => Err(refused),
        Err(e) => {
            Err(Refusal { status: StatusCode::INTERNAL_SERVER_ERROR, error: e.to_string(), problems: vec![] })
        }
    }
}

async fn answer_route(State(server): State<Arc<Server>>, Json(q): Json<Question>) -> Response {
    let n = match check_settings(&server, &q.settings, q.size, q.replications).await {
        Ok(n) => n,
        Err(refused) => return refused.response(q.id),
    };
    match server.compute(q.settings, n).await {
        Ok(Outcome::Done(c)) => {
            let mut v = c.answer.clone();
            v["id"] = json!(q.id);
            Json(v).into_response()
        }
        Ok(Outcome::Cancelled) => {
            (StatusCode::CONFLICT, Json(json!({"id": q.id, "cancelled": true}))).into_response()
        }
        Err(e) => Refusal::plain(format!("{e:#}")).response(q.id),
    }
}

async fn save_route(State(server): State<Arc<Server>>, Json(req): Json<SaveRequest>) -> Response {
    let n = match check_settings(&server, &req.settings, Some("full".into()), req.replications).await {
        Ok(n) => n,
        Err(refused) => return refused.response(0),
    };
    let folder = req.folder.trim();
    let problem = |msg: String| {
        let problems = vec![json!({"key": "folder", "message": msg})];
        Refusal { status: StatusCode::UNPROCESSABLE_ENTITY, error: msg, problems }.response(0)
    };
    if folder.is_empty() || folder.len() > 4096 {
        return problem("give the folder to write the scenario file and the report into".into());
    }
    let folder = PathBuf::from(folder);
    let names = ["scenario.toml", "report.html"];
    if !req.overwrite
        && let Some(existing) = names.iter().map(|n| folder.join(n)).find(|p| p.exists())
    {
        return problem(format!(
            "{} exists: tick \"overwrite\" to replace it, or give another folder",
            existing.display()
        ));
    }
    let computed = match server.compute(req.settings.clone(), n).await {
        Ok(Outcome::Done(c)) => c,
        Ok(Outcome::Cancelled) => {
            let error = "a newer question stopped the run: save again".to_string();
            return Refusal { status: StatusCode::CONFLICT, error, problems: vec![] }.response(0);
        }
        Err(e) => return Refusal::plain(format!("{e:#}")).response(0),
    };
    let s = server.clone();
    let written = tokio::task::spawn_blocking(move || {
        s.write_option(&folder, &req.settings, &computed.report, req.overwrite)
    })
    .await;
    match written {
        Ok(Ok(paths)) => Json(json!({"written": paths})).into_response(),
        Ok(Err(e)) => problem(format!("{e:#}")),
        Err(e) => {
            Refusal { status: StatusCode::INTERNAL_SERVER_ERROR, error: e.to_string(), problems: vec![] }
                .response(0)
        }
    }
}

impl Server {
    /// Writes the option as `scenario.toml` (the scenario's text with the settings
    /// written in) and its report as `report.html` into `folder`, each whole or not at
    /// all; an existing file is replaced only with `overwrite`.
    fn write_option(
        &self,
        folder: &Path,
        settings: &[String],
        report: &str,
        overwrite: bool,
    ) -> anyhow::Result<Vec<String>> {
        use anyhow::Context;
        let parsed = crate::input::setting::parse_all(settings)
            .map_err(|ds| anyhow::anyhow!("{}", crate::error::ScenarioError::Invalid(ds)))?;
        let text = if parsed.is_empty() {
            self.config.source.clone()
        } else {
            crate::input::setting::apply(&self.config.source, &parsed)
                .map_err(|ds| anyhow::anyhow!("{}", crate::error::ScenarioError::Invalid(ds)))?
        };
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot make the folder {}", folder.display()))?;
        // Both files are written in full beside their places before either is moved in.
        let mut staged = Vec::new();
        for (name, content) in [("scenario.toml", text.as_str()), ("report.html", report)] {
            let path = folder.join(name);
            let mut file = tempfile::Builder::new()
                .prefix(&format!(".{name}."))
                .tempfile_in(folder)
                .with_context(|| format!("cannot write into {}", folder.display()))?;
            file.write_all(content.as_bytes())
                .and_then(|_| file.as_file().sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            staged.push((file, path));
        }
        let mut written = Vec::new();
        for (file, path) in staged {
            if overwrite {
                file.persist(&path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            } else {
                file.persist_noclobber(&path).map_err(|e| e.error).with_context(|| {
                    format!(
                        "cannot write {} (tick \"overwrite\" to replace an existing file)",
                        path.display()
                    )
                })?;
            }
            written.push(path.display().to_string());
        }
        Ok(written)
    }
}

/// Serves `server` on `listener` until the process ends.
pub async fn run(server: Arc<Server>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, server.router()).await
}
