//! Reviewers' edits back into the source: a Word copy (`word_copy: true`) carries the source
//! it was made from and names each answer's field in a content control. `import` reads the
//! answers as the reviewer left them (by their controls, or by the form's question wording when
//! another program moved or removed the controls) and merges them, field by field, into the
//! source as it is now: a writer's later edits stay, and a field both changed is refused.

use std::path::Path;

use quick_xml::events::Event;

use super::entity;
use super::yaml::quoted;
use crate::error::{Error, Result};
use crate::source::{Node, Value};

/// What a reviewed Word copy holds.
pub struct Reviewed {
    pub project: String,
    pub version: String,
    /// The language of the copy.
    pub lang: String,
    /// The source the copy was made from, as the copy carries it.
    pub base: String,
    /// Each answer the copy gives back: its field and its text as the copy shows it.
    pub answers: Vec<(String, String)>,
    /// Whether the answers were read by the form's wording (the controls were gone or moved).
    pub by_wording: bool,
    /// Answers of the report the copy does not give back (a control deleted, a question the
    /// wording did not find): they keep the source's text.
    pub unread: Vec<String>,
    /// Read by the wording: text found under a question the report leaves unanswered, which a
    /// reworded question before it may have put there. Not merged.
    pub unplaced: Vec<String>,
}

/// What became of one answer (its field, with the language for a text given per language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Same,
    Edited,
    /// Edited, but the source has no such field to write into.
    NotInSource,
    /// Edited in the copy and, differently, in the source since the copy was made.
    Conflict {
        reviewer: String,
        writer: String,
    },
}

/// The source with the reviewer's edits merged in.
pub struct Merged {
    pub text: String,
    pub fields: Vec<(String, Change)>,
    /// Answers the writer changed in the source since the copy was made, kept as they are.
    pub kept: usize,
}

fn wrong(path: &Path, found: impl Into<String>) -> Error {
    Error::WrongKind {
        path: path.to_path_buf(),
        expected: "a Word copy made by pbf-report (word_copy: true)",
        found: found.into(),
    }
}

