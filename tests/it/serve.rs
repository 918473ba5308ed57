//! `trappe serve`: the server's answers are `trappe run`'s numbers; bad settings are
//! refused beside their input without starting a run; the page in headless Chromium
//! and, where installed, Firefox (driven through WebDriver) shows the answer of the option on screen and nothing
//! older; the save button writes only where asked; bad command lines fail clearly.

use crate::common::{fails, ok, repo};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const COPENHAGEN: &str = "scenarios/copenhagen-2007-job-consultant-pool.toml";
const FTE: &str = "staffing.hires[0].fte";

/// A running `trappe serve`, killed when dropped.
struct Served {
    child: Child,
    url: String,
    agent: ureq::Agent,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Starts `trappe serve` on a free port with `args` and reads the address it prints.
fn serve(args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trappe"))
        .arg("serve")
        .args(args)
        .args(["--port", "0"])
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start trappe serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("trappe serve: ")
        .unwrap_or_else(|| panic!("no address: {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with('/'), "{url}");
    Served { child, url, agent: agent() }
}

impl Served {
    /// POSTs `body` to `path`; returns the status and the JSON answer.
    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let mut r = self.agent.post(format!("{}{path}", self.url)).send_json(&body).unwrap();
        let text = r.body_mut().read_to_string().unwrap();
        (r.status().as_u16(), serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    fn status(&self) -> Value {
        self.agent.get(format!("{}api/status", self.url)).call().unwrap().body_mut().read_json().unwrap()
    }

    fn answer(&self, settings: &[String], replications: u32) -> Value {
        let (code, v) =
            self.post("api/answer", json!({"id": 1, "settings": settings, "replications": replications}));
        assert_eq!(code, 200, "{v}");
        v
    }
}

/// `summary.csv` as (metric, arm) → its numbers as read.
fn summary_csv(path: &Path) -> Vec<(String, String, Vec<Option<f64>>)> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let numbers = [
                "mean",
                "median",
                "p05",
                "p95",
                "mcse",
                "expected",
                "expected_p05",
                "expected_p95",
                "chance_sd",
            ]
            .iter()
            .map(|c| {
                let i = headers.iter().position(|h| h == *c).unwrap();
                r[i].parse::<f64>().ok()
            })
            .collect();
            (r[1].to_string(), r[2].to_string(), numbers)
        })
        .collect()
}

#[test]
fn the_answer_is_trappe_runs_for_the_same_settings_seed_and_size() {
    let s = serve(&[COPENHAGEN, "--seed", "11"]);
    let settings = vec![format!("{FTE}=30"), "grants[0].amounts.2008=20000000".to_string()];
    // 60 replications: simulated in several chunks, which must add up to one run.
    let answer = s.answer(&settings, 60);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("run");
    let mut args = vec!["run", COPENHAGEN, "-n", "60", "--seed", "11", "-q", "-o", out.to_str().unwrap()];
    for setting in &settings {
        args.extend(["--set", setting]);
    }
    ok(&args, &repo());
    let rows = summary_csv(&out.join("summary.csv"));
    let served = answer["summary"].as_array().unwrap();
    assert_eq!(rows.len(), served.len());
    for ((metric, arm, numbers), row) in rows.iter().zip(served) {
        assert_eq!(
            (metric.as_str(), arm.as_str()),
            (row["metric"].as_str().unwrap(), row["arm"].as_str().unwrap())
        );
        let columns =
            ["mean", "median", "p05", "p95", "mcse", "expected", "expected_p05", "expected_p95", "chance_sd"];
        for (c, want) in columns.iter().zip(numbers) {
            assert_eq!(row[c].as_f64(), *want, "{metric} {arm} {c}");
        }
    }
    assert_eq!(answer["replications"], 60);
    assert_eq!(answer["seed"], 11);
    assert_eq!(answer["quick"], true, "60 of the scenario's 1000 replications is a quick answer");
    let net = rows.iter().find(|r| r.0 == "net_municipal_effect" && r.1 == "effect").unwrap();
    assert_eq!(answer["net_effect"]["expected"].as_f64(), net.2[5]);
    assert!(answer["charts"].as_array().unwrap().len() >= 2, "the report's charts come with the answer");
}

#[test]
fn bad_settings_are_refused_beside_their_key_and_start_no_run() {
    let s = serve(&[COPENHAGEN, "-n", "20", "--quick", "10"]);
    let before = s.status()["runs_started"].as_u64().unwrap();
    for (setting, key, words) in [
        (format!("{FTE}=abc"), FTE, "not TOML"),
        ("staffing.hires[0].start=\"2007-13\"".to_string(), "staffing.hires[0].start", "2007-13"),
        ("staffing.no_such_key=3".to_string(), "staffing.no_such_key", "no_such_key"),
    ] {
        let (code, v) = s.post("api/answer", json!({"id": 7, "settings": [setting], "size": "quick"}));
        assert_eq!(code, 422, "{v}");
        assert_eq!(v["id"], 7);
        let problem = &v["problems"][0];
        assert_eq!(problem["key"], key, "{v}");
        assert!(problem["message"].as_str().unwrap().contains(words), "{v}");
    }
    // Too many settings, too many replications, an unknown size: refused before any work.
    let many: Vec<String> = (0..201).map(|i| format!("budget.discount_rate=0.0{}", i % 9)).collect();
    assert_eq!(s.post("api/answer", json!({"settings": many})).0, 422);
    assert_eq!(s.post("api/answer", json!({"replications": 10_000_000})).0, 422);
    assert_eq!(s.post("api/answer", json!({"size": "huge"})).0, 422);
    let big = "x".repeat(100_000);
    assert_eq!(s.post("api/answer", json!({"settings": [big]})).0, 413, "the body limit");
    assert_eq!(s.status()["runs_started"].as_u64().unwrap(), before, "no run was started");
}

#[test]
fn a_newer_question_stops_an_older_one() {
    let s = serve(&[COPENHAGEN, "--quick", "10"]);
    let url = format!("{}api/answer", s.url);
    // A long question (the full 1000 replications), then a short one while it runs.
    let long = {
        let url = url.clone();
        std::thread::spawn(move || {
            let mut r =
                agent().post(&url).send_json(json!({"id": 1, "settings": [format!("{FTE}=40")]})).unwrap();
            (r.status().as_u16(), r.body_mut().read_json::<Value>().unwrap())
        })
    };
    let waited = Instant::now();
    while s.status()["busy"] != true && waited.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    let (code, v) =
        s.post("api/answer", json!({"id": 2, "settings": [format!("{FTE}=41")], "replications": 10}));
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["id"], 2);
    let (code, v) = long.join().unwrap();
    assert_eq!((code, &v["cancelled"]), (409, &json!(true)), "{v}");
    let status = s.status();
    assert_eq!(status["runs_cancelled"], 1, "{status}");
    // Stopped (409, not 200): the older run did not finish its 1000 replications.
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the older run stopped early: {:?}",
        started.elapsed()
    );
}

