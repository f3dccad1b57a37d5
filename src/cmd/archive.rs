//! `pbf-report archive`: marks a verified version folder as submitted.

use crate::cli::ArchiveArgs;
use crate::error::{Result, Status};
use crate::terminal;

pub fn run(args: &ArchiveArgs) -> Result<Status> {
    let shown = terminal::path(&args.path);
    // Only a version folder is archived: a PDF or a stray folder is refused before verifying.
    crate::archive::can_archive(&args.path)?;
    // Under the folder's lock: a build cannot swap a new folder in between verifying and marking.
    // A folder is archived from one's own builds: the words its PDFs carry are the ones it was
    // built with, even when the workspace's have changed since.
    let _lock = crate::folder::lock(&args.path)?;
    // What a run killed while it wrote the mark left is not part of the version.
    crate::fsio::clear_leftovers(&args.path, crate::archive::ARCHIVED);
    if super::verify::verify_and_print(&args.path, crate::verify::Carried::Trusted)?
        != Status::Success
    {
        crate::say!("error: {shown} does not verify; it was not archived");
        return Ok(Status::Invalid);
    }
    let by = args
        .by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".into());
    if by.trim().is_empty() {
        return Err(crate::error::Error::usage(
            "--by needs the name of who submits the version",
        ));
    }
    match crate::archive::mark(&args.path, &by)? {
        true => crate::say!("archived {shown}: no later build may change it"),
        false => crate::say!("{shown} was archived already"),
    }
    Ok(Status::Success)
}
