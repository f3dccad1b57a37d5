//! The preview's web server: HTTP/1.1 on the loopback address, for the one person who runs it.
//! Requests are parsed by `httparse` (hyper's parser); around it, what a local server needs
//! to stay safe when any web page the person visits can send it requests: only the address it
//! printed in `Host` (a DNS-rebinding page names its own), nothing asked by another site's page
//! (`Sec-Fetch-Site`), GET and HEAD only, no body, a bounded
//! request head read within a bounded time, a bounded number of connections, one request each.
//! Nothing is ever read from disk by a path in the URL: the site answers its own routes only.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// The most a request's head (its line and headers) may hold.
const MAX_HEAD: usize = 16 * 1024;
/// The most headers a request may have.
const MAX_HEADERS: usize = 48;
/// The most connections answered at once; past it, each is told to come back (503).
pub const MAX_CONNECTIONS: usize = 64;
/// How long a client has to send its request head, and to take each write of the answer.
const HEAD_TIME: Duration = Duration::from_secs(5);
const WRITE_TIME: Duration = Duration::from_secs(10);

/// What the site answers.
pub enum Reply {
    /// A whole answer: its status, content type and body.
    Body {
        status: u16,
        kind: &'static str,
        bytes: Vec<u8>,
    },
    /// A stream of server-sent events, written by `Site::stream` until the client goes.
    Events,
}

impl Reply {
    pub fn text(status: u16, text: impl Into<String>) -> Reply {
        Reply::Body {
            status,
            kind: "text/plain; charset=utf-8",
            bytes: text.into().into_bytes(),
        }
    }
}

/// The routes a server answers.
pub trait Site: Send + Sync + 'static {
    /// The only `Host` a request may name, e.g. `127.0.0.1:7878`.
    fn host(&self) -> &str;
    /// The answer to a GET (or HEAD) of `path`, the URL's path without its query.
    fn reply(&self, path: &str) -> Reply;
    /// Writes events to `out` until it fails or the server stops.
    fn stream(&self, out: &mut dyn Write);
}

/// Answers connections on `listener` until `stop` is set (then `wake` ends the wait).
pub fn serve(listener: &TcpListener, site: Arc<impl Site>, stop: &AtomicBool) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let Ok(mut stream) = stream else { continue };
        if open.load(Ordering::Acquire) >= MAX_CONNECTIONS {
            let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
            let reply = Reply::text(503, "too many connections; try again\n");
            let _ = write_reply(&mut stream, &reply, false);
            continue;
        }
        let counted = Counted::new(open.clone());
        let site = site.clone();
        let started = std::thread::Builder::new()
            .name("preview connection".into())
            .spawn(move || {
                let _counted = counted;
                answer(stream, &*site);
            });
        // No thread to be had: the connection is dropped, and the server goes on.
        drop(started);
    }
}

/// Ends `serve`'s wait for the next connection, once `stop` is set.
pub fn wake(address: std::net::SocketAddr) {
    let _ = TcpStream::connect_timeout(&address, Duration::from_secs(1));
}

/// One open connection, counted for as long as it lives, whatever ends it.
struct Counted(Arc<AtomicUsize>);

