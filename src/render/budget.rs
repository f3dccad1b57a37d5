//! A template is code, and code may loop or allocate without end. Every compile, and the
//! rendering of a workspace's `new` skeleton, runs under a budget of time and memory: a watchdog ends the program with exit 3, naming the template,
//! once a compile has run too long or the program holds too much memory. Every output is
//! written to a temporary name and renamed, so a run ended this way leaves nothing half
//! written, as a killed one does not.
//!
//! The budgets are far above any real report's (a 200-page report compiles in seconds and a
//! few hundred MiB); `PBF_REPORT_TIME_LIMIT` (seconds) and `PBF_REPORT_MEMORY_LIMIT` (MiB)
//! change them.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What runs under the budget now, by the order it started in.
static RUNNING: Mutex<BTreeMap<u64, Watched>> = Mutex::new(BTreeMap::new());
static NEXT: AtomicU64 = AtomicU64::new(0);

const TIME_LIMIT: u64 = 120;
const MEMORY_LIMIT_MIB: u64 = 4096;

/// A compile under the budget, for as long as it lives.
pub struct Guard {
    id: u64,
}

/// One piece of work under the budget, and what its message says when it runs over.
struct Watched {
    start: Instant,
    /// The file, as messages show it.
    what: String,
    /// What ran over: "the template", "reading it".
    subject: &'static str,
    /// Why it may have, for the person reading the message.
    why: &'static str,
    status: crate::error::Status,
}

/// Puts the compile of `template` under the budget.
pub fn guard(template: String) -> Guard {
    watch_over(Watched {
        start: Instant::now(),
        what: template,
        subject: "the template",
        why: "does it loop or allocate without end?",
        status: crate::error::Status::Internal,
    })
}

/// Puts the reading of the input `file` (a PDF's objects) under the budget: one made to
/// exhaust memory is refused as input.
pub fn reading(file: String) -> Guard {
    watch_over(Watched {
        start: Instant::now(),
        what: file,
        subject: "reading it",
        why: "no report needs that much; it may be made to exhaust the machine",
        status: crate::error::Status::Invalid,
    })
}

fn watch_over(watched: Watched) -> Guard {
    static WATCHDOG: std::sync::Once = std::sync::Once::new();
    WATCHDOG.call_once(|| {
        std::thread::spawn(watch);
    });
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    running().insert(id, watched);
    Guard { id }
}

impl Drop for Guard {
    fn drop(&mut self) {
        running().remove(&self.id);
    }
}

fn running() -> std::sync::MutexGuard<'static, BTreeMap<u64, Watched>> {
    RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The budget `variable` sets, or `default` when it is not set; `Err` when it is set to anything
/// but a whole number above zero, which would otherwise leave a budget other than the one meant.
fn read_limit(variable: &str, default: u64) -> Result<u64, String> {
    let Some(value) = std::env::var_os(variable) else {
        return Ok(default);
    };
    let text = value.to_string_lossy();
    match text.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{variable}={}: give a whole number above zero ({}), or unset it for {default}",
            crate::terminal::line(&text),
            match variable {
                "PBF_REPORT_TIME_LIMIT" => "seconds",
                _ => "MiB",
            }
        )),
    }
}

fn limit(variable: &str, default: u64) -> u64 {
    read_limit(variable, default).unwrap_or(default)
}

/// Refuses a budget set to what cannot be read, before any template runs.
pub fn check_settings() -> Result<(), String> {
    read_limit("PBF_REPORT_TIME_LIMIT", TIME_LIMIT)?;
    read_limit("PBF_REPORT_MEMORY_LIMIT", MEMORY_LIMIT_MIB)?;
    Ok(())
}

fn watch() {
    let seconds = limit("PBF_REPORT_TIME_LIMIT", TIME_LIMIT);
    let mib = limit("PBF_REPORT_MEMORY_LIMIT", MEMORY_LIMIT_MIB);
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let over = {
            let running = running();
            let oldest = running.values().min_by_key(|w| w.start);
            let Some(watched) = oldest else {
                continue;
            };
            if watched.start.elapsed() > Duration::from_secs(seconds) {
                Some(format!("ran for more than {seconds} s"))
            } else if resident_mib() > mib {
                Some(format!("took more than {mib} MiB of memory"))
            } else {
                None
            }
            .map(|over| {
                let what = crate::terminal::line(&watched.what);
                let said = format!(
                    "error: {what}: {} {over}, and was stopped: {} (PBF_REPORT_TIME_LIMIT and \
                     PBF_REPORT_MEMORY_LIMIT set the budget)",
                    watched.subject, watched.why
                );
                (said, watched.status)
            })
        };
        if let Some((said, status)) = over {
            eprintln!("{said}");
            std::process::exit(status as i32);
        }
    }
}

/// The memory the program holds, in MiB (0 where the system does not say).
fn resident_mib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf only reads a system constant.
    let page = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    (pages * page) >> 20
}
