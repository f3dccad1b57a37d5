//! `import`: a report into a source. A Word copy made by pbf-report comes back with its
//! reviewers' edits (`copy`); any other report (plain text, a PDF, a `.docx`) is read by the
//! form's wording (`form`, `past`) and written as a new source (`yaml`).
//!
//! A `.docx` is a zip of XML written by anyone: caps on its entries and their inflated sizes,
//! XML read as events with no entity but XML's five, nothing extracted to disk. A PDF goes
//! through `extract`'s caps; a text is refused past the size of any report.

mod copy;
mod described;
mod form;
mod past;
mod pdf;
mod yaml;

use std::io::Read;
use std::path::Path;

use quick_xml::events::{BytesRef, Event};

pub use copy::{Change, Merged, Reviewed, merge};
pub use past::{Past, Row};
pub use yaml::{todo_comments, unsafe_char};

use crate::error::{Error, Result};

/// Most entries a `.docx` may hold, and most bytes any one part, or all, may inflate to.
const MAX_ENTRIES: usize = 1_000;
const MAX_PART: u64 = 32 << 20;
const MAX_TOTAL: u64 = 64 << 20;
/// The most text a report is read from: a filled form's text is well under a tenth of this.
const MAX_TEXT: usize = 4 << 20;
/// The most pages of a PDF read: a report has a few dozen.
const MAX_PAGES: usize = 300;

const EXPECTED: &str = "a filled PBF project progress report (plain text, PDF or .docx) or a Word copy made by \
     pbf-report";

/// What an import gives.
pub enum Imported {
    /// A reviewed Word copy: its source with the edits.
    Copy(copy::Reviewed),
    /// A past report: a new source, with what was found where.
    Past(past::Past),
}

/// A file `import` cannot take: what it is instead.
fn wrong(path: &Path, found: impl Into<String>) -> Error {
    Error::wrong_kind(path, EXPECTED, found)
}

/// Reads a past report's `text`: by the description of the form whose title it starts with,
/// when the templates hold one besides the built-in form; else as the built-in form.
fn read(path: &Path, text: &str, partial: bool) -> Result<past::Past> {
    let templates = crate::templates::current();
    for name in templates.form_names() {
        let Some(Ok(form)) = templates
            .form(&name)
            .filter(|_| name != crate::form::BUILT_IN)
        else {
            continue;
        };
        let catalogs: Vec<crate::i18n::Catalog> = templates
            .languages()
            .iter()
            .filter_map(|lang| crate::i18n::Catalog::for_form(&templates, &name, lang).ok())
            .collect();
        if described::is_of(&form, &catalogs, text) {
            return described::read(path, text, &form, &catalogs);
        }
    }
    past::read(path, text, partial)
}