impl Counted {
    fn new(open: Arc<AtomicUsize>) -> Counted {
        open.fetch_add(1, Ordering::AcqRel);
        Counted(open)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Reads one request and answers it.
fn answer(mut stream: TcpStream, site: &impl Site) {
    let _ = stream.set_read_timeout(Some(HEAD_TIME));
    let _ = stream.set_write_timeout(Some(WRITE_TIME));
    let head = match read_head(&mut stream) {
        Ok(head) => head,
        Err(Some(refusal)) => return finish(stream, &refusal, false),
        Err(None) => return,
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let reply = match request.parse(&head) {
        Ok(httparse::Status::Complete(_)) => refusal(&request, site.host()),
        Err(httparse::Error::TooManyHeaders) => Some(Reply::text(431, "too many headers\n")),
        _ => Some(Reply::text(400, "not an HTTP request\n")),
    };
    let head_only = request.method == Some("HEAD");
    if let Some(reply) = reply {
        return finish(stream, &reply, head_only);
    }
    let target = request.path.unwrap_or("/");
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    match site.reply(path) {
        Reply::Events => {
            if write_events_head(&mut stream).is_ok() {
                let _ = stream.set_write_timeout(Some(WRITE_TIME));
                site.stream(&mut stream);
            }
        }
        reply => finish(stream, &reply, head_only),
    }
}

/// What is wrong with a request, whatever it asks for.
fn refusal(request: &httparse::Request, host: &str) -> Option<Reply> {
    let named = |name: &'static str| {
        request
            .headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
    };
    let hosts: Vec<&[u8]> = named("host").map(|h| h.value).collect();
    // On port 80 a browser names the host without its port.
    let bare = host.strip_suffix(":80").map(str::as_bytes);
    if hosts != [host.as_bytes()] && (bare.is_none() || hosts != [bare.unwrap_or_default()]) {
        let said = format!("this server answers only as http://{host}/\n");
        return Some(Reply::text(403, said));
    }
    // A browser says where a request comes from: another site's page may not embed the pages,
    // read the state or hold an event stream open.
    let from_elsewhere =
        named("sec-fetch-site").any(|h| !matches!(h.value, b"same-origin" | b"none"));
    if from_elsewhere {
        return Some(Reply::text(
            403,
            "only the preview's own page may ask this\n",
        ));
    }
    if !matches!(request.method, Some("GET" | "HEAD")) {
        return Some(Reply::text(405, "only GET and HEAD are answered here\n"));
    }
    // Nothing here takes a body: one announced is refused before it is read.
    let length = named("content-length").any(|h| h.value.trim_ascii() != b"0");
    if length || named("transfer-encoding").next().is_some() {
        return Some(Reply::text(413, "no request here takes a body\n"));
    }
    if !request.path.is_some_and(|p| p.starts_with('/')) {
        return Some(Reply::text(400, "the path must start with /\n"));
    }
    None
}

/// The request's head, up to its blank line; `Err(Some(reply))` when it is too long, `Err(None)`
/// when the client went or was too slow.
fn read_head(stream: &mut TcpStream) -> Result<Vec<u8>, Option<Reply>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    // The whole head within HEAD_TIME, not each read: a client that sends a byte at a time
    // holds its place no longer than one that sends nothing.
    let start = std::time::Instant::now();
    loop {
        let left = HEAD_TIME.checked_sub(start.elapsed()).ok_or(None)?;
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .map_err(|_| None)?;
        let read = stream.read(&mut chunk).map_err(|_| None)?;
        if read == 0 {
            return Err(None);
        }
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..read]);
        // The blank line that ends the head, with or without carriage returns.
        let ends = [&b"\r\n\r\n"[..], b"\n\n", b"\n\r\n"];
        let end = ends.iter().find_map(|end| {
            let at = head[from..].windows(end.len()).position(|w| w == *end)?;
            Some(from + at + end.len())
        });
        if let Some(end) = end {
            head.truncate(end);
            return Ok(head);
        }
        if head.len() > MAX_HEAD {
            return Err(Some(Reply::text(431, "the request's head is too long\n")));
        }
    }
}

/// Writes a whole reply, then closes the connection without cutting the reply short.
fn finish(mut stream: TcpStream, reply: &Reply, head_only: bool) {
    if write_reply(&mut stream, reply, head_only).is_err() {
        return;
    }
    // What the client still sends (a body it was told not to) is read a little and dropped,
    // so that closing does not reset the connection before the reply is read.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 4096];
    for _ in 0..16 {
        match stream.read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}

fn write_reply(stream: &mut TcpStream, reply: &Reply, head_only: bool) -> std::io::Result<()> {
    let Reply::Body {
        status,
        kind,
        bytes,
    } = reply
    else {
        return Ok(());
    };
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n",
        reason(*status),
        bytes.len()
    );
    out.push_str(COMMON_HEADERS);
    if *status == 405 {
        out.push_str("Allow: GET, HEAD\r\n");
    }
    out.push_str("\r\n");
    let mut whole = out.into_bytes();
    if !head_only {
        whole.extend_from_slice(bytes);
    }
    stream.write_all(&whole)?;
    stream.flush()
}

fn write_events_head(stream: &mut TcpStream) -> std::io::Result<()> {
    let head =
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n{COMMON_HEADERS}\r\n");
    stream.write_all(head.as_bytes())?;
    stream.flush()
}

/// Every answer's: one request a connection, nothing kept by the browser, nothing loaded from
/// elsewhere, and the page in no other site's frame.
const COMMON_HEADERS: &str = "Connection: close\r\n\
    Cache-Control: no-store\r\n\
    X-Content-Type-Options: nosniff\r\n\
    Referrer-Policy: no-referrer\r\n\
    Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'\r\n";

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}
