//! `preview`, driven as a writer uses it: the page open in a real browser (Debian's chromium,
//! headless, spoken to over the DevTools protocol on a pipe) while the source is edited, broken
//! and mended; and attacked as any web page the writer visits could attack it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::archive::workspace;
use crate::browser::Browser;
use crate::common::{Run, root};

/// Only a guard against a hung program: each step normally takes well under a second.
const HANG: Duration = Duration::from_secs(120);

/// A running `pbf-report preview`.
struct Preview {
    child: Child,
    /// `127.0.0.1:port`
    address: String,
}

impl Preview {
    fn start(dir: &Path, args: &[&str]) -> Preview {
        Preview::start_with(dir, args, &[])
    }

    fn start_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Preview {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pbf-report"))
            .arg("preview")
            .args(args)
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("no address printed: {line:?}"))
            .to_string();
        let preview = Preview { child, address };
        preview.wait_for_generation(1);
        preview
    }

    fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// GET `path` as the page does; the status and body.
    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        self.ask(format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        ))
    }

    /// Sends `request` as it is; the status and body of the answer (status 0: none).
    fn ask(&self, request: impl AsRef<[u8]>) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(HANG)).unwrap();
        let _ = stream.write_all(request.as_ref());
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = match answer.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(end) => answer[end + 4..].to_vec(),
            None => Vec::new(),
        };
        (status, body)
    }

    fn state(&self) -> Value {
        let (status, body) = self.get("/state");
        assert_eq!(status, 200);
        serde_json::from_slice(&body).unwrap()
    }

    fn wait_for_generation(&self, generation: u64) -> Value {
        let start = Instant::now();
        loop {
            let state = self.state();
            if state["generation"].as_u64().unwrap() >= generation {
                return state;
            }
            assert!(start.elapsed() < HANG, "no rendering {generation}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Closes standard input, which ends the preview; its exit status.
    fn stop(mut self) -> i32 {
        drop(self.child.stdin.take());
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

const SOURCE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";

/// The example's text with one edit.
fn edited(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(root().join(SOURCE)).unwrap();
    assert!(text.contains(from));
    text.replacen(from, to, 1)
}

/// A fingerprint of each page image's pixels as the browser drew them.
const PIXELS: &str = r#"Promise.all([...document.querySelectorAll('#pages img')].map(async (img) => {
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let hash = 0;
  for (let i = 0; i < data.length; i += 4) hash = (hash * 31 + data[i] + data[i + 1] * 7 + data[i + 2] * 13) | 0;
  return hash;
}))"#;

#[test]
fn the_page_shows_the_report_and_follows_each_save() {
    let (dir, source) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let pdf = dir
        .path()
        .join(crate::archive::FOLDER)
        .join("pbf-irf-217-2019-11-12-final.fr.pdf");
    let info = crate::common::tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let pdf_pages: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let preview = Preview::start(dir.path(), &["--lang", "fr"]);
    let mut browser = Browser::open(&preview.url());

    // Loaded: as many pages as the PDF, the counts, no problem.
    browser.wait_until(&format!(
        "document.querySelectorAll('#pages img').length === {pdf_pages} && \
         [...document.querySelectorAll('#pages img')].every(i => i.complete && i.naturalWidth > 0)"
    ));
    let counts = browser.eval("document.querySelector('#counts').innerText");
    let counts = counts.as_str().unwrap();
    assert!(
        counts.contains("progress.status") && counts.contains("1385"),
        "{counts}"
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#diagnostics li').length"),
        json!(0)
    );
    browser.screenshot("1-loaded");

    // An edit of an answer: the pages that hold it change, the cover does not, and the view
    // stays where the writer had scrolled.
    let before = browser.eval(PIXELS);
    browser.eval("document.querySelector('#pages').scrollTop = 1500");
    browser.eval("window.cover = document.querySelector('#pages img'); true");
    let generation = preview.state()["generation"].as_u64().unwrap();
    std::fs::write(
        &source,
        edited(
            "Les activités du projet PBF IRF 217 ont été finalisées",
            "Toutes les activités du projet PBF IRF 217 sont finies, à temps",
        ),
    )
    .unwrap();
    browser.wait_until(&format!(
        "Number(document.body.dataset.generation) > {generation}"
    ));
    let after = browser.eval(PIXELS);
    let (before, after) = (before.as_array().unwrap(), after.as_array().unwrap());
    assert_eq!(before.len(), after.len());
    assert_eq!(before[0], after[0], "the cover changed");
    // A page that did not change is not fetched again.
    assert_eq!(
        browser.eval("window.cover === document.querySelector('#pages img')"),
        json!(true)
    );
    assert!(
        before.iter().zip(after).any(|(b, a)| b != a),
        "no page changed"
    );
    assert_eq!(
        browser.eval("document.querySelector('#pages').scrollTop"),
        json!(1500)
    );
    let counts = crate::common::squash(&counts_text(&mut browser));
    assert!(
        counts.contains("progress.status13941500106"),
        "the count did not follow: {counts}"
    );
    browser.screenshot("2-edited");

    // A syntax error: said in the panel at its line; the last good pages stay.
    let generation = preview.state()["generation"].as_u64().unwrap();
    let pages = browser.eval("[...document.querySelectorAll('#pages img')].map(i => i.src)");
    std::fs::write(&source, edited("country: Mali", "country: [Mali")).unwrap();
    browser.wait_until(&format!(
        "Number(document.body.dataset.generation) > {generation}"
    ));
    let problems = browser.eval("document.querySelector('#diagnostics').innerText");
    let problems = problems.as_str().unwrap();
    assert!(
        problems.contains(&format!("{SOURCE}:16:")) && problems.contains("cover.country"),
        "{problems}"
    );
    assert_eq!(
        browser.eval("[...document.querySelectorAll('#pages img')].map(i => i.src)"),
        pages
    );
    let status = browser.eval("document.querySelector('#status').innerText");
    assert!(
        status.as_str().unwrap().contains("the last ones that did"),
        "{status}"
    );
    browser.screenshot("3-broken");

    // Mended: the panel is clear again.
    let generation = preview.state()["generation"].as_u64().unwrap();
    std::fs::write(&source, edited("country: Mali", "country: Mali (fixed)")).unwrap();
    browser.wait_until(&format!(
        "Number(document.body.dataset.generation) > {generation}"
    ));
    assert_eq!(
        browser.eval("document.querySelectorAll('#diagnostics li').length"),
        json!(0)
    );
    assert_eq!(
        browser.eval("document.querySelector('.notice.stale') === null"),
        json!(true)
    );
    browser.screenshot("4-mended");
    drop(browser);
    assert_eq!(preview.stop(), 0);
}

fn counts_text(browser: &mut Browser) -> String {
    let text = browser.eval("document.querySelector('#counts').innerText");
    text.as_str().unwrap().to_string()
}

/// The answers the server must still give after each attack.
fn still_answers(preview: &Preview) {
    let (status, body) = preview.get("/");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("<title>pbf-report preview</title>"));
    assert_eq!(preview.state()["errors"], json!(0));
}