/// Reads the report in `bytes` (the file at `path`); with `partial`, one that holds only part of
/// the form.
pub fn import(path: &Path, bytes: &[u8], partial: bool) -> Result<Imported> {
    if bytes.starts_with(b"PK\x03\x04") {
        let mut parts = Parts::open(path, bytes)?;
        let document = parts
            .get("word/document.xml")?
            .ok_or_else(|| wrong(path, "a zip without word/document.xml (not a .docx)"))?;
        for i in 1..=20 {
            let carried = parts
                .get(&format!("customXml/item{i}.xml"))?
                .and_then(|xml| copy::carried_source(&xml))
                .transpose()
                .map_err(|why| {
                    wrong(
                        path,
                        format!(
                            "a Word copy made by pbf-report whose carried source is damaged ({why})"
                        ),
                    )
                })?;
            if let Some(carried) = carried {
                let by_wording = || read(path, &docx_text(path, &document)?, partial);
                return copy::import(path, carried, &document, by_wording).map(Imported::Copy);
            }
        }
        return read(path, &docx_text(path, &document)?, partial).map(Imported::Past);
    }
    if bytes.starts_with(b"%PDF-") {
        let doc = crate::pdf_files::open(path, bytes).map_err(|e| match e {
            Error::WrongKind { found, .. } => wrong(path, found),
            other => other,
        })?;
        let pages = doc.get_pages().len();
        if pages > MAX_PAGES {
            return Err(wrong(
                path,
                format!("a PDF of {pages} pages, more than any report ({MAX_PAGES})"),
            ));
        }
        let text = pdf::text(&doc);
        if text.trim().is_empty() {
            return Err(wrong(
                path,
                "a PDF with no text that can be read (a scan, or text behind encryption or \
                 damaged streams): import its Word document, or its text",
            ));
        }
        if text.len() > MAX_TEXT {
            return Err(wrong(path, "a PDF with more text than any report"));
        }
        let mut past = read(path, &text, partial)?;
        let carries = crate::pdf_files::attached(path, bytes)
            .is_ok_and(|files| files.iter().any(|(name, _)| name.ends_with(".yaml")));
        if carries {
            past.notes.push(
                "this PDF was built by pbf-report and carries its source: `pbf-report extract` \
                 gives it back exactly, Annex A included"
                    .into(),
            );
        }
        return Ok(Imported::Past(past));
    }
    let (text, note) = decode(path, bytes)?;
    let mut past = read(path, &text, partial)?;
    past.notes.extend(note);
    Ok(Imported::Past(past))
}

/// The text of a `.docx`'s document part, a paragraph to a line.
fn docx_text(path: &Path, document: &str) -> Result<String> {
    paragraphs(document).map_err(|e| {
        wrong(
            path,
            format!("a .docx whose word/document.xml is broken: {e}"),
        )
    })
}

/// A text file's characters: UTF-8, UTF-16 with its byte-order mark, or else Windows-1252 (what
/// Word's "plain text" gives by default on Windows); with a word on how it was read when that
/// was a guess.
fn decode(path: &Path, bytes: &[u8]) -> Result<(String, Option<String>)> {
    if bytes.len() > MAX_TEXT {
        // Past the most any input is read, the size is not known: it is at least that.
        let size = match bytes.len() > 64 << 20 {
            true => "a file of more than 64 MiB".to_string(),
            false => format!(
                "a file of {:.1} MiB",
                bytes.len() as f64 / f64::from(1 << 20)
            ),
        };
        return Err(wrong(
            path,
            format!(
                "{size}, more than any report's text ({} MiB)",
                MAX_TEXT >> 20
            ),
        ));
    }
    let utf16 = |bytes: &[u8], pair: fn([u8; 2]) -> u16| {
        let units = bytes.chunks_exact(2).map(|c| pair([c[0], c[1]]));
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
    };
    let mut note = None;
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8_lossy(rest).into_owned()
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, u16::from_be_bytes)
    } else if bytes.contains(&0) {
        return Err(wrong(path, "a binary file, not a report's text"));
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            Err(e) => {
                let at = e.valid_up_to();
                let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
                // UTF-8 with a stray byte reads as UTF-8; a text with no UTF-8 sequence at
                // all is Windows-1252.
                let lossy = String::from_utf8_lossy(bytes);
                if lossy
                    .chars()
                    .any(|c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER)
                {
                    note = Some(format!(
                        "bytes that are not UTF-8 (the first on line {line}) were read as �; \
                         look for them in the source"
                    ));
                    lossy.into_owned()
                } else {
                    note = Some(format!(
                        "the text is not UTF-8 (line {line}); it was read as Windows-1252"
                    ));
                    bytes.iter().map(|b| windows_1252(*b)).collect()
                }
            }
        }
    };
    let text = text.replace("\r\n", "\n").replace(['\r', '\x0c'], "\n");
    Ok((text, note))
}

/// A byte of Windows-1252: Latin-1, but for the printer's characters it puts at 0x80–0x9F.
fn windows_1252(b: u8) -> char {
    const HIGH: &str = "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8d}Ž\u{8f}\u{90}‘’“”•–—˜™š›œ\u{9d}žŸ";
    match b {
        0x80..=0x9f => HIGH
            .chars()
            .nth(usize::from(b - 0x80))
            .unwrap_or('\u{fffd}'),
        _ => char::from(b),
    }
}

