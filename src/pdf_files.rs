//! The files a PDF carries, read with a PDF parser (lopdf): the catalog's `/Names
//! /EmbeddedFiles` name tree, walked through its `/Kids`, each file specification's `/EF /F`
//! stream decoded. Any conforming PDF works, including one re-saved by another program (object
//! and cross-reference streams). What a PDF may cost is capped: its size, the number of files,
//! each file's inflated size and their total, and the depth of the name tree.

use std::collections::HashSet;
use std::path::Path;

use lopdf::{Dictionary, Document, Object};

use crate::error::{Error, Result};

const EXPECTED: &str = "a PDF built by pbf-report";
/// Largest PDF read: far above any report (the example's are under 1 MB).
pub const MAX_PDF: usize = 64 << 20;
/// Most files one PDF may carry (a report's carry five).
pub const MAX_FILES: usize = 64;
/// Largest inflated size of one file, and of all of them together.
pub const MAX_FILE: usize = 16 << 20;
pub const MAX_TOTAL: usize = 64 << 20;
/// Deepest name tree walked.
const MAX_DEPTH: usize = 16;

/// The files attached to `bytes`, the PDF at `path`, by name, in the order the PDF lists them.
pub fn attached(path: &Path, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let refuse = |found: String| Error::wrong_kind(path, EXPECTED, found);
    let doc = open(path, bytes)?;
    let tree = doc
        .catalog()
        .ok()
        .and_then(|c| c.get_deref(b"Names", &doc).ok())
        .and_then(|n| n.as_dict().ok())
        .and_then(|n| n.get_deref(b"EmbeddedFiles", &doc).ok())
        .and_then(|t| t.as_dict().ok())
        .ok_or_else(|| refuse("a PDF that carries no attached files".into()))?;
    let mut specs = Vec::new();
    let mut seen = HashSet::new();
    walk(&doc, tree, 0, &mut seen, &mut specs).map_err(refuse)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total = 0;
    for spec in specs {
        let (name, data) = file_of(&doc, spec, MAX_FILE).map_err(refuse)?;
        if files.iter().any(|(n, _)| *n == name) {
            let name = crate::terminal::line(&name);
            return Err(refuse(format!(
                "a PDF that carries two files named \"{name}\""
            )));
        }
        total += data.len();
        if total > MAX_TOTAL {
            let mib = MAX_TOTAL >> 20;
            return Err(refuse(format!(
                "a PDF whose attached files inflate to more than {mib} MiB"
            )));
        }
        files.push((name, data));
    }
    Ok(files)
}

/// The document in `bytes`, parsed with the caps on size and inflation.
pub fn open(path: &Path, bytes: &[u8]) -> Result<Document> {
    let refuse = |found: &str| Error::wrong_kind(path, EXPECTED, found);
    if !bytes.starts_with(b"%PDF-") {
        return Err(refuse("not a PDF"));
    }
    if bytes.len() > MAX_PDF {
        return Err(refuse("a PDF larger than any report (64 MiB)"));
    }
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_FILE),
        ..Default::default()
    };
    // A PDF of millions of tiny objects is small on disk and huge once read.
    let _budget = crate::render::budget::reading(crate::terminal::path(path));
    Document::load_mem_with_options(bytes, options)
        .map_err(|_| refuse("a damaged PDF that cannot be read"))
}

/// Collects the file specifications of a name tree node and its kids.
fn walk<'a>(
    doc: &'a Document,
    node: &'a Dictionary,
    depth: usize,
    seen: &mut HashSet<*const Dictionary>,
    specs: &mut Vec<&'a Dictionary>,
) -> std::result::Result<(), String> {
    if depth > MAX_DEPTH || !seen.insert(node as *const Dictionary) {
        return Err("a PDF whose list of attached files loops or nests too deep".into());
    }
    if let Ok(names) = node.get_deref(b"Names", doc).and_then(Object::as_array) {
        for pair in names.chunks(2) {
            let Some(spec) = pair.get(1) else { continue };
            let spec = doc
                .dereference(spec)
                .ok()
                .and_then(|(_, o)| o.as_dict().ok());
            if let Some(spec) = spec {
                specs.push(spec);
            }
            if specs.len() > MAX_FILES {
                return Err(format!("a PDF that carries more than {MAX_FILES} files"));
            }
        }
    }
    if let Ok(kids) = node.get_deref(b"Kids", doc).and_then(Object::as_array) {
        for kid in kids {
            if let Some(kid) = doc
                .dereference(kid)
                .ok()
                .and_then(|(_, o)| o.as_dict().ok())
            {
                walk(doc, kid, depth + 1, seen, specs)?;
            }
        }
    }
    Ok(())
}

/// The name and the inflated bytes of one file specification.
fn file_of(
    doc: &Document,
    spec: &Dictionary,
    limit: usize,
) -> std::result::Result<(String, Vec<u8>), String> {
    let name = [b"UF".as_slice(), b"F"]
        .iter()
        .find_map(|key| spec.get_deref(key, doc).ok())
        .and_then(|o| lopdf::decode_text_string(o).ok())
        .ok_or("a PDF with an attached file without a name")?;
    if !crate::manifest::is_plain_name(&name) {
        let shown = crate::terminal::line(&name);
        return Err(format!(
            "a PDF with an attached file of unsafe name \"{shown}\""
        ));
    }
    let stream = spec
        .get_deref(b"EF", doc)
        .and_then(Object::as_dict)
        .and_then(|ef| ef.get_deref(b"F", doc))
        .and_then(Object::as_stream)
        .map_err(|_| format!("a PDF whose attached file \"{name}\" holds no data"))?;
    let data = match stream.dict.has(b"Filter") {
        true => stream.decompressed_content_with_limit(limit),
        false => Ok(stream.content.clone()),
    };
    let data = data.map_err(|_| {
        format!(
            "a PDF whose attached file \"{name}\" does not inflate within {} MiB",
            limit >> 20
        )
    })?;
    if data.len() > limit {
        return Err(format!(
            "a PDF whose attached file \"{name}\" is larger than {} MiB",
            limit >> 20
        ));
    }
    // The size the file was attached with: a stream cut short inflates to less, without error.
    let size = stream
        .dict
        .get_deref(b"Params", doc)
        .and_then(Object::as_dict)
        .and_then(|p| p.get_deref(b"Size", doc))
        .and_then(Object::as_i64);
    if let Ok(size) = size
        && usize::try_from(size).ok() != Some(data.len())
    {
        return Err(format!(
            "a damaged PDF: its attached file \"{name}\" gives {} of its {size} bytes",
            data.len()
        ));
    }
    Ok((name, data))
}

/// The text of each page of `doc`, for telling which pages of two PDFs differ.
pub fn page_texts(doc: &Document) -> Vec<String> {
    doc.get_pages()
        .keys()
        .map(|n| {
            doc.extract_text_with_limit(&[*n], MAX_FILE)
                .unwrap_or_default()
        })
        .collect()
}
