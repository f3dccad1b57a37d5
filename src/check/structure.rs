//! Structure: walks the YAML tree against the model's JSON Schema and reports every mismatch —
//! wrong types, missing and unknown fields, too many outcomes or indicators, texts over their
//! limit — with its line and field path. Walking the schema rather than deserialising lets one
//! run report all problems instead of stopping at the first.

use std::path::Path;

use serde_json::{Map, Value as Json};

use super::{help, limits};
use crate::diagnostic::{Diagnostic, shorten};
use crate::source::{self, Node, Value};

/// Every JSON Schema keyword this walker acts on or may ignore (annotations). A unit test fails
/// when the generated schema uses any other, so that no keyword is silently skipped.
pub const KEYWORDS: &[&str] = &[
    // annotations, nothing to enforce
    "$schema",
    "title",
    "description",
    "default",
    // structure
    "$defs",
    "$ref",
    "type",
    "properties",
    "additionalProperties",
    "required",
    "minProperties",
    "items",
    "minItems",
    "maxItems",
    "enum",
    "anyOf",
    "oneOf",
    // values
    "format",
    "pattern",
    "maxLength",
    "minimum",
    "maximum",
    // ours: a text given once or per language, and whether its limit is the form's; an amount
    // read from its digits; a pattern a rule of `check` says in its own words
    "x-text",
    "x-form-limit",
    "x-amount",
    "x-rule",
    "x-limit",
];

/// The `format` values the walker knows.
pub const FORMATS: &[&str] = &["date", "x-year-month", "uint32"];

/// Longest text accepted at all: five times the longest answer of the form. A longer text is
/// refused before it is counted or rendered.
pub const MAX_TEXT: usize = 15_000;

pub struct Walker<'a> {
    defs: &'a Map<String, Json>,
    /// The form the source is written for: the widths of the boxes its texts are drawn in.
    pub form: Option<&'a crate::form::Form>,
    file: &'a Path,
    /// The source text: numbers are read from the characters typed.
    text: &'a str,
    languages: &'a [String],
    /// Where the key of the mapping being walked stands: missing fields are reported there.
    key_pos: Option<crate::diagnostic::Pos>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where the unknown keys stand, with the field each was likely meant to be (when that field
    /// is missing), so that the typed report can still be read.
    pub unknown_keys: std::collections::HashMap<crate::diagnostic::Pos, Option<String>>,
    /// Values the typed report takes in another form than the parser's, by position: amounts as
    /// their exact decimal text, numbers in a text field as the text typed (`0.50`, not 0.5).
    pub values: std::collections::HashMap<(crate::diagnostic::Pos, usize), Json>,
    /// The schema's patterns, compiled once per walk.
    patterns: std::collections::HashMap<String, regex::Regex>,
    /// Every limited text met, in source order, for `check --counts`.
    pub counts: Vec<Count>,
    /// How many lines each text takes in its box, for the report's length.
    pub heights: Vec<Height>,
}

/// About how many lines `text` takes in a box `width` ems wide: a blank line between paragraphs
/// is a paragraph's spacing, about half a line.
fn lines_of(text: &str, width: f32) -> usize {
    let (blank, written) = text.lines().fold((0, 0), |(blank, written), line| {
        match line.trim().is_empty() {
            true => (blank + 1, written),
            false => (blank, written + crate::fit::lines(line, width)),
        }
    });
    written + blank / 2
}

/// About how many lines a text takes in the PDF of one language (`None`: of every language).
#[derive(Debug, Clone)]
pub struct Height {
    pub field: String,
    pub lang: Option<String>,
    pub lines: usize,
    pub pos: crate::diagnostic::Pos,
    /// For a table's cell, its row: the row is as tall as its tallest cell.
    pub row: Option<String>,
}

/// How long a limited text is, against its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub field: String,
    /// The language of a text given per language; `None` for a text given once.
    pub lang: Option<String>,
    pub count: usize,
    pub most: usize,
    /// Whether the limit is the form's (or a bound of pbf-report's).
    pub form: bool,
}