/// The parts of a `.docx`, read under the caps.
struct Parts<'a> {
    path: &'a Path,
    zip: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    total: u64,
}

impl<'a> Parts<'a> {
    fn open(path: &'a Path, bytes: &'a [u8]) -> Result<Parts<'a>> {
        let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| wrong(path, format!("a damaged zip ({e})")))?;
        if zip.len() > MAX_ENTRIES {
            return Err(wrong(path, format!("a zip of {} entries", zip.len())));
        }
        Ok(Parts {
            path,
            zip,
            total: 0,
        })
    }

    /// The text of the part `name`, if there is one.
    fn get(&mut self, name: &str) -> Result<Option<String>> {
        let path = self.path;
        let too_big = || {
            wrong(
                path,
                format!(
                    "a zip whose {name} inflates to more than {} MiB",
                    MAX_PART >> 20
                ),
            )
        };
        let Ok(entry) = self.zip.by_name(name) else {
            return Ok(None);
        };
        if entry.size() > MAX_PART || self.total + entry.size() > MAX_TOTAL {
            return Err(too_big());
        }
        let mut text = String::new();
        entry
            .take(MAX_PART + 1)
            .read_to_string(&mut text)
            .map_err(|e| wrong(path, format!("a zip whose {name} cannot be read ({e})")))?;
        // The size an entry declares may lie: what it inflates to is counted too.
        self.total += text.len() as u64;
        if text.len() as u64 > MAX_PART || self.total > MAX_TOTAL {
            return Err(too_big());
        }
        Ok(Some(text))
    }
}

/// A character reference or one of XML's five entities; any other entity is refused, never
/// looked up.
fn entity(r: &BytesRef) -> std::result::Result<char, String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
        return Ok(c);
    }
    match r.decode().map_err(|e| e.to_string())?.as_ref() {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        other => Err(format!(
            "an unknown entity &{};",
            other.trim_end_matches(';')
        )),
    }
}