/// The answers of a Word copy's `document`, with the source it carries (`carried`: its language,
/// version and text). `by_wording` reads the copy as a past report, for a copy whose controls
/// another program moved or removed: the source it gives, and the fields it found or found
/// empty.
pub fn import(
    path: &Path,
    carried: (String, String, String),
    document: &str,
    by_wording: impl FnOnce() -> Result<super::Past>,
) -> Result<Reviewed> {
    let (lang, version, base) = carried;
    // The version names the file written: the same rule as a source's file name.
    if !crate::model::is_valid_project_id(&version) {
        return Err(wrong(
            path,
            "a Word copy whose version cannot name a source file",
        ));
    }
    let form = form_of(path, &base)?;
    let root = parse(&base).map_err(|problem| {
        wrong(
            path,
            format!("a Word copy whose source cannot be read: {problem}"),
        )
    })?;
    if !crate::check::languages_of(&root).contains(&lang) {
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
    let framed: Vec<String> = form.answer_fields().collect();
    let read = controls(document).map_err(|e| {
        wrong(
            path,
            format!("a Word copy whose answers cannot be read back: {e}"),
        )
    })?;
    let in_report = |field: &str| answer_in(&base, &root, field, &lang).node.is_some();
    let (answers, unplaced, by_wording) = match read {
        Some(answers) => {
            named_once(path, &framed, &answers)?;
            let answers: Vec<(String, String)> = answers
                .into_iter()
                .map(|(field, text)| (field, shown_lines(&text)))
                .collect();
            (answers, Vec::new(), false)
        }
        None => {
            let past = by_wording()?;
            let (found, unplaced): (Vec<_>, Vec<_>) = worded(&past, &framed, &lang)
                .into_iter()
                .partition(|(field, text)| text.is_empty() || in_report(field));
            let unplaced = unplaced.into_iter().map(|(field, _)| field).collect();
            (found, unplaced, true)
        }
    };
    // Not given back is worth a word only for an answer the report has.
    let unread = framed
        .iter()
        .filter(|f| in_report(f) && !answers.iter().any(|(a, _)| a == *f))
        .cloned()
        .collect();
    Ok(Reviewed {
        project,
        version,
        lang,
        base,
        answers,
        by_wording,
        unread,
        unplaced,
    })
}

/// Only the answers a copy holds may come back, each once: a content control renamed to
/// another field (a budget, the project's id) or given twice is not a reviewer's edit.
fn named_once(path: &Path, framed: &[String], answers: &[(String, String)]) -> Result<()> {
    let framed: std::collections::HashSet<&str> = framed.iter().map(String::as_str).collect();
    let mut seen = std::collections::HashSet::new();
    for (field, _) in answers {
        if !framed.contains(field.as_str()) {
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
    Ok(())
}

/// The answers a copy read by its wording gives: each framed field it found (or found empty),
/// as the copy shows it.
fn worded(past: &super::Past, framed: &[String], lang: &str) -> Vec<(String, String)> {
    let Ok(root) = parse(&past.text) else {
        return Vec::new();
    };
    let state = |field: &str| past.rows.iter().find(|r| r.field == field).map(|r| r.state);
    let mut answers = Vec::new();
    for field in framed {
        let text = match state(field) {
            Some("empty") => Some(String::new()),
            Some("found") => root
                .at(field)
                .map(|_| answer_in(&past.text, &root, field, lang).text),
            _ => None,
        };
        if let Some(text) = text {
            answers.push((field.clone(), shown_lines(&text)));
        }
    }
    answers
}

/// The source a copy carries: its language, its version and the source's text. None when the
/// part is not pbf-report's; an error when it is, but is damaged.
pub fn carried_source(xml: &str) -> Option<std::result::Result<(String, String, String), String>> {
    use base64::Engine as _;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut attributes: Option<(Option<String>, Option<String>)> = None;
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => return attributes.map(|_| Err(e.to_string())),
        };
        match event {
            Event::Start(e) if e.local_name().as_ref() == b"source" => {
                let attr = |name: &str| -> Option<String> {
                    Some(
                        e.try_get_attribute(name)
                            .ok()??
                            .unescape_value()
                            .ok()?
                            .into_owned(),
                    )
                };
                if attr("xmlns").as_deref() != Some(crate::render::docx::SOURCE_NS) {
                    return None;
                }
                attributes = Some((attr("lang"), attr("version")));
            }
            Event::Text(t) if attributes.is_some() => {
                let Some((Some(lang), Some(version))) = attributes else {
                    return Some(Err("its language or version is missing".into()));
                };
                let decoded = t
                    .decode()
                    .map_err(|e| e.to_string())
                    .and_then(|encoded| {
                        base64::engine::general_purpose::STANDARD
                            .decode(encoded.trim())
                            .map_err(|e| e.to_string())
                    })
                    .and_then(|bytes| String::from_utf8(bytes).map_err(|e| e.to_string()));
                return Some(decoded.map(|text| (lang, version, text)));
            }
            Event::Eof => return attributes.map(|_| Err("it holds no source".into())),
            _ => {}
        }
    }
}

/// The answers of the copy: each content control's name (a field's path) and its paragraphs,
/// a bullet line given back its `- `. Only text a reader sees counts: the runs' text (`w:t`),
/// not text deleted with tracked changes, field codes or the fallback of alternate content.
/// None when the copy has no controls, or has one inside a paragraph (where LibreOffice moves
/// them on saving), which cannot tell where its answer ends: such a copy is read by its wording.
fn controls(xml: &str) -> std::result::Result<Option<Vec<(String, String)>>, String> {
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
                    return Ok(None);
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
            Event::Eof => return Ok(Some(out).filter(|o| !o.is_empty())),
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

/// A text as a copy shows it, paragraphs one to a line: trimmed, empty lines left out, a
/// bullet given back its `- `. Without what a copy cannot show: zero-width spaces (the layout's
/// break opportunities, and a writer's own, which Word draws as nothing) and a lone carriage
/// return.
fn shown_lines(text: &str) -> String {
    let text = text
        .replace("\r\n", "\n")
        .replace(['\r', crate::fit::BREAK], "");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.strip_prefix("• ") {
            Some(item) => format!("- {item}"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A source's text as the copy shows it: with the language's typography.
fn as_shown(lang: &str, text: &str) -> String {
    shown_lines(&crate::render::document::typography(lang, text.trim()))
}

fn parse(text: &str) -> std::result::Result<Node, String> {
    crate::source::parse(Path::new("source.yaml"), text.as_bytes())
        .map(|(_, root)| root)
        .map_err(|d| d.message)
}

/// One language's text of an answer in a source.
struct Answer<'a> {
    /// The text's node: an entry of a per-language mapping, or the text given once.
    node: Option<&'a Node>,
    per_language: bool,
    /// The text as it reads; a number as typed (`baseline: 0` prints as typed, and so the copy
    /// shows it).
    text: String,
}

fn answer_in<'a>(source: &str, root: &'a Node, field: &str, lang: &str) -> Answer<'a> {
    let node = root.at(field);
    let (node, per_language) = match node.map(|n| &n.value) {
        Some(Value::Map(_)) => (node.and_then(|n| n.get(lang)), true),
        _ => (node, false),
    };
    let text = match node {
        Some(Node {
            value: Value::Str(s),
            ..
        }) => s.clone(),
        Some(n) if is_scalar(&n.value) => n
            .span
            .clone()
            .map(|span| source[span].trim().to_string())
            .unwrap_or_default(),
        _ => String::new(),
    };
    Answer {
        node,
        per_language,
        text,
    }
}

/// The reviewer's text `shown`, each paragraph the reviewer left as it was written as `before`
/// (the source's text) has it: its leading spaces and the blank lines after it. So an edit of
/// one word changes one line of the source.
fn paragraphs_kept(lang: &str, before: &str, shown: &str) -> String {
    // The source's lines that show, each with the blank lines after it.
    let mut old: Vec<(String, &str, usize)> = Vec::new();
    for line in before.trim_end().split('\n') {
        match (line.trim().is_empty(), old.last_mut()) {
            (true, Some(last)) => last.2 += 1,
            (true, None) => {}
            (false, _) => old.push((as_shown(lang, line), line.trim_end(), 0)),
        }
    }
    let new: Vec<&str> = shown.split('\n').collect();
    if old.len() * new.len() > 1 << 20 {
        return shown.to_string();
    }
    // The longest run of lines in common, by dynamic programming from the ends.
    let (n, m) = (old.len(), new.len());
    let mut common = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = match old[i].0 == new[j] {
                true => common[i + 1][j + 1] + 1,
                false => common[i + 1][j].max(common[i][j + 1]),
            };
        }
    }
    // Lines edited in place (old lines left, new ones taken, between two lines kept) keep, in
    // their order, the blank lines after the lines they replace.
    let (mut i, mut j, mut lines) = (0, 0, Vec::new());
    let mut blanks = std::collections::VecDeque::new();
    while j < m {
        if i < n && old[i].0 == new[j] {
            lines.push(old[i].1.to_string());
            lines.extend(std::iter::repeat_n(String::new(), old[i].2));
            (i, j) = (i + 1, j + 1);
            blanks.clear();
        } else if i < n && common[i + 1][j] >= common[i][j + 1] {
            blanks.push_back(old[i].2);
            i += 1;
        } else {
            lines.push(new[j].to_string());
            let after = blanks.pop_front().unwrap_or(0);
            lines.extend(std::iter::repeat_n(String::new(), after));
            j += 1;
        }
    }
    let kept = lines.join("\n").trim_end().to_string();
    match as_shown(lang, &kept) == shown {
        true => kept,
        false => shown.to_string(),
    }
}

