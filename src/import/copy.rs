//! Reviewers' edits back into the source: a Word copy (`word_copy: true`) carries its report's
//! source and names each answer's field in a content control; `import` reads the answers as the
//! reviewer left them and writes the source with each changed answer replaced, everything else
//! as it was.

use std::path::Path;

use quick_xml::events::Event;

use super::entity;
use crate::error::{Error, Result};
use crate::source::Value;

/// What a Word copy gives back.
pub struct Imported {
    /// The source with the reviewers' edits, as it is to be written.
    pub text: String,
    pub project: String,
    pub version: String,
    /// Each answer of the copy: its field (with the language for a text given per language),
    /// and whether it was edited, or could not be written back.
    pub fields: Vec<(String, Change)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Edited,
    /// Edited, but the source has no such field to write into.
    NotInSource,
}

fn wrong(path: &Path, found: impl Into<String>) -> Error {
    Error::WrongKind {
        path: path.to_path_buf(),
        expected: "a Word copy made by pbf-report (word_copy: true)",
        found: found.into(),
    }
}

/// Applies the answers of a Word copy's `document` to the source it carries (`carried`: its
/// language, version and text).
pub fn import(path: &Path, carried: (String, String, String), document: &str) -> Result<Imported> {
    let (lang, version, source) = carried;
    // The version names the file written: the same rule as a source's file name.
    if !crate::model::is_valid_project_id(&version) {
        return Err(wrong(
            path,
            "a Word copy whose version cannot name a source file",
        ));
    }
    let answers = answers(document).map_err(|e| {
        wrong(
            path,
            format!("a Word copy whose answers cannot be read back: {e}"),
        )
    })?;
    // Only the answers a copy holds may come back, each once: a content control renamed to
    // another field (a budget, the project's id) or given twice is not a reviewer's edit.
    let form = form_of(path, &source)?;
    let framed: std::collections::HashSet<String> = form.answer_fields().collect();
    let mut seen = std::collections::HashSet::new();
    for (field, _) in &answers {
        if !framed.contains(field) {
            return Err(wrong(
                path,
                format!("a Word copy naming `{field}`, which is not an answer of the form"),
            ));
        }
        if !seen.insert(field.as_str()) {
            return Err(wrong(
                path,
                format!("a Word copy with two answers for `{field}`"),
            ));
        }
    }
    apply(path, &source, &lang, version, answers)
}

