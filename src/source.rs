//! Loading a report source: bytes → a tree of YAML nodes that each know their line and column.
//! Nothing here knows the report's fields; `check` walks this tree against the model's schema,
//! so that every problem of a source can be reported in one run.

use std::path::{Path, PathBuf};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options, Spanned};

use crate::diagnostic::{Diagnostic, Pos};

/// Largest source accepted; the longest real report is far below 200 KB.
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;
/// Deepest nesting accepted; the model itself is six levels deep.
const MAX_DEPTH: usize = 32;

/// A source file as read: its name for messages and its text (without byte-order mark).
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

/// One YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
    /// Where the scalar stands in the source, in bytes (from its anchor for an alias): numbers
    /// are read from these bytes as typed, never through a float.
    pub span: Option<std::ops::Range<usize>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    /// What identifies this node in the tree: where it is referenced and where its value is
    /// written. The nodes of an alias share the alias's position but not their spans.
    pub fn id(&self) -> (Pos, usize) {
        (self.pos, self.span.as_ref().map_or(usize::MAX, |s| s.start))
    }

    /// The value under `key`, if this is a mapping that has it.
    /// The node at a field's path (`outcomes[1].indicators[2].baseline`), lists counted from 1.
    pub fn at(&self, path: &str) -> Option<&Node> {
        path.split('.').try_fold(self, |node, segment| {
            let (key, index) = match segment.split_once('[') {
                Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (segment, None),
            };
            let node = node.get(key)?;
            match (index, &node.value) {
                (Some(i), Value::Seq(items)) => items.get(i.checked_sub(1)?),
                (None, _) => Some(node),
                _ => None,
            }
        })
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The same data as JSON, for the typed deserialisation. The keys standing at a position in
    /// `unknown` are renamed to the name given with it, or left out when there is none; the
    /// nodes in `values` (by `Node::id`) are replaced by the value given there.
    pub fn to_json(
        &self,
        unknown: &std::collections::HashMap<Pos, Option<String>>,
        values: &std::collections::HashMap<(Pos, usize), serde_json::Value>,
    ) -> serde_json::Value {
        use serde_json::Value as J;
        if let Some(value) = values.get(&self.id()) {
            return value.clone();
        }
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => {
                J::Array(items.iter().map(|n| n.to_json(unknown, values)).collect())
            }
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .filter_map(|e| {
                        let key = match unknown.get(&e.key_pos) {
                            Some(renamed) => renamed.clone()?,
                            None => e.key.clone(),
                        };
                        Some((key, e.value.to_json(unknown, values)))
                    })
                    .collect(),
            ),
        }
    }

    /// A short description of what the node holds, for "expected X, found Y" messages.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Null => "nothing".into(),
            Value::Bool(b) => format!("`{b}`"),
            Value::Int(i) => format!("the number {i}"),
            Value::Float(f) => format!("the number {f}"),
            Value::Str(s) => format!("the text \"{}\"", crate::diagnostic::shorten(s, 40)),
            Value::Seq(_) => "a list".into(),
            Value::Map(_) => "a mapping (key: value lines)".into(),
        }
    }
}

/// Reads `path` and parses it; any problem comes back as one diagnostic (a source that does not
/// parse has nothing more to check).
pub fn load(path: &Path) -> Result<(Source, Node), Box<Diagnostic>> {
    let bytes = crate::fsio::read_file(path)
        .map_err(|e| Box::new(Diagnostic::error(path, e.to_string())))?;
    parse(path, &bytes)
}

/// The text of `bytes` when it is UTF-8, to show source lines in messages about it.
pub fn text_of(path: &Path, bytes: &[u8]) -> Option<Source> {
    let text = std::str::from_utf8(bytes).ok()?;
    Some(Source {
        path: path.to_path_buf(),
        text: text.strip_prefix('\u{feff}').unwrap_or(text).to_string(),
    })
}

