//! `pbf-report preview`: the report's pages in the browser, with what `check` says beside them,
//! kept up to date as the source is saved.
//!
//! The server renders nothing itself. On each change (`crate::changes`, as `build --watch`
//! sees them) it asks `pbf-report preview --worker`, a process of its own, for a snapshot: the
//! pages as SVG (but those it has already), the diagnostics, the counts. A template that runs
//! over its budget ends the worker, not the server, and the next change starts another. The
//! snapshot replaces what the page shows, and an event tells the page to fetch it. A source that
//! does not check keeps the last good pages on show.

mod http;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::changes::Changes;
use crate::diagnostic::{Diagnostic, Severity};
use crate::render::pdf::PageImage;

pub use http::MAX_CONNECTIONS;

/// The most pages open at once, each holding one event stream.
pub const MAX_STREAMS: usize = 16;

/// How often an idle event stream says it is alive, so that a closed page is noticed.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// What one rendering of the source gives the page.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// The languages the report is written in.
    pub languages: Vec<String>,
    /// Each language's pages; none when the source could not be rendered. A page's image is
    /// left out when the server has it already.
    pub pages: BTreeMap<String, Vec<PageImage>>,
    /// Whether the pages are a draft's: texts over their limit drawn, marked.
    pub draft: bool,
    pub diagnostics: Vec<Said>,
    pub counts: Vec<Counted>,
}

impl Snapshot {
    /// A snapshot of nothing but one error, in `file`.
    pub fn failed(file: &Path, message: String) -> Snapshot {
        Snapshot {
            diagnostics: vec![Said::from(&Diagnostic::error(file, message))],
            ..Snapshot::default()
        }
    }
}

/// A diagnostic as the page shows it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Said {
    pub severity: String,
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub field: Option<String>,
    pub message: String,
    pub notes: Vec<String>,
}

impl From<&Diagnostic> for Said {
    fn from(d: &Diagnostic) -> Said {
        Said {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .into(),
            file: d.file.display().to_string(),
            line: d.pos.map(|p| p.line),
            column: d.pos.map(|p| p.col),
            field: d.field.clone(),
            message: d.message.clone(),
            notes: d.notes.clone(),
        }
    }
}

/// One text the form limits, with its count, as `check --counts` prints it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Counted {
    pub field: String,
    pub lang: Option<String>,
    pub count: usize,
    pub limit: usize,
}

/// What the page shows now.
struct Shown {
    /// Counts the snapshots taken; the page asks for pages by it, so never shows stale ones.
    generation: u64,
    /// Each page's image by its hash. A page's address names its hash, so that the page
    /// fetches only the pages that changed, and never an image of another rendering.
    images: HashMap<String, String>,
    snapshot: Snapshot,
    /// Whether the pages are an earlier snapshot's: the source does not render now.
    stale: bool,
    /// Whether the counts are an earlier snapshot's: the source does not read now.
    counts_stale: bool,
}

/// The site: the page, its state and its pages.
struct Preview {
    host: String,
    /// Tells this run from an earlier one on the same port, whose page may still be open.
    run: String,
    source: String,
    /// The language shown first.
    first: Option<String>,
    shown: Mutex<Shown>,
    changed: Condvar,
    streams: AtomicUsize,
    stop: &'static AtomicBool,
}

/// The page: its script and style are in it, so nothing is fetched from the network.
const PAGE: &str = include_str!("page.html");

impl http::Site for Preview {
    fn host(&self) -> &str {
        &self.host
    }

    fn reply(&self, path: &str) -> http::Reply {
        let body = |kind, bytes| http::Reply::Body {
            status: 200,
            kind,
            bytes,
        };
        match path.split('/').collect::<Vec<_>>()[..] {
            ["", ""] => body("text/html; charset=utf-8", PAGE.as_bytes().to_vec()),
            ["", "state"] => body("application/json", self.state()),
            ["", "events"] if self.streams.load(Ordering::Acquire) >= MAX_STREAMS => {
                http::Reply::text(503, "too many pages open; close one\n")
            }
            ["", "events"] => http::Reply::Events,
            ["", "pages", lang, number, hash] => match self.page(lang, number, hash) {
                Some(svg) => body("image/svg+xml", svg.into_bytes()),
                None => http::Reply::text(404, "no such page\n"),
            },
            _ => http::Reply::text(404, "not found\n"),
        }
    }