#[test]
fn the_save_button_writes_the_option_and_a_report_and_replaces_only_when_told() {
    let s = serve(&[COPENHAGEN, "-n", "20", "--quick", "10"]);
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("option a");
    let body = |overwrite: bool| json!({"settings": [format!("{FTE}=25")], "folder": folder.to_str().unwrap(), "overwrite": overwrite});
    let (code, v) = s.post("api/save", body(false));
    assert_eq!(code, 200, "{v}");
    let scenario = std::fs::read_to_string(folder.join("scenario.toml")).unwrap();
    assert!(scenario.contains("fte = 25"), "the setting is written into the file");
    let report = std::fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(report.starts_with("<!DOCTYPE html>") && report.contains("<svg"));
    // The written scenario runs as the option did.
    let checked = ok(&["check", folder.join("scenario.toml").to_str().unwrap()], &repo());
    assert!(checked.contains("the scenario is valid"), "{checked}");
    let (code, v) = s.post("api/save", body(false));
    assert_eq!(code, 422, "{v}");
    assert!(v["error"].as_str().unwrap().contains("exists"), "{v}");
    assert_eq!(s.post("api/save", body(true)).0, 200);
    let mut names: Vec<_> =
        std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["report.html", "scenario.toml"], "nothing else is left in the folder");
}

#[test]
fn the_page_is_one_self_contained_page_in_the_language_asked() {
    for (lang, words, amount) in [("en", "Levers", "DKK"), ("da", "Håndtag", "kr.")] {
        let s = serve(&[COPENHAGEN, "-n", "10", "--lang", lang]);
        let page = s.agent.get(&s.url).call().unwrap().body_mut().read_to_string().unwrap();
        assert!(page.contains(&format!("<html lang=\"{lang}\">")) && page.contains(words), "{lang}");
        for outside in ["src=", "href=", "@import", "url("] {
            assert!(!page.contains(outside), "the page fetches nothing: `{outside}` in it");
        }
        assert!(page.contains(&format!("\"path\":\"{FTE}\"")), "the hire's FTE is a lever");
        let answer = s.answer(&[], 10);
        assert!(
            answer["net_effect"]["expected_text"].as_str().unwrap().ends_with(amount),
            "{lang}: {answer}"
        );
    }
}

