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
    let status = match result {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            // A template's errors come as diagnostics, each saying "error:" itself.
            let text = e.to_string();
            let text = pbf_report::terminal::escape(&text);
            match text.starts_with("error: ") {
                true => pbf_report::say!("{text}"),
                false => pbf_report::say!("error: {text}"),
            }
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
