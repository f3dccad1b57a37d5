//! `pbf-report import`: a report into a source. A reviewed Word copy's edits go back into the
//! source it was made from, merged with the writer's later edits; any other report (plain text,
//! PDF, .docx) gives a new source, never over an existing file, with a table of what was found
//! where.

use crate::cli::ImportArgs;
use crate::error::{Result, Status};
use std::path::Path;

use crate::import::{Change, Imported, Reviewed};
use crate::terminal;

pub fn run(args: &ImportArgs) -> Result<Status> {
    let bytes = crate::fsio::read_file(&args.file)?;
    match crate::import::import(&args.file, &bytes, args.partial)? {
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

/// A reviewed Word copy back into its source: merged into the workspace's source it was made
/// from (`data/<project>/<version>.yaml`), in place, or written to `--output`; when the workspace
/// does not hold that source, written as a new source from the one the copy carries.
fn copy_back(args: &ImportArgs, bytes: &[u8], reviewed: Reviewed) -> Result<Status> {
    let home = Path::new("data")
        .join(&reviewed.project)
        .join(format!("{}.yaml", reviewed.version));
    let mine = match crate::fsio::taken(&home) {
        true => Some(crate::fsio::read_source(&home)?),
        false => None,
    };
    let now = match &mine {
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            Err(_) => {
                crate::say!(
                    "error: {} is not UTF-8 text; nothing written: `pbf-report check` names the \
                     byte to fix, then import again",
                    terminal::path(&home)
                );
                return Ok(Status::Invalid);
            }
        },
        None => reviewed.base.clone(),
    };
    let merged = match crate::import::merge(&reviewed, &now) {
        Ok(merged) => merged,
        Err(why) => {
            crate::say!(
                "error: {} is where the copy's source belongs, but {why}; nothing written (name \
                 another file with --output)",
                terminal::path(&home)
            );
            return Ok(Status::Invalid);
        }
    };
    if reviewed.by_wording {
        crate::say!(
            "note: the program that saved the copy moved or removed its fields: its answers \
             were read by the form's questions"
        );
    }
    let listed = |fields: &[String]| terminal::line(&fields.join(", "));
    if !reviewed.unread.is_empty() {
        crate::say!(
            "note: {} answer{} of the report not in the copy (a field deleted, a question not \
             found), kept as in the source: {}",
            reviewed.unread.len(),
            super::plural(reviewed.unread.len()),
            listed(&reviewed.unread)
        );
    }
    if !reviewed.unplaced.is_empty() {
        crate::say!(
            "note: text found under {} question{} the report leaves unanswered was not merged \
             (a reworded question above may have put it there); copy it into the source by \
             hand if it belongs: {}",
            reviewed.unplaced.len(),
            super::plural(reviewed.unplaced.len()),
            listed(&reviewed.unplaced)
        );
    }
    if !refused(&merged, &home) {
        return Ok(Status::Invalid);
    }
    let edited: Vec<&String> = merged
        .fields
        .iter()
        .filter(|(_, c)| *c == Change::Edited)
        .map(|(f, _)| f)
        .collect();
    let path = match (args.output.as_deref(), &mine) {
        (None, Some(mine)) => {
            if !edited.is_empty() && !updated(&home, mine, &merged.text)? {
                return Ok(Status::Invalid);
            }
            home.clone()
        }
        (output, _) => {
            let Some(path) = super::new_source(
                output,
                &reviewed.project,
                &reviewed.version,
                " (name another file with --output)",
            ) else {
                return Ok(Status::Invalid);
            };
            let text = format!("{}{}", header(args, bytes), merged.text);
            if !super::write_source(&path, text.as_bytes())? {
                return Ok(Status::Invalid);
            }
            path
        }
    };
    for field in &edited {
        crate::say!("edited: {}", terminal::line(field));
    }
    if merged.kept > 0 {
        crate::say!(
            "kept: {} answer{} changed in {} since the copy was made",
            merged.kept,
            super::plural(merged.kept),
            terminal::path(&home)
        );
    }
    let verb = match (edited.is_empty(), args.output.is_none() && mine.is_some()) {
        (true, true) => "left as it was",
        (false, true) => "updated",
        _ => "wrote",
    };
    crate::say!(
        "{verb} {}: {} of {} answers edited",
        terminal::path(&path),
        edited.len(),
        merged.fields.len()
    );
    Ok(Status::Success)
}

/// Says why the merge cannot be written, if it cannot: an edit with nowhere to go, or a field
/// both the reviewer and the writer changed. False when it cannot.
fn refused(merged: &crate::import::Merged, home: &Path) -> bool {
    let mut fine = true;
    for (field, change) in &merged.fields {
        match change {
            Change::NotInSource => crate::say!(
                "error: {}: answered in the copy, but the source has no such field",
                terminal::line(field)
            ),
            Change::Conflict { reviewer, writer } => crate::say!(
                "error: {}: edited in the copy and, differently, in {} since the copy was made\n  \
                 in the copy:   {}\n  in the source: {}",
                terminal::line(field),
                terminal::path(home),
                terminal::line(&crate::check::syntax::quoted(reviewer)),
                terminal::line(&crate::check::syntax::quoted(writer)),
            ),
            _ => continue,
        }
        fine = false;
    }
    if !fine {
        crate::say!(
            "nothing written: give each field above one text in the source (the copy's, the \
             source's or both merged), or give a missing field (even empty), then import again"
        );
    }
    fine
}

/// Writes the merged source over `home`, atomically and with its permissions, unless `home`
/// changed since it was read (`read`), is a link (which a new file would replace) or is
/// read-only: false, after saying so.
fn updated(home: &Path, read: &[u8], text: &str) -> Result<bool> {
    let meta = std::fs::symlink_metadata(home).map_err(|e| crate::error::Error::read(home, e))?;
    let refused = if meta.file_type().is_symlink() {
        Some("is a link, which an update would replace with a file")
    } else if meta.permissions().readonly() {
        Some("is read-only")
    } else if crate::fsio::read_source(home)? != read {
        Some("changed while the copy was imported")
    } else {
        None
    };
    if let Some(why) = refused {
        crate::say!(
            "error: {} {why}; nothing written (--output FILE writes the merged source elsewhere)",
            terminal::path(home)
        );
        return Ok(false);
    }
    crate::fsio::rewrite(home, text.as_bytes())?;
    Ok(true)
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
    // What the writer will look for in the file: its TODO comments, each counted.
    let todo = crate::import::todo_comments(&past.text);
    crate::say!(
        "wrote {}: {} of the form's {} questions found; {todo} TODO comment{} in the source to \
         look at; `pbf-report check {}` lists what remains",
        terminal::path(&path),
        past.found,
        past.asked,
        super::plural(todo),
        terminal::path(&path),
    );
    Ok(Status::Success)
}