#[test]
fn bad_command_lines_fail_clearly() {
    let dir = repo();
    let err = fails(&["serve", "no-such-scenario.toml", "--port", "0"], &dir);
    assert!(err.contains("cannot read scenario file no-such-scenario.toml"), "{err}");
    let err = fails(&["serve", COPENHAGEN, "--lang", "fr", "--port", "0"], &dir);
    assert!(err.contains("`fr` is not a language"), "{err}");
    let work = tempfile::tempdir().unwrap();
    let bad = work.path().join("bad.toml");
    std::fs::write(&bad, "[scenario]\nname = \"x\"\nhorizon_months = \"many\"\n").unwrap();
    let err = fails(&["serve", bad.to_str().unwrap(), "--port", "0"], &dir);
    assert!(err.contains("horizon_months"), "{err}");
    let err = fails(&["serve", COPENHAGEN, "--bind", "not-an-address"], &dir);
    assert!(err.contains("not-an-address"), "{err}");
}

// ---- the page in headless Chromium, through WebDriver

/// A WebDriver session (chromedriver or geckodriver), ended, the driver stopped and
/// the browser's profile removed when dropped.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// chromedriver, or None (after saying so) where it is missing and CI does not require it.
fn chromedriver() -> Option<std::path::PathBuf> {
    let found = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("TRAPPE_REQUIRE_CHROMIUM").is_none(),
            "TRAPPE_REQUIRE_CHROMIUM is set and there is no chromedriver (Debian's chromium-driver)"
        );
        eprintln!("no chromedriver here: the page test is passed over (install Debian's chromium-driver)");
    }
    found
}

/// Firefox and geckodriver, when both are here: on PATH (`firefox-esr` or `firefox`,
/// and `geckodriver`) or named by `TRAPPE_FIREFOX` and `TRAPPE_GECKODRIVER`. Neither is
/// a Debian package CI installs, so without them the Firefox run is passed over.
fn firefox() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let on_path = |names: &[&str]| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path).flat_map(|d| names.iter().map(move |n| d.join(n))).find(|p| p.is_file())
    };
    let named = |var: &str| std::env::var_os(var).map(std::path::PathBuf::from);
    let browser = named("TRAPPE_FIREFOX").or_else(|| on_path(&["firefox-esr", "firefox"]));
    let driver = named("TRAPPE_GECKODRIVER").or_else(|| on_path(&["geckodriver"]));
    match (browser, driver) {
        (Some(b), Some(d)) => Some((b, d)),
        _ => {
            eprintln!("no Firefox with geckodriver here: the page test runs in Chromium only");
            None
        }
    }
}

/// The browsers a page test drives.
#[derive(Debug, Clone, Copy)]
enum Engine {
    Chromium,
    Firefox,
}

