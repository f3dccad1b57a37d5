//! `pbf-report import`: a report into a source, never over an existing file. A reviewed Word
//! copy gives its source back with the reviewers' edits; any other report (plain text, PDF,
//! .docx) gives a new source, with a table of what was found where.

use crate::cli::ImportArgs;
use crate::error::{Result, Status};
use crate::import::{Change, Imported};
use crate::terminal;

pub fn run(args: &ImportArgs) -> Result<Status> {
    let bytes = crate::fsio::read_file(&args.file)?;
    match crate::import::import(&args.file, &bytes)? {
        Imported::Copy(copy) => copy_back(args, &bytes, copy),
        Imported::Past(past) => past_report(args, &bytes, past),
    }
}

/// The first line of a source written by `import`: the file it comes from and its SHA-256.
fn header(args: &ImportArgs, bytes: &[u8]) -> String {
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let name: String = name
        .chars()
        .map(|c| {
            if crate::import::unsafe_char(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    format!(
        "# Imported from {name} (SHA-256 {}).\n",
        crate::hash::sha256(bytes)
    )
}

fn copy_back(
    args: &ImportArgs,
    bytes: &[u8],
    imported: crate::import::CopyImported,
) -> Result<Status> {
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
                terminal::line(field)
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
    let text = format!("{}{}", header(args, bytes), imported.text);
    if !super::write_source(&path, text.as_bytes())? {
        return Ok(Status::Invalid);
    }
    for (field, change) in &imported.fields {
        if *change == Change::Edited {
            crate::say!("edited: {}", terminal::line(field));
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

fn past_report(args: &ImportArgs, bytes: &[u8], past: crate::import::Past) -> Result<Status> {
    let named = match (&past.project, &past.version) {
        (Some(project), Some(version)) => Some((project.as_str(), version.as_str())),
        _ => None,
    };
    let path = match (args.output.as_deref(), named) {
        (None, None) => {
            crate::say!(
                "error: the report's project number or its date and type were not found, so \
                 they cannot name the source: name it with --output"
            );
            return Ok(Status::Invalid);
        }
        (output, named) => {
            let (project, version) = named.unwrap_or_default();
            match super::new_source(
                output,
                project,
                version,
                " (name another file with --output)",
            ) {
                Some(path) => path,
                None => return Ok(Status::Invalid),
            }
        }
    };
    let mut table = format!("{:<48} {:<24} {}\n", "field", "found", "line");
    for row in &past.rows {
        let line = row.line.map(|l| l.to_string()).unwrap_or_default();
        table.push_str(&format!("{:<48} {:<24} {line}\n", row.field, row.state));
    }
    let text = format!("{}{}", header(args, bytes), past.text);
    if !super::write_source(&path, text.as_bytes())? {
        return Ok(Status::Invalid);
    }
    super::print_out(&table)?;
    for note in &past.notes {
        crate::say!("note: {note}");
    }
    let todo = past
        .rows
        .iter()
        .filter(|r| r.state == "TODO" || r.state == "not found")
        .count();
    crate::say!(
        "wrote {}: {} of the form's {} questions found; {todo} fields to look at (TODO in the \
         source); `pbf-report check {}` lists what remains",
        terminal::path(&path),
        past.found,
        past.asked,
        terminal::path(&path),
    );
    Ok(Status::Success)
}
