//! `pbf-report import`: a reviewed Word copy back into a source, never over an existing file.

use crate::cli::ImportArgs;
use crate::error::{Result, Status};
use crate::import::Change;
use crate::terminal;

pub fn run(args: &ImportArgs) -> Result<Status> {
    let bytes = crate::fsio::read_file(&args.file)?;
    let imported = crate::import::import(&args.file, &bytes)?;
    // An edit with nowhere to go is refused whole rather than dropped.
    let homeless: Vec<&String> = imported
        .fields
        .iter()
        .filter(|(_, c)| *c == Change::NotInSource)
        .map(|(f, _)| f)
        .collect();
    if !homeless.is_empty() {
        for field in &homeless {
            crate::say!(
                "error: {}: answered in the copy, but the source it was made from has no such field",
                terminal::escape(field)
            );
        }
        crate::say!(
            "nothing written: give these fields (even empty) in the source, build the Word copy again, and review that"
        );
        return Ok(Status::Invalid);
    }
    let Some(path) = super::new_source(
        args.output.as_deref(),
        &imported.project,
        &imported.version,
        " (name another file with --output)",
    ) else {
        return Ok(Status::Invalid);
    };
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let header = format!(
        "# Imported from {} (SHA-256 {}).\n",
        name.replace('\n', " "),
        crate::hash::sha256(&bytes)
    );
    crate::fsio::write_atomic(&path, format!("{header}{}", imported.text).as_bytes())?;
    for (field, change) in &imported.fields {
        match change {
            Change::Same => {}
            Change::Edited => crate::say!("edited: {}", terminal::escape(field)),
            Change::NotInSource => {}
        }
    }
    let edited = imported
        .fields
        .iter()
        .filter(|(_, c)| *c == Change::Edited)
        .count();
    crate::say!(
        "wrote {}: {edited} of {} answers edited",
        terminal::path(&path),
        imported.fields.len()
    );
    Ok(Status::Success)
}
