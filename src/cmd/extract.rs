//! `pbf-report extract`: writes the files a PDF carries (its source, its workbook), never over an
//! existing file.

use crate::cli::ExtractArgs;
use crate::error::{Error, Result, Status};
use crate::terminal;

pub fn run(args: &ExtractArgs) -> Result<Status> {
    let bytes = crate::fsio::read_file(&args.pdf)?;
    let files = crate::pdf_files::attached(&args.pdf, &bytes)?;
    for (name, _) in &files {
        if name.contains(['/', '\\']) || name.starts_with('.') {
            let found = format!(
                "a PDF with an attached file of unsafe name \"{}\"",
                terminal::escape(name)
            );
            return Err(Error::wrong_kind(
                &args.pdf,
                "a PDF built by pbf-report",
                found,
            ));
        }
        let target = args.out.join(name);
        if target.exists() {
            eprintln!(
                "error: {} exists already; nothing was extracted",
                terminal::path(&target)
            );
            return Ok(Status::Invalid);
        }
    }
    for (name, data) in &files {
        let target = args.out.join(name);
        crate::fsio::write_atomic(&target, data)?;
        eprintln!("wrote {}", terminal::path(&target));
    }
    Ok(Status::Success)
}
