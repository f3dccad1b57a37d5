//! `pbf-report verify`: a version folder, or a PDF on its own, rebuilt and compared.

use std::path::Path;

use crate::cli::VerifyArgs;
use crate::error::{Result, Status};
use crate::verify::Carried;

pub fn run(args: &VerifyArgs) -> Result<Status> {
    let carried = match args.trust_carried {
        true => Carried::Trusted,
        false => Carried::KnownOnly,
    };
    // A build of the folder swapping it in meanwhile would show old and new files side by side.
    let _still = args
        .path
        .is_dir()
        .then(|| crate::folder::read_lock(&args.path));
    verify_and_print(&args.path, carried)
}

/// Verifies a folder or a PDF, prints a line per file, and says whether all were right.
pub(super) fn verify_and_print(path: &Path, carried: Carried) -> Result<Status> {
    let is_pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let (verdicts, against) = match is_pdf {
        true => crate::verify::pdf(path, carried)?,
        false => crate::verify::folder(path, carried)?,
    };
    let mut status = Status::Success;
    for v in &verdicts {
        let name = crate::terminal::line(&v.name);
        match &v.problem {
            // A PDF says what it was rebuilt with: the verdict is only as good as that.
            None if v.name.to_ascii_lowercase().ends_with(".pdf") => {
                crate::say!("ok       {name} ({against})")
            }
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
