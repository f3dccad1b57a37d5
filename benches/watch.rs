//! `cargo bench --bench watch`: how long a writer waits, from saving the source, to see the change
//! — in the preview (the event, the state, and every page that changed, fetched as the page
//! fetches them; then the same in chromium, until the new pages are drawn), and in the PDF that
//! `build --watch` writes. Both run the release binary on a copy
//! of the example, which is saved with one answer edited, then as it was, in turn.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

#[path = "shared/measure.rs"]
mod measure;
use measure::measure;

// The tests' browser; the benchmark does not take screenshots.
#[path = "../tests/testsuite/browser.rs"]
#[allow(dead_code)]
mod browser;

const EXAMPLE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";
const SAVES: usize = 20;
const HANG: Duration = Duration::from_secs(120);

/// A copy of the example in a folder of its own, and its two texts.
struct Workspace {
    dir: PathBuf,
    source: PathBuf,
    texts: [String; 2],
    saves: usize,
}

impl Workspace {
    fn new(name: &str) -> Workspace {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = std::env::temp_dir().join(format!("pbf-report-bench-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        let source = dir.join(EXAMPLE);
        std::fs::create_dir_all(source.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(root.join(EXAMPLE)).unwrap();
        let edited = text.replacen("ont été finalisées", "sont toutes finies", 1);
        std::fs::write(&source, &text).unwrap();
        // The example's word list, as its workspace has one: the report's place names.
        std::fs::copy(root.join("spelling.txt"), dir.join("spelling.txt")).unwrap();
        Workspace {
            dir,
            source,
            texts: [text, edited],
            saves: 0,
        }
    }

    /// Saves the source with the other of its two texts.
    fn save(&mut self) {
        self.saves += 1;
        std::fs::write(&self.source, &self.texts[self.saves % 2]).unwrap();
    }

    fn start(&self, args: &[&str]) -> Child {
        Command::new(env!("CARGO_BIN_EXE_pbf-report"))
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The lines a stream gives, as they come.
fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (send, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    lines
}

fn wait_for(lines: &Receiver<String>, text: &str) {
    loop {
        let line = lines.recv_timeout(HANG).expect("the program went quiet");
        if line.contains(text) {
            return;
        }
    }
}

/// Waits for the event that says rendering `generation` is shown (`data: <run>:<generation>`).
fn rendered(events: &Receiver<String>, generation: u64) {
    loop {
        let line = events.recv_timeout(HANG).expect("the preview went quiet");
        if line.starts_with("data: ") && line.ends_with(&format!(":{generation}")) {
            return;
        }
    }
}

fn get(address: &str, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    answer[end + 4..].to_vec()
}

/// The preview run with `args`, its changed pages fetched as the page fetches them.
fn preview(name: &str, args: &[&str]) {
    let mut workspace = Workspace::new("preview");
    let mut child = workspace.start(args);
    let _said = lines(child.stderr.take().unwrap());
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let address = first
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let address = address.to_string();
    let mut events = TcpStream::connect(&address).unwrap();
    write!(events, "GET /events HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let events = lines(events);
    rendered(&events, 1);
    let mut generation = 1;
    // The pages the page has: it fetches those it has not, as named by their hash.
    let mut shown = std::collections::HashSet::new();
    measure(
        &format!("{name}: save → the changed pages served"),
        SAVES,
        || {
            workspace.save();
            generation += 1;
            rendered(&events, generation);
            let state: serde_json::Value =
                serde_json::from_slice(&get(&address, "/state")).unwrap();
            let hashes = state["pages"]["fr"].as_array().unwrap();
            let mut fetched = 0;
            for (i, hash) in hashes.iter().enumerate() {
                let hash = hash.as_str().unwrap();
                if !shown.contains(hash) {
                    let svg = get(&address, &format!("/pages/fr/{}/{hash}", i + 1));
                    assert!(svg.starts_with(b"<svg"));
                    fetched += 1;
                }
            }
            assert!(fetched > 0, "no page changed");
            shown = hashes
                .iter()
                .map(|h| h.as_str().unwrap().to_string())
                .collect();
        },
    );
    drop(child.stdin.take());
    child.wait().unwrap();
}

/// The preview's page in chromium, from a save until its new pages are decoded and in place.
fn preview_in_browser() {
    let mut workspace = Workspace::new("browser");
    let mut child = workspace.start(&["preview", "--lang", "fr"]);
    let _said = lines(child.stderr.take().unwrap());
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let mut page = browser::Browser::open(first.trim());
    page.wait_until("Number(document.body.dataset.generation) >= 1");
    let mut generation = 1;
    measure(
        "preview: save → the changed pages drawn in chromium",
        SAVES,
        || {
            workspace.save();
            generation += 1;
            page.eval(&format!(
                "new Promise((done) => {{ const look = () => \
             Number(document.body.dataset.generation) >= {generation} ? done(true) : \
             setTimeout(look, 1); look(); }})"
            ));
        },
    );
    drop(page);
    drop(child.stdin.take());
    child.wait().unwrap();
}

fn build_watch() {
    let mut workspace = Workspace::new("watch");
    let mut child = workspace.start(&["build", "--watch"]);
    let said = lines(child.stderr.take().unwrap());
    wait_for(&said, "watching for changes");
    measure(
        "build --watch: save → both PDFs and workbooks written",
        SAVES,
        || {
            workspace.save();
            wait_for(&said, "built 1 of 1 source");
        },
    );
    drop(child.stdin.take());
    child.wait().unwrap();
}

fn main() {
    preview("preview", &["preview", "--lang", "fr"]);
    preview(
        "preview --spelling",
        &["preview", "--lang", "fr", "--spelling"],
    );
    preview_in_browser();
    build_watch();
}