/// An answer to write into the source: where, and its texts.
struct Edit {
    span: std::ops::Range<usize>,
    text: String,
    /// The text given once for all the report's languages, which the edit splits: the other
    /// languages keep it.
    shared: Option<(Vec<String>, String)>,
}

/// Merges the reviewer's answers into `mine`, the source as it is now: an answer the reviewer
/// changed is written where the source has not changed it since the copy was made; one the
/// writer changed keeps the writer's text; one both changed differently is a conflict. An
/// error says why `mine` is not the copy's source.
pub fn merge(reviewed: &Reviewed, mine: &str) -> std::result::Result<Merged, String> {
    let lang = reviewed.lang.as_str();
    let base = parse(&reviewed.base)?;
    let root = parse(mine).map_err(|problem| format!("it cannot be read: {problem}"))?;
    match root.get("project_id").map(|n| &n.value) {
        Some(Value::Str(id)) if *id == reviewed.project => {}
        _ => return Err(format!("it is not a source of {}", reviewed.project)),
    }
    let languages = crate::check::languages_of(&root);
    if !languages.iter().any(|l| l == lang) {
        return Err(format!("it has no `{lang}` text any more"));
    }
    let (mut edits, mut fields, mut kept) = (Vec::new(), Vec::new(), 0);
    for (field, shown) in &reviewed.answers {
        let was = as_shown(lang, &answer_in(&reviewed.base, &base, field, lang).text);
        let now = answer_in(mine, &root, field, lang);
        let now_shown = as_shown(lang, &now.text);
        let name = match now.per_language {
            true => format!("{field}.{lang}"),
            false => field.clone(),
        };
        let span = now
            .node
            .filter(|n| is_scalar(&n.value))
            .and_then(|n| n.span.clone());
        let change = if *shown == now_shown {
            Change::Same
        } else if *shown == was {
            kept += 1;
            Change::Same
        } else if now_shown != was {
            Change::Conflict {
                reviewer: shown.clone(),
                writer: now_shown,
            }
        } else if let Some(span) = span {
            let shared = (!now.per_language && languages.len() > 1)
                .then(|| (languages.clone(), now.text.clone()));
            edits.push(Edit {
                span,
                text: paragraphs_kept(lang, &now.text, shown),
                shared,
            });
            Change::Edited
        } else {
            Change::NotInSource
        };
        fields.push((name, change));
    }
    // What is written reads back as the copy shows it, or nothing is written. An edit inside a
    // flow collection spread over lines (a source written as JSON) cannot be a block: there,
    // every edit is written quoted.
    let reads_back = |text: &str| -> std::result::Result<(), String> {
        let merged = parse(text)?;
        for ((field, shown), (_, change)) in reviewed.answers.iter().zip(&fields) {
            let back = as_shown(lang, &answer_in(text, &merged, field, lang).text);
            if *change == Change::Edited && back != *shown {
                return Err(format!("the edit of {field} does not read back"));
            }
        }
        Ok(())
    };
    let styled = written(mine, &edits, lang, false);
    let text = match reads_back(&styled) {
        Ok(()) => styled,
        Err(_) => {
            let quoted = written(mine, &edits, lang, true);
            reads_back(&quoted)
                .map_err(|p| format!("the edits could not be written into it: {p}"))?;
            quoted
        }
    };
    Ok(Merged { text, fields, kept })
}

