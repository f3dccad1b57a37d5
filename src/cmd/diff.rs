//! `pbf-report diff`: what changed between two versions, on the terminal (grouped by part,
//! worded with the catalog's labels, coloured only on a terminal) or as JSON. Exit status as
//! `diff` has it: 0 the same, 1 different, 2 an input that cannot be read or compared.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::DiffArgs;
use crate::diff::{Change, Diff, Mark, Side, What};
use crate::error::{Error, Result, Status};
use crate::terminal;

pub fn run(args: &DiffArgs) -> Result<Status> {
    // An input that cannot be read is status 2 here, as `diff` has it, and is printed by `main`
    // as every error is; the machine's failures stay internal.
    compared(args).map_err(|e| match e.status() {
        Status::Internal => e,
        _ => Error::usage(e.to_string()),
    })
}

fn compared(args: &DiffArgs) -> Result<Status> {
    let (old, new) = match &args.new {
        Some(new) => (crate::diff::load(&args.old)?, crate::diff::load(new)?),
        None => {
            let new = crate::diff::load(&args.old)?;
            let previous = previous_of(&args.old, &new)?;
            (crate::diff::load(&previous)?, new)
        }
    };
    if let Some(why) = crate::diff::mismatch(&old, &new)
        && !args.force
    {
        return Err(Error::usage(format!(
            "{why}; `--force` compares them field by field"
        )));
    }
    let common = crate::diff::common_languages(&old, &new);
    let lang = match &args.lang {
        Some(lang) if common.contains(lang) => lang.clone(),
        Some(lang) => {
            return Err(Error::usage(format!(
                "the two versions are not both written in `{}`; they share: {}",
                terminal::line(lang),
                common.join(", ")
            )));
        }
        None => common
            .first()
            .cloned()
            .ok_or_else(|| Error::usage("the two versions share no language"))?,
    };
    let templates = crate::templates::current();
    let catalog = crate::i18n::Catalog::for_form(&templates, &new.filled.form.form, &lang)
        .map_err(Error::template)?;
    for side in [&old, &new] {
        if let Some(warning) = &side.warning {
            crate::say!("warning: {}", terminal::escape(warning));
        }
    }
    let diff = crate::diff::compare(&old, &new, &lang, &catalog);
    // The other languages both are written in: a change there is a difference too.
    let mut elsewhere = false;
    for other in common.iter().filter(|l| **l != lang) {
        let catalog = crate::i18n::Catalog::for_form(&templates, &new.filled.form.form, other)
            .map_err(Error::template)?;
        let n = crate::diff::compare(&old, &new, other, &catalog).changes();
        if n > 0 {
            elsewhere = true;
            crate::say!(
                "note: in `{other}`, {n} change{}: `--lang {other}` shows {}",
                super::plural(n),
                if n == 1 { "it" } else { "them" }
            );
        }
    }
    if let Some(pdf) = &args.pdf {
        redline_target(pdf, &inputs(args))?;
        let bytes = crate::render::redline::render(&diff, &new.filled).map_err(Error::template)?;
        crate::fsio::write_atomic(pdf, &bytes)?;
        crate::say!("wrote {}", terminal::path(pdf));
    }
    if args.json {
        let text = serde_json::to_string_pretty(&diff)
            .map_err(|e| Error::template(format!("cannot write the changes as JSON: {e}")))?;
        super::print_out(&format!("{text}\n"))?;
    } else {
        super::print_out(&shown(&diff, colour()))?;
    }
    Ok(match diff.is_empty() && !elsewhere {
        true => Status::Success,
        false => Status::Invalid,
    })
}

/// The files compared, to keep the redline from being written over one of them.
fn inputs(args: &DiffArgs) -> Vec<PathBuf> {
    std::iter::once(&args.old)
        .chain(&args.new)
        .cloned()
        .collect()
}

/// Refuses a redline's destination that is not a new file or an earlier PDF: a source, an input,
/// a file of a version folder (only `build` writes there), a link, a FIFO or a device.
fn redline_target(pdf: &Path, inputs: &[PathBuf]) -> Result<()> {
    let refuse = |why: &str| {
        Err(Error::usage(format!(
            "{} {why}; the redline is written as a new file, or over an earlier PDF",
            terminal::path(pdf)
        )))
    };
    if pdf.as_os_str() == "-" {
        return refuse("is not a file name");
    }
    crate::fsio::not_archived(pdf)?;
    let folder = pdf.parent().filter(|f| !f.as_os_str().is_empty());
    if folder
        .unwrap_or(Path::new("."))
        .join(crate::manifest::MANIFEST)
        .exists()
    {
        return refuse("is in a version folder, which only `build` writes");
    }
    let Ok(meta) = std::fs::symlink_metadata(pdf) else {
        return Ok(());
    };
    if !meta.is_file() {
        return refuse("is not a regular file");
    }
    let same = |input: &PathBuf| {
        let (a, b) = (std::fs::canonicalize(input), std::fs::canonicalize(pdf));
        matches!((a, b), (Ok(a), Ok(b)) if a == b)
    };
    let mut start = [0u8; 5];
    let is_pdf = std::fs::File::open(pdf)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut start))
        .is_ok()
        && &start == b"%PDF-";
    match (inputs.iter().any(same), is_pdf) {
        (true, _) => refuse("is one of the versions compared"),
        (false, false) => refuse("is not a PDF, and is left as it is"),
        (false, true) => Ok(()),
    }
}