#[test]
fn no_file_is_served_by_a_path_in_the_url() {
    let (dir, _) = workspace();
    let preview = Preview::start(dir.path(), &[]);
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/pages/fr/..%2f..%2fdata/1",
        "/pages/../data/pbf-irf-217/2019-11-12-final.yaml",
        "/data/pbf-irf-217/2019-11-12-final.yaml",
        "//etc/passwd",
        "/state/../../etc/passwd",
        "/pages/fr/0/1",
        "/pages/fr/99/1",
        "/pages/fr/1/999",
        "/pages/de/1/1",
        "/pages/fr/-1/1",
    ] {
        let (status, body) = preview.get(path);
        assert_eq!(status, 404, "{path}: {}", String::from_utf8_lossy(&body));
    }
    // Not a path at all.
    let (status, _) = preview.ask(format!(
        "GET http://evil.example/ HTTP/1.1\r\nHost: {}\r\n\r\n",
        preview.address
    ));
    assert_eq!(status, 400);
    still_answers(&preview);
    assert_eq!(preview.stop(), 0);
}

#[test]
fn a_request_from_elsewhere_is_refused() {
    let (dir, _) = workspace();
    let preview = Preview::start(dir.path(), &[]);
    let address = preview.address.clone();
    let port = address.rsplit(':').next().unwrap();
    let refused = [
        // DNS rebinding: the attacker's name, resolved to 127.0.0.1.
        "GET /state HTTP/1.1\r\nHost: evil.example\r\n\r\n".to_string(),
        format!("GET /state HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n"),
        format!("GET /state HTTP/1.1\r\nHost: localhost.evil.example:{port}\r\n\r\n"),
        "GET /state HTTP/1.1\r\n\r\n".to_string(),
        format!("GET /state HTTP/1.1\r\nHost: {address}\r\nHost: evil.example\r\n\r\n"),
        // Another site's page, in a browser that says so.
        format!("GET /state HTTP/1.1\r\nHost: {address}\r\nSec-Fetch-Site: cross-site\r\n\r\n"),
        format!("GET /events HTTP/1.1\r\nHost: {address}\r\nSec-Fetch-Site: same-site\r\n\r\n"),
    ];
    for request in &refused {
        let (status, _) = preview.ask(request);
        assert_eq!(status, 403, "{request:?}");
    }
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT"] {
        let (status, _) = preview.ask(format!(
            "{method} /state HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\n\r\n"
        ));
        assert_eq!(status, 405, "{method}");
    }
    // The page's own requests, and a HEAD, are answered.
    let (status, body) = preview.ask(format!(
        "HEAD / HTTP/1.1\r\nHost: {address}\r\nSec-Fetch-Site: none\r\n\r\n"
    ));
    assert_eq!((status, body.len()), (200, 0));
    let (status, _) = preview.ask(format!(
        "GET /state HTTP/1.1\r\nHost: {address}\r\nSec-Fetch-Site: same-origin\r\n\r\n"
    ));
    assert_eq!(status, 200);
    still_answers(&preview);
    assert_eq!(preview.stop(), 0);
}