/// The source a copy carries: its language, its version and the source's text.
pub fn carried_source(xml: &str) -> Option<(String, String, String)> {
    use base64::Engine as _;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut lang, mut version) = (None, None);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == b"source" => {
                let ns = e.try_get_attribute("xmlns").ok()??.unescape_value().ok()?;
                if ns != crate::render::docx::SOURCE_NS {
                    return None;
                }
                let attr = |name: &str| -> Option<String> {
                    Some(
                        e.try_get_attribute(name)
                            .ok()??
                            .unescape_value()
                            .ok()?
                            .into_owned(),
                    )
                };
                (lang, version) = (attr("lang"), attr("version"));
            }
            Event::Text(t) if lang.is_some() => {
                let encoded = t.decode().ok()?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()?;
                return Some((lang?, version?, String::from_utf8(bytes).ok()?));
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The answers of the copy: each content control's name (a field's path) and its paragraphs,
/// a bullet line given back its `- `. Only text a reader sees counts: the runs' text (`w:t`),
/// not text deleted with tracked changes, field codes or the fallback of alternate content.
/// A control inside a paragraph (as a program that re-saves the copy may leave it) cannot tell
/// where its answer ends: such a copy is refused.
fn answers(xml: &str) -> std::result::Result<Vec<(String, String)>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut alias: Option<String> = None;
    let (mut paragraphs, mut paragraph): (Vec<String>, String) = (Vec::new(), String::new());
    // Open `w:p` elements, whether inside `w:t`, and how deep inside text not to be read.
    let (mut in_paragraph, mut in_text, mut hidden) = (0usize, false, 0usize);
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => match e.name().as_ref() {
                b"w:p" => in_paragraph += 1,
                b"w:t" => in_text = true,
                b"mc:Fallback" | b"w:del" | b"w:moveFrom" => hidden += 1,
                _ => {}
            },
            Event::Empty(e) if e.name().as_ref() == b"w:alias" => {
                if in_paragraph > 0 {
                    return Err(
                        "an answer's field is inside a paragraph (the copy was re-saved by \
                                another program, which moved its fields): save it from Word, or \
                                review the copy pbf-report built"
                            .into(),
                    );
                }
                let value = e.try_get_attribute("w:val").map_err(|e| e.to_string())?;
                alias = value
                    .and_then(|v| v.unescape_value().ok())
                    .map(|v| v.into_owned());
            }
            Event::Empty(e) if alias.is_some() && hidden == 0 => match e.name().as_ref() {
                b"w:tab" => paragraph.push('\t'),
                b"w:br" | b"w:cr" => paragraph.push('\n'),
                b"w:noBreakHyphen" => paragraph.push('\u{2011}'),
                _ => {}
            },
            Event::Text(t) if alias.is_some() && in_text && hidden == 0 => {
                paragraph.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::GeneralRef(r) => {
                let c = entity(&r)?;
                if alias.is_some() && in_text && hidden == 0 {
                    paragraph.push(c);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"mc:Fallback" | b"w:del" | b"w:moveFrom" => hidden = hidden.saturating_sub(1),
                b"w:p" => {
                    in_paragraph = in_paragraph.saturating_sub(1);
                    if alias.is_some() {
                        let text = std::mem::take(&mut paragraph);
                        paragraphs.push(match text.strip_prefix("• ") {
                            Some(item) => format!("- {item}"),
                            None => text,
                        });
                    }
                }
                b"w:sdt" => {
                    if let Some(name) = alias.take() {
                        let text = std::mem::take(&mut paragraphs).join("\n");
                        out.push((name, text.trim().to_string()));
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// The form the carried source is written for, whose description says which answers a Word
/// copy holds: the texts it frames, at the positions its lists have room for.
fn form_of(path: &Path, source: &str) -> Result<std::sync::Arc<crate::form::Form>> {
    let name = crate::source::parse(Path::new("source.yaml"), source.as_bytes())
        .ok()
        .and_then(|(_, root)| match root.get("template").map(|n| &n.value) {
            Some(Value::Str(name)) => Some(name.clone()),
            _ => None,
        })
        .unwrap_or_else(|| crate::form::BUILT_IN.to_string());
    let templates = crate::templates::current();
    match templates.form(&name) {
        Some(Ok(form)) => Ok(form),
        Some(Err(problem)) => Err(wrong(
            path,
            format!("a Word copy whose form cannot be read: {problem}"),
        )),
        None => Err(wrong(
            path,
            format!(
                "a Word copy of the form `{name}`, which these templates do not hold (--templates DIR names a folder that does)"
            ),
        )),
    }
}

/// Whether a value is one a reviewer may have edited as text: a text, a number or a yes/no.
fn is_scalar(value: &Value) -> bool {
    matches!(
        value,
        Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)
    )
}

/// The bytes a scalar takes in the source, from what the reader reports (the value's own
/// characters): with its block indicator (`|-`, `>`) when it has one, without the line break
/// and indentation that follow it.
fn whole_scalar(source: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let end = span.start + source[span.clone()].trim_end().len();
    let before = source[..span.start].trim_end();
    // The last word of the line the value starts under: `key: |-` or `- >`.
    let line = before.rsplit('\n').next().unwrap_or(before);
    let indicator = line
        .split_whitespace()
        .last()
        .filter(|i| i.starts_with(['|', '>']) && i.len() <= 3);
    match indicator {
        Some(i) => before.len() - i.len()..end,
        None => span.start..end,
    }
}

/// An answer as the copy shows it: typography of the language, paragraphs one to a line.
fn as_shown(lang: &str, text: &str) -> String {
    let typeset = crate::render::document::typography(lang, text.trim());
    typeset
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .replace(crate::fit::BREAK, "")
}

fn apply(
    path: &Path,
    source: &str,
    lang: &str,
    version: String,
    answers: Vec<(String, String)>,
) -> Result<Imported> {
    let (_, root) =
        crate::source::parse(Path::new("source.yaml"), source.as_bytes()).map_err(|d| {
            wrong(
                path,
                format!("a Word copy whose source cannot be read: {}", d.message),
            )
        })?;
    let languages = crate::check::languages_of(&root);
    if !languages.iter().any(|l| l == lang) {
        return Err(wrong(
            path,
            format!("a Word copy in `{lang}`, not a language of its report"),
        ));
    }
    let project = match root.get("project_id").map(|n| &n.value) {
        Some(Value::Str(id)) if crate::model::is_valid_project_id(id) => id.clone(),
        _ => {
            return Err(wrong(
                path,
                "a Word copy whose source has no valid project_id",
            ));
        }
    };
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut fields = Vec::new();
    for (field, shown) in answers {
        // The node of this language's text: an entry of a per-language mapping, or the text.
        let node = root.at(&field);
        let (node, name) = match node.map(|n| &n.value) {
            Some(Value::Map(_)) => (node.and_then(|n| n.get(lang)), format!("{field}.{lang}")),
            _ => (node, field.clone()),
        };
        // A number where the form takes text (`baseline: 0`) prints as typed, and so the copy
        // shows it: it compares, and is replaced, as the source's own characters.
        let typed = node
            .filter(|n| is_scalar(&n.value))
            .and_then(|n| n.span.clone());
        let before = match (node.map(|n| &n.value), &typed) {
            (Some(Value::Str(s)), _) => s.clone(),
            (Some(_), Some(span)) => source[span.clone()].trim().to_string(),
            _ => String::new(),
        };
        if as_shown(lang, &before) == shown.replace(crate::fit::BREAK, "") {
            fields.push((name, Change::Same));
            continue;
        }
        match typed {
            Some(span) => {
                let json = |t: &str| serde_json::to_string(t).expect("a string serialises");
                // A text given once for several languages becomes one text per language: the
                // copy's language takes the edit, the others keep the text as it was.
                let shared = name == field && languages.len() > 1;
                let scalar = if shared {
                    let entries: Vec<String> = languages
                        .iter()
                        .map(|l| {
                            let text = if l == lang {
                                shown.as_str()
                            } else {
                                before.as_str()
                            };
                            format!("{l}: {}", json(text))
                        })
                        .collect();
                    format!("{{{}}}", entries.join(", "))
                } else {
                    json(&shown)
                };
                edits.push((span, scalar));
                fields.push((name, Change::Edited));
            }
            None => fields.push((name, Change::NotInSource)),
        }
    }
    let mut text = source.to_string();
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    for (span, scalar) in edits {
        let span = whole_scalar(source, span);
        text.replace_range(span, &scalar);
    }
    Ok(Imported {
        text,
        project,
        version,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_answers_come_back() {
        let framed: std::collections::HashSet<String> =
            crate::form::Form::pbf_2019().answer_fields().collect();
        let is_answer = |field: &str| framed.contains(field);
        for field in [
            "progress.status",
            "cross_cutting.other",
            "cover.evaluation",
            "outcomes[2].summary",
            "outcomes[1].outputs[3].indicators[2].target",
            "outcomes[4].indicators[3].baseline",
        ] {
            assert!(is_answer(field), "{field}");
        }
        for field in [
            "project_id",
            "cover.budget_total",
            "annex_a.by_category.wfp.staff.budget",
            "outcomes[1].statement",
            "progress.rating",
            "progress.status.x",
            // An output has at most two indicators, an outcome three.
            "outcomes[1].outputs[1].indicators[3].target",
            "outcomes[1].indicators[4].target",
        ] {
            assert!(!is_answer(field), "{field}");
        }
    }

    #[test]
    fn a_block_scalar_is_replaced_with_its_indicator() {
        let source = "a:\n  en: |-\n    one\n    two\n  fr: x\nb: \"q\"\n";
        let (_, root) = crate::source::parse(Path::new("s.yaml"), source.as_bytes()).unwrap();
        let en = root.get("a").unwrap().get("en").unwrap();
        let span = whole_scalar(source, en.span.clone().unwrap());
        assert_eq!(&source[span], "|-\n    one\n    two");
        let b = root.get("b").unwrap();
        assert_eq!(
            &source[whole_scalar(source, b.span.clone().unwrap())],
            "\"q\""
        );
    }
}
