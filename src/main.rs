use std::process::ExitCode;

use clap::Parser;
use pbf_report::cli::{Cli, Command, I18nCommand};
use pbf_report::cmd;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A bug must not look like bad input: report it and exit with the internal-error status.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("internal error: {info}");
        eprintln!(
            "   = this is a bug in pbf-report; please report it with the source that caused it"
        );
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(code) => code,
        Err(_) => cmd::Status::Internal.into(),
    }
}

fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Build(args) => cmd::build(&args),
        Command::Check(args) => cmd::check(&args),
        Command::Archive(args) => cmd::archive_folder(&args),
        Command::Verify(args) => cmd::verify(&args),
        Command::Extract(args) => cmd::extract(&args),
        Command::I18n(I18nCommand::Check(args)) => cmd::i18n_check(&args),
        Command::I18n(I18nCommand::Status(args)) => cmd::i18n_status(&args),
        Command::Schema => cmd::schema(),
        Command::New(args) => cmd::new(&args),
    };
    match result {
        Ok(status) => status.into(),
        Err(e) => {
            eprintln!("error: {e}");
            cmd::Status::Internal.into()
        }
    }
}