#[test]
fn large_requests_and_many_connections_are_bounded() {
    let (dir, _) = workspace();
    let preview = Preview::start(dir.path(), &[]);
    let address = preview.address.clone();
    let ten_mb = 10 * 1024 * 1024;
    // A 10 MB header, a 10 MB body, and a head without end.
    let header = format!(
        "GET /state HTTP/1.1\r\nHost: {address}\r\nX-Big: {}\r\n\r\n",
        "a".repeat(ten_mb)
    );
    assert_eq!(preview.ask(header).0, 431);
    let body = format!(
        "POST /state HTTP/1.1\r\nHost: {address}\r\nContent-Length: {ten_mb}\r\n\r\n{}",
        "a".repeat(ten_mb)
    );
    let (status, _) = preview.ask(body);
    assert!(matches!(status, 405 | 0), "{status}");
    let get_body = format!(
        "GET /state HTTP/1.1\r\nHost: {address}\r\nContent-Length: {ten_mb}\r\n\r\n{}",
        "a".repeat(ten_mb)
    );
    let (status, _) = preview.ask(get_body);
    assert!(matches!(status, 413 | 0), "{status}");
    let many_headers: String = (0..100).map(|i| format!("X-{i}: {i}\r\n")).collect();
    let (status, _) = preview.ask(format!(
        "GET /state HTTP/1.1\r\nHost: {address}\r\n{many_headers}\r\n"
    ));
    assert_eq!(status, 431);
    still_answers(&preview);

    // 500 connections that send nothing: the server holds a bounded number, tells the rest
    // to come back, and answers again once they are gone.
    let open: Vec<TcpStream> = (0..500)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    let (status, _) = preview.get("/state");
    assert_eq!(status, 503);
    // 16 event streams at most; the 17th is told to come back.
    drop(open);
    let start = Instant::now();
    while preview.get("/state").0 != 200 {
        assert!(start.elapsed() < HANG, "the server no longer answers");
        std::thread::sleep(Duration::from_millis(100));
    }
    let streams: Vec<TcpStream> = (0..pbf_report::preview::MAX_STREAMS)
        .map(|_| {
            let mut s = TcpStream::connect(&address).unwrap();
            write!(s, "GET /events HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
            let mut first = [0u8; 12];
            s.read_exact(&mut first).unwrap();
            assert_eq!(&first, b"HTTP/1.1 200");
            s
        })
        .collect();
    assert_eq!(preview.get("/events").0, 503);
    drop(streams);
    still_answers(&preview);
    assert_eq!(preview.stop(), 0);
}

#[test]
fn the_page_loads_nothing_from_the_network() {
    let (dir, _) = workspace();
    let preview = Preview::start(dir.path(), &[]);
    let (_, page) = preview.get("/");
    let page = String::from_utf8(page).unwrap();
    for outside in [
        "http:",
        "https:",
        "src=\"//",
        "href=\"//",
        "@import",
        "url(",
    ] {
        assert!(!page.contains(outside), "the page names {outside}");
    }
    let mut stream = TcpStream::connect(&preview.address).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {}\r\n\r\n",
        preview.address
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let head = answer.split("\r\n\r\n").next().unwrap();
    assert!(
        head.contains("Content-Security-Policy: default-src 'none';"),
        "{head}"
    );
    assert_eq!(preview.stop(), 0);
}

/// Ctrl-C, or a termination signal, ends the server with status 0, and its address is free
/// again.
#[test]
fn an_interrupt_ends_the_preview_cleanly() {
    let (dir, _) = workspace();
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let preview = Preview::start(dir.path(), &[]);
        let address = preview.address.clone();
        let mut child = preview.child;
        // SAFETY: a signal sent to a child this test started.
        assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{signal}: {status:?}");
        assert!(TcpStream::connect(&address).is_err());
        assert!(std::net::TcpListener::bind(&address).is_ok());
    }
}

