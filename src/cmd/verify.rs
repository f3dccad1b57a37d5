//! `pbf-report verify`: a version folder, or a PDF on its own, rebuilt and compared.

use std::path::Path;

use crate::cli::FolderArgs;
use crate::error::{Result, Status};

pub fn run(args: &FolderArgs) -> Result<Status> {
    verify_and_print(&args.path)
}

/// Verifies a folder or a PDF, prints a line per file, and says whether all were right.
pub(super) fn verify_and_print(path: &Path) -> Result<Status> {
    let is_pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let verdicts = match is_pdf {
        true => crate::verify::pdf(path)?,
        false => crate::verify::folder(path)?,
    };
    let mut status = Status::Success;
    for v in &verdicts {
        let name = crate::terminal::line(&v.name);
        match &v.problem {
            None => crate::say!("ok       {name}"),
            Some(problem) => {
                // A problem can quote a file name or a manifest's field: they are data too.
                let problem = crate::terminal::line(problem);
                crate::say!("DIFFERS  {name}: {problem}");
                status = Status::Invalid;
            }
        }
    }
    Ok(status)
}