impl<'a> Walker<'a> {
    pub fn new(schema: &'a Json, file: &'a Path, text: &'a str, languages: &'a [String]) -> Self {
        static EMPTY: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();
        let defs = schema
            .get("$defs")
            .and_then(Json::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new));
        Walker {
            defs,
            form: None,
            file,
            text,
            languages,
            key_pos: None,
            diagnostics: Vec::new(),
            unknown_keys: std::collections::HashMap::new(),
            values: std::collections::HashMap::new(),
            patterns: std::collections::HashMap::new(),
            counts: Vec::new(),
            heights: Vec::new(),
        }
    }

    fn error(&mut self, node: &Node, path: &str, message: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::error(self.file, message).at(node.pos);
        let d = if path.is_empty() { d } else { d.field(path) };
        self.diagnostics.push(d);
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn resolve(&self, schema: &'a Json) -> &'a Json {
        let mut schema = schema;
        while let Some(name) = schema
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            match self.defs.get(name) {
                Some(def) => schema = def,
                None => break,
            }
        }
        schema
    }

    /// Checks `node` against `schema`; `path` names the field in messages.
    pub fn walk(&mut self, schema: &'a Json, node: &Node, path: &str) {
        let schema = self.resolve(schema);
        if schema.get("x-text").is_some() {
            return self.text(schema, node, path);
        }
        if let Some(branches) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
            return self.any_of(branches, node, path);
        }
        if let Some(allowed) = schema.get("enum").and_then(Json::as_array) {
            return self.choice(allowed, node, path);
        }
        let Some(kind) = schema.get("type") else {
            return;
        };
        if !type_matches(kind, node) {
            // YAML reads `018` as a number other than 18 or as a text, depending on the digits.
            if let Some(plain) = self.written(node).and_then(help::without_leading_zero) {
                let written = self.written(node).unwrap_or_default().trim();
                let d = self.error(
                    node,
                    path,
                    format!("{written}: a number is written without a leading zero"),
                );
                d.notes.push(format!("help: write {plain}"));
                return;
            }
            let expected = describe_type(kind);
            let found = node.describe();
            let written = self.written(node).unwrap_or_default().trim();
            let fix = help::for_type(schema, path, &node.value, written);
            let d = self.error(node, path, format!("expected {expected}, found {found}"));
            d.notes.extend(fix);
            return;
        }
        match &node.value {
            Value::Map(_) => self.object(schema, node, path),
            Value::Seq(items) => self.array(schema, node, items, path),
            Value::Str(s) => self.string(schema, node, s, path),
            Value::Int(_) | Value::Float(_) => self.number(schema, node, path),
            _ => {}
        }
    }

    fn any_of(&mut self, branches: &'a Json, node: &Node, path: &str) {
        let branches: Vec<&Json> = branches
            .as_array()
            .map(|b| b.iter().map(|s| self.resolve(s)).collect())
            .unwrap_or_default();
        // Option<T>: `null` is fine, anything else must be a T.
        let (nulls, others): (Vec<&Json>, Vec<&Json>) = branches
            .into_iter()
            .partition(|s| s.get("type").and_then(Json::as_str) == Some("null"));
        if !nulls.is_empty() && node.value == Value::Null {
            if others.iter().any(|s| s.get("x-text").is_some()) {
                self.comment_for_text(node, path);
            }
            return;
        }
        let chosen = others
            .iter()
            .find(|s| s.get("type").is_some_and(|t| type_matches(t, node)))
            .or(others.first());
        if let Some(schema) = chosen {
            self.walk(schema, node, path);
        }
    }

    fn object(&mut self, schema: &'a Json, node: &Node, path: &str) {
        let Value::Map(entries) = &node.value else {
            return;
        };
        let properties = schema.get("properties").and_then(Json::as_object);
        let extra = schema.get("additionalProperties");
        let own_key_pos = self.key_pos;
        let mut suggested = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let child_path = join(path, &entry.key);
            self.key_pos = Some(entry.key_pos);
            if i > 0 && self.thousands_split(&entries[i - 1], entry, path) {
                continue;
            }
            match properties.and_then(|p| p.get(&entry.key)) {
                Some(child) => self.walk(child, &entry.value, &child_path),
                None => match extra {
                    Some(Json::Bool(false)) => {
                        let names =
                            properties.map(|p| p.keys().map(String::as_str).collect::<Vec<_>>());
                        let near = closest(&entry.key, names.unwrap_or_default().into_iter());
                        let meant = near.filter(|n| !entries.iter().any(|e| e.key == *n));
                        self.unknown_keys
                            .insert(entry.key_pos, meant.map(str::to_string));
                        suggested.extend(near);
                        let message = unknown_field(&entry.key, properties);
                        let d = Diagnostic::error(self.file, message)
                            .at(entry.key_pos)
                            .field(child_path);
                        self.diagnostics.push(d);
                    }
                    Some(child @ Json::Object(_)) => self.walk(child, &entry.value, &child_path),
                    _ => {}
                },
            }
        }
        self.key_pos = own_key_pos;
        if let Some(min) = schema.get("minProperties").and_then(Json::as_u64)
            && (entries.len() as u64) < min
        {
            self.error(node, path, format!("give at least {min} entry here"));
        }
        for name in strings(schema.get("required")) {
            match entries.iter().find(|e| e.key == name) {
                // A misspelt key already says "did you mean `name`?".
                None if suggested.contains(&name) => {}
                None => {
                    // The field's own description, not its type's.
                    let what = properties
                        .and_then(|p| p.get(name))
                        .and_then(|s| s.get("description"))
                        .and_then(Json::as_str)
                        .map(|d| d.to_string());
                    let at = Node {
                        value: Value::Null,
                        pos: own_key_pos.unwrap_or(node.pos),
                        span: None,
                    };
                    let d = self.error(&at, &join(path, name), "this required field is missing");
                    if let Some(what) = what {
                        d.notes.push(format!("it holds: {what}"));
                    }
                }
                Some(e) if is_blank(&e.value) => {
                    // `prepared_by: #Bintou`: a `#` after a space starts a comment.
                    let comment = self
                        .line(e.key_pos.line)
                        .split_once(':')
                        .is_some_and(|(_, rest)| rest.trim_start().starts_with('#'));
                    let schema = properties
                        .and_then(|p| p.get(name))
                        .map(|s| self.resolve(s));
                    let is_text = schema.is_some_and(|s| s.get("x-text").is_some());
                    let options: Vec<&str> = strings(schema.and_then(|s| s.get("enum"))).collect();
                    let d = self.error(&e.value, &join(path, name), "this required field is empty");
                    if comment && is_text {
                        d.notes.push(
                            "`#` after a space starts a comment, which is not part of the text: \
                             put the text in quotes"
                                .into(),
                        );
                    }
                    if !options.is_empty() {
                        d.notes
                            .push(format!("help: choose one of {}", options.join(", ")));
                    }
                }
                Some(e) => {
                    // A required text given per language needs every language's text.
                    let is_text = properties
                        .and_then(|p| p.get(name))
                        .is_some_and(|s| self.resolve(s).get("x-text").is_some());
                    if let (true, Value::Map(texts)) = (is_text, &e.value.value) {
                        for text in texts.iter().filter(|t| is_blank(&t.value)) {
                            let field = join(&join(path, name), &text.key);
                            let at = if text.value.value == Value::Null {
                                Node {
                                    value: Value::Null,
                                    pos: text.key_pos,
                                    span: None,
                                }
                            } else {
                                text.value.clone()
                            };
                            self.error(&at, &field, "this required text is empty");
                        }
                    }
                }
            }
        }
    }

    /// `{undp: 300,000, unwomen: 100000}`: a comma in a number of a mapping written on one line
    /// ends the entry, and YAML reads `300` and a field named `000` with nothing in it. Said once,
    /// at the comma, with the number as it was meant; true when it is so.
    fn thousands_split(
        &mut self,
        before: &source::Entry,
        entry: &source::Entry,
        path: &str,
    ) -> bool {
        // Cheap tests first: a mapping of thousands of fields reads each line once.
        if entry.value.value != Value::Null || !matches!(before.value.value, Value::Int(_)) {
            return false;
        }
        let written_key = self.written_at(entry.key_pos, |c: char| c.is_ascii_digit());
        let digits = written_key.len() == 3;
        let number = self
            .written(&before.value)
            .filter(|n| n.trim().chars().all(|c| c.is_ascii_digit()));
        let Some(number) = number.filter(|_| digits) else {
            return false;
        };
        let meant = format!("{}{written_key}", number.trim());
        let d = Diagnostic::error(
            self.file,
            format!(
                "{},{written_key} is read as {} and a field named {written_key}: a comma ends an entry in {{…}}",
                number.trim(),
                number.trim()
            ),
        )
        .at(entry.key_pos)
        .field(join(path, &before.key))
        .note(format!("help: write the amount without a comma: {}: {meant}", before.key));
        self.diagnostics.push(d);
        // The rules that read the amount read it as meant, so that their problems come in the
        // same run as this one.
        if let Ok(meant) = meant.parse::<i64>() {
            self.values.insert(before.value.id(), Json::from(meant));
            self.unknown_keys.insert(entry.key_pos, None);
        }
        true
    }

    /// The source's line `n`, counted from 1; empty past its end.
    fn line(&self, n: u32) -> &'a str {
        self.text
            .lines()
            .nth((n as usize).saturating_sub(1))
            .unwrap_or("")
    }

    /// The characters at `pos` in the source that `keep` takes, in a row.
    fn written_at(&self, pos: crate::diagnostic::Pos, keep: impl Fn(char) -> bool) -> String {
        self.line(pos.line)
            .chars()
            .skip(pos.col as usize - 1)
            .take_while(|c| keep(*c))
            .collect()
    }

    fn array(&mut self, schema: &'a Json, node: &Node, items: &[Node], path: &str) {
        if let Some(max) = schema.get("maxItems").and_then(Json::as_u64)
            && items.len() as u64 > max
        {
            let what = last_segment(path);
            self.error(
                &items[max as usize],
                path,
                format!(
                    "the form has room for at most {max} {what}; this source gives {}",
                    items.len()
                ),
            );
        }
        if let Some(min) = schema.get("minItems").and_then(Json::as_u64)
            && (items.len() as u64) < min
        {
            self.error(node, path, format!("give at least {min} entry here"));
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.key_pos = Some(item.pos);
                self.walk(item_schema, item, &format!("{path}[{}]", i + 1));
            }
        }
    }

    fn string(&mut self, schema: &'a Json, node: &Node, text: &str, path: &str) {
        if !self.inspect(node, path, text) {
            return;
        }
        if text.trim().is_empty() {
            return; // reported as an empty required field, or fine when optional
        }
        match schema.get("format").and_then(Json::as_str) {
            Some("date") if !is_date_shaped(text) => {
                let d = self.error(
                    node,
                    path,
                    format!("\"{text}\" is not a date written YYYY-MM-DD"),
                );
                if let Some(help) = help::for_date_text(text) {
                    d.notes.push(help);
                } else if let Some(iso) = help::iso_date(text, &help::catalog_months(), false) {
                    d.notes.push(format!("help: write {iso}"));
                }
            }
            Some("date") if !is_date(text) && is_date(&format!("2001{}", &text[4..])) => {
                self.error(
                    node,
                    path,
                    format!("{text}: a report's dates lie between the years 1900 and 2200"),
                );
            }
            Some("date") if !is_date(text) => {
                self.error(node, path, format!("{text} is not a day of the calendar"));
            }
            Some("x-year-month") if !is_year_month(text) => {
                let d = self.error(
                    node,
                    path,
                    format!("\"{text}\" is not a month written YYYY-MM (or a date YYYY-MM-DD)"),
                );
                if let Some(help) = help::for_date_text(text) {
                    d.notes.push(help);
                } else if let Some(iso) = help::iso_date(text, &help::catalog_months(), true) {
                    d.notes.push(format!("help: write {iso}"));
                }
            }
            _ => self.pattern(schema, node, text, path),
        }
        if let Some(most) = schema.get("maxLength").and_then(Json::as_u64) {
            let limit = Limit {
                most: most as usize,
                form: false,
            };
            self.limit(node, path, text, Some(limit), None);
        }
    }

    /// A `pattern` the text must match; reported only when its `format` had nothing to say.
    fn pattern(&mut self, schema: &Json, node: &Node, text: &str, path: &str) {
        let Some(pattern) = schema.get("pattern").and_then(Json::as_str) else {
            return;
        };
        if schema.get("x-rule").is_some() {
            return;
        }
        let matches = match self.patterns.entry(pattern.to_string()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(regex::Regex::new(pattern).expect("the model's patterns compile"))
            }
        }
        .is_match(text);
        if !matches {
            let shown = shorten(text, 40);
            self.error(
                node,
                path,
                format!("\"{shown}\" is not written as this field requires ({pattern})"),
            );
        }
    }

    /// A run of characters wider than the field's box in the PDF (a long link, a Word fill-in
    /// line): it will be broken between letters, so the writer may prefer to change it. `path`
    /// names the field's box, `shown` the field in the message (with its language).
    fn height(&mut self, node: &Node, path: &str, shown: &str, lang: Option<&str>, text: &str) {
        let Some(form) = self.form else { return };
        let row = form
            .is_cell(path)
            .then(|| path.rsplit_once('.').map_or("", |(row, _)| row));
        self.heights.push(Height {
            field: shown.to_string(),
            lang: lang.map(String::from),
            lines: lines_of(text.trim(), form.width_of(path)),
            pos: node.pos,
            row: row.map(String::from),
        });
    }

    fn long_run(&mut self, node: &Node, path: &str, shown: &str, text: &str) {
        let Some(form) = self.form else { return };
        let width = form.width_of(path);
        let Some((_, run)) = crate::fit::long_runs(text, width).into_iter().next() else {
            return;
        };
        let n = limits::count(&run);
        let message = format!(
            "{n} characters without a space (\"{}\") are wider than this field's box in the PDF; \
             they will be broken between letters to fit",
            shorten(&run, 24)
        );
        let first: String = run.chars().take(12).collect();
        let at = self
            .written(node)
            .and_then(|typed| typed.find(&first))
            .map_or(node.pos, |i| {
                let offset = node.span.as_ref().map_or(0, |s| s.start) + i;
                self.pos_of_byte(offset)
            });
        let d = Diagnostic::warning(self.file, message).at(at).field(shown);
        self.diagnostics.push(d.note(
            "help: add spaces where the text may break, or shorten it (a fill-in line of underscores can go)",
        ));
    }

    /// Line and column of a byte offset in the source.
    fn pos_of_byte(&self, at: usize) -> crate::diagnostic::Pos {
        crate::source::pos_of_byte(self.text.as_bytes(), at)
    }

    /// Where in the source the first character of `node` that `is` picks is typed, so that the
    /// caret points at an invisible character rather than at its field; the field's position
    /// when the character is written as an escape (`"\u200B"`).
    fn pos_of_char(&self, node: &Node, is: impl Fn(char) -> bool) -> crate::diagnostic::Pos {
        let Some(span) = node.span.clone() else {
            return node.pos;
        };
        let typed = self.text.get(span.clone()).unwrap_or_default();
        let literal = typed.char_indices().find(|&(_, c)| is(c)).map(|(at, _)| at);
        // Written as an escape in double quotes: `\u200B`, `\xAD`, `\a`.
        let escaped = || {
            let c = node_text(node)?.chars().find(|&c| is(c))?;
            let n = c as u32;
            let mut forms = vec![
                format!("\\u{n:04x}"),
                format!("\\u{n:04X}"),
                format!("\\x{n:02x}"),
                format!("\\x{n:02X}"),
                format!("\\U{n:08x}"),
                format!("\\U{n:08X}"),
            ];
            if c == '\u{7}' {
                forms.push("\\a".into());
            }
            forms.iter().filter_map(|f| typed.find(f.as_str())).min()
        };
        literal
            .or_else(escaped)
            .map_or(node.pos, |at| self.pos_of_byte(span.start + at))
    }

    /// The source text of a scalar as typed, without quotes' or comments' help.
    fn written(&self, node: &Node) -> Option<&'a str> {
        node.span.clone().and_then(|span| self.text.get(span))
    }

    fn number(&mut self, schema: &'a Json, node: &Node, path: &str) {
        if schema.get("x-amount").is_some() {
            return self.amount(node, path);
        }
        let value = match node.value {
            Value::Int(i) => i as f64,
            Value::Float(f) => f,
            _ => return,
        };
        // YAML also reads `0x12`, `0o22` and `1_8` as 18: a count is written in decimal digits.
        let typed = self.written(node).unwrap_or_default().trim();
        if matches!(node.value, Value::Int(_))
            && !typed
                .trim_start_matches(['+', '-'])
                .bytes()
                .all(|b| b.is_ascii_digit())
        {
            let d = self.error(
                node,
                path,
                format!("{typed} is not written in decimal digits"),
            );
            d.notes.push(format!("help: write {}", show(value)));
            return;
        }
        if let Some(min) = schema.get("minimum").and_then(Json::as_f64)
            && value < min
        {
            self.error(
                node,
                path,
                format!("{value} is below the smallest allowed value, {min}"),
            );
        }
        if let Some(max) = schema.get("maximum").and_then(Json::as_f64)
            && value > max
        {
            self.error(
                node,
                path,
                format!("{} is above the largest allowed value, {max}", show(value)),
            );
            return;
        }
        if schema.get("format").and_then(Json::as_str) == Some("uint32")
            && value > f64::from(u32::MAX)
        {
            self.error(node, path, format!("{} is too large a count", show(value)));
        }
    }

    /// A number or `true` where a text is expected (`target: 20`): the text is what was typed.
    fn typed_as_text(&mut self, node: &Node) {
        if let Some(written) = self.written(node) {
            self.values
                .insert(node.id(), Json::String(written.trim().to_string()));
        }
    }

    /// An amount in USD, read exactly from the digits typed.
    fn amount(&mut self, node: &Node, path: &str) {
        use crate::model::{AmountError, Usd};
        let typed = self.written(node).unwrap_or_default().trim();
        let written = shorten(typed, 24);
        let parsed = Usd::parse(typed);
        // A refused amount reaches the typed report as nothing, so that no sum uses it.
        let value = parsed.map_or(Json::Null, |usd| Json::String(usd.plain()));
        self.values.insert(node.id(), value);
        match parsed {
            Ok(_) => {}
            Err(AmountError::TooPrecise) => {
                let d = self.error(
                    node,
                    path,
                    format!("{written}: an amount in USD has at most two decimals"),
                );
                d.notes
                    .push("help: round it to the cent, as the financial report does".into());
            }
            Err(AmountError::Negative) => {
                self.error(
                    node,
                    path,
                    format!("{written}: an amount cannot be negative"),
                );
            }
            Err(AmountError::TooLarge) => {
                let most = crate::model::group_thousands(Usd::MAX_UNITS as u64, ",");
                self.error(
                    node,
                    path,
                    format!(
                        "{written} USD is above the largest amount a report may state, {most} USD"
                    ),
                );
            }
            Err(AmountError::NotANumber) => {
                let d = self.error(node, path, format!("{written} is not an amount in USD"));
                d.notes.push(
                    "help: write it in decimal digits, with a point before the cents: 19979.42"
                        .into(),
                );
            }
        }
    }

    fn choice(&mut self, allowed: &[Json], node: &Node, path: &str) {
        // Left empty: a required choice says so where it is found missing.
        if node.value == Value::Null {
            return;
        }
        let allowed: Vec<&str> = allowed.iter().filter_map(Json::as_str).collect();
        let given = match &node.value {
            Value::Str(s) => s.as_str(),
            _ => "",
        };
        if allowed.contains(&given) {
            return;
        }
        let list = allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let d = self.error(
            node,
            path,
            format!("{} is not one of {list}", node.describe()),
        );
        if let Some(near) = closest(given, allowed.iter().copied()) {
            d.notes.push(format!("did you mean `{near}`?"));
        }
    }

    /// A `Text`: one string, or one string per report language; each within the field's limit.
    fn text(&mut self, schema: &Json, node: &Node, path: &str) {
        let most = schema
            .get("x-limit")
            .and_then(Json::as_u64)
            .map(|l| l as usize);
        let limit = most.map(|most| Limit {
            most,
            form: schema.get("x-form-limit") == Some(&Json::Bool(true)),
        });
        match &node.value {
            Value::Str(s) => {
                self.dropped(node, path);
                if self.inspect(node, path, s) {
                    self.limit(node, path, s, limit, None);
                    self.long_run(node, path, path, s);
                    self.height(node, path, path, None, s);
                }
            }
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                self.dropped(node, path);
                self.typed_as_text(node)
            }
            Value::Map(entries) if entries.is_empty() => {
                let d = self.error(node, path, "expected a text, found an empty mapping");
                d.notes.push(
                    "write the text after the colon, or one text per language (fr: …)".into(),
                );
            }
            // `- Annexe 1 : liste` or `titre: Rapport: 2020` — a colon and a space inside the
            // text made YAML read it as a mapping of one entry.
            Value::Map(entries)
                if entries.len() == 1
                    && !self.languages.contains(&entries[0].key)
                    && matches!(entries[0].value.value, Value::Str(_)) =>
            {
                // The text as typed: the rest of the line from where the mapping starts.
                let typed = self.written_at(node.pos, |_| true);
                let typed = typed.trim();
                let d = self.error(
                    node,
                    path,
                    "a colon followed by a space inside this text made YAML read it as a field name and a value",
                );
                if !typed.is_empty() && !typed.contains('\n') {
                    d.notes.push(format!(
                        "help: put the text in quotes: {}",
                        super::syntax::quoted(typed)
                    ));
                }
            }
            Value::Map(entries) => {
                for entry in entries {
                    let child = join(path, &entry.key);
                    if !self.languages.contains(&entry.key) {
                        let known = self.languages.join(", ");
                        let d = Diagnostic::error(
                            self.file,
                            format!("`{}` is not a language of this report ({known})", entry.key),
                        )
                        .at(entry.key_pos)
                        .field(child);
                        self.diagnostics.push(d);
                        continue;
                    }
                    match &entry.value.value {
                        Value::Str(s) => {
                            self.dropped(&entry.value, &child);
                            if self.inspect(&entry.value, &child, s) {
                                self.limit(&entry.value, path, s, limit, Some(&entry.key));
                                self.long_run(&entry.value, path, &child, s);
                                self.height(&entry.value, path, &child, Some(&entry.key), s);
                            }
                        }
                        // Nothing after `fr:` is an empty text (required fields say so).
                        Value::Null => {
                            self.comment_for_text(&entry.value, &child);
                            self.values
                                .insert(entry.value.id(), Json::String(String::new()));
                        }
                        Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                            self.dropped(&entry.value, &child);
                            self.typed_as_text(&entry.value)
                        }
                        _ => {
                            let found = entry.value.describe();
                            self.error(
                                &entry.value,
                                &child,
                                format!("expected a text, found {found}"),
                            );
                        }
                    }
                }
                let at = Node {
                    value: Value::Null,
                    pos: self.key_pos.unwrap_or(node.pos),
                    span: None,
                };
                for lang in self.languages {
                    if !entries.iter().any(|e| &e.key == lang) {
                        self.error(
                            &at,
                            path,
                            format!("no text in `{lang}`, a language of this report"),
                        );
                    }
                }
            }
            // A required field left empty says so where it is found missing.
            Value::Null if path.ends_with(']') => self.comment_for_text(node, path),
            Value::Null => {}
            Value::Seq(_) => {
                let found = node.describe();
                let d = self.error(node, path, format!("expected a text, found {found}"));
                d.notes.push(
                    "a text with several lines is written after `|` on the next lines, indented"
                        .into(),
                );
            }
        }
    }

    /// A text left empty whose line holds only a comment (`setbacks: #PaixAuSahel campaign`,
    /// `- #1 Radio Nioro`): what was typed may be the text, which YAML leaves out. An empty item
    /// of a list is an error; an empty field a warning, since a comment may say why it is empty.
    /// (A required field left empty says so where its absence is found.)
    fn comment_for_text(&mut self, node: &Node, path: &str) {
        let line = self.line(node.pos.line);
        let body = line.trim_start();
        let body = body.strip_prefix("- ").unwrap_or(body);
        // After the key's colon and the space or tab that ends it.
        let colon = body
            .char_indices()
            .find(|&(i, c)| c == ':' && body[i + 1..].starts_with([' ', '\t']))
            .map(|(i, _)| i);
        let rest = match colon {
            Some(i) if !body[..i].contains('#') => &body[i + 1..],
            _ if body.ends_with(':') => "",
            _ => body,
        };
        let Some(comment) = rest.trim_start().strip_prefix('#').map(|_| rest.trim()) else {
            return;
        };
        let item = path.ends_with(']');
        let message = format!(
            "this {} is empty: {} is a comment, which YAML leaves out",
            if item { "item" } else { "text" },
            super::syntax::quoted(&super::syntax::cut(comment, 40))
        );
        let help = format!(
            "help: if it is the text, put it in quotes: {}",
            super::syntax::quoted(comment)
        );
        // `rest` ends the line: the `#` is as far from its end.
        let hash = line.len() - rest.trim_start().len();
        let column = line[..hash].chars().count() as u64 + 1;
        let at = crate::diagnostic::Pos::new(u64::from(node.pos.line), column).unwrap_or(node.pos);
        let d = match item {
            true => Diagnostic::error(self.file, message),
            false => Diagnostic::warning(self.file, message),
        };
        self.diagnostics.push(d.at(at).field(path).note(help));
    }

    /// What YAML takes out of a text written plain (without quotes or `|`) without a word: the
    /// rest of its line after ` #`, read as a comment (`#PaixAuSahel`, `answer #6`), which is an
    /// error; and its line breaks, each joined into a space, which is a warning.
    fn dropped(&mut self, node: &Node, path: &str) {
        let Some(span) = node.span.clone() else {
            return;
        };
        let Some(written) = self.text.get(span.clone()) else {
            return;
        };
        if written.is_empty()
            || written.starts_with(['"', '\'', '*', '&'])
            || self.is_block(span.start)
        {
            return;
        }
        let line = self.text[span.end..].split('\n').next().unwrap_or_default();
        if let Some(hash) = line.find('#').filter(|h| line[..*h].trim().is_empty()) {
            let comment = line[hash..].trim_end();
            // As typed, tabs and double spaces included, when it is on one line.
            let whole = match written.contains('\n') {
                false => self.text[span.start..span.end + line.trim_end().len()].to_string(),
                true => format!("{written} {comment}"),
            };
            let d = Diagnostic::error(
                self.file,
                format!(
                    "the text stops before {}: after a space, `#` starts a comment, which YAML leaves out",
                    super::syntax::quoted(&super::syntax::cut(comment, 40))
                ),
            )
            .at(self.pos_of_byte(span.end + hash))
            .field(path)
            .note(format!(
                "help: put the whole text in quotes, {}, or write it on the next lines after `|`",
                super::syntax::quoted(&whole)
            ));
            self.diagnostics.push(d);
        }
        if let Some(at) = written.find('\n') {
            let before = written[..at].trim_end();
            let tail: String = before
                .chars()
                .rev()
                .take(30)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let lines = written.lines().count();
            let d = Diagnostic::warning(
                self.file,
                format!(
                    "this text goes on over {lines} lines, which YAML joins with spaces: the line break after \"…{tail}\" is removed"
                ),
            )
            .at(self.pos_of_byte(span.start + at))
            .field(path)
            .note(
                "help: to keep its line breaks, write `|` after the colon and the text on the next lines, indented; to keep one line, join them",
            );
            self.diagnostics.push(d);
        }
    }

    /// Whether the scalar starting at byte `at` is a block (`|`, `>-`, `|2`): its header ends the
    /// last line before it, ahead of any comment.
    fn is_block(&self, at: usize) -> bool {
        let before = self.text[..at].trim_end();
        let line = before.rsplit('\n').next().unwrap_or_default();
        let header = match line.find(" #") {
            Some(hash) => line[..hash].trim_end(),
            None => line,
        };
        let token = header.rsplit([' ', '\t', ':']).next().unwrap_or_default();
        token.starts_with(['|', '>'])
            && token[1..]
                .chars()
                .all(|c| matches!(c, '-' | '+' | '1'..='9'))
    }

    /// The characters of a text: too long a text, control characters and noncharacters are
    /// errors; invisible and direction-changing characters are warned about, because they count
    /// toward the limit or change how the text reads without being seen. Returns whether the
    /// text is worth counting.
    fn inspect(&mut self, node: &Node, path: &str, text: &str) -> bool {
        let length = text.chars().count();
        if length > MAX_TEXT {
            let message = format!(
                "{length} characters: no field of the form holds more than 3,000; a text is refused above {MAX_TEXT}"
            );
            self.error(node, path, message);
            return false;
        }
        let (mut line, mut column) = (1, 0);
        let mut invisible: Vec<char> = Vec::new();
        let mut marks = limits::Marks::default();
        for c in text.chars() {
            column += 1;
            if marks.too_many_with(c) {
                let message = format!(
                    "more than {} combining marks stacked on one character (at character {column})",
                    limits::MAX_MARKS
                );
                let d = self.error(node, path, message);
                d.notes.push(
                    "no language writes that many accents on one letter (Unicode's stream-safe limit is 30); \
                     the text is probably damaged"
                        .into(),
                );
                return false;
            }
            if c == '\n' {
                (line, column) = (line + 1, 0);
                continue;
            }
            let forbidden = (c.is_control() && !matches!(c, '\t' | '\r'))
                || matches!(c as u32, 0xFFFE | 0xFFFF | 0xFDD0..=0xFDEF);
            if forbidden {
                let place = if text.contains('\n') {
                    format!("line {line} of the text, character {column}")
                } else {
                    format!("character {column}")
                };
                let message = format!(
                    "the control character U+{:04X} at {place} is not allowed",
                    c as u32
                );
                let at = self.pos_of_char(node, |x| x == c);
                let d = Diagnostic::error(self.file, message).at(at).field(path);
                self.diagnostics
                    .push(d.note("it is invisible and may come from a copy and paste: delete it"));
                return false;
            }
            if limits::is_invisible(c) {
                invisible.push(c);
            }
        }
        if !invisible.is_empty() {
            let mut kinds: Vec<String> = invisible
                .iter()
                .map(|c| format!("U+{:04X}", *c as u32))
                .collect();
            kinds.sort();
            kinds.dedup();
            let n = invisible.len();
            let message = format!(
                "{n} invisible character{} ({}) count toward the limit; soft hyphens, zero-width spaces and \
                 direction marks often come from Word or the web",
                if n == 1 { "" } else { "s" },
                kinds.join(", ")
            );
            let at = self.pos_of_char(node, limits::is_invisible);
            let d = Diagnostic::warning(self.file, message).at(at).field(path);
            self.diagnostics.push(d);
        }
        true
    }

    fn limit(
        &mut self,
        node: &Node,
        path: &str,
        text: &str,
        limit: Option<Limit>,
        lang: Option<&str>,
    ) {
        let Some(Limit { most, form }) = limit else {
            return;
        };
        let count = limits::count(text);
        self.counts.push(Count {
            field: path.to_string(),
            lang: lang.map(String::from),
            count,
            most,
            form,
        });
        if count <= most {
            return;
        }
        let in_lang = lang.map(|l| format!(" ({l})")).unwrap_or_default();
        let (before, after) = limits::cut_at(text, most, 30);
        let over = count - most;
        let message = if form {
            format!("{count} characters, {over} over the limit of {most}")
        } else {
            format!("{count} characters, {over} more than this field may hold ({most})")
        };
        let d = self.error(node, &format!("{path}{in_lang}"), message);
        if form {
            d.kind = crate::diagnostic::Kind::Limit;
        } else {
            d.notes.push("the form sets no limit here; pbf-report bounds every text so that the report stays readable".into());
            d.notes
                .push(format!("help: shorten it to at most {most} characters"));
        }
        d.notes.push(format!(
            "the limit falls here: \"…{}⟦{}…\"",
            before.replace('\n', "⏎"),
            after.replace('\n', "⏎")
        ));
    }
}