/// `source` with each edit written in place of the scalar it replaces; each quoted when `flow`.
fn written(source: &str, edits: &[Edit], lang: &str, flow: bool) -> String {
    let newline = match source.contains("\r\n") {
        true => "\r\n",
        false => "\n",
    };
    let mut text = source.to_string();
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    for edit in edits {
        let (range, scalar) = replacement(source, edit, lang, flow);
        text.replace_range(range, &scalar.replace('\n', newline));
    }
    text
}

/// The bytes an edit replaces and what it writes there. A text keeps the style it had: a block
/// stays a block (its indentation and chomping kept), a quoted text of one line stays quoted,
/// and a text of several lines becomes a block. A text shared by the languages becomes a
/// mapping of one text per language.
fn replacement(
    source: &str,
    edit: &Edit,
    lang: &str,
    flow: bool,
) -> (std::ops::Range<usize>, String) {
    let whole = whole_scalar(source, edit.span.clone());
    let line_start = source[..whole.start].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &source[line_start..whole.start];
    // Inside a flow collection (`{en: …}`), only a quoted text may stand.
    let flow = flow || prefix.contains(['{', '[']);
    let rest = prefix.trim_start_matches([' ', '-']);
    let column = prefix.len() - rest.len();
    // A key's value is indented under the key; a list item's under its first character.
    let indent = match rest.is_empty() {
        true => column,
        false => column + 2,
    };
    let old = &source[whole.clone()];
    let block = old.starts_with(['|', '>']).then(|| {
        let chomp = old.chars().find(|c| matches!(c, '-' | '+'));
        let indent = old
            .lines()
            .skip(1)
            .find(|l| !l.trim().is_empty())
            .map_or(indent, |l| l.len() - l.trim_start().len());
        (chomp, indent)
    });
    let Some((languages, other)) = &edit.shared else {
        let scalar = match (flow, block) {
            (true, _) => quoted(&edit.text),
            (false, Some((chomp, indent))) => styled(&edit.text, indent, Some(chomp)),
            (false, None) => styled(&edit.text, indent, None),
        };
        return (whole, scalar);
    };
    let text_of = |l: &String| match l == lang {
        true => edit.text.as_str(),
        false => other.as_str(),
    };
    if flow {
        let entries: Vec<String> = languages
            .iter()
            .map(|l| format!("{l}: {}", quoted(text_of(l))))
            .collect();
        return (whole, format!("{{{}}}", entries.join(", ")));
    }
    let pad = " ".repeat(indent);
    let chomp = block.map(|(chomp, _)| chomp);
    let entries: String = languages
        .iter()
        .map(|l| format!("\n{pad}{l}: {}", styled(text_of(l), indent + 2, chomp)))
        .collect();
    // The mapping starts on the key's next line: the space after `key:` goes.
    let start = source[..whole.start].trim_end_matches(' ').len();
    (start..whole.end, entries)
}