/// A workspace template that loops ends its rendering within the budget, said in the panel;
/// the server goes on, and shows the pages once the template is mended.
#[test]
fn a_template_over_its_budget_ends_its_rendering_and_not_the_server() {
    let (dir, _) = workspace();
    let (layout, text) = crate::common::looping_layout(dir.path());
    let preview = Preview::start_with(dir.path(), &[], &[("PBF_REPORT_TIME_LIMIT", "2")]);
    let state = preview.state();
    let said = state["diagnostics"][0]["message"].as_str().unwrap();
    assert!(said.contains("ran for more than 2 s"), "{state}");
    assert_eq!(state["pages"], json!({}));
    std::fs::write(&layout, [b"// mended\n", &text[..]].concat()).unwrap();
    let state = preview.wait_for_generation(2);
    assert_eq!(state["errors"], json!(0), "{state}");
    assert!(state["pages"]["fr"].as_array().unwrap().len() > 5);
    assert_eq!(preview.stop(), 0);
}

/// With --spelling, the panel lists the unknown words, at their line, as `check` does.
#[test]
fn the_panel_lists_the_spelling_mistakes() {
    let (dir, source) = workspace();
    std::fs::write(&source, edited("ont été finalisées", "ont été finaliséees")).unwrap();
    let preview = Preview::start(dir.path(), &["--spelling"]);
    let state = preview.state();
    let said: Vec<&Value> = state["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("finaliséees"))
        .collect();
    assert_eq!(said.len(), 1, "{state}");
    assert_eq!(said[0]["severity"], json!("warning"));
    assert_eq!(said[0]["line"], json!(60));
    assert_eq!(said[0]["field"], json!("progress.status.fr"));
    // A word added to the workspace's word list is silenced at once.
    std::fs::write(dir.path().join("spelling.fr.txt"), "finaliséees\n").unwrap();
    let state = preview.wait_for_generation(2);
    assert!(!state.to_string().contains("finaliséees"), "{state}");
    assert_eq!(preview.stop(), 0);
}

/// The report's text, and a source's keys, are shown in the page as text, never run as markup.
#[test]
fn text_from_the_source_is_never_markup_in_the_page() {
    let (dir, source) = workspace();
    let hostile = "\"<img src=x onerror=\\\"document.title='pwned'\\\"><b>bold</b>\": 1\n";
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, format!("{text}{hostile}")).unwrap();
    let preview = Preview::start(dir.path(), &[]);
    let mut browser = Browser::open(&preview.url());
    browser.wait_until("document.querySelectorAll('#diagnostics li').length > 0");
    let panel = browser.eval("document.querySelector('#diagnostics').innerText");
    assert!(panel.as_str().unwrap().contains("<b>bold</b>"), "{panel}");
    assert_eq!(
        browser.eval("document.querySelector('#panel img, #panel b') === null"),
        json!(true)
    );
    assert_eq!(browser.eval("document.title"), json!("pbf-report preview"));
    drop(browser);
    assert_eq!(preview.stop(), 0);
}

