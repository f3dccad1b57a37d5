//! `pbf-report extract`: writes the files a PDF carries (its source, its workbook), never over an
//! existing file.

use crate::cli::ExtractArgs;
use crate::error::{Result, Status};
use crate::terminal;

pub fn run(args: &ExtractArgs) -> Result<Status> {
    let bytes = crate::fsio::read_file(&args.pdf)?;
    let files = crate::pdf_files::attached(&args.pdf, &bytes)?;
    // The reader refuses unsafe and repeated names; nothing is written over an existing file.
    for (name, _) in &files {
        let target = args.out.join(name);
        crate::fsio::not_archived(&target)?;
        // Anything already there counts, a dangling link included: it is never written through.
        if target.symlink_metadata().is_ok() {
            crate::say!(
                "error: {} exists already; nothing was extracted",
                terminal::path(&target)
            );
            return Ok(Status::Invalid);
        }
    }
    // A file made meanwhile at one of the names is kept, and what this run wrote is taken back.
    let mut written = Vec::new();
    for (name, data) in &files {
        let target = args.out.join(name);
        if let Err(e) = crate::fsio::write_new(&target, data) {
            for path in &written {
                let _ = std::fs::remove_file(path);
            }
            if super::made_meanwhile(&e, &target) {
                crate::say!(
                    "error: {} was made while extracting; it was left as it is and nothing was extracted",
                    terminal::path(&target)
                );
                return Ok(Status::Invalid);
            }
            return Err(e);
        }
        written.push(target);
    }
    for target in &written {
        crate::say!("wrote {}", terminal::path(target));
    }
    Ok(Status::Success)
}
