use std::process::ExitCode;

use clap::Parser;
use pbf_report::cli::Cli;
use pbf_report::error::Status;

fn main() -> ExitCode {
    keep_large_blocks_out_of_the_heap();
    let cli = Cli::parse();
    // A bug must not look like bad input: report it and exit with the internal-error status.
    // Written with `let _ =`: a panic while standard error is unwritable must not abort.
    std::panic::set_hook(Box::new(|info| {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "internal error: {info}\n   = this is a bug in pbf-report; please report it with the \
             source that caused it"
        );
    }));
    let result = std::panic::catch_unwind(|| pbf_report::cmd::run(cli));
    let status = match result {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            pbf_report::say!("error: {e}");
            e.status()
        }
        Err(_) => Status::Internal,
    };
    // A message or a result that could not be written is a failure, whatever the command found.
    match pbf_report::terminal::output_failed() {
        true => Status::Internal.into(),
        false => status.into(),
    }
}

/// glibc's malloc serves a block of 128 KiB or more with a mapping of its own, returned to the
/// system when freed; but each such free raises that threshold to the freed block's size. A build
/// frees blocks of about 400 KB early, after which every block up to that size comes from the
/// heap and leaves holes there as it is freed. Fixing the threshold keeps them out: the example's
/// peak is about 6 MB lower.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_blocks_out_of_the_heap() {
    const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
    unsafe extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    // SAFETY: called before any other thread starts; mallopt only sets a malloc parameter.
    unsafe { mallopt(M_MMAP_THRESHOLD, 128 * 1024) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_blocks_out_of_the_heap() {}