    fn stream(&self, out: &mut dyn Write) {
        self.streams.fetch_add(1, Ordering::AcqRel);
        let mut sent = None;
        let mut shown = self.shown.lock().expect("never poisoned");
        while !self.stop.load(Ordering::Relaxed) {
            let now = shown.generation;
            let event = match sent == Some(now) {
                true => ": alive\n\n".to_string(),
                false => format!("data: {}:{now}\n\n", self.run),
            };
            drop(shown);
            if out
                .write_all(event.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                break;
            }
            sent = Some(now);
            shown = self.shown.lock().expect("never poisoned");
            if shown.generation == now {
                shown = self
                    .changed
                    .wait_timeout(shown, HEARTBEAT)
                    .expect("never poisoned")
                    .0;
            }
        }
        self.streams.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Preview {
    /// The state as JSON: everything but the pages themselves, which are fetched one by one.
    fn state(&self) -> Vec<u8> {
        let shown = self.shown.lock().expect("never poisoned");
        let snapshot = &shown.snapshot;
        let hashes = |pages: &Vec<PageImage>| pages.iter().map(|p| p.hash.clone()).collect();
        let pages: BTreeMap<&String, Vec<String>> =
            snapshot.pages.iter().map(|(l, p)| (l, hashes(p))).collect();
        let errors = snapshot
            .diagnostics
            .iter()
            .filter(|d| d.severity == "error")
            .count();
        serde_json::to_vec(&serde_json::json!({
            "run": self.run,
            "generation": shown.generation,
            "counts_stale": shown.counts_stale,
            "source": self.source,
            "first": self.first,
            "languages": snapshot.languages,
            "pages": pages,
            "draft": snapshot.draft,
            "stale": shown.stale,
            "errors": errors,
            "warnings": snapshot.diagnostics.len() - errors,
            "diagnostics": snapshot.diagnostics,
            "counts": snapshot.counts,
        }))
        .expect("serialises")
    }

    /// Page `number` (from 1) of `lang`, as SVG, if its hash is still `hash`.
    fn page(&self, lang: &str, number: &str, hash: &str) -> Option<String> {
        let index = number.parse::<usize>().ok()?.checked_sub(1)?;
        let shown = self.shown.lock().expect("never poisoned");
        let page = shown.snapshot.pages.get(lang)?.get(index)?;
        (page.hash == hash).then(|| shown.images.get(hash).cloned())?
    }

    /// The hashes of the pages whose images the server has.
    fn known(&self) -> BTreeSet<String> {
        let shown = self.shown.lock().expect("never poisoned");
        shown.images.keys().cloned().collect()
    }

    /// Shows `snapshot`; one without pages keeps the last pages on show.
    fn show(&self, mut snapshot: Snapshot) {
        let mut shown = self.shown.lock().expect("never poisoned");
        let stale = snapshot.pages.is_empty() && !shown.snapshot.pages.is_empty();
        let counts_stale = snapshot.counts.is_empty() && !shown.snapshot.counts.is_empty();
        if counts_stale {
            snapshot.counts = std::mem::take(&mut shown.snapshot.counts);
        }
        shown.counts_stale = counts_stale;
        if stale {
            snapshot.pages = std::mem::take(&mut shown.snapshot.pages);
            snapshot.languages = shown.snapshot.languages.clone();
            snapshot.draft = shown.snapshot.draft;
        }
        shown.generation += 1;
        if !stale {
            let mut before = std::mem::take(&mut shown.images);
            let mut images = HashMap::new();
            for page in snapshot.pages.values_mut().flatten() {
                let image = page.svg.take().or_else(|| {
                    before
                        .remove(&page.hash)
                        .or_else(|| images.get(&page.hash).cloned())
                });
                images.extend(image.map(|svg| (page.hash.clone(), svg)));
            }
            shown.images = images;
        }
        shown.snapshot = snapshot;
        shown.stale = stale;
        self.changed.notify_all();
    }
}

/// What `preview` is asked to show.
pub struct Options {
    pub source: PathBuf,
    pub lang: Option<String>,
    pub port: u16,
    /// The arguments that start the worker.
    pub worker: Vec<std::ffi::OsString>,
    /// Whether spelling is checked: the workspace's word lists are then watched too.
    pub spelling: bool,
}

/// Serves the preview of `options.source` until `stop` is set; the address is printed first.
pub fn serve(options: &Options, stop: &'static AtomicBool) -> crate::error::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", options.port)).map_err(|e| {
        crate::error::Error::usage(format!(
            "cannot listen on 127.0.0.1:{}: {e}; choose another --port, or none to take a free one",
            options.port
        ))
    })?;
    let address = listener
        .local_addr()
        .map_err(|e| crate::error::Error::usage(format!("cannot listen: {e}")))?;
    let preview = Arc::new(Preview {
        host: address.to_string(),
        run: run_id(),
        source: crate::terminal::path(&options.source).to_string(),
        first: options.lang.clone(),
        shown: Mutex::new(Shown {
            generation: 0,
            images: HashMap::new(),
            snapshot: Snapshot::default(),
            stale: false,
            counts_stale: false,
        }),
        changed: Condvar::new(),
        streams: AtomicUsize::new(0),
        stop,
    });
    let changes = Changes::watch_with(std::slice::from_ref(&options.source), options.spelling);
    let renderer = {
        let (preview, args) = (preview.clone(), options.worker.clone());
        std::thread::spawn(move || keep_rendering(&preview, changes, stop, &args))
    };
    let woken = wake_on_stop(stop, address);
    println!("http://{address}/");
    let _ = std::io::stdout().flush();
    crate::say!(
        "previewing {} at http://{address}/ ; Ctrl-C stops",
        preview.source
    );
    http::serve(&listener, preview.clone(), stop);
    preview.changed.notify_all();
    let _ = (renderer.join(), woken.join());
    Ok(())
}

