use std::process::ExitCode;

use clap::Parser;
use pbf_report::cli::Cli;
use pbf_report::error::Status;

fn main() -> ExitCode {
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
    match result {
        Ok(Ok(status)) => status.into(),
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            e.status().into()
        }
        Err(_) => Status::Internal.into(),
    }
}