/// The most characters a text may hold, and whether the form states it (a draft may go over
/// a limit of the form, never over a bound of pbf-report's).
#[derive(Clone, Copy)]
struct Limit {
    most: usize,
    form: bool,
}

/// A number as a person reads it: `1e308` rather than its 309 digits.
fn show(value: f64) -> String {
    if value.abs() >= 1e15 {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn strings(value: Option<&Json>) -> impl Iterator<Item = &str> {
    value
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
}

fn is_blank(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Str(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The text of a scalar, as the parser read it.
fn node_text(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn type_matches(kind: &Json, node: &Node) -> bool {
    match kind {
        Json::Array(kinds) => kinds.iter().any(|k| type_matches(k, node)),
        Json::String(k) => matches!(
            (k.as_str(), &node.value),
            ("object", Value::Map(_))
                | ("array", Value::Seq(_))
                | ("string", Value::Str(_))
                | ("integer", Value::Int(_))
                | ("number", Value::Int(_) | Value::Float(_))
                | ("boolean", Value::Bool(_))
                | ("null", Value::Null)
        ),
        _ => true,
    }
}

fn describe_type(kind: &Json) -> String {
    match kind {
        Json::Array(kinds) => kinds
            .iter()
            .filter(|k| k.as_str() != Some("null"))
            .map(describe_type)
            .collect::<Vec<_>>()
            .join(" or "),
        Json::String(k) => match k.as_str() {
            "object" => "a mapping (key: value lines)",
            "array" => "a list",
            "string" => "a text",
            "integer" => "a whole number",
            "number" => "a number",
            "boolean" => "`true` or `false`",
            _ => "nothing",
        }
        .to_string(),
        _ => "a value".to_string(),
    }
}

fn unknown_field(key: &str, properties: Option<&Map<String, Json>>) -> String {
    let names = properties
        .map(|p| p.keys().map(String::as_str).collect::<Vec<_>>())
        .unwrap_or_default();
    match closest(key, names.iter().copied()) {
        Some(near) => format!(
            "unknown field `{}`; did you mean `{near}`?",
            shorten(key, 40)
        ),
        None => format!(
            "unknown field `{}`; the fields here are {}",
            shorten(key, 40),
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The candidate closest to `given`, if it is close enough to be a likely misspelling.
pub fn closest<'c>(given: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let given = given.to_lowercase();
    candidates
        .map(|c| (strsim::damerau_levenshtein(&given, c), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A day of the calendar in the years a report can speak of.
fn is_date(text: &str) -> bool {
    crate::model::parse_date(text).is_some_and(|(y, _, _)| (1900..=2200).contains(&y))
}

/// `YYYY-MM-DD` in shape, whether or not the day exists.
fn is_date_shaped(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_year_month(text: &str) -> bool {
    crate::model::parse_month(text).is_some_and(|(y, _)| (1900..=2200).contains(&y))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every keyword of `schema`, walking into subschemas.
    fn keywords(schema: &Json, found: &mut std::collections::BTreeSet<String>) {
        let Json::Object(map) = schema else { return };
        for (key, value) in map {
            found.insert(key.clone());
            match key.as_str() {
                "properties" | "$defs" => {
                    for sub in value.as_object().into_iter().flat_map(|m| m.values()) {
                        keywords(sub, found);
                    }
                }
                "anyOf" | "oneOf" => {
                    for sub in value.as_array().into_iter().flatten() {
                        keywords(sub, found);
                    }
                }
                "items" | "additionalProperties" => keywords(value, found),
                _ => {}
            }
        }
    }

    #[test]
    fn the_walker_knows_every_keyword_of_the_schema() {
        let schema = crate::form::Form::pbf_2019().schema();
        let mut found = std::collections::BTreeSet::new();
        keywords(&schema, &mut found);
        let unknown: Vec<&String> = found
            .iter()
            .filter(|k| !KEYWORDS.contains(&k.as_str()))
            .collect();
        assert!(
            unknown.is_empty(),
            "the schema uses keywords the walker ignores: {unknown:?}"
        );
        let text = serde_json::to_string(&schema).unwrap();
        for format in text.split("\"format\":\"").skip(1) {
            let format = format.split('"').next().unwrap();
            assert!(FORMATS.contains(&format), "unknown format {format}");
        }
    }

    /// The messages of walking `yaml` against `schema`.
    fn walk(schema: Json, yaml: &str) -> Vec<String> {
        let (_, root) = crate::source::parse(Path::new("t.yaml"), yaml.as_bytes()).unwrap();
        let mut walker = Walker::new(&schema, Path::new("t.yaml"), yaml, &[]);
        walker.walk(&schema, &root, "");
        walker.diagnostics.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn value_keywords_are_enforced() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {
                "month": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" },
                "short": { "type": "string", "maxLength": 3 },
                "count": { "type": "integer", "format": "uint32", "minimum": 0 },
                "map": { "type": "object", "minProperties": 1 },
            },
        });
        assert_eq!(
            walk(
                schema.clone(),
                "month: 2019-07\nshort: abc\ncount: 4\nmap: {a: 1}"
            ),
            Vec::<String>::new()
        );
        let messages = walk(
            schema,
            "month: 2019-+7\nshort: abcd\ncount: 4294967296\nmap: {}",
        );
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].contains("2019-+7"), "{messages:?}");
        assert!(
            messages[1].contains("4 characters, 1 more than this field may hold (3)"),
            "{messages:?}"
        );
        assert!(messages[2].contains("too large"), "{messages:?}");
        assert!(messages[3].contains("at least 1"), "{messages:?}");
    }

    #[test]
    fn dates_must_exist() {
        assert!(is_date("2019-11-12"));
        assert!(is_date("2020-02-29"));
        assert!(!is_date("2019-02-29"));
        assert!(!is_date("2019-13-01"));
        assert!(!is_date("12/11/2019"));
        assert!(is_date_shaped("2019-02-30") && !is_date("2019-02-30"));
        assert!(!is_date_shaped("2019-2-3"));
        assert!(is_year_month("2018-01"));
        assert!(!is_year_month("2018-1"));
    }

    #[test]
    fn closest_finds_misspellings_only() {
        let names = ["country", "report_type", "gateway_number"];
        assert_eq!(closest("contry", names.iter().copied()), Some("country"));
        assert_eq!(
            closest("gateway_numbr", names.iter().copied()),
            Some("gateway_number")
        );
        assert_eq!(closest("colour", names.iter().copied()), None);
    }
}
