//! A source written from what an import found: texts quoted or as blocks, exactly as read, and
//! what was not found as `# TODO` comments where the field belongs.

/// A value of the source being written.
pub enum Y {
    /// A text: quoted on one line, or a block (`|-`) when it has several.
    Text(String),
    /// Written as it is: a number, a date, a choice's key.
    Raw(String),
    Map(Vec<(String, Y)>),
    List(Vec<Y>),
    /// No value: a comment saying what is missing (and what the report had there).
    Todo(String),
}

impl Y {
    pub fn text(s: impl Into<String>) -> Y {
        Y::Text(s.into())
    }
    pub fn raw(s: impl Into<String>) -> Y {
        Y::Raw(s.into())
    }
}

/// The source text of the top-level mapping `entries`.
pub fn render(entries: &[(String, Y)]) -> String {
    let mut out = String::new();
    map(&mut out, entries, 0);
    out
}

fn map(out: &mut String, entries: &[(String, Y)], indent: usize) {
    let pad = " ".repeat(indent);
    for (key, value) in entries {
        match value {
            Y::Todo(note) => comment(out, &pad, &format!("TODO {key}: {note}")),
            Y::Map(inner) if inner.is_empty() => out.push_str(&format!("{pad}{key}: {{}}\n")),
            Y::List(inner) if inner.is_empty() => out.push_str(&format!("{pad}{key}: []\n")),
            Y::Map(inner) => {
                out.push_str(&format!("{pad}{key}:\n"));
                map(out, inner, indent + 2);
            }
            Y::List(items) => {
                out.push_str(&format!("{pad}{key}:\n"));
                list(out, items, indent + 2);
            }
            Y::Text(_) | Y::Raw(_) => {
                out.push_str(&format!("{pad}{key}: "));
                scalar(out, value, indent + 2);
            }
        }
    }
}

fn list(out: &mut String, items: &[Y], indent: usize) {
    let pad = " ".repeat(indent);
    for item in items {
        match item {
            Y::Map(inner) => {
                // `- key: value`, unless the first line would be a comment (`- # …` is null).
                let mut body = String::new();
                map(&mut body, inner, indent + 2);
                match body.trim_start().starts_with('#') {
                    true => out.push_str(&format!("{pad}-\n{body}")),
                    false => out.push_str(&format!("{pad}- {}", &body[indent + 2..])),
                }
            }
            Y::Todo(note) => comment(out, &pad, &format!("TODO: {note}")),
            Y::List(_) => unreachable!("the source has no list of lists"),
            Y::Text(_) | Y::Raw(_) => {
                out.push_str(&format!("{pad}- "));
                scalar(out, item, indent + 2);
            }
        }
    }
}

/// A text on one line is quoted (JSON's escapes are YAML's); one of several lines is a block,
/// with an indentation indicator when it starts with a space. A text holding a character a
/// block cannot (a control character) stays quoted, with its escapes.
fn scalar(out: &mut String, value: &Y, indent: usize) {
    match value {
        Y::Raw(raw) => out.push_str(&format!("{raw}\n")),
        Y::Text(text) => {
            let blockable = text.contains('\n') && block_safe(text);
            if !blockable {
                out.push_str(&quoted(text));
                out.push('\n');
                return;
            }
            let indicator = if text.starts_with([' ', '\t']) {
                "2"
            } else {
                ""
            };
            out.push_str(&format!("|{indicator}-\n"));
            let pad = " ".repeat(indent);
            for line in text.lines() {
                match line.is_empty() {
                    true => out.push('\n'),
                    false => out.push_str(&format!("{pad}{line}\n")),
                }
            }
        }
        _ => {}
    }
}

/// Whether a `|` block holds `text` as it is: no character a block cannot hold (a control
/// character), no line ending in spaces (which a block's reader keeps, and an editor trims).
pub fn block_safe(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c != '\n' && c != '\t' && unsafe_char(c))
        && text.lines().all(|l| l == l.trim_end())
}

/// A character a YAML file may not hold as it is, or that some readers take for a line break:
/// controls (C0, DEL, C1), the line and paragraph separators, a byte-order mark, non-characters.
pub fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// `text` in double quotes, every character YAML cannot hold as it is escaped.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` as comment lines, each control character written as an escape.
fn comment(out: &mut String, pad: &str, text: &str) {
    for line in text.lines() {
        let safe: String = line
            .chars()
            .map(|c| match unsafe_char(c) {
                true => c.escape_unicode().to_string(),
                false => c.to_string(),
            })
            .collect();
        out.push_str(&format!("{pad}# {safe}\n"));
    }
}

/// The TODO comments of a source written here: each field or item left for the writer.
pub fn todo_comments(text: &str) -> usize {
    text.lines()
        .filter(|line| line.trim_start().starts_with("# TODO"))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_back_as_written() {
        let texts = [
            "one line: with a colon # and a hash",
            "two\n\n lines, the second indented",
            " starts with a space\nand goes on",
            "a control \u{1b}[31m character\nover lines",
            "- a dash\n- and another",
            "del \u{7f} nel \u{85} separator \u{2028} end",
            "quote \" and backslash \\",
        ];
        let entries: Vec<(String, Y)> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("k{i}"), Y::text(*t)))
            .chain([("t".to_string(), Y::Todo("missing\nsecond line".into()))])
            .collect();
        let source = render(&entries);
        let (_, root) =
            crate::source::parse(std::path::Path::new("s.yaml"), source.as_bytes()).unwrap();
        for (i, text) in texts.iter().enumerate() {
            match &root.get(&format!("k{i}")).unwrap().value {
                crate::source::Value::Str(s) => assert_eq!(s, text, "{source}"),
                other => panic!("{other:?}"),
            }
        }
        assert!(root.get("t").is_none());
    }

    #[test]
    fn a_list_item_whose_first_field_is_missing_is_not_null() {
        let entries = vec![(
            "l".to_string(),
            Y::List(vec![Y::Map(vec![
                ("a".to_string(), Y::Todo("none".into())),
                ("b".to_string(), Y::raw("1")),
            ])]),
        )];
        let source = render(&entries);
        assert_eq!(source, "l:\n  -\n    # TODO a: none\n    b: 1\n");
    }
}
