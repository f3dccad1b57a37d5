//! `pbf-report i18n check` and `i18n status`: the translators' view of the catalogs.

use super::plural;
use crate::cli::CatalogArgs;
use crate::error::{Result, Status};
use crate::i18n;

/// Every problem of every catalog, with file, line and key.
pub fn check(args: &CatalogArgs) -> Result<Status> {
    let (problems, statuses) = i18n::check_dir(&args.dir)?;
    for problem in &problems {
        let text = std::fs::read_to_string(&problem.file).ok();
        eprintln!("{}", problem.render(text.as_deref()));
    }
    let files = statuses.len();
    eprintln!(
        "checked {files} catalog{}: {} problem{}",
        plural(files),
        problems.len(),
        plural(problems.len())
    );
    Ok(if problems.is_empty() {
        Status::Success
    } else {
        Status::Invalid
    })
}

/// How complete each language is.
pub fn status(args: &CatalogArgs) -> Result<Status> {
    let (_, statuses) = i18n::check_dir(&args.dir)?;
    println!(
        "{:<10} {:>10} {:>8} {:>6} {:>6}",
        "language", "translated", "missing", "stale", "extra"
    );
    for (lang, s) in &statuses {
        let reference = if lang == i18n::REFERENCE {
            " (reference)"
        } else {
            ""
        };
        println!(
            "{:<10} {:>10} {:>8} {:>6} {:>6}{reference}",
            lang, s.translated, s.missing, s.stale, s.extra
        );
    }
    Ok(Status::Success)
}