/// A Word document's text as Word writes it to plain text: a paragraph to a line, a table
/// cell's first paragraph led by a tab. Tick boxes are kept (`☒`, `☐`), a dropdown gives its
/// chosen entry; text deleted with tracked changes and alternate content's fallback are not
/// read.
fn paragraphs(xml: &str) -> std::result::Result<String, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut line = String::new();
    let (mut in_text, mut hidden, mut cell_start) = (false, 0usize, false);
    // A legacy form field's choices and chosen entry, until its result is drawn.
    let mut dropdown: Option<(Vec<String>, usize)> = None;
    // A legacy check box: its default state, and its state when it was ticked since.
    let mut checkbox: Option<(bool, Option<bool>)> = None;
    let mut in_tabs = false;
    while out.len() <= MAX_TEXT {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        if let Event::Start(e) | Event::Empty(e) = &event {
            match e.name().as_ref() {
                b"w:ddList" => dropdown = Some((Vec::new(), 0)),
                b"w:checkBox" => checkbox = Some((false, None)),
                b"w:tabs" => in_tabs = matches!(event, Event::Start(_)),
                _ => {}
            }
        }
        match event {
            Event::Start(e) => match e.name().as_ref() {
                b"w:t" => in_text = true,
                b"mc:Fallback" | b"w:del" | b"w:moveFrom" | b"w:instrText" => hidden += 1,
                b"w:tc" => cell_start = true,
                b"w:p" if cell_start => {
                    line.push('\t');
                    cell_start = false;
                }
                _ => {}
            },
            Event::Empty(e) if hidden == 0 => {
                let val = || -> Option<String> {
                    let v = e.try_get_attribute("w:val").ok()??;
                    Some(v.unescape_value().ok()?.into_owned())
                };
                let on = |v: Option<String>| v.is_none_or(|v| v != "0" && v != "false");
                match e.name().as_ref() {
                    b"w:tab" if !in_tabs => line.push('\t'),
                    b"w:br" | b"w:cr" => line.push('\n'),
                    b"w:noBreakHyphen" => line.push('-'),
                    b"w:listEntry" => {
                        if let (Some((entries, _)), Some(v)) = (dropdown.as_mut(), val()) {
                            entries.push(v);
                        }
                    }
                    b"w:result" => {
                        if let (Some((_, chosen)), Some(v)) = (dropdown.as_mut(), val()) {
                            *chosen = v.parse().unwrap_or(0);
                        }
                    }
                    b"w:default" => {
                        if let Some((default, _)) = checkbox.as_mut() {
                            *default = on(val());
                        }
                    }
                    b"w:checked" => {
                        if let Some((_, checked)) = checkbox.as_mut() {
                            *checked = Some(on(val()));
                        }
                    }
                    b"w:fldChar" => {
                        let end = e
                            .try_get_attribute("w:fldCharType")
                            .ok()
                            .flatten()
                            .is_some_and(|v| v.value.as_ref() == b"end");
                        if end {
                            if let Some((entries, chosen)) = dropdown.take() {
                                line.push_str(entries.get(chosen).map_or("", String::as_str));
                            }
                            if let Some((default, checked)) = checkbox.take() {
                                line.push(if checked.unwrap_or(default) {
                                    '☒'
                                } else {
                                    '☐'
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text && hidden == 0 => {
                line.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::GeneralRef(r) => {
                let c = entity(&r)?;
                if in_text && hidden == 0 {
                    line.push(c);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"mc:Fallback" | b"w:del" | b"w:moveFrom" | b"w:instrText" => {
                    hidden = hidden.saturating_sub(1)
                }
                b"w:p" => {
                    out.push_str(&line);
                    out.push('\n');
                    line.clear();
                }
                _ => {}
            },
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
    Err("more text than any report".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_document_reads_as_its_plain_text() {
        let xml = r#"<w:document><w:body>
            <w:p><w:r><w:t>PAYS:</w:t></w:r><w:r><w:tab/><w:t>Mali &amp; co</w:t></w:r></w:p>
            <w:p><w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:r><w:t xml:space="preserve">IRF </w:t></w:r>
              <w:sdt><w:sdtContent><w:r><w:t>☒</w:t></w:r></w:sdtContent></w:sdt></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Indicateur 1.1</w:t></w:r></w:p><w:p><w:r><w:t>wording</w:t></w:r></w:p></w:tc>
              <w:tc><w:p><w:r><w:t>20</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:ddList><w:result w:val="1"/>
              <w:listEntry w:val="En retard"/><w:listEntry w:val="Sur la bonne voie"/></w:ddList></w:ffData></w:fldChar></w:r>
              <w:r><w:instrText>FORMDROPDOWN</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
            <w:p><w:r><w:t>PRF</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:default w:val="0"/></w:checkBox></w:ffData></w:fldChar></w:r>
              <w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
            </w:body></w:document>"#;
        assert_eq!(
            paragraphs(xml).unwrap(),
            "PAYS:\tMali & co\nIRF ☒\n\tIndicateur 1.1\nwording\n\t20\nSur la bonne voie\nPRF☐\n"
        );
    }

    #[test]
    fn word_plain_text_encodings_are_read() {
        let p = Path::new("r.txt");
        assert_eq!(
            decode(p, b"Dur\xe9e \x93x\x94\r\n").unwrap().0,
            "Durée “x”\n"
        );
        assert_eq!(decode(p, b"\xff\xfeP\0A\0").unwrap().0, "PA");
        // UTF-8 with one stray byte stays UTF-8, and says where the byte was.
        let bytes = ["Ségou\n".as_bytes(), b"\xe9t"].concat();
        let (text, note) = decode(p, &bytes).unwrap();
        assert!(text.starts_with("Ségou\n"), "{text}");
        assert!(note.unwrap().contains("line 2"));
        assert!(decode(p, b"a\0b").is_err());
    }
}