#[test]
fn the_source_is_named_when_there_are_several() {
    let (dir, source) = workspace();
    std::fs::copy(&source, source.with_file_name("2020-05-01-draft.yaml")).unwrap();
    Run::new(&["preview"])
        .cwd(dir.path())
        .status(2)
        .stderr_has("2 report sources")
        .stderr_has("name the one to preview")
        .run();
    Run::new(&["preview", "data/nothing.yaml"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("data/nothing.yaml")
        .run();
    // A port taken is said, with what to do.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    Run::new(&["preview", source.to_str().unwrap(), "--port", &port])
        .cwd(dir.path())
        .status(2)
        .stderr_has("choose another --port")
        .run();
}

/// A source that does not check from the start shows its errors, and no pages yet.
#[test]
fn a_source_that_never_built_shows_its_errors() {
    let (dir, source) = workspace();
    std::fs::write(&source, edited("country: Mali", "country: [Mali")).unwrap();
    let preview = Preview::start(dir.path(), &[]);
    let state = preview.state();
    assert_eq!(state["pages"], json!({}));
    assert_eq!(state["stale"], json!(false));
    assert_eq!(state["errors"], json!(1));
    assert_eq!(state["diagnostics"][0]["line"], json!(16));
    assert_eq!(state["diagnostics"][0]["field"], json!("cover.country"));
    assert_eq!(preview.stop(), 0);
}

/// A text over its limit is drawn as a draft draws it, and said as the error a build gives.
#[test]
fn a_text_over_its_limit_is_drawn_as_a_draft() {
    let (dir, source) = workspace();
    let text = edited(
        "Les activités du projet PBF IRF 217 ont été finalisées",
        &format!("{} Les activités", "Trop long. ".repeat(20)),
    );
    std::fs::write(&source, text).unwrap();
    let preview = Preview::start(dir.path(), &[]);
    let state = preview.state();
    assert_eq!(state["draft"], json!(true));
    assert_eq!(state["errors"], json!(1));
    assert_eq!(
        state["diagnostics"][0]["field"],
        json!("progress.status (fr)")
    );
    assert!(state["pages"]["fr"].as_array().unwrap().len() > 5);
    let first = state["pages"]["fr"][0].as_str().unwrap();
    let (status, svg) = preview.get(&format!("/pages/fr/1/{first}"));
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&svg).starts_with("<svg"));
    assert_eq!(preview.stop(), 0);
}

/// The source announced is the one shown, whatever appears beside it later; `--lang` for a
/// language the report is not written in is said.
#[test]
fn the_source_announced_is_the_one_shown() {
    let (dir, source) = workspace();
    let preview = Preview::start(dir.path(), &["--lang", "de"]);
    let state = preview.state();
    let said = state["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        said.contains("not written in `de`, but in fr, en"),
        "{state}"
    );
    let other = dir.path().join("data/other/2020-01-01-final.yaml");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::write(&other, edited("country: Mali", "country: Niger")).unwrap();
    std::fs::write(&source, edited("country: Mali", "country: Mali (edited)")).unwrap();
    let state = preview.wait_for_generation(2);
    assert_eq!(state["errors"], json!(0), "{state}");
    assert_eq!(state["source"], json!(SOURCE));
    // Removed, it is said missing; put back as it was, it is shown again.
    let text = std::fs::read(&source).unwrap();
    std::fs::remove_file(&source).unwrap();
    let state = preview.wait_for_generation(3);
    assert_eq!(state["errors"], json!(1), "{state}");
    std::fs::write(&source, text).unwrap();
    let state = preview.wait_for_generation(4);
    assert_eq!(state["errors"], json!(0), "{state}");
    assert_eq!(state["stale"], json!(false));
    assert_eq!(preview.stop(), 0);
}

/// A page refused an event stream (too many open) keeps trying, and follows once it holds one.
#[test]
fn a_page_refused_a_stream_follows_once_one_is_free() {
    let (dir, _) = workspace();
    let preview = Preview::start(dir.path(), &[]);
    let address = preview.address.clone();
    let streams: Vec<TcpStream> = (0..pbf_report::preview::MAX_STREAMS)
        .map(|_| {
            let mut s = TcpStream::connect(&address).unwrap();
            write!(s, "GET /events HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
            let mut first = [0u8; 12];
            s.read_exact(&mut first).unwrap();
            s
        })
        .collect();
    let mut browser = Browser::open(&preview.url());
    // The state is fetched all the same.
    browser.wait_until("Number(document.body.dataset.generation) >= 1");
    browser.wait_until("document.querySelector('.notice.offline') !== null");
    drop(streams);
    browser.wait_until("document.querySelector('.notice.offline') === null");
    drop(browser);
    assert_eq!(preview.stop(), 0);
}

/// Each event names the run, so that a page left open across a restart on the same port fetches
/// the new run's state.
#[test]
fn events_name_their_run() {
    let (dir, _) = workspace();
    let first_event = |preview: &Preview| {
        let mut s = TcpStream::connect(&preview.address).unwrap();
        write!(
            s,
            "GET /events HTTP/1.1\r\nHost: {}\r\n\r\n",
            preview.address
        )
        .unwrap();
        let mut lines = BufReader::new(s).lines().map_while(Result::ok);
        lines
            .find_map(|l| l.strip_prefix("data: ").map(str::to_string))
            .unwrap()
    };
    let preview = Preview::start(dir.path(), &[]);
    let port = preview.address.rsplit(':').next().unwrap().to_string();
    let first = first_event(&preview);
    assert_eq!(preview.stop(), 0);
    let preview = Preview::start(dir.path(), &["--port", &port]);
    let second = first_event(&preview);
    assert_ne!(first, second);
    assert!(
        first.ends_with(":1") && second.ends_with(":1"),
        "{first} {second}"
    );
    // A request whose lines end without a carriage return is answered too.
    let (status, _) = preview.ask(format!(
        "GET /state HTTP/1.1\nHost: {}\n\n",
        preview.address
    ));
    assert_eq!(status, 200);
    assert_eq!(preview.stop(), 0);
}

/// The processes whose parent is `pid`.
fn children(pid: u32) -> Vec<i32> {
    let entries = std::fs::read_dir("/proc").unwrap().flatten();
    entries
        .filter_map(|e| {
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // pid (comm) state ppid …: the name may hold spaces, so read after its ')'.
            let after = stat.rsplit_once(')')?.1;
            let ppid: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == pid).then(|| e.file_name().to_str()?.parse().ok())?
        })
        .collect()
}

