//! The files a PDF built by pbf-report carries: its catalog's `/EmbeddedFiles` name tree points
//! at file specifications, whose `/EF /F` stream holds the bytes.

use std::path::Path;

use crate::error::{Error, Result};

const EXPECTED: &str = "a PDF built by pbf-report";

/// The files attached to `bytes`, the PDF at `path`, by name.
pub fn attached(path: &Path, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(Error::wrong_kind(path, EXPECTED, "not a PDF"));
    }
    attachments_of(bytes).map_err(|why| {
        Error::wrong_kind(
            path,
            EXPECTED,
            format!("a PDF whose attached files cannot be read ({why})"),
        )
    })
}

/// The attached files of `pdf`, or why they cannot be read.
fn attachments_of(pdf: &[u8]) -> std::result::Result<Vec<(String, Vec<u8>)>, &'static str> {
    const TREE: &[u8] = b"/EmbeddedFiles<</Names[";
    let names = find(pdf, TREE).ok_or("it carries none")?;
    let end = names
        + pdf[names..]
            .iter()
            .position(|&b| b == b']')
            .ok_or("bad name tree")?;
    let list = String::from_utf8_lossy(&pdf[names + TREE.len()..end]).to_string();
    let mut files = Vec::new();
    let mut rest = list.as_str();
    while let Some(open) = rest.find('(') {
        let close = rest[open..].find(')').ok_or("bad name")? + open;
        let name = rest[open + 1..close].to_string();
        let after = rest[close + 1..].trim_start();
        let number: String = after.chars().take_while(char::is_ascii_digit).collect();
        let spec = object(pdf, &number).ok_or("missing file specification")?;
        let ef = find(spec, b"/EF<</F ").ok_or("file specification without /EF")?;
        let stream_ref: String = String::from_utf8_lossy(&spec[ef + 8..])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        files.push((name, stream(pdf, &stream_ref)?));
        rest = &after[number.len()..];
    }
    Ok(files)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The bytes of object `number 0 obj` up to its `endobj`.
fn object<'a>(pdf: &'a [u8], number: &str) -> Option<&'a [u8]> {
    let start = find(pdf, format!("\n{number} 0 obj\n").as_bytes())?;
    let end = start + find(&pdf[start..], b"endobj")?;
    Some(&pdf[start..end])
}

/// The decoded content of stream object `number`.
fn stream(pdf: &[u8], number: &str) -> std::result::Result<Vec<u8>, &'static str> {
    let obj = object(pdf, number).ok_or("missing embedded file")?;
    let dict_end = find(obj, b"stream\n").ok_or("embedded file without stream")?;
    let dict = String::from_utf8_lossy(&obj[..dict_end]);
    let length: usize = dict
        .split("/Length ")
        .nth(1)
        .and_then(|l| l.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|l| l.parse().ok())
        .ok_or("embedded file without a direct length")?;
    let data = obj
        .get(dict_end + 7..dict_end + 7 + length)
        .ok_or("truncated stream")?;
    if dict.contains("/FlateDecode") {
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, 64 << 20)
            .map_err(|_| "an attached file does not inflate")
    } else {
        Ok(data.to_vec())
    }
}