/// The version `side` (read from `path`) follows, named by its `previous:`.
fn previous_of(path: &Path, side: &Side) -> Result<PathBuf> {
    let envelope = &side.filled.envelope;
    let previous = envelope.previous.as_deref().ok_or_else(|| {
        Error::usage(format!(
            "{} names no previous version (`previous:`): give the two versions to compare",
            terminal::path(path)
        ))
    })?;
    if previous == side.version {
        return Err(Error::usage(format!(
            "{} names itself as its previous version",
            terminal::path(path)
        )));
    }
    crate::diff::previous_path(path, &envelope.project_id, previous).ok_or_else(|| {
        Error::usage(format!(
            "{} follows {}, which is neither beside it, in data/{} nor in out/{}",
            terminal::path(path),
            terminal::line(previous),
            envelope.project_id,
            envelope.project_id
        ))
    })
}

/// Colour when standard output is a terminal and `NO_COLOR` is not set.
fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The changes as a person reads them.
fn shown(diff: &Diff, colour: bool) -> String {
    let paint = |code: &str, text: &str| match colour {
        true => format!("\x1b[{code}m{text}\x1b[0m"),
        false => text.to_string(),
    };
    let mut out = format!(
        "{} {} ({})\n{} {} ({})\nlanguage: {}\n",
        paint("31", "---"),
        terminal::line(&diff.old.version),
        terminal::line(&diff.old.path),
        paint("32", "+++"),
        terminal::line(&diff.new.version),
        terminal::line(&diff.new.path),
        diff.lang
    );
    for part in &diff.parts {
        if part.changes.is_empty() && (part.unchanged.is_empty() || diff.is_empty()) {
            continue;
        }
        out.push_str(&format!("\n{}\n", paint("1", &terminal::line(&part.title))));
        for change in &part.changes {
            out.push_str(&change_shown(change, &paint));
        }
        if !part.unchanged.is_empty() && !diff.is_empty() {
            out.push_str(&format!(
                "  = unchanged since {}:\n",
                terminal::line(&diff.old.version)
            ));
            for field in &part.unchanged {
                out.push_str(&format!(
                    "      {}  [{}]\n",
                    short(&field.label),
                    terminal::line(&field.path)
                ));
            }
        }
    }
    if !diff.spending.is_empty() {
        let title = terminal::line(&diff.spending_title);
        out.push_str(&format!("\n{}\n", paint("1", &title)));
        for s in &diff.spending {
            let share =
                |s: &Option<String>| s.as_ref().map_or(String::new(), |s| format!(" ({s})"));
            let of = |b: &Option<String>| b.as_ref().map_or(String::new(), |b| format!(" / {b}"));
            out.push_str(&format!(
                "  ~ {}: {}{}{} → {}{}{}\n",
                terminal::line(&s.label),
                s.old,
                of(&s.old_budget),
                share(&s.old_share),
                s.new,
                of(&s.new_budget),
                share(&s.new_share)
            ));
        }
    }
    let n = diff.changes();
    out.push_str(&match n {
        0 => "\nno differences\n".to_string(),
        _ => format!("\n{n} change{}\n", if n == 1 { "" } else { "s" }),
    });
    out
}

fn change_shown(change: &Change, paint: &dyn Fn(&str, &str) -> String) -> String {
    let field = &change.field;
    let (sign, word) = match change.what {
        What::Changed => ("~", "changed"),
        What::New => ("+", "new"),
        What::Emptied => ("-", "emptied"),
        What::Added => ("+", "added"),
        What::Removed => ("-", "removed"),
    };
    let mut out = format!(
        "  {sign} {}  [{}] {word}\n",
        short(&field.label),
        terminal::line(&field.path)
    );
    if let Some(count) = &change.count {
        out.push_str(&format!(
            "      count: {} → {} of {}\n",
            count.old, count.new, count.limit
        ));
    }
    if change.words.is_empty() {
        if !change.old.is_empty() {
            let old = terminal::escape(&change.old);
            out.push_str(&indented(&paint("31", &format!("- {old}"))));
        }
        if !change.new.is_empty() {
            let new = terminal::escape(&change.new);
            out.push_str(&indented(&paint("32", &format!("+ {new}"))));
        }
        return out;
    }
    let marked: String = change
        .words
        .iter()
        .map(|p| {
            let text = terminal::escape(&p.text);
            match p.mark {
                Mark::Same => text.into_owned(),
                Mark::Deleted => paint("31", &format!("[-{text}-]")),
                Mark::Inserted => paint("32", &format!("{{+{text}+}}")),
            }
        })
        .collect();
    out.push_str(&indented(&marked));
    out
}

/// A text, its control characters escaped already, on lines of its own, indented.
fn indented(text: &str) -> String {
    text.lines().map(|l| format!("      {l}\n")).collect()
}

/// A wording short enough for a line: its first 70 characters.
fn short(label: &str) -> String {
    let line = terminal::line(label);
    match line.chars().count() > 70 {
        true => format!("{}…", line.chars().take(69).collect::<String>()),
        false => line,
    }
}