/// A worker killed from outside is started again at the next save, which renders as usual.
#[test]
fn a_worker_killed_from_outside_is_started_again() {
    let (dir, source) = workspace();
    let preview = Preview::start(dir.path(), &[]);
    let workers = children(preview.child.id());
    assert_eq!(workers.len(), 1, "{workers:?}");
    // SAFETY: a signal to a process this test's child started.
    assert_eq!(unsafe { libc::kill(workers[0], libc::SIGKILL) }, 0);
    std::fs::write(&source, edited("country: Mali", "country: Mali (again)")).unwrap();
    let state = preview.wait_for_generation(2);
    assert_eq!(state["errors"], json!(0), "{state}");
    assert_eq!(state["stale"], json!(false));
    assert_eq!(preview.stop(), 0);
}

/// A source whose name starts with a dash is previewed by its name, after `--`.
#[test]
fn a_source_named_like_an_option_is_read_as_a_name() {
    let (dir, source) = workspace();
    std::fs::copy(&source, dir.path().join("-x.yaml")).unwrap();
    std::fs::remove_file(&source).unwrap();
    let preview = Preview::start(dir.path(), &["--", "-x.yaml"]);
    let state = preview.state();
    assert_eq!(state["source"], json!("-x.yaml"));
    let said = state["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        said.contains("the file name names the report version"),
        "{state}"
    );
    // As `build` refuses it, so does the preview: the name is said, and no page drawn.
    assert_eq!(state["pages"], json!({}));
    assert_eq!(preview.stop(), 0);
}

/// A client that sends its request a byte at a time is let go once the head's time is up, as
/// one that sends nothing is.
#[test]
fn a_request_sent_a_byte_at_a_time_is_let_go() {
    let (dir, _) = workspace();
    let preview = Preview::start(dir.path(), &[]);
    let mut slow = TcpStream::connect(&preview.address).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let start = Instant::now();
    let mut closed = false;
    while start.elapsed() < Duration::from_secs(30) {
        if slow.write_all(b"G").is_err() {
            closed = true;
            break;
        }
        let mut byte = [0u8; 1];
        if matches!(slow.read(&mut byte), Ok(0)) {
            closed = true;
            break;
        }
    }
    assert!(closed, "still held after {:?}", start.elapsed());
    still_answers(&preview);
    assert_eq!(preview.stop(), 0);
}

/// A source that is a link is followed to the file it names: an edit there is shown.
#[test]
fn an_edit_through_a_linked_source_is_shown() {
    let (dir, source) = workspace();
    let real = dir.path().join("drafts/2019-11-12-final.yaml");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::rename(&source, &real).unwrap();
    std::os::unix::fs::symlink(&real, &source).unwrap();
    let preview = Preview::start(dir.path(), &[SOURCE]);
    assert_eq!(preview.state()["errors"], json!(0));
    std::fs::write(&real, edited("country: Mali", "country: [Mali")).unwrap();
    let state = preview.wait_for_generation(2);
    assert_eq!(state["errors"], json!(1), "{state}");
    assert_eq!(preview.stop(), 0);
}