/// Parses the bytes of a source named `path`.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<(Source, Node), Box<Diagnostic>> {
    let fail = |message: String, pos: Option<Pos>| {
        let d = Diagnostic::error(path, message);
        Box::new(match pos {
            Some(pos) => d.at(pos),
            None => d,
        })
    };
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(fail(
            format!(
                "the file is larger than {} KiB, the most a report source may be",
                MAX_SOURCE_BYTES / 1024
            ),
            None,
        ));
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(fail(
            "this is not a text file (it holds a NUL byte); a report source is YAML text in UTF-8"
                .into(),
            Some(pos_of_byte(bytes, at)),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Err(fail(
                format!(
                    "the file is not valid UTF-8 (byte 0x{:02X}); save it as UTF-8 text",
                    bytes[e.valid_up_to()]
                ),
                Some(pos_of_byte(bytes, e.valid_up_to())),
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(fail("the file is empty".into(), None));
    }
    if let Some((c, pos)) = crate::check::syntax::control_character(text) {
        let lines: Vec<&str> = text.lines().collect();
        let mut d = fail(
            format!(
                "the {} U+{:04X} is not allowed",
                if c.is_control() {
                    "control character"
                } else {
                    "character"
                },
                c as u32
            ),
            Some(pos),
        );
        d.field = crate::check::syntax::field_at(&lines, pos.line as usize - 1);
        d.notes
            .push("it is invisible and may come from a copy and paste: delete it".into());
        return Err(d);
    }
    let source = Source {
        path: path.to_path_buf(),
        text: text.to_string(),
    };
    match serde_saphyr::from_str_with_options::<Spanned<Value>>(text, options()) {
        Ok(root) if root.value == Value::Null => Err(fail(
            "the file holds no report, only comments or blank lines".into(),
            None,
        )),
        Ok(root) => Ok((source, node(root))),
        Err(e) => {
            let pos = e.location().and_then(|l| Pos::new(l.line(), l.column()));
            let explained = crate::check::syntax::explain(text, pos, yaml_message(&e));
            let mut d = fail(explained.message, explained.pos);
            d.field = explained.field;
            d.notes = explained.notes;
            Err(d)
        }
    }
}

/// How a YAML that reads but is no report is said.
const NOT_A_REPORT: &str = "this YAML is not the shape of a report";

/// The largest source read again for its next syntax error: a real report is a tenth of it.
const MOST_REREAD: usize = 256 * 1024;

/// The most syntax errors of one source reported in one run.
const MOST_SYNTAX_ERRORS: usize = 30;

/// What a source with syntax errors gives once the lines they are blamed on are set aside.
#[derive(Default)]
pub struct Recovered {
    /// The syntax errors after the first.
    pub errors: Vec<Diagnostic>,
    /// The source with those lines left empty, when it then reads: its fields can be checked.
    pub text: Option<String>,
    /// The lines set aside (from 0).
    pub set_aside: Vec<usize>,
}

/// The syntax errors of `bytes` after `first`, the one `parse` gave: each found by setting aside
/// the line the last one was blamed on and reading the source again, so that a first draft's
/// mistakes come in one run. It stops at a line blamed twice, at an error with no line, and
/// where setting lines aside only moves one error down the file (a quote never closed).
pub fn more_syntax_errors(path: &Path, bytes: &[u8], first: &Diagnostic) -> Recovered {
    let mut recovered = Recovered::default();
    // Not a text, or too long: there is nothing more to read.
    let Ok(text) = std::str::from_utf8(bytes) else {
        return recovered;
    };
    // Each error costs a reading of the whole source: beyond the size of any real report, one is
    // enough.
    if bytes.contains(&0) || bytes.len() > MOST_REREAD {
        return recovered;
    }
    let mut lines: Vec<&str> = text.split('\n').collect();
    let found = &mut recovered.errors;
    let mut last = first.clone();
    while found.len() + 1 < MOST_SYNTAX_ERRORS {
        // A YAML that reads but is no report (an alias bomb, two documents) has no next error:
        // what follows it would only be its echo.
        if last.message.starts_with(NOT_A_REPORT) {
            break;
        }
        let Some(pos) = last.pos else { break };
        let at = pos.line as usize - 1;
        if at >= lines.len() || lines[at].is_empty() {
            break;
        }
        // The line, and the lines under it that belong to it (a text's continuation).
        let indent = |l: &str| l.len() - l.trim_start().len();
        let own = indent(lines[at]);
        // A line indented with a tab has no depth to compare, and a line that is no field
        // (prose at the margin) owns nothing: it goes alone.
        let field = crate::check::syntax::key_value(lines[at]).is_some();
        let spaced = field && lines[at][..own].chars().all(|c| c == ' ');
        // A complex key (`? [a, b]`) owns the `: value` line that follows it.
        let complex = lines[at].trim_start().starts_with('?');
        let under = lines[at + 1..]
            .iter()
            .take_while(|l| {
                let value = complex && indent(l) == own && l.trim_start().starts_with(':');
                value || spaced && !l.trim().is_empty() && indent(l) > own
            })
            .count();
        for line in &mut lines[at..=at + under] {
            *line = "";
        }
        recovered.set_aside.extend(at..=at + under);
        let rest = lines.join("\n");
        let Err(next) = parse(path, rest.as_bytes()) else {
            recovered.text = Some(rest);
            break;
        };
        let Some(next_pos) = next.pos else { break };
        let cascade = next_pos.line == pos.line + 1 && next.message == last.message;
        if cascade || next_pos.line == pos.line {
            break;
        }
        found.push((*next).clone());
        last = *next;
    }
    recovered
}

fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_nodes = 100_000;
    budget.max_events = 200_000;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = MAX_SOURCE_BYTES;
    budget.max_recorded_anchor_bytes = MAX_SOURCE_BYTES;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    // `yes`, `no`, `on`, `off` stay text: only `true` and `false` are booleans.
    options.strict_booleans = true;
    options.with_snippet = false;
    options
}

/// The parser's message in a report writer's words, without its own location suffix (ours
/// prints the location).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error as E;
    let mut e = e;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = e {
        e = error;
    }
    match e {
        E::DuplicateMappingKey { key, .. } => format!(
            "the key `{}` appears twice in this mapping; keep one of them",
            key.as_deref().unwrap_or("?")
        ),
        E::Budget { breach, .. } => format!("{NOT_A_REPORT}: {}", describe_breach(breach)),
        other if other.to_string().contains("mapping values are not allowed") => {
            "a colon followed by a space inside a text makes YAML read what comes before it as a field name"
                .into()
        }
        other if other.to_string().contains("non-finite float") => {
            "an infinite or undefined number (`.inf`, `.nan`, or one of more than 308 digits); amounts \
             go up to 1,000,000,000,000 USD, and a text that looks like this is written in quotes"
                .into()
        }
        other => {
            let message = other.to_string();
            let message = match message.find(" at line ") {
                Some(cut) => &message[..cut],
                None => &message,
            };
            format!("invalid YAML: {message}")
        }
    }
}