/// `text` as a scalar whose lines are indented by `indent`: a block when it was one (`chomp`
/// given: its `-` or `+`, or none) or has several lines, else quoted. A text a block cannot hold
/// as it is (a control character, a line with trailing spaces, a leading space) stays quoted.
fn styled(text: &str, indent: usize, chomp: Option<Option<char>>) -> String {
    let blockable =
        !text.is_empty() && !text.starts_with([' ', '\t']) && super::yaml::block_safe(text);
    let chomp = match (chomp, text.contains('\n')) {
        (Some(chomp), _) => chomp,
        (None, true) => Some('-'),
        (None, false) => return quoted(text),
    };
    if !blockable {
        return quoted(text);
    }
    let pad = " ".repeat(indent);
    let mut out = format!("|{}", chomp.map(String::from).unwrap_or_default());
    for line in text.lines() {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
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

    /// A report whose answers are written in each style a writer may use.
    const STYLED: &str = "project_id: pbf-irf-999\nlanguages: [fr]\nprogress:\n  status: |\n    un\n    deux\n  relevance: >-\n    folded\n    text\n  unique: \"quoted\"\n  peacebuilding_results: {fr: \"a\", en: \"b\"}\n  human_impact: plain\n";

    fn merged_with(source: &str, answers: &[(&str, &str)]) -> String {
        let reviewed = Reviewed {
            project: "pbf-irf-999".into(),
            version: "v".into(),
            lang: "fr".into(),
            base: source.into(),
            answers: answers
                .iter()
                .map(|(f, t)| (f.to_string(), t.to_string()))
                .collect(),
            by_wording: false,
            unread: Vec::new(),
            unplaced: Vec::new(),
        };
        merge(&reviewed, source).unwrap().text
    }

    #[test]
    fn an_edit_changes_only_the_paragraphs_it_edits() {
        let before = "First.\n\n   Second, indented.\n- item\n\nLast.";
        let shown = "First.\nSecond, indented.\n- item, edited\nLast.\nNew.";
        assert_eq!(
            paragraphs_kept("en", before, shown),
            "First.\n\n   Second, indented.\n- item, edited\n\nLast.\nNew."
        );
        // French typography shows in the copy, not in the source's untouched lines.
        let before = "Défis: routes.\n\nFin.";
        let shown = format!("{}\nFin, revue.", as_shown("fr", "Défis: routes."));
        assert_eq!(
            paragraphs_kept("fr", before, &shown),
            "Défis: routes.\n\nFin, revue."
        );
    }

    #[test]
    fn an_edit_keeps_the_style_of_the_text_it_replaces() {
        let text = merged_with(
            STYLED,
            &[
                ("progress.status", "trois\nquatre"),
                ("progress.relevance", "plié\nautrement"),
                ("progress.unique", "une ligne"),
                ("progress.peacebuilding_results", "c\nd"),
                ("progress.human_impact", "x\ny"),
            ],
        );
        assert_eq!(
            text,
            "project_id: pbf-irf-999\nlanguages: [fr]\nprogress:\n  status: |\n    trois\n    quatre\n  relevance: |-\n    plié\n    autrement\n  unique: \"une ligne\"\n  peacebuilding_results: {fr: \"c\\nd\", en: \"b\"}\n  human_impact: |-\n    x\n    y\n"
        );
        // A text given once for two languages: the other keeps its text, in the same style.
        let shared = STYLED.replace("[fr]", "[fr, en]");
        let text = merged_with(
            &shared,
            &[("progress.status", "trois"), ("progress.unique", "x\ny")],
        );
        assert!(
            text.contains(
                "  status:\n    fr: |\n      trois\n    en: |\n      un\n      deux\n  relevance"
            ),
            "{text}"
        );
        assert!(
            text.contains("  unique:\n    fr: |-\n      x\n      y\n    en: \"quoted\"\n"),
            "{text}"
        );
        // Line ends as the writer's editor writes them; a text a block cannot hold is quoted.
        let crlf = STYLED.replace('\n', "\r\n");
        let text = merged_with(&crlf, &[("progress.status", "trois\nquatre")]);
        assert!(
            text.contains("  status: |\r\n    trois\r\n    quatre\r\n  relevance"),
            "{text:?}"
        );
        // A source written as JSON: a flow mapping over lines, where only a quoted text stands.
        let json = "{\n  \"project_id\": \"pbf-irf-999\",\n  \"languages\": [\"fr\"],\n  \"progress\": {\n    \"status\": \"un\"\n  }\n}\n";
        let text = merged_with(json, &[("progress.status", "deux\ntrois")]);
        assert!(
            text.contains("    \"status\": \"deux\\ntrois\"\n  }"),
            "{text}"
        );
        let text = merged_with(STYLED, &[("progress.status", "bell \u{7}\nend")]);
        assert!(
            text.contains("  status: \"bell \\u0007\\nend\"\n"),
            "{text:?}"
        );
    }
}
