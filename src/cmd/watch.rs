//! `pbf-report build --watch`: build again whenever a source, or a file of the workspace's
//! templates and catalogs, changes, until stopped. Nothing a
//! build meets stops the loop — an invalid source, a half-written file, a full disk, a template
//! that runs over its budget: each is reported and the watch goes on. Each build runs in a
//! process of its own, so that the budget's watchdog ends that build, not the watch. Changes
//! are seen as `preview` sees them (`crate::changes`).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::changes::Changes;
use crate::cli::BuildArgs;
use crate::error::Status;

/// Builds, then watches until stopped; returns the status of the last build.
pub fn run(args: &BuildArgs) -> Status {
    let stop = stop_flag();
    // Watched before the first build, so that a change made while it runs is built after it.
    let mut changes = Changes::watch(&args.paths);
    let mut status = build_apart();
    crate::say!("watching for changes; Ctrl-C stops");
    while let Some(changed) = changes.next(stop) {
        crate::say!("changed: {changed}; building again");
        status = build_apart();
    }
    status
}

/// Builds as the command line asks, without `--watch`, in a process of its own that reads the
/// templates afresh; its status.
fn build_apart() -> Status {
    let args = std::env::args_os().skip(1).filter(|a| a != "--watch");
    let run = std::env::current_exe().and_then(|program| {
        std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .status()
    });
    match run.map(|s| s.code()) {
        Ok(Some(0)) => Status::Success,
        Ok(Some(1)) => Status::Invalid,
        Ok(Some(2)) => Status::Usage,
        Ok(_) => Status::Internal,
        Err(e) => {
            crate::say!("error: the build could not be started: {e}");
            Status::Internal
        }
    }
}

/// Set when the person stops a long-running command: Ctrl-C, a termination signal, or the end of
/// standard input when that is not a terminal (a pipe from a script or a test).
static STOP: AtomicBool = AtomicBool::new(false);

/// The flag that says when to stop, set as `STOP` says; a command that waits on it ends
/// cleanly, with its own status, rather than being cut off mid-write.
pub(super) fn stop_flag() -> &'static AtomicBool {
    extern "C" fn stop(_: libc::c_int) {
        // Only an atomic store: all a signal handler may safely do here.
        STOP.store(true, Ordering::Relaxed);
    }
    let handler = stop as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
    if !std::io::stdin().is_terminal() {
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            STOP.store(true, Ordering::Relaxed);
        });
    }
    &STOP
}