/// Renders the source, then again at each change, until `stop`.
fn keep_rendering(preview: &Preview, mut changes: Changes, stop: &AtomicBool, args: &[OsString]) {
    let mut worker = None;
    loop {
        preview.show(render(&mut worker, &preview.known(), args, false));
        match changes.next(stop) {
            Some(changed) => crate::say!("changed: {changed}; rendering again"),
            None => return,
        }
    }
}

/// One snapshot from the worker, started when there is none; what went wrong, as a
/// diagnostic, when it could not give one (it is then started afresh the next time). A worker
/// that ended without a word is started again at once, unless it is `retried` already.
fn render(
    worker: &mut Option<Worker>,
    known: &BTreeSet<String>,
    args: &[OsString],
    retried: bool,
) -> Snapshot {
    let running = match worker {
        Some(running) => running,
        None => match Worker::start(args) {
            Ok(started) => worker.insert(started),
            Err(e) => {
                let said = format!("the rendering could not be started: {e}");
                return Snapshot::failed(Path::new(""), said);
            }
        },
    };
    match running.snapshot(known) {
        Ok(snapshot) => snapshot,
        // Ended without a word (killed from outside, or gone while idle): once more, afresh.
        Err(said) if said.trim().is_empty() && !retried => {
            *worker = None;
            render(worker, known, args, true)
        }
        Err(said) => {
            *worker = None;
            crate::say_raw!("{said}");
            let said = said.trim().trim_start_matches("error: ");
            let said = match said.is_empty() {
                true => "the rendering stopped without a word".into(),
                false => said.to_string(),
            };
            Snapshot::failed(Path::new(""), said)
        }
    }
}

/// `pbf-report preview --worker`: the process the renderings run in, apart from the server so
/// that a template over its budget ends it and not the server, and kept between renderings so
/// that typst's caches stay warm.
struct Worker {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    /// What it says on standard error, read as it comes so that it never blocks on it.
    said: Option<std::thread::JoinHandle<String>>,
}

impl Worker {
    fn start(args: &[OsString]) -> std::io::Result<Worker> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (Some(input), Some(output), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(std::io::Error::other("no pipe to the worker"));
        };
        let said = std::thread::spawn(move || {
            let mut said = Vec::new();
            let _ = std::io::Read::read_to_end(&mut stderr, &mut said);
            String::from_utf8_lossy(&said).into_owned()
        });
        Ok(Worker {
            child,
            input,
            output: BufReader::new(output),
            said: Some(said),
        })
    }

    /// Asks for one snapshot, telling which pages the server has; what the worker said as it
    /// ended when none comes.
    fn snapshot(&mut self, known: &BTreeSet<String>) -> Result<Snapshot, String> {
        let mut asked = serde_json::to_vec(known).expect("serialises");
        asked.push(b'\n');
        let sent = self
            .input
            .write_all(&asked)
            .and_then(|_| self.input.flush());
        let mut answer = String::new();
        if sent.is_ok()
            && self
                .output
                .read_line(&mut answer)
                .is_ok_and(|read| read > 0)
            && let Ok(snapshot) = serde_json::from_str(&answer)
        {
            return Ok(snapshot);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let said = self.said.take().and_then(|said| said.join().ok());
        Err(said.unwrap_or_default())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
/// This run's id: the process and the moment it started.
fn run_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}-{}", std::process::id(), now.as_nanos())
}

/// Once `stop` is set, ends the server's wait for a connection.
fn wake_on_stop(stop: &'static AtomicBool, address: SocketAddr) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
        }
        http::wake(address);
    })
}
