//! `pbf-report preview`: the report's pages in the browser, with what `check` says beside them,
//! kept up to date as the source is saved.
//!
//! The server renders nothing itself. On each change (`crate::changes`, as `build --watch`
//! sees them) it runs `pbf-report preview --snapshot` in a process of its own, so that a
//! template that runs over its budget ends that process, not the server; the snapshot (the
//! pages as SVG, the diagnostics, the counts) replaces what the page shows, and an event tells
//! the page to fetch it. A source that does not check keeps the last good pages on show.

mod http;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::changes::Changes;
use crate::diagnostic::{Diagnostic, Severity};

pub use http::MAX_CONNECTIONS;

/// The most pages open at once, each holding one event stream.
pub const MAX_STREAMS: usize = 16;

/// How often an idle event stream says it is alive, so that a closed page is noticed.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// What one rendering of the source gives the page.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// The languages the report is written in.
    pub languages: Vec<String>,
    /// Each language's pages as SVG; none when the source could not be rendered.
    pub pages: BTreeMap<String, Vec<String>>,
    /// Whether the pages are a draft's: texts over their limit drawn, marked.
    pub draft: bool,
    pub diagnostics: Vec<Said>,
    pub counts: Vec<Counted>,
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
    /// For each language, each page's mark: the generation in which it last changed. A page's
    /// address names it, so that the page fetches only the pages that changed, and never an
    /// image of another rendering.
    marks: BTreeMap<String, Vec<u64>>,
    snapshot: Snapshot,
    /// Whether the pages are an earlier snapshot's: the source does not render now.
    stale: bool,
}

/// The site: the page, its state and its pages.
struct Preview {
    host: String,
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
            ["", "pages", lang, number, mark] => match self.page(lang, number, mark) {
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
                false => format!("data: {now}\n\n"),
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
        let errors = snapshot
            .diagnostics
            .iter()
            .filter(|d| d.severity == "error")
            .count();
        serde_json::to_vec(&serde_json::json!({
            "generation": shown.generation,
            "source": self.source,
            "first": self.first,
            "languages": snapshot.languages,
            "pages": shown.marks,
            "draft": snapshot.draft,
            "stale": shown.stale,
            "errors": errors,
            "warnings": snapshot.diagnostics.len() - errors,
            "diagnostics": snapshot.diagnostics,
            "counts": snapshot.counts,
        }))
        .expect("serialises")
    }

    /// Page `number` (from 1) of `lang`, as SVG, if its mark is still `mark`.
    fn page(&self, lang: &str, number: &str, mark: &str) -> Option<String> {
        let index = number.parse::<usize>().ok()?.checked_sub(1)?;
        let shown = self.shown.lock().expect("never poisoned");
        if shown.marks.get(lang)?.get(index)?.to_string() != mark {
            return None;
        }
        shown.snapshot.pages.get(lang)?.get(index).cloned()
    }

    /// Shows `snapshot`; one without pages keeps the last pages on show.
    fn show(&self, mut snapshot: Snapshot) {
        let mut shown = self.shown.lock().expect("never poisoned");
        let stale = snapshot.pages.is_empty() && !shown.snapshot.pages.is_empty();
        if stale {
            snapshot.pages = std::mem::take(&mut shown.snapshot.pages);
            snapshot.languages = shown.snapshot.languages.clone();
            snapshot.draft = shown.snapshot.draft;
        }
        shown.generation += 1;
        if !stale {
            shown.marks = marks(&shown, &snapshot.pages);
        }
        shown.snapshot = snapshot;
        shown.stale = stale;
        self.changed.notify_all();
    }
}

/// Each page's mark in `pages`: kept from what is shown where the page is the same, else the
/// generation being shown.
fn marks(shown: &Shown, pages: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<u64>> {
    let next = shown.generation;
    pages
        .iter()
        .map(|(lang, pages)| {
            let before = shown.snapshot.pages.get(lang);
            let marks = shown.marks.get(lang);
            let kept = |i: usize, page: &String| {
                let same = before.and_then(|b| b.get(i)) == Some(page);
                marks.and_then(|m| m.get(i)).copied().filter(|_| same)
            };
            let marked = pages
                .iter()
                .enumerate()
                .map(|(i, page)| kept(i, page).unwrap_or(next))
                .collect();
            (lang.clone(), marked)
        })
        .collect()
}

/// What `preview` is asked to show.
pub struct Options {
    pub source: PathBuf,
    pub lang: Option<String>,
    pub port: u16,
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
        source: crate::terminal::path(&options.source).to_string(),
        first: options.lang.clone(),
        shown: Mutex::new(Shown {
            generation: 0,
            marks: BTreeMap::new(),
            snapshot: Snapshot::default(),
            stale: false,
        }),
        changed: Condvar::new(),
        streams: AtomicUsize::new(0),
        stop,
    });
    let changes = Changes::watch(std::slice::from_ref(&options.source));
    let renderer = {
        let preview = preview.clone();
        std::thread::spawn(move || keep_rendering(&preview, changes, stop))
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
fn keep_rendering(preview: &Preview, mut changes: Changes, stop: &AtomicBool) {
    loop {
        preview.show(snapshot_apart());
        match changes.next(stop) {
            Some(changed) => crate::say!("changed: {changed}; rendering again"),
            None => return,
        }
    }
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

/// The snapshot, taken by `preview --snapshot` in a process of its own; what went wrong, as a
/// diagnostic, when that process could not give one.
fn snapshot_apart() -> Snapshot {
    let args = std::env::args_os().skip(1);
    let run = std::env::current_exe().and_then(|program| {
        std::process::Command::new(program)
            .args(args)
            .arg("--snapshot")
            .stdin(std::process::Stdio::null())
            .output()
    });
    let failed = |message: String| Snapshot {
        diagnostics: vec![Said::from(&Diagnostic::error(Path::new(""), message))],
        ..Snapshot::default()
    };
    match run {
        Ok(output) => match serde_json::from_slice(&output.stdout) {
            Ok(snapshot) => snapshot,
            Err(_) => {
                let said = String::from_utf8_lossy(&output.stderr);
                crate::say_raw!("{said}");
                let said = said.trim().trim_start_matches("error: ").to_string();
                failed(match said.is_empty() {
                    true => "the rendering stopped without a word".into(),
                    false => said,
                })
            }
        },
        Err(e) => failed(format!("the rendering could not be started: {e}")),
    }
}
