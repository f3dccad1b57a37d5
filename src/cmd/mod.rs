//! The commands behind the command line, one file each: parse nothing, call the pipeline, print
//! what happened, return the exit status. Printing shared by several commands lives here.

mod archive;
mod build;
mod check;
mod diff;
mod extract;
mod i18n;
mod import;
mod new;
mod preview;
mod schema;
mod verify;
mod watch;

use std::path::Path;

use crate::cli::{Cli, Command, I18nCommand};
use crate::diagnostic::Diagnostic;
use crate::error::{Result, Status};

/// Runs one command, with the templates it names or the workspace's.
pub fn run(cli: Cli) -> Result<Status> {
    crate::templates::choose(cli.templates.as_deref())?;
    crate::render::budget::check_settings().map_err(crate::error::Error::usage)?;
    match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Archive(args) => archive::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Extract(args) => extract::run(&args),
        Command::I18n(I18nCommand::Check(args)) => i18n::check(&args),
        Command::I18n(I18nCommand::Status(args)) => i18n::status(&args),
        Command::I18n(I18nCommand::Init(args)) => i18n::init(&args),
        Command::I18n(I18nCommand::Export(args)) => i18n::export(&args),
        Command::I18n(I18nCommand::Preview(args)) => i18n::preview(&args),
        Command::Schema(args) => schema::run(&args),
        Command::New(args) => new::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Preview(args) => preview::run(&args),
    }
}

/// Where a command that writes a new source writes it: `output`, or
/// `data/<project>/<version>.yaml`; nothing (after saying so) when that file exists, since a
/// source is never replaced. `hint` ends the message.
fn new_source(
    output: Option<&Path>,
    project: &str,
    version: &str,
    hint: &str,
) -> Option<std::path::PathBuf> {
    let path = output.map(Path::to_path_buf).unwrap_or_else(|| {
        Path::new("data")
            .join(project)
            .join(format!("{version}.yaml"))
    });
    if crate::fsio::taken(&path) {
        crate::say!(
            "error: {} exists already; it was left as it is{hint}",
            crate::terminal::path(&path)
        );
        return None;
    }
    Some(path)
}

/// Writes the new source `bytes` at `path` (from `new_source`), never over a file made there
/// meanwhile: false, after saying so, when one was.
fn write_source(path: &Path, bytes: &[u8]) -> crate::error::Result<bool> {
    match crate::fsio::write_new(path, bytes) {
        Err(e) if made_meanwhile(&e, path) => {
            crate::say!(
                "error: {} was made while this source was written; it was left as it is",
                crate::terminal::path(path)
            );
            Ok(false)
        }
        other => other.map(|()| true),
    }
}

/// Whether a write of `target` that must not replace a file failed because one was made there
/// (and not, say, because a file stands where its folder should be).
fn made_meanwhile(e: &crate::error::Error, target: &Path) -> bool {
    matches!(e, crate::error::Error::Write { source, path }
        if source.kind() == std::io::ErrorKind::AlreadyExists && path == target)
}

/// Writes `text` to standard output. A reader that stopped reading (`| head`) is not an error;
/// a full or closed output is.
fn print_out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            crate::terminal::output_lost();
            Err(crate::error::Error::write(Path::new("standard output"), e))
        }
        _ => Ok(()),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Diagnostics about the source at `path`, with its lines; those about other files (the
/// template) after them.
fn print_source_diagnostics(path: &Path, diagnostics: &[Diagnostic]) {
    let (here, elsewhere): (Vec<Diagnostic>, Vec<Diagnostic>) =
        diagnostics.iter().cloned().partition(|d| d.file == path);
    if !here.is_empty() {
        let source = crate::fsio::read_source(path)
            .ok()
            .and_then(|b| crate::source::text_of(path, &b));
        let text = source.as_ref().map(|s| s.text.as_str());
        crate::say!("{}", crate::check::render_all(&here, text));
    }
    print_standalone(&elsewhere);
}

/// Diagnostics about files other than a report source (the template), with their lines.
fn print_standalone(diagnostics: &[Diagnostic]) {
    let templates = crate::templates::current();
    for d in diagnostics {
        let embedded = d
            .file
            .to_str()
            .and_then(|f| f.strip_prefix("templates/"))
            .and_then(|f| templates.file(f));
        let text = embedded.and_then(|b| std::str::from_utf8(b).ok());
        crate::say!("{}", d.render(text));
    }
}

/// The form named `name` in this run's templates; a usage error lists the forms there are.
fn form_named(name: &str) -> Result<std::sync::Arc<crate::form::Form>> {
    let templates = crate::templates::current();
    match templates.form(name) {
        // A description written by whoever adds a form is input, refused as input is.
        Some(form) => form.map_err(|problem| {
            let file = templates.form_file(name);
            crate::error::Error::wrong_kind(
                std::path::Path::new(&file),
                "a form description",
                format!("one that cannot be read: {problem}"),
            )
        }),
        None => {
            let forms = templates.form_names().join(", ");
            Err(crate::error::Error::usage(format!(
                "\"{}\" is not a form these templates hold; they hold {forms}",
                crate::terminal::escape(name)
            )))
        }
    }
}