fn describe_breach(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Depth { .. } => format!("it is nested more than {MAX_DEPTH} levels deep"),
        B::Nodes { nodes } => {
            format!(
                "it expands to more than {} values (aliases such as `*a` repeat whole lists)",
                nodes - 1
            )
        }
        B::Aliases { .. } | B::AliasAnchorRatio { .. } => {
            "it uses too many aliases (`*name`)".into()
        }
        B::Anchors { .. } => "it defines too many anchors (`&name`)".into(),
        B::Documents { .. } => "it holds more than one document (`---`)".into(),
        B::ScalarBytes { .. } | B::InputBytes { .. } => "it holds too much text".into(),
        other => format!("it is too large ({other:?})"),
    }
}

fn node(spanned: Spanned<Value>) -> Node {
    let loc = spanned.referenced;
    let span = spanned.defined.span();
    let span = span
        .byte_offset()
        .zip(span.byte_len())
        .and_then(|(at, len)| Some(usize::try_from(at).ok()?..usize::try_from(at + len).ok()?));
    Node {
        value: spanned.value,
        pos: Pos::new(loc.line(), loc.column()).unwrap_or_default(),
        span,
    }
}

/// The byte where line `line` (counted from 1) of `text` starts; past its last line, its end.
pub fn byte_of_line(text: &str, line: usize) -> usize {
    match line.checked_sub(2) {
        None => 0,
        Some(breaks) => text
            .match_indices('\n')
            .nth(breaks)
            .map_or(text.len(), |(i, _)| i + 1),
    }
}

/// Line and column (both from 1, column in characters) of a byte offset.
pub fn pos_of_byte(bytes: &[u8], at: usize) -> Pos {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos {
        line: line as u32,
        col: col as u32,
    }
}

/// A mapping key: any scalar, kept as text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Str(s) => Ok(Key(s)),
            Value::Int(i) => Ok(Key(i.to_string())),
            Value::Float(f) => Ok(Key(f.to_string())),
            Value::Bool(b) => Ok(Key(b.to_string())),
            Value::Null => Ok(Key("null".into())),
            _ => Err(de::Error::custom("a mapping key must be a plain word")),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::Int))
    }
    fn visit_i128<E>(self, i: i128) -> Result<Value, E> {
        Ok(i64::try_from(i).map_or(Value::Float(i as f64), Value::Int))
    }
    fn visit_u128<E>(self, u: u128) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::Int))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Value, E> {
        Err(E::custom("binary values are not accepted in a report"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(node(item));
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Key>>()? {
            let key_pos =
                Pos::new(key.referenced.line(), key.referenced.column()).unwrap_or_default();
            let value = node(map.next_value::<Spanned<Value>>()?);
            entries.push(Entry {
                key: key.value.0,
                key_pos,
                value,
            });
        }
        Ok(Value::Map(entries))
    }
}
