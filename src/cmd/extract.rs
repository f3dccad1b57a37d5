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
        // Anything already there counts, a dangling link included: it is never written through.
        if target.symlink_metadata().is_ok() {
            crate::say!(
                "error: {} exists already; nothing was extracted",
                terminal::path(&target)
            );
            return Ok(Status::Invalid);
        }
    }
    for (name, data) in &files {
        let target = args.out.join(name);
        crate::fsio::write_atomic(&target, data)?;
        crate::say!("wrote {}", terminal::path(&target));
    }
    Ok(Status::Success)
}