impl Browser {
    /// A session in `engine`, or None where it is not installed (and not required).
    fn start(engine: Engine) -> Option<Browser> {
        let profile = tempfile::tempdir().unwrap();
        let (driver_path, caps) = match engine {
            Engine::Chromium => {
                let browser = crate::common::browser::browser()?;
                let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
                    "binary": browser.to_str().unwrap(),
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--no-first-run", "--disable-background-networking", "--window-size=1400,1000",
                             format!("--user-data-dir={}", profile.path().display())],
                }}}});
                (chromedriver()?, caps)
            }
            Engine::Firefox => {
                let (browser, driver) = firefox()?;
                let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "firefox", "moz:firefoxOptions": {
                    "binary": browser.to_str().unwrap(),
                    "args": ["-headless", "-profile", profile.path().to_str().unwrap()],
                }}}});
                (driver, caps)
            }
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let agent = agent();
        let started = Instant::now();
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "{engine:?}'s WebDriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut r = agent.post(format!("{base}/session")).send_json(&caps).unwrap();
        let v: Value = r.body_mut().read_json().unwrap();
        let session =
            v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        Some(Browser { driver, base, session, agent, _profile: profile })
    }

    fn call(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}/{path}", self.base, self.session);
        let mut r = self.agent.post(url).send_json(&body).unwrap();
        let v: Value = r.body_mut().read_json().unwrap();
        assert!(v["value"].get("error").is_none(), "{path}: {v}");
        v["value"].clone()
    }

    fn script(&self, script: &str) -> Value {
        self.call("execute/sync", json!({"script": script, "args": []}))
    }

    /// Types `text` into the input of `key` as a person would: clears it, then keys.
    fn type_into(&self, key: &str, text: &str) {
        let found = self.call(
            "element",
            json!({"using": "css selector", "value": format!("input[data-path=\"{key}\"]")}),
        );
        let id = found.as_object().unwrap().values().next().unwrap().as_str().unwrap().to_string();
        self.call(&format!("element/{id}/clear"), json!({}));
        self.call(&format!("element/{id}/value"), json!({"text": text}));
    }

    /// Waits until the page shows an answer to its newest question in `state` (`full`
    /// or `error`), a question after number `after` whose settings hold `asked`;
    /// returns the shown net effect.
    fn settled(&self, state: &str, after: u64, asked: &str) -> String {
        let started = Instant::now();
        loop {
            let v = self.script(
                "var b=document.body; return [document.getElementById('status').getAttribute('data-state'), \
                 b.getAttribute('data-latest-id'), b.getAttribute('data-shown-id'), \
                 document.getElementById('net-effect').textContent, b.getAttribute('data-latest-settings')];",
            );
            let latest: u64 = v[1].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
            let shown = v[2].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
            let settings = v[4].as_str().unwrap_or("");
            let done = v[0] == state
                && latest > after
                && (state == "error" || shown == latest)
                && settings.contains(asked);
            if done {
                return v[3].as_str().unwrap().to_string();
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the page did not settle in {state}: {v}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn latest(&self) -> u64 {
        self.script("return document.body.getAttribute('data-latest-id');").as_str().unwrap().parse().unwrap()
    }
}

#[test]
fn the_page_shows_the_answer_of_the_option_on_screen_in_chromium() {
    if let Some(browser) = Browser::start(Engine::Chromium) {
        shows_the_answer_of_the_option_on_screen(&browser);
    }
}

#[test]
fn the_page_shows_the_answer_of_the_option_on_screen_in_firefox() {
    if let Some(browser) = Browser::start(Engine::Firefox) {
        shows_the_answer_of_the_option_on_screen(&browser);
    }
}

/// Drives the page in `browser`: the answer of the scenario as loaded, of a changed
/// FTE, a kept option, a refused input and a burst of changes.
fn shows_the_answer_of_the_option_on_screen(browser: &Browser) {
    let s = serve(&[COPENHAGEN, "-n", "100", "--quick", "10"]);
    browser.call("url", json!({"url": s.url}));
    let loaded = browser.settled("full", 0, "");
    assert_eq!(loaded, s.answer(&[], 100)["net_effect"]["expected_text"], "the scenario as loaded");

    // From the first keystroke of a change, the last option's figures are off the screen.
    let hidden = browser.script(&format!(
        "var i=document.querySelector('input[data-path=\"{FTE}\"]'); i.value='31'; \
         i.dispatchEvent(new Event('input',{{bubbles:true}})); \
         return [getComputedStyle(document.getElementById('net-effect')).visibility, \
         getComputedStyle(document.getElementById('charts')).visibility];"
    ));
    assert_eq!(hidden, json!(["hidden", "hidden"]), "the figures of the option before a change");
    browser.settled("full", 0, &format!("{FTE}=31"));

    // A person changes the hire's FTE: the page shows the server's answer for it.
    let before = browser.latest();
    browser.type_into(FTE, "30");
    let shown = browser.settled("full", before, &format!("{FTE}=30"));
    let api = s.answer(&[format!("{FTE}=30")], 100);
    assert_eq!(shown, api["net_effect"]["expected_text"]);
    assert_ne!(shown, loaded);

    // Keeping the option puts it beside the scenario as loaded.
    browser.script("document.getElementById('keep').click(); return true;");
    let columns = browser.script("return document.querySelectorAll('#options tr:first-child th').length;");
    assert_eq!(columns, 3, "figure, as loaded, option 1");

    // Bad input: the error beside the field, and no run started.
    let runs = s.status()["runs_started"].as_u64().unwrap();
    let before = browser.latest();
    browser.type_into(FTE, "3x");
    browser.settled("error", before, &format!("{FTE}=3x"));
    let beside = browser.script(&format!(
        "var i=document.querySelector('input[data-path=\"{FTE}\"]'); \
         return [i.getAttribute('aria-invalid'), i.parentNode.querySelector('.err').textContent];"
    ));
    assert_eq!(beside[0], "true", "{beside}");
    assert!(beside[1].as_str().unwrap().contains(FTE), "{beside}");
    assert_eq!(s.status()["runs_started"].as_u64().unwrap(), runs, "bad input starts no run");

    // A burst of changes, each after the page has asked: only the last one's answer stays.
    let before = browser.latest();
    browser.script(&format!(
        "var i=document.querySelector('input[data-path=\"{FTE}\"]'); \
         var values=['10','20','35','45','50']; \
         values.forEach(function(v,k){{ setTimeout(function(){{ i.value=v; \
         i.dispatchEvent(new Event('input',{{bubbles:true}})); }}, k*300); }}); return true;"
    ));
    let shown = browser.settled("full", before, &format!("{FTE}=50"));
    let input =
        browser.script(&format!("return document.querySelector('input[data-path=\"{FTE}\"]').value;"));
    assert_eq!(input, "50");
    let api = s.answer(&[format!("{FTE}=50")], 100);
    assert_eq!(shown, api["net_effect"]["expected_text"], "the last option's answer");
    std::thread::sleep(Duration::from_millis(500));
    let still = browser.script("return document.getElementById('net-effect').textContent;");
    assert_eq!(still, api["net_effect"]["expected_text"], "no older answer came in after it");
}
